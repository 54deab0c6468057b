/*
 * Previews of a label: the same layout as the ZPL (label.h), drawn with cairo,
 * barcodes encoded by libzint and painted module by module. PNG previews have
 * one pixel per printer dot (812x1218 at 203 dpi); PDF previews are 4x6 in.
 */
#ifndef TOTE_PREVIEW_H
#define TOTE_PREVIEW_H

#include <stddef.h>

#include "tote/label.h"

typedef enum tote_preview_format { TOTE_PREVIEW_PNG = 0, TOTE_PREVIEW_PDF = 1 } tote_preview_format;

/*
 * Writes a preview of label at dpi to path; the format follows the extension
 * (".png" or ".pdf", any case; anything else is INVALID). Errors as
 * tote_label_layout(), plus IO when the file cannot be written.
 */
tote_lb_err tote_label_preview_file(const tote_label *label, int dpi, const char *path,
                                    const char **err_field);

/*
 * Renders a preview to memory: *out is malloc'd (caller frees), *len its size.
 */
tote_lb_err tote_label_preview_mem(const tote_label *label, int dpi, tote_preview_format fmt,
                                   unsigned char **out, size_t *len, const char **err_field);

/* Same from a computed layout. */
tote_lb_err tote_preview_from_layout(const tote_lb_layout *layout, tote_preview_format fmt,
                                     unsigned char **out, size_t *len);

/* Format for a file name by its extension: 0 ok (*fmt set), -1 unknown. */
int tote_preview_format_for_path(const char *path, tote_preview_format *fmt);

#endif
