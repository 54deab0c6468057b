/* Console snapshots: assemble, and cut lists until the JSON fits a reply. */
#include <stdlib.h>
#include <string.h>

#include "tote/console.h"
#include "tote/snapshot.h"
#include "tote/wire.h"

#define ONLINE_SECONDS_DEFAULT 15

static tote_st_err build_overview(tote_store *s, int limit, cJSON *obj)
{
    char now[32];
    tote_store_now(now);
    cJSON_AddStringToObject(obj, "kind", "overview");
    cJSON_AddStringToObject(obj, "at", now);
    int online = (int)tote_store_setting_int(s, "online_seconds", ONLINE_SECONDS_DEFAULT);
    tote_st_err e = tote_snapshot_orders(s, obj);
    if (e == TOTE_ST_E_OK)
        e = tote_snapshot_waves(s, limit, obj);
    if (e == TOTE_ST_E_OK)
        e = tote_snapshot_devices(s, now, online, limit * 2, obj);
    if (e == TOTE_ST_E_OK)
        e = tote_snapshot_alerts(s, limit, obj);
    if (e == TOTE_ST_E_OK)
        e = tote_snapshot_print_jobs(s, obj);
    return e;
}

static tote_st_err build_order(tote_store *s, const char *name, int limit, cJSON *obj)
{
    cJSON_AddStringToObject(obj, "kind", "order");
    return tote_snapshot_order(s, name, limit, obj);
}

tote_st_err tote_snapshot_json(tote_store *s, const char *what, const char *arg, char **json)
{
    *json = NULL;
    int is_overview = what && (strcmp(what, "overview") == 0 || *what == '\0');
    int is_order = what && strcmp(what, "order") == 0;
    if (!is_overview && !is_order) /* the console's own kinds: console, device, orders, search, ack_alert */
        return tote_snapshot_console_json(s, what, arg, json) == 0 ? TOTE_ST_E_OK : TOTE_ST_E_INVALID;
    for (int limit = 32; limit >= 1; limit /= 2) {
        cJSON *obj = cJSON_CreateObject();
        if (!obj)
            return TOTE_ST_E_NOMEM;
        tote_st_err e =
            is_overview ? build_overview(s, limit, obj) : build_order(s, arg ? arg : "", limit, obj);
        if (e != TOTE_ST_E_OK) {
            cJSON_Delete(obj);
            return e;
        }
        int cut = limit < 32;
        struct {
            const char *key;
            int cap;
        } lists[] = {{"waves", limit},  {"devices", limit * 2}, {"alerts", limit},   {"scans", limit},
                     {"events", limit}, {"packages", limit},    {"lines", limit * 2}};
        for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
            cJSON *a = cJSON_GetObjectItem(obj, lists[i].key);
            if (a && cJSON_GetArraySize(a) >= lists[i].cap)
                cut = 1;
        }
        cJSON_AddBoolToObject(obj, "truncated", cut);
        char *text = cJSON_PrintUnformatted(obj);
        cJSON_Delete(obj);
        if (!text)
            return TOTE_ST_E_NOMEM;
        if (strlen(text) <= TOTE_WIRE_JSON_MAX || limit == 1) {
            if (strlen(text) > TOTE_WIRE_JSON_MAX) {
                /* even the smallest cut is too big (very long names): say so, small */
                cJSON_free(text);
                text = strdup("{\"kind\":\"error\",\"error\":\"snapshot too large\"}");
                if (!text)
                    return TOTE_ST_E_NOMEM;
                *json = text;
                return TOTE_ST_E_OK;
            }
            *json = strdup(text);
            cJSON_free(text);
            return *json ? TOTE_ST_E_OK : TOTE_ST_E_NOMEM;
        }
        cJSON_free(text);
    }
    return TOTE_ST_E_INVALID; /* not reached */
}
