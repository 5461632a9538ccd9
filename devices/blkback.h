/*
 * The PV block backend (blkif, xen/include/public/io/blkif.h), served in
 * userspace by the launcher on the images of disk/ (raw files, block
 * devices, and qcow2 and QEMU's other formats through qemu-nbd).
 *
 * Two layers:
 *   - the request path (struct blk_queue): the shared ring, the copy-out and
 *     validation of every request, grant mapping through struct
 *     blk_grant_ops, responses. It knows no Xen library, so unit tests drive
 *     it with rings and "grants" in plain memory (tests/unit/test_blkback.c);
 *   - the device (blkback_ops, a struct backend_ops of xenbus_backend.h):
 *     xenstore nodes, ring and event channel, and a small pool of worker
 *     threads doing the image's read/write/flush/discard (disk.h) straight
 *     on the mapped grant pages, so that the event loop never waits for the
 *     disk.
 *
 * Everything in a request is untrusted: the producer index is read once and
 * checked against the ring size, each request is copied out of shared memory
 * before it is looked at, every segment and sector range is checked, grants
 * that do not map fail their request only. A frontend that breaks the ring
 * protocol itself (impossible producer index) breaks its device, with one
 * log line. Bad requests are answered BLKIF_RSP_ERROR (unknown operations
 * BLKIF_RSP_EOPNOTSUPP) and logged a few times per device, then counted.
 */
#ifndef DEVICES_BLKBACK_H
#define DEVICES_BLKBACK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include <xenctrl.h>	/* first: it sets up the Xen public headers for tools */
#include <xen/io/blkif.h>
#include <xen/io/protocols.h>

#include "disk/disk.h"
#include "xenbus/ring.h"
#include "xenbus/xenbus_backend.h"

extern const struct backend_ops blkback_ops;

#define BLK_SECTOR_SIZE 512u
#define BLK_PAGE_SIZE 4096u
#define BLK_SECTORS_PER_PAGE (BLK_PAGE_SIZE / BLK_SECTOR_SIZE)
#define BLK_MAX_RING_PAGE_ORDER 4u		/* 16 pages: advertised */
#define BLK_MAX_RING_PAGES (1u << BLK_MAX_RING_PAGE_ORDER)
#define BLK_MAX_INDIRECT_SEGMENTS 256u		/* advertised; Linux blkback's too */
#define BLK_SEGS_PER_INDIRECT_PAGE (BLK_PAGE_SIZE / sizeof(struct blkif_request_segment))
/*
 * What a frontend can make us map, in pages, whatever refs it names (a ref
 * named twice is mapped twice): at most BLK_MAX_PERSISTENT_GRANTS kept
 * mapped as persistent grants (Linux blkback's max_persistent_grants
 * default, 1056 = 4.1 MiB; QEMU's xen-block keeps none) and at most
 * BLK_MAX_MAPPED_PAGES in all, persistent and in flight (16 MiB). A request
 * that would pass the total waits in the ring until requests in flight
 * complete; one past the persistent limit is mapped for its own I/O only.
 * Besides these: the ring (16 pages at most) and one indirect page at a
 * time while its segments are copied out.
 */
#define BLK_MAX_PERSISTENT_GRANTS 1056u
#define BLK_MAX_MAPPED_PAGES 4096u

/* The backing store, as the request path sees it. */
struct blk_disk {
	struct disk *img;	/* disk/disk.h: raw file, block device or NBD */
	uint64_t sectors;	/* in BLK_SECTOR_SIZE units */
	bool readonly;
	bool discard;		/* BLKIF_OP_DISCARD allowed */
};

/* How the request path maps the frontend's grants (libxengnttab, or a fake). */
struct blk_grant_ops {
	/* n refs, mapped contiguously; NULL when any of them does not map. */
	void *(*map)(void *opaque, const uint32_t *refs, unsigned n, int prot);
	void (*unmap)(void *opaque, void *addr, unsigned n);
	void *opaque;
};

struct blk_seg {
	uint32_t gref;
	uint8_t first_sect, last_sect;
};

struct blk_req {
	uint64_t id;			/* echoed */
	uint8_t operation;		/* echoed: the ring's operation byte; for an
					 * indirect request its indirect_op, as
					 * Linux's blkfront checks */
	uint8_t op;			/* what to do: BLKIF_OP_READ/WRITE/FLUSH_DISKCACHE/DISCARD */
	int16_t status;			/* BLKIF_RSP_* */
	uint64_t sector;
	uint64_t nr_sectors;		/* total of the segments, or the discard's length */
	unsigned nr_segs;
	struct blk_seg *segs;		/* room for the queue's maximum */
	struct iovec *iov;		/* one per segment, into mapped grants */
	void *map;			/* transient mapping, unmapped at completion */
	unsigned map_n;
	struct blk_req *next;		/* free list, job queue or completion list */
};

/* Persistent grants: gref -> mapped page, open addressing, never shrinks. */
struct blk_pgrants {
	uint32_t *keys;
	void **pages;			/* NULL: empty slot */
	unsigned cap;			/* a power of two, >= 2 * BLK_MAX_PERSISTENT_GRANTS */
	unsigned n;			/* refs found here */
	unsigned n_pages;		/* pages the regions map: n or more */
	struct { void *addr; unsigned n; } *regions;	/* what to unmap at the end */
	unsigned n_regions;
};

struct blk_queue {
	struct blkif_sring *sring;	/* shared with the frontend: untrusted */
	unsigned nr_ents;		/* power of two */
	RING_IDX req_cons;		/* ours, never read back from the ring */
	RING_IDX req_prod;		/* the producer index last taken (checked) */
	RING_IDX rsp_prod_pvt;
	struct xen_ring_fault fault;	/* why the frontend broke the ring */
	const struct blk_disk *disk;
	struct blk_grant_ops gops;
	bool persistent;		/* both ends said feature-persistent */
	unsigned max_segs;		/* per request, indirect included */
	struct blk_req *reqs;		/* nr_ents */
	struct blk_req *free_list;
	unsigned inflight;		/* submitted, not yet completed */
	unsigned transient_pages;	/* mapped by requests in flight */
	struct blk_pgrants pg;
	void (*submit)(void *opaque, struct blk_req *r);
	void *submit_opaque;
	const char *label;
	struct xendev_log_budget *log_budget;	/* the device's; NULL: none */
	unsigned long bad_requests;	/* logged for the first few only */
	unsigned long ok_requests;
};

/* Ring entries of a ring of `pages` pages (a power of two), as ring.h's
 * __CONST_RING_SIZE computes them. */
unsigned blk_ring_entries(unsigned pages);

/*
 * Sets up q over a mapped, frontend-initialised ring. max_indirect: 0, or
 * the indirect segment limit that was advertised. submit() gets each valid,
 * mapped request; it must call blk_queue_complete() later (or at once).
 * 0 or -ENOMEM.
 */
int blk_queue_init(struct blk_queue *q, void *sring, unsigned ring_pages,
		   const struct blk_disk *disk, const struct blk_grant_ops *gops,
		   bool persistent, unsigned max_indirect,
		   void (*submit)(void *opaque, struct blk_req *r), void *submit_opaque,
		   const char *label);
/* Unmaps the persistent grants and frees; no request may be in flight. */
void blk_queue_dispose(struct blk_queue *q);

/*
 * Takes the requests the frontend produced (bounded by the ring size):
 * invalid ones are answered at once, valid ones are mapped and submitted.
 * Returns 0, or -EPROTO when the producer index is impossible (q->fault
 * says why; the caller fails the device). *more_r: the call stopped at its
 * bound with requests left; call it again.
 */
int blk_queue_take(struct blk_queue *q, bool *more_r);

/* Unmaps a request's transient grants and queues its response. */
void blk_queue_complete(struct blk_queue *q, struct blk_req *r);

/* Publishes queued responses; true when the frontend wants an event. */
bool blk_queue_publish(struct blk_queue *q);

/* For submit(): true when the request being submitted is the last one the
 * frontend has produced so far (no other waits behind it on the ring). */
static inline bool blk_queue_submitting_last(const struct blk_queue *q)
{
	return q->req_prod - q->req_cons == 1;
}

/*
 * Checks one request, already copied out of the ring, and fills r (segments
 * of an indirect request are fetched by the caller). Returns BLKIF_RSP_OKAY,
 * or BLKIF_RSP_ERROR / BLKIF_RSP_EOPNOTSUPP with a static reason in *why_r.
 */
int blk_request_parse(const struct blkif_request *raw, const struct blk_disk *disk,
		      unsigned max_segs, struct blk_req *r, const char **why_r);
/* Checks r's segments (count, first/last_sect, sector range). Same returns. */
int blk_segments_check(const struct blk_disk *disk, struct blk_req *r, const char **why_r);

/* Does r's I/O on disk (blocking; worker threads). Sets r->status. */
void blk_req_execute(const struct blk_disk *disk, struct blk_req *r);

/*
 * Worker threads doing requests' I/O off the event loop: jobs in, done
 * requests out, each completion signalled on notify_fd (an eventfd).
 */
#define BLK_WORKERS 4

struct blk_workers {
	const struct blk_disk *disk;
	int notify_fd;
	const char *label;
	/* blk_req_execute(); unit tests put a slow disk here. */
	void (*execute)(const struct blk_disk *disk, struct blk_req *r);
	pthread_t threads[BLK_WORKERS];
	unsigned n_threads;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool inited;
	struct blk_req *jobs_head, *jobs_tail;	/* queued, not started */
	unsigned busy;			/* jobs being executed */
	struct blk_req *done;
	bool stopping;
};

/* 0 or -ENOMEM. */
int blk_workers_init(struct blk_workers *w, const struct blk_disk *disk, int notify_fd,
		     const char *label);
void blk_workers_dispose(struct blk_workers *w);
/* Starts BLK_WORKERS threads. 0 or -errno (stop the ones started). */
int blk_workers_start(struct blk_workers *w);
/* Queues r (the blk_queue's submit(), opaque = w). */
void blk_workers_submit(void *opaque, struct blk_req *r);
/* True when no job is queued or being executed. */
bool blk_workers_idle(struct blk_workers *w);

/*
 * Whether r, being submitted from q, is done at once on the caller's thread
 * rather than handed to w: a read or write of at most BLK_INLINE_MAX_SECTORS
 * that is the last request on the ring, while no worker is busy. That is
 * queue depth 1, where the guest waits for this request alone and the
 * hand-off to a thread and the eventfd back cost more than the I/O of a
 * cached or tmpfs image. Several requests at once, large ones, flushes
 * and discards go to the workers, so the event loop never waits for more
 * than one small request.
 */
#define BLK_INLINE_MAX_SECTORS (65536u / BLK_SECTOR_SIZE)
bool blk_submit_inline(const struct blk_queue *q, struct blk_workers *w, const struct blk_req *r);
/* The requests done since the last call, as a list through ->next. */
struct blk_req *blk_workers_reap(struct blk_workers *w);
/*
 * Stops the threads after the job each holds: the wait is for at most
 * BLK_WORKERS requests, never for the queue. Returns the queued requests
 * that were never started (a list through ->next), for the caller to
 * answer; those done are left for blk_workers_reap().
 */
struct blk_req *blk_workers_stop(struct blk_workers *w);

#endif
