/*
 * The launcher's watchdog child; see watchdog.h.
 */
#include "xenpv/watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenstore.h>

#include "common/log.h"
#include "model/names.h"
#include "xenpv/domain_build.h"
#include "xenpv/xs_layout.h"

void watchdog_init(struct watchdog *wd)
{
	wd->pid = -1;
	wd->fd = -1;
}

int watchdog_parse_line(const char *line, uint32_t *domid_r, char uuid_r[37])
{
	unsigned long domid;
	char *end;

	if (!strcmp(line, "N"))
		return 'N';
	if (!strcmp(line, "C"))
		return 'C';
	if (line[0] != 'D' || line[1] != ' ')
		return -EINVAL;
	errno = 0;
	domid = strtoul(line + 2, &end, 10);
	if (errno || end == line + 2 || *end != ' ' || domid == 0 || domid >= 0x7ff0)
		return -EINVAL;
	end++;
	if (strlen(end) != 36)
		return -EINVAL;
	for (int i = 0; i < 36; i++) {
		int dash = (i == 8 || i == 13 || i == 18 || i == 23);

		if (dash ? end[i] != '-' : !strchr("0123456789abcdef", end[i]) || !end[i])
			return -EINVAL;
	}
	*domid_r = (uint32_t)domid;
	memcpy(uuid_r, end, 37);
	return 'D';
}

int watchdog_parse_ioreq(const char *line, uint16_t *id_r)
{
	unsigned long id;
	char *end;

	if (line[0] != 'I' || line[1] != ' ' || line[2] < '0' || line[2] > '9')
		return -EINVAL;
	errno = 0;
	id = strtoul(line + 2, &end, 10);
	if (errno || *end || id > UINT16_MAX)
		return -EINVAL;
	*id_r = (uint16_t)id;
	return 'I';
}

static void destroy_ioreq_server(uint32_t domid, uint16_t id)
{
	xendevicemodel_handle *dm = xendevicemodel_open(NULL, 0);

	if (!dm) {
		log_warn("watchdog: xendevicemodel_open");
		return;
	}
	if (xendevicemodel_destroy_ioreq_server(dm, (domid_t)domid, id) < 0)
		log_warn("watchdog: domain %u: destroy ioreq server %u", domid, id);
	xendevicemodel_close(dm);
}

static void watchdog_cleanup(uint32_t domid, const char *uuid_str, int ioreq_server)
{
	xc_interface *xch = NULL;
	struct xs_handle *xsh = NULL;
	enum pv_domain_state st;
	uint8_t uuid[16];

	log_warnx("watchdog: launcher went away without cleaning up; destroying domain %u",
		  domid);
	if (uuid_from_string(uuid_str, uuid))
		return;
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		log_warn("watchdog: xc_interface_open");
		goto out;
	}
	if (pv_domain_query(xch, domid, uuid, &st) == 0 && st != PV_STATE_GONE) {
		if (ioreq_server >= 0)
			destroy_ioreq_server(domid, (uint16_t)ioreq_server);
		pv_domain_destroy(xch, domid);
	} else
		log_warnx("watchdog: domain %u is no longer ours; not destroying it", domid);
	xsh = xs_open(0);
	if (!xsh) {
		log_warn("watchdog: xs_open");
		goto out;
	}
	/* The directories are ours whatever happened to the domain. */
	xs_remove_domain_dirs(xsh, domid, uuid_str);
out:
	if (xsh)
		xs_close(xsh);
	if (xch)
		xc_interface_close(xch);
}

/* The files to remove: each still the one the launcher made, or left alone. */
struct wd_file {
	dev_t dev;
	ino_t ino;
	char path[PATH_MAX];
};

static void remember_file(struct wd_file *files, size_t *n, const char *line)
{
	unsigned long long dev, ino;
	int off = 0;

	if (*n >= WATCHDOG_MAX_FILES || sscanf(line, "F %llu %llu %n", &dev, &ino, &off) != 2 ||
	    !off || strlen(line + off) >= PATH_MAX) {
		log_warnx("watchdog: ignoring bad message");
		return;
	}
	files[*n].dev = (dev_t)dev;
	files[*n].ino = (ino_t)ino;
	strcpy(files[*n].path, line + off);
	(*n)++;
}

static void remove_files(const struct wd_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (lstat(files[i].path, &st) == 0 && st.st_dev == files[i].dev &&
		    st.st_ino == files[i].ino)
			unlink(files[i].path);
	}
}

static void __attribute__((noreturn)) watchdog_main(int fd)
{
	static struct wd_file files[WATCHDOG_MAX_FILES];
	static char line[PATH_MAX + 64];
	size_t len = 0, n_files = 0;
	uint32_t domid = 0;
	char uuid[37] = "";
	int null_fd, ioreq_server = -1;
	uint16_t id;

	prctl(PR_SET_NAME, "xenlaunch-wd", 0, 0, 0);
	/*
	 * A session of its own: a SIGKILL sent to the launcher's process group
	 * (a terminal, a service manager, a test harness ending a job) must not
	 * take the watchdog with it, or the domain would outlive the launcher.
	 */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	/* Keep stderr for the log; hold nothing else of the launcher's. */
	null_fd = open("/dev/null", O_RDWR);
	if (null_fd >= 0) {
		dup2(null_fd, 0);
		dup2(null_fd, 1);
	}
	if (fd != 3) {
		dup2(fd, 3);
		fd = 3;
	}
	close_range(4, ~0U, 0);

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (c != '\n') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		len = 0;
		if (line[0] == 'F') {
			remember_file(files, &n_files, line);
			continue;
		}
		if (line[0] == 'I') {
			if (watchdog_parse_ioreq(line, &id) == 'I' && domid)
				ioreq_server = id;
			else
				log_warnx("watchdog: ignoring bad message");
			continue;
		}
		switch (watchdog_parse_line(line, &domid, uuid)) {
		case 'C':
			_exit(0);
		case 'N':
			domid = 0;
			ioreq_server = -1;
			break;
		case 'D':
			ioreq_server = -1;
			break;
		default:
			log_warnx("watchdog: ignoring bad message");
			break;
		}
	}
	if (domid)
		watchdog_cleanup(domid, uuid, ioreq_server);
	remove_files(files, n_files);
	_exit(0);
}

int watchdog_start(struct watchdog *wd)
{
	int p[2] = { -1, -1 };
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
	if (pid == 0) {
		close(p[1]);
		watchdog_main(p[0]);
	}
	close(p[0]);
	wd->pid = pid;
	wd->fd = p[1];
	return 0;
}

static int send_line(struct watchdog *wd, const char *s)
{
	size_t len = strlen(s), off = 0;

	if (wd->fd < 0)
		return -EPIPE;
	while (off < len) {
		ssize_t r = write(wd->fd, s + off, len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_warn("watchdog: write");
			return -errno;
		}
		off += (size_t)r;
	}
	return 0;
}

int watchdog_set_domain(struct watchdog *wd, uint32_t domid, const char *uuid_str)
{
	char line[64];

	snprintf(line, sizeof(line), "D %u %s\n", domid, uuid_str);
	return send_line(wd, line);
}

int watchdog_clear_domain(struct watchdog *wd)
{
	return send_line(wd, "N\n");
}

int watchdog_set_ioreq_server(struct watchdog *wd, uint16_t id)
{
	char line[16];

	snprintf(line, sizeof(line), "I %u\n", id);
	return send_line(wd, line);
}

int watchdog_add_file(struct watchdog *wd, const char *path)
{
	char *line = NULL;
	struct stat st;
	int rc;

	if (!path)
		return 0;
	if (lstat(path, &st) < 0)
		return -errno;
	if (asprintf(&line, "F %llu %llu %s\n", (unsigned long long)st.st_dev,
		     (unsigned long long)st.st_ino, path) < 0)
		return -ENOMEM;
	rc = strchr(path, '\n') ? -EINVAL : send_line(wd, line);
	free(line);
	return rc;
}

void watchdog_dispose(struct watchdog *wd)
{
	if (wd->fd >= 0) {
		send_line(wd, "C\n");
		close(wd->fd);
		wd->fd = -1;
	}
	if (wd->pid > 0) {
		while (waitpid(wd->pid, NULL, 0) < 0 && errno == EINTR)
			;
		wd->pid = -1;
	}
}

int watchdog_reaped(struct watchdog *wd, pid_t pid)
{
	if (wd->pid <= 0 || pid != wd->pid)
		return 0;
	wd->pid = -1;
	return 1;
}
