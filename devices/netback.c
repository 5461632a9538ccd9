/*
 * The PV network backend; see netback.h.
 */
#include "devices/netback.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "model/nic_opts.h"
#include "devices/tap.h"

#define BAD_PACKETS_LOGGED 8
#define ROUNDS_PER_EVENT 4		/* ring passes before yielding to the loop */
#define RX_PACKETS_PER_EVENT 64		/* tap reads before yielding to the loop */

/* linux/virtio_net.h's values; the struct is struct net_vnet_hdr. */
#define VNET_F_NEEDS_CSUM 1
#define VNET_F_DATA_VALID 2
#define VNET_GSO_NONE 0
#define VNET_GSO_TCPV4 1
#define VNET_GSO_TCPV6 4
#define VNET_GSO_ECN 0x80

_Static_assert(sizeof(struct net_vnet_hdr) == 10, "struct virtio_net_hdr is 10 bytes");
_Static_assert(sizeof(struct netif_extra_info) == sizeof(struct netif_rx_response),
	       "an extra-info slot is an rx response slot");

/* ---- the ring path ------------------------------------------------------ */

static unsigned pow2_floor(size_t n)
{
	unsigned p = 1;

	if (!n)
		return 0;
	while ((size_t)p * 2 <= n)
		p *= 2;
	return p;
}

unsigned net_tx_ring_entries(void)
{
	return pow2_floor((NET_PAGE_SIZE - offsetof(struct netif_tx_sring, ring)) /
			  sizeof(union netif_tx_sring_entry));
}

unsigned net_rx_ring_entries(void)
{
	return pow2_floor((NET_PAGE_SIZE - offsetof(struct netif_rx_sring, ring)) /
			  sizeof(union netif_rx_sring_entry));
}

int net_queue_init(struct net_queue *q, void *tx_sring, void *rx_sring,
		   const struct net_grant_ops *gops, const struct net_rx_features *rx_feat,
		   int (*send)(void *opaque, const uint8_t *pkt, size_t len), void *send_opaque,
		   const char *label)
{
	memset(q, 0, sizeof(*q));
	q->tx = tx_sring;
	q->rx = rx_sring;
	q->tx_ents = net_tx_ring_entries();
	if (q->tx_ents > NET_TX_RING_MAX)
		return -EINVAL;
	q->rx_ents = net_rx_ring_entries();
	q->gops = *gops;
	q->rx_feat = *rx_feat;
	q->send = send;
	q->send_opaque = send_opaque;
	q->label = label;
	for (unsigned i = 0; i < NET_TX_BATCH; i++) {
		q->pkts[i].buf = malloc(NET_PKT_BUF_SIZE);
		if (!q->pkts[i].buf) {
			net_queue_dispose(q);
			return -ENOMEM;
		}
	}
	return 0;
}

void net_queue_dispose(struct net_queue *q)
{
	for (unsigned i = 0; i < NET_TX_BATCH; i++)
		free(q->pkts[i].buf);
	memset(q, 0, sizeof(*q));
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int net_l4_locate(const uint8_t *frame, size_t len, unsigned *l4_off_r, unsigned *csum_off_r,
		  unsigned *proto_r, unsigned *l4_hlen_r, bool *ipv6_r)
{
	unsigned off = NET_ETH_HLEN, l4, proto, hlen;
	uint16_t etype;

	if (len < NET_ETH_HLEN)
		return -EINVAL;
	etype = be16(frame + 12);
	if (etype == 0x8100 || etype == 0x88a8) {	/* one VLAN tag */
		if (len < NET_ETH_HLEN + 4)
			return -EINVAL;
		etype = be16(frame + 16);
		off += 4;
	}
	if (etype == 0x0800) {
		unsigned ihl;

		if (len < off + 20 || frame[off] >> 4 != 4)
			return -EINVAL;
		ihl = (frame[off] & 0x0f) * 4u;
		if (ihl < 20 || len < off + ihl)
			return -EINVAL;
		if (be16(frame + off + 6) & 0x3fff)
			return -EINVAL;	/* a fragment: no whole L4 header to offload */
		proto = frame[off + 9];
		l4 = off + ihl;
		*ipv6_r = false;
	} else if (etype == 0x86dd) {
		if (len < off + 40 || frame[off] >> 4 != 6)
			return -EINVAL;
		proto = frame[off + 6];
		l4 = off + 40;
		*ipv6_r = true;
	} else {
		return -EINVAL;
	}
	if (proto == 6) {
		if (len < l4 + 20)
			return -EINVAL;
		hlen = (frame[l4 + 12] >> 4) * 4u;
		if (hlen < 20 || len < l4 + hlen)
			return -EINVAL;
		*csum_off_r = 16;
	} else if (proto == 17) {
		if (len < l4 + 8)
			return -EINVAL;
		hlen = 8;
		*csum_off_r = 6;
	} else {
		return -EINVAL;
	}
	*l4_off_r = l4;
	*proto_r = proto;
	*l4_hlen_r = hlen;
	return 0;
}

static void bad_packet(struct net_queue *q, const char *why)
{
	q->tx_bad++;
	if (++q->logged <= BAD_PACKETS_LOGGED && xendev_log_budget_take(q->log_budget, q->label))
		log_warnx("%s: tx packet dropped: %s%s", q->label, why,
			  q->logged == BAD_PACKETS_LOGGED ? " (further drops are counted, not logged)" : "");
}

static void tx_respond(struct net_queue *q, uint16_t id, int16_t status)
{
	struct netif_tx_response rsp = { .id = id, .status = status };

	memcpy(&q->tx->ring[q->tx_rsp_pvt & (q->tx_ents - 1)].rsp, &rsp, sizeof(rsp));
	q->tx_rsp_pvt++;
}

bool net_tx_publish(struct net_queue *q)
{
	return xen_ring_publish(&q->tx->rsp_prod, &q->tx->rsp_event, q->tx_rsp_pvt);
}

bool net_rx_publish(struct net_queue *q)
{
	net_rx_flush(q);
	return xen_ring_publish(&q->rx->rsp_prod, &q->rx->rsp_event, q->rx_rsp_pvt);
}

static struct netif_tx_request tx_slot(const struct net_queue *q, RING_IDX i)
{
	struct netif_tx_request r;

	xen_ring_copy_slot(&r, &q->tx->ring[i & (q->tx_ents - 1)].req, sizeof(r));
	return r;
}

/*
 * One packet's slots from tx_cons, copied out once: the first request, its
 * extras, its further fragments. Slots past what req[] holds keep only their
 * id, for the responses (a packet cannot pass the ring). Returns the number
 * of slots, or 0 when the packet's last slot is not produced yet.
 */
struct tx_walk {
	struct netif_tx_request req[NET_TX_MAX_SLOTS];
	uint16_t ids[NET_TX_RING_MAX];	/* every data slot's id */
	struct netif_extra_info extra[NET_MAX_EXTRAS];
	unsigned n_slots, n_extras, total;
};

static unsigned tx_walk(const struct net_queue *q, RING_IDX avail, struct tx_walk *w)
{
	struct netif_tx_request r;
	struct netif_extra_info e;
	uint16_t flags;

	w->n_slots = w->n_extras = w->total = 0;
	r = tx_slot(q, q->tx_cons);
	w->ids[w->n_slots] = r.id;
	w->req[w->n_slots++] = r;
	w->total = 1;
	flags = r.flags;
	if (flags & NETTXF_extra_info) {
		do {
			RING_IDX at = (q->tx_cons + w->total) & (q->tx_ents - 1);

			if (w->total >= avail)
				return 0;
			xen_ring_copy_slot(&e, &q->tx->ring[at], sizeof(e));
			if (w->n_extras < NET_MAX_EXTRAS)
				w->extra[w->n_extras] = e;
			w->n_extras++;
			w->total++;
		} while (e.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	}
	while (flags & NETTXF_more_data) {
		if (w->total >= avail)
			return 0;
		r = tx_slot(q, q->tx_cons + w->total);
		if (w->n_slots < NET_TX_MAX_SLOTS)
			w->req[w->n_slots] = r;
		w->ids[w->n_slots] = r.id;	/* total < avail <= NET_TX_RING_MAX */
		w->n_slots++;
		w->total++;
		flags = r.flags;
	}
	return w->total;
}

/* Answers every slot of the walked packet at tx_cons with status (extras NULL). */
static void tx_respond_walk(struct net_queue *q, const struct tx_walk *w, int16_t status)
{
	tx_respond(q, w->req[0].id, status);
	for (unsigned e = 0; e < w->n_extras; e++)
		tx_respond(q, 0, NETIF_RSP_NULL);
	for (unsigned i = 1; i < w->n_slots; i++)
		tx_respond(q, w->ids[i], status);
}

static void tx_respond_pkt(struct net_queue *q, const struct net_tx_pkt *p, int16_t status)
{
	tx_respond(q, p->ids[0], status);
	for (unsigned e = 0; e < p->n_extras; e++)
		tx_respond(q, 0, NETIF_RSP_NULL);
	for (unsigned i = 1; i < p->n_slots; i++)
		tx_respond(q, p->ids[i], status);
}

/*
 * Checks a walked packet and plans its copies into pkt. Returns NULL, or
 * the reason it is refused. *dummy_r: a multicast-control request with no
 * frame to send (answered OKAY).
 */
static const char *tx_plan(struct net_queue *q, const struct tx_walk *w, struct net_tx_pkt *p,
			   unsigned *n_copies, bool *dummy_r)
{
	bool seen[XEN_NETIF_EXTRA_TYPE_MAX] = { false };
	size_t rest, pos = 0;

	*dummy_r = false;
	p->gso_type = XEN_NETIF_GSO_TYPE_NONE;
	p->gso_size = 0;
	if (w->n_extras > NET_MAX_EXTRAS)
		return "too many extra-info slots";
	for (unsigned e = 0; e < w->n_extras; e++) {
		const struct netif_extra_info *x = &w->extra[e];

		if (x->type == XEN_NETIF_EXTRA_TYPE_NONE || x->type >= XEN_NETIF_EXTRA_TYPE_MAX)
			return "unknown extra-info type";
		if (seen[x->type])
			return "the same extra-info type twice";
		seen[x->type] = true;
		if (x->type == XEN_NETIF_EXTRA_TYPE_GSO) {
			if (x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
			    x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6)
				return "GSO type is neither TCPv4 nor TCPv6";
			if (x->u.gso.size == 0)
				return "GSO segment size 0";
			p->gso_type = x->u.gso.type;
			p->gso_size = x->u.gso.size;
		}
		if (x->type == XEN_NETIF_EXTRA_TYPE_MCAST_ADD || x->type == XEN_NETIF_EXTRA_TYPE_MCAST_DEL)
			*dummy_r = true;	/* multicast filtering is not offered: nothing to do */
	}
	if (w->n_slots > NET_TX_MAX_SLOTS)
		return "packet over more slots than XEN_NETIF_NR_SLOTS_MIN";
	p->n_slots = w->n_slots;
	p->n_extras = w->n_extras;
	p->flags = w->req[0].flags;
	for (unsigned i = 0; i < w->n_slots; i++)
		p->ids[i] = w->req[i].id;
	if (*dummy_r)
		return NULL;
	/* The first request's size is the packet's; its own share is what the
	 * others leave (netif.h's "NOTE" on transmit). */
	rest = w->req[0].size;
	for (unsigned i = 1; i < w->n_slots; i++) {
		if (w->req[i].size > rest)
			return "fragments larger than the packet";
		rest -= w->req[i].size;
	}
	if (w->req[0].size < NET_ETH_HLEN)
		return "packet shorter than an Ethernet header";
	p->len = w->req[0].size;
	p->first_copy = *n_copies;
	p->n_copies = 0;
	for (unsigned i = 0; i < w->n_slots; i++) {
		size_t len = i == 0 ? rest : w->req[i].size;
		struct net_copy *c;

		if ((size_t)w->req[i].offset + len > NET_PAGE_SIZE)
			return "fragment crosses its page";
		if (!len)
			continue;
		c = &q->copies[*n_copies + p->n_copies++];
		c->gref = w->req[i].gref;
		c->offset = w->req[i].offset;
		c->len = (uint16_t)len;
		c->local = p->buf + NET_VNET_HDR_LEN + pos;
		c->ok = false;
		pos += len;
	}
	*n_copies += p->n_copies;
	return NULL;
}

/* The virtio_net_hdr in front of a copied packet. NULL, or why it is refused. */
static const char *tx_offload(struct net_tx_pkt *p)
{
	struct net_vnet_hdr h = { 0 };
	const uint8_t *frame = p->buf + NET_VNET_HDR_LEN;
	unsigned l4, csum_off, proto, l4_hlen;
	bool ipv6;

	if ((p->flags & NETTXF_csum_blank) || p->gso_type != XEN_NETIF_GSO_TYPE_NONE) {
		if (net_l4_locate(frame, p->len, &l4, &csum_off, &proto, &l4_hlen, &ipv6) < 0)
			return "checksum or segmentation offload on a packet that is not TCP or UDP over IP";
		h.flags = VNET_F_NEEDS_CSUM;
		h.csum_start = (uint16_t)l4;
		h.csum_offset = (uint16_t)csum_off;
		if (p->gso_type != XEN_NETIF_GSO_TYPE_NONE) {
			if (proto != 6 || ipv6 != (p->gso_type == XEN_NETIF_GSO_TYPE_TCPV6))
				return "GSO type does not match the packet";
			h.gso_type = ipv6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4;
			h.gso_size = p->gso_size;
			h.hdr_len = (uint16_t)(l4 + l4_hlen);
		}
	} else if (p->flags & NETTXF_data_validated) {
		h.flags = VNET_F_DATA_VALID;
	}
	memcpy(p->buf, &h, sizeof(h));
	return NULL;
}

/* Copies a batch of planned packets out of the guest, sends and answers them. */
static void tx_flush(struct net_queue *q, unsigned n_pkts, unsigned n_copies)
{
	int rc = n_copies ? q->gops.copy(q->gops.opaque, q->copies, n_copies, false) : 0;

	for (unsigned i = 0; i < n_pkts; i++) {
		struct net_tx_pkt *p = &q->pkts[i];
		const char *why = NULL;

		for (unsigned c = 0; c < p->n_copies && !why; c++)
			if (rc < 0 || !q->copies[p->first_copy + c].ok)
				why = "a grant does not copy";
		if (!why)
			why = tx_offload(p);
		if (why) {
			bad_packet(q, why);
			tx_respond_pkt(q, p, NETIF_RSP_ERROR);
			continue;
		}
		if (q->send(q->send_opaque, p->buf, NET_VNET_HDR_LEN + p->len) < 0)
			q->tx_lost++;
		else
			q->tx_packets++;
		tx_respond_pkt(q, p, NETIF_RSP_OKAY);
	}
}

int net_tx_take(struct net_queue *q, bool *more_r)
{
	struct tx_walk w;
	RING_IDX prod;

	*more_r = false;
	for (unsigned round = 0;; round++) {
		unsigned n_pkts = 0, n_copies = 0;
		bool waiting = false;

		bool more;
		int rc = xen_ring_take_prod(&q->tx->req_prod, q->tx_cons, q->tx_ents, "tx",
					    &q->fault, &prod);

		if (rc < 0)
			return rc;
		while (q->tx_cons != prod && n_pkts < NET_TX_BATCH) {
			RING_IDX avail = prod - q->tx_cons;
			struct net_tx_pkt *p = &q->pkts[n_pkts];
			const char *why;
			bool dummy;

			if (!tx_walk(q, avail, &w)) {
				if (avail == q->tx_ents)
					return xen_ring_fail(&q->fault,
							     "a tx packet does not end within the ring");
				waiting = true;	/* its last slot comes later */
				break;
			}
			why = tx_plan(q, &w, p, &n_copies, &dummy);
			if (why) {
				bad_packet(q, why);
				tx_respond_walk(q, &w, NETIF_RSP_ERROR);
			} else if (dummy) {
				tx_respond_pkt(q, p, NETIF_RSP_OKAY);
			} else {
				n_pkts++;
			}
			q->tx_cons += w.total;
		}
		tx_flush(q, n_pkts, n_copies);
		if (q->tx_cons != prod && !waiting) {
			/* The batch was full: more now, or after the loop's other work. */
			if (round + 1 >= ROUNDS_PER_EVENT * (q->tx_ents / NET_TX_BATCH)) {
				*more_r = true;
				return 0;
			}
			continue;
		}
		/* Asks for an event in any case: a waiting packet's last slot comes later. */
		more = xen_ring_final_check(&q->tx->req_event, &q->tx->req_prod, q->tx_cons);
		if (waiting || !more)
			return 0;
		if (round + 1 >= ROUNDS_PER_EVENT) {
			*more_r = true;
			return 0;
		}
	}
}

static void rx_drop(struct net_queue *q, const char *why)
{
	q->rx_dropped++;
	log_debug("%s: rx packet dropped: %s", q->label, why);
}

static void rx_write_rsp(struct net_queue *q, RING_IDX i, const void *rsp)
{
	memcpy(&q->rx->ring[i & (q->rx_ents - 1)].rsp, rsp, sizeof(struct netif_rx_response));
}

int net_rx_put(struct net_queue *q, const uint8_t *pkt, size_t len)
{
	struct net_vnet_hdr h;
	const uint8_t *frame = pkt + NET_VNET_HDR_LEN;
	uint8_t xen_gso = XEN_NETIF_GSO_TYPE_NONE;
	struct net_rx_pkt *p;
	unsigned data_slots, needed;
	size_t flen;
	RING_IDX prod;
	int rc;

	if (q->n_rx_pkts >= NET_RX_BATCH)
		return -ENOBUFS;
	if (len < NET_VNET_HDR_LEN + NET_ETH_HLEN) {
		rx_drop(q, "runt frame");
		return 0;
	}
	memcpy(&h, pkt, sizeof(h));
	flen = len - NET_VNET_HDR_LEN;
	switch (h.gso_type & ~VNET_GSO_ECN) {
	case VNET_GSO_NONE:
		break;
	case VNET_GSO_TCPV4:
		xen_gso = q->rx_feat.gso_tcpv4 ? XEN_NETIF_GSO_TYPE_TCPV4 : 0;
		break;
	case VNET_GSO_TCPV6:
		xen_gso = q->rx_feat.gso_tcpv6 ? XEN_NETIF_GSO_TYPE_TCPV6 : 0;
		break;
	}
	if ((h.gso_type & ~VNET_GSO_ECN) != VNET_GSO_NONE && (xen_gso == 0 || h.gso_size == 0)) {
		rx_drop(q, "a segmentation offload the frontend did not ask for");
		return 0;
	}
	if ((h.flags & VNET_F_NEEDS_CSUM) && !q->rx_feat.csum) {
		rx_drop(q, "a checksum offload the frontend did not ask for");
		return 0;
	}
	data_slots = (unsigned)((flen + NET_PAGE_SIZE - 1) / NET_PAGE_SIZE);
	if (data_slots > NET_RX_MAX_DATA_SLOTS || (data_slots > 1 && !q->rx_feat.sg)) {
		rx_drop(q, "frame larger than the frontend takes");
		return 0;
	}
	needed = data_slots + (xen_gso ? 1 : 0);

	rc = xen_ring_take_prod(&q->rx->req_prod, q->rx_cons, q->rx_ents, "rx", &q->fault, &prod);
	if (rc == 0 && (RING_IDX)(prod - q->rx_cons) < needed) {
		/* Wake us when enough requests are there, then look again. */
		xen_ring_want_event(&q->rx->req_event, q->rx_cons + needed);
		rc = xen_ring_take_prod(&q->rx->req_prod, q->rx_cons, q->rx_ents, "rx", &q->fault,
					&prod);
	}
	if (rc < 0)
		return rc;
	if ((RING_IDX)(prod - q->rx_cons) < needed)
		return -EAGAIN;

	p = &q->rx_pkts[q->n_rx_pkts++];
	p->first = q->rx_cons;
	p->data_slots = data_slots;
	p->gso_type = xen_gso;
	p->gso_size = h.gso_size;
	p->flags = (h.flags & VNET_F_NEEDS_CSUM) ? NETRXF_csum_blank | NETRXF_data_validated :
		   (h.flags & VNET_F_DATA_VALID) ? NETRXF_data_validated : 0;
	p->first_copy = q->n_rx_copies;
	for (unsigned k = 0; k < needed; k++) {
		struct netif_rx_request r;

		xen_ring_copy_slot(&r, &q->rx->ring[(q->rx_cons + k) & (q->rx_ents - 1)], sizeof(r));
		p->ids[k] = r.id;
		/* Data slot d is request d, after the first one's GSO extra. */
		if (k == 1 && xen_gso)
			continue;
		{
			unsigned d = k == 0 ? 0 : k - (xen_gso ? 1 : 0);
			size_t off = (size_t)d * NET_PAGE_SIZE;
			struct net_copy *c = &q->rx_copies[q->n_rx_copies++];

			c->gref = r.gref;
			c->offset = 0;
			c->len = (uint16_t)(flen - off < NET_PAGE_SIZE ? flen - off : NET_PAGE_SIZE);
			c->local = (void *)(frame + off);
			c->ok = false;
		}
	}
	q->rx_cons += needed;
	return 0;
}

void net_rx_flush(struct net_queue *q)
{
	int rc;

	if (!q->n_rx_pkts)
		return;
	rc = q->gops.copy(q->gops.opaque, q->rx_copies, q->n_rx_copies, true);
	for (unsigned i = 0; i < q->n_rx_pkts; i++) {
		const struct net_rx_pkt *p = &q->rx_pkts[i];
		unsigned extra = p->gso_type ? 1 : 0;
		bool failed = false;

		for (unsigned d = 0; d < p->data_slots; d++) {
			const struct net_copy *c = &q->rx_copies[p->first_copy + d];
			unsigned slot = d == 0 ? 0 : d + extra;
			bool ok = rc == 0 && c->ok;
			struct netif_rx_response rsp = {
				.id = p->ids[slot],
				.offset = 0,
				.flags = (uint16_t)((d == 0 ? p->flags : 0) |
						    (d + 1 < p->data_slots ? NETRXF_more_data : 0) |
						    (d == 0 && extra ? NETRXF_extra_info : 0)),
				.status = ok ? (int16_t)c->len : NETIF_RSP_ERROR,
			};

			failed |= !ok;
			rx_write_rsp(q, p->first + slot, &rsp);
		}
		if (extra) {
			struct netif_extra_info x = { .type = XEN_NETIF_EXTRA_TYPE_GSO };

			x.u.gso.size = p->gso_size;
			x.u.gso.type = p->gso_type;
			rx_write_rsp(q, p->first + 1, &x);
		}
		if (failed)
			rx_drop(q, "an rx grant does not copy");
		else
			q->rx_packets++;
	}
	q->rx_rsp_pvt = q->rx_cons;	/* every taken request is answered */
	q->n_rx_pkts = 0;
	q->n_rx_copies = 0;
}

/* ---- the device ---------------------------------------------------------- */

#define NET_COPY_SEGS (NET_TX_BATCH * NET_TX_MAX_SLOTS)

struct netback;

struct netback_queue {
	struct netback *nb;
	unsigned index;
	char label[64];
	void *tx_ring, *rx_ring;
	struct net_queue q;
	bool q_ready;
	evtchn_port_t local_port;
	bool bound;
	int tap_fd;			/* borrowed from the tap */
	struct event_source tap_src;
	bool tap_added, tap_paused;
	/* NET_RX_BUF_SIZE each; rx_bufs[i] holds the queue's i-th placed
	 * packet until the flush, rx_bufs[q.n_rx_pkts] the one read next. */
	uint8_t *rx_bufs[NET_RX_BATCH];
	size_t rx_pending;		/* bytes of a packet read but not yet placed */
	xengnttab_grant_copy_segment_t segs[NET_COPY_SEGS];
};

struct netback {
	struct xendev *dev;
	const struct nic_config *conf;
	struct tap tap;
	bool script_ran;
	unsigned n_queues;
	struct netback_queue queues[NIC_MAX_QUEUES];
	xenevtchn_handle *xce;		/* every queue's event channel */
	struct event_source ev_src;
	bool ev_added;
	int kick_fd;			/* eventfd: a queue has more tx work */
	struct event_source kick_src;
	bool kick_added;
};

static int grant_copy(void *opaque, struct net_copy *c, unsigned n, bool to_guest)
{
	struct netback_queue *nq = opaque;
	uint16_t domid = (uint16_t)nq->nb->dev->domid;
	int rc;

	if (n > NET_COPY_SEGS)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++) {
		xengnttab_grant_copy_segment_t *s = &nq->segs[i];

		memset(s, 0, sizeof(*s));
		if (to_guest) {
			s->source.virt = c[i].local;
			s->dest.foreign.ref = c[i].gref;
			s->dest.foreign.offset = c[i].offset;
			s->dest.foreign.domid = domid;
			s->flags = GNTCOPY_dest_gref;
		} else {
			s->source.foreign.ref = c[i].gref;
			s->source.foreign.offset = c[i].offset;
			s->source.foreign.domid = domid;
			s->dest.virt = c[i].local;
			s->flags = GNTCOPY_source_gref;
		}
		s->len = c[i].len;
	}
	rc = xendev_grant_copy(nq->nb->dev, nq->segs, n);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < n; i++)
		c[i].ok = nq->segs[i].status == GNTST_okay;
	return 0;
}

static int tap_send(void *opaque, const uint8_t *pkt, size_t len)
{
	struct netback_queue *nq = opaque;
	ssize_t r = write(nq->tap_fd, pkt, len);

	return r == (ssize_t)len ? 0 : -EIO;
}

static void tap_poll(struct netback_queue *nq, bool on)
{
	if (!nq->tap_added || nq->tap_paused == !on)
		return;
	if (event_loop_mod(xendev_loop(nq->nb->dev), &nq->tap_src, on ? EPOLLIN : 0) == 0)
		nq->tap_paused = !on;
}

/* Host -> guest: what waits, then what the tap has, in batches of grant
 * copies. -EPROTO breaks the device. */
static int rx_pump(struct netback_queue *nq)
{
	for (unsigned i = 0; i < RX_PACKETS_PER_EVENT; i++) {
		uint8_t *buf;
		int rc;

		if (nq->q.n_rx_pkts == NET_RX_BATCH)
			net_rx_flush(&nq->q);	/* the buffers are free again */
		buf = nq->rx_bufs[nq->q.n_rx_pkts];
		if (!nq->rx_pending) {
			ssize_t n = read(nq->tap_fd, buf, NET_RX_BUF_SIZE);

			if (n <= 0)
				break;	/* EAGAIN: drained; the tap's errors show as silence */
			nq->rx_pending = (size_t)n;
		}
		rc = net_rx_put(&nq->q, buf, nq->rx_pending);
		if (rc == -EAGAIN) {
			/* The waiting packet moves to the first buffer, free after the flush. */
			unsigned at = nq->q.n_rx_pkts;

			net_rx_flush(&nq->q);
			nq->rx_bufs[at] = nq->rx_bufs[0];
			nq->rx_bufs[0] = buf;
			/* The ring asked for an event when requests come. */
			tap_poll(nq, false);
			return 0;
		}
		if (rc < 0)
			return rc;
		nq->rx_pending = 0;
	}
	net_rx_flush(&nq->q);
	tap_poll(nq, true);
	return 0;
}

static void queue_run(struct netback_queue *nq, bool tx)
{
	struct xendev *dev = nq->nb->dev;
	bool more = false, notify;
	uint64_t one = 1;

	if (!nq->q_ready)
		return;
	if ((tx && net_tx_take(&nq->q, &more) < 0) || rx_pump(nq) < 0) {
		xendev_fail(dev, "%s", nq->q.fault.why);
		return;
	}
	notify = net_tx_publish(&nq->q);
	notify |= net_rx_publish(&nq->q);
	if (notify)
		xenevtchn_notify(nq->nb->xce, nq->local_port);
	if (more && write(nq->nb->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("%s: eventfd", nq->label);
}

static void on_evtchn(struct event_source *src, uint32_t events)
{
	struct netback *nb = src->opaque;
	xenevtchn_port_or_error_t port = xenevtchn_pending(nb->xce);

	if (port < 0)
		return;
	xenevtchn_unmask(nb->xce, (evtchn_port_t)port);
	for (unsigned i = 0; i < nb->n_queues; i++)
		if (nb->queues[i].bound && nb->queues[i].local_port == (evtchn_port_t)port) {
			queue_run(&nb->queues[i], true);
			break;
		}
}

static void on_kick(struct event_source *src, uint32_t events)
{
	struct netback *nb = src->opaque;
	uint64_t v;

	if (read(nb->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("%s: eventfd", nb->dev->label);
	for (unsigned i = 0; i < nb->n_queues && !nb->dev->broken; i++)
		queue_run(&nb->queues[i], true);
}

static void on_tap(struct event_source *src, uint32_t events)
{
	queue_run(src->opaque, false);
}

static int netback_discover(struct xenbus_backend *xb, const struct launch_config *cfg)
{
	int rc;

	for (unsigned i = 0; i < cfg->n_nics; i++) {
		rc = xenbus_backend_add(xb, &netback_ops, i, &cfg->nics[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The tap, its bridge and its script=: once, for as long as the devices
 * run, whatever the frontend does. */
static int netback_open(struct xendev *dev)
{
	struct netback *nb = dev->priv;
	const struct nic_config *c = dev->conf;
	char name[IFNAMSIZ];
	int rc;

	nb->dev = dev;
	nb->conf = c;
	nb->kick_fd = -1;
	tap_init(&nb->tap);
	if ((rc = nic_tap_name(c, dev->domid, dev->devid, name)) < 0 ||
	    (rc = tap_open(&nb->tap, name, dev->label)) < 0)
		return rc;
	if (c->bridge && (rc = tap_attach_bridge(&nb->tap, c->bridge, dev->label)) < 0)
		return rc;
	if (c->script) {
		if ((rc = tap_run_script(c->script, nb->tap.name, dev->label)) < 0)
			return rc;
		nb->script_ran = true;
	}
	nb->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (nb->kick_fd < 0) {
		rc = -errno;
		log_warn("%s: eventfd", dev->label);
		return rc;
	}
	log_info("%s: tap %s%s%s, up to %u queue%s", dev->label, nb->tap.name,
		 c->bridge ? " on bridge " : "", c->bridge ? c->bridge : "", c->queues,
		 c->queues == 1 ? "" : "s");
	return 0;
}

static int netback_init(struct xendev *dev)
{
	struct netback *nb = dev->priv;
	const struct nic_config *c = dev->conf;
	char mac[NIC_MAC_STRING_SIZE];
	int rc;

	nic_mac_format(c->mac, mac);
	if ((rc = xendev_fe_printf(dev, "handle", "%u", dev->devid)) ||
	    (rc = xendev_fe_printf(dev, "mac", "%s", mac)) ||
	    (rc = xendev_be_printf(dev, "handle", "%u", dev->devid)) ||
	    (rc = xendev_be_printf(dev, "mac", "%s", mac)) ||
	    (rc = xendev_be_printf(dev, "type", "vif")) ||
	    (rc = xendev_be_printf(dev, "vifname", "%s", nb->tap.name)) ||
	    (c->bridge && (rc = xendev_be_printf(dev, "bridge", "%s", c->bridge))) ||
	    (c->script && (rc = xendev_be_printf(dev, "script", "%s", c->script))) ||
	    (rc = xendev_be_printf(dev, "feature-rx-copy", "1")) ||
	    (rc = xendev_be_printf(dev, "feature-rx-flip", "0")) ||
	    (rc = xendev_be_printf(dev, "feature-sg", "1")) ||
	    (rc = xendev_be_printf(dev, "feature-gso-tcpv4", "1")) ||
	    (rc = xendev_be_printf(dev, "feature-gso-tcpv6", "1")) ||
	    (rc = xendev_be_printf(dev, "feature-ipv6-csum-offload", "1")) ||
	    (rc = xendev_be_printf(dev, "feature-split-event-channels", "0")) ||
	    (rc = xendev_be_printf(dev, "multi-queue-max-queues", "%u", c->queues)))
		return rc;
	xendev_log(dev, "MAC %s", mac);
	return 0;
}

static void netback_release(struct xendev *dev)
{
	struct netback *nb = dev->priv;

	if (nb->script_ran && nb->conf->downscript)
		tap_run_script(nb->conf->downscript, nb->tap.name, dev->label);
	nb->script_ran = false;
	tap_close(&nb->tap);
	if (nb->kick_fd >= 0)
		close(nb->kick_fd);
	nb->kick_fd = -1;
}

static void netback_disconnect(struct xendev *dev)
{
	struct netback *nb = dev->priv;
	struct event_loop *loop = xendev_loop(dev);

	if (nb->kick_added)
		event_loop_del(loop, &nb->kick_src);
	nb->kick_added = false;
	if (nb->ev_added)
		event_loop_del(loop, &nb->ev_src);
	nb->ev_added = false;
	for (unsigned i = 0; i < nb->n_queues; i++) {
		struct netback_queue *nq = &nb->queues[i];

		if (nq->tap_added)
			event_loop_del(loop, &nq->tap_src);
		nq->tap_added = false;
		if (nq->bound)
			xenevtchn_unbind(nb->xce, nq->local_port);
		nq->bound = false;
		if (nq->q_ready)
			xendev_log(dev, "queue %u: tx %lu packets (%lu refused, %lu lost), "
				   "rx %lu (%lu dropped)", i, nq->q.tx_packets, nq->q.tx_bad,
				   nq->q.tx_lost, nq->q.rx_packets, nq->q.rx_dropped);
		if (nq->q_ready)
			net_queue_dispose(&nq->q);
		nq->q_ready = false;
		if (nq->tx_ring)
			xendev_unmap_grants(dev, nq->tx_ring, 1);
		if (nq->rx_ring)
			xendev_unmap_grants(dev, nq->rx_ring, 1);
		nq->tx_ring = nq->rx_ring = NULL;
		for (unsigned b = 0; b < NET_RX_BATCH; b++) {
			free(nq->rx_bufs[b]);
			nq->rx_bufs[b] = NULL;
		}
		nq->rx_pending = 0;
	}
	nb->n_queues = 0;
	if (nb->xce)
		xenevtchn_close(nb->xce);
	nb->xce = NULL;
	if (nb->tap.n_fds > 1)
		tap_set_queues(&nb->tap, 1, dev->label);
}

/* Reads a frontend node as a flag: absent is def, anything but 0/1 is an error. */
static int fe_flag(struct xendev *dev, const char *node, bool def, bool *v_r)
{
	uint32_t v;
	int rc = xendev_fe_read_u32(dev, node, &v);

	if (rc == -ENOENT) {
		*v_r = def;
		return 0;
	}
	if (rc < 0 || v > 1) {
		xendev_fail(dev, "frontend's %s is not 0 or 1", node);
		return -EPROTO;
	}
	*v_r = v;
	return 0;
}

static int queue_connect(struct netback *nb, unsigned i, const struct net_rx_features *feat)
{
	struct xendev *dev = nb->dev;
	struct netback_queue *nq = &nb->queues[i];
	struct net_grant_ops gops = { grant_copy, nq };
	uint32_t tx_ref, rx_ref, port;
	char prefix[16] = "", node[48];
	xenevtchn_port_or_error_t local;
	int rc;

	nq->nb = nb;
	nq->index = i;
	nq->tap_fd = nb->tap.fds[i];
	snprintf(nq->label, sizeof(nq->label), "%s/q%u", dev->label, i);
	if (nb->n_queues > 1)
		snprintf(prefix, sizeof(prefix), "queue-%u/", i);
	snprintf(node, sizeof(node), "%sevent-channel-tx", prefix);
	if (xendev_fe_read_u32(dev, node, &port) == 0) {
		xendev_fail(dev, "frontend uses split event channels, which were not offered");
		return -EPROTO;
	}
	snprintf(node, sizeof(node), "%stx-ring-ref", prefix);
	if (xendev_fe_read_u32(dev, node, &tx_ref) < 0)
		goto missing;
	snprintf(node, sizeof(node), "%srx-ring-ref", prefix);
	if (xendev_fe_read_u32(dev, node, &rx_ref) < 0)
		goto missing;
	snprintf(node, sizeof(node), "%sevent-channel", prefix);
	if (xendev_fe_read_u32(dev, node, &port) < 0)
		goto missing;
	nq->tx_ring = xendev_map_grants(dev, &tx_ref, 1, PROT_READ | PROT_WRITE);
	nq->rx_ring = xendev_map_grants(dev, &rx_ref, 1, PROT_READ | PROT_WRITE);
	if (!nq->tx_ring || !nq->rx_ring) {
		xendev_fail(dev, "queue %u: ring grants do not map", i);
		return -EPROTO;
	}
	for (unsigned b = 0; b < NET_RX_BATCH; b++)
		if (!(nq->rx_bufs[b] = malloc(NET_RX_BUF_SIZE)))
			goto nomem;
	if (net_queue_init(&nq->q, nq->tx_ring, nq->rx_ring, &gops, feat, tap_send, nq,
					  nq->label) < 0) {
		goto nomem;
	}
	nq->q_ready = true;
	nq->q.log_budget = &dev->log_budget;
	local = xenevtchn_bind_interdomain(nb->xce, dev->domid, port);
	if (local < 0) {
		rc = -errno;
		xendev_fail(dev, "queue %u: event channel %u does not bind", i, port);
		return rc;
	}
	nq->local_port = (evtchn_port_t)local;
	nq->bound = true;
	event_source_init(&nq->tap_src, nq->tap_fd, on_tap, nq);
	rc = event_loop_add(xendev_loop(dev), &nq->tap_src, EPOLLIN);
	if (rc < 0) {
		xendev_fail(dev, "event loop: %s", strerror(-rc));
		return rc;
	}
	nq->tap_added = true;
	nq->tap_paused = false;
	return 0;
missing:
	xendev_fail(dev, "frontend's %s is missing or malformed", node);
	return -EPROTO;
nomem:
	xendev_fail(dev, "out of memory for queue %u", i);
	return -ENOMEM;
}

static int netback_connect(struct xendev *dev)
{
	struct netback *nb = dev->priv;
	const struct nic_config *c = dev->conf;
	struct net_rx_features feat;
	bool rx_copy, rx_notify, no_csum, ipv6_csum;
	uint32_t nq = 1;
	int rc;

	if ((rc = fe_flag(dev, "request-rx-copy", false, &rx_copy)) < 0 ||
	    (rc = fe_flag(dev, "feature-rx-notify", false, &rx_notify)) < 0 ||
	    (rc = fe_flag(dev, "feature-sg", false, &feat.sg)) < 0 ||
	    (rc = fe_flag(dev, "feature-gso-tcpv4", false, &feat.gso_tcpv4)) < 0 ||
	    (rc = fe_flag(dev, "feature-gso-tcpv6", false, &feat.gso_tcpv6)) < 0 ||
	    (rc = fe_flag(dev, "feature-no-csum-offload", false, &no_csum)) < 0 ||
	    (rc = fe_flag(dev, "feature-ipv6-csum-offload", false, &ipv6_csum)) < 0)
		return rc;
	if (!rx_copy) {
		xendev_fail(dev, "frontend does not ask for request-rx-copy, the only receive mode");
		return -EPROTO;
	}
	if (!rx_notify) {
		xendev_fail(dev, "frontend does not offer feature-rx-notify");
		return -EPROTO;
	}
	rc = xendev_fe_read_u32(dev, "multi-queue-num-queues", &nq);
	if (rc == -ENOENT)
		nq = 1;
	else if (rc < 0 || nq < 1 || nq > c->queues) {
		xendev_fail(dev, "frontend asks for a queue count out of 1..%u", c->queues);
		return -EPROTO;
	}
	feat.csum = !no_csum && ipv6_csum;
	feat.gso_tcpv4 &= feat.sg && feat.csum;
	feat.gso_tcpv6 &= feat.sg && feat.csum;
	if ((rc = tap_set_queues(&nb->tap, nq, dev->label)) < 0 ||
	    (rc = tap_set_offload(&nb->tap, feat.csum, feat.gso_tcpv4, feat.gso_tcpv6, dev->label)) < 0) {
		xendev_fail(dev, "tap %s: %s", nb->tap.name, strerror(-rc));
		return rc;
	}
	nb->xce = xenevtchn_open(NULL, 0);
	if (!nb->xce) {
		rc = -errno;
		xendev_fail(dev, "xenevtchn_open: %s", strerror(errno));
		return rc;
	}
	nb->n_queues = nq;
	for (unsigned i = 0; i < nq; i++)
		if ((rc = queue_connect(nb, i, &feat)) < 0)
			return rc;
	event_source_init(&nb->ev_src, xenevtchn_fd(nb->xce), on_evtchn, nb);
	event_source_init(&nb->kick_src, nb->kick_fd, on_kick, nb);
	if ((rc = event_loop_add(xendev_loop(dev), &nb->ev_src, EPOLLIN)) < 0 ||
	    (nb->ev_added = true, rc = event_loop_add(xendev_loop(dev), &nb->kick_src, EPOLLIN)) < 0) {
		xendev_fail(dev, "event loop: %s", strerror(-rc));
		return rc;
	}
	nb->kick_added = true;
	xendev_log(dev, "%u queue%s, %ssg, %schecksum offload, TSO%s%s", nq,
		   nq == 1 ? "" : "s", feat.sg ? "" : "no ", feat.csum ? "" : "no ",
		   feat.gso_tcpv4 ? " v4" : "", feat.gso_tcpv6 ? " v6" : feat.gso_tcpv4 ? "" : " off");
	for (unsigned i = 0; i < nq; i++)
		queue_run(&nb->queues[i], true);	/* packets may already wait */
	return 0;
}

const struct backend_ops netback_ops = {
	.type = "vif",
	.priv_size = sizeof(struct netback),
	.discover = netback_discover,
	.open = netback_open,
	.init = netback_init,
	.connect = netback_connect,
	.disconnect = netback_disconnect,
	.release = netback_release,
};
