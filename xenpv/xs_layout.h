/*
 * The xenstore entries of a running PV domain, with the permissions libxl
 * gives them, and their removal.
 *
 * The layout is computed first as a plain list (xs_layout_build, no
 * xenstore needed, unit-tested), then written in ONE transaction retried on
 * EAGAIN (xs_layout_write). Permission classes, as in libxl_create.c:
 *   XS_CLASS_RO       owner dom0, guest may read   (the domain's directory,
 *                     cpu, memory, device, control, store, console, /vm/UUID)
 *   XS_CLASS_RW       owner the guest              (control/shutdown,
 *                     control/feature-*, control/sysrq, data, drivers,
 *                     feature, attr, error, device/suspend/event-channel)
 *   XS_CLASS_BACKEND  owner dom0, guest may read   (dom0's backend dir)
 */
#ifndef XENPV_XS_LAYOUT_H
#define XENPV_XS_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

struct xs_handle;

enum xs_perm_class { XS_CLASS_RO, XS_CLASS_RW, XS_CLASS_BACKEND };

struct xs_entry {
	char *path;
	char *value;	/* "" for a directory */
	enum xs_perm_class perm;
};

struct xs_layout {
	struct xs_entry *entries;
	size_t n, cap;
};

/* What the layout is made of. */
struct xs_domain_desc {
	uint32_t domid;
	const char *name;
	const char *uuid_str;
	uint64_t memory_mib;
	unsigned vcpus;
	uint32_t store_port;
	unsigned long store_mfn;
	uint32_t console_port;
	unsigned long console_mfn;
	const char *console_tty;	/* NULL: none yet */
};

void xs_layout_init(struct xs_layout *l);
void xs_layout_dispose(struct xs_layout *l);

/* Fills `l` with every node, parents before children. 0 or -ENOMEM. */
int xs_layout_build(const struct xs_domain_desc *desc, struct xs_layout *l);

/* Looks up one entry by path (tests, diagnostics); NULL when absent. */
const struct xs_entry *xs_layout_find(const struct xs_layout *l, const char *path);

/*
 * Writes the layout, after removing any stale /local/domain/N and /vm/UUID,
 * in one transaction retried on EAGAIN (bounded). 0 or a negative errno.
 */
int xs_layout_write(struct xs_handle *xsh, uint32_t domid, const struct xs_layout *l);

/* xs_introduce_domain; 0 or a negative errno. */
int xs_domain_introduce(struct xs_handle *xsh, uint32_t domid, unsigned long store_mfn,
			uint32_t store_port);

/*
 * Removes /local/domain/N, /vm/UUID (uuid_str may be NULL: read from
 * /local/domain/N/vm), /libxl/N and every /local/domain/0/backend/TYPE/N.
 * Missing nodes are not errors. 0 or a negative errno.
 */
int xs_remove_domain_dirs(struct xs_handle *xsh, uint32_t domid, const char *uuid_str);

#endif
