/*
 * The host side of a PV NIC: a tap device (/dev/net/tun) with one file
 * descriptor per queue, packets framed by a struct virtio_net_hdr, joined to
 * a bridge with the bridge ioctl. No persistent flag: the kernel removes
 * the device when its last descriptor closes, so no tap outlives the
 * launcher, however it ends.
 */
#ifndef DEVICES_TAP_H
#define DEVICES_TAP_H

#include <net/if.h>
#include <stdbool.h>

#include "model/config.h"

struct tap {
	int fds[NIC_MAX_QUEUES];	/* non-blocking; fds[0] open while the tap exists */
	unsigned n_fds;
	char name[IFNAMSIZ];
	bool bridged;
};

void tap_init(struct tap *t);
/*
 * Creates tap NAME (which must not exist yet) with one queue, link up, its
 * own MAC fe:ff:ff:ff:ff:ff (as Xen's vif scripts set it, so that it never
 * becomes the bridge's address). 0 or -errno (logged with label).
 */
int tap_open(struct tap *t, const char *name, const char *label);
/* Joins the existing bridge. 0 or -errno (logged). */
int tap_attach_bridge(struct tap *t, const char *bridge, const char *label);
/* Opens or closes queue descriptors so that there are n (1..NIC_MAX_QUEUES). */
int tap_set_queues(struct tap *t, unsigned n, const char *label);
/* What the host may hand over partially done (TUNSETOFFLOAD). 0 or -errno. */
int tap_set_offload(struct tap *t, bool csum, bool tso4, bool tso6, const char *label);
/* Closes every descriptor: the device goes. Idempotent. */
void tap_close(struct tap *t);

/*
 * Runs "script IFNAME" (QEMU's script=/downscript=) with no descriptor of
 * ours, waits for it (at most 30 s, then kills it). 0 when it exited 0,
 * else -errno or -ECHILD (logged).
 */
int tap_run_script(const char *script, const char *ifname, const char *label);

#endif
