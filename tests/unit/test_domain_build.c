/* xenpv/domain_build: the parts that need no hypervisor. */
#include "xenpv/domain_build.h"
#include "tests/unit/unit.h"

#include <string.h>

static void test_state_from_flags(void)
{
	uint32_t sd = XEN_DOMINF_shutdown;

	CU_ASSERT_EQUAL(pv_domain_state_from_flags(0), PV_STATE_RUNNING);
	CU_ASSERT_EQUAL(pv_domain_state_from_flags(XEN_DOMINF_paused), PV_STATE_RUNNING);
	CU_ASSERT_EQUAL(pv_domain_state_from_flags(sd | (SHUTDOWN_poweroff << XEN_DOMINF_shutdownshift)),
			PV_STATE_POWEROFF);
	CU_ASSERT_EQUAL(pv_domain_state_from_flags(sd | (SHUTDOWN_reboot << XEN_DOMINF_shutdownshift)),
			PV_STATE_REBOOT);
	CU_ASSERT_EQUAL(pv_domain_state_from_flags(sd | (SHUTDOWN_crash << XEN_DOMINF_shutdownshift)),
			PV_STATE_CRASH);
	CU_ASSERT_EQUAL(pv_domain_state_from_flags(sd | (SHUTDOWN_watchdog << XEN_DOMINF_shutdownshift)),
			PV_STATE_CRASH);
	CU_ASSERT_EQUAL(pv_domain_state_from_flags(sd | (200u << XEN_DOMINF_shutdownshift)),
			PV_STATE_CRASH);
	CU_ASSERT_EQUAL(pv_domain_state_from_flags(XEN_DOMINF_dying), PV_STATE_GONE);
}

static void test_uuid_format(void)
{
	static const uint8_t u[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				       0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	struct pv_domain d;

	pv_domain_init(&d, u, 128, 1);
	CU_ASSERT_STRING_EQUAL(d.uuid_str, "00112233-4455-6677-8899-aabbccddeeff");
	CU_ASSERT_EQUAL(d.domid, PV_DOMID_NONE);
}

static CU_TestInfo tests[] = {
	{ "shutdown reasons map to states", test_state_from_flags },
	{ "uuid is formatted like xl's", test_uuid_format },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("domain_build", tests)
