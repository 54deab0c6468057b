/*
 * Wave listings (tote/wave.h): `tote wave list` and `tote wave show` as
 * JSON, read from the waves, pick lists and tasks store_wave.c writes.
 */
#include <cjson/cJSON.h>

#include "store_tx.h"
#include "tote/wave.h"

static void add_progress(cJSON *o, long long units, long long done, long long shrt)
{
    cJSON_AddNumberToObject(o, "units", (double)units);
    cJSON_AddNumberToObject(o, "done", (double)done);
    cJSON_AddNumberToObject(o, "short", (double)shrt);
    cJSON_AddNumberToObject(o, "progress", units > 0 ? (double)((done + shrt) * 100 / units) : 100.0);
}

static void add_text_or_null(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddStringToObject(o, key, (const char *)sqlite3_column_text(st, col));
}

/* wave fields; ?-free, so a statement can append WHERE/ORDER BY */
#define TASKS_OF_WAVE                                                                       \
    "FROM pick_list pl JOIN pick_task t ON t.pick_list_id = pl.id WHERE pl.wave_id = w.id " \
    "AND t.status <> 'cancelled'"
#define WAVE_COLUMNS                                                                                        \
    "SELECT w.id, w.status, w.created_at, w.created_by, "                                                   \
    "(SELECT COUNT(*) FROM pick_list pl WHERE pl.wave_id = w.id), "                                         \
    "(SELECT COUNT(DISTINCT ol.order_id) FROM pick_list pl JOIN pick_task t ON t.pick_list_id = pl.id "     \
    "JOIN order_line ol ON ol.id = t.order_line_id WHERE pl.wave_id = w.id AND t.status <> 'cancelled'), "  \
    "(SELECT COUNT(*) " TASKS_OF_WAVE "), (SELECT COALESCE(SUM(t.qty), 0) " TASKS_OF_WAVE "), "             \
    "(SELECT COALESCE(SUM(t.done), 0) " TASKS_OF_WAVE "), (SELECT COALESCE(SUM(t.short), 0) " TASKS_OF_WAVE \
    ") FROM wave w "

static cJSON *wave_row(sqlite3_stmt *st)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
    cJSON_AddStringToObject(o, "status", (const char *)sqlite3_column_text(st, 1));
    cJSON_AddStringToObject(o, "created_at", (const char *)sqlite3_column_text(st, 2));
    add_text_or_null(o, "created_by", st, 3);
    cJSON_AddNumberToObject(o, "pick_lists", (double)sqlite3_column_int64(st, 4));
    cJSON_AddNumberToObject(o, "orders", (double)sqlite3_column_int64(st, 5));
    cJSON_AddNumberToObject(o, "tasks", (double)sqlite3_column_int64(st, 6));
    add_progress(o, sqlite3_column_int64(st, 7), sqlite3_column_int64(st, 8), sqlite3_column_int64(st, 9));
    return o;
}

tote_st_err tote_wave_list_json(tote_store *s, cJSON **out)
{
    *out = NULL;
    sqlite3_stmt *st = tote_store_stmt(s, WAVE_COLUMNS "ORDER BY w.id DESC");
    if (!st)
        return TOTE_ST_E_DB;
    cJSON *arr = cJSON_CreateArray();
    int rc = SQLITE_NOMEM;
    while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = wave_row(st);
        if (!o) {
            rc = SQLITE_NOMEM;
            break;
        }
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return rc == SQLITE_NOMEM ? TOTE_ST_E_NOMEM : TOTE_ST_E_DB;
    }
    *out = arr;
    return TOTE_ST_E_OK;
}

static tote_st_err list_totes(tote_store *s, long long list_id, cJSON *list)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT t.tote, o.name, o.id, o.status FROM pick_task t JOIN order_line ol ON "
                           "ol.id = t.order_line_id "
                           "JOIN orders o ON o.id = ol.order_id WHERE t.pick_list_id = ?1 GROUP BY o.id "
                           "ORDER BY length(t.tote), t.tote, o.id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    cJSON *arr = cJSON_AddArrayToObject(list, "totes");
    int rc = SQLITE_NOMEM;
    while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            rc = SQLITE_NOMEM;
            break;
        }
        cJSON_AddItemToArray(arr, o);
        add_text_or_null(o, "tote", st, 0);
        cJSON_AddStringToObject(o, "order", (const char *)sqlite3_column_text(st, 1));
        cJSON_AddNumberToObject(o, "order_id", (double)sqlite3_column_int64(st, 2));
        cJSON_AddStringToObject(o, "status", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : rc == SQLITE_NOMEM ? TOTE_ST_E_NOMEM : TOTE_ST_E_DB;
}

static tote_st_err list_tasks(tote_store *s, long long list_id, cJSON *list)
{
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "SELECT t.id, t.seq, l.code, l.walk_seq, p.sku, p.name, st.lot, st.expiry, t.qty, t.done, t.short, "
        "t.status, t.tote, o.name, t.order_line_id FROM pick_task t JOIN stock st ON st.id = t.stock_id "
        "JOIN location l ON l.id = st.location_id JOIN product p ON p.id = st.product_id "
        "JOIN order_line ol ON ol.id = t.order_line_id JOIN orders o ON o.id = ol.order_id "
        "WHERE t.pick_list_id = ?1 ORDER BY t.seq, t.id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    cJSON *arr = cJSON_AddArrayToObject(list, "tasks_detail");
    int rc = SQLITE_NOMEM;
    while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            rc = SQLITE_NOMEM;
            break;
        }
        cJSON_AddItemToArray(arr, o);
        cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddNumberToObject(o, "seq", (double)sqlite3_column_int64(st, 1));
        cJSON_AddStringToObject(o, "bin", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddNumberToObject(o, "walk_seq", (double)sqlite3_column_int64(st, 3));
        cJSON_AddStringToObject(o, "sku", (const char *)sqlite3_column_text(st, 4));
        cJSON_AddStringToObject(o, "name", (const char *)sqlite3_column_text(st, 5));
        cJSON_AddStringToObject(o, "lot", (const char *)sqlite3_column_text(st, 6));
        add_text_or_null(o, "expiry", st, 7);
        cJSON_AddNumberToObject(o, "qty", (double)sqlite3_column_int64(st, 8));
        cJSON_AddNumberToObject(o, "done", (double)sqlite3_column_int64(st, 9));
        cJSON_AddNumberToObject(o, "short", (double)sqlite3_column_int64(st, 10));
        cJSON_AddStringToObject(o, "status", (const char *)sqlite3_column_text(st, 11));
        add_text_or_null(o, "tote", st, 12);
        cJSON_AddStringToObject(o, "order", (const char *)sqlite3_column_text(st, 13));
        cJSON_AddNumberToObject(o, "order_line_id", (double)sqlite3_column_int64(st, 14));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : rc == SQLITE_NOMEM ? TOTE_ST_E_NOMEM : TOTE_ST_E_DB;
}

tote_st_err tote_wave_show_json(tote_store *s, long long wave_id, cJSON **out)
{
    *out = NULL;
    sqlite3_stmt *st = tote_store_stmt(s, WAVE_COLUMNS "WHERE w.id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, wave_id);
    int rc = sqlite3_step(st);
    cJSON *w = rc == SQLITE_ROW ? wave_row(st) : NULL;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return TOTE_ST_E_NOT_FOUND;
    if (rc != SQLITE_ROW)
        return TOTE_ST_E_DB;
    if (!w)
        return TOTE_ST_E_NOMEM;

    /* read the lists first, then fill each (the statements are reused) */
    st = tote_store_stmt(
        s,
        "SELECT pl.id, pl.status, pl.device, pl.operator, "
        "(SELECT COUNT(DISTINCT ol.order_id) FROM pick_task t JOIN order_line ol ON ol.id = t.order_line_id "
        "WHERE t.pick_list_id = pl.id AND t.status <> 'cancelled'), "
        "(SELECT COUNT(*) FROM pick_task t WHERE t.pick_list_id = pl.id AND t.status <> 'cancelled'), "
        "(SELECT COALESCE(SUM(t.qty), 0) FROM pick_task t WHERE t.pick_list_id = pl.id AND t.status <> "
        "'cancelled'), "
        "(SELECT COALESCE(SUM(t.done), 0) FROM pick_task t WHERE t.pick_list_id = pl.id AND t.status <> "
        "'cancelled'), "
        "(SELECT COALESCE(SUM(t.short), 0) FROM pick_task t WHERE t.pick_list_id = pl.id AND t.status <> "
        "'cancelled') "
        "FROM pick_list pl WHERE pl.wave_id = ?1 ORDER BY pl.id");
    if (!st) {
        cJSON_Delete(w);
        return TOTE_ST_E_DB;
    }
    sqlite3_bind_int64(st, 1, wave_id);
    cJSON *lists = cJSON_AddArrayToObject(w, "lists");
    rc = SQLITE_NOMEM;
    while (lists && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            rc = SQLITE_NOMEM;
            break;
        }
        cJSON_AddItemToArray(lists, o);
        cJSON_AddNumberToObject(o, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddStringToObject(o, "status", (const char *)sqlite3_column_text(st, 1));
        add_text_or_null(o, "device", st, 2);
        add_text_or_null(o, "operator", st, 3);
        cJSON_AddNumberToObject(o, "orders", (double)sqlite3_column_int64(st, 4));
        cJSON_AddNumberToObject(o, "tasks", (double)sqlite3_column_int64(st, 5));
        add_progress(o, sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7),
                     sqlite3_column_int64(st, 8));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(w);
        return rc == SQLITE_NOMEM ? TOTE_ST_E_NOMEM : TOTE_ST_E_DB;
    }
    tote_st_err e = TOTE_ST_E_OK;
    cJSON *l;
    cJSON_ArrayForEach(l, lists)
    {
        long long id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(l, "id"));
        if ((e = list_totes(s, id, l)) != TOTE_ST_E_OK || (e = list_tasks(s, id, l)) != TOTE_ST_E_OK)
            break;
    }
    if (e != TOTE_ST_E_OK) {
        cJSON_Delete(w);
        return e;
    }
    *out = w;
    return TOTE_ST_E_OK;
}
