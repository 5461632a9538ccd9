/* console/console_ring: the PV console ring against a hostile guest. */
#include "console/console_ring.h"
#include "common/log.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sink {
	char buf[8192];
	size_t len;
	size_t limit;	/* accept at most this many per call */
};

static size_t sink_write(void *opaque, const char *buf, size_t len)
{
	struct sink *s = opaque;
	size_t n = len < s->limit ? len : s->limit;

	if (n > sizeof(s->buf) - s->len)
		n = sizeof(s->buf) - s->len;
	memcpy(s->buf + s->len, buf, n);
	s->len += n;
	return n;
}

/* The guest side: append to `out` as a well-behaved frontend would. */
static void guest_write(struct xencons_interface *intf, const char *s)
{
	for (; *s; s++)
		intf->out[MASK_XENCONS_IDX(intf->out_prod++, intf->out)] = *s;
}

static char *logbuf;
static size_t loglen;
static FILE *log_file;

static void log_capture(void)
{
	log_file = open_memstream(&logbuf, &loglen);
	log_init("unit");
	log_set_stream(log_file);
}

static char *log_release(void)
{
	log_set_stream(NULL);
	fclose(log_file);
	return logbuf;
}

static void test_drain_simple(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	struct sink s = { .limit = SIZE_MAX };
	size_t moved;

	console_ring_init(&ring, &intf, "console/1");
	guest_write(&intf, "hello\n");
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), 0);
	CU_ASSERT_EQUAL(moved, 6);
	CU_ASSERT_EQUAL(s.len, 6);
	CU_ASSERT_NSTRING_EQUAL(s.buf, "hello\n", 6);
	CU_ASSERT_EQUAL(intf.out_cons, intf.out_prod);
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), 0);
	CU_ASSERT_EQUAL(moved, 0);
}

static void test_drain_wraps_indices(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	struct sink s = { .limit = SIZE_MAX };
	size_t moved;

	/* Indices near 2^32: prod - cons must still work across the wrap. */
	intf.out_cons = intf.out_prod = 0xfffffffcu;
	console_ring_init(&ring, &intf, "console/1");
	guest_write(&intf, "abcdefgh");
	CU_ASSERT_EQUAL(intf.out_prod, 4u);
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), 0);
	CU_ASSERT_EQUAL(moved, 8);
	CU_ASSERT_NSTRING_EQUAL(s.buf, "abcdefgh", 8);
	CU_ASSERT_EQUAL(intf.out_cons, 4u);
}

static void test_drain_backpressure(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	struct sink s = { .limit = 3 };
	size_t moved;

	console_ring_init(&ring, &intf, "console/1");
	guest_write(&intf, "abcdefg");
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), 0);
	CU_ASSERT_EQUAL(moved, 3);
	CU_ASSERT_EQUAL(intf.out_cons, 3u);
	CU_ASSERT_EQUAL(console_ring_out_pending(&ring), 4);
	s.limit = 0;
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), 0);
	CU_ASSERT_EQUAL(moved, 0);
	CU_ASSERT_EQUAL(intf.out_cons, 3u);
	s.limit = SIZE_MAX;
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), 0);
	CU_ASSERT_EQUAL(moved, 4);
	CU_ASSERT_NSTRING_EQUAL(s.buf, "abcdefg", 7);
}

static void test_drain_full_ring(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	struct sink s = { .limit = SIZE_MAX };
	size_t moved;

	memset(intf.out, 'x', sizeof(intf.out));
	intf.out_cons = 100;
	intf.out_prod = 100 + sizeof(intf.out);
	console_ring_init(&ring, &intf, "console/1");
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), 0);
	CU_ASSERT_EQUAL(moved, sizeof(intf.out));
}

static void test_drain_hostile_prod(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	struct sink s = { .limit = SIZE_MAX };
	size_t moved = 99;
	char *log;

	log_capture();
	intf.out_cons = 10;
	intf.out_prod = 10 + sizeof(intf.out) + 1;
	console_ring_init(&ring, &intf, "console/7");
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), -EPROTO);
	CU_ASSERT_EQUAL(moved, 0);
	CU_ASSERT_EQUAL(s.len, 0);
	CU_ASSERT(xen_ring_failed(&ring.fault));
	/* Broken stays broken, and says so only once. */
	intf.out_prod = 12;
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), -EPROTO);
	log = log_release();
	CU_ASSERT_STRING_EQUAL(log, "unit: warning: console/7: output ring producer 2059 is impossible "
				    "(consumer 10, ring of 2048); console disabled\n");
	free(log);
}

static void test_drain_prod_behind_cons(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	struct sink s = { .limit = SIZE_MAX };
	size_t moved;

	log_capture();
	intf.out_cons = 50;
	intf.out_prod = 49;	/* "prod - cons" is 2^32 - 1 */
	console_ring_init(&ring, &intf, "console/1");
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), -EPROTO);
	CU_ASSERT_EQUAL(console_ring_out_pending(&ring), 0);
	free(log_release());
}

static void test_drain_huge_indices_masked(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	struct sink s = { .limit = SIZE_MAX };
	size_t moved;

	/* Valid distance but indices far beyond the array: masked, not used raw. */
	intf.out_cons = 0x7ffffffeu;
	intf.out_prod = 0x80000002u;
	console_ring_init(&ring, &intf, "console/1");
	CU_ASSERT_EQUAL(console_ring_drain(&ring, sink_write, &s, &moved), 0);
	CU_ASSERT_EQUAL(moved, 4);
}

static void test_push(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	size_t pushed;

	console_ring_init(&ring, &intf, "console/1");
	CU_ASSERT_EQUAL(console_ring_push(&ring, "ls\n", 3, &pushed), 0);
	CU_ASSERT_EQUAL(pushed, 3);
	CU_ASSERT_EQUAL(intf.in_prod, 3u);
	CU_ASSERT_NSTRING_EQUAL(intf.in, "ls\n", 3);
}

static void test_push_full_then_room(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	char big[2000];
	size_t pushed;

	memset(big, 'y', sizeof(big));
	intf.in_cons = intf.in_prod = 0xfffffff0u;
	console_ring_init(&ring, &intf, "console/1");
	CU_ASSERT_EQUAL(console_ring_push(&ring, big, sizeof(big), &pushed), 0);
	CU_ASSERT_EQUAL(pushed, sizeof(intf.in));
	CU_ASSERT_EQUAL(console_ring_push(&ring, big, 1, &pushed), 0);
	CU_ASSERT_EQUAL(pushed, 0);
	intf.in_cons += 10;	/* the guest read 10 bytes */
	CU_ASSERT_EQUAL(console_ring_push(&ring, big, sizeof(big), &pushed), 0);
	CU_ASSERT_EQUAL(pushed, 10);
}

static void test_push_hostile_cons(void)
{
	struct xencons_interface intf = { 0 };
	struct console_ring ring;
	size_t pushed = 5;
	char *log;

	log_capture();
	intf.in_cons = 5000;	/* cons ahead of prod: "used" is huge */
	intf.in_prod = 0;
	console_ring_init(&ring, &intf, "console/2");
	CU_ASSERT_EQUAL(console_ring_push(&ring, "x", 1, &pushed), -EPROTO);
	CU_ASSERT_EQUAL(pushed, 0);
	CU_ASSERT_EQUAL(intf.in_prod, 0u);
	log = log_release();
	CU_ASSERT_STRING_EQUAL(log, "unit: warning: console/2: input ring consumer 5000 is impossible "
				    "(producer 0, ring of 1024); console disabled\n");
	free(log);
}

static CU_TestInfo tests[] = {
	{ "drain copies output and consumes it", test_drain_simple },
	{ "drain across the 2^32 index wrap", test_drain_wraps_indices },
	{ "drain consumes only what the sink accepted", test_drain_backpressure },
	{ "drain of a completely full ring", test_drain_full_ring },
	{ "prod - cons > ring size breaks the ring once", test_drain_hostile_prod },
	{ "prod behind cons breaks the ring", test_drain_prod_behind_cons },
	{ "huge indices are masked", test_drain_huge_indices_masked },
	{ "push copies input", test_push },
	{ "push stops at a full ring, resumes on room", test_push_full_then_room },
	{ "push with a hostile in_cons breaks the ring", test_push_hostile_cons },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("console_ring", tests)
