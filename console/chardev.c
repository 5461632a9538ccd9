/*
 * Character backends. The design is in chardev.h; here, the mechanics:
 * a private epoll set whose interest follows the state (what we want to
 * read, whether output is queued, whether a client is connected), one
 * linear output queue compacted on demand, one input chunk held while the
 * consumer is full.
 */
#include "console/chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/log.h"

#define CHARDEV_WATCHES 3	/* at most: stdin + stdout, or listen + client */

struct chardev_watch {
	int fd;			/* -1: slot free */
	uint32_t events;	/* as registered in epfd */
};

struct chardev {
	enum chardev_kind kind;
	char *label;
	char *path;		/* FILE, UNIX: from the spec; PTY: the slave's path */
	struct chardev_callbacks cb;

	int epfd;
	struct chardev_watch watch[CHARDEV_WATCHES];
	int in_fd;		/* where input comes from; -1: none */
	int out_fd;		/* where output goes; -1: none (unix: no client) */
	int listen_fd;		/* UNIX */
	int client_fd;		/* UNIX: the connected client, in_fd == out_fd */
	int pty_master_fd;
	int pty_slave_fd;	/* held open so an unattended pty stays quiet */
	int file_fd;
	bool socket_bound;	/* UNIX: we created path; unlink it at dispose */
	char *unlink_path;	/* UNIX: path made absolute, when it was relative */
	bool out_sync;		/* out_fd cannot be polled: write synchronously */
	bool in_eof;		/* input ended or failed: read no more */
	bool out_broken;	/* output failed for good: drop */
	bool drop_reported;	/* the current dropping episode was logged */
	bool stdio_owned;	/* this chardev changed stdin/stdout modes */

	uint64_t dropped;

	uint8_t in_buf[CHARDEV_INPUT_CHUNK];
	size_t in_start, in_len;	/* held input not yet consumed */

	uint8_t out_buf[CHARDEV_OUTPUT_MAX];
	size_t out_start, out_len;	/* queued output */

	char filename[PATH_MAX + 64];
};

/*
 * stdin/stdout state to put back. Static because it is per process, and
 * because an exit() anywhere (fatal()) must still leave the user's
 * terminal usable: the atexit handler reads it.
 */
static struct {
	bool saved;
	bool termios_saved;
	struct termios termios;
	int stdin_flags;
	int stdout_flags;
	bool atexit_registered;
} stdio_saved;

static void stdio_restore(void)
{
	if (!stdio_saved.saved)
		return;
	if (stdio_saved.termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved.termios);
	fcntl(STDIN_FILENO, F_SETFL, stdio_saved.stdin_flags);
	fcntl(STDOUT_FILENO, F_SETFL, stdio_saved.stdout_flags);
	stdio_saved.saved = false;
	stdio_saved.termios_saved = false;
}

static int fd_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* Regular files and /dev/null cannot be added to an epoll set (EPERM). */
static bool fd_pollable(int epfd, int fd)
{
	struct epoll_event ev = { .events = 0, .data.fd = fd };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return false;
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	return true;
}

static struct chardev_watch *watch_find(struct chardev *cd, int fd)
{
	for (int i = 0; i < CHARDEV_WATCHES; i++)
		if (cd->watch[i].fd == fd)
			return &cd->watch[i];
	return NULL;
}

/* Must run before fd is closed: epoll would keep a dup'ed fd registered. */
static void watch_forget(struct chardev *cd, int fd)
{
	struct chardev_watch *w = fd >= 0 ? watch_find(cd, fd) : NULL;

	if (!w)
		return;
	epoll_ctl(cd->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->fd = -1;
	w->events = 0;
}

static bool wants_input(const struct chardev *cd)
{
	return cd->cb.on_input && cd->in_fd >= 0 && !cd->in_eof && cd->in_len == 0;
}

/*
 * Makes the epoll set match the state. An fd with nothing to wait for is
 * removed rather than left with an empty mask, because epoll reports
 * EPOLLHUP/EPOLLERR even then, and a hung-up fd we are not ready to read
 * would wake the loop forever.
 */
static void interest_update(struct chardev *cd)
{
	struct chardev_watch want[CHARDEV_WATCHES];
	int n = 0;

#define WANT(fd_, ev_)                                          \
	do {                                                    \
		int k_;                                         \
		for (k_ = 0; k_ < n && want[k_].fd != (fd_); k_++) \
			;                                       \
		if (k_ == n)                                    \
			want[n++] = (struct chardev_watch){ (fd_), 0 }; \
		want[k_].events |= (ev_);                       \
	} while (0)

	if (cd->listen_fd >= 0 && cd->client_fd < 0)
		WANT(cd->listen_fd, EPOLLIN);
	if (wants_input(cd))
		WANT(cd->in_fd, EPOLLIN);
	if (cd->out_fd >= 0 && cd->out_len > 0 && !cd->out_sync && !cd->out_broken)
		WANT(cd->out_fd, EPOLLOUT);
#undef WANT

	for (int i = 0; i < CHARDEV_WATCHES; i++) {
		struct chardev_watch *w = &cd->watch[i];
		bool still = false;

		for (int k = 0; k < n; k++)
			still |= want[k].fd == w->fd;
		if (w->fd >= 0 && !still)
			watch_forget(cd, w->fd);
	}
	for (int k = 0; k < n; k++) {
		struct chardev_watch *w = watch_find(cd, want[k].fd);
		struct epoll_event ev = { .events = want[k].events, .data.fd = want[k].fd };

		if (w && w->events == want[k].events)
			continue;
		if (w) {
			if (epoll_ctl(cd->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
				log_warn("%s: epoll_ctl mod fd %d", cd->label, w->fd);
			w->events = want[k].events;
			continue;
		}
		w = watch_find(cd, -1);
		if (!w || epoll_ctl(cd->epfd, EPOLL_CTL_ADD, want[k].fd, &ev) < 0) {
			log_warn("%s: epoll_ctl add fd %d", cd->label, want[k].fd);
			continue;
		}
		*w = want[k];
	}
}

static void drop_output(struct chardev *cd, size_t len, const char *why)
{
	if (!len)
		return;
	cd->dropped += len;
	if (!cd->drop_reported && why) {
		log_info("%s: %s, discarding output", cd->label, why);
		cd->drop_reported = true;
	}
}

static void client_close(struct chardev *cd)
{
	if (cd->client_fd < 0)
		return;
	watch_forget(cd, cd->client_fd);
	close(cd->client_fd);
	cd->client_fd = cd->in_fd = cd->out_fd = -1;
	/* What the old client did not take is meaningless to the next one. */
	cd->dropped += cd->out_len;
	cd->out_start = cd->out_len = 0;
	cd->in_start = cd->in_len = 0;
	cd->drop_reported = false;
	log_info("%s: client disconnected from unix:%s", cd->label, cd->path);
	if (cd->cb.on_disconnect)
		cd->cb.on_disconnect(cd->cb.opaque);
	interest_update(cd);
}

/* A write or read failed with errno set: the fd is gone for good. */
static void output_failed(struct chardev *cd)
{
	if (cd->kind == CHARDEV_UNIX) {
		client_close(cd);
		return;
	}
	log_warn("%s: write", cd->label);
	cd->out_broken = true;
	cd->drop_reported = true;	/* the warning above was the report */
	drop_output(cd, cd->out_len, NULL);
	cd->out_start = cd->out_len = 0;
}

static ssize_t fd_write(const struct chardev *cd, const void *buf, size_t len)
{
	if (cd->kind == CHARDEV_UNIX)
		return send(cd->out_fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	return write(cd->out_fd, buf, len);
}

/* Writes as much as the fd takes now. Returns bytes written, or -1 after output_failed(). */
static ssize_t write_now(struct chardev *cd, const uint8_t *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	while (done < len) {
		r = fd_write(cd, buf + done, len - done);
		if (r > 0) {
			done += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r == 0)
			errno = EIO;
		output_failed(cd);
		return -1;
	}
	return (ssize_t)done;
}

static void output_flush(struct chardev *cd)
{
	ssize_t r;

	if (!cd->out_len || cd->out_fd < 0)
		return;
	r = write_now(cd, cd->out_buf + cd->out_start, cd->out_len);
	if (r < 0)
		return;
	cd->out_start += (size_t)r;
	cd->out_len -= (size_t)r;
	if (!cd->out_len)
		cd->out_start = 0;
	if (r > 0)
		cd->drop_reported = false;	/* someone reads again */
}

/* The regular-file path: the kernel takes everything or fails. */
static size_t write_sync(struct chardev *cd, const uint8_t *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	if (cd->out_broken) {
		drop_output(cd, len, NULL);
		return len;
	}
	while (done < len) {
		r = write(cd->out_fd, buf + done, len - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (!cd->drop_reported)
				log_warn("%s: write %s", cd->label,
					 cd->kind == CHARDEV_FILE ? cd->path : "stdout");
			cd->drop_reported = true;
			drop_output(cd, len - done, NULL);
			return len;
		}
		done += (size_t)r;
	}
	cd->drop_reported = false;
	return len;
}

size_t chardev_write(struct chardev *cd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t taken = 0, space, n;
	ssize_t r;

	if (!len)
		return 0;
	if (cd->kind == CHARDEV_NULL)
		return len;
	if (cd->out_fd < 0) {
		drop_output(cd, len, "no client connected");
		return len;
	}
	if (cd->out_sync)
		return write_sync(cd, p, len);
	if (cd->out_broken) {
		drop_output(cd, len, NULL);
		return len;
	}

	/* Keep the order: only write directly when nothing is queued. */
	if (!cd->out_len) {
		r = write_now(cd, p, len);
		if (r < 0) {
			/* The fd is gone; the bytes were counted as dropped or the
			 * client is; either way nobody will read them. */
			if (cd->kind == CHARDEV_UNIX)
				drop_output(cd, len, "no client connected");
			else
				drop_output(cd, len, NULL);
			return len;
		}
		taken = (size_t)r;
		if (r > 0)
			cd->drop_reported = false;
	}
	space = CHARDEV_OUTPUT_MAX - cd->out_len;
	n = len - taken < space ? len - taken : space;
	if (n) {
		if (cd->out_start + cd->out_len + n > CHARDEV_OUTPUT_MAX) {
			memmove(cd->out_buf, cd->out_buf + cd->out_start, cd->out_len);
			cd->out_start = 0;
		}
		memcpy(cd->out_buf + cd->out_start + cd->out_len, p + taken, n);
		cd->out_len += n;
		taken += n;
	}
	if (taken < len && cd->kind == CHARDEV_PTY) {
		char why[PATH_MAX + 32];

		snprintf(why, sizeof(why), "%s is not being read", cd->path);
		drop_output(cd, len - taken, why);
		taken = len;
	}
	interest_update(cd);
	return taken;
}

size_t chardev_write_space(const struct chardev *cd)
{
	/* Backends that never push back: null, pty, anything dropping. */
	if (cd->kind == CHARDEV_NULL || cd->kind == CHARDEV_PTY)
		return CHARDEV_OUTPUT_MAX;
	if (cd->out_sync || cd->out_broken || cd->out_fd < 0)
		return CHARDEV_OUTPUT_MAX;
	return CHARDEV_OUTPUT_MAX - cd->out_len;
}

static void input_deliver(struct chardev *cd)
{
	size_t n;

	if (!cd->in_len || !cd->cb.on_input)
		return;
	n = cd->cb.on_input(cd->cb.opaque, cd->in_buf + cd->in_start, cd->in_len);
	if (n > cd->in_len)
		n = cd->in_len;	/* a confused consumer must not walk us off the buffer */
	cd->in_start += n;
	cd->in_len -= n;
	if (!cd->in_len)
		cd->in_start = 0;
}

static void input_read(struct chardev *cd)
{
	ssize_t r;

	do
		r = read(cd->in_fd, cd->in_buf, sizeof(cd->in_buf));
	while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (r > 0) {
		cd->in_start = 0;
		cd->in_len = (size_t)r;
		input_deliver(cd);
		return;
	}
	/* End of input, or an error that will not go away. */
	if (cd->kind == CHARDEV_UNIX) {
		client_close(cd);
		return;
	}
	if (r < 0)
		log_warn("%s: read", cd->label);
	else
		log_info("%s: end of input", cd->label);
	cd->in_eof = true;
}

static void client_accept(struct chardev *cd)
{
	int fd = accept4(cd->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("%s: accept on unix:%s", cd->label, cd->path);
		return;
	}
	cd->client_fd = cd->in_fd = cd->out_fd = fd;
	cd->in_eof = false;
	cd->drop_reported = false;
	log_info("%s: client connected to unix:%s", cd->label, cd->path);
	interest_update(cd);
	if (cd->cb.on_connect)
		cd->cb.on_connect(cd->cb.opaque);
}

void chardev_handle_events(struct chardev *cd)
{
	struct epoll_event ev[CHARDEV_WATCHES];
	bool held = cd->in_len > 0;
	int n, i;

	n = epoll_wait(cd->epfd, ev, CHARDEV_WATCHES, 0);
	for (i = 0; i < n; i++) {
		int fd = ev[i].data.fd;
		uint32_t e = ev[i].events;

		if (fd == cd->listen_fd) {
			if (cd->client_fd < 0)
				client_accept(cd);
			continue;
		}
		if (fd == cd->out_fd && (e & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			output_flush(cd);
		/* Re-check: the flush may have closed a unix client. */
		if (fd == cd->in_fd && (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) && wants_input(cd))
			input_read(cd);
	}
	/* Input held since an earlier round gets another chance: consuming it
	 * may have waited for output space (the monitor) that the flush above
	 * just made. Input refused in this very round is not offered twice. */
	if (held)
		input_deliver(cd);
	interest_update(cd);
}

void chardev_input_resume(struct chardev *cd)
{
	input_deliver(cd);
	interest_update(cd);
}

static int open_pty(struct chardev *cd)
{
	struct termios tio;
	char name[PATH_MAX];
	int rc;

	cd->pty_master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (cd->pty_master_fd < 0) {
		rc = -errno;
		log_warn("%s: posix_openpt", cd->label);
		return rc;
	}
	if (grantpt(cd->pty_master_fd) < 0 || unlockpt(cd->pty_master_fd) < 0 ||
	    ptsname_r(cd->pty_master_fd, name, sizeof(name)) != 0) {
		rc = -errno;
		log_warn("%s: pty set-up", cd->label);
		return rc;
	}
	cd->path = strdup(name);
	if (!cd->path)
		return -ENOMEM;
	cd->pty_slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (cd->pty_slave_fd < 0) {
		rc = -errno;
		log_warn("%s: open %s", cd->label, name);
		return rc;
	}
	/* Raw: the guest's bytes reach the user unchanged (no \n -> \r\n, no
	 * echo, no line editing); the user's terminal program does the rest. */
	if (tcgetattr(cd->pty_slave_fd, &tio) < 0) {
		rc = -errno;
		log_warn("%s: tcgetattr %s", cd->label, name);
		return rc;
	}
	cfmakeraw(&tio);
	if (tcsetattr(cd->pty_slave_fd, TCSANOW, &tio) < 0) {
		rc = -errno;
		log_warn("%s: tcsetattr %s", cd->label, name);
		return rc;
	}
	rc = fd_set_nonblock(cd->pty_master_fd);
	if (rc < 0)
		return rc;
	cd->in_fd = cd->out_fd = cd->pty_master_fd;
	return 0;
}

static int open_file(struct chardev *cd, const char *path)
{
	int rc;

	cd->path = strdup(path);
	if (!cd->path)
		return -ENOMEM;
	/* O_NONBLOCK: a FIFO without reader must not block the launcher. */
	cd->file_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
			   0666);
	if (cd->file_fd < 0) {
		rc = -errno;
		log_warn("%s: open %s", cd->label, path);
		return rc;
	}
	cd->out_fd = cd->file_fd;
	cd->out_sync = !fd_pollable(cd->epfd, cd->file_fd);
	return 0;
}

static int open_stdio(struct chardev *cd)
{
	struct termios tio;
	int rc;

	if (stdio_saved.saved) {
		log_warnx("%s: stdio is already in use by another chardev", cd->label);
		return -EBUSY;
	}
	stdio_saved.stdin_flags = fcntl(STDIN_FILENO, F_GETFL);
	stdio_saved.stdout_flags = fcntl(STDOUT_FILENO, F_GETFL);
	if (stdio_saved.stdin_flags < 0 || stdio_saved.stdout_flags < 0) {
		rc = -errno;
		log_warn("%s: stdio", cd->label);
		return rc;
	}
	stdio_saved.termios_saved = tcgetattr(STDIN_FILENO, &stdio_saved.termios) == 0;
	stdio_saved.saved = true;
	cd->stdio_owned = true;
	if (!stdio_saved.atexit_registered) {
		atexit(stdio_restore);
		stdio_saved.atexit_registered = true;
	}

	if (stdio_saved.termios_saved) {
		/* QEMU's stdio settings: raw input, but output processing stays
		 * on (log lines on stderr share the terminal) and so does ISIG
		 * (Ctrl-C still ends the launcher). */
		tio = stdio_saved.termios;
		cfmakeraw(&tio);
		tio.c_oflag |= OPOST;
		tio.c_lflag |= ISIG;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) < 0) {
			rc = -errno;
			log_warn("%s: tcsetattr stdin", cd->label);
			return rc;
		}
	}
	if (fd_pollable(cd->epfd, STDIN_FILENO)) {
		rc = fd_set_nonblock(STDIN_FILENO);
		if (rc < 0)
			return rc;
		cd->in_fd = STDIN_FILENO;
	} else {
		log_debug("%s: stdin cannot be polled, no input", cd->label);
	}
	cd->out_fd = STDOUT_FILENO;
	cd->out_sync = !fd_pollable(cd->epfd, STDOUT_FILENO);
	if (!cd->out_sync) {
		rc = fd_set_nonblock(STDOUT_FILENO);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int open_unix(struct chardev *cd, const struct chardev_spec *spec)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct pollfd pfd;
	struct stat st;
	mode_t mask;
	int rc, r;

	if (!spec->path || strlen(spec->path) >= sizeof(sun.sun_path))
		return -EINVAL;
	cd->path = strdup(spec->path);
	if (!cd->path)
		return -ENOMEM;
	strcpy(sun.sun_path, spec->path);

	/* A stale socket from a previous run would make bind() fail; remove
	 * it, but never anything else a typo might point at. */
	if (lstat(spec->path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(spec->path);
	cd->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cd->listen_fd < 0) {
		rc = -errno;
		log_warn("%s: socket", cd->label);
		return rc;
	}
	/* Whoever connects drives the monitor (screendump writes any file the
	 * launcher may write) or the guest's console: the socket is its owner's
	 * alone, 0600 whatever the umask. A socket takes its mode from the umask
	 * at bind(), so the umask is narrowed around that one call. */
	mask = umask(0177);
	r = bind(cd->listen_fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (r < 0) {
		rc = -errno;
		log_warn("%s: bind unix:%s", cd->label, spec->path);
		return rc;
	}
	cd->socket_bound = true;
	/* -daemonize changes directory to /, like QEMU: remember where a
	 * relative socket really is, so that dispose unlinks the right file. */
	if (spec->path[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) && asprintf(&cd->unlink_path, "%s/%s", cwd, spec->path) < 0)
			cd->unlink_path = NULL;
	}
	if (listen(cd->listen_fd, 1) < 0) {
		rc = -errno;
		log_warn("%s: listen unix:%s", cd->label, spec->path);
		return rc;
	}
	if (spec->wait) {
		log_info("waiting for connection on unix:%s", spec->path);
		pfd.fd = cd->listen_fd;
		pfd.events = POLLIN;
		while (cd->client_fd < 0) {
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
				rc = -errno;
				log_warn("%s: poll unix:%s", cd->label, spec->path);
				return rc;
			}
			cd->client_fd = accept4(cd->listen_fd, NULL, NULL,
						SOCK_NONBLOCK | SOCK_CLOEXEC);
			/* Anything but "not yet" (EMFILE...) would spin here forever. */
			if (cd->client_fd < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED) {
				rc = -errno;
				log_warn("%s: accept on unix:%s", cd->label, spec->path);
				return rc;
			}
		}
		cd->in_fd = cd->out_fd = cd->client_fd;
		log_info("%s: client connected to unix:%s", cd->label, cd->path);
	}
	return 0;
}

int chardev_open(const struct chardev_spec *spec, const char *label,
		 const struct chardev_callbacks *cb, struct chardev **cd_r)
{
	struct chardev *cd = NULL;
	int rc;

	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return -ENOMEM;
	cd->kind = spec->kind;
	cd->epfd = cd->in_fd = cd->out_fd = cd->listen_fd = cd->client_fd = -1;
	cd->pty_master_fd = cd->pty_slave_fd = cd->file_fd = -1;
	for (int i = 0; i < CHARDEV_WATCHES; i++)
		cd->watch[i].fd = -1;
	if (cb)
		cd->cb = *cb;
	cd->label = strdup(label);
	if (!cd->label) {
		rc = -ENOMEM;
		goto out;
	}
	cd->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (cd->epfd < 0) {
		rc = -errno;
		log_warn("%s: epoll_create1", label);
		goto out;
	}

	switch (spec->kind) {
	case CHARDEV_NULL:
		rc = 0;
		break;
	case CHARDEV_PTY:
		rc = open_pty(cd);
		break;
	case CHARDEV_FILE:
		rc = spec->path ? open_file(cd, spec->path) : -EINVAL;
		break;
	case CHARDEV_STDIO:
		rc = open_stdio(cd);
		break;
	case CHARDEV_UNIX:
		rc = open_unix(cd, spec);
		break;
	case CHARDEV_NONE:
	default:
		log_warnx("%s: no backend to open", label);
		rc = -EINVAL;
		break;
	}
	if (rc < 0)
		goto out;
	interest_update(cd);
	*cd_r = cd;
	cd = NULL;
out:
	chardev_dispose(cd);
	return rc;
}

void chardev_dispose(struct chardev *cd)
{
	if (!cd)
		return;
	if (cd->client_fd >= 0)
		close(cd->client_fd);
	if (cd->listen_fd >= 0)
		close(cd->listen_fd);
	if (cd->socket_bound)
		unlink(chardev_socket_path(cd));
	if (cd->pty_slave_fd >= 0)
		close(cd->pty_slave_fd);
	if (cd->pty_master_fd >= 0)
		close(cd->pty_master_fd);
	if (cd->file_fd >= 0)
		close(cd->file_fd);
	if (cd->stdio_owned)
		stdio_restore();
	if (cd->epfd >= 0)
		close(cd->epfd);
	free(cd->label);
	free(cd->path);
	free(cd->unlink_path);
	free(cd);
}

int chardev_fd(const struct chardev *cd)
{
	return cd->epfd;
}

bool chardev_is_connected(const struct chardev *cd)
{
	return cd->kind != CHARDEV_UNIX || cd->client_fd >= 0;
}

const char *chardev_label(const struct chardev *cd)
{
	return cd->label;
}

const char *chardev_pty_path(const struct chardev *cd)
{
	return cd->kind == CHARDEV_PTY ? cd->path : NULL;
}

const char *chardev_socket_path(const struct chardev *cd)
{
	if (!cd || !cd->socket_bound)
		return NULL;
	return cd->unlink_path ? cd->unlink_path : cd->path;
}

const char *chardev_filename(struct chardev *cd)
{
	switch (cd->kind) {
	case CHARDEV_NULL:
		snprintf(cd->filename, sizeof(cd->filename), "null");
		break;
	case CHARDEV_PTY:
		snprintf(cd->filename, sizeof(cd->filename), "pty:%s", cd->path);
		break;
	case CHARDEV_FILE:
		snprintf(cd->filename, sizeof(cd->filename), "file:%s", cd->path);
		break;
	case CHARDEV_STDIO:
		snprintf(cd->filename, sizeof(cd->filename), "stdio");
		break;
	case CHARDEV_UNIX:
		snprintf(cd->filename, sizeof(cd->filename), "%sunix:%s,server=on",
			 cd->client_fd >= 0 ? "" : "disconnected:", cd->path);
		break;
	default:
		snprintf(cd->filename, sizeof(cd->filename), "none");
		break;
	}
	return cd->filename;
}

uint64_t chardev_dropped_bytes(const struct chardev *cd)
{
	return cd->dropped;
}
