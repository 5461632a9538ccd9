/*
 * PV console ring handling; see console_ring.h for the rules it follows.
 */
#include "console/console_ring.h"

#include <errno.h>
#include <string.h>

#include "common/log.h"

#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE	 sizeof(((struct xencons_interface *)0)->in)

/* Our own index, in shared memory too: one untorn read. */
static XENCONS_RING_IDX read_own(const XENCONS_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Says once why the ring is broken; every later call fails quietly. */
static int ring_break(struct console_ring *ring)
{
	log_warnx("%s: %s; console disabled", ring->label, ring->fault.why);
	return -EPROTO;
}

/* Copies n bytes from byte ring src of size bytes, from index idx, once. */
static void copy_out(char *dst, const char *src, size_t size, XENCONS_RING_IDX idx, size_t n)
{
	size_t at = idx & (size - 1), first = n < size - at ? n : size - at;

	xen_ring_copy_slot(dst, src + at, first);
	xen_ring_copy_slot(dst + first, src, n - first);
}

void console_ring_init(struct console_ring *ring, struct xencons_interface *intf,
		       const char *label)
{
	ring->intf = intf;
	ring->label = label;
	memset(&ring->fault, 0, sizeof(ring->fault));
}

int console_ring_drain(struct console_ring *ring, console_sink_fn *sink, void *opaque,
		       size_t *moved_r)
{
	struct xencons_interface *intf = ring->intf;
	char buf[OUT_SIZE];
	XENCONS_RING_IDX cons, prod;
	size_t avail, accepted;

	*moved_r = 0;
	if (xen_ring_failed(&ring->fault))
		return -EPROTO;
	cons = read_own(&intf->out_cons);
	if (xen_ring_take_prod(&intf->out_prod, cons, OUT_SIZE, "output", &ring->fault, &prod) < 0)
		return ring_break(ring);
	avail = (XENCONS_RING_IDX)(prod - cons);
	if (avail == 0)
		return 0;
	copy_out(buf, intf->out, OUT_SIZE, cons, avail);
	accepted = sink(opaque, buf, avail);
	if (accepted > avail)
		accepted = avail;
	if (accepted == 0)
		return 0;
	xen_ring_release(&intf->out_cons, cons + (XENCONS_RING_IDX)accepted);
	*moved_r = accepted;
	return 0;
}

int console_ring_push(struct console_ring *ring, const char *buf, size_t len, size_t *pushed_r)
{
	struct xencons_interface *intf = ring->intf;
	XENCONS_RING_IDX cons, prod, used;
	size_t room, n;

	*pushed_r = 0;
	if (xen_ring_failed(&ring->fault))
		return -EPROTO;
	prod = read_own(&intf->in_prod);
	if (xen_ring_take_cons(&intf->in_cons, prod, IN_SIZE, "input", &ring->fault, &cons) < 0)
		return ring_break(ring);
	used = prod - cons;
	room = IN_SIZE - used;
	n = len < room ? len : room;
	for (size_t i = 0; i < n; i++)
		intf->in[MASK_XENCONS_IDX(prod + (XENCONS_RING_IDX)i, intf->in)] = buf[i];
	xen_ring_publish(&intf->in_prod, NULL, prod + (XENCONS_RING_IDX)n);
	*pushed_r = n;
	return 0;
}

size_t console_ring_out_pending(struct console_ring *ring)
{
	struct xen_ring_fault scratch = { "" };	/* a look only: the ring stays as it is */
	XENCONS_RING_IDX cons, prod;

	if (xen_ring_failed(&ring->fault))
		return 0;
	cons = read_own(&ring->intf->out_cons);
	if (xen_ring_take_prod(&ring->intf->out_prod, cons, OUT_SIZE, "output", &scratch,
			       &prod) < 0)
		return 0;
	return prod - cons;
}
