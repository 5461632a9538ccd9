/*
 * The boot menu as a terminal sees it: a list of titles, the selection in
 * reverse video, a countdown to the default entry, and a one-line editor
 * for the kernel command line. Pure logic: keys in, screen text out; the
 * caller (bootloader.c) moves the bytes between it and the PTY.
 *
 * Keys: Up/Down (ESC [ A / ESC [ B, also ESC O A/B and k/j) move; Enter
 * boots the selection; 'e' edits its command line (printable characters
 * are inserted at the end, Backspace/DEL deletes, Ctrl-U clears, Enter
 * boots with the edit, ESC alone or Ctrl-C leaves the editor). Any key
 * stops the countdown.
 */
#ifndef BOOTLOADER_MENU_H
#define BOOTLOADER_MENU_H

#include <stdbool.h>
#include <stddef.h>

#include "bootloader/bootcfg.h"

enum bootmenu_action {
	BOOTMENU_NONE,		/* nothing visible changed */
	BOOTMENU_REDRAW,	/* call bootmenu_render() and show it */
	BOOTMENU_BOOT,		/* boot bootmenu.sel with bootmenu_args() */
};

struct bootmenu {
	const struct boot_menu *m;
	size_t sel;
	int remaining_s;	/* countdown; -1: none (stopped or never) */
	bool editing;
	char edit[BOOTCFG_MAX_ARG + 1];
	size_t edit_len;
	bool edited;		/* edit[] holds the command line of sel */
	unsigned char esc[4];	/* a pending escape sequence */
	size_t esc_len;
};

/* m must outlive bm and have at least one entry. */
void bootmenu_init(struct bootmenu *bm, const struct boot_menu *m);

/* One byte of input. */
enum bootmenu_action bootmenu_key(struct bootmenu *bm, unsigned char c);

/* One second passed without input: BOOTMENU_BOOT when the countdown ends. */
enum bootmenu_action bootmenu_tick(struct bootmenu *bm);

/* The whole screen (ANSI: clear, then the menu), NUL-terminated, into buf. */
size_t bootmenu_render(const struct bootmenu *bm, char *buf, size_t size);

/*
 * The last screen, once the menu is done: clear, then "Booting 'TITLE'" on
 * a line of its own, so that the guest's console output that follows
 * starts on a fresh line (log files and scripts read it by lines).
 */
size_t bootmenu_render_boot(const struct bootmenu *bm, char *buf, size_t size);

/* The command line to boot with: the edit, else the entry's. */
const char *bootmenu_args(const struct bootmenu *bm);

#endif
