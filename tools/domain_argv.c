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
	*out = str_printf("format=%s,vdev=%s,access=%s,backendtype=%s%s%s%s",
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
	if (!hvm && !domain_is_xen_pv(def) && !domain_is_xen_pvh(def))
		return fail(err_r, -ENOTSUP, "os type '%s' is not supported by %s", def->os_type, target);
	rc = domain_check_extra(def, target, err_r);
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

			item = str_printf("vnc=1,vncunused=%d%s%s%s%s", autoport, vnc->listen ? ",vnclisten=" : "",
					    vnc->listen ? vnc->listen : "", vnc->passwd ? ",vncpasswd=" : "",
					    vnc->passwd ? vnc->passwd : "");
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
	rc = set_str(&def->clock_offset, localtime ? "localtime" : "utc", err_r);
	def->has_clock = 1;
	if (!rc && (domain_is_xen_pv(def) || domain_is_xen_pvh(def)) && !def->n_chardevs)
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
