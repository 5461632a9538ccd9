/*
 * Runs every registered suite, or those named on the command line.
 * Exit status: 0 when every test passed, 1 otherwise.
 */
#include "tests/unit/unit.h"

#include <CUnit/Basic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "tests/unit/test_xml_common.h"

static struct unit_suite *suites;

void unit_register(struct unit_suite *suite)
{
	struct unit_suite **p = &suites;

	/* Keep them sorted by name: a stable order across builds. */
	while (*p && strcmp((*p)->name, suite->name) < 0)
		p = &(*p)->next;
	suite->next = *p;
	*p = suite;
}

FILE *unit_log_capture(char **buf, size_t *len)
{
	FILE *f;

	*buf = NULL;
	f = open_memstream(buf, len);
	CU_ASSERT_FATAL(f != NULL);
	log_init("unit");
	log_set_stream(f);
	return f;
}

void unit_log_release(FILE *f)
{
	log_set_stream(NULL);
	fclose(f);
}

unsigned unit_count_lines(const char *s)
{
	unsigned n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static int wanted(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned failures, skipped = 0;

	char modules[PATH_MAX];

	/* Suites compare what they log line by line; the log suite tests the limit itself. */
	log_set_rate(0, 0, NULL);
	/* The launcher's modules (NBD's, the display's) are the build's, in
	 * bin/ (the runner is build/unit-tests, run from the top). */
	if (!getenv("XENLAUNCH_MODULE_DIR") && realpath("bin", modules))
		setenv("XENLAUNCH_MODULE_DIR", modules, 1);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	for (struct unit_suite *s = suites; s; s = s->next) {
		if (!wanted(s->name, argc, argv))
			continue;
		if (s->needs_libvirt_data && !testdata_present()) {
			printf("Suite: %s\n  skipped: libvirt test data not found\n", s->name);
			skipped++;
			continue;
		}
		CU_SuiteInfo info[] = {
			{ s->name, NULL, NULL, NULL, NULL, s->tests },
			CU_SUITE_INFO_NULL,
		};
		if (CU_register_suites(info) != CUE_SUCCESS) {
			fprintf(stderr, "unit-tests: cannot register suite %s\n", s->name);
			return 1;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	if (CU_get_number_of_tests_run() == 0 && !skipped) {
		fprintf(stderr, "unit-tests: no test ran\n");
		failures = 1;
	}
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
