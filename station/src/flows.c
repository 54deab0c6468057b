/*
 * The flow dispatcher: device admission, HELLO/HEARTBEAT/LOGOUT/SNAPSHOT,
 * badge login, settings, live events; picking, packing and returns are in
 * flows_pick.c, flows_pack.c and flows_return.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dec_ll.h"
#include "flows_internal.h"
#include "str_cut.h"
#include "tote/alloc.h"
#include "tote/barcode.h"
#include "tote/printing.h"
#include "tote/server.h"
#include "tote/snapshot.h"

/* ---------------- live events ---------------- */

struct ev {
    char topic[16];
    char *json;
};

struct tote_events {
    struct ev *v;
    size_t n, cap;
};

tote_events *tote_events_new(void)
{
    return calloc(1, sizeof(tote_events));
}

void tote_events_clear(tote_events *e)
{
    tote_events_rewind(e, 0);
}

void tote_events_destroy(tote_events **ep)
{
    if (!ep || !*ep)
        return;
    tote_events_clear(*ep);
    free((*ep)->v);
    free(*ep);
    *ep = NULL;
}

void tote_events_add(tote_events *e, const char *topic, cJSON *obj)
{
    if (!obj)
        return;
    char *json = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    tote_events_add_json(e, topic, json);
}

void tote_events_add_json(tote_events *e, const char *topic, char *json)
{
    if (!json)
        return;
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        struct ev *v = realloc(e->v, cap * sizeof *v);
        if (!v) {
            cJSON_free(json);
            return;
        }
        e->v = v;
        e->cap = cap;
    }
    tote_str_cut(e->v[e->n].topic, sizeof e->v[e->n].topic, topic);
    e->v[e->n].json = json;
    e->n++;
}

size_t tote_events_count(const tote_events *e)
{
    return e->n;
}

const char *tote_events_topic(const tote_events *e, size_t i)
{
    return e->v[i].topic;
}

const char *tote_events_json(const tote_events *e, size_t i)
{
    return e->v[i].json;
}

size_t tote_events_mark(const tote_events *e)
{
    return e->n;
}

void tote_events_rewind(tote_events *e, size_t mark)
{
    while (e->n > mark) {
        e->n--;
        cJSON_free(e->v[e->n].json);
    }
}

/* ---------------- settings ---------------- */

/* tote_flow_settings_load: store_flow.c (one statement per batch). */

/* ---------------- reply helpers ---------------- */

void tote_flow_reply_init(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, tote_wire_type type)
{
    (void)c;
    tote_wire_init(out, type, req->device, req->seq);
}

void tote_flow_result(tote_wire_msg *out, int accepted, tote_wire_reason reason, tote_wire_feedback fb,
                      const char *fmt, ...)
{
    out->type = TOTE_WIRE_RESULT;
    out->u.result.accepted = (uint8_t)(accepted ? 1 : 0);
    out->u.result.reason = (uint16_t)reason;
    out->u.result.feedback = (uint8_t)fb;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->u.result.message, sizeof out->u.result.message, fmt, ap);
    va_end(ap);
}

void tote_flow_error(tote_wire_msg *out, tote_wire_error code, const char *fmt, ...)
{
    out->type = TOTE_WIRE_ERROR;
    out->u.error.code = (uint16_t)code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->u.error.message, sizeof out->u.error.message, fmt, ap);
    va_end(ap);
}

const char *tote_flow_actor(const tote_flow_ctx *c)
{
    return c->dev.operator_name[0] ? c->dev.operator_name : c->dev.name;
}

tote_st_err tote_flow_alert_begin(tote_flow_ctx *c, const char *kind, const char *subject, const char *msg,
                                  const char *event, cJSON **ev)
{
    *ev = NULL;
    long long alert_id = 0;
    tote_st_err e = tote_alert_raise(c->s, kind, subject, msg, c->now, &alert_id);
    if (e != TOTE_ST_E_OK)
        return e;
    *ev = tote_flow_event_obj(c, event);
    cJSON_AddNumberToObject(*ev, "alert", (double)alert_id);
    return TOTE_ST_E_OK;
}

void tote_flow_alert_publish(tote_flow_ctx *c, cJSON *ev, const char *msg)
{
    cJSON_AddStringToObject(ev, "message", msg);
    tote_events_add(c->events, "alert", ev);
}

cJSON *tote_flow_event_obj(const tote_flow_ctx *c, const char *event)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", event);
    cJSON_AddStringToObject(o, "at", c->now);
    cJSON_AddStringToObject(o, "device", c->dev.name);
    if (c->dev.operator_name[0])
        cJSON_AddStringToObject(o, "operator", c->dev.operator_name);
    else
        cJSON_AddNullToObject(o, "operator");
    return o;
}

/* ---------------- JSON without a tree (the scan path's events) ---------------- */

static void jw_put(tote_jw *w, const char *p, size_t n)
{
    if (w->failed)
        return;
    if (w->n + n + 2 > w->cap) { /* room for '}' and the NUL */
        size_t cap = w->cap ? w->cap * 2 : 512;
        while (cap < w->n + n + 2)
            cap *= 2;
        char *q = realloc(w->p, cap);
        if (!q) {
            w->failed = 1;
            return;
        }
        w->p = q;
        w->cap = cap;
    }
    memcpy(w->p + w->n, p, n);
    w->n += n;
}

/* A JSON string as cJSON prints it: ", \ and control characters escaped,
 * every other byte as it is. */
static void jw_string(tote_jw *w, const char *v)
{
    jw_put(w, "\"", 1);
    const char *run = v;
    for (const char *c = v;; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch >= 32 && ch != '"' && ch != '\\')
            continue;
        jw_put(w, run, (size_t)(c - run));
        if (ch == '\0')
            break;
        char esc[8];
        switch (ch) {
        case '"':
            jw_put(w, "\\\"", 2);
            break;
        case '\\':
            jw_put(w, "\\\\", 2);
            break;
        case '\b':
            jw_put(w, "\\b", 2);
            break;
        case '\f':
            jw_put(w, "\\f", 2);
            break;
        case '\n':
            jw_put(w, "\\n", 2);
            break;
        case '\r':
            jw_put(w, "\\r", 2);
            break;
        case '\t':
            jw_put(w, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            jw_put(w, esc, 6);
            break;
        }
        run = c + 1;
    }
    jw_put(w, "\"", 1);
}

/* ,"key": in one piece (seventeen keys a scan): the keys are names written
 * in the code, so the escaping of jw_string is only the way out for one
 * that needs it. */
static void jw_key(tote_jw *w, const char *key)
{
    char buf[64];
    size_t n = 0;
    if (w->n > 1)
        buf[n++] = ',';
    buf[n++] = '"';
    for (const char *k = key; *k; k++) {
        unsigned char ch = (unsigned char)*k;
        if (n + 3 > sizeof buf || ch < 32 || ch == '"' || ch == '\\') {
            jw_put(w, w->n > 1 ? "," : "", w->n > 1 ? 1 : 0);
            jw_string(w, key);
            jw_put(w, ":", 1);
            return;
        }
        buf[n++] = (char)ch;
    }
    buf[n++] = '"';
    buf[n++] = ':';
    jw_put(w, buf, n);
}

void tote_jw_begin(tote_jw *w)
{
    memset(w, 0, sizeof *w);
    jw_put(w, "{", 1);
}

void tote_jw_str(tote_jw *w, const char *key, const char *v)
{
    jw_key(w, key);
    jw_string(w, v ? v : "");
}

void tote_jw_num(tote_jw *w, const char *key, long long v)
{
    char buf[TOTE_DEC_LL_CAP];
    size_t n = 0;
    const char *num = tote_dec_ll(buf, v, &n);
    jw_key(w, key);
    jw_put(w, num, n);
}

void tote_jw_bool(tote_jw *w, const char *key, int v)
{
    jw_key(w, key);
    jw_put(w, v ? "true" : "false", v ? 4 : 5);
}

void tote_jw_null(tote_jw *w, const char *key)
{
    jw_key(w, key);
    jw_put(w, "null", 4);
}

char *tote_jw_end(tote_jw *w)
{
    jw_put(w, "}", 1);
    if (w->failed) {
        free(w->p);
        return NULL;
    }
    w->p[w->n] = '\0';
    return w->p;
}

void tote_jw_event(tote_jw *w, const tote_flow_ctx *c, const char *event)
{
    tote_jw_begin(w);
    tote_jw_str(w, "event", event);
    tote_jw_str(w, "at", c->now);
    tote_jw_str(w, "device", c->dev.name);
    if (c->dev.operator_name[0])
        tote_jw_str(w, "operator", c->dev.operator_name);
    else
        tote_jw_null(w, "operator");
}

/* Milliseconds into the minute of a tote_store_now() time ("...:SS.mmmZ"), or -1. */
static int ms_of_minute(const char *t)
{
    static const int digit[] = {17, 18, 20, 21, 22};
    int v = 0;
    for (int i = 0; i < 5; i++) {
        char ch = t[digit[i]];
        if (ch < '0' || ch > '9')
            return -1;
        v = v * 10 + (ch - '0');
    }
    return t[19] == '.' ? v : -1;
}

int tote_flow_seen_recently(const char *seen, const char *now, int max_ms)
{
    if (strlen(seen) != 24 || strlen(now) != 24 || memcmp(seen, now, 17) != 0)
        return 0;
    int a = ms_of_minute(seen), b = ms_of_minute(now);
    return a >= 0 && b >= a && b - a < max_ms;
}

void tote_flow_time_add(const char *now, int seconds, char out[32])
{
    int y, mo, d, h, mi, sec;
    if (sscanf(now, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) {
        snprintf(out, 32, "%s", now);
        return;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec + seconds;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    char buf[24];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 32, "%s%s", buf, strlen(now) > 19 ? now + 19 : ".000Z");
}

/* ---------------- scans ---------------- */

static const char *const scan_kind_names[] = {"invalid", "gtin",  "sscc",     "bin",    "tote",
                                              "order",   "badge", "tracking", "unknown"};

void tote_flow_parse_scan(const tote_wire_scan *in, tote_flow_scan *out)
{
    memset(out, 0, sizeof *out);
    tote_barcode bc;
    tote_proto_err pe =
        tote_barcode_parse(in->symbology, in->raw, in->raw_len, &bc, out->error, sizeof out->error);
    if (pe != TOTE_PROTO_E_OK) {
        out->kind = TOTE_SCAN_INVALID;
        out->kind_name = scan_kind_names[0];
        if (!out->error[0])
            tote_str_cut(out->error, sizeof out->error, tote_proto_strerror(pe));
        return;
    }
    switch (bc.kind) {
    case TOTE_BC_GTIN:
        out->kind = TOTE_SCAN_GTIN;
        tote_str_cut(out->code, sizeof out->code, bc.gtin14);
        break;
    case TOTE_BC_SSCC:
        out->kind = TOTE_SCAN_SSCC;
        tote_str_cut(out->code, sizeof out->code, bc.sscc);
        break;
    case TOTE_BC_BIN:
        out->kind = TOTE_SCAN_BIN;
        break;
    case TOTE_BC_TOTE:
        out->kind = TOTE_SCAN_TOTE;
        break;
    case TOTE_BC_ORDER:
        out->kind = TOTE_SCAN_ORDER;
        break;
    case TOTE_BC_BADGE:
        out->kind = TOTE_SCAN_BADGE;
        break;
    case TOTE_BC_TRACKING:
        out->kind = TOTE_SCAN_TRACKING;
        break;
    default:
        out->kind = TOTE_SCAN_UNKNOWN;
        break;
    }
    if (!out->code[0])
        tote_str_cut(out->code, sizeof out->code, bc.code);
    out->kind_name = scan_kind_names[out->kind];
    tote_str_cut(out->lot, sizeof out->lot, bc.lot);
    tote_str_cut(out->expiry, sizeof out->expiry, bc.expiry);
    tote_str_cut(out->serial, sizeof out->serial, bc.serial);
    out->count = bc.has_count && bc.count > 0 && bc.count < 1000000 ? (int)bc.count : 0;
    out->package_no = bc.package_no;
}

struct reply {
    int type; /* of the request */
    const tote_wire_msg *msgs;
    int n;
};

/* Inserts the pending scan row, with the stored reply r (may be NULL). */
static tote_st_err log_scan(tote_flow_ctx *c, const struct reply *r)
{
    c->scan.pending = 0;
    uint8_t blob[TOTE_FLOW_MAX_REPLIES * (TOTE_WIRE_MAX_FRAME + 2)];
    size_t len = 0;
    if (r &&
        (r->n > TOTE_FLOW_MAX_REPLIES || tote_reply_blob_encode(r->msgs, r->n, blob, sizeof blob, &len) != 0))
        r = NULL; /* no stored reply: the server's own encoding fails the same way */
    tote_st_err e = tote_scan_record(c->s, &c->scan.row, r ? r->type : 0, r ? blob : NULL, len);
    if (e == TOTE_ST_E_OK && r)
        c->reply_stored = 1;
    return e;
}

tote_st_err tote_flow_scan_outcome(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                   const char *context, tote_wire_reason reason, int qty, long long order_id,
                                   const char *order_name, long long task_id, long long package_id,
                                   tote_wire_msg *out, tote_wire_feedback fb, const char *fmt, ...)
{
    int accepted = reason == TOTE_REASON_OK;
    out->type = TOTE_WIRE_RESULT;
    memset(&out->u.result, 0, sizeof out->u.result);
    out->u.result.accepted = (uint8_t)accepted;
    out->u.result.reason = (uint16_t)reason;
    out->u.result.feedback = (uint8_t)fb;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->u.result.message, sizeof out->u.result.message, fmt, ap);
    va_end(ap);

    /* the row is written when the request is done (log_scan), with its reply */
    tote_st_err e = c->scan.pending ? log_scan(c, NULL) : TOTE_ST_E_OK; /* a second scan: refused there */
    if (e != TOTE_ST_E_OK)
        return e;
    const tote_wire_scan *raw = req->type == TOTE_WIRE_RETURN_ITEM ? &req->u.return_item.scan : &req->u.scan;
    tote_str_cut(c->scan.operator_name, sizeof c->scan.operator_name, c->dev.operator_name);
    tote_str_cut(c->scan.context, sizeof c->scan.context, context);
    tote_str_cut(c->scan.gtin, sizeof c->scan.gtin, sc && sc->kind == TOTE_SCAN_GTIN ? sc->code : "");
    tote_str_cut(c->scan.lot, sizeof c->scan.lot, sc ? sc->lot : "");
    tote_str_cut(c->scan.expiry, sizeof c->scan.expiry, sc ? sc->expiry : "");
    tote_str_cut(c->scan.serial, sizeof c->scan.serial, sc ? sc->serial : "");
    c->scan.row = (tote_scan_row){
        .device = c->dev.name,
        .seq = req->seq,
        .operator_name = c->scan.operator_name[0] ? c->scan.operator_name : NULL,
        .context = c->scan.context,
        .raw = raw->raw,
        .raw_len = raw->raw_len,
        .symbology = raw->symbology,
        .kind = sc ? sc->kind_name : NULL,
        .gtin = c->scan.gtin,
        .lot = c->scan.lot,
        .expiry = c->scan.expiry,
        .serial = c->scan.serial,
        .qty = qty,
        .order_id = order_id,
        .pick_task_id = task_id,
        .package_id = package_id,
        .accepted = accepted,
        .reason = accepted ? NULL : tote_wire_reason_name((uint16_t)reason),
        .at = c->now,
    };
    c->scan.pending = 1;
    tote_jw w;
    if (!accepted) {
        tote_jw_begin(&w);
        tote_jw_str(&w, "context", context);
        tote_jw_str(&w, "reason", tote_wire_reason_name((uint16_t)reason));
        tote_jw_str(&w, "message", out->u.result.message);
        tote_jw_num(&w, "seq", req->seq);
        if (task_id)
            tote_jw_num(&w, "task", task_id);
        char *detail = tote_jw_end(&w);
        e = tote_store_event(c->s, tote_flow_actor(c), c->dev.name, "scan_refused",
                             order_name ? "order" : "device", order_name ? order_name : c->dev.name, detail);
        free(detail);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    tote_jw_event(&w, c, "scan");
    tote_jw_str(&w, "context", context);
    tote_jw_num(&w, "seq", req->seq);
    tote_jw_str(&w, "kind", sc ? sc->kind_name : "none");
    tote_jw_bool(&w, "accepted", accepted);
    tote_jw_str(&w, "reason", tote_wire_reason_name((uint16_t)reason));
    tote_jw_str(&w, "message", out->u.result.message);
    tote_jw_num(&w, "qty", qty);
    if (order_name)
        tote_jw_str(&w, "order", order_name);
    if (task_id)
        tote_jw_num(&w, "task", task_id);
    if (package_id)
        tote_jw_num(&w, "package", package_id);
    tote_events_add_json(c->events, "scan", tote_jw_end(&w));
    return TOTE_ST_E_OK;
}

tote_wire_reason tote_flow_gate(const tote_flow_ctx *c, const char *what)
{
    const char *dr = c->dev.role, *orole = c->dev.operator_role;
    int device_ok, operator_ok;
    if (strcmp(what, "pick") == 0) {
        device_ok = strcmp(dr, "picker") == 0;
        operator_ok =
            strcmp(orole, "picker") == 0 || strcmp(orole, "supervisor") == 0 || strcmp(orole, "admin") == 0;
    } else { /* pack, return */
        device_ok = strcmp(dr, "packer") == 0 || strcmp(dr, "bench") == 0;
        operator_ok =
            strcmp(orole, "packer") == 0 || strcmp(orole, "supervisor") == 0 || strcmp(orole, "admin") == 0;
    }
    if (!device_ok)
        return TOTE_REASON_ROLE_DENIED;
    if (!c->dev.operator_name[0])
        return c->cfg->require_login ? TOTE_REASON_NOT_LOGGED_IN : TOTE_REASON_OK;
    return operator_ok ? TOTE_REASON_OK : TOTE_REASON_ROLE_DENIED;
}

tote_st_err tote_flow_reallocate(tote_flow_ctx *c, const tote_pick_task *t, int qty, long long *allocated,
                                 long long *new_task)
{
    return tote_alloc_reallocate(c->s, t->order_line_id, qty, t->stock_id, tote_flow_actor(c), c->dev.name,
                                 allocated, new_task);
}

tote_st_err tote_flow_print_package(tote_flow_ctx *c, long long package_id)
{
    tote_st_err e = tote_print_queue_package(c->s, package_id, c->dev.name, tote_flow_actor(c));
    if (e == TOTE_ST_E_OK) {
        c->print_queued = 1;
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_INVALID && e != TOTE_ST_E_NOT_FOUND)
        return e;
    /* the parcel is closed all the same; a supervisor reprints once fixed */
    char subject[32], msg[400];
    snprintf(subject, sizeof subject, "%lld", package_id);
    snprintf(msg, sizeof msg, "the label of package %lld could not be made: %s", package_id,
             tote_print_last_error());
    cJSON *ev = NULL;
    if ((e = tote_flow_alert_begin(c, "label", subject, msg, "label_failed", &ev)) != TOTE_ST_E_OK)
        return e;
    cJSON_AddNumberToObject(ev, "package", (double)package_id);
    tote_flow_alert_publish(c, ev, msg);
    return TOTE_ST_E_OK;
}

/* ---------------- admission ---------------- */

tote_wire_error tote_flow_admit(tote_flow_ctx *c, const tote_wire_msg *req, tote_st_err *st)
{
    *st = TOTE_ST_E_OK;
    tote_st_err e = TOTE_ST_E_OK;
    if (!tote_flow_hot_device(c->hot, req->device, &c->dev) &&
        (e = tote_device_get(c->s, req->device, &c->dev)) == TOTE_ST_E_OK)
        tote_flow_hot_put_device(c->hot, &c->dev);
    if (e == TOTE_ST_E_NOT_FOUND)
        memset(&c->dev, 0, sizeof c->dev);
    if (e != TOTE_ST_E_OK && e != TOTE_ST_E_NOT_FOUND) {
        *st = e;
        return TOTE_WERR_INTERNAL;
    }
    if (e == TOTE_ST_E_OK && c->dev.revoked)
        return TOTE_WERR_DENIED;
    if (req->type == TOTE_WIRE_HELLO)
        return TOTE_WERR_NONE; /* with CURVE, the server has checked the id against the key (security.c) */
    if (e == TOTE_ST_E_NOT_FOUND || !c->dev.last_seen[0]) /* enrolled but never said hello */
        return TOTE_WERR_NO_HELLO;
    return TOTE_WERR_NONE;
}

/* ---------------- HELLO, HEARTBEAT, LOGOUT, SNAPSHOT ---------------- */

static tote_st_err do_hello(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out)
{
    const char *role = tote_wire_role_name(req->u.hello.role);
    int created = 0;
    tote_st_err e = tote_device_hello(c->s, req->device, role, c->now, &created);
    if (e != TOTE_ST_E_OK)
        return e;
    e = tote_device_get(c->s, req->device, &c->dev);
    if (e != TOTE_ST_E_OK)
        return e;
    char detail[160];
    snprintf(detail, sizeof detail, "{\"role\":\"%s\",\"created\":%s}", role, created ? "true" : "false");
    e = tote_store_event(c->s, tote_flow_actor(c), req->device, "hello", "device", req->device, detail);
    if (e != TOTE_ST_E_OK)
        return e;
    tote_flow_reply_init(c, req, out, TOTE_WIRE_HELLO_OK);
    snprintf(out->u.hello_ok.station_version, sizeof out->u.hello_ok.station_version, "%s",
             TOTE_STATION_VERSION);
    out->u.hello_ok.heartbeat_ms = (uint32_t)c->cfg->heartbeat_ms;
    out->u.hello_ok.lease_ms = (uint32_t)c->cfg->lease_seconds * 1000u;
    out->u.hello_ok.last_seq = (uint32_t)c->dev.last_seq;
    out->u.hello_ok.require_bin_scan = (uint8_t)(c->cfg->require_bin_scan ? 1 : 0);
    snprintf(out->u.hello_ok.operator_name, sizeof out->u.hello_ok.operator_name, "%s", c->dev.operator_name);
    cJSON *ev = tote_flow_event_obj(c, "hello");
    cJSON_AddStringToObject(ev, "role", role);
    cJSON_AddStringToObject(ev, "sw_version", req->u.hello.sw_version);
    tote_events_add(c->events, "device", ev);
    return TOTE_ST_E_OK;
}

static tote_st_err do_logout(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out)
{
    tote_flow_reply_init(c, req, out, TOTE_WIRE_RESULT);
    if (!c->dev.operator_name[0]) {
        tote_flow_result(out, 1, TOTE_REASON_OK, TOTE_FEEDBACK_NONE, "nobody was logged in");
        return TOTE_ST_E_OK;
    }
    tote_st_err e = tote_device_set_operator(c->s, c->dev.name, NULL);
    if (e == TOTE_ST_E_OK)
        e = tote_store_event(c->s, c->dev.operator_name, c->dev.name, "logout", "device", c->dev.name, NULL);
    if (e != TOTE_ST_E_OK)
        return e;
    tote_flow_result(out, 1, TOTE_REASON_OK, TOTE_FEEDBACK_GOOD, "%s logged out", c->dev.operator_name);
    tote_events_add(c->events, "device", tote_flow_event_obj(c, "logout"));
    c->dev.operator_name[0] = '\0';
    c->dev.operator_role[0] = '\0';
    return TOTE_ST_E_OK;
}

tote_st_err tote_flow_snapshot(tote_store *s, const tote_wire_msg *req, tote_wire_msg *out)
{
    /* tests: a snapshot that takes this long to compute, as on a big floor */
    const char *delay = getenv("TOTE_TEST_SNAPSHOT_DELAY_MS");
    int delay_ms = delay ? atoi(delay) : 0;
    if (delay_ms > 0) {
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    char *json = NULL;
    tote_st_err e = tote_snapshot_json(s, req->u.snapshot.what, req->u.snapshot.arg, &json);
    if (e == TOTE_ST_E_NOT_FOUND || e == TOTE_ST_E_INVALID) {
        tote_wire_init(out, TOTE_WIRE_ERROR, req->device, req->seq);
        tote_flow_error(out, TOTE_WERR_MALFORMED, "%s",
                        e == TOTE_ST_E_INVALID ? "unknown snapshot kind" : "no such order");
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return e;
    tote_wire_init(out, TOTE_WIRE_SNAPSHOT_REPLY, req->device, req->seq);
    size_t n = strlen(json);
    if (n > TOTE_WIRE_JSON_MAX)
        n = TOTE_WIRE_JSON_MAX; /* tote_snapshot_json keeps within the limit; never overflow */
    memcpy(out->u.snapshot_reply.json, json, n);
    out->u.snapshot_reply.json[n] = '\0';
    out->u.snapshot_reply.json_len = (uint32_t)n;
    free(json);
    return TOTE_ST_E_OK;
}

int tote_flow_snapshot_reads_only(const tote_wire_msg *req)
{
    return strcmp(req->u.snapshot.what, "ack_alert") != 0;
}

/* A badge scan logs the operator in on this device (any role). */
static tote_st_err do_login(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                            tote_wire_msg *out)
{
    tote_operator_info op;
    tote_st_err e = tote_operator_by_badge(c->s, sc->code, &op);
    if (e == TOTE_ST_E_NOT_FOUND || (e == TOTE_ST_E_OK && !op.active))
        return tote_flow_scan_outcome(c, req, sc, "login", TOTE_REASON_BAD_BADGE, 0, 0, NULL, 0, 0, out,
                                      TOTE_FEEDBACK_ERROR, "badge not known or inactive: see a supervisor");
    if (e != TOTE_ST_E_OK)
        return e;
    if ((e = tote_device_set_operator(c->s, c->dev.name, op.name)) != TOTE_ST_E_OK)
        return e;
    char detail[64];
    snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", op.role);
    if ((e = tote_store_event(c->s, op.name, c->dev.name, "login", "device", c->dev.name, detail)) !=
        TOTE_ST_E_OK)
        return e;
    snprintf(c->dev.operator_name, sizeof c->dev.operator_name, "%s", op.name);
    snprintf(c->dev.operator_role, sizeof c->dev.operator_role, "%s", op.role);
    cJSON *ev = tote_flow_event_obj(c, "login");
    cJSON_AddStringToObject(ev, "role", op.role);
    tote_events_add(c->events, "device", ev);
    return tote_flow_scan_outcome(c, req, sc, "login", TOTE_REASON_OK, 0, 0, NULL, 0, 0, out,
                                  TOTE_FEEDBACK_GOOD, "hello %s (%s)", op.name, op.role);
}

static tote_st_err do_next_task(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    if (strcmp(c->dev.role, "picker") == 0)
        return tote_flow_pick_next(c, req, out, n_out);
    if (strcmp(c->dev.role, "packer") == 0 || strcmp(c->dev.role, "bench") == 0)
        return tote_flow_pack_next(c, req, out, n_out);
    out->type = TOTE_WIRE_NO_TASK;
    snprintf(out->u.no_task.message, sizeof out->u.no_task.message, "a %s has no tasks", c->dev.role);
    return TOTE_ST_E_OK;
}

static tote_st_err do_scan(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    tote_flow_scan sc;
    tote_flow_parse_scan(&req->u.scan, &sc);
    if (sc.kind == TOTE_SCAN_BADGE)
        return do_login(c, req, &sc, out);
    int picker = strcmp(c->dev.role, "picker") == 0;
    const char *context = picker ? "pick" : "pack";
    tote_wire_reason gate = tote_flow_gate(c, picker ? "pick" : "pack");
    if (gate != TOTE_REASON_OK)
        return tote_flow_scan_outcome(c, req, &sc, context, gate, 0, 0, NULL, 0, 0, out, TOTE_FEEDBACK_ERROR,
                                      "%s", tote_wire_reason_text(gate));
    if (picker)
        return tote_flow_pick_scan(c, req, &sc, out, n_out);
    return tote_flow_pack_scan(c, req, &sc, 0, out, n_out);
}

/* ---------------- dispatch ---------------- */

static tote_st_err apply(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out);

tote_st_err tote_flow_apply(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    c->reply_stored = 0;
    c->hot_plain = 0;
    c->scan.pending = 0;
    if (req->flags & TOTE_WIRE_F_REPLAY) {
        /* the audit log says which requests were made offline */
        char detail[96];
        snprintf(detail, sizeof detail, "{\"seq\":%u,\"type\":\"%s\"}", req->seq,
                 tote_wire_type_name(req->type));
        tote_st_err e = tote_store_event(c->s, tote_flow_actor(c), req->device, "offline_replay", "device",
                                         req->device, detail);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    tote_st_err e = apply(c, req, out, n_out);
    if (e != TOTE_ST_E_OK)
        c->scan.pending = 0; /* the caller rolls the request back */
    else if (c->scan.pending) {
        /* the scan's reply goes into its row: a sequenced request that is
         * not answered with an ERROR is answered from there when resent */
        int keep = req->seq != 0 && *n_out > 0 && out[0].type != TOTE_WIRE_ERROR;
        e = log_scan(c, keep ? &(struct reply){req->type, out, *n_out} : NULL);
    }
    if (e != TOTE_ST_E_OK || (req->type != TOTE_WIRE_SCAN && req->type != TOTE_WIRE_NEXT_TASK) ||
        (req->flags & TOTE_WIRE_F_REPLAY))
        c->hot_plain = 0;
    return e;
}

static tote_st_err apply(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out)
{
    *n_out = 1;
    tote_flow_reply_init(c, req, &out[0], TOTE_WIRE_RESULT);
    switch ((tote_wire_type)req->type) {
    case TOTE_WIRE_HELLO:
        return do_hello(c, req, &out[0]);
    case TOTE_WIRE_HEARTBEAT:
        tote_flow_reply_init(c, req, &out[0], TOTE_WIRE_HEARTBEAT_OK);
        return TOTE_ST_E_OK;
    case TOTE_WIRE_LOGOUT:
        return do_logout(c, req, &out[0]);
    case TOTE_WIRE_SNAPSHOT:
        return tote_flow_snapshot(c->s, req, &out[0]);
    case TOTE_WIRE_NEXT_TASK:
        return do_next_task(c, req, out, n_out);
    case TOTE_WIRE_SCAN:
        return do_scan(c, req, out, n_out);
    case TOTE_WIRE_SHORT_PICK:
        return tote_flow_pick_short(c, req, out, n_out);
    case TOTE_WIRE_PACK_OPEN:
    case TOTE_WIRE_PACK_ITEM:
    case TOTE_WIRE_LABEL_CONFIRM:
    case TOTE_WIRE_RETURN_OPEN:
    case TOTE_WIRE_RETURN_ITEM: {
        tote_flow_scan sc;
        const tote_wire_scan *raw =
            req->type == TOTE_WIRE_RETURN_ITEM ? &req->u.return_item.scan : &req->u.scan;
        tote_flow_parse_scan(raw, &sc);
        if (sc.kind == TOTE_SCAN_BADGE && req->type != TOTE_WIRE_RETURN_ITEM)
            return do_login(c, req, &sc, &out[0]);
        const char *ctx =
            req->type == TOTE_WIRE_RETURN_OPEN || req->type == TOTE_WIRE_RETURN_ITEM ? "return" : "pack";
        tote_wire_reason gate = tote_flow_gate(c, ctx);
        if (gate != TOTE_REASON_OK)
            return tote_flow_scan_outcome(c, req, &sc, ctx, gate, 0, 0, NULL, 0, 0, &out[0],
                                          TOTE_FEEDBACK_ERROR, "%s", tote_wire_reason_text(gate));
        return tote_flow_pack_scan(c, req, &sc, req->type, out, n_out);
    }
    case TOTE_WIRE_PACK_WEIGHT:
    case TOTE_WIRE_PACK_CLOSE:
    case TOTE_WIRE_OVERRIDE:
    case TOTE_WIRE_RETURN_CLOSE: {
        tote_wire_reason gate = tote_flow_gate(c, req->type == TOTE_WIRE_RETURN_CLOSE ? "return" : "pack");
        if (gate != TOTE_REASON_OK) {
            tote_flow_result(&out[0], 0, gate, TOTE_FEEDBACK_ERROR, "%s", tote_wire_reason_text(gate));
            return TOTE_ST_E_OK;
        }
        if (req->type == TOTE_WIRE_RETURN_CLOSE)
            return tote_flow_return_close(c, req, out, n_out);
        return tote_flow_pack_action(c, req, out, n_out);
    }
    default:
        tote_flow_error(&out[0], TOTE_WERR_UNKNOWN_TYPE, "%s is not handled by this station",
                        tote_wire_type_name(req->type));
        return TOTE_ST_E_OK;
    }
}
