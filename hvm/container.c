/*
 * HVM container build; see container.h. Facts from libxl (4.17): the
 * paging pool is 4 * (256 * vCPUs + 2 * MiB of memory) KiB (Xen's default
 * of 256 pages is too small for HAP), maxmem carries LIBXL_MAXMEM_CONSTANT
 * of slack (the special pages and the ACPI tables are allocated on top of
 * the guest's RAM), the timer mode is no_delay_for_missed_ticks, and the
 * e820 is set between xc_dom_boot_mem_init and xc_dom_build_image.
 */
#include "hvm/container.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/hvm/params.h>

#include "common/log.h"

#define MAXMEM_SLACK_KIB	1024
#define MAX_EVTCHN_PORT		1023
#define MAX_GRANT_FRAMES	32
#define MAX_MAPTRACK_FRAMES	1024
#define GIB			(1ull << 30)
#define PAGE_MASK_4K		0xfffull

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

bool hvm_layout_for(uint64_t memory_mib, struct hvm_layout *l)
{
	uint64_t bytes;

	memset(l, 0, sizeof(*l));
	if (memory_mib == 0 || __builtin_mul_overflow(memory_mib, 1ull << 20, &bytes) ||
	    bytes > (1ull << 46))
		return false;
	l->mmio_start = HVM_MMIO_START;
	l->lowmem_end = bytes;
	if (bytes > l->mmio_start) {
		l->lowmem_end = l->mmio_start;
		l->highmem_end = 4 * GIB + (bytes - l->mmio_start);
	}
	return true;
}

int hvm_memmap_build(const struct hvm_layout *l, const struct xc_hvm_firmware_module *acpi,
		     unsigned n_acpi, struct e820entry out[HVM_MEMMAP_MAX])
{
	unsigned n = 0;

	if (n_acpi > MAX_ACPI_MODULES)
		return -EINVAL;
	out[n++] = (struct e820entry){ 0, l->lowmem_end, E820_RAM };
	out[n++] = (struct e820entry){ HVM_SPECIAL_START, HVM_SPECIAL_SIZE, E820_RESERVED };
	for (unsigned i = 0; i < n_acpi; i++) {
		uint64_t start = acpi[i].guest_addr_out & ~PAGE_MASK_4K;
		uint64_t end = acpi[i].guest_addr_out + acpi[i].length;

		if (!acpi[i].length)
			continue;
		if (start < l->mmio_start || end > HVM_SPECIAL_START || end < start)
			return -EINVAL;
		out[n++] = (struct e820entry){ start, ((end + PAGE_MASK_4K) & ~PAGE_MASK_4K) - start,
					       E820_ACPI };
	}
	if (l->highmem_end)
		out[n++] = (struct e820entry){ 4 * GIB, l->highmem_end - 4 * GIB, E820_RAM };
	return (int)n;
}

char *hvm_cmdline_default(const char *cmdline, const char *key, const char *value)
{
	size_t klen = strlen(key);
	const char *p = cmdline ? cmdline : "";
	char *out = NULL;

	while (*p) {
		size_t wlen;

		p += strspn(p, " \t");
		wlen = strcspn(p, " \t");
		if (wlen >= klen && !strncmp(p, key, klen) && (wlen == klen || p[klen] == '='))
			return strdup(cmdline);
		p += wlen;
	}
	if (asprintf(&out, "%s%s%s=%s", cmdline ? cmdline : "", cmdline && *cmdline ? " " : "", key,
		     value) < 0)
		return NULL;
	return out;
}

int hvm_domain_create(xc_interface *xch, struct pv_domain *d, uint32_t emulation_flags)
{
	struct xen_domctl_createdomain config;
	uint32_t domid = 0;
	uint64_t mem_kib, pool_kib;
	const char *step;
	int rc, r;

	if (d->vcpus == 0 || d->memory_mib == 0 ||
	    __builtin_mul_overflow(d->memory_mib, 1024, &mem_kib))
		return -EINVAL;
	pool_kib = 4 * (256 * (uint64_t)d->vcpus + 2 * d->memory_mib);

	memset(&config, 0, sizeof(config));
	memcpy(config.handle, d->uuid, sizeof(config.handle));
	config.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	config.max_vcpus = d->vcpus;
	config.max_evtchn_port = MAX_EVTCHN_PORT;
	config.max_grant_frames = MAX_GRANT_FRAMES;
	config.max_maptrack_frames = MAX_MAPTRACK_FRAMES;
	config.grant_opts = XEN_DOMCTL_GRANT_version(1);
	config.arch.emulation_flags = emulation_flags;

	if (xc_domain_create(xch, &domid, &config) < 0) {
		rc = neg_errno();
		log_warn("domain create: xc_domain_create (hvm, hap)");
		return rc;
	}
	d->domid = domid;

	errno = 0;
	step = "xc_domain_max_vcpus";
	if (xc_domain_max_vcpus(xch, domid, d->vcpus) < 0)
		goto fail;
	step = "xc_domain_setmaxmem";
	if (xc_domain_setmaxmem(xch, domid, mem_kib + MAXMEM_SLACK_KIB) < 0)
		goto fail;
	step = "xc_domain_set_tsc_info";
	if (xc_domain_set_tsc_info(xch, domid, 0 /* default */, 0, 0, 0) < 0)
		goto fail;
	step = "HVM_PARAM_TIMER_MODE";
	if (xc_hvm_param_set(xch, domid, HVM_PARAM_TIMER_MODE, HVMPTM_no_delay_for_missed_ticks) < 0)
		goto fail;
	step = "xc_set_paging_mempool_size";
	if (xc_set_paging_mempool_size(xch, domid, pool_kib * 1024) < 0)
		goto fail;
	step = "xc_cpuid_apply_policy";
	if (xc_cpuid_apply_policy(xch, domid, false, NULL, 0, true, false, false, NULL, NULL) < 0)
		goto fail;
	step = "xenstore event channel";
	if ((r = xc_evtchn_alloc_unbound(xch, domid, 0)) < 0)
		goto fail;
	d->store_port = (uint32_t)r;
	step = "console event channel";
	if ((r = xc_evtchn_alloc_unbound(xch, domid, 0)) < 0)
		goto fail;
	d->console_port = (uint32_t)r;
	return 0;

fail:
	rc = neg_errno();
	log_warn("domain %u: %s", domid, step);
	pv_domain_destroy(xch, domid);
	d->domid = PV_DOMID_NONE;
	return rc;
}

int hvm_domain_load_elf(xc_interface *xch, struct pv_domain *d, const struct pv_image_spec *spec,
			const struct acpi_config *acpi_in)
{
	struct acpi_config acpi = *acpi_in;
	struct acpi_tables tables = { 0 };
	struct xc_dom_image *dom = NULL;
	struct e820entry e820[HVM_MEMMAP_MAX];
	struct hvm_layout layout;
	const char *step;
	int rc, r, n;

	if (!hvm_layout_for(d->memory_mib, &layout) || d->memory_mib > UINT32_MAX)
		return -EINVAL;
	acpi.tables_addr = HVM_ACPI_TABLES_ADDR;
	rc = acpi_tables_build(&acpi, &tables);
	if (rc) {
		log_warnx("domain %u: ACPI tables for %u vCPUs: %s", d->domid, acpi.vcpus,
			  strerror(-rc));
		return rc;
	}

	dom = xc_dom_allocate(xch, spec->cmdline ? spec->cmdline : "", NULL);
	if (!dom) {
		log_warn("domain %u: xc_dom_allocate", d->domid);
		rc = -ENOMEM;
		goto out;
	}
	dom->container_type = XC_DOM_HVM_CONTAINER;
	dom->console_evtchn = d->console_port;
	dom->console_domid = 0;
	dom->xenstore_evtchn = d->store_port;
	dom->xenstore_domid = 0;
	dom->max_vcpus = d->vcpus;
	dom->target_pages = d->memory_mib << 8;
	dom->mmio_start = layout.mmio_start;
	dom->mmio_size = 4 * GIB - layout.mmio_start;
	dom->lowmem_end = layout.lowmem_end;
	dom->highmem_end = layout.highmem_end;
	dom->device_model = false;
	dom->acpi_modules[0].data = tables.rsdp;
	dom->acpi_modules[0].length = sizeof(tables.rsdp);
	dom->acpi_modules[0].guest_addr_out = HVM_ACPI_RSDP_ADDR;
	dom->acpi_modules[1].data = tables.blob;
	dom->acpi_modules[1].length = (uint32_t)tables.blob_size;
	dom->acpi_modules[1].guest_addr_out = HVM_ACPI_TABLES_ADDR;

	errno = 0;
	if (spec->kernel_mem) {
		step = "xc_dom_kernel_mem";
		r = xc_dom_kernel_mem(dom, spec->kernel_mem->data, spec->kernel_mem->size);
	} else {
		step = "xc_dom_kernel_file";
		r = xc_dom_kernel_file(dom, spec->kernel_path);
	}
	if (r != 0)
		goto fail;
	if (spec->initrd_path) {
		step = "xc_dom_module_file (initrd)";
		if (xc_dom_module_file(dom, spec->initrd_path, NULL) != 0)
			goto fail;
	}
	step = "xc_dom_boot_xen_init";
	if (xc_dom_boot_xen_init(dom, xch, d->domid) != 0)
		goto fail;
	if (xc_dom_parse_image(dom) != 0) {
		rc = -ENOEXEC;
		log_warnx("domain %u: the kernel has no PVH entry point: -M xenpvh needs an ELF "
			  "kernel with the XEN_ELFNOTE_PHYS32_ENTRY note (Linux: CONFIG_PVH=y)",
			  d->domid);
		goto out;
	}
	if (spec->parsed)
		spec->parsed(spec->parsed_opaque, dom->kernel_blob, dom->kernel_size);
	step = "xc_dom_mem_init";
	if (xc_dom_mem_init(dom, (unsigned)d->memory_mib) != 0)
		goto fail;
	step = "xc_dom_boot_mem_init";
	if (xc_dom_boot_mem_init(dom) != 0)
		goto fail;
	n = hvm_memmap_build(&layout, dom->acpi_modules, MAX_ACPI_MODULES, e820);
	if (n < 0) {
		rc = n;
		log_warnx("domain %u: memory map: the ACPI tables do not fit the MMIO hole", d->domid);
		goto out;
	}
	step = "xc_domain_set_memory_map";
	if (xc_domain_set_memory_map(xch, d->domid, e820, (uint32_t)n) != 0)
		goto fail;
	dom->e820 = e820;
	dom->e820_entries = (unsigned)n;
	step = "xc_dom_build_image";
	if (xc_dom_build_image(dom) != 0)
		goto fail;
	step = "xc_dom_boot_image";
	if (xc_dom_boot_image(dom) != 0)
		goto fail;
	step = "xc_dom_gnttab_init";
	if (xc_dom_gnttab_init(dom) != 0)
		goto fail;

	d->console_mfn = dom->console_pfn;
	d->store_mfn = dom->xenstore_pfn;
	rc = 0;
	goto out;

fail:
	rc = neg_errno();
	if (errno)
		log_warn("domain %u: %s failed", d->domid, step);
	else
		log_warnx("domain %u: %s failed", d->domid, step);
out:
	if (dom) {
		dom->e820 = NULL;	/* ours, on the stack */
		xc_dom_release(dom);
	}
	acpi_tables_dispose(&tables);
	return rc;
}
