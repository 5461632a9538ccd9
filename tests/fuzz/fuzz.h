/*
 * What every fuzz target shares. Each target is one file, fuzz_NAME.c,
 * defining LLVMFuzzerTestOneInput; its seed corpus is corpus/NAME/. A target
 * fails on a sanitizer report (crash, out-of-bounds access, leak, undefined
 * behaviour) and on a broken invariant: FUZZ_CHECK aborts, so libFuzzer
 * keeps the input that broke it.
 */
#ifndef TESTS_FUZZ_H
#define TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bootloader/bootcfg.h"

#define FUZZ_CHECK(cond)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",        \
				__FILE__, __LINE__, #cond);                     \
			abort();                                                \
		}                                                               \
	} while (0)

/* Sends the expected warnings about hostile input to /dev/null. */
void fuzz_quiet_log(void);

/*
 * Checks what bootcfg.h promises of a parsed menu (bounded entry count, a
 * valid default, every entry bootable) and feeds its paths to
 * bootcfg_resolve_path and its names to boot_menu_find, checking their
 * results too. rc: what the parser returned.
 */
void fuzz_check_menu(const struct boot_menu *m, int rc);

#endif
