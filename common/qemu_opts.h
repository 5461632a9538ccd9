/*
 * QEMU's option strings, KEY=VALUE[,KEY=VALUE...], as every launcher option
 * spells them (-drive, -nic, -netdev, -device, -vnc, -serial, -machine...),
 * parsed by the launcher and written by xvirsh. A single comma ends a
 * property; a doubled comma ",," is one comma inside a key or value. A
 * property without '=' is a bare word ("tap", "server", "HOST:DISPLAY").
 *
 * Anything written into an option string comes from one writer,
 * qemu_opts_append(), which doubles the commas: a value can never start
 * another property. And a property may be given once: "file=a,file=b" is
 * refused, so that a value smuggled past a writer still cannot override
 * what came before it.
 */
#ifndef COMMON_QEMU_OPTS_H
#define COMMON_QEMU_OPTS_H

#include <stddef.h>

struct qemu_opt {
	char *text;	/* the whole property, commas un-doubled */
	char *key;	/* before the first '=', or the whole bare word */
	char *value;	/* after the first '=', or NULL for a bare word */
};

struct qemu_opts {
	struct qemu_opt *items;
	size_t n;
};

/* At most this many properties in one option, which is more than any has. */
#define QEMU_OPTS_MAX 64

/*
 * Splits text into opts_r (to be released with qemu_opts_dispose whatever
 * the result). Empty properties (",," aside: "a,,b" is "a,b") are skipped,
 * as QEMU skips a trailing comma. Returns 0; -EINVAL with a message in why
 * ("property 'KEY' is given twice", "more than 64 properties"); or -ENOMEM.
 * A bare word counts as a key: "server,server" is refused too.
 */
int qemu_opts_parse(const char *text, struct qemu_opts *opts_r, char *why, size_t why_len);
void qemu_opts_dispose(struct qemu_opts *opts);

/*
 * Appends a property to *line (NULL or allocated; reallocated): ",", unless
 * *line is empty, then KEY=VALUE, or VALUE alone when key is NULL, with
 * every comma doubled. Returns 0 or -ENOMEM (*line is then unchanged).
 */
int qemu_opts_append(char **line, const char *key, const char *value);

#endif
