/*
 * Orders: the payment gate and the lifecycle. Every status change goes
 * through store_order_write_status(), which consults the one transition table
 * below. The import upsert is in store_order_upsert.c; store_orders_int.h is
 * what the two share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "store_orders_int.h"
#include "store_tx.h"
#include "tote/alloc.h"
#include "tote/orders.h"

#define N TOTE_ORDER_STATUS_COUNT

static const char *const status_names[] = {
#define TOTE_ORDER_STATUS_TEXT(name, text) text,
    TOTE_ORDER_STATUS_MAP(TOTE_ORDER_STATUS_TEXT)
#undef TOTE_ORDER_STATUS_TEXT
};

/*
 * The state machine: transitions[from][to] = 1 when allowed.
 * - the happy path received -> released -> allocated -> picking -> picked ->
 *   packing -> packed -> shipped -> delivered;
 * - on_hold and cancelled from every state before shipped;
 * - from on_hold, release resumes where the order's data says it is;
 * - allocated -> released (reservations given back), picking -> allocated
 *   (pick tasks re-planned), packed -> packing (a package reopened).
 */
static const unsigned char transitions[N][N] = {
    [RCV] = {[HLD] = 1, [REL] = 1, [CAN] = 1},
    [HLD] = {[REL] = 1, [ALC] = 1, [PKG] = 1, [PKD] = 1, [PCK] = 1, [PAK] = 1, [CAN] = 1},
    [REL] = {[HLD] = 1, [ALC] = 1, [CAN] = 1},
    [ALC] = {[HLD] = 1, [REL] = 1, [PKG] = 1, [CAN] = 1},
    [PKG] = {[HLD] = 1, [ALC] = 1, [PKD] = 1, [CAN] = 1},
    [PKD] = {[HLD] = 1, [PCK] = 1, [PAK] = 1, [CAN] = 1},
    [PCK] = {[HLD] = 1, [PAK] = 1, [CAN] = 1},
    [PAK] = {[HLD] = 1, [PCK] = 1, [SHP] = 1, [CAN] = 1},
    [SHP] = {[DLV] = 1},
    [DLV] = {0},
    [CAN] = {0},
};

const char *tote_order_status_name(tote_order_status st)
{
    return (unsigned)st < N ? status_names[st] : "unknown";
}

int tote_order_status_parse(const char *text, tote_order_status *out)
{
    for (int i = 0; i < N; i++)
        if (text && strcmp(text, status_names[i]) == 0) {
            *out = (tote_order_status)i;
            return 0;
        }
    return -1;
}

int tote_order_transition_allowed(tote_order_status from, tote_order_status to)
{
    if ((unsigned)from >= N || (unsigned)to >= N)
        return 0;
    return transitions[from][to];
}

tote_st_err store_order_finish(tote_st_err e, char **err_msg)
{
    if (err_msg) {
        *err_msg = NULL;
        if (e != TOTE_ST_E_OK) {
            const char *d = tote_st_detail();
            *err_msg = strdup(*d ? d : tote_st_strerror(e));
        }
    }
    return e;
}

/* ---- one order's row ---- */

void store_order_row_clear(struct order_row *r)
{
    free(r->name);
    free(r->hold_reason);
    free(r->payment_status);
    free(r->source_hash);
    memset(r, 0, sizeof *r);
}

static tote_st_err order_load(tote_store *s, const char *name, struct order_row *r)
{
    return store_order_row_load(s, name, r, 0);
}

/* quiet: NOT_FOUND without formatting a message (the caller expects it). */
tote_st_err store_order_row_load(tote_store *s, const char *name, struct order_row *r, int quiet)
{
    memset(r, 0, sizeof *r);
    if (!name || !*name)
        return store_fail(TOTE_ST_E_INVALID, "no order name given");
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id, status, name, hold_reason, payment_status, source_hash, cod "
                           "FROM orders WHERE name = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r->id = sqlite3_column_int64(st, 0);
        if (tote_order_status_parse((const char *)sqlite3_column_text(st, 1), &r->status) != 0)
            r->status = RCV;
        r->name = store_col_dup(st, 2);
        r->hold_reason = store_col_dup(st, 3);
        r->payment_status = store_col_dup(st, 4);
        r->source_hash = store_col_dup(st, 5);
        r->cod = sqlite3_column_int(st, 6);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    if (rc == SQLITE_DONE)
        return quiet ? TOTE_ST_E_NOT_FOUND : store_fail(TOTE_ST_E_NOT_FOUND, "no order named %s", name);
    return store_db_fail(s, rc);
}

tote_st_err tote_order_find(tote_store *s, const char *name, long long *order_id, tote_order_status *status)
{
    store_detail_clear();
    struct order_row r;
    tote_st_err e = order_load(s, name, &r);
    if (e == TOTE_ST_E_OK) {
        if (order_id)
            *order_id = r.id;
        if (status)
            *status = r.status;
    }
    store_order_row_clear(&r);
    return e;
}

int store_order_is_paid(const char *payment_status)
{
    return payment_status && strcasecmp(payment_status, "paid") == 0;
}

/* Writes the status change (checked against the table) and its event. detail may be NULL; consumed. */
tote_st_err store_order_write_status(tote_store *s, long long id, const char *name, tote_order_status from,
                                     tote_order_status to, const char *hold_reason, const char *actor,
                                     const char *device, cJSON *detail)
{
    if (from != to && !tote_order_transition_allowed(from, to)) {
        cJSON_Delete(detail);
        return store_fail(TOTE_ST_E_STATE, "order %s cannot go from %s to %s", name,
                          tote_order_status_name(from), tote_order_status_name(to));
    }
    char now[32];
    tote_store_now(now);
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE orders SET status = ?2, hold_reason = ?3, updated_at = ?4 WHERE id = ?1");
    if (!st) {
        cJSON_Delete(detail);
        return store_db_fail(s, SQLITE_ERROR);
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, tote_order_status_name(to), -1, SQLITE_STATIC);
    store_bind_text(st, 3, to == HLD ? hold_reason : NULL);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    int rc = store_step_done(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(detail);
        return store_db_fail(s, rc);
    }
    if (!detail)
        detail = cJSON_CreateObject();
    cJSON_AddStringToObject(detail, "from", tote_order_status_name(from));
    if (to == HLD && hold_reason)
        cJSON_AddStringToObject(detail, "hold_reason", hold_reason);
    char *txt = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    char kind[48];
    snprintf(kind, sizeof kind, "order.%s", tote_order_status_name(to));
    tote_st_err e = tote_store_event(s, actor, device, kind, "order", name, txt);
    cJSON_free(txt);
    return e == TOTE_ST_E_OK ? e : store_db_fail(s, SQLITE_ERROR);
}

tote_st_err tote_order_set_status(tote_store *s, long long order_id, tote_order_status to, const char *actor,
                                  const char *device, const char *detail_json, char **err_msg)
{
    store_detail_clear();
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return store_order_finish(e, err_msg);
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT name, status FROM orders WHERE id = ?1");
    char *name = NULL;
    tote_order_status from = RCV;
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
    } else {
        sqlite3_bind_int64(st, 1, order_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            name = store_col_dup(st, 0);
            tote_order_status_parse((const char *)sqlite3_column_text(st, 1), &from);
        }
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            e = store_fail(TOTE_ST_E_NOT_FOUND, "no order with id %lld", order_id);
        else if (rc != SQLITE_ROW)
            e = store_db_fail(s, rc);
    }
    if (e == TOTE_ST_E_OK && from != to) {
        cJSON *d = detail_json ? cJSON_Parse(detail_json) : NULL;
        if (d && !cJSON_IsObject(d)) {
            cJSON_Delete(d);
            d = NULL;
        }
        e = store_order_write_status(s, order_id, name ? name : "?", from, to, to == HLD ? "manual" : NULL,
                                     actor, device, d);
    }
    free(name);
    return store_order_finish(store_tx_end(s, &tx, e), err_msg);
}

/* ---- reservations and tasks of one order ---- */

tote_st_err store_order_exec_id(tote_store *s, const char *sql, long long id)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, id);
    int rc = store_step_done(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : store_db_fail(s, rc);
}

static tote_st_err query_ll(tote_store *s, const char *sql, long long id, long long *out)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? TOTE_ST_E_OK : store_db_fail(s, rc);
}

/*
 * Gives back everything the order holds, through the allocator
 * (tote_alloc_release_order: open allocations closed, stock.reserved and
 * order_line.allocated lowered, open pick tasks cancelled, emptied pick lists
 * closed, an unpicked 'allocated' order back to 'released'). *units: units no
 * longer reserved; *tasks: open pick tasks cancelled; *now: the order's status
 * afterwards.
 */
tote_st_err store_order_give_back(tote_store *s, long long order_id, const char *actor, long long *units,
                                  long long *tasks, tote_order_status *now)
{
    tote_st_err e = query_ll(s,
                             "SELECT COALESCE(SUM(a.qty - a.picked), 0) FROM allocation a JOIN order_line l "
                             "ON l.id = a.order_line_id WHERE l.order_id = ?1 AND a.status = 'open'",
                             order_id, units);
    if (e == TOTE_ST_E_OK)
        e = query_ll(s,
                     "SELECT COUNT(*) FROM pick_task WHERE status = 'open' AND order_line_id IN "
                     "(SELECT id FROM order_line WHERE order_id = ?1)",
                     order_id, tasks);
    if (e != TOTE_ST_E_OK)
        return e;
    if (*units > 0 || *tasks > 0) {
        e = tote_alloc_release_order(s, order_id, actor);
        if (e != TOTE_ST_E_OK)
            return store_fail(e, "could not give back the order's reservations: %s", tote_st_strerror(e));
    }
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT status FROM orders WHERE id = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && tote_order_status_parse((const char *)sqlite3_column_text(st, 0), now) != 0)
        rc = SQLITE_CORRUPT;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : store_db_fail(s, rc);
}

/* Links lines with product_id NULL to the catalog by sku; *unknown = shippable lines still unknown. */
static tote_st_err relink_lines(tote_store *s, long long order_id, long long *unknown)
{
    tote_st_err e =
        store_order_exec_id(s,
                            "UPDATE order_line SET product_id = (SELECT p.id FROM product p WHERE p.sku = "
                            "order_line.sku) WHERE order_id = ?1 AND product_id IS NULL",
                            order_id);
    if (e == TOTE_ST_E_OK)
        e = query_ll(s,
                     "SELECT COUNT(*) FROM order_line WHERE order_id = ?1 AND product_id IS NULL "
                     "AND requires_shipping = 1 AND ordered > 0",
                     order_id, unknown);
    return e;
}

/* Where an order held or released resumes, from its data. */
static tote_st_err resume_status(tote_store *s, long long order_id, tote_order_status *out)
{
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "SELECT COALESCE(SUM(picked), 0), COALESCE(SUM(packed), 0), "
        "COALESCE(SUM(CASE WHEN requires_shipping = 1 AND picked + short < ordered THEN 1 ELSE 0 END), 0), "
        "(SELECT COUNT(*) FROM allocation a JOIN order_line l2 ON l2.id = a.order_line_id "
        " WHERE l2.order_id = ?1 AND a.status = 'open' AND a.picked < a.qty) "
        "FROM order_line WHERE order_id = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    long long picked = 0, packed = 0, open_lines = 0, open_alloc = 0;
    if (rc == SQLITE_ROW) {
        picked = sqlite3_column_int64(st, 0);
        packed = sqlite3_column_int64(st, 1);
        open_lines = sqlite3_column_int64(st, 2);
        open_alloc = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return store_db_fail(s, rc);
    if (packed > 0)
        *out = (packed >= picked && open_lines == 0) ? PAK : PCK;
    else if (picked > 0 && open_lines == 0)
        *out = PKD;
    else if (open_alloc > 0)
        *out = ALC;
    else
        *out = REL;
    return TOTE_ST_E_OK;
}

/* ---- the verbs ---- */

static cJSON *reason_detail(const char *reason)
{
    cJSON *d = cJSON_CreateObject();
    if (reason && *reason)
        cJSON_AddStringToObject(d, "reason", reason);
    return d;
}

/* Releases a loaded order that passed the gate (payment checked by the caller). */
static tote_st_err do_release(tote_store *s, struct order_row *r, const char *actor, const char *device,
                              const char *reason)
{
    long long unknown = 0;
    tote_st_err e = relink_lines(s, r->id, &unknown);
    if (e != TOTE_ST_E_OK)
        return e;
    if (unknown > 0) {
        if (r->status == HLD && r->hold_reason && strcmp(r->hold_reason, "payment") == 0) {
            /* paid, but still cannot be picked: the hold's reason changes */
            e = store_order_write_status(s, r->id, r->name, HLD, HLD, "unknown_sku", actor, device,
                                         reason_detail(reason));
            return e;
        }
        return store_fail(TOTE_ST_E_STATE,
                          "order %s has %lld shippable line(s) whose SKU is not in the catalog; import the "
                          "products first",
                          r->name, unknown);
    }
    tote_order_status to = REL;
    if (r->status == HLD) {
        e = resume_status(s, r->id, &to);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    return store_order_write_status(s, r->id, r->name, r->status, to, NULL, actor, device,
                                    reason_detail(reason));
}

/* What an order command was given besides the order's name. */
struct order_cmd {
    const char *actor, *device, *reason, *method;
};

typedef tote_st_err (*order_cmd_fn)(tote_store *s, struct order_row *r, const struct order_cmd *c);

/* An order command in one transaction: loads the order named name and runs
 * body on it; what body returns decides commit or rollback. err_msg as for
 * the commands (tote/orders.h). */
static tote_st_err order_command(tote_store *s, const char *name, order_cmd_fn body,
                                 const struct order_cmd *c, char **err_msg)
{
    store_detail_clear();
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return store_order_finish(e, err_msg);
    struct order_row r;
    e = order_load(s, name, &r);
    if (e == TOTE_ST_E_OK)
        e = body(s, &r, c);
    store_order_row_clear(&r);
    return store_order_finish(store_tx_end(s, &tx, e), err_msg);
}

static tote_st_err release_body(tote_store *s, struct order_row *r, const struct order_cmd *c)
{
    if (r->status != RCV && r->status != HLD)
        return store_fail(TOTE_ST_E_STATE, "order %s is %s, not on hold; there is nothing to release",
                          r->name, tote_order_status_name(r->status));
    if (!store_order_is_paid(r->payment_status) && !r->cod)
        return store_fail(
            TOTE_ST_E_STATE,
            "order %s is not paid (payment status %s); record the payment with 'tote order paid %s' "
            "first",
            r->name, r->payment_status ? r->payment_status : "unknown", r->name);
    return do_release(s, r, c->actor, c->device, c->reason);
}

tote_st_err tote_order_release(tote_store *s, const char *name, const char *actor, const char *device,
                               const char *reason, char **err_msg)
{
    const struct order_cmd c = {actor, device, reason, NULL};
    return order_command(s, name, release_body, &c, err_msg);
}

static tote_st_err hold_body(tote_store *s, struct order_row *r, const struct order_cmd *c)
{
    if (r->status == HLD && r->hold_reason && strcmp(r->hold_reason, "manual") == 0)
        return store_fail(TOTE_ST_E_STATE, "order %s is already on hold", r->name);
    if (r->status != HLD && !tote_order_transition_allowed(r->status, HLD))
        return store_fail(TOTE_ST_E_STATE, "order %s is %s; it can no longer be held", r->name,
                          tote_order_status_name(r->status));
    long long units = 0, tasks = 0;
    tote_order_status now = r->status;
    tote_st_err e = store_order_give_back(s, r->id, c->actor, &units, &tasks, &now);
    if (e != TOTE_ST_E_OK)
        return e;
    cJSON *d = reason_detail(c->reason);
    if (units)
        cJSON_AddNumberToObject(d, "reservations_released", (double)units);
    if (tasks)
        cJSON_AddNumberToObject(d, "pick_tasks_cancelled", (double)tasks);
    return store_order_write_status(s, r->id, r->name, r->status, HLD, "manual", c->actor, c->device, d);
}

tote_st_err tote_order_hold(tote_store *s, const char *name, const char *actor, const char *device,
                            const char *reason, char **err_msg)
{
    const struct order_cmd c = {actor, device, reason, NULL};
    return order_command(s, name, hold_body, &c, err_msg);
}

static tote_st_err cancel_body(tote_store *s, struct order_row *r, const struct order_cmd *c)
{
    if (r->status == CAN)
        return store_fail(TOTE_ST_E_STATE, "order %s is already cancelled", r->name);
    if (r->status == SHP || r->status == DLV)
        return store_fail(TOTE_ST_E_STATE,
                          "order %s is %s; a shipped order cannot be cancelled (open a return "
                          "instead)",
                          r->name, tote_order_status_name(r->status));
    long long units = 0, tasks = 0, picked = 0;
    tote_order_status now = r->status;
    tote_st_err e = store_order_give_back(s, r->id, c->actor, &units, &tasks, &now);
    if (e == TOTE_ST_E_OK)
        e = store_order_exec_id(
            s, "UPDATE package SET status = 'cancelled' WHERE order_id = ?1 AND status IN ('open','closed')",
            r->id);
    if (e == TOTE_ST_E_OK)
        e = query_ll(s, "SELECT COALESCE(SUM(picked), 0) FROM order_line WHERE order_id = ?1", r->id,
                     &picked);
    if (e != TOTE_ST_E_OK)
        return e;
    cJSON *d = reason_detail(c->reason);
    cJSON_AddNumberToObject(d, "reservations_released", (double)units);
    if (tasks)
        cJSON_AddNumberToObject(d, "pick_tasks_cancelled", (double)tasks);
    if (picked)
        cJSON_AddNumberToObject(d, "picked_units_to_put_away", (double)picked);
    return store_order_write_status(s, r->id, r->name, r->status, CAN, NULL, c->actor, c->device, d);
}

tote_st_err tote_order_cancel(tote_store *s, const char *name, const char *actor, const char *device,
                              const char *reason, char **err_msg)
{
    const struct order_cmd c = {actor, device, reason, NULL};
    return order_command(s, name, cancel_body, &c, err_msg);
}

static tote_st_err paid_body(tote_store *s, struct order_row *r, const struct order_cmd *c)
{
    if (r->status == CAN)
        return store_fail(TOTE_ST_E_STATE, "order %s is cancelled: a payment cannot be recorded for it",
                          r->name);
    if (store_order_is_paid(r->payment_status))
        return store_fail(TOTE_ST_E_STATE, "order %s is already paid", r->name);
    char now[32];
    tote_store_now(now);
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE orders SET payment_status = 'paid', payment_method = "
                                          "COALESCE(?2, payment_method), updated_at = ?3 WHERE id = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, r->id);
    store_bind_text_ne(st, 2, c->method);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    int rc = store_step_done(st);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, rc);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "from", r->payment_status ? r->payment_status : "");
    if (c->method && *c->method)
        cJSON_AddStringToObject(d, "method", c->method);
    char *txt = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    tote_st_err e = tote_store_event(s, c->actor, c->device, "order.paid", "order", r->name, txt);
    cJSON_free(txt);
    if (e != TOTE_ST_E_OK)
        return store_db_fail(s, SQLITE_ERROR);
    if (r->status == HLD && r->hold_reason && strcmp(r->hold_reason, "payment") == 0)
        return do_release(s, r, c->actor, c->device, "paid");
    return TOTE_ST_E_OK;
}

tote_st_err tote_order_paid(tote_store *s, const char *name, const char *method, const char *actor,
                            const char *device, char **err_msg)
{
    const struct order_cmd c = {actor, device, NULL, method};
    return order_command(s, name, paid_body, &c, err_msg);
}
tote_st_err tote_order_picked_json(tote_store *s, const char *name, cJSON **out)
{
    *out = NULL;
    store_detail_clear();
    long long id = 0;
    tote_order_status st;
    tote_st_err e = tote_order_find(s, name, &id, &st);
    if (e != TOTE_ST_E_OK)
        return e;
    if (st == SHP || st == DLV) { /* they left with the parcel */
        *out = cJSON_CreateArray();
        return *out ? TOTE_ST_E_OK : TOTE_ST_E_NOMEM;
    }
    sqlite3_stmt *q = tote_store_stmt(
        s, "SELECT p.sku AS sku, l.code AS bin, SUM(t.done) AS units, COALESCE(MAX(t.tote), '') AS tote, "
           "COALESCE(st.lot, '') AS lot FROM pick_task t "
           "JOIN order_line ol ON ol.id = t.order_line_id JOIN stock st ON st.id = t.stock_id "
           "JOIN location l ON l.id = st.location_id JOIN product p ON p.id = st.product_id "
           "WHERE ol.order_id = ?1 AND t.done > 0 GROUP BY p.sku, l.code, st.lot ORDER BY p.sku, l.code, "
           "st.lot");
    if (!q)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(q, 1, id);
    cJSON *arr = cJSON_CreateArray();
    if (!arr) {
        sqlite3_reset(q);
        return TOTE_ST_E_NOMEM;
    }
    e = store_rows_by_name(q, arr);
    if (e != TOTE_ST_E_OK) {
        cJSON_Delete(arr);
        return e;
    }
    *out = arr;
    return TOTE_ST_E_OK;
}
