/*
 * The command line in QEMU's spelling. Parsing happens in two passes over
 * the same config: the first turns each option into fields (syntax errors
 * name the option), the second checks how the options fit together and
 * fills in the defaults, so that the rest of the launcher sees one complete,
 * validated struct launch_config and never argv.
 */
#include "model/options.h"
#include "common/qemu_opts.h"
#include "model/display_opts.h"
#include "model/nic_opts.h"
#include "disk/format.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PROG "xenlaunch"
#define NAME_MAX_LEN 64

/* One option being read: where it goes and what came before it. */
struct parse_state {
	struct launch_config *cfg;
	struct nic_opts_state nics;	/* -netdev and -device, tied at the end */
	bool serial_given;
	bool check_files;	/* -kernel, -initrd and disks must exist and be readable */
	FILE *out, *err;
};

/*
 * One option: its spelling, its -help line, how it is read and how the
 * config writes it back. The table drives the parser, the formatter and
 * -help, so none of them can miss an option.
 */
struct option_desc {
	const char *name;	/* without the dash */
	const char *arg;	/* metavariable for -help; NULL: takes no argument */
	const char *help;
	/* Reads the option into st->cfg; val is its argument (NULL: none). */
	enum options_result (*parse)(struct parse_state *st, const struct option_desc *o, const char *val);
	/* Appends what cfg holds for the option; NULL for aliases. 0 or -ENOMEM. */
	int (*format)(const struct launch_config *cfg, const struct option_desc *o, struct strv *av);
	size_t field;		/* the string or bool of struct launch_config it sets (offsetof) */
	unsigned disk_index;	/* -hda..-hdd, -cdrom: the disk's index */
	bool empty_ok;		/* an empty argument is a value, not a mistake */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Printed after the options by -help: the -drive set, one place. */
static const char drive_help[] =
	"\n-drive properties (QEMU's spelling; anything else is refused by name):\n"
	"  file=PATH            image file or block device (required)\n"
	"  if=xen|ide           both give a Xen PV disk (xvda, xvdb, ...); default xen\n"
	"  format=FMT           raw (default), or qcow2, qcow, qed, vmdk, vdi, vhdx, vpc:\n"
	"                       served by qemu-nbd; never taken from the image itself\n"
	"  media=disk|cdrom     cdrom is read-only; default disk\n"
	"  readonly=on|off      default off\n"
	"  index=N              0..15: guest xvda..xvdp; default the first free index\n"
	"  cache=writeback|none|directsync\n"
	"                       writeback: page cache, flush = fdatasync (default);\n"
	"                       none: O_DIRECT; directsync: O_DIRECT and O_DSYNC\n"
	"  discard=unmap|ignore unmap: guest discards punch holes (default)\n"
	"\n-nic tap|bridge properties (also -netdev, with id=ID, and -device\n"
	"xen-net-device,netdev=ID,mac=MAC):\n"
	"  br=BRIDGE            the tap joins this existing bridge (required for bridge)\n"
	"  ifname=NAME          the tap's name; default vif<domid>.<n>, as xl names it\n"
	"  script=PATH|no       run 'PATH IFNAME' once the tap is up; default no\n"
	"  downscript=PATH|no   run 'PATH IFNAME' before the tap goes; default no\n"
	"  mac=MAC              default 00:16:3e:xx:xx:xx, stable for the guest's name\n"
	"  model=xen-net-device the only model (also xen, netfront)\n"
	"  queues=N             1..4: most queues offered to the guest; default 1\n";

/*
 * What -M TYPE brings without being asked: these tables are what
 * "-M TYPE,help" prints. Keep them in step with the machine rooms (xenpv/,
 * xenpvh/) and with the defaults filled in by options_finish(); numbers
 * come from config.h.
 */
struct machine_default {
	const char *what;
	unsigned value;		/* printed before text when non-zero */
	const char *text;
};

#define COMMON_DEFAULTS \
	{ "xenstore", 0, "/local/domain/N (the guest's directory; N is its domid)" }, \
	{ "xenstore", 0, "/vm/UUID (the VM's directory: name, uuid)" }, \
	{ "console 0", 0, "PV console ring, served by xenlaunch (console/type=ioemu)" }, \
	{ "serial", 0, "stdio; null with -daemonize or -monitor stdio (-serial)" }, \
	{ "memory", LAUNCH_DEFAULT_MEMORY_MIB, "MiB (-m)" }, \
	{ "vcpus", LAUNCH_DEFAULT_VCPUS, "(-smp)" }

static const struct machine_default xenpv_defaults[] = {
	COMMON_DEFAULTS,
	{ NULL, 0, NULL },
};

static const struct machine_default xenpvh_defaults[] = {
	COMMON_DEFAULTS,
	{ "container", 0, "HVM with HAP; Xen emulates the local APIC only; no firmware, no QEMU" },
	{ "kernel", 0, "an ELF with the XEN_ELFNOTE_PHYS32_ENTRY note (Linux: CONFIG_PVH)" },
	{ "ACPI", 0, "RSDP, XSDT, FADT (hardware-reduced), MADT (a local APIC per vCPU), DSDT" },
	{ "-append", 0, "reboot=t added unless given (without firmware a reset is a triple fault)" },
	{ NULL, 0, NULL },
};

static const struct machine_default xenfv_defaults[] = {
	COMMON_DEFAULTS,
	{ "container", 0, "HVM with HAP; Xen emulates PIC, IO-APIC, PIT, RTC, HPET, PM timer; no firmware, no QEMU" },
	{ "kernel", 0, "a bzImage (-kernel), entered through Linux's 32-bit boot protocol" },
	{ "command line", 0, "-append, then xen_emul_unplug=unnecessary and reboot=t unless given" },
	{ "COM1", 0, "16550A at 0x3f8, IRQ 4, on -serial (console=ttyS0), served by xenlaunch's ioreq server" },
	{ "ACPI", 0, "none: one vCPU, the 8259 PIC; power-off halts the guest (the launcher stays)" },
	{ NULL, 0, NULL },
};

struct machine_desc {
	const char *name;
	enum machine_type type;
	bool supported;
	const char *help;
	const struct machine_default *defaults;
};

static const struct machine_desc machine_table[] = {
	{ "xenpv", MACHINE_XENPV, true, "Xen paravirtual guest (libxc domain build)", xenpv_defaults },
	{ "xenpvh", MACHINE_XENPVH, true, "Xen PVH guest (HVM container, no firmware, no QEMU)",
	  xenpvh_defaults },
	/* Its build, boot protocol, ioreq server and UART are in xenfv/ and
	 * unit-tested, but a guest has not yet come up whole in the host. */
	{ "xenfv", MACHINE_XENFV, false, "Xen HVM guest (not supported yet)", xenfv_defaults },
};

void launch_config_init(struct launch_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->machine = MACHINE_XENPV;
	cfg->memory_mib = LAUNCH_DEFAULT_MEMORY_MIB;
	cfg->vcpus = LAUNCH_DEFAULT_VCPUS;
	cfg->serial.kind = CHARDEV_NONE;
	cfg->monitor.kind = CHARDEV_NONE;
}

void launch_config_dispose(struct launch_config *cfg)
{
	free(cfg->name);
	free(cfg->kernel);
	free(cfg->initrd);
	free(cfg->append);
	free(cfg->bootloader);
	free(cfg->bootloader_args);
	free(cfg->pidfile);
	free(cfg->logfile);
	chardev_spec_dispose(&cfg->serial);
	chardev_spec_dispose(&cfg->monitor);
	display_config_dispose(&cfg->display);
	for (unsigned i = 0; i < cfg->n_nics; i++)
		nic_config_dispose(&cfg->nics[i]);
	for (unsigned i = 0; i < cfg->n_disks; i++)
		free(cfg->disks[i].file);
	launch_config_init(cfg);
}

void chardev_spec_dispose(struct chardev_spec *spec)
{
	free(spec->path);
	memset(spec, 0, sizeof(*spec));
	spec->kind = CHARDEV_NONE;
}

/*
 * Matches one unix socket flag, in QEMU's old or new spelling, and tells
 * which setting it is about (given_r: bit 0 server, bit 1 wait), so that the
 * same setting given twice ("server,server=off") is refused.
 */
static int unix_flag_parse(const char *flag, struct chardev_spec *spec, unsigned *given_r)
{
	static const struct {
		const char *text;
		unsigned setting;	/* 1: server, 2: wait */
		bool on;
	} flags[] = {
		{ "server", 1, true }, { "server=on", 1, true }, { "server=off", 1, false },
		{ "nowait", 2, false }, { "nowait=on", 2, false }, { "wait=off", 2, false },
		{ "wait", 2, true }, { "wait=on", 2, true }, { "nowait=off", 2, true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		if (strcmp(flag, flags[i].text))
			continue;
		if (*given_r & flags[i].setting)
			return -EEXIST;
		*given_r |= flags[i].setting;
		if (flags[i].setting == 1)
			spec->server = flags[i].on;
		else
			spec->wait = flags[i].on;
		return 0;
	}
	return -EINVAL;
}

/* unix:'s PATH[,FLAG...], PATH with its commas doubled; sets spec->path. */
static int unix_spec_parse(const char *text, struct chardev_spec *spec, const char **err_r)
{
	struct qemu_opts opts = { 0 };
	struct sockaddr_un sun;
	unsigned given = 0;
	char why[64];
	int rc;

	rc = qemu_opts_parse(text, &opts, why, sizeof(why));
	if (rc < 0) {
		*err_r = rc == -ENOMEM ? "out of memory" : "a unix socket option is given twice";
		goto out;
	}
	rc = -EINVAL;
	if (!opts.n || text[0] == ',') {
		*err_r = "empty path";
		goto out;
	}
	/* bind() needs the path and its NUL inside sun_path. */
	if (strlen(opts.items[0].text) >= sizeof(sun.sun_path)) {
		*err_r = "path too long for a unix socket";
		goto out;
	}
	for (size_t i = 1; i < opts.n; i++) {
		int r = unix_flag_parse(opts.items[i].text, spec, &given);

		if (r < 0) {
			*err_r = r == -EEXIST ? "a unix socket option is given twice" :
						"unknown unix socket option (expected server, nowait)";
			goto out;
		}
	}
	if (!spec->server) {
		*err_r = "unix socket client mode is not supported (add ,server)";
		goto out;
	}
	spec->path = strdup(opts.items[0].text);
	rc = spec->path ? 0 : -ENOMEM;
	if (rc)
		*err_r = "out of memory";
out:
	qemu_opts_dispose(&opts);
	return rc;
}

int chardev_spec_parse(const char *text, struct chardev_spec *spec, const char **err_r)
{
	struct chardev_spec parsed = { .kind = CHARDEV_NONE, .wait = true };
	int rc;

	memset(spec, 0, sizeof(*spec));
	spec->kind = CHARDEV_NONE;

	if (!strcmp(text, "none")) {
		parsed.kind = CHARDEV_NONE;
	} else if (!strcmp(text, "null")) {
		parsed.kind = CHARDEV_NULL;
	} else if (!strcmp(text, "pty")) {
		parsed.kind = CHARDEV_PTY;
	} else if (!strcmp(text, "stdio")) {
		parsed.kind = CHARDEV_STDIO;
	} else if (!strncmp(text, "file:", 5)) {
		parsed.kind = CHARDEV_FILE;
		if (!text[5]) {
			*err_r = "empty path";
			return -EINVAL;
		}
		parsed.path = strdup(text + 5);
		if (!parsed.path) {
			*err_r = "out of memory";
			return -ENOMEM;
		}
	} else if (!strncmp(text, "unix:", 5)) {
		parsed.kind = CHARDEV_UNIX;
		rc = unix_spec_parse(text + 5, &parsed, err_r);
		if (rc < 0)
			return rc;
	} else if (!strncmp(text, "mon:", 4)) {
		*err_r = "not supported (a monitor multiplexed with the serial port; use -monitor)";
		return -EINVAL;
	} else {
		*err_r = "not supported";
		return -EINVAL;
	}

	rc = 0;
	*spec = parsed;
	return rc;
}

/*
 * Sizes: a plain number is MiB (QEMU's default unit); M, G and T suffixes
 * in either case. Returns 0, -EINVAL for bad syntax, -ERANGE for overflow.
 */
static int memory_size_parse(const char *text, uint64_t *mib_r)
{
	unsigned long long n;
	uint64_t mult = 1, mib;
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;	/* strtoull would accept " 5", "+5" and "-5" */
	errno = 0;
	n = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (!*end || !strcmp(end, "M") || !strcmp(end, "m"))
		mult = 1;
	else if (!strcmp(end, "G") || !strcmp(end, "g"))
		mult = 1024;
	else if (!strcmp(end, "T") || !strcmp(end, "t"))
		mult = 1024 * 1024;
	else
		return -EINVAL;
	if (__builtin_mul_overflow((uint64_t)n, mult, &mib))
		return -ERANGE;
	*mib_r = mib;
	return 0;
}

/* A decimal unsigned number and nothing else. */
static int unsigned_parse(const char *text, unsigned long *n_r)
{
	char *end;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	*n_r = strtoul(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	return 0;
}

/*
 * QEMU options with one property accept "VALUE" or "KEY=VALUE" (-m 512,
 * -m size=512; ",," is a comma in VALUE). Any other property is one we do
 * not have: refuse it by name. Returns the value, copied into buf, or NULL
 * after printing the error.
 */
static const char *single_property(const char *opt, const char *text, const char *key,
				   char *buf, size_t len, FILE *err)
{
	struct qemu_opts opts = { 0 };
	const char *value = NULL, *v;
	char why[128];

	if (qemu_opts_parse(text, &opts, why, sizeof(why)) < 0) {
		fprintf(err, PROG ": -%s %s: %s\n", opt, text, why);
		goto out;
	}
	if (opts.n > 1) {
		fprintf(err, PROG ": -%s %s: unsupported property '%s'\n", opt, text, opts.items[1].text);
		goto out;
	}
	/* "" and "," give no property at all: an empty value, refused by the caller. */
	v = !opts.n ? "" : opts.items[0].value && !strcmp(opts.items[0].key, key) ? opts.items[0].value :
		    opts.items[0].text;
	if (strlen(v) >= len) {
		fprintf(err, PROG ": -%s: value longer than %zu characters\n", opt, len - 1);
		goto out;
	}
	value = strcpy(buf, v);
out:
	qemu_opts_dispose(&opts);
	return value;
}

static int replace_string(char **field, const char *value)
{
	char *copy = strdup(value);

	if (!copy)
		return -ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

static void print_machines(FILE *out)
{
	size_t i;

	fprintf(out, "Supported machines are:\n");
	for (i = 0; i < ARRAY_SIZE(machine_table); i++)
		fprintf(out, "%-20s %s\n", machine_table[i].name, machine_table[i].help);
}

static void print_machine_defaults(const struct machine_desc *machine, FILE *out)
{
	fprintf(out, "Machine %s adds by default:\n", machine->name);
	for (const struct machine_default *d = machine->defaults; d->what; d++) {
		if (d->value)
			fprintf(out, "  %-10s %u %s\n", d->what, d->value, d->text);
		else
			fprintf(out, "  %-10s %s\n", d->what, d->text);
	}
}

/* -M / -machine: [type=]TYPE[,help] | help. */
static enum options_result machine_parse(const char *opt, const char *text,
					 struct launch_config *cfg, FILE *out, FILE *err)
{
	enum options_result res = OPTIONS_ERROR;
	const struct machine_desc *machine = NULL;
	struct qemu_opts opts = { 0 };
	const char *type = NULL;
	bool help = false;
	char why[128];
	size_t i;

	if (qemu_opts_parse(text, &opts, why, sizeof(why)) < 0) {
		fprintf(err, PROG ": -%s %s: %s\n", opt, text, why);
		goto out;
	}
	for (i = 0; i < opts.n; i++) {
		const struct qemu_opt *o = &opts.items[i];

		if (!strcmp(o->text, "help") || !strcmp(o->text, "?")) {
			help = true;
		} else if (!strcmp(o->key, "type") && o->value) {
			if (type) {
				fprintf(err, PROG ": -%s %s: property 'type' is given twice\n", opt, text);
				goto out;
			}
			type = o->value;
		} else if (i == 0 && !o->value) {
			type = o->key;
		} else {
			fprintf(err, PROG ": -%s %s: unsupported property '%s'\n", opt, text, o->text);
			goto out;
		}
	}
	if (help && !type) {
		print_machines(out);
		res = OPTIONS_EXIT;
		goto out;
	}
	if (!type || !*type) {
		fprintf(err, PROG ": -%s %s: missing machine type\n", opt, text);
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(machine_table); i++)
		if (!strcmp(machine_table[i].name, type))
			machine = &machine_table[i];
	if (!machine) {
		fprintf(err, PROG ": -%s %s: unsupported machine type\n"
			     "Use -machine help to list supported machines\n", opt, text);
		goto out;
	}
	if (!machine->supported) {
		fprintf(err, PROG ": machine type '%s' is not supported yet\n", machine->name);
		goto out;
	}
	if (help) {
		print_machine_defaults(machine, out);
		res = OPTIONS_EXIT;
		goto out;
	}
	cfg->machine = machine->type;
	res = OPTIONS_RUN;
out:
	qemu_opts_dispose(&opts);
	return res;
}

static int name_check(const char *name, FILE *err)
{
	const char *p;
	bool all_digits = true;

	if (!*name) {
		fprintf(err, PROG ": -name: empty name\n");
		return -EINVAL;
	}
	if (strlen(name) > NAME_MAX_LEN) {
		fprintf(err, PROG ": -name: name longer than %d characters\n", NAME_MAX_LEN);
		return -EINVAL;
	}
	for (p = name; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fprintf(err, PROG ": -name: name contains a control character\n");
			return -EINVAL;
		}
		if (!isdigit((unsigned char)*p))
			all_digits = false;
	}
	/* xl and xenstore users take a number for a domain ID. */
	if (all_digits) {
		fprintf(err, PROG ": -name %s: a name made only of digits would be taken for a domain ID\n",
			name);
		return -EINVAL;
	}
	return 0;
}

/* -kernel and -initrd: an existing, readable regular file. Contents are not checked. */
static int image_check(const char *opt, const char *path, FILE *err)
{
	struct stat st;
	int fd = -1, rc;

	/* O_NONBLOCK: opening a FIFO must not hang the launcher. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		fprintf(err, PROG ": -%s %s: %s\n", opt, path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		fprintf(err, PROG ": -%s %s: %s\n", opt, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		fprintf(err, PROG ": -%s %s: not a regular file\n", opt, path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* "on"/"off" (and QEMU's older yes/no, true/false). */
static int bool_value_parse(const char *v, bool *b_r)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
		*b_r = true;
		return 0;
	}
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
		*b_r = false;
		return 0;
	}
	return -EINVAL;
}

#define DRIVE_ERR(...)                                  \
	do {                                            \
		snprintf(errbuf, errlen, __VA_ARGS__); \
		rc = -EINVAL;                           \
		goto out;                               \
	} while (0)

int drive_spec_parse(const char *text, struct drive_config *d, bool *index_set_r,
		     char *errbuf, size_t errlen)
{
	struct qemu_opts opts = { 0 };
	char *file = NULL;
	bool readonly_given = false, ro = false;
	unsigned long n;
	int rc;

	memset(d, 0, sizeof(*d));
	d->discard = true;
	*index_set_r = false;
	if (qemu_opts_parse(text, &opts, errbuf, errlen) < 0) {
		rc = -EINVAL;
		goto out;
	}
	for (size_t i = 0; i < opts.n; i++) {
		const char *key = opts.items[i].key, *val = opts.items[i].value;

		if (!val)
			DRIVE_ERR("property '%s' needs a value (KEY=VALUE)", key);
		if (!strcmp(key, "file")) {
			if (!*val)
				DRIVE_ERR("empty file name");
			file = strdup(val);
			if (!file)
				DRIVE_ERR("out of memory");
		} else if (!strcmp(key, "if")) {
			if (strcmp(val, "xen") && strcmp(val, "ide"))
				DRIVE_ERR("if=%s is not supported (xen or ide: both give a Xen PV disk)", val);
		} else if (!strcmp(key, "format")) {
			d->format = disk_format_lookup(val);
			if (!d->format)
				DRIVE_ERR("format %s is not supported (%s)", val, disk_format_list);
		} else if (!strcmp(key, "media")) {
			if (!strcmp(val, "disk"))
				d->media = DRIVE_MEDIA_DISK;
			else if (!strcmp(val, "cdrom"))
				d->media = DRIVE_MEDIA_CDROM;
			else
				DRIVE_ERR("media=%s is not supported (disk or cdrom)", val);
		} else if (!strcmp(key, "readonly")) {
			if (bool_value_parse(val, &ro) < 0)
				DRIVE_ERR("readonly=%s: expected on or off", val);
			readonly_given = true;
		} else if (!strcmp(key, "index")) {
			if (unsigned_parse(val, &n) < 0 || n >= LAUNCH_MAX_DISKS)
				DRIVE_ERR("index=%s: expected 0 to %u", val, LAUNCH_MAX_DISKS - 1);
			d->index = (unsigned)n;
			*index_set_r = true;
		} else if (!strcmp(key, "cache")) {
			if (!strcmp(val, "writeback"))
				d->cache = DRIVE_CACHE_WRITEBACK;
			else if (!strcmp(val, "none"))
				d->cache = DRIVE_CACHE_NONE;
			else if (!strcmp(val, "directsync"))
				d->cache = DRIVE_CACHE_DIRECTSYNC;
			else
				DRIVE_ERR("cache=%s is not supported (writeback, none or directsync)", val);
		} else if (!strcmp(key, "discard")) {
			if (!strcmp(val, "unmap") || !strcmp(val, "on"))
				d->discard = true;
			else if (!strcmp(val, "ignore") || !strcmp(val, "off"))
				d->discard = false;
			else
				DRIVE_ERR("discard=%s is not supported (unmap or ignore)", val);
		} else {
			DRIVE_ERR("unsupported property '%s'", key);
		}
	}
	if (!file)
		DRIVE_ERR("missing file=PATH");
	if (d->media == DRIVE_MEDIA_CDROM) {
		if (readonly_given && !ro)
			DRIVE_ERR("media=cdrom is read-only (readonly=off is refused)");
		ro = true;
	}
	d->readonly = ro;
	d->file = file;
	file = NULL;
	rc = 0;
out:
	free(file);
	qemu_opts_dispose(&opts);
	return rc;
}
#undef DRIVE_ERR

/* The disk's file: a regular file or block device, openable, of the format
 * given (or raw, never a format probed from the image, when none is). */
static int drive_check(const struct drive_config *d, FILE *err)
{
	const char *format;
	char why[160];

	if (disk_check(d->file, d->format, d->readonly, &format, why, sizeof(why)) < 0) {
		fprintf(err, PROG ": disk %s: %s\n", d->file, why);
		return -EINVAL;
	}
	return 0;
}

/* Adds a disk; index_set false: the first free index. Takes d->file. */
static int drive_add(struct launch_config *cfg, const char *opt, struct drive_config *d,
		     bool index_set, FILE *err)
{
	unsigned i;

	if (!index_set) {
		for (d->index = 0; d->index < LAUNCH_MAX_DISKS; d->index++) {
			for (i = 0; i < cfg->n_disks; i++)
				if (cfg->disks[i].index == d->index)
					break;
			if (i == cfg->n_disks)
				break;
		}
	}
	if (d->index >= LAUNCH_MAX_DISKS || cfg->n_disks >= LAUNCH_MAX_DISKS) {
		fprintf(err, PROG ": -%s: too many disks (at most %u)\n", opt, LAUNCH_MAX_DISKS);
		free(d->file);
		return -EINVAL;
	}
	for (i = 0; i < cfg->n_disks; i++)
		if (cfg->disks[i].index == d->index) {
			char xvd[XVD_NAME_SIZE];

			xvd_name(d->index, xvd);
			fprintf(err, PROG ": -%s: disk index %u (%s) is already in use\n", opt, d->index, xvd);
			free(d->file);
			return -EINVAL;
		}
	cfg->disks[cfg->n_disks++] = *d;
	return 0;
}

/* The second pass: how the options fit together, then the defaults. */
static enum options_result options_finish(struct parse_state *st)
{
	struct launch_config *cfg = st->cfg;
	char uuid_text[UUID_STRING_SIZE], why[160];
	FILE *err = st->err;
	int rc;

	if (cfg->daemonize) {
		if (cfg->nographic) {
			fprintf(err, PROG ": -nographic cannot be used with -daemonize\n");
			return OPTIONS_ERROR;
		}
		if (cfg->display.sdl) {
			fprintf(err, PROG ": -sdl cannot be used with -daemonize\n");
			return OPTIONS_ERROR;
		}
		if (cfg->serial.kind == CHARDEV_STDIO) {
			fprintf(err, PROG ": -serial stdio cannot be used with -daemonize\n");
			return OPTIONS_ERROR;
		}
		if (cfg->monitor.kind == CHARDEV_STDIO) {
			fprintf(err, PROG ": -monitor stdio cannot be used with -daemonize\n");
			return OPTIONS_ERROR;
		}
	}
	if (cfg->serial.kind == CHARDEV_STDIO && cfg->monitor.kind == CHARDEV_STDIO) {
		fprintf(err, PROG ": -serial stdio and -monitor stdio cannot share stdio\n");
		return OPTIONS_ERROR;
	}
	if (cfg->append && !cfg->kernel) {
		fprintf(err, PROG ": -append only allowed with -kernel option\n");
		return OPTIONS_ERROR;
	}
	if (cfg->initrd && !cfg->kernel) {
		fprintf(err, PROG ": -initrd only allowed with -kernel option\n");
		return OPTIONS_ERROR;
	}
	if (cfg->bootloader && cfg->kernel) {
		fprintf(err, PROG ": -bootloader cannot be used with -kernel\n");
		return OPTIONS_ERROR;
	}
	if (cfg->bootloader && cfg->n_disks == 0) {
		fprintf(err, PROG ": -bootloader needs a disk to boot from (-hda or -drive)\n");
		return OPTIONS_ERROR;
	}
	if (cfg->bootloader_args && !cfg->bootloader) {
		fprintf(err, PROG ": -bootloader-args only allowed with -bootloader\n");
		return OPTIONS_ERROR;
	}
	if (cfg->machine == MACHINE_XENFV && !cfg->kernel) {
		fprintf(err, PROG ": -M xenfv needs -kernel (a bzImage): booting from firmware "
			"(hvmloader, a BIOS) is not supported\n");
		return OPTIONS_ERROR;
	}
	if ((cfg->machine == MACHINE_XENPV || cfg->machine == MACHINE_XENPVH) &&
	    !cfg->kernel && !cfg->bootloader) {
		fprintf(err, PROG ": -M %s needs -kernel or -bootloader with a disk\n",
			cfg->machine == MACHINE_XENPV ? "xenpv" : "xenpvh");
		return OPTIONS_ERROR;
	}
	if (st->check_files && cfg->kernel && image_check("kernel", cfg->kernel, err) < 0)
		return OPTIONS_ERROR;
	if (st->check_files && cfg->initrd && image_check("initrd", cfg->initrd, err) < 0)
		return OPTIONS_ERROR;
	for (unsigned d = 0; st->check_files && d < cfg->n_disks; d++)
		if (drive_check(&cfg->disks[d], err) < 0)
			return OPTIONS_ERROR;

	if (cfg->nographic && cfg->display.sdl) {
		fprintf(err, PROG ": -nographic cannot be used with -sdl\n");
		return OPTIONS_ERROR;
	}
	/* Like QEMU without a display, the serial port is the terminal, unless
	 * there is no terminal (-daemonize) or the monitor has it; with a
	 * display (and without -nographic) it is on the display's text console. */
	if (!st->serial_given) {
		if (cfg->daemonize || cfg->monitor.kind == CHARDEV_STDIO ||
		    ((cfg->display.vnc || cfg->display.sdl) && !cfg->nographic))
			cfg->serial.kind = CHARDEV_NULL;
		else
			cfg->serial.kind = CHARDEV_STDIO;
	}
	if (!cfg->uuid_set) {
		rc = uuid_generate_random(cfg->uuid);
		if (rc < 0) {
			fprintf(err, PROG ": cannot generate a UUID: /dev/urandom: %s\n", strerror(-rc));
			return OPTIONS_ERROR;
		}
	}
	if (!cfg->name) {
		uuid_to_string(cfg->uuid, uuid_text);
		uuid_text[8] = '\0';
		if (asprintf(&cfg->name, PROG "-%s", uuid_text) < 0) {
			cfg->name = NULL;
			fprintf(err, PROG ": out of memory\n");
			return OPTIONS_ERROR;
		}
	}
	/* After the name: the default MACs are derived from it. */
	if (nic_opts_finish(cfg, &st->nics, why, sizeof(why)) < 0) {
		fprintf(err, PROG ": %s\n", why);
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}


/* The option handlers: each reads one option into st->cfg. */

#define CFG_STRING(cfg, o) ((char **)((char *)(cfg) + (o)->field))
#define CFG_BOOL(cfg, o) ((bool *)((char *)(cfg) + (o)->field))
#define CFG_CONST_STRING(cfg, o) ((char *const *)((const char *)(cfg) + (o)->field))
#define CFG_CONST_BOOL(cfg, o) ((const bool *)((const char *)(cfg) + (o)->field))

static enum options_result oom(struct parse_state *st, const struct option_desc *o)
{
	fprintf(st->err, PROG ": -%s: out of memory\n", o->name);
	return OPTIONS_ERROR;
}

/* -kernel, -initrd, -append...: a string used as given. */
static enum options_result parse_string(struct parse_state *st, const struct option_desc *o, const char *val)
{
	/* Paths are used as given; an empty one is always a mistake. */
	if (!*val && !o->empty_ok) {
		fprintf(st->err, PROG ": -%s: empty path\n", o->name);
		return OPTIONS_ERROR;
	}
	return replace_string(CFG_STRING(st->cfg, o), val) < 0 ? oom(st, o) : OPTIONS_RUN;
}

static enum options_result parse_flag(struct parse_state *st, const struct option_desc *o, const char *val)
{
	*CFG_BOOL(st->cfg, o) = true;
	return OPTIONS_RUN;
}

static enum options_result parse_name(struct parse_state *st, const struct option_desc *o, const char *val)
{
	char single[256];
	const char *v = single_property(o->name, val, "guest", single, sizeof(single), st->err);

	if (!v || name_check(v, st->err) < 0)
		return OPTIONS_ERROR;
	return replace_string(&st->cfg->name, v) < 0 ? oom(st, o) : OPTIONS_RUN;
}

static enum options_result parse_machine(struct parse_state *st, const struct option_desc *o, const char *val)
{
	return machine_parse(o->name, val, st->cfg, st->out, st->err);
}

static enum options_result parse_memory(struct parse_state *st, const struct option_desc *o, const char *val)
{
	char single[256];
	const char *v = single_property(o->name, val, "size", single, sizeof(single), st->err);
	uint64_t mib;
	int rc;

	if (!v)
		return OPTIONS_ERROR;
	rc = memory_size_parse(v, &mib);
	if (rc == -EINVAL) {
		fprintf(st->err, PROG ": -m %s: invalid memory size (MiB, or a number with an M or G suffix)\n", val);
		return OPTIONS_ERROR;
	}
	if (rc == -ERANGE || mib > LAUNCH_MAX_MEMORY_MIB) {
		fprintf(st->err, PROG ": -m %s: memory size is above the 1 TiB limit\n", val);
		return OPTIONS_ERROR;
	}
	if (mib == 0) {
		fprintf(st->err, PROG ": -m %s: memory size must not be zero\n", val);
		return OPTIONS_ERROR;
	}
	st->cfg->memory_mib = mib;
	return OPTIONS_RUN;
}

static enum options_result parse_smp(struct parse_state *st, const struct option_desc *o, const char *val)
{
	char single[256];
	const char *v = single_property(o->name, val, "cpus", single, sizeof(single), st->err);
	unsigned long n;
	int rc;

	if (!v)
		return OPTIONS_ERROR;
	rc = unsigned_parse(v, &n);
	if (rc == -EINVAL) {
		fprintf(st->err, PROG ": -smp %s: invalid vCPU count\n", val);
		return OPTIONS_ERROR;
	}
	if (rc == -ERANGE || n < 1 || n > LAUNCH_MAX_VCPUS) {
		fprintf(st->err, PROG ": -smp %s: vCPU count must be between 1 and %u\n", val, LAUNCH_MAX_VCPUS);
		return OPTIONS_ERROR;
	}
	st->cfg->vcpus = (unsigned)n;
	return OPTIONS_RUN;
}

static enum options_result parse_uuid(struct parse_state *st, const struct option_desc *o, const char *val)
{
	if (uuid_from_string(val, st->cfg->uuid) < 0) {
		fprintf(st->err, PROG ": -uuid %s: invalid UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)\n",
			val);
		return OPTIONS_ERROR;
	}
	st->cfg->uuid_set = true;
	return OPTIONS_RUN;
}

/* A -rtc date: 2006-06-17T16:01:21 or 2006-06-17, UTC, as QEMU reads it. */
static int rtc_date_parse(const char *v, int64_t *secs_r)
{
	struct tm tm = { 0 }, back;
	char tail;
	int n;
	time_t t;

	n = sscanf(v, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		   &tm.tm_sec, &tail);
	if (n != 6 && !(n == 3 && strlen(v) == 10))
		return -EINVAL;
	if (tm.tm_year < 1970 || tm.tm_year > 9999 || (n == 6 && strlen(v) != 19))
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	t = timegm(&tm);
	/* timegm() normalises 2006-02-30 into March: such a date is no date. */
	if (t == (time_t)-1 || tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon || tm.tm_hour != back.tm_hour ||
	    tm.tm_min != back.tm_min || tm.tm_sec != back.tm_sec)
		return -EINVAL;
	*secs_r = (int64_t)t;
	return 0;
}

/* -rtc base=utc|localtime|DATE; QEMU's clock= and driftfix= are not ours to take. */
static enum options_result parse_rtc(struct parse_state *st, const struct option_desc *o, const char *val)
{
	enum options_result res = OPTIONS_ERROR;
	struct qemu_opts opts = { 0 };
	char why[128];
	bool base = false;

	if (qemu_opts_parse(val, &opts, why, sizeof(why)) < 0) {
		fprintf(st->err, PROG ": -rtc %s: %s\n", val, why);
		goto out;
	}
	for (size_t i = 0; i < opts.n; i++) {
		const struct qemu_opt *q = &opts.items[i];

		if (strcmp(q->key, "base") || !q->value) {
			fprintf(st->err, PROG ": -rtc %s: unsupported property '%s' (base=utc|localtime|DATE)\n", val,
				q->text);
			goto out;
		}
		if (base) {
			fprintf(st->err, PROG ": -rtc %s: property 'base' is given twice\n", val);
			goto out;
		}
		base = true;
		if (!strcmp(q->value, "utc")) {
			st->cfg->rtc_base = RTC_BASE_UTC;
		} else if (!strcmp(q->value, "localtime")) {
			st->cfg->rtc_base = RTC_BASE_LOCALTIME;
		} else if (rtc_date_parse(q->value, &st->cfg->rtc_date) == 0) {
			st->cfg->rtc_base = RTC_BASE_DATE;
		} else {
			fprintf(st->err, PROG ": -rtc %s: invalid datetime format\n"
					      "valid formats: '2006-06-17T16:01:21' or '2006-06-17'\n", val);
			goto out;
		}
	}
	if (!base) {
		fprintf(st->err, PROG ": -rtc %s: missing 'base' (base=utc|localtime|DATE)\n", val);
		goto out;
	}
	res = OPTIONS_RUN;
out:
	qemu_opts_dispose(&opts);
	return res;
}

/* -serial and -monitor; only one serial port. */
static enum options_result parse_chardev(struct parse_state *st, const struct option_desc *o, const char *val)
{
	bool serial = !strcmp(o->name, "serial");
	struct chardev_spec spec, *target = serial ? &st->cfg->serial : &st->cfg->monitor;
	const char *msg;

	if (serial && st->serial_given) {
		fprintf(st->err, PROG ": -serial: not supported yet (one serial port)\n");
		return OPTIONS_ERROR;
	}
	if (chardev_spec_parse(val, &spec, &msg) < 0) {
		fprintf(st->err, PROG ": -%s %s: %s\n", o->name, val, msg);
		return OPTIONS_ERROR;
	}
	if (!serial && spec.kind == CHARDEV_FILE) {
		chardev_spec_dispose(&spec);
		fprintf(st->err, PROG ": -monitor %s: a monitor needs input (file: is output only)\n", val);
		return OPTIONS_ERROR;
	}
	st->serial_given |= serial;
	chardev_spec_dispose(target);
	*target = spec;
	return OPTIONS_RUN;
}

static enum options_result parse_version(struct parse_state *st, const struct option_desc *o, const char *val)
{
	fprintf(st->out, PROG " version " XENLAUNCH_VERSION "\n");
	return OPTIONS_EXIT;
}

static void print_usage(FILE *out);

static enum options_result parse_help(struct parse_state *st, const struct option_desc *o, const char *val)
{
	print_usage(st->out);
	return OPTIONS_EXIT;
}

static enum options_result parse_later(struct parse_state *st, const struct option_desc *o, const char *val)
{
	fprintf(st->err, PROG ": -%s: not supported yet\n", o->name);
	return OPTIONS_ERROR;
}

/* -hda..-hdd and -cdrom: a disk at a fixed index. */
static enum options_result parse_disk_file(struct parse_state *st, const struct option_desc *o, const char *val)
{
	struct drive_config d = { .discard = true, .index = o->disk_index };

	if (!*val) {
		fprintf(st->err, PROG ": -%s: empty path\n", o->name);
		return OPTIONS_ERROR;
	}
	d.file = strdup(val);
	if (!d.file)
		return oom(st, o);
	if (!strcmp(o->name, "cdrom")) {
		d.media = DRIVE_MEDIA_CDROM;
		d.readonly = true;
	}
	return drive_add(st->cfg, o->name, &d, true, st->err) < 0 ? OPTIONS_ERROR : OPTIONS_RUN;
}

static enum options_result parse_drive(struct parse_state *st, const struct option_desc *o, const char *val)
{
	struct drive_config d;
	bool index_set;
	char why[256];

	if (drive_spec_parse(val, &d, &index_set, why, sizeof(why)) < 0) {
		fprintf(st->err, PROG ": -drive %s: %s\n", val, why);
		return OPTIONS_ERROR;
	}
	return drive_add(st->cfg, o->name, &d, index_set, st->err) < 0 ? OPTIONS_ERROR : OPTIONS_RUN;
}

/* -vnc, -display, -k. */
static enum options_result parse_display(struct parse_state *st, const struct option_desc *o, const char *val)
{
	struct display_config *dc = &st->cfg->display;
	char why[256];
	int rc;

	rc = !strcmp(o->name, "vnc") ? display_opts_vnc(val, dc, why, sizeof(why)) :
	     !strcmp(o->name, "display") ? display_opts_display(val, dc, why, sizeof(why)) :
	     display_opts_keymap(val, dc, why, sizeof(why));
	if (rc < 0) {
		fprintf(st->err, PROG ": -%s %s: %s\n", o->name, val, why);
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}

/* -nic, -netdev, -device. */
static enum options_result parse_net(struct parse_state *st, const struct option_desc *o, const char *val)
{
	char why[200];
	int rc;

	rc = !strcmp(o->name, "nic") ? nic_opts_nic(val, st->cfg, why, sizeof(why)) :
	     !strcmp(o->name, "netdev") ? nic_opts_netdev(val, &st->nics, why, sizeof(why)) :
	     nic_opts_device(val, st->cfg, &st->nics, why, sizeof(why));
	if (rc < 0) {
		fprintf(st->err, PROG ": -%s %s: %s\n", o->name, val, why);
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}

/* The formatters: each writes back what one option put into the config. */

static int add_opt(struct strv *av, const struct option_desc *o, const char *value)
{
	int rc = strv_addf(av, "-%s", o->name);

	return rc || !value ? rc : strv_add(av, value);
}

/* Adds -NAME and the option string *line (taken, whatever happens); failed: building it failed. */
static int add_opt_line(struct strv *av, const struct option_desc *o, char **line, bool failed)
{
	char *s = *line;
	int rc = failed || !s ? -ENOMEM : strv_addf(av, "-%s", o->name);

	*line = NULL;
	if (rc) {
		free(s);
		return rc;
	}
	return strv_take(av, s);
}

static int format_string(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	const char *v = *CFG_CONST_STRING(cfg, o);

	return v ? add_opt(av, o, v) : 0;
}

static int format_flag(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	return *CFG_CONST_BOOL(cfg, o) ? add_opt(av, o, NULL) : 0;
}

static int format_name(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	char *line = NULL;

	if (!cfg->name)
		return 0;
	/* guest=NAME when NAME would read as a property of its own. */
	return add_opt_line(av, o, &line, qemu_opts_append(&line, strchr(cfg->name, '=') ? "guest" : NULL,
							   cfg->name));
}

static int format_machine(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	for (size_t i = 0; i < ARRAY_SIZE(machine_table); i++)
		if (machine_table[i].type == cfg->machine)
			return add_opt(av, o, machine_table[i].name);
	return -EINVAL;
}

static int format_memory(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	return strv_addf(av, "-%s", o->name) || strv_addf(av, "%llu", (unsigned long long)cfg->memory_mib) ?
	       -ENOMEM : 0;
}

static int format_smp(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	return strv_addf(av, "-%s", o->name) || strv_addf(av, "%u", cfg->vcpus) ? -ENOMEM : 0;
}

static int format_uuid(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	char uuid[UUID_STRING_SIZE];

	uuid_to_string(cfg->uuid, uuid);
	return add_opt(av, o, uuid);
}

static int format_rtc(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	char date[32];
	time_t t = (time_t)cfg->rtc_date;
	struct tm tm;

	if (cfg->rtc_base == RTC_BASE_UTC)
		return 0;
	if (cfg->rtc_base == RTC_BASE_LOCALTIME)
		return add_opt(av, o, "base=localtime");
	if (!gmtime_r(&t, &tm) || !strftime(date, sizeof(date), "base=%Y-%m-%dT%H:%M:%S", &tm))
		return -ENOMEM;
	return add_opt(av, o, date);
}

/* The value chardev_spec_parse() reads back into spec. */
static int chardev_format(const struct chardev_spec *spec, char **line_r)
{
	static const char *const plain[] = {
		[CHARDEV_NONE] = "none", [CHARDEV_NULL] = "null", [CHARDEV_PTY] = "pty", [CHARDEV_STDIO] = "stdio",
	};
	char *path = NULL;
	int rc;

	switch (spec->kind) {
	case CHARDEV_FILE:
		/* file: takes the rest of the value as it is. */
		return asprintf(line_r, "file:%s", spec->path) < 0 ? -ENOMEM : 0;
	case CHARDEV_UNIX:
		if (asprintf(&path, "unix:%s", spec->path) < 0)
			return -ENOMEM;
		rc = qemu_opts_append(line_r, NULL, path) || qemu_opts_append(line_r, NULL, "server") ||
		     (!spec->wait && qemu_opts_append(line_r, NULL, "nowait")) ? -ENOMEM : 0;
		free(path);
		return rc;
	default:
		*line_r = strdup(plain[spec->kind]);
		return *line_r ? 0 : -ENOMEM;
	}
}

static int format_chardev(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	bool serial = !strcmp(o->name, "serial");
	const struct chardev_spec *spec = serial ? &cfg->serial : &cfg->monitor;
	char *line = NULL;

	/* No -monitor is no monitor; no -serial is a default, which "none" is not. */
	if (!serial && spec->kind == CHARDEV_NONE)
		return 0;
	return add_opt_line(av, o, &line, chardev_format(spec, &line) < 0);
}

static int format_drives(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	static const char *const caches[] = {
		[DRIVE_CACHE_WRITEBACK] = "writeback", [DRIVE_CACHE_NONE] = "none",
		[DRIVE_CACHE_DIRECTSYNC] = "directsync",
	};

	for (unsigned i = 0; i < cfg->n_disks; i++) {
		const struct drive_config *d = &cfg->disks[i];
		char *line = NULL, index[16];
		int rc;

		snprintf(index, sizeof(index), "%u", d->index);
		rc = qemu_opts_append(&line, "file", d->file) ||
		     (d->format && qemu_opts_append(&line, "format", d->format)) ||
		     qemu_opts_append(&line, "index", index) ||
		     qemu_opts_append(&line, "media", d->media == DRIVE_MEDIA_CDROM ? "cdrom" : "disk") ||
		     qemu_opts_append(&line, "readonly", d->readonly ? "on" : "off") ||
		     qemu_opts_append(&line, "cache", caches[d->cache]) ||
		     qemu_opts_append(&line, "discard", d->discard ? "unmap" : "ignore");
		rc = add_opt_line(av, o, &line, rc);
		if (rc)
			return rc;
	}
	return 0;
}

static int format_nics(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	for (unsigned i = 0; i < cfg->n_nics; i++) {
		const struct nic_config *n = &cfg->nics[i];
		char mac[NIC_MAC_STRING_SIZE], queues[16], *line = NULL;
		int rc;

		nic_mac_format(n->mac, mac);
		snprintf(queues, sizeof(queues), "%u", n->queues);
		rc = qemu_opts_append(&line, NULL, "tap") ||
		     (n->bridge && qemu_opts_append(&line, "br", n->bridge)) ||
		     (n->ifname && qemu_opts_append(&line, "ifname", n->ifname)) ||
		     (n->script && qemu_opts_append(&line, "script", n->script)) ||
		     (n->downscript && qemu_opts_append(&line, "downscript", n->downscript)) ||
		     /* Without mac=, the same MAC is derived from the name again. */
		     (n->mac_set && qemu_opts_append(&line, "mac", mac)) ||
		     (n->queues > 1 && qemu_opts_append(&line, "queues", queues));
		rc = add_opt_line(av, o, &line, rc);
		if (rc)
			return rc;
	}
	return 0;
}

static int format_vnc(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	const struct display_config *dc = &cfg->display;
	char *addr = NULL, *line = NULL, to[16];
	int rc;

	if (!dc->vnc)
		return 0;
	if (asprintf(&addr, "%s:%u", dc->vnc_host ? dc->vnc_host : "", dc->vnc_display) < 0)
		return -ENOMEM;
	snprintf(to, sizeof(to), "%u", dc->vnc_to);
	rc = qemu_opts_append(&line, NULL, addr) || (dc->vnc_to && qemu_opts_append(&line, "to", to)) ||
	     (dc->vnc_password && qemu_opts_append(&line, "password", "on"));
	free(addr);
	return add_opt_line(av, o, &line, rc);
}

static int format_keymap(const struct launch_config *cfg, const struct option_desc *o, struct strv *av)
{
	return cfg->display.keymap ? add_opt(av, o, cfg->display.keymap) : 0;
}

#define STRING(f) .parse = parse_string, .format = format_string, .field = offsetof(struct launch_config, f)
#define FLAG(f) .parse = parse_flag, .format = format_flag, .field = offsetof(struct launch_config, f)

/* In the order the formatter writes them. */
static const struct option_desc option_table[] = {
	{ "name", "NAME", "guest name (also guest=NAME); default xenlaunch-<first 8 hex digits of the UUID>",
	  .parse = parse_name, .format = format_name },
	{ "uuid", "UUID", "guest UUID, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; default random",
	  .parse = parse_uuid, .format = format_uuid },
	{ "M", "TYPE", "machine type: xenpv, xenpvh ('-M help' lists them, '-M xenpv,help' shows its defaults)",
	  .parse = parse_machine, .format = format_machine },
	{ "machine", "TYPE", "same as -M (also type=TYPE)", .parse = parse_machine },
	{ "m", "SIZE", "guest memory: MiB, or a number with an M or G suffix (also size=SIZE); default 128",
	  .parse = parse_memory, .format = format_memory },
	{ "smp", "N", "number of vCPUs, 1 to 128 (also cpus=N); default 1", .parse = parse_smp, .format = format_smp },
	{ "bootloader", "PROG", "boot from the disk's own menu: builtin, or a pygrub-compatible program "
	  "(needs a disk, no -kernel)", STRING(bootloader) },
	{ "bootloader-args", "ARGS", "bootloader arguments: --entry=N|TITLE, --title=TITLE, --args=EXTRA, -q",
	  STRING(bootloader_args), .empty_ok = true },
	{ "kernel", "FILE", "guest kernel image, loaded directly", STRING(kernel) },
	{ "initrd", "FILE", "initial ramdisk (needs -kernel)", STRING(initrd) },
	{ "append", "CMDLINE", "kernel command line (needs -kernel)", STRING(append), .empty_ok = true },
	{ "serial", "DEV", "serial target: pty, stdio, null, none, file:PATH, unix:PATH,server[,nowait]",
	  .parse = parse_chardev, .format = format_chardev },
	{ "monitor", "DEV", "monitor target: stdio, pty, none, unix:PATH,server,nowait",
	  .parse = parse_chardev, .format = format_chardev },
	{ "rtc", "base=BASE", "where the guest's clock starts: utc (default), localtime, or a UTC date "
	  "2006-06-17T16:01:21 or 2006-06-17", .parse = parse_rtc, .format = format_rtc },
	{ "no-reboot", NULL, "exit instead of rebooting the guest", FLAG(no_reboot) },
	{ "S", NULL, "do not start the guest's vCPUs ('cont' in the monitor starts them)", FLAG(start_paused) },
	{ "daemonize", NULL, "detach from the terminal once the guest is running", FLAG(daemonize) },
	{ "pidfile", "FILE", "write the launcher's process ID to FILE", STRING(pidfile) },
	{ "nographic", NULL, "no graphical display; the serial port goes to stdio", FLAG(nographic) },
	{ "D", "FILE", "write the launcher's log to FILE", STRING(logfile) },
	{ "version", NULL, "print the version and exit", .parse = parse_version },
	{ "help", NULL, "print this help and exit", .parse = parse_help },
	{ "h", NULL, "same as -help", .parse = parse_help },
	{ "hda", "FILE", "first disk: raw image or block device, guest xvda", .parse = parse_disk_file, .disk_index = 0 },
	{ "hdb", "FILE", "second disk, guest xvdb", .parse = parse_disk_file, .disk_index = 1 },
	{ "hdc", "FILE", "third disk, guest xvdc", .parse = parse_disk_file, .disk_index = 2 },
	{ "hdd", "FILE", "fourth disk, guest xvdd", .parse = parse_disk_file, .disk_index = 3 },
	/* QEMU's -cdrom is the third IDE unit. */
	{ "cdrom", "FILE", "CD-ROM image (read-only), guest xvdc (index 2)", .parse = parse_disk_file,
	  .disk_index = 2 },
	{ "drive", "SPEC", "disk: file=PATH[,if=xen|ide][,format=raw][,media=disk|cdrom]"
	  "[,readonly=on|off][,index=0..15][,cache=writeback|none|directsync][,discard=unmap|ignore]",
	  .parse = parse_drive, .format = format_drives },
	{ "nic", "SPEC", "Xen PV NIC on a tap device: tap|bridge[,br=BRIDGE][,mac=MAC]... (see below), or none",
	  .parse = parse_net, .format = format_nics },
	{ "netdev", "SPEC", "network backend for -device: tap|bridge,id=ID[,br=BRIDGE]...", .parse = parse_net },
	{ "device", "SPEC", "device: xen-net-device,netdev=ID[,mac=MAC] (the only one)", .parse = parse_net },
	{ "net", "SPEC", "network interface, legacy form (not supported: use -nic)", .parse = parse_later },
	{ "vnc", "DISPLAY", "VNC server: [HOST]:N[,password=on][,to=N] (port 5900+N), or none",
	  .parse = parse_display, .format = format_vnc },
	{ "sdl", NULL, "SDL window (SDL's offscreen driver without a display server)", FLAG(display.sdl) },
	{ "display", "TYPE", "display type: sdl, vnc[=SPEC], none", .parse = parse_display },
	{ "k", "LAYOUT", "guest keyboard layout for VNC viewers (QEMU's names: de, fr, en-gb...)",
	  .parse = parse_display, .format = format_keymap },
};

#undef STRING
#undef FLAG

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: " PROG " [options]\n"
		     "Builds and runs one Xen guest; the command line follows QEMU's.\n\n");
	for (i = 0; i < ARRAY_SIZE(option_table); i++) {
		const struct option_desc *o = &option_table[i];
		char left[32];

		snprintf(left, sizeof(left), "-%s%s%s", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
		fprintf(out, "  %-20s %s\n", left, o->help);
	}
	fputs(drive_help, out);
}

static const struct option_desc *option_lookup(const char *arg)
{
	const char *name;

	if (arg[0] != '-')
		return NULL;
	name = arg[1] == '-' ? arg + 2 : arg + 1;
	for (size_t i = 0; i < ARRAY_SIZE(option_table); i++)
		if (!strcmp(option_table[i].name, name))
			return &option_table[i];
	return NULL;
}

static enum options_result parse_argv(int argc, char **argv, struct parse_state *st)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		const struct option_desc *o = option_lookup(arg);
		enum options_result res;

		if (arg[0] != '-') {
			/* QEMU reads a bare argument as the -hda image. */
			struct drive_config d = { .file = strdup(arg), .discard = true };

			if (!d.file || drive_add(st->cfg, "hda", &d, true, st->err) < 0)
				return OPTIONS_ERROR;
			continue;
		}
		if (!o) {
			fprintf(st->err, PROG ": %s: invalid option\n", arg);
			return OPTIONS_ERROR;
		}
		if (o->arg) {
			if (i + 1 >= argc) {
				fprintf(st->err, PROG ": -%s: requires an argument\n", o->name);
				return OPTIONS_ERROR;
			}
			val = argv[++i];
		}
		res = o->parse(st, o, val);
		if (res != OPTIONS_RUN)
			return res;
	}
	return options_finish(st);
}

static enum options_result parse(int argc, char **argv, struct launch_config *cfg, bool check_files,
				 FILE *out, FILE *err)
{
	struct parse_state st = { .cfg = cfg, .check_files = check_files, .out = out, .err = err };
	enum options_result res;

	nic_opts_state_init(&st.nics);
	res = parse_argv(argc, argv, &st);
	nic_opts_state_dispose(&st.nics);
	return res;
}

enum options_result options_parse(int argc, char **argv, struct launch_config *cfg, FILE *out, FILE *err)
{
	return parse(argc, argv, cfg, true, out, err);
}

enum options_result options_parse_no_files(int argc, char **argv, struct launch_config *cfg, FILE *out,
					   FILE *err)
{
	return parse(argc, argv, cfg, false, out, err);
}

int options_format(const struct launch_config *cfg, const char *binary, struct strv *argv_r)
{
	int rc = strv_add(argv_r, binary);

	for (size_t i = 0; !rc && i < ARRAY_SIZE(option_table); i++)
		if (option_table[i].format)
			rc = option_table[i].format(cfg, &option_table[i], argv_r);
	return rc;
}
