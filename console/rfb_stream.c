/*
 * A VNC viewer's side of RFB cut into whole messages; see rfb_stream.h.
 */
#include "console/rfb_stream.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define RFB_SEC_NONE 1
#define RFB_SEC_VNC_AUTH 2
#define RFB_CHALLENGE_LEN 16

/* Client-to-server message types (RFC 6143 7.5; SetDesktopSize: the
 * community extension libvncserver serves). */
enum {
	MSG_SET_PIXEL_FORMAT = 0,
	MSG_SET_ENCODINGS = 2,
	MSG_UPDATE_REQUEST = 3,
	MSG_KEY = 4,
	MSG_POINTER = 5,
	MSG_CUT_TEXT = 6,
	MSG_SET_DESKTOP_SIZE = 251,
};

void rfb_stream_init(struct rfb_stream *s, bool vnc_auth)
{
	memset(s, 0, sizeof(*s));
	s->phase = RFB_PHASE_VERSION;
	s->vnc_auth = vnc_auth;
}

bool rfb_stream_logged_in(const struct rfb_stream *s)
{
	return s->phase == RFB_PHASE_NORMAL;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static long refuse(struct rfb_stream *s, const char **why_r, const char *fmt, unsigned n)
{
	snprintf(s->why, sizeof(s->why), fmt, n);
	*why_r = s->why;
	return -EPROTO;
}

/* "RFB xxx.yyy\n", digits only. The minor version, or -1. */
static int version_minor(const uint8_t *v)
{
	int minor = 0;

	if (memcmp(v, "RFB 003.", 8) || v[11] != '\n')
		return -1;
	for (int i = 8; i < 11; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		minor = minor * 10 + (v[i] - '0');
	}
	return minor;
}

/* The length of the session message starting at buf, 0 while its header
 * is incomplete. */
static long normal_message(struct rfb_stream *s, const uint8_t *buf, size_t len,
			   const char **why_r)
{
	uint32_t n;

	switch (buf[0]) {
	case MSG_SET_PIXEL_FORMAT:
		return 20;
	case MSG_SET_ENCODINGS:
		return len < 4 ? 0 : 4 + 4 * (long)be16(buf + 2);
	case MSG_UPDATE_REQUEST:
		return 10;
	case MSG_KEY:
		return 8;
	case MSG_POINTER:
		return 6;
	case MSG_CUT_TEXT:
		if (len < 8)
			return 0;
		n = be32(buf + 4);
		/* With the extended clipboard, a negative length says the
		 * extended format follows, as long as its absolute value.
		 * libvncserver refuses a negative length from a viewer that
		 * did not ask for that extension, as too long: the viewer
		 * then leaves, whatever the relay thought of it. */
		if (n & 0x80000000u)
			n = -n;
		if (n > RFB_CUT_TEXT_MAX)
			return refuse(s, why_r, "cut text of %u bytes (more than 1 MiB)", n);
		return 8 + (long)n;
	case MSG_SET_DESKTOP_SIZE:
		return len < 8 ? 0 : 8 + 16 * (long)buf[6];
	default:
		return refuse(s, why_r, "unknown message type %u", buf[0]);
	}
}

long rfb_stream_next(struct rfb_stream *s, const uint8_t *buf, size_t len, const char **why_r)
{
	long need;
	int minor;

	if (!len)
		return 0;
	switch (s->phase) {
	case RFB_PHASE_VERSION:
		if (len < RFB_VERSION_LEN)
			return 0;
		/* libvncserver serves RFB 3.x; before 3.7 the server chooses
		 * the security type, from 3.7 on the viewer does. */
		minor = version_minor(buf);
		if (minor < 0) {
			*why_r = "not a VNC viewer";
			return -EPROTO;
		}
		s->phase = minor >= 7 ? RFB_PHASE_SECURITY_TYPE :
			   s->vnc_auth ? RFB_PHASE_VNC_AUTH : RFB_PHASE_CLIENT_INIT;
		return RFB_VERSION_LEN;
	case RFB_PHASE_SECURITY_TYPE:
		/* The server offers exactly one type. */
		if (buf[0] != (s->vnc_auth ? RFB_SEC_VNC_AUTH : RFB_SEC_NONE))
			return refuse(s, why_r, "security type %u was not offered", buf[0]);
		s->phase = s->vnc_auth ? RFB_PHASE_VNC_AUTH : RFB_PHASE_CLIENT_INIT;
		return 1;
	case RFB_PHASE_VNC_AUTH:
		if (len < RFB_CHALLENGE_LEN)
			return 0;
		s->phase = RFB_PHASE_CLIENT_INIT;
		return RFB_CHALLENGE_LEN;
	case RFB_PHASE_CLIENT_INIT:
		s->phase = RFB_PHASE_NORMAL;
		return 1;
	case RFB_PHASE_NORMAL:
		need = normal_message(s, buf, len, why_r);
		return need > 0 && (size_t)need > len ? 0 : need;
	}
	*why_r = "lost track of the protocol";
	return -EPROTO;
}
