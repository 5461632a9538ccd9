/*
 * A whole disk image: partition tables and filesystem detection (libblkid),
 * ext2/3/4 (libext2fs), iso9660 (libiso9660), the search for a boot config
 * and the extraction of every kernel and initrd it names, as the sandboxed
 * child does them (bootloader.c). The input is the image, held in a memfd;
 * libiso9660 opens it by its /proc/self/fd path.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootloader/image.h"

/* Far below the real limits: enough to read every seed's files. */
#define FUZZ_EXTRACT_MAX (1u << 20)

static int image_fd = -1, out_fd = -1;

/*
 * The sandbox runs this code with RLIMIT_AS at 512 MiB (bootloader.c), where
 * a larger allocation fails. libiso9660 sizes a directory's buffer by what
 * the image claims, up to 4 GiB, and copes when that fails: the fuzzer sees
 * the same limit, so that it reports what would go wrong in the sandbox.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1:max_allocation_size_mb=512";
}

static void extract(struct boot_image *img, size_t vol, const char *path)
{
	const char *err = NULL;
	uint64_t size = 0;
	struct stat st;
	int rc;

	if (!path || ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) < 0)
		return;
	rc = boot_image_extract(img, vol, path, FUZZ_EXTRACT_MAX, out_fd, &size, &err);
	if (rc < 0) {
		FUZZ_CHECK(err && *err);
		return;
	}
	FUZZ_CHECK(size <= FUZZ_EXTRACT_MAX);
	FUZZ_CHECK(fstat(out_fd, &st) == 0 && (uint64_t)st.st_size == size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct boot_image img;
	struct boot_menu m;
	const char *err = NULL;
	char path[64], *config = NULL;
	size_t vol = SIZE_MAX;
	int rc;

	fuzz_quiet_log();
	if (image_fd < 0) {
		image_fd = memfd_create("image", 0);
		out_fd = memfd_create("extract", 0);
		FUZZ_CHECK(image_fd >= 0 && out_fd >= 0);
	}
	FUZZ_CHECK(ftruncate(image_fd, 0) == 0);
	FUZZ_CHECK(pwrite(image_fd, data, size, 0) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", image_fd);

	boot_menu_init(&m);
	rc = boot_image_open(&img, image_fd, boot_image_iso_open(image_fd, path), &err);
	if (rc < 0) {
		FUZZ_CHECK(err && *err);
		goto out;
	}
	FUZZ_CHECK(img.n_vol <= BOOTIMG_MAX_PARTITIONS + 1);
	for (size_t v = 0; v < img.n_vol; v++)
		FUZZ_CHECK(img.vol[v].offset + img.vol[v].size <= img.size);
	rc = boot_image_find_menu(&img, &m, &vol, &config, &err);
	if (rc < 0) {
		FUZZ_CHECK(err && *err && !config);
		goto out;
	}
	FUZZ_CHECK(vol < img.n_vol && config && config[0] == '/');
	fuzz_check_menu(&m, rc);
	for (size_t i = 0; i < m.n_entries; i++) {
		extract(&img, vol, m.entries[i].kernel);
		extract(&img, vol, m.entries[i].initrd);
	}
out:
	boot_image_close(&img);
	boot_menu_dispose(&m);
	free(config);
	return 0;
}
