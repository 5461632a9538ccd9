/*
 * Boot Loader Specification entries: the input is split at NUL bytes into
 * entry files (a file may hold no NUL, so each piece is one file), named
 * 0.conf, 1.conf...; the first line of the input, when it starts with
 * "default ", names the default as loader.conf would.
 */
#include "tests/fuzz/fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *end = text + size;
	char *default_id = NULL;
	struct boot_menu m;
	unsigned n = 0;
	int rc = 0;

	fuzz_quiet_log();
	boot_menu_init(&m);
	if (size > 8 && !memcmp(text, "default ", 8)) {
		const char *nl = memchr(text, '\n', size);
		const char *stop = nl ? nl : end;

		default_id = strndup(text + 8, (size_t)(stop - text - 8));
		text = nl ? nl + 1 : end;
	}
	while (text < end) {
		const char *nul = memchr(text, '\0', (size_t)(end - text));
		size_t len = nul ? (size_t)(nul - text) : (size_t)(end - text);
		const char *err = NULL;
		char name[32];
		size_t before = m.n_entries;

		snprintf(name, sizeof(name), "%u.conf", n++);
		rc = bootcfg_parse_bls_entry(name, text, len, &m, &err);
		if (rc < 0)
			FUZZ_CHECK(err && m.n_entries == before);
		else
			FUZZ_CHECK(m.n_entries == before + 1);
		text += len + (nul ? 1 : 0);
	}
	bootcfg_bls_finish(&m, default_id);
	fuzz_check_menu(&m, 0);
	boot_menu_dispose(&m);
	free(default_id);
	return 0;
}
