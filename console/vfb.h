/*
 * The vfb backend (xen/include/public/io/fbif.h): the guest's framebuffer
 * shown on the display (console/display.h).
 *
 * The frontend (Linux xen-fbfront) publishes page-ref (the frame of its
 * shared struct xenfb_page), event-channel and protocol. The shared page
 * holds the geometry, a page directory pd[] whose entries are frames of
 * pages that list the framebuffer's frames, and two event rings. The backend
 * maps the shared page and, through the directory, the framebuffer (read
 * only) with libxenforeignmemory, and offers feature-resize and
 * request-update.
 *
 * Everything in shared memory is the guest's and hostile:
 *   - geometry (width, height, depth, line_length, offset) is checked against
 *     the mapped length BEFORE any pixel is read (vfb_geometry_check); a bad
 *     initial geometry fails the device, a bad resize is refused and logged
 *     once and the old geometry stays;
 *   - the out ring (frontend -> backend) is read as ring.h does: producer
 *     read once, barrier, prod - cons checked against the ring's length,
 *     every index reduced modulo the length, each event copied out of shared
 *     memory before it is looked at, a bounded loop; our consumer index is
 *     kept privately (the copy in the page is only published);
 *   - update rectangles are clipped to the framebuffer; the first bogus one
 *     is logged, none is trusted.
 */
#ifndef CONSOLE_VFB_H
#define CONSOLE_VFB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console/display.h"
#include "xenbus/ring.h"
#include "xenbus/xenbus_backend.h"

#define VFB_MAX_MEM (64u << 20)		/* largest framebuffer mapped: 64 MiB */

struct vfb_geometry {
	int32_t width, height;		/* pixels */
	int32_t depth;			/* bits per pixel: 8, 16, 24 or 32 */
	uint32_t line_length;		/* bytes from one row to the next */
	uint32_t offset;		/* bytes from the mapping's start to pixel (0, 0) */
};

/* The part of a vfb device that unit tests drive without Xen. */
struct vfb_state {
	const char *label;		/* log prefix, "vfb/5/0" */
	struct xendev_log_budget *log_budget;	/* for resize lines; NULL: none */
	struct display *d;		/* NULL: nothing is drawn (tests may leave it) */
	void *page;			/* the shared struct xenfb_page (one page) */
	const uint8_t *fb;		/* the mapped framebuffer */
	size_t fb_len;			/* its mapped length */
	struct vfb_geometry geo;	/* validated */
	uint32_t out_cons;		/* our consumer index of the out ring */
	bool warned_rect;		/* a bogus rectangle was logged */
	bool warned_resize;		/* a bad resize was logged */
	unsigned updates;		/* update events handled */
	unsigned resizes;		/* resize events applied */
	struct xen_ring_fault fault;	/* why vfb_attach() or vfb_ring_drain() failed */
};

/*
 * 0 when g describes a framebuffer that lies wholly inside fb_len bytes;
 * -EINVAL with *why_r set to a fixed message otherwise ("depth 12 is not
 * 8, 16, 24 or 32", "width 0 is not 1..4096", "line length 100 is shorter
 * than a row of 800 pixels", "framebuffer ends past the mapped 1966080
 * bytes"...). All arithmetic is done in 64 bits with overflow checks.
 */
int vfb_geometry_check(const struct vfb_geometry *g, size_t fb_len, const char **why_r);

/*
 * Clips the guest's rectangle to a width x height framebuffer. Returns
 * true when something is left (in *x_r, *y_r, *w_r, *h_r); *bogus_r is set
 * when the rectangle was not already inside (negative, empty, past the
 * edge).
 */
bool vfb_clip_rect(int32_t width, int32_t height, int32_t x, int32_t y, int32_t w, int32_t h,
		   int *x_r, int *y_r, int *w_r, int *h_r, bool *bogus_r);

/*
 * Takes the initial geometry from the shared page (width, height, depth,
 * line_length; offset 0), checks it against fb_len and shows the whole
 * framebuffer. 0, or -EINVAL with s->fault set.
 */
int vfb_attach(struct vfb_state *s);

/* Copies the clipped rectangle of the framebuffer to the display. */
void vfb_render(struct vfb_state *s, int x, int y, int w, int h);

/*
 * Handles every event in the out ring (updates and resizes), bounded by
 * the ring's length, and publishes the consumer index. Returns the number
 * of events handled, or -EPROTO with s->fault set when the producer index is
 * impossible (the device must be failed).
 */
int vfb_ring_drain(struct vfb_state *s);

/* Registered with the display it draws on as its context
 * (struct xenbus_backend_type.ctx); only when there is a display. */
extern const struct backend_ops vfb_ops;

#endif
