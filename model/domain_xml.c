/* model/domain_xml: libvirt domain XML <-> struct domain_def. */
#include "model/domain_xml.h"

#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "common/log.h"
#include "common/strv.h"
#include "model/names.h"
#include "model/nic_opts.h"
#include "model/xml_util.h"

/* Parsing state: where errors go. */
struct parse_ctx {
	char **err_r;
	int rc; /* the code of the first failure */
};

static int parse_fail(struct parse_ctx *pc, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int parse_fail(struct parse_ctx *pc, int rc, const char *fmt, ...)
{
	va_list ap;

	if (!pc->rc)
		pc->rc = rc;
	va_start(ap, fmt);
	err_vfirst(pc->err_r, rc, fmt, ap);
	va_end(ap);
	return rc;
}

static int is_el(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

/* The name of a node as written, with its namespace prefix. */
static void node_qname(xmlNodePtr n, char *buf, size_t size)
{
	if (n->ns && n->ns->prefix)
		snprintf(buf, size, "%s:%s", n->ns->prefix, n->name);
	else
		snprintf(buf, size, "%s", n->name);
}

/* Warns about every attribute of n that is not in the NULL-terminated list. */
static void check_attrs(xmlNodePtr n, const char *path, ...)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		va_list ap;
		const char *k;
		int known = 0;

		va_start(ap, path);
		while ((k = va_arg(ap, const char *)))
			if (!a->ns && !strcmp(k, (const char *)a->name))
				known = 1;
		va_end(ap);
		if (!known)
			log_warnx("domain XML: attribute '%s' of '%s' is not supported, ignored", a->name, path);
	}
}

/* Warns about children of an element the model reads as a leaf. */
static void check_leaf(xmlNodePtr n, const char *path)
{
	for (xmlNodePtr c = n->children; c; c = c->next) {
		char q[128];

		if (c->type != XML_ELEMENT_NODE)
			continue;
		node_qname(c, q, sizeof(q));
		log_warnx("domain XML: element '%s/%s' is not supported, ignored", path, q);
	}
}

/*
 * Keeps an element the model does not interpret, serialised at its depth so
 * that formatting writes it back with the right indentation.
 */
static int keep_extra(struct parse_ctx *pc, struct domain_extra *ex, xmlNodePtr n, const char *parent,
		      int depth)
{
	xmlDocPtr tmp = NULL;
	xmlNodePtr copy;
	xmlBufferPtr b = NULL;
	char q[128], *joined = NULL;
	int rc = 0;

	node_qname(n, q, sizeof(q));
	log_warnx("domain XML: element '%s%s%s' is not interpreted, kept as written", parent ? parent : "",
		  parent ? "/" : "", q);
	tmp = xmlNewDoc((const xmlChar *)"1.0");
	b = xmlBufferCreate();
	if (!tmp || !b) {
		rc = parse_fail(pc, -ENOMEM, "out of memory");
		goto out;
	}
	copy = xmlDocCopyNode(n, tmp, 1);
	if (!copy) {
		rc = parse_fail(pc, -ENOMEM, "out of memory");
		goto out;
	}
	xmlDocSetRootElement(tmp, copy);
	if (xmlNodeDump(b, tmp, copy, depth, 1) < 0) {
		rc = parse_fail(pc, -ENOMEM, "cannot serialise element '%s'", q);
		goto out;
	}
	if (asprintf(&joined, "%s%s\n", ex->xml ? ex->xml : "", (const char *)xmlBufferContent(b)) < 0) {
		joined = NULL;
		rc = parse_fail(pc, -ENOMEM, "out of memory");
		goto out;
	}
	/* One element per line: the formatter indents the first line only. */
	free(ex->xml);
	ex->xml = joined;
	joined = NULL;
out:
	free(joined);
	if (b)
		xmlBufferFree(b);
	if (tmp)
		xmlFreeDoc(tmp);
	return rc;
}

/* Strict unsigned decimal: digits only, no sign, no blanks, no overflow. */
static int parse_ull(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (__builtin_mul_overflow(v, 10ull, &v) || __builtin_add_overflow(v, (unsigned long long)(*s - '0'), &v))
			return -ERANGE;
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static const struct {
	const char *name;
	unsigned long long bytes;
} size_units[] = {
	{ "b", 1 }, { "bytes", 1 },
	{ "k", 1024ull }, { "KiB", 1024ull }, { "KB", 1000ull },
	{ "m", 1024ull << 10 }, { "M", 1024ull << 10 }, { "MiB", 1024ull << 10 }, { "MB", 1000000ull },
	{ "g", 1024ull << 20 }, { "G", 1024ull << 20 }, { "GiB", 1024ull << 20 }, { "GB", 1000000000ull },
	{ "t", 1024ull << 30 }, { "T", 1024ull << 30 }, { "TiB", 1024ull << 30 }, { "TB", 1000000000000ull },
	{ "p", 1024ull << 40 }, { "P", 1024ull << 40 }, { "PiB", 1024ull << 40 }, { "PB", 1000000000000000ull },
	{ "e", 1024ull << 50 }, { "E", 1024ull << 50 }, { "EiB", 1024ull << 50 }, { "EB", 1000000000000000000ull },
};

int domain_parse_size_kib(const char *value, const char *unit, unsigned long long *kib_r, char **err_r)
{
	unsigned long long v, mult = 1024, kib;
	unsigned __int128 bytes;
	int rc, found = 0;

	if (unit) {
		for (size_t i = 0; i < sizeof(size_units) / sizeof(size_units[0]); i++)
			if (!strcmp(unit, size_units[i].name)) {
				mult = size_units[i].bytes;
				found = 1;
			}
		/* libvirt also accepts "k", "m"... in either case for the short forms. */
		if (!found && strlen(unit) == 1)
			for (size_t i = 0; i < sizeof(size_units) / sizeof(size_units[0]); i++)
				if (!strcasecmp(unit, size_units[i].name)) {
					mult = size_units[i].bytes;
					found = 1;
				}
		if (!found) {
			if (err_r)
				*err_r = str_printf("unknown memory unit '%s'", unit);
			return -EINVAL;
		}
	}
	rc = parse_ull(value, ~0ull, &v);
	if (rc == -EINVAL) {
		if (err_r)
			*err_r = str_printf("invalid memory size '%s': not an unsigned decimal number", value ? value : "");
		return rc;
	}
	if (rc == -ERANGE) {
		if (err_r)
			*err_r = str_printf("memory size '%s' is too large", value);
		return rc;
	}
	bytes = (unsigned __int128)v * mult;
	kib = (unsigned long long)((bytes + 1023) / 1024 > (unsigned __int128)~0ull ? ~0ull : (bytes + 1023) / 1024);
	if (kib > DOMAIN_MEMORY_MAX_KIB) {
		if (err_r)
			*err_r = str_printf("memory size '%s%s%s' is too large (at most %llu KiB)", value,
					      unit ? " " : "", unit ? unit : "", DOMAIN_MEMORY_MAX_KIB);
		return -ERANGE;
	}
	*kib_r = kib;
	return 0;
}

int domain_uuid_canon(const char *in, char out[37])
{
	uint8_t uuid[16];

	if (!in || uuid_from_string_loose(in, uuid) < 0)
		return -EINVAL;
	uuid_to_string(uuid, out);
	return 0;
}

void domain_def_init(struct domain_def *def)
{
	memset(def, 0, sizeof(*def));
}

static void extra_dispose(struct domain_extra *ex)
{
	free(ex->xml);
	ex->xml = NULL;
}

static void disk_dispose(struct domain_disk *d)
{
	free(d->type);
	free(d->device);
	free(d->driver_name);
	free(d->driver_type);
	free(d->driver_cache);
	free(d->driver_discard);
	free(d->source);
	free(d->target_dev);
	free(d->target_bus);
	extra_dispose(&d->extra);
}

static void interface_dispose(struct domain_interface *i)
{
	free(i->type);
	free(i->mac);
	free(i->source_bridge);
	free(i->source_network);
	free(i->script);
	free(i->downscript);
	free(i->model);
	free(i->target_dev);
	free(i->ip);
	free(i->virtualport_type);
	extra_dispose(&i->extra);
}

static void chardev_dispose(struct domain_chardev *c)
{
	free(c->type);
	free(c->source_path);
	free(c->source_mode);
	free(c->source_host);
	free(c->source_service);
	free(c->protocol);
	free(c->target_type);
	extra_dispose(&c->extra);
}

static void graphics_dispose(struct domain_graphics *g)
{
	free(g->type);
	free(g->autoport);
	free(g->listen);
	free(g->passwd);
	free(g->keymap);
	free(g->display);
	free(g->xauth);
	free(g->fullscreen);
	extra_dispose(&g->extra);
}

void domain_def_dispose(struct domain_def *def)
{
	free(def->virt_type);
	free(def->name);
	free(def->uuid);
	free(def->title);
	free(def->description);
	free(def->vcpu_placement);
	free(def->bootloader);
	free(def->bootloader_args);
	free(def->os_type);
	free(def->os_arch);
	free(def->os_machine);
	free(def->kernel);
	free(def->initrd);
	free(def->cmdline);
	free(def->loader);
	free(def->loader_type);
	free(def->loader_readonly);
	for (size_t i = 0; i < def->n_boot; i++)
		free(def->boot[i]);
	extra_dispose(&def->os_extra);
	for (size_t i = 0; i < def->n_features; i++) {
		free(def->features[i].name);
		free(def->features[i].state);
	}
	free(def->features);
	extra_dispose(&def->features_extra);
	free(def->clock_offset);
	free(def->clock_adjustment);
	free(def->clock_basis);
	free(def->clock_timezone);
	extra_dispose(&def->clock_extra);
	free(def->on_poweroff);
	free(def->on_reboot);
	free(def->on_crash);
	free(def->emulator);
	for (size_t i = 0; i < def->n_disks; i++)
		disk_dispose(&def->disks[i]);
	free(def->disks);
	for (size_t i = 0; i < def->n_interfaces; i++)
		interface_dispose(&def->interfaces[i]);
	free(def->interfaces);
	for (size_t i = 0; i < def->n_chardevs; i++)
		chardev_dispose(&def->chardevs[i]);
	free(def->chardevs);
	for (size_t i = 0; i < def->n_graphics; i++)
		graphics_dispose(&def->graphics[i]);
	free(def->graphics);
	for (size_t i = 0; i < def->n_inputs; i++) {
		free(def->inputs[i].type);
		free(def->inputs[i].bus);
	}
	free(def->inputs);
	for (size_t i = 0; i < def->n_videos; i++) {
		free(def->videos[i].model);
		free(def->videos[i].primary);
		extra_dispose(&def->videos[i].extra);
	}
	free(def->videos);
	free(def->hostdevs);
	extra_dispose(&def->devices_extra);
	extra_dispose(&def->extra);
	memset(def, 0, sizeof(*def));
}

static int os_type_is_pv(const struct domain_def *def)
{
	return def->os_type && (!strcmp(def->os_type, "linux") || !strcmp(def->os_type, "xen"));
}

static int os_machine_is_pvh(const struct domain_def *def)
{
	return def->os_machine && !strcmp(def->os_machine, "xenpvh");
}

int domain_is_xen_pv(const struct domain_def *def)
{
	return os_type_is_pv(def) && !os_machine_is_pvh(def);
}

int domain_is_xen_pvh(const struct domain_def *def)
{
	return (def->os_type && !strcmp(def->os_type, "xenpvh")) || (os_type_is_pv(def) && os_machine_is_pvh(def));
}

int domain_is_hvm(const struct domain_def *def)
{
	return def->os_type && !strcmp(def->os_type, "hvm");
}

/*
 * Refuses kept, uninterpreted elements unless their name is in `allowed`
 * (elements that change nothing for the target, like <address>).
 */
static int check_extra(const struct domain_extra *ex, const char *path, const char *target,
		       const char *const *allowed, char **err_r)
{
	bool warn = !err_r;

	const char *p = ex->xml;

	while (p && *p) {
		const char *nl = strchr(p, '\n');

		if (*p == '<') {
			char name[64];
			size_t n = strcspn(p + 1, " />\n");
			int ok = 0;

			snprintf(name, sizeof(name), "%.*s", (int)(n < 63 ? n : 63), p + 1);
			for (size_t i = 0; allowed && allowed[i]; i++)
				if (!strcmp(allowed[i], name))
					ok = 1;
			if (!ok && warn) {
				log_warnx("element '%s%s%s' is not supported by %s", path, *path ? "/" : "", name,
					  target);
			} else if (!ok) {
				if (!*err_r)
					*err_r = str_printf("element '%s%s%s' is not supported by %s", path,
							      *path ? "/" : "", name, target);
				return -ENOTSUP;
			}
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	return 0;
}

static const char *const top_ok[] = { "metadata", "seclabel", "resource", NULL };
static const char *const devices_ok[] = { "controller", "memballoon", NULL };
static const char *const device_ok[] = { "address", "alias", NULL };

void domain_warn_extra(const struct domain_def *def, const char *target)
{
	domain_check_extra(def, target, NULL);
}

int domain_check_extra(const struct domain_def *def, const char *target, char **err_r)
{
	int rc;

	rc = check_extra(&def->extra, "", target, top_ok, err_r);
	if (!rc)
		rc = check_extra(&def->os_extra, "os", target, NULL, err_r);
	if (!rc)
		rc = check_extra(&def->features_extra, "features", target, NULL, err_r);
	if (!rc)
		rc = check_extra(&def->clock_extra, "clock", target, NULL, err_r);
	if (!rc)
		rc = check_extra(&def->devices_extra, "devices", target, devices_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_disks; i++)
		rc = check_extra(&def->disks[i].extra, "devices/disk", target, device_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_interfaces; i++)
		rc = check_extra(&def->interfaces[i].extra, "devices/interface", target, device_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_chardevs; i++)
		rc = check_extra(&def->chardevs[i].extra,
				 def->chardevs[i].kind == DOMAIN_CHARDEV_CONSOLE ? "devices/console" : "devices/serial",
				 target, device_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_graphics; i++)
		rc = check_extra(&def->graphics[i].extra, "devices/graphics", target, device_ok, err_r);
	for (size_t i = 0; !rc && i < def->n_videos; i++)
		rc = check_extra(&def->videos[i].extra, "devices/video", target, device_ok, err_r);
	return rc;
}

/* Grows an array by one zeroed element; bounded by DOMAIN_DEVICES_MAX. */
int domain_array_grow(void **arr, size_t *n, size_t size, void **elem_r)
{
	void *p;

	if (*n >= DOMAIN_DEVICES_MAX)
		return -E2BIG;
	p = realloc(*arr, (*n + 1) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	p = (char *)p + *n * size;
	memset(p, 0, size);
	(*n)++;
	*elem_r = p;
	return 0;
}

static void *grow(struct parse_ctx *pc, void **arr, size_t *n, size_t size, const char *what)
{
	void *p;
	int rc = domain_array_grow(arr, n, size, &p);

	if (rc == -E2BIG)
		parse_fail(pc, rc, "too many %s elements (at most %u)", what, DOMAIN_DEVICES_MAX);
	else if (rc)
		parse_fail(pc, rc, "out of memory");
	return rc ? NULL : p;
}

/* Sets *dst to a copy of a singleton element's text; a second copy is an error. */
static int take_text(struct parse_ctx *pc, xmlNodePtr n, char **dst, const char *path)
{
	if (*dst)
		return parse_fail(pc, -EINVAL, "element '%s' appears more than once", path);
	check_attrs(n, path, NULL);
	check_leaf(n, path);
	*dst = xml_util_text(n);
	return *dst ? 0 : parse_fail(pc, -ENOMEM, "out of memory");
}

static int check_action(struct parse_ctx *pc, const char *elem, const char *v)
{
	static const char *const ok[] = { "destroy", "restart", "preserve", "rename-restart",
					  "coredump-destroy", "coredump-restart", NULL };

	for (size_t i = 0; ok[i]; i++)
		if (!strcmp(v, ok[i]))
			return 0;
	return parse_fail(pc, -EINVAL, "invalid %s value '%s'", elem, v);
}

static int parse_memory(struct parse_ctx *pc, xmlNodePtr n, unsigned long long *kib, const char *path)
{
	char *unit = NULL, *text = NULL, *err = NULL;
	int rc;

	if (*kib)
		return parse_fail(pc, -EINVAL, "element '%s' appears more than once", path);
	unit = xml_util_prop(n, "unit");
	text = xml_util_text(n);
	rc = domain_parse_size_kib(text, unit, kib, &err);
	if (rc) {
		parse_fail(pc, rc, "%s: %s", path, err ? err : "invalid size");
		goto out;
	}
	if (*kib == 0 && strcmp(path, "maxMemory"))
		rc = parse_fail(pc, -EINVAL, "%s: memory size must be greater than zero", path);
out:
	free(err);
	free(unit);
	free(text);
	return rc;
}

static int parse_vcpu(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n)
{
	char *text = NULL, *cur = NULL;
	unsigned long long v;
	int rc = 0;

	if (def->vcpus)
		return parse_fail(pc, -EINVAL, "element 'vcpu' appears more than once");
	check_attrs(n, "vcpu", "placement", "current", "cpuset", NULL);
	check_leaf(n, "vcpu");
	text = xml_util_text(n);
	if (parse_ull(text, DOMAIN_VCPUS_MAX, &v) || v == 0) {
		rc = parse_fail(pc, -EINVAL, "invalid vcpu count '%s' (1 to %u)", text ? text : "", DOMAIN_VCPUS_MAX);
		goto out;
	}
	def->vcpus = (unsigned)v;
	def->vcpu_placement = xml_util_prop(n, "placement");
	cur = xml_util_prop(n, "current");
	if (cur) {
		if (parse_ull(cur, def->vcpus, &v) || v == 0) {
			rc = parse_fail(pc, -EINVAL, "invalid current vcpu count '%s' (1 to %u)", cur, def->vcpus);
			goto out;
		}
		def->vcpus_current = (unsigned)v;
	}
	{
		char *cpuset = xml_util_prop(n, "cpuset");

		if (cpuset)
			log_warnx("domain XML: attribute 'cpuset' of 'vcpu' is not supported, ignored");
		free(cpuset);
	}
out:
	free(text);
	free(cur);
	return rc;
}

static int parse_os(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr os)
{
	int rc;

	check_attrs(os, "os", NULL);
	for (xmlNodePtr c = os->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		rc = 0;
		if (is_el(c, "type")) {
			check_attrs(c, "os/type", "arch", "machine", NULL);
			if (def->os_type)
				return parse_fail(pc, -EINVAL, "element 'os/type' appears more than once");
			def->os_type = xml_util_text(c);
			def->os_arch = xml_util_prop(c, "arch");
			def->os_machine = xml_util_prop(c, "machine");
		} else if (is_el(c, "kernel")) {
			rc = take_text(pc, c, &def->kernel, "os/kernel");
		} else if (is_el(c, "initrd")) {
			rc = take_text(pc, c, &def->initrd, "os/initrd");
		} else if (is_el(c, "cmdline")) {
			rc = take_text(pc, c, &def->cmdline, "os/cmdline");
		} else if (is_el(c, "loader")) {
			if (def->loader)
				return parse_fail(pc, -EINVAL, "element 'os/loader' appears more than once");
			check_attrs(c, "os/loader", "type", "readonly", NULL);
			def->loader = xml_util_text(c);
			def->loader_type = xml_util_prop(c, "type");
			def->loader_readonly = xml_util_prop(c, "readonly");
		} else if (is_el(c, "boot") && def->n_boot < DOMAIN_BOOT_MAX) {
			check_attrs(c, "os/boot", "dev", NULL);
			def->boot[def->n_boot] = xml_util_prop(c, "dev");
			if (!def->boot[def->n_boot])
				return parse_fail(pc, -EINVAL, "element 'os/boot' has no dev attribute");
			def->n_boot++;
		} else {
			rc = keep_extra(pc, &def->os_extra, c, "os", 2);
		}
		if (rc)
			return rc;
	}
	if (!def->os_type)
		return parse_fail(pc, -EINVAL, "missing os type: element 'os/type'");
	return 0;
}

static int parse_features(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr fe)
{
	def->has_features = 1;
	check_attrs(fe, "features", NULL);
	for (xmlNodePtr c = fe->children; c; c = c->next) {
		struct domain_feature *f;
		int simple = 1;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		/* Simple flags only; anything with children or other attributes is kept whole. */
		if (c->ns || c->children)
			simple = 0;
		for (xmlAttrPtr a = c->properties; a; a = a->next)
			if (a->ns || strcmp((const char *)a->name, "state"))
				simple = 0;
		if (!simple) {
			int rc = keep_extra(pc, &def->features_extra, c, "features", 2);

			if (rc)
				return rc;
			continue;
		}
		f = grow(pc, (void **)&def->features, &def->n_features, sizeof(*f), "features");
		if (!f)
			return pc->rc;
		f->name = strdup((const char *)c->name);
		f->state = xml_util_prop(c, "state");
	}
	return 0;
}

static int parse_clock(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr cl)
{
	if (def->has_clock)
		return parse_fail(pc, -EINVAL, "element 'clock' appears more than once");
	def->has_clock = 1;
	check_attrs(cl, "clock", "offset", "adjustment", "basis", "timezone", NULL);
	def->clock_offset = xml_util_prop(cl, "offset");
	def->clock_adjustment = xml_util_prop(cl, "adjustment");
	def->clock_basis = xml_util_prop(cl, "basis");
	def->clock_timezone = xml_util_prop(cl, "timezone");
	for (xmlNodePtr c = cl->children; c; c = c->next) {
		int rc;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		rc = keep_extra(pc, &def->clock_extra, c, "clock", 2);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_disk(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n)
{
	struct domain_disk *d = grow(pc, (void **)&def->disks, &def->n_disks, sizeof(*d), "disk");
	bool have_driver = false;	/* a second <driver> is kept as written, not read */
	int rc;

	if (!d)
		return pc->rc;
	check_attrs(n, "devices/disk", "type", "device", NULL);
	d->type = xml_util_prop(n, "type");
	d->device = xml_util_prop(n, "device");
	if (!d->type)
		return parse_fail(pc, -EINVAL, "missing 'type' attribute of 'devices/disk'");
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		rc = 0;
		if (is_el(c, "driver") && !have_driver) {
			have_driver = true;
			check_attrs(c, "devices/disk/driver", "name", "type", "cache", "discard", NULL);
			check_leaf(c, "devices/disk/driver");
			d->driver_name = xml_util_prop(c, "name");
			d->driver_type = xml_util_prop(c, "type");
			d->driver_cache = xml_util_prop(c, "cache");
			d->driver_discard = xml_util_prop(c, "discard");
		} else if (is_el(c, "source") && !d->source && !c->children && c->properties &&
			   !c->properties->next && !c->properties->ns &&
			   (!strcmp((const char *)c->properties->name, "file") ||
			    !strcmp((const char *)c->properties->name, "dev"))) {
			d->source = xml_util_prop(c, (const char *)c->properties->name);
			if (!strcmp(d->type, "file") != !strcmp((const char *)c->properties->name, "file"))
				return parse_fail(pc, -EINVAL, "disk of type '%s' cannot use <source %s=...>",
						  d->type, c->properties->name);
		} else if (is_el(c, "target") && !d->target_dev) {
			check_attrs(c, "devices/disk/target", "dev", "bus", NULL);
			check_leaf(c, "devices/disk/target");
			d->target_dev = xml_util_prop(c, "dev");
			d->target_bus = xml_util_prop(c, "bus");
			if (!d->target_dev)
				return parse_fail(pc, -EINVAL, "missing 'dev' attribute of 'devices/disk/target'");
		} else if (is_el(c, "readonly")) {
			d->readonly = 1;
		} else if (is_el(c, "shareable")) {
			d->shareable = 1;
		} else {
			rc = keep_extra(pc, &d->extra, c, "devices/disk", 3);
		}
		if (rc)
			return rc;
	}
	if (!d->target_dev)
		return parse_fail(pc, -EINVAL, "missing target information for device '%s'",
				  d->source ? d->source : "disk");
	return 0;
}

/* A number attribute of 0 to max; absent is an error. */
static int parse_num_attr(struct parse_ctx *pc, xmlNodePtr n, const char *path, const char *name,
			  unsigned long long max, unsigned long long *out)
{
	char *v = xml_util_prop(n, name);
	int rc = 0;

	if (!v || parse_ull(v, max, out))
		rc = parse_fail(pc, -EINVAL, "invalid '%s' of '%s': '%s' (0 to %llu)", name, path, v ? v : "", max);
	free(v);
	return rc;
}

/* <vlan [trunk='yes']><tag id='N'/>...</vlan> */
static int parse_vlan(struct parse_ctx *pc, struct domain_interface *it, xmlNodePtr n)
{
	char *trunk = xml_util_prop(n, "trunk");

	check_attrs(n, "devices/interface/vlan", "trunk", NULL);
	it->vlan_trunk = trunk && !strcmp(trunk, "yes");
	if (trunk && !it->vlan_trunk && strcmp(trunk, "no")) {
		free(trunk);
		return parse_fail(pc, -EINVAL, "invalid 'trunk' of 'devices/interface/vlan' (yes or no)");
	}
	free(trunk);
	for (xmlNodePtr c = n->children; c; c = c->next) {
		unsigned long long id;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!is_el(c, "tag"))
			return parse_fail(pc, -ENOTSUP, "element 'devices/interface/vlan/%s' is not supported", c->name);
		check_attrs(c, "devices/interface/vlan/tag", "id", NULL);
		if (it->n_vlan_tags == DOMAIN_VLAN_TAGS_MAX)
			return parse_fail(pc, -E2BIG, "too many VLAN tags (at most %u)", DOMAIN_VLAN_TAGS_MAX);
		if (parse_num_attr(pc, c, "devices/interface/vlan/tag", "id", 4095, &id))
			return pc->rc;
		it->vlan_tags[it->n_vlan_tags++] = (unsigned)id;
	}
	if (!it->n_vlan_tags)
		return parse_fail(pc, -EINVAL, "element 'devices/interface/vlan' has no tag");
	return 0;
}

/* <bandwidth><outbound average='KiB/s'/></bandwidth>: the guest's send rate, as xl's rate= limits it. */
static int parse_bandwidth(struct parse_ctx *pc, struct domain_interface *it, xmlNodePtr n)
{
	check_attrs(n, "devices/interface/bandwidth", NULL);
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!is_el(c, "outbound") || it->outbound_kbps || c->properties == NULL || c->properties->next ||
		    strcmp((const char *)c->properties->name, "average"))
			return parse_fail(pc, -ENOTSUP, "element 'devices/interface/bandwidth/%s' other than "
					  "<outbound average=> is not supported", c->name);
		if (parse_num_attr(pc, c, "devices/interface/bandwidth/outbound", "average", 1ull << 40,
				   &it->outbound_kbps))
			return pc->rc;
		if (!it->outbound_kbps)
			return parse_fail(pc, -EINVAL, "'average' of 'devices/interface/bandwidth/outbound' is 0");
	}
	return 0;
}

static int parse_interface(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n)
{
	struct domain_interface *it = grow(pc, (void **)&def->interfaces, &def->n_interfaces, sizeof(*it),
					   "interface");
	int rc;

	if (!it)
		return pc->rc;
	check_attrs(n, "devices/interface", "type", NULL);
	it->type = xml_util_prop(n, "type");
	if (!it->type)
		return parse_fail(pc, -EINVAL, "missing 'type' attribute of 'devices/interface'");
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		rc = 0;
		if (is_el(c, "mac") && !it->mac) {
			uint8_t mac[6];

			check_attrs(c, "devices/interface/mac", "address", NULL);
			it->mac = xml_util_prop(c, "address");
			/* the launcher's own reading, so both refuse the same */
			if (!it->mac || nic_mac_parse(it->mac, mac) < 0)
				return parse_fail(pc, -EINVAL, "unable to parse mac address '%s'",
						  it->mac ? it->mac : "");
			nic_mac_format(mac, it->mac);	/* same length: xx:xx:... */
		} else if (is_el(c, "source") && !it->source_bridge && !it->source_network && !c->children &&
			   c->properties && !c->properties->next && !c->properties->ns &&
			   (!strcmp((const char *)c->properties->name, "bridge") ||
			    !strcmp((const char *)c->properties->name, "network"))) {
			if (!strcmp((const char *)c->properties->name, "bridge"))
				it->source_bridge = xml_util_prop(c, "bridge");
			else
				it->source_network = xml_util_prop(c, "network");
		} else if (is_el(c, "script") && !it->script) {
			check_attrs(c, "devices/interface/script", "path", NULL);
			it->script = xml_util_prop(c, "path");
		} else if (is_el(c, "downscript") && !it->downscript) {
			check_attrs(c, "devices/interface/downscript", "path", NULL);
			it->downscript = xml_util_prop(c, "path");
		} else if (is_el(c, "driver") && !it->driver_queues && !c->children && c->properties &&
			   !c->properties->next && !c->properties->ns &&
			   !strcmp((const char *)c->properties->name, "queues")) {
			/* <driver queues='N'/> alone; any other driver setting is kept as written. */
			char *q = xml_util_prop(c, "queues"), *end = NULL;
			unsigned long v = q && isdigit((unsigned char)*q) ? strtoul(q, &end, 10) : 0;

			if (!v || *end || v > 256) {
				rc = parse_fail(pc, -EINVAL, "invalid 'queues' of 'devices/interface/driver': '%s'",
						q ? q : "");
				free(q);
				return rc;
			}
			free(q);
			it->driver_queues = (unsigned)v;
		} else if (is_el(c, "model") && !it->model) {
			check_attrs(c, "devices/interface/model", "type", NULL);
			it->model = xml_util_prop(c, "type");
		} else if (is_el(c, "target") && !it->target_dev) {
			check_attrs(c, "devices/interface/target", "dev", NULL);
			it->target_dev = xml_util_prop(c, "dev");
		} else if (is_el(c, "ip") && !it->ip && c->properties && !c->properties->next &&
			   !strcmp((const char *)c->properties->name, "address")) {
			it->ip = xml_util_prop(c, "address");
		} else if (is_el(c, "virtualport") && !it->virtualport_type && !xmlFirstElementChild(c)) {
			check_attrs(c, "devices/interface/virtualport", "type", NULL);
			it->virtualport_type = xml_util_prop(c, "type");
			if (!it->virtualport_type)
				return parse_fail(pc, -EINVAL, "missing 'type' attribute of 'devices/interface/virtualport'");
		} else if (is_el(c, "vlan") && !it->n_vlan_tags) {
			rc = parse_vlan(pc, it, c);
		} else if (is_el(c, "bandwidth") && !it->outbound_kbps) {
			rc = parse_bandwidth(pc, it, c);
		} else {
			rc = keep_extra(pc, &it->extra, c, "devices/interface", 3);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_port(const char *s, int min, int max, int *out)
{
	long long v;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max || isspace((unsigned char)*s))
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int parse_chardev(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n, enum domain_chardev_kind kind)
{
	const char *path = kind == DOMAIN_CHARDEV_CONSOLE ? "devices/console" : "devices/serial";
	struct domain_chardev *cd = grow(pc, (void **)&def->chardevs, &def->n_chardevs, sizeof(*cd), path);
	int have_source = 0, rc;

	if (!cd)
		return pc->rc;
	cd->kind = kind;
	cd->target_port = -1;
	check_attrs(n, path, "type", "tty", NULL);
	cd->type = xml_util_prop(n, "type");
	if (!cd->type)
		return parse_fail(pc, -EINVAL, "missing 'type' attribute of '%s'", path);
	for (xmlNodePtr c = n->children; c; c = c->next) {
		char sub[64];

		if (c->type != XML_ELEMENT_NODE)
			continue;
		rc = 0;
		if (is_el(c, "source") && !have_source) {
			have_source = 1;
			snprintf(sub, sizeof(sub), "%s/source", path);
			check_attrs(c, sub, "path", "mode", "host", "service", NULL);
			check_leaf(c, sub);
			cd->source_path = xml_util_prop(c, "path");
			cd->source_mode = xml_util_prop(c, "mode");
			cd->source_host = xml_util_prop(c, "host");
			cd->source_service = xml_util_prop(c, "service");
		} else if (is_el(c, "protocol") && !cd->protocol) {
			cd->protocol = xml_util_prop(c, "type");
		} else if (is_el(c, "target") && !cd->target_type && cd->target_port < 0) {
			char *port;

			snprintf(sub, sizeof(sub), "%s/target", path);
			check_attrs(c, sub, "type", "port", NULL);
			check_leaf(c, sub);
			cd->target_type = xml_util_prop(c, "type");
			port = xml_util_prop(c, "port");
			if (port && parse_port(port, 0, 65535, &cd->target_port)) {
				rc = parse_fail(pc, -EINVAL, "invalid port '%s' of '%s'", port, sub);
				free(port);
				return rc;
			}
			free(port);
		} else {
			rc = keep_extra(pc, &cd->extra, c, path, 3);
		}
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_graphics(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n)
{
	struct domain_graphics *g = grow(pc, (void **)&def->graphics, &def->n_graphics, sizeof(*g), "graphics");
	char *port = NULL;
	int rc;

	if (!g)
		return pc->rc;
	check_attrs(n, "devices/graphics", "type", "port", "autoport", "listen", "passwd", "keymap", "display",
		    "xauth", "fullscreen", NULL);
	g->type = xml_util_prop(n, "type");
	if (!g->type)
		return parse_fail(pc, -EINVAL, "missing 'type' attribute of 'devices/graphics'");
	g->port = DOMAIN_PORT_ABSENT;
	port = xml_util_prop(n, "port");
	if (port && parse_port(port, -1, 65535, &g->port)) {
		rc = parse_fail(pc, -EINVAL, "invalid graphics port '%s'", port);
		free(port);
		return rc;
	}
	free(port);
	g->autoport = xml_util_prop(n, "autoport");
	g->listen = xml_util_prop(n, "listen");
	g->passwd = xml_util_prop(n, "passwd");
	g->keymap = xml_util_prop(n, "keymap");
	g->display = xml_util_prop(n, "display");
	g->xauth = xml_util_prop(n, "xauth");
	g->fullscreen = xml_util_prop(n, "fullscreen");
	for (xmlNodePtr c = n->children; c; c = c->next) {
		char *type = NULL, *addr = NULL;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, "listen")) {
			type = xml_util_prop(c, "type");
			addr = xml_util_prop(c, "address");
		}
		if (type && !strcmp(type, "address") && addr && !c->children && !c->properties->next->next &&
		    (!g->listen || !strcmp(g->listen, addr))) {
			/* libvirt writes the address both ways; the model holds it once. */
			if (!g->listen) {
				g->listen = addr;
				addr = NULL;
			}
			rc = 0;
		} else {
			rc = keep_extra(pc, &g->extra, c, "devices/graphics", 3);
		}
		free(type);
		free(addr);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_input(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n)
{
	struct domain_input *in = grow(pc, (void **)&def->inputs, &def->n_inputs, sizeof(*in), "input");

	if (!in)
		return pc->rc;
	check_attrs(n, "devices/input", "type", "bus", NULL);
	check_leaf(n, "devices/input");
	in->type = xml_util_prop(n, "type");
	in->bus = xml_util_prop(n, "bus");
	if (!in->type)
		return parse_fail(pc, -EINVAL, "missing 'type' attribute of 'devices/input'");
	return 0;
}

static int parse_video(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n)
{
	struct domain_video *v = grow(pc, (void **)&def->videos, &def->n_videos, sizeof(*v), "video");
	int rc, have_model = 0;

	if (!v)
		return pc->rc;
	check_attrs(n, "devices/video", NULL);
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		rc = 0;
		if (is_el(c, "model") && !have_model) {
			char *s;
			unsigned long long u = 0;

			have_model = 1;
			check_attrs(c, "devices/video/model", "type", "vram", "heads", "primary", NULL);
			check_leaf(c, "devices/video/model");
			v->model = xml_util_prop(c, "type");
			v->primary = xml_util_prop(c, "primary");
			s = xml_util_prop(c, "vram");
			if (s && (parse_ull(s, 1u << 30, &u) || !u))
				rc = parse_fail(pc, -EINVAL, "invalid video vram '%s'", s);
			else if (s)
				v->vram = (unsigned)u;
			free(s);
			s = xml_util_prop(c, "heads");
			if (!rc && s && (parse_ull(s, 16, &u) || !u))
				rc = parse_fail(pc, -EINVAL, "invalid video heads '%s'", s);
			else if (!rc && s)
				v->heads = (unsigned)u;
			free(s);
		} else {
			rc = keep_extra(pc, &v->extra, c, "devices/video", 3);
		}
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * The xenbus controller, when it says no more than its limits; 1 when read,
 * 0 when it is to be kept as written, or a negative errno.
 */
static int parse_xenbus(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n)
{
	char *type = xml_util_prop(n, "type"), *index = xml_util_prop(n, "index");
	bool ours = type && !strcmp(type, "xenbus") && (!index || !strcmp(index, "0")) && !xmlFirstElementChild(n) &&
		    !def->has_xenbus;
	unsigned long long v;

	for (xmlAttrPtr a = n->properties; ours && a; a = a->next)
		ours = !a->ns && (!strcmp((const char *)a->name, "type") || !strcmp((const char *)a->name, "index") ||
				  !strcmp((const char *)a->name, "maxGrantFrames") ||
				  !strcmp((const char *)a->name, "maxEventChannels"));
	free(type);
	free(index);
	if (!ours)
		return 0;
	def->has_xenbus = 1;
	if (xmlHasProp(n, (const xmlChar *)"maxGrantFrames")) {
		if (parse_num_attr(pc, n, "devices/controller", "maxGrantFrames", UINT32_MAX, &v) || !v)
			return parse_fail(pc, -EINVAL, "invalid 'maxGrantFrames' of 'devices/controller': 0");
		def->xenbus_max_grant_frames = (unsigned)v;
	}
	if (xmlHasProp(n, (const xmlChar *)"maxEventChannels")) {
		if (parse_num_attr(pc, n, "devices/controller", "maxEventChannels", UINT32_MAX, &v) || !v)
			return parse_fail(pc, -EINVAL, "invalid 'maxEventChannels' of 'devices/controller': 0");
		def->xenbus_max_event_channels = (unsigned)v;
	}
	return 1;
}

/* A number attribute of 0 to max in C's spelling (0x1a, 26); false when absent or out of range. */
static bool hex_attr(xmlNodePtr n, const char *name, unsigned long max, unsigned *out)
{
	char *v = xml_util_prop(n, name), *end = NULL;
	unsigned long x = 0;
	bool ok;

	errno = 0;
	if (v && isdigit((unsigned char)*v))
		x = strtoul(v, &end, 0);
	ok = v && end && !*end && !errno && x <= max;
	free(v);
	*out = (unsigned)x;
	return ok;
}

/*
 * <hostdev mode='subsystem' type='pci' [managed=]><source [writeFiltering=]>
 * <address domain bus slot function/></source></hostdev>: 1 when read, 0
 * when it says more (kept as written), or a negative errno.
 */
static int parse_hostdev(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr n)
{
	char *mode = xml_util_prop(n, "mode"), *type = xml_util_prop(n, "type"), *managed = xml_util_prop(n, "managed");
	xmlNodePtr src = xmlFirstElementChild(n), addr = src ? xmlFirstElementChild(src) : NULL;
	char *wf = src ? xml_util_prop(src, "writeFiltering") : NULL;
	struct domain_hostdev h = { 0 }, *slot;
	bool simple = mode && type && !strcmp(mode, "subsystem") && !strcmp(type, "pci") && src && is_el(src, "source") &&
		      !xmlNextElementSibling(src) && addr && is_el(addr, "address") && !xmlNextElementSibling(addr) &&
		      !xmlFirstElementChild(addr);
	int rc = 0;

	for (xmlAttrPtr a = n->properties; simple && a; a = a->next)
		simple = !a->ns && (!strcmp((const char *)a->name, "mode") || !strcmp((const char *)a->name, "type") ||
				    !strcmp((const char *)a->name, "managed"));
	for (xmlAttrPtr a = simple ? src->properties : NULL; simple && a; a = a->next)
		simple = !a->ns && !strcmp((const char *)a->name, "writeFiltering");
	for (xmlAttrPtr a = simple ? addr->properties : NULL; simple && a; a = a->next)
		simple = !a->ns && (!strcmp((const char *)a->name, "domain") || !strcmp((const char *)a->name, "bus") ||
				    !strcmp((const char *)a->name, "slot") || !strcmp((const char *)a->name, "function"));
	if (!simple)
		goto out;
	if ((managed && strcmp(managed, "yes") && strcmp(managed, "no")) || (wf && strcmp(wf, "yes") && strcmp(wf, "no"))) {
		rc = parse_fail(pc, -EINVAL, "invalid 'managed' or 'writeFiltering' of 'devices/hostdev' (yes or no)");
		goto out;
	}
	if (!hex_attr(addr, "domain", 0xffff, &h.domain) || !hex_attr(addr, "bus", 0xff, &h.bus) ||
	    !hex_attr(addr, "slot", 0x1f, &h.slot) || !hex_attr(addr, "function", 7, &h.function)) {
		rc = parse_fail(pc, -EINVAL, "invalid PCI address of 'devices/hostdev/source/address' "
					     "(domain 0-0xffff, bus 0-0xff, slot 0-0x1f, function 0-7)");
		goto out;
	}
	h.managed = managed && !strcmp(managed, "yes");
	h.permissive = wf && !strcmp(wf, "no");
	slot = grow(pc, (void **)&def->hostdevs, &def->n_hostdevs, sizeof(*slot), "hostdev");
	if (!slot) {
		rc = pc->rc;
		goto out;
	}
	*slot = h;
	rc = 1;
out:
	free(mode);
	free(type);
	free(managed);
	free(wf);
	return rc;
}

static int parse_devices(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr devs)
{
	check_attrs(devs, "devices", NULL);
	for (xmlNodePtr c = devs->children; c; c = c->next) {
		int rc;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, "emulator"))
			rc = take_text(pc, c, &def->emulator, "devices/emulator");
		else if (is_el(c, "disk"))
			rc = parse_disk(pc, def, c);
		else if (is_el(c, "interface"))
			rc = parse_interface(pc, def, c);
		else if (is_el(c, "console"))
			rc = parse_chardev(pc, def, c, DOMAIN_CHARDEV_CONSOLE);
		else if (is_el(c, "serial"))
			rc = parse_chardev(pc, def, c, DOMAIN_CHARDEV_SERIAL);
		else if (is_el(c, "graphics"))
			rc = parse_graphics(pc, def, c);
		else if (is_el(c, "input"))
			rc = parse_input(pc, def, c);
		else if (is_el(c, "video"))
			rc = parse_video(pc, def, c);
		else if (is_el(c, "controller") && (rc = parse_xenbus(pc, def, c)) != 0)
			rc = rc < 0 ? rc : 0;
		else if (is_el(c, "hostdev") && (rc = parse_hostdev(pc, def, c)) != 0)
			rc = rc < 0 ? rc : 0;
		else
			rc = keep_extra(pc, &def->devices_extra, c, "devices", 2);
		if (rc)
			return rc;
	}
	return 0;
}

static int check_name(struct parse_ctx *pc, const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return parse_fail(pc, -EINVAL, "domain name must not be empty");
	if (n > 200)
		return parse_fail(pc, -EINVAL, "domain name is too long (%zu bytes, at most 200)", n);
	if (strchr(name, '/'))
		return parse_fail(pc, -EINVAL, "name %s cannot contain '/'", name);
	if (name[0] == '.')
		return parse_fail(pc, -EINVAL, "name %s cannot start with '.'", name);
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return parse_fail(pc, -EINVAL, "domain name contains a control character");
	return 0;
}

/*
 * Attribute values from libvirt's closed sets. They are checked when the
 * XML is read, so that a value made to be read as something else (a comma
 * and another option, for a command line built from it) never gets further.
 */
static const char *const disk_types[] = { "file", "block", "dir", "network", "volume", "nvme", "vhostuser", NULL };
static const char *const disk_devices[] = { "disk", "cdrom", "floppy", "lun", NULL };
static const char *const disk_formats[] = { "raw", "dir", "bochs", "cloop", "dmg", "iso", "vpc", "vdi", "fat",
					    "vhd", "ploop", "cow", "qcow", "qcow2", "qed", "vmdk", "luks", "vhdx",
					    NULL };
static const char *const disk_caches[] = { "default", "none", "writethrough", "writeback", "directsync",
					   "unsafe", NULL };
static const char *const disk_discards[] = { "default", "unmap", "ignore", NULL };
static const char *const disk_buses[] = { "ide", "fdc", "scsi", "virtio", "xen", "usb", "uml", "sata", "sd",
					  NULL };
static const char *const interface_types[] = { "user", "ethernet", "vhostuser", "server", "client", "mcast",
					       "network", "bridge", "internal", "direct", "hostdev", "udp",
					       "vdpa", "null", "vds", NULL };
static const char *const chardev_types[] = { "null", "vc", "pty", "dev", "file", "pipe", "stdio", "udp", "tcp",
					     "unix", "spicevmc", "spiceport", "nmdm", "qemu-vdagent", "dbus",
					     NULL };
static const char *const chardev_modes[] = { "bind", "connect", NULL };
static const char *const chardev_protocols[] = { "raw", "telnet", "telnets", "tls", NULL };
static const char *const console_targets[] = { "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp",
					       "sclplm", NULL };
static const char *const serial_targets[] = { "isa-serial", "usb-serial", "pci-serial", "spapr-vio-serial",
					      "system-serial", "sclp-serial", "isa-debug", NULL };
static const char *const graphics_types[] = { "sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus",
					      NULL };
static const char *const yes_no[] = { "yes", "no", NULL };
static const char *const video_models[] = { "vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "virtio", "gop",
					    "bochs", "ramfb", "none", NULL };

/* NULL (the attribute is absent) or one of ok. */
static int check_enum(struct parse_ctx *pc, const char *path, const char *attr, const char *v,
		      const char *const *ok)
{
	char expected[512];
	size_t o = 0;

	if (!v)
		return 0;
	for (size_t i = 0; ok[i]; i++)
		if (!strcmp(v, ok[i]))
			return 0;
	for (size_t i = 0; ok[i] && o < sizeof(expected); i++)
		o += (size_t)snprintf(expected + o, sizeof(expected) - o, "%s%s", i ? ", " : "", ok[i]);
	return parse_fail(pc, -EINVAL, "invalid value '%s' of attribute '%s' of '%s' (expected %s)", v, attr, path,
			  expected);
}

/*
 * A network interface name as the kernel takes it (1 to 15 bytes, no '/',
 * ':' or blank), or a model name as libvirt's schema has it
 * ([a-zA-Z0-9_-]+): sets too large to list.
 */
static int check_name_attr(struct parse_ctx *pc, const char *path, const char *attr, const char *v, bool ifname)
{
	size_t n = v ? strlen(v) : 1;
	bool ok = n && (!ifname || n < IFNAMSIZ);

	for (const char *p = v; ok && p && *p; p++)
		ok = ifname ? *p != '/' && *p != ':' && *p > ' ' && *p != 0x7f :
			      isalnum((unsigned char)*p) || *p == '_' || *p == '-';
	if (ok)
		return 0;
	return parse_fail(pc, -EINVAL, "invalid value '%s' of attribute '%s' of '%s' (%s)", v, attr, path,
			  ifname ? "an interface name: 1 to 15 characters, no '/', ':' or blank" :
				   "letters, digits, '_' and '-'");
}

static int check_devices(struct parse_ctx *pc, const struct domain_def *def)
{
	int rc = 0;

	for (size_t i = 0; i < def->n_disks; i++)
		if (!disk_name_usable(def->disks[i].target_dev))
			return parse_fail(pc, -EINVAL, "unknown disk name '%s' in 'devices/disk/target' "
					  "(xvda, hda, sda, vda..., fda)", def->disks[i].target_dev);

	for (size_t i = 0; !rc && i < def->n_disks; i++) {
		const struct domain_disk *d = &def->disks[i];

		rc = check_enum(pc, "devices/disk", "type", d->type, disk_types) ||
		     check_enum(pc, "devices/disk", "device", d->device, disk_devices) ||
		     check_enum(pc, "devices/disk/driver", "type", d->driver_type, disk_formats) ||
		     check_enum(pc, "devices/disk/driver", "cache", d->driver_cache, disk_caches) ||
		     check_enum(pc, "devices/disk/driver", "discard", d->driver_discard, disk_discards) ||
		     check_enum(pc, "devices/disk/target", "bus", d->target_bus, disk_buses);
	}
	for (size_t i = 0; !rc && i < def->n_interfaces; i++) {
		const struct domain_interface *it = &def->interfaces[i];

		rc = check_enum(pc, "devices/interface", "type", it->type, interface_types) ||
		     (it->target_dev && check_name_attr(pc, "devices/interface/target", "dev", it->target_dev, true)) ||
		     (it->source_bridge &&
		      check_name_attr(pc, "devices/interface/source", "bridge", it->source_bridge, true)) ||
		     (it->model && check_name_attr(pc, "devices/interface/model", "type", it->model, false));
	}
	for (size_t i = 0; !rc && i < def->n_chardevs; i++) {
		const struct domain_chardev *c = &def->chardevs[i];
		bool console = c->kind == DOMAIN_CHARDEV_CONSOLE;
		const char *path = console ? "devices/console" : "devices/serial";
		char sub[64];

		rc = check_enum(pc, path, "type", c->type, chardev_types);
		snprintf(sub, sizeof(sub), "%s/source", path);
		rc = rc || check_enum(pc, sub, "mode", c->source_mode, chardev_modes);
		snprintf(sub, sizeof(sub), "%s/protocol", path);
		rc = rc || check_enum(pc, sub, "type", c->protocol, chardev_protocols);
		snprintf(sub, sizeof(sub), "%s/target", path);
		rc = rc || check_enum(pc, sub, "type", c->target_type, console ? console_targets : serial_targets);
	}
	for (size_t i = 0; !rc && i < def->n_graphics; i++) {
		const struct domain_graphics *g = &def->graphics[i];

		rc = check_enum(pc, "devices/graphics", "type", g->type, graphics_types) ||
		     check_enum(pc, "devices/graphics", "autoport", g->autoport, yes_no) ||
		     check_enum(pc, "devices/graphics", "fullscreen", g->fullscreen, yes_no);
	}
	for (size_t i = 0; !rc && i < def->n_videos; i++)
		rc = check_enum(pc, "devices/video/model", "type", def->videos[i].model, video_models);
	return rc ? pc->rc : 0;
}

/*
 * A running guest's id. libvirt wrote id='-1' for inactive domains once:
 * that, like any id that is no domain ID of a guest, means none.
 */
static int parse_domain_id(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr root)
{
	char *text = xml_util_prop(root, "id"), *end = NULL;
	unsigned long id;

	if (!text)
		return 0;
	errno = 0;
	id = strtoul(text, &end, 10);
	if (text[0] >= '0' && text[0] <= '9' && !*end && !errno && id < 0x7ff0)
		def->id = (unsigned)id;	/* Xen's DOMID_FIRST_RESERVED is 0x7ff0 */
	else if (strcmp(text, "-1"))
		log_warnx("domain XML: id '%s' is not a domain ID, ignored", text);
	free(text);
	return 0;
}

static int parse_domain(struct parse_ctx *pc, struct domain_def *def, xmlNodePtr root)
{
	int rc;

	if (!is_el(root, "domain"))
		return parse_fail(pc, -EINVAL, "unexpected root element <%s>, expecting <domain>", root->name);
	check_attrs(root, "domain", "type", "id", NULL);
	def->virt_type = xml_util_prop(root, "type");
	if (!def->virt_type)
		return parse_fail(pc, -EINVAL, "missing domain type attribute");
	rc = parse_domain_id(pc, def, root);
	if (rc)
		return rc;
	for (xmlNodePtr c = root->children; c; c = c->next) {
		char **action = NULL;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		rc = 0;
		if (is_el(c, "name")) {
			rc = take_text(pc, c, &def->name, "name");
		} else if (is_el(c, "uuid")) {
			char canon[37], *text = NULL;

			rc = take_text(pc, c, &text, "uuid");
			if (!rc && domain_uuid_canon(text, canon))
				rc = parse_fail(pc, -EINVAL, "malformed uuid element: '%s'", text);
			if (!rc && def->uuid)
				rc = parse_fail(pc, -EINVAL, "element 'uuid' appears more than once");
			if (!rc)
				def->uuid = strdup(canon);
			free(text);
		} else if (is_el(c, "title")) {
			rc = take_text(pc, c, &def->title, "title");
		} else if (is_el(c, "description")) {
			rc = take_text(pc, c, &def->description, "description");
		} else if (is_el(c, "memory")) {
			check_attrs(c, "memory", "unit", "dumpCore", NULL);
			rc = parse_memory(pc, c, &def->memory_kib, "memory");
		} else if (is_el(c, "currentMemory")) {
			check_attrs(c, "currentMemory", "unit", NULL);
			rc = parse_memory(pc, c, &def->current_memory_kib, "currentMemory");
		} else if (is_el(c, "maxMemory")) {
			char *slots = xml_util_prop(c, "slots");
			unsigned long long s = 0;

			check_attrs(c, "maxMemory", "unit", "slots", NULL);
			rc = parse_memory(pc, c, &def->max_memory_kib, "maxMemory");
			if (!rc && slots && parse_ull(slots, 255, &s))
				rc = parse_fail(pc, -EINVAL, "invalid maxMemory slots '%s'", slots);
			def->max_memory_slots = (unsigned)s;
			free(slots);
		} else if (is_el(c, "vcpu")) {
			rc = parse_vcpu(pc, def, c);
		} else if (is_el(c, "bootloader")) {
			rc = take_text(pc, c, &def->bootloader, "bootloader");
		} else if (is_el(c, "bootloader_args")) {
			rc = take_text(pc, c, &def->bootloader_args, "bootloader_args");
		} else if (is_el(c, "os")) {
			if (def->os_type)
				return parse_fail(pc, -EINVAL, "element 'os' appears more than once");
			rc = parse_os(pc, def, c);
		} else if (is_el(c, "features")) {
			if (def->has_features)
				return parse_fail(pc, -EINVAL, "element 'features' appears more than once");
			rc = parse_features(pc, def, c);
		} else if (is_el(c, "clock")) {
			rc = parse_clock(pc, def, c);
		} else if (is_el(c, "on_poweroff")) {
			action = &def->on_poweroff;
		} else if (is_el(c, "on_reboot")) {
			action = &def->on_reboot;
		} else if (is_el(c, "on_crash")) {
			action = &def->on_crash;
		} else if (is_el(c, "devices")) {
			rc = parse_devices(pc, def, c);
		} else {
			rc = keep_extra(pc, &def->extra, c, NULL, 1);
		}
		if (action) {
			rc = take_text(pc, c, action, (const char *)c->name);
			if (!rc)
				rc = check_action(pc, (const char *)c->name, *action);
		}
		if (rc)
			return rc;
	}
	if (!def->name)
		return parse_fail(pc, -EINVAL, "missing name information");
	rc = check_name(pc, def->name);
	if (rc)
		return rc;
	if (!def->os_type)
		return parse_fail(pc, -EINVAL, "missing os type: element 'os/type'");
	return check_devices(pc, def);
}

int domain_check_limits(const char *xml, size_t len, char **err_r)
{
	/* The element names met under <devices> and their counts; the rest share one count. */
	struct {
		char name[24];
		unsigned n;
	} kinds[16];
	size_t n_kinds = 0;
	unsigned others = 0;
	xmlTextReaderPtr r;
	int rc = 0, in_devices = 0;

	*err_r = NULL;
	if (len > XML_UTIL_MAX_DOC || len > (size_t)INT32_MAX)
		return 0; /* the parser says so, in its words */
	r = xmlReaderForMemory(xml, (int)len, "domain.xml", NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!r)
		return 0;
	while (!rc && xmlTextReaderRead(r) == 1) {
		const char *name = (const char *)xmlTextReaderConstLocalName(r);
		int depth = xmlTextReaderDepth(r), type = xmlTextReaderNodeType(r);
		unsigned *count = &others;

		if (type != XML_READER_TYPE_ELEMENT || !name)
			continue;
		if (depth == 1)
			in_devices = !strcmp(name, "devices") || !strcmp(name, "features");
		if (depth != 2 || !in_devices)
			continue;
		for (size_t i = 0; i < n_kinds && count == &others; i++)
			if (!strcmp(kinds[i].name, name))
				count = &kinds[i].n;
		if (count == &others && n_kinds < sizeof(kinds) / sizeof(kinds[0]) && strlen(name) < sizeof(kinds[0].name)) {
			strcpy(kinds[n_kinds].name, name);
			kinds[n_kinds].n = 0;
			count = &kinds[n_kinds++].n;
		}
		if (++*count > DOMAIN_DEVICES_MAX) {
			*err_r = str_printf("too many %s elements (at most %u)", count == &others ? "device" : name,
					      DOMAIN_DEVICES_MAX);
			rc = *err_r ? -E2BIG : -ENOMEM;
		}
	}
	xmlFreeTextReader(r);
	return rc;
}

int domain_def_parse(struct domain_def *def, const char *xml, size_t len, char **err_r)
{
	struct parse_ctx pc = { err_r, 0 };
	xmlDocPtr doc = NULL;
	int rc;

	*err_r = NULL;
	/* Counting before building the tree: a hostile document is refused in its first kilobytes. */
	rc = domain_check_limits(xml, len, err_r);
	if (rc)
		return rc;
	rc = xml_util_parse(xml, len, &doc, err_r);
	if (rc)
		return rc;
	rc = parse_domain(&pc, def, xmlDocGetRootElement(doc));
	if (rc && !*err_r)
		*err_r = str_printf("cannot parse domain XML: %s", strerror(-rc));
	xmlFreeDoc(doc);
	return rc;
}

int domain_def_parse_file(struct domain_def *def, const char *path, char **err_r)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*err_r = NULL;
	rc = xml_util_read_file(path, &buf, &len, err_r);
	if (rc)
		return rc;
	rc = domain_def_parse(def, buf, len, err_r);
	free(buf);
	return rc;
}

/* Formatting. */

static void ind(FILE *f, int level)
{
	for (int i = 0; i < level; i++)
		fputs("  ", f);
}

static void attr(FILE *f, const char *name, const char *value)
{
	if (!value)
		return;
	fprintf(f, " %s='", name);
	xml_util_escape(f, value);
	fputc('\'', f);
}

static void text_el(FILE *f, int level, const char *name, const char *value)
{
	if (!value)
		return;
	ind(f, level);
	fprintf(f, "<%s>", name);
	xml_util_escape(f, value);
	fprintf(f, "</%s>\n", name);
}

static void extra_out(FILE *f, int level, const struct domain_extra *ex)
{
	const char *p = ex->xml;

	/*
	 * Each kept element was dumped at its own depth, so only its first line,
	 * the one that starts with '<' in column 0, lacks indentation.
	 */
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (*p == '<')
			ind(f, level);
		fwrite(p, 1, n, f);
		p += n;
	}
}

static void memory_out(FILE *f, const char *name, unsigned long long kib)
{
	if (!kib)
		return;
	fprintf(f, "  <%s unit='KiB'>%llu</%s>\n", name, kib, name);
}

static void disk_out(FILE *f, const struct domain_disk *d)
{
	fprintf(f, "    <disk");
	attr(f, "type", d->type);
	attr(f, "device", d->device ? d->device : "disk");
	fprintf(f, ">\n");
	if (d->driver_name || d->driver_type || d->driver_cache || d->driver_discard) {
		fprintf(f, "      <driver");
		attr(f, "name", d->driver_name);
		attr(f, "type", d->driver_type);
		attr(f, "cache", d->driver_cache);
		attr(f, "discard", d->driver_discard);
		fprintf(f, "/>\n");
	}
	if (d->source) {
		fprintf(f, "      <source");
		attr(f, !strcmp(d->type, "file") ? "file" : "dev", d->source);
		fprintf(f, "/>\n");
	}
	fprintf(f, "      <target");
	attr(f, "dev", d->target_dev);
	attr(f, "bus", d->target_bus);
	fprintf(f, "/>\n");
	if (d->readonly)
		fprintf(f, "      <readonly/>\n");
	if (d->shareable)
		fprintf(f, "      <shareable/>\n");
	extra_out(f, 3, &d->extra);
	fprintf(f, "    </disk>\n");
}

static void interface_out(FILE *f, const struct domain_interface *it)
{
	fprintf(f, "    <interface");
	attr(f, "type", it->type);
	fprintf(f, ">\n");
	if (it->mac) {
		fprintf(f, "      <mac");
		attr(f, "address", it->mac);
		fprintf(f, "/>\n");
	}
	if (it->source_bridge || it->source_network) {
		fprintf(f, "      <source");
		attr(f, "bridge", it->source_bridge);
		attr(f, "network", it->source_network);
		fprintf(f, "/>\n");
	}
	if (it->ip) {
		fprintf(f, "      <ip");
		attr(f, "address", it->ip);
		fprintf(f, "/>\n");
	}
	if (it->script) {
		fprintf(f, "      <script");
		attr(f, "path", it->script);
		fprintf(f, "/>\n");
	}
	if (it->target_dev) {
		fprintf(f, "      <target");
		attr(f, "dev", it->target_dev);
		fprintf(f, "/>\n");
	}
	if (it->downscript) {
		fprintf(f, "      <downscript");
		attr(f, "path", it->downscript);
		fprintf(f, "/>\n");
	}
	if (it->model) {
		fprintf(f, "      <model");
		attr(f, "type", it->model);
		fprintf(f, "/>\n");
	}
	if (it->driver_queues)
		fprintf(f, "      <driver queues='%u'/>\n", it->driver_queues);
	if (it->virtualport_type) {
		fprintf(f, "      <virtualport");
		attr(f, "type", it->virtualport_type);
		fprintf(f, "/>\n");
	}
	if (it->n_vlan_tags) {
		fprintf(f, "      <vlan%s>\n", it->vlan_trunk ? " trunk='yes'" : "");
		for (size_t i = 0; i < it->n_vlan_tags; i++)
			fprintf(f, "        <tag id='%u'/>\n", it->vlan_tags[i]);
		fprintf(f, "      </vlan>\n");
	}
	if (it->outbound_kbps)
		fprintf(f, "      <bandwidth>\n        <outbound average='%llu'/>\n      </bandwidth>\n",
			it->outbound_kbps);
	extra_out(f, 3, &it->extra);
	fprintf(f, "    </interface>\n");
}

static void chardev_out(FILE *f, const struct domain_chardev *c)
{
	const char *el = c->kind == DOMAIN_CHARDEV_CONSOLE ? "console" : "serial";

	fprintf(f, "    <%s", el);
	attr(f, "type", c->type);
	fprintf(f, ">\n");
	if (c->source_path || c->source_mode || c->source_host || c->source_service) {
		fprintf(f, "      <source");
		attr(f, "mode", c->source_mode);
		attr(f, "host", c->source_host);
		attr(f, "service", c->source_service);
		attr(f, "path", c->source_path);
		fprintf(f, "/>\n");
	}
	if (c->protocol) {
		fprintf(f, "      <protocol");
		attr(f, "type", c->protocol);
		fprintf(f, "/>\n");
	}
	if (c->target_type || c->target_port >= 0) {
		fprintf(f, "      <target");
		attr(f, "type", c->target_type);
		if (c->target_port >= 0)
			fprintf(f, " port='%d'", c->target_port);
		fprintf(f, "/>\n");
	}
	extra_out(f, 3, &c->extra);
	fprintf(f, "    </%s>\n", el);
}

static void graphics_out(FILE *f, const struct domain_graphics *g)
{
	fprintf(f, "    <graphics");
	attr(f, "type", g->type);
	if (g->port != DOMAIN_PORT_ABSENT)
		fprintf(f, " port='%d'", g->port);
	attr(f, "autoport", g->autoport);
	attr(f, "listen", g->listen);
	attr(f, "passwd", g->passwd);
	attr(f, "keymap", g->keymap);
	attr(f, "display", g->display);
	attr(f, "xauth", g->xauth);
	attr(f, "fullscreen", g->fullscreen);
	if (!g->listen && !g->extra.xml) {
		fprintf(f, "/>\n");
		return;
	}
	fprintf(f, ">\n");
	if (g->listen) {
		fprintf(f, "      <listen type='address'");
		attr(f, "address", g->listen);
		fprintf(f, "/>\n");
	}
	extra_out(f, 3, &g->extra);
	fprintf(f, "    </graphics>\n");
}

static void video_out(FILE *f, const struct domain_video *v)
{
	fprintf(f, "    <video>\n");
	if (v->model || v->vram || v->heads || v->primary) {
		fprintf(f, "      <model");
		attr(f, "type", v->model);
		if (v->vram)
			fprintf(f, " vram='%u'", v->vram);
		if (v->heads)
			fprintf(f, " heads='%u'", v->heads);
		attr(f, "primary", v->primary);
		fprintf(f, "/>\n");
	}
	extra_out(f, 3, &v->extra);
	fprintf(f, "    </video>\n");
}

char *domain_def_format(const struct domain_def *def)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fprintf(f, "<domain");
	attr(f, "type", def->virt_type);
	if (def->id)
		fprintf(f, " id='%u'", def->id);
	fprintf(f, ">\n");
	text_el(f, 1, "name", def->name);
	text_el(f, 1, "uuid", def->uuid);
	text_el(f, 1, "title", def->title);
	text_el(f, 1, "description", def->description);
	if (def->max_memory_kib) {
		fprintf(f, "  <maxMemory");
		if (def->max_memory_slots)
			fprintf(f, " slots='%u'", def->max_memory_slots);
		fprintf(f, " unit='KiB'>%llu</maxMemory>\n", def->max_memory_kib);
	}
	memory_out(f, "memory", def->memory_kib);
	memory_out(f, "currentMemory", def->current_memory_kib);
	if (def->vcpus) {
		fprintf(f, "  <vcpu");
		attr(f, "placement", def->vcpu_placement);
		if (def->vcpus_current)
			fprintf(f, " current='%u'", def->vcpus_current);
		fprintf(f, ">%u</vcpu>\n", def->vcpus);
	}
	text_el(f, 1, "bootloader", def->bootloader);
	text_el(f, 1, "bootloader_args", def->bootloader_args);

	fprintf(f, "  <os>\n    <type");
	attr(f, "arch", def->os_arch);
	attr(f, "machine", def->os_machine);
	fprintf(f, ">");
	xml_util_escape(f, def->os_type);
	fprintf(f, "</type>\n");
	if (def->loader) {
		fprintf(f, "    <loader");
		attr(f, "readonly", def->loader_readonly);
		attr(f, "type", def->loader_type);
		fprintf(f, ">");
		xml_util_escape(f, def->loader);
		fprintf(f, "</loader>\n");
	}
	text_el(f, 2, "kernel", def->kernel);
	text_el(f, 2, "initrd", def->initrd);
	text_el(f, 2, "cmdline", def->cmdline);
	for (size_t i = 0; i < def->n_boot; i++) {
		fprintf(f, "    <boot");
		attr(f, "dev", def->boot[i]);
		fprintf(f, "/>\n");
	}
	extra_out(f, 2, &def->os_extra);
	fprintf(f, "  </os>\n");

	if (def->has_features) {
		fprintf(f, "  <features>\n");
		for (size_t i = 0; i < def->n_features; i++) {
			fprintf(f, "    <%s", def->features[i].name);
			attr(f, "state", def->features[i].state);
			fprintf(f, "/>\n");
		}
		extra_out(f, 2, &def->features_extra);
		fprintf(f, "  </features>\n");
	}
	if (def->has_clock) {
		fprintf(f, "  <clock");
		attr(f, "offset", def->clock_offset);
		attr(f, "adjustment", def->clock_adjustment);
		attr(f, "basis", def->clock_basis);
		attr(f, "timezone", def->clock_timezone);
		if (def->clock_extra.xml) {
			fprintf(f, ">\n");
			extra_out(f, 2, &def->clock_extra);
			fprintf(f, "  </clock>\n");
		} else {
			fprintf(f, "/>\n");
		}
	}
	text_el(f, 1, "on_poweroff", def->on_poweroff);
	text_el(f, 1, "on_reboot", def->on_reboot);
	text_el(f, 1, "on_crash", def->on_crash);

	fprintf(f, "  <devices>\n");
	text_el(f, 2, "emulator", def->emulator);
	for (size_t i = 0; i < def->n_disks; i++)
		disk_out(f, &def->disks[i]);
	for (size_t i = 0; i < def->n_interfaces; i++)
		interface_out(f, &def->interfaces[i]);
	for (size_t i = 0; i < def->n_chardevs; i++)
		chardev_out(f, &def->chardevs[i]);
	for (size_t i = 0; i < def->n_inputs; i++) {
		fprintf(f, "    <input");
		attr(f, "type", def->inputs[i].type);
		attr(f, "bus", def->inputs[i].bus);
		fprintf(f, "/>\n");
	}
	for (size_t i = 0; i < def->n_graphics; i++)
		graphics_out(f, &def->graphics[i]);
	for (size_t i = 0; i < def->n_videos; i++)
		video_out(f, &def->videos[i]);
	for (size_t i = 0; i < def->n_hostdevs; i++) {
		const struct domain_hostdev *h = &def->hostdevs[i];

		fprintf(f, "    <hostdev mode='subsystem' type='pci' managed='%s'>\n      <source%s>\n"
			   "        <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
			   "      </source>\n    </hostdev>\n",
			h->managed ? "yes" : "no", h->permissive ? " writeFiltering='no'" : "", h->domain, h->bus, h->slot,
			h->function);
	}
	if (def->has_xenbus) {
		fprintf(f, "    <controller type='xenbus' index='0'");
		if (def->xenbus_max_grant_frames)
			fprintf(f, " maxGrantFrames='%u'", def->xenbus_max_grant_frames);
		if (def->xenbus_max_event_channels)
			fprintf(f, " maxEventChannels='%u'", def->xenbus_max_event_channels);
		fprintf(f, "/>\n");
	}
	extra_out(f, 2, &def->devices_extra);
	fprintf(f, "  </devices>\n");
	extra_out(f, 1, &def->extra);
	fprintf(f, "</domain>\n");
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
