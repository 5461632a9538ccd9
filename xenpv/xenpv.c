/*
 * -M xenpv; see xenpv.h.
 */
#include "xenpv/xenpv.h"

#include <time.h>

#include "xenpv/domain_build.h"

static int pv_load(struct machine *m, const struct pv_image_spec *spec)
{
	return pv_domain_load_image(m->xch, &m->dom, spec);
}

static int pv_build(struct machine *m, bool use_cache)
{
	struct timespec t0;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pv_domain_create(m->xch, &m->dom);
	if (rc)
		return rc;
	machine_domain_created(m);
	machine_phase_done(m, "domain create", &t0);
	return machine_load_image(m, use_cache, pv_load);
}

const struct machine_ops xenpv_machine_ops = {
	.name = "xenpv",
	.build = pv_build,
};
