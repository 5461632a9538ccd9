/*
 * The boot vCPU of an HVM guest entered through Linux's 32-bit boot
 * protocol (boot.rst, "32-bit boot protocol"): protected mode without
 * paging (CR0.PE), a flat GDT whose selector 0x10 is a 4 GiB code segment
 * and 0x18 a 4 GiB data segment (CS 0x10; DS, ES, SS 0x18), interrupts
 * off, ESI = the zero page, EIP = the protected-mode kernel's load
 * address, and write-back as the default memory type (no firmware set
 * the MTRRs).
 *
 *   boot_cpu_gdt      the four GDT entries the guest finds at
 *                     BZIMAGE_GDT_GPA (its own copy reloads segments)
 *   boot_cpu_context  from the record stream xc_domain_hvm_getcontext
 *                     gives, the stream for xc_domain_hvm_setcontext:
 *                     its header, vCPU 0's CPU record built from zero
 *                     with the registers above, its MTRR record with the
 *                     default type set, the end record. Pure; the stream
 *                     is checked (record lengths and types) before use.
 *   boot_cpu_set      both calls around it for domain domid
 */
#ifndef XENFV_BOOT_CPU_H
#define XENFV_BOOT_CPU_H

#include <stddef.h>
#include <stdint.h>

#include <xenctrl.h>

#define BOOT_CPU_GDT_SIZE 32
#define BOOT_CPU_CS 0x10
#define BOOT_CPU_DS 0x18

struct boot_cpu_regs {
	uint32_t eip;		/* the 32-bit entry */
	uint32_t esi;		/* the zero page */
	uint32_t gdt;		/* guest address of boot_cpu_gdt's copy */
};

void boot_cpu_gdt(uint8_t out[BOOT_CPU_GDT_SIZE]);

/* 0 and *out_r (malloc'd, *out_len_r bytes), or -EINVAL (no header, no
 * MTRR record for vCPU 0, a record running past len) or -ENOMEM. */
int boot_cpu_context(const uint8_t *ctx, size_t len, const struct boot_cpu_regs *regs,
		     uint8_t **out_r, size_t *out_len_r);

/* 0 or a negative errno (logged). */
int boot_cpu_set(xc_interface *xch, uint32_t domid, const struct boot_cpu_regs *regs);

#endif
