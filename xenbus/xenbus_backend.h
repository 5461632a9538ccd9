/*
 * The xenbus backend core: every PV device the launcher serves (vbd, vif,
 * vfb, vkbd) is a struct xendev driven by one struct backend_ops. The core
 * knows no device: the launcher hands it the table of backend types to
 * serve (struct xenbus_backend_type: the ops, and a context its devices get
 * as xendev->ctx, such as the display for vfb and vkbd). The core owns what
 * all devices share:
 *
 *   - discovery: each type's discover() finds its devices in the launch
 *     config and calls xenbus_backend_add() for each;
 *   - xenstore: the frontend directory /local/domain/N/device/TYPE/ID (owner
 *     the guest, dom0 may read) and the backend directory
 *     /local/domain/0/backend/TYPE/N/ID (owner dom0, the guest may read),
 *     written with the type's own nodes in one transaction per device;
 *   - the XenbusState handshake (xen/include/public/io/xenbus.h), driven by
 *     a watch on the frontend's "state" node:
 *         init() -> InitWait; frontend Initialised/Connected -> connect()
 *         -> Connected; frontend Closing -> disconnect() -> Closing;
 *         frontend Closed -> disconnect() -> Closed, and the device's
 *         xenstore directories are created anew a moment later (as a
 *         toolstack re-adding it), so a frontend that comes back
 *         (unbind/bind, module reload) finds a fresh device: Linux's
 *         blkfront never leaves Closed by itself. The delay doubles with
 *         each close soon after a re-creation (1 s up to 64 s), so a guest
 *         cycling its frontend costs the host little;
 *   - host resources: open() runs once per device when the devices start
 *     and release() when they stop, never because of a frontend: a NIC's
 *     tap and its script= run once, whatever the guest does to its
 *     frontend (only a guest reboot, which rebuilds the domain, makes them
 *     anew);
 *   - a budget of log lines per device (XENDEV_LOG_BURST a minute, then
 *     one "N more ... suppressed" line) for what a frontend can repeat at
 *     will: connects, disconnects, failures, resizes;
 *   - one event channel (libxenevtchn) and one grant handle (libxengnttab)
 *     per device, and the device's event source in the launcher's loop;
 *   - failure containment: xendev_fail() logs ONE line, disconnects the
 *     device, marks it broken and moves it to Closing; nothing a frontend
 *     does ends the process. A broken device comes back when its frontend
 *     closes and starts again.
 *
 * Everything runs on the event loop's thread. Backends that use worker
 * threads keep them away from the xendev (they talk through their own
 * queues and an event source of their own, see xendev_loop()).
 */
#ifndef XENBUS_XENBUS_BACKEND_H
#define XENBUS_XENBUS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenctrl.h>	/* first: it sets up the Xen public headers for tools */
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>
#include <xen/io/xenbus.h>

#include "model/config.h"
#include "common/event_loop.h"

struct xendev;
struct xenbus_backend;

struct backend_ops {
	const char *type;	/* xenstore class: "vbd", "vif", "console", "vfb", "vkbd" */
	size_t priv_size;	/* private state, zeroed, at xendev->priv */
	/* Calls xenbus_backend_add() for each device of this type in cfg. 0 or -errno. */
	int (*discover)(struct xenbus_backend *xb, const struct launch_config *cfg);
	/* Optional: opens the device's host resources (disk, tap, scripts)
	 * once, when the devices start; no xenstore, no guest memory.
	 * 0 or -errno (the guest does not start). */
	int (*open)(struct xendev *dev);
	/* Writes the device's nodes (xendev_be_printf, xendev_fe_printf, inside
	 * the device's creation transaction), each time the device is created
	 * for its frontend. 0 or -errno. */
	int (*init)(struct xendev *dev);
	/* Reads the frontend's transport nodes, maps rings, binds the event
	 * channel (xendev_bind_evtchn). 0, or -errno after xendev_fail(). */
	int (*connect)(struct xendev *dev);
	/* The event channel fired: drain the ring. Never fatal to the process. */
	void (*event)(struct xendev *dev);
	/* Optional: a frontend node other than "state" changed. */
	void (*frontend_changed)(struct xendev *dev, const char *node);
	/* Undoes connect(); idempotent, also called on a never-connected device. */
	void (*disconnect)(struct xendev *dev);
	/* Optional: undoes open() when the devices stop (domain gone, exit). */
	void (*release)(struct xendev *dev);
};

/*
 * A budget of log lines: XENDEV_LOG_BURST lines per XENDEV_LOG_WINDOW_MS,
 * the rest counted and reported in one line when the next window opens.
 */
#define XENDEV_LOG_BURST 8
#define XENDEV_LOG_WINDOW_MS 60000L

struct xendev_log_budget {
	long window_start_ms;
	unsigned used;			/* lines logged in this window */
	unsigned long suppressed;	/* lines not logged in the last full window(s) */
};

struct xendev {
	const struct backend_ops *ops;
	struct xenbus_backend *xb;
	uint32_t domid;
	unsigned devid;			/* the xenstore device id */
	const void *conf;		/* the config item discover() passed */
	void *ctx;			/* its type's context (struct xenbus_backend_type) */
	char label[48];			/* "vbd/5/51712": the prefix of every log line */
	char be_path[96];
	char fe_path[96];
	enum xenbus_state be_state;
	enum xenbus_state fe_state;
	bool opened;			/* open() succeeded; release() is owed */
	bool connected;			/* connect() succeeded; disconnect() is owed */
	bool broken;			/* xendev_fail() was called; waits for the frontend */
	bool recreate_pending;		/* removed after the frontend closed; created again soon */
	long recreate_at_ms;		/* when (CLOCK_MONOTONIC) */
	long recreated_ms;		/* the last re-creation, 0 if none */
	unsigned recreate_delay_ms;	/* the last delay; doubles while the frontend cycles */
	struct xendev_log_budget log_budget;
	xengnttab_handle *xgt;		/* open while connected */
	xenevtchn_handle *xce;
	evtchn_port_t local_port;
	bool bound;
	struct event_source ev_src;
	xs_transaction_t t;		/* the creation transaction, during init() only */
	void *priv;
};

/* One backend type the launcher serves; the table gives the start order. */
struct xenbus_backend_type {
	const struct backend_ops *ops;
	void *ctx;			/* borrowed; each device's xendev->ctx */
};

#define XENBUS_MAX_DEVICES 64

struct xenbus_backend {
	struct event_loop *loop;	/* borrowed */
	const struct xenbus_backend_type *types;	/* borrowed */
	size_t n_types;
	struct xs_handle *xsh;		/* our own connection: our watches only */
	struct event_source xs_src;
	bool xs_added;
	int tfd;			/* timerfd: devices created again after a close */
	struct event_source t_src;
	bool t_added;
	uint32_t domid;
	struct xendev *devs[XENBUS_MAX_DEVICES];
	unsigned n_devs;
};

/* types (borrowed, may be empty for tests that add devices themselves):
 * what xenbus_backend_start() discovers, in that order. */
void xenbus_backend_init(struct xenbus_backend *xb, struct event_loop *loop,
			 const struct xenbus_backend_type *types, size_t n_types);
/* Connects to xenstored and adds its fd to the loop. 0 or -errno (logged). */
int xenbus_backend_open(struct xenbus_backend *xb);
/*
 * Creates every device of cfg for domain domid: discovery, nodes, init(),
 * the watch on each frontend's state, backend state InitWait. Call after the
 * domain's xenstore directories exist and before it runs. 0 or -errno
 * (logged); on failure nothing of the devices is left (xenstore nodes are
 * removed with the domain's directories by the machine).
 */
int xenbus_backend_start(struct xenbus_backend *xb, uint32_t domid,
			 const struct launch_config *cfg);
/* xenbus_backend_start() after discovery: opens and creates every device
 * added (also for unit tests, with devices of their own). 0 or -errno; on
 * failure every device is gone. */
int xenbus_backend_create(struct xenbus_backend *xb);
/* Disconnects and releases every device, drops the watches. Idempotent. */
void xenbus_backend_stop(struct xenbus_backend *xb);
/* Stops, then closes the xenstore connection. Idempotent. */
void xenbus_backend_dispose(struct xenbus_backend *xb);

/* For discover(): one device of type ops with xenstore id devid. 0 or -errno. */
int xenbus_backend_add(struct xenbus_backend *xb, const struct backend_ops *ops,
		       unsigned devid, const void *conf);

/* ---- for backends ---------------------------------------------------- */

/* Writes backend/frontend node NODE (relative to the device's directory).
 * Inside init() they join the creation transaction. 0 or -errno. */
int xendev_be_printf(struct xendev *dev, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int xendev_fe_printf(struct xendev *dev, const char *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Reads frontend node NODE as an unsigned decimal (untrusted: digits only,
 * no sign, no spaces, at most UINT32_MAX). 0, -ENOENT when absent, -EINVAL
 * when malformed.
 */
int xendev_fe_read_u32(struct xendev *dev, const char *node, uint32_t *v_r);
/* Frontend node NODE as a string (malloc'd, at most 256 bytes); NULL when absent. */
char *xendev_fe_read(struct xendev *dev, const char *node);

/* Binds the frontend's event channel; events then call ops->event(). 0 or -errno. */
int xendev_bind_evtchn(struct xendev *dev, uint32_t remote_port);
void xendev_unbind_evtchn(struct xendev *dev);
void xendev_notify(struct xendev *dev);

/* Maps n grant references of the frontend, contiguous, prot PROT_READ and/or
 * PROT_WRITE; NULL with errno set when any of them cannot be mapped. */
void *xendev_map_grants(struct xendev *dev, const uint32_t *refs, unsigned n, int prot);
void xendev_unmap_grants(struct xendev *dev, void *addr, unsigned n);
/* Copies between the frontend's grants and our memory (GNTTABOP_copy), n
 * segments in one call; each segment's status says whether it was copied.
 * 0 when the batch ran, or -errno when it could not run at all. */
int xendev_grant_copy(struct xendev *dev, xengnttab_grant_copy_segment_t *segs, unsigned n);

/* The device is unusable because of its frontend: one log line, disconnect,
 * backend state Closing. Further calls are silent. */
void xendev_fail(struct xendev *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "LABEL: message" at info level, within the device's log budget: for lines
 * a frontend can cause again and again (connects, disconnects, resizes). */
void xendev_log(struct xendev *dev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * True when budget b (NULL: no budget) allows one more line now; when a new
 * window opens after suppressed lines, first logs "LABEL: N more lines about
 * this device suppressed".
 */
bool xendev_log_budget_take(struct xendev_log_budget *b, const char *label);

/*
 * A frontend's string as it may be logged: printable ASCII kept, a
 * backslash doubled, anything else \xNN, cut to fit out (with "..."
 * at the end when cut). Returns out. Every frontend string that reaches a
 * log line goes through it: a guest must not forge or break log lines.
 */
#define XENDEV_ESCAPED_MAX 72
const char *xendev_escape(const char *s, char out[XENDEV_ESCAPED_MAX]);

struct event_loop *xendev_loop(struct xendev *dev);

/* Only for unit tests: runs the state machine for a new frontend state. */
void xendev_frontend_state(struct xendev *dev, enum xenbus_state fe);
/* Creates again every closed device whose delay has passed at now_ms
 * (CLOCK_MONOTONIC); the timer calls it, unit tests too. */
void xenbus_backend_recreate_due(struct xenbus_backend *xb, long now_ms);

#endif
