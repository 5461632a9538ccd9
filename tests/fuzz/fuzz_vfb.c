/*
 * The framebuffer's shared page and out ring (console/vfb.h) and the
 * keyboard's in ring (console/vkbd.h) as a hostile frontend writes them.
 * The input: a byte of framebuffer length in pages, the keyboard page's
 * in_cons (4 bytes), the head of the vfb page (indices and geometry,
 * VFB_HEAD bytes), then the out ring's events; a display of our own
 * receives what is drawn.
 *
 * Invariants: what is accepted fits the framebuffer (vfb_geometry_check's
 * promise, checked again here); a drain handles at most the ring's length;
 * the keyboard's producer never runs more than the ring ahead of a
 * consumer it accepted.
 */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <xen/io/fbif.h>
#include <xen/io/kbdif.h>

#include "console/display.h"
#include "console/vfb.h"
#include "console/vkbd.h"

#define FB_MAX_PAGES 64u	/* 256 KiB: room for 256x256x32 */
#define VFB_HEAD offsetof(struct xenfb_page, pd)

static uint8_t vfb_page[4096] __attribute__((aligned(4096)));
static uint8_t kbd_page[4096] __attribute__((aligned(4096)));
static uint8_t fb[FB_MAX_PAGES * 4096];

static void check_geometry(const struct vfb_state *s)
{
	const struct vfb_geometry *g = &s->geo;
	uint64_t last_row;

	FUZZ_CHECK(g->width > 0 && g->height > 0);
	FUZZ_CHECK(g->depth == 8 || g->depth == 16 || g->depth == 24 || g->depth == 32);
	FUZZ_CHECK((uint64_t)g->width * (uint64_t)(g->depth / 8) <= g->line_length);
	last_row = (uint64_t)g->offset + (uint64_t)(g->height - 1) * g->line_length;
	FUZZ_CHECK(last_row + (uint64_t)g->width * (uint64_t)(g->depth / 8) <= s->fb_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct display d;
	struct vfb_state s;
	struct vkbd_state k;
	struct xendev_log_budget budget = { 0 };
	unsigned fb_pages = size ? 1 + data[0] % FB_MAX_PAGES : 1;
	size_t off = 1, n;
	int rc;

	fuzz_quiet_log();
	memset(kbd_page, 0, sizeof(kbd_page));
	n = size > off ? (size - off < 4 ? size - off : 4) : 0;
	memcpy(kbd_page, data + off, n);	/* in_cons, first in struct xenkbd_page */
	off += n;
	memset(vfb_page, 0, sizeof(vfb_page));
	n = size > off ? (size - off < VFB_HEAD ? size - off : VFB_HEAD) : 0;
	memcpy(vfb_page, data + off, n);
	off += n;
	n = size > off ? (size - off < XENFB_OUT_RING_SIZE ? size - off : XENFB_OUT_RING_SIZE) : 0;
	memcpy(vfb_page + XENFB_OUT_RING_OFFS, data + off, n);

	display_init(&d);
	memset(&s, 0, sizeof(s));
	s.label = "vfb/fuzz";
	s.log_budget = &budget;
	s.d = &d;
	s.page = vfb_page;
	s.fb = fb;
	s.fb_len = (size_t)fb_pages * 4096;
	if (vfb_attach(&s) == 0) {
		check_geometry(&s);
		for (int round = 0; round < 4; round++) {
			rc = vfb_ring_drain(&s);
			FUZZ_CHECK(rc == -EPROTO || (rc >= 0 && rc <= (int)XENFB_OUT_RING_LEN));
			check_geometry(&s);
			if (rc <= 0)
				break;
		}
	}
	display_dispose(&d);

	memset(&k, 0, sizeof(k));
	k.label = "vkbd/fuzz";
	k.log_budget = &budget;
	k.page = kbd_page;
	k.in_prod = ((struct xenkbd_page *)kbd_page)->in_cons;
	k.abs = size & 1;
	for (unsigned i = 0; i < 3 * XENKBD_IN_RING_LEN; i++) {
		rc = i % 2 ? vkbd_key(&k, 30 + i % 50, i % 4 == 1)
			   : vkbd_pointer(&k, (int)(i * 37 % 900) - 50, (int)(i * 11 % 700) - 50,
					  800, 600, i % 8, (int)(i % 3) - 1);
		FUZZ_CHECK(rc == 0 || rc == -ENOSPC || rc == -EPROTO);
		if (rc == -EPROTO)
			break;
		FUZZ_CHECK(k.in_prod - ((struct xenkbd_page *)kbd_page)->in_cons <= XENKBD_IN_RING_LEN);
	}
	return 0;
}
