/*
 * A VNC viewer's connection relayed by a thread of its own; see vnc_relay.h.
 */
#include "console/vnc_relay.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "console/rfb_stream.h"

#define RELAY_CHUNK (256 * 1024)	/* the most read from a socket in one call */
#define RELAY_SOCKET_BUFFER (4 << 20)	/* asked for; the kernel caps it at wmem_max */
#define RFB_VERSION "RFB 003.008\n"	/* libvncserver's own, and what we greet with */

/* Bytes on their way from one socket to another: [head, tail) of buf. */
struct relay_buffer {
	uint8_t *buf;
	size_t head, tail, size;
};

struct vnc_relay {
	int viewer_fd;			/* the viewer's TCP connection */
	int server_fd;			/* our end of the socketpair */
	int libvnc_fd;			/* libvncserver's end, until handed over */
	atomic_bool greeted;		/* the viewer sent its RFB version */
	size_t skip_from_server;	/* libvncserver's version, already sent by us */
	int stop_fd;			/* eventfd: vnc_relay_free() wants the thread to end */
	struct vnc_relay_params params;
	struct timespec login_deadline;	/* CLOCK_MONOTONIC */
	struct timespec stall_deadline;	/* while output waits: when the viewer must have taken some */
	pthread_t thread;
	bool thread_started;
	char peer[64];
	char why[64];			/* end_reason's text when it is composed */
	_Atomic(const char *) end_reason;
	struct rfb_stream rfb;		/* the viewer's messages, as libvncserver reads them */
	struct relay_buffer to_viewer;	/* libvncserver's output the viewer has not taken */
	atomic_size_t backlog;		/* pending(&to_viewer), as counted in the budget */
	struct relay_buffer to_server;	/* what the viewer sent, until libvncserver reads it */
	size_t whole;			/* the bytes of to_server that are whole messages */
};

static size_t pending(const struct relay_buffer *b)
{
	return b->tail - b->head;
}

/* Room for at least RELAY_CHUNK more bytes at tail. 0 or -ENOMEM. */
static int make_room(struct relay_buffer *b)
{
	size_t size;
	uint8_t *p;

	if (b->size - b->tail >= RELAY_CHUNK)
		return 0;
	if (b->head) {
		memmove(b->buf, b->buf + b->head, pending(b));
		b->tail -= b->head;
		b->head = 0;
		if (b->size - b->tail >= RELAY_CHUNK)
			return 0;
	}
	size = b->size ? b->size * 2 : 2 * RELAY_CHUNK;
	p = realloc(b->buf, size);
	if (!p)
		return -ENOMEM;
	b->buf = p;
	b->size = size;
	return 0;
}

/* Reads one chunk of what fd has now into b: the bytes read, 0 at the end
 * of fd, -EAGAIN when it has nothing, -errno on error. */
static ssize_t pull(int fd, struct relay_buffer *b)
{
	ssize_t n;

	if (make_room(b) < 0)
		return -ENOMEM;
	n = recv(fd, b->buf + b->tail, RELAY_CHUNK, MSG_DONTWAIT);
	if (n < 0)
		return errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	b->tail += (size_t)n;
	return n;
}

/* Writes what fd takes of the first max bytes of b without waiting. The
 * bytes written, or -errno. */
static ssize_t push(int fd, struct relay_buffer *b, size_t max)
{
	size_t done = 0;

	while (done < max) {
		ssize_t n = send(fd, b->buf + b->head, max - done, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			return -errno;
		}
		b->head += (size_t)n;
		done += (size_t)n;
	}
	if (!pending(b))
		b->head = b->tail = 0;
	return (ssize_t)done;
}

static void end(struct vnc_relay *r, const char *reason)
{
	atomic_store(&r->end_reason, reason);
}

/* The budget follows what to_viewer holds now. */
static void account(struct vnc_relay *r)
{
	size_t now = pending(&r->to_viewer), before = atomic_load(&r->backlog);

	if (now > before)
		atomic_fetch_add(&r->params.budget->used, now - before);
	else
		atomic_fetch_sub(&r->params.budget->used, before - now);
	atomic_store(&r->backlog, now);
}

/* *t = now + ms on the monotonic clock. */
static void deadline_in(struct timespec *t, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static long long ms_until(const struct timespec *t)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (t->tv_sec - now.tv_sec) * 1000LL + (t->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms;
}

/*
 * Milliseconds until the relay gives up on its viewer (-1: no limit now),
 * and *why_r why it then does: the viewer has not logged in, or has taken
 * none of its waiting output (viewers take what they asked for; one that
 * stopped reading would keep its share of the output budget for ever).
 */
static int time_left(struct vnc_relay *r, const char **why_r)
{
	long long ms = -1;

	if (!rfb_stream_logged_in(&r->rfb)) {
		ms = ms_until(&r->login_deadline);
		snprintf(r->why, sizeof(r->why), "not logged in within %u ms",
			 r->params.login_timeout_ms);
	}
	if (pending(&r->to_viewer) && (ms < 0 || ms_until(&r->stall_deadline) < ms)) {
		ms = ms_until(&r->stall_deadline);
		snprintf(r->why, sizeof(r->why), "took no output for %u ms",
			 r->params.stall_timeout_ms);
	}
	*why_r = r->why;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/*
 * The version exchange, done here rather than by libvncserver: on a new
 * connection libvncserver first waits up to 100 ms for the viewer to speak
 * (to tell WebSockets from RFB) and reads a WebSockets handshake byte by
 * byte with a 100 ms wait each, all on the launcher's thread. Greeting the
 * viewer ourselves and handing libvncserver a connection that already holds
 * the viewer's "RFB xxx.yyy" answer means it never waits. NULL or why the
 * viewer is dropped.
 */
static const char *greet(struct vnc_relay *r)
{
	uint8_t version[RFB_VERSION_LEN];
	const char *why, *late;
	size_t got = 0;

	if (send(r->viewer_fd, RFB_VERSION, RFB_VERSION_LEN, MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    RFB_VERSION_LEN)
		return "viewer's connection failed";
	while (got < sizeof(version)) {
		struct pollfd p[2] = { { .fd = r->stop_fd, .events = POLLIN },
				       { .fd = r->viewer_fd, .events = POLLIN } };
		ssize_t n;
		int k = poll(p, 2, time_left(r, &late));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return "poll failed";
		if (k == 0)
			return late;
		if (p[0].revents)
			return "server stopped";
		n = recv(r->viewer_fd, version + got, sizeof(version) - got, MSG_DONTWAIT);
		if (n == 0)
			return "viewer closed the connection";
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return "viewer's connection failed";
		if (n > 0)
			got += (size_t)n;
	}
	if (rfb_stream_next(&r->rfb, version, sizeof(version), &why) < 0)
		return why;
	if (send(r->server_fd, version, sizeof(version), MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(version))
		return "closed by the server";
	r->skip_from_server = RFB_VERSION_LEN;
	return NULL;
}

/* libvncserver's output into to_viewer, less its version string (the
 * viewer had ours), while it comes in full chunks. 1 while libvncserver's
 * end stays open, 0 at its end, -errno on error (-ENOBUFS: the output
 * budget is spent). */
static int pull_from_server(struct vnc_relay *r)
{
	for (;;) {
		ssize_t n = pull(r->server_fd, &r->to_viewer);
		size_t k;

		if (n == -EAGAIN)
			return 1;
		if (n <= 0)
			return (int)n;
		k = pending(&r->to_viewer) < r->skip_from_server ? pending(&r->to_viewer) :
								  r->skip_from_server;
		if (!atomic_load(&r->backlog))
			deadline_in(&r->stall_deadline, r->params.stall_timeout_ms);
		r->to_viewer.head += k;
		r->skip_from_server -= k;
		account(r);
		if (atomic_load(&r->params.budget->used) > atomic_load(&r->params.budget->max))
			return -ENOBUFS;
		if (n < RELAY_CHUNK)
			return 1;
	}
}

/* Finds the whole messages among the viewer's bytes. NULL or why the
 * viewer is dropped. */
static const char *track(struct vnc_relay *r)
{
	struct relay_buffer *b = &r->to_server;
	const char *why;

	while (r->whole < pending(b)) {
		long n = rfb_stream_next(&r->rfb, b->buf + b->head + r->whole,
					 pending(b) - r->whole, &why);

		if (n < 0)
			return why;
		if (n == 0)
			break;
		r->whole += (size_t)n;
	}
	return NULL;
}

/* Hands libvncserver the whole messages it takes now. 0 or -errno. */
static int push_to_server(struct vnc_relay *r)
{
	ssize_t n = push(r->server_fd, &r->to_server, r->whole);

	if (n < 0)
		return (int)n;
	r->whole -= (size_t)n;
	return 0;
}

static void *relay_run(void *opaque)
{
	struct vnc_relay *r = opaque;
	const char *failed, *late;
	ssize_t n;
	int rc;

	failed = greet(r);
	if (failed)
		end(r, failed);
	else
		atomic_store(&r->greeted, true);
	/* The launcher hands the viewer to libvncserver (or forgets it) now,
	 * not at its next poll. */
	if (r->params.notify_fd >= 0 &&
	    write(r->params.notify_fd, &(uint64_t){ 1 }, sizeof(uint64_t)) < 0)
		abort();	/* an eventfd far from its maximum takes a write */
	if (failed) {
		shutdown(r->viewer_fd, SHUT_RDWR);
		return NULL;
	}
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = r->stop_fd, .events = POLLIN },
			/* libvncserver's output is always taken, so that it never waits. */
			{ .fd = r->server_fd, .events = POLLIN | (r->whole ? POLLOUT : 0) },
			/* The viewer's input is read only while no whole message
			 * waits for libvncserver: a viewer that floods is slowed
			 * down by TCP, and what is buffered is at most the start
			 * of one message (rfb_stream.h bounds its length). */
			{ .fd = r->viewer_fd,
			  .events = (pending(&r->to_viewer) ? POLLOUT : 0) | (r->whole ? 0 : POLLIN) },
		};
		int k = poll(p, 3, time_left(r, &late));

		if (k < 0) {
			if (errno == EINTR)
				continue;
			end(r, "poll failed");
			break;
		}
		if (k == 0) {
			end(r, late);
			break;
		}
		if (p[0].revents) {
			/* What libvncserver said last (e.g. why it refused the
			 * viewer) goes out if the viewer takes it at once. */
			pull_from_server(r);
			push(r->viewer_fd, &r->to_viewer, pending(&r->to_viewer));
			end(r, "server stopped");
			break;
		}
		if (p[1].revents) {
			rc = pull_from_server(r);
			if (rc == -ENOBUFS) {
				end(r, "stopped taking updates: too much output waiting");
				break;
			}
			if (rc <= 0) {
				/* libvncserver closed the viewer; it may have said why
				 * (e.g. authentication failed): pass on what the viewer
				 * takes at once. */
				push(r->viewer_fd, &r->to_viewer, pending(&r->to_viewer));
				end(r, "closed by the server");
				break;
			}
			if (p[1].revents & POLLOUT && push_to_server(r) < 0) {
				end(r, "closed by the server");
				break;
			}
		}
		if (p[2].revents & POLLOUT || pending(&r->to_viewer)) {
			n = push(r->viewer_fd, &r->to_viewer, pending(&r->to_viewer));
			account(r);
			if (n > 0)
				deadline_in(&r->stall_deadline, r->params.stall_timeout_ms);
			if (n < 0) {
				end(r, "viewer closed the connection");
				break;
			}
		}
		if (p[2].revents & (POLLHUP | POLLERR)) {
			end(r, "viewer closed the connection");
			break;
		}
		if (p[2].revents & POLLIN) {
			n = pull(r->viewer_fd, &r->to_server);
			if (n == 0 || (n < 0 && n != -EAGAIN)) {
				end(r, n == 0 ? "viewer closed the connection" : "viewer's connection failed");
				break;
			}
			if ((failed = track(r))) {
				end(r, failed);
				break;
			}
			if (push_to_server(r) < 0) {
				end(r, "closed by the server");
				break;
			}
		}
	}
	/* libvncserver sees the end of its socket and lets the viewer go. */
	shutdown(r->server_fd, SHUT_RDWR);
	shutdown(r->viewer_fd, SHUT_RDWR);
	return NULL;
}

int vnc_relay_start(int viewer_fd, const char *peer, const struct vnc_relay_params *params,
		    struct vnc_relay **relay_r)
{
	struct vnc_relay *r = NULL;
	sigset_t all, old;
	int pair[2] = { -1, -1 };
	int rc;

	r = calloc(1, sizeof(*r));
	if (!r) {
		close(viewer_fd);
		return -ENOMEM;
	}
	r->viewer_fd = viewer_fd;
	r->server_fd = -1;
	r->libvnc_fd = -1;
	r->params = *params;
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
	atomic_init(&r->end_reason, NULL);
	atomic_init(&r->backlog, 0);
	rfb_stream_init(&r->rfb, params->vnc_auth);
	deadline_in(&r->login_deadline, params->login_timeout_ms);
	r->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->stop_fd < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, pair) < 0) {
		rc = -errno;
		goto fail;
	}
	/* A socketpair holds about 200 KiB; a full update is megabytes. The
	 * more it holds, the fewer times libvncserver waits for the relay
	 * thread to be scheduled while it writes one. */
	setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &(int){ RELAY_SOCKET_BUFFER }, sizeof(int));
	r->libvnc_fd = pair[0];
	r->server_fd = pair[1];
	pair[0] = pair[1] = -1;
	/* The thread takes no signals: the launcher handles them on its own
	 * thread (signalfd). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&r->thread, NULL, relay_run, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		goto fail;
	r->thread_started = true;
	*relay_r = r;
	return 0;
fail:
	vnc_relay_free(r);
	return rc;
}

int vnc_relay_ready(struct vnc_relay *r, int *server_fd_r)
{
	if (vnc_relay_end_reason(r))
		return -1;
	if (!atomic_load(&r->greeted) || r->libvnc_fd < 0)
		return 0;
	*server_fd_r = r->libvnc_fd;
	r->libvnc_fd = -1;
	return 1;
}

size_t vnc_relay_backlog(const struct vnc_relay *r)
{
	return atomic_load(&((struct vnc_relay *)r)->backlog);
}

const char *vnc_relay_peer(const struct vnc_relay *r)
{
	return r->peer;
}

const char *vnc_relay_end_reason(const struct vnc_relay *r)
{
	return atomic_load(&((struct vnc_relay *)r)->end_reason);
}

void vnc_relay_free(struct vnc_relay *r)
{
	uint64_t one = 1;

	if (!r)
		return;
	if (r->thread_started) {
		if (write(r->stop_fd, &one, sizeof(one)) < 0)
			abort();	/* an eventfd far from its maximum takes a write */
		pthread_join(r->thread, NULL);
	}
	/* What the viewer never took no longer counts. */
	atomic_fetch_sub(&r->params.budget->used, atomic_load(&r->backlog));
	if (r->stop_fd >= 0)
		close(r->stop_fd);
	if (r->server_fd >= 0)
		close(r->server_fd);
	if (r->libvnc_fd >= 0)
		close(r->libvnc_fd);
	if (r->viewer_fd >= 0)
		close(r->viewer_fd);
	free(r->to_viewer.buf);
	free(r->to_server.buf);
	free(r);
}
