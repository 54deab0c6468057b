/* Packing slip PDF (slip.h). */
#include "tote/slip.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zint.h>

#include "label_internal.h"
#include "preview_internal.h"

#define FONT "DejaVu Sans"
#define MARGIN 48.0
#define ROW_FONT 10.0
#define ROW_LH 13.0

static double text_w(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

static void show(cairo_t *cr, double x, double y, const char *s)
{
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, s);
}

/* Wraps s to width w with the current font; returns malloc'd lines joined by
 * '\n' and the count in *n. */
static char *wrap_pts(cairo_t *cr, const char *s, double w, int *n)
{
    size_t len = strlen(s);
    char *out = malloc(len * 2 + 2);
    char *line = malloc(len + 1);
    if (!out || !line) {
        free(out);
        free(line);
        return NULL;
    }
    size_t o = 0, l = 0;
    *n = 1;
    out[0] = '\0';
    line[0] = '\0';
    const char *p = s;
    while (*p) {
        const char *ws = p;
        while (*p && *p != ' ')
            p++;
        size_t wl = (size_t)(p - ws);
        char trial[1024];
        snprintf(trial, sizeof trial, "%s%s%.*s", line, l ? " " : "", (int)wl, ws);
        if (l && text_w(cr, trial) > w) {
            memcpy(out + o, line, l);
            o += l;
            out[o++] = '\n';
            (*n)++;
            l = 0;
            snprintf(trial, sizeof trial, "%.*s", (int)wl, ws);
        }
        size_t tl = strlen(trial);
        memcpy(line, trial, tl + 1);
        l = tl;
        while (*p == ' ')
            p++;
    }
    memcpy(out + o, line, l);
    o += l;
    out[o] = '\0';
    free(line);
    return out;
}

static double draw_address(cairo_t *cr, double x, double y, const char *title, const tote_address *a)
{
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 9);
    show(cr, x, y, title);
    y += 14;
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 11);
    char city[512];
    snprintf(city, sizeof city, "%s%s%s%s%s", a->postal_code ? a->postal_code : "",
             a->postal_code && *a->postal_code ? " " : "", a->city ? a->city : "",
             a->region && *a->region ? ", " : "", a->region ? a->region : "");
    const char *v[] = {a->name, a->company, a->line1, a->line2, city, a->country};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (!v[i] || !*v[i])
            continue;
        char *t = tote_lb_normalize(v[i]);
        if (t) {
            show(cr, x, y, t);
            free(t);
        }
        y += 14;
    }
    return y;
}

static void draw_header(cairo_t *cr, const tote_slip *s, double pw, int page, int pages, double *y_out)
{
    double y = MARGIN + 18;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 20);
    show(cr, MARGIN, y, "Packing slip");
    cairo_set_font_size(cr, 13);
    char *ord = tote_lb_normalize(s->order);
    char buf[512];
    snprintf(buf, sizeof buf, "Order %s", ord ? ord : "");
    show(cr, MARGIN, y + 22, buf);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 10);
    if (s->date && *s->date)
        show(cr, MARGIN, y + 38, s->date);
    snprintf(buf, sizeof buf, "Page %d of %d", page, pages);
    show(cr, pw - MARGIN - text_w(cr, buf), y + 38, buf);
    /* the order's own barcode, for the bench scanner */
    char data[300];
    snprintf(data, sizeof data, "ORD-%s", ord ? ord : "");
    free(ord);
    struct zint_symbol *z = NULL;
    if (tote_lb_zint_encode(1 /* CODE128 */, data, &z) == 0) {
        double m = 1.0, h = 36;
        double x0 = pw - MARGIN - z->bitmap_width * m;
        for (int c = 0; c < z->bitmap_width; c++)
            if (z->bitmap[c] == '1')
                cairo_rectangle(cr, x0 + c * m, MARGIN - 6, m, h);
        cairo_fill(cr);
        ZBarcode_Delete(z);
        cairo_set_font_size(cr, 8);
        show(cr, pw - MARGIN - text_w(cr, data), MARGIN + 42, data);
    }
    y += 60;
    if (page == 1) {
        double y1 = draw_address(cr, MARGIN, y, "SHIP TO", &s->to);
        double y2 = draw_address(cr, pw / 2, y, "FROM", &s->from);
        y = (y1 > y2 ? y1 : y2) + 10;
        if (s->note && *s->note) {
            char *n = tote_lb_normalize(s->note);
            cairo_set_font_size(cr, 10);
            if (n)
                show(cr, MARGIN, y, n);
            free(n);
            y += 18;
        }
    }
    /* table header */
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, ROW_FONT);
    show(cr, MARGIN, y, "SKU");
    show(cr, MARGIN + 120, y, "Item");
    show(cr, pw - MARGIN - 120, y, "Ordered");
    show(cr, pw - MARGIN - 50, y, "Shipped");
    cairo_rectangle(cr, MARGIN, y + 4, pw - 2 * MARGIN, 0.8);
    cairo_fill(cr);
    cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    *y_out = y + 4 + ROW_LH + 2;
}

/* Renders all pages; with cr == NULL only counts them. */
static int render(cairo_surface_t *surf, const tote_slip *s, double pw, double ph, int pages)
{
    cairo_t *cr = cairo_create(surf);
    int page = 1;
    double y;
    draw_header(cr, s, pw, page, pages, &y);
    double name_w = pw - 2 * MARGIN - 120 - 130;
    for (size_t i = 0; i < s->n_lines; i++) {
        const tote_slip_line *ln = &s->lines[i];
        char *name = tote_lb_normalize(ln->name);
        char *sku = tote_lb_normalize(ln->sku);
        int nl = 1;
        cairo_set_font_size(cr, ROW_FONT);
        char *wrapped = name ? wrap_pts(cr, name, name_w, &nl) : NULL;
        double need = nl * ROW_LH + 4;
        if (y + need > ph - MARGIN) {
            cairo_show_page(cr);
            page++;
            draw_header(cr, s, pw, page, pages, &y);
            cairo_set_font_size(cr, ROW_FONT);
        }
        show(cr, MARGIN, y, sku ? sku : "");
        char num[32];
        snprintf(num, sizeof num, "%d", ln->ordered);
        show(cr, pw - MARGIN - 120, y, num);
        if (ln->shipped >= 0) {
            snprintf(num, sizeof num, "%d", ln->shipped);
            show(cr, pw - MARGIN - 50, y, num);
        }
        double yy = y;
        for (char *t = wrapped, *e; t; t = e ? e + 1 : NULL) {
            e = strchr(t, '\n');
            if (e)
                *e = '\0';
            show(cr, MARGIN + 120, yy, t);
            yy += ROW_LH;
        }
        y += need;
        free(wrapped);
        free(name);
        free(sku);
    }
    cairo_show_page(cr);
    cairo_destroy(cr);
    return page;
}

tote_lb_err tote_slip_pdf_mem(const tote_slip *s, unsigned char **out, size_t *len, int *pages_out)
{
    *out = NULL;
    if (!s || !s->order || !*s->order || !tote_lb_utf8_valid(s->order))
        return TOTE_LB_E_INVALID;
    for (size_t i = 0; i < s->n_lines; i++)
        if (!s->lines[i].sku || !tote_lb_utf8_valid(s->lines[i].sku) ||
            (s->lines[i].name && !tote_lb_utf8_valid(s->lines[i].name)))
            return TOTE_LB_E_INVALID;
    double pw = s->paper == TOTE_PAPER_LETTER ? 612 : 595.28,
           ph = s->paper == TOTE_PAPER_LETTER ? 792 : 841.89;
    /* pass 1 counts pages (for "Page n of m"), pass 2 draws */
    tote_lb_membuf scratch = {0};
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(tote_lb_mem_write, &scratch, pw, ph);
    int pages = render(surf, s, pw, ph, 0);
    cairo_surface_destroy(surf);
    free(scratch.p);
    tote_lb_membuf mb = {0};
    surf = cairo_pdf_surface_create_for_stream(tote_lb_mem_write, &mb, pw, ph);
    render(surf, s, pw, ph, pages);
    cairo_surface_finish(surf);
    cairo_status_t st = cairo_surface_status(surf);
    cairo_surface_destroy(surf);
    if (st != CAIRO_STATUS_SUCCESS || mb.oom) {
        free(mb.p);
        return TOTE_LB_E_NOMEM;
    }
    *out = mb.p;
    *len = mb.len;
    if (pages_out)
        *pages_out = pages;
    return TOTE_LB_E_OK;
}

tote_lb_err tote_slip_pdf_file(const tote_slip *s, const char *path)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    tote_lb_err e = tote_slip_pdf_mem(s, &buf, &len, NULL);
    if (e != TOTE_LB_E_OK)
        return e;
    e = tote_lb_write_file(path, buf, len);
    free(buf);
    return e;
}
