/*
 * Disk images behind an ops table, as the block backend uses them: a raw
 * file, a block device, and every other format QEMU knows (qcow2, vmdk,
 * vdi, vhdx, qed, vpc, qcow) served by qemu-nbd and reached through
 * libnbd. The launcher's option code probes with disk_check() before any
 * domain exists; blkback opens with disk_open() and does I/O from its worker
 * threads.
 *
 * Thread safety: disk_preadv(), disk_pwritev(), disk_flush() and
 * disk_discard() may be called at the same time from several threads on one
 * disk (raw files and block devices: positioned I/O on one descriptor; NBD:
 * libnbd's handle lock puts the commands one after the other on the one
 * connection). disk_open() and disk_close() are called from one thread, with
 * no I/O in flight; disk_open() forks (NBD), so from the main thread, whose
 * death is the daemon's signal to go.
 */
#ifndef DISK_DISK_H
#define DISK_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "disk/format.h"

#define DISK_SECTOR_SIZE 512u

enum disk_cache {
	DISK_CACHE_WRITEBACK,	/* page cache; flush = fdatasync */
	DISK_CACHE_NONE,	/* O_DIRECT; flush = fdatasync */
	DISK_CACHE_DIRECTSYNC,	/* O_DIRECT | O_DSYNC */
};

/* What to open, and how (the -drive properties that reach the image). */
struct disk_params {
	const char *file;
	const char *format;	/* a name disk_format_lookup() gave; NULL: raw */
	bool readonly;
	enum disk_cache cache;
	bool discard;		/* the guest may discard (discard=unmap) */
	const char *label;	/* names the device in messages: "vbd/1/51712" */
};

struct disk {
	const struct disk_ops *ops;
	uint64_t size;		/* bytes */
	uint32_t physical_sector_size;	/* a power of two, 512..4096 */
	bool readonly;
	bool discard;		/* disk_discard() does something: offer it */
	bool blockdev;		/* the file is a block device (xenstore's type "phy") */
	const char *label;
	void *priv;		/* the implementation's */
};

/*
 * One implementation. I/O calls return 0 or a negative errno; a transfer
 * is whole or an error. off and lengths are in bytes.
 */
struct disk_ops {
	const char *name;
	/* Whether this implementation serves p (st: the file's stat). */
	bool (*probe)(const struct disk_params *p, const struct stat *st);
	/* Opens; fills d->priv and the flags. 0 or -errno, logged with p->label. */
	int (*open)(struct disk *d, const struct disk_params *p, const struct stat *st);
	/* The image's size in bytes. */
	int (*size)(struct disk *d, uint64_t *bytes_r);
	/* iov may be consumed (bases and lengths changed). */
	int (*preadv)(struct disk *d, struct iovec *iov, unsigned n, uint64_t off);
	int (*pwritev)(struct disk *d, struct iovec *iov, unsigned n, uint64_t off);
	int (*flush)(struct disk *d);
	/* -EOPNOTSUPP when the storage cannot discard after all. */
	int (*discard)(struct disk *d, uint64_t off, uint64_t len);
	void (*close)(struct disk *d);
};

extern const struct disk_ops disk_raw_file_ops, disk_blockdev_ops;
/* disk/nbd.c's, built into the module disk-nbd (common/module.h), which
 * exports it: libnbd and the GnuTLS it brings are loaded only
 * for an image qemu-nbd serves. disk_open() loads it then. */
extern const struct disk_ops disk_nbd_ops;
/* Whether p is served through qemu-nbd: a format other than raw. */
bool disk_needs_nbd(const struct disk_params *p, const struct stat *st);

/* Opens p's image with the first implementation whose probe takes it.
 * 0 or -errno (logged). */
int disk_open(struct disk *d, const struct disk_params *p);
/* Idempotent; d may be zeroed memory never opened. */
void disk_close(struct disk *d);

static inline int disk_preadv(struct disk *d, struct iovec *iov, unsigned n, uint64_t off)
{
	return d->ops->preadv(d, iov, n, off);
}

static inline int disk_pwritev(struct disk *d, struct iovec *iov, unsigned n, uint64_t off)
{
	return d->ops->pwritev(d, iov, n, off);
}

static inline int disk_flush(struct disk *d)
{
	return d->ops->flush(d);
}

static inline int disk_discard(struct disk *d, uint64_t off, uint64_t len)
{
	return d->ops->discard(d, off, len);
}

#endif
