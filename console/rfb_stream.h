/*
 * A VNC viewer's side of RFB, cut into whole messages as libvncserver will
 * read them.
 *
 * libvncserver reads each message with blocking reads that wait up to
 * 20 s for its missing bytes, on the launcher's thread. The viewer's relay
 * (console/vnc_relay.h) therefore hands it only whole messages: this module
 * tells how long the viewer's next message is, from the bytes received so
 * far. It follows the handshake (ProtocolVersion, the security type chosen
 * with RFB 3.7 and later, the 16-byte VNC authentication response,
 * ClientInit) and then the messages libvncserver serves: SetPixelFormat,
 * SetEncodings, FramebufferUpdateRequest, KeyEvent, PointerEvent,
 * ClientCutText (at most 1 MiB of text, as QEMU and libvncserver allow) and
 * SetDesktopSize (answered by libvncserver to viewers that asked for
 * ExtendedDesktopSize). Anything else is refused, as QEMU refuses a message
 * type it does not know: libvncserver offers no other extension (none of
 * QEMU's own client messages, type 255), so a viewer never has a reason to
 * send one.
 */
#ifndef CONSOLE_RFB_STREAM_H
#define CONSOLE_RFB_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RFB_VERSION_LEN 12		/* "RFB 003.008\n" */
#define RFB_CUT_TEXT_MAX (1u << 20)	/* QEMU's and libvncserver's limit */

enum rfb_phase {
	RFB_PHASE_VERSION,		/* ProtocolVersion */
	RFB_PHASE_SECURITY_TYPE,	/* the type chosen (RFB 3.7 and later) */
	RFB_PHASE_VNC_AUTH,		/* the response to the 16-byte challenge */
	RFB_PHASE_CLIENT_INIT,		/* ClientInit: the shared flag */
	RFB_PHASE_NORMAL,		/* logged in: the messages of a session */
};

struct rfb_stream {
	enum rfb_phase phase;
	bool vnc_auth;			/* the server asks for VNC authentication */
	char why[48];			/* what rfb_stream_next() refused */
};

/* A viewer that has sent nothing yet, to a server that asks for VNC
 * authentication (vnc_auth) or for none. */
void rfb_stream_init(struct rfb_stream *s, bool vnc_auth);

/*
 * The length of the viewer's next message, which starts at buf[0], len bytes
 * of it received so far: > 0 once they hold it whole (s then expects the
 * message after it), 0 while more bytes are needed, -EPROTO when they cannot
 * start a message the server takes (*why_r says why, e.g. "unknown message
 * type 200"; it lives in s).
 */
long rfb_stream_next(struct rfb_stream *s, const uint8_t *buf, size_t len, const char **why_r);

/* The viewer sent its ClientInit: it passed authentication (or the server
 * refuses it on reading what it sent). */
bool rfb_stream_logged_in(const struct rfb_stream *s);

#endif
