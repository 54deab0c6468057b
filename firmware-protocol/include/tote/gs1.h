/*
 * GS1 element strings: parsing (transmitted and bracket form), validation of
 * every application identifier (AI) against its format, and encoding back to
 * bracket form, transmitted form and ZPL Code 128 field data.
 * Pure functions: no I/O, no allocation.
 *
 * Transmitted form: what a scanner sends after a GS1 AIM identifier (]C1,
 * ]d2, ]Q3, ]e0): AIs and values concatenated; FNC1 in first position is not
 * transmitted; FNC1 as a separator arrives as GS (0x1D) and follows each AI
 * whose value has no predefined length, unless it is the last.
 * Bracket form: "(01)09506000134352(17)251231(10)ABC". A '(' inside a value
 * is written "\(".
 *
 * AIs with a predefined length (GS1 General Specifications, no separator
 * needed): those starting 00-04, 11-20, 31-36, 41. All others end at a GS
 * or the end of the data, even when their format is fixed (422, 7003...).
 *
 * Known AIs (the common logistics set): 00 01 02 03 10 11 12 13 15 16 17 20
 * 21 22 235 240 241 242 243 250 251 253 254 255 30 310n-369n 37 390n-395n
 * 400-403 410-417 420-427 710-715 7001-7011 7020-7023 723n 7240 8001-8013
 * 8017-8020 8026 8200 90 91-99. An AI outside this table is an error
 * (AI_UNKNOWN): its value's length cannot be known.
 */
#ifndef TOTE_GS1_H
#define TOTE_GS1_H

#include <stddef.h>
#include <stdint.h>

#include "tote/proto.h"

#define TOTE_GS1_MAX_AIS 24   /* AIs in one element string */
#define TOTE_GS1_MAX_VALUE 90 /* longest value of any AI (91-99: X..90) */

typedef struct tote_gs1_ai {
    char ai[5];     /* "01", "310", "3103", NUL-terminated */
    char value[91]; /* the value as scanned (escapes removed), NUL-terminated */
} tote_gs1_ai;

typedef struct tote_gs1 {
    size_t count;                      /* AIs in ais[] */
    tote_gs1_ai ais[TOTE_GS1_MAX_AIS]; /* in scan order */
} tote_gs1;

/*
 * Parses data[0..len) as a GS1 element string, in transmitted form (a leading
 * GS, i.e. FNC1 in first position sent by some scanners, and one trailing GS
 * are tolerated) or, when it starts with '(', in bracket form. Validates each
 * AI: known, value length, numeric (N) or GS1 AI encodable character set 82
 * (X) or set 39 (Y), check digits (00, 01, 02, 03, 253, 255, 402, 410-417,
 * 8003, 8006, 8017, 8018, 8026), dates (YYMMDD; DD = 00 allowed for 11, 12,
 * 13, 15, 16, 17), times, the decimal-point digit of 31nn-39nn. An AI that
 * appears twice with different values is an error.
 *
 * Returns OK with *out filled (always written; count 0 on error), or:
 *   EMPTY        no data
 *   AI_UNKNOWN   an AI not in the table
 *   AI_FORMAT    value too short, wrong characters, bad decimal digit,
 *                empty value, malformed brackets, separator in a wrong place
 *   CHECK_DIGIT  a check digit is wrong
 *   DATE         a date or time is impossible
 *   SEPARATOR    transmitted form: a value without predefined length is
 *                longer than its AI allows (most likely a missing GS)
 *   TOO_LONG     bracket form: a value longer than its AI allows; or more
 *                than TOTE_GS1_MAX_AIS AIs
 *   INVALID      the same AI twice with different values
 * On error, if err is not NULL and errcap > 0, writes one NUL-terminated line
 * naming the AI and the problem, e.g. "AI (01): bad check digit 3, expected 2".
 */
tote_proto_err tote_gs1_parse(const uint8_t *data, size_t len, tote_gs1 *out, char *err, size_t errcap);

/* Writes g in bracket form ("(01)...(10)...", '(' in values as "\(") with a
 * NUL to out. Returns OK, or NOSPACE (out holds "" if cap > 0). */
tote_proto_err tote_gs1_to_brackets(const tote_gs1 *g, char *out, size_t cap);

/* Writes g in transmitted form (GS 0x1D after each value without predefined
 * length except the last; no FNC1 in first position, no NUL) to out, and its
 * length to *len. Returns OK or NOSPACE. */
tote_proto_err tote_gs1_to_transmitted(const tote_gs1 *g, uint8_t *out, size_t cap, size_t *len);

/*
 * Writes the ZPL ^BC (Code 128, no automatic mode) field data for g as a
 * GS1-128 symbol, with a NUL: ">;" start code C, ">8" FNC1, the AIs and
 * values, ">8" as separator after each value without predefined length except
 * the last; code set switches ">6" (to B) and ">5" (to C) where a value needs
 * them; a literal '>' is written "><". Example: (00)106141411234567897 ->
 * ">;>800106141411234567897". Use inside ^FD...^FS without ^FH (a '_' from a
 * value would be taken as an escape under ^FH). Returns OK or NOSPACE.
 */
tote_proto_err tote_gs1_to_zpl(const tote_gs1 *g, char *out, size_t cap);

/*
 * Converts a date AI value YYMMDD (6 digits; DD = 00 means "day unspecified"
 * and becomes the last day of that month) to "YYYY-MM-DD" + NUL in out, with
 * the century from the GS1 sliding rule against the current UTC year: a YY
 * 51-99 years ahead of this year's YY is last century, 50-99 behind is next
 * century, else this century. Returns OK, or DATE for a malformed or
 * impossible date (out untouched).
 */
tote_proto_err tote_gs1_date(const char *yymmdd, char out[11]);

/* As tote_gs1_date, with the sliding rule applied against current_year
 * (e.g. 2025) instead of the clock: for tests and reproducible output. */
tote_proto_err tote_gs1_date_at(const char *yymmdd, int current_year, char out[11]);

/* The GS1 data title of a known AI ("GTIN", "BATCH/LOT", "USE BY OR EXPIRY",
 * "NET WEIGHT (kg)"...), static; NULL if ai is not a known AI. */
const char *tote_gs1_ai_title(const char *ai);

/* 1 if ai is a known, complete AI ("01", "3103"), else 0. */
int tote_gs1_ai_known(const char *ai);

/* 1 if ai's value has a predefined length (no separator after it), else 0. */
int tote_gs1_ai_predefined(const char *ai);

/* The value of the first occurrence of ai in g (exact AI, e.g. "3102"), or
 * NULL. Points into g. */
const char *tote_gs1_get(const tote_gs1 *g, const char *ai);

#endif
