/*
 * common/log: lines carry the ident, the level and, for log_warn, errno's
 * text; a burst, then a steady rate, then one "N lines suppressed" line.
 */
#include "common/log.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *capture(void (*emit)(void))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	log_init("unit");
	log_set_stream(f);
	emit();
	log_set_stream(NULL);
	fclose(f);
	return buf;
}

static void emit_warn(void)
{
	errno = ENOENT;
	log_warn("vbd/%u/%u: open %s", 1u, 51712u, "img");
}
static void emit_warnx(void) { log_warnx("vif/%u/%u: bad ring", 3u, 0u); }
static void emit_debug_quiet(void) { log_set_verbose(0); log_debug("hidden"); }

static void test_warn_appends_errno(void)
{
	char *s = capture(emit_warn);
	CU_ASSERT_STRING_EQUAL(s, "unit: warning: vbd/1/51712: open img: No such file or directory\n");
	free(s);
}

static void test_warnx_has_no_errno(void)
{
	char *s = capture(emit_warnx);
	CU_ASSERT_STRING_EQUAL(s, "unit: warning: vif/3/0: bad ring\n");
	free(s);
}

static void test_debug_silent_unless_verbose(void)
{
	char *s = capture(emit_debug_quiet);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
}

/* The clock the rate limit reads, moved by the tests. */
static uint64_t fake_now;
static uint64_t fake_clock(void) { return fake_now; }

/* 3 lines at once, then 2 a second: 500 ms per line. */
static void emit_flood(void)
{
	fake_now = 1000000000ull;
	log_set_rate(3, 2, fake_clock);
	for (int i = 0; i < 10; i++)
		log_warnx("vfb/1/0: resized %d", i);	/* 0-2 written, 3-9 dropped */
	fake_now += 499000000ull;
	log_info("not yet");				/* 499 ms: no credit yet */
	fake_now += 1000000ull;
	log_info("after 500 ms");			/* one line's credit */
	log_info("dropped");
	fake_now += 60000000000ull;			/* a minute: the burst, no more */
	for (int i = 0; i < 5; i++)
		log_info("later %d", i);
	log_set_rate(0, 0, NULL);
}

static void test_rate_limit(void)
{
	char *s = capture(emit_flood);
	CU_ASSERT_STRING_EQUAL(s, "unit: warning: vfb/1/0: resized 0\n"
				  "unit: warning: vfb/1/0: resized 1\n"
				  "unit: warning: vfb/1/0: resized 2\n"
				  "unit: warning: log: 8 lines suppressed\n"
				  "unit: after 500 ms\n"
				  "unit: warning: log: 1 line suppressed\n"
				  "unit: later 0\n"
				  "unit: later 1\n"
				  "unit: later 2\n");
	free(s);
}

/* A clock that goes back gives no credit (and does not wrap around). */
static void emit_clock_back(void)
{
	fake_now = 5000000000ull;
	log_set_rate(1, 1, fake_clock);
	log_info("first");
	fake_now = 1;
	log_info("clock went back");
	log_set_rate(0, 0, NULL);
}

static void test_clock_back(void)
{
	char *s = capture(emit_clock_back);
	CU_ASSERT_STRING_EQUAL(s, "unit: first\n");
	free(s);
}

/* fatalx is written even without credit, after the count of what was dropped. */
static void test_fatal_bypasses(void)
{
	char buf[256] = "";
	int fds[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	CU_ASSERT_FATAL(pipe(fds) == 0);
	fflush(NULL);	/* the child's exit flushes its copy of our buffers */
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		FILE *f = fdopen(fds[1], "w");

		close(fds[0]);
		log_init("unit");
		log_set_stream(f);
		fake_now = 1;
		log_set_rate(1, 1, fake_clock);
		log_info("one");
		log_info("dropped");
		fatalx("setup: cannot go on");
	}
	close(fds[1]);
	while ((n = read(fds[0], buf + got, sizeof(buf) - 1 - (size_t)got)) > 0)
		got += n;
	close(fds[0]);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	CU_ASSERT_STRING_EQUAL(buf, "unit: one\n"
				    "unit: warning: log: 1 line suppressed\n"
				    "unit: error: setup: cannot go on\n");
}

static CU_TestInfo tests[] = {
	{ "fatalx is never suppressed", test_fatal_bypasses },
	{ "a burst, then a steady rate, then 'N lines suppressed'", test_rate_limit },
	{ "a clock going back gives no credit", test_clock_back },
	{ "log_warn appends strerror(errno)", test_warn_appends_errno },
	{ "log_warnx has no errno", test_warnx_has_no_errno },
	{ "log_debug is silent unless verbose", test_debug_silent_unless_verbose },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("log", tests)
