/*
 * Logging in OpenBSD vmd's style: one line per event, to stderr or to the
 * -D log file, each message naming the device or phase it is about.
 *
 *   log_warn(fmt, ...)   warning, followed by ": strerror(errno)"
 *   log_warnx(fmt, ...)  warning without errno
 *   log_info(fmt, ...)   progress worth keeping (phases, timings)
 *   log_debug(fmt, ...)  only with log_set_verbose(1)
 *   fatal / fatalx       log, then exit(1); for set-up paths only
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdio.h>

/* Prefix for every line, usually the program name. */
void log_init(const char *ident);
/* Send log lines to an already open stream (default: stderr). */
void log_set_stream(FILE *f);
void log_set_verbose(int verbose);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
