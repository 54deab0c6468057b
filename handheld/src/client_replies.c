/* The handheld's station client (tote/client.h): what it does with the
 * station's replies, read from the socket by client_sock_read. */
#include <stdio.h>
#include <zmq.h>

#include "client_internal.h"

#define REFUSED_TASK_POLL_MS 5000
/* An INTERNAL error rolls the request back. One that fails this many times
 * in a row would fail again: it is dropped, and the picker told. */
#define CLIENT_INTERNAL_TRIES 3

/* ---------------- replies ---------------- */

static void replay_note(tote_client *c, int refused)
{
    if (!c->req_replay)
        return;
    c->replay_count++;
    if (refused)
        c->replay_refused++;
}

static void on_hello_ok(tote_client *c, const tote_wire_msg *m, long long now)
{
    c->busy = 0;
    uint32_t next = 0;
    if (tote_outbox_sync(c->ob, m->u.hello_ok.last_seq, &next) != TOTE_HH_E_OK) {
        client_outbox_failed(c, 0, 0);
        return;
    }
    c->heartbeat_ms = m->u.hello_ok.heartbeat_ms ? m->u.hello_ok.heartbeat_ms : DEFAULT_HEARTBEAT_MS;
    if (c->sim)
        tote_sim_on_hello(c->sim, m);
    long q = client_queued(c);
    c->st = ST_ONLINE;
    c->went_offline = 0;
    c->key_refused = 0;
    tote_hhui_hello(c->ui, m, next, q);
    if (q > 0 && !c->replay_run) {
        c->replay_run = 1;
        c->replay_count = c->replay_refused = 0;
    }
    c->hb_at = now + c->heartbeat_ms;
    if (!c->have_task && !c->return_mode && !c->login_blocked) {
        c->need_task = 1;
        c->task_at = now;
    }
}

static void on_hello_error(tote_client *c, const tote_wire_msg *m, long long now)
{
    c->busy = 0;
    uint16_t code = m->u.error.code;
    client_ui_errorf(c, tote_wire_error_name(code), m->seq, TOTE_WIRE_HELLO, "%s",
                     m->u.error.message[0] ? m->u.error.message : tote_wire_error_text(code));
    if (code == TOTE_WERR_STORAGE || code == TOTE_WERR_INTERNAL) {
        c->retry_at = now + c->timeout_ms;
        return;
    }
    client_finish(c, 1, "station %s refused device %s: %s", c->station, c->device,
                  m->u.error.message[0] ? m->u.error.message : tote_wire_error_text(code));
}

/* The current request was refused for good: the station would answer a
 * resend the same way, so it leaves the outbox. */
static void drop_refused(tote_client *c, long long now)
{
    replay_note(c, 1);
    if (tote_outbox_done(c->ob, c->req_seq) == TOTE_HH_E_STORE)
        client_outbox_failed(c, c->req_seq, c->req_type);
    if (c->req_type == TOTE_WIRE_NEXT_TASK) {
        c->need_task = 1;
        c->task_at = now + REFUSED_TASK_POLL_MS;
    }
}

static void on_seq_error(tote_client *c, const tote_wire_msg *m, long long now)
{
    uint16_t code = m->u.error.code;
    const char *text = m->u.error.message[0] ? m->u.error.message : tote_wire_error_text(code);
    tote_hhui_error(c->ui, tote_wire_error_name(code), text, m->seq, c->req_type);
    client_feedback(c, TOTE_FEEDBACK_ERROR);
    c->busy = 0;
    switch (code) {
    case TOTE_WERR_NO_HELLO: /* the station forgot us (restarted): hello again, then resend */
        c->st = ST_HELLO;
        c->retry_at = 0;
        return;
    case TOTE_WERR_STORAGE: /* not applied (a full disk); try again in a while, for as long as it takes */
        c->retry_at = now + c->timeout_ms;
        return;
    case TOTE_WERR_INTERNAL: /* not applied; try again in a while, a few times */
        c->internal_count = c->internal_seq == c->req_seq ? c->internal_count + 1 : 1;
        c->internal_seq = c->req_seq;
        if (c->internal_count < CLIENT_INTERNAL_TRIES) {
            c->retry_at = now + c->timeout_ms;
            return;
        }
        char why[160];
        snprintf(why, sizeof why,
                 "the station failed this request %d times and did not apply it: it is dropped; scan again, "
                 "or call a supervisor",
                 CLIENT_INTERNAL_TRIES);
        tote_hhui_error(c->ui, "GAVE_UP", why, m->seq, c->req_type);
        if (c->sim)
            tote_sim_on_reply(c->sim, m, now);
        drop_refused(c, now);
        return;
    case TOTE_WERR_UNKNOWN_DEVICE: /* revoked: keep everything for later, stop */
        client_finish(c, 1, "station %s no longer knows device %s: %s; %ld requests stay in %s", c->station,
                      c->device, text, client_queued(c), tote_outbox_path(c->ob));
        return;
    default: /* refused for good (the station would answer a resend the same way) */
        if (c->sim)
            tote_sim_on_reply(c->sim, m, now);
        drop_refused(c, now);
        return;
    }
}

static void on_seq_reply(tote_client *c, const tote_wire_msg *m, long long now)
{
    if (tote_outbox_done(c->ob, m->seq) == TOTE_HH_E_STORE) {
        client_outbox_failed(c, m->seq, c->req_type);
        return;
    }
    c->busy = 0;
    uint8_t req = c->req_type;
    int replay = c->req_replay;
    switch (m->type) {
    case TOTE_WIRE_TASK:
        replay_note(c, 0);
        c->have_task = 1;
        c->task = *m;
        c->need_task = 0;
        c->idle_since = 0;
        tote_hhui_task(c->ui, m);
        break;
    case TOTE_WIRE_NO_TASK:
        replay_note(c, 0);
        c->have_task = 0;
        c->need_task = 1;
        c->task_at = now + NO_TASK_POLL_MS;
        if (!c->idle_since)
            c->idle_since = now;
        tote_hhui_no_task(c->ui, m);
        break;
    case TOTE_WIRE_RESULT: {
        const __typeof__(m->u.result) *r = &m->u.result;
        replay_note(c, !r->accepted);
        tote_hhui_result(c->ui, m, req, replay);
        client_feedback(c, r->feedback);
        if (!r->accepted && r->reason == TOTE_REASON_NO_TASK && !c->return_mode &&
            req != TOTE_WIRE_NEXT_TASK) {
            c->have_task = 0; /* the station has moved on: ask what is next */
            c->need_task = 1;
            c->task_at = now;
        }
        if (r->reason == TOTE_REASON_NOT_LOGGED_IN) {
            c->login_blocked = 1;
            c->need_task = 0;
        } else if (r->accepted && c->login_blocked && req == TOTE_WIRE_SCAN) {
            c->login_blocked = 0; /* a badge scan logged the operator in */
            if (!c->have_task && !c->return_mode) {
                c->need_task = 1;
                c->task_at = now;
            }
        }
        if (r->task_done) {
            c->have_task = 0;
            if (!c->return_mode) {
                c->need_task = 1;
                c->task_at = now;
            }
        }
        if (req == TOTE_WIRE_NEXT_TASK && !r->accepted && r->reason != TOTE_REASON_NOT_LOGGED_IN) {
            c->need_task = 1;
            c->task_at = now + REFUSED_TASK_POLL_MS;
        }
        break;
    }
    case TOTE_WIRE_PACK_STATE:
        replay_note(c, !m->u.pack_state.accepted);
        tote_hhui_pack_state(c->ui, m, req, replay);
        client_feedback(c, m->u.pack_state.feedback);
        if (m->u.pack_state.accepted && m->u.pack_state.status == 3) {
            c->have_task = 0;
            if (!c->return_mode) {
                c->need_task = 1;
                c->task_at = now;
            }
        }
        break;
    default:
        break;
    }
    if (c->sim)
        tote_sim_on_reply(c->sim, m, now);
}

static void on_frame(tote_client *c, const uint8_t *data, size_t len, long long now)
{
    static tote_wire_msg m;
    tote_proto_err pe = tote_wire_decode(data, len, &m);
    if (pe != TOTE_PROTO_E_OK) {
        client_ui_errorf(c, "BAD_REPLY", m.seq, c->busy ? c->req_type : 0,
                         "the station sent a malformed reply (%s)", tote_proto_strerror(pe));
        return; /* the request stays in flight: a good reply or the timeout decides */
    }
    if (!c->busy || m.seq != c->req_seq || tote_wire_is_request(m.type))
        return; /* stale or not for us */
    switch (c->kind) {
    case K_HELLO:
        if (m.type == TOTE_WIRE_HELLO_OK)
            on_hello_ok(c, &m, now);
        else if (m.type == TOTE_WIRE_ERROR)
            on_hello_error(c, &m, now);
        else
            client_ui_errorf(c, "BAD_REPLY", m.seq, TOTE_WIRE_HELLO, "the station answered HELLO with %s",
                             tote_wire_type_name(m.type));
        return;
    case K_HEARTBEAT:
        if (m.type != TOTE_WIRE_HEARTBEAT_OK && m.type != TOTE_WIRE_ERROR) {
            client_ui_errorf(c, "BAD_REPLY", m.seq, TOTE_WIRE_HEARTBEAT,
                             "the station answered HEARTBEAT with %s", tote_wire_type_name(m.type));
            return;
        }
        c->busy = 0;
        if (c->st == ST_OFFLINE) { /* it is back: hello again (our socket is new), then replay */
            tote_hhui_online(c->ui, client_queued(c));
            c->st = ST_HELLO;
            c->retry_at = 0;
        } else if (m.type == TOTE_WIRE_ERROR && m.u.error.code == TOTE_WERR_NO_HELLO) {
            c->st = ST_HELLO;
        }
        c->hb_at = now + c->heartbeat_ms;
        return;
    case K_SEQ:
        if (m.type == TOTE_WIRE_ERROR)
            on_seq_error(c, &m, now);
        else if (m.type == TOTE_WIRE_RESULT || m.type == TOTE_WIRE_PACK_STATE || m.type == TOTE_WIRE_TASK ||
                 m.type == TOTE_WIRE_NO_TASK)
            on_seq_reply(c, &m, now);
        else
            client_ui_errorf(c, "BAD_REPLY", m.seq, c->req_type, "the station answered %s with %s",
                             tote_wire_type_name(c->req_type), tote_wire_type_name(m.type));
        return;
    }
}

void client_sock_read(tote_client *c, long long now)
{
    for (int i = 0; i < 64 && !c->done && c->sock; i++) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, c->sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            return;
        }
        int more = zmq_msg_more(&msg), parts = 1;
        if (more) {
            while (more) { /* drain the rest of a multipart message */
                zmq_msg_t extra;
                zmq_msg_init(&extra);
                if (zmq_msg_recv(&extra, c->sock, ZMQ_DONTWAIT) < 0) {
                    zmq_msg_close(&extra);
                    break;
                }
                more = zmq_msg_more(&extra);
                parts++;
                zmq_msg_close(&extra);
            }
            client_ui_errorf(c, "BAD_REPLY", 0, 0, "the station sent a reply of %d frames instead of one",
                             parts);
        } else {
            on_frame(c, zmq_msg_data(&msg), zmq_msg_size(&msg), now);
        }
        zmq_msg_close(&msg);
    }
}
