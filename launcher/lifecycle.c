/*
 * Guest lifecycle policy and process chores; see lifecycle.h.
 */
#include "launcher/lifecycle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"

enum lifecycle_action lifecycle_action_for(enum pv_domain_state state, bool no_reboot)
{
	switch (state) {
	case PV_STATE_RUNNING:
		return LIFECYCLE_CONTINUE;
	case PV_STATE_POWEROFF:
	case PV_STATE_SUSPEND:	/* nothing saves it: the same as poweroff */
		return LIFECYCLE_EXIT;
	case PV_STATE_REBOOT:
		return no_reboot ? LIFECYCLE_EXIT : LIFECYCLE_REBOOT;
	case PV_STATE_SOFT_RESET:	/* not supported: rebuilding is the safe reading */
		return no_reboot ? LIFECYCLE_EXIT : LIFECYCLE_REBOOT;
	case PV_STATE_CRASH:
		return LIFECYCLE_CRASHED;
	case PV_STATE_GONE:
		return LIFECYCLE_VANISHED;
	}
	return LIFECYCLE_CRASHED;
}

int lifecycle_signalfd_open(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int daemon_fd = -1;

int lifecycle_daemonize(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		close(p[0]);
		close(p[1]);
		return rc;
	}
	if (pid > 0) {
		unsigned char status = EXIT_FAILED;
		ssize_t r;

		close(p[1]);
		do
			r = read(p[0], &status, 1);
		while (r < 0 && errno == EINTR);
		/* EOF without a status: the daemon died while starting. */
		_exit(r == 1 ? status : EXIT_FAILED);
	}
	close(p[0]);
	daemon_fd = p[1];
	setsid();
	return 0;
}

void lifecycle_daemon_ready(int status)
{
	unsigned char s = (unsigned char)status;
	int fd;

	if (daemon_fd < 0)
		return;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);	/* the log goes to -D's file, if any */
		if (fd > 2)
			close(fd);
	}
	if (write(daemon_fd, &s, 1) < 0)
		log_warn("daemonize: cannot report to the parent");
	close(daemon_fd);
	daemon_fd = -1;
}

int lifecycle_write_pidfile(const char *path)
{
	char buf[32];
	int fd, n, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n)
		rc = -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}
