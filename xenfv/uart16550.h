/*
 * A 16550A UART, the PC's COM1 at 0x3f8 (IRQ 4), as a guest's serial
 * console sees it: the eight registers (RBR/THR and DLL, IER and DLM,
 * IIR/FCR, LCR, MCR, LSR, MSR, SCR), 16-byte receive and transmit FIFOs,
 * and the interrupt logic. Pure: it knows neither Xen nor the chardev;
 * the machine wires its callbacks to the launcher's -serial chardev and
 * to the guest's ISA IRQ line.
 *
 * No byte is lost on the way in: uart16550_receive takes only what the
 * receive FIFO has room for, and calls rx_space when the guest has read
 * some, so the chardev can offer the rest (its input back-pressure). On
 * the way out, transmitted bytes wait in the transmit FIFO while the sink
 * pushes back (LSR's THRE stays clear, so a polling guest waits, as with
 * a slow line); uart16550_tx_drain offers them again. A guest that writes
 * THR while the transmit FIFO is full loses that byte, as on real
 * hardware (and it is counted).
 *
 * What a guest may do that the model ignores safely: an offset beyond 7
 * reads 0xff and writes nothing; the baud rate, word length, parity and
 * modem lines have no effect beyond their registers (the "line" is a
 * chardev). The receive timeout interrupt is raised at once when the
 * receive FIFO holds fewer bytes than its trigger level: input arrives
 * in chunks, so there is no "more characters coming" to wait for.
 */
#ifndef XENFV_UART16550_H
#define XENFV_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UART16550_FIFO 16
#define UART16550_COM1_BASE 0x3f8
#define UART16550_COM1_IRQ 4
#define UART16550_PORTS 8

/* Register offsets. */
#define UART_RBR 0	/* read, DLAB=0 */
#define UART_THR 0	/* write, DLAB=0 */
#define UART_DLL 0	/* DLAB=1 */
#define UART_IER 1	/* DLAB=0 */
#define UART_DLM 1	/* DLAB=1 */
#define UART_IIR 2	/* read */
#define UART_FCR 2	/* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI 0x01	/* received data available */
#define UART_IER_THRI 0x02	/* transmitter holding register empty */
#define UART_IER_RLSI 0x04	/* receiver line status */
#define UART_IER_MSI 0x08	/* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI 0x00
#define UART_IIR_THRI 0x02
#define UART_IIR_RDI 0x04
#define UART_IIR_RLSI 0x06
#define UART_IIR_CTI 0x0c	/* character timeout */
#define UART_IIR_FIFO 0xc0	/* FIFOs enabled */

#define UART_FCR_ENABLE 0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR 0x01
#define UART_MCR_RTS 0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR 0x01	/* data ready */
#define UART_LSR_OE 0x02	/* overrun */
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI 0x40
#define UART_MSR_DCD 0x80

struct uart16550_ops {
	/* Bytes the guest sent; returns how many the sink took (0..len). */
	size_t (*tx)(void *opaque, const uint8_t *buf, size_t len);
	/* The interrupt line changed level (1 asserted, 0 not). */
	void (*set_irq)(void *opaque, int level);
	/* The guest read from a full receive FIFO: input may be offered again.
	 * May be NULL. */
	void (*rx_space)(void *opaque);
	void *opaque;
};

struct uart16550 {
	struct uart16550_ops ops;
	uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
	uint16_t divisor;
	bool thr_ipending;	/* THRE interrupt armed until IIR reports it or THR is written */
	int irq_level;
	uint8_t rx[UART16550_FIFO];
	unsigned rx_head, rx_count;
	uint8_t tx_buf[UART16550_FIFO];
	unsigned tx_head, tx_count;
	uint64_t tx_dropped;	/* THR writes while the transmit FIFO was full */
};

/* The reset state: FIFOs off, no interrupt, divisor 12 (9600 baud). ops is copied. */
void uart16550_init(struct uart16550 *u, const struct uart16550_ops *ops);

/* One byte access at offset (0..7; others are ignored, reads 0xff). */
uint8_t uart16550_read(struct uart16550 *u, unsigned offset);
void uart16550_write(struct uart16550 *u, unsigned offset, uint8_t val);

/* Input from the line: returns how many bytes the receive FIFO took. In
 * loopback mode (MCR bit 4) the line is disconnected and nothing is taken. */
size_t uart16550_receive(struct uart16550 *u, const uint8_t *buf, size_t len);

/* Offers the transmit FIFO to the sink again (after it had pushed back). */
void uart16550_tx_drain(struct uart16550 *u);

#endif
