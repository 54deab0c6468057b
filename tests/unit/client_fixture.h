/*
 * What test_client.c and test_client_sim.c share (header-only, static
 * inline): a scratch directory, the station played by the test (a real
 * ZeroMQ ROUTER on 127.0.0.1 and the replies it sends) and tote-handheld
 * run as a child.
 */
#ifndef TOTE_TESTS_CLIENT_FIXTURE_H
#define TOTE_TESTS_CLIENT_FIXTURE_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "support.h"
#include "test.h"
#include "tote/outbox.h"
#include "tote/wire.h"

static char *dir;

static inline const char *path_in(const char *name)
{
    static char buf[512];
    if (!dir)
        dir = tt_tmpdir("client");
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

/* The last test of test_client.c: removes the scratch directory. */
static inline void test_cleanup(void)
{
    tt_rmrf(dir);
    free(dir);
    dir = NULL;
}

/* ---------------- the station, played by the test ---------------- */

typedef struct station {
    void *ctx, *sock;
    char endpoint[128];
    uint8_t ident[256]; /* identity of the last sender */
    size_t ident_len;
} station;

static inline int station_start(station *st)
{
    memset(st, 0, sizeof *st);
    st->ctx = zmq_ctx_new();
    st->sock = zmq_socket(st->ctx, ZMQ_ROUTER);
    int zero = 0;
    zmq_setsockopt(st->sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_bind(st->sock, "tcp://127.0.0.1:*") != 0)
        return -1;
    size_t n = sizeof st->endpoint;
    zmq_getsockopt(st->sock, ZMQ_LAST_ENDPOINT, st->endpoint, &n);
    return 0;
}

static inline void station_stop(station *st)
{
    zmq_close(st->sock);
    zmq_ctx_term(st->ctx);
}

/* Receives one [identity][body] within timeout_ms (not scaled); decodes it
 * into *m. 0, or -1 on timeout. */
static inline int station_recv_within(station *st, tote_wire_msg *m, int timeout_ms)
{
    zmq_pollitem_t it = {st->sock, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, timeout_ms) <= 0)
        return -1;
    int n = zmq_recv(st->sock, st->ident, sizeof st->ident, 0);
    if (n < 0)
        return -1;
    st->ident_len = (size_t)n;
    static uint8_t body[TOTE_WIRE_MAX_FRAME + 1];
    n = zmq_recv(st->sock, body, sizeof body, 0);
    if (n < 0)
        return -1;
    tote_proto_err e = tote_wire_decode(body, (size_t)n, m);
    if (e != TOTE_PROTO_E_OK) {
        tt_fail_msg(__FILE__, __LINE__, "handheld sent an undecodable body: %s", tote_proto_errname(e));
        return -1;
    }
    return 0;
}

/* The same within timeout_ms scaled by tt_slow() (valgrind). */
static inline int station_recv_any(station *st, tote_wire_msg *m, int timeout_ms)
{
    return station_recv_within(st, m, tt_ms(timeout_ms));
}

/* Receives until a message of this type (HEARTBEATs and other types are
 * skipped; skipped sequenced requests are a failure unless allow_others). */
static inline int station_expect(station *st, uint8_t type, tote_wire_msg *m, int timeout_ms)
{
    long long end = tt_now_ms() + tt_ms(timeout_ms);
    for (;;) {
        long long left = end - tt_now_ms();
        if (left <= 0 || station_recv_within(st, m, (int)left) != 0) {
            tt_fail_msg(__FILE__, __LINE__, "station: no %s within %d ms", tote_wire_type_name(type),
                        timeout_ms);
            return -1;
        }
        if (m->type == type)
            return 0;
        if (m->type != TOTE_WIRE_HEARTBEAT) {
            tt_fail_msg(__FILE__, __LINE__, "station: got %s (seq %u) while waiting for %s",
                        tote_wire_type_name(m->type), m->seq, tote_wire_type_name(type));
            return -1;
        }
    }
}

static inline void station_send_raw(station *st, const void *body, size_t len)
{
    zmq_send(st->sock, st->ident, st->ident_len, ZMQ_SNDMORE);
    zmq_send(st->sock, body, len, 0);
}

static inline void station_send(station *st, const tote_wire_msg *m)
{
    static uint8_t body[TOTE_WIRE_MAX_FRAME];
    size_t len = 0;
    tote_proto_err e = tote_wire_encode(m, body, sizeof body, &len);
    if (e != TOTE_PROTO_E_OK)
        tt_fail_msg(__FILE__, __LINE__, "station: cannot encode %s: %s", tote_wire_type_name(m->type),
                    tote_proto_errname(e));
    station_send_raw(st, body, len);
}

/* The station answers seq with ERROR code (message may be NULL: none). */
static inline void station_error(station *st, const char *device, uint32_t seq, uint16_t code,
                                 const char *message)
{
    static tote_wire_msg r;
    tote_wire_init(&r, TOTE_WIRE_ERROR, device, seq);
    r.u.error.code = code;
    if (message)
        snprintf(r.u.error.message, sizeof r.u.error.message, "%s", message);
    station_send(st, &r);
}

static inline void reply_hello_ok(station *st, const tote_wire_msg *req, uint32_t last_seq, int require_bin)
{
    static tote_wire_msg r;
    tote_wire_init(&r, TOTE_WIRE_HELLO_OK, req->device, req->seq);
    snprintf(r.u.hello_ok.station_version, sizeof r.u.hello_ok.station_version, "test-station");
    r.u.hello_ok.heartbeat_ms = 60000; /* no idle heartbeats during a test */
    r.u.hello_ok.lease_ms = 120000;
    r.u.hello_ok.last_seq = last_seq;
    r.u.hello_ok.require_bin_scan = (uint8_t)require_bin;
    snprintf(r.u.hello_ok.operator_name, sizeof r.u.hello_ok.operator_name, "Ada");
    station_send(st, &r);
}

static inline void reply_task(station *st, const tote_wire_msg *req, uint32_t total, uint32_t done)
{
    static tote_wire_msg r;
    tote_wire_init(&r, TOTE_WIRE_TASK, req->device, req->seq);
    r.u.task.kind = TOTE_TASK_PICK;
    r.u.task.task_id = 17;
    r.u.task.pick_list_id = 3;
    snprintf(r.u.task.bin, sizeof r.u.task.bin, "A-01-02");
    snprintf(r.u.task.sku, sizeof r.u.task.sku, "MUG-RED");
    snprintf(r.u.task.name, sizeof r.u.task.name, "Red mug");
    snprintf(r.u.task.gtin, sizeof r.u.task.gtin, "09506000134352");
    snprintf(r.u.task.tote, sizeof r.u.task.tote, "T-07");
    snprintf(r.u.task.order, sizeof r.u.task.order, "#1001");
    r.u.task.qty_total = total;
    r.u.task.qty_done = done;
    r.u.task.tasks_left = 1;
    station_send(st, &r);
}

static inline void reply_result(station *st, const tote_wire_msg *req, int accepted, uint16_t reason,
                                uint32_t done, uint32_t left, int task_done)
{
    static tote_wire_msg r;
    tote_wire_init(&r, TOTE_WIRE_RESULT, req->device, req->seq);
    r.u.result.accepted = (uint8_t)accepted;
    r.u.result.reason = reason;
    r.u.result.feedback =
        accepted ? (task_done ? TOTE_FEEDBACK_DONE : TOTE_FEEDBACK_GOOD) : TOTE_FEEDBACK_ERROR;
    snprintf(r.u.result.message, sizeof r.u.result.message, "%s",
             accepted ? "ok" : tote_wire_reason_text(reason));
    r.u.result.qty_done = done;
    r.u.result.qty_left = left;
    r.u.result.task_done = (uint8_t)task_done;
    station_send(st, &r);
}

static inline void reply_no_task(station *st, const tote_wire_msg *req)
{
    static tote_wire_msg r;
    tote_wire_init(&r, TOTE_WIRE_NO_TASK, req->device, req->seq);
    snprintf(r.u.no_task.message, sizeof r.u.no_task.message, "no work released");
    station_send(st, &r);
}

/* ---------------- the handheld, as a child ---------------- */

typedef struct handheld {
    tt_proc *p;
    char err_path[512];
} handheld;

/* Starts tote-handheld with the common options plus extra (NULL-terminated). */
static inline int hh_start(handheld *h, const station *st, const char *id, const char *outbox,
                           const char *const *extra)
{
    const char *argv[40];
    int n = 0;
    argv[n++] = tt_bin("tote-handheld");
    argv[n++] = "--insecure"; /* the fake station here is a plain ROUTER */
    argv[n++] = "--station";
    argv[n++] = st->endpoint;
    argv[n++] = "--id";
    argv[n++] = id;
    argv[n++] = "--json";
    argv[n++] = "--outbox";
    argv[n++] = outbox;
    int has_role = 0, has_scanner = 0;
    /* the handheld's request timeout is a test timeout too: scaled by tt_slow() */
    static char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", tt_ms(3000)); /* generous: only the offline tests want
                                                            the station to look dead quickly */
    for (const char *const *e = extra; e && *e; e++) {
        has_role |= strcmp(*e, "--role") == 0;
        has_scanner |= strcmp(*e, "--scanner") == 0;
        if (strcmp(*e, "--timeout-ms") == 0 && e[1]) {
            snprintf(timeout, sizeof timeout, "%d", tt_ms(atoi(e[1])));
            e++;
            continue;
        }
        argv[n++] = *e;
    }
    argv[n++] = "--timeout-ms";
    argv[n++] = timeout;
    if (!has_role) {
        argv[n++] = "--role";
        argv[n++] = "picker";
    }
    if (!has_scanner) {
        argv[n++] = "--scanner";
        argv[n++] = "stdin";
    }
    argv[n] = NULL;
    snprintf(h->err_path, sizeof h->err_path, "%s.stderr", outbox);
    unlink(h->err_path);
    h->p = tt_spawn(argv, NULL, TT_PIPE_STDIN | TT_PIPE_STDOUT, NULL, h->err_path);
    return h->p ? 0 : -1;
}

static inline void hh_write(handheld *h, const char *line)
{
    tt_proc_write(h->p, line, strlen(line));
}

/* Reads events until one named event arrives; returns it (caller deletes),
 * or NULL after timeout. Every line must be one JSON object. */
static inline cJSON *hh_expect(handheld *h, const char *event, int timeout_ms)
{
    char line[16384];
    long long end = tt_now_ms() + tt_ms(timeout_ms);
    for (;;) {
        long long left = end - tt_now_ms();
        /* tt_proc_readline scales what it is given: give it the time left, unscaled */
        if (left <= 0 ||
            tt_proc_readline(h->p, line, sizeof line, (int)((left + tt_slow() - 1) / tt_slow())) < 0) {
            tt_fail_msg(__FILE__, __LINE__, "handheld: no \"%s\" event within %d ms", event, timeout_ms);
            return NULL;
        }
        cJSON *o = cJSON_Parse(line);
        if (!o || !cJSON_IsObject(o)) {
            tt_fail_msg(__FILE__, __LINE__, "handheld printed a line that is not one JSON object: %s", line);
            cJSON_Delete(o);
            continue;
        }
        const cJSON *ev = cJSON_GetObjectItem(o, "event");
        if (cJSON_IsString(ev) && strcmp(ev->valuestring, event) == 0)
            return o;
        cJSON_Delete(o);
    }
}

static inline int hh_stop(handheld *h, int timeout_ms)
{
    int rc = tt_proc_wait(h->p, timeout_ms);
    if (rc < 0)
        tt_fail_msg(__FILE__, __LINE__, "handheld did not exit within %d ms", timeout_ms);
    tt_proc_stop(&h->p);
    return rc;
}

static inline char *hh_stderr(handheld *h)
{
    char *s = tt_read_file(h->err_path, NULL);
    return s ? s : strdup("");
}

static inline long outbox_count(const char *path, uint32_t *hwm)
{
    tote_outbox *ob = NULL;
    if (tote_outbox_open(path, "hh-t", &ob, NULL) != TOTE_HH_E_OK)
        return -1;
    long n = tote_outbox_count(ob);
    if (hwm)
        *hwm = tote_outbox_hwm(ob);
    tote_outbox_destroy(&ob);
    return n;
}

static tote_wire_msg req; /* the last request the station received */

static inline void scan_is(const tote_wire_msg *m, const char *sym, const char *data)
{
    CHECK_STR(m->u.scan.symbology, sym);
    CHECK_MEM(m->u.scan.raw, m->u.scan.raw_len, data, strlen(data));
}

#endif
