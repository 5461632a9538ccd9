/*
 * The HVM container: the domain every firmware-less HVM machine type
 * (xenpvh, the lean xenfv) is built in, with libxenctrl/libxenguest
 * (Xen 4.17) in libxl's order, and the memory layout its guest sees.
 *
 *   hvm_domain_create      xc_domain_create (hvm, hap, the emulation flags
 *                          of the type), vCPUs, maxmem, TSC mode, timer
 *                          mode, the paging pool, the CPUID policy, the
 *                          unbound xenstore and console event channels
 *   hvm_layout_for         where RAM, the MMIO hole, the ACPI tables and
 *                          the special pages go (pure)
 *   hvm_memmap_build       the e820 the guest reads (pure)
 *   hvm_domain_load_elf    an ELF kernel with a PVH entry through xc_dom_*:
 *                          kernel, initrd (module 0), command line, ACPI
 *                          tables, e820 (set before the image is built:
 *                          xc_dom_boot_image copies it into hvm_start_info),
 *                          and the boot vCPU's registers
 *
 * A built domain is left paused. The store and console frames in struct
 * pv_domain are GFNs here (X86_HVM_END_SPECIAL_REGION's pages), which is
 * what xenstored, xs_introduce_domain and a foreign mapping take for a
 * translated guest. Errors: as xenpv/domain_build.h (the domain is not
 * destroyed by the load; a failed create leaves none).
 */
#ifndef HVM_CONTAINER_H
#define HVM_CONTAINER_H

#include <stdint.h>

#include <xenctrl.h>
#include <xenguest.h>

#include "hvm/acpi.h"
#include "xenpv/domain_build.h"

/* libxl's addresses: the tables at the bottom of the MMIO hole, which
 * reaches from there to 4 GiB (LAPIC, special pages). */
#define HVM_ACPI_RSDP_ADDR	0xfc000000ull
#define HVM_ACPI_TABLES_ADDR	0xfc001000ull
#define HVM_MMIO_START		HVM_ACPI_RSDP_ADDR
#define HVM_SPECIAL_START	((uint64_t)(X86_HVM_END_SPECIAL_REGION - X86_HVM_NR_SPECIAL_PAGES) << 12)
#define HVM_SPECIAL_SIZE	((uint64_t)X86_HVM_NR_SPECIAL_PAGES << 12)
#define HVM_MEMMAP_MAX		8u

struct hvm_layout {
	uint64_t lowmem_end;	/* RAM [0, lowmem_end) */
	uint64_t highmem_end;	/* RAM [4 GiB, highmem_end), 0: none */
	uint64_t mmio_start;	/* the hole [mmio_start, 4 GiB) */
};

/* Splits memory_mib around the MMIO hole; false when memory_mib is 0 or
 * too large to address. */
bool hvm_layout_for(uint64_t memory_mib, struct hvm_layout *l);

/*
 * The e820: low RAM, the special pages (reserved), each ACPI module
 * (ACPI, page-rounded), high RAM. `acpi` has n_acpi entries (those with a
 * zero length are skipped). Returns the number of entries written to
 * out (at most HVM_MEMMAP_MAX), or -EINVAL (a module outside the hole or
 * overlapping the special pages, more than 4 modules).
 */
int hvm_memmap_build(const struct hvm_layout *l, const struct xc_hvm_firmware_module *acpi,
		     unsigned n_acpi, struct e820entry out[HVM_MEMMAP_MAX]);

/*
 * The kernel command line with " KEY=VALUE" appended unless one of its
 * words already sets KEY (is "KEY" or starts with "KEY="): what a machine
 * type needs of the guest by default and the user may still override
 * (reboot=t: with no firmware a reset is a triple fault). cmdline may be
 * NULL. A malloc'ed string, NULL when out of memory.
 */
char *hvm_cmdline_default(const char *cmdline, const char *key, const char *value);

/*
 * Creates the container. emulation_flags: what Xen emulates inside
 * (XEN_X86_EMU_LAPIC for PVH). Sets d->domid and the two ports; on
 * failure the domain is already gone. 0 or a negative errno.
 */
int hvm_domain_create(xc_interface *xch, struct pv_domain *d, uint32_t emulation_flags);

/*
 * Loads an ELF kernel that has the XEN_ELFNOTE_PHYS32_ENTRY note (PVH) with
 * the ACPI tables of `acpi` (its tables_addr is set here). Fills the store
 * and console GFNs. -ENOEXEC when the kernel has no PVH entry (logged,
 * naming the note), else 0 or a negative errno.
 */
int hvm_domain_load_elf(xc_interface *xch, struct pv_domain *d, const struct pv_image_spec *spec,
			const struct acpi_config *acpi);

#endif
