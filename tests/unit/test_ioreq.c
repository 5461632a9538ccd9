/* xenfv/ioreq_server: one vCPU slot's state machine and port dispatch, hostile requests included. */
#include "xenfv/ioreq_server.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xenfv/uart16550.h"

struct fake_dev {
	uint8_t regs[8];
	unsigned reads, writes;
	unsigned last_off;
};

static uint8_t dev_read(void *opaque, unsigned off)
{
	struct fake_dev *d = opaque;

	CU_ASSERT_FATAL(off < 8);
	d->reads++;
	d->last_off = off;
	return d->regs[off];
}

static void dev_write(void *opaque, unsigned off, uint8_t val)
{
	struct fake_dev *d = opaque;

	CU_ASSERT_FATAL(off < 8);
	d->writes++;
	d->last_off = off;
	d->regs[off] = val;
}

static struct ioreq pio(uint64_t port, unsigned size, int dir, uint64_t data)
{
	struct ioreq r;

	memset(&r, 0, sizeof(r));
	r.addr = port;
	r.size = size;
	r.count = 1;
	r.dir = dir ? 1 : 0;
	r.data = data;
	r.type = IOREQ_TYPE_PIO;
	r.state = STATE_IOREQ_READY;
	return r;
}

static void test_state_machine(void)
{
	struct fake_dev d = { .regs = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 } };
	struct ioreq_ports ports = { 0x3f8, 8, dev_read, dev_write, &d };
	struct ioreq_refused ref = { 0 };
	struct ioreq r;

	/* Only a READY slot is touched. */
	for (unsigned st = 0; st < 16; st++) {
		if (st == STATE_IOREQ_READY)
			continue;
		r = pio(0x3f8, 1, IOREQ_READ, 0xdead);
		r.state = st & 0xf;
		CU_ASSERT_FALSE(ioreq_handle_slot(&r, &ports, 1, &ref));
		CU_ASSERT_EQUAL(r.state, st & 0xf);
		CU_ASSERT_EQUAL(r.data, 0xdead);
	}
	CU_ASSERT_EQUAL(d.reads + d.writes, 0);
	/* READY -> (INPROCESS) -> IORESP_READY with the data of the read. */
	r = pio(0x3fd, 1, IOREQ_READ, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(r.state, STATE_IORESP_READY);
	CU_ASSERT_EQUAL(r.data, 0x66);
	CU_ASSERT_EQUAL(d.last_off, 5);
	/* A second look at an answered slot does nothing. */
	CU_ASSERT_FALSE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(d.reads, 1);
	/* A write. */
	r = pio(0x3f8, 1, IOREQ_WRITE, 0xffffff41);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(d.regs[0], 0x41);
	CU_ASSERT_EQUAL(r.data, 0xffffff41);	/* a write's data is not touched */
	CU_ASSERT_EQUAL(memcmp(&ref, &(struct ioreq_refused){ 0 }, sizeof(ref)), 0);
}

static void test_sizes(void)
{
	struct fake_dev d = { .regs = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 } };
	struct ioreq_ports ports = { 0x3f8, 8, dev_read, dev_write, &d };
	struct ioreq_refused ref = { 0 };
	struct ioreq r;

	/* 2 and 4 bytes: byte accesses, low port first. */
	r = pio(0x3f8, 2, IOREQ_READ, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(r.data, 0x2211);
	r = pio(0x3fc, 4, IOREQ_READ, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(r.data, 0x88776655);
	r = pio(0x3fa, 2, IOREQ_WRITE, 0xbbaa);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(d.regs[2], 0xaa);
	CU_ASSERT_EQUAL(d.regs[3], 0xbb);
	/* Over the end of the range: the bytes outside read 0xff, write nothing. */
	r = pio(0x3fe, 4, IOREQ_READ, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(r.data, 0xffff8877);
	CU_ASSERT_EQUAL(ref.unclaimed, 1);
	d.writes = 0;
	r = pio(0x3f6, 4, IOREQ_WRITE, 0x01020304);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(d.writes, 2);
	CU_ASSERT_EQUAL(d.regs[0], 0x02);
	CU_ASSERT_EQUAL(d.regs[1], 0x01);
	/* Bad sizes: answered with all-ones, nothing emulated. */
	d.reads = d.writes = 0;
	for (unsigned size = 0; size < 70; size++) {
		if (size == 1 || size == 2 || size == 4)
			continue;
		r = pio(0x3f8, size, IOREQ_READ, 0);
		CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
		CU_ASSERT_EQUAL(r.state, STATE_IORESP_READY);
		CU_ASSERT_EQUAL(r.data, ~(uint64_t)0);
		r = pio(0x3f8, size, IOREQ_WRITE, 0);
		CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	}
	r = pio(0x3f8, UINT32_MAX, IOREQ_READ, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(d.reads + d.writes, 0);
	CU_ASSERT_EQUAL(ref.size, 2 * 67 + 1);
}

static void test_refused_kinds(void)
{
	struct fake_dev d = { 0 };
	struct ioreq_ports ports = { 0x3f8, 8, dev_read, dev_write, &d };
	struct ioreq_refused ref = { 0 };
	char *log = NULL;
	size_t log_len = 0;
	FILE *f = unit_log_capture(&log, &log_len);
	struct ioreq r;

	/* rep insb: data is a guest address, not ours to write. */
	r = pio(0x3f8, 1, IOREQ_READ, 0x1000);
	r.data_is_ptr = 1;
	r.count = 100;
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(r.data, 0x1000);
	r = pio(0x3f8, 1, IOREQ_WRITE, 0);
	r.count = 0;
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(ref.indirect, 2);
	/* MMIO and PCI config: the server claims none; notifications: nothing to do. */
	r = pio(0xfee00000, 4, IOREQ_READ, 0);
	r.type = IOREQ_TYPE_COPY;
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(r.data, ~(uint64_t)0);
	r.type = IOREQ_TYPE_PCI_CONFIG;
	r.state = STATE_IOREQ_READY;
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	r.type = 0xff;
	r.state = STATE_IOREQ_READY;
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(ref.type, 3);
	r = pio(0, 0, IOREQ_WRITE, 0);
	r.type = IOREQ_TYPE_INVALIDATE;
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	r.type = IOREQ_TYPE_TIMEOFFSET;
	r.state = STATE_IOREQ_READY;
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(ref.type, 3);
	/* Ports nobody serves, far ones and past 0xffff included. */
	r = pio(0x80, 1, IOREQ_READ, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(r.data, 0xff);
	r = pio(0xfffe, 4, IOREQ_READ, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(r.data, 0xffffffff);
	/* An address that wraps does not reach port 0. */
	ports.base = 0;
	r = pio(UINT64_MAX, 4, IOREQ_WRITE, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(ref.unclaimed, 3);
	CU_ASSERT_EQUAL(d.reads + d.writes, 0);
	unit_log_release(f);
	/* One line per kind, whatever the number of requests. */
	CU_ASSERT_EQUAL(unit_count_lines(log), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "string and rep accesses are not emulated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "no MMIO or PCI configuration space is emulated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(log, "a port the server does not emulate"));
	free(log);
}

/* The UART behind the dispatcher, as Linux's console writes a byte. */
static size_t uart_sink(void *opaque, const uint8_t *buf, size_t len)
{
	size_t *n = opaque;

	*n += len;
	return len;
}

static uint8_t uart_rd(void *opaque, unsigned off)
{
	return uart16550_read(opaque, off);
}

static void uart_wr(void *opaque, unsigned off, uint8_t v)
{
	uart16550_write(opaque, off, v);
}

static void test_uart_behind_server(void)
{
	size_t sent = 0;
	struct uart16550_ops ops = { uart_sink, NULL, NULL, &sent };
	struct uart16550 u;
	struct ioreq_ports ports = { UART16550_COM1_BASE, UART16550_PORTS, uart_rd, uart_wr, &u };
	struct ioreq_refused ref = { 0 };
	struct ioreq r;

	uart16550_init(&u, &ops);
	r = pio(0x3fd, 1, IOREQ_READ, 0);
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT(r.data & UART_LSR_THRE);
	r = pio(0x3f8, 1, IOREQ_WRITE, 'L');
	CU_ASSERT_TRUE(ioreq_handle_slot(&r, &ports, 1, &ref));
	CU_ASSERT_EQUAL(sent, 1);
}

static void test_add_ports(void)
{
	struct ioreq_server s;
	struct fake_dev d = { 0 };
	struct ioreq_ports ok = { 0x3f8, 8, dev_read, dev_write, &d };
	struct ioreq_ports bad = ok;

	ioreq_server_init(&s, NULL);
	bad.count = 0;
	CU_ASSERT_EQUAL(ioreq_server_add_ports(&s, &bad), -EINVAL);
	bad = ok;
	bad.base = 0xfffc;
	CU_ASSERT_EQUAL(ioreq_server_add_ports(&s, &bad), -EINVAL);
	bad = ok;
	bad.read = NULL;
	CU_ASSERT_EQUAL(ioreq_server_add_ports(&s, &bad), -EINVAL);
	for (unsigned i = 0; i < IOREQ_SERVER_MAX_RANGES; i++)
		CU_ASSERT_EQUAL(ioreq_server_add_ports(&s, &ok), 0);
	CU_ASSERT_EQUAL(ioreq_server_add_ports(&s, &ok), -E2BIG);
	/* Stopping a server that never started is harmless, twice. */
	ioreq_server_stop(&s);
	ioreq_server_close(&s);
	CU_ASSERT_EQUAL(ioreq_server_set_isa_irq(&s, 4, 1), -EINVAL);
}

static CU_TestInfo tests[] = {
	{ "READY -> IORESP_READY, nothing else", test_state_machine },
	{ "sizes and range edges", test_sizes },
	{ "refused kinds, logged once each", test_refused_kinds },
	{ "the UART behind it", test_uart_behind_server },
	{ "ranges", test_add_ports },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("ioreq", tests)
