/*
 * The bootloader: pygrub's job, done safely. From a disk image to the
 * kernel, initrd and command line the domain builder needs.
 *
 * -bootloader builtin:
 *   1. the launcher opens the image; a sandboxed child (bootloader/sandbox.h)
 *      probes it and parses its boot config (bootloader/image.h,
 *      bootloader/bootcfg.h): every byte of the image is read after the
 *      child is confined. It writes the menu, packed, to a memfd;
 *   2. the launcher chooses: --entry / --title from -bootloader-args, else
 *      the menu on the console (io, when given and the config's timeout is
 *      not 0), else the config's default;
 *   3. a second sandboxed child copies kernel and initrd into memfds the
 *      launcher made (size bounds: BOOTIMG_KERNEL_MAX, BOOTIMG_INITRD_MAX);
 *   4. the launcher hands out "/proc/self/fd/N" paths of those memfds
 *      (kept for a reboot): nothing is ever written to $TMPDIR.
 * -bootloader PATH: runs a pygrub-compatible program as xl does:
 *   PATH --output=/dev/fd/N --output-format=simple0
 *        --output-directory=PRIVDIR [ARGS...] IMAGE
 *   in a process group of its own, and reads "kernel PATH\0ramdisk
 *   PATH\0args ARGS\0\0" from the pipe within
 *   BOOTLOADER_EXTERNAL_TIMEOUT_MS, else kills the group; the files must
 *   be regular files inside PRIVDIR (mkdtemp in $TMPDIR, 0700), which are
 *   opened, then removed with the directory before the guest is built.
 *   Its stdin/stdout are the console pty when there is one.
 *
 * -bootloader-args for builtin (pygrub's spelling): --entry=N|TITLE,
 * --title=TITLE, --args=EXTRA (appended to the command line), -q/--quiet
 * (no menu: the default entry). Words may be quoted with ' or ".
 */
#ifndef BOOTLOADER_BOOTLOADER_H
#define BOOTLOADER_BOOTLOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "bootloader/bootcfg.h"

#define BOOTLOADER_PROBE_TIMEOUT_MS 30000u
#define BOOTLOADER_EXTRACT_TIMEOUT_MS 120000u
#define BOOTLOADER_EXTERNAL_TIMEOUT_MS 600000u

/* The console the menu is drawn on. */
struct bootloader_io {
	/* Writes all of buf (may block briefly); <0 on error. */
	ssize_t (*write)(void *opaque, const void *buf, size_t len);
	/* Reads up to len bytes, waiting at most timeout_ms; 0 on timeout. */
	ssize_t (*read)(void *opaque, void *buf, size_t len, int timeout_ms);
	void *opaque;
	const char *pty_path;	/* for an external bootloader's stdio, or NULL */
};

struct bootloader_args {
	char *entry;	/* --entry */
	char *title;	/* --title */
	char *extra;	/* --args */
	bool quiet;	/* -q, --quiet */
};

struct bootloader_result {
	char *kernel;	/* "/proc/self/fd/N" */
	char *initrd;	/* "/proc/self/fd/N" or NULL */
	char *args;	/* never NULL after success */
	char *title;	/* the entry booted, for the log */
	int kernel_fd, initrd_fd;
};

void bootloader_result_init(struct bootloader_result *r);
/* Closes the fds (the files are already gone) and frees the strings. */
void bootloader_result_dispose(struct bootloader_result *r);

/*
 * program: "builtin" or the path of a pygrub-compatible program; args:
 * -bootloader-args or NULL; image: the disk image; io: NULL for no menu.
 * Returns 0 and fills r, or a negative errno after logging why.
 */
int bootloader_run(const char *program, const char *args, const char *image,
		   const struct bootloader_io *io, struct bootloader_result *r);
/* The same with another time limit for an external program (the tests');
 * past it: -ETIMEDOUT. */
int bootloader_run_timeout(const char *program, const char *args, const char *image,
			   const struct bootloader_io *io, unsigned timeout_ms,
			   struct bootloader_result *r);

/* -bootloader-args for builtin. Returns 0, or -EINVAL with *err_r. */
int bootloader_args_parse(const char *text, struct bootloader_args *a, const char **err_r);
void bootloader_args_dispose(struct bootloader_args *a);

/*
 * The menu as the probing child sends it: NUL-separated fields (format,
 * volume, entry count, default, timeout, then title, id, kernel, initrd,
 * args per entry; "" for none). unpack bounds everything it reads.
 */
int bootloader_menu_pack(const struct boot_menu *m, size_t vol, char **buf_r, size_t *len_r);
int bootloader_menu_unpack(const char *buf, size_t len, struct boot_menu *m, size_t *vol_r);

/* pygrub's simple0 output -> kernel, ramdisk (may be NULL), args. */
int bootloader_simple0_parse(const char *buf, size_t len, char **kernel_r, char **ramdisk_r,
			     char **args_r);

#endif
