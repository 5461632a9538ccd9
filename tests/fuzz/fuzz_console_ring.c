/*
 * The PV console ring (console/console_ring.h) as a hostile guest writes
 * it: the input is the four indices (in_cons, in_prod, out_cons, out_prod,
 * 4 bytes each), a byte saying how much the sink takes each call, the out
 * ring's bytes, then input for the guest. Invariants: the sink gets no more than the ring holds, drains
 * consume only what the sink accepted, a broken ring stays broken, and
 * pushes never pass the in ring's free space.
 */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <string.h>

#include "console/console_ring.h"

static size_t sink_limit, sink_total;

static size_t sink(void *opaque, const char *buf, size_t len)
{
	size_t n = len < sink_limit ? len : sink_limit;

	FUZZ_CHECK(len <= sizeof(((struct xencons_interface *)0)->out));
	sink_total += n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xencons_interface intf;
	struct console_ring ring;
	XENCONS_RING_IDX idx[4] = { 0 }, in_prod_before;
	size_t n = size < sizeof(idx) ? size : sizeof(idx), off = n, moved, pushed;
	int rc;

	fuzz_quiet_log();
	memset(&intf, 0, sizeof(intf));
	memcpy(idx, data, n);
	intf.in_cons = idx[0];
	intf.in_prod = idx[1];
	intf.out_cons = idx[2];
	intf.out_prod = idx[3];
	sink_limit = off < size ? data[off++] * 8u : sizeof(intf.out);
	n = size - off < sizeof(intf.out) / 2 ? size - off : sizeof(intf.out) / 2;
	memcpy(intf.out + (intf.out_cons & (sizeof(intf.out) - 1)) / 2, data + off, n);
	off += n;
	sink_total = 0;
	console_ring_init(&ring, &intf, "console/fuzz");
	for (int round = 0; round < 4; round++) {
		XENCONS_RING_IDX cons = intf.out_cons;

		rc = console_ring_drain(&ring, sink, NULL, &moved);
		FUZZ_CHECK(rc == 0 || rc == -EPROTO);
		if (rc < 0) {
			FUZZ_CHECK(xen_ring_failed(&ring.fault));
			break;
		}
		FUZZ_CHECK(moved <= sizeof(intf.out));
		FUZZ_CHECK((XENCONS_RING_IDX)(intf.out_cons - cons) == moved);
	}
	FUZZ_CHECK(sink_total <= 4 * sizeof(intf.out));
	in_prod_before = intf.in_prod;
	rc = console_ring_push(&ring, (const char *)data + off, size - off, &pushed);
	FUZZ_CHECK(rc == 0 || rc == -EPROTO);
	FUZZ_CHECK(rc < 0 || pushed <= sizeof(intf.in));
	FUZZ_CHECK(rc < 0 || (XENCONS_RING_IDX)(intf.in_prod - in_prod_before) == pushed);
	if (xen_ring_failed(&ring.fault)) {
		FUZZ_CHECK(console_ring_drain(&ring, sink, NULL, &moved) == -EPROTO);
		FUZZ_CHECK(console_ring_push(&ring, "x", 1, &pushed) == -EPROTO);
	}
	return 0;
}
