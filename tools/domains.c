/*
 * The domain store shared by xvirsh and xvirsh-rpc: see domains.h.
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
#include "common/strv.h"
#include "model/names.h"
#include "model/xml_util.h"
#include "tools/domain_argv.h"
#include "tools/domains.h"

#include <xenstore.h>

static int keep_errors;
static char *kept_error;

void report_verror(const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (!keep_errors) {
		fputs("error: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		return;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	free(kept_error);
	kept_error = msg;
}

int report_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_verror(fmt, ap);
	va_end(ap);
	return 1;
}

void report_keep_errors(int on)
{
	keep_errors = on;
}

char *report_take_error(void)
{
	char *e = kept_error;

	kept_error = NULL;
	return e;
}

const char *confdir(void)
{
	const char *d = getenv("XVIRSH_CONFDIR");

	return d && *d ? d : DEFAULT_CONFDIR;
}

const char *rundir(void)
{
	const char *d = getenv("XVIRSH_RUNDIR");

	return d && *d ? d : DEFAULT_RUNDIR;
}

/* bin/xenlaunch beside bin/xvirsh, unless $XVIRSH_XENLAUNCH says otherwise. */
char *xenlaunch_path(void)
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
int name_ok(const char *name)
{
	return *name && !strchr(name, '/') && name[0] != '.' && strlen(name) <= 200;
}

char *path_of(const char *dir, const char *name, const char *suffix)
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
int monitor_command(const char *name, const char *cmd, char **reply_r)
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
int process_alive(pid_t pid)
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

/* The launcher's pid from its pidfile, or 0 when none runs. */
pid_t launcher_pid(const char *name, int report_dead)
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


enum dom_state domain_state(const char *name, struct dom_run *run_r)
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

const char *state_name(enum dom_state st)
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
int read_definition(const char *name, struct domain_def *def, char **err_r)
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
char **defined_names(void)
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

void free_names(char **names)
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
int load_domain(const char *arg, struct domain_def *def)
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
		return report_error("failed to get domain '%s'", arg);
	rc = read_definition(found, def, &err);
	if (rc) {
		report_error("failed to get domain '%s'", arg);
		report_error("%s", err);
	}
	free(err);
	free(found);
	return rc ? 1 : 0;
}
int write_file_atomic(const char *path, const char *data)
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

int mkdir_p(const char *dir)
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

int validate_buf(const char *buf, size_t len)
{
	char *schema = NULL, *err = NULL;
	/* The model's cheap limits before the schema's costly walk. */
	int rc = domain_check_limits(buf, len, &err);

	if (!rc) {
		schema = xml_util_schema_path("domain.rng");
		rc = xml_util_validate(buf, len, schema, &err);
	}
	if (rc)
		report_error("%s", err);
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
int fill_defaults(struct domain_def *def)
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
enum dom_state need_running(const char *name, const char *what, struct dom_run *run_r)
{
	enum dom_state st = domain_state(name, run_r);

	if (st == DOM_SHUTOFF) {
		report_error("Failed to %s domain '%s'", what, name);
		report_error("Requested operation is not valid: domain is not running");
		return DOM_SHUTOFF;
	}
	if (st == DOM_NOSTATE) {
		report_error("Failed to %s domain '%s'", what, name);
		report_error("its launcher cannot be trusted; 'xvirsh destroy %s' ends it", name);
		return DOM_SHUTOFF;
	}
	return st;
}

/* One monitor command whose reply is empty on success ("stop", "cont"...). */
int monitor_action(const char *name, const char *what, const char *cmd)
{
	char *reply = NULL;
	int r = monitor_command(name, cmd, &reply);

	if (r || (reply && *reply)) {
		report_error("Failed to %s domain '%s'", what, name);
		if (r)
			report_error("cannot talk to the monitor of '%s': %s", name, strerror(-r));
		else
			report_error("%s", reply);
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
int live_domain(const char *name, char **xml_r, struct domain_def *def)
{
	char *reply = NULL, *err = NULL;
	int r = monitor_command(name, "info domxml", &reply);

	if (!r && strncmp(reply, "<domain", 7)) {
		report_error("failed to get the live XML of domain '%s': %s", name, reply);
		free(reply);
		return 1;
	}
	if (r) {
		free(reply);
		return report_error("failed to get the live XML of domain '%s': %s", name, strerror(-r));
	}
	if (def && domain_def_parse(def, reply, strlen(reply), &err)) {
		report_error("the launcher of '%s' described it in XML that does not parse: %s", name, err);
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
int run_and_wait(char **av)
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
 * The installed launcher's "-M help": the machines it can start, asked
 * rather than assumed, so that capabilities follow the launcher. NULL when
 * it cannot be run.
 */
char *launcher_machines(void)
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

int probe_caps(struct host_caps *caps)
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
		report_error("failed to get capabilities: %s", err);
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
int domain_define_xml(const char *buf, size_t len, int validate, const char *what, struct domain_def *def)
{
	char *err = NULL, *xml = NULL, *path = NULL;
	int rc = 1;

	domain_def_init(def);
	if (validate && validate_buf(buf, len))
		goto out;
	if (domain_def_parse(def, buf, len, &err)) {
		report_error("Failed to define domain from %s", what);
		report_error("%s", err);
		goto out;
	}
	if (fill_defaults(def)) {
		report_error("Failed to define domain from %s", what);
		report_error("cannot fill in the defaults (UUID, memory, actions)");
		goto out;
	}
	xml = domain_def_format(def);
	path = path_of(confdir(), def->name, ".xml");
	if (!xml || mkdir_p(confdir()) || write_file_atomic(path, xml)) {
		report_error("Failed to define domain from %s", what);
		report_error("cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(err);
	free(xml);
	free(path);
	return rc;
}

int domain_undefine(const struct domain_def *def)
{
	char *path = NULL;
	int rc = 1;

	if (domain_state(def->name, NULL) != DOM_SHUTOFF) {
		report_error("Failed to undefine domain '%s'", def->name);
		report_error("Requested operation is not valid: domain '%s' is running", def->name);
		goto out;
	}
	path = path_of(confdir(), def->name, ".xml");
	if (unlink(path)) {
		report_error("Failed to undefine domain '%s': %s", def->name, strerror(errno));
		goto out;
	}
	domain_set_autostart(def->name, 0);
	rc = 0;
out:
	free(path);
	return rc;
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

int domain_start(const struct domain_def *def)
{
	const char *password;
	char *err = NULL, *bin = NULL;
	struct strv av;
	int rc = 1, r, xen;

	strv_init(&av);
	if (domain_state(def->name, NULL) != DOM_SHUTOFF) {
		report_error("Failed to start domain '%s'", def->name);
		report_error("Requested operation is not valid: domain is already running");
		goto out;
	}
	if (mkdir_p(rundir())) {
		report_error("cannot create run directory '%s': %s", rundir(), strerror(errno));
		goto out;
	}
	password = vnc_password_of(def);
	if (password && password[strcspn(password, " \t\r\n")]) {
		/* the monitor reads words: a blank would cut it */
		report_error("Failed to start domain '%s'", def->name);
		report_error("a VNC password with blanks in it cannot be set");
		goto out;
	}
	/* type='xen' runs xenlaunch; type='kvm' and 'qemu' run qemu-system-x86_64. */
	xen = !strcmp(def->virt_type, "xen");
	bin = xen ? xenlaunch_path() : NULL;
	r = xen ? domain_to_xenlaunch_argv(def, bin, rundir(), &av, &err) : domain_to_qemu_argv(def, NULL, &av, &err);
	if (!r && !xen)
		r = strv_add(&av, "-monitor") || strv_addf(&av, "unix:%s/%s.monitor,server,nowait", rundir(), def->name);
	if (!r)
		r = strv_add(&av, "-daemonize") || strv_add(&av, "-pidfile") ||
		    strv_addf(&av, "%s/%s.pid", rundir(), def->name);
	if (!r)
		r = strv_add(&av, "-D") || strv_addf(&av, "%s/%s.log", rundir(), def->name);
	if (r) {
		report_error("Failed to start domain '%s'", def->name);
		report_error("%s", err ? err : "out of memory");
		goto out;
	}
	r = run_and_wait(av.v);
	if (r != 0) {
		report_error("Failed to start domain '%s'", def->name);
		report_error("%s exited with status %d; see %s/%s.log", av.v[0], r, rundir(), def->name);
		goto out;
	}
	if (password) {
		char *cmd = str_printf("change vnc password %s", password);

		r = !cmd || monitor_action(def->name, "start", cmd);
		free(cmd);
		if (r) {
			/* a guest nobody can view is not what was defined */
			char *reply = NULL;

			monitor_command(def->name, "quit", &reply);
			free(reply);
			goto out;
		}
	}
	rc = 0;
out:
	free(err);
	free(bin);
	strv_dispose(&av);
	return rc;
}

int domain_destroy(const struct domain_def *def)
{
	char *reply = NULL;
	struct dom_run run;

	/* An untrusted launcher is destroyed too: that is how it is got rid of. */
	if (domain_state(def->name, &run) == DOM_SHUTOFF) {
		report_error("Failed to destroy domain '%s'", def->name);
		return report_error("Requested operation is not valid: domain is not running");
	}
	if (monitor_command(def->name, "quit", &reply) != 0 && kill(run.pid, SIGTERM) != 0 && errno != ESRCH) {
		free(reply);
		return report_error("Failed to destroy domain '%s': %s", def->name, strerror(errno));
	}
	free(reply);
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
	launcher_pid(def->name, 0);
	return 0;
}

/*
 * The verbs that are one monitor command on a running guest. reboot is
 * the launcher's system_reset: the domain is rebuilt from the same launch
 * config, at once, without asking the guest first.
 */
static const struct monitor_verb {
	const char *verb;	/* virsh's, and its "Failed to <verb> domain" */
	const char *monitor;	/* the monitor's */
} monitor_verbs[] = {
	{ "shutdown", "system_powerdown" },
	{ "reboot", "system_reset" },
	{ "suspend", "stop" },
	{ "resume", "cont" },
};

int domain_monitor_verb(const char *name, const char *verb)
{
	for (size_t i = 0; i < sizeof(monitor_verbs) / sizeof(monitor_verbs[0]); i++)
		if (!strcmp(verb, monitor_verbs[i].verb)) {
			if (need_running(name, verb, NULL) == DOM_SHUTOFF)
				return 1;
			return monitor_action(name, verb, monitor_verbs[i].monitor);
		}
	return report_error("unknown operation '%s'", verb);
}

int domain_xml(const struct domain_def *def, int inactive, char **xml_r)
{
	/* QEMU does not describe its guest: a KVM guest's XML is the stored one. */
	if (!inactive && !strcmp(def->virt_type, "xen") && domain_state(def->name, NULL) != DOM_SHUTOFF)
		return live_domain(def->name, xml_r, NULL);
	*xml_r = domain_def_format(def);
	return *xml_r ? 0 : report_error("out of memory");
}

int domain_autostart(const char *name)
{
	char *path = path_of(confdir(), name, ".autostart");
	int on = access(path, F_OK) == 0;

	free(path);
	return on;
}

int domain_set_autostart(const char *name, int on)
{
	char *path = path_of(confdir(), name, ".autostart");
	int rc = 0;

	if (on && write_file_atomic(path, "1\n"))
		rc = report_error("cannot write '%s': %s", path, strerror(errno));
	else if (!on && unlink(path) && errno != ENOENT)
		rc = report_error("cannot remove '%s': %s", path, strerror(errno));
	free(path);
	return rc;
}

/* The pty of a running guest's console, from the monitor's "info chardev". */
char *console_pty(const char *name)
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
