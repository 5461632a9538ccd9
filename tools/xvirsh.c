/*
 * xvirsh: virsh's commands for xenlaunch guests, without a daemon.
 *
 * Definitions are domain XML files in $XVIRSH_CONFDIR (/etc/xvirsh/domains);
 * a running guest is its launcher, found through <rundir>/<name>.pid and
 * driven through the QEMU-style monitor at <rundir>/<name>.monitor
 * ($XVIRSH_RUNDIR, default /run/xvirsh). Messages follow virsh's wording;
 * every error exits with status 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "tools/capabilities.h"
#include "tools/domain_argv.h"
#include "tools/domain_xml.h"
#include "tools/xml_util.h"

#define DEFAULT_CONFDIR "/etc/xvirsh/domains"
#define DEFAULT_RUNDIR "/run/xvirsh"

static int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int error(const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static const char *confdir(void)
{
	const char *d = getenv("XVIRSH_CONFDIR");

	return d && *d ? d : DEFAULT_CONFDIR;
}

static const char *rundir(void)
{
	const char *d = getenv("XVIRSH_RUNDIR");

	return d && *d ? d : DEFAULT_RUNDIR;
}

/* bin/xenlaunch beside bin/xvirsh, unless $XVIRSH_XENLAUNCH says otherwise. */
static char *xenlaunch_path(void)
{
	const char *env = getenv("XVIRSH_XENLAUNCH");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return strdup("xenlaunch");
	exe[n] = '\0';
	return xml_util_msg("%s/xenlaunch", dirname(exe));
}

/* A name that is safe as a file name (the model checks '/' and a leading '.'). */
static int name_ok(const char *name)
{
	return *name && !strchr(name, '/') && name[0] != '.' && strlen(name) <= 200;
}

static char *path_of(const char *dir, const char *name, const char *suffix)
{
	return xml_util_msg("%s/%s%s", dir, name, suffix);
}

static int load_domain(const char *name, struct domain_def *def)
{
	char *path, *err = NULL;
	int rc;

	domain_def_init(def);
	if (!name_ok(name))
		return error("failed to get domain '%s'", name);
	path = path_of(confdir(), name, ".xml");
	if (access(path, F_OK) != 0) {
		free(path);
		return error("failed to get domain '%s'", name);
	}
	{
		/* Its warnings were shown at define; do not repeat them on every command. */
		FILE *quiet = fopen("/dev/null", "w");

		log_set_stream(quiet);
		rc = domain_def_parse_file(def, path, &err);
		log_set_stream(NULL);
		if (quiet)
			fclose(quiet);
	}
	if (rc) {
		error("failed to get domain '%s'", name);
		error("%s", err);
	}
	free(err);
	free(path);
	return rc ? 1 : 0;
}

/* Monitor client: QEMU's human monitor over a unix socket. */

static int read_until_prompt(int fd, char **out_r, int timeout_ms)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	struct timespec start, now;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long elapsed;
		ssize_t r;
		int pr;

		if (len >= 7 && !memcmp(buf + len - 7, "(qemu) ", 7))
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= timeout_ms) {
			free(buf);
			return -ETIMEDOUT;
		}
		pr = poll(&p, 1, (int)(timeout_ms - elapsed));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		if (len + 4096 + 1 > cap) {
			char *n;

			if (cap > (1u << 20)) {
				free(buf);
				return -EFBIG;
			}
			cap = cap ? cap * 2 : 8192;
			n = realloc(buf, cap);
			if (!n) {
				free(buf);
				return -ENOMEM;
			}
			buf = n;
		}
		r = read(fd, buf + len, 4096);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* EOF: "quit" closes the monitor */
		len += (size_t)r;
	}
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	*out_r = buf;
	return 0;
}

/*
 * Sends one command to a guest's monitor and returns what it printed,
 * without the echo of the command and the final prompt.
 */
static int monitor_command(const char *name, const char *cmd, char **reply_r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *path = path_of(rundir(), name, ".monitor"), *banner = NULL, *reply = NULL;
	int fd = -1, rc;

	*reply_r = NULL;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		goto out;
	}
	rc = read_until_prompt(fd, &banner, 10000);
	if (rc)
		goto out;
	if (dprintf(fd, "%s\n", cmd) < 0) {
		rc = -errno;
		goto out;
	}
	rc = read_until_prompt(fd, &reply, 15000);
	if (rc)
		goto out;
	{
		size_t n = strlen(reply), cl = strlen(cmd);
		char *body = reply;

		if (n >= 7 && !strcmp(reply + n - 7, "(qemu) "))
			reply[n - 7] = '\0';
		if (!strncmp(body, cmd, cl) && (body[cl] == '\r' || body[cl] == '\n')) {
			body += cl;
			body += strspn(body, "\r\n");
		}
		*reply_r = strdup(body);
	}
out:
	if (fd >= 0)
		close(fd);
	free(banner);
	free(reply);
	free(path);
	return rc;
}

/*
 * Whether pid runs: a detached launcher's parent is init, which may be
 * slow to reap it, and a zombie has ended.
 */
static int process_alive(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "r");
	if (!f)
		return 1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* pid (comm) S ...: comm may hold anything, the state follows the last ')'. */
	p = strrchr(buf, ')');
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

enum dom_state { DOM_SHUTOFF, DOM_RUNNING, DOM_PAUSED };

/* The launcher's pid from its pidfile, or 0 when none runs. */
static pid_t launcher_pid(const char *name, int report_dead)
{
	char *path = path_of(rundir(), name, ".pid");
	FILE *f = fopen(path, "r");
	long pid = 0;

	if (f) {
		if (fscanf(f, "%ld", &pid) != 1 || pid <= 1 || pid > INT_MAX)
			pid = 0;
		fclose(f);
		if (pid && !process_alive((pid_t)pid)) {
			/* A launcher that died is reported, not trusted. */
			if (report_dead)
				fprintf(stderr, "warning: the launcher of domain '%s' (pid %ld) is gone; "
						"removing its stale pidfile\n", name, pid);
			unlink(path);
			pid = 0;
		}
	}
	free(path);
	return (pid_t)pid;
}

static enum dom_state domain_state(const char *name, pid_t *pid_r)
{
	pid_t pid = launcher_pid(name, 1);
	char *reply = NULL;
	enum dom_state st = DOM_SHUTOFF;

	if (pid_r)
		*pid_r = pid;
	if (!pid)
		return DOM_SHUTOFF;
	st = DOM_RUNNING;
	if (monitor_command(name, "info status", &reply) == 0 && strstr(reply, "paused"))
		st = DOM_PAUSED;
	free(reply);
	return st;
}

static const char *state_name(enum dom_state st)
{
	return st == DOM_RUNNING ? "running" : st == DOM_PAUSED ? "paused" : "shut off";
}

/* Commands. */

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct command *find_command(const char *name);

static int want_help(int argc, char **argv, const char *cmd)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			const struct command *c = find_command(cmd);

			printf("  NAME\n    %s - %s\n\n  SYNOPSIS\n    %s\n", c->name, c->help, c->usage);
			return 1;
		}
	return 0;
}

/* Positional arguments after removing the flags in `flags` (set to 1 when seen). */
static int args(int argc, char **argv, const char *cmd, int want, char **pos, const char *const *flags, int *seen)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		int flag = 0;

		for (int k = 0; flags && flags[k]; k++)
			if (!strcmp(argv[i], flags[k])) {
				seen[k] = 1;
				flag = 1;
			}
		if (flag)
			continue;
		if (argv[i][0] == '-' && argv[i][1] == '-')
			return error("command '%s' doesn't support option %s", cmd, argv[i]), -1;
		if (n == want)
			return error("unexpected data '%s'", argv[i]), -1;
		pos[n++] = argv[i];
	}
	if (n < want)
		return error("command '%s' requires <%s> option", cmd,
			     !strcmp(cmd, "define") || !strcmp(cmd, "validate") || n == 1 ? "file" : "domain"),
		       -1;
	return 0;
}

static int write_file_atomic(const char *path, const char *data)
{
	char *tmp = xml_util_msg("%s.tmp", path);
	int fd, rc = 0;
	size_t len = strlen(data), off = 0;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (!rc && fsync(fd) != 0)
		rc = -errno;
	close(fd);
	if (!rc && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
out:
	free(tmp);
	return rc;
}

static int mkdir_p(const char *dir)
{
	char *d = strdup(dir);
	int rc = 0;

	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(d, 0755) != 0 && errno != EEXIST)
			rc = -errno;
		*p = '/';
	}
	if (!rc && mkdir(d, 0755) != 0 && errno != EEXIST)
		rc = -errno;
	free(d);
	return rc;
}

static int random_uuid(char out[37])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b)) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	close(fd);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

static int validate_buf(const char *buf, size_t len)
{
	char *schema = xml_util_schema_path("domain.rng"), *err = NULL;
	int rc = xml_util_validate(buf, len, schema, &err);

	if (rc)
		error("%s", err);
	free(err);
	free(schema);
	return rc;
}

static int set_default(char **field, const char *value)
{
	if (*field)
		return 0;
	*field = strdup(value);
	return *field ? 0 : -ENOMEM;
}

/*
 * Loose -> precise: what the user left out is filled in once, at define,
 * with what the launcher would use anyway (libvirt's defaults), so that the
 * stored definition and dumpxml describe the hardware exactly.
 */
static int fill_defaults(struct domain_def *def)
{
	char uuid[37];
	int rc = 0;

	if (!def->uuid) {
		if (random_uuid(uuid))
			return -EIO;
		rc = set_default(&def->uuid, uuid);
	}
	if (!def->current_memory_kib)
		def->current_memory_kib = def->memory_kib;
	if (!def->vcpus)
		def->vcpus = 1;
	if (!rc && !strcmp(def->virt_type, "xen")) {
		struct utsname u;

		rc = set_default(&def->os_arch, uname(&u) == 0 ? u.machine : "x86_64");
		if (!rc && def->os_type)
			rc = set_default(&def->os_machine, domain_is_hvm(def) ? "xenfv" : "xenpv");
	}
	if (!rc)
		rc = set_default(&def->on_poweroff, "destroy");
	if (!rc)
		rc = set_default(&def->on_reboot, "restart");
	if (!rc)
		rc = set_default(&def->on_crash, "destroy");
	return rc;
}

static int cmd_define(int argc, char **argv)
{
	static const char *const flags[] = { "--validate", NULL };
	int seen[1] = { 0 };
	char *pos[1], *buf = NULL, *err = NULL, *xml = NULL, *path = NULL;
	size_t len = 0;
	struct domain_def def;
	int rc = 1;

	domain_def_init(&def);
	if (args(argc, argv, "define", 1, pos, flags, seen))
		return 1;
	if (xml_util_read_file(pos[0], &buf, &len, &err)) {
		error("%s", err);
		goto out;
	}
	if (seen[0] && validate_buf(buf, len))
		goto out;
	if (domain_def_parse(&def, buf, len, &err)) {
		error("Failed to define domain from %s", pos[0]);
		error("%s", err);
		goto out;
	}
	if (fill_defaults(&def)) {
		error("Failed to define domain from %s", pos[0]);
		error("cannot fill in the defaults (UUID, memory, actions)");
		goto out;
	}
	xml = domain_def_format(&def);
	path = path_of(confdir(), def.name, ".xml");
	if (!xml || mkdir_p(confdir()) || write_file_atomic(path, xml)) {
		error("Failed to define domain from %s", pos[0]);
		error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	printf("Domain '%s' defined from %s\n\n", def.name, pos[0]);
	rc = 0;
out:
	free(buf);
	free(err);
	free(xml);
	free(path);
	domain_def_dispose(&def);
	return rc;
}

static int cmd_undefine(int argc, char **argv)
{
	char *pos[1], *path;
	struct domain_def def;
	int rc;

	if (args(argc, argv, "undefine", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	domain_def_dispose(&def);
	if (domain_state(pos[0], NULL) != DOM_SHUTOFF)
		return error("Failed to undefine domain '%s'", pos[0]),
		       error("Requested operation is not valid: domain '%s' is running", pos[0]);
	path = path_of(confdir(), pos[0], ".xml");
	rc = unlink(path);
	free(path);
	if (rc)
		return error("Failed to undefine domain '%s': %s", pos[0], strerror(errno));
	printf("Domain '%s' has been undefined\n\n", pos[0]);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	static const char *const flags[] = { "--all", "--inactive", NULL };
	int seen[2] = { 0, 0 };
	struct dirent **ents = NULL;
	char *pos[1];
	int n;
	size_t wname = 4, count = 0;
	struct row {
		char id[16];
		char *name;
		const char *state;
	} *rows = NULL;

	if (args(argc, argv, "list", 0, pos, flags, seen))
		return 1;
	n = scandir(confdir(), &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t l = strlen(ents[i]->d_name);
		char name[256];
		enum dom_state st;
		struct row *r;

		if (l > 4 && !strcmp(ents[i]->d_name + l - 4, ".xml") && ents[i]->d_name[0] != '.' && l - 4 < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)(l - 4), ents[i]->d_name);
			st = domain_state(name, NULL);
			if ((st == DOM_SHUTOFF && (seen[0] || seen[1])) || (st != DOM_SHUTOFF && !seen[1])) {
				r = realloc(rows, (count + 1) * sizeof(*rows));
				if (r) {
					char *reply = NULL;

					rows = r;
					r = &rows[count++];
					r->name = strdup(name);
					r->state = state_name(st);
					strcpy(r->id, "-");
					if (st != DOM_SHUTOFF && monitor_command(name, "info domid", &reply) == 0) {
						const char *d = reply + strcspn(reply, "0123456789");
						long id = strtol(d, NULL, 10);

						if (*d)
							snprintf(r->id, sizeof(r->id), "%ld", id);
					}
					free(reply);
					if (strlen(name) > wname)
						wname = strlen(name);
				}
			}
		}
		free(ents[i]);
	}
	free(ents);
	/* virsh's table: columns separated by three blanks, a dash rule. */
	printf(" %-4s %-*s   %s\n", "Id", (int)wname, "Name", "State");
	for (size_t i = 0; i < 1 + 5 + wname + 3 + 8; i++)
		putchar('-');
	putchar('\n');
	for (size_t i = 0; i < count; i++) {
		printf(" %-4s %-*s   %s\n", rows[i].id, (int)wname, rows[i].name, rows[i].state);
		free(rows[i].name);
	}
	putchar('\n');
	free(rows);
	return 0;
}

static int cmd_dumpxml(int argc, char **argv)
{
	static const char *const flags[] = { "--inactive", NULL };
	int seen[1] = { 0 };
	char *pos[1], *xml;
	struct domain_def def;

	if (args(argc, argv, "dumpxml", 1, pos, flags, seen) || load_domain(pos[0], &def))
		return 1;
	/*
	 * The launcher does not answer for its precise XML yet: both forms are
	 * the defined XML (precise since define), a running domain's with its
	 * id as libvirt shows it.
	 */
	xml = domain_def_format(&def);
	if (xml && !seen[0] && domain_state(pos[0], NULL) != DOM_SHUTOFF) {
		char *reply = NULL, *with_id = NULL;

		if (monitor_command(pos[0], "info domid", &reply) == 0) {
			const char *d = reply + strcspn(reply, "0123456789");
			const char *end = strchr(xml, '>');

			if (*d && end && !strncmp(xml, "<domain", 7))
				with_id = xml_util_msg("%.*s id='%ld'%s", (int)(end - xml), xml, strtol(d, NULL, 10),
						       end);
		}
		free(reply);
		if (with_id) {
			free(xml);
			xml = with_id;
		}
	}
	fputs(xml ? xml : "", stdout);
	free(xml);
	domain_def_dispose(&def);
	return xml ? 0 : error("out of memory");
}

static int run_and_wait(char **av)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execv(av[0], av);
		fprintf(stderr, "error: cannot run %s: %s\n", av[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int cmd_start(int argc, char **argv)
{
	char *pos[1], *err = NULL, *bin = NULL;
	struct domain_def def;
	struct strv av;
	int rc = 1, r;
	int xen;

	strv_init(&av);
	if (args(argc, argv, "start", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	if (domain_state(pos[0], NULL) != DOM_SHUTOFF) {
		error("Failed to start domain '%s'", pos[0]);
		error("Requested operation is not valid: domain is already running");
		goto out;
	}
	if (mkdir_p(rundir())) {
		error("cannot create run directory '%s': %s", rundir(), strerror(errno));
		goto out;
	}
	xen = !strcmp(def.virt_type, "xen");
	bin = xen ? xenlaunch_path() : NULL;
	r = xen ? domain_to_xenlaunch_argv(&def, bin, rundir(), &av, &err) : domain_to_qemu_argv(&def, NULL, &av, &err);
	if (!r && !xen)
		r = strv_add(&av, "-monitor") || strv_addf(&av, "unix:%s/%s.monitor,server,nowait", rundir(), def.name);
	if (!r)
		r = strv_add(&av, "-daemonize") || strv_add(&av, "-pidfile") ||
		    strv_addf(&av, "%s/%s.pid", rundir(), def.name);
	if (!r && xen)
		r = strv_add(&av, "-D") || strv_addf(&av, "%s/%s.log", rundir(), def.name);
	if (r) {
		error("Failed to start domain '%s'", pos[0]);
		error("%s", err ? err : "out of memory");
		goto out;
	}
	r = run_and_wait(av.v);
	if (r != 0) {
		error("Failed to start domain '%s'", pos[0]);
		error("%s exited with status %d%s%s/%s.log", av.v[0], r, xen ? "; see " : "", xen ? rundir() : "",
		      xen ? def.name : "");
		goto out;
	}
	printf("Domain '%s' started\n\n", def.name);
	rc = 0;
out:
	free(err);
	free(bin);
	strv_dispose(&av);
	domain_def_dispose(&def);
	return rc;
}

static int cmd_shutdown(int argc, char **argv)
{
	char *pos[1], *reply = NULL;
	struct domain_def def;
	int r;

	if (args(argc, argv, "shutdown", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	domain_def_dispose(&def);
	if (domain_state(pos[0], NULL) == DOM_SHUTOFF)
		return error("Failed to shutdown domain '%s'", pos[0]),
		       error("Requested operation is not valid: domain is not running");
	r = monitor_command(pos[0], "system_powerdown", &reply);
	if (r) {
		free(reply);
		return error("Failed to shutdown domain '%s'", pos[0]),
		       error("cannot talk to the monitor of '%s': %s", pos[0], strerror(-r));
	}
	if (reply && *reply)
		fputs(reply, stderr);
	free(reply);
	printf("Domain '%s' is being shutdown\n\n", pos[0]);
	return 0;
}

static int cmd_destroy(int argc, char **argv)
{
	char *pos[1], *reply = NULL;
	struct domain_def def;
	pid_t pid;

	if (args(argc, argv, "destroy", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	domain_def_dispose(&def);
	if (domain_state(pos[0], &pid) == DOM_SHUTOFF)
		return error("Failed to destroy domain '%s'", pos[0]),
		       error("Requested operation is not valid: domain is not running");
	if (monitor_command(pos[0], "quit", &reply) != 0 && kill(pid, SIGTERM) != 0 && errno != ESRCH) {
		free(reply);
		return error("Failed to destroy domain '%s': %s", pos[0], strerror(errno));
	}
	free(reply);
	/*
	 * Wait (bounded, generous: a busy host tears a domain down slowly) for
	 * the launcher to destroy the domain; a launcher that does not end is
	 * killed, and its watchdog destroys the domain.
	 */
	for (int i = 0; i < 300 && process_alive(pid); i++)
		usleep(100 * 1000);
	if (process_alive(pid)) {
		kill(pid, SIGKILL);
		for (int i = 0; i < 50 && process_alive(pid); i++)
			usleep(100 * 1000);
	}
	launcher_pid(pos[0], 0);
	printf("Domain '%s' destroyed\n\n", pos[0]);
	return 0;
}

static int cmd_domstate(int argc, char **argv)
{
	char *pos[1];
	struct domain_def def;

	if (args(argc, argv, "domstate", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	domain_def_dispose(&def);
	printf("%s\n\n", state_name(domain_state(pos[0], NULL)));
	return 0;
}

static int probe_caps(struct host_caps *caps)
{
	struct utsname_buf {
		char m[65];
	} u;
	char *err = NULL;
	FILE *f = popen("uname -m", "r");

	host_caps_init(caps);
	if (!f || !fgets(u.m, sizeof(u.m), f))
		strcpy(u.m, "x86_64");
	if (f)
		pclose(f);
	u.m[strcspn(u.m, "\n")] = '\0';
	caps->host_arch = strdup(u.m);
	{
		char *bin = xenlaunch_path();
		char *real = bin ? realpath(bin, NULL) : NULL;

		caps->emulator = real ? real : strdup(bin ? bin : "xenlaunch");
		if (real)
			free(bin);
		else
			free(bin);
	}
	if (host_caps_probe_xen(caps, &err)) {
		error("failed to get capabilities: %s", err);
		free(err);
		host_caps_dispose(caps);
		return 1;
	}
	return 0;
}

static int cmd_capabilities(int argc, char **argv)
{
	char *pos[1], *xml;
	struct host_caps caps;

	if (args(argc, argv, "capabilities", 0, pos, NULL, NULL) || probe_caps(&caps))
		return 1;
	xml = host_caps_format(&caps);
	fputs(xml ? xml : "", stdout);
	free(xml);
	host_caps_dispose(&caps);
	return xml ? 0 : 1;
}

static int cmd_domcapabilities(int argc, char **argv)
{
	const char *machine = "xenpv", *arch = NULL;
	char *xml = NULL, *err = NULL;
	struct host_caps caps;
	int rc;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--machine") || !strcmp(argv[i], "--arch")) && i + 1 < argc) {
			*(argv[i][2] == 'm' ? &machine : &arch) = argv[i + 1];
			i++;
		} else if (!strcmp(argv[i], "--virttype") && i + 1 < argc) {
			if (strcmp(argv[++i], "xen"))
				return error("unsupported virttype '%s': only 'xen'", argv[i]);
		} else {
			return error("command 'domcapabilities' doesn't support option %s", argv[i]);
		}
	}
	if (probe_caps(&caps))
		return 1;
	rc = host_domcaps_format(&caps, machine, arch, &xml, &err);
	if (rc)
		error("failed to get domain capabilities: %s", err);
	else
		fputs(xml, stdout);
	free(xml);
	free(err);
	host_caps_dispose(&caps);
	return rc ? 1 : 0;
}

static int cmd_to_native(int argc, char **argv)
{
	char *pos[2], *err = NULL, *out = NULL, *bin = NULL;
	struct domain_def def;
	struct strv av;
	int r;

	domain_def_init(&def);
	strv_init(&av);
	if (args(argc, argv, "domxml-to-native", 2, pos, NULL, NULL))
		return 1;
	if (strcmp(pos[0], "xenlaunch-argv") && strcmp(pos[0], "qemu-argv") && strcmp(pos[0], "xen-xl"))
		return error("unsupported config type %s (xenlaunch-argv, qemu-argv, xen-xl)", pos[0]);
	r = domain_def_parse_file(&def, pos[1], &err);
	if (!r && !strcmp(pos[0], "xenlaunch-argv")) {
		bin = xenlaunch_path();
		r = domain_to_xenlaunch_argv(&def, bin, rundir(), &av, &err);
	} else if (!r && !strcmp(pos[0], "qemu-argv")) {
		r = domain_to_qemu_argv(&def, NULL, &av, &err);
	} else if (!r) {
		r = domain_to_xl_cfg(&def, &out, &err);
	}
	if (!r && av.n) {
		out = strv_to_shell(&av);
		if (out) {
			char *nl = xml_util_msg("%s\n", out);

			free(out);
			out = nl;
		}
	}
	if (r)
		error("%s", err);
	else
		fputs(out ? out : "", stdout);
	free(out);
	free(err);
	free(bin);
	strv_dispose(&av);
	domain_def_dispose(&def);
	return r ? 1 : 0;
}

static int cmd_from_native(int argc, char **argv)
{
	char *pos[2], *err = NULL, *buf = NULL, *xml = NULL;
	size_t len = 0;
	struct domain_def def;
	struct strv av;
	int r;

	domain_def_init(&def);
	strv_init(&av);
	if (args(argc, argv, "domxml-from-native", 2, pos, NULL, NULL))
		return 1;
	if (strcmp(pos[0], "xenlaunch-argv") && strcmp(pos[0], "xen-xl"))
		return error("unsupported config type %s (xenlaunch-argv, xen-xl)", pos[0]);
	r = xml_util_read_file(pos[1], &buf, &len, &err);
	if (!r && !strcmp(pos[0], "xen-xl")) {
		r = domain_from_xl_cfg(&def, buf, len, &err);
	} else if (!r) {
		r = shell_split(buf, &av, &err);
		if (!r)
			r = domain_from_xenlaunch_argv(&def, av.n, av.v, &err);
	}
	if (!r)
		xml = domain_def_format(&def);
	if (r)
		error("%s", err);
	else
		fputs(xml ? xml : "", stdout);
	free(xml);
	free(buf);
	free(err);
	strv_dispose(&av);
	domain_def_dispose(&def);
	return r ? 1 : 0;
}

static int cmd_validate(int argc, char **argv)
{
	char *pos[1], *buf = NULL, *err = NULL;
	size_t len = 0;
	struct domain_def def;
	int rc = 1;

	domain_def_init(&def);
	if (args(argc, argv, "validate", 1, pos, NULL, NULL))
		return 1;
	if (xml_util_read_file(pos[0], &buf, &len, &err)) {
		error("%s", err);
		goto out;
	}
	if (validate_buf(buf, len))
		goto out;
	/* The schema passed; the model still reports what it will not interpret. */
	if (domain_def_parse(&def, buf, len, &err)) {
		error("%s", err);
		goto out;
	}
	printf("%s validates\n", pos[0]);
	rc = 0;
out:
	free(buf);
	free(err);
	domain_def_dispose(&def);
	return rc;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "define", cmd_define, "define <file> [--validate]", "define (but don't start) a domain from an XML file" },
	{ "undefine", cmd_undefine, "undefine <domain>", "undefine a domain" },
	{ "list", cmd_list, "list [--all] [--inactive]", "list domains" },
	{ "dumpxml", cmd_dumpxml, "dumpxml <domain> [--inactive]", "domain information in XML" },
	{ "start", cmd_start, "start <domain>", "start a (previously defined) inactive domain" },
	{ "shutdown", cmd_shutdown, "shutdown <domain>", "gracefully shutdown a domain" },
	{ "destroy", cmd_destroy, "destroy <domain>", "destroy (stop) a domain" },
	{ "domstate", cmd_domstate, "domstate <domain>", "domain state" },
	{ "capabilities", cmd_capabilities, "capabilities", "capabilities" },
	{ "domcapabilities", cmd_domcapabilities, "domcapabilities [--virttype xen] [--machine M] [--arch A]",
	  "domain capabilities" },
	{ "domxml-to-native", cmd_to_native, "domxml-to-native <format> <file>",
	  "convert domain XML to a native format: xenlaunch-argv, qemu-argv, xen-xl" },
	{ "domxml-from-native", cmd_from_native, "domxml-from-native <format> <file>",
	  "convert a native format (xenlaunch-argv, xen-xl) to domain XML" },
	{ "validate", cmd_validate, "validate <file>", "validate a domain XML file against libvirt's schema" },
	{ "help", cmd_help, "help [command]", "print help" },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		const struct command *c = find_command(argv[1]);

		if (!c)
			return error("command '%s' doesn't exist", argv[1]);
		printf("  NAME\n    %s - %s\n\n  SYNOPSIS\n    %s\n", c->name, c->help, c->usage);
		return 0;
	}
	printf("Usage: xvirsh [--help] <command> [args...]\n\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		printf("    %-20s %s\n", commands[i].name, commands[i].help);
	printf("\nEnvironment: XVIRSH_CONFDIR (default %s), XVIRSH_RUNDIR (default %s),\n"
	       "XVIRSH_XENLAUNCH (default: xenlaunch beside xvirsh), XVIRSH_SCHEMADIR (default %s).\n",
	       DEFAULT_CONFDIR, DEFAULT_RUNDIR, XML_UTIL_SCHEMA_DIR);
	return 0;
}

int main(int argc, char **argv)
{
	const struct command *c;

	log_init("xvirsh");
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	c = find_command(argv[1]);
	if (!c)
		return error("unknown command: '%s'", argv[1]);
	if (want_help(argc - 1, argv + 1, c->name))
		return 0;
	return c->run(argc - 1, argv + 1) ? 1 : 0;
}
