/*
 * XDR (RFC 4506) over bounded buffers, for libvirt's RPC protocol.
 *
 * Our own small codec rather than libtirpc's xdr_* functions: every read is
 * checked against the bytes that arrived, every string and array against a
 * maximum the caller gives (the protocol's own), and a failure is sticky
 * (the first error stops every later read or write, checked once at the
 * end), so a hostile message can neither read past its buffer nor make the
 * decoder allocate more than the message itself could describe. libtirpc
 * would add a library to dom0 and its xdrmem decoders allocate through
 * xdr_free conventions that are easy to leak on a half-decoded message.
 */
#ifndef TOOLS_RPC_XDR_H
#define TOOLS_RPC_XDR_H

#include <stddef.h>
#include <stdint.h>

struct xdr_in {
	const uint8_t *p;
	size_t len, off;
	int err;	/* sticky: 0, or -EBADMSG (truncated, too long, bad padding, bad bool) */
};

void xdr_in_init(struct xdr_in *in, const void *p, size_t len);
uint32_t xdr_get_u32(struct xdr_in *in);
int32_t xdr_get_i32(struct xdr_in *in);
uint64_t xdr_get_u64(struct xdr_in *in);
/* n bytes of fixed opaque (padded to 4) into dst. */
void xdr_get_fixed(struct xdr_in *in, void *dst, size_t n);
/*
 * A string of at most max bytes, malloc'ed and NUL-terminated; NULL on
 * error. A string holding a NUL byte is refused (a C string cannot carry it).
 */
char *xdr_get_string(struct xdr_in *in, size_t max);
/* An optional string (XDR pointer): *present_r 0 and NULL, or 1 and the string. */
char *xdr_get_opt_string(struct xdr_in *in, size_t max, int *present_r);
/* An XDR pointer's discriminant: 0 or 1, anything else is an error. */
int xdr_get_bool(struct xdr_in *in);
/* 0 when every byte was consumed and nothing failed. */
int xdr_in_done(const struct xdr_in *in);

struct xdr_out {
	uint8_t *buf;
	size_t len, cap, max;	/* max: the most this message may hold */
	int err;		/* sticky: 0, -ENOMEM, or -EMSGSIZE past max */
};

void xdr_out_init(struct xdr_out *out, size_t max);
void xdr_out_dispose(struct xdr_out *out);
void xdr_put_u32(struct xdr_out *out, uint32_t v);
void xdr_put_i32(struct xdr_out *out, int32_t v);
void xdr_put_u64(struct xdr_out *out, uint64_t v);
void xdr_put_fixed(struct xdr_out *out, const void *src, size_t n);
/* A string of at most max bytes (longer: -EMSGSIZE). */
void xdr_put_string(struct xdr_out *out, const char *s, size_t max);
/* An optional string: NULL is the absent pointer. */
void xdr_put_opt_string(struct xdr_out *out, const char *s, size_t max);
/* Overwrites 4 bytes already written at off (the frame's length word). */
void xdr_patch_u32(struct xdr_out *out, size_t off, uint32_t v);

#endif
