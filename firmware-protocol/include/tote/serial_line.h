/*
 * Plain text scanner lines (PROTOCOLS.md §1 "plain serial mode"; also the
 * stdin transport): each scan is ASCII text ended by CR, LF or CR LF,
 * optionally starting with an AIM symbology identifier ("]C1", "]E0", ...).
 *
 * Pure: no I/O, no allocation. The caller owns the parser (it may live on the
 * stack or inside another struct) and feeds it arbitrary chunks.
 */
#ifndef TOTE_SERIAL_LINE_H
#define TOTE_SERIAL_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "tote/proto.h"

/* Longest line (without terminator, with AIM prefix) a parser holds. */
#define TOTE_SLINE_MAX 4096

/* Returns 3 when data starts with an AIM identifier: ']' followed by a code
 * character (A-Z, a-z) and a modifier character (0-9, A-Z, a-z); else 0. */
size_t tote_sline_aim_len(const uint8_t *data, size_t len);

/* One complete line as returned by tote_sline_feed(). data points into the
 * parser and stays valid until the next call on that parser. */
typedef struct tote_sline {
    char aim[4];         /* "]C1" or "" (NUL-terminated) */
    const uint8_t *data; /* the text after the AIM prefix, no terminator */
    size_t len;
} tote_sline;

typedef struct tote_sline_parser {
    uint8_t buf[TOTE_SLINE_MAX];
    size_t len;
    int after_cr;  /* last byte seen was CR: a following LF ends nothing */
    int overflow;  /* current line exceeded TOTE_SLINE_MAX; skipping to its end */
    int delivered; /* buf holds a line already returned; clear before next byte */
} tote_sline_parser;

/* Resets p to "no bytes seen". */
void tote_sline_init(tote_sline_parser *p);

/*
 * Consumes bytes from data[0..len) until one line completes or the input is
 * used up, and returns how many bytes it consumed (call again with the rest).
 * *err is set to:
 *   TOTE_PROTO_E_OK         a line is in *line (empty lines are skipped and
 *                           never returned);
 *   TOTE_PROTO_E_INCOMPLETE all input consumed, no complete line yet;
 *   TOTE_PROTO_E_TOO_LONG   a line longer than TOTE_SLINE_MAX just ended; it
 *                           was discarded (reported once per such line).
 */
size_t tote_sline_feed(tote_sline_parser *p, const uint8_t *data, size_t len, tote_sline *line,
                       tote_proto_err *err);

/*
 * End of input: returns a pending unterminated line (err OK), or err
 * INCOMPLETE when there is none, or TOO_LONG when the pending line had
 * overflowed. The parser is reset afterwards.
 */
void tote_sline_finish(tote_sline_parser *p, tote_sline *line, tote_proto_err *err);

#endif
