/*
 * The label model -> positioned items (label.h). One layout for ZPL and
 * preview. Coordinates are planned in 203-dpi dots and scaled for 300 dpi;
 * barcode module widths are chosen per resolution.
 */
#include "tote/label.h"

#include "tote/checkdigit.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#include "label_internal.h"

/* ---------------- items ---------------- */

typedef struct lay {
    tote_lb_layout *L;
    size_t cap;
    int dpi;
    double k; /* dpi / 203 */
    const char *err_field;
} lay;

static int S(const lay *y, double v)
{
    return (int)lround(v * y->k);
}

tote_lb_item *tote_lb_item_add(tote_lb_layout *L, size_t *cap, tote_lb_item_kind kind, const char *field)
{
    if (L->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        tote_lb_item *ni = realloc(L->items, ncap * sizeof *ni);
        if (!ni)
            return NULL;
        L->items = ni;
        *cap = ncap;
    }
    tote_lb_item *it = &L->items[L->n++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    it->field = field;
    return it;
}

static tote_lb_item *add_item(lay *y, tote_lb_item_kind kind, const char *field)
{
    return tote_lb_item_add(y->L, &y->cap, kind, field);
}

static tote_lb_err add_rule(lay *y, int x, int yy, int w, int h)
{
    tote_lb_item *it = add_item(y, TOTE_LB_ITEM_RULE, "rule");
    if (!it)
        return TOTE_LB_E_NOMEM;
    it->x = S(y, x);
    it->y = S(y, yy);
    it->w = S(y, w);
    it->h = h < 2 ? 2 : S(y, h);
    return TOTE_LB_E_OK;
}

/* A paragraph of a flowed text area. */
typedef struct para {
    const char *field;
    char *text;        /* normalised, owned */
    int pref_h, min_h; /* font heights in 203-dpi dots */
    int align;
    int gap; /* extra space after, 203-dpi dots */
} para;

static void paras_free(para *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].text);
}

/*
 * Places paragraphs top-down in the box (203-dpi units), wrapping each to the
 * width, shrinking all fonts by the same factor until the whole flow fits the
 * height. FIT when even the minimum fonts do not fit.
 */
static tote_lb_err flow(lay *y, para *p, size_t n, int bx, int by, int bw, int bh)
{
    int X = S(y, bx), Y = S(y, by), W = S(y, bw), H = S(y, bh);
    for (int pct = 100; pct >= 40; pct -= 5) {
        int total = 0, fits = 1, all_min = 1;
        const char *worst = NULL;
        int worst_h = -1;
        for (size_t i = 0; i < n; i++) {
            if (!p[i].text || !*p[i].text)
                continue;
            int fh203 = p[i].pref_h * pct / 100;
            if (fh203 <= p[i].min_h)
                fh203 = p[i].min_h;
            else
                all_min = 0;
            int fh = S(y, fh203);
            int lh = fh + fh / 5;
            int lines = 0;
            char *w = tote_lb_wrap(p[i].text, W, fh, &lines);
            if (!w)
                return TOTE_LB_E_NOMEM;
            free(w);
            int ph = lines * lh - fh / 5 + S(y, p[i].gap);
            if (ph > worst_h) {
                worst_h = ph;
                worst = p[i].field;
            }
            total += ph;
            if (total > H)
                fits = 0;
        }
        if (!fits) {
            if (all_min) {
                y->err_field = worst;
                return TOTE_LB_E_FIT;
            }
            continue;
        }
        /* emit */
        int cy = Y;
        for (size_t i = 0; i < n; i++) {
            if (!p[i].text || !*p[i].text)
                continue;
            int fh203 = p[i].pref_h * pct / 100;
            if (fh203 < p[i].min_h)
                fh203 = p[i].min_h;
            int fh = S(y, fh203);
            int lh = fh + fh / 5;
            tote_lb_item *it = add_item(y, TOTE_LB_ITEM_TEXT, p[i].field);
            if (!it)
                return TOTE_LB_E_NOMEM;
            it->text = tote_lb_wrap(p[i].text, W, fh, &it->lines);
            if (!it->text)
                return TOTE_LB_E_NOMEM;
            it->font_h = fh;
            it->line_h = lh;
            it->align = p[i].align;
            it->x = X;
            it->y = cy;
            it->w = W;
            it->h = it->lines * lh - fh / 5;
            cy += it->h + S(y, p[i].gap);
        }
        return TOTE_LB_E_OK;
    }
    y->err_field = n ? p[0].field : NULL;
    return TOTE_LB_E_FIT;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, f);
    vsnprintf(p, (size_t)n + 1, f, ap);
    va_end(ap);
    return p;
}

static int present(const char *s)
{
    return s && *s;
}

/* "City, Region Postal" from the parts present. */
static char *city_line(const tote_address *a)
{
    tote_lb_sbuf b = {0};
    tote_lb_sb_add(&b, "");
    if (present(a->city))
        tote_lb_sb_add(&b, a->city);
    if (present(a->region)) {
        if (b.len)
            tote_lb_sb_add(&b, ", ");
        tote_lb_sb_add(&b, a->region);
    }
    if (present(a->postal_code)) {
        if (b.len)
            tote_lb_sb_add(&b, " ");
        tote_lb_sb_add(&b, a->postal_code);
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* Sets p[i].text = normalised copy (NULL input -> ""), returns 0 or -1 OOM. */
static int set_text(para *p, const char *field, const char *text, int pref, int min, int align, int gap)
{
    p->field = field;
    p->text = tote_lb_normalize(text);
    p->pref_h = pref;
    p->min_h = min;
    p->align = align;
    p->gap = gap;
    return p->text ? 0 : -1;
}

/* Paragraphs of an address, names prefixed "from." / "to." */
static size_t address_paras(para *p, const tote_address *a, int to, int big)
{
    size_t n = 0;
    int name_h = big ? 52 : 26, body_h = big ? 40 : 22, min = 18;
    char *cl = city_line(a);
    int bad = 0;
    bad |= set_text(&p[n++], to ? "to.name" : "from.name", a->name, name_h, min, 0, 0);
    bad |= set_text(&p[n++], to ? "to.company" : "from.company", a->company, body_h, min, 0, 0);
    bad |= set_text(&p[n++], to ? "to.line1" : "from.line1", a->line1, body_h, min, 0, 0);
    bad |= set_text(&p[n++], to ? "to.line2" : "from.line2", a->line2, body_h, min, 0, 0);
    bad |= set_text(&p[n++], to ? "to.city" : "from.city", cl ? cl : "", big ? 44 : body_h, min, 0, 0);
    bad |= set_text(&p[n++], to ? "to.country" : "from.country", a->country, body_h, min, 0, 0);
    if (big)
        bad |= set_text(&p[n++], "to.phone", a->phone, 26, min, 0, 0);
    free(cl);
    return bad || !cl ? (size_t)-1 : n;
}

/* Validates every string of an address as UTF-8. */
static int address_valid(const tote_address *a, int to, const char **field)
{
    const char *v[] = {a->name,   a->company,     a->line1,   a->line2, a->city,
                       a->region, a->postal_code, a->country, a->phone};
    static const char *const fn[2][9] = {{"from.name", "from.company", "from.line1", "from.line2",
                                          "from.city", "from.region", "from.postal_code", "from.country",
                                          "from.phone"},
                                         {"to.name", "to.company", "to.line1", "to.line2", "to.city",
                                          "to.region", "to.postal_code", "to.country", "to.phone"}};
    for (int i = 0; i < 9; i++)
        if (v[i] && !tote_lb_utf8_valid(v[i])) {
            *field = fn[to][i];
            return 0;
        }
    return 1;
}

/* A linear barcode centred horizontally at y (203 units) with bar height h.
 * Tries module widths from the list until the symbol plus 10-module quiet
 * zones fits the label. */
static tote_lb_err add_linear(lay *y, tote_lb_item_kind kind, const char *field, const int *syms, size_t n,
                              const char *data, int by, int bh, const int *modules_try, int n_try)
{
    tote_lb_err e = tote_lb_linear_add(y->L, &y->cap, kind, field, syms, n, data, S(y, by),
                                       (int)ceil(bh * y->k), modules_try, n_try);
    if (e == TOTE_LB_E_FIT)
        y->err_field = field;
    return e;
}

static int tracking_valid(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 48)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' ||
              c == '-' || c == '.' || c == '/'))
            return 0;
    }
    return 1;
}

static int dm_text_valid(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 200)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)t[i] < 0x20 || (unsigned char)t[i] > 0x7E || t[i] == '~')
            return 0;
    return 1;
}

/* Symbol size (modules per side) zint chooses for a square ECC 200 symbol. */
static int dm_size(const char *text, int *size)
{
    struct zint_symbol *z = ZBarcode_Create();
    if (!z)
        return -1;
    z->symbology = BARCODE_DATAMATRIX;
    z->option_3 = DM_SQUARE;
    int rc = ZBarcode_Encode(z, (const unsigned char *)text, (int)strlen(text));
    *size = z->width;
    ZBarcode_Delete(z);
    return rc >= ZINT_ERROR ? -1 : 0;
}

static tote_lb_err add_datamatrix(lay *y, const char *text, int bx_right, int by, int box)
{
    int size = 0;
    if (dm_size(text, &size) != 0) {
        y->err_field = "datamatrix";
        return TOTE_LB_E_BARCODE;
    }
    const int try203[] = {6, 5, 4, 3}, try300[] = {9, 8, 6, 5, 4};
    const int *tr = y->dpi == 300 ? try300 : try203;
    int nt = y->dpi == 300 ? 5 : 4;
    int B = S(y, box);
    for (int t = 0; t < nt; t++) {
        int m = tr[t];
        if (size * m <= B) {
            tote_lb_item *it = add_item(y, TOTE_LB_ITEM_DATAMATRIX, "datamatrix");
            if (!it)
                return TOTE_LB_E_NOMEM;
            it->module = m;
            it->modules = size;
            it->w = it->h = size * m;
            it->x = S(y, bx_right) - it->w;
            it->y = S(y, by) + (B - it->h) / 2;
            it->data = strdup(text);
            it->zpl_data = strdup(text);
            return (it->data && it->zpl_data) ? TOTE_LB_E_OK : TOTE_LB_E_NOMEM;
        }
    }
    y->err_field = "datamatrix";
    return TOTE_LB_E_FIT;
}

/* SSCC as GS1-128: FNC1, 00, 18 digits. */
static tote_lb_err add_sscc(lay *y, const char *sscc, int by, int bh)
{
    int syms[21];
    size_t n = 0;
    syms[n++] = TOTE_C128_FNC1;
    syms[n++] = '0';
    syms[n++] = '0';
    for (int i = 0; i < 18; i++)
        syms[n++] = sscc[i];
    char data[32];
    snprintf(data, sizeof data, "[00]%s", sscc);
    const int m203[] = {4, 3}, m300[] = {6, 5, 4};
    return add_linear(y, TOTE_LB_ITEM_GS1_128, "sscc", syms, n, data, by, bh, y->dpi == 300 ? m300 : m203,
                      y->dpi == 300 ? 3 : 2);
}

static tote_lb_err add_tracking(lay *y, const char *tracking, int by, int bh)
{
    size_t n = strlen(tracking);
    int *syms = malloc(n * sizeof *syms);
    if (!syms)
        return TOTE_LB_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        syms[i] = (unsigned char)tracking[i];
    const int m203[] = {3, 2}, m300[] = {4, 3};
    tote_lb_err e = add_linear(y, TOTE_LB_ITEM_CODE128, "tracking", syms, n, tracking, by, bh,
                               y->dpi == 300 ? m300 : m203, 2);
    free(syms);
    return e;
}

/* ---------------- the two layouts ---------------- */

#define NPARA 16

static tote_lb_err flow_free(lay *y, para *p, size_t n, int bx, int by, int bw, int bh)
{
    tote_lb_err e = flow(y, p, n, bx, by, bw, bh);
    paras_free(p, n);
    return e;
}

static char *weight_text(long g)
{
    return g < 0 ? strdup("") : fmt("%.2f kg", (double)g / 1000.0);
}

static char *package_text(const tote_label *l)
{
    int no = l->package_no > 0 ? l->package_no : 1;
    return l->package_count > 0 ? fmt("Package %d of %d", no, l->package_count) : fmt("Package %d", no);
}

static tote_lb_err layout_carrier(lay *y, const tote_label *l, const char *dm)
{
    tote_lb_err e;
    para p[NPARA];
    size_t n;
    memset(p, 0, sizeof p);
    /* A: ship-from (left), service / package / weight (right) */
    n = address_paras(p, &l->from, 0, 0);
    if (n == (size_t)-1)
        return paras_free(p, NPARA), TOTE_LB_E_NOMEM;
    if ((e = flow_free(y, p, n, 24, 20, 470, 174)) != TOTE_LB_E_OK)
        return e;
    char *pk = package_text(l), *wt = weight_text(l->weight_g);
    memset(p, 0, sizeof p);
    int bad = !pk || !wt;
    bad |= set_text(&p[0], "service", l->service, 44, 20, 0, 6);
    bad |= set_text(&p[1], "package", pk ? pk : "", 28, 18, 0, 4);
    bad |= set_text(&p[2], "weight", wt ? wt : "", 28, 18, 0, 0);
    free(pk);
    free(wt);
    if (bad)
        return paras_free(p, 3), TOTE_LB_E_NOMEM;
    if ((e = flow_free(y, p, 3, 520, 20, 268, 174)) != TOTE_LB_E_OK)
        return e;
    if ((e = add_rule(y, 0, 200, 812, 3)) != TOTE_LB_E_OK)
        return e;

    /* B: ship-to */
    memset(p, 0, sizeof p);
    if (set_text(&p[0], "caption.to", "SHIP TO:", 22, 22, 0, 0))
        return paras_free(p, 1), TOTE_LB_E_NOMEM;
    if ((e = flow_free(y, p, 1, 24, 208, 764, 26)) != TOTE_LB_E_OK)
        return e;
    memset(p, 0, sizeof p);
    n = address_paras(p, &l->to, 1, 1);
    if (n == (size_t)-1)
        return paras_free(p, NPARA), TOTE_LB_E_NOMEM;
    if ((e = flow_free(y, p, n, 24, 238, 764, 270)) != TOTE_LB_E_OK)
        return e;
    if ((e = add_rule(y, 0, 512, 812, 3)) != TOTE_LB_E_OK)
        return e;

    /* C: order and references (left), Data Matrix (right) */
    memset(p, 0, sizeof p);
    char *ord = fmt("Order %s", l->order);
    bad = !ord || set_text(&p[0], "order", ord ? ord : "", 36, 18, 0, 6);
    free(ord);
    n = 1;
    static const char *const ref_fields[TOTE_LABEL_MAX_REFS] = {"ref1", "ref2", "ref3", "ref4"};
    for (int i = 0; i < TOTE_LABEL_MAX_REFS; i++)
        if (present(l->refs[i]))
            bad |= set_text(&p[n++], ref_fields[i], l->refs[i], 26, 18, 0, 2);
    if (bad)
        return paras_free(p, n), TOTE_LB_E_NOMEM;
    if ((e = flow_free(y, p, n, 24, 522, 560, 174)) != TOTE_LB_E_OK)
        return e;
    if ((e = add_datamatrix(y, dm, 788, 522, 174)) != TOTE_LB_E_OK)
        return e;
    if ((e = add_rule(y, 0, 702, 812, 3)) != TOTE_LB_E_OK)
        return e;

    /* D: tracking */
    if (present(l->tracking)) {
        memset(p, 0, sizeof p);
        if (set_text(&p[0], "caption.tracking", "TRACKING #", 22, 22, 0, 0))
            return paras_free(p, 1), TOTE_LB_E_NOMEM;
        if ((e = flow_free(y, p, 1, 24, 710, 764, 26)) != TOTE_LB_E_OK)
            return e;
        if ((e = add_tracking(y, l->tracking, 740, 118)) != TOTE_LB_E_OK)
            return e;
        memset(p, 0, sizeof p);
        if (set_text(&p[0], "tracking.text", l->tracking, 30, 18, 1, 0))
            return paras_free(p, 1), TOTE_LB_E_NOMEM;
        if ((e = flow_free(y, p, 1, 24, 864, 764, 32)) != TOTE_LB_E_OK)
            return e;
    }
    if ((e = add_rule(y, 0, 900, 812, 3)) != TOTE_LB_E_OK)
        return e;

    /* E: SSCC, the lowest barcode, bars >= 32 mm */
    if (present(l->sscc)) {
        memset(p, 0, sizeof p);
        char *hr = fmt("SSCC (00) %s", l->sscc);
        if (!hr || set_text(&p[0], "sscc.text", hr, 28, 18, 1, 0)) {
            free(hr);
            return paras_free(p, 1), TOTE_LB_E_NOMEM;
        }
        free(hr);
        if ((e = flow_free(y, p, 1, 24, 908, 764, 32)) != TOTE_LB_E_OK)
            return e;
        if ((e = add_sscc(y, l->sscc, 946, 256)) != TOTE_LB_E_OK)
            return e;
    }
    return TOTE_LB_E_OK;
}

/* Set 82 characters (GS1 General Specifications, Figure 7.11-1). */
static int gs1_set82(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x21 || c > 0x7E || strchr("#$@[\\]^`{|}~", c))
            return 0;
    }
    return 1;
}

static tote_lb_err layout_logistic(lay *y, const tote_label *l, const char *dm)
{
    (void)dm;
    tote_lb_err e;
    para p[NPARA];
    size_t n;
    if (!present(l->sscc)) {
        y->err_field = "sscc";
        return TOTE_LB_E_INVALID;
    }
    /* top, free: from, then to */
    memset(p, 0, sizeof p);
    n = address_paras(p, &l->from, 0, 0);
    if (n == (size_t)-1)
        return paras_free(p, NPARA), TOTE_LB_E_NOMEM;
    if ((e = flow_free(y, p, n, 24, 16, 764, 124)) != TOTE_LB_E_OK)
        return e;
    if ((e = add_rule(y, 0, 144, 812, 3)) != TOTE_LB_E_OK)
        return e;
    memset(p, 0, sizeof p);
    n = address_paras(p, &l->to, 1, 1);
    if (n == (size_t)-1)
        return paras_free(p, NPARA), TOTE_LB_E_NOMEM;
    if ((e = flow_free(y, p, n, 24, 152, 764, 224)) != TOTE_LB_E_OK)
        return e;
    if ((e = add_rule(y, 0, 382, 812, 3)) != TOTE_LB_E_OK)
        return e;

    /* middle: human-readable AIs with titles */
    int have_weight = l->weight_g >= 0 && l->weight_g <= 999999;
    int have_zip =
        present(l->to.postal_code) && strlen(l->to.postal_code) <= 20 && gs1_set82(l->to.postal_code);
    char *sscc_v = fmt("(00) %s", l->sscc);
    char *wt_v = have_weight ? fmt("%ld.%03ld", l->weight_g / 1000, l->weight_g % 1000) : strdup("");
    char *zip_v = have_zip ? fmt("(420) %s", l->to.postal_code) : strdup("");
    char *pk = package_text(l);
    memset(p, 0, sizeof p);
    int bad = !sscc_v || !wt_v || !zip_v || !pk;
    bad |= set_text(&p[0], "ai.sscc.title", "SSCC", 20, 18, 0, 0);
    bad |= set_text(&p[1], "ai.sscc", sscc_v ? sscc_v : "", 36, 18, 0, 0);
    if (bad) {
        free(sscc_v), free(wt_v), free(zip_v), free(pk);
        return paras_free(p, 2), TOTE_LB_E_NOMEM;
    }
    if ((e = flow_free(y, p, 2, 24, 390, 764, 64)) != TOTE_LB_E_OK) {
        free(sscc_v), free(wt_v), free(zip_v), free(pk);
        return e;
    }
    memset(p, 0, sizeof p);
    n = 0;
    bad |= set_text(&p[n++], "ai.order.title", "ORDER", 20, 18, 0, 0);
    bad |= set_text(&p[n++], "ai.order", l->order, 34, 18, 0, 8);
    bad |= set_text(&p[n++], "ai.package.title", "PACKAGE", 20, 18, 0, 0);
    bad |= set_text(&p[n++], "ai.package", pk ? pk : "", 30, 18, 0, 0);
    if (bad) {
        free(sscc_v), free(wt_v), free(zip_v), free(pk);
        return paras_free(p, n), TOTE_LB_E_NOMEM;
    }
    if ((e = flow_free(y, p, n, 24, 460, 370, 170)) != TOTE_LB_E_OK) {
        free(sscc_v), free(wt_v), free(zip_v), free(pk);
        return e;
    }
    memset(p, 0, sizeof p);
    n = 0;
    if (have_weight) {
        bad |= set_text(&p[n++], "ai.weight.title", "GROSS WEIGHT (kg) (3303)", 20, 18, 0, 0);
        bad |= set_text(&p[n++], "ai.weight", wt_v, 34, 18, 0, 8);
    }
    if (have_zip) {
        bad |= set_text(&p[n++], "ai.zip.title", "SHIP TO POSTAL CODE", 20, 18, 0, 0);
        bad |= set_text(&p[n++], "ai.zip", zip_v, 30, 18, 0, 0);
    }
    free(sscc_v), free(wt_v), free(zip_v), free(pk);
    if (bad)
        return paras_free(p, n), TOTE_LB_E_NOMEM;
    if (n && (e = flow_free(y, p, n, 418, 460, 370, 170)) != TOTE_LB_E_OK)
        return e;
    if ((e = add_rule(y, 0, 634, 812, 3)) != TOTE_LB_E_OK)
        return e;

    /* bottom: (3303) weight + (420) postal code, then the SSCC lowest */
    if (have_weight || have_zip) {
        int syms[64];
        size_t k = 0;
        char data[96] = "";
        syms[k++] = TOTE_C128_FNC1;
        if (have_weight) {
            char w[16];
            snprintf(w, sizeof w, "3303%06ld", l->weight_g);
            for (const char *q = w; *q; q++)
                syms[k++] = *q;
            snprintf(data + strlen(data), sizeof data - strlen(data), "[3303]%06ld", l->weight_g);
        }
        if (have_zip) {
            /* 420 is variable length: last, so no separator needed */
            syms[k++] = '4', syms[k++] = '2', syms[k++] = '0';
            for (const char *q = l->to.postal_code; *q; q++)
                syms[k++] = (unsigned char)*q;
            snprintf(data + strlen(data), sizeof data - strlen(data), "[420]%s", l->to.postal_code);
        }
        const int m203[] = {4, 3, 2}, m300[] = {6, 5, 4, 3};
        if ((e = add_linear(y, TOTE_LB_ITEM_GS1_128, "gs1", syms, k, data, 644, 256,
                            y->dpi == 300 ? m300 : m203, y->dpi == 300 ? 4 : 3)) != TOTE_LB_E_OK)
            return e;
        /* human-readable under the symbol: brackets as parentheses */
        char hr[96];
        size_t h = 0;
        for (const char *q = data; *q && h + 1 < sizeof hr; q++)
            hr[h++] = *q == '[' ? '(' : *q == ']' ? ')' : *q;
        hr[h] = '\0';
        memset(p, 0, sizeof p);
        if (set_text(&p[0], "gs1.text", hr, 24, 18, 1, 0))
            return paras_free(p, 1), TOTE_LB_E_NOMEM;
        if ((e = flow_free(y, p, 1, 24, 906, 764, 30)) != TOTE_LB_E_OK)
            return e;
    }
    return add_sscc(y, l->sscc, 946, 256);
}

/* ---------------- public ---------------- */

void tote_label_layout_destroy(tote_lb_layout **lp)
{
    if (!lp || !*lp)
        return;
    tote_lb_layout *L = *lp;
    for (size_t i = 0; i < L->n; i++) {
        free(L->items[i].text);
        free(L->items[i].data);
        free(L->items[i].zpl_data);
    }
    free(L->items);
    free(L);
    *lp = NULL;
}

const tote_lb_item *tote_lb_layout_find(const tote_lb_layout *L, const char *field)
{
    for (size_t i = 0; L && i < L->n; i++)
        if (strcmp(L->items[i].field, field) == 0)
            return &L->items[i];
    return NULL;
}

tote_lb_err tote_label_layout(const tote_label *l, int dpi, tote_lb_layout **out, const char **err_field)
{
    *out = NULL;
    const char *ef = NULL;
    if (err_field)
        *err_field = NULL;
#define BAD(f)                    \
    do {                          \
        if (err_field)            \
            *err_field = (f);     \
        return TOTE_LB_E_INVALID; \
    } while (0)
    if (!l || (dpi != 203 && dpi != 300))
        BAD("dpi");
    if (!present(l->order) || !tote_lb_utf8_valid(l->order))
        BAD("order");
    if (!address_valid(&l->from, 0, &ef) || !address_valid(&l->to, 1, &ef))
        BAD(ef);
    if (l->service && !tote_lb_utf8_valid(l->service))
        BAD("service");
    for (int i = 0; i < TOTE_LABEL_MAX_REFS; i++)
        if (l->refs[i] && !tote_lb_utf8_valid(l->refs[i]))
            BAD("refs");
    if (present(l->tracking) && !tracking_valid(l->tracking))
        BAD("tracking");
    if (present(l->sscc) && !tote_sscc_valid(l->sscc))
        BAD("sscc");
    if (l->style != TOTE_LABEL_CARRIER && l->style != TOTE_LABEL_GS1_LOGISTIC)
        BAD("style");
    if (l->package_no < 0 || l->package_count < 0 || (l->package_count && l->package_no > l->package_count))
        BAD("package");
    char *dm = present(l->datamatrix) ? strdup(l->datamatrix)
                                      : fmt("ORD-%s/%d", l->order, l->package_no > 0 ? l->package_no : 1);
    if (!dm)
        return TOTE_LB_E_NOMEM;
    if (!dm_text_valid(dm)) {
        free(dm);
        BAD("datamatrix");
    }
#undef BAD
    lay y = {0};
    y.L = calloc(1, sizeof *y.L);
    if (!y.L) {
        free(dm);
        return TOTE_LB_E_NOMEM;
    }
    y.dpi = dpi;
    y.k = dpi / 203.0;
    y.L->dpi = dpi;
    y.L->width = dpi == 300 ? 1200 : 812;
    y.L->height = dpi == 300 ? 1800 : 1218;
    tote_lb_err e =
        l->style == TOTE_LABEL_GS1_LOGISTIC ? layout_logistic(&y, l, dm) : layout_carrier(&y, l, dm);
    free(dm);
    if (e != TOTE_LB_E_OK) {
        if (err_field)
            *err_field = y.err_field;
        tote_label_layout_destroy(&y.L);
        return e;
    }
    *out = y.L;
    return TOTE_LB_E_OK;
}
