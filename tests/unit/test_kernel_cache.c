/* xenpv/kernel_cache: keyed by content, a whole entry or none. */
#include "xenpv/kernel_cache.h"
#include "tests/unit/unit.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_hash(void)
{
	char h[65];

	/* FIPS 180-2's test vectors. */
	kernel_cache_hash("abc", 3, h);
	CU_ASSERT_STRING_EQUAL(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	kernel_cache_hash("", 0, h);
	CU_ASSERT_STRING_EQUAL(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/*
 * Two 4 KiB kernels, zero but for their first 16 bytes, that the former
 * key (a 128-bit multiply-xorshift mix) gave the same value,
 * e4421442302c9536c8842884e0592a6c: a bit-by-bit search over the second
 * word found them in milliseconds.
 */
static void test_former_collision_differs(void)
{
	static const uint64_t words[2][2] = {
		{ 0x949ac3a5a267fad4ull, 0x082c71a59daa1b09ull },
		{ 0x149ac3a5a267fa51ull, 0x0008330195351ad0ull },
	};
	char dir[] = "/tmp/xlcache-unit-XXXXXX", path[64], keys[2][96], cmd[80];
	static char file[4096];
	struct kernel_cache kc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	setenv("XENLAUNCH_CACHE", dir, 1);
	for (int i = 0; i < 2; i++) {
		memcpy(file, words[i], sizeof(words[i]));
		snprintf(path, sizeof(path), "%s/vmlinuz%d", dir, i);
		write_file(path, file, sizeof(file));
		kernel_cache_init(&kc);
		CU_ASSERT_FALSE(kernel_cache_lookup(&kc, path));
		snprintf(keys[i], sizeof(keys[i]), "%s", kc.key);
		kernel_cache_dispose(&kc);
	}
	CU_ASSERT_STRING_NOT_EQUAL(keys[0], keys[1]);
	CU_ASSERT_EQUAL(strlen(keys[0]), 64 + 1 + 4);	/* SHA-256, '-', size 0x1000 */
	unsetenv("XENLAUNCH_CACHE");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_miss_store_hit(void)
{
	char dir[] = "/tmp/xlcache-unit-XXXXXX", kpath[128], cmd[160];
	struct kernel_cache kc;
	int status;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	setenv("XENLAUNCH_CACHE", dir, 1);
	snprintf(kpath, sizeof(kpath), "%s/vmlinuz", dir);
	write_file(kpath, "compressed kernel", 17);

	kernel_cache_init(&kc);
	CU_ASSERT_FALSE(kernel_cache_lookup(&kc, kpath));
	kernel_cache_store(&kc, "the decompressed ELF", 20);
	CU_ASSERT_FATAL(kc.writer > 0);
	CU_ASSERT_EQUAL(waitpid(kc.writer, &status, 0), kc.writer);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kernel_cache_reaped(&kc, kc.writer);
	kernel_cache_dispose(&kc);

	kernel_cache_init(&kc);
	CU_ASSERT_TRUE_FATAL(kernel_cache_lookup(&kc, kpath));
	CU_ASSERT_EQUAL(kc.map_size, 20);
	CU_ASSERT_NSTRING_EQUAL(kc.map, "the decompressed ELF", 20);
	kernel_cache_dispose(&kc);

	/* Same name, new content: a miss. */
	write_file(kpath, "another kernel!!!", 17);
	kernel_cache_init(&kc);
	CU_ASSERT_FALSE(kernel_cache_lookup(&kc, kpath));
	/* Nothing decompressed (same size as the file): nothing stored. */
	kernel_cache_store(&kc, "another kernel!!!", 17);
	CU_ASSERT_EQUAL(kc.writer, -1);
	kernel_cache_dispose(&kc);

	unsetenv("XENLAUNCH_CACHE");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void test_unusable_dir_is_a_miss(void)
{
	struct kernel_cache kc;

	setenv("XENLAUNCH_CACHE", "/proc/version/nope", 1);
	kernel_cache_init(&kc);
	CU_ASSERT_FALSE(kernel_cache_lookup(&kc, "/proc/version"));
	kernel_cache_store(&kc, "x", 1);
	CU_ASSERT_EQUAL(kc.writer, -1);
	kernel_cache_dispose(&kc);
	unsetenv("XENLAUNCH_CACHE");
}

/* lookup of kpath with a fresh cache struct: hit or miss. */
static bool lookup_once(const char *kpath)
{
	struct kernel_cache kc;
	bool hit;

	kernel_cache_init(&kc);
	hit = kernel_cache_lookup(&kc, kpath);
	kernel_cache_dispose(&kc);
	return hit;
}

static void test_hostile_entries_refused(void)
{
	char dir[] = "/tmp/xlcache-unit-XXXXXX", cache[64], link[80], kpath[80], entry[256],
	     other[80], cmd[160];
	struct kernel_cache kc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(kpath, sizeof(kpath), "%s/vmlinuz", dir);
	snprintf(other, sizeof(other), "%s/planted", dir);
	write_file(kpath, "compressed kernel", 17);
	write_file(other, "a planted ELF", 13);
	setenv("XENLAUNCH_CACHE", cache, 1);
	kernel_cache_init(&kc);
	CU_ASSERT_FALSE(kernel_cache_lookup(&kc, kpath));
	snprintf(entry, sizeof(entry), "%s/%s.elf", cache, kc.key);
	kernel_cache_dispose(&kc);

	/* A symbolic link as the entry is never followed. */
	CU_ASSERT_EQUAL_FATAL(symlink(other, entry), 0);
	CU_ASSERT_FALSE(lookup_once(kpath));
	CU_ASSERT_EQUAL(unlink(entry), 0);

	/* An entry others may write, or another user's, is not used. */
	write_file(entry, "an entry", 8);
	CU_ASSERT_EQUAL(chmod(entry, 0666), 0);
	CU_ASSERT_FALSE(lookup_once(kpath));
	CU_ASSERT_EQUAL(chmod(entry, 0600), 0);
	if (geteuid() == 0) {
		CU_ASSERT_EQUAL(chown(entry, 65534, 65534), 0);
		CU_ASSERT_FALSE(lookup_once(kpath));
		CU_ASSERT_EQUAL(chown(entry, 0, 0), 0);
	}
	CU_ASSERT_TRUE(lookup_once(kpath));	/* the same entry, ours and 0600 */

	/* Nor is a directory others may write, or a link to a good one. */
	CU_ASSERT_EQUAL(chmod(cache, 0777), 0);
	CU_ASSERT_FALSE(lookup_once(kpath));
	CU_ASSERT_EQUAL(chmod(cache, 0700), 0);
	CU_ASSERT_EQUAL_FATAL(symlink(cache, link), 0);
	setenv("XENLAUNCH_CACHE", link, 1);
	CU_ASSERT_FALSE(lookup_once(kpath));

	unsetenv("XENLAUNCH_CACHE");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static CU_TestInfo tests[] = {
	{ "hash is SHA-256", test_hash },
	{ "two kernels the former key confused get different keys", test_former_collision_differs },
	{ "a linked, foreign or shared entry or directory is not used", test_hostile_entries_refused },
	{ "miss, store in a child, then hit; new content misses", test_miss_store_hit },
	{ "an unusable cache directory is only a miss", test_unusable_dir_is_a_miss },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("kernel_cache", tests)
