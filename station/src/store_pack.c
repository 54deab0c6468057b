/* Packing and shipping: the SQL behind flows_pack.c and `tote manifest`. */
#include <stdio.h>
#include <string.h>

#include "store_tx.h"
#include "tote/flows.h"

/* Runs st expecting one integer row; NOT_FOUND if no row. */
static tote_st_err one_int(sqlite3_stmt *st, long long *out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

#define ORDER_COLUMNS "SELECT id, name, status, COALESCE(tote, '') FROM orders "

static tote_st_err one_order(sqlite3_stmt *st, tote_pack_order *o)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(o, 0, sizeof *o);
        o->id = sqlite3_column_int64(st, 0);
        store_col_text(st, 1, o->name, sizeof o->name);
        store_col_text(st, 2, o->status, sizeof o->status);
        store_col_text(st, 3, o->tote, sizeof o->tote);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_pack_next_order(tote_store *s, tote_pack_order *o)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, ORDER_COLUMNS "WHERE status = 'picked' "
                                         "ORDER BY rush DESC, priority DESC, ordered_at, id LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    return one_order(st, o);
}

tote_st_err tote_pack_order_to_continue(tote_store *s, const char *device, tote_pack_order *o)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, ORDER_COLUMNS "WHERE status = 'packing' AND id IN (SELECT order_id FROM package WHERE device = ?1 "
                         "AND status IN ('closed', 'shipped')) AND NOT EXISTS (SELECT 1 FROM package p "
                         "WHERE p.order_id = orders.id AND p.status = 'open') ORDER BY id DESC LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    return one_order(st, o);
}

tote_st_err tote_pack_order_by_name(tote_store *s, const char *name, tote_pack_order *o)
{
    sqlite3_stmt *st = tote_store_stmt(s, ORDER_COLUMNS "WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    return one_order(st, o);
}

tote_st_err tote_pack_order_by_id(tote_store *s, long long id, tote_pack_order *o)
{
    sqlite3_stmt *st = tote_store_stmt(s, ORDER_COLUMNS "WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    return one_order(st, o);
}

tote_st_err tote_pack_order_by_tote(tote_store *s, const char *tote, tote_pack_order *o)
{
    /* a tote is reused: the order it carries now is the one not yet packed */
    sqlite3_stmt *st =
        tote_store_stmt(s, ORDER_COLUMNS "WHERE tote = ?1 ORDER BY "
                                         "status IN ('picked', 'packing') DESC, id DESC LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, tote, -1, SQLITE_TRANSIENT);
    return one_order(st, o);
}

#define PACKAGE_COLUMNS                                                                                  \
    "SELECT p.id, p.order_id, p.package_no, p.status, o.name, o.status, COALESCE(p.weight_g, -1), "      \
    "COALESCE(p.expected_weight_g, -1), COALESCE(p.tracking, ''), COALESCE(p.sscc, ''), "                \
    "COALESCE(p.device, ''), COALESCE(p.weight_override_by, '') FROM package p JOIN orders o ON o.id = " \
    "p.order_id "

static tote_st_err one_package(sqlite3_stmt *st, tote_package *p)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(st, 0);
        p->order_id = sqlite3_column_int64(st, 1);
        p->package_no = sqlite3_column_int(st, 2);
        store_col_text(st, 3, p->status, sizeof p->status);
        store_col_text(st, 4, p->order_name, sizeof p->order_name);
        store_col_text(st, 5, p->order_status, sizeof p->order_status);
        p->weight_g = sqlite3_column_int64(st, 6);
        p->expected_weight_g = sqlite3_column_int64(st, 7);
        store_col_text(st, 8, p->tracking, sizeof p->tracking);
        store_col_text(st, 9, p->sscc, sizeof p->sscc);
        store_col_text(st, 10, p->device, sizeof p->device);
        store_col_text(st, 11, p->weight_override_by, sizeof p->weight_override_by);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_pack_package_get(tote_store *s, long long id, tote_package *p)
{
    sqlite3_stmt *st = tote_store_stmt(s, PACKAGE_COLUMNS "WHERE p.id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    return one_package(st, p);
}

tote_st_err tote_pack_open_package_of_device(tote_store *s, const char *device, tote_package *p)
{
    sqlite3_stmt *st = tote_store_stmt(s, PACKAGE_COLUMNS "WHERE p.device = ?1 AND p.status = 'open' "
                                                          "ORDER BY p.id DESC LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    return one_package(st, p);
}

tote_st_err tote_pack_last_closed_of_device(tote_store *s, const char *device, tote_package *p)
{
    sqlite3_stmt *st = tote_store_stmt(s, PACKAGE_COLUMNS "WHERE p.device = ?1 AND p.status = 'closed' "
                                                          "ORDER BY p.closed_at DESC, p.id DESC LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    return one_package(st, p);
}

tote_st_err tote_pack_open_package_of_order(tote_store *s, long long order_id, tote_package *p)
{
    sqlite3_stmt *st = tote_store_stmt(s, PACKAGE_COLUMNS "WHERE p.order_id = ?1 AND p.status = 'open' "
                                                          "ORDER BY p.id LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    return one_package(st, p);
}

tote_st_err tote_pack_package_by_code(tote_store *s, const char *code, tote_package *p)
{
    sqlite3_stmt *st = tote_store_stmt(s, PACKAGE_COLUMNS "WHERE p.tracking = ?1 OR p.sscc = ?1 LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    return one_package(st, p);
}

tote_st_err tote_pack_package_create(tote_store *s, long long order_id, const char *device,
                                     const char *packer, const char *now, long long *package_id)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO package(order_id, package_no, status, packer, device, created_at) "
                           "VALUES (?1, (SELECT COALESCE(MAX(package_no), 0) + 1 FROM package WHERE order_id "
                           "= ?1), 'open', ?2, ?3, "
                           "?4)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    store_bind_text_ne(st, 2, packer);
    sqlite3_bind_text(st, 3, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    tote_st_err e = store_exec(st);
    if (e == TOTE_ST_E_OK)
        *package_id = sqlite3_last_insert_rowid(tote_store_db(s));
    return e;
}

tote_st_err tote_pack_package_set_device(tote_store *s, long long package_id, const char *device,
                                         const char *packer)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE package SET device = ?2, packer = COALESCE(?3, packer) "
                                          "WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    store_bind_text_ne(st, 2, device);
    store_bind_text_ne(st, 3, packer);
    return store_exec(st);
}

tote_st_err tote_pack_park_device_packages(tote_store *s, const char *device, long long except_id)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE package SET device = NULL WHERE device = ?1 "
                                          "AND status = 'open' AND id <> ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, except_id);
    return store_exec(st);
}

tote_st_err tote_pack_lines(tote_store *s, long long order_id, int returns, tote_wire_pack_line *lines,
                            int cap, int *n)
{
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "SELECT ol.sku, COALESCE((SELECT b.code FROM barcode b WHERE b.product_id = ol.product_id "
        "  AND b.units = 1 AND length(b.code) = 14 ORDER BY b.code LIMIT 1), ''), COALESCE(ol.name, ''), "
        "CASE WHEN ?2 THEN ol.shipped ELSE ol.picked END, CASE WHEN ?2 THEN ol.returned ELSE ol.packed END "
        "FROM order_line ol WHERE ol.order_id = ?1 AND ol.requires_shipping = 1 ORDER BY ol.line_no");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int(st, 2, returns);
    int rc, k = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < cap) {
        tote_wire_pack_line *l = &lines[k++];
        memset(l, 0, sizeof *l);
        store_col_text(st, 0, l->sku, sizeof l->sku);
        store_col_text(st, 1, l->gtin, sizeof l->gtin);
        store_col_text(st, 2, l->name, sizeof l->name);
        l->expected = (uint32_t)sqlite3_column_int64(st, 3);
        l->packed = (uint32_t)sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    *n = k;
    return (rc == SQLITE_DONE || rc == SQLITE_ROW) ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_pack_room(tote_store *s, long long order_id, long long product_id, int returns, int *lines,
                           long long *room)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN ?3 THEN shipped - returned ELSE picked - packed END), 0) "
           "FROM order_line WHERE order_id = ?1 AND product_id = ?2 AND requires_shipping = 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, product_id);
    sqlite3_bind_int(st, 3, returns);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *lines = sqlite3_column_int(st, 0);
        *room = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_pack_add_item(tote_store *s, long long package_id, long long order_id, long long product_id,
                               int n)
{
    /* spread n over the order's lines of this product that have room */
    while (n > 0) {
        sqlite3_stmt *st =
            tote_store_stmt(s, "SELECT id, picked - packed FROM order_line WHERE order_id = ?1 "
                               "AND product_id = ?2 AND requires_shipping = 1 AND packed < picked "
                               "ORDER BY line_no LIMIT 1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, order_id);
        sqlite3_bind_int64(st, 2, product_id);
        int rc = sqlite3_step(st);
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
        int take = room < n ? (int)room : n;
        st = tote_store_stmt(s,
                             "INSERT INTO package_item(package_id, order_line_id, qty) VALUES (?1, ?2, ?3) "
                             "ON CONFLICT(package_id, order_line_id) DO UPDATE SET qty = qty + excluded.qty");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, package_id);
        sqlite3_bind_int64(st, 2, line);
        sqlite3_bind_int(st, 3, take);
        tote_st_err e = store_exec(st);
        if (e != TOTE_ST_E_OK)
            return e;
        st = tote_store_stmt(s, "UPDATE order_line SET packed = packed + ?2 WHERE id = ?1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, line);
        sqlite3_bind_int(st, 2, take);
        if ((e = store_exec(st)) != TOTE_ST_E_OK)
            return e;
        n -= take;
    }
    /* the contents changed: an earlier weight, and the expected weight worked
     * out for it, no longer count (the reply works it out from the contents) */
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE package SET weight_g = NULL, expected_weight_g = NULL, "
                                          "weight_override_by = NULL WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    return store_exec(st);
}

tote_st_err tote_pack_contents(tote_store *s, long long package_id, long long *units, long long *grams,
                               int *unknown_weight)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT COALESCE(SUM(pi.qty), 0), COALESCE(SUM(pi.qty * COALESCE(p.weight_g, 0)), 0), "
           "COALESCE(SUM(CASE WHEN COALESCE(p.weight_g, 0) = 0 THEN 1 ELSE 0 END), 0) "
           "FROM package_item pi JOIN order_line ol ON ol.id = pi.order_line_id "
           "LEFT JOIN product p ON p.id = ol.product_id WHERE pi.package_id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *units = sqlite3_column_int64(st, 0);
        *grams = sqlite3_column_int64(st, 1);
        *unknown_weight = sqlite3_column_int(st, 2);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_pack_set_weight(tote_store *s, long long package_id, long long weight_g,
                                 long long expected_g)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE package SET weight_g = ?2, expected_weight_g = ?3, "
                                          "weight_override_by = NULL WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    sqlite3_bind_int64(st, 2, weight_g);
    if (expected_g >= 0)
        sqlite3_bind_int64(st, 3, expected_g);
    else
        sqlite3_bind_null(st, 3);
    return store_exec(st);
}

tote_st_err tote_pack_set_weight_override(tote_store *s, long long package_id, const char *supervisor)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE package SET weight_override_by = ?2 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    sqlite3_bind_text(st, 2, supervisor, -1, SQLITE_TRANSIENT);
    return store_exec(st);
}

tote_st_err tote_pack_has_event(tote_store *s, const char *kind, long long package_id, int *yes)
{
    char subject[32];
    snprintf(subject, sizeof subject, "%lld", package_id);
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT COUNT(*) FROM event WHERE subject_type = 'package' "
                                          "AND subject = ?1 AND kind = ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    long long n = 0;
    tote_st_err e = one_int(st, &n);
    *yes = n > 0;
    return e;
}

tote_st_err tote_pack_unpacked(tote_store *s, long long order_id, long long *units)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT COALESCE(SUM(picked - packed), 0) FROM order_line "
                                          "WHERE order_id = ?1 AND requires_shipping = 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    return one_int(st, units);
}

tote_st_err tote_pack_close(tote_store *s, long long package_id, const char *carton, const char *tracking,
                            const char *sscc, const char *service, const char *packer, const char *now)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE package SET status = 'closed', carton = ?2, tracking = ?3, "
                           "sscc = ?4, service = ?5, packer = COALESCE(?6, packer), closed_at = ?7 "
                           "WHERE id = ?1 AND status = 'open'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    store_bind_text_ne(st, 2, carton);
    sqlite3_bind_text(st, 3, tracking, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, sscc, -1, SQLITE_TRANSIENT);
    store_bind_text_ne(st, 5, service);
    store_bind_text_ne(st, 6, packer);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
    return store_exec(st);
}

tote_st_err tote_pack_packages_in(tote_store *s, long long order_id, const char *status, long long *n)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT COUNT(*) FROM package WHERE order_id = ?1 AND status = ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
    return one_int(st, n);
}

tote_st_err tote_pack_ship(tote_store *s, long long package_id, const char *now)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE package SET status = 'shipped', shipped_at = ?2 "
                                          "WHERE id = ?1 AND status = 'closed'");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(s, "UPDATE order_line SET shipped = shipped + (SELECT pi.qty FROM package_item pi "
                            "WHERE pi.package_id = ?1 AND pi.order_line_id = order_line.id) "
                            "WHERE id IN (SELECT order_line_id FROM package_item WHERE package_id = ?1)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    return store_exec(st);
}

tote_st_err tote_manifest_json(tote_store *s, const char *date, cJSON **out)
{
    *out = NULL;
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.name, p.package_no, p.tracking, p.sscc, p.weight_g, p.service, o.ship_country, "
           "o.shipping_method, p.carton, p.shipped_at, "
           "(SELECT COALESCE(SUM(qty), 0) FROM package_item pi WHERE pi.package_id = p.id) "
           "FROM package p JOIN orders o ON o.id = p.order_id "
           "WHERE p.shipped_at IS NOT NULL AND substr(p.shipped_at, 1, 10) = ?1 "
           "AND p.status IN ('shipped', 'delivered') ORDER BY p.shipped_at, p.id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, date, -1, SQLITE_TRANSIENT);
    cJSON *arr = cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        static const char *const keys[] = {"order",    "package",    "tracking", "sscc",
                                           "weight_g", "service",    "country",  "method",
                                           "carton",   "shipped_at", "units"};
        for (int i = 0; i < 11; i++) {
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_NULL:
                cJSON_AddNullToObject(o, keys[i]);
                break;
            case SQLITE_INTEGER:
                cJSON_AddNumberToObject(o, keys[i], (double)sqlite3_column_int64(st, i));
                break;
            default:
                cJSON_AddStringToObject(o, keys[i], (const char *)sqlite3_column_text(st, i));
            }
        }
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return tote_store_map_rc(rc);
    }
    *out = arr;
    return TOTE_ST_E_OK;
}
