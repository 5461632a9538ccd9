/*
 * libvirt's RPC protocol over xvirsh's domain store: see server.h.
 *
 * Each procedure is a table entry: its arguments as a short format (one
 * letter per field, decoded by one checked decoder) and a handler that
 * writes the return value. The handlers see only arguments that decoded
 * completely, each string within the protocol's maximum.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/names.h"
#include "model/xml_util.h"
#include "tools/capabilities.h"
#include "tools/domains.h"
#include "tools/rpc/protocol.h"
#include "tools/rpc/server.h"

/* The header of a message, as virNetMessageHeader. */
struct rpc_header {
	uint32_t prog, vers;
	int32_t proc;
	uint32_t type, serial, status;
};

/* remote_nonnull_domain */
struct rpc_domain {
	char *name;
	uint8_t uuid[RPC_UUID_LEN];
	int32_t id;
};

#define ARGS_STRINGS_MAX 4

/*
 * The decoded arguments of any procedure served here. Formats: D a domain,
 * P an optional domain, S a string, s an optional string (NULL when absent),
 * U a UUID, i an int, u an unsigned int (flags); each letter fills the next
 * field of its kind.
 */
struct rpc_args {
	struct rpc_domain dom;
	int has_dom;
	char *str[ARGS_STRINGS_MAX];
	uint8_t uuid[RPC_UUID_LEN];
	int32_t i[2];
	uint32_t u;
};

struct rpc_error {
	int code, from;
	char *message;
};

struct proc_entry {
	int proc;
	const char *args;	/* the format above */
	int (*run)(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e);
	int read_only;	/* safe in a dry run: reads the store, writes nothing, starts nothing */
};

static int fail(struct rpc_error *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct rpc_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	e->from = VIR_FROM_XEN;
	free(e->message);
	va_start(ap, fmt);
	if (vasprintf(&e->message, fmt, ap) < 0)
		e->message = NULL;
	va_end(ap);
	return -1;
}

/* The error the domain store reported (its last line: the reason), or `fallback`. */
static int fail_reported(struct rpc_error *e, int code, const char *fallback)
{
	char *msg = report_take_error();

	fail(e, code, "%s", msg ? msg : fallback);
	free(msg);
	return -1;
}

static void decode_domain(struct xdr_in *in, struct rpc_domain *d)
{
	d->name = xdr_get_string(in, REMOTE_STRING_MAX);
	xdr_get_fixed(in, d->uuid, RPC_UUID_LEN);
	d->id = xdr_get_i32(in);
}

static void decode_args(struct xdr_in *in, const char *fmt, struct rpc_args *a)
{
	size_t ns = 0, ni = 0;

	for (const char *f = fmt; *f && !in->err; f++) {
		switch (*f) {
		case 'P':
			if (!xdr_get_bool(in))
				break;
			/* fall through */
		case 'D':
			decode_domain(in, &a->dom);
			a->has_dom = 1;
			break;
		case 'S':
		case 's':
			if (*f == 'S' || xdr_get_bool(in))
				a->str[ns] = xdr_get_string(in, REMOTE_STRING_MAX);
			ns++;
			break;
		case 'U':
			xdr_get_fixed(in, a->uuid, RPC_UUID_LEN);
			break;
		case 'i':
			a->i[ni++] = xdr_get_i32(in);
			break;
		case 'u':
			a->u = xdr_get_u32(in);
			break;
		}
	}
}

static void args_dispose(struct rpc_args *a)
{
	free(a->dom.name);
	for (size_t i = 0; i < ARGS_STRINGS_MAX; i++)
		free(a->str[i]);
}

/* Domains. */

static int uuid_of(const struct domain_def *def, uint8_t uuid[RPC_UUID_LEN])
{
	memset(uuid, 0, RPC_UUID_LEN);
	return def->uuid ? uuid_from_string_loose(def->uuid, uuid) : -EINVAL;
}

/* remote_nonnull_domain of a definition: its ID is its running domain's, or -1. */
static void put_domain(struct xdr_out *out, const struct domain_def *def)
{
	uint8_t uuid[RPC_UUID_LEN];
	struct dom_run run = { 0, 0 };

	uuid_of(def, uuid);
	if (launcher_pid(def->name, 0))
		domain_state(def->name, &run);
	xdr_put_string(out, def->name, REMOTE_STRING_MAX);
	xdr_put_fixed(out, uuid, RPC_UUID_LEN);
	xdr_put_i32(out, run.domid ? (int32_t)run.domid : -1);
}

static int no_domain(struct rpc_error *e, const char *what, const char *value)
{
	return fail(e, VIR_ERR_NO_DOMAIN, "Domain not found: no domain with matching %s '%s'", what, value);
}

/* The stored definition of the domain a call names (by its name, as libvirt's handle carries it). */
static int find_domain(const struct rpc_args *a, struct domain_def *def, struct rpc_error *e)
{
	char *err = NULL;

	domain_def_init(def);
	if (!name_ok(a->dom.name) || read_definition(a->dom.name, def, &err)) {
		free(err);
		domain_def_dispose(def);
		domain_def_init(def);
		return no_domain(e, "name", a->dom.name);
	}
	return 0;
}

static int libvirt_state(enum dom_state st)
{
	switch (st) {
	case DOM_RUNNING:
		return VIR_DOMAIN_RUNNING;
	case DOM_PAUSED:
		return VIR_DOMAIN_PAUSED;
	case DOM_SHUTOFF:
		return VIR_DOMAIN_SHUTOFF;
	default:
		return VIR_DOMAIN_NOSTATE;
	}
}

/* Connection. */

static int run_auth_list(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	xdr_put_u32(out, 1);
	xdr_put_i32(out, REMOTE_AUTH_NONE);
	return 0;
}

static int run_connect_open(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	const char *name = a->str[0];

	/* The remote driver sends the URI without its transport: xen:///system. */
	if (name && *name && strncmp(name, "xen:", 4))
		return fail(e, VIR_ERR_NO_CONNECT, "no connection driver available for %s (this server is xen:///system)",
			    name);
	c->opened = 1;
	return 0;
}

static int run_connect_close(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	c->closing = 1;
	return 0;
}

/*
 * No optional feature is supported: not the keepalive program (a server
 * per connection notices a dead client by its closed socket), not event
 * callbacks (the client falls back to the older registration), not
 * migration.
 */
static int run_supports_feature(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	xdr_put_i32(out, 0);
	return 0;
}

static int run_get_type(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	xdr_put_string(out, "Xen", REMOTE_STRING_MAX);
	return 0;
}

static int host(struct host_caps *caps, struct rpc_error *e)
{
	if (probe_caps(caps))
		return fail_reported(e, VIR_ERR_OPERATION_FAILED, "failed to get capabilities");
	return 0;
}

static int run_get_version(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct host_caps caps;

	if (host(&caps, e))
		return -1;
	/* libvirt's form: major * 1,000,000 + minor * 1,000 + release. */
	xdr_put_u64(out, (uint64_t)caps.xen_major * 1000000 + (uint64_t)caps.xen_minor * 1000);
	host_caps_dispose(&caps);
	return 0;
}

/* The libvirt API level this server answers for: virsh 9.0's. */
static int run_get_lib_version(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	xdr_put_u64(out, 9000000);
	return 0;
}

static int run_get_hostname(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	char name[256];

	if (gethostname(name, sizeof(name) - 1))
		return fail(e, VIR_ERR_OPERATION_FAILED, "cannot get the host name: %s", strerror(errno));
	name[sizeof(name) - 1] = '\0';
	xdr_put_string(out, name, REMOTE_STRING_MAX);
	return 0;
}

static int run_get_uri(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	xdr_put_string(out, "xen:///system", REMOTE_STRING_MAX);
	return 0;
}

static int run_is_secure(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	/* A local pipe or unix socket (ssh carries the unix one): nobody else reads it. */
	xdr_put_i32(out, 1);
	return 0;
}

static int run_get_max_vcpus(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct host_caps caps;

	if (host(&caps, e))
		return -1;
	xdr_put_i32(out, (int32_t)caps.max_vcpus);
	host_caps_dispose(&caps);
	return 0;
}

static int run_node_info(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct host_caps caps;
	unsigned per_socket;
	char model[32] = { 0 };

	if (host(&caps, e))
		return -1;
	snprintf(model, sizeof(model), "%s", caps.host_arch);
	/* char model[32] is an XDR vector of chars: each one a 4-byte word. */
	for (size_t i = 0; i < sizeof(model); i++)
		xdr_put_i32(out, model[i]);
	xdr_put_u64(out, caps.total_kib);
	xdr_put_i32(out, (int32_t)caps.nr_cpus);
	xdr_put_i32(out, (int32_t)caps.cpu_mhz);
	xdr_put_i32(out, caps.nr_nodes ? (int32_t)caps.nr_nodes : 1);
	per_socket = (caps.cores_per_socket ? caps.cores_per_socket : 1) * (caps.threads_per_core ? caps.threads_per_core : 1);
	xdr_put_i32(out, (int32_t)(caps.nr_cpus / per_socket / (caps.nr_nodes ? caps.nr_nodes : 1)));
	xdr_put_i32(out, caps.cores_per_socket ? (int32_t)caps.cores_per_socket : 1);
	xdr_put_i32(out, caps.threads_per_core ? (int32_t)caps.threads_per_core : 1);
	host_caps_dispose(&caps);
	return 0;
}

static int run_capabilities(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct host_caps caps;
	char *xml;

	if (host(&caps, e))
		return -1;
	xml = host_caps_format(&caps);
	host_caps_dispose(&caps);
	if (!xml)
		return fail(e, VIR_ERR_NO_MEMORY, "out of memory");
	xdr_put_string(out, xml, REMOTE_STRING_MAX);
	free(xml);
	return 0;
}

/* emulatorbin, arch, machine, virttype (each may be absent), flags. */
static int run_domain_capabilities(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	const char *arch = a->str[1], *machine = a->str[2] ? a->str[2] : "xenpv", *virttype = a->str[3];
	struct host_caps caps;
	char *xml = NULL, *err = NULL;
	int rc;

	if (virttype && strcmp(virttype, "xen"))
		return fail(e, VIR_ERR_INVALID_ARG, "unsupported virttype '%s': only 'xen'", virttype);
	if (host(&caps, e))
		return -1;
	rc = host_domcaps_format(&caps, machine, arch, &xml, &err);
	host_caps_dispose(&caps);
	if (rc) {
		fail(e, VIR_ERR_INVALID_ARG, "failed to get domain capabilities: %s", err);
		free(err);
		return -1;
	}
	xdr_put_string(out, xml, REMOTE_STRING_MAX);
	free(xml);
	return 0;
}

/* Lists and lookups. */

static int list_matches(uint32_t flags, enum dom_state st, int autostart)
{
	int active = st != DOM_SHUTOFF;

	if ((flags & (LIST_ACTIVE | LIST_INACTIVE)) &&
	    !((flags & LIST_ACTIVE && active) || (flags & LIST_INACTIVE && !active)))
		return 0;
	/* Every domain is persistent (a definition), none has a managed save, snapshot or checkpoint. */
	if ((flags & (LIST_PERSISTENT | LIST_TRANSIENT)) && !(flags & LIST_PERSISTENT))
		return 0;
	if ((flags & (LIST_RUNNING | LIST_PAUSED | LIST_SHUTOFF | LIST_OTHER)) &&
	    !((flags & LIST_RUNNING && st == DOM_RUNNING) || (flags & LIST_PAUSED && st == DOM_PAUSED) ||
	      (flags & LIST_SHUTOFF && st == DOM_SHUTOFF) || (flags & LIST_OTHER && st == DOM_NOSTATE)))
		return 0;
	if ((flags & (LIST_MANAGEDSAVE | LIST_NO_MANAGEDSAVE)) && !(flags & LIST_NO_MANAGEDSAVE))
		return 0;
	if ((flags & (LIST_AUTOSTART | LIST_NO_AUTOSTART)) &&
	    !((flags & LIST_AUTOSTART && autostart) || (flags & LIST_NO_AUTOSTART && !autostart)))
		return 0;
	if ((flags & (LIST_HAS_SNAPSHOT | LIST_NO_SNAPSHOT)) && !(flags & LIST_NO_SNAPSHOT))
		return 0;
	if ((flags & (LIST_HAS_CHECKPOINT | LIST_NO_CHECKPOINT)) && !(flags & LIST_NO_CHECKPOINT))
		return 0;
	return 1;
}

/* need_results, flags: the domains (when asked) and their count. */
static int run_list_all(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	char **names = defined_names();
	size_t count = 0, count_at;

	/* The array's length is patched once the domains are counted. */
	count_at = out->len;
	xdr_put_u32(out, 0);
	for (size_t i = 0; names && names[i] && count < REMOTE_DOMAIN_LIST_MAX; i++) {
		struct domain_def def;
		char *err = NULL;

		if (!list_matches(a->u, domain_state(names[i], NULL), domain_autostart(names[i])))
			continue;
		if (read_definition(names[i], &def, &err) == 0) {
			if (a->i[0])
				put_domain(out, &def);
			count++;
		}
		free(err);
		domain_def_dispose(&def);
	}
	free_names(names);
	if (a->i[0])
		xdr_patch_u32(out, count_at, (uint32_t)count);
	xdr_put_u32(out, (uint32_t)count);
	return 0;
}

static int lookup_reply(const char *name, struct xdr_out *out)
{
	struct domain_def def;
	char *err = NULL;
	int rc = read_definition(name, &def, &err);

	if (!rc)
		put_domain(out, &def);
	free(err);
	domain_def_dispose(&def);
	return rc;
}

static int run_lookup_by_name(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	if (!name_ok(a->str[0]) || lookup_reply(a->str[0], out))
		return no_domain(e, "name", a->str[0]);
	return 0;
}

static int run_lookup_by_id(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	char **names = defined_names();
	int rc = -1;

	for (size_t i = 0; a->i[0] > 0 && names && names[i] && rc; i++) {
		struct dom_run run;

		if (launcher_pid(names[i], 0) && domain_state(names[i], &run) != DOM_SHUTOFF &&
		    run.domid == (unsigned)a->i[0])
			rc = lookup_reply(names[i], out);
	}
	free_names(names);
	if (rc)
		return fail(e, VIR_ERR_NO_DOMAIN, "Domain not found: no domain with matching id %d", a->i[0]);
	return 0;
}

static int run_lookup_by_uuid(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	char **names = defined_names(), text[UUID_STRING_SIZE];
	int rc = -1;

	for (size_t i = 0; names && names[i] && rc; i++) {
		struct domain_def def;
		uint8_t uuid[RPC_UUID_LEN];
		char *err = NULL;

		if (read_definition(names[i], &def, &err) == 0 && uuid_of(&def, uuid) == 0 &&
		    !memcmp(uuid, a->uuid, RPC_UUID_LEN)) {
			put_domain(out, &def);
			rc = 0;
		}
		free(err);
		domain_def_dispose(&def);
	}
	free_names(names);
	if (rc) {
		uuid_to_string(a->uuid, text);
		return no_domain(e, "uuid", text);
	}
	return 0;
}

/* Definitions and lifecycle. */

static int define(struct rpc_conn *c, const char *xml, int validate, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;
	int rc = 0;

	if (domain_define_xml(xml, strlen(xml), validate, "XML", &def))
		rc = fail_reported(e, VIR_ERR_XML_ERROR, "cannot define the domain");
	else
		put_domain(out, &def);
	domain_def_dispose(&def);
	return rc;
}

static int run_define(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return define(c, a->str[0], 0, out, e);
}

static int run_define_flags(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	if (a->u & ~VIR_DOMAIN_DEFINE_VALIDATE)
		return fail(e, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x)", a->u & ~VIR_DOMAIN_DEFINE_VALIDATE);
	return define(c, a->str[0], !!(a->u & VIR_DOMAIN_DEFINE_VALIDATE), out, e);
}

/* A domain's operation: with its definition, reported errors become libvirt's. */
static int on_domain(struct rpc_args *a, struct rpc_error *e, int code, int (*op)(const struct domain_def *))
{
	struct domain_def def;
	int rc;

	if (find_domain(a, &def, e))
		return -1;
	rc = op(&def) ? fail_reported(e, code, "operation failed") : 0;
	domain_def_dispose(&def);
	return rc;
}

static int run_undefine(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return on_domain(a, e, VIR_ERR_OPERATION_INVALID, domain_undefine);
}

static int run_create(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return on_domain(a, e, VIR_ERR_OPERATION_FAILED, domain_start);
}

/* virDomainCreateWithFlags returns the domain again: with its new ID. */
static int run_create_with_flags(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	if (a->u)
		return fail(e, VIR_ERR_INVALID_ARG, "unsupported flags (0x%x)", a->u);
	if (on_domain(a, e, VIR_ERR_OPERATION_FAILED, domain_start))
		return -1;
	if (lookup_reply(a->dom.name, out))
		return no_domain(e, "name", a->dom.name);
	return 0;
}

static int run_destroy(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return on_domain(a, e, VIR_ERR_OPERATION_INVALID, domain_destroy);
}

static int verb(struct rpc_args *a, struct rpc_error *e, const char *what)
{
	struct domain_def def;
	int rc;

	if (find_domain(a, &def, e))
		return -1;
	rc = domain_monitor_verb(def.name, what) ? fail_reported(e, VIR_ERR_OPERATION_INVALID, "operation failed") : 0;
	domain_def_dispose(&def);
	return rc;
}

static int run_shutdown(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return verb(a, e, "shutdown");
}

static int run_reboot(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return verb(a, e, "reboot");
}

static int run_suspend(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return verb(a, e, "suspend");
}

static int run_resume(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return verb(a, e, "resume");
}

/* Information. */

/*
 * The description of a domain for its information: a running Xen guest's
 * from its launcher (the memory and vCPUs it runs with), else the stored one.
 */
static int describe(struct rpc_args *a, struct domain_def *def, enum dom_state *st_r, struct rpc_error *e)
{
	struct domain_def live;

	if (find_domain(a, def, e))
		return -1;
	*st_r = domain_state(def->name, NULL);
	if ((*st_r == DOM_RUNNING || *st_r == DOM_PAUSED) && !strcmp(def->virt_type, "xen")) {
		domain_def_init(&live);
		if (live_domain(def->name, NULL, &live)) {
			domain_def_dispose(&live);
			domain_def_dispose(def);
			return fail_reported(e, VIR_ERR_OPERATION_FAILED, "cannot describe the running domain");
		}
		domain_def_dispose(def);
		*def = live;
	}
	return 0;
}

static int run_get_info(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;
	enum dom_state st;

	if (describe(a, &def, &st, e))
		return -1;
	/* unsigned char and unsigned short are 4-byte words in XDR. */
	xdr_put_u32(out, (uint32_t)libvirt_state(st));
	xdr_put_u64(out, def.memory_kib);
	xdr_put_u64(out, def.current_memory_kib ? def.current_memory_kib : def.memory_kib);
	xdr_put_u32(out, def.vcpus_current ? def.vcpus_current : def.vcpus ? def.vcpus : 1);
	/* CPU time is not measured here: 0, as for a guest that has not run. */
	xdr_put_u64(out, 0);
	domain_def_dispose(&def);
	return 0;
}

static int run_get_state(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;

	if (find_domain(a, &def, e))
		return -1;
	xdr_put_i32(out, libvirt_state(domain_state(def.name, NULL)));
	xdr_put_i32(out, 0); /* the reason: unknown */
	domain_def_dispose(&def);
	return 0;
}

static int run_get_xml(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;
	char *xml = NULL;
	int rc = 0;

	if (find_domain(a, &def, e))
		return -1;
	if (domain_xml(&def, !!(a->u & VIR_DOMAIN_XML_INACTIVE), &xml))
		rc = fail_reported(e, VIR_ERR_OPERATION_FAILED, "cannot describe the domain");
	else
		xdr_put_string(out, xml, REMOTE_STRING_MAX);
	free(xml);
	domain_def_dispose(&def);
	return rc;
}

static int run_get_autostart(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;

	if (find_domain(a, &def, e))
		return -1;
	xdr_put_i32(out, domain_autostart(def.name));
	domain_def_dispose(&def);
	return 0;
}

static int run_set_autostart(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;
	int rc;

	if (find_domain(a, &def, e))
		return -1;
	rc = domain_set_autostart(def.name, a->i[0] != 0) ? fail_reported(e, VIR_ERR_OPERATION_FAILED, "failed") : 0;
	domain_def_dispose(&def);
	return rc;
}

static int run_is_active(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;

	if (find_domain(a, &def, e))
		return -1;
	xdr_put_i32(out, domain_state(def.name, NULL) != DOM_SHUTOFF);
	domain_def_dispose(&def);
	return 0;
}

/* Every domain is persistent (a stored definition); none is updated, none has a managed save. */
static int run_answer_one(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;

	if (find_domain(a, &def, e))
		return -1;
	xdr_put_i32(out, 1);
	domain_def_dispose(&def);
	return 0;
}

static int run_answer_zero(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;

	if (find_domain(a, &def, e))
		return -1;
	xdr_put_i32(out, 0);
	domain_def_dispose(&def);
	return 0;
}

static int run_get_os_type(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;

	if (find_domain(a, &def, e))
		return -1;
	/* libvirt's names: a PV guest's <type>linux</type> is "linux", HVM "hvm". */
	xdr_put_string(out, def.os_type ? def.os_type : "linux", REMOTE_STRING_MAX);
	domain_def_dispose(&def);
	return 0;
}

static int run_get_max_memory(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;

	if (find_domain(a, &def, e))
		return -1;
	xdr_put_u64(out, def.memory_kib);
	domain_def_dispose(&def);
	return 0;
}

static int run_get_vcpus_flags(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	struct domain_def def;
	enum dom_state st;

	if (describe(a, &def, &st, e))
		return -1;
	xdr_put_i32(out, (int32_t)(def.vcpus_current ? def.vcpus_current : def.vcpus ? def.vcpus : 1));
	domain_def_dispose(&def);
	return 0;
}

static int run_no_security(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	return fail(e, VIR_ERR_NO_SUPPORT, "this function is not supported by the connection driver: "
					   "no security driver (launchers run as the user who starts them)");
}

/* Lifecycle events, through the older registration (no event callbacks). */
static int run_event_register(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	if (a->i[0] != VIR_DOMAIN_EVENT_ID_LIFECYCLE)
		return fail(e, VIR_ERR_NO_SUPPORT, "domain event %d is not supported (only lifecycle events)", a->i[0]);
	c->lifecycle_events = 1;
	return 0;
}

static int run_event_deregister(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	if (a->i[0] != VIR_DOMAIN_EVENT_ID_LIFECYCLE)
		return fail(e, VIR_ERR_INVALID_ARG, "domain event %d was not registered", a->i[0]);
	c->lifecycle_events = 0;
	return 0;
}

/*
 * dom, dev_name (only the console, "console0" or "serial0"), flags: the
 * guest's console pty becomes the stream of this call's serial.
 */
static int run_open_console(struct rpc_conn *c, struct rpc_args *a, struct xdr_out *out, struct rpc_error *e)
{
	const char *dev = a->str[0];
	struct domain_def def;
	char *pty = NULL;
	int fd, rc = 0;

	if (dev && strcmp(dev, "console0") && strcmp(dev, "serial0"))
		return fail(e, VIR_ERR_INVALID_ARG, "cannot find character device %s", dev);
	if (c->console_fd >= 0)
		return fail(e, VIR_ERR_OPERATION_FAILED, "a console stream is already open on this connection");
	if (find_domain(a, &def, e))
		return -1;
	if (need_running(def.name, "open the console of", NULL) == DOM_SHUTOFF) {
		rc = fail_reported(e, VIR_ERR_OPERATION_INVALID, "domain is not running");
		goto out;
	}
	pty = console_pty(def.name);
	if (!pty) {
		rc = fail(e, VIR_ERR_INTERNAL_ERROR, "cannot find character device for domain '%s' (not a pty console)",
			  def.name);
		goto out;
	}
	fd = open(pty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = fail(e, VIR_ERR_OPERATION_FAILED, "cannot open console '%s' of domain '%s': %s", pty, def.name,
			  strerror(errno));
		goto out;
	}
	c->console_fd = fd;
	c->console_serial = c->call_serial;
out:
	free(pty);
	domain_def_dispose(&def);
	return rc;
}

static const struct proc_entry procs[] = {
	{ PROC_AUTH_LIST, "", run_auth_list, 1 },
	{ PROC_CONNECT_OPEN, "su", run_connect_open, 1 },
	{ PROC_CONNECT_CLOSE, "", run_connect_close, 1 },
	{ PROC_CONNECT_SUPPORTS_FEATURE, "i", run_supports_feature, 1 },
	{ PROC_CONNECT_GET_TYPE, "", run_get_type, 1 },
	{ PROC_CONNECT_GET_VERSION, "", run_get_version, 0 },
	{ PROC_CONNECT_GET_LIB_VERSION, "", run_get_lib_version, 1 },
	{ PROC_CONNECT_GET_HOSTNAME, "", run_get_hostname, 1 },
	{ PROC_CONNECT_GET_URI, "", run_get_uri, 1 },
	{ PROC_CONNECT_IS_SECURE, "", run_is_secure, 1 },
	{ PROC_CONNECT_GET_MAX_VCPUS, "s", run_get_max_vcpus, 0 },
	{ PROC_NODE_GET_INFO, "", run_node_info, 0 },
	{ PROC_CONNECT_GET_CAPABILITIES, "", run_capabilities, 0 },
	{ PROC_CONNECT_GET_DOMAIN_CAPABILITIES, "ssssu", run_domain_capabilities, 0 },
	{ PROC_CONNECT_LIST_ALL_DOMAINS, "iu", run_list_all, 1 },
	{ PROC_DOMAIN_LOOKUP_BY_NAME, "S", run_lookup_by_name, 1 },
	{ PROC_DOMAIN_LOOKUP_BY_ID, "i", run_lookup_by_id, 1 },
	{ PROC_DOMAIN_LOOKUP_BY_UUID, "U", run_lookup_by_uuid, 1 },
	{ PROC_DOMAIN_DEFINE_XML, "S", run_define, 0 },
	{ PROC_DOMAIN_DEFINE_XML_FLAGS, "Su", run_define_flags, 0 },
	{ PROC_DOMAIN_UNDEFINE, "D", run_undefine, 0 },
	{ PROC_DOMAIN_UNDEFINE_FLAGS, "Du", run_undefine, 0 },
	{ PROC_DOMAIN_CREATE, "D", run_create, 0 },
	{ PROC_DOMAIN_CREATE_WITH_FLAGS, "Du", run_create_with_flags, 0 },
	{ PROC_DOMAIN_DESTROY, "D", run_destroy, 0 },
	{ PROC_DOMAIN_DESTROY_FLAGS, "Du", run_destroy, 0 },
	{ PROC_DOMAIN_SHUTDOWN, "D", run_shutdown, 0 },
	{ PROC_DOMAIN_SHUTDOWN_FLAGS, "Du", run_shutdown, 0 },
	{ PROC_DOMAIN_REBOOT, "Du", run_reboot, 0 },
	{ PROC_DOMAIN_SUSPEND, "D", run_suspend, 0 },
	{ PROC_DOMAIN_RESUME, "D", run_resume, 0 },
	{ PROC_DOMAIN_GET_INFO, "D", run_get_info, 1 },
	{ PROC_DOMAIN_GET_STATE, "Du", run_get_state, 1 },
	{ PROC_DOMAIN_GET_XML_DESC, "Du", run_get_xml, 1 },
	{ PROC_DOMAIN_GET_AUTOSTART, "D", run_get_autostart, 1 },
	{ PROC_DOMAIN_SET_AUTOSTART, "Di", run_set_autostart, 0 },
	{ PROC_DOMAIN_IS_ACTIVE, "D", run_is_active, 1 },
	{ PROC_DOMAIN_IS_PERSISTENT, "D", run_answer_one, 1 },
	{ PROC_DOMAIN_IS_UPDATED, "D", run_answer_zero, 1 },
	{ PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, "Du", run_answer_zero, 1 },
	{ PROC_DOMAIN_GET_OS_TYPE, "D", run_get_os_type, 1 },
	{ PROC_DOMAIN_GET_MAX_MEMORY, "D", run_get_max_memory, 1 },
	{ PROC_DOMAIN_GET_VCPUS_FLAGS, "Du", run_get_vcpus_flags, 1 },
	{ PROC_NODE_GET_SECURITY_MODEL, "", run_no_security, 1 },
	{ PROC_DOMAIN_GET_SECURITY_LABEL, "D", run_no_security, 1 },
	{ PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, "i", run_event_register, 1 },
	{ PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, "i", run_event_deregister, 1 },
	{ PROC_DOMAIN_OPEN_CONSOLE, "Dsu", run_open_console, 0 },
};

/* Framing. */

static void put_header(struct xdr_out *out, int32_t proc, uint32_t type, uint32_t serial, uint32_t status)
{
	xdr_put_u32(out, REMOTE_PROGRAM);
	xdr_put_u32(out, REMOTE_PROTOCOL_VERSION);
	xdr_put_i32(out, proc);
	xdr_put_u32(out, type);
	xdr_put_u32(out, serial);
	xdr_put_u32(out, status);
}

/* Starts a message in out: its length word (patched by end_message) and header. */
static size_t begin_message(struct xdr_out *out, int32_t proc, uint32_t type, uint32_t serial, uint32_t status)
{
	size_t start = out->len;

	xdr_put_u32(out, 0);
	put_header(out, proc, type, serial, status);
	return start;
}

static void end_message(struct xdr_out *out, size_t start)
{
	xdr_patch_u32(out, start, (uint32_t)(out->len - start));
}

#define ERROR_MESSAGE_MAX 1024

/* remote_error, as a reply to proc/serial. */
static void put_error(struct xdr_out *out, int32_t proc, uint32_t type, uint32_t serial, const struct rpc_error *e)
{
	size_t start = begin_message(out, proc, type, serial, RPC_ERROR);
	const char *msg = e->message ? e->message : "out of memory";

	char cut[ERROR_MESSAGE_MAX + 4];

	/* A long message (a huge name echoed back) is cut: an error stays small. */
	if (strlen(msg) > ERROR_MESSAGE_MAX) {
		snprintf(cut, sizeof(cut), "%.*s...", ERROR_MESSAGE_MAX, msg);
		msg = cut;
	}
	xdr_put_i32(out, e->code);
	xdr_put_i32(out, e->from);
	xdr_put_u32(out, 1);
	xdr_put_string(out, msg, REMOTE_STRING_MAX);
	xdr_put_i32(out, VIR_ERR_LEVEL_ERROR);
	xdr_put_u32(out, 0);	/* dom */
	xdr_put_u32(out, 0);	/* str1 */
	xdr_put_u32(out, 0);	/* str2 */
	xdr_put_u32(out, 0);	/* str3 */
	xdr_put_i32(out, 0);	/* int1 */
	xdr_put_i32(out, 0);	/* int2 */
	xdr_put_u32(out, 0);	/* net */
	end_message(out, start);
}

static void protocol_error(struct xdr_out *out, int32_t proc, uint32_t serial, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void protocol_error(struct xdr_out *out, int32_t proc, uint32_t serial, const char *fmt, ...)
{
	struct rpc_error e = { VIR_ERR_RPC, VIR_FROM_RPC, NULL };
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&e.message, fmt, ap) < 0)
		e.message = NULL;
	va_end(ap);
	put_error(out, proc, RPC_REPLY, serial, &e);
	free(e.message);
}

int rpc_frame_length(uint32_t len, size_t *body_r, struct xdr_out *out)
{
	*body_r = 0;
	if (len < RPC_LEN_MAX + RPC_HEADER_MAX || len - RPC_LEN_MAX > RPC_MESSAGE_MAX) {
		protocol_error(out, 0, 0, "packet length %u is outside %u..%u", len, RPC_LEN_MAX + RPC_HEADER_MAX,
			       RPC_LEN_MAX + RPC_MESSAGE_MAX);
		return -EBADMSG;
	}
	*body_r = len - RPC_LEN_MAX;
	return 0;
}

void rpc_conn_init(struct rpc_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->console_fd = -1;
}

void rpc_conn_dispose(struct rpc_conn *c)
{
	for (size_t i = 0; i < c->n_seen; i++)
		free(c->seen[i].name);
	free(c->seen);
	if (c->console_fd >= 0)
		close(c->console_fd);
	rpc_conn_init(c);
}

static const struct proc_entry *find_proc(int32_t proc)
{
	for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++)
		if (procs[i].proc == proc)
			return &procs[i];
	return NULL;
}

static void handle_call(struct rpc_conn *c, const struct rpc_header *h, struct xdr_in *in, struct xdr_out *out)
{
	const struct proc_entry *p = find_proc(h->proc);
	struct rpc_args a;
	struct rpc_error e = { 0, 0, NULL };
	struct xdr_out body;
	size_t start;

	if (!p) {
		e.code = VIR_ERR_NO_SUPPORT;
		e.from = VIR_FROM_RPC;
		if (asprintf(&e.message, "unknown procedure: %d", h->proc) < 0)
			e.message = NULL;
		put_error(out, h->proc, RPC_REPLY, h->serial, &e);
		free(e.message);
		return;
	}
	if (!c->opened && h->proc != PROC_AUTH_LIST && h->proc != PROC_CONNECT_OPEN &&
	    h->proc != PROC_CONNECT_SUPPORTS_FEATURE) {
		protocol_error(out, h->proc, h->serial, "connection not open");
		return;
	}
	memset(&a, 0, sizeof(a));
	decode_args(in, p->args, &a);
	if (xdr_in_done(in)) {
		protocol_error(out, h->proc, h->serial, "cannot decode the arguments of procedure %d", h->proc);
		args_dispose(&a);
		return;
	}
	/* The return value goes to a buffer of its own: on failure only the error is sent. */
	xdr_out_init(&body, RPC_MESSAGE_MAX - RPC_HEADER_MAX);
	if (c->dry_run && !p->read_only) {
		fail(&e, VIR_ERR_OPERATION_INVALID, "not run: a dry run");
	} else {
		report_keep_errors(1);
		c->call_serial = h->serial;
		if (p->run(c, &a, &body, &e) == 0 && body.err)
			fail(&e, body.err == -ENOMEM ? VIR_ERR_NO_MEMORY : VIR_ERR_RPC,
			     "the reply to procedure %d is larger than the protocol allows", h->proc);
		free(report_take_error());
	}
	if (e.code) {
		put_error(out, h->proc, RPC_REPLY, h->serial, &e);
	} else {
		start = begin_message(out, h->proc, RPC_REPLY, h->serial, RPC_OK);
		xdr_put_fixed(out, body.buf, body.len);
		end_message(out, start);
	}
	free(e.message);
	xdr_out_dispose(&body);
	args_dispose(&a);
}

void rpc_conn_handle(struct rpc_conn *c, const uint8_t *msg, size_t len, struct xdr_out *out)
{
	struct rpc_header h;
	struct xdr_in in;

	xdr_in_init(&in, msg, len);
	h.prog = xdr_get_u32(&in);
	h.vers = xdr_get_u32(&in);
	h.proc = xdr_get_i32(&in);
	h.type = xdr_get_u32(&in);
	h.serial = xdr_get_u32(&in);
	h.status = xdr_get_u32(&in);
	if (in.err) {
		protocol_error(out, 0, 0, "message of %zu bytes is shorter than its header", len);
		return;
	}
	if (h.prog != REMOTE_PROGRAM || h.vers != REMOTE_PROTOCOL_VERSION) {
		protocol_error(out, h.proc, h.serial, "cannot find program %#x version %u", h.prog, h.vers);
		return;
	}
	if (h.type == RPC_STREAM && c->console_fd >= 0 && h.serial == c->console_serial) {
		/* The client's side of the console: bytes for the guest, or the end. */
		size_t n = len - in.off, start;

		if (h.status == RPC_CONTINUE) {
			for (size_t off = 0; off < n;) {
				ssize_t w = write(c->console_fd, msg + in.off + off, n - off);

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					break;
				off += (size_t)w;
			}
			return;
		}
		/* Finish or abort: closed, and confirmed with empty stream data. */
		close(c->console_fd);
		c->console_fd = -1;
		start = begin_message(out, h.proc, RPC_STREAM, h.serial, RPC_OK);
		end_message(out, start);
		return;
	}
	if (h.type != RPC_CALL || h.status != RPC_OK) {
		protocol_error(out, h.proc, h.serial, "unexpected message type %u status %u", h.type, h.status);
		return;
	}
	handle_call(c, &h, &in, out);
}

void rpc_conn_console_data(struct rpc_conn *c, const void *data, size_t len, struct xdr_out *out)
{
	size_t start = begin_message(out, PROC_DOMAIN_OPEN_CONSOLE, RPC_STREAM, c->console_serial,
				     len ? RPC_CONTINUE : RPC_OK);

	xdr_put_fixed(out, data, len);
	end_message(out, start);
}

static void send_event(struct xdr_out *out, const char *name, int event, int detail)
{
	struct domain_def def;
	char *err = NULL;
	size_t start;

	domain_def_init(&def);
	if (read_definition(name, &def, &err)) {
		/* Undefined: its handle carries the name alone. */
		free(def.name);
		def.name = strdup(name);
	}
	free(err);
	if (def.name) {
		start = begin_message(out, PROC_DOMAIN_EVENT_LIFECYCLE, RPC_MESSAGE, 0, RPC_OK);
		put_domain(out, &def);
		xdr_put_i32(out, event);
		xdr_put_i32(out, detail);
		end_message(out, start);
	}
	domain_def_dispose(&def);
}

#define SEEN_UNDEFINED (-1)

static struct rpc_seen_domain *seen_of(struct rpc_conn *c, const char *name)
{
	struct rpc_seen_domain *grown;

	for (size_t i = 0; i < c->n_seen; i++)
		if (!strcmp(c->seen[i].name, name))
			return &c->seen[i];
	if (c->n_seen >= RPC_EVENT_DOMAINS_MAX || !(grown = realloc(c->seen, (c->n_seen + 1) * sizeof(*grown))))
		return NULL;
	c->seen = grown;
	grown[c->n_seen].name = strdup(name);
	grown[c->n_seen].state = SEEN_UNDEFINED;
	grown[c->n_seen].found = 0;
	if (!grown[c->n_seen].name)
		return NULL;
	return &grown[c->n_seen++];
}

void rpc_conn_poll_events(struct rpc_conn *c, struct xdr_out *out)
{
	char **names = NULL;
	int first = !c->events_primed;

	if (!c->lifecycle_events)
		return;
	c->events_primed = 1;
	names = defined_names();
	for (size_t i = 0; i < c->n_seen; i++)
		c->seen[i].found = 0;
	for (size_t i = 0; names && names[i]; i++) {
		struct rpc_seen_domain *s = seen_of(c, names[i]);
		int st, was;

		if (!s)
			continue;
		st = launcher_pid(names[i], 0) ? (int)domain_state(names[i], NULL) : DOM_SHUTOFF;
		was = s->state;
		s->state = st;
		s->found = 1;
		if (first || was == st)
			continue;
		if (was == SEEN_UNDEFINED)
			send_event(out, names[i], VIR_EVENT_DEFINED, 0);
		if ((was == SEEN_UNDEFINED || was == DOM_SHUTOFF) && st != DOM_SHUTOFF)
			send_event(out, names[i], VIR_EVENT_STARTED, 0);
		if (was != SEEN_UNDEFINED && was != DOM_SHUTOFF && st == DOM_SHUTOFF)
			send_event(out, names[i], VIR_EVENT_STOPPED, VIR_EVENT_STOPPED_SHUTDOWN);
		if (st == DOM_PAUSED)
			send_event(out, names[i], VIR_EVENT_SUSPENDED, 0);
		if (was == DOM_PAUSED && st == DOM_RUNNING)
			send_event(out, names[i], VIR_EVENT_RESUMED, 0);
	}
	/* Gone from the store: undefined (stopped first if it ran). */
	for (size_t i = 0; i < c->n_seen; i++) {
		if (c->seen[i].found || c->seen[i].state == SEEN_UNDEFINED)
			continue;
		if (c->seen[i].state != DOM_SHUTOFF)
			send_event(out, c->seen[i].name, VIR_EVENT_STOPPED, VIR_EVENT_STOPPED_DESTROYED);
		send_event(out, c->seen[i].name, VIR_EVENT_UNDEFINED, 0);
		c->seen[i].state = SEEN_UNDEFINED;
	}
	free_names(names);
}
