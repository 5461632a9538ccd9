/*
 * Tap devices for the PV NICs; see tap.h.
 */
#include "devices/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

#define TUN_PATH "/dev/net/tun"
#define SCRIPT_TIMEOUT_MS 30000

void tap_init(struct tap *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < NIC_MAX_QUEUES; i++)
		t->fds[i] = -1;
}

/* One more queue of tap t->name (created by the first). */
static int queue_open(struct tap *t, const char *label)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE };
	int fd, rc;

	fd = open(TUN_PATH, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		log_warn("%s: %s", label, TUN_PATH);
		return rc;
	}
	memcpy(ifr.ifr_name, t->name, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		log_warn("%s: tap %s: TUNSETIFF", label, t->name);
		close(fd);
		return rc;
	}
	t->fds[t->n_fds++] = fd;
	return 0;
}

static int ifreq_ioctl(unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	if (ioctl(s, req, ifr) < 0)
		rc = -errno;
	close(s);
	return rc;
}

int tap_open(struct tap *t, const char *name, const char *label)
{
	struct ifreq ifr = { 0 };
	int rc;

	tap_close(t);
	if (strlen(name) >= sizeof(t->name)) {
		log_warnx("%s: tap name %s is too long", label, name);
		return -EINVAL;
	}
	/* TUNSETIFF on an existing multi-queue tap would join it as a queue:
	 * never another's device. */
	if (if_nametoindex(name)) {
		log_warnx("%s: network interface %s already exists", label, name);
		return -EEXIST;
	}
	snprintf(t->name, sizeof(t->name), "%s", name);
	rc = queue_open(t, label);
	if (rc < 0)
		return rc;
	memcpy(ifr.ifr_name, t->name, sizeof(ifr.ifr_name));
	ifr.ifr_hwaddr.sa_family = 1;	/* ARPHRD_ETHER */
	memset(ifr.ifr_hwaddr.sa_data, 0xff, 6);
	ifr.ifr_hwaddr.sa_data[0] = (char)0xfe;
	if ((rc = ifreq_ioctl(SIOCSIFHWADDR, &ifr)) < 0) {
		errno = -rc;
		log_warn("%s: tap %s: set its MAC", label, t->name);
		goto fail;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, t->name, sizeof(ifr.ifr_name));
	if ((rc = ifreq_ioctl(SIOCGIFFLAGS, &ifr)) < 0)
		goto flags_fail;
	ifr.ifr_flags |= IFF_UP;
	if ((rc = ifreq_ioctl(SIOCSIFFLAGS, &ifr)) < 0)
		goto flags_fail;
	return 0;
flags_fail:
	errno = -rc;
	log_warn("%s: tap %s: link up", label, t->name);
fail:
	tap_close(t);
	return rc;
}

int tap_attach_bridge(struct tap *t, const char *bridge, const char *label)
{
	struct ifreq ifr = { 0 };
	int idx = (int)if_nametoindex(t->name), rc;

	if (!if_nametoindex(bridge)) {
		log_warnx("%s: bridge %s does not exist", label, bridge);
		return -ENODEV;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", bridge);
	ifr.ifr_ifindex = idx;
	rc = idx ? ifreq_ioctl(SIOCBRADDIF, &ifr) : -ENODEV;
	if (rc < 0) {
		errno = -rc;
		log_warn("%s: tap %s: join bridge %s", label, t->name, bridge);
		return rc;
	}
	t->bridged = true;
	return 0;
}

int tap_set_queues(struct tap *t, unsigned n, const char *label)
{
	int rc;

	if (n < 1 || n > NIC_MAX_QUEUES || !t->n_fds)
		return -EINVAL;
	while (t->n_fds > n) {
		close(t->fds[--t->n_fds]);
		t->fds[t->n_fds] = -1;
	}
	while (t->n_fds < n)
		if ((rc = queue_open(t, label)) < 0)
			return rc;
	return 0;
}

int tap_set_offload(struct tap *t, bool csum, bool tso4, bool tso6, const char *label)
{
	unsigned flags = 0;
	int rc;

	if (csum) {
		flags |= TUN_F_CSUM;
		/* Segmentation offload needs checksum offload. */
		flags |= (tso4 ? TUN_F_TSO4 : 0) | (tso6 ? TUN_F_TSO6 : 0);
	}
	if (!t->n_fds)
		return -EINVAL;
	if (ioctl(t->fds[0], TUNSETOFFLOAD, flags) < 0) {
		rc = -errno;
		log_warn("%s: tap %s: TUNSETOFFLOAD", label, t->name);
		return rc;
	}
	return 0;
}

void tap_close(struct tap *t)
{
	for (unsigned i = 0; i < t->n_fds; i++)
		close(t->fds[i]);
	tap_init(t);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int tap_run_script(const char *script, const char *ifname, const char *label)
{
	long deadline = now_ms() + SCRIPT_TIMEOUT_MS;
	int status = 0;
	pid_t pid, r;

	pid = fork();
	if (pid < 0) {
		int rc = -errno;

		log_warn("%s: %s: fork", label, script);
		return rc;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		close_range(3, ~0u, 0);
		execl(script, script, ifname, (char *)NULL);
		fprintf(stderr, "xenlaunch: %s: %s\n", script, strerror(errno));
		_exit(127);
	}
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < deadline)
		usleep(10000);
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		log_warnx("%s: %s %s: still running after %d s; killed", label, script, ifname,
			  SCRIPT_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	if (r < 0) {
		log_warn("%s: %s: waitpid", label, script);
		return -ECHILD;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		log_warnx("%s: %s %s failed (%s %d)", label, script, ifname,
			  WIFEXITED(status) ? "exit status" : "signal",
			  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -ECHILD;
	}
	return 0;
}
