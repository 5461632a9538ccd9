/* common/strv: owned argument vectors; see strv.h. */
#include "common/strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strv_init(struct strv *sv)
{
	sv->v = NULL;
	sv->n = 0;
}

void strv_dispose(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	strv_init(sv);
}

int strv_take(struct strv *sv, char *s)
{
	char **v;

	if (!s)
		return -ENOMEM;
	v = realloc(sv->v, (sv->n + 2) * sizeof(*v));
	if (!v) {
		free(s);
		return -ENOMEM;
	}
	sv->v = v;
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int strv_add(struct strv *sv, const char *s)
{
	return strv_take(sv, strdup(s));
}

int strv_addf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = str_vprintf(fmt, ap);
	va_end(ap);
	return strv_take(sv, s);
}

char *str_vprintf(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

char *str_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = str_vprintf(fmt, ap);
	va_end(ap);
	return s;
}

int err_vfirst(char **err_r, int rc, const char *fmt, va_list ap)
{
	if (err_r && !*err_r)
		*err_r = str_vprintf(fmt, ap);
	return rc;
}

int err_first(char **err_r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vfirst(err_r, rc, fmt, ap);
	va_end(ap);
	return rc;
}

char *strv_to_shell(const struct strv *sv)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < sv->n; i++) {
		const char *w = sv->v[i];
		int plain = *w != '\0';

		for (const char *p = w; *p; p++)
			if (!isalnum((unsigned char)*p) && !strchr("-_./:=,+@%", *p))
				plain = 0;
		if (i)
			fputc(' ', f);
		if (plain) {
			fputs(w, f);
			continue;
		}
		fputc('\'', f);
		for (const char *p = w; *p; p++) {
			if (*p == '\'')
				fputs("'\\''", f);
			else
				fputc(*p, f);
		}
		fputc('\'', f);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
