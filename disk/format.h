/*
 * The disk layer's vocabulary, apart from its implementations: the image
 * formats served (QEMU's names), the probe of an image's first bytes, and
 * the check made before any domain exists. The model's option grammar uses
 * it, so xvirsh and the launcher accept the same formats.
 */
#ifndef DISK_FORMAT_H
#define DISK_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The format QEMU's name stands for, as the canonical static string
 * ("raw", "qcow2", ...), or NULL when it is not served.
 */
const char *disk_format_lookup(const char *name);
/* The served formats, comma-separated, for messages: "raw, qcow2, ...". */
extern const char disk_format_list[];

/*
 * The format a file's first bytes announce ("qcow2", "vmdk"...), or NULL
 * when none is recognised (a raw image). len: bytes in head.
 */
const char *disk_probe_format(const uint8_t *head, size_t len);

/*
 * The check before any domain exists: file is a regular file or block
 * device, opens with the access asked for, and its format agrees with the
 * one given. format NULL (not given): only a raw image is accepted, never
 * a probed qcow2 or other format (a guest may write a header into a raw
 * disk; QEMU warns, we refuse). Returns 0 with the format to serve in
 * *format_r, or a negative errno with the reason in why (without the file
 * name).
 */
int disk_check(const char *file, const char *format, bool readonly, const char **format_r,
	       char *why, size_t whylen);

#endif
