/*
 * The station's event loop: ROUTER for requests, PUB for events, timers.
 *
 * Group commit: when the ROUTER is readable the loop drains every waiting
 * request (up to batch_max), applies them all in one transaction, commits
 * and only once that commit is durable sends the replies and publishes the
 * events. A lone request is applied at once: there is no added delay.
 *
 * Durable: with batch_max > 1 the fsync runs in a thread of its own
 * (tote_wal_syncer): the loop commits a batch (synchronous=NORMAL: the WAL is
 * appended, not yet synced), asks for a sync, and goes on draining and
 * applying the next batch while the disk works. What a commit produced, its
 * replies and events, waits in the held queue, tagged with the commit's
 * generation, and goes out when a sync that began after that commit returns.
 * A sync covers every commit made before it began. Everything the loop sends waits
 * there in order, even an error reply, since it may speak of state not yet
 * durable. With batch_max 1 (the one-transaction-per-request design the
 * benchmarks compare against) each commit is synchronous=FULL and answered
 * at once.
 *
 * An SQL failure must lose only the request that met it. The first pass over
 * a batch applies the requests without savepoints (a savepoint copies every
 * page a request touches into a statement journal: about a tenth of a
 * request's work). If one of them fails, the transaction is rolled back,
 * nothing of the pass is kept (replies, events, devices seen), and the batch
 * is applied again with one SAVEPOINT per request, so the failing request is
 * answered with an error and the others go through as before.
 */
#include "tote/server.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "lat_hist.h"
#include "mono_clock.h"
#include "server_internal.h"
#include "store_tx.h"
#include "str_cut.h"
#include "str_hash.h"
#include "tote/flows.h"
#include "tote/printing.h"
#include "tote/security.h"
#include "tote/wire.h"

static char *dup_msg(const char *what, const char *endpoint, const char *why)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s%s: %s", what, endpoint, why);
    return strdup(buf);
}

void tote_server_config_default(tote_server_config *c)
{
    memset(c, 0, sizeof *c);
    c->listen = "tcp://*:5555";
    c->events = "tcp://*:5556";
    c->lease_seconds = 120;
    c->heartbeat_ms = 2000;
    c->batch_max = 1024;
}

tote_st_err tote_server_new(const tote_server_config *cfg, tote_server **out, char **err_msg)
{
    *out = NULL;
    if (err_msg)
        *err_msg = NULL;
    tote_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return TOTE_ST_E_NOMEM;
    srv->cfg = *cfg;
    if (srv->cfg.batch_max < 1)
        srv->cfg.batch_max = 1;
    if (srv->cfg.lease_seconds < 1)
        srv->cfg.lease_seconds = 1;
    if (srv->cfg.heartbeat_ms < 100)
        srv->cfg.heartbeat_ms = 100;
    snprintf(srv->listen, sizeof srv->listen, "%s", cfg->listen ? cfg->listen : "tcp://*:5555");
    snprintf(srv->events_ep, sizeof srv->events_ep, "%s", cfg->events ? cfg->events : "tcp://*:5556");
    srv->cfg.listen = srv->listen;
    srv->cfg.events = srv->events_ep;

    tote_st_err e = tote_store_open(cfg->db_path, 0, &srv->s, err_msg);
    if (e != TOTE_ST_E_OK) {
        tote_server_destroy(&srv);
        return e;
    }
    if (srv->cfg.batch_max > 1 && !store_unsynced() &&
        tote_wal_syncer_start(srv->s, &srv->syncer) != TOTE_ST_E_OK) {
        fprintf(stderr, "tote serve: no WAL sync thread: every commit syncs on the loop\n");
        srv->syncer = NULL;
    }
    if (tote_checkpointer_start(srv->s, 100, &srv->checkpointer) != TOTE_ST_E_OK)
        srv->checkpointer = NULL; /* SQLite's automatic checkpoints stay on */
    /* the print spooler: its own thread and connection; CUPS calls never run on the loop */
    if (tote_spooler_new(cfg->db_path, &srv->spooler) != TOTE_ST_E_OK) {
        fprintf(stderr, "tote serve: print spooler not started: labels stay queued\n");
        srv->spooler = NULL;
    }
    /* console and overview snapshots: their own thread and read-only connection */
    if (srv_snap_new(cfg->db_path, &srv->snap) != 0) {
        fprintf(stderr, "tote serve: no snapshot thread: snapshots are answered on the loop\n");
        srv->snap = NULL;
    }
    srv->batch = calloc((size_t)srv->cfg.batch_max, sizeof *srv->batch);
    srv->req = malloc(sizeof *srv->req);
    srv->replies = malloc(TOTE_FLOW_MAX_REPLIES * sizeof *srv->replies);
    srv->events = tote_events_new();
    srv->hot = tote_flow_hot_new(); /* NULL: every scan reads the store */
    srv->touched_cap = 2 * (size_t)srv->cfg.batch_max + 1;
    srv->touched = calloc(srv->touched_cap, sizeof *srv->touched);
    srv->touched_at = calloc(srv->touched_cap, sizeof *srv->touched_at);
    srv->out_cap = REPLY_RESERVE * 4;
    srv->out = malloc(srv->out_cap);
    if (!srv->batch || !srv->req || !srv->replies || !srv->events || !srv->touched || !srv->touched_at ||
        !srv->out) {
        tote_server_destroy(&srv);
        return TOTE_ST_E_NOMEM;
    }

    srv->zctx = zmq_ctx_new();
    srv->router = srv->zctx ? zmq_socket(srv->zctx, ZMQ_ROUTER) : NULL;
    srv->pub = srv->zctx ? zmq_socket(srv->zctx, ZMQ_PUB) : NULL;
    if (!srv->router || !srv->pub) {
        if (err_msg)
            *err_msg = dup_msg("cannot create ZeroMQ sockets", "", zmq_strerror(errno));
        tote_server_destroy(&srv);
        return TOTE_ST_E_NET;
    }
    int one = 1, linger = 500, hb = srv->cfg.heartbeat_ms, hb_timeout = 3 * srv->cfg.heartbeat_ms;
    int64_t maxmsg = MAX_MSG_BYTES;
    int hwm = 100000;
    zmq_setsockopt(srv->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(srv->router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(srv->router, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb);
    zmq_setsockopt(srv->router, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout);
    zmq_setsockopt(srv->router, ZMQ_HEARTBEAT_TTL, &hb_timeout, sizeof hb_timeout);
    zmq_setsockopt(srv->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(srv->router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(srv->router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(srv->pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(srv->pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    tote_st_err se =
        tote_security_server_new(srv->zctx, srv->s, cfg->db_path, cfg->insecure, &srv->sec, err_msg);
    if (se != TOTE_ST_E_OK || tote_security_server_setup(srv->sec, srv->router, srv->pub, err_msg) != 0) {
        tote_server_destroy(&srv);
        return se != TOTE_ST_E_OK ? se : TOTE_ST_E_NET;
    }
    if (zmq_bind(srv->router, srv->listen) != 0) {
        if (err_msg)
            *err_msg = dup_msg("cannot listen on ", srv->listen, zmq_strerror(errno));
        tote_server_destroy(&srv);
        return TOTE_ST_E_NET;
    }
    if (zmq_bind(srv->pub, srv->events_ep) != 0) {
        if (err_msg)
            *err_msg = dup_msg("cannot publish events on ", srv->events_ep, zmq_strerror(errno));
        tote_server_destroy(&srv);
        return TOTE_ST_E_NET;
    }
    size_t n = sizeof srv->listen;
    zmq_getsockopt(srv->router, ZMQ_LAST_ENDPOINT, srv->listen, &n);
    n = sizeof srv->events_ep;
    zmq_getsockopt(srv->pub, ZMQ_LAST_ENDPOINT, srv->events_ep, &n);
    *out = srv;
    return TOTE_ST_E_OK;
}

void tote_server_destroy(tote_server **sp)
{
    if (!sp || !*sp)
        return;
    tote_server *srv = *sp;
    if (srv->router)
        zmq_close(srv->router);
    if (srv->pub)
        zmq_close(srv->pub);
    tote_security_server_destroy(&srv->sec);
    if (srv->zctx)
        zmq_ctx_term(srv->zctx);
    tote_spooler_destroy(&srv->spooler);
    srv_snap_destroy(&srv->snap);
    tote_checkpointer_stop(&srv->checkpointer, srv->s);
    tote_wal_syncer_stop(&srv->syncer, srv->s);
    tote_store_destroy(&srv->s);
    free(srv->held);
    tote_events_destroy(&srv->events);
    tote_flow_hot_destroy(&srv->hot);
    free(srv->batch);
    free(srv->req);
    free(srv->replies);
    free(srv->touched);
    free(srv->touched_at);
    free(srv->out);
    free(srv);
    *sp = NULL;
}

void tote_server_stop(tote_server *srv)
{
    srv->stop = 1;
}

void tote_server_get_stats(const tote_server *srv, tote_server_stats *out)
{
    *out = srv->stats;
    out->reply_p50_ms = lat_quantile_ms(&srv->reply_lat, 0.5);
    out->reply_p99_ms = lat_quantile_ms(&srv->reply_lat, 0.99);
    out->reply_max_ms = (double)srv->reply_lat.max_us / 1000.0;
    if (srv->syncer) {
        out->syncs = tote_wal_syncer_count(srv->syncer);
        tote_wal_syncer_latency(srv->syncer, &out->sync_p50_ms, &out->sync_p99_ms, &out->sync_max_ms);
    }
    if (srv->checkpointer) {
        tote_checkpointer_stats c;
        tote_checkpointer_get_stats(srv->checkpointer, &c);
        out->wal_restarts = c.restarts;
        out->loop_checkpoints = c.writer_runs;
        out->full_hold_p50_ms = c.full_p50_ms;
        out->full_hold_max_ms = c.full_max_ms;
    }
}

const char *tote_server_listen_endpoint(const tote_server *srv)
{
    return srv->listen;
}

const char *tote_server_events_endpoint(const tote_server *srv)
{
    return srv->events_ep;
}

/* ---------------- replies ---------------- */

static int reserve_out(tote_server *srv, size_t more)
{
    if (srv->out_len + more <= srv->out_cap)
        return 0;
    size_t cap = srv->out_cap * 2;
    while (cap < srv->out_len + more)
        cap *= 2;
    uint8_t *p = realloc(srv->out, cap);
    if (!p)
        return -1;
    srv->out = p;
    srv->out_cap = cap;
    return 0;
}

/* Encodes msgs[0..n) as a reply blob at the end of srv->out; sets p's
 * out_off/out_len. Returns 0, or -1 if a message cannot be encoded. */
static int put_replies(tote_server *srv, struct pending *p, const tote_wire_msg *msgs, int n)
{
    if (reserve_out(srv, (size_t)n * (TOTE_WIRE_MAX_FRAME + 2)) != 0)
        return -1;
    size_t len = 0;
    if (tote_reply_blob_encode(msgs, n, srv->out + srv->out_len, (size_t)n * (TOTE_WIRE_MAX_FRAME + 2),
                               &len) != 0)
        return -1;
    p->out_off = srv->out_len;
    p->out_len = len;
    srv->out_len += len;
    return 0;
}

static void put_bytes(tote_server *srv, struct pending *p, const uint8_t *blob, size_t len)
{
    if (reserve_out(srv, len) != 0) {
        p->out_len = 0;
        return;
    }
    memcpy(srv->out + srv->out_len, blob, len);
    p->out_off = srv->out_len;
    p->out_len = len;
    srv->out_len += len;
}

/* A typed ERROR to p (never stored). */
static void put_error(tote_server *srv, struct pending *p, tote_wire_error code, const char *message)
{
    tote_wire_msg *m = &srv->replies[0];
    tote_wire_init(m, TOTE_WIRE_ERROR, p->device[0] ? p->device : "-", p->seq);
    m->u.error.code = (uint16_t)code;
    snprintf(m->u.error.message, sizeof m->u.error.message, "%s",
             message ? message : tote_wire_error_text((uint16_t)code));
    p->fresh = 0;
    srv->stats.errors++;
    if (put_replies(srv, p, m, 1) != 0)
        p->out_len = 0;
}

static tote_wire_error map_decode_error(tote_proto_err e)
{
    switch (e) {
    case TOTE_PROTO_E_VERSION:
        return TOTE_WERR_BAD_VERSION;
    case TOTE_PROTO_E_TYPE:
        return TOTE_WERR_UNKNOWN_TYPE;
    case TOTE_PROTO_E_TOO_LONG:
        return TOTE_WERR_TOO_LARGE;
    default:
        return TOTE_WERR_MALFORMED;
    }
}

/* ---------------- devices seen in this batch ---------------- */

static void touch_add(tote_server *srv, const char *name)
{
    size_t i = tote_str_hash(name) % srv->touched_cap;
    for (size_t probe = 0; probe < srv->touched_cap; probe++, i = (i + 1) % srv->touched_cap) {
        if (!srv->touched[i].used) {
            srv->touched[i].used = 1;
            snprintf(srv->touched[i].name, sizeof srv->touched[i].name, "%s", name);
            srv->touched_at[srv->ntouched++] = i;
            return;
        }
        if (strcmp(srv->touched[i].name, name) == 0)
            return;
    }
}

/* Forgets the devices of this batch. */
static void touch_clear(tote_server *srv)
{
    for (size_t k = 0; k < srv->ntouched; k++)
        srv->touched[srv->touched_at[k]].used = 0;
    srv->ntouched = 0;
}

static tote_st_err touch_flush(tote_server *srv, const char *now)
{
    tote_st_err first = TOTE_ST_E_OK;
    if (srv->ntouched)
        tote_flow_hot_clear(srv->hot); /* last_seen changes under the cached rows */
    for (size_t k = 0; k < srv->ntouched; k++) {
        tote_st_err e = tote_device_touch(srv->s, srv->touched[srv->touched_at[k]].name, now);
        if (e != TOTE_ST_E_OK && first == TOTE_ST_E_OK)
            first = e;
    }
    touch_clear(srv);
    return first;
}

/* ---------------- one request ---------------- */

static int is_unsequenced(uint8_t type)
{
    return type == TOTE_WIRE_HEARTBEAT || type == TOTE_WIRE_SNAPSHOT;
}

static void handle_request(tote_server *srv, struct pending *p, tote_flow_ctx *fc)
{
    const uint8_t *data = zmq_msg_data(&p->body);
    size_t len = zmq_msg_size(&p->body);
    tote_wire_msg *req = srv->req;
    p->device[0] = '\0';
    p->seq = 0;
    p->fresh = 0;
    if (p->extra_frames) {
        put_error(srv, p, TOTE_WERR_MALFORMED, "a request is one frame");
        return;
    }
    if (len > TOTE_WIRE_MAX_FRAME) {
        put_error(srv, p, TOTE_WERR_TOO_LARGE, NULL);
        return;
    }
    if (len >= 2 && data[0] == TOTE_WIRE_VERSION && !tote_wire_is_request(data[1])) {
        put_error(srv, p, TOTE_WERR_UNKNOWN_TYPE, "not a request type");
        return;
    }
    tote_proto_err pe = tote_wire_decode(data, len, req);
    tote_str_cut(p->device, sizeof p->device, req->device);
    p->seq = req->seq;
    if (pe != TOTE_PROTO_E_OK) {
        char msg[TOTE_WIRE_TEXT_MAX + 1];
        snprintf(msg, sizeof msg, "%s: %s", tote_wire_error_text((uint16_t)map_decode_error(pe)),
                 tote_proto_strerror(pe));
        put_error(srv, p, map_decode_error(pe), msg);
        return;
    }
    if (!tote_wire_is_request(req->type)) {
        put_error(srv, p, TOTE_WERR_UNKNOWN_TYPE, "not a request type");
        return;
    }
    char why[TOTE_WIRE_TEXT_MAX + 1];
    tote_wire_error auth = tote_security_check_request(srv->sec, p->auth, req, why, sizeof why);
    if (auth != TOTE_WERR_NONE) {
        put_error(srv, p, auth, why);
        return;
    }
    int unsequenced = is_unsequenced(req->type);
    if (req->seq == 0 && !unsequenced) {
        put_error(srv, p, TOTE_WERR_BAD_SEQ, NULL);
        return;
    }

    tote_st_err st = TOTE_ST_E_OK;
    tote_wire_error werr = tote_flow_admit(fc, req, &st);
    if (werr != TOTE_WERR_NONE) {
        put_error(srv, p, werr, NULL);
        return;
    }
    if (req->type == TOTE_WIRE_SNAPSHOT && srv->snap && !(req->flags & TOTE_WIRE_F_REPLAY) &&
        tote_flow_snapshot_reads_only(req) &&
        srv_snap_submit(srv->snap, zmq_msg_data(&p->id), zmq_msg_size(&p->id), req) == 0) {
        p->handed = 1; /* the snapshot thread answers it (server_snap.c) */
        touch_add(srv, req->device);
        srv->request_ok = 1;
        return;
    }
    int stored = !unsequenced && req->type != TOTE_WIRE_HELLO;
    if (stored && (long long)req->seq <= fc->dev.last_seq) {
        int type = 0;
        uint8_t *blob = NULL;
        size_t blen = 0;
        st = tote_request_lookup(srv->s, req->device, req->seq, &type, &blob, &blen);
        if (st == TOTE_ST_E_OK && type == req->type) {
            put_bytes(srv, p, blob, blen);
            /* the stored reply may have been written earlier in this very batch
             * (a resend queued behind its first copy): it is only good once the
             * batch commits, like a fresh reply */
            p->fresh = 1;
            srv->stats.resends++;
        } else if (st == TOTE_ST_E_OK) {
            put_error(srv, p, TOTE_WERR_BAD_SEQ, "sequence number already used for another request");
        } else if (st == TOTE_ST_E_NOT_FOUND) {
            put_error(srv, p, TOTE_WERR_SEQ_OLD, NULL);
        } else {
            put_error(srv, p, TOTE_WERR_INTERNAL, tote_st_strerror(st));
        }
        free(blob);
        touch_add(srv, req->device);
        return;
    }

    size_t mark = tote_events_mark(srv->events);
    size_t out_mark = srv->out_len;
    st = srv->optimistic ? TOTE_ST_E_OK : tote_request_savepoint(srv->s);
    int n = 0;
    if (st == TOTE_ST_E_OK)
        st = tote_flow_apply(fc, req, srv->replies, &n);
    if (st == TOTE_ST_E_OK) {
        if (put_replies(srv, p, srv->replies, n) != 0) {
            st = TOTE_ST_E_INVALID;
        } else if (stored && srv->replies[0].type != TOTE_WIRE_ERROR && fc->reply_stored) {
            /* a scan: its row holds the reply and the seq (a device's last_seq
             * is the larger of device.last_seq and its highest scan seq,
             * tote_device_get); last_seen is written once it is a tenth of
             * the lease behind, at most 1 s (the lease runs from it) */
            int lag_ms = srv->cfg.lease_seconds < 10 ? srv->cfg.lease_seconds * 100 : 1000;
            int stale = !tote_flow_seen_recently(fc->dev.last_seen, fc->now, lag_ms);
            st = stale ? tote_device_touch(srv->s, req->device, fc->now) : TOTE_ST_E_OK;
            if (st == TOTE_ST_E_OK)
                tote_flow_hot_seen(srv->hot, req->device, req->seq, stale ? fc->now : NULL);
        } else if (stored && srv->replies[0].type != TOTE_WIRE_ERROR) {
            /* sets device.last_seq and last_seen (tote_request_seen) */
            st = tote_request_store(srv->s, req->device, req->seq, req->type, srv->out + p->out_off,
                                    p->out_len, fc->now);
            if (st == TOTE_ST_E_OK)
                tote_flow_hot_seen(srv->hot, req->device, req->seq, fc->now);
        }
    }
    if (st != TOTE_ST_E_OK && srv->optimistic) {
        srv->failed = 1; /* the batch is applied again, with savepoints */
        return;
    }
    if (st != TOTE_ST_E_OK) {
        /* SQLite's words for an SQL failure, taken before the rollback
         * replaces them; the store's for any other */
        char sql_said[TOTE_WIRE_TEXT_MAX + 1];
        snprintf(sql_said, sizeof sql_said, "%s",
                 sqlite3_errcode(tote_store_db(srv->s)) != SQLITE_OK ? tote_store_errmsg(srv->s)
                                                                     : tote_st_strerror(st));
        tote_request_rollback(srv->s);
        tote_events_rewind(srv->events, mark);
        srv->out_len = out_mark;
        put_error(srv, p, st == TOTE_ST_E_FULL ? TOTE_WERR_STORAGE : TOTE_WERR_INTERNAL,
                  st == TOTE_ST_E_FULL ? NULL : sql_said);
        return;
    }
    if (!srv->optimistic)
        tote_request_release(srv->s);
    p->fresh = 1;
    if (!stored || srv->replies[0].type == TOTE_WIRE_ERROR)
        touch_add(srv, req->device); /* a stored reply already set last_seen */
    else
        srv->request_ok = 1;
}

/* One request of the batch. The loop's cache (flows.h) is kept only after a
 * plain scan that was applied, answered and its last_seq noted; anything
 * else may have changed what it holds. */
static void handle(tote_server *srv, struct pending *p, tote_flow_ctx *fc)
{
    srv->request_ok = 0;
    fc->hot_plain = 0;
    if (p->handed) { /* the batch applied again: the snapshot thread has it already */
        touch_add(srv, p->device);
        return;
    }
    handle_request(srv, p, fc);
    if (!srv->request_ok || !fc->hot_plain)
        tote_flow_hot_clear(srv->hot);
}

/* ---------------- the batch ---------------- */

static void drain(tote_server *srv)
{
    srv->nbatch = 0;
    while (srv->nbatch < srv->cfg.batch_max) {
        struct pending *p = &srv->batch[srv->nbatch];
        zmq_msg_init(&p->id);
        if (zmq_msg_recv(&p->id, srv->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&p->id);
            break;
        }
        zmq_msg_init(&p->body);
        p->extra_frames = 0;
        p->handed = 0;
        p->fresh = 0; /* no reply yet (nothing of an earlier batch in this slot) */
        p->out_off = p->out_len = 0;
        if (zmq_msg_more(&p->id))
            zmq_msg_recv(&p->body, srv->router, 0);
        tote_security_track(srv->sec, &p->body, p->auth, sizeof p->auth);
        while (zmq_msg_more(&p->body)) {
            zmq_msg_t extra;
            zmq_msg_init(&extra);
            zmq_msg_recv(&extra, srv->router, 0);
            int more = zmq_msg_more(&extra);
            zmq_msg_close(&extra);
            p->extra_frames++;
            if (!more)
                break;
        }
        srv->nbatch++;
    }
}

static void flow_ctx_init(tote_server *srv, tote_flow_ctx *fc)
{
    memset(fc, 0, sizeof *fc);
    fc->s = srv->s;
    fc->cfg = &srv->settings;
    fc->events = srv->events;
    fc->hot = srv->hot;
    tote_store_now(fc->now);
    snprintf(fc->today, sizeof fc->today, "%.10s", fc->now);
}

/* After a full disk: the WAL holds space the database file needs to grow
 * into, and the background checkpoints may not complete while commits keep
 * failing. Once a second, try a TRUNCATE checkpoint on the loop's own
 * connection: when space has come back it moves the WAL into the database
 * and gives the WAL's bytes back, so the next commit can succeed. */
static void reclaim_wal(tote_server *srv)
{
    long long now = mono_ms();
    if (now < srv->next_reclaim_ms)
        return;
    srv->next_reclaim_ms = now + 1000;
    if (tote_store_wal_truncate(srv->s) == TOTE_ST_E_OK)
        fprintf(stderr, "tote serve: write-ahead log checkpointed and truncated after a full disk\n");
}

/* Between two requests of a batch: what a sync made durable meanwhile goes
 * out now rather than after this batch's commit. The handhelds it answers
 * send their next requests while the batch is applied, so the next batch is
 * waiting when this one commits (released only after the commit, a closed
 * loop of 100 handhelds left the loop idle about a third of the time). */
static void release_synced(tote_server *srv)
{
    if (!srv->syncer || srv->held_head == srv->held_len)
        return;
    unsigned long long done = tote_wal_syncer_peek(srv->syncer);
    if (done > srv->synced) {
        long long t0 = mono_us();
        srv->synced = done;
        srv->stats.early += (unsigned long long)srv_held_release(srv);
        srv->released_us += mono_us() - t0; /* messaging, not applying */
    }
}

/* Begins the batch's transaction and applies every request in it;
 * optimistic: without savepoints, stopping at the first request that fails
 * (srv->failed). */
static tote_st_err apply_batch(tote_server *srv, tote_flow_ctx *fc, int optimistic)
{
    tote_st_err e = tote_store_begin(srv->s);
    if (e != TOTE_ST_E_OK)
        return e;
    tote_flow_hot_sync(srv->hot, srv->s); /* what another connection committed */
    tote_flow_settings_load(srv->s, srv->cfg.lease_seconds, srv->cfg.heartbeat_ms, &srv->settings);
    srv->optimistic = optimistic;
    srv->failed = 0;
    for (int i = 0; i < srv->nbatch && !srv->failed; i++) {
        release_synced(srv);
        handle(srv, &srv->batch[i], fc);
    }
    srv->optimistic = 0;
    return TOTE_ST_E_OK;
}

/*
 * The requests waiting on the ROUTER, applied in one transaction and
 * committed; their replies and events go to the held queue, out once the
 * commit is durable. The transaction is never left open between batches:
 * `tote` commands and the spooler write to the same database and must find
 * the write lock free (a transaction kept open to gather requests while a
 * sync runs held it nearly all the time under load, and gained nothing
 * measurable).
 */
static void process_batch(tote_server *srv)
{
    long long t0 = mono_us();
    srv->batch_read_us = t0;
    drain(srv);
    if (srv->nbatch == 0)
        return;
    srv->stats.requests += (unsigned long long)srv->nbatch;
    if ((unsigned long long)srv->nbatch > srv->stats.max_batch)
        srv->stats.max_batch = (unsigned long long)srv->nbatch;
    srv->out_len = 0;
    tote_flow_ctx fc;
    flow_ctx_init(srv, &fc);
    srv->released_us = 0;
    long long t1 = mono_us();
    srv->stats.io_us += (unsigned long long)(t1 - t0);
    unsigned long long errors = srv->stats.errors, resends = srv->stats.resends;
    tote_st_err e = apply_batch(srv, &fc, 1);
    if (e == TOTE_ST_E_OK && srv->failed) {
        /* a request failed with no savepoint to undo it alone: forget the
         * pass (none of its replies is out) and apply the batch again, one
         * savepoint per request */
        tote_store_rollback(srv->s);
        tote_flow_hot_clear(srv->hot); /* it may hold what the pass wrote */
        tote_events_clear(srv->events);
        touch_clear(srv);
        srv->out_len = 0;
        for (int i = 0; i < srv->nbatch; i++) {
            srv->batch[i].fresh = 0;
            srv->batch[i].out_off = srv->batch[i].out_len = 0;
        }
        srv->stats.errors = errors;
        srv->stats.resends = resends;
        srv->stats.redone++;
        flow_ctx_init(srv, &fc);
        e = apply_batch(srv, &fc, 0);
    }
    if (e == TOTE_ST_E_OK)
        e = touch_flush(srv, fc.now);
    long long t2 = mono_us();
    srv->stats.apply_us += (unsigned long long)(t2 - t1 - srv->released_us);
    srv->stats.io_us += (unsigned long long)srv->released_us;
    if (e == TOTE_ST_E_OK) {
        e = tote_store_commit(srv->s);
        srv->stats.commit_us += (unsigned long long)(mono_us() - t2);
    }
    if (e == TOTE_ST_E_OK) {
        srv->stats.batches++;
        srv_committed(srv);
        if (fc.print_queued && srv->spooler)
            tote_spooler_kick(srv->spooler);
    } else {
        /* nothing of this batch is durable: fresh replies become errors */
        tote_store_rollback(srv->s);
        tote_flow_hot_clear(srv->hot);
        tote_events_clear(srv->events);
        fprintf(stderr, "tote serve: cannot commit %d requests: %s\n", srv->nbatch, tote_st_strerror(e));
        if (e == TOTE_ST_E_FULL)
            reclaim_wal(srv);
        for (int i = 0; i < srv->nbatch; i++) {
            struct pending *p = &srv->batch[i];
            if (!p->handed && (p->fresh || p->out_len == 0))
                put_error(srv, p, e == TOTE_ST_E_FULL ? TOTE_WERR_STORAGE : TOTE_WERR_INTERNAL,
                          tote_st_strerror(e));
        }
        touch_clear(srv);
    }
    long long t3 = mono_us();
    srv_hold_replies(srv);
    srv_hold_events(srv);
    srv_held_release(srv);
    srv->stats.io_us += (unsigned long long)(mono_us() - t3);
    srv->nbatch = 0;
    srv->batch_read_us = 0; /* what is held later (lease checks) is not a request's reply */
}

/* ---------------- printing ---------------- */

/* A print job or printer changed state (spooler thread -> loop): PUB "printer". */
static void on_spooler_event(void *ctx, const char *json)
{
    tote_server *srv = ctx;
    if (zmq_send(srv->pub, "printer", 7, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
        zmq_send(srv->pub, json, strlen(json), ZMQ_DONTWAIT);
}

static void not_durable(int err)
{
    fprintf(stderr,
            "tote serve: cannot make the write-ahead log durable: %s; stopping without answering what is "
            "not durable\n",
            strerror(err));
}

/* The syncer says a sync completed: release what it made durable. -1 if a
 * sync failed: whether the latest commits reached the disk is unknown, so
 * the loop stops without answering them (a restart recovers what the disk
 * has; the handhelds resend). */
static int synced_now(tote_server *srv)
{
    int err = 0;
    unsigned long long done = tote_wal_syncer_done(srv->syncer, &err);
    if (err) {
        not_durable(err);
        return -1;
    }
    if (done > srv->synced)
        srv->synced = done;
    srv_held_release(srv);
    return 0;
}

tote_st_err tote_server_run(tote_server *srv)
{
    srv->next_lease_ms = mono_ms() + srv_lease_interval_ms(srv);
    srv->next_prune_ms = mono_ms() + 5000;
    while (!srv->stop && !(srv->cfg.stop_flag && *srv->cfg.stop_flag)) {
        long long now = mono_ms();
        long long wait = srv->next_lease_ms - now;
        if (wait < 0)
            wait = 0;
        /* router, the WAL syncer's fd, the spooler's completion fd, the ZAP handler.
         * While a sync is in flight the loop applies and commits one more
         * batch (its sync starts when the running one returns), then stops
         * reading the router until that sync returns: what arrives meanwhile
         * waits in its queue and becomes one batch (one commit per sync, not
         * one per wake-up, and the loop is not idle while the disk works). */
        int syncing = srv->syncer && srv->gen > srv->synced + 1;
        zmq_pollitem_t items[7] = {{srv->router, 0, syncing ? 0 : ZMQ_POLLIN, 0}};
        int nitems = 1;
        int sync_at = -1, spool_at = -1, snap_at = -1;
        if (srv->syncer) {
            items[nitems] = (zmq_pollitem_t){NULL, tote_wal_syncer_fd(srv->syncer), ZMQ_POLLIN, 0};
            sync_at = nitems++;
        }
        if (srv->spooler) {
            items[nitems] = (zmq_pollitem_t){NULL, tote_spooler_fd(srv->spooler), ZMQ_POLLIN, 0};
            spool_at = nitems++;
        }
        if (srv->snap) {
            items[nitems] = (zmq_pollitem_t){NULL, srv_snap_fd(srv->snap), ZMQ_POLLIN, 0};
            snap_at = nitems++;
        }
        int sec_at = nitems;
        int nsec = tote_security_poll_items(srv->sec, &items[sec_at], 3);
        nitems += nsec;
        long long poll_at = syncing ? mono_us() : 0;
        int rc = zmq_poll(items, nitems, (long)wait);
        if (syncing) {
            srv->stats.paused_us += (unsigned long long)(mono_us() - poll_at);
            srv->stats.pauses += (unsigned long long)!srv->paused;
        }
        srv->paused = syncing;
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ETERM)
                break;
            fprintf(stderr, "tote serve: poll failed: %s\n", zmq_strerror(errno));
            return TOTE_ST_E_NET;
        }
        tote_security_poll_handle(srv->sec, &items[sec_at], nsec);
        if (sync_at >= 0 && (items[sync_at].revents & ZMQ_POLLIN) && synced_now(srv) != 0)
            return TOTE_ST_E_IO;
        if (items[0].revents & ZMQ_POLLIN)
            process_batch(srv);
        if (snap_at >= 0 && (items[snap_at].revents & ZMQ_POLLIN))
            srv_snap_drain(srv->snap, srv->router, &srv->stats.snapshots, &srv->stats.dropped);
        if (spool_at >= 0 && (items[spool_at].revents & ZMQ_POLLIN))
            tote_spooler_drain(srv->spooler, on_spooler_event, srv);
        if (mono_ms() >= srv->next_lease_ms) {
            srv_lease_check(srv);
            srv->next_lease_ms = mono_ms() + srv_lease_interval_ms(srv);
        }
        if (mono_ms() >= srv->next_prune_ms) {
            srv_prune_requests(srv);
            srv->next_prune_ms = mono_ms() + 60000;
        }
    }
    /* a clean stop: what is committed is made durable and answered */
    if (srv->syncer && srv->gen > srv->synced) {
        int err = tote_wal_syncer_sync_now(srv->syncer, srv->gen);
        if (err) {
            not_durable(err);
            return TOTE_ST_E_IO;
        }
        srv->synced = srv->gen;
    }
    srv_held_release(srv);
    return TOTE_ST_E_OK;
}
