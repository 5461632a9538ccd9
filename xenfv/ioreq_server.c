/*
 * The launcher's ioreq server; see ioreq_server.h.
 */
#include "xenfv/ioreq_server.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>

#include <xen/hvm/hvm_op.h>
#include <xen/memory.h>

#include "common/log.h"

/* Logs the first refusal of a kind; the rest are counted (stop reports them). */
static void refuse(uint64_t *count, const struct ioreq *r, const char *why)
{
	if ((*count)++ == 0)
		log_warnx("ioreq: refused %s %s of %u byte(s) at %#" PRIx64 " (type %u, count %u): %s; "
			  "further ones are counted", r->dir == IOREQ_READ ? "a read" : "a write",
			  r->type == IOREQ_TYPE_PIO ? "port access" : "request", r->size, r->addr,
			  r->type, r->count, why);
}

static const struct ioreq_ports *find_port(const struct ioreq_ports *ranges, size_t n, uint64_t port)
{
	for (size_t i = 0; i < n; i++)
		if (port >= ranges[i].base && port - ranges[i].base < ranges[i].count)
			return &ranges[i];
	return NULL;
}

/* A port access of `size` bytes from the copy r; returns the data of a read. */
static uint64_t port_access(const struct ioreq *r, const struct ioreq_ports *ranges, size_t n,
			    struct ioreq_refused *refused)
{
	uint64_t data = 0;
	bool unclaimed = false;

	for (unsigned i = 0; i < r->size; i++) {
		uint64_t port;
		const struct ioreq_ports *p = NULL;

		if (!__builtin_add_overflow(r->addr, (uint64_t)i, &port) && port <= 0xffff)
			p = find_port(ranges, n, port);
		if (!p) {
			unclaimed = true;
			if (r->dir == IOREQ_READ)
				data |= (uint64_t)0xff << (8 * i);
		} else if (r->dir == IOREQ_READ) {
			data |= (uint64_t)p->read(p->opaque, (unsigned)(port - p->base)) << (8 * i);
		} else {
			p->write(p->opaque, (unsigned)(port - p->base), (uint8_t)(r->data >> (8 * i)));
		}
	}
	if (unclaimed)
		refuse(&refused->unclaimed, r, "a port the server does not emulate");
	return data;
}

bool ioreq_handle_slot(struct ioreq *slot, const struct ioreq_ports *ranges, size_t n_ranges,
		       struct ioreq_refused *refused)
{
	volatile struct ioreq *v = slot;
	struct ioreq r;
	uint64_t data = ~(uint64_t)0;

	if (v->state != STATE_IOREQ_READY)
		return false;
	/* The request's fields are Xen's to write until READY is seen. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(&r, slot, sizeof(r));
	v->state = STATE_IOREQ_INPROCESS;

	switch (r.type) {
	case IOREQ_TYPE_PIO:
		if (r.data_is_ptr || r.count != 1) {
			refuse(&refused->indirect, &r, "string and rep accesses are not emulated");
		} else if (r.size != 1 && r.size != 2 && r.size != 4) {
			refuse(&refused->size, &r, "not 1, 2 or 4 bytes");
		} else {
			data = port_access(&r, ranges, n_ranges, refused);
			if (r.size < 8)
				data &= ((uint64_t)1 << (8 * r.size)) - 1;
		}
		break;
	case IOREQ_TYPE_TIMEOFFSET:
	case IOREQ_TYPE_INVALIDATE:
		break;		/* notifications: nothing to emulate, nothing kept */
	default:
		refuse(&refused->type, &r, "no MMIO or PCI configuration space is emulated");
		break;
	}
	if (r.dir == IOREQ_READ && !r.data_is_ptr)
		v->data = data;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	v->state = STATE_IORESP_READY;
	return true;
}

void ioreq_server_init(struct ioreq_server *s, struct event_loop *loop)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	event_source_init(&s->src, -1, NULL, s);
}

int ioreq_server_open(struct ioreq_server *s)
{
	const char *what = NULL;
	int rc;

	if (!(s->dm = xendevicemodel_open(NULL, 0)))
		what = "xendevicemodel_open";
	else if (!(s->xce = xenevtchn_open(NULL, 0)))
		what = "xenevtchn_open";
	else if (!(s->fmem = xenforeignmemory_open(NULL, 0)))
		what = "xenforeignmemory_open";
	if (!what)
		return 0;
	rc = errno ? -errno : -EIO;
	log_warn("ioreq: %s", what);
	ioreq_server_close(s);
	return rc;
}

int ioreq_server_add_ports(struct ioreq_server *s, const struct ioreq_ports *r)
{
	if (s->n_ranges >= IOREQ_SERVER_MAX_RANGES)
		return -E2BIG;
	if (!r->count || (uint32_t)r->base + r->count > 0x10000 || !r->read || !r->write)
		return -EINVAL;
	s->ranges[s->n_ranges++] = *r;
	return 0;
}

static void ioreq_event(struct event_source *src, uint32_t events)
{
	struct ioreq_server *s = src->opaque;

	/* Bounded: what is pending now, then back to the loop. */
	for (unsigned round = 0; round < 64; round++) {
		xenevtchn_port_or_error_t port = xenevtchn_pending(s->xce);

		if (port < 0)
			return;
		xenevtchn_unmask(s->xce, (evtchn_port_t)port);
		for (unsigned i = 0; i < s->vcpus; i++) {
			if (!s->bound[i] || s->local_port[i] != (evtchn_port_t)port)
				continue;
			if (ioreq_handle_slot(&s->page->vcpu_ioreq[i], s->ranges, s->n_ranges,
					      &s->refused)) {
				s->handled++;
				xenevtchn_notify(s->xce, s->local_port[i]);
			}
			break;
		}
	}
}

int ioreq_server_start(struct ioreq_server *s, uint32_t domid, unsigned vcpus)
{
	void *addr = NULL;
	int rc;

	if (!vcpus || vcpus > IOREQ_SERVER_MAX_VCPUS) {
		log_warnx("ioreq: %u vCPUs; the server serves 1 to %u", vcpus, IOREQ_SERVER_MAX_VCPUS);
		return -EINVAL;
	}
	s->domid = domid;
	s->vcpus = vcpus;
	if (xendevicemodel_create_ioreq_server(s->dm, (domid_t)domid, HVM_IOREQSRV_BUFIOREQ_OFF,
					       &s->id) < 0) {
		rc = errno ? -errno : -EIO;
		log_warn("ioreq: domain %u: create ioreq server", domid);
		return rc;
	}
	s->created = true;
	s->res = xenforeignmemory_map_resource(s->fmem, (domid_t)domid, XENMEM_resource_ioreq_server,
					       s->id, XENMEM_resource_ioreq_server_frame_ioreq(0), 1,
					       &addr, PROT_READ | PROT_WRITE, 0);
	if (!s->res) {
		rc = errno ? -errno : -EIO;
		log_warn("ioreq: domain %u: map the ioreq page of server %u", domid, s->id);
		goto fail;
	}
	s->page = addr;
	for (size_t i = 0; i < s->n_ranges; i++) {
		const struct ioreq_ports *r = &s->ranges[i];

		if (xendevicemodel_map_io_range_to_ioreq_server(s->dm, (domid_t)domid, s->id, 0, r->base,
								(uint64_t)r->base + r->count - 1) < 0) {
			rc = errno ? -errno : -EIO;
			log_warn("ioreq: domain %u: claim ports %#x-%#x", domid, r->base,
				 r->base + r->count - 1);
			goto fail;
		}
	}
	/* The vCPUs' event channels are in the page once the server is enabled. */
	if (xendevicemodel_set_ioreq_server_state(s->dm, (domid_t)domid, s->id, 1) < 0) {
		rc = errno ? -errno : -EIO;
		log_warn("ioreq: domain %u: enable server %u", domid, s->id);
		goto fail;
	}
	for (unsigned i = 0; i < vcpus; i++) {
		uint32_t remote = s->page->vcpu_ioreq[i].vp_eport;
		xenevtchn_port_or_error_t port = xenevtchn_bind_interdomain(s->xce, domid, remote);

		if (port < 0) {
			rc = errno ? -errno : -EIO;
			log_warn("ioreq: domain %u: bind vCPU %u's event channel %u", domid, i, remote);
			goto fail;
		}
		s->local_port[i] = (evtchn_port_t)port;
		s->bound[i] = true;
	}
	event_source_init(&s->src, xenevtchn_fd(s->xce), ioreq_event, s);
	if ((rc = event_loop_add(s->loop, &s->src, EPOLLIN)) < 0)
		goto fail;
	log_debug("ioreq: domain %u: server %u serves %zu port range(s) for %u vCPU(s)", domid, s->id,
		  s->n_ranges, vcpus);
	return 0;
fail:
	ioreq_server_stop(s);
	return rc;
}

void ioreq_server_stop(struct ioreq_server *s)
{
	const struct ioreq_refused *f = &s->refused;

	event_loop_del(s->loop, &s->src);
	for (unsigned i = 0; i < s->vcpus && i < IOREQ_SERVER_MAX_VCPUS; i++) {
		if (s->bound[i])
			xenevtchn_unbind(s->xce, s->local_port[i]);
		s->bound[i] = false;
	}
	if (s->res)
		xenforeignmemory_unmap_resource(s->fmem, s->res);
	s->res = NULL;
	s->page = NULL;
	if (s->created && xendevicemodel_destroy_ioreq_server(s->dm, (domid_t)s->domid, s->id) < 0)
		log_warn("ioreq: domain %u: destroy server %u", s->domid, s->id);
	if (s->created && (f->indirect || f->size || f->type || f->unclaimed))
		log_info("ioreq: domain %u: %" PRIu64 " requests served; refused: %" PRIu64 " string/rep, %"
			 PRIu64 " of a bad size, %" PRIu64 " MMIO/PCI/other, %" PRIu64 " unclaimed bytes",
			 s->domid, s->handled, f->indirect, f->size, f->type, f->unclaimed);
	s->created = false;
	s->vcpus = 0;
	memset(&s->refused, 0, sizeof(s->refused));
	s->handled = 0;
}

void ioreq_server_close(struct ioreq_server *s)
{
	ioreq_server_stop(s);
	if (s->fmem)
		xenforeignmemory_close(s->fmem);
	if (s->xce)
		xenevtchn_close(s->xce);
	if (s->dm)
		xendevicemodel_close(s->dm);
	s->fmem = NULL;
	s->xce = NULL;
	s->dm = NULL;
}

int ioreq_server_set_isa_irq(struct ioreq_server *s, unsigned irq, int level)
{
	if (irq > 15 || !s->created)
		return -EINVAL;
	if (xendevicemodel_set_isa_irq_level(s->dm, (domid_t)s->domid, (uint8_t)irq, level ? 1 : 0) < 0)
		return errno ? -errno : -EIO;
	return 0;
}
