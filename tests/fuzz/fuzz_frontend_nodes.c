/*
 * The frontend's xenstore nodes as the backends read them when a frontend
 * connects: ring-ref(s), ring-page-order, num-ring-pages, event-channel,
 * protocol, multi-queue-num-queues, queue-N/..., feature-* and request-*
 * flags, page-ref, page-gref. The input is NUL-separated pairs "node",
 * "value"; every backend type (vbd, vif, vfb, vkbd) connects with them,
 * through the xenbus core's state machine, then the frontend closes.
 * Nothing maps (tests/fuzz/fake_xen.h), so a connect ends in a failure
 * after the parsing, as it would on a host that refuses the grants.
 *
 * Invariants: the device ends disconnected, its state a XenbusState; a
 * broken device is marked so; no leak, no out-of-bounds read of a value.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "console/vfb.h"
#include "console/vkbd.h"
#include "model/config.h"
#include "common/event_loop.h"
#include "tests/fuzz/fake_xen.h"
#include "devices/blkback.h"
#include "devices/netback.h"
#include "xenbus/xenbus_backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct backend_ops *const types[] = {
		&blkback_ops, &netback_ops, &vfb_ops, &vkbd_ops,
	};
	static struct event_loop loop;
	static bool loop_ready;
	static char disk_path[64];
	struct drive_config drive = { .file = disk_path, .cache = DRIVE_CACHE_WRITEBACK };
	struct nic_config nic = { .queues = 4 };
	const void *confs[] = { &drive, &nic, NULL, NULL };
	const char *p = (const char *)data, *end = p + size;
	struct xenbus_backend xb;

	fuzz_quiet_log();
	if (!loop_ready) {
		int fd = memfd_create("fuzz-disk", 0);

		FUZZ_CHECK(event_loop_init(&loop) == 0);
		FUZZ_CHECK(fd >= 0 && ftruncate(fd, 1 << 20) == 0);
		snprintf(disk_path, sizeof(disk_path), "/proc/self/fd/%d", fd);
		loop_ready = true;
	}
	fuzz_xs_n_nodes = 0;
	while (p < end && fuzz_xs_n_nodes < FUZZ_XS_MAX_NODES) {
		const char *name = p, *value, *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul)
			break;
		value = nul + 1;
		nul = value < end ? memchr(value, '\0', (size_t)(end - value)) : NULL;
		fuzz_xs_nodes[fuzz_xs_n_nodes].name = name;
		fuzz_xs_nodes[fuzz_xs_n_nodes].value = value;
		fuzz_xs_nodes[fuzz_xs_n_nodes++].len = nul ? (size_t)(nul - value)
							   : (size_t)(end - value);
		p = nul ? nul + 1 : end;
	}
	fuzz_evtchn_opens = size & 1;

	xenbus_backend_init(&xb, &loop, NULL, 0);
	xb.domid = 7;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		FUZZ_CHECK(xenbus_backend_add(&xb, types[i], 0, confs[i]) == 0);
	FUZZ_CHECK(xenbus_backend_create(&xb) == 0);
	for (unsigned i = 0; i < xb.n_devs; i++) {
		struct xendev *dev = xb.devs[i];

		FUZZ_CHECK(dev->be_state == XenbusStateInitWait);
		xendev_frontend_state(dev, XenbusStateInitialised);
		FUZZ_CHECK(!dev->connected || dev->be_state == XenbusStateConnected);
		FUZZ_CHECK(dev->connected || dev->broken);
		xendev_frontend_state(dev, XenbusStateClosing);
		FUZZ_CHECK(!dev->connected);
		xendev_frontend_state(dev, XenbusStateClosed);
		FUZZ_CHECK(dev->be_state == XenbusStateClosed && dev->recreate_pending);
	}
	xenbus_backend_dispose(&xb);
	return 0;
}
