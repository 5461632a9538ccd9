/*
 * The graphical console's surface, targets and input; see display.h.
 */
#include "console/display.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/log.h"

void display_init(struct display *d)
{
	memset(d, 0, sizeof(*d));
	d->timer_fd = -1;
	d->source = DISPLAY_SOURCE_TEXT;
}

int display_add_target(struct display *d, const struct display_target_ops *ops,
		       const void *conf)
{
	struct display_target *t;

	if (d->n_targets >= DISPLAY_MAX_TARGETS)
		return -ENOSPC;
	t = &d->targets[d->n_targets];
	memset(t, 0, sizeof(*t));
	if (ops->priv_size) {
		t->priv = calloc(1, ops->priv_size);
		if (!t->priv)
			return -ENOMEM;
	}
	t->ops = ops;
	t->d = d;
	t->conf = conf;
	d->n_targets++;
	return 0;
}

static void display_poll(struct display *d)
{
	for (unsigned i = 0; i < d->n_targets; i++)
		if (d->targets[i].started && d->targets[i].ops->poll)
			d->targets[i].ops->poll(&d->targets[i]);
}

static void set_rate(struct display *d, bool fast)
{
	long ns = (fast ? DISPLAY_POLL_MS : DISPLAY_IDLE_POLL_MS) * 1000000L;
	struct itimerspec its = { .it_interval = { 0, ns }, .it_value = { 0, ns } };

	d->fast = fast;
	d->quiet_ticks = 0;
	if (d->timer_fd >= 0 && timerfd_settime(d->timer_fd, 0, &its, NULL) < 0)
		log_warn("display: timerfd");
}

void display_activity(struct display *d)
{
	d->quiet_ticks = 0;
	if (!d->fast && d->timer_fd >= 0)
		set_rate(d, true);
}

static void on_timer(struct event_source *src, uint32_t events)
{
	struct display *d = src->opaque;
	uint64_t ticks;

	if (read(d->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("display: timer");
	display_poll(d);
	if (d->fast && ++d->quiet_ticks > DISPLAY_ACTIVE_MS / DISPLAY_POLL_MS)
		set_rate(d, false);
}

int display_start(struct display *d, struct event_loop *loop, int width, int height)
{
	int rc;

	d->loop = loop;
	rc = display_resize(d, width, height);
	if (rc < 0)
		return rc;
	d->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timer_fd < 0) {
		rc = -errno;
		log_warn("display: timerfd");
		goto fail;
	}
	event_source_init(&d->timer_src, d->timer_fd, on_timer, d);
	if ((rc = event_loop_add(loop, &d->timer_src, EPOLLIN)) < 0)
		goto fail;
	set_rate(d, true);
	for (unsigned i = 0; i < d->n_targets; i++) {
		struct display_target *t = &d->targets[i];

		rc = t->ops->start(t);
		if (rc < 0)
			goto fail;
		t->started = true;
	}
	return 0;
fail:
	display_dispose(d);
	return rc;
}

void display_dispose(struct display *d)
{
	if (d->loop)
		event_loop_del(d->loop, &d->timer_src);
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	d->timer_fd = -1;
	for (unsigned i = 0; i < d->n_targets; i++) {
		struct display_target *t = &d->targets[i];

		if (t->started)
			t->ops->stop(t);
		t->started = false;
		free(t->priv);
		t->priv = NULL;
	}
	d->n_targets = 0;
	free(d->pixels);
	d->pixels = NULL;
	d->width = d->height = 0;
	d->input = NULL;
}

int display_resize(struct display *d, int width, int height)
{
	uint32_t *p;

	if (width < 1 || height < 1 || width > DISPLAY_MAX_WIDTH || height > DISPLAY_MAX_HEIGHT)
		return -EINVAL;
	if (d->pixels && width == d->width && height == d->height)
		return 0;
	p = calloc((size_t)width * (size_t)height, sizeof(*p));
	if (!p)
		return -ENOMEM;
	free(d->pixels);
	d->pixels = p;
	d->width = width;
	d->height = height;
	/* A guest's resizes are its framebuffer's to log, within its budget. */
	if (d->source == DISPLAY_SOURCE_GUEST)
		log_debug("display: %dx%d", width, height);
	else
		log_info("display: %dx%d", width, height);
	for (unsigned i = 0; i < d->n_targets; i++)
		if (d->targets[i].started)
			d->targets[i].ops->resize(&d->targets[i]);
	return 0;
}

void display_damage(struct display *d, int x, int y, int w, int h)
{
	int x1, y1;

	if (!d->pixels || w <= 0 || h <= 0)
		return;
	/* In 64 bits: x + w of two large ints does not overflow there. */
	x1 = (int)((int64_t)x + w > d->width ? d->width : (int64_t)x + w);
	y1 = (int)((int64_t)y + h > d->height ? d->height : (int64_t)y + h);
	x = x < 0 ? 0 : x;
	y = y < 0 ? 0 : y;
	if (x >= x1 || y >= y1)
		return;
	display_activity(d);
	for (unsigned i = 0; i < d->n_targets; i++)
		if (d->targets[i].started)
			d->targets[i].ops->update(&d->targets[i], x, y, x1 - x, y1 - y);
}

static inline uint32_t pixel_at(const uint8_t *p, int depth)
{
	uint32_t v;

	switch (depth) {
	case 8:	/* RGB332, scaled to 8 bits per channel */
		v = p[0];
		return ((v >> 5) * 255 / 7) << 16 | (((v >> 2) & 7) * 255 / 7) << 8 | (v & 3) * 255 / 3;
	case 16:
		v = (uint32_t)p[0] | (uint32_t)p[1] << 8;
		return ((v >> 11) * 255 / 31) << 16 | (((v >> 5) & 63) * 255 / 63) << 8 |
		       (v & 31) * 255 / 31;
	case 24:
		return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
	default:
		memcpy(&v, p, 4);
		return v & 0xffffff;
	}
}

struct changed {
	int minx, maxx, miny, maxy, rows;
};

/*
 * The rows of display_copy_from(). Always inlined, and called with a
 * constant depth, so that each depth gets a loop of its own without a
 * switch per pixel: the guest redrawing its whole screen makes this the
 * launcher's hottest loop.
 */
static inline __attribute__((always_inline)) void copy_rows(struct display *d, const uint8_t *src,
							    size_t stride, int depth, int x, int y,
							    int w, int h, struct changed *ch)
{
	int bpp = depth / 8;

	for (int r = y; r < y + h; r++) {
		const uint8_t *s = src + (size_t)r * stride + (size_t)x * bpp;
		uint32_t *o = d->pixels + (size_t)r * d->width + x;
		int first = -1, last = -1;

		for (int c = 0; c < w; c++, s += bpp) {
			uint32_t v = pixel_at(s, depth);

			if (o[c] != v) {
				o[c] = v;
				if (first < 0)
					first = c;
				last = c;
			}
		}
		if (first < 0)
			continue;
		ch->rows++;
		if (ch->miny < 0)
			ch->miny = r;
		ch->maxy = r;
		if (x + first < ch->minx)
			ch->minx = x + first;
		if (x + last > ch->maxx)
			ch->maxx = x + last;
	}
}

int display_copy_from(struct display *d, const uint8_t *src, size_t stride, int depth,
		      int x, int y, int w, int h)
{
	struct changed ch = { .minx = INT32_MAX, .maxx = -1, .miny = -1, .maxy = -1 };

	if (!d->pixels || w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > d->width ||
	    y + h > d->height)
		return 0;
	switch (depth) {
	case 8:
		copy_rows(d, src, stride, 8, x, y, w, h, &ch);
		break;
	case 16:
		copy_rows(d, src, stride, 16, x, y, w, h, &ch);
		break;
	case 24:
		copy_rows(d, src, stride, 24, x, y, w, h, &ch);
		break;
	default:
		copy_rows(d, src, stride, 32, x, y, w, h, &ch);
		break;
	}
	if (ch.rows)
		display_damage(d, ch.minx, ch.miny, ch.maxx - ch.minx + 1, ch.maxy - ch.miny + 1);
	return ch.rows;
}

void display_source_guest(struct display *d)
{
	d->source = DISPLAY_SOURCE_GUEST;
}

void display_source_text(struct display *d)
{
	d->source = DISPLAY_SOURCE_TEXT;
	if (d->text_redraw)
		d->text_redraw(d->text_redraw_opaque);
}

void display_set_input(struct display *d, const struct display_input_ops *ops, void *opaque)
{
	d->input = ops;
	d->input_opaque = opaque;
}

bool display_wants_keycodes(const struct display *d)
{
	return d->input && d->source == DISPLAY_SOURCE_GUEST;
}

void display_key(struct display *d, unsigned linux_keycode, bool down)
{
	display_activity(d);
	if (display_wants_keycodes(d) && linux_keycode)
		d->input->key(d->input_opaque, linux_keycode, down);
}

void display_pointer(struct display *d, int x, int y, unsigned buttons, int wheel)
{
	display_activity(d);
	if (d->input)
		d->input->pointer(d->input_opaque, x, y, buttons, wheel);
}

void display_text(struct display *d, const char *bytes, size_t len)
{
	display_activity(d);
	if (!display_wants_keycodes(d) && d->text_input)
		d->text_input(d->text_opaque, bytes, len);
}

int display_write_ppm(const char *path, const uint32_t *pixels, int w, int h, size_t stride)
{
	uint8_t *row = NULL;
	FILE *f = NULL;
	int rc;

	row = malloc((size_t)w * 3);
	if (!row)
		return -ENOMEM;
	f = fopen(path, "we");
	if (!f) {
		rc = -errno;
		goto out;
	}
	fprintf(f, "P6\n%d %d\n255\n", w, h);
	for (int y = 0; y < h; y++) {
		const uint32_t *p = (const uint32_t *)((const uint8_t *)pixels + (size_t)y * stride);

		for (int x = 0; x < w; x++) {
			row[3 * x] = (uint8_t)(p[x] >> 16);
			row[3 * x + 1] = (uint8_t)(p[x] >> 8);
			row[3 * x + 2] = (uint8_t)p[x];
		}
		if (fwrite(row, 3, (size_t)w, f) != (size_t)w)
			break;
	}
	rc = ferror(f) ? -EIO : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
out:
	free(row);
	return rc;
}

int display_screendump(struct display *d, const char *path)
{
	if (!d->pixels)
		return -ENODEV;
	for (unsigned i = 0; i < d->n_targets; i++)
		if (d->targets[i].started && d->targets[i].ops->screendump)
			return d->targets[i].ops->screendump(&d->targets[i], path);
	return display_write_ppm(path, d->pixels, d->width, d->height, (size_t)d->width * 4);
}
