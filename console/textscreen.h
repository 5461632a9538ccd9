/*
 * The text console on the graphical display: the guest's console bytes (and
 * the boot menu) are interpreted by libvterm, a maintained terminal
 * emulator, and its cells are drawn into the display's surface with a PSF
 * console font (Debian's console-setup fonts, PSF1 or PSF2, gzip'd or not),
 * while the display's source is the text console.
 *
 * Without a usable font the cells are drawn as filled blocks for any
 * non-blank character (the screen is then not legible, but not blank either)
 * and a warning names the font file.
 */
#ifndef CONSOLE_TEXTSCREEN_H
#define CONSOLE_TEXTSCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "console/display.h"

#define TEXTSCREEN_COLS 80
#define TEXTSCREEN_ROWS 30
#define TEXTSCREEN_FONT "/usr/share/consolefonts/Lat15-Fixed16.psf.gz"
#define PSF_MAX_FILE (1u << 20)

struct psf_font {
	unsigned width, height;		/* pixels of one glyph */
	unsigned n_glyphs;
	unsigned row_bytes;		/* bytes of one glyph row: (width + 7) / 8 */
	uint8_t *glyphs;		/* n_glyphs * height * row_bytes */
	uint16_t *map;			/* 65536 entries: BMP code point -> glyph + 1; 0 none */
};

/*
 * Parses a PSF1 or PSF2 font held in buf (untrusted: every length is
 * checked against len). 0, or -EINVAL with *why_r set ("not a PSF font",
 * "glyphs past the end of the file", ...). Free with psf_font_dispose().
 */
int psf_parse(const uint8_t *buf, size_t len, struct psf_font *f, const char **why_r);
/* Reads path (gzip or plain, at most PSF_MAX_FILE bytes) and parses it. 0 or -errno. */
int psf_load(const char *path, struct psf_font *f);
void psf_font_dispose(struct psf_font *f);
/* The glyph index for code point c, or the glyph of '?'. */
unsigned psf_glyph(const struct psf_font *f, uint32_t c);

struct textscreen;

/* Creates the terminal; draws into d while d's source is the text console.
 * font_path NULL: TEXTSCREEN_FONT. NULL on failure (logged). */
struct textscreen *textscreen_new(struct display *d, const char *font_path);
void textscreen_free(struct textscreen *ts);
/* Console output, any chunking. */
void textscreen_feed(struct textscreen *ts, const char *bytes, size_t len);
/* Draws every cell again (the display came back to the text console). */
void textscreen_redraw(void *ts);
/* The surface size the text console needs. */
void textscreen_size(const struct textscreen *ts, int *w_r, int *h_r);

/*
 * What the module display-text (common/module.h) exports as
 * "textscreen_module": the launcher and console 0 reach the text console
 * only through it.
 */
struct textscreen_module {
	struct textscreen *(*new)(struct display *d, const char *font_path);
	void (*free)(struct textscreen *ts);
	void (*feed)(struct textscreen *ts, const char *bytes, size_t len);
	void (*redraw)(void *ts);
	void (*size)(const struct textscreen *ts, int *w_r, int *h_r);
};

#endif
