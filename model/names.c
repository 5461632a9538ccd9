/* model/names: UUIDs and xvd names; see names.h. */
#include "model/names.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uuid_from_string(const char *text, uint8_t uuid_r[16])
{
	uint8_t uuid[16];
	size_t i, byte = 0;

	if (strlen(text) != UUID_STRING_SIZE - 1)
		return -EINVAL;
	for (i = 0; i < UUID_STRING_SIZE - 1; ) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		hi = hex_digit((unsigned char)text[i]);
		lo = hex_digit((unsigned char)text[i + 1]);
		/* The second digit must not sit where a dash belongs. */
		if (hi < 0 || lo < 0 || i + 1 == 8 || i + 1 == 13 || i + 1 == 18 || i + 1 == 23)
			return -EINVAL;
		uuid[byte++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	memcpy(uuid_r, uuid, sizeof(uuid));
	return 0;
}

int uuid_from_string_loose(const char *text, uint8_t uuid_r[16])
{
	uint8_t uuid[16];
	size_t n = 0;	/* hex digits read */
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	for (; *p && !isspace((unsigned char)*p); p++) {
		int d;

		/* A single dash between two groups of digits, as libvirt allows. */
		if (*p == '-' && n > 0 && n < 32 && p[1] != '-')
			continue;
		d = hex_digit((unsigned char)*p);
		if (d < 0 || n == 32)
			return -EINVAL;
		if (n % 2 == 0)
			uuid[n / 2] = (uint8_t)(d << 4);
		else
			uuid[n / 2] |= (uint8_t)d;
		n++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p || n != 32)
		return -EINVAL;
	memcpy(uuid_r, uuid, sizeof(uuid));
	return 0;
}

void uuid_to_string(const uint8_t u[16], char out[UUID_STRING_SIZE])
{
	snprintf(out, UUID_STRING_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7],
		 u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

int uuid_generate_random(uint8_t uuid_r[16])
{
	size_t got = 0;
	int fd = -1, rc;
	ssize_t r;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	while (got < 16) {
		r = read(fd, uuid_r + got, 16 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : -EIO;
			goto out;
		}
		got += (size_t)r;
	}
	uuid_r[6] = (uint8_t)((uuid_r[6] & 0x0f) | 0x40);
	uuid_r[8] = (uint8_t)((uuid_r[8] & 0x3f) | 0x80);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

void xvd_name(unsigned index, char out[XVD_NAME_SIZE])
{
	/* xvda..xvdz, then xvdaa...: bijective base 26, as Xen counts. */
	char letters[4];
	size_t n = 0;
	unsigned i = index + 1;

	while (i && n < sizeof(letters)) {
		letters[n++] = (char)('a' + (i - 1) % 26);
		i = (i - 1) / 26;
	}
	memcpy(out, "xvd", 3);
	for (size_t k = 0; k < n && 3 + k < XVD_NAME_SIZE - 1; k++)
		out[3 + k] = letters[n - 1 - k];
	out[3 + (n < XVD_NAME_SIZE - 4 ? n : XVD_NAME_SIZE - 4)] = '\0';
}

int xvd_index(const char *dev)
{
	size_t i, n = strlen(dev);
	int idx = 0;

	if (!strncmp(dev, "xvd", 3))
		i = 3;
	else if (n > 2 && dev[1] == 'd' && strchr("hsv", dev[0]))
		i = 2;
	else
		return -1;
	if (i >= n)
		return -1;
	for (; i < n; i++) {
		if (dev[i] < 'a' || dev[i] > 'z')
			return -1;
		idx = idx * 26 + (dev[i] - 'a' + 1);
		if (idx > 100000)
			return -1;
	}
	return idx - 1;
}

/*
 * A disk name a guest can be given, as libvirt reads them: xvd, hd, sd, vd
 * (model/names.h), fd or ubd and letters, then perhaps a partition number.
 */
bool disk_name_usable(const char *dev)
{
	char buf[32];
	size_t n = strlen(dev);

	while (n && isdigit((unsigned char)dev[n - 1]))
		n--;
	if (!n || n >= sizeof(buf) - 1)
		return false;
	if (!strncmp(dev, "fd", 2) || !strncmp(dev, "ubd", 3)) {
		size_t skip = dev[0] == 'f' ? 2 : 3;

		snprintf(buf, sizeof(buf), "hd%.*s", (int)(n - skip), dev + skip);
	} else {
		snprintf(buf, sizeof(buf), "%.*s", (int)n, dev);
	}
	return xvd_index(buf) >= 0;
}
