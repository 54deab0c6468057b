/*
 * The console's connection to the station (tote/console.h): a DEALER that
 * says HELLO as a console and asks SNAPSHOTs (seq 0) one at a time, and a
 * SUB on the station's PUB socket for live events.
 *
 * A request unanswered for timeout_ms means the station is gone: the DEALER
 * is closed (dropping whatever it queued), on_state(0) is reported once,
 * and every retry_ms a new DEALER says HELLO until HELLO_OK comes back
 * (on_state(1)). Requests queued meanwhile wait; the one in flight is sent
 * again. ZeroMQ reconnects the SUB by itself.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "mono_clock.h"
#include "tote/console.h"
#include "tote/security.h"
#include "tote/station.h"
#include "tote/wire.h"

#define QUEUE_MAX 32

struct req {
    char what[TOTE_WIRE_SHORT_MAX + 1];
    char arg[TOTE_WIRE_TEXT_MAX + 1];
};

struct tote_console_client {
    char station[256], events[256], id[TOTE_WIRE_DEVICE_MAX + 1];
    int timeout_ms, retry_ms;
    int curve;
    tote_enrolment keys;
    tote_console_callbacks cb;
    void *ctx, *dealer, *sub;
    int online;         /* HELLO_OK seen and nothing timed out since */
    int reported;       /* -1 nothing reported yet, else the last on_state value */
    long long hello_at; /* ms when HELLO was sent, 0 if none pending */
    long long next_try; /* ms of the next HELLO attempt while down */
    long long sent_at;  /* ms the in-flight request was sent */
    int inflight;
    long long last_ok; /* wall seconds of the last good reply */
    struct req queue[QUEUE_MAX];
    int qn;
    tote_wire_msg *msg;
    uint8_t buf[TOTE_WIRE_MAX_FRAME];
};

static long long wall_s(void)
{
    return (long long)time(NULL);
}

static void report(tote_console_client *c, int online, long long since)
{
    if (c->reported == online)
        return;
    c->reported = online;
    if (c->cb.on_state)
        c->cb.on_state(c->cb.ud, online, since);
}

static void close_dealer(tote_console_client *c)
{
    if (c->dealer)
        zmq_close(c->dealer);
    c->dealer = NULL;
    c->hello_at = 0;
    c->inflight = 0;
}

static int send_msg(tote_console_client *c, const tote_wire_msg *m)
{
    size_t len = 0;
    if (tote_wire_encode(m, c->buf, sizeof c->buf, &len) != TOTE_PROTO_E_OK)
        return -1;
    return zmq_send(c->dealer, c->buf, len, ZMQ_DONTWAIT) == (int)len ? 0 : -1;
}

static void try_hello(tote_console_client *c, long long now)
{
    close_dealer(c);
    c->next_try = now + c->retry_ms;
    c->dealer = zmq_socket(c->ctx, ZMQ_DEALER);
    if (!c->dealer)
        return;
    int zero = 0, ivl = 100, ivl_max = 1000;
    zmq_setsockopt(c->dealer, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(c->dealer, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(c->dealer, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    if ((c->curve && tote_security_client_setup(c->dealer, &c->keys) != 0) ||
        zmq_connect(c->dealer, c->station) != 0) {
        close_dealer(c);
        return;
    }
    tote_wire_msg *m = c->msg;
    tote_wire_init(m, TOTE_WIRE_HELLO, c->id, 1);
    m->u.hello.role = TOTE_ROLE_CONSOLE;
    snprintf(m->u.hello.sw_version, sizeof m->u.hello.sw_version, "tote-console %s", TOTE_STATION_VERSION);
    if (send_msg(c, m) != 0) {
        close_dealer(c);
        return;
    }
    c->hello_at = now;
}

static void send_next(tote_console_client *c, long long now)
{
    if (!c->online || c->inflight || c->qn == 0)
        return;
    tote_wire_msg *m = c->msg;
    tote_wire_init(m, TOTE_WIRE_SNAPSHOT, c->id, 0);
    snprintf(m->u.snapshot.what, sizeof m->u.snapshot.what, "%s", c->queue[0].what);
    snprintf(m->u.snapshot.arg, sizeof m->u.snapshot.arg, "%s", c->queue[0].arg);
    if (send_msg(c, m) != 0) {
        /* cannot even queue it: treat as gone */
        c->online = 0;
        close_dealer(c);
        report(c, 0, c->last_ok);
        c->next_try = now + c->retry_ms;
        return;
    }
    c->inflight = 1;
    c->sent_at = now;
}

tote_console_client *tote_console_client_new(const tote_console_client_opts *o,
                                             const tote_console_callbacks *cb)
{
    if (!o || !o->station || !o->events || !o->device_id || !*o->device_id)
        return NULL;
    tote_console_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->msg = malloc(sizeof *c->msg);
    if (!c->msg) {
        free(c);
        return NULL;
    }
    snprintf(c->station, sizeof c->station, "%s", o->station);
    snprintf(c->events, sizeof c->events, "%s", o->events);
    snprintf(c->id, sizeof c->id, "%s", o->device_id);
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 3000;
    c->retry_ms = o->retry_ms > 0 ? o->retry_ms : 1000;
    if (cb)
        c->cb = *cb;
    if (o->curve) {
        c->curve = 1;
        c->keys = *o->curve;
    }
    c->reported = -1;
    c->ctx = zmq_ctx_new();
    c->sub = c->ctx ? zmq_socket(c->ctx, ZMQ_SUB) : NULL;
    if (!c->sub) {
        tote_console_client_destroy(&c);
        return NULL;
    }
    int zero = 0, ivl = 100, ivl_max = 1000;
    zmq_setsockopt(c->sub, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(c->sub, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(c->sub, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
    zmq_setsockopt(c->sub, ZMQ_SUBSCRIBE, "", 0);
    if (c->curve && tote_security_client_setup(c->sub, &c->keys) != 0) {
        tote_console_client_destroy(&c);
        return NULL;
    }
    /* a bad endpoint is refused here, at once */
    void *probe = zmq_socket(c->ctx, ZMQ_DEALER);
    int bad = !probe || zmq_setsockopt(probe, ZMQ_LINGER, &zero, sizeof zero) != 0 ||
              zmq_connect(probe, c->station) != 0 || zmq_connect(c->sub, c->events) != 0;
    if (probe)
        zmq_close(probe);
    if (bad) {
        tote_console_client_destroy(&c);
        return NULL;
    }
    try_hello(c, mono_ms());
    return c;
}

void tote_console_client_destroy(tote_console_client **cp)
{
    if (!cp || !*cp)
        return;
    tote_console_client *c = *cp;
    close_dealer(c);
    if (c->sub)
        zmq_close(c->sub);
    if (c->ctx)
        zmq_ctx_term(c->ctx);
    free(c->msg);
    memset(&c->keys, 0, sizeof c->keys); /* the secret key */
    free(c);
    *cp = NULL;
}

void tote_console_client_request(tote_console_client *c, const char *what, const char *arg)
{
    if (!arg)
        arg = "";
    for (int i = 0; i < c->qn; i++)
        if (strcmp(c->queue[i].what, what) == 0 && strcmp(c->queue[i].arg, arg) == 0 &&
            !(i == 0 && c->inflight))
            return;
    if (c->qn == QUEUE_MAX)
        return;
    snprintf(c->queue[c->qn].what, sizeof c->queue[c->qn].what, "%s", what);
    snprintf(c->queue[c->qn].arg, sizeof c->queue[c->qn].arg, "%s", arg);
    c->qn++;
    send_next(c, mono_ms());
}

int tote_console_client_pending(const tote_console_client *c)
{
    return c->qn;
}

int tote_console_client_online(const tote_console_client *c)
{
    return c->online;
}

static void pop(tote_console_client *c, struct req *out)
{
    *out = c->queue[0];
    memmove(&c->queue[0], &c->queue[1], (size_t)(c->qn - 1) * sizeof c->queue[0]);
    c->qn--;
    c->inflight = 0;
}

static void on_dealer(tote_console_client *c, long long now)
{
    for (;;) {
        int n = zmq_recv(c->dealer, c->buf, sizeof c->buf, ZMQ_DONTWAIT);
        if (n < 0)
            return;
        if ((size_t)n > sizeof c->buf)
            continue; /* truncated: cannot be ours */
        tote_wire_msg *m = c->msg;
        if (tote_wire_decode(c->buf, (size_t)n, m) != TOTE_PROTO_E_OK)
            continue;
        if (m->type == TOTE_WIRE_HELLO_OK && c->hello_at) {
            c->hello_at = 0;
            c->online = 1;
            c->last_ok = wall_s();
            report(c, 1, c->last_ok);
            send_next(c, now);
            continue;
        }
        if (c->hello_at && m->type == TOTE_WIRE_ERROR) {
            /* refused (revoked console...): stay away, try again later */
            c->hello_at = 0;
            close_dealer(c);
            c->next_try = now + c->retry_ms * 5;
            report(c, 0, c->last_ok);
            return;
        }
        if (!c->inflight || (m->type != TOTE_WIRE_SNAPSHOT_REPLY && m->type != TOTE_WIRE_ERROR))
            continue;
        struct req r;
        pop(c, &r);
        c->last_ok = wall_s();
        if (c->cb.on_reply) {
            if (m->type == TOTE_WIRE_SNAPSHOT_REPLY)
                c->cb.on_reply(c->cb.ud, r.what, r.arg, 1, m->u.snapshot_reply.json);
            else
                c->cb.on_reply(c->cb.ud, r.what, r.arg, 0, m->u.error.message);
        }
        if (!c->dealer)
            return; /* the callback may have changed things */
        send_next(c, now);
    }
}

static void on_sub(tote_console_client *c)
{
    for (;;) {
        char topic[64];
        int n = zmq_recv(c->sub, topic, sizeof topic - 1, ZMQ_DONTWAIT);
        if (n < 0)
            return;
        topic[n < (int)sizeof topic - 1 ? n : (int)sizeof topic - 1] = '\0';
        int more = 0;
        size_t sz = sizeof more;
        zmq_getsockopt(c->sub, ZMQ_RCVMORE, &more, &sz);
        if (!more)
            continue;
        zmq_msg_t body;
        zmq_msg_init(&body);
        if (zmq_msg_recv(&body, c->sub, 0) < 0) {
            zmq_msg_close(&body);
            return;
        }
        /* drop any further frames */
        while (zmq_msg_more(&body)) {
            zmq_msg_t x;
            zmq_msg_init(&x);
            zmq_msg_recv(&x, c->sub, 0);
            int m2 = zmq_msg_more(&x);
            zmq_msg_close(&x);
            if (!m2)
                break;
        }
        size_t len = zmq_msg_size(&body);
        char *json = malloc(len + 1);
        if (json) {
            memcpy(json, zmq_msg_data(&body), len);
            json[len] = '\0';
            if (c->cb.on_event)
                c->cb.on_event(c->cb.ud, topic, json);
            free(json);
        }
        zmq_msg_close(&body);
    }
}

static void timers(tote_console_client *c, long long now)
{
    if (c->hello_at && now - c->hello_at >= c->timeout_ms) {
        /* no answer to HELLO: the station is not there */
        close_dealer(c);
        c->online = 0;
        report(c, 0, c->last_ok);
    }
    if (c->online && c->inflight && now - c->sent_at >= c->timeout_ms) {
        c->online = 0;
        close_dealer(c);
        report(c, 0, c->last_ok);
        c->next_try = now + c->retry_ms;
    }
    if (!c->online && !c->hello_at && now >= c->next_try)
        try_hello(c, now);
}

int tote_console_client_step(tote_console_client *c, int timeout_ms, int extra_fd)
{
    long long now = mono_ms();
    timers(c, now);
    long long wait = timeout_ms;
    if (c->hello_at)
        wait = c->hello_at + c->timeout_ms - now < wait ? c->hello_at + c->timeout_ms - now : wait;
    if (c->online && c->inflight)
        wait = c->sent_at + c->timeout_ms - now < wait ? c->sent_at + c->timeout_ms - now : wait;
    if (!c->online && !c->hello_at)
        wait = c->next_try - now < wait ? c->next_try - now : wait;
    if (wait < 0)
        wait = 0;
    zmq_pollitem_t items[3];
    int n = 0, i_sub = -1, i_dealer = -1, i_fd = -1;
    items[n] = (zmq_pollitem_t){c->sub, 0, ZMQ_POLLIN, 0};
    i_sub = n++;
    if (c->dealer) {
        items[n] = (zmq_pollitem_t){c->dealer, 0, ZMQ_POLLIN, 0};
        i_dealer = n++;
    }
    if (extra_fd >= 0) {
        items[n] = (zmq_pollitem_t){NULL, extra_fd, ZMQ_POLLIN, 0};
        i_fd = n++;
    }
    int rc = zmq_poll(items, n, (long)wait);
    if (rc < 0)
        return errno == EINTR ? 1 : 0;
    now = mono_ms();
    if (i_dealer >= 0 && (items[i_dealer].revents & ZMQ_POLLIN))
        on_dealer(c, now);
    if (items[i_sub].revents & ZMQ_POLLIN)
        on_sub(c);
    timers(c, mono_ms());
    return i_fd >= 0 && (items[i_fd].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) ? 1 : 0;
}
