/* Label previews with cairo; barcodes encoded by libzint (preview.h). */
#include "tote/preview.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zint.h>

#include "preview_internal.h"

#define FONT_FACE "DejaVu Sans Condensed"

/* Draws a zint symbol (encoded with OUT_BUFFER_INTERMEDIATE, one pixel per
 * module) with its top-left at (x, y), each module m dots wide; linear
 * symbols are stretched to bar height h. */
static void paint_symbol(cairo_t *cr, const struct zint_symbol *z, int x, int y, int m, int h, int linear)
{
    int bw = z->bitmap_width, bh = z->bitmap_height;
    if (linear) {
        /* row 0 of the bitmap is the bar pattern */
        int run = -1;
        for (int c = 0; c <= bw; c++) {
            int dark = c < bw && z->bitmap[c] == '1';
            if (dark && run < 0)
                run = c;
            if (!dark && run >= 0) {
                cairo_rectangle(cr, x + run * m, y, (c - run) * m, h);
                run = -1;
            }
        }
    } else {
        for (int r = 0; r < bh; r++)
            for (int c = 0; c < bw; c++)
                if (z->bitmap[r * bw + c] == '1')
                    cairo_rectangle(cr, x + c * m, y + r * m, m, m);
    }
    cairo_fill(cr);
}

int tote_lb_zint_encode(int kind, const char *data, struct zint_symbol **out)
{
    struct zint_symbol *z = ZBarcode_Create();
    if (!z)
        return -1;
    z->show_hrt = 0;
    z->scale = 0.5f; /* one bitmap pixel per module */
    z->output_options |= OUT_BUFFER_INTERMEDIATE;
    switch (kind) {
    case TOTE_LB_ITEM_CODE128:
        z->symbology = BARCODE_CODE128;
        z->height = 1;
        break;
    case TOTE_LB_ITEM_GS1_128:
        z->symbology = BARCODE_GS1_128;
        z->input_mode = GS1_MODE;
        z->height = 1;
        break;
    default:
        z->symbology = BARCODE_DATAMATRIX;
        z->option_3 = DM_SQUARE;
        break;
    }
    int rc = ZBarcode_Encode_and_Buffer(z, (const unsigned char *)data, (int)strlen(data), 0);
    if (rc >= ZINT_ERROR || !z->bitmap) {
        ZBarcode_Delete(z);
        return -1;
    }
    *out = z;
    return 0;
}

/* One line of text at (x, baseline) squeezed to at most max_w dots. */
static void text_line(cairo_t *cr, const char *s, double x, double top, int font_h, int box_w, int max_w,
                      int align)
{
    cairo_set_font_size(cr, font_h * 0.92);
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    double w = te.x_advance;
    double sx = (w > max_w && w > 0) ? max_w / w : 1.0;
    double drawn = w * sx;
    double ox = align ? x + (box_w - drawn) / 2 : x;
    cairo_save(cr);
    cairo_translate(cr, ox, top + font_h * 0.80);
    cairo_scale(cr, sx, 1.0);
    cairo_move_to(cr, 0, 0);
    cairo_show_text(cr, s);
    cairo_restore(cr);
}

/* ink_clear: an A8 surface written as 8-bit grey PNG (grey = alpha): paper
 * is opaque (white), ink clears to alpha 0 (black). A thermal printer is
 * one-bit anyway, and an A8 PNG encodes several times faster than RGB. */
static tote_lb_err draw(cairo_t *cr, const tote_lb_layout *L, int ink_clear)
{
    if (ink_clear) {
        cairo_set_operator(cr, CAIRO_OPERATOR_SOURCE);
        cairo_set_source_rgba(cr, 0, 0, 0, 1);
        cairo_paint(cr);
        cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
    } else {
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
    }
    cairo_select_font_face(cr, FONT_FACE, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    for (size_t i = 0; i < L->n; i++) {
        const tote_lb_item *it = &L->items[i];
        switch (it->kind) {
        case TOTE_LB_ITEM_RULE:
            cairo_rectangle(cr, it->x, it->y, it->w, it->h);
            cairo_fill(cr);
            break;
        case TOTE_LB_ITEM_TEXT: {
            char *copy = strdup(it->text);
            if (!copy)
                return TOTE_LB_E_NOMEM;
            int ln = 0;
            for (char *s = copy, *nl; s; s = nl ? nl + 1 : NULL, ln++) {
                nl = strchr(s, '\n');
                if (nl)
                    *nl = '\0';
                /* never wider than the ZPL layout planned for this line */
                int max_w = tote_lb_text_width(s, it->font_h);
                if (max_w > it->w)
                    max_w = it->w;
                text_line(cr, s, it->x, it->y + ln * it->line_h, it->font_h, it->w, max_w, it->align);
            }
            free(copy);
            break;
        }
        case TOTE_LB_ITEM_CODE128:
        case TOTE_LB_ITEM_GS1_128:
        case TOTE_LB_ITEM_DATAMATRIX: {
            struct zint_symbol *z = NULL;
            if (tote_lb_zint_encode(it->kind, it->data, &z) != 0)
                return TOTE_LB_E_BARCODE;
            int linear = it->kind != TOTE_LB_ITEM_DATAMATRIX;
            cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
            paint_symbol(cr, z, it->x, it->y, it->module, it->h, linear);
            ZBarcode_Delete(z);
            break;
        }
        }
    }
    return TOTE_LB_E_OK;
}

tote_lb_err tote_preview_from_layout(const tote_lb_layout *L, tote_preview_format fmt, unsigned char **out,
                                     size_t *len)
{
    *out = NULL;
    tote_lb_membuf mb = {0};
    cairo_surface_t *surf;
    if (fmt == TOTE_PREVIEW_PDF)
        surf = cairo_pdf_surface_create_for_stream(tote_lb_mem_write, &mb, L->width * 72.0 / L->dpi,
                                                   L->height * 72.0 / L->dpi);
    else
        surf = cairo_image_surface_create(CAIRO_FORMAT_A8, L->width, L->height);
    if (cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surf);
        return TOTE_LB_E_NOMEM;
    }
    cairo_t *cr = cairo_create(surf);
    if (fmt == TOTE_PREVIEW_PDF)
        cairo_scale(cr, 72.0 / L->dpi, 72.0 / L->dpi);
    tote_lb_err e = draw(cr, L, fmt == TOTE_PREVIEW_PNG);
    cairo_destroy(cr);
    if (e == TOTE_LB_E_OK && fmt == TOTE_PREVIEW_PNG) {
        if (cairo_surface_write_to_png_stream(surf, tote_lb_mem_write, &mb) != CAIRO_STATUS_SUCCESS)
            e = mb.oom ? TOTE_LB_E_NOMEM : TOTE_LB_E_IO;
    }
    cairo_surface_finish(surf);
    if (e == TOTE_LB_E_OK && cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS)
        e = mb.oom ? TOTE_LB_E_NOMEM : TOTE_LB_E_IO;
    cairo_surface_destroy(surf);
    if (e != TOTE_LB_E_OK) {
        free(mb.p);
        return e;
    }
    *out = mb.p;
    *len = mb.len;
    return TOTE_LB_E_OK;
}

tote_lb_err tote_label_preview_mem(const tote_label *label, int dpi, tote_preview_format fmt,
                                   unsigned char **out, size_t *len, const char **err_field)
{
    *out = NULL;
    tote_lb_layout *L = NULL;
    tote_lb_err e = tote_label_layout(label, dpi, &L, err_field);
    if (e != TOTE_LB_E_OK)
        return e;
    e = tote_preview_from_layout(L, fmt, out, len);
    tote_label_layout_destroy(&L);
    return e;
}

int tote_preview_format_for_path(const char *path, tote_preview_format *fmt)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot)
        return -1;
    if (strcasecmp(dot, ".png") == 0) {
        *fmt = TOTE_PREVIEW_PNG;
        return 0;
    }
    if (strcasecmp(dot, ".pdf") == 0) {
        *fmt = TOTE_PREVIEW_PDF;
        return 0;
    }
    return -1;
}

tote_lb_err tote_lb_write_file(const char *path, const void *data, size_t len)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return TOTE_LB_E_IO;
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return TOTE_LB_E_IO;
    size_t w = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || w != len || rename(tmp, path) != 0) {
        remove(tmp);
        return TOTE_LB_E_IO;
    }
    return TOTE_LB_E_OK;
}

tote_lb_err tote_label_preview_file(const tote_label *label, int dpi, const char *path,
                                    const char **err_field)
{
    tote_preview_format fmt;
    if (err_field)
        *err_field = NULL;
    if (tote_preview_format_for_path(path, &fmt) != 0) {
        if (err_field)
            *err_field = "path";
        return TOTE_LB_E_INVALID;
    }
    unsigned char *buf = NULL;
    size_t len = 0;
    tote_lb_err e = tote_label_preview_mem(label, dpi, fmt, &buf, &len, err_field);
    if (e != TOTE_LB_E_OK)
        return e;
    e = tote_lb_write_file(path, buf, len);
    free(buf);
    return e;
}

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer: fontconfig (loaded by cairo for text) keeps process-lifetime
 * pattern caches that LSan reports at exit. Suppress those frames only; leaks
 * in Tote's own code are still reported. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
#endif

/* Cairo write callback collecting a PNG or PDF stream in memory (preview_internal.h). */
cairo_status_t tote_lb_mem_write(void *closure, const unsigned char *data, unsigned int length)
{
    tote_lb_membuf *b = closure;
    if (b->len + length > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + length)
            cap *= 2;
        unsigned char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, length);
    b->len += length;
    return CAIRO_STATUS_SUCCESS;
}
