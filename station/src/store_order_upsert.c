/*
 * Orders: the import upsert (tote_order_upsert(), store_order_upsert_status()).
 * A new order is inserted with its final status; an existing one is updated
 * while still editable (received, on hold, released, allocated), else locked;
 * an unchanged one (same content hash) is left alone. The lifecycle is in
 * store_orders.c; store_orders_int.h is what the two share.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "dec_ll.h"
#include "import_internal.h"
#include "store_orders_int.h"
#include "store_tx.h"
#include "tote/customer.h"
#include "tote/orders.h"

/* ---- upsert ---- */

struct hash128 {
    uint64_t a, b;
};

static void h_bytes(struct hash128 *h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h->a = (h->a ^ c[i]) * 0x100000001b3ULL;
        h->b = (h->b ^ c[i]) * 0x100000001b3ULL;
        h->b ^= h->b >> 29;
    }
}

static void h_str(struct hash128 *h, const char *v)
{
    if (v)
        h_bytes(h, v, strlen(v));
    h_bytes(h, "\x1f", 1);
}

/* v in decimal, as "%lld" writes it (stored hashes depend on these bytes),
 * without printf's cost: an order hashes 6 + 3 per line integers. */
static void h_int(struct hash128 *h, long long v)
{
    char b[TOTE_DEC_LL_CAP];
    size_t n = 0;
    const char *d = tote_dec_ll(b, v, &n);
    h_bytes(h, d, n);
    h_bytes(h, "\x1f", 1);
}

static void order_hash(const tote_order_in *o, char out[33])
{
    struct hash128 h = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    const char *f[] = {o->name,          o->channel,         o->external_ref,   o->email,
                       o->customer_name, o->phone,           o->payment_status, o->payment_method,
                       o->currency,      o->shipping_method, o->ship_name,      o->ship_company,
                       o->ship_address1, o->ship_address2,   o->ship_city,      o->ship_zip,
                       o->ship_province, o->ship_country,    o->ship_phone,     o->ordered_at,
                       o->cancelled_at,  o->ship_by};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        h_str(&h, f[i]);
    h_int(&h, o->cod);
    h_int(&h, o->priority);
    h_int(&h, o->rush);
    h_int(&h, o->pickup);
    h_int(&h, o->total_cents);
    h_int(&h, (long long)o->line_count);
    for (size_t i = 0; i < o->line_count; i++) {
        const tote_order_line_in *l = &o->lines[i];
        h_str(&h, l->sku);
        h_str(&h, l->name);
        h_int(&h, l->qty);
        h_int(&h, l->price_cents);
        h_int(&h, l->requires_shipping);
    }
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.a, (unsigned long long)h.b);
}

static int editable(tote_order_status st)
{
    return st == RCV || st == HLD || st == REL || st == ALC;
}

/* payment states a shop reports while the money is not in (a local 'paid' wins over them) */
static int unpaid_upstream(const char *p)
{
    static const char *const kinds[] = {"", "pending", "authorized", "partially_paid", "unpaid", "expired"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcasecmp(p, kinds[i]) == 0)
            return 1;
    return 0;
}

static char *lower_dup(const char *v)
{
    char *p = strdup(v);
    if (p)
        for (char *c = p; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    return p;
}

/* Text bound without a copy: every value outlives the statement's step in
 * write_order_row(), and all its parameters are bound on every use. */
static void bind_ne(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static tote_st_err write_order_row(tote_store *s, const tote_order_in *o, long long existing_id,
                                   long long customer_id, const char *status, const char *hold_reason,
                                   const char *payment_status, const char *hash, long long *id)
{
    char now[32];
    tote_store_now(now);
    sqlite3_stmt *st;
    if (existing_id)
        st = tote_store_stmt(
            s,
            "UPDATE orders SET channel = ?2, external_ref = ?3, customer_id = COALESCE(?4, customer_id), "
            "status = ?5, hold_reason = ?6, payment_status = ?7, payment_method = ?8, cod = ?9, "
            "priority = ?10, rush = ?11, pickup = ?12, ship_by = ?13, currency = ?14, total_cents = ?15, "
            "shipping_method = ?16, ship_name = ?17, ship_company = ?18, ship_address1 = ?19, "
            "ship_address2 = ?20, ship_city = ?21, ship_zip = ?22, ship_province = ?23, ship_country = ?24, "
            "ship_phone = ?25, source_hash = ?26, ordered_at = ?27, updated_at = ?28, customer_name = ?29, "
            "customer_phone = ?30 WHERE id = ?1");
    else
        st = tote_store_stmt(
            s,
            "INSERT INTO orders(name, channel, external_ref, customer_id, status, hold_reason, "
            "payment_status, "
            "payment_method, cod, priority, rush, pickup, ship_by, currency, total_cents, shipping_method, "
            "ship_name, ship_company, ship_address1, ship_address2, ship_city, ship_zip, ship_province, "
            "ship_country, ship_phone, source_hash, ordered_at, created_at, updated_at, customer_name, "
            "customer_phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
            "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?28, ?29, ?30)");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    if (existing_id)
        sqlite3_bind_int64(st, 1, existing_id);
    else
        sqlite3_bind_text(st, 1, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, o->channel && *o->channel ? o->channel : "shopify", -1, SQLITE_STATIC);
    bind_ne(st, 3, o->external_ref);
    if (customer_id > 0)
        sqlite3_bind_int64(st, 4, customer_id);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
    bind_or_null(st, 6, hold_reason);
    sqlite3_bind_text(st, 7, payment_status, -1, SQLITE_STATIC);
    bind_ne(st, 8, o->payment_method);
    sqlite3_bind_int(st, 9, o->cod ? 1 : 0);
    sqlite3_bind_int(st, 10, o->priority);
    sqlite3_bind_int(st, 11, o->rush ? 1 : 0);
    sqlite3_bind_int(st, 12, o->pickup ? 1 : 0);
    bind_ne(st, 13, o->ship_by);
    bind_ne(st, 14, o->currency);
    store_bind_int_nn(st, 15, o->total_cents);
    bind_ne(st, 16, o->shipping_method);
    const char *addr[] = {o->ship_name, o->ship_company,  o->ship_address1, o->ship_address2, o->ship_city,
                          o->ship_zip,  o->ship_province, o->ship_country,  o->ship_phone};
    for (int i = 0; i < 9; i++)
        bind_ne(st, 17 + i, addr[i]);
    sqlite3_bind_text(st, 26, hash, -1, SQLITE_STATIC);
    if (o->ordered_at && *o->ordered_at)
        sqlite3_bind_text(st, 27, o->ordered_at, -1, SQLITE_STATIC);
    else
        sqlite3_bind_text(st, 27, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 28, now, -1, SQLITE_STATIC);
    /* the customer as this order names them: the customer row (one per
       e-mail) takes the name of the latest order imported */
    bind_ne(st, 29, o->customer_name);
    bind_ne(st, 30, o->phone);
    int rc = store_step_done(st);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, rc);
    *id = existing_id ? existing_id : sqlite3_last_insert_rowid(tote_store_db(s));
    return TOTE_ST_E_OK;
}

static tote_st_err write_lines(tote_store *s, const tote_order_in *o, long long order_id, long long *unknown)
{
    *unknown = 0;
    /* the order's lines as they are: an upstream line is matched to the one
       of the same SKU (the same place first), so a line removed upstream is
       not written over by the next one (its reservations and history stay
       with its own SKU) */
    struct oldline {
        long long id, line_no;
        char *sku;
        int matched;
    } *old = NULL;
    size_t nold = 0, cap = 0;
    long long max_no = 0;
    tote_st_err e = TOTE_ST_E_OK;
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id, line_no, sku FROM order_line WHERE order_id = ?1 ORDER BY line_no");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, order_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (nold == cap) {
            size_t c2 = cap ? cap * 2 : 16;
            struct oldline *v = realloc(old, c2 * sizeof *v);
            if (!v) {
                e = store_fail(TOTE_ST_E_NOMEM, "out of memory");
                break;
            }
            old = v;
            cap = c2;
        }
        struct oldline *l = &old[nold];
        l->id = sqlite3_column_int64(st, 0);
        l->line_no = sqlite3_column_int64(st, 1);
        l->sku = store_col_dup(st, 2);
        l->matched = 0;
        nold++;
        if (!l->sku)
            e = store_fail(TOTE_ST_E_NOMEM, "out of memory");
        if (l->line_no > max_no)
            max_no = l->line_no;
    }
    sqlite3_reset(st);
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = store_db_fail(s, rc);
    for (size_t i = 0; e == TOTE_ST_E_OK && i < o->line_count; i++) {
        const tote_order_line_in *l = &o->lines[i];
        const char *sku = l->sku ? l->sku : "";
        size_t j = nold;
        for (size_t k = 0; k < nold; k++) /* the same SKU in the same place, else the first free one */
            if (!old[k].matched && strcmp(old[k].sku, sku) == 0 &&
                (j == nold || old[k].line_no == (long long)i + 1)) {
                j = k;
                if (old[k].line_no == (long long)i + 1)
                    break;
            }
        st = j < nold
                 ? tote_store_stmt(s, "UPDATE order_line SET product_id = (SELECT id FROM product WHERE sku "
                                      "= ?3), name = ?4, price_cents = ?5, requires_shipping = ?6, ordered "
                                      "= ?7 WHERE id = ?1 RETURNING product_id IS NULL AND requires_shipping "
                                      "= 1")
                 : tote_store_stmt(s, "INSERT INTO order_line(order_id, line_no, product_id, sku, name, "
                                      "price_cents, requires_shipping, ordered) VALUES (?1, ?2, (SELECT id "
                                      "FROM product WHERE sku = ?3), ?3, ?4, ?5, ?6, ?7) RETURNING "
                                      "product_id IS NULL AND requires_shipping = 1");
        if (!st) {
            e = store_db_fail(s, SQLITE_ERROR);
            break;
        }
        if (j < nold) {
            old[j].matched = 1;
            sqlite3_bind_int64(st, 1, old[j].id);
        } else {
            sqlite3_bind_int64(st, 1, order_id);
            sqlite3_bind_int64(st, 2, ++max_no);
        }
        sqlite3_bind_text(st, 3, sku, -1, SQLITE_TRANSIENT);
        store_bind_text_ne(st, 4, l->name);
        store_bind_int_nn(st, 5, l->price_cents);
        sqlite3_bind_int(st, 6, l->requires_shipping ? 1 : 0);
        sqlite3_bind_int64(st, 7, l->qty);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *unknown += sqlite3_column_int(st, 0);
            rc = sqlite3_step(st);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            e = store_db_fail(s, rc);
    }
    /* lines that disappeared upstream: deleted, or zeroed if something refers to them */
    for (size_t k = 0; e == TOTE_ST_E_OK && k < nold; k++) {
        if (old[k].matched)
            continue;
        st = tote_store_stmt(s, "DELETE FROM order_line WHERE id = ?1 "
                                "AND NOT EXISTS (SELECT 1 FROM allocation a WHERE a.order_line_id = ?1) "
                                "AND NOT EXISTS (SELECT 1 FROM pick_task t WHERE t.order_line_id = ?1)");
        sqlite3_stmt *zero = tote_store_stmt(s, "UPDATE order_line SET ordered = 0 WHERE id = ?1");
        if (!st || !zero) {
            e = store_db_fail(s, SQLITE_ERROR);
            break;
        }
        sqlite3_bind_int64(st, 1, old[k].id);
        rc = store_step_done(st);
        if (rc == SQLITE_DONE && sqlite3_changes(tote_store_db(s)) == 0) {
            sqlite3_bind_int64(zero, 1, old[k].id);
            rc = store_step_done(zero);
        }
        if (rc != SQLITE_DONE)
            e = store_db_fail(s, rc);
    }
    for (size_t k = 0; k < nold; k++)
        free(old[k].sku);
    free(old);
    return e;
}

static tote_st_err validate_order(const tote_order_in *o)
{
    if (!o || !o->name || !*o->name)
        return store_fail(TOTE_ST_E_INVALID, "an order needs a name");
    if (strlen(o->name) > 64)
        return store_fail(TOTE_ST_E_INVALID, "order name '%.20s...' is longer than 64 characters", o->name);
    if (o->line_count == 0 || !o->lines)
        return store_fail(TOTE_ST_E_INVALID, "order %s has no lines", o->name);
    for (size_t i = 0; i < o->line_count; i++) {
        const tote_order_line_in *l = &o->lines[i];
        if (l->qty < 1)
            return store_fail(TOTE_ST_E_INVALID,
                              "order %s line %zu (%s) has quantity %lld; a line needs at least 1", o->name,
                              i + 1, l->sku && *l->sku ? l->sku : "no SKU", l->qty);
        if (l->qty > TOTE_QTY_MAX)
            return store_fail(
                TOTE_ST_E_INVALID,
                "order %s line %zu (%s) has quantity %lld, more than the most a line can hold, %lld", o->name,
                i + 1, l->sku && *l->sku ? l->sku : "no SKU", l->qty, TOTE_QTY_MAX);
    }
    if (o->total_cents < -1)
        return store_fail(TOTE_ST_E_INVALID, "order %s has a negative total", o->name);
    return TOTE_ST_E_OK;
}

/* An existing, editable order changed upstream (inside a transaction or savepoint of the caller's). */
static tote_st_err update_existing(tote_store *s, const tote_order_in *o, const struct order_row *old,
                                   const char *hash, const char *actor, tote_order_status *final)
{
    tote_st_err e = TOTE_ST_E_OK;
    char *payment = NULL;
    long long released_units = 0;
    long long customer_id = 0;
    if (o->email && *o->email) {
        e = tote_customer_ensure(s, o->email, o->customer_name, o->phone, &customer_id);
        if (e == TOTE_ST_E_INVALID) {
            /* a malformed address does not lose the order: kept without a customer */
            store_detail_clear();
            e = TOTE_ST_E_OK;
            customer_id = 0;
        }
        if (e != TOTE_ST_E_OK)
            goto out;
    }

    tote_order_status from = old->status;
    if (old->status == ALC) {
        long long tasks = 0;
        e = store_order_give_back(s, old->id, actor, &released_units, &tasks, &from);
        if (e != TOTE_ST_E_OK)
            goto out;
    }
    payment = lower_dup(o->payment_status && *o->payment_status ? o->payment_status : "pending");
    if (!payment) {
        e = store_fail(TOTE_ST_E_NOMEM, "out of memory");
        goto out;
    }
    if (store_order_is_paid(old->payment_status) && unpaid_upstream(payment)) {
        free(payment);
        payment = strdup("paid");
        if (!payment) {
            e = store_fail(TOTE_ST_E_NOMEM, "out of memory");
            goto out;
        }
    }

    long long id = 0, unknown = 0;
    /* write with the current status; the new one is set below once the lines are known */
    e = write_order_row(s, o, old->id, customer_id, tote_order_status_name(from),
                        from == HLD ? old->hold_reason : NULL, payment, hash, &id);
    if (e == TOTE_ST_E_OK)
        e = write_lines(s, o, id, &unknown);
    if (e != TOTE_ST_E_OK)
        goto out;

    tote_order_status to;
    const char *hold = NULL;
    if (o->cancelled_at && *o->cancelled_at) {
        to = CAN;
    } else if (old->status == HLD && old->hold_reason && strcmp(old->hold_reason, "manual") == 0) {
        to = HLD;
        hold = "manual";
    } else if (!store_order_is_paid(payment) && !o->cod) {
        to = HLD;
        hold = "payment";
    } else if (unknown > 0) {
        to = HLD;
        hold = "unknown_sku";
    } else {
        to = REL;
    }

    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "status", tote_order_status_name(to));
    if (hold)
        cJSON_AddStringToObject(d, "hold_reason", hold);
    cJSON_AddNumberToObject(d, "lines", (double)o->line_count);
    if (unknown)
        cJSON_AddNumberToObject(d, "unknown_skus", (double)unknown);
    if (released_units)
        cJSON_AddNumberToObject(d, "reservations_released", (double)released_units);
    cJSON_AddStringToObject(d, "from", tote_order_status_name(old->status));
    char *txt = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    e = tote_store_event(s, actor, NULL, "order.updated", "order", o->name, txt);
    cJSON_free(txt);
    if (e != TOTE_ST_E_OK) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    if (to != from || (to == HLD && (!old->hold_reason || strcmp(old->hold_reason, hold) != 0))) {
        cJSON *sd = cJSON_CreateObject();
        cJSON_AddStringToObject(sd, "reason", "changed upstream");
        e = store_order_write_status(s, id, o->name, from, to, hold, actor, NULL, sd);
    }
    *final = to;
out:
    free(payment);
    return e;
}

/* Takes back what insert_new() wrote when it fails in the caller's transaction without a savepoint. */
static tote_st_err undo_new(tote_store *s, long long order_id, store_customer_undo *cu)
{
    if (sqlite3_get_autocommit(tote_store_db(s))) { /* SQLite already rolled the transaction back */
        store_customer_undo_clear(cu);
        return TOTE_ST_E_OK;
    }
    tote_st_err e = TOTE_ST_E_OK;
    if (order_id) {
        e = store_order_exec_id(s, "DELETE FROM order_line WHERE order_id = ?1", order_id);
        if (e == TOTE_ST_E_OK)
            e = store_order_exec_id(s, "DELETE FROM orders WHERE id = ?1", order_id);
    }
    tote_st_err ce = store_customer_undo_apply(s, cu);
    return e != TOTE_ST_E_OK ? e : ce;
}

/*
 * A new order: everything is decided before the first write (customer,
 * catalog links, final status), then one INSERT for the order with its
 * status, a plain INSERT per line and the 'order.created' event. guard:
 * writing in the caller's transaction without a savepoint; on failure the
 * rows written are deleted again (and if that fails too, DB is returned so
 * the caller rolls back instead of going on).
 */
static tote_st_err insert_new(tote_store *s, const tote_order_in *o, const char *hash, const char *actor,
                              int guard, tote_order_status *final)
{
    tote_st_err e = TOTE_ST_E_OK;
    long long pid_small[16];
    long long *pid = o->line_count <= 16 ? pid_small : malloc(o->line_count * sizeof *pid);
    if (!pid)
        return store_fail(TOTE_ST_E_NOMEM, "out of memory");
    store_customer_undo cu = {0};
    long long order_id = 0, unknown = 0;
    char payment_buf[64];
    char *payment_heap = NULL;
    const char *praw = o->payment_status && *o->payment_status ? o->payment_status : "pending";
    char *payment = payment_buf;
    size_t plen = strlen(praw);
    if (plen >= sizeof payment_buf) {
        payment = payment_heap = malloc(plen + 1);
        if (!payment) {
            e = store_fail(TOTE_ST_E_NOMEM, "out of memory");
            goto out;
        }
    }
    for (size_t i = 0; i <= plen; i++)
        payment[i] = (char)tolower((unsigned char)praw[i]);

    /* the catalog links, before anything is written */
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id FROM product WHERE sku = ?1");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    for (size_t i = 0; i < o->line_count; i++) {
        const tote_order_line_in *l = &o->lines[i];
        sqlite3_bind_text(st, 1, l->sku ? l->sku : "", -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        pid[i] = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            e = store_db_fail(s, rc);
            goto out;
        }
        if (!pid[i] && l->requires_shipping)
            unknown++;
    }
    sqlite3_clear_bindings(st);
    tote_order_status to = REL;
    const char *hold = NULL;
    if (o->cancelled_at && *o->cancelled_at) {
        to = CAN;
    } else if (!store_order_is_paid(payment) && !o->cod) {
        to = HLD;
        hold = "payment";
    } else if (unknown > 0) {
        to = HLD;
        hold = "unknown_sku";
    }

    long long customer_id = 0;
    if (o->email && *o->email) {
        e = store_customer_ensure_in_tx(s, o->email, o->customer_name, o->phone, &customer_id, &cu);
        if (e == TOTE_ST_E_INVALID) {
            /* a malformed address does not lose the order: kept without a customer */
            store_detail_clear();
            e = TOTE_ST_E_OK;
            customer_id = 0;
        }
        if (e != TOTE_ST_E_OK)
            goto out;
    }
    *final = to;
    e = write_order_row(s, o, 0, customer_id, tote_order_status_name(to), hold, payment, hash, &order_id);
    if (e != TOTE_ST_E_OK)
        goto out;
    st = tote_store_stmt(s, "INSERT INTO order_line(order_id, line_no, product_id, sku, name, price_cents, "
                            "requires_shipping, ordered) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    for (size_t i = 0; i < o->line_count; i++) {
        const tote_order_line_in *l = &o->lines[i];
        sqlite3_bind_int64(st, 1, order_id);
        sqlite3_bind_int64(st, 2, (long long)i + 1);
        if (pid[i])
            sqlite3_bind_int64(st, 3, pid[i]);
        else
            sqlite3_bind_null(st, 3);
        sqlite3_bind_text(st, 4, l->sku ? l->sku : "", -1, SQLITE_STATIC);
        if (l->name && *l->name)
            sqlite3_bind_text(st, 5, l->name, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 5);
        store_bind_int_nn(st, 6, l->price_cents);
        sqlite3_bind_int(st, 7, l->requires_shipping ? 1 : 0);
        sqlite3_bind_int64(st, 8, l->qty);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) {
            e = store_db_fail(s, rc);
            goto out;
        }
    }
    sqlite3_clear_bindings(st);

    /* the detail holds no text from the input: status names, the hold reason and counts */
    char detail[160];
    int n = snprintf(detail, sizeof detail, "{\"status\":\"%s\"", tote_order_status_name(to));
    if (hold)
        n += snprintf(detail + n, sizeof detail - (size_t)n, ",\"hold_reason\":\"%s\"", hold);
    n += snprintf(detail + n, sizeof detail - (size_t)n, ",\"lines\":%zu", o->line_count);
    if (unknown)
        n += snprintf(detail + n, sizeof detail - (size_t)n, ",\"unknown_skus\":%lld", unknown);
    snprintf(detail + n, sizeof detail - (size_t)n, "}");
    e = tote_store_event(s, actor, NULL, "order.created", "order", o->name, detail);
    if (e != TOTE_ST_E_OK)
        e = store_db_fail(s, SQLITE_ERROR);
out:
    if (e != TOTE_ST_E_OK && guard) {
        char keep[512];
        snprintf(keep, sizeof keep, "%s", tote_st_detail());
        if (undo_new(s, order_id, &cu) != TOTE_ST_E_OK)
            e = store_fail(TOTE_ST_E_DB, "%s (and what was written of order %s could not be taken back)",
                           keep, o->name);
        else
            store_fail(e, "%s", keep);
    }
    store_customer_undo_clear(&cu);
    if (pid != pid_small)
        free(pid);
    free(payment_heap);
    return e;
}

tote_st_err tote_order_upsert(tote_store *s, const tote_order_in *o, const char *actor,
                              tote_upsert_result *res, char **err_msg)
{
    return store_order_upsert_status(s, o, actor, res, NULL, err_msg);
}

tote_st_err store_order_upsert_status(tote_store *s, const tote_order_in *o, const char *actor,
                                      tote_upsert_result *res, tote_order_status *status, char **err_msg)
{
    store_detail_clear();
    tote_st_err e = validate_order(o);
    if (e != TOTE_ST_E_OK)
        return store_order_finish(e, err_msg);
    char hash[33];
    order_hash(o, hash);
    /* no transaction open: one of ours bounds the work. Inside the caller's,
       a savepoint only where a failure cannot be ruled out beforehand (an update). */
    int callers = !sqlite3_get_autocommit(tote_store_db(s));
    store_tx outer = {0};
    if (!callers) {
        e = store_tx_begin(s, &outer);
        if (e != TOTE_ST_E_OK)
            return store_order_finish(e, err_msg);
    }
    tote_upsert_result r = TOTE_UPSERT_CREATED;
    struct order_row old = {0};
    tote_order_status final = RCV;
    e = store_order_row_load(s, o->name, &old, 1);
    if (e == TOTE_ST_E_OK) {
        final = old.status;
        if (old.source_hash && strcmp(old.source_hash, hash) == 0) {
            r = TOTE_UPSERT_UNCHANGED;
        } else if (!editable(old.status)) {
            r = TOTE_UPSERT_LOCKED;
            store_fail(TOTE_ST_E_OK, "order %s is already %s; the change from upstream was not applied",
                       o->name, tote_order_status_name(old.status));
        } else {
            r = TOTE_UPSERT_UPDATED;
            store_tx sp = {0};
            if (callers)
                e = store_tx_begin(s, &sp);
            if (e == TOTE_ST_E_OK)
                e = update_existing(s, o, &old, hash, actor, &final);
            if (callers)
                e = store_tx_end(s, &sp, e);
        }
    } else if (e == TOTE_ST_E_NOT_FOUND) {
        store_detail_clear();
        e = insert_new(s, o, hash, actor, callers, &final);
    }
    store_order_row_clear(&old);
    if (!callers)
        e = store_tx_end(s, &outer, e);
    if (e == TOTE_ST_E_OK && res)
        *res = r;
    if (e == TOTE_ST_E_OK && status)
        *status = final;
    return store_order_finish(e, err_msg);
}
