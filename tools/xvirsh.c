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
#include "tools/domains.h"
#include "model/domain_xml.h"
#include "model/xml_util.h"

#include <xenstore.h>

static int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_verror(fmt, ap);
	va_end(ap);
	return 1;
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


static int cmd_define(int argc, char **argv)
{
	static const char *const flags[] = { "--validate", NULL };
	int seen[1] = { 0 };
	char *pos[1], *buf = NULL, *err = NULL;
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
	if (domain_define_xml(buf, len, seen[0], pos[0], &def))
		goto out;
	printf("Domain '%s' defined from %s\n\n", def.name, pos[0]);
	rc = 0;
out:
	free(buf);
	free(err);
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
	int rc;

	if (args(argc, argv, "dumpxml", 1, pos, flags, seen) || load_domain(pos[0], &def))
		return 1;
	rc = domain_xml(&def, seen[0], &xml);
	if (!rc)
		fputs(xml, stdout);
	free(xml);
	domain_def_dispose(&def);
	return rc;
}

/*
 * The verbs that act on one domain and say "Domain 'x' <done>": undefine,
 * start and destroy through their own operation, the rest as a monitor
 * command of the running guest (tools/domains.c).
 */
static const struct domain_verb {
	const char *verb;
	int (*op)(const struct domain_def *def);	/* NULL: a monitor verb */
	const char *done;
} domain_verbs[] = {
	{ "undefine", domain_undefine, "has been undefined" },
	{ "start", domain_start, "started" },
	{ "destroy", domain_destroy, "destroyed" },
	{ "shutdown", NULL, "is being shutdown" },
	{ "reboot", NULL, "is being rebooted" },
	{ "suspend", NULL, "suspended" },
	{ "resume", NULL, "resumed" },
};

static int cmd_domain_verb(int argc, char **argv)
{
	const struct domain_verb *v = NULL;
	char *pos[1];
	struct domain_def def;
	int rc;

	for (size_t i = 0; i < sizeof(domain_verbs) / sizeof(domain_verbs[0]); i++)
		if (!strcmp(argv[0], domain_verbs[i].verb))
			v = &domain_verbs[i];
	if (args(argc, argv, v->verb, 1, pos, NULL, NULL) || load_domain(pos[0], &def))
		return 1;
	rc = v->op ? v->op(&def) : domain_monitor_verb(def.name, v->verb);
	if (!rc)
		printf("Domain '%s' %s\n\n", def.name, v->done);
	domain_def_dispose(&def);
	return rc;
}

static int cmd_autostart(int argc, char **argv)
{
	static const char *const flags[] = { "--disable", NULL };
	int seen[1] = { 0 };
	char *pos[1];
	struct domain_def def;
	int rc;

	if (args(argc, argv, "autostart", 1, pos, flags, seen) || load_domain(pos[0], &def))
		return 1;
	rc = domain_set_autostart(def.name, !seen[0]);
	if (!rc)
		printf("Domain '%s' %s\n\n", def.name, seen[0] ? "unmarked as autostarted" : "marked as autostarted");
	domain_def_dispose(&def);
	return rc;
}

/* For boot scripts: starts every shut-off domain marked autostart; 1 if one failed. */
static int cmd_autostart_all(int argc, char **argv)
{
	char *pos[1], **names;
	int rc = 0;

	if (args(argc, argv, "autostart-all", 0, pos, NULL, NULL))
		return 1;
	names = defined_names();
	for (size_t i = 0; names && names[i]; i++) {
		struct domain_def def;

		if (!domain_autostart(names[i]) || launcher_pid(names[i], 0))
			continue;
		if (load_domain(names[i], &def)) {
			rc = 1;
			continue;
		}
		if (domain_start(&def))
			rc = 1;
		else
			printf("Domain '%s' started\n", def.name);
		domain_def_dispose(&def);
	}
	free_names(names);
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
	printf("%-15s %s\n", "Autostart:", domain_autostart(d->name) ? "enable" : "disable");
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
	{ "undefine", cmd_domain_verb, "undefine <domain>", "undefine a domain" },
	{ "edit", cmd_edit, "edit <domain>",
	  "edit the XML configuration of a domain in $VISUAL or $EDITOR (default vi); invalid XML is refused" },
	{ "list", cmd_list, "list [--all] [--inactive]", "list domains" },
	{ "dumpxml", cmd_dumpxml, "dumpxml <domain> [--inactive]",
	  "domain information in XML: a running domain's from its launcher, --inactive the stored one" },
	{ "start", cmd_domain_verb, "start <domain>", "start a (previously defined) inactive domain" },
	{ "shutdown", cmd_domain_verb, "shutdown <domain>", "gracefully shutdown a domain" },
	{ "reboot", cmd_domain_verb, "reboot <domain>", "reboot a domain (a reset: the guest is not asked first)" },
	{ "destroy", cmd_domain_verb, "destroy <domain>", "destroy (stop) a domain" },
	{ "suspend", cmd_domain_verb, "suspend <domain>", "suspend a domain (pause its vCPUs)" },
	{ "resume", cmd_domain_verb, "resume <domain>", "resume a domain" },
	{ "autostart", cmd_autostart, "autostart <domain> [--disable]", "autostart a domain (with autostart-all)" },
	{ "autostart-all", cmd_autostart_all, "autostart-all", "start every domain marked autostart (for boot scripts)" },
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
