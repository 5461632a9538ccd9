/*
 * The machine core: what every machine type (-M xenpv, xenpvh...) shares,
 * with one log line per phase and its duration. It owns the Xen handles,
 * the domain, its xenstore directories and console 0's ring and event
 * channel; the launcher owns the event loop and what the console bytes are
 * connected to. A machine type is a `struct machine_ops` entry: how its
 * domain is built and what it serves besides the PV devices; the launcher
 * picks the entry for cfg->machine and calls only the machine_* functions.
 *
 *   machine_open     Xen handles (xenctrl, xenstore, foreignmemory)
 *   machine_start    ops->build (domain create, image load), console,
 *                    xenstore (one transaction), introduce, PV devices,
 *                    ops->devices_start, unpause (unless -S); on failure
 *                    nothing is left
 *   machine_reboot   stop, then start again (a guest reboot, system_reset)
 *   machine_stop     ops->devices_stop, PV devices, console disconnect,
 *                    destroy, xenstore dirs removed
 *   machine_close    handles closed (stops first if needed)
 */
#ifndef XENPV_MACHINE_H
#define XENPV_MACHINE_H

#include <stdbool.h>
#include <time.h>

#include "console/pv_console.h"
#include "model/config.h"
#include "xenpv/domain_build.h"
#include "xenpv/kernel_cache.h"
#include "xenpv/watchdog.h"

struct xs_handle;
struct machine;
struct event_loop;
struct console0;

/*
 * One machine type. Every hook gets the machine; m->priv is ops->priv_size
 * zeroed bytes of the type's own state (NULL when 0), alive from
 * machine_init to machine_close.
 */
struct machine_ops {
	const char *name;	/* as -M spells it: "xenpv" */
	size_t priv_size;
	/*
	 * Creates the domain and loads its image: sets m->dom.domid and calls
	 * machine_domain_created() as soon as a domain exists, and fills
	 * m->dom's store and console frames (PV: MFNs; an HVM container:
	 * GFNs) and ports. use_cache: the kernel cache may be used; -EAGAIN
	 * when the cached kernel did not parse (the core builds again without
	 * it). 0 or a negative errno (with a log line); on failure the core
	 * destroys whatever domain exists.
	 */
	int (*build)(struct machine *m, bool use_cache);
	/*
	 * Optional: the type's own emulated devices (an ioreq server...),
	 * started once xenstore and the PV devices are ready, before the vCPUs
	 * run; 0 or a negative errno (the start fails). devices_stop runs
	 * first when the domain stops, also after a failed or partial start:
	 * it must be idempotent.
	 */
	int (*devices_start)(struct machine *m);
	void (*devices_stop)(struct machine *m);
};

struct machine {
	const struct machine_ops *ops;
	void *priv;				/* ops->priv_size bytes, or NULL */
	const struct launch_config *cfg;	/* borrowed */
	struct watchdog *wd;			/* borrowed, may be NULL */
	xc_interface *xch;
	struct xs_handle *xsh;
	xenforeignmemory_handle *fmem;
	struct kernel_cache kc;
	struct pv_domain dom;
	struct pv_console console;
	const char *console_tty;		/* borrowed; NULL: none */
	/*
	 * Borrowed, set by the launcher, for machine types that emulate
	 * devices (xenfv): the event loop their ioreq server joins, and
	 * console 0, whose place on serial0 their UART takes. NULL: none.
	 */
	struct event_loop *loop;
	struct console0 *c0;
	bool running;				/* a domain exists */
	bool paused;
	bool first_byte_seen;
	struct timespec t_start;		/* machine_start called */
	struct timespec t_unpause;
	/*
	 * The guest's PV devices (xenbus_backend), set by the launcher:
	 * devices_start runs once the domain's xenstore directories exist and
	 * before its vCPUs run (0 or -errno: the start fails); devices_stop
	 * runs first thing when the domain stops. NULL: no devices.
	 */
	int (*devices_start)(void *opaque, uint32_t domid);
	void (*devices_stop)(void *opaque);
	void *devices_opaque;
};

/* 0, or -ENOMEM (then machine_close is still safe). */
int machine_init(struct machine *m, const struct machine_ops *ops,
		 const struct launch_config *cfg, struct watchdog *wd);
/* 0 or a negative errno (with a log line). */
int machine_open(struct machine *m);
int machine_start(struct machine *m);
int machine_reboot(struct machine *m);
void machine_stop(struct machine *m);
void machine_close(struct machine *m);

/* The xenstore fd, for the @releaseDomain watch (token "release"). */
int machine_xs_fd(const struct machine *m);
/* Registers the @releaseDomain watch. 0 or a negative errno. */
int machine_watch(struct machine *m);
/* Drains pending watch events; true when @releaseDomain fired. */
bool machine_watch_fired(struct machine *m);
/* The domain's state now (PV_STATE_GONE when there is none). */
enum pv_domain_state machine_state(struct machine *m);

int machine_pause(struct machine *m);
int machine_unpause(struct machine *m);
/* Writes control/shutdown ("poweroff", "reboot"): asks the guest. */
int machine_request_shutdown(struct machine *m, const char *how);
/* Logs the time from start and from unpause to the first console byte, once. */
void machine_first_byte(struct machine *m);

/* For ops->build: the domain m->dom.domid exists (the watchdog learns it). */
void machine_domain_created(struct machine *m);

/*
 * For ops->build: loads cfg's kernel (through the kernel cache when
 * use_cache), initrd and command line into m->dom with `load` (a
 * pv_domain_load_image-like function), logs the time, and turns a cached
 * kernel that did not parse into -EAGAIN (entry dropped).
 */
typedef int machine_image_loader(struct machine *m, const struct pv_image_spec *spec);
int machine_load_image(struct machine *m, bool use_cache, machine_image_loader *load);

/* Logs "domain N: PHASE: X ms" since t0 (CLOCK_MONOTONIC). */
void machine_phase_done(struct machine *m, const char *phase, const struct timespec *t0);

/* Milliseconds between two instants (for phase logs). */
double machine_ms_between(const struct timespec *a, const struct timespec *b);

#endif
