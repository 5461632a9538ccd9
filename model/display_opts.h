/*
 * The graphical console's options in QEMU's spelling, parsed into struct
 * display_config (model/config.h):
 *
 *   -vnc [HOST]:DISPLAY[,password=on|off][,to=N]   VNC on HOST (IPv4; empty:
 *        every address), TCP port 5900 + DISPLAY; to=N tries the displays
 *        after DISPLAY up to N when the port is busy; password=on requires
 *        VNC authentication (password set with the monitor's
 *        "change vnc password"; none set: nobody gets in)
 *   -vnc none                                      no VNC server
 *   -sdl                                           an SDL window
 *   -display sdl | vnc[=SPEC] | none               the same in -display form
 *                                                  ("vnc" alone is -vnc :0)
 *   -k LAYOUT                                      the guest's keyboard layout,
 *                                                  for VNC viewers' keysyms
 *                                                  (QEMU's names: de, fr, en-gb...)
 */
#ifndef MODEL_DISPLAY_OPTS_H
#define MODEL_DISPLAY_OPTS_H

#include <stddef.h>

#include "model/config.h"

#define VNC_MAX_DISPLAY 100u	/* ports 5900..6000 */

/* 0, or -EINVAL with a message in why (without the option's name). */
int display_opts_vnc(const char *spec, struct display_config *dc, char *why, size_t why_len);
int display_opts_display(const char *spec, struct display_config *dc, char *why, size_t why_len);
int display_opts_keymap(const char *layout, struct display_config *dc, char *why, size_t why_len);
void display_config_dispose(struct display_config *dc);

#endif
