/*
 * Running code over hostile data in a child process that can do little
 * harm (XSA-443 taught this to pygrub):
 *   - fork; every fd is closed except keep_fds and the status pipe;
 *   - rlimits: CPU time, address space, file size (writes to the output
 *     fds the parent passed are all it may do), no core dumps, few fds;
 *   - PR_SET_NO_NEW_PRIVS, not dumpable, capability bounding set dropped,
 *     supplementary groups cleared, setresgid/setresuid to SANDBOX_UID
 *     (nobody) when running as root;
 *   - a seccomp filter: an allow-list of about 35 syscalls (read/write on
 *     fds it has, memory, time, exit); everything else fails with EPERM,
 *     other architectures are killed; open() and openat() are trapped and
 *     answered in the child: the one file the caller named (struct
 *     sandbox_file, for a library that insists on opening by path:
 *     libiso9660) gets a new descriptor of an fd opened beforehand,
 *     anything else EPERM;
 *   - the parent enforces a wall-clock timeout with SIGKILL.
 * The child's log lines (common/log) are sent through the status pipe and
 * relayed by the parent into its own log, non-printable bytes escaped and
 * at most SANDBOX_LOG_MAX bytes.
 */
#ifndef BOOTLOADER_SANDBOX_H
#define BOOTLOADER_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#define SANDBOX_UID 65534u	/* nobody */
#define SANDBOX_GID 65534u	/* nogroup */
#define SANDBOX_LOG_MAX 8192u

struct sandbox_limits {
	unsigned timeout_ms;	/* wall clock, enforced by the parent */
	unsigned cpu_s;		/* RLIMIT_CPU */
	uint64_t as_bytes;	/* RLIMIT_AS */
	uint64_t fsize_bytes;	/* RLIMIT_FSIZE: the largest output file */
};

/* In the child, open(path, O_RDONLY) gives a new descriptor of fd (which
 * must be among the kept fds) and reaches nothing by name. */
struct sandbox_file {
	const char *path;
	int fd;
};

/* Runs in the child. Return 0 for success; anything else is a failure. */
typedef int (*sandbox_fn)(void *arg);

/*
 * Forks, confines the child as above and runs fn(arg) in it; file (may be
 * NULL) is what its open() may name. Returns 0 when fn returned 0; -ETIMEDOUT when the
 * child was killed at the timeout; -ECHILD when it failed, crashed or was
 * killed by a limit (the log says which); other negative errno values when
 * the child could not be started.
 */
int sandbox_run(const struct sandbox_file *file, sandbox_fn fn, void *arg, const int *keep_fds,
		size_t n_keep, const struct sandbox_limits *lim);

#endif
