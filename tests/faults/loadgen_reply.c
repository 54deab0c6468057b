/*
 * fault_loadgen: what a simulated device does with the station's replies
 * (loadgen.c says what the program does as a whole): acknowledgements logged
 * and checked for exactly-once, errors, the task and pack state they carry,
 * and the latency histogram the summary reports.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadgen.h"

#define LAT_BUCKETS 4000 /* latency histogram: 0.1 ms buckets up to 400 ms, then overflow */

static unsigned long long lat_hist[LAT_BUCKETS + 1];
static unsigned long long lat_n;
double lat_max;

static uint64_t fnv64(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* ---------------- replies ---------------- */

static const char *reason_name(uint16_t r)
{
    return tote_wire_reason_name(r);
}

static void record_latency(double ms)
{
    long b = (long)(ms * 10.0);
    if (b < 0)
        b = 0;
    if (b > LAT_BUCKETS)
        b = LAT_BUCKETS;
    lat_hist[b]++;
    lat_n++;
    if (ms > lat_max)
        lat_max = ms;
}

double lat_pct(double p)
{
    if (lat_n == 0)
        return 0;
    unsigned long long want = (unsigned long long)ceil(p * (double)lat_n);
    if (want == 0)
        want = 1;
    unsigned long long acc = 0;
    for (long b = 0; b <= LAT_BUCKETS; b++) {
        acc += lat_hist[b];
        if (acc >= want)
            return b == LAT_BUCKETS ? lat_max : (double)(b + 1) / 10.0;
    }
    return lat_max;
}

/* 1 if this reply (device seq type) was seen before; checks the bytes. */
static int seen_before(dev *d, const tote_wire_msg *rep, const uint8_t *raw, size_t len)
{
    uint64_t h = fnv64(raw, len);
    for (int i = 0; i < d->hist_n; i++) {
        if (d->hist[i].seq == rep->seq && d->hist[i].type == rep->type) {
            if (d->hist[i].hash != h) {
                n_violations++;
                logline(
                    "{\"violation\":\"a resent request got a different reply\",\"device\":\"%s\",\"seq\":%u,"
                    "\"reply\":\"%s\"}",
                    d->name, rep->seq, tote_wire_type_name(rep->type));
            }
            return 1;
        }
    }
    if (d->hist_n == HIST_MAX) {
        memmove(&d->hist[0], &d->hist[1], (HIST_MAX - 1) * sizeof d->hist[0]);
        d->hist_n--;
    }
    d->hist[d->hist_n++] = (reply_digest){rep->seq, rep->type, h};
    return 0;
}

static void apply_task(dev *d, const tote_wire_msg *rep)
{
    d->has_task = 1;
    d->need_next = 0;
    d->idle = 0;
    d->task_id = rep->u.task.task_id;
    snprintf(d->bin, sizeof d->bin, "%s", rep->u.task.bin);
    snprintf(d->gtin, sizeof d->gtin, "%s", rep->u.task.gtin[0] ? rep->u.task.gtin : rep->u.task.sku);
    d->qty_total = rep->u.task.qty_total;
    d->qty_done = rep->u.task.qty_done;
    d->bin_confirmed = rep->u.task.bin_confirmed;
    d->queued_units = 0;
}

void handle_reply(dev *d, const uint8_t *raw, size_t len, long long now, double now_f)
{
    tote_wire_msg *rep = malloc(sizeof *rep);
    if (!rep)
        return;
    if (tote_wire_decode(raw, len, rep) != TOTE_PROTO_E_OK) {
        n_violations++;
        logline("{\"violation\":\"undecodable reply\",\"device\":\"%s\",\"len\":%zu}", d->name, len);
        free(rep);
        return;
    }
    d->last_activity_ms = now;
    if (rep->type == TOTE_WIRE_HEARTBEAT_OK) {
        if (d->offline) {
            d->offline = 0;
            if (d->inflight)
                send_first(d, now);
        }
        free(rep);
        return;
    }
    if (rep->type == TOTE_WIRE_HELLO_OK) {
        d->hello_ok = 1;
        d->offline = 0;
        d->logged_in = rep->u.hello_ok.operator_name[0] != '\0';
        if (d->ob) {
            uint32_t next = 0;
            tote_outbox_sync(d->ob, rep->u.hello_ok.last_seq, &next);
        } else if (rep->u.hello_ok.last_seq > d->hwm) {
            d->hwm = rep->u.hello_ok.last_seq;
        }
        d->inflight = 0;
        if (q_count(d) > 0)
            send_first(d, now);
        free(rep);
        return;
    }
    if (rep->type == TOTE_WIRE_ERROR) {
        uint16_t code = rep->u.error.code;
        if (!d->inflight || rep->seq != d->inflight_seq) {
            free(rep);
            return; /* an error to an earlier copy */
        }
        n_errors++;
        if (code == TOTE_WERR_STORAGE)
            n_storage_errors++;
        logline("{\"error\":\"%s\",\"device\":\"%s\",\"seq\":%u,\"message\":\"%s\"}",
                tote_wire_error_name(code), d->name, rep->seq,
                code == TOTE_WERR_STORAGE ? "station storage full" : "see station log");
        if (code == TOTE_WERR_NO_HELLO || code == TOTE_WERR_UNKNOWN_DEVICE) {
            d->hello_ok = 0;
            d->hello_sent = 0;
        } else if (code == TOTE_WERR_SEQ_OLD || code == TOTE_WERR_BAD_SEQ) {
            n_violations++;
            logline(
                "{\"violation\":\"station refused a sequenced request (%s)\",\"device\":\"%s\",\"seq\":%u}",
                tote_wire_error_name(code), d->name, rep->seq);
            q_done(d, rep->seq);
            d->inflight = 0;
            d->need_next = 1;
        } else {
            /* STORAGE, INTERNAL...: not applied; try the same request again soon */
            d->retry_at_ms = now + 200;
        }
        free(rep);
        return;
    }
    /* an acknowledgement of a sequenced request */
    if (seen_before(d, rep, raw, len)) {
        free(rep);
        return;
    }
    if (!d->inflight || rep->seq != d->inflight_seq) {
        /* the second frame of a two-frame reply (SHORT_PICK -> RESULT + TASK) */
        if (rep->type == TOTE_WIRE_TASK && rep->u.task.kind == TOTE_TASK_PICK)
            apply_task(d, rep);
        free(rep);
        return;
    }
    double ms = now_f - d->first_sent_ms;
    record_latency(ms);
    n_acks++;
    uint8_t req_type = d->inflight_type;
    int accepted = 1;
    uint16_t reason = 0;
    uint32_t qty = 0;
    if (rep->type == TOTE_WIRE_RESULT) {
        accepted = rep->u.result.accepted;
        reason = rep->u.result.reason;
    } else if (rep->type == TOTE_WIRE_PACK_STATE) {
        accepted = rep->u.pack_state.accepted;
        reason = rep->u.pack_state.reason;
    }
    /* how many units a pick scan moved: qty_done grew */
    if (req_type == TOTE_WIRE_SCAN && rep->type == TOTE_WIRE_RESULT && accepted && d->has_task &&
        rep->u.result.qty_done > d->qty_done) {
        qty = rep->u.result.qty_done - d->qty_done;
        n_accepted_units += qty;
    }
    logline("{\"ack\":1,\"device\":\"%s\",\"seq\":%u,\"req\":\"%s\",\"reply\":\"%s\",\"accepted\":%d,"
            "\"reason\":\"%s\",\"qty\":%u,\"task\":%u,\"ms\":%.2f}",
            d->name, rep->seq, tote_wire_type_name(req_type), tote_wire_type_name(rep->type), accepted,
            reason_name(reason), qty, d->has_task ? d->task_id : 0, ms);
    q_done(d, rep->seq);
    d->inflight = 0;
    d->offline = 0;

    switch (rep->type) {
    case TOTE_WIRE_TASK:
        if (rep->u.task.kind == TOTE_TASK_PICK && !d->packer) {
            apply_task(d, rep);
        } else if (rep->u.task.kind == TOTE_TASK_PACK && d->packer) {
            d->has_task = 1;
            d->need_next = 0;
            d->idle = 0;
            d->task_id = rep->u.task.task_id;
            snprintf(d->order, sizeof d->order, "%s", rep->u.task.order);
            snprintf(d->tote, sizeof d->tote, "%s", rep->u.task.tote);
            d->pack_open = 0;
            d->pack_status = 0;
            d->weight = d->expected_weight = 0;
            d->tracking[0] = '\0';
            d->nlines = 0;
        } else {
            d->need_next = 1;
        }
        break;
    case TOTE_WIRE_PACK_STATE:
        if (!accepted) {
            d->need_next = 1; /* the bench moved on (someone else packed it...) */
            break;
        }
        d->pack_open = rep->u.pack_state.status >= 1;
        d->pack_status = rep->u.pack_state.status;
        d->expected_weight = rep->u.pack_state.expected_weight_g;
        d->weight = rep->u.pack_state.weight_g;
        snprintf(d->tracking, sizeof d->tracking, "%s", rep->u.pack_state.tracking);
        d->nlines = rep->u.pack_state.line_count;
        for (int i = 0; i < d->nlines && i < TOTE_WIRE_PACK_LINES_MAX; i++) {
            snprintf(d->lines[i].gtin, sizeof d->lines[i].gtin, "%s", rep->u.pack_state.lines[i].gtin);
            d->lines[i].expected = rep->u.pack_state.lines[i].expected;
            d->lines[i].packed = rep->u.pack_state.lines[i].packed;
        }
        if (d->pack_status == 3)
            d->need_next = 1; /* shipped */
        break;
    case TOTE_WIRE_NO_TASK:
        d->has_task = 0;
        d->need_next = 1;
        d->idle = 1;
        d->next_action_ms = now + 300;
        break;
    case TOTE_WIRE_RESULT:
        if (req_type == TOTE_WIRE_SCAN && accepted && rep->u.result.message[0] &&
            strncmp(rep->u.result.message, "Hello", 5) == 0)
            d->logged_in = 1;
        if (req_type == TOTE_WIRE_SCAN && accepted && d->want_login && !d->logged_in) {
            d->logged_in = 1; /* the badge scan */
            d->need_next = 1;
            break;
        }
        if (!accepted && d->packer) {
            /* the bench is not where this packer thought: start over with the next task */
            d->pack_open = 0;
            d->pack_status = 0;
            d->need_next = 1;
            if (reason == TOTE_REASON_NOT_LOGGED_IN) {
                d->logged_in = 0;
                d->want_login = opt.badge != NULL;
            }
            break;
        }
        if (!accepted) {
            if (reason == TOTE_REASON_NOT_LOGGED_IN) {
                d->logged_in = 0;
                d->want_login = opt.badge != NULL;
                if (!d->want_login)
                    d->next_action_ms = now + 500;
            } else if (reason == TOTE_REASON_SCAN_BIN_FIRST) {
                d->bin_confirmed = 0;
            } else if (reason == TOTE_REASON_NO_TASK || reason == TOTE_REASON_OVER_PICK ||
                       reason == TOTE_REASON_BAD_QUANTITY) {
                d->need_next = 1;
            }
            break;
        }
        if (req_type == TOTE_WIRE_SHORT_PICK) {
            d->need_next = 1;
            break;
        }
        if (req_type == TOTE_WIRE_SCAN && d->has_task) {
            /* an accepted scan on the task was its bin or its item: either way the
             * bin is right; the reply says where the task stands (a bin scan
             * leaves qty_done as it was) */
            d->bin_confirmed = 1;
            d->qty_done = rep->u.result.qty_done;
            if (d->queued_units > 0)
                d->queued_units--;
            if (rep->u.result.task_done)
                d->need_next = 1;
        }
        break;
    default:
        d->need_next = 1;
        break;
    }
    if (q_count(d) > 0 && !d->offline)
        send_first(d, now);
    else
        d->next_action_ms = d->next_action_ms > now ? d->next_action_ms : now + (long long)think();
    free(rep);
}
