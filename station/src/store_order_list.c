/*
 * Order listings (tote/orders.h): `tote order list` and `tote order show`
 * as JSON, computed from orders, lines, packages and the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store_tx.h"
#include "tote/orders.h"

tote_st_err tote_order_list_json(tote_store *s, const char *status, cJSON **out)
{
    store_detail_clear();
    *out = NULL;
    tote_order_status want;
    if (status && *status && tote_order_status_parse(status, &want) != 0)
        return store_fail(
            TOTE_ST_E_INVALID,
            "'%s' is not an order status (received, on_hold, released, allocated, picking, picked, "
            "packing, packed, shipped, delivered, cancelled)",
            status);
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.name, o.status, o.hold_reason, o.payment_status, o.cod, o.priority, o.rush, o.pickup, "
           "o.ship_by, o.channel, c.email, o.ship_name, o.ship_country, o.ordered_at, "
           "COUNT(l.id), COALESCE(SUM(CASE WHEN l.requires_shipping = 1 THEN l.ordered ELSE 0 END), 0), "
           "COALESCE(SUM(l.allocated), 0), COALESCE(SUM(l.picked), 0), "
           "COALESCE(SUM(l.packed), 0), COALESCE(SUM(l.shipped), 0) "
           "FROM orders o LEFT JOIN customer c ON c.id = o.customer_id LEFT JOIN order_line l ON l.order_id "
           "= o.id "
           "WHERE ?1 IS NULL OR o.status = ?1 GROUP BY o.id ORDER BY o.ordered_at, o.id");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    store_bind_text_ne(st, 1, status);
    cJSON *arr = cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        store_json_col(o, "name", st, 0);
        store_json_col(o, "status", st, 1);
        store_json_col(o, "hold_reason", st, 2);
        store_json_col(o, "payment_status", st, 3);
        store_json_col(o, "?cod", st, 4);
        store_json_col(o, "#priority", st, 5);
        store_json_col(o, "?rush", st, 6);
        store_json_col(o, "?pickup", st, 7);
        store_json_col(o, "ship_by", st, 8);
        store_json_col(o, "channel", st, 9);
        store_json_col(o, "email", st, 10);
        store_json_col(o, "ship_name", st, 11);
        store_json_col(o, "ship_country", st, 12);
        store_json_col(o, "ordered_at", st, 13);
        store_json_col(o, "#lines", st, 14);
        store_json_col(o, "#units", st, 15);
        store_json_col(o, "#allocated", st, 16);
        store_json_col(o, "#picked", st, 17);
        store_json_col(o, "#packed", st, 18);
        store_json_col(o, "#shipped", st, 19);
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return store_db_fail(s, rc);
    }
    *out = arr;
    return TOTE_ST_E_OK;
}

/* Runs st (bound), adding one object per row built by fill into arr. */
static int each_row(sqlite3_stmt *st, cJSON *arr, void (*fill)(cJSON *, sqlite3_stmt *))
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        fill(o, st);
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    return rc;
}

static void fill_line(cJSON *o, sqlite3_stmt *st)
{
    store_json_col(o, "#line_no", st, 0);
    store_json_col(o, "sku", st, 1);
    store_json_col(o, "name", st, 2);
    store_json_col(o, "?known", st, 3);
    store_json_col(o, "?requires_shipping", st, 4);
    store_json_col(o, "#price_cents", st, 5);
    store_json_col(o, "#ordered", st, 6);
    store_json_col(o, "#allocated", st, 7);
    store_json_col(o, "#unallocated", st, 8);
    store_json_col(o, "#picked", st, 9);
    store_json_col(o, "#short", st, 10);
    store_json_col(o, "#packed", st, 11);
    store_json_col(o, "#shipped", st, 12);
    store_json_col(o, "#returned", st, 13);
}

static void fill_package(cJSON *o, sqlite3_stmt *st)
{
    store_json_col(o, "#package_no", st, 0);
    store_json_col(o, "status", st, 1);
    store_json_col(o, "carton", st, 2);
    store_json_col(o, "#weight_g", st, 3);
    store_json_col(o, "tracking", st, 4);
    store_json_col(o, "sscc", st, 5);
    store_json_col(o, "service", st, 6);
    store_json_col(o, "created_at", st, 7);
    store_json_col(o, "shipped_at", st, 8);
}

static void fill_event(cJSON *o, sqlite3_stmt *st)
{
    store_json_col(o, "at", st, 0);
    store_json_col(o, "actor", st, 1);
    store_json_col(o, "device", st, 2);
    store_json_col(o, "kind", st, 3);
    const char *d = (const char *)sqlite3_column_text(st, 4);
    cJSON *dj = d ? cJSON_Parse(d) : NULL;
    if (dj)
        cJSON_AddItemToObject(o, "detail", dj);
    else if (d)
        cJSON_AddStringToObject(o, "detail", d);
    else
        cJSON_AddNullToObject(o, "detail");
}

tote_st_err tote_order_show_json(tote_store *s, const char *name, cJSON **out)
{
    store_detail_clear();
    *out = NULL;
    if (!name || !*name)
        return store_fail(TOTE_ST_E_INVALID, "no order name given");
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.id, o.name, o.channel, o.external_ref, o.status, o.hold_reason, o.priority, o.rush, "
           "o.pickup, "
           "o.ship_by, o.tote, o.ordered_at, o.created_at, o.updated_at, c.email, o.customer_name, "
           "o.customer_phone, "
           "o.payment_status, o.payment_method, o.cod, o.currency, o.total_cents, o.shipping_method, "
           "o.ship_name, "
           "o.ship_company, o.ship_address1, o.ship_address2, o.ship_city, o.ship_zip, o.ship_province, "
           "o.ship_country, o.ship_phone FROM orders o LEFT JOIN customer c ON c.id = o.customer_id "
           "WHERE o.name = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? store_fail(TOTE_ST_E_NOT_FOUND, "no order named %s", name)
                                 : store_db_fail(s, rc);
    }
    long long id = sqlite3_column_int64(st, 0);
    cJSON *o = cJSON_CreateObject();
    store_json_col(o, "name", st, 1);
    store_json_col(o, "channel", st, 2);
    store_json_col(o, "external_ref", st, 3);
    store_json_col(o, "status", st, 4);
    store_json_col(o, "hold_reason", st, 5);
    store_json_col(o, "#priority", st, 6);
    store_json_col(o, "?rush", st, 7);
    store_json_col(o, "?pickup", st, 8);
    store_json_col(o, "ship_by", st, 9);
    store_json_col(o, "tote", st, 10);
    store_json_col(o, "ordered_at", st, 11);
    store_json_col(o, "created_at", st, 12);
    store_json_col(o, "updated_at", st, 13);
    if (sqlite3_column_type(st, 14) == SQLITE_NULL) {
        cJSON_AddNullToObject(o, "customer");
    } else {
        cJSON *c = cJSON_AddObjectToObject(o, "customer");
        store_json_col(c, "email", st, 14);
        store_json_col(c, "name", st, 15);
        store_json_col(c, "phone", st, 16);
    }
    cJSON *p = cJSON_AddObjectToObject(o, "payment");
    store_json_col(p, "status", st, 17);
    store_json_col(p, "method", st, 18);
    store_json_col(p, "?cod", st, 19);
    store_json_col(p, "currency", st, 20);
    store_json_col(p, "#total_cents", st, 21);
    cJSON *sh = cJSON_AddObjectToObject(o, "shipping");
    static const char *const ship_keys[] = {"method", "name", "company",  "address1", "address2",
                                            "city",   "zip",  "province", "country",  "phone"};
    for (int i = 0; i < 10; i++)
        store_json_col(sh, ship_keys[i], st, 22 + i);
    sqlite3_reset(st);

    tote_st_err e = TOTE_ST_E_OK;
    st = tote_store_stmt(
        s, "SELECT line_no, sku, name, product_id IS NOT NULL, requires_shipping, price_cents, "
           "ordered, allocated, CASE WHEN requires_shipping = 1 AND ordered - allocated - short > 0 "
           "THEN ordered - allocated - short ELSE 0 END, picked, short, packed, shipped, returned "
           "FROM order_line WHERE order_id = ?1 ORDER BY line_no");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = each_row(st, cJSON_AddArrayToObject(o, "lines"), fill_line);
    if (rc != SQLITE_DONE) {
        e = store_db_fail(s, rc);
        goto out;
    }
    st = tote_store_stmt(s,
                         "SELECT package_no, status, carton, weight_g, tracking, sscc, service, created_at, "
                         "shipped_at FROM package WHERE order_id = ?1 ORDER BY package_no");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    rc = each_row(st, cJSON_AddArrayToObject(o, "packages"), fill_package);
    if (rc != SQLITE_DONE) {
        e = store_db_fail(s, rc);
        goto out;
    }
    st = tote_store_stmt(s, "SELECT at, actor, device, kind, detail FROM event WHERE subject_type = 'order' "
                            "AND subject = ?1 ORDER BY id");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = each_row(st, cJSON_AddArrayToObject(o, "events"), fill_event);
    if (rc != SQLITE_DONE)
        e = store_db_fail(s, rc);
out:
    if (e != TOTE_ST_E_OK) {
        cJSON_Delete(o);
        return e;
    }
    *out = o;
    return TOTE_ST_E_OK;
}
