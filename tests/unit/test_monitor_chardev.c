/*
 * The monitor plugged into a unix server chardev the way the launcher
 * wires them: on_input = monitor_feed, on_connect = monitor_connected,
 * write = chardev_write. A client talks to it over a real socket.
 */
#include "console/chardev.h"
#include "common/log.h"
#include "launcher/monitor.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct wiring {
	struct chardev *cd;
	struct monitor mon;
	bool running;
};

static size_t wire_write(void *opaque, const void *buf, size_t len)
{
	return chardev_write(((struct wiring *)opaque)->cd, buf, len);
}

static size_t wire_space(void *opaque)
{
	return chardev_write_space(((struct wiring *)opaque)->cd);
}

static int wire_status(void *opaque, bool *running_r)
{
	*running_r = ((struct wiring *)opaque)->running;
	return 0;
}

static int wire_stop(void *opaque, struct monitor *mon)
{
	((struct wiring *)opaque)->running = false;
	return 0;
}

static int wire_chardevs(void *opaque, struct monitor *mon)
{
	struct chardev *cd = ((struct wiring *)opaque)->cd;

	monitor_print_chardev(mon, chardev_label(cd), chardev_filename(cd));
	return 0;
}

static const struct monitor_ops wire_ops = {
	.write = wire_write,
	.write_space = wire_space,
	.status = wire_status,
	.stop = wire_stop,
	.chardev_list = wire_chardevs,
};

static size_t on_input(void *opaque, const uint8_t *buf, size_t len)
{
	return monitor_feed(&((struct wiring *)opaque)->mon, buf, len);
}

static void on_connect(void *opaque) { monitor_connected(&((struct wiring *)opaque)->mon); }
static void on_disconnect(void *opaque) { monitor_disconnected(&((struct wiring *)opaque)->mon); }

/* Runs the chardev until the client has received exactly `expect`. */
static void expect_reply(struct wiring *w, int client, const char *expect)
{
	char got[4096];
	size_t len = 0;
	ssize_t r;

	for (int i = 0; i < 100 && (i < 3 || len < strlen(expect)); i++) {
		struct pollfd p[2] = { { chardev_fd(w->cd), POLLIN, 0 }, { client, POLLIN, 0 } };

		poll(p, 2, 50);
		if (p[0].revents)
			chardev_handle_events(w->cd);
		while ((r = read(client, got + len, sizeof(got) - 1 - len)) > 0)
			len += (size_t)r;
	}
	got[len] = '\0';
	CU_ASSERT_STRING_EQUAL(got, expect);
}

static void test_monitor_over_unix_socket(void)
{
	char dir[] = "/tmp/xenlaunch-unit-XXXXXX", path[64], expect[256];
	struct chardev_spec spec = { .kind = CHARDEV_UNIX, .server = true, .wait = false };
	struct chardev_callbacks cb = { on_input, on_connect, on_disconnect, NULL };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct wiring w = { .running = true };
	FILE *quiet = fopen("/dev/null", "w");
	struct stat st;
	mode_t mask;
	int client;

	log_set_stream(quiet);
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/mon.sock", dir);
	spec.path = path;
	cb.opaque = &w;
	monitor_init(&w.mon, &wire_ops, &w, false);
	/* Owner only, even under a umask that would let everyone in. */
	mask = umask(0);
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "compat_monitor0", &cb, &w.cd), 0);
	umask(mask);
	CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
	CU_ASSERT_TRUE(S_ISSOCK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0600);

	strcpy(sun.sun_path, path);
	client = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(connect(client, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	fcntl(client, F_SETFL, O_NONBLOCK);
	expect_reply(&w, client, "xenlaunch monitor - type 'help' for more information\r\n(qemu) ");

	/* A command split over two writes, then two in one write. */
	CU_ASSERT(write(client, "info sta", 8) == 8);
	expect_reply(&w, client, "");
	CU_ASSERT(write(client, "tus\r\n", 5) == 5);
	expect_reply(&w, client, "VM status: running\r\n(qemu) ");
	CU_ASSERT(write(client, "stop\ninfo status\n", 17) == 17);
	expect_reply(&w, client, "(qemu) VM status: paused\r\n(qemu) ");
	snprintf(expect, sizeof(expect), "compat_monitor0: filename=unix:%s,server=on\r\n(qemu) ", path);
	CU_ASSERT(write(client, "info chardev\n", 13) == 13);
	expect_reply(&w, client, expect);

	/* A half-typed line does not survive a reconnect. */
	CU_ASSERT(write(client, "sto", 3) == 3);
	expect_reply(&w, client, "");
	close(client);
	client = socket(AF_UNIX, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(connect(client, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	fcntl(client, F_SETFL, O_NONBLOCK);
	expect_reply(&w, client, "xenlaunch monitor - type 'help' for more information\r\n(qemu) ");
	CU_ASSERT(write(client, "p\n", 2) == 2);
	expect_reply(&w, client, "unknown command: 'p'\r\n(qemu) ");

	close(client);
	chardev_dispose(w.cd);
	monitor_dispose(&w.mon);
	rmdir(dir);
	log_set_stream(NULL);
	fclose(quiet);
}

static CU_TestInfo tests[] = {
	{ "monitor served over a unix socket chardev, mode 0600", test_monitor_over_unix_socket },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("monitor-chardev", tests)
