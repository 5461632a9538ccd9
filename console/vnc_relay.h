/*
 * One VNC viewer's connection, relayed between its TCP socket and
 * libvncserver by a thread of its own, so that no viewer can make the
 * launcher wait.
 *
 * libvncserver runs on the launcher's thread and its writes block: a viewer
 * that stops reading would stall the event loop until libvncserver gives up
 * on it (rfbMaxClientWait). So libvncserver never sees the viewer's socket:
 * it serves the viewer on one end of a socketpair, and the relay thread
 * moves bytes between the other end and the viewer with non-blocking I/O.
 * Output the viewer has not taken yet waits in the relay's own buffer (as in
 * QEMU's per-client output buffer); the relay always drains libvncserver's
 * end at once, so libvncserver's writes complete at memory speed whatever
 * the viewer does. A viewer that lets more than backlog_max bytes pile up is
 * disconnected; one that requests updates only as it takes them (as viewers
 * do: an update answers a request) never gets near that.
 *
 * Before libvncserver sees the viewer, the relay exchanges RFB versions
 * with it (see greet() for why), so libvncserver only gets viewers that
 * speak RFB.
 *
 * When either side closes, the relay shuts both down: libvncserver then sees
 * the end of its socket and forgets the viewer (its clientGoneHook frees the
 * relay).
 */
#ifndef CONSOLE_VNC_RELAY_H
#define CONSOLE_VNC_RELAY_H

#include <stddef.h>

struct vnc_relay;

/*
 * Starts relaying the connected socket viewer_fd (taken over: closed by
 * vnc_relay_free(), or here on error); the relay first greets the viewer
 * with the RFB version, and adds 1 to the eventfd notify_fd (if >= 0) when
 * the viewer answered or the relay ended before. peer names the viewer in
 * logs. 0 or -errno.
 */
int vnc_relay_start(int viewer_fd, const char *peer, size_t backlog_max, int notify_fd,
		    struct vnc_relay **relay_r);

/*
 * Once the viewer answered with its RFB version: 1, and *server_fd_r is
 * the socket to hand to libvncserver (rfbNewClient), which then owns it.
 * 0 while the viewer has not answered; -1 when the relay ended (see
 * vnc_relay_end_reason()).
 */
int vnc_relay_ready(struct vnc_relay *r, int *server_fd_r);

/* The most bytes of output the viewer may leave untaken (e.g. after the
 * display grew). */
void vnc_relay_set_backlog_max(struct vnc_relay *r, size_t backlog_max);

/* The viewer's address, "HOST:PORT". */
const char *vnc_relay_peer(const struct vnc_relay *r);

/* Why the relay ended ("viewer closed the connection", ...), or NULL while
 * it runs. */
const char *vnc_relay_end_reason(const struct vnc_relay *r);

/* Stops the thread, closes the viewer's socket and the relay's end of the
 * socketpair, frees. NULL is a no-op. */
void vnc_relay_free(struct vnc_relay *r);

#endif
