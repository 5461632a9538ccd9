/*
 * The text console on the graphical display; see textscreen.h.
 */
#include "console/textscreen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vterm.h>
#include <zlib.h>

#include "common/log.h"
#include "common/module.h"

struct textscreen {
	struct display *d;
	VTerm *vt;
	VTermScreen *vs;
	struct psf_font font;
	bool have_font;
	unsigned cw, ch;		/* cell size in pixels */
	VTermPos cursor;
	bool cursor_visible;
};

/* ---- PSF ------------------------------------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void map_set(struct psf_font *f, uint32_t c, unsigned glyph)
{
	if (c < 0x10000 && !f->map[c])
		f->map[c] = (uint16_t)(glyph + 1);
}

/* PSF2's table: per glyph, UTF-8 code points, 0xFE starts a sequence
 * (skipped up to the next 0xFF), 0xFF ends the glyph's entry. */
static void parse_utf8_table(struct psf_font *f, const uint8_t *p, const uint8_t *end)
{
	for (unsigned g = 0; g < f->n_glyphs && p < end; g++) {
		bool in_seq = false;

		while (p < end && *p != 0xff) {
			uint32_t c;
			unsigned n;

			if (*p == 0xfe) {
				in_seq = true;
				p++;
				continue;
			}
			if (*p < 0x80) {
				c = *p;
				n = 1;
			} else if ((*p & 0xe0) == 0xc0) {
				c = *p & 0x1f;
				n = 2;
			} else if ((*p & 0xf0) == 0xe0) {
				c = *p & 0x0f;
				n = 3;
			} else {
				c = *p & 0x07;
				n = 4;
			}
			if ((size_t)(end - p) < n)
				return;
			for (unsigned i = 1; i < n; i++)
				c = c << 6 | (p[i] & 0x3f);
			p += n;
			if (!in_seq)
				map_set(f, c, g);
		}
		p++;	/* the 0xFF */
	}
}

/* PSF1's table: per glyph, 16-bit code points, 0xFFFE starts a sequence,
 * 0xFFFF ends the entry. */
static void parse_ucs2_table(struct psf_font *f, const uint8_t *p, const uint8_t *end)
{
	for (unsigned g = 0; g < f->n_glyphs && end - p >= 2; g++) {
		bool in_seq = false;

		while (end - p >= 2) {
			uint32_t c = (uint32_t)p[0] | (uint32_t)p[1] << 8;

			p += 2;
			if (c == 0xffff)
				break;
			if (c == 0xfffe)
				in_seq = true;
			else if (!in_seq)
				map_set(f, c, g);
		}
	}
}

int psf_parse(const uint8_t *buf, size_t len, struct psf_font *f, const char **why_r)
{
	size_t hdr, glyph_bytes, total;
	bool table;

	memset(f, 0, sizeof(*f));
	if (len >= 4 && buf[0] == 0x36 && buf[1] == 0x04) {
		f->n_glyphs = (buf[2] & 1) ? 512 : 256;
		table = buf[2] & 6;
		f->width = 8;
		f->height = buf[3];
		hdr = 4;
	} else if (len >= 32 && le32(buf) == 0x864ab572) {
		hdr = le32(buf + 8);
		table = le32(buf + 12) & 1;
		f->n_glyphs = le32(buf + 16);
		glyph_bytes = le32(buf + 20);
		f->height = le32(buf + 24);
		f->width = le32(buf + 28);
		if (hdr < 32 || hdr > len) {
			*why_r = "PSF2 header size is wrong";
			return -EINVAL;
		}
		if (f->width && f->height && f->width <= 64 && f->height <= 64 &&
		    glyph_bytes != f->height * ((f->width + 7) / 8)) {
			*why_r = "PSF2 glyph size does not match its width and height";
			return -EINVAL;
		}
	} else {
		*why_r = "not a PSF font";
		return -EINVAL;
	}
	if (f->width < 1 || f->width > 64 || f->height < 1 || f->height > 64 ||
	    f->n_glyphs < 1 || f->n_glyphs > 65536) {
		*why_r = "PSF glyph size or count out of range";
		return -EINVAL;
	}
	f->row_bytes = (f->width + 7) / 8;
	glyph_bytes = (size_t)f->row_bytes * f->height;
	total = glyph_bytes * f->n_glyphs;
	if (total > len - hdr) {
		*why_r = "glyphs past the end of the file";
		return -EINVAL;
	}
	f->glyphs = malloc(total);
	f->map = calloc(0x10000, sizeof(*f->map));
	if (!f->glyphs || !f->map) {
		psf_font_dispose(f);
		*why_r = "out of memory";
		return -ENOMEM;
	}
	memcpy(f->glyphs, buf + hdr, total);
	if (table) {
		if (buf[0] == 0x36)
			parse_ucs2_table(f, buf + hdr + total, buf + len);
		else
			parse_utf8_table(f, buf + hdr + total, buf + len);
	} else {
		for (unsigned g = 0; g < f->n_glyphs && g < 0x10000; g++)
			map_set(f, g, g);
	}
	return 0;
}

void psf_font_dispose(struct psf_font *f)
{
	free(f->glyphs);
	free(f->map);
	f->glyphs = NULL;
	f->map = NULL;
}

unsigned psf_glyph(const struct psf_font *f, uint32_t c)
{
	if (c < 0x10000 && f->map[c])
		return f->map[c] - 1u;
	if (f->map['?'])
		return f->map['?'] - 1u;
	return 0;
}

int psf_load(const char *path, struct psf_font *f)
{
	uint8_t *buf = NULL;
	const char *why;
	gzFile gz = NULL;
	int n, rc;

	gz = gzopen(path, "rb");
	if (!gz)
		return errno ? -errno : -ENOMEM;
	buf = malloc(PSF_MAX_FILE);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	n = gzread(gz, buf, PSF_MAX_FILE);
	if (n < 0) {
		rc = -EIO;
		goto out;
	}
	rc = psf_parse(buf, (size_t)n, f, &why);
	if (rc < 0)
		log_warnx("font %s: %s", path, why);
out:
	free(buf);
	gzclose(gz);
	return rc;
}

/* ---- drawing ----------------------------------------------------------- */

static uint32_t rgb_of(VTermScreen *vs, VTermColor c)
{
	vterm_screen_convert_color_to_rgb(vs, &c);
	return (uint32_t)c.rgb.red << 16 | (uint32_t)c.rgb.green << 8 | c.rgb.blue;
}

static void draw_cell(struct textscreen *ts, int row, int col)
{
	struct display *d = ts->d;
	VTermScreenCell cell;
	VTermPos pos = { .row = row, .col = col };
	uint32_t fg, bg, t;
	const uint8_t *glyph = NULL;
	bool block;

	if (!vterm_screen_get_cell(ts->vs, pos, &cell))
		return;
	fg = rgb_of(ts->vs, cell.fg);
	bg = rgb_of(ts->vs, cell.bg);
	if (cell.attrs.reverse ^ (ts->cursor_visible && row == ts->cursor.row && col == ts->cursor.col)) {
		t = fg;
		fg = bg;
		bg = t;
	}
	block = cell.chars[0] > ' ' && !ts->have_font;
	if (ts->have_font && cell.chars[0])
		glyph = ts->font.glyphs + (size_t)psf_glyph(&ts->font, cell.chars[0]) *
					  ts->font.row_bytes * ts->font.height;
	for (unsigned y = 0; y < ts->ch; y++) {
		size_t py = (size_t)row * ts->ch + y;
		uint32_t *out;

		if (py >= (size_t)d->height)
			break;
		out = d->pixels + py * d->width + (size_t)col * ts->cw;
		for (unsigned x = 0; x < ts->cw && (size_t)col * ts->cw + x < (size_t)d->width; x++) {
			bool on = block;

			if (glyph)
				on = glyph[y * ts->font.row_bytes + x / 8] & (0x80 >> (x % 8));
			if (cell.attrs.underline && y == ts->ch - 1)
				on = true;
			out[x] = on ? fg : bg;
		}
	}
}

static bool showing(struct textscreen *ts)
{
	return ts->d->source == DISPLAY_SOURCE_TEXT && ts->d->pixels;
}

static void draw_rect(struct textscreen *ts, VTermRect r)
{
	if (!showing(ts))
		return;
	for (int row = r.start_row; row < r.end_row; row++)
		for (int col = r.start_col; col < r.end_col; col++)
			draw_cell(ts, row, col);
	display_damage(ts->d, r.start_col * (int)ts->cw, r.start_row * (int)ts->ch,
		       (r.end_col - r.start_col) * (int)ts->cw, (r.end_row - r.start_row) * (int)ts->ch);
}

static int on_damage(VTermRect r, void *user)
{
	draw_rect(user, r);
	return 1;
}

static int on_movecursor(VTermPos pos, VTermPos old, int visible, void *user)
{
	struct textscreen *ts = user;
	VTermRect a = { old.row, old.row + 1, old.col, old.col + 1 };
	VTermRect b = { pos.row, pos.row + 1, pos.col, pos.col + 1 };

	ts->cursor = pos;
	ts->cursor_visible = visible;
	draw_rect(ts, a);
	draw_rect(ts, b);
	return 1;
}

static int on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct textscreen *ts = user;

	if (prop == VTERM_PROP_CURSORVISIBLE)
		ts->cursor_visible = val->boolean;
	return 1;
}

static const VTermScreenCallbacks screen_cbs = {
	.damage = on_damage,
	.movecursor = on_movecursor,
	.settermprop = on_settermprop,
};

void textscreen_size(const struct textscreen *ts, int *w_r, int *h_r)
{
	*w_r = TEXTSCREEN_COLS * (int)ts->cw;
	*h_r = TEXTSCREEN_ROWS * (int)ts->ch;
}

void textscreen_redraw(void *opaque)
{
	struct textscreen *ts = opaque;
	VTermRect all = { 0, TEXTSCREEN_ROWS, 0, TEXTSCREEN_COLS };
	int w, h;

	textscreen_size(ts, &w, &h);
	if (display_resize(ts->d, w, h) < 0)
		return;
	draw_rect(ts, all);
}

struct textscreen *textscreen_new(struct display *d, const char *font_path)
{
	struct textscreen *ts = calloc(1, sizeof(*ts));
	int rc;

	if (!ts)
		return NULL;
	ts->d = d;
	font_path = font_path ? font_path : TEXTSCREEN_FONT;
	rc = psf_load(font_path, &ts->font);
	if (rc == 0) {
		ts->have_font = true;
		ts->cw = ts->font.width;
		ts->ch = ts->font.height;
	} else {
		log_warnx("text console: no font from %s (%s); characters are drawn as blocks",
			  font_path, strerror(-rc));
		ts->cw = 8;
		ts->ch = 16;
	}
	ts->vt = vterm_new(TEXTSCREEN_ROWS, TEXTSCREEN_COLS);
	if (!ts->vt) {
		textscreen_free(ts);
		return NULL;
	}
	vterm_set_utf8(ts->vt, 1);
	ts->vs = vterm_obtain_screen(ts->vt);
	vterm_screen_set_callbacks(ts->vs, &screen_cbs, ts);
	vterm_screen_reset(ts->vs, 1);
	ts->cursor_visible = true;
	d->text_redraw = textscreen_redraw;
	d->text_redraw_opaque = ts;
	return ts;
}

void textscreen_free(struct textscreen *ts)
{
	if (!ts)
		return;
	if (ts->d && ts->d->text_redraw_opaque == ts) {
		ts->d->text_redraw = NULL;
		ts->d->text_redraw_opaque = NULL;
	}
	if (ts->vt)
		vterm_free(ts->vt);
	psf_font_dispose(&ts->font);
	free(ts);
}

void textscreen_feed(struct textscreen *ts, const char *bytes, size_t len)
{
	if (ts && len)
		vterm_input_write(ts->vt, bytes, len);
}

MODULE_EXPORT const struct textscreen_module textscreen_module = {
	.new = textscreen_new,
	.free = textscreen_free,
	.feed = textscreen_feed,
	.redraw = textscreen_redraw,
	.size = textscreen_size,
};
