/*
 * The xl.cfg and xm config reader (tools/domain_argv.c), as an xm or xl
 * config file reaches it with `xvirsh domxml-from-native`; the first byte
 * picks the format and --lossy. What it reads must format as XML the model
 * reads again, and the config written from that (when the writer takes it)
 * must read back: the two directions agree on every setting.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "model/domain_xml.h"
#include "tools/domain_argv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domain_def def, again, back;
	char *err = NULL, *xml = NULL, *cfg = NULL;
	enum xen_cfg_format fmt;
	unsigned flags;
	int rc;

	if (size < 1)
		return 0;
	fmt = data[0] & 1 ? XEN_CFG_XM : XEN_CFG_XL;
	flags = data[0] & 2 ? DOMAIN_NATIVE_LOSSY : 0;
	fuzz_quiet_log();
	domain_def_init(&def);
	domain_def_init(&again);
	domain_def_init(&back);
	rc = domain_from_xen_cfg(&def, (const char *)data + 1, size - 1, fmt, flags, &err);
	if (rc) {
		FUZZ_CHECK(rc < 0 && err != NULL);
		goto out;
	}
	FUZZ_CHECK(err == NULL);
	xml = domain_def_format(&def);
	FUZZ_CHECK(xml != NULL);
	rc = domain_def_parse(&again, xml, strlen(xml), &err);
	if (rc) {
		/* The model refuses some values the config syntax lets through (a bad MAC, a 300-char name): said so. */
		FUZZ_CHECK(rc < 0 && err != NULL);
		goto out;
	}
	rc = domain_to_xen_cfg(&again, fmt, DOMAIN_NATIVE_LOSSY, &cfg, &err);
	if (rc) {
		FUZZ_CHECK(rc < 0 && err != NULL);
		goto out;
	}
	rc = domain_from_xen_cfg(&back, cfg, strlen(cfg), fmt, DOMAIN_NATIVE_LOSSY, &err);
	if (rc)
		fprintf(stderr, "written config refused: %s\n%s\n", err, cfg);
	FUZZ_CHECK(rc == 0);
out:
	free(xml);
	free(cfg);
	free(err);
	domain_def_dispose(&def);
	domain_def_dispose(&again);
	domain_def_dispose(&back);
	return 0;
}
