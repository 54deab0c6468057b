/* Picking: the SQL behind flows_pick.c (declared in tote/flows.h). */
#include <stdio.h>
#include <string.h>

#include "store_tx.h"
#include "tote/flows.h"
#include "tote/orders.h"
#include "tote/server.h"

/* Order states in which a pick task is worked on (others: held or cancelled). */
#define ACTIVE_ORDER "o.status NOT IN ('on_hold', 'cancelled')"

#define TASK_SELECT(GTIN, LEFT)                                                                \
    "SELECT t.id, t.pick_list_id, ol.order_id, t.order_line_id, t.allocation_id, t.stock_id, " \
    "st.product_id, st.location_id, loc.code, p.sku, p.name, " GTIN ", st.lot, "               \
    "COALESCE(st.expiry, ''), COALESCE(t.tote, o.tote, ''), o.name, t.qty, t.done, t.short, "  \
    "t.bin_confirmed, t.status, o.status, COALESCE(l.device, ''), " LEFT " "                   \
    "FROM pick_task t JOIN pick_list l ON l.id = t.pick_list_id "                              \
    "JOIN order_line ol ON ol.id = t.order_line_id JOIN orders o ON o.id = ol.order_id "       \
    "JOIN stock st ON st.id = t.stock_id JOIN location loc ON loc.id = st.location_id "        \
    "JOIN product p ON p.id = st.product_id "

/* what a TASK reply shows: the item's GTIN and the tasks left in the list */
#define TASK_COLUMNS                                                                                   \
    TASK_SELECT("COALESCE((SELECT b.code FROM barcode b WHERE b.product_id = p.id AND b.units = 1 "    \
                "AND length(b.code) = 14 ORDER BY b.code LIMIT 1), '')",                               \
                "(SELECT COUNT(*) FROM pick_task t2 JOIN order_line ol2 ON ol2.id = t2.order_line_id " \
                "JOIN orders o2 ON o2.id = ol2.order_id WHERE t2.pick_list_id = t.pick_list_id "       \
                "AND t2.status = 'open' AND o2.status NOT IN ('on_hold', 'cancelled'))")
/* the scan path needs neither (gtin "", tasks_left 0) */
#define TASK_COLUMNS_LEAN TASK_SELECT("''", "0")

static void read_task(sqlite3_stmt *st, tote_pick_task *t)
{
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->pick_list_id = sqlite3_column_int64(st, 1);
    t->order_id = sqlite3_column_int64(st, 2);
    t->order_line_id = sqlite3_column_int64(st, 3);
    t->allocation_id = sqlite3_column_int64(st, 4);
    t->stock_id = sqlite3_column_int64(st, 5);
    t->product_id = sqlite3_column_int64(st, 6);
    t->location_id = sqlite3_column_int64(st, 7);
    store_col_text(st, 8, t->bin, sizeof t->bin);
    store_col_text(st, 9, t->sku, sizeof t->sku);
    store_col_text(st, 10, t->name, sizeof t->name);
    store_col_text(st, 11, t->gtin, sizeof t->gtin);
    store_col_text(st, 12, t->lot, sizeof t->lot);
    store_col_text(st, 13, t->expiry, sizeof t->expiry);
    store_col_text(st, 14, t->tote, sizeof t->tote);
    store_col_text(st, 15, t->order_name, sizeof t->order_name);
    t->qty = sqlite3_column_int(st, 16);
    t->done = sqlite3_column_int(st, 17);
    t->short_qty = sqlite3_column_int(st, 18);
    t->bin_confirmed = sqlite3_column_int(st, 19);
    store_col_text(st, 20, t->status, sizeof t->status);
    store_col_text(st, 21, t->order_status, sizeof t->order_status);
    store_col_text(st, 22, t->device, sizeof t->device);
    t->tasks_left = sqlite3_column_int(st, 23);
}

static tote_st_err one_task(sqlite3_stmt *st, tote_pick_task *t)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_task(st, t);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_pick_current(tote_store *s, const char *device, tote_pick_task *t)
{
    return tote_pick_current_ex(s, device, 1, t);
}

#define CURRENT_WHERE                                                                     \
    "WHERE l.device = ?1 AND l.status = 'leased' AND t.status = 'open' AND " ACTIVE_ORDER \
    " ORDER BY l.id, t.seq, t.id LIMIT 1"

tote_st_err tote_pick_current_ex(tote_store *s, const char *device, int full, tote_pick_task *t)
{
    sqlite3_stmt *st = full ? tote_store_stmt(s, TASK_COLUMNS CURRENT_WHERE)
                            : tote_store_stmt(s, TASK_COLUMNS_LEAN CURRENT_WHERE);
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    return one_task(st, t);
}

tote_st_err tote_pick_task_get(tote_store *s, long long task_id, tote_pick_task *t)
{
    sqlite3_stmt *st = tote_store_stmt(s, TASK_COLUMNS "WHERE t.id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, task_id);
    return one_task(st, t);
}

tote_st_err tote_pick_lease_next(tote_store *s, const char *device, const char *operator_name,
                                 const char *lease_until, long long *list_id)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT l.id, l.wave_id FROM pick_list l WHERE l.status = 'open' AND EXISTS ("
           "  SELECT 1 FROM pick_task t JOIN order_line ol ON ol.id = t.order_line_id "
           "  JOIN orders o ON o.id = ol.order_id WHERE t.pick_list_id = l.id AND t.status = 'open' "
           "  AND " ACTIVE_ORDER ") "
           /* lists are numbered wave by wave, and within a wave in order priority
              (wave.h): list id order is "oldest wave first, then priority" */
           "ORDER BY l.id LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    int rc = sqlite3_step(st);
    long long id = 0, wave = 0;
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        wave = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return TOTE_ST_E_NOT_FOUND;
    if (rc != SQLITE_ROW)
        return tote_store_map_rc(rc);
    st = tote_store_stmt(
        s, "UPDATE pick_list SET status = 'leased', device = ?2, operator = ?3, lease_until = ?4 "
           "WHERE id = ?1 AND status = 'open'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, device, -1, SQLITE_TRANSIENT);
    store_bind_text_ne(st, 3, operator_name);
    sqlite3_bind_text(st, 4, lease_until, -1, SQLITE_TRANSIENT);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "UPDATE wave SET status = 'picking' WHERE id = ?1 AND status = 'open'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, wave);
    if ((e = store_exec(st)) != TOTE_ST_E_OK)
        return e;
    *list_id = id;
    return TOTE_ST_E_OK;
}

tote_st_err tote_pick_list_orders(tote_store *s, long long list_id, tote_order_ref *out, int cap, int *n)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT DISTINCT o.id, o.name, o.status FROM pick_task t "
                                          "JOIN order_line ol ON ol.id = t.order_line_id "
                                          "JOIN orders o ON o.id = ol.order_id WHERE t.pick_list_id = ?1 "
                                          "ORDER BY o.id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    int rc, k = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k < cap) {
            out[k].id = sqlite3_column_int64(st, 0);
            store_col_text(st, 1, out[k].name, sizeof out[k].name);
            store_col_text(st, 2, out[k].status, sizeof out[k].status);
        }
        k++;
    }
    sqlite3_reset(st);
    *n = k < cap ? k : cap;
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_pick_renew_lease(tote_store *s, const char *device, const char *lease_until)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE pick_list SET lease_until = ?2 WHERE device = ?1 "
                                          "AND status = 'leased'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, lease_until, -1, SQLITE_TRANSIENT);
    return store_exec(st);
}

tote_st_err tote_pick_confirm_bin(tote_store *s, long long task_id)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE pick_task SET bin_confirmed = 1 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, task_id);
    return store_exec(st);
}

/*
 * Runs `lean` (an UPDATE of id ?1 by ?2 that leaves status alone and matches
 * only while the row stays open), else `full` (the same with the status
 * CASE). The tables' CHECK (status IN (...)) is evaluated only when status
 * is assigned, and an IN list costs SQLite an ephemeral table per run: most
 * scans do not finish their task, so most runs need only the lean one.
 */
static tote_st_err update_lean_or_full(tote_store *s, const char *lean, const char *full, long long id, int n)
{
    sqlite3_stmt *st = tote_store_stmt(s, lean);
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, n);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK || sqlite3_changes(tote_store_db(s)) > 0)
        return e;
    if (!(st = tote_store_stmt(s, full)))
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, n);
    return store_exec(st);
}

tote_st_err tote_pick_apply(tote_store *s, const tote_pick_task *t, int n, const char *actor,
                            const char *device, const char *now)
{
    tote_st_err e = update_lean_or_full(
        s, "UPDATE pick_task SET done = done + ?2 WHERE id = ?1 AND done + ?2 + short < qty",
        "UPDATE pick_task SET done = done + ?2, status = CASE WHEN "
        "done + ?2 + short >= qty THEN 'done' ELSE status END WHERE id = ?1",
        t->id, n);
    if (e != TOTE_ST_E_OK)
        return e;
    e = update_lean_or_full(
        s, "UPDATE allocation SET picked = picked + ?2 WHERE id = ?1 AND picked + ?2 < qty",
        "UPDATE allocation SET picked = picked + ?2, status = CASE WHEN picked + ?2 >= qty "
        "THEN 'done' ELSE status END WHERE id = ?1",
        t->allocation_id, n);
    if (e != TOTE_ST_E_OK)
        return e;
    sqlite3_stmt *st;
    st = tote_store_stmt(s, "UPDATE order_line SET picked = picked + ?2 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, t->order_line_id);
    sqlite3_bind_int(st, 2, n);
    if ((e = store_exec(st)) != TOTE_ST_E_OK)
        return e;
    st =
        tote_store_stmt(s, "UPDATE stock SET on_hand = on_hand - ?2, reserved = reserved - ?2 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, t->stock_id);
    sqlite3_bind_int(st, 2, n);
    if ((e = store_exec(st)) != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "INSERT INTO stock_move(stock_id, kind, qty, order_line_id, actor, device, at) "
                            "VALUES (?1, 'pick', ?2, ?3, ?4, ?5, ?6)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, t->stock_id);
    sqlite3_bind_int(st, 2, -n);
    sqlite3_bind_int64(st, 3, t->order_line_id);
    store_bind_text_ne(st, 4, actor);
    store_bind_text_ne(st, 5, device);
    sqlite3_bind_text(st, 6, now, -1, SQLITE_TRANSIENT);
    return store_exec(st);
}

tote_st_err tote_pick_close_short(tote_store *s, const tote_pick_task *t, int short_units)
{
    int left = t->qty - t->done - t->short_qty;
    if (short_units <= 0 || short_units > left)
        return TOTE_ST_E_STATE;
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE pick_task SET short = short + ?2, status = CASE WHEN "
                           "done + short + ?2 >= qty THEN 'short' ELSE status END WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, t->id);
    sqlite3_bind_int(st, 2, short_units);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    /* the allocation gives up the units that are not there: reserved and
     * order_line.allocated drop by the same amount (alloc.h, short picks) */
    st = tote_store_stmt(s, "SELECT qty, picked, status FROM allocation WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, t->allocation_id);
    int rc = sqlite3_step(st);
    long long aqty = 0, apicked = 0;
    int open = 0;
    if (rc == SQLITE_ROW) {
        aqty = sqlite3_column_int64(st, 0);
        apicked = sqlite3_column_int64(st, 1);
        open = strcmp((const char *)sqlite3_column_text(st, 2), "open") == 0;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    if (!open)
        return TOTE_ST_E_OK;
    long long give = short_units < aqty - apicked ? short_units : aqty - apicked;
    if (give <= 0)
        return TOTE_ST_E_OK;
    if (aqty - give > apicked)
        st = tote_store_stmt(s, "UPDATE allocation SET qty = qty - ?2 WHERE id = ?1");
    else if (apicked > 0)
        st = tote_store_stmt(
            s, "UPDATE allocation SET qty = picked, status = 'short' WHERE id = ?1 AND ?2 = ?2");
    else
        st = tote_store_stmt(s, "UPDATE allocation SET status = 'cancelled' WHERE id = ?1 AND ?2 = ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, t->allocation_id);
    sqlite3_bind_int64(st, 2, give);
    if ((e = store_exec(st)) != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "UPDATE stock SET reserved = reserved - ?2 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, t->stock_id);
    sqlite3_bind_int64(st, 2, give);
    if ((e = store_exec(st)) != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "UPDATE order_line SET allocated = allocated - ?2 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, t->order_line_id);
    sqlite3_bind_int64(st, 2, give);
    return store_exec(st);
}

tote_st_err tote_pick_line_short(tote_store *s, long long order_line_id, int qty, char order_name[65])
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE order_line SET short = short + ?2 WHERE id = ?1 RETURNING "
                                          "(SELECT name FROM orders WHERE orders.id = order_line.order_id)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_line_id);
    sqlite3_bind_int(st, 2, qty);
    order_name[0] = '\0';
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_col_text(st, 0, order_name, 65);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_pick_stock_on_hand(tote_store *s, long long stock_id, long long *on_hand)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT on_hand FROM stock WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, stock_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *on_hand = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_pick_list_open_tasks(tote_store *s, long long list_id, int *n)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT COUNT(*) FROM pick_task t "
                           "JOIN order_line ol ON ol.id = t.order_line_id "
                           "JOIN orders o ON o.id = ol.order_id "
                           "WHERE t.pick_list_id = ?1 AND t.status = 'open' AND " ACTIVE_ORDER);
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_pick_list_finish(tote_store *s, long long list_id, const char *now)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE pick_list SET status = 'done', done_at = ?2, lease_until = NULL "
                           "WHERE id = ?1 AND status <> 'done'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(
        s, "UPDATE wave SET status = 'done' WHERE id = (SELECT wave_id FROM pick_list WHERE id = ?1) "
           "AND NOT EXISTS (SELECT 1 FROM pick_list l WHERE l.wave_id = wave.id "
           "AND l.status IN ('open', 'leased'))");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    return store_exec(st);
}

tote_st_err tote_pick_order_open_tasks(tote_store *s, long long order_id, int *n)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT COUNT(*) FROM pick_task t JOIN order_line ol "
                           "ON ol.id = t.order_line_id WHERE ol.order_id = ?1 AND t.status = 'open'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_pick_order_set_tote(tote_store *s, long long order_id, const char *tote)
{
    if (!tote || !*tote)
        return TOTE_ST_E_OK;
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE orders SET tote = ?2 WHERE id = ?1 AND tote IS NULL");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_text(st, 2, tote, -1, SQLITE_TRANSIENT);
    return store_exec(st);
}

tote_st_err tote_alert_raise(tote_store *s, const char *kind, const char *subject, const char *message,
                             const char *now, long long *alert_id)
{
    sqlite3_stmt *st = tote_store_stmt(s, "INSERT INTO alert(kind, subject, message, created_at) "
                                          "VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    store_bind_text_ne(st, 2, subject);
    sqlite3_bind_text(st, 3, message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    tote_st_err e = store_exec(st);
    if (e == TOTE_ST_E_OK && alert_id)
        *alert_id = sqlite3_last_insert_rowid(tote_store_db(s));
    return e;
}

tote_st_err tote_count_task_create(tote_store *s, long long location_id, long long product_id,
                                   const char *reason, const char *now, long long *count_task_id)
{
    /* one open recount per bin and product is enough */
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id FROM count_task WHERE location_id = ?1 AND product_id = ?2 "
                           "AND status = 'open'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, location_id);
    sqlite3_bind_int64(st, 2, product_id);
    int rc = sqlite3_step(st);
    long long id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    if (!id) {
        st = tote_store_stmt(s, "INSERT INTO count_task(location_id, product_id, reason, created_at) "
                                "VALUES (?1, ?2, ?3, ?4)");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, location_id);
        sqlite3_bind_int64(st, 2, product_id);
        store_bind_text_ne(st, 3, reason);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
        tote_st_err e = store_exec(st);
        if (e != TOTE_ST_E_OK)
            return e;
        id = sqlite3_last_insert_rowid(tote_store_db(s));
    }
    if (count_task_id)
        *count_task_id = id;
    return TOTE_ST_E_OK;
}

tote_st_err tote_flow_order_status(tote_store *s, long long order_id, const char *to, const char *actor,
                                   const char *device, const char *reason, tote_order_ref *out)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT name, status FROM orders WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    tote_order_ref ref;
    memset(&ref, 0, sizeof ref);
    ref.id = order_id;
    if (rc == SQLITE_ROW) {
        store_col_text(st, 0, ref.name, sizeof ref.name);
        store_col_text(st, 1, ref.status, sizeof ref.status);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    if (out)
        *out = ref;
    if (strcmp(ref.status, to) == 0)
        return TOTE_ST_E_OK;
    tote_order_status target;
    if (tote_order_status_parse(to, &target) != 0)
        return TOTE_ST_E_INVALID;
    char *detail = NULL;
    if (reason) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "reason", reason);
        detail = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
    }
    tote_st_err e = tote_order_set_status(s, order_id, target, actor, device, detail, NULL);
    cJSON_free(detail);
    return e;
}

tote_st_err tote_pick_expire_leases(tote_store *s, const char *now, int lease_seconds,
                                    void (*cb)(void *ctx, long long list_id, const char *device), void *ctx,
                                    int *n)
{
    *n = 0;
    /* the lease runs from the device's last request (device.last_seen, kept by
     * every batch); lease_until is what was promised at the last NEXT_TASK.
     * Nothing is rewritten while a handheld is alive. */
    char cutoff[32];
    tote_flow_time_add(now, -lease_seconds, cutoff);
    tote_st_err e;
    sqlite3_stmt *st;
    for (;;) {
        st = tote_store_stmt(s, "SELECT l.id, COALESCE(l.device, '') FROM pick_list l "
                                "LEFT JOIN device d ON d.name = l.device WHERE l.status = 'leased' "
                                "AND COALESCE(d.last_seen, l.lease_until, '') < ?2 "
                                "AND COALESCE(l.lease_until, '') < ?1 ORDER BY l.id LIMIT 1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, cutoff, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        long long id = 0;
        char device[256] = "";
        if (rc == SQLITE_ROW) {
            id = sqlite3_column_int64(st, 0);
            store_col_text(st, 1, device, sizeof device);
        }
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return TOTE_ST_E_OK;
        if (rc != SQLITE_ROW)
            return tote_store_map_rc(rc);
        st = tote_store_stmt(s, "UPDATE pick_list SET status = 'open', device = NULL, operator = NULL, "
                                "lease_until = NULL WHERE id = ?1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, id);
        if ((e = store_exec(st)) != TOTE_ST_E_OK)
            return e;
        /* orders of the list on which nothing happened yet go back to 'allocated' */
        tote_order_ref orders[64];
        int k = 0;
        if ((e = tote_pick_list_orders(s, id, orders, 64, &k)) != TOTE_ST_E_OK)
            return e;
        for (int i = 0; i < k; i++) {
            if (strcmp(orders[i].status, "picking") != 0)
                continue;
            sqlite3_stmt *q = tote_store_stmt(s, "SELECT COUNT(*) FROM order_line WHERE order_id = ?1 "
                                                 "AND (picked > 0 OR short > 0)");
            if (!q)
                return TOTE_ST_E_DB;
            sqlite3_bind_int64(q, 1, orders[i].id);
            int touched = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : 1;
            sqlite3_reset(q);
            if (!touched && (e = tote_flow_order_status(s, orders[i].id, "allocated", NULL, device,
                                                        "pick list lease expired", NULL)) != TOTE_ST_E_OK)
                return e;
        }
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "device", device);
        char *detail = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
        char subject[32];
        snprintf(subject, sizeof subject, "%lld", id);
        e = tote_store_event(s, NULL, device, "lease_expired", "pick_list", subject, detail);
        cJSON_free(detail);
        if (e != TOTE_ST_E_OK)
            return e;
        (*n)++;
        if (cb)
            cb(ctx, id, device);
    }
}

tote_st_err tote_pick_claims_on_stock(tote_store *s, long long stock_id, long long keep_task,
                                      tote_pick_claim *out, int cap, int *n)
{
    *n = 0;
    /* open tasks first (in list and walk order), then allocations that no
       open task covers yet. Both start from the bin's allocations
       (allocation_stock) and reach a task through its order line
       (pick_task_line): a task keeps its allocation's stock for good, and
       pick_task has no index by stock or by allocation. Read from the task
       side, both halves walked the whole pick_task table, the second once
       per allocation on the bin: a short pick in the loop grew with every
       task ever waved. */
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT task_id, alloc_id, line_id, left FROM ("
           "SELECT t.id AS task_id, a.id AS alloc_id, t.order_line_id AS line_id, "
           "t.qty - t.done - t.short AS left FROM allocation a "
           "JOIN pick_task t ON t.order_line_id = a.order_line_id AND t.allocation_id = a.id "
           "WHERE a.stock_id = ?1 AND a.status = 'open' AND t.stock_id = ?1 AND t.id != ?2 "
           "AND t.status = 'open' AND t.qty - t.done - t.short > 0 "
           "UNION ALL "
           "SELECT 0, a.id, a.order_line_id, a.qty - a.picked FROM allocation a "
           "WHERE a.stock_id = ?1 AND a.status = 'open' AND a.qty - a.picked > 0 "
           "AND NOT EXISTS (SELECT 1 FROM pick_task t WHERE t.order_line_id = a.order_line_id "
           "AND t.allocation_id = a.id)) "
           "ORDER BY task_id = 0, task_id, alloc_id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, stock_id);
    sqlite3_bind_int64(st, 2, keep_task);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < cap) {
        tote_pick_claim *c = &out[(*n)++];
        c->task_id = sqlite3_column_int64(st, 0);
        c->allocation_id = sqlite3_column_int64(st, 1);
        c->order_line_id = sqlite3_column_int64(st, 2);
        c->left = sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_pick_alloc_give_up(tote_store *s, long long allocation_id, int units)
{
    if (units <= 0)
        return TOTE_ST_E_INVALID;
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT stock_id, order_line_id, qty - picked FROM allocation WHERE id = ?1 AND status = 'open'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, allocation_id);
    int rc = sqlite3_step(st);
    long long stock_id = 0, line_id = 0, left = 0;
    if (rc == SQLITE_ROW) {
        stock_id = sqlite3_column_int64(st, 0);
        line_id = sqlite3_column_int64(st, 1);
        left = sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    if (units > left)
        return TOTE_ST_E_STATE;
    /* keep qty > 0 (CHECK): a fully given-up allocation keeps its qty and is cancelled */
    st = tote_store_stmt(
        s, "UPDATE allocation SET "
           "status = CASE WHEN qty - ?2 <= picked THEN (CASE WHEN picked > 0 THEN 'done' "
           "ELSE 'cancelled' END) ELSE status END, "
           "qty = CASE WHEN qty - ?2 <= picked THEN (CASE WHEN picked > 0 THEN picked ELSE qty END) "
           "ELSE qty - ?2 END WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, allocation_id);
    sqlite3_bind_int(st, 2, units);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "UPDATE stock SET reserved = reserved - ?2 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, stock_id);
    sqlite3_bind_int(st, 2, units);
    if ((e = store_exec(st)) != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "UPDATE order_line SET allocated = allocated - ?2 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, line_id);
    sqlite3_bind_int(st, 2, units);
    return store_exec(st);
}
