/*
 * The unit-test runner: one CUnit suite per module, each in its own file,
 * registered by UNIT_SUITE so that adding a file adds its suite.
 *
 *   static void test_x(void) { CU_ASSERT_EQUAL(...); }
 *   static CU_TestInfo tests[] = { { "x", test_x }, CU_TEST_INFO_NULL };
 *   UNIT_SUITE("module", tests)
 *
 * Tests that read libvirt's test data (../shared/testdata/libvirt, which a
 * clone of the repository alone does not have) go into a second suite of
 * the file, UNIT_SUITE_LIBVIRT_DATA("module_libvirt", tests): without the
 * data it prints "skipped: libvirt test data not found" and passes.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <CUnit/CUnit.h>
#include <stdio.h>

struct unit_suite {
	const char *name;
	CU_TestInfo *tests;
	int needs_libvirt_data;
	struct unit_suite *next;
};

void unit_register(struct unit_suite *suite);

/* Log lines go to *buf (the stream keeps it updated; free it after
 * unit_log_release()) instead of stderr, with the ident "unit". */
FILE *unit_log_capture(char **buf, size_t *len);
void unit_log_release(FILE *f);
/* The number of lines in s (NULL: 0). */
unsigned unit_count_lines(const char *s);

#define UNIT_SUITE_(id_, name_, tests_, data_)                                      \
	static struct unit_suite unit_suite_##id_ = { (name_), (tests_), (data_), 0 }; \
	__attribute__((constructor)) static void unit_suite_register_##id_(void)    \
	{                                                                           \
		unit_register(&unit_suite_##id_);                                   \
	}
#define UNIT_SUITE(name_, tests_) UNIT_SUITE_(main, name_, tests_, 0)
#define UNIT_SUITE_LIBVIRT_DATA(name_, tests_) UNIT_SUITE_(libvirt, name_, tests_, 1)

#endif
