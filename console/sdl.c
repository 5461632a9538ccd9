/*
 * The SDL2 display target; see sdl.h.
 */
#include "console/sdl.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>
#include <linux/input-event-codes.h>

#include "common/log.h"
#include "common/module.h"
#include "console/display.h"

#define SDL_EVENTS_PER_POLL 64

struct sdl {
	SDL_Window *win;
	SDL_Renderer *ren;
	SDL_Texture *tex;
	bool inited;
	bool dirty;
	bool grabbed;
	unsigned buttons;
};

static const struct { int sc; uint16_t code; } scancodes[] = {
	{ SDL_SCANCODE_RETURN, KEY_ENTER }, { SDL_SCANCODE_ESCAPE, KEY_ESC },
	{ SDL_SCANCODE_BACKSPACE, KEY_BACKSPACE }, { SDL_SCANCODE_TAB, KEY_TAB },
	{ SDL_SCANCODE_SPACE, KEY_SPACE }, { SDL_SCANCODE_MINUS, KEY_MINUS },
	{ SDL_SCANCODE_EQUALS, KEY_EQUAL }, { SDL_SCANCODE_LEFTBRACKET, KEY_LEFTBRACE },
	{ SDL_SCANCODE_RIGHTBRACKET, KEY_RIGHTBRACE }, { SDL_SCANCODE_BACKSLASH, KEY_BACKSLASH },
	{ SDL_SCANCODE_SEMICOLON, KEY_SEMICOLON }, { SDL_SCANCODE_APOSTROPHE, KEY_APOSTROPHE },
	{ SDL_SCANCODE_GRAVE, KEY_GRAVE }, { SDL_SCANCODE_COMMA, KEY_COMMA },
	{ SDL_SCANCODE_PERIOD, KEY_DOT }, { SDL_SCANCODE_SLASH, KEY_SLASH },
	{ SDL_SCANCODE_CAPSLOCK, KEY_CAPSLOCK }, { SDL_SCANCODE_PRINTSCREEN, KEY_SYSRQ },
	{ SDL_SCANCODE_SCROLLLOCK, KEY_SCROLLLOCK }, { SDL_SCANCODE_PAUSE, KEY_PAUSE },
	{ SDL_SCANCODE_INSERT, KEY_INSERT }, { SDL_SCANCODE_HOME, KEY_HOME },
	{ SDL_SCANCODE_PAGEUP, KEY_PAGEUP }, { SDL_SCANCODE_DELETE, KEY_DELETE },
	{ SDL_SCANCODE_END, KEY_END }, { SDL_SCANCODE_PAGEDOWN, KEY_PAGEDOWN },
	{ SDL_SCANCODE_RIGHT, KEY_RIGHT }, { SDL_SCANCODE_LEFT, KEY_LEFT },
	{ SDL_SCANCODE_DOWN, KEY_DOWN }, { SDL_SCANCODE_UP, KEY_UP },
	{ SDL_SCANCODE_NUMLOCKCLEAR, KEY_NUMLOCK }, { SDL_SCANCODE_KP_DIVIDE, KEY_KPSLASH },
	{ SDL_SCANCODE_KP_MULTIPLY, KEY_KPASTERISK }, { SDL_SCANCODE_KP_MINUS, KEY_KPMINUS },
	{ SDL_SCANCODE_KP_PLUS, KEY_KPPLUS }, { SDL_SCANCODE_KP_ENTER, KEY_KPENTER },
	{ SDL_SCANCODE_KP_PERIOD, KEY_KPDOT }, { SDL_SCANCODE_KP_0, KEY_KP0 },
	{ SDL_SCANCODE_LCTRL, KEY_LEFTCTRL }, { SDL_SCANCODE_LSHIFT, KEY_LEFTSHIFT },
	{ SDL_SCANCODE_LALT, KEY_LEFTALT }, { SDL_SCANCODE_LGUI, KEY_LEFTMETA },
	{ SDL_SCANCODE_RCTRL, KEY_RIGHTCTRL }, { SDL_SCANCODE_RSHIFT, KEY_RIGHTSHIFT },
	{ SDL_SCANCODE_RALT, KEY_RIGHTALT }, { SDL_SCANCODE_RGUI, KEY_RIGHTMETA },
	{ SDL_SCANCODE_F11, KEY_F11 }, { SDL_SCANCODE_F12, KEY_F12 },
};

unsigned sdl_scancode_to_linux(int sc)
{
	static const uint16_t letters[26] = {
		KEY_A, KEY_B, KEY_C, KEY_D, KEY_E, KEY_F, KEY_G, KEY_H, KEY_I, KEY_J, KEY_K, KEY_L,
		KEY_M, KEY_N, KEY_O, KEY_P, KEY_Q, KEY_R, KEY_S, KEY_T, KEY_U, KEY_V, KEY_W, KEY_X,
		KEY_Y, KEY_Z,
	};
	static const uint16_t kp[9] = { KEY_KP1, KEY_KP2, KEY_KP3, KEY_KP4, KEY_KP5, KEY_KP6,
					KEY_KP7, KEY_KP8, KEY_KP9 };

	if (sc >= SDL_SCANCODE_A && sc <= SDL_SCANCODE_Z)
		return letters[sc - SDL_SCANCODE_A];
	if (sc >= SDL_SCANCODE_1 && sc <= SDL_SCANCODE_9)
		return KEY_1 + (unsigned)(sc - SDL_SCANCODE_1);
	if (sc == SDL_SCANCODE_0)
		return KEY_0;
	if (sc >= SDL_SCANCODE_F1 && sc <= SDL_SCANCODE_F10)
		return KEY_F1 + (unsigned)(sc - SDL_SCANCODE_F1);
	if (sc >= SDL_SCANCODE_KP_1 && sc <= SDL_SCANCODE_KP_9)
		return kp[sc - SDL_SCANCODE_KP_1];
	for (size_t i = 0; i < sizeof(scancodes) / sizeof(scancodes[0]); i++)
		if (scancodes[i].sc == sc)
			return scancodes[i].code;
	return 0;
}

static int make_texture(struct sdl *s, struct display *d)
{
	if (s->tex)
		SDL_DestroyTexture(s->tex);
	s->tex = SDL_CreateTexture(s->ren, SDL_PIXELFORMAT_RGB888, SDL_TEXTUREACCESS_STREAMING,
				   d->width, d->height);
	if (!s->tex) {
		log_warnx("sdl: texture %dx%d: %s", d->width, d->height, SDL_GetError());
		return -ENOMEM;
	}
	SDL_UpdateTexture(s->tex, NULL, d->pixels, d->width * 4);
	s->dirty = true;
	return 0;
}

static void sdl_stop(struct display_target *t)
{
	struct sdl *s = t->priv;

	if (s->tex)
		SDL_DestroyTexture(s->tex);
	if (s->ren)
		SDL_DestroyRenderer(s->ren);
	if (s->win)
		SDL_DestroyWindow(s->win);
	s->tex = NULL;
	s->ren = NULL;
	s->win = NULL;
	if (s->inited)
		SDL_QuitSubSystem(SDL_INIT_VIDEO);
	s->inited = false;
}

static int sdl_start(struct display_target *t)
{
	struct sdl *s = t->priv;
	struct display *d = t->d;

	if (!getenv("DISPLAY") && !getenv("WAYLAND_DISPLAY"))
		setenv("SDL_VIDEODRIVER", "offscreen", 0);
	if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
		log_warnx("sdl: %s", SDL_GetError());
		return -ENODEV;
	}
	s->inited = true;
	s->win = SDL_CreateWindow("xenlaunch", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
				  d->width, d->height, 0);
	if (s->win)
		s->ren = SDL_CreateRenderer(s->win, -1, SDL_RENDERER_SOFTWARE);
	if (!s->win || !s->ren || make_texture(s, d) < 0) {
		log_warnx("sdl: window: %s", SDL_GetError());
		sdl_stop(t);
		return -ENODEV;
	}
	log_info("sdl: window %dx%d (video driver %s)", d->width, d->height,
		 SDL_GetCurrentVideoDriver());
	return 0;
}

static void sdl_update(struct display_target *t, int x, int y, int w, int h)
{
	struct sdl *s = t->priv;
	struct display *d = t->d;
	SDL_Rect r = { x, y, w, h };

	if (!s->tex)
		return;
	SDL_UpdateTexture(s->tex, &r, d->pixels + (size_t)y * d->width + x, d->width * 4);
	s->dirty = true;
}

static void sdl_resize(struct display_target *t)
{
	struct sdl *s = t->priv;

	if (!s->win)
		return;
	SDL_SetWindowSize(s->win, t->d->width, t->d->height);
	make_texture(s, t->d);
}

static void set_grab(struct sdl *s, bool on)
{
	s->grabbed = on;
	SDL_SetWindowGrab(s->win, on ? SDL_TRUE : SDL_FALSE);
	SDL_SetRelativeMouseMode(SDL_FALSE);
	SDL_SetWindowTitle(s->win, on ? "xenlaunch - press Ctrl-Alt-G to release" : "xenlaunch");
}

static void on_key(struct display_target *t, const SDL_KeyboardEvent *k)
{
	struct sdl *s = t->priv;
	struct display *d = t->d;
	static const struct { SDL_Keycode sym; const char *seq; } seqs[] = {
		{ SDLK_RETURN, "\r" }, { SDLK_BACKSPACE, "\x7f" }, { SDLK_TAB, "\t" },
		{ SDLK_ESCAPE, "\x1b" }, { SDLK_UP, "\x1b[A" }, { SDLK_DOWN, "\x1b[B" },
		{ SDLK_RIGHT, "\x1b[C" }, { SDLK_LEFT, "\x1b[D" },
	};

	if (k->type == SDL_KEYDOWN && k->keysym.scancode == SDL_SCANCODE_G &&
	    (k->keysym.mod & KMOD_CTRL) && (k->keysym.mod & KMOD_ALT)) {
		set_grab(s, !s->grabbed);
		return;
	}
	if (display_wants_keycodes(d)) {
		display_key(d, sdl_scancode_to_linux(k->keysym.scancode), k->type == SDL_KEYDOWN);
		return;
	}
	if (k->type != SDL_KEYDOWN)
		return;
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		if (seqs[i].sym == k->keysym.sym)
			display_text(d, seqs[i].seq, strlen(seqs[i].seq));
}

static void sdl_poll(struct display_target *t)
{
	struct sdl *s = t->priv;
	struct display *d = t->d;
	SDL_Event e;
	int x, y;

	for (int i = 0; i < SDL_EVENTS_PER_POLL && SDL_PollEvent(&e); i++) {
		switch (e.type) {
		case SDL_QUIT:
			log_info("sdl: window closed");
			kill(getpid(), SIGTERM);
			break;
		case SDL_KEYDOWN:
		case SDL_KEYUP:
			on_key(t, &e.key);
			break;
		case SDL_TEXTINPUT:
			display_text(d, e.text.text, strlen(e.text.text));
			break;
		case SDL_MOUSEMOTION:
			display_pointer(d, e.motion.x, e.motion.y, s->buttons, 0);
			break;
		case SDL_MOUSEBUTTONDOWN:
		case SDL_MOUSEBUTTONUP: {
			unsigned bit = e.button.button == SDL_BUTTON_LEFT ? 1 :
				       e.button.button == SDL_BUTTON_MIDDLE ? 2 :
				       e.button.button == SDL_BUTTON_RIGHT ? 4 : 0;

			if (e.type == SDL_MOUSEBUTTONDOWN)
				s->buttons |= bit;
			else
				s->buttons &= ~bit;
			display_pointer(d, e.button.x, e.button.y, s->buttons, 0);
			break;
		}
		case SDL_MOUSEWHEEL:
			SDL_GetMouseState(&x, &y);
			display_pointer(d, x, y, s->buttons, e.wheel.y > 0 ? 1 : e.wheel.y < 0 ? -1 : 0);
			break;
		case SDL_WINDOWEVENT:
			if (e.window.event == SDL_WINDOWEVENT_EXPOSED)
				s->dirty = true;
			break;
		default:
			break;
		}
	}
	if (s->dirty && s->ren && s->tex) {
		SDL_RenderClear(s->ren);
		SDL_RenderCopy(s->ren, s->tex, NULL, NULL);
		SDL_RenderPresent(s->ren);
		s->dirty = false;
	}
}

static int sdl_screendump(struct display_target *t, const char *path)
{
	struct sdl *s = t->priv;
	struct display *d = t->d;
	uint32_t *buf;
	int rc;

	if (!s->ren || !s->tex)
		return -ENODEV;
	buf = malloc((size_t)d->width * d->height * 4);
	if (!buf)
		return -ENOMEM;
	/* What the window shows: the texture drawn by the renderer, read back. */
	SDL_RenderClear(s->ren);
	SDL_RenderCopy(s->ren, s->tex, NULL, NULL);
	if (SDL_RenderReadPixels(s->ren, NULL, SDL_PIXELFORMAT_RGB888, buf, d->width * 4) < 0) {
		log_warnx("sdl: read back: %s", SDL_GetError());
		rc = -EIO;
	} else {
		rc = display_write_ppm(path, buf, d->width, d->height, (size_t)d->width * 4);
	}
	SDL_RenderPresent(s->ren);
	free(buf);
	return rc;
}

MODULE_EXPORT const struct display_target_ops sdl_target_ops = {
	.name = "sdl",
	.priv_size = sizeof(struct sdl),
	.start = sdl_start,
	.stop = sdl_stop,
	.update = sdl_update,
	.resize = sdl_resize,
	.poll = sdl_poll,
	.screendump = sdl_screendump,
};
