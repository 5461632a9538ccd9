/*
 * The command line, in QEMU's spelling: argv -> struct launch_config.
 *
 * options_parse() validates everything it can without touching Xen (file
 * existence of -kernel/-initrd is checked, their contents are not).
 * Returns:
 *   OPTIONS_RUN   cfg is filled in; the caller launches the guest
 *   OPTIONS_EXIT  an informational option (-help, -version, -M help,
 *                 -M xenpv,help) printed its answer to `out`; exit 0
 *   OPTIONS_ERROR a message naming the bad option was printed to `err`;
 *                 exit 2, no domain
 */
#ifndef LAUNCHER_OPTIONS_H
#define LAUNCHER_OPTIONS_H

#include <stdio.h>

#include "launcher/config.h"

enum options_result { OPTIONS_RUN, OPTIONS_EXIT, OPTIONS_ERROR };

void launch_config_init(struct launch_config *cfg);
void launch_config_dispose(struct launch_config *cfg);

enum options_result options_parse(int argc, char **argv, struct launch_config *cfg,
				  FILE *out, FILE *err);

/* Parses one -serial/-monitor value ("pty", "file:/x", "unix:/s,server,nowait"...).
 * Returns 0, or -EINVAL with a message in err_r (static string). */
int chardev_spec_parse(const char *text, struct chardev_spec *spec, const char **err_r);

#endif
