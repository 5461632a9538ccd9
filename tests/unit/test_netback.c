/*
 * devices/netback's ring path, with the rings, the guest's pages and its grant
 * table in plain memory and the tap replaced by a list of sent frames.
 * Malformed tx packets must be answered with errors and never sent; rx
 * packets must land in the granted pages with responses in their requests'
 * slots; an impossible ring must be reported, not followed; no copy may
 * reach outside a granted page.
 */
#include "devices/netback.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GUEST_PAGES 64u
#define MAX_SENT 64

static uint8_t guest[GUEST_PAGES][NET_PAGE_SIZE];
static uint8_t tx_page[NET_PAGE_SIZE] __attribute__((aligned(4096)));
static uint8_t rx_page[NET_PAGE_SIZE] __attribute__((aligned(4096)));
static struct netif_tx_sring *txs = (struct netif_tx_sring *)tx_page;
static struct netif_rx_sring *rxs = (struct netif_rx_sring *)rx_page;

static struct { uint8_t *pkt; size_t len; } sent[MAX_SENT];
static unsigned n_sent, n_copy_calls;
static bool copy_out_of_page;

static int fake_copy(void *opaque, struct net_copy *c, unsigned n, bool to_guest)
{
	n_copy_calls++;
	for (unsigned i = 0; i < n; i++) {
		c[i].ok = false;
		if ((size_t)c[i].offset + c[i].len > NET_PAGE_SIZE) {
			copy_out_of_page = true;	/* the hypervisor would refuse; we must never ask */
			continue;
		}
		if (c[i].gref >= GUEST_PAGES)
			continue;	/* not granted */
		if (to_guest)
			memcpy(guest[c[i].gref] + c[i].offset, c[i].local, c[i].len);
		else
			memcpy(c[i].local, guest[c[i].gref] + c[i].offset, c[i].len);
		c[i].ok = true;
	}
	return 0;
}

static int fake_send(void *opaque, const uint8_t *pkt, size_t len)
{
	CU_ASSERT_FATAL(n_sent < MAX_SENT);
	sent[n_sent].pkt = malloc(len);
	CU_ASSERT_FATAL(sent[n_sent].pkt != NULL);
	memcpy(sent[n_sent].pkt, pkt, len);
	sent[n_sent++].len = len;
	return 0;
}

static void sent_clear(void)
{
	for (unsigned i = 0; i < n_sent; i++)
		free(sent[i].pkt);
	n_sent = 0;
}

static struct net_queue q;

static void setup(bool sg, bool gso, bool csum)
{
	struct net_grant_ops gops = { fake_copy, NULL };
	struct net_rx_features feat = { .sg = sg, .gso_tcpv4 = gso, .gso_tcpv6 = gso, .csum = csum };

	memset(tx_page, 0, sizeof(tx_page));
	memset(rx_page, 0, sizeof(rx_page));
	SHARED_RING_INIT(txs);
	SHARED_RING_INIT(rxs);
	sent_clear();
	n_copy_calls = 0;
	copy_out_of_page = false;
	CU_ASSERT_FATAL(net_queue_init(&q, txs, rxs, &gops, &feat, fake_send, NULL, "vif/test") == 0);
}

static void teardown(void)
{
	CU_ASSERT_FALSE(copy_out_of_page);
	net_queue_dispose(&q);
	sent_clear();
}

static void tx_req(RING_IDX i, uint32_t gref, uint16_t offset, uint16_t flags, uint16_t id, uint16_t size)
{
	struct netif_tx_request r = { .gref = gref, .offset = offset, .flags = flags, .id = id, .size = size };

	memcpy(&txs->ring[i & (q.tx_ents - 1)].req, &r, sizeof(r));
}

static void tx_extra(RING_IDX i, const struct netif_extra_info *x)
{
	memset(&txs->ring[i & (q.tx_ents - 1)], 0, sizeof(txs->ring[0]));
	memcpy(&txs->ring[i & (q.tx_ents - 1)], x, sizeof(*x));
}

static struct netif_tx_response tx_rsp(RING_IDX i)
{
	struct netif_tx_response r;

	memcpy(&r, &txs->ring[i & (q.tx_ents - 1)].rsp, sizeof(r));
	return r;
}

/* The status of the one data response with this id among the first n; 99 when none or several. */
static int rsp_status_of(uint16_t id, RING_IDX n)
{
	int found = 0, status = 99;

	for (RING_IDX r = 0; r < n; r++)
		if (tx_rsp(r).status != NETIF_RSP_NULL && tx_rsp(r).id == id) {
			found++;
			status = tx_rsp(r).status;
		}
	return found == 1 ? status : 99;
}

static int take(void)
{
	bool more;
	int rc = net_tx_take(&q, &more);

	net_tx_publish(&q);
	return rc;
}

/* An IPv4/TCP frame of len bytes in guest page gref at offset, payload bytes = seed + i. */
static void make_tcp_frame(uint8_t *f, size_t len, uint8_t seed)
{
	memset(f, 0, len);
	memcpy(f, "\x00\x16\x3e\x00\x00\x01\x00\x16\x3e\x00\x00\x02\x08\x00", 14);
	f[14] = 0x45;		/* IPv4, 20-byte header */
	f[23] = 6;		/* TCP */
	f[34 + 12] = 5 << 4;	/* data offset 20 */
	for (size_t i = 54; i < len; i++)
		f[i] = (uint8_t)(seed + i);
}

static void test_ring_sizes(void)
{
	CU_ASSERT_EQUAL(net_tx_ring_entries(), 256);	/* __CONST_RING_SIZE(netif_tx, 4096) */
	CU_ASSERT_EQUAL(net_rx_ring_entries(), 256);
}

static void test_tx_single_and_fragmented(void)
{
	struct net_vnet_hdr h;

	setup(true, true, true);
	/* One slot: 60 bytes at offset 100 of page 3. */
	make_tcp_frame(guest[3] + 100, 60, 1);
	tx_req(0, 3, 100, NETTXF_data_validated, 7, 60);
	/* Three slots: 5000 bytes; the first slot carries 5000 - 4000 - 500. */
	make_tcp_frame(guest[10], 500, 2);
	memset(guest[11], 0xaa, 4000);
	memset(guest[12] + 96, 0xbb, 500);
	tx_req(1, 10, 0, NETTXF_more_data, 20, 5000);
	tx_req(2, 11, 0, NETTXF_more_data, 21, 4000);
	tx_req(3, 12, 96, 0, 22, 500);
	txs->req_prod = 4;
	CU_ASSERT_EQUAL(take(), 0);
	CU_ASSERT_EQUAL_FATAL(n_sent, 2);
	CU_ASSERT_EQUAL(sent[0].len, NET_VNET_HDR_LEN + 60);
	CU_ASSERT_EQUAL(memcmp(sent[0].pkt + NET_VNET_HDR_LEN, guest[3] + 100, 60), 0);
	memcpy(&h, sent[0].pkt, sizeof(h));
	CU_ASSERT_EQUAL(h.flags, 2);	/* VIRTIO_NET_HDR_F_DATA_VALID */
	CU_ASSERT_EQUAL(sent[1].len, NET_VNET_HDR_LEN + 5000);
	CU_ASSERT_EQUAL(memcmp(sent[1].pkt + NET_VNET_HDR_LEN, guest[10], 500), 0);
	CU_ASSERT_EQUAL(sent[1].pkt[NET_VNET_HDR_LEN + 500], 0xaa);
	CU_ASSERT_EQUAL(sent[1].pkt[NET_VNET_HDR_LEN + 4499], 0xaa);
	CU_ASSERT_EQUAL(sent[1].pkt[NET_VNET_HDR_LEN + 4500], 0xbb);
	CU_ASSERT_EQUAL(sent[1].pkt[NET_VNET_HDR_LEN + 4999], 0xbb);
	CU_ASSERT_EQUAL(txs->rsp_prod, 4);
	CU_ASSERT_EQUAL(tx_rsp(0).id, 7);
	CU_ASSERT_EQUAL(tx_rsp(1).id, 20);
	CU_ASSERT_EQUAL(tx_rsp(3).id, 22);
	for (unsigned i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(tx_rsp(i).status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(q.tx_packets, 2);
	CU_ASSERT_EQUAL(n_copy_calls, 1);	/* one batch */
	teardown();
}

static void test_tx_offloads(void)
{
	struct netif_extra_info gso = { .type = XEN_NETIF_EXTRA_TYPE_GSO };
	struct net_vnet_hdr h;

	setup(true, true, true);
	make_tcp_frame(guest[1], 3000, 3);
	gso.u.gso.size = 1448;
	gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
	tx_req(0, 1, 0, NETTXF_csum_blank | NETTXF_extra_info, 1, 3000);
	tx_extra(1, &gso);
	/* csum_blank on an ARP frame: nothing to offload, dropped. */
	memcpy(guest[2], "\xff\xff\xff\xff\xff\xff\x00\x16\x3e\x00\x00\x02\x08\x06", 14);
	tx_req(2, 2, 0, NETTXF_csum_blank, 2, 42);
	/* GSO type TCPv6 on an IPv4 frame: refused. */
	gso.u.gso.type = XEN_NETIF_GSO_TYPE_TCPV6;
	tx_req(3, 1, 0, NETTXF_csum_blank | NETTXF_extra_info, 3, 3000);
	tx_extra(4, &gso);
	txs->req_prod = 5;
	CU_ASSERT_EQUAL(take(), 0);
	CU_ASSERT_EQUAL_FATAL(n_sent, 1);
	memcpy(&h, sent[0].pkt, sizeof(h));
	CU_ASSERT_EQUAL(h.flags, 1);		/* NEEDS_CSUM */
	CU_ASSERT_EQUAL(h.csum_start, 34);
	CU_ASSERT_EQUAL(h.csum_offset, 16);
	CU_ASSERT_EQUAL(h.gso_type, 1);		/* VIRTIO_NET_HDR_GSO_TCPV4 */
	CU_ASSERT_EQUAL(h.gso_size, 1448);
	CU_ASSERT_EQUAL(h.hdr_len, 54);
	CU_ASSERT_EQUAL(txs->rsp_prod, 5);
	CU_ASSERT_EQUAL(tx_rsp(0).status, NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(tx_rsp(1).status, NETIF_RSP_NULL);	/* the extra */
	CU_ASSERT_EQUAL(tx_rsp(2).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(tx_rsp(3).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(tx_rsp(4).status, NETIF_RSP_NULL);
	CU_ASSERT_EQUAL(q.tx_bad, 2);
	teardown();
}

static void test_tx_hostile(void)
{
	struct netif_extra_info bad_extra = { .type = 9 };
	RING_IDX i = 0;

	setup(true, true, true);
	make_tcp_frame(guest[0], 100, 0);
	tx_req(i++, 0, 0, 0, 1, 10);			/* shorter than an Ethernet header */
	tx_req(i++, 0, 4000, 0, 2, 100);		/* crosses its page */
	tx_req(i++, 0, 0, NETTXF_more_data, 3, 100);	/* fragments larger than the packet */
	tx_req(i++, 1, 0, 0, 4, 200);
	tx_req(i++, GUEST_PAGES + 5, 0, 0, 5, 100);	/* not granted */
	tx_req(i++, 0, 0, NETTXF_extra_info, 6, 100);	/* unknown extra type */
	tx_extra(i++, &bad_extra);
	/* 19 data slots: more than XEN_NETIF_NR_SLOTS_MIN. */
	for (unsigned s = 0; s < 19; s++)
		tx_req(i++, 0, 0, s < 18 ? NETTXF_more_data : 0, (uint16_t)(100 + s), s ? 10 : 19 * 10);
	tx_req(i++, 0, 0, 0, 7, 100);			/* and a good one after all that */
	txs->req_prod = i;
	CU_ASSERT_EQUAL(take(), 0);
	CU_ASSERT_EQUAL(n_sent, 1);
	CU_ASSERT_EQUAL(txs->rsp_prod, i);		/* every slot answered */
	for (RING_IDX r = 0; r < i - 1; r++) {
		struct netif_tx_response rsp = tx_rsp(r);

		CU_ASSERT(rsp.status == NETIF_RSP_ERROR || rsp.status == NETIF_RSP_NULL);
	}
	/* Answers need not come in ring order (a failed copy is answered with
	 * its batch); each id is answered once with its status. */
	for (uint16_t id = 100; id < 119; id++)
		CU_ASSERT_EQUAL(rsp_status_of(id, i), NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_status_of(5, i), NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(rsp_status_of(7, i), NETIF_RSP_OKAY);
	CU_ASSERT_EQUAL(q.tx_bad, 6);
	teardown();
}

/* A packet over the whole ring: refused, every slot answered with the id
 * copied when the packet was walked (slots past 18 included). */
static void test_tx_packet_over_the_ring(void)
{
	setup(true, true, true);
	for (RING_IDX s = 0; s < q.tx_ents; s++)
		tx_req(s, 0, 0, s + 1 < q.tx_ents ? NETTXF_more_data : 0, (uint16_t)(1000 + s), 10);
	txs->req_prod = q.tx_ents;
	CU_ASSERT_EQUAL(take(), 0);
	CU_ASSERT_EQUAL(txs->rsp_prod, q.tx_ents);
	for (RING_IDX s = 0; s < q.tx_ents; s++) {
		CU_ASSERT_EQUAL(tx_rsp(s).id, 1000 + s);
		CU_ASSERT_EQUAL(tx_rsp(s).status, NETIF_RSP_ERROR);
	}
	CU_ASSERT_EQUAL(q.tx_bad, 1);
	teardown();
}

static void test_tx_incomplete_then_complete(void)
{
	setup(true, true, true);
	make_tcp_frame(guest[0], 100, 0);
	tx_req(0, 0, 0, NETTXF_more_data, 1, 150);
	txs->req_prod = 1;
	CU_ASSERT_EQUAL(take(), 0);
	CU_ASSERT_EQUAL(n_sent, 0);
	CU_ASSERT_EQUAL(txs->rsp_prod, 0);		/* nothing consumed yet */
	tx_req(1, 1, 0, 0, 2, 50);
	txs->req_prod = 2;
	CU_ASSERT_EQUAL(take(), 0);
	CU_ASSERT_EQUAL(n_sent, 1);
	CU_ASSERT_EQUAL(sent[0].len, NET_VNET_HDR_LEN + 150);
	CU_ASSERT_EQUAL(txs->rsp_prod, 2);
	teardown();
}

static void test_tx_impossible_rings(void)
{
	setup(true, true, true);
	txs->req_prod = q.tx_ents + 1;
	CU_ASSERT_EQUAL(take(), -EPROTO);
	CU_ASSERT_EQUAL(n_sent, 0);
	CU_ASSERT_STRING_EQUAL(q.fault.why, "tx ring producer 257 is impossible (consumer 0, ring of 256)");
	teardown();

	/* A whole ring of one packet that never ends. */
	setup(true, true, true);
	for (RING_IDX i = 0; i < q.tx_ents; i++)
		tx_req(i, 0, 0, NETTXF_more_data, (uint16_t)i, 100);
	txs->req_prod = q.tx_ents;
	CU_ASSERT_EQUAL(take(), -EPROTO);
	CU_ASSERT_EQUAL(n_sent, 0);
	CU_ASSERT_STRING_EQUAL(q.fault.why, "a tx packet does not end within the ring");
	teardown();
}

static void test_tx_random_garbage(void)
{
	unsigned seed = 12345;

	for (int round = 0; round < 50; round++) {
		setup(true, true, true);
		for (size_t i = 0; i < sizeof(tx_page) - 64; i++)
			tx_page[64 + i] = (uint8_t)(rand_r(&seed) >> 8);
		txs->req_prod = rand_r(&seed) % (q.tx_ents + 1);
		CU_ASSERT(take() >= -EPROTO);
		/* Whatever was taken was answered, and nothing more. */
		CU_ASSERT(txs->rsp_prod == q.tx_cons);
		teardown();
	}
}

/* The frontend posts rx requests i..i+n-1 with grefs from first_gref. */
static void rx_post(RING_IDX from, unsigned n, uint32_t first_gref)
{
	for (unsigned k = 0; k < n; k++) {
		struct netif_rx_request r = { .id = (uint16_t)(from + k + 1000), .gref = first_gref + k };

		memcpy(&rxs->ring[(from + k) & (q.rx_ents - 1)].req, &r, sizeof(r));
	}
	rxs->req_prod = from + n;
}

/* One packet placed and flushed at once. */
static int rx_put(const uint8_t *pkt, size_t len)
{
	int rc = net_rx_put(&q, pkt, len);

	net_rx_flush(&q);
	return rc;
}

static struct netif_rx_response rx_rsp(RING_IDX i)
{
	struct netif_rx_response r;

	memcpy(&r, &rxs->ring[i & (q.rx_ents - 1)].rsp, sizeof(r));
	return r;
}

static size_t make_rx_pkt(uint8_t *buf, size_t frame_len, uint8_t flags, uint8_t gso_type, uint16_t gso_size)
{
	struct net_vnet_hdr h = { .flags = flags, .gso_type = gso_type, .gso_size = gso_size };

	memcpy(buf, &h, sizeof(h));
	make_tcp_frame(buf + sizeof(h), frame_len, 9);
	return sizeof(h) + frame_len;
}

static void test_rx_delivery(void)
{
	static uint8_t pkt[NET_RX_BUF_SIZE];
	struct netif_extra_info x;
	size_t len;

	setup(true, true, true);
	memset(guest, 0, sizeof(guest));
	rx_post(0, 8, 20);
	/* A small packet: one slot, response in the request's slot. */
	len = make_rx_pkt(pkt, 70, 2, 0, 0);
	CU_ASSERT_EQUAL(rx_put(pkt, len), 0);
	CU_ASSERT_EQUAL(memcmp(guest[20], pkt + NET_VNET_HDR_LEN, 70), 0);
	CU_ASSERT_EQUAL(rx_rsp(0).id, 1000);
	CU_ASSERT_EQUAL(rx_rsp(0).status, 70);
	CU_ASSERT_EQUAL(rx_rsp(0).flags, NETRXF_data_validated);
	/* A GSO packet of 9000 bytes: data, GSO extra, data, data. */
	len = make_rx_pkt(pkt, 9000, 1, 1, 1448);
	CU_ASSERT_EQUAL(rx_put(pkt, len), 0);
	CU_ASSERT_EQUAL(rx_rsp(1).status, 4096);
	CU_ASSERT_EQUAL(rx_rsp(1).flags, NETRXF_csum_blank | NETRXF_data_validated | NETRXF_more_data |
				       NETRXF_extra_info);
	memcpy(&x, &rxs->ring[2].rsp, sizeof(x));
	CU_ASSERT_EQUAL(x.type, XEN_NETIF_EXTRA_TYPE_GSO);
	CU_ASSERT_EQUAL(x.u.gso.size, 1448);
	CU_ASSERT_EQUAL(x.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	CU_ASSERT_EQUAL(rx_rsp(3).status, 4096);
	CU_ASSERT_EQUAL(rx_rsp(3).flags, NETRXF_more_data);
	CU_ASSERT_EQUAL(rx_rsp(3).id, 1003);
	CU_ASSERT_EQUAL(rx_rsp(4).status, 9000 - 8192);
	CU_ASSERT_EQUAL(rx_rsp(4).flags, 0);
	CU_ASSERT_EQUAL(memcmp(guest[21], pkt + NET_VNET_HDR_LEN, 4096), 0);
	CU_ASSERT_EQUAL(memcmp(guest[23], pkt + NET_VNET_HDR_LEN + 4096, 4096), 0);
	CU_ASSERT_EQUAL(memcmp(guest[24], pkt + NET_VNET_HDR_LEN + 8192, 9000 - 8192), 0);
	CU_ASSERT_EQUAL(net_rx_publish(&q) || true, true);
	CU_ASSERT_EQUAL(rxs->rsp_prod, 5);
	CU_ASSERT_EQUAL(q.rx_packets, 2);
	teardown();
}

static void test_rx_back_pressure_and_limits(void)
{
	static uint8_t pkt[NET_RX_BUF_SIZE];
	size_t len;

	setup(true, true, true);
	rx_post(0, 2, 30);
	len = make_rx_pkt(pkt, 9000, 0, 0, 0);		/* needs 3 slots */
	CU_ASSERT_EQUAL(rx_put(pkt, len), -EAGAIN);
	CU_ASSERT_EQUAL(rxs->req_event, 3);		/* wake me when 3 are there */
	CU_ASSERT_EQUAL(q.rx_cons, 0);
	rx_post(2, 1, 32);
	CU_ASSERT_EQUAL(rx_put(pkt, len), 0);
	CU_ASSERT_EQUAL(q.rx_cons, 3);
	/* An rx request whose grant does not copy: an error status, the rest goes on. */
	rx_post(3, 1, GUEST_PAGES + 1);
	len = make_rx_pkt(pkt, 100, 0, 0, 0);
	CU_ASSERT_EQUAL(rx_put(pkt, len), 0);
	CU_ASSERT_EQUAL(rx_rsp(3).status, NETIF_RSP_ERROR);
	CU_ASSERT_EQUAL(q.rx_dropped, 1);
	/* Runt, and an impossible producer. */
	CU_ASSERT_EQUAL(rx_put(pkt, NET_VNET_HDR_LEN + 5), 0);
	CU_ASSERT_EQUAL(q.rx_dropped, 2);
	rxs->req_prod = q.rx_cons + q.rx_ents + 1;
	CU_ASSERT_EQUAL(rx_put(pkt, len), -EPROTO);
	CU_ASSERT_STRING_EQUAL(q.fault.why, "rx ring producer 261 is impossible (consumer 4, ring of 256)");
	teardown();

	/* Without feature-sg, GSO or checksum offload: what needs them is dropped. */
	setup(false, false, false);
	rx_post(0, 8, 40);
	len = make_rx_pkt(pkt, 5000, 0, 0, 0);
	CU_ASSERT_EQUAL(rx_put(pkt, len), 0);
	len = make_rx_pkt(pkt, 1500, 0, 1, 1448);
	CU_ASSERT_EQUAL(rx_put(pkt, len), 0);
	len = make_rx_pkt(pkt, 1500, 1, 0, 0);
	CU_ASSERT_EQUAL(rx_put(pkt, len), 0);
	CU_ASSERT_EQUAL(q.rx_dropped, 3);
	CU_ASSERT_EQUAL(q.rx_cons, 0);			/* no request used */
	len = make_rx_pkt(pkt, 1500, 0, 0, 0);
	CU_ASSERT_EQUAL(rx_put(pkt, len), 0);
	CU_ASSERT_EQUAL(rx_rsp(0).status, 1500);
	teardown();
}

/* Several packets placed, then one grant-copy call for all at the flush. */
static void test_rx_batch(void)
{
	static uint8_t pkts[NET_RX_BATCH + 1][NET_VNET_HDR_LEN + 200];
	size_t len = 0;

	setup(true, true, true);
	rx_post(0, NET_RX_BATCH + 1, 30);
	for (unsigned i = 0; i < NET_RX_BATCH; i++) {
		len = make_rx_pkt(pkts[i], 100 + i, 0, 0, 0);
		CU_ASSERT_EQUAL(net_rx_put(&q, pkts[i], len), 0);
	}
	CU_ASSERT_EQUAL(n_copy_calls, 0);
	CU_ASSERT_EQUAL(rx_rsp(0).status, 0);		/* nothing answered yet */
	CU_ASSERT_EQUAL(net_rx_put(&q, pkts[NET_RX_BATCH], len), -ENOBUFS);
	net_rx_publish(&q);				/* flushes first */
	CU_ASSERT_EQUAL(n_copy_calls, 1);
	CU_ASSERT_EQUAL(rxs->rsp_prod, NET_RX_BATCH);
	for (unsigned i = 0; i < NET_RX_BATCH; i++) {
		CU_ASSERT_EQUAL(rx_rsp(i).status, (int)(100 + i));
		CU_ASSERT_EQUAL(rx_rsp(i).id, 1000 + i);
		CU_ASSERT_EQUAL(memcmp(guest[30 + i], pkts[i] + NET_VNET_HDR_LEN, 100 + i), 0);
	}
	CU_ASSERT_EQUAL(q.rx_packets, NET_RX_BATCH);
	teardown();
}

static void test_l4_locate(void)
{
	uint8_t f[128];
	unsigned l4, csum, proto, hlen;
	bool v6;

	make_tcp_frame(f, sizeof(f), 0);
	CU_ASSERT_EQUAL(net_l4_locate(f, sizeof(f), &l4, &csum, &proto, &hlen, &v6), 0);
	CU_ASSERT(l4 == 34 && csum == 16 && proto == 6 && hlen == 20 && !v6);
	CU_ASSERT_EQUAL(net_l4_locate(f, 50, &l4, &csum, &proto, &hlen, &v6), -EINVAL);	/* truncated */
	f[14] = 0x44;	/* IHL 16 bytes */
	CU_ASSERT_EQUAL(net_l4_locate(f, sizeof(f), &l4, &csum, &proto, &hlen, &v6), -EINVAL);
	f[14] = 0x45;
	f[20] = 0x20;	/* more fragments */
	CU_ASSERT_EQUAL(net_l4_locate(f, sizeof(f), &l4, &csum, &proto, &hlen, &v6), -EINVAL);
	f[20] = 0;
	f[23] = 17;	/* UDP */
	CU_ASSERT_EQUAL(net_l4_locate(f, sizeof(f), &l4, &csum, &proto, &hlen, &v6), 0);
	CU_ASSERT(csum == 6 && hlen == 8);
	f[23] = 1;	/* ICMP */
	CU_ASSERT_EQUAL(net_l4_locate(f, sizeof(f), &l4, &csum, &proto, &hlen, &v6), -EINVAL);
	/* IPv6 with a VLAN tag. */
	memset(f, 0, sizeof(f));
	f[12] = 0x81;
	f[16] = 0x86;
	f[17] = 0xdd;
	f[18] = 0x60;
	f[18 + 6] = 6;
	f[58 + 12] = 8 << 4;	/* 32-byte TCP header */
	CU_ASSERT_EQUAL(net_l4_locate(f, sizeof(f), &l4, &csum, &proto, &hlen, &v6), 0);
	CU_ASSERT(l4 == 58 && hlen == 32 && v6);
}

static CU_TestInfo tests[] = {
	{ "ring sizes", test_ring_sizes },
	{ "tx: one slot and three, one copy batch, every slot answered", test_tx_single_and_fragmented },
	{ "tx: checksum and segmentation offload to virtio_net_hdr", test_tx_offloads },
	{ "tx: hostile packets answered with errors, never sent", test_tx_hostile },
	{ "tx: a packet waits for its last slot", test_tx_incomplete_then_complete },
	{ "tx: impossible producer and endless packet break the ring", test_tx_impossible_rings },
	{ "tx: rings of random bytes", test_tx_random_garbage },
	{ "rx: slots, GSO extra, responses in their requests' slots", test_rx_delivery },
	{ "rx: waits for requests, bad grants, features honoured", test_rx_back_pressure_and_limits },
	{ "rx: a batch of packets, one copy call at the flush", test_rx_batch },
	{ "L4 header location for offloads", test_l4_locate },
	{ "tx packet over the whole ring: every slot answered with its id", test_tx_packet_over_the_ring },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("netback", tests)
