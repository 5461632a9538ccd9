/*
 * The guest's life, one owner: which signals end the launcher, what a guest
 * shutdown means for it, and the process-level chores around that
 * (daemonizing, the pidfile).
 *
 * Exit statuses of xenlaunch:
 *   0  the guest powered off, rebooted with -no-reboot, or a TERM/INT/QUIT
 *      signal or the monitor's "quit" ended it; everything was cleaned up
 *   1  the guest could not be built or run (a message says why)
 *   2  bad command line (no domain was created)
 *   3  the guest crashed (cleaned up; the log says "guest crashed")
 */
#ifndef LAUNCHER_LIFECYCLE_H
#define LAUNCHER_LIFECYCLE_H

#include <stdbool.h>
#include <signal.h>

#include "xenpv/domain_build.h"

#define EXIT_OK		0
#define EXIT_FAILED	1
#define EXIT_USAGE	2
#define EXIT_GUEST_CRASHED 3

enum lifecycle_action {
	LIFECYCLE_CONTINUE,	/* nothing to do: the guest runs */
	LIFECYCLE_EXIT,		/* clean up, exit 0 */
	LIFECYCLE_REBOOT,	/* destroy, build again, carry on */
	LIFECYCLE_CRASHED,	/* clean up, exit EXIT_GUEST_CRASHED */
	LIFECYCLE_VANISHED,	/* the domain is gone (destroyed by someone else) */
};

/* What to do when the guest is in `state`; pure. */
enum lifecycle_action lifecycle_action_for(enum pv_domain_state state, bool no_reboot);

/*
 * Blocks TERM, INT, QUIT, HUP and CHLD and returns a non-blocking signalfd
 * for them (ignores SIGPIPE: a closed pty or socket is an error return,
 * not a death). Returns the fd or a negative errno.
 */
int lifecycle_signalfd_open(void);

/*
 * Daemonizes in QEMU's way: the parent waits until the child reports that
 * the guest runs (lifecycle_daemon_ready) and exits with the child's status
 * then, so "xenlaunch -daemonize ...; xl list" sees the guest.
 * In the child, returns 0; the parent never returns. -errno on failure.
 */
int lifecycle_daemonize(void);
/* In the daemon: reports `status` to the waiting parent, detaches stdio. */
void lifecycle_daemon_ready(int status);

/* Writes the pid to path (0600, truncated). 0 or a negative errno. */
int lifecycle_write_pidfile(const char *path);

#endif
