/*
 * The domain XML parser (tools/domain_xml.c), as an XML author reaches it
 * with `xvirsh define`. What it accepts must format to XML it accepts again
 * (every value it stores, including the kept elements, is written back
 * well-formed), and that second reading must format the same: format is a
 * fixed point after one round.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

#include "tools/domain_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct domain_def def, again;
	char *err = NULL, *xml = NULL, *xml2 = NULL;
	int rc;

	fuzz_quiet_log();
	domain_def_init(&def);
	domain_def_init(&again);
	rc = domain_def_parse(&def, (const char *)data, size, &err);
	if (rc) {
		FUZZ_CHECK(rc < 0 && err != NULL);
		goto out;
	}
	FUZZ_CHECK(err == NULL);
	xml = domain_def_format(&def);
	FUZZ_CHECK(xml != NULL);
	rc = domain_def_parse(&again, xml, strlen(xml), &err);
	if (rc)
		fprintf(stderr, "formatted XML refused: %s\n%s\n", err, xml);
	FUZZ_CHECK(rc == 0);
	xml2 = domain_def_format(&again);
	FUZZ_CHECK(xml2 != NULL);
	if (strcmp(xml, xml2))
		fprintf(stderr, "first format:\n%s\nsecond format:\n%s\n", xml, xml2);
	FUZZ_CHECK(!strcmp(xml, xml2));
out:
	free(xml);
	free(xml2);
	free(err);
	domain_def_dispose(&def);
	domain_def_dispose(&again);
	return 0;
}
