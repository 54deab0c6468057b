/*
 * Picking: NEXT_TASK leases a pick list to the picker's handheld and hands
 * out its tasks in walking order; item scans are checked against the task;
 * SHORT_PICK records a shortage and re-allocates or marks the line short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows_internal.h"
#include "tote/alloc.h"
#include "tote/catalog.h"
#include "tote/reorder.h"
#include "tote/stock.h"

void tote_flow_task_reply(const tote_pick_task *t, tote_wire_msg *out)
{
    out->type = TOTE_WIRE_TASK;
    memset(&out->u.task, 0, sizeof out->u.task);
    out->u.task.kind = TOTE_TASK_PICK;
    out->u.task.task_id = (uint32_t)t->id;
    out->u.task.pick_list_id = (uint32_t)t->pick_list_id;
    snprintf(out->u.task.bin, sizeof out->u.task.bin, "%s", t->bin);
    snprintf(out->u.task.sku, sizeof out->u.task.sku, "%s", t->sku);
    snprintf(out->u.task.name, sizeof out->u.task.name, "%s", t->name);
    snprintf(out->u.task.gtin, sizeof out->u.task.gtin, "%s", t->gtin);
    snprintf(out->u.task.lot, sizeof out->u.task.lot, "%s", t->lot);
    out->u.task.qty_total = (uint32_t)t->qty;
    out->u.task.qty_done = (uint32_t)t->done;
    snprintf(out->u.task.tote, sizeof out->u.task.tote, "%s", t->tote);
    snprintf(out->u.task.order, sizeof out->u.task.order, "%s", t->order_name);
    out->u.task.tasks_left = (uint32_t)t->tasks_left;
    out->u.task.bin_confirmed = (uint8_t)(t->bin_confirmed ? 1 : 0);
}

static void no_task(tote_wire_msg *out, const char *message)
{
    out->type = TOTE_WIRE_NO_TASK;
    snprintf(out->u.no_task.message, sizeof out->u.no_task.message, "%s", message);
}

/* Orders of a leased list go to 'picking'. */
static tote_st_err orders_to_picking(tote_flow_ctx *c, long long list_id)
{
    tote_order_ref orders[64];
    int n = 0;
    tote_st_err e = tote_pick_list_orders(c->s, list_id, orders, 64, &n);
    for (int i = 0; e == TOTE_ST_E_OK && i < n; i++) {
        if (strcmp(orders[i].status, "allocated") != 0)
            continue;
        e = tote_flow_order_status(c->s, orders[i].id, "picking", tote_flow_actor(c), c->dev.name, NULL,
                                   NULL);
        if (e == TOTE_ST_E_OK) {
            cJSON *ev = tote_flow_event_obj(c, "status");
            cJSON_AddStringToObject(ev, "order", orders[i].name);
            cJSON_AddStringToObject(ev, "from", orders[i].status);
            cJSON_AddStringToObject(ev, "status", "picking");
            tote_events_add(c->events, "order", ev);
        }
    }
    return e;
}

tote_st_err tote_flow_pick_next(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    tote_wire_reason gate = tote_flow_gate(c, "pick");
    if (gate != TOTE_REASON_OK) {
        tote_flow_result(out, 0, gate, TOTE_FEEDBACK_ERROR, "%s", tote_wire_reason_text(gate));
        return TOTE_ST_E_OK;
    }
    tote_pick_task t;
    char until[32];
    tote_flow_time_add(c->now, c->cfg->lease_seconds, until);
    tote_st_err e = tote_pick_current(c->s, c->dev.name, &t);
    if (e == TOTE_ST_E_OK && (e = tote_pick_renew_lease(c->s, c->dev.name, until)) != TOTE_ST_E_OK)
        return e;
    /* the device's own list, as it was, with a later lease_until (which no
     * cached row holds): the other devices' entries stay true */
    if (e == TOTE_ST_E_OK) {
        tote_flow_hot_put_task(c->hot, c->dev.name, NULL);
        c->hot_plain = 1;
    }
    if (e == TOTE_ST_E_NOT_FOUND) {
        long long list_id = 0;
        e = tote_pick_lease_next(c->s, c->dev.name, c->dev.operator_name[0] ? c->dev.operator_name : NULL,
                                 until, &list_id);
        if (e == TOTE_ST_E_NOT_FOUND) {
            no_task(out, "no pick lists waiting");
            return TOTE_ST_E_OK;
        }
        if (e != TOTE_ST_E_OK)
            return e;
        char subject[32], detail[64];
        snprintf(subject, sizeof subject, "%lld", list_id);
        snprintf(detail, sizeof detail, "{\"lease_until\":\"%s\"}", until);
        if ((e = tote_store_event(c->s, tote_flow_actor(c), c->dev.name, "pick_list_leased", "pick_list",
                                  subject, detail)) != TOTE_ST_E_OK)
            return e;
        if ((e = orders_to_picking(c, list_id)) != TOTE_ST_E_OK)
            return e;
        cJSON *ev = tote_flow_event_obj(c, "list_leased");
        cJSON_AddNumberToObject(ev, "pick_list", (double)list_id);
        cJSON_AddStringToObject(ev, "lease_until", until);
        tote_events_add(c->events, "wave", ev);
        e = tote_pick_current(c->s, c->dev.name, &t);
    }
    if (e == TOTE_ST_E_NOT_FOUND) {
        no_task(out, "no pick lists waiting");
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return e;
    (void)req;
    tote_flow_task_reply(&t, out);
    return TOTE_ST_E_OK;
}

/* After a task closed (done or short): finish the list when nothing is open,
 * and move each order with no open task left to 'picked'. Sets *list_done. */
static tote_st_err after_task(tote_flow_ctx *c, const tote_pick_task *t, int *list_done)
{
    *list_done = 0;
    int open = 0;
    tote_st_err e = tote_pick_list_open_tasks(c->s, t->pick_list_id, &open);
    if (e != TOTE_ST_E_OK)
        return e;
    tote_order_ref orders[64];
    int n = 0;
    if (open == 0) {
        if ((e = tote_pick_list_finish(c->s, t->pick_list_id, c->now)) != TOTE_ST_E_OK)
            return e;
        char subject[32];
        snprintf(subject, sizeof subject, "%lld", t->pick_list_id);
        if ((e = tote_store_event(c->s, tote_flow_actor(c), c->dev.name, "pick_list_done", "pick_list",
                                  subject, NULL)) != TOTE_ST_E_OK)
            return e;
        cJSON *ev = tote_flow_event_obj(c, "list_done");
        cJSON_AddNumberToObject(ev, "pick_list", (double)t->pick_list_id);
        tote_events_add(c->events, "wave", ev);
        *list_done = 1;
        if ((e = tote_pick_list_orders(c->s, t->pick_list_id, orders, 64, &n)) != TOTE_ST_E_OK)
            return e;
    } else {
        orders[0].id = t->order_id;
        snprintf(orders[0].name, sizeof orders[0].name, "%s", t->order_name);
        snprintf(orders[0].status, sizeof orders[0].status, "%s", t->order_status);
        n = 1;
    }
    for (int i = 0; i < n; i++) {
        if (strcmp(orders[i].status, "picking") != 0)
            continue;
        int left = 0;
        if ((e = tote_pick_order_open_tasks(c->s, orders[i].id, &left)) != TOTE_ST_E_OK)
            return e;
        if (left > 0)
            continue;
        if (orders[i].id == t->order_id &&
            (e = tote_pick_order_set_tote(c->s, t->order_id, t->tote)) != TOTE_ST_E_OK)
            return e;
        if ((e = tote_flow_order_status(c->s, orders[i].id, "picked", tote_flow_actor(c), c->dev.name, NULL,
                                        NULL)) != TOTE_ST_E_OK)
            return e;
        cJSON *ev = tote_flow_event_obj(c, "status");
        cJSON_AddStringToObject(ev, "order", orders[i].name);
        cJSON_AddStringToObject(ev, "from", "picking");
        cJSON_AddStringToObject(ev, "status", "picked");
        tote_events_add(c->events, "order", ev);
    }
    return TOTE_ST_E_OK;
}

static const char *scan_kind_label(tote_flow_scan_kind k)
{
    switch (k) {
    case TOTE_SCAN_SSCC:
        return "a pallet/carton label (SSCC)";
    case TOTE_SCAN_TOTE:
        return "a tote label";
    case TOTE_SCAN_ORDER:
        return "an order label";
    case TOTE_SCAN_TRACKING:
        return "a shipping label";
    default:
        return "not an item";
    }
}

tote_st_err tote_flow_pick_scan(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    tote_pick_task t;
    tote_st_err e = TOTE_ST_E_OK;
    if (!tote_flow_hot_task(c->hot, c->dev.name, &t) &&
        (e = tote_pick_current_ex(c->s, c->dev.name, 0, &t)) == TOTE_ST_E_OK)
        tote_flow_hot_put_task(c->hot, c->dev.name, &t);
    if (e == TOTE_ST_E_NOT_FOUND) {
        c->hot_plain = 1; /* a refusal: the scan row and an event, nothing the cache holds */
        return tote_flow_scan_outcome(c, req, sc, "pick", TOTE_REASON_NO_TASK, 0, 0, NULL, 0, 0, out,
                                      TOTE_FEEDBACK_ERROR, "no task in progress: ask for the next task");
    }
    if (e != TOTE_ST_E_OK)
        return e;

/* Every reply on a task says where the task stands (PROTOCOL.md RESULT): a
 * refusal or a bin scan leaves it as it was. */
#define TASK_STANDS()                                                      \
    do {                                                                   \
        out->u.result.qty_done = (uint32_t)t.done;                         \
        out->u.result.qty_left = (uint32_t)(t.qty - t.short_qty - t.done); \
    } while (0)
#define REFUSE(reason, ...)                                                                               \
    do {                                                                                                  \
        c->hot_plain = 1; /* the scan row and an event: the task stands as cached */                      \
        e = tote_flow_scan_outcome(c, req, sc, "pick", TOTE_REASON_##reason, 0, t.order_id, t.order_name, \
                                   t.id, 0, out, TOTE_FEEDBACK_ERROR, __VA_ARGS__);                       \
        TASK_STANDS();                                                                                    \
        return e;                                                                                         \
    } while (0)

    if (sc->kind == TOTE_SCAN_INVALID)
        REFUSE(INVALID_BARCODE, "barcode is malformed (%s): scan again", sc->error);
    if (sc->kind == TOTE_SCAN_BIN) {
        if (strcmp(sc->code, t.bin) != 0)
            REFUSE(WRONG_BIN, "wrong bin %s: go to %s", sc->code, t.bin);
        if ((e = tote_pick_confirm_bin(c->s, t.id)) != TOTE_ST_E_OK)
            return e;
        t.bin_confirmed = 1;
        tote_flow_hot_put_task(c->hot, c->dev.name, &t);
        c->hot_plain = 1;
        e = tote_flow_scan_outcome(c, req, sc, "pick", TOTE_REASON_OK, 0, t.order_id, t.order_name, t.id, 0,
                                   out, TOTE_FEEDBACK_GOOD, "bin %s confirmed: pick %d x %s", t.bin,
                                   t.qty - t.short_qty - t.done, t.name);
        TASK_STANDS();
        return e;
    }
    if (sc->kind != TOTE_SCAN_GTIN && sc->kind != TOTE_SCAN_UNKNOWN)
        REFUSE(WRONG_ITEM, "that is %s: scan the item %s", scan_kind_label(sc->kind), t.sku);
    long long product_id = 0;
    int units = 1;
    e = tote_product_find_by_scan(c->s, sc->code, &product_id, &units);
    if (e == TOTE_ST_E_NOT_FOUND)
        REFUSE(UNKNOWN_BARCODE, "barcode %.40s is not known: scan the item's other barcode", sc->code);
    if (e != TOTE_ST_E_OK)
        return e;
    if (c->cfg->require_bin_scan && !t.bin_confirmed)
        REFUSE(SCAN_BIN_FIRST, "scan bin %s first", t.bin);
    if (product_id != t.product_id)
        REFUSE(WRONG_ITEM, "wrong item: this pick is %s %s", t.sku, t.name);
    if ((sc->expiry[0] && strcmp(sc->expiry, c->today) < 0) ||
        (t.expiry[0] && strcmp(t.expiry, c->today) < 0))
        REFUSE(EXPIRED_LOT, "lot expired on %s: put it aside and report it",
               sc->expiry[0] ? sc->expiry : t.expiry);
    if (sc->lot[0] && t.lot[0] && strcmp(sc->lot, t.lot) != 0)
        REFUSE(WRONG_LOT, "lot %s is not the allocated lot %s", sc->lot, t.lot);
    int n = units * (sc->count > 0 ? sc->count : 1);
    if (t.done + n > t.qty - t.short_qty)
        REFUSE(OVER_PICK, "too many: %d picked of %d, this scan is %d", t.done, t.qty - t.short_qty, n);
#undef REFUSE

    if ((e = tote_pick_apply(c->s, &t, n, tote_flow_actor(c), c->dev.name, c->now)) != TOTE_ST_E_OK)
        return e;
    t.done += n;
    int task_done = t.done + t.short_qty >= t.qty;
    int list_done = 0;
    if (task_done && (e = after_task(c, &t, &list_done)) != TOTE_ST_E_OK)
        return e;
    if (task_done && (e = tote_reorder_check(c->s, t.product_id, tote_flow_actor(c))) != TOTE_ST_E_OK)
        return e;
    /* an open task with one count changed stays the device's task; a
     * finished one is forgotten (the device's task is another now). What
     * after_task changed (this list, orders with no open task left anywhere,
     * so in no task any device holds) leaves the other entries true */
    tote_flow_hot_put_task(c->hot, c->dev.name, task_done ? NULL : &t);
    c->hot_plain = 1;
    tote_jw d;
    tote_jw_begin(&d);
    tote_jw_num(&d, "task", t.id);
    tote_jw_str(&d, "sku", t.sku);
    tote_jw_str(&d, "bin", t.bin);
    tote_jw_num(&d, "qty", n);
    if (sc->lot[0])
        tote_jw_str(&d, "lot", sc->lot);
    char *detail = tote_jw_end(&d);
    e = tote_store_event(c->s, tote_flow_actor(c), c->dev.name, "pick", "order", t.order_name, detail);
    free(detail);
    if (e != TOTE_ST_E_OK)
        return e;
    if (list_done)
        e = tote_flow_scan_outcome(c, req, sc, "pick", TOTE_REASON_OK, n, t.order_id, t.order_name, t.id, 0,
                                   out, TOTE_FEEDBACK_DONE, "pick list done: take the totes to packing");
    else if (task_done)
        e = tote_flow_scan_outcome(c, req, sc, "pick", TOTE_REASON_OK, n, t.order_id, t.order_name, t.id, 0,
                                   out, TOTE_FEEDBACK_DONE, "%d of %d %s done: next task", t.done, t.qty,
                                   t.sku);
    else
        e = tote_flow_scan_outcome(c, req, sc, "pick", TOTE_REASON_OK, n, t.order_id, t.order_name, t.id, 0,
                                   out, TOTE_FEEDBACK_GOOD, "%d of %d %s", t.done, t.qty, t.sku);
    TASK_STANDS();
#undef TASK_STANDS
    out->u.result.task_done = (uint8_t)task_done;
    return e;
}

/* Order line order_line_id is short of `units` of t's product from t's bin
 * (detail: what was found there): order_line.short grows, and an alert row
 * naming the line's order is raised and published (PUB 'alert'). */
static tote_st_err mark_short(tote_flow_ctx *c, long long order_line_id, const tote_pick_task *t, int units,
                              const char *detail)
{
    char order_name[65];
    tote_st_err e = tote_pick_line_short(c->s, order_line_id, units, order_name);
    if (e != TOTE_ST_E_OK)
        return e;
    char msg[800];
    snprintf(msg, sizeof msg, "order %s is short %d x %s (%s): %s", order_name, units, t->sku, t->name,
             detail);
    cJSON *ev = NULL;
    if ((e = tote_flow_alert_begin(c, "short_pick", order_name, msg, "short_pick", &ev)) != TOTE_ST_E_OK)
        return e;
    cJSON_AddStringToObject(ev, "order", order_name);
    cJSON_AddStringToObject(ev, "sku", t->sku);
    cJSON_AddStringToObject(ev, "bin", t->bin);
    cJSON_AddNumberToObject(ev, "short", units);
    tote_flow_alert_publish(c, ev, msg);
    return TOTE_ST_E_OK;
}

/*
 * After a short pick set the bin's on_hand, the claims of other orders on the
 * same stock row may exceed what is left (on_hand minus what this task still
 * takes). Each claim beyond it gives its units up here: an open task is closed
 * short by that many and they are reallocated from other bins (into the same
 * pick list), an allocation not yet waved is reduced and reallocated; what no
 * bin has is marked short on the line, with an alert. *units_out: units moved
 * off this bin.
 */
static tote_st_err refit_bin(tote_flow_ctx *c, const tote_pick_task *t, long long this_task_needs,
                             long long *units_out)
{
    *units_out = 0;
    long long on_hand = 0;
    tote_st_err e = tote_pick_stock_on_hand(c->s, t->stock_id, &on_hand);
    if (e != TOTE_ST_E_OK)
        return e;
    long long avail = on_hand - this_task_needs;
    if (avail < 0)
        avail = 0;
    tote_pick_claim claims[64];
    int n = 0;
    if ((e = tote_pick_claims_on_stock(c->s, t->stock_id, t->id, claims, 64, &n)) != TOTE_ST_E_OK)
        return e;
    const char *actor = tote_flow_actor(c);
    for (int i = 0; i < n; i++) {
        int units = claims[i].left;
        if (avail >= units) {
            avail -= units;
            continue;
        }
        units -= (int)avail;
        avail = 0;
        long long allocated = 0, new_task = 0;
        if (claims[i].task_id) {
            tote_pick_task o;
            if ((e = tote_pick_task_get(c->s, claims[i].task_id, &o)) != TOTE_ST_E_OK)
                return e;
            if ((e = tote_pick_close_short(c->s, &o, units)) != TOTE_ST_E_OK)
                return e;
            if ((e = tote_flow_reallocate(c, &o, units, &allocated, &new_task)) != TOTE_ST_E_OK)
                return e;
            if (o.qty - o.done - o.short_qty - units <= 0) {
                int list_done = 0;
                tote_pick_task now;
                if ((e = tote_pick_task_get(c->s, o.id, &now)) != TOTE_ST_E_OK ||
                    (e = after_task(c, &now, &list_done)) != TOTE_ST_E_OK)
                    return e;
            }
        } else {
            if ((e = tote_pick_alloc_give_up(c->s, claims[i].allocation_id, units)) != TOTE_ST_E_OK)
                return e;
            if ((e = tote_alloc_reallocate(c->s, claims[i].order_line_id, units, t->stock_id, actor,
                                           c->dev.name, &allocated, &new_task)) != TOTE_ST_E_OK)
                return e;
        }
        *units_out += units;
        int still = units - (int)allocated;
        if (still > 0) {
            char detail[200];
            snprintf(detail, sizeof detail,
                     "bin %s was found holding less than recorded, and no other bin has it", t->bin);
            if ((e = mark_short(c, claims[i].order_line_id, t, still, detail)) != TOTE_ST_E_OK)
                return e;
        }
    }
    return TOTE_ST_E_OK;
}

tote_st_err tote_flow_pick_short(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    tote_wire_reason gate = tote_flow_gate(c, "pick");
    if (gate != TOTE_REASON_OK) {
        tote_flow_result(out, 0, gate, TOTE_FEEDBACK_ERROR, "%s", tote_wire_reason_text(gate));
        return TOTE_ST_E_OK;
    }
    tote_pick_task t;
    tote_st_err e = tote_pick_task_get(c->s, (long long)req->u.short_pick.task_id, &t);
    if (e == TOTE_ST_E_NOT_FOUND ||
        (e == TOTE_ST_E_OK && (strcmp(t.status, "open") != 0 || strcmp(t.device, c->dev.name) != 0))) {
        tote_flow_result(out, 0, TOTE_REASON_NO_TASK, TOTE_FEEDBACK_ERROR,
                         "task %u is not open on this handheld", req->u.short_pick.task_id);
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return e;
    int remaining = t.qty - t.done - t.short_qty; /* an earlier short already gave some up */
    uint32_t found = req->u.short_pick.qty_found;
    if ((long long)found >= remaining) {
        tote_flow_result(out, 0, TOTE_REASON_BAD_QUANTITY, TOTE_FEEDBACK_ERROR,
                         "the bin holds %u, enough for the %d left: scan them", found, remaining);
        return TOTE_ST_E_OK;
    }
    /* what is in the bin can still be picked on this task; the rest is short */
    int missing_units = remaining - (int)found;
    const char *reason = req->u.short_pick.reason[0] ? req->u.short_pick.reason : "short pick";
    const char *actor = tote_flow_actor(c);

    /* the ledger: the bin holds `found`, not what was recorded */
    long long on_hand = 0;
    if ((e = tote_pick_stock_on_hand(c->s, t.stock_id, &on_hand)) != TOTE_ST_E_OK)
        return e;
    long long missing = on_hand - (long long)found;
    if (missing > 0 && (e = tote_stock_adjust(c->s, t.stock_id, -missing, "shortage", actor, c->dev.name,
                                              reason)) != TOTE_ST_E_OK)
        return e;
    if ((e = tote_pick_close_short(c->s, &t, missing_units)) != TOTE_ST_E_OK)
        return e;
    if ((e = tote_reorder_check(c->s, t.product_id, actor)) != TOTE_ST_E_OK)
        return e;
    long long count_task = 0;
    if ((e = tote_count_task_create(c->s, t.location_id, t.product_id, reason, c->now, &count_task)) !=
        TOTE_ST_E_OK)
        return e;

    /* another bin? */
    long long allocated = 0, new_task = 0;
    if ((e = tote_flow_reallocate(c, &t, missing_units, &allocated, &new_task)) != TOTE_ST_E_OK)
        return e;
    int still_short = missing_units - (int)allocated;
    if (still_short > 0) {
        char detail[200];
        snprintf(detail, sizeof detail, "bin %s had %u", t.bin, req->u.short_pick.qty_found);
        if ((e = mark_short(c, t.order_line_id, &t, still_short, detail)) != TOTE_ST_E_OK)
            return e;
    }
    /* the bin now holds `found`, all of it for this task: every other claim
       on it (other orders' tasks, allocations not yet waved) is short here
       too and must look elsewhere, or the ledger would go below zero */
    long long others_short = 0;
    if ((e = refit_bin(c, &t, (long long)found, &others_short)) != TOTE_ST_E_OK)
        return e;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "task", (double)t.id);
    cJSON_AddStringToObject(d, "sku", t.sku);
    cJSON_AddStringToObject(d, "bin", t.bin);
    cJSON_AddNumberToObject(d, "missing", missing_units);
    cJSON_AddNumberToObject(d, "others_short", (double)others_short);
    cJSON_AddNumberToObject(d, "qty_found", req->u.short_pick.qty_found);
    cJSON_AddNumberToObject(d, "reallocated", (double)allocated);
    cJSON_AddNumberToObject(d, "count_task", (double)count_task);
    cJSON_AddStringToObject(d, "reason", reason);
    char *detail = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    e = tote_store_event(c->s, actor, c->dev.name, "short_pick", "order", t.order_name, detail);
    cJSON_free(detail);
    if (e != TOTE_ST_E_OK)
        return e;
    int list_done = 0;
    int task_closed = found == 0;
    if (task_closed && (e = after_task(c, &t, &list_done)) != TOTE_ST_E_OK)
        return e;
    cJSON *ev = tote_flow_event_obj(c, "short_pick");
    cJSON_AddStringToObject(ev, "context", "pick");
    cJSON_AddBoolToObject(ev, "accepted", 1);
    cJSON_AddStringToObject(ev, "order", t.order_name);
    cJSON_AddStringToObject(ev, "sku", t.sku);
    cJSON_AddStringToObject(ev, "bin", t.bin);
    cJSON_AddNumberToObject(ev, "missing", missing_units);
    cJSON_AddNumberToObject(ev, "reallocated", (double)allocated);
    tote_events_add(c->events, "scan", ev);

    if (allocated > 0)
        tote_flow_result(out, 1, TOTE_REASON_OK, TOTE_FEEDBACK_WARNING,
                         "short %d x %s recorded: %lld found in another bin, new task follows", missing_units,
                         t.sku, allocated);
    else
        tote_flow_result(out, 1, TOTE_REASON_OK, TOTE_FEEDBACK_WARNING,
                         "short %d x %s recorded: no other bin has it, supervisor alerted", missing_units,
                         t.sku);
    if (!task_closed) {
        size_t used = strlen(out->u.result.message);
        snprintf(out->u.result.message + used, sizeof out->u.result.message - used,
                 "; pick the %u left in %s", found, t.bin);
    }
    out->u.result.qty_done = (uint32_t)t.done;
    out->u.result.qty_left = found;
    out->u.result.task_done = (uint8_t)task_closed;
    if (allocated > 0) {
        /* the picker gets the new task at once */
        tote_pick_task next;
        e = tote_pick_current(c->s, c->dev.name, &next);
        tote_flow_reply_init(c, req, &out[1], TOTE_WIRE_TASK);
        if (e == TOTE_ST_E_OK)
            tote_flow_task_reply(&next, &out[1]);
        else if (e == TOTE_ST_E_NOT_FOUND)
            no_task(&out[1], "no task left on this list");
        else
            return e;
        *n_out = 2;
    }
    return TOTE_ST_E_OK;
}
