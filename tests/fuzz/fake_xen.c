/* Fakes of Xen and of the host for the guest-facing fuzz targets; see fake_xen.h. */
#include "tests/fuzz/fake_xen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "devices/tap.h"

struct fuzz_xs_node fuzz_xs_nodes[FUZZ_XS_MAX_NODES];
unsigned fuzz_xs_n_nodes;
bool fuzz_evtchn_opens;
static int fake_evtchn;

/* /local/domain/N/device/TYPE/ID/NODE: NODE's value. */
void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned *len)
{
	const char *node = strstr(path, "/device/");
	char *v;

	for (int slashes = 0; node && slashes < 3; slashes++)
		node = strchr(node + 1, '/');
	if (!node)
		goto absent;
	node++;
	for (unsigned i = fuzz_xs_n_nodes; i-- > 0;) {
		if (strcmp(fuzz_xs_nodes[i].name, node))
			continue;
		v = malloc(fuzz_xs_nodes[i].len + 1);
		if (!v)
			return NULL;
		memcpy(v, fuzz_xs_nodes[i].value, fuzz_xs_nodes[i].len);
		v[fuzz_xs_nodes[i].len] = '\0';
		if (len)
			*len = (unsigned)fuzz_xs_nodes[i].len;
		return v;
	}
absent:
	errno = ENOENT;
	return NULL;
}

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned flags)
{
	errno = ENOENT;
	return NULL;
}

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger, unsigned flags)
{
	errno = ENOENT;
	return NULL;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned flags)
{
	if (!fuzz_evtchn_opens) {
		errno = ENOENT;
		return NULL;
	}
	return (xenevtchn_handle *)&fake_evtchn;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return -1;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port)
{
	errno = EINVAL;
	return -1;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	return 0;
}

void tap_init(struct tap *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < NIC_MAX_QUEUES; i++)
		t->fds[i] = -1;
}

int tap_open(struct tap *t, const char *name, const char *label)
{
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->n_fds = 1;
	return 0;
}

int tap_attach_bridge(struct tap *t, const char *bridge, const char *label)
{
	return -EPERM;
}

int tap_set_queues(struct tap *t, unsigned n, const char *label)
{
	t->n_fds = n;
	return 0;
}

int tap_set_offload(struct tap *t, bool csum, bool tso4, bool tso6, const char *label)
{
	return 0;
}

void tap_close(struct tap *t)
{
	tap_init(t);
}

int tap_run_script(const char *script, const char *ifname, const char *label)
{
	return -EPERM;
}
