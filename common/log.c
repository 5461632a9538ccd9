#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *log_ident = "xenlaunch";
static FILE *log_stream;
static int log_verbose;

void log_init(const char *ident) { log_ident = ident; }
void log_set_stream(FILE *f) { log_stream = f; }
void log_set_verbose(int verbose) { log_verbose = verbose; }

static void log_vline(const char *level, const char *errstr, const char *fmt, va_list ap)
{
	FILE *f = log_stream ? log_stream : stderr;

	fprintf(f, "%s: %s", log_ident, level);
	vfprintf(f, fmt, ap);
	if (errstr)
		fprintf(f, ": %s", errstr);
	fputc('\n', f);
	fflush(f);
}

#define LOG_BODY(level, with_errno)                                           \
	do {                                                                  \
		int saved_errno = errno;                                      \
		va_list ap;                                                   \
		va_start(ap, fmt);                                            \
		log_vline(level, (with_errno) ? strerror(saved_errno) : NULL, \
			  fmt, ap);                                           \
		va_end(ap);                                                   \
		errno = saved_errno;                                          \
	} while (0)

void log_warn(const char *fmt, ...) { LOG_BODY("warning: ", 1); }
void log_warnx(const char *fmt, ...) { LOG_BODY("warning: ", 0); }
void log_info(const char *fmt, ...) { LOG_BODY("", 0); }

void log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY("debug: ", 0);
}

void fatal(const char *fmt, ...)
{
	LOG_BODY("error: ", 1);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	LOG_BODY("error: ", 0);
	exit(1);
}
