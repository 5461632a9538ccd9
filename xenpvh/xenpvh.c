/*
 * -M xenpvh; see xenpvh.h.
 */
#include "xenpvh/xenpvh.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "common/log.h"
#include "hvm/container.h"

/*
 * No sleep registers in the FADT: Linux then has no ACPI power-off and
 * turns a power-off into a halt, every vCPU halted with interrupts off,
 * which Xen takes for SHUTDOWN_poweroff. (Sleep registers nobody serves
 * would make the power-off return and the guest run on.) A reboot: with no
 * firmware, Linux's ACPI, keyboard-controller and BIOS resets do nothing;
 * reboot=t goes straight to the triple fault Xen takes for SHUTDOWN_reboot.
 */
static int pvh_load(struct machine *m, const struct pv_image_spec *spec)
{
	const struct acpi_config acpi = { .vcpus = m->dom.vcpus };
	struct pv_image_spec s = *spec;
	char *cmdline = hvm_cmdline_default(spec->cmdline, "reboot", "t");
	int rc;

	if (!cmdline) {
		log_warnx("domain %u: out of memory", m->dom.domid);
		return -ENOMEM;
	}
	s.cmdline = cmdline;
	rc = hvm_domain_load_elf(m->xch, &m->dom, &s, &acpi);
	free(cmdline);
	return rc;
}

static int pvh_build(struct machine *m, bool use_cache)
{
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = hvm_domain_create(m->xch, &m->dom, XEN_X86_EMU_LAPIC);
	if (rc)
		return rc;
	machine_domain_created(m);
	machine_phase_done(m, "domain create (PVH container)", &t0);
	return machine_load_image(m, use_cache, pvh_load);
}

const struct machine_ops xenpvh_machine_ops = {
	.name = "xenpvh",
	.build = pvh_build,
};
