/*
 * The graphical console's options; see display_opts.h.
 */
#include "launcher/display_opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/qemu_opts.h"
#include "console/keymap.h"

static int number(const char *s, size_t len, unsigned max, unsigned *v_r)
{
	unsigned long v = 0;

	if (len == 0 || len > 3)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*v_r = (unsigned)v;
	return 0;
}

int display_opts_vnc(const char *spec, struct display_config *dc, char *why, size_t why_len)
{
	struct qemu_opts opts = { 0 };
	unsigned display, to = 0;
	bool password = false;
	const char *colon, *addr;
	struct in_addr a;
	char host[64];
	size_t hl;
	int rc;

	if (!strcmp(spec, "none")) {
		dc->vnc = false;
		free(dc->vnc_host);
		dc->vnc_host = NULL;
		return 0;
	}
	rc = qemu_opts_parse(spec, &opts, why, why_len);
	if (rc < 0)
		goto out;
	rc = -EINVAL;
	addr = opts.n && !opts.items[0].value ? opts.items[0].text : "";
	colon = strrchr(addr, ':');
	if (!colon) {
		snprintf(why, why_len, "expected [HOST]:DISPLAY");
		goto out;
	}
	hl = (size_t)(colon - addr);
	if (hl >= sizeof(host)) {
		snprintf(why, why_len, "host is too long");
		goto out;
	}
	memcpy(host, addr, hl);
	host[hl] = '\0';
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (hl && inet_pton(AF_INET, host, &a) != 1) {
		snprintf(why, why_len, "host '%s' is not an IPv4 address", host);
		goto out;
	}
	if (number(colon + 1, strlen(colon + 1), VNC_MAX_DISPLAY, &display) < 0) {
		snprintf(why, why_len, "display must be a number from 0 to %u", VNC_MAX_DISPLAY);
		goto out;
	}
	for (size_t i = 1; i < opts.n; i++) {
		const char *key = opts.items[i].key, *v = opts.items[i].value;

		if (!strcmp(key, "password") && (!v || !strcmp(v, "on") || !strcmp(v, "off"))) {
			password = !v || !strcmp(v, "on");
		} else if (!strcmp(key, "to") && v) {
			if (number(v, strlen(v), VNC_MAX_DISPLAY, &to) < 0 || to < display) {
				snprintf(why, why_len, "to= must be a display from %u to %u", display,
					 VNC_MAX_DISPLAY);
				goto out;
			}
		} else {
			snprintf(why, why_len, "unknown property '%s' (password=on|off, to=N)", opts.items[i].text);
			goto out;
		}
	}
	free(dc->vnc_host);
	dc->vnc_host = hl ? strdup(host) : NULL;
	if (hl && !dc->vnc_host) {
		snprintf(why, why_len, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	dc->vnc_display = display;
	dc->vnc_to = to;
	dc->vnc_password = password;
	dc->vnc = true;
	rc = 0;
out:
	qemu_opts_dispose(&opts);
	return rc;
}

int display_opts_display(const char *spec, struct display_config *dc, char *why, size_t why_len)
{
	if (!strcmp(spec, "sdl")) {
		dc->sdl = true;
		return 0;
	}
	if (!strcmp(spec, "none")) {
		dc->sdl = false;
		return display_opts_vnc("none", dc, why, why_len);
	}
	if (!strcmp(spec, "vnc"))
		return display_opts_vnc(":0", dc, why, why_len);
	if (!strncmp(spec, "vnc=", 4))
		return display_opts_vnc(spec + 4, dc, why, why_len);
	snprintf(why, why_len, "display type must be sdl, vnc[=SPEC] or none");
	return -EINVAL;
}

int display_opts_keymap(const char *layout, struct display_config *dc, char *why, size_t why_len)
{
	size_t o;

	dc->keymap = keymap_layout_name(layout);
	if (dc->keymap)
		return 0;
	o = (size_t)snprintf(why, why_len, "unknown keyboard layout (QEMU's layouts:");
	for (size_t i = 0; keymap_layout_at(i) && o < why_len; i++)
		o += (size_t)snprintf(why + o, why_len - o, " %s", keymap_layout_at(i));
	if (o < why_len)
		snprintf(why + o, why_len - o, ")");
	return -EINVAL;
}

void display_config_dispose(struct display_config *dc)
{
	free(dc->vnc_host);
	memset(dc, 0, sizeof(*dc));
}
