/*
 * diskbench: a small O_DIRECT disk benchmark for the busybox test guest
 * (fio's libraries do not fit its initramfs). Built static by
 * tests/host/build-image and run by tests/bench/disk.sh.
 *
 *   diskbench DEVICE [MIB]
 *
 * Prints one line per figure (MB = 10^6 bytes):
 *   diskbench: seq-write-1M MB/s N
 *   diskbench: seq-read-1M MB/s N
 *   diskbench: rand-read-4K-qd1 IOPS N       (and qd8, qd32)
 *   diskbench: rand-write-4K-qd1 IOPS N      (and qd8, qd32)
 * Sequential passes cover the first MIB MiB (default 128, at most the
 * device); random reads and writes run 5 s each over the same span, queue
 * depth N as N threads each with one request in flight. It WRITES to the
 * device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SEQ_BLOCK (1u << 20)
#define RAND_BLOCK 4096u
#define RAND_SECONDS 5.0
#define QD_MAX 32

static int fd = -1;
static uint64_t span;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int seq(int write, double *mbps_r)
{
	void *buf = NULL;
	double t0, t1;

	if (posix_memalign(&buf, 4096, SEQ_BLOCK))
		return -1;
	memset(buf, write ? 0x5a : 0, SEQ_BLOCK);
	t0 = now();
	for (uint64_t off = 0; off + SEQ_BLOCK <= span; off += SEQ_BLOCK) {
		ssize_t r = write ? pwrite(fd, buf, SEQ_BLOCK, (off_t)off)
				  : pread(fd, buf, SEQ_BLOCK, (off_t)off);

		if (r != (ssize_t)SEQ_BLOCK) {
			perror(write ? "diskbench: pwrite" : "diskbench: pread");
			free(buf);
			return -1;
		}
	}
	if (write && fdatasync(fd) < 0)
		perror("diskbench: fdatasync");
	t1 = now();
	free(buf);
	*mbps_r = (double)(span / SEQ_BLOCK * SEQ_BLOCK) / 1e6 / (t1 - t0);
	return 0;
}

struct rand_job {
	int write;
	unsigned seed;
	double until;
	unsigned long ops;
	int failed;
};

static void *rand_worker(void *opaque)
{
	struct rand_job *j = opaque;
	uint64_t blocks = span / RAND_BLOCK;
	void *buf = NULL;

	if (posix_memalign(&buf, 4096, RAND_BLOCK)) {
		j->failed = 1;
		return NULL;
	}
	memset(buf, 0xa5, RAND_BLOCK);
	while (now() < j->until) {
		uint64_t b;
		ssize_t r;

		j->seed = j->seed * 1103515245u + 12345u;
		b = ((uint64_t)j->seed << 16 ^ (uint64_t)(j->seed >> 8)) % blocks;
		r = j->write ? pwrite(fd, buf, RAND_BLOCK, (off_t)(b * RAND_BLOCK))
			     : pread(fd, buf, RAND_BLOCK, (off_t)(b * RAND_BLOCK));
		if (r != (ssize_t)RAND_BLOCK) {
			perror(j->write ? "diskbench: pwrite" : "diskbench: pread");
			j->failed = 1;
			break;
		}
		j->ops++;
	}
	free(buf);
	return NULL;
}

static int rand_io(int write, unsigned qd, double *iops_r)
{
	pthread_t th[QD_MAX];
	struct rand_job jobs[QD_MAX];
	unsigned long ops = 0;
	double t0 = now(), t1;
	int failed = 0;

	for (unsigned i = 0; i < qd; i++) {
		jobs[i] = (struct rand_job){ .write = write, .seed = 7919u * (i + 1), .until = t0 + RAND_SECONDS };
		if (pthread_create(&th[i], NULL, rand_worker, &jobs[i]))
			return -1;
	}
	for (unsigned i = 0; i < qd; i++) {
		pthread_join(th[i], NULL);
		ops += jobs[i].ops;
		failed |= jobs[i].failed;
	}
	t1 = now();
	*iops_r = (double)ops / (t1 - t0);
	return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t size = 0, mib = 128;
	double v;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: diskbench DEVICE [MIB]\n");
		return 2;
	}
	if (argc == 3)
		mib = strtoull(argv[2], NULL, 10);
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "diskbench: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
		off_t end = lseek(fd, 0, SEEK_END);

		size = end > 0 ? (uint64_t)end : 0;
	}
	span = mib << 20;
	if (span > size)
		span = size / SEQ_BLOCK * SEQ_BLOCK;
	if (span < SEQ_BLOCK) {
		fprintf(stderr, "diskbench: %s: too small\n", argv[1]);
		return 1;
	}
	printf("diskbench: %s, %llu MiB span\n", argv[1], (unsigned long long)(span >> 20));
	fflush(stdout);
	if (seq(1, &v) < 0)
		return 1;
	printf("diskbench: seq-write-1M MB/s %.1f\n", v);
	fflush(stdout);
	if (seq(0, &v) < 0)
		return 1;
	printf("diskbench: seq-read-1M MB/s %.1f\n", v);
	fflush(stdout);
	for (int write = 0; write <= 1; write++) {
		static const unsigned depths[] = { 1, 8, QD_MAX };

		for (unsigned i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
			if (rand_io(write, depths[i], &v) < 0)
				return 1;
			printf("diskbench: rand-%s-4K-qd%u IOPS %.0f\n", write ? "write" : "read", depths[i], v);
			fflush(stdout);
		}
	}
	close(fd);
	return 0;
}
