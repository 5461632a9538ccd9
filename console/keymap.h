/*
 * Keyboard layouts for VNC (-k LAYOUT, QEMU's option and layout names).
 *
 * A VNC viewer sends keysyms, the symbol a key produced on the viewer's
 * side ('z', 'at', 'Return'); the guest's keyboard wants the key that
 * produces that symbol in the guest's own layout. QEMU's -k names that
 * layout; QEMU's keymap files are generated from xkeyboard-config with
 * libxkbcommon, and so is the table here, at start-up: the layout is
 * compiled with libxkbcommon (rules evdev) and every key's symbols at every
 * shift level are listed, lowest level first, so that each keysym maps to
 * the Linux key code that types it (the viewer sends the modifier keys it
 * pressed itself). Without -k the built-in US table of console/vnc.c is used.
 *
 * SDL sends scan codes, which do not depend on a layout: -k does not apply.
 */
#ifndef CONSOLE_KEYMAP_H
#define CONSOLE_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

struct keymap_key {
	uint32_t keysym;
	uint16_t code;		/* Linux key code */
	uint16_t level;		/* shift level: 0 plain, 1 shift, 2 AltGr... */
};

struct keymap {
	struct keymap_key *keys;	/* sorted by keysym, then level */
	size_t n_keys;
};

/* The i-th of QEMU's layout names ("ar", "bepo", "cz", ... "tr"), or NULL
 * past the last. */
const char *keymap_layout_at(size_t i);

/*
 * Compiles the QEMU layout name with libxkbcommon from xkeyboard-config.
 * 0; -ENOENT for a name QEMU does not have; -ENODATA when xkeyboard-config
 * cannot compile it (not installed?); -ENOMEM. Logged.
 */
int keymap_load(const char *name, struct keymap *km);
void keymap_dispose(struct keymap *km);

/* The Linux key code that types keysym in the layout, 0 when none does. */
unsigned keymap_code(const struct keymap *km, uint32_t keysym);

#endif
