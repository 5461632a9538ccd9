/*
 * hostile: a hostile PV frontend, run inside a test guest by
 * tests/e2e/xenlaunch-hostile.sh. It takes the place of the guest's own
 * frontend driver for one device (the scenario unbinds the driver first)
 * through the guest's xenstore directory (/dev/xen/xenbus, the xenstore
 * wire protocol), grants it allocates (/dev/xen/gntalloc), an event channel
 * (/dev/xen/evtchn) and, for the framebuffer, pages named by machine frame
 * (found with /dev/xen/privcmd), and feeds the backend what a broken or malicious
 * guest could:
 *
 *   hostile blk-prod DEVID          impossible request producer indices
 *   hostile blk-grants DEVID        repeated, read-only and never-granted refs
 *   hostile blk-sectors DEVID       sectors past the end, sector overflow
 *   hostile blk-indirect DEVID      indirect segment counts past the limit
 *   hostile blk-pin DEVID REQS HOLD REFS   REQS indirect reads of 256
 *                                   segments naming the same REFS fresh
 *                                   grants over and over; holds the device
 *                                   HOLD seconds (the persistent-grant pin)
 *   hostile net-tx DEVID            tx packets with wild slots and sizes,
 *                                   then one that never ends
 *   hostile vfb-geometry DEVID      framebuffer geometry that overflows,
 *                                   bad page directories, resize events
 *   hostile cycle TYPE DEVID SECS   Initialising, Connected, Closing, Closed
 *                                   as fast as xenstore allows
 *
 * Each attack ends by giving the device back (Closing, Initialising), waits for
 * the backend to offer it again, and prints "hostile-done: NAME rc=N".
 * Lines "hostile: UNEXPECTED: ..." say that the backend accepted what it
 * must refuse, or stopped serving what it must serve; the exit status is
 * then 1 (2: the attack could not be set up; 3: this guest cannot make it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xen/xen.h>
#include <xen/io/blkif.h>
#include <xen/io/fbif.h>
#include <xen/io/netif.h>
#include <xen/io/xs_wire.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntalloc.h>
#include <xen/sys/privcmd.h>

#define PAGE 4096u
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum {
	ST_INITIALISING = 1, ST_INITWAIT, ST_INITIALISED, ST_CONNECTED, ST_CLOSING, ST_CLOSED,
};

static const char *attack = "hostile";
static int unexpected;

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("hostile: %s: ", attack);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* The backend did what it must not: noted, and the exit status says so. */
static void bad(const char *fmt, ...)
{
	va_list ap;

	printf("hostile: UNEXPECTED: %s: ", attack);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	unexpected++;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	printf("hostile: %s: cannot set up: ", attack);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", strerror(e));
	printf("hostile-done: %s rc=2\n", attack);
	fflush(stdout);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void msleep(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- xenstore over /dev/xen/xenbus ---------------------------------------- */

static int xs_fd = -1;
static uint32_t xs_req_id;

static void read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t r = read(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("read /dev/xen/xenbus");
		p += r;
		len -= (size_t)r;
	}
}

/* Sends one request (payload: a, then b) without waiting for its reply. */
static void xs_send(uint32_t type, const char *a, size_t alen, const char *b, size_t blen)
{
	struct xsd_sockmsg h = { .type = type, .req_id = ++xs_req_id, .tx_id = 0 };
	char *msg;

	h.len = (uint32_t)(alen + blen);
	if (h.len > XENSTORE_PAYLOAD_MAX)
		die("xenstore request of %u bytes", h.len);
	msg = malloc(sizeof(h) + h.len);
	if (!msg)
		die("malloc");
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), a, alen);
	if (blen)
		memcpy(msg + sizeof(h) + alen, b, blen);
	if (write(xs_fd, msg, sizeof(h) + h.len) != (ssize_t)(sizeof(h) + h.len))
		die("write /dev/xen/xenbus");
	free(msg);
}

/*
 * The next reply: its payload NUL-terminated (free it), or NULL with errno
 * set from an XS_ERROR reply.
 */
static char *xs_recv(void)
{
	struct xsd_sockmsg h;
	char *reply;

	for (;;) {
		read_full(xs_fd, &h, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			die("xenstore reply of %u bytes", h.len);
		reply = malloc(h.len + 1);
		if (!reply)
			die("malloc");
		read_full(xs_fd, reply, h.len);
		reply[h.len] = '\0';
		if (h.type != XS_WATCH_EVENT)
			break;
		free(reply);	/* not ours: we set no watch */
	}
	if (h.type == XS_ERROR) {
		errno = EIO;
		for (size_t i = 0; i < ARRAY_SIZE(xsd_errors); i++)
			if (!strcmp(reply, xsd_errors[i].errstring))
				errno = xsd_errors[i].errnum;
		free(reply);
		return NULL;
	}
	return reply;
}

static char *xs_call(uint32_t type, const char *a, size_t alen, const char *b, size_t blen)
{
	xs_send(type, a, alen, b, blen);
	return xs_recv();
}

static char *xs_read(const char *path)
{
	return xs_call(XS_READ, path, strlen(path) + 1, NULL, 0);
}

static int xs_printf(const char *path, const char *fmt, ...)
{
	char value[256], *r;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	r = xs_call(XS_WRITE, path, strlen(path) + 1, value, (size_t)n);
	if (!r)
		return -errno;
	free(r);
	return 0;
}

/* A node as a number; -1 when absent or not a number. */
static long xs_read_num(const char *path)
{
	char *v = xs_read(path), *end;
	long n;

	if (!v)
		return -1;
	n = strtol(v, &end, 10);
	if (!*v || *end)
		n = -1;
	free(v);
	return n;
}

/* ---- grants, event channels, pages of our own ------------------------------ */

static int gnt_fd = -1, evt_fd = -1, priv_fd = -1;

struct gnt {
	uint8_t *addr;
	uint32_t *refs;
	unsigned n;
	uint64_t index;
};

/* n pages granted to dom0, writable unless readonly. */
static void gnt_alloc(struct gnt *g, unsigned n, bool readonly)
{
	size_t size = sizeof(struct ioctl_gntalloc_alloc_gref) + n * sizeof(uint32_t);
	struct ioctl_gntalloc_alloc_gref *a = calloc(1, size);

	if (!a)
		die("malloc");
	a->domid = 0;
	a->flags = readonly ? 0 : GNTALLOC_FLAG_WRITABLE;
	a->count = n;
	if (ioctl(gnt_fd, IOCTL_GNTALLOC_ALLOC_GREF, a) < 0)
		die("IOCTL_GNTALLOC_ALLOC_GREF of %u pages", n);
	g->n = n;
	g->index = a->index;
	g->refs = malloc(n * sizeof(uint32_t));
	if (!g->refs)
		die("malloc");
	memcpy(g->refs, a->gref_ids, n * sizeof(uint32_t));
	free(a);
	g->addr = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, gnt_fd,
		       (off_t)g->index);
	if (g->addr == MAP_FAILED)
		die("mmap of %u granted pages", n);
	memset(g->addr, 0, (size_t)n * PAGE);
}

/* Ends the grants; gntalloc keeps a page the backend still maps until it lets go. */
static void gnt_free(struct gnt *g)
{
	struct ioctl_gntalloc_dealloc_gref d = { .index = g->index, .count = g->n };

	if (!g->n)
		return;
	munmap(g->addr, (size_t)g->n * PAGE);
	if (ioctl(gnt_fd, IOCTL_GNTALLOC_DEALLOC_GREF, &d) < 0)
		say("IOCTL_GNTALLOC_DEALLOC_GREF: %s", strerror(errno));
	free(g->refs);
	memset(g, 0, sizeof(*g));
}

static unsigned evtchn_alloc(void)
{
	struct ioctl_evtchn_bind_unbound_port b = { .remote_domain = 0 };
	int port = ioctl(evt_fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &b);

	if (port < 0)
		die("IOCTL_EVTCHN_BIND_UNBOUND_PORT");
	return (unsigned)port;
}

static void evtchn_notify(unsigned port)
{
	struct ioctl_evtchn_notify n = { .port = port };

	ioctl(evt_fd, IOCTL_EVTCHN_NOTIFY, &n);
}

static void evtchn_free(unsigned port)
{
	struct ioctl_evtchn_unbind u = { .port = port };

	ioctl(evt_fd, IOCTL_EVTCHN_UNBIND, &u);
}

/* ---- machine frames of our own pages -------------------------------------------- */

#define FRAME_BATCH 1024u
#define FRAME_LIMIT (1u << 20)	/* 4 GiB of machine memory searched */

/*
 * n locked pages of ours and their machine frames. A vfb's shared page and
 * directory are named by machine frame, which Linux tells no process: every
 * machine frame is offered to privcmd for mapping as our own (Xen maps only
 * a domain's own frames for it), a batch at a time, and the ones that map
 * are compared with the pages, each of which holds a pattern of its own.
 */
static uint8_t *frames_alloc(unsigned n, xen_pfn_t *mfns)
{
	uint8_t *pages = mmap(NULL, (size_t)n * PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	xen_pfn_t *arr = calloc(FRAME_BATCH, sizeof(*arr));
	int *errs = calloc(FRAME_BATCH, sizeof(*errs));
	unsigned found = 0;

	if (pages == MAP_FAILED || mlock(pages, (size_t)n * PAGE) < 0)
		die("mmap and mlock %u pages", n);
	if (!arr || !errs)
		die("malloc");
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	for (unsigned i = 0; i < n * PAGE; i++)
		pages[i] = (uint8_t)rand();
	memset(mfns, 0, n * sizeof(*mfns));
	for (xen_pfn_t base = 0; base < FRAME_LIMIT && found < n; base += FRAME_BATCH) {
		privcmd_mmapbatch_v2_t b = { .num = FRAME_BATCH, .dom = DOMID_SELF, .arr = arr,
					     .err = errs };
		uint8_t *m = mmap(NULL, FRAME_BATCH * PAGE, PROT_READ, MAP_SHARED, priv_fd, 0);

		if (m == MAP_FAILED)
			die("mmap /dev/xen/privcmd");
		for (unsigned i = 0; i < FRAME_BATCH; i++) {
			arr[i] = base + i;
			errs[i] = 0;
		}
		b.addr = (uint64_t)(uintptr_t)m;
		if (ioctl(priv_fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &b) < 0 && errno != ENOENT) {
			if (errno != EPERM)
				die("IOCTL_PRIVCMD_MMAPBATCH_V2 of frames %#llx..",
				    (unsigned long long)base);
			/* Linux blocks privcmd in a domain that is no device model
			 * ("xen_privcmd: No target domain found, blocking all hypercalls"). */
			printf("hostile: %s: unsupported: this guest's kernel refuses privcmd to an "
			       "unprivileged domain, and a vfb names its pages by machine frame\n",
			       attack);
			printf("hostile-done: %s rc=3\n", attack);
			fflush(stdout);
			exit(3);
		}
		for (unsigned i = 0; i < FRAME_BATCH; i++) {
			if (errs[i])
				continue;
			for (unsigned p = 0; p < n; p++)
				if (!mfns[p] && !memcmp(m + (size_t)i * PAGE, pages + (size_t)p * PAGE, 64)) {
					mfns[p] = base + i;
					found++;
				}
		}
		munmap(m, FRAME_BATCH * PAGE);
	}
	free(arr);
	free(errs);
	if (found < n) {
		errno = ENOENT;
		die("found the machine frames of %u of our %u pages below frame %#x", found, n,
		    FRAME_LIMIT);
	}
	memset(pages, 0, (size_t)n * PAGE);
	return pages;
}

/* ---- the device's xenbus side ------------------------------------------------- */

struct fe {
	char dir[64];
	char be[160];
};

static char *fe_node(const struct fe *f, const char *node)
{
	static char path[2][256];
	static int which;

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", f->dir, node);
	return path[which];
}

static long be_state(const struct fe *f)
{
	char path[200];

	snprintf(path, sizeof(path), "%s/state", f->be);
	return xs_read_num(path);
}

static long fe_state(const struct fe *f)
{
	return xs_read_num(fe_node(f, "state"));
}

static void set_state(const struct fe *f, int s)
{
	xs_printf(fe_node(f, "state"), "%d", s);
}

/* Waits for the backend's state to be one of want (a bit mask); returns it, or -1. */
static long wait_be(const struct fe *f, unsigned want, unsigned ms)
{
	double end = now() + ms / 1000.0;
	long s;

	do {
		s = be_state(f);
		if (s >= 0 && s < 32 && (want & (1u << s)))
			return s;
		msleep(10);
	} while (now() < end);
	return -1;
}

/* The device as a frontend finds it: offered (backend InitWait), not yet taken. */
static void fe_claim(struct fe *f, const char *type, unsigned devid)
{
	double end = now() + 90;	/* a re-creation may be backed off up to 64 s */
	char *be;

	snprintf(f->dir, sizeof(f->dir), "device/%s/%u", type, devid);
	for (;;) {
		be = xs_read(fe_node(f, "backend"));
		if (be) {
			snprintf(f->be, sizeof(f->be), "%s", be);
			free(be);
			if (fe_state(f) == ST_INITIALISING && be_state(f) == ST_INITWAIT)
				return;
		}
		if (now() > end) {
			errno = ETIMEDOUT;
			die("%s is not offered to a new frontend (frontend state %ld, backend %ld); "
			    "is its driver still bound?", f->dir, fe_state(f), be_state(f));
		}
		msleep(50);
	}
}

/*
 * Leaves the device as a frontend that starts again does (Closing, then
 * Initialising), not through Closed: a backend may wait longer each time
 * it re-creates a device that keeps closing, and only the cycling attack
 * is about that. Returns false if the backend never offers it again.
 */
static bool fe_release(struct fe *f)
{
	double end = now() + 90;

	set_state(f, ST_CLOSING);
	wait_be(f, 1u << ST_CLOSING | 1u << ST_CLOSED, 5000);
	set_state(f, ST_INITIALISING);
	while (now() < end) {
		if (fe_state(f) == ST_INITIALISING && be_state(f) == ST_INITWAIT)
			return true;
		msleep(50);
	}
	bad("%s is not offered again after Closing, Initialising (frontend state %ld, backend %ld)",
	    f->dir, fe_state(f), be_state(f));
	return false;
}

static const char *state_name(long s)
{
	static const char *const names[] = { "Unknown", "Initialising", "InitWait", "Initialised",
					     "Connected", "Closing", "Closed" };

	return s >= 0 && s < (long)ARRAY_SIZE(names) ? names[s] : "gone";
}

/* ---- block --------------------------------------------------------------------- */

struct blk {
	struct fe f;
	struct gnt ring;
	unsigned port;
	blkif_sring_t *s;
	unsigned nr_ents;
	RING_IDX prod, cons;
	uint64_t sectors;
	unsigned max_indirect;
};

/* Counts of one batch's responses by status. */
struct tally {
	unsigned ok, error, unsupported, other, missing;
};

static void blk_publish(struct blk *b)
{
	SHARED_RING_INIT(b->s);
	xs_printf(fe_node(&b->f, "ring-ref"), "%u", b->ring.refs[0]);
	xs_printf(fe_node(&b->f, "event-channel"), "%u", b->port);
	xs_printf(fe_node(&b->f, "protocol"), "%s", "x86_64-abi");
	xs_printf(fe_node(&b->f, "feature-persistent"), "1");
}

/* Takes the disk and connects to it: true when the backend says Connected. */
static bool blk_connect(struct blk *b, unsigned devid)
{
	char path[200];
	long s;

	memset(b, 0, sizeof(*b));
	fe_claim(&b->f, "vbd", devid);
	snprintf(path, sizeof(path), "%s/sectors", b->f.be);
	b->sectors = (uint64_t)xs_read_num(path);
	snprintf(path, sizeof(path), "%s/feature-max-indirect-segments", b->f.be);
	s = xs_read_num(path);
	b->max_indirect = s > 0 ? (unsigned)s : 0;
	gnt_alloc(&b->ring, 1, false);
	b->s = (blkif_sring_t *)b->ring.addr;
	b->nr_ents = __RING_SIZE(b->s, PAGE);
	b->port = evtchn_alloc();
	blk_publish(b);
	set_state(&b->f, ST_INITIALISED);
	s = wait_be(&b->f, 1u << ST_CONNECTED | 1u << ST_CLOSING | 1u << ST_CLOSED, 10000);
	if (s != ST_CONNECTED)
		return false;
	set_state(&b->f, ST_CONNECTED);
	return true;
}

static void blk_disconnect(struct blk *b)
{
	fe_release(&b->f);
	evtchn_free(b->port);
	gnt_free(&b->ring);
}

static blkif_request_t *blk_slot(struct blk *b)
{
	blkif_request_t *r = &b->s->ring[b->prod & (b->nr_ents - 1)].req;

	memset(r, 0, sizeof(*r));
	r->id = b->prod;
	b->prod++;
	return r;
}

static void blk_kick(struct blk *b)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* requests before the index */
	__atomic_store_n(&b->s->req_prod, b->prod, __ATOMIC_RELAXED);
	evtchn_notify(b->port);
}

/* Collects the responses to every request pushed; a missing one counts as such. */
static struct tally blk_collect(struct blk *b, unsigned ms)
{
	double end = now() + ms / 1000.0;
	struct tally t = { 0 };

	while (b->cons != b->prod) {
		RING_IDX rp = __atomic_load_n(&b->s->rsp_prod, __ATOMIC_ACQUIRE);

		if ((RING_IDX)(rp - b->cons) > b->nr_ents) {
			bad("response producer %u is %u ahead of us", rp, rp - b->cons);
			break;
		}
		while (b->cons != rp) {
			blkif_response_t rsp;

			memcpy(&rsp, &b->s->ring[b->cons & (b->nr_ents - 1)].rsp, sizeof(rsp));
			b->cons++;
			if (rsp.status == BLKIF_RSP_OKAY)
				t.ok++;
			else if (rsp.status == BLKIF_RSP_ERROR)
				t.error++;
			else if (rsp.status == BLKIF_RSP_EOPNOTSUPP)
				t.unsupported++;
			else
				t.other++;
		}
		if (b->cons == b->prod || now() > end)
			break;
		msleep(1);
	}
	t.missing = b->prod - b->cons;
	b->cons = b->prod;	/* what never came is given up on */
	return t;
}

static void blk_rw(blkif_request_t *r, uint8_t op, uint64_t sector, const uint32_t *refs,
		   unsigned n, uint8_t first, uint8_t last)
{
	r->operation = op;
	r->nr_segments = (uint8_t)n;
	r->handle = 0;
	r->sector_number = sector;
	for (unsigned i = 0; i < n; i++) {
		r->seg[i].gref = refs[i];
		r->seg[i].first_sect = first;
		r->seg[i].last_sect = last;
	}
}

/* One request, its one response; expects status want, says what came. */
static void blk_expect(struct blk *b, const char *what, int16_t want, unsigned ms)
{
	struct tally t;
	bool got;

	blk_kick(b);
	t = blk_collect(b, ms);
	got = want == BLKIF_RSP_OKAY ? t.ok == 1 : want == BLKIF_RSP_ERROR ? t.error == 1
					       : t.unsupported == 1;
	if (t.missing)
		bad("%s: no response", what);
	else if (!got)
		bad("%s: answered %s", what, t.ok ? "OKAY" : t.error ? "ERROR" : "EOPNOTSUPP");
	else
		say("%s: %s", what, want == BLKIF_RSP_OKAY ? "served" : "refused");
}

/* A well-behaved read of the disk's last sector: the device still serves. */
static void blk_sane(struct blk *b)
{
	struct gnt page;
	long s;

	s = be_state(&b->f);
	if (s != ST_CONNECTED) {
		bad("the backend left Connected (%s) for requests it only had to refuse",
		    state_name(s));
		return;
	}
	gnt_alloc(&page, 1, false);
	blk_rw(blk_slot(b), BLKIF_OP_READ, b->sectors - 1, page.refs, 1, 0, 0);
	blk_expect(b, "a valid read of the last sector afterwards", BLKIF_RSP_OKAY, 10000);
	gnt_free(&page);
}

/* Impossible producers: far ahead, and just behind the consumer. */
static void blk_prod(unsigned devid)
{
	static const struct {
		const char *what;
		RING_IDX delta;
	} cases[] = {
		{ "producer 1000 requests ahead of a 32-slot ring", 1000 },
		{ "producer one behind the consumer", (RING_IDX)-1 },
		{ "producer a ring and one ahead", 33 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct blk b;
		long s;

		if (!blk_connect(&b, devid))
			die("the backend did not connect to a well-formed frontend");
		b.prod += cases[i].delta;
		blk_kick(&b);
		s = wait_be(&b.f, 1u << ST_CLOSING | 1u << ST_CLOSED, 10000);
		if (s < 0)
			bad("%s: the backend stayed %s", cases[i].what, state_name(be_state(&b.f)));
		else
			say("%s: backend went %s", cases[i].what, state_name(s));
		blk_disconnect(&b);
	}
}

/* Repeated, read-only and never-granted grant references. */
static void blk_grants(unsigned devid)
{
	/* Past the guest's grant table (32 frames of 512 entries) or far past. */
	static const uint32_t never[] = { 16384, 65535, 1u << 20, 0x7fffffffu, 0xffffffffu };
	struct gnt one, ro, ind;
	uint32_t refs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
	struct blk b;
	blkif_request_indirect_t *ir;
	struct blkif_request_segment *segs;

	if (!blk_connect(&b, devid))
		die("the backend did not connect to a well-formed frontend");
	say("connected: %llu sectors, up to %u indirect segments",
	    (unsigned long long)b.sectors, b.max_indirect);
	gnt_alloc(&one, 1, false);
	gnt_alloc(&ro, 1, true);
	gnt_alloc(&ind, 1, false);

	/* The same page as all 11 segments: legal, and served. */
	for (unsigned i = 0; i < ARRAY_SIZE(refs); i++)
		refs[i] = one.refs[0];
	blk_rw(blk_slot(&b), BLKIF_OP_READ, 0, refs, ARRAY_SIZE(refs), 0, 7);
	blk_expect(&b, "one ref as all 11 segments of a read", BLKIF_RSP_OKAY, 10000);

	/* The same page in a full ring of requests at once. */
	for (unsigned i = 0; i < b.nr_ents; i++)
		blk_rw(blk_slot(&b), BLKIF_OP_READ, i * 8, refs, ARRAY_SIZE(refs), 0, 7);
	blk_kick(&b);
	struct tally t = blk_collect(&b, 20000);
	if (t.ok != b.nr_ents)
		bad("%u reads naming one page 11 times each: %u served, %u errors, %u missing",
		    b.nr_ents, t.ok, t.error, t.missing);
	else
		say("%u reads in flight naming one page 11 times each: all served", b.nr_ents);

	for (size_t i = 0; i < ARRAY_SIZE(never); i++) {
		char what[64];

		snprintf(what, sizeof(what), "a read into never-granted ref %u", never[i]);
		blk_rw(blk_slot(&b), BLKIF_OP_READ, 0, &never[i], 1, 0, 7);
		blk_expect(&b, what, BLKIF_RSP_ERROR, 10000);
	}
	/* A good ref, then a bad one, in one request: nothing of it is done. */
	refs[0] = one.refs[0];
	refs[1] = 0xfffffff0u;
	blk_rw(blk_slot(&b), BLKIF_OP_READ, 0, refs, 2, 0, 7);
	blk_expect(&b, "a read whose second segment is never granted", BLKIF_RSP_ERROR, 10000);
	/* A read-only grant: the backend must write into it for a read. */
	blk_rw(blk_slot(&b), BLKIF_OP_READ, 0, ro.refs, 1, 0, 7);
	blk_expect(&b, "a read into a read-only grant", BLKIF_RSP_ERROR, 10000);
	/* An indirect page that is never granted, and one naming never-granted data. */
	if (b.max_indirect >= 16) {
		ir = (blkif_request_indirect_t *)blk_slot(&b);
		ir->operation = BLKIF_OP_INDIRECT;
		ir->indirect_op = BLKIF_OP_READ;
		ir->nr_segments = 16;
		ir->sector_number = 0;
		ir->indirect_grefs[0] = 0xfffffff1u;
		blk_expect(&b, "an indirect read whose indirect page is never granted",
			   BLKIF_RSP_ERROR, 10000);
		segs = (struct blkif_request_segment *)ind.addr;
		for (unsigned i = 0; i < 16; i++)
			segs[i] = (struct blkif_request_segment){ .gref = 0xfffffff2u - i,
								  .first_sect = 0, .last_sect = 7 };
		ir = (blkif_request_indirect_t *)blk_slot(&b);
		ir->operation = BLKIF_OP_INDIRECT;
		ir->indirect_op = BLKIF_OP_READ;
		ir->nr_segments = 16;
		ir->indirect_grefs[0] = ind.refs[0];
		blk_expect(&b, "an indirect read of 16 never-granted pages", BLKIF_RSP_ERROR, 10000);
	}
	blk_sane(&b);
	blk_disconnect(&b);
	gnt_free(&one);
	gnt_free(&ro);
	gnt_free(&ind);
}

/* Sectors past the end, and sector arithmetic that wraps. */
static void blk_sectors(unsigned devid)
{
	struct gnt pages, ind;
	struct blk b;
	blkif_request_indirect_t *ir;
	blkif_request_discard_t *dr;
	struct blkif_request_segment *segs;

	if (!blk_connect(&b, devid))
		die("the backend did not connect to a well-formed frontend");
	gnt_alloc(&pages, 2, false);
	gnt_alloc(&ind, 1, false);
	const struct {
		const char *what;
		uint8_t op;
		uint64_t sector;
		uint8_t first, last;
	} cases[] = {
		{ "a read at the sector just past the end", BLKIF_OP_READ, b.sectors, 0, 0 },
		{ "a write at the sector just past the end", BLKIF_OP_WRITE, b.sectors, 0, 0 },
		{ "a read of 8 sectors from the last one", BLKIF_OP_READ, b.sectors - 1, 0, 7 },
		{ "a read at sector 2^64-1", BLKIF_OP_READ, UINT64_MAX, 0, 0 },
		{ "a read of 8 sectors at 2^64-4 (wraps to 4)", BLKIF_OP_READ, UINT64_MAX - 3, 0, 7 },
		{ "a read at 2^55 (bytes wrap at 2^64)", BLKIF_OP_READ, 1ull << 55, 0, 7 },
		{ "a read with first_sect 7 > last_sect 0", BLKIF_OP_READ, 0, 7, 0 },
		{ "a read with last_sect 8 (past the page)", BLKIF_OP_READ, 0, 0, 8 },
		{ "a read with last_sect 255", BLKIF_OP_READ, 0, 0, 255 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		blk_rw(blk_slot(&b), cases[i].op, cases[i].sector, pages.refs, 1, cases[i].first,
		       cases[i].last);
		blk_expect(&b, cases[i].what, BLKIF_RSP_ERROR, 10000);
	}
	/* Two segments whose sum passes the end though each starts inside. */
	blk_rw(blk_slot(&b), BLKIF_OP_READ, b.sectors - 8, pages.refs, 2, 0, 7);
	blk_expect(&b, "a read of two pages starting 8 sectors before the end", BLKIF_RSP_ERROR,
		   10000);
	/* Discard: the range is checked even though no page is involved. */
	dr = (blkif_request_discard_t *)blk_slot(&b);
	dr->operation = BLKIF_OP_DISCARD;
	dr->sector_number = b.sectors - 1;
	dr->nr_sectors = UINT64_MAX;
	blk_kick(&b);
	struct tally t = blk_collect(&b, 10000);
	if (t.ok)
		bad("a discard of 2^64-1 sectors from the last one was done");
	else
		say("a discard of 2^64-1 sectors from the last one: refused");
	/* An indirect read whose 256 segments pass the end. */
	if (b.max_indirect >= 256) {
		segs = (struct blkif_request_segment *)ind.addr;
		for (unsigned i = 0; i < 256; i++)
			segs[i] = (struct blkif_request_segment){ .gref = pages.refs[i & 1],
								  .first_sect = 0, .last_sect = 7 };
		ir = (blkif_request_indirect_t *)blk_slot(&b);
		ir->operation = BLKIF_OP_INDIRECT;
		ir->indirect_op = BLKIF_OP_READ;
		ir->nr_segments = 256;
		ir->sector_number = b.sectors - 2047;
		ir->indirect_grefs[0] = ind.refs[0];
		blk_expect(&b, "an indirect read of 256 pages ending 1 sector past the end",
			   BLKIF_RSP_ERROR, 10000);
	}
	blk_sane(&b);
	blk_disconnect(&b);
	gnt_free(&pages);
	gnt_free(&ind);
}

/* Indirect segment counts past the advertised limit, bad indirect ops. */
static void blk_indirect(unsigned devid)
{
	static const struct {
		const char *what;
		uint8_t op;
		uint16_t nr;
	} cases[] = {
		{ "an indirect read of 0 segments", BLKIF_OP_READ, 0 },
		{ "an indirect read of 257 segments (limit 256)", BLKIF_OP_READ, 257 },
		{ "an indirect read of 4096 segments", BLKIF_OP_READ, 4096 },
		{ "an indirect read of 65535 segments", BLKIF_OP_READ, 65535 },
		{ "an indirect flush", BLKIF_OP_FLUSH_DISKCACHE, 8 },
		{ "an indirect indirect", BLKIF_OP_INDIRECT, 8 },
		{ "an indirect operation 200", 200, 8 },
	};
	struct gnt pages, ind;
	struct blk b;
	blkif_request_indirect_t *ir;
	blkif_request_t *r;
	struct blkif_request_segment *segs;

	if (!blk_connect(&b, devid))
		die("the backend did not connect to a well-formed frontend");
	if (b.max_indirect < 256)
		die("the backend offers %u indirect segments, not 256", b.max_indirect);
	/* Eight pages, each named by every eighth segment: Xen refuses a grant
	 * mapped more than about 63 times at once. */
	gnt_alloc(&pages, 8, false);
	gnt_alloc(&ind, BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST, false);
	segs = (struct blkif_request_segment *)ind.addr;
	for (unsigned i = 0; i < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * PAGE / sizeof(*segs); i++)
		segs[i] = (struct blkif_request_segment){ .gref = pages.refs[i % 8], .first_sect = 0,
							  .last_sect = 0 };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ir = (blkif_request_indirect_t *)blk_slot(&b);
		ir->operation = BLKIF_OP_INDIRECT;
		ir->indirect_op = cases[i].op;
		ir->nr_segments = cases[i].nr;
		ir->sector_number = 0;
		for (unsigned p = 0; p < BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST; p++)
			ir->indirect_grefs[p] = ind.refs[p];
		blk_kick(&b);
		struct tally t = blk_collect(&b, 10000);
		if (t.missing || t.ok)
			bad("%s: %s", cases[i].what, t.ok ? "served" : "no response");
		else
			say("%s: refused", cases[i].what);
	}
	/* A direct request claiming more segments than the slot holds. */
	r = blk_slot(&b);
	blk_rw(r, BLKIF_OP_READ, 0, pages.refs, 1, 0, 0);
	r->nr_segments = 255;
	blk_expect(&b, "a direct read of 255 segments (a slot holds 11)", BLKIF_RSP_ERROR, 10000);
	/* The limit itself is served. */
	ir = (blkif_request_indirect_t *)blk_slot(&b);
	ir->operation = BLKIF_OP_INDIRECT;
	ir->indirect_op = BLKIF_OP_READ;
	ir->nr_segments = 256;
	ir->sector_number = 0;
	ir->indirect_grefs[0] = ind.refs[0];
	blk_expect(&b, "an indirect read of 256 one-sector segments", BLKIF_RSP_OKAY, 20000);
	blk_sane(&b);
	blk_disconnect(&b);
	gnt_free(&pages);
	gnt_free(&ind);
}

/*
 * The persistent-grant pin: reqs indirect reads of 256 segments, each
 * naming its own n_refs fresh grants over and over. A backend that counts
 * persistent grants by ref rather than by page mapped keeps 256 pages
 * mapped per request. Each segment is one sector: the mappings are the
 * point, not the reads. n_refs stays above 4: Xen refuses a grant mapped
 * more than about 63 times at once (a PV dom0 maps each page twice).
 */
static void blk_pin(unsigned devid, unsigned reqs, unsigned hold, unsigned n_refs)
{
	struct gnt ind, *data;
	struct blk b;
	struct tally total = { 0 };
	unsigned sent = 0, batches = 0;

	if (!blk_connect(&b, devid))
		die("the backend did not connect to a well-formed frontend");
	if (b.max_indirect < 256)
		die("the backend offers %u indirect segments, not 256", b.max_indirect);
	gnt_alloc(&ind, b.nr_ents, false);
	data = calloc((reqs + b.nr_ents - 1) / b.nr_ents, sizeof(*data));
	if (!data)
		die("malloc");
	while (sent < reqs) {
		unsigned n = reqs - sent < b.nr_ents ? reqs - sent : b.nr_ents;
		struct tally t;

		gnt_alloc(&data[batches], n * n_refs, false);
		for (unsigned i = 0; i < n; i++) {
			struct blkif_request_segment *segs =
				(struct blkif_request_segment *)(ind.addr + (size_t)i * PAGE);
			blkif_request_indirect_t *ir = (blkif_request_indirect_t *)blk_slot(&b);

			for (unsigned s = 0; s < 256; s++)
				segs[s] = (struct blkif_request_segment){
					.gref = data[batches].refs[i * n_refs + s % n_refs],
					.first_sect = 0, .last_sect = 0 };
			ir->operation = BLKIF_OP_INDIRECT;
			ir->indirect_op = BLKIF_OP_READ;
			ir->nr_segments = 256;
			ir->sector_number = 0;
			ir->indirect_grefs[0] = ind.refs[i];
		}
		blk_kick(&b);
		t = blk_collect(&b, 60000);
		total.ok += t.ok;
		total.error += t.error + t.unsupported + t.other;
		total.missing += t.missing;
		sent += n;
		batches++;
		if (t.missing) {
			bad("%u of a batch of %u requests unanswered after 60 s", t.missing, n);
			break;
		}
	}
	say("%u indirect reads of 256 segments over %u fresh refs each: %u served, %u refused, "
	    "%u unanswered; backend %s", sent, n_refs, total.ok, total.error, total.missing,
	    state_name(be_state(&b.f)));
	say("holding the device for %u s", hold);
	sleep(hold);
	if (be_state(&b.f) == ST_CONNECTED)
		blk_sane(&b);
	blk_disconnect(&b);
	for (unsigned i = 0; i < batches; i++)
		gnt_free(&data[i]);
	free(data);
	gnt_free(&ind);
	say("released");
}

/* ---- network ------------------------------------------------------------------- */

struct net {
	struct fe f;
	struct gnt rings, frame;
	unsigned port;
	netif_tx_sring_t *tx;
	netif_rx_sring_t *rx;
	unsigned nr_ents;
	RING_IDX prod, cons;
};

static bool net_connect(struct net *n, unsigned devid)
{
	long s;

	memset(n, 0, sizeof(*n));
	fe_claim(&n->f, "vif", devid);
	gnt_alloc(&n->rings, 2, false);
	gnt_alloc(&n->frame, 1, false);
	n->tx = (netif_tx_sring_t *)n->rings.addr;
	n->rx = (netif_rx_sring_t *)(n->rings.addr + PAGE);
	SHARED_RING_INIT(n->tx);
	SHARED_RING_INIT(n->rx);
	n->nr_ents = __RING_SIZE(n->tx, PAGE);
	n->port = evtchn_alloc();
	xs_printf(fe_node(&n->f, "tx-ring-ref"), "%u", n->rings.refs[0]);
	xs_printf(fe_node(&n->f, "rx-ring-ref"), "%u", n->rings.refs[1]);
	xs_printf(fe_node(&n->f, "event-channel"), "%u", n->port);
	xs_printf(fe_node(&n->f, "request-rx-copy"), "1");
	xs_printf(fe_node(&n->f, "feature-rx-notify"), "1");
	xs_printf(fe_node(&n->f, "feature-sg"), "1");
	set_state(&n->f, ST_CONNECTED);
	s = wait_be(&n->f, 1u << ST_CONNECTED | 1u << ST_CLOSING | 1u << ST_CLOSED, 10000);
	/* A broadcast frame: ff:ff:ff:ff:ff:ff, ours, an experimental ethertype. */
	memset(n->frame.addr, 0xff, 6);
	memcpy(n->frame.addr + 6, "\x00\x16\x3e\x77\x77\x77\x88\xb5", 8);
	return s == ST_CONNECTED;
}

static void net_disconnect(struct net *n)
{
	fe_release(&n->f);
	evtchn_free(n->port);
	gnt_free(&n->rings);
	gnt_free(&n->frame);
}

static void net_slot(struct net *n, uint32_t gref, uint16_t offset, uint16_t flags, uint16_t size)
{
	struct netif_tx_request *r = &n->tx->ring[n->prod & (n->nr_ents - 1)].req;

	r->gref = gref;
	r->offset = offset;
	r->flags = flags;
	r->id = (uint16_t)n->prod;
	r->size = size;
	n->prod++;
}

/* Pushes the slots written since the last packet; counts the first slot's status. */
static void net_expect(struct net *n, const char *what, bool want_ok)
{
	RING_IDX first = n->cons;
	double end = now() + 10;
	int16_t status = 99;

	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&n->tx->req_prod, n->prod, __ATOMIC_RELAXED);
	evtchn_notify(n->port);
	while (__atomic_load_n(&n->tx->rsp_prod, __ATOMIC_ACQUIRE) != n->prod && now() < end)
		msleep(1);
	if (__atomic_load_n(&n->tx->rsp_prod, __ATOMIC_ACQUIRE) != n->prod) {
		bad("%s: %u of %u slots answered", what, n->tx->rsp_prod - first, n->prod - first);
		n->cons = n->prod;
		return;
	}
	status = n->tx->ring[first & (n->nr_ents - 1)].rsp.status;
	n->cons = n->prod;
	if ((status == NETIF_RSP_OKAY) != want_ok)
		bad("%s: answered %d", what, status);
	else
		say("%s: %s", what, want_ok ? "sent" : "dropped");
}

static void net_tx(unsigned devid)
{
	uint32_t g;
	struct net n;
	struct netif_extra_info *x;
	long s;

	if (!net_connect(&n, devid))
		die("the backend did not connect to a well-formed frontend");
	g = n.frame.refs[0];
	net_slot(&n, g, 0, 0, 60);
	net_expect(&n, "a 60-byte broadcast frame", true);
	net_slot(&n, g, 0, 0, 0);
	net_expect(&n, "a packet of 0 bytes", false);
	net_slot(&n, g, 0, 0, 13);
	net_expect(&n, "a packet of 13 bytes (no Ethernet header)", false);
	net_slot(&n, g, 0, 0, 65535);
	net_expect(&n, "one slot of 65535 bytes", false);
	net_slot(&n, g, 4000, 0, 200);
	net_expect(&n, "a slot crossing its page (offset 4000, 200 bytes)", false);
	net_slot(&n, g, 0xffff, 0, 60);
	net_expect(&n, "a slot at offset 65535", false);
	net_slot(&n, 0xfffffff0u, 0, 0, 60);
	net_expect(&n, "a frame in a never-granted page", false);
	/* Fragments larger than the packet they belong to. */
	net_slot(&n, g, 0, NETTXF_more_data, 100);
	net_slot(&n, g, 0, 0, 4000);
	net_expect(&n, "a 100-byte packet with a 4000-byte fragment", false);
	/* 40 slots for one packet (at most 18 are allowed). */
	net_slot(&n, g, 0, NETTXF_more_data, 40 * 60);
	for (unsigned i = 1; i < 40; i++)
		net_slot(&n, g, 0, i < 39 ? NETTXF_more_data : 0, 60);
	net_expect(&n, "a packet over 40 slots", false);
	/* 18 slots of 4096 bytes: 73728 bytes, more than a 16-bit size says. */
	net_slot(&n, g, 0, NETTXF_more_data, 65535);
	for (unsigned i = 1; i < 18; i++)
		net_slot(&n, g, 0, i < 17 ? NETTXF_more_data : 0, 4096);
	net_expect(&n, "a 65535-byte packet whose 17 fragments are 4096 bytes each", false);
	/* Extra-info slots of an unknown type, and a chain of them. */
	net_slot(&n, g, 0, NETTXF_extra_info, 60);
	x = (struct netif_extra_info *)&n.tx->ring[n.prod & (n.nr_ents - 1)];
	memset(x, 0, sizeof(*x));
	x->type = 200;
	n.prod++;
	net_expect(&n, "an extra-info slot of type 200", false);
	net_slot(&n, g, 0, NETTXF_extra_info, 60);
	for (unsigned i = 0; i < 8; i++) {
		x = (struct netif_extra_info *)&n.tx->ring[n.prod & (n.nr_ents - 1)];
		memset(x, 0, sizeof(*x));
		x->type = XEN_NETIF_EXTRA_TYPE_GSO;
		x->flags = i < 7 ? XEN_NETIF_EXTRA_FLAG_MORE : 0;
		x->u.gso.type = XEN_NETIF_GSO_TYPE_TCPV4;
		x->u.gso.size = 0;
		n.prod++;
	}
	net_expect(&n, "eight GSO extra-info slots of segment size 0", false);
	net_slot(&n, g, 0, NETTXF_csum_blank, 60);
	net_expect(&n, "checksum offload on a frame that is not IP", false);
	net_slot(&n, g, 0, 0, 60);
	net_expect(&n, "a 60-byte broadcast frame afterwards", true);

	/* A packet that never ends: every slot of the ring says more follows. */
	for (unsigned i = 0; i < n.nr_ents; i++)
		net_slot(&n, g, 0, NETTXF_more_data, 60);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&n.tx->req_prod, n.prod, __ATOMIC_RELAXED);
	evtchn_notify(n.port);
	s = wait_be(&n.f, 1u << ST_CLOSING | 1u << ST_CLOSED, 10000);
	if (s < 0)
		bad("a packet over every slot of the ring: the backend stayed %s",
		    state_name(be_state(&n.f)));
	else
		say("a packet over every slot of the ring: backend went %s", state_name(s));
	net_disconnect(&n);

	/* An impossible producer. */
	if (!net_connect(&n, devid))
		die("the backend did not connect again");
	n.prod += 1000;
	__atomic_store_n(&n.tx->req_prod, n.prod, __ATOMIC_RELEASE);
	evtchn_notify(n.port);
	s = wait_be(&n.f, 1u << ST_CLOSING | 1u << ST_CLOSED, 10000);
	if (s < 0)
		bad("tx producer 1000 ahead: the backend stayed %s", state_name(be_state(&n.f)));
	else
		say("tx producer 1000 ahead: backend went %s", state_name(s));
	net_disconnect(&n);
}

/* ---- framebuffer ------------------------------------------------------------------ */

enum { VFB_PAGE_FRAME, VFB_DIR_FRAME, VFB_FB_FRAME, VFB_FRAMES };

struct vfb {
	struct fe f;
	unsigned port;
	uint8_t *frames;	/* the shared page, a directory, one page of framebuffer */
	xen_pfn_t mfns[VFB_FRAMES];
	struct xenfb_page *page;
};

/* A case: the shared page's fields; pd0, dir0 and page_ref 0 stand for our own frames. */
struct vfb_case {
	const char *what;
	int32_t width, height;
	uint32_t line_length, mem_length;
	uint8_t depth;
	uint64_t pd0, dir0, page_ref;
	bool connects;
};

/* Offers the device with the case's shared page; returns the backend's answer. */
static long vfb_offer(struct vfb *v, unsigned devid, const struct vfb_case *c)
{
	struct xenfb_page *p = v->page;
	uint64_t *dir = (uint64_t *)(v->frames + VFB_DIR_FRAME * PAGE);

	fe_claim(&v->f, "vfb", devid);
	memset(p, 0, PAGE);
	p->width = c->width;
	p->height = c->height;
	p->line_length = c->line_length;
	p->mem_length = c->mem_length;
	p->depth = c->depth;
	p->pd[0] = c->pd0 ? c->pd0 : v->mfns[VFB_DIR_FRAME];
	dir[0] = c->dir0 ? c->dir0 : v->mfns[VFB_FB_FRAME];
	for (unsigned i = 1; i < PAGE / 8; i++)
		dir[i] = c->dir0 ? c->dir0 + i : v->mfns[VFB_FB_FRAME];
	xs_printf(fe_node(&v->f, "page-ref"), "%llu",
		  (unsigned long long)(c->page_ref ? c->page_ref : v->mfns[VFB_PAGE_FRAME]));
	xs_printf(fe_node(&v->f, "event-channel"), "%u", v->port);
	xs_printf(fe_node(&v->f, "protocol"), "x86_64-abi");
	xs_printf(fe_node(&v->f, "feature-update"), "1");
	set_state(&v->f, ST_INITIALISED);
	return wait_be(&v->f, 1u << ST_CONNECTED | 1u << ST_CLOSING | 1u << ST_CLOSED, 10000);
}

static void vfb_events(struct vfb *v)
{
	static const struct xenfb_resize resizes[] = {
		{ XENFB_TYPE_RESIZE, 0x7fffffff, 0x7fffffff, 0x7fffffff, 32, 0 },
		{ XENFB_TYPE_RESIZE, 64, 16, -1, 32, 0 },
		{ XENFB_TYPE_RESIZE, 64, 16, 256, 32, 0x7fffff00 },
		{ XENFB_TYPE_RESIZE, 64, 16, 256, 32, -4096 },
		{ XENFB_TYPE_RESIZE, 1024, 1024, 4096, 32, 0 },
		{ XENFB_TYPE_RESIZE, 64, 16, 256, 7, 0 },
	};
	struct xenfb_page *p = v->page;
	uint32_t prod = p->out_prod;
	long s;

	for (size_t i = 0; i < ARRAY_SIZE(resizes); i++) {
		union xenfb_out_event *ev = &XENFB_OUT_RING_REF(p, prod);

		memset(ev, 0, sizeof(*ev));
		ev->resize = resizes[i];
		prod++;
	}
	for (int i = 0; i < 8; i++) {
		union xenfb_out_event *ev = &XENFB_OUT_RING_REF(p, prod);

		memset(ev, 0, sizeof(*ev));
		ev->update = (struct xenfb_update){ XENFB_TYPE_UPDATE, i & 1 ? INT32_MIN : 60,
						    i & 2 ? INT32_MAX : 10, i & 4 ? INT32_MAX : 8,
						    i & 1 ? -1 : INT32_MAX };
		prod++;
	}
	__atomic_store_n(&p->out_prod, prod, __ATOMIC_RELEASE);
	evtchn_notify(v->port);
	for (int i = 0; i < 500 && __atomic_load_n(&p->out_cons, __ATOMIC_ACQUIRE) != prod; i++)
		msleep(10);
	s = be_state(&v->f);
	if (p->out_cons != prod)
		bad("resize and update events with overflowing geometry: %u of %u consumed",
		    p->out_cons - (prod - 14), 14);
	else if (s != ST_CONNECTED)
		bad("resize and update events with overflowing geometry: backend went %s",
		    state_name(s));
	else
		say("6 resizes and 8 updates with overflowing geometry: consumed, still Connected");
	/* An impossible producer on the out ring. */
	__atomic_store_n(&p->out_prod, prod + 1000, __ATOMIC_RELEASE);
	evtchn_notify(v->port);
	s = wait_be(&v->f, 1u << ST_CLOSING | 1u << ST_CLOSED, 10000);
	if (s < 0)
		bad("out ring producer 1000 ahead: the backend stayed %s", state_name(be_state(&v->f)));
	else
		say("out ring producer 1000 ahead: backend went %s", state_name(s));
}

static void vfb_geometry(unsigned devid)
{
	const struct vfb_case cases[] = {
		{ "depth 0", 64, 16, 256, PAGE, 0, 0, 0, 0, false },
		{ "depth 33", 64, 16, 256, PAGE, 33, 0, 0, 0, false },
		{ "width -1", -1, 16, 256, PAGE, 32, 0, 0, 0, false },
		{ "height -2147483648", 64, INT32_MIN, 256, PAGE, 32, 0, 0, 0, false },
		{ "4096x4096x32 in one page", 4096, 4096, 16384, PAGE, 32, 0, 0, 0, false },
		{ "line length 4294967295 over 2 rows", 64, 2, UINT32_MAX, PAGE, 32, 0, 0, 0, false },
		{ "line length 100 for 1000 pixels of 32 bits", 1000, 1, 100, PAGE, 32, 0, 0, 0, false },
		{ "width x depth wrapping 32 bits", 0x40000001, 1, 4, PAGE, 32, 0, 0, 0, false },
		{ "mem_length 0", 64, 16, 256, 0, 32, 0, 0, 0, false },
		{ "mem_length 4294967295", 64, 16, 256, UINT32_MAX, 32, 0, 0, 0, false },
		{ "page directory entry 1 (not the guest's frame)", 64, 16, 256, PAGE, 32, 1, 0, 0, false },
		{ "page directory entry 2^40", 64, 16, 256, PAGE, 32, 1ull << 40, 0, 0, false },
		{ "directory naming frames 2^36..", 64, 16, 256, 2 * 1024 * 1024, 32, 0, 1ull << 36, 0, false },
		{ "page-ref 2^40", 64, 16, 256, PAGE, 32, 0, 0, 1ull << 40, false },
		{ "a 64x16x32 framebuffer", 64, 16, 256, PAGE, 32, 0, 0, 0, true },
	};
	struct vfb v;

	memset(&v, 0, sizeof(v));
	v.frames = frames_alloc(VFB_FRAMES, v.mfns);
	v.page = (struct xenfb_page *)(v.frames + VFB_PAGE_FRAME * PAGE);
	say("frames %#llx (page), %#llx (directory), %#llx (framebuffer) added to the guest",
	    (unsigned long long)v.mfns[0], (unsigned long long)v.mfns[1],
	    (unsigned long long)v.mfns[2]);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct vfb_case *c = &cases[i];
		long s;

		v.port = evtchn_alloc();
		s = vfb_offer(&v, devid, c);
		if (c->connects && s != ST_CONNECTED)
			bad("%s: the backend went %s", c->what, state_name(s));
		else if (!c->connects && s == ST_CONNECTED)
			bad("%s: the backend connected", c->what);
		else if (s < 0)
			bad("%s: the backend did not answer", c->what);
		else
			say("%s: backend went %s", c->what, state_name(s));
		if (s == ST_CONNECTED) {
			set_state(&v.f, ST_CONNECTED);
			vfb_events(&v);
		}
		fe_release(&v.f);
		evtchn_free(v.port);
	}
}

/* ---- xenbus state cycling ------------------------------------------------------ */

static void cycle(const char *type, unsigned devid, unsigned secs)
{
	struct fe f;
	struct gnt rings;
	unsigned port, cycles = 0;
	double end;
	char dir[64];

	fe_claim(&f, type, devid);
	gnt_alloc(&rings, 2, false);
	SHARED_RING_INIT((blkif_sring_t *)rings.addr);
	port = evtchn_alloc();
	snprintf(dir, sizeof(dir), "%s", f.dir);
	end = now() + secs;
	while (now() < end) {
		/* The nodes a frontend of the type publishes, again each round
		 * (the backend removes the directory on Closed), and the four
		 * states: sent at once, the replies read afterwards. */
		const char *nodes[8][2];
		char ring0[16], ring1[16], evt[16], st[4][4];
		unsigned n = 0;

		snprintf(ring0, sizeof(ring0), "%u", rings.refs[0]);
		snprintf(ring1, sizeof(ring1), "%u", rings.refs[1]);
		snprintf(evt, sizeof(evt), "%u", port);
		if (!strcmp(type, "vbd")) {
			nodes[n][0] = "ring-ref", nodes[n++][1] = ring0;
		} else if (!strcmp(type, "vif")) {
			nodes[n][0] = "tx-ring-ref", nodes[n++][1] = ring0;
			nodes[n][0] = "rx-ring-ref", nodes[n++][1] = ring1;
			nodes[n][0] = "request-rx-copy", nodes[n++][1] = "1";
			nodes[n][0] = "feature-rx-notify", nodes[n++][1] = "1";
		}
		nodes[n][0] = "event-channel", nodes[n++][1] = evt;
		for (int i = 0; i < 4; i++) {
			static const int states[] = { ST_INITIALISING, ST_CONNECTED, ST_CLOSING,
						      ST_CLOSED };

			snprintf(st[i], sizeof(st[i]), "%d", states[i]);
			nodes[n][0] = "state", nodes[n++][1] = st[i];
		}
		for (unsigned i = 0; i < n; i++) {
			const char *path = fe_node(&f, nodes[i][0]);

			xs_send(XS_WRITE, path, strlen(path) + 1, nodes[i][1], strlen(nodes[i][1]));
		}
		for (unsigned i = 0; i < n; i++)
			free(xs_recv());
		cycles++;
	}
	say("%u cycles Initialising, Connected, Closing, Closed of %s in %u s", cycles, dir, secs);
	/* What is left: the backend must offer the device again, after its
	 * re-creation delay (backed off up to 64 s). */
	end = now() + 90;
	while (now() < end && !(fe_state(&f) == ST_INITIALISING && be_state(&f) == ST_INITWAIT))
		msleep(100);
	if (fe_state(&f) == ST_INITIALISING && be_state(&f) == ST_INITWAIT) {
		say("%s offered again", dir);
	} else {
		if (fe_release(&f))
			say("%s offered again after Closing, Initialising", dir);
	}
	evtchn_free(port);
	gnt_free(&rings);
}

/* ---- main --------------------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr, "usage: hostile blk-prod|blk-grants|blk-sectors|blk-indirect DEVID\n"
			"       hostile blk-pin DEVID REQS HOLD_SECONDS REFS_PER_REQUEST\n"
			"       hostile net-tx DEVID | vfb-geometry DEVID\n"
			"       hostile cycle vbd|vif|vfb DEVID SECONDS\n");
	return 2;
}

static void open_dev(int *fd, const char *path)
{
	*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd < 0)
		die("open %s", path);
}

int main(int argc, char **argv)
{
	unsigned devid;

	if (argc < 3)
		return usage();
	attack = argv[1];
	devid = (unsigned)strtoul(argv[2], NULL, 0);
	open_dev(&xs_fd, "/dev/xen/xenbus");
	open_dev(&gnt_fd, "/dev/xen/gntalloc");
	open_dev(&evt_fd, "/dev/xen/evtchn");
	if (!strcmp(attack, "blk-prod")) {
		blk_prod(devid);
	} else if (!strcmp(attack, "blk-grants")) {
		blk_grants(devid);
	} else if (!strcmp(attack, "blk-sectors")) {
		blk_sectors(devid);
	} else if (!strcmp(attack, "blk-indirect")) {
		blk_indirect(devid);
	} else if (!strcmp(attack, "blk-pin") && argc == 6) {
		blk_pin(devid, (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]),
			(unsigned)atoi(argv[5]));
	} else if (!strcmp(attack, "net-tx")) {
		net_tx(devid);
	} else if (!strcmp(attack, "vfb-geometry")) {
		open_dev(&priv_fd, "/dev/xen/privcmd");
		vfb_geometry(devid);
	} else if (!strcmp(attack, "cycle") && argc == 5) {
		devid = (unsigned)strtoul(argv[3], NULL, 0);
		cycle(argv[2], devid, (unsigned)atoi(argv[4]));
	} else {
		return usage();
	}
	printf("hostile-done: %s rc=%d\n", attack, unexpected ? 1 : 0);
	fflush(stdout);
	return unexpected ? 1 : 0;
}
