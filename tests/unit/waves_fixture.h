/*
 * Test-only fixtures for the allocation, wave and reorder tests: a real
 * store in a temp dir, and products, bins, stock receipts and paid orders
 * made through the store's own API (catalog.h, stock.h, orders.h), plus SQL
 * reads for assertions. Header-only (static inline functions), included by
 * test_alloc.c, test_wave.c, test_reorder.c and test_cli_wave.c.
 */
#ifndef TOTE_WAVES_FIXTURE_H
#define TOTE_WAVES_FIXTURE_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "tote/catalog.h"
#include "tote/orders.h"
#include "tote/stock.h"
#include "tote/store.h"

#define FX_NOW "2024-03-01T09:00:00.000Z"

/* Opens (creating) dir/name as a fresh store; NULL on failure. */
static inline tote_store *fx_open(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    remove(p);
    tote_store *s = NULL;
    if (tote_store_open(p, TOTE_STORE_CREATE, &s, NULL) != TOTE_ST_E_OK)
        return NULL;
    return s;
}

static char *fx_dir_;

static inline void fx_cleanup_(void)
{
    if (fx_dir_) {
        tt_rmrf(fx_dir_);
        free(fx_dir_);
        fx_dir_ = NULL;
    }
}

/* fx_open() of name in one temp dir per test program (made on first use
 * from tag, removed at exit), with the fixture clock (TOTE_NOW = FX_NOW:
 * today is 2024-03-01) and synchronous=NORMAL: durability is not under test
 * here. */
static inline tote_store *fx_fresh(const char *tag, const char *name)
{
    if (!fx_dir_) {
        fx_dir_ = tt_tmpdir(tag);
        atexit(fx_cleanup_);
    }
    setenv("TOTE_NOW", FX_NOW, 1);
    setenv("TOTE_SYNC", "normal", 1);
    return fx_open(fx_dir_, name);
}

/* Runs sql with text/integer parameters: fmt has one letter per parameter,
 * 't' (const char *, NULL binds NULL) or 'i' (long long). Returns the last
 * insert rowid, or -1 on error (printed). */
static inline long long fx_sql(tote_store *s, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fixture: %s: %s\n", sql, sqlite3_errmsg(tote_store_db(s)));
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt && fmt[i]; i++) {
        if (fmt[i] == 't') {
            const char *v = va_arg(ap, const char *);
            if (v)
                sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
        }
    }
    va_end(ap);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "fixture: %s: %s\n", sql, sqlite3_errmsg(tote_store_db(s)));
        return -1;
    }
    return sqlite3_last_insert_rowid(tote_store_db(s));
}

/* First column of the first row as an integer (-1 if no row). */
static inline long long fx_int(tote_store *s, const char *sql, long long arg)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fixture: %s: %s\n", sql, sqlite3_errmsg(tote_store_db(s)));
        return -1;
    }
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, arg);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* First column of the first row as text into buf ("" if no row). */
static inline const char *fx_text(tote_store *s, const char *sql, long long arg, char *buf, size_t cap)
{
    sqlite3_stmt *st = NULL;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return buf;
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, arg);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

/* A product through the catalog API. reorder_point / reorder_qty < 0: unset. */
static inline long long fx_product(tote_store *s, const char *sku, int lot_tracked, long long point,
                                   long long qty)
{
    char name[96];
    snprintf(name, sizeof name, "Item %s", sku);
    tote_product_in in = {.sku = sku,
                          .name = name,
                          .requires_shipping = 1,
                          .lot_tracked = lot_tracked,
                          .price_cents = -1,
                          .reorder_point = point,
                          .reorder_qty = qty};
    long long id = -1;
    if (tote_product_upsert(s, &in, "fixture", NULL, &id) != TOTE_ST_E_OK) {
        fprintf(stderr, "fixture: product %s: %s\n", sku, tote_st_detail());
        return -1;
    }
    return id;
}

/* A location through the stock API; kind: "bin", "quarantine" or "dock". */
static inline long long fx_location(tote_store *s, const char *code, long long walk_seq, const char *kind)
{
    long long id = -1;
    if (tote_location_add(s, code, "A", walk_seq, kind, "fixture", &id) != TOTE_ST_E_OK) {
        fprintf(stderr, "fixture: location %s: %s\n", code, tote_st_detail());
        return -1;
    }
    return id;
}

/* A receipt of qty into (location, product, lot) through the stock ledger;
 * returns the stock row id. expiry may be NULL. */
static inline long long fx_stock(tote_store *s, long long product, long long location, const char *lot,
                                 const char *expiry, long long qty)
{
    long long id = -1;
    if (tote_stock_receive(s, product, location, qty, lot, expiry, "fixture", "test stock") != TOTE_ST_E_OK ||
        tote_stock_find(s, product, location, lot, &id) != TOTE_ST_E_OK) {
        fprintf(stderr, "fixture: stock of product %lld: %s\n", product, tote_st_detail());
        return -1;
    }
    return id;
}

/* One order line for fx_order: product id, quantity, ships (requires_shipping). */
typedef struct fx_ln {
    long long product, qty;
    int ships;
} fx_ln;

/* fx_order(..., FX_LINES({p1, 2, 1}, {p2, 1, 1})) */
#define FX_LINES(...) \
    (const fx_ln[]){__VA_ARGS__}, (int)(sizeof((const fx_ln[]){__VA_ARGS__}) / sizeof(fx_ln))

/*
 * A paid order through the orders API, then put in `status`: "released"
 * (as imported) or "on_hold" (held by hand). ship_by may be NULL. Returns
 * the order id; its lines are numbered 1.. in the order given (fx_line_id).
 */
static inline long long fx_order(tote_store *s, const char *name, const char *status, int rush, int pickup,
                                 int priority, const char *ship_by, const char *ordered_at,
                                 const fx_ln *lines, int n)
{
    tote_order_line_in in_lines[16];
    char skus[16][64];
    if (n < 1 || n > 16)
        return -1;
    for (int i = 0; i < n; i++) {
        fx_text(s, "SELECT sku FROM product WHERE id = ?1", lines[i].product, skus[i], sizeof skus[i]);
        in_lines[i] = (tote_order_line_in){
            .sku = skus[i], .qty = lines[i].qty, .price_cents = 100, .requires_shipping = lines[i].ships};
    }
    tote_order_in o = {.name = name,
                       .payment_status = "paid",
                       .ordered_at = ordered_at,
                       .ship_by = ship_by,
                       .rush = rush,
                       .pickup = pickup,
                       .priority = priority,
                       .total_cents = -1,
                       .line_count = (size_t)n,
                       .lines = in_lines};
    char *err = NULL;
    long long id = -1;
    tote_st_err e = tote_order_upsert(s, &o, "fixture", NULL, &err);
    if (e == TOTE_ST_E_OK && strcmp(status, "on_hold") == 0)
        e = tote_order_hold(s, name, "fixture", NULL, "test", &err);
    if (e == TOTE_ST_E_OK)
        e = tote_order_find(s, name, &id, NULL);
    char now[32];
    if (e != TOTE_ST_E_OK ||
        strcmp(fx_text(s, "SELECT status FROM orders WHERE id = ?1", id, now, sizeof now), status) != 0) {
        fprintf(stderr, "fixture: order %s: %s (%s)\n", name, tote_st_strerror(e), err ? err : now);
        id = -1;
    }
    free(err);
    return id;
}

/* The id of line line_no of the order. */
static inline long long fx_line_id(tote_store *s, long long order, long long line_no)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT id FROM order_line WHERE order_id = ?1 AND line_no = %lld", line_no);
    return fx_int(s, sql, order);
}

/* sqlite3_stmt_status(op) of the store's cached statement whose SQL
 * contains marker (SQLITE_STMTSTATUS_RUN: how often it ran,
 * SQLITE_STMTSTATUS_FULLSCAN_STEP: steps of full table scans); -1 if the
 * store has no such statement. */
static inline long long fx_stmt_status(tote_store *s, const char *marker, int op)
{
    for (sqlite3_stmt *st = sqlite3_next_stmt(tote_store_db(s), NULL); st;
         st = sqlite3_next_stmt(tote_store_db(s), st))
        if (strstr(sqlite3_sql(st), marker))
            return sqlite3_stmt_status(st, op, 0);
    return -1;
}

/* Both allocation invariants hold over the whole database: 1, else 0. */
static inline int fx_invariants_hold(tote_store *s)
{
    return fx_int(s,
                  "SELECT (SELECT COUNT(*) FROM stock st WHERE st.reserved <> (SELECT COALESCE(SUM(a.qty - "
                  "a.picked), 0) "
                  "FROM allocation a WHERE a.stock_id = st.id AND a.status = 'open')) + "
                  "(SELECT COUNT(*) FROM order_line ol WHERE ol.allocated <> (SELECT COALESCE(SUM(a.qty), 0) "
                  "FROM allocation a WHERE a.order_line_id = ol.id AND a.status <> 'cancelled')) + "
                  "(SELECT COUNT(*) FROM stock st WHERE st.on_hand <> (SELECT COALESCE(SUM(m.qty), 0) "
                  "FROM stock_move m WHERE m.stock_id = st.id))",
                  0) == 0;
}

#endif
