/*
 * The vkbd backend; see vkbd.h.
 */
#include "console/vkbd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenforeignmemory.h>
#include <xen/io/kbdif.h>

#include "common/log.h"
#include "console/display.h"

#define BTN_LEFT 0x110
#define BTN_RIGHT 0x111
#define BTN_MIDDLE 0x112

/* ---- the part without Xen (unit tested) -------------------------------- */

int vkbd_push(struct vkbd_state *s, const void *event)
{
	struct xenkbd_page *page = s->page;
	uint32_t cons;
	int rc;

	rc = xen_ring_take_cons(&page->in_cons, s->in_prod, XENKBD_IN_RING_LEN, "in", &s->fault,
				&cons);
	if (rc < 0)
		return rc;
	if (s->in_prod - cons == XENKBD_IN_RING_LEN) {
		if (!s->warned_full && xendev_log_budget_take(s->log_budget, s->label))
			log_warnx("%s: the guest does not read its input; events dropped", s->label);
		s->warned_full = true;
		s->dropped++;
		return -ENOSPC;
	}
	memcpy(&XENKBD_IN_RING_REF(page, s->in_prod), event, XENKBD_IN_EVENT_SIZE);
	s->in_prod++;
	xen_ring_publish(&page->in_prod, NULL, s->in_prod);
	return 0;
}

int vkbd_key(struct vkbd_state *s, unsigned linux_keycode, bool down)
{
	union xenkbd_in_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = XENKBD_TYPE_KEY;
	ev.key.pressed = down ? 1 : 0;
	ev.key.keycode = linux_keycode;
	return vkbd_push(s, &ev);
}

int vkbd_pointer(struct vkbd_state *s, int x, int y, int disp_w, int disp_h, unsigned buttons,
		 int wheel)
{
	static const unsigned btn_codes[3] = { BTN_LEFT, BTN_MIDDLE, BTN_RIGHT };
	union xenkbd_in_event ev;
	int rc = 0;

	memset(&ev, 0, sizeof(ev));
	if (s->abs) {
		ev.type = XENKBD_TYPE_POS;
		ev.pos.abs_x = disp_w > 1 ? (int32_t)((int64_t)x * (VKBD_ABS_WIDTH - 1) / (disp_w - 1)) : 0;
		ev.pos.abs_y = disp_h > 1 ? (int32_t)((int64_t)y * (VKBD_ABS_HEIGHT - 1) / (disp_h - 1)) : 0;
		ev.pos.rel_z = -wheel;
		rc = vkbd_push(s, &ev);
	} else if (x != s->last_x || y != s->last_y || wheel) {
		ev.type = XENKBD_TYPE_MOTION;
		ev.motion.rel_x = x - s->last_x;
		ev.motion.rel_y = y - s->last_y;
		ev.motion.rel_z = -wheel;
		rc = vkbd_push(s, &ev);
	}
	s->last_x = x;
	s->last_y = y;
	for (unsigned b = 0; b < 3 && rc == 0; b++) {
		unsigned bit = 1u << b;

		if ((buttons ^ s->last_buttons) & bit)
			rc = vkbd_key(s, btn_codes[b], buttons & bit);
	}
	if (rc != -EPROTO)
		s->last_buttons = buttons;
	return rc;
}

/* ---- the xenbus device ------------------------------------------------- */

struct vkbd_dev {
	struct vkbd_state s;
	struct xendev *dev;
	void *page;
	bool granted;			/* page mapped by grant, else foreign */
	uint32_t out_cons;		/* our consumer index of the out ring */
	xenforeignmemory_handle *fmem;
};

static int vkbd_discover(struct xenbus_backend *xb, const struct launch_config *cfg)
{
	return xenbus_backend_add(xb, &vkbd_ops, 0, NULL);
}

static int vkbd_init(struct xendev *dev)
{
	int rc;

	if ((rc = xendev_be_printf(dev, XENKBD_FIELD_FEAT_ABS_POINTER, "1")) ||
	    (rc = xendev_be_printf(dev, XENKBD_FIELD_WIDTH, "%d", VKBD_ABS_WIDTH)) ||
	    (rc = xendev_be_printf(dev, XENKBD_FIELD_HEIGHT, "%d", VKBD_ABS_HEIGHT)))
		return rc;
	return 0;
}

static void after_push(struct vkbd_dev *v, int rc)
{
	if (rc == -EPROTO)
		xendev_fail(v->dev, "%s", v->s.fault.why);
	else if (rc == 0)
		xendev_notify(v->dev);
}

static void input_key(void *opaque, unsigned keycode, bool down)
{
	struct vkbd_dev *v = opaque;

	after_push(v, vkbd_key(&v->s, keycode, down));
}

static void input_pointer(void *opaque, int x, int y, unsigned buttons, int wheel)
{
	struct vkbd_dev *v = opaque;
	struct display *d = v->dev->ctx;

	after_push(v, vkbd_pointer(&v->s, x, y, d ? d->width : 1, d ? d->height : 1, buttons, wheel));
}

static const struct display_input_ops vkbd_input_ops = {
	.key = input_key,
	.pointer = input_pointer,
};

static void vkbd_disconnect(struct xendev *dev)
{
	struct vkbd_dev *v = dev->priv;
	struct display *d = dev->ctx;

	if (d && d->input_opaque == v)
		display_set_input(d, NULL, NULL);
	if (v->page && v->granted)
		xendev_unmap_grants(dev, v->page, 1);
	else if (v->page)
		xenforeignmemory_unmap(v->fmem, v->page, 1);
	if (v->fmem)
		xenforeignmemory_close(v->fmem);
	v->page = NULL;
	v->fmem = NULL;
	memset(&v->s, 0, sizeof(v->s));
}

static int vkbd_connect(struct xendev *dev)
{
	struct vkbd_dev *v = dev->priv;
	uint32_t ref, port, req_abs = 0;
	int rc;

	memset(&v->s, 0, sizeof(v->s));
	v->dev = dev;
	v->s.label = dev->label;
	v->s.log_budget = &dev->log_budget;
	if (xendev_fe_read_u32(dev, XENKBD_FIELD_EVT_CHANNEL, &port) < 0) {
		xendev_fail(dev, "frontend has no valid event-channel");
		return -EINVAL;
	}
	if (xendev_fe_read_u32(dev, XENKBD_FIELD_RING_GREF, &ref) == 0) {
		v->page = xendev_map_grants(dev, &ref, 1, PROT_READ | PROT_WRITE);
		v->granted = true;
	} else if (xendev_fe_read_u32(dev, XENKBD_FIELD_RING_REF, &ref) == 0) {
		xen_pfn_t pfn = ref;

		v->fmem = xenforeignmemory_open(NULL, 0);
		if (v->fmem)
			v->page = xenforeignmemory_map(v->fmem, dev->domid, PROT_READ | PROT_WRITE,
						       1, &pfn, NULL);
		v->granted = false;
	} else {
		xendev_fail(dev, "frontend has neither page-gref nor page-ref");
		return -EINVAL;
	}
	if (!v->page) {
		xendev_fail(dev, "cannot map the shared page (%u)", ref);
		return -EFAULT;
	}
	v->s.page = v->page;
	v->s.in_prod = ((volatile struct xenkbd_page *)v->page)->in_prod;
	v->out_cons = ((volatile struct xenkbd_page *)v->page)->out_cons;
	xendev_fe_read_u32(dev, XENKBD_FIELD_REQ_ABS_POINTER, &req_abs);
	v->s.abs = req_abs == 1;
	rc = xendev_bind_evtchn(dev, port);
	if (rc < 0) {
		xendev_fail(dev, "cannot bind event channel %u", port);
		vkbd_disconnect(dev);
		return rc;
	}
	if (dev->ctx)
		display_set_input(dev->ctx, &vkbd_input_ops, v);
	xendev_log(dev, "keyboard and %s pointer", v->s.abs ? "absolute" : "relative");
	return 0;
}

static void vkbd_event(struct xendev *dev)
{
	struct vkbd_dev *v = dev->priv;
	struct xenkbd_page *page = v->page;
	uint32_t prod;

	if (!page)
		return;
	/* Nothing is defined from the frontend: consume whatever it sent. */
	if (xen_ring_take_prod(&page->out_prod, v->out_cons, XENKBD_OUT_RING_LEN, "out",
			       &v->s.fault, &prod) < 0) {
		xendev_fail(dev, "%s", v->s.fault.why);
		return;
	}
	v->out_cons = prod;
	xen_ring_release(&page->out_cons, prod);
}

const struct backend_ops vkbd_ops = {
	.type = "vkbd",
	.priv_size = sizeof(struct vkbd_dev),
	.discover = vkbd_discover,
	.init = vkbd_init,
	.connect = vkbd_connect,
	.event = vkbd_event,
	.disconnect = vkbd_disconnect,
};
