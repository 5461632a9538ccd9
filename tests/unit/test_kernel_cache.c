/* xenpv/kernel_cache: keyed by content, a whole entry or none. */
#include "xenpv/kernel_cache.h"
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	char a[33], b[33], c[33];

	kernel_cache_hash("abcdefghij", 10, a);
	kernel_cache_hash("abcdefghij", 10, b);
	kernel_cache_hash("abcdefghik", 10, c);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_STRING_NOT_EQUAL(a, c);
	kernel_cache_hash("abcdefghij", 9, c);
	CU_ASSERT_STRING_NOT_EQUAL(a, c);
	CU_ASSERT_EQUAL(strlen(a), 32);
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

static CU_TestInfo tests[] = {
	{ "hash depends on content and length", test_hash },
	{ "miss, store in a child, then hit; new content misses", test_miss_store_hit },
	{ "an unusable cache directory is only a miss", test_unusable_dir_is_a_miss },
	CU_TEST_INFO_NULL,
};
UNIT_SUITE("kernel_cache", tests)
