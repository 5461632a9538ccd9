/*
 * The VNC display target; see vnc.h.
 */
#include "console/vnc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/input-event-codes.h>
#include <rfb/rfb.h>

#include "common/log.h"
#include "launcher/config.h"

#define VNC_BASE_PORT 5900
#define VNC_PASSWORD_MAX 8
#define VNC_MAX_CLIENT_WAIT_MS 5000

struct vnc {
	rfbScreenInfoPtr screen;
	int port;
	char password[VNC_PASSWORD_MAX + 1];
	char *passwords[2];		/* libvncserver's list: { password or NULL, NULL } */
	unsigned clients;
	unsigned buttons;
};

static struct vnc *vnc_of(struct display *d)
{
	for (unsigned i = 0; d && i < d->n_targets; i++)
		if (d->targets[i].ops == &vnc_target_ops && d->targets[i].started)
			return d->targets[i].priv;
	return NULL;
}

/* libvncserver logs to stderr; ours go through common/log. */
static void vnc_log(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_debug("vnc: %s", buf);
}

/* ---- keys ---------------------------------------------------------------- */

struct keymap_entry {
	uint32_t keysym;
	uint16_t code;
};

/* X keysyms (X11/keysymdef.h) to Linux key codes, US layout. */
static const struct keymap_entry keymap[] = {
	{ 0xff08, KEY_BACKSPACE }, { 0xff09, KEY_TAB }, { 0xff0d, KEY_ENTER },
	{ 0xff1b, KEY_ESC }, { 0xffff, KEY_DELETE }, { 0xff50, KEY_HOME },
	{ 0xff51, KEY_LEFT }, { 0xff52, KEY_UP }, { 0xff53, KEY_RIGHT }, { 0xff54, KEY_DOWN },
	{ 0xff55, KEY_PAGEUP }, { 0xff56, KEY_PAGEDOWN }, { 0xff57, KEY_END },
	{ 0xff63, KEY_INSERT }, { 0xff13, KEY_PAUSE }, { 0xff14, KEY_SCROLLLOCK },
	{ 0xff61, KEY_SYSRQ }, { 0xff7f, KEY_NUMLOCK }, { 0xff8d, KEY_KPENTER },
	{ 0xffe1, KEY_LEFTSHIFT }, { 0xffe2, KEY_RIGHTSHIFT }, { 0xffe3, KEY_LEFTCTRL },
	{ 0xffe4, KEY_RIGHTCTRL }, { 0xffe5, KEY_CAPSLOCK }, { 0xffe7, KEY_LEFTMETA },
	{ 0xffe8, KEY_RIGHTMETA }, { 0xffe9, KEY_LEFTALT }, { 0xffea, KEY_RIGHTALT },
	{ 0xffeb, KEY_LEFTMETA }, { 0xffec, KEY_RIGHTMETA }, { 0xfe03, KEY_RIGHTALT },
	{ 0xffbe, KEY_F1 }, { 0xffbf, KEY_F2 }, { 0xffc0, KEY_F3 }, { 0xffc1, KEY_F4 },
	{ 0xffc2, KEY_F5 }, { 0xffc3, KEY_F6 }, { 0xffc4, KEY_F7 }, { 0xffc5, KEY_F8 },
	{ 0xffc6, KEY_F9 }, { 0xffc7, KEY_F10 }, { 0xffc8, KEY_F11 }, { 0xffc9, KEY_F12 },
	{ 0xffaa, KEY_KPASTERISK }, { 0xffab, KEY_KPPLUS }, { 0xffad, KEY_KPMINUS },
	{ 0xffaf, KEY_KPSLASH }, { 0xffae, KEY_KPDOT },
};

/* Printable ASCII, unshifted and shifted, US layout. */
static const char ascii_plain[] = "1234567890-=qwertyuiop[]asdfghjkl;'`\\zxcvbnm,./ ";
static const char ascii_shift[] = "!@#$%^&*()_+QWERTYUIOP{}ASDFGHJKL:\"~|ZXCVBNM<>? ";
static const uint16_t ascii_codes[] = {
	KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8, KEY_9, KEY_0, KEY_MINUS,
	KEY_EQUAL, KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O, KEY_P,
	KEY_LEFTBRACE, KEY_RIGHTBRACE, KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K,
	KEY_L, KEY_SEMICOLON, KEY_APOSTROPHE, KEY_GRAVE, KEY_BACKSLASH, KEY_Z, KEY_X, KEY_C,
	KEY_V, KEY_B, KEY_N, KEY_M, KEY_COMMA, KEY_DOT, KEY_SLASH, KEY_SPACE,
};

unsigned vnc_keysym_to_linux(uint32_t keysym)
{
	const char *p;

	_Static_assert(sizeof(ascii_plain) == sizeof(ascii_shift), "keymap rows");
	_Static_assert(sizeof(ascii_plain) - 1 == sizeof(ascii_codes) / sizeof(ascii_codes[0]),
		       "keymap codes");
	if (keysym >= 0x20 && keysym < 0x7f) {
		if ((p = strchr(ascii_plain, (int)keysym)))
			return ascii_codes[p - ascii_plain];
		if ((p = strchr(ascii_shift, (int)keysym)))
			return ascii_codes[p - ascii_shift];
		return 0;
	}
	if (keysym >= 0xffb0 && keysym <= 0xffb9) {	/* keypad digits */
		static const uint16_t kp[] = { KEY_KP0, KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4,
					       KEY_KP5, KEY_KP6, KEY_KP7, KEY_KP8, KEY_KP9 };
		return kp[keysym - 0xffb0];
	}
	for (size_t i = 0; i < sizeof(keymap) / sizeof(keymap[0]); i++)
		if (keymap[i].keysym == keysym)
			return keymap[i].code;
	return 0;
}

/* What a key means to the text console, for when the guest has no vkbd. */
static size_t keysym_to_text(uint32_t keysym, char *buf)
{
	static const struct { uint32_t keysym; const char *seq; } seqs[] = {
		{ 0xff0d, "\r" }, { 0xff08, "\x7f" }, { 0xff09, "\t" }, { 0xff1b, "\x1b" },
		{ 0xff52, "\x1b[A" }, { 0xff54, "\x1b[B" }, { 0xff53, "\x1b[C" }, { 0xff51, "\x1b[D" },
		{ 0xff50, "\x1b[H" }, { 0xff57, "\x1b[F" }, { 0xffff, "\x1b[3~" },
	};

	if (keysym >= 0x20 && keysym < 0x7f) {
		buf[0] = (char)keysym;
		return 1;
	}
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		if (seqs[i].keysym == keysym) {
			size_t n = strlen(seqs[i].seq);

			memcpy(buf, seqs[i].seq, n);
			return n;
		}
	return 0;
}

static void on_key(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
	struct display_target *t = cl->screen->screenData;
	struct display *d = t->d;
	char text[8];
	size_t n;

	if (display_wants_keycodes(d)) {
		display_key(d, vnc_keysym_to_linux(keysym), down);
		return;
	}
	if (down && (n = keysym_to_text(keysym, text)))
		display_text(d, text, n);
}

static void on_pointer(int mask, int x, int y, rfbClientPtr cl)
{
	struct display_target *t = cl->screen->screenData;
	struct vnc *v = t->priv;
	int wheel = 0;

	/* RFB buttons: 1 left, 2 middle, 4 right, 8 wheel up, 16 wheel down. */
	if (mask & 8)
		wheel = 1;
	else if (mask & 16)
		wheel = -1;
	v->buttons = (unsigned)mask & 7;
	if (x < 0)
		x = 0;
	if (y < 0)
		y = 0;
	display_pointer(t->d, x, y, v->buttons, wheel);
}

/* ---- viewers and authentication ----------------------------------------- */

static void on_client_gone(rfbClientPtr cl)
{
	struct display_target *t = cl->screen->screenData;
	struct vnc *v = t->priv;

	if (v->clients)
		v->clients--;
	log_info("vnc: viewer %s left (%u connected)", cl->host ? cl->host : "?", v->clients);
}

static enum rfbNewClientAction on_new_client(rfbClientPtr cl)
{
	struct display_target *t = cl->screen->screenData;
	struct vnc *v = t->priv;

	v->clients++;
	cl->clientGoneHook = on_client_gone;
	display_activity(t->d);
	log_info("vnc: viewer %s connected (%u connected)", cl->host ? cl->host : "?", v->clients);
	return RFB_CLIENT_ACCEPT;
}

static rfbBool check_password(rfbClientPtr cl, const char *response, int len)
{
	struct display_target *t = cl->screen->screenData;
	struct vnc *v = t->priv;

	if (!v->password[0]) {
		log_warnx("vnc: viewer %s refused: no password is set", cl->host ? cl->host : "?");
		return FALSE;
	}
	if (!rfbCheckPasswordByList(cl, response, len)) {
		log_warnx("vnc: viewer %s: wrong password", cl->host ? cl->host : "?");
		return FALSE;
	}
	return TRUE;
}

int vnc_set_password(struct display *d, const char *password)
{
	struct vnc *v = vnc_of(d);

	if (!v)
		return -ENODEV;
	if (!v->screen->authPasswdData)
		return -EPERM;
	snprintf(v->password, sizeof(v->password), "%s", password);
	v->passwords[0] = v->password[0] ? v->password : NULL;
	return 0;
}

int vnc_port(struct display *d)
{
	struct vnc *v = vnc_of(d);

	return v ? v->port : -1;
}

/* ---- the target ---------------------------------------------------------- */

static void set_format(rfbScreenInfoPtr s)
{
	/* The surface's XRGB8888 in host order. */
	s->serverFormat.redShift = 16;
	s->serverFormat.greenShift = 8;
	s->serverFormat.blueShift = 0;
	s->serverFormat.redMax = s->serverFormat.greenMax = s->serverFormat.blueMax = 255;
}

static int vnc_start(struct display_target *t)
{
	const struct display_config *c = t->conf;
	struct vnc *v = t->priv;
	struct display *d = t->d;
	int argc = 1;
	char arg0[] = "xenlaunch", *argv[] = { arg0, NULL };
	unsigned last = c->vnc_to > c->vnc_display ? c->vnc_to : c->vnc_display;

	rfbLog = vnc_log;
	rfbErr = vnc_log;
	rfbMaxClientWait = VNC_MAX_CLIENT_WAIT_MS;
	for (unsigned disp = c->vnc_display; disp <= last; disp++) {
		rfbScreenInfoPtr s = rfbGetScreen(&argc, argv, d->width, d->height, 8, 3, 4);

		if (!s)
			return -ENOMEM;
		s->frameBuffer = (char *)d->pixels;
		set_format(s);
		s->desktopName = "xenlaunch";
		s->screenData = t;
		s->alwaysShared = TRUE;
		s->deferUpdateTime = 0;
		s->autoPort = FALSE;
		s->port = VNC_BASE_PORT + (int)disp;
		s->ipv6port = 0;	/* IPv4 only: HOST is an IPv4 address */
		s->httpPort = 0;
		s->kbdAddEvent = on_key;
		s->ptrAddEvent = on_pointer;
		s->newClientHook = on_new_client;
		if (c->vnc_host && *c->vnc_host) {
			struct in_addr a;

			if (inet_pton(AF_INET, c->vnc_host, &a) != 1) {
				log_warnx("vnc: %s is not an IPv4 address", c->vnc_host);
				rfbScreenCleanup(s);
				return -EINVAL;
			}
			s->listenInterface = a.s_addr;
		}
		if (c->vnc_password) {
			v->passwords[0] = NULL;
			v->passwords[1] = NULL;
			s->authPasswdData = v->passwords;
			s->passwordCheck = check_password;
		}
		rfbInitServer(s);
		if (s->listenSock != RFB_INVALID_SOCKET) {
			v->screen = s;
			v->port = s->port;
			log_info("vnc: listening on %s:%d (display :%u)%s",
				 c->vnc_host && *c->vnc_host ? c->vnc_host : "0.0.0.0", s->port, disp,
				 c->vnc_password ? ", password required" : "");
			return 0;
		}
		rfbScreenCleanup(s);
	}
	log_warnx("vnc: cannot listen on port %u%s", VNC_BASE_PORT + c->vnc_display,
		  last > c->vnc_display ? " or the following ones" : "");
	return -EADDRINUSE;
}

static void vnc_stop(struct display_target *t)
{
	struct vnc *v = t->priv;

	if (!v->screen)
		return;
	rfbShutdownServer(v->screen, TRUE);
	rfbScreenCleanup(v->screen);
	v->screen = NULL;
}

static void vnc_update(struct display_target *t, int x, int y, int w, int h)
{
	struct vnc *v = t->priv;

	if (v->screen)
		rfbMarkRectAsModified(v->screen, x, y, x + w, y + h);
}

static void vnc_resize(struct display_target *t)
{
	struct vnc *v = t->priv;

	rfbClientIteratorPtr it;
	rfbClientPtr cl;

	if (!v->screen)
		return;
	rfbNewFramebuffer(v->screen, (char *)t->d->pixels, t->d->width, t->d->height, 8, 3, 4);
	/* rfbNewFramebuffer() brings back its default pixel format: ours
	 * again, and every viewer's translation follows it. */
	set_format(v->screen);
	it = rfbGetClientIterator(v->screen);
	while ((cl = rfbClientIteratorNext(it)))
		rfbSetTranslateFunction(cl);
	rfbReleaseClientIterator(it);
	rfbMarkRectAsModified(v->screen, 0, 0, t->d->width, t->d->height);
}

static void vnc_poll(struct display_target *t)
{
	struct vnc *v = t->priv;

	/* Bounded: a few rounds of accepts, reads and updates, never a wait. */
	for (int i = 0; v->screen && i < 4; i++) {
		if (!rfbProcessEvents(v->screen, 0))
			break;
		display_activity(t->d);	/* updates are being asked for and sent */
	}
}

const struct display_target_ops vnc_target_ops = {
	.name = "vnc",
	.priv_size = sizeof(struct vnc),
	.start = vnc_start,
	.stop = vnc_stop,
	.update = vnc_update,
	.resize = vnc_resize,
	.poll = vnc_poll,
};
