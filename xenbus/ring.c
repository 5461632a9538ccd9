/*
 * Shared ring accessors; see ring.h for the rules they keep.
 */
#include "xenbus/ring.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int xen_ring_fail(struct xen_ring_fault *f, const char *fmt, ...)
{
	va_list ap;

	if (!xen_ring_failed(f)) {
		va_start(ap, fmt);
		vsnprintf(f->why, sizeof(f->why), fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

int xen_ring_take_prod(const uint32_t *shared_prod, uint32_t cons, uint32_t size,
		       const char *name, struct xen_ring_fault *f, uint32_t *prod_r)
{
	uint32_t prod = __atomic_load_n(shared_prod, __ATOMIC_RELAXED);

	__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* the index before the slots */
	if (prod - cons > size)
		return xen_ring_fail(f, "%s ring producer %u is impossible "
				     "(consumer %u, ring of %u)", name, prod, cons, size);
	*prod_r = prod;
	return 0;
}

int xen_ring_take_cons(const uint32_t *shared_cons, uint32_t prod, uint32_t size,
		       const char *name, struct xen_ring_fault *f, uint32_t *cons_r)
{
	uint32_t cons = __atomic_load_n(shared_cons, __ATOMIC_RELAXED);

	/* The frontend's reads of the old slots happen before it moves cons. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (prod - cons > size)
		return xen_ring_fail(f, "%s ring consumer %u is impossible "
				     "(producer %u, ring of %u)", name, cons, prod, size);
	*cons_r = cons;
	return 0;
}

void xen_ring_copy_slot(void *dst, const void *slot, size_t len)
{
	memcpy(dst, slot, len);
	/* The compiler must not read the slot again in place of the copy. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

bool xen_ring_publish(uint32_t *shared_prod, const uint32_t *shared_event, uint32_t new)
{
	uint32_t old = __atomic_load_n(shared_prod, __ATOMIC_RELAXED), event;

	if (old == new)
		return false;
	__atomic_thread_fence(__ATOMIC_RELEASE);	/* the slots before the index */
	__atomic_store_n(shared_prod, new, __ATOMIC_RELAXED);
	if (!shared_event)
		return true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* the index before reading the event */
	event = __atomic_load_n(shared_event, __ATOMIC_RELAXED);
	return (uint32_t)(new - event) < (uint32_t)(new - old);
}

void xen_ring_release(uint32_t *shared_cons, uint32_t cons)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* our reads before the frontend reuses */
	__atomic_store_n(shared_cons, cons, __ATOMIC_RELAXED);
}

void xen_ring_want_event(uint32_t *shared_event, uint32_t idx)
{
	__atomic_store_n(shared_event, idx, __ATOMIC_RELAXED);
	/* The request before looking at the producer again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool xen_ring_final_check(uint32_t *shared_event, const uint32_t *shared_prod, uint32_t cons)
{
	xen_ring_want_event(shared_event, cons + 1);
	return __atomic_load_n(shared_prod, __ATOMIC_RELAXED) != cons;
}
