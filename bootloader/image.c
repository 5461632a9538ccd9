/*
 * Disk image access through libblkid, libext2fs and libiso9660 (see image.h).
 */
#include "bootloader/image.h"

#include <blkid.h>
#include <cdio/iso9660.h>
#include <errno.h>
#include <et/com_err.h>
#include <ext2fs/ext2fs.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

#define COPY_CHUNK (256u * 1024u)
#define READ_AHEAD (256u * 1024u)
#define READ_AHEAD_SLOTS 4
#define ISO_PVD_OFFSET 32769

static int img_fail(struct boot_image *img, const char **err_r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int img_fail(struct boot_image *img, const char **err_r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(img->err, sizeof(img->err), fmt, ap);
	va_end(ap);
	if (err_r)
		*err_r = img->err;
	return rc;
}

/* ---- a libext2fs io_manager over (fd, offset, size) -------------------- */

/*
 * The channel's "name" carries the window: "fd=N,off=O,size=S". libext2fs
 * hands the name to open() and nothing else, and this keeps the manager
 * free of global state.
 */
struct window {
	int fd;
	uint64_t off, size;
	/*
	 * Read-ahead: libext2fs reads a file one block at a time, each block
	 * after its indirect blocks, and this manager has no cache: 41,000
	 * preads for a kernel and an initrd on 1 KiB blocks, each a system call
	 * through the sandbox's seccomp filter, a second in all under emulation.
	 * A few slots keep the data and the indirect blocks from evicting each
	 * other; files written by mke2fs -d or an installer are mostly contiguous.
	 */
	struct read_ahead {
		char *buf;
		uint64_t pos, len;	/* window bytes [pos, pos + len) are in buf */
		uint64_t used;		/* for least-recently-used replacement */
	} ra[READ_AHEAD_SLOTS];
	uint64_t clock;
};

static struct struct_io_manager window_io_manager;

static errcode_t window_open(const char *name, int flags, io_channel *channel)
{
	struct window *w = NULL;
	io_channel ch = NULL;
	int fd;
	unsigned long long off, size;

	if (flags & IO_FLAG_RW)
		return EROFS;
	if (sscanf(name, "fd=%d,off=%llu,size=%llu", &fd, &off, &size) != 3)
		return EXT2_ET_BAD_DEVICE_NAME;
	ch = calloc(1, sizeof(*ch));
	w = calloc(1, sizeof(*w));
	if (!ch || !w || !(ch->name = strdup(name))) {
		free(ch);
		free(w);
		return EXT2_ET_NO_MEMORY;
	}
	w->fd = fd;
	w->off = off;
	w->size = size;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = &window_io_manager;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = w;
	*channel = ch;
	return 0;
}

static errcode_t window_close(io_channel ch)
{
	struct window *w = ch->private_data;

	if (--ch->refcount > 0)
		return 0;
	for (size_t i = 0; i < READ_AHEAD_SLOTS; i++)
		free(w->ra[i].buf);
	free(w);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t window_set_blksize(io_channel ch, int blksize)
{
	if (blksize <= 0 || blksize > 65536)
		return EXT2_ET_INVALID_ARGUMENT;
	ch->block_size = blksize;
	return 0;
}

/* Reads window bytes [pos, pos + len), all within the window, into buf. */
static errcode_t window_pread(const struct window *w, void *buf, uint64_t len, uint64_t pos)
{
	uint64_t done = 0;

	while (done < len) {
		ssize_t r = pread(w->fd, (char *)buf + done, len - done, (off_t)(w->off + pos + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? (errcode_t)errno : EXT2_ET_SHORT_READ;
		done += (uint64_t)r;
	}
	return 0;
}

static errcode_t window_read_blk64(io_channel ch, unsigned long long block, int count, void *data)
{
	struct window *w = ch->private_data;
	struct read_ahead *slot = NULL, *victim = NULL;
	uint64_t len, pos, end, fill;
	errcode_t e;

	/* A negative count is a byte count (libext2fs convention). */
	len = count < 0 ? (uint64_t)(-(int64_t)count) : (uint64_t)count * (uint64_t)ch->block_size;
	if (__builtin_mul_overflow((uint64_t)block, (uint64_t)ch->block_size, &pos) ||
	    __builtin_add_overflow(pos, len, &end) || end > w->size)
		return EXT2_ET_SHORT_READ;
	if (len >= READ_AHEAD)
		return window_pread(w, data, len, pos);
	for (size_t i = 0; i < READ_AHEAD_SLOTS; i++) {
		if (w->ra[i].len && pos >= w->ra[i].pos && end <= w->ra[i].pos + w->ra[i].len)
			slot = &w->ra[i];
		else if (!victim || w->ra[i].used < victim->used)
			victim = &w->ra[i];
	}
	if (!slot) {
		slot = victim;
		if (!slot->buf && !(slot->buf = malloc(READ_AHEAD)))
			return EXT2_ET_NO_MEMORY;
		fill = w->size - pos < READ_AHEAD ? w->size - pos : READ_AHEAD;
		slot->len = 0;
		if ((e = window_pread(w, slot->buf, fill, pos)))
			return e;
		slot->pos = pos;
		slot->len = fill;
	}
	slot->used = ++w->clock;
	memcpy(data, slot->buf + (pos - slot->pos), len);
	return 0;
}

static errcode_t window_read_blk(io_channel ch, unsigned long block, int count, void *data)
{
	return window_read_blk64(ch, block, count, data);
}

static errcode_t window_write_blk(io_channel ch, unsigned long block, int count, const void *data)
{
	return EROFS;
}

static errcode_t window_write_blk64(io_channel ch, unsigned long long block, int count,
				    const void *data)
{
	return EROFS;
}

static errcode_t window_flush(io_channel ch)
{
	return 0;
}

static errcode_t window_set_option(io_channel ch, const char *option, const char *arg)
{
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager window_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "xenlaunch window I/O manager",
	.open = window_open,
	.close = window_close,
	.set_blksize = window_set_blksize,
	.read_blk = window_read_blk,
	.write_blk = window_write_blk,
	.flush = window_flush,
	.set_option = window_set_option,
	.read_blk64 = window_read_blk64,
	.write_blk64 = window_write_blk64,
};

/* ---- probing -------------------------------------------------------- */

static enum bootfs_type fs_type_of(const char *t)
{
	if (!strcmp(t, "ext2") || !strcmp(t, "ext3") || !strcmp(t, "ext4") || !strcmp(t, "jbd"))
		return strcmp(t, "jbd") ? BOOTFS_EXT : BOOTFS_OTHER;
	if (!strcmp(t, "iso9660"))
		return BOOTFS_ISO9660;
	return BOOTFS_OTHER;
}

/* blkid's TYPE of the window, "" when none. */
static void probe_window(int fd, uint64_t off, uint64_t size, char type_r[16])
{
	blkid_probe pr = blkid_new_probe();
	const char *t = NULL;

	type_r[0] = '\0';
	if (!pr)
		return;
	if (blkid_probe_set_device(pr, fd, (blkid_loff_t)off, (blkid_loff_t)size) == 0 &&
	    blkid_probe_enable_superblocks(pr, 1) == 0 &&
	    blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE) == 0 &&
	    blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &t, NULL) == 0 && t)
		snprintf(type_r, 16, "%s", t);
	blkid_free_probe(pr);
}

void *boot_image_iso_open(int fd, const char *path)
{
	char id[5];
	void *iso;

	if (pread(fd, id, sizeof(id), ISO_PVD_OFFSET) != (ssize_t)sizeof(id) || memcmp(id, "CD001", 5))
		return NULL;
	iso = iso9660_open_ext(path, ISO_EXTENSION_ALL);
	if (!iso)
		log_warnx("bootloader: the image looks like an ISO but libiso9660 cannot read it");
	return iso;
}

int boot_image_open(struct boot_image *img, int fd, void *iso, const char **err_r)
{
	struct stat st;
	blkid_probe pr = NULL;
	blkid_partlist ls;
	char type[16];
	int n;

	static bool tables;

	if (!tables) {
		initialize_ext2_error_table();
		tables = true;
	}
	memset(img, 0, sizeof(*img));
	img->fd = fd;
	img->iso = iso;
	if (fstat(fd, &st) < 0)
		return img_fail(img, err_r, -errno, "fstat: %s", strerror(errno));
	if (S_ISREG(st.st_mode)) {
		img->size = (uint64_t)st.st_size;
	} else {
		off_t end = lseek(fd, 0, SEEK_END);

		if (end < 0)
			return img_fail(img, err_r, -errno, "size of the image: %s", strerror(errno));
		img->size = (uint64_t)end;
	}

	/* The whole disk first: a partitionless filesystem or a (hybrid) ISO. */
	probe_window(fd, 0, img->size, type);
	if (type[0]) {
		struct boot_volume *v = &img->vol[img->n_vol++];

		v->partno = 0;
		v->offset = 0;
		v->size = img->size;
		v->type = fs_type_of(type);
		snprintf(v->type_name, sizeof(v->type_name), "%s", type);
	}

	pr = blkid_new_probe();
	if (pr && blkid_probe_set_device(pr, fd, 0, (blkid_loff_t)img->size) == 0 &&
	    blkid_probe_enable_superblocks(pr, 0) == 0 &&
	    blkid_probe_enable_partitions(pr, 1) == 0 &&
	    blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS) == 0 &&
	    (ls = blkid_probe_get_partitions(pr)) != NULL) {
		n = blkid_partlist_numof_partitions(ls);
		for (int i = 0; i < n && img->n_vol < BOOTIMG_MAX_PARTITIONS + 1; i++) {
			blkid_partition par = blkid_partlist_get_partition(ls, i);
			int64_t start, size;
			uint64_t off, len, end;
			struct boot_volume *v;

			if (!par || blkid_partition_is_extended(par))
				continue;
			start = blkid_partition_get_start(par);
			size = blkid_partition_get_size(par);
			if (start < 0 || size <= 0 ||
			    __builtin_mul_overflow((uint64_t)start, 512u, &off) ||
			    __builtin_mul_overflow((uint64_t)size, 512u, &len) ||
			    __builtin_add_overflow(off, len, &end) || end > img->size) {
				log_warnx("bootloader: partition %d reaches past the end of the image; skipped",
					  blkid_partition_get_partno(par));
				continue;
			}
			probe_window(fd, off, len, type);
			v = &img->vol[img->n_vol++];
			v->partno = blkid_partition_get_partno(par);
			v->offset = off;
			v->size = len;
			v->type = type[0] ? fs_type_of(type) : BOOTFS_NONE;
			snprintf(v->type_name, sizeof(v->type_name), "%s", type[0] ? type : "unknown");
		}
	}
	if (pr)
		blkid_free_probe(pr);
	if (img->n_vol == 0 && !img->iso)
		return img_fail(img, err_r, -ENOENT, "no partition or filesystem found");
	return 0;
}

void boot_image_close(struct boot_image *img)
{
	if (img->iso)
		iso9660_close(img->iso);
	img->iso = NULL;
}

/* ---- one filesystem ------------------------------------------------- */

static int ext_open(struct boot_image *img, size_t vol, ext2_filsys *fs_r, const char **err_r)
{
	const struct boot_volume *v = &img->vol[vol];
	char name[96];
	errcode_t e;

	snprintf(name, sizeof(name), "fd=%d,off=%" PRIu64 ",size=%" PRIu64, img->fd, v->offset,
		 v->size);
	e = ext2fs_open2(name, NULL, EXT2_FLAG_64BITS, 0, 0, &window_io_manager, fs_r);
	if (e)
		return img_fail(img, err_r, -EIO, "partition %d: %s: %s", v->partno, v->type_name,
				error_message(e));
	return 0;
}

static int ext_lookup(struct boot_image *img, ext2_filsys fs, const char *path,
		      ext2_ino_t *ino_r, struct ext2_inode *inode, const char **err_r)
{
	errcode_t e = ext2fs_namei_follow(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, ino_r);

	if (e == EXT2_ET_FILE_NOT_FOUND)
		return img_fail(img, err_r, -ENOENT, "%s: no such file", path);
	if (e)
		return img_fail(img, err_r, -EIO, "%s: %s", path, error_message(e));
	if ((e = ext2fs_read_inode(fs, *ino_r, inode)))
		return img_fail(img, err_r, -EIO, "%s: %s", path, error_message(e));
	return 0;
}

/* Calls sink(opaque, buf, len) for the file's content, after the size check. */
typedef int (*sink_fn)(void *opaque, const void *buf, size_t len);

static int ext_copy(struct boot_image *img, size_t vol, const char *path, uint64_t max,
		    sink_fn sink, void *opaque, uint64_t *size_r, const char **err_r)
{
	ext2_filsys fs = NULL;
	ext2_file_t f = NULL;
	struct ext2_inode inode;
	ext2_ino_t ino;
	uint64_t size, done = 0;
	char *buf = NULL;
	errcode_t e;
	int rc;

	if ((rc = ext_open(img, vol, &fs, err_r)) < 0)
		return rc;
	if ((rc = ext_lookup(img, fs, path, &ino, &inode, err_r)) < 0)
		goto out;
	if (!LINUX_S_ISREG(inode.i_mode)) {
		rc = img_fail(img, err_r, -EISDIR, "%s: not a regular file", path);
		goto out;
	}
	size = EXT2_I_SIZE(&inode);
	if (size > max) {
		rc = img_fail(img, err_r, -EFBIG, "%s: %" PRIu64 " bytes, more than the %" PRIu64
			      " byte limit", path, size, max);
		goto out;
	}
	if ((e = ext2fs_file_open2(fs, ino, &inode, 0, &f))) {
		rc = img_fail(img, err_r, -EIO, "%s: %s", path, error_message(e));
		goto out;
	}
	if (!(buf = malloc(COPY_CHUNK))) {
		rc = img_fail(img, err_r, -ENOMEM, "out of memory");
		goto out;
	}
	while (done < size) {
		unsigned int got = 0;
		unsigned int want = size - done > COPY_CHUNK ? COPY_CHUNK : (unsigned)(size - done);

		if ((e = ext2fs_file_read(f, buf, want, &got))) {
			rc = img_fail(img, err_r, -EIO, "%s: %s", path, error_message(e));
			goto out;
		}
		if (got == 0)
			break;
		if ((rc = sink(opaque, buf, got)) < 0) {
			rc = img_fail(img, err_r, rc, "%s: writing the copy: %s", path, strerror(-rc));
			goto out;
		}
		done += got;
	}
	*size_r = done;
	rc = 0;
out:
	free(buf);
	if (f)
		ext2fs_file_close(f);
	if (fs)
		ext2fs_close_free(&fs);
	return rc;
}

static int iso_copy(struct boot_image *img, const char *path, uint64_t max, sink_fn sink,
		    void *opaque, uint64_t *size_r, const char **err_r)
{
	iso9660_stat_t *st = iso9660_ifs_stat_translate(img->iso, path);
	uint64_t done = 0;
	char *buf = NULL;
	int rc = 0;

	if (!st)
		return img_fail(img, err_r, -ENOENT, "%s: no such file", path);
	if (st->type != _STAT_FILE) {
		rc = img_fail(img, err_r, -EISDIR, "%s: not a regular file", path);
		goto out;
	}
	if (st->size > max) {
		rc = img_fail(img, err_r, -EFBIG, "%s: %" PRIu32 " bytes, more than the %" PRIu64
			      " byte limit", path, st->size, max);
		goto out;
	}
	if (!(buf = malloc(COPY_CHUNK))) {
		rc = img_fail(img, err_r, -ENOMEM, "out of memory");
		goto out;
	}
	while (done < st->size) {
		uint64_t left = st->size - done;
		size_t want = left > COPY_CHUNK ? COPY_CHUNK : (size_t)left;
		size_t blocks = (want + ISO_BLOCKSIZE - 1) / ISO_BLOCKSIZE;
		long r = iso9660_iso_seek_read(img->iso, buf,
					       st->lsn + (lsn_t)(done / ISO_BLOCKSIZE), (long)blocks);

		if (r < (long)want) {
			rc = img_fail(img, err_r, -EIO, "%s: short read", path);
			goto out;
		}
		if ((rc = sink(opaque, buf, want)) < 0) {
			rc = img_fail(img, err_r, rc, "%s: writing the copy: %s", path, strerror(-rc));
			goto out;
		}
		done += want;
	}
	*size_r = done;
out:
	free(buf);
	iso9660_stat_free(st);
	return rc;
}

static int copy_file(struct boot_image *img, size_t vol, const char *path, uint64_t max,
		     sink_fn sink, void *opaque, uint64_t *size_r, const char **err_r)
{
	if (vol >= img->n_vol)
		return img_fail(img, err_r, -EINVAL, "no volume %zu", vol);
	switch (img->vol[vol].type) {
	case BOOTFS_EXT:
		return ext_copy(img, vol, path, max, sink, opaque, size_r, err_r);
	case BOOTFS_ISO9660:
		if (img->iso && img->vol[vol].offset == 0)
			return iso_copy(img, path, max, sink, opaque, size_r, err_r);
		/* fall through */
	default:
		return img_fail(img, err_r, -ENOTSUP, "partition %d: %s: not readable",
				img->vol[vol].partno, img->vol[vol].type_name);
	}
}

static int fd_sink(void *opaque, const void *buf, size_t len)
{
	int fd = *(int *)opaque;
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(fd, (const char *)buf + done, len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		done += (size_t)r;
	}
	return 0;
}

struct mem_sink {
	char *buf;
	size_t len, cap;
};

static int mem_sink(void *opaque, const void *buf, size_t len)
{
	struct mem_sink *m = opaque;

	if (m->len + len + 1 > m->cap) {
		size_t cap = m->len + len + 1;
		char *n = realloc(m->buf, cap);

		if (!n)
			return -ENOMEM;
		m->buf = n;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	m->buf[m->len] = '\0';
	return 0;
}

int boot_image_extract(struct boot_image *img, size_t vol, const char *path, uint64_t max_size,
		       int out_fd, uint64_t *size_r, const char **err_r)
{
	*size_r = 0;
	return copy_file(img, vol, path, max_size, fd_sink, &out_fd, size_r, err_r);
}

int boot_image_read(struct boot_image *img, size_t vol, const char *path, size_t max_size,
		    char **buf_r, size_t *len_r, const char **err_r)
{
	struct mem_sink m = { NULL, 0, 0 };
	uint64_t size = 0;
	int rc = copy_file(img, vol, path, max_size, mem_sink, &m, &size, err_r);

	if (rc < 0) {
		free(m.buf);
		return rc;
	}
	if (!m.buf && !(m.buf = calloc(1, 1)))
		return img_fail(img, err_r, -ENOMEM, "out of memory");
	*buf_r = m.buf;
	*len_r = m.len;
	return 0;
}

/* ---- finding the menu ----------------------------------------------- */

struct config_place {
	const char *path;
	enum bootcfg_format fmt;
};

static const struct config_place places[] = {
	{ "/boot/grub/grub.cfg", BOOTCFG_GRUB2 },
	{ "/grub/grub.cfg", BOOTCFG_GRUB2 },
	{ "/boot/grub2/grub.cfg", BOOTCFG_GRUB2 },
	{ "/grub2/grub.cfg", BOOTCFG_GRUB2 },
	{ "/boot/grub/menu.lst", BOOTCFG_GRUB_LEGACY },
	{ "/grub/menu.lst", BOOTCFG_GRUB_LEGACY },
	{ "/boot/grub/grub.conf", BOOTCFG_GRUB_LEGACY },
	{ "/grub/grub.conf", BOOTCFG_GRUB_LEGACY },
	{ "/boot/extlinux/extlinux.conf", BOOTCFG_EXTLINUX },
	{ "/extlinux/extlinux.conf", BOOTCFG_EXTLINUX },
	{ "/boot/extlinux.conf", BOOTCFG_EXTLINUX },
	{ "/extlinux.conf", BOOTCFG_EXTLINUX },
	{ "/isolinux/isolinux.cfg", BOOTCFG_EXTLINUX },
	{ "/boot/isolinux/isolinux.cfg", BOOTCFG_EXTLINUX },
	{ "/syslinux/syslinux.cfg", BOOTCFG_EXTLINUX },
	{ "/boot/syslinux/syslinux.cfg", BOOTCFG_EXTLINUX },
	{ "/syslinux.cfg", BOOTCFG_EXTLINUX },
	{ "/boot/loader/entries", BOOTCFG_BLS },
	{ "/loader/entries", BOOTCFG_BLS },
};

/* Directory part of an absolute path: "/isolinux/isolinux.cfg" -> "/isolinux". */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return strndup(path, slash && slash != path ? (size_t)(slash - path) : 1);
}

static void resolve_entries(struct boot_menu *menu, const char *dir)
{
	for (size_t i = 0; i < menu->n_entries; i++) {
		struct boot_entry *e = &menu->entries[i];
		char *p = NULL;

		if (e->kernel && bootcfg_resolve_path(dir, e->kernel, &p) == 0) {
			free(e->kernel);
			e->kernel = p;
		}
		if (e->initrd && bootcfg_resolve_path(dir, e->initrd, &p) == 0) {
			free(e->initrd);
			e->initrd = p;
		}
	}
}

struct bls_names {
	char *names[BOOTCFG_MAX_ENTRIES];
	size_t n;
	bool too_many;
};

static int bls_dirent(struct ext2_dir_entry *d, int offset, int blocksize, char *buf, void *priv)
{
	struct bls_names *b = priv;
	int len = ext2fs_dirent_name_len(d);
	char name[256];

	if (len <= 0 || len > 255)
		return 0;
	memcpy(name, d->name, (size_t)len);
	name[len] = '\0';
	if (fnmatch("*.conf", name, FNM_PERIOD) != 0)
		return 0;
	if (b->n >= BOOTCFG_MAX_ENTRIES) {
		b->too_many = true;
		return DIRENT_ABORT;
	}
	b->names[b->n] = strdup(name);
	if (b->names[b->n])
		b->n++;
	return 0;
}

/* loader/entries on an ext filesystem (BLS is not used on ISOs). */
static int find_bls(struct boot_image *img, size_t vol, const char *dir, struct boot_menu *menu,
		    const char **err_r)
{
	struct bls_names *b = NULL;
	ext2_filsys fs = NULL;
	struct ext2_inode inode;
	ext2_ino_t ino;
	errcode_t e;
	int rc;

	if (img->vol[vol].type != BOOTFS_EXT)
		return -ENOENT;
	if ((rc = ext_open(img, vol, &fs, err_r)) < 0)
		return rc;
	if ((rc = ext_lookup(img, fs, dir, &ino, &inode, err_r)) < 0)
		goto out;
	if (!LINUX_S_ISDIR(inode.i_mode)) {
		rc = -ENOENT;
		goto out;
	}
	if (!(b = calloc(1, sizeof(*b)))) {
		rc = -ENOMEM;
		goto out;
	}
	e = ext2fs_dir_iterate(fs, ino, 0, NULL, bls_dirent, b);
	ext2fs_close_free(&fs);
	if (e) {
		rc = img_fail(img, err_r, -EIO, "%s: %s", dir, error_message(e));
		goto out;
	}
	if (b->too_many)
		log_warnx("bootloader: %s: more than %u entries; the rest are ignored", dir,
			  BOOTCFG_MAX_ENTRIES);
	boot_menu_dispose(menu);
	for (size_t i = 0; i < b->n; i++) {
		char *path = NULL, *text = NULL;
		size_t len = 0;
		const char *why = NULL;

		if (asprintf(&path, "%s/%s", dir, b->names[i]) < 0) {
			rc = -ENOMEM;
			goto out;
		}
		if (boot_image_read(img, vol, path, BOOTCFG_MAX_LEN / 16, &text, &len, &why) < 0 ||
		    bootcfg_parse_bls_entry(b->names[i], text, len, menu, &why) < 0)
			log_warnx("bootloader: %s: %s; skipped", path, why ? why : "unreadable");
		free(path);
		free(text);
	}
	bootcfg_bls_finish(menu, NULL);
	rc = 0;
out:
	if (fs)
		ext2fs_close_free(&fs);
	if (b)
		for (size_t i = 0; i < b->n; i++)
			free(b->names[i]);
	free(b);
	return rc;
}

int boot_image_find_menu(struct boot_image *img, struct boot_menu *menu, size_t *vol_r,
			 char **config_path_r, const char **err_r)
{
	char last_err[sizeof(img->err)] = "";

	*config_path_r = NULL;
	for (size_t v = 0; v < img->n_vol; v++) {
		const struct boot_volume *vol = &img->vol[v];

		if (vol->type != BOOTFS_EXT && !(vol->type == BOOTFS_ISO9660 && img->iso && !vol->offset)) {
			/* FAT too: Debian has no FAT-reading library, and we write
			 * no filesystem code of our own. */
			log_debug("bootloader: partition %d: %s: not readable; skipped", vol->partno,
				  vol->type_name);
			if (vol->type == BOOTFS_OTHER)
				snprintf(last_err, sizeof(last_err), "partition %d: %s: not readable "
					 "(only ext2/3/4 and iso9660 are)", vol->partno, vol->type_name);
			continue;
		}
		if (vol->type == BOOTFS_EXT) {
			ext2_filsys fs = NULL;
			const char *why = NULL;

			if (ext_open(img, v, &fs, &why) < 0) {
				snprintf(last_err, sizeof(last_err), "%s", why);
				log_warnx("bootloader: %s", why);
				continue;
			}
			ext2fs_close_free(&fs);
		}
		for (size_t p = 0; p < sizeof(places) / sizeof(places[0]); p++) {
			char *text = NULL, *env = NULL, *dir = NULL, *env_path = NULL;
			size_t len = 0, env_len = 0;
			const char *why = NULL;
			int rc;

			if (places[p].fmt == BOOTCFG_BLS) {
				rc = find_bls(img, v, places[p].path, menu, &why);
				if (rc == 0 && menu->n_entries) {
					*vol_r = v;
					*config_path_r = strdup(places[p].path);
					resolve_entries(menu, "/");
					return 0;
				}
				continue;
			}
			rc = boot_image_read(img, v, places[p].path, BOOTCFG_MAX_LEN, &text, &len, &why);
			if (rc == -ENOENT)
				continue;
			if (rc < 0) {
				snprintf(last_err, sizeof(last_err), "%s", why);
				log_warnx("bootloader: partition %d: %s", vol->partno, why);
				if (rc == -EIO)
					break;	/* a broken filesystem: the next volume */
				continue;
			}
			dir = dir_of(places[p].path);
			if (places[p].fmt == BOOTCFG_GRUB2 && dir &&
			    asprintf(&env_path, "%s/grubenv", dir) >= 0)
				(void)boot_image_read(img, v, env_path, BOOTIMG_ENV_MAX, &env, &env_len, NULL);
			rc = bootcfg_parse(places[p].fmt, text, len, env, env_len, menu, &why);
			free(text);
			free(env);
			free(env_path);
			if (rc < 0) {
				snprintf(last_err, sizeof(last_err), "%s: %s", places[p].path, why);
				log_warnx("bootloader: partition %d: %s: %s", vol->partno,
					  places[p].path, why);
				free(dir);
				continue;
			}
			if (menu->n_entries) {
				resolve_entries(menu, places[p].fmt == BOOTCFG_EXTLINUX ? dir : "/");
				free(dir);
				*vol_r = v;
				*config_path_r = strdup(places[p].path);
				return 0;
			}
			free(dir);
		}
	}
	if (last_err[0])
		return img_fail(img, err_r, -ENOENT, "no usable boot config (last error: %s)", last_err);
	return img_fail(img, err_r, -ENOENT, "no boot config found (grub.cfg, menu.lst, "
			"extlinux.conf, isolinux.cfg, loader/entries)");
}
