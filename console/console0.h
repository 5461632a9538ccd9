/*
 * Console 0 of a PV guest joined to its user: the ring (console/pv_console)
 * on one side; serial0 (the -serial chardev) and the display's text console
 * (console/textscreen) on the other. Before the guest exists the same input
 * feeds the boot menu instead.
 *
 * Who owns what: the launcher owns the chardev, the text console, the
 * machine's pv_console and the loop; console0 borrows them and owns only
 * its registrations on the loop: the pv_console's event channel fd (while
 * attached) and serial0's chardev_fd() (from console0_start() to
 * console0_dispose()); the only fd it opens is the boot menu's timer.
 *
 * Back-pressure both ways: guest output is consumed from the ring only as
 * far as serial0 takes it (the text console is shown what serial0 took);
 * typed input, from serial0 or from the display (console0_text()), enters
 * the ring only as far as there is room: serial0 keeps the rest and stops
 * reading until the ring drains (chardev_input_resume()); the display's
 * keys that find no room are dropped, as a keyboard's would be. Input to a
 * broken ring is void, not pending. Without a guest (before console0_attach()
 * or after console0_detach()), serial0's input waits in the chardev.
 *
 * A serial device (the 16550 of -M xenfv) may take console 0's place on
 * serial0's side (console0_set_device()): serial0's and the display's
 * input go to the device instead of the ring, the device's output goes out
 * through console0_device_output() like the ring's (serial0, the text
 * console, first_output), and the device hears when serial0 has room
 * again. The ring's output still reaches serial0 (a guest may write to
 * both its hvc0 and its ttyS0).
 *
 * The boot menu: between console0_menu_begin() and console0_menu_end(),
 * input from serial0 and the display goes to a small key buffer that
 * console0_menu_read() hands out, running the event loop until keys come
 * or the menu's timer (a timerfd on the loop: the countdown's second) fires;
 * console0_menu_write() shows the menu on serial0 and on the text console.
 * Their signatures are those of struct bootloader_io. The timerfd is
 * console0's own, from console0_menu_begin() to console0_menu_end().
 */
#ifndef CONSOLE_CONSOLE0_H
#define CONSOLE_CONSOLE0_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "console/chardev.h"
#include "console/pv_console.h"
#include "console/textscreen.h"
#include "common/event_loop.h"

#define CONSOLE0_MENU_KEYS 64

struct console0_device {
	/* Input for the device; returns how many bytes it took (0..len). */
	size_t (*input)(void *opaque, const uint8_t *buf, size_t len);
	/* serial0 may take output again. */
	void (*output_space)(void *opaque);
	void *opaque;
};

struct console0 {
	struct event_loop *loop;	/* borrowed */
	struct chardev *serial;		/* borrowed; NULL: -serial none */
	const struct textscreen_module *text;	/* the text console's operations, with ts */
	struct textscreen *ts;		/* borrowed; NULL: no display */
	struct pv_console *pv;		/* borrowed while attached, else NULL */
	struct console0_device dev;	/* dev.input NULL: none */
	struct event_source serial_src, pv_src;
	struct event_source timer_src;	/* the menu's timerfd, between begin and end */
	bool timer_fired;
	/* Called after guest output was moved (the machine notes the first). */
	void (*first_output)(void *opaque);
	void *opaque;
	bool menu;			/* input goes to the boot menu */
	uint8_t keys[CONSOLE0_MENU_KEYS];
	size_t n_keys;
};

void console0_init(struct console0 *c, struct event_loop *loop);

/*
 * The chardev's on_input for serial0: open serial0 with
 * { .on_input = console0_serial_input, .opaque = c }.
 */
size_t console0_serial_input(void *opaque, const uint8_t *buf, size_t len);

/* The display's text input (struct display's text_input, opaque c). */
void console0_text(void *opaque, const char *bytes, size_t len);

/* serial0 (may be NULL) and the text console (ts, may be NULL; text: its
 * module's operations) are ready: serial0 joins the loop. 0 or -errno. */
int console0_start(struct console0 *c, struct chardev *serial, const struct textscreen_module *text,
		   struct textscreen *ts);

/* The guest's console 0 is connected: its event channel joins the loop.
 * 0 or -errno. */
int console0_attach(struct console0 *c, struct pv_console *pv);
/* Idempotent. */
void console0_detach(struct console0 *c);

/* Moves what both sides can take now (the guest's last words before a
 * rebuild or an exit, the first after a start). */
void console0_pump(struct console0 *c);

/* dev (copied) takes the ring's place for input; NULL: the ring again. */
void console0_set_device(struct console0 *c, const struct console0_device *dev);
/* The device's output: what serial0 takes now (back-pressure as the ring's). */
size_t console0_device_output(struct console0 *c, const uint8_t *buf, size_t len);

/* 0 or -errno (no timer for the menu). */
int console0_menu_begin(struct console0 *c);
/* Idempotent. */
void console0_menu_end(struct console0 *c);
/* Writes all of buf to serial0 and the text console, running the loop
 * while serial0 pushes back (a second at most). The bytes written. */
ssize_t console0_menu_write(void *opaque, const void *buf, size_t len);
/* Up to len keys, running the loop until some come or timeout_ms passed
 * (-1: until some come). 0 on timeout, or -errno when the loop fails. */
ssize_t console0_menu_read(void *opaque, void *buf, size_t len, int timeout_ms);

/* Leaves the loop; idempotent. */
void console0_dispose(struct console0 *c);

#endif
