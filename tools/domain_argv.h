/*
 * Native formats of the domain model:
 *   - the xenlaunch command line for type='xen' guests: the launcher's own
 *     grammar (model/options.h) and its own XML mapping (model/describe.h),
 *   - the qemu-system-x86_64 command line for type='kvm' / 'qemu' guests,
 *   - xl.cfg text, as Xen's xl reads it,
 * and back from the xenlaunch command line and from xl.cfg.
 *
 * What a target does not support is refused with a message that names it
 * (an element path, a setting).
 *
 * All functions return 0, or a negative errno with a malloc'ed message in
 * *err_r (the caller frees it).
 */
#ifndef TOOLS_DOMAIN_ARGV_H
#define TOOLS_DOMAIN_ARGV_H

#include <stddef.h>

#include "common/strv.h"
#include "model/domain_xml.h"

/*
 * Splits shell-like text into words: blanks separate, '...' and "..."
 * quote, backslash escapes, backslash-newline joins lines, '#' at a word
 * start comments to end of line. Leading VAR=value words are dropped (as in
 * libvirt's argv files: "LC_ALL=C /usr/bin/qemu ..."). -EINVAL for an
 * unterminated quote.
 */
int shell_split(const char *text, struct strv *out, char **err_r);

/*
 * The xenlaunch command line for a type='xen' guest: the launch config the
 * XML describes (launch_from_domain) written by the launcher's formatter
 * (options_format). `binary` is argv[0]; the monitor socket is
 * <rundir>/<name>.monitor. Nothing else about the run (-daemonize,
 * -pidfile) is added: that is the caller's business.
 */
int domain_to_xenlaunch_argv(const struct domain_def *def, const char *binary, const char *rundir,
			     struct strv *argv_r, char **err_r);

/* The qemu-system command line for a type='kvm' or type='qemu' guest. */
int domain_to_qemu_argv(const struct domain_def *def, const char *binary, struct strv *argv_r, char **err_r);

/*
 * Xen's config files: xl.cfg (libvirt's "xen-xl") and xend's xm configs
 * ("xen-xm"), which xl still reads. One reader and one writer for both;
 * they differ where xm spelt things its own way (disks as "phy:/dev/x,xvda,w",
 * an HVM guest's firmware as kernel=, type=netfront).
 */
enum xen_cfg_format { XEN_CFG_XL, XEN_CFG_XM };

/*
 * A setting either direction cannot translate fails the call with
 * "SETTING is not supported by xvirsh yet"; with DOMAIN_NATIVE_LOSSY it is
 * dropped with one warning (log_warnx) each instead. Settings holding their
 * default value (viridian = 0, rtc_timeoffset = 0...) are accepted quietly.
 */
#define DOMAIN_NATIVE_LOSSY 1u

/* Config text for a type='xen' guest. */
int domain_to_xen_cfg(const struct domain_def *def, enum xen_cfg_format fmt, unsigned flags, char **cfg_r,
		      char **err_r);
/* A model from config text; def freshly initialised. */
int domain_from_xen_cfg(struct domain_def *def, const char *text, size_t len, enum xen_cfg_format fmt, unsigned flags,
			char **err_r);

/*
 * One DISKSPEC of xl-disk-configuration(5) into d (zeroed): positional
 * TARGET,FORMAT,VDEV,ACCESS, key=value, flags (cdrom, discard), and the
 * deprecated xm forms: "[PREFIX:]TARGET,VDEV[:cdrom],ACCESS" with the
 * prefixes phy:, file:, tap:, tap2:, aio:, raw:, qcow2: ..., access w!
 * (shareable), ",hdc:cdrom,r" (an empty CD-ROM drive).
 */
int xen_disk_parse(struct domain_disk *d, const char *spec, unsigned flags, char **err_r);

/* Strict xl.cfg: domain_to_xen_cfg / domain_from_xen_cfg with XEN_CFG_XL and no flags. */
int domain_to_xl_cfg(const struct domain_def *def, char **cfg_r, char **err_r);

/*
 * A model from a xenlaunch command line; argv[0] is the program. The
 * launcher's own parser reads it (without opening the files it names), so
 * that it accepts and refuses exactly what the launcher does, with the
 * launcher's message; the config is described as a running launcher
 * describes itself (launch_describe). Options of the run itself
 * (-daemonize, -pidfile, -monitor, -D, -S) have no place in the XML.
 */
int domain_from_xenlaunch_argv(struct domain_def *def, size_t argc, char *const *argv, char **err_r);

int domain_from_xl_cfg(struct domain_def *def, const char *text, size_t len, char **err_r);

#endif
