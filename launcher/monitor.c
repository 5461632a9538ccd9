/*
 * The human monitor: line assembly, a command table, and QEMU's output
 * formats. Everything it does to the guest goes through monitor_ops, so the
 * parser runs the same in the launcher and in the unit tests.
 */
#include "launcher/monitor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/config.h"

#define MONITOR_MAX_WORDS 4	/* "help info status" is the longest sensible line */

struct monitor_cmd {
	const char *name;	/* as help shows it: "cont|c" */
	const char *params;	/* as help shows it: "[subcommand]", or "" */
	const char *help;
	/* argv[0] is the command word; argc >= 1. */
	int (*run)(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
};

static int cmd_help(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int cmd_info(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int cmd_action(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int info_status(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int info_name(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int info_domid(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int info_chardev(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int info_version(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int info_domxml(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int cmd_change(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);
static int cmd_screendump(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv);

/* Sorted by name, as QEMU sorts its help. */
static const struct monitor_cmd monitor_cmds[] = {
	{ "change", "vnc password PASSWORD", "set the VNC password", cmd_change },
	{ "cont|c", "", "resume the guest's vCPUs", cmd_action },
	{ "help|?", "[cmd]", "show the help", cmd_help },
	{ "info", "[subcommand]", "show various information about the system state", cmd_info },
	{ "quit|q", "", "destroy the guest and exit xenlaunch", cmd_action },
	{ "screendump", "filename", "save the screen as a PPM image", cmd_screendump },
	{ "stop", "", "pause the guest's vCPUs", cmd_action },
	{ "system_powerdown", "", "ask the guest to power down", cmd_action },
	{ "system_reset", "", "reboot the guest", cmd_action },
};

static const struct monitor_cmd info_cmds[] = {
	{ "chardev", "", "show the character devices", info_chardev },
	{ "domid", "", "show the Xen domain ID", info_domid },
	{ "domxml", "", "show the guest's precise domain XML", info_domxml },
	{ "name", "", "show the current VM name", info_name },
	{ "status", "", "show the current VM status (running|paused)", info_status },
	{ "version", "", "show the version of xenlaunch", info_version },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void monitor_write(struct monitor *mon, const void *buf, size_t len)
{
	/* What the sink does not take it counts as dropped (chardev); the
	 * write_space check in monitor_feed() keeps that from happening to
	 * command output. */
	mon->ops->write(mon->opaque, buf, len);
}

void monitor_printf(struct monitor *mon, const char *fmt, ...)
{
	char text[MONITOR_OUTPUT_MAX], wire[2 * MONITOR_OUTPUT_MAX];
	size_t i, n = 0;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(text))
		len = sizeof(text) - 1;	/* truncated: keep what fits */
	for (i = 0; i < (size_t)len; i++) {
		if (text[i] == '\n')
			wire[n++] = '\r';
		wire[n++] = text[i];
	}
	monitor_write(mon, wire, n);
}

void monitor_print_text(struct monitor *mon, const char *text)
{
	char wire[2 * MONITOR_OUTPUT_MAX];

	while (*text) {
		size_t n = 0;

		for (; *text && n + 2 <= sizeof(wire); text++) {
			if (*text == '\n')
				wire[n++] = '\r';
			wire[n++] = *text;
		}
		monitor_write(mon, wire, n);
	}
}

void monitor_print_chardev(struct monitor *mon, const char *label, const char *filename)
{
	monitor_printf(mon, "%s: filename=%s\n", label, filename);
}

/* "cont|c" matches "cont" and "c"; "help|?" matches "help" and "?". */
static bool cmd_matches(const struct monitor_cmd *cmd, const char *word)
{
	const char *p = cmd->name, *bar;
	size_t len = strlen(word);

	for (;;) {
		bar = strchr(p, '|');
		if ((bar ? (size_t)(bar - p) : strlen(p)) == len && !strncmp(p, word, len))
			return true;
		if (!bar)
			return false;
		p = bar + 1;
	}
}

static const struct monitor_cmd *cmd_find(const struct monitor_cmd *table, size_t n,
					  const char *word)
{
	for (size_t i = 0; i < n; i++)
		if (cmd_matches(&table[i], word))
			return &table[i];
	return NULL;
}

static void cmd_print_help(struct monitor *mon, const char *prefix, const struct monitor_cmd *cmd)
{
	monitor_printf(mon, "%s%s %s -- %s\n", prefix, cmd->name, cmd->params, cmd->help);
}

static void info_print_all(struct monitor *mon)
{
	for (size_t i = 0; i < ARRAY_SIZE(info_cmds); i++)
		cmd_print_help(mon, "info ", &info_cmds[i]);
}

static int too_many_args(struct monitor *mon, const char *name)
{
	monitor_printf(mon, "%s: extraneous characters at the end of line\n", name);
	return -EINVAL;
}

static int op_failed(struct monitor *mon, int rc)
{
	monitor_printf(mon, "Error: %s\n", strerror(rc < 0 ? -rc : rc));
	return rc;
}

static int not_available(struct monitor *mon, const char *what)
{
	monitor_printf(mon, "Error: %s: not supported yet\n", what);
	return -ENOSYS;
}

static int cmd_help(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	const struct monitor_cmd *found;

	if (argc > 3)
		return too_many_args(mon, "help");
	if (argc == 1) {
		for (size_t i = 0; i < ARRAY_SIZE(monitor_cmds); i++)
			cmd_print_help(mon, "", &monitor_cmds[i]);
		return 0;
	}
	found = cmd_find(monitor_cmds, ARRAY_SIZE(monitor_cmds), argv[1]);
	if (!found) {
		monitor_printf(mon, "unknown command: '%s'\n", argv[1]);
		return -EINVAL;
	}
	if (found->run != cmd_info) {
		if (argc > 2)
			return too_many_args(mon, "help");
		cmd_print_help(mon, "", found);
		return 0;
	}
	if (argc == 2) {
		info_print_all(mon);
		return 0;
	}
	found = cmd_find(info_cmds, ARRAY_SIZE(info_cmds), argv[2]);
	if (!found) {
		monitor_printf(mon, "unknown command: 'info %s'\n", argv[2]);
		return -EINVAL;
	}
	cmd_print_help(mon, "info ", found);
	return 0;
}

static int cmd_info(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	const struct monitor_cmd *sub;

	if (argc == 1) {
		info_print_all(mon);
		return 0;
	}
	sub = cmd_find(info_cmds, ARRAY_SIZE(info_cmds), argv[1]);
	if (!sub) {
		monitor_printf(mon, "unknown command: 'info %s'\n", argv[1]);
		return -EINVAL;
	}
	if (argc > 2)
		return too_many_args(mon, sub->name);
	return sub->run(mon, sub, argc - 1, argv + 1);
}

static int info_status(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	bool running = false;
	int rc;

	if (!mon->ops->status)
		return not_available(mon, "info status");
	rc = mon->ops->status(mon->opaque, &running);
	if (rc < 0)
		return op_failed(mon, rc);
	monitor_printf(mon, "VM status: %s\n", running ? "running" : "paused");
	return 0;
}

static int info_name(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	const char *name = NULL;
	int rc;

	if (!mon->ops->name)
		return not_available(mon, "info name");
	rc = mon->ops->name(mon->opaque, &name);
	if (rc < 0)
		return op_failed(mon, rc);
	/* QEMU prints nothing for a guest without a name. */
	if (name)
		monitor_printf(mon, "%s\n", name);
	return 0;
}

static int info_domid(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	uint32_t domid = 0;
	int rc;

	if (!mon->ops->domid)
		return not_available(mon, "info domid");
	rc = mon->ops->domid(mon->opaque, &domid);
	if (rc < 0)
		return op_failed(mon, rc);
	monitor_printf(mon, "%u\n", domid);
	return 0;
}

static int info_chardev(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	int rc;

	if (!mon->ops->chardev_list)
		return not_available(mon, "info chardev");
	rc = mon->ops->chardev_list(mon->opaque, mon);
	return rc < 0 ? op_failed(mon, rc) : 0;
}

static int info_domxml(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	char *xml = NULL;
	size_t need;
	int rc;

	if (!mon->ops->domain_xml)
		return not_available(mon, "info domxml");
	rc = mon->ops->domain_xml(mon->opaque, &xml);
	if (rc < 0)
		return op_failed(mon, rc);
	/* Each "\n" goes out as "\r\n": never send half a document. */
	need = 2 * strlen(xml);
	if (mon->ops->write_space && mon->ops->write_space(mon->opaque) < need) {
		free(xml);
		monitor_printf(mon, "Error: info domxml: the XML (%zu bytes) does not fit the "
			       "monitor's output buffer\n", need / 2);
		return -E2BIG;
	}
	monitor_print_text(mon, xml);
	free(xml);
	return 0;
}

static int info_version(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	monitor_printf(mon, XENLAUNCH_VERSION "\n");
	return 0;
}

/* QEMU's "change vnc password PASSWORD"; other "change" forms are not served. */
static int cmd_change(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	int rc;

	if (argc != 4 || strcmp(argv[1], "vnc") || strcmp(argv[2], "password")) {
		monitor_printf(mon, "change: only 'change vnc password PASSWORD' is supported\n");
		return -EINVAL;
	}
	if (!mon->ops->vnc_password)
		return not_available(mon, "change");
	rc = mon->ops->vnc_password(mon->opaque, argv[3]);
	if (rc < 0)
		monitor_printf(mon, "Could not set password\n");
	return rc;
}

static int cmd_screendump(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	int rc;

	if (argc != 2) {
		if (argc > 2)
			return too_many_args(mon, "screendump");
		monitor_printf(mon, "screendump: missing filename\n");
		return -EINVAL;
	}
	if (!mon->ops->screendump)
		return not_available(mon, "screendump");
	rc = mon->ops->screendump(mon->opaque, argv[1]);
	return rc < 0 ? op_failed(mon, rc) : 0;
}

/* stop, cont, system_powerdown, system_reset, quit: no arguments, one op each. */
static int cmd_action(struct monitor *mon, const struct monitor_cmd *cmd, int argc, char **argv)
{
	int (*op)(void *opaque, struct monitor *m) = NULL;
	const char *what = argv[0];
	int rc;

	if (cmd_matches(cmd, "stop"))
		op = mon->ops->stop, what = "stop";
	else if (cmd_matches(cmd, "cont"))
		op = mon->ops->cont, what = "cont";
	else if (cmd_matches(cmd, "system_powerdown"))
		op = mon->ops->system_powerdown, what = "system_powerdown";
	else if (cmd_matches(cmd, "system_reset"))
		op = mon->ops->system_reset, what = "system_reset";
	else if (cmd_matches(cmd, "quit"))
		op = mon->ops->quit, what = "quit";
	if (argc > 1)
		return too_many_args(mon, what);
	if (!op)
		return not_available(mon, what);
	rc = op(mon->opaque, mon);
	if (rc < 0)
		return op_failed(mon, rc);
	if (!strcmp(what, "quit"))
		mon->quit = true;
	return 0;
}

int monitor_execute(struct monitor *mon, const char *line)
{
	char copy[MONITOR_LINE_MAX + 1], *argv[MONITOR_MAX_WORDS + 1], *p;
	const struct monitor_cmd *cmd;
	int argc = 0;

	if (strlen(line) > MONITOR_LINE_MAX) {
		monitor_printf(mon, "Error: command line too long (more than %d bytes)\n",
			       MONITOR_LINE_MAX);
		return -E2BIG;
	}
	strcpy(copy, line);
	/* Words are separated by blanks; one more word than any command takes
	 * is enough to tell "extraneous characters". */
	for (p = copy; argc <= MONITOR_MAX_WORDS; ) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		argv[argc++] = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = '\0';
	}
	if (argc == 0)
		return 0;	/* an empty line just gets a new prompt */
	cmd = cmd_find(monitor_cmds, ARRAY_SIZE(monitor_cmds), argv[0]);
	if (!cmd) {
		monitor_printf(mon, "unknown command: '%s'\n", argv[0]);
		return -EINVAL;
	}
	return cmd->run(mon, cmd, argc, argv);
}

void monitor_init(struct monitor *mon, const struct monitor_ops *ops, void *opaque, bool echo)
{
	memset(mon, 0, sizeof(*mon));
	mon->ops = ops;
	mon->opaque = opaque;
	mon->echo = echo;
}

void monitor_dispose(struct monitor *mon)
{
	/* Nothing allocated; wipe so a use after dispose fails loudly. */
	memset(mon, 0, sizeof(*mon));
}

static void line_reset(struct monitor *mon)
{
	mon->line_len = 0;
	mon->line_too_long = false;
	mon->line_bad_char = false;
	mon->after_cr = false;
}

void monitor_connected(struct monitor *mon)
{
	line_reset(mon);
	monitor_printf(mon, MONITOR_BANNER);
	monitor_write(mon, MONITOR_PROMPT, strlen(MONITOR_PROMPT));
}

void monitor_disconnected(struct monitor *mon)
{
	line_reset(mon);
}

bool monitor_quit_requested(const struct monitor *mon)
{
	return mon->quit;
}

static void line_finish(struct monitor *mon)
{
	if (mon->echo)
		monitor_write(mon, "\r\n", 2);
	if (mon->line_too_long) {
		monitor_printf(mon, "Error: command line too long (more than %d bytes)\n",
			       MONITOR_LINE_MAX);
	} else if (mon->line_bad_char) {
		monitor_printf(mon, "Error: control character in command line\n");
	} else {
		mon->line[mon->line_len] = '\0';
		monitor_execute(mon, mon->line);
	}
	mon->line_len = 0;
	mon->line_too_long = false;
	mon->line_bad_char = false;
	if (!mon->quit)
		monitor_write(mon, MONITOR_PROMPT, strlen(MONITOR_PROMPT));
}

size_t monitor_feed(struct monitor *mon, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (mon->quit)
			return len;	/* the launcher is going away: ignore the rest */
		if (c == '\n' && mon->after_cr) {
			mon->after_cr = false;	/* the "\n" of "\r\n" */
			continue;
		}
		mon->after_cr = false;
		if (c == '\r' || c == '\n') {
			if (mon->ops->write_space &&
			    mon->ops->write_space(mon->opaque) < MONITOR_OUTPUT_RESERVE)
				return i;	/* this line's output would not fit yet */
			mon->after_cr = c == '\r';
			line_finish(mon);
			continue;
		}
		if (c == '\b' || c == 0x7f) {
			if (mon->line_len && !mon->line_too_long) {
				mon->line_len--;
				if (mon->echo)
					monitor_write(mon, "\b \b", 3);
			}
			continue;
		}
		if (c < 0x20 && c != '\t') {
			mon->line_bad_char = true;
			continue;
		}
		if (mon->line_len >= MONITOR_LINE_MAX) {
			mon->line_too_long = true;
			continue;
		}
		mon->line[mon->line_len++] = (char)c;
		if (mon->echo)
			monitor_write(mon, &c, 1);
	}
	return len;
}
