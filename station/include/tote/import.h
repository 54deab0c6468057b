/*
 * Import: what a warehouse loads in the morning (station/IMPORT.md documents
 * every format). Five kinds of file:
 *
 *   shopify-products  Shopify's product CSV export: one product per variant row
 *   shopify-orders    Shopify's order CSV export: one row per line item
 *   stock             CSV sku,bin,qty[,lot,expiry]: receipts into the ledger
 *   locations         CSV code,zone[,walk_seq]: bins
 *   orders-json       Tote's JSON schema for orders from other channels
 *
 * Honest results: every record (product variant, order, stock row, bin) is
 * created, updated, unchanged, locked or rejected, and a rejected one is
 * reported with its physical line number (JSON: its index and name) and a
 * one-sentence reason while the rest imports; with `strict` nothing is
 * written if anything is rejected. A file already imported (same kind and
 * SHA-256 in import_log) is not read again unless `force`.
 *
 * Also here, because they are tested and fuzzed on their own: the streaming
 * CSV reader the importers use (libcsv underneath), the JSON orders parser,
 * and SHA-256.
 */
#ifndef TOTE_IMPORT_H
#define TOTE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tote/store.h"
#include "tote/utf8.h"

struct tote_order_in; /* tote/orders.h */

/* ------------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4)                                                      */

typedef struct tote_sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes hashed so far */
    uint8_t buf[64];
    size_t fill;
} tote_sha256;

void tote_sha256_init(tote_sha256 *c);
void tote_sha256_update(tote_sha256 *c, const void *data, size_t n);
/* Writes the 32-byte digest; the context must be initialised again to reuse. */
void tote_sha256_final(tote_sha256 *c, uint8_t out[32]);
/* Lower-case hex of a digest, NUL-terminated. */
void tote_sha256_hex(const uint8_t digest[32], char out[65]);

/* ------------------------------------------------------------------------ */
/* Streaming CSV reader                                                      */

/*
 * Reads RFC 4180 CSV (libcsv in strict mode does the quoting) from a file or
 * a memory buffer, one record at a time, with the physical line number where
 * each record starts (lines are counted by LF; a quoted field may span
 * lines). A first line with more unquoted ';' than ',' makes ';' the field
 * separator (Excel's "CSV" in comma-decimal locales). A UTF-8 byte order
 * mark at the start is skipped; CRLF, LF and CR
 * line ends are accepted; spaces and tabs around an unquoted field are
 * trimmed (inside quotes they are kept). Blank lines and records whose
 * fields are all empty are skipped.
 *
 * A broken record is still returned, with row->error set to a sentence and
 * its fields unusable: a quote inside an unquoted field or text after a
 * closing quote (the reader resumes at the next line), a field that is not
 * valid UTF-8 or holds a NUL byte. A quoted field that is never closed makes
 * the rest of the file that record: it is returned broken and the file ends.
 * Fatal errors (unreadable file, UTF-16 text, out of memory) end the reading:
 * tote_csv_next() returns -1 and tote_csv_error() says why.
 */
typedef struct tote_csv tote_csv;

typedef struct tote_csv_row {
    long long line;           /* physical line (1-based) where the record starts */
    size_t n;                 /* number of fields */
    const char *const *field; /* field[i]: NUL-terminated, valid until the next tote_csv_next() */
    const size_t *len;        /* len[i]: bytes of field[i] */
    const char *error;        /* NULL, or why the record is broken (static or reader-owned text) */
} tote_csv_row;

/* Opens path for reading. NULL on failure with a malloc'd sentence in
 * *err_msg (if not NULL; caller frees). */
tote_csv *tote_csv_open(const char *path, char **err_msg);
/* Reads from data[0..len) (not copied: it must outlive the reader). NULL only
 * when out of memory. */
tote_csv *tote_csv_new_mem(const void *data, size_t len);
/* Closes the file and frees. NULL-safe; sets *r = NULL. */
void tote_csv_destroy(tote_csv **r);

/* Next record into *row: 1 = a record (check row->error), 0 = end of input,
 * -1 = fatal error (tote_csv_error()). */
int tote_csv_next(tote_csv *r, tote_csv_row *row);
/* The fatal error, or NULL. Owned by the reader. */
const char *tote_csv_error(const tote_csv *r);
/* Bytes consumed so far and the input's size (0 if unknown), for progress. */
void tote_csv_progress(const tote_csv *r, long long *done, long long *total);

/*
 * Text encoding. A file that starts with a UTF-8 BOM is UTF-8 (the BOM is
 * skipped). Any other file is UTF-8 unless its first field
 * with a byte >= 0x80 is not valid UTF-8: then everything before it was
 * ASCII, which reads the same either way, and the whole file is read as
 * Windows-1252 (what Excel saves as "CSV" on a Western-European or US
 * Windows), each field converted to UTF-8. In a UTF-8 file a field that is
 * not valid UTF-8 makes its record broken; in a Windows-1252 file so does
 * one of the five bytes the code page leaves undefined. Every field decides,
 * kept or not (tote_csv_keep_only), so both kinds of read agree.
 */
typedef enum tote_csv_encoding {
    TOTE_CSV_ASCII,        /* no byte >= 0x80 read so far */
    TOTE_CSV_UTF8,         /* a valid UTF-8 sequence came first */
    TOTE_CSV_WINDOWS_1252, /* the first non-ASCII field was not UTF-8 */
} tote_csv_encoding;
/* The encoding decided so far (final once the file has been read). */
tote_csv_encoding tote_csv_text_encoding(const tote_csv *r);

/* tote_utf8_valid, which the parser uses to tell UTF-8 from Windows-1252:
 * tote/utf8.h (firmware-protocol). */

/* Takes row as the header (names are copied, trimmed). -1 when out of memory. */
int tote_csv_set_header(tote_csv *r, const tote_csv_row *row);
/* Column of a header name (ASCII case-insensitive, surrounding spaces
 * ignored), or -1 if the header has no such column or no header was set. */
int tote_csv_col(const tote_csv *r, const char *name);
/* Number of header columns (0 without a header). */
size_t tote_csv_header_count(const tote_csv *r);

/* Field col of row, or "" when col < 0 or the row has fewer fields. */
const char *tote_csv_field(const tote_csv_row *row, int col);

/* ------------------------------------------------------------------------ */
/* JSON orders (the orders-json schema, IMPORT.md)                           */

/*
 * Called once per element of "orders", in order. index is 0-based; name is
 * the order's "name" when it has a string one, else NULL. Exactly one of o
 * and error is non-NULL: o is the valid order (all strings and lines owned by
 * the parser, valid during the call), error a sentence naming the field that
 * breaks the schema. Return 0 to go on, non-zero to stop.
 */
typedef int (*tote_orders_json_fn)(void *ud, size_t index, const char *name, const struct tote_order_in *o,
                                   const char *error);

/*
 * Parses text[0..len) (UTF-8, an optional BOM) as an orders-json document and
 * calls fn per order. An order with "line_items" and no "lines" is read as
 * Shopify's Admin API order JSON (IMPORT.md has the mapping), and a document
 * {"order": {...}} (a Shopify webhook) as one order. Returns OK when the
 * document is a JSON object with an "orders" array or an "order" object
 * (even if some orders broke the schema: fn saw them), or
 * INVALID with a malloc'd sentence in *err_msg (if not NULL) when it is not
 * JSON (with line and column) or has no "orders" array; NOMEM.
 * Does not touch a store.
 */
tote_st_err tote_orders_json_parse(const char *text, size_t len, tote_orders_json_fn fn, void *ud,
                                   char **err_msg);

/* ------------------------------------------------------------------------ */
/* Importing a file into the store                                           */

typedef enum tote_import_kind {
    TOTE_IMPORT_SHOPIFY_PRODUCTS = 1,
    TOTE_IMPORT_SHOPIFY_ORDERS,
    TOTE_IMPORT_STOCK,
    TOTE_IMPORT_LOCATIONS,
    TOTE_IMPORT_ORDERS_JSON
} tote_import_kind;

/* "shopify-products", ... (static), or "?" */
const char *tote_import_kind_name(tote_import_kind k);
/* 0 and *out set if text names a kind, else -1. */
int tote_import_kind_parse(const char *text, tote_import_kind *out);

typedef enum tote_import_severity {
    TOTE_IMPORT_REJECTED = 1, /* the record was not imported */
    TOTE_IMPORT_WARNING,      /* imported, but not all of it (e.g. a barcode left off) */
    TOTE_IMPORT_NOTICE        /* nothing wrong with the input (e.g. an order locked by picking) */
} tote_import_severity;

/* "rejected", "warning", "notice" (static). */
const char *tote_import_severity_name(tote_import_severity sev);

typedef struct tote_import_problem {
    tote_import_severity severity;
    long long line;      /* physical line of the record in a CSV file; 0 for JSON */
    long long index;     /* JSON: index in "orders"; -1 for CSV */
    const char *subject; /* order name, SKU, bin code...; may be "" */
    const char *reason;  /* one sentence */
} tote_import_problem;

typedef struct tote_import_opts {
    const char *actor;    /* audit actor (NULL: "import") */
    int strict;           /* anything rejected -> nothing written (one transaction, rolled back) */
    int force;            /* import even if this file was imported before */
    const char *location; /* stock from Shopify's inventory export: only the rows of this store
                             location (ASCII case-insensitive); NULL: every location */
    /* Each problem as it is found (may be NULL); strings valid during the call. */
    void (*on_problem)(void *ud, const tote_import_problem *p);
    /* Progress of the pass that writes (may be NULL): bytes of the file done and in all
     * (JSON: orders done, total -1), records so far. Called at most about ten times a
     * second, and once with done = -1 when the import has finished. */
    void (*on_progress)(void *ud, long long done, long long total, long long records);
    void *ud;
} tote_import_opts;

typedef struct tote_import_summary {
    tote_import_kind kind;
    char sha256[65];      /* of the file's bytes */
    int already_imported; /* 1: the same file was imported before and nothing was read (no force) */
    char previous_at[32]; /* when, if already_imported */
    int rolled_back;      /* 1: strict mode found problems and wrote nothing */
    long long rows;       /* CSV data rows read (records for JSON) */
    long long records;    /* records seen: products (variants), orders, stock rows, bins */
    long long lines;      /* order lines in the accepted orders */
    long long created, updated, unchanged, locked;
    long long held;      /* accepted orders now on hold (payment, unknown SKU or by hand) */
    long long cancelled; /* accepted orders now cancelled */
    long long skipped;   /* records deliberately not imported (orders fulfilled upstream, image rows) */
    long long unshipped; /* products: variants not shipped (gift cards, digital goods) with no SKU,
                            not imported: nothing to stock or pick */
    long long elsewhere; /* stock: Shopify inventory rows of other locations than opts.location */
    long long rejected;  /* records not imported because of a problem */
    long long warnings;  /* records imported with a warning */
    long long barcodes;  /* barcodes set (products) */
    long long units;     /* units received (stock) */
    int windows_1252;    /* 1: the CSV file was not UTF-8 and was read as Windows-1252 */
} tote_import_summary;

/*
 * Imports path as kind into s. First the file's SHA-256 is compared with
 * import_log: a file of the same kind already imported is not read again
 * (summary->already_imported = 1, OK) unless opts->force. Otherwise every
 * record is written through the store's upserts (catalog.h, stock.h,
 * orders.h), in transactions of about a quarter second each (strict: one),
 * and the import is logged with its summary. opts may be NULL (all
 * defaults).
 *
 * Returns OK when the file was read to the end (rejected records are counted
 * in summary->rejected and were reported through opts->on_problem); INVALID
 * when the file as a whole is unusable (missing required columns, not JSON,
 * broken CSV structure at the top) or strict mode rolled back, with a
 * malloc'd sentence in *err_msg (if not NULL; caller frees); IO when it
 * cannot be read; BUSY, DB, FULL, NOMEM from the store (nothing of the
 * current transaction is kept).
 */
tote_st_err tote_import_file(tote_store *s, tote_import_kind kind, const char *path,
                             const tote_import_opts *opts, tote_import_summary *summary, char **err_msg);

/* The summary as a JSON object (what `tote import --json` prints and
 * import_log.summary keeps); caller owns it. NULL when out of memory. */
cJSON *tote_import_summary_json(const tote_import_summary *summary);

/* ------------------------------------------------------------------------ */
/* Field parsers shared by the importers                                     */
/* Each returns 0 when text (spaces around it ignored) is valid, 1 when it is
 * empty, -1 when it is not valid; the output is written only on 0. */

/* Money in major units with at most two decimals ("12.50", "12.5", "-3",
 * "0.990" with a zero third decimal) -> cents; a decimal comma with one or
 * two digits after it ("9,50", as a spreadsheet saves it in a comma-decimal
 * locale). No thousands separators or currency signs (Shopify writes
 * neither): "1,234" is refused. */
int tote_import_parse_money(const char *text, long long *cents);
/* A decimal number not below 0 ("453.59237", "12,999": one '.' or ',') as a
 * whole count of 10^-places units, rounded half up (places 0: grams from
 * "453.59237" -> 454; places 2: cents from "12.999" -> 1300). 0 with *out;
 * 1 when empty; -1 when not such a number (or too large). */
int tote_import_parse_decimal(const char *text, int places, long long *out);
/* A whole number ("3", "+3", "-2"; "3.0" too, as spreadsheets write it). */
int tote_import_parse_int(const char *text, long long *out);
/* A quantity of units: a whole number from 1 to TOTE_QTY_MAX (store.h).
 * 0 with *out set; -1 when not a whole number of at least 1; -2 when it is
 * one, but larger than TOTE_QTY_MAX (however many digits). */
int tote_import_parse_qty(const char *text, long long *out);
/* true/false, yes/no, 1/0, y/n (any case) -> 1/0. */
int tote_import_parse_bool(const char *text, int *out);
/*
 * A time as Shopify and ISO 8601 write it: "2024-03-01 10:22:11 +0100",
 * "2024-03-01T10:22:11+01:00", "2024-03-01T10:22:11.5Z", "2024-03-01 10:22"
 * (no zone: UTC), "2024-03-01" (midnight UTC) -> the store's UTC form
 * "2024-03-01T09:22:11.000Z". Fields are range-checked (Feb 30 is invalid).
 */
int tote_import_parse_time(const char *text, char out[32]);
/* A calendar date "YYYY-MM-DD" (a real date) -> copied to out. */
int tote_import_parse_date(const char *text, char out[11]);
/*
 * A product barcode as found in a file -> the code the catalog keys it by:
 * all digits of length 8, 12, 13 or 14 with a valid GS1 check digit -> its
 * GTIN-14; text with a letter or a sign other than a digit (an internal code
 * such as "ACME-00042", at most 64 printable bytes) -> itself. A leading
 * apostrophe (spreadsheet text marker) is dropped. Invalid (-1, with a
 * sentence in why): digits of another length (an 11-digit UPC lost its
 * leading zero to a spreadsheet), a wrong check digit (saying which is
 * right), scientific notation ("4.00638E+12"), or unprintable text.
 * Eight digits are an EAN-8, or a UPC-E when only that check digit holds
 * (its GTIN is that of the UPC-A it stands for).
 */
int tote_import_parse_barcode(const char *text, char out[65], char *why, size_t why_cap);
/* For eight digits that are valid both as an EAN-8 and as a UPC-E (number
 * system 0 or 1): the UPC-E's GTIN-14 in out, and 1 (the product gets both,
 * since a scanner may send either). Else 0. */
int tote_import_barcode_upce_alt(const char *text, char out[15]);

/* ------------------------------------------------------------------------ */
/* import_log (station/src/store_import.c)                                   */

/* Finds the latest import of (kind, sha256): *found = 1 and its time in at
 * (may be NULL), else *found = 0. */
tote_st_err tote_import_log_find(tote_store *s, const char *kind, const char *sha256, int *found,
                                 char at[32]);
/* Appends an import_log row (summary_json may be NULL). Part of the caller's
 * transaction if one is open. */
tote_st_err tote_import_log_add(tote_store *s, const char *kind, const char *path, const char *sha256,
                                const char *summary_json);

/* Connection settings for the length of an import (on = 1) and back (on = 0):
 * savepoint journals and temporary b-trees in memory rather than in temporary
 * files. Must be called outside a transaction. */
tote_st_err tote_import_tune(tote_store *s, int on);

#endif
