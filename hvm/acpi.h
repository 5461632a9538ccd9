/*
 * The launcher's own ACPI tables for an HVM container with no firmware
 * (libxen-dev ships no libacpi). Without them Linux on PVH sees one vCPU and
 * has no way to power off. A pure builder: no Xen, no I/O, unit-tested.
 *
 * What is built, all in one blob at cfg->tables_addr (guest-physical), the
 * RSDP apart (ACPI 2.0, 36 bytes, pointing at the XSDT):
 *   XSDT  FADT and MADT
 *   FADT  revision 6, HW_REDUCED_ACPI (no PM1 blocks, no SCI, no PM timer,
 *         no legacy devices, no VGA, no CMOS RTC: none of them exist in a
 *         PVH container); with cfg->sleep_port, the sleep control register
 *         at that I/O port and the sleep status register at port + 1
 *   MADT  one enabled local APIC per vCPU: processor UID n, APIC ID 2n (what
 *         Xen's vLAPIC reports for vCPU n); no IO-APIC, no PC-AT flag
 *   DSDT  Name(_S5, Package(){ ACPI_S5_SLP_TYP, ... }) when cfg->sleep_port
 *         is set (Linux offers ACPI power-off only with both the registers
 *         and _S5), else empty
 * A guest powering off writes (ACPI_S5_SLP_TYP << 2) | (1 << 5) to the
 * sleep control port: only a device model claiming that port sees it.
 *
 * The interfaces an HVM machine type extends (xenfv: an IO-APIC, PM1
 * blocks, a PCI root) are the config struct and acpi_tables_build.
 */
#ifndef HVM_ACPI_H
#define HVM_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_VCPUS		128u	/* APIC IDs up to 254 fit the xAPIC entries */
#define ACPI_RSDP_SIZE		36u
#define ACPI_S5_SLP_TYP		5u
#define ACPI_SLEEP_SLP_EN	(1u << 5)

struct acpi_config {
	unsigned vcpus;			/* 1..ACPI_MAX_VCPUS */
	uint64_t tables_addr;		/* guest-physical address of the blob, 16-byte aligned */
	uint16_t sleep_port;		/* 0: no sleep registers, no _S5 */
};

struct acpi_tables {
	uint8_t rsdp[ACPI_RSDP_SIZE];
	uint8_t *blob;			/* XSDT, FADT, MADT, DSDT; malloc'ed */
	size_t blob_size;
	/* Offsets of each table in blob (the unit tests walk them). */
	size_t xsdt_off, fadt_off, madt_off, dsdt_off;
};

/*
 * Builds the tables. 0, -EINVAL (vCPUs out of range, an unaligned address,
 * a blob that would not fit below 4 GiB... nothing is allocated then) or
 * -ENOMEM. Dispose of t_r with acpi_tables_dispose.
 */
int acpi_tables_build(const struct acpi_config *cfg, struct acpi_tables *t_r);
void acpi_tables_dispose(struct acpi_tables *t);

/* The byte that makes a table's bytes sum to 0; pure. */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

#endif
