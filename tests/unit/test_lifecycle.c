/* launcher/lifecycle: what each guest state means for the launcher. */
#include "launcher/lifecycle.h"
#include "tests/unit/unit.h"

static void test_actions(void)
{
	CU_ASSERT_EQUAL(lifecycle_action_for(PV_STATE_RUNNING, false), LIFECYCLE_CONTINUE);
	CU_ASSERT_EQUAL(lifecycle_action_for(PV_STATE_POWEROFF, false), LIFECYCLE_EXIT);
	CU_ASSERT_EQUAL(lifecycle_action_for(PV_STATE_REBOOT, false), LIFECYCLE_REBOOT);
	CU_ASSERT_EQUAL(lifecycle_action_for(PV_STATE_REBOOT, true), LIFECYCLE_EXIT);
	CU_ASSERT_EQUAL(lifecycle_action_for(PV_STATE_CRASH, false), LIFECYCLE_CRASHED);
	CU_ASSERT_EQUAL(lifecycle_action_for(PV_STATE_CRASH, true), LIFECYCLE_CRASHED);
	CU_ASSERT_EQUAL(lifecycle_action_for(PV_STATE_GONE, false), LIFECYCLE_VANISHED);
}

static void test_exit_codes_distinct(void)
{
	CU_ASSERT_NOT_EQUAL(EXIT_GUEST_CRASHED, EXIT_OK);
	CU_ASSERT_NOT_EQUAL(EXIT_GUEST_CRASHED, EXIT_FAILED);
	CU_ASSERT_NOT_EQUAL(EXIT_GUEST_CRASHED, EXIT_USAGE);
}

static CU_TestInfo tests[] = {
	{ "guest states map to launcher actions", test_actions },
	{ "a crash has its own exit status", test_exit_codes_distinct },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("lifecycle", tests)
