/*
 * Keyboard layouts for VNC from xkeyboard-config; see keymap.h.
 */
#include "console/keymap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xkbcommon/xkbcommon.h>

#include "common/log.h"
#include "model/layouts.h"

#define XKB_EVDEV_OFFSET 8	/* xkb key codes under the evdev rules: Linux + 8 */

static int by_keysym_then_level(const void *a, const void *b)
{
	const struct keymap_key *x = a, *y = b;

	if (x->keysym != y->keysym)
		return x->keysym < y->keysym ? -1 : 1;
	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	return x->code < y->code ? -1 : x->code > y->code;
}

/* Every (keysym, key, level) of layout group 0 into km->keys. 0 or -ENOMEM. */
static int list_keys(struct xkb_keymap *xk, struct keymap *km)
{
	size_t cap = 0;

	for (xkb_keycode_t k = xkb_keymap_min_keycode(xk); k <= xkb_keymap_max_keycode(xk); k++) {
		xkb_level_index_t levels = xkb_keymap_num_levels_for_key(xk, k, 0);

		if (k < XKB_EVDEV_OFFSET || k - XKB_EVDEV_OFFSET > UINT16_MAX)
			continue;
		for (xkb_level_index_t l = 0; l < levels; l++) {
			const xkb_keysym_t *syms;
			int n = xkb_keymap_key_get_syms_by_level(xk, k, 0, l, &syms);

			for (int i = 0; i < n; i++) {
				if (km->n_keys == cap) {
					size_t c = cap ? cap * 2 : 256;
					struct keymap_key *p = realloc(km->keys, c * sizeof(*p));

					if (!p)
						return -ENOMEM;
					km->keys = p;
					cap = c;
				}
				km->keys[km->n_keys++] = (struct keymap_key){
					.keysym = syms[i],
					.code = (uint16_t)(k - XKB_EVDEV_OFFSET),
					.level = (uint16_t)l,
				};
			}
		}
	}
	qsort(km->keys, km->n_keys, sizeof(*km->keys), by_keysym_then_level);
	return 0;
}

int keymap_load(const char *name, struct keymap *km)
{
	struct xkb_context *ctx = NULL;
	struct xkb_keymap *xk = NULL;
	struct xkb_rule_names names = { .rules = "evdev", .model = "pc105" };
	const struct keymap_layout *l = keymap_layout_find(name);
	int rc;

	memset(km, 0, sizeof(*km));
	if (!l) {
		log_warnx("keymap %s: not one of QEMU's keyboard layouts", name);
		return -ENOENT;
	}
	names.layout = l->layout;
	names.variant = l->variant;
	if (l->model)
		names.model = l->model;
	/* Only the layout asked for: no XKB_DEFAULT_* from the environment. */
	ctx = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
	if (!ctx) {
		rc = -ENOMEM;
		goto out;
	}
	xk = xkb_keymap_new_from_names(ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (!xk) {
		log_warnx("keymap %s: xkeyboard-config cannot compile layout %s%s%s%s "
			  "(is xkb-data installed?)", name, names.layout,
			  names.variant ? "(" : "", names.variant ? names.variant : "",
			  names.variant ? ")" : "");
		rc = -ENODATA;
		goto out;
	}
	rc = list_keys(xk, km);
	if (rc < 0)
		keymap_dispose(km);
	else
		log_info("keymap %s: %zu symbols from xkeyboard-config", name, km->n_keys);
out:
	xkb_keymap_unref(xk);
	xkb_context_unref(ctx);
	return rc;
}

void keymap_dispose(struct keymap *km)
{
	free(km->keys);
	km->keys = NULL;
	km->n_keys = 0;
}

unsigned keymap_code(const struct keymap *km, uint32_t keysym)
{
	size_t lo = 0, hi = km->n_keys;

	/* The first entry for keysym: its lowest level. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (km->keys[mid].keysym < keysym)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < km->n_keys && km->keys[lo].keysym == keysym ? km->keys[lo].code : 0;
}
