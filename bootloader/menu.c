/*
 * The boot menu's state machine and screen (see menu.h).
 */
#include "bootloader/menu.h"

#include <stdio.h>
#include <string.h>

#define SHOW_MAX 20	/* entries on screen at once */
#define TITLE_MAX 70	/* columns of a title */

void bootmenu_init(struct bootmenu *bm, const struct boot_menu *m)
{
	memset(bm, 0, sizeof(*bm));
	bm->m = m;
	bm->sel = m->default_entry < m->n_entries ? m->default_entry : 0;
	bm->remaining_s = m->timeout_s;
}

const char *bootmenu_args(const struct bootmenu *bm)
{
	const char *a;

	if (bm->edited)
		return bm->edit;
	a = bm->m->entries[bm->sel].args;
	return a ? a : "";
}

static void start_edit(struct bootmenu *bm)
{
	const char *a = bootmenu_args(bm);
	size_t l = strlen(a);

	if (l > BOOTCFG_MAX_ARG)
		l = BOOTCFG_MAX_ARG;
	if (a != bm->edit)
		memcpy(bm->edit, a, l);
	bm->edit[l] = '\0';
	bm->edit_len = l;
	bm->editing = true;
}

static enum bootmenu_action move(struct bootmenu *bm, int d)
{
	size_t n = bm->m->n_entries;

	if (d < 0 && bm->sel > 0)
		bm->sel--;
	else if (d > 0 && bm->sel + 1 < n)
		bm->sel++;
	else
		return BOOTMENU_NONE;
	bm->edited = false;
	return BOOTMENU_REDRAW;
}

enum bootmenu_action bootmenu_key(struct bootmenu *bm, unsigned char c)
{
	bm->remaining_s = -1;
	if (bm->esc_len) {
		bm->esc[bm->esc_len++] = c;
		if (bm->esc_len == 2) {
			if (c == '[' || c == 'O')
				return BOOTMENU_NONE;
			bm->esc_len = 0;
			/* ESC then something else: ESC leaves the editor. */
			if (bm->editing) {
				bm->editing = false;
				return BOOTMENU_REDRAW;
			}
			return BOOTMENU_NONE;
		}
		bm->esc_len = 0;
		if (bm->editing)
			return BOOTMENU_NONE;
		if (c == 'A')
			return move(bm, -1);
		if (c == 'B')
			return move(bm, 1);
		return BOOTMENU_NONE;
	}
	if (c == 0x1b) {
		bm->esc[0] = c;
		bm->esc_len = 1;
		return BOOTMENU_NONE;
	}
	if (bm->editing) {
		switch (c) {
		case '\r':
		case '\n':
			bm->editing = false;
			bm->edited = true;
			return BOOTMENU_BOOT;
		case 0x7f:
		case 0x08:
			if (bm->edit_len)
				bm->edit[--bm->edit_len] = '\0';
			return BOOTMENU_REDRAW;
		case 0x15:	/* Ctrl-U */
			bm->edit_len = 0;
			bm->edit[0] = '\0';
			return BOOTMENU_REDRAW;
		case 0x03:	/* Ctrl-C */
			bm->editing = false;
			return BOOTMENU_REDRAW;
		default:
			if (c < 0x20 || c >= 0x7f || bm->edit_len >= BOOTCFG_MAX_ARG)
				return BOOTMENU_NONE;
			bm->edit[bm->edit_len++] = (char)c;
			bm->edit[bm->edit_len] = '\0';
			return BOOTMENU_REDRAW;
		}
	}
	switch (c) {
	case '\r':
	case '\n':
		return BOOTMENU_BOOT;
	case 'k':
		return move(bm, -1);
	case 'j':
		return move(bm, 1);
	case 'e':
		start_edit(bm);
		return BOOTMENU_REDRAW;
	default:
		return BOOTMENU_REDRAW;	/* the countdown line goes away */
	}
}

enum bootmenu_action bootmenu_tick(struct bootmenu *bm)
{
	if (bm->remaining_s < 0 || bm->editing)
		return BOOTMENU_NONE;
	if (bm->remaining_s <= 1) {
		bm->remaining_s = 0;
		return BOOTMENU_BOOT;
	}
	bm->remaining_s--;
	return BOOTMENU_REDRAW;
}

/* Appends printable text only: titles come from the guest's disk. */
static size_t put(char *buf, size_t size, size_t o, const char *s, size_t max)
{
	for (size_t i = 0; s[i] && i < max && o + 1 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (o < size)
		buf[o] = '\0';
	return o;
}

static size_t putf(char *buf, size_t size, size_t o, const char *s)
{
	size_t l = strlen(s);

	if (o + l + 1 > size)
		l = o + 1 < size ? size - o - 1 : 0;
	memcpy(buf + o, s, l);
	o += l;
	if (o < size)
		buf[o] = '\0';
	return o;
}

size_t bootmenu_render(const struct bootmenu *bm, char *buf, size_t size)
{
	const struct boot_menu *m = bm->m;
	size_t o = 0, first = 0;
	char line[96];

	if (!size)
		return 0;
	buf[0] = '\0';
	o = putf(buf, size, o, "\033[H\033[2J\r\n    xenlaunch boot menu\r\n\r\n");
	if (bm->sel >= SHOW_MAX)
		first = bm->sel - SHOW_MAX + 1;
	for (size_t i = first; i < m->n_entries && i < first + SHOW_MAX; i++) {
		o = putf(buf, size, o, i == bm->sel ? "  \033[7m " : "   ");
		o = put(buf, size, o, m->entries[i].title ? m->entries[i].title : "(untitled)", TITLE_MAX);
		o = putf(buf, size, o, i == bm->sel ? " \033[0m\r\n" : "\r\n");
	}
	o = putf(buf, size, o, "\r\n");
	if (bm->editing) {
		o = putf(buf, size, o, "  Kernel command line (Enter boots, Esc cancels):\r\n  ");
		o = put(buf, size, o, bm->edit, BOOTCFG_MAX_ARG);
		o = putf(buf, size, o, "_\r\n");
	} else {
		o = putf(buf, size, o, "  Up/Down select, Enter boots, 'e' edits the command line.\r\n");
		if (bm->remaining_s >= 0) {
			snprintf(line, sizeof(line),
				 "  The highlighted entry boots in %d s.\r\n", bm->remaining_s);
			o = putf(buf, size, o, line);
		}
	}
	return o;
}

size_t bootmenu_render_boot(const struct bootmenu *bm, char *buf, size_t size)
{
	const char *title = bm->m->entries[bm->sel].title;
	size_t o = 0;

	if (!size)
		return 0;
	buf[0] = '\0';
	o = putf(buf, size, o, "\033[H\033[2J  Booting '");
	o = put(buf, size, o, title ? title : "(untitled)", TITLE_MAX);
	o = putf(buf, size, o, "'\r\n");
	return o;
}
