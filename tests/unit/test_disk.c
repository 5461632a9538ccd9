/*
 * disk/: the raw file's operations on a temporary file, the format probe on
 * each format's magic, the check's refusals with their exact texts, and the
 * NBD implementation against a real qemu-nbd (skipped, saying so, when
 * qemu-utils is not installed): data, flush, discard, a daemon that does not
 * start, and a daemon that goes when its launcher is SIGKILLed.
 */
#include "disk/disk.h"
#include "tests/unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

#define IMG_BYTES (4u << 20)

static void temp_path(char *path, size_t len, const char *what)
{
	int fd;

	snprintf(path, len, "/tmp/xenlaunch-unit-%s-XXXXXX", what);
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
}

/* A pattern that differs from sector to sector and from run to run. */
static void fill(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31 + i / 512 + seed);
}

/* Log lines go to a buffer; returns what was logged since log_capture(). */
static char *log_buf;
static size_t log_len;
static FILE *log_f;

static void log_capture(void)
{
	free(log_buf);
	log_buf = NULL;
	log_f = open_memstream(&log_buf, &log_len);
	CU_ASSERT_FATAL(log_f != NULL);
	log_set_stream(log_f);
}

static const char *log_release(void)
{
	log_set_stream(NULL);
	fclose(log_f);
	log_f = NULL;
	return log_buf;
}

/* ---- raw file -------------------------------------------------------------- */

static void test_raw_file(void)
{
	static uint8_t a[3 * 512], b[512], back[4096], zero[4096];
	char path[64];
	struct disk d;
	struct iovec iov[2];
	int fd;

	temp_path(path, sizeof(path), "raw");
	CU_ASSERT_FATAL(truncate(path, IMG_BYTES) == 0);
	CU_ASSERT_EQUAL_FATAL(disk_open(&d, &(struct disk_params){ .file = path, .discard = true,
								   .label = "vbd/test" }), 0);
	CU_ASSERT_PTR_EQUAL(d.ops, &disk_raw_file_ops);
	CU_ASSERT_EQUAL(d.size, IMG_BYTES);
	CU_ASSERT_TRUE(d.discard);
	CU_ASSERT_FALSE(d.blockdev);

	/* Two buffers apart in memory, one run on the disk. */
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	iov[0] = (struct iovec){ a, sizeof(a) };
	iov[1] = (struct iovec){ b, sizeof(b) };
	CU_ASSERT_EQUAL(disk_pwritev(&d, iov, 2, 8192), 0);
	CU_ASSERT_EQUAL(disk_flush(&d), 0);
	fd = open(path, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pread(fd, back, sizeof(back), 8192), (ssize_t)sizeof(back));
	CU_ASSERT_EQUAL(memcmp(back, a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(memcmp(back + sizeof(a), b, sizeof(b)), 0);

	memset(back, 0, sizeof(back));
	iov[0] = (struct iovec){ back, 1024 };
	iov[1] = (struct iovec){ back + 1024, 3 * 512 };
	CU_ASSERT_EQUAL(disk_preadv(&d, iov, 2, 8192), 0);
	CU_ASSERT_EQUAL(memcmp(back, a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(memcmp(back + sizeof(a), b, sizeof(b)), 0);

	/* A discarded page reads back as zeroes; its neighbours keep their data. */
	CU_ASSERT_EQUAL(disk_discard(&d, 8192, 4096), 0);
	CU_ASSERT_EQUAL(pread(fd, back, 4096, 8192), 4096);
	CU_ASSERT_EQUAL(memcmp(back, zero, 4096), 0);
	CU_ASSERT_EQUAL(d.size, IMG_BYTES);	/* the size is kept */

	/* Past the end: an error, not a short read. */
	iov[0] = (struct iovec){ back, 1024 };
	CU_ASSERT_EQUAL(disk_preadv(&d, iov, 1, IMG_BYTES - 512), -EIO);
	close(fd);
	disk_close(&d);
	disk_close(&d);	/* idempotent */

	/* Read-only: the descriptor refuses writes; discard is not offered. */
	CU_ASSERT_EQUAL_FATAL(disk_open(&d, &(struct disk_params){ .file = path, .readonly = true,
								   .discard = true, .label = "vbd/test" }), 0);
	CU_ASSERT_FALSE(d.discard);
	iov[0] = (struct iovec){ a, 512 };
	CU_ASSERT_EQUAL(disk_pwritev(&d, iov, 1, 0), -EBADF);
	disk_close(&d);
	unlink(path);
}

static void test_open_errors(void)
{
	struct disk d;

	log_capture();
	CU_ASSERT_EQUAL(disk_open(&d, &(struct disk_params){ .file = "/nonexistent/x.img",
							     .label = "vbd/test" }), -ENOENT);
	CU_ASSERT_EQUAL(disk_open(&d, &(struct disk_params){ .file = "/dev/null",
							     .label = "vbd/test" }), -EINVAL);
	CU_ASSERT_STRING_EQUAL(log_release(),
			       "unit: warning: vbd/test: /nonexistent/x.img: No such file or directory\n"
			       "unit: warning: vbd/test: /dev/null is not a regular file or block device\n");
	disk_close(&d);
}

/* ---- formats ---------------------------------------------------------------- */

static void test_probe_format(void)
{
	uint8_t vdi[72] = { 0 };

	CU_ASSERT_STRING_EQUAL(disk_probe_format((const uint8_t *)"QFI\xfb\0\0\0\2", 8), "qcow2");
	CU_ASSERT_STRING_EQUAL(disk_probe_format((const uint8_t *)"QFI\xfb\0\0\0\3", 8), "qcow2");
	CU_ASSERT_STRING_EQUAL(disk_probe_format((const uint8_t *)"QFI\xfb\0\0\0\1", 8), "qcow");
	CU_ASSERT_STRING_EQUAL(disk_probe_format((const uint8_t *)"QED\0....", 8), "qed");
	CU_ASSERT_STRING_EQUAL(disk_probe_format((const uint8_t *)"KDMV....", 8), "vmdk");
	CU_ASSERT_STRING_EQUAL(disk_probe_format((const uint8_t *)"# Disk DescriptorFile\n", 22),
			       "vmdk");
	CU_ASSERT_STRING_EQUAL(disk_probe_format((const uint8_t *)"vhdxfile", 8), "vhdx");
	CU_ASSERT_STRING_EQUAL(disk_probe_format((const uint8_t *)"conectix", 8), "vpc");
	memcpy(vdi + 64, "\x7f\x10\xda\xbe", 4);
	CU_ASSERT_STRING_EQUAL(disk_probe_format(vdi, sizeof(vdi)), "vdi");
	CU_ASSERT_PTR_NULL(disk_probe_format(vdi, 66));	/* too short to tell */
	CU_ASSERT_PTR_NULL(disk_probe_format((const uint8_t *)"\0\0\0\0\0\0\0\0", 8));
	CU_ASSERT_PTR_NULL(disk_probe_format((const uint8_t *)"QFI\xfb", 4));

	CU_ASSERT_STRING_EQUAL(disk_format_lookup("qcow2"), "qcow2");
	CU_ASSERT_STRING_EQUAL(disk_format_lookup("raw"), "raw");
	CU_ASSERT_PTR_NULL(disk_format_lookup("qcow3"));
	CU_ASSERT_PTR_NULL(disk_format_lookup(""));
}

static void test_check(void)
{
	char raw[64], qcow[64], why[160];
	const char *format = NULL;
	int fd;

	temp_path(raw, sizeof(raw), "raw");
	temp_path(qcow, sizeof(qcow), "qcow");
	fd = open(qcow, O_WRONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(write(fd, "QFI\xfb\0\0\0\3", 8) == 8);
	close(fd);

	CU_ASSERT_EQUAL(disk_check(raw, NULL, false, &format, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(format, "raw");
	CU_ASSERT_EQUAL(disk_check(qcow, "qcow2", true, &format, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(format, "qcow2");
	CU_ASSERT_EQUAL(disk_check(qcow, "raw", false, &format, why, sizeof(why)), 0);
	CU_ASSERT_STRING_EQUAL(format, "raw");

	CU_ASSERT_EQUAL(disk_check("/nonexistent/x.qcow2", "qcow2", false, &format, why, sizeof(why)),
			-ENOENT);
	CU_ASSERT_STRING_EQUAL(why, "No such file or directory");
	CU_ASSERT_EQUAL(disk_check(qcow, NULL, false, &format, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "this is a qcow2 image; say format=qcow2 to serve it, or "
				    "format=raw for its bytes as they are");
	CU_ASSERT_EQUAL(disk_check(raw, "qcow2", false, &format, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "format=qcow2 was given but this is a raw image");
	CU_ASSERT_EQUAL(disk_check(qcow, "vdi", false, &format, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "format=vdi was given but this is a qcow2 image");
	CU_ASSERT_EQUAL(disk_check("/dev/null", NULL, false, &format, why, sizeof(why)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "not a regular file or block device");
	unlink(raw);
	unlink(qcow);
}

/* ---- NBD ------------------------------------------------------------------ */

static bool have_program(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static bool nbd_available(void)
{
	if (have_program("qemu-nbd") && have_program("qemu-img"))
		return true;
	printf("skipped: qemu-nbd or qemu-img not installed (Debian's qemu-utils) ... ");
	return false;
}

static void qemu_img_create(const char *path, const char *format)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "qemu-img create -q -f %s %s %u", format, path, IMG_BYTES);
	CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
}

static struct disk_params qcow_params(const char *path, bool readonly)
{
	return (struct disk_params){ .file = path, .format = "qcow2", .readonly = readonly,
				     .discard = true, .label = "vbd/test" };
}

/* Every child of ours is gone (the daemon was waited for). */
static void expect_no_children(void)
{
	CU_ASSERT_EQUAL(waitpid(-1, NULL, WNOHANG), -1);
	CU_ASSERT_EQUAL(errno, ECHILD);
}

static void test_nbd_qcow2(void)
{
	static uint8_t a[8192], b[4096], back[12288], zero[65536];
	char path[80], cmd[160];
	struct iovec iov[2];
	struct disk d;

	if (!nbd_available())
		return;
	/* A comma in the name: qemu-nbd's option syntax must not split it. */
	temp_path(path, sizeof(path), "qcow2,file.driver=null-co");
	qemu_img_create(path, "qcow2");

	CU_ASSERT_EQUAL_FATAL(disk_open(&d, &(struct disk_params){ .file = path, .format = "qcow2",
								   .discard = true, .label = "vbd/test" }), 0);
	CU_ASSERT_STRING_EQUAL(d.ops->name, "qemu-nbd");
	CU_ASSERT_PTR_NOT_EQUAL(d.ops, &disk_nbd_ops);	/* the module's table */
	CU_ASSERT_EQUAL(d.size, IMG_BYTES);	/* the virtual size, not the file's */
	CU_ASSERT_TRUE(d.discard);
	fill(a, sizeof(a), 3);
	fill(b, sizeof(b), 4);
	iov[0] = (struct iovec){ a, sizeof(a) };
	iov[1] = (struct iovec){ b, sizeof(b) };	/* not after a: the bounce buffer */
	CU_ASSERT_EQUAL(disk_pwritev(&d, iov, 2, 1 << 20), 0);
	CU_ASSERT_EQUAL(disk_flush(&d), 0);
	iov[0] = (struct iovec){ back, 4096 };
	iov[1] = (struct iovec){ back + 4096, 8192 };	/* contiguous: straight in */
	CU_ASSERT_EQUAL(disk_preadv(&d, iov, 2, 1 << 20), 0);
	CU_ASSERT_EQUAL(memcmp(back, a, sizeof(a)), 0);
	CU_ASSERT_EQUAL(memcmp(back + sizeof(a), b, sizeof(b)), 0);
	CU_ASSERT_EQUAL(disk_discard(&d, 1 << 20, 65536), 0);
	iov[0] = (struct iovec){ back, 4096 };
	CU_ASSERT_EQUAL(disk_preadv(&d, iov, 1, 1 << 20), 0);
	CU_ASSERT_EQUAL(memcmp(back, zero, 4096), 0);
	CU_ASSERT_EQUAL(disk_pwritev(&d, (struct iovec[]){ { a, 4096 } }, 1, 0), 0);
	disk_close(&d);
	expect_no_children();

	/* The data is in the image: a new daemon reads it, qemu-img finds it sound. */
	CU_ASSERT_EQUAL_FATAL(disk_open(&d, &(struct disk_params){ .file = path, .format = "qcow2",
								   .readonly = true, .label = "vbd/test" }), 0);
	CU_ASSERT_FALSE(d.discard);
	memset(back, 0, sizeof(back));
	CU_ASSERT_EQUAL(disk_preadv(&d, (struct iovec[]){ { back, 4096 } }, 1, 0), 0);
	CU_ASSERT_EQUAL(memcmp(back, a, 4096), 0);
	/* A read-only export refuses writes. */
	log_capture();
	CU_ASSERT_EQUAL(disk_pwritev(&d, (struct iovec[]){ { a, 4096 } }, 1, 0), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(log_release(), "unit: warning: vbd/test: NBD write: "));
	disk_close(&d);
	expect_no_children();
	snprintf(cmd, sizeof(cmd), "qemu-img check -q %s", path);
	CU_ASSERT_EQUAL(system(cmd), 0);
	unlink(path);
}

static void test_nbd_other_formats(void)
{
	static const char *const formats[] = { "vmdk", "vdi", "vhdx", "qed", "vpc" };
	uint8_t a[4096], back[4096];
	char path[64];
	struct disk d;

	if (!nbd_available())
		return;
	fill(a, sizeof(a), 5);
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *format = NULL;
		char why[160];

		temp_path(path, sizeof(path), formats[i]);
		qemu_img_create(path, formats[i]);
		/* The probe recognises what qemu-img made. */
		CU_ASSERT_EQUAL(disk_check(path, formats[i], false, &format, why, sizeof(why)), 0);
		CU_ASSERT_EQUAL_FATAL(disk_open(&d, &(struct disk_params){ .file = path,
									   .format = formats[i],
									   .label = "vbd/test" }), 0);
		CU_ASSERT(d.size >= IMG_BYTES);	/* vpc rounds up to its geometry */
		CU_ASSERT_EQUAL(disk_pwritev(&d, (struct iovec[]){ { a, 4096 } }, 1, 4096), 0);
		memset(back, 0, sizeof(back));
		CU_ASSERT_EQUAL(disk_preadv(&d, (struct iovec[]){ { back, 4096 } }, 1, 4096), 0);
		CU_ASSERT_EQUAL(memcmp(back, a, sizeof(a)), 0);
		disk_close(&d);
		unlink(path);
	}
	expect_no_children();
}

static void test_nbd_start_failures(void)
{
	char path[64], raw[64], expect[512];
	struct disk d;
	struct disk_params p;

	if (!nbd_available())
		return;
	temp_path(path, sizeof(path), "qcow2");
	qemu_img_create(path, "qcow2");
	temp_path(raw, sizeof(raw), "raw");
	CU_ASSERT_FATAL(truncate(raw, IMG_BYTES) == 0);

	log_capture();
	setenv("XENLAUNCH_QEMU_NBD", "no-such-qemu-nbd", 1);
	p = qcow_params(path, false);
	CU_ASSERT_EQUAL(disk_open(&d, &p), -ENOENT);
	setenv("XENLAUNCH_QEMU_NBD", "/nonexistent/qemu-nbd", 1);
	CU_ASSERT_EQUAL(disk_open(&d, &p), -ENOENT);
	unsetenv("XENLAUNCH_QEMU_NBD");
	snprintf(expect, sizeof(expect),
		 "unit: warning: vbd/test: %s: format=qcow2 needs qemu-nbd (Debian's qemu-utils), "
		 "which is not in PATH\n"
		 "unit: warning: vbd/test: %s: cannot start /nonexistent/qemu-nbd: "
		 "No such file or directory\n", path, path);
	CU_ASSERT_STRING_EQUAL(log_release(), expect);
	expect_no_children();

	/* qemu-nbd refuses a raw file as qcow2 (on its stderr) and exits. */
	log_capture();
	p = qcow_params(raw, false);
	CU_ASSERT_EQUAL(disk_open(&d, &p), -EIO);
	snprintf(expect, sizeof(expect),
		 "unit: warning: vbd/test: %s: qemu-nbd exited with status 1 instead of serving "
		 "the image\n", raw);
	CU_ASSERT_STRING_EQUAL(log_release(), expect);
	expect_no_children();
	unlink(path);
	unlink(raw);
}

/* Milliseconds since an arbitrary point. */
static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A "launcher" (a child that opens the image) is SIGKILLed: its daemon must
 * go by itself. As the children's subreaper, the test gets the orphaned
 * daemon and sees it exit.
 */
static void test_nbd_dies_with_launcher(void)
{
	char path[64], c = 0;
	int ready[2];
	pid_t launcher, pid;
	long t0;
	bool daemon_gone = false;

	if (!nbd_available())
		return;
	temp_path(path, sizeof(path), "qcow2");
	qemu_img_create(path, "qcow2");
	CU_ASSERT_FATAL(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	CU_ASSERT_FATAL(pipe(ready) == 0);
	fflush(NULL);
	launcher = fork();
	CU_ASSERT_FATAL(launcher >= 0);
	if (launcher == 0) {
		struct disk_params p = qcow_params(path, false);
		struct disk d;

		close(ready[0]);
		if (disk_open(&d, &p) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	CU_ASSERT_EQUAL_FATAL(read(ready[0], &c, 1), 1);
	close(ready[0]);
	kill(launcher, SIGKILL);
	CU_ASSERT_EQUAL(waitpid(launcher, NULL, 0), launcher);
	t0 = now_ms();
	while (now_ms() - t0 < 3000) {
		pid = waitpid(-1, NULL, WNOHANG);
		if (pid < 0 && errno == ECHILD) {
			daemon_gone = true;
			break;
		}
		usleep(10000);
	}
	CU_ASSERT_TRUE(daemon_gone);
	printf("(daemon gone %ld ms after the SIGKILL) ", now_ms() - t0);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	unlink(path);
}

static CU_TestInfo tests[] = {
	{ "raw file: read/write vectors, flush, discard, size, read-only", test_raw_file },
	{ "open errors name the device and the file", test_open_errors },
	{ "format probe: each format's magic", test_probe_format },
	{ "check: missing file, probed format refused, disagreeing format= refused", test_check },
	{ "NBD: qcow2 data, flush, discard, reopen read-only, qemu-img check", test_nbd_qcow2 },
	{ "NBD: vmdk, vdi, vhdx, qed, vpc", test_nbd_other_formats },
	{ "NBD: daemon not found, not executable, refusing the image", test_nbd_start_failures },
	{ "NBD: the daemon goes when its launcher is SIGKILLed", test_nbd_dies_with_launcher },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("disk", tests)
