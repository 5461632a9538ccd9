/*
 * The disk layer's vocabulary: the formats served, the probe of an image's
 * first bytes, and the check the option code makes before any domain
 * exists; see format.h. Nothing here opens an image for I/O, so that the
 * model (and xvirsh) can use it without the implementations.
 */
#include "disk/format.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Served formats; every one but raw goes through qemu-nbd. */
static const char *const formats[] = { "raw", "qcow2", "qcow", "qed", "vmdk", "vdi", "vhdx", "vpc" };
const char disk_format_list[] = "raw, qcow2, qcow, qed, vmdk, vdi, vhdx, vpc";

const char *disk_format_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i], name))
			return formats[i];
	return NULL;
}

/* QEMU's probes (block/qcow2.c, vmdk.c, ...), reduced to their magic. */
const char *disk_probe_format(const uint8_t *head, size_t len)
{
	static const struct {
		const char *name;
		const char *magic;
		size_t magic_len;
		size_t offset;
	} magics[] = {
		{ "qed", "QED\0", 4, 0 },
		{ "vmdk", "KDMV", 4, 0 },
		{ "vmdk", "# Disk DescriptorFile", 21, 0 },
		{ "vhdx", "vhdxfile", 8, 0 },
		{ "vdi", "\x7f\x10\xda\xbe", 4, 64 },
		{ "vpc", "conectix", 8, 0 },
	};

	/* qcow and qcow2 share a magic; the big-endian version after it tells. */
	if (len >= 8 && !memcmp(head, "QFI\xfb", 4))
		return head[4] == 0 && head[5] == 0 && head[6] == 0 && head[7] == 1 ? "qcow" : "qcow2";
	for (size_t i = 0; i < ARRAY_SIZE(magics); i++) {
		size_t end = magics[i].offset + magics[i].magic_len;

		if (len >= end && !memcmp(head + magics[i].offset, magics[i].magic, magics[i].magic_len))
			return magics[i].name;
	}
	return NULL;
}

int disk_check(const char *file, const char *format, bool readonly, const char **format_r,
	       char *why, size_t whylen)
{
	uint8_t head[72];
	const char *probed;
	struct stat st;
	ssize_t r;
	int fd = -1, rc;

	fd = open(file, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		rc = -EINVAL;
		snprintf(why, whylen, "not a regular file or block device");
		goto out;
	}
	r = pread(fd, head, sizeof(head), 0);
	if (r < 0) {
		rc = -errno;
		snprintf(why, whylen, "%s", strerror(errno));
		goto out;
	}
	probed = disk_probe_format(head, (size_t)r);
	rc = -EINVAL;
	if (!format && probed) {
		/* The danger QEMU warns of: a guest can write any header into a raw
		 * disk, so a format is taken from the user, never from the image. */
		snprintf(why, whylen, "this is a %s image; say format=%s to serve it, or "
			 "format=raw for its bytes as they are", probed, probed);
		goto out;
	}
	/* Explicit raw serves the bytes whatever they look like, as in QEMU. */
	if (format && strcmp(format, "raw") && (!probed || strcmp(format, probed))) {
		snprintf(why, whylen, "format=%s was given but this is a %s image", format,
			 probed ? probed : "raw");
		goto out;
	}
	*format_r = format ? format : "raw";
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
