/*
 * The xenbus backend core; see xenbus_backend.h.
 */
#include "xenbus/xenbus_backend.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <xentoollog.h>

#include "common/log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define XS_TRANSACTION_TRIES 20
#define WATCH_TOKEN_PREFIX "xendev:"
#define WATCH_EVENTS_PER_ROUND 64
/* How long a closed device stays removed before it is created again: long
 * enough for the guest to see it go (it checks whether the node exists when
 * it handles the watch event), short for a person waiting. A frontend that
 * closes again within RECREATE_CALM_MS of its re-creation waits twice as
 * long as the last time, up to RECREATE_MAX_DELAY_MS. */
#define RECREATE_DELAY_MS 1000u
#define RECREATE_MAX_DELAY_MS 64000u
#define RECREATE_CALM_MS 60000L

static int dev_create(struct xendev *dev);
static void dev_schedule_recreate(struct xendev *dev, long now);

/*
 * libxengnttab and libxenevtchn log their failures on stderr by default; a
 * hostile frontend's bad grant would then write a line per request. Their
 * messages go to our debug log instead; we log what matters once.
 */
static void quiet_vmessage(struct xentoollog_logger *logger, xentoollog_level level,
			   int errnoval, const char *context, const char *format, va_list al)
{
	char buf[256];

	vsnprintf(buf, sizeof(buf), format, al);
	log_debug("%s: %s", context ? context : "xen", buf);
}

static void quiet_destroy(struct xentoollog_logger *logger)
{
}

static struct xentoollog_logger quiet_logger = {
	.vmessage = quiet_vmessage,
	.progress = NULL,
	.destroy = quiet_destroy,
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static const char *state_name(enum xenbus_state s)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
		"Closing", "Closed", "Reconfiguring", "Reconfigured",
	};

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "invalid";
}

/* ---- xenstore helpers -------------------------------------------------- */

static int node_vprintf(struct xendev *dev, const char *dir, const char *node,
			const char *fmt, va_list ap)
{
	char path[160], *value = NULL;
	int r, rc;

	if (!dev->xb->xsh)
		return 0;	/* unit tests: the state machine alone */
	snprintf(path, sizeof(path), "%s/%s", dir, node);
	r = vasprintf(&value, fmt, ap);
	if (r < 0)
		return -ENOMEM;
	if (!xs_write(dev->xb->xsh, dev->t, path, value, (unsigned)r)) {
		rc = errno ? -errno : -EIO;
		log_warn("%s: write %s", dev->label, path);
		goto out;
	}
	rc = 0;
out:
	free(value);
	return rc;
}

int xendev_be_printf(struct xendev *dev, const char *node, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = node_vprintf(dev, dev->be_path, node, fmt, ap);
	va_end(ap);
	return rc;
}

int xendev_fe_printf(struct xendev *dev, const char *node, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = node_vprintf(dev, dev->fe_path, node, fmt, ap);
	va_end(ap);
	return rc;
}

char *xendev_fe_read(struct xendev *dev, const char *node)
{
	char path[160], *v;
	unsigned len = 0;

	snprintf(path, sizeof(path), "%s/%s", dev->fe_path, node);
	v = xs_read(dev->xb->xsh, XBT_NULL, path, &len);
	if (v && len > 256) {
		free(v);
		errno = EINVAL;
		return NULL;
	}
	return v;
}

int xendev_fe_read_u32(struct xendev *dev, const char *node, uint32_t *v_r)
{
	char *v = xendev_fe_read(dev, node);
	uint64_t n = 0;
	int rc;

	if (!v)
		return errno == EINVAL ? -EINVAL : -ENOENT;
	if (!v[0]) {
		rc = -EINVAL;
		goto out;
	}
	for (const char *p = v; *p; p++) {
		if (*p < '0' || *p > '9' || p - v >= 10) {
			rc = -EINVAL;
			goto out;
		}
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (n > UINT32_MAX) {
		rc = -EINVAL;
		goto out;
	}
	*v_r = (uint32_t)n;
	rc = 0;
out:
	free(v);
	return rc;
}

static void set_be_state(struct xendev *dev, enum xenbus_state s)
{
	char path[160], val[8];
	int len;

	if (dev->be_state == s)
		return;
	log_debug("%s: backend %s -> %s (frontend %s)", dev->label, state_name(dev->be_state),
		  state_name(s), state_name(dev->fe_state));
	dev->be_state = s;
	if (!dev->xb->xsh)
		return;	/* unit tests: the state machine alone */
	snprintf(path, sizeof(path), "%s/state", dev->be_path);
	len = snprintf(val, sizeof(val), "%d", (int)s);
	if (!xs_write(dev->xb->xsh, XBT_NULL, path, val, (unsigned)len))
		log_warn("%s: write %s", dev->label, path);
}

/* ---- event channel and grants ------------------------------------------ */

static void on_evtchn(struct event_source *src, uint32_t events)
{
	struct xendev *dev = src->opaque;
	xenevtchn_port_or_error_t port;

	port = xenevtchn_pending(dev->xce);
	if (port >= 0)
		xenevtchn_unmask(dev->xce, (evtchn_port_t)port);
	if (dev->connected && !dev->broken && dev->ops->event)
		dev->ops->event(dev);
}

int xendev_bind_evtchn(struct xendev *dev, uint32_t remote_port)
{
	xenevtchn_port_or_error_t port;
	int rc;

	if (dev->bound)
		return -EBUSY;
	if (!dev->xce) {
		dev->xce = xenevtchn_open(&quiet_logger, 0);
		if (!dev->xce) {
			rc = -errno;
			log_warn("%s: xenevtchn_open", dev->label);
			return rc;
		}
	}
	port = xenevtchn_bind_interdomain(dev->xce, dev->domid, remote_port);
	if (port < 0)
		return errno ? -errno : -EINVAL;
	dev->local_port = (evtchn_port_t)port;
	dev->bound = true;
	event_source_init(&dev->ev_src, xenevtchn_fd(dev->xce), on_evtchn, dev);
	rc = event_loop_add(dev->xb->loop, &dev->ev_src, EPOLLIN);
	if (rc < 0) {
		xendev_unbind_evtchn(dev);
		return rc;
	}
	return 0;
}

void xendev_unbind_evtchn(struct xendev *dev)
{
	event_loop_del(dev->xb->loop, &dev->ev_src);
	if (dev->bound)
		xenevtchn_unbind(dev->xce, dev->local_port);
	dev->bound = false;
	if (dev->xce)
		xenevtchn_close(dev->xce);
	dev->xce = NULL;
}

void xendev_notify(struct xendev *dev)
{
	if (dev->bound)
		xenevtchn_notify(dev->xce, dev->local_port);
}

void *xendev_map_grants(struct xendev *dev, const uint32_t *refs, unsigned n, int prot)
{
	if (!dev->xgt) {
		dev->xgt = xengnttab_open(&quiet_logger, 0);
		if (!dev->xgt)
			return NULL;
	}
	if (n == 0) {
		errno = EINVAL;
		return NULL;
	}
	return xengnttab_map_domain_grant_refs(dev->xgt, n, dev->domid, (uint32_t *)refs, prot);
}

int xendev_grant_copy(struct xendev *dev, xengnttab_grant_copy_segment_t *segs, unsigned n)
{
	if (!dev->xgt) {
		dev->xgt = xengnttab_open(&quiet_logger, 0);
		if (!dev->xgt)
			return -errno;
	}
	if (xengnttab_grant_copy(dev->xgt, n, segs) < 0)
		return -errno;
	return 0;
}

void xendev_unmap_grants(struct xendev *dev, void *addr, unsigned n)
{
	if (addr && dev->xgt)
		xengnttab_unmap(dev->xgt, addr, n);
}

struct event_loop *xendev_loop(struct xendev *dev)
{
	return dev->xb->loop;
}

/* ---- the state machine ------------------------------------------------- */

static void dev_disconnect(struct xendev *dev)
{
	if (dev->ops->disconnect)
		dev->ops->disconnect(dev);
	dev->connected = false;
	xendev_unbind_evtchn(dev);
	if (dev->xgt)
		xengnttab_close(dev->xgt);	/* unmaps whatever the backend left */
	dev->xgt = NULL;
}

/* ---- what a frontend may make us log ----------------------------------- */

bool xendev_log_budget_take(struct xendev_log_budget *b, const char *label)
{
	long now = now_ms();

	if (!b)
		return true;
	if (!b->window_start_ms || now - b->window_start_ms >= XENDEV_LOG_WINDOW_MS) {
		if (b->suppressed)
			log_info("%s: %lu more lines about this device suppressed", label,
				 b->suppressed);
		b->window_start_ms = now;
		b->used = 0;
		b->suppressed = 0;
	}
	if (b->used >= XENDEV_LOG_BURST) {
		b->suppressed++;
		return false;
	}
	b->used++;
	return true;
}

void xendev_log(struct xendev *dev, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!xendev_log_budget_take(&dev->log_budget, dev->label))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("%s: %s", dev->label, msg);
}

const char *xendev_escape(const char *s, char out[XENDEV_ESCAPED_MAX])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* Room for the longest escape, then "..." and the NUL. */
		if (o + 4 + 3 + 1 > XENDEV_ESCAPED_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (*p == '\\') {
			out[o++] = '\\';
			out[o++] = '\\';
		} else if (*p >= 0x20 && *p < 0x7f) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
	return out;
}

void xendev_fail(struct xendev *dev, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (dev->broken)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (xendev_log_budget_take(&dev->log_budget, dev->label))
		log_warnx("%s: %s; device disconnected until the frontend starts again",
			  dev->label, msg);
	dev->broken = true;
	dev_disconnect(dev);
	set_be_state(dev, XenbusStateClosing);
}

static void dev_connect(struct xendev *dev)
{
	int rc;

	if (dev->connected || dev->broken)
		return;
	rc = dev->ops->connect(dev);
	if (rc < 0) {
		/* connect() normally said why; if not, say it here. */
		xendev_fail(dev, "connect failed: %s", strerror(-rc));
		return;
	}
	dev->connected = true;
	set_be_state(dev, XenbusStateConnected);
	xendev_log(dev, "connected");
}

void xendev_frontend_state(struct xendev *dev, enum xenbus_state fe)
{
	enum xenbus_state old = dev->fe_state;

	dev->fe_state = fe;
	if (old != fe)
		log_debug("%s: frontend %s -> %s", dev->label, state_name(old), state_name(fe));
	switch (fe) {
	case XenbusStateInitialising:
		/* A frontend starting (again): be ready for it. */
		if (dev->be_state == XenbusStateClosing || dev->be_state == XenbusStateClosed) {
			dev_disconnect(dev);
			dev->broken = false;
			set_be_state(dev, XenbusStateInitWait);
		}
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (dev->be_state == XenbusStateInitWait || dev->be_state == XenbusStateInitialised)
			dev_connect(dev);
		break;
	case XenbusStateClosing:
		dev_disconnect(dev);
		set_be_state(dev, XenbusStateClosing);
		break;
	case XenbusStateClosed:
		if (old == XenbusStateClosed || dev->recreate_pending)
			break;
		dev_disconnect(dev);
		set_be_state(dev, XenbusStateClosed);
		dev->broken = false;
		dev_schedule_recreate(dev, now_ms());
		break;
	case XenbusStateUnknown:
	case XenbusStateInitWait:
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
	default:
		break;
	}
}

static void dev_frontend_changed(struct xendev *dev, const char *path)
{
	size_t fl = strlen(dev->fe_path);
	const char *node;
	uint32_t st;
	int rc;

	if (strncmp(path, dev->fe_path, fl) || (path[fl] != '/' && path[fl] != '\0'))
		return;
	node = path[fl] == '/' ? path + fl + 1 : "";
	if (strcmp(node, "state")) {
		if (*node && dev->ops->frontend_changed && !dev->broken)
			dev->ops->frontend_changed(dev, node);
		return;
	}
	rc = xendev_fe_read_u32(dev, "state", &st);
	if (rc == -ENOENT)
		return;	/* the frontend's directory is going, with its domain */
	if (rc < 0 || st > XenbusStateReconfigured) {
		xendev_fail(dev, "frontend state is not a XenbusState");
		return;
	}
	xendev_frontend_state(dev, (enum xenbus_state)st);
}

static void on_xenstore(struct event_source *src, uint32_t events)
{
	struct xenbus_backend *xb = src->opaque;
	char **w;

	/* Bounded: a flood of watch events is handled over several rounds. */
	for (int i = 0; i < WATCH_EVENTS_PER_ROUND && (w = xs_check_watch(xb->xsh)); i++) {
		const char *token = w[XS_WATCH_TOKEN];
		unsigned long idx;
		char *end;

		if (!strncmp(token, WATCH_TOKEN_PREFIX, strlen(WATCH_TOKEN_PREFIX))) {
			idx = strtoul(token + strlen(WATCH_TOKEN_PREFIX), &end, 10);
			if (!*end && idx < xb->n_devs && xb->devs[idx])
				dev_frontend_changed(xb->devs[idx], w[XS_WATCH_PATH]);
		}
		free(w);
	}
}

/* ---- devices ------------------------------------------------------------ */

/* Arms the timer for the earliest pending re-creation, or disarms it. */
static void arm_recreate_timer(struct xenbus_backend *xb, long now)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	long first = 0;

	if (xb->tfd < 0)
		return;
	for (unsigned i = 0; i < xb->n_devs; i++)
		if (xb->devs[i]->recreate_pending &&
		    (!first || xb->devs[i]->recreate_at_ms < first))
			first = xb->devs[i]->recreate_at_ms;
	if (first) {
		long ms = first > now ? first - now : 1;

		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (ms % 1000) * 1000000L;
	}
	timerfd_settime(xb->tfd, 0, &its, NULL);
}

/*
 * Linux's frontends leave Closed only for a new device (a toolstack
 * re-adding it), so the device's directories go, and come back once the
 * guest has seen them go; later than the last time while the frontend keeps
 * cycling. Its host resources stay.
 */
static void dev_schedule_recreate(struct xendev *dev, long now)
{
	if (dev->recreated_ms && now - dev->recreated_ms < RECREATE_CALM_MS)
		dev->recreate_delay_ms = dev->recreate_delay_ms * 2 > RECREATE_MAX_DELAY_MS
					 ? RECREATE_MAX_DELAY_MS : dev->recreate_delay_ms * 2;
	else
		dev->recreate_delay_ms = RECREATE_DELAY_MS;
	dev->recreate_pending = true;
	dev->recreate_at_ms = now + dev->recreate_delay_ms;
	if (dev->xb->xsh) {
		xs_rm(dev->xb->xsh, XBT_NULL, dev->fe_path);
		xs_rm(dev->xb->xsh, XBT_NULL, dev->be_path);
	}
	arm_recreate_timer(dev->xb, now);
	xendev_log(dev, "frontend closed; the device is created again for it in %u s",
		   dev->recreate_delay_ms / 1000);
}

void xenbus_backend_recreate_due(struct xenbus_backend *xb, long now)
{
	for (unsigned i = 0; i < xb->n_devs; i++) {
		struct xendev *dev = xb->devs[i];

		if (!dev->recreate_pending || dev->recreate_at_ms > now)
			continue;
		dev->recreate_pending = false;
		dev->recreated_ms = now;
		dev->fe_state = XenbusStateUnknown;
		if (dev_create(dev) < 0) {
			log_warnx("%s: could not create the device again; it stays gone", dev->label);
			continue;
		}
		set_be_state(dev, XenbusStateInitWait);
	}
	arm_recreate_timer(xb, now);
}

static void on_recreate_timer(struct event_source *src, uint32_t events)
{
	struct xenbus_backend *xb = src->opaque;
	uint64_t expirations;

	if (read(xb->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		log_warn("xenbus: timerfd");
	xenbus_backend_recreate_due(xb, now_ms());
}

void xenbus_backend_init(struct xenbus_backend *xb, struct event_loop *loop,
			 const struct xenbus_backend_type *types, size_t n_types)
{
	memset(xb, 0, sizeof(*xb));
	xb->loop = loop;
	xb->tfd = -1;
	xb->types = types;
	xb->n_types = n_types;
}

int xenbus_backend_open(struct xenbus_backend *xb)
{
	int rc;

	xb->xsh = xs_open(0);
	if (!xb->xsh) {
		rc = errno ? -errno : -ECONNREFUSED;
		log_warn("xenbus: cannot connect to xenstored");
		return rc;
	}
	event_source_init(&xb->xs_src, xs_fileno(xb->xsh), on_xenstore, xb);
	rc = event_loop_add(xb->loop, &xb->xs_src, EPOLLIN);
	if (rc < 0)
		return rc;
	xb->xs_added = true;
	xb->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (xb->tfd < 0) {
		rc = -errno;
		log_warn("xenbus: timerfd_create");
		return rc;
	}
	event_source_init(&xb->t_src, xb->tfd, on_recreate_timer, xb);
	rc = event_loop_add(xb->loop, &xb->t_src, EPOLLIN);
	if (rc < 0)
		return rc;
	xb->t_added = true;
	return 0;
}

int xenbus_backend_add(struct xenbus_backend *xb, const struct backend_ops *ops,
		       unsigned devid, const void *conf)
{
	struct xendev *dev = NULL;

	if (xb->n_devs >= XENBUS_MAX_DEVICES) {
		log_warnx("xenbus: more than %d devices", XENBUS_MAX_DEVICES);
		return -ENOSPC;
	}
	for (unsigned i = 0; i < xb->n_devs; i++)
		if (xb->devs[i]->ops == ops && xb->devs[i]->devid == devid) {
			log_warnx("xenbus: %s device %u given twice", ops->type, devid);
			return -EEXIST;
		}
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	if (ops->priv_size) {
		dev->priv = calloc(1, ops->priv_size);
		if (!dev->priv) {
			free(dev);
			return -ENOMEM;
		}
	}
	dev->ops = ops;
	for (size_t i = 0; i < xb->n_types; i++)
		if (xb->types[i].ops == ops)
			dev->ctx = xb->types[i].ctx;
	dev->xb = xb;
	dev->domid = xb->domid;
	dev->devid = devid;
	dev->conf = conf;
	dev->t = XBT_NULL;
	dev->be_state = XenbusStateUnknown;
	dev->fe_state = XenbusStateUnknown;
	snprintf(dev->label, sizeof(dev->label), "%s/%u/%u", ops->type, xb->domid, devid);
	snprintf(dev->fe_path, sizeof(dev->fe_path), "/local/domain/%u/device/%s/%u", xb->domid,
		 ops->type, devid);
	snprintf(dev->be_path, sizeof(dev->be_path), "/local/domain/0/backend/%s/%u/%u",
		 ops->type, xb->domid, devid);
	event_source_init(&dev->ev_src, -1, on_evtchn, dev);
	xb->devs[xb->n_devs++] = dev;
	return 0;
}

/* The device's two directories, their common nodes and init()'s nodes, in
 * one transaction: the frontend sees the device whole or not at all. */
static int dev_create(struct xendev *dev)
{
	struct xs_handle *xsh = dev->xb->xsh;
	struct xs_permissions fe_perms[2] = {
		{ .id = dev->domid, .perms = XS_PERM_NONE },
		{ .id = 0, .perms = XS_PERM_READ },
	};
	struct xs_permissions be_perms[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = dev->domid, .perms = XS_PERM_READ },
	};
	int rc = -EAGAIN;

	if (!xsh) {
		/* Unit tests: no xenstore, the backend's part alone. */
		rc = dev->ops->init(dev);
		if (rc == 0)
			dev->be_state = XenbusStateInitialising;
		return rc;
	}
	for (int tries = 0; tries < XS_TRANSACTION_TRIES; tries++) {
		dev->t = xs_transaction_start(xsh);
		if (dev->t == XBT_NULL) {
			rc = -errno;
			log_warn("%s: xenstore: transaction start", dev->label);
			return rc;
		}
		xs_rm(xsh, dev->t, dev->fe_path);
		xs_rm(xsh, dev->t, dev->be_path);
		if (!xs_write(xsh, dev->t, dev->fe_path, "", 0) ||
		    !xs_set_permissions(xsh, dev->t, dev->fe_path, fe_perms, 2) ||
		    !xs_write(xsh, dev->t, dev->be_path, "", 0) ||
		    !xs_set_permissions(xsh, dev->t, dev->be_path, be_perms, 2)) {
			rc = -errno;
			log_warn("%s: xenstore: create %s", dev->label, dev->be_path);
			goto abort;
		}
		if ((rc = xendev_fe_printf(dev, "backend", "%s", dev->be_path)) ||
		    (rc = xendev_fe_printf(dev, "backend-id", "0")) ||
		    (rc = xendev_fe_printf(dev, "state", "%d", XenbusStateInitialising)) ||
		    (rc = xendev_be_printf(dev, "frontend", "%s", dev->fe_path)) ||
		    (rc = xendev_be_printf(dev, "frontend-id", "%u", dev->domid)) ||
		    (rc = xendev_be_printf(dev, "online", "1")) ||
		    (rc = xendev_be_printf(dev, "state", "%d", XenbusStateInitialising)))
			goto abort;
		rc = dev->ops->init(dev);
		if (rc < 0)
			goto abort;
		if (xs_transaction_end(xsh, dev->t, false)) {
			dev->t = XBT_NULL;
			dev->be_state = XenbusStateInitialising;
			return 0;
		}
		dev->t = XBT_NULL;
		if (errno != EAGAIN) {
			rc = -errno;
			log_warn("%s: xenstore: transaction commit", dev->label);
			return rc;
		}
	}
	log_warnx("%s: xenstore: transaction kept conflicting, gave up", dev->label);
	return -EAGAIN;
abort:
	xs_transaction_end(xsh, dev->t, true);
	dev->t = XBT_NULL;
	return rc;
}

int xenbus_backend_start(struct xenbus_backend *xb, uint32_t domid,
			 const struct launch_config *cfg)
{
	int rc;

	xenbus_backend_stop(xb);
	xb->domid = domid;
	for (size_t i = 0; i < xb->n_types; i++) {
		if (!xb->types[i].ops->discover)
			continue;
		rc = xb->types[i].ops->discover(xb, cfg);
		if (rc < 0) {
			xenbus_backend_stop(xb);
			return rc;
		}
	}
	return xenbus_backend_create(xb);
}

int xenbus_backend_create(struct xenbus_backend *xb)
{
	char token[32], path[160];
	int rc;

	for (unsigned i = 0; i < xb->n_devs; i++) {
		struct xendev *dev = xb->devs[i];

		/* release() undoes a partial open() too. */
		dev->opened = true;
		if (dev->ops->open && (rc = dev->ops->open(dev)) < 0)
			goto fail;
		rc = dev_create(dev);
		if (rc < 0)
			goto fail;
		snprintf(token, sizeof(token), WATCH_TOKEN_PREFIX "%u", i);
		snprintf(path, sizeof(path), "%s/state", dev->fe_path);
		if (xb->xsh && !xs_watch(xb->xsh, path, token)) {
			rc = -errno;
			log_warn("%s: xenstore: watch %s", dev->label, path);
			goto fail;
		}
		set_be_state(dev, XenbusStateInitWait);
		log_info("%s: %s", dev->label, dev->be_path);
	}
	return 0;
fail:
	xenbus_backend_stop(xb);
	return rc;
}

void xenbus_backend_stop(struct xenbus_backend *xb)
{
	char token[32], path[160];
	struct itimerspec off = { { 0, 0 }, { 0, 0 } };

	if (xb->tfd >= 0)
		timerfd_settime(xb->tfd, 0, &off, NULL);
	for (unsigned i = 0; i < xb->n_devs; i++) {
		struct xendev *dev = xb->devs[i];

		snprintf(token, sizeof(token), WATCH_TOKEN_PREFIX "%u", i);
		snprintf(path, sizeof(path), "%s/state", dev->fe_path);
		if (xb->xsh)
			xs_unwatch(xb->xsh, path, token);	/* fails harmlessly if never set */
		dev_disconnect(dev);
		if (dev->opened && dev->ops->release)
			dev->ops->release(dev);
		free(dev->priv);
		free(dev);
		xb->devs[i] = NULL;
	}
	xb->n_devs = 0;
}

void xenbus_backend_dispose(struct xenbus_backend *xb)
{
	xenbus_backend_stop(xb);
	if (xb->xs_added)
		event_loop_del(xb->loop, &xb->xs_src);
	xb->xs_added = false;
	if (xb->t_added)
		event_loop_del(xb->loop, &xb->t_src);
	xb->t_added = false;
	if (xb->tfd >= 0)
		close(xb->tfd);
	xb->tfd = -1;
	if (xb->xsh)
		xs_close(xb->xsh);
	xb->xsh = NULL;
}
