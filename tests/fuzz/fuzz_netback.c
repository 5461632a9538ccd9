/*
 * netback's ring path (devices/netback.h) as a hostile frontend drives it:
 * the input fills the tx ring, the rx ring and the guest's pages, and
 * supplies packets from the host for the rx side. Grants are plain memory:
 * refs below GUEST_PAGES copy, the rest fail.
 *
 * Layout: byte 0 flags (bits 0-3 the rx features sg/gso4/gso6/csum, bit 4
 * a tx producer index from the input, bit 5 an rx one), 4 + 4 bytes of
 * producer indices, a 2-byte count of tx slots, then the tx slots (12
 * bytes each), a 2-byte count of rx requests and the rx requests (8 bytes
 * each), GUEST_PAGES pages of guest memory, then host packets, each a
 * 2-byte length and its bytes (virtio_net_hdr, then the frame).
 *
 * Invariants: no grant copy ever crosses its page; every tx slot consumed
 * is answered, no more; a sent frame fits NET_PKT_BUF_SIZE; rx responses
 * never pass the requests taken.
 */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <string.h>

#include "devices/netback.h"

#define GUEST_PAGES 4u

static uint8_t guest[GUEST_PAGES][NET_PAGE_SIZE];
static uint8_t tx_page[NET_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t rx_page[NET_PAGE_SIZE] __attribute__((aligned(4096)));

static int copy(void *opaque, struct net_copy *c, unsigned n, bool to_guest)
{
	for (unsigned i = 0; i < n; i++) {
		FUZZ_CHECK((size_t)c[i].offset + c[i].len <= NET_PAGE_SIZE);
		c[i].ok = c[i].gref < GUEST_PAGES;
		if (!c[i].ok)
			continue;
		if (to_guest)
			memcpy(guest[c[i].gref] + c[i].offset, c[i].local, c[i].len);
		else
			memcpy(c[i].local, guest[c[i].gref] + c[i].offset, c[i].len);
	}
	return 0;
}

static int send_frame(void *opaque, const uint8_t *pkt, size_t len)
{
	FUZZ_CHECK(len >= NET_VNET_HDR_LEN + NET_ETH_HLEN && len <= NET_PKT_BUF_SIZE);
	return 0;
}

/* Takes n bytes of the input at *off, or what is left (zero-filled). */
static void take_bytes(const uint8_t *data, size_t size, size_t *off, void *out, size_t n)
{
	size_t k = *off < size ? size - *off : 0;

	if (k > n)
		k = n;
	memset(out, 0, n);
	memcpy(out, data + *off, k);
	*off += k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netif_tx_sring *tx = (void *)tx_page;
	struct netif_rx_sring *rx = (void *)rx_page;
	struct net_grant_ops gops = { copy, NULL };
	static uint8_t bufs[NET_RX_BATCH][NET_RX_BUF_SIZE];
	struct net_rx_features feat;
	struct net_queue q;
	RING_IDX tx_prod, rx_prod, consumed;
	uint16_t n_tx = 0, n_rx = 0;
	uint8_t flags = 0;
	size_t off = 0;
	unsigned n_bufs = 0;
	bool more;
	int rc;

	fuzz_quiet_log();
	take_bytes(data, size, &off, &flags, 1);
	take_bytes(data, size, &off, &tx_prod, 4);
	take_bytes(data, size, &off, &rx_prod, 4);
	feat = (struct net_rx_features){ .sg = flags & 1, .gso_tcpv4 = flags & 2,
					 .gso_tcpv6 = flags & 4, .csum = flags & 8 };
	memset(tx_page, 0, sizeof(tx_page));
	memset(rx_page, 0, sizeof(rx_page));
	SHARED_RING_INIT(tx);
	SHARED_RING_INIT(rx);
	FUZZ_CHECK(net_queue_init(&q, tx, rx, &gops, &feat, send_frame, NULL, "vif/fuzz") == 0);

	take_bytes(data, size, &off, &n_tx, 2);
	n_tx %= q.tx_ents + 1;
	for (unsigned i = 0; i < n_tx; i++)
		take_bytes(data, size, &off, &tx->ring[i], sizeof(struct netif_tx_request));
	take_bytes(data, size, &off, &n_rx, 2);
	n_rx %= q.rx_ents + 1;
	for (unsigned i = 0; i < n_rx; i++)
		take_bytes(data, size, &off, &rx->ring[i].req, sizeof(struct netif_rx_request));
	take_bytes(data, size, &off, guest, sizeof(guest));
	tx->req_prod = flags & 0x10 ? tx_prod : n_tx;
	rx->req_prod = flags & 0x20 ? rx_prod : n_rx;

	/* tx: until the ring is drained, stuck or broken. */
	for (unsigned round = 0; round < 16; round++) {
		rc = net_tx_take(&q, &more);
		FUZZ_CHECK(rc == 0 || rc == -EPROTO);
		net_tx_publish(&q);
		if (rc < 0 || !more)
			break;
	}
	consumed = q.tx_cons;
	FUZZ_CHECK(q.tx_rsp_pvt == consumed);

	/* rx: the host's packets, while the frontend has room for them. */
	while (off + 2 <= size) {
		uint16_t len;

		take_bytes(data, size, &off, &len, 2);
		len %= NET_RX_BUF_SIZE + 1;
		if (n_bufs == NET_RX_BATCH) {
			net_rx_flush(&q);
			n_bufs = 0;
		}
		take_bytes(data, size, &off, bufs[n_bufs], len);
		rc = net_rx_put(&q, bufs[n_bufs], len);
		FUZZ_CHECK(rc == 0 || rc == -EAGAIN || rc == -ENOBUFS || rc == -EPROTO);
		if (rc == -EAGAIN || rc == -EPROTO)
			break;
		if (rc == -ENOBUFS) {
			net_rx_flush(&q);
			n_bufs = 0;
			continue;
		}
		n_bufs = q.n_rx_pkts;
	}
	net_rx_publish(&q);
	FUZZ_CHECK(q.rx_rsp_pvt == q.rx_cons);
	FUZZ_CHECK((RING_IDX)(q.rx_cons - 0) <= q.rx_ents);
	net_queue_dispose(&q);
	return 0;
}
