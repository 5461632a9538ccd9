/*
 * console/keymap: QEMU's layout names compiled from xkeyboard-config, and
 * keysyms mapped to the keys that type them in the guest's layout.
 */
#include "tests/unit/unit.h"
#include "model/layouts.h"

#include <errno.h>

#include <linux/input-event-codes.h>

#include "console/keymap.h"

static void test_german(void)
{
	struct keymap km;

	CU_ASSERT_EQUAL_FATAL(keymap_load("de", &km), 0);
	CU_ASSERT_EQUAL(keymap_code(&km, 'z'), KEY_Y);		/* QWERTZ */
	CU_ASSERT_EQUAL(keymap_code(&km, 'Z'), KEY_Y);
	CU_ASSERT_EQUAL(keymap_code(&km, 'y'), KEY_Z);
	CU_ASSERT_EQUAL(keymap_code(&km, '@'), KEY_Q);		/* AltGr+Q */
	CU_ASSERT_EQUAL(keymap_code(&km, 0xe4), KEY_APOSTROPHE);	/* adiaeresis */
	CU_ASSERT_EQUAL(keymap_code(&km, '-'), KEY_SLASH);
	CU_ASSERT_EQUAL(keymap_code(&km, 0xff0d), KEY_ENTER);	/* Return */
	CU_ASSERT_EQUAL(keymap_code(&km, 0xffe1), KEY_LEFTSHIFT);
	CU_ASSERT_EQUAL(keymap_code(&km, 0x12345678), 0);
	keymap_dispose(&km);
	CU_ASSERT_EQUAL(keymap_code(&km, 'z'), 0);
}

static void test_french_and_us(void)
{
	struct keymap km;

	CU_ASSERT_EQUAL_FATAL(keymap_load("fr", &km), 0);
	CU_ASSERT_EQUAL(keymap_code(&km, 'a'), KEY_Q);		/* AZERTY */
	CU_ASSERT_EQUAL(keymap_code(&km, 'q'), KEY_A);
	CU_ASSERT_EQUAL(keymap_code(&km, '1'), KEY_1);		/* shifted on AZERTY */
	keymap_dispose(&km);

	CU_ASSERT_EQUAL_FATAL(keymap_load("en-us", &km), 0);
	CU_ASSERT_EQUAL(keymap_code(&km, 'z'), KEY_Z);
	CU_ASSERT_EQUAL(keymap_code(&km, '@'), KEY_2);
	keymap_dispose(&km);
}

static void test_unknown_layout(void)
{
	struct keymap km;

	CU_ASSERT_EQUAL(keymap_load("klingon", &km), -ENOENT);
	CU_ASSERT_EQUAL(km.n_keys, 0);
	CU_ASSERT_PTR_NULL(keymap_layout_name("us"));	/* xkb's name, not QEMU's */
	CU_ASSERT_STRING_EQUAL(keymap_layout_name("pt-br"), "pt-br");
	CU_ASSERT_STRING_EQUAL(keymap_layout_at(0), "ar");
}

static CU_TestInfo tests[] = {
	{ "german", test_german },
	{ "french and US", test_french_and_us },
	{ "unknown layout", test_unknown_layout },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("keymap", tests)
