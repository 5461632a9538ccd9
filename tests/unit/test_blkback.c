/*
 * devices/blkback's request path, with the ring, the guest's pages and its
 * grant table in plain memory. Hostile requests must get an error response
 * (and no I/O, no access outside the disk or the granted pages); an
 * impossible ring must be reported, not followed.
 */
#include "devices/blkback.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a fake guest: pages and a grant table ------------------------------ */

#define GUEST_PAGES 64u
#define RO_GREF_FIRST 48u	/* grants from here on are read-only */
#define MAX_MAPS 256

static uint8_t guest[GUEST_PAGES][BLK_PAGE_SIZE] __attribute__((aligned(4096)));

struct fake_map {
	void *addr;
	uint32_t refs[BLK_MAX_INDIRECT_SEGMENTS];
	unsigned n;
	int prot;
};

static struct fake_map maps[MAX_MAPS];
static unsigned n_maps_live, n_map_calls;

/* Like gntdev: a fresh mapping of the granted pages (a copy here, written
 * back at unmap when writable). */
static void *fake_map(void *opaque, const uint32_t *refs, unsigned n, int prot)
{
	struct fake_map *m = NULL;

	n_map_calls++;
	for (unsigned i = 0; i < n; i++)
		if (refs[i] >= GUEST_PAGES || ((prot & PROT_WRITE) && refs[i] >= RO_GREF_FIRST))
			return NULL;
	for (unsigned i = 0; i < MAX_MAPS; i++)
		if (!maps[i].addr) {
			m = &maps[i];
			break;
		}
	CU_ASSERT_FATAL(m != NULL);
	m->addr = aligned_alloc(BLK_PAGE_SIZE, (size_t)n * BLK_PAGE_SIZE);
	CU_ASSERT_FATAL(m->addr != NULL);
	for (unsigned i = 0; i < n; i++) {
		m->refs[i] = refs[i];
		memcpy((uint8_t *)m->addr + (size_t)i * BLK_PAGE_SIZE, guest[refs[i]], BLK_PAGE_SIZE);
	}
	m->n = n;
	m->prot = prot;
	n_maps_live++;
	return m->addr;
}

static void fake_unmap(void *opaque, void *addr, unsigned n)
{
	for (unsigned i = 0; i < MAX_MAPS; i++) {
		struct fake_map *m = &maps[i];

		if (m->addr != addr)
			continue;
		CU_ASSERT_EQUAL(m->n, n);
		if (m->prot & PROT_WRITE)
			for (unsigned j = 0; j < n; j++)
				memcpy(guest[m->refs[j]], (uint8_t *)addr + (size_t)j * BLK_PAGE_SIZE,
				       BLK_PAGE_SIZE);
		free(addr);
		m->addr = NULL;
		n_maps_live--;
		return;
	}
	CU_FAIL("unmap of an address that is not mapped");
}

static const struct blk_grant_ops fake_gops = { fake_map, fake_unmap, NULL };

/* ---- a disk and a ring ---------------------------------------------------- */

#define DISK_SECTORS 2048u	/* 1 MiB */

struct rig {
	char path[64];
	int fd;				/* to look at the image behind the disk's back */
	struct disk img;
	struct blk_disk disk;
	void *ring;
	unsigned pages;
	struct blk_queue q;
	RING_IDX rsp_cons;
	bool defer;			/* submit without completing */
	struct blk_req *deferred[1024];
	unsigned n_deferred;
	bool last[1024];		/* blk_queue_submitting_last() at each submit */
	unsigned n_submitted;
};

static void submit_now(void *opaque, struct blk_req *r)
{
	struct rig *g = opaque;

	if (g->n_submitted < sizeof(g->last) / sizeof(g->last[0]))
		g->last[g->n_submitted++] = blk_queue_submitting_last(&g->q);
	if (g->defer) {
		g->deferred[g->n_deferred++] = r;
		return;
	}
	blk_req_execute(&g->disk, r);
	blk_queue_complete(&g->q, r);
}

static void rig_init_gops(struct rig *g, unsigned pages, bool readonly, bool persistent,
			  const struct blk_grant_ops *gops)
{
	int fd;

	memset(g, 0, sizeof(*g));
	memset(maps, 0, sizeof(maps));
	n_maps_live = n_map_calls = 0;
	strcpy(g->path, "/tmp/xenlaunch-unit-vbd-XXXXXX");
	fd = mkstemp(g->path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)DISK_SECTORS * BLK_SECTOR_SIZE) == 0);
	g->fd = fd;
	CU_ASSERT_FATAL(disk_open(&g->img, &(struct disk_params){ .file = g->path, .discard = true,
								 .label = "vbd/test" }) == 0);
	g->disk.img = &g->img;
	g->disk.sectors = DISK_SECTORS;
	g->disk.readonly = readonly;
	g->disk.discard = !readonly;
	g->pages = pages;
	g->ring = aligned_alloc(BLK_PAGE_SIZE, (size_t)pages * BLK_PAGE_SIZE);
	CU_ASSERT_FATAL(g->ring != NULL);
	memset(g->ring, 0, (size_t)pages * BLK_PAGE_SIZE);
	((struct blkif_sring *)g->ring)->req_event = 1;	/* SHARED_RING_INIT */
	((struct blkif_sring *)g->ring)->rsp_event = 1;
	CU_ASSERT_FATAL(blk_queue_init(&g->q, g->ring, pages, &g->disk, gops, persistent,
				       BLK_MAX_INDIRECT_SEGMENTS, submit_now, g, "vbd/test") == 0);
}

static void rig_init(struct rig *g, unsigned pages, bool readonly, bool persistent)
{
	rig_init_gops(g, pages, readonly, persistent, &fake_gops);
}

static void rig_dispose(struct rig *g)
{
	blk_queue_dispose(&g->q);
	CU_ASSERT_EQUAL(n_maps_live, 0);	/* nothing leaked */
	disk_close(&g->img);
	close(g->fd);
	unlink(g->path);
	free(g->ring);
}

static struct blkif_sring *sring(struct rig *g)
{
	return g->ring;
}

/* The frontend's side: put one request in the next slot and publish it. */
static void push(struct rig *g, const void *req)
{
	struct blkif_sring *s = sring(g);

	memcpy(&s->ring[s->req_prod & (g->q.nr_ents - 1)].req, req, sizeof(struct blkif_request));
	s->req_prod++;
}

static int take(struct rig *g)
{
	bool more;
	int rc = blk_queue_take(&g->q, &more);

	blk_queue_publish(&g->q);
	return rc;
}

/* The next response; fails the test when there is none. */
static struct blkif_response pop(struct rig *g)
{
	struct blkif_sring *s = sring(g);
	struct blkif_response rsp = { .status = 99 };

	CU_ASSERT_FATAL(s->rsp_prod != g->rsp_cons);
	memcpy(&rsp, &s->ring[g->rsp_cons & (g->q.nr_ents - 1)].rsp, sizeof(rsp));
	g->rsp_cons++;
	return rsp;
}

static struct blkif_request rw(uint8_t op, uint64_t id, uint64_t sector, unsigned nseg,
			       uint32_t first_gref)
{
	struct blkif_request r;

	memset(&r, 0, sizeof(r));
	r.operation = op;
	r.nr_segments = (uint8_t)nseg;
	r.id = id;
	r.sector_number = sector;
	for (unsigned i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		r.seg[i].gref = first_gref + i;
		r.seg[i].first_sect = 0;
		r.seg[i].last_sect = 7;
	}
	return r;
}

static void expect_status(struct rig *g, const struct blkif_request *req, int16_t status)
{
	const struct blkif_request_indirect *ind = (const void *)req;
	struct blkif_response rsp;
	uint8_t op = req->operation;

	/* An indirect read or write is answered as a read or write. */
	if (op == BLKIF_OP_INDIRECT &&
	    (ind->indirect_op == BLKIF_OP_READ || ind->indirect_op == BLKIF_OP_WRITE))
		op = ind->indirect_op;
	push(g, req);
	CU_ASSERT_EQUAL(take(g), 0);
	rsp = pop(g);
	CU_ASSERT_EQUAL(rsp.id, req->id);
	CU_ASSERT_EQUAL(rsp.operation, op);
	CU_ASSERT_EQUAL(rsp.status, status);
	if (rsp.status != status)
		fprintf(stderr, "request id %llu: status %d, want %d\n",
			(unsigned long long)req->id, rsp.status, status);
}

static void fill(unsigned page, uint8_t seed)
{
	for (unsigned i = 0; i < BLK_PAGE_SIZE; i++)
		guest[page][i] = (uint8_t)(seed + i * 7);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_ring_entries(void)
{
	CU_ASSERT_EQUAL(blk_ring_entries(1), 32);
	CU_ASSERT_EQUAL(blk_ring_entries(2), 64);
	CU_ASSERT_EQUAL(blk_ring_entries(4), 128);
	CU_ASSERT_EQUAL(blk_ring_entries(16), 512);
	CU_ASSERT_EQUAL(sizeof(union blkif_sring_entry), 112);
}

static void test_write_read_round_trip(void)
{
	struct blkif_request req;
	struct rig g;
	uint8_t disk_bytes[2 * BLK_PAGE_SIZE];

	rig_init(&g, 1, false, false);
	fill(1, 11);
	fill(2, 22);
	req = rw(BLKIF_OP_WRITE, 7, 8, 2, 1);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(pread(g.fd, disk_bytes, sizeof(disk_bytes), 8 * 512), (ssize_t)sizeof(disk_bytes));
	CU_ASSERT_EQUAL(memcmp(disk_bytes, guest[1], BLK_PAGE_SIZE), 0);
	CU_ASSERT_EQUAL(memcmp(disk_bytes + BLK_PAGE_SIZE, guest[2], BLK_PAGE_SIZE), 0);

	/* Read back into other pages; a partial segment (sectors 2..3 of a page). */
	memset(guest[3], 0, BLK_PAGE_SIZE);
	memset(guest[4], 0, BLK_PAGE_SIZE);
	req = rw(BLKIF_OP_READ, 8, 8, 2, 3);
	req.seg[1].first_sect = 2;
	req.seg[1].last_sect = 3;
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(memcmp(guest[3], guest[1], BLK_PAGE_SIZE), 0);
	CU_ASSERT_EQUAL(memcmp(guest[4] + 1024, guest[2], 1024), 0);
	CU_ASSERT_EQUAL(guest[4][0], 0);
	CU_ASSERT_EQUAL(guest[4][2048], 0);

	/* The last sector of the disk is reachable, one further is not. */
	req = rw(BLKIF_OP_READ, 9, DISK_SECTORS - 8, 1, 5);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	req = rw(BLKIF_OP_READ, 10, DISK_SECTORS - 7, 1, 5);
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(g.q.inflight, 0);
	rig_dispose(&g);
}

static void test_hostile_requests(void)
{
	struct blkif_request req;
	struct blkif_request_discard dis;
	struct rig g;
	uint8_t zero[BLK_PAGE_SIZE] = { 0 }, back[BLK_PAGE_SIZE];

	rig_init(&g, 1, false, false);
	req = rw(BLKIF_OP_WRITE, 1, 0, 0, 1);		/* no segments */
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_WRITE, 2, 0, 11, 1);
	req.nr_segments = 12;				/* one more than a request holds */
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_WRITE, 3, 0, 1, 1);
	req.seg[0].first_sect = 5;			/* first after last */
	req.seg[0].last_sect = 4;
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_WRITE, 4, 0, 1, 1);
	req.seg[0].last_sect = 8;			/* past the page */
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_WRITE, 5, UINT64_MAX - 3, 1, 1);	/* sector + length overflows */
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_WRITE, 6, DISK_SECTORS, 1, 1);	/* beyond the end */
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_WRITE, 7, 0, 2, GUEST_PAGES - 1);	/* second grant does not exist */
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	req = rw(BLKIF_OP_READ, 8, 0, 1, RO_GREF_FIRST);	/* read into a read-only grant */
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	req = rw(99, 9, 0, 1, 1);				/* unknown operation */
	expect_status(&g, &req, BLKIF_RSP_EOPNOTSUPP);
	req = rw(BLKIF_OP_WRITE_BARRIER, 10, 0, 1, 1);
	expect_status(&g, &req, BLKIF_RSP_EOPNOTSUPP);

	memset(&dis, 0, sizeof(dis));
	dis.operation = BLKIF_OP_DISCARD;
	dis.id = 11;
	dis.sector_number = DISK_SECTORS - 1;
	dis.nr_sectors = 2;					/* past the end */
	memcpy(&req, &dis, sizeof(dis));
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	dis.sector_number = 1;
	dis.nr_sectors = UINT64_MAX;				/* overflows */
	memcpy(&req, &dis, sizeof(dis));
	expect_status(&g, &req, BLKIF_RSP_ERROR);

	/* Nothing reached the disk, nothing stays mapped, every slot is free. */
	CU_ASSERT_EQUAL(pread(g.fd, back, sizeof(back), 0), (ssize_t)sizeof(back));
	CU_ASSERT_EQUAL(memcmp(back, zero, sizeof(zero)), 0);
	CU_ASSERT_EQUAL(n_maps_live, 0);
	CU_ASSERT_EQUAL(g.q.inflight, 0);
	CU_ASSERT_EQUAL(g.q.bad_requests, 12);

	/* The device still works after all that. */
	fill(1, 33);
	req = rw(BLKIF_OP_WRITE, 12, 0, 1, 1);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	rig_dispose(&g);
}

static void test_read_only_disk(void)
{
	struct blkif_request req;
	struct blkif_request_discard dis;
	struct rig g;

	rig_init(&g, 1, true, false);
	req = rw(BLKIF_OP_WRITE, 1, 0, 1, 1);
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	memset(&dis, 0, sizeof(dis));
	dis.operation = BLKIF_OP_DISCARD;
	dis.id = 2;
	dis.nr_sectors = 8;
	memcpy(&req, &dis, sizeof(dis));
	expect_status(&g, &req, BLKIF_RSP_EOPNOTSUPP);	/* not offered on a read-only disk */
	req = rw(BLKIF_OP_READ, 3, 0, 1, 1);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	rig_dispose(&g);
}

static void test_impossible_producer(void)
{
	struct blkif_request req = rw(BLKIF_OP_READ, 1, 0, 1, 1);
	struct rig g;

	rig_init(&g, 1, false, false);
	push(&g, &req);
	sring(&g)->req_prod = g.q.req_cons + g.q.nr_ents + 1;	/* more than the ring holds */
	CU_ASSERT_EQUAL(take(&g), -EPROTO);
	CU_ASSERT_EQUAL(sring(&g)->rsp_prod, 0);		/* nothing was followed */
	CU_ASSERT_STRING_EQUAL(g.q.fault.why, "request ring producer 33 is impossible "
			       "(consumer 0, ring of 32)");
	memset(&g.q.fault, 0, sizeof(g.q.fault));
	sring(&g)->req_prod = g.q.req_cons - 1;			/* behind the consumer */
	CU_ASSERT_EQUAL(take(&g), -EPROTO);
	CU_ASSERT_STRING_EQUAL(g.q.fault.why, "request ring producer 4294967295 is impossible "
			       "(consumer 0, ring of 32)");
	rig_dispose(&g);
}

/* A full ring of requests that do not complete: the backend takes no more
 * than it can answer, then resumes when responses free slots. */
static void test_full_ring_back_pressure(void)
{
	struct blkif_request req;
	struct rig g;
	unsigned n;

	rig_init(&g, 1, false, false);
	g.defer = true;
	for (n = 0; n < g.q.nr_ents; n++) {
		req = rw(BLKIF_OP_READ, n, n * 8, 1, n % 32);
		push(&g, &req);
	}
	CU_ASSERT_EQUAL(take(&g), 0);
	CU_ASSERT_EQUAL(g.n_deferred, g.q.nr_ents);
	CU_ASSERT_EQUAL(g.q.inflight, g.q.nr_ents);
	/* The frontend sees no response yet and publishes nothing more. */
	CU_ASSERT_EQUAL(take(&g), 0);
	CU_ASSERT_EQUAL(g.n_deferred, g.q.nr_ents);
	for (unsigned i = 0; i < g.n_deferred; i++) {
		blk_req_execute(&g.disk, g.deferred[i]);
		blk_queue_complete(&g.q, g.deferred[i]);
	}
	blk_queue_publish(&g.q);
	for (unsigned i = 0; i < g.q.nr_ents; i++)
		CU_ASSERT_EQUAL(pop(&g).status, BLKIF_RSP_OKAY);
	g.n_deferred = 0;
	g.defer = false;
	req = rw(BLKIF_OP_READ, 999, 0, 1, 1);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	rig_dispose(&g);
}

/* Indirect descriptors: 20 segments listed in an indirect page. */
static void test_indirect(void)
{
	struct blkif_request_indirect ind;
	struct blkif_request_segment *segs = (void *)guest[40];
	struct blkif_request req;
	struct rig g;
	uint8_t back[BLK_PAGE_SIZE];

	rig_init(&g, 2, false, false);
	memset(&ind, 0, sizeof(ind));
	ind.operation = BLKIF_OP_INDIRECT;
	ind.indirect_op = BLKIF_OP_WRITE;
	ind.nr_segments = 20;
	ind.id = 77;
	ind.sector_number = 64;
	ind.indirect_grefs[0] = 40;
	for (unsigned i = 0; i < 20; i++) {
		segs[i].gref = 10 + i;
		segs[i].first_sect = 0;
		segs[i].last_sect = 7;
		fill(10 + i, (uint8_t)i);
	}
	memcpy(&req, &ind, sizeof(ind));
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(pread(g.fd, back, sizeof(back), (64 + 19 * 8) * 512), (ssize_t)sizeof(back));
	CU_ASSERT_EQUAL(memcmp(back, guest[29], BLK_PAGE_SIZE), 0);

	/* Hostile indirect requests. */
	ind.id = 78;
	ind.nr_segments = 0;
	memcpy(&req, &ind, sizeof(ind));
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	ind.nr_segments = BLK_MAX_INDIRECT_SEGMENTS + 1;
	memcpy(&req, &ind, sizeof(ind));
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	ind.nr_segments = 20;
	ind.indirect_grefs[0] = 5000;			/* indirect page does not map */
	memcpy(&req, &ind, sizeof(ind));
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	ind.indirect_grefs[0] = 40;
	segs[19].last_sect = 200;			/* one bad segment in the page */
	memcpy(&req, &ind, sizeof(ind));
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	segs[19].last_sect = 7;
	ind.indirect_op = BLKIF_OP_DISCARD;		/* only read and write go indirect */
	memcpy(&req, &ind, sizeof(ind));
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	ind.indirect_op = BLKIF_OP_READ;
	ind.sector_number = DISK_SECTORS - 8 * 19;	/* 20 pages from here pass the end */
	memcpy(&req, &ind, sizeof(ind));
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	CU_ASSERT_EQUAL(n_maps_live, 0);
	rig_dispose(&g);
}

/* Persistent grants: mapped once, reused, unmapped when the queue goes. */
static void test_persistent_grants(void)
{
	struct blkif_request req;
	struct rig g;
	unsigned calls;

	rig_init(&g, 1, false, true);
	fill(1, 1);
	req = rw(BLKIF_OP_WRITE, 1, 0, 3, 1);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	calls = n_map_calls;
	CU_ASSERT_EQUAL(n_maps_live, 1);
	req = rw(BLKIF_OP_READ, 2, 0, 3, 1);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	req = rw(BLKIF_OP_WRITE, 3, 24, 3, 1);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(n_map_calls, calls);		/* no new mapping */
	req = rw(BLKIF_OP_WRITE, 4, 48, 2, 3);		/* gref 3 known, 4 new: one batch of one */
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(n_map_calls, calls + 1);
	CU_ASSERT_EQUAL(g.q.pg.n, 4);
	req = rw(BLKIF_OP_READ, 5, 0, 1, RO_GREF_FIRST);	/* persistent maps need write access */
	expect_status(&g, &req, BLKIF_RSP_ERROR);
	rig_dispose(&g);				/* asserts every mapping went */
}

static void test_flush_and_discard(void)
{
	struct blkif_request req;
	struct blkif_request_discard dis;
	struct rig g;
	uint8_t back[BLK_PAGE_SIZE], zero[BLK_PAGE_SIZE] = { 0 };

	rig_init(&g, 1, false, false);
	fill(1, 5);
	req = rw(BLKIF_OP_WRITE, 1, 16, 1, 1);
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	memset(&req, 0, sizeof(req));
	req.operation = BLKIF_OP_FLUSH_DISKCACHE;
	req.id = 2;
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	memset(&dis, 0, sizeof(dis));
	dis.operation = BLKIF_OP_DISCARD;
	dis.id = 3;
	dis.sector_number = 16;
	dis.nr_sectors = 8;
	memcpy(&req, &dis, sizeof(dis));
	expect_status(&g, &req, BLKIF_RSP_OKAY);
	CU_ASSERT_EQUAL(pread(g.fd, back, sizeof(back), 16 * 512), (ssize_t)sizeof(back));
	CU_ASSERT_EQUAL(memcmp(back, zero, sizeof(zero)), 0);
	rig_dispose(&g);
}

/* A ring full of garbage: every slot random bytes. Whatever it holds, each
 * request is answered or the ring is refused; nothing stays mapped. */
static void test_random_garbage(void)
{
	struct blkif_request req;
	struct rig g;
	unsigned seed = 12345;

	rig_init(&g, 1, false, false);
	for (unsigned round = 0; round < 200; round++) {
		uint8_t *p = (uint8_t *)&req;

		for (size_t i = 0; i < sizeof(req); i++) {
			seed = seed * 1103515245u + 12345u;
			p[i] = (uint8_t)(seed >> 16);
		}
		if (round % 2)
			req.operation = (uint8_t)(round % 8);	/* valid-looking operations too */
		push(&g, &req);
		CU_ASSERT_EQUAL(take(&g), 0);
		(void)pop(&g);
	}
	CU_ASSERT_EQUAL(n_maps_live, 0);
	CU_ASSERT_EQUAL(g.q.inflight, 0);
	rig_dispose(&g);
}

/* ---- what a guest can make us map ---------------------------------------- */

/*
 * A grant table that maps any ref and counts the pages mapped. Data pages
 * all alias one scratch area (their content does not matter here); an
 * indirect page (a ref of the fake guest's, mapped alone) is a real copy.
 */
static uint8_t scratch[BLK_MAX_INDIRECT_SEGMENTS][BLK_PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned long pages_live, pages_max;

static void *count_map(void *opaque, const uint32_t *refs, unsigned n, int prot)
{
	void *p = scratch;

	CU_ASSERT_FATAL(n <= BLK_MAX_INDIRECT_SEGMENTS);
	if (n == 1 && refs[0] < GUEST_PAGES) {
		p = aligned_alloc(BLK_PAGE_SIZE, BLK_PAGE_SIZE);
		CU_ASSERT_FATAL(p != NULL);
		memcpy(p, guest[refs[0]], BLK_PAGE_SIZE);
	}
	pages_live += n;
	if (pages_live > pages_max)
		pages_max = pages_live;
	return p;
}

static void count_unmap(void *opaque, void *addr, unsigned n)
{
	CU_ASSERT(pages_live >= n);
	pages_live -= n;
	if (addr != (void *)scratch)
		free(addr);
}

static const struct blk_grant_ops count_gops = { count_map, count_unmap, NULL };

/* An indirect read of the whole disk: 256 segments listed in guest page 40,
 * segment i naming refs[i % n_refs]. */
static struct blkif_request indirect_read(uint64_t id, const uint32_t *refs, unsigned n_refs)
{
	struct blkif_request_segment *segs = (void *)guest[40];
	struct blkif_request_indirect ind;
	struct blkif_request req;

	memset(&ind, 0, sizeof(ind));
	ind.operation = BLKIF_OP_INDIRECT;
	ind.indirect_op = BLKIF_OP_READ;
	ind.nr_segments = BLK_MAX_INDIRECT_SEGMENTS;
	ind.id = id;
	ind.sector_number = 0;
	ind.indirect_grefs[0] = 40;
	for (unsigned i = 0; i < BLK_MAX_INDIRECT_SEGMENTS; i++) {
		segs[i].gref = refs[i % n_refs];
		segs[i].first_sect = 0;
		segs[i].last_sect = 7;
	}
	memcpy(&req, &ind, sizeof(ind));
	return req;
}

/*
 * Persistent grants count pages, not refs: 1000 indirect requests each
 * naming 2 fresh refs 128 times (the old count saw 2 refs a request and
 * mapped 256,000 pages) keep at most BLK_MAX_PERSISTENT_GRANTS pages mapped
 * persistently, the rest mapped for their own I/O; all are served.
 */
static void test_persistent_pages_bound(void)
{
	struct blkif_request req;
	struct rig g;

	pages_live = pages_max = 0;
	rig_init_gops(&g, 1, false, true, &count_gops);
	for (unsigned k = 0; k < 1000; k++) {
		uint32_t refs[2] = { 1000 + 2 * k, 1001 + 2 * k };

		req = indirect_read(k, refs, 2);
		expect_status(&g, &req, BLKIF_RSP_OKAY);
		if (pages_live > BLK_MAX_MAPPED_PAGES)
			break;
	}
	CU_ASSERT(g.q.pg.n_pages <= BLK_MAX_PERSISTENT_GRANTS);
	CU_ASSERT_EQUAL(g.q.pg.n_pages, 4 * BLK_MAX_INDIRECT_SEGMENTS);
	CU_ASSERT(pages_max <= BLK_MAX_MAPPED_PAGES + 1);	/* + the indirect page read */
	CU_ASSERT_EQUAL(pages_live, g.q.pg.n_pages);	/* the rest went with their requests */
	rig_dispose(&g);
	CU_ASSERT_EQUAL(pages_live, 0);
}

/*
 * As a guest's blkfront uses them: every page a distinct ref, reused. Four
 * requests of 256 fresh refs fill the persistent set to 1024 entries; the
 * same requests again map nothing new, each ref found where it was put
 * (a table of 2 * 1056 slots masked as a power of two reached only 128
 * of them and spun for ever once they were full).
 */
static void test_persistent_refs_found_again(void)
{
	uint32_t refs[BLK_MAX_INDIRECT_SEGMENTS];
	struct blkif_request req;
	unsigned long mapped = 0;
	struct rig g;

	pages_live = pages_max = 0;
	rig_init_gops(&g, 1, false, true, &count_gops);
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned k = 0; k < 4; k++) {
			for (unsigned i = 0; i < BLK_MAX_INDIRECT_SEGMENTS; i++)
				refs[i] = 1000 + k * BLK_MAX_INDIRECT_SEGMENTS + i;
			req = indirect_read(pass * 4 + k, refs, BLK_MAX_INDIRECT_SEGMENTS);
			expect_status(&g, &req, BLKIF_RSP_OKAY);
		}
		if (pass == 0)
			mapped = pages_max;
	}
	CU_ASSERT_EQUAL(g.q.pg.n, 4 * BLK_MAX_INDIRECT_SEGMENTS);
	CU_ASSERT_EQUAL(g.q.pg.n_pages, 4 * BLK_MAX_INDIRECT_SEGMENTS);
	/* The second pass mapped nothing but each request's indirect page (a
	 * ref not found would have been mapped again: 256 pages more). */
	CU_ASSERT(pages_max <= mapped + 1);
	rig_dispose(&g);
	CU_ASSERT_EQUAL(pages_live, 0);
}

/*
 * In flight too: a 16-page ring full of indirect requests of 256 fresh refs
 * each (512 * 256 pages if all were taken at once) maps at most
 * BLK_MAX_MAPPED_PAGES at any time; the rest wait in the ring, and every
 * request is answered once completions make room.
 */
static void test_inflight_pages_bound(void)
{
	uint32_t refs[BLK_MAX_INDIRECT_SEGMENTS];
	struct blkif_request req;
	unsigned answered = 0, rounds = 0;
	struct rig g;

	pages_live = pages_max = 0;
	rig_init_gops(&g, 16, false, false, &count_gops);
	g.defer = true;
	CU_ASSERT_EQUAL_FATAL(g.q.nr_ents, 512);
	for (unsigned k = 0; k < g.q.nr_ents; k++) {
		for (unsigned i = 0; i < BLK_MAX_INDIRECT_SEGMENTS; i++)
			refs[i] = 1000 + k * BLK_MAX_INDIRECT_SEGMENTS + i;
		req = indirect_read(k, refs, BLK_MAX_INDIRECT_SEGMENTS);
		push(&g, &req);
	}
	while (answered < g.q.nr_ents && rounds++ < g.q.nr_ents) {
		CU_ASSERT_EQUAL(take(&g), 0);
		CU_ASSERT(pages_live <= BLK_MAX_MAPPED_PAGES);
		CU_ASSERT_FATAL(g.n_deferred > 0);
		for (unsigned i = 0; i < g.n_deferred; i++) {
			blk_req_execute(&g.disk, g.deferred[i]);
			blk_queue_complete(&g.q, g.deferred[i]);
		}
		g.n_deferred = 0;
		blk_queue_publish(&g.q);
		while (sring(&g)->rsp_prod != g.rsp_cons) {
			CU_ASSERT_EQUAL(pop(&g).status, BLKIF_RSP_OKAY);
			answered++;
		}
	}
	CU_ASSERT_EQUAL(answered, g.q.nr_ents);
	CU_ASSERT_EQUAL(pages_max, BLK_MAX_MAPPED_PAGES + 1);	/* + the indirect page read */
	CU_ASSERT(rounds > 1);
	rig_dispose(&g);
	CU_ASSERT_EQUAL(pages_live, 0);
}

/* ---- the workers ------------------------------------------------------------ */

static unsigned slow_executed;

/* A disk that takes 20 ms a request. */
static void slow_execute(const struct blk_disk *disk, struct blk_req *r)
{
	usleep(20000);
	__atomic_add_fetch(&slow_executed, 1, __ATOMIC_RELAXED);
	r->status = BLKIF_RSP_OKAY;
}

/*
 * Stopping the workers (a disconnect, on the event loop) waits for the job
 * each holds, not for the queue: 100 queued requests on a slow disk are
 * handed back unstarted but for the few in hand (draining them all took
 * 100 * 20 ms / BLK_WORKERS = 0.5 s on the loop).
 */
static void test_workers_stop_cancels_queued(void)
{
	static struct blk_req reqs[100];
	struct blk_workers w;
	struct blk_disk disk = { .img = NULL };
	struct blk_req *queued, *done;
	unsigned n_queued = 0, n_done = 0;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	CU_ASSERT_FATAL(efd >= 0);
	CU_ASSERT_FATAL(blk_workers_init(&w, &disk, efd, "vbd/test") == 0);
	w.execute = slow_execute;
	slow_executed = 0;
	CU_ASSERT_FATAL(blk_workers_start(&w) == 0);
	for (unsigned i = 0; i < 100; i++)
		blk_workers_submit(&w, &reqs[i]);
	queued = blk_workers_stop(&w);
	for (; queued; queued = queued->next)
		n_queued++;
	for (done = blk_workers_reap(&w); done; done = done->next)
		n_done++;
	CU_ASSERT_EQUAL(n_done, slow_executed);
	CU_ASSERT_EQUAL(n_queued + n_done, 100);
	CU_ASSERT(n_done <= 2 * BLK_WORKERS);
	blk_workers_dispose(&w);
	close(efd);
}

/*
 * Queue depth 1 is done on the loop's thread: a small read or write is
 * inline only when it is the last request on the ring and no worker is
 * busy; a batch, a large request, a flush go to the workers.
 */
static void test_inline_at_queue_depth_1(void)
{
	static struct blk_req busy_req;
	struct blkif_request req = rw(BLKIF_OP_READ, 1, 0, 1, 1);
	struct blk_queue q = { .req_cons = 4, .req_prod = 5 };
	struct blk_req r = { .op = BLKIF_OP_READ, .nr_sectors = 8 };
	struct blk_disk disk = { .img = NULL };
	struct blk_workers w;
	struct rig g;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	/* The ring's view: of three requests taken at once, only the third is last. */
	rig_init(&g, 1, false, false);
	g.defer = true;
	for (unsigned i = 0; i < 3; i++)
		push(&g, &req);
	CU_ASSERT_EQUAL(take(&g), 0);
	CU_ASSERT_EQUAL_FATAL(g.n_submitted, 3);
	CU_ASSERT_FALSE(g.last[0]);
	CU_ASSERT_FALSE(g.last[1]);
	CU_ASSERT_TRUE(g.last[2]);
	push(&g, &req);
	CU_ASSERT_EQUAL(take(&g), 0);
	CU_ASSERT_TRUE(g.last[3]);	/* alone on the ring */
	for (unsigned i = 0; i < g.n_deferred; i++)
		blk_queue_complete(&g.q, g.deferred[i]);
	rig_dispose(&g);

	CU_ASSERT_FATAL(efd >= 0);
	CU_ASSERT_FATAL(blk_workers_init(&w, &disk, efd, "vbd/test") == 0);
	w.execute = slow_execute;
	CU_ASSERT_FATAL(blk_workers_start(&w) == 0);
	CU_ASSERT_TRUE(blk_submit_inline(&q, &w, &r));
	r.op = BLKIF_OP_WRITE;
	CU_ASSERT_TRUE(blk_submit_inline(&q, &w, &r));
	r.nr_sectors = BLK_INLINE_MAX_SECTORS + 1;
	CU_ASSERT_FALSE(blk_submit_inline(&q, &w, &r));
	r.nr_sectors = 8;
	r.op = BLKIF_OP_FLUSH_DISKCACHE;
	CU_ASSERT_FALSE(blk_submit_inline(&q, &w, &r));
	r.op = BLKIF_OP_READ;
	q.req_prod = 6;			/* another waits behind it */
	CU_ASSERT_FALSE(blk_submit_inline(&q, &w, &r));
	q.req_prod = 5;
	blk_workers_submit(&w, &busy_req);	/* 20 ms on the slow disk */
	CU_ASSERT_FALSE(blk_workers_idle(&w));
	CU_ASSERT_FALSE(blk_submit_inline(&q, &w, &r));
	for (int i = 0; i < 100 && !blk_workers_reap(&w); i++)
		usleep(5000);
	CU_ASSERT_TRUE(blk_workers_idle(&w));
	CU_ASSERT_TRUE(blk_submit_inline(&q, &w, &r));
	CU_ASSERT_PTR_NULL(blk_workers_stop(&w));
	blk_workers_dispose(&w);
	close(efd);
}

static CU_TestInfo tests[] = {
	{ "ring sizes per page count", test_ring_entries },
	{ "write then read back, partial segments, last sector", test_write_read_round_trip },
	{ "hostile requests: error responses, no I/O, no leak", test_hostile_requests },
	{ "read-only disk refuses writes and discards", test_read_only_disk },
	{ "impossible producer index breaks the ring, nothing followed", test_impossible_producer },
	{ "full ring: no more taken than can be answered", test_full_ring_back_pressure },
	{ "indirect descriptors, and hostile ones", test_indirect },
	{ "persistent grants mapped once, unmapped at the end", test_persistent_grants },
	{ "flush, and discard punches a hole", test_flush_and_discard },
	{ "a ring of random bytes", test_random_garbage },
	{ "persistent grants bounded in pages, whatever refs are named", test_persistent_pages_bound },
	{ "pages in flight bounded; the rest wait in the ring", test_inflight_pages_bound },
	{ "distinct persistent refs are found again", test_persistent_refs_found_again },
	{ "stopping the workers hands back queued requests unstarted", test_workers_stop_cancels_queued },
	{ "queue depth 1 is done inline, a batch by the workers", test_inline_at_queue_depth_1 },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("blkback", tests)
