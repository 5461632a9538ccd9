/*
 * Linux's bzImage and its 32-bit boot protocol (Documentation/arch/x86/
 * boot.rst), for booting an HVM guest straight into its kernel with no
 * firmware: read the setup header, choose where the kernel, its command
 * line and its initrd go in guest memory, and build the zero page
 * (struct boot_params) the kernel's 32-bit entry finds in ESI.
 *
 * The image is hostile input (a user's file, or a kernel read from a
 * guest's disk): every field is checked against the file's real size and
 * against the others, and a file that is not a bzImage, is cut short or
 * whose header lies is refused with a message saying which.
 *
 *   bzimage_parse      the setup header at 0x1f1, checked; borrows image
 *   bzimage_place      load addresses in a guest of ram_end bytes of low RAM
 *   bzimage_zero_page  the 4 KiB zero page: header copy, loader type,
 *                      command line and ramdisk pointers, the e820 map
 *   bzimage_cmdline    the user's -append with what a Xen guest with no
 *                      platform PCI device needs
 *
 * Errors: a negative errno (-ENOEXEC for an image that is not a usable
 * bzImage, -E2BIG or -ENOMEM when something does not fit) and a one-line
 * reason in err (BZIMAGE_ERR_MAX bytes).
 */
#ifndef XENFV_BZIMAGE_H
#define XENFV_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BZIMAGE_ERR_MAX 160
#define BZIMAGE_ZERO_PAGE_SIZE 4096
#define BZIMAGE_E820_MAX 128		/* entries the zero page holds */

/* Fixed places in the guest's low memory (below 1 MiB, no firmware there). */
#define BZIMAGE_GDT_GPA 0x6000		/* the boot GDT (16 bytes used) */
#define BZIMAGE_ZERO_PAGE_GPA 0x7000
#define BZIMAGE_CMDLINE_GPA 0x20000	/* up to BZIMAGE_CMDLINE_ROOM bytes */
#define BZIMAGE_CMDLINE_ROOM 0x10000
#define BZIMAGE_LOW_KERNEL 0x100000	/* where a kernel that cannot move goes */

#define BZIMAGE_E820_RAM 1
#define BZIMAGE_E820_RESERVED 2

struct bzimage {
	const uint8_t *image;		/* borrowed: the whole file */
	size_t image_size;
	uint16_t version;		/* 0x020f is protocol 2.15 */
	size_t hdr_end;			/* the header is image[0x1f1, hdr_end) */
	size_t setup_size;		/* real-mode part: (setup_sects + 1) * 512 */
	const uint8_t *kernel;		/* the protected-mode kernel, in image */
	size_t kernel_size;
	bool relocatable;
	uint32_t kernel_alignment;	/* a power of two; 0x100000 before 2.05 */
	uint64_t pref_address;		/* 2.10+; else BZIMAGE_LOW_KERNEL */
	uint32_t init_size;		/* bytes from the load address the kernel needs */
	uint32_t cmdline_max;		/* without the NUL */
	uint32_t initrd_addr_max;	/* highest address of an initrd byte */
	bool kernel_64;			/* xloadflags: a 64-bit kernel */
};

struct bzimage_layout {
	uint64_t kernel;		/* load address and 32-bit entry point (EIP) */
	uint64_t kernel_end;		/* kernel + what it needs, exclusive */
	uint64_t zero_page;		/* ESI */
	uint64_t cmdline;
	uint64_t initrd;		/* 0 with no initrd */
	uint64_t initrd_size;
	uint64_t rsdp;			/* ACPI's RSDP for the kernel (2.14+); 0: none. Set by the caller */
};

struct bzimage_e820 {
	uint64_t addr;
	uint64_t size;
	uint32_t type;			/* BZIMAGE_E820_RAM, _RESERVED... */
};

/* 0 and *bz, or -ENOEXEC and err. */
int bzimage_parse(const void *image, size_t size, struct bzimage *bz, char err[BZIMAGE_ERR_MAX]);

/*
 * Chooses the load addresses in a guest whose RAM below 4 GiB ends at
 * ram_end (exclusive): the kernel at its preferred address when it is
 * relocatable and fits, else at the lowest address it may take from 1 MiB
 * (a kernel that cannot move goes to 1 MiB or nowhere); the initrd as high
 * as the kernel allows, page-aligned, above the kernel. cmdline_len is
 * without its NUL. 0 and *l, or -E2BIG / -ENOMEM and err.
 */
int bzimage_place(const struct bzimage *bz, uint64_t ram_end, size_t cmdline_len,
		  uint64_t initrd_size, struct bzimage_layout *l, char err[BZIMAGE_ERR_MAX]);

/*
 * Fills zp (BZIMAGE_ZERO_PAGE_SIZE bytes) for bz placed at l, with the
 * first n entries of map (-E2BIG above BZIMAGE_E820_MAX). 0 or -E2BIG.
 */
int bzimage_zero_page(const struct bzimage *bz, const struct bzimage_layout *l,
		      const struct bzimage_e820 *map, size_t n, uint8_t *zp);

/*
 * The command line the kernel gets: append (NULL: empty), then
 * "xen_emul_unplug=unnecessary" (its PV disk and NIC drivers bind with no
 * platform PCI device to unplug emulated ones) and "reboot=t" (a triple
 * fault, which Xen reports as a reboot; there is no keyboard controller or
 * BIOS to reset through), each unless append already sets that parameter.
 * A malloc'd string, or NULL (ENOMEM).
 */
char *bzimage_cmdline(const char *append);

#endif
