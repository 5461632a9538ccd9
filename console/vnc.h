/*
 * The VNC display target (libvncserver): console/display.h's vnc_target_ops.
 *
 * Listens on HOST:5900+DISPLAY (struct display_config; with to=N the next
 * free display up to N), serves any number of viewers at once (always
 * shared), sends only the rectangles the display reports as changed, maps
 * keysyms to Linux key codes (US layout) and the pointer to the guest's
 * vkbd. While the text console is shown (or no vkbd is connected), typed
 * characters go to the text console instead.
 *
 * With password=on the server offers VNC authentication only; until a
 * password is set (monitor "change vnc password") every viewer is refused.
 * libvncserver runs on the launcher's thread: its sockets are serviced from
 * the display's poll timer (rfbProcessEvents with a zero timeout), so no
 * lock is needed and a viewer that sends garbage is closed by libvncserver
 * without affecting the others. libvncserver's writes block: a viewer that
 * does not take an update within 5 s (rfbMaxClientWait; its default is 20 s)
 * is disconnected, which bounds how long a stalled viewer can hold the
 * launcher's loop. Known limitation (libvncserver 0.9.14, non-threaded, seen
 * with tests/bench/vncbench): when such a viewer is dropped, a viewer that
 * connected after it may be disconnected too; it can reconnect. Serving each
 * viewer from non-blocking buffers (as QEMU does) would remove both.
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

/* Linux key code for an X keysym (US layout), 0 when there is none. */
unsigned vnc_keysym_to_linux(uint32_t keysym);

#endif
