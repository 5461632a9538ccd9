/* Helpers shared by the fuzz targets (see fuzz.h). */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/log.h"

void fuzz_quiet_log(void)
{
	static FILE *devnull;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	log_set_stream(devnull);
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* A resolved path is absolute, normalised and within the limits. */
static void check_resolved(const char *dir, const char *path)
{
	char *out = NULL;
	size_t depth = 0;
	int rc = bootcfg_resolve_path(dir, path, &out);

	if (rc < 0) {
		FUZZ_CHECK(out == NULL);
		FUZZ_CHECK(rc == -EINVAL || rc == -ENAMETOOLONG || rc == -ENOMEM);
		return;
	}
	FUZZ_CHECK(out && out[0] == '/' && strlen(out) <= BOOTCFG_MAX_ARG);
	FUZZ_CHECK(!strstr(out, "//") && !strstr(out, "/./") && !strstr(out, "/../"));
	FUZZ_CHECK(strcmp(out, "/..") && strncmp(out, "/../", 4));
	for (const char *s = out; *s; s++)
		depth += *s == '/';
	FUZZ_CHECK(depth <= BOOTCFG_MAX_PATH_DEPTH);
	free(out);
}

void fuzz_check_menu(const struct boot_menu *m, int rc)
{
	if (rc < 0) {
		FUZZ_CHECK(m->n_entries == 0);
		return;
	}
	FUZZ_CHECK(rc == 0);
	FUZZ_CHECK(m->n_entries <= BOOTCFG_MAX_ENTRIES);
	FUZZ_CHECK(m->n_entries == 0 || m->default_entry < m->n_entries);
	FUZZ_CHECK(m->timeout_s >= -1 && m->timeout_s <= BOOTCFG_MAX_TIMEOUT);
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct boot_entry *e = &m->entries[i];
		int found;

		FUZZ_CHECK(e->kernel && e->args && e->title);
		FUZZ_CHECK(strlen(e->kernel) <= BOOTCFG_MAX_ARG);
		check_resolved("/", e->kernel);
		check_resolved("/isolinux", e->kernel);
		if (e->initrd)
			check_resolved("/", e->initrd);
		/* Every entry can be found by what names it (perhaps an earlier one
		 * with the same name); a name of digits only is read as an index. */
		if (!all_digits(e->title)) {
			found = boot_menu_find(m, e->title);
			FUZZ_CHECK(found >= 0 && (size_t)found <= i);
		}
		if (e->id && !all_digits(e->id)) {
			found = boot_menu_find(m, e->id);
			FUZZ_CHECK(found >= 0 && (size_t)found <= i);
		}
	}
}
