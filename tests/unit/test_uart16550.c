/* xenfv/uart16550: registers, FIFOs, interrupts, as Linux's 8250 driver uses them, and hostile accesses. */
#include "xenfv/uart16550.h"
#include "tests/unit/unit.h"

#include <string.h>

struct line {
	uint8_t out[256];
	size_t n_out;
	size_t take;		/* bytes the sink takes per call; SIZE_MAX: all */
	int irq;
	unsigned irq_changes;
	unsigned rx_space_calls;
};

static size_t line_tx(void *opaque, const uint8_t *buf, size_t len)
{
	struct line *l = opaque;
	size_t n = len < l->take ? len : l->take;

	if (n > sizeof(l->out) - l->n_out)
		n = sizeof(l->out) - l->n_out;
	memcpy(l->out + l->n_out, buf, n);
	l->n_out += n;
	return n;
}

static void line_irq(void *opaque, int level)
{
	struct line *l = opaque;

	CU_ASSERT_NOT_EQUAL(level, l->irq);	/* called on changes only */
	l->irq = level;
	l->irq_changes++;
}

static void line_rx_space(void *opaque)
{
	struct line *l = opaque;

	l->rx_space_calls++;
}

static void setup(struct uart16550 *u, struct line *l)
{
	struct uart16550_ops ops = { line_tx, line_irq, line_rx_space, l };

	memset(l, 0, sizeof(*l));
	l->take = SIZE_MAX;
	uart16550_init(u, &ops);
}

static void test_reset_state(void)
{
	struct uart16550 u;
	struct line l;

	setup(&u, &l);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR), UART_IIR_NO_INT);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IER), 0);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_RBR), 0);
	CU_ASSERT_EQUAL(l.irq, 0);
}

/* What Linux's 8250 autoconfig does to find a 16550A, and its console setup. */
static void test_linux_probe(void)
{
	struct uart16550 u;
	struct line l;

	setup(&u, &l);
	/* IER is a scratch test of the port's existence. */
	uart16550_write(&u, UART_IER, 0);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IER), 0);
	uart16550_write(&u, UART_IER, 0x0f);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IER) & 0x0f, 0x0f);
	uart16550_write(&u, UART_IER, 0);
	/* The FIFO: IIR's top bits say 16550A. */
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR) & 0xc0, 0xc0);
	/* Loopback: MSR mirrors MCR. */
	uart16550_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	uart16550_write(&u, UART_MCR, 0);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_MSR) & 0xf0, UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	/* 115200 8N1. */
	uart16550_write(&u, UART_LCR, UART_LCR_DLAB | 0x03);
	uart16550_write(&u, UART_DLL, 1);
	uart16550_write(&u, UART_DLM, 0);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_DLL), 1);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_DLM), 0);
	CU_ASSERT_EQUAL(u.divisor, 1);
	uart16550_write(&u, UART_LCR, 0x03);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_LCR), 0x03);
	CU_ASSERT_EQUAL(l.n_out, 0);	/* nothing of that was sent */
	CU_ASSERT_EQUAL(l.irq, 0);
	l.irq_changes = 0;
	/* The console's polled write: wait for THRE, write THR. */
	for (const char *s = "Linux"; *s; s++) {
		CU_ASSERT(uart16550_read(&u, UART_LSR) & UART_LSR_THRE);
		uart16550_write(&u, UART_THR, (uint8_t)*s);
	}
	CU_ASSERT_EQUAL(l.n_out, 5);
	CU_ASSERT_EQUAL(memcmp(l.out, "Linux", 5), 0);
	CU_ASSERT_EQUAL(l.irq_changes, 0);	/* IER 0: no interrupt ever */
	uart16550_write(&u, UART_SCR, 0x5a);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_SCR), 0x5a);
}

static void test_thre_interrupt(void)
{
	struct uart16550 u;
	struct line l;

	setup(&u, &l);
	/* Enabling it with an empty THR raises it at once... */
	uart16550_write(&u, UART_IER, UART_IER_THRI);
	CU_ASSERT_EQUAL(l.irq, 1);
	/* ...and IIR reports it once, which acknowledges it. */
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR), UART_IIR_THRI);
	CU_ASSERT_EQUAL(l.irq, 0);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR), UART_IIR_NO_INT);
	/* A byte sent: THR empty again, interrupt again. */
	uart16550_write(&u, UART_THR, 'x');
	CU_ASSERT_EQUAL(l.irq, 1);
	/* Writing THR acknowledges it too (the sink held the byte back). */
	l.take = 0;
	uart16550_write(&u, UART_THR, 'y');
	CU_ASSERT_EQUAL(l.irq, 0);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), 0);
	/* IER 0 lowers the line whatever is pending. */
	l.take = SIZE_MAX;
	uart16550_tx_drain(&u);
	CU_ASSERT_EQUAL(l.irq, 1);
	uart16550_write(&u, UART_IER, 0);
	CU_ASSERT_EQUAL(l.irq, 0);
	CU_ASSERT_EQUAL(l.n_out, 2);
}

static void test_tx_back_pressure(void)
{
	struct uart16550 u;
	struct line l;
	uint8_t lsr;

	setup(&u, &l);
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE);
	l.take = 0;
	for (unsigned i = 0; i < UART16550_FIFO + 3; i++)
		uart16550_write(&u, UART_THR, (uint8_t)('a' + i));
	lsr = uart16550_read(&u, UART_LSR);
	CU_ASSERT_EQUAL(lsr & (UART_LSR_THRE | UART_LSR_TEMT), 0);
	CU_ASSERT_EQUAL(u.tx_dropped, 3);	/* a full FIFO loses the byte, as hardware does */
	/* The sink takes a few at each offer, until it has all; order kept. */
	l.take = 5;
	uart16550_tx_drain(&u);
	CU_ASSERT_EQUAL(l.n_out, 5);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_LSR) & UART_LSR_THRE, 0);
	for (unsigned i = 0; i < 3; i++)
		uart16550_tx_drain(&u);
	CU_ASSERT_EQUAL(l.n_out, UART16550_FIFO);
	CU_ASSERT_EQUAL(memcmp(l.out, "abcdefghijklmnop", UART16550_FIFO), 0);
	CU_ASSERT(uart16550_read(&u, UART_LSR) & UART_LSR_TEMT);
	/* Without FIFOs, the holding register is one byte. */
	uart16550_write(&u, UART_FCR, 0);
	l.take = 0;
	l.n_out = 0;
	uart16550_write(&u, UART_THR, '1');
	uart16550_write(&u, UART_THR, '2');
	CU_ASSERT_EQUAL(u.tx_dropped, 4);
	l.take = SIZE_MAX;
	uart16550_tx_drain(&u);
	CU_ASSERT_EQUAL(l.n_out, 1);
	CU_ASSERT_EQUAL(l.out[0], '1');
}

static void test_rx(void)
{
	struct uart16550 u;
	struct line l;
	uint8_t in[40];

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	setup(&u, &l);
	/* No FIFO: one byte at a time, no byte lost. */
	CU_ASSERT_EQUAL(uart16550_receive(&u, in, sizeof(in)), 1);
	CU_ASSERT_EQUAL(uart16550_receive(&u, in + 1, 1), 0);
	CU_ASSERT(uart16550_read(&u, UART_LSR) & UART_LSR_DR);
	CU_ASSERT_EQUAL(l.irq, 0);	/* IER 0 */
	uart16550_write(&u, UART_IER, UART_IER_RDI);
	CU_ASSERT_EQUAL(l.irq, 1);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR), UART_IIR_RDI);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_RBR), 0);
	CU_ASSERT_EQUAL(l.irq, 0);
	CU_ASSERT_EQUAL(l.rx_space_calls, 1);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_LSR) & UART_LSR_DR, 0);

	/* FIFO, trigger level 8: below it a timeout interrupt, at it RDI. */
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE | 0x80);
	CU_ASSERT_EQUAL(uart16550_receive(&u, in + 1, 3), 3);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR), UART_IIR_CTI | UART_IIR_FIFO);
	CU_ASSERT_EQUAL(uart16550_receive(&u, in + 4, sizeof(in) - 4), UART16550_FIFO - 3);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR), UART_IIR_RDI | UART_IIR_FIFO);
	for (unsigned i = 1; i <= UART16550_FIFO; i++)
		CU_ASSERT_EQUAL(uart16550_read(&u, UART_RBR), i);
	CU_ASSERT_EQUAL(l.rx_space_calls, 2);	/* once, when a full FIFO got room */
	CU_ASSERT_EQUAL(l.irq, 0);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR), UART_IIR_NO_INT | UART_IIR_FIFO);
	/* FCR clears the receive FIFO. */
	CU_ASSERT_EQUAL(uart16550_receive(&u, in, 5), 5);
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_LSR) & UART_LSR_DR, 0);
	CU_ASSERT_EQUAL(l.irq, 0);
}

static void test_loopback(void)
{
	struct uart16550 u;
	struct line l;

	setup(&u, &l);
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE);
	uart16550_write(&u, UART_MCR, UART_MCR_LOOP);
	uart16550_write(&u, UART_THR, 0xa5);
	CU_ASSERT_EQUAL(l.n_out, 0);
	CU_ASSERT(uart16550_read(&u, UART_LSR) & UART_LSR_DR);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_RBR), 0xa5);
	/* The outside line is disconnected. */
	CU_ASSERT_EQUAL(uart16550_receive(&u, (const uint8_t *)"z", 1), 0);
	/* Overrun: set, reported as a line-status interrupt, cleared by reading LSR. */
	uart16550_write(&u, UART_IER, UART_IER_RLSI);
	for (unsigned i = 0; i <= UART16550_FIFO; i++)
		uart16550_write(&u, UART_THR, (uint8_t)i);
	CU_ASSERT_EQUAL(l.irq, 1);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR) & 0x0f, UART_IIR_RLSI);
	CU_ASSERT(uart16550_read(&u, UART_LSR) & UART_LSR_OE);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_LSR) & UART_LSR_OE, 0);
	CU_ASSERT_EQUAL(l.irq, 0);
	/* Modem-status interrupts from MCR changes. */
	uart16550_read(&u, UART_MSR);
	uart16550_write(&u, UART_IER, UART_IER_MSI);
	uart16550_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	CU_ASSERT_EQUAL(l.irq, 1);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IIR) & 0x0f, UART_IIR_MSI);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_MSR), UART_MSR_DSR | UART_MSR_DDSR);
	CU_ASSERT_EQUAL(l.irq, 0);
}

/* Offsets beyond the eight registers, read-only registers, reserved bits. */
static void test_hostile_accesses(void)
{
	struct uart16550 u, before;
	struct line l;

	setup(&u, &l);
	uart16550_write(&u, UART_FCR, UART_FCR_ENABLE);
	CU_ASSERT_EQUAL(uart16550_receive(&u, (const uint8_t *)"ab", 2), 2);
	memcpy(&before, &u, sizeof(u));
	for (unsigned off = UART16550_PORTS; off < 4096; off++) {
		CU_ASSERT_EQUAL(uart16550_read(&u, off), 0xff);
		uart16550_write(&u, off, 0xff);
	}
	uart16550_read(&u, ~0u);
	uart16550_write(&u, ~0u, 0);
	uart16550_write(&u, UART_LSR, 0);
	uart16550_write(&u, UART_MSR, 0xff);
	CU_ASSERT_EQUAL(memcmp(&u, &before, sizeof(u)), 0);
	uart16550_write(&u, UART_IER, 0xff);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_IER), 0x0f);
	uart16550_write(&u, UART_MCR, 0xff);
	CU_ASSERT_EQUAL(uart16550_read(&u, UART_MCR), 0x1f);
	/* Every byte value to every register, in every mode: nothing breaks. */
	for (unsigned lcr = 0; lcr < 2; lcr++)
		for (unsigned off = 0; off < UART16550_PORTS; off++)
			for (unsigned v = 0; v < 256; v++) {
				uart16550_write(&u, UART_LCR, lcr ? UART_LCR_DLAB : 0);
				uart16550_write(&u, off, (uint8_t)v);
				uart16550_read(&u, off);
				CU_ASSERT(u.rx_count <= UART16550_FIFO && u.tx_count <= UART16550_FIFO);
			}
}

static CU_TestInfo tests[] = {
	{ "reset state", test_reset_state },
	{ "Linux's probe and polled console", test_linux_probe },
	{ "THRE interrupt", test_thre_interrupt },
	{ "transmit back-pressure", test_tx_back_pressure },
	{ "receive FIFO and interrupts", test_rx },
	{ "loopback, overrun, modem status", test_loopback },
	{ "hostile accesses", test_hostile_accesses },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("uart16550", tests)
