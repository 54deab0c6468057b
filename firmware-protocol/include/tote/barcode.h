/*
 * The barcode normaliser: what a scan means. Takes the AIM identifier the
 * transport reported (if any) and the scanned bytes, and says which kind of
 * thing was scanned, with its normalised values. Pure: no I/O, no allocation.
 *
 * Decision order (first match wins):
 *  0. A GS1 Digital Link URI (any symbology, typically a QR code):
 *     http:// or https:// (any case), a domain and optional path of its own,
 *     then a GS1 key AI and value as path elements (/01/GTIN, /00/SSCC,
 *     /414/GLN, ...), key qualifiers as further pairs (/10/LOT/21/SERIAL),
 *     data attributes as numeric query keys (?17=YYMMDD&3103=...); other
 *     query keys and the fragment are ignored, values percent-decoded, a
 *     GTIN of 8/12/13 digits padded to 14. Then as 1; errors start
 *     "Digital Link: ". A web address with no key AI in its path goes on
 *     (to 7: UNKNOWN). No element string starts with a letter, so this
 *     comes first whatever the symbology.
 *  1. A GS1 AIM id (]C1, ]d2, ]Q3, ]e0..]e3, ]z1), data starting with GS
 *     (FNC1 in first position) or with '(' + AI digits + ')' (bracket form):
 *     GS1 element string (tote_gs1_parse; its errors are returned).
 *     AI 00 -> SSCC; else 01 or 02 -> GTIN (gtin14 from 01, else 02; lot
 *     from 10, expiry from 17 only (15 best-before stays an AI), serial from
 *     21, count from 37, else 30, net weight from 310n (kg), else 320n
 *     (lb, converted to kg)); else UNKNOWN with code = bracket form.
 *  2. EAN/UPC ids (]E0..]E4): digits only, 13 (EAN-13/UPC-A), 12 (UPC-A),
 *     8 (EAN-8 under ]E4, UPC-E under ]E0), 15/18 under ]E1-]E3 (add-on
 *     ignored) -> GTIN; bad check digit -> CHECK_DIGIT; other data -> INVALID.
 *     ]E0 data of 13 digits starting with 0, or 12 digits, reports symbology
 *     upca; 8 digits under ]E0 is UPC-E, expanded to its UPC-A GTIN.
 *  3. Own barcodes (station/README.md), case-sensitive prefixes: "BIN-" bin,
 *     "TOTE-" tote, "ORD-" order (optional "/N" package number, N >= 1),
 *     "BADGE-" badge. code = the rest, which must be 1-95 printable ASCII
 *     characters (else INVALID).
 *  4. UPU S10 shape (AA 8 digits check AA, upper case) -> TRACKING, code =
 *     the 13 characters; wrong check digit -> CHECK_DIGIT.
 *  5. 8, 12, 13 or 14 digits -> GTIN. With no symbology, or ITF, a wrong
 *     check digit is CHECK_DIGIT; with another non-GS1 symbology (Code 128,
 *     QR...) it is UNKNOWN (a number that is simply not a GTIN).
 *  6. No symbology and data that starts with 00, 01 or 02 and parses as a
 *     transmitted GS1 element string (a keyboard-wedge scanner that drops
 *     the AIM id) -> as 1.
 *  7. Anything else -> UNKNOWN, code = the text (first 95 bytes; NUL bytes
 *     shown as '?'). Not an error.
 */
#ifndef TOTE_BARCODE_H
#define TOTE_BARCODE_H

#include <stddef.h>
#include <stdint.h>

#include "tote/aim.h"
#include "tote/gs1.h"
#include "tote/proto.h"

typedef enum tote_barcode_kind {
    TOTE_BC_UNKNOWN = 0,
    TOTE_BC_GTIN,
    TOTE_BC_SSCC,
    TOTE_BC_BIN,
    TOTE_BC_TOTE,
    TOTE_BC_ORDER,
    TOTE_BC_BADGE,
    TOTE_BC_TRACKING
} tote_barcode_kind;

typedef struct tote_barcode {
    tote_symbology symbology; /* from the AIM id; refined for EAN/UPC */
    int gs1;                  /* 1 if the data is a GS1 element string */
    tote_barcode_kind kind;
    char gtin14[15]; /* GTIN kinds: 14 digits, else "" */
    char sscc[19];   /* AI 00, else "" */
    char lot[21];    /* AI 10, else "" */
    char expiry[11]; /* AI 17 as YYYY-MM-DD (DD 00 -> last day), else "" */
    char serial[21]; /* AI 21, else "" */
    long long count; /* AI 37, else 30 */
    int has_count;
    double net_weight_kg; /* AI 310n, else 320n converted */
    int has_net_weight;
    char code[96];  /* bin/tote/order/badge/tracking value without prefix; for UNKNOWN the text */
    int package_no; /* ORD-#1001/2 -> 2, else 0 */
    tote_gs1 ais;   /* in scan order, when gs1 */
} tote_barcode;

/* One own-barcode prefix: text, as scanned, and the kind it marks. */
typedef struct tote_barcode_prefix {
    const char *prefix;
    tote_barcode_kind kind;
} tote_barcode_prefix;

/* The built-in table of own-barcode prefixes ("BIN-", "TOTE-", "ORD-",
 * "BADGE-"), static; *n receives its length. */
const tote_barcode_prefix *tote_barcode_prefixes(size_t *n);

/*
 * Parses one scan. symbology: the AIM id given by the transport ("]C1"), or
 * a symbology name ("ean13", as tote_symbology_name), or "" / NULL when none;
 * with none, data may itself start with an AIM id (plain serial), which is
 * then taken from the data. data[0..len) is the scanned bytes; one trailing
 * CR, LF or CR LF is ignored.
 *
 * Returns OK with *out filled (always zeroed first); or EMPTY (no data),
 * INVALID (unknown symbology argument, malformed EAN/UPC data, own barcode
 * without or with a bad code), CHECK_DIGIT (GTIN or S10), or any error of
 * tote_gs1_parse(). On error, err (if not NULL, errcap > 0) gets one line
 * naming the AI or the part and the problem, and *out holds only symbology.
 */
tote_proto_err tote_barcode_parse(const char *symbology, const uint8_t *data, size_t len, tote_barcode *out,
                                  char *err, size_t errcap);

/* The badge code that text names, as an operator gives it: its code, or its
 * barcode as the badge reads (BADGE-<code>), parsed as a scan of it would be.
 * Returns bc->code (bc filled) for a badge barcode, else text itself. */
const char *tote_barcode_badge_code(const char *text, tote_barcode *bc);

/* As tote_barcode_parse with an explicit prefix table (e.g. from settings);
 * prefixes are tried in order, so list longer ones first when one prefix
 * starts another. */
tote_proto_err tote_barcode_parse_with(const tote_barcode_prefix *prefixes, size_t nprefixes,
                                       const char *symbology, const uint8_t *data, size_t len,
                                       tote_barcode *out, char *err, size_t errcap);

/* "gtin", "sscc", "bin", "tote", "order", "badge", "tracking", "unknown"
 * (also for a value outside the enum); static. */
const char *tote_barcode_kind_name(tote_barcode_kind k);

#endif
