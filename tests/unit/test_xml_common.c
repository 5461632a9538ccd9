/* Helpers for the tests of tools/. */
#include "tests/unit/test_xml_common.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

char *testdata_path(const char *rel)
{
	char exe[PATH_MAX], *p = NULL;
	ssize_t n;

	if (access("../shared/testdata/libvirt", R_OK) == 0) {
		if (asprintf(&p, "../shared/testdata/libvirt/%s", rel) < 0)
			return NULL;
		return p;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	/* build/unit-tests -> <repo>/.. */
	if (asprintf(&p, "%s/../../shared/testdata/libvirt/%s", dirname(exe), rel) < 0)
		return NULL;
	return p;
}

int testdata_present(void)
{
	char *dir = testdata_path("");
	int present = dir && access(dir, R_OK) == 0;

	free(dir);
	return present;
}

char *capture_log(void (*emit)(void))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	log_init("unit");
	log_set_stream(f);
	emit();
	log_set_stream(NULL);
	fclose(f);
	return buf;
}
