/*
 * PV domain build; see domain_build.h. Facts taken from libxl (4.17):
 * maxmem is the target plus LIBXL_MAXMEM_CONSTANT (1 MiB of slack), the
 * event channels are allocated before the image is built so that start_info
 * can carry them, and xc_domain_max_vcpus must precede xc_dom_boot_image or
 * the vcpu context cannot be set.
 */
#include "xenpv/domain_build.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <xenguest.h>

#include "common/log.h"

#define MAXMEM_SLACK_KIB	1024	/* libxl's LIBXL_MAXMEM_CONSTANT */
#define MAX_EVTCHN_PORT		1023	/* libxl's default event_channels */
#define MAX_GRANT_FRAMES	32
#define MAX_MAPTRACK_FRAMES	1024

void pv_uuid_format(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		 u[12], u[13], u[14], u[15]);
}

void pv_domain_init(struct pv_domain *d, const uint8_t uuid[16], uint64_t memory_mib,
		    unsigned vcpus)
{
	memset(d, 0, sizeof(*d));
	d->domid = PV_DOMID_NONE;
	memcpy(d->uuid, uuid, 16);
	pv_uuid_format(uuid, d->uuid_str);
	d->memory_mib = memory_mib;
	d->vcpus = vcpus;
}

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int pv_domain_create(xc_interface *xch, struct pv_domain *d)
{
	struct xen_domctl_createdomain config;
	uint32_t domid = 0;	/* 0: let Xen choose */
	uint64_t mem_kib;
	int rc, r;

	if (d->vcpus == 0 || d->memory_mib == 0 ||
	    __builtin_mul_overflow(d->memory_mib, 1024, &mem_kib))
		return -EINVAL;

	memset(&config, 0, sizeof(config));
	config.ssidref = 0;
	memcpy(config.handle, d->uuid, sizeof(config.handle));
	config.flags = 0;	/* PV: neither hvm nor hap; no iommu */
	config.max_vcpus = d->vcpus;
	config.max_evtchn_port = MAX_EVTCHN_PORT;
	config.max_grant_frames = MAX_GRANT_FRAMES;
	config.max_maptrack_frames = MAX_MAPTRACK_FRAMES;
	config.grant_opts = XEN_DOMCTL_GRANT_version(1);
	config.arch.emulation_flags = 0;	/* PV: nothing emulated */

	r = xc_domain_create(xch, &domid, &config);
	if (r < 0) {
		rc = neg_errno();
		log_warn("domain create: xc_domain_create");
		return rc;
	}
	d->domid = domid;

	r = xc_domain_max_vcpus(xch, domid, d->vcpus);
	if (r < 0) {
		rc = neg_errno();
		log_warn("domain %u: xc_domain_max_vcpus(%u)", domid, d->vcpus);
		goto out;
	}
	r = xc_domain_setmaxmem(xch, domid, mem_kib + MAXMEM_SLACK_KIB);
	if (r < 0) {
		rc = neg_errno();
		log_warn("domain %u: xc_domain_setmaxmem(%llu KiB)", domid,
			 (unsigned long long)mem_kib);
		goto out;
	}
	r = xc_domain_set_memmap_limit(xch, domid, mem_kib);
	if (r < 0) {
		rc = neg_errno();
		log_warn("domain %u: xc_domain_set_memmap_limit", domid);
		goto out;
	}
	r = xc_evtchn_alloc_unbound(xch, domid, 0);
	if (r < 0) {
		rc = neg_errno();
		log_warn("domain %u: xenstore event channel", domid);
		goto out;
	}
	d->store_port = (uint32_t)r;
	r = xc_evtchn_alloc_unbound(xch, domid, 0);
	if (r < 0) {
		rc = neg_errno();
		log_warn("domain %u: console event channel", domid);
		goto out;
	}
	d->console_port = (uint32_t)r;
	rc = 0;
out:
	if (rc) {
		pv_domain_destroy(xch, domid);
		d->domid = PV_DOMID_NONE;
	}
	return rc;
}

int pv_domain_load_image(xc_interface *xch, struct pv_domain *d,
			 const struct pv_image_spec *spec)
{
	struct xc_dom_image *dom = NULL;
	const char *step;
	int rc, r;

	dom = xc_dom_allocate(xch, spec->cmdline ? spec->cmdline : "", NULL);
	if (!dom) {
		log_warn("domain %u: xc_dom_allocate", d->domid);
		return -ENOMEM;
	}
	dom->container_type = XC_DOM_PV_CONTAINER;
	dom->flags = 0;
	dom->console_evtchn = d->console_port;
	dom->console_domid = 0;
	dom->xenstore_evtchn = d->store_port;
	dom->xenstore_domid = 0;
	dom->max_vcpus = d->vcpus;

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
		r = xc_dom_module_file(dom, spec->initrd_path, NULL);
		if (r != 0)
			goto fail;
	}
	step = "xc_dom_boot_xen_init";
	if ((r = xc_dom_boot_xen_init(dom, xch, d->domid)) != 0)
		goto fail;
	step = "xc_dom_parse_image";
	if ((r = xc_dom_parse_image(dom)) != 0) {
		rc = -ENOEXEC;
		log_warnx("domain %u: %s: not a bootable PV kernel", d->domid, step);
		goto out;
	}
	if (spec->parsed)
		spec->parsed(spec->parsed_opaque, dom->kernel_blob, dom->kernel_size);
	if (d->memory_mib > UINT32_MAX) {
		rc = -EINVAL;
		goto out;
	}
	step = "xc_dom_mem_init";
	if ((r = xc_dom_mem_init(dom, (unsigned)d->memory_mib)) != 0)
		goto fail;
	step = "xc_dom_boot_mem_init";
	if ((r = xc_dom_boot_mem_init(dom)) != 0)
		goto fail;
	step = "xc_dom_build_image";
	if ((r = xc_dom_build_image(dom)) != 0)
		goto fail;
	step = "xc_dom_boot_image";
	if ((r = xc_dom_boot_image(dom)) != 0)
		goto fail;
	step = "xc_dom_gnttab_init";
	if ((r = xc_dom_gnttab_init(dom)) != 0)
		goto fail;

	d->console_mfn = xc_dom_p2m(dom, dom->console_pfn);
	d->store_mfn = xc_dom_p2m(dom, dom->xenstore_pfn);
	rc = 0;
	goto out;

fail:
	rc = neg_errno();
	if (errno)
		log_warn("domain %u: %s failed", d->domid, step);
	else
		log_warnx("domain %u: %s failed", d->domid, step);
out:
	xc_dom_release(dom);
	return rc;
}

int pv_domain_destroy(xc_interface *xch, uint32_t domid)
{
	if (domid == PV_DOMID_NONE || domid == 0)
		return 0;
	xc_domain_pause(xch, domid);
	if (xc_domain_destroy(xch, domid) < 0 && errno != ESRCH && errno != ENOENT) {
		int rc = neg_errno();

		log_warn("domain %u: xc_domain_destroy", domid);
		return rc;
	}
	return 0;
}

enum pv_domain_state pv_domain_state_from_flags(uint32_t flags)
{
	if (flags & XEN_DOMINF_dying)
		return PV_STATE_GONE;
	if (!(flags & XEN_DOMINF_shutdown))
		return PV_STATE_RUNNING;
	switch ((flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask) {
	case SHUTDOWN_poweroff:
		return PV_STATE_POWEROFF;
	case SHUTDOWN_reboot:
		return PV_STATE_REBOOT;
	case SHUTDOWN_suspend:
		return PV_STATE_SUSPEND;
	case SHUTDOWN_soft_reset:
		return PV_STATE_SOFT_RESET;
	case SHUTDOWN_crash:
	case SHUTDOWN_watchdog:
	default:	/* an unknown reason is treated as the worst case */
		return PV_STATE_CRASH;
	}
}

int pv_domain_query(xc_interface *xch, uint32_t domid, const uint8_t uuid[16],
		    enum pv_domain_state *state_r)
{
	xc_domaininfo_t info;
	int r;

	r = xc_domain_getinfolist(xch, domid, 1, &info);
	if (r < 0)
		return neg_errno();
	if (r == 0 || info.domain != domid ||
	    (uuid && memcmp(info.handle, uuid, sizeof(info.handle)) != 0)) {
		*state_r = PV_STATE_GONE;
		return 0;
	}
	*state_r = pv_domain_state_from_flags(info.flags);
	return 0;
}

const char *pv_domain_state_name(enum pv_domain_state state)
{
	switch (state) {
	case PV_STATE_RUNNING: return "running";
	case PV_STATE_POWEROFF: return "poweroff";
	case PV_STATE_REBOOT: return "reboot";
	case PV_STATE_SUSPEND: return "suspend";
	case PV_STATE_CRASH: return "crash";
	case PV_STATE_SOFT_RESET: return "soft_reset";
	case PV_STATE_GONE: return "gone";
	}
	return "unknown";
}
