/* tools/capabilities: libvirt capabilities and domain capabilities XML. */
#include "tools/capabilities.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

#include "common/strv.h"
#include "model/xml_util.h"

void host_caps_init(struct host_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->max_vcpus = 128;
}

void host_caps_dispose(struct host_caps *caps)
{
	free(caps->host_arch);
	free(caps->emulator);
	memset(caps, 0, sizeof(*caps));
}

static void add_guest(struct host_caps *caps, const char *os_type, const char *arch, unsigned wordsize,
		      const char *machine, int pae, int nonpae)
{
	struct caps_guest *g;

	for (size_t i = 0; i < caps->n_guests; i++) {
		g = &caps->guests[i];
		if (!strcmp(g->os_type, os_type) && !strcmp(g->arch, arch)) {
			/* hvm-3.0-x86_32 and _32p are one i686 guest with two flags. */
			g->pae |= pae;
			g->nonpae |= nonpae;
			return;
		}
	}
	if (caps->n_guests == CAPS_GUESTS_MAX)
		return;
	g = &caps->guests[caps->n_guests++];
	g->os_type = os_type;
	g->arch = arch;
	g->wordsize = wordsize;
	g->machine = machine;
	g->pae = pae;
	g->nonpae = nonpae;
}

int host_caps_from_xen_string(struct host_caps *caps, const char *xen_caps)
{
	char *copy = strdup(xen_caps ? xen_caps : ""), *save = NULL;
	int hvm64 = 0;

	if (!copy)
		return -ENOMEM;
	caps->n_guests = 0;
	for (char *w = strtok_r(copy, " \n", &save); w; w = strtok_r(NULL, " \n", &save)) {
		if (!strcmp(w, "xen-3.0-x86_64"))
			add_guest(caps, "xen", "x86_64", 64, "xenpv", 0, 0);
		else if (!strcmp(w, "xen-3.0-x86_32p"))
			add_guest(caps, "xen", "i686", 32, "xenpv", 1, 0);
		else if (!strcmp(w, "hvm-3.0-x86_32"))
			add_guest(caps, "hvm", "i686", 32, "xenfv", 0, 1);
		else if (!strcmp(w, "hvm-3.0-x86_32p"))
			add_guest(caps, "hvm", "i686", 32, "xenfv", 1, 0);
		else if (!strcmp(w, "hvm-3.0-x86_64")) {
			add_guest(caps, "hvm", "x86_64", 64, "xenfv", 0, 0);
			hvm64 = 1;
		}
	}
	free(copy);
	/* PVH needs HVM support, and hardware paging: xenlaunch builds it with HAP. */
	if (hvm64 && caps->hap)
		add_guest(caps, "xenpvh", "x86_64", 64, "xenpvh", 0, 0);
	return caps->n_guests ? 0 : -EINVAL;
}

int host_caps_probe_xen(struct host_caps *caps, char **err_r)
{
	void *lib = NULL;
	xc_interface *xch = NULL;
	__typeof__(&xc_interface_open) x_open;
	__typeof__(&xc_interface_close) x_close;
	__typeof__(&xc_physinfo) x_physinfo;
	__typeof__(&xc_version) x_version;
	xc_physinfo_t info;
	xen_capabilities_info_t xen_caps;
	int rc;

	*err_r = NULL;
	lib = dlopen("libxenctrl.so.4.17", RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		lib = dlopen("libxenctrl.so", RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		*err_r = str_printf("cannot open libxenctrl: %s", dlerror());
		return -ENOENT;
	}
	x_open = (__typeof__(x_open))dlsym(lib, "xc_interface_open");
	x_close = (__typeof__(x_close))dlsym(lib, "xc_interface_close");
	x_physinfo = (__typeof__(x_physinfo))dlsym(lib, "xc_physinfo");
	x_version = (__typeof__(x_version))dlsym(lib, "xc_version");
	if (!x_open || !x_close || !x_physinfo || !x_version) {
		*err_r = str_printf("libxenctrl lacks xc_interface_open, xc_physinfo or xc_version");
		rc = -ENOSYS;
		goto out;
	}
	xch = x_open(NULL, NULL, 0);
	if (!xch) {
		*err_r = str_printf("cannot open the Xen control interface: %s (is this a Xen dom0?)",
				      strerror(errno));
		rc = -ENODEV;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	if (x_physinfo(xch, &info) != 0) {
		*err_r = str_printf("xc_physinfo failed: %s", strerror(errno));
		rc = -EIO;
		goto out;
	}
	memset(xen_caps, 0, sizeof(xen_caps));
	if (x_version(xch, XENVER_capabilities, &xen_caps) != 0) {
		*err_r = str_printf("xc_version(XENVER_capabilities) failed: %s", strerror(errno));
		rc = -EIO;
		goto out;
	}
	xen_caps[sizeof(xen_caps) - 1] = '\0';
	/* Featureset words: 0 = CPUID.1:EDX, 1 = CPUID.1:ECX, 3 = CPUID.80000001:ECX. */
	caps->pae = !!(info.hw_cap[0] & (1u << 6));
	caps->vmx = !!(info.hw_cap[1] & (1u << 5));
	caps->svm = !!(info.hw_cap[3] & (1u << 2));
	caps->hap = !!(info.capabilities & XEN_SYSCTL_PHYSCAP_hap);
	caps->nr_cpus = info.nr_cpus;
	caps->nr_nodes = info.nr_nodes;
	caps->cores_per_socket = info.cores_per_socket;
	caps->threads_per_core = info.threads_per_core;
	caps->cpu_mhz = info.cpu_khz / 1000;
	caps->total_kib = (unsigned long long)info.total_pages * 4;
	rc = x_version(xch, XENVER_version, NULL);
	if (rc > 0) {
		caps->xen_major = (unsigned)rc >> 16;
		caps->xen_minor = (unsigned)rc & 0xffff;
	}
	if (info.max_cpu_id + 1 < caps->max_vcpus)
		caps->max_vcpus = info.max_cpu_id + 1;
	rc = host_caps_from_xen_string(caps, xen_caps);
	if (rc)
		*err_r = str_printf("Xen reports no guest types: '%s'", xen_caps);
	/* Debian's Xen has no shadow paging: without HAP, only PV guests run. */
	if (!rc && !caps->hap && !(info.capabilities & XEN_SYSCTL_PHYSCAP_shadow)) {
		size_t k = 0;

		for (size_t i = 0; i < caps->n_guests; i++)
			if (!strcmp(caps->guests[i].os_type, "xen"))
				caps->guests[k++] = caps->guests[i];
		caps->n_guests = k;
	}
out:
	if (xch)
		x_close(xch);
	dlclose(lib);
	return rc;
}

/* Whether the launcher's "-M help" text lists `machine` without saying it is not supported. */
bool host_caps_launcher_starts(const char *m_help, const char *machine)
{
	size_t n = strlen(machine);

	for (const char *line = m_help; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t len = strcspn(line, "\n");
		char buf[256];

		if (strncmp(line, machine, n) || (line[n] != ' ' && line[n] != '\t' && line[n] != '\n' && line[n]))
			continue;
		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		return !strstr(buf, "not supported");
	}
	return false;
}

void host_caps_restrict(struct host_caps *caps, const char *m_help)
{
	size_t k = 0;

	for (size_t i = 0; i < caps->n_guests; i++)
		if (host_caps_launcher_starts(m_help, caps->guests[i].machine))
			caps->guests[k++] = caps->guests[i];
	caps->n_guests = k;
}

char *host_caps_format(const struct host_caps *caps)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "<capabilities>\n\n  <host>\n    <cpu>\n      <arch>");
	xml_util_escape(f, caps->host_arch);
	fprintf(f, "</arch>\n");
	if (caps->vmx || caps->svm || caps->pae) {
		fprintf(f, "      <features>\n");
		if (caps->pae)
			fprintf(f, "        <pae/>\n");
		if (caps->vmx)
			fprintf(f, "        <vmx/>\n");
		if (caps->svm)
			fprintf(f, "        <svm/>\n");
		fprintf(f, "      </features>\n");
	}
	fprintf(f, "    </cpu>\n    <power_management/>\n    <iommu support='no'/>\n"
		   "    <migration_features>\n      <live/>\n    </migration_features>\n  </host>\n\n");
	for (size_t i = 0; i < caps->n_guests; i++) {
		const struct caps_guest *g = &caps->guests[i];
		int hvm = !strcmp(g->os_type, "hvm"), pvh = 0;

		/*
		 * capability.rng (libvirt 9.0) knows no "xenpvh" os_type: PVH is
		 * listed as a second machine of the PV guest of its arch.
		 */
		if (!strcmp(g->os_type, "xenpvh"))
			continue;
		for (size_t j = 0; j < caps->n_guests; j++)
			if (!strcmp(g->os_type, "xen") && !strcmp(caps->guests[j].os_type, "xenpvh") &&
			    !strcmp(caps->guests[j].arch, g->arch))
				pvh = 1;

		fprintf(f, "  <guest>\n    <os_type>%s</os_type>\n    <arch name='%s'>\n      <wordsize>%u</wordsize>\n",
			g->os_type, g->arch, g->wordsize);
		fprintf(f, "      <emulator>");
		xml_util_escape(f, caps->emulator);
		fprintf(f, "</emulator>\n");
		if (hvm)
			fprintf(f, "      <loader>%s</loader>\n", CAPS_HVMLOADER);
		fprintf(f, "      <machine>%s</machine>\n", g->machine);
		if (pvh)
			fprintf(f, "      <machine>xenpvh</machine>\n");
		fprintf(f, "      <domain type='xen'/>\n    </arch>\n");
		if (hvm || g->pae || g->nonpae) {
			fprintf(f, "    <features>\n");
			if (g->pae)
				fprintf(f, "      <pae/>\n");
			if (g->nonpae)
				fprintf(f, "      <nonpae/>\n");
			if (hvm) {
				fprintf(f, "      <acpi default='on' toggle='yes'/>\n"
					   "      <apic default='on' toggle='no'/>\n");
				fprintf(f, "      <hap default='%s' toggle='yes'/>\n", caps->hap ? "on" : "off");
			}
			fprintf(f, "    </features>\n");
		}
		fprintf(f, "  </guest>\n\n");
	}
	fprintf(f, "</capabilities>\n");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int host_domcaps_format(const struct host_caps *caps, const char *machine, const char *arch, char **xml_r,
			char **err_r)
{
	const struct caps_guest *g = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int fv;

	*xml_r = NULL;
	*err_r = NULL;
	/* Without an arch, the host's, as libvirt picks: xenfv exists for i686 and x86_64. */
	for (size_t i = 0; i < caps->n_guests; i++)
		if (!strcmp(caps->guests[i].machine, machine) &&
		    (arch ? !strcmp(caps->guests[i].arch, arch) :
			    !g || (caps->host_arch && !strcmp(caps->guests[i].arch, caps->host_arch))))
			g = &caps->guests[i];
	if (!g) {
		*err_r = str_printf("the host has no guest for machine '%s'%s%s", machine, arch ? " and arch " : "",
				      arch ? arch : "");
		return -EINVAL;
	}
	fv = !strcmp(machine, "xenfv");
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "<domainCapabilities>\n  <path>");
	xml_util_escape(f, caps->emulator);
	fprintf(f, "</path>\n  <domain>xen</domain>\n  <machine>%s</machine>\n  <arch>%s</arch>\n"
		   "  <vcpu max='%u'/>\n  <iothreads supported='no'/>\n",
		g->machine, g->arch, caps->max_vcpus);
	if (fv)
		fprintf(f, "  <os supported='yes'>\n    <loader supported='yes'>\n      <value>%s</value>\n"
			   "      <enum name='type'>\n        <value>rom</value>\n      </enum>\n"
			   "      <enum name='readonly'>\n        <value>yes</value>\n      </enum>\n"
			   "    </loader>\n  </os>\n",
			CAPS_HVMLOADER);
	else
		fprintf(f, "  <os supported='yes'>\n    <loader supported='no'/>\n  </os>\n");
	fprintf(f, "  <cpu>\n    <mode name='host-passthrough' supported='no'/>\n"
		   "    <mode name='maximum' supported='no'/>\n    <mode name='host-model' supported='no'/>\n"
		   "    <mode name='custom' supported='no'/>\n  </cpu>\n");
	/* What the domain model translates into the launcher's command line. */
	fprintf(f, "  <devices>\n    <disk supported='yes'>\n      <enum name='diskDevice'>\n"
		   "        <value>disk</value>\n        <value>cdrom</value>\n      </enum>\n"
		   "      <enum name='bus'>\n%s        <value>xen</value>\n      </enum>\n"
		   "      <enum name='model'/>\n    </disk>\n",
		fv ? "        <value>ide</value>\n" : "");
	fprintf(f, "    <graphics supported='yes'>\n      <enum name='type'>\n        <value>sdl</value>\n"
		   "        <value>vnc</value>\n      </enum>\n    </graphics>\n");
	fprintf(f, "    <video supported='yes'>\n      <enum name='modelType'>\n%s"
		   "      </enum>\n    </video>\n",
		fv ? "        <value>vga</value>\n        <value>cirrus</value>\n" : "        <value>xen</value>\n");
	fprintf(f, "    <hostdev supported='no'/>\n  </devices>\n");
	fprintf(f, "  <features>\n    <gic supported='no'/>\n    <vmcoreinfo supported='no'/>\n"
		   "    <genid supported='no'/>\n    <sev supported='no'/>\n    <sgx supported='no'/>\n"
		   "  </features>\n</domainCapabilities>\n");
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	*xml_r = buf;
	return 0;
}
