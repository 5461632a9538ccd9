/*
 * ACPI tables; see acpi.h. Layouts from the ACPI 6.x specification
 * (5.2.5.3 RSDP, 5.2.6 header, 5.2.8 XSDT, 5.2.9 FADT, 5.2.12 MADT);
 * every multi-byte field little-endian, written byte by byte.
 */
#include "hvm/acpi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HDR_SIZE	36u
#define XSDT_ENTRIES	2u			/* FADT, MADT */
#define XSDT_SIZE	(HDR_SIZE + 8u * XSDT_ENTRIES)
#define FADT_SIZE	276u			/* revision 6 */
#define MADT_FIXED	(HDR_SIZE + 8u)		/* local APIC address, flags */
#define MADT_LAPIC_SIZE	8u
#define LAPIC_ADDR	0xfee00000u

#define FADT_WBINVD		(1u << 0)
#define FADT_PWR_BUTTON		(1u << 4)	/* no fixed power button */
#define FADT_SLP_BUTTON		(1u << 5)	/* no fixed sleep button */
#define FADT_HW_REDUCED_ACPI	(1u << 20)
#define BOOT_ARCH_NO_VGA	(1u << 2)
#define BOOT_ARCH_NO_CMOS_RTC	(1u << 5)

#define GAS_SYSTEM_IO	1u
#define GAS_ACCESS_BYTE	1u

/* Name(_S5, Package(4){ 5, 5, 0, 0 }) in AML. */
static const uint8_t dsdt_s5[] = {
	0x08, '_', 'S', '5', '_',	/* NameOp, NameSeg */
	0x12, 0x08, 0x04,		/* PackageOp, PkgLength 8, 4 elements */
	0x0a, ACPI_S5_SLP_TYP,		/* BytePrefix 5: SLP_TYP for the sleep register */
	0x0a, ACPI_S5_SLP_TYP,
	0x00, 0x00,			/* ZeroOp, ZeroOp */
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)(0x100 - sum);
}

static void oem_ids(uint8_t *oem_id, uint8_t *table_id)
{
	memcpy(oem_id, "XENLCH", 6);
	if (table_id)
		memcpy(table_id, "XENLAUNC", 8);
}

/* The common header; the checksum is set by finish(). */
static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	oem_ids(t + 10, t + 16);
	put32(t + 24, 1);		/* OEM revision */
	memcpy(t + 28, "XLNC", 4);	/* creator id */
	put32(t + 32, 1);		/* creator revision */
}

static void finish(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = acpi_checksum(t, len);
}

/* A Generic Address Structure for one byte-wide I/O port. */
static void gas_io_byte(uint8_t *g, uint16_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = 8;		/* bit width */
	g[2] = 0;		/* bit offset */
	g[3] = GAS_ACCESS_BYTE;
	put64(g + 4, port);
}

static void build_fadt(uint8_t *t, const struct acpi_config *cfg, uint64_t dsdt)
{
	header(t, "FACP", FADT_SIZE, 6);
	put32(t + 40, (uint32_t)dsdt);
	put16(t + 109, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC);
	put32(t + 112, FADT_WBINVD | FADT_PWR_BUTTON | FADT_SLP_BUTTON | FADT_HW_REDUCED_ACPI);
	t[131] = 0;		/* FADT minor version */
	put64(t + 140, dsdt);	/* X_DSDT */
	if (cfg->sleep_port) {
		gas_io_byte(t + 244, cfg->sleep_port);		/* SLEEP_CONTROL_REG */
		gas_io_byte(t + 256, (uint16_t)(cfg->sleep_port + 1));	/* SLEEP_STATUS_REG */
	}
	memcpy(t + 268, "XenVMM\0\0", 8);	/* hypervisor vendor identity */
	finish(t, FADT_SIZE);
}

static void build_madt(uint8_t *t, uint32_t len, unsigned vcpus)
{
	uint8_t *e = t + MADT_FIXED;

	header(t, "APIC", len, 5);
	put32(t + 36, LAPIC_ADDR);
	put32(t + 40, 0);	/* no dual 8259: not PC-AT compatible */
	for (unsigned i = 0; i < vcpus; i++, e += MADT_LAPIC_SIZE) {
		e[0] = 0;			/* processor local APIC */
		e[1] = MADT_LAPIC_SIZE;
		e[2] = (uint8_t)i;		/* ACPI processor UID */
		e[3] = (uint8_t)(2 * i);	/* APIC ID: Xen's vLAPIC gives vCPU n the id 2n */
		put32(e + 4, 1);		/* enabled */
	}
	finish(t, len);
}

int acpi_tables_build(const struct acpi_config *cfg, struct acpi_tables *t_r)
{
	size_t madt_size, dsdt_size, off = 0;
	uint64_t end;
	uint8_t *b, *x;

	memset(t_r, 0, sizeof(*t_r));
	if (cfg->vcpus == 0 || cfg->vcpus > ACPI_MAX_VCPUS || (cfg->tables_addr & 15) ||
	    cfg->tables_addr == 0 || cfg->sleep_port == 0xffff)
		return -EINVAL;
	madt_size = MADT_FIXED + (size_t)cfg->vcpus * MADT_LAPIC_SIZE;
	dsdt_size = HDR_SIZE + (cfg->sleep_port ? sizeof(dsdt_s5) : 0);

	/* Each table 16-byte aligned. */
	t_r->xsdt_off = off;
	off = (off + XSDT_SIZE + 15) & ~(size_t)15;
	t_r->fadt_off = off;
	off = (off + FADT_SIZE + 15) & ~(size_t)15;
	t_r->madt_off = off;
	off = (off + madt_size + 15) & ~(size_t)15;
	t_r->dsdt_off = off;
	off += dsdt_size;
	if (__builtin_add_overflow(cfg->tables_addr, (uint64_t)off, &end) || end > (1ull << 32))
		return -EINVAL;	/* the FADT's 32-bit DSDT field must reach it */

	b = calloc(1, off);
	if (!b)
		return -ENOMEM;
	t_r->blob = b;
	t_r->blob_size = off;

	header(b + t_r->dsdt_off, "DSDT", (uint32_t)dsdt_size, 2);
	if (cfg->sleep_port)
		memcpy(b + t_r->dsdt_off + HDR_SIZE, dsdt_s5, sizeof(dsdt_s5));
	finish(b + t_r->dsdt_off, (uint32_t)dsdt_size);
	build_madt(b + t_r->madt_off, (uint32_t)madt_size, cfg->vcpus);
	build_fadt(b + t_r->fadt_off, cfg, cfg->tables_addr + t_r->dsdt_off);

	x = b + t_r->xsdt_off;
	header(x, "XSDT", XSDT_SIZE, 1);
	put64(x + HDR_SIZE, cfg->tables_addr + t_r->fadt_off);
	put64(x + HDR_SIZE + 8, cfg->tables_addr + t_r->madt_off);
	finish(x, XSDT_SIZE);

	memcpy(t_r->rsdp, "RSD PTR ", 8);
	oem_ids(t_r->rsdp + 9, NULL);
	t_r->rsdp[15] = 2;				/* revision: ACPI 2.0+ */
	put32(t_r->rsdp + 16, 0);			/* no RSDT */
	put32(t_r->rsdp + 20, ACPI_RSDP_SIZE);
	put64(t_r->rsdp + 24, cfg->tables_addr + t_r->xsdt_off);
	t_r->rsdp[8] = acpi_checksum(t_r->rsdp, 20);	/* the ACPI 1.0 part */
	t_r->rsdp[32] = acpi_checksum(t_r->rsdp, ACPI_RSDP_SIZE);
	return 0;
}

void acpi_tables_dispose(struct acpi_tables *t)
{
	free(t->blob);
	t->blob = NULL;
	t->blob_size = 0;
}
