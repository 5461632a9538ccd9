/*
 * Launch config -> domain model. Every field is written explicitly, even
 * where libvirt has a default, because the point of the description is
 * that nothing is left for a later reader to guess.
 */
#include "model/describe.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/log.h"
#include "common/qemu_opts.h"
#include "common/strv.h"
#include "model/display_opts.h"
#include "model/names.h"
#include "model/nic_opts.h"
#include "model/options.h"

/* Copies src (may be NULL) into *dst; false when out of memory. */
static bool set(char **dst, const char *src)
{
	if (!src)
		return true;
	*dst = strdup(src);
	return *dst != NULL;
}

static const char *const cache_names[] = {
	[DRIVE_CACHE_WRITEBACK] = "writeback",
	[DRIVE_CACHE_NONE] = "none",
	[DRIVE_CACHE_DIRECTSYNC] = "directsync",
};

static bool describe_disk(const struct drive_config *dc, struct domain_disk *d)
{
	struct stat st;
	bool block = stat(dc->file, &st) == 0 && S_ISBLK(st.st_mode);
	const char *format = dc->format ? dc->format : "raw";
	char target[XVD_NAME_SIZE];

	xvd_name(dc->index, target);
	d->readonly = dc->readonly;
	return set(&d->type, block ? "block" : "file") &&
	       set(&d->device, dc->media == DRIVE_MEDIA_CDROM ? "cdrom" : "disk") &&
	       /* libvirt's libxl driver: "phy" for a raw block device, else QEMU's. */
	       set(&d->driver_name, block && !strcmp(format, "raw") ? "phy" : "qemu") &&
	       set(&d->driver_type, format) &&
	       set(&d->driver_cache, cache_names[dc->cache]) &&
	       set(&d->driver_discard, dc->discard ? "unmap" : "ignore") &&
	       set(&d->source, dc->file) &&
	       set(&d->target_dev, target) &&
	       set(&d->target_bus, "xen");
}

/*
 * A NIC: its MAC (filled in at start when none was given) and its tap's
 * name. An xl-style vif<domid>.<n> name is the launcher's own choice; like
 * libvirt's "vif" prefix it is not carried into the next start.
 */
static bool describe_nic(const struct nic_config *nc, unsigned index, uint32_t domid,
			 struct domain_interface *it)
{
	char mac[NIC_MAC_STRING_SIZE], tap[IFNAMSIZ];

	nic_mac_format(nc->mac, mac);
	/* Without a domain there is no tap yet, unless its name was given. */
	if ((!nc->ifname && !domid) || nic_tap_name(nc, domid, index, tap) < 0)
		tap[0] = '\0';
	it->driver_queues = nc->queues > 1 ? nc->queues : 0;
	return set(&it->type, nc->bridge ? "bridge" : "ethernet") && set(&it->mac, mac) &&
	       set(&it->source_bridge, nc->bridge) && set(&it->script, nc->script) &&
	       set(&it->downscript, nc->downscript) &&
	       set(&it->target_dev, tap[0] ? tap : NULL) && set(&it->model, "netfront");
}

/*
 * Console 0 is served through -serial: the <console> of a PV guest, with
 * the pty the launcher opened (libvirt shows it the same way).
 */
static bool describe_console(const struct chardev_spec *spec, const char *pty,
			     struct domain_chardev *c)
{
	static const char *const kinds[] = {
		[CHARDEV_NULL] = "null", [CHARDEV_PTY] = "pty", [CHARDEV_FILE] = "file",
		[CHARDEV_STDIO] = "stdio", [CHARDEV_UNIX] = "unix",
	};

	c->kind = DOMAIN_CHARDEV_CONSOLE;
	c->target_port = 0;
	return set(&c->type, kinds[spec->kind]) &&
	       set(&c->source_path, spec->kind == CHARDEV_PTY ? pty : spec->path) &&
	       set(&c->source_mode, spec->kind == CHARDEV_UNIX ? "bind" : NULL) &&
	       set(&c->target_type, "xen");
}

static bool describe_vnc(const struct display_config *dc, int live_port, struct domain_graphics *g)
{
	g->port = live_port > 0 ? live_port : 5900 + (int)dc->vnc_display;
	/* to=N lets the launcher pick a free display: libvirt's autoport. */
	return set(&g->type, "vnc") &&
	       set(&g->autoport, dc->vnc_to > dc->vnc_display ? "yes" : "no") &&
	       set(&g->listen, dc->vnc_host ? dc->vnc_host : "0.0.0.0") &&
	       set(&g->keymap, dc->keymap) &&
	       /* The password itself is set through the monitor and never shown
		* (libvirt too hides it); an empty passwd says one is required. */
	       set(&g->passwd, dc->vnc_password ? "" : NULL);
}

/* The vfb's pointer and keyboard and its framebuffer, as libvirt's libxl driver lists them. */
static int describe_vfb_devices(struct domain_def *def)
{
	static const char *const inputs[] = { "mouse", "keyboard" };
	struct domain_input *in;
	struct domain_video *v;
	int rc;

	for (size_t i = 0; i < 2; i++) {
		rc = domain_array_grow((void **)&def->inputs, &def->n_inputs, sizeof(*in), (void **)&in);
		if (rc)
			return rc;
		if (!set(&in->type, inputs[i]) || !set(&in->bus, "xen"))
			return -ENOMEM;
	}
	rc = domain_array_grow((void **)&def->videos, &def->n_videos, sizeof(*v), (void **)&v);
	if (rc)
		return rc;
	return set(&v->model, "xen") && set(&v->primary, "yes") ? 0 : -ENOMEM;
}

int launch_describe(const struct launch_config *cfg, const struct launch_live *live,
		    struct domain_def *def)
{
	const struct display_config *dc = &cfg->display;
	char uuid[UUID_STRING_SIZE];
	int rc;

	uuid_to_string(cfg->uuid, uuid);
	def->id = live->domid;
	def->memory_kib = cfg->memory_mib * 1024;
	def->current_memory_kib = def->memory_kib;
	def->vcpus = cfg->vcpus;
	if (!set(&def->virt_type, "xen") || !set(&def->name, cfg->name) || !set(&def->uuid, uuid) ||
	    !set(&def->os_type, cfg->machine == MACHINE_XENFV ? "hvm" :
				 cfg->machine == MACHINE_XENPVH ? "xenpvh" : "linux") ||
	    !set(&def->os_arch, "x86_64") ||
	    !set(&def->os_machine, cfg->machine == MACHINE_XENFV ? "xenfv" :
				    cfg->machine == MACHINE_XENPVH ? "xenpvh" : "xenpv") ||
	    !set(&def->on_poweroff, "destroy") ||
	    !set(&def->on_reboot, cfg->no_reboot ? "destroy" : "restart") ||
	    !set(&def->on_crash, "destroy"))
		return -ENOMEM;
	/*
	 * The clock, when not UTC: a date is told as the offset the guest got,
	 * so that starting from this XML gives it again.
	 */
	def->has_clock = cfg->rtc_base != RTC_BASE_UTC;
	if (def->has_clock && !set(&def->clock_offset, cfg->rtc_base == RTC_BASE_LOCALTIME ? "localtime" : "variable"))
		return -ENOMEM;
	if (cfg->rtc_base == RTC_BASE_DATE) {
		int64_t started = live->started ? live->started : (int64_t)time(NULL);

		if (!set(&def->clock_basis, "utc") ||
		    asprintf(&def->clock_adjustment, "%lld", (long long)(cfg->rtc_date - started)) < 0) {
			def->clock_adjustment = NULL;
			return -ENOMEM;
		}
	}
	if (cfg->bootloader) {
		/* The kernel the bootloader found is the guest's to change: a
		 * restart asks the bootloader again, so only it is described. */
		if (!set(&def->bootloader, cfg->bootloader) ||
		    !set(&def->bootloader_args, cfg->bootloader_args))
			return -ENOMEM;
	} else if (!set(&def->kernel, cfg->kernel) || !set(&def->initrd, cfg->initrd) ||
		   !set(&def->cmdline, cfg->append)) {
		return -ENOMEM;
	}
	for (unsigned i = 0; i < cfg->n_disks; i++) {
		struct domain_disk *d;

		rc = domain_array_grow((void **)&def->disks, &def->n_disks, sizeof(*d), (void **)&d);
		if (rc)
			return rc;
		if (!describe_disk(&cfg->disks[i], d))
			return -ENOMEM;
	}
	for (unsigned i = 0; i < cfg->n_nics; i++) {
		struct domain_interface *it;

		rc = domain_array_grow((void **)&def->interfaces, &def->n_interfaces, sizeof(*it),
				       (void **)&it);
		if (rc)
			return rc;
		if (!describe_nic(&cfg->nics[i], i, live->domid, it))
			return -ENOMEM;
	}
	if (cfg->serial.kind != CHARDEV_NONE) {
		struct domain_chardev *c;

		rc = domain_array_grow((void **)&def->chardevs, &def->n_chardevs, sizeof(*c), (void **)&c);
		if (rc)
			return rc;
		if (!describe_console(&cfg->serial, live->serial_pty, c))
			return -ENOMEM;
	}
	if (dc->vnc) {
		struct domain_graphics *g;

		rc = domain_array_grow((void **)&def->graphics, &def->n_graphics, sizeof(*g), (void **)&g);
		if (rc)
			return rc;
		if (!describe_vnc(dc, live->vnc_port, g))
			return -ENOMEM;
	}
	if (dc->sdl) {
		struct domain_graphics *g;

		rc = domain_array_grow((void **)&def->graphics, &def->n_graphics, sizeof(*g), (void **)&g);
		if (rc)
			return rc;
		g->port = DOMAIN_PORT_ABSENT;
		if (!set(&g->type, "sdl"))
			return -ENOMEM;
	}
	if (dc->vnc || dc->sdl)
		return describe_vfb_devices(def);
	return 0;
}

char *launch_describe_xml(const struct launch_config *cfg, const struct launch_live *live)
{
	struct domain_def def;
	char *xml = NULL;

	domain_def_init(&def);
	if (launch_describe(cfg, live, &def) == 0)
		xml = domain_def_format(&def);
	domain_def_dispose(&def);
	return xml;
}

/*
 * Domain model -> launch config: the inverse of launch_describe(). Every
 * device value goes through the launcher's own parser for the option that
 * sets it (-drive, -nic, -vnc, -k, -serial), so that a value the command
 * line refuses is refused here with the same words; what the launch config
 * has no place for is refused by name.
 */

struct from_ctx {
	struct launch_config *cfg;
	const char *name;	/* the domain's, for warnings */
	char **err_r;
};

static int refuse(struct from_ctx *fc, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(struct from_ctx *fc, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vfirst(fc->err_r, rc, fmt, ap);
	va_end(ap);
	return rc;
}

/* MiB, rounded up, of a KiB size. */
static uint64_t kib_to_mib(unsigned long long kib)
{
	return (kib + 1023) / 1024;
}

static int from_memory_vcpus(struct from_ctx *fc, const struct domain_def *def)
{
	unsigned long long max = def->memory_kib;
	unsigned long long cur = def->current_memory_kib ? def->current_memory_kib : max;

	if (def->max_memory_kib)
		return refuse(fc, -ENOTSUP, "element 'maxMemory' (memory hotplug) is not supported by xenlaunch");
	/* No ballooning and no vCPU hotplug: the guest starts with what libxl
	 * would start it with, and the lost head room is named. */
	if (max && kib_to_mib(cur) < kib_to_mib(max))
		log_warnx("%s: memory above currentMemory (%llu of %llu MiB) is not supported by xenlaunch; "
			  "the guest gets %llu MiB", fc->name, (unsigned long long)kib_to_mib(cur),
			  (unsigned long long)kib_to_mib(max), (unsigned long long)kib_to_mib(cur));
	if (cur)
		fc->cfg->memory_mib = kib_to_mib(cur);
	if (def->vcpus_current && def->vcpus_current < def->vcpus)
		log_warnx("%s: vCPU hotplug (%u of %u vCPUs) is not supported by xenlaunch; the guest gets %u",
			  fc->name, def->vcpus_current, def->vcpus, def->vcpus_current);
	if (def->vcpus)
		fc->cfg->vcpus = def->vcpus_current && def->vcpus_current < def->vcpus ? def->vcpus_current :
											 def->vcpus;
	return 0;
}

static int from_disk(struct from_ctx *fc, const struct domain_disk *d)
{
	bool cdrom = d->device && !strcmp(d->device, "cdrom");
	int idx = xvd_index(d->target_dev), rc;
	char *line = NULL, index[16], why[256];
	struct drive_config dc;
	bool index_set;

	if (d->device && strcmp(d->device, "disk") && !cdrom)
		return refuse(fc, -ENOTSUP, "disk device '%s' (%s) is not supported by xenlaunch", d->device,
			      d->target_dev);
	if (strcmp(d->type, "file") && strcmp(d->type, "block"))
		return refuse(fc, -ENOTSUP, "disk type '%s' (%s) is not supported by xenlaunch", d->type,
			      d->target_dev);
	if (d->target_bus && strcmp(d->target_bus, "xen") && strcmp(d->target_bus, "ide"))
		return refuse(fc, -ENOTSUP, "disk bus '%s' (%s) is not supported by xenlaunch (xen or ide)",
			      d->target_bus, d->target_dev);
	if (d->shareable)
		return refuse(fc, -ENOTSUP, "disk element 'shareable' (%s) is not supported by xenlaunch",
			      d->target_dev);
	if (!d->source)
		return refuse(fc, -ENOTSUP, "disk %s has no source (an empty drive is not supported by xenlaunch)",
			      d->target_dev);
	if (idx < 0)
		return refuse(fc, -EINVAL, "cannot derive a disk index from target dev '%s'", d->target_dev);
	snprintf(index, sizeof(index), "%d", idx);
	rc = qemu_opts_append(&line, "file", d->source) || qemu_opts_append(&line, "index", index) ||
	     qemu_opts_append(&line, "media", cdrom ? "cdrom" : "disk") ||
	     (d->driver_type && qemu_opts_append(&line, "format", d->driver_type)) ||
	     (d->readonly && qemu_opts_append(&line, "readonly", "on")) ||
	     (d->driver_cache && qemu_opts_append(&line, "cache", d->driver_cache)) ||
	     (d->driver_discard && qemu_opts_append(&line, "discard", d->driver_discard));
	if (rc) {
		free(line);
		return refuse(fc, -ENOMEM, "out of memory");
	}
	rc = drive_spec_parse(line, &dc, &index_set, why, sizeof(why));
	free(line);
	if (rc)
		return refuse(fc, rc, "disk %s: %s", d->target_dev, why);
	if (fc->cfg->n_disks >= LAUNCH_MAX_DISKS) {
		free(dc.file);
		return refuse(fc, -EINVAL, "disk %s: too many disks (at most %u)", d->target_dev, LAUNCH_MAX_DISKS);
	}
	fc->cfg->disks[fc->cfg->n_disks++] = dc;
	return 0;
}

static int from_interface(struct from_ctx *fc, const struct domain_interface *it, unsigned n)
{
	bool bridge = !strcmp(it->type, "bridge");
	const char *ifname, *script;
	char *line = NULL, queues[16], why[200];
	int rc;

	if (!(bridge && it->source_bridge) && strcmp(it->type, "ethernet"))
		return refuse(fc, -ENOTSUP, "interface type '%s' is not supported by xenlaunch", it->type);
	if (it->ip)
		return refuse(fc, -ENOTSUP, "interface element 'ip' (%s) is not supported by xenlaunch", it->ip);
	/* vif<domid>.<n> was made up by a launcher for one domain: it is not
	 * asked for again. Xen's own vif-* hotplug scripts are not run: the
	 * launcher joins the bridge itself. */
	ifname = it->target_dev && !nic_name_is_xl_vif(it->target_dev) ? it->target_dev : NULL;
	script = it->script && (!bridge || !nic_script_is_xen_hotplug(it->script)) ? it->script : NULL;
	snprintf(queues, sizeof(queues), "%u", it->driver_queues);
	rc = qemu_opts_append(&line, NULL, "tap") ||
	     (bridge && qemu_opts_append(&line, "br", it->source_bridge)) ||
	     (ifname && qemu_opts_append(&line, "ifname", ifname)) ||
	     (script && qemu_opts_append(&line, "script", script)) ||
	     (it->downscript && qemu_opts_append(&line, "downscript", it->downscript)) ||
	     (it->mac && qemu_opts_append(&line, "mac", it->mac)) ||
	     (it->model && qemu_opts_append(&line, "model", it->model)) ||
	     (it->driver_queues && qemu_opts_append(&line, "queues", queues));
	if (rc) {
		free(line);
		return refuse(fc, -ENOMEM, "out of memory");
	}
	rc = nic_opts_nic(line, fc->cfg, why, sizeof(why));
	free(line);
	return rc ? refuse(fc, rc, "interface %u: %s", n, why) : 0;
}

/*
 * The one serial line: a PV guest's <console> (target xen) or serial 0,
 * which libvirt mirrors as a <console target type='serial'>.
 */
static int from_chardevs(struct from_ctx *fc, const struct domain_def *def)
{
	const struct domain_chardev *line = NULL;
	char *spec = NULL;
	const char *msg;
	int rc;

	for (size_t i = 0; i < def->n_chardevs; i++) {
		const struct domain_chardev *c = &def->chardevs[i];
		const char *what = c->kind == DOMAIN_CHARDEV_CONSOLE ? "console" : "serial";

		rc = 0;
		if (c->kind == DOMAIN_CHARDEV_CONSOLE && c->target_type && strcmp(c->target_type, "xen") &&
		    strcmp(c->target_type, "serial"))
			return refuse(fc, -ENOTSUP, "console target type '%s' is not supported by xenlaunch",
				      c->target_type);
		if (line && line->kind == DOMAIN_CHARDEV_SERIAL && c->kind == DOMAIN_CHARDEV_CONSOLE &&
		    (!c->target_type || !strcmp(c->target_type, "serial")))
			continue;	/* the mirror of serial 0 */
		if (line)
			return refuse(fc, -ENOTSUP, "a second %s is not supported by xenlaunch (one serial line)",
				      what);
		line = c;
		if (!strcmp(c->type, "pty") || !strcmp(c->type, "null") || !strcmp(c->type, "stdio"))
			spec = strdup(c->type);
		else if (!strcmp(c->type, "file") && c->source_path) {
			if (asprintf(&spec, "file:%s", c->source_path) < 0)
				spec = NULL;
		} else if (!strcmp(c->type, "unix") && c->source_path) {
			char *path = NULL;

			/* mode='connect' is a client, which the parser refuses by name. */
			rc = asprintf(&path, "unix:%s", c->source_path) < 0 || qemu_opts_append(&spec, NULL, path) ||
			     (c->source_mode && !strcmp(c->source_mode, "bind") &&
			      qemu_opts_append(&spec, NULL, "server")) ||
			     qemu_opts_append(&spec, NULL, "nowait");
			if (rc) {
				free(spec);
				spec = NULL;
			}
			free(path);
		} else
			return refuse(fc, -ENOTSUP, "%s type '%s' is not supported by xenlaunch", what, c->type);
		if (!spec)
			return refuse(fc, -ENOMEM, "out of memory");
		rc = chardev_spec_parse(spec, &fc->cfg->serial, &msg);
		rc = rc ? refuse(fc, rc, "%s type '%s': %s", what, c->type, msg) : 0;
		free(spec);
		spec = NULL;
		if (rc)
			return rc;
	}
	/* No console: no serial line (-serial none), as launch_describe() writes it. */
	if (!line)
		fc->cfg->serial.kind = CHARDEV_NONE;
	return 0;
}

static int from_graphics(struct from_ctx *fc, const struct domain_def *def)
{
	struct display_config *dc = &fc->cfg->display;
	char why[256];
	int rc;

	for (size_t i = 0; i < def->n_graphics; i++) {
		const struct domain_graphics *g = &def->graphics[i];

		if (!strcmp(g->type, "vnc")) {
			bool autoport = g->port < 0 || (g->autoport && !strcmp(g->autoport, "yes"));
			int display = g->port >= 5900 ? g->port - 5900 : 0;
			const char *listen = !g->listen ? "127.0.0.1" : strcmp(g->listen, "0.0.0.0") ? g->listen : "";
			char *line = NULL, *addr = NULL, to[16];

			if (dc->vnc)
				return refuse(fc, -ENOTSUP, "a second VNC display is not supported by xenlaunch");
			if (g->port >= 0 && g->port < 5900 && g->port != DOMAIN_PORT_ABSENT)
				return refuse(fc, -EINVAL, "VNC port %d is below 5900", g->port);
			snprintf(to, sizeof(to), "%u", VNC_MAX_DISPLAY);
			rc = asprintf(&addr, "%s:%d", listen, display) < 0 || qemu_opts_append(&line, NULL, addr) ||
			     (autoport && qemu_opts_append(&line, "to", to)) ||
			     (g->passwd && qemu_opts_append(&line, "password", "on"));
			free(addr);
			rc = rc ? -ENOMEM : display_opts_vnc(line, dc, why, sizeof(why));
			free(line);
			if (rc)
				return refuse(fc, rc, "graphics vnc: %s", rc == -ENOMEM ? "out of memory" : why);
		} else if (!strcmp(g->type, "sdl")) {
			if (g->fullscreen && !strcmp(g->fullscreen, "yes"))
				return refuse(fc, -ENOTSUP, "graphics sdl fullscreen='yes' is not supported by xenlaunch");
			if (g->display || g->xauth)
				return refuse(fc, -ENOTSUP, "graphics sdl %s is not supported by xenlaunch "
							    "(the launcher's own environment is used)",
					      g->display ? "display=" : "xauth=");
			dc->sdl = true;
		} else {
			return refuse(fc, -ENOTSUP, "graphics type '%s' is not supported by xenlaunch", g->type);
		}
		if (g->keymap && display_opts_keymap(g->keymap, dc, why, sizeof(why)) < 0)
			return refuse(fc, -EINVAL, "graphics keymap '%s': %s", g->keymap, why);
	}
	/* The vfb's own pointer, keyboard and framebuffer, as launch_describe()
	 * lists them (and libvirt's libxl driver adds them to any PV guest). */
	for (size_t i = 0; i < def->n_inputs; i++)
		if (!def->inputs[i].bus || strcmp(def->inputs[i].bus, "xen"))
			return refuse(fc, -ENOTSUP, "input type '%s' bus '%s' is not supported by xenlaunch",
				      def->inputs[i].type, def->inputs[i].bus ? def->inputs[i].bus : "");
	for (size_t i = 0; i < def->n_videos; i++)
		if (!def->videos[i].model || strcmp(def->videos[i].model, "xen"))
			return refuse(fc, -ENOTSUP, "video model '%s' is not supported by xenlaunch",
				      def->videos[i].model ? def->videos[i].model : "");
	return 0;
}

/* What a xenlaunch guest does not have: refused by name. */
static int from_unsupported(struct from_ctx *fc, const struct domain_def *def)
{
	if (def->loader)
		return refuse(fc, -ENOTSUP, "element 'os/loader' is not supported by xenlaunch");
	if (def->n_boot)
		return refuse(fc, -ENOTSUP, "element 'os/boot' is not supported by xenlaunch "
					    "(a PV guest boots its kernel or bootloader)");
	if (def->n_features)
		return refuse(fc, -ENOTSUP, "element 'features/%s' is not supported by xenlaunch",
			      def->features[0].name);
	if (def->n_hostdevs)
		return refuse(fc, -ENOTSUP, "element 'devices/hostdev' (PCI passthrough of %04x:%02x:%02x.%x) is not "
					    "supported by xenlaunch", def->hostdevs[0].domain, def->hostdevs[0].bus,
			      def->hostdevs[0].slot, def->hostdevs[0].function);
	if (def->xenbus_max_grant_frames || def->xenbus_max_event_channels)
		return refuse(fc, -ENOTSUP, "controller xenbus %s is not supported by xenlaunch",
			      def->xenbus_max_grant_frames ? "maxGrantFrames" : "maxEventChannels");
	return 0;
}

/*
 * <clock> as -rtc base=, as libvirt's QEMU driver writes it: utc and
 * localtime as they are, an adjustment as the date the guest's clock starts
 * at (now, plus the host's UTC offset for a localtime basis, plus the
 * adjustment).
 */
static int from_clock(struct from_ctx *fc, const struct domain_def *def)
{
	const char *off = def->clock_offset ? def->clock_offset : "utc", *adj = def->clock_adjustment;
	bool local = !strcmp(off, "localtime") ||
		     (!strcmp(off, "variable") && def->clock_basis && !strcmp(def->clock_basis, "localtime"));
	long long seconds = 0;
	int64_t now = (int64_t)time(NULL);

	if (def->clock_timezone || (strcmp(off, "utc") && strcmp(off, "localtime") && strcmp(off, "variable")))
		return refuse(fc, -ENOTSUP, "clock offset '%s' is not supported by xenlaunch", off);
	if (def->clock_basis && strcmp(def->clock_basis, "utc") && strcmp(def->clock_basis, "localtime"))
		return refuse(fc, -EINVAL, "invalid clock basis '%s' (utc or localtime)", def->clock_basis);
	if (adj && strcmp(adj, "reset")) {
		char *end;

		errno = 0;
		seconds = strtoll(adj, &end, 10);
		if (errno || *end || end == adj || seconds > RTC_OFFSET_MAX || seconds < -RTC_OFFSET_MAX)
			return refuse(fc, -EINVAL, "invalid clock adjustment '%s' (seconds, at most %d either way)", adj,
				      RTC_OFFSET_MAX);
	}
	if (!seconds) {
		fc->cfg->rtc_base = local ? RTC_BASE_LOCALTIME : RTC_BASE_UTC;
		return 0;
	}
	fc->cfg->rtc_base = RTC_BASE_DATE;
	fc->cfg->rtc_date = now + seconds;
	if (local) {
		struct launch_config lt = { .rtc_base = RTC_BASE_LOCALTIME };
		int32_t gmtoff = 0;

		if (rtc_offset(&lt, now, &gmtoff))
			return refuse(fc, -ERANGE, "cannot tell the host's UTC offset");
		fc->cfg->rtc_date += gmtoff;
	}
	return 0;
}

/*
 * The config as the launcher would take it: written out as its command
 * line and read back, so that how the options fit together, and the
 * defaults (the MACs), are decided by options_finish(), in its words.
 */
static int launch_config_check(struct launch_config *cfg, char **err_r)
{
	struct launch_config checked;
	char *msg = NULL;
	size_t len = 0;
	struct strv av;
	FILE *err = NULL;
	int rc;

	launch_config_init(&checked);
	strv_init(&av);
	rc = options_format(cfg, "xenlaunch", &av);
	if (rc)
		goto out;
	err = open_memstream(&msg, &len);
	if (!err) {
		rc = -ENOMEM;
		goto out;
	}
	rc = options_parse_no_files((int)av.n, av.v, &checked, err, err) == OPTIONS_RUN ? 0 : -EINVAL;
	fclose(err);
	if (rc) {
		/* One line, as the launcher printed it. */
		if (len && msg[len - 1] == '\n')
			msg[len - 1] = '\0';
		*err_r = msg;
		msg = NULL;
		goto out;
	}
	launch_config_dispose(cfg);
	*cfg = checked;
	launch_config_init(&checked);
out:
	if (rc == -ENOMEM && !*err_r)
		*err_r = strdup("out of memory");
	free(msg);
	strv_dispose(&av);
	launch_config_dispose(&checked);
	return rc;
}

int launch_from_domain(const struct domain_def *def, struct launch_config *cfg, char **err_r)
{
	struct from_ctx fc = { .cfg = cfg, .name = def->name, .err_r = err_r };
	int rc;

	*err_r = NULL;
	if (!def->virt_type || strcmp(def->virt_type, "xen"))
		return refuse(&fc, -ENOTSUP, "domain type '%s' is not a Xen guest; use qemu-argv",
			      def->virt_type ? def->virt_type : "");
	if (domain_is_hvm(def))
		cfg->machine = MACHINE_XENFV;	/* which the launcher refuses, by its own words */
	else if (domain_is_xen_pvh(def))
		cfg->machine = MACHINE_XENPVH;
	else if (domain_is_xen_pv(def))
		cfg->machine = MACHINE_XENPV;
	else
		return refuse(&fc, -ENOTSUP, "os type '%s' is not supported by xenlaunch",
			      def->os_type ? def->os_type : "");
	if (def->bootloader_args && !def->bootloader)
		return refuse(&fc, -EINVAL, "element 'bootloader_args' needs a 'bootloader'");
	rc = domain_check_extra(def, "xenlaunch", err_r);
	if (!rc)
		rc = from_unsupported(&fc, def);
	if (rc)
		return rc;
	if (!set(&cfg->name, def->name) || !set(&cfg->kernel, def->kernel) || !set(&cfg->initrd, def->initrd) ||
	    !set(&cfg->append, def->cmdline) || !set(&cfg->bootloader, def->bootloader) ||
	    !set(&cfg->bootloader_args, def->bootloader_args))
		return refuse(&fc, -ENOMEM, "out of memory");
	rc = def->uuid ? uuid_from_string_loose(def->uuid, cfg->uuid) : uuid_generate_random(cfg->uuid);
	if (rc)
		return refuse(&fc, rc, "uuid '%s': %s", def->uuid ? def->uuid : "", strerror(-rc));
	cfg->uuid_set = true;
	rc = from_memory_vcpus(&fc, def);
	for (size_t i = 0; !rc && i < def->n_disks; i++)
		rc = from_disk(&fc, &def->disks[i]);
	for (size_t i = 0; !rc && i < def->n_interfaces; i++)
		rc = from_interface(&fc, &def->interfaces[i], (unsigned)i);
	if (!rc)
		rc = from_chardevs(&fc, def);
	if (!rc)
		rc = from_graphics(&fc, def);
	if (!rc)
		rc = from_clock(&fc, def);
	if (rc)
		return rc;
	/* libvirt's Xen examples name qemu-dm: here the launcher is the device model */
	if (def->emulator && strcmp((strrchr(def->emulator, '/') ? strrchr(def->emulator, '/') + 1 : def->emulator), "xenlaunch"))
		log_warnx("%s: emulator '%s' is not used; xenlaunch is the device model", def->name, def->emulator);
	if (def->vcpu_placement && strcmp(def->vcpu_placement, "static"))
		log_warnx("%s: vcpu placement '%s' is not supported by xenlaunch; Xen places the vCPUs", def->name,
			  def->vcpu_placement);
	cfg->no_reboot = def->on_reboot && !strcmp(def->on_reboot, "destroy");
	if (def->on_poweroff && strcmp(def->on_poweroff, "destroy"))
		log_warnx("%s: on_poweroff '%s' is not supported by xenlaunch; the guest is destroyed", def->name,
			  def->on_poweroff);
	if (def->on_crash && strcmp(def->on_crash, "destroy"))
		log_warnx("%s: on_crash '%s' is not supported by xenlaunch; the guest is destroyed", def->name,
			  def->on_crash);
	return launch_config_check(cfg, err_r);
}
