/*
 * QEMU's keyboard layout names (-k LAYOUT, <graphics keymap=>) and the
 * xkeyboard-config layout each stands for, as QEMU's build generates its
 * keymap files (pc-bios/keymaps). The names belong to the launch config,
 * which both programs read; console/keymap.h compiles the layouts.
 */
#ifndef MODEL_LAYOUTS_H
#define MODEL_LAYOUTS_H

#include <stddef.h>

struct keymap_layout {
	const char *name;	/* QEMU's: "de", "en-gb", "pt-br"... */
	const char *layout;	/* xkeyboard-config's */
	const char *variant;	/* NULL: the layout's default */
	const char *model;	/* NULL: pc105 */
};

/* The layout QEMU calls name, or NULL. */
const struct keymap_layout *keymap_layout_find(const char *name);
/* QEMU's layout name equal to name (a string that lives as long as the
 * program), or NULL when QEMU has no such layout. */
const char *keymap_layout_name(const char *name);
/* The i-th of QEMU's layout names ("ar", "bepo", "cz", ... "tr"), or NULL
 * past the last. */
const char *keymap_layout_at(size_t i);

#endif
