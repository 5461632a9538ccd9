/* common/log: lines carry the ident, the level and, for log_warn, errno's text. */
#include "common/log.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *capture(void (*emit)(void))
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

static void emit_warn(void)
{
	errno = ENOENT;
	log_warn("vbd/%u/%u: open %s", 1u, 51712u, "img");
}
static void emit_warnx(void) { log_warnx("vif/%u/%u: bad ring", 3u, 0u); }
static void emit_debug_quiet(void) { log_set_verbose(0); log_debug("hidden"); }

static void test_warn_appends_errno(void)
{
	char *s = capture(emit_warn);
	CU_ASSERT_STRING_EQUAL(s, "unit: warning: vbd/1/51712: open img: No such file or directory\n");
	free(s);
}

static void test_warnx_has_no_errno(void)
{
	char *s = capture(emit_warnx);
	CU_ASSERT_STRING_EQUAL(s, "unit: warning: vif/3/0: bad ring\n");
	free(s);
}

static void test_debug_silent_unless_verbose(void)
{
	char *s = capture(emit_debug_quiet);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
}

static CU_TestInfo tests[] = {
	{ "log_warn appends strerror(errno)", test_warn_appends_errno },
	{ "log_warnx has no errno", test_warnx_has_no_errno },
	{ "log_debug is silent unless verbose", test_debug_silent_unless_verbose },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("log", tests)
