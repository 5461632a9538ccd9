/* xenpv/watchdog: its message parser, and that a domain-less EOF is quiet. */
#include "xenpv/watchdog.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

static void test_parse_ioreq(void)
{
	static const char *const bad[] = {
		"I", "I ", "I -1", "I +1", "I 65536", "I 99999999999999999999", "I 3x", "I 3 ",
		"I  3", "I 0x10", "D 3", "i 3",
	};
	uint16_t id = 77;

	CU_ASSERT_EQUAL(watchdog_parse_ioreq("I 0", &id), 'I');
	CU_ASSERT_EQUAL(id, 0);
	CU_ASSERT_EQUAL(watchdog_parse_ioreq("I 65535", &id), 'I');
	CU_ASSERT_EQUAL(id, 65535);
	id = 77;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(watchdog_parse_ioreq(bad[i], &id), -EINVAL);
	CU_ASSERT_EQUAL(id, 77);
}

static void test_start_dispose(void)
{
	struct watchdog wd;

	watchdog_init(&wd);
	CU_ASSERT_EQUAL_FATAL(watchdog_start(&wd), 0);
	CU_ASSERT(wd.pid > 0);
	CU_ASSERT_EQUAL(watchdog_set_ioreq_server(&wd, 3), 0);	/* no domain: ignored */
	CU_ASSERT_EQUAL(watchdog_clear_domain(&wd), 0);
	watchdog_dispose(&wd);
	CU_ASSERT_EQUAL(wd.pid, -1);
	CU_ASSERT_EQUAL(wd.fd, -1);
	watchdog_dispose(&wd);	/* idempotent */
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fclose(f);
}

/* A launcher gone without "C": its files go, unless replaced meanwhile. */
static void test_files_removed_on_unclean_exit(void)
{
	char dir[] = "/tmp/xlwd-unit-XXXXXX", pid[64], sock[64], kept[64];
	struct watchdog wd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(pid, sizeof(pid), "%s/pid", dir);
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	snprintf(kept, sizeof(kept), "%s/kept", dir);
	touch(pid);
	touch(sock);
	touch(kept);
	watchdog_init(&wd);
	CU_ASSERT_EQUAL_FATAL(watchdog_start(&wd), 0);
	CU_ASSERT_EQUAL(watchdog_add_file(&wd, pid), 0);
	CU_ASSERT_EQUAL(watchdog_add_file(&wd, sock), 0);
	CU_ASSERT_EQUAL(watchdog_add_file(&wd, NULL), 0);
	CU_ASSERT_EQUAL(watchdog_add_file(&wd, "/nonexistent/x"), -ENOENT);
	/* Another launcher's socket now has that name: not ours to remove. */
	CU_ASSERT_EQUAL(unlink(sock), 0);
	CU_ASSERT_EQUAL(rename(kept, sock), 0);
	close(wd.fd);
	CU_ASSERT_EQUAL(waitpid(wd.pid, NULL, 0), wd.pid);
	CU_ASSERT_NOT_EQUAL(access(pid, F_OK), 0);
	CU_ASSERT_EQUAL(access(sock, F_OK), 0);

	/* A clean exit removes nothing: the launcher did. */
	watchdog_init(&wd);
	CU_ASSERT_EQUAL_FATAL(watchdog_start(&wd), 0);
	CU_ASSERT_EQUAL(watchdog_add_file(&wd, sock), 0);
	watchdog_dispose(&wd);
	CU_ASSERT_EQUAL(access(sock, F_OK), 0);
	unlink(sock);
	CU_ASSERT_EQUAL(rmdir(dir), 0);
}

static CU_TestInfo tests[] = {
	{ "parses D/N/C messages", test_parse },
	{ "rejects malformed messages", test_parse_rejects },
	{ "parses I (ioreq server) messages, rejects bad ones", test_parse_ioreq },
	{ "starts and stops cleanly without a domain", test_start_dispose },
	{ "an unclean exit removes the launcher's files, if still the same", test_files_removed_on_unclean_exit },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("watchdog", tests)
