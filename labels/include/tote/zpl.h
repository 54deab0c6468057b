/*
 * ZPL II output for a laid-out label (label.h).
 *
 * The format starts with ^XA^CI28 (UTF-8), sets ^PW/^LL to the label size and
 * ends with ^XZ. Every field's data is written under ^FH with '^' as _5E, '~'
 * as _7E and '_' as _5F, so no text from an order can end the format or
 * inject a command. One field per line (ZPL ignores the line breaks between
 * commands).
 */
#ifndef TOTE_ZPL_H
#define TOTE_ZPL_H

#include <stddef.h>

#include "tote/label.h"

/*
 * Renders label at dpi (203 or 300) to ZPL. On success *out is a malloc'd
 * NUL-terminated string (caller frees) and *len (if not NULL) its length.
 * Errors as tote_label_layout(); err_field may be NULL.
 */
tote_lb_err tote_label_zpl(const tote_label *label, int dpi, char **out, size_t *len, const char **err_field);

/* Same, from a layout already computed. */
tote_lb_err tote_zpl_from_layout(const tote_lb_layout *layout, char **out, size_t *len);

/*
 * Appends text to a ^FH field-data escaping: '^' -> _5E, '~' -> _7E,
 * '_' -> _5F; with in_block (text inside ^FB) also '\' -> "\\". Writes at most
 * cap-1 bytes plus NUL into dst; returns the length the full escape needs
 * (like snprintf). Exposed for tests and the fuzzer.
 */
size_t tote_zpl_escape(const char *text, int in_block, char *dst, size_t cap);

#endif
