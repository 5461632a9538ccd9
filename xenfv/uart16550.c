/*
 * The 16550A model; see uart16550.h.
 */
#include "xenfv/uart16550.h"

#include <string.h>

static const unsigned rx_trigger_levels[4] = { 1, 4, 8, 14 };

static bool fifo_on(const struct uart16550 *u)
{
	return u->fcr & UART_FCR_ENABLE;
}

/* Bytes a FIFO holds in the current mode: 16, or the one holding register. */
static unsigned fifo_room(const struct uart16550 *u)
{
	return fifo_on(u) ? UART16550_FIFO : 1;
}

static uint8_t interrupt_id(const struct uart16550 *u)
{
	if ((u->ier & UART_IER_RLSI) && (u->lsr & UART_LSR_OE))
		return UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->rx_count) {
		if (!fifo_on(u) || u->rx_count >= rx_trigger_levels[u->fcr >> 6])
			return UART_IIR_RDI;
		return UART_IIR_CTI;
	}
	if ((u->ier & UART_IER_THRI) && u->thr_ipending)
		return UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & 0x0f))
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void update_irq(struct uart16550 *u)
{
	int level = interrupt_id(u) != UART_IIR_NO_INT;

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->ops.set_irq)
			u->ops.set_irq(u->ops.opaque, level);
	}
}

/* LSR's transmitter bits follow the transmit FIFO; becoming empty arms THRE. */
static void tx_update(struct uart16550 *u)
{
	if (u->tx_count) {
		u->lsr &= (uint8_t)~(UART_LSR_THRE | UART_LSR_TEMT);
		return;
	}
	if (!(u->lsr & UART_LSR_THRE))
		u->thr_ipending = true;
	u->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
}

static void tx_flush(struct uart16550 *u)
{
	while (u->tx_count) {
		unsigned chunk = u->tx_count;
		size_t took;

		if (u->tx_head + chunk > UART16550_FIFO)
			chunk = UART16550_FIFO - u->tx_head;
		took = u->ops.tx ? u->ops.tx(u->ops.opaque, u->tx_buf + u->tx_head, chunk) : chunk;
		if (took > chunk)
			took = chunk;
		u->tx_head = (u->tx_head + (unsigned)took) % UART16550_FIFO;
		u->tx_count -= (unsigned)took;
		if (took < chunk)
			break;
	}
	tx_update(u);
}

static bool rx_push(struct uart16550 *u, uint8_t c)
{
	if (u->rx_count >= fifo_room(u))
		return false;
	u->rx[(u->rx_head + u->rx_count) % UART16550_FIFO] = c;
	u->rx_count++;
	u->lsr |= UART_LSR_DR;
	return true;
}

static void transmit(struct uart16550 *u, uint8_t c)
{
	if (u->mcr & UART_MCR_LOOP) {
		/* The line is disconnected; the byte comes back. */
		if (!rx_push(u, c))
			u->lsr |= UART_LSR_OE;
		u->thr_ipending = true;
		return;
	}
	if (u->tx_count >= fifo_room(u)) {
		u->tx_dropped++;
		return;
	}
	u->tx_buf[(u->tx_head + u->tx_count) % UART16550_FIFO] = c;
	u->tx_count++;
	u->thr_ipending = false;
	u->lsr &= (uint8_t)~(UART_LSR_THRE | UART_LSR_TEMT);
	tx_flush(u);
}

/* MSR in loopback mode: the modem inputs are the MCR outputs, and a
 * change of one sets its delta bit. */
static void loopback_msr(struct uart16550 *u)
{
	uint8_t in = 0, old = u->msr;

	if (u->mcr & UART_MCR_RTS)
		in |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_DTR)
		in |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_OUT1)
		in |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		in |= UART_MSR_DCD;
	u->msr = (uint8_t)((old & 0x0f) | in);
	if ((in ^ old) & UART_MSR_CTS)
		u->msr |= UART_MSR_DCTS;
	if ((in ^ old) & UART_MSR_DSR)
		u->msr |= UART_MSR_DDSR;
	if ((old & UART_MSR_RI) && !(in & UART_MSR_RI))
		u->msr |= UART_MSR_TERI;
	if ((in ^ old) & UART_MSR_DCD)
		u->msr |= UART_MSR_DDCD;
}

/* Outside loopback the "modem" is always there and ready. */
#define MSR_LINE_UP (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)

void uart16550_init(struct uart16550 *u, const struct uart16550_ops *ops)
{
	memset(u, 0, sizeof(*u));
	u->ops = *ops;
	u->divisor = 12;
	u->lsr = UART_LSR_THRE | UART_LSR_TEMT;
	u->msr = MSR_LINE_UP;
}

uint8_t uart16550_read(struct uart16550 *u, unsigned offset)
{
	bool was_full;
	uint8_t v;

	switch (offset) {
	case UART_RBR:
		if (u->lcr & UART_LCR_DLAB)
			return (uint8_t)u->divisor;
		if (!u->rx_count)
			return 0;
		was_full = u->rx_count >= fifo_room(u);
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART16550_FIFO;
		if (!--u->rx_count)
			u->lsr &= (uint8_t)~UART_LSR_DR;
		update_irq(u);
		if (was_full && !(u->mcr & UART_MCR_LOOP) && u->ops.rx_space)
			u->ops.rx_space(u->ops.opaque);
		return v;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB)
			return (uint8_t)(u->divisor >> 8);
		return u->ier;
	case UART_IIR:
		v = interrupt_id(u);
		/* Reading IIR acknowledges a THRE interrupt it reports. */
		if (v == UART_IIR_THRI) {
			u->thr_ipending = false;
			update_irq(u);
		}
		return (uint8_t)(v | (fifo_on(u) ? UART_IIR_FIFO : 0));
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = u->lsr;
		u->lsr &= (uint8_t)~UART_LSR_OE;
		update_irq(u);
		return v;
	case UART_MSR:
		v = u->msr;
		u->msr &= 0xf0;
		update_irq(u);
		return v;
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}

void uart16550_write(struct uart16550 *u, unsigned offset, uint8_t val)
{
	bool resume = false;	/* the receive FIFO was emptied: input may come */
	uint8_t old;

	switch (offset) {
	case UART_THR:
		if (u->lcr & UART_LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0xff00) | val);
			return;
		}
		transmit(u, val);
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB) {
			u->divisor = (uint16_t)((u->divisor & 0x00ff) | val << 8);
			return;
		}
		old = u->ier;
		u->ier = val & 0x0f;
		/* Enabling THRE interrupts with an empty THR raises one at once
		 * (Linux's 8250 driver tests for it). */
		if (!(old & UART_IER_THRI) && (u->ier & UART_IER_THRI) && (u->lsr & UART_LSR_THRE))
			u->thr_ipending = true;
		break;
	case UART_FCR:
		if ((val ^ u->fcr) & UART_FCR_ENABLE) {
			/* Switching the FIFOs on or off empties them. */
			val |= UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX;
		}
		if ((val & UART_FCR_CLEAR_RX) && u->rx_count) {
			u->rx_head = u->rx_count = 0;
			u->lsr &= (uint8_t)~UART_LSR_DR;
			resume = !(u->mcr & UART_MCR_LOOP);
		}
		if (val & UART_FCR_CLEAR_TX) {
			u->tx_head = u->tx_count = 0;
			tx_update(u);
		}
		u->fcr = val & (UART_FCR_ENABLE | 0xc0);
		break;
	case UART_LCR:
		u->lcr = val;
		return;
	case UART_MCR:
		u->mcr = val & 0x1f;
		if (u->mcr & UART_MCR_LOOP)
			loopback_msr(u);
		else
			u->msr = (uint8_t)((u->msr & 0x0f) | MSR_LINE_UP);
		break;
	case UART_SCR:
		u->scr = val;
		return;
	default:
		return;	/* LSR and MSR are read-only; beyond 7 is not ours */
	}
	update_irq(u);
	/* Last: the callback may feed input back in at once. */
	if (resume && u->ops.rx_space)
		u->ops.rx_space(u->ops.opaque);
}

size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len)
{
	size_t n = 0;

	if (u->mcr & UART_MCR_LOOP)
		return 0;
	while (n < len && rx_push(u, buf[n]))
		n++;
	if (n)
		update_irq(u);
	return n;
}

void uart16550_tx_drain(struct uart16550 *u)
{
	if (!u->tx_count)
		return;
	tx_flush(u);
	update_irq(u);
}
