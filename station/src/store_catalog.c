/* The catalog: products and barcodes. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store_tx.h"
#include "tote/catalog.h"

static int opt_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* "key": {"from": a, "to": b} into changed, when a and b differ (-1 = unset, null) */
static void change_num(cJSON *changed, const char *key, long long a, long long b)
{
    if (a == b)
        return;
    cJSON *c = cJSON_AddObjectToObject(changed, key);
    if (a < 0)
        cJSON_AddNullToObject(c, "from");
    else
        cJSON_AddNumberToObject(c, "from", (double)a);
    if (b < 0)
        cJSON_AddNullToObject(c, "to");
    else
        cJSON_AddNumberToObject(c, "to", (double)b);
}

static void change_text(cJSON *changed, const char *key, const char *a, const char *b)
{
    if (opt_eq(a, b))
        return;
    cJSON *c = cJSON_AddObjectToObject(changed, key);
    if (a)
        cJSON_AddStringToObject(c, "from", a);
    else
        cJSON_AddNullToObject(c, "from");
    if (b)
        cJSON_AddStringToObject(c, "to", b);
    else
        cJSON_AddNullToObject(c, "to");
}

/* product.created / product.updated; changed (may be NULL, taken over):
 * the fields an update changed, each from -> to. */
static tote_st_err product_event(tote_store *s, const char *actor, const char *kind, const char *sku,
                                 long long id, cJSON *changed)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "product_id", (double)id);
    if (changed)
        cJSON_AddItemToObject(d, "changed", changed);
    char *txt = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    tote_st_err e = tote_store_event(s, actor, NULL, kind, "product", sku, txt);
    cJSON_free(txt);
    return e;
}

tote_st_err tote_product_upsert(tote_store *s, const tote_product_in *p, const char *actor,
                                tote_upsert_result *res, long long *product_id)
{
    store_detail_clear();
    if (!p || !p->sku || !*p->sku)
        return store_fail(TOTE_ST_E_INVALID, "a product needs a SKU");
    if (strlen(p->sku) > 128)
        return store_fail(TOTE_ST_E_INVALID, "SKU '%.40s...' is longer than 128 bytes", p->sku);
    if (p->requires_shipping > 1 || p->lot_tracked > 1)
        return store_fail(TOTE_ST_E_INVALID, "product %s: requires_shipping and lot_tracked are 0 or 1",
                          p->sku);
    if (p->price_cents < -1)
        return store_fail(TOTE_ST_E_INVALID, "product %s: price %lld is negative", p->sku, p->price_cents);
    if (p->reorder_point < -1 || p->reorder_qty < -1)
        return store_fail(TOTE_ST_E_INVALID, "product %s: reorder point and quantity cannot be negative",
                          p->sku);

    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    char now[32];
    tote_store_now(now);
    tote_upsert_result r = TOTE_UPSERT_UNCHANGED;
    long long id = 0;

    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id, name, handle, weight_g, requires_shipping, lot_tracked, "
                           "price_cents, reorder_point, reorder_qty FROM product WHERE sku = ?1");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_text(st, 1, p->sku, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        char *name = store_col_dup(st, 1);
        char *handle = store_col_dup(st, 2);
        long long weight = sqlite3_column_int64(st, 3);
        int ship = sqlite3_column_int(st, 4);
        int lot = sqlite3_column_int(st, 5);
        long long price = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
        long long rp = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 7);
        long long rq = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 8);
        sqlite3_reset(st);
        const char *n_name = (p->name && *p->name) ? p->name : name;
        const char *n_handle = p->handle ? p->handle : handle;
        long long n_weight = p->weight_g >= 0 ? p->weight_g : weight;
        int n_ship = p->requires_shipping >= 0 ? p->requires_shipping : ship;
        int n_lot = p->lot_tracked >= 0 ? p->lot_tracked : lot;
        long long n_price = p->price_cents >= 0 ? p->price_cents : price;
        long long n_rp = p->reorder_point >= 0 ? p->reorder_point : rp;
        long long n_rq = p->reorder_qty >= 0 ? p->reorder_qty : rq;
        int same = opt_eq(n_name, name) && opt_eq(n_handle, handle) && n_weight == weight && n_ship == ship &&
                   n_lot == lot && n_price == price && n_rp == rp && n_rq == rq;
        if (!same) {
            sqlite3_stmt *up = tote_store_stmt(
                s,
                "UPDATE product SET name = ?2, handle = ?3, weight_g = ?4, requires_shipping = ?5, "
                "lot_tracked = ?6, price_cents = ?7, reorder_point = ?8, reorder_qty = ?9, updated_at = ?10 "
                "WHERE id = ?1");
            if (!up) {
                free(name);
                free(handle);
                e = store_db_fail(s, SQLITE_ERROR);
                goto out;
            }
            sqlite3_bind_int64(up, 1, id);
            store_bind_text(up, 2, n_name);
            store_bind_text(up, 3, n_handle);
            sqlite3_bind_int64(up, 4, n_weight);
            sqlite3_bind_int(up, 5, n_ship);
            sqlite3_bind_int(up, 6, n_lot);
            store_bind_int_nn(up, 7, n_price);
            store_bind_int_nn(up, 8, n_rp);
            store_bind_int_nn(up, 9, n_rq);
            sqlite3_bind_text(up, 10, now, -1, SQLITE_TRANSIENT);
            rc = store_step_done(up);
            if (rc != SQLITE_DONE)
                e = store_db_fail(s, rc);
            else
                r = TOTE_UPSERT_UPDATED;
        }
        if (e == TOTE_ST_E_OK && r == TOTE_UPSERT_UPDATED) {
            cJSON *ch = cJSON_CreateObject();
            change_text(ch, "name", name, n_name);
            change_text(ch, "handle", handle, n_handle);
            change_num(ch, "weight_g", weight, n_weight);
            change_num(ch, "requires_shipping", ship, n_ship);
            change_num(ch, "lot_tracked", lot, n_lot);
            change_num(ch, "price_cents", price, n_price);
            change_num(ch, "reorder_point", rp, n_rp);
            change_num(ch, "reorder_qty", rq, n_rq);
            e = product_event(s, actor, "product.updated", p->sku, id, ch);
        }
        free(name);
        free(handle);
    } else if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        sqlite3_stmt *in = tote_store_stmt(
            s,
            "INSERT INTO product(sku, name, handle, weight_g, requires_shipping, lot_tracked, price_cents, "
            "reorder_point, reorder_qty, created_at, updated_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)");
        if (!in) {
            e = store_db_fail(s, SQLITE_ERROR);
            goto out;
        }
        sqlite3_bind_text(in, 1, p->sku, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(in, 2, (p->name && *p->name) ? p->name : p->sku, -1, SQLITE_TRANSIENT);
        store_bind_text(in, 3, p->handle);
        sqlite3_bind_int64(in, 4, p->weight_g >= 0 ? p->weight_g : 0);
        sqlite3_bind_int(in, 5, p->requires_shipping >= 0 ? p->requires_shipping : 1);
        sqlite3_bind_int(in, 6, p->lot_tracked >= 0 ? p->lot_tracked : 0);
        store_bind_int_nn(in, 7, p->price_cents);
        store_bind_int_nn(in, 8, p->reorder_point);
        store_bind_int_nn(in, 9, p->reorder_qty);
        sqlite3_bind_text(in, 10, now, -1, SQLITE_TRANSIENT);
        rc = store_step_done(in);
        if (rc != SQLITE_DONE) {
            e = store_db_fail(s, rc);
            goto out;
        }
        id = sqlite3_last_insert_rowid(tote_store_db(s));
        r = TOTE_UPSERT_CREATED;
        e = product_event(s, actor, "product.created", p->sku, id, NULL);
    } else {
        sqlite3_reset(st);
        e = store_db_fail(s, rc);
    }
out:
    e = store_tx_end(s, &tx, e);
    if (e == TOTE_ST_E_OK) {
        if (res)
            *res = r;
        if (product_id)
            *product_id = id;
    }
    return e;
}

static int code_ok(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)code[i] < 0x20 || code[i] == 0x7f)
            return 0;
    return !isspace((unsigned char)code[0]) && !isspace((unsigned char)code[n - 1]);
}

/* The barcode.set event: the code and its units, by actor. */
static tote_st_err barcode_event(tote_store *s, const char *sku, const char *code, int units,
                                 const char *actor)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "code", code);
    cJSON_AddNumberToObject(d, "units", units);
    char *detail = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    if (!detail)
        return store_fail(TOTE_ST_E_NOMEM, "out of memory");
    tote_st_err e = tote_store_event(s, actor, NULL, "barcode.set", "product", sku, detail);
    cJSON_free(detail);
    return e;
}

tote_st_err tote_barcode_set(tote_store *s, const char *code, long long product_id, int units,
                             const char *actor)
{
    store_detail_clear();
    if (!code || !code_ok(code))
        return store_fail(TOTE_ST_E_INVALID,
                          "a barcode is 1 to 64 printable characters without spaces at either end");
    if (units < 1)
        return store_fail(TOTE_ST_E_INVALID, "barcode %s: units per scan must be at least 1, not %d", code,
                          units);
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT sku FROM product WHERE id = ?1");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_int64(st, 1, product_id);
    int rc = sqlite3_step(st);
    char *sku = rc == SQLITE_ROW ? store_col_dup(st, 0) : NULL;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        e = rc == SQLITE_DONE ? store_fail(TOTE_ST_E_NOT_FOUND, "no product with id %lld", product_id)
                              : store_db_fail(s, rc);
        goto out;
    }
    st = tote_store_stmt(s, "SELECT b.product_id, b.units, p.sku FROM barcode b JOIN product p ON p.id = "
                            "b.product_id WHERE b.code = ?1");
    if (!st) {
        free(sku);
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        long long other = sqlite3_column_int64(st, 0);
        int old_units = sqlite3_column_int(st, 1);
        char *other_sku = store_col_dup(st, 2);
        sqlite3_reset(st);
        if (other != product_id) {
            e = store_fail(TOTE_ST_E_EXISTS, "barcode %s already belongs to %s, not %s", code,
                           other_sku ? other_sku : "?", sku ? sku : "?");
        } else if (old_units != units) {
            sqlite3_stmt *up = tote_store_stmt(s, "UPDATE barcode SET units = ?2 WHERE code = ?1");
            if (!up) {
                e = store_db_fail(s, SQLITE_ERROR);
            } else {
                sqlite3_bind_text(up, 1, code, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(up, 2, units);
                rc = store_step_done(up);
                e = rc == SQLITE_DONE ? barcode_event(s, sku, code, units, actor) : store_db_fail(s, rc);
            }
        }
        free(other_sku);
    } else if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        sqlite3_stmt *in =
            tote_store_stmt(s, "INSERT INTO barcode(code, product_id, units) VALUES (?1, ?2, ?3)");
        if (!in) {
            e = store_db_fail(s, SQLITE_ERROR);
        } else {
            sqlite3_bind_text(in, 1, code, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(in, 2, product_id);
            sqlite3_bind_int(in, 3, units);
            rc = store_step_done(in);
            e = rc == SQLITE_DONE ? barcode_event(s, sku, code, units, actor) : store_db_fail(s, rc);
        }
    } else {
        sqlite3_reset(st);
        e = store_db_fail(s, rc);
    }
    free(sku);
out:
    return store_tx_end(s, &tx, e);
}

tote_st_err tote_barcode_remove(tote_store *s, const char *code, long long product_id, const char *actor)
{
    store_detail_clear();
    if (!code)
        return store_fail(TOTE_ST_E_INVALID, "no barcode given");
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT p.sku FROM barcode b JOIN product p ON p.id = b.product_id "
                                          "WHERE b.code = ?1 AND b.product_id = ?2");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, product_id);
    int rc = sqlite3_step(st);
    char *sku = rc == SQLITE_ROW ? store_col_dup(st, 0) : NULL;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        e = rc == SQLITE_DONE
                ? store_fail(TOTE_ST_E_NOT_FOUND, "product %lld has no barcode %s", product_id, code)
                : store_db_fail(s, rc);
        goto out;
    }
    st = tote_store_stmt(s, "DELETE FROM barcode WHERE code = ?1 AND product_id = ?2");
    if (!st) {
        free(sku);
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, product_id);
    rc = store_step_done(st);
    if (rc != SQLITE_DONE) {
        e = store_db_fail(s, rc);
    } else {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "code", code);
        char *detail = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
        e = detail ? tote_store_event(s, actor, NULL, "barcode.removed", "product", sku, detail)
                   : store_fail(TOTE_ST_E_NOMEM, "out of memory");
        cJSON_free(detail);
    }
    free(sku);
out:
    return store_tx_end(s, &tx, e);
}

tote_st_err tote_product_find_by_sku(tote_store *s, const char *sku, long long *product_id)
{
    store_detail_clear();
    if (!sku)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no SKU given");
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id FROM product WHERE sku = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_text(st, 1, sku, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && product_id)
        *product_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    if (rc == SQLITE_DONE)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no product with SKU %s", sku);
    return store_db_fail(s, rc);
}

static int lookup_code(tote_store *s, const char *code, long long *product_id, int *units)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT product_id, units FROM barcode WHERE code = ?1");
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (product_id)
            *product_id = sqlite3_column_int64(st, 0);
        if (units)
            *units = sqlite3_column_int(st, 1);
    }
    sqlite3_reset(st);
    return rc;
}

tote_st_err tote_product_find_by_code(tote_store *s, const char *code, long long *product_id, int *units)
{
    store_detail_clear();
    if (!code || !*code)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no barcode given");
    int rc = lookup_code(s, code, product_id, units);
    if (rc == SQLITE_DONE) {
        size_t n = strlen(code);
        int digits = 1;
        for (size_t i = 0; i < n; i++)
            if (!isdigit((unsigned char)code[i]))
                digits = 0;
        if (digits && (n == 8 || n == 12 || n == 13)) {
            char g[15];
            memset(g, '0', 14 - n);
            memcpy(g + 14 - n, code, n);
            g[14] = '\0';
            rc = lookup_code(s, g, product_id, units);
        }
    }
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    if (rc == SQLITE_DONE)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no product has barcode %s", code);
    return store_db_fail(s, rc);
}

tote_st_err tote_product_find_by_scan(tote_store *s, const char *code, long long *product_id, int *units)
{
    tote_st_err e = tote_product_find_by_code(s, code, product_id, units);
    if (e != TOTE_ST_E_NOT_FOUND)
        return e;
    e = tote_product_find_by_sku(s, code, product_id);
    if (e == TOTE_ST_E_OK && units)
        *units = 1;
    if (e == TOTE_ST_E_NOT_FOUND)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no product has barcode or SKU %s", code);
    return e;
}

tote_st_err tote_product_get(tote_store *s, long long product_id, tote_product *out)
{
    store_detail_clear();
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id, sku, name, handle, weight_g, requires_shipping, "
                                          "lot_tracked, price_cents, reorder_point, reorder_qty "
                                          "FROM product WHERE id = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, product_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->sku = store_col_dup(st, 1);
        out->name = store_col_dup(st, 2);
        out->handle = store_col_dup(st, 3);
        out->weight_g = sqlite3_column_int64(st, 4);
        out->requires_shipping = sqlite3_column_int(st, 5);
        out->lot_tracked = sqlite3_column_int(st, 6);
        out->price_cents = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 7);
        out->reorder_point = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 8);
        out->reorder_qty = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 9);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    if (rc == SQLITE_DONE)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no product with id %lld", product_id);
    return store_db_fail(s, rc);
}

void tote_product_clear(tote_product *p)
{
    if (!p)
        return;
    free(p->sku);
    free(p->name);
    free(p->handle);
    memset(p, 0, sizeof *p);
}
