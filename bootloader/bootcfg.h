/*
 * Boot-menu config parsers: GRUB 2 grub.cfg, GRUB legacy menu.lst /
 * grub.conf, extlinux.conf / syslinux.cfg / isolinux.cfg, and Boot Loader
 * Specification entries (loader/entries/ *.conf) -> one struct boot_menu.
 *
 * The text comes from the guest's disk and is hostile. These parsers only
 * tokenize and pick out the few commands that name a kernel, an initrd, a
 * command line, a default and a timeout: nothing is ever evaluated (pygrub
 * once ran grub.conf through Python's eval, CVE-2007-4993). GRUB variables
 * ($root, ${kernelopts}) stay literal text; `if`/`else` branches are all
 * read (the last literal `set default=` wins); functions are skipped; no
 * file is included or sourced. Every size is bounded by the BOOTCFG_MAX_*
 * limits below: a config beyond them is refused with -E2BIG (length,
 * entries) or -ELOOP (submenu nesting), an over-long argument with
 * -ENAMETOOLONG; NUL bytes in the text are refused with -EINVAL.
 *
 * All functions return 0 or a negative errno; on error, err_r (when not
 * NULL) receives a static or menu-owned message for the log, and the menu
 * is left empty.
 */
#ifndef BOOTLOADER_BOOTCFG_H
#define BOOTLOADER_BOOTCFG_H

#include <stdbool.h>
#include <stddef.h>

#define BOOTCFG_MAX_LEN (1024u * 1024u)	/* one config file, bytes */
#define BOOTCFG_MAX_ENTRIES 256u	/* bootable entries in one menu */
#define BOOTCFG_MAX_DEPTH 8u		/* nested GRUB 2 submenus and blocks */
#define BOOTCFG_MAX_ARG 4096u		/* one word: title, path, command line */
#define BOOTCFG_MAX_PATH_DEPTH 32u	/* components of a path in the image */
#define BOOTCFG_MAX_TIMEOUT 3600	/* seconds; longer timeouts are clamped */

enum bootcfg_format {
	BOOTCFG_GRUB2,		/* grub.cfg */
	BOOTCFG_GRUB_LEGACY,	/* menu.lst, grub.conf */
	BOOTCFG_EXTLINUX,	/* extlinux.conf, syslinux.cfg, isolinux.cfg */
	BOOTCFG_BLS,		/* loader/entries/ *.conf, one file per entry */
};

struct boot_entry {
	char *title;	/* as shown; GRUB 2 submenu entries: "Sub>Entry" */
	char *id;	/* GRUB 2: --id / $menuentry_id_option; extlinux: LABEL; BLS: file name; or NULL */
	char *kernel;	/* path as written in the config; NULL: not bootable */
	char *initrd;	/* first initrd path, or NULL */
	char *args;	/* kernel command line, "" when none */
	char *index_path; /* GRUB 2 "1>0" for entry 0 of top-level item 1; else "N" */
};

struct boot_menu {
	enum bootcfg_format format;
	struct boot_entry *entries;
	size_t n_entries;
	size_t default_entry;	/* index into entries (0 when not set or not found) */
	int timeout_s;		/* seconds; -1: wait for a key forever; 0: boot at once */
	char *err_text;		/* owned storage for a formatted error message */
};

void boot_menu_init(struct boot_menu *m);
void boot_menu_dispose(struct boot_menu *m);

/*
 * Parses one config file of format fmt (not BOOTCFG_BLS: see
 * bootcfg_parse_bls_entry). text need not be NUL-terminated. grubenv (GRUB
 * 2 only; may be NULL) is the text of grub/grubenv, read for saved_entry
 * when grub.cfg says `set default="${saved_entry}"` (or saved).
 * Entries without a kernel are dropped. A config with no bootable entry is
 * not an error: n_entries is 0.
 */
int bootcfg_parse(enum bootcfg_format fmt, const char *text, size_t len,
		  const char *grubenv, size_t grubenv_len, struct boot_menu *m,
		  const char **err_r);

/*
 * Adds one Boot Loader Specification entry file (name: its file name, e.g.
 * "debian-6.1.0.conf"). Call bootcfg_bls_finish() after the last one: it
 * sorts the entries (newest version first, as sd-boot does) and picks the
 * default (default_id: a file name or glob-free id from loader.conf, or NULL).
 */
int bootcfg_parse_bls_entry(const char *name, const char *text, size_t len,
			    struct boot_menu *m, const char **err_r);
void bootcfg_bls_finish(struct boot_menu *m, const char *default_id);

/*
 * Chooses an entry: by index ("1"), GRUB 2 index path ("1>0"), exact
 * title, id/label, or title path. Returns the entry index or -ENOENT.
 */
int boot_menu_find(const struct boot_menu *m, const char *what);

/*
 * Turns a path from a config into an absolute, normalised path inside the
 * filesystem that holds the config: drops a GRUB device prefix "(hd0,1)",
 * resolves a relative path against dir (the config file's directory, for
 * extlinux; "/" otherwise), removes "." and empty components, applies ".."
 * without ever leaving "/". Refuses NUL-free but empty paths and paths that
 * still hold a '$' (an unevaluated variable) with -EINVAL, and more than
 * BOOTCFG_MAX_PATH_DEPTH components or BOOTCFG_MAX_ARG bytes with
 * -ENAMETOOLONG. *out_r is allocated.
 */
int bootcfg_resolve_path(const char *dir, const char *path, char **out_r);

/* Printable name of a format ("grub2", "grub-legacy", "extlinux", "bls"). */
const char *bootcfg_format_name(enum bootcfg_format fmt);

#endif
