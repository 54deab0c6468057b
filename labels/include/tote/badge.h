/*
 * Operator badges: the label an operator scans on a handheld to log in.
 *
 * A badge is printed on the same 4x6 in stock as the shipping labels (so the
 * label printer needs no media change): the badge itself fills the top half,
 * 4x3 in (the size of a common badge-holder insert), above a dashed cut
 * line. It shows the operator's name (large, wrapped and shrunk to fit, never
 * cut), the role, the badge value as Code 128 and, under it, the same value
 * in plain text. The layout is a tote_lb_layout like a shipping label's, so
 * the ZPL (^CI28, every field under ^FH with ^ ~ _ escaped) and the PNG/PDF
 * preview (cairo, libzint) come from the same code and show the same thing.
 */
#ifndef TOTE_BADGE_H
#define TOTE_BADGE_H

#include <stddef.h>

#include "tote/label.h"
#include "tote/preview.h"

/* One badge. Strings are borrowed. */
typedef struct tote_badge {
    const char *name;  /* operator name, UTF-8, not empty; control characters are shown as spaces */
    const char *role;  /* "picker", "packer", ... (shown upper-case); may be NULL */
    const char *value; /* what the barcode encodes, e.g. "BADGE-7KQ2M9XW3A": printable ASCII, 1-80 chars */
} tote_badge;

/*
 * Lays out badge at dpi (203 or 300) on a 4x6 in label. *out as
 * tote_label_layout() (free with tote_label_layout_destroy()); fields "name",
 * "role", "badge" (the Code 128), "badge.text", "cut" (the dashed line).
 * Errors: INVALID (dpi, empty or bad UTF-8 name, bad value), FIT (a value too
 * long for the width), NOMEM; *err_field (may be NULL) names the field.
 */
tote_lb_err tote_badge_layout(const tote_badge *badge, int dpi, tote_lb_layout **out, const char **err_field);

/* ZPL II for the badge: *out malloc'd, NUL-terminated; *len (may be NULL). */
tote_lb_err tote_badge_zpl(const tote_badge *badge, int dpi, char **out, size_t *len, const char **err_field);

/* Writes a PNG (one pixel per dot) or PDF (4x6 in) preview to path; the
 * format follows the extension (.png/.pdf, else INVALID); IO if unwritable. */
tote_lb_err tote_badge_preview_file(const tote_badge *badge, int dpi, const char *path,
                                    const char **err_field);

#endif
