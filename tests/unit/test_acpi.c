/* hvm/acpi: the tables a firmware-less HVM container boots with. */
#include "hvm/acpi.h"

#include <errno.h>
#include <string.h>

#include "unit.h"

#define BASE 0xfc001000ull

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* The table at guest address addr, checked: inside the blob, its length
 * inside too, its signature, its checksum. NULL on any failure. */
static const uint8_t *table_at(const struct acpi_tables *t, uint64_t addr, const char *sig)
{
	const uint8_t *p;
	uint32_t len;

	if (addr < BASE || addr - BASE + 36 > t->blob_size)
		return NULL;
	p = t->blob + (addr - BASE);
	len = get32(p + 4);
	if (len < 36 || addr - BASE + len > t->blob_size || memcmp(p, sig, 4) || sum(p, len))
		return NULL;
	return p;
}

static void test_walk(void)
{
	struct acpi_config cfg = { .vcpus = 2, .tables_addr = BASE, .sleep_port = 0xb000 };
	struct acpi_tables t;
	const uint8_t *xsdt, *fadt, *madt, *dsdt;

	CU_ASSERT_EQUAL_FATAL(acpi_tables_build(&cfg, &t), 0);
	/* RSDP: both checksums, revision 2, length 36, no RSDT. */
	CU_ASSERT(!memcmp(t.rsdp, "RSD PTR ", 8));
	CU_ASSERT_EQUAL(sum(t.rsdp, 20), 0);
	CU_ASSERT_EQUAL(sum(t.rsdp, ACPI_RSDP_SIZE), 0);
	CU_ASSERT_EQUAL(t.rsdp[15], 2);
	CU_ASSERT_EQUAL(get32(t.rsdp + 16), 0);
	CU_ASSERT_EQUAL(get32(t.rsdp + 20), ACPI_RSDP_SIZE);

	xsdt = table_at(&t, get64(t.rsdp + 24), "XSDT");
	CU_ASSERT_PTR_NOT_NULL_FATAL(xsdt);
	CU_ASSERT_EQUAL(get32(xsdt + 4), 36 + 2 * 8);
	fadt = table_at(&t, get64(xsdt + 36), "FACP");
	madt = table_at(&t, get64(xsdt + 44), "APIC");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fadt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(madt);

	/* FADT: revision 6, hardware-reduced, DSDT both ways, the sleep registers. */
	CU_ASSERT_EQUAL(get32(fadt + 4), 276);
	CU_ASSERT_EQUAL(fadt[8], 6);
	CU_ASSERT(get32(fadt + 112) & (1u << 20));
	CU_ASSERT_EQUAL(get32(fadt + 64), 0);	/* no PM1a control block */
	CU_ASSERT_EQUAL(get32(fadt + 40), (uint32_t)get64(fadt + 140));
	dsdt = table_at(&t, get64(fadt + 140), "DSDT");
	CU_ASSERT_PTR_NOT_NULL_FATAL(dsdt);
	CU_ASSERT_EQUAL(fadt[244], 1);		/* system I/O */
	CU_ASSERT_EQUAL(get64(fadt + 248), 0xb000);
	CU_ASSERT_EQUAL(fadt[256], 1);
	CU_ASSERT_EQUAL(get64(fadt + 260), 0xb001);

	/* DSDT: Name(_S5, Package(4){5, 5, 0, 0}). */
	CU_ASSERT(get32(dsdt + 4) > 36);
	CU_ASSERT(!memcmp(dsdt + 36, "\x08_S5_\x12\x08\x04\x0a\x05\x0a\x05\x00\x00", 14));

	/* MADT: the local APIC address, not PC-AT, two enabled LAPICs with IDs 0 and 2. */
	CU_ASSERT_EQUAL(get32(madt + 4), 44 + 2 * 8);
	CU_ASSERT_EQUAL(get32(madt + 36), 0xfee00000u);
	CU_ASSERT_EQUAL(get32(madt + 40), 0);
	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *e = madt + 44 + 8 * i;

		CU_ASSERT_EQUAL(e[0], 0);
		CU_ASSERT_EQUAL(e[1], 8);
		CU_ASSERT_EQUAL(e[2], i);
		CU_ASSERT_EQUAL(e[3], 2 * i);
		CU_ASSERT_EQUAL(get32(e + 4), 1);
	}
	/* Every table 16-byte aligned, none overlapping the next. */
	CU_ASSERT_EQUAL(t.fadt_off % 16, 0);
	CU_ASSERT_EQUAL(t.madt_off % 16, 0);
	CU_ASSERT_EQUAL(t.dsdt_off % 16, 0);
	CU_ASSERT(t.xsdt_off + get32(xsdt + 4) <= t.fadt_off);
	CU_ASSERT(t.fadt_off + 276 <= t.madt_off);
	CU_ASSERT(t.madt_off + get32(madt + 4) <= t.dsdt_off);
	CU_ASSERT_EQUAL(t.dsdt_off + get32(dsdt + 4), t.blob_size);
	acpi_tables_dispose(&t);
	CU_ASSERT_PTR_NULL(t.blob);
}

static void test_no_sleep_port(void)
{
	struct acpi_config cfg = { .vcpus = 1, .tables_addr = BASE };
	struct acpi_tables t;
	const uint8_t *fadt, *dsdt;

	CU_ASSERT_EQUAL_FATAL(acpi_tables_build(&cfg, &t), 0);
	fadt = t.blob + t.fadt_off;
	dsdt = t.blob + t.dsdt_off;
	CU_ASSERT_EQUAL(get64(fadt + 248), 0);
	CU_ASSERT_EQUAL(get64(fadt + 260), 0);
	CU_ASSERT_EQUAL(get32(dsdt + 4), 36);	/* no _S5 without the registers */
	CU_ASSERT_EQUAL(sum(dsdt, 36), 0);
	acpi_tables_dispose(&t);
}

static void test_most_vcpus(void)
{
	struct acpi_config cfg = { .vcpus = ACPI_MAX_VCPUS, .tables_addr = BASE };
	struct acpi_tables t;
	const uint8_t *madt, *last;

	CU_ASSERT_EQUAL_FATAL(acpi_tables_build(&cfg, &t), 0);
	madt = table_at(&t, BASE + t.madt_off, "APIC");
	CU_ASSERT_PTR_NOT_NULL_FATAL(madt);
	CU_ASSERT_EQUAL(get32(madt + 4), 44 + 8 * ACPI_MAX_VCPUS);
	last = madt + 44 + 8 * (ACPI_MAX_VCPUS - 1);
	CU_ASSERT_EQUAL(last[2], ACPI_MAX_VCPUS - 1);
	CU_ASSERT_EQUAL(last[3], 2 * (ACPI_MAX_VCPUS - 1));	/* 254: never the broadcast id */
	acpi_tables_dispose(&t);
}

static void test_hostile_config(void)
{
	static const struct acpi_config bad[] = {
		{ .vcpus = 0, .tables_addr = BASE },
		{ .vcpus = ACPI_MAX_VCPUS + 1, .tables_addr = BASE },
		{ .vcpus = ~0u, .tables_addr = BASE },
		{ .vcpus = 1, .tables_addr = 0 },
		{ .vcpus = 1, .tables_addr = BASE + 4 },		/* unaligned */
		{ .vcpus = 1, .tables_addr = 0xfffffff0ull },		/* runs past 4 GiB */
		{ .vcpus = 1, .tables_addr = 0xfffffffffffffff0ull },	/* wraps */
		{ .vcpus = 1, .tables_addr = BASE, .sleep_port = 0xffff },	/* status port wraps */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct acpi_tables t;

		CU_ASSERT_EQUAL(acpi_tables_build(&bad[i], &t), -EINVAL);
		CU_ASSERT_PTR_NULL(t.blob);
	}
}

static void test_checksum(void)
{
	uint8_t b[4] = { 1, 2, 3, 0 };

	b[3] = acpi_checksum(b, 3);
	CU_ASSERT_EQUAL(b[3], 0xfa);
	CU_ASSERT_EQUAL(sum(b, 4), 0);
	CU_ASSERT_EQUAL(acpi_checksum(b, 0), 0);
}

static CU_TestInfo tests[] = {
	{ "RSDP -> XSDT -> FADT, MADT, DSDT: lengths, checksums, fields", test_walk },
	{ "no sleep port: no sleep registers, no _S5", test_no_sleep_port },
	{ "128 vCPUs: APIC ids up to 254", test_most_vcpus },
	{ "hostile vCPU counts and addresses are refused", test_hostile_config },
	{ "checksum byte", test_checksum },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("acpi", tests)
