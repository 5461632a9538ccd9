/*
 * The graphical console: one surface that a source draws and that display
 * targets (VNC, SDL) show, and one input path from the targets back to the
 * guest.
 *
 *   sources   the text console (console/textscreen: libvterm cells drawn
 *             with a PSF font) until the guest has a framebuffer, then the
 *             guest's framebuffer (console/vfb); when the framebuffer goes
 *             away the text console is shown again.
 *   surface   XRGB8888 (0x00RRGGBB in a host-endian uint32_t), width *
 *             height pixels, stride width * 4. It doubles as the shadow
 *             copy of the guest framebuffer: display_copy_from() converts
 *             the guest's pixels into it and reports as damage only the part
 *             that really changed.
 *   targets   kvmtool's pattern: a table of operations, {start, stop} plus
 *             update/resize/poll. Each target keeps its own copy or view of
 *             the surface; update() says which rectangle changed.
 *   input     targets call display_key(), display_pointer() and
 *             display_text(); keys and pointer go to the guest's vkbd while
 *             the guest's framebuffer is shown and a vkbd is connected
 *             (display_wants_keycodes()), text goes to the text console's
 *             input while the text console is shown, as in QEMU where the
 *             console on screen gets the keyboard.
 *
 * There is one display per process: the launcher registers the vfb and
 * vkbd backends with it as their context. Everything runs on the event loop's thread, and
 * the display starts on the launcher's loop, before the boot menu (shown
 * on it). What has a descriptor is a loop source of its own target (the VNC
 * listening socket, its relays' eventfd and its viewers' sockets, on the
 * loop from start() to stop()); what has none (SDL's window events, the
 * updates sent, batched as QEMU's refresh timer does) is polled from one timer
 * of the display: every DISPLAY_POLL_MS while something happens (damage,
 * input, a viewer's request), every DISPLAY_IDLE_POLL_MS after a second of
 * quiet, so that an idle display with viewers connected costs next to
 * nothing.
 */
#ifndef CONSOLE_DISPLAY_H
#define CONSOLE_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/event_loop.h"

#define DISPLAY_POLL_MS 33		/* ~30 Hz, QEMU's refresh rate, while active */
#define DISPLAY_IDLE_POLL_MS 250	/* after DISPLAY_ACTIVE_MS without activity */
#define DISPLAY_ACTIVE_MS 1000
#define DISPLAY_MAX_TARGETS 4
#define DISPLAY_MAX_WIDTH 4096
#define DISPLAY_MAX_HEIGHT 4096

struct display;
struct display_target;

struct display_target_ops {
	const char *name;		/* "vnc", "sdl" */
	size_t priv_size;		/* zeroed, at target->priv */
	/* Opens the target for the current surface; its descriptors join
	 * t->d->loop. 0 or -errno (logged). */
	int (*start)(struct display_target *t);
	/* Closes it; idempotent. */
	void (*stop)(struct display_target *t);
	/* Pixels in the rectangle changed (already clipped to the surface). */
	void (*update)(struct display_target *t, int x, int y, int w, int h);
	/* The surface has a new size; its whole content is new. */
	void (*resize)(struct display_target *t);
	/* Called from the display's timer: window events, updates to send. */
	void (*poll)(struct display_target *t);
	/* Optional: writes what the target shows as a binary PPM. 0 or -errno. */
	int (*screendump)(struct display_target *t, const char *path);
};

struct display_target {
	const struct display_target_ops *ops;
	struct display *d;
	const void *conf;		/* the target's own settings, borrowed */
	bool started;
	void *priv;
};

/* What the guest's keyboard and pointer device does with input (vkbd). */
struct display_input_ops {
	void (*key)(void *opaque, unsigned linux_keycode, bool down);
	/* Absolute position in surface pixels; buttons: bit 0 left, 1 middle,
	 * 2 right; wheel: clicks, positive = up. */
	void (*pointer)(void *opaque, int x, int y, unsigned buttons, int wheel);
};

enum display_source {
	DISPLAY_SOURCE_TEXT,		/* the text console */
	DISPLAY_SOURCE_GUEST,		/* the guest's framebuffer */
};

struct display {
	uint32_t *pixels;		/* the surface; NULL before the first resize */
	int width, height;
	enum display_source source;
	struct display_target targets[DISPLAY_MAX_TARGETS];
	unsigned n_targets;
	struct event_loop *loop;	/* borrowed */
	struct event_source timer_src;
	int timer_fd;
	bool fast;			/* the timer runs at DISPLAY_POLL_MS */
	unsigned quiet_ticks;		/* fast ticks since the last activity */
	/* Input: the guest's vkbd while connected. */
	const struct display_input_ops *input;
	void *input_opaque;
	/* Text typed while no vkbd is connected: to the text console. */
	void (*text_input)(void *opaque, const char *bytes, size_t len);
	void *text_opaque;
	/* Redraws the text console into the surface (display_source_text()). */
	void (*text_redraw)(void *opaque);
	void *text_redraw_opaque;
};

void display_init(struct display *d);
/* Adds a target before display_start(); conf is borrowed. 0 or -errno. */
int display_add_target(struct display *d, const struct display_target_ops *ops,
		       const void *conf);
/* Makes an initial surface of width x height, starts the poll timer and
 * the targets on loop (borrowed until display_dispose()). 0 or -errno
 * (logged). */
int display_start(struct display *d, struct event_loop *loop, int width, int height);
/* Something happened (a viewer connected, asked for an update...): poll at
 * the fast rate for the next DISPLAY_ACTIVE_MS. Damage and input count
 * already. */
void display_activity(struct display *d);
/* Stops the targets and the timer, frees the surface. Idempotent. */
void display_dispose(struct display *d);

/* A new surface size (1..DISPLAY_MAX_*); content black; targets resized.
 * No-op when unchanged. 0, -EINVAL or -ENOMEM (the old surface is kept). */
int display_resize(struct display *d, int width, int height);
/* The rectangle changed: clipped to the surface, passed to the targets. */
void display_damage(struct display *d, int x, int y, int w, int h);

/*
 * Copies the rectangle (x, y, w, h), already clipped by the caller to both
 * the source and the surface, from a guest framebuffer: src points at pixel
 * (0, 0), rows stride bytes apart, depth 8 (RGB332), 16 (RGB565), 24
 * (BGR packed) or 32 (XRGB8888). Damage is reported only for the bounding
 * box of the pixels that differ from the surface. Returns how many rows held
 * a change.
 */
int display_copy_from(struct display *d, const uint8_t *src, size_t stride, int depth,
		      int x, int y, int w, int h);

/* Who draws: the guest framebuffer takes over (the caller resizes and
 * copies), or the text console comes back (redrawn at once). */
void display_source_guest(struct display *d);
void display_source_text(struct display *d);

/* The guest's vkbd registers (NULL ops: unregisters). */
void display_set_input(struct display *d, const struct display_input_ops *ops, void *opaque);

/* True when keys should be sent as key codes (display_key) rather than
 * as text (display_text): the guest's framebuffer is shown and its vkbd is
 * connected. */
bool display_wants_keycodes(const struct display *d);

/* From targets. */
void display_key(struct display *d, unsigned linux_keycode, bool down);
void display_pointer(struct display *d, int x, int y, unsigned buttons, int wheel);
/* Bytes for the text console (dropped while display_wants_keycodes()). */
void display_text(struct display *d, const char *bytes, size_t len);

/* Writes the surface, or what a target that can read back shows (SDL), as
 * a binary PPM (P6) to path. 0 or -errno. */
int display_screendump(struct display *d, const char *path);
/* Writes w x h XRGB8888 pixels (stride bytes apart) as a PPM. 0 or -errno. */
int display_write_ppm(const char *path, const uint32_t *pixels, int w, int h, size_t stride);

/* The display targets (console/vnc.c, console/sdl.c). Each is built into a
 * module of its own (common/module.h): display-vnc exports vnc_module
 * (console/vnc.h), display-sdl exports sdl_target_ops. */
extern const struct display_target_ops vnc_target_ops;
extern const struct display_target_ops sdl_target_ops;

#endif
