/*
 * bootloader/sandbox, bootloader/menu and bootloader/bootloader: the
 * confined child, the menu's keys, the packed menu and pygrub's output on
 * hostile input, and the whole builtin flow on an mke2fs image.
 */
#include "bootloader/bootloader.h"
#include "bootloader/menu.h"
#include "bootloader/sandbox.h"
#include "tests/unit/unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static char tmp[64];
static FILE *devnull;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* ---- sandbox -------------------------------------------------------- */

static const struct sandbox_limits lim = { 5000, 5, 256ull << 20, 1 << 20 };

static int child_checks(void *arg)
{
	int out = *(int *)arg;
	char line[128];
	int n;

	/* Writes to its fd; open() and socket() fail; it is nobody. */
	n = snprintf(line, sizeof(line), "uid=%u open=%d errno=%d\n", (unsigned)getuid(),
		     open("/etc/passwd", O_RDONLY), errno);
	return write(out, line, (size_t)n) == n ? 0 : 1;
}

static int child_spins(void *arg)
{
	for (;;)
		pause();	/* not in the allow-list: EPERM, so it spins */
	return 0;
}

static int child_fails(void *arg)
{
	log_warnx("bootloader: \033[31mred\033[0m and a\tb");
	return 1;
}

struct opens {
	const char *path;
	int out;
};

/* The named file opens and reads; anything else, or writing, is refused. */
static int child_opens(void *arg)
{
	struct opens *o = arg;
	char line[128], data[16] = "";
	int fd = open(o->path, O_RDONLY), n;

	if (fd >= 0 && read(fd, data, sizeof(data) - 1) < 0)
		data[0] = '\0';
	n = snprintf(line, sizeof(line), "%s passwd=%d rw=%d", data, open("/etc/passwd", O_RDONLY),
		     open(o->path, O_RDWR));
	return write(o->out, line, (size_t)n) == n ? 0 : 1;
}

static void test_sandbox_file(void)
{
	char path[128], got[128] = "";
	struct sandbox_file file;
	struct opens o;
	int p[2], keep[2];

	snprintf(path, sizeof(path), "%s/named", tmp);
	CU_ASSERT_EQUAL_FATAL(sh("printf 'CD001' >%s && chmod 600 %s", path, path), 0);
	file.fd = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(file.fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", file.fd);
	file.path = path;
	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	o.path = path;
	o.out = p[1];
	keep[0] = file.fd;
	keep[1] = p[1];
	CU_ASSERT_EQUAL(sandbox_run(&file, child_opens, &o, keep, 2, &lim), 0);
	close(p[1]);
	CU_ASSERT(read(p[0], got, sizeof(got) - 1) > 0);
	close(p[0]);
	close(file.fd);
	CU_ASSERT_STRING_EQUAL(got, "CD001 passwd=-1 rw=-1");
}

static void test_sandbox(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int p[2];
	char got[128] = "";

	CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
	CU_ASSERT_EQUAL(sandbox_run(NULL, child_checks, &p[1], &p[1], 1, &lim), 0);
	close(p[1]);
	CU_ASSERT(read(p[0], got, sizeof(got) - 1) > 0);
	close(p[0]);
	if (getuid() == 0)
		CU_ASSERT_STRING_EQUAL(got, "uid=65534 open=-1 errno=1\n");

	struct sandbox_limits quick = lim;

	quick.timeout_ms = 300;
	CU_ASSERT_EQUAL(sandbox_run(NULL, child_spins, NULL, NULL, 0, &quick), -ETIMEDOUT);

	log_set_stream(f);
	CU_ASSERT_EQUAL(sandbox_run(NULL, child_fails, NULL, NULL, 0, &lim), -ECHILD);
	log_set_stream(devnull);
	fclose(f);
	/* The child's line arrives escaped: no terminal control reaches the log. */
	CU_ASSERT_STRING_EQUAL(buf, "xenlaunch: warning: bootloader: \\x1b[31mred\\x1b[0m and a\\x09b\n");
	free(buf);
}

/* ---- menu ------------------------------------------------------------ */

static void feed(struct bootmenu *bm, const char *keys, enum bootmenu_action *last)
{
	for (; *keys; keys++) {
		enum bootmenu_action a = bootmenu_key(bm, (unsigned char)*keys);

		if (a != BOOTMENU_NONE)
			*last = a;
	}
}

static void test_menu_keys(void)
{
	static const char cfg[] = "set timeout=2\nset default=1\n"
				  "menuentry a { linux /a one }\nmenuentry \"b\033[2J\" { linux /b two }\n"
				  "menuentry c { linux /c three }\n";
	struct boot_menu m;
	struct bootmenu bm;
	enum bootmenu_action a = BOOTMENU_NONE;
	char screen[8192];

	boot_menu_init(&m);
	CU_ASSERT_EQUAL_FATAL(bootcfg_parse(BOOTCFG_GRUB2, cfg, strlen(cfg), NULL, 0, &m, NULL), 0);
	bootmenu_init(&bm, &m);
	CU_ASSERT_EQUAL(bm.sel, 1);
	bootmenu_render(&bm, screen, sizeof(screen));
	CU_ASSERT_PTR_NOT_NULL(strstr(screen, "boots in 2 s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(screen, "\033[7m b?[2J \033[0m"));	/* escape from the disk defanged */
	CU_ASSERT_EQUAL(bootmenu_tick(&bm), BOOTMENU_REDRAW);
	CU_ASSERT_EQUAL(bootmenu_tick(&bm), BOOTMENU_BOOT);	/* the default after the timeout */
	/* The last screen names the entry, defanged, on a line of its own. */
	bootmenu_render_boot(&bm, screen, sizeof(screen));
	CU_ASSERT_STRING_EQUAL(screen, "\033[H\033[2J  Booting 'b?[2J'\r\n");

	bootmenu_init(&bm, &m);
	feed(&bm, "\033[B", &a);
	CU_ASSERT_EQUAL(a, BOOTMENU_REDRAW);
	CU_ASSERT_EQUAL(bm.sel, 2);
	CU_ASSERT_EQUAL(bm.remaining_s, -1);	/* a key stops the countdown */
	CU_ASSERT_EQUAL(bootmenu_tick(&bm), BOOTMENU_NONE);
	feed(&bm, "\033[A\033[A\033[A\033OB", &a);
	CU_ASSERT_EQUAL(bm.sel, 1);
	feed(&bm, "e\x7f\x7f\x7f" "edited x", &a);
	CU_ASSERT(bm.editing);
	bootmenu_render(&bm, screen, sizeof(screen));
	CU_ASSERT_PTR_NOT_NULL(strstr(screen, "  edited x_"));
	feed(&bm, "\r", &a);
	CU_ASSERT_EQUAL(a, BOOTMENU_BOOT);
	CU_ASSERT_STRING_EQUAL(bootmenu_args(&bm), "edited x");

	/* Esc leaves the editor without the edit; Enter boots the entry's own line. */
	bootmenu_init(&bm, &m);
	a = BOOTMENU_NONE;
	feed(&bm, "e\x15zzz\033", &a);
	bootmenu_key(&bm, 'q');
	CU_ASSERT(!bm.editing);
	CU_ASSERT_STRING_EQUAL(bootmenu_args(&bm), "two");
	boot_menu_dispose(&m);
}

/* ---- pack, simple0, args --------------------------------------------- */

static void test_pack_unpack(void)
{
	static const char cfg[] = "set default=1\nset timeout=7\n"
				  "menuentry a { linux /a }\nmenuentry b --id bee { linux /b x; initrd /i }\n";
	struct boot_menu m, u;
	char *buf = NULL;
	size_t len = 0, vol = 9;

	boot_menu_init(&m);
	boot_menu_init(&u);
	CU_ASSERT_EQUAL_FATAL(bootcfg_parse(BOOTCFG_GRUB2, cfg, strlen(cfg), NULL, 0, &m, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(bootloader_menu_pack(&m, 2, &buf, &len), 0);
	CU_ASSERT_EQUAL_FATAL(bootloader_menu_unpack(buf, len, &u, &vol), 0);
	CU_ASSERT_EQUAL(vol, 2);
	CU_ASSERT_EQUAL(u.n_entries, 2);
	CU_ASSERT_EQUAL(u.default_entry, 1);
	CU_ASSERT_EQUAL(u.timeout_s, 7);
	CU_ASSERT_STRING_EQUAL(u.entries[1].id, "bee");
	CU_ASSERT_STRING_EQUAL(u.entries[1].initrd, "/i");
	CU_ASSERT_PTR_NULL(u.entries[0].initrd);
	/* Every truncation of a good message is refused, never half-read. */
	for (size_t cut = 0; cut < len; cut++)
		CU_ASSERT_EQUAL(bootloader_menu_unpack(buf, cut, &u, &vol), -EINVAL);
	CU_ASSERT_EQUAL(bootloader_menu_unpack("0\0" "0\0" "1\0" "5\0" "0\0", 10, &u, &vol), -EINVAL);
	CU_ASSERT_EQUAL(bootloader_menu_unpack("0\0" "0\0" "999999\0" "0\0" "0\0", 16, &u, &vol), -EINVAL);
	CU_ASSERT_EQUAL(u.n_entries, 0);
	free(buf);
	boot_menu_dispose(&m);
}

static void test_simple0_and_args(void)
{
	static const char out[] = "kernel /d/boot_kernel.x\0ramdisk /d/boot_ramdisk.y\0args root=/dev/xvda1 ro\0\0";
	struct bootloader_args a;
	char *k, *r, *g;
	const char *err = NULL;

	CU_ASSERT_EQUAL_FATAL(bootloader_simple0_parse(out, sizeof(out) - 1, &k, &r, &g), 0);
	CU_ASSERT_STRING_EQUAL(k, "/d/boot_kernel.x");
	CU_ASSERT_STRING_EQUAL(r, "/d/boot_ramdisk.y");
	CU_ASSERT_STRING_EQUAL(g, "root=/dev/xvda1 ro");
	free(k);
	free(r);
	free(g);
	CU_ASSERT_EQUAL(bootloader_simple0_parse("args x\0\0", 8, &k, &r, &g), -EINVAL);
	CU_ASSERT_EQUAL(bootloader_simple0_parse("kernel /k", 9, &k, &r, &g), -EINVAL);

	CU_ASSERT_EQUAL(bootloader_args_parse("--entry=1 -q --args='console=hvc0 x=1' --title=\"Debian GNU/Linux\"",
					      &a, &err), 0);
	CU_ASSERT_STRING_EQUAL(a.entry, "1");
	CU_ASSERT_STRING_EQUAL(a.extra, "console=hvc0 x=1");
	CU_ASSERT_STRING_EQUAL(a.title, "Debian GNU/Linux");
	CU_ASSERT(a.quiet);
	bootloader_args_dispose(&a);
	CU_ASSERT_EQUAL(bootloader_args_parse("--entry='1", &a, &err), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "-bootloader-args: unterminated quote");
	CU_ASSERT_EQUAL(bootloader_args_parse("--kernel=/x", &a, &err), -EINVAL);
	CU_ASSERT_EQUAL(bootloader_args_parse(NULL, &a, &err), 0);
	CU_ASSERT_PTR_NULL(a.entry);
}

/* ---- the whole builtin flow ------------------------------------------ */

struct script {
	const char *keys;
	size_t pos;
	char *screen;
	size_t screen_len;
};

static ssize_t script_write(void *opaque, const void *buf, size_t len)
{
	struct script *s = opaque;
	char *n = realloc(s->screen, s->screen_len + len + 1);

	memcpy(n + s->screen_len, buf, len);
	s->screen = n;
	s->screen_len += len;
	n[s->screen_len] = '\0';
	return (ssize_t)len;
}

static ssize_t script_read(void *opaque, void *buf, size_t len, int timeout_ms)
{
	struct script *s = opaque;

	if (!s->keys[s->pos])
		return 0;	/* a timeout tick */
	((char *)buf)[0] = s->keys[s->pos++];
	return 1;
}

static void read_fd(int fd, char *out, size_t size)
{
	ssize_t n = pread(fd, out, size - 1, 0);

	out[n > 0 ? n : 0] = '\0';
}

static int count_privdirs(void)
{
	DIR *d = opendir(tmp);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, "xenlaunch-boot-", 15);
	if (d)
		closedir(d);
	return n;
}

static void test_builtin(void)
{
	struct bootloader_result r;
	struct script s = { "\033[B" "e\x15" "console=hvc0 edited\r", 0, NULL, 0 };
	struct bootloader_io io = { script_write, script_read, &s, NULL };
	char img[128], got[64];
	int fd;

	CU_ASSERT_EQUAL_FATAL(sh("rm -rf %s/t && mkdir -p %s/t/boot/grub && cd %s/t/boot && "
				 "printf 'set timeout=5\\nmenuentry one { linux /boot/k1 a=1; initrd /boot/i1 }\\n"
				 "menuentry two { linux /boot/k2 b=2 }\\nmenuentry big { linux /boot/huge }\\n' >grub/grub.cfg && "
				 "echo K1 >k1 && echo I1 >i1 && echo K2 >k2 && truncate -s 300M huge && "
				 "mke2fs -q -F -t ext4 -d %s/t %s/disk.img 16M >/dev/null",
				 tmp, tmp, tmp, tmp, tmp), 0);
	snprintf(img, sizeof(img), "%s/disk.img", tmp);
	setenv("TMPDIR", tmp, 1);

	/* Non-interactive, by index, with extra arguments. */
	CU_ASSERT_EQUAL_FATAL(bootloader_run("builtin", "--entry=0 --args=console=hvc0", img, NULL, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.args, "a=1 console=hvc0");
	CU_ASSERT_STRING_EQUAL(r.title, "one");
	CU_ASSERT(!strncmp(r.kernel, "/proc/self/fd/", 14));
	read_fd(r.kernel_fd, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "K1\n");
	read_fd(r.initrd_fd, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, "I1\n");
	/* By its path, as the domain builder opens it. */
	fd = open(r.kernel, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	read_fd(fd, got, sizeof(got));
	close(fd);
	CU_ASSERT_STRING_EQUAL(got, "K1\n");
	CU_ASSERT_EQUAL(count_privdirs(), 0);	/* nothing left on disk */
	bootloader_result_dispose(&r);

	/* The menu: down, edit, boot. */
	CU_ASSERT_EQUAL_FATAL(bootloader_run("builtin", NULL, img, &io, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.title, "two");
	CU_ASSERT_STRING_EQUAL(r.args, "console=hvc0 edited");
	CU_ASSERT_EQUAL(r.initrd_fd, -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(s.screen, "boots in 5 s"));
	bootloader_result_dispose(&r);
	free(s.screen);

	/* By title; and refusals. */
	CU_ASSERT_EQUAL(bootloader_run("builtin", "--title=two", img, NULL, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.title, "two");
	bootloader_result_dispose(&r);
	CU_ASSERT_EQUAL(bootloader_run("builtin", "--entry=7", img, NULL, &r), -ENOENT);
	CU_ASSERT_EQUAL(bootloader_run("builtin", "--entry=big", img, NULL, &r), -ECHILD);	/* 300 MiB kernel */
	CU_ASSERT_EQUAL(bootloader_run("builtin", "--entry=0", "/nonexistent.img", NULL, &r), -ENOENT);
	CU_ASSERT_EQUAL(count_privdirs(), 0);
	unsetenv("TMPDIR");
}

/*
 * An ISO whose root directory claims 2.8 GB (found by fuzzing: libiso9660
 * allocates what the image claims). In the sandbox, under its address-space
 * limit, the allocation fails and the image is refused, nothing left behind.
 */
static void test_builtin_iso_huge_directory(void)
{
	static const unsigned char claim[8] = { 0x00, 0xa8, 0xa6, 0xa6, 0xa6, 0xa6, 0xa8, 0x00 };
	struct bootloader_result r;
	char img[128];
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(sh("rm -rf %s/iso && mkdir -p %s/iso/isolinux && "
				 "printf 'label a\\n kernel /k\\n' >%s/iso/isolinux/isolinux.cfg && "
				 "echo K >%s/iso/k && xorriso -as mkisofs -quiet -R -o %s/huge.iso %s/iso 2>/dev/null",
				 tmp, tmp, tmp, tmp, tmp, tmp), 0);
	snprintf(img, sizeof(img), "%s/huge.iso", tmp);
	CU_ASSERT_EQUAL_FATAL(bootloader_run("builtin", "-q", img, NULL, &r), 0);	/* as made */
	bootloader_result_dispose(&r);
	/* The root directory record's data length, both byte orders (ECMA-119 9.1.4). */
	f = fopen(img, "r+");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fseek(f, 32768 + 156 + 10, SEEK_SET), 0);
	CU_ASSERT_EQUAL(fwrite(claim, 1, sizeof(claim), f), sizeof(claim));
	fclose(f);
	setenv("TMPDIR", tmp, 1);
	CU_ASSERT_EQUAL(bootloader_run("builtin", "-q", img, NULL, &r), -ECHILD);
	CU_ASSERT_EQUAL(count_privdirs(), 0);
	unsetenv("TMPDIR");
}

/* The menu's first key wait: the launcher dies there, as by a SIGKILL. */
static ssize_t die_read(void *opaque, void *buf, size_t len, int timeout_ms)
{
	raise(SIGKILL);
	return -EIO;
}

static void test_builtin_killed_leaves_nothing(void)
{
	struct bootloader_io io = { script_write, die_read, &(struct script){ "", 0, NULL, 0 }, NULL };
	struct bootloader_result r;
	char img[128], dir[128];
	int status;
	pid_t pid;

	snprintf(img, sizeof(img), "%s/disk.img", tmp);	/* test_builtin's: a menu, timeout 5 */
	snprintf(dir, sizeof(dir), "%s/private-tmp", tmp);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setenv("TMPDIR", dir, 1);
		_exit(bootloader_run("builtin", NULL, img, &io, &r) == 0 ? 0 : 1);
	}
	CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CU_ASSERT_EQUAL(sh("test -z \"$(ls -A %s)\"", dir), 0);
	CU_ASSERT_EQUAL(sh("rm -rf %s", dir), 0);
}

static void write_script(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	CU_ASSERT_EQUAL(fclose(f), 0);
	CU_ASSERT_EQUAL(chmod(path, 0755), 0);
}

static void test_external(void)
{
	char prog[128], img[128], dir[128], pidfile[128], *buf = NULL, want[256];
	struct bootloader_result r;
	struct timespec t0, t1;
	size_t len = 0;
	FILE *f;
	int rc;

	snprintf(prog, sizeof(prog), "%s/fake-pygrub", tmp);
	snprintf(img, sizeof(img), "%s/disk.img", tmp);
	snprintf(dir, sizeof(dir), "%s/private-tmp", tmp);
	snprintf(pidfile, sizeof(pidfile), "%s/pids", tmp);
	CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0700), 0);
	setenv("TMPDIR", dir, 1);

	/* A pygrub that answers: its files are opened, then gone. */
	write_script(prog, "#!/bin/sh\n"
		     "for a; do case $a in --output=*) o=${a#--output=};;"
		     " --output-directory=*) d=${a#--output-directory=};; esac; done\n"
		     "echo K >$d/k; echo I >$d/i\n"
		     "printf 'kernel %s\\0ramdisk %s\\0args a=1\\0\\0' $d/k $d/i >$o\n");
	CU_ASSERT_EQUAL_FATAL(bootloader_run(prog, NULL, img, NULL, &r), 0);
	CU_ASSERT_STRING_EQUAL(r.args, "a=1");
	read_fd(r.kernel_fd, want, sizeof(want));
	CU_ASSERT_STRING_EQUAL(want, "K\n");
	bootloader_result_dispose(&r);
	CU_ASSERT_EQUAL(sh("test -z \"$(ls -A %s)\"", dir), 0);

	/* One that never writes, and has a child: both killed at the limit. */
	snprintf(want, sizeof(want), "#!/bin/sh\nsleep 1000 & echo $! >%s\nexec sleep 1000\n", pidfile);
	write_script(prog, want);
	f = open_memstream(&buf, &len);
	log_set_stream(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = bootloader_run_timeout(prog, NULL, img, NULL, 1000, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_set_stream(devnull);
	fclose(f);
	CU_ASSERT_EQUAL(rc, -ETIMEDOUT);
	CU_ASSERT(t1.tv_sec - t0.tv_sec < 3);
	snprintf(want, sizeof(want), "xenlaunch: warning: bootloader: %s gave no answer within 1 s; killed\n",
		 prog);
	CU_ASSERT_STRING_EQUAL(buf, want);
	free(buf);
	usleep(100000);
	/* Gone, or a zombie waiting for whoever reaps orphans here. */
	CU_ASSERT_EQUAL(sh("p=$(cat %s); ! kill -0 $p 2>/dev/null || grep -q '^State:.*Z' /proc/$p/status",
			   pidfile), 0);
	CU_ASSERT_EQUAL(sh("test -z \"$(ls -A %s)\"", dir), 0);
	unsetenv("TMPDIR");
	CU_ASSERT_EQUAL(sh("rm -rf %s", dir), 0);
}

static void test_setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/xenlaunch-bootloader-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmp));
	chmod(tmp, 0755);
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	log_set_stream(devnull);
}

static void test_cleanup(void)
{
	log_set_stream(NULL);
	CU_ASSERT_EQUAL(sh("rm -rf %s", tmp), 0);
}

static CU_TestInfo tests[] = {
	{ "(set up)", test_setup },
	{ "sandbox: nobody, no open(), timeout kill, escaped log", test_sandbox },
	{ "sandbox: open() by name reaches only the file given, read-only", test_sandbox_file },
	{ "menu: arrows, countdown, edit, Esc, hostile titles", test_menu_keys },
	{ "packed menu: round trip, truncations and lies refused", test_pack_unpack },
	{ "pygrub simple0 output and -bootloader-args", test_simple0_and_args },
	{ "builtin: by index, by menu with edit, by title, refusals, nothing left on disk", test_builtin },
	{ "builtin: an ISO whose root directory claims 2.8 GB is refused", test_builtin_iso_huge_directory },
	{ "builtin: a launcher killed at the menu leaves nothing in $TMPDIR", test_builtin_killed_leaves_nothing },
	{ "external: files opened then removed; silent for 1 s: killed, with its child", test_external },
	{ "(clean up)", test_cleanup },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("bootloader", tests)
