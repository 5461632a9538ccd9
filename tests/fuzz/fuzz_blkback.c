/*
 * blkback's request path (devices/blkback.h) as a hostile frontend drives it:
 * the input is a ring of requests, the producer index and the contents of
 * the guest's pages (indirect segment lists). Grants are plain memory: refs
 * below GUEST_PAGES map, the rest do not. The disk is a 1 MiB memfd.
 *
 * Layout: byte 0 flags (bit 0 persistent grants, bit 1 complete requests
 * late, bits 2-4 ring page order, bit 5 read-only, bit 6 a producer index
 * from the input), 4 bytes of producer index, a byte N, N request slots
 * (112 bytes each), then the guest's pages (what the input has left).
 *
 * Invariants: every consumed request is answered exactly once, with its id;
 * no more than BLK_MAX_MAPPED_PAGES data pages (+1 indirect page) are ever
 * mapped; everything mapped is unmapped at the end.
 */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "disk/disk.h"
#include "devices/blkback.h"

#define GUEST_PAGES 8u
#define DISK_BYTES (1u << 20)

static uint8_t guest[GUEST_PAGES][BLK_PAGE_SIZE] __attribute__((aligned(4096)));
static unsigned long pages_live;
static struct blk_queue q;
static struct disk img;
static struct blk_disk disk;
static struct blk_req *late[1024];
static unsigned n_late;
static bool defer;

static void *map(void *opaque, const uint32_t *refs, unsigned n, int prot)
{
	uint8_t *p;

	for (unsigned i = 0; i < n; i++)
		if (refs[i] >= GUEST_PAGES)
			return NULL;
	p = aligned_alloc(BLK_PAGE_SIZE, (size_t)n * BLK_PAGE_SIZE);
	FUZZ_CHECK(p != NULL);
	for (unsigned i = 0; i < n; i++)
		memcpy(p + (size_t)i * BLK_PAGE_SIZE, guest[refs[i]], BLK_PAGE_SIZE);
	pages_live += n;
	FUZZ_CHECK(pages_live <= BLK_MAX_MAPPED_PAGES + 1);
	return p;
}

static void unmap(void *opaque, void *addr, unsigned n)
{
	FUZZ_CHECK(pages_live >= n);
	pages_live -= n;
	free(addr);
}

static void submit(void *opaque, struct blk_req *r)
{
	if (defer && n_late < sizeof(late) / sizeof(late[0])) {
		late[n_late++] = r;
		return;
	}
	blk_req_execute(&disk, r);
	blk_queue_complete(&q, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct blk_grant_ops gops = { map, unmap, NULL };
	uint8_t flags = size ? data[0] : 0;
	unsigned order = (flags >> 2) & 7, pages, n_slots;
	struct blkif_sring *sring;
	size_t off = 6, avail;
	unsigned want_slots = size > 5 ? data[5] : 0;
	RING_IDX prod = 0, answered;
	bool more;
	int rc;

	fuzz_quiet_log();
	if (!disk.img) {
		/* The raw implementation of disk/ over a file in memory. */
		int fd = memfd_create("fuzz-disk", MFD_CLOEXEC);
		char path[64];

		FUZZ_CHECK(fd >= 0 && ftruncate(fd, DISK_BYTES) == 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		FUZZ_CHECK(disk_open(&img, &(struct disk_params){ .file = path, .discard = true,
								.label = "vbd/fuzz" }) == 0);
		close(fd);
		disk.img = &img;
		disk.sectors = DISK_BYTES / BLK_SECTOR_SIZE;
	}
	disk.readonly = flags & 0x20;
	disk.discard = !disk.readonly;
	if (order > BLK_MAX_RING_PAGE_ORDER)
		order = BLK_MAX_RING_PAGE_ORDER;
	pages = 1u << order;
	if (size >= 5)
		memcpy(&prod, data + 1, 4);

	sring = aligned_alloc(BLK_PAGE_SIZE, (size_t)pages * BLK_PAGE_SIZE);
	FUZZ_CHECK(sring != NULL);
	memset(sring, 0, (size_t)pages * BLK_PAGE_SIZE);
	sring->req_event = sring->rsp_event = 1;
	defer = flags & 2;
	n_late = 0;
	FUZZ_CHECK(blk_queue_init(&q, sring, pages, &disk, &gops, flags & 1,
				  BLK_MAX_INDIRECT_SEGMENTS, submit, NULL, "vbd/fuzz") == 0);
	n_slots = 0;
	while (off < size && n_slots < q.nr_ents && n_slots < want_slots) {
		size_t n = size - off < sizeof(struct blkif_request) ? size - off
								     : sizeof(struct blkif_request);

		memcpy(&sring->ring[n_slots++].req, data + off, n);
		off += n;
	}
	memset(guest, 0, sizeof(guest));
	avail = size > off ? size - off : 0;
	memcpy(guest, data + off, avail < sizeof(guest) ? avail : sizeof(guest));
	sring->req_prod = flags & 0x40 ? prod : n_slots;

	/* As the device does: take while there is more, complete late ones. */
	for (unsigned round = 0; round < 64; round++) {
		rc = blk_queue_take(&q, &more);
		FUZZ_CHECK(rc == 0 || rc == -EPROTO);
		if (rc < 0)
			break;
		blk_queue_publish(&q);
		for (unsigned i = 0; i < n_late; i++) {
			blk_req_execute(&disk, late[i]);
			blk_queue_complete(&q, late[i]);
		}
		if (!more && !n_late)
			break;
		n_late = 0;
	}
	for (unsigned i = 0; i < n_late; i++)
		blk_queue_complete(&q, late[i]);
	n_late = 0;
	blk_queue_publish(&q);
	answered = sring->rsp_prod;
	FUZZ_CHECK(q.inflight == 0);
	FUZZ_CHECK(answered == q.req_cons);
	blk_queue_dispose(&q);
	FUZZ_CHECK(pages_live == 0);
	free(sring);
	return 0;
}
