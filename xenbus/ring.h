/*
 * The one set of accessors for the shared rings of every backend (blkif,
 * netif, console, fb, kbd). A ring lives in memory the guest can write at
 * any time, so:
 *
 *   - an index the frontend writes is read once, then a barrier orders the
 *     slot reads after it, and its distance to our own index is checked
 *     against the ring size before anything follows it
 *     (xen_ring_take_prod(), xen_ring_take_cons());
 *   - a slot is copied out of shared memory once and only the copy is
 *     looked at (xen_ring_copy_slot());
 *   - our responses become visible before our producer index, and the
 *     frontend is notified only when its event index asks for it
 *     (xen_ring_publish()), as ring.h's RING_PUSH_RESPONSES_AND_CHECK_NOTIFY.
 *
 * A frontend that breaks the protocol is reported one way: the helper that
 * sees it records the reason in the ring's struct xen_ring_fault (the first
 * reason is kept) and returns -EPROTO; the owner of the device says it once
 * (xendev_fail() for a xenbus device) and stops using the ring.
 *
 * The functions take plain pointers to the shared indices, so the unit
 * tests and the fuzz targets drive them over ordinary memory.
 */
#ifndef XENBUS_RING_H
#define XENBUS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xen_ring_fault {
	char why[160];		/* "" while the ring is sound */
};

/* Records the first violation (later ones are dropped); returns -EPROTO. */
int xen_ring_fail(struct xen_ring_fault *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline bool xen_ring_failed(const struct xen_ring_fault *f)
{
	return f->why[0] != '\0';
}

/*
 * The frontend's producer index of ring NAME (for the reason text, e.g.
 * "request"), of size entries, which we consume from cons. *prod_r is
 * valid when 0 is returned; -EPROTO (fault recorded) when prod is more
 * than size ahead of cons, or behind it.
 */
int xen_ring_take_prod(const uint32_t *shared_prod, uint32_t cons, uint32_t size,
		       const char *name, struct xen_ring_fault *f, uint32_t *prod_r);
/*
 * The frontend's consumer index of ring NAME, which we produce into up to
 * prod: 0 with *cons_r, or -EPROTO (fault recorded) when cons is ahead of
 * prod or more than size behind it.
 */
int xen_ring_take_cons(const uint32_t *shared_cons, uint32_t prod, uint32_t size,
		       const char *name, struct xen_ring_fault *f, uint32_t *cons_r);

/* Copies len bytes of a slot out of shared memory; only dst is used after. */
void xen_ring_copy_slot(void *dst, const void *slot, size_t len);

/*
 * Makes our producer index new visible after the slots it covers. With an
 * event index (shared_event non-NULL): returns true when the frontend asked
 * to be notified of some index in (old, new]; without one, true when the
 * index moved.
 */
bool xen_ring_publish(uint32_t *shared_prod, const uint32_t *shared_event, uint32_t new);

/* Gives the consumed slots up to cons back to the frontend, after our reads. */
void xen_ring_release(uint32_t *shared_cons, uint32_t cons);

/* Asks the frontend for an event when its producer reaches idx. */
void xen_ring_want_event(uint32_t *shared_event, uint32_t idx);

/*
 * RING_FINAL_CHECK_FOR_REQUESTS: asks for an event when the producer
 * passes cons, then looks again; true when more requests arrived.
 */
bool xen_ring_final_check(uint32_t *shared_event, const uint32_t *shared_prod, uint32_t cons);

#endif
