/*
 * The bootloader's flow (see bootloader.h): probe in a sandbox, choose,
 * extract in a sandbox, hand over open files that are already unlinked.
 */
#include "bootloader/bootloader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bootloader/image.h"
#include "bootloader/menu.h"
#include "bootloader/sandbox.h"
#include "common/log.h"

#define PACK_MAX (5u * BOOTCFG_MAX_ENTRIES * (BOOTCFG_MAX_ARG + 1) + 64u)
#define SIMPLE0_MAX (3u * (BOOTCFG_MAX_ARG + 16u))

void bootloader_result_init(struct bootloader_result *r)
{
	memset(r, 0, sizeof(*r));
	r->kernel_fd = r->initrd_fd = -1;
}

void bootloader_result_dispose(struct bootloader_result *r)
{
	if (r->kernel_fd >= 0)
		close(r->kernel_fd);
	if (r->initrd_fd >= 0)
		close(r->initrd_fd);
	free(r->kernel);
	free(r->initrd);
	free(r->args);
	free(r->title);
	bootloader_result_init(r);
}

/* ---- -bootloader-args ----------------------------------------------- */

void bootloader_args_dispose(struct bootloader_args *a)
{
	free(a->entry);
	free(a->title);
	free(a->extra);
	memset(a, 0, sizeof(*a));
}

int bootloader_args_parse(const char *text, struct bootloader_args *a, const char **err_r)
{
	size_t len = text ? strlen(text) : 0, i = 0;
	char *word = NULL;
	int rc = 0;

	memset(a, 0, sizeof(*a));
	if (len > BOOTCFG_MAX_ARG) {
		*err_r = "-bootloader-args: too long";
		return -EINVAL;
	}
	if (!(word = malloc(len + 1)))
		return -ENOMEM;
	while (i < len) {
		size_t w = 0;
		char q = 0, **field = NULL;
		const char *val = NULL;

		while (i < len && isspace((unsigned char)text[i]))
			i++;
		if (i >= len)
			break;
		while (i < len && (q || !isspace((unsigned char)text[i]))) {
			char c = text[i++];

			if (q && c == q)
				q = 0;
			else if (!q && (c == '\'' || c == '"'))
				q = c;
			else
				word[w++] = c;
		}
		word[w] = '\0';
		if (q) {
			*err_r = "-bootloader-args: unterminated quote";
			rc = -EINVAL;
			break;
		}
		if (!strcmp(word, "-q") || !strcmp(word, "--quiet")) {
			a->quiet = true;
			continue;
		}
		if (!strncmp(word, "--entry=", 8)) {
			field = &a->entry;
			val = word + 8;
		} else if (!strncmp(word, "--title=", 8)) {
			field = &a->title;
			val = word + 8;
		} else if (!strncmp(word, "--args=", 7)) {
			field = &a->extra;
			val = word + 7;
		} else {
			*err_r = "-bootloader-args: unknown argument (known: --entry=N|TITLE, "
				 "--title=TITLE, --args=EXTRA, -q)";
			rc = -EINVAL;
			break;
		}
		free(*field);
		if (!(*field = strdup(val))) {
			rc = -ENOMEM;
			break;
		}
	}
	free(word);
	if (rc < 0)
		bootloader_args_dispose(a);
	return rc;
}

/* ---- the packed menu ------------------------------------------------ */

int bootloader_menu_pack(const struct boot_menu *m, size_t vol, char **buf_r, size_t *len_r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "%d%c%zu%c%zu%c%zu%c%d%c", (int)m->format, 0, vol, 0, m->n_entries, 0,
		m->default_entry, 0, m->timeout_s, 0);
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct boot_entry *e = &m->entries[i];

		fprintf(f, "%s%c%s%c%s%c%s%c%s%c", e->title ? e->title : "", 0, e->id ? e->id : "", 0,
			e->kernel ? e->kernel : "", 0, e->initrd ? e->initrd : "", 0,
			e->args ? e->args : "", 0);
	}
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*buf_r = buf;
	*len_r = len;
	return 0;
}

/* Next NUL-terminated field within [*pos, len), at most max bytes. */
static const char *field(const char *buf, size_t len, size_t *pos, size_t max)
{
	const char *s = buf + *pos, *z;

	if (*pos >= len)
		return NULL;
	z = memchr(s, '\0', len - *pos);
	if (!z || (size_t)(z - s) > max)
		return NULL;
	*pos += (size_t)(z - s) + 1;
	return s;
}

static long num_field(const char *buf, size_t len, size_t *pos, long min, long max)
{
	const char *s = field(buf, len, pos, 12);
	char *end;
	long v;

	if (!s || !*s)
		return LONG_MIN;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return LONG_MIN;
	return v;
}

int bootloader_menu_unpack(const char *buf, size_t len, struct boot_menu *m, size_t *vol_r)
{
	size_t pos = 0;
	long fmt, vol, n, def, tmo;

	boot_menu_dispose(m);
	if (len > PACK_MAX)
		return -E2BIG;
	fmt = num_field(buf, len, &pos, 0, BOOTCFG_BLS);
	vol = num_field(buf, len, &pos, 0, 64);
	n = num_field(buf, len, &pos, 1, BOOTCFG_MAX_ENTRIES);
	def = num_field(buf, len, &pos, 0, BOOTCFG_MAX_ENTRIES);
	tmo = num_field(buf, len, &pos, -1, BOOTCFG_MAX_TIMEOUT);
	if (fmt == LONG_MIN || vol == LONG_MIN || n == LONG_MIN || def == LONG_MIN ||
	    tmo == LONG_MIN || def >= n)
		return -EINVAL;
	if (!(m->entries = calloc((size_t)n, sizeof(*m->entries))))
		return -ENOMEM;
	m->format = (enum bootcfg_format)fmt;
	m->default_entry = (size_t)def;
	m->timeout_s = (int)tmo;
	for (long i = 0; i < n; i++) {
		struct boot_entry *e = &m->entries[i];
		const char *f[5];

		for (int k = 0; k < 5; k++)
			if (!(f[k] = field(buf, len, &pos, BOOTCFG_MAX_ARG)))
				goto bad;
		m->n_entries++;
		if (!*f[2] || !(e->title = strdup(f[0])) || !(e->kernel = strdup(f[2])) ||
		    !(e->args = strdup(f[4])) || (*f[1] && !(e->id = strdup(f[1]))) ||
		    (*f[3] && !(e->initrd = strdup(f[3]))))
			goto bad;
	}
	if (pos != len)
		goto bad;
	*vol_r = (size_t)vol;
	return 0;
bad:
	boot_menu_dispose(m);
	return -EINVAL;
}

int bootloader_simple0_parse(const char *buf, size_t len, char **kernel_r, char **ramdisk_r,
			     char **args_r)
{
	size_t pos = 0;
	const char *f;

	*kernel_r = *ramdisk_r = *args_r = NULL;
	if (len > SIMPLE0_MAX)
		return -E2BIG;
	while ((f = field(buf, len, &pos, BOOTCFG_MAX_ARG + 16)) && *f) {
		char **dst = NULL;
		const char *v = NULL;

		if (!strncmp(f, "kernel ", 7)) {
			dst = kernel_r;
			v = f + 7;
		} else if (!strncmp(f, "ramdisk ", 8)) {
			dst = ramdisk_r;
			v = f + 8;
		} else if (!strncmp(f, "args ", 5)) {
			dst = args_r;
			v = f + 5;
		} else {
			continue;
		}
		free(*dst);
		if (!(*dst = strdup(v)))
			goto bad;
	}
	if (!*kernel_r)
		goto bad;
	if (!*args_r && !(*args_r = strdup("")))
		goto bad;
	return 0;
bad:
	free(*kernel_r);
	free(*ramdisk_r);
	free(*args_r);
	*kernel_r = *ramdisk_r = *args_r = NULL;
	return -EINVAL;
}

/* ---- the sandboxed children ----------------------------------------- */

struct job {
	int image_fd;
	struct sandbox_file iso;	/* the image again, for libiso9660's open by path */
	int out_fd, out2_fd;	/* probe: menu; extract: kernel, initrd */
	size_t vol;
	const char *kernel, *initrd;
};

/* In the child, confined: every byte of the image is read from here on. */
static int job_open_image(struct job *j, struct boot_image *img, const char **err_r)
{
	return boot_image_open(img, j->image_fd, boot_image_iso_open(j->image_fd, j->iso.path),
			       err_r);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t r = write(fd, buf, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		len -= (size_t)r;
	}
	return 0;
}

static int job_probe(void *arg)
{
	struct job *j = arg;
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	char *cfg = NULL, *buf = NULL;
	size_t vol = 0, len = 0;
	int rc;

	boot_menu_init(&m);
	if ((rc = job_open_image(j, &img, &err)) < 0 ||
	    (rc = boot_image_find_menu(&img, &m, &vol, &cfg, &err)) < 0) {
		log_warnx("bootloader: %s", err);
		return 1;
	}
	log_info("bootloader: %s (%s) on partition %d: %zu entries, default %zu, timeout %d",
		 cfg, bootcfg_format_name(m.format), img.vol[vol].partno, m.n_entries,
		 m.default_entry, m.timeout_s);
	if (bootloader_menu_pack(&m, vol, &buf, &len) < 0 || write_all(j->out_fd, buf, len) < 0) {
		log_warnx("bootloader: cannot hand the menu over");
		return 1;
	}
	return 0;
}

static int job_extract(void *arg)
{
	struct job *j = arg;
	struct boot_image img;
	const char *err = NULL;
	char *path = NULL;
	uint64_t size = 0;
	int rc;

	if ((rc = job_open_image(j, &img, &err)) < 0) {
		log_warnx("bootloader: %s", err);
		return 1;
	}
	if (bootcfg_resolve_path("/", j->kernel, &path) < 0) {
		log_warnx("bootloader: kernel path is not a plain path: refused");
		return 1;
	}
	if (boot_image_extract(&img, j->vol, path, BOOTIMG_KERNEL_MAX, j->out_fd, &size, &err) < 0) {
		log_warnx("bootloader: kernel %s", err);
		return 1;
	}
	free(path);
	path = NULL;
	if (!j->initrd)
		return 0;
	if (bootcfg_resolve_path("/", j->initrd, &path) < 0) {
		log_warnx("bootloader: initrd path is not a plain path: refused");
		return 1;
	}
	if (boot_image_extract(&img, j->vol, path, BOOTIMG_INITRD_MAX, j->out2_fd, &size, &err) < 0) {
		log_warnx("bootloader: initrd %s", err);
		return 1;
	}
	free(path);
	return 0;
}

/* ---- the private directory ------------------------------------------ */

struct privdir {
	char path[256];
	bool made;
};

static int privdir_make(struct privdir *d)
{
	const char *base = getenv("TMPDIR");

	snprintf(d->path, sizeof(d->path), "%s/xenlaunch-boot-XXXXXX",
		 base && *base && strlen(base) < 200 ? base : "/tmp");
	if (!mkdtemp(d->path)) {
		log_warn("bootloader: mkdtemp %s", d->path);
		return -errno;
	}
	d->made = true;
	return 0;
}

/* Removes the directory and whatever the external bootloader left in it. */
static void privdir_remove(struct privdir *d)
{
	DIR *dir;
	struct dirent *de;

	if (!d->made)
		return;
	if ((dir = opendir(d->path))) {
		while ((de = readdir(dir)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				unlinkat(dirfd(dir), de->d_name, 0);
		closedir(dir);
	}
	if (rmdir(d->path) < 0)
		log_warn("bootloader: rmdir %s", d->path);
	d->made = false;
}

/*
 * A file in memory for what the image reader hands over: never in $TMPDIR,
 * so nothing is left there whatever ends the launcher.
 */
static int memfile(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		log_warn("bootloader: memfd_create %s", name);
	return fd;
}

static char *fd_path(int fd)
{
	char *p = NULL;

	return asprintf(&p, "/proc/self/fd/%d", fd) < 0 ? NULL : p;
}

static int read_small(int fd, size_t max, char **buf_r, size_t *len_r)
{
	struct stat st;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > max)
		return -E2BIG;
	if (!(buf = malloc((size_t)st.st_size + 1)))
		return -ENOMEM;
	if (pread(fd, buf, (size_t)st.st_size, 0) != st.st_size) {
		free(buf);
		return -EIO;
	}
	buf[st.st_size] = '\0';
	*buf_r = buf;
	*len_r = (size_t)st.st_size;
	return 0;
}

/* ---- the menu on the console ---------------------------------------- */

static int run_menu(const struct boot_menu *m, const struct bootloader_io *io, size_t *sel_r,
		    char **args_r)
{
	struct bootmenu *bm = calloc(1, sizeof(*bm));
	size_t screen_size = 8192 + 2 * BOOTCFG_MAX_ARG;
	char *screen = malloc(screen_size);
	enum bootmenu_action act = BOOTMENU_REDRAW;
	int rc = 0;

	if (!bm || !screen) {
		free(bm);
		free(screen);
		return -ENOMEM;
	}
	bootmenu_init(bm, m);
	for (;;) {
		unsigned char keys[64];
		ssize_t n;

		if (act == BOOTMENU_REDRAW) {
			size_t l = bootmenu_render(bm, screen, screen_size);

			if (io->write(io->opaque, screen, l) < 0) {
				rc = -EIO;
				break;
			}
		}
		if (act == BOOTMENU_BOOT)
			break;
		n = io->read(io->opaque, keys, sizeof(keys), bm->remaining_s >= 0 ? 1000 : -1);
		if (n < 0) {
			rc = (int)n;
			break;
		}
		act = n == 0 ? bootmenu_tick(bm) : BOOTMENU_NONE;
		for (ssize_t i = 0; i < n && act != BOOTMENU_BOOT; i++) {
			enum bootmenu_action a = bootmenu_key(bm, keys[i]);

			if (a != BOOTMENU_NONE)
				act = a;
		}
	}
	if (rc == 0) {
		size_t l = bootmenu_render_boot(bm, screen, screen_size);

		io->write(io->opaque, screen, l);
		*sel_r = bm->sel;
		if (!(*args_r = strdup(bootmenu_args(bm))))
			rc = -ENOMEM;
	}
	free(bm);
	free(screen);
	return rc;
}

/* ---- builtin -------------------------------------------------------- */

static const struct sandbox_limits probe_limits = {
	.timeout_ms = BOOTLOADER_PROBE_TIMEOUT_MS,
	.cpu_s = 20,
	.as_bytes = 512ull << 20,
	.fsize_bytes = PACK_MAX,
};

static const struct sandbox_limits extract_limits = {
	.timeout_ms = BOOTLOADER_EXTRACT_TIMEOUT_MS,
	.cpu_s = 60,
	.as_bytes = 512ull << 20,
	.fsize_bytes = BOOTIMG_INITRD_MAX,
};

static int choose(const struct boot_menu *m, const struct bootloader_args *a,
		  const struct bootloader_io *io, size_t *sel_r, char **args_r)
{
	const char *want = a->entry ? a->entry : a->title;
	int i;

	if (want) {
		i = a->title && !a->entry ? -ENOENT : boot_menu_find(m, want);
		if (i < 0 && a->title)
			for (size_t k = 0; k < m->n_entries; k++)
				if (!strcmp(m->entries[k].title, a->title)) {
					i = (int)k;
					break;
				}
		if (i < 0) {
			log_warnx("bootloader: no entry '%s' in the menu (%zu entries)", want,
				  m->n_entries);
			return -ENOENT;
		}
		*sel_r = (size_t)i;
		return (*args_r = strdup(m->entries[i].args)) ? 0 : -ENOMEM;
	}
	if (io && !a->quiet && m->timeout_s != 0)
		return run_menu(m, io, sel_r, args_r);
	*sel_r = m->default_entry;
	return (*args_r = strdup(m->entries[m->default_entry].args)) ? 0 : -ENOMEM;
}

static int run_builtin(const struct bootloader_args *a, const char *image,
		       const struct bootloader_io *io, struct bootloader_result *r)
{
	struct job j = { .image_fd = -1, .iso = { NULL, -1 }, .out_fd = -1, .out2_fd = -1 };
	struct boot_menu m;
	char *packed = NULL, *args = NULL, *iso_path = NULL;
	size_t len = 0, sel = 0;
	int keep[4], rc;

	boot_menu_init(&m);
	/* Opened here, read only in the sandbox: twice, for libiso9660 has an
	 * offset of its own. */
	j.image_fd = open(image, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	j.iso.fd = j.image_fd < 0 ? -1 : open(image, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (j.iso.fd < 0) {
		rc = -errno;
		log_warn("bootloader: %s", image);
		goto out;
	}
	if (!(j.iso.path = iso_path = fd_path(j.iso.fd))) {
		rc = -ENOMEM;
		goto out;
	}
	if ((j.out_fd = memfile("menu")) < 0) {
		rc = -EIO;
		goto out;
	}
	keep[0] = j.image_fd;
	keep[1] = j.iso.fd;
	keep[2] = j.out_fd;
	if ((rc = sandbox_run(&j.iso, job_probe, &j, keep, 3, &probe_limits)) < 0)
		goto out;
	if ((rc = read_small(j.out_fd, PACK_MAX, &packed, &len)) < 0 ||
	    (rc = bootloader_menu_unpack(packed, len, &m, &j.vol)) < 0) {
		log_warnx("bootloader: the image reader's menu is malformed; refused");
		goto out;
	}
	close(j.out_fd);
	j.out_fd = -1;
	if ((rc = choose(&m, a, io, &sel, &args)) < 0)
		goto out;
	j.kernel = m.entries[sel].kernel;
	j.initrd = m.entries[sel].initrd;
	if ((r->kernel_fd = memfile("kernel")) < 0 ||
	    (j.initrd && (r->initrd_fd = memfile("initrd")) < 0)) {
		rc = -EIO;
		goto out;
	}
	j.out_fd = r->kernel_fd;
	j.out2_fd = r->initrd_fd;
	keep[2] = r->kernel_fd;
	keep[3] = r->initrd_fd;
	rc = sandbox_run(&j.iso, job_extract, &j, keep, j.initrd ? 4 : 3, &extract_limits);
	j.out_fd = j.out2_fd = -1;
	if (rc < 0)
		goto out;
	if (a->extra && *a->extra) {
		char *joined = NULL;

		if (asprintf(&joined, "%s%s%s", args, *args ? " " : "", a->extra) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		free(args);
		args = joined;
	}
	r->args = args;
	args = NULL;
	if (!(r->title = strdup(m.entries[sel].title)) || !(r->kernel = fd_path(r->kernel_fd)) ||
	    (r->initrd_fd >= 0 && !(r->initrd = fd_path(r->initrd_fd)))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
out:
	if (j.image_fd >= 0)
		close(j.image_fd);
	if (j.iso.fd >= 0)
		close(j.iso.fd);
	if (j.out_fd >= 0)
		close(j.out_fd);
	free(iso_path);
	free(packed);
	free(args);
	boot_menu_dispose(&m);
	return rc;
}

/* ---- an external pygrub-compatible program -------------------------- */

/* Opens a file the program wrote: a regular file directly inside the private dir. */
static int open_output(const struct privdir *d, const char *path)
{
	size_t dl = strlen(d->path);
	struct stat st;
	int fd;

	if (strncmp(path, d->path, dl) || path[dl] != '/' || strchr(path + dl + 1, '/')) {
		log_warnx("bootloader: the bootloader named a file outside its directory; refused");
		return -EPERM;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		log_warnx("bootloader: the bootloader's output is not a regular file");
		if (fd >= 0)
			close(fd);
		return -EPERM;
	}
	return fd;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads the program's simple0 answer until it closes the pipe or the
 * deadline passes (-ETIMEDOUT). */
static int read_answer(int fd, int64_t deadline, char **out_r, size_t *len_r)
{
	char buf[4096], *out = NULL;
	size_t len = 0;
	int rc = 0;

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int64_t left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		n = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (n < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (n <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + (size_t)n > SIMPLE0_MAX) {
			rc = -E2BIG;
			break;
		}
		char *nb = realloc(out, len + (size_t)n);

		if (!nb) {
			rc = -ENOMEM;
			break;
		}
		out = nb;
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
	}
	*out_r = out;
	*len_r = len;
	return rc;
}

static int run_external(const char *program, const char *args, const char *image,
			const struct bootloader_io *io, unsigned timeout_ms, struct privdir *d,
			struct bootloader_result *r)
{
	char *argv[64], *copy = NULL, outarg[64], dirarg[300];
	char *out = NULL, *kernel = NULL, *ramdisk = NULL, *kargs = NULL;
	size_t outlen = 0;
	int p[2] = { -1, -1 }, argc = 0, status = 0, rc = -EIO, r_read;
	int64_t deadline;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	snprintf(outarg, sizeof(outarg), "--output=/dev/fd/%d", p[1]);
	snprintf(dirarg, sizeof(dirarg), "--output-directory=%s", d->path);
	argv[argc++] = (char *)program;
	argv[argc++] = outarg;
	argv[argc++] = "--output-format=simple0";
	argv[argc++] = dirarg;
	if (args && (copy = strdup(args)))
		for (char *s = strtok(copy, " \t"); s && argc < 60; s = strtok(NULL, " \t"))
			argv[argc++] = s;
	argv[argc++] = (char *)image;
	argv[argc] = NULL;
	deadline = now_ms() + timeout_ms;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int tty = io && io->pty_path ? open(io->pty_path, O_RDWR | O_NOCTTY) : -1;
		int nul = open("/dev/null", O_RDWR);

		/* Its own process group: whatever it starts is killed with it. */
		setpgid(0, 0);
		dup2(tty >= 0 ? tty : nul, 0);
		dup2(tty >= 0 ? tty : 2, 1);
		fcntl(p[1], F_SETFD, 0);
		signal(SIGPIPE, SIG_DFL);
		execv(program, argv);
		_exit(127);
	}
	close(p[1]);
	p[1] = -1;
	free(copy);
	if (pid < 0) {
		close(p[0]);
		return -errno;
	}
	setpgid(pid, pid);	/* as the child does: whichever runs first */
	r_read = read_answer(p[0], deadline, &out, &outlen);
	close(p[0]);
	kill(-pid, SIGKILL);	/* done talking: neither it nor its children may linger */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r_read == -ETIMEDOUT) {
		log_warnx("bootloader: %s gave no answer within %u s; killed", program,
			  (timeout_ms + 999) / 1000);
		rc = -ETIMEDOUT;
		goto out;
	}
	if (r_read < 0) {
		log_warnx("bootloader: %s: its answer: %s", program, strerror(-r_read));
		goto out;
	}
	if (!out || bootloader_simple0_parse(out, outlen, &kernel, &ramdisk, &kargs) < 0) {
		log_warnx("bootloader: %s gave no kernel (exit status %d)", program,
			  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		goto out;
	}
	if ((r->kernel_fd = open_output(d, kernel)) < 0 ||
	    (ramdisk && (r->initrd_fd = open_output(d, ramdisk)) < 0))
		goto out;
	r->args = kargs;
	kargs = NULL;
	if (!(r->title = strdup(program)) || !(r->kernel = fd_path(r->kernel_fd)) ||
	    (r->initrd_fd >= 0 && !(r->initrd = fd_path(r->initrd_fd)))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = 0;
out:
	free(out);
	free(kernel);
	free(ramdisk);
	free(kargs);
	return rc;
}

int bootloader_run_timeout(const char *program, const char *args, const char *image,
			   const struct bootloader_io *io, unsigned timeout_ms,
			   struct bootloader_result *r)
{
	struct privdir d = { "", false };
	struct bootloader_args a;
	const char *err = NULL;
	struct timespec t0, t1;
	int rc;

	bootloader_result_init(r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!strcmp(program, "builtin")) {
		if ((rc = bootloader_args_parse(args, &a, &err)) < 0) {
			log_warnx("%s", err ? err : "-bootloader-args: out of memory");
			return rc;
		}
		rc = run_builtin(&a, image, io, r);
		bootloader_args_dispose(&a);
	} else if ((rc = privdir_make(&d)) == 0) {
		rc = run_external(program, args, image, io, timeout_ms, &d, r);
		privdir_remove(&d);	/* its files stay open: nothing is left on disk */
	}
	if (rc < 0) {
		bootloader_result_dispose(r);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("bootloader: booting '%s' (%.3f s)", r->title,
		 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}

int bootloader_run(const char *program, const char *args, const char *image,
		   const struct bootloader_io *io, struct bootloader_result *r)
{
	return bootloader_run_timeout(program, args, image, io, BOOTLOADER_EXTERNAL_TIMEOUT_MS, r);
}
