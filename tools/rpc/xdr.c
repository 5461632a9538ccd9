/* XDR over bounded buffers: see xdr.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/rpc/xdr.h"

#define PAD4(n) (((n) + 3) & ~(size_t)3)

void xdr_in_init(struct xdr_in *in, const void *p, size_t len)
{
	in->p = p;
	in->len = len;
	in->off = 0;
	in->err = 0;
}

/* The next n bytes (padded to 4, the padding zero), or NULL. */
static const uint8_t *take(struct xdr_in *in, size_t n)
{
	size_t padded = PAD4(n);
	const uint8_t *p;

	if (in->err || padded < n || padded > in->len - in->off) {
		in->err = -EBADMSG;
		return NULL;
	}
	p = in->p + in->off;
	for (size_t i = n; i < padded; i++)
		if (p[i]) {
			in->err = -EBADMSG;
			return NULL;
		}
	in->off += padded;
	return p;
}

uint32_t xdr_get_u32(struct xdr_in *in)
{
	const uint8_t *p = take(in, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

int32_t xdr_get_i32(struct xdr_in *in)
{
	return (int32_t)xdr_get_u32(in);
}

uint64_t xdr_get_u64(struct xdr_in *in)
{
	uint64_t hi = xdr_get_u32(in);

	return hi << 32 | xdr_get_u32(in);
}

void xdr_get_fixed(struct xdr_in *in, void *dst, size_t n)
{
	const uint8_t *p = take(in, n);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

char *xdr_get_string(struct xdr_in *in, size_t max)
{
	uint32_t n = xdr_get_u32(in);
	const uint8_t *p;
	char *s;

	if (in->err)
		return NULL;
	if (n > max) {
		in->err = -EBADMSG;
		return NULL;
	}
	p = take(in, n);
	if (!p)
		return NULL;
	if (memchr(p, '\0', n)) {
		in->err = -EBADMSG;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (!s) {
		in->err = -ENOMEM;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int xdr_get_bool(struct xdr_in *in)
{
	uint32_t v = xdr_get_u32(in);

	if (v > 1)
		in->err = -EBADMSG;
	return in->err ? 0 : (int)v;
}

char *xdr_get_opt_string(struct xdr_in *in, size_t max, int *present_r)
{
	int present = xdr_get_bool(in);

	if (present_r)
		*present_r = present;
	return present ? xdr_get_string(in, max) : NULL;
}

int xdr_in_done(const struct xdr_in *in)
{
	if (in->err)
		return in->err;
	return in->off == in->len ? 0 : -EBADMSG;
}

void xdr_out_init(struct xdr_out *out, size_t max)
{
	memset(out, 0, sizeof(*out));
	out->max = max;
}

void xdr_out_dispose(struct xdr_out *out)
{
	free(out->buf);
	out->buf = NULL;
	out->len = out->cap = 0;
}

/* Room for n more bytes (zeroed), or NULL with the error set. */
static uint8_t *grow(struct xdr_out *out, size_t n)
{
	uint8_t *p;

	if (out->err)
		return NULL;
	if (n > out->max || out->len > out->max - n) {
		out->err = -EMSGSIZE;
		return NULL;
	}
	if (out->len + n > out->cap) {
		size_t cap = out->cap ? out->cap : 4096;

		while (cap < out->len + n)
			cap *= 2;
		if (cap > out->max)
			cap = out->max;
		p = realloc(out->buf, cap);
		if (!p) {
			out->err = -ENOMEM;
			return NULL;
		}
		out->buf = p;
		out->cap = cap;
	}
	p = out->buf + out->len;
	memset(p, 0, n);
	out->len += n;
	return p;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void xdr_put_u32(struct xdr_out *out, uint32_t v)
{
	uint8_t *p = grow(out, 4);

	if (p)
		put_be32(p, v);
}

void xdr_put_i32(struct xdr_out *out, int32_t v)
{
	xdr_put_u32(out, (uint32_t)v);
}

void xdr_put_u64(struct xdr_out *out, uint64_t v)
{
	xdr_put_u32(out, (uint32_t)(v >> 32));
	xdr_put_u32(out, (uint32_t)v);
}

void xdr_put_fixed(struct xdr_out *out, const void *src, size_t n)
{
	uint8_t *p = PAD4(n) >= n ? grow(out, PAD4(n)) : NULL;

	if (p && n)
		memcpy(p, src, n);
}

void xdr_put_string(struct xdr_out *out, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n > max || n > UINT32_MAX) {
		if (!out->err)
			out->err = -EMSGSIZE;
		return;
	}
	xdr_put_u32(out, (uint32_t)n);
	xdr_put_fixed(out, s, n);
}

void xdr_put_opt_string(struct xdr_out *out, const char *s, size_t max)
{
	xdr_put_u32(out, s != NULL);
	if (s)
		xdr_put_string(out, s, max);
}

void xdr_patch_u32(struct xdr_out *out, size_t off, uint32_t v)
{
	if (!out->err && off <= out->len && out->len - off >= 4)
		put_be32(out->buf + off, v);
}
