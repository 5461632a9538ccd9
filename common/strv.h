/*
 * A NULL-terminated, owned argument vector, as execv() takes it: the
 * launcher's command line written by model/ and run by xvirsh.
 */
#ifndef COMMON_STRV_H
#define COMMON_STRV_H

#include <stdarg.h>
#include <stddef.h>

struct strv {
	char **v;
	size_t n;
};

void strv_init(struct strv *sv);
void strv_dispose(struct strv *sv);
/* Appends a copy of s. 0 or -ENOMEM. */
int strv_add(struct strv *sv, const char *s);
int strv_addf(struct strv *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s itself (malloc'ed; NULL counts as out of memory), freed on failure. */
int strv_take(struct strv *sv, char *s);
/* The vector as one shell command line, each word quoted when needed. */
char *strv_to_shell(const struct strv *sv);

/* A formatted, malloc'ed string; NULL when out of memory. */
char *str_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *str_vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/*
 * Keeps the formatted message in *err_r unless an earlier one is there (the
 * first failure is the one a user needs) or err_r is NULL; returns rc, so
 * that `return err_first(err_r, -EINVAL, "...")` reports and fails at once.
 */
int err_first(char **err_r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int err_vfirst(char **err_r, int rc, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

#endif
