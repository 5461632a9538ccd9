/*
 * The launcher's own ioreq server: what QEMU is to an HVM guest, reduced
 * to the I/O ports the launcher emulates (the 16550 at 0x3f8). In an HVM
 * container Xen emulates the platform's timers and interrupt controllers
 * itself; an access to any other port is sent to the ioreq server that
 * claimed it, or reads all-ones and drops writes.
 *
 *   ioreq_server_open    the devicemodel, event channel and foreign
 *                        memory handles
 *   ioreq_server_start   for a created, paused domain: create the server
 *                        (no buffered ioreqs), map its ioreq page
 *                        (xenforeignmemory_map_resource, the
 *                        XENMEM_resource_ioreq_server frame of the
 *                        synchronous ioreqs), claim each range's ports,
 *                        enable it, bind each vCPU's event channel, and
 *                        become a source of the event loop. On failure
 *                        nothing of it is left (and the server destroyed).
 *   ioreq_server_stop    the reverse; idempotent. Called on every end of
 *                        the guest (poweroff, reboot, signal, error); if
 *                        the launcher is killed, the watchdog destroys the
 *                        server it was told about, then the domain.
 *   ioreq_server_close   the handles (stops first)
 *
 * A request's life (Xen's hvm/ioreq.h): Xen fills the vCPU's slot and sets
 * STATE_IOREQ_READY, then signals the vCPU's event channel; the server
 * reads the state once, copies the request out of the shared page, marks it
 * STATE_IOREQ_INPROCESS, emulates it from the copy, writes the data of a
 * read, sets STATE_IORESP_READY and signals back. The vCPU waits meanwhile,
 * so every request is answered, the ones the server refuses too: a
 * refused read gets all-ones, a refused write does nothing, and each kind
 * is logged (rate-limited). Refused: a string or rep access (data in guest
 * memory), a size other than 1, 2 or 4, an MMIO or PCI-config request (the
 * server claims none); a byte of an access outside every range reads 0xff.
 * An access of 2 or 4 bytes is split into byte accesses, low port first,
 * as the ISA bus does.
 */
#ifndef XENFV_IOREQ_SERVER_H
#define XENFV_IOREQ_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenctrl.h>	/* first: it defines __XEN_TOOLS__ for the hvm_op.h constants */
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xen/hvm/ioreq.h>

#include "common/event_loop.h"

#define IOREQ_SERVER_MAX_RANGES 4
#define IOREQ_SERVER_MAX_VCPUS 128	/* ioreq slots in the one page */

/* A range of I/O ports served byte by byte. */
struct ioreq_ports {
	uint16_t base;
	uint16_t count;
	uint8_t (*read)(void *opaque, unsigned offset);
	void (*write)(void *opaque, unsigned offset, uint8_t val);
	void *opaque;
};

/* How many requests of each refused kind were answered without emulation. */
struct ioreq_refused {
	uint64_t indirect;	/* data_is_ptr or count != 1 */
	uint64_t size;
	uint64_t type;		/* MMIO, PCI config, unknown */
	uint64_t unclaimed;	/* bytes outside every range */
};

struct ioreq_server {
	struct event_loop *loop;		/* borrowed */
	xendevicemodel_handle *dm;
	xenevtchn_handle *xce;
	xenforeignmemory_handle *fmem;
	struct ioreq_ports ranges[IOREQ_SERVER_MAX_RANGES];
	size_t n_ranges;
	uint32_t domid;
	ioservid_t id;
	bool created;
	xenforeignmemory_resource_handle *res;
	struct shared_iopage *page;
	unsigned vcpus;
	evtchn_port_t local_port[IOREQ_SERVER_MAX_VCPUS];
	bool bound[IOREQ_SERVER_MAX_VCPUS];
	struct event_source src;
	struct ioreq_refused refused;
	uint64_t handled;
};

void ioreq_server_init(struct ioreq_server *s, struct event_loop *loop);
/* 0 or a negative errno (logged). */
int ioreq_server_open(struct ioreq_server *s);
/* Before start: serve r (copied). 0 or -E2BIG / -EINVAL (empty or past 0xffff). */
int ioreq_server_add_ports(struct ioreq_server *s, const struct ioreq_ports *r);
/* 0 or a negative errno (logged); see above. */
int ioreq_server_start(struct ioreq_server *s, uint32_t domid, unsigned vcpus);
void ioreq_server_stop(struct ioreq_server *s);
void ioreq_server_close(struct ioreq_server *s);

/* Sets ISA IRQ line irq (0..15) of the domain to level. 0 or a negative errno. */
int ioreq_server_set_isa_irq(struct ioreq_server *s, unsigned irq, int level);

/*
 * One vCPU's slot: when it holds a STATE_IOREQ_READY request, emulates it
 * against ranges as described above and returns true (the caller signals
 * the vCPU); otherwise leaves it and returns false. Pure but for the
 * ranges' callbacks, for the tests and the fuzzer.
 */
bool ioreq_handle_slot(struct ioreq *slot, const struct ioreq_ports *ranges, size_t n_ranges,
		       struct ioreq_refused *refused);

#endif
