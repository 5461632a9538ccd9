/*
 * PV console ring handling; see console_ring.h for the rules it follows.
 */
#include "console/console_ring.h"

#include <errno.h>
#include <string.h>

#include "common/log.h"

#define OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE	 sizeof(((struct xencons_interface *)0)->in)

/* A single, untorn read of an index the guest may be changing. */
static XENCONS_RING_IDX read_idx(const XENCONS_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void write_idx(XENCONS_RING_IDX *p, XENCONS_RING_IDX v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static int ring_break(struct console_ring *ring, const char *which, XENCONS_RING_IDX cons,
		      XENCONS_RING_IDX prod)
{
	if (!ring->broken)
		log_warnx("%s: guest corrupted the %s ring (cons %u, prod %u); console disabled",
			  ring->label, which, (unsigned)cons, (unsigned)prod);
	ring->broken = true;
	return -EPROTO;
}

void console_ring_init(struct console_ring *ring, struct xencons_interface *intf,
		       const char *label)
{
	ring->intf = intf;
	ring->label = label;
	ring->broken = false;
}

int console_ring_drain(struct console_ring *ring, console_sink_fn *sink, void *opaque,
		       size_t *moved_r)
{
	struct xencons_interface *intf = ring->intf;
	char buf[OUT_SIZE];
	XENCONS_RING_IDX cons, prod;
	size_t avail, accepted;

	*moved_r = 0;
	if (ring->broken)
		return -EPROTO;

	cons = read_idx(&intf->out_cons);
	prod = read_idx(&intf->out_prod);
	/* The data the guest wrote before moving prod must be read after prod. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);

	avail = (XENCONS_RING_IDX)(prod - cons);
	if (avail > OUT_SIZE)
		return ring_break(ring, "output", cons, prod);
	if (avail == 0)
		return 0;

	/* Copy out of shared memory before anyone looks at the bytes. */
	for (size_t i = 0; i < avail; i++)
		buf[i] = intf->out[MASK_XENCONS_IDX(cons + (XENCONS_RING_IDX)i, intf->out)];

	accepted = sink(opaque, buf, avail);
	if (accepted > avail)
		accepted = avail;
	if (accepted == 0)
		return 0;

	/* Our reads of the data must be done before the guest may reuse it. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	write_idx(&intf->out_cons, cons + (XENCONS_RING_IDX)accepted);
	*moved_r = accepted;
	return 0;
}

int console_ring_push(struct console_ring *ring, const char *buf, size_t len, size_t *pushed_r)
{
	struct xencons_interface *intf = ring->intf;
	XENCONS_RING_IDX cons, prod, used;
	size_t room, n;

	*pushed_r = 0;
	if (ring->broken)
		return -EPROTO;

	cons = read_idx(&intf->in_cons);
	prod = read_idx(&intf->in_prod);
	/* The guest's reads of the old bytes happen before it moves cons. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	used = prod - cons;
	if (used > IN_SIZE)
		return ring_break(ring, "input", cons, prod);

	room = IN_SIZE - used;
	n = len < room ? len : room;
	for (size_t i = 0; i < n; i++)
		intf->in[MASK_XENCONS_IDX(prod + (XENCONS_RING_IDX)i, intf->in)] = buf[i];

	/* The bytes must be visible before the new producer index. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	write_idx(&intf->in_prod, prod + (XENCONS_RING_IDX)n);
	*pushed_r = n;
	return 0;
}

size_t console_ring_out_pending(struct console_ring *ring)
{
	XENCONS_RING_IDX cons, prod, avail;

	if (ring->broken)
		return 0;
	cons = read_idx(&ring->intf->out_cons);
	prod = read_idx(&ring->intf->out_prod);
	avail = prod - cons;
	return avail > OUT_SIZE ? 0 : avail;
}
