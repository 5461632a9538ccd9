/*
 * Reading a guest's disk image: partition tables and filesystem detection
 * through util-linux's libblkid, ext2/3/4 through e2fsprogs' libext2fs,
 * iso9660 through libcdio's libiso9660. No filesystem code of our own.
 * FAT, XFS, btrfs and the rest are detected and skipped ("not readable").
 *
 * The image is hostile: call these only inside the sandbox
 * (bootloader/sandbox.h), which bounds time and memory. Sizes are bounded
 * here too: BOOTIMG_MAX_PARTITIONS, the max_size of each read, path depth
 * (bootcfg_resolve_path) and symlink depth (libext2fs stops at 8).
 *
 * ext2 reads go through the caller's fd (a private libext2fs io_manager
 * with pread on a partition window), so the sandboxed child needs no open()
 * of its own. libiso9660 can only open a path: boot_image_iso_open() opens the ISO
 * by name when the image holds an iso9660 volume descriptor ("CD001" at
 * byte 32769); in the sandbox that name is a /proc/self/fd path the
 * sandbox answers with an fd opened beforehand (struct sandbox_file).
 *
 * Functions return 0 or a negative errno; *err_r (when given) receives a
 * message in the image's own buffer (img->err), valid until the next call.
 */
#ifndef BOOTLOADER_IMAGE_H
#define BOOTLOADER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bootloader/bootcfg.h"

#define BOOTIMG_MAX_PARTITIONS 16u
#define BOOTIMG_KERNEL_MAX (256ull << 20)	/* a kernel above this is refused */
#define BOOTIMG_INITRD_MAX (1ull << 30)		/* an initrd above this is refused */
#define BOOTIMG_ENV_MAX (64u * 1024u)		/* grubenv */

enum bootfs_type { BOOTFS_NONE, BOOTFS_EXT, BOOTFS_ISO9660, BOOTFS_OTHER };

struct boot_volume {
	int partno;		/* 0: the whole disk; else the partition number */
	uint64_t offset, size;	/* bytes within the image */
	enum bootfs_type type;
	char type_name[16];	/* blkid's TYPE: "ext4", "iso9660", "vfat"... */
};

struct boot_image {
	int fd;				/* not owned */
	uint64_t size;
	struct boot_volume vol[BOOTIMG_MAX_PARTITIONS + 1];
	size_t n_vol;
	void *iso;			/* iso9660_t *, whole-disk ISO only */
	char err[512];
};

/*
 * Opens an ISO 9660 image with libiso9660, by path (the library can do
 * nothing else). Returns NULL when fd holds no ISO 9660 volume descriptor
 * ("CD001" at byte 32769) or the library cannot read it. It parses the
 * image: call it in the sandbox; boot_image_open() takes the handle over.
 */
void *boot_image_iso_open(int fd, const char *path);

/*
 * Probes fd (a disk image or partitionless filesystem): whole-disk
 * filesystem, then MBR/GPT partitions (at most BOOTIMG_MAX_PARTITIONS;
 * those reaching past the end of the image are skipped with a warning in
 * the log). iso: from boot_image_iso_open() or NULL; owned by img from
 * here on, even on error. Returns -ENOENT with "no partition or
 * filesystem found" when nothing is.
 */
int boot_image_open(struct boot_image *img, int fd, void *iso, const char **err_r);
void boot_image_close(struct boot_image *img);


/*
 * Searches every readable volume, in order, for a boot config in the usual
 * places (/boot/grub/grub.cfg, /grub/grub.cfg, grub2/, menu.lst, grub.conf,
 * extlinux.conf, isolinux.cfg, syslinux.cfg, then loader/entries/ *.conf)
 * and parses the first that has a bootable entry. Kernel and initrd paths
 * in the menu are resolved (bootcfg_resolve_path) against the config's
 * directory; an entry whose path cannot be resolved keeps it as written
 * and fails at extraction. *vol_r: the volume index, for boot_image_extract.
 */
int boot_image_find_menu(struct boot_image *img, struct boot_menu *menu, size_t *vol_r,
			 char **config_path_r, const char **err_r);

/*
 * Copies the regular file at path (absolute, in volume vol) to out_fd,
 * refusing anything larger than max_size (-EFBIG) before reading a byte.
 * *size_r: bytes written.
 */
int boot_image_extract(struct boot_image *img, size_t vol, const char *path, uint64_t max_size,
		       int out_fd, uint64_t *size_r, const char **err_r);

/*
 * Reads a whole small file into *buf_r (NUL-terminated, allocated),
 * up to max_size bytes (-EFBIG beyond). For configs; also for tests.
 */
int boot_image_read(struct boot_image *img, size_t vol, const char *path, size_t max_size,
		    char **buf_r, size_t *len_r, const char **err_r);

#endif
