/*
 * Text on labels: UTF-8 validation, normalisation, width in dots of the
 * label font, and word wrap (label_internal.h, label.h).
 */
#include "tote/label.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "label_internal.h"
#include "tote/utf8.h"

/* ---------------- UTF-8 and text ---------------- */

/* Decodes one code point at s[0..n) (n > 0): its byte length. A byte that
 * does not start valid UTF-8 counts as one U+FFFD; label text is checked
 * with tote_lb_utf8_valid before it gets here. */
static int utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    int len = tote_utf8_decode(s, n, cp);
    if (len == 0) {
        *cp = 0xFFFD;
        len = 1;
    }
    return len;
}

int tote_lb_utf8_valid(const char *text)
{
    return tote_utf8_valid((const unsigned char *)text, strlen(text));
}

char *tote_lb_normalize(const char *text)
{
    if (!text)
        text = "";
    size_t n = strlen(text);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int space = 1; /* drop leading spaces */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7F || c == ' ') {
            if (!space)
                out[o++] = ' ';
            space = 1;
            continue;
        }
        out[o++] = (char)c;
        space = 0;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    return out;
}

static int is_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) || cp >= 0x20000;
}

/* Advance of one code point in hundredths of the font height. Generous for
 * the ZPL font 0 (CG Triumvirate Bold Condensed). */
static int advance_pct(uint32_t cp)
{
    if (cp == ' ')
        return 30;
    if (cp < 0x80) {
        if (strchr("iljtfI.,:;'!|()[]`", (int)cp))
            return 34;
        if (strchr("mwMW@", (int)cp))
            return 86;
        if (cp >= 'A' && cp <= 'Z')
            return 66;
        if (cp >= '0' && cp <= '9')
            return 58;
        if (cp >= 'a' && cp <= 'z')
            return 56;
        return 60;
    }
    if (is_wide(cp))
        return 104;
    return 68;
}

static int width_n(const char *s, size_t n, int font_h)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + n;
    long sum = 0;
    while (p < end && *p) {
        uint32_t cp;
        p += utf8_next(p, (size_t)(end - p), &cp);
        sum += advance_pct(cp);
    }
    return (int)((sum * font_h + 99) / 100);
}

int tote_lb_text_width(const char *utf8, int font_h)
{
    return width_n(utf8, strlen(utf8), font_h);
}

void tote_lb_sb_addn(tote_lb_sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void tote_lb_sb_add(tote_lb_sbuf *b, const char *s)
{
    tote_lb_sb_addn(b, s, strlen(s));
}

/*
 * Greedy word wrap of normalised text to width at font_h. Words wider than
 * the width are broken between code points. Returns malloc'd text with '\n'
 * between lines and the line count in *lines; NULL on OOM.
 */
char *tote_lb_wrap(const char *text, int width, int font_h, int *lines)
{
    tote_lb_sbuf out = {0};
    *lines = 0;
    if (!*text) {
        tote_lb_sb_add(&out, "");
        return out.p;
    }
    const char *p = text;
    size_t line_start_len = 0; /* offset in out where the current line starts */
    int line_w = 0;
    int nlines = 1;
    int space_w = width_n(" ", 1, font_h);
    while (*p) {
        const char *ws = p;
        while (*p && *p != ' ')
            p++;
        size_t wl = (size_t)(p - ws);
        int ww = width_n(ws, wl, font_h);
        int at_line_start = out.len == line_start_len;
        if (!at_line_start && line_w + space_w + ww <= width) {
            tote_lb_sb_add(&out, " ");
            tote_lb_sb_addn(&out, ws, wl);
            line_w += space_w + ww;
        } else {
            if (!at_line_start) {
                tote_lb_sb_add(&out, "\n");
                nlines++;
                line_start_len = out.len;
                line_w = 0;
            }
            if (ww <= width) {
                tote_lb_sb_addn(&out, ws, wl);
                line_w = ww;
            } else {
                /* break the word between code points */
                const unsigned char *q = (const unsigned char *)ws;
                const unsigned char *qe = q + wl;
                while (q < qe) {
                    uint32_t cp;
                    int cl = utf8_next(q, (size_t)(qe - q), &cp);
                    int cw = width_n((const char *)q, (size_t)cl, font_h);
                    if (line_w > 0 && line_w + cw > width) {
                        tote_lb_sb_add(&out, "\n");
                        nlines++;
                        line_start_len = out.len;
                        line_w = 0;
                    }
                    tote_lb_sb_addn(&out, (const char *)q, (size_t)cl);
                    line_w += cw;
                    q += cl;
                }
            }
        }
        while (*p == ' ')
            p++;
    }
    if (out.oom) {
        free(out.p);
        return NULL;
    }
    *lines = nlines;
    return out.p;
}
