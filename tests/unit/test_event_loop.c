/* common/event_loop: dispatch, and removal during a round. */
#include "common/event_loop.h"
#include "tests/unit/unit.h"

#include <sys/epoll.h>
#include <unistd.h>

static int calls_a, calls_b;
static struct event_loop *the_loop;
static struct event_source *victim;

static void on_a(struct event_source *src, uint32_t events)
{
	calls_a++;
	if (victim)
		event_loop_del(the_loop, victim);
}

static void on_b(struct event_source *src, uint32_t events)
{
	calls_b++;
	if (victim)
		event_loop_del(the_loop, victim);
}

static void test_dispatch_and_removal(void)
{
	struct event_loop el;
	struct event_source a, b;
	int pa[2], pb[2];

	CU_ASSERT_EQUAL_FATAL(event_loop_init(&el), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(pa), 0);
	CU_ASSERT_EQUAL_FATAL(pipe(pb), 0);
	event_source_init(&a, pa[0], on_a, NULL);
	event_source_init(&b, pb[0], on_b, NULL);
	CU_ASSERT_EQUAL(event_loop_add(&el, &a, EPOLLIN), 0);
	CU_ASSERT_EQUAL(event_loop_add(&el, &b, EPOLLIN), 0);
	CU_ASSERT_EQUAL(event_loop_run_once(&el, 0), 0);

	CU_ASSERT_EQUAL(write(pa[1], "x", 1), 1);
	CU_ASSERT_EQUAL(event_loop_run_once(&el, 100), 1);
	CU_ASSERT_EQUAL(calls_a, 1);

	/* Both ready; whichever runs first removes the other: one call only. */
	calls_a = calls_b = 0;
	the_loop = &el;
	CU_ASSERT_EQUAL(write(pb[1], "x", 1), 1);
	victim = &b;
	CU_ASSERT_EQUAL(event_loop_run_once(&el, 100), 2);
	CU_ASSERT_EQUAL(calls_a + calls_b, calls_b ? 2 : 1);
	victim = NULL;
	event_loop_del(&el, &b);	/* idempotent */
	event_loop_del(&el, &a);
	CU_ASSERT_EQUAL(event_loop_run_once(&el, 0), 0);
	close(pa[0]); close(pa[1]); close(pb[0]); close(pb[1]);
	event_loop_dispose(&el);
}

static CU_TestInfo tests[] = {
	{ "dispatches, and a removed source is not called", test_dispatch_and_removal },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("event_loop", tests)
