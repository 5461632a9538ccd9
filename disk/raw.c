/*
 * Raw images: a regular file (holes punched for discards) and a block
 * device (BLKGETSIZE64, BLKDISCARD). Both are one descriptor, read and
 * written with preadv/pwritev straight into the caller's buffers, so any
 * number of threads may use it at once.
 */
#include "disk/disk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/log.h"

static int raw_fd(const struct disk *d)
{
	return (int)(intptr_t)d->priv;
}

static bool raw_file_probe(const struct disk_params *p, const struct stat *st)
{
	return S_ISREG(st->st_mode) && (!p->format || !strcmp(p->format, "raw"));
}

static bool blockdev_probe(const struct disk_params *p, const struct stat *st)
{
	return S_ISBLK(st->st_mode) && (!p->format || !strcmp(p->format, "raw"));
}

static int raw_open(struct disk *d, const struct disk_params *p, const struct stat *st)
{
	int flags = (p->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY;
	int fd, rc;

	if (p->cache != DISK_CACHE_WRITEBACK)
		flags |= O_DIRECT;
	if (p->cache == DISK_CACHE_DIRECTSYNC)
		flags |= O_DSYNC;
	fd = open(p->file, flags);
	if (fd < 0 && errno == EINVAL && (flags & O_DIRECT)) {
		log_warnx("%s: %s: the filesystem refuses O_DIRECT (cache=none/directsync); "
			  "use cache=writeback", p->label, p->file);
		return -EINVAL;
	}
	if (fd < 0) {
		rc = -errno;
		log_warn("%s: open %s", p->label, p->file);
		return rc;
	}
	d->priv = (void *)(intptr_t)fd;
	d->discard = p->discard && !p->readonly;
	return 0;
}

static int raw_file_size(struct disk *d, uint64_t *bytes_r)
{
	struct stat st;

	if (fstat(raw_fd(d), &st) < 0)
		return -errno;
	*bytes_r = (uint64_t)st.st_size;
	return 0;
}

static int blockdev_size(struct disk *d, uint64_t *bytes_r)
{
	unsigned int pbsz = 0;

	if (ioctl(raw_fd(d), BLKGETSIZE64, bytes_r) < 0)
		return -errno;
	if (ioctl(raw_fd(d), BLKPBSZGET, &pbsz) == 0 && pbsz >= DISK_SECTOR_SIZE && pbsz <= 4096 &&
	    !(pbsz & (pbsz - 1)))
		d->physical_sector_size = pbsz;
	return 0;
}

/* preadv/pwritev until done; a short transfer at the end of the file is an error. */
static int rw_full(int fd, struct iovec *iov, unsigned n, uint64_t off, bool write)
{
	unsigned done_iov = 0;

	while (done_iov < n) {
		unsigned cnt = n - done_iov > IOV_MAX ? IOV_MAX : n - done_iov;
		ssize_t r = write ? pwritev(fd, iov + done_iov, (int)cnt, (off_t)off)
				  : preadv(fd, iov + done_iov, (int)cnt, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		off += (uint64_t)r;
		while (r > 0 && done_iov < n) {
			if ((size_t)r >= iov[done_iov].iov_len) {
				r -= (ssize_t)iov[done_iov].iov_len;
				iov[done_iov].iov_len = 0;
				done_iov++;
			} else {
				iov[done_iov].iov_base = (uint8_t *)iov[done_iov].iov_base + r;
				iov[done_iov].iov_len -= (size_t)r;
				r = 0;
			}
		}
	}
	return 0;
}

static int raw_preadv(struct disk *d, struct iovec *iov, unsigned n, uint64_t off)
{
	return rw_full(raw_fd(d), iov, n, off, false);
}

static int raw_pwritev(struct disk *d, struct iovec *iov, unsigned n, uint64_t off)
{
	return rw_full(raw_fd(d), iov, n, off, true);
}

static int raw_flush(struct disk *d)
{
	return fdatasync(raw_fd(d)) < 0 ? -errno : 0;
}

static int raw_file_discard(struct disk *d, uint64_t off, uint64_t len)
{
	if (fallocate(raw_fd(d), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) < 0)
		return -errno;
	return 0;
}

static int blockdev_discard(struct disk *d, uint64_t off, uint64_t len)
{
	uint64_t range[2] = { off, len };

	return ioctl(raw_fd(d), BLKDISCARD, range) < 0 ? -errno : 0;
}

static void raw_close(struct disk *d)
{
	close(raw_fd(d));
}

const struct disk_ops disk_raw_file_ops = {
	.name = "raw file",
	.probe = raw_file_probe,
	.open = raw_open,
	.size = raw_file_size,
	.preadv = raw_preadv,
	.pwritev = raw_pwritev,
	.flush = raw_flush,
	.discard = raw_file_discard,
	.close = raw_close,
};

const struct disk_ops disk_blockdev_ops = {
	.name = "block device",
	.probe = blockdev_probe,
	.open = raw_open,
	.size = blockdev_size,
	.preadv = raw_preadv,
	.pwritev = raw_pwritev,
	.flush = raw_flush,
	.discard = blockdev_discard,
	.close = raw_close,
};
