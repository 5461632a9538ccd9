/*
 * Boot-menu config parsers. Tokenize, pick out the handful of commands that
 * matter, never evaluate (see bootcfg.h). Every loop is bounded by the
 * input length; every allocation by the BOOTCFG_MAX_* limits.
 */
#include "bootloader/bootcfg.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 512u	/* words of one GRUB 2 command */

/* ---- menu ----------------------------------------------------------- */

void boot_menu_init(struct boot_menu *m)
{
	memset(m, 0, sizeof(*m));
	m->timeout_s = -1;
}

static void entry_dispose(struct boot_entry *e)
{
	free(e->title);
	free(e->id);
	free(e->kernel);
	free(e->initrd);
	free(e->args);
	free(e->index_path);
	memset(e, 0, sizeof(*e));
}

void boot_menu_dispose(struct boot_menu *m)
{
	for (size_t i = 0; i < m->n_entries; i++)
		entry_dispose(&m->entries[i]);
	free(m->entries);
	free(m->err_text);
	boot_menu_init(m);
}

const char *bootcfg_format_name(enum bootcfg_format fmt)
{
	switch (fmt) {
	case BOOTCFG_GRUB2: return "grub2";
	case BOOTCFG_GRUB_LEGACY: return "grub-legacy";
	case BOOTCFG_EXTLINUX: return "extlinux";
	case BOOTCFG_BLS: return "bls";
	}
	return "?";
}

/* A message with the line number, kept in the menu for err_r. */
static int fail(struct boot_menu *m, const char **err_r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct boot_menu *m, const char **err_r, int rc, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;

	for (size_t i = 0; i < m->n_entries; i++)
		entry_dispose(&m->entries[i]);
	free(m->entries);
	m->entries = NULL;
	m->n_entries = 0;
	m->default_entry = 0;
	free(m->err_text);
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	m->err_text = text;
	if (err_r)
		*err_r = text ? text : "out of memory";
	return rc;
}

static int set_str(char **field, const char *s, size_t len)
{
	char *p = strndup(s, len);

	if (!p)
		return -ENOMEM;
	free(*field);
	*field = p;
	return 0;
}

/* Appends an empty entry; *e_r points at it. */
static int menu_add(struct boot_menu *m, struct boot_entry **e_r)
{
	struct boot_entry *n;

	if (m->n_entries >= BOOTCFG_MAX_ENTRIES)
		return -E2BIG;
	n = realloc(m->entries, (m->n_entries + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	m->entries = n;
	*e_r = &n[m->n_entries++];
	memset(*e_r, 0, sizeof(**e_r));
	return 0;
}

/* Drops entries without a kernel (keeps the default pointing at the same entry). */
static void menu_compact(struct boot_menu *m)
{
	size_t j = 0, def = m->default_entry, new_def = 0;

	for (size_t i = 0; i < m->n_entries; i++) {
		if (!m->entries[i].kernel) {
			entry_dispose(&m->entries[i]);
			continue;
		}
		if (i == def)
			new_def = j;
		if (!m->entries[i].args)
			m->entries[i].args = strdup("");
		m->entries[j++] = m->entries[i];
	}
	m->n_entries = j;
	m->default_entry = new_def;
	if (j == 0) {
		free(m->entries);
		m->entries = NULL;
	}
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Non-negative decimal up to max; -1 when not a number. */
static long small_number(const char *s, long max)
{
	long v = 0;

	if (!all_digits(s))
		return -1;
	for (; *s; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return max;
	}
	return v;
}

int boot_menu_find(const struct boot_menu *m, const char *what)
{
	long n;

	if (!what)
		return -ENOENT;
	n = small_number(what, (long)BOOTCFG_MAX_ENTRIES + 1);
	if (n >= 0)
		return (size_t)n < m->n_entries ? (int)n : -ENOENT;
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct boot_entry *e = &m->entries[i];
		const char *last = e->title ? strrchr(e->title, '>') : NULL;

		if ((e->title && !strcmp(e->title, what)) || (e->id && !strcmp(e->id, what)) ||
		    (e->index_path && !strcmp(e->index_path, what)))
			return (int)i;
		/* A submenu entry by its own title: only when unambiguous is not
		 * checked, GRUB picks the first too. */
		if (last && !strcmp(last + 1, what))
			return (int)i;
	}
	return -ENOENT;
}

/* ---- paths ---------------------------------------------------------- */

int bootcfg_resolve_path(const char *dir, const char *path, char **out_r)
{
	const char *comp[BOOTCFG_MAX_PATH_DEPTH];
	size_t clen[BOOTCFG_MAX_PATH_DEPTH];
	size_t n = 0, total = 1;
	const char *parts[2];
	char *out, *o;

	*out_r = NULL;
	if (!path || !*path)
		return -EINVAL;
	if (strlen(path) > BOOTCFG_MAX_ARG || (dir && strlen(dir) > BOOTCFG_MAX_ARG))
		return -ENAMETOOLONG;
	if (strchr(path, '$'))
		return -EINVAL;
	/* GRUB device prefix: "(hd0,msdos1)/boot/vmlinuz", "(cd)/x". */
	if (path[0] == '(') {
		const char *close = strchr(path, ')');

		if (!close)
			return -EINVAL;
		path = close + 1;
		if (!*path)
			return -EINVAL;
	}
	parts[0] = path[0] == '/' ? "" : (dir ? dir : "");
	parts[1] = path;
	for (int p = 0; p < 2; p++) {
		const char *s = parts[p];

		while (*s) {
			const char *e;
			size_t l;

			while (*s == '/')
				s++;
			e = s;
			while (*e && *e != '/')
				e++;
			l = (size_t)(e - s);
			if (l == 0 || (l == 1 && s[0] == '.')) {
				/* nothing */
			} else if (l == 2 && s[0] == '.' && s[1] == '.') {
				if (n)
					n--;
			} else {
				if (n >= BOOTCFG_MAX_PATH_DEPTH)
					return -ENAMETOOLONG;
				comp[n] = s;
				clen[n++] = l;
			}
			s = e;
		}
	}
	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		total += clen[i] + 1;
	if (total > BOOTCFG_MAX_ARG)
		return -ENAMETOOLONG;
	out = o = malloc(total);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		*o++ = '/';
		memcpy(o, comp[i], clen[i]);
		o += clen[i];
	}
	*o = '\0';
	*out_r = out;
	return 0;
}

/* ---- common checks -------------------------------------------------- */

static int check_text(const char *text, size_t len, struct boot_menu *m, const char **err_r)
{
	if (len > BOOTCFG_MAX_LEN)
		return fail(m, err_r, -E2BIG, "config is %zu bytes, more than the %u byte limit",
			    len, BOOTCFG_MAX_LEN);
	if (memchr(text, '\0', len))
		return fail(m, err_r, -EINVAL, "config holds a NUL byte at offset %zu",
			    (size_t)((const char *)memchr(text, '\0', len) - text));
	return 0;
}

/* ---- GRUB 2 ---------------------------------------------------------- */

enum tok { TOK_END, TOK_WORD, TOK_SEP, TOK_LBRACE, TOK_RBRACE };

struct lexer {
	const char *s;
	size_t len, pos;
	unsigned line;
	char word[BOOTCFG_MAX_ARG + 1];
	size_t wlen;
	const char *err;
	int rc;
};

static int lx_put(struct lexer *lx, char c)
{
	if (lx->wlen >= BOOTCFG_MAX_ARG) {
		lx->err = "word longer than the limit";
		lx->rc = -ENAMETOOLONG;
		return -1;
	}
	lx->word[lx->wlen++] = c;
	return 0;
}

static int lx_peek(const struct lexer *lx, size_t off)
{
	return lx->pos + off < lx->len ? (unsigned char)lx->s[lx->pos + off] : -1;
}

/* One token; a word is in lx->word (NUL-terminated). Returns TOK_* or -1. */
static int lx_next(struct lexer *lx)
{
	int c;

	for (;;) {
		c = lx_peek(lx, 0);
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			lx->pos++;
		} else if (c == '\\' && lx_peek(lx, 1) == '\n') {
			lx->pos += 2;
			lx->line++;
		} else if (c == '#') {
			while (lx->pos < lx->len && lx->s[lx->pos] != '\n')
				lx->pos++;
		} else {
			break;
		}
	}
	if (c < 0)
		return TOK_END;
	if (c == '\n' || c == ';') {
		if (c == '\n')
			lx->line++;
		lx->pos++;
		return TOK_SEP;
	}
	if ((c == '{' || c == '}')) {
		int n = lx_peek(lx, 1);

		if (n < 0 || isspace(n) || n == ';') {
			lx->pos++;
			return c == '{' ? TOK_LBRACE : TOK_RBRACE;
		}
	}
	lx->wlen = 0;
	while ((c = lx_peek(lx, 0)) >= 0) {
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' || c == '\f' ||
		    c == '\v')
			break;
		if (c == '\'') {
			size_t start = ++lx->pos;

			while (lx->pos < lx->len && lx->s[lx->pos] != '\'') {
				if (lx->s[lx->pos] == '\n')
					lx->line++;
				if (lx_put(lx, lx->s[lx->pos++]) < 0)
					return -1;
			}
			if (lx->pos >= lx->len) {
				lx->line -= 0;
				lx->err = "unterminated single quote";
				lx->rc = -EINVAL;
				(void)start;
				return -1;
			}
			lx->pos++;
		} else if (c == '"') {
			lx->pos++;
			for (;;) {
				if (lx->pos >= lx->len) {
					lx->err = "unterminated double quote";
					lx->rc = -EINVAL;
					return -1;
				}
				c = (unsigned char)lx->s[lx->pos];
				if (c == '"')
					break;
				if (c == '\\' && lx->pos + 1 < lx->len) {
					int n = (unsigned char)lx->s[lx->pos + 1];

					if (n == '\n') {
						lx->pos += 2;
						lx->line++;
						continue;
					}
					if (n == '"' || n == '\\' || n == '$') {
						if (lx_put(lx, (char)n) < 0)
							return -1;
						lx->pos += 2;
						continue;
					}
				}
				if (c == '\n')
					lx->line++;
				if (lx_put(lx, (char)c) < 0)
					return -1;
				lx->pos++;
			}
			lx->pos++;
		} else if (c == '\\') {
			if (lx->pos + 1 >= lx->len) {
				lx->pos++;
				break;
			}
			if (lx->s[lx->pos + 1] == '\n') {
				lx->pos += 2;
				lx->line++;
				continue;
			}
			if (lx_put(lx, lx->s[lx->pos + 1]) < 0)
				return -1;
			lx->pos += 2;
		} else if (c == '$' && lx_peek(lx, 1) == '{') {
			/* ${name}: kept literally, braces included. */
			while (lx->pos < lx->len && lx->s[lx->pos] != '}' && lx->s[lx->pos] != '\n') {
				if (lx_put(lx, lx->s[lx->pos++]) < 0)
					return -1;
			}
			if (lx->pos < lx->len && lx->s[lx->pos] == '}') {
				if (lx_put(lx, '}') < 0)
					return -1;
				lx->pos++;
			}
		} else {
			if (lx_put(lx, (char)c) < 0)
				return -1;
			lx->pos++;
		}
	}
	lx->word[lx->wlen] = '\0';
	return TOK_WORD;
}

enum block_kind { BLOCK_TOP, BLOCK_ENTRY, BLOCK_SUBMENU, BLOCK_SKIP };

struct grub2 {
	struct boot_menu *m;
	struct lexer lx;
	char *words[MAX_WORDS];
	size_t n_words;
	enum block_kind stack[BOOTCFG_MAX_DEPTH + 1];
	unsigned item[BOOTCFG_MAX_DEPTH + 1];	/* next item index per menu level */
	char *title_path[BOOTCFG_MAX_DEPTH + 1];
	char *index_path[BOOTCFG_MAX_DEPTH + 1];
	unsigned depth;
	struct boot_entry *cur;	/* entry being filled (BLOCK_ENTRY on top) */
	char *default_spec;
	long timeout;
	bool timeout_set;
};

static void words_clear(struct grub2 *g)
{
	for (size_t i = 0; i < g->n_words; i++)
		free(g->words[i]);
	g->n_words = 0;
}

static bool in_skip(const struct grub2 *g)
{
	for (unsigned i = 0; i <= g->depth; i++)
		if (g->stack[i] == BLOCK_SKIP)
			return true;
	return false;
}

/* Joins words[from..] with spaces; bounded by BOOTCFG_MAX_ARG. */
static int join_words(char **words, size_t n, size_t from, char **out_r)
{
	size_t total = 1;
	char *s, *p;

	for (size_t i = from; i < n; i++)
		total += strlen(words[i]) + 1;
	if (total > BOOTCFG_MAX_ARG + 1)
		return -ENAMETOOLONG;
	s = p = malloc(total);
	if (!s)
		return -ENOMEM;
	for (size_t i = from; i < n; i++) {
		size_t l = strlen(words[i]);

		if (i > from)
			*p++ = ' ';
		memcpy(p, words[i], l);
		p += l;
	}
	*p = '\0';
	*out_r = s;
	return 0;
}

static int grub2_command(struct grub2 *g)
{
	char **w = g->words;
	size_t n = g->n_words;
	int rc;

	if (n == 0 || in_skip(g))
		return 0;
	if (!strcmp(w[0], "set") && n >= 2 && g->stack[g->depth] != BLOCK_ENTRY) {
		if (!strncmp(w[1], "default=", 8)) {
			char *v = strdup(w[1] + 8);

			if (!v)
				return -ENOMEM;
			free(g->default_spec);
			g->default_spec = v;
		} else if (!strncmp(w[1], "timeout=", 8)) {
			const char *v = w[1] + 8;

			if (!strcmp(v, "-1")) {
				g->timeout = -1;
				g->timeout_set = true;
			} else if (all_digits(v)) {
				g->timeout = small_number(v, BOOTCFG_MAX_TIMEOUT);
				g->timeout_set = true;
			}
		}
		return 0;
	}
	if (g->stack[g->depth] != BLOCK_ENTRY || !g->cur)
		return 0;
	if ((!strcmp(w[0], "linux") || !strcmp(w[0], "linux16") || !strcmp(w[0], "linuxefi")) &&
	    n >= 2) {
		if ((rc = set_str(&g->cur->kernel, w[1], strlen(w[1]))) < 0)
			return rc;
		free(g->cur->args);
		g->cur->args = NULL;
		return join_words(w, n, 2, &g->cur->args);
	}
	if ((!strcmp(w[0], "initrd") || !strcmp(w[0], "initrd16") || !strcmp(w[0], "initrdefi")) &&
	    n >= 2)
		return set_str(&g->cur->initrd, w[1], strlen(w[1]));
	return 0;
}

/* "menuentry TITLE [--id X | $menuentry_id_option X | --class Y ...]" */
static int grub2_open(struct grub2 *g)
{
	char **w = g->words;
	size_t n = g->n_words;
	enum block_kind kind = BLOCK_SKIP;
	unsigned d = g->depth;
	const char *id = NULL;
	int rc;

	if (g->depth >= BOOTCFG_MAX_DEPTH)
		return -ELOOP;
	if (n >= 1 && !in_skip(g) && g->stack[d] != BLOCK_ENTRY) {
		if (!strcmp(w[0], "menuentry"))
			kind = BLOCK_ENTRY;
		else if (!strcmp(w[0], "submenu"))
			kind = BLOCK_SUBMENU;
	}
	if (kind != BLOCK_SKIP && n < 2) {
		g->lx.err = "menuentry or submenu without a title";
		return -EINVAL;
	}
	for (size_t i = 2; kind != BLOCK_SKIP && i < n; i++) {
		if (!strncmp(w[i], "--id=", 5))
			id = w[i] + 5;
		else if ((!strcmp(w[i], "--id") || !strcmp(w[i], "$menuentry_id_option")) && i + 1 < n)
			id = w[++i];
	}
	g->stack[d + 1] = kind;
	g->title_path[d + 1] = NULL;
	g->index_path[d + 1] = NULL;
	g->item[d + 1] = 0;
	g->depth = d + 1;
	if (kind == BLOCK_SKIP)
		return 0;
	/* This item's title path and index path. */
	if (d == 0) {
		if (asprintf(&g->title_path[d + 1], "%s", w[1]) < 0 ||
		    asprintf(&g->index_path[d + 1], "%u", g->item[d]) < 0)
			return -ENOMEM;
	} else {
		if (asprintf(&g->title_path[d + 1], "%s>%s", g->title_path[d], w[1]) < 0 ||
		    asprintf(&g->index_path[d + 1], "%s>%u", g->index_path[d], g->item[d]) < 0)
			return -ENOMEM;
	}
	g->item[d]++;
	if (strlen(g->title_path[d + 1]) > BOOTCFG_MAX_ARG)
		return -ENAMETOOLONG;
	if (kind == BLOCK_ENTRY) {
		if ((rc = menu_add(g->m, &g->cur)) < 0)
			return rc;
		if (!(g->cur->title = strdup(g->title_path[d + 1])) ||
		    !(g->cur->index_path = strdup(g->index_path[d + 1])) ||
		    (id && !(g->cur->id = strdup(id))))
			return -ENOMEM;
	}
	return 0;
}

static void grub2_close(struct grub2 *g)
{
	unsigned d = g->depth;

	free(g->title_path[d]);
	free(g->index_path[d]);
	g->title_path[d] = g->index_path[d] = NULL;
	if (g->stack[d] == BLOCK_ENTRY)
		g->cur = NULL;
	g->depth--;
}

/* Value of saved_entry in a grubenv block ("key=value" lines, '#' padding). */
static char *grubenv_saved_entry(const char *env, size_t len)
{
	size_t pos = 0;

	if (!env || len > BOOTCFG_MAX_LEN)
		return NULL;
	while (pos < len) {
		const char *line = env + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - line) : len - pos;

		if (l > 12 && !memcmp(line, "saved_entry=", 12) && !memchr(line, '\0', l))
			return strndup(line + 12, l - 12 > BOOTCFG_MAX_ARG ? BOOTCFG_MAX_ARG : l - 12);
		pos += l + 1;
	}
	return NULL;
}

/* GRUB's own meaning of a default: "N", "N>M", a title, "Sub>Title" or an id. */
static int grub2_find_default(const struct boot_menu *m, const char *spec)
{
	size_t sl = strlen(spec);

	for (size_t i = 0; i < m->n_entries; i++) {
		const char *ip = m->entries[i].index_path;

		if (!ip)
			continue;
		if (!strcmp(ip, spec) || (!strncmp(ip, spec, sl) && ip[sl] == '>' &&
					  (all_digits(spec) || strchr(spec, '>'))))
			return (int)i;
	}
	if (all_digits(spec))
		return -ENOENT;
	return boot_menu_find(m, spec);
}

static int parse_grub2(const char *text, size_t len, const char *env, size_t env_len,
		       struct boot_menu *m, const char **err_r)
{
	struct grub2 *g = calloc(1, sizeof(*g));
	int rc = 0, t;

	if (!g)
		return fail(m, err_r, -ENOMEM, "out of memory");
	g->m = m;
	g->lx.s = text;
	g->lx.len = len;
	g->lx.line = 1;
	g->stack[0] = BLOCK_TOP;
	for (;;) {
		t = lx_next(&g->lx);
		if (t < 0) {
			rc = g->lx.rc;
			break;
		}
		if (t == TOK_WORD) {
			if (g->n_words >= MAX_WORDS) {
				g->lx.err = "command with too many words";
				rc = -E2BIG;
				break;
			}
			if (!(g->words[g->n_words] = strdup(g->lx.word))) {
				rc = -ENOMEM;
				break;
			}
			g->n_words++;
			continue;
		}
		if (t == TOK_LBRACE) {
			rc = grub2_open(g);
			words_clear(g);
			if (rc == -ELOOP)
				g->lx.err = "blocks nested too deeply";
			if (rc < 0)
				break;
			continue;
		}
		rc = grub2_command(g);
		words_clear(g);
		if (rc < 0)
			break;
		if (t == TOK_RBRACE) {
			if (g->depth == 0) {
				g->lx.err = "'}' without a block";
				rc = -EINVAL;
				break;
			}
			grub2_close(g);
		}
		if (t == TOK_END) {
			if (g->depth) {
				g->lx.err = "block not closed at the end of the file";
				rc = -EINVAL;
			}
			break;
		}
	}
	words_clear(g);
	while (g->depth)
		grub2_close(g);
	if (rc < 0) {
		const char *why = g->lx.err;

		if (rc == -E2BIG && !why)
			why = "more than the entry limit";
		if (rc == -ENOMEM)
			why = "out of memory";
		rc = fail(m, err_r, rc, "grub.cfg line %u: %s", g->lx.line, why ? why : strerror(-rc));
		free(g->default_spec);
		free(g);
		return rc;
	}
	if (g->timeout_set)
		m->timeout_s = (int)g->timeout;
	if (g->default_spec) {
		char *spec = g->default_spec;
		char *saved = NULL;

		if (!strcmp(spec, "${saved_entry}") || !strcmp(spec, "$saved_entry") ||
		    !strcmp(spec, "saved")) {
			saved = grubenv_saved_entry(env, env_len);
			spec = saved;
		}
		if (spec && !strchr(spec, '$')) {
			int i = grub2_find_default(m, spec);

			if (i >= 0)
				m->default_entry = (size_t)i;
		}
		free(saved);
	}
	free(g->default_spec);
	free(g);
	return 0;
}

/* ---- line-based formats --------------------------------------------- */

struct line_reader {
	const char *s;
	size_t len, pos;
	unsigned line;
};

/* Next line, leading and trailing blanks trimmed; false at the end. */
static bool next_line(struct line_reader *r, const char **l_r, size_t *len_r)
{
	const char *l, *nl;
	size_t n;

	if (r->pos >= r->len)
		return false;
	l = r->s + r->pos;
	nl = memchr(l, '\n', r->len - r->pos);
	n = nl ? (size_t)(nl - l) : r->len - r->pos;
	r->pos += n + 1;
	r->line++;
	while (n && isspace((unsigned char)*l)) {
		l++;
		n--;
	}
	while (n && isspace((unsigned char)l[n - 1]))
		n--;
	*l_r = l;
	*len_r = n;
	return true;
}

/* Splits "keyword[ =]rest": keyword ends at a blank or '=' (legacy) or blank. */
static void split_keyword(const char *l, size_t n, bool eq, size_t *kw_len_r,
			  const char **rest_r, size_t *rest_len_r)
{
	size_t k = 0, r;

	while (k < n && !isspace((unsigned char)l[k]) && !(eq && l[k] == '='))
		k++;
	r = k;
	while (r < n && (isspace((unsigned char)l[r]) || (eq && l[r] == '=' && r == k)))
		r++;
	*kw_len_r = k;
	*rest_r = l + r;
	*rest_len_r = n - r;
}

static bool kw_is(const char *kw, size_t n, const char *want)
{
	return strlen(want) == n && !strncasecmp(kw, want, n);
}

/* "PATH args..." -> kernel and args. */
static int path_and_args(const char *rest, size_t n, char **path, char **args)
{
	size_t p = 0, a;
	int rc;

	while (p < n && !isspace((unsigned char)rest[p]))
		p++;
	a = p;
	while (a < n && isspace((unsigned char)rest[a]))
		a++;
	if ((rc = set_str(path, rest, p)) < 0)
		return rc;
	return args ? set_str(args, rest + a, n - a) : 0;
}

static int parse_grub_legacy(const char *text, size_t len, struct boot_menu *m,
			     const char **err_r)
{
	struct line_reader r = { text, len, 0, 0 };
	struct boot_entry *cur = NULL;
	const char *l, *rest;
	size_t n, kl, rl;
	long def = 0;
	int rc = 0;

	while (next_line(&r, &l, &n)) {
		if (n == 0 || l[0] == '#')
			continue;
		if (n > BOOTCFG_MAX_ARG)
			return fail(m, err_r, -ENAMETOOLONG, "menu.lst line %u: longer than %u bytes",
				    r.line, BOOTCFG_MAX_ARG);
		split_keyword(l, n, true, &kl, &rest, &rl);
		if (kw_is(l, kl, "title")) {
			if ((rc = menu_add(m, &cur)) < 0)
				break;
			if ((rc = set_str(&cur->title, rest, rl)) < 0)
				break;
		} else if (kw_is(l, kl, "default")) {
			char v[16] = "";

			memcpy(v, rest, rl < sizeof(v) - 1 ? rl : sizeof(v) - 1);
			def = small_number(v, BOOTCFG_MAX_ENTRIES);	/* "saved": -1 -> 0 */
			if (def < 0)
				def = 0;
		} else if (kw_is(l, kl, "timeout")) {
			char v[16] = "";

			memcpy(v, rest, rl < sizeof(v) - 1 ? rl : sizeof(v) - 1);
			if (all_digits(v))
				m->timeout_s = (int)small_number(v, BOOTCFG_MAX_TIMEOUT);
		} else if (cur && kw_is(l, kl, "kernel") && rl) {
			if ((rc = path_and_args(rest, rl, &cur->kernel, &cur->args)) < 0)
				break;
		} else if (cur && kw_is(l, kl, "initrd") && rl) {
			if ((rc = path_and_args(rest, rl, &cur->initrd, NULL)) < 0)
				break;
		}
	}
	if (rc < 0)
		return fail(m, err_r, rc, "menu.lst line %u: %s", r.line,
			    rc == -E2BIG ? "more than the entry limit" : strerror(-rc));
	m->default_entry = (size_t)def < m->n_entries ? (size_t)def : 0;
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcasecmp(s + a - b, suffix);
}

static int parse_extlinux(const char *text, size_t len, struct boot_menu *m,
			  const char **err_r)
{
	struct line_reader r = { text, len, 0, 0 };
	struct boot_entry *cur = NULL;
	char *def_label = NULL, *on_timeout = NULL;
	long menu_default = -1;
	const char *l, *rest;
	size_t n, kl, rl;
	int rc = 0;

	while (next_line(&r, &l, &n)) {
		if (n == 0 || l[0] == '#')
			continue;
		if (n > BOOTCFG_MAX_ARG) {
			rc = -ENAMETOOLONG;
			break;
		}
		split_keyword(l, n, false, &kl, &rest, &rl);
		if (kw_is(l, kl, "menu")) {
			size_t k2, r2;
			const char *rest2;

			split_keyword(rest, rl, false, &k2, &rest2, &r2);
			if (kw_is(rest, k2, "label") && cur)
				rc = set_str(&cur->title, rest2, r2);
			else if (kw_is(rest, k2, "default") && cur)
				menu_default = (long)(m->n_entries - 1);
		} else if (kw_is(l, kl, "label")) {
			if ((rc = menu_add(m, &cur)) < 0)
				break;
			if ((rc = set_str(&cur->id, rest, rl)) < 0)
				break;
		} else if (kw_is(l, kl, "default")) {
			rc = set_str(&def_label, rest, rl);
		} else if (kw_is(l, kl, "ontimeout")) {
			rc = set_str(&on_timeout, rest, rl);
		} else if (kw_is(l, kl, "timeout")) {
			char v[16] = "";

			memcpy(v, rest, rl < sizeof(v) - 1 ? rl : sizeof(v) - 1);
			if (all_digits(v)) {
				/* Tenths of a second; 0 waits forever. */
				long t = small_number(v, BOOTCFG_MAX_TIMEOUT * 10L);

				m->timeout_s = t == 0 ? -1 : (int)((t + 9) / 10);
			}
		} else if (cur && (kw_is(l, kl, "kernel") || kw_is(l, kl, "linux")) && rl) {
			rc = path_and_args(rest, rl, &cur->kernel, NULL);
			/* COM32 modules and boot sectors are not Linux kernels. */
			if (!rc && (ends_with(cur->kernel, ".c32") || ends_with(cur->kernel, ".bin") ||
				    ends_with(cur->kernel, ".com") || ends_with(cur->kernel, ".0"))) {
				free(cur->kernel);
				cur->kernel = NULL;
			}
		} else if (cur && kw_is(l, kl, "initrd") && rl) {
			size_t c = 0;

			while (c < rl && rest[c] != ',' && !isspace((unsigned char)rest[c]))
				c++;
			rc = set_str(&cur->initrd, rest, c);
		} else if (cur && kw_is(l, kl, "append")) {
			rc = set_str(&cur->args, rest, rl);
		}
		if (rc < 0)
			break;
	}
	if (rc < 0) {
		free(def_label);
		free(on_timeout);
		return fail(m, err_r, rc, "extlinux.conf line %u: %s", r.line,
			    rc == -E2BIG ? "more than the entry limit" :
			    rc == -ENAMETOOLONG ? "longer than the limit" : strerror(-rc));
	}
	/* initrd=X in APPEND names the initrd when INITRD does not. */
	for (size_t i = 0; i < m->n_entries; i++) {
		struct boot_entry *e = &m->entries[i];
		const char *a = e->args, *p;

		if (!e->title && e->id && !(e->title = strdup(e->id)))
			return fail(m, err_r, -ENOMEM, "out of memory");
		if (e->initrd || !a)
			continue;
		for (p = a; (p = strstr(p, "initrd=")); p++) {
			if (p == a || isspace((unsigned char)p[-1])) {
				size_t c = 0;

				p += 7;
				while (p[c] && p[c] != ',' && !isspace((unsigned char)p[c]))
					c++;
				if (c && set_str(&e->initrd, p, c) < 0)
					return fail(m, err_r, -ENOMEM, "out of memory");
				break;
			}
		}
	}
	if (menu_default >= 0) {
		m->default_entry = (size_t)menu_default;
	} else {
		const char *want = def_label ? def_label : on_timeout;

		for (size_t i = 0; want && i < m->n_entries; i++)
			if (m->entries[i].id && !strcmp(m->entries[i].id, want)) {
				m->default_entry = i;
				break;
			}
	}
	free(def_label);
	free(on_timeout);
	return 0;
}

int bootcfg_parse(enum bootcfg_format fmt, const char *text, size_t len,
		  const char *grubenv, size_t grubenv_len, struct boot_menu *m,
		  const char **err_r)
{
	int rc;

	boot_menu_dispose(m);
	m->format = fmt;
	if ((rc = check_text(text, len, m, err_r)) < 0)
		return rc;
	switch (fmt) {
	case BOOTCFG_GRUB2:
		rc = parse_grub2(text, len, grubenv, grubenv_len, m, err_r);
		break;
	case BOOTCFG_GRUB_LEGACY:
		rc = parse_grub_legacy(text, len, m, err_r);
		break;
	case BOOTCFG_EXTLINUX:
		rc = parse_extlinux(text, len, m, err_r);
		break;
	case BOOTCFG_BLS:
		return fail(m, err_r, -EINVAL, "BLS entries are parsed one by one");
	}
	if (rc < 0)
		return rc;
	menu_compact(m);
	return 0;
}

/* ---- Boot Loader Specification -------------------------------------- */

/* BLS keeps its version in an entry field we do not otherwise need. */
struct bls_sort {
	struct boot_entry e;
	char *version;
};

int bootcfg_parse_bls_entry(const char *name, const char *text, size_t len,
			    struct boot_menu *m, const char **err_r)
{
	struct line_reader r = { text, len, 0, 0 };
	struct boot_entry *e = NULL;
	char *title = NULL, *version = NULL;
	const char *l, *rest;
	size_t n, kl, rl;
	int rc = 0;

	m->format = BOOTCFG_BLS;
	if (len > BOOTCFG_MAX_LEN / 16 || memchr(text, '\0', len)) {
		if (err_r)
			*err_r = len > BOOTCFG_MAX_LEN / 16 ? "BLS entry is too long"
							    : "BLS entry holds a NUL byte";
		return len > BOOTCFG_MAX_LEN / 16 ? -E2BIG : -EINVAL;
	}
	if (m->n_entries >= BOOTCFG_MAX_ENTRIES) {
		if (err_r)
			*err_r = "more BLS entries than the entry limit";
		return -E2BIG;
	}
	if ((rc = menu_add(m, &e)) < 0)
		goto out;
	while (next_line(&r, &l, &n)) {
		if (n == 0 || l[0] == '#')
			continue;
		if (n > BOOTCFG_MAX_ARG) {
			rc = -ENAMETOOLONG;
			break;
		}
		split_keyword(l, n, false, &kl, &rest, &rl);
		if (kw_is(l, kl, "title"))
			rc = set_str(&title, rest, rl);
		else if (kw_is(l, kl, "version"))
			rc = set_str(&version, rest, rl);
		else if (kw_is(l, kl, "linux") && rl)
			rc = set_str(&e->kernel, rest, rl);
		else if (kw_is(l, kl, "initrd") && rl && !e->initrd)
			rc = set_str(&e->initrd, rest, rl);
		else if (kw_is(l, kl, "options") && rl) {
			char *joined = NULL;

			if (e->args && strlen(e->args) + rl + 2 > BOOTCFG_MAX_ARG)
				rc = -ENAMETOOLONG;
			else if (asprintf(&joined, "%s%s%.*s", e->args ? e->args : "",
					  e->args ? " " : "", (int)rl, rest) < 0)
				rc = -ENOMEM;
			else {
				free(e->args);
				e->args = joined;
			}
		}
		if (rc < 0)
			break;
	}
out:
	if (rc == 0 && e) {
		size_t nl = strlen(name);

		if (nl > 5 && !strcmp(name + nl - 5, ".conf"))
			nl -= 5;
		if (!(e->id = strndup(name, nl)))
			rc = -ENOMEM;
		/* The version rides in index_path until bootcfg_bls_finish(). */
		e->index_path = version;
		version = NULL;
		if (!rc) {
			e->title = title ? title : strdup(e->index_path ? e->index_path : e->id);
			title = NULL;
			if (!e->title)
				rc = -ENOMEM;
		}
	}
	free(title);
	free(version);
	if (rc < 0) {
		if (e) {
			entry_dispose(e);
			m->n_entries--;
		}
		if (err_r)
			*err_r = rc == -ENAMETOOLONG ? "BLS entry line longer than the limit"
						     : "out of memory";
	}
	return rc;
}

static int bls_cmp(const void *pa, const void *pb)
{
	const struct boot_entry *a = pa, *b = pb;
	const char *va = a->index_path ? a->index_path : a->id;
	const char *vb = b->index_path ? b->index_path : b->id;
	int c = strverscmp(vb, va);	/* newest first */

	return c ? c : strcmp(b->id, a->id);
}

void bootcfg_bls_finish(struct boot_menu *m, const char *default_id)
{
	/* With no entry, entries is NULL, which qsort may not be given. */
	if (m->n_entries > 1)
		qsort(m->entries, m->n_entries, sizeof(*m->entries), bls_cmp);
	for (size_t i = 0; i < m->n_entries; i++) {
		free(m->entries[i].index_path);
		m->entries[i].index_path = NULL;
	}
	m->default_entry = 0;
	if (default_id) {
		int i = boot_menu_find(m, default_id);

		if (i >= 0)
			m->default_entry = (size_t)i;
	}
	menu_compact(m);
}
