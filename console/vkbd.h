/*
 * The vkbd backend (xen/include/public/io/kbdif.h): the display's keyboard
 * and pointer input delivered to the guest (Linux xen-kbdfront).
 *
 * The backend offers feature-abs-pointer and the absolute range (width,
 * height: VKBD_ABS_WIDTH x VKBD_ABS_HEIGHT, xen-fbfront's default screen);
 * when the frontend asks for request-abs-pointer, positions are sent as
 * XENKBD_TYPE_POS scaled from display pixels to that range, otherwise as
 * relative XENKBD_TYPE_MOTION. Keys and buttons (BTN_LEFT, BTN_MIDDLE,
 * BTN_RIGHT) are XENKBD_TYPE_KEY with Linux key codes; the wheel is rel_z
 * (negative = up, as xen-kbdfront reports -rel_z as REL_WHEEL).
 *
 * The shared page is mapped through page-gref (or, from old frontends,
 * page-ref with foreign mapping). The in ring (backend -> frontend) is ours
 * to produce: our producer index is private, the frontend's consumer index
 * is read once and checked (prod - cons never above the ring's length, or
 * the device fails); when the ring is full the event is dropped and logged
 * once.
 */
#ifndef CONSOLE_VKBD_H
#define CONSOLE_VKBD_H

#include <stdbool.h>
#include <stdint.h>

#include "xenbus/ring.h"
#include "xenbus/xenbus_backend.h"

#define VKBD_ABS_WIDTH 800
#define VKBD_ABS_HEIGHT 600

/* The part of a vkbd device that unit tests drive without Xen. */
struct vkbd_state {
	const char *label;
	struct xendev_log_budget *log_budget;	/* the device's; NULL: none */
	void *page;			/* the shared struct xenkbd_page */
	uint32_t in_prod;		/* our producer index */
	bool abs;			/* the frontend asked for absolute positions */
	bool warned_full;
	unsigned last_buttons;
	int last_x, last_y;
	unsigned dropped;		/* events lost to a full ring */
	struct xen_ring_fault fault;	/* why the frontend broke a ring */
};

/*
 * Puts one 40-byte event (union xenkbd_in_event) into the in ring. 0 when
 * queued, -ENOSPC when the ring is full (dropped), -EPROTO with s->fault set
 * when the frontend's consumer index is impossible.
 */
int vkbd_push(struct vkbd_state *s, const void *event);

/* Builds and queues the events for one key or one pointer change. 0 or the
 * first error of vkbd_push(). */
int vkbd_key(struct vkbd_state *s, unsigned linux_keycode, bool down);
int vkbd_pointer(struct vkbd_state *s, int x, int y, int disp_w, int disp_h, unsigned buttons,
		 int wheel);

/* Registered with the display whose input it takes as its context
 * (struct xenbus_backend_type.ctx); only when there is a display. */
extern const struct backend_ops vkbd_ops;

#endif
