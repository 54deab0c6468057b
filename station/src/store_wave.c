/*
 * Waves: grouping allocated orders into pick lists and tasks in walking
 * order (tote/wave.h). Set-based SQL over a per-connection temp table, so
 * the cost grows with the number of lines, not with statements per line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tote/alloc.h"
#include "tote/wave.h"

/* Same order as allocation (store_alloc.c). */
#define ORDER_PRIORITY \
    "(o.rush <> 0 OR o.pickup <> 0) DESC, o.priority DESC, o.ship_by IS NULL, o.ship_by, o.ordered_at, o.id"

static tote_st_err step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return TOTE_ST_E_OK;
    tote_st_err e = tote_store_map_rc(rc);
    return e == TOTE_ST_E_OK ? TOTE_ST_E_DB : e;
}

static tote_st_err exec1(tote_store *s, const char *sql)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    return st ? step_done(st) : TOTE_ST_E_DB;
}

/*
 * One transaction per public call: our own when the caller has none; else
 * the work joins the caller's transaction (no savepoint: SQLite journals
 * every page of every statement again inside one, which makes big runs many
 * times slower). Bad input is refused before anything is written; after any
 * other error the caller must roll its transaction back.
 */
static tote_st_err tx_begin(tote_store *s, int *own)
{
    *own = sqlite3_get_autocommit(tote_store_db(s));
    return *own ? tote_store_begin(s) : TOTE_ST_E_OK;
}

static tote_st_err tx_end(tote_store *s, int own, tote_st_err e)
{
    if (!own)
        return e;
    if (e == TOTE_ST_E_OK) {
        e = tote_store_commit(s);
        if (e != TOTE_ST_E_OK)
            tote_store_rollback(s);
    } else {
        tote_store_rollback(s);
    }
    return e;
}

/* Runs a query that returns one row of up to 4 integers. */
static tote_st_err query_ints(sqlite3_stmt *st, long long *a, long long *b, long long *c, long long *d)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        long long *out[4] = {a, b, c, d};
        for (int i = 0; i < 4; i++)
            if (out[i])
                *out[i] = sqlite3_column_int64(st, i);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}

/*
 * The wave's members: every candidate order ranked by priority, with its
 * running line count; take = 1 for those inside the limits (a prefix of
 * the ranking, since rn and the running sum only grow).
 */
static tote_st_err rank_candidates(tote_store *s, long long max_orders, long long max_lines, long long *taken,
                                   long long *waiting)
{
    tote_st_err e =
        exec1(s, "CREATE TEMP TABLE IF NOT EXISTS tote_wave_member(rn INTEGER PRIMARY KEY, "
                 "order_id INTEGER NOT NULL UNIQUE, lines INTEGER NOT NULL, take INTEGER NOT NULL, "
                 "pick_list_id INTEGER, tote TEXT)");
    if (e == TOTE_ST_E_OK)
        e = exec1(s, "DELETE FROM tote_wave_member");
    if (e != TOTE_ST_E_OK)
        return e;
    sqlite3_stmt *st = tote_store_stmt(
        s, "INSERT INTO tote_wave_member(rn, order_id, lines, take) "
           "SELECT rn, id, lines, (?1 <= 0 OR rn <= ?1) AND (?2 <= 0 OR cum <= ?2) FROM ("
           /* lines with something to pick: allocated - picked > 0, i.e. an open allocation (alloc.h) */
           "SELECT o.id, COUNT(*) AS lines, ROW_NUMBER() OVER w AS rn, SUM(COUNT(*)) OVER w AS cum "
           "FROM orders o JOIN order_line ol ON ol.order_id = o.id "
           "WHERE o.status = 'allocated' AND o.tote IS NULL AND ol.allocated > ol.picked GROUP BY o.id "
           "WINDOW w AS (ORDER BY " ORDER_PRIORITY " ROWS UNBOUNDED PRECEDING))");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, max_orders);
    sqlite3_bind_int64(st, 2, max_lines);
    if ((e = step_done(st)) != TOTE_ST_E_OK)
        return e;
    st =
        tote_store_stmt(s, "SELECT COALESCE(SUM(take), 0), COALESCE(SUM(1 - take), 0) FROM tote_wave_member");
    if (!st)
        return TOTE_ST_E_DB;
    if ((e = query_ints(st, taken, waiting, NULL, NULL)) != TOTE_ST_E_OK)
        return e;
    return exec1(s, "DELETE FROM tote_wave_member WHERE take = 0");
}

static tote_st_err create_in_tx(tote_store *s, const tote_wave_opts *o, const char *actor,
                                tote_wave_result *r)
{
    tote_st_err e = TOTE_ST_E_OK;
    if (!o->no_allocate)
        e = tote_alloc_released(s, actor, &r->orders_allocated);
    long long n = 0;
    if (e == TOTE_ST_E_OK)
        e = rank_candidates(s, o->max_orders, o->max_lines, &n, &r->waiting);
    if (e != TOTE_ST_E_OK || n == 0)
        return e;

    char now[32];
    tote_store_now(now);
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO wave(status, created_by, created_at) VALUES ('open', ?1, ?2)");
    if (!st)
        return TOTE_ST_E_DB;
    if (actor)
        sqlite3_bind_text(st, 1, actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    if ((e = step_done(st)) != TOTE_ST_E_OK)
        return e;
    long long wave_id = sqlite3_last_insert_rowid(tote_store_db(s));

    long long k = o->totes_per_list > 0 ? o->totes_per_list : TOTE_WAVE_DEFAULT_TOTES;
    long long lists = (n + k - 1) / k;
    for (long long i = 0; i < lists && e == TOTE_ST_E_OK; i++) {
        st = tote_store_stmt(s, "INSERT INTO pick_list(wave_id, status, created_at) VALUES (?1, 'open', ?2)");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, wave_id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        if ((e = step_done(st)) != TOTE_ST_E_OK)
            return e;
        long long list_id = sqlite3_last_insert_rowid(tote_store_db(s));
        st = tote_store_stmt(s, "UPDATE tote_wave_member SET pick_list_id = ?1, "
                                "tote = 'T' || ?1 || '-' || (rn - ?2 + 1) WHERE rn BETWEEN ?2 AND ?3");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, list_id);
        sqlite3_bind_int64(st, 2, i * k + 1);
        sqlite3_bind_int64(st, 3, (i + 1) * k);
        e = step_done(st);
    }
    /* CROSS JOIN keeps SQLite's join order: from the wave's orders outwards */
    if (e == TOTE_ST_E_OK)
        e = exec1(
            s, "INSERT INTO pick_task(pick_list_id, seq, allocation_id, order_line_id, stock_id, qty, tote) "
               "SELECT m.pick_list_id, ROW_NUMBER() OVER (PARTITION BY m.pick_list_id "
               "ORDER BY l.walk_seq, l.code, p.sku, m.rn, a.id), a.id, a.order_line_id, a.stock_id, "
               "a.qty - a.picked, m.tote FROM tote_wave_member m CROSS JOIN order_line ol "
               "CROSS JOIN allocation a CROSS JOIN stock st CROSS JOIN location l CROSS JOIN product p "
               "WHERE ol.order_id = m.order_id AND a.order_line_id = ol.id AND st.id = a.stock_id "
               "AND l.id = st.location_id AND p.id = st.product_id AND a.status = 'open' "
               "AND a.qty > a.picked");
    if (e != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "UPDATE orders SET tote = m.tote, updated_at = ?1 FROM tote_wave_member m "
                            "WHERE orders.id = m.order_id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    if ((e = step_done(st)) != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "INSERT INTO event(at, actor, device, kind, subject_type, subject, detail) "
                            "SELECT ?1, ?2, NULL, 'order.waved', 'order', o.name, '{\"wave\":' || ?3 || "
                            "',\"pick_list\":' || m.pick_list_id || ',\"tote\":\"' || m.tote || '\"}' "
                            "FROM tote_wave_member m JOIN orders o ON o.id = m.order_id ORDER BY m.rn");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    if (actor)
        sqlite3_bind_text(st, 2, actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, wave_id);
    if ((e = step_done(st)) != TOTE_ST_E_OK)
        return e;

    st = tote_store_stmt(s, "SELECT COUNT(*), COALESCE(SUM(t.qty), 0) FROM pick_list pl "
                            "JOIN pick_task t ON t.pick_list_id = pl.id WHERE pl.wave_id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, wave_id);
    if ((e = query_ints(st, &r->tasks, &r->units, NULL, NULL)) != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "SELECT COALESCE(SUM(lines), 0) FROM tote_wave_member");
    if (!st)
        return TOTE_ST_E_DB;
    if ((e = query_ints(st, &r->lines, NULL, NULL, NULL)) != TOTE_ST_E_OK)
        return e;
    r->wave_id = wave_id;
    r->pick_lists = lists;
    r->orders = n;

    char subject[32], detail[256];
    snprintf(subject, sizeof subject, "%lld", wave_id);
    snprintf(detail, sizeof detail,
             "{\"pick_lists\":%lld,\"orders\":%lld,\"lines\":%lld,\"tasks\":%lld,\"units\":%lld,"
             "\"totes_per_list\":%lld,\"waiting\":%lld}",
             lists, n, r->lines, r->tasks, r->units, k, r->waiting);
    e = tote_store_event(s, actor, NULL, "wave.created", "wave", subject, detail);
    if (e == TOTE_ST_E_OK)
        e = exec1(s, "DELETE FROM tote_wave_member");
    return e;
}

tote_st_err tote_wave_create(tote_store *s, const tote_wave_opts *opts, const char *actor,
                             tote_wave_result *out)
{
    tote_wave_opts o = {0};
    if (opts)
        o = *opts;
    tote_wave_result r = {0};
    int own;
    tote_st_err e = tx_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return e;
    e = tx_end(s, own, create_in_tx(s, &o, actor, &r));
    if (e == TOTE_ST_E_OK && out)
        *out = r;
    return e;
}

/* ---- listings ---- */

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
