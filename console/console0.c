/*
 * Console 0 between the guest's ring and serial0; see console0.h.
 */
#include "console/console0.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#define MENU_WRITE_MAX_MS 1000	/* the longest serial0 may hold up the menu */

void console0_init(struct console0 *c, struct event_loop *loop)
{
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	event_source_init(&c->serial_src, -1, NULL, c);
	event_source_init(&c->pv_src, -1, NULL, c);
	event_source_init(&c->timer_src, -1, NULL, c);
}

/* Keys for the boot menu, as many as its buffer holds. */
static size_t menu_keys(struct console0 *c, const void *buf, size_t len)
{
	size_t take = sizeof(c->keys) - c->n_keys;

	take = take < len ? take : len;
	memcpy(c->keys + c->n_keys, buf, take);
	c->n_keys += take;
	return take;
}

size_t console0_serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct console0 *c = opaque;
	size_t pushed = 0;

	if (c->menu)
		return menu_keys(c, buf, len);
	if (c->dev.input)
		return c->dev.input(c->dev.opaque, buf, len);
	if (!c->pv)
		return 0;
	if (console_ring_push(&c->pv->ring, (const char *)buf, len, &pushed) == 0 && pushed)
		pv_console_notify(c->pv);
	/* A broken ring takes everything: input to it is void, not pending. */
	return xen_ring_failed(&c->pv->ring.fault) ? len : pushed;
}

void console0_text(void *opaque, const char *bytes, size_t len)
{
	struct console0 *c = opaque;
	size_t pushed = 0;

	if (c->menu) {
		menu_keys(c, bytes, len);
		return;
	}
	if (c->dev.input) {
		c->dev.input(c->dev.opaque, (const uint8_t *)bytes, len);	/* a keyboard's overflow is lost */
		return;
	}
	if (c->pv && console_ring_push(&c->pv->ring, bytes, len, &pushed) == 0 && pushed)
		pv_console_notify(c->pv);
}

/* The ring's consumer: what serial0 takes, also shown on the display. */
static size_t serial_sink(void *opaque, const char *buf, size_t len)
{
	struct console0 *c = opaque;
	size_t taken = c->serial ? chardev_write(c->serial, buf, len) : len;

	if (c->ts)
		c->text->feed(c->ts, buf, taken);
	return taken;
}

void console0_set_device(struct console0 *c, const struct console0_device *dev)
{
	if (dev)
		c->dev = *dev;
	else
		memset(&c->dev, 0, sizeof(c->dev));
}

size_t console0_device_output(struct console0 *c, const uint8_t *buf, size_t len)
{
	size_t taken = serial_sink(c, (const char *)buf, len);

	if (taken && c->first_output)
		c->first_output(c->opaque);
	return taken;
}

void console0_pump(struct console0 *c)
{
	size_t moved = 0;

	if (c->dev.output_space)
		c->dev.output_space(c->dev.opaque);
	if (!c->pv) {
		if (c->serial && c->dev.input)
			chardev_input_resume(c->serial);
		return;
	}
	if (console_ring_drain(&c->pv->ring, serial_sink, c, &moved) == 0 && moved) {
		if (c->first_output)
			c->first_output(c->opaque);
		pv_console_notify(c->pv);
	}
	if (c->serial)
		chardev_input_resume(c->serial);
}

static void on_pv(struct event_source *src, uint32_t events)
{
	struct console0 *c = src->opaque;

	pv_console_ack(c->pv);
	console0_pump(c);
}

static void on_serial(struct event_source *src, uint32_t events)
{
	struct console0 *c = src->opaque;

	chardev_handle_events(c->serial);
	console0_pump(c);	/* output space may have grown */
}

int console0_start(struct console0 *c, struct chardev *serial, const struct textscreen_module *text,
		   struct textscreen *ts)
{
	c->serial = serial;
	c->text = text;
	c->ts = text ? ts : NULL;
	if (!serial)
		return 0;
	event_source_init(&c->serial_src, chardev_fd(serial), on_serial, c);
	return event_loop_add(c->loop, &c->serial_src, EPOLLIN);
}

int console0_attach(struct console0 *c, struct pv_console *pv)
{
	int rc;

	event_source_init(&c->pv_src, pv_console_fd(pv), on_pv, c);
	rc = event_loop_add(c->loop, &c->pv_src, EPOLLIN);
	if (rc == 0)
		c->pv = pv;
	return rc;
}

void console0_detach(struct console0 *c)
{
	event_loop_del(c->loop, &c->pv_src);
	c->pv = NULL;
}

static void on_timer(struct event_source *src, uint32_t events)
{
	struct console0 *c = src->opaque;
	uint64_t ticks;

	if (read(src->fd, &ticks, sizeof(ticks)) == sizeof(ticks))
		c->timer_fired = true;
}

/* The menu's timer fires in ms (0: at once); -1 stops it. */
static void menu_timer(struct console0 *c, int ms)
{
	struct itimerspec its = { .it_value = { ms / 1000, (long)(ms % 1000) * 1000000 } };

	if (ms == 0)
		its.it_value.tv_nsec = 1;	/* a zero it_value would stop it */
	if (ms < 0)
		its.it_value = (struct timespec){ 0, 0 };
	c->timer_fired = false;
	timerfd_settime(c->timer_src.fd, 0, &its, NULL);
}

int console0_menu_begin(struct console0 *c)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	event_source_init(&c->timer_src, fd, on_timer, c);
	if ((rc = event_loop_add(c->loop, &c->timer_src, EPOLLIN)) < 0) {
		close(fd);
		c->timer_src.fd = -1;
		return rc;
	}
	c->menu = true;
	c->n_keys = 0;
	return 0;
}

void console0_menu_end(struct console0 *c)
{
	if (c->timer_src.fd >= 0) {
		event_loop_del(c->loop, &c->timer_src);
		close(c->timer_src.fd);
		c->timer_src.fd = -1;
	}
	if (!c->menu)
		return;
	c->menu = false;
	c->n_keys = 0;
	/* What serial0 held while the menu's buffer was full is the guest's. */
	if (c->serial)
		chardev_input_resume(c->serial);
}

ssize_t console0_menu_write(void *opaque, const void *buf, size_t len)
{
	struct console0 *c = opaque;
	size_t done = 0;

	menu_timer(c, MENU_WRITE_MAX_MS);
	while (done < len) {
		size_t n = c->serial ? chardev_write(c->serial, (const char *)buf + done,
						     len - done) : len - done;

		if (c->ts)
			c->text->feed(c->ts, (const char *)buf + done, n);
		done += n;
		/* serial0's queue drains as the loop serves its fd. */
		if (done == len || c->timer_fired || event_loop_run_once(c->loop, -1) < 0)
			break;
	}
	menu_timer(c, -1);
	return (ssize_t)done;
}

ssize_t console0_menu_read(void *opaque, void *buf, size_t len, int timeout_ms)
{
	struct console0 *c = opaque;
	size_t n;
	int rc;

	/* Keys arrive from serial0's and the display's loop sources, the end
	 * of the wait from the menu's timer. */
	menu_timer(c, timeout_ms);
	while (!c->n_keys && !c->timer_fired)
		if ((rc = event_loop_run_once(c->loop, -1)) < 0) {
			menu_timer(c, -1);
			return rc;
		}
	menu_timer(c, -1);
	n = c->n_keys < len ? c->n_keys : len;
	memcpy(buf, c->keys, n);
	memmove(c->keys, c->keys + n, c->n_keys - n);
	c->n_keys -= n;
	return (ssize_t)n;
}

void console0_dispose(struct console0 *c)
{
	console0_menu_end(c);
	console0_detach(c);
	event_loop_del(c->loop, &c->serial_src);
}
