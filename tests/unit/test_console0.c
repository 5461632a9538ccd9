/* console/console0: console 0 between the guest's ring, serial0 and the
 * boot menu, driven by the event loop. */
#include "console/console0.h"
#include "common/event_loop.h"
#include "tests/unit/unit.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A console whose ring is a test's page (no event channel: the guest's
 * notifications are not what is tested here). */
struct guest {
	struct xencons_interface intf;
	struct pv_console pv;
};

static void guest_init(struct guest *g)
{
	memset(g, 0, sizeof(*g));
	pv_console_init(&g->pv);
	console_ring_init(&g->pv.ring, &g->intf, "console/1");
}

static void guest_write(struct guest *g, const char *s)
{
	for (; *s; s++)
		g->intf.out[MASK_XENCONS_IDX(g->intf.out_prod++, g->intf.out)] = *s;
}

/* What the launcher typed into the guest's ring, taken out of it. */
static size_t guest_read(struct guest *g, char *buf, size_t size)
{
	size_t n = 0;

	while (g->intf.in_cons != g->intf.in_prod && n < size)
		buf[n++] = g->intf.in[MASK_XENCONS_IDX(g->intf.in_cons++, g->intf.in)];
	return n;
}

static int first_outputs;

static void count_first_output(void *opaque)
{
	first_outputs++;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* serial0 as a pty, console0 on a loop; *user_r: the pty's other side. */
static void open_serial(struct event_loop *loop, struct console0 *c, struct chardev **serial_r,
			int *user_r)
{
	struct chardev_spec spec = { .kind = CHARDEV_PTY };
	struct chardev_callbacks cb = { .on_input = console0_serial_input, .opaque = c };

	CU_ASSERT_EQUAL_FATAL(event_loop_init(loop), 0);
	console0_init(c, loop);
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", &cb, serial_r), 0);
	CU_ASSERT_EQUAL_FATAL(console0_start(c, *serial_r, NULL, NULL), 0);
	*user_r = open(chardev_pty_path(*serial_r), O_RDWR | O_NOCTTY | O_NONBLOCK);
	CU_ASSERT_FATAL(*user_r >= 0);
}

static void test_guest_output_to_serial(void)
{
	struct event_loop loop;
	struct console0 c;
	struct chardev *serial = NULL;
	struct guest g;
	struct pollfd p;
	char buf[64];
	int user;
	ssize_t n;

	guest_init(&g);
	open_serial(&loop, &c, &serial, &user);
	c.first_output = count_first_output;
	first_outputs = 0;
	c.pv = &g.pv;	/* attached, without an event channel */
	guest_write(&g, "hello\n");
	console0_pump(&c);
	CU_ASSERT_EQUAL(g.intf.out_cons, g.intf.out_prod);
	CU_ASSERT_EQUAL(first_outputs, 1);
	p = (struct pollfd){ .fd = user, .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&p, 1, 1000), 1);
	n = read(user, buf, sizeof(buf));
	CU_ASSERT_EQUAL(n, 6);
	CU_ASSERT_EQUAL(memcmp(buf, "hello\n", 6), 0);
	/* Nothing more to move: the guest is not told again. */
	console0_pump(&c);
	CU_ASSERT_EQUAL(first_outputs, 1);
	c.pv = NULL;
	console0_dispose(&c);
	close(user);
	chardev_dispose(serial);
	event_loop_dispose(&loop);
}

/* Typed input enters the ring only as far as there is room; serial0 keeps
 * the rest until the guest has taken some. */
static void test_input_back_pressure(void)
{
	struct event_loop loop;
	struct console0 c;
	struct chardev *serial = NULL;
	struct guest g;
	static char big[sizeof(((struct xencons_interface *)0)->in) + 100], got[sizeof(big)];
	size_t total = 0;
	int user;

	guest_init(&g);
	open_serial(&loop, &c, &serial, &user);
	/* Before the guest exists its input waits in serial0. */
	CU_ASSERT_EQUAL(console0_serial_input(&c, (const uint8_t *)"x", 1), 0);
	c.pv = &g.pv;
	memset(big, 'k', sizeof(big));
	CU_ASSERT_EQUAL(console0_serial_input(&c, (const uint8_t *)big, sizeof(big)),
			sizeof(g.intf.in));
	CU_ASSERT_EQUAL(console0_serial_input(&c, (const uint8_t *)big, 1), 0);
	CU_ASSERT_EQUAL(guest_read(&g, got, sizeof(got)), sizeof(g.intf.in));
	/* Through the pty and the loop: all of it arrives, in turns. */
	CU_ASSERT_EQUAL(write(user, big, sizeof(big)), (ssize_t)sizeof(big));
	for (int i = 0; i < 200 && total < sizeof(big); i++) {
		event_loop_run_once(&loop, 10);
		total += guest_read(&g, got + total, sizeof(got) - total);
		console0_pump(&c);	/* what the guest does after taking input */
	}
	CU_ASSERT_EQUAL(total, sizeof(big));
	CU_ASSERT_EQUAL(memcmp(got, big, sizeof(big)), 0);
	c.pv = NULL;
	console0_dispose(&c);
	close(user);
	chardev_dispose(serial);
	event_loop_dispose(&loop);
}

/* The boot menu's keys come from serial0 and the display through the loop;
 * the guest's ring gets none of them. */
static void test_menu_keys_on_the_loop(void)
{
	struct event_loop loop;
	struct console0 c;
	struct chardev *serial = NULL;
	struct guest g;
	char keys[16];
	long long t0;
	int user;

	guest_init(&g);
	open_serial(&loop, &c, &serial, &user);
	c.pv = &g.pv;
	CU_ASSERT_EQUAL_FATAL(console0_menu_begin(&c), 0);
	/* No key: the menu's timer ends the wait, and no later. */
	t0 = now_ms();
	CU_ASSERT_EQUAL(console0_menu_read(&c, keys, sizeof(keys), 200), 0);
	CU_ASSERT(now_ms() - t0 >= 200);
	CU_ASSERT(now_ms() - t0 < 1000);
	/* A key typed on serial0 ends the wait at once. */
	CU_ASSERT_EQUAL(write(user, "j", 1), 1);
	t0 = now_ms();
	CU_ASSERT_EQUAL(console0_menu_read(&c, keys, sizeof(keys), 5000), 1);
	CU_ASSERT(now_ms() - t0 < 1000);
	CU_ASSERT_EQUAL(keys[0], 'j');
	console0_text(&c, "\r", 1);	/* from the display */
	CU_ASSERT_EQUAL(console0_menu_read(&c, keys, sizeof(keys), 0), 1);
	CU_ASSERT_EQUAL(keys[0], '\r');
	CU_ASSERT_EQUAL(guest_read(&g, keys, sizeof(keys)), 0);
	/* The menu's screen goes out on serial0. */
	CU_ASSERT_EQUAL(console0_menu_write(&c, "menu", 4), 4);
	event_loop_run_once(&loop, 10);
	CU_ASSERT_EQUAL(poll(&(struct pollfd){ .fd = user, .events = POLLIN }, 1, 1000), 1);
	CU_ASSERT_EQUAL(read(user, keys, sizeof(keys)), 4);
	CU_ASSERT_EQUAL(memcmp(keys, "menu", 4), 0);
	console0_menu_end(&c);
	CU_ASSERT_EQUAL(c.timer_src.fd, -1);
	console0_text(&c, "ls", 2);
	CU_ASSERT_EQUAL(guest_read(&g, keys, sizeof(keys)), 2);
	CU_ASSERT_EQUAL(memcmp(keys, "ls", 2), 0);
	c.pv = NULL;
	console0_dispose(&c);
	close(user);
	chardev_dispose(serial);
	event_loop_dispose(&loop);
}

/* A device in the ring's place: a 4-byte input buffer and an output queue. */
struct dev {
	uint8_t in[4];
	size_t n_in;
	unsigned space_calls;
};

static size_t dev_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct dev *d = opaque;
	size_t take = sizeof(d->in) - d->n_in < len ? sizeof(d->in) - d->n_in : len;

	memcpy(d->in + d->n_in, buf, take);
	d->n_in += take;
	return take;
}

static void dev_space(void *opaque)
{
	struct dev *d = opaque;

	d->space_calls++;
}

static void test_device_in_the_rings_place(void)
{
	struct event_loop loop;
	struct console0 c;
	struct chardev *serial = NULL;
	struct dev d = { 0 };
	struct console0_device dev = { dev_input, dev_space, &d };
	struct guest g;
	struct pollfd p;
	char buf[64];
	int user;

	guest_init(&g);
	open_serial(&loop, &c, &serial, &user);
	c.first_output = count_first_output;
	first_outputs = 0;
	c.pv = &g.pv;
	console0_set_device(&c, &dev);
	/* Output: the device's and the ring's both reach serial0. */
	CU_ASSERT_EQUAL(console0_device_output(&c, (const uint8_t *)"ttyS0 ", 6), 6);
	CU_ASSERT_EQUAL(first_outputs, 1);
	guest_write(&g, "hvc0");
	console0_pump(&c);
	CU_ASSERT(d.space_calls >= 1);
	p = (struct pollfd){ .fd = user, .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&p, 1, 1000), 1);
	CU_ASSERT_EQUAL(read(user, buf, sizeof(buf)), 10);
	CU_ASSERT_EQUAL(memcmp(buf, "ttyS0 hvc0", 10), 0);
	/* Input: to the device, not the ring; what it cannot take waits. */
	CU_ASSERT_EQUAL(write(user, "abcdefg", 7), 7);
	for (long long end = now_ms() + 2000; d.n_in < 4 && now_ms() < end;)
		event_loop_run_once(&loop, 100);
	CU_ASSERT_EQUAL(d.n_in, 4);
	CU_ASSERT_EQUAL(memcmp(d.in, "abcd", 4), 0);
	CU_ASSERT_EQUAL(guest_read(&g, buf, sizeof(buf)), 0);
	d.n_in = 0;
	console0_pump(&c);	/* the device had room again */
	CU_ASSERT_EQUAL(d.n_in, 3);
	CU_ASSERT_EQUAL(memcmp(d.in, "efg", 3), 0);
	/* Without the device, input is the ring's again. */
	console0_set_device(&c, NULL);
	CU_ASSERT_EQUAL(write(user, "z", 1), 1);
	for (long long end = now_ms() + 2000; g.intf.in_prod == 0 && now_ms() < end;)
		event_loop_run_once(&loop, 100);
	CU_ASSERT_EQUAL(guest_read(&g, buf, sizeof(buf)), 1);
	c.pv = NULL;
	console0_dispose(&c);
	close(user);
	chardev_dispose(serial);
	event_loop_dispose(&loop);
}

static CU_TestInfo tests[] = {
	{ "guest output goes to serial0", test_guest_output_to_serial },
	{ "typed input waits in serial0 while the ring is full", test_input_back_pressure },
	{ "the boot menu's keys arrive through the loop", test_menu_keys_on_the_loop },
	{ "a serial device in the ring's place", test_device_in_the_rings_place },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("console0", tests)
