/*
 * The domain store that xvirsh and its libvirt RPC server share:
 * definitions are domain XML files in $XVIRSH_CONFDIR (/etc/xvirsh/domains);
 * a running guest is its launcher, found through <rundir>/<name>.pid and
 * driven through the QEMU-style monitor at <rundir>/<name>.monitor
 * ($XVIRSH_RUNDIR, default /run/xvirsh). The launcher owns the running
 * guest's precise description ("info domxml"): nothing here keeps a second
 * copy. A launcher is trusted only while it runs, answers on its monitor and
 * xenstore knows its domain by the guest's name.
 *
 * Errors are reported in virsh's words through report_error(): printed as
 * "error: ..." (xvirsh), or, after report_keep_errors(1), kept for the
 * caller (the RPC server answers with the last one: the reason, which
 * follows virsh's "Failed to <verb> domain" line). Functions that return
 * int return 0 on success; those that report return 1 on failure.
 */
#ifndef TOOLS_DOMAINS_H
#define TOOLS_DOMAINS_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/domain_xml.h"
#include "tools/capabilities.h"

#define DEFAULT_CONFDIR "/etc/xvirsh/domains"
#define DEFAULT_RUNDIR "/run/xvirsh"

/* Reports an error: prints "error: <message>", or keeps it. Returns 1. */
int report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_verror(const char *fmt, va_list ap);
/* on: keep errors instead of printing them (the previous one is replaced). */
void report_keep_errors(int on);
/* The last error kept since the last call (malloc'ed), or NULL. */
char *report_take_error(void);

const char *confdir(void);
const char *rundir(void);
/* bin/xenlaunch beside the running program, unless $XVIRSH_XENLAUNCH says otherwise. */
char *xenlaunch_path(void);
/* A name that is safe as a file name (the model checks '/' and a leading '.'). */
int name_ok(const char *name);
char *path_of(const char *dir, const char *name, const char *suffix);

/*
 * Sends one command to a guest's monitor and returns what it printed,
 * without the echo of the command and the final prompt. 0 or -errno.
 */
int monitor_command(const char *name, const char *cmd, char **reply_r);
int process_alive(pid_t pid);
/* The launcher's pid from its pidfile, or 0 when none runs (a dead one's files are removed). */
pid_t launcher_pid(const char *name, int report_dead);

/*
 * libvirt's states; "no state" is a launcher that runs but cannot be
 * trusted: it does not answer on its monitor, or xenstore does not know its
 * domain by the guest's name.
 */
enum dom_state { DOM_SHUTOFF, DOM_RUNNING, DOM_PAUSED, DOM_NOSTATE };

/* What a running guest is: its launcher and, for a Xen guest, its domain. */
struct dom_run {
	pid_t pid;	/* 0: no launcher runs */
	unsigned domid;	/* 0: unknown (a QEMU guest has none) */
};

enum dom_state domain_state(const char *name, struct dom_run *run_r);
const char *state_name(enum dom_state st);

/* Parses the stored definition of `name` into def (initialised here). */
int read_definition(const char *name, struct domain_def *def, char **err_r);
/* Every defined domain's name, in order; NULL-terminated. */
char **defined_names(void);
void free_names(char **names);
/*
 * The domain that `arg` names, as virsh finds it: by name, else by the
 * domain ID of a running guest, else by UUID. 0 with def loaded, or reports
 * "failed to get domain" and returns 1.
 */
int load_domain(const char *arg, struct domain_def *def);

int write_file_atomic(const char *path, const char *data);
int mkdir_p(const char *dir);
/* libvirt's domain.rng; reports the schema's complaint. 0 when valid. */
int validate_buf(const char *buf, size_t len);
/* What the user left out, filled in once at define with what the launcher would use. */
int fill_defaults(struct domain_def *def);

/*
 * The state of a domain that `what` (virsh's verb: "shutdown", "suspend")
 * needs running; DOM_SHUTOFF (reported) when it is not, or cannot be trusted.
 */
enum dom_state need_running(const char *name, const char *what, struct dom_run *run_r);
/* One monitor command whose reply is empty on success ("stop", "cont"...). */
int monitor_action(const char *name, const char *what, const char *cmd);
/* A running guest's precise description from its launcher: the text and/or parsed. */
int live_domain(const char *name, char **xml_r, struct domain_def *def);
int run_and_wait(char **av);
/* The host's capabilities (reports "failed to get capabilities" off Xen). */
int probe_caps(struct host_caps *caps);
/* What the installed xenlaunch prints for "-M help"; NULL when it cannot run. */
char *launcher_machines(void);

/*
 * The operations, each reported in virsh's words. domain_define_xml parses
 * (and with `validate`, checks against domain.rng) the text `what` names,
 * fills in the defaults and stores it; *def_r holds what was stored.
 */
int domain_define_xml(const char *buf, size_t len, int validate, const char *what, struct domain_def *def_r);
int domain_undefine(const struct domain_def *def);
int domain_start(const struct domain_def *def);
/* Ends the launcher (quit, then TERM, then KILL, bounded): an untrusted one too. */
int domain_destroy(const struct domain_def *def);
/* shutdown, reboot, suspend, resume: one monitor command on a running guest. */
int domain_monitor_verb(const char *name, const char *verb);
/* A running guest's XML from its launcher; --inactive or shut off: the stored one. */
int domain_xml(const struct domain_def *def, int inactive, char **xml_r);

/* The pty of a running guest's console, from its monitor's "info chardev"; NULL if none. */
char *console_pty(const char *name);

/* Autostart: a marker file <confdir>/<name>.autostart beside the definition. */
int domain_autostart(const char *name);
int domain_set_autostart(const char *name, int on);

#endif
