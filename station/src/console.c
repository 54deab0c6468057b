/*
 * The console's model (tote/console.h): a "console" or "overview"
 * snapshot parsed into fixed arrays the screen draws from, and the small
 * formatting helpers. No terminal, no sockets: tested on its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tote/console.h"

static const char *const state_names[TOTE_CS_COUNT] = {"received", "held",   "released", "allocated",
                                                       "picking",  "picked", "packing",  "packed",
                                                       "shipped",  "short",  "late"};

/* the orders object's keys for each state */
static const char *const state_keys[TOTE_CS_COUNT] = {"received", "on_hold", "released", "allocated",
                                                      "picking",  "picked",  "packing",  "packed",
                                                      "shipped",  "short",   "late"};

const char *tote_console_state_name(tote_console_state st)
{
    return (unsigned)st < TOTE_CS_COUNT ? state_names[st] : "?";
}

static const char *jstr(const cJSON *o, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return v ? v : "";
}

static long long jint(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static int jbool(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsTrue(v) || (cJSON_IsNumber(v) && v->valuedouble != 0);
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static void parse_device(const cJSON *d, tote_console_device *o, int full)
{
    memset(o, 0, sizeof *o);
    copy(o->name, sizeof o->name, jstr(d, "name"));
    copy(o->role, sizeof o->role, jstr(d, "role"));
    copy(o->operator_name, sizeof o->operator_name, jstr(d, "operator"));
    copy(o->last_seen, sizeof o->last_seen, jstr(d, "last_seen"));
    o->online = jbool(d, "online");
    o->pick_list = jint(d, "pick_list");
    o->list_tasks = jint(d, "list_tasks");
    o->list_done = jint(d, "list_done");
    copy(o->packing, sizeof o->packing, jstr(d, "packing"));
    o->picks_15m = jint(d, "picks_15m");
    o->units_15m = jint(d, "units_15m");
    o->scans_15m = jint(d, "scans_15m");
    o->refused_15m = jint(d, "refused_15m");
    o->refused_today = jint(d, "refused_today");
    o->has_stats = full;
}

int tote_console_model_parse(tote_console_model *m, const char *json, char *err, size_t cap)
{
    memset(m, 0, sizeof *m);
    cJSON *j = json ? cJSON_Parse(json) : NULL;
    if (!j || !cJSON_IsObject(j)) {
        snprintf(err, cap, "the station sent a snapshot that is not a JSON object");
        cJSON_Delete(j);
        return -1;
    }
    const char *kind = jstr(j, "kind");
    if (strcmp(kind, "error") == 0) {
        snprintf(err, cap, "the station could not make the snapshot: %s", jstr(j, "error"));
        cJSON_Delete(j);
        return -1;
    }
    int full = strcmp(kind, "console") == 0;
    if (!full && strcmp(kind, "overview") != 0) {
        snprintf(err, cap, "the station sent a '%.40s' snapshot, not an overview", kind);
        cJSON_Delete(j);
        return -1;
    }
    m->full = full;
    copy(m->at, sizeof m->at, jstr(j, "at"));
    m->truncated = jbool(j, "truncated");

    const cJSON *orders = cJSON_GetObjectItemCaseSensitive(j, "orders");
    for (int i = 0; i < TOTE_CS_COUNT; i++)
        m->orders[i] = jint(orders, state_keys[i]);
    m->has_late = cJSON_GetObjectItemCaseSensitive(orders, "late") != NULL;

    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(j, "waves"))
    {
        if (m->nwaves == TOTE_CONSOLE_MAX_WAVES)
            break;
        tote_console_wave *o = &m->waves[m->nwaves++];
        o->id = jint(w, "id");
        copy(o->status, sizeof o->status, jstr(w, "status"));
        o->lists = jint(w, "lists");
        o->lists_done = jint(w, "lists_done");
        o->lists_leased = jint(w, "lists_leased");
        o->tasks = jint(w, "tasks");
        o->tasks_done = jint(w, "tasks_done");
        o->units = jint(w, "units");
        o->units_done = jint(w, "units_done");
    }

    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(j, "devices"))
    {
        const char *role = jstr(d, "role");
        if (strcmp(role, "console") == 0)
            continue;
        if (strcmp(role, "bench") == 0) {
            if (m->nbenches < TOTE_CONSOLE_MAX_DEVICES)
                parse_device(d, &m->benches[m->nbenches++], full);
        } else if (m->ndevices < TOTE_CONSOLE_MAX_DEVICES) {
            parse_device(d, &m->devices[m->ndevices++], full);
        }
    }

    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(j, "printers"))
    {
        if (m->nprinters == TOTE_CONSOLE_MAX_PRINTERS)
            break;
        tote_console_printer *o = &m->printers[m->nprinters++];
        copy(o->name, sizeof o->name, jstr(p, "name"));
        copy(o->kind, sizeof o->kind, jstr(p, "kind"));
        copy(o->state, sizeof o->state, jstr(p, "state"));
        o->queued = jint(p, "queued");
        o->failed = jint(p, "failed");
        copy(o->error, sizeof o->error, jstr(p, "error"));
    }
    const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(j, "print_jobs");
    m->jobs_queued =
        jint(jobs, "queued") + jint(jobs, "pending") + jint(jobs, "processing") + jint(jobs, "held");
    m->jobs_failed = jint(jobs, "failed") + jint(jobs, "aborted") + jint(jobs, "stopped");
    for (int i = 0; i < m->nprinters && !jobs; i++) {
        m->jobs_queued += m->printers[i].queued;
        m->jobs_failed += m->printers[i].failed;
    }

    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(j, "alerts"))
    {
        if (m->nalerts == TOTE_CONSOLE_MAX_ALERTS)
            break;
        tote_console_alert *o = &m->alerts[m->nalerts++];
        o->id = jint(a, "id");
        o->derived = jbool(a, "derived");
        copy(o->kind, sizeof o->kind, jstr(a, "kind"));
        copy(o->subject, sizeof o->subject, jstr(a, "subject"));
        copy(o->message, sizeof o->message, jstr(a, "message"));
        copy(o->at, sizeof o->at, full ? jstr(a, "at") : jstr(a, "created_at"));
        if (*jstr(a, "key"))
            copy(o->key, sizeof o->key, jstr(a, "key"));
        else
            snprintf(o->key, sizeof o->key, "%lld", o->id);
    }
    cJSON_Delete(j);
    return 0;
}

void tote_console_bar(char *buf, int width, double done, double total)
{
    if (width < 3)
        width = 3;
    int inner = width - 2;
    double f = total > 0 ? done / total : 0;
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    int n = (int)(f * inner + 0.5);
    if (n == inner && done < total)
        n = inner - 1; /* full only when done */
    if (n == 0 && done > 0 && total > 0)
        n = 1; /* something done shows */
    buf[0] = '[';
    for (int i = 0; i < inner; i++)
        buf[1 + i] = i < n ? '#' : '.';
    buf[width - 1] = ']';
    buf[width] = '\0';
}

long long tote_console_parse_time(const char *t)
{
    int y, mo, d, h, mi, s;
    if (!t || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (long long)timegm(&tm);
}

void tote_console_age(const char *then, const char *now, char *buf, size_t cap)
{
    long long a = tote_console_parse_time(then), b = tote_console_parse_time(now);
    if (a < 0 || b < 0) {
        snprintf(buf, cap, "-");
        return;
    }
    long long d = b - a;
    if (d < 0)
        d = 0;
    if (d < 60)
        snprintf(buf, cap, "%llds", d);
    else if (d < 3600)
        snprintf(buf, cap, "%lldm", d / 60);
    else if (d < 86400)
        snprintf(buf, cap, "%lldh", d / 3600);
    else
        snprintf(buf, cap, "%lldd", d / 86400);
}

long long tote_console_per_hour(long long in_15m)
{
    return in_15m * 4;
}

void tote_console_events_endpoint(const char *station, char *out, size_t cap)
{
    const char *colon = strrchr(station, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || colon[1] == '\0' || !end || *end || port < 1 || port >= 65535 || colon - station < 6) {
        snprintf(out, cap, "%s", station);
        return;
    }
    snprintf(out, cap, "%.*s:%ld", (int)(colon - station), station, port + 1);
}
