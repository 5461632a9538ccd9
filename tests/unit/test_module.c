/*
 * common/module: the display's modules load from the build's bin/ with
 * every symbol bound (the runner is linked with -rdynamic, as the launcher
 * is), and a missing module or symbol is a logged NULL, not a crash.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/module.h"
#include "console/display.h"
#include "console/textscreen.h"
#include "console/vnc.h"
#include "tests/unit/unit.h"

static char saved_dir[PATH_MAX];

static void save_dir(void)
{
	const char *d = getenv("XENLAUNCH_MODULE_DIR");

	snprintf(saved_dir, sizeof(saved_dir), "%s", d ? d : "");
}

static void restore_dir(void)
{
	if (saved_dir[0])
		setenv("XENLAUNCH_MODULE_DIR", saved_dir, 1);
	else
		unsetenv("XENLAUNCH_MODULE_DIR");
}

static void set_dir(const char *rel)
{
	char dir[PATH_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(dir, sizeof(dir) - 64));
	strcat(dir, rel);
	setenv("XENLAUNCH_MODULE_DIR", dir, 1);
}

static void test_missing(void)
{
	char *log = NULL;
	size_t len = 0;
	FILE *f = unit_log_capture(&log, &len);

	save_dir();
	set_dir("/no-such-dir");
	CU_ASSERT_PTR_NULL(module_symbol("display-vnc", "vnc_module"));
	set_dir("/bin");
	CU_ASSERT_PTR_NULL(module_symbol("no-such-module", "vnc_module"));
	unit_log_release(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "module display-vnc: no xenlaunch-display-vnc.so in "));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "/no-such-dir ($XENLAUNCH_MODULE_DIR)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "module no-such-module: no xenlaunch-no-such-module.so in "));
	free(log);
	restore_dir();
}

static void test_display_modules(void)
{
	const struct vnc_module *vnc;
	const struct textscreen_module *text;
	const struct display_target_ops *sdl;
	char *log = NULL;
	size_t len = 0;
	FILE *f;

	save_dir();
	set_dir("/bin");
	vnc = module_symbol("display-vnc", "vnc_module");
	text = module_symbol("display-text", "textscreen_module");
	sdl = module_symbol("display-sdl", "sdl_target_ops");
	CU_ASSERT_PTR_NOT_NULL_FATAL(vnc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sdl);
	/* The module's own copies, not the runner's (hidden symbols). */
	CU_ASSERT_PTR_NOT_EQUAL(vnc->target, &vnc_target_ops);
	CU_ASSERT_STRING_EQUAL(vnc->target->name, "vnc");
	CU_ASSERT_STRING_EQUAL(sdl->name, "sdl");
	CU_ASSERT_PTR_NOT_NULL(text->feed);
	/* Loaded once: the same descriptor again. */
	CU_ASSERT_PTR_EQUAL(module_symbol("display-vnc", "vnc_module"), vnc);
	/* Only the descriptor is exported. */
	f = unit_log_capture(&log, &len);
	CU_ASSERT_PTR_NULL(module_symbol("display-vnc", "vnc_port"));
	unit_log_release(f);
	CU_ASSERT_PTR_NOT_NULL(log && strstr(log, "module display-vnc: no vnc_port in it"));
	free(log);
	restore_dir();
}

static CU_TestInfo tests[] = {
	{ "a missing module or directory is a logged NULL", test_missing },
	{ "the display modules load and export only their descriptors", test_display_modules },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("module", tests)
