/* Private: zint encoding and file writing shared by preview.c and slip.c. */
#ifndef TOTE_PREVIEW_INTERNAL_H
#define TOTE_PREVIEW_INTERNAL_H

#include <cairo.h>
#include <stddef.h>

#include "tote/labels.h"

struct zint_symbol;

/* Encodes data as kind (tote_lb_item_kind: CODE128, GS1_128 with "[AI]..."
 * input, DATAMATRIX) into a bitmap of one pixel per module ('1' = dark);
 * 0 ok (*out to ZBarcode_Delete), -1 if zint refuses it. */
int tote_lb_zint_encode(int kind, const char *data, struct zint_symbol **out);

/* A growing memory buffer for cairo's stream writers: tote_lb_mem_write
 * appends (closure is the buffer); oom is set when memory ran out. */
typedef struct tote_lb_membuf {
    unsigned char *p;
    size_t len, cap;
    int oom;
} tote_lb_membuf;
cairo_status_t tote_lb_mem_write(void *closure, const unsigned char *data, unsigned int length);

/* Writes data to path through a temporary file and rename. */
tote_lb_err tote_lb_write_file(const char *path, const void *data, size_t len);

#endif
