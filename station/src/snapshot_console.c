/*
 * The console's snapshot kinds (tote/console.h): console, device, orders,
 * search, ack_alert. Assembled from the queries in store_report.c and the
 * public overview queries of tote/snapshot.h; lists are cut until the JSON
 * fits one SNAPSHOT_REPLY, as snapshot.c does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tote/console.h"
#include "tote/snapshot.h"
#include "tote/wire.h"

#define ONLINE_SECONDS_DEFAULT 15
#define WINDOW_SECONDS (15 * 60)
#define REFUSED_THRESHOLD_DEFAULT 5
#define LABEL_MINUTES_DEFAULT 10

/* t (store time text) moved by delta seconds, in the same format. */
static void shift_time(const char *t, long long delta, char out[32])
{
    long long secs = tote_console_parse_time(t);
    if (secs < 0) {
        snprintf(out, 32, "%s", t);
        return;
    }
    time_t v = (time_t)(secs + delta);
    struct tm tm;
    gmtime_r(&v, &tm);
    /* the shifted date and time, then t's own fraction and zone (".123Z") */
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    if (n == 0) {
        snprintf(out, 32, "%s", t);
        return;
    }
    snprintf(out + n, 32 - n, "%s", strlen(t) > 19 ? t + 19 : ".000Z");
}

struct clock {
    char now[32], today[11], since[32], online_since[32], day_ago[32];
};

static void clock_init(tote_store *s, struct clock *c)
{
    tote_store_now(c->now);
    snprintf(c->today, sizeof c->today, "%.10s", c->now);
    shift_time(c->now, -WINDOW_SECONDS, c->since);
    int online = (int)tote_store_setting_int(s, "online_seconds", ONLINE_SECONDS_DEFAULT);
    shift_time(c->now, -online, c->online_since);
    shift_time(c->now, -86400, c->day_ago);
}

static const char *jstr(const cJSON *o, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return v ? v : "";
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* booleans for the 0/1 columns */
static void to_bool(cJSON *o, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (v)
        cJSON_ReplaceItemInObjectCaseSensitive(o, key,
                                               cJSON_CreateBool(cJSON_IsNumber(v) && v->valuedouble != 0));
}

/* ---------------- alerts ---------------- */

static void add_alert(cJSON *arr, long long id, const char *kind, const char *subject, const char *message,
                      const char *at, int derived)
{
    cJSON *a = cJSON_CreateObject();
    char key[320];
    if (derived) {
        cJSON_AddNullToObject(a, "id");
        snprintf(key, sizeof key, "%s:%s", kind, subject);
    } else {
        cJSON_AddNumberToObject(a, "id", (double)id);
        snprintf(key, sizeof key, "%lld", id);
    }
    cJSON_AddStringToObject(a, "key", key);
    cJSON_AddStringToObject(a, "kind", kind);
    cJSON_AddStringToObject(a, "subject", subject);
    cJSON_AddStringToObject(a, "message", message);
    cJSON_AddStringToObject(a, "at", at);
    cJSON_AddBoolToObject(a, "derived", derived);
    cJSON_AddItemToArray(arr, a);
}

/* Newest first. */
static int cmp_alert(const void *pa, const void *pb)
{
    const cJSON *a = *(const cJSON *const *)pa, *b = *(const cJSON *const *)pb;
    int c = strcmp(jstr(b, "at"), jstr(a, "at"));
    if (c)
        return c;
    return (jnum(b, "id") > jnum(a, "id")) - (jnum(b, "id") < jnum(a, "id"));
}

/* A late order becomes late when its ship-by passes: the end of a ship-by
   date, or the ship-by time. */
static void late_since(const char *ship_by, char out[32])
{
    if (strlen(ship_by) == 10) {
        char t[32];
        snprintf(t, sizeof t, "%sT00:00:00.000Z", ship_by);
        shift_time(t, 86400, out);
    } else {
        snprintf(out, 32, "%s", ship_by);
    }
}

static tote_st_err derived_alerts(tote_store *s, const struct clock *c, int limit, const cJSON *printers,
                                  int threshold, int label_minutes, cJSON *out)
{
    char acked[32], since[32], msg[400];
    /* late orders */
    cJSON *late = cJSON_CreateArray();
    long long nlate = 0;
    tote_st_err e = tote_console_q_late(s, c->now, c->today, limit, late, &nlate);
    const cJSON *o;
    cJSON_ArrayForEach(o, late)
    {
        if (e != TOTE_ST_E_OK)
            break;
        const char *name = jstr(o, "name");
        if ((e = tote_console_q_acked(s, "late_order", name, acked)) != TOTE_ST_E_OK || acked[0])
            continue;
        late_since(jstr(o, "ship_by"), since);
        snprintf(msg, sizeof msg, "order %s is late: ship by %s, still %s", name, jstr(o, "ship_by"),
                 jstr(o, "status"));
        add_alert(out, 0, "late_order", name, msg, since, 1);
    }
    cJSON_Delete(late);
    if (e != TOTE_ST_E_OK)
        return e;

    /* refused scans over the threshold */
    cJSON *ref = cJSON_CreateArray();
    e = tote_console_q_refused(s, c->since, threshold, ref);
    cJSON_ArrayForEach(o, ref)
    {
        if (e != TOTE_ST_E_OK)
            break;
        const char *dev = jstr(o, "device");
        if ((e = tote_console_q_acked(s, "refused_scans", dev, acked)) != TOTE_ST_E_OK ||
            (acked[0] && strcmp(acked, c->since) >= 0))
            continue;
        snprintf(msg, sizeof msg, "%s: %.0f of %.0f scans refused in the last 15 minutes", dev,
                 jnum(o, "refused"), jnum(o, "scans"));
        add_alert(out, 0, "refused_scans", dev, msg, jstr(o, "last_at"), 1);
    }
    cJSON_Delete(ref);
    if (e != TOTE_ST_E_OK)
        return e;

    /* packages closed a while ago whose label was never scanned: not shipped
       (the label may never have come out of the printer) */
    char before[32];
    shift_time(c->now, -60LL * label_minutes, before);
    cJSON *unconfirmed = cJSON_CreateArray();
    e = tote_console_q_unconfirmed(s, before, limit, unconfirmed);
    cJSON_ArrayForEach(o, unconfirmed)
    {
        if (e != TOTE_ST_E_OK)
            break;
        const char *pkg = jstr(o, "package");
        if ((e = tote_console_q_acked(s, "label_unconfirmed", pkg, acked)) != TOTE_ST_E_OK || acked[0])
            continue;
        shift_time(jstr(o, "closed_at"), 60LL * label_minutes, since);
        snprintf(msg, sizeof msg,
                 "%.64s package %.0f: label not confirmed: reprint with tote label reprint %.64s",
                 jstr(o, "order"), jnum(o, "package_no"), pkg);
        add_alert(out, 0, "label_unconfirmed", pkg, msg, since, 1);
    }
    cJSON_Delete(unconfirmed);
    if (e != TOTE_ST_E_OK)
        return e;

    /* printers whose newest job failed */
    cJSON_ArrayForEach(o, printers)
    {
        if (strcmp(jstr(o, "state"), "fault") != 0)
            continue;
        const char *name = jstr(o, "name");
        const char *at = jstr(o, "fault_at");
        if ((e = tote_console_q_acked(s, "printer_fault", name, acked)) != TOTE_ST_E_OK)
            return e;
        if (acked[0] && strcmp(acked, at) >= 0)
            continue;
        const char *err = jstr(o, "error");
        snprintf(msg, sizeof msg, "printer %s is down%s%s", name, *err ? ": " : "", err);
        add_alert(out, 0, "printer_fault", name, msg, at, 1);
    }
    return TOTE_ST_E_OK;
}

/* Sets each printer's state from its newest job. */
static void printer_states(cJSON *printers)
{
    cJSON *p;
    cJSON_ArrayForEach(p, printers)
    {
        const char *last = jstr(p, "last_state");
        int fault = !strcmp(last, "stopped") || !strcmp(last, "aborted") || !strcmp(last, "failed") ||
                    !strcmp(last, "held");
        const char *state = fault ? "fault" : jnum(p, "queued") > 0 ? "printing" : "idle";
        cJSON_AddStringToObject(p, "state", state);
        cJSON_AddStringToObject(p, "fault_at", fault ? jstr(p, "last_at") : "");
        if (!fault) {
            cJSON_DeleteItemFromObjectCaseSensitive(p, "error");
            cJSON_AddNullToObject(p, "error");
        }
        cJSON_DeleteItemFromObjectCaseSensitive(p, "last_state");
        cJSON_DeleteItemFromObjectCaseSensitive(p, "last_at");
    }
}

static void device_bools(cJSON *devices)
{
    cJSON *d;
    cJSON_ArrayForEach(d, devices)
    {
        to_bool(d, "online");
        to_bool(d, "revoked");
    }
}

/* ---------------- the kinds ---------------- */

static tote_st_err build_console(tote_store *s, int limit, cJSON *obj)
{
    struct clock c;
    clock_init(s, &c);
    cJSON_AddStringToObject(obj, "kind", "console");
    cJSON_AddStringToObject(obj, "at", c.now);
    tote_st_err e = tote_snapshot_orders(s, obj);
    long long nlate = 0;
    if (e == TOTE_ST_E_OK)
        e = tote_console_q_late(s, c.now, c.today, 0, NULL, &nlate);
    if (e == TOTE_ST_E_OK) {
        cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(obj, "orders"), "late", (double)nlate);
        e = tote_snapshot_waves(s, limit, obj);
    }
    cJSON *devices = cJSON_AddArrayToObject(obj, "devices");
    if (e == TOTE_ST_E_OK)
        e = tote_console_q_devices(s, NULL, c.since, c.today, c.online_since, limit * 2, devices);
    device_bools(devices);
    cJSON *printers = cJSON_AddArrayToObject(obj, "printers");
    if (e == TOTE_ST_E_OK)
        e = tote_console_q_printers(s, c.day_ago, limit, printers);
    printer_states(printers);
    int threshold = (int)tote_store_setting_int(s, "alert_refused_scans", REFUSED_THRESHOLD_DEFAULT);
    if (threshold < 1)
        threshold = 1;
    cJSON_AddNumberToObject(obj, "refused_threshold", threshold);
    int label_minutes = (int)tote_store_setting_int(s, "alert_label_minutes", LABEL_MINUTES_DEFAULT);
    if (label_minutes < 1)
        label_minutes = 1;

    /* alerts: stored open ones and derived ones, newest first */
    cJSON *tmp = cJSON_CreateObject();
    if (e == TOTE_ST_E_OK)
        e = tote_snapshot_alerts(s, limit * 2, tmp);
    cJSON *all = cJSON_CreateArray();
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(tmp, "alerts"))
    {
        add_alert(all, (long long)jnum(a, "id"), jstr(a, "kind"), jstr(a, "subject"), jstr(a, "message"),
                  jstr(a, "created_at"), 0);
    }
    cJSON_Delete(tmp);
    if (e == TOTE_ST_E_OK)
        e = derived_alerts(s, &c, limit, printers, threshold, label_minutes, all);
    int n = cJSON_GetArraySize(all);
    cJSON **v = calloc((size_t)(n ? n : 1), sizeof *v);
    if (!v) {
        cJSON_Delete(all);
        return TOTE_ST_E_NOMEM;
    }
    for (int i = 0; i < n; i++)
        v[i] = cJSON_DetachItemFromArray(all, 0);
    cJSON_Delete(all);
    qsort(v, (size_t)n, sizeof *v, cmp_alert);
    cJSON *alerts = cJSON_AddArrayToObject(obj, "alerts");
    for (int i = 0; i < n; i++) {
        if (i < limit * 2)
            cJSON_AddItemToArray(alerts, v[i]);
        else
            cJSON_Delete(v[i]);
    }
    free(v);
    return e;
}

static tote_st_err build_device(tote_store *s, const char *name, int limit, cJSON *obj, int *found)
{
    struct clock c;
    clock_init(s, &c);
    cJSON_AddStringToObject(obj, "kind", "device");
    cJSON_AddStringToObject(obj, "at", c.now);
    cJSON *tmp = cJSON_CreateArray();
    tote_st_err e = tote_console_q_devices(s, name, c.since, c.today, c.online_since, 1, tmp);
    cJSON *d = cJSON_DetachItemFromArray(tmp, 0);
    cJSON_Delete(tmp);
    *found = d != NULL;
    if (e != TOTE_ST_E_OK || !d) {
        cJSON_Delete(d);
        return e;
    }
    to_bool(d, "online");
    to_bool(d, "revoked");
    cJSON_AddItemToObject(obj, "device", d);
    cJSON *scans = cJSON_AddArrayToObject(obj, "scans");
    return tote_console_q_scans(s, name, limit, scans);
}

static int valid_state(const char *st)
{
    static const char *const ok[] = {"received",  "on_hold", "released", "allocated", "picking",
                                     "picked",    "packing", "packed",   "shipped",   "delivered",
                                     "cancelled", "short",   "late"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(st, ok[i]) == 0)
            return 1;
    return 0;
}

static tote_st_err build_orders(tote_store *s, const char *status, int limit, cJSON *obj, int *valid)
{
    struct clock c;
    clock_init(s, &c);
    const char *st = strcmp(status, "held") == 0 ? "on_hold" : status;
    *valid = valid_state(st);
    cJSON_AddStringToObject(obj, "kind", "orders");
    cJSON_AddStringToObject(obj, "status", status);
    if (!*valid)
        return TOTE_ST_E_OK;
    cJSON *arr = cJSON_AddArrayToObject(obj, "orders");
    return tote_console_q_orders(s, st, c.now, c.today, limit * 2, arr);
}

static tote_st_err build_search(tote_store *s, const char *text, int limit, cJSON *obj)
{
    cJSON_AddStringToObject(obj, "kind", "search");
    cJSON_AddStringToObject(obj, "query", text);
    cJSON *arr = cJSON_AddArrayToObject(obj, "matches");
    if (!*text)
        return TOTE_ST_E_OK;
    return tote_console_q_search(s, text, limit, arr);
}

/* ---------------- ack_alert ---------------- */

static int all_digits(const char *t)
{
    if (!*t)
        return 0;
    for (; *t; t++)
        if (*t < '0' || *t > '9')
            return 0;
    return 1;
}

static cJSON *ack_result(const char *alert, int ok, int already, const char *error)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "kind", "ack_alert");
    cJSON_AddStringToObject(r, "alert", alert);
    cJSON_AddBoolToObject(r, "ok", ok);
    cJSON_AddBoolToObject(r, "already", already);
    if (error)
        cJSON_AddStringToObject(r, "error", error);
    return r;
}

static tote_st_err do_ack(tote_store *s, const char *arg, cJSON **out)
{
    char alert[320] = "", by[128] = "console";
    cJSON *j = arg[0] == '{' ? cJSON_Parse(arg) : NULL;
    if (j) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "alert");
        if (cJSON_IsNumber(a))
            snprintf(alert, sizeof alert, "%.0f", a->valuedouble);
        else
            snprintf(alert, sizeof alert, "%s", jstr(j, "alert"));
        if (*jstr(j, "by"))
            snprintf(by, sizeof by, "%s", jstr(j, "by"));
        cJSON_Delete(j);
    } else {
        snprintf(alert, sizeof alert, "%s", arg);
    }
    char now[32];
    tote_store_now(now);
    char detail[512], msg[400];
    if (all_digits(alert)) {
        int found = 0, already = 0;
        char kind[64], subject[256];
        tote_st_err e = tote_console_ack(s, atoll(alert), by, now, &found, &already, kind, subject);
        if (e != TOTE_ST_E_OK)
            return e;
        if (!found) {
            snprintf(msg, sizeof msg, "there is no alert %s", alert);
            *out = ack_result(alert, 0, 0, msg);
            return TOTE_ST_E_OK;
        }
        if (!already) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "kind", kind);
            cJSON_AddStringToObject(d, "subject", subject);
            char *text = cJSON_PrintUnformatted(d);
            cJSON_Delete(d);
            snprintf(detail, sizeof detail, "%s", text ? text : "{}");
            cJSON_free(text);
            if ((e = tote_store_event(s, by, NULL, "alert_acked", "alert", alert, detail)) != TOTE_ST_E_OK)
                return e;
        }
        *out = ack_result(alert, 1, already, NULL);
        return TOTE_ST_E_OK;
    }
    const char *colon = strchr(alert, ':');
    static const char *const kinds[] = {"late_order", "refused_scans", "printer_fault", "label_unconfirmed"};
    size_t klen = colon ? (size_t)(colon - alert) : 0;
    int known = 0;
    for (size_t i = 0; colon && i < sizeof kinds / sizeof kinds[0]; i++)
        known |= strlen(kinds[i]) == klen && strncmp(alert, kinds[i], klen) == 0;
    if (!known || !colon[1]) {
        snprintf(msg, sizeof msg, "'%.200s' is not an alert: give its number or KIND:SUBJECT", alert);
        *out = ack_result(alert, 0, 0, msg);
        return TOTE_ST_E_OK;
    }
    char kind[64];
    snprintf(kind, sizeof kind, "%.*s", (int)klen, alert);
    const char *subject = colon + 1;
    snprintf(msg, sizeof msg, "%.250s acknowledged by %.120s", alert, by);
    long long id = 0;
    tote_st_err e = tote_console_ack_derived(s, kind, subject, msg, by, now, &id);
    if (e != TOTE_ST_E_OK)
        return e;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "kind", kind);
    cJSON_AddStringToObject(d, "subject", subject);
    cJSON_AddNumberToObject(d, "alert_id", (double)id);
    char *text = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    e = tote_store_event(s, by, NULL, "alert_acked", "alert", alert, text);
    cJSON_free(text);
    if (e != TOTE_ST_E_OK)
        return e;
    *out = ack_result(alert, 1, 0, NULL);
    return TOTE_ST_E_OK;
}

/* ---------------- entry ---------------- */

static char *small_error(const char *what, const char *message)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", "error");
    cJSON_AddStringToObject(o, "what", what);
    cJSON_AddStringToObject(o, "error", message);
    char *t = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *r = t ? strdup(t) : NULL;
    cJSON_free(t);
    return r;
}

enum kind { K_CONSOLE, K_DEVICE, K_ORDERS, K_SEARCH, K_ACK };

/* Prints obj; 1 if it fits a reply (then *json owns it). */
static int fits(cJSON *obj, char **json)
{
    char *text = cJSON_PrintUnformatted(obj);
    if (!text)
        return 0;
    if (strlen(text) > TOTE_WIRE_JSON_MAX) {
        cJSON_free(text);
        return 0;
    }
    *json = strdup(text);
    cJSON_free(text);
    return *json != NULL;
}

int tote_snapshot_console_json(tote_store *s, const char *what, const char *arg, char **json)
{
    *json = NULL;
    if (!what)
        return -1;
    enum kind k;
    if (strcmp(what, "console") == 0)
        k = K_CONSOLE;
    else if (strcmp(what, "device") == 0)
        k = K_DEVICE;
    else if (strcmp(what, "orders") == 0)
        k = K_ORDERS;
    else if (strcmp(what, "search") == 0)
        k = K_SEARCH;
    else if (strcmp(what, "ack_alert") == 0)
        k = K_ACK;
    else
        return -1;
    if (!arg)
        arg = "";

    if (k == K_ACK) {
        cJSON *r = NULL;
        tote_st_err e = tote_console_savepoint(s);
        if (e == TOTE_ST_E_OK) {
            e = do_ack(s, arg, &r);
            if (e == TOTE_ST_E_OK)
                e = tote_console_release(s);
            else
                tote_console_rollback(s);
        }
        if (e != TOTE_ST_E_OK) {
            cJSON_Delete(r);
            *json = small_error(what, tote_st_strerror(e));
            return 0;
        }
        if (!fits(r, json))
            *json = small_error(what, "reply too large");
        cJSON_Delete(r);
        return 0;
    }
    for (int limit = 32; limit >= 1; limit /= 2) {
        cJSON *obj = cJSON_CreateObject();
        tote_st_err e = TOTE_ST_E_OK;
        int found = 1;
        char msg[400] = "";
        switch (k) {
        case K_CONSOLE:
            e = build_console(s, limit, obj);
            break;
        case K_DEVICE:
            e = build_device(s, arg, limit, obj, &found);
            if (!found)
                snprintf(msg, sizeof msg, "no device %.200s", arg);
            break;
        case K_ORDERS:
            e = build_orders(s, arg, limit, obj, &found);
            if (!found)
                snprintf(msg, sizeof msg, "'%.100s' is not an order state", arg);
            break;
        default:
            e = build_search(s, arg, limit, obj);
            break;
        }
        if (e != TOTE_ST_E_OK || !found) {
            cJSON_Delete(obj);
            *json = small_error(what, e != TOTE_ST_E_OK ? tote_st_strerror(e) : msg);
            return 0;
        }
        cJSON_AddBoolToObject(obj, "truncated", limit < 32);
        int ok = fits(obj, json);
        cJSON_Delete(obj);
        if (ok)
            return 0;
    }
    *json = small_error(what, "snapshot too large");
    return 0;
}
