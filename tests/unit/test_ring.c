/* xenbus/ring: the one set of ring accessors, against hostile indices. */
#include "xenbus/ring.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <string.h>

static void test_take_prod_in_range(void)
{
	struct xen_ring_fault f = { "" };
	uint32_t prod = 7, got = 0;

	CU_ASSERT_EQUAL(xen_ring_take_prod(&prod, 3, 32, "request", &f, &got), 0);
	CU_ASSERT_EQUAL(got, 7);
	/* A full ring, and an empty one, across the 2^32 wrap. */
	prod = 12;
	CU_ASSERT_EQUAL(xen_ring_take_prod(&prod, UINT32_MAX - 19, 32, "request", &f, &got), 0);
	CU_ASSERT_EQUAL(got, 12);
	prod = 5;
	CU_ASSERT_EQUAL(xen_ring_take_prod(&prod, 5, 32, "request", &f, &got), 0);
	CU_ASSERT_FALSE(xen_ring_failed(&f));
}

static void test_take_prod_hostile(void)
{
	struct xen_ring_fault f = { "" };
	uint32_t prod, got = 99;

	/* One more than the ring holds. */
	prod = 3 + 33;
	CU_ASSERT_EQUAL(xen_ring_take_prod(&prod, 3, 32, "request", &f, &got), -EPROTO);
	CU_ASSERT_EQUAL(got, 99);
	CU_ASSERT_STRING_EQUAL(f.why, "request ring producer 36 is impossible (consumer 3, ring of 32)");
	/* Behind the consumer: the first reason stays. */
	prod = 2;
	CU_ASSERT_EQUAL(xen_ring_take_prod(&prod, 3, 32, "tx", &f, &got), -EPROTO);
	CU_ASSERT_STRING_EQUAL(f.why, "request ring producer 36 is impossible (consumer 3, ring of 32)");
	CU_ASSERT_TRUE(xen_ring_failed(&f));
}

static void test_take_cons(void)
{
	struct xen_ring_fault f = { "" };
	uint32_t cons = 10, got = 0;

	CU_ASSERT_EQUAL(xen_ring_take_cons(&cons, 42, 32, "in", &f, &got), 0);
	CU_ASSERT_EQUAL(got, 10);
	cons = 43;	/* ahead of what we produced */
	CU_ASSERT_EQUAL(xen_ring_take_cons(&cons, 42, 32, "in", &f, &got), -EPROTO);
	CU_ASSERT_STRING_EQUAL(f.why, "in ring consumer 43 is impossible (producer 42, ring of 32)");
	memset(&f, 0, sizeof(f));
	cons = 9;	/* more than the ring behind */
	CU_ASSERT_EQUAL(xen_ring_take_cons(&cons, 42, 32, "in", &f, &got), -EPROTO);
	CU_ASSERT_STRING_EQUAL(f.why, "in ring consumer 9 is impossible (producer 42, ring of 32)");
}

static void test_copy_slot(void)
{
	uint8_t slot[16], copy[16];

	for (unsigned i = 0; i < sizeof(slot); i++)
		slot[i] = (uint8_t)(i * 7);
	xen_ring_copy_slot(copy, slot, sizeof(slot));
	slot[3] = 0xff;	/* the guest rewrites it: the copy stays */
	CU_ASSERT_EQUAL(copy[3], 21);
	CU_ASSERT_EQUAL(copy[15], 105);
}

static void test_publish_notify(void)
{
	uint32_t prod = 10, event = 11;

	/* Nothing new: no store, no notification. */
	CU_ASSERT_FALSE(xen_ring_publish(&prod, &event, 10));
	/* The frontend waits for index 11: 10 -> 12 passes it. */
	CU_ASSERT_TRUE(xen_ring_publish(&prod, &event, 12));
	CU_ASSERT_EQUAL(prod, 12);
	/* It waits for 20: 12 -> 15 does not reach it. */
	event = 20;
	CU_ASSERT_FALSE(xen_ring_publish(&prod, &event, 15));
	CU_ASSERT_EQUAL(prod, 15);
	/* Across the wrap, the event exactly at the new index. */
	prod = UINT32_MAX - 1;
	event = 1;
	CU_ASSERT_TRUE(xen_ring_publish(&prod, &event, 1));
	/* A hostile event index far away asks for nothing. */
	event = 0x80000000u;
	CU_ASSERT_FALSE(xen_ring_publish(&prod, &event, 5));
	/* Without an event index, any move notifies. */
	CU_ASSERT_TRUE(xen_ring_publish(&prod, NULL, 6));
	CU_ASSERT_FALSE(xen_ring_publish(&prod, NULL, 6));
}

static void test_release_and_final_check(void)
{
	uint32_t cons = 0, event = 0, prod = 8;

	xen_ring_release(&cons, 8);
	CU_ASSERT_EQUAL(cons, 8);
	CU_ASSERT_FALSE(xen_ring_final_check(&event, &prod, 8));
	CU_ASSERT_EQUAL(event, 9);
	prod = 9;
	CU_ASSERT_TRUE(xen_ring_final_check(&event, &prod, 8));
	xen_ring_want_event(&event, 12);
	CU_ASSERT_EQUAL(event, 12);
}

static CU_TestInfo tests[] = {
	{ "producer within the ring, across the wrap", test_take_prod_in_range },
	{ "impossible producer is refused, first reason kept", test_take_prod_hostile },
	{ "frontend consumer ahead or too far behind is refused", test_take_cons },
	{ "a slot is copied once", test_copy_slot },
	{ "publish notifies only when asked", test_publish_notify },
	{ "release and the final check for requests", test_release_and_final_check },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("ring", tests)
