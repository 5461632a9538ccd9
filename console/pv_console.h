/*
 * Console 0 of a PV guest, served by the launcher: the ring page mapped
 * from the guest (xenforeignmemory, by the mfn libxenguest allocated) and
 * its event channel bound with xenevtchn_bind_interdomain. The ring logic
 * itself is console_ring.h; this is the part that talks to Xen.
 */
#ifndef CONSOLE_PV_CONSOLE_H
#define CONSOLE_PV_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#include <xenctrl.h>	/* first: it sets up the Xen public headers for tools */
#include <xenevtchn.h>
#include <xenforeignmemory.h>

#include "console/console_ring.h"

struct pv_console {
	xenforeignmemory_handle *fmem;	/* borrowed */
	xenevtchn_handle *xce;		/* owned */
	void *page;			/* mapped ring page, NULL when not */
	evtchn_port_t local_port;
	bool bound;
	struct console_ring ring;
	char label[32];			/* "console/DOMID" */
};

void pv_console_init(struct pv_console *c);

/* Maps the ring and binds the event channel. 0 or a negative errno;
 * on failure nothing stays mapped or bound. */
int pv_console_connect(struct pv_console *c, xenforeignmemory_handle *fmem, uint32_t domid,
		       unsigned long mfn, uint32_t remote_port);

/* Unbinds, unmaps, closes. Idempotent. */
void pv_console_disconnect(struct pv_console *c);

/* The fd to poll for the guest's notifications, -1 when disconnected. */
int pv_console_fd(const struct pv_console *c);

/* Acknowledges pending notifications (call when the fd is readable). */
void pv_console_ack(struct pv_console *c);

/* Kicks the guest after moving bytes either way. */
void pv_console_notify(struct pv_console *c);

#endif
