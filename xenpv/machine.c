/*
 * The machine core; see machine.h.
 */
#include "xenpv/machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "common/log.h"
#include "xenpv/xs_layout.h"

#define RELEASE_TOKEN "release"

double machine_ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

void machine_phase_done(struct machine *m, const char *phase, const struct timespec *t0)
{
	struct timespec t1;

	now(&t1);
	log_info("domain %u: %s: %.1f ms", m->dom.domid, phase, machine_ms_between(t0, &t1));
}

int machine_init(struct machine *m, const struct machine_ops *ops,
		 const struct launch_config *cfg, struct watchdog *wd)
{
	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->cfg = cfg;
	m->wd = wd;
	kernel_cache_init(&m->kc);
	pv_domain_init(&m->dom, cfg->uuid, cfg->memory_mib, cfg->vcpus);
	pv_console_init(&m->console);
	if (ops->priv_size && !(m->priv = calloc(1, ops->priv_size)))
		return -ENOMEM;
	return 0;
}

int machine_open(struct machine *m)
{
	m->xch = xc_interface_open(NULL, NULL, 0);
	if (!m->xch) {
		log_warn("cannot open the hypervisor interface (is this a Xen dom0, as root?)");
		return -EACCES;
	}
	m->xsh = xs_open(0);
	if (!m->xsh) {
		log_warn("cannot connect to xenstored");
		return -ECONNREFUSED;
	}
	m->fmem = xenforeignmemory_open(NULL, 0);
	if (!m->fmem) {
		log_warn("xenforeignmemory_open");
		return -EACCES;
	}
	return 0;
}


static void kernel_parsed(void *opaque, const void *elf, size_t size)
{
	struct machine *m = opaque;

	kernel_cache_store(&m->kc, elf, size);
}

void machine_domain_created(struct machine *m)
{
	m->running = true;
	if (m->wd)
		watchdog_set_domain(m->wd, m->dom.domid, m->dom.uuid_str);
}

int machine_load_image(struct machine *m, bool use_cache, machine_image_loader *load)
{
	const struct launch_config *cfg = m->cfg;
	struct pv_kernel_mem mem;
	struct pv_image_spec spec = {
		.kernel_path = cfg->kernel,
		.initrd_path = cfg->initrd,
		.cmdline = cfg->append,
	};
	struct timespec t0;
	bool hit = false;
	int rc;

	now(&t0);
	if (use_cache)
		hit = kernel_cache_lookup(&m->kc, cfg->kernel);
	if (hit) {
		mem.data = m->kc.map;
		mem.size = m->kc.map_size;
		spec.kernel_mem = &mem;
	} else if (use_cache) {
		spec.parsed = kernel_parsed;
		spec.parsed_opaque = m;
	}
	rc = load(m, &spec);
	if (rc == 0) {
		struct timespec t1;

		now(&t1);
		log_info("domain %u: image load (%s): %.1f ms", m->dom.domid,
			 hit ? "kernel cache hit" : use_cache ? "kernel cache miss" : "no cache",
			 machine_ms_between(&t0, &t1));
	}
	if (rc == -ENOEXEC && hit) {
		log_warnx("kernel cache: entry %s did not parse; dropped", m->kc.key);
		kernel_cache_forget(&m->kc);
		rc = -EAGAIN;	/* the caller rebuilds without the cache */
	}
	kernel_cache_dispose(&m->kc);
	return rc;
}

static int write_xenstore(struct machine *m)
{
	struct xs_domain_desc desc = {
		.domid = m->dom.domid,
		.name = m->cfg->name,
		.uuid_str = m->dom.uuid_str,
		.memory_mib = m->dom.memory_mib,
		.vcpus = m->dom.vcpus,
		.store_port = m->dom.store_port,
		.store_mfn = m->dom.store_mfn,
		.console_port = m->dom.console_port,
		.console_mfn = m->dom.console_mfn,
		.console_tty = m->console_tty,
	};
	struct xs_layout l;
	int rc;

	xs_layout_init(&l);
	rc = xs_layout_build(&desc, &l);
	if (rc) {
		log_warnx("domain %u: xenstore layout: out of memory", m->dom.domid);
		goto out;
	}
	rc = xs_layout_write(m->xsh, m->dom.domid, &l);
	if (rc)
		goto out;
	rc = xs_domain_introduce(m->xsh, m->dom.domid, m->dom.store_mfn, m->dom.store_port);
out:
	xs_layout_dispose(&l);
	return rc;
}

static int start_once(struct machine *m, bool use_cache)
{
	struct timespec t0;
	int rc;

	rc = m->ops->build(m, use_cache);
	if (rc)
		goto out;

	now(&t0);
	rc = pv_console_connect(&m->console, m->fmem, m->dom.domid, m->dom.console_mfn,
				m->dom.console_port);
	if (rc)
		goto out;
	rc = write_xenstore(m);
	if (rc)
		goto out;
	machine_phase_done(m, "xenstore and console", &t0);
	if (m->devices_start) {
		now(&t0);
		rc = m->devices_start(m->devices_opaque, m->dom.domid);
		if (rc)
			goto out;
		machine_phase_done(m, "devices", &t0);
	}
	if (m->ops->devices_start) {
		now(&t0);
		rc = m->ops->devices_start(m);
		if (rc)
			goto out;
		machine_phase_done(m, "machine devices", &t0);
	}

	if (m->cfg->start_paused) {
		m->paused = true;
		log_info("domain %u: created paused (-S); \"cont\" on the monitor starts it",
			 m->dom.domid);
	} else {
		now(&t0);
		rc = machine_unpause(m);
		if (rc)
			goto out;
		machine_phase_done(m, "unpause", &t0);
	}
	rc = 0;
out:
	if (rc)
		machine_stop(m);
	return rc;
}

int machine_start(struct machine *m)
{
	struct timespec t1;
	int rc;

	now(&m->t_start);
	m->first_byte_seen = false;
	m->paused = false;
	rc = start_once(m, true);
	if (rc == -EAGAIN)
		rc = start_once(m, false);
	if (rc == 0) {
		now(&t1);
		log_info("domain %u: %s \"%s\" started in %.1f ms", m->dom.domid, m->ops->name, m->cfg->name,
			 machine_ms_between(&m->t_start, &t1));
	}
	return rc;
}

void machine_stop(struct machine *m)
{
	uint32_t domid = m->dom.domid;

	enum pv_domain_state st;

	if (m->ops->devices_stop)
		m->ops->devices_stop(m);
	if (m->devices_stop)
		m->devices_stop(m->devices_opaque);
	pv_console_disconnect(&m->console);
	if (!m->running)
		return;
	/* Destroy by domid only while it still carries our uuid: a domain
	 * someone else destroyed may have left its domid to a new one. */
	if (pv_domain_query(m->xch, domid, m->dom.uuid, &st) < 0 || st != PV_STATE_GONE)
		pv_domain_destroy(m->xch, domid);
	xs_remove_domain_dirs(m->xsh, domid, m->dom.uuid_str);
	if (m->wd)
		watchdog_clear_domain(m->wd);
	m->running = false;
	m->paused = false;
	log_info("domain %u: destroyed, xenstore directories removed", domid);
	m->dom.domid = PV_DOMID_NONE;
}

int machine_reboot(struct machine *m)
{
	machine_stop(m);
	return machine_start(m);
}

void machine_close(struct machine *m)
{
	if (m->ops)
		machine_stop(m);
	free(m->priv);
	m->priv = NULL;
	kernel_cache_dispose(&m->kc);
	if (m->fmem)
		xenforeignmemory_close(m->fmem);
	m->fmem = NULL;
	if (m->xsh)
		xs_close(m->xsh);
	m->xsh = NULL;
	if (m->xch)
		xc_interface_close(m->xch);
	m->xch = NULL;
}

int machine_xs_fd(const struct machine *m)
{
	return m->xsh ? xs_fileno(m->xsh) : -1;
}

int machine_watch(struct machine *m)
{
	if (!xs_watch(m->xsh, "@releaseDomain", RELEASE_TOKEN)) {
		log_warn("xenstore: watch @releaseDomain");
		return -EIO;
	}
	return 0;
}

bool machine_watch_fired(struct machine *m)
{
	bool fired = false;
	char **w;

	/* Bounded: a flood of events is handled over several rounds. */
	for (int i = 0; i < 64 && (w = xs_check_watch(m->xsh)); i++) {
		if (!strcmp(w[XS_WATCH_TOKEN], RELEASE_TOKEN))
			fired = true;
		free(w);
	}
	return fired;
}

enum pv_domain_state machine_state(struct machine *m)
{
	enum pv_domain_state st;

	if (!m->running)
		return PV_STATE_GONE;
	if (pv_domain_query(m->xch, m->dom.domid, m->dom.uuid, &st) < 0) {
		log_warn("domain %u: getinfo", m->dom.domid);
		return PV_STATE_RUNNING;	/* try again at the next event */
	}
	return st;
}

int machine_pause(struct machine *m)
{
	if (!m->running)
		return -ESRCH;
	if (xc_domain_pause(m->xch, m->dom.domid) < 0) {
		log_warn("domain %u: pause", m->dom.domid);
		return -errno;
	}
	m->paused = true;
	return 0;
}

int machine_unpause(struct machine *m)
{
	if (!m->running)
		return -ESRCH;
	if (xc_domain_unpause(m->xch, m->dom.domid) < 0) {
		log_warn("domain %u: unpause", m->dom.domid);
		return -errno;
	}
	if (!m->first_byte_seen)
		now(&m->t_unpause);
	m->paused = false;
	return 0;
}

int machine_request_shutdown(struct machine *m, const char *how)
{
	char path[64];

	if (!m->running)
		return -ESRCH;
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", m->dom.domid);
	if (!xs_write(m->xsh, XBT_NULL, path, how, strlen(how))) {
		log_warn("domain %u: write %s", m->dom.domid, path);
		return -EIO;
	}
	return 0;
}

void machine_first_byte(struct machine *m)
{
	struct timespec t;

	if (m->first_byte_seen)
		return;
	m->first_byte_seen = true;
	now(&t);
	log_info("domain %u: first console byte: %.1f ms after unpause, %.1f ms after start",
		 m->dom.domid, machine_ms_between(&m->t_unpause, &t), machine_ms_between(&m->t_start, &t));
}
