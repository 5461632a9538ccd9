/*
 * Decompressed-kernel cache; see kernel_cache.h.
 */
#include "xenpv/kernel_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
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
	kc->dir_fd = -1;
	kc->writer = -1;
}

void kernel_cache_dispose(struct kernel_cache *kc)
{
	if (kc->map)
		munmap(kc->map, kc->map_size);
	kc->map = NULL;
	kc->map_size = 0;
	if (kc->dir_fd >= 0)
		close(kc->dir_fd);
	kc->dir_fd = -1;
}

void kernel_cache_hash(const void *data, size_t len, char out[65])
{
	unsigned char md[32];

	/* Libgcrypt must be initialised once per process; libvncserver may
	 * have done it already. */
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_check_version(NULL);
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
	gcry_md_hash_buffer(GCRY_MD_SHA256, md, data, len);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
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

/*
 * Only what this user wrote may be trusted: a hit is loaded into a guest as
 * its kernel. A file or directory someone else owns or can write, or a
 * symbolic link, is refused.
 */
static bool trusted(const struct stat *st)
{
	return st->st_uid == geteuid() && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* Opens the cache directory into kc->dir_fd. */
static bool cache_dir_ready(struct kernel_cache *kc)
{
	const char *dir = getenv("XENLAUNCH_CACHE");
	struct stat st;
	int fd;

	if (!dir || !*dir)
		dir = DEFAULT_CACHE_DIR;
	if (kc->dir_fd >= 0)
		return true;
	if (strlen(dir) >= 4000 || mkdir_parents(dir) < 0) {
		log_debug("kernel cache: mkdir %s: %s", dir, strerror(errno));
		return false;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_debug("kernel cache: %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (!trusted(&st)) {
		log_warnx("kernel cache: %s is not a directory owned by uid %u and writable by it alone; not used",
			  dir, (unsigned)geteuid());
		close(fd);
		return false;
	}
	kc->dir_fd = fd;
	return true;
}

static void entry_name(const struct kernel_cache *kc, char *buf, size_t len)
{
	snprintf(buf, len, "%s.elf", kc->key);
}

bool kernel_cache_lookup(struct kernel_cache *kc, const char *kernel_path)
{
	char name[128], hash[65];
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

	entry_name(kc, name, sizeof(name));
	efd = openat(kc->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (efd < 0 || fstat(efd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		goto out;
	if (!trusted(&st)) {
		log_warnx("kernel cache: entry %s is not owned by uid %u and writable by it alone; not used",
			  name, (unsigned)geteuid());
		goto out;
	}
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
	char name[128], tmp[160];
	pid_t pid;
	int fd = -1;

	if (!kc->key[0] || kc->dir_fd < 0 || kc->map || size == kc->kernel_size || kc->writer > 0)
		return;
	entry_name(kc, name, sizeof(name));
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
	if (kc->dir_fd > 3)
		close_range(3, (unsigned)kc->dir_fd - 1, 0);
	close_range((unsigned)kc->dir_fd + 1, ~0U, 0);
	/* A whole entry or none, under a name nobody else can have made. */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", name, (long)getpid());
	fd = openat(kc->dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		_exit(1);
	if (write_all(fd, elf, size) < 0 || fsync(fd) < 0 || close(fd) < 0 ||
	    renameat(kc->dir_fd, tmp, kc->dir_fd, name) < 0) {
		unlinkat(kc->dir_fd, tmp, 0);
		_exit(1);
	}
	_exit(0);
}

void kernel_cache_forget(struct kernel_cache *kc)
{
	char name[128];

	if (!kc->key[0] || kc->dir_fd < 0)
		return;
	entry_name(kc, name, sizeof(name));
	unlinkat(kc->dir_fd, name, 0);
	kernel_cache_dispose(kc);
}

int kernel_cache_reaped(struct kernel_cache *kc, pid_t pid)
{
	if (kc->writer <= 0 || pid != kc->writer)
		return 0;
	kc->writer = -1;
	return 1;
}
