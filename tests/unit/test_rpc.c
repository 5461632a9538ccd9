/*
 * tools/rpc: the bounded XDR codec (every hostile shape is an error, never
 * a read past the buffer), the frame length check, and the server over a
 * domain store in a temporary directory: the connection procedures, a
 * define/lookup/list/XML/undefine round trip, and the libvirt errors for an
 * unknown procedure, program, a connection not open, and arguments that do
 * not decode (truncated, trailing bytes, oversized strings).
 */
#include "tests/unit/unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/domains.h"
#include "tools/rpc/protocol.h"
#include "tools/rpc/server.h"
#include "tools/rpc/xdr.h"

static void test_xdr_round_trip(void)
{
	struct xdr_out out;
	struct xdr_in in;
	uint8_t uuid[16], back[16];
	char *s, *o;
	int present = -1;

	for (int i = 0; i < 16; i++)
		uuid[i] = (uint8_t)(i * 17);
	xdr_out_init(&out, 1024);
	xdr_put_u32(&out, 0xdeadbeef);
	xdr_put_i32(&out, -2);
	xdr_put_u64(&out, 0x0102030405060708ull);
	xdr_put_string(&out, "abcde", 100);
	xdr_put_opt_string(&out, NULL, 100);
	xdr_put_opt_string(&out, "x", 100);
	xdr_put_fixed(&out, uuid, 16);
	CU_ASSERT_EQUAL(out.err, 0);
	/* 4 + 4 + 8 + (4 + 8) + 4 + (4 + 4 + 4) + 16: the string padded to 8 */
	CU_ASSERT_EQUAL(out.len, 60);
	CU_ASSERT_EQUAL(out.buf[0], 0xde);
	CU_ASSERT_EQUAL(out.buf[16 + 4 + 5], 0); /* the padding */

	xdr_in_init(&in, out.buf, out.len);
	CU_ASSERT_EQUAL(xdr_get_u32(&in), 0xdeadbeef);
	CU_ASSERT_EQUAL(xdr_get_i32(&in), -2);
	CU_ASSERT_EQUAL(xdr_get_u64(&in), 0x0102030405060708ull);
	s = xdr_get_string(&in, 100);
	CU_ASSERT_STRING_EQUAL(s, "abcde");
	CU_ASSERT_PTR_NULL(xdr_get_opt_string(&in, 100, &present));
	CU_ASSERT_EQUAL(present, 0);
	o = xdr_get_opt_string(&in, 100, &present);
	CU_ASSERT_STRING_EQUAL(o, "x");
	xdr_get_fixed(&in, back, 16);
	CU_ASSERT_EQUAL(memcmp(uuid, back, 16), 0);
	CU_ASSERT_EQUAL(xdr_in_done(&in), 0);
	free(s);
	free(o);
	xdr_out_dispose(&out);
}

static void test_xdr_hostile(void)
{
	/* A string announcing 2^32-1 bytes, one of 8 with 3 bytes, a NUL inside, bad padding, a bad bool. */
	static const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'a', 'b', 'c', 'd' };
	static const uint8_t short_[] = { 0, 0, 0, 8, 'a', 'b', 'c' };
	static const uint8_t nul[] = { 0, 0, 0, 3, 'a', 0, 'c', 0 };
	static const uint8_t pad[] = { 0, 0, 0, 1, 'a', 1, 0, 0 };
	static const uint8_t boolean[] = { 0, 0, 0, 2 };
	struct xdr_in in;

	xdr_in_init(&in, huge, sizeof(huge));
	CU_ASSERT_PTR_NULL(xdr_get_string(&in, REMOTE_STRING_MAX));
	CU_ASSERT_EQUAL(in.err, -EBADMSG);
	xdr_in_init(&in, huge, sizeof(huge));
	CU_ASSERT_PTR_NULL(xdr_get_string(&in, (size_t)-1)); /* a maximum does not make it fit */
	CU_ASSERT_EQUAL(in.err, -EBADMSG);
	xdr_in_init(&in, short_, sizeof(short_));
	CU_ASSERT_PTR_NULL(xdr_get_string(&in, 100));
	xdr_in_init(&in, nul, sizeof(nul));
	CU_ASSERT_PTR_NULL(xdr_get_string(&in, 100));
	xdr_in_init(&in, pad, sizeof(pad));
	CU_ASSERT_PTR_NULL(xdr_get_string(&in, 100));
	xdr_in_init(&in, boolean, sizeof(boolean));
	CU_ASSERT_PTR_NULL(xdr_get_opt_string(&in, 100, NULL));
	CU_ASSERT_NOT_EQUAL(in.err, 0);
	/* Sticky: after an error every read gives 0 and the error stays. */
	xdr_in_init(&in, huge, 2);
	CU_ASSERT_EQUAL(xdr_get_u32(&in), 0);
	CU_ASSERT_EQUAL(xdr_get_u32(&in), 0);
	CU_ASSERT_EQUAL(xdr_in_done(&in), -EBADMSG);
	/* Bytes left over are an error too. */
	xdr_in_init(&in, huge, sizeof(huge));
	xdr_get_u32(&in);
	CU_ASSERT_EQUAL(xdr_in_done(&in), -EBADMSG);
	/* A string longer than its maximum, or a writer past its own. */
	{
		struct xdr_out out;

		xdr_out_init(&out, 12);
		xdr_put_string(&out, "toolong", 3);
		CU_ASSERT_EQUAL(out.err, -EMSGSIZE);
		xdr_out_dispose(&out);
		xdr_out_init(&out, 12);
		xdr_put_u64(&out, 1);
		xdr_put_u64(&out, 2);
		CU_ASSERT_EQUAL(out.err, -EMSGSIZE);
		CU_ASSERT(out.len <= 12); /* never past max; the message is dropped */
		xdr_out_dispose(&out);
	}
}

static void test_frame_length(void)
{
	struct xdr_out out;
	size_t body = 1;

	xdr_out_init(&out, 1 << 16);
	CU_ASSERT_EQUAL(rpc_frame_length(28, &body, &out), 0);
	CU_ASSERT_EQUAL(body, 24);
	CU_ASSERT_EQUAL(rpc_frame_length(4 + 16777216, &body, &out), 0);
	CU_ASSERT_EQUAL(out.len, 0);
	CU_ASSERT_EQUAL(rpc_frame_length(27, &body, &out), -EBADMSG);
	CU_ASSERT_EQUAL(body, 0);
	CU_ASSERT(out.len > 28); /* an error was answered */
	CU_ASSERT_EQUAL(rpc_frame_length(4 + 16777217, &body, &out), -EBADMSG);
	CU_ASSERT_EQUAL(rpc_frame_length(0xffffffff, &body, &out), -EBADMSG);
	CU_ASSERT_EQUAL(rpc_frame_length(0, &body, &out), -EBADMSG);
	xdr_out_dispose(&out);
}

/* Server: a call and what came back. */

struct reply {
	int32_t proc;
	uint32_t type, serial, status;
	int32_t code;		/* the error's, when status is RPC_ERROR */
	char *message;
	struct xdr_in body;	/* the return value, after the header */
	uint8_t *raw;
};

static void call(struct rpc_conn *c, int32_t proc, uint32_t serial, const struct xdr_out *args, struct reply *r)
{
	struct xdr_out msg, out;
	struct xdr_in in;
	uint32_t len;

	xdr_out_init(&msg, 1 << 20);
	xdr_put_u32(&msg, REMOTE_PROGRAM);
	xdr_put_u32(&msg, 1);
	xdr_put_i32(&msg, proc);
	xdr_put_u32(&msg, RPC_CALL);
	xdr_put_u32(&msg, serial);
	xdr_put_u32(&msg, RPC_OK);
	if (args)
		xdr_put_fixed(&msg, args->buf, args->len);
	xdr_out_init(&out, 1 << 24);
	rpc_conn_handle(c, msg.buf, msg.len, &out);
	memset(r, 0, sizeof(*r));
	CU_ASSERT_FATAL(out.len >= 28);
	xdr_in_init(&in, out.buf, out.len);
	len = xdr_get_u32(&in);
	CU_ASSERT_EQUAL(len, out.len); /* one message, its length word right */
	CU_ASSERT_EQUAL(xdr_get_u32(&in), REMOTE_PROGRAM);
	CU_ASSERT_EQUAL(xdr_get_u32(&in), 1);
	r->proc = xdr_get_i32(&in);
	r->type = xdr_get_u32(&in);
	r->serial = xdr_get_u32(&in);
	r->status = xdr_get_u32(&in);
	if (r->status == RPC_ERROR) {
		r->code = xdr_get_i32(&in);
		xdr_get_i32(&in);
		r->message = xdr_get_opt_string(&in, REMOTE_STRING_MAX, NULL);
	}
	r->raw = out.buf;
	r->body = in;
	xdr_out_dispose(&msg);
}

static void reply_dispose(struct reply *r)
{
	free(r->message);
	free(r->raw);
}

static char tmpdir[] = "/tmp/xvirsh-rpc-test.XXXXXX";

static void setup_store(void)
{
	char conf[64], run[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
	snprintf(conf, sizeof(conf), "%s/conf", tmpdir);
	snprintf(run, sizeof(run), "%s/run", tmpdir);
	setenv("XVIRSH_CONFDIR", conf, 1);
	setenv("XVIRSH_RUNDIR", run, 1);
}

static void teardown_store(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	unsetenv("XVIRSH_CONFDIR");
	unsetenv("XVIRSH_RUNDIR");
	strcpy(tmpdir, "/tmp/xvirsh-rpc-test.XXXXXX");
}

static void open_conn(struct rpc_conn *c)
{
	struct xdr_out a;
	struct reply r;

	rpc_conn_init(c);
	xdr_out_init(&a, 256);
	xdr_put_opt_string(&a, "xen:///system", 100);
	xdr_put_u32(&a, 0);
	call(c, PROC_CONNECT_OPEN, 1, &a, &r);
	CU_ASSERT_EQUAL(r.status, RPC_OK);
	CU_ASSERT_EQUAL(r.type, RPC_REPLY);
	CU_ASSERT_EQUAL(r.serial, 1);
	CU_ASSERT_EQUAL(xdr_in_done(&r.body), 0); /* void */
	reply_dispose(&r);
	xdr_out_dispose(&a);
}

static void test_connection(void)
{
	struct rpc_conn c;
	struct xdr_out a;
	struct reply r;
	char *s;

	rpc_conn_init(&c);
	/* Before open: the auth list (none), and nothing of the domains. */
	call(&c, PROC_AUTH_LIST, 7, NULL, &r);
	CU_ASSERT_EQUAL(r.status, RPC_OK);
	CU_ASSERT_EQUAL(r.serial, 7);
	CU_ASSERT_EQUAL(xdr_get_u32(&r.body), 1);
	CU_ASSERT_EQUAL(xdr_get_i32(&r.body), REMOTE_AUTH_NONE);
	CU_ASSERT_EQUAL(xdr_in_done(&r.body), 0);
	reply_dispose(&r);
	xdr_out_init(&a, 256);
	xdr_put_i32(&a, 1);
	xdr_put_u32(&a, 0);
	call(&c, PROC_CONNECT_LIST_ALL_DOMAINS, 8, &a, &r);
	CU_ASSERT_EQUAL(r.status, RPC_ERROR);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_RPC);
	CU_ASSERT_STRING_EQUAL(r.message, "connection not open");
	reply_dispose(&r);
	xdr_out_dispose(&a);
	/* Another hypervisor's URI is refused. */
	xdr_out_init(&a, 256);
	xdr_put_opt_string(&a, "qemu:///system", 100);
	xdr_put_u32(&a, 0);
	call(&c, PROC_CONNECT_OPEN, 9, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_NO_CONNECT);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	rpc_conn_dispose(&c);

	open_conn(&c);
	call(&c, PROC_CONNECT_GET_TYPE, 2, NULL, &r);
	s = xdr_get_string(&r.body, 100);
	CU_ASSERT_STRING_EQUAL(s, "Xen");
	free(s);
	reply_dispose(&r);
	/* Keepalive (feature 11 among others) is not claimed. */
	xdr_out_init(&a, 16);
	xdr_put_i32(&a, 11);
	call(&c, PROC_CONNECT_SUPPORTS_FEATURE, 3, &a, &r);
	CU_ASSERT_EQUAL(r.status, RPC_OK);
	CU_ASSERT_EQUAL(xdr_get_i32(&r.body), 0);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	call(&c, PROC_CONNECT_CLOSE, 4, NULL, &r);
	CU_ASSERT_EQUAL(r.status, RPC_OK);
	CU_ASSERT(c.closing);
	reply_dispose(&r);
	rpc_conn_dispose(&c);
}

static void test_bad_messages(void)
{
	static const uint8_t short_header[] = { 0x20, 0x00, 0x80, 0x86, 0, 0, 0, 1 };
	struct rpc_conn c;
	struct xdr_out a, out;
	struct reply r;

	open_conn(&c);
	call(&c, 9999, 5, NULL, &r);
	CU_ASSERT_EQUAL(r.status, RPC_ERROR);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_NO_SUPPORT);
	CU_ASSERT_STRING_EQUAL(r.message, "unknown procedure: 9999");
	CU_ASSERT_EQUAL(r.serial, 5);
	CU_ASSERT_EQUAL(r.proc, 9999);
	reply_dispose(&r);
	/* Truncated arguments, and one byte too many. */
	xdr_out_init(&a, 256);
	xdr_put_u32(&a, 100); /* a name of 100 bytes, of which 4 came */
	xdr_put_u32(&a, 0x41414141);
	call(&c, PROC_DOMAIN_LOOKUP_BY_NAME, 6, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_RPC);
	CU_ASSERT_STRING_EQUAL(r.message, "cannot decode the arguments of procedure 23");
	reply_dispose(&r);
	xdr_out_dispose(&a);
	xdr_out_init(&a, 256);
	xdr_put_i32(&a, 1);
	xdr_put_u32(&a, 0);
	xdr_put_u32(&a, 0);
	call(&c, PROC_CONNECT_LIST_ALL_DOMAINS, 6, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_RPC);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	/* A string over the protocol's maximum is refused before it is read. */
	xdr_out_init(&a, 256);
	xdr_put_u32(&a, REMOTE_STRING_MAX + 1);
	call(&c, PROC_DOMAIN_DEFINE_XML, 6, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_RPC);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	/* A huge name echoed in the error is cut. */
	{
		char *name = malloc(5001);

		memset(name, 'n', 5000);
		name[5000] = '\0';
		xdr_out_init(&a, 8192);
		xdr_put_string(&a, name, 8192);
		call(&c, PROC_DOMAIN_LOOKUP_BY_NAME, 6, &a, &r);
		CU_ASSERT_EQUAL(r.code, VIR_ERR_NO_DOMAIN);
		CU_ASSERT(r.message && strlen(r.message) == 1024 + 3);
		reply_dispose(&r);
		xdr_out_dispose(&a);
		free(name);
	}
	/* Another program, a header cut short: errors, the connection goes on. */
	xdr_out_init(&out, 1 << 16);
	rpc_conn_handle(&c, short_header, sizeof(short_header), &out);
	CU_ASSERT(out.len > 28);
	CU_ASSERT_EQUAL(out.buf[4 + 20 + 3], RPC_ERROR);
	out.len = 0;
	{
		uint8_t other[24] = { 0x6b, 0x65, 0x65, 0x70, 0, 0, 0, 1 };

		rpc_conn_handle(&c, other, sizeof(other), &out);
		CU_ASSERT(out.len > 28);
		CU_ASSERT_EQUAL(out.buf[4 + 20 + 3], RPC_ERROR);
	}
	xdr_out_dispose(&out);
	CU_ASSERT(c.opened);
	CU_ASSERT(!c.closing);
	rpc_conn_dispose(&c);
}

static void put_domain_name(struct xdr_out *a, const char *name)
{
	uint8_t uuid[16] = { 0 };

	xdr_put_string(a, name, 100);
	xdr_put_fixed(a, uuid, 16);
	xdr_put_i32(a, -1);
}

static void test_domains(void)
{
	static const char xml[] = "<domain type='xen'><name>rpc1</name>"
				  "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
				  "<memory unit='MiB'>64</memory><os><type>linux</type><kernel>/k</kernel></os></domain>";
	struct rpc_conn c;
	struct xdr_out a;
	struct reply r;
	char *s;
	uint8_t uuid[16];

	setup_store();
	open_conn(&c);
	xdr_out_init(&a, 4096);
	xdr_put_string(&a, xml, 4096);
	xdr_put_u32(&a, 0);
	call(&c, PROC_DOMAIN_DEFINE_XML_FLAGS, 10, &a, &r);
	CU_ASSERT_EQUAL_FATAL(r.status, RPC_OK);
	s = xdr_get_string(&r.body, 100);
	CU_ASSERT_STRING_EQUAL(s, "rpc1");
	xdr_get_fixed(&r.body, uuid, 16);
	CU_ASSERT_EQUAL(uuid[0], 0xc7);
	CU_ASSERT_EQUAL(uuid[15], 0x09);
	CU_ASSERT_EQUAL(xdr_get_i32(&r.body), -1); /* not running */
	CU_ASSERT_EQUAL(xdr_in_done(&r.body), 0);
	free(s);
	reply_dispose(&r);
	xdr_out_dispose(&a);

	/* Listed (shut off, inactive), not among the active ones. */
	xdr_out_init(&a, 64);
	xdr_put_i32(&a, 1);
	xdr_put_u32(&a, LIST_INACTIVE);
	call(&c, PROC_CONNECT_LIST_ALL_DOMAINS, 11, &a, &r);
	CU_ASSERT_EQUAL(xdr_get_u32(&r.body), 1);
	s = xdr_get_string(&r.body, 100);
	CU_ASSERT_STRING_EQUAL(s, "rpc1");
	free(s);
	xdr_get_fixed(&r.body, uuid, 16);
	xdr_get_i32(&r.body);
	CU_ASSERT_EQUAL(xdr_get_u32(&r.body), 1);
	CU_ASSERT_EQUAL(xdr_in_done(&r.body), 0);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	xdr_out_init(&a, 64);
	xdr_put_i32(&a, 1);
	xdr_put_u32(&a, LIST_ACTIVE);
	call(&c, PROC_CONNECT_LIST_ALL_DOMAINS, 12, &a, &r);
	CU_ASSERT_EQUAL(xdr_get_u32(&r.body), 0);
	CU_ASSERT_EQUAL(xdr_get_u32(&r.body), 0);
	reply_dispose(&r);
	xdr_out_dispose(&a);

	/* By UUID; the XML and state of a shut-off domain. */
	xdr_out_init(&a, 64);
	xdr_put_fixed(&a, uuid, 16);
	call(&c, PROC_DOMAIN_LOOKUP_BY_UUID, 13, &a, &r);
	CU_ASSERT_EQUAL(r.status, RPC_OK);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	xdr_out_init(&a, 256);
	put_domain_name(&a, "rpc1");
	xdr_put_u32(&a, VIR_DOMAIN_XML_INACTIVE);
	call(&c, PROC_DOMAIN_GET_XML_DESC, 14, &a, &r);
	s = xdr_get_string(&r.body, REMOTE_STRING_MAX);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<name>rpc1</name>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "<on_poweroff>destroy</on_poweroff>")); /* the defaults filled in */
	free(s);
	reply_dispose(&r);
	call(&c, PROC_DOMAIN_GET_STATE, 15, &a, &r);
	CU_ASSERT_EQUAL(xdr_get_i32(&r.body), VIR_DOMAIN_SHUTOFF);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	/* Not running: suspend is refused in virsh's words. */
	xdr_out_init(&a, 256);
	put_domain_name(&a, "rpc1");
	call(&c, PROC_DOMAIN_SUSPEND, 16, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_OPERATION_INVALID);
	CU_ASSERT_STRING_EQUAL(r.message, "Requested operation is not valid: domain is not running");
	reply_dispose(&r);
	/* Autostart set, read, and removed with the definition. */
	{
		struct xdr_out b;

		xdr_out_init(&b, 256);
		put_domain_name(&b, "rpc1");
		xdr_put_i32(&b, 1);
		call(&c, PROC_DOMAIN_SET_AUTOSTART, 17, &b, &r);
		CU_ASSERT_EQUAL(r.status, RPC_OK);
		reply_dispose(&r);
		xdr_out_dispose(&b);
	}
	call(&c, PROC_DOMAIN_GET_AUTOSTART, 18, &a, &r);
	CU_ASSERT_EQUAL(xdr_get_i32(&r.body), 1);
	reply_dispose(&r);
	call(&c, PROC_DOMAIN_UNDEFINE, 19, &a, &r);
	CU_ASSERT_EQUAL(r.status, RPC_OK);
	reply_dispose(&r);
	CU_ASSERT_EQUAL(domain_autostart("rpc1"), 0);
	call(&c, PROC_DOMAIN_GET_AUTOSTART, 20, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_NO_DOMAIN);
	CU_ASSERT_STRING_EQUAL(r.message, "Domain not found: no domain with matching name 'rpc1'");
	reply_dispose(&r);
	xdr_out_dispose(&a);
	/* A name that is not a file name is no domain (not a path to read). */
	xdr_out_init(&a, 256);
	xdr_put_string(&a, "../../etc/passwd", 100);
	call(&c, PROC_DOMAIN_LOOKUP_BY_NAME, 21, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_NO_DOMAIN);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	/* Bad XML is an error with the model's reason. */
	xdr_out_init(&a, 256);
	xdr_put_string(&a, "<domain/>", 100);
	call(&c, PROC_DOMAIN_DEFINE_XML, 22, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_XML_ERROR);
	CU_ASSERT_PTR_NOT_NULL(r.message);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	rpc_conn_dispose(&c);
	teardown_store();
}

/* The lifecycle events of definitions come and gone, and a stream with no console. */
static void test_events(void)
{
	static const char xml[] = "<domain type='xen'><name>ev1</name>"
				  "<memory unit='MiB'>64</memory><os><type>linux</type><kernel>/k</kernel></os></domain>";
	struct rpc_conn c;
	struct xdr_out a, out;
	struct xdr_in in;
	struct reply r;
	char *s;

	setup_store();
	open_conn(&c);
	xdr_out_init(&a, 64);
	xdr_put_i32(&a, 1); /* reboot events: not served */
	call(&c, PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, 30, &a, &r);
	CU_ASSERT_EQUAL(r.code, VIR_ERR_NO_SUPPORT);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	xdr_out_init(&a, 64);
	xdr_put_i32(&a, VIR_DOMAIN_EVENT_ID_LIFECYCLE);
	call(&c, PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, 31, &a, &r);
	CU_ASSERT_EQUAL(r.status, RPC_OK);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	xdr_out_init(&out, 1 << 20);
	rpc_conn_poll_events(&c, &out); /* the first look: no event */
	CU_ASSERT_EQUAL(out.len, 0);
	xdr_out_init(&a, 4096);
	xdr_put_string(&a, xml, 4096);
	call(&c, PROC_DOMAIN_DEFINE_XML, 32, &a, &r);
	CU_ASSERT_EQUAL(r.status, RPC_OK);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	rpc_conn_poll_events(&c, &out);
	CU_ASSERT_FATAL(out.len > 28);
	xdr_in_init(&in, out.buf, out.len);
	CU_ASSERT_EQUAL(xdr_get_u32(&in), out.len);
	xdr_get_u32(&in);
	xdr_get_u32(&in);
	CU_ASSERT_EQUAL(xdr_get_i32(&in), PROC_DOMAIN_EVENT_LIFECYCLE);
	CU_ASSERT_EQUAL(xdr_get_u32(&in), RPC_MESSAGE);
	xdr_get_u32(&in);
	xdr_get_u32(&in);
	s = xdr_get_string(&in, 100);
	CU_ASSERT_STRING_EQUAL(s, "ev1");
	free(s);
	in.off += 16 + 4;
	CU_ASSERT_EQUAL(xdr_get_i32(&in), VIR_EVENT_DEFINED);
	out.len = 0;
	rpc_conn_poll_events(&c, &out); /* nothing changed */
	CU_ASSERT_EQUAL(out.len, 0);
	xdr_out_init(&a, 256);
	put_domain_name(&a, "ev1");
	call(&c, PROC_DOMAIN_UNDEFINE, 33, &a, &r);
	reply_dispose(&r);
	xdr_out_dispose(&a);
	rpc_conn_poll_events(&c, &out);
	CU_ASSERT_FATAL(out.len > 28);
	CU_ASSERT_EQUAL(out.buf[out.len - 5], VIR_EVENT_UNDEFINED);
	/* Stream data with no console open is an error, not a write anywhere. */
	{
		uint8_t stream[28] = { 0x20, 0x00, 0x80, 0x86, 0, 0, 0, 1, 0, 0, 0, 201, 0, 0, 0, RPC_STREAM,
				       0, 0, 0, 9, 0, 0, 0, RPC_CONTINUE, 'd', 'a', 't', 'a' };

		out.len = 0;
		rpc_conn_handle(&c, stream, sizeof(stream), &out);
		CU_ASSERT(out.len > 28);
		CU_ASSERT_EQUAL(out.buf[4 + 20 + 3], RPC_ERROR);
	}
	xdr_out_dispose(&out);
	rpc_conn_dispose(&c);
	teardown_store();
}

static CU_TestInfo tests[] = {
	{ "xdr round trip", test_xdr_round_trip },
	{ "xdr hostile input", test_xdr_hostile },
	{ "frame length", test_frame_length },
	{ "connection procedures", test_connection },
	{ "malformed messages answered with errors", test_bad_messages },
	{ "define, list, lookup, XML, autostart, undefine", test_domains },
	{ "lifecycle events, stray stream data", test_events },
	CU_TEST_INFO_NULL,
};

UNIT_SUITE("rpc", tests)
