/*
 * -nic, -netdev and -device xen-net-device; see nic_opts.h.
 */
#include "launcher/nic_opts.h"
#include "launcher/options.h"
#include "common/qemu_opts.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int why_set(char *why, size_t why_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void nic_config_dispose(struct nic_config *nic)
{
	free(nic->bridge);
	free(nic->ifname);
	free(nic->script);
	free(nic->downscript);
	memset(nic, 0, sizeof(*nic));
}

void nic_opts_state_init(struct nic_opts_state *st)
{
	memset(st, 0, sizeof(*st));
}

void nic_opts_state_dispose(struct nic_opts_state *st)
{
	for (unsigned i = 0; i < st->n_netdevs; i++) {
		free(st->netdevs[i].id);
		nic_config_dispose(&st->netdevs[i].nic);
	}
	for (unsigned i = 0; i < LAUNCH_MAX_NICS; i++)
		free(st->device_netdev[i]);
	nic_opts_state_init(st);
}

int nic_mac_parse(const char *text, uint8_t mac_r[6])
{
	uint8_t mac[6];

	if (strlen(text) != NIC_MAC_STRING_SIZE - 1)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit((unsigned char)text[3 * i]), lo = hex_digit((unsigned char)text[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && text[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (mac[0] & 1)
		return -EINVAL;	/* multicast */
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -EINVAL;
	memcpy(mac_r, mac, 6);
	return 0;
}

void nic_mac_format(const uint8_t mac[6], char out[NIC_MAC_STRING_SIZE])
{
	snprintf(out, NIC_MAC_STRING_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}

int nic_tap_name(const struct nic_config *nic, uint32_t domid, unsigned index, char out[IFNAMSIZ])
{
	int n = nic->ifname ? snprintf(out, IFNAMSIZ, "%s", nic->ifname)
			    : snprintf(out, IFNAMSIZ, "vif%u.%u", domid, index);

	return n >= 0 && n < IFNAMSIZ ? 0 : -ENAMETOOLONG;
}

void nic_mac_from_name(const char *name, unsigned index, uint8_t mac_r[6])
{
	/* FNV-1a: any stable spread will do; this is not a secret. */
	uint64_t h = 0xcbf29ce484222325ull;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 0x100000001b3ull;
	h = (h ^ 0) * 0x100000001b3ull;	/* the name ends */
	h = (h ^ (index & 0xff)) * 0x100000001b3ull;
	h ^= h >> 29;
	mac_r[0] = 0x00;
	mac_r[1] = 0x16;
	mac_r[2] = 0x3e;
	mac_r[3] = (uint8_t)((h >> 16) & 0x7f);	/* xl keeps the top bit clear too */
	mac_r[4] = (uint8_t)(h >> 8);
	mac_r[5] = (uint8_t)h;
}

/* A network interface name the kernel accepts: 1..15 bytes, no '/', no space. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static int set_string(char **field, const char *v, char *why, size_t why_len)
{
	char *copy = strdup(v);

	if (!copy)
		return why_set(why, why_len, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

/*
 * The properties -nic and -netdev share, KEY=VALUE; the backend kind (tap
 * or bridge) was read by the caller. id_r: -netdev's id=, NULL for -nic.
 */
static int nic_property(struct nic_config *nic, const char *key, const char *v, bool is_nic,
			char **id_r, char *why, size_t why_len)
{
	unsigned long n;
	char *end;

	if (!strcmp(key, "br")) {
		if (!ifname_ok(v))
			return why_set(why, why_len, "br=%s is not a valid interface name", v);
		return set_string(&nic->bridge, v, why, why_len);
	}
	if (!strcmp(key, "ifname")) {
		if (!ifname_ok(v))
			return why_set(why, why_len, "ifname=%s is not a valid interface name "
						     "(1 to %d characters, no '/', ':' or space)", v, IFNAMSIZ - 1);
		return set_string(&nic->ifname, v, why, why_len);
	}
	if (!strcmp(key, "script") || !strcmp(key, "downscript")) {
		char **field = key[0] == 's' ? &nic->script : &nic->downscript;

		if (!*v)
			return why_set(why, why_len, "%s= needs a path (or no)", key);
		if (!strcmp(v, "no")) {
			free(*field);
			*field = NULL;
			return 0;
		}
		return set_string(field, v, why, why_len);
	}
	if (!strcmp(key, "queues")) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || errno || n < 1 || n > NIC_MAX_QUEUES)
			return why_set(why, why_len, "queues=%s: expected 1 to %u", v, NIC_MAX_QUEUES);
		nic->queues = (unsigned)n;
		return 0;
	}
	if (!strcmp(key, "vhost")) {
		if (strcmp(v, "off"))
			return why_set(why, why_len, "vhost=%s is not supported: a Xen PV NIC is served "
						     "by the launcher (vhost=off only)", v);
		return 0;
	}
	if (!strcmp(key, "helper"))
		return why_set(why, why_len, "helper= is not supported: the launcher attaches the tap "
					     "to br= itself");
	if (is_nic && !strcmp(key, "mac")) {
		if (nic_mac_parse(v, nic->mac) < 0)
			return why_set(why, why_len, "mac=%s is not a unicast MAC address "
						     "(xx:xx:xx:xx:xx:xx)", v);
		nic->mac_set = true;
		return 0;
	}
	if (is_nic && !strcmp(key, "model")) {
		if (strcmp(v, "xen-net-device") && strcmp(v, "xen") && strcmp(v, "netfront"))
			return why_set(why, why_len, "model=%s is not supported: -M xenpv has Xen PV "
						     "NICs only (model=xen-net-device)", v);
		return 0;
	}
	if (!strcmp(key, "id") && id_r) {
		if (!*v)
			return why_set(why, why_len, "id= must not be empty");
		return set_string(id_r, v, why, why_len);
	}
	if (!strcmp(key, "id"))
		return 0;	/* -nic's id= names its netdev, which nothing else can use */
	return why_set(why, why_len, "unsupported property '%s'", key);
}

/* KIND[,KEY=VALUE...] for -nic (id_r NULL) and -netdev. */
static int backend_parse(const char *spec, struct nic_config *nic, bool is_nic, char **id_r,
			 char *why, size_t why_len)
{
	struct qemu_opts opts = { 0 };
	const char *kind;
	bool bridge_kind;
	int rc;

	memset(nic, 0, sizeof(*nic));
	nic->queues = 1;
	rc = qemu_opts_parse(spec, &opts, why, why_len);
	if (rc < 0)
		goto out;
	kind = opts.n ? opts.items[0].text : "";
	if (strcmp(kind, "tap") && strcmp(kind, "bridge")) {
		rc = why_set(why, why_len, "network backend '%s' is not supported (tap or bridge)", kind);
		goto out;
	}
	bridge_kind = !strcmp(kind, "bridge");
	for (size_t i = 1; !rc && i < opts.n; i++) {
		if (!opts.items[i].value)
			rc = why_set(why, why_len, "property '%s' needs a value (KEY=VALUE)", opts.items[i].key);
		else
			rc = nic_property(nic, opts.items[i].key, opts.items[i].value, is_nic, id_r, why, why_len);
	}
	if (!rc && bridge_kind && !nic->bridge)
		rc = why_set(why, why_len, "bridge needs br=BRIDGE");
	if (!rc && bridge_kind && (nic->ifname || nic->script || nic->downscript))
		rc = why_set(why, why_len, "bridge takes no ifname=, script= or downscript= "
					   "(use tap,br=BRIDGE,...)");
out:
	qemu_opts_dispose(&opts);
	if (rc)
		nic_config_dispose(nic);
	return rc;
}

int nic_opts_nic(const char *spec, struct launch_config *cfg, char *why, size_t why_len)
{
	struct nic_config nic;
	int rc;

	if (!strcmp(spec, "none"))
		return 0;	/* QEMU's way to say no default NIC; there is none anyway */
	rc = backend_parse(spec, &nic, true, NULL, why, why_len);
	if (rc < 0)
		return rc;
	if (cfg->n_nics >= LAUNCH_MAX_NICS) {
		nic_config_dispose(&nic);
		return why_set(why, why_len, "too many network interfaces (at most %u)", LAUNCH_MAX_NICS);
	}
	cfg->nics[cfg->n_nics++] = nic;
	return 0;
}

int nic_opts_netdev(const char *spec, struct nic_opts_state *st, char *why, size_t why_len)
{
	struct nic_config nic;
	char *id = NULL;
	int rc;

	rc = backend_parse(spec, &nic, false, &id, why, why_len);
	if (rc < 0)
		goto fail;
	if (!id) {
		rc = why_set(why, why_len, "id=ID is required");
		goto fail;
	}
	for (unsigned i = 0; i < st->n_netdevs; i++)
		if (!strcmp(st->netdevs[i].id, id)) {
			rc = why_set(why, why_len, "duplicate id '%s'", id);
			goto fail;
		}
	if (st->n_netdevs >= LAUNCH_MAX_NICS) {
		rc = why_set(why, why_len, "too many network backends (at most %u)", LAUNCH_MAX_NICS);
		goto fail;
	}
	st->netdevs[st->n_netdevs].id = id;
	st->netdevs[st->n_netdevs].nic = nic;
	st->netdevs[st->n_netdevs++].used = false;
	return 0;
fail:
	free(id);
	nic_config_dispose(&nic);
	return rc;
}

int nic_opts_device(const char *spec, struct launch_config *cfg, struct nic_opts_state *st,
		    char *why, size_t why_len)
{
	struct nic_config nic = { .queues = 1 };
	struct qemu_opts opts = { 0 };
	char *netdev = NULL;
	const char *driver;
	int rc;

	rc = qemu_opts_parse(spec, &opts, why, why_len);
	if (rc < 0)
		goto out;
	driver = !opts.n ? "" : !strcmp(opts.items[0].key, "driver") && opts.items[0].value ?
				  opts.items[0].value : opts.items[0].text;
	if (strcmp(driver, "xen-net-device") && strcmp(driver, "xen-nic")) {
		rc = why_set(why, why_len, "device '%s' is not supported (xen-net-device only)", driver);
		goto out;
	}
	for (size_t i = 1; !rc && i < opts.n; i++) {
		const char *key = opts.items[i].key, *v = opts.items[i].value;

		if (!v) {
			rc = why_set(why, why_len, "property '%s' needs a value (KEY=VALUE)", key);
		} else if (!strcmp(key, "netdev")) {
			rc = set_string(&netdev, v, why, why_len);
		} else if (!strcmp(key, "mac")) {
			if (nic_mac_parse(v, nic.mac) < 0)
				rc = why_set(why, why_len, "mac=%s is not a unicast MAC address "
							   "(xx:xx:xx:xx:xx:xx)", v);
			nic.mac_set = true;
		} else if (!strcmp(key, "id")) {
			/* a name for the device; nothing refers to it yet */
		} else {
			rc = why_set(why, why_len, "unsupported property '%s'", key);
		}
	}
	if (!rc && !netdev)
		rc = why_set(why, why_len, "netdev=ID is required");
	if (!rc && cfg->n_nics >= LAUNCH_MAX_NICS)
		rc = why_set(why, why_len, "too many network interfaces (at most %u)", LAUNCH_MAX_NICS);
	if (!rc) {
		st->device_netdev[cfg->n_nics] = netdev;
		netdev = NULL;
		cfg->nics[cfg->n_nics++] = nic;
	}
out:
	free(netdev);
	qemu_opts_dispose(&opts);
	return rc;
}

int nic_opts_finish(struct launch_config *cfg, struct nic_opts_state *st, char *why, size_t why_len)
{
	for (unsigned i = 0; i < cfg->n_nics; i++) {
		struct nic_config *nic = &cfg->nics[i];
		const char *ref = st->device_netdev[i];
		unsigned d;

		if (ref) {
			for (d = 0; d < st->n_netdevs && strcmp(st->netdevs[d].id, ref); d++)
				;
			if (d == st->n_netdevs)
				return why_set(why, why_len, "-device xen-net-device: netdev '%s' not found", ref);
			if (st->netdevs[d].used)
				return why_set(why, why_len, "-device xen-net-device: netdev '%s' is used twice",
					       ref);
			st->netdevs[d].used = true;
			/* The backend's settings, the device's MAC. */
			nic->bridge = st->netdevs[d].nic.bridge;
			nic->ifname = st->netdevs[d].nic.ifname;
			nic->script = st->netdevs[d].nic.script;
			nic->downscript = st->netdevs[d].nic.downscript;
			nic->queues = st->netdevs[d].nic.queues;
			memset(&st->netdevs[d].nic, 0, sizeof(st->netdevs[d].nic));
		}
		if (!nic->mac_set)
			nic_mac_from_name(cfg->name, i, nic->mac);
		for (unsigned j = 0; j < i; j++) {
			if (!memcmp(cfg->nics[j].mac, nic->mac, 6)) {
				char mac[NIC_MAC_STRING_SIZE];

				nic_mac_format(nic->mac, mac);
				return why_set(why, why_len, "two network interfaces have MAC %s", mac);
			}
			if (nic->ifname && cfg->nics[j].ifname && !strcmp(nic->ifname, cfg->nics[j].ifname))
				return why_set(why, why_len, "two network interfaces are named %s", nic->ifname);
		}
	}
	for (unsigned d = 0; d < st->n_netdevs; d++)
		if (!st->netdevs[d].used)
			return why_set(why, why_len, "-netdev %s: no -device xen-net-device,netdev=%s uses it",
				       st->netdevs[d].id, st->netdevs[d].id);
	return 0;
}
