/* launcher/monitor: QEMU's HMP texts, line assembly under hostile input, back-pressure. */
#include "launcher/monitor.h"
#include "model/config.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A pretend guest and a pretend chardev. */
struct fake {
	char out[64 * 1024];
	size_t out_len;
	size_t space;		/* what write_space() reports */
	bool running;
	int status_rc;
	const char *name;
	uint32_t domid;
	int domid_rc;
	int stops, conts, powerdowns, resets, quits;
	int action_rc;
	const char *xml;	/* what domain_xml() returns */
};

static size_t fake_write(void *opaque, const void *buf, size_t len)
{
	struct fake *f = opaque;

	if (len > sizeof(f->out) - 1 - f->out_len)
		len = sizeof(f->out) - 1 - f->out_len;
	memcpy(f->out + f->out_len, buf, len);
	f->out_len += len;
	f->out[f->out_len] = '\0';
	return len;
}

static size_t fake_write_space(void *opaque) { return ((struct fake *)opaque)->space; }

static int fake_status(void *opaque, bool *running_r)
{
	struct fake *f = opaque;

	*running_r = f->running;
	return f->status_rc;
}

static int fake_name(void *opaque, const char **name_r)
{
	*name_r = ((struct fake *)opaque)->name;
	return 0;
}

static int fake_domid(void *opaque, uint32_t *domid_r)
{
	struct fake *f = opaque;

	*domid_r = f->domid;
	return f->domid_rc;
}

static int fake_domain_xml(void *opaque, char **xml_r)
{
	struct fake *f = opaque;

	*xml_r = f->xml ? strdup(f->xml) : NULL;
	return *xml_r ? 0 : -ENOMEM;
}

static int fake_chardevs(void *opaque, struct monitor *mon)
{
	monitor_print_chardev(mon, "serial0", "pty:/dev/pts/3");
	monitor_print_chardev(mon, "compat_monitor0", "unix:/run/x.sock,server=on");
	return 0;
}

static int fake_stop(void *opaque, struct monitor *mon)
{
	struct fake *f = opaque;

	f->stops++;
	f->running = false;
	return f->action_rc;
}

static int fake_cont(void *opaque, struct monitor *mon)
{
	struct fake *f = opaque;

	f->conts++;
	f->running = true;
	return f->action_rc;
}

static int fake_powerdown(void *opaque, struct monitor *mon)
{
	((struct fake *)opaque)->powerdowns++;
	return ((struct fake *)opaque)->action_rc;
}

static int fake_reset(void *opaque, struct monitor *mon)
{
	((struct fake *)opaque)->resets++;
	return ((struct fake *)opaque)->action_rc;
}

static int fake_quit(void *opaque, struct monitor *mon)
{
	((struct fake *)opaque)->quits++;
	return ((struct fake *)opaque)->action_rc;
}

static const struct monitor_ops fake_ops = {
	.write = fake_write,
	.write_space = fake_write_space,
	.status = fake_status,
	.name = fake_name,
	.domid = fake_domid,
	.domain_xml = fake_domain_xml,
	.chardev_list = fake_chardevs,
	.stop = fake_stop,
	.cont = fake_cont,
	.system_powerdown = fake_powerdown,
	.system_reset = fake_reset,
	.quit = fake_quit,
};

static struct fake *fake_new(void)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->space = 64 * 1024;
	f->running = true;
	f->name = "demo";
	f->domid = 7;
	return f;
}

static void fake_clear(struct fake *f)
{
	f->out_len = 0;
	f->out[0] = '\0';
}

static size_t feed_str(struct monitor *mon, const char *s)
{
	return monitor_feed(mon, (const uint8_t *)s, strlen(s));
}

/* Feeds one line and asserts the monitor's exact answer (prompt included). */
#define EXPECT_REPLY(line, reply)                                        \
	do {                                                             \
		fake_clear(f);                                           \
		CU_ASSERT_EQUAL(feed_str(&mon, line "\n"), strlen(line "\n")); \
		CU_ASSERT_STRING_EQUAL(f->out, reply "(qemu) ");         \
	} while (0)

static void test_banner_and_prompt(void)
{
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &fake_ops, f, false);
	monitor_connected(&mon);
	CU_ASSERT_STRING_EQUAL(f->out,
		"xenlaunch monitor - type 'help' for more information\r\n(qemu) ");
	EXPECT_REPLY("", "");
	EXPECT_REPLY("   \t ", "");
	monitor_dispose(&mon);
	free(f);
}

static void test_info(void)
{
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &fake_ops, f, false);
	EXPECT_REPLY("info status", "VM status: running\r\n");
	f->running = false;
	EXPECT_REPLY("info status", "VM status: paused\r\n");
	EXPECT_REPLY("  info   status  ", "VM status: paused\r\n");
	EXPECT_REPLY("info name", "demo\r\n");
	f->name = NULL;
	EXPECT_REPLY("info name", "");
	EXPECT_REPLY("info domid", "7\r\n");
	EXPECT_REPLY("info chardev",
		     "serial0: filename=pty:/dev/pts/3\r\n"
		     "compat_monitor0: filename=unix:/run/x.sock,server=on\r\n");
	EXPECT_REPLY("info version", XENLAUNCH_VERSION "\r\n");
	EXPECT_REPLY("info",
		     "info chardev  -- show the character devices\r\n"
		     "info domid  -- show the Xen domain ID\r\n"
		     "info domxml  -- show the guest's precise domain XML\r\n"
		     "info name  -- show the current VM name\r\n"
		     "info status  -- show the current VM status (running|paused)\r\n"
		     "info version  -- show the version of xenlaunch\r\n");
	/* A failing operation: its errno, QEMU's "Error: " prefix. */
	f->domid_rc = -ENOENT;
	EXPECT_REPLY("info domid", "Error: No such file or directory\r\n");
	f->status_rc = -EIO;
	EXPECT_REPLY("info status", "Error: Input/output error\r\n");
	monitor_dispose(&mon);
	free(f);
}

static void test_help(void)
{
	struct fake *f = fake_new();
	struct monitor mon;
	static const char all[] =
		"change vnc password PASSWORD -- set the VNC password\r\n"
		"cont|c  -- resume the guest's vCPUs\r\n"
		"help|? [cmd] -- show the help\r\n"
		"info [subcommand] -- show various information about the system state\r\n"
		"quit|q  -- destroy the guest and exit xenlaunch\r\n"
		"screendump filename -- save the screen as a PPM image\r\n"
		"stop  -- pause the guest's vCPUs\r\n"
		"system_powerdown  -- ask the guest to power down\r\n"
		"system_reset  -- reboot the guest\r\n";

	monitor_init(&mon, &fake_ops, f, false);
	fake_clear(f);
	feed_str(&mon, "help\n");
	CU_ASSERT_STRING_EQUAL(f->out, "change vnc password PASSWORD -- set the VNC password\r\n"
		"cont|c  -- resume the guest's vCPUs\r\n"
		"help|? [cmd] -- show the help\r\n"
		"info [subcommand] -- show various information about the system state\r\n"
		"quit|q  -- destroy the guest and exit xenlaunch\r\n"
		"screendump filename -- save the screen as a PPM image\r\n"
		"stop  -- pause the guest's vCPUs\r\n"
		"system_powerdown  -- ask the guest to power down\r\n"
		"system_reset  -- reboot the guest\r\n(qemu) ");
	fake_clear(f);
	feed_str(&mon, "?\n");
	CU_ASSERT_EQUAL(strncmp(f->out, all, strlen(all)), 0);
	EXPECT_REPLY("help stop", "stop  -- pause the guest's vCPUs\r\n");
	EXPECT_REPLY("help c", "cont|c  -- resume the guest's vCPUs\r\n");
	EXPECT_REPLY("help info status", "info status  -- show the current VM status (running|paused)\r\n");
	EXPECT_REPLY("help nope", "unknown command: 'nope'\r\n");
	EXPECT_REPLY("help info nope", "unknown command: 'info nope'\r\n");
	EXPECT_REPLY("help stop now", "help: extraneous characters at the end of line\r\n");
	/* Nothing was run by asking for help. */
	CU_ASSERT_EQUAL(f->stops + f->conts + f->quits, 0);
	monitor_dispose(&mon);
	free(f);
}

static void test_actions(void)
{
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &fake_ops, f, false);
	EXPECT_REPLY("stop", "");
	CU_ASSERT_EQUAL(f->stops, 1);
	EXPECT_REPLY("info status", "VM status: paused\r\n");
	EXPECT_REPLY("cont", "");
	EXPECT_REPLY("c", "");
	CU_ASSERT_EQUAL(f->conts, 2);
	EXPECT_REPLY("system_powerdown", "");
	CU_ASSERT_EQUAL(f->powerdowns, 1);
	EXPECT_REPLY("system_reset", "");
	CU_ASSERT_EQUAL(f->resets, 1);
	f->action_rc = -EBUSY;
	EXPECT_REPLY("stop", "Error: Device or resource busy\r\n");
	f->action_rc = 0;
	EXPECT_REPLY("stop now", "stop: extraneous characters at the end of line\r\n");
	CU_ASSERT_EQUAL(f->stops, 2);
	CU_ASSERT_FALSE(monitor_quit_requested(&mon));

	/* quit: no prompt after it, and nothing after it runs. */
	fake_clear(f);
	CU_ASSERT_EQUAL(feed_str(&mon, "q\r\nstop\ncont\n"), 13);
	CU_ASSERT_STRING_EQUAL(f->out, "");
	CU_ASSERT_EQUAL(f->quits, 1);
	CU_ASSERT_EQUAL(f->stops, 2);
	CU_ASSERT_EQUAL(f->conts, 2);
	CU_ASSERT_TRUE(monitor_quit_requested(&mon));
	monitor_dispose(&mon);
	free(f);
}

static void test_failed_quit_keeps_going(void)
{
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &fake_ops, f, false);
	f->action_rc = -EAGAIN;
	EXPECT_REPLY("quit", "Error: Resource temporarily unavailable\r\n");
	CU_ASSERT_FALSE(monitor_quit_requested(&mon));
	f->action_rc = 0;
	EXPECT_REPLY("info name", "demo\r\n");
	monitor_dispose(&mon);
	free(f);
}

static void test_unknown_commands(void)
{
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &fake_ops, f, false);
	EXPECT_REPLY("foo", "unknown command: 'foo'\r\n");
	EXPECT_REPLY("foo bar baz qux quux corge", "unknown command: 'foo'\r\n");
	EXPECT_REPLY("STOP", "unknown command: 'STOP'\r\n");
	EXPECT_REPLY("cont|c", "unknown command: 'cont|c'\r\n");
	EXPECT_REPLY("info foo", "unknown command: 'info foo'\r\n");
	EXPECT_REPLY("info status now", "status: extraneous characters at the end of line\r\n");
	EXPECT_REPLY("\xff\xfe", "unknown command: '\xff\xfe'\r\n");
	CU_ASSERT_EQUAL(monitor_execute(&mon, "foo"), -EINVAL);
	CU_ASSERT_EQUAL(monitor_execute(&mon, "info version"), 0);
	monitor_dispose(&mon);
	free(f);
}

/* Operations the caller did not supply are refused by name, not crashed on. */
static void test_missing_ops(void)
{
	static const struct monitor_ops bare = { .write = fake_write };
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &bare, f, false);
	EXPECT_REPLY("stop", "Error: stop: not supported yet\r\n");
	EXPECT_REPLY("c", "Error: cont: not supported yet\r\n");
	EXPECT_REPLY("q", "Error: quit: not supported yet\r\n");
	EXPECT_REPLY("info status", "Error: info status: not supported yet\r\n");
	EXPECT_REPLY("info chardev", "Error: info chardev: not supported yet\r\n");
	EXPECT_REPLY("info version", XENLAUNCH_VERSION "\r\n");
	CU_ASSERT_FALSE(monitor_quit_requested(&mon));
	monitor_dispose(&mon);
	free(f);
}

static void test_line_endings_and_chunks(void)
{
	static const char input[] = "info name\r\ninfo domid\rinfo name\n\ninfo domid\r\n";
	struct fake *f = fake_new();
	struct monitor mon;
	size_t i;

	monitor_init(&mon, &fake_ops, f, false);
	/* One byte at a time: the same answers as in one piece. */
	for (i = 0; i < strlen(input); i++)
		CU_ASSERT_EQUAL(monitor_feed(&mon, (const uint8_t *)input + i, 1), 1);
	CU_ASSERT_STRING_EQUAL(f->out, "demo\r\n(qemu) 7\r\n(qemu) demo\r\n(qemu) (qemu) 7\r\n(qemu) ");
	/* "\r" and "\n" of one CRLF split across chunks count once. */
	fake_clear(f);
	feed_str(&mon, "info name\r");
	feed_str(&mon, "\ninfo domid\r");
	feed_str(&mon, "\n");
	CU_ASSERT_STRING_EQUAL(f->out, "demo\r\n(qemu) 7\r\n(qemu) ");
	monitor_dispose(&mon);
	free(f);
}

static void test_hostile_lines(void)
{
	static uint8_t big[100 * 1024];
	struct fake *f = fake_new();
	struct monitor mon;
	uint8_t nul_line[] = { 's', 't', 'o', 'p', '\0', 'x', '\n' };
	char exact[MONITOR_LINE_MAX + 2];

	monitor_init(&mon, &fake_ops, f, false);

	/* 100 KiB without a newline, then the newline: one error, no crash. */
	memset(big, 'a', sizeof(big));
	CU_ASSERT_EQUAL(monitor_feed(&mon, big, sizeof(big)), sizeof(big));
	CU_ASSERT_STRING_EQUAL(f->out, "");
	EXPECT_REPLY("", "Error: command line too long (more than 1024 bytes)\r\n");
	/* ... and the monitor is fine afterwards. */
	EXPECT_REPLY("info name", "demo\r\n");

	/* Exactly MONITOR_LINE_MAX bytes is allowed; one more is not. */
	memset(exact, ' ', MONITOR_LINE_MAX);
	memcpy(exact + MONITOR_LINE_MAX - 4, "stop", 4);
	exact[MONITOR_LINE_MAX] = '\n';
	fake_clear(f);
	CU_ASSERT_EQUAL(monitor_feed(&mon, (uint8_t *)exact, MONITOR_LINE_MAX + 1), MONITOR_LINE_MAX + 1);
	CU_ASSERT_STRING_EQUAL(f->out, "(qemu) ");
	CU_ASSERT_EQUAL(f->stops, 1);
	memset(exact, ' ', MONITOR_LINE_MAX + 1);
	memcpy(exact + MONITOR_LINE_MAX - 3, "stop", 4);
	exact[MONITOR_LINE_MAX + 1] = '\n';
	fake_clear(f);
	monitor_feed(&mon, (uint8_t *)exact, MONITOR_LINE_MAX + 2);
	CU_ASSERT_STRING_EQUAL(f->out, "Error: command line too long (more than 1024 bytes)\r\n(qemu) ");
	CU_ASSERT_EQUAL(f->stops, 1);

	/* A NUL byte must not truncate "stop\0x" into "stop". */
	fake_clear(f);
	CU_ASSERT_EQUAL(monitor_feed(&mon, nul_line, sizeof(nul_line)), sizeof(nul_line));
	CU_ASSERT_STRING_EQUAL(f->out, "Error: control character in command line\r\n(qemu) ");
	CU_ASSERT_EQUAL(f->stops, 1);
	EXPECT_REPLY("\x1b[Ainfo name", "Error: control character in command line\r\n");

	/* Backspace and DEL edit the line; more of them than bytes is harmless. */
	EXPECT_REPLY("info nam\x7f\x7f\x7fname", "demo\r\n");
	EXPECT_REPLY("\b\b\b\x7finfo domid", "7\r\n");
	EXPECT_REPLY("xx\b\bc", "");
	CU_ASSERT_EQUAL(f->conts, 1);

	/* A direct monitor_execute() of an overlong line is refused too. */
	{
		char *huge = malloc(MONITOR_LINE_MAX + 2);

		memset(huge, 'x', MONITOR_LINE_MAX + 1);
		huge[MONITOR_LINE_MAX + 1] = '\0';
		fake_clear(f);
		CU_ASSERT_EQUAL(monitor_execute(&mon, huge), -E2BIG);
		CU_ASSERT_STRING_EQUAL(f->out, "Error: command line too long (more than 1024 bytes)\r\n");
		free(huge);
	}
	monitor_dispose(&mon);
	free(f);
}

/* Too little room in the sink: the command waits, nothing runs, nothing is lost. */
static void test_output_backpressure(void)
{
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &fake_ops, f, false);
	f->space = MONITOR_OUTPUT_RESERVE - 1;
	CU_ASSERT_EQUAL(feed_str(&mon, "stop\ncont\n"), 4);
	CU_ASSERT_EQUAL(f->stops, 0);
	CU_ASSERT_STRING_EQUAL(f->out, "");
	f->space = MONITOR_OUTPUT_RESERVE;
	CU_ASSERT_EQUAL(feed_str(&mon, "\ncont\n"), 6);
	CU_ASSERT_EQUAL(f->stops, 1);
	CU_ASSERT_EQUAL(f->conts, 1);
	CU_ASSERT_STRING_EQUAL(f->out, "(qemu) (qemu) ");
	monitor_dispose(&mon);
	free(f);
}

static void test_echo(void)
{
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &fake_ops, f, true);
	feed_str(&mon, "info nax\x7fme\r");
	CU_ASSERT_STRING_EQUAL(f->out, "info nax\b \bme\r\ndemo\r\n(qemu) ");
	monitor_dispose(&mon);
	free(f);
}

static void test_disconnect_forgets_partial_line(void)
{
	struct fake *f = fake_new();
	struct monitor mon;

	monitor_init(&mon, &fake_ops, f, false);
	feed_str(&mon, "sto");
	monitor_disconnected(&mon);
	monitor_connected(&mon);
	fake_clear(f);
	feed_str(&mon, "p\n");
	CU_ASSERT_STRING_EQUAL(f->out, "unknown command: 'p'\r\n(qemu) ");
	CU_ASSERT_EQUAL(f->stops, 0);
	monitor_dispose(&mon);
	free(f);
}

/* The XML is longer than one monitor_printf(): it must arrive whole, in CRLF. */
static void test_info_domxml(void)
{
	struct fake *f = fake_new();
	struct monitor mon;
	size_t n = 0;
	char *xml = malloc(3 * MONITOR_OUTPUT_MAX), *expect = malloc(6 * MONITOR_OUTPUT_MAX);

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	CU_ASSERT_PTR_NOT_NULL_FATAL(expect);
	strcpy(xml, "<domain type='xen'>\n");
	while (strlen(xml) < 2 * MONITOR_OUTPUT_MAX)
		strcat(xml, "  <description>padding</description>\n");
	strcat(xml, "</domain>\n");
	for (const char *p = xml; *p; p++) {
		if (*p == '\n')
			expect[n++] = '\r';
		expect[n++] = *p;
	}
	strcpy(expect + n, "(qemu) ");
	f->xml = xml;
	monitor_init(&mon, &fake_ops, f, false);
	fake_clear(f);
	CU_ASSERT_EQUAL(feed_str(&mon, "info domxml\n"), 12);
	CU_ASSERT_STRING_EQUAL(f->out, expect);

	/* Less room than the document needs: an error, never half of it. */
	f->space = 2 * strlen(xml) - 1;
	fake_clear(f);
	CU_ASSERT_EQUAL(monitor_execute(&mon, "info domxml"), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->out, "does not fit the monitor's output buffer"));
	CU_ASSERT_PTR_NULL(strstr(f->out, "<domain"));

	f->space = 64 * 1024;
	f->xml = NULL;	/* the launcher out of memory */
	fake_clear(f);
	CU_ASSERT_EQUAL(monitor_execute(&mon, "info domxml"), -ENOMEM);
	CU_ASSERT_STRING_EQUAL(f->out, "Error: Cannot allocate memory\r\n");
	monitor_dispose(&mon);
	free(xml);
	free(expect);
	free(f);
}

static CU_TestInfo tests[] = {
	{ "info domxml: long XML whole, or an error", test_info_domxml },
	{ "banner, prompt, empty lines", test_banner_and_prompt },
	{ "info subcommands in QEMU's formats", test_info },
	{ "help lists every command", test_help },
	{ "stop, cont, powerdown, reset, quit", test_actions },
	{ "a failed quit leaves the monitor running", test_failed_quit_keeps_going },
	{ "unknown commands and extra arguments", test_unknown_commands },
	{ "missing operations are refused by name", test_missing_ops },
	{ "CR, LF, CRLF in any chunking", test_line_endings_and_chunks },
	{ "hostile lines: long, NUL, escapes, backspaces", test_hostile_lines },
	{ "output back-pressure delays commands", test_output_backpressure },
	{ "echo for raw terminals", test_echo },
	{ "disconnect forgets the partial line", test_disconnect_forgets_partial_line },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("monitor", tests)
