/*
 * The running guest's precise description. What the user wrote is loose;
 * the launch config, validated once at start, holds every default filled
 * in (name, UUID, memory, vCPUs, disk targets, console, VNC port), and the
 * launcher adds what only the run knows (domain ID, pty, the port the VNC
 * server took). launch_describe() turns that into the domain model of
 * model/domain_xml, the one owner of the libvirt format, so that the
 * monitor's "info domxml" and xvirsh dumpxml show the hardware the guest
 * has, and starting a guest from that XML gives it the same hardware.
 */
#ifndef MODEL_DESCRIBE_H
#define MODEL_DESCRIBE_H

#include <stdint.h>

#include "model/config.h"
#include "model/domain_xml.h"

/* What the run adds to the launch config. */
struct launch_live {
	uint32_t domid;		/* 0: no domain runs right now */
	const char *serial_pty;	/* the pty serial0 opened; NULL for other targets */
	int vnc_port;		/* the TCP port the VNC server listens on; -1: none */
};

/*
 * Fills def (freshly initialised with domain_def_init()) from cfg and
 * live. Returns 0 or -ENOMEM; def must be disposed either way.
 */
int launch_describe(const struct launch_config *cfg, const struct launch_live *live,
		    struct domain_def *def);

/* The same as domain XML text (malloc'ed), or NULL when out of memory. */
char *launch_describe_xml(const struct launch_config *cfg, const struct launch_live *live);

#endif
