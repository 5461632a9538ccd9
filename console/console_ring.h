/*
 * The PV console ring (xen/include/public/io/console.h) as seen from the
 * backend: the guest produces into `out` and we consume, we produce into
 * `in` and the guest consumes.
 *
 * The ring lives in memory the guest can write at any time: its indices
 * and bytes go through the xenbus/ring accessors, and every index is masked
 * before use. A ring whose indices make no sense is broken (its fault says
 * why, in one log line naming the console) and every later call fails with
 * -EPROTO; the process never crashes over it.
 *
 * The functions work on any struct xencons_interface in memory, so the
 * unit tests drive them with a plain struct; console_ring_map() (below)
 * is the part that talks to Xen.
 */
#ifndef CONSOLE_CONSOLE_RING_H
#define CONSOLE_CONSOLE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/console.h>

#include "xenbus/ring.h"

/*
 * Where guest output goes. Called with the bytes that are pending in the
 * ring (copied out of shared memory first); returns how many it accepted,
 * 0 .. len. Bytes not accepted stay in the ring: that is the back-pressure,
 * the guest blocks on a full ring instead of output being lost.
 */
typedef size_t console_sink_fn(void *opaque, const char *buf, size_t len);

struct console_ring {
	struct xencons_interface *intf;	/* shared page, or a test's struct */
	const char *label;		/* for log lines, e.g. "console/3" */
	struct xen_ring_fault fault;	/* set once, on the first bad index */
};

void console_ring_init(struct console_ring *ring, struct xencons_interface *intf,
		       const char *label);

/*
 * Moves pending guest output to `sink` and consumes only what it accepted.
 * *moved_r gets the number of bytes consumed (the caller notifies the guest
 * when it is non-zero). Returns 0, or -EPROTO when the ring is (now) broken.
 */
int console_ring_drain(struct console_ring *ring, console_sink_fn *sink, void *opaque,
		       size_t *moved_r);

/*
 * Copies up to `len` bytes of input for the guest into `in`, as many as
 * there is room for. *pushed_r gets the number copied (0 when the ring is
 * full: keep the rest and retry after the guest's next event).
 * Returns 0, or -EPROTO when the ring is (now) broken.
 */
int console_ring_push(struct console_ring *ring, const char *buf, size_t len,
		      size_t *pushed_r);

/* Bytes of guest output pending, 0 when broken or empty (for tests/info). */
size_t console_ring_out_pending(struct console_ring *ring);

#endif
