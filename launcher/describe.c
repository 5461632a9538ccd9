/*
 * Launch config -> domain model. Every field is written explicitly, even
 * where libvirt has a default, because the point of the description is
 * that nothing is left for a later reader to guess.
 */
#include "launcher/describe.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>

#include "launcher/nic_opts.h"
#include "launcher/options.h"

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
	char target[8];

	/* Xen's xvd numbering: the launcher's index is the letter. */
	snprintf(target, sizeof(target), "xvd%c", 'a' + dc->index);
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
	return set(&it->type, nc->bridge ? "bridge" : "ethernet") && set(&it->mac, mac) &&
	       set(&it->source_bridge, nc->bridge) && set(&it->script, nc->script) &&
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
	    !set(&def->os_type, cfg->machine == MACHINE_XENFV ? "hvm" : "linux") ||
	    !set(&def->os_arch, "x86_64") ||
	    !set(&def->os_machine, cfg->machine == MACHINE_XENFV ? "xenfv" : "xenpv") ||
	    !set(&def->on_poweroff, "destroy") ||
	    !set(&def->on_reboot, cfg->no_reboot ? "destroy" : "restart") ||
	    !set(&def->on_crash, "destroy"))
		return -ENOMEM;
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
