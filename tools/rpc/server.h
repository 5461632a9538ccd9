/*
 * libvirt's RPC protocol, the server side, over xvirsh's domain store
 * (tools/domains.h): one connection per process, one message at a time.
 *
 * A message is framed by a 4-byte big-endian length that counts itself;
 * rpc_frame_length() checks it against the protocol's maximum before any
 * byte of the body is read. rpc_conn_handle() takes one whole message (the
 * bytes after the length word) and appends what the server answers, framed,
 * to `out`: a reply, or a libvirt error (remote_error) for a message it
 * cannot decode, a procedure it does not implement, a malformed argument
 * or a failed operation. Hostile bytes never do more than earn an error.
 */
#ifndef TOOLS_RPC_SERVER_H
#define TOOLS_RPC_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "tools/rpc/xdr.h"

#define RPC_EVENT_DOMAINS_MAX 256

/* What the connection knows of a domain for the lifecycle events it sends. */
struct rpc_seen_domain {
	char *name;
	int state;	/* enum dom_state, or -1 when undefined */
	int found;	/* in the store at the last look */
};

struct rpc_conn {
	int opened;		/* CONNECT_OPEN succeeded */
	int closing;		/* CONNECT_CLOSE answered: the caller ends the connection */
	int dry_run;		/* decode and answer, but run only what changes nothing (fuzzing) */
	int lifecycle_events;	/* the client registered for lifecycle events */
	int events_primed;	/* the states below were read once (changes since are events) */
	struct rpc_seen_domain *seen;
	size_t n_seen;
	uint32_t call_serial;	/* the serial of the call being handled */
	/* The console stream (DOMAIN_OPEN_CONSOLE), when open: the guest's pty. */
	int console_fd;
	uint32_t console_serial;
};

void rpc_conn_init(struct rpc_conn *c);
void rpc_conn_dispose(struct rpc_conn *c);

/*
 * The length of the message body that the length word `len` announces, in
 * *body_r; -EBADMSG (with an error appended to out: the caller then ends the
 * connection, as the stream cannot be resynchronised) when it is smaller
 * than the length word or larger than the protocol's maximum.
 */
int rpc_frame_length(uint32_t len, size_t *body_r, struct xdr_out *out);

/* Handles one message; what to send is appended to out (framed). */
void rpc_conn_handle(struct rpc_conn *c, const uint8_t *msg, size_t len, struct xdr_out *out);

/*
 * Lifecycle events: compares every domain's state with what the connection
 * last saw and appends an event message for each change (when the client
 * registered for them). Called by the server's loop between messages.
 */
void rpc_conn_poll_events(struct rpc_conn *c, struct xdr_out *out);

/* Bytes read from the console: appended as stream data (len 0: the end of the stream). */
void rpc_conn_console_data(struct rpc_conn *c, const void *data, size_t len, struct xdr_out *out);

#endif
