/*
 * Packing and shipping at a bench: open an order (tote or order barcode),
 * scan every item against what was picked, weigh, close (tracking number in
 * UPU S10 form and an SSCC, labels queued), scan the label to ship.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows_internal.h"
#include "tote/barcode.h"
#include "tote/catalog.h"
#include "tote/checkdigit.h"
#include "tote/s10.h"

enum { PKG_NONE = 0, PKG_OPEN = 1, PKG_CLOSED = 2, PKG_SHIPPED = 3 };

static int package_status_code(const char *status)
{
    if (strcmp(status, "open") == 0)
        return PKG_OPEN;
    if (strcmp(status, "closed") == 0)
        return PKG_CLOSED;
    if (strcmp(status, "shipped") == 0 || strcmp(status, "delivered") == 0)
        return PKG_SHIPPED;
    return PKG_NONE;
}

/* Fills out as a PACK_STATE for package p (may be NULL) of order (may be
 * NULL), keeping the verdict. */
static tote_st_err fill_state(tote_flow_ctx *c, tote_wire_msg *out, const tote_package *p,
                              const tote_pack_order *o, int accepted, tote_wire_reason reason,
                              tote_wire_feedback fb, const char *message)
{
    char msg[TOTE_WIRE_TEXT_MAX + 1];
    snprintf(msg, sizeof msg, "%s", message);
    out->type = TOTE_WIRE_PACK_STATE;
    memset(&out->u.pack_state, 0, sizeof out->u.pack_state);
    out->u.pack_state.accepted = (uint8_t)accepted;
    out->u.pack_state.reason = (uint16_t)reason;
    out->u.pack_state.feedback = (uint8_t)fb;
    snprintf(out->u.pack_state.message, sizeof out->u.pack_state.message, "%s", msg);
    long long order_id = p ? p->order_id : (o ? o->id : 0);
    const char *order_name = p ? p->order_name : (o ? o->name : "");
    snprintf(out->u.pack_state.order, sizeof out->u.pack_state.order, "%s", order_name);
    if (p) {
        out->u.pack_state.package_id = (uint32_t)p->id;
        out->u.pack_state.package_no = (uint32_t)p->package_no;
        out->u.pack_state.expected_weight_g = p->expected_weight_g > 0 ? (uint32_t)p->expected_weight_g : 0;
        out->u.pack_state.weight_g = p->weight_g > 0 ? (uint32_t)p->weight_g : 0;
        snprintf(out->u.pack_state.tracking, sizeof out->u.pack_state.tracking, "%s", p->tracking);
        snprintf(out->u.pack_state.sscc, sizeof out->u.pack_state.sscc, "%s", p->sscc);
        out->u.pack_state.status = (uint8_t)package_status_code(p->status);
        if (p->expected_weight_g < 0) {
            long long units = 0, grams = 0;
            int unknown = 0;
            tote_st_err e = tote_pack_contents(c->s, p->id, &units, &grams, &unknown);
            if (e != TOTE_ST_E_OK)
                return e;
            if (!unknown && units > 0)
                out->u.pack_state.expected_weight_g = (uint32_t)(grams + c->cfg->carton_tare_g);
        }
    }
    if (order_id) {
        int n = 0;
        tote_st_err e =
            tote_pack_lines(c->s, order_id, 0, out->u.pack_state.lines, TOTE_WIRE_PACK_LINES_MAX, &n);
        if (e != TOTE_ST_E_OK)
            return e;
        out->u.pack_state.line_count = (uint16_t)n;
    }
    return TOTE_ST_E_OK;
}

/* Records the scan (scan row, refusal event, PUB) and replies PACK_STATE. */
static tote_st_err scan_reply(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                              const char *context, tote_wire_reason reason, int qty, const tote_package *p,
                              const tote_pack_order *o, tote_wire_msg *out, tote_wire_feedback fb,
                              const char *fmt, ...) __attribute__((format(printf, 11, 12)));

static tote_st_err scan_reply(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                              const char *context, tote_wire_reason reason, int qty, const tote_package *p,
                              const tote_pack_order *o, tote_wire_msg *out, tote_wire_feedback fb,
                              const char *fmt, ...)
{
    char msg[TOTE_WIRE_TEXT_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    long long order_id = p ? p->order_id : (o ? o->id : 0);
    const char *order_name = p ? p->order_name : (o ? o->name : NULL);
    tote_st_err e = tote_flow_scan_outcome(c, req, sc, context, reason, qty, order_id, order_name, 0,
                                           p ? p->id : 0, out, fb, "%s", msg);
    if (e != TOTE_ST_E_OK)
        return e;
    return fill_state(c, out, p, o, reason == TOTE_REASON_OK, reason, fb, msg);
}

/* A PACK_STATE for a non-scan action (weight, close, override). */
static tote_st_err action_reply(tote_flow_ctx *c, tote_wire_msg *out, const tote_package *p,
                                tote_wire_reason reason, tote_wire_feedback fb, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static tote_st_err action_reply(tote_flow_ctx *c, tote_wire_msg *out, const tote_package *p,
                                tote_wire_reason reason, tote_wire_feedback fb, const char *fmt, ...)
{
    char msg[TOTE_WIRE_TEXT_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fill_state(c, out, p, NULL, reason == TOTE_REASON_OK, reason, fb, msg);
}

static void order_event(tote_flow_ctx *c, const char *order, const char *from, const char *to,
                        long long package_id)
{
    cJSON *ev = tote_flow_event_obj(c, "status");
    cJSON_AddStringToObject(ev, "order", order);
    cJSON_AddStringToObject(ev, "from", from);
    cJSON_AddStringToObject(ev, "status", to);
    if (package_id)
        cJSON_AddNumberToObject(ev, "package", (double)package_id);
    tote_events_add(c->events, "order", ev);
}

static tote_st_err package_event(tote_flow_ctx *c, const char *actor, const char *kind, long long package_id,
                                 cJSON *detail)
{
    char subject[32];
    snprintf(subject, sizeof subject, "%lld", package_id);
    char *text = detail ? cJSON_PrintUnformatted(detail) : NULL;
    cJSON_Delete(detail);
    tote_st_err e = tote_store_event(c->s, actor, c->dev.name, kind, "package", subject, text);
    cJSON_free(text);
    return e;
}

/* ---------------- NEXT_TASK ---------------- */

/* 1 if an order in this status is not packed, weighed, closed or shipped:
 * on hold or cancelled (when it is opened, or since). */
static int order_stopped(const char *status)
{
    return strcmp(status, "on_hold") == 0 || strcmp(status, "cancelled") == 0;
}

tote_st_err tote_flow_pack_next(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    (void)req;
    tote_wire_reason gate = tote_flow_gate(c, "pack");
    if (gate != TOTE_REASON_OK) {
        tote_flow_result(out, 0, gate, TOTE_FEEDBACK_ERROR, "%s", tote_wire_reason_text(gate));
        return TOTE_ST_E_OK;
    }
    tote_pack_order o;
    tote_package p;
    tote_st_err e = tote_pack_open_package_of_device(c->s, c->dev.name, &p);
    if (e == TOTE_ST_E_OK)
        e = tote_pack_order_by_id(c->s, p.order_id, &o);
    if (e == TOTE_ST_E_OK && order_stopped(o.status))
        e = TOTE_ST_E_NOT_FOUND;  /* put aside (its scans are refused): the next order instead */
    if (e == TOTE_ST_E_NOT_FOUND) /* an order this bench closed a carton of, more to follow */
        e = tote_pack_order_to_continue(c->s, c->dev.name, &o);
    if (e == TOTE_ST_E_NOT_FOUND)
        e = tote_pack_next_order(c->s, &o);
    if (e == TOTE_ST_E_NOT_FOUND) {
        out->type = TOTE_WIRE_NO_TASK;
        snprintf(out->u.no_task.message, sizeof out->u.no_task.message, "no orders waiting to be packed");
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return e;
    out->type = TOTE_WIRE_TASK;
    memset(&out->u.task, 0, sizeof out->u.task);
    out->u.task.kind = TOTE_TASK_PACK;
    out->u.task.task_id = (uint32_t)o.id;
    snprintf(out->u.task.tote, sizeof out->u.task.tote, "%s", o.tote);
    snprintf(out->u.task.order, sizeof out->u.task.order, "%s", o.name);
    long long units = 0;
    if ((e = tote_pack_unpacked(c->s, o.id, &units)) != TOTE_ST_E_OK)
        return e;
    out->u.task.qty_total = (uint32_t)units;
    out->u.task.tasks_left = 1;
    return TOTE_ST_E_OK;
}

/* ---------------- scans ---------------- */

static tote_st_err pack_open(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                             tote_pack_order *o, tote_wire_msg *out)
{
    const char *actor = tote_flow_actor(c);
    if (order_stopped(o->status))
        return scan_reply(c, req, sc, "pack", TOTE_REASON_ORDER_HELD, 0, NULL, o, out, TOTE_FEEDBACK_ERROR,
                          "order %s is %s: put the tote aside", o->name, o->status);
    if (strcmp(o->status, "picked") != 0 && strcmp(o->status, "packing") != 0)
        return scan_reply(c, req, sc, "pack", TOTE_REASON_NOT_PACKABLE, 0, NULL, o, out, TOTE_FEEDBACK_ERROR,
                          "order %s is %s, not ready to pack", o->name, o->status);
    tote_package p;
    long long pkg_id = 0;
    tote_st_err e = tote_pack_open_package_of_order(c->s, o->id, &p);
    int resumed = e == TOTE_ST_E_OK;
    if (e == TOTE_ST_E_OK) {
        pkg_id = p.id;
        e = tote_pack_package_set_device(c->s, p.id, c->dev.name,
                                         c->dev.operator_name[0] ? c->dev.operator_name : NULL);
    } else if (e == TOTE_ST_E_NOT_FOUND) {
        e = tote_pack_package_create(c->s, o->id, c->dev.name,
                                     c->dev.operator_name[0] ? c->dev.operator_name : NULL, c->now, &pkg_id);
        if (e == TOTE_ST_E_OK) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "order", o->name);
            e = package_event(c, actor, "package_open", pkg_id, d);
        }
    }
    if (e == TOTE_ST_E_OK)
        e = tote_pack_park_device_packages(c->s, c->dev.name, pkg_id);
    if (e == TOTE_ST_E_OK && strcmp(o->status, "picked") == 0) {
        e = tote_flow_order_status(c->s, o->id, "packing", actor, c->dev.name, NULL, NULL);
        if (e == TOTE_ST_E_OK)
            order_event(c, o->name, o->status, "packing", pkg_id);
    }
    if (e == TOTE_ST_E_OK)
        e = tote_pack_package_get(c->s, pkg_id, &p);
    if (e != TOTE_ST_E_OK)
        return e;
    long long units = 0;
    if ((e = tote_pack_unpacked(c->s, o->id, &units)) != TOTE_ST_E_OK)
        return e;
    return scan_reply(c, req, sc, "pack", TOTE_REASON_OK, 0, &p, NULL, out, TOTE_FEEDBACK_GOOD,
                      "%s %s package %d: %lld item%s to pack", resumed ? "resumed" : "opened", o->name,
                      p.package_no, units, units == 1 ? "" : "s");
}

static tote_st_err pack_item(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                             tote_wire_msg *out)
{
    tote_package p;
    tote_st_err e = tote_pack_open_package_of_device(c->s, c->dev.name, &p);
    if (e == TOTE_ST_E_NOT_FOUND)
        return scan_reply(c, req, sc, "pack", TOTE_REASON_NO_PACKAGE, 0, NULL, NULL, out, TOTE_FEEDBACK_ERROR,
                          "no package open: scan the tote or the order first");
    if (e != TOTE_ST_E_OK)
        return e;
    if (order_stopped(p.order_status))
        return scan_reply(c, req, sc, "pack", TOTE_REASON_ORDER_HELD, 0, &p, NULL, out, TOTE_FEEDBACK_ERROR,
                          "order %s is %s: stop packing and put the package aside", p.order_name,
                          p.order_status);
    if (sc->kind == TOTE_SCAN_INVALID)
        return scan_reply(c, req, sc, "pack", TOTE_REASON_INVALID_BARCODE, 0, &p, NULL, out,
                          TOTE_FEEDBACK_ERROR, "barcode is malformed (%s): scan again", sc->error);
    if (sc->kind != TOTE_SCAN_GTIN && sc->kind != TOTE_SCAN_UNKNOWN)
        return scan_reply(c, req, sc, "pack", TOTE_REASON_NOT_IN_ORDER, 0, &p, NULL, out, TOTE_FEEDBACK_ERROR,
                          "that is a %s barcode, not an item", sc->kind_name);
    long long product_id = 0;
    int units = 1;
    e = tote_product_find_by_scan(c->s, sc->code, &product_id, &units);
    if (e == TOTE_ST_E_NOT_FOUND)
        return scan_reply(c, req, sc, "pack", TOTE_REASON_UNKNOWN_BARCODE, 0, &p, NULL, out,
                          TOTE_FEEDBACK_ERROR, "barcode %.40s is not known", sc->code);
    if (e != TOTE_ST_E_OK)
        return e;
    int lines = 0;
    long long room = 0;
    if ((e = tote_pack_room(c->s, p.order_id, product_id, 0, &lines, &room)) != TOTE_ST_E_OK)
        return e;
    if (lines == 0)
        return scan_reply(c, req, sc, "pack", TOTE_REASON_NOT_IN_ORDER, 0, &p, NULL, out, TOTE_FEEDBACK_ERROR,
                          "this item is not in order %s: take it out", p.order_name);
    int n = units * (sc->count > 0 ? sc->count : 1);
    if (n > room)
        return scan_reply(c, req, sc, "pack", TOTE_REASON_OVER_PACK, 0, &p, NULL, out, TOTE_FEEDBACK_ERROR,
                          "more than was picked: %lld left of this item, this scan is %d", room, n);
    if ((e = tote_pack_add_item(c->s, p.id, p.order_id, product_id, n)) != TOTE_ST_E_OK)
        return e;
    if ((e = tote_pack_package_get(c->s, p.id, &p)) != TOTE_ST_E_OK)
        return e;
    long long left = 0;
    if ((e = tote_pack_unpacked(c->s, p.order_id, &left)) != TOTE_ST_E_OK)
        return e;
    if (left == 0)
        return scan_reply(c, req, sc, "pack", TOTE_REASON_OK, n, &p, NULL, out, TOTE_FEEDBACK_DONE,
                          "all items packed: weigh the package");
    return scan_reply(c, req, sc, "pack", TOTE_REASON_OK, n, &p, NULL, out, TOTE_FEEDBACK_GOOD,
                      "packed %d, %lld to go", n, left);
}

static tote_st_err ship(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                        tote_wire_msg *out)
{
    tote_package found, mine;
    tote_st_err e = tote_pack_package_by_code(c->s, sc->code, &found);
    if (e == TOTE_ST_E_NOT_FOUND)
        return scan_reply(c, req, sc, "ship", TOTE_REASON_UNKNOWN_BARCODE, 0, NULL, NULL, out,
                          TOTE_FEEDBACK_ERROR, "no package has the label %.40s", sc->code);
    if (e != TOTE_ST_E_OK)
        return e;
    e = tote_pack_last_closed_of_device(c->s, c->dev.name, &mine);
    if (e != TOTE_ST_E_OK && e != TOTE_ST_E_NOT_FOUND)
        return e;
    int have_mine = e == TOTE_ST_E_OK;
    if (have_mine && mine.id != found.id)
        return scan_reply(c, req, sc, "ship", TOTE_REASON_WRONG_LABEL, 0, &mine, NULL, out,
                          TOTE_FEEDBACK_ERROR,
                          "label of %s package %d, not of %s package %d: check the label", found.order_name,
                          found.package_no, mine.order_name, mine.package_no);
    if (strcmp(found.status, "closed") != 0)
        return scan_reply(c, req, sc, "ship", TOTE_REASON_WRONG_LABEL, 0, &found, NULL, out,
                          TOTE_FEEDBACK_ERROR, "package %d of %s is %s, not waiting to ship",
                          found.package_no, found.order_name, found.status);
    if (order_stopped(found.order_status))
        return scan_reply(c, req, sc, "ship", TOTE_REASON_ORDER_HELD, 0, &found, NULL, out,
                          TOTE_FEEDBACK_ERROR, "order %s is %s: do not ship, put the parcel aside",
                          found.order_name, found.order_status);
    const char *actor = tote_flow_actor(c);
    if ((e = tote_pack_ship(c->s, found.id, c->now)) != TOTE_ST_E_OK)
        return e;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "tracking", found.tracking);
    if ((e = package_event(c, actor, "package_shipped", found.id, d)) != TOTE_ST_E_OK)
        return e;
    long long open = 0, closed = 0;
    if ((e = tote_pack_packages_in(c->s, found.order_id, "open", &open)) != TOTE_ST_E_OK ||
        (e = tote_pack_packages_in(c->s, found.order_id, "closed", &closed)) != TOTE_ST_E_OK)
        return e;
    /* an order still packing has cartons to come (PACK_CLOSE more) */
    int order_shipped = open == 0 && closed == 0 && strcmp(found.order_status, "packing") != 0;
    if (order_shipped) {
        if ((e = tote_flow_order_status(c->s, found.order_id, "shipped", actor, c->dev.name, NULL, NULL)) !=
            TOTE_ST_E_OK)
            return e;
        order_event(c, found.order_name, found.order_status, "shipped", found.id);
    }
    if ((e = tote_pack_package_get(c->s, found.id, &found)) != TOTE_ST_E_OK)
        return e;
    return scan_reply(c, req, sc, "ship", TOTE_REASON_OK, 0, &found, NULL, out, TOTE_FEEDBACK_DONE,
                      "%s package %d shipped (%s)%s", found.order_name, found.package_no, found.tracking,
                      order_shipped ? "" : ": more packages to come");
}

tote_st_err tote_flow_pack_scan(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                int as_type, tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    int bench = strcmp(c->dev.role, "bench") == 0;
    tote_pack_order o;
    tote_st_err e;

    if (as_type == TOTE_WIRE_RETURN_OPEN)
        return tote_flow_return_open(c, req, sc, out, n_out);
    if (as_type == TOTE_WIRE_RETURN_ITEM)
        return tote_flow_return_item(c, req, sc, out, n_out);
    if (as_type == TOTE_WIRE_PACK_ITEM)
        return pack_item(c, req, sc, out);
    if (as_type == TOTE_WIRE_LABEL_CONFIRM) {
        if (sc->kind != TOTE_SCAN_TRACKING && sc->kind != TOTE_SCAN_SSCC)
            return scan_reply(
                c, req, sc, "ship",
                sc->kind == TOTE_SCAN_INVALID ? TOTE_REASON_INVALID_BARCODE : TOTE_REASON_WRONG_LABEL, 0,
                NULL, NULL, out, TOTE_FEEDBACK_ERROR, "scan the tracking barcode of the label");
        return ship(c, req, sc, out);
    }

    switch (sc->kind) {
    case TOTE_SCAN_ORDER:
    case TOTE_SCAN_TOTE:
        e = sc->kind == TOTE_SCAN_ORDER ? tote_pack_order_by_name(c->s, sc->code, &o)
                                        : tote_pack_order_by_tote(c->s, sc->code, &o);
        if (e == TOTE_ST_E_NOT_FOUND)
            return scan_reply(c, req, sc, "pack", TOTE_REASON_UNKNOWN_BARCODE, 0, NULL, NULL, out,
                              TOTE_FEEDBACK_ERROR, "no order for %s %.40s", sc->kind_name, sc->code);
        if (e != TOTE_ST_E_OK)
            return e;
        if (as_type == 0 && bench && (strcmp(o.status, "shipped") == 0 || strcmp(o.status, "delivered") == 0))
            return tote_flow_return_open(c, req, sc, out, n_out);
        return pack_open(c, req, sc, &o, out);
    case TOTE_SCAN_TRACKING:
    case TOTE_SCAN_SSCC:
        if (as_type == TOTE_WIRE_PACK_OPEN)
            break;
        if (bench) {
            tote_package p;
            e = tote_pack_package_by_code(c->s, sc->code, &p);
            if (e != TOTE_ST_E_OK && e != TOTE_ST_E_NOT_FOUND)
                return e;
            if (e == TOTE_ST_E_OK && package_status_code(p.status) == PKG_SHIPPED)
                return tote_flow_return_open(c, req, sc, out, n_out);
        }
        return ship(c, req, sc, out);
    case TOTE_SCAN_GTIN:
    case TOTE_SCAN_UNKNOWN:
        if (as_type == TOTE_WIRE_PACK_OPEN)
            break;
        if (bench) {
            tote_package p;
            e = tote_pack_open_package_of_device(c->s, c->dev.name, &p);
            if (e == TOTE_ST_E_NOT_FOUND && tote_flow_return_is_open(c))
                return tote_flow_return_item(c, req, sc, out, n_out);
            if (e != TOTE_ST_E_OK && e != TOTE_ST_E_NOT_FOUND)
                return e;
        }
        return pack_item(c, req, sc, out);
    case TOTE_SCAN_INVALID:
        return scan_reply(c, req, sc, "pack", TOTE_REASON_INVALID_BARCODE, 0, NULL, NULL, out,
                          TOTE_FEEDBACK_ERROR, "barcode is malformed (%s): scan again", sc->error);
    default:
        break;
    }
    return scan_reply(c, req, sc, "pack", TOTE_REASON_NOT_PACKABLE, 0, NULL, NULL, out, TOTE_FEEDBACK_ERROR,
                      "a %s barcode does not open an order: scan the tote or the order", sc->kind_name);
}

/* ---------------- weight, override, close ---------------- */

static int weight_ok(const tote_flow_ctx *c, long long weight, long long expected)
{
    if (expected < 0)
        return 1; /* some item has no weight on record: nothing to check against */
    long long diff = weight > expected ? weight - expected : expected - weight;
    return diff * 100 <= expected * (long long)c->cfg->weight_tolerance_pct;
}

static tote_st_err make_sscc(tote_flow_ctx *c, char out[19])
{
    const char *prefix = c->cfg->gs1_company_prefix;
    size_t plen = strlen(prefix);
    int digits_ok = plen >= 6 && plen <= 12 && strspn(prefix, "0123456789") == plen;
    const char *ext = c->cfg->sscc_extension;
    if (!digits_ok || strlen(ext) != 1 || ext[0] < '0' || ext[0] > '9')
        return TOTE_ST_E_INVALID;
    long long serial = 0;
    tote_st_err e = tote_store_counter_next(c->s, "sscc_serial", &serial);
    if (e != TOTE_ST_E_OK)
        return e;
    int width = 16 - (int)plen;
    long long mod = 1;
    for (int i = 0; i < width; i++)
        mod *= 10;
    char digits[18];
    digits[0] = ext[0];
    memcpy(digits + 1, prefix, plen);
    long long v = serial % mod;
    for (int i = 16; i > (int)plen; i--) {
        digits[i] = (char)('0' + v % 10);
        v /= 10;
    }
    digits[17] = '\0';
    int check = tote_gs1_check_digit(digits, 17);
    if (check < 0 || check > 9)
        return TOTE_ST_E_INVALID;
    memcpy(out, digits, 17);
    out[17] = (char)('0' + check);
    out[18] = '\0';
    return TOTE_ST_E_OK;
}

static tote_st_err make_tracking(tote_flow_ctx *c, char out[14])
{
    long long serial = 0;
    tote_st_err e = tote_store_counter_next(c->s, "s10_serial", &serial);
    if (e != TOTE_ST_E_OK)
        return e;
    if (tote_s10_make(c->cfg->s10_service, (unsigned long)(serial % 100000000LL), c->cfg->s10_country, out) !=
        TOTE_PROTO_E_OK)
        return TOTE_ST_E_INVALID;
    return TOTE_ST_E_OK;
}

static tote_st_err pack_close(tote_flow_ctx *c, const tote_wire_msg *req, tote_package *p, tote_wire_msg *out)
{
    const char *actor = tote_flow_actor(c);
    long long units = 0, grams = 0, unpacked = 0;
    int unknown = 0;
    tote_st_err e = tote_pack_contents(c->s, p->id, &units, &grams, &unknown);
    if (e == TOTE_ST_E_OK)
        e = tote_pack_unpacked(c->s, p->order_id, &unpacked);
    if (e != TOTE_ST_E_OK)
        return e;
    if (units == 0)
        return action_reply(c, out, p, TOTE_REASON_INCOMPLETE, TOTE_FEEDBACK_ERROR,
                            "the package is empty: scan the items first");
    /* more cartons follow: the units not packed go into the order's next
     * package, so this is not a short close */
    int more = req->u.pack_close.more && unpacked > 0;
    if (unpacked > 0 && !more) {
        int allowed = 0;
        if ((e = tote_pack_has_event(c->s, "override_short_close", p->id, &allowed)) != TOTE_ST_E_OK)
            return e;
        if (!allowed)
            return action_reply(c, out, p, TOTE_REASON_INCOMPLETE, TOTE_FEEDBACK_ERROR,
                                "%lld item%s still to pack (or close with more cartons to follow, or a "
                                "supervisor override)",
                                unpacked, unpacked == 1 ? "" : "s");
    }
    if (p->weight_g < 0)
        return action_reply(c, out, p, TOTE_REASON_NOT_WEIGHED, TOTE_FEEDBACK_ERROR,
                            "weigh the package first");
    if (!weight_ok(c, p->weight_g, p->expected_weight_g) && !p->weight_override_by[0])
        return action_reply(c, out, p, TOTE_REASON_WEIGHT_MISMATCH, TOTE_FEEDBACK_ERROR,
                            "weighs %lld g, expected %lld g: re-check or supervisor override", p->weight_g,
                            p->expected_weight_g);
    char tracking[14], sscc[19];
    if ((e = make_tracking(c, tracking)) != TOTE_ST_E_OK || (e = make_sscc(c, sscc)) != TOTE_ST_E_OK) {
        if (e != TOTE_ST_E_INVALID)
            return e;
        return action_reply(c, out, p, TOTE_REASON_INCOMPLETE, TOTE_FEEDBACK_ERROR,
                            "station settings s10_service/s10_country/gs1_company_prefix are not valid: "
                            "see a supervisor");
    }
    const char *carton = req->u.pack_close.carton;
    if ((e = tote_pack_close(c->s, p->id, carton, tracking, sscc, c->cfg->s10_service,
                             c->dev.operator_name[0] ? c->dev.operator_name : NULL, c->now)) != TOTE_ST_E_OK)
        return e;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "order", p->order_name);
    cJSON_AddStringToObject(d, "tracking", tracking);
    cJSON_AddStringToObject(d, "sscc", sscc);
    cJSON_AddNumberToObject(d, "weight_g", (double)p->weight_g);
    if (carton[0])
        cJSON_AddStringToObject(d, "carton", carton);
    if (more) /* the audit log says why the order is not packed yet */
        cJSON_AddNumberToObject(d, "units_for_next_carton", (double)unpacked);
    if ((e = package_event(c, actor, "package_closed", p->id, d)) != TOTE_ST_E_OK)
        return e;
    long long open = 0;
    if ((e = tote_pack_packages_in(c->s, p->order_id, "open", &open)) != TOTE_ST_E_OK)
        return e;
    if (open == 0 && !more) {
        if ((e = tote_flow_order_status(c->s, p->order_id, "packed", actor, c->dev.name, NULL, NULL)) !=
            TOTE_ST_E_OK)
            return e;
        order_event(c, p->order_name, p->order_status, "packed", p->id);
    }
    if ((e = tote_flow_print_package(c, p->id)) != TOTE_ST_E_OK)
        return e;
    if (unpacked > 0 && !more) {
        /* closed short: the picked units left out are off their bins in the
           ledger and in no package. Someone must put them back (or the
           order's owner decide): say so where supervisors look */
        char msg[300];
        snprintf(msg, sizeof msg,
                 "order %s closed short: %lld picked unit%s not packed; put %s back in %s bin%s (tote stock "
                 "adjust) or ship %s separately",
                 p->order_name, unpacked, unpacked == 1 ? "" : "s", unpacked == 1 ? "it" : "them",
                 unpacked == 1 ? "its" : "their", unpacked == 1 ? "" : "s", unpacked == 1 ? "it" : "them");
        cJSON *ev = NULL;
        if ((e = tote_flow_alert_begin(c, "short_close", p->order_name, msg, "short_close", &ev)) !=
            TOTE_ST_E_OK)
            return e;
        cJSON_AddStringToObject(ev, "order", p->order_name);
        cJSON_AddNumberToObject(ev, "unpacked", (double)unpacked);
        tote_flow_alert_publish(c, ev, msg);
    }
    if ((e = tote_pack_package_get(c->s, p->id, p)) != TOTE_ST_E_OK)
        return e;
    if (more)
        return action_reply(c, out, p, TOTE_REASON_OK, TOTE_FEEDBACK_DONE,
                            "carton %d closed: %s, label printing; %lld item%s for the next carton: scan the "
                            "tote or order again to open it",
                            p->package_no, tracking, unpacked, unpacked == 1 ? "" : "s");
    if (unpacked > 0)
        return action_reply(c, out, p, TOTE_REASON_OK, TOTE_FEEDBACK_DONE,
                            "closed short: %s; %lld picked unit%s not packed: put aside for the supervisor",
                            tracking, unpacked, unpacked == 1 ? "" : "s");
    return action_reply(c, out, p, TOTE_REASON_OK, TOTE_FEEDBACK_DONE,
                        "closed: %s, label printing: scan it to ship", tracking);
}

tote_st_err tote_flow_pack_action(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    tote_package p;
    tote_st_err e = tote_pack_open_package_of_device(c->s, c->dev.name, &p);
    if (e == TOTE_ST_E_NOT_FOUND) {
        tote_flow_result(out, 0, TOTE_REASON_NO_PACKAGE, TOTE_FEEDBACK_ERROR,
                         "no package open: scan the tote or the order first");
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return e;
    if (order_stopped(p.order_status))
        return action_reply(c, out, &p, TOTE_REASON_ORDER_HELD, TOTE_FEEDBACK_ERROR,
                            "order %s is %s: stop packing and put the package aside", p.order_name,
                            p.order_status);
    const char *actor = tote_flow_actor(c);

    if (req->type == TOTE_WIRE_PACK_WEIGHT) {
        long long grams = req->u.weight.grams;
        if (grams == 0)
            return action_reply(c, out, &p, TOTE_REASON_BAD_QUANTITY, TOTE_FEEDBACK_ERROR,
                                "a weight of 0 g is not possible: weigh again");
        long long units = 0, items_g = 0;
        int unknown = 0;
        if ((e = tote_pack_contents(c->s, p.id, &units, &items_g, &unknown)) != TOTE_ST_E_OK)
            return e;
        if (units == 0) /* a carton's weight alone says nothing of its contents */
            return action_reply(c, out, &p, TOTE_REASON_INCOMPLETE, TOTE_FEEDBACK_ERROR,
                                "the package is empty: scan the items first, then weigh it");
        long long expected = unknown ? -1 : items_g + c->cfg->carton_tare_g;
        if ((e = tote_pack_set_weight(c->s, p.id, grams, expected)) != TOTE_ST_E_OK)
            return e;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "weight_g", (double)grams);
        cJSON_AddNumberToObject(d, "expected_g", (double)expected);
        if ((e = package_event(c, actor, "package_weighed", p.id, d)) != TOTE_ST_E_OK)
            return e;
        if ((e = tote_pack_package_get(c->s, p.id, &p)) != TOTE_ST_E_OK)
            return e;
        if (!weight_ok(c, grams, expected))
            return action_reply(c, out, &p, TOTE_REASON_WEIGHT_MISMATCH, TOTE_FEEDBACK_ERROR,
                                "weighs %lld g, expected %lld g (+/-%d%%): re-check the contents", grams,
                                expected, c->cfg->weight_tolerance_pct);
        if (expected < 0)
            return action_reply(c, out, &p, TOTE_REASON_OK, TOTE_FEEDBACK_GOOD,
                                "%lld g recorded (no expected weight: an item has no weight on record)",
                                grams);
        return action_reply(c, out, &p, TOTE_REASON_OK, TOTE_FEEDBACK_GOOD, "%lld g, expected %lld g: ok",
                            grams, expected);
    }

    if (req->type == TOTE_WIRE_OVERRIDE) {
        tote_operator_info sup;
        /* the supervisor's badge code, or its barcode as the badge reads
           (BADGE-<code>, the handheld's own example), as a scan resolves it */
        tote_barcode bc;
        const char *badge = tote_barcode_badge_code(req->u.override_.badge, &bc);
        e = tote_operator_by_badge(c->s, badge, &sup);
        if (e == TOTE_ST_E_NOT_FOUND || (e == TOTE_ST_E_OK && !sup.active))
            return action_reply(c, out, &p, TOTE_REASON_BAD_BADGE, TOTE_FEEDBACK_ERROR,
                                "supervisor badge not known or inactive");
        if (e != TOTE_ST_E_OK)
            return e;
        if (strcmp(sup.role, "supervisor") != 0 && strcmp(sup.role, "admin") != 0)
            return action_reply(c, out, &p, TOTE_REASON_ROLE_DENIED, TOTE_FEEDBACK_ERROR,
                                "%s is a %s: an override needs a supervisor", sup.name, sup.role);
        const char *kind;
        if (req->u.override_.kind == TOTE_OVERRIDE_WEIGHT) {
            if (p.weight_g < 0)
                return action_reply(c, out, &p, TOTE_REASON_NOT_WEIGHED, TOTE_FEEDBACK_ERROR,
                                    "weigh the package before overriding its weight");
            if ((e = tote_pack_set_weight_override(c->s, p.id, sup.name)) != TOTE_ST_E_OK)
                return e;
            kind = "override_weight";
        } else {
            kind = "override_short_close";
        }
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "order", p.order_name);
        cJSON_AddStringToObject(d, "packer", actor);
        cJSON_AddNumberToObject(d, "weight_g", (double)p.weight_g);
        if ((e = package_event(c, sup.name, kind, p.id, d)) != TOTE_ST_E_OK)
            return e;
        cJSON *ev = tote_flow_event_obj(c, "override");
        cJSON_AddStringToObject(ev, "order", p.order_name);
        cJSON_AddStringToObject(ev, "kind", kind);
        cJSON_AddStringToObject(ev, "supervisor", sup.name);
        tote_events_add(c->events, "order", ev);
        if ((e = tote_pack_package_get(c->s, p.id, &p)) != TOTE_ST_E_OK)
            return e;
        return action_reply(c, out, &p, TOTE_REASON_OK, TOTE_FEEDBACK_GOOD, "%s override by %s",
                            req->u.override_.kind == TOTE_OVERRIDE_WEIGHT ? "weight" : "short close",
                            sup.name);
    }

    return pack_close(c, req, &p, out);
}
