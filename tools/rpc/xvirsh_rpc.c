/*
 * xvirsh-rpc: libvirt's RPC protocol for xenlaunch guests, with no daemon.
 *
 *   xvirsh-rpc                 one connection on stdin/stdout (libvirt's ext
 *                              transport: xen+ext:///system?command=PATH)
 *   xvirsh-rpc --listen PATH   a unix socket; each connection is served by a
 *                              process of its own (xen+unix:///system?socket=PATH)
 *
 * The domain store, run directory and launchers are xvirsh's
 * (tools/domains.h, with its XVIRSH_* environment). Messages to stderr go
 * to <rundir>/xvirsh-rpc.log: the ext transport's client does not read them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "tools/domains.h"
#include "tools/rpc/protocol.h"
#include "tools/rpc/server.h"

/* How often the states of the domains are compared for lifecycle events. */
#define EVENT_POLL_MS 500

/* n bytes, or fewer at the end of the stream; -1 on error. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t r = read(fd, (char *)buf + off, n - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		off += (size_t)r;
	}
	return (ssize_t)off;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = write(fd, (const char *)buf + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

static int flush(int fd, struct xdr_out *out)
{
	int rc = out->len ? write_full(fd, out->buf, out->len) : 0;

	out->len = 0;
	out->err = 0;
	return rc;
}

/* Serves one connection until the client closes it or sends what cannot be framed. */
static int serve(int in_fd, int out_fd)
{
	struct rpc_conn c;
	struct xdr_out out;
	uint8_t *msg = NULL;
	int rc = 0;

	rpc_conn_init(&c);
	xdr_out_init(&out, 2 * (RPC_LEN_MAX + RPC_MESSAGE_MAX));
	while (!c.closing) {
		struct pollfd p[2] = { { in_fd, POLLIN, 0 }, { c.console_fd, POLLIN, 0 } };
		uint8_t word[4];
		uint32_t len;
		size_t body;
		ssize_t r;
		int pr = poll(p, c.console_fd >= 0 ? 2 : 1, c.lifecycle_events ? EVENT_POLL_MS : -1);

		if (pr < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (pr > 0 && c.console_fd >= 0 && p[1].revents) {
			char buf[4096];
			ssize_t n = read(c.console_fd, buf, sizeof(buf));

			if (n > 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
				rpc_conn_console_data(&c, buf, n > 0 ? (size_t)n : 0, &out);
				if (n <= 0) {
					close(c.console_fd);
					c.console_fd = -1;
				}
			}
		}
		if (c.lifecycle_events)
			rpc_conn_poll_events(&c, &out);
		if (flush(out_fd, &out)) {
			rc = -EPIPE;
			break;
		}
		if (pr <= 0 || !p[0].revents)
			continue;
		r = read_full(in_fd, word, sizeof(word));
		if (r == 0)
			break;
		if (r != sizeof(word)) {
			log_warnx("a message ends inside its length word: connection closed");
			break;
		}
		len = (uint32_t)word[0] << 24 | (uint32_t)word[1] << 16 | (uint32_t)word[2] << 8 | word[3];
		if (rpc_frame_length(len, &body, &out)) {
			/* The stream cannot be resynchronised: the error, then the end. */
			log_warnx("a message announces %u bytes: answered with an error, connection closed", len);
			flush(out_fd, &out);
			rc = -EBADMSG;
			break;
		}
		msg = malloc(body);
		if (!msg) {
			rc = -ENOMEM;
			break;
		}
		r = read_full(in_fd, msg, body);
		if (r != (ssize_t)body) {
			log_warnx("a message of %zu bytes ends after %zd: connection closed", body, r);
			break;
		}
		rpc_conn_handle(&c, msg, body, &out);
		free(msg);
		msg = NULL;
		if (flush(out_fd, &out)) {
			rc = -EPIPE;
			break;
		}
	}
	free(msg);
	xdr_out_dispose(&out);
	rpc_conn_dispose(&c);
	return rc;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t mask;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "error: socket path too long: %s\n", path);
		return 1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(path);
	/* The socket is its owner's only (0600, like the launchers' monitors), from its creation on. */
	mask = umask(077);
	r = fd < 0 ? -1 : bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(mask);
	if (r || chmod(path, 0600) || listen(fd, 16)) {
		fprintf(stderr, "error: cannot listen on %s: %s\n", path, strerror(errno));
		return 1;
	}
	signal(SIGCHLD, SIG_IGN);	/* the connections' processes reap themselves */
	for (;;) {
		int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;

		if (conn < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "error: accept on %s: %s\n", path, strerror(errno));
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			/* Starting a guest waits for its launcher to detach. */
			signal(SIGCHLD, SIG_DFL);
			close(fd);
			_exit(serve(conn, conn) ? 1 : 0);
		}
		if (pid < 0)
			log_warn("fork for a connection");
		close(conn);
	}
}

/*
 * The protocol moves off stdin/stdout (to close-on-exec descriptors), and
 * /dev/null takes their place: a launcher started from here, or anything
 * it prints before it detaches, must never write into the client's stream.
 */
static int serve_stdio(void)
{
	int in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3), out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (in < 0 || out < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0) {
		log_warn("cannot move the protocol off stdin/stdout");
		return -1;
	}
	close(null);
	return serve(in, out);
}

/* stderr to <rundir>/xvirsh-rpc.log (append), where the launchers' logs are. */
static void log_to_rundir(void)
{
	char *path;
	int fd;

	if (mkdir_p(rundir()))
		return;
	path = path_of(rundir(), "xvirsh-rpc", ".log");
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	free(path);
}

int main(int argc, char **argv)
{
	log_init("xvirsh-rpc");
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && !strcmp(argv[1], "--listen"))
		return listen_on(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "Usage: xvirsh-rpc [--listen PATH]\n"
				"  libvirt's RPC protocol on stdin/stdout (virsh -c 'xen+ext:///system?command=PATH'),\n"
				"  or on a unix socket (virsh -c 'xen+unix:///system?socket=PATH').\n");
		return 1;
	}
	log_to_rundir();
	return serve_stdio() ? 1 : 0;
}
