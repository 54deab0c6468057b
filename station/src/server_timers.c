/* The loop's timers: lease expiry and pruning of stored replies. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mono_clock.h"
#include "server_internal.h"

struct lease_ctx {
    tote_server *srv;
    const char *now;
};

static void on_lease_expired(void *ctx, long long list_id, const char *device)
{
    struct lease_ctx *lc = ctx;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", "lease_expired");
    cJSON_AddStringToObject(o, "at", lc->now);
    cJSON_AddStringToObject(o, "device", device ? device : "");
    cJSON_AddNumberToObject(o, "pick_list", (double)list_id);
    tote_events_add(lc->srv->events, "device", o);
}

void srv_lease_check(tote_server *srv)
{
    char now[32];
    tote_store_now(now);
    struct lease_ctx lc = {srv, now};
    int n = 0;
    tote_st_err e = tote_store_begin(srv->s);
    if (e == TOTE_ST_E_OK)
        e = tote_pick_expire_leases(srv->s, now, srv->cfg.lease_seconds, on_lease_expired, &lc, &n);
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(srv->s);
    /* a lease that ended gave its list back: what the cache holds of it is
     * gone (a check that ends none writes nothing) */
    if (n > 0 || e != TOTE_ST_E_OK)
        tote_flow_hot_clear(srv->hot);
    if (e != TOTE_ST_E_OK) {
        tote_store_rollback(srv->s);
        tote_events_clear(srv->events);
        fprintf(stderr, "tote serve: lease check failed: %s\n", tote_st_strerror(e));
        return;
    }
    srv_committed(srv);
    srv_hold_events(srv);
    srv_held_release(srv);
}

/* Stored replies are kept request_retention_days (default 7). */
void srv_prune_requests(tote_server *srv)
{
    char now[32], cutoff[32];
    tote_store_now(now);
    long long days = tote_store_setting_int(srv->s, "request_retention_days", 7);
    if (days < 1)
        days = 1;
    tote_flow_time_add(now, (int)(-days * 86400), cutoff);
    int n = 0;
    tote_flow_hot_clear(srv->hot); /* a write outside a batch: nothing is kept across it */
    tote_st_err e = tote_store_begin(srv->s);
    if (e == TOTE_ST_E_OK)
        e = tote_request_prune(srv->s, cutoff, 5000, &n);
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(srv->s);
    if (e == TOTE_ST_E_OK)
        srv_committed(srv);
    if (e != TOTE_ST_E_OK) {
        tote_store_rollback(srv->s);
        fprintf(stderr, "tote serve: pruning stored replies failed: %s\n", tote_st_strerror(e));
    }
}

int srv_lease_interval_ms(const tote_server *srv)
{
    int ms = srv->cfg.lease_seconds * 1000 / 4;
    if (ms > 1000)
        ms = 1000;
    if (ms < 100)
        ms = 100;
    return ms;
}
