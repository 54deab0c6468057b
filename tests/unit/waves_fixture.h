/*
 * Test-only fixtures for the allocation, wave and reorder tests and the wave
 * benchmark: a real store in a temp dir, and rows for products, bins, stock
 * (a receipt in the ledger, so on_hand = SUM(stock_move.qty) holds), orders
 * and lines. Header-only (static inline functions), included by test_alloc.c,
 * test_wave.c, test_reorder.c, test_cli_wave.c and bench_wave.c.
 */
#ifndef TOTE_WAVES_FIXTURE_H
#define TOTE_WAVES_FIXTURE_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* reorder_point / reorder_qty < 0: NULL. */
static inline long long fx_product(tote_store *s, const char *sku, int lot_tracked, long long point,
                                   long long qty)
{
    return fx_sql(
        s,
        "INSERT INTO product(sku, name, lot_tracked, reorder_point, reorder_qty, created_at, updated_at) "
        "VALUES (?1, 'Item ' || ?1, ?2, CASE WHEN ?3 >= 0 THEN ?3 END, CASE WHEN ?4 >= 0 THEN ?4 END, ?5, "
        "?5)",
        "tiiit", sku, (long long)lot_tracked, point, qty, FX_NOW);
}

/* kind: "bin", "quarantine" or "dock". */
static inline long long fx_location(tote_store *s, const char *code, long long walk_seq, const char *kind)
{
    return fx_sql(s, "INSERT INTO location(code, zone, walk_seq, kind) VALUES (?1, 'A', ?2, ?3)", "tit", code,
                  walk_seq, kind);
}

/* A receipt of qty into a new stock row; expiry may be NULL. */
static inline long long fx_stock(tote_store *s, long long product, long long location, const char *lot,
                                 const char *expiry, long long qty)
{
    long long id = fx_sql(
        s, "INSERT INTO stock(location_id, product_id, lot, expiry, on_hand) VALUES (?1, ?2, ?3, ?4, ?5)",
        "iitti", location, product, lot ? lot : "", expiry, qty);
    if (id > 0)
        fx_sql(s,
               "INSERT INTO stock_move(stock_id, kind, qty, actor, reason, at) VALUES (?1, 'receipt', ?2, "
               "'fixture', 'test stock', ?3)",
               "iit", id, qty, FX_NOW);
    return id;
}

/* status: usually "released". ship_by may be NULL. */
static inline long long fx_order(tote_store *s, const char *name, const char *status, int rush, int pickup,
                                 long long priority, const char *ship_by, const char *ordered_at)
{
    return fx_sql(
        s,
        "INSERT INTO orders(name, status, payment_status, rush, pickup, priority, ship_by, ordered_at, "
        "created_at, updated_at) VALUES (?1, ?2, 'paid', ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        "ttiiittt", name, status, (long long)rush, (long long)pickup, priority, ship_by, ordered_at, FX_NOW);
}

static inline long long fx_line(tote_store *s, long long order, long long line_no, long long product,
                                long long qty, int requires_shipping)
{
    return fx_sql(
        s,
        "INSERT INTO order_line(order_id, line_no, product_id, sku, name, requires_shipping, ordered) "
        "SELECT ?1, ?2, p.id, p.sku, p.name, ?4, ?3 FROM product p WHERE p.id = ?5",
        "iiiii", order, line_no, qty, (long long)requires_shipping, product);
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
