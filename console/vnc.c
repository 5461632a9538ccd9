/*
 * The VNC display target; see vnc.h.
 */
#include "console/vnc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/input-event-codes.h>
#include <rfb/rfb.h>
#include <rfb/rfbregion.h>	/* FB_UPDATE_PENDING() needs its prototypes */

#include "common/log.h"
#include "common/module.h"
#include "console/keymap.h"
#include "console/vnc_relay.h"
#include "model/config.h"

#define VNC_BASE_PORT 5900
#define VNC_PASSWORD_MAX 8
#define VNC_MAX_VIEWERS 16		/* each costs a relay thread */
#define VNC_ACCEPTS_PER_EVENT 4
#define VNC_LOGIN_TIMEOUT_MS 10000	/* from the connection to the viewer's ClientInit */
#define VNC_STALL_TIMEOUT_MS 10000	/* the longest a viewer may take none of its output */
#define VNC_BACKLOG_HOLD (256u << 10)	/* a viewer with more untaken gets no new update */

struct vnc {
	rfbScreenInfoPtr screen;
	int listen_fd;
	struct event_source listen_src;	/* on the display's loop while started */
	int port;
	struct vnc_relay *greeting[VNC_MAX_VIEWERS];	/* viewers before their RFB version */
	unsigned n_greeting;
	struct vnc_relay *accepting;	/* the relay rfbNewClient() is being given */
	int greeted_fd;			/* eventfd: a relay's greeting is over */
	struct event_source greeted_src;	/* on the display's loop while started */
	struct vnc_output_budget budget;	/* shared by every viewer's relay */
	char password[VNC_PASSWORD_MAX + 1];
	char *passwords[2];		/* libvncserver's list: { password or NULL, NULL } */
	unsigned clients;
	unsigned buttons;
	struct keymap keymap;		/* -k: the guest's layout; empty: US */
};

/* A viewer libvncserver serves: its relay, and libvncserver's socket to it
 * as a loop source, so that its messages (keys, update requests) are read
 * when they come. libvncserver's clientData. */
struct vnc_viewer {
	struct vnc_relay *relay;
	struct event_source src;
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
		struct vnc *v = t->priv;
		unsigned code = keymap_code(&v->keymap, keysym);

		display_key(d, code ? code : vnc_keysym_to_linux(keysym), down);
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
	struct vnc_viewer *vw = cl->clientData;
	const char *why = vnc_relay_end_reason(vw->relay);

	if (v->clients)
		v->clients--;
	/* Without a reason from the relay, libvncserver closed the viewer:
	 * a protocol error, a failed authentication or the server stopping. */
	log_info("vnc: viewer %s left: %s (%u connected)", cl->host, why ? why : "closed by the server",
		 v->clients);
	/* libvncserver closed the socket already (the kernel forgot it); this
	 * forgets events of this round still to come for it. */
	event_loop_del(t->d->loop, &vw->src);
	vnc_relay_free(vw->relay);
	free(vw);
	cl->clientData = NULL;
}

static void on_viewer(struct event_source *src, uint32_t events);

static enum rfbNewClientAction on_new_client(rfbClientPtr cl)
{
	struct display_target *t = cl->screen->screenData;
	struct vnc *v = t->priv;
	struct vnc_viewer *vw = calloc(1, sizeof(*vw));
	char *host = strdup(vnc_relay_peer(v->accepting));

	if (vw)
		event_source_init(&vw->src, cl->sock, on_viewer, t);
	if (!vw || !host || event_loop_add(t->d->loop, &vw->src, EPOLLIN) < 0) {
		free(vw);
		free(host);
		return RFB_CLIENT_REFUSE;
	}
	/* libvncserver only sees a socketpair: name the viewer by its TCP peer. */
	free(cl->host);
	cl->host = host;
	vw->relay = v->accepting;
	cl->clientData = vw;
	v->accepting = NULL;
	v->clients++;
	cl->clientGoneHook = on_client_gone;
	display_activity(t->d);
	log_info("vnc: viewer %s connected (%u connected)", cl->host, v->clients);
	return RFB_CLIENT_ACCEPT;
}

static rfbBool check_password(rfbClientPtr cl, const char *response, int len)
{
	struct display_target *t = cl->screen->screenData;
	struct vnc *v = t->priv;

	if (!v->password[0]) {
		log_warnx("vnc: viewer %s refused: no password is set", cl->host);
		return FALSE;
	}
	if (!rfbCheckPasswordByList(cl, response, len)) {
		log_warnx("vnc: viewer %s: wrong password", cl->host);
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

unsigned vnc_viewers(struct display *d)
{
	struct vnc *v = vnc_of(d);

	return v ? v->clients : 0;
}

size_t vnc_output_held(struct display *d, size_t *max_r)
{
	struct vnc *v = vnc_of(d);

	*max_r = v ? atomic_load(&v->budget.max) : 0;
	return v ? atomic_load(&v->budget.used) : 0;
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

/* The most output one update may take: a full frame (libvncserver's
 * encodings fall back to raw when they would be larger) and change. */
static size_t update_max(const struct display *d)
{
	return (size_t)d->width * (size_t)d->height * 4 + (1u << 20);
}

/*
 * The output all viewers together may leave untaken: room for an update
 * beside a viewer that took none of a full one, so that one viewer that
 * stops reading does not hold back the others. About 130 MiB at 4096x4096,
 * 8 MiB at 1024x768, whatever the number of viewers.
 */
static size_t budget_max(const struct display *d)
{
	return 2 * update_max(d) + VNC_BACKLOG_HOLD;
}

/* Listens on HOST:5900+DISPLAY for the first display from conf that is
 * free. The port, or -errno (logged). */
static int listen_on(const struct display_config *c, int *fd_r)
{
	unsigned last = c->vnc_to > c->vnc_display ? c->vnc_to : c->vnc_display;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_ANY) };
	int one = 1;

	if (c->vnc_host && *c->vnc_host && inet_pton(AF_INET, c->vnc_host, &sa.sin_addr) != 1) {
		log_warnx("vnc: %s is not an IPv4 address", c->vnc_host);
		return -EINVAL;
	}
	for (unsigned disp = c->vnc_display; disp <= last; disp++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			int rc = -errno;

			log_warn("vnc: socket");
			return rc;
		}
		sa.sin_port = htons((uint16_t)(VNC_BASE_PORT + disp));
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 8) == 0) {
			*fd_r = fd;
			return VNC_BASE_PORT + (int)disp;
		}
		close(fd);
	}
	log_warnx("vnc: cannot listen on port %u%s", VNC_BASE_PORT + c->vnc_display,
		  last > c->vnc_display ? " or the following ones" : "");
	return -EADDRINUSE;
}

static void on_listen(struct event_source *src, uint32_t events);
static void on_greeted(struct event_source *src, uint32_t events);

static int vnc_start(struct display_target *t)
{
	const struct display_config *c = t->conf;
	struct vnc *v = t->priv;
	struct display *d = t->d;
	int argc = 1;
	char arg0[] = "xenlaunch", *argv[] = { arg0, NULL };
	const char *host = c->vnc_host && *c->vnc_host ? c->vnc_host : "0.0.0.0";
	rfbScreenInfoPtr s;
	int rc;

	v->listen_fd = -1;
	v->greeted_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (v->greeted_fd < 0) {
		rc = -errno;
		log_warn("vnc: eventfd");
		return rc;
	}
	if (c->keymap && (rc = keymap_load(c->keymap, &v->keymap)) < 0)
		goto fail;
	v->port = listen_on(c, &v->listen_fd);
	if (v->port < 0) {
		rc = v->port;
		goto fail;
	}
	rfbLog = vnc_log;
	rfbErr = vnc_log;
	s = rfbGetScreen(&argc, argv, d->width, d->height, 8, 3, 4);
	if (!s) {
		rc = -ENOMEM;
		goto fail;
	}
	s->frameBuffer = (char *)d->pixels;
	set_format(s);
	s->desktopName = "xenlaunch";
	s->screenData = t;
	s->alwaysShared = TRUE;
	s->deferUpdateTime = 0;
	/* We listen and hand libvncserver each viewer through a relay. */
	s->autoPort = FALSE;
	s->port = 0;
	s->ipv6port = 0;
	s->httpPort = 0;
	s->kbdAddEvent = on_key;
	s->ptrAddEvent = on_pointer;
	s->newClientHook = on_new_client;
	if (c->vnc_password) {
		v->passwords[0] = NULL;
		v->passwords[1] = NULL;
		s->authPasswdData = v->passwords;
		s->passwordCheck = check_password;
	}
	rfbInitServer(s);
	v->screen = s;
	/* New viewers and finished greetings are loop events, served at once. */
	event_source_init(&v->listen_src, v->listen_fd, on_listen, t);
	event_source_init(&v->greeted_src, v->greeted_fd, on_greeted, t);
	if ((rc = event_loop_add(d->loop, &v->listen_src, EPOLLIN)) < 0 ||
	    (rc = event_loop_add(d->loop, &v->greeted_src, EPOLLIN)) < 0) {
		errno = -rc;
		log_warn("vnc: event loop");
		event_loop_del(d->loop, &v->listen_src);
		rfbScreenCleanup(s);
		v->screen = NULL;
		goto fail;
	}
	atomic_init(&v->budget.used, 0);
	atomic_init(&v->budget.max, budget_max(d));
	log_info("vnc: listening on %s:%d (display :%d)%s", host, v->port,
		 v->port - VNC_BASE_PORT, c->vnc_password ? ", password required" : "");
	/* As in QEMU, -vnc :N listens on every address and asks for no
	 * password: say so, as whoever reaches the port has the guest's
	 * screen, keyboard and pointer; a warning unless only this host can. */
	if (!c->vnc_password && !strncmp(host, "127.", 4))
		log_info("vnc: VNC server on %s:%d without a password", host, v->port);
	else if (!c->vnc_password)
		log_warnx("vnc: VNC server on %s:%d without a password", host, v->port);
	return 0;
fail:
	if (v->listen_fd >= 0)
		close(v->listen_fd);
	v->listen_fd = -1;
	close(v->greeted_fd);
	keymap_dispose(&v->keymap);
	return rc;
}

static void vnc_stop(struct display_target *t)
{
	struct vnc *v = t->priv;

	if (!v->screen)
		return;
	/* Every viewer goes (on_client_gone() frees its relay), then the
	 * listener. */
	rfbShutdownServer(v->screen, TRUE);
	rfbScreenCleanup(v->screen);
	while (v->n_greeting)
		vnc_relay_free(v->greeting[--v->n_greeting]);
	v->screen = NULL;
	event_loop_del(t->d->loop, &v->listen_src);
	event_loop_del(t->d->loop, &v->greeted_src);
	close(v->listen_fd);
	v->listen_fd = -1;
	close(v->greeted_fd);
	keymap_dispose(&v->keymap);
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
	atomic_store(&v->budget.max, budget_max(t->d));
	rfbMarkRectAsModified(v->screen, 0, 0, t->d->width, t->d->height);
}

/* Takes the viewers waiting on the listening socket, each through a relay
 * that greets it. */
static void accept_viewers(struct display_target *t)
{
	const struct display_config *c = t->conf;
	struct vnc *v = t->priv;
	struct vnc_relay_params params = {
		.vnc_auth = c->vnc_password,
		.login_timeout_ms = c->vnc_login_timeout_ms ? c->vnc_login_timeout_ms :
							      VNC_LOGIN_TIMEOUT_MS,
		.stall_timeout_ms = c->vnc_stall_timeout_ms ? c->vnc_stall_timeout_ms :
							      VNC_STALL_TIMEOUT_MS,
		.budget = &v->budget,
		.notify_fd = v->greeted_fd,
	};

	for (int i = 0; i < VNC_ACCEPTS_PER_EVENT; i++) {
		struct sockaddr_in sa;
		socklen_t len = sizeof(sa);
		char peer[INET_ADDRSTRLEN + 8], host[INET_ADDRSTRLEN];
		int fd, rc;

		fd = accept4(v->listen_fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED &&
			    errno != EINTR)
				log_warn("vnc: accept");
			return;
		}
		inet_ntop(AF_INET, &sa.sin_addr, host, sizeof(host));
		snprintf(peer, sizeof(peer), "%s:%u", host, ntohs(sa.sin_port));
		if (v->clients + v->n_greeting >= VNC_MAX_VIEWERS) {
			log_warnx("vnc: viewer %s refused: %d viewers are connected", peer,
				  VNC_MAX_VIEWERS);
			close(fd);
			continue;
		}
		rc = vnc_relay_start(fd, peer, &params, &v->greeting[v->n_greeting]);
		if (rc < 0) {
			errno = -rc;
			log_warn("vnc: viewer %s", peer);
			continue;
		}
		v->n_greeting++;
		display_activity(t->d);
	}
}

/* Hands libvncserver the viewers that answered the greeting. */
static void serve_greeted_viewers(struct display_target *t)
{
	struct vnc *v = t->priv;

	for (unsigned i = 0; i < v->n_greeting;) {
		struct vnc_relay *r = v->greeting[i];
		int fd, rc = vnc_relay_ready(r, &fd);

		if (rc == 0) {
			i++;
			continue;
		}
		v->greeting[i] = v->greeting[--v->n_greeting];
		if (rc < 0) {
			log_info("vnc: viewer %s dropped: %s", vnc_relay_peer(r),
				 vnc_relay_end_reason(r));
			vnc_relay_free(r);
			continue;
		}
		/* on_new_client() takes the relay; when libvncserver refuses the
		 * viewer before that, it is still ours. */
		v->accepting = r;
		rfbNewClient(v->screen, fd);
		vnc_relay_free(v->accepting);
		v->accepting = NULL;
	}
}

/* Exported by libvncserver, which declares it the same way for
 * rfbProcessEvents(): the iterator that also yields closed viewers. */
extern rfbClientIteratorPtr rfbGetClientIteratorWithClosed(rfbScreenInfoPtr screen);

static void vnc_poll(struct display_target *t);

/* A viewer sent something (or left): its messages are read now, so that
 * its keys and pointer reach the guest at once; updates still go out from
 * the display's timer, at most one per DISPLAY_POLL_MS as in QEMU. */
static void on_viewer(struct event_source *src, uint32_t events)
{
	struct display_target *t = src->opaque;
	struct vnc *v = t->priv;
	rfbClientIteratorPtr it;
	rfbClientPtr cl, gone;

	if (!v->screen || rfbCheckFds(v->screen, 0) <= 0)
		return;
	display_activity(t->d);
	/* A viewer libvncserver closed goes now, before its socket's number
	 * can be another viewer's (on_client_gone() takes it off the loop). */
	it = rfbGetClientIteratorWithClosed(v->screen);
	cl = rfbClientIteratorNext(it);
	while (cl) {
		gone = cl;
		cl = rfbClientIteratorNext(it);
		if (gone->sock == RFB_INVALID_SOCKET)
			rfbClientConnectionGone(gone);
	}
	rfbReleaseClientIterator(it);
}

/* Viewers wait on the listening socket: each gets a relay that greets it. */
static void on_listen(struct event_source *src, uint32_t events)
{
	accept_viewers(src->opaque);
}

/* A relay finished its greeting: serve the viewer at once. */
static void on_greeted(struct event_source *src, uint32_t events)
{
	struct display_target *t = src->opaque;
	struct vnc *v = t->priv;
	uint64_t n;

	if (read(v->greeted_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("vnc: eventfd");
	vnc_poll(t);
}

/* libvncserver's output to cl that its relay has not read yet: what
 * the socketpair holds. */
static size_t in_flight(rfbClientPtr cl)
{
	int n = 0;

	return ioctl(cl->sock, SIOCOUTQ, &n) == 0 && n > 0 ? (size_t)n : 0;
}

/*
 * rfbProcessEvents() with a zero timeout, but an update starts only for a
 * viewer that has taken its earlier output (all but VNC_BACKLOG_HOLD) and
 * only while the output budget has room for a whole one beside what the
 * relays and their socketpairs hold and the updates started before in this
 * round. A viewer left out keeps its changes in libvncserver's modified
 * region, merged into the update it gets once it catches up. libvncserver
 * reads only whole messages (the relays see to it) and its writes go into
 * the relays, which never make it wait. true when something happened.
 */
static bool serve_round(struct display_target *t)
{
	struct vnc *v = t->priv;
	size_t planned = atomic_load(&v->budget.used), update = update_max(t->d);
	size_t max = atomic_load(&v->budget.max);
	bool busy = rfbCheckFds(v->screen, 0) > 0;
	rfbClientIteratorPtr it = rfbGetClientIterator(v->screen);
	rfbClientPtr cl, gone;

	while ((cl = rfbClientIteratorNext(it)))
		planned += in_flight(cl);
	rfbReleaseClientIterator(it);
	it = rfbGetClientIteratorWithClosed(v->screen);
	cl = rfbClientIteratorNext(it);
	while (cl) {
		if (cl->sock != RFB_INVALID_SOCKET) {
			bool wants = FB_UPDATE_PENDING(cl) && !sraRgnEmpty(cl->requestedRegion);
			struct vnc_viewer *vw = cl->clientData;
			bool room = vnc_relay_backlog(vw->relay) + in_flight(cl) <
					    VNC_BACKLOG_HOLD &&
				    planned + update <= max;

			if (wants && room)
				planned += update;
			/* onHold stops only updates here: libvncserver reads
			 * held viewers' messages too (rfbCheckFds above). */
			cl->onHold = wants && !room;
			busy |= rfbUpdateClient(cl);
			cl->onHold = FALSE;
		}
		/* As rfbProcessEvents(): the next one first, then a closed
		 * viewer goes (on_client_gone() frees its relay). */
		gone = cl;
		cl = rfbClientIteratorNext(it);
		if (gone->sock == RFB_INVALID_SOCKET) {
			rfbClientConnectionGone(gone);
			busy = true;
		}
	}
	rfbReleaseClientIterator(it);
	return busy;
}

static void vnc_poll(struct display_target *t)
{
	struct vnc *v = t->priv;

	if (!v->screen)
		return;
	serve_greeted_viewers(t);
	/* Bounded: a few rounds of reads and updates, never a wait. */
	for (int i = 0; i < 4; i++) {
		if (!serve_round(t))
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

MODULE_EXPORT const struct vnc_module vnc_module = {
	.target = &vnc_target_ops,
	.set_password = vnc_set_password,
	.port = vnc_port,
};
