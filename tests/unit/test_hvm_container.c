/* hvm/container: the memory layout, the e820 and the command-line default. */
#include "hvm/container.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static void test_layout(void)
{
	struct hvm_layout l;

	CU_ASSERT_TRUE_FATAL(hvm_layout_for(256, &l));
	CU_ASSERT_EQUAL(l.lowmem_end, 256ull << 20);
	CU_ASSERT_EQUAL(l.highmem_end, 0);
	CU_ASSERT_EQUAL(l.mmio_start, 0xfc000000ull);

	/* 4 GiB: what does not fit below the hole goes above 4 GiB. */
	CU_ASSERT_TRUE_FATAL(hvm_layout_for(4096, &l));
	CU_ASSERT_EQUAL(l.lowmem_end, 0xfc000000ull);
	CU_ASSERT_EQUAL(l.highmem_end, (4ull << 30) + (4ull << 30) - 0xfc000000ull);

	CU_ASSERT_FALSE(hvm_layout_for(0, &l));
	CU_ASSERT_FALSE(hvm_layout_for(UINT64_MAX, &l));
	CU_ASSERT_FALSE(hvm_layout_for(UINT64_MAX >> 20, &l));
}

static void test_memmap(void)
{
	struct xc_hvm_firmware_module acpi[4] = {
		{ NULL, 36, 0xfc000000ull },
		{ NULL, 5000, 0xfc001000ull },
	};
	struct e820entry e[HVM_MEMMAP_MAX];
	struct hvm_layout l;
	int n;

	CU_ASSERT_TRUE_FATAL(hvm_layout_for(5000, &l));
	n = hvm_memmap_build(&l, acpi, 4, e);
	CU_ASSERT_EQUAL_FATAL(n, 5);
	CU_ASSERT(e[0].addr == 0 && e[0].size == 0xfc000000ull && e[0].type == E820_RAM);
	CU_ASSERT(e[1].addr == 0xfeff8000ull && e[1].size == 0x8000 && e[1].type == E820_RESERVED);
	CU_ASSERT(e[2].addr == 0xfc000000ull && e[2].size == 0x1000 && e[2].type == E820_ACPI);
	CU_ASSERT(e[3].addr == 0xfc001000ull && e[3].size == 0x2000 && e[3].type == E820_ACPI);
	CU_ASSERT(e[4].addr == 1ull << 32 && e[4].type == E820_RAM);
	CU_ASSERT_EQUAL(e[4].size, (5000ull << 20) - 0xfc000000ull);

	/* Small guest: no high RAM. */
	CU_ASSERT_TRUE_FATAL(hvm_layout_for(128, &l));
	CU_ASSERT_EQUAL(hvm_memmap_build(&l, acpi, 2, e), 4);

	/* Tables outside the hole, over the special pages, wrapping: refused. */
	acpi[1].guest_addr_out = 0x100000;
	CU_ASSERT_EQUAL(hvm_memmap_build(&l, acpi, 2, e), -EINVAL);
	acpi[1].guest_addr_out = 0xfeff7000ull;
	CU_ASSERT_EQUAL(hvm_memmap_build(&l, acpi, 2, e), -EINVAL);
	acpi[1].guest_addr_out = UINT64_MAX - 100;
	CU_ASSERT_EQUAL(hvm_memmap_build(&l, acpi, 2, e), -EINVAL);
	CU_ASSERT_EQUAL(hvm_memmap_build(&l, acpi, 5, e), -EINVAL);
}

static void check_cmdline(const char *in, const char *want)
{
	char *out = hvm_cmdline_default(in, "reboot", "t");

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, want);
	free(out);
}

static void test_cmdline_default(void)
{
	check_cmdline(NULL, "reboot=t");
	check_cmdline("", "reboot=t");
	check_cmdline("console=hvc0 quiet", "console=hvc0 quiet reboot=t");
	/* The user's own choice stays. */
	check_cmdline("console=hvc0 reboot=a", "console=hvc0 reboot=a");
	check_cmdline("reboot=k\tquiet", "reboot=k\tquiet");
	check_cmdline("quiet reboot", "quiet reboot");
	/* Only a whole word counts. */
	check_cmdline("noreboot=1 xreboot=a", "noreboot=1 xreboot=a reboot=t");
	check_cmdline("rebooted=1", "rebooted=1 reboot=t");
}

static CU_TestInfo tests[] = {
	{ "RAM around the MMIO hole", test_layout },
	{ "e820: RAM, special pages, ACPI, high RAM; bad modules refused", test_memmap },
	{ "reboot=t added unless the command line sets it", test_cmdline_default },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("hvm_container", tests)
