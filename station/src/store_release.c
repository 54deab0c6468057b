/*
 * Giving stock back (an order cancelled or held: tote_alloc_release_order),
 * backorders, and the check that every reservation matches its open
 * allocations (tote/alloc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_alloc_int.h"
#include "tote/alloc.h"
#include "tote/reorder.h"

/* ---- giving stock back ---- */

static tote_st_err close_empty_lists(tote_store *s, const idvec *lists, const char *now)
{
    idvec waves = {0};
    tote_st_err e = TOTE_ST_E_OK;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < lists->n; i++) {
        sqlite3_stmt *st = tote_store_stmt(
            s, "UPDATE pick_list SET status = CASE WHEN EXISTS (SELECT 1 FROM pick_task t WHERE "
               "t.pick_list_id = ?1 AND t.done > 0) THEN 'done' ELSE 'cancelled' END, done_at = ?2 "
               "WHERE id = ?1 AND status IN ('open', 'leased') AND NOT EXISTS (SELECT 1 FROM pick_task t "
               "WHERE t.pick_list_id = ?1 AND t.status = 'open')");
        if (!st) {
            e = TOTE_ST_E_DB;
            break;
        }
        sqlite3_bind_int64(st, 1, lists->v[i]);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        e = store_exec(st);
        if (e == TOTE_ST_E_OK)
            e = alloc_collect_ids(s, "SELECT wave_id FROM pick_list WHERE id = ?1", lists->v[i], &waves);
    }
    idvec_uniq(&waves);
    for (size_t i = 0; e == TOTE_ST_E_OK && i < waves.n; i++)
        e = alloc_run_with_id(s,
                              "UPDATE wave SET status = CASE WHEN EXISTS (SELECT 1 FROM pick_list pl WHERE "
                              "pl.wave_id = ?1 AND pl.status = 'done') THEN 'done' ELSE 'cancelled' END "
                              "WHERE id = ?1 AND status IN ('open', 'picking') AND NOT EXISTS (SELECT 1 FROM "
                              "pick_list pl WHERE pl.wave_id = ?1 AND pl.status IN ('open', 'leased'))",
                              waves.v[i]);
    idvec_free(&waves);
    return e;
}

tote_st_err tote_alloc_release_order(tote_store *s, long long order_id, const char *actor)
{
    int own;
    tote_st_err e = store_own_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return e;
    char now[32];
    tote_store_now(now);
    char name[128] = "", status[16] = "";
    long long units = 0, picked = 0;
    idvec products = {0}, lists = {0};

    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.name, o.status, (SELECT COALESCE(SUM(a.qty - a.picked), 0) FROM allocation a "
           "JOIN order_line ol ON ol.id = a.order_line_id WHERE ol.order_id = o.id AND a.status = 'open'), "
           "(SELECT COALESCE(SUM(ol.picked), 0) FROM order_line ol WHERE ol.order_id = o.id) "
           "FROM orders o WHERE o.id = ?1");
    if (!st) {
        e = TOTE_ST_E_DB;
    } else {
        sqlite3_bind_int64(st, 1, order_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            store_col_text(st, 0, name, sizeof name);
            store_col_text(st, 1, status, sizeof status);
            units = sqlite3_column_int64(st, 2);
            picked = sqlite3_column_int64(st, 3);
        } else {
            e = TOTE_ST_E_NOT_FOUND;
        }
        sqlite3_reset(st);
    }
    if (e == TOTE_ST_E_OK)
        e = alloc_collect_ids(
            s,
            "SELECT DISTINCT st.product_id FROM allocation a JOIN order_line ol ON ol.id = a.order_line_id "
            "JOIN stock st ON st.id = a.stock_id WHERE ol.order_id = ?1 AND a.status = 'open'",
            order_id, &products);
    if (e == TOTE_ST_E_OK)
        e = alloc_collect_ids(
            s,
            "SELECT DISTINCT t.pick_list_id FROM pick_task t JOIN order_line ol ON ol.id = t.order_line_id "
            "WHERE ol.order_id = ?1 AND t.status = 'open'",
            order_id, &lists);
    if (e == TOTE_ST_E_OK)
        e = alloc_run_with_id(
            s,
            "UPDATE stock SET reserved = reserved - (SELECT SUM(a.qty - a.picked) FROM allocation a "
            "JOIN order_line ol ON ol.id = a.order_line_id WHERE a.stock_id = stock.id "
            "AND a.status = 'open' AND ol.order_id = ?1) WHERE id IN (SELECT a.stock_id FROM allocation a "
            "JOIN order_line ol ON ol.id = a.order_line_id WHERE ol.order_id = ?1 AND a.status = 'open')",
            order_id);
    if (e == TOTE_ST_E_OK)
        e = alloc_run_with_id(
            s,
            "UPDATE allocation SET qty = CASE WHEN picked > 0 THEN picked ELSE qty END, "
            "status = CASE WHEN picked > 0 THEN 'done' ELSE 'cancelled' END "
            "WHERE status = 'open' AND order_line_id IN (SELECT id FROM order_line WHERE order_id = ?1)",
            order_id);
    if (e == TOTE_ST_E_OK)
        e = alloc_run_with_id(
            s,
            "UPDATE order_line SET allocated = (SELECT COALESCE(SUM(a.qty), 0) FROM allocation a "
            "WHERE a.order_line_id = order_line.id AND a.status <> 'cancelled') WHERE order_id = ?1",
            order_id);
    if (e == TOTE_ST_E_OK)
        e = alloc_run_with_id(
            s,
            "UPDATE pick_task SET qty = CASE WHEN done > 0 THEN done + short ELSE qty END, "
            "status = CASE WHEN done > 0 THEN 'done' ELSE 'cancelled' END "
            "WHERE status = 'open' AND order_line_id IN (SELECT id FROM order_line WHERE order_id = ?1)",
            order_id);
    if (e == TOTE_ST_E_OK)
        e = close_empty_lists(s, &lists, now);
    if (e == TOTE_ST_E_OK) {
        st = tote_store_stmt(
            s, "UPDATE orders SET status = CASE WHEN status = 'allocated' THEN 'released' "
               "ELSE status END, tote = CASE WHEN ?2 = 0 THEN NULL ELSE tote END, updated_at = ?3 "
               "WHERE id = ?1");
        if (!st) {
            e = TOTE_ST_E_DB;
        } else {
            sqlite3_bind_int64(st, 1, order_id);
            sqlite3_bind_int64(st, 2, picked);
            sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
            e = store_exec(st);
        }
    }
    if (e == TOTE_ST_E_OK) {
        char detail[160];
        snprintf(detail, sizeof detail, "{\"units\":%lld,\"from\":\"%s\",\"pick_lists\":%zu}", units, status,
                 lists.n);
        e = alloc_order_event(s, actor, NULL, "allocation.released", name, detail);
    }
    if (e == TOTE_ST_E_OK)
        e = alloc_reorder_touched(s, &products, actor);
    idvec_free(&products);
    idvec_free(&lists);
    return store_own_end(s, own, e);
}

/* ---- backorder and checks ---- */

tote_st_err tote_alloc_line_backorder(tote_store *s, long long order_line_id, long long *backorder)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT CASE WHEN requires_shipping = 1 AND ordered - allocated - short > 0 "
                           "THEN ordered - allocated - short ELSE 0 END FROM order_line WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_line_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && backorder)
        *backorder = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : TOTE_ST_E_DB;
}

tote_st_err tote_alloc_backorders_json(tote_store *s, cJSON **out, long long *units)
{
    *out = NULL;
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.name, o.id, o.status, ol.id, ol.line_no, ol.sku, ol.ordered, ol.allocated, ol.picked, "
           "ol.short, ol.ordered - ol.allocated - ol.short FROM orders o JOIN order_line ol ON ol.order_id = "
           "o.id "
           "WHERE o.status IN ('released', 'allocated', 'picking', 'picked', 'packing') "
           "AND ol.requires_shipping = 1 AND ol.ordered - ol.allocated - ol.short > 0 "
           "ORDER BY " ORDER_PRIORITY ", ol.line_no");
    if (!st)
        return TOTE_ST_E_DB;
    cJSON *arr = cJSON_CreateArray();
    if (!arr) {
        sqlite3_reset(st);
        return TOTE_ST_E_NOMEM;
    }
    long long sum = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "order", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddNumberToObject(o, "order_id", (double)sqlite3_column_int64(st, 1));
        cJSON_AddStringToObject(o, "status", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddNumberToObject(o, "line_id", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(o, "line_no", (double)sqlite3_column_int64(st, 4));
        cJSON_AddStringToObject(o, "sku", (const char *)sqlite3_column_text(st, 5));
        static const char *const nums[] = {"ordered", "allocated", "picked", "short", "backorder"};
        for (int i = 0; i < 5; i++)
            cJSON_AddNumberToObject(o, nums[i], (double)sqlite3_column_int64(st, 6 + i));
        sum += sqlite3_column_int64(st, 10);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return rc == SQLITE_ROW ? TOTE_ST_E_NOMEM : TOTE_ST_E_DB;
    }
    *out = arr;
    if (units)
        *units = sum;
    return TOTE_ST_E_OK;
}

tote_st_err tote_alloc_verify(tote_store *s, long long *bad)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT (SELECT COUNT(*) FROM stock st WHERE st.reserved <> (SELECT COALESCE(SUM(a.qty - "
           "a.picked), 0) "
           "FROM allocation a WHERE a.stock_id = st.id AND a.status = 'open')) + "
           "(SELECT COUNT(*) FROM order_line ol WHERE ol.allocated <> (SELECT COALESCE(SUM(a.qty), 0) "
           "FROM allocation a WHERE a.order_line_id = ol.id AND a.status <> 'cancelled'))");
    if (!st)
        return TOTE_ST_E_DB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && bad)
        *bad = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}
