/*
 * A kernel file given to -M xenfv -kernel (or read from a guest's disk by
 * the bootloader): the bzImage setup header, the placement in guest RAM of
 * the kernel, command line and initrd, and the zero page. The first 8
 * bytes choose the guest's RAM, the command line's length and the initrd's
 * size; the rest is the file.
 */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <string.h>

#include "xenfv/bzimage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bzimage_e820 map[] = { { 0, 0x9f000, BZIMAGE_E820_RAM } };
	static uint8_t zp[BZIMAGE_ZERO_PAGE_SIZE];
	char err[BZIMAGE_ERR_MAX];
	struct bzimage_layout l;
	struct bzimage bz;
	uint64_t ram_end, initrd;
	size_t cmdline;
	uint8_t *copy;
	int rc;

	if (size < 8)
		return 0;
	ram_end = (uint64_t)(data[0] | data[1] << 8) << 20;	/* up to 64 GiB */
	cmdline = (size_t)(data[2] | data[3] << 8);
	initrd = (uint64_t)(data[4] | data[5] << 8 | data[6] << 16) << (data[7] & 15);
	data += 8;
	size -= 8;
	/* An exact-size copy, so that ASan sees any read past the file. */
	copy = malloc(size ? size : 1);
	FUZZ_CHECK(copy);
	memcpy(copy, data, size);
	err[0] = '\0';
	rc = bzimage_parse(copy, size, &bz, err);
	if (rc < 0) {
		FUZZ_CHECK(rc == -ENOEXEC && err[0]);
		goto out;
	}
	FUZZ_CHECK(bz.kernel > bz.image && bz.kernel + bz.kernel_size == bz.image + size);
	FUZZ_CHECK(bz.hdr_end > 0x1f1 && bz.hdr_end <= size && bz.hdr_end <= 0x290);
	rc = bzimage_place(&bz, ram_end, cmdline, initrd, &l, err);
	if (rc < 0) {
		FUZZ_CHECK((rc == -E2BIG || rc == -ENOMEM) && err[0]);
		goto out;
	}
	/* What the layout promises. */
	FUZZ_CHECK(cmdline <= bz.cmdline_max && cmdline < BZIMAGE_CMDLINE_ROOM);
	FUZZ_CHECK(l.kernel >= BZIMAGE_LOW_KERNEL && l.kernel < l.kernel_end);
	FUZZ_CHECK(l.kernel_end - l.kernel >= bz.kernel_size && l.kernel_end <= ram_end);
	FUZZ_CHECK(l.kernel_end <= 0x100000000ULL);
	FUZZ_CHECK(!bz.relocatable ? l.kernel == BZIMAGE_LOW_KERNEL : l.kernel % bz.kernel_alignment == 0);
	if (initrd) {
		FUZZ_CHECK(l.initrd >= l.kernel_end && !(l.initrd & 0xfff));
		FUZZ_CHECK(l.initrd + initrd <= ram_end && l.initrd + initrd - 1 <= bz.initrd_addr_max);
	}
	FUZZ_CHECK(bzimage_zero_page(&bz, &l, map, 1, zp) == 0);
	FUZZ_CHECK(!memcmp(zp + 0x202, "HdrS", 4) && zp[0x210] == 0xff);
out:
	free(copy);
	return 0;
}
