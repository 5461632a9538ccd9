/*
 * What the guest-facing fuzz targets fake of Xen and of the host
 * (tests/fuzz/fake_xen.c), linked in place of the real thing: xenstore
 * reads answer from fuzz_xs_nodes; grant, foreign-memory and event-channel
 * handles do not open (so nothing of the guest maps), except that
 * xenevtchn_open() gives a handle that binds nothing when
 * fuzz_evtchn_opens is set; a tap is only a name (no device is made) and
 * no script runs.
 */
#ifndef TESTS_FUZZ_FAKE_XEN_H
#define TESTS_FUZZ_FAKE_XEN_H

#include <stdbool.h>
#include <stddef.h>

/* The frontend's nodes: names relative to the device's directory. */
#define FUZZ_XS_MAX_NODES 64
struct fuzz_xs_node {
	const char *name;
	const char *value;
	size_t len;
};
extern struct fuzz_xs_node fuzz_xs_nodes[FUZZ_XS_MAX_NODES];
extern unsigned fuzz_xs_n_nodes;
extern bool fuzz_evtchn_opens;

#endif
