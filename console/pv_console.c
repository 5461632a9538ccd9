/*
 * PV console 0: mapping and event channel; see pv_console.h.
 */
#include "console/pv_console.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>


#include "common/log.h"

void pv_console_init(struct pv_console *c)
{
	c->fmem = NULL;
	c->xce = NULL;
	c->page = NULL;
	c->local_port = 0;
	c->bound = false;
	snprintf(c->label, sizeof(c->label), "console");
	console_ring_init(&c->ring, NULL, c->label);
}

int pv_console_connect(struct pv_console *c, xenforeignmemory_handle *fmem, uint32_t domid,
		       unsigned long mfn, uint32_t remote_port)
{
	xen_pfn_t pfn = mfn;
	xenevtchn_port_or_error_t port;
	int rc;

	snprintf(c->label, sizeof(c->label), "console/%u", domid);
	c->fmem = fmem;
	c->page = xenforeignmemory_map(fmem, domid, PROT_READ | PROT_WRITE, 1, &pfn, NULL);
	if (!c->page) {
		rc = errno ? -errno : -EIO;
		log_warn("%s: map ring page %#lx", c->label, mfn);
		goto out;
	}
	c->xce = xenevtchn_open(NULL, 0);
	if (!c->xce) {
		rc = errno ? -errno : -EIO;
		log_warn("%s: xenevtchn_open", c->label);
		goto out;
	}
	port = xenevtchn_bind_interdomain(c->xce, domid, remote_port);
	if (port < 0) {
		rc = errno ? -errno : -EIO;
		log_warn("%s: bind event channel %u", c->label, remote_port);
		goto out;
	}
	c->local_port = (evtchn_port_t)port;
	c->bound = true;
	console_ring_init(&c->ring, c->page, c->label);
	rc = 0;
out:
	if (rc)
		pv_console_disconnect(c);
	return rc;
}

void pv_console_disconnect(struct pv_console *c)
{
	if (c->bound)
		xenevtchn_unbind(c->xce, c->local_port);
	c->bound = false;
	if (c->xce)
		xenevtchn_close(c->xce);
	c->xce = NULL;
	if (c->page)
		xenforeignmemory_unmap(c->fmem, c->page, 1);
	c->page = NULL;
	console_ring_init(&c->ring, NULL, c->label);
	xen_ring_fail(&c->ring.fault, "disconnected");	/* nothing to drain any more */
}

int pv_console_fd(const struct pv_console *c)
{
	return c->xce ? xenevtchn_fd(c->xce) : -1;
}

void pv_console_ack(struct pv_console *c)
{
	xenevtchn_port_or_error_t port;

	/*
	 * Exactly one read per readiness: the device is blocking, a second
	 * read would wait for the guest's next notification. The fd stays
	 * readable (level-triggered) while more notifications are queued.
	 */
	if (!c->xce)
		return;
	port = xenevtchn_pending(c->xce);
	if (port >= 0)
		xenevtchn_unmask(c->xce, (evtchn_port_t)port);
}

void pv_console_notify(struct pv_console *c)
{
	if (c->bound)
		xenevtchn_notify(c->xce, c->local_port);
}
