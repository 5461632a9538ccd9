/*
 * xenstore layout of a PV domain; see xs_layout.h.
 */
#include "xenpv/xs_layout.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

#include "common/log.h"

#define XS_TRANSACTION_TRIES 20

void xs_layout_init(struct xs_layout *l)
{
	l->entries = NULL;
	l->n = l->cap = 0;
}

void xs_layout_dispose(struct xs_layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->entries[i].path);
		free(l->entries[i].value);
	}
	free(l->entries);
	xs_layout_init(l);
}

static int add(struct xs_layout *l, enum xs_perm_class perm, const char *value,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int add(struct xs_layout *l, enum xs_perm_class perm, const char *value,
	       const char *fmt, ...)
{
	struct xs_entry e = { NULL, NULL, perm };
	va_list ap;
	int r;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct xs_entry *v = realloc(l->entries, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->entries = v;
		l->cap = cap;
	}
	va_start(ap, fmt);
	r = vasprintf(&e.path, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	e.value = strdup(value ? value : "");
	if (!e.value) {
		free(e.path);
		return -ENOMEM;
	}
	l->entries[l->n++] = e;
	return 0;
}

int xs_layout_build(const struct xs_domain_desc *d, struct xs_layout *l)
{
	char dom[64], vm[64], be[96], num[32];
	static const char *const rw_nodes[] = {
		"control/shutdown", "control/feature-poweroff", "control/feature-reboot",
		"control/feature-suspend", "control/sysrq", "device/suspend/event-channel",
		"data", "drivers", "feature", "attr", "error",
	};
	int rc = 0;

#define ADD(perm, value, ...)                                  \
	do {                                                   \
		if ((rc = add(l, (perm), (value), __VA_ARGS__))) \
			goto out;                              \
	} while (0)
#define NUM(fmt, v) (snprintf(num, sizeof(num), fmt, v), num)

	snprintf(dom, sizeof(dom), "/local/domain/%u", d->domid);
	snprintf(vm, sizeof(vm), "/vm/%s", d->uuid_str);
	snprintf(be, sizeof(be), "/local/domain/0/backend/console/%u/0", d->domid);

	ADD(XS_CLASS_RO, "", "%s", dom);
	ADD(XS_CLASS_RO, "", "%s", vm);
	ADD(XS_CLASS_RO, d->uuid_str, "%s/uuid", vm);
	ADD(XS_CLASS_RO, d->name, "%s/name", vm);
	ADD(XS_CLASS_RO, NUM("%lld", (long long)time(NULL)), "%s/start_time", vm);
	ADD(XS_CLASS_RO, vm, "%s/vm", dom);
	ADD(XS_CLASS_RO, d->name, "%s/name", dom);
	ADD(XS_CLASS_RO, NUM("%u", d->domid), "%s/domid", dom);
	ADD(XS_CLASS_RO, "", "%s/cpu", dom);
	ADD(XS_CLASS_RO, "", "%s/memory", dom);
	ADD(XS_CLASS_RO, "", "%s/device", dom);
	ADD(XS_CLASS_RO, "", "%s/control", dom);
	for (size_t i = 0; i < sizeof(rw_nodes) / sizeof(rw_nodes[0]); i++)
		ADD(XS_CLASS_RW, "", "%s/%s", dom, rw_nodes[i]);
	ADD(XS_CLASS_RO, "1", "%s/control/platform-feature-multiprocessor-suspend", dom);
	ADD(XS_CLASS_RO, "1", "%s/control/platform-feature-xs_reset_watches", dom);

	ADD(XS_CLASS_RO, NUM("%llu", (unsigned long long)d->memory_mib * 1024),
	    "%s/memory/static-max", dom);
	ADD(XS_CLASS_RO, NUM("%llu", (unsigned long long)d->memory_mib * 1024),
	    "%s/memory/target", dom);
	for (unsigned i = 0; i < d->vcpus; i++)
		ADD(XS_CLASS_RO, "online", "%s/cpu/%u/availability", dom, i);

	ADD(XS_CLASS_RO, "", "%s/store", dom);
	ADD(XS_CLASS_RO, NUM("%u", d->store_port), "%s/store/port", dom);
	ADD(XS_CLASS_RO, NUM("%lu", d->store_mfn), "%s/store/ring-ref", dom);

	/* Console 0: ours ("ioemu"), so xenconsoled leaves it alone. */
	ADD(XS_CLASS_RO, "", "%s/console", dom);
	ADD(XS_CLASS_RO, be, "%s/console/backend", dom);
	ADD(XS_CLASS_RO, "0", "%s/console/backend-id", dom);
	ADD(XS_CLASS_RO, "1048576", "%s/console/limit", dom);
	ADD(XS_CLASS_RO, "ioemu", "%s/console/type", dom);
	ADD(XS_CLASS_RO, "pty", "%s/console/output", dom);
	ADD(XS_CLASS_RO, d->console_tty ? d->console_tty : "", "%s/console/tty", dom);
	ADD(XS_CLASS_RO, NUM("%u", d->console_port), "%s/console/port", dom);
	ADD(XS_CLASS_RO, NUM("%lu", d->console_mfn), "%s/console/ring-ref", dom);

	ADD(XS_CLASS_BACKEND, "", "%s", be);
	ADD(XS_CLASS_BACKEND, dom, "%s/frontend", be);
	ADD(XS_CLASS_BACKEND, NUM("%u", d->domid), "%s/frontend-id", be);
	ADD(XS_CLASS_BACKEND, "1", "%s/online", be);
	ADD(XS_CLASS_BACKEND, "1", "%s/state", be);
	ADD(XS_CLASS_BACKEND, "vt100", "%s/protocol", be);
#undef ADD
#undef NUM
out:
	return rc;
}

const struct xs_entry *xs_layout_find(const struct xs_layout *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->entries[i].path, path))
			return &l->entries[i];
	return NULL;
}

static void perms_for(enum xs_perm_class c, uint32_t domid, struct xs_permissions p[2],
		      unsigned *n_r)
{
	switch (c) {
	case XS_CLASS_RW:
		p[0].id = domid;
		p[0].perms = XS_PERM_NONE;
		*n_r = 1;
		break;
	case XS_CLASS_RO:
	case XS_CLASS_BACKEND:
	default:
		p[0].id = 0;
		p[0].perms = XS_PERM_NONE;
		p[1].id = domid;
		p[1].perms = XS_PERM_READ;
		*n_r = 2;
		break;
	}
}

/*
 * xenstored gives a new node its parent's permissions, so only nodes whose
 * class differs from their parent's (or whose parent is not ours) need a
 * request of their own: half the round trips, which count under emulation.
 */
static bool needs_own_perms(const struct xs_layout *l, size_t i)
{
	const struct xs_entry *e = &l->entries[i];
	const char *slash = strrchr(e->path, '/');
	size_t plen = slash ? (size_t)(slash - e->path) : 0;

	for (size_t j = 0; j < i; j++) {
		const struct xs_entry *p = &l->entries[j];

		if (strlen(p->path) == plen && !strncmp(p->path, e->path, plen))
			return p->perm != e->perm;
	}
	return true;
}

int xs_layout_write(struct xs_handle *xsh, uint32_t domid, const struct xs_layout *l)
{
	char dom[64];
	xs_transaction_t t = XBT_NULL;
	const char *vm = NULL;
	int rc;

	snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->entries[i].path, "/vm/", 4)) {
			vm = l->entries[i].path;
			break;
		}

	for (int tries = 0; tries < XS_TRANSACTION_TRIES; tries++) {
		t = xs_transaction_start(xsh);
		if (t == XBT_NULL) {
			rc = -errno;
			log_warn("domain %u: xenstore: transaction start", domid);
			goto out;
		}
		xs_rm(xsh, t, dom);
		if (vm)
			xs_rm(xsh, t, vm);
		for (size_t i = 0; i < l->n; i++) {
			const struct xs_entry *e = &l->entries[i];
			struct xs_permissions p[2];
			unsigned np;

			perms_for(e->perm, domid, p, &np);
			if (!xs_write(xsh, t, e->path, e->value, strlen(e->value)) ||
			    (needs_own_perms(l, i) &&
			     !xs_set_permissions(xsh, t, e->path, p, np))) {
				rc = -errno;
				log_warn("domain %u: xenstore: write %s", domid, e->path);
				xs_transaction_end(xsh, t, true);
				t = XBT_NULL;
				goto out;
			}
		}
		if (xs_transaction_end(xsh, t, false)) {
			t = XBT_NULL;
			rc = 0;
			goto out;
		}
		t = XBT_NULL;
		if (errno != EAGAIN) {
			rc = -errno;
			log_warn("domain %u: xenstore: transaction commit", domid);
			goto out;
		}
	}
	rc = -EAGAIN;
	log_warnx("domain %u: xenstore: transaction kept conflicting, gave up", domid);
out:
	return rc;
}

int xs_domain_introduce(struct xs_handle *xsh, uint32_t domid, unsigned long store_mfn,
			uint32_t store_port)
{
	if (!xs_introduce_domain(xsh, domid, store_mfn, store_port)) {
		int rc = errno ? -errno : -EIO;

		log_warn("domain %u: xs_introduce_domain", domid);
		return rc;
	}
	return 0;
}

static bool rm_path(struct xs_handle *xsh, const char *path)
{
	if (xs_rm(xsh, XBT_NULL, path) || errno == ENOENT)
		return true;
	log_warn("xenstore: remove %s", path);
	return false;
}

int xs_remove_domain_dirs(struct xs_handle *xsh, uint32_t domid, const char *uuid_str)
{
	char path[128];
	char *vm = NULL;
	char **types = NULL;
	unsigned ntypes = 0;
	bool ok = true;

	if (domid == 0)
		return -EINVAL;	/* never dom0's own directory */

	if (uuid_str) {
		snprintf(path, sizeof(path), "/vm/%s", uuid_str);
		vm = strdup(path);
	} else {
		snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
		vm = xs_read(xsh, XBT_NULL, path, NULL);
		/* Only ever remove something under /vm/. */
		if (vm && (strncmp(vm, "/vm/", 4) || strlen(vm) <= 4 || strstr(vm, ".."))) {
			free(vm);
			vm = NULL;
		}
	}
	if (vm)
		ok &= rm_path(xsh, vm);

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	ok &= rm_path(xsh, path);
	snprintf(path, sizeof(path), "/libxl/%u", domid);
	ok &= rm_path(xsh, path);

	types = xs_directory(xsh, XBT_NULL, "/local/domain/0/backend", &ntypes);
	for (unsigned i = 0; types && i < ntypes; i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u", types[i], domid);
		ok &= rm_path(xsh, path);
	}
	free(types);
	free(vm);
	return ok ? 0 : -EIO;
}
