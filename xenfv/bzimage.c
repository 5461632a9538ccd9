/*
 * The bzImage loader; see bzimage.h. Offsets are those of boot.rst's setup
 * header and struct boot_params.
 */
#include "xenfv/bzimage.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The setup header. */
#define HDR_START 0x1f1
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200		/* its second byte: the header's length past 0x202 */
#define HDR_MAGIC 0x202		/* "HdrS" */
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c	/* 2.03 */
#define HDR_KERNEL_ALIGNMENT 0x230	/* 2.05 */
#define HDR_RELOCATABLE 0x234		/* 2.05 */
#define HDR_XLOADFLAGS 0x236		/* 2.12 */
#define HDR_CMDLINE_SIZE 0x238		/* 2.06 */
#define HDR_PREF_ADDRESS 0x258		/* 2.10 */
#define HDR_INIT_SIZE 0x260		/* 2.10 */
#define HDR_MAX_END 0x290		/* where boot_params' next member starts */

/* The rest of the zero page. */
#define ZP_ACPI_RSDP_ADDR 0x070
#define ZP_E820_ENTRIES 0x1e8
#define ZP_E820_TABLE 0x2d0

#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define LOADER_UNDEFINED 0xff		/* "no assigned id" */
#define SETUP_SECTS_DEFAULT 4
#define FOUR_GIB 0x100000000ULL
#define PAGE_MASK_4K 0xfffULL

static uint16_t get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)get16(p, off) | (uint32_t)get16(p, off + 2) << 16;
}

static uint64_t get64(const uint8_t *p, size_t off)
{
	return (uint64_t)get32(p, off) | (uint64_t)get32(p, off + 4) << 32;
}

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

static void put64(uint8_t *p, size_t off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

static int fail(char *err, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, BZIMAGE_ERR_MAX, fmt, ap);
	va_end(ap);
	return rc;
}

/* The end of the last header field protocol `version` defines that we read. */
static size_t fields_end(uint16_t version)
{
	if (version >= 0x020a)
		return HDR_INIT_SIZE + 4;
	if (version >= 0x0206)
		return HDR_CMDLINE_SIZE + 4;
	if (version >= 0x0205)
		return HDR_RELOCATABLE + 1;
	return HDR_INITRD_ADDR_MAX + 4;
}

int bzimage_parse(const void *image, size_t size, struct bzimage *bz, char err[BZIMAGE_ERR_MAX])
{
	const uint8_t *p = image;
	unsigned setup_sects;
	uint64_t sys_bytes;

	memset(bz, 0, sizeof(*bz));
	if (size >= 4 && !memcmp(p, "\x7f" "ELF", 4))
		return fail(err, -ENOEXEC, "an ELF image (vmlinux), not a bzImage: -M xenfv -kernel boots "
			    "a bzImage (vmlinuz); an ELF kernel with a PVH note boots under -M xenpvh");
	if (size < HDR_MAGIC + 4 || get16(p, HDR_BOOT_FLAG) != 0xaa55 || memcmp(p + HDR_MAGIC, "HdrS", 4))
		return fail(err, -ENOEXEC, "not a Linux bzImage (no \"HdrS\" setup header at 0x202)");
	if (size < HDR_VERSION + 2)
		return fail(err, -ENOEXEC, "truncated: the file ends inside its setup header");
	bz->version = get16(p, HDR_VERSION);
	if (bz->version < 0x0204)
		return fail(err, -ENOEXEC, "boot protocol %u.%02u is too old (2.04 or later is needed)",
			    bz->version >> 8, bz->version & 0xff);
	bz->hdr_end = HDR_JUMP + 2 + (size_t)p[HDR_JUMP + 1];
	if (bz->hdr_end < fields_end(bz->version) || bz->hdr_end > HDR_MAX_END)
		return fail(err, -ENOEXEC, "the setup header's length (%zu bytes) does not match boot "
			    "protocol %u.%02u", bz->hdr_end - HDR_START, bz->version >> 8,
			    bz->version & 0xff);
	if (size < bz->hdr_end)
		return fail(err, -ENOEXEC, "truncated: the file ends inside its setup header");
	if (!(p[HDR_LOADFLAGS] & LOADED_HIGH))
		return fail(err, -ENOEXEC, "a zImage (loaded below 1 MiB), not a bzImage");
	setup_sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : SETUP_SECTS_DEFAULT;
	bz->setup_size = ((size_t)setup_sects + 1) * 512;
	if (size <= bz->setup_size)
		return fail(err, -ENOEXEC, "truncated: %zu bytes, but the setup code alone is %zu",
			    size, bz->setup_size);
	bz->image = p;
	bz->image_size = size;
	bz->kernel = p + bz->setup_size;
	bz->kernel_size = size - bz->setup_size;
	sys_bytes = (uint64_t)get32(p, HDR_SYSSIZE) * 16;
	if (sys_bytes == 0 || sys_bytes > bz->kernel_size)
		return fail(err, -ENOEXEC, "truncated or lying header: it says %" PRIu64 " bytes of "
			    "kernel, the file holds %zu", sys_bytes, bz->kernel_size);

	bz->initrd_addr_max = get32(p, HDR_INITRD_ADDR_MAX);
	bz->kernel_alignment = BZIMAGE_LOW_KERNEL;
	bz->pref_address = BZIMAGE_LOW_KERNEL;
	bz->cmdline_max = 255;
	bz->init_size = (uint32_t)(bz->kernel_size > UINT32_MAX ? UINT32_MAX : bz->kernel_size);
	if (bz->version >= 0x0205) {
		bz->relocatable = p[HDR_RELOCATABLE] != 0;
		bz->kernel_alignment = get32(p, HDR_KERNEL_ALIGNMENT);
		if (bz->relocatable && (bz->kernel_alignment < 0x1000 ||
					(bz->kernel_alignment & (bz->kernel_alignment - 1))))
			return fail(err, -ENOEXEC, "lying header: kernel_alignment %#x is not a power of "
				    "two of at least 4 KiB", bz->kernel_alignment);
	}
	if (bz->version >= 0x0206)
		bz->cmdline_max = get32(p, HDR_CMDLINE_SIZE);
	if (bz->version >= 0x020a) {
		bz->pref_address = get64(p, HDR_PREF_ADDRESS);
		bz->init_size = get32(p, HDR_INIT_SIZE);
		if (bz->init_size < sys_bytes)
			return fail(err, -ENOEXEC, "lying header: init_size %u is below the kernel's own "
				    "%" PRIu64 " bytes", bz->init_size, sys_bytes);
	}
	if (bz->version >= 0x020c)
		bz->kernel_64 = get16(p, HDR_XLOADFLAGS) & XLF_KERNEL_64;
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Whether the kernel fits at `at` below ram_end; sets *end_r. */
static bool kernel_fits(const struct bzimage *bz, uint64_t at, uint64_t ram_end, uint64_t *end_r)
{
	uint64_t need = bz->init_size > bz->kernel_size ? bz->init_size : bz->kernel_size;

	*end_r = at + need;
	return at >= BZIMAGE_LOW_KERNEL && at < FOUR_GIB && need <= ram_end && at <= ram_end - need;
}

int bzimage_place(const struct bzimage *bz, uint64_t ram_end, size_t cmdline_len,
		  uint64_t initrd_size, struct bzimage_layout *l, char err[BZIMAGE_ERR_MAX])
{
	uint64_t end, top;

	memset(l, 0, sizeof(*l));
	if (ram_end > FOUR_GIB)
		ram_end = FOUR_GIB;
	if (cmdline_len > bz->cmdline_max || cmdline_len >= BZIMAGE_CMDLINE_ROOM)
		return fail(err, -E2BIG, "the command line is %zu bytes; this kernel takes at most %u",
			    cmdline_len, bz->cmdline_max < BZIMAGE_CMDLINE_ROOM - 1 ?
			    bz->cmdline_max : BZIMAGE_CMDLINE_ROOM - 1);
	if (!bz->relocatable) {
		l->kernel = BZIMAGE_LOW_KERNEL;
	} else {
		/* Where it prefers to run, or else the lowest place it accepts. */
		l->kernel = bz->pref_address;
		if (l->kernel % bz->kernel_alignment || !kernel_fits(bz, l->kernel, ram_end, &end))
			l->kernel = align_up(BZIMAGE_LOW_KERNEL, bz->kernel_alignment);
	}
	if (!kernel_fits(bz, l->kernel, ram_end, &end))
		return fail(err, -ENOMEM, "the kernel needs %" PRIu64 " KiB from %#" PRIx64 "; the guest's "
			    "RAM ends at %#" PRIx64, (end - l->kernel) >> 10, l->kernel, ram_end);
	l->kernel_end = end;
	l->zero_page = BZIMAGE_ZERO_PAGE_GPA;
	l->cmdline = BZIMAGE_CMDLINE_GPA;
	if (!initrd_size)
		return 0;
	/* As high as the kernel can reach it, so that it stays clear of the
	 * kernel's decompression. */
	top = (uint64_t)bz->initrd_addr_max + 1;
	if (top > ram_end)
		top = ram_end;
	if (initrd_size > top || ((top - initrd_size) & ~PAGE_MASK_4K) < l->kernel_end)
		return fail(err, -ENOMEM, "the initrd (%" PRIu64 " KiB) does not fit between the kernel's "
			    "end %#" PRIx64 " and %#" PRIx64, initrd_size >> 10, l->kernel_end, top);
	l->initrd = (top - initrd_size) & ~PAGE_MASK_4K;
	l->initrd_size = initrd_size;
	return 0;
}

int bzimage_zero_page(const struct bzimage *bz, const struct bzimage_layout *l,
		      const struct bzimage_e820 *map, size_t n, uint8_t *zp)
{
	if (n > BZIMAGE_E820_MAX)
		return -E2BIG;
	memset(zp, 0, BZIMAGE_ZERO_PAGE_SIZE);
	memcpy(zp + HDR_START, bz->image + HDR_START, bz->hdr_end - HDR_START);
	zp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put32(zp, HDR_CODE32_START, (uint32_t)l->kernel);
	put32(zp, HDR_CMD_LINE_PTR, (uint32_t)l->cmdline);
	put32(zp, HDR_RAMDISK_IMAGE, (uint32_t)l->initrd);
	put32(zp, HDR_RAMDISK_SIZE, (uint32_t)l->initrd_size);
	put64(zp, ZP_ACPI_RSDP_ADDR, l->rsdp);
	zp[ZP_E820_ENTRIES] = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		size_t off = ZP_E820_TABLE + i * 20;

		put64(zp, off, map[i].addr);
		put64(zp, off + 8, map[i].size);
		put32(zp, off + 16, map[i].type);
	}
	return 0;
}

/* Whether cmdline sets the parameter `name` (given with its '='). */
static bool has_param(const char *cmdline, const char *name)
{
	for (const char *p = cmdline; (p = strstr(p, name)); p++)
		if (p == cmdline || p[-1] == ' ' || p[-1] == '\t')
			return true;
	return false;
}

char *bzimage_cmdline(const char *append)
{
	const char *user = append ? append : "";
	bool unplug = !has_param(user, "xen_emul_unplug="), reboot = !has_param(user, "reboot=");
	char *s = NULL;

	if (asprintf(&s, "%s%s%s%s%s", user, *user && unplug ? " " : "",
		     unplug ? "xen_emul_unplug=unnecessary" : "", (*user || unplug) && reboot ? " " : "",
		     reboot ? "reboot=t" : "") < 0)
		return NULL;
	return s;
}
