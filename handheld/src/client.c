/* The handheld's station client (tote/client.h). */
#include "tote/client.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "client_internal.h"

#define CLIENT_SW_VERSION "tote-handheld 0.1.0"
#define DEFAULT_TIMEOUT_MS 1500

/* ---------------- small helpers ---------------- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void client_finish(tote_client *c, int code, const char *fmt, ...)
{
    if (c->done)
        return;
    c->done = 1;
    c->exit_code = code;
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->failure, sizeof c->failure, fmt, ap);
        va_end(ap);
    }
}

/* The outbox could not be read or written (a full or failing disk): nothing
 * more can be kept safe, so the handheld says why on its screen and stops
 * with status 1 (tote_client_run). seq and type: the request concerned, 0
 * if none. */
void client_outbox_failed(tote_client *c, uint32_t seq, uint8_t type)
{
    if (!c->done)
        tote_hhui_error(c->ui, "OUTBOX", tote_outbox_errmsg(c->ob), seq, type);
    client_finish(c, 1, "%s", tote_outbox_errmsg(c->ob));
}

void client_ui_errorf(tote_client *c, const char *code, uint32_t seq, uint8_t type, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tote_hhui_error(c->ui, code, msg, seq, type);
}

void client_feedback(tote_client *c, uint8_t fb)
{
    if (c->sc && fb != TOTE_FEEDBACK_NONE)
        (void)tote_scanner_feedback(c->sc, fb); /* a scanner away is reported by its status */
}

long client_queued(tote_client *c)
{
    long n = tote_outbox_count(c->ob);
    if (n < 0)
        client_outbox_failed(c, 0, 0);
    return n < 0 ? 0 : n;
}

/* ---------------- socket ---------------- */

/* Watches c->sock's CURVE handshakes: the station's ZAP handler refusing the
 * key (status 400 reaches the client as HANDSHAKE_FAILED_AUTH) would
 * otherwise look like a station that does not answer. Best effort: a
 * monitor that cannot start only loses the message. */
static void mon_open(tote_client *c)
{
    char ep[96];
    snprintf(ep, sizeof ep, "inproc://tote-handheld.monitor.%u", ++c->mon_gen);
    if (zmq_socket_monitor(c->sock, ep,
                           ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) != 0)
        return;
    c->mon = zmq_socket(c->zctx, ZMQ_PAIR);
    int zero = 0;
    if (c->mon &&
        (zmq_setsockopt(c->mon, ZMQ_LINGER, &zero, sizeof zero) != 0 || zmq_connect(c->mon, ep) != 0)) {
        zmq_close(c->mon);
        c->mon = NULL;
    }
}

/* Stops the monitor before closing its PAIR: a monitor left running with
 * no reader can block libzmq's I/O thread on a full event pipe. */
static void mon_close(tote_client *c)
{
    if (c->mon && c->sock)
        zmq_socket_monitor(c->sock, NULL, 0);
    if (c->mon)
        zmq_close(c->mon);
    c->mon = NULL;
}

static void mon_read(tote_client *c)
{
    for (int k = 0; k < 16 && c->mon; k++) {
        uint8_t ev[6];
        int n = zmq_recv(c->mon, ev, sizeof ev, ZMQ_DONTWAIT);
        if (n < 0)
            return;
        int more = 0;
        size_t sz = sizeof more;
        while (zmq_getsockopt(c->mon, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
            char skip[256];
            zmq_recv(c->mon, skip, sizeof skip, 0);
        }
        if (n < 6 || c->key_refused)
            continue;
        uint16_t event;
        uint32_t value;
        memcpy(&event, ev, sizeof event);
        memcpy(&value, ev + 2, sizeof value);
        c->key_refused = 1;
        if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
            client_ui_errorf(
                c, "KEY_REFUSED", 0, 0,
                "the station refused this handheld's key (not enrolled or revoked, status %u): re-enrol "
                "with tote device add %s --role ROLE -o FILE (or tote device rekey %s -o FILE) and run "
                "tote-handheld --enrol FILE",
                (unsigned)value, c->device, c->device);
        else
            client_ui_errorf(
                c, "KEY_REFUSED", 0, 0,
                "the station refused this handheld's handshake (protocol error 0x%08x: wrong station key "
                "in the enrolment file?): re-enrol with tote device rekey %s -o FILE and run "
                "tote-handheld --enrol FILE",
                (unsigned)value, c->device);
    }
}

static int sock_open(tote_client *c, char **why)
{
    c->sock = zmq_socket(c->zctx, ZMQ_DEALER);
    if (!c->sock)
        goto fail;
    int one = 1, zero = 0;
    if (zmq_setsockopt(c->sock, ZMQ_IMMEDIATE, &one, sizeof one) != 0 ||
        zmq_setsockopt(c->sock, ZMQ_LINGER, &zero, sizeof zero) != 0)
        goto fail;
    if (c->curve && tote_enrol_client_setup(c->sock, &c->enrol) != 0)
        goto fail;
    if (c->curve)
        mon_open(c);
    if (zmq_connect(c->sock, c->station) != 0)
        goto fail;
    return 0;
fail:
    if (why) {
        char b[400];
        snprintf(b, sizeof b, "cannot connect to station %s: %s", c->station, zmq_strerror(zmq_errno()));
        *why = strdup(b);
    }
    mon_close(c);
    if (c->sock)
        zmq_close(c->sock);
    c->sock = NULL;
    return -1;
}

/* Lazy pirate: a socket that lost its request is thrown away with whatever it
 * still holds, and a fresh one connects. */
static void sock_reset(tote_client *c)
{
    mon_close(c);
    if (c->sock)
        zmq_close(c->sock);
    c->sock = NULL;
    c->tx_pending = 0;
    if (sock_open(c, NULL) != 0)
        client_finish(c, 1, "cannot reconnect to station %s: %s", c->station, zmq_strerror(zmq_errno()));
}

static void tx_try(tote_client *c)
{
    if (!c->tx_pending || !c->sock)
        return;
    int rc = zmq_send(c->sock, c->tx, c->tx_len, ZMQ_DONTWAIT);
    if (rc >= 0)
        c->tx_pending = 0;
    else if (zmq_errno() != EAGAIN && zmq_errno() != EINTR)
        c->tx_pending = 0; /* lost: the reply timeout takes it from here */
}

/* Puts one encoded request in flight. */
static void transmit(tote_client *c, req_kind kind, const tote_wire_msg *m, int replay, long long now)
{
    size_t len = 0;
    tote_proto_err pe = tote_wire_encode(m, c->tx, sizeof c->tx, &len);
    if (pe != TOTE_PROTO_E_OK) {
        client_finish(c, 1, "cannot encode a %s request: %s", tote_wire_type_name(m->type),
                      tote_proto_strerror(pe));
        return;
    }
    c->tx_len = len;
    c->tx_pending = 1;
    c->busy = 1;
    c->kind = kind;
    c->req_type = m->type;
    c->req_seq = m->seq;
    c->req_replay = replay;
    c->deadline = now + c->timeout_ms;
    tx_try(c);
}

static void send_hello(tote_client *c, long long now)
{
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_HELLO, c->device, tote_outbox_peek_seq(c->ob));
    m.u.hello.role = c->role;
    snprintf(m.u.hello.sw_version, sizeof m.u.hello.sw_version, "%s", CLIENT_SW_VERSION);
    transmit(c, K_HELLO, &m, 0, now);
}

static void send_heartbeat(tote_client *c, long long now)
{
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_HEARTBEAT, c->device, 0);
    transmit(c, K_HEARTBEAT, &m, 0, now);
}

/* Sends the outbox entry, with REPLAY if it is marked so. */
static void send_entry(tote_client *c, const tote_outbox_entry *e, long long now)
{
    static tote_wire_msg m;
    if (tote_wire_decode(e->body, e->len, &m) != TOTE_PROTO_E_OK) {
        client_finish(c, 1, "the outbox %s holds an unreadable request (seq %u)", tote_outbox_path(c->ob),
                      e->seq);
        return;
    }
    if (e->replay)
        m.flags |= TOTE_WIRE_F_REPLAY;
    transmit(c, K_SEQ, &m, e->replay, now);
}

/* ---------------- state changes ---------------- */

static void go_offline(tote_client *c)
{
    if (c->st == ST_OFFLINE)
        return;
    c->st = ST_OFFLINE;
    c->went_offline = 1;
    if (tote_outbox_mark_replay(c->ob) != TOTE_HH_E_OK) {
        client_outbox_failed(c, 0, 0);
        return;
    }
    tote_hhui_offline(c->ui, client_queued(c));
    client_feedback(c, TOTE_FEEDBACK_WARNING);
}

/* Stores a sequenced request (before it can be sent); m->seq is set here. */
int client_submit(tote_client *c, tote_wire_msg *m)
{
    tote_hh_err e = tote_outbox_add(c->ob, m, c->st == ST_OFFLINE);
    if (e == TOTE_HH_E_INVALID) {
        client_ui_errorf(c, "BAD_COMMAND", 0, m->type, "%s", tote_outbox_errmsg(c->ob));
        client_feedback(c, TOTE_FEEDBACK_ERROR);
        return -1;
    }
    if (e != TOTE_HH_E_OK) {
        client_outbox_failed(c, 0, m->type);
        return -1;
    }
    if (c->st == ST_OFFLINE) {
        tote_hhui_queued(c->ui, m->seq, m->type, client_queued(c));
        client_feedback(c, TOTE_FEEDBACK_WARNING);
    }
    return 0;
}

void client_submit_simple(tote_client *c, tote_wire_type type)
{
    static tote_wire_msg m;
    tote_wire_init(&m, type, c->device, 0);
    client_submit(c, &m);
}

void client_submit_scan(tote_client *c, const char *symbology, const uint8_t *data, size_t len)
{
    static tote_wire_msg m;
    if (len > TOTE_WIRE_RAW_MAX) {
        client_ui_errorf(c, "SCANNER", 0, 0, "a scan of %zu bytes is longer than the %d the station takes",
                         len, TOTE_WIRE_RAW_MAX);
        client_feedback(c, TOTE_FEEDBACK_ERROR);
        return;
    }
    tote_wire_scan *s;
    if (c->return_mode) {
        tote_wire_init(&m, TOTE_WIRE_RETURN_ITEM, c->device, 0);
        s = &m.u.return_item.scan;
        m.u.return_item.disposition = c->disposition;
        snprintf(m.u.return_item.location, sizeof m.u.return_item.location, "%s", c->location);
        snprintf(m.u.return_item.reason, sizeof m.u.return_item.reason, "%s", c->reason);
    } else {
        tote_wire_init(&m, TOTE_WIRE_SCAN, c->device, 0);
        s = &m.u.scan;
    }
    snprintf(s->symbology, sizeof s->symbology, "%s", symbology ? symbology : "");
    s->raw_len = (uint16_t)len;
    memcpy(s->raw, data, len);
    client_submit(c, &m);
}

static void on_timeout(tote_client *c, long long now)
{
    c->busy = 0;
    sock_reset(c);
    go_offline(c);
    c->probe_at = now; /* we already waited a whole timeout */
}

/* ---------------- inputs ---------------- */

static void scanner_status(tote_client *c)
{
    if (!c->sc)
        return;
    const char *st = tote_scanner_status(c->sc);
    if (strcmp(st, c->sc_status) != 0) {
        snprintf(c->sc_status, sizeof c->sc_status, "%s", st);
        tote_hhui_scanner(c->ui, tote_scanner_kind(c->sc), st);
    }
}

static void scanner_read(tote_client *c)
{
    static tote_scan_event ev;
    for (int i = 0; i < 256 && !c->done; i++) {
        tote_hh_err e = tote_scanner_read(c->sc, &ev);
        if (e == TOTE_HH_E_OK) {
            client_operator_line(c, ev.symbology, ev.data, ev.len);
        } else if (e == TOTE_HH_E_TIMEOUT) {
            break;
        } else if (e == TOTE_HH_E_DISCONNECTED) {
            scanner_status(c);
        } else if (e == TOTE_HH_E_PROTOCOL) {
            client_ui_errorf(c, "SCANNER", 0, 0, "a scan could not be read; scan it again");
            client_feedback(c, TOTE_FEEDBACK_ERROR);
        } else if (e == TOTE_HH_E_EOF_) {
            c->sc_eof = 1;
            if (c->sc_is_stdin) {
                c->input_done = 1;
                c->need_task = 0;
            }
            scanner_status(c);
            break;
        } else {
            client_ui_errorf(c, "SCANNER", 0, 0, "%s", tote_hh_strerror(e));
            break;
        }
    }
    scanner_status(c);
}

static void command_read(tote_client *c)
{
    ssize_t n = read(c->cmd_fd, c->cmd_buf + c->cmd_len, sizeof c->cmd_buf - c->cmd_len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) { /* end of the keypad: scans go on */
        if (c->cmd_len)
            client_operator_line(c, "", (const uint8_t *)c->cmd_buf, c->cmd_len);
        c->cmd_len = 0;
        c->cmd_fd = -1;
        return;
    }
    c->cmd_len += (size_t)n;
    size_t start = 0;
    for (size_t i = 0; i < c->cmd_len; i++) {
        if (c->cmd_buf[i] != '\n')
            continue;
        size_t l = i - start;
        if (l && c->cmd_buf[start + l - 1] == '\r')
            l--;
        client_operator_line(c, "", (const uint8_t *)c->cmd_buf + start, l);
        start = i + 1;
    }
    memmove(c->cmd_buf, c->cmd_buf + start, c->cmd_len - start);
    c->cmd_len -= start;
    if (c->cmd_len == sizeof c->cmd_buf) { /* a line longer than the buffer */
        client_ui_errorf(c, "BAD_COMMAND", 0, 0, "an input line longer than %zu bytes was dropped",
                         sizeof c->cmd_buf);
        c->cmd_len = 0;
    }
}

static void sim_act(tote_client *c, const tote_sim_action *a)
{
    static tote_wire_msg m;
    switch (a->kind) {
    case TOTE_SIM_SCAN:
        c->sim_scans++;
        if (c->sim_max_scans > 0 && c->sim_scans >= c->sim_max_scans)
            c->sim_stop = 1;
        client_submit_scan(c, a->symbology, (const uint8_t *)a->data, strlen(a->data));
        break;
    case TOTE_SIM_SHORT:
        tote_wire_init(&m, TOTE_WIRE_SHORT_PICK, c->device, 0);
        m.u.short_pick.task_id = a->task_id;
        m.u.short_pick.qty_found = a->qty;
        snprintf(m.u.short_pick.reason, sizeof m.u.short_pick.reason, "%s", a->reason);
        client_submit(c, &m);
        break;
    case TOTE_SIM_WEIGHT:
        tote_wire_init(&m, TOTE_WIRE_PACK_WEIGHT, c->device, 0);
        m.u.weight.grams = a->grams;
        client_submit(c, &m);
        break;
    case TOTE_SIM_CLOSE:
        tote_wire_init(&m, TOTE_WIRE_PACK_CLOSE, c->device, 0);
        snprintf(m.u.pack_close.carton, sizeof m.u.pack_close.carton, "%s", a->carton);
        client_submit(c, &m);
        break;
    default:
        break;
    }
}

/* ---------------- the loop ---------------- */

static int wants_task(tote_client *c)
{
    if (c->input_done || c->return_mode || c->login_blocked)
        return 0;
    if (c->sim)
        return !c->sim_stop &&
               tote_sim_wants_task(c->sim, now_ms()); /* the simulated operator knows when it is done */
    return c->need_task;
}

/* Decides what to send next when nothing is in flight. */
static void pump(tote_client *c, long long now)
{
    for (int guard = 0; guard < 8 && !c->busy && !c->done; guard++) {
        if (c->st == ST_HELLO) {
            if (now >= c->retry_at)
                send_hello(c, now);
            return;
        }
        if (c->st == ST_OFFLINE) {
            if (now >= c->probe_at)
                send_heartbeat(c, now);
            return;
        }
        if (now < c->retry_at)
            return;
        static tote_outbox_entry e;
        tote_hh_err err = tote_outbox_first(c->ob, &e);
        if (err == TOTE_HH_E_OK) {
            send_entry(c, &e, now);
            return;
        }
        if (err != TOTE_HH_E_NOT_FOUND) {
            client_outbox_failed(c, 0, 0);
            return;
        }
        if (c->replay_run) {
            c->replay_run = 0;
            tote_hhui_replayed(c->ui, c->replay_count, c->replay_refused);
        }
        tote_sim_action a;
        if (c->sim && !c->sim_stop && tote_sim_take(c->sim, now, &a)) {
            sim_act(c, &a);
            continue;
        }
        if (c->sim && !c->sim_stop && tote_sim_pending(c->sim))
            return;
        if (wants_task(c) && now >= c->task_at) {
            c->need_task = 0;
            c->task_at = now + NO_TASK_POLL_MS; /* in case the answer changes nothing */
            client_submit_simple(c, TOTE_WIRE_NEXT_TASK);
            continue;
        }
        if (now >= c->hb_at)
            send_heartbeat(c, now);
        return;
    }
}

static void check_exit(tote_client *c, long long now)
{
    if (c->done)
        return;
    if (c->input_done && c->st == ST_OFFLINE) { /* do not wait for a station that may never come back */
        long q = client_queued(c);
        client_finish(
            c, 1, "input ended while the station %s %s; %ld request%s kept in %s for the next start",
            c->station, c->key_refused ? "refuses this handheld's key (re-enrol it)" : "is not answering", q,
            q == 1 ? "" : "s", tote_outbox_path(c->ob));
        return;
    }
    if (c->busy)
        return;
    int drained = c->st == ST_ONLINE && client_queued(c) == 0;
    if (c->input_done) {
        if (drained)
            client_finish(c, 0, NULL);
        return;
    }
    if (c->sim_stop && drained) { /* the simulator's next action, if any, is never taken */
        tote_hhui_info(c->ui, "simulated scans done");
        client_finish(c, 0, NULL);
        return;
    }
    if (c->exit_when_idle_s > 0 && c->idle_since && drained &&
        now - c->idle_since >= (long long)c->exit_when_idle_s * 1000) {
        tote_hhui_info(c->ui, "no work; exiting");
        client_finish(c, 0, NULL);
    }
}

static int poll_timeout(tote_client *c, long long now)
{
    long long next = now + 1000;
#define EARLIER(t)      \
    do {                \
        if ((t) < next) \
            next = (t); \
    } while (0)
    if (c->busy) {
        EARLIER(c->deadline);
    } else if (c->st == ST_OFFLINE) {
        EARLIER(c->probe_at);
    } else if (c->st == ST_HELLO) {
        EARLIER(c->retry_at);
    } else {
        EARLIER(c->hb_at);
        if (c->retry_at > now)
            EARLIER(c->retry_at);
        if (wants_task(c))
            EARLIER(c->task_at);
        if (c->sim && !c->sim_stop && tote_sim_pending(c->sim))
            EARLIER(tote_sim_due(c->sim));
        if (c->idle_since && c->exit_when_idle_s > 0)
            EARLIER(c->idle_since + (long long)c->exit_when_idle_s * 1000);
    }
#undef EARLIER
    long long t = next - now;
    return t < 0 ? 0 : t > 1000 ? 1000 : (int)t;
}

int tote_client_run(tote_client *c)
{
    scanner_status(c);
    if (c->sim)
        tote_hhui_scanner(c->ui, "sim", "simulated operator");
    c->st = ST_HELLO;
    /* --badge: queued before the loop first reads the scanner, so it takes the
     * seq before any scan already waiting there and logs in ahead of it */
    if (c->badge)
        client_submit_scan(c, "]C0", (const uint8_t *)c->badge, strlen(c->badge));
    while (!c->done) {
        if (c->stop_flag) {
            client_finish(c, 0, NULL);
            break;
        }
        long long now = now_ms();
        pump(c, now);
        check_exit(c, now);
        if (c->done)
            break;
        zmq_pollitem_t items[4];
        int n = 0, isock = -1, isc = -1, icmd = -1, imon = -1;
        if (c->sock) {
            isock = n;
            items[n++] =
                (zmq_pollitem_t){c->sock, 0, (short)(ZMQ_POLLIN | (c->tx_pending ? ZMQ_POLLOUT : 0)), 0};
        }
        if (c->sc && !c->sc_eof) {
            isc = n;
            items[n++] = (zmq_pollitem_t){NULL, tote_scanner_fd(c->sc), ZMQ_POLLIN, 0};
        }
        if (c->cmd_fd >= 0) {
            icmd = n;
            items[n++] = (zmq_pollitem_t){NULL, c->cmd_fd, ZMQ_POLLIN, 0};
        }
        if (c->mon) {
            imon = n;
            items[n++] = (zmq_pollitem_t){c->mon, 0, ZMQ_POLLIN, 0};
        }
        int rc = zmq_poll(items, n, poll_timeout(c, now));
        if (rc < 0) {
            if (zmq_errno() == EINTR)
                continue;
            client_finish(c, 1, "waiting for input failed: %s", zmq_strerror(zmq_errno()));
            break;
        }
        now = now_ms();
        if (isock >= 0 && (items[isock].revents & ZMQ_POLLOUT))
            tx_try(c);
        if (isock >= 0 && (items[isock].revents & ZMQ_POLLIN))
            client_sock_read(c, now);
        if (isc >= 0 && (items[isc].revents & (ZMQ_POLLIN | ZMQ_POLLERR)))
            scanner_read(c);
        if (icmd >= 0 && (items[icmd].revents & (ZMQ_POLLIN | ZMQ_POLLERR)))
            command_read(c);
        if (imon >= 0 && (items[imon].revents & ZMQ_POLLIN))
            mon_read(c);
        now = now_ms();
        if (c->busy && now >= c->deadline)
            on_timeout(c, now);
    }
    return c->exit_code;
}

/* ---------------- life cycle ---------------- */

static tote_hh_err new_fail(tote_client *c, tote_hh_err e, char **why, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static tote_hh_err new_fail(tote_client *c, tote_hh_err e, char **why, const char *fmt, ...)
{
    if (why && !*why && fmt) {
        char b[600];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b, sizeof b, fmt, ap);
        va_end(ap);
        *why = strdup(b);
    }
    tote_client_destroy(&c);
    return e;
}

tote_hh_err tote_client_new(const tote_client_config *cfg, tote_client **out, char **why)
{
    *out = NULL;
    if (why)
        *why = NULL;
    if (!cfg->station || !*cfg->station || !cfg->device || !*cfg->device || !cfg->scanner || !*cfg->scanner) {
        if (why)
            *why = strdup("the client needs --station, --id and --scanner");
        return TOTE_HH_E_INVALID;
    }
    if (strlen(cfg->device) > TOTE_WIRE_DEVICE_MAX || strchr(cfg->device, '/')) {
        if (why)
            *why = strdup("a device id is 1 to 32 bytes without '/'");
        return TOTE_HH_E_INVALID;
    }
    if (cfg->role != TOTE_ROLE_PICKER && cfg->role != TOTE_ROLE_PACKER && cfg->role != TOTE_ROLE_BENCH) {
        if (why)
            *why = strdup("the role must be picker, packer or bench");
        return TOTE_HH_E_INVALID;
    }
    /* the badge as `tote operator list` shows it (its code) or as the badge
       reads (its barcode, BADGE-<code>): scanned as the barcode */
    static const char badge_prefix[] = "BADGE-";
    const size_t pre = sizeof badge_prefix - 1;
    const char *badge_code = cfg->badge;
    if (badge_code && strncmp(badge_code, badge_prefix, pre) == 0)
        badge_code += pre;
    if (badge_code && (!*badge_code || pre + strlen(badge_code) > TOTE_WIRE_RAW_MAX)) {
        if (why)
            *why = strdup(*badge_code ? "the badge code is too long" : "the badge code must not be empty");
        return TOTE_HH_E_INVALID;
    }
    tote_client *c = calloc(1, sizeof *c);
    if (!c)
        return TOTE_HH_E_NOMEM;
    c->cmd_fd = -1;
    c->station = strdup(cfg->station);
    c->device = strdup(cfg->device);
    c->scanner_spec = strdup(cfg->scanner);
    if (badge_code) {
        size_t n = pre + strlen(badge_code) + 1;
        c->badge = malloc(n);
        if (c->badge)
            snprintf(c->badge, n, "%s%s", badge_prefix, badge_code);
    }
    char defpath[128];
    snprintf(defpath, sizeof defpath, "./tote-handheld-%s.outbox", cfg->device);
    c->outbox_path = strdup(cfg->outbox && *cfg->outbox ? cfg->outbox : defpath);
    if (!c->station || !c->device || !c->scanner_spec || !c->outbox_path || (cfg->badge && !c->badge))
        return new_fail(c, TOTE_HH_E_NOMEM, why, "out of memory");
    c->role = cfg->role;
    if (cfg->enrol) {
        c->curve = 1;
        c->enrol = *cfg->enrol;
    }
    c->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
    c->sim_max_scans = cfg->sim_max_scans;
    c->exit_when_idle_s = cfg->exit_when_idle_s;
    c->disposition = TOTE_RETURN_RESTOCK;

    tote_hh_err e = tote_outbox_open(c->outbox_path, c->device, &c->ob, why);
    if (e != TOTE_HH_E_OK)
        return new_fail(c, e, why, "cannot open the outbox %s", c->outbox_path);
    /* Whatever a previous run left behind was taken offline: replay it. */
    if (tote_outbox_mark_replay(c->ob) != TOTE_HH_E_OK)
        return new_fail(c, TOTE_HH_E_STORE, why, "%s", tote_outbox_errmsg(c->ob));

    if (strcmp(cfg->scanner, "sim") == 0) {
        c->sim = tote_sim_new(c->role, cfg->sim_error_rate, cfg->sim_seed, cfg->sim_delay_ms);
        if (!c->sim)
            return new_fail(c, TOTE_HH_E_NOMEM, why, "out of memory");
    } else {
        e = tote_scanner_new(cfg->scanner, &c->sc);
        if (e != TOTE_HH_E_OK)
            return new_fail(c, e, why, "cannot use scanner \"%s\": %s", cfg->scanner, tote_hh_strerror(e));
        c->sc_is_stdin = strcmp(tote_scanner_kind(c->sc), "stdin") == 0;
    }
    if (!c->sc_is_stdin && cfg->command_fd >= 0)
        c->cmd_fd = cfg->command_fd;

    c->ui = tote_hhui_new(cfg->out ? cfg->out : stdout, cfg->json ? TOTE_HHUI_JSON : TOTE_HHUI_AUTO,
                          c->device, c->role);
    c->zctx = zmq_ctx_new();
    if (!c->ui || !c->zctx)
        return new_fail(c, TOTE_HH_E_NOMEM, why, "out of memory");
    if (sock_open(c, why) != 0)
        return new_fail(c, TOTE_HH_E_INVALID, why, "cannot connect to station %s", c->station);
    *out = c;
    return TOTE_HH_E_OK;
}

void tote_client_stop(tote_client *c)
{
    if (c)
        c->stop_flag = 1;
}

const char *tote_client_failure(const tote_client *c)
{
    return c->failure;
}

void tote_client_destroy(tote_client **cp)
{
    if (!cp || !*cp)
        return;
    tote_client *c = *cp;
    mon_close(c);
    if (c->sock)
        zmq_close(c->sock);
    if (c->zctx)
        zmq_ctx_term(c->zctx);
    tote_scanner_destroy(&c->sc);
    tote_sim_destroy(&c->sim);
    tote_hhui_destroy(&c->ui);
    tote_outbox_destroy(&c->ob);
    free(c->station);
    free(c->device);
    free(c->scanner_spec);
    free(c->badge);
    free(c->outbox_path);
    memset(&c->enrol, 0, sizeof c->enrol);
    free(c);
    *cp = NULL;
}
