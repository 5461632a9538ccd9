/*
 * The xenpv machine: one PV guest's whole build and teardown, with one log
 * line per phase and its duration. It owns the Xen handles, the domain, its
 * xenstore directories and console 0's ring and event channel; the launcher
 * owns the event loop and what the console bytes are connected to.
 *
 *   pv_machine_open     Xen handles (xenctrl, xenstore, foreignmemory)
 *   pv_machine_start    [kernel cache] domain create, image load, console,
 *                       xenstore (one transaction), introduce, devices, unpause
 *                       (unless -S); on failure nothing is left
 *   pv_machine_stop     devices, console disconnect, destroy, xenstore dirs removed
 *   pv_machine_close    handles closed (stops first if needed)
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

struct pv_machine {
	const struct launch_config *cfg;	/* borrowed */
	struct watchdog *wd;			/* borrowed, may be NULL */
	xc_interface *xch;
	struct xs_handle *xsh;
	xenforeignmemory_handle *fmem;
	struct kernel_cache kc;
	struct pv_domain dom;
	struct pv_console console;
	const char *console_tty;		/* borrowed; NULL: none */
	bool running;				/* a domain exists */
	bool paused;
	bool first_byte_seen;
	struct timespec t_start;		/* pv_machine_start called */
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

void pv_machine_init(struct pv_machine *m, const struct launch_config *cfg,
		     struct watchdog *wd);
/* 0 or a negative errno (with a log line). */
int pv_machine_open(struct pv_machine *m);
int pv_machine_start(struct pv_machine *m);
void pv_machine_stop(struct pv_machine *m);
void pv_machine_close(struct pv_machine *m);

/* The xenstore fd, for the @releaseDomain watch (token "release"). */
int pv_machine_xs_fd(const struct pv_machine *m);
/* Registers the @releaseDomain watch. 0 or a negative errno. */
int pv_machine_watch(struct pv_machine *m);
/* Drains pending watch events; true when @releaseDomain fired. */
bool pv_machine_watch_fired(struct pv_machine *m);
/* The domain's state now (PV_STATE_GONE when there is none). */
enum pv_domain_state pv_machine_state(struct pv_machine *m);

int pv_machine_pause(struct pv_machine *m);
int pv_machine_unpause(struct pv_machine *m);
/* Writes control/shutdown ("poweroff", "reboot"): asks the guest. */
int pv_machine_request_shutdown(struct pv_machine *m, const char *how);
/* Logs the time from start and from unpause to the first console byte, once. */
void pv_machine_first_byte(struct pv_machine *m);

/* Milliseconds between two instants (for phase logs). */
double pv_ms_between(const struct timespec *a, const struct timespec *b);

#endif
