/* QEMU's option strings; see qemu_opts.h. */
#include "common/qemu_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void qemu_opts_dispose(struct qemu_opts *opts)
{
	for (size_t i = 0; i < opts->n; i++) {
		free(opts->items[i].text);
		free(opts->items[i].key);	/* value points into the same block */
	}
	free(opts->items);
	opts->items = NULL;
	opts->n = 0;
}

/* Copies one property from *pp, up to a single comma, un-doubling ",,". */
static char *next_property(const char **pp)
{
	const char *p = *pp;
	char *out = malloc(strlen(p) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *p; p++) {
		if (*p == ',' && p[1] != ',')
			break;
		if (*p == ',')
			p++;
		*o++ = *p;
	}
	*o = '\0';
	*pp = *p ? p + 1 : p;
	return out;
}

int qemu_opts_parse(const char *line, struct qemu_opts *opts_r, char *why, size_t why_len)
{
	const char *p = line;
	int rc;

	opts_r->items = calloc(QEMU_OPTS_MAX, sizeof(*opts_r->items));
	opts_r->n = 0;
	if (!opts_r->items) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	while (*p) {
		char *text = next_property(&p), *prop = NULL, *eq;
		struct qemu_opt *it;

		if (text && !*text) {
			free(text);
			continue;
		}
		prop = text ? strdup(text) : NULL;
		if (!prop) {
			snprintf(why, why_len, "out of memory");
			rc = -ENOMEM;
			goto bad;
		}
		eq = strchr(prop, '=');
		if (eq)
			*eq = '\0';
		for (size_t i = 0; i < opts_r->n; i++) {
			if (!strcmp(opts_r->items[i].key, prop)) {
				snprintf(why, why_len, "property '%s' is given twice", prop);
				rc = -EINVAL;
				goto bad;
			}
		}
		if (opts_r->n == QEMU_OPTS_MAX) {
			snprintf(why, why_len, "more than %d properties", QEMU_OPTS_MAX);
			rc = -EINVAL;
			goto bad;
		}
		it = &opts_r->items[opts_r->n++];
		it->text = text;
		it->key = prop;
		it->value = eq ? eq + 1 : NULL;
		continue;
bad:
		free(text);
		free(prop);
		return rc;
	}
	return 0;
}

int qemu_opts_append(char **line, const char *key, const char *value)
{
	size_t old = *line ? strlen(*line) : 0, len = old;
	char *s, *o;

	/* Worst case: every character of key and value a comma, doubled. */
	s = realloc(*line, old + 1 + 2 * ((key ? strlen(key) + 1 : 0) + strlen(value)) + 1);
	if (!s)
		return -ENOMEM;
	o = s + len;
	if (old)
		*o++ = ',';
	for (const char *k = key; k && *k; k++) {
		if (*k == ',')
			*o++ = ',';
		*o++ = *k;
	}
	if (key)
		*o++ = '=';
	for (const char *v = value; *v; v++) {
		if (*v == ',')
			*o++ = ',';
		*o++ = *v;
	}
	*o = '\0';
	*line = s;
	return 0;
}
