/*
 * The command line in QEMU's spelling. Parsing happens in two passes over
 * the same config: the first turns each option into fields (syntax errors
 * name the option), the second checks how the options fit together and
 * fills in the defaults, so that the rest of the launcher sees one complete,
 * validated struct launch_config and never argv.
 */
#include "launcher/options.h"
#include "common/qemu_opts.h"
#include "launcher/display_opts.h"
#include "launcher/nic_opts.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PROG "xenlaunch"
#define NAME_MAX_LEN 64

enum option_id {
	OPT_NAME, OPT_MACHINE, OPT_MEMORY, OPT_SMP, OPT_KERNEL, OPT_INITRD,
	OPT_APPEND, OPT_UUID, OPT_SERIAL, OPT_MONITOR, OPT_NO_REBOOT, OPT_PAUSED,
	OPT_DAEMONIZE, OPT_PIDFILE, OPT_NOGRAPHIC, OPT_LOGFILE, OPT_VERSION,
	OPT_HELP, OPT_BOOTLOADER, OPT_BOOTLOADER_ARGS, OPT_HDA, OPT_HDB, OPT_HDC, OPT_HDD, OPT_CDROM, OPT_DRIVE,
	OPT_VNC, OPT_SDL, OPT_DISPLAY, OPT_KEYMAP, OPT_NIC, OPT_NETDEV, OPT_DEVICE,
	OPT_LATER,	/* recognised, belongs to later work: refused */
};

struct option_desc {
	const char *name;	/* without the dash */
	enum option_id id;
	const char *arg;	/* metavariable for -help; NULL: takes no argument */
	const char *help;
};

/* One table drives both the parser and -help, so -help lists every option. */
static const struct option_desc option_table[] = {
	{ "name", OPT_NAME, "NAME", "guest name (also guest=NAME); default xenlaunch-<first 8 hex digits of the UUID>" },
	{ "M", OPT_MACHINE, "TYPE", "machine type: xenpv ('-M help' lists them, '-M xenpv,help' shows its defaults)" },
	{ "machine", OPT_MACHINE, "TYPE", "same as -M (also type=TYPE)" },
	{ "m", OPT_MEMORY, "SIZE", "guest memory: MiB, or a number with an M or G suffix (also size=SIZE); default 128" },
	{ "smp", OPT_SMP, "N", "number of vCPUs, 1 to 128 (also cpus=N); default 1" },
	{ "kernel", OPT_KERNEL, "FILE", "guest kernel image, loaded directly" },
	{ "initrd", OPT_INITRD, "FILE", "initial ramdisk (needs -kernel)" },
	{ "append", OPT_APPEND, "CMDLINE", "kernel command line (needs -kernel)" },
	{ "uuid", OPT_UUID, "UUID", "guest UUID, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx; default random" },
	{ "serial", OPT_SERIAL, "DEV", "serial target: pty, stdio, null, none, file:PATH, unix:PATH,server[,nowait]" },
	{ "monitor", OPT_MONITOR, "DEV", "monitor target: stdio, pty, none, unix:PATH,server,nowait" },
	{ "no-reboot", OPT_NO_REBOOT, NULL, "exit instead of rebooting the guest" },
	{ "S", OPT_PAUSED, NULL, "do not start the guest's vCPUs ('cont' in the monitor starts them)" },
	{ "daemonize", OPT_DAEMONIZE, NULL, "detach from the terminal once the guest is running" },
	{ "pidfile", OPT_PIDFILE, "FILE", "write the launcher's process ID to FILE" },
	{ "nographic", OPT_NOGRAPHIC, NULL, "no graphical display; the serial port goes to stdio" },
	{ "D", OPT_LOGFILE, "FILE", "write the launcher's log to FILE" },
	{ "version", OPT_VERSION, NULL, "print the version and exit" },
	{ "help", OPT_HELP, NULL, "print this help and exit" },
	{ "h", OPT_HELP, NULL, "same as -help" },
	{ "hda", OPT_HDA, "FILE", "first disk: raw image or block device, guest xvda" },
	{ "hdb", OPT_HDB, "FILE", "second disk, guest xvdb" },
	{ "hdc", OPT_HDC, "FILE", "third disk, guest xvdc" },
	{ "hdd", OPT_HDD, "FILE", "fourth disk, guest xvdd" },
	{ "cdrom", OPT_CDROM, "FILE", "CD-ROM image (read-only), guest xvdc (index 2)" },
	{ "drive", OPT_DRIVE, "SPEC", "disk: file=PATH[,if=xen|ide][,format=raw][,media=disk|cdrom]"
	  "[,readonly=on|off][,index=0..15][,cache=writeback|none|directsync][,discard=unmap|ignore]" },
	{ "nic", OPT_NIC, "SPEC", "Xen PV NIC on a tap device: tap|bridge[,br=BRIDGE][,mac=MAC]... (see below), or none" },
	{ "netdev", OPT_NETDEV, "SPEC", "network backend for -device: tap|bridge,id=ID[,br=BRIDGE]..." },
	{ "device", OPT_DEVICE, "SPEC", "device: xen-net-device,netdev=ID[,mac=MAC] (the only one)" },
	{ "net", OPT_LATER, "SPEC", "network interface, legacy form (not supported: use -nic)" },
	{ "vnc", OPT_VNC, "DISPLAY", "VNC server: [HOST]:N[,password=on][,to=N] (port 5900+N), or none" },
	{ "sdl", OPT_SDL, NULL, "SDL window (SDL's offscreen driver without a display server)" },
	{ "display", OPT_DISPLAY, "TYPE", "display type: sdl, vnc[=SPEC], none" },
	{ "k", OPT_KEYMAP, "LAYOUT", "guest keyboard layout for VNC viewers (QEMU's names: de, fr, en-gb...)" },
	{ "bootloader", OPT_BOOTLOADER, "PROG", "boot from the disk's own menu: builtin, or a pygrub-compatible program (needs a disk, no -kernel)" },
	{ "bootloader-args", OPT_BOOTLOADER_ARGS, "ARGS", "bootloader arguments: --entry=N|TITLE, --title=TITLE, --args=EXTRA, -q" },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Printed after the options by -help: the -drive set, one place. */
static const char drive_help[] =
	"\n-drive properties (QEMU's spelling; anything else is refused by name):\n"
	"  file=PATH            raw image file or block device (required)\n"
	"  if=xen|ide           both give a Xen PV disk (xvda, xvdb, ...); default xen\n"
	"  format=raw           the only format served; qcow2 and others are refused\n"
	"                       (serve them with qemu-nbd and use file=/dev/nbdN)\n"
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

struct machine_desc {
	const char *name;
	enum machine_type type;
	bool supported;
	const char *help;
};

static const struct machine_desc machine_table[] = {
	{ "xenpv", MACHINE_XENPV, true, "Xen paravirtual guest (libxc domain build)" },
	{ "xenfv", MACHINE_XENFV, false, "Xen HVM guest (not supported yet)" },
};

/*
 * What -M xenpv brings without being asked: this table is what
 * "-M xenpv,help" prints. Keep it in step with xenpv/ and with the
 * defaults filled in by options_finish(); numbers come from config.h.
 */
struct machine_default {
	const char *what;
	unsigned value;		/* printed before text when non-zero */
	const char *text;
};

static const struct machine_default xenpv_defaults[] = {
	{ "xenstore", 0, "/local/domain/N (the guest's directory; N is its domid)" },
	{ "xenstore", 0, "/vm/UUID (the VM's directory: name, uuid)" },
	{ "console 0", 0, "PV console ring, served by xenlaunch (console/type=ioemu)" },
	{ "serial", 0, "stdio; null with -daemonize or -monitor stdio (-serial)" },
	{ "memory", LAUNCH_DEFAULT_MEMORY_MIB, "MiB (-m)" },
	{ "vcpus", LAUNCH_DEFAULT_VCPUS, "(-smp)" },
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

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uuid_from_string(const char *text, uint8_t uuid_r[16])
{
	uint8_t uuid[16];
	size_t i, byte = 0;

	if (strlen(text) != UUID_STRING_SIZE - 1)
		return -EINVAL;
	for (i = 0; i < UUID_STRING_SIZE - 1; ) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		hi = hex_digit((unsigned char)text[i]);
		lo = hex_digit((unsigned char)text[i + 1]);
		/* The second digit must not sit where a dash belongs. */
		if (hi < 0 || lo < 0 || i + 1 == 8 || i + 1 == 13 || i + 1 == 18 || i + 1 == 23)
			return -EINVAL;
		uuid[byte++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	memcpy(uuid_r, uuid, sizeof(uuid));
	return 0;
}

void uuid_to_string(const uint8_t u[16], char out[UUID_STRING_SIZE])
{
	snprintf(out, UUID_STRING_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* A random (version 4, RFC 4122 variant) UUID; -errno if /dev/urandom fails. */
static int uuid_generate_random(uint8_t uuid_r[16])
{
	size_t got = 0;
	int fd = -1, rc;
	ssize_t r;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	while (got < 16) {
		r = read(fd, uuid_r + got, 16 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)r;
	}
	uuid_r[6] = (uint8_t)((uuid_r[6] & 0x0f) | 0x40);
	uuid_r[8] = (uint8_t)((uuid_r[8] & 0x3f) | 0x80);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
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

static void print_machines(FILE *out)
{
	size_t i;

	fprintf(out, "Supported machines are:\n");
	for (i = 0; i < ARRAY_SIZE(machine_table); i++)
		fprintf(out, "%-20s %s\n", machine_table[i].name, machine_table[i].help);
}

static void print_xenpv_defaults(FILE *out)
{
	size_t i;

	fprintf(out, "Machine xenpv adds by default:\n");
	for (i = 0; i < ARRAY_SIZE(xenpv_defaults); i++) {
		const struct machine_default *d = &xenpv_defaults[i];

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
		print_xenpv_defaults(out);
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
			if (strcmp(val, "raw"))
				DRIVE_ERR("format %s is not supported: only raw is served (serve %s with "
					  "qemu-nbd and use file=/dev/nbdN, see README)", val, val);
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

const char *drive_probe_format(const uint8_t *head, size_t len)
{
	static const struct {
		const char *name;
		const char *magic;
		size_t magic_len;
		size_t offset;
	} formats[] = {
		{ "qcow2", "QFI\xfb", 4, 0 },	/* qcow version 1 has the same magic */
		{ "qed", "QED\0", 4, 0 },
		{ "vmdk", "KDMV", 4, 0 },
		{ "vhdx", "vhdxfile", 8, 0 },
		{ "vdi", "\x7f\x10\xda\xbe", 4, 64 },
		{ "vpc", "conectix", 8, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		size_t end = formats[i].offset + formats[i].magic_len;

		if (len >= end && !memcmp(head + formats[i].offset, formats[i].magic,
					  formats[i].magic_len))
			return formats[i].name;
	}
	return NULL;
}

/* The disk's file: a regular file or block device, openable, of a raw format. */
static int drive_check(const struct drive_config *d, FILE *err)
{
	uint8_t head[72];
	const char *format;
	struct stat st;
	ssize_t r;
	int fd = -1, rc;

	fd = open(d->file, (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		fprintf(err, PROG ": disk %s: %s\n", d->file, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		fprintf(err, PROG ": disk %s: %s\n", d->file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		rc = -EINVAL;
		fprintf(err, PROG ": disk %s: not a regular file or block device\n", d->file);
		goto out;
	}
	r = pread(fd, head, sizeof(head), 0);
	format = r > 0 ? drive_probe_format(head, (size_t)r) : NULL;
	if (format) {
		rc = -EINVAL;
		fprintf(err, PROG ": disk %s: this is a %s image; only raw images are served "
			     "(serve it with qemu-nbd and use /dev/nbdN, see README)\n",
			d->file, format);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
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
			fprintf(err, PROG ": -%s: disk index %u (xvd%c) is already in use\n", opt,
				d->index, 'a' + d->index);
			free(d->file);
			return -EINVAL;
		}
	cfg->disks[cfg->n_disks++] = *d;
	return 0;
}

static const struct option_desc *option_lookup(const char *arg)
{
	const char *name;
	size_t i;

	if (arg[0] != '-')
		return NULL;
	name = arg[1] == '-' ? arg + 2 : arg + 1;
	for (i = 0; i < ARRAY_SIZE(option_table); i++)
		if (!strcmp(option_table[i].name, name))
			return &option_table[i];
	return NULL;
}

/* The second pass: how the options fit together, then the defaults. */
static enum options_result options_finish(struct launch_config *cfg, bool serial_given,
					  struct nic_opts_state *nics, FILE *err)
{
	char uuid_text[UUID_STRING_SIZE], why[160];
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
	if (cfg->machine == MACHINE_XENPV && !cfg->kernel && !cfg->bootloader) {
		fprintf(err, PROG ": -M xenpv needs -kernel or -bootloader with a disk\n");
		return OPTIONS_ERROR;
	}
	if (cfg->kernel && image_check("kernel", cfg->kernel, err) < 0)
		return OPTIONS_ERROR;
	if (cfg->initrd && image_check("initrd", cfg->initrd, err) < 0)
		return OPTIONS_ERROR;
	for (unsigned d = 0; d < cfg->n_disks; d++)
		if (drive_check(&cfg->disks[d], err) < 0)
			return OPTIONS_ERROR;

	if (cfg->nographic && cfg->display.sdl) {
		fprintf(err, PROG ": -nographic cannot be used with -sdl\n");
		return OPTIONS_ERROR;
	}
	/* Like QEMU without a display, the serial port is the terminal, unless
	 * there is no terminal (-daemonize) or the monitor has it; with a
	 * display (and without -nographic) it is on the display's text console. */
	if (!serial_given) {
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
	if (nic_opts_finish(cfg, nics, why, sizeof(why)) < 0) {
		fprintf(err, PROG ": %s\n", why);
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}

static enum options_result parse_argv(int argc, char **argv, struct launch_config *cfg,
				      struct nic_opts_state *nics, FILE *out, FILE *err);

enum options_result options_parse(int argc, char **argv, struct launch_config *cfg,
				  FILE *out, FILE *err)
{
	struct nic_opts_state nics;
	enum options_result res;

	nic_opts_state_init(&nics);
	res = parse_argv(argc, argv, cfg, &nics, out, err);
	nic_opts_state_dispose(&nics);
	return res;
}

static enum options_result parse_argv(int argc, char **argv, struct launch_config *cfg,
				      struct nic_opts_state *nics, FILE *out, FILE *err)
{
	bool serial_given = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct option_desc *o = option_lookup(arg);
		const char *val = NULL, *v, *msg;
		char single[256];
		struct chardev_spec spec;
		enum options_result res;
		unsigned long n;
		uint64_t mib;
		char **field = NULL;
		int rc;

		if (arg[0] != '-') {
			/* QEMU reads a bare argument as the -hda image. */
			struct drive_config d = { .file = strdup(arg), .discard = true };

			if (!d.file || drive_add(cfg, "hda", &d, true, err) < 0)
				return OPTIONS_ERROR;
			continue;
		}
		if (!o) {
			fprintf(err, PROG ": %s: invalid option\n", arg);
			return OPTIONS_ERROR;
		}
		if (o->id == OPT_LATER) {
			fprintf(err, PROG ": -%s: not supported yet\n", o->name);
			return OPTIONS_ERROR;
		}
		if (o->arg) {
			if (i + 1 >= argc) {
				fprintf(err, PROG ": -%s: requires an argument\n", o->name);
				return OPTIONS_ERROR;
			}
			val = argv[++i];
		}

		switch (o->id) {
		case OPT_NAME:
			v = single_property(o->name, val, "guest", single, sizeof(single), err);
			if (!v || name_check(v, err) < 0)
				return OPTIONS_ERROR;
			field = &cfg->name;
			val = v;
			break;
		case OPT_MACHINE:
			res = machine_parse(o->name, val, cfg, out, err);
			if (res != OPTIONS_RUN)
				return res;
			break;
		case OPT_MEMORY:
			v = single_property(o->name, val, "size", single, sizeof(single), err);
			if (!v)
				return OPTIONS_ERROR;
			rc = memory_size_parse(v, &mib);
			if (rc == -EINVAL) {
				fprintf(err, PROG ": -m %s: invalid memory size (MiB, or a number with an M or G suffix)\n",
					val);
				return OPTIONS_ERROR;
			}
			if (rc == -ERANGE || mib > LAUNCH_MAX_MEMORY_MIB) {
				fprintf(err, PROG ": -m %s: memory size is above the 1 TiB limit\n", val);
				return OPTIONS_ERROR;
			}
			if (mib == 0) {
				fprintf(err, PROG ": -m %s: memory size must not be zero\n", val);
				return OPTIONS_ERROR;
			}
			cfg->memory_mib = mib;
			break;
		case OPT_SMP:
			v = single_property(o->name, val, "cpus", single, sizeof(single), err);
			if (!v)
				return OPTIONS_ERROR;
			rc = unsigned_parse(v, &n);
			if (rc == -EINVAL) {
				fprintf(err, PROG ": -smp %s: invalid vCPU count\n", val);
				return OPTIONS_ERROR;
			}
			if (rc == -ERANGE || n < 1 || n > LAUNCH_MAX_VCPUS) {
				fprintf(err, PROG ": -smp %s: vCPU count must be between 1 and %u\n", val,
					LAUNCH_MAX_VCPUS);
				return OPTIONS_ERROR;
			}
			cfg->vcpus = (unsigned)n;
			break;
		case OPT_KERNEL:
			field = &cfg->kernel;
			break;
		case OPT_INITRD:
			field = &cfg->initrd;
			break;
		case OPT_APPEND:
			field = &cfg->append;
			break;
		case OPT_BOOTLOADER:
			field = &cfg->bootloader;
			break;
		case OPT_BOOTLOADER_ARGS:
			field = &cfg->bootloader_args;
			break;
		case OPT_PIDFILE:
			field = &cfg->pidfile;
			break;
		case OPT_LOGFILE:
			field = &cfg->logfile;
			break;
		case OPT_UUID:
			if (uuid_from_string(val, cfg->uuid) < 0) {
				fprintf(err, PROG ": -uuid %s: invalid UUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)\n",
					val);
				return OPTIONS_ERROR;
			}
			cfg->uuid_set = true;
			break;
		case OPT_SERIAL:
		case OPT_MONITOR:
			if (o->id == OPT_SERIAL && serial_given) {
				fprintf(err, PROG ": -serial: not supported yet (one serial port)\n");
				return OPTIONS_ERROR;
			}
			rc = chardev_spec_parse(val, &spec, &msg);
			if (rc < 0) {
				fprintf(err, PROG ": -%s %s: %s\n", o->name, val, msg);
				return OPTIONS_ERROR;
			}
			if (o->id == OPT_MONITOR && spec.kind == CHARDEV_FILE) {
				chardev_spec_dispose(&spec);
				fprintf(err, PROG ": -monitor %s: a monitor needs input (file: is output only)\n",
					val);
				return OPTIONS_ERROR;
			}
			if (o->id == OPT_SERIAL) {
				serial_given = true;
				chardev_spec_dispose(&cfg->serial);
				cfg->serial = spec;
			} else {
				chardev_spec_dispose(&cfg->monitor);
				cfg->monitor = spec;
			}
			break;
		case OPT_NO_REBOOT:
			cfg->no_reboot = true;
			break;
		case OPT_PAUSED:
			cfg->start_paused = true;
			break;
		case OPT_DAEMONIZE:
			cfg->daemonize = true;
			break;
		case OPT_NOGRAPHIC:
			cfg->nographic = true;
			break;
		case OPT_VERSION:
			fprintf(out, PROG " version " XENLAUNCH_VERSION "\n");
			return OPTIONS_EXIT;
		case OPT_HELP:
			print_usage(out);
			return OPTIONS_EXIT;
		case OPT_HDA:
		case OPT_HDB:
		case OPT_HDC:
		case OPT_HDD:
		case OPT_CDROM: {
			struct drive_config d = { .discard = true };

			if (!*val) {
				fprintf(err, PROG ": -%s: empty path\n", o->name);
				return OPTIONS_ERROR;
			}
			d.file = strdup(val);
			if (!d.file) {
				fprintf(err, PROG ": -%s: out of memory\n", o->name);
				return OPTIONS_ERROR;
			}
			if (o->id == OPT_CDROM) {
				d.index = 2;	/* QEMU's -cdrom is the third IDE unit */
				d.media = DRIVE_MEDIA_CDROM;
				d.readonly = true;
			} else {
				d.index = (unsigned)(o->id - OPT_HDA);
			}
			if (drive_add(cfg, o->name, &d, true, err) < 0)
				return OPTIONS_ERROR;
			break;
		}
		case OPT_DRIVE: {
			struct drive_config d;
			bool index_set;
			char why[256];

			if (drive_spec_parse(val, &d, &index_set, why, sizeof(why)) < 0) {
				fprintf(err, PROG ": -drive %s: %s\n", val, why);
				return OPTIONS_ERROR;
			}
			if (drive_add(cfg, o->name, &d, index_set, err) < 0)
				return OPTIONS_ERROR;
			break;
		}
		case OPT_VNC:
		case OPT_DISPLAY:
		case OPT_KEYMAP: {
			char why[256];

			rc = o->id == OPT_VNC ? display_opts_vnc(val, &cfg->display, why, sizeof(why)) :
			     o->id == OPT_DISPLAY ? display_opts_display(val, &cfg->display, why, sizeof(why)) :
			     display_opts_keymap(val, &cfg->display, why, sizeof(why));
			if (rc < 0) {
				fprintf(err, PROG ": -%s %s: %s\n", o->name, val, why);
				return OPTIONS_ERROR;
			}
			break;
		}
		case OPT_SDL:
			cfg->display.sdl = true;
			break;
		case OPT_NIC:
		case OPT_NETDEV:
		case OPT_DEVICE: {
			char why[200];

			rc = o->id == OPT_NIC ? nic_opts_nic(val, cfg, why, sizeof(why)) :
			     o->id == OPT_NETDEV ? nic_opts_netdev(val, nics, why, sizeof(why)) :
						   nic_opts_device(val, cfg, nics, why, sizeof(why));
			if (rc < 0) {
				fprintf(err, PROG ": -%s %s: %s\n", o->name, val, why);
				return OPTIONS_ERROR;
			}
			break;
		}
		case OPT_LATER:
			break;
		}

		if (field) {
			/* Paths are used as given; an empty one is always a mistake. */
			if (!*val && field != &cfg->append && field != &cfg->bootloader_args) {
				fprintf(err, PROG ": -%s: empty %s\n", o->name,
					field == &cfg->name ? "name" : "path");
				return OPTIONS_ERROR;
			}
			if (replace_string(field, val) < 0) {
				fprintf(err, PROG ": -%s: out of memory\n", o->name);
				return OPTIONS_ERROR;
			}
		}
	}
	return options_finish(cfg, serial_given, nics, err);
}
