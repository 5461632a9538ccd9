/* extlinux.conf / syslinux.cfg / isolinux.cfg. */
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_menu m;
	const char *err = NULL;
	int rc;

	fuzz_quiet_log();
	boot_menu_init(&m);
	rc = bootcfg_parse(BOOTCFG_EXTLINUX, (const char *)data, size, NULL, 0, &m, &err);
	FUZZ_CHECK(rc == 0 || err);
	fuzz_check_menu(&m, rc);
	boot_menu_dispose(&m);
	return 0;
}
