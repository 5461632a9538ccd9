/* model/config: comparing two launch configs; see config.h. */
#include "model/config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_chardev(const struct chardev_spec *a, const struct chardev_spec *b)
{
	return a->kind == b->kind && same_str(a->path, b->path) && a->server == b->server &&
	       (a->kind != CHARDEV_UNIX || a->wait == b->wait);
}

#define DIFF(cond, field)          \
	do {                       \
		if (!(cond))       \
			return field; \
	} while (0)

const char *launch_config_diff(const struct launch_config *a, const struct launch_config *b)
{
	const struct display_config *da = &a->display, *db = &b->display;

	DIFF(a->machine == b->machine, "machine");
	DIFF(same_str(a->name, b->name), "name");
	/* uuid_set and mac_set say where a UUID or MAC came from (given, or
	 * chosen by the launcher), not which it is: they are not compared. */
	DIFF(!memcmp(a->uuid, b->uuid, sizeof(a->uuid)), "uuid");
	DIFF(a->memory_mib == b->memory_mib, "memory_mib");
	DIFF(a->vcpus == b->vcpus, "vcpus");
	DIFF(same_str(a->kernel, b->kernel), "kernel");
	DIFF(same_str(a->initrd, b->initrd), "initrd");
	DIFF(same_str(a->append, b->append), "append");
	DIFF(same_str(a->bootloader, b->bootloader), "bootloader");
	DIFF(same_str(a->bootloader_args, b->bootloader_args), "bootloader_args");
	DIFF(same_chardev(&a->serial, &b->serial), "serial");
	DIFF(same_chardev(&a->monitor, &b->monitor), "monitor");
	DIFF(a->rtc_base == b->rtc_base, "rtc_base");
	DIFF(a->rtc_base != RTC_BASE_DATE || a->rtc_date == b->rtc_date, "rtc_date");
	DIFF(a->no_reboot == b->no_reboot, "no_reboot");
	DIFF(a->start_paused == b->start_paused, "start_paused");
	DIFF(a->daemonize == b->daemonize, "daemonize");
	DIFF(a->nographic == b->nographic, "nographic");
	DIFF(same_str(a->pidfile, b->pidfile), "pidfile");
	DIFF(same_str(a->logfile, b->logfile), "logfile");
	DIFF(a->n_disks == b->n_disks, "n_disks");
	for (unsigned i = 0; i < a->n_disks; i++) {
		const struct drive_config *x = &a->disks[i], *y = &b->disks[i];

		DIFF(same_str(x->file, y->file), "disks[].file");
		/* Not given is raw: the same disk, only checked more strictly. */
		DIFF(same_str(x->format ? x->format : "raw", y->format ? y->format : "raw"),
		     "disks[].format");
		DIFF(x->media == y->media, "disks[].media");
		DIFF(x->readonly == y->readonly, "disks[].readonly");
		DIFF(x->index == y->index, "disks[].index");
		DIFF(x->cache == y->cache, "disks[].cache");
		DIFF(x->discard == y->discard, "disks[].discard");
	}
	DIFF(da->vnc == db->vnc, "display.vnc");
	DIFF(same_str(da->vnc_host, db->vnc_host), "display.vnc_host");
	DIFF(da->vnc_display == db->vnc_display, "display.vnc_display");
	DIFF(da->vnc_to == db->vnc_to, "display.vnc_to");
	DIFF(da->vnc_password == db->vnc_password, "display.vnc_password");
	DIFF(da->sdl == db->sdl, "display.sdl");
	DIFF(same_str(da->keymap, db->keymap), "display.keymap");
	DIFF(a->n_nics == b->n_nics, "n_nics");
	for (unsigned i = 0; i < a->n_nics; i++) {
		const struct nic_config *x = &a->nics[i], *y = &b->nics[i];

		DIFF(same_str(x->bridge, y->bridge), "nics[].bridge");
		DIFF(same_str(x->ifname, y->ifname), "nics[].ifname");
		DIFF(same_str(x->script, y->script), "nics[].script");
		DIFF(same_str(x->downscript, y->downscript), "nics[].downscript");
		DIFF(!memcmp(x->mac, y->mac, sizeof(x->mac)), "nics[].mac");
		DIFF(x->queues == y->queues, "nics[].queues");
	}
	return NULL;
}

int rtc_offset(const struct launch_config *cfg, int64_t now, int32_t *offset_r)
{
	int64_t off = 0;

	if (cfg->rtc_base == RTC_BASE_LOCALTIME) {
		time_t t = (time_t)now;
		struct tm tm;

		if (!localtime_r(&t, &tm))
			return -ERANGE;
		off = tm.tm_gmtoff;
	} else if (cfg->rtc_base == RTC_BASE_DATE) {
		off = cfg->rtc_date - now;
	}
	if (off > RTC_OFFSET_MAX || off < -RTC_OFFSET_MAX)
		return -ERANGE;
	*offset_r = (int32_t)off;
	return 0;
}
