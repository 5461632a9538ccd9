/*
 * -M xenpvh; see xenpvh.h.
 */
#include "xenpvh/xenpvh.h"

#include <time.h>

#include "hvm/container.h"

static int pvh_load(struct machine *m, const struct pv_image_spec *spec)
{
	const struct acpi_config acpi = { .vcpus = m->dom.vcpus };

	return hvm_domain_load_elf(m->xch, &m->dom, spec, &acpi);
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
