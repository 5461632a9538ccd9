/*
 * The VNC display target (libvncserver): console/display.h's vnc_target_ops.
 *
 * Listens on HOST:5900+DISPLAY (struct display_config; with to=N the next
 * free display up to N), serves several viewers at once (always
 * shared), sends only the rectangles the display reports as changed, maps
 * keysyms to Linux key codes (US layout, or -k LAYOUT's: console/keymap.h)
 * and the pointer to the guest's vkbd. While the text console is shown (or
 * no vkbd is connected), typed characters go to the text console instead.
 *
 * With password=on the server offers VNC authentication only; until a
 * password is set (monitor "change vnc password") every viewer is refused.
 *
 * libvncserver runs on the launcher's thread (no lock needed), on the
 * display's event loop: the listening socket, the eventfd by which relays
 * say a viewer is greeted and libvncserver's socket to each viewer are loop
 * sources, so that viewers are taken and their keys read when they come;
 * updates go out from the display's poll timer (rfbProcessEvents' work with
 * a zero timeout). It never sees a viewer's TCP socket: the target accepts
 * itself and gives each viewer a relay thread (console/vnc_relay.h)
 * that greets it, hands libvncserver only whole RFB messages, buffers what
 * the viewer has not taken yet and drops it when it breaks the protocol,
 * has not logged in within 10 s or takes no output for 10 s, so that a
 * viewer that stalls, sends half a message or garbage, or leaves in the
 * middle of an update never makes the launcher wait. Output waiting for
 * viewers is bounded for all of them together (two full frames and change):
 * a viewer that falls behind gets no new update until it catches up, its
 * changes merged meanwhile. At most VNC_MAX_VIEWERS viewers at once.
 *
 * Without password=on, as in QEMU, anyone who reaches the port has the
 * guest's screen, keyboard and pointer; the start says so in the log.
 */
#ifndef CONSOLE_VNC_H
#define CONSOLE_VNC_H

#include <stdint.h>

#include "console/display.h"

/*
 * Sets the VNC password (at most 8 characters are significant, as in VNC
 * authentication). 0; -ENODEV when the display has no VNC target; -EPERM
 * when it was started without password=on.
 */
int vnc_set_password(struct display *d, const char *password);

/* The TCP port the VNC target listens on, or -1. */
int vnc_port(struct display *d);

/* How many viewers are connected. */
unsigned vnc_viewers(struct display *d);

/* Bytes of output the viewers have not taken yet, all of them together, and
 * the budget that bounds it (in *max_r); 0 without a VNC target. */
size_t vnc_output_held(struct display *d, size_t *max_r);

/* Linux key code for an X keysym (US layout), 0 when there is none. */
unsigned vnc_keysym_to_linux(uint32_t keysym);

/*
 * What the module display-vnc (common/module.h) exports as "vnc_module":
 * the launcher reaches the VNC target only through it.
 */
struct vnc_module {
	const struct display_target_ops *target;
	int (*set_password)(struct display *d, const char *password);
	int (*port)(struct display *d);
};

#endif
