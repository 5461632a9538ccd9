/*
 * xvirsh-rpc's server over a whole byte stream as a client sends it
 * (tools/rpc/server.c, tools/rpc/xdr.c): length words, headers and every
 * procedure's arguments, malformed, truncated and oversized. The server runs
 * dry (what would change the store or start a guest answers "not run")
 * over an empty domain store. Every framed message must earn exactly the
 * replies it should: well-formed messages, each length word right, the
 * program and version libvirt's.
 */
#include "tests/fuzz/fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/domains.h"
#include "tools/rpc/protocol.h"
#include "tools/rpc/server.h"

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Every message in out is whole and ours; returns how many. */
static size_t check_replies(const struct xdr_out *out)
{
	size_t off = 0, n = 0;

	FUZZ_CHECK(out->err == 0);
	while (off < out->len) {
		uint32_t len;

		FUZZ_CHECK(out->len - off >= 28);
		len = be32(out->buf + off);
		FUZZ_CHECK(len >= 28 && len <= out->len - off);
		FUZZ_CHECK(be32(out->buf + off + 4) == REMOTE_PROGRAM);
		FUZZ_CHECK(be32(out->buf + off + 8) == REMOTE_PROTOCOL_VERSION);
		FUZZ_CHECK(len % 4 == 0);
		off += len;
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int once;
	struct rpc_conn c;
	struct xdr_out out;
	size_t off = 0;

	if (!once) {
		char dir[] = "/tmp/fuzz-rpc.XXXXXX";

		fuzz_quiet_log();
		/* An empty store: lookups and lists read it, nothing writes it (a dry run). */
		if (mkdtemp(dir)) {
			setenv("XVIRSH_CONFDIR", dir, 1);
			setenv("XVIRSH_RUNDIR", dir, 1);
		}
		once = 1;
	}
	rpc_conn_init(&c);
	c.dry_run = 1;
	xdr_out_init(&out, 2 * (RPC_LEN_MAX + RPC_MESSAGE_MAX));
	while (size - off >= 4 && !c.closing) {
		size_t body;

		out.len = 0;
		if (rpc_frame_length(be32(data + off), &body, &out)) {
			FUZZ_CHECK(check_replies(&out) == 1);
			break;
		}
		off += 4;
		if (body > size - off)
			break;	/* truncated: the server waits for the rest, then the client is gone */
		rpc_conn_handle(&c, data + off, body, &out);
		FUZZ_CHECK(check_replies(&out) == 1);
		off += body;
	}
	xdr_out_dispose(&out);
	rpc_conn_dispose(&c);
	return 0;
}
