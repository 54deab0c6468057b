/*
 * Packing slip: an A4 or Letter PDF for a normal office printer, listing the
 * order's lines (SKU, name, ordered, in this shipment), ship-to and ship-from,
 * with the order's own barcode (Code 128 "ORD-<order>") for the bench. Long
 * item names wrap; long orders continue on further pages ("Page n of m").
 */
#ifndef TOTE_SLIP_H
#define TOTE_SLIP_H

#include <stddef.h>

#include "tote/label.h"

typedef struct tote_slip_line {
    const char *sku;  /* borrowed UTF-8 */
    const char *name; /* borrowed UTF-8, may be NULL */
    int ordered;
    int shipped; /* in this shipment (packed); < 0 = not shown */
} tote_slip_line;

typedef enum tote_paper { TOTE_PAPER_A4 = 0, TOTE_PAPER_LETTER = 1 } tote_paper;

typedef struct tote_slip {
    tote_paper paper;
    const char *order; /* required */
    const char *date;  /* shown as given, may be NULL */
    tote_address from;
    tote_address to;
    const tote_slip_line *lines;
    size_t n_lines;
    const char *note; /* may be NULL */
} tote_slip;

/* Writes the slip as PDF to path. INVALID for a missing order or bad UTF-8,
 * IO if the file cannot be written. */
tote_lb_err tote_slip_pdf_file(const tote_slip *slip, const char *path);

/* Renders the slip PDF to memory: *out malloc'd (caller frees), *len its size.
 * *pages (if not NULL) receives the page count. */
tote_lb_err tote_slip_pdf_mem(const tote_slip *slip, unsigned char **out, size_t *len, int *pages);

#endif
