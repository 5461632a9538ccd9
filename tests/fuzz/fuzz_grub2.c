/*
 * GRUB 2 grub.cfg, with grub/grubenv: the input up to its first NUL byte is
 * grub.cfg, the rest is grubenv (grub.cfg may hold no NUL, so no input
 * is lost to the split).
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t len = nul ? (size_t)(nul - text) : size;
	struct boot_menu m;
	const char *err = NULL;
	int rc;

	fuzz_quiet_log();
	boot_menu_init(&m);
	rc = bootcfg_parse(BOOTCFG_GRUB2, text, len, nul ? nul + 1 : NULL,
			   nul ? size - len - 1 : 0, &m, &err);
	FUZZ_CHECK(rc == 0 || err);
	fuzz_check_menu(&m, rc);
	boot_menu_dispose(&m);
	return 0;
}
