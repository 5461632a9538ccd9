/*
 * Helpers for the tests of tools/: where libvirt's test data lives, and
 * capturing log lines.
 */
#ifndef TESTS_UNIT_TEST_XML_COMMON_H
#define TESTS_UNIT_TEST_XML_COMMON_H

/*
 * The path of a file under shared/testdata/libvirt, which sits beside the
 * repository: ../shared/testdata/libvirt from the repository root (the
 * usual working directory), else found from the test binary's location
 * (build/unit-tests). Caller frees.
 */
char *testdata_path(const char *rel);
/* Whether that directory is there (a clone of the repository alone has none). */
int testdata_present(void);

/* Runs emit() with log lines going to a string (ident "unit"); caller frees. */
char *capture_log(void (*emit)(void));

#endif
