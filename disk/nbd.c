/*
 * Every format but raw: qemu-nbd serves the image, libnbd reaches it.
 *
 * Why qemu-nbd and not qemu-storage-daemon: Debian 12 ships it in
 * qemu-utils beside qemu-img (qemu-storage-daemon comes with the full
 * system emulator's common files), it is configured by its command line
 * alone (no QMP to set up an export and to stop it), and without
 * --persistent it exits when its one client disconnects.
 *
 * The daemon lives as long as the launcher and no longer, however the
 * launcher ends:
 *   - it gets its listening socket by systemd's socket activation (fd 3,
 *     LISTEN_FDS, LISTEN_PID). The socket is bound in a private directory
 *     (mkdtemp, mode 0700), connected to by the launcher and removed, all
 *     before the daemon starts: no other process can reach it, and no file
 *     is left behind whatever happens next;
 *   - the launcher dies (SIGKILL included): the kernel closes its end of
 *     the connection and qemu-nbd, having lost its only client, exits; and
 *     PR_SET_PDEATHSIG sends it SIGTERM besides;
 *   - it runs in a process group of its own, so that a ^C at the terminal
 *     reaches the launcher only, which flushes, disconnects and waits for it.
 *
 * libnbd's synchronous calls hold the handle's lock for the whole command,
 * so the worker threads' commands go one after the other on the connection.
 */
#include "disk/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <libnbd.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/module.h"

#define NBD_PROGRAM "qemu-nbd"
#define NBD_STOP_WAIT_MS 5000
/* The protocol's lengths are 32-bit: a long discard goes in pieces. */
#define NBD_TRIM_CHUNK (1u << 30)

extern char **environ;

struct nbd_image {
	struct nbd_handle *h;
	pid_t pid;
	int pidfd;
	bool can_flush;
	const char *file;	/* for messages */
};

/* The daemon's path: XENLAUNCH_QEMU_NBD (for tests), else qemu-nbd in PATH. */
static int find_program(char *out, size_t outlen)
{
	const char *name = getenv("XENLAUNCH_QEMU_NBD"), *path = getenv("PATH");

	if (!name || !*name)
		name = NBD_PROGRAM;
	if (strchr(name, '/')) {
		snprintf(out, outlen, "%s", name);
		return 0;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (len && (size_t)snprintf(out, outlen, "%.*s/%s", (int)len, path, name) < outlen &&
		    access(out, X_OK) == 0)
			return 0;
		path += len + (path[len] == ':');
	}
	return -ENOENT;
}

/* "driver=FMT,file.driver=file|host_device,file.filename=PATH", commas in
 * PATH doubled: QEMU's option syntax, which also keeps a path that looks
 * like "nbd:..." or "json:..." a plain file name. */
static char *image_opts(const struct disk_params *p, const struct stat *st)
{
	char *path = malloc(2 * strlen(p->file) + 1), *o = path, *out = NULL;

	if (!path)
		return NULL;
	for (const char *c = p->file; *c; c++) {
		*o++ = *c;
		if (*c == ',')
			*o++ = ',';
	}
	*o = '\0';
	if (asprintf(&out, "driver=%s,file.driver=%s,file.filename=%s", p->format,
		     S_ISBLK(st->st_mode) ? "host_device" : "file", path) < 0)
		out = NULL;
	free(path);
	return out;
}

/* A listening socket, and a connection to it already queued, with no name
 * left anywhere: bound in a directory of our own, both gone on return.
 * 0 or -errno. */
static int socket_listening_connected(int *listen_r, int *conn_r)
{
	const char *tmp = getenv("TMPDIR");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *slash;
	int lfd = -1, cfd = -1, rc;

	if (!tmp || !*tmp || strlen(tmp) + sizeof("/xenlaunch-nbd-XXXXXX/s") > sizeof(sa.sun_path))
		tmp = "/tmp";
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/xenlaunch-nbd-XXXXXX", tmp);
	if (!mkdtemp(sa.sun_path))
		return -errno;
	slash = sa.sun_path + strlen(sa.sun_path);
	strcpy(slash, "/s");
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || cfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 1) < 0 || connect(cfd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto out;
	}
	*listen_r = lfd;
	*conn_r = cfd;
	lfd = cfd = -1;
	rc = 0;
out:
	unlink(sa.sun_path);
	*slash = '\0';
	rmdir(sa.sun_path);
	if (lfd >= 0)
		close(lfd);
	if (cfd >= 0)
		close(cfd);
	return rc;
}

/* The environment for the daemon: ours, with LISTEN_FDS=1 and a
 * LISTEN_PID= slot (*pid_slot_r) that the child fills in. */
static char **daemon_environment(char **pid_slot_r)
{
	static char fds[] = "LISTEN_FDS=1";
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	*pid_slot_r = malloc(sizeof("LISTEN_PID=") + 20);
	if (!env || !*pid_slot_r) {
		free(env);
		free(*pid_slot_r);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LISTEN_", 7))
			env[k++] = environ[i];
	env[k++] = fds;
	env[k++] = *pid_slot_r;
	return env;
}

/* In the child: async-signal-safe only (the launcher has threads). */
static void __attribute__((noreturn))
daemon_exec(const char *prog, char *const argv[], char *const envp[], char *pid_slot,
	    pid_t parent, int lfd, int err_fd)
{
	char digits[20];
	int null_fd, n = 0, e;
	pid_t pid = getpid();
	sigset_t none;

	/* The launcher blocks the signals its signalfd reads and ignores
	 * SIGPIPE; the daemon starts as from a shell, so that SIGTERM kills it. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(127);
	/* Out of the way of fd 3. */
	err_fd = fcntl(err_fd, F_DUPFD_CLOEXEC, 10);
	setpgid(0, 0);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0)
		dup2(null_fd, 0);
	if (lfd == 3)
		fcntl(3, F_SETFD, 0);
	else if (dup2(lfd, 3) < 0)
		goto fail;
	/* Nothing else of ours (the error pipe closes at exec). */
	close_range(4, ~0U, CLOSE_RANGE_CLOEXEC);
	memcpy(pid_slot, "LISTEN_PID=", 11);
	do
		digits[n++] = (char)('0' + pid % 10);
	while ((pid /= 10) > 0);
	for (int i = 0; i < n; i++)
		pid_slot[11 + i] = digits[n - 1 - i];
	pid_slot[11 + n] = '\0';
	execve(prog, argv, envp);
fail:
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Waits up to ms for the daemon to exit (then kills it, *killed_r), reaps
 * it. Returns its exit status, or -1 when someone else reaped it. */
static int daemon_wait(struct nbd_image *n, int ms, bool *killed_r)
{
	struct pollfd pfd = { .fd = n->pidfd, .events = POLLIN };
	siginfo_t si = { 0 };
	int r;

	do
		r = poll(&pfd, 1, ms);
	while (r < 0 && errno == EINTR);
	*killed_r = r == 0;
	if (r == 0)
		pidfd_send_signal(n->pidfd, SIGKILL, NULL, 0);
	while ((r = waitid(P_PIDFD, (id_t)n->pidfd, &si, WEXITED)) < 0 && errno == EINTR)
		;
	if (r < 0)
		return -1;
	return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

static void image_free(struct nbd_image *n)
{
	bool killed;

	if (n->h)
		nbd_close(n->h);
	if (n->pidfd >= 0) {
		daemon_wait(n, NBD_STOP_WAIT_MS, &killed);
		if (killed)
			log_warnx("qemu-nbd %d for %s did not exit; killed it", (int)n->pid, n->file);
		close(n->pidfd);
	}
	free(n);
}

/*
 * Starts qemu-nbd for p's image (n->pid, n->pidfd); *conn_r: our end of
 * its one connection, not yet past the handshake. 0 or -errno (logged).
 */
static int daemon_start(struct nbd_image *n, const struct disk_params *p, const struct stat *st,
			int *conn_r)
{
	static const char *const cache_modes[] = {
		[DISK_CACHE_WRITEBACK] = "--cache=writeback",
		[DISK_CACHE_NONE] = "--cache=none",
		[DISK_CACHE_DIRECTSYNC] = "--cache=directsync",
	};
	char prog[4096], *opts = NULL, *pid_slot = NULL, **envp = NULL;
	const char *argv[8];
	int lfd = -1, cfd = -1, err[2] = { -1, -1 }, e = 0, argc = 0, rc;
	pid_t parent = getpid();
	ssize_t r;

	if (find_program(prog, sizeof(prog)) < 0) {
		log_warnx("%s: %s: format=%s needs qemu-nbd (Debian's qemu-utils), which is not "
			  "in PATH", p->label, p->file, p->format);
		return -ENOENT;
	}
	opts = image_opts(p, st);
	envp = daemon_environment(&pid_slot);
	if (!opts || !envp) {
		rc = -ENOMEM;
		log_warnx("%s: %s: out of memory", p->label, p->file);
		goto out;
	}
	argv[argc++] = prog;
	argv[argc++] = "--image-opts";
	argv[argc++] = opts;
	argv[argc++] = cache_modes[p->cache];
	argv[argc++] = p->discard && !p->readonly ? "--discard=unmap" : "--discard=ignore";
	if (p->readonly)
		argv[argc++] = "--read-only";
	argv[argc] = NULL;

	rc = socket_listening_connected(&lfd, &cfd);
	if (rc < 0) {
		log_warnx("%s: %s: a socket for qemu-nbd: %s", p->label, p->file, strerror(-rc));
		goto out;
	}
	if (pipe2(err, O_CLOEXEC) < 0) {
		rc = -errno;
		log_warn("%s: pipe", p->label);
		goto out;
	}
	fflush(NULL);
	n->pid = fork();
	if (n->pid < 0) {
		rc = -errno;
		log_warn("%s: fork", p->label);
		goto out;
	}
	if (n->pid == 0)
		daemon_exec(prog, (char *const *)argv, envp, pid_slot, parent, lfd, err[1]);
	/* Before anything can reap it, a handle that outlives its pid. */
	n->pidfd = pidfd_open(n->pid, 0);
	if (n->pidfd < 0) {
		rc = -errno;
		log_warn("%s: pidfd_open", p->label);
		kill(n->pid, SIGKILL);
		waitpid(n->pid, NULL, 0);
		goto out;
	}
	close(err[1]);
	err[1] = -1;
	do
		r = read(err[0], &e, sizeof(e));
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)sizeof(e)) {
		rc = -e;
		log_warnx("%s: %s: cannot start %s: %s", p->label, p->file, prog, strerror(e));
		goto out;
	}
	*conn_r = cfd;
	cfd = -1;
	rc = 0;
out:
	if (lfd >= 0)
		close(lfd);
	if (cfd >= 0)
		close(cfd);
	if (err[0] >= 0)
		close(err[0]);
	if (err[1] >= 0)
		close(err[1]);
	free(opts);
	free(pid_slot);
	free(envp);
	return rc;
}

static int nbd_open(struct disk *d, const struct disk_params *p, const struct stat *st)
{
	struct nbd_image *n = calloc(1, sizeof(*n));
	int cfd = -1, status, rc;
	bool killed;

	if (!n) {
		log_warnx("%s: %s: out of memory", p->label, p->file);
		return -ENOMEM;
	}
	n->pidfd = -1;
	n->file = p->file;
	rc = daemon_start(n, p, st, &cfd);
	if (rc < 0)
		goto out;
	n->h = nbd_create();
	if (!n->h) {
		rc = -ENOMEM;
		log_warnx("%s: %s: %s", p->label, p->file, nbd_get_error());
		close(cfd);
		goto out;
	}
	/* libnbd owns cfd from here on. */
	if (nbd_connect_socket(n->h, cfd) < 0) {
		/* Most likely the daemon refused the image and said why on stderr. */
		rc = -EIO;
		status = daemon_wait(n, NBD_STOP_WAIT_MS, &killed);
		if (!killed && status >= 0)
			log_warnx("%s: %s: qemu-nbd exited with status %d instead of serving the image",
				  p->label, p->file, status);
		else
			log_warnx("%s: %s: NBD handshake with qemu-nbd: %s", p->label, p->file,
				  nbd_get_error());
		close(n->pidfd);
		n->pidfd = -1;
		goto out;
	}
	if (!p->readonly && nbd_is_read_only(n->h) == 1) {
		rc = -EROFS;
		log_warnx("%s: %s: qemu-nbd exports the image read-only", p->label, p->file);
		goto out;
	}
	n->can_flush = nbd_can_flush(n->h) == 1;
	d->discard = p->discard && !p->readonly && nbd_can_trim(n->h) == 1;
	d->priv = n;
	n = NULL;
	rc = 0;
out:
	if (n)
		image_free(n);
	return rc;
}

static int nbd_size(struct disk *d, uint64_t *bytes_r)
{
	struct nbd_image *n = d->priv;
	int64_t size = nbd_get_size(n->h);

	if (size < 0)
		return nbd_get_errno() ? -nbd_get_errno() : -EIO;
	*bytes_r = (uint64_t)size;
	return 0;
}

static int nbd_failed(struct disk *d, const char *what)
{
	int e = nbd_get_errno();

	log_warnx("%s: NBD %s: %s", d->label, what, nbd_get_error());
	return e ? -e : -EIO;
}

/* One command for the whole request: straight into the buffers when they
 * follow each other in memory (mapped grants usually do), else through a
 * bounce buffer. */
static int nbd_rw(struct disk *d, struct iovec *iov, unsigned cnt, uint64_t off, bool write)
{
	struct nbd_image *n = d->priv;
	size_t total = 0, pos = 0;
	bool contiguous = true;
	uint8_t *buf;
	int r;

	for (unsigned i = 0; i < cnt; i++) {
		if (i && (uint8_t *)iov[i - 1].iov_base + iov[i - 1].iov_len != iov[i].iov_base)
			contiguous = false;
		total += iov[i].iov_len;
	}
	if (!total)
		return 0;
	buf = contiguous ? iov[0].iov_base : malloc(total);
	if (!buf)
		return -ENOMEM;
	if (write && !contiguous)
		for (unsigned i = 0; i < cnt; pos += iov[i].iov_len, i++)
			memcpy(buf + pos, iov[i].iov_base, iov[i].iov_len);
	r = write ? nbd_pwrite(n->h, buf, total, off, 0) : nbd_pread(n->h, buf, total, off, 0);
	if (r == 0 && !write && !contiguous)
		for (unsigned i = 0; i < cnt; pos += iov[i].iov_len, i++)
			memcpy(iov[i].iov_base, buf + pos, iov[i].iov_len);
	if (!contiguous)
		free(buf);
	return r < 0 ? nbd_failed(d, write ? "write" : "read") : 0;
}

static int nbd_preadv(struct disk *d, struct iovec *iov, unsigned cnt, uint64_t off)
{
	return nbd_rw(d, iov, cnt, off, false);
}

static int nbd_pwritev(struct disk *d, struct iovec *iov, unsigned cnt, uint64_t off)
{
	return nbd_rw(d, iov, cnt, off, true);
}

static int nbd_do_flush(struct disk *d)
{
	struct nbd_image *n = d->priv;

	if (n->can_flush && nbd_flush(n->h, 0) < 0)
		return nbd_failed(d, "flush");
	return 0;
}

static int nbd_discard(struct disk *d, uint64_t off, uint64_t len)
{
	struct nbd_image *n = d->priv;

	while (len) {
		uint64_t chunk = len > NBD_TRIM_CHUNK ? NBD_TRIM_CHUNK : len;

		if (nbd_trim(n->h, chunk, off, 0) < 0)
			return nbd_failed(d, "trim");
		off += chunk;
		len -= chunk;
	}
	return 0;
}

/* Flushes and says goodbye (NBD_CMD_DISC); the daemon then exits. */
static void nbd_image_close(struct disk *d)
{
	struct nbd_image *n = d->priv;

	if (!d->readonly)
		nbd_do_flush(d);
	if (nbd_shutdown(n->h, 0) < 0)
		log_warnx("%s: NBD disconnect: %s", d->label, nbd_get_error());
	image_free(n);
}

MODULE_EXPORT const struct disk_ops disk_nbd_ops = {
	.name = "qemu-nbd",
	.probe = disk_needs_nbd,
	.open = nbd_open,
	.size = nbd_size,
	.preadv = nbd_preadv,
	.pwritev = nbd_pwritev,
	.flush = nbd_do_flush,
	.discard = nbd_discard,
	.close = nbd_image_close,
};
