/*
 * xvirsh: virsh's commands for xenlaunch guests, without a daemon.
 *
 * Definitions are domain XML files in $XVIRSH_CONFDIR (/etc/xvirsh/domains);
 * a running guest is its launcher, found through <rundir>/<name>.pid and
 * driven through the QEMU-style monitor at <rundir>/<name>.monitor
 * ($XVIRSH_RUNDIR, default /run/xvirsh). The launcher owns the running
 * guest's precise description ("info domxml"): xvirsh keeps no second copy.
 * A launcher is trusted only while it runs, answers on its monitor and
 * xenstore knows its domain by the guest's name. Messages follow virsh's
 * wording; every error exits with status 1.
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
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/strv.h"
#include "model/names.h"
#include "tools/capabilities.h"
#include "tools/domain_argv.h"
#include "model/domain_xml.h"
#include "model/xml_util.h"

#include <xenstore.h>

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
	return str_printf("%s/xenlaunch", dirname(exe));
}

/* A name that is safe as a file name (the model checks '/' and a leading '.'). */
static int name_ok(const char *name)
{
	return *name && !strchr(name, '/') && name[0] != '.' && strlen(name) <= 200;
}

static char *path_of(const char *dir, const char *name, const char *suffix)
{
	return str_printf("%s/%s%s", dir, name, suffix);
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
		} else if (strchr(body, '\n') && memchr(body, '\033', (size_t)(strchr(body, '\n') - body))) {
			/* QEMU's readline echoes the command redrawn with escapes. */
			body = strchr(body, '\n') + 1;
		}
		/* The monitor writes "\r\n" (for terminals); xvirsh prints "\n". */
		*reply_r = strdup(body);
		if (*reply_r) {
			char *w = *reply_r;

			for (const char *r = *reply_r; *r; r++)
				if (!(r[0] == '\r' && r[1] == '\n'))
					*w++ = *r;
			*w = '\0';
		}
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

/*
 * libvirt's states; "no state" is a launcher that runs but cannot be
 * trusted: it does not answer on its monitor, or xenstore does not know its
 * domain by the guest's name.
 */
enum dom_state { DOM_SHUTOFF, DOM_RUNNING, DOM_PAUSED, DOM_NOSTATE };

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
			char *sock = path_of(rundir(), name, ".monitor");

			/* A launcher that died is reported, not trusted. */
			if (report_dead)
				fprintf(stderr, "warning: the launcher of domain '%s' (pid %ld) is gone; "
						"removing its stale pidfile and monitor socket\n", name, pid);
			unlink(path);
			unlink(sock);
			free(sock);
			pid = 0;
		}
	}
	free(path);
	return (pid_t)pid;
}

/* The number in a monitor reply such as "7\n"; 0 when there is none. */
static unsigned reply_number(const char *reply)
{
	char *end = NULL;
	unsigned long n;

	if (!reply || *reply < '0' || *reply > '9')
		return 0;
	n = strtoul(reply, &end, 10);
	return (*end == '\n' || !*end) && n < 0x7ff0 ? (unsigned)n : 0;
}

/*
 * Whether xenstore knows domain `domid` as `name`. 1 yes, 0 no, -1 when
 * there is no xenstore to ask (not a Xen host: a QEMU guest).
 */
static int xenstore_agrees(unsigned domid, const char *name)
{
	struct xs_handle *xs = xs_open(XS_OPEN_READONLY);
	char path[64], *value;
	unsigned len = 0;
	int agrees;

	if (!xs)
		return -1;
	snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
	value = xs_read(xs, XBT_NULL, path, &len);
	agrees = value && !strcmp(value, name);
	free(value);
	xs_close(xs);
	return agrees;
}

/* What a running guest is: its launcher and, for a Xen guest, its domain. */
struct dom_run {
	pid_t pid;	/* 0: no launcher runs */
	unsigned domid;	/* 0: unknown (a QEMU guest has none) */
};

static enum dom_state domain_state(const char *name, struct dom_run *run_r)
{
	struct dom_run run = { launcher_pid(name, 1), 0 };
	char *reply = NULL;
	enum dom_state st;
	int r;

	if (run_r)
		*run_r = run;
	if (!run.pid)
		return DOM_SHUTOFF;
	r = monitor_command(name, "info status", &reply);
	if (r) {
		fprintf(stderr, "warning: the launcher of domain '%s' (pid %ld) does not answer on its monitor: %s\n",
			name, (long)run.pid, strerror(-r));
		free(reply);
		return DOM_NOSTATE;
	}
	st = strstr(reply, "paused") ? DOM_PAUSED : DOM_RUNNING;
	free(reply);
	reply = NULL;
	/* QEMU has no "info domid": its guests have no domain to check. */
	if (monitor_command(name, "info domid", &reply) == 0 && (run.domid = reply_number(reply)) &&
	    xenstore_agrees(run.domid, name) == 0) {
		fprintf(stderr, "warning: the launcher of domain '%s' (pid %ld) reports domain %u, "
				"which xenstore does not know by that name\n", name, (long)run.pid, run.domid);
		st = DOM_NOSTATE;
	}
	free(reply);
	if (run_r)
		*run_r = run;
	return st;
}

static const char *state_name(enum dom_state st)
{
	static const char *const names[] = {
		[DOM_SHUTOFF] = "shut off", [DOM_RUNNING] = "running",
		[DOM_PAUSED] = "paused", [DOM_NOSTATE] = "no state",
	};

	return names[st];
}

/*
 * Parses the stored definition of `name` into def (initialised here).
 * Its warnings were shown at define: they are not repeated on every command.
 */
static int read_definition(const char *name, struct domain_def *def, char **err_r)
{
	char *path = path_of(confdir(), name, ".xml");
	FILE *quiet = fopen("/dev/null", "w");
	int rc;

	domain_def_init(def);
	log_set_stream(quiet);
	rc = domain_def_parse_file(def, path, err_r);
	log_set_stream(NULL);
	if (quiet)
		fclose(quiet);
	free(path);
	return rc;
}

/* Every defined domain's name, in order; NULL-terminated, or NULL when none. */
static char **defined_names(void)
{
	struct dirent **ents = NULL;
	char **names = calloc(1, sizeof(*names));
	size_t count = 0;
	int n = scandir(confdir(), &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		const char *d = ents[i]->d_name;
		size_t l = strlen(d);
		char **grown;

		if (names && l > 4 && !strcmp(d + l - 4, ".xml") && d[0] != '.' &&
		    (grown = realloc(names, (count + 2) * sizeof(*names)))) {
			names = grown;
			names[count] = strndup(d, l - 4);
			names[count + 1] = NULL;
			count += names[count] != NULL;
		}
		free(ents[i]);
	}
	free(ents);
	return names;
}

static void free_names(char **names)
{
	for (size_t i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/*
 * The domain that `arg` names, as virsh finds it: by name, else by the
 * domain ID of a running guest, else by UUID. Returns 0 with def loaded,
 * or prints "failed to get domain" and returns 1.
 */
static int load_domain(const char *arg, struct domain_def *def)
{
	char canon[37], *err = NULL, *found = NULL, **names = NULL, *path;
	int rc;

	domain_def_init(def);
	path = name_ok(arg) ? path_of(confdir(), arg, ".xml") : NULL;
	if (path && access(path, F_OK) == 0) {
		found = strdup(arg);
	} else if (strspn(arg, "0123456789") == strlen(arg) && *arg) {
		unsigned long id = strtoul(arg, NULL, 10);

		names = defined_names();
		for (size_t i = 0; names && names[i] && !found; i++) {
			struct dom_run run;

			if (launcher_pid(names[i], 0) && domain_state(names[i], &run) != DOM_SHUTOFF && run.domid == id)
				found = strdup(names[i]);
		}
	} else if (domain_uuid_canon(arg, canon) == 0) {
		names = defined_names();
		for (size_t i = 0; names && names[i] && !found; i++) {
			struct domain_def d;
			char *ignored = NULL;

			if (read_definition(names[i], &d, &ignored) == 0 && d.uuid && !strcmp(d.uuid, canon))
				found = strdup(names[i]);
			free(ignored);
			domain_def_dispose(&d);
		}
	}
	free(path);
	free_names(names);
	if (!found)
		return error("failed to get domain '%s'", arg);
	rc = read_definition(found, def, &err);
	if (rc) {
		error("failed to get domain '%s'", arg);
		error("%s", err);
	}
	free(err);
	free(found);
	return rc ? 1 : 0;
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
	char *tmp = str_printf("%s.tmp", path);
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

static int random_uuid(char out[UUID_STRING_SIZE])
{
	uint8_t uuid[16];

	if (uuid_generate_random(uuid) < 0)
		return -EIO;
	uuid_to_string(uuid, out);
	return 0;
}

static int validate_buf(const char *buf, size_t len)
{
	char *schema = NULL, *err = NULL;
	/* The model's cheap limits before the schema's costly walk. */
	int rc = domain_check_limits(buf, len, &err);

	if (!rc) {
		schema = xml_util_schema_path("domain.rng");
		rc = xml_util_validate(buf, len, schema, &err);
	}

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
	/* What belongs to one run: the domain ID, the pty a console got. */
	def->id = 0;
	for (size_t i = 0; i < def->n_chardevs; i++) {
		if (def->chardevs[i].type && !strcmp(def->chardevs[i].type, "pty")) {
			free(def->chardevs[i].source_path);
			def->chardevs[i].source_path = NULL;
		}
	}
	if (!def->current_memory_kib)
		def->current_memory_kib = def->memory_kib;
	if (!def->vcpus)
		def->vcpus = 1;
	if (!rc && !strcmp(def->virt_type, "xen")) {
		struct utsname u;

		rc = set_default(&def->os_arch, uname(&u) == 0 ? u.machine : "x86_64");
		if (!rc && def->os_type)
			rc = set_default(&def->os_machine, domain_is_hvm(def) ? "xenfv" :
							   domain_is_xen_pvh(def) ? "xenpvh" : "xenpv");
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

/*
 * The state of a domain that `what` (virsh's verb: "shutdown", "suspend")
 * needs running. A shut-off domain and an untrusted launcher are errors in
 * virsh's words; 0 then means the error was printed.
 */
static enum dom_state need_running(const char *name, const char *what, struct dom_run *run_r)
{
	enum dom_state st = domain_state(name, run_r);

	if (st == DOM_SHUTOFF) {
		error("Failed to %s domain '%s'", what, name);
		error("Requested operation is not valid: domain is not running");
		return DOM_SHUTOFF;
	}
	if (st == DOM_NOSTATE) {
		error("Failed to %s domain '%s'", what, name);
		error("its launcher cannot be trusted; 'xvirsh destroy %s' ends it", name);
		return DOM_SHUTOFF;
	}
	return st;
}

/* One monitor command whose reply is empty on success ("stop", "cont"...). */
static int monitor_action(const char *name, const char *what, const char *cmd)
{
	char *reply = NULL;
	int r = monitor_command(name, cmd, &reply);

	if (r || (reply && *reply)) {
		error("Failed to %s domain '%s'", what, name);
		if (r)
			error("cannot talk to the monitor of '%s': %s", name, strerror(-r));
		else
			error("%s", reply);
		free(reply);
		return 1;
	}
	free(reply);
	return 0;
}

/*
 * A running guest's precise description, from its launcher ("info
 * domxml"): the XML text in *xml_r and, when def is not NULL, parsed.
 */
static int live_domain(const char *name, char **xml_r, struct domain_def *def)
{
	char *reply = NULL, *err = NULL;
	int r = monitor_command(name, "info domxml", &reply);

	if (!r && strncmp(reply, "<domain", 7)) {
		error("failed to get the live XML of domain '%s': %s", name, reply);
		free(reply);
		return 1;
	}
	if (r) {
		free(reply);
		return error("failed to get the live XML of domain '%s': %s", name, strerror(-r));
	}
	if (def && domain_def_parse(def, reply, strlen(reply), &err)) {
		error("the launcher of '%s' described it in XML that does not parse: %s", name, err);
		free(err);
		free(reply);
		return 1;
	}
	if (xml_r)
		*xml_r = reply;
	else
		free(reply);
	return 0;
}

static int cmd_undefine(int argc, char **argv)
{
	char *pos[1], *path = NULL;
	struct domain_def def;
	int rc = 1;

	if (args(argc, argv, "undefine", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	if (domain_state(def.name, NULL) != DOM_SHUTOFF) {
		error("Failed to undefine domain '%s'", def.name);
		error("Requested operation is not valid: domain '%s' is running", def.name);
		goto out;
	}
	path = path_of(confdir(), def.name, ".xml");
	if (unlink(path)) {
		error("Failed to undefine domain '%s': %s", def.name, strerror(errno));
		goto out;
	}
	printf("Domain '%s' has been undefined\n\n", def.name);
	rc = 0;
out:
	free(path);
	domain_def_dispose(&def);
	return rc;
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
		struct dom_run run;
		struct row *r;

		if (l > 4 && !strcmp(ents[i]->d_name + l - 4, ".xml") && ents[i]->d_name[0] != '.' && l - 4 < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)(l - 4), ents[i]->d_name);
			st = domain_state(name, &run);
			if ((st == DOM_SHUTOFF && (seen[0] || seen[1])) || (st != DOM_SHUTOFF && !seen[1])) {
				r = realloc(rows, (count + 1) * sizeof(*rows));
				if (r) {
					rows = r;
					r = &rows[count++];
					r->name = strdup(name);
					r->state = state_name(st);
					strcpy(r->id, "-");
					if (run.domid)
						snprintf(r->id, sizeof(r->id), "%u", run.domid);
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

/*
 * A running guest's XML comes from its launcher, which owns the precise
 * description (every default filled in, the pty, the VNC port taken);
 * --inactive, or a shut-off guest, gives the stored definition.
 */
static int cmd_dumpxml(int argc, char **argv)
{
	static const char *const flags[] = { "--inactive", NULL };
	int seen[1] = { 0 };
	char *pos[1], *xml = NULL;
	struct domain_def def;
	int rc = 1;

	if (args(argc, argv, "dumpxml", 1, pos, flags, seen) || load_domain(pos[0], &def))
		return 1;
	/* QEMU does not describe its guest: a KVM guest's XML is the stored one. */
	if (!seen[0] && !strcmp(def.virt_type, "xen") && domain_state(def.name, NULL) != DOM_SHUTOFF) {
		if (live_domain(def.name, &xml, NULL))
			goto out;
	} else {
		xml = domain_def_format(&def);
		if (!xml) {
			error("out of memory");
			goto out;
		}
	}
	fputs(xml, stdout);
	rc = 0;
out:
	free(xml);
	domain_def_dispose(&def);
	return rc;
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

/*
 * The VNC password of the definition, which the launcher's argv only says
 * is required (password=on: the secret stays off every command line): given
 * to the started guest through its monitor, as libvirt does. NULL: none.
 */
static const char *vnc_password_of(const struct domain_def *def)
{
	for (size_t i = 0; i < def->n_graphics; i++)
		if (def->graphics[i].type && !strcmp(def->graphics[i].type, "vnc") && def->graphics[i].passwd &&
		    *def->graphics[i].passwd)
			return def->graphics[i].passwd;
	return NULL;
}

static int cmd_start(int argc, char **argv)
{
	char *pos[1], *err = NULL, *bin = NULL;
	const char *password;
	struct domain_def def;
	struct strv av;
	int rc = 1, r;
	int xen;

	strv_init(&av);
	if (args(argc, argv, "start", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	if (domain_state(def.name, NULL) != DOM_SHUTOFF) {
		error("Failed to start domain '%s'", def.name);
		error("Requested operation is not valid: domain is already running");
		goto out;
	}
	if (mkdir_p(rundir())) {
		error("cannot create run directory '%s': %s", rundir(), strerror(errno));
		goto out;
	}
	password = vnc_password_of(&def);
	if (password && password[strcspn(password, " \t\r\n")]) {
		/* the monitor reads words: a blank would cut it */
		error("Failed to start domain '%s'", def.name);
		error("a VNC password with blanks in it cannot be set");
		goto out;
	}
	/* type='xen' runs xenlaunch; type='kvm' and 'qemu' run qemu-system-x86_64. */
	xen = !strcmp(def.virt_type, "xen");
	bin = xen ? xenlaunch_path() : NULL;
	r = xen ? domain_to_xenlaunch_argv(&def, bin, rundir(), &av, &err) : domain_to_qemu_argv(&def, NULL, &av, &err);
	if (!r && !xen)
		r = strv_add(&av, "-monitor") || strv_addf(&av, "unix:%s/%s.monitor,server,nowait", rundir(), def.name);
	if (!r)
		r = strv_add(&av, "-daemonize") || strv_add(&av, "-pidfile") ||
		    strv_addf(&av, "%s/%s.pid", rundir(), def.name);
	if (!r)
		r = strv_add(&av, "-D") || strv_addf(&av, "%s/%s.log", rundir(), def.name);
	if (r) {
		error("Failed to start domain '%s'", def.name);
		error("%s", err ? err : "out of memory");
		goto out;
	}
	r = run_and_wait(av.v);
	if (r != 0) {
		error("Failed to start domain '%s'", def.name);
		error("%s exited with status %d; see %s/%s.log", av.v[0], r, rundir(), def.name);
		goto out;
	}
	if (password) {
		char *cmd = str_printf("change vnc password %s", password);

		r = !cmd || monitor_action(def.name, "start", cmd);
		free(cmd);
		if (r) {
			/* a guest nobody can view is not what was defined */
			char *reply = NULL;

			monitor_command(def.name, "quit", &reply);
			free(reply);
			goto out;
		}
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

/*
 * The verbs that are one monitor command on a running guest. reboot is
 * the launcher's system_reset: the domain is rebuilt from the same launch
 * config, at once, without asking the guest first.
 */
static const struct monitor_verb {
	const char *cmd;	/* xvirsh's */
	const char *what;	/* virsh's "Failed to <what> domain" */
	const char *monitor;	/* the monitor's */
	const char *done;	/* "Domain 'x' <done>" */
} monitor_verbs[] = {
	{ "shutdown", "shutdown", "system_powerdown", "is being shutdown" },
	{ "reboot", "reboot", "system_reset", "is being rebooted" },
	{ "suspend", "suspend", "stop", "suspended" },
	{ "resume", "resume", "cont", "resumed" },
};

static int cmd_monitor_verb(int argc, char **argv)
{
	const struct monitor_verb *v = NULL;
	char *pos[1];
	struct domain_def def;
	int rc = 1;

	for (size_t i = 0; i < sizeof(monitor_verbs) / sizeof(monitor_verbs[0]); i++)
		if (!strcmp(argv[0], monitor_verbs[i].cmd))
			v = &monitor_verbs[i];
	if (args(argc, argv, v->cmd, 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	if (need_running(def.name, v->what, NULL) != DOM_SHUTOFF && !monitor_action(def.name, v->what, v->monitor)) {
		printf("Domain '%s' %s\n\n", def.name, v->done);
		rc = 0;
	}
	domain_def_dispose(&def);
	return rc;
}

static int cmd_destroy(int argc, char **argv)
{
	char *pos[1], *reply = NULL;
	struct domain_def def;
	struct dom_run run;
	int rc = 1;

	if (args(argc, argv, "destroy", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	/* An untrusted launcher is destroyed too: that is how it is got rid of. */
	if (domain_state(def.name, &run) == DOM_SHUTOFF) {
		error("Failed to destroy domain '%s'", def.name);
		error("Requested operation is not valid: domain is not running");
		goto out;
	}
	if (monitor_command(def.name, "quit", &reply) != 0 && kill(run.pid, SIGTERM) != 0 && errno != ESRCH) {
		error("Failed to destroy domain '%s': %s", def.name, strerror(errno));
		goto out;
	}
	/*
	 * Wait (bounded, generous: a busy host tears a domain down slowly) for
	 * the launcher to destroy the domain; a launcher that does not end is
	 * killed, and its watchdog destroys the domain.
	 */
	for (int i = 0; i < 300 && process_alive(run.pid); i++)
		usleep(100 * 1000);
	if (process_alive(run.pid)) {
		kill(run.pid, SIGKILL);
		for (int i = 0; i < 50 && process_alive(run.pid); i++)
			usleep(100 * 1000);
	}
	launcher_pid(def.name, 0);
	printf("Domain '%s' destroyed\n\n", def.name);
	rc = 0;
out:
	free(reply);
	domain_def_dispose(&def);
	return rc;
}

static int cmd_domstate(int argc, char **argv)
{
	char *pos[1];
	struct domain_def def;

	if (args(argc, argv, "domstate", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	printf("%s\n\n", state_name(domain_state(def.name, NULL)));
	domain_def_dispose(&def);
	return 0;
}

/* virsh's dominfo layout: a 15-column label, then the value. */
static int cmd_dominfo(int argc, char **argv)
{
	char *pos[1];
	struct domain_def def, live;
	const struct domain_def *d = &def;
	struct dom_run run;
	enum dom_state st;
	int rc = 1;

	domain_def_init(&live);
	if (args(argc, argv, "dominfo", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	st = domain_state(def.name, &run);
	if ((st == DOM_RUNNING || st == DOM_PAUSED) && !strcmp(def.virt_type, "xen")) {
		if (live_domain(def.name, NULL, &live))
			goto out;
		d = &live;
	}
	if (run.domid)
		printf("%-15s %u\n", "Id:", run.domid);
	else
		printf("%-15s %s\n", "Id:", "-");
	printf("%-15s %s\n", "Name:", d->name);
	printf("%-15s %s\n", "UUID:", d->uuid ? d->uuid : "");
	printf("%-15s %s\n", "OS Type:", d->os_type ? d->os_type : "");
	printf("%-15s %s\n", "State:", state_name(st));
	printf("%-15s %u\n", "CPU(s):", d->vcpus_current ? d->vcpus_current : d->vcpus ? d->vcpus : 1);
	printf("%-15s %llu KiB\n", "Max memory:", d->memory_kib);
	printf("%-15s %llu KiB\n", "Used memory:",
	       d->current_memory_kib ? d->current_memory_kib : d->memory_kib);
	printf("%-15s %s\n", "Persistent:", "yes");
	printf("%-15s %s\n", "Autostart:", "disable");
	printf("%-15s %s\n", "Managed save:", "no");
	printf("%-15s %s\n", "Security model:", "none");
	printf("%-15s %s\n\n", "Security DOI:", "0");
	rc = 0;
out:
	domain_def_dispose(&live);
	domain_def_dispose(&def);
	return rc;
}

/* domid, domname, domuuid: any of name, ID or UUID in, one of them out. */
static int cmd_domid(int argc, char **argv)
{
	char *pos[1];
	struct domain_def def;
	struct dom_run run = { 0, 0 };

	if (args(argc, argv, argv[0], 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	if (!strcmp(argv[0], "domname")) {
		printf("%s\n\n", def.name);
	} else if (!strcmp(argv[0], "domuuid")) {
		printf("%s\n\n", def.uuid ? def.uuid : "");
	} else {
		domain_state(def.name, &run);
		if (run.domid)
			printf("%u\n\n", run.domid);
		else
			printf("-\n\n");
	}
	domain_def_dispose(&def);
	return 0;
}

/* The pty of a running guest's console, from the monitor's "info chardev". */
static char *console_pty(const char *name)
{
	char *reply = NULL, *pty = NULL, *line;

	if (monitor_command(name, "info chardev", &reply))
		return NULL;
	line = strstr(reply, "serial0: filename=pty:");
	if (line) {
		line += strlen("serial0: filename=pty:");
		pty = strndup(line, strcspn(line, "\n"));
	}
	free(reply);
	return pty;
}

#define CONSOLE_ESCAPE 0x1d	/* Ctrl-] */

/* Copies bytes both ways until Ctrl-] is typed, stdin ends or the pty closes. */
static void console_relay(int pty)
{
	struct pollfd p[2] = { { STDIN_FILENO, POLLIN, 0 }, { pty, POLLIN, 0 } };
	char buf[4096];

	for (;;) {
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[1].revents) {
			n = read(pty, buf, sizeof(buf));
			if (n <= 0 || write(STDOUT_FILENO, buf, (size_t)n) != n)
				return;
		}
		if (p[0].revents) {
			char *esc;

			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				return;
			esc = memchr(buf, CONSOLE_ESCAPE, (size_t)n);
			if (esc)
				n = esc - buf;
			if (n > 0 && write(pty, buf, (size_t)n) != n)
				return;
			if (esc)
				return;
		}
	}
}

static int cmd_console(int argc, char **argv)
{
	char *pos[1], *pty = NULL;
	struct domain_def def;
	struct termios saved, raw;
	int fd = -1, rc = 1, tty = isatty(STDIN_FILENO);

	if (args(argc, argv, "console", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	if (need_running(def.name, "open the console of", NULL) == DOM_SHUTOFF)
		goto out;
	pty = console_pty(def.name);
	if (!pty) {
		error("internal error: cannot find character device for domain '%s'", def.name);
		goto out;
	}
	fd = open(pty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		error("cannot open console '%s' of domain '%s': %s", pty, def.name, strerror(errno));
		goto out;
	}
	printf("Connected to domain '%s'\nEscape character is ^] (Ctrl + ])\n", def.name);
	fflush(stdout);
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	console_relay(fd);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	printf("\n");
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(pty);
	domain_def_dispose(&def);
	return rc;
}

/* virsh's form: ":1" for every address, "127.0.0.1:1" for one. */
static int cmd_vncdisplay(int argc, char **argv)
{
	char *pos[1];
	struct domain_def def, live;
	const struct domain_def *d;
	const struct domain_graphics *vnc = NULL;
	int rc = 1;

	domain_def_init(&live);
	if (args(argc, argv, "vncdisplay", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	if (need_running(def.name, "get the VNC display of", NULL) == DOM_SHUTOFF)
		goto out;
	/* The port a Xen guest's launcher took; a QEMU guest's as defined. */
	if (!strcmp(def.virt_type, "xen") && live_domain(def.name, NULL, &live))
		goto out;
	d = strcmp(def.virt_type, "xen") ? &def : &live;
	for (size_t i = 0; i < d->n_graphics && !vnc; i++)
		if (!strcmp(d->graphics[i].type, "vnc") && d->graphics[i].port >= 5900)
			vnc = &d->graphics[i];
	if (!vnc) {
		error("VNC display not available for domain '%s'", def.name);
		goto out;
	}
	if (!vnc->listen || !strcmp(vnc->listen, "0.0.0.0"))
		printf(":%d\n\n", vnc->port - 5900);
	else
		printf("%s:%d\n\n", vnc->listen, vnc->port - 5900);
	rc = 0;
out:
	domain_def_dispose(&live);
	domain_def_dispose(&def);
	return rc;
}

/* Checks an edited definition: libvirt's schema, the model, the same name. */
static int edited_ok(const char *name, const char *buf, size_t len, struct domain_def *def)
{
	char *err = NULL;

	if (validate_buf(buf, len))
		return 0;
	if (domain_def_parse(def, buf, len, &err)) {
		error("%s", err);
		free(err);
		return 0;
	}
	if (strcmp(def->name, name)) {
		error("operation failed: renaming '%s' to '%s' with edit is not supported", name, def->name);
		return 0;
	}
	return 1;
}

static int cmd_edit(int argc, char **argv)
{
	char *pos[1], *before = NULL, *after = NULL, *err = NULL, *path = NULL, *cmd = NULL;
	char tmp[] = "/tmp/xvirshXXXXXX.xml";
	const char *editor = getenv("VISUAL") && *getenv("VISUAL") ? getenv("VISUAL") :
			     getenv("EDITOR") && *getenv("EDITOR") ? getenv("EDITOR") : "vi";
	struct domain_def def, edited;
	size_t len = 0;
	int fd = -1, rc = 1, status;

	domain_def_init(&edited);
	if (args(argc, argv, "edit", 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	before = domain_def_format(&def);
	fd = mkstemps(tmp, 4);
	if (!before || fd < 0 || write(fd, before, strlen(before)) != (ssize_t)strlen(before)) {
		error("cannot write a temporary copy of '%s': %s", def.name, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	/* Like virsh, the editor is a shell command: "$EDITOR file". */
	cmd = str_printf("%s %s", editor, tmp);
	status = system(cmd);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		error("%s exited abnormally; domain '%s' was not changed", editor, def.name);
		goto out;
	}
	if (xml_util_read_file(tmp, &after, &len, &err)) {
		error("%s", err);
		goto out;
	}
	if (!strcmp(before, after)) {
		printf("Domain '%s' XML configuration not changed.\n\n", def.name);
		rc = 0;
		goto out;
	}
	if (!edited_ok(def.name, after, len, &edited)) {
		error("Failed. The definition of domain '%s' was kept as it was.", def.name);
		goto out;
	}
	path = path_of(confdir(), def.name, ".xml");
	if (write_file_atomic(path, after)) {
		error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	printf("Domain '%s' XML configuration edited.\n\n", def.name);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(before);
	free(after);
	free(err);
	free(path);
	free(cmd);
	domain_def_dispose(&edited);
	domain_def_dispose(&def);
	return rc;
}

/*
 * The installed launcher's "-M help": the machines it can start, asked
 * rather than assumed, so that capabilities follow the launcher. NULL when
 * it cannot be run.
 */
static char *launcher_machines(void)
{
	char *bin = xenlaunch_path(), *buf = NULL;
	size_t len = 0;
	int fds[2], status;
	pid_t pid;
	FILE *out;

	if (!bin || pipe2(fds, O_CLOEXEC)) {
		free(bin);
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(fds[1], STDOUT_FILENO);
		if (null >= 0)
			dup2(null, STDERR_FILENO);
		execl(bin, bin, "-M", "help", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = open_memstream(&buf, &len);
	if (pid > 0 && out) {
		char chunk[512];
		ssize_t n;

		while ((n = read(fds[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
			if (n > 0 && len < 65536)
				fwrite(chunk, 1, (size_t)n, out);
	}
	if (out)
		fclose(out);
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		free(buf);
		buf = NULL;
	}
	free(bin);
	return buf;
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
	{
		char *m_help = launcher_machines();

		if (!m_help)
			log_warnx("cannot run '%s -M help': no guest type is offered", caps->emulator);
		host_caps_restrict(caps, m_help ? m_help : "");
		free(m_help);
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
	if (rc) {
		char *m_help = launcher_machines();

		if (m_help && !host_caps_launcher_starts(m_help, machine))
			error("failed to get domain capabilities: machine '%s' is not supported by %s yet ('-M help')",
			      machine, caps.emulator);
		else
			error("failed to get domain capabilities: %s", err);
		free(m_help);
	}
	else
		fputs(xml, stdout);
	free(xml);
	free(err);
	host_caps_dispose(&caps);
	return rc ? 1 : 0;
}

static int cmd_to_native(int argc, char **argv)
{
	static const char *const flags[] = { "--lossy", NULL };
	int seen[1] = { 0 };
	char *pos[2], *err = NULL, *out = NULL, *bin = NULL;
	struct domain_def def;
	struct strv av;
	int r;

	domain_def_init(&def);
	strv_init(&av);
	if (args(argc, argv, "domxml-to-native", 2, pos, flags, seen))
		return 1;
	if (strcmp(pos[0], "xenlaunch-argv") && strcmp(pos[0], "qemu-argv") && strcmp(pos[0], "xen-xl") &&
	    strcmp(pos[0], "xen-xm"))
		return error("unsupported config type %s (xenlaunch-argv, qemu-argv, xen-xl, xen-xm)", pos[0]);
	r = domain_def_parse_file(&def, pos[1], &err);
	if (!r && !strcmp(pos[0], "xenlaunch-argv")) {
		bin = xenlaunch_path();
		r = domain_to_xenlaunch_argv(&def, bin, rundir(), &av, &err);
	} else if (!r && !strcmp(pos[0], "qemu-argv")) {
		r = domain_to_qemu_argv(&def, NULL, &av, &err);
	} else if (!r) {
		r = domain_to_xen_cfg(&def, !strcmp(pos[0], "xen-xm") ? XEN_CFG_XM : XEN_CFG_XL,
				      seen[0] ? DOMAIN_NATIVE_LOSSY : 0, &out, &err);
	}
	if (!r && av.n) {
		out = strv_to_shell(&av);
		if (out) {
			char *nl = str_printf("%s\n", out);

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
	static const char *const flags[] = { "--lossy", NULL };
	int seen[1] = { 0 };
	char *pos[2], *err = NULL, *buf = NULL, *xml = NULL;
	size_t len = 0;
	struct domain_def def;
	struct strv av;
	int r;

	domain_def_init(&def);
	strv_init(&av);
	if (args(argc, argv, "domxml-from-native", 2, pos, flags, seen))
		return 1;
	if (strcmp(pos[0], "xenlaunch-argv") && strcmp(pos[0], "xen-xl") && strcmp(pos[0], "xen-xm"))
		return error("unsupported config type %s (xenlaunch-argv, xen-xl, xen-xm)", pos[0]);
	r = xml_util_read_file(pos[1], &buf, &len, &err);
	if (!r && strcmp(pos[0], "xenlaunch-argv")) {
		r = domain_from_xen_cfg(&def, buf, len, !strcmp(pos[0], "xen-xm") ? XEN_CFG_XM : XEN_CFG_XL,
					seen[0] ? DOMAIN_NATIVE_LOSSY : 0, &err);
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
	{ "edit", cmd_edit, "edit <domain>",
	  "edit the XML configuration of a domain in $VISUAL or $EDITOR (default vi); invalid XML is refused" },
	{ "list", cmd_list, "list [--all] [--inactive]", "list domains" },
	{ "dumpxml", cmd_dumpxml, "dumpxml <domain> [--inactive]",
	  "domain information in XML: a running domain's from its launcher, --inactive the stored one" },
	{ "start", cmd_start, "start <domain>", "start a (previously defined) inactive domain" },
	{ "shutdown", cmd_monitor_verb, "shutdown <domain>", "gracefully shutdown a domain" },
	{ "reboot", cmd_monitor_verb, "reboot <domain>", "reboot a domain (a reset: the guest is not asked first)" },
	{ "destroy", cmd_destroy, "destroy <domain>", "destroy (stop) a domain" },
	{ "suspend", cmd_monitor_verb, "suspend <domain>", "suspend a domain (pause its vCPUs)" },
	{ "resume", cmd_monitor_verb, "resume <domain>", "resume a domain" },
	{ "domstate", cmd_domstate, "domstate <domain>", "domain state" },
	{ "dominfo", cmd_dominfo, "dominfo <domain>", "domain information" },
	{ "domid", cmd_domid, "domid <domain>", "convert a domain name or UUID to domain id" },
	{ "domname", cmd_domid, "domname <domain>", "convert a domain id or UUID to domain name" },
	{ "domuuid", cmd_domid, "domuuid <domain>", "convert a domain name or id to domain UUID" },
	{ "console", cmd_console, "console <domain>", "connect to the guest console (Ctrl-] leaves)" },
	{ "vncdisplay", cmd_vncdisplay, "vncdisplay <domain>", "vnc display" },
	{ "capabilities", cmd_capabilities, "capabilities", "capabilities" },
	{ "domcapabilities", cmd_domcapabilities, "domcapabilities [--virttype xen] [--machine M] [--arch A]",
	  "domain capabilities" },
	{ "domxml-to-native", cmd_to_native, "domxml-to-native <format> <file> [--lossy]",
	  "convert domain XML to a native format: xenlaunch-argv, qemu-argv, xen-xl, xen-xm" },
	{ "domxml-from-native", cmd_from_native, "domxml-from-native <format> <file> [--lossy]",
	  "convert a native format (xenlaunch-argv, xen-xl, xen-xm) to domain XML" },
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
