/*
 * The label model and its layout.
 *
 * A tote_label describes one 4x6 in shipping label. tote_label_layout() turns
 * it into positioned items (text blocks, barcodes, rules) in printer dots for
 * 203 or 300 dpi. Both the ZPL writer (zpl.h) and the preview (preview.h)
 * draw from this one layout, so the picture shows what the printer prints.
 *
 * Text that does not fit its area is wrapped and, if need be, shrunk (down to
 * a legible minimum); it is never cut. If even the smallest font cannot hold
 * it, layout fails with TOTE_LB_E_FIT.
 */
#ifndef TOTE_LABEL_H
#define TOTE_LABEL_H

#include <stddef.h>

#include "tote/checkdigit.h"
#include "tote/labels.h"

#define TOTE_LABEL_MAX_REFS 4

/* An address. Every string is UTF-8, borrowed (the caller keeps it alive
 * while the label is used), and may be NULL or "" when absent. Control
 * characters (tab, CR, LF, ...) are shown as spaces. */
typedef struct tote_address {
    const char *name;
    const char *company;
    const char *line1;
    const char *line2;
    const char *city;
    const char *region; /* state / province */
    const char *postal_code;
    const char *country; /* shown as given: "DE", "Germany" */
    const char *phone;
} tote_address;

typedef enum tote_label_style {
    TOTE_LABEL_CARRIER = 0,     /* carrier 4x6: from, to, service, tracking, refs, Data Matrix, SSCC */
    TOTE_LABEL_GS1_LOGISTIC = 1 /* GS1 logistic label: free top, titled AIs, barcodes at the bottom */
} tote_label_style;

/* One shipping label. Strings are borrowed UTF-8; NULL or "" = absent. */
typedef struct tote_label {
    tote_label_style style;
    tote_address from;
    tote_address to;
    const char *order;   /* order name, e.g. "#1001" (required) */
    int package_no;      /* 1-based; 0 is taken as 1 */
    int package_count;   /* total packages of the order; 0 = unknown */
    long weight_g;       /* gross weight in grams; < 0 = unknown */
    const char *service; /* "Standard", "Express" ... */
    /* Tracking number as Code 128: ASCII letters, digits, space, '-', '.', '/'. */
    const char *tracking;
    /* SSCC: exactly 18 digits with a valid check digit, as GS1-128 with AI 00. */
    const char *sscc;
    const char *refs[TOTE_LABEL_MAX_REFS]; /* free references (customer PO, note) */
    /* Data Matrix content for the bench scanner; NULL = "ORD-<order>/<package_no>".
     * Printable ASCII without '~' (the ^BX escape character). */
    const char *datamatrix;
} tote_label;

/* --- layout --- */

typedef enum tote_lb_item_kind {
    TOTE_LB_ITEM_TEXT = 0,
    TOTE_LB_ITEM_CODE128 = 1,    /* plain Code 128 (tracking) */
    TOTE_LB_ITEM_GS1_128 = 2,    /* GS1-128 (SSCC, logistic AIs) */
    TOTE_LB_ITEM_DATAMATRIX = 3, /* ECC 200 */
    TOTE_LB_ITEM_RULE = 4        /* filled box / line */
} tote_lb_item_kind;

typedef struct tote_lb_item {
    tote_lb_item_kind kind;
    const char *field; /* static name: "to.name", "tracking", "sscc", ... */
    int x, y, w, h;    /* bounding box in dots, origin top left */
    /* text: lines separated by '\n' (the computed wrap); font height in dots;
     * line_h = font_h + line spacing; lines = number of lines; align 0 left, 1 centre */
    char *text;
    int font_h, line_h, lines, align;
    /* barcodes: data as the symbol encodes it (Code 128: the text; GS1-128: the
     * element string in brackets "[00]106..."; Data Matrix: the text), the field
     * data for ZPL (with Code 128 invocation codes), module width in dots and
     * the symbol width in modules (Data Matrix: modules per side). */
    char *data;
    char *zpl_data;
    int module, modules;
} tote_lb_item;

typedef struct tote_lb_layout {
    int dpi;
    int width, height; /* label size in dots: 812x1218 (203) or 1218x1827 (300) */
    size_t n;
    tote_lb_item *items;
} tote_lb_layout;

/*
 * Lays out label at dpi (203 or 300). On success *out owns a layout; free it
 * with tote_label_layout_destroy(). Errors: INVALID (missing order, bad UTF-8,
 * bad tracking characters, bad SSCC or check digit, bad Data Matrix text, dpi
 * not 203/300), FIT (text or barcode too big even at the smallest size),
 * BARCODE (zint refused a symbol), NOMEM. If err_field is not NULL it receives
 * the static name of the offending field ("to.name", "sscc", ...) or NULL.
 */
tote_lb_err tote_label_layout(const tote_label *label, int dpi, tote_lb_layout **out, const char **err_field);

/* NULL-safe; sets *layout = NULL. */
void tote_label_layout_destroy(tote_lb_layout **layout);

/* The first item for field, or NULL. */
const tote_lb_item *tote_lb_layout_find(const tote_lb_layout *layout, const char *field);

/* 1 if sscc is 18 digits whose last is the right check digit, else 0. */
int tote_sscc_valid(const char *sscc);

/*
 * Estimated printed width in dots of UTF-8 text in the ZPL scalable font
 * (^A0) at font height font_h. Deliberately generous, so printed text is never
 * wider than the layout planned; the preview squeezes its font to the same
 * width. Exposed for tests.
 */
int tote_lb_text_width(const char *utf8, int font_h);

#endif
