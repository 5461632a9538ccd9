/*
 * The disk layer's core: the implementation table, open and close; see
 * disk.h (the formats and the probe are format.c's).
 */
#include "disk/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/module.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

bool disk_needs_nbd(const struct disk_params *p, const struct stat *st)
{
	return p->format && strcmp(p->format, "raw") && (S_ISREG(st->st_mode) || S_ISBLK(st->st_mode));
}

/* Loads the module disk-nbd and opens with its table, which d keeps. */
static int nbd_module_open(struct disk *d, const struct disk_params *p, const struct stat *st)
{
	const struct disk_ops *ops = module_symbol("disk-nbd", "disk_nbd_ops");
	int rc;

	if (!ops) {
		log_warnx("%s: %s: a %s image needs the module disk-nbd", p->label, p->file, p->format);
		return -ENOENT;
	}
	rc = ops->open(d, p, st);
	if (rc == 0)
		d->ops = ops;
	return rc;
}

/* Stands for disk_nbd_ops until the module is loaded. */
static const struct disk_ops nbd_module_ops = {
	.name = "qemu-nbd",
	.probe = disk_needs_nbd,
	.open = nbd_module_open,
};

/* First match wins: an implementation's probe decides, as in kvmtool. */
static const struct disk_ops *const implementations[] = {
	&nbd_module_ops,
	&disk_blockdev_ops,
	&disk_raw_file_ops,
};

int disk_open(struct disk *d, const struct disk_params *p)
{
	const struct disk_ops *ops = NULL;
	uint64_t bytes = 0;
	struct stat st;
	int rc;

	memset(d, 0, sizeof(*d));
	d->label = p->label;
	d->physical_sector_size = DISK_SECTOR_SIZE;
	if (stat(p->file, &st) < 0) {
		rc = -errno;
		log_warn("%s: %s", p->label, p->file);
		return rc;
	}
	for (size_t i = 0; i < ARRAY_SIZE(implementations) && !ops; i++)
		if (implementations[i]->probe(p, &st))
			ops = implementations[i];
	if (!ops) {
		log_warnx("%s: %s is not a regular file or block device", p->label, p->file);
		return -EINVAL;
	}
	d->blockdev = S_ISBLK(st.st_mode);
	d->readonly = p->readonly;
	rc = ops->open(d, p, &st);
	if (rc < 0)
		return rc;
	if (!d->ops)		/* else a module's table, set by its stand-in */
		d->ops = ops;
	rc = d->ops->size(d, &bytes);
	if (rc < 0) {
		log_warnx("%s: %s: size: %s", p->label, p->file, strerror(-rc));
		disk_close(d);
		return rc;
	}
	d->size = bytes;
	return 0;
}

void disk_close(struct disk *d)
{
	if (d->ops)
		d->ops->close(d);
	d->ops = NULL;
	d->priv = NULL;
}
