/*
 * Operator badges (badge.h): a tote_lb_layout on 4x6 in stock, the badge in
 * the top 4x3 in. Planned in 203-dpi dots and scaled for 300 dpi, like the
 * shipping label; drawn by the shipping label's ZPL writer and preview.
 */
#include "tote/badge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "label_internal.h"
#include "preview_internal.h"
#include "tote/zpl.h"

#define BADGE_VALUE_MAX 80

/* The plan, in 203-dpi dots. */
#define MARGIN 30
#define CAPTION_Y 26
#define CAPTION_H 30
#define NAME_Y 72
#define NAME_H 200 /* up to two lines at the preferred size */
#define NAME_PREF 100
#define NAME_MIN 36
#define ROLE_Y 284
#define ROLE_H 48
#define BAR_Y 350
#define BAR_H 160
#define VALUE_Y 522
#define VALUE_H 34
#define CUT_Y 609 /* 3 in */
#define CUT_DASH 20

typedef struct bl {
    tote_lb_layout *L;
    size_t cap;
    double k;
} bl;

static int S(const bl *y, double v)
{
    return (int)lround(v * y->k);
}

static tote_lb_item *item(bl *y, tote_lb_item_kind kind, const char *field)
{
    return tote_lb_item_add(y->L, &y->cap, kind, field);
}

/*
 * Text in the box (203-dpi units), centred, wrapped to the width and shrunk
 * from pref down to min font height until it fits the height. FIT if even
 * min does not.
 */
static tote_lb_err text_box(bl *y, const char *field, const char *text, int by, int bh, int pref, int min)
{
    int X = S(y, MARGIN), W = y->L->width - 2 * X, H = S(y, bh);
    for (int fh203 = pref;; fh203 = fh203 * 9 / 10 < min ? min : fh203 * 9 / 10) {
        int fh = S(y, fh203), lh = fh + fh / 5, lines = 0;
        char *w = tote_lb_wrap(text, W, fh, &lines);
        if (!w)
            return TOTE_LB_E_NOMEM;
        if (lines * lh - fh / 5 <= H || fh203 == min) {
            if (lines * lh - fh / 5 > H) {
                free(w);
                return TOTE_LB_E_FIT;
            }
            tote_lb_item *it = item(y, TOTE_LB_ITEM_TEXT, field);
            if (!it) {
                free(w);
                return TOTE_LB_E_NOMEM;
            }
            it->text = w;
            it->font_h = fh;
            it->line_h = lh;
            it->lines = lines;
            it->align = 1;
            it->x = X;
            it->w = W;
            it->h = lines * lh - fh / 5;
            it->y = S(y, by) + (H - it->h) / 2; /* centred in its band */
            return TOTE_LB_E_OK;
        }
        free(w);
    }
}

/* The value as Code 128, centred, with the widest module that leaves a
 * quiet zone of 10 modules each side. */
static tote_lb_err code128(bl *y, const char *value)
{
    size_t n = strlen(value);
    int syms[BADGE_VALUE_MAX];
    for (size_t i = 0; i < n; i++)
        syms[i] = (unsigned char)value[i];
    static const int m203[] = {4, 3, 2, 1}, m300[] = {6, 5, 4, 3, 2, 1};
    return tote_lb_linear_add(y->L, &y->cap, TOTE_LB_ITEM_CODE128, "badge", syms, n, value, S(y, BAR_Y),
                              S(y, BAR_H), y->L->dpi == 300 ? m300 : m203, y->L->dpi == 300 ? 6 : 4);
}

static tote_lb_err cut_line(bl *y)
{
    for (int x = MARGIN / 2; x + CUT_DASH <= 812 - MARGIN / 2; x += 2 * CUT_DASH) {
        tote_lb_item *it = item(y, TOTE_LB_ITEM_RULE, "cut");
        if (!it)
            return TOTE_LB_E_NOMEM;
        it->x = S(y, x);
        it->y = S(y, CUT_Y);
        it->w = S(y, CUT_DASH);
        it->h = 2;
    }
    return TOTE_LB_E_OK;
}

static int value_valid(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > BADGE_VALUE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 32 || (unsigned char)v[i] > 126)
            return 0;
    return 1;
}

tote_lb_err tote_badge_layout(const tote_badge *b, int dpi, tote_lb_layout **out, const char **err_field)
{
    *out = NULL;
    const char *bad = NULL;
    if (!b || (dpi != 203 && dpi != 300))
        bad = "dpi";
    else if (!b->name || !tote_lb_utf8_valid(b->name))
        bad = "name";
    else if (b->role && !tote_lb_utf8_valid(b->role))
        bad = "role";
    else if (!value_valid(b->value))
        bad = "badge";
    char *name = bad ? NULL : tote_lb_normalize(b->name);
    if (!bad && name && !*name)
        bad = "name";
    if (err_field)
        *err_field = bad;
    if (bad) {
        free(name);
        return TOTE_LB_E_INVALID;
    }
    if (!name)
        return TOTE_LB_E_NOMEM;
    char role[64] = "";
    if (b->role) {
        snprintf(role, sizeof role, "%s", b->role);
        for (char *p = role; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
    }
    bl y = {0};
    y.L = calloc(1, sizeof *y.L);
    if (!y.L) {
        free(name);
        return TOTE_LB_E_NOMEM;
    }
    y.k = dpi / 203.0;
    y.L->dpi = dpi;
    y.L->width = dpi == 300 ? 1200 : 812;
    y.L->height = dpi == 300 ? 1800 : 1218;
    const char *field = "caption";
    tote_lb_err e = text_box(&y, field, "Tote operator badge", CAPTION_Y, CAPTION_H, 26, 26);
    if (e == TOTE_LB_E_OK)
        e = text_box(&y, field = "name", name, NAME_Y, NAME_H, NAME_PREF, NAME_MIN);
    if (e == TOTE_LB_E_OK && role[0])
        e = text_box(&y, field = "role", role, ROLE_Y, ROLE_H, 44, 30);
    if (e == TOTE_LB_E_OK) {
        field = "badge";
        e = code128(&y, b->value);
    }
    if (e == TOTE_LB_E_OK)
        e = text_box(&y, field = "badge.text", b->value, VALUE_Y, VALUE_H, 32, 20);
    if (e == TOTE_LB_E_OK) {
        field = "cut";
        e = cut_line(&y);
    }
    free(name);
    if (e != TOTE_LB_E_OK) {
        if (err_field)
            *err_field = field;
        tote_label_layout_destroy(&y.L);
        return e;
    }
    *out = y.L;
    return TOTE_LB_E_OK;
}

tote_lb_err tote_badge_zpl(const tote_badge *b, int dpi, char **out, size_t *len, const char **err_field)
{
    *out = NULL;
    tote_lb_layout *L = NULL;
    tote_lb_err e = tote_badge_layout(b, dpi, &L, err_field);
    if (e != TOTE_LB_E_OK)
        return e;
    e = tote_zpl_from_layout(L, out, len);
    tote_label_layout_destroy(&L);
    return e;
}

tote_lb_err tote_badge_preview_file(const tote_badge *b, int dpi, const char *path, const char **err_field)
{
    tote_preview_format fmt;
    if (err_field)
        *err_field = NULL;
    if (tote_preview_format_for_path(path, &fmt) != 0) {
        if (err_field)
            *err_field = "path";
        return TOTE_LB_E_INVALID;
    }
    tote_lb_layout *L = NULL;
    tote_lb_err e = tote_badge_layout(b, dpi, &L, err_field);
    if (e != TOTE_LB_E_OK)
        return e;
    unsigned char *buf = NULL;
    size_t len = 0;
    e = tote_preview_from_layout(L, fmt, &buf, &len);
    tote_label_layout_destroy(&L);
    if (e != TOTE_LB_E_OK)
        return e;
    e = tote_lb_write_file(path, buf, len);
    free(buf);
    return e;
}
