/*
 * The PV network backend (netif, xen/include/public/io/netif.h), served in
 * userspace by the launcher: each guest NIC is a tap device on the host.
 *
 * Two layers, as in blkback.h:
 *   - the ring path (struct net_queue): one queue's tx and rx rings, the
 *     copy-out and validation of every request, the data moved by grant
 *     copies through struct net_grant_ops. It knows no Xen library and no
 *     tap, so unit tests drive it with rings and "grants" in plain memory
 *     (tests/unit/test_netback.c);
 *   - the device (netback_ops, a struct backend_ops of xenbus_backend.h):
 *     xenstore nodes and features, the tap (devices/tap.h) with one file
 *     descriptor per queue, rings and event channels, all on the event loop.
 *
 * Packets cross the tap with a struct virtio_net_hdr in front, so that
 * checksum offload and TCP segmentation offload pass between the guest and
 * the host's network stack without the launcher touching the payload:
 *   tx (guest -> host): NETTXF_csum_blank and a GSO extra become
 *     VIRTIO_NET_HDR_F_NEEDS_CSUM (with the checksum's place, found by
 *     parsing the Ethernet and IP headers) and gso_type/gso_size;
 *   rx (host -> guest): the same the other way, as NETRXF_csum_blank and a
 *     GSO extra slot. The tap is told (TUNSETOFFLOAD) to hand over only what
 *     the frontend said it can take.
 *
 * Everything the frontend writes is untrusted. Producer indices are read
 * once and checked against the ring size; requests are copied out before
 * they are looked at; a malformed packet (too short, a fragment past its
 * page, fragments larger than the packet, too many slots, a bad extra, a
 * grant that does not copy) is dropped with error responses for its slots,
 * logged a few times per queue, then counted. Only an impossible producer
 * index breaks the device (one log line), never the process.
 */
#ifndef DEVICES_NETBACK_H
#define DEVICES_NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenctrl.h>	/* first: it sets up the Xen public headers for tools */
#include <xen/io/netif.h>

#include "xenbus/ring.h"
#include "xenbus/xenbus_backend.h"

extern const struct backend_ops netback_ops;

#define NET_PAGE_SIZE 4096u
#define NET_ETH_HLEN 14u
#define NET_TX_MAX_SLOTS XEN_NETIF_NR_SLOTS_MIN	/* data slots per packet */
#define NET_MAX_EXTRAS (XEN_NETIF_EXTRA_TYPE_MAX - 1)
#define NET_TX_RING_MAX 256u			/* net_tx_ring_entries(): one page */
#define NET_TX_BATCH 32u			/* tx packets per grant-copy call */
#define NET_RX_BATCH 16u			/* rx packets per grant-copy call */
#define NET_MAX_FRAME 65535u			/* netif's sizes are 16 bits */
/* From the host: a GSO frame may pass 64 KiB by its headers; netfront takes
 * up to XEN_NETIF_NR_SLOTS_MIN data slots. */
#define NET_RX_MAX_DATA_SLOTS 17u
#define NET_RX_MAX_FRAME (NET_RX_MAX_DATA_SLOTS * NET_PAGE_SIZE)

/* struct virtio_net_hdr's layout (linux/virtio_net.h), little-endian. */
struct net_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};
#define NET_VNET_HDR_LEN sizeof(struct net_vnet_hdr)
#define NET_PKT_BUF_SIZE (NET_VNET_HDR_LEN + NET_MAX_FRAME)	/* a tx packet */
#define NET_RX_BUF_SIZE (NET_VNET_HDR_LEN + NET_RX_MAX_FRAME)	/* an rx packet */

/* One grant copy: len bytes between local and the frontend's page gref at offset. */
struct net_copy {
	uint32_t gref;
	uint16_t offset;
	uint16_t len;
	void *local;
	bool ok;		/* out: copied */
};

struct net_grant_ops {
	/* n segments in one batch; to_guest: local -> grant, else grant -> local.
	 * Sets each segment's ok. 0, or -errno when the batch could not run. */
	int (*copy)(void *opaque, struct net_copy *segs, unsigned n, bool to_guest);
	void *opaque;
};

/* What the frontend can take on its rx ring. */
struct net_rx_features {
	bool sg;		/* feature-sg: a packet over several slots */
	bool gso_tcpv4;		/* feature-gso-tcpv4 */
	bool gso_tcpv6;		/* feature-gso-tcpv6 */
	bool csum;		/* takes NETRXF_csum_blank (no feature-no-csum-offload,
				 * and feature-ipv6-csum-offload) */
};

/* A packet taken off the tx ring, waiting for its grant copies. */
struct net_tx_pkt {
	uint16_t ids[NET_TX_MAX_SLOTS];	/* request id of each data slot */
	unsigned n_slots;		/* data slots */
	unsigned n_extras;		/* extra-info slots (answered NETIF_RSP_NULL) */
	unsigned first_copy, n_copies;	/* in the queue's copy array */
	uint16_t flags;			/* the first request's NETTXF_* */
	uint8_t gso_type;		/* XEN_NETIF_GSO_TYPE_* or NONE */
	uint16_t gso_size;
	size_t len;			/* frame bytes */
	uint8_t *buf;			/* NET_PKT_BUF_SIZE: virtio_net_hdr, then the frame */
};

/* A packet placed on the rx ring, waiting for its grant copies. */
struct net_rx_pkt {
	RING_IDX first;			/* its first slot */
	unsigned data_slots;
	uint8_t gso_type;		/* XEN_NETIF_GSO_TYPE_*; NONE: no extra slot */
	uint16_t gso_size;
	uint16_t flags;			/* the first slot's NETRXF_ checksum flags */
	uint16_t ids[NET_RX_MAX_DATA_SLOTS + 1];	/* request id of each slot */
	unsigned first_copy;		/* in the queue's rx copy array */
};

struct net_queue {
	struct netif_tx_sring *tx;	/* shared with the frontend: untrusted */
	struct netif_rx_sring *rx;
	unsigned tx_ents, rx_ents;	/* powers of two */
	RING_IDX tx_cons, tx_rsp_pvt;	/* ours, never read back from the ring */
	RING_IDX rx_cons, rx_rsp_pvt;
	struct xen_ring_fault fault;	/* why the frontend broke a ring */
	struct net_grant_ops gops;
	struct net_rx_features rx_feat;
	/* The tx path's sink: one frame with its virtio_net_hdr in front.
	 * Its failures are the host's business: counted, not answered. */
	int (*send)(void *opaque, const uint8_t *pkt, size_t len);
	void *send_opaque;
	struct net_tx_pkt pkts[NET_TX_BATCH];
	struct net_copy copies[NET_TX_BATCH * NET_TX_MAX_SLOTS];
	struct net_rx_pkt rx_pkts[NET_RX_BATCH];
	unsigned n_rx_pkts, n_rx_copies;
	struct net_copy rx_copies[NET_RX_BATCH * NET_RX_MAX_DATA_SLOTS];
	const char *label;
	struct xendev_log_budget *log_budget;	/* the device's; NULL: none */
	unsigned long tx_packets, tx_bad, tx_lost;	/* sent, refused, sink failed */
	unsigned long rx_packets, rx_dropped;
	unsigned long logged;		/* bad packets logged */
};

/* Ring entries of a one-page tx or rx ring (ring.h's __CONST_RING_SIZE). */
unsigned net_tx_ring_entries(void);
unsigned net_rx_ring_entries(void);

/*
 * Sets up q over two mapped, frontend-initialised rings. send() gets every
 * valid tx packet. 0 or -ENOMEM.
 */
int net_queue_init(struct net_queue *q, void *tx_sring, void *rx_sring,
		   const struct net_grant_ops *gops, const struct net_rx_features *rx_feat,
		   int (*send)(void *opaque, const uint8_t *pkt, size_t len), void *send_opaque,
		   const char *label);
void net_queue_dispose(struct net_queue *q);

/*
 * Takes the packets the frontend queued on its tx ring, copies them out and
 * hands the valid ones to send(); every slot gets its response. A packet
 * whose slots are not all produced yet waits. Returns 0, or -EPROTO when
 * the producer index is impossible or a packet cannot end within the ring
 * (q->fault says why; the caller fails the device). *more_r: stopped at
 * its bound; call again.
 */
int net_tx_take(struct net_queue *q, bool *more_r);

/*
 * Places one packet from the host (virtio_net_hdr, then the frame; len
 * bytes in all) on the rx ring: its requests are taken, its copies and
 * responses wait for net_rx_flush(), so pkt must stay as it is until then.
 * Returns 0 when it was placed or dropped (too large for the frontend's
 * features, a bad header: counted in rx_dropped), -EAGAIN when the frontend
 * has not posted enough rx requests yet (the ring asks for an event when it
 * has; call again then), -ENOBUFS when NET_RX_BATCH packets wait for a
 * flush, -EPROTO when the producer index is impossible (q->fault says why).
 */
int net_rx_put(struct net_queue *q, const uint8_t *pkt, size_t len);
/* Copies every placed packet into the guest's pages (one grant-copy call)
 * and writes their responses, each in its request's slot. */
void net_rx_flush(struct net_queue *q);

/* Publish queued responses; true when the frontend wants an event. */
bool net_tx_publish(struct net_queue *q);
bool net_rx_publish(struct net_queue *q);

/*
 * Finds where a frame's TCP or UDP checksum lives (Ethernet with at most
 * one VLAN tag, IPv4 or IPv6 without extension headers), for checksum and
 * segmentation offload. 0 with the L4 header's offset, the checksum field's
 * offset within it, the L4 protocol (6 or 17) and the L4 header length
 * (TCP's data offset; 8 for UDP); -EINVAL when the frame is not such a
 * packet or is truncated.
 */
int net_l4_locate(const uint8_t *frame, size_t len, unsigned *l4_off_r, unsigned *csum_off_r,
		  unsigned *proto_r, unsigned *l4_hlen_r, bool *ipv6_r);

#endif
