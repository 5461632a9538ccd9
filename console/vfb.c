/*
 * The vfb backend; see vfb.h.
 */
#include "console/vfb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenforeignmemory.h>
#include <xen/io/fbif.h>
#include <xen/io/protocols.h>

#include "common/log.h"

#define VFB_PAGE 4096u
#define VFB_MAX_DIM 4096

/* ---- the part without Xen (unit tested) -------------------------------- */

int vfb_geometry_check(const struct vfb_geometry *g, size_t fb_len, const char **why_r)
{
	uint64_t row, end;

	if (g->depth != 8 && g->depth != 16 && g->depth != 24 && g->depth != 32) {
		*why_r = "depth is not 8, 16, 24 or 32";
		return -EINVAL;
	}
	if (g->width < 1 || g->width > VFB_MAX_DIM) {
		*why_r = "width is not 1..4096";
		return -EINVAL;
	}
	if (g->height < 1 || g->height > VFB_MAX_DIM) {
		*why_r = "height is not 1..4096";
		return -EINVAL;
	}
	row = (uint64_t)g->width * (uint64_t)(g->depth / 8);
	if (g->line_length < row) {
		*why_r = "line length is shorter than a row of pixels";
		return -EINVAL;
	}
	/* offset + line_length * (height - 1) + row: all terms < 2^32, so
	 * the sum fits in 64 bits; checked anyway. */
	if (__builtin_mul_overflow((uint64_t)g->line_length, (uint64_t)(g->height - 1), &end) ||
	    __builtin_add_overflow(end, (uint64_t)g->offset, &end) ||
	    __builtin_add_overflow(end, row, &end) || end > fb_len) {
		*why_r = "framebuffer ends past the mapped memory";
		return -EINVAL;
	}
	return 0;
}

bool vfb_clip_rect(int32_t width, int32_t height, int32_t x, int32_t y, int32_t w, int32_t h,
		   int *x_r, int *y_r, int *w_r, int *h_r, bool *bogus_r)
{
	int64_t x0 = x, y0 = y, x1 = (int64_t)x + w, y1 = (int64_t)y + h;

	*bogus_r = w <= 0 || h <= 0 || x < 0 || y < 0 || x1 > width || y1 > height;
	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	if (x1 > width)
		x1 = width;
	if (y1 > height)
		y1 = height;
	if (x0 >= x1 || y0 >= y1)
		return false;
	*x_r = (int)x0;
	*y_r = (int)y0;
	*w_r = (int)(x1 - x0);
	*h_r = (int)(y1 - y0);
	return true;
}

void vfb_render(struct vfb_state *s, int x, int y, int w, int h)
{
	int cx, cy, cw, ch;
	bool bogus;

	if (!s->d || !s->fb)
		return;
	if (!vfb_clip_rect(s->geo.width, s->geo.height, x, y, w, h, &cx, &cy, &cw, &ch, &bogus))
		return;
	if (s->d->width != s->geo.width || s->d->height != s->geo.height)
		return;	/* the display could not follow a resize */
	display_copy_from(s->d, s->fb + s->geo.offset, s->geo.line_length, s->geo.depth,
			  cx, cy, cw, ch);
}

static void show_all(struct vfb_state *s)
{
	if (!s->d)
		return;
	display_source_guest(s->d);
	if (display_resize(s->d, s->geo.width, s->geo.height) < 0) {
		if (xendev_log_budget_take(s->log_budget, s->label))
			log_warnx("%s: the display cannot show %dx%d", s->label, s->geo.width,
				  s->geo.height);
		return;
	}
	vfb_render(s, 0, 0, s->geo.width, s->geo.height);
}

int vfb_attach(struct vfb_state *s)
{
	const volatile struct xenfb_page *page = s->page;
	struct vfb_geometry g;
	const char *why;

	/* One read of each field; what we check is what we use. */
	g.width = page->width;
	g.height = page->height;
	g.depth = page->depth;
	g.line_length = page->line_length;
	g.offset = 0;
	if (vfb_geometry_check(&g, s->fb_len, &why) < 0) {
		xen_ring_fail(&s->fault, "framebuffer %dx%dx%d, line length %u in %zu bytes: %s",
			      g.width, g.height, g.depth, g.line_length, s->fb_len, why);
		return -EINVAL;
	}
	s->geo = g;
	s->out_cons = page->out_cons;
	show_all(s);
	return 0;
}

static void handle_resize(struct vfb_state *s, const struct xenfb_resize *r)
{
	struct vfb_geometry g = {
		.width = r->width, .height = r->height, .depth = r->depth,
		.line_length = (uint32_t)r->stride, .offset = (uint32_t)r->offset,
	};
	const char *why;

	if (r->stride < 0 || r->offset < 0 || vfb_geometry_check(&g, s->fb_len, &why) < 0) {
		if (!s->warned_resize && xendev_log_budget_take(s->log_budget, s->label))
			log_warnx("%s: resize to %dx%dx%d, stride %d, offset %d refused: %s",
				  s->label, r->width, r->height, r->depth, r->stride, r->offset,
				  r->stride < 0 || r->offset < 0 ? "negative stride or offset" : why);
		s->warned_resize = true;
		return;
	}
	s->geo = g;
	s->resizes++;
	if (xendev_log_budget_take(s->log_budget, s->label))
		log_info("%s: resized to %dx%dx%d", s->label, g.width, g.height, g.depth);
	show_all(s);
}

int vfb_ring_drain(struct vfb_state *s)
{
	struct xenfb_page *page = s->page;
	int64_t ux0 = INT64_MAX, uy0 = INT64_MAX, ux1 = -1, uy1 = -1;
	uint32_t prod, cons = s->out_cons;
	int handled = 0, rc;

	rc = xen_ring_take_prod(&page->out_prod, cons, XENFB_OUT_RING_LEN, "out", &s->fault, &prod);
	if (rc < 0)
		return rc;
	for (unsigned n = 0; cons != prod && n < XENFB_OUT_RING_LEN; n++, cons++) {
		union xenfb_out_event ev;
		int x, y, w, h;
		bool bogus;

		xen_ring_copy_slot(&ev, &XENFB_OUT_RING_REF(page, cons), sizeof(ev));
		handled++;
		switch (ev.type) {
		case XENFB_TYPE_UPDATE:
			s->updates++;
			if (!vfb_clip_rect(s->geo.width, s->geo.height, ev.update.x, ev.update.y,
					   ev.update.width, ev.update.height, &x, &y, &w, &h, &bogus))
				bogus = true;
			if (bogus && !s->warned_rect) {
				if (xendev_log_budget_take(s->log_budget, s->label))
					log_warnx("%s: update %dx%d+%d+%d is not inside the %dx%d framebuffer; clipped",
						  s->label, ev.update.width, ev.update.height, ev.update.x,
						  ev.update.y, s->geo.width, s->geo.height);
				s->warned_rect = true;
			}
			if (!vfb_clip_rect(s->geo.width, s->geo.height, ev.update.x, ev.update.y,
					   ev.update.width, ev.update.height, &x, &y, &w, &h, &bogus))
				break;
			/* One copy per drain: the union of this round's rectangles. */
			ux0 = x < ux0 ? x : ux0;
			uy0 = y < uy0 ? y : uy0;
			ux1 = x + w > ux1 ? x + w : ux1;
			uy1 = y + h > uy1 ? y + h : uy1;
			break;
		case XENFB_TYPE_RESIZE:
			if (ux1 >= 0)
				vfb_render(s, (int)ux0, (int)uy0, (int)(ux1 - ux0), (int)(uy1 - uy0));
			ux0 = uy0 = INT64_MAX;
			ux1 = uy1 = -1;
			handle_resize(s, &ev.resize);
			break;
		default:
			break;	/* unknown events are skipped, as the protocol says */
		}
	}
	s->out_cons = cons;
	xen_ring_release(&page->out_cons, cons);
	if (ux1 >= 0)
		vfb_render(s, (int)ux0, (int)uy0, (int)(ux1 - ux0), (int)(uy1 - uy0));
	return handled;
}

/* ---- the xenbus device ------------------------------------------------- */

struct vfb_dev {
	struct vfb_state s;
	xenforeignmemory_handle *fmem;
	void *page_map;
	void *fb_map;
	size_t fb_pages;
};

static int vfb_discover(struct xenbus_backend *xb, const struct launch_config *cfg)
{
	return xenbus_backend_add(xb, &vfb_ops, 0, NULL);
}

static int vfb_init(struct xendev *dev)
{
	int rc;

	if ((rc = xendev_be_printf(dev, "feature-resize", "1")) ||
	    (rc = xendev_be_printf(dev, "request-update", "1")))
		return rc;
	return 0;
}

static void vfb_disconnect(struct xendev *dev)
{
	struct vfb_dev *v = dev->priv;
	bool was_shown = v->fb_map != NULL;

	if (v->fb_map)
		xenforeignmemory_unmap(v->fmem, v->fb_map, v->fb_pages);
	if (v->page_map)
		xenforeignmemory_unmap(v->fmem, v->page_map, 1);
	if (v->fmem)
		xenforeignmemory_close(v->fmem);
	v->fb_map = v->page_map = NULL;
	v->fmem = NULL;
	v->fb_pages = 0;
	memset(&v->s, 0, sizeof(v->s));
	if (was_shown && dev->ctx)
		display_source_text(dev->ctx);
}

/* Reads n frame numbers of the guest's ABI (4 or 8 bytes each) from src. */
static void copy_frames(xen_pfn_t *dst, const volatile uint8_t *src, size_t n, unsigned size)
{
	for (size_t i = 0; i < n; i++) {
		if (size == 4) {
			uint32_t v;

			memcpy(&v, (const void *)(src + 4 * i), 4);
			dst[i] = v;
		} else {
			uint64_t v;

			memcpy(&v, (const void *)(src + 8 * i), 8);
			dst[i] = (xen_pfn_t)v;
		}
	}
}

static int vfb_connect(struct xendev *dev)
{
	struct vfb_dev *v = dev->priv;
	uint32_t page_ref, port, mem_len;
	xen_pfn_t pfn, *dirs = NULL, *frames = NULL;
	size_t pd_off, n_dirs, per_dir, fsize;
	void *dir_map = NULL;
	char *proto = NULL, esc[XENDEV_ESCAPED_MAX];
	int rc;

	memset(&v->s, 0, sizeof(v->s));
	v->s.label = dev->label;
	v->s.log_budget = &dev->log_budget;
	if (xendev_fe_read_u32(dev, "page-ref", &page_ref) < 0 ||
	    xendev_fe_read_u32(dev, "event-channel", &port) < 0) {
		xendev_fail(dev, "frontend has no valid page-ref or event-channel");
		return -EINVAL;
	}
	proto = xendev_fe_read(dev, "protocol");
	/* The directory's entries are the guest's unsigned long. */
	if (proto && !strcmp(proto, XEN_IO_PROTO_ABI_X86_32)) {
		fsize = 4;
		pd_off = offsetof(struct xenfb_page, pd) - 4;
	} else if (!proto || !strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
		fsize = 8;
		pd_off = offsetof(struct xenfb_page, pd);
	} else {
		xendev_fail(dev, "protocol '%s' is not served", xendev_escape(proto, esc));
		rc = -EPROTONOSUPPORT;
		goto out;
	}
	v->fmem = xenforeignmemory_open(NULL, 0);
	if (!v->fmem) {
		rc = -errno;
		log_warn("%s: xenforeignmemory_open", dev->label);
		goto out;
	}
	pfn = page_ref;
	v->page_map = xenforeignmemory_map(v->fmem, dev->domid, PROT_READ | PROT_WRITE, 1, &pfn, NULL);
	if (!v->page_map) {
		xendev_fail(dev, "cannot map the shared page (page-ref %u)", page_ref);
		rc = -EFAULT;
		goto out;
	}
	v->s.page = v->page_map;
	mem_len = ((volatile struct xenfb_page *)v->page_map)->mem_length;
	if (mem_len == 0 || mem_len > VFB_MAX_MEM) {
		xendev_fail(dev, "framebuffer length %u is not 1..%u bytes", mem_len, VFB_MAX_MEM);
		rc = -EINVAL;
		goto out;
	}
	v->fb_pages = (mem_len + VFB_PAGE - 1) / VFB_PAGE;
	per_dir = VFB_PAGE / fsize;
	n_dirs = (v->fb_pages + per_dir - 1) / per_dir;
	if (pd_off + n_dirs * fsize > XENFB_IN_RING_OFFS) {
		xendev_fail(dev, "page directory does not fit the shared page");
		rc = -EINVAL;
		goto out;
	}
	dirs = calloc(n_dirs, sizeof(*dirs));
	frames = calloc(v->fb_pages, sizeof(*frames));
	if (!dirs || !frames) {
		rc = -ENOMEM;
		goto out;
	}
	copy_frames(dirs, (const volatile uint8_t *)v->page_map + pd_off, n_dirs, (unsigned)fsize);
	dir_map = xenforeignmemory_map(v->fmem, dev->domid, PROT_READ, n_dirs, dirs, NULL);
	if (!dir_map) {
		xendev_fail(dev, "cannot map the framebuffer's page directory");
		rc = -EFAULT;
		goto out;
	}
	copy_frames(frames, dir_map, v->fb_pages, (unsigned)fsize);
	xenforeignmemory_unmap(v->fmem, dir_map, n_dirs);
	v->fb_map = xenforeignmemory_map(v->fmem, dev->domid, PROT_READ, v->fb_pages, frames, NULL);
	if (!v->fb_map) {
		xendev_fail(dev, "cannot map the framebuffer (%zu pages)", v->fb_pages);
		rc = -EFAULT;
		goto out;
	}
	v->s.fb = v->fb_map;
	v->s.fb_len = v->fb_pages * VFB_PAGE;
	v->s.d = dev->ctx;
	if (vfb_attach(&v->s) < 0) {
		xendev_fail(dev, "%s", v->s.fault.why);
		rc = -EINVAL;
		goto out;
	}
	rc = xendev_bind_evtchn(dev, port);
	if (rc < 0) {
		xendev_fail(dev, "cannot bind event channel %u", port);
		goto out;
	}
	xendev_log(dev, "framebuffer %dx%dx%d, %u bytes", v->s.geo.width, v->s.geo.height,
		   v->s.geo.depth, mem_len);
	rc = 0;
out:
	free(proto);
	free(dirs);
	free(frames);
	if (rc < 0)
		vfb_disconnect(dev);
	return rc;
}

static void vfb_event(struct xendev *dev)
{
	struct vfb_dev *v = dev->priv;
	int rc;

	/* Several rounds at most; the guest cannot keep us here. */
	for (int round = 0; round < 4; round++) {
		rc = vfb_ring_drain(&v->s);
		if (rc < 0) {
			xendev_fail(dev, "%s", v->s.fault.why);
			return;
		}
		if (rc == 0)
			break;
		xendev_notify(dev);
	}
}

const struct backend_ops vfb_ops = {
	.type = "vfb",
	.priv_size = sizeof(struct vfb_dev),
	.discover = vfb_discover,
	.init = vfb_init,
	.connect = vfb_connect,
	.event = vfb_event,
	.disconnect = vfb_disconnect,
};
