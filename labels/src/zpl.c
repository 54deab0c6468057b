/* ZPL II from a label layout (zpl.h). */
#include "tote/zpl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t tote_zpl_escape(const char *text, int in_block, char *dst, size_t cap)
{
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        const char *rep = NULL;
        char one[2] = {*p, 0};
        switch (*p) {
        case '^':
            rep = "_5E";
            break;
        case '~':
            rep = "_7E";
            break;
        case '_':
            rep = "_5F";
            break;
        case '\\':
            rep = in_block ? "\\\\" : "\\";
            break;
        default:
            rep = one;
        }
        for (const char *r = rep; *r; r++) {
            if (cap && n + 1 < cap)
                dst[n] = *r;
            n++;
        }
    }
    if (cap)
        dst[n < cap ? n : cap - 1] = '\0';
    return n;
}

typedef struct obuf {
    char *p;
    size_t len, cap;
    int oom;
} obuf;

static void ob_add(obuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
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

static void ob_printf(obuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ob_printf(obuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->oom = 1;
        return;
    }
    ob_add(b, tmp, (size_t)n);
}

/* Field data under ^FH; in a block, '\n' (our wrap) becomes the ^FB line break "\&". */
static void ob_escaped(obuf *b, const char *text, int in_block)
{
    const char *p = text;
    while (*p) {
        const char *nl = in_block ? strchr(p, '\n') : NULL;
        size_t seg = nl ? (size_t)(nl - p) : strlen(p);
        char *tmp = malloc(seg + 1);
        if (!tmp) {
            b->oom = 1;
            return;
        }
        memcpy(tmp, p, seg);
        tmp[seg] = '\0';
        size_t need = tote_zpl_escape(tmp, in_block, NULL, 0);
        char *esc = malloc(need + 1);
        if (!esc) {
            free(tmp);
            b->oom = 1;
            return;
        }
        tote_zpl_escape(tmp, in_block, esc, need + 1);
        ob_add(b, esc, need);
        free(esc);
        free(tmp);
        p += seg;
        if (nl) {
            ob_add(b, "\\&", 2);
            p++;
        }
    }
}

tote_lb_err tote_zpl_from_layout(const tote_lb_layout *L, char **out, size_t *len)
{
    obuf b = {0};
    ob_printf(&b, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", L->width, L->height);
    for (size_t i = 0; i < L->n; i++) {
        const tote_lb_item *it = &L->items[i];
        switch (it->kind) {
        case TOTE_LB_ITEM_TEXT:
            ob_printf(&b, "^FO%d,%d^A0N,%d,%d^FB%d,%d,%d,%c,0^FH^FD", it->x, it->y, it->font_h, it->font_h,
                      it->w, it->lines, it->line_h - it->font_h, it->align ? 'C' : 'L');
            ob_escaped(&b, it->text, 1);
            ob_add(&b, "^FS\n", 4);
            break;
        case TOTE_LB_ITEM_CODE128:
        case TOTE_LB_ITEM_GS1_128:
            ob_printf(&b, "^FO%d,%d^BY%d,3,%d^BCN,%d,N,N,N,N^FH^FD", it->x, it->y, it->module, it->h, it->h);
            ob_escaped(&b, it->zpl_data, 0);
            ob_add(&b, "^FS\n", 4);
            break;
        case TOTE_LB_ITEM_DATAMATRIX:
            ob_printf(&b, "^FO%d,%d^BXN,%d,200,%d,%d^FH^FD", it->x, it->y, it->module, it->modules,
                      it->modules);
            ob_escaped(&b, it->zpl_data, 0);
            ob_add(&b, "^FS\n", 4);
            break;
        case TOTE_LB_ITEM_RULE:
            ob_printf(&b, "^FO%d,%d^GB%d,%d,%d^FS\n", it->x, it->y, it->w, it->h,
                      it->w < it->h ? it->w : it->h);
            break;
        }
    }
    ob_add(&b, "^PQ1\n^XZ\n", 9);
    if (b.oom) {
        free(b.p);
        return TOTE_LB_E_NOMEM;
    }
    *out = b.p;
    if (len)
        *len = b.len;
    return TOTE_LB_E_OK;
}

tote_lb_err tote_label_zpl(const tote_label *label, int dpi, char **out, size_t *len, const char **err_field)
{
    *out = NULL;
    tote_lb_layout *L = NULL;
    tote_lb_err e = tote_label_layout(label, dpi, &L, err_field);
    if (e != TOTE_LB_E_OK)
        return e;
    e = tote_zpl_from_layout(L, out, len);
    tote_label_layout_destroy(&L);
    return e;
}
