/*
 * bootloader/image: real images made at test time (mke2fs -d, xorriso, an
 * MBR written here), read through libblkid, libext2fs and libiso9660.
 */
#include "bootloader/image.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/log.h"

static char tmp[64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void write_file(const char *rel, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(content, f);
	fclose(f);
}

static const char grub_cfg[] =
	"set default=1\nset timeout=3\n"
	"menuentry 'first' { linux /boot/vmlinuz-a console=hvc0; initrd /boot/initrd-a }\n"
	"menuentry 'second' { linux /vmlinuz x=$(reboot); initrd /initrd.img }\n";

/* A tree with a GRUB 2 config, kernels, a symlink and a symlink loop. */
static void make_tree(void)
{
	CU_ASSERT_EQUAL_FATAL(sh("rm -rf %s/t && mkdir -p %s/t/boot/grub %s/t/isolinux", tmp, tmp, tmp), 0);
	write_file("t/boot/grub/grub.cfg", grub_cfg);
	write_file("t/boot/vmlinuz-a", "KERNEL-A");
	write_file("t/boot/initrd-a", "INITRD-A");
	CU_ASSERT_EQUAL(sh("cd %s/t && ln -s boot/vmlinuz-a vmlinuz && ln -s boot/initrd-a initrd.img && "
			   "ln -s loop boot/loop && truncate -s 4G boot/huge", tmp), 0);
}

static int open_image(const char *name, struct boot_image *img, const char **err)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0);
	return boot_image_open(img, fd, boot_image_iso_open(fd, path), err);
}

static void test_ext2_whole_disk(void)
{
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	char *cfg = NULL, *buf = NULL;
	size_t vol = 99, len = 0;
	uint64_t size = 0;
	int out;

	make_tree();
	CU_ASSERT_EQUAL_FATAL(sh("mke2fs -q -F -t ext2 -d %s/t %s/ext2.img 8M >/dev/null", tmp, tmp), 0);
	CU_ASSERT_EQUAL_FATAL(open_image("ext2.img", &img, &err), 0);
	CU_ASSERT_EQUAL(img.n_vol, 1);
	CU_ASSERT_STRING_EQUAL(img.vol[0].type_name, "ext2");
	boot_menu_init(&m);
	CU_ASSERT_EQUAL_FATAL(boot_image_find_menu(&img, &m, &vol, &cfg, &err), 0);
	CU_ASSERT_STRING_EQUAL(cfg, "/boot/grub/grub.cfg");
	CU_ASSERT_EQUAL(vol, 0);
	CU_ASSERT_EQUAL_FATAL(m.n_entries, 2);
	CU_ASSERT_EQUAL(m.default_entry, 1);
	CU_ASSERT_EQUAL(m.timeout_s, 3);
	CU_ASSERT_STRING_EQUAL(m.entries[1].args, "x=$(reboot)");

	/* Through the symlink, into an fd. */
	out = memfd_create("k", 0);
	CU_ASSERT_EQUAL(boot_image_extract(&img, 0, m.entries[1].kernel, 100, out, &size, &err), 0);
	CU_ASSERT_EQUAL(size, 8);
	{
		char got[16] = "";

		CU_ASSERT_EQUAL(pread(out, got, sizeof(got) - 1, 0), 8);
		CU_ASSERT_STRING_EQUAL(got, "KERNEL-A");
	}
	close(out);
	CU_ASSERT_EQUAL(boot_image_read(&img, 0, "/initrd.img", 100, &buf, &len, &err), 0);
	CU_ASSERT_STRING_EQUAL(buf, "INITRD-A");
	free(buf);

	/* Bounds and hostile files. */
	CU_ASSERT_EQUAL(boot_image_read(&img, 0, "/boot/vmlinuz-a", 4, &buf, &len, &err), -EFBIG);
	CU_ASSERT_STRING_EQUAL(err, "/boot/vmlinuz-a: 8 bytes, more than the 4 byte limit");
	out = memfd_create("k", 0);
	CU_ASSERT_EQUAL(boot_image_extract(&img, 0, "/boot/huge", BOOTIMG_KERNEL_MAX, out, &size, &err), -EFBIG);
	CU_ASSERT_STRING_EQUAL(err, "/boot/huge: 4294967296 bytes, more than the 268435456 byte limit");
	CU_ASSERT_EQUAL(size, 0);
	CU_ASSERT_EQUAL(boot_image_extract(&img, 0, "/boot/loop", 100, out, &size, &err), -EIO);
	CU_ASSERT_STRING_EQUAL(err, "/boot/loop: Too many symbolic links encountered.");
	CU_ASSERT_EQUAL(boot_image_extract(&img, 0, "/boot", 100, out, &size, &err), -EISDIR);
	CU_ASSERT_STRING_EQUAL(err, "/boot: not a regular file");
	CU_ASSERT_EQUAL(boot_image_extract(&img, 0, "/nope", 100, out, &size, &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "/nope: no such file");
	close(out);
	free(cfg);
	boot_menu_dispose(&m);
	boot_image_close(&img);
	close(img.fd);
}

/* An MBR with one partition at 1 MiB, and one reaching past the end. */
static void test_mbr_partition(void)
{
	unsigned char mbr[512] = { 0 };
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	char path[256], *cfg = NULL;
	size_t vol = 99;
	FILE *f;

	make_tree();
	snprintf(path, sizeof(path), "%s/mbr.img", tmp);
	CU_ASSERT_EQUAL_FATAL(sh("rm -f %s && truncate -s 10M %s && "
				 "mke2fs -q -F -t ext4 -E offset=1048576 -d %s/t %s 8M >/dev/null",
				 path, path, tmp, path), 0);
	/* Entry 1: type 0x83, LBA 2048, 16384 sectors; entry 2: past the end. */
	mbr[446 + 4] = 0x83;
	mbr[446 + 8] = 0x00; mbr[446 + 9] = 0x08;
	mbr[446 + 12] = 0x00; mbr[446 + 13] = 0x40;
	mbr[462 + 4] = 0x83;
	mbr[462 + 8] = 0x00; mbr[462 + 9] = 0x50;
	mbr[462 + 12] = 0x00; mbr[462 + 13] = 0x00; mbr[462 + 14] = 0x10;
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	f = fopen(path, "r+");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fwrite(mbr, 1, sizeof(mbr), f);
	fclose(f);

	CU_ASSERT_EQUAL_FATAL(open_image("mbr.img", &img, &err), 0);
	CU_ASSERT_EQUAL_FATAL(img.n_vol, 1);
	CU_ASSERT_EQUAL(img.vol[0].partno, 1);
	CU_ASSERT_EQUAL(img.vol[0].offset, 1048576);
	CU_ASSERT_STRING_EQUAL(img.vol[0].type_name, "ext4");
	boot_menu_init(&m);
	CU_ASSERT_EQUAL(boot_image_find_menu(&img, &m, &vol, &cfg, &err), 0);
	CU_ASSERT_EQUAL(m.n_entries, 2);
	free(cfg);
	boot_menu_dispose(&m);
	boot_image_close(&img);
	close(img.fd);
}

static void test_iso9660(void)
{
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	char *cfg = NULL, *buf = NULL;
	size_t vol = 99, len = 0;

	CU_ASSERT_EQUAL_FATAL(sh("rm -rf %s/iso && mkdir -p %s/iso/isolinux %s/iso/install.amd", tmp, tmp, tmp), 0);
	write_file("iso/isolinux/isolinux.cfg",
		   "default install\ntimeout 0\nlabel install\n  kernel /install.amd/vmlinuz\n"
		   "  append vga=788 initrd=/install.amd/initrd.gz --- quiet\n"
		   "label rel\n  kernel ../install.amd/vmlinuz\n");
	write_file("iso/install.amd/vmlinuz", "ISO-KERNEL");
	write_file("iso/install.amd/initrd.gz", "ISO-INITRD");
	CU_ASSERT_EQUAL_FATAL(sh("xorriso -as mkisofs -quiet -R -J -o %s/cd.iso %s/iso 2>/dev/null", tmp, tmp), 0);
	CU_ASSERT_EQUAL_FATAL(open_image("cd.iso", &img, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(img.iso);
	CU_ASSERT_STRING_EQUAL(img.vol[0].type_name, "iso9660");
	boot_menu_init(&m);
	CU_ASSERT_EQUAL_FATAL(boot_image_find_menu(&img, &m, &vol, &cfg, &err), 0);
	CU_ASSERT_STRING_EQUAL(cfg, "/isolinux/isolinux.cfg");
	CU_ASSERT_EQUAL_FATAL(m.n_entries, 2);
	CU_ASSERT_STRING_EQUAL(m.entries[0].initrd, "/install.amd/initrd.gz");
	CU_ASSERT_STRING_EQUAL(m.entries[1].kernel, "/install.amd/vmlinuz");
	CU_ASSERT_EQUAL(m.timeout_s, -1);
	CU_ASSERT_EQUAL(boot_image_read(&img, vol, m.entries[0].initrd, 100, &buf, &len, &err), 0);
	CU_ASSERT_STRING_EQUAL(buf, "ISO-INITRD");
	free(buf);
	CU_ASSERT_EQUAL(boot_image_read(&img, vol, "/install.amd", 100, &buf, &len, &err), -EISDIR);
	free(cfg);
	boot_menu_dispose(&m);
	boot_image_close(&img);
	close(img.fd);
}

static void test_hostile_images(void)
{
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	char *cfg = NULL;
	size_t vol;

	/* Nothing at all. */
	CU_ASSERT_EQUAL_FATAL(sh("rm -f %s/zero.img && truncate -s 1M %s/zero.img", tmp, tmp), 0);
	CU_ASSERT_EQUAL(open_image("zero.img", &img, &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no partition or filesystem found");
	close(img.fd);

	/* A superblock that says ext2 over group descriptors of garbage. */
	make_tree();
	CU_ASSERT_EQUAL_FATAL(sh("mke2fs -q -F -t ext2 -d %s/t %s/bad.img 8M >/dev/null && "
				 "dd if=/dev/urandom of=%s/bad.img bs=1024 seek=2 count=6 conv=notrunc 2>/dev/null",
				 tmp, tmp, tmp), 0);
	CU_ASSERT_EQUAL_FATAL(open_image("bad.img", &img, &err), 0);
	boot_menu_init(&m);
	CU_ASSERT_EQUAL(boot_image_find_menu(&img, &m, &vol, &cfg, &err), -ENOENT);
	CU_ASSERT(strstr(err, "no usable boot config (last error: /boot/grub/grub.cfg: Corrupt group descriptor") == err);
	boot_menu_dispose(&m);
	close(img.fd);

	/* A config with no kernel, then a hostile one. */
	CU_ASSERT_EQUAL_FATAL(sh("rm -rf %s/t/boot/grub/grub.cfg %s/t/boot/huge", tmp, tmp), 0);
	CU_ASSERT_EQUAL_FATAL(sh("mkdir -p %s/t/extlinux", tmp), 0);
	write_file("t/extlinux/extlinux.conf", "label x\n kernel '$(id)\n append \"`id`\n");
	CU_ASSERT_EQUAL_FATAL(sh("mke2fs -q -F -t ext2 -d %s/t %s/hostile.img 8M >/dev/null", tmp, tmp), 0);
	CU_ASSERT_EQUAL_FATAL(open_image("hostile.img", &img, &err), 0);
	CU_ASSERT_EQUAL(boot_image_find_menu(&img, &m, &vol, &cfg, &err), 0);
	CU_ASSERT_EQUAL_FATAL(m.n_entries, 1);
	CU_ASSERT_STRING_EQUAL(m.entries[0].kernel, "'$(id)");	/* unresolvable: as written */
	CU_ASSERT_STRING_EQUAL(m.entries[0].args, "\"`id`");
	free(cfg);
	boot_menu_dispose(&m);
	close(img.fd);
}

/*
 * A directory that holds itself (debugfs links /boot into /boot/grub), a
 * BLS entry that is that directory, and a path that walks the loop past
 * the depth limit.
 */
static void test_directory_loop(void)
{
	char deep[BOOTCFG_MAX_ARG], *p = NULL, *cfg = NULL;
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	size_t vol = 99, n = 0;

	CU_ASSERT_EQUAL_FATAL(sh("rm -rf %s/l && mkdir -p %s/l/boot/grub %s/l/loader/entries", tmp, tmp, tmp), 0);
	write_file("l/boot/vmlinuz", "KERNEL");
	write_file("l/loader/entries/a.conf", "title A\nlinux /boot/grub/up/grub/up/vmlinuz\n");
	CU_ASSERT_EQUAL_FATAL(sh("mke2fs -q -F -t ext2 -d %s/l %s/loop.img 1M >/dev/null && "
				 "debugfs -w -R 'ln /boot /boot/grub/up' %s/loop.img 2>/dev/null && "
				 "debugfs -w -R 'ln /loader/entries /loader/entries/self.conf' %s/loop.img 2>/dev/null",
				 tmp, tmp, tmp, tmp), 0);
	CU_ASSERT_EQUAL_FATAL(open_image("loop.img", &img, &err), 0);
	boot_menu_init(&m);
	/* The loop in loader/entries is skipped (a directory); the entry that
	 * walks the loop twice is a finite path and reads the kernel. */
	CU_ASSERT_EQUAL_FATAL(boot_image_find_menu(&img, &m, &vol, &cfg, &err), 0);
	CU_ASSERT_STRING_EQUAL(cfg, "/loader/entries");
	CU_ASSERT_EQUAL_FATAL(m.n_entries, 1);
	CU_ASSERT_STRING_EQUAL(m.entries[0].kernel, "/boot/grub/up/grub/up/vmlinuz");
	{
		char *buf = NULL;
		size_t len = 0;

		CU_ASSERT_EQUAL(boot_image_read(&img, vol, m.entries[0].kernel, 100, &buf, &len, &err), 0);
		CU_ASSERT_STRING_EQUAL(buf, "KERNEL");
		free(buf);
	}
	/* Round the loop past the depth limit: refused before the image is read. */
	for (int i = 0; i < 20; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "/boot/grub/up");
	snprintf(deep + n, sizeof(deep) - n, "/vmlinuz");
	CU_ASSERT_EQUAL(bootcfg_resolve_path("/", deep, &p), -ENAMETOOLONG);
	CU_ASSERT_PTR_NULL(p);
	free(cfg);
	boot_menu_dispose(&m);
	boot_image_close(&img);
	close(img.fd);
}

/* FAT: detected, and refused by name (no FAT reader is linked in). */
static void test_fat_refused(void)
{
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	char *cfg = NULL;
	size_t vol;

	write_file("menu.lst", "default 0\ntitle x\nkernel /vmlinuz\n");
	CU_ASSERT_EQUAL_FATAL(sh("rm -f %s/fat.img && mformat -C -i %s/fat.img -T 4096 -h 2 -s 32 :: && "
				 "mmd -i %s/fat.img ::/boot ::/boot/grub && "
				 "mcopy -i %s/fat.img %s/menu.lst ::/boot/grub/menu.lst", tmp, tmp, tmp, tmp, tmp), 0);
	CU_ASSERT_EQUAL_FATAL(open_image("fat.img", &img, &err), 0);
	CU_ASSERT_STRING_EQUAL(img.vol[0].type_name, "vfat");
	boot_menu_init(&m);
	CU_ASSERT_EQUAL(boot_image_find_menu(&img, &m, &vol, &cfg, &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no usable boot config (last error: partition 0: vfat: "
			       "not readable (only ext2/3/4 and iso9660 are))");
	CU_ASSERT_PTR_NULL(cfg);
	boot_menu_dispose(&m);
	boot_image_close(&img);
	close(img.fd);
}

/*
 * A superblock with the right magic and a block size of 2^(10+255); a GPT
 * made for 64 MiB on a disk cut to 8 MiB (blkid drops the whole table,
 * whose last usable block is past the end).
 */
static void test_corrupt_superblock_and_short_gpt(void)
{
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	char *cfg = NULL;
	size_t vol;

	make_tree();
	CU_ASSERT_EQUAL_FATAL(sh("mke2fs -q -F -t ext2 -d %s/t %s/sb.img 8M >/dev/null && "
				 "printf '\\377' | dd of=%s/sb.img bs=1 seek=1048 conv=notrunc 2>/dev/null",
				 tmp, tmp, tmp), 0);
	CU_ASSERT_EQUAL_FATAL(open_image("sb.img", &img, &err), 0);
	boot_menu_init(&m);
	CU_ASSERT_EQUAL(boot_image_find_menu(&img, &m, &vol, &cfg, &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no usable boot config (last error: partition 0: ext2: "
			       "The ext2 superblock is corrupt)");
	boot_menu_dispose(&m);
	boot_image_close(&img);
	close(img.fd);

	CU_ASSERT_EQUAL_FATAL(sh("rm -f %s/gpt.img && truncate -s 64M %s/gpt.img && "
				 "printf 'label: gpt\\nstart=2048, size=100000, type=L\\n' | "
				 "sfdisk -q %s/gpt.img >/dev/null 2>&1 && truncate -s 8M %s/gpt.img",
				 tmp, tmp, tmp, tmp), 0);
	CU_ASSERT_EQUAL(open_image("gpt.img", &img, &err), -ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "no partition or filesystem found");
	close(img.fd);
}

static int suite_setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/xenlaunch-bootimage-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static void test_cleanup(void)
{
	log_set_stream(NULL);
	CU_ASSERT_EQUAL(sh("rm -rf %s", tmp), 0);
}

static void test_setup(void)
{
	static FILE *devnull;

	CU_ASSERT_EQUAL_FATAL(suite_setup(), 0);
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	log_set_stream(devnull);	/* the expected warnings */
}

static CU_TestInfo tests[] = {
	{ "(set up)", test_setup },
	{ "ext2 whole disk: grub.cfg, symlinks, size limits, 4 GiB file, symlink loop", test_ext2_whole_disk },
	{ "MBR: ext4 in partition 1, partition 2 past the end skipped", test_mbr_partition },
	{ "iso9660: isolinux.cfg, relative paths", test_iso9660 },
	{ "hostile: empty disk, corrupt group descriptors, shell in the config", test_hostile_images },
	{ "hostile: a directory that holds itself (ext2 via debugfs)", test_directory_loop },
	{ "hostile: corrupt superblock; GPT reaching past the end of the disk", test_corrupt_superblock_and_short_gpt },
	{ "FAT: detected and refused with a clear message", test_fat_refused },
	{ "(clean up)", test_cleanup },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("bootimage", tests)
