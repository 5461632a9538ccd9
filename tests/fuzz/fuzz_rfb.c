/*
 * The VNC relay's RFB message tracking (console/rfb_stream.h), fed as the
 * relay feeds it: the first input byte says whether the server asks for
 * VNC authentication and how the rest arrives (in pieces of 1 to 64 bytes,
 * sizes taken from that byte's bits); the rest is what the viewer sends.
 * Whatever the pieces, the messages found are the same as when the whole
 * input is there at once, each lies within the bytes received, none is
 * longer than the longest message libvncserver takes, and a refusal says
 * why.
 */
#include "tests/fuzz/fuzz.h"

#include <errno.h>
#include <string.h>

#include "console/rfb_stream.h"

#define MAX_MESSAGES 4096
/* ClientCutText with 1 MiB of text; SetEncodings and SetDesktopSize are
 * shorter. */
#define LONGEST_MESSAGE (8 + RFB_CUT_TEXT_MAX)

struct cut {
	long lengths[MAX_MESSAGES];
	unsigned n;
	int end;		/* 0: more bytes needed at the end; -EPROTO: refused */
	bool logged_in;
};

/* Cuts data as the relay does when it receives it in pieces of piece(i)
 * bytes (0: all at once). */
static void cut(const uint8_t *data, size_t size, bool vnc_auth, unsigned pieces,
		struct cut *c)
{
	struct rfb_stream s;
	size_t whole = 0, received = 0;
	unsigned i = 0;

	memset(c, 0, sizeof(*c));
	rfb_stream_init(&s, vnc_auth);
	while (received < size) {
		size_t step = pieces ? 1 + ((pieces >> (i++ % 16)) & 63) : size;

		received += step < size - received ? step : size - received;
		for (;;) {
			const char *why = NULL;
			bool was_in = rfb_stream_logged_in(&s);
			long n = rfb_stream_next(&s, data + whole, received - whole, &why);

			if (n < 0) {
				FUZZ_CHECK(n == -EPROTO && why && *why);
				c->end = -EPROTO;
				c->logged_in = rfb_stream_logged_in(&s);
				return;
			}
			/* Logging in cannot be undone. */
			FUZZ_CHECK(!was_in || rfb_stream_logged_in(&s));
			if (n == 0)
				break;
			FUZZ_CHECK((size_t)n <= received - whole && n <= LONGEST_MESSAGE);
			if (c->n < MAX_MESSAGES)
				c->lengths[c->n++] = n;
			whole += (size_t)n;
		}
	}
	c->logged_in = rfb_stream_logged_in(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cut at_once, in_pieces;
	unsigned pieces;

	if (size < 1)
		return 0;
	pieces = data[0] * 0x01010101u | 1;
	cut(data + 1, size - 1, data[0] & 1, 0, &at_once);
	cut(data + 1, size - 1, data[0] & 1, pieces, &in_pieces);
	FUZZ_CHECK(at_once.n == in_pieces.n && at_once.end == in_pieces.end &&
		   at_once.logged_in == in_pieces.logged_in);
	FUZZ_CHECK(!memcmp(at_once.lengths, in_pieces.lengths, at_once.n * sizeof(long)));
	return 0;
}
