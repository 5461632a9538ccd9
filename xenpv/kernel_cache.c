/*
 * Decompressed-kernel cache; see kernel_cache.h.
 */
#include "xenpv/kernel_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

#define DEFAULT_CACHE_DIR "/var/cache/xenlaunch"
#define MAX_KERNEL_FILE (256u << 20)

void kernel_cache_init(struct kernel_cache *kc)
{
	memset(kc, 0, sizeof(*kc));
	kc->writer = -1;
}

void kernel_cache_dispose(struct kernel_cache *kc)
{
	if (kc->map)
		munmap(kc->map, kc->map_size);
	kc->map = NULL;
	kc->map_size = 0;
}

/* Two independent 64-bit lanes of a multiply-xorshift mix over 8-byte words:
 * fast under emulation, good enough to tell kernels apart (not a MAC). */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v * 0x9e3779b97f4a7c15ull;
	h = (h << 27) | (h >> 37);
	return h * 0xff51afd7ed558ccdull + 0x27d4eb2f165667c5ull;
}

static uint64_t fmix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

void kernel_cache_hash(const void *data, size_t len, char out[33])
{
	const unsigned char *p = data;
	uint64_t a = 0x243f6a8885a308d3ull ^ len, b = 0x13198a2e03707344ull + len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, p + i, 8);
		a = mix(a, v);
		b = mix(b, v ^ 0xa4093822299f31d0ull);
	}
	if (i < len) {
		uint64_t v = 0;

		memcpy(&v, p + i, len - i);
		a = mix(a, v);
		b = mix(b, ~v);
	}
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)fmix(a ^ (b >> 1)),
		 (unsigned long long)fmix(b ^ (a << 1)));
}

/* mkdir -p, the last component 0700. */
static int mkdir_parents(const char *dir)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

static bool cache_dir_ready(struct kernel_cache *kc)
{
	const char *dir = getenv("XENLAUNCH_CACHE");
	struct stat st;

	if (!dir || !*dir)
		dir = DEFAULT_CACHE_DIR;
	if (strlen(dir) >= sizeof(kc->dir) - 64)
		return false;
	if (mkdir_parents(dir) < 0) {
		log_debug("kernel cache: mkdir %s: %s", dir, strerror(errno));
		return false;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return false;
	snprintf(kc->dir, sizeof(kc->dir), "%s", dir);
	return true;
}

static void entry_path(const struct kernel_cache *kc, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s.elf", kc->dir, kc->key);
}

bool kernel_cache_lookup(struct kernel_cache *kc, const char *kernel_path)
{
	char path[4200], hash[33];
	struct stat st;
	void *file = MAP_FAILED, *map = MAP_FAILED;
	size_t file_size = 0;
	int fd = -1, efd = -1;
	bool hit = false;

	kc->key[0] = '\0';
	if (!cache_dir_ready(kc))
		goto out;
	fd = open(kernel_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MAX_KERNEL_FILE)
		goto out;
	file_size = (size_t)st.st_size;
	file = mmap(NULL, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (file == MAP_FAILED)
		goto out;
	kernel_cache_hash(file, file_size, hash);
	kc->kernel_size = file_size;
	snprintf(kc->key, sizeof(kc->key), "%s-%zx", hash, kc->kernel_size);

	entry_path(kc, path, sizeof(path));
	efd = open(path, O_RDONLY | O_CLOEXEC);
	if (efd < 0 || fstat(efd, &st) < 0 || st.st_size <= 0)
		goto out;
	/* Writable copy-on-write: libxenguest must never fault on it. */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_POPULATE,
		   efd, 0);
	if (map == MAP_FAILED)
		goto out;
	kc->map = map;
	kc->map_size = (size_t)st.st_size;
	hit = true;
out:
	if (file != MAP_FAILED)
		munmap(file, file_size);	/* not st's: it now describes the entry */
	if (fd >= 0)
		close(fd);
	if (efd >= 0)
		close(efd);
	return hit;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

void kernel_cache_store(struct kernel_cache *kc, const void *elf, size_t size)
{
	char path[4200], tmp[4300];
	pid_t pid;
	int fd = -1;

	if (!kc->key[0] || kc->map || size == kc->kernel_size || kc->writer > 0)
		return;
	entry_path(kc, path, sizeof(path));
	pid = fork();
	if (pid < 0) {
		log_debug("kernel cache: fork: %s", strerror(errno));
		return;
	}
	if (pid > 0) {
		kc->writer = pid;
		return;
	}
	/* The writer: hold nothing of the launcher's, survive a ^C. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	close_range(3, ~0U, 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		_exit(1);
	if (write_all(fd, elf, size) < 0 || fsync(fd) < 0 || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		unlink(tmp);
		_exit(1);
	}
	_exit(0);
}

void kernel_cache_forget(struct kernel_cache *kc)
{
	char path[4200];

	if (!kc->key[0])
		return;
	entry_path(kc, path, sizeof(path));
	unlink(path);
	kernel_cache_dispose(kc);
}

int kernel_cache_reaped(struct kernel_cache *kc, pid_t pid)
{
	if (kc->writer <= 0 || pid != kc->writer)
		return 0;
	kc->writer = -1;
	return 1;
}
