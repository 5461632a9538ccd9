/*
 * One VNC viewer's connection, relayed between its TCP socket and
 * libvncserver by a thread of its own, so that no viewer can make the
 * launcher wait.
 *
 * libvncserver runs on the launcher's thread and both its reads and its
 * writes block: a viewer that sends half a message, or stops reading, would
 * stall the event loop until libvncserver gives up on it (rfbMaxClientWait,
 * 20 s, restarted by every byte). So libvncserver never sees the viewer's
 * socket: it serves the viewer on one end of a socketpair, and the relay
 * thread moves bytes between the other end and the viewer with non-blocking
 * I/O.
 *
 * Towards libvncserver, the relay passes only whole messages
 * (console/rfb_stream.h follows the viewer's side of RFB, handshake
 * included), so libvncserver finds every message it starts to read complete
 * and never waits; a viewer that sends what the server does not take is
 * dropped. Until the viewer has logged in (sent its ClientInit after the
 * security handshake), it has login_timeout_ms; then it is dropped.
 *
 * Towards the viewer, the relay always drains libvncserver's end at once,
 * so libvncserver's writes complete at memory speed whatever the viewer
 * does; output the viewer has not taken yet waits in the relay (as in
 * QEMU's per-client output buffer) and counts against an output budget
 * shared by every viewer. The launcher starts no update for a viewer that
 * has a backlog or when the budget has no room for it (libvncserver then
 * merges the changes into the next update); a relay whose output takes the
 * total past the budget drops its viewer, and so does one that takes none of its output
 * for stall_timeout_ms.
 *
 * The relay greets the viewer with the RFB version itself (see greet() for
 * why), so libvncserver only gets viewers that speak RFB.
 *
 * When either side closes, the relay shuts both down: libvncserver then sees
 * the end of its socket and forgets the viewer (its clientGoneHook frees the
 * relay).
 */
#ifndef CONSOLE_VNC_RELAY_H
#define CONSOLE_VNC_RELAY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct vnc_relay;

/* Output waiting for viewers, counted across every relay that shares it. */
struct vnc_output_budget {
	atomic_size_t used;	/* bytes the relays hold that their viewers have not taken */
	atomic_size_t max;	/* a relay whose output takes used past this drops its viewer */
};

struct vnc_relay_params {
	bool vnc_auth;			/* the server asks for VNC authentication */
	unsigned login_timeout_ms;	/* from the connection to the viewer's ClientInit */
	unsigned stall_timeout_ms;	/* the longest a viewer may take none of its output */
	struct vnc_output_budget *budget;	/* shared, outlives the relay */
	int notify_fd;			/* eventfd, or -1 */
};

/*
 * Starts relaying the connected socket viewer_fd (taken over: closed by
 * vnc_relay_free(), or here on error); the relay first greets the viewer
 * with the RFB version, and adds 1 to the eventfd p->notify_fd (if >= 0)
 * when the viewer answered or the relay ended before. peer names the viewer
 * in logs. 0 or -errno.
 */
int vnc_relay_start(int viewer_fd, const char *peer, const struct vnc_relay_params *p,
		    struct vnc_relay **relay_r);

/*
 * Once the viewer answered with its RFB version: 1, and *server_fd_r is
 * the socket to hand to libvncserver (rfbNewClient), which then owns it.
 * 0 while the viewer has not answered; -1 when the relay ended (see
 * vnc_relay_end_reason()).
 */
int vnc_relay_ready(struct vnc_relay *r, int *server_fd_r);

/* The bytes of libvncserver's output the relay holds for the viewer. */
size_t vnc_relay_backlog(const struct vnc_relay *r);

/* The viewer's address, "HOST:PORT". */
const char *vnc_relay_peer(const struct vnc_relay *r);

/* Why the relay ended ("viewer closed the connection", ...), or NULL while
 * it runs. */
const char *vnc_relay_end_reason(const struct vnc_relay *r);

/* Stops the thread, closes the viewer's socket and the relay's end of the
 * socketpair, frees. NULL is a no-op. */
void vnc_relay_free(struct vnc_relay *r);

#endif
