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
#include "tools/xml_util.h"

void strv_init(struct strv *sv)
{
	sv->v = NULL;
	sv->n = 0;
}

void strv_dispose(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	strv_init(sv);
}

static int strv_take(struct strv *sv, char *s)
{
	char **v;

	if (!s)
		return -ENOMEM;
	v = realloc(sv->v, (sv->n + 2) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	sv->v = v;
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int strv_add(struct strv *sv, const char *s)
{
	return strv_take(sv, strdup(s));
}

int strv_addf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return strv_take(sv, s);
}

char *strv_to_shell(const struct strv *sv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < sv->n; i++) {
		const char *w = sv->v[i];
		int plain = *w != '\0';

		for (const char *p = w; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("-_./:=,+@%", *p))
				plain = 0;
		if (i)
			fputc(' ', f);
		if (plain) {
			fputs(w, f);
			continue;
		}
		fputc('\'', f);
		for (const char *p = w; *p; p++) {
			if (*p == '\'')
				fputs("'\\''", f);
			else
				fputc(*p, f);
		}
		fputc('\'', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

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
					*err_r = xml_util_msg("unterminated quote in command line");
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
					*err_r = xml_util_msg("unterminated quote in command line");
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
					*err_r = xml_util_msg("out of memory");
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
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!*err_r)
		*err_r = s;
	else
		free(s);
	return rc;
}

/*
 * Refuses kept, uninterpreted elements unless their name is in `allowed`
 * (elements that change nothing for the target, like <address>).
 */
static int check_extra(const struct domain_extra *ex, const char *path, const char *target,
		       const char *const *allowed, char **err_r)
{
	const char *p = ex->xml;

	while (p && *p) {
		const char *nl = strchr(p, '\n');

		if (*p == '<') {
			char name[64];
			size_t n = strcspn(p + 1, " />\n");
			int ok = 0;

			snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), p + 1);
			for (size_t i = 0; allowed && allowed[i]; i++)
				if (!strcmp(allowed[i], name))
					ok = 1;
			if (!ok)
				return fail(err_r, -ENOTSUP, "element '%s%s%s' is not supported by %s", path,
					    *path ? "/" : "", name, target);
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	return 0;
}

static const char *const top_ok[] = { "metadata", "seclabel", "resource", NULL };
static const char *const devices_ok[] = { "controller", "memballoon", NULL };
static const char *const device_ok[] = { "address", "alias", NULL };

static int check_common(const struct domain_def *def, const char *target, char **err_r)
{
	int rc;

	rc = check_extra(&def->extra, "", target, top_ok, err_r);
	if (!rc)
		rc = check_extra(&def->os_extra, "os", target, NULL, err_r);
	if (!rc)
		rc = check_extra(&def->features_extra, "features", target, NULL, err_r);
	if (!rc)
		rc = check_extra(&def->clock_extra, "clock", target, NULL, err_r);
	if (!rc)
		rc = check_extra(&def->devices_extra, "devices", target, devices_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_disks; i++)
		rc = check_extra(&def->disks[i].extra, "devices/disk", target, device_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_interfaces; i++)
		rc = check_extra(&def->interfaces[i].extra, "devices/interface", target, device_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_chardevs; i++)
		rc = check_extra(&def->chardevs[i].extra,
				 def->chardevs[i].kind == DOMAIN_CHARDEV_CONSOLE ? "devices/console" : "devices/serial",
				 target, device_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_graphics; i++)
		rc = check_extra(&def->graphics[i].extra, "devices/graphics", target, device_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_videos; i++)
		rc = check_extra(&def->videos[i].extra, "devices/video", target, device_ok, err_r);
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

/* The disk index QEMU uses: xvdb / hdb / sdb / vdb -> 1. */
static int disk_index(const char *dev)
{
	size_t n = strlen(dev);
	int idx = 0;
	size_t i = 0;

	if (!strncmp(dev, "xvd", 3))
		i = 3;
	else if (n > 2 && dev[1] == 'd')
		i = 2;
	else
		return -1;
	if (i >= n)
		return -1;
	for (; i < n; i++) {
		if (dev[i] < 'a' || dev[i] > 'z')
			return -1;
		idx = idx * 26 + (dev[i] - 'a' + 1);
		if (idx > 100000)
			return -1;
	}
	return idx - 1;
}

static int chardev_spec(const struct domain_chardev *c, const char *target, char **spec_r, char **err_r)
{
	char *s = NULL;
	int bind = c->source_mode && !strcmp(c->source_mode, "bind");

	if (!strcmp(c->type, "pty") || !strcmp(c->type, "null") || !strcmp(c->type, "stdio") ||
	    !strcmp(c->type, "vc"))
		s = strdup(c->type);
	else if ((!strcmp(c->type, "file") || !strcmp(c->type, "pipe")) && c->source_path)
		s = xml_util_msg("%s:%s", c->type, c->source_path);
	else if (!strcmp(c->type, "dev") && c->source_path)
		s = strdup(c->source_path);
	else if (!strcmp(c->type, "unix") && c->source_path) {
		char *path = xml_util_msg("unix:%s", c->source_path);

		if (path && (qemu_opts_append(&s, NULL, path) ||
			     (bind && (qemu_opts_append(&s, NULL, "server") || qemu_opts_append(&s, NULL, "nowait"))))) {
			free(s);
			s = NULL;
		}
		free(path);
	}
	else if (!strcmp(c->type, "tcp") && c->source_service)
		s = xml_util_msg("%s:%s:%s%s", c->protocol && !strcmp(c->protocol, "telnet") ? "telnet" : "tcp",
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

/*
 * -m and -smp. xenlaunch has neither ballooning nor vCPU hotplug (its -m
 * and -smp take one value and refuse maxmem=/maxcpus=): its guest starts
 * with what libxl would start it with, currentMemory and the current vCPUs,
 * and the lost head room is named in a warning.
 */
static int add_memory_smp(const struct domain_def *def, struct strv *av, int xenlaunch)
{
	unsigned long long max = def->memory_kib, cur = def->current_memory_kib ? def->current_memory_kib : max;
	int rc = 0;

	if (xenlaunch && max && mib(cur) < mib(max)) {
		log_warnx("%s: memory above currentMemory (%llu of %llu MiB) is not supported by xenlaunch; "
			  "the guest gets %llu MiB", def->name, mib(cur), mib(max), mib(cur));
		max = cur;
	}
	if (xenlaunch && def->vcpus && def->vcpus_current && def->vcpus_current < def->vcpus) {
		log_warnx("%s: vCPU hotplug (%u of %u vCPUs) is not supported by xenlaunch; the guest gets %u",
			  def->name, def->vcpus_current, def->vcpus, def->vcpus_current);
		if (max)
			rc = strv_add(av, "-m") || strv_addf(av, "%llu", mib(max));
		if (!rc)
			rc = strv_add(av, "-smp") || strv_addf(av, "%u", def->vcpus_current);
		return rc ? -ENOMEM : 0;
	}
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
	idx = disk_index(d->target_dev);
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

/* "vif<digits>.<digits>": the tap name xl (and the launcher) make up. */
static bool xl_vif_name(const char *s)
{
	size_t a, b;

	if (strncmp(s, "vif", 3))
		return false;
	a = strspn(s + 3, "0123456789");
	if (!a || s[3 + a] != '.')
		return false;
	b = strspn(s + 4 + a, "0123456789");
	return b && !s[4 + a + b];
}

/* Xen's hotplug scripts (vif-bridge, vif-route...), by their file name. */
static bool xen_vif_script(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strncmp(base ? base + 1 : path, "vif-", 4);
}

static int add_nic(const struct domain_interface *it, const char *target, struct strv *av, char **err_r)
{
	const char *ifname, *script;
	char *line = NULL;
	int rc;

	/* vif<domid>.<n> was generated by a launcher for one domain: it is not
	 * asked for again. Xen's own vif-* hotplug scripts are not run: the
	 * launcher joins the bridge itself. */
	ifname = it->target_dev && !xl_vif_name(it->target_dev) ? it->target_dev : NULL;
	script = it->script && (strcmp(it->type, "bridge") || !xen_vif_script(it->script)) ? it->script : NULL;
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
		char *addr = xml_util_msg("%s%s%s:%d", strchr(listen, ':') ? "[" : "", listen,
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

/* The devices both command lines spell QEMU's way: NICs, serial ports, displays. */
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
	static const char target[] = "xenlaunch";
	char *line = NULL, *monitor = NULL;
	struct strv av;
	int rc = -ENOMEM;

	*err_r = NULL;
	strv_init(&av);
	if (strcmp(def->virt_type, "xen"))
		return fail(err_r, -ENOTSUP, "domain type '%s' is not a Xen guest; use qemu-argv", def->virt_type);
	if (!domain_is_xen_pv(def) && !domain_is_hvm(def))
		return fail(err_r, -ENOTSUP, "os type '%s' is not supported by %s", def->os_type, target);
	if (def->bootloader_args && !def->bootloader)
		return fail(err_r, -EINVAL, "element 'bootloader_args' needs a 'bootloader'");
	rc = check_common(def, target, err_r);
	if (rc)
		return rc;
	/* -name NAME, or guest=NAME when NAME would read as a property. */
	if (strv_add(&av, binary) ||
	    add_opts(&av, "-name", &line, qemu_opts_append(&line, strchr(def->name, '=') ? "guest" : NULL, def->name)))
		goto nomem;
	if (def->uuid && (strv_add(&av, "-uuid") || strv_add(&av, def->uuid)))
		goto nomem;
	if (strv_add(&av, "-M") || strv_add(&av, domain_is_hvm(def) ? "xenfv" : "xenpv"))
		goto nomem;
	if (add_memory_smp(def, &av, 1))
		goto nomem;
	if (def->bootloader && (strv_add(&av, "-bootloader") || strv_add(&av, def->bootloader)))
		goto nomem;
	if (def->bootloader_args && (strv_add(&av, "-bootloader-args") || strv_add(&av, def->bootloader_args)))
		goto nomem;
	if (def->kernel && (strv_add(&av, "-kernel") || strv_add(&av, def->kernel)))
		goto nomem;
	if (def->initrd && (strv_add(&av, "-initrd") || strv_add(&av, def->initrd)))
		goto nomem;
	if (def->cmdline && (strv_add(&av, "-append") || strv_add(&av, def->cmdline)))
		goto nomem;
	for (size_t i = 0; i < def->n_disks; i++) {
		const struct domain_disk *d = &def->disks[i];

		rc = add_drive(d, d->target_bus && strcmp(d->target_bus, "xen") ? d->target_bus : "xen", &av, err_r);
		if (rc)
			goto out;
	}
	rc = add_nics_serials_graphics(def, target, &av, err_r);
	if (rc)
		goto out;
	monitor = xml_util_msg("unix:%s/%s.monitor", rundir, def->name);
	rc = add_opts(&av, "-monitor", &line, !monitor || qemu_opts_append(&line, NULL, monitor) ||
						 qemu_opts_append(&line, NULL, "server") ||
						 qemu_opts_append(&line, NULL, "nowait"));
	free(monitor);
	if (rc)
		goto nomem;
	if (def->on_reboot && !strcmp(def->on_reboot, "destroy") && strv_add(&av, "-no-reboot"))
		goto nomem;
	if (def->on_poweroff && strcmp(def->on_poweroff, "destroy"))
		log_warnx("%s: on_poweroff '%s' is not supported by %s; the guest is destroyed", def->name,
			  def->on_poweroff, target);
	if (def->on_crash && strcmp(def->on_crash, "destroy"))
		log_warnx("%s: on_crash '%s' is not supported by %s; the guest is destroyed", def->name, def->on_crash,
			  target);
	*argv_r = av;
	return 0;
nomem:
	rc = fail(err_r, -ENOMEM, "out of memory");
out:
	strv_dispose(&av);
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
	rc = check_common(def, target, err_r);
	if (rc)
		return rc;
	if (strv_add(&av, binary ? binary : def->emulator ? def->emulator : "/usr/bin/qemu-system-x86_64") ||
	    strv_add(&av, "-name") || strv_addf(&av, "guest=%s", def->name))
		goto nomem;
	if (add_opts(&av, "-machine", &line, qemu_opts_append(&line, NULL, def->os_machine ? def->os_machine : "pc") ||
						 qemu_opts_append(&line, "accel", kvm ? "kvm" : "tcg")))
		goto nomem;
	if (def->uuid && (strv_add(&av, "-uuid") || strv_add(&av, def->uuid)))
		goto nomem;
	if (add_memory_smp(def, &av, 0))
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

static void cfg_str(FILE *f, const char *key, const char *value)
{
	if (!value)
		return;
	fprintf(f, "%s = \"", key);
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs("\"\n", f);
}

/* One quoted list element, as xl's parser reads it. */
static void cfg_item(FILE *f, int first, const char *s)
{
	fputs(first ? "\"" : ", \"", f);
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

static int cfg_disk(const struct domain_disk *d, char **out, char **err_r)
{
	int cdrom = d->device && !strcmp(d->device, "cdrom");
	const char *backend;

	if (d->device && strcmp(d->device, "disk") && !cdrom)
		return fail(err_r, -ENOTSUP, "disk device '%s' (%s) is not supported by xl.cfg", d->device,
			    d->target_dev);
	if (strcmp(d->type, "file") && strcmp(d->type, "block"))
		return fail(err_r, -ENOTSUP, "disk type '%s' (%s) is not supported by xl.cfg", d->type, d->target_dev);
	backend = d->driver_name && !strcmp(d->driver_name, "phy") ? "phy" :
		  d->driver_name && !strcmp(d->driver_name, "tap") ? "tap" : "qdisk";
	*out = xml_util_msg("format=%s,vdev=%s,access=%s,backendtype=%s%s%s%s",
			    d->driver_type ? d->driver_type : "raw", d->target_dev, d->readonly ? "ro" : "rw", backend,
			    cdrom ? ",devtype=cdrom" : "", d->source ? ",target=" : "", d->source ? d->source : "");
	return *out ? 0 : fail(err_r, -ENOMEM, "out of memory");
}

int domain_to_xl_cfg(const struct domain_def *def, char **cfg_r, char **err_r)
{
	static const char target[] = "xl.cfg";
	char *buf = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int rc, hvm = domain_is_hvm(def);
	const struct domain_graphics *vnc = NULL, *sdl = NULL;
	size_t n_serial = 0;

	*err_r = NULL;
	*cfg_r = NULL;
	if (strcmp(def->virt_type, "xen"))
		return fail(err_r, -ENOTSUP, "domain type '%s' is not a Xen guest", def->virt_type);
	if (!hvm && !domain_is_xen_pv(def) && strcmp(def->os_type, "xenpvh"))
		return fail(err_r, -ENOTSUP, "os type '%s' is not supported by %s", def->os_type, target);
	rc = check_common(def, target, err_r);
	if (rc)
		return rc;
	for (size_t i = 0; i < def->n_graphics; i++) {
		if (!strcmp(def->graphics[i].type, "vnc") && !vnc)
			vnc = &def->graphics[i];
		else if (!strcmp(def->graphics[i].type, "sdl") && !sdl)
			sdl = &def->graphics[i];
		else
			return fail(err_r, -ENOTSUP, "graphics type '%s' is not supported by %s", def->graphics[i].type,
				    target);
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return fail(err_r, -ENOMEM, "out of memory");
	cfg_str(f, "name", def->name);
	cfg_str(f, "uuid", def->uuid);
	if (domain_is_xen_pv(def))
		cfg_str(f, "type", "pv");
	else if (!hvm)
		cfg_str(f, "type", "pvh");
	if (def->memory_kib) {
		fprintf(f, "maxmem = %llu\n", mib(def->memory_kib));
		fprintf(f, "memory = %llu\n",
			mib(def->current_memory_kib ? def->current_memory_kib : def->memory_kib));
	}
	if (def->vcpus) {
		if (def->vcpus_current && def->vcpus_current < def->vcpus) {
			fprintf(f, "vcpus = %u\nmaxvcpus = %u\n", def->vcpus_current, def->vcpus);
		} else {
			fprintf(f, "vcpus = %u\n", def->vcpus);
		}
	}
	if (hvm) {
		const char *names[] = { "pae", "acpi", "apic" };

		for (size_t k = 0; k < 3; k++) {
			int on = 0;

			for (size_t i = 0; i < def->n_features; i++)
				if (!strcmp(def->features[i].name, names[k]))
					on = !def->features[i].state || !strcmp(def->features[i].state, "on");
			fprintf(f, "%s = %d\n", names[k], on);
		}
	}
	for (size_t i = 0; i < def->n_features; i++) {
		const char *n = def->features[i].name;

		if (!hvm || (strcmp(n, "pae") && strcmp(n, "acpi") && strcmp(n, "apic"))) {
			if (!strcmp(n, "hap"))
				fprintf(f, "hap = %d\n", !def->features[i].state || !strcmp(def->features[i].state, "on"));
			else if (hvm || strcmp(n, "pae"))
				log_warnx("%s: feature '%s' is not supported by %s, ignored", def->name, n, target);
		}
	}
	fprintf(f, "localtime = %d\n", def->clock_offset && !strcmp(def->clock_offset, "localtime"));
	cfg_str(f, "on_poweroff", def->on_poweroff);
	cfg_str(f, "on_reboot", def->on_reboot);
	cfg_str(f, "on_crash", def->on_crash);
	if (hvm)
		cfg_str(f, "device_model_override", def->emulator);
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

			item = xml_util_msg("vnc=1,vncunused=%d%s%s%s%s", autoport, vnc->listen ? ",vnclisten=" : "",
					    vnc->listen ? vnc->listen : "", vnc->passwd ? ",vncpasswd=" : "",
					    vnc->passwd ? vnc->passwd : "");
			if (item && !autoport && vnc->port >= 5900) {
				char *t = xml_util_msg("%s,vncdisplay=%d", item, vnc->port - 5900);

				free(item);
				item = t;
			}
		} else {
			item = xml_util_msg("sdl=1%s%s%s%s", sdl->display ? ",display=" : "",
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
	if (def->n_interfaces) {
		fputs("vif = [ ", f);
		for (size_t i = 0; i < def->n_interfaces; i++) {
			const struct domain_interface *it = &def->interfaces[i];
			char *item = NULL;
			size_t ilen = 0;
			FILE *g;

			if (strcmp(it->type, "bridge") && strcmp(it->type, "ethernet")) {
				rc = fail(err_r, -ENOTSUP, "interface type '%s' is not supported by %s", it->type, target);
				goto out;
			}
			g = open_memstream(&item, &ilen);
			if (!g) {
				rc = fail(err_r, -ENOMEM, "out of memory");
				goto out;
			}
			if (it->mac)
				fprintf(g, "mac=%s,", it->mac);
			if (it->source_bridge)
				fprintf(g, "bridge=%s,", it->source_bridge);
			if (it->ip)
				fprintf(g, "ip=%s,", it->ip);
			if (it->script)
				fprintf(g, "script=%s,", it->script);
			if (it->model)
				fprintf(g, "model=%s,", it->model);
			if (it->target_dev)
				fprintf(g, "vifname=%s,", it->target_dev);
			fclose(g);
			if (ilen)
				item[ilen - 1] = '\0';
			cfg_item(f, i == 0, item);
			free(item);
		}
		fputs(" ]\n", f);
	}
	for (size_t i = 0; i < def->n_chardevs; i++)
		n_serial += def->chardevs[i].kind == DOMAIN_CHARDEV_SERIAL;
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
				rc = chardev_spec(&def->chardevs[i], target, &spec, err_r);
				if (rc)
					goto out;
				cfg_item(f, k++ == 0, spec);
				free(spec);
			}
			fputs(" ]\n", f);
		}
		cfg_str(f, "builder", "hvm");
	}
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
	if (def->n_disks) {
		fputs("disk = [ ", f);
		for (size_t i = 0; i < def->n_disks; i++) {
			char *item = NULL;

			rc = cfg_disk(&def->disks[i], &item, err_r);
			if (rc)
				goto out;
			cfg_item(f, i == 0, item);
			free(item);
		}
		fputs(" ]\n", f);
	}
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

/* A QEMU -m size: MiB by default, or with a suffix K, M, G, T. */
static int qemu_size_kib(const char *s, unsigned long long *kib_r, char **err_r)
{
	char num[32], *err = NULL;
	const char *unit = "MiB";
	size_t n = strlen(s);
	int rc;

	if (n == 0 || n >= sizeof(num))
		return fail(err_r, -EINVAL, "invalid memory size '%s'", s);
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': unit = "KiB"; num[n - 1] = '\0'; break;
	case 'm': case 'M': unit = "MiB"; num[n - 1] = '\0'; break;
	case 'g': case 'G': unit = "GiB"; num[n - 1] = '\0'; break;
	case 't': case 'T': unit = "TiB"; num[n - 1] = '\0'; break;
	}
	rc = domain_parse_size_kib(num, unit, kib_r, &err);
	if (rc)
		fail(err_r, rc, "invalid memory size '%s': %s", s, err);
	free(err);
	return rc;
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
	int pv = domain_is_xen_pv(def);
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

static int set_machine(struct domain_def *def, const char *machine, char **err_r)
{
	int rc;

	if (!strcmp(machine, "xenpv"))
		rc = set_str(&def->os_type, "linux", err_r);
	else if (!strcmp(machine, "xenfv"))
		rc = set_str(&def->os_type, "hvm", err_r);
	else
		return fail(err_r, -ENOTSUP, "machine type '%s' is not a Xen machine (xenpv, xenfv)", machine);
	return rc ? rc : set_str(&def->os_machine, machine, err_r);
}

static const char *disk_name(int pv, unsigned idx, char buf[8])
{
	snprintf(buf, 8, "%s%c", pv ? "xvd" : "hd", 'a' + (int)idx);
	return buf;
}

static int add_disk_file(struct domain_def *def, const char *file, unsigned idx, int cdrom, const char *bus,
			 const char *format, int readonly, char **err_r)
{
	struct domain_disk *d = grow_one((void **)&def->disks, &def->n_disks, sizeof(*d), err_r);
	int pv = domain_is_xen_pv(def) || (bus && !strcmp(bus, "xen"));
	char name[8];
	int rc;

	if (!d)
		return -E2BIG;
	if (idx >= 26)
		return fail(err_r, -EINVAL, "disk index %u is out of range (0 to 25)", idx);
	rc = set_str(&d->type, file && !strncmp(file, "/dev/", 5) ? "block" : "file", err_r);
	if (!rc)
		rc = set_str(&d->device, cdrom ? "cdrom" : "disk", err_r);
	if (!rc)
		rc = set_str(&d->driver_name, !strcmp(d->type, "block") ? "phy" : "qemu", err_r);
	if (!rc)
		rc = set_str(&d->driver_type, format ? format : "raw", err_r);
	if (!rc && file)
		rc = set_str(&d->source, file, err_r);
	if (!rc)
		rc = set_str(&d->target_dev, disk_name(pv, idx, name), err_r);
	if (!rc)
		rc = set_str(&d->target_bus, pv ? "xen" : bus ? bus : "ide", err_r);
	d->readonly = readonly || cdrom;
	return rc;
}

static int drive_from_spec(struct domain_def *def, const char *spec, char **err_r)
{
	const char *p = spec;
	char *item, *file = NULL, *iface = NULL, *format = NULL, *cache = NULL, *discard = NULL;
	unsigned idx = (unsigned)def->n_disks;
	int cdrom = 0, readonly = 0, rc = 0;

	while (!rc && (item = qemu_next_item(&p))) {
		const char *v;

		if ((v = kv(item, "file")))
			rc = set_str(&file, v, err_r);
		else if ((v = kv(item, "if")))
			rc = set_str(&iface, v, err_r);
		else if ((v = kv(item, "format")))
			rc = set_str(&format, v, err_r);
		else if ((v = kv(item, "cache")))
			rc = set_str(&cache, v, err_r);
		else if ((v = kv(item, "discard")))
			rc = set_str(&discard, v, err_r);
		else if ((v = kv(item, "media")))
			cdrom = !strcmp(v, "cdrom");
		else if ((v = kv(item, "readonly")))
			readonly = !strcmp(v, "on");
		else if ((v = kv(item, "index")))
		{
			if (!strcmp(v, "0"))
				idx = 0;
			else if (parse_uint_opt(v, 25, &idx))
				rc = fail(err_r, -EINVAL, "invalid drive index '%s'", v);
		}
		else
			rc = fail(err_r, -ENOTSUP, "drive option '%s' is not supported", item);
		free(item);
	}
	if (!rc)
		rc = add_disk_file(def, file, idx, cdrom, iface, format, readonly, err_r);
	if (!rc && cache)
		rc = set_str(&def->disks[def->n_disks - 1].driver_cache, cache, err_r);
	if (!rc && discard)
		rc = set_str(&def->disks[def->n_disks - 1].driver_discard, discard, err_r);
	free(file);
	free(iface);
	free(format);
	free(cache);
	free(discard);
	return rc;
}

static int nic_from_spec(struct domain_def *def, const char *spec, char **err_r)
{
	struct domain_interface *it = grow_one((void **)&def->interfaces, &def->n_interfaces, sizeof(*it), err_r);
	const char *p = spec;
	char *item, *kind;
	int rc = 0;

	if (!it)
		return -E2BIG;
	kind = qemu_next_item(&p);
	if (!kind || (strcmp(kind, "bridge") && strcmp(kind, "tap"))) {
		rc = fail(err_r, -ENOTSUP, "network backend '%s' is not supported", kind ? kind : "");
		free(kind);
		return rc;
	}
	rc = set_str(&it->type, !strcmp(kind, "bridge") ? "bridge" : "ethernet", err_r);
	free(kind);
	while (!rc && (item = qemu_next_item(&p))) {
		const char *v;

		if ((v = kv(item, "br")))
			rc = set_str(&it->source_bridge, v, err_r);
		else if ((v = kv(item, "mac")))
			rc = set_str(&it->mac, v, err_r);
		else if ((v = kv(item, "model")))
			rc = set_str(&it->model, v, err_r);
		else if ((v = kv(item, "ifname")))
			rc = set_str(&it->target_dev, v, err_r);
		else if ((v = kv(item, "script")))
			rc = set_str(&it->script, v, err_r);
		else
			rc = fail(err_r, -ENOTSUP, "network option '%s' is not supported", item);
		free(item);
	}
	return rc;
}

static int vnc_from_spec(struct domain_def *def, const char *spec, char **err_r)
{
	struct domain_graphics *g = grow_one((void **)&def->graphics, &def->n_graphics, sizeof(*g), err_r);
	const char *p = spec;
	char *addr, *item, *colon;
	unsigned disp = 0;
	int rc = 0, autoport = 0;

	if (!g)
		return -E2BIG;
	g->port = DOMAIN_PORT_ABSENT;
	rc = set_str(&g->type, "vnc", err_r);
	addr = qemu_next_item(&p);
	colon = addr ? strrchr(addr, ':') : NULL;
	if (!rc && !colon)
		rc = fail(err_r, -EINVAL, "invalid VNC display '%s'", spec);
	if (!rc && (colon[1] == '\0' || (strcmp(colon + 1, "0") && parse_uint_opt(colon + 1, 59635, &disp))))
		rc = fail(err_r, -EINVAL, "invalid VNC display '%s'", spec);
	if (!rc && colon != addr) {
		char *host = addr[0] == '[' && colon[-1] == ']' ? dupstr(addr + 1, (size_t)(colon - addr - 2)) :
								   dupstr(addr, (size_t)(colon - addr));

		g->listen = host;
		if (!host)
			rc = fail(err_r, -ENOMEM, "out of memory");
	}
	while (!rc && (item = qemu_next_item(&p))) {
		if (kv(item, "to"))
			autoport = 1;
		else if (strcmp(item, "password=on") && strcmp(item, "password"))
			rc = fail(err_r, -ENOTSUP, "VNC option '%s' is not supported", item);
		free(item);
	}
	free(addr);
	if (rc)
		return rc;
	g->port = autoport ? -1 : (int)(5900 + disp);
	return set_str(&g->autoport, autoport ? "yes" : "no", err_r);
}

/*
 * The options whose value is a QEMU option string refuse a property given
 * twice, as the launcher does (common/qemu_opts.h). -serial is not one of
 * them: file:PATH takes the rest of the value as it is.
 */
static int refuse_repeats(const char *option, const char *value, char **err_r)
{
	static const char *const opts_strings[] = { "name", "M", "machine", "m", "smp", "drive", "nic", "vnc",
						    "display", NULL };
	struct qemu_opts opts;
	char why[128];
	int rc = 0;

	for (size_t k = 0; opts_strings[k]; k++) {
		if (strcmp(option, opts_strings[k]))
			continue;
		if (qemu_opts_parse(value, &opts, why, sizeof(why)) < 0)
			rc = fail(err_r, -EINVAL, "-%s %s: %s", option, value, why);
		qemu_opts_dispose(&opts);
	}
	return rc;
}

int domain_from_xenlaunch_argv(struct domain_def *def, size_t argc, char *const *argv, char **err_r)
{
	const char *machine = "xenpv";
	int rc;

	*err_r = NULL;
	/* The machine decides how disks and serial lines read: find it first. */
	for (size_t i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "-M") || !strcmp(argv[i], "-machine") || !strcmp(argv[i], "--machine")) {
			machine = argv[i + 1];
			if (!strncmp(machine, "type=", 5))
				machine += 5;
		}
	{
		char *m = strdup(machine), *comma = m ? strchr(m, ',') : NULL;

		if (comma)
			*comma = '\0';
		rc = m ? set_machine(def, m, err_r) : fail(err_r, -ENOMEM, "out of memory");
		free(m);
		if (rc)
			return rc;
	}
	if (set_str(&def->virt_type, "xen", err_r) || set_str(&def->os_arch, "x86_64", err_r))
		return -ENOMEM;
	def->memory_kib = 128 * 1024;
	def->vcpus = 1;
	for (size_t i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		static const char *const with_arg[] = { "name", "M", "machine", "m", "smp", "kernel", "initrd", "append",
							"uuid", "serial", "monitor", "pidfile", "D", "hda", "hdb", "hdc",
							"hdd", "cdrom", "drive", "nic", "vnc", "bootloader", "display",
							"bootloader-args", NULL };
		int takes = 0;

		if (o[0] != '-')
			return fail(err_r, -ENOTSUP, "argument '%s' is not supported (a bare argument is a disk image; "
						     "use -drive)", o);
		o += o[1] == '-' ? 2 : 1;
		for (size_t k = 0; with_arg[k]; k++)
			takes |= !strcmp(o, with_arg[k]);
		if (takes && !v)
			return fail(err_r, -EINVAL, "option '%s' needs an argument", argv[i]);
		if (takes)
			i++;
		rc = takes ? refuse_repeats(o, v, err_r) : 0;
		if (rc)
			return rc;
		if (!strcmp(o, "name")) {
			/* [guest=]NAME[,...]: the name's commas are doubled. */
			struct qemu_opts opts;
			char why[128];

			rc = qemu_opts_parse(v, &opts, why, sizeof(why));
			if (!rc && opts.n)
				rc = set_str(&def->name, opts.items[0].value && !strcmp(opts.items[0].key, "guest") ?
							 opts.items[0].value : opts.items[0].text, err_r);
			else if (!rc)
				rc = fail(err_r, -EINVAL, "-name: empty name");
			qemu_opts_dispose(&opts);
		} else if (!strcmp(o, "M") || !strcmp(o, "machine") || !strcmp(o, "monitor") || !strcmp(o, "pidfile") ||
			   !strcmp(o, "D") || !strcmp(o, "daemonize") || !strcmp(o, "S")) {
			/* Machine already read; the rest belong to the run, not the guest. */
		} else if (!strcmp(o, "m")) {
			const char *p = v;
			char *item;

			while (!rc && (item = qemu_next_item(&p))) {
				const char *s;

				if ((s = kv(item, "maxmem"))) {
					unsigned long long cur = def->memory_kib;

					rc = qemu_size_kib(s, &def->memory_kib, err_r);
					def->current_memory_kib = cur;
				} else {
					rc = qemu_size_kib(kv(item, "size") ? kv(item, "size") : item, &def->memory_kib,
							   err_r);
				}
				free(item);
			}
			if (!rc && def->current_memory_kib > def->memory_kib)
				rc = fail(err_r, -EINVAL, "memory size is larger than maxmem in '%s'", v);
		} else if (!strcmp(o, "smp")) {
			const char *p = v;
			char *item;
			unsigned n = 0, max = 0;

			while (!rc && (item = qemu_next_item(&p))) {
				const char *s = kv(item, "cpus") ? kv(item, "cpus") : item;

				if (kv(item, "maxcpus"))
					rc = parse_uint_opt(kv(item, "maxcpus"), DOMAIN_VCPUS_MAX, &max);
				else
					rc = parse_uint_opt(s, DOMAIN_VCPUS_MAX, &n);
				free(item);
			}
			if (rc || !n || (max && max < n))
				return fail(err_r, -EINVAL, "invalid -smp value '%s'", v);
			def->vcpus = max ? max : n;
			def->vcpus_current = max && max != n ? n : 0;
		} else if (!strcmp(o, "kernel")) {
			rc = set_str(&def->kernel, v, err_r);
		} else if (!strcmp(o, "initrd")) {
			rc = set_str(&def->initrd, v, err_r);
		} else if (!strcmp(o, "append")) {
			rc = set_str(&def->cmdline, v, err_r);
		} else if (!strcmp(o, "bootloader")) {
			rc = set_str(&def->bootloader, v, err_r);
		} else if (!strcmp(o, "bootloader-args")) {
			rc = set_str(&def->bootloader_args, v, err_r);
		} else if (!strcmp(o, "uuid")) {
			char canon[37];

			if (domain_uuid_canon(v, canon))
				return fail(err_r, -EINVAL, "invalid UUID '%s'", v);
			rc = set_str(&def->uuid, canon, err_r);
		} else if (!strcmp(o, "serial")) {
			if (strcmp(v, "none"))
				rc = add_chardev(def, v, err_r);
		} else if (!strcmp(o, "hda") || !strcmp(o, "hdb") || !strcmp(o, "hdc") || !strcmp(o, "hdd")) {
			rc = add_disk_file(def, v, (unsigned)(o[2] - 'a'), 0, NULL, NULL, 0, err_r);
		} else if (!strcmp(o, "cdrom")) {
			rc = add_disk_file(def, v, 2, 1, NULL, NULL, 1, err_r);
		} else if (!strcmp(o, "drive")) {
			rc = drive_from_spec(def, v, err_r);
		} else if (!strcmp(o, "nic")) {
			rc = nic_from_spec(def, v, err_r);
		} else if (!strcmp(o, "vnc")) {
			rc = vnc_from_spec(def, v, err_r);
		} else if (!strcmp(o, "display") || !strcmp(o, "sdl")) {
			struct domain_graphics *g;

			if (!strcmp(o, "display") && strncmp(v, "sdl", 3)) {
				if (!strcmp(v, "none"))
					continue;
				return fail(err_r, -ENOTSUP, "display '%s' is not supported", v);
			}
			g = grow_one((void **)&def->graphics, &def->n_graphics, sizeof(*g), err_r);
			if (!g)
				return -E2BIG;
			g->port = DOMAIN_PORT_ABSENT;
			rc = set_str(&g->type, "sdl", err_r);
		} else if (!strcmp(o, "no-reboot")) {
			rc = set_str(&def->on_reboot, "destroy", err_r);
		} else {
			return fail(err_r, -ENOTSUP, "option '%s' is not supported by domxml-from-native", argv[takes ? i - 1 : i]);
		}
		if (rc)
			return rc;
	}
	if (!def->name)
		return fail(err_r, -EINVAL, "missing -name: a domain needs a name");
	if (set_str(&def->on_poweroff, "destroy", err_r) || (!def->on_reboot && set_str(&def->on_reboot, "restart", err_r)) ||
	    set_str(&def->on_crash, "destroy", err_r))
		return -ENOMEM;
	return 0;
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
	if (p < end && (*p == '"' || *p == '\'')) {
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

/* An xl disk spec (docs/misc/xl-disk-configuration.txt). */
static int xl_disk(struct domain_def *def, const char *spec, char **err_r)
{
	struct domain_disk *d = grow_one((void **)&def->disks, &def->n_disks, sizeof(*d), err_r);
	const char *p = spec;
	char *target = NULL, *format = NULL, *vdev = NULL, *backend = NULL;
	int positional = 0, rc = 0, cdrom = 0, readonly = 0;

	if (!d)
		return -E2BIG;
	while (!rc && *p) {
		const char *comma;
		size_t n;
		char *item;
		const char *v;

		/* xl's disk syntax allows blanks around the commas ("a=b, c=d"). */
		p += strspn(p, " \t");
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		/* target= takes the rest of the spec, commas included. */
		if (!strncmp(p, "target=", 7)) {
			rc = set_str(&target, p + 7, err_r);
			break;
		}
		item = dupstr(p, n);
		if (!item)
			return fail(err_r, -ENOMEM, "out of memory");
		p = comma ? comma + 1 : p + strlen(p);
		if ((v = kv(item, "format")))
			rc = *v ? set_str(&format, v, err_r) : 0;
		else if ((v = kv(item, "vdev")))
			rc = set_str(&vdev, v, err_r);
		else if ((v = kv(item, "access")))
			readonly = !strcmp(v, "ro") || !strcmp(v, "r");
		else if ((v = kv(item, "backendtype")))
			rc = set_str(&backend, v, err_r);
		else if ((v = kv(item, "devtype")))
			cdrom = !strcmp(v, "cdrom");
		else if (!strcmp(item, "cdrom"))
			cdrom = 1;
		else if (strchr(item, '=') && positional == 0)
			log_warnx("xl.cfg: disk setting '%s' is not supported, ignored", item);
		else {
			/* target, format, vdev, access in that order. */
			switch (positional++) {
			case 0: rc = *item ? set_str(&target, item, err_r) : 0; break;
			case 1: rc = *item ? set_str(&format, item, err_r) : 0; break;
			case 2:
				if (strchr(item, ':') && !strcmp(strchr(item, ':'), ":cdrom")) {
					*strchr(item, ':') = '\0';
					cdrom = 1;
				}
				rc = set_str(&vdev, item, err_r);
				break;
			case 3: readonly = !strcmp(item, "r") || !strcmp(item, "ro"); break;
			default:
				if (strchr(item, '='))
					log_warnx("xl.cfg: disk setting '%s' is not supported, ignored", item);
				else
					rc = fail(err_r, -EINVAL, "xl.cfg: too many positional disk parameters in '%s'", spec);
			}
		}
		free(item);
	}
	if (!rc && !vdev)
		rc = fail(err_r, -EINVAL, "xl.cfg: disk '%s' has no vdev", spec);
	if (!rc) {
		int phy = backend && !strcmp(backend, "phy");

		rc = set_str(&d->type, phy || (target && !strncmp(target, "/dev/", 5)) ? "block" : "file", err_r);
		if (!rc)
			rc = set_str(&d->device, cdrom ? "cdrom" : "disk", err_r);
		if (!rc)
			rc = set_str(&d->driver_name, phy ? "phy" : backend && !strcmp(backend, "tap") ? "tap" : "qemu",
				     err_r);
		if (!rc)
			rc = set_str(&d->driver_type, format ? format : "raw", err_r);
		if (!rc && target)
			rc = set_str(&d->source, target, err_r);
		if (!rc)
			rc = set_str(&d->target_dev, vdev, err_r);
		if (!rc)
			rc = set_str(&d->target_bus, !strncmp(vdev, "xvd", 3) ? "xen" : !strncmp(vdev, "hd", 2) ? "ide" :
							     !strncmp(vdev, "sd", 2) ? "scsi" : "xen", err_r);
		/* xl opens every CD-ROM read-only. */
		d->readonly = readonly || cdrom;
	}
	free(target);
	free(format);
	free(vdev);
	free(backend);
	return rc;
}

static int xl_vif(struct domain_def *def, const char *spec, char **err_r)
{
	struct domain_interface *it = grow_one((void **)&def->interfaces, &def->n_interfaces, sizeof(*it), err_r);
	char *copy, *save = NULL;
	int rc = 0;

	if (!it)
		return -E2BIG;
	copy = strdup(spec);
	if (!copy)
		return fail(err_r, -ENOMEM, "out of memory");
	for (char *item = strtok_r(copy, ",", &save); !rc && item; item = strtok_r(NULL, ",", &save)) {
		const char *v;

		while (*item == ' ')
			item++;
		if ((v = kv(item, "mac")))
			rc = set_str(&it->mac, v, err_r);
		else if ((v = kv(item, "bridge")))
			rc = set_str(&it->source_bridge, v, err_r);
		else if ((v = kv(item, "script")))
			rc = set_str(&it->script, v, err_r);
		else if ((v = kv(item, "model")))
			rc = set_str(&it->model, v, err_r);
		else if ((v = kv(item, "vifname")))
			rc = set_str(&it->target_dev, v, err_r);
		else if ((v = kv(item, "ip")))
			rc = set_str(&it->ip, v, err_r);
		else if (!kv(item, "type"))
			log_warnx("xl.cfg: vif setting '%s' is not supported, ignored", item);
	}
	free(copy);
	if (!rc)
		rc = set_str(&it->type, it->source_bridge ? "bridge" : "ethernet", err_r);
	if (!rc && it->ip && strchr(it->ip, ' ')) {
		log_warnx("xl.cfg: vif ip '%s': only the first address is kept", it->ip);
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

int domain_from_xl_cfg(struct domain_def *def, const char *text, size_t len, char **err_r)
{
	struct xl_cfg cfg = { 0 };
	unsigned long long memory = 0, maxmem = 0, vcpus = 0, maxvcpus = 0;
	char *root = NULL, *extra = NULL;
	const char *type = "pv", *serial_list_key = NULL;
	int rc, localtime = 0;

	*err_r = NULL;
	rc = xl_cfg_parse(&cfg, text, len, err_r);
	if (rc)
		goto out;
	/* The guest type decides how the other settings read. */
	for (size_t i = 0; i < cfg.n; i++) {
		if (!strcmp(cfg.s[i].key, "builder") && !strcmp(cfg.s[i].values.v[0], "hvm"))
			type = "hvm";
		if (!strcmp(cfg.s[i].key, "type"))
			type = cfg.s[i].values.v[0];
	}
	if (!strcmp(type, "pv"))
		rc = set_str(&def->os_type, "linux", err_r) || set_str(&def->os_machine, "xenpv", err_r);
	else if (!strcmp(type, "hvm"))
		rc = set_str(&def->os_type, "hvm", err_r) || set_str(&def->os_machine, "xenfv", err_r);
	else if (!strcmp(type, "pvh"))
		rc = set_str(&def->os_type, "xenpvh", err_r) || set_str(&def->os_machine, "xenpvh", err_r);
	else
		rc = fail(err_r, -EINVAL, "xl.cfg: unknown guest type '%s'", type);
	if (!rc)
		rc = set_str(&def->virt_type, "xen", err_r) || set_str(&def->os_arch, "x86_64", err_r);
	if (rc)
		goto out;
	for (size_t i = 0; !rc && i < cfg.n; i++) {
		const struct xl_setting *s = &cfg.s[i];
		const char *k = s->key, *v = s->values.n ? s->values.v[0] : "";
		static const char *const strings[] = { "name", "kernel", "ramdisk", "cmdline", "bootloader",
						       "bootloader_args", "on_poweroff", "on_reboot", "on_crash",
						       "device_model_override", "root", "extra", NULL };
		int is_string = 0;

		for (size_t j = 0; strings[j]; j++)
			is_string |= !strcmp(k, strings[j]);
		if (is_string && s->is_list) {
			rc = fail(err_r, -EINVAL, "xl.cfg: '%s' must be a string", k);
			break;
		}
		if (!strcmp(k, "name"))
			rc = set_str(&def->name, v, err_r);
		else if (!strcmp(k, "uuid")) {
			char canon[37];

			rc = domain_uuid_canon(v, canon) ? fail(err_r, -EINVAL, "xl.cfg: invalid uuid '%s'", v) :
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
		else if (!strcmp(k, "kernel"))
			rc = set_str(&def->kernel, v, err_r);
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
		else if (!strcmp(k, "bootloader_args"))
			rc = set_str(&def->bootloader_args, v, err_r);
		else if (!strcmp(k, "on_poweroff"))
			rc = set_str(&def->on_poweroff, v, err_r);
		else if (!strcmp(k, "on_reboot"))
			rc = set_str(&def->on_reboot, v, err_r);
		else if (!strcmp(k, "on_crash"))
			rc = set_str(&def->on_crash, v, err_r);
		else if (!strcmp(k, "device_model_override"))
			rc = set_str(&def->emulator, v, err_r);
		else if (!strcmp(k, "localtime"))
			localtime = !strcmp(v, "1");
		else if (!strcmp(k, "pae") || !strcmp(k, "acpi") || !strcmp(k, "apic") || !strcmp(k, "hap")) {
			if (!strcmp(v, "1")) {
				struct domain_feature *f = grow_one((void **)&def->features, &def->n_features,
								    sizeof(*f), err_r);

				def->has_features = 1;
				rc = f ? set_str(&f->name, k, err_r) : -E2BIG;
			}
		} else if (!strcmp(k, "boot")) {
			for (const char *b = v; !rc && *b && def->n_boot < DOMAIN_BOOT_MAX; b++)
				rc = set_str(&def->boot[def->n_boot++], *b == 'c' ? "hd" : *b == 'd' ? "cdrom" :
									*b == 'n' ? "network" : "fd", err_r);
		} else if (!strcmp(k, "disk")) {
			for (size_t j = 0; !rc && j < s->values.n; j++)
				rc = xl_disk(def, s->values.v[j], err_r);
		} else if (!strcmp(k, "vif")) {
			for (size_t j = 0; !rc && j < s->values.n; j++)
				rc = xl_vif(def, s->values.v[j], err_r);
		} else if (!strcmp(k, "serial")) {
			serial_list_key = k;
			for (size_t j = 0; !rc && j < s->values.n; j++)
				if (strcmp(s->values.v[j], "none"))
					rc = add_chardev(def, s->values.v[j], err_r);
		} else if (!strcmp(k, "vfb")) {
			for (size_t j = 0; !rc && j < s->values.n; j++) {
				char *copy = strdup(s->values.v[j]), *save = NULL;

				if (!copy) {
					rc = fail(err_r, -ENOMEM, "out of memory");
					break;
				}
				for (char *item = strtok_r(copy, ",", &save); !rc && item; item = strtok_r(NULL, ",", &save)) {
					char *eq = strchr(item, '=');

					if (!eq)
						continue;
					*eq = '\0';
					rc = xl_graphics_key(def, item, eq + 1, err_r);
					if (rc == 0 && strcmp(item, "type"))
						log_warnx("xl.cfg: vfb setting '%s' is not supported, ignored", item);
					rc = rc > 0 ? 0 : rc;
				}
				free(copy);
			}
		} else if (!strcmp(k, "parallel") && !strcmp(v, "none")) {
			;
		} else {
			rc = xl_graphics_key(def, k, v, err_r);
			if (rc == 0)
				log_warnx("xl.cfg: setting '%s' is not supported, ignored", k);
			rc = rc > 0 ? 0 : rc;
		}
	}
	if (rc)
		goto out;
	(void)serial_list_key;
	if (!def->name) {
		rc = fail(err_r, -EINVAL, "xl.cfg: missing 'name'");
		goto out;
	}
	if (!def->cmdline && (root || extra)) {
		def->cmdline = xml_util_msg("%s%s%s%s", root ? "root=" : "", root ? root : "", root && extra ? " " : "",
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
	rc = set_str(&def->clock_offset, localtime ? "localtime" : "utc", err_r);
	def->has_clock = 1;
	if (!rc && domain_is_xen_pv(def) && !def->n_chardevs)
		rc = add_chardev(def, "pty", err_r);
	for (size_t i = 0; !rc && i < 3; i++) {
		char **a = i == 0 ? &def->on_poweroff : i == 1 ? &def->on_reboot : &def->on_crash;

		if (!*a)
			rc = set_str(a, i == 1 ? "restart" : "destroy", err_r);
	}
out:
	free(root);
	free(extra);
	xl_cfg_dispose(&cfg);
	return rc;
}
