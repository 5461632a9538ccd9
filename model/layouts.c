/* model/layouts: QEMU's keyboard layout names; see layouts.h. */
#include "model/layouts.h"

#include <string.h>

/* QEMU's names and the xkeyboard-config layout each stands for, as QEMU's
 * build generates its keymap files (pc-bios/keymaps). */
static const struct keymap_layout layouts[] = {
	{ "ar", "ara", NULL, NULL },	{ "bepo", "fr", "dvorak", NULL },
	{ "cz", "cz", NULL, NULL },	{ "da", "dk", NULL, NULL },
	{ "de", "de", "nodeadkeys", NULL }, { "de-ch", "ch", NULL, NULL },
	{ "en-gb", "gb", NULL, NULL },	{ "en-us", "us", NULL, NULL },
	{ "es", "es", NULL, NULL },	{ "et", "ee", NULL, NULL },
	{ "fi", "fi", NULL, NULL },	{ "fo", "fo", NULL, NULL },
	{ "fr", "fr", "nodeadkeys", NULL }, { "fr-be", "be", NULL, NULL },
	{ "fr-ca", "ca", "fr", NULL },	{ "fr-ch", "ch", "fr", NULL },
	{ "hr", "hr", NULL, NULL },	{ "hu", "hu", NULL, NULL },
	{ "is", "is", NULL, NULL },	{ "it", "it", NULL, NULL },
	{ "ja", "jp", NULL, "jp106" },	{ "lt", "lt", NULL, NULL },
	{ "lv", "lv", NULL, NULL },	{ "mk", "mk", NULL, NULL },
	{ "nl", "nl", NULL, NULL },	{ "no", "no", NULL, NULL },
	{ "pl", "pl", NULL, NULL },	{ "pt", "pt", NULL, NULL },
	{ "pt-br", "br", NULL, NULL },	{ "ru", "ru", NULL, NULL },
	{ "th", "th", NULL, NULL },	{ "tr", "tr", NULL, NULL },
};

#define N_LAYOUTS (sizeof(layouts) / sizeof(layouts[0]))

const struct keymap_layout *keymap_layout_find(const char *name)
{
	for (size_t i = 0; i < N_LAYOUTS; i++)
		if (!strcmp(layouts[i].name, name))
			return &layouts[i];
	return NULL;
}

const char *keymap_layout_name(const char *name)
{
	const struct keymap_layout *l = keymap_layout_find(name);

	return l ? l->name : NULL;
}

const char *keymap_layout_at(size_t i)
{
	return i < N_LAYOUTS ? layouts[i].name : NULL;
}
