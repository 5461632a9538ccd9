/*
 * The monitor's line assembly and command parser (launcher/monitor.c), as a
 * client on its socket reaches them: the input is fed in chunks whose sizes
 * come from its first byte, to a monitor whose operations only count their
 * calls (screendump writes nothing). The output sink is a small window that
 * sometimes fills, so the "offer the rest again later" path runs too.
 */
#include "tests/fuzz/fuzz.h"

#include <stdbool.h>
#include <string.h>

#include "launcher/monitor.h"

struct sink {
	size_t space;		/* room left before the client reads */
	size_t written;
	unsigned calls;
};

static size_t sink_write(void *opaque, const void *buf, size_t len)
{
	struct sink *s = opaque;
	size_t n = len < s->space ? len : s->space;

	FUZZ_CHECK(buf != NULL || len == 0);
	s->space -= n;
	s->written += n;
	return n;
}

static size_t sink_space(void *opaque)
{
	return ((struct sink *)opaque)->space;
}

static int op_status(void *opaque, bool *running_r) { ((struct sink *)opaque)->calls++; *running_r = true; return 0; }
static int op_name(void *opaque, const char **name_r) { ((struct sink *)opaque)->calls++; *name_r = "fuzz"; return 0; }
static int op_domid(void *opaque, uint32_t *domid_r) { ((struct sink *)opaque)->calls++; *domid_r = 7; return 0; }
static int op_domain_xml(void *opaque, char **xml_r) { ((struct sink *)opaque)->calls++; *xml_r = strdup("<domain/>"); return *xml_r ? 0 : -12; }
static int op_chardevs(void *opaque, struct monitor *mon) { ((struct sink *)opaque)->calls++; monitor_print_chardev(mon, "serial0", "pty:/dev/pts/0"); return 0; }
static int op_action(void *opaque, struct monitor *mon) { ((struct sink *)opaque)->calls++; (void)mon; return 0; }
static int op_password(void *opaque, const char *password) { ((struct sink *)opaque)->calls++; FUZZ_CHECK(strlen(password) <= MONITOR_LINE_MAX); return -22; }
static int op_screendump(void *opaque, const char *path) { ((struct sink *)opaque)->calls++; FUZZ_CHECK(strlen(path) <= MONITOR_LINE_MAX); return 0; }

static const struct monitor_ops ops = {
	.write = sink_write, .write_space = sink_space,
	.status = op_status, .name = op_name, .domid = op_domid, .domain_xml = op_domain_xml,
	.chardev_list = op_chardevs, .stop = op_action, .cont = op_action,
	.system_powerdown = op_action, .system_reset = op_action, .quit = op_action,
	.vnc_password = op_password, .screendump = op_screendump,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sink s = { .space = 4 * MONITOR_OUTPUT_RESERVE };
	struct monitor mon;
	size_t chunk, off = 0, stalls = 0;

	fuzz_quiet_log();
	if (!size)
		return 0;
	chunk = 1 + data[0] % 64;
	monitor_init(&mon, &ops, &s, data[0] & 0x80);
	monitor_connected(&mon);
	for (off = 1; off < size;) {
		size_t len = size - off < chunk ? size - off : chunk;
		size_t took = monitor_feed(&mon, data + off, len);

		FUZZ_CHECK(took <= len);
		off += took;
		if (took < len) {
			/* Only a full sink holds input back; the client reads it all. */
			FUZZ_CHECK(s.space < MONITOR_OUTPUT_RESERVE);
			s.space = 4 * MONITOR_OUTPUT_RESERVE;
			FUZZ_CHECK(++stalls <= size);
		}
		if (monitor_quit_requested(&mon))
			break;
	}
	/* Nothing more is consumed once quit has run. */
	if (monitor_quit_requested(&mon) && off < size)
		FUZZ_CHECK(monitor_feed(&mon, data + off, size - off) == size - off);
	monitor_disconnected(&mon);
	monitor_dispose(&mon);
	return 0;
}
