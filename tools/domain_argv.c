/* tools/domain_argv: the domain model <-> xenlaunch/QEMU command lines and xl.cfg. */
#include "tools/domain_argv.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/qemu_opts.h"
#include "common/strv.h"
#include "model/describe.h"
#include "model/names.h"
#include "model/nic_opts.h"
#include "model/options.h"
#include "model/xml_util.h"

int shell_split(const char *text, struct strv *out, char **err_r)
{
	const char *p = text;
	char *word = NULL;
	size_t wlen = 0;
	FILE *w = NULL;
	int rc = 0, leading = 1;

	for (;;) {
		int in_word = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || (*p == '\\' && p[1] == '\n'))
			p += *p == '\\' ? 2 : 1;
		if (!*p)
			break;
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		w = open_memstream(&word, &wlen);
		if (!w)
			return -ENOMEM;
		while (*p && !(*p == ' ' || *p == '\t' || *p == '\n')) {
			in_word = 1;
			if (*p == '\'') {
				const char *e = strchr(p + 1, '\'');

				if (!e) {
					rc = -EINVAL;
					*err_r = str_printf("unterminated quote in command line");
					goto out;
				}
				fwrite(p + 1, 1, (size_t)(e - p - 1), w);
				p = e + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] == '\n') {
						p += 2;
						continue;
					}
					if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]))
						p++;
					fputc(*p++, w);
				}
				if (*p != '"') {
					rc = -EINVAL;
					*err_r = str_printf("unterminated quote in command line");
					goto out;
				}
				p++;
			} else if (*p == '\\' && p[1] == '\n') {
				p += 2;
			} else if (*p == '\\' && p[1]) {
				fputc(p[1], w);
				p += 2;
			} else {
				fputc(*p++, w);
			}
		}
		fclose(w);
		w = NULL;
		if (in_word) {
			/* Environment assignments before the program name. */
			const char *eq = strchr(word, '=');
			int assign = leading && eq && eq != word;

			for (const char *q = word; assign && q < eq; q++)
				if (!isalnum((unsigned char)*q) && *q != '_')
					assign = 0;
			if (!assign) {
				leading = 0;
				rc = strv_take(out, word);
				word = NULL;
				if (rc) {
					*err_r = str_printf("out of memory");
					goto out;
				}
			}
		}
		free(word);
		word = NULL;
	}
out:
	if (w)
		fclose(w);
	free(word);
	return rc;
}

/* Errors and checks shared by the translators. */

static int fail(char **err_r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char **err_r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vfirst(err_r, rc, fmt, ap);
	va_end(ap);
	return rc;
}

/* Translating a config: its format, whether --lossy drops what we cannot translate. */
struct cfg_ctx {
	enum xen_cfg_format fmt;
	unsigned flags;
	char **err_r;
};

static const char *cfg_name(enum xen_cfg_format fmt)
{
	return fmt == XEN_CFG_XM ? "xm config" : "xl.cfg";
}

/*
 * A setting xvirsh cannot translate yet: refused by name (the gap is ours,
 * not the format's), or with --lossy dropped with one warning.
 */
static int gap(const struct cfg_ctx *cx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int gap(const struct cfg_ctx *cx, const char *fmt, ...)
{
	va_list ap;
	char *what = NULL;
	int rc = 0;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (!what)
		return fail(cx->err_r, -ENOMEM, "out of memory");
	if (cx->flags & DOMAIN_NATIVE_LOSSY)
		log_warnx("%s: %s is not supported by xvirsh yet, dropped", cfg_name(cx->fmt), what);
	else
		rc = fail(cx->err_r, -ENOTSUP, "%s is not supported by xvirsh yet", what);
	free(what);
	return rc;
}

/* MiB, rounded up, of a KiB size. */
static unsigned long long mib(unsigned long long kib)
{
	return (kib + 1023) / 1024;
}

/*
 * Adds option and the option string *line built with qemu_opts_append
 * (common/qemu_opts.h), which doubles every comma: a value from the XML
 * stays one value. failed: whether building *line failed. *line is taken
 * (NULL afterwards) whatever happens. Returns 0 or -ENOMEM.
 */
static int add_opts(struct strv *av, const char *option, char **line, bool failed)
{
	char *s = *line;
	int rc = failed || !s ? -ENOMEM : strv_add(av, option);

	*line = NULL;
	if (!rc)
		return strv_take(av, s);
	free(s);
	return rc;
}

static int chardev_spec(const struct domain_chardev *c, const char *target, char **spec_r, char **err_r)
{
	char *s = NULL;
	int bind = c->source_mode && !strcmp(c->source_mode, "bind");

	if (!strcmp(c->type, "pty") || !strcmp(c->type, "null") || !strcmp(c->type, "stdio") ||
	    !strcmp(c->type, "vc"))
		s = strdup(c->type);
	else if ((!strcmp(c->type, "file") || !strcmp(c->type, "pipe")) && c->source_path)
		s = str_printf("%s:%s", c->type, c->source_path);
	else if (!strcmp(c->type, "dev") && c->source_path)
		s = strdup(c->source_path);
	else if (!strcmp(c->type, "unix") && c->source_path) {
		char *path = str_printf("unix:%s", c->source_path);

		if (path && (qemu_opts_append(&s, NULL, path) ||
			     (bind && (qemu_opts_append(&s, NULL, "server") || qemu_opts_append(&s, NULL, "nowait"))))) {
			free(s);
			s = NULL;
		}
		free(path);
	}
	else if (!strcmp(c->type, "tcp") && c->source_service)
		s = str_printf("%s:%s:%s%s", c->protocol && !strcmp(c->protocol, "telnet") ? "telnet" : "tcp",
				 c->source_host ? c->source_host : "", c->source_service, bind ? ",server,nowait" : "");
	else
		return fail(err_r, -ENOTSUP, "%s type '%s' is not supported by %s",
			    c->kind == DOMAIN_CHARDEV_CONSOLE ? "console" : "serial", c->type, target);
	if (!s)
		return fail(err_r, -ENOMEM, "out of memory");
	*spec_r = s;
	return 0;
}

/* -serial for every serial port, and for a PV guest's Xen console. */
static int add_serials(const struct domain_def *def, const char *target, struct strv *av, char **err_r)
{
	size_t n_serial = 0;
	int rc;

	for (size_t i = 0; i < def->n_chardevs; i++)
		n_serial += def->chardevs[i].kind == DOMAIN_CHARDEV_SERIAL;
	for (size_t i = 0; i < def->n_chardevs; i++) {
		const struct domain_chardev *c = &def->chardevs[i];
		char *spec = NULL;

		/* libvirt mirrors serial 0 as <console target type='serial'>: one device. */
		if (c->kind == DOMAIN_CHARDEV_CONSOLE && n_serial &&
		    (!c->target_type || !strcmp(c->target_type, "serial")))
			continue;
		if (c->kind == DOMAIN_CHARDEV_CONSOLE && c->target_type && strcmp(c->target_type, "xen") &&
		    strcmp(c->target_type, "serial"))
			return fail(err_r, -ENOTSUP, "console target type '%s' is not supported by %s", c->target_type,
				    target);
		rc = chardev_spec(c, target, &spec, err_r);
		if (rc)
			return rc;
		rc = strv_add(av, "-serial");
		if (!rc)
			rc = strv_take(av, spec);
		else
			free(spec);
		if (rc)
			return fail(err_r, rc, "out of memory");
	}
	return 0;
}

/* -m and -smp, with QEMU's head room for ballooning and vCPU hotplug. */
static int add_memory_smp(const struct domain_def *def, struct strv *av)
{
	unsigned long long max = def->memory_kib, cur = def->current_memory_kib ? def->current_memory_kib : max;
	int rc = 0;

	if (max) {
		rc = strv_add(av, "-m");
		if (!rc && mib(cur) < mib(max))
			rc = strv_addf(av, "size=%lluM,maxmem=%lluM", mib(cur), mib(max));
		else if (!rc)
			rc = strv_addf(av, "%llu", mib(max));
	}
	if (!rc && def->vcpus) {
		rc = strv_add(av, "-smp");
		if (!rc && def->vcpus_current && def->vcpus_current < def->vcpus)
			rc = strv_addf(av, "%u,maxcpus=%u", def->vcpus_current, def->vcpus);
		else if (!rc)
			rc = strv_addf(av, "%u", def->vcpus);
	}
	return rc;
}

static int add_drive(const struct domain_disk *d, const char *iface, struct strv *av, char **err_r)
{
	char *line = NULL, index[16];
	int idx, rc = 0;
	int cdrom = d->device && !strcmp(d->device, "cdrom");

	if (d->device && strcmp(d->device, "disk") && !cdrom)
		return fail(err_r, -ENOTSUP, "disk device '%s' (%s) is not supported", d->device, d->target_dev);
	if (strcmp(d->type, "file") && strcmp(d->type, "block"))
		return fail(err_r, -ENOTSUP, "disk type '%s' (%s) is not supported", d->type, d->target_dev);
	idx = xvd_index(d->target_dev);
	if (idx < 0)
		return fail(err_r, -EINVAL, "cannot derive a disk index from target dev '%s'", d->target_dev);
	snprintf(index, sizeof(index), "%d", idx);
	if (d->source)
		rc = qemu_opts_append(&line, "file", d->source);
	if (!rc)
		rc = qemu_opts_append(&line, "if", iface) || qemu_opts_append(&line, "index", index) ||
		     qemu_opts_append(&line, "media", cdrom ? "cdrom" : "disk") ||
		     qemu_opts_append(&line, "format", d->driver_type ? d->driver_type : "raw");
	if (!rc && d->readonly)
		rc = qemu_opts_append(&line, "readonly", "on");
	if (!rc && d->driver_cache)
		rc = qemu_opts_append(&line, "cache", d->driver_cache);
	if (!rc && d->driver_discard)
		rc = qemu_opts_append(&line, "discard", d->driver_discard);
	rc = add_opts(av, "-drive", &line, rc);
	return rc ? fail(err_r, rc, "out of memory") : 0;
}

static int add_nic(const struct domain_interface *it, const char *target, struct strv *av, char **err_r)
{
	const char *ifname, *script;
	char *line = NULL;
	int rc;

	/* vif<domid>.<n> was generated by a launcher for one domain: it is not
	 * asked for again. Xen's own vif-* hotplug scripts are not run: the
	 * launcher joins the bridge itself. */
	ifname = it->target_dev && !nic_name_is_xl_vif(it->target_dev) ? it->target_dev : NULL;
	script = it->script && (strcmp(it->type, "bridge") || !nic_script_is_xen_hotplug(it->script)) ? it->script : NULL;
	if (!strcmp(it->type, "bridge") && it->source_bridge)
		rc = qemu_opts_append(&line, NULL, ifname || script ? "tap" : "bridge") ||
		     qemu_opts_append(&line, "br", it->source_bridge);
	else if (!strcmp(it->type, "ethernet"))
		rc = qemu_opts_append(&line, NULL, "tap");
	else
		return fail(err_r, -ENOTSUP, "interface type '%s' is not supported by %s", it->type, target);
	if (!rc && ifname)
		rc = qemu_opts_append(&line, "ifname", ifname);
	if (!rc && script)
		rc = qemu_opts_append(&line, "script", script);
	if (!rc && it->mac)
		rc = qemu_opts_append(&line, "mac", it->mac);
	if (!rc && it->model)
		rc = qemu_opts_append(&line, "model", it->model);
	rc = add_opts(av, "-nic", &line, rc);
	return rc ? fail(err_r, rc, "out of memory") : 0;
}

static int add_graphics(const struct domain_graphics *g, const char *target, struct strv *av, char **err_r)
{
	int rc;

	if (!strcmp(g->type, "vnc")) {
		const char *listen = g->listen ? g->listen : "127.0.0.1";
		int autoport = g->port < 0 || (g->autoport && !strcmp(g->autoport, "yes"));
		int display = autoport ? 0 : g->port - 5900;

		if (display < 0)
			return fail(err_r, -EINVAL, "VNC port %d is below 5900", g->port);
		char *addr = str_printf("%s%s%s:%d", strchr(listen, ':') ? "[" : "", listen,
					  strchr(listen, ':') ? "]" : "", display), *line = NULL;

		rc = !addr || qemu_opts_append(&line, NULL, addr) ||
		     (autoport && qemu_opts_append(&line, "to", "99")) ||
		     (g->passwd && qemu_opts_append(&line, "password", "on"));
		free(addr);
		rc = add_opts(av, "-vnc", &line, rc);
	} else if (!strcmp(g->type, "sdl")) {
		rc = strv_add(av, "-display");
		if (!rc)
			rc = strv_add(av, g->fullscreen && !strcmp(g->fullscreen, "yes") ? "sdl,full-screen=on" : "sdl");
	} else {
		return fail(err_r, -ENOTSUP, "graphics type '%s' is not supported by %s", g->type, target);
	}
	return rc ? fail(err_r, rc, "out of memory") : 0;
}

/* QEMU's NICs, serial ports and displays. */
static int add_nics_serials_graphics(const struct domain_def *def, const char *target, struct strv *av,
				     char **err_r)
{
	int rc;

	for (size_t i = 0; i < def->n_interfaces; i++) {
		rc = add_nic(&def->interfaces[i], target, av, err_r);
		if (rc)
			return rc;
	}
	rc = add_serials(def, target, av, err_r);
	if (rc)
		return rc;
	for (size_t i = 0; i < def->n_graphics; i++) {
		rc = add_graphics(&def->graphics[i], target, av, err_r);
		if (rc)
			return rc;
	}
	return 0;
}

int domain_to_xenlaunch_argv(const struct domain_def *def, const char *binary, const char *rundir,
			     struct strv *argv_r, char **err_r)
{
	struct launch_config cfg;
	struct strv av;
	int rc;

	*err_r = NULL;
	launch_config_init(&cfg);
	strv_init(&av);
	rc = launch_from_domain(def, &cfg, err_r);
	if (rc)
		goto out;
	/* The monitor xvirsh talks to: <rundir>/<name>.monitor. */
	cfg.monitor = (struct chardev_spec){ .kind = CHARDEV_UNIX, .server = true, .wait = false };
	if (asprintf(&cfg.monitor.path, "%s/%s.monitor", rundir, cfg.name) < 0) {
		cfg.monitor.path = NULL;
		rc = fail(err_r, -ENOMEM, "out of memory");
		goto out;
	}
	rc = options_format(&cfg, binary, &av);
	if (rc) {
		rc = fail(err_r, rc, "out of memory");
		goto out;
	}
	*argv_r = av;
	strv_init(&av);
out:
	strv_dispose(&av);
	launch_config_dispose(&cfg);
	return rc;
}

int domain_to_qemu_argv(const struct domain_def *def, const char *binary, struct strv *argv_r, char **err_r)
{
	static const char target[] = "qemu";
	char *line = NULL;
	struct strv av;
	int rc;
	int kvm = !strcmp(def->virt_type, "kvm");

	*err_r = NULL;
	strv_init(&av);
	if (!kvm && strcmp(def->virt_type, "qemu"))
		return fail(err_r, -ENOTSUP, "domain type '%s' is not a KVM or QEMU guest", def->virt_type);
	if (!domain_is_hvm(def))
		return fail(err_r, -ENOTSUP, "os type '%s' is not supported by %s", def->os_type, target);
	if (def->bootloader)
		return fail(err_r, -ENOTSUP, "element 'bootloader' is not supported by %s", target);
	rc = domain_check_extra(def, target, err_r);
	if (rc)
		return rc;
	if (def->n_hostdevs)
		return fail(err_r, -ENOTSUP, "element 'devices/hostdev' is not supported by %s", target);
	if (strv_add(&av, binary ? binary : def->emulator ? def->emulator : "/usr/bin/qemu-system-x86_64") ||
	    strv_add(&av, "-name") || strv_addf(&av, "guest=%s", def->name))
		goto nomem;
	if (add_opts(&av, "-machine", &line, qemu_opts_append(&line, NULL, def->os_machine ? def->os_machine : "pc") ||
						 qemu_opts_append(&line, "accel", kvm ? "kvm" : "tcg")))
		goto nomem;
	if (def->uuid && (strv_add(&av, "-uuid") || strv_add(&av, def->uuid)))
		goto nomem;
	if (add_memory_smp(def, &av))
		goto nomem;
	if (def->loader && (strv_add(&av, "-bios") || strv_add(&av, def->loader)))
		goto nomem;
	if (def->kernel && (strv_add(&av, "-kernel") || strv_add(&av, def->kernel)))
		goto nomem;
	if (def->initrd && (strv_add(&av, "-initrd") || strv_add(&av, def->initrd)))
		goto nomem;
	if (def->cmdline && (strv_add(&av, "-append") || strv_add(&av, def->cmdline)))
		goto nomem;
	if (def->n_boot) {
		char order[DOMAIN_BOOT_MAX + 1] = { 0 };

		for (size_t i = 0; i < def->n_boot; i++) {
			const char *b = def->boot[i];

			order[i] = !strcmp(b, "hd") ? 'c' : !strcmp(b, "cdrom") ? 'd' : !strcmp(b, "network") ? 'n' :
				   !strcmp(b, "fd") ? 'a' : '?';
			if (order[i] == '?') {
				rc = fail(err_r, -EINVAL, "unknown boot device '%s'", b);
				goto out;
			}
		}
		if (strv_add(&av, "-boot") || strv_addf(&av, "order=%s", order))
			goto nomem;
	}
	for (size_t i = 0; i < def->n_disks; i++) {
		const struct domain_disk *d = &def->disks[i];
		const char *bus = d->target_bus ? d->target_bus : !strncmp(d->target_dev, "vd", 2) ? "virtio" :
								!strncmp(d->target_dev, "sd", 2) ? "scsi" : "ide";

		if (!strcmp(bus, "xen")) {
			rc = fail(err_r, -ENOTSUP, "disk bus 'xen' (%s) is not supported by %s", d->target_dev, target);
			goto out;
		}
		rc = add_drive(d, bus, &av, err_r);
		if (rc)
			goto out;
	}
	rc = add_nics_serials_graphics(def, target, &av, err_r);
	if (rc)
		goto out;
	if (!def->n_graphics && (strv_add(&av, "-display") || strv_add(&av, "none")))
		goto nomem;
	for (size_t i = 0; i < def->n_videos; i++) {
		if (!def->videos[i].model)
			continue;
		if (strv_add(&av, "-vga") || strv_add(&av, !strcmp(def->videos[i].model, "vga") ? "std" : def->videos[i].model))
			goto nomem;
		break;
	}
	if (def->on_reboot && !strcmp(def->on_reboot, "destroy") && strv_add(&av, "-no-reboot"))
		goto nomem;
	*argv_r = av;
	return 0;
nomem:
	rc = fail(err_r, -ENOMEM, "out of memory");
out:
	strv_dispose(&av);
	return rc;
}

/* xl.cfg output. */

/* One quoted list element, as xl's parser reads it. */
static void cfg_item(FILE *f, int first, const char *s)
{
	fputs(first ? "\"" : ", \"", f);
	for (const char *p = s; *p; p++) {
		/* A newline would end the string: escaped, as the reader reads \n and \t. */
		if (*p == '\n' || *p == '\t') {
			fputs(*p == '\n' ? "\\n" : "\\t", f);
			continue;
		}
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static void cfg_str(FILE *f, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(f, "%s = ", key);
	cfg_item(f, 1, value);
	fputc('\n', f);
}

/* From native formats. */

static char *dupstr(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static void *grow_one(void **arr, size_t *n, size_t size, char **err_r)
{
	void *p;
	int rc = domain_array_grow(arr, n, size, &p);

	if (rc == -E2BIG)
		fail(err_r, rc, "too many devices (at most %u of a kind)", DOMAIN_DEVICES_MAX);
	else if (rc)
		fail(err_r, rc, "out of memory");
	return rc ? NULL : p;
}

/*
 * Splits a QEMU option value at single commas (",," is a literal comma).
 * Returns the next item in a new string and advances *pp; NULL at the end.
 */
static char *qemu_next_item(const char **pp)
{
	const char *p = *pp;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!p || !*p)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	while (*p) {
		if (*p == ',' && p[1] == ',') {
			fputc(',', f);
			p += 2;
		} else if (*p == ',') {
			p++;
			break;
		} else {
			fputc(*p++, f);
		}
	}
	fclose(f);
	*pp = p;
	return buf;
}

/* "key=value" -> value if the key matches, else NULL. */
static const char *kv(const char *item, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(item, key, n) && item[n] == '=' ? item + n + 1 : NULL;
}

static int set_str(char **dst, const char *v, char **err_r)
{
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : fail(err_r, -ENOMEM, "out of memory");
}

static int parse_uint_opt(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* A -serial / xl serial value -> chardev fields. */
static int chardev_from_spec(struct domain_chardev *c, const char *spec, char **err_r)
{
	int rc = 0;

	c->target_port = -1;
	if (!strcmp(spec, "pty") || !strcmp(spec, "null") || !strcmp(spec, "stdio") || !strcmp(spec, "vc"))
		return set_str(&c->type, spec, err_r);
	if (!strncmp(spec, "file:", 5) || !strncmp(spec, "pipe:", 5)) {
		rc = set_str(&c->type, !strncmp(spec, "file:", 5) ? "file" : "pipe", err_r);
		return rc ? rc : set_str(&c->source_path, spec + 5, err_r);
	}
	if (!strncmp(spec, "/dev/", 5)) {
		rc = set_str(&c->type, "dev", err_r);
		return rc ? rc : set_str(&c->source_path, spec, err_r);
	}
	if (!strncmp(spec, "unix:", 5) || !strncmp(spec, "tcp:", 4) || !strncmp(spec, "telnet:", 7)) {
		const char *p = strchr(spec, ':') + 1;
		char *addr = qemu_next_item(&p), *item;
		int server = 0;

		if (!addr)
			return fail(err_r, -EINVAL, "invalid character device '%s'", spec);
		while ((item = qemu_next_item(&p))) {
			if (!strcmp(item, "server") || !strcmp(item, "server=on"))
				server = 1;
			else if (strcmp(item, "nowait") && strcmp(item, "wait=off"))
				rc = fail(err_r, -ENOTSUP, "character device option '%s' is not supported", item);
			free(item);
		}
		if (!rc && spec[0] == 'u') {
			rc = set_str(&c->type, "unix", err_r);
			if (!rc)
				rc = set_str(&c->source_path, addr, err_r);
		} else if (!rc) {
			char *colon = strrchr(addr, ':');

			if (!colon)
				rc = fail(err_r, -EINVAL, "invalid character device '%s'", spec);
			if (!rc)
				rc = set_str(&c->type, "tcp", err_r);
			if (!rc && colon != addr) {
				c->source_host = dupstr(addr, (size_t)(colon - addr));
				if (!c->source_host)
					rc = fail(err_r, -ENOMEM, "out of memory");
			}
			if (!rc)
				rc = set_str(&c->source_service, colon + 1, err_r);
			if (!rc)
				rc = set_str(&c->protocol, spec[1] == 'e' ? "telnet" : "raw", err_r);
		}
		if (!rc)
			rc = set_str(&c->source_mode, server ? "bind" : "connect", err_r);
		free(addr);
		return rc;
	}
	return fail(err_r, -ENOTSUP, "character device '%s' is not supported", spec);
}

static int add_chardev(struct domain_def *def, const char *spec, char **err_r)
{
	int pv = domain_is_xen_pv(def) || domain_is_xen_pvh(def);
	struct domain_chardev *c = grow_one((void **)&def->chardevs, &def->n_chardevs, sizeof(*c), err_r);
	size_t port = 0;
	int rc;

	if (!c)
		return -E2BIG;
	rc = chardev_from_spec(c, spec, err_r);
	if (rc)
		return rc;
	for (size_t i = 0; i + 1 < def->n_chardevs; i++)
		port += def->chardevs[i].kind == (pv ? DOMAIN_CHARDEV_CONSOLE : DOMAIN_CHARDEV_SERIAL);
	/* A PV guest's serial line is its Xen console. */
	c->kind = pv ? DOMAIN_CHARDEV_CONSOLE : DOMAIN_CHARDEV_SERIAL;
	c->target_port = (int)port;
	if (pv)
		return set_str(&c->target_type, "xen", err_r);
	return 0;
}

int domain_from_xenlaunch_argv(struct domain_def *def, size_t argc, char *const *argv, char **err_r)
{
	const struct launch_live live = { .domid = 0, .serial_pty = NULL, .vnc_port = -1 };
	enum options_result res;
	struct launch_config cfg;
	char *msg = NULL;
	size_t len = 0;
	FILE *err;
	int rc;

	*err_r = NULL;
	launch_config_init(&cfg);
	err = open_memstream(&msg, &len);
	if (!err)
		return fail(err_r, -ENOMEM, "out of memory");
	/* The launcher's own parser; the files are the launcher's to open. */
	res = options_parse_no_files((int)argc, (char **)argv, &cfg, err, err);
	fclose(err);
	if (res == OPTIONS_ERROR) {
		if (len && msg[len - 1] == '\n')
			msg[len - 1] = '\0';
		rc = fail(err_r, -EINVAL, "%s", msg ? msg : "out of memory");
	} else if (res == OPTIONS_EXIT) {
		rc = fail(err_r, -EINVAL, "the command line asks for information, not a guest (-help, -version, -M help)");
	} else {
		rc = launch_describe(&cfg, &live, def);
		if (rc)
			rc = fail(err_r, rc, "out of memory");
	}
	free(msg);
	launch_config_dispose(&cfg);
	return rc;
}

/*
 * xl.cfg: KEY = VALUE lines; VALUE is a "string", 'string', a number, or a
 * [ list, of, values ] that may span lines; '#' comments; ';' separators.
 */
struct xl_setting {
	char *key;
	struct strv values; /* one for a scalar */
	int is_list;
};

struct xl_cfg {
	struct xl_setting *s;
	size_t n;
};

static void xl_cfg_dispose(struct xl_cfg *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->s[i].key);
		strv_dispose(&c->s[i].values);
	}
	free(c->s);
}

static const char *skip_blank(const char *p, const char *end, int *line, int newlines)
{
	while (p < end) {
		if (*p == '#') {
			while (p < end && *p != '\n')
				p++;
		} else if (*p == ' ' || *p == '\t' || *p == '\r' || (newlines && *p == '\n')) {
			if (*p == '\n')
				(*line)++;
			p++;
		} else {
			break;
		}
	}
	return p;
}

/* One scalar value at p: quoted string or bare word/number. */
static const char *xl_scalar(const char *p, const char *end, char **out, int line, char **err_r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*out = NULL;
	if (!f) {
		fail(err_r, -ENOMEM, "out of memory");
		return NULL;
	}
	if (end - p >= 6 && (!strncmp(p, "\"\"\"", 3) || !strncmp(p, "'''", 3))) {
		/* xm configs are Python: a triple-quoted string holds quotes as they are. */
		const char *e = memmem(p + 3, (size_t)(end - p - 3), p, 3);

		if (!e) {
			fclose(f);
			free(buf);
			fail(err_r, -EINVAL, "xl.cfg line %d: unterminated string", line);
			return NULL;
		}
		fwrite(p + 3, 1, (size_t)(e - p - 3), f);
		p = e + 3;
	} else if (p < end && (*p == '"' || *p == '\'')) {
		char q = *p++;

		while (p < end && *p != q && *p != '\n') {
			if (*p == '\\' && p + 1 < end) {
				p++;
				fputc(*p == 'n' ? '\n' : *p == 't' ? '\t' : *p, f);
				p++;
				continue;
			}
			fputc(*p++, f);
		}
		if (p >= end || *p != q) {
			fclose(f);
			free(buf);
			fail(err_r, -EINVAL, "xl.cfg line %d: unterminated string", line);
			return NULL;
		}
		p++;
	} else {
		while (p < end && (isalnum((unsigned char)*p) || strchr("._-+/:", *p)))
			fputc(*p++, f);
		if (len == 0 && ftell(f) == 0) {
			fclose(f);
			free(buf);
			fail(err_r, -EINVAL, "xl.cfg line %d: expected a value", line);
			return NULL;
		}
	}
	fclose(f);
	*out = buf;
	return p;
}

static int xl_cfg_parse(struct xl_cfg *c, const char *text, size_t len, char **err_r)
{
	const char *p = text, *end = text + len;
	int line = 1;

	while (1) {
		struct xl_setting *s;
		const char *k;

		p = skip_blank(p, end, &line, 1);
		while (p < end && *p == ';')
			p = skip_blank(p + 1, end, &line, 1);
		if (p >= end)
			break;
		k = p;
		while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		if (p == k)
			return fail(err_r, -EINVAL, "xl.cfg line %d: expected a setting name", line);
		s = grow_one((void **)&c->s, &c->n, sizeof(*c->s), err_r);
		if (!s)
			return -E2BIG;
		s->key = dupstr(k, (size_t)(p - k));
		if (!s->key)
			return fail(err_r, -ENOMEM, "out of memory");
		p = skip_blank(p, end, &line, 0);
		if (p >= end || *p != '=')
			return fail(err_r, -EINVAL, "xl.cfg line %d: expected '=' after '%s'", line, s->key);
		p = skip_blank(p + 1, end, &line, 0);
		if (p < end && *p == '[') {
			s->is_list = 1;
			p = skip_blank(p + 1, end, &line, 1);
			while (p < end && *p != ']') {
				char *v = NULL;

				if (s->values.n >= DOMAIN_DEVICES_MAX)
					return fail(err_r, -E2BIG, "xl.cfg line %d: list '%s' is too long", line, s->key);
				if (*p == '[') {
					/* A nested list (vnuma) is kept as its text. */
					const char *q = p;
					int depth = 0;

					do {
						if (*q == '[' && ++depth > 8)
							return fail(err_r, -EINVAL, "xl.cfg line %d: lists nested too deep",
								    line);
						if (*q == ']')
							depth--;
						if (*q == '\n')
							line++;
						q++;
					} while (q < end && depth > 0);
					if (depth)
						return fail(err_r, -EINVAL, "xl.cfg line %d: unterminated list '%s'", line,
							    s->key);
					v = dupstr(p, (size_t)(q - p));
					p = q;
				} else {
					p = xl_scalar(p, end, &v, line, err_r);
				}
				if (!p)
					return -EINVAL;
				if (strv_take(&s->values, v))
					return fail(err_r, -ENOMEM, "out of memory");
				p = skip_blank(p, end, &line, 1);
				if (p < end && *p == ',')
					p = skip_blank(p + 1, end, &line, 1);
				else if (p < end && *p != ']')
					return fail(err_r, -EINVAL, "xl.cfg line %d: expected ',' or ']' in '%s'", line,
						    s->key);
			}
			if (p >= end)
				return fail(err_r, -EINVAL, "xl.cfg line %d: unterminated list '%s'", line, s->key);
			p++;
		} else {
			char *v = NULL;

			p = xl_scalar(p, end, &v, line, err_r);
			if (!p)
				return -EINVAL;
			if (strv_take(&s->values, v))
				return fail(err_r, -ENOMEM, "out of memory");
		}
		p = skip_blank(p, end, &line, 0);
		if (p < end && *p != '\n' && *p != ';')
			return fail(err_r, -EINVAL, "xl.cfg line %d: unexpected text after '%s'", line, s->key);
	}
	return 0;
}

/* xm and xl disk specs: xl-disk-configuration(5), the deprecated xm forms included. */

static const char *const xl_formats[] = { "raw", "qcow", "qcow2", "vhd", "qed", NULL };
/* HVM flags that are on unless the config says 0. */
static const char *const hvm_flags[] = { "pae", "acpi", "apic", NULL };

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

/* xl's bare flags that have no place in the model yet. */
static const char *const disk_flags[] = { "direct-io-safe", "colo", "trusted", "untrusted", NULL };

static bool is_access(const char *s)
{
	static const char *const access[] = { "", "r", "ro", "w", "rw", "w!", NULL };

	return in_list(access, s);
}

/*
 * Strips xm's prefixes from a positional target ("tap:aio:/x", "phy:/dev/x",
 * "qcow2:/x"): those that name the backend set *driver (libvirt's driver
 * name), the format prefixes set *format, the rest are ignored as xl does.
 * Returns the target after them; *depr tells whether there were any.
 */
static const char *strip_prefixes(const char *t, const char **driver, const char **format, bool *depr,
				  const char **script)
{
	static const struct {
		const char *prefix, *driver, *format;
	} pre[] = {
		{ "phy:", "phy", NULL }, { "file:", "file", NULL }, { "tap:", "tap", NULL }, { "tap2:", "tap", NULL },
		{ "tapdisk:", "tap", NULL }, { "aio:", NULL, "raw" }, { "ioemu:", NULL, NULL },
		{ "raw:", NULL, "raw" }, { "qcow:", NULL, "qcow" }, { "qcow2:", NULL, "qcow2" },
		{ "vhd:", NULL, "vhd" }, { "qed:", NULL, "qed" },
		{ "iscsi:", NULL, NULL }, { "nbd:", NULL, NULL }, { "enbd:", NULL, NULL }, { "drbd:", NULL, NULL },
	};

	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
			size_t n = strlen(pre[i].prefix);

			if (strncmp(t, pre[i].prefix, n))
				continue;
			if (i >= sizeof(pre) / sizeof(pre[0]) - 4)
				*script = pre[i].prefix;
			if (pre[i].driver)
				*driver = pre[i].driver;
			if (pre[i].format)
				*format = pre[i].format;
			*depr = again = true;
			t += n;
			break;
		}
	}
	return t;
}

/* Sets a disk parameter once: xl refuses a parameter given twice. */
static int disk_param(char **dst, const char *v, const char *name, const char *spec, char **err_r)
{
	if (*dst)
		return fail(err_r, -EINVAL, "disk '%s': '%s' given twice", spec, name);
	return set_str(dst, v, err_r);
}

int xen_disk_parse(struct domain_disk *d, const char *spec, unsigned flags, char **err_r)
{
	const char *p = spec, *driver = NULL, *prefix_format = NULL, *script = NULL;
	char *pos[4] = { NULL }, *target = NULL, *format = NULL, *vdev = NULL, *access = NULL, *devtype = NULL;
	char *backend = NULL, *path = NULL;
	size_t npos = 0;
	bool depr = false, shareable = false, readonly;
	int rc = 0;

	while (!rc && *p) {
		const char *comma, *v;
		size_t n;
		char *item;

		p += strspn(p, " \t");
		/* target= takes the rest of the spec, commas included. */
		if (!strncmp(p, "target=", 7)) {
			free(target);
			rc = set_str(&target, p + 7, err_r);
			break;
		}
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		item = dupstr(p, n);
		if (!item)
			return fail(err_r, -ENOMEM, "out of memory");
		p = comma ? comma + 1 : p + strlen(p);
		if ((v = kv(item, "format")))
			rc = disk_param(&format, v, "format", spec, err_r);
		else if ((v = kv(item, "vdev")))
			rc = disk_param(&vdev, v, "vdev", spec, err_r);
		else if ((v = kv(item, "access")))
			rc = disk_param(&access, v, "access", spec, err_r);
		else if ((v = kv(item, "backendtype")))
			rc = disk_param(&backend, v, "backendtype", spec, err_r);
		else if ((v = kv(item, "devtype")))
			rc = disk_param(&devtype, v, "devtype", spec, err_r);
		else if (!strcmp(item, "cdrom"))
			rc = disk_param(&devtype, "cdrom", "devtype", spec, err_r);
		else if (!strcmp(item, "discard") || !strcmp(item, "no-discard"))
			rc = set_str(&d->driver_discard, item[0] == 'd' ? "unmap" : "ignore", err_r);
		else if (strchr(item, '=') || in_list(disk_flags, item))
			/* a key=value or flag of xl's we do not translate (script=, backend=, colo...) */
			rc = (flags & DOMAIN_NATIVE_LOSSY) ?
				     (log_warnx("disk '%s': setting '%.*s' is not supported by xvirsh yet, dropped", spec,
						(int)strcspn(item, "="), item), 0) :
				     fail(err_r, -ENOTSUP, "disk setting '%.*s' is not supported by xvirsh yet",
					  (int)strcspn(item, "="), item);
		else if (npos == 4)
			rc = fail(err_r, -EINVAL, "disk '%s': too many positional parameters", spec);
		else {
			pos[npos++] = item;
			item = NULL;
		}
		free(item);
	}
	if (rc)
		goto out;
	if (npos) {
		const char *t = strip_prefixes(pos[0], &driver, &prefix_format, &depr, &script);
		/*
		 * xm's TARGET,VDEV,ACCESS: after a prefix, or when the second
		 * word is no format and the third an access mode.
		 */
		bool xm = npos <= 3 && npos >= 2 &&
			  (depr || (npos == 3 && !in_list(xl_formats, pos[1]) && is_access(pos[2])));

		if (script) {
			rc = (flags & DOMAIN_NATIVE_LOSSY) ? 0 :
				fail(err_r, -ENOTSUP, "disk script prefix '%s' is not supported by xvirsh yet", script);
			goto out;
		}
		if (*t && !target)
			rc = set_str(&target, t, err_r);
		if (!rc && prefix_format && !format)
			rc = set_str(&format, prefix_format, err_r);
		for (size_t i = 1; !rc && i < npos; i++) {
			static const char *const names[] = { "target", "format", "vdev", "access" };
			size_t slot = xm ? (i == 1 ? 2 : 3) : i;
			char **dst = slot == 1 ? &format : slot == 2 ? &vdev : &access;

			if (*pos[i])
				rc = disk_param(dst, pos[i], names[slot], spec, err_r);
		}
		if (rc)
			goto out;
	}
	/* xm's "ioemu:hda" and "hdc:cdrom". */
	if (vdev && !strncmp(vdev, "ioemu:", 6))
		memmove(vdev, vdev + 6, strlen(vdev + 6) + 1);
	if (vdev && strchr(vdev, ':')) {
		char *colon = strchr(vdev, ':');

		if (strcmp(colon, ":cdrom") && strcmp(colon, ":disk")) {
			rc = fail(err_r, -EINVAL, "disk '%s': unknown device type '%s'", spec, colon + 1);
			goto out;
		}
		if (!strcmp(colon, ":cdrom") && !devtype)
			rc = set_str(&devtype, "cdrom", err_r);
		*colon = '\0';
		if (rc)
			goto out;
	}
	if (!vdev || !*vdev) {
		rc = fail(err_r, -EINVAL, "disk '%s' has no vdev", spec);
		goto out;
	}
	if (!disk_name_usable(vdev)) {
		rc = fail(err_r, -EINVAL, "disk '%s': invalid vdev '%s' (xvdN, hdN, sdN)", spec, vdev);
		goto out;
	}
	if (format && !*format) {
		free(format);
		format = NULL;
	}
	if (format && !in_list(xl_formats, format)) {
		rc = fail(err_r, -EINVAL, "disk '%s': unknown format '%s' (raw, qcow, qcow2, vhd, qed)", spec, format);
		goto out;
	}
	if (devtype && strcmp(devtype, "cdrom") && strcmp(devtype, "disk")) {
		rc = fail(err_r, -EINVAL, "disk '%s': unknown devtype '%s'", spec, devtype);
		goto out;
	}
	if (access && !is_access(access)) {
		rc = fail(err_r, -EINVAL, "disk '%s': unknown access '%s' (r, ro, w, rw, w!)", spec, access);
		goto out;
	}
	if (backend && strcmp(backend, "phy") && strcmp(backend, "tap") && strcmp(backend, "qdisk")) {
		rc = fail(err_r, -EINVAL, "disk '%s': unknown backendtype '%s' (phy, tap, qdisk)", spec, backend);
		goto out;
	}
	if (backend)
		driver = !strcmp(backend, "qdisk") ? "qemu" : backend;
	/* xl prepends /dev to a target that is no absolute path. */
	if (target && *target && *target != '/') {
		path = str_printf("/dev/%s", target);
		if (!path) {
			rc = fail(err_r, -ENOMEM, "out of memory");
			goto out;
		}
		free(target);
		target = path;
	}
	shareable = access && !strcmp(access, "w!");
	/* xl opens every CD-ROM read-only. */
	readonly = (access && (!strcmp(access, "r") || !strcmp(access, "ro"))) || (devtype && !strcmp(devtype, "cdrom"));
	rc = set_str(&d->type, (driver && !strcmp(driver, "phy")) || (target && !strncmp(target, "/dev/", 5)) ?
			      "block" : "file", err_r);
	if (!rc)
		rc = set_str(&d->device, devtype && !strcmp(devtype, "cdrom") ? "cdrom" : "disk", err_r);
	if (!rc && driver)
		rc = set_str(&d->driver_name, driver, err_r);
	if (!rc)
		rc = set_str(&d->driver_type, format ? format : "raw", err_r);
	if (!rc && target && *target)
		rc = set_str(&d->source, target, err_r);
	if (!rc)
		rc = set_str(&d->target_dev, vdev, err_r);
	if (!rc)
		rc = set_str(&d->target_bus, !strncmp(vdev, "hd", 2) ? "ide" : !strncmp(vdev, "sd", 2) ? "scsi" : "xen",
			     err_r);
	d->readonly = readonly;
	d->shareable = shareable;
out:
	for (size_t i = 0; i < npos; i++)
		free(pos[i]);
	free(target);
	free(format);
	free(vdev);
	free(access);
	free(devtype);
	free(backend);
	return rc;
}

/* xl's rate= ("10MB/s", "100Mb/s"), in KiB/s as libvirt's <bandwidth> counts, rounded up. */
static int vif_rate(const struct cfg_ctx *cx, const char *v, unsigned long long *kbps)
{
	static const struct {
		const char *unit;
		unsigned long long mul, div; /* KiB/s = n * mul / div */
	} units[] = {
		{ "GB/s", 1 << 20, 1 }, { "MB/s", 1 << 10, 1 }, { "KB/s", 1, 1 }, { "B/s", 1, 1024 },
		{ "Gb/s", 1 << 17, 1 }, { "Mb/s", 1 << 7, 1 }, { "Kb/s", 1, 8 }, { "b/s", 1, 8192 },
	};
	char *end;
	unsigned long long n;

	errno = 0;
	n = isdigit((unsigned char)*v) ? strtoull(v, &end, 10) : 0;
	if (!n || errno || n > (1ull << 40))
		return fail(cx->err_r, -EINVAL, "%s: invalid vif rate '%s'", cfg_name(cx->fmt), v);
	if (strchr(end, '@'))
		return gap(cx, "vif rate interval '%s'", strchr(end, '@'));
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].unit)) {
			*kbps = (n * units[i].mul + units[i].div - 1) / units[i].div;
			return 0;
		}
	return fail(cx->err_r, -EINVAL, "%s: invalid vif rate '%s' (a number and B/s, KB/s, MB/s, GB/s, b/s ... Gb/s)",
		    cfg_name(cx->fmt), v);
}

/* bridge=ovsbr0.42 (one VLAN) or ovsbr0:42:43 (a trunk): an Open vSwitch port, as libvirt reads it. */
static int vif_bridge(const struct cfg_ctx *cx, struct domain_interface *it, const char *v)
{
	size_t n = strcspn(v, ".:");
	const char *p = v + n;
	int rc;

	if (!*p)
		return set_str(&it->source_bridge, v, cx->err_r);
	it->vlan_trunk = *p == ':';
	while (*p) {
		char *end;
		unsigned long tag;

		if (it->n_vlan_tags == DOMAIN_VLAN_TAGS_MAX || (*p == '.' && it->n_vlan_tags) ||
		    !isdigit((unsigned char)p[1]))
			return fail(cx->err_r, -EINVAL, "%s: invalid vif bridge '%s'", cfg_name(cx->fmt), v);
		errno = 0;
		tag = strtoul(p + 1, &end, 10);
		if (errno || tag > 4095 || (*end && *end != ':'))
			return fail(cx->err_r, -EINVAL, "%s: invalid VLAN tag in vif bridge '%s' (0 to 4095)",
				    cfg_name(cx->fmt), v);
		it->vlan_tags[it->n_vlan_tags++] = (unsigned)tag;
		p = end;
	}
	it->source_bridge = dupstr(v, n);
	rc = it->source_bridge ? set_str(&it->virtualport_type, "openvswitch", cx->err_r) :
				 fail(cx->err_r, -ENOMEM, "out of memory");
	return rc;
}

static int xl_vif(const struct cfg_ctx *cx, struct domain_def *def, const char *spec)
{
	struct domain_interface *it = grow_one((void **)&def->interfaces, &def->n_interfaces, sizeof(*it), cx->err_r);
	char *copy, *save = NULL;
	int rc = 0;

	if (!it)
		return -E2BIG;
	copy = strdup(spec);
	if (!copy)
		return fail(cx->err_r, -ENOMEM, "out of memory");
	for (char *item = strtok_r(copy, ",", &save); !rc && item; item = strtok_r(NULL, ",", &save)) {
		const char *v;

		while (*item == ' ')
			item++;
		if ((v = kv(item, "mac")))
			rc = set_str(&it->mac, v, cx->err_r);
		else if ((v = kv(item, "bridge")))
			rc = vif_bridge(cx, it, v);
		else if ((v = kv(item, "script")))
			rc = set_str(&it->script, v, cx->err_r);
		else if ((v = kv(item, "model")))
			rc = set_str(&it->model, v, cx->err_r);
		else if ((v = kv(item, "vifname")))
			rc = set_str(&it->target_dev, v, cx->err_r);
		else if ((v = kv(item, "ip")))
			rc = set_str(&it->ip, v, cx->err_r);
		else if ((v = kv(item, "rate")))
			rc = vif_rate(cx, v, &it->outbound_kbps);
		else if ((v = kv(item, "type"))) {
			/* xl's type=vif and xm's type=netfront: the PV NIC alone, libvirt's model netfront. */
			if (!strcmp(v, "vif") || !strcmp(v, "netfront"))
				rc = set_str(&it->model, "netfront", cx->err_r);
			else if (strcmp(v, "ioemu"))
				rc = fail(cx->err_r, -EINVAL, "%s: unknown vif type '%s' (ioemu, vif)", cfg_name(cx->fmt), v);
		} else if (*item)
			rc = gap(cx, "vif setting '%.*s'", (int)strcspn(item, "="), item);
	}
	free(copy);
	if (!rc)
		rc = set_str(&it->type, it->source_bridge ? "bridge" : "ethernet", cx->err_r);
	if (!rc && it->ip && strchr(it->ip, ' ')) {
		rc = gap(cx, "a second vif ip address ('%s')", it->ip);
		*strchr(it->ip, ' ') = '\0';
	}
	return rc;
}

static struct domain_graphics *xl_graphics(struct domain_def *def, const char *type, char **err_r)
{
	struct domain_graphics *g;

	for (size_t i = 0; i < def->n_graphics; i++)
		if (!strcmp(def->graphics[i].type, type))
			return &def->graphics[i];
	g = grow_one((void **)&def->graphics, &def->n_graphics, sizeof(*g), err_r);
	if (!g)
		return NULL;
	g->port = DOMAIN_PORT_ABSENT;
	if (set_str(&g->type, type, err_r))
		return NULL;
	if (!strcmp(type, "vnc")) {
		g->port = -1;
		if (set_str(&g->autoport, "yes", err_r))
			return NULL;
	}
	return g;
}
/* A vnc/sdl key of xl.cfg or of a vfb spec. 1 when known, 0 when not, <0 on error. */
static int xl_graphics_key(struct domain_def *def, const char *key, const char *v, char **err_r)
{
	struct domain_graphics *g;
	int on = !strcmp(v, "1");

	if (!strcmp(key, "vnc") || !strcmp(key, "sdl")) {
		if (on && !xl_graphics(def, key, err_r))
			return -ENOMEM;
		return 1;
	}
	if (!strcmp(key, "vncunused") || !strcmp(key, "vnclisten") || !strcmp(key, "vncpasswd") ||
	    !strcmp(key, "vncdisplay") || !strcmp(key, "keymap")) {
		g = xl_graphics(def, "vnc", err_r);
		if (!g)
			return -ENOMEM;
		if (!strcmp(key, "vncunused")) {
			if (!on && g->port < 0)
				g->port = 5900;
			if (set_str(&g->autoport, on ? "yes" : "no", err_r))
				return -ENOMEM;
			if (on)
				g->port = -1;
		} else if (!strcmp(key, "vncdisplay")) {
			unsigned d = 0;

			if (strcmp(v, "0") && parse_uint_opt(v, 59635, &d))
				return fail(err_r, -EINVAL, "xl.cfg: invalid vncdisplay '%s'", v);
			g->port = (int)(5900 + d);
			if (set_str(&g->autoport, "no", err_r))
				return -ENOMEM;
		} else if (set_str(!strcmp(key, "vnclisten") ? &g->listen : !strcmp(key, "vncpasswd") ? &g->passwd :
											     &g->keymap,
				   v, err_r)) {
			return -ENOMEM;
		}
		return 1;
	}
	if (!strcmp(key, "display") || !strcmp(key, "xauthority")) {
		g = xl_graphics(def, "sdl", err_r);
		if (!g || set_str(!strcmp(key, "display") ? &g->display : &g->xauth, v, err_r))
			return -ENOMEM;
		return 1;
	}
	return 0;
}

static int xl_uint(const struct xl_setting *s, unsigned long long max, unsigned long long *out, char **err_r)
{
	char *end;

	errno = 0;
	if (s->is_list || !isdigit((unsigned char)s->values.v[0][0]) ||
	    (*out = strtoull(s->values.v[0], &end, 10), errno || *end || *out > max))
		return fail(err_r, -EINVAL, "xl.cfg: invalid value '%s' for '%s'", s->is_list ? "[...]" : s->values.v[0],
			    s->key);
	return 0;
}


/* A pci = [ ... ] item: [DDDD:]BB:DD.F[,permissive=0|1][,seize=0|1], xl-pci-configuration(5). */
static int xl_pci(const struct cfg_ctx *cx, struct domain_def *def, const char *spec)
{
	struct domain_hostdev *h = grow_one((void **)&def->hostdevs, &def->n_hostdevs, sizeof(*h), cx->err_r);
	unsigned dom = 0, bus = 0, slot = 0, fn = 0;
	char *copy, *save = NULL, *bdf;
	int n = 0, rc = 0;
	bool ok = false;

	if (!h)
		return -E2BIG;
	copy = strdup(spec);
	if (!copy)
		return fail(cx->err_r, -ENOMEM, "out of memory");
	bdf = strtok_r(copy, ",", &save);
	/* sscanf's %x would take signs, blanks and 0x: hex digits, ':' and '.' only */
	if (bdf && !bdf[strspn(bdf, "0123456789abcdefABCDEF:.")]) {
		ok = sscanf(bdf, "%4x:%2x:%2x.%1x%n", &dom, &bus, &slot, &fn, &n) == 4 && !bdf[n];
		if (!ok) {
			dom = 0;
			n = 0;
			ok = sscanf(bdf, "%2x:%2x.%1x%n", &bus, &slot, &fn, &n) == 3 && !bdf[n];
		}
	}
	if (!ok || slot > 0x1f || fn > 7) {
		rc = fail(cx->err_r, -EINVAL, "%s: invalid PCI device '%s' ([DDDD:]BB:DD.F)", cfg_name(cx->fmt), spec);
		goto out;
	}
	*h = (struct domain_hostdev){ .domain = dom, .bus = bus, .slot = slot, .function = fn };
	for (char *item = strtok_r(NULL, ",", &save); !rc && item; item = strtok_r(NULL, ",", &save)) {
		const char *v;

		if ((v = kv(item, "permissive")) && (!strcmp(v, "0") || !strcmp(v, "1")))
			h->permissive = v[0] == '1';
		else if ((v = kv(item, "seize")) && (!strcmp(v, "0") || !strcmp(v, "1")))
			h->managed = v[0] == '1';
		else
			rc = gap(cx, "pci setting '%s'", item);
	}
out:
	free(copy);
	return rc;
}

/* A boolean setting: 0 or 1 (xl also takes a number's truth; we take those two). */
static int cfg_bool(const struct cfg_ctx *cx, const struct xl_setting *s, int *out)
{
	if (s->is_list || (strcmp(s->values.v[0], "0") && strcmp(s->values.v[0], "1")))
		return fail(cx->err_r, -EINVAL, "%s: invalid value '%s' for '%s' (0 or 1)", cfg_name(cx->fmt),
			    s->is_list ? "[...]" : s->values.v[0], s->key);
	*out = s->values.v[0][0] == '1';
	return 0;
}

static int add_feature(struct domain_def *def, const char *name, const char *state, char **err_r)
{
	struct domain_feature *f = grow_one((void **)&def->features, &def->n_features, sizeof(*f), err_r);

	def->has_features = 1;
	if (!f)
		return -E2BIG;
	return set_str(&f->name, name, err_r) || (state && set_str(&f->state, state, err_r)) ? -ENOMEM : 0;
}

static int add_input(struct domain_def *def, const char *type, const char *bus, char **err_r)
{
	struct domain_input *in = grow_one((void **)&def->inputs, &def->n_inputs, sizeof(*in), err_r);

	if (!in)
		return -E2BIG;
	return set_str(&in->type, type, err_r) || set_str(&in->bus, bus, err_r) ? -ENOMEM : 0;
}

/* Settings that hold their default value change nothing: accepted quietly. */
static bool is_default(const char *k, const char *v, bool hvm)
{
	static const struct {
		const char *key, *value;
	} defaults[] = {
		{ "viridian", "0" }, { "rtc_timeoffset", "0" }, { "nestedhvm", "0" }, { "hpet", "1" },
		{ "tsc_mode", "default" }, { "tsc_mode", "0" }, { "usb", "0" }, { "parallel", "none" },
		{ "serial", "none" }, { "stdvga", "0" }, { "vnc", "0" }, { "sdl", "0" },
		{ "localtime", "0" }, { "vcpu_avail", "-1" },
	};

	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcmp(k, defaults[i].key) && !strcmp(v, defaults[i].value))
			return true;
	/* pae, acpi and apic are on for HVM guests unless said otherwise. */
	return hvm && (!strcmp(k, "pae") || !strcmp(k, "acpi") || !strcmp(k, "apic")) && !strcmp(v, "1");
}

int domain_from_xen_cfg(struct domain_def *def, const char *text, size_t len, enum xen_cfg_format fmt, unsigned flags,
			char **err_r)
{
	const struct cfg_ctx cx = { .fmt = fmt, .flags = flags, .err_r = err_r };
	const char *name = cfg_name(fmt);
	struct xl_cfg cfg = { 0 };
	unsigned long long memory = 0, maxmem = 0, vcpus = 0, maxvcpus = 0, vcpu_avail = 0;
	char *root = NULL, *extra = NULL;
	const char *type = "pv";
	int rc, localtime = 0, hvm, hvm_off[3] = { 0 }, usb = 0, have_vcpu_avail = 0, hap = -1, viridian = 0;
	long long rtc_offset = 0;

	*err_r = NULL;
	rc = xl_cfg_parse(&cfg, text, len, err_r);
	if (rc)
		goto out;
	/* The guest type decides how the other settings read. */
	for (size_t i = 0; i < cfg.n; i++) {
		if (!strcmp(cfg.s[i].key, "builder") && cfg.s[i].values.n && !strcmp(cfg.s[i].values.v[0], "hvm"))
			type = "hvm";
		if (!strcmp(cfg.s[i].key, "type") && cfg.s[i].values.n)
			type = cfg.s[i].values.v[0];
	}
	if (!strcmp(type, "pv"))
		rc = set_str(&def->os_type, "linux", err_r) || set_str(&def->os_machine, "xenpv", err_r);
	else if (!strcmp(type, "hvm"))
		rc = set_str(&def->os_type, "hvm", err_r) || set_str(&def->os_machine, "xenfv", err_r);
	else if (!strcmp(type, "pvh"))
		rc = set_str(&def->os_type, "xenpvh", err_r) || set_str(&def->os_machine, "xenpvh", err_r);
	else
		rc = fail(err_r, -EINVAL, "%s: unknown guest type '%s'", name, type);
	if (!rc)
		rc = set_str(&def->virt_type, "xen", err_r) || set_str(&def->os_arch, "x86_64", err_r);
	if (rc)
		goto out;
	hvm = domain_is_hvm(def);
	for (size_t i = 0; !rc && i < cfg.n; i++) {
		const struct xl_setting *s = &cfg.s[i];
		const char *k = s->key, *v = s->values.n ? s->values.v[0] : "";
		static const char *const strings[] = { "name", "kernel", "ramdisk", "cmdline", "bootloader", "bootargs", "cdrom",
						       "bootloader_args", "on_poweroff", "on_reboot", "on_crash",
						       "device_model_override", "device_model", "root", "extra",
						       "firmware_override", "boot", "uuid", "type", "builder", NULL };
		int on = 0;

		if (in_list(strings, k) && s->is_list) {
			rc = fail(err_r, -EINVAL, "%s: '%s' must be a string", name, k);
			break;
		}
		if (!s->is_list && is_default(k, v, hvm))
			continue;
		if (!strcmp(k, "name"))
			rc = set_str(&def->name, v, err_r);
		else if (!strcmp(k, "uuid")) {
			char canon[37];

			rc = domain_uuid_canon(v, canon) ? fail(err_r, -EINVAL, "%s: invalid uuid '%s'", name, v) :
							    set_str(&def->uuid, canon, err_r);
		} else if (!strcmp(k, "type") || !strcmp(k, "builder"))
			;
		else if (!strcmp(k, "memory"))
			rc = xl_uint(s, DOMAIN_MEMORY_MAX_KIB / 1024, &memory, err_r);
		else if (!strcmp(k, "maxmem"))
			rc = xl_uint(s, DOMAIN_MEMORY_MAX_KIB / 1024, &maxmem, err_r);
		else if (!strcmp(k, "vcpus"))
			rc = xl_uint(s, DOMAIN_VCPUS_MAX, &vcpus, err_r);
		else if (!strcmp(k, "maxvcpus"))
			rc = xl_uint(s, DOMAIN_VCPUS_MAX, &maxvcpus, err_r);
		else if (!strcmp(k, "max_grant_frames") || !strcmp(k, "max_event_channels")) {
			unsigned long long n = 0;

			rc = xl_uint(s, UINT32_MAX, &n, err_r);
			if (!rc && !n)
				rc = fail(err_r, -EINVAL, "%s: invalid value '0' for '%s'", name, k);
			def->has_xenbus = 1;
			*(k[4] == 'g' ? &def->xenbus_max_grant_frames : &def->xenbus_max_event_channels) = (unsigned)n;
		} else if (!strcmp(k, "vcpu_avail")) {
			/* xm's bitmap of the vCPUs online at boot. */
			rc = xl_uint(s, ~0ull, &vcpu_avail, err_r);
			have_vcpu_avail = 1;
		} else if (!strcmp(k, "kernel")) {
			const char *base = strrchr(v, '/') ? strrchr(v, '/') + 1 : v;

			/* An HVM guest's kernel is its firmware in xm configs, and hvmloader in xl's. */
			if (hvm && (fmt == XEN_CFG_XM || !strncmp(base, "hvmloader", 9)))
				rc = set_str(&def->loader, v, err_r);
			else
				rc = set_str(&def->kernel, v, err_r);
		} else if (!strcmp(k, "firmware_override") && hvm)
			rc = set_str(&def->loader, v, err_r);
		else if (!strcmp(k, "ramdisk"))
			rc = set_str(&def->initrd, v, err_r);
		else if (!strcmp(k, "cmdline"))
			rc = set_str(&def->cmdline, v, err_r);
		else if (!strcmp(k, "root"))
			rc = set_str(&root, v, err_r);
		else if (!strcmp(k, "extra"))
			rc = set_str(&extra, v, err_r);
		else if (!strcmp(k, "bootloader"))
			rc = set_str(&def->bootloader, v, err_r);
		else if (!strcmp(k, "bootloader_args") || (!strcmp(k, "bootargs") && fmt == XEN_CFG_XM))
			rc = set_str(&def->bootloader_args, v, err_r);
		else if (!strcmp(k, "cdrom") && fmt == XEN_CFG_XM && hvm) {
			/* xend's HVM CD-ROM: the second IDE master. */
			struct domain_disk *d = grow_one((void **)&def->disks, &def->n_disks, sizeof(*d), err_r);
			char *spec = str_printf("file:%s,hdc:cdrom,r", v);

			rc = !d ? -E2BIG : !spec ? fail(err_r, -ENOMEM, "out of memory") : xen_disk_parse(d, spec, flags, err_r);
			free(spec);
		}
		else if (!strcmp(k, "on_poweroff"))
			rc = set_str(&def->on_poweroff, v, err_r);
		else if (!strcmp(k, "on_reboot"))
			rc = set_str(&def->on_reboot, v, err_r);
		else if (!strcmp(k, "on_crash"))
			rc = set_str(&def->on_crash, v, err_r);
		else if (!strcmp(k, "device_model_override") || (!strcmp(k, "device_model") && fmt == XEN_CFG_XM))
			rc = set_str(&def->emulator, v, err_r);
		else if (!strcmp(k, "localtime"))
			rc = cfg_bool(&cx, s, &localtime);
		else if (!strcmp(k, "rtc_timeoffset")) {
			char *end;

			errno = 0;
			rtc_offset = s->is_list ? 0 : strtoll(v, &end, 10);
			if (s->is_list || errno || *end || end == v || rtc_offset < -(1ll << 40) || rtc_offset > (1ll << 40))
				rc = fail(err_r, -EINVAL, "%s: invalid value '%s' for 'rtc_timeoffset'", name, v);
		} else if (hvm && (!strcmp(k, "pae") || !strcmp(k, "acpi") || !strcmp(k, "apic"))) {
			rc = cfg_bool(&cx, s, &on);
			for (size_t j = 0; !rc && hvm_flags[j]; j++)
				if (!strcmp(k, hvm_flags[j]))
					hvm_off[j] = !on;
		} else if (!hvm && !strcmp(k, "pae")) {
			rc = cfg_bool(&cx, s, &on);
			if (!rc && on)
				rc = add_feature(def, "pae", NULL, err_r);
		} else if (!strcmp(k, "hap") || !strcmp(k, "viridian")) {
			rc = cfg_bool(&cx, s, &on);
			*(k[0] == 'h' ? &hap : &viridian) = on;
		} else if (!strcmp(k, "boot") && hvm) {
			for (const char *b = v; !rc && *b; b++) {
				const char *dev = *b == 'c' ? "hd" : *b == 'd' ? "cdrom" : *b == 'n' ? "network" :
						  *b == 'a' ? "fd" : NULL;

				if (!dev)
					rc = fail(err_r, -EINVAL, "%s: invalid boot device '%c' in '%s' (a, c, d, n)", name,
						  *b, v);
				else if (def->n_boot == DOMAIN_BOOT_MAX)
					rc = fail(err_r, -EINVAL, "%s: more than %d boot devices in '%s'", name,
						  DOMAIN_BOOT_MAX, v);
				else
					rc = set_str(&def->boot[def->n_boot++], dev, err_r);
			}
		} else if (!strcmp(k, "disk")) {
			for (size_t j = 0; !rc && j < s->values.n; j++) {
				struct domain_disk *d = grow_one((void **)&def->disks, &def->n_disks, sizeof(*d), err_r);

				rc = d ? xen_disk_parse(d, s->values.v[j], flags, err_r) : -E2BIG;
			}
		} else if (!strcmp(k, "vif")) {
			for (size_t j = 0; !rc && j < s->values.n; j++)
				rc = xl_vif(&cx, def, s->values.v[j]);
		} else if (!strcmp(k, "serial")) {
			for (size_t j = 0; !rc && j < s->values.n; j++)
				if (strcmp(s->values.v[j], "none"))
					rc = add_chardev(def, s->values.v[j], err_r);
		} else if (!strcmp(k, "pci")) {
			for (size_t j = 0; !rc && j < s->values.n; j++)
				rc = xl_pci(&cx, def, s->values.v[j]);
		} else if (!strcmp(k, "usb")) {
			rc = cfg_bool(&cx, s, &usb);
		} else if (!strcmp(k, "usbdevice")) {
			for (size_t j = 0; !rc && j < s->values.n; j++) {
				const char *u = s->values.v[j];

				if (!strcmp(u, "tablet") || !strcmp(u, "mouse") || !strcmp(u, "keyboard"))
					rc = add_input(def, u, "usb", err_r);
				else
					rc = gap(&cx, "usbdevice '%s'", u);
			}
			usb = 0;
		} else if (!strcmp(k, "vfb")) {
			for (size_t j = 0; !rc && j < s->values.n; j++) {
				char *copy = strdup(s->values.v[j]), *save = NULL;

				if (!copy) {
					rc = fail(err_r, -ENOMEM, "out of memory");
					break;
				}
				for (char *item = strtok_r(copy, ",", &save); !rc && item; item = strtok_r(NULL, ",", &save)) {
					char *eq = strchr(item, '=');

					if (!eq) {
						rc = gap(&cx, "vfb flag '%s'", item);
						continue;
					}
					*eq = '\0';
					if (!strcmp(item, "type")) {
						if (strcmp(eq + 1, "vnc") && strcmp(eq + 1, "sdl"))
							rc = gap(&cx, "vfb type '%s'", eq + 1);
						else if (!xl_graphics(def, eq + 1, err_r))
							rc = -ENOMEM;
						continue;
					}
					rc = xl_graphics_key(def, item, eq + 1, err_r);
					rc = rc == 0 ? gap(&cx, "vfb setting '%s'", item) : rc > 0 ? 0 : rc;
				}
				free(copy);
			}
		} else if (s->is_list && !s->values.n) {
			; /* pci = [], an empty list of anything, says nothing */
		} else {
			rc = xl_graphics_key(def, k, v, err_r);
			if (rc == 0)
				rc = gap(&cx, "%s setting '%s'", name, k);
			rc = rc > 0 ? 0 : rc;
		}
	}
	if (rc)
		goto out;
	if (!def->name) {
		rc = fail(err_r, -EINVAL, "%s: missing 'name'", name);
		goto out;
	}
	if (usb) {
		rc = gap(&cx, "usb = 1 without a usbdevice (a bare USB controller)");
		if (rc)
			goto out;
	}
	/* <features> in one order: pae, acpi, apic (on for HVM unless said otherwise), hap, viridian. */
	for (size_t j = 0; hvm && hvm_flags[j]; j++) {
		if (!hvm_off[j]) {
			rc = add_feature(def, hvm_flags[j], NULL, err_r);
			if (rc)
				goto out;
		}
	}
	if (hap >= 0)
		rc = add_feature(def, "hap", hap ? NULL : "off", err_r);
	if (!rc && viridian > 0)
		rc = add_feature(def, "viridian", NULL, err_r);
	if (rc)
		goto out;
	if (!def->cmdline && (root || extra)) {
		def->cmdline = str_printf("%s%s%s%s", root ? "root=" : "", root ? root : "", root && extra ? " " : "",
					    extra ? extra : "");
		if (!def->cmdline) {
			rc = fail(err_r, -ENOMEM, "out of memory");
			goto out;
		}
	}
	if (!memory)
		memory = 128;
	def->memory_kib = (maxmem > memory ? maxmem : memory) * 1024;
	def->current_memory_kib = memory * 1024;
	def->vcpus = (unsigned)(maxvcpus ? maxvcpus : vcpus ? vcpus : 1);
	if (maxvcpus && vcpus && vcpus < maxvcpus)
		def->vcpus_current = (unsigned)vcpus;
	if (have_vcpu_avail) {
		unsigned n = (unsigned)__builtin_popcountll(vcpu_avail);

		if (!n || n > def->vcpus) {
			rc = fail(err_r, -EINVAL, "%s: vcpu_avail %llu names no vCPU or more than vcpus = %u", name,
				  vcpu_avail, def->vcpus);
			goto out;
		}
		def->vcpus_current = n < def->vcpus ? n : 0;
	}
	/* The guest's clock: localtime or UTC, and an offset from it in seconds. */
	rc = set_str(&def->clock_offset, localtime ? "localtime" : "utc", err_r);
	if (!rc && rtc_offset)
		def->clock_adjustment = str_printf("%lld", rtc_offset), rc = def->clock_adjustment ? 0 : -ENOMEM;
	def->has_clock = 1;
	if (!rc && (domain_is_xen_pv(def) || domain_is_xen_pvh(def)) && !def->n_chardevs)
		rc = add_chardev(def, "pty", err_r);
	for (size_t i = 0; !rc && i < 3; i++) {
		char **a = i == 0 ? &def->on_poweroff : i == 1 ? &def->on_reboot : &def->on_crash;

		if (!*a)
			rc = set_str(a, i == 1 ? "restart" : "destroy", err_r);
	}
out:
	/* The syntax is one; the messages name the format read. */
	if (rc && fmt == XEN_CFG_XM && *err_r && !strncmp(*err_r, "xl.cfg", 6)) {
		char *m = str_printf("xm config%s", *err_r + 6);

		if (m) {
			free(*err_r);
			*err_r = m;
		}
	}
	free(root);
	free(extra);
	xl_cfg_dispose(&cfg);
	return rc;
}

int domain_from_xl_cfg(struct domain_def *def, const char *text, size_t len, char **err_r)
{
	return domain_from_xen_cfg(def, text, len, XEN_CFG_XL, 0, err_r);
}

/* xl.cfg and xm config output. */

/*
 * A disk as xl writes it (key=value, target last), or as xm did
 * ("phy:/dev/vg/lv,xvda,w"): the prefix names libvirt's driver.
 */
static int cfg_disk(const struct cfg_ctx *cx, const struct domain_disk *d, char **out)
{
	int cdrom = d->device && !strcmp(d->device, "cdrom");
	const char *format = d->driver_type ? d->driver_type : "raw", *drv = d->driver_name;

	*out = NULL;
	if (d->device && strcmp(d->device, "disk") && !cdrom)
		return gap(cx, "disk device '%s' (%s)", d->device, d->target_dev);
	if (strcmp(d->type, "file") && strcmp(d->type, "block"))
		return gap(cx, "disk type '%s' (%s)", d->type, d->target_dev);
	if (d->target_bus && strcmp(d->target_bus, "xen") && strcmp(d->target_bus, "ide") &&
	    strcmp(d->target_bus, "scsi"))
		return gap(cx, "disk bus '%s' (%s)", d->target_bus, d->target_dev);
	if (drv && strcmp(drv, "phy") && strcmp(drv, "tap") && strcmp(drv, "qemu") && strcmp(drv, "file"))
		return gap(cx, "disk driver '%s' (%s)", drv, d->target_dev);
	if (drv && !strcmp(drv, "file") && cx->fmt == XEN_CFG_XL &&
	    (d->shareable || d->driver_discard || (d->source && strpbrk(d->source, ",="))))
		return gap(cx, "disk driver 'file' (%s) with a shareable disk, discard, or ',' or '=' in its path",
			   d->target_dev);
	if (d->driver_cache && strcmp(d->driver_cache, "default"))
		return gap(cx, "disk cache '%s' (%s)", d->driver_cache, d->target_dev);
	if (!in_list(xl_formats, format))
		return gap(cx, "disk format '%s' (%s)", format, d->target_dev);
	if (d->shareable && d->readonly)
		return gap(cx, "a read-only shareable disk (%s)", d->target_dev);
	/* xl reads a path that is not absolute as one under /dev. */
	if (d->source && d->source[0] != '/')
		return gap(cx, "a relative disk path (%s: '%s')", d->target_dev, d->source);
	/* xl reads xm's form too: libvirt's driver 'file' has no other spelling. */
	if (cx->fmt == XEN_CFG_XM || (drv && !strcmp(drv, "file") && !d->shareable && !d->driver_discard &&
				      (!d->source || !strpbrk(d->source, ",=")))) {
		const char *prefix = !drv ? (!strcmp(d->type, "block") ? "phy:" : "file:") :
				     !strcmp(drv, "tap") ? "tap:" : !strcmp(drv, "phy") ? "phy:" : "file:";
		char fmtpre[16] = "";

		if (drv && !strcmp(drv, "qemu"))
			return gap(cx, "disk driver 'qemu' (%s) in an xm config", d->target_dev);
		if (d->driver_discard)
			return gap(cx, "disk discard in an xm config (%s)", d->target_dev);
		/* xm's positional form has no quoting: a ',' or '=' would read as another parameter. */
		if (d->source && strpbrk(d->source, ",="))
			return gap(cx, "',' or '=' in an xm config's disk path (%s)", d->target_dev);
		if (!strcmp(prefix, "tap:"))
			snprintf(fmtpre, sizeof(fmtpre), "%s:", !strcmp(format, "raw") ? "aio" : format);
		else if (strcmp(format, "raw"))
			snprintf(fmtpre, sizeof(fmtpre), "%s:", format);
		*out = str_printf("%s%s%s,%s%s,%s", d->source ? prefix : "", d->source ? fmtpre : "",
				    d->source ? d->source : "", d->target_dev, cdrom ? ":cdrom" : "",
				    d->shareable ? "w!" : d->readonly ? "r" : "w");
	} else {
		const char *backend = !drv ? NULL : !strcmp(drv, "qemu") ? "qdisk" : drv;

		if (d->shareable)
			return gap(cx, "a shareable disk in xl.cfg (%s)", d->target_dev);
		*out = str_printf("format=%s,vdev=%s,access=%s%s%s%s%s%s%s", format, d->target_dev,
				    d->readonly ? "ro" : "rw", backend ? ",backendtype=" : "", backend ? backend : "",
				    cdrom ? ",devtype=cdrom" : "",
				    !d->driver_discard ? "" : !strcmp(d->driver_discard, "ignore") ? ",no-discard" : ",discard",
				    d->source ? ",target=" : "", d->source ? d->source : "");
	}
	return *out ? 0 : fail(cx->err_r, -ENOMEM, "out of memory");
}

/* One vif = [ ... ] item. */
static int cfg_vif(const struct cfg_ctx *cx, const struct domain_interface *it, char **out)
{
	size_t ilen = 0;
	FILE *g;

	*out = NULL;
	if (strcmp(it->type, "bridge") && strcmp(it->type, "ethernet"))
		return gap(cx, "interface type '%s'", it->type);
	if (it->downscript)
		return gap(cx, "interface element 'downscript'");
	if (it->driver_queues)
		return gap(cx, "interface driver queues");
	if (it->virtualport_type && strcmp(it->virtualport_type, "openvswitch"))
		return gap(cx, "interface virtualport type '%s'", it->virtualport_type);
	if (it->n_vlan_tags && !it->virtualport_type)
		return gap(cx, "VLAN tags on an interface without <virtualport type='openvswitch'>");
	if (it->n_vlan_tags > 1 && !it->vlan_trunk)
		return gap(cx, "several VLAN tags without trunk='yes'");
	g = open_memstream(out, &ilen);
	if (!g)
		return fail(cx->err_r, -ENOMEM, "out of memory");
	if (it->mac)
		fprintf(g, "mac=%s,", it->mac);
	if (it->source_bridge) {
		fprintf(g, "bridge=%s", it->source_bridge);
		for (size_t i = 0; i < it->n_vlan_tags; i++)
			fprintf(g, "%c%u", it->vlan_trunk ? ':' : '.', it->vlan_tags[i]);
		fputc(',', g);
	}
	if (it->ip)
		fprintf(g, "ip=%s,", it->ip);
	if (it->script)
		fprintf(g, "script=%s,", it->script);
	/* libvirt's model netfront is xl's type=vif (xm's type=netfront): no emulated twin. */
	if (it->model && !strcmp(it->model, "netfront"))
		fprintf(g, "type=%s,", cx->fmt == XEN_CFG_XM ? "netfront" : "vif");
	else if (it->model)
		fprintf(g, "model=%s,", it->model);
	if (it->target_dev)
		fprintf(g, "vifname=%s,", it->target_dev);
	if (it->outbound_kbps)
		fprintf(g, "rate=%lluKB/s,", it->outbound_kbps);
	if (fclose(g) || !*out) {
		free(*out);
		*out = NULL;
		return fail(cx->err_r, -ENOMEM, "out of memory");
	}
	if (ilen)
		(*out)[ilen - 1] = '\0';
	return 0;
}

/* Writes a list of items made by item(). */
static int cfg_list(const struct cfg_ctx *cx, FILE *f, const char *key, size_t n,
		    int (*item)(const struct cfg_ctx *, const void *, size_t, char **), const void *arg)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char *s = NULL;
		int rc = item(cx, arg, i, &s);

		if (rc)
			return rc;
		if (!s)
			continue;
		if (!k++)
			fprintf(f, "%s = [ ", key);
		cfg_item(f, k == 1, s);
		free(s);
	}
	if (k)
		fputs(" ]\n", f);
	return 0;
}

static int disk_item(const struct cfg_ctx *cx, const void *arg, size_t i, char **s)
{
	const struct domain_def *def = arg;

	return cfg_disk(cx, &def->disks[i], s);
}

static int vif_item(const struct cfg_ctx *cx, const void *arg, size_t i, char **s)
{
	const struct domain_def *def = arg;

	return cfg_vif(cx, &def->interfaces[i], s);
}

/* xl's BDF with the settings libvirt's <hostdev> has: permissive=1, seize=1 (managed). */
static int pci_item(const struct cfg_ctx *cx, const void *arg, size_t i, char **s)
{
	const struct domain_hostdev *h = &((const struct domain_def *)arg)->hostdevs[i];

	*s = str_printf("%04x:%02x:%02x.%x%s%s", h->domain, h->bus, h->slot, h->function,
			  h->permissive ? ",permissive=1" : "", h->managed ? ",seize=1" : "");
	return *s ? 0 : fail(cx->err_r, -ENOMEM, "out of memory");
}

static int usb_item(const struct cfg_ctx *cx, const void *arg, size_t i, char **s)
{
	const struct domain_def *def = arg;

	(void)cx;
	*s = def->inputs[i].bus && !strcmp(def->inputs[i].bus, "usb") ? strdup(def->inputs[i].type) : NULL;
	return 0;
}

static bool feature_on(const struct domain_feature *f)
{
	return !f->state || !strcmp(f->state, "on");
}

/* <features> as xl's pae, acpi, apic, hap, viridian. */
static int cfg_features(const struct cfg_ctx *cx, const struct domain_def *def, FILE *f)
{
	int hvm = domain_is_hvm(def), rc = 0;

	for (size_t k = 0; hvm && hvm_flags[k]; k++) {
		int on = 0;

		for (size_t i = 0; i < def->n_features; i++)
			if (!strcmp(def->features[i].name, hvm_flags[k]))
				on = feature_on(&def->features[i]);
		fprintf(f, "%s = %d\n", hvm_flags[k], on);
	}
	for (size_t i = 0; !rc && i < def->n_features; i++) {
		const struct domain_feature *ft = &def->features[i];
		const char *n = ft->name;

		if (hvm && in_list(hvm_flags, n))
			continue;
		if (!strcmp(n, "hap") || !strcmp(n, "viridian") || (!hvm && !strcmp(n, "pae")))
			fprintf(f, "%s = %d\n", n, feature_on(ft));
		else
			rc = gap(cx, "feature '%s'%s", n, hvm ? "" : " of a PV guest");
	}
	return rc;
}

/* <clock> as localtime and rtc_timeoffset. */
static int cfg_clock(const struct cfg_ctx *cx, const struct domain_def *def, FILE *f)
{
	const char *off = def->clock_offset ? def->clock_offset : "utc", *adj = def->clock_adjustment;
	int localtime;
	long long seconds = 0;

	if (def->clock_timezone || (strcmp(off, "utc") && strcmp(off, "localtime") && strcmp(off, "variable")))
		return gap(cx, "clock offset '%s'", off);
	localtime = !strcmp(off, "localtime") ||
		    (!strcmp(off, "variable") && def->clock_basis && !strcmp(def->clock_basis, "localtime"));
	if (adj && strcmp(adj, "reset")) {
		char *end;

		errno = 0;
		seconds = strtoll(adj, &end, 10);
		if (errno || *end || end == adj)
			return fail(cx->err_r, -EINVAL, "invalid clock adjustment '%s'", adj);
	}
	fprintf(f, "localtime = %d\n", localtime);
	if (seconds)
		fprintf(f, "rtc_timeoffset = %lld\n", seconds);
	return 0;
}

/*
 * The controllers kept as written: the IDE and PCI root ones every HVM
 * guest has go without saying; any other (USB's usbctrl, SCSI...) is ours
 * to translate and is not yet.
 */
static int cfg_controllers(const struct cfg_ctx *cx, const struct domain_def *def)
{
	for (const char *p = def->devices_extra.xml; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "") {
		const char *t = strstr(p, " type=\""), *nl = strchr(p, '\n');
		char type[32] = "";
		int rc;

		if (strncmp(p, "<controller ", 12))
			continue;
		if (t && (!nl || t < nl))
			snprintf(type, sizeof(type), "%.*s", (int)strcspn(t + 7, "\""), t + 7);
		if (!strcmp(type, "ide") || !strcmp(type, "pci"))
			continue;
		rc = gap(cx, "controller type '%s'", type);
		if (rc)
			return rc;
	}
	return 0;
}

static int cfg_inputs(const struct cfg_ctx *cx, const struct domain_def *def)
{
	int hvm = domain_is_hvm(def);

	for (size_t i = 0; i < def->n_inputs; i++) {
		const struct domain_input *in = &def->inputs[i];
		const char *bus = in->bus ? in->bus : hvm ? "ps2" : "xen";
		int usb = !strcmp(bus, "usb") && hvm &&
			  (!strcmp(in->type, "tablet") || !strcmp(in->type, "mouse") || !strcmp(in->type, "keyboard"));
		/* The devices every guest of the kind has. */
		int implicit = (!strcmp(bus, hvm ? "ps2" : "xen")) &&
			       (!strcmp(in->type, "mouse") || !strcmp(in->type, "keyboard"));

		if (!usb && !implicit) {
			int rc = gap(cx, "input type '%s' bus '%s'", in->type, bus);

			if (rc)
				return rc;
		}
	}
	return 0;
}

int domain_to_xen_cfg(const struct domain_def *def, enum xen_cfg_format fmt, unsigned flags, char **cfg_r,
		      char **err_r)
{
	const struct cfg_ctx cx = { .fmt = fmt, .flags = flags, .err_r = err_r };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc, hvm = domain_is_hvm(def), pv = domain_is_xen_pv(def);
	const struct domain_graphics *vnc = NULL, *sdl = NULL;
	size_t n_serial = 0, n_usb = 0;

	*err_r = NULL;
	*cfg_r = NULL;
	if (strcmp(def->virt_type, "xen"))
		return fail(err_r, -ENOTSUP, "domain type '%s' is not a Xen guest", def->virt_type);
	if (!hvm && !pv && !domain_is_xen_pvh(def))
		return fail(err_r, -ENOTSUP, "os type '%s' is not a Xen guest type", def->os_type);
	if (fmt == XEN_CFG_XM && !hvm && !pv)
		return fail(err_r, -ENOTSUP, "os type '%s' is not supported by xm configs (xen-xl)", def->os_type);
	if (flags & DOMAIN_NATIVE_LOSSY)
		domain_warn_extra(def, "xvirsh yet, dropped");
	else if ((rc = domain_check_extra(def, "xvirsh yet", err_r)))
		return rc;
	for (size_t i = 0; i < def->n_graphics; i++) {
		const struct domain_graphics *g = &def->graphics[i];

		if (!strcmp(g->type, "vnc") && !vnc)
			vnc = g;
		else if (!strcmp(g->type, "sdl") && !sdl)
			sdl = g;
		else if ((rc = gap(&cx, "graphics type '%s'%s", g->type, vnc || sdl ? " (a second display)" : "")))
			return rc;
	}
	if (def->max_memory_kib && (rc = gap(&cx, "element 'maxMemory' (memory hotplug)")))
		return rc;
	if (def->loader && !hvm && (rc = gap(&cx, "element 'os/loader' of a PV guest")))
		return rc;
	if (def->loader_type && strcmp(def->loader_type, "rom") && (rc = gap(&cx, "loader type '%s'", def->loader_type)))
		return rc;
	if (hvm && def->kernel && fmt == XEN_CFG_XM &&
	    (rc = gap(&cx, "element 'os/kernel' of an HVM guest in an xm config (its kernel is the firmware)")))
		return rc;
	if (!hvm && def->n_boot && (rc = gap(&cx, "element 'os/boot' of a PV guest")))
		return rc;
	if ((rc = cfg_inputs(&cx, def)) || (rc = cfg_controllers(&cx, def)))
		return rc;
	for (size_t i = 0; i < def->n_videos; i++) {
		const char *m = def->videos[i].model;

		/* The video card xl gives: cirrus for HVM, the PV framebuffer for PV. */
		if (m && strcmp(m, hvm ? "cirrus" : "xen") && (rc = gap(&cx, "video model '%s'", m)))
			return rc;
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return fail(err_r, -ENOMEM, "out of memory");
	cfg_str(f, "name", def->name);
	cfg_str(f, "uuid", def->uuid);
	if (pv) {
		if (fmt == XEN_CFG_XL) /* xm knew no type: PV was its default */
			cfg_str(f, "type", "pv");
	} else if (!hvm)
		cfg_str(f, "type", "pvh");
	if (def->memory_kib) {
		fprintf(f, "maxmem = %llu\n", mib(def->memory_kib));
		fprintf(f, "memory = %llu\n",
			mib(def->current_memory_kib ? def->current_memory_kib : def->memory_kib));
	}
	if (def->vcpus) {
		if (def->vcpus_current && def->vcpus_current < def->vcpus)
			fprintf(f, "vcpus = %u\nmaxvcpus = %u\n", def->vcpus_current, def->vcpus);
		else
			fprintf(f, "vcpus = %u\n", def->vcpus);
	}
	rc = cfg_features(&cx, def, f);
	if (!rc)
		rc = cfg_clock(&cx, def, f);
	if (rc)
		goto out;
	cfg_str(f, "on_poweroff", def->on_poweroff);
	cfg_str(f, "on_reboot", def->on_reboot);
	cfg_str(f, "on_crash", def->on_crash);
	cfg_str(f, "device_model_override", def->emulator);
	if (def->xenbus_max_grant_frames)
		fprintf(f, "max_grant_frames = %u\n", def->xenbus_max_grant_frames);
	if (def->xenbus_max_event_channels)
		fprintf(f, "max_event_channels = %u\n", def->xenbus_max_event_channels);
	if (hvm && (vnc || sdl)) {
		fprintf(f, "sdl = %d\nvnc = %d\n", !!sdl, !!vnc);
		if (vnc) {
			int autoport = vnc->port < 0 || (vnc->autoport && !strcmp(vnc->autoport, "yes"));

			fprintf(f, "vncunused = %d\n", autoport);
			if (!autoport && vnc->port >= 5900)
				fprintf(f, "vncdisplay = %d\n", vnc->port - 5900);
			cfg_str(f, "vnclisten", vnc->listen);
			cfg_str(f, "vncpasswd", vnc->passwd);
			cfg_str(f, "keymap", vnc->keymap);
		}
		if (sdl) {
			cfg_str(f, "display", sdl->display);
			cfg_str(f, "xauthority", sdl->xauth);
		}
	} else if (vnc || sdl) {
		char *item = NULL;

		if (vnc) {
			int autoport = vnc->port < 0 || (vnc->autoport && !strcmp(vnc->autoport, "yes"));

			item = str_printf("vnc=1,vncunused=%d%s%s%s%s%s%s", autoport, vnc->listen ? ",vnclisten=" : "",
					    vnc->listen ? vnc->listen : "", vnc->passwd ? ",vncpasswd=" : "",
					    vnc->passwd ? vnc->passwd : "", vnc->keymap ? ",keymap=" : "",
					    vnc->keymap ? vnc->keymap : "");
			if (item && !autoport && vnc->port >= 5900) {
				char *t = str_printf("%s,vncdisplay=%d", item, vnc->port - 5900);

				free(item);
				item = t;
			}
		} else {
			item = str_printf("sdl=1%s%s%s%s", sdl->display ? ",display=" : "",
					    sdl->display ? sdl->display : "", sdl->xauth ? ",xauthority=" : "",
					    sdl->xauth ? sdl->xauth : "");
		}
		if (!item) {
			rc = fail(err_r, -ENOMEM, "out of memory");
			goto out;
		}
		fputs("vfb = [ ", f);
		cfg_item(f, 1, item);
		fputs(" ]\n", f);
		free(item);
	}
	rc = cfg_list(&cx, f, "pci", def->n_hostdevs, pci_item, def);
	if (!rc)
		rc = cfg_list(&cx, f, "vif", def->n_interfaces, vif_item, def);
	if (rc)
		goto out;
	for (size_t i = 0; i < def->n_inputs; i++)
		n_usb += def->inputs[i].bus && !strcmp(def->inputs[i].bus, "usb");
	if (n_usb) {
		fputs("usb = 1\n", f);
		rc = cfg_list(&cx, f, "usbdevice", def->n_inputs, usb_item, def);
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < def->n_chardevs; i++)
		n_serial += def->chardevs[i].kind == DOMAIN_CHARDEV_SERIAL;
	/* A PV guest's Xen console is a pty unless said otherwise: serial = reads into it. */
	if (!hvm && def->n_chardevs && !(def->n_chardevs == 1 && !strcmp(def->chardevs[0].type, "pty"))) {
		size_t k = 0;

		fputs("serial = [ ", f);
		for (size_t i = 0; i < def->n_chardevs; i++) {
			char *spec = NULL;

			if (def->chardevs[i].kind == DOMAIN_CHARDEV_SERIAL) {
				rc = gap(&cx, "a serial port of a PV guest");
				if (rc)
					goto out;
				continue;
			}
			rc = chardev_spec(&def->chardevs[i], "xvirsh yet", &spec, err_r);
			if (rc)
				goto out;
			cfg_item(f, k++ == 0, spec);
			free(spec);
		}
		fputs(" ]\n", f);
	}
	if (hvm) {
		fputs("parallel = \"none\"\n", f);
		if (!n_serial) {
			fputs("serial = \"none\"\n", f);
		} else {
			size_t k = 0;

			fputs("serial = [ ", f);
			for (size_t i = 0; i < def->n_chardevs; i++) {
				char *spec = NULL;

				if (def->chardevs[i].kind != DOMAIN_CHARDEV_SERIAL)
					continue;
				rc = chardev_spec(&def->chardevs[i], "xvirsh yet", &spec, err_r);
				if (rc)
					goto out;
				cfg_item(f, k++ == 0, spec);
				free(spec);
			}
			fputs(" ]\n", f);
		}
		cfg_str(f, "builder", "hvm");
		if (fmt == XEN_CFG_XM)
			cfg_str(f, "kernel", def->loader);
		else
			cfg_str(f, "firmware_override", def->loader);
	}
	if (!hvm || fmt == XEN_CFG_XL)
		cfg_str(f, "kernel", def->kernel);
	cfg_str(f, "ramdisk", def->initrd);
	cfg_str(f, "cmdline", def->cmdline);
	cfg_str(f, "bootloader", def->bootloader);
	cfg_str(f, "bootloader_args", def->bootloader_args);
	if (hvm && def->n_boot) {
		char order[DOMAIN_BOOT_MAX + 1] = { 0 };

		for (size_t i = 0; i < def->n_boot; i++)
			order[i] = !strcmp(def->boot[i], "hd") ? 'c' : !strcmp(def->boot[i], "cdrom") ? 'd' :
				   !strcmp(def->boot[i], "network") ? 'n' : 'a';
		cfg_str(f, "boot", order);
	}
	rc = cfg_list(&cx, f, "disk", def->n_disks, disk_item, def);
	if (rc)
		goto out;
	if (fclose(f)) {
		f = NULL;
		rc = fail(err_r, -ENOMEM, "out of memory");
		goto out;
	}
	f = NULL;
	*cfg_r = buf;
	buf = NULL;
	rc = 0;
out:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

int domain_to_xl_cfg(const struct domain_def *def, char **cfg_r, char **err_r)
{
	return domain_to_xen_cfg(def, XEN_CFG_XL, 0, cfg_r, err_r);
}
