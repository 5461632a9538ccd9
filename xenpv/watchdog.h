/*
 * The watchdog: a child process, forked before any domain exists, that
 * destroys the launcher's domain if the launcher dies without cleaning up
 * (SIGKILL, a crash). It holds the read end of a pipe; the launcher tells
 * it, one line per message, which domain it owns:
 *
 *   "D <domid> <uuid>\n"   the launcher now owns this domain
 *   "I <id>\n"             the launcher serves ioreq server <id> of that
 *                          domain (-M xenfv)
 *   "N\n"                  the launcher owns no domain (it destroyed it)
 *   "C\n"                  clean exit: the launcher cleaned up, stop
 *   "F <dev> <ino> <path>\n" a file the launcher made (its pidfile, a
 *                          socket it listens on)
 *
 * On EOF without "C" the child destroys the domain it was last told about
 * (only if that domid still carries the same uuid, so a reused domid is
 * never touched), its ioreq server first (so that, should the domain
 * linger as a zombie, its vCPUs no longer wait on a dead emulator), and
 * removes its xenstore directories, and removes each
 * file it was told about that is still the same file (device and inode),
 * then exits.
 * The child ignores SIGINT/SIGTERM/SIGQUIT/SIGHUP: a ^C to the terminal's
 * process group must not kill it before the launcher has cleaned up.
 */
#ifndef XENPV_WATCHDOG_H
#define XENPV_WATCHDOG_H

#include <stdint.h>
#include <sys/types.h>

#define WATCHDOG_MAX_FILES 4

struct watchdog {
	pid_t pid;	/* -1: not running */
	int fd;		/* write end, -1: closed */
};

void watchdog_init(struct watchdog *wd);

/* Forks the child. Call before creating the domain and before opening
 * any Xen handle. 0 or a negative errno. */
int watchdog_start(struct watchdog *wd);

/* Tell the child about (or forget) the domain. 0 or a negative errno. */
int watchdog_set_domain(struct watchdog *wd, uint32_t domid, const char *uuid_str);
int watchdog_clear_domain(struct watchdog *wd);
/* Tell the child about the ioreq server of the domain it was last told
 * about; forgotten with the domain. 0 or a negative errno. */
int watchdog_set_ioreq_server(struct watchdog *wd, uint16_t id);
/* Tell the child about a file to remove if the launcher dies; path NULL:
 * nothing. At most WATCHDOG_MAX_FILES. 0 or a negative errno. */
int watchdog_add_file(struct watchdog *wd, const char *path);

/* Sends "C", closes the pipe and reaps the child. Idempotent. */
void watchdog_dispose(struct watchdog *wd);

/* Reaps the child if `pid` is it (after SIGCHLD); returns 1 when it was. */
int watchdog_reaped(struct watchdog *wd, pid_t pid);

/* Parses one message line (without '\n'): 'D' fills domid/uuid, pure, for
 * the tests. Returns 'D', 'N', 'C', or -EINVAL. */
int watchdog_parse_line(const char *line, uint32_t *domid_r, char uuid_r[37]);
/* Parses an "I <id>" line: 'I' and *id_r, or -EINVAL. */
int watchdog_parse_ioreq(const char *line, uint16_t *id_r);

#endif
