/*
 * Character backends behind -serial and -monitor: null, pty, file, stdio
 * and a unix server socket, driven by the launcher's epoll loop.
 *
 * Each chardev owns a private epoll set over its own descriptors (pty
 * master, stdin/stdout, listening and client sockets) and exposes it as one
 * stable fd. The event loop adds chardev_fd() once, for EPOLLIN, and calls
 * chardev_handle_events() whenever it is readable; the chardev switches its
 * own interest (EPOLLOUT while output is pending, the listening socket while
 * no client is connected, input paused while the consumer is full), so the
 * loop never re-registers anything.
 *
 * Output never blocks: chardev_write() writes what the fd takes now and
 * queues the rest, up to CHARDEV_OUTPUT_MAX bytes. What happens to output
 * that cannot be queued depends on the backend, and no byte is dropped
 * without being counted (chardev_dropped_bytes()) and logged once per
 * episode:
 *   null          accepted and dropped (that is what null means; not counted)
 *   file          a regular file is written synchronously; on a write
 *                 error (ENOSPC...) the error is logged and the bytes are
 *                 dropped. A FIFO or device that can be polled is treated
 *                 like stdio (back-pressure).
 *   stdio         back-pressure: chardev_write() accepts fewer bytes than
 *                 offered when the queue is full. If stdout cannot be polled
 *                 (a regular file), written synchronously like file.
 *   unix          back-pressure while a client is connected; with no client
 *                 output is dropped, as QEMU's socket chardev does, so the
 *                 guest does not stall waiting for someone to connect.
 *   pty           never pushes back: when the queue is full, i.e. nobody is
 *                 reading the pty, further output is dropped. That is
 *                 QEMU's behaviour for a pty nobody has opened; a guest
 *                 console must not freeze because no one watches it.
 *                 The chardev keeps the slave side open itself, so that a
 *                 pty with no one attached reads as idle instead of
 *                 signalling EIO/EPOLLHUP in a loop; the kernel pty buffer
 *                 plus the queue (about 64 KiB each) keep the latest boot
 *                 output for whoever attaches first.
 * Output to a unix client that went away, or to a stdout/pty that failed
 * (EIO, EPIPE), is dropped and logged. The launcher must ignore SIGPIPE
 * for the stdio backend (sockets use MSG_NOSIGNAL).
 *
 * Input is read in chunks of up to CHARDEV_INPUT_CHUNK bytes and handed to
 * on_input(), which returns how many bytes it took. If it takes fewer (the
 * guest's ring is full), the chardev keeps the rest and stops reading its
 * fd: the consumer calls chardev_input_resume() when it has room again, and
 * the chardev also retries after each of its own events. A chardev whose
 * on_input is NULL reads no input at all.
 *
 * Callbacks run from chardev_handle_events() and chardev_input_resume();
 * they may call chardev_write() but must not dispose the chardev.
 */
#ifndef CONSOLE_CHARDEV_H
#define CONSOLE_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "launcher/config.h"

#define CHARDEV_OUTPUT_MAX (64 * 1024)	/* queued output per chardev */
#define CHARDEV_INPUT_CHUNK 4096	/* one read() of input */

struct chardev;

struct chardev_callbacks {
	/* Input bytes; returns how many were consumed (0..len). */
	size_t (*on_input)(void *opaque, const uint8_t *buf, size_t len);
	/* A client connected to a unix server chardev (not called for the
	 * client chardev_open() waited for: see chardev_is_connected()). */
	void (*on_connect)(void *opaque);
	/* The unix client went away; queued output and input were dropped. */
	void (*on_disconnect)(void *opaque);
	void *opaque;
};

/*
 * Opens the backend described by spec (kind must not be CHARDEV_NONE).
 * label names it in log lines and in "info chardev" ("serial0",
 * "compat_monitor0"). cb may be NULL (no input, no notifications); it is
 * copied. For a unix server without ",nowait" this blocks until the first
 * client connects, after logging "waiting for connection on unix:PATH"
 * (like QEMU, before the guest exists: open such chardevs before blocking
 * SIGTERM/SIGINT for a signalfd, so that a user can still give up).
 * stdio puts a terminal stdin into raw mode (keeping output processing and
 * Ctrl-C, as QEMU does) and stdin/stdout into non-blocking mode; both are
 * restored by chardev_dispose() and, should the process exit first, at exit.
 * Returns 0 and *cd_r, or a negative errno after logging why.
 */
int chardev_open(const struct chardev_spec *spec, const char *label,
		 const struct chardev_callbacks *cb, struct chardev **cd_r);

/* Closes every fd, restores stdio, unlinks the unix socket path. NULL is a no-op. */
void chardev_dispose(struct chardev *cd);

/* The fd for the event loop: watch it for EPOLLIN, level-triggered. */
int chardev_fd(const struct chardev *cd);

/* Accepts clients, reads input into on_input(), flushes queued output.
 * Never blocks. Call it whenever chardev_fd() is readable. */
void chardev_handle_events(struct chardev *cd);

/*
 * Queues or writes up to len bytes; never blocks. Returns the number of
 * bytes taken (see above for what "taken" means per backend). A return
 * below len is back-pressure: offer the rest again later, after
 * chardev_write_space() has grown (it grows from chardev_handle_events()).
 */
size_t chardev_write(struct chardev *cd, const void *buf, size_t len);

/* How many bytes chardev_write() would take right now without dropping:
 * CHARDEV_OUTPUT_MAX for backends that never push back. */
size_t chardev_write_space(const struct chardev *cd);

/* The consumer has room again: re-offers held input, then resumes reading. */
void chardev_input_resume(struct chardev *cd);

/* False only for a unix server chardev without a client. */
bool chardev_is_connected(const struct chardev *cd);

const char *chardev_label(const struct chardev *cd);

/* The pty's slave path ("/dev/pts/3") for the caller to print as QEMU does,
 * "char device redirected to /dev/pts/3 (label serial0)", and to write to
 * xenstore. NULL for other backends. */
const char *chardev_pty_path(const struct chardev *cd);

/* The socket file a unix server chardev made (and removes at dispose), or
 * NULL; cd may be NULL. */
const char *chardev_socket_path(const struct chardev *cd);

/* QEMU's "info chardev" filename: "null", "pty:/dev/pts/3", "file:PATH",
 * "stdio", "unix:PATH,server=on" or "disconnected:unix:PATH,server=on".
 * Valid until the next call on cd. */
const char *chardev_filename(struct chardev *cd);

/* Output bytes dropped so far (see above); null's drops are not counted. */
uint64_t chardev_dropped_bytes(const struct chardev *cd);

#endif
