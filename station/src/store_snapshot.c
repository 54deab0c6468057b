/* The queries behind console snapshots (tote/snapshot.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_tx.h"
#include "tote/snapshot.h"

/* Runs st (bound by the caller) and appends one object per row, keys from
 * the column names, to a new array obj[key]. */
static tote_st_err rows_to_array(sqlite3_stmt *st, cJSON *obj, const char *key)
{
    cJSON *arr = cJSON_AddArrayToObject(obj, key);
    if (!arr) {
        sqlite3_reset(st);
        return TOTE_ST_E_NOMEM;
    }
    return store_rows_by_name(st, arr);
}

/* Runs a two-column (name, count) query into obj[key] = {name: count}. */
static tote_st_err counts_to_object(sqlite3_stmt *st, cJSON *obj, const char *key)
{
    cJSON *o = cJSON_AddObjectToObject(obj, key);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddNumberToObject(o, (const char *)sqlite3_column_text(st, 0), sqlite3_column_double(st, 1));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_snapshot_orders(tote_store *s, cJSON *obj)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT status, COUNT(*) FROM orders GROUP BY status "
                           "UNION ALL SELECT 'short', COUNT(DISTINCT order_id) FROM order_line "
                           "WHERE short > 0");
    if (!st)
        return TOTE_ST_E_DB;
    return counts_to_object(st, obj, "orders");
}

/* The open waves' lists and tasks counted in one pass each, not one pass
 * over a wave's tasks per figure (a 100,000-task wave: 78 -> 50 ms). */
tote_st_err tote_snapshot_waves(tote_store *s, int limit, cJSON *obj)
{
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "WITH w AS (SELECT id, status, created_at FROM wave WHERE status IN ('open', 'picking') "
        " ORDER BY id DESC LIMIT ?1), "
        "ls AS (SELECT l.wave_id, COUNT(*) AS lists, SUM(l.status = 'done') AS done, "
        " SUM(l.status = 'leased') AS leased FROM pick_list l WHERE l.wave_id IN (SELECT id FROM w) "
        " GROUP BY l.wave_id), "
        "ts AS (SELECT l.wave_id, COUNT(*) AS tasks, SUM(t.status <> 'open') AS done, SUM(t.qty) AS units, "
        " SUM(t.done) AS units_done FROM pick_list l JOIN pick_task t ON t.pick_list_id = l.id "
        " WHERE l.wave_id IN (SELECT id FROM w) GROUP BY l.wave_id) "
        "SELECT w.id AS id, w.status AS status, w.created_at AS created_at, COALESCE(ls.lists, 0) AS lists, "
        "COALESCE(ls.done, 0) AS lists_done, COALESCE(ls.leased, 0) AS lists_leased, "
        "COALESCE(ts.tasks, 0) AS tasks, COALESCE(ts.done, 0) AS tasks_done, COALESCE(ts.units, 0) AS units, "
        "COALESCE(ts.units_done, 0) AS units_done "
        "FROM w LEFT JOIN ls ON ls.wave_id = w.id LEFT JOIN ts ON ts.wave_id = w.id ORDER BY w.id DESC");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int(st, 1, limit);
    return rows_to_array(st, obj, "waves");
}

/* now minus seconds, in the store's time format. */
static void time_minus(const char *now, int seconds, char out[32])
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h, mi, sec;
    if (sscanf(now, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) {
        snprintf(out, 32, "%s", now);
        return;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec - seconds;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    char buf[24];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s%s", buf, now + 19);
}

tote_st_err tote_snapshot_devices(tote_store *s, const char *now, int online_seconds, int limit, cJSON *obj)
{
    char since[32];
    time_minus(now, online_seconds, since);
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT name, role, operator, last_seen, "
           "(last_seen IS NOT NULL AND last_seen >= ?1 AND revoked_at IS NULL) AS online, "
           "(SELECT COUNT(*) FROM pick_list l WHERE l.device = device.name AND l.status = 'leased') AS lists "
           "FROM device ORDER BY online DESC, last_seen DESC, name LIMIT ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, since, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, limit);
    tote_st_err e = rows_to_array(st, obj, "devices");
    if (e != TOTE_ST_E_OK)
        return e;
    /* online as a boolean */
    cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(obj, "devices"))
    {
        cJSON *on = cJSON_GetObjectItem(d, "online");
        cJSON_ReplaceItemInObject(d, "online", cJSON_CreateBool(on && on->valuedouble != 0));
    }
    return TOTE_ST_E_OK;
}

tote_st_err tote_snapshot_alerts(tote_store *s, int limit, cJSON *obj)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id, kind, subject, message, created_at FROM alert "
                                          "WHERE acked_at IS NULL ORDER BY id DESC LIMIT ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int(st, 1, limit);
    return rows_to_array(st, obj, "alerts");
}

tote_st_err tote_snapshot_print_jobs(tote_store *s, cJSON *obj)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT state, COUNT(*) FROM print_job GROUP BY state");
    if (!st)
        return TOTE_ST_E_DB;
    return counts_to_object(st, obj, "print_jobs");
}

tote_st_err tote_snapshot_order(tote_store *s, const char *name, int limit, cJSON *obj)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT id, name, status, hold_reason, payment_status, priority, tote, ship_name, ship_city, "
           "ship_country, shipping_method, ordered_at, updated_at FROM orders WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    long long id = sqlite3_column_int64(st, 0);
    cJSON *o = cJSON_AddObjectToObject(obj, "order");
    for (int i = 1; i < sqlite3_column_count(st); i++)
        store_json_value(o, sqlite3_column_name(st, i), st, i);
    sqlite3_reset(st);

    st = tote_store_stmt(s, "SELECT line_no, sku, name, ordered, allocated, picked, short, packed, shipped, "
                            "returned FROM order_line WHERE order_id = ?1 ORDER BY line_no LIMIT ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, limit * 2);
    tote_st_err e = rows_to_array(st, obj, "lines");
    if (e != TOTE_ST_E_OK)
        return e;

    st = tote_store_stmt(
        s, "SELECT id, package_no, status, carton, weight_g, expected_weight_g, tracking, sscc, "
           "closed_at, shipped_at FROM package WHERE order_id = ?1 ORDER BY package_no LIMIT ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, limit);
    if ((e = rows_to_array(st, obj, "packages")) != TOTE_ST_E_OK)
        return e;

    st = tote_store_stmt(s, "SELECT at, device, operator, context, kind, gtin, lot, qty, result, reason "
                            "FROM scan WHERE order_id = ?1 ORDER BY id DESC LIMIT ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, limit);
    if ((e = rows_to_array(st, obj, "scans")) != TOTE_ST_E_OK)
        return e;

    st = tote_store_stmt(s, "SELECT at, actor, device, kind, detail FROM event "
                            "WHERE subject_type = 'order' AND subject = ?1 ORDER BY id DESC LIMIT ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, limit);
    return rows_to_array(st, obj, "events");
}
