/*
 * The console's snapshot queries (tote/console.h): devices, printers, the
 * alerts derived from the records (late, refused scans, label not
 * confirmed), acknowledgements, scans, orders and search. Each returns rows
 * as JSON objects keyed by column name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_tx.h"
#include "tote/console.h"
#include "tote/utf8.h"

tote_st_err tote_console_q_devices(tote_store *s, const char *name, const char *since, const char *today,
                                   const char *online_since, int limit, cJSON *arr)
{
    /* the figures come from one pass over the scans since the earlier of
       the window's start and midnight (?6), by the scan_at index */
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "SELECT d.name AS name, d.role AS role, d.operator AS operator, d.last_seen AS last_seen, "
        "CASE WHEN d.last_seen IS NOT NULL AND d.last_seen >= ?3 AND d.revoked_at IS NULL THEN 1 ELSE 0 END "
        " AS online, "
        "CASE WHEN d.revoked_at IS NULL THEN 0 ELSE 1 END AS revoked, d.label_printer AS label_printer, "
        "(SELECT MIN(l.id) FROM pick_list l WHERE l.device = d.name AND l.status = 'leased') AS pick_list, "
        "(SELECT COUNT(*) FROM pick_task t JOIN pick_list l ON l.id = t.pick_list_id "
        " WHERE l.device = d.name AND l.status = 'leased') AS list_tasks, "
        "(SELECT COUNT(*) FROM pick_task t JOIN pick_list l ON l.id = t.pick_list_id "
        " WHERE l.device = d.name AND l.status = 'leased' AND t.status <> 'open') AS list_done, "
        "(SELECT o.name FROM package p JOIN orders o ON o.id = p.order_id "
        " WHERE p.device = d.name AND p.status = 'open' ORDER BY p.id DESC LIMIT 1) AS packing, "
        "COALESCE(w.picks, 0) AS picks_15m, COALESCE(w.units, 0) AS units_15m, "
        "COALESCE(w.scans, 0) AS scans_15m, COALESCE(w.refused, 0) AS refused_15m, "
        "COALESCE(w.refused_today, 0) AS refused_today "
        "FROM device d LEFT JOIN ("
        " SELECT device, "
        " SUM(CASE WHEN at >= ?1 AND context = 'pick' AND result = 'accepted' AND qty > 0 THEN 1 ELSE 0 END) "
        "  AS picks, "
        " SUM(CASE WHEN at >= ?1 AND result = 'accepted' THEN qty ELSE 0 END) AS units, "
        " SUM(CASE WHEN at >= ?1 THEN 1 ELSE 0 END) AS scans, "
        " SUM(CASE WHEN at >= ?1 AND result = 'refused' THEN 1 ELSE 0 END) AS refused, "
        " SUM(CASE WHEN at >= ?2 AND result = 'refused' THEN 1 ELSE 0 END) AS refused_today "
        " FROM scan WHERE at >= ?6 GROUP BY device) w ON w.device = d.name "
        "WHERE d.role <> 'console' AND (?5 IS NULL AND d.revoked_at IS NULL OR d.name = ?5) "
        "ORDER BY CASE d.role WHEN 'picker' THEN 0 WHEN 'packer' THEN 1 ELSE 2 END, d.name LIMIT ?4");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, since, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, online_since, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, limit);
    store_bind_text_or_null(st, 5, name);
    sqlite3_bind_text(st, 6, strcmp(since, today) < 0 ? since : today, -1, SQLITE_TRANSIENT);
    return store_rows_by_name(st, arr);
}

tote_st_err tote_console_q_printers(tote_store *s, const char *day_ago, int limit, cJSON *arr)
{
    /* a printer's state is that of its newest job (highest id): print_job
       has no index by printer, and walking back from the newest job stops
       at once on a printer in use */
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "WITH p AS (SELECT name, kind FROM printer "
        " UNION SELECT printer, MIN(format) FROM print_job WHERE printer NOT IN (SELECT name FROM printer) "
        " GROUP BY printer) "
        "SELECT p.name AS name, p.kind AS kind, "
        "(SELECT COUNT(*) FROM print_job j WHERE j.printer = p.name "
        " AND j.state IN ('queued', 'pending', 'processing', 'held')) AS queued, "
        "(SELECT COUNT(*) FROM print_job j WHERE j.printer = p.name "
        " AND j.state IN ('stopped', 'aborted', 'failed') AND j.updated_at >= ?1) AS failed, "
        "(SELECT j.state FROM print_job j WHERE j.printer = p.name ORDER BY j.id DESC LIMIT 1) AS "
        "last_state, "
        "(SELECT j.updated_at FROM print_job j WHERE j.printer = p.name ORDER BY j.id DESC LIMIT 1) AS "
        "last_at, "
        "(SELECT j.error FROM print_job j WHERE j.printer = p.name ORDER BY j.id DESC LIMIT 1) AS error "
        "FROM p ORDER BY p.name LIMIT ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, day_ago, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, limit);
    return store_rows_by_name(st, arr);
}

/* every status before shipped, listed so that the status index serves them */
#define OPEN_STATUSES \
    "'received', 'on_hold', 'released', 'allocated', 'picking', 'picked', 'packing', 'packed'"

#define LATE_WHERE                                           \
    "status IN (" OPEN_STATUSES ") AND ship_by IS NOT NULL " \
    "AND ((length(ship_by) = 10 AND ship_by < ?2) OR (length(ship_by) > 10 AND ship_by < ?1))"

tote_st_err tote_console_q_late(tote_store *s, const char *now, const char *today, int limit, cJSON *arr,
                                long long *count)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT COUNT(*) FROM orders WHERE " LATE_WHERE);
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return tote_store_map_rc(rc);
    if (!arr)
        return TOTE_ST_E_OK;
    st = tote_store_stmt(s, "SELECT name, status, ship_by FROM orders WHERE " LATE_WHERE
                            " ORDER BY ship_by, name LIMIT ?3");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, limit);
    return store_rows_by_name(st, arr);
}

tote_st_err tote_console_q_refused(tote_store *s, const char *since, int threshold, cJSON *arr)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT device, SUM(CASE WHEN result = 'refused' THEN 1 ELSE 0 END) AS refused, "
                           "COUNT(*) AS scans, MAX(CASE WHEN result = 'refused' THEN at END) AS last_at "
                           "FROM scan WHERE at >= ?1 GROUP BY device "
                           "HAVING SUM(CASE WHEN result = 'refused' THEN 1 ELSE 0 END) >= ?2 "
                           "ORDER BY last_at DESC");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, since, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, threshold);
    return store_rows_by_name(st, arr);
}

tote_st_err tote_console_q_unconfirmed(tote_store *s, const char *before, int limit, cJSON *arr)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT COALESCE(p.tracking, CAST(p.id AS TEXT)) AS package, o.name AS \"order\", p.package_no, "
           "p.closed_at, p.device FROM package p JOIN orders o ON o.id = p.order_id "
           "WHERE p.status = 'closed' AND p.closed_at < ?1 ORDER BY p.closed_at, p.id LIMIT ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, before, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, limit);
    return store_rows_by_name(st, arr);
}

tote_st_err tote_console_q_acked(tote_store *s, const char *kind, const char *subject, char out[32])
{
    out[0] = '\0';
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT MAX(acked_at) FROM alert WHERE kind = ?1 AND subject = ?2 AND acked_at IS NOT NULL");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
        store_col_text(st, 0, out, 32);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

/* Scanned bytes as one line of text: printable ASCII and valid UTF-8 as
   they are, every other byte as \xHH (so a control character, an FNC1 GS
   or a broken sequence never reaches the terminal raw). */
static char *printable(const unsigned char *p, size_t n)
{
    char *out = malloc(n * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        uint32_t cp;
        size_t len = (size_t)tote_utf8_decode(p + i, n - i, &cp);
        int ok = len > 0;
        if (ok && len == 1 && (c < 0x20 || c == 0x7F))
            ok = 0;
        if (!ok) {
            o += (size_t)sprintf(out + o, "\\x%02X", c);
            i++;
            continue;
        }
        if (c == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
            i++;
            continue;
        }
        memcpy(out + o, p + i, len);
        o += len;
        i += len;
    }
    out[o] = '\0';
    return out;
}

tote_st_err tote_console_q_scans(tote_store *s, const char *device, int limit, cJSON *arr)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT x.at, x.context, x.kind, x.raw, x.symbology, x.qty, x.result, x.reason, o.name "
           "FROM scan x LEFT JOIN orders o ON o.id = x.order_id WHERE x.device = ?1 "
           "ORDER BY x.device_seq DESC LIMIT ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, limit);
    static const char *const keys[] = {"at",  "context", "kind",   "code", "symbology",
                                       "qty", "result",  "reason", "order"};
    int rc;
    tote_st_err e = TOTE_ST_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            e = TOTE_ST_E_NOMEM;
            break;
        }
        for (int i = 0; i < 9; i++) {
            if (i == 3) {
                char *t = printable(sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3));
                cJSON_AddStringToObject(o, keys[i], t ? t : "");
                free(t);
            } else {
                store_json_value(o, keys[i], st, i);
            }
        }
        cJSON_AddItemToArray(arr, o);
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = tote_store_map_rc(rc);
    sqlite3_reset(st);
    return e;
}

tote_st_err tote_console_q_orders(tote_store *s, const char *status, const char *now, const char *today,
                                  int limit, cJSON *arr)
{
    /* ?3: the status column value, or 'short' / 'late' */
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "SELECT o.name AS name, o.status AS status, o.hold_reason AS hold_reason, o.priority AS priority, "
        "o.ship_by AS ship_by, o.ordered_at AS ordered_at, "
        "(SELECT COUNT(*) FROM order_line l WHERE l.order_id = o.id) AS lines, "
        "(SELECT COALESCE(SUM(l.ordered), 0) FROM order_line l WHERE l.order_id = o.id) AS units, "
        "(SELECT COALESCE(SUM(l.picked), 0) FROM order_line l WHERE l.order_id = o.id) AS picked, "
        "(SELECT COALESCE(SUM(l.short), 0) FROM order_line l WHERE l.order_id = o.id) AS short "
        "FROM orders o WHERE "
        "(?3 NOT IN ('short', 'late') AND o.status = ?3) "
        "OR (?3 = 'short' AND o.id IN (SELECT order_id FROM order_line WHERE short > 0)) "
        "OR (?3 = 'late' AND o.status IN (" OPEN_STATUSES ") AND o.ship_by IS NOT NULL "
        " AND ((length(o.ship_by) = 10 AND o.ship_by < ?2) OR (length(o.ship_by) > 10 AND o.ship_by < ?1))) "
        "ORDER BY o.rush DESC, o.priority DESC, o.ordered_at, o.id LIMIT ?4");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, status, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, limit);
    return store_rows_by_name(st, arr);
}

tote_st_err tote_console_q_search(tote_store *s, const char *text, int limit, cJSON *arr)
{
    /* exact matches first (by name, '#'name, tracking, SSCC with or without
       its AI 00, channel reference, e-mail), then names that start with it */
    size_t n = strlen(text);
    char *upper = malloc(n + 1), *after = malloc(n + 5);
    if (!upper || !after) {
        free(upper);
        free(after);
        return TOTE_ST_E_NOMEM;
    }
    for (size_t i = 0; i <= n; i++)
        upper[i] = (text[i] >= 'a' && text[i] <= 'z') ? (char)(text[i] - 32) : text[i];
    memcpy(after, text, n);
    memcpy(after + n, "\xF4\x8F\xBF\xBF", 5); /* sorts after every name that starts with text */
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "SELECT name AS \"order\", status, MIN(via) AS via FROM ("
        " SELECT o.name, o.status, '1 name' AS via FROM orders o WHERE o.name = ?1 OR o.name = '#' || ?1 "
        " UNION ALL SELECT o.name, o.status, '2 tracking' FROM package p JOIN orders o ON o.id = p.order_id "
        "  WHERE p.tracking = ?2 OR p.sscc = ?1 OR '00' || p.sscc = ?1 "
        " UNION ALL SELECT o.name, o.status, '3 reference' FROM orders o WHERE o.external_ref = ?1 "
        " UNION ALL SELECT o.name, o.status, '4 e-mail' FROM orders o JOIN customer c ON c.id = "
        "o.customer_id "
        "  WHERE c.email = ?1 "
        " UNION ALL SELECT o.name, o.status, '5 name starts' FROM orders o "
        "  WHERE (o.name >= ?1 AND o.name < ?3) OR (o.name >= '#' || ?1 AND o.name < '#' || ?3)) "
        "GROUP BY name, status ORDER BY MIN(via), name LIMIT ?4");
    if (!st) {
        free(upper);
        free(after);
        return TOTE_ST_E_DB;
    }
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, upper, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, after, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, limit);
    free(upper);
    free(after);
    tote_st_err e = store_rows_by_name(st, arr);
    cJSON *m;
    cJSON_ArrayForEach(m, arr)
    {
        /* drop the sort digit: "2 tracking" -> "tracking" */
        const char *via = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "via"));
        if (via && strlen(via) > 2)
            cJSON_ReplaceItemInObjectCaseSensitive(m, "via", cJSON_CreateString(via + 2));
    }
    return e;
}

tote_st_err tote_console_ack(tote_store *s, long long id, const char *by, const char *now, int *found,
                             int *already, char kind[64], char subject[256])
{
    *found = 0;
    *already = 0;
    kind[0] = subject[0] = '\0';
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT kind, COALESCE(subject, ''), acked_at FROM alert WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = 1;
        store_col_text(st, 0, kind, 64);
        store_col_text(st, 1, subject, 256);
        *already = sqlite3_column_type(st, 2) != SQLITE_NULL;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    if (!*found || *already)
        return TOTE_ST_E_OK;
    st = tote_store_stmt(s,
                         "UPDATE alert SET acked_at = ?2, acked_by = ?3 WHERE id = ?1 AND acked_at IS NULL");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, by, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_console_ack_derived(tote_store *s, const char *kind, const char *subject,
                                     const char *message, const char *by, const char *now, long long *id)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO alert(kind, subject, message, created_at, acked_at, acked_by) "
                           "VALUES (?1, ?2, ?3, ?4, ?4, ?5)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, by, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    *id = sqlite3_last_insert_rowid(tote_store_db(s));
    return TOTE_ST_E_OK;
}

tote_st_err tote_console_savepoint(tote_store *s)
{
    return store_exec_sql(s, "SAVEPOINT console_ack");
}

tote_st_err tote_console_release(tote_store *s)
{
    return store_exec_sql(s, "RELEASE console_ack");
}

void tote_console_rollback(tote_store *s)
{
    store_exec_sql(s, "ROLLBACK TO console_ack");
    store_exec_sql(s, "RELEASE console_ack");
}
