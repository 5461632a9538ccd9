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

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* First match wins: an implementation's probe decides, as in kvmtool. */
static const struct disk_ops *const implementations[] = {
	&disk_nbd_ops,
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
	d->ops = ops;
	rc = ops->size(d, &bytes);
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
