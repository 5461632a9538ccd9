/*
 * The command line, in QEMU's spelling: argv -> struct launch_config.
 *
 * Options take one dash or two ("-m 512", "--m 512"); the value is always
 * the next argument. Values of the form KEY=VALUE,... follow QEMU's
 * grammar (common/qemu_opts.h): ",," is a comma inside a value, and a
 * property given twice in one value is refused. Repeated options: the last one wins, except -serial
 * (one serial port only); disks (-hda..-hdd, -cdrom, -drive, a bare
 * argument as -hda) accumulate, at most one per index, and so do NICs (-nic,
 * -netdev with -device; launcher/nic_opts.h). The legacy -net is recognised
 * and refused as "not supported yet".
 *
 * options_parse() validates everything it can without touching Xen (file
 * existence of -kernel/-initrd is checked, their contents are not).
 * Returns:
 *   OPTIONS_RUN   cfg is filled in; the caller launches the guest
 *   OPTIONS_EXIT  an informational option (-help, -version, -M help,
 *                 -M xenpv,help) printed its answer to `out`; exit 0
 *   OPTIONS_ERROR a message naming the bad option was printed to `err`;
 *                 exit 2, no domain
 * Whatever it returns, cfg must be released with launch_config_dispose().
 * cfg must have been set up with launch_config_init() first.
 */
#ifndef LAUNCHER_OPTIONS_H
#define LAUNCHER_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "launcher/config.h"

enum options_result { OPTIONS_RUN, OPTIONS_EXIT, OPTIONS_ERROR };

/* Defaults: xenpv, 128 MiB, 1 vCPU, no name/uuid yet, chardevs NONE. */
void launch_config_init(struct launch_config *cfg);
/* Frees the strings; cfg may then be initialised again. Idempotent. */
void launch_config_dispose(struct launch_config *cfg);

enum options_result options_parse(int argc, char **argv, struct launch_config *cfg,
				  FILE *out, FILE *err);

/*
 * Parses one -serial/-monitor value:
 *   none | null | pty | stdio | file:PATH | unix:PATH,server[,nowait]
 * (QEMU 6+ spellings server=on, wait=off, nowait=on are accepted too).
 * Returns 0 with spec filled in (spec->path allocated for file/unix), or
 * -EINVAL / -ENOMEM with a message in err_r (a static string, without the
 * option name: the caller prints "xenlaunch: -serial TEXT: MESSAGE") and
 * spec left as CHARDEV_NONE with no allocation.
 */
int chardev_spec_parse(const char *text, struct chardev_spec *spec, const char **err_r);
/* Frees spec->path and resets spec to CHARDEV_NONE. */
void chardev_spec_dispose(struct chardev_spec *spec);

/*
 * Parses one -drive value (see -help for the accepted set). Returns 0 with d
 * filled in (d->file allocated; *index_set_r tells whether index= was given),
 * or -EINVAL with a message in errbuf (without the option: the caller prints
 * "xenlaunch: -drive TEXT: MESSAGE") and nothing allocated.
 */
int drive_spec_parse(const char *text, struct drive_config *d, bool *index_set_r,
		     char *errbuf, size_t errlen);

/* The image format a file's first bytes announce ("qcow2", "vmdk"...), or
 * NULL when none is recognised (a raw image). */
const char *drive_probe_format(const uint8_t *head, size_t len);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL: for xenstore's /vm/UUID. */
#define UUID_STRING_SIZE 37
void uuid_to_string(const uint8_t uuid[16], char out[UUID_STRING_SIZE]);
/* A hexadecimal digit's value (either case), or -1. */
int hex_digit(int c);
/* Parses the canonical 8-4-4-4-12 hex form (either case). Returns 0 or -EINVAL. */
int uuid_from_string(const char *text, uint8_t uuid_r[16]);

#endif
