/*
 * The bootloader's confinement (see sandbox.h).
 */
#include "bootloader/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "common/log.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

static const int allowed_syscalls[] = {
	SYS_read, SYS_write, SYS_pread64, SYS_readv, SYS_writev, SYS_lseek,
	SYS_fstat, SYS_newfstatat, SYS_statx, SYS_mmap, SYS_munmap, SYS_mremap,
	SYS_brk, SYS_madvise, SYS_mprotect, SYS_close, SYS_exit, SYS_exit_group,
	SYS_rt_sigreturn, SYS_rt_sigprocmask, SYS_futex, SYS_getpid, SYS_gettid,
	SYS_clock_gettime, SYS_gettimeofday, SYS_time, SYS_getrandom, SYS_fcntl,
	SYS_sched_yield, SYS_getuid, SYS_geteuid, SYS_getgid, SYS_getegid,
};

#define N_ALLOWED (sizeof(allowed_syscalls) / sizeof(allowed_syscalls[0]))

/* The file an open() in the child may name (sandbox_run's file), or none. */
static struct sandbox_file trap_file = { NULL, -1 };

/*
 * The filter traps open() and openat() here: the one path of trap_file,
 * read-only, gets a new descriptor of its fd; any other fails with EPERM.
 * The child never reaches the file system by name.
 */
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	greg_t *g = ((ucontext_t *)ctx)->uc_mcontext.gregs;
	bool is_open = si->si_syscall == SYS_open;
	const char *path = (const char *)g[is_open ? REG_RDI : REG_RSI];
	long flags = g[is_open ? REG_RSI : REG_RDX];
	int saved = errno;
	long r = -EPERM;

	if (trap_file.path && path && (flags & O_ACCMODE) == O_RDONLY &&
	    !strcmp(path, trap_file.path)) {
		r = fcntl(trap_file.fd, flags & O_CLOEXEC ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
		if (r < 0)
			r = -errno;
	}
	g[REG_RAX] = r;
	errno = saved;
}

static int seccomp_install(void)
{
	struct sock_filter f[9 + N_ALLOWED];
	struct sock_fprog prog;
	size_t n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < N_ALLOWED; i++)
		/* Equal: skip to the ALLOW below; else fall to the next test. */
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
						      (unsigned)allowed_syscalls[i],
						      (unsigned char)(N_ALLOWED + 2 - i), 0);
	/* open and openat: to the TRAP at the end (on_sigsys). */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_open, 3, 0);
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 2, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP);
	prog.len = (unsigned short)n;
	prog.filter = f;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Closes every fd from 3 up except those in keep (n <= 16). */
static void close_other_fds(const int *keep, size_t n)
{
	int k[17];
	unsigned lo = 3;

	memcpy(k, keep, n * sizeof(int));
	qsort(k, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (k[i] < (int)lo)
			continue;
		if ((unsigned)k[i] > lo)
			syscall(SYS_close_range, lo, (unsigned)k[i] - 1, 0);
		lo = (unsigned)k[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

static void set_limit(int res, uint64_t v)
{
	struct rlimit rl = { (rlim_t)v, (rlim_t)v };

	if (setrlimit(res, &rl) < 0)
		log_warn("sandbox: setrlimit %d", res);
}

static int child_confine(const struct sandbox_limits *lim, int nfds)
{
	set_limit(RLIMIT_CPU, lim->cpu_s);
	set_limit(RLIMIT_AS, lim->as_bytes);
	set_limit(RLIMIT_FSIZE, lim->fsize_bytes);
	set_limit(RLIMIT_CORE, 0);
	set_limit(RLIMIT_NOFILE, (uint64_t)nfds + 16);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_warn("sandbox: PR_SET_NO_NEW_PRIVS");
		return -1;
	}
	return 0;
}

static int child_drop(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigset_t sys;

	if (geteuid() == 0) {
		for (int cap = 0; cap <= 63; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
				log_warn("sandbox: PR_CAPBSET_DROP %d", cap);
				return -1;
			}
		if (setgroups(0, NULL) < 0 ||
		    setresgid(SANDBOX_GID, SANDBOX_GID, SANDBOX_GID) < 0 ||
		    setresuid(SANDBOX_UID, SANDBOX_UID, SANDBOX_UID) < 0) {
			log_warn("sandbox: dropping to uid %u", SANDBOX_UID);
			return -1;
		}
		/* Changing uid from 0 cleared the capability sets; check it held. */
		if (setresuid(0, 0, 0) == 0) {
			log_warnx("sandbox: could regain root; refusing to go on");
			return -1;
		}
	}
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) < 0 || sigprocmask(SIG_UNBLOCK, &sys, NULL) < 0) {
		log_warn("sandbox: SIGSYS handler");
		return -1;
	}
	if (seccomp_install() < 0) {
		log_warn("sandbox: seccomp filter");
		return -1;
	}
	return 0;
}

static void relay(char *buf, size_t len)
{
	char line[512];
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n' || o >= sizeof(line) - 5) {
			line[o] = '\0';
			/* The child's own "xenlaunch: " prefix is not repeated. */
			log_info("%s", !strncmp(line, "xenlaunch: ", 11) ? line + 11 : line);
			o = 0;
			if (c == '\n')
				continue;
		}
		if (c >= 0x20 && c < 0x7f) {
			line[o++] = (char)c;
		} else {
			snprintf(line + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	if (o) {
		line[o] = '\0';
		log_info("%s", !strncmp(line, "xenlaunch: ", 11) ? line + 11 : line);
	}
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sandbox_run(const struct sandbox_file *file, sandbox_fn fn, void *arg, const int *keep_fds,
		size_t n_keep, const struct sandbox_limits *lim)
{
	char *logbuf = NULL;
	size_t loglen = 0;
	int p[2] = { -1, -1 }, keep[17], status = 0, rc;
	bool timed_out = false, pipe_open = true;
	int64_t deadline;
	pid_t pid, w;

	if (n_keep > 16)
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if (!(logbuf = malloc(SANDBOX_LOG_MAX))) {
		close(p[0]);
		close(p[1]);
		return -ENOMEM;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(p[0]);
		close(p[1]);
		free(logbuf);
		return rc;
	}
	if (pid == 0) {
		FILE *logf;

		memcpy(keep, keep_fds, n_keep * sizeof(int));
		keep[n_keep] = p[1];
		close_other_fds(keep, n_keep + 1);
		fcntl(p[1], F_SETFD, 0);
		logf = fdopen(p[1], "w");
		if (logf)
			log_set_stream(logf);
		signal(SIGPIPE, SIG_DFL);
		if (file)
			trap_file = *file;
		if (child_confine(lim, (int)n_keep + 1) < 0 || child_drop() < 0)
			_exit(126);
		rc = fn(arg);
		if (logf)
			fflush(logf);
		_exit(rc == 0 ? 0 : 1);
	}
	close(p[1]);
	deadline = now_ms() + lim->timeout_ms;
	while (pipe_open) {
		struct pollfd pfd = { p[0], POLLIN, 0 };
		int64_t left = deadline - now_ms();
		char buf[1024];
		ssize_t r;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		r = read(p[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			pipe_open = false;
			break;
		}
		if (loglen < SANDBOX_LOG_MAX) {
			size_t take = (size_t)r > SANDBOX_LOG_MAX - loglen ? SANDBOX_LOG_MAX - loglen : (size_t)r;

			memcpy(logbuf + loglen, buf, take);
			loglen += take;
		}
	}
	/* The pipe closed: the child is exiting; give it the rest of the time. */
	while (!timed_out) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			status = -1;
			break;
		}
		if (now_ms() >= deadline) {
			timed_out = true;
			break;
		}
		usleep(2000);
	}
	if (timed_out) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(p[0]);
	relay(logbuf, loglen);
	free(logbuf);
	if (timed_out) {
		log_warnx("bootloader: the image reader took more than %u ms; killed",
			  lim->timeout_ms);
		return -ETIMEDOUT;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		log_warnx("bootloader: the image reader was killed by signal %d (%s)",
			  WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		log_warnx("bootloader: the image reader could not confine itself");
	return -ECHILD;
}
