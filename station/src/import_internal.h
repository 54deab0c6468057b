/* Private to station/src/: shared machinery of the importers (import_*.c),
 * also used by the order upsert and the SQL profile (store_profile.c). */
#ifndef TOTE_IMPORT_INTERNAL_H
#define TOTE_IMPORT_INTERNAL_H

#include <stddef.h>

#include "tote/import.h"
#include "tote/orders.h"

/* ---- arena: many small strings freed at once ---- */
typedef struct imp_arena {
    struct imp_block *head;
} imp_arena;

/* Copy of s[0..n) with a NUL; NULL when out of memory. */
char *imp_arena_strndup(imp_arena *a, const char *s, size_t n);
char *imp_arena_strdup(imp_arena *a, const char *s);
void *imp_arena_alloc(imp_arena *a, size_t n);
void imp_arena_free(imp_arena *a);

/* ---- string map with integer values (keys copied) ---- */
typedef struct imp_map {
    char **keys; /* NULL: empty; IMP_MAP_GONE: deleted */
    long long *vals;
    size_t cap, used, live;
    imp_arena keys_arena;
} imp_map;

/* Pointer to the value of key, or NULL. */
long long *imp_map_get(const imp_map *m, const char *key);
/* Sets key to val; 0, or -1 when out of memory. */
int imp_map_put(imp_map *m, const char *key, long long val);
/* Removes key if present. */
void imp_map_del(imp_map *m, const char *key);
/* Slot i (0 <= i < m->cap) of the table: 1 with *key and *val set if it holds a key. */
int imp_map_slot(const imp_map *m, size_t i, const char **key, long long *val);
void imp_map_free(imp_map *m);

/* ---- orders (defined in store_order_upsert.c) ---- */
/* tote_order_upsert(), and the order's status after it in *status (may be
 * NULL): the importer need not read the order again. */
tote_st_err store_order_upsert_status(tote_store *s, const tote_order_in *o, const char *actor,
                                      tote_upsert_result *res, tote_order_status *status, char **err_msg);

/* ---- CSV ---- */
/* From the next record on, keeps only the text of column col (0-based; the
 * other fields read as ""): for a pass that needs one column. Records end
 * exactly where they would otherwise; row errors are only noticed in the
 * kept column (and for records too long). col < 0 keeps every column. */
void tote_csv_keep_only(tote_csv *r, int col);
/* on = 0: every record is read by libcsv, none by the reader's own path
 * for plainly simple records (on by default; for tests comparing the two). */
void tote_csv_set_fast(tote_csv *r, int on);

/* ---- strings ---- */
/* Trimmed view: *out points into s (spaces and tabs removed at both ends), returns its length. */
size_t imp_trim(const char *s, const char **out);
/* 1 if s[0..n) is valid UTF-8 (import_csv.c). */
#define imp_utf8_valid tote_utf8_valid /* tote/utf8.h */
/* 1 if the trimmed s is empty. */
int imp_blank(const char *s);
/* ASCII case-insensitive substring search. */
int imp_contains_ci(const char *hay, const char *needle);
/* 1 if the comma-separated list (Shopify Tags) holds tag, ASCII case-insensitive. */
int imp_has_tag(const char *tags, const char *tag);
/* 1 if a payment method names cash on delivery ("Cash on Delivery (COD)", "COD"). */
int imp_cod_method(const char *method);
/* 1 if the order is collected, not shipped: Tags hold pickup / local pickup /
 * in-store pickup, or the shipping method says pickup, pick up, click &
 * collect, unless it names a carrier's pickup point, parcel shop, locker or
 * station, or a carrier (DPD Pickup, UPS Access Point): those ship. */
int imp_pickup(const char *tags, const char *shipping_method);

/* ---- one import run ---- */
typedef struct imp_run {
    tote_store *s;
    const tote_import_opts *o;
    tote_import_summary *sum;
    tote_import_kind kind;
    const char *path;
    const char *actor;
    int in_tx;
    long long tx_ms;         /* when the open transaction began */
    long long progress_ms;   /* last progress report */
    char *err;               /* the sentence of a failure (malloc'd) */
    char shop_location[128]; /* stock: the first Shopify location seen */
    int shop_locations_warned;
    struct imp_hash *hash; /* the file's SHA-256, computed beside the import (import_main.c) */
    int already;           /* the hash turned out to be in import_log: stop, change nothing */
} imp_run;

long long imp_now_ms(void);

/* Reports a problem (and counts rejected/warnings). fmt makes the reason. */
void imp_problem(imp_run *r, tote_import_severity sev, long long line, long long index, const char *subject,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Records the failure sentence (first one wins) and returns e. */
tote_st_err imp_fail(imp_run *r, tote_st_err e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Opens the run's transaction if none is open. */
tote_st_err imp_tx_begin(imp_run *r);
/* Between records: outside strict mode, commits and reopens the transaction
 * when it has been open for a quarter second (other writers get their turn);
 * reports progress. */
tote_st_err imp_tick(imp_run *r, long long done, long long total);

/*
 * Puts order name on hold (reason: the audit event's) and, once it is,
 * warns with the sentence fmt makes; else records the failure (imp_fail)
 * and returns it. line/index as imp_problem.
 */
tote_st_err imp_hold_order(imp_run *r, const char *name, const char *reason, long long line, long long index,
                           const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * An order the file says was fulfilled upstream (shipped from elsewhere).
 * Not here: skipped (note when noisy). Here and not yet worked on
 * (received, released, allocated): put on hold, with a warning, so that it
 * is not shipped twice; already on hold: left so, with a warning. Being
 * picked or packed: a warning only (the work has started; someone must
 * look). Shipped or cancelled: nothing to do. line/index as imp_problem;
 * label names the order in the messages ("order #1001", "orders[2] (#1001)").
 */
/* *held = 1 if order name was ever put on hold for reason (its
 * order.on_hold event says so): someone who released it since knows. */
tote_st_err imp_held_before(imp_run *r, const char *name, const char *reason, int *held);
tote_st_err imp_fulfilled_upstream(imp_run *r, const char *name, const char *label, long long line,
                                   long long index, int noisy);

/* Compares two UTF-8 texts ignoring case, for ASCII and the letters of Latin-1,
 * Latin Extended-A, Greek and Cyrillic ("LAGER MÜNCHEN" = "Lager München").
 * 0 when equal; else nonzero (not an order). */
int imp_utf8_casecmp(const char *a, const char *b);

/*
 * An order the file changes but that is already being worked on here (the
 * upsert said LOCKED; status names its state): a note, or a warning when the
 * file cancels it or says it was refunded or voided (it must not ship: the
 * warning says so and how to stop it). label as imp_fulfilled_upstream.
 */
void imp_locked_order(imp_run *r, const tote_order_in *in, const char *label, const char *status,
                      long long line, long long index);

/*
 * After an order was created or updated from an export that has address
 * columns, and is released (*st): if it ships
 * (not a pickup, a line that needs shipping) but has no address to ship to
 * (no street, city or postal code: a point-of-sale order, a broken export),
 * it is put on hold with a warning instead of being picked and labelled
 * with an empty address; *st becomes on_hold. label as above.
 */
tote_st_err imp_hold_without_address(imp_run *r, const tote_order_in *in, const char *label, long long line,
                                     long long index, tote_order_status *st);

/* Opens path as CSV, reporting failure through imp_fail (NULL then). */
tote_csv *imp_csv_open(imp_run *r);
/* Notes a Windows-1252 file in the summary, then destroys *c (NULL-safe). */
void imp_csv_close(imp_run *r, tote_csv **c);
/* Reads records until the first one that is not broken and takes it as the
 * header. Broken records before it are rejected. 1 ok, 0 empty file, -1 failure. */
int imp_csv_header(imp_run *r, tote_csv *c, tote_csv_row *row);
/* A broken CSV record or one with the wrong field count: reported; returns 1
 * if the row is unusable. want_fields 0 = any count. */
int imp_csv_row_bad(imp_run *r, const tote_csv_row *row, size_t want_fields, const char *what);

/* The kinds. Each reads the whole file, writing through the store inside the
 * run's transaction(s), and fills r->sum. */
tote_st_err imp_shopify_products(imp_run *r);
tote_st_err imp_shopify_orders(imp_run *r);
tote_st_err imp_stock(imp_run *r);
tote_st_err imp_locations(imp_run *r);
tote_st_err imp_orders_json(imp_run *r);

#endif
