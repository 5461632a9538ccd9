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
	int64_t started;	/* when the domain was built, seconds since the epoch; 0: now */
};

/*
 * Fills def (freshly initialised with domain_def_init()) from cfg and
 * live. Returns 0 or -ENOMEM; def must be disposed either way.
 */
int launch_describe(const struct launch_config *cfg, const struct launch_live *live,
		    struct domain_def *def);

/* The same as domain XML text (malloc'ed), or NULL when out of memory. */
char *launch_describe_xml(const struct launch_config *cfg, const struct launch_live *live);

/*
 * The inverse: the launch config a domain XML describes, for xvirsh to
 * start it. cfg must be freshly initialised (launch_config_init). Every
 * value is read by the launcher's own option parsers, and the result is
 * checked as the launcher checks its command line (without opening the
 * files it names), so that a domain refused here is one the launcher would
 * refuse, in the same words. What the launch config cannot hold is refused
 * by name, never dropped: other machine types and devices, a second
 * console or display, <ip>, <features>, <os><boot>, <maxMemory>...
 * Memory above currentMemory and vCPUs above current are warned about
 * (the guest gets the current values), as are on_poweroff/on_crash other
 * than destroy. A domain without a <uuid> gets a random one.
 * Returns 0, or a negative errno with a malloc'ed message in *err_r; cfg
 * must be disposed either way.
 */
int launch_from_domain(const struct domain_def *def, struct launch_config *cfg, char **err_r);

#endif
