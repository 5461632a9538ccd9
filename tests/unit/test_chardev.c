/*
 * console/chardev over real descriptors: a pty pair, unix sockets, a
 * socketpair standing in for stdio, temporary files, /dev/full. Every test
 * also checks that the process holds as many fds afterwards as before.
 */
#include "console/chardev.h"
#include "common/log.h"
#include "tests/unit/unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* What on_input / on_connect / on_disconnect saw. */
struct sink {
	uint8_t buf[256 * 1024];
	size_t len;
	size_t take_max;	/* bytes accepted per call: models a full ring */
	int calls;
	int connects;
	int disconnects;
};

static size_t sink_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct sink *s = opaque;
	size_t n = len < s->take_max ? len : s->take_max;

	if (n > sizeof(s->buf) - s->len)
		n = sizeof(s->buf) - s->len;
	memcpy(s->buf + s->len, buf, n);
	s->len += n;
	s->calls++;
	return n;
}

static void sink_connect(void *opaque) { ((struct sink *)opaque)->connects++; }
static void sink_disconnect(void *opaque) { ((struct sink *)opaque)->disconnects++; }

static struct sink *sink_new(struct chardev_callbacks *cb)
{
	struct sink *s = calloc(1, sizeof(*s));

	s->take_max = SIZE_MAX;
	cb->on_input = sink_input;
	cb->on_connect = sink_connect;
	cb->on_disconnect = sink_disconnect;
	cb->opaque = s;
	return s;
}

static int fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR's own fd */
}

static char *log_text;
static size_t log_len;
static FILE *log_file;

static void log_capture_begin(void)
{
	log_init("unit");
	log_file = open_memstream(&log_text, &log_len);
	log_set_stream(log_file);
}

/* Returns what was logged since log_capture_begin(); caller frees. */
static char *log_capture_end(void)
{
	log_set_stream(NULL);
	fclose(log_file);
	return log_text;
}

static bool wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1;
}

/* Runs the chardev's events until fd is readable by the test, or times out. */
static void pump(struct chardev *cd, int rounds)
{
	for (int i = 0; i < rounds && wait_readable(chardev_fd(cd), 200); i++)
		chardev_handle_events(cd);
}

static size_t read_all(int fd, uint8_t *buf, size_t size)
{
	size_t got = 0;
	ssize_t r;

	while (got < size && (r = read(fd, buf + got, size - got)) > 0)
		got += (size_t)r;
	return got;
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[128];

	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/xenlaunch-unit-XXXXXX");
		CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
	}
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static int unix_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sun.sun_path, path);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void test_null(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_NULL };
	struct chardev *cd = NULL;
	int fds = fd_count();

	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", NULL, &cd), 0);
	CU_ASSERT(chardev_fd(cd) >= 0);
	CU_ASSERT_EQUAL(chardev_write(cd, "abc", 3), 3);
	CU_ASSERT_EQUAL(chardev_write_space(cd), CHARDEV_OUTPUT_MAX);
	CU_ASSERT_EQUAL(chardev_dropped_bytes(cd), 0);
	CU_ASSERT_STRING_EQUAL(chardev_filename(cd), "null");
	CU_ASSERT_STRING_EQUAL(chardev_label(cd), "serial0");
	CU_ASSERT_PTR_NULL(chardev_pty_path(cd));
	CU_ASSERT_TRUE(chardev_is_connected(cd));
	CU_ASSERT_FALSE(wait_readable(chardev_fd(cd), 0));
	chardev_dispose(cd);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

static void test_file_appends(void)
{
	char path[128], expect[160], buf[64] = "";
	struct chardev_spec spec = { .kind = CHARDEV_FILE };
	struct chardev *cd = NULL;
	int fds = fd_count(), fd;

	snprintf(path, sizeof(path), "%s", tmp_path("console.log"));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT(write(fd, "old\n", 4) == 4);
	close(fd);

	spec.path = path;
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", NULL, &cd), 0);
	CU_ASSERT_EQUAL(chardev_write(cd, "hello\n", 6), 6);
	CU_ASSERT_EQUAL(chardev_write(cd, "", 0), 0);
	snprintf(expect, sizeof(expect), "file:%s", path);
	CU_ASSERT_STRING_EQUAL(chardev_filename(cd), expect);
	chardev_dispose(cd);

	fd = open(path, O_RDONLY);
	CU_ASSERT_EQUAL(read(fd, buf, sizeof(buf) - 1), 10);
	close(fd);
	CU_ASSERT_STRING_EQUAL(buf, "old\nhello\n");
	unlink(path);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/* /dev/full fails every write with ENOSPC: reported once, counted, never blocking. */
static void test_file_write_error_reported(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_FILE, .path = "/dev/full" };
	struct chardev *cd = NULL;
	char *log;
	int fds = fd_count();

	log_capture_begin();
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", NULL, &cd), 0);
	CU_ASSERT_EQUAL(chardev_write(cd, "abcd", 4), 4);
	CU_ASSERT_EQUAL(chardev_write(cd, "ef", 2), 2);
	CU_ASSERT_EQUAL(chardev_dropped_bytes(cd), 6);
	chardev_dispose(cd);
	log = log_capture_end();
	CU_ASSERT_STRING_EQUAL(log, "unit: warning: serial0: write /dev/full: No space left on device\n");
	free(log);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/* A FIFO is pollable: it gets back-pressure like stdio, not the file path. */
static void test_file_fifo_backpressure(void)
{
	static uint8_t chunk[4096];
	struct chardev_spec spec = { .kind = CHARDEV_FILE };
	struct chardev *cd = NULL;
	size_t accepted = 0, received = 0, n;
	char path[128], expect[256], *log;
	int fds = fd_count(), reader, i;
	ssize_t r;

	snprintf(path, sizeof(path), "%s", tmp_path("fifo"));
	CU_ASSERT_FATAL(mkfifo(path, 0600) == 0);
	spec.path = path;

	/* No reader: opening must fail at once, not hang. */
	log_capture_begin();
	CU_ASSERT_EQUAL(chardev_open(&spec, "serial0", NULL, &cd), -ENXIO);
	log = log_capture_end();
	snprintf(expect, sizeof(expect), "unit: warning: serial0: open %s: No such device or address\n",
		 path);
	CU_ASSERT_STRING_EQUAL(log, expect);
	free(log);

	reader = open(path, O_RDONLY | O_NONBLOCK);
	CU_ASSERT_FATAL(reader >= 0);
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", NULL, &cd), 0);
	memset(chunk, 'f', sizeof(chunk));
	for (i = 0; i < 1024; i++) {
		n = chardev_write(cd, chunk, sizeof(chunk));
		accepted += n;
		if (n < sizeof(chunk))
			break;
	}
	CU_ASSERT(i < 1024);
	CU_ASSERT_EQUAL(chardev_write_space(cd), 0);
	for (i = 0; i < 10000 && received < accepted; i++) {
		while ((r = read(reader, chunk, sizeof(chunk))) > 0)
			received += (size_t)r;
		if (wait_readable(chardev_fd(cd), 20))
			chardev_handle_events(cd);
	}
	CU_ASSERT_EQUAL(received, accepted);
	CU_ASSERT_EQUAL(chardev_dropped_bytes(cd), 0);
	chardev_dispose(cd);
	close(reader);
	unlink(path);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

static void test_open_errors(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_FILE, .path = "/nonexistent/dir/log" };
	struct chardev *cd = NULL;
	char path[128], expect[1024], *log;
	struct stat st;
	int fds = fd_count(), fd;

	log_capture_begin();
	CU_ASSERT_EQUAL(chardev_open(&spec, "serial0", NULL, &cd), -ENOENT);
	CU_ASSERT_PTR_NULL(cd);
	spec.kind = CHARDEV_NONE;
	CU_ASSERT_EQUAL(chardev_open(&spec, "serial0", NULL, &cd), -EINVAL);

	/* A regular file where the socket should go: refused, and not deleted. */
	snprintf(path, sizeof(path), "%s", tmp_path("not-a-socket"));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	close(fd);
	spec = (struct chardev_spec){ .kind = CHARDEV_UNIX, .path = path, .server = true };
	CU_ASSERT_EQUAL(chardev_open(&spec, "monitor0", NULL, &cd), -EADDRINUSE);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_TRUE(S_ISREG(st.st_mode));
	unlink(path);
	log = log_capture_end();
	snprintf(expect, sizeof(expect),
		 "unit: warning: serial0: open /nonexistent/dir/log: No such file or directory\n"
		 "unit: warning: serial0: no backend to open\n"
		 "unit: warning: monitor0: bind unix:%s: Address already in use\n", path);
	CU_ASSERT_STRING_EQUAL(log, expect);
	free(log);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

static void test_pty_roundtrip(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_PTY };
	struct chardev_callbacks cb;
	struct sink *s = sink_new(&cb);
	struct chardev *cd = NULL;
	char expect[160];
	uint8_t buf[64];
	int fds = fd_count(), user;

	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", &cb, &cd), 0);
	CU_ASSERT_EQUAL(strncmp(chardev_pty_path(cd), "/dev/pts/", 9), 0);
	snprintf(expect, sizeof(expect), "pty:%s", chardev_pty_path(cd));
	CU_ASSERT_STRING_EQUAL(chardev_filename(cd), expect);
	/* Nobody attached yet, and yet no EPOLLHUP storm: the fd is quiet. */
	CU_ASSERT_FALSE(wait_readable(chardev_fd(cd), 50));

	user = open(chardev_pty_path(cd), O_RDWR | O_NOCTTY | O_NONBLOCK);
	CU_ASSERT_FATAL(user >= 0);
	/* Raw mode: "\n" is not turned into "\r\n" on the way out. */
	CU_ASSERT_EQUAL(chardev_write(cd, "a\nb", 3), 3);
	CU_ASSERT_TRUE(wait_readable(user, 1000));
	CU_ASSERT_EQUAL(read_all(user, buf, sizeof(buf)), 3);
	CU_ASSERT_EQUAL(memcmp(buf, "a\nb", 3), 0);

	/* ... nor "\r" into "\n" on the way in. */
	CU_ASSERT(write(user, "xyz\r", 4) == 4);
	CU_ASSERT_TRUE(wait_readable(chardev_fd(cd), 1000));
	chardev_handle_events(cd);
	CU_ASSERT_EQUAL(s->len, 4);
	CU_ASSERT_EQUAL(memcmp(s->buf, "xyz\r", 4), 0);

	/* The user detaching does not disturb the chardev either. */
	close(user);
	CU_ASSERT_FALSE(wait_readable(chardev_fd(cd), 50));
	CU_ASSERT_EQUAL(chardev_write(cd, "more", 4), 4);
	chardev_dispose(cd);
	free(s);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/*
 * Nobody reads the pty: writes never push back, the excess is dropped,
 * counted and logged once. When a reader attaches, everything that was
 * not dropped reaches it, in order, and bytes written + dropped add up.
 */
static void test_pty_unattended_drops_counted(void)
{
	static uint8_t chunk[4096], got[2 * 1024 * 1024];
	struct chardev_spec spec = { .kind = CHARDEV_PTY };
	struct chardev *cd = NULL;
	size_t total = 0, received = 0;
	char expect[160], *log;
	int fds = fd_count(), user, i;
	ssize_t r;

	log_capture_begin();
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", NULL, &cd), 0);
	for (i = 0; i < 256; i++) {
		memset(chunk, 'a' + i % 26, sizeof(chunk));
		CU_ASSERT_EQUAL(chardev_write(cd, chunk, sizeof(chunk)), sizeof(chunk));
		total += sizeof(chunk);
	}
	CU_ASSERT(chardev_dropped_bytes(cd) > 0);
	CU_ASSERT(chardev_dropped_bytes(cd) < total - CHARDEV_OUTPUT_MAX);
	CU_ASSERT_EQUAL(chardev_write_space(cd), CHARDEV_OUTPUT_MAX);

	user = open(chardev_pty_path(cd), O_RDWR | O_NOCTTY | O_NONBLOCK);
	CU_ASSERT_FATAL(user >= 0);
	for (i = 0; i < 1000; i++) {
		while ((r = read(user, got + received, sizeof(got) - received)) > 0)
			received += (size_t)r;
		if (!wait_readable(chardev_fd(cd), 20))
			break;
		chardev_handle_events(cd);
	}
	CU_ASSERT_EQUAL(received + chardev_dropped_bytes(cd), total);
	/* What arrived is the oldest output, uncorrupted: 'a' first. */
	CU_ASSERT_EQUAL(got[0], 'a');
	CU_ASSERT_EQUAL(got[4095], 'a');
	CU_ASSERT_EQUAL(got[4096], 'b');

	/* With a reader, new output flows again. */
	CU_ASSERT_EQUAL(chardev_write(cd, "tail", 4), 4);
	CU_ASSERT_TRUE(wait_readable(user, 1000));
	CU_ASSERT_EQUAL(read_all(user, got, sizeof(got)), 4);
	CU_ASSERT_EQUAL(memcmp(got, "tail", 4), 0);

	snprintf(expect, sizeof(expect), "unit: serial0: %s is not being read, discarding output\n",
		 chardev_pty_path(cd));
	close(user);
	chardev_dispose(cd);
	log = log_capture_end();
	CU_ASSERT_STRING_EQUAL(log, expect);
	free(log);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/* The consumer is full: input is held, not read further, and resumes in order. */
static void test_input_backpressure(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_PTY };
	struct chardev_callbacks cb;
	struct sink *s = sink_new(&cb);
	struct chardev *cd = NULL;
	int fds = fd_count(), user;

	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", &cb, &cd), 0);
	user = open(chardev_pty_path(cd), O_RDWR | O_NOCTTY | O_NONBLOCK);
	CU_ASSERT_FATAL(user >= 0);

	s->take_max = 3;
	CU_ASSERT(write(user, "abcdefgh", 8) == 8);
	CU_ASSERT_TRUE(wait_readable(chardev_fd(cd), 1000));
	chardev_handle_events(cd);
	CU_ASSERT_EQUAL(s->len, 3);
	CU_ASSERT_EQUAL(s->calls, 1);

	/* Still full: more input arrives but the chardev does not wake up. */
	s->take_max = 0;
	CU_ASSERT(write(user, "ijk", 3) == 3);
	CU_ASSERT_FALSE(wait_readable(chardev_fd(cd), 100));

	s->take_max = SIZE_MAX;
	chardev_input_resume(cd);
	CU_ASSERT_EQUAL(s->len, 8);
	CU_ASSERT_TRUE(wait_readable(chardev_fd(cd), 1000));
	chardev_handle_events(cd);
	CU_ASSERT_EQUAL(s->len, 11);
	CU_ASSERT_EQUAL(memcmp(s->buf, "abcdefghijk", 11), 0);

	close(user);
	chardev_dispose(cd);
	free(s);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

static void test_unix_nowait_connect_disconnect_reconnect(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_UNIX, .server = true, .wait = false };
	struct chardev_callbacks cb;
	struct sink *s = sink_new(&cb);
	struct chardev *cd = NULL;
	char path[128], expect[1024], *log;
	uint8_t buf[64];
	int fds = fd_count(), client;

	snprintf(path, sizeof(path), "%s", tmp_path("mon.sock"));
	spec.path = path;
	log_capture_begin();
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "compat_monitor0", &cb, &cd), 0);
	CU_ASSERT_FALSE(chardev_is_connected(cd));
	snprintf(expect, sizeof(expect), "disconnected:unix:%s,server=on", path);
	CU_ASSERT_STRING_EQUAL(chardev_filename(cd), expect);

	/* No client: dropped (as QEMU does), counted, no back-pressure. */
	CU_ASSERT_EQUAL(chardev_write(cd, "lost", 4), 4);
	CU_ASSERT_EQUAL(chardev_dropped_bytes(cd), 4);
	CU_ASSERT_EQUAL(chardev_write_space(cd), CHARDEV_OUTPUT_MAX);

	client = unix_connect(path);
	pump(cd, 1);
	CU_ASSERT_EQUAL(s->connects, 1);
	CU_ASSERT_TRUE(chardev_is_connected(cd));
	snprintf(expect, sizeof(expect), "unix:%s,server=on", path);
	CU_ASSERT_STRING_EQUAL(chardev_filename(cd), expect);

	CU_ASSERT_EQUAL(chardev_write(cd, "hello", 5), 5);
	CU_ASSERT_TRUE(wait_readable(client, 1000));
	CU_ASSERT_EQUAL(read_all(client, buf, sizeof(buf)), 5);
	CU_ASSERT_EQUAL(memcmp(buf, "hello", 5), 0);
	CU_ASSERT(write(client, "info status\n", 12) == 12);
	pump(cd, 1);
	CU_ASSERT_EQUAL(s->len, 12);
	CU_ASSERT_EQUAL(memcmp(s->buf, "info status\n", 12), 0);

	close(client);
	pump(cd, 2);
	CU_ASSERT_EQUAL(s->disconnects, 1);
	CU_ASSERT_FALSE(chardev_is_connected(cd));

	client = unix_connect(path);
	pump(cd, 1);
	CU_ASSERT_EQUAL(s->connects, 2);
	CU_ASSERT_EQUAL(chardev_write(cd, "again", 5), 5);
	CU_ASSERT_TRUE(wait_readable(client, 1000));
	CU_ASSERT_EQUAL(read_all(client, buf, sizeof(buf)), 5);
	CU_ASSERT_EQUAL(memcmp(buf, "again", 5), 0);
	close(client);

	chardev_dispose(cd);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);	/* the socket path is gone */
	log = log_capture_end();
	snprintf(expect, sizeof(expect),
		 "unit: compat_monitor0: no client connected, discarding output\n"
		 "unit: compat_monitor0: client connected to unix:%s\n"
		 "unit: compat_monitor0: client disconnected from unix:%s\n"
		 "unit: compat_monitor0: client connected to unix:%s\n",
		 path, path, path);
	CU_ASSERT_STRING_EQUAL(log, expect);
	free(log);
	free(s);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/* A relative socket path is unlinked even after the process changed directory. */
static void test_unix_relative_path_unlinked(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_UNIX, .server = true, .wait = false,
				     .path = "rel.sock" };
	struct chardev *cd = NULL;
	char cwd[512], sock[600];
	int fds = fd_count();

	CU_ASSERT_FATAL(getcwd(cwd, sizeof(cwd)) != NULL);
	tmp_path("x");
	CU_ASSERT_FATAL(chdir(tmpdir) == 0);
	log_capture_begin();
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "monitor0", NULL, &cd), 0);
	CU_ASSERT_STRING_EQUAL(chardev_filename(cd), "disconnected:unix:rel.sock,server=on");
	CU_ASSERT_FATAL(chdir("/") == 0);
	snprintf(sock, sizeof(sock), "%s/rel.sock", tmpdir);
	CU_ASSERT_EQUAL(access(sock, F_OK), 0);
	chardev_dispose(cd);
	CU_ASSERT_EQUAL(access(sock, F_OK), -1);
	free(log_capture_end());
	CU_ASSERT_FATAL(chdir(cwd) == 0);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/* A client that does not read: writes take less, then nothing; nothing is lost. */
static void test_unix_output_backpressure(void)
{
	static uint8_t chunk[4096], got[4 * 1024 * 1024];
	struct chardev_spec spec = { .kind = CHARDEV_UNIX, .server = true, .wait = false };
	struct chardev *cd = NULL;
	size_t accepted = 0, received = 0, n, i;
	int fds = fd_count(), client, round;
	bool saw_partial = false;
	char path[128];
	ssize_t r;

	snprintf(path, sizeof(path), "%s", tmp_path("bp.sock"));
	spec.path = path;
	log_capture_begin();
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", NULL, &cd), 0);
	client = unix_connect(path);
	pump(cd, 1);
	CU_ASSERT_TRUE_FATAL(chardev_is_connected(cd));

	for (round = 0; round < 4096; round++) {
		for (i = 0; i < sizeof(chunk); i++)
			chunk[i] = (uint8_t)((accepted + i) % 251);
		n = chardev_write(cd, chunk, sizeof(chunk));
		accepted += n;
		if (n < sizeof(chunk)) {
			saw_partial = true;
			break;
		}
	}
	CU_ASSERT_TRUE(saw_partial);
	CU_ASSERT_EQUAL(chardev_write_space(cd), 0);
	CU_ASSERT_EQUAL(chardev_write(cd, chunk, 1), 0);
	/* Waiting for the client: nothing for the loop to do meanwhile. */
	CU_ASSERT_FALSE(wait_readable(chardev_fd(cd), 50));

	for (round = 0; round < 10000 && received < accepted; round++) {
		while ((r = read(client, got + received, sizeof(got) - received)) > 0)
			received += (size_t)r;
		if (wait_readable(chardev_fd(cd), 20))
			chardev_handle_events(cd);
	}
	CU_ASSERT_EQUAL(received, accepted);
	CU_ASSERT_EQUAL(chardev_dropped_bytes(cd), 0);
	CU_ASSERT_EQUAL(chardev_write_space(cd), CHARDEV_OUTPUT_MAX);
	for (i = 0; i < received; i++)
		if (got[i] != (uint8_t)(i % 251))
			break;
	CU_ASSERT_EQUAL(i, received);

	close(client);
	chardev_dispose(cd);
	free(log_capture_end());
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/* One client at a time: the second waits in the backlog until the first leaves. */
static void test_unix_one_client_at_a_time(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_UNIX, .server = true, .wait = false };
	struct chardev_callbacks cb;
	struct sink *s = sink_new(&cb);
	struct chardev *cd = NULL;
	int fds = fd_count(), a, b;
	char path[128];
	uint8_t buf[16];

	snprintf(path, sizeof(path), "%s", tmp_path("one.sock"));
	spec.path = path;
	log_capture_begin();
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "monitor0", &cb, &cd), 0);
	a = unix_connect(path);
	pump(cd, 1);
	b = unix_connect(path);
	pump(cd, 1);
	CU_ASSERT_EQUAL(s->connects, 1);
	CU_ASSERT_EQUAL(chardev_write(cd, "to-a", 4), 4);
	CU_ASSERT_TRUE(wait_readable(a, 1000));
	CU_ASSERT_EQUAL(read_all(a, buf, sizeof(buf)), 4);
	CU_ASSERT_FALSE(wait_readable(b, 50));

	/* Output pending when a client leaves is dropped and counted. */
	close(a);
	pump(cd, 3);
	CU_ASSERT_EQUAL(s->disconnects, 1);
	CU_ASSERT_EQUAL(s->connects, 2);
	CU_ASSERT_EQUAL(chardev_write(cd, "to-b", 4), 4);
	CU_ASSERT_TRUE(wait_readable(b, 1000));
	CU_ASSERT_EQUAL(read_all(b, buf, sizeof(buf)), 4);
	CU_ASSERT_EQUAL(memcmp(buf, "to-b", 4), 0);
	close(b);
	chardev_dispose(cd);
	free(log_capture_end());
	free(s);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/* Without nowait, chardev_open() blocks until a client connects. */
static void test_unix_wait_blocks_for_client(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_UNIX, .server = true, .wait = true };
	struct chardev_callbacks cb;
	struct sink *s = sink_new(&cb);
	struct chardev *cd = NULL;
	char path[128], expect[1024], *log;
	int fds = fd_count(), status;
	pid_t child;

	snprintf(path, sizeof(path), "%s", tmp_path("wait.sock"));
	spec.path = path;
	child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		int fd = -1;

		strcpy(sun.sun_path, path);
		for (int i = 0; i < 200; i++) {
			usleep(10000);
			fd = socket(AF_UNIX, SOCK_STREAM, 0);
			if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
				break;
			close(fd);
			fd = -1;
		}
		if (fd < 0 || write(fd, "hi", 2) != 2)
			_exit(1);
		usleep(200000);
		_exit(0);
	}
	log_capture_begin();
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "monitor0", &cb, &cd), 0);
	CU_ASSERT_TRUE(chardev_is_connected(cd));
	CU_ASSERT_EQUAL(s->connects, 0);	/* documented: no callback for this one */
	pump(cd, 1);
	CU_ASSERT_EQUAL(s->len, 2);
	CU_ASSERT_EQUAL(memcmp(s->buf, "hi", 2), 0);
	CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	chardev_dispose(cd);
	log = log_capture_end();
	snprintf(expect, sizeof(expect),
		 "unit: waiting for connection on unix:%s\n"
		 "unit: monitor0: client connected to unix:%s\n", path, path);
	CU_ASSERT_EQUAL(strncmp(log, expect, strlen(expect)), 0);
	free(log);
	free(s);
	CU_ASSERT_EQUAL(fd_count(), fds);
}

/* stdio over a socketpair put in place of fds 0 and 1. */
static void test_stdio(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_STDIO };
	struct chardev_callbacks cb;
	struct sink *s = sink_new(&cb);
	struct chardev *cd = NULL, *second = NULL;
	int fds, saved_in, saved_out, sp[2], flags0, flags1;
	uint8_t buf[16];
	char *log;

	fflush(stdout);
	saved_in = dup(STDIN_FILENO);
	saved_out = dup(STDOUT_FILENO);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
	dup2(sp[1], STDIN_FILENO);
	dup2(sp[1], STDOUT_FILENO);
	fds = fd_count();
	flags0 = fcntl(STDIN_FILENO, F_GETFL);
	flags1 = fcntl(STDOUT_FILENO, F_GETFL);

	log_capture_begin();
	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", &cb, &cd), 0);
	CU_ASSERT_EQUAL(chardev_open(&spec, "monitor0", NULL, &second), -EBUSY);
	CU_ASSERT_STRING_EQUAL(chardev_filename(cd), "stdio");
	CU_ASSERT_TRUE(fcntl(STDIN_FILENO, F_GETFL) & O_NONBLOCK);
	CU_ASSERT_EQUAL(chardev_write(cd, "out", 3), 3);
	CU_ASSERT_TRUE(wait_readable(sp[0], 1000));
	CU_ASSERT_EQUAL(recv(sp[0], buf, sizeof(buf), MSG_DONTWAIT), 3);
	CU_ASSERT(send(sp[0], "in", 2, 0) == 2);
	pump(cd, 1);
	CU_ASSERT_EQUAL(s->len, 2);
	CU_ASSERT_EQUAL(memcmp(s->buf, "in", 2), 0);

	/* The other end closes: end of input, reported once, no busy loop. */
	shutdown(sp[0], SHUT_WR);
	pump(cd, 1);
	CU_ASSERT_FALSE(wait_readable(chardev_fd(cd), 50));
	chardev_dispose(cd);
	log = log_capture_end();
	CU_ASSERT_STRING_EQUAL(log, "unit: warning: monitor0: stdio is already in use by another chardev\n"
				    "unit: serial0: end of input\n");
	free(log);
	CU_ASSERT_EQUAL(fcntl(STDIN_FILENO, F_GETFL), flags0);
	CU_ASSERT_EQUAL(fcntl(STDOUT_FILENO, F_GETFL), flags1);
	CU_ASSERT_EQUAL(fd_count(), fds);

	dup2(saved_in, STDIN_FILENO);
	dup2(saved_out, STDOUT_FILENO);
	close(saved_in);
	close(saved_out);
	close(sp[0]);
	close(sp[1]);
	free(s);
}

/* A terminal on stdin goes raw (QEMU's flavour) and comes back as it was. */
static void test_stdio_tty_raw_and_restored(void)
{
	struct chardev_spec spec = { .kind = CHARDEV_STDIO };
	struct chardev *cd = NULL;
	struct termios before, during, after;
	int saved_in, master, slave;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	CU_ASSERT_FATAL(master >= 0);
	grantpt(master);
	unlockpt(master);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	CU_ASSERT_FATAL(slave >= 0);
	saved_in = dup(STDIN_FILENO);
	dup2(slave, STDIN_FILENO);
	tcgetattr(STDIN_FILENO, &before);
	CU_ASSERT_TRUE(before.c_lflag & ICANON);

	CU_ASSERT_EQUAL_FATAL(chardev_open(&spec, "serial0", NULL, &cd), 0);
	tcgetattr(STDIN_FILENO, &during);
	CU_ASSERT_FALSE(during.c_lflag & ICANON);
	CU_ASSERT_FALSE(during.c_lflag & ECHO);
	CU_ASSERT_FALSE(during.c_iflag & ICRNL);
	CU_ASSERT_TRUE(during.c_lflag & ISIG);
	CU_ASSERT_TRUE(during.c_oflag & OPOST);
	chardev_dispose(cd);
	tcgetattr(STDIN_FILENO, &after);
	CU_ASSERT_EQUAL(after.c_lflag, before.c_lflag);
	CU_ASSERT_EQUAL(after.c_iflag, before.c_iflag);
	CU_ASSERT_EQUAL(after.c_oflag, before.c_oflag);

	dup2(saved_in, STDIN_FILENO);
	close(saved_in);
	close(slave);
	close(master);
}

static CU_TestInfo tests[] = {
	{ "null takes and drops output", test_null },
	{ "file appends", test_file_appends },
	{ "file write errors are logged once and counted", test_file_write_error_reported },
	{ "file: a FIFO gets back-pressure", test_file_fifo_backpressure },
	{ "open errors are logged and leak nothing", test_open_errors },
	{ "pty: raw round trip, quiet when unattended", test_pty_roundtrip },
	{ "pty: unattended output dropped, counted, logged once", test_pty_unattended_drops_counted },
	{ "input back-pressure holds and resumes in order", test_input_backpressure },
	{ "unix nowait: connect, disconnect, reconnect", test_unix_nowait_connect_disconnect_reconnect },
	{ "unix: output back-pressure loses nothing", test_unix_output_backpressure },
	{ "unix: relative path unlinked after chdir", test_unix_relative_path_unlinked },
	{ "unix: one client at a time", test_unix_one_client_at_a_time },
	{ "unix wait: open blocks for the first client", test_unix_wait_blocks_for_client },
	{ "stdio over a socketpair", test_stdio },
	{ "stdio: terminal raw, then restored", test_stdio_tty_raw_and_restored },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("chardev", tests)

__attribute__((destructor)) static void remove_tmpdir(void)
{
	if (tmpdir[0])
		rmdir(tmpdir);
}
