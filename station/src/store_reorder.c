/*
 * Reorder points: which products to buy, and the event + alert when a
 * product's available stock falls to its point (tote/reorder.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_tx.h"
#include "tote/reorder.h"

#define EV_REACHED "reorder.point_reached"
#define EV_CLEARED "reorder.cleared"

static long long suggested(long long point, long long qty, long long available)
{
    long long lift = point - available + 1;
    return qty > lift ? qty : lift;
}

/* 1 if the product's newest reorder event says the point was reached. */
static tote_st_err is_marked(tote_store *s, const char *sku, int *marked)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT kind FROM event WHERE subject_type = 'product' AND subject = ?1 "
                           "AND kind IN ('" EV_REACHED "', '" EV_CLEARED "') ORDER BY id DESC LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *marked = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), EV_REACHED) == 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}

static tote_st_err check_in_tx(tote_store *s, long long product_id, const char *actor)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT p.sku, p.reorder_point, COALESCE(p.reorder_qty, 0), "
           "(SELECT COALESCE(SUM(st.on_hand - st.reserved), 0) FROM stock st JOIN location l ON l.id = "
           "st.location_id "
           "WHERE st.product_id = p.id AND l.kind <> 'quarantine') FROM product p WHERE p.id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, product_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : TOTE_ST_E_DB;
    }
    if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
        sqlite3_reset(st);
        return TOTE_ST_E_OK;
    }
    char sku[256];
    store_col_text(st, 0, sku, sizeof sku);
    long long point = sqlite3_column_int64(st, 1);
    long long qty = sqlite3_column_int64(st, 2);
    long long available = sqlite3_column_int64(st, 3);
    sqlite3_reset(st);

    int marked = 0;
    tote_st_err e = is_marked(s, sku, &marked);
    if (e != TOTE_ST_E_OK)
        return e;
    int due = available <= point;
    if (due == marked)
        return TOTE_ST_E_OK;

    cJSON *d = cJSON_CreateObject();
    if (!d)
        return TOTE_ST_E_NOMEM;
    cJSON_AddNumberToObject(d, "product_id", (double)product_id);
    cJSON_AddNumberToObject(d, "available", (double)available);
    cJSON_AddNumberToObject(d, "reorder_point", (double)point);
    if (due)
        cJSON_AddNumberToObject(d, "suggested", (double)suggested(point, qty, available));
    char *detail = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    if (!detail)
        return TOTE_ST_E_NOMEM;
    e = tote_store_event(s, actor, NULL, due ? EV_REACHED : EV_CLEARED, "product", sku, detail);
    cJSON_free(detail);
    if (e != TOTE_ST_E_OK || !due)
        return e;

    char msg[512], now[32];
    snprintf(msg, sizeof msg, "%s is at its reorder point: %lld available, point %lld; order %lld", sku,
             available, point, suggested(point, qty, available));
    tote_store_now(now);
    st = tote_store_stmt(
        s, "INSERT INTO alert(kind, subject, message, created_at) VALUES ('reorder', ?1, ?2, ?3)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, msg, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    return store_exec(st);
}

tote_st_err tote_reorder_check(tote_store *s, long long product_id, const char *actor)
{
    int own;
    tote_st_err e = store_own_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return e;
    return store_own_end(s, own, check_in_tx(s, product_id, actor));
}

tote_st_err tote_reorder_list_json(tote_store *s, cJSON **out)
{
    *out = NULL;
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT id, sku, name, on_hand, reserved, on_hand - reserved AS available, reorder_point, "
           "reorder_qty, "
           "backorder FROM (SELECT p.id, p.sku, p.name, p.reorder_point, p.reorder_qty, "
           "(SELECT COALESCE(SUM(st.on_hand), 0) FROM stock st JOIN location l ON l.id = st.location_id "
           "WHERE st.product_id = p.id AND l.kind <> 'quarantine') AS on_hand, "
           "(SELECT COALESCE(SUM(st.reserved), 0) FROM stock st JOIN location l ON l.id = st.location_id "
           "WHERE st.product_id = p.id AND l.kind <> 'quarantine') AS reserved, "
           "(SELECT COALESCE(SUM(ol.ordered - ol.allocated - ol.short), 0) FROM order_line ol "
           "JOIN orders o ON o.id = ol.order_id WHERE ol.product_id = p.id AND ol.requires_shipping = 1 "
           "AND ol.ordered - ol.allocated - ol.short > 0 "
           "AND o.status IN ('released', 'allocated', 'picking', 'picked', 'packing')) AS backorder "
           "FROM product p WHERE p.reorder_point IS NOT NULL) "
           "WHERE on_hand - reserved <= reorder_point ORDER BY on_hand - reserved - reorder_point, sku");
    if (!st)
        return TOTE_ST_E_DB;
    cJSON *arr = cJSON_CreateArray();
    if (!arr) {
        sqlite3_reset(st);
        return TOTE_ST_E_NOMEM;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddItemToArray(arr, o);
        long long available = sqlite3_column_int64(st, 5);
        long long point = sqlite3_column_int64(st, 6);
        int has_qty = sqlite3_column_type(st, 7) != SQLITE_NULL;
        long long qty = has_qty ? sqlite3_column_int64(st, 7) : 0;
        cJSON_AddNumberToObject(o, "product_id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(o, "sku", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddStringToObject(o, "name", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddNumberToObject(o, "on_hand", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(o, "reserved", (double)sqlite3_column_int64(st, 4));
        cJSON_AddNumberToObject(o, "available", (double)available);
        cJSON_AddNumberToObject(o, "reorder_point", (double)point);
        if (has_qty)
            cJSON_AddNumberToObject(o, "reorder_qty", (double)qty);
        else
            cJSON_AddNullToObject(o, "reorder_qty");
        cJSON_AddNumberToObject(o, "suggested", (double)suggested(point, qty, available));
        cJSON_AddNumberToObject(o, "backorder", (double)sqlite3_column_int64(st, 8));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return rc == SQLITE_ROW ? TOTE_ST_E_NOMEM : TOTE_ST_E_DB;
    }
    *out = arr;
    return TOTE_ST_E_OK;
}
