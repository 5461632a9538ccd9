/*
 * A cache of decompressed PV kernels, for warm starts: libxenguest spends
 * most of a cold start decompressing the kernel (a bzImage's XZ payload to
 * a 66 MB ELF); the second start of the same kernel loads the ELF it kept
 * with xc_dom_kernel_mem instead.
 *
 * Entries are keyed by the content of the kernel file (its SHA-256 plus
 * its size), never by its name, so a kernel replaced under the same path is
 * a miss, and a kernel a guest put on its disk (-bootloader) cannot be made
 * to share a key with another. The directory is $XENLAUNCH_CACHE, else
 * /var/cache/xenlaunch (created 0700). Entries are written to a temporary
 * name and renamed, so a reader sees a whole entry or none. The directory
 * and each entry must be owned by the launcher's user and writable by it
 * alone, and are opened without following symbolic links; else they are
 * not used (a warning). The cache is an optimisation only: any other failure
 * is logged at debug level and the kernel is loaded from its file.
 */
#ifndef XENPV_KERNEL_CACHE_H
#define XENPV_KERNEL_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel_cache {
	int dir_fd;		/* the cache directory, or -1 */
	char key[96];		/* hex key of the kernel file, "" if unknown */
	size_t kernel_size;	/* size of the kernel file */
	void *map;		/* mapped cache entry on a hit */
	size_t map_size;
	pid_t writer;		/* child writing a new entry, or -1 */
};

void kernel_cache_init(struct kernel_cache *kc);
/* Unmaps a hit, closes the directory. Does not wait for a writer (see
 * kernel_cache_reaped). */
void kernel_cache_dispose(struct kernel_cache *kc);

/*
 * Hashes the kernel file and maps its cache entry if there is one.
 * Returns true on a hit (kc->map, kc->map_size hold the ELF), false on a
 * miss or any error (then load the file; kernel_cache_store may keep it).
 */
bool kernel_cache_lookup(struct kernel_cache *kc, const char *kernel_path);

/*
 * Keeps `elf` (what libxenguest parsed) under the key of the last lookup,
 * unless it equals the kernel file in size (nothing was decompressed, nothing
 * to gain). Writing happens in a forked child so that the start path does
 * not wait for 66 MB to reach the disk; kc->writer is its pid.
 */
void kernel_cache_store(struct kernel_cache *kc, const void *elf, size_t size);

/* Drops a bad entry (it failed to parse). */
void kernel_cache_forget(struct kernel_cache *kc);

/* After SIGCHLD: 1 when pid was the writer (now reaped by the caller). */
int kernel_cache_reaped(struct kernel_cache *kc, pid_t pid);

/* The hash, exposed for the unit tests: SHA-256 as 64 hex digits + NUL. */
void kernel_cache_hash(const void *data, size_t len, char out[65]);

#endif
