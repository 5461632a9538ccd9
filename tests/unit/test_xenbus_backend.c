/*
 * xenbus/xenbus_backend's core without xenstore: the state machine, what a
 * frontend that closes and comes back costs the host (host resources made
 * once, re-creation later each time), the per-device log budget and the
 * escaping of frontend strings in log lines.
 */
#include "xenbus/xenbus_backend.h"
#include "common/log.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned n_open, n_init, n_connect, n_disconnect, n_release;
static int connect_rc;

static int sm_open(struct xendev *dev) { n_open++; return 0; }
static int sm_init(struct xendev *dev) { n_init++; return 0; }
static int sm_connect(struct xendev *dev) { n_connect++; return connect_rc; }
static void sm_disconnect(struct xendev *dev) { n_disconnect++; }
static void sm_release(struct xendev *dev) { n_release++; }

static const struct backend_ops sm_ops = {
	.type = "test",
	.open = sm_open,
	.init = sm_init,
	.connect = sm_connect,
	.disconnect = sm_disconnect,
	.release = sm_release,
};

/* One device of sm_ops on a backend with no xenstore, created. */
static struct xendev *rig_start(struct event_loop *loop, struct xenbus_backend *xb)
{
	CU_ASSERT_FATAL(event_loop_init(loop) == 0);
	xenbus_backend_init(xb, loop, NULL, 0);
	xb->domid = 1;
	n_open = n_init = n_connect = n_disconnect = n_release = 0;
	connect_rc = 0;
	CU_ASSERT_FATAL(xenbus_backend_add(xb, &sm_ops, 0, NULL) == 0);
	CU_ASSERT_FATAL(xenbus_backend_create(xb) == 0);
	return xb->devs[0];
}

static void rig_stop(struct event_loop *loop, struct xenbus_backend *xb)
{
	xenbus_backend_dispose(xb);
	event_loop_dispose(loop);
}

/* The frontend closes; the device comes back when its delay has passed. */
static void close_and_recreate(struct xenbus_backend *xb, struct xendev *dev)
{
	xendev_frontend_state(dev, XenbusStateClosing);
	xendev_frontend_state(dev, XenbusStateClosed);
	CU_ASSERT_EQUAL(dev->be_state, XenbusStateClosed);
	CU_ASSERT_TRUE(dev->recreate_pending);
	xenbus_backend_recreate_due(xb, dev->recreate_at_ms - 1);
	CU_ASSERT_TRUE(dev->recreate_pending);		/* not before its time */
	xenbus_backend_recreate_due(xb, dev->recreate_at_ms);
	CU_ASSERT_FALSE(dev->recreate_pending);
	CU_ASSERT_EQUAL(dev->be_state, XenbusStateInitWait);
}

static void test_state_machine(void)
{
	struct event_loop loop;
	struct xenbus_backend xb;
	struct xendev *dev = rig_start(&loop, &xb);

	CU_ASSERT_EQUAL(dev->be_state, XenbusStateInitWait);
	xendev_frontend_state(dev, XenbusStateInitialising);
	CU_ASSERT_EQUAL(dev->be_state, XenbusStateInitWait);
	xendev_frontend_state(dev, XenbusStateInitialised);
	CU_ASSERT_EQUAL(dev->be_state, XenbusStateConnected);
	CU_ASSERT_EQUAL(n_connect, 1);
	xendev_frontend_state(dev, XenbusStateConnected);	/* no second connect */
	CU_ASSERT_EQUAL(n_connect, 1);
	/* Module unload: Closing, Closed; the device is created again for it. */
	xendev_frontend_state(dev, XenbusStateClosing);
	CU_ASSERT_EQUAL(dev->be_state, XenbusStateClosing);
	CU_ASSERT_FALSE(dev->connected);
	close_and_recreate(&xb, dev);
	xendev_frontend_state(dev, XenbusStateInitialised);	/* module reload */
	CU_ASSERT_EQUAL(dev->be_state, XenbusStateConnected);
	CU_ASSERT_EQUAL(n_connect, 2);

	/* A frontend whose connect fails: broken, Closing, until it restarts. */
	close_and_recreate(&xb, dev);
	connect_rc = -EPROTO;
	xendev_frontend_state(dev, XenbusStateInitialised);
	CU_ASSERT_TRUE(dev->broken);
	CU_ASSERT_EQUAL(dev->be_state, XenbusStateClosing);
	xendev_frontend_state(dev, XenbusStateConnected);	/* ignored while broken */
	CU_ASSERT_EQUAL(n_connect, 3);
	connect_rc = 0;
	close_and_recreate(&xb, dev);
	CU_ASSERT_FALSE(dev->broken);
	xendev_frontend_state(dev, XenbusStateInitialised);
	CU_ASSERT_EQUAL(dev->be_state, XenbusStateConnected);
	CU_ASSERT(n_disconnect >= 3);
	rig_stop(&loop, &xb);
}

/*
 * A frontend that closes and comes back again and again: the device's host
 * resources (a NIC's tap and script=) are made once and released once, at
 * the end; only its xenstore nodes are written again, each time later
 * than the last while the frontend keeps cycling (1 s, 2 s, ... 64 s).
 */
static void test_frontend_cycling(void)
{
	static const unsigned want_delay_s[] = { 1, 2, 4, 8, 16, 32, 64, 64 };
	struct event_loop loop;
	struct xenbus_backend xb;
	struct xendev *dev = rig_start(&loop, &xb);

	CU_ASSERT_EQUAL(n_open, 1);
	CU_ASSERT_EQUAL(n_init, 1);
	for (unsigned i = 0; i < sizeof(want_delay_s) / sizeof(want_delay_s[0]); i++) {
		xendev_frontend_state(dev, XenbusStateInitialised);
		CU_ASSERT_EQUAL(dev->be_state, XenbusStateConnected);
		close_and_recreate(&xb, dev);
		CU_ASSERT_EQUAL(dev->recreate_delay_ms, want_delay_s[i] * 1000);
	}
	CU_ASSERT_EQUAL(n_connect, 8);
	CU_ASSERT_EQUAL(n_init, 9);		/* the nodes, each time */
	CU_ASSERT_EQUAL(n_open, 1);		/* the tap and its script, once */
	CU_ASSERT_EQUAL(n_release, 0);

	/* Calm for a minute after the last re-creation (the test's clock ran
	 * ahead by the delays): back to 1 s. */
	dev->recreated_ms -= 60000 + 64000;
	xendev_frontend_state(dev, XenbusStateInitialised);
	close_and_recreate(&xb, dev);
	CU_ASSERT_EQUAL(dev->recreate_delay_ms, 1000);

	xenbus_backend_stop(&xb);
	CU_ASSERT_EQUAL(n_release, 1);
	CU_ASSERT_EQUAL(n_open, 1);
	rig_stop(&loop, &xb);
}

/*
 * 100 connect/disconnect cycles as fast as a frontend can: at most
 * XENDEV_LOG_BURST lines, then, when the next window opens, one line that
 * counts the rest.
 */
static void test_log_budget(void)
{
	struct event_loop loop;
	struct xenbus_backend xb;
	struct xendev *dev = rig_start(&loop, &xb);
	char *out;
	size_t len;
	FILE *f;

	f = unit_log_capture(&out, &len);
	for (unsigned i = 0; i < 100; i++) {
		xendev_frontend_state(dev, XenbusStateInitialised);
		close_and_recreate(&xb, dev);
	}
	unit_log_release(f);
	CU_ASSERT_EQUAL(n_connect, 100);
	CU_ASSERT_EQUAL(unit_count_lines(out), XENDEV_LOG_BURST);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "unit: test/1/0: connected\n"));
	free(out);

	/* A minute later: the count of what was left out, then the line. */
	dev->log_budget.window_start_ms -= XENDEV_LOG_WINDOW_MS;
	f = unit_log_capture(&out, &len);
	xendev_frontend_state(dev, XenbusStateInitialised);
	unit_log_release(f);
	CU_ASSERT_STRING_EQUAL(out, "unit: test/1/0: 192 more lines about this device suppressed\n"
				    "unit: test/1/0: connected\n");
	free(out);

	/* Failures count too: a frontend broken on every connect. */
	f = unit_log_capture(&out, &len);
	connect_rc = -EPROTO;
	for (unsigned i = 0; i < 50; i++) {
		close_and_recreate(&xb, dev);
		xendev_frontend_state(dev, XenbusStateInitialised);
		CU_ASSERT_TRUE(dev->broken);
	}
	unit_log_release(f);
	CU_ASSERT(unit_count_lines(out) <= XENDEV_LOG_BURST);
	free(out);
	rig_stop(&loop, &xb);
}

static void test_escape(void)
{
	char out[XENDEV_ESCAPED_MAX], big[300];

	CU_ASSERT_STRING_EQUAL(xendev_escape("x86_64-abi", out), "x86_64-abi");
	CU_ASSERT_STRING_EQUAL(xendev_escape("a\nxenlaunch: forged\r\x1b[2J\\", out),
			       "a\\x0axenlaunch: forged\\x0d\\x1b[2J\\\\");
	CU_ASSERT_STRING_EQUAL(xendev_escape("\xff\x01", out), "\\xff\\x01");
	CU_ASSERT_STRING_EQUAL(xendev_escape("", out), "");
	/* Cut with "..." so that it fits: 17 escapes, or 65 plain bytes. */
	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	xendev_escape(big, out);
	CU_ASSERT_EQUAL(strlen(out), 17 * 4 + 3);
	CU_ASSERT_STRING_EQUAL(out + 17 * 4, "...");
	memset(big, 'a', sizeof(big) - 1);
	xendev_escape(big, out);
	CU_ASSERT_EQUAL(strlen(out), 65 + 3);
	CU_ASSERT_STRING_EQUAL(out + 65, "...");
}

/* A device gets the context its type was registered with; a type the
 * launcher did not register gives none. */
static void test_type_context(void)
{
	static const struct backend_ops other_ops = { .type = "other" };
	int display = 0;
	const struct xenbus_backend_type types[] = { { &sm_ops, &display } };
	struct event_loop loop;
	struct xenbus_backend xb;

	CU_ASSERT_FATAL(event_loop_init(&loop) == 0);
	xenbus_backend_init(&xb, &loop, types, 1);
	CU_ASSERT_EQUAL_FATAL(xenbus_backend_add(&xb, &sm_ops, 0, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(xenbus_backend_add(&xb, &other_ops, 0, NULL), 0);
	CU_ASSERT_PTR_EQUAL(xb.devs[0]->ctx, &display);
	CU_ASSERT_PTR_NULL(xb.devs[1]->ctx);
	rig_stop(&loop, &xb);
}

static CU_TestInfo tests[] = {
	{ "a device gets its type's context", test_type_context },
	{ "state machine: connect, close, re-created, broken", test_state_machine },
	{ "a cycling frontend: host resources once, re-creation backs off", test_frontend_cycling },
	{ "log budget per device: a burst, then a count", test_log_budget },
	{ "frontend strings escaped for the log", test_escape },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("xenbus_backend", tests)
