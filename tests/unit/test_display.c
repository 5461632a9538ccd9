/*
 * The graphical console: option parsing, the display surface, the vfb
 * backend fed with a hostile frontend's shared page (impossible geometry,
 * offsets past the mapped memory, bogus rectangles, impossible ring
 * indexes), the vkbd ring, PSF fonts and key maps. The framebuffers are
 * heap blocks of exactly the "mapped" length, so that valgrind sees any
 * read past them.
 */
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenctrl.h>	/* first: it sets up the Xen public headers for tools */
#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>

#include "console/display.h"
#include "console/sdl.h"
#include "console/textscreen.h"
#include "console/vfb.h"
#include "console/vkbd.h"
#include "console/vnc.h"
#include "common/log.h"
#include "model/display_opts.h"
#include "launcher/monitor.h"
#include "model/options.h"

/* ---- options ----------------------------------------------------------- */

static void test_vnc_spec(void)
{
	struct display_config dc = { 0 };
	char why[160];

	CU_ASSERT_EQUAL(display_opts_vnc(":1", &dc, why, sizeof(why)), 0);
	CU_ASSERT_TRUE(dc.vnc);
	CU_ASSERT_PTR_NULL(dc.vnc_host);
	CU_ASSERT_EQUAL(dc.vnc_display, 1);
	CU_ASSERT_EQUAL(display_opts_vnc("127.0.0.1:3,password=on,to=7", &dc, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(dc.vnc_host, "127.0.0.1");
	CU_ASSERT_EQUAL(dc.vnc_display, 3);
	CU_ASSERT_EQUAL(dc.vnc_to, 7);
	CU_ASSERT_TRUE(dc.vnc_password);
	CU_ASSERT_EQUAL(display_opts_vnc("none", &dc, why, sizeof(why)), 0);
	CU_ASSERT_FALSE(dc.vnc);

	CU_ASSERT_EQUAL(display_opts_vnc("1", &dc, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "expected [HOST]:DISPLAY");
	CU_ASSERT_EQUAL(display_opts_vnc(":101", &dc, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "display must be a number from 0 to 100");
	CU_ASSERT_EQUAL(display_opts_vnc("example.org:1", &dc, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "host 'example.org' is not an IPv4 address");
	CU_ASSERT_EQUAL(display_opts_vnc(":5,to=2", &dc, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "to= must be a display from 5 to 100");
	CU_ASSERT_EQUAL(display_opts_vnc(":1,tls=on", &dc, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "unknown property 'tls=on' (password=on|off, to=N)");
	CU_ASSERT_EQUAL(display_opts_vnc(":1,password=on,password=off", &dc, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "property 'password' is given twice");
	CU_ASSERT_EQUAL(display_opts_display("vnc=:1,to=3,to=9", &dc, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "property 'to' is given twice");

	CU_ASSERT_EQUAL(display_opts_display("sdl", &dc, why, sizeof(why)), 0);
	CU_ASSERT_TRUE(dc.sdl);
	CU_ASSERT_EQUAL(display_opts_display("vnc=:2", &dc, why, sizeof(why)), 0);
	CU_ASSERT_TRUE(dc.vnc);
	CU_ASSERT_EQUAL(dc.vnc_display, 2);
	CU_ASSERT_EQUAL(display_opts_display("none", &dc, why, sizeof(why)), 0);
	CU_ASSERT_FALSE(dc.vnc || dc.sdl);
	CU_ASSERT_EQUAL(display_opts_display("gtk", &dc, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "display type must be sdl, vnc[=SPEC] or none");
	display_config_dispose(&dc);
}

/* ---- the options in the launcher's parser ---------------------------------- */

struct opt_run {
	struct launch_config cfg;
	enum options_result res;
	char err[256];
};

static void opt_parse(struct opt_run *r, const char *a1, const char *a2, const char *a3)
{
	char *argv[8] = { "xenlaunch", "-kernel", "/proc/self/exe" };
	int argc = 3;
	FILE *out = fopen("/dev/null", "w"), *err = fmemopen(r->err, sizeof(r->err), "w");

	memset(r->err, 0, sizeof(r->err));
	if (a1)
		argv[argc++] = (char *)a1;
	if (a2)
		argv[argc++] = (char *)a2;
	if (a3)
		argv[argc++] = (char *)a3;
	launch_config_init(&r->cfg);
	r->res = options_parse(argc, argv, &r->cfg, out, err);
	fclose(out);
	fclose(err);
}

static void test_display_options(void)
{
	struct opt_run r;

	opt_parse(&r, "-vnc", "127.0.0.1:1,password=on", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_RUN);
	CU_ASSERT_TRUE(r.cfg.display.vnc && r.cfg.display.vnc_password);
	/* With a display, console 0 is on its text console, not on stdio. */
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_NULL);
	launch_config_dispose(&r.cfg);

	opt_parse(&r, "-nographic", "-vnc", ":1");
	CU_ASSERT_EQUAL(r.res, OPTIONS_RUN);
	CU_ASSERT_EQUAL(r.cfg.serial.kind, CHARDEV_STDIO);
	launch_config_dispose(&r.cfg);

	opt_parse(&r, "-display", "sdl", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_RUN);
	CU_ASSERT_TRUE(r.cfg.display.sdl);
	launch_config_dispose(&r.cfg);

	opt_parse(&r, "-nographic", "-sdl", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_ERROR);
	CU_ASSERT_STRING_EQUAL(r.err, "xenlaunch: -nographic cannot be used with -sdl\n");
	launch_config_dispose(&r.cfg);

	opt_parse(&r, "-daemonize", "-sdl", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_ERROR);
	CU_ASSERT_STRING_EQUAL(r.err, "xenlaunch: -sdl cannot be used with -daemonize\n");
	launch_config_dispose(&r.cfg);

	opt_parse(&r, "-display", "gtk", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_ERROR);
	CU_ASSERT_STRING_EQUAL(r.err, "xenlaunch: -display gtk: display type must be sdl, vnc[=SPEC] or none\n");
	launch_config_dispose(&r.cfg);

	opt_parse(&r, "-vnc", ":1", "-k");
	CU_ASSERT_EQUAL(r.res, OPTIONS_ERROR);
	launch_config_dispose(&r.cfg);
	opt_parse(&r, "-k", "de", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_RUN);
	CU_ASSERT_STRING_EQUAL(r.cfg.display.keymap, "de");
	launch_config_dispose(&r.cfg);
	opt_parse(&r, "-k", "klingon", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_ERROR);
	CU_ASSERT_STRING_EQUAL(r.err, "xenlaunch: -k klingon: unknown keyboard layout (QEMU's "
			       "layouts: ar bepo cz da de de-ch en-gb en-us es et fi fo fr fr-be "
			       "fr-ca fr-ch hr hu is it ja lt lv mk nl no pl pt pt-br ru th tr)\n");
	launch_config_dispose(&r.cfg);

	opt_parse(&r, "-vnc", "0.0.0.0:1,share=ignore", NULL);
	CU_ASSERT_EQUAL(r.res, OPTIONS_ERROR);
	CU_ASSERT_STRING_EQUAL(r.err, "xenlaunch: -vnc 0.0.0.0:1,share=ignore: unknown property "
			       "'share=ignore' (password=on|off, to=N)\n");
	launch_config_dispose(&r.cfg);
}

/* ---- the surface --------------------------------------------------------- */

struct damage_log {
	int n, x, y, w, h;
};

static void rec_update(struct display_target *t, int x, int y, int w, int h)
{
	struct damage_log *l = t->priv;

	l->n++;
	l->x = x;
	l->y = y;
	l->w = w;
	l->h = h;
}

static int rec_start(struct display_target *t) { return 0; }
static void rec_stop(struct display_target *t) { }
static void rec_resize(struct display_target *t) { }

static const struct display_target_ops rec_ops = {
	.name = "rec", .priv_size = sizeof(struct damage_log), .start = rec_start,
	.stop = rec_stop, .update = rec_update, .resize = rec_resize,
};

static void test_copy_reports_only_changes(void)
{
	struct display d;
	struct damage_log *l;
	uint32_t src[16 * 8];

	display_init(&d);
	CU_ASSERT_EQUAL_FATAL(display_add_target(&d, &rec_ops, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(display_resize(&d, 16, 8), 0);
	d.targets[0].started = true;
	l = d.targets[0].priv;
	memset(src, 0, sizeof(src));
	/* Nothing differs from the black surface: no damage at all. */
	CU_ASSERT_EQUAL(display_copy_from(&d, (uint8_t *)src, 64, 32, 0, 0, 16, 8), 0);
	CU_ASSERT_EQUAL(l->n, 0);
	src[3 * 16 + 5] = 0x123456;
	src[4 * 16 + 9] = 0xffffff;
	CU_ASSERT_EQUAL(display_copy_from(&d, (uint8_t *)src, 64, 32, 0, 0, 16, 8), 2);
	CU_ASSERT_EQUAL(l->n, 1);
	CU_ASSERT_EQUAL(l->x, 5);
	CU_ASSERT_EQUAL(l->y, 3);
	CU_ASSERT_EQUAL(l->w, 5);
	CU_ASSERT_EQUAL(l->h, 2);
	CU_ASSERT_EQUAL(d.pixels[3 * 16 + 5], 0x123456);
	/* Out of the surface: refused whole. */
	CU_ASSERT_EQUAL(display_copy_from(&d, (uint8_t *)src, 64, 32, 10, 0, 16, 8), 0);
	CU_ASSERT_EQUAL(display_resize(&d, 0, 8), -EINVAL);
	CU_ASSERT_EQUAL(display_resize(&d, 8, DISPLAY_MAX_HEIGHT + 1), -EINVAL);
	d.targets[0].started = false;
	display_dispose(&d);
}

static void test_depth16(void)
{
	struct display d;
	uint16_t px[2] = { 0xf800, 0x07e0 };

	display_init(&d);
	CU_ASSERT_EQUAL_FATAL(display_resize(&d, 2, 1), 0);
	display_copy_from(&d, (uint8_t *)px, 4, 16, 0, 0, 2, 1);
	CU_ASSERT_EQUAL(d.pixels[0], 0xff0000);
	CU_ASSERT_EQUAL(d.pixels[1], 0x00ff00);
	display_dispose(&d);
}

/* ---- vfb ------------------------------------------------------------------ */

static void test_geometry_check(void)
{
	struct vfb_geometry g = { .width = 800, .height = 600, .depth = 32, .line_length = 3200 };
	const char *why = NULL;

	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), 0);
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1919999, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "framebuffer ends past the mapped memory");
	g.offset = 1;
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), -EINVAL);
	g.offset = UINT32_MAX;
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, SIZE_MAX, &why) == 0 || why != NULL, 1);
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), -EINVAL);
	g.offset = 0;
	g.line_length = UINT32_MAX;
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "framebuffer ends past the mapped memory");
	g.line_length = 3199;
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "line length is shorter than a row of pixels");
	g.line_length = 3200;
	g.depth = 12;
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "depth is not 8, 16, 24 or 32");
	g.depth = 32;
	g.width = 0;
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "width is not 1..4096");
	g.width = -800;
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), -EINVAL);
	g.width = 800;
	g.height = 5000;
	CU_ASSERT_EQUAL(vfb_geometry_check(&g, 1920000, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "height is not 1..4096");
}

static void test_clip(void)
{
	int x, y, w, h;
	bool bogus;

	CU_ASSERT_TRUE(vfb_clip_rect(800, 600, 10, 20, 30, 40, &x, &y, &w, &h, &bogus));
	CU_ASSERT_FALSE(bogus);
	CU_ASSERT_TRUE(vfb_clip_rect(800, 600, -5, -5, 100000, 100000, &x, &y, &w, &h, &bogus));
	CU_ASSERT_TRUE(bogus);
	CU_ASSERT(x == 0 && y == 0 && w == 800 && h == 600);
	CU_ASSERT_FALSE(vfb_clip_rect(800, 600, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX, &x, &y,
				      &w, &h, &bogus));
	CU_ASSERT_TRUE(bogus);
	CU_ASSERT_FALSE(vfb_clip_rect(800, 600, 10, 10, 0, 5, &x, &y, &w, &h, &bogus));
	CU_ASSERT_FALSE(vfb_clip_rect(800, 600, 10, 10, -5, 5, &x, &y, &w, &h, &bogus));
	CU_ASSERT_TRUE(vfb_clip_rect(800, 600, INT32_MIN, 0, INT32_MAX, 1, &x, &y, &w, &h, &bogus) == false);
}

struct fake_vfb {
	struct xenfb_page *page;
	uint8_t *fb;
	struct display d;
	struct vfb_state s;
};

/* A frontend with a w x h x 32 framebuffer in exactly len bytes. */
static void fake_vfb_init(struct fake_vfb *f, int w, int h, size_t len)
{
	memset(f, 0, sizeof(*f));
	f->page = aligned_alloc(4096, 4096);
	memset(f->page, 0, 4096);
	f->fb = malloc(len);
	for (size_t i = 0; i < len; i++)
		f->fb[i] = (uint8_t)(i * 7 + i / 4096);
	f->page->width = w;
	f->page->height = h;
	f->page->depth = 32;
	f->page->line_length = (uint32_t)w * 4;
	f->page->mem_length = (uint32_t)len;
	display_init(&f->d);
	f->s.label = "vfb/1/0";
	f->s.d = &f->d;
	f->s.page = f->page;
	f->s.fb = f->fb;
	f->s.fb_len = len;
}

static void fake_vfb_dispose(struct fake_vfb *f)
{
	display_dispose(&f->d);
	free(f->fb);
	free(f->page);
}

static void push_out(struct fake_vfb *f, const union xenfb_out_event *ev)
{
	memcpy(&XENFB_OUT_RING_REF(f->page, f->page->out_prod), ev, sizeof(*ev));
	f->page->out_prod++;
}

static void push_update(struct fake_vfb *f, int x, int y, int w, int h)
{
	union xenfb_out_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.update.type = XENFB_TYPE_UPDATE;
	ev.update.x = x;
	ev.update.y = y;
	ev.update.width = w;
	ev.update.height = h;
	push_out(f, &ev);
}

static void push_resize(struct fake_vfb *f, int w, int h, int stride, int depth, int offset)
{
	union xenfb_out_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.resize.type = XENFB_TYPE_RESIZE;
	ev.resize.width = w;
	ev.resize.height = h;
	ev.resize.stride = stride;
	ev.resize.depth = depth;
	ev.resize.offset = offset;
	push_out(f, &ev);
}

static bool surface_matches(struct fake_vfb *f)
{
	for (int y = 0; y < f->s.geo.height; y++)
		for (int x = 0; x < f->s.geo.width; x++) {
			uint32_t v;

			memcpy(&v, f->fb + f->s.geo.offset + (size_t)y * f->s.geo.line_length + 4 * x, 4);
			if (f->d.pixels[(size_t)y * f->d.width + x] != (v & 0xffffff))
				return false;
		}
	return true;
}

static void test_attach_refuses_short_mapping(void)
{
	struct fake_vfb f;

	fake_vfb_init(&f, 64, 48, 64 * 48 * 4 - 1);
	CU_ASSERT_EQUAL(vfb_attach(&f.s), -EINVAL);
	CU_ASSERT_STRING_EQUAL(f.s.fault.why, "framebuffer 64x48x32, line length 256 in 12287 bytes: "
			       "framebuffer ends past the mapped memory");
	CU_ASSERT_PTR_NULL(f.d.pixels);	/* nothing was read or shown */
	fake_vfb_dispose(&f);

	fake_vfb_init(&f, 64, 48, 64 * 48 * 4);
	f.page->depth = 0;
	CU_ASSERT_EQUAL(vfb_attach(&f.s), -EINVAL);
	f.page->depth = 32;
	f.page->width = 1 << 30;
	CU_ASSERT_EQUAL(vfb_attach(&f.s), -EINVAL);
	f.page->width = 64;
	f.page->line_length = 16;
	CU_ASSERT_EQUAL(vfb_attach(&f.s), -EINVAL);
	fake_vfb_dispose(&f);
}

static void test_updates_clipped(void)
{
	struct fake_vfb f;

	fake_vfb_init(&f, 64, 48, 64 * 48 * 4);
	CU_ASSERT_EQUAL_FATAL(vfb_attach(&f.s), 0);
	CU_ASSERT_EQUAL(f.d.width, 64);
	CU_ASSERT_TRUE(surface_matches(&f));
	/* The guest draws, then reports with bogus rectangles. */
	for (size_t i = 0; i < 64 * 48 * 4; i++)
		f.fb[i] ^= 0x5a;
	push_update(&f, -100, -100, 1 << 30, 1 << 30);
	push_update(&f, INT32_MAX, INT32_MAX, INT32_MAX, INT32_MAX);
	push_update(&f, 10, 10, -20, -20);
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), 3);
	CU_ASSERT_TRUE(f.s.warned_rect);
	CU_ASSERT_EQUAL(f.s.updates, 3);
	CU_ASSERT_TRUE(surface_matches(&f));
	CU_ASSERT_EQUAL(f.page->out_cons, f.page->out_prod);
	/* A proper one. */
	f.fb[4 * (10 * 64 + 10)] ^= 0xff;
	push_update(&f, 8, 8, 4, 4);
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), 1);
	CU_ASSERT_TRUE(surface_matches(&f));
	fake_vfb_dispose(&f);
}

static void test_resize(void)
{
	struct fake_vfb f;
	size_t len = 64 * 48 * 4;

	fake_vfb_init(&f, 64, 48, len);
	CU_ASSERT_EQUAL_FATAL(vfb_attach(&f.s), 0);
	/* Offset past the mapping, stride overflowing, negative, bad depth: refused. */
	push_resize(&f, 32, 24, 128, 32, (int)len);
	push_resize(&f, 32, 24, INT32_MAX, 32, 0);
	push_resize(&f, 32, 24, -128, 32, 0);
	push_resize(&f, 32, 24, 128, 32, -4);
	push_resize(&f, 32, 24, 128, 7, 0);
	push_resize(&f, 64, 49, 256, 32, 0);
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), 6);
	CU_ASSERT_TRUE(f.s.warned_resize);
	CU_ASSERT_EQUAL(f.s.resizes, 0);
	CU_ASSERT_EQUAL(f.s.geo.width, 64);
	CU_ASSERT_EQUAL(f.d.width, 64);
	/* One that ends exactly at the end of the mapping. */
	push_resize(&f, 32, 24, 160, 32, (int)(len - 23 * 160 - 128));
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), 1);
	CU_ASSERT_EQUAL(f.s.resizes, 1);
	CU_ASSERT_EQUAL(f.d.width, 32);
	CU_ASSERT_EQUAL(f.d.height, 24);
	CU_ASSERT_TRUE(surface_matches(&f));
	/* Updates now clip to the new size. */
	push_update(&f, 0, 0, 64, 48);
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), 1);
	CU_ASSERT_TRUE(surface_matches(&f));
	fake_vfb_dispose(&f);
}

/* A guest resizing as fast as it can: a burst of lines, not one a resize. */
static void test_resize_log_budget(void)
{
	struct xendev_log_budget budget = { 0 };
	struct fake_vfb f;
	size_t len = 64 * 48 * 4, n;
	char *out;
	FILE *log;

	fake_vfb_init(&f, 64, 48, len);
	f.s.log_budget = &budget;
	CU_ASSERT_EQUAL_FATAL(vfb_attach(&f.s), 0);
	log = unit_log_capture(&out, &n);
	for (unsigned round = 0; round < 4; round++) {
		for (unsigned i = 0; i < 50; i++)
			push_resize(&f, i % 2 ? 32 : 64, i % 2 ? 24 : 48, i % 2 ? 128 : 256, 32, 0);
		CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), 50);
	}
	unit_log_release(log);
	CU_ASSERT_EQUAL(f.s.resizes, 200);
	CU_ASSERT_EQUAL(unit_count_lines(out), XENDEV_LOG_BURST);
	CU_ASSERT_EQUAL(budget.suppressed, 200 - XENDEV_LOG_BURST);
	free(out);
	fake_vfb_dispose(&f);
}

static void test_ring_indexes(void)
{
	struct fake_vfb f;
	union xenfb_out_event ev;
	char want[128];

	fake_vfb_init(&f, 16, 16, 16 * 16 * 4);
	CU_ASSERT_EQUAL_FATAL(vfb_attach(&f.s), 0);
	/* Unknown types are skipped. */
	memset(&ev, 0, sizeof(ev));
	ev.type = 0xee;
	push_out(&f, &ev);
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), 1);
	/* A full ring is fine and bounded... */
	for (unsigned i = 0; i < XENFB_OUT_RING_LEN; i++)
		push_update(&f, 0, 0, 1, 1);
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), XENFB_OUT_RING_LEN);
	/* ...a producer further ahead is not. */
	f.page->out_prod += XENFB_OUT_RING_LEN + 1;
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), -EPROTO);
	snprintf(want, sizeof(want), "out ring producer %u is impossible (consumer %u, ring of 51)",
		 f.page->out_prod, f.s.out_cons);
	CU_ASSERT_STRING_EQUAL(f.s.fault.why, want);
	/* The consumer index in the page is not trusted either. */
	f.page->out_prod = f.s.out_cons;
	f.page->out_cons = 12345;
	CU_ASSERT_EQUAL(vfb_ring_drain(&f.s), 0);
	fake_vfb_dispose(&f);
}

/* ---- random hostile pages ------------------------------------------------ */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* Shared pages and rings of random content, framebuffers of random small
 * sizes allocated to the byte: whatever the frontend writes, nothing is
 * read outside them (run under valgrind). */
static void test_vfb_random_pages(void)
{
	unsigned attached = 0, drained = 0;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);	/* thousands of "clipped" and "refused" lines */
	for (int iter = 0; iter < 3000; iter++) {
		struct fake_vfb f;
		size_t len = 1 + rnd() % 65536;
		uint8_t *p;

		fake_vfb_init(&f, 16, 16, len);
		p = (uint8_t *)f.page;
		for (int i = 0; i < 4096; i++)
			p[i] = (uint8_t)rnd();
		/* Often plausible geometry, sometimes anything at all. */
		if (iter % 3) {
			f.page->width = (int32_t)(rnd() % 200);
			f.page->height = (int32_t)(rnd() % 200);
			f.page->depth = (uint8_t)(8 * (1 + rnd() % 4));
			f.page->line_length = (uint32_t)f.page->width * (f.page->depth / 8) + rnd() % 8;
		}
		if (vfb_attach(&f.s) == 0) {
			attached++;
			for (int round = 0; round < 3; round++) {
				f.page->out_prod = f.s.out_cons + rnd() % (XENFB_OUT_RING_LEN + 3);
				for (int i = 0; i < 40; i++)	/* events get plausible types */
					p[XENFB_OUT_RING_OFFS + i * XENFB_OUT_EVENT_SIZE] = (uint8_t)(2 + rnd() % 2);
				if (vfb_ring_drain(&f.s) >= 0)
					drained++;
				CU_ASSERT_TRUE(vfb_geometry_check(&f.s.geo, len, &(const char *){ NULL }) == 0);
			}
		}
		fake_vfb_dispose(&f);
	}
	log_set_stream(NULL);
	fclose(quiet);
	CU_ASSERT_TRUE(attached > 100);
	CU_ASSERT_TRUE(drained > 100);
}

static void test_psf_random(void)
{
	uint8_t buf[32 + 4 * 16 + 64];
	struct psf_font f;
	const char *why;
	FILE *quiet = fopen("/dev/null", "w");

	log_set_stream(quiet);
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = rnd() % sizeof(buf);

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rnd();
		if (iter % 2) {	/* a PSF2 header with random fields */
			uint32_t v = 0x864ab572;

			memcpy(buf, &v, 4);
			v = 32;
			if (iter % 4 == 1)
				memcpy(buf + 8, &v, 4);
		} else {
			buf[0] = 0x36;
			buf[1] = 0x04;
		}
		if (psf_parse(buf, len, &f, &why) == 0) {
			CU_ASSERT_TRUE(psf_glyph(&f, rnd() % 0x20000) < f.n_glyphs);
			psf_font_dispose(&f);
		}
	}
	log_set_stream(NULL);
	fclose(quiet);
}

/* ---- vkbd ------------------------------------------------------------------ */

static void test_vkbd_ring(void)
{
	struct xenkbd_page *page = aligned_alloc(4096, 4096);
	struct vkbd_state s = { .label = "vkbd/1/0" };
	union xenkbd_in_event *ev;
	char want[128];
	unsigned ok = 0;
	int rc;

	memset(page, 0, 4096);
	s.page = page;
	for (int i = 0; i < 60; i++)
		if ((rc = vkbd_key(&s, 30, i & 1)) == 0)
			ok++;
		else
			CU_ASSERT_EQUAL(rc, -ENOSPC);
	CU_ASSERT_EQUAL(ok, XENKBD_IN_RING_LEN);
	CU_ASSERT_EQUAL(s.dropped, 60 - XENKBD_IN_RING_LEN);
	CU_ASSERT_EQUAL(page->in_prod, XENKBD_IN_RING_LEN);
	ev = &XENKBD_IN_RING_REF(page, 0);
	CU_ASSERT_EQUAL(ev->type, XENKBD_TYPE_KEY);
	CU_ASSERT_EQUAL(ev->key.keycode, 30);
	CU_ASSERT_EQUAL(ev->key.pressed, 0);
	/* The guest consumed everything. */
	page->in_cons = page->in_prod;
	s.abs = true;
	CU_ASSERT_EQUAL(vkbd_pointer(&s, 639, 0, 640, 480, 1, 0), 0);
	ev = &XENKBD_IN_RING_REF(page, page->in_cons);
	CU_ASSERT_EQUAL(ev->type, XENKBD_TYPE_POS);
	CU_ASSERT_EQUAL(ev->pos.abs_x, VKBD_ABS_WIDTH - 1);
	ev = &XENKBD_IN_RING_REF(page, page->in_cons + 1);
	CU_ASSERT_EQUAL(ev->type, XENKBD_TYPE_KEY);
	CU_ASSERT_EQUAL(ev->key.keycode, 0x110);	/* BTN_LEFT */
	CU_ASSERT_EQUAL(ev->key.pressed, 1);
	/* A consumer index ahead of the producer is impossible. */
	page->in_cons = s.in_prod + 5;
	CU_ASSERT_EQUAL(vkbd_key(&s, 30, true), -EPROTO);
	snprintf(want, sizeof(want), "in ring consumer %u is impossible (producer %u, ring of %u)",
		 s.in_prod + 5, s.in_prod, (unsigned)XENKBD_IN_RING_LEN);
	CU_ASSERT_STRING_EQUAL(s.fault.why, want);
	free(page);
}

/* ---- fonts and keys ----------------------------------------------------- */

static void test_psf(void)
{
	uint8_t buf[32 + 2 * 16 + 8];
	struct psf_font f;
	const char *why = NULL;
	uint32_t v;

	memset(buf, 0, sizeof(buf));
	v = 0x864ab572; memcpy(buf, &v, 4);
	v = 32; memcpy(buf + 8, &v, 4);		/* header size */
	v = 1; memcpy(buf + 12, &v, 4);		/* unicode table */
	v = 2; memcpy(buf + 16, &v, 4);		/* glyphs */
	v = 16; memcpy(buf + 20, &v, 4);	/* bytes per glyph */
	v = 16; memcpy(buf + 24, &v, 4);	/* height */
	v = 8; memcpy(buf + 28, &v, 4);		/* width */
	buf[32 + 16] = 0xff;			/* glyph 1, first row */
	memcpy(buf + 64, "\xff" "A" "\xfe" "B" "C" "\xff", 6);
	CU_ASSERT_EQUAL_FATAL(psf_parse(buf, 70, &f, &why), 0);
	CU_ASSERT_EQUAL(f.width, 8);
	CU_ASSERT_EQUAL(f.height, 16);
	CU_ASSERT_EQUAL(psf_glyph(&f, 'A'), 1);
	CU_ASSERT_EQUAL(psf_glyph(&f, 'B'), 0);	/* only in a sequence: not mapped */
	psf_font_dispose(&f);
	CU_ASSERT_EQUAL(psf_parse(buf, 60, &f, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "glyphs past the end of the file");
	v = 1000; memcpy(buf + 8, &v, 4);
	CU_ASSERT_EQUAL(psf_parse(buf, 70, &f, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "PSF2 header size is wrong");
	CU_ASSERT_EQUAL(psf_parse((const uint8_t *)"hello", 5, &f, &why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "not a PSF font");
	/* Debian's font, when this machine has it. */
	if (psf_load(TEXTSCREEN_FONT, &f) == 0) {
		CU_ASSERT_EQUAL(f.width, 8);
		CU_ASSERT_EQUAL(f.height, 16);
		CU_ASSERT_NOT_EQUAL(psf_glyph(&f, 'A'), psf_glyph(&f, 'B'));
		psf_font_dispose(&f);
	}
}

static void test_keymaps(void)
{
	CU_ASSERT_EQUAL(vnc_keysym_to_linux('a'), 30);
	CU_ASSERT_EQUAL(vnc_keysym_to_linux('A'), 30);
	CU_ASSERT_EQUAL(vnc_keysym_to_linux('!'), 2);
	CU_ASSERT_EQUAL(vnc_keysym_to_linux(' '), 57);
	CU_ASSERT_EQUAL(vnc_keysym_to_linux(0xff0d), 28);
	CU_ASSERT_EQUAL(vnc_keysym_to_linux(0xffe1), 42);
	CU_ASSERT_EQUAL(vnc_keysym_to_linux(0x12345678), 0);
	CU_ASSERT_EQUAL(sdl_scancode_to_linux(4), 30);	/* SDL_SCANCODE_A */
	CU_ASSERT_EQUAL(sdl_scancode_to_linux(40), 28);	/* SDL_SCANCODE_RETURN */
}

/* ---- monitor commands ------------------------------------------------- */

struct mon_fake {
	char out[512];
	size_t len;
	char arg[64];
	int rc;
};

static size_t mon_write(void *opaque, const void *buf, size_t len)
{
	struct mon_fake *f = opaque;
	size_t n = len < sizeof(f->out) - 1 - f->len ? len : sizeof(f->out) - 1 - f->len;

	memcpy(f->out + f->len, buf, n);
	f->len += n;
	f->out[f->len] = '\0';
	return len;
}

static int mon_pw(void *opaque, const char *pw)
{
	struct mon_fake *f = opaque;

	snprintf(f->arg, sizeof(f->arg), "%s", pw);
	return f->rc;
}

static int mon_dump(void *opaque, const char *path)
{
	struct mon_fake *f = opaque;

	snprintf(f->arg, sizeof(f->arg), "%s", path);
	return f->rc;
}

static const struct monitor_ops mon_fake_ops = {
	.write = mon_write, .vnc_password = mon_pw, .screendump = mon_dump,
};

static void mon_run(struct monitor *mon, struct mon_fake *f, const char *line)
{
	f->len = 0;
	f->out[0] = '\0';
	monitor_execute(mon, line);
}

static void test_monitor_commands(void)
{
	struct mon_fake f = { .rc = 0 };
	struct monitor mon;

	monitor_init(&mon, &mon_fake_ops, &f, false);
	mon_run(&mon, &f, "change vnc password s3cret");
	CU_ASSERT_STRING_EQUAL(f.out, "");
	CU_ASSERT_STRING_EQUAL(f.arg, "s3cret");
	f.rc = -EPERM;
	mon_run(&mon, &f, "change vnc password x");
	CU_ASSERT_STRING_EQUAL(f.out, "Could not set password\r\n");
	mon_run(&mon, &f, "change vnc");
	CU_ASSERT_STRING_EQUAL(f.out, "change: only 'change vnc password PASSWORD' is supported\r\n");
	mon_run(&mon, &f, "change ide1-cd0 /tmp/x.iso");
	CU_ASSERT_STRING_EQUAL(f.out, "change: only 'change vnc password PASSWORD' is supported\r\n");
	mon_run(&mon, &f, "screendump");
	CU_ASSERT_STRING_EQUAL(f.out, "screendump: missing filename\r\n");
	f.rc = 0;
	mon_run(&mon, &f, "screendump /tmp/s.ppm");
	CU_ASSERT_STRING_EQUAL(f.out, "");
	CU_ASSERT_STRING_EQUAL(f.arg, "/tmp/s.ppm");
	monitor_dispose(&mon);
}

static void test_screendump_ppm(void)
{
	char path[] = "/tmp/xenlaunch-unit-ppm-XXXXXX";
	unsigned char buf[32];
	struct display d;
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	display_init(&d);
	CU_ASSERT_EQUAL(display_screendump(&d, path), -ENODEV);
	CU_ASSERT_EQUAL_FATAL(display_resize(&d, 2, 1), 0);
	d.pixels[0] = 0x102030;
	d.pixels[1] = 0xffffff;
	CU_ASSERT_EQUAL(display_screendump(&d, path), 0);
	fp = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	CU_ASSERT_EQUAL(fread(buf, 1, sizeof(buf), fp), 11 + 6);
	fclose(fp);
	CU_ASSERT_EQUAL(memcmp(buf, "P6\n2 1\n255\n\x10\x20\x30\xff\xff\xff", 17), 0);
	unlink(path);
	display_dispose(&d);
}

static CU_TestInfo tests[] = {
	{ "monitor: change vnc password, screendump", test_monitor_commands },
	{ "screendump writes a PPM", test_screendump_ppm },
	{ "vnc and display options", test_vnc_spec },
	{ "display options in the parser", test_display_options },
	{ "copy reports only what changed", test_copy_reports_only_changes },
	{ "16-bit pixels", test_depth16 },
	{ "vfb geometry check", test_geometry_check },
	{ "vfb rectangle clipping", test_clip },
	{ "vfb attach refuses a short mapping", test_attach_refuses_short_mapping },
	{ "vfb bogus updates are clipped", test_updates_clipped },
	{ "vfb resize validated", test_resize },
	{ "vfb resizes logged within the device's budget", test_resize_log_budget },
	{ "vfb ring indexes", test_ring_indexes },
	{ "vfb random hostile pages", test_vfb_random_pages },
	{ "psf random input", test_psf_random },
	{ "vkbd ring", test_vkbd_ring },
	{ "psf fonts", test_psf },
	{ "key maps", test_keymaps },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("display", tests)
