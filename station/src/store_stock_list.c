/*
 * Stock listings and the ledger check (tote/stock.h): locations, stock rows
 * and moves as JSON, and the check that holds the stock and allocation
 * counters to the rows they sum. The writers are in store_stock.c.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store_tx.h"
#include "tote/stock.h"

/* ---- listings and check ---- */

/* The rows of st as a new JSON array in *out (columns named by cols). */
static tote_st_err rows_out(tote_store *s, sqlite3_stmt *st, const char *const cols[], cJSON **out)
{
    cJSON *arr = cJSON_CreateArray();
    tote_st_err e = store_rows_json(s, st, NULL, cols, arr, NULL);
    if (e != TOTE_ST_E_OK)
        cJSON_Delete(arr);
    else
        *out = arr;
    return e;
}

tote_st_err tote_location_list_json(tote_store *s, cJSON **out)
{
    store_detail_clear();
    *out = NULL;
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT l.code, l.zone, l.walk_seq, l.kind, "
                           "(SELECT COUNT(*) FROM stock s WHERE s.location_id = l.id), "
                           "(SELECT COALESCE(SUM(s.on_hand), 0) FROM stock s WHERE s.location_id = l.id) "
                           "FROM location l ORDER BY l.walk_seq, l.code");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    static const char *const cols[] = {"code", "zone", "#walk_seq", "kind", "#stock_rows", "#on_hand", NULL};
    return rows_out(s, st, cols, out);
}

/* Resolves optional sku / bin filters to ids (0 = no filter). */
static tote_st_err filters(tote_store *s, const char *sku, const char *bin, long long *pid, long long *lid)
{
    *pid = *lid = 0;
    if (sku && *sku) {
        tote_st_err e = tote_product_find_by_sku(s, sku, pid);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    if (bin && *bin) {
        tote_st_err e = tote_location_find(s, bin, lid);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    return TOTE_ST_E_OK;
}

tote_st_err tote_stock_list_json(tote_store *s, const char *sku, const char *bin, cJSON **out)
{
    store_detail_clear();
    *out = NULL;
    long long pid, lid;
    tote_st_err e = filters(s, sku, bin, &pid, &lid);
    if (e != TOTE_ST_E_OK)
        return e;
    char today[32];
    tote_store_now(today);
    today[10] = '\0';
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT s.id, p.sku, p.name, l.code, l.zone, l.walk_seq, s.lot, s.expiry, "
           "s.expiry IS NOT NULL AND s.expiry < ?3, s.on_hand, s.reserved, s.on_hand - s.reserved "
           "FROM stock s JOIN product p ON p.id = s.product_id JOIN location l ON l.id = s.location_id "
           "WHERE (?1 = 0 OR s.product_id = ?1) AND (?2 = 0 OR s.location_id = ?2) "
           "ORDER BY l.walk_seq, l.code, p.sku, s.lot");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, lid);
    sqlite3_bind_text(st, 3, today, -1, SQLITE_TRANSIENT);
    static const char *const cols[] = {"#stock_id", "sku",        "name",   "location", "zone",
                                       "#walk_seq", "lot",        "expiry", "?expired", "#on_hand",
                                       "#reserved", "#available", NULL};
    return rows_out(s, st, cols, out);
}

tote_st_err tote_stock_moves_json(tote_store *s, const char *sku, cJSON **out)
{
    store_detail_clear();
    *out = NULL;
    long long pid, lid;
    tote_st_err e = filters(s, sku, NULL, &pid, &lid);
    if (e != TOTE_ST_E_OK)
        return e;
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "SELECT m.id, m.at, m.kind, m.qty, p.sku, l.code, s.lot, o.name, ol.line_no, m.actor, m.device, "
        "m.reason FROM stock_move m JOIN stock s ON s.id = m.stock_id JOIN product p ON p.id = s.product_id "
        "JOIN location l ON l.id = s.location_id LEFT JOIN order_line ol ON ol.id = m.order_line_id "
        "LEFT JOIN orders o ON o.id = ol.order_id WHERE (?1 = 0 OR s.product_id = ?1) ORDER BY m.id");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, pid);
    static const char *const cols[] = {"#id",   "at",       "kind",  "#qty",   "sku",    "location", "lot",
                                       "order", "#line_no", "actor", "device", "reason", NULL};
    return rows_out(s, st, cols, out);
}

tote_st_err tote_stock_check_json(tote_store *s, long long *bad, cJSON **out)
{
    store_detail_clear();
    *bad = 0;
    *out = NULL;
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT * FROM (SELECT s.id, p.sku, l.code, s.lot, s.on_hand, "
           "(SELECT COALESCE(SUM(m.qty), 0) FROM stock_move m WHERE m.stock_id = s.id) AS moves, s.reserved, "
           "(SELECT COALESCE(SUM(a.qty - a.picked), 0) FROM allocation a WHERE a.stock_id = s.id "
           "AND a.status = 'open') AS open_alloc "
           "FROM stock s JOIN product p ON p.id = s.product_id JOIN location l ON l.id = s.location_id) "
           "WHERE on_hand <> moves OR reserved <> open_alloc OR on_hand < 0 ORDER BY id");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    static const char *const stock_cols[] = {"#stock_id", "sku",       "location",          "lot", "#on_hand",
                                             "#moves",    "#reserved", "#open_allocations", NULL};
    cJSON *arr = cJSON_CreateArray();
    tote_st_err e = store_rows_json(s, st, "stock", stock_cols, arr, bad);
    if (e != TOTE_ST_E_OK) {
        cJSON_Delete(arr);
        return e;
    }
    st = tote_store_stmt(s, "SELECT * FROM (SELECT o.name, l.line_no, l.sku, l.allocated, "
                            "(SELECT COALESCE(SUM(a.qty), 0) FROM allocation a WHERE a.order_line_id = l.id "
                            "AND a.status <> 'cancelled') AS alloc "
                            "FROM order_line l JOIN orders o ON o.id = l.order_id) "
                            "WHERE allocated <> alloc ORDER BY name, line_no");
    if (!st) {
        cJSON_Delete(arr);
        return store_db_fail(s, SQLITE_ERROR);
    }
    static const char *const line_cols[] = {"order", "#line_no", "sku", "#allocated", "#allocations", NULL};
    e = store_rows_json(s, st, "order_line", line_cols, arr, bad);
    if (e != TOTE_ST_E_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return TOTE_ST_E_OK;
}

static long long num(const cJSON *o, const char *k)
{
    return (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const char *str(const cJSON *o, const char *k)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
    return v ? v : "";
}

tote_st_err tote_stock_check(tote_store *s, long long *bad, FILE *report)
{
    cJSON *arr = NULL;
    tote_st_err e = tote_stock_check_json(s, bad, &arr);
    if (e != TOTE_ST_E_OK)
        return e;
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        if (!report)
            break;
        if (strcmp(str(o, "type"), "stock") == 0) {
            fprintf(report, "stock %lld (%s at %s%s%s):", num(o, "stock_id"), str(o, "sku"),
                    str(o, "location"), *str(o, "lot") ? " lot " : "", str(o, "lot"));
            if (num(o, "on_hand") != num(o, "moves"))
                fprintf(report, " on_hand %lld but its moves sum to %lld;", num(o, "on_hand"),
                        num(o, "moves"));
            if (num(o, "on_hand") < 0)
                fprintf(report, " on_hand %lld is negative;", num(o, "on_hand"));
            if (num(o, "reserved") != num(o, "open_allocations"))
                fprintf(report, " reserved %lld but open allocations hold %lld;", num(o, "reserved"),
                        num(o, "open_allocations"));
            fputc('\n', report);
        } else {
            fprintf(report, "order %s line %lld (%s): allocated %lld but its allocations sum to %lld\n",
                    str(o, "order"), num(o, "line_no"), str(o, "sku"), num(o, "allocated"),
                    num(o, "allocations"));
        }
    }
    cJSON_Delete(arr);
    return TOTE_ST_E_OK;
}
