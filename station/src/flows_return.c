/*
 * Returns at a bench: an order or tracking barcode opens an RMA for a
 * shipped order; each item scanned goes back to a bin (restock) or to
 * quarantine, with a reason; closing the RMA records the refund.
 *
 * Replies are PACK_STATE: package_id is the RMA id, lines show shipped
 * (expected) and returned (packed), status 1 open / 2 closed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flows_internal.h"
#include "tote/catalog.h"
#include "tote/reorder.h"
#include "tote/stock.h"

static tote_st_err state(tote_flow_ctx *c, tote_wire_msg *out, const tote_rma *r, int status, int accepted,
                         tote_wire_reason reason, tote_wire_feedback fb, const char *msg)
{
    char text[TOTE_WIRE_TEXT_MAX + 1];
    snprintf(text, sizeof text, "%s", msg);
    out->type = TOTE_WIRE_PACK_STATE;
    memset(&out->u.pack_state, 0, sizeof out->u.pack_state);
    out->u.pack_state.accepted = (uint8_t)accepted;
    out->u.pack_state.reason = (uint16_t)reason;
    out->u.pack_state.feedback = (uint8_t)fb;
    snprintf(out->u.pack_state.message, sizeof out->u.pack_state.message, "%s", text);
    if (!r)
        return TOTE_ST_E_OK;
    snprintf(out->u.pack_state.order, sizeof out->u.pack_state.order, "%s", r->order_name);
    out->u.pack_state.package_id = (uint32_t)r->id;
    out->u.pack_state.status = (uint8_t)status;
    int n = 0;
    tote_st_err e =
        tote_pack_lines(c->s, r->order_id, 1, out->u.pack_state.lines, TOTE_WIRE_PACK_LINES_MAX, &n);
    out->u.pack_state.line_count = (uint16_t)n;
    return e;
}

static tote_st_err reply(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                         tote_wire_reason reason, int qty, const tote_rma *r, tote_wire_msg *out,
                         tote_wire_feedback fb, const char *fmt, ...) __attribute__((format(printf, 9, 10)));

static tote_st_err reply(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                         tote_wire_reason reason, int qty, const tote_rma *r, tote_wire_msg *out,
                         tote_wire_feedback fb, const char *fmt, ...)
{
    char msg[TOTE_WIRE_TEXT_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tote_st_err e = tote_flow_scan_outcome(c, req, sc, "return", reason, qty, r ? r->order_id : 0,
                                           r ? r->order_name : NULL, 0, 0, out, fb, "%s", msg);
    if (e != TOTE_ST_E_OK)
        return e;
    return state(c, out, r, r ? 1 : 0, reason == TOTE_REASON_OK, reason, fb, msg);
}

int tote_flow_return_is_open(tote_flow_ctx *c)
{
    tote_rma r;
    return tote_rma_open_of_device(c->s, c->dev.name, &r) == TOTE_ST_E_OK;
}

tote_st_err tote_flow_return_open(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                  tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    tote_pack_order o;
    tote_st_err e;
    if (sc->kind == TOTE_SCAN_ORDER) {
        e = tote_pack_order_by_name(c->s, sc->code, &o);
    } else if (sc->kind == TOTE_SCAN_TRACKING || sc->kind == TOTE_SCAN_SSCC) {
        tote_package p;
        e = tote_pack_package_by_code(c->s, sc->code, &p);
        if (e == TOTE_ST_E_OK)
            e = tote_pack_order_by_id(c->s, p.order_id, &o);
    } else {
        return reply(c, req, sc,
                     sc->kind == TOTE_SCAN_INVALID ? TOTE_REASON_INVALID_BARCODE : TOTE_REASON_NOT_RETURNABLE,
                     0, NULL, out, TOTE_FEEDBACK_ERROR, "scan the order number or the tracking barcode");
    }
    if (e == TOTE_ST_E_NOT_FOUND)
        return reply(c, req, sc, TOTE_REASON_UNKNOWN_BARCODE, 0, NULL, out, TOTE_FEEDBACK_ERROR,
                     "no order or package for %.40s", sc->code);
    if (e != TOTE_ST_E_OK)
        return e;
    tote_rma fake = {.id = 0, .order_id = o.id};
    snprintf(fake.order_name, sizeof fake.order_name, "%s", o.name);
    if (strcmp(o.status, "shipped") != 0 && strcmp(o.status, "delivered") != 0)
        return reply(c, req, sc, TOTE_REASON_NOT_RETURNABLE, 0, NULL, out, TOTE_FEEDBACK_ERROR,
                     "order %s is %s, not shipped: nothing to return", o.name, o.status);
    tote_wire_pack_line lines[TOTE_WIRE_PACK_LINES_MAX];
    int n = 0;
    if ((e = tote_pack_lines(c->s, o.id, 1, lines, TOTE_WIRE_PACK_LINES_MAX, &n)) != TOTE_ST_E_OK)
        return e;
    long long left = 0;
    for (int i = 0; i < n; i++)
        left += (long long)lines[i].expected - lines[i].packed;
    if (left <= 0)
        return reply(c, req, sc, TOTE_REASON_NOT_RETURNABLE, 0, NULL, out, TOTE_FEEDBACK_ERROR,
                     "everything shipped on %s was returned already", o.name);
    long long rma_id = 0;
    int resumed = 0;
    const char *actor = tote_flow_actor(c);
    if ((e = tote_rma_open(c->s, o.id, c->dev.name, actor, c->now, &rma_id, &resumed)) != TOTE_ST_E_OK)
        return e;
    tote_rma r = {.id = rma_id, .order_id = o.id};
    snprintf(r.order_name, sizeof r.order_name, "%s", o.name);
    if (!resumed) {
        char detail[64];
        snprintf(detail, sizeof detail, "{\"rma\":%lld}", rma_id);
        if ((e = tote_store_event(c->s, actor, c->dev.name, "rma_open", "order", o.name, detail)) !=
            TOTE_ST_E_OK)
            return e;
        cJSON *ev = tote_flow_event_obj(c, "rma_open");
        cJSON_AddStringToObject(ev, "order", o.name);
        cJSON_AddNumberToObject(ev, "rma", (double)rma_id);
        tote_events_add(c->events, "order", ev);
    }
    return reply(c, req, sc, TOTE_REASON_OK, 0, &r, out, TOTE_FEEDBACK_GOOD,
                 "%s return %lld for %s: %lld unit%s can come back", resumed ? "resumed" : "opened", rma_id,
                 o.name, left, left == 1 ? "" : "s");
}

/* Where a returned item goes: the location given, else for a restock the
 * bin it was picked from, for quarantine the quarantine location (created
 * if missing). */
static tote_st_err destination(tote_flow_ctx *c, const tote_rma *r, long long product_id, int quarantine,
                               const char *given, long long *location_id, int *bad_location)
{
    *bad_location = 0;
    tote_st_err e;
    if (given && *given) {
        e = tote_location_find(c->s, given, location_id);
        if (e == TOTE_ST_E_NOT_FOUND && quarantine)
            return tote_location_add(c->s, given, NULL, -1, "quarantine", tote_flow_actor(c), location_id);
        if (e == TOTE_ST_E_NOT_FOUND)
            *bad_location = 1;
        if (e == TOTE_ST_E_NOT_FOUND)
            return TOTE_ST_E_OK;
        return e;
    }
    if (!quarantine) {
        e = tote_return_picked_from(c->s, r->order_id, product_id, location_id);
        if (e != TOTE_ST_E_NOT_FOUND)
            return e;
        *bad_location = 1;
        return TOTE_ST_E_OK;
    }
    e = tote_location_find(c->s, c->cfg->quarantine_location, location_id);
    if (e == TOTE_ST_E_NOT_FOUND)
        e = tote_location_add(c->s, c->cfg->quarantine_location, NULL, -1, "quarantine", tote_flow_actor(c),
                              location_id);
    return e;
}

tote_st_err tote_flow_return_item(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                  tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    /* in return mode the handheld sends every scan as RETURN_ITEM: an order
     * or tracking barcode opens that order's return (or switches to it) */
    if (sc->kind == TOTE_SCAN_ORDER || sc->kind == TOTE_SCAN_TRACKING || sc->kind == TOTE_SCAN_SSCC)
        return tote_flow_return_open(c, req, sc, out, n_out);
    tote_rma r;
    tote_st_err e = tote_rma_open_of_device(c->s, c->dev.name, &r);
    if (e == TOTE_ST_E_NOT_FOUND)
        return reply(c, req, sc, TOTE_REASON_NO_PACKAGE, 0, NULL, out, TOTE_FEEDBACK_ERROR,
                     "no return open: scan the order or tracking barcode first");
    if (e != TOTE_ST_E_OK)
        return e;
    if (sc->kind == TOTE_SCAN_INVALID)
        return reply(c, req, sc, TOTE_REASON_INVALID_BARCODE, 0, &r, out, TOTE_FEEDBACK_ERROR,
                     "barcode is malformed (%s): scan again", sc->error);
    if (sc->kind != TOTE_SCAN_GTIN && sc->kind != TOTE_SCAN_UNKNOWN)
        return reply(c, req, sc, TOTE_REASON_NOT_IN_ORDER, 0, &r, out, TOTE_FEEDBACK_ERROR,
                     "that is a %s barcode, not an item", sc->kind_name);
    long long product_id = 0;
    int units = 1;
    e = tote_product_find_by_scan(c->s, sc->code, &product_id, &units);
    if (e == TOTE_ST_E_NOT_FOUND)
        return reply(c, req, sc, TOTE_REASON_UNKNOWN_BARCODE, 0, &r, out, TOTE_FEEDBACK_ERROR,
                     "barcode %.40s is not known", sc->code);
    if (e != TOTE_ST_E_OK)
        return e;
    int lines = 0;
    long long room = 0;
    if ((e = tote_pack_room(c->s, r.order_id, product_id, 1, &lines, &room)) != TOTE_ST_E_OK)
        return e;
    if (lines == 0)
        return reply(c, req, sc, TOTE_REASON_NOT_IN_ORDER, 0, &r, out, TOTE_FEEDBACK_ERROR,
                     "this item was not in order %s", r.order_name);
    int n = units * (sc->count > 0 ? sc->count : 1);
    if (n > room)
        return reply(c, req, sc, TOTE_REASON_NOT_RETURNABLE, 0, &r, out, TOTE_FEEDBACK_ERROR,
                     "only %lld of this item can still come back on %s", room, r.order_name);
    int quarantine = 0;
    const char *given = "";
    const char *why = "";
    if (req->type == TOTE_WIRE_RETURN_ITEM) {
        quarantine = req->u.return_item.disposition == TOTE_RETURN_QUARANTINE;
        given = req->u.return_item.location;
        why = req->u.return_item.reason;
    }
    /* a plain item barcode carries no lot: the unit goes back to the lot it
       was picked from (recalls follow lots), which the order says when it
       shipped from one; from several, the scan must say which */
    const char *lot = sc->lot, *expiry = sc->expiry;
    char picked_lot[65], picked_expiry[16];
    if (!lot[0]) {
        int nlots = 0;
        if ((e = tote_return_picked_lots(c->s, r.order_id, product_id, picked_lot, picked_expiry, &nlots)) !=
            TOTE_ST_E_OK)
            return e;
        if (nlots > 1)
            return reply(c, req, sc, TOTE_REASON_WRONG_LOT, 0, &r, out, TOTE_FEEDBACK_ERROR,
                         "%s shipped this item from more than one lot: scan the lot's GS1 barcode",
                         r.order_name);
        if (nlots == 1) {
            lot = picked_lot;
            expiry = expiry[0] ? expiry : picked_expiry;
        }
    }
    if (!quarantine && expiry[0] && strcmp(expiry, c->today) < 0)
        return reply(c, req, sc, TOTE_REASON_EXPIRED_LOT, 0, &r, out, TOTE_FEEDBACK_ERROR,
                     "lot expired on %s: quarantine it, do not restock", expiry);
    long long location_id = 0;
    int bad_location = 0;
    if ((e = destination(c, &r, product_id, quarantine, given, &location_id, &bad_location)) != TOTE_ST_E_OK)
        return e;
    if (bad_location)
        return reply(c, req, sc, TOTE_REASON_WRONG_BIN, 0, &r, out, TOTE_FEEDBACK_ERROR,
                     given[0] ? "no bin %s: scan a bin that exists"
                              : "%sno bin to restock to: give one or quarantine",
                     given);
    char kind[16];
    if ((e = tote_location_kind(c->s, location_id, kind)) != TOTE_ST_E_OK)
        return e;
    if (!quarantine && strcmp(kind, "bin") != 0)
        return reply(c, req, sc, TOTE_REASON_WRONG_BIN, 0, &r, out, TOTE_FEEDBACK_ERROR,
                     "%s is a %s location, not a bin: restock to a bin", given, kind);
    const char *disposition = quarantine ? "quarantine" : "restock";
    const char *actor = tote_flow_actor(c);
    e = tote_return_apply(c->s, &r, product_id, n, lot, expiry, location_id, disposition, why[0] ? why : NULL,
                          actor, c->dev.name, c->now);
    if (e != TOTE_ST_E_OK)
        return e;
    if (!quarantine && (e = tote_reorder_check(c->s, product_id, actor)) != TOTE_ST_E_OK)
        return e;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "rma", (double)r.id);
    cJSON_AddNumberToObject(d, "qty", n);
    cJSON_AddStringToObject(d, "disposition", disposition);
    cJSON_AddNumberToObject(d, "location", (double)location_id);
    if (why[0])
        cJSON_AddStringToObject(d, "reason", why);
    char *detail = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    e = tote_store_event(c->s, actor, c->dev.name, "return_item", "order", r.order_name, detail);
    cJSON_free(detail);
    if (e != TOTE_ST_E_OK)
        return e;
    return reply(c, req, sc, TOTE_REASON_OK, n, &r, out, TOTE_FEEDBACK_GOOD, "%d returned: %s", n,
                 quarantine ? "to quarantine" : "restocked");
}

tote_st_err tote_flow_return_close(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    (void)req;
    tote_rma r;
    tote_st_err e = tote_rma_open_of_device(c->s, c->dev.name, &r);
    if (e == TOTE_ST_E_NOT_FOUND)
        return state(c, out, NULL, 0, 0, TOTE_REASON_NO_PACKAGE, TOTE_FEEDBACK_ERROR, "no return open");
    if (e != TOTE_ST_E_OK)
        return e;
    long long units = 0, cents = 0;
    e = tote_rma_close(c->s, &r, c->now, &units, &cents);
    if (e == TOTE_ST_E_STATE)
        return state(c, out, &r, 1, 0, TOTE_REASON_INCOMPLETE, TOTE_FEEDBACK_ERROR,
                     "nothing returned yet: scan the items first");
    if (e != TOTE_ST_E_OK)
        return e;
    char currency[8];
    if ((e = tote_order_currency(c->s, r.order_id, currency)) != TOTE_ST_E_OK)
        return e;
    const char *actor = tote_flow_actor(c);
    char detail[128];
    snprintf(detail, sizeof detail, "{\"rma\":%lld,\"units\":%lld,\"refund_cents\":%lld}", r.id, units,
             cents);
    if ((e = tote_store_event(c->s, actor, c->dev.name, "rma_closed", "order", r.order_name, detail)) !=
        TOTE_ST_E_OK)
        return e;
    cJSON *ev = tote_flow_event_obj(c, "rma_closed");
    cJSON_AddStringToObject(ev, "order", r.order_name);
    cJSON_AddNumberToObject(ev, "rma", (double)r.id);
    cJSON_AddNumberToObject(ev, "units", (double)units);
    cJSON_AddNumberToObject(ev, "refund_cents", (double)cents);
    tote_events_add(c->events, "order", ev);
    char msg[160];
    snprintf(msg, sizeof msg, "return %lld closed: %lld unit%s, refund %lld.%02lld %s", r.id, units,
             units == 1 ? "" : "s", cents / 100, cents % 100, currency);
    return state(c, out, &r, 2, 1, TOTE_REASON_OK, TOTE_FEEDBACK_DONE, msg);
}
