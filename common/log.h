/*
 * Logging in OpenBSD vmd's style: one line per event, to stderr or to the
 * -D log file, each message naming the device or phase it is about.
 *
 *   log_warn(fmt, ...)   warning, followed by ": strerror(errno)"
 *   log_warnx(fmt, ...)  warning without errno
 *   log_info(fmt, ...)   progress worth keeping (phases, timings)
 *   log_debug(fmt, ...)  only with log_set_verbose(1)
 *   fatal / fatalx       log, then exit(1); for set-up paths only
 *
 * Lines are rate-limited, so that a guest, a viewer or a network peer that
 * makes an event happen as often as it likes cannot fill the log's disk (a
 * tmpfs under /run, as xvirsh places it): LOG_BURST lines at once, then
 * LOG_RATE_PER_SECOND a second; the lines beyond are dropped and counted,
 * and the next line written is preceded by one
 *   "IDENT: warning: log: N lines suppressed"  (or "1 line")
 * fatal and fatalx are never dropped: they come once, on the way out of a
 * set-up path, and say why the process ends. Limits on the lines of one
 * device are its backend's business; this one holds for the process.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdint.h>
#include <stdio.h>

#define LOG_BURST 200
#define LOG_RATE_PER_SECOND 5

/* Prefix for every line, usually the program name. */
void log_init(const char *ident);
/* Send log lines to an already open stream (default: stderr). */
void log_set_stream(FILE *f);
void log_set_verbose(int verbose);
/*
 * Sets the rate limit (per_second 0: none) and starts with a full burst;
 * now_ns is the clock, in nanoseconds (NULL: CLOCK_MONOTONIC), for tests.
 */
void log_set_rate(unsigned burst, unsigned per_second, uint64_t (*now_ns)(void));

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
