/*
 * The PV block backend; see blkback.h.
 */
#include "devices/blkback.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"
#include "model/names.h"

_Static_assert(sizeof(struct blkif_request_indirect) <= sizeof(struct blkif_request),
	       "an indirect request fits a ring slot");
_Static_assert(sizeof(struct blkif_request_discard) <= sizeof(struct blkif_request),
	       "a discard request fits a ring slot");
_Static_assert(BLK_MAX_PERSISTENT_GRANTS + BLK_MAX_INDIRECT_SEGMENTS <= BLK_MAX_MAPPED_PAGES,
	       "the largest request fits when nothing else is in flight");

#define BAD_REQUESTS_LOGGED 8

/* ---- the ring ----------------------------------------------------------- */

unsigned blk_ring_entries(unsigned pages)
{
	size_t space = (size_t)pages * BLK_PAGE_SIZE - offsetof(struct blkif_sring, ring);
	size_t n = space / sizeof(union blkif_sring_entry);
	unsigned p = 1;

	while ((size_t)p * 2 <= n)
		p *= 2;
	return n ? p : 0;
}

/* ---- persistent grants ---------------------------------------------------- */

static int pgrants_init(struct blk_pgrants *pg)
{
	memset(pg, 0, sizeof(*pg));
	/* A power of two (the probes mask with cap - 1), at least twice the
	 * most entries, so that probing always ends at an empty slot. */
	pg->cap = 1;
	while (pg->cap < 2 * BLK_MAX_PERSISTENT_GRANTS)
		pg->cap *= 2;
	pg->keys = calloc(pg->cap, sizeof(*pg->keys));
	pg->pages = calloc(pg->cap, sizeof(*pg->pages));
	pg->regions = calloc(BLK_MAX_PERSISTENT_GRANTS, sizeof(*pg->regions));
	if (!pg->keys || !pg->pages || !pg->regions)
		return -ENOMEM;
	return 0;
}

static unsigned pg_hash(uint32_t gref, unsigned cap)
{
	return (gref * 2654435761u) & (cap - 1);
}

static void *pgrants_find(const struct blk_pgrants *pg, uint32_t gref)
{
	if (!pg->n)
		return NULL;
	for (unsigned i = pg_hash(gref, pg->cap), probes = 0; probes < pg->cap;
	     i = (i + 1) & (pg->cap - 1), probes++) {
		if (!pg->pages[i])
			return NULL;
		if (pg->keys[i] == gref)
			return pg->pages[i];
	}
	return NULL;
}

/* Never more than half full, so probing always ends at an empty slot. */
static void pgrants_insert(struct blk_pgrants *pg, uint32_t gref, void *page)
{
	unsigned i = pg_hash(gref, pg->cap);

	while (pg->pages[i]) {
		if (pg->keys[i] == gref)
			return;	/* mapped twice in one batch: counted in pg->n_pages, unmapped with the region */
		i = (i + 1) & (pg->cap - 1);
	}
	pg->keys[i] = gref;
	pg->pages[i] = page;
	pg->n++;
}

static void pgrants_dispose(struct blk_pgrants *pg, const struct blk_grant_ops *g)
{
	for (unsigned i = 0; pg->regions && i < pg->n_regions; i++)
		g->unmap(g->opaque, pg->regions[i].addr, pg->regions[i].n);
	free(pg->keys);
	free(pg->pages);
	free(pg->regions);
	memset(pg, 0, sizeof(*pg));
}

/* ---- the queue ---------------------------------------------------------- */

int blk_queue_init(struct blk_queue *q, void *sring, unsigned ring_pages,
		   const struct blk_disk *disk, const struct blk_grant_ops *gops,
		   bool persistent, unsigned max_indirect,
		   void (*submit)(void *opaque, struct blk_req *r), void *submit_opaque,
		   const char *label)
{
	memset(q, 0, sizeof(*q));
	q->sring = sring;
	q->nr_ents = blk_ring_entries(ring_pages);
	q->disk = disk;
	q->gops = *gops;
	q->persistent = persistent;
	q->max_segs = max_indirect > BLKIF_MAX_SEGMENTS_PER_REQUEST ? max_indirect
								     : BLKIF_MAX_SEGMENTS_PER_REQUEST;
	q->submit = submit;
	q->submit_opaque = submit_opaque;
	q->label = label;
	q->reqs = calloc(q->nr_ents, sizeof(*q->reqs));
	if (!q->reqs)
		goto nomem;
	for (unsigned i = 0; i < q->nr_ents; i++) {
		struct blk_req *r = &q->reqs[i];

		r->segs = calloc(q->max_segs, sizeof(*r->segs));
		r->iov = calloc(q->max_segs, sizeof(*r->iov));
		if (!r->segs || !r->iov)
			goto nomem;
		r->next = q->free_list;
		q->free_list = r;
	}
	if (persistent && pgrants_init(&q->pg) < 0)
		goto nomem;
	return 0;
nomem:
	blk_queue_dispose(q);
	return -ENOMEM;
}

void blk_queue_dispose(struct blk_queue *q)
{
	if (q->reqs) {
		for (unsigned i = 0; i < q->nr_ents; i++) {
			struct blk_req *r = &q->reqs[i];

			if (r->map)
				q->gops.unmap(q->gops.opaque, r->map, r->map_n);
			free(r->segs);
			free(r->iov);
		}
	}
	free(q->reqs);
	if (q->pg.keys || q->pg.regions)
		pgrants_dispose(&q->pg, &q->gops);
	memset(q, 0, sizeof(*q));
}

static void respond(struct blk_queue *q, uint64_t id, uint8_t operation, int16_t status)
{
	struct blkif_response rsp = { .id = id, .operation = operation, .status = status };
	union blkif_sring_entry *slot = &q->sring->ring[q->rsp_prod_pvt & (q->nr_ents - 1)];

	memcpy(&slot->rsp, &rsp, sizeof(rsp));
	q->rsp_prod_pvt++;
}

bool blk_queue_publish(struct blk_queue *q)
{
	return xen_ring_publish(&q->sring->rsp_prod, &q->sring->rsp_event, q->rsp_prod_pvt);
}

static void bad_request(struct blk_queue *q, const struct blkif_request *raw, const char *why)
{
	q->bad_requests++;
	if (q->bad_requests <= BAD_REQUESTS_LOGGED &&
	    xendev_log_budget_take(q->log_budget, q->label))
		log_warnx("%s: request id %llu (operation %u) refused: %s%s", q->label,
			  (unsigned long long)raw->id, raw->operation, why,
			  q->bad_requests == BAD_REQUESTS_LOGGED ? " (further refusals are counted, not logged)" : "");
}

int blk_request_parse(const struct blkif_request *raw, const struct blk_disk *disk,
		      unsigned max_segs, struct blk_req *r, const char **why_r)
{
	struct blkif_request_indirect ind;
	struct blkif_request_discard dis;

	r->id = raw->id;
	r->operation = raw->operation;
	r->nr_segs = 0;
	r->nr_sectors = 0;
	r->sector = 0;
	r->map = NULL;
	r->map_n = 0;
	switch (raw->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		r->op = raw->operation;
		r->sector = raw->sector_number;
		if (raw->nr_segments == 0 || raw->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST) {
			*why_r = "segment count out of range";
			return BLKIF_RSP_ERROR;
		}
		r->nr_segs = raw->nr_segments;
		for (unsigned i = 0; i < r->nr_segs; i++) {
			r->segs[i].gref = raw->seg[i].gref;
			r->segs[i].first_sect = raw->seg[i].first_sect;
			r->segs[i].last_sect = raw->seg[i].last_sect;
		}
		break;
	case BLKIF_OP_INDIRECT:
		memcpy(&ind, raw, sizeof(ind));
		if (ind.indirect_op != BLKIF_OP_READ && ind.indirect_op != BLKIF_OP_WRITE) {
			*why_r = "indirect operation is neither read nor write";
			return BLKIF_RSP_ERROR;
		}
		/* Answered as the operation it carries, as Linux's frontend expects. */
		r->operation = ind.indirect_op;
		if (max_segs <= BLKIF_MAX_SEGMENTS_PER_REQUEST) {
			*why_r = "indirect descriptors were not offered";
			return BLKIF_RSP_EOPNOTSUPP;
		}
		if (ind.nr_segments == 0 || ind.nr_segments > max_segs) {
			*why_r = "indirect segment count out of range";
			return BLKIF_RSP_ERROR;
		}
		r->op = ind.indirect_op;
		r->sector = ind.sector_number;
		r->nr_segs = ind.nr_segments;	/* fetched by the caller */
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		r->op = BLKIF_OP_FLUSH_DISKCACHE;
		break;
	case BLKIF_OP_DISCARD:
		memcpy(&dis, raw, sizeof(dis));
		if (!disk->discard) {
			*why_r = "discard is not offered on this disk";
			return BLKIF_RSP_EOPNOTSUPP;
		}
		if (disk->readonly) {
			*why_r = "discard on a read-only disk";
			return BLKIF_RSP_ERROR;
		}
		if (dis.sector_number > disk->sectors ||
		    dis.nr_sectors > disk->sectors - dis.sector_number) {
			*why_r = "discard range beyond the end of the disk";
			return BLKIF_RSP_ERROR;
		}
		r->op = BLKIF_OP_DISCARD;
		r->sector = dis.sector_number;
		r->nr_sectors = dis.nr_sectors;
		break;
	default:
		*why_r = "unknown operation";
		return BLKIF_RSP_EOPNOTSUPP;
	}
	if (r->op == BLKIF_OP_WRITE && disk->readonly) {
		*why_r = "write to a read-only disk";
		return BLKIF_RSP_ERROR;
	}
	return BLKIF_RSP_OKAY;
}

int blk_segments_check(const struct blk_disk *disk, struct blk_req *r, const char **why_r)
{
	uint64_t total = 0, end;

	if (r->nr_segs == 0) {
		*why_r = "no segments";
		return BLKIF_RSP_ERROR;
	}
	for (unsigned i = 0; i < r->nr_segs; i++) {
		const struct blk_seg *s = &r->segs[i];

		if (s->first_sect > s->last_sect || s->last_sect >= BLK_SECTORS_PER_PAGE) {
			*why_r = "bad first_sect/last_sect";
			return BLKIF_RSP_ERROR;
		}
		total += (uint64_t)(s->last_sect - s->first_sect + 1);
	}
	if (__builtin_add_overflow(r->sector, total, &end) || end > disk->sectors) {
		*why_r = "sectors beyond the end of the disk";
		return BLKIF_RSP_ERROR;
	}
	r->nr_sectors = total;
	return BLKIF_RSP_OKAY;
}

/* Copies an indirect request's segments out of its indirect pages. */
static int fetch_indirect(struct blk_queue *q, const struct blkif_request *raw,
			  struct blk_req *r, const char **why_r)
{
	struct blkif_request_indirect ind;
	struct blkif_request_segment seg;
	unsigned pages = (r->nr_segs + BLK_SEGS_PER_INDIRECT_PAGE - 1) / BLK_SEGS_PER_INDIRECT_PAGE;
	void *map = NULL;
	const uint8_t *page;

	memcpy(&ind, raw, sizeof(ind));
	if (pages > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST) {
		*why_r = "too many indirect pages";
		return BLKIF_RSP_ERROR;
	}
	for (unsigned p = 0; p < pages; p++) {
		unsigned n = r->nr_segs - p * BLK_SEGS_PER_INDIRECT_PAGE;

		if (n > BLK_SEGS_PER_INDIRECT_PAGE)
			n = BLK_SEGS_PER_INDIRECT_PAGE;
		page = q->persistent ? pgrants_find(&q->pg, ind.indirect_grefs[p]) : NULL;
		if (!page) {
			map = q->gops.map(q->gops.opaque, &ind.indirect_grefs[p], 1, PROT_READ);
			if (!map) {
				*why_r = "indirect page grant does not map";
				return BLKIF_RSP_ERROR;
			}
			page = map;
		}
		for (unsigned i = 0; i < n; i++) {
			struct blk_seg *s = &r->segs[p * BLK_SEGS_PER_INDIRECT_PAGE + i];

			memcpy(&seg, page + i * sizeof(seg), sizeof(seg));
			s->gref = seg.gref;
			s->first_sect = seg.first_sect;
			s->last_sect = seg.last_sect;
		}
		if (map)
			q->gops.unmap(q->gops.opaque, map, 1);
		map = NULL;
	}
	return BLKIF_RSP_OKAY;
}

/* Maps r's data pages (batched: one call for all grants not yet mapped) and
 * points r->iov at them. -EAGAIN: the pages would pass BLK_MAX_MAPPED_PAGES
 * with requests in flight; nothing was mapped. */
static int map_segments(struct blk_queue *q, struct blk_req *r, const char **why_r)
{
	uint32_t missing_refs[BLK_MAX_INDIRECT_SEGMENTS > BLKIF_MAX_SEGMENTS_PER_REQUEST
				      ? BLK_MAX_INDIRECT_SEGMENTS : BLKIF_MAX_SEGMENTS_PER_REQUEST];
	uint16_t missing_idx[sizeof(missing_refs) / sizeof(missing_refs[0])];
	unsigned n_missing = 0;
	uint8_t *base;
	int prot;

	if (r->nr_segs > sizeof(missing_refs) / sizeof(missing_refs[0])) {
		*why_r = "too many segments";
		return BLKIF_RSP_ERROR;
	}
	for (unsigned i = 0; i < r->nr_segs; i++) {
		uint8_t *page = q->persistent ? pgrants_find(&q->pg, r->segs[i].gref) : NULL;

		if (page) {
			r->iov[i].iov_base = page + r->segs[i].first_sect * BLK_SECTOR_SIZE;
		} else {
			missing_refs[n_missing] = r->segs[i].gref;
			missing_idx[n_missing++] = (uint16_t)i;
			r->iov[i].iov_base = NULL;
		}
		r->iov[i].iov_len = (size_t)(r->segs[i].last_sect - r->segs[i].first_sect + 1) *
				    BLK_SECTOR_SIZE;
	}
	if (!n_missing)
		return BLKIF_RSP_OKAY;
	if (q->pg.n_pages + q->transient_pages + n_missing > BLK_MAX_MAPPED_PAGES) {
		if (q->inflight)
			return -EAGAIN;
		/* Cannot happen (see the static assertion); refused if it does. */
		*why_r = "too many pages mapped";
		return BLKIF_RSP_ERROR;
	}
	/* Persistent grants are mapped writable whatever the operation (the
	 * protocol's note 8); otherwise a write only reads guest memory. */
	prot = q->persistent || r->op == BLKIF_OP_READ ? PROT_READ | PROT_WRITE : PROT_READ;
	base = q->gops.map(q->gops.opaque, missing_refs, n_missing, prot);
	if (!base) {
		*why_r = "grant does not map";
		return BLKIF_RSP_ERROR;
	}
	for (unsigned j = 0; j < n_missing; j++) {
		unsigned i = missing_idx[j];

		r->iov[i].iov_base = base + (size_t)j * BLK_PAGE_SIZE +
				     r->segs[i].first_sect * BLK_SECTOR_SIZE;
	}
	/* Pages count, not refs: a ref named twice is mapped twice. */
	if (q->persistent && q->pg.n_pages + n_missing <= BLK_MAX_PERSISTENT_GRANTS) {
		for (unsigned j = 0; j < n_missing; j++)
			pgrants_insert(&q->pg, missing_refs[j], base + (size_t)j * BLK_PAGE_SIZE);
		q->pg.regions[q->pg.n_regions].addr = base;
		q->pg.regions[q->pg.n_regions++].n = n_missing;
		q->pg.n_pages += n_missing;
	} else {
		r->map = base;
		r->map_n = n_missing;
		q->transient_pages += n_missing;
	}
	return BLKIF_RSP_OKAY;
}

/* One request, copied out of its slot: parse, fetch, check, map, submit.
 * false: it waits for pages (nothing of it was kept); take it again later. */
static bool take_one(struct blk_queue *q, const struct blkif_request *raw)
{
	struct blk_req *r = q->free_list;
	const char *why = NULL;
	int st;

	/* The caller keeps in-flight requests below nr_ents: never NULL. */
	q->free_list = r->next;
	r->next = NULL;
	st = blk_request_parse(raw, q->disk, q->max_segs, r, &why);
	if (st == BLKIF_RSP_OKAY && raw->operation == BLKIF_OP_INDIRECT)
		st = fetch_indirect(q, raw, r, &why);
	if (st == BLKIF_RSP_OKAY && (r->op == BLKIF_OP_READ || r->op == BLKIF_OP_WRITE)) {
		st = blk_segments_check(q->disk, r, &why);
		if (st == BLKIF_RSP_OKAY)
			st = map_segments(q, r, &why);
	}
	if (st == -EAGAIN) {
		r->next = q->free_list;
		q->free_list = r;
		return false;
	}
	if (st != BLKIF_RSP_OKAY) {
		bad_request(q, raw, why);
		/* r->operation is the ring's byte, or an indirect request's inner one. */
		respond(q, r->id, r->operation, (int16_t)st);
		r->next = q->free_list;
		q->free_list = r;
		return true;
	}
	r->status = BLKIF_RSP_OKAY;
	q->inflight++;
	q->submit(q->submit_opaque, r);
	return true;
}

int blk_queue_take(struct blk_queue *q, bool *more_r)
{
	unsigned budget = 4 * q->nr_ents;
	struct blkif_request raw;
	RING_IDX prod;
	int rc;

	*more_r = false;
	for (;;) {
		rc = xen_ring_take_prod(&q->sring->req_prod, q->req_cons, q->nr_ents, "request",
					&q->fault, &prod);
		if (rc < 0)
			return rc;
		q->req_prod = prod;
		while (q->req_cons != prod) {
			/* Every consumed request owes a response in its slot. */
			if ((RING_IDX)(q->req_cons - q->rsp_prod_pvt) >= q->nr_ents)
				return 0;	/* completions will call us again */
			if (budget == 0) {
				*more_r = true;
				return 0;
			}
			budget--;
			xen_ring_copy_slot(&raw, &q->sring->ring[q->req_cons & (q->nr_ents - 1)],
					   sizeof(raw));
			/* Waiting for pages: the slot is read afresh then. */
			if (!take_one(q, &raw))
				return 0;	/* completions will call us again */
			q->req_cons++;
		}
		if (!xen_ring_final_check(&q->sring->req_event, &q->sring->req_prod, q->req_cons))
			return 0;
	}
}

void blk_queue_complete(struct blk_queue *q, struct blk_req *r)
{
	if (r->map)
		q->gops.unmap(q->gops.opaque, r->map, r->map_n);
	q->transient_pages -= r->map_n;
	r->map = NULL;
	r->map_n = 0;
	if (r->status == BLKIF_RSP_OKAY)
		q->ok_requests++;
	respond(q, r->id, r->operation, r->status);
	q->inflight--;
	r->next = q->free_list;
	q->free_list = r;
}

/* ---- I/O ------------------------------------------------------------------ */

void blk_req_execute(const struct blk_disk *disk, struct blk_req *r)
{
	uint64_t off = r->sector * BLK_SECTOR_SIZE;
	int rc = 0;

	switch (r->op) {
	case BLKIF_OP_READ:
		rc = disk_preadv(disk->img, r->iov, r->nr_segs, off);
		break;
	case BLKIF_OP_WRITE:
		rc = disk_pwritev(disk->img, r->iov, r->nr_segs, off);
		break;
	case BLKIF_OP_FLUSH_DISKCACHE:
		rc = disk_flush(disk->img);
		break;
	case BLKIF_OP_DISCARD:
		if (!r->nr_sectors)
			break;
		rc = disk_discard(disk->img, off, r->nr_sectors * BLK_SECTOR_SIZE);
		if (rc == -EOPNOTSUPP) {
			r->status = BLKIF_RSP_EOPNOTSUPP;
			return;
		}
		break;
	default:
		rc = -EINVAL;
	}
	r->status = rc ? BLKIF_RSP_ERROR : BLKIF_RSP_OKAY;
}

/* ---- worker threads --------------------------------------------------------- */

static void *worker_main(void *opaque)
{
	struct blk_workers *w = opaque;
	uint64_t one = 1;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct blk_req *r;

		while (!w->jobs_head && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		/* Stopping: queued jobs are not started; blk_workers_stop() hands them back. */
		if (w->stopping)
			break;
		r = w->jobs_head;
		w->jobs_head = r->next;
		if (!w->jobs_head)
			w->jobs_tail = NULL;
		w->busy++;
		pthread_mutex_unlock(&w->lock);

		w->execute(w->disk, r);

		pthread_mutex_lock(&w->lock);
		w->busy--;
		r->next = w->done;
		w->done = r;
		/* The eventfd wakes the loop; a failed write means it is already readable. */
		if (write(w->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warn("%s: eventfd", w->label);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int blk_workers_init(struct blk_workers *w, const struct blk_disk *disk, int notify_fd,
		     const char *label)
{
	memset(w, 0, sizeof(*w));
	w->disk = disk;
	w->notify_fd = notify_fd;
	w->label = label;
	w->execute = blk_req_execute;
	if (pthread_mutex_init(&w->lock, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&w->cond, NULL)) {
		pthread_mutex_destroy(&w->lock);
		return -ENOMEM;
	}
	w->inited = true;
	return 0;
}

void blk_workers_dispose(struct blk_workers *w)
{
	if (!w->inited)
		return;
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	w->inited = false;
}

int blk_workers_start(struct blk_workers *w)
{
	int r;

	w->stopping = false;
	for (unsigned i = 0; i < BLK_WORKERS; i++) {
		r = pthread_create(&w->threads[i], NULL, worker_main, w);
		if (r) {
			log_warnx("%s: pthread_create: %s", w->label, strerror(r));
			return -r;
		}
		w->n_threads++;
	}
	return 0;
}

void blk_workers_submit(void *opaque, struct blk_req *r)
{
	struct blk_workers *w = opaque;

	pthread_mutex_lock(&w->lock);
	r->next = NULL;
	if (w->jobs_tail)
		w->jobs_tail->next = r;
	else
		w->jobs_head = r;
	w->jobs_tail = r;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

bool blk_workers_idle(struct blk_workers *w)
{
	bool idle;

	pthread_mutex_lock(&w->lock);
	idle = !w->jobs_head && w->busy == 0;
	pthread_mutex_unlock(&w->lock);
	return idle;
}

bool blk_submit_inline(const struct blk_queue *q, struct blk_workers *w, const struct blk_req *r)
{
	return (r->op == BLKIF_OP_READ || r->op == BLKIF_OP_WRITE) &&
	       r->nr_sectors <= BLK_INLINE_MAX_SECTORS && blk_queue_submitting_last(q) &&
	       blk_workers_idle(w);
}

struct blk_req *blk_workers_reap(struct blk_workers *w)
{
	struct blk_req *done;

	pthread_mutex_lock(&w->lock);
	done = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->lock);
	return done;
}

struct blk_req *blk_workers_stop(struct blk_workers *w)
{
	struct blk_req *queued;

	if (!w->inited)
		return NULL;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (unsigned i = 0; i < w->n_threads; i++)
		pthread_join(w->threads[i], NULL);
	w->n_threads = 0;
	w->stopping = false;
	queued = w->jobs_head;
	w->jobs_head = w->jobs_tail = NULL;
	return queued;
}

/* ---- the device ---------------------------------------------------------- */

struct blkback {
	struct xendev *dev;
	const struct drive_config *conf;
	struct disk img;
	struct blk_disk disk;
	void *ring;
	unsigned ring_pages;
	struct blk_queue q;
	bool q_ready;
	struct blk_workers w;		/* completions through efd */
	int efd;
	struct event_source efd_src;
	bool efd_added;
};

static void *grant_map(void *opaque, const uint32_t *refs, unsigned n, int prot)
{
	return xendev_map_grants(opaque, refs, n, prot);
}

static void grant_unmap(void *opaque, void *addr, unsigned n)
{
	xendev_unmap_grants(opaque, addr, n);
}

/* Takes requests, publishes responses, kicks the frontend when it asks. */
static void blkback_run(struct blkback *b)
{
	bool more = false;
	uint64_t one = 1;

	if (!b->q_ready)
		return;
	if (blk_queue_take(&b->q, &more) < 0) {
		if (blk_queue_publish(&b->q))
			xendev_notify(b->dev);
		xendev_fail(b->dev, "%s", b->q.fault.why);
		return;
	}
	if (blk_queue_publish(&b->q))
		xendev_notify(b->dev);
	if (more && write(b->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("%s: eventfd", b->dev->label);
}

/* The queue's submit(): blk_submit_inline() says where r is done. */
static void blkback_submit(void *opaque, struct blk_req *r)
{
	struct blkback *b = opaque;

	if (blk_submit_inline(&b->q, &b->w, r)) {
		blk_req_execute(&b->disk, r);
		blk_queue_complete(&b->q, r);
		return;
	}
	blk_workers_submit(&b->w, r);
}

static void reap_done(struct blkback *b)
{
	struct blk_req *done = blk_workers_reap(&b->w);

	while (done) {
		struct blk_req *next = done->next;

		blk_queue_complete(&b->q, done);
		done = next;
	}
}

static void on_completion(struct event_source *src, uint32_t events)
{
	struct blkback *b = src->opaque;
	uint64_t v;

	if (read(b->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("%s: eventfd", b->dev->label);
	if (!b->q_ready)
		return;
	reap_done(b);
	blkback_run(b);	/* publishes, and takes what waited for free slots */
}

static void blkback_event(struct xendev *dev)
{
	blkback_run(dev->priv);
}

static int blkback_discover(struct xenbus_backend *xb, const struct launch_config *cfg)
{
	int rc;

	for (unsigned i = 0; i < cfg->n_disks; i++) {
		/* xvd<letter>: major 202, minor 16 * index (docs/misc/vbd-interface.txt). */
		rc = xenbus_backend_add(xb, &blkback_ops, (202u << 8) | (cfg->disks[i].index << 4),
					&cfg->disks[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int open_disk(struct blkback *b)
{
	static const enum disk_cache caches[] = {
		[DRIVE_CACHE_WRITEBACK] = DISK_CACHE_WRITEBACK,
		[DRIVE_CACHE_NONE] = DISK_CACHE_NONE,
		[DRIVE_CACHE_DIRECTSYNC] = DISK_CACHE_DIRECTSYNC,
	};
	const struct drive_config *c = b->conf;
	struct disk_params p = {
		.file = c->file,
		.format = c->format,
		.readonly = c->readonly,
		.cache = caches[c->cache],
		.discard = c->discard && c->media == DRIVE_MEDIA_DISK,
		.label = b->dev->label,
	};
	int rc;

	rc = disk_open(&b->img, &p);
	if (rc < 0)
		return rc;
	b->disk.img = &b->img;
	b->disk.sectors = b->img.size / BLK_SECTOR_SIZE;
	b->disk.readonly = c->readonly;
	b->disk.discard = b->img.discard;
	if (b->img.size % BLK_SECTOR_SIZE)
		log_warnx("%s: %s: size is not a multiple of %u; the last %llu bytes are not served",
			  b->dev->label, c->file, BLK_SECTOR_SIZE,
			  (unsigned long long)(b->img.size % BLK_SECTOR_SIZE));
	return 0;
}

static int blkback_open(struct xendev *dev)
{
	struct blkback *b = dev->priv;
	const struct drive_config *c = dev->conf;
	bool cdrom = c->media == DRIVE_MEDIA_CDROM;
	char name[XVD_NAME_SIZE];
	int rc;

	b->dev = dev;
	b->conf = c;
	b->efd = -1;
	rc = open_disk(b);
	if (rc < 0)
		return rc;
	b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->efd < 0) {
		rc = -errno;
		log_warn("%s: eventfd", dev->label);
		return rc;
	}
	rc = blk_workers_init(&b->w, &b->disk, b->efd, dev->label);
	if (rc < 0)
		return rc;
	xvd_name(c->index, name);
	log_info("%s: %s (%s %s%s, %llu sectors, cache=%s) as %s", dev->label, c->file,
		 c->format ? c->format : "raw", cdrom ? "cdrom" : "disk", c->readonly ? ", read-only" : "",
		 (unsigned long long)b->disk.sectors,
		 c->cache == DRIVE_CACHE_NONE ? "none" :
		 c->cache == DRIVE_CACHE_DIRECTSYNC ? "directsync" : "writeback", name);
	return 0;
}

static int blkback_init(struct xendev *dev)
{
	struct blkback *b = dev->priv;
	const struct drive_config *c = dev->conf;
	bool cdrom = c->media == DRIVE_MEDIA_CDROM;
	unsigned info = (c->readonly ? VDISK_READONLY : 0) | (cdrom ? VDISK_CDROM | VDISK_REMOVABLE : 0);
	char name[XVD_NAME_SIZE];
	int rc;

	xvd_name(c->index, name);
	if ((rc = xendev_fe_printf(dev, "virtual-device", "%u", dev->devid)) ||
	    (rc = xendev_fe_printf(dev, "device-type", "%s", cdrom ? "cdrom" : "disk")) ||
	    (rc = xendev_be_printf(dev, "params", "%s", c->file)) ||
	    (rc = xendev_be_printf(dev, "type", "%s", b->img.blockdev ? "phy" : "file")) ||
	    (rc = xendev_be_printf(dev, "mode", "%s", c->readonly ? "r" : "w")) ||
	    (rc = xendev_be_printf(dev, "removable", "%d", cdrom ? 1 : 0)) ||
	    (rc = xendev_be_printf(dev, "device-type", "%s", cdrom ? "cdrom" : "disk")) ||
	    (rc = xendev_be_printf(dev, "dev", "%s", name)) ||
	    (rc = xendev_be_printf(dev, "sectors", "%llu", (unsigned long long)b->disk.sectors)) ||
	    (rc = xendev_be_printf(dev, "sector-size", "%u", BLK_SECTOR_SIZE)) ||
	    (rc = xendev_be_printf(dev, "physical-sector-size", "%u", b->img.physical_sector_size)) ||
	    (rc = xendev_be_printf(dev, "info", "%u", info)) ||
	    (rc = xendev_be_printf(dev, "feature-flush-cache", "1")) ||
	    (rc = xendev_be_printf(dev, "feature-barrier", "0")) ||
	    (rc = xendev_be_printf(dev, "feature-persistent", "1")) ||
	    (rc = xendev_be_printf(dev, "max-ring-page-order", "%u", BLK_MAX_RING_PAGE_ORDER)) ||
	    (rc = xendev_be_printf(dev, "max-ring-pages", "%u", BLK_MAX_RING_PAGES)) ||
	    (rc = xendev_be_printf(dev, "feature-max-indirect-segments", "%u",
				   BLK_MAX_INDIRECT_SEGMENTS)) ||
	    (rc = xendev_be_printf(dev, "feature-discard", "%d", b->disk.discard ? 1 : 0)))
		return rc;
	if (b->disk.discard &&
	    ((rc = xendev_be_printf(dev, "discard-granularity", "%u", BLK_PAGE_SIZE)) ||
	     (rc = xendev_be_printf(dev, "discard-alignment", "0")) ||
	     (rc = xendev_be_printf(dev, "discard-secure", "0"))))
		return rc;
	return 0;
}

static void blkback_release(struct xendev *dev)
{
	struct blkback *b = dev->priv;

	disk_close(&b->img);
	if (b->efd >= 0)
		close(b->efd);
	b->efd = -1;
	blk_workers_dispose(&b->w);
}

static void blkback_disconnect(struct xendev *dev)
{
	struct blkback *b = dev->priv;
	struct blk_req *queued;

	if (b->efd_added)
		event_loop_del(xendev_loop(dev), &b->efd_src);
	b->efd_added = false;
	/* Workers finish the job each holds before any grant is unmapped;
	 * requests that were never started are answered as errors. */
	queued = blk_workers_stop(&b->w);
	if (b->q_ready) {
		reap_done(b);
		while (queued) {
			struct blk_req *r = queued;

			queued = r->next;
			r->status = BLKIF_RSP_ERROR;
			blk_queue_complete(&b->q, r);
		}
		blk_queue_publish(&b->q);
		xendev_notify(dev);
		xendev_log(dev, "disconnected after %lu requests (%lu refused)",
			   b->q.ok_requests, b->q.bad_requests);
		blk_queue_dispose(&b->q);
	}
	b->q_ready = false;
	if (b->ring)
		xendev_unmap_grants(dev, b->ring, b->ring_pages);
	b->ring = NULL;
}

static int blkback_connect(struct xendev *dev)
{
	struct blkback *b = dev->priv;
	struct blk_grant_ops gops = { grant_map, grant_unmap, dev };
	uint32_t order = 0, pages = 1, port, refs[BLK_MAX_RING_PAGES], persistent = 0, nq;
	char node[32], *proto, esc[XENDEV_ESCAPED_MAX];
	int rc;

	proto = xendev_fe_read(dev, "protocol");
	if (proto && strcmp(proto, XEN_IO_PROTO_ABI_NATIVE)) {
		xendev_fail(dev, "frontend protocol '%s' is not supported (only %s)",
			    xendev_escape(proto, esc), XEN_IO_PROTO_ABI_NATIVE);
		free(proto);
		return -EPROTO;
	}
	free(proto);
	if (xendev_fe_read_u32(dev, "multi-queue-num-queues", &nq) == 0 && nq != 1) {
		xendev_fail(dev, "frontend asks for %u queues; one is offered", nq);
		return -EPROTO;
	}
	rc = xendev_fe_read_u32(dev, "ring-page-order", &order);
	if (rc == -ENOENT) {
		order = 0;
		if (xendev_fe_read_u32(dev, "num-ring-pages", &pages) == 0) {
			if (pages == 0 || pages > BLK_MAX_RING_PAGES || (pages & (pages - 1))) {
				xendev_fail(dev, "num-ring-pages %u is not a power of two up to %u",
					    pages, BLK_MAX_RING_PAGES);
				return -EPROTO;
			}
		} else {
			pages = 1;
		}
	} else if (rc < 0 || order > BLK_MAX_RING_PAGE_ORDER) {
		xendev_fail(dev, "ring-page-order is not a number up to %u", BLK_MAX_RING_PAGE_ORDER);
		return -EPROTO;
	} else {
		pages = 1u << order;
	}
	if (pages == 1 && xendev_fe_read_u32(dev, "ring-ref", &refs[0]) == 0) {
		/* the single-page spelling */
	} else {
		for (unsigned i = 0; i < pages; i++) {
			snprintf(node, sizeof(node), "ring-ref%u", i);
			if (xendev_fe_read_u32(dev, node, &refs[i]) < 0) {
				xendev_fail(dev, "frontend's %s is missing or malformed", node);
				return -EPROTO;
			}
		}
	}
	if (xendev_fe_read_u32(dev, "event-channel", &port) < 0) {
		xendev_fail(dev, "frontend's event-channel is missing or malformed");
		return -EPROTO;
	}
	if (xendev_fe_read_u32(dev, "feature-persistent", &persistent) < 0)
		persistent = 0;

	b->ring = xendev_map_grants(dev, refs, pages, PROT_READ | PROT_WRITE);
	if (!b->ring) {
		xendev_fail(dev, "ring grants do not map");
		return -EPROTO;
	}
	b->ring_pages = pages;
	rc = blk_queue_init(&b->q, b->ring, pages, &b->disk, &gops, persistent == 1,
			    BLK_MAX_INDIRECT_SEGMENTS, blkback_submit, b, dev->label);
	if (rc < 0) {
		xendev_fail(dev, "out of memory for the queue");
		return rc;
	}
	b->q_ready = true;
	b->q.log_budget = &dev->log_budget;
	rc = blk_workers_start(&b->w);
	if (rc < 0) {
		xendev_fail(dev, "no worker threads");
		return rc;
	}
	event_source_init(&b->efd_src, b->efd, on_completion, b);
	rc = event_loop_add(xendev_loop(dev), &b->efd_src, EPOLLIN);
	if (rc < 0) {
		xendev_fail(dev, "event loop: %s", strerror(-rc));
		return rc;
	}
	b->efd_added = true;
	rc = xendev_bind_evtchn(dev, port);
	if (rc < 0) {
		xendev_fail(dev, "event channel %u does not bind: %s", port, strerror(-rc));
		return rc;
	}
	xendev_log(dev, "ring of %u page%s (%u requests), %spersistent grants, event channel %u",
		   pages, pages == 1 ? "" : "s", b->q.nr_ents, b->q.persistent ? "" : "no ", port);
	blkback_run(b);	/* requests may already wait */
	return 0;
}

const struct backend_ops blkback_ops = {
	.type = "vbd",
	.priv_size = sizeof(struct blkback),
	.discover = blkback_discover,
	.open = blkback_open,
	.init = blkback_init,
	.connect = blkback_connect,
	.event = blkback_event,
	.disconnect = blkback_disconnect,
	.release = blkback_release,
};
