/*
 * Host capabilities and domain capabilities XML, in libvirt's format
 * (capability.rng, domaincaps.rng), built from one small struct that is
 * filled either from the running Xen host (libxc: xc_physinfo and
 * xc_version(XENVER_capabilities)) or, in tests, from a fixture.
 */
#ifndef TOOLS_CAPABILITIES_H
#define TOOLS_CAPABILITIES_H

#include <stdbool.h>
#include <stddef.h>

/* Where Debian's Xen 4.17 keeps hvmloader. */
#define CAPS_HVMLOADER "/usr/lib/xen-4.17/boot/hvmloader"
#define CAPS_GUESTS_MAX 8

struct caps_guest {
	const char *os_type;  /* xen | hvm | xenpvh */
	const char *arch;     /* x86_64 | i686 */
	unsigned wordsize;
	const char *machine;  /* xenpv | xenfv | xenpvh */
	int pae, nonpae;      /* hvm i686 guests */
};

struct host_caps {
	char *host_arch;      /* uname machine, e.g. x86_64 */
	int vmx, svm, pae;    /* host CPU features */
	int hap;              /* hardware-assisted paging available */
	char *emulator;       /* absolute path of xenlaunch */
	unsigned max_vcpus;   /* per guest */
	/* What libvirt's node info and version report (0 when not probed). */
	unsigned nr_cpus, nr_nodes, cores_per_socket, threads_per_core, cpu_mhz;
	unsigned long long total_kib;
	unsigned xen_major, xen_minor;
	struct caps_guest guests[CAPS_GUESTS_MAX];
	size_t n_guests;
};

void host_caps_init(struct host_caps *caps);
void host_caps_dispose(struct host_caps *caps);

/*
 * Fills the guest list from Xen's capability string, such as
 * "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64", as
 * libvirt's libxl driver reads it, and caps->hap (xenpvh is listed only with
 * hvm-3.0-x86_64 and HAP). Unknown words are ignored. Returns 0, or
 * -EINVAL when the string names no guest type at all.
 */
int host_caps_from_xen_string(struct host_caps *caps, const char *xen_caps);

/*
 * Probes the running hypervisor through libxenctrl, loaded at run time so
 * that xvirsh works (for everything else) on machines without Xen.
 * host_arch and emulator must be set by the caller. Returns 0, or a negative
 * errno with a message in *err_r ("cannot open libxenctrl: ..." when this
 * is not a Xen host).
 */
int host_caps_probe_xen(struct host_caps *caps, char **err_r);

/*
 * Keeps the guests whose machine the launcher starts: those its "-M help"
 * text (m_help, QEMU's "NAME  DESCRIPTION" lines) lists without "not
 * supported". What Xen could run but xenlaunch cannot is not offered.
 */
void host_caps_restrict(struct host_caps *caps, const char *m_help);
bool host_caps_launcher_starts(const char *m_help, const char *machine);

/* <capabilities> XML; NULL when out of memory. */
char *host_caps_format(const struct host_caps *caps);

/*
 * <domainCapabilities> for one machine (xenpv, xenfv, xenpvh) of the host,
 * for arch, or when arch is NULL the host's arch if the machine has it.
 * Returns 0 with *xml_r, or -EINVAL with *err_r for a machine or arch the
 * host has no guest for.
 */
int host_domcaps_format(const struct host_caps *caps, const char *machine, const char *arch, char **xml_r,
			char **err_r);

#endif
