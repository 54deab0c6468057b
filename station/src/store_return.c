/* Returns: the SQL behind flows_return.c (RMAs, restock/quarantine, refunds). */
#include <stdio.h>
#include <string.h>

#include "store_tx.h"
#include "tote/flows.h"

tote_st_err tote_rma_open_of_device(tote_store *s, const char *device, tote_rma *r)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT r.id, r.order_id, o.name FROM rma r JOIN orders o "
                                          "ON o.id = r.order_id WHERE r.device = ?1 AND r.status = 'open' "
                                          "ORDER BY r.id DESC LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(r, 0, sizeof *r);
        r->id = sqlite3_column_int64(st, 0);
        r->order_id = sqlite3_column_int64(st, 1);
        store_col_text(st, 2, r->order_name, sizeof r->order_name);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_rma_open(tote_store *s, long long order_id, const char *device, const char *actor,
                          const char *now, long long *rma_id, int *resumed)
{
    *resumed = 0;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id FROM rma WHERE order_id = ?1 AND status = 'open' "
                                          "ORDER BY id LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    long long id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    tote_st_err e;
    if (id) {
        st = tote_store_stmt(s, "UPDATE rma SET device = ?2 WHERE id = ?1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, device, -1, SQLITE_TRANSIENT);
        e = store_exec(st);
        *resumed = 1;
    } else {
        st = tote_store_stmt(s, "INSERT INTO rma(order_id, status, opened_by, device, created_at) "
                                "VALUES (?1, 'open', ?2, ?3, ?4)");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, order_id);
        store_bind_text_ne(st, 2, actor);
        sqlite3_bind_text(st, 3, device, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
        e = store_exec(st);
        id = sqlite3_last_insert_rowid(tote_store_db(s));
    }
    if (e != TOTE_ST_E_OK)
        return e;
    /* one open RMA per device: others it held are parked */
    st =
        tote_store_stmt(s, "UPDATE rma SET device = NULL WHERE device = ?1 AND status = 'open' AND id <> ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    e = store_exec(st);
    *rma_id = id;
    return e;
}

tote_st_err tote_return_picked_from(tote_store *s, long long order_id, long long product_id,
                                    long long *location_id)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT st.location_id FROM stock_move m JOIN stock st ON st.id = m.stock_id "
                           "JOIN order_line ol ON ol.id = m.order_line_id WHERE ol.order_id = ?1 "
                           "AND st.product_id = ?2 AND m.kind = 'pick' ORDER BY m.id DESC LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, product_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *location_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_return_picked_lots(tote_store *s, long long order_id, long long product_id, char lot[65],
                                    char expiry[16], int *nlots)
{
    *nlots = 0;
    lot[0] = expiry[0] = '\0';
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT DISTINCT st.lot, COALESCE(st.expiry, '') FROM stock_move m JOIN stock st ON st.id = "
           "m.stock_id "
           "JOIN order_line ol ON ol.id = m.order_line_id WHERE ol.order_id = ?1 AND st.product_id = ?2 "
           "AND m.kind = 'pick' AND COALESCE(st.lot, '') <> '' ORDER BY st.lot LIMIT 2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, product_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (++*nlots == 1) {
            store_col_text(st, 0, lot, 65);
            store_col_text(st, 1, expiry, 16);
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_location_kind(tote_store *s, long long location_id, char kind[16])
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT kind FROM location WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, location_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        store_col_text(st, 0, kind, 16);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_return_apply(tote_store *s, const tote_rma *r, long long product_id, int qty,
                              const char *lot, const char *expiry, long long location_id,
                              const char *disposition, const char *reason, const char *actor,
                              const char *device, const char *now)
{
    /* the stock row at the destination (created empty if needed) */
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO stock(location_id, product_id, lot, expiry) "
                           "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(location_id, product_id, lot) "
                           "DO UPDATE SET expiry = COALESCE(stock.expiry, excluded.expiry) RETURNING id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, location_id);
    sqlite3_bind_int64(st, 2, product_id);
    sqlite3_bind_text(st, 3, lot ? lot : "", -1, SQLITE_TRANSIENT);
    store_bind_text_ne(st, 4, expiry);
    int rc = sqlite3_step(st);
    long long stock_id = 0;
    if (rc == SQLITE_ROW) {
        stock_id = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    int left = qty;
    while (left > 0) {
        st = tote_store_stmt(
            s, "SELECT id, shipped - returned FROM order_line WHERE order_id = ?1 AND product_id = ?2 "
               "AND returned < shipped ORDER BY line_no LIMIT 1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, r->order_id);
        sqlite3_bind_int64(st, 2, product_id);
        rc = sqlite3_step(st);
        long long line = 0, room = 0;
        if (rc == SQLITE_ROW) {
            line = sqlite3_column_int64(st, 0);
            room = sqlite3_column_int64(st, 1);
        }
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return TOTE_ST_E_STATE;
        if (rc != SQLITE_ROW)
            return tote_store_map_rc(rc);
        int take = room < left ? (int)room : left;
        st = tote_store_stmt(s, "UPDATE stock SET on_hand = on_hand + ?2 WHERE id = ?1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, stock_id);
        sqlite3_bind_int(st, 2, take);
        tote_st_err e = store_exec(st);
        if (e != TOTE_ST_E_OK)
            return e;
        st = tote_store_stmt(
            s, "INSERT INTO stock_move(stock_id, kind, qty, order_line_id, actor, device, reason, at) "
               "VALUES (?1, 'return', ?2, ?3, ?4, ?5, ?6, ?7)");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, stock_id);
        sqlite3_bind_int(st, 2, take);
        sqlite3_bind_int64(st, 3, line);
        store_bind_text_ne(st, 4, actor);
        store_bind_text_ne(st, 5, device);
        store_bind_text_ne(st, 6, reason);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
        if ((e = store_exec(st)) != TOTE_ST_E_OK)
            return e;
        st = tote_store_stmt(s, "UPDATE order_line SET returned = returned + ?2 WHERE id = ?1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, line);
        sqlite3_bind_int(st, 2, take);
        if ((e = store_exec(st)) != TOTE_ST_E_OK)
            return e;
        st = tote_store_stmt(
            s, "INSERT INTO rma_line(rma_id, order_line_id, qty, disposition, location_id, reason, at) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, r->id);
        sqlite3_bind_int64(st, 2, line);
        sqlite3_bind_int(st, 3, take);
        sqlite3_bind_text(st, 4, disposition, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, location_id);
        store_bind_text_ne(st, 6, reason);
        sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
        if ((e = store_exec(st)) != TOTE_ST_E_OK)
            return e;
        left -= take;
    }
    return TOTE_ST_E_OK;
}

tote_st_err tote_rma_close(tote_store *s, const tote_rma *r, const char *now, long long *units,
                           long long *refund_cents)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT COALESCE(SUM(rl.qty), 0), COALESCE(SUM(rl.qty * "
                           "COALESCE(ol.price_cents, 0)), 0) FROM rma_line rl JOIN order_line ol "
                           "ON ol.id = rl.order_line_id WHERE rl.rma_id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, r->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *units = sqlite3_column_int64(st, 0);
        *refund_cents = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return tote_store_map_rc(rc);
    if (*units == 0)
        return TOTE_ST_E_STATE;
    st = tote_store_stmt(
        s, "UPDATE rma SET status = 'closed', closed_at = ?2 WHERE id = ?1 AND status = 'open'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "INSERT INTO refund(rma_id, order_id, amount_cents, status, created_at) "
                            "VALUES (?1, ?2, ?3, 'pending', ?4)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_int64(st, 2, r->order_id);
    sqlite3_bind_int64(st, 3, *refund_cents);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    return store_exec(st);
}

tote_st_err tote_order_currency(tote_store *s, long long order_id, char out[8])
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT COALESCE(currency, '') FROM orders WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    out[0] = '\0';
    if (rc == SQLITE_ROW)
        store_col_text(st, 0, out, 8);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}
