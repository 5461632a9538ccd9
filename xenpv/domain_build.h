/*
 * Building a PV domain with libxenctrl/libxenguest (Xen 4.17), in the order
 * libxl uses: create the domain and its resources (domain_create), then load
 * and boot the kernel image into it (domain_load_image). The domain is left
 * paused; the caller writes xenstore, introduces it and unpauses it.
 *
 * Every function cleans up what it set when it fails, except the domain
 * itself: a caller that got a domid from pv_domain_create owns it and must
 * call pv_domain_destroy on any later failure.
 */
#ifndef XENPV_DOMAIN_BUILD_H
#define XENPV_DOMAIN_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xenctrl.h>

#define PV_DOMID_NONE UINT32_MAX

/* What the rest of the launcher needs to know about a built domain. */
struct pv_domain {
	uint32_t domid;			/* PV_DOMID_NONE until created */
	uint8_t uuid[16];
	char uuid_str[37];
	uint64_t memory_mib;
	unsigned vcpus;
	uint32_t store_port;		/* guest's unbound ports, remote dom0 */
	uint32_t console_port;
	unsigned long store_mfn;	/* known after pv_domain_load_image */
	unsigned long console_mfn;
};

/* A kernel handed to libxenguest from memory (the kernel cache) instead of
 * a file; `data` stays owned by the caller and must outlive the load. */
struct pv_kernel_mem {
	const void *data;
	size_t size;
};

/*
 * Called after xc_dom_parse_image succeeded, with the kernel exactly as
 * libxenguest will load it (decompressed ELF); used to fill the kernel
 * cache. Must not keep the pointer.
 */
typedef void pv_parsed_kernel_fn(void *opaque, const void *elf, size_t size);

struct pv_image_spec {
	const char *kernel_path;	/* used when kernel_mem is NULL */
	const struct pv_kernel_mem *kernel_mem;
	const char *initrd_path;	/* NULL: none */
	const char *cmdline;		/* NULL: empty */
	pv_parsed_kernel_fn *parsed;	/* NULL: not interested */
	void *parsed_opaque;
};

void pv_domain_init(struct pv_domain *d, const uint8_t uuid[16], uint64_t memory_mib,
		    unsigned vcpus);

/* Formats a uuid the way xenstore and xl print it (36 chars + NUL). */
void pv_uuid_format(const uint8_t uuid[16], char out[37]);

/*
 * xc_domain_create (PV flags, max_vcpus, max_evtchn_port 1023, 32 grant
 * frames, 1024 maptrack frames, no emulation), xc_domain_max_vcpus,
 * xc_domain_setmaxmem, memmap limit, and the unbound xenstore and console
 * event channels. Sets d->domid; on failure the domain is already gone.
 * Returns 0 or a negative errno.
 */
int pv_domain_create(xc_interface *xch, struct pv_domain *d);

/*
 * The xc_dom_* sequence: allocate, kernel (file or memory), initrd as
 * module 0, boot_xen_init, parse_image, mem_init, boot_mem_init,
 * build_image, boot_image, gnttab_init. Fills store_mfn and console_mfn.
 * On failure returns a negative errno (the domain is not destroyed here)
 * and, when the failure was the kernel's format, -ENOEXEC.
 */
int pv_domain_load_image(xc_interface *xch, struct pv_domain *d,
			 const struct pv_image_spec *spec);

/* Pauses then destroys the domain; ENOENT/ESRCH (already gone) is success.
 * Returns 0 or a negative errno. */
int pv_domain_destroy(xc_interface *xch, uint32_t domid);

/* Why a domain stopped, from xc_domain_getinfolist. */
enum pv_domain_state {
	PV_STATE_RUNNING,	/* running, blocked or paused */
	PV_STATE_POWEROFF,
	PV_STATE_REBOOT,
	PV_STATE_SUSPEND,
	PV_STATE_CRASH,		/* crash, or the hypervisor's watchdog */
	PV_STATE_SOFT_RESET,
	PV_STATE_GONE,		/* no such domain (or dying) */
};

/* Maps getdomaininfo flags to a state; pure, for the unit tests. */
enum pv_domain_state pv_domain_state_from_flags(uint32_t flags);

/* Queries Xen; *state_r is PV_STATE_GONE when the domid now names
 * another domain (its handle differs from uuid). Returns 0 or -errno. */
int pv_domain_query(xc_interface *xch, uint32_t domid, const uint8_t uuid[16],
		    enum pv_domain_state *state_r);

const char *pv_domain_state_name(enum pv_domain_state state);

#endif
