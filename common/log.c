#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *log_ident = "xenlaunch";
static FILE *log_stream;
static int log_verbose;

/*
 * The rate limit, a token bucket kept as nanoseconds of credit: a line
 * costs one interval (1 s / rate), credit grows with time up to a burst's
 * worth. Lines without credit are counted, not written. The lock also keeps
 * lines from worker threads whole.
 */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t (*log_clock)(void);
static uint64_t log_interval_ns = 1000000000ull / LOG_RATE_PER_SECOND;
static uint64_t log_burst_ns = LOG_BURST * (1000000000ull / LOG_RATE_PER_SECOND);
static uint64_t log_credit_ns = LOG_BURST * (1000000000ull / LOG_RATE_PER_SECOND);
static uint64_t log_last_ns;
static bool log_started;
static unsigned long long log_suppressed;

void log_init(const char *ident) { log_ident = ident; }
void log_set_stream(FILE *f) { log_stream = f; }
void log_set_verbose(int verbose) { log_verbose = verbose; }

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void log_set_rate(unsigned burst, unsigned per_second, uint64_t (*now_ns)(void))
{
	pthread_mutex_lock(&log_lock);
	log_clock = now_ns;
	log_interval_ns = per_second ? 1000000000ull / per_second : 0;
	log_burst_ns = (uint64_t)burst * log_interval_ns;
	log_credit_ns = log_burst_ns;
	log_started = false;
	log_suppressed = 0;
	pthread_mutex_unlock(&log_lock);
}

/* Takes one line's credit; false when there is none. Called locked. */
static bool log_take(void)
{
	uint64_t now = (log_clock ? log_clock : monotonic_ns)();

	if (!log_interval_ns)
		return true;
	if (log_started && now > log_last_ns)
		log_credit_ns += now - log_last_ns;
	if (log_credit_ns > log_burst_ns)
		log_credit_ns = log_burst_ns;
	log_last_ns = now;
	log_started = true;
	if (log_credit_ns < log_interval_ns)
		return false;
	log_credit_ns -= log_interval_ns;
	return true;
}

/* bypass: a line that is always written (fatal errors, once, on the way out). */
static void log_vline(const char *level, const char *errstr, bool bypass, const char *fmt, va_list ap)
{
	FILE *f;

	pthread_mutex_lock(&log_lock);
	f = log_stream ? log_stream : stderr;
	if (!log_take() && !bypass) {
		log_suppressed++;
		goto out;
	}
	if (log_suppressed)
		fprintf(f, "%s: warning: log: %llu line%s suppressed\n", log_ident, log_suppressed,
			log_suppressed == 1 ? "" : "s");
	log_suppressed = 0;
	fprintf(f, "%s: %s", log_ident, level);
	vfprintf(f, fmt, ap);
	if (errstr)
		fprintf(f, ": %s", errstr);
	fputc('\n', f);
	fflush(f);
out:
	pthread_mutex_unlock(&log_lock);
}

#define LOG_BODY(level, with_errno, bypass)                                   \
	do {                                                                  \
		int saved_errno = errno;                                      \
		va_list ap;                                                   \
		va_start(ap, fmt);                                            \
		log_vline(level, (with_errno) ? strerror(saved_errno) : NULL, \
			  bypass, fmt, ap);                                   \
		va_end(ap);                                                   \
		errno = saved_errno;                                          \
	} while (0)

void log_warn(const char *fmt, ...) { LOG_BODY("warning: ", 1, false); }
void log_warnx(const char *fmt, ...) { LOG_BODY("warning: ", 0, false); }
void log_info(const char *fmt, ...) { LOG_BODY("", 0, false); }

void log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY("debug: ", 0, false);
}

void fatal(const char *fmt, ...)
{
	LOG_BODY("error: ", 1, true);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	LOG_BODY("error: ", 0, true);
	exit(1);
}
