/* xenfv/bzimage: the setup header read and refused, placement, the zero page, the command line. */
#include "xenfv/bzimage.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#define MIB (1024ULL * 1024)

static void put16(uint8_t *p, size_t off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

/*
 * A bzImage as Linux 6.1 lays it out (protocol 2.15), with setup_sects 3
 * and a 64 KiB protected-mode part; relocatable to 16 MiB unless told.
 */
#define IMG_SETUP 4 * 512
#define IMG_KERNEL (64 * 1024)
#define IMG_SIZE (IMG_SETUP + IMG_KERNEL)

static uint8_t *make_image(bool relocatable)
{
	uint8_t *p = calloc(1, IMG_SIZE);

	CU_ASSERT_FATAL(p != NULL);
	p[0x1f1] = 3;				/* setup_sects */
	put32(p, 0x1f4, IMG_KERNEL / 16);	/* syssize */
	put16(p, 0x1fe, 0xaa55);
	p[0x200] = 0xeb;
	p[0x201] = 0x6a;			/* header to 0x26c */
	memcpy(p + 0x202, "HdrS", 4);
	put16(p, 0x206, 0x020f);
	p[0x211] = 0x01;			/* LOADED_HIGH */
	put32(p, 0x214, 0x100000);
	put32(p, 0x22c, 0x7fffffff);		/* initrd_addr_max */
	put32(p, 0x230, 0x200000);		/* kernel_alignment */
	p[0x234] = relocatable;
	put16(p, 0x236, 0x7f);			/* xloadflags: 64-bit */
	put32(p, 0x238, 2047);			/* cmdline_size */
	put32(p, 0x258, 0x1000000);		/* pref_address */
	put32(p, 0x260, 4 * 1024 * 1024);	/* init_size */
	memset(p + IMG_SETUP, 0x90, IMG_KERNEL);
	return p;
}

static void test_parse_linux_layout(void)
{
	uint8_t *img = make_image(true);
	struct bzimage bz;
	char err[BZIMAGE_ERR_MAX] = "";

	CU_ASSERT_EQUAL_FATAL(bzimage_parse(img, IMG_SIZE, &bz, err), 0);
	CU_ASSERT_EQUAL(bz.version, 0x020f);
	CU_ASSERT_EQUAL(bz.setup_size, IMG_SETUP);
	CU_ASSERT_PTR_EQUAL(bz.kernel, img + IMG_SETUP);
	CU_ASSERT_EQUAL(bz.kernel_size, IMG_KERNEL);
	CU_ASSERT_EQUAL(bz.hdr_end, 0x26c);
	CU_ASSERT(bz.relocatable);
	CU_ASSERT(bz.kernel_64);
	CU_ASSERT_EQUAL(bz.pref_address, 0x1000000);
	CU_ASSERT_EQUAL(bz.init_size, 4 * MIB);
	CU_ASSERT_EQUAL(bz.cmdline_max, 2047);
	CU_ASSERT_EQUAL(bz.initrd_addr_max, 0x7fffffff);
	/* setup_sects 0 means 4. */
	img[0x1f1] = 0;
	put32(img, 0x1f4, (IMG_KERNEL - 512) / 16);
	CU_ASSERT_EQUAL(bzimage_parse(img, IMG_SIZE, &bz, err), 0);
	CU_ASSERT_EQUAL(bz.setup_size, 5 * 512);
	free(img);
}

static void expect_refused(const uint8_t *img, size_t size, const char *needle)
{
	struct bzimage bz;
	char err[BZIMAGE_ERR_MAX] = "";

	CU_ASSERT_EQUAL(bzimage_parse(img, size, &bz, err), -ENOEXEC);
	if (!strstr(err, needle)) {
		fprintf(stderr, "\n  expected \"%s\" in \"%s\"\n", needle, err);
		CU_FAIL("wrong error text");
	}
}

static void test_parse_refuses(void)
{
	static const uint8_t elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	uint8_t *img = make_image(true), *bad = malloc(IMG_SIZE);

	CU_ASSERT_FATAL(bad != NULL);
	expect_refused(elf, sizeof(elf), "an ELF image (vmlinux), not a bzImage");
	expect_refused(img, 0, "no \"HdrS\"");
	expect_refused(img, 0x205, "no \"HdrS\"");
	expect_refused(img, 0x207, "ends inside its setup header");
	expect_refused(img, 0x26b, "ends inside its setup header");
	/* Cut anywhere in the kernel: the header's syssize is a lie then. */
	expect_refused(img, IMG_SIZE - 1, "truncated or lying header");
	expect_refused(img, IMG_SETUP, "the setup code alone is 2048");

#define MUTATE(stmt, needle) do {                      \
		memcpy(bad, img, IMG_SIZE);            \
		stmt;                                  \
		expect_refused(bad, IMG_SIZE, needle); \
	} while (0)
	MUTATE(memcpy(bad + 0x202, "HdrT", 4), "no \"HdrS\"");
	MUTATE(put16(bad, 0x1fe, 0x55aa), "no \"HdrS\"");
	MUTATE(put16(bad, 0x206, 0x0203), "boot protocol 2.03 is too old");
	MUTATE(bad[0x201] = 0x20, "header's length (49 bytes) does not match boot protocol 2.15");
	MUTATE(bad[0x201] = 0xff, "does not match");
	MUTATE(bad[0x211] = 0, "a zImage");
	MUTATE(bad[0x1f1] = 0xff, "the setup code alone is 131072");
	MUTATE(put32(bad, 0x1f4, 0), "it says 0 bytes of kernel");
	MUTATE(put32(bad, 0x1f4, 0xffffffff), "it says 68719476720 bytes");
	MUTATE(put32(bad, 0x230, 0x300000), "kernel_alignment 0x300000 is not a power of two");
	MUTATE(put32(bad, 0x230, 0), "kernel_alignment 0 is not");
	MUTATE(put32(bad, 0x260, 4096), "init_size 4096 is below the kernel's own 65536");
#undef MUTATE
	free(bad);
	free(img);
}

static void test_place(void)
{
	uint8_t *img = make_image(true);
	struct bzimage bz;
	struct bzimage_layout l;
	char err[BZIMAGE_ERR_MAX] = "";

	CU_ASSERT_EQUAL_FATAL(bzimage_parse(img, IMG_SIZE, &bz, err), 0);
	/* Relocatable: where it prefers to be. */
	CU_ASSERT_EQUAL(bzimage_place(&bz, 512 * MIB, 20, 10 * MIB + 1, &l, err), 0);
	CU_ASSERT_EQUAL(l.kernel, 0x1000000);
	CU_ASSERT_EQUAL(l.kernel_end, 0x1000000 + 4 * MIB);
	CU_ASSERT_EQUAL(l.zero_page, BZIMAGE_ZERO_PAGE_GPA);
	CU_ASSERT_EQUAL(l.cmdline, BZIMAGE_CMDLINE_GPA);
	/* The initrd at the top, page-aligned, whole. */
	CU_ASSERT_EQUAL(l.initrd, (512 * MIB - (10 * MIB + 1)) & ~0xfffULL);
	CU_ASSERT_EQUAL(l.initrd_size, 10 * MIB + 1);
	CU_ASSERT(l.initrd + l.initrd_size <= 512 * MIB);
	/* The kernel's own limit on the initrd's address counts. */
	put32(img, 0x22c, 0x37ffffff);
	CU_ASSERT_EQUAL_FATAL(bzimage_parse(img, IMG_SIZE, &bz, err), 0);
	CU_ASSERT_EQUAL(bzimage_place(&bz, 3ULL * 1024 * MIB, 0, 4096, &l, err), 0);
	CU_ASSERT_EQUAL(l.initrd, 0x38000000 - 4096);
	/* Too little RAM for its preferred place: the lowest aligned one. */
	CU_ASSERT_EQUAL(bzimage_place(&bz, 16 * MIB, 0, 0, &l, err), 0);
	CU_ASSERT_EQUAL(l.kernel, 0x200000);
	CU_ASSERT_EQUAL(l.initrd, 0);
	/* A preferred address not aligned as the kernel says: not taken. */
	put32(img, 0x258, 0x1001000);
	CU_ASSERT_EQUAL_FATAL(bzimage_parse(img, IMG_SIZE, &bz, err), 0);
	CU_ASSERT_EQUAL(bzimage_place(&bz, 512 * MIB, 0, 0, &l, err), 0);
	CU_ASSERT_EQUAL(l.kernel, 0x200000);
	free(img);
}

static void test_place_non_relocatable(void)
{
	uint8_t *img = make_image(false);
	struct bzimage bz;
	struct bzimage_layout l;
	char err[BZIMAGE_ERR_MAX] = "";

	CU_ASSERT_EQUAL_FATAL(bzimage_parse(img, IMG_SIZE, &bz, err), 0);
	CU_ASSERT(!bz.relocatable);
	CU_ASSERT_EQUAL(bzimage_place(&bz, 512 * MIB, 0, 0, &l, err), 0);
	CU_ASSERT_EQUAL(l.kernel, BZIMAGE_LOW_KERNEL);
	CU_ASSERT_EQUAL(l.kernel_end, BZIMAGE_LOW_KERNEL + 4 * MIB);
	/* It cannot move: too little RAM is an error, not another place. */
	CU_ASSERT_EQUAL(bzimage_place(&bz, 4 * MIB, 0, 0, &l, err), -ENOMEM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "the kernel needs 4096 KiB from 0x100000; the guest's RAM "
					   "ends at 0x400000"));
	free(img);
}

static void test_place_refuses(void)
{
	uint8_t *img = make_image(true);
	struct bzimage bz;
	struct bzimage_layout l;
	char err[BZIMAGE_ERR_MAX] = "";

	CU_ASSERT_EQUAL_FATAL(bzimage_parse(img, IMG_SIZE, &bz, err), 0);
	CU_ASSERT_EQUAL(bzimage_place(&bz, 512 * MIB, 2048, 0, &l, err), -E2BIG);
	CU_ASSERT_STRING_EQUAL(err, "the command line is 2048 bytes; this kernel takes at most 2047");
	CU_ASSERT_EQUAL(bzimage_place(&bz, 512 * MIB, 2047, 0, &l, err), 0);
	/* An initrd that would overlap the kernel's decompression area. */
	CU_ASSERT_EQUAL(bzimage_place(&bz, 32 * MIB, 0, 13 * MIB, &l, err), -ENOMEM);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "the initrd (13312 KiB) does not fit"));
	CU_ASSERT_EQUAL(bzimage_place(&bz, 32 * MIB, 0, UINT64_MAX, &l, err), -ENOMEM);
	CU_ASSERT_EQUAL(bzimage_place(&bz, 32 * MIB, 0, 12 * MIB, &l, err), 0);
	CU_ASSERT(l.initrd >= l.kernel_end);
	/* A guest with almost no RAM. */
	CU_ASSERT_EQUAL(bzimage_place(&bz, 0, 0, 0, &l, err), -ENOMEM);
	free(img);
}

static void test_zero_page(void)
{
	static const struct bzimage_e820 map[] = {
		{ 0, 0x9f000, BZIMAGE_E820_RAM },
		{ 0xfc000000, 0x4000000, BZIMAGE_E820_RESERVED },
		{ 0x100000, 511 * MIB, BZIMAGE_E820_RAM },
	};
	uint8_t *img = make_image(true), zp[BZIMAGE_ZERO_PAGE_SIZE];
	struct bzimage bz;
	struct bzimage_layout l;
	char err[BZIMAGE_ERR_MAX] = "";

	CU_ASSERT_EQUAL_FATAL(bzimage_parse(img, IMG_SIZE, &bz, err), 0);
	CU_ASSERT_EQUAL_FATAL(bzimage_place(&bz, 512 * MIB, 13, 8192, &l, err), 0);
	l.rsdp = 0xfc000000;
	memset(zp, 0xcc, sizeof(zp));
	CU_ASSERT_EQUAL(bzimage_zero_page(&bz, &l, map, 3, zp), 0);
	/* The header copied, then the loader's fields. */
	CU_ASSERT_EQUAL(memcmp(zp + 0x1f1, img + 0x1f1, 0x210 - 0x1f1), 0);
	CU_ASSERT(memcmp(zp + 0x202, "HdrS", 4) == 0);
	CU_ASSERT_EQUAL(zp[0x210], 0xff);
	CU_ASSERT_EQUAL(zp[0x211], 0x01);
	CU_ASSERT_EQUAL(get32(zp, 0x214), 0x1000000);
	CU_ASSERT_EQUAL(get32(zp, 0x218), l.initrd);
	CU_ASSERT_EQUAL(get32(zp, 0x21c), 8192);
	CU_ASSERT_EQUAL(get32(zp, 0x228), BZIMAGE_CMDLINE_GPA);
	CU_ASSERT_EQUAL(get32(zp, 0x258), 0x1000000);
	/* Nothing of the image beyond its header, nothing left from before. */
	CU_ASSERT_EQUAL(zp[0x26c], 0);
	CU_ASSERT_EQUAL(zp[0], 0);
	CU_ASSERT_EQUAL(zp[0xfff], 0);
	CU_ASSERT_EQUAL(get32(zp, 0x070), 0xfc000000);
	CU_ASSERT_EQUAL(get32(zp, 0x074), 0);
	/* The e820 table. */
	CU_ASSERT_EQUAL(zp[0x1e8], 3);
	CU_ASSERT_EQUAL(get32(zp, 0x2d0 + 20 + 0), 0xfc000000);
	CU_ASSERT_EQUAL(get32(zp, 0x2d0 + 20 + 8), 0x4000000);
	CU_ASSERT_EQUAL(get32(zp, 0x2d0 + 20 + 16), BZIMAGE_E820_RESERVED);
	CU_ASSERT_EQUAL(get32(zp, 0x2d0 + 40 + 12), 0);
	CU_ASSERT_EQUAL(get32(zp, 0x2d0 + 40 + 8), 511 * MIB);
	CU_ASSERT_EQUAL(bzimage_zero_page(&bz, &l, map, BZIMAGE_E820_MAX + 1, zp), -E2BIG);
	free(img);
}

static void test_cmdline(void)
{
	static const struct {
		const char *append, *want;
	} cases[] = {
		{ NULL, "xen_emul_unplug=unnecessary reboot=t" },
		{ "", "xen_emul_unplug=unnecessary reboot=t" },
		{ "console=ttyS0", "console=ttyS0 xen_emul_unplug=unnecessary reboot=t" },
		{ "xen_emul_unplug=never console=ttyS0", "xen_emul_unplug=never console=ttyS0 reboot=t" },
		{ "reboot=k", "reboot=k xen_emul_unplug=unnecessary" },
		{ "quiet reboot=a xen_emul_unplug=all", "quiet reboot=a xen_emul_unplug=all" },
		/* Only a whole parameter counts. */
		{ "noreboot=1 myxen_emul_unplug=x", "noreboot=1 myxen_emul_unplug=x "
						      "xen_emul_unplug=unnecessary reboot=t" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = bzimage_cmdline(cases[i].append);

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_STRING_EQUAL(s, cases[i].want);
		free(s);
	}
}

/* Debian's kernel, when the build has fetched it (scripts/install-deps). */
static void test_debian_kernel(void)
{
	glob_t g;
	struct bzimage bz;
	struct bzimage_layout l;
	char err[BZIMAGE_ERR_MAX] = "";
	struct stat st;
	void *map;
	int fd;

	if (glob("build/cache/root/boot/vmlinuz-*", 0, NULL, &g) || !g.gl_pathc) {
		printf("skipped: no Debian kernel in build/cache ... ");
		globfree(&g);
		return;
	}
	fd = open(g.gl_pathv[0], O_RDONLY | O_CLOEXEC);
	CU_ASSERT_FATAL(fd >= 0 && fstat(fd, &st) == 0);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	CU_ASSERT_FATAL(map != MAP_FAILED);
	CU_ASSERT_EQUAL(bzimage_parse(map, (size_t)st.st_size, &bz, err), 0);
	CU_ASSERT(bz.version >= 0x020f);
	CU_ASSERT(bz.relocatable);
	CU_ASSERT(bz.kernel_64);
	CU_ASSERT(bz.init_size > bz.kernel_size);
	CU_ASSERT_EQUAL(bzimage_place(&bz, 500 * MIB, 100, 30 * MIB, &l, err), 0);
	CU_ASSERT_EQUAL(l.kernel, bz.pref_address);
	CU_ASSERT(l.initrd >= l.kernel_end);
	munmap(map, (size_t)st.st_size);
	close(fd);
	globfree(&g);
}

static CU_TestInfo tests[] = {
	{ "parse: Linux's layout", test_parse_linux_layout },
	{ "parse: not a bzImage, truncated, lying", test_parse_refuses },
	{ "place: relocatable", test_place },
	{ "place: non-relocatable at 1 MiB", test_place_non_relocatable },
	{ "place: what does not fit", test_place_refuses },
	{ "zero page", test_zero_page },
	{ "command line", test_cmdline },
	{ "Debian's kernel", test_debian_kernel },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("bzimage", tests)
