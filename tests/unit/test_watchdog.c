/* xenpv/watchdog: its message parser, and that a domain-less EOF is quiet. */
#include "xenpv/watchdog.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <string.h>

static void test_parse(void)
{
	uint32_t domid = 0;
	char uuid[37] = "";

	CU_ASSERT_EQUAL(watchdog_parse_line("D 12 00112233-4455-6677-8899-aabbccddeeff",
					    &domid, uuid), 'D');
	CU_ASSERT_EQUAL(domid, 12);
	CU_ASSERT_STRING_EQUAL(uuid, "00112233-4455-6677-8899-aabbccddeeff");
	CU_ASSERT_EQUAL(watchdog_parse_line("N", &domid, uuid), 'N');
	CU_ASSERT_EQUAL(watchdog_parse_line("C", &domid, uuid), 'C');
}

static void test_parse_rejects(void)
{
	static const char *const bad[] = {
		"", "X", "D", "D 0 00112233-4455-6677-8899-aabbccddeeff",
		"D -1 00112233-4455-6677-8899-aabbccddeeff",
		"D 99999 00112233-4455-6677-8899-aabbccddeeff",
		"D 3 00112233-4455-6677-8899-aabbccddeef",
		"D 3 00112233-4455-6677-8899-aabbccddeeffa",
		"D 3 0011223304455-6677-8899-aabbccddeeff",
		"D 3 00112233-4455-6677-8899-aabbccddeefg",
		"D 3x 00112233-4455-6677-8899-aabbccddeeff",
	};
	uint32_t domid = 5;
	char uuid[37] = "keep";

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(watchdog_parse_line(bad[i], &domid, uuid), -EINVAL);
	CU_ASSERT_EQUAL(domid, 5);
	CU_ASSERT_STRING_EQUAL(uuid, "keep");
}

static void test_start_dispose(void)
{
	struct watchdog wd;

	watchdog_init(&wd);
	CU_ASSERT_EQUAL_FATAL(watchdog_start(&wd), 0);
	CU_ASSERT(wd.pid > 0);
	CU_ASSERT_EQUAL(watchdog_clear_domain(&wd), 0);
	watchdog_dispose(&wd);
	CU_ASSERT_EQUAL(wd.pid, -1);
	CU_ASSERT_EQUAL(wd.fd, -1);
	watchdog_dispose(&wd);	/* idempotent */
}

static CU_TestInfo tests[] = {
	{ "parses D/N/C messages", test_parse },
	{ "rejects malformed messages", test_parse_rejects },
	{ "starts and stops cleanly without a domain", test_start_dispose },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("watchdog", tests)
