/*
 * tote-handheld against a station played by the test: a real ZeroMQ ROUTER
 * on 127.0.0.1, the real binary as a child process (stdin scanner, --json
 * events on stdout), a real outbox file. Covers hello -> task -> scan ->
 * result, offline -> queued -> back -> replay with the same seqs and the
 * REPLAY flag (each exactly once), seq persistence across restarts, keypad
 * commands, malformed replies, refusals, usage errors, and the simulated
 * picker/packer (in process and as --scanner sim).
 */
#include <cjson/cJSON.h>
#include <unistd.h>
#include <zmq.h>

#include "hh_json.h"
#include "support.h"
#include "test.h"
#include "tote/outbox.h"
#include "tote/sim.h"
#include "tote/wire.h"

static char *dir;

static const char *path_in(const char *name)
{
    static char buf[512];
    if (!dir)
        dir = tt_tmpdir("client");
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

/* ---------------- the station, played by the test ---------------- */

typedef struct station {
    void *ctx, *sock;
    char endpoint[128];
    uint8_t ident[256]; /* identity of the last sender */
    size_t ident_len;
} station;

static int station_start(station *st)
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

static void station_stop(station *st)
{
    zmq_close(st->sock);
    zmq_ctx_term(st->ctx);
}

/* Receives one [identity][body] within timeout_ms (not scaled); decodes it
 * into *m. 0, or -1 on timeout. */
static int station_recv_within(station *st, tote_wire_msg *m, int timeout_ms)
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
static int station_recv_any(station *st, tote_wire_msg *m, int timeout_ms)
{
    return station_recv_within(st, m, tt_ms(timeout_ms));
}

/* Receives until a message of this type (HEARTBEATs and other types are
 * skipped; skipped sequenced requests are a failure unless allow_others). */
static int station_expect(station *st, uint8_t type, tote_wire_msg *m, int timeout_ms)
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

static void station_send_raw(station *st, const void *body, size_t len)
{
    zmq_send(st->sock, st->ident, st->ident_len, ZMQ_SNDMORE);
    zmq_send(st->sock, body, len, 0);
}

static void station_send(station *st, const tote_wire_msg *m)
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
static void station_error(station *st, const char *device, uint32_t seq, uint16_t code, const char *message)
{
    static tote_wire_msg r;
    tote_wire_init(&r, TOTE_WIRE_ERROR, device, seq);
    r.u.error.code = code;
    if (message)
        snprintf(r.u.error.message, sizeof r.u.error.message, "%s", message);
    station_send(st, &r);
}

static void reply_hello_ok(station *st, const tote_wire_msg *req, uint32_t last_seq, int require_bin)
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

static void reply_task(station *st, const tote_wire_msg *req, uint32_t total, uint32_t done)
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

static void reply_result(station *st, const tote_wire_msg *req, int accepted, uint16_t reason, uint32_t done,
                         uint32_t left, int task_done)
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

static void reply_no_task(station *st, const tote_wire_msg *req)
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
static int hh_start(handheld *h, const station *st, const char *id, const char *outbox,
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

static void hh_write(handheld *h, const char *line)
{
    tt_proc_write(h->p, line, strlen(line));
}

/* Reads events until one named event arrives; returns it (caller deletes),
 * or NULL after timeout. Every line must be one JSON object. */
static cJSON *hh_expect(handheld *h, const char *event, int timeout_ms)
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

static const char *const quick[] = {"--timeout-ms", "500", NULL};

static int hh_stop(handheld *h, int timeout_ms)
{
    int rc = tt_proc_wait(h->p, timeout_ms);
    if (rc < 0)
        tt_fail_msg(__FILE__, __LINE__, "handheld did not exit within %d ms", timeout_ms);
    tt_proc_stop(&h->p);
    return rc;
}

static char *hh_stderr(handheld *h)
{
    char *s = tt_read_file(h->err_path, NULL);
    return s ? s : strdup("");
}

static long outbox_count(const char *path, uint32_t *hwm)
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

static void scan_is(const tote_wire_msg *m, const char *sym, const char *data)
{
    CHECK_STR(m->u.scan.symbology, sym);
    CHECK_MEM(m->u.scan.raw, m->u.scan.raw_len, data, strlen(data));
}

/* ---------------- tests ---------------- */

static void test_hello_task_scan_result(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *ob = path_in("flow.outbox");
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", ob, NULL), 0);

    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    CHECK_STR(req.device, "hh-t");
    CHECK_EQ(req.u.hello.role, TOTE_ROLE_PICKER);
    CHECK_EQ(req.seq, 1); /* next unused, not consumed */
    CHECK_EQ(req.flags, 0);
    reply_hello_ok(&st, &req, 0, 1);
    cJSON *e = hh_expect(&h, "hello_ok", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jnum(e, "next_seq"), 1);
    CHECK_STR(jstr(e, "operator"), "Ada");
    CHECK_EQ(jbool(e, "require_bin_scan"), 1);
    cJSON_Delete(e);

    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    CHECK_EQ(req.seq, 1);
    reply_task(&st, &req, 2, 0);
    e = hh_expect(&h, "task", 3000);
    REQUIRE(e != NULL);
    CHECK_STR(jstr(e, "kind"), "pick");
    CHECK_STR(jstr(e, "bin"), "A-01-02");
    CHECK_STR(jstr(e, "gtin"), "09506000134352");
    CHECK_EQ(jnum(e, "qty_left"), 2);
    cJSON_Delete(e);

    hh_write(&h, "BIN-A-01-02\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, 2);
    scan_is(&req, "", "BIN-A-01-02");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 0, 2, 0);
    e = hh_expect(&h, "result", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jnum(e, "seq"), 2);
    CHECK_STR(jstr(e, "request"), "SCAN");
    CHECK_EQ(jbool(e, "accepted"), 1);
    CHECK_EQ(jbool(e, "replay"), 0);
    cJSON_Delete(e);

    /* A GS1 scan with its AIM id and a GS separator goes out byte for byte. */
    hh_write(&h, "]C10109506000134352"
                 "10AB\x1d"
                 "17261231\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, 3);
    scan_is(&req, "]C1",
            "0109506000134352"
            "10AB\x1d"
            "17261231");
    reply_result(&st, &req, 0, TOTE_REASON_EXPIRED_LOT, 0, 2, 0);
    e = hh_expect(&h, "result", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jbool(e, "accepted"), 0);
    CHECK_STR(jstr(e, "reason"), "EXPIRED_LOT");
    CHECK_STR(jstr(e, "feedback"), "error");
    cJSON_Delete(e);

    hh_write(&h, "]E09506000134352\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, 4);
    reply_result(&st, &req, 1, TOTE_REASON_OK, 2, 0, 1);
    e = hh_expect(&h, "result", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jbool(e, "task_done"), 1);
    CHECK_EQ(jnum(e, "qty_left"), 0);
    cJSON_Delete(e);

    /* task done: it asks for the next one by itself */
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    CHECK_EQ(req.seq, 5);
    reply_no_task(&st, &req);
    e = hh_expect(&h, "no_task", 3000);
    REQUIRE(e != NULL);
    CHECK_STR(jstr(e, "message"), "no work released");
    cJSON_Delete(e);

    hh_write(&h, "!quit\n");
    CHECK_EQ(hh_stop(&h, 3000), 0);
    uint32_t hwm = 0;
    CHECK_EQ(outbox_count(ob, &hwm), 0); /* every request answered, so removed */
    CHECK_EQ(hwm, 5);
    station_stop(&st);
}

static void test_offline_then_replay_exactly_once(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *ob = path_in("offline.outbox");
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", ob, quick), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    reply_hello_ok(&st, &req, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    reply_task(&st, &req, 3, 0);
    cJSON *e = hh_expect(&h, "task", 3000);
    cJSON_Delete(e);

    /* The station takes scan A (seq 2) and falls silent before answering. */
    hh_write(&h, "ITEM-A\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, 2);
    CHECK_EQ(req.flags, 0);
    e = hh_expect(&h, "offline", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jnum(e, "queued"), 1);
    cJSON_Delete(e);

    /* Scans go on into the outbox. */
    hh_write(&h, "ITEM-B\n");
    e = hh_expect(&h, "queued", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jnum(e, "seq"), 3);
    CHECK_EQ(jnum(e, "queued"), 2);
    cJSON_Delete(e);
    hh_write(&h, "ITEM-C\n");
    e = hh_expect(&h, "queued", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jnum(e, "seq"), 4);
    CHECK_EQ(jnum(e, "queued"), 3);
    cJSON_Delete(e);

    /* While silent, only heartbeats (seq 0) arrive: nothing is sent twice. */
    long long until = tt_now_ms() + tt_ms(700);
    int heartbeats = 0;
    while (tt_now_ms() < until && station_recv_any(&st, &req, 100) == 0) {
        CHECK_EQ(req.type, TOTE_WIRE_HEARTBEAT);
        CHECK_EQ(req.seq, 0);
        heartbeats += req.type == TOTE_WIRE_HEARTBEAT;
    }
    CHECK(heartbeats >= 1);

    /* Back: answer a heartbeat; the handheld says hello and replays. */
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HEARTBEAT, &req, 3000), 0);
    static tote_wire_msg r;
    tote_wire_init(&r, TOTE_WIRE_HEARTBEAT_OK, req.device, 0);
    station_send(&st, &r);
    e = hh_expect(&h, "online", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jnum(e, "queued"), 3);
    cJSON_Delete(e);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    CHECK_EQ(req.seq, 5);
    reply_hello_ok(&st, &req, 2, 0); /* it had applied seq 2 before falling silent */

    const char *want[] = {"ITEM-A", "ITEM-B", "ITEM-C"};
    for (uint32_t i = 0; i < 3; i++) {
        REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
        CHECK_EQ(req.seq, 2 + i); /* original seqs, in order */
        CHECK_EQ(req.flags & TOTE_WIRE_F_REPLAY, TOTE_WIRE_F_REPLAY);
        CHECK_STR(req.device, "hh-t");
        scan_is(&req, "", want[i]);
        if (i == 1)
            reply_result(&st, &req, 0, TOTE_REASON_WRONG_ITEM, 1, 2, 0);
        else
            reply_result(&st, &req, 1, TOTE_REASON_OK, i == 0 ? 1 : 2, i == 0 ? 2 : 1, 0);
        e = hh_expect(&h, "result", 3000);
        REQUIRE(e != NULL);
        CHECK_EQ(jnum(e, "seq"), 2 + i);
        CHECK_EQ(jbool(e, "replay"), 1);
        CHECK_EQ(jbool(e, "accepted"), i == 1 ? 0 : 1); /* the refusal is shown */
        cJSON_Delete(e);
    }
    e = hh_expect(&h, "replayed", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jnum(e, "count"), 3);
    CHECK_EQ(jnum(e, "refused"), 1);
    cJSON_Delete(e);

    /* Each exactly once: nothing more is resent. A new scan takes seq 5 (HELLO
     * carried 5 but does not consume it: it is never stored by the station). */
    until = tt_now_ms() + tt_ms(500);
    while (tt_now_ms() < until && station_recv_any(&st, &req, 100) == 0)
        CHECK_EQ(req.type, TOTE_WIRE_HEARTBEAT);
    hh_write(&h, "ITEM-D\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, 5);
    CHECK_EQ(req.flags, 0);
    reply_result(&st, &req, 1, TOTE_REASON_OK, 3, 0, 0);
    e = hh_expect(&h, "result", 3000);
    cJSON_Delete(e);
    hh_write(&h, "!quit\n");
    CHECK_EQ(hh_stop(&h, 3000), 0);
    CHECK_EQ(outbox_count(ob, NULL), 0);
    station_stop(&st);
}

/* A restarted handheld never reuses a seq; requests queued by a run that
 * never reached the station get their seqs at the first HELLO_OK. */
static void test_restart_keeps_seq_and_queue(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *ob = path_in("restart.outbox");

    /* Run 1: the station never answers. */
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", ob, quick), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    CHECK_EQ(req.seq, 1);
    cJSON *e = hh_expect(&h, "offline", 3000);
    cJSON_Delete(e);
    hh_write(&h, "ITEM-OFFLINE\n");
    e = hh_expect(&h, "queued", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jnum(e, "seq"), 0); /* no seq before the station has told us where to start */
    cJSON_Delete(e);
    tt_proc_close_stdin(h.p);
    CHECK_EQ(hh_stop(&h, 3000), 1);
    char *err = hh_stderr(&h);
    CHECK_HAS(err, "1 request kept in");
    CHECK_HAS(err, "for the next start");
    free(err);
    CHECK_EQ(outbox_count(ob, NULL), 1);
    while (station_recv_any(&st, &req, 50) == 0) /* drop run 1's heartbeats */
        ;

    /* Run 2: the station has answered up to 7 for this device already. */
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", ob, NULL), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    reply_hello_ok(&st, &req, 7, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, 8);
    CHECK_EQ(req.flags & TOTE_WIRE_F_REPLAY, TOTE_WIRE_F_REPLAY);
    scan_is(&req, "", "ITEM-OFFLINE");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 0, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    CHECK_EQ(req.seq, 9);
    reply_no_task(&st, &req);
    e = hh_expect(&h, "no_task", 3000);
    cJSON_Delete(e);
    hh_write(&h, "!quit\n");
    CHECK_EQ(hh_stop(&h, 3000), 0);

    /* Run 3: the station says 0 (its store was reset); we still go on from 10. */
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", ob, NULL), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    CHECK_EQ(req.seq, 10);
    reply_hello_ok(&st, &req, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    CHECK_EQ(req.seq, 10);
    reply_no_task(&st, &req);
    e = hh_expect(&h, "no_task", 3000);
    cJSON_Delete(e);
    tt_proc_close_stdin(h.p); /* input ends while online and drained: exit 0 */
    CHECK_EQ(hh_stop(&h, 3000), 0);
    station_stop(&st);
}

static void test_malformed_replies_are_errors_not_crashes(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", path_in("malformed.outbox"), NULL), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);

    uint8_t junk[64];
    int n = tt_hex("01 81 00", junk, sizeof junk); /* truncated header */
    station_send_raw(&st, junk, (size_t)n);
    cJSON *e = hh_expect(&h, "error", 3000);
    REQUIRE(e != NULL);
    CHECK_STR(jstr(e, "code"), "BAD_REPLY");
    CHECK_HAS(jstr(e, "message"), "malformed");
    cJSON_Delete(e);
    reply_hello_ok(&st, &req, 0, 0); /* the real answer still counts */
    e = hh_expect(&h, "hello_ok", 3000);
    REQUIRE(e != NULL);
    cJSON_Delete(e);

    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    n = tt_hex("02 84 00 00 04 68 68 2d 74 00 00 00 01 00 00", junk, sizeof junk); /* version 2 */
    station_send_raw(&st, junk, (size_t)n);
    e = hh_expect(&h, "error", 3000);
    REQUIRE(e != NULL);
    CHECK_HAS(jstr(e, "message"), "unsupported protocol version");
    cJSON_Delete(e);
    /* a TASK with kind 0 */
    n = tt_hex(
        "01 83 00 00 04 68 68 2d 74 00 00 00 01 00 00000001 00000001 00 00 0000 00 00 00000000 00000000 "
        "00 00 00000000 00",
        junk, sizeof junk);
    station_send_raw(&st, junk, (size_t)n);
    e = hh_expect(&h, "error", 3000);
    REQUIRE(e != NULL);
    CHECK_HAS(jstr(e, "message"), "invalid input");
    cJSON_Delete(e);
    /* two frames */
    zmq_send(st.sock, st.ident, st.ident_len, ZMQ_SNDMORE);
    zmq_send(st.sock, "", 0, ZMQ_SNDMORE);
    zmq_send(st.sock, junk, (size_t)n, 0);
    e = hh_expect(&h, "error", 3000);
    REQUIRE(e != NULL);
    CHECK_HAS(jstr(e, "message"), "2 frames");
    cJSON_Delete(e);
    /* a reply type that does not answer NEXT_TASK */
    static tote_wire_msg r;
    tote_wire_init(&r, TOTE_WIRE_HELLO_OK, "hh-t", req.seq);
    r.u.hello_ok.heartbeat_ms = 1;
    station_send(&st, &r);
    e = hh_expect(&h, "error", 3000);
    REQUIRE(e != NULL);
    CHECK_HAS(jstr(e, "message"), "answered NEXT_TASK with HELLO_OK");
    cJSON_Delete(e);
    /* still alive, still waiting for the real answer */
    reply_no_task(&st, &req);
    e = hh_expect(&h, "no_task", 3000);
    REQUIRE(e != NULL);
    cJSON_Delete(e);
    hh_write(&h, "!quit\n");
    CHECK_EQ(hh_stop(&h, 3000), 0);
    station_stop(&st);
}

static void test_station_errors(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *ob = path_in("errors.outbox");
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", ob, NULL), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    reply_hello_ok(&st, &req, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    reply_task(&st, &req, 1, 0);
    cJSON *e = hh_expect(&h, "task", 3000);
    cJSON_Delete(e);

    /* NO_HELLO (the station restarted): hello again, then the same request again */
    hh_write(&h, "ITEM-1\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    uint32_t seq = req.seq;
    station_error(&st, "hh-t", seq, TOTE_WERR_NO_HELLO, NULL);
    e = hh_expect(&h, "error", 3000);
    REQUIRE(e != NULL);
    CHECK_STR(jstr(e, "code"), "NO_HELLO");
    cJSON_Delete(e);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    reply_hello_ok(&st, &req, seq - 1, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, seq);
    scan_is(&req, "", "ITEM-1");

    /* a definitive refusal (DENIED) is shown and the request dropped */
    station_error(&st, "hh-t", seq, TOTE_WERR_DENIED, "pickers may not do that");
    e = hh_expect(&h, "error", 3000);
    REQUIRE(e != NULL);
    CHECK_STR(jstr(e, "code"), "DENIED");
    CHECK_STR(jstr(e, "message"), "pickers may not do that");
    CHECK_EQ(jnum(e, "seq"), seq);
    CHECK_STR(jstr(e, "request"), "SCAN");
    cJSON_Delete(e);
    hh_write(&h, "ITEM-2\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, seq + 1);

    /* device revoked: exit 1 with one sentence; the request stays queued */
    station_error(&st, "hh-t", req.seq, TOTE_WERR_UNKNOWN_DEVICE, NULL);
    CHECK_EQ(hh_stop(&h, 3000), 1);
    char *err = hh_stderr(&h);
    CHECK_HAS(err, "no longer knows device hh-t");
    CHECK_HAS(err, "1 requests stay in");
    free(err);
    CHECK_EQ(outbox_count(ob, NULL), 1);

    /* refused at HELLO: exit 1 */
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", ob, NULL), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    station_error(&st, "hh-t", req.seq, TOTE_WERR_UNKNOWN_DEVICE, NULL);
    CHECK_EQ(hh_stop(&h, 3000), 1);
    err = hh_stderr(&h);
    CHECK_HAS(err, "refused device hh-t: device not enrolled");
    free(err);
    station_stop(&st);
}

/* STORAGE (a full disk) is tried again for as long as it takes; INTERNAL is
 * tried again CLIENT_INTERNAL_TRIES (3) times in all, then the request is
 * dropped with a GAVE_UP error on the screen, and the next scan goes on with
 * the next seq. Neither was applied by the station, so nothing is lost. */
static void test_internal_errors_give_up_storage_errors_do_not(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *ob = path_in("internal.outbox");
    const char *fast[] = {"--timeout-ms", "200", NULL};
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", ob, fast), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    reply_hello_ok(&st, &req, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    reply_task(&st, &req, 1, 0);
    cJSON *e = hh_expect(&h, "task", 3000);
    cJSON_Delete(e);

    /* STORAGE five times: still resent, the same seq */
    hh_write(&h, "ITEM-1\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    uint32_t seq = req.seq;
    for (int i = 0; i < 5; i++) {
        station_error(&st, "hh-t", seq, TOTE_WERR_STORAGE, NULL);
        e = hh_expect(&h, "error", 3000);
        REQUIRE(e != NULL);
        CHECK_STR(jstr(e, "code"), "STORAGE");
        cJSON_Delete(e);
        REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 5000), 0);
        CHECK_EQ(req.seq, seq);
    }
    /* INTERNAL: resent twice, then dropped */
    for (int i = 0; i < 3; i++) {
        station_error(&st, "hh-t", seq, TOTE_WERR_INTERNAL, "injected failure");
        e = hh_expect(&h, "error", 3000);
        REQUIRE(e != NULL);
        CHECK_STR(jstr(e, "code"), "INTERNAL");
        CHECK_STR(jstr(e, "message"), "injected failure");
        cJSON_Delete(e);
        if (i < 2) {
            REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 5000), 0);
            CHECK_EQ(req.seq, seq);
        }
    }
    e = hh_expect(&h, "error", 3000);
    REQUIRE(e != NULL);
    CHECK_STR(jstr(e, "code"), "GAVE_UP");
    CHECK_HAS(jstr(e, "message"), "failed this request 3 times");
    CHECK_EQ(jnum(e, "seq"), seq);
    CHECK_STR(jstr(e, "request"), "SCAN");
    cJSON_Delete(e);
    /* nothing resent; the next scan has the next seq */
    long long quiet_until = tt_now_ms() + 700;
    int resent = 0;
    while (tt_now_ms() < quiet_until)
        if (station_recv_within(&st, &req, (int)(quiet_until - tt_now_ms()) + 1) == 0)
            resent += req.type != TOTE_WIRE_HEARTBEAT;
    CHECK_EQ(resent, 0);
    hh_write(&h, "ITEM-2\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, seq + 1);
    scan_is(&req, "", "ITEM-2");
    /* a new request starts its own count: one INTERNAL is resent */
    station_error(&st, "hh-t", seq + 1, TOTE_WERR_INTERNAL, NULL);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 5000), 0);
    CHECK_EQ(req.seq, seq + 1);
    hh_write(&h, "!quit\n");
    CHECK_EQ(hh_stop(&h, 3000), 0);
    CHECK_EQ(outbox_count(ob, NULL), 1); /* ITEM-2, never answered */
    station_stop(&st);
}

static void test_keypad_commands(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *extra[] = {"--role", "packer", NULL};
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", path_in("keys.outbox"), extra), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    CHECK_EQ(req.u.hello.role, TOTE_ROLE_PACKER);
    reply_hello_ok(&st, &req, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    reply_task(&st, &req, 4, 1); /* a pick task, so that !short has one */
    cJSON *e = hh_expect(&h, "task", 3000);
    cJSON_Delete(e);

#define ANSWER()                                             \
    do {                                                     \
        reply_result(&st, &req, 1, TOTE_REASON_OK, 1, 3, 0); \
        cJSON_Delete(hh_expect(&h, "result", 3000));         \
    } while (0)

    hh_write(&h, "!short 2 bin damaged\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SHORT_PICK, &req, 3000), 0);
    CHECK_EQ(req.u.short_pick.task_id, 17);
    CHECK_EQ(req.u.short_pick.qty_found, 2);
    CHECK_STR(req.u.short_pick.reason, "bin damaged");
    ANSWER();
    hh_write(&h, "!weight 1250\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_PACK_WEIGHT, &req, 3000), 0);
    CHECK_EQ(req.u.weight.grams, 1250);
    ANSWER();
    hh_write(&h, "!close BOX-M\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_PACK_CLOSE, &req, 3000), 0);
    CHECK_STR(req.u.pack_close.carton, "BOX-M");
    CHECK_EQ(req.u.pack_close.more, 0);
    ANSWER();
    hh_write(&h, "!carton BOX-L\n"); /* full: the order goes on in another carton */
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_PACK_CLOSE, &req, 3000), 0);
    CHECK_STR(req.u.pack_close.carton, "BOX-L");
    CHECK_EQ(req.u.pack_close.more, 1);
    ANSWER();
    hh_write(&h, "!override weight BADGE-S1\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_OVERRIDE, &req, 3000), 0);
    CHECK_EQ(req.u.override_.kind, TOTE_OVERRIDE_WEIGHT);
    CHECK_STR(req.u.override_.badge, "BADGE-S1");
    ANSWER();

    /* return mode: scans become RETURN_ITEMs with the chosen disposition */
    hh_write(&h, "!return\n");
    e = hh_expect(&h, "mode", 3000);
    REQUIRE(e != NULL);
    CHECK_EQ(jbool(e, "return_mode"), 1);
    cJSON_Delete(e);
    hh_write(&h, "!restock R-09\n!reason customer changed mind\n]C0ORD-#1001\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_RETURN_ITEM, &req, 3000), 0);
    CHECK_EQ(req.u.return_item.disposition, TOTE_RETURN_RESTOCK);
    CHECK_STR(req.u.return_item.location, "R-09");
    CHECK_STR(req.u.return_item.reason, "customer changed mind");
    CHECK_STR(req.u.return_item.scan.symbology, "]C0");
    ANSWER();
    hh_write(&h, "!quarantine\n]E04006381333931\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_RETURN_ITEM, &req, 3000), 0);
    CHECK_EQ(req.u.return_item.disposition, TOTE_RETURN_QUARANTINE);
    CHECK_STR(req.u.return_item.location, "");
    ANSWER();
    hh_write(&h, "!return\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_RETURN_CLOSE, &req, 3000), 0);
    ANSWER();
    hh_write(&h, "!next\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    reply_no_task(&st, &req);
    cJSON_Delete(hh_expect(&h, "no_task", 3000));
    hh_write(&h, "!logout\n");
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_LOGOUT, &req, 3000), 0);
    ANSWER();

    /* bad commands: one clear sentence each, nothing sent */
    const char *bad[][2] = {
        {"!weight heavy\n", "grams"},
        {"!short\n", "quantity"},
        {"!override maybe BADGE-S1\n", "weight or short"},
        {"!frobnicate\n", "unknown command !frobnicate"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hh_write(&h, bad[i][0]);
        e = hh_expect(&h, "error", 3000);
        REQUIRE(e != NULL);
        CHECK_STR(jstr(e, "code"), "BAD_COMMAND");
        CHECK_HAS(jstr(e, "message"), bad[i][1]);
        cJSON_Delete(e);
    }
    CHECK(station_recv_any(&st, &req, 300) != 0 || req.type == TOTE_WIRE_HEARTBEAT);
    hh_write(&h, "!quit\n");
    CHECK_EQ(hh_stop(&h, 3000), 0);
#undef ANSWER
    station_stop(&st);
}

static void test_usage_errors(void)
{
    struct {
        const char *args[8];
        const char *says;
    } cases[] = {
        {{"--id", "a", "--role", "picker", NULL}, "--station"},
        {{"--station", "tcp://127.0.0.1:1", "--role", "picker", NULL}, "--id"},
        {{"--station", "tcp://127.0.0.1:1", "--id", "a", "--role", "boss", NULL}, "picker, packer or bench"},
        {{"--station", "tcp://127.0.0.1:1", "--id", "a", "--role", "picker", "--timeout-ms", "soon"},
         "--timeout-ms"},
        {{"--station", "localhost", "--id", "a", "--role", "picker", NULL}, "tcp://HOST:PORT"},
        {{"--station", "tcp://127.0.0.1:1", "--id", "a", "--role", "picker", "--frob", NULL},
         "unknown option"},
        {{"--station", "tcp://127.0.0.1:1", "--id", "a", "--role", "picker", "--sim-max-scans", "3"},
         "--scanner sim"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[12];
        int n = 0;
        argv[n++] = tt_bin("tote-handheld");
        for (int k = 0; k < 8 && cases[i].args[k]; k++)
            argv[n++] = cases[i].args[k];
        argv[n] = NULL;
        char *out = NULL, *err = NULL;
        int rc = tt_run(argv, NULL, "", 5000, &out, &err);
        CHECK_EQ(rc, 2);
        CHECK_HAS(err, cases[i].says);
        CHECK(err && strchr(err, '\n') == strrchr(err, '\n')); /* one line */
        free(out);
        free(err);
    }
    /* an outbox that is not one: exit 1, one sentence, the file untouched */
    const char *p = path_in("not-an-outbox");
    REQUIRE_EQ(tt_write_file(p, "hello, I am a text file, not SQLite at all. ", 44), 0);
    const char *argv[] = {tt_bin("tote-handheld"),
                          "--insecure",
                          "--station",
                          "tcp://127.0.0.1:1",
                          "--id",
                          "hh-t",
                          "--role",
                          "picker",
                          "--outbox",
                          p,
                          NULL};
    char *err = NULL;
    CHECK_EQ(tt_run(argv, NULL, "", 5000, NULL, &err), 1);
    CHECK_HAS(err, "is not a usable tote-handheld outbox");
    free(err);
}

/* ---------------- the simulated operator ---------------- */

static void test_sim_gtin_barcodes(void)
{
    char sym[8], data[80];
    tote_sim_gtin_barcode("09506000134352", sym, data, sizeof data);
    CHECK_STR(sym, "]E0");
    CHECK_STR(data, "9506000134352");
    tote_sim_gtin_barcode("19506000134359", sym, data, sizeof data);
    CHECK_STR(sym, "]C1");
    CHECK_STR(data, "0119506000134359");
    tote_sim_gtin_barcode("MUG-RED", sym, data, sizeof data);
    CHECK_STR(sym, "]C0");
    CHECK_STR(data, "MUG-RED");
}

static void make_task(tote_wire_msg *t, uint32_t id, const char *gtin, uint32_t total)
{
    tote_wire_init(t, TOTE_WIRE_TASK, "sim", 1);
    t->u.task.kind = TOTE_TASK_PICK;
    t->u.task.task_id = id;
    snprintf(t->u.task.bin, sizeof t->u.task.bin, "B-%u", id);
    snprintf(t->u.task.gtin, sizeof t->u.task.gtin, "%s", gtin);
    t->u.task.qty_total = total;
}

static void result(tote_wire_msg *r, int accepted, uint32_t left, int done)
{
    tote_wire_init(r, TOTE_WIRE_RESULT, "sim", 1);
    r->u.result.accepted = (uint8_t)accepted;
    r->u.result.qty_left = left;
    r->u.result.task_done = (uint8_t)done;
}

/* A clean picker: bin first (when required), then the item qty times. */
static void test_sim_picker_clean(void)
{
    tote_sim *s = tote_sim_new(TOTE_ROLE_PICKER, 0.0, 1, 0);
    REQUIRE(s != NULL);
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_HELLO_OK, "sim", 1);
    m.u.hello_ok.require_bin_scan = 1;
    tote_sim_on_hello(s, &m);
    CHECK(tote_sim_wants_task(s, 0));
    make_task(&m, 5, "09506000134352", 2);
    tote_sim_on_reply(s, &m, 0);
    CHECK(!tote_sim_wants_task(s, 0));
    tote_sim_action a;
    REQUIRE(tote_sim_take(s, 0, &a));
    CHECK_EQ(a.kind, TOTE_SIM_SCAN);
    CHECK_STR(a.data, "BIN-B-5");
    CHECK_STR(a.symbology, "]C0");
    result(&m, 1, 2, 0);
    tote_sim_on_reply(s, &m, 0);
    for (int i = 0; i < 2; i++) {
        REQUIRE(tote_sim_take(s, 0, &a));
        CHECK_EQ(a.kind, TOTE_SIM_SCAN);
        CHECK_STR(a.symbology, "]E0");
        CHECK_STR(a.data, "9506000134352");
        result(&m, 1, 1 - (uint32_t)i, i == 1);
        tote_sim_on_reply(s, &m, 0);
    }
    CHECK(!tote_sim_take(s, 0, &a));
    CHECK(tote_sim_wants_task(s, 0));

    /* A refused scan whose reply carries no quantities does not end the task. */
    make_task(&m, 6, "09506000134352", 2);
    m.u.task.bin_confirmed = 1;
    tote_sim_on_reply(s, &m, 0);
    REQUIRE(tote_sim_take(s, 0, &a));
    result(&m, 0, 0, 0);
    m.u.result.reason = TOTE_REASON_WRONG_ITEM;
    tote_sim_on_reply(s, &m, 0);
    CHECK(!tote_sim_wants_task(s, 0));
    REQUIRE(tote_sim_take(s, 0, &a));
    CHECK_STR(a.data, "9506000134352"); /* still 2 to pick */
    result(&m, 1, 1, 0);
    tote_sim_on_reply(s, &m, 0);
    REQUIRE(tote_sim_take(s, 0, &a));
    CHECK_STR(a.what, "item");
    tote_sim_destroy(&s);
    CHECK(s == NULL);
}

/* When the station has moved on (NO_TASK, WRONG_BIN for our bin, or three
 * refusals), the sim asks for the next task instead of insisting. */
static void test_sim_picker_resyncs(void)
{
    static tote_wire_msg m;
    tote_sim_action a;
    uint16_t reasons[] = {TOTE_REASON_WRONG_BIN, TOTE_REASON_NO_TASK, TOTE_REASON_UNKNOWN_BARCODE};
    for (size_t i = 0; i < 3; i++) {
        tote_sim *s = tote_sim_new(TOTE_ROLE_PICKER, 0.0, 1, 0);
        REQUIRE(s != NULL);
        tote_wire_init(&m, TOTE_WIRE_HELLO_OK, "sim", 1);
        m.u.hello_ok.require_bin_scan = 1;
        tote_sim_on_hello(s, &m);
        make_task(&m, 9, "09506000134352", 2);
        tote_sim_on_reply(s, &m, 0);
        int refusals = 0;
        while (tote_sim_take(s, 0, &a)) {
            result(&m, 0, 0, 0);
            m.u.result.reason = reasons[i];
            tote_sim_on_reply(s, &m, 0);
            refusals++;
            REQUIRE(refusals < 10);
        }
        CHECK_EQ(refusals, i < 2 ? 1 : 3);
        CHECK_EQ(tote_sim_wants_task(s, 0), i < 2); /* giving up backs off */
        CHECK(tote_sim_wants_task(s, 5000));
        tote_sim_destroy(&s);
    }
}

/* With error rate 1 every item action is a mistake; all three kinds occur,
 * and a seed gives the same run twice. */
static void test_sim_picker_errors(void)
{
    int wrong = 0, over = 0, shorts = 0;
    char first_run[64] = "", second_run[64] = "";
    for (int run = 0; run < 2; run++) {
        tote_sim *s = tote_sim_new(TOTE_ROLE_PICKER, 1.0, 42, 0);
        REQUIRE(s != NULL);
        static tote_wire_msg m;
        char *trace = run == 0 ? first_run : second_run;
        for (uint32_t task = 1; task <= 12; task++) {
            make_task(&m, task, task % 2 ? "09506000134352" : "04006381333931", 3);
            tote_sim_on_reply(s, &m, 0);
            tote_sim_action a;
            if (!tote_sim_take(s, 0, &a))
                continue;
            size_t tl = strlen(trace);
            if (tl < 60)
                trace[tl] = a.what[0];
            if (a.kind == TOTE_SIM_SHORT) {
                CHECK_EQ(a.qty, 2); /* qty_left - 1 */
                CHECK_STR(a.reason, "sim short");
                CHECK_EQ(a.task_id, task);
                if (run == 0)
                    shorts++;
            } else if (strcmp(a.what, "wrong item") == 0) {
                CHECK(strcmp(a.data, task % 2 ? "9506000134352" : "4006381333931") != 0);
                if (run == 0)
                    wrong++;
            } else if (strcmp(a.what, "item") == 0) {
                /* an over-pick is planned: finish the task and expect one more scan */
                result(&m, 1, 0, 1);
                tote_sim_on_reply(s, &m, 0);
                REQUIRE(tote_sim_take(s, 0, &a));
                CHECK_STR(a.what, "over-pick");
                CHECK(!tote_sim_wants_task(s, 0));
                result(&m, 0, 0, 0);
                m.u.result.reason = TOTE_REASON_OVER_PICK;
                tote_sim_on_reply(s, &m, 0);
                CHECK(tote_sim_wants_task(s, 0));
                if (run == 0)
                    over++;
            }
        }
        tote_sim_destroy(&s);
    }
    CHECK(wrong > 0);
    CHECK(over > 0);
    CHECK(shorts > 0);
    CHECK_STR(first_run, second_run);
}

static void pack_state(tote_wire_msg *m, uint8_t status, uint32_t packed, uint32_t weight,
                       const char *tracking)
{
    tote_wire_init(m, TOTE_WIRE_PACK_STATE, "sim", 1);
    m->u.pack_state.accepted = 1;
    snprintf(m->u.pack_state.order, sizeof m->u.pack_state.order, "#1001");
    m->u.pack_state.status = status;
    m->u.pack_state.expected_weight_g = 900;
    m->u.pack_state.weight_g = weight;
    snprintf(m->u.pack_state.tracking, sizeof m->u.pack_state.tracking, "%s", tracking);
    m->u.pack_state.line_count = 1;
    snprintf(m->u.pack_state.lines[0].sku, sizeof m->u.pack_state.lines[0].sku, "TEA-1");
    snprintf(m->u.pack_state.lines[0].gtin, sizeof m->u.pack_state.lines[0].gtin, "04006381333931");
    m->u.pack_state.lines[0].expected = 2;
    m->u.pack_state.lines[0].packed = packed;
}

static void test_sim_packer(void)
{
    tote_sim *s = tote_sim_new(TOTE_ROLE_PACKER, 0.0, 1, 0);
    REQUIRE(s != NULL);
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_TASK, "sim", 1);
    m.u.task.kind = TOTE_TASK_PACK;
    snprintf(m.u.task.order, sizeof m.u.task.order, "#1001");
    tote_sim_on_reply(s, &m, 0);
    tote_sim_action a;
    REQUIRE(tote_sim_take(s, 0, &a));
    CHECK_STR(a.data, "ORD-#1001");
    pack_state(&m, 1, 0, 0, "");
    tote_sim_on_reply(s, &m, 0);
    for (uint32_t i = 0; i < 2; i++) {
        REQUIRE(tote_sim_take(s, 0, &a));
        CHECK_EQ(a.kind, TOTE_SIM_SCAN);
        CHECK_STR(a.symbology, "]E0");
        CHECK_STR(a.data, "4006381333931");
        pack_state(&m, 1, i + 1, 0, "");
        tote_sim_on_reply(s, &m, 0);
    }
    REQUIRE(tote_sim_take(s, 0, &a));
    CHECK_EQ(a.kind, TOTE_SIM_WEIGHT);
    CHECK_EQ(a.grams, 900);
    pack_state(&m, 1, 2, 900, "");
    tote_sim_on_reply(s, &m, 0);
    REQUIRE(tote_sim_take(s, 0, &a));
    CHECK_EQ(a.kind, TOTE_SIM_CLOSE);
    pack_state(&m, 2, 2, 900, "LX000000015NL");
    tote_sim_on_reply(s, &m, 0);
    REQUIRE(tote_sim_take(s, 0, &a));
    CHECK_EQ(a.kind, TOTE_SIM_SCAN);
    CHECK_STR(a.data, "LX000000015NL");
    CHECK(!tote_sim_wants_task(s, 0));
    pack_state(&m, 3, 2, 900, "LX000000015NL");
    tote_sim_on_reply(s, &m, 0);
    CHECK(!tote_sim_take(s, 0, &a));
    CHECK(tote_sim_wants_task(s, 0));

    /* An order it cannot finish (a weight the station keeps refusing): three
     * tries, then it backs off before asking for work again. */
    tote_wire_init(&m, TOTE_WIRE_TASK, "sim", 1);
    m.u.task.kind = TOTE_TASK_PACK;
    snprintf(m.u.task.order, sizeof m.u.task.order, "#1002");
    tote_sim_on_reply(s, &m, 100);
    REQUIRE(tote_sim_take(s, 100, &a));
    pack_state(&m, 1, 2, 0, "");
    tote_sim_on_reply(s, &m, 100);
    int weights = 0;
    while (tote_sim_take(s, 100, &a)) {
        CHECK_EQ(a.kind, TOTE_SIM_WEIGHT);
        pack_state(&m, 1, 2, 0, "");
        m.u.pack_state.accepted = 0;
        m.u.pack_state.reason = TOTE_REASON_BAD_QUANTITY;
        tote_sim_on_reply(s, &m, 100);
        REQUIRE(++weights < 10);
    }
    CHECK_EQ(weights, 3);
    CHECK(!tote_sim_wants_task(s, 100));
    CHECK(tote_sim_wants_task(s, 5100));
    tote_sim_destroy(&s);
}

static void test_sim_delay(void)
{
    tote_sim *s = tote_sim_new(TOTE_ROLE_PICKER, 0.0, 1, 250);
    static tote_wire_msg m;
    make_task(&m, 1, "09506000134352", 1);
    tote_sim_on_reply(s, &m, 1000);
    tote_sim_action a;
    CHECK(tote_sim_pending(s));
    CHECK_EQ(tote_sim_due(s), 1250);
    CHECK(!tote_sim_take(s, 1249, &a));
    CHECK(tote_sim_take(s, 1250, &a));
    CHECK_EQ(tote_sim_due(s), -1);
    tote_sim_destroy(&s);
}

/* --scanner sim end to end: it picks what the station asks, stops after
 * --sim-max-scans, exit 0. */
static void test_sim_picker_process(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *extra[] = {"--scanner", "sim", "--sim-max-scans", "3", "--badge", "BADGE-7", NULL};
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", path_in("sim.outbox"), extra), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    reply_hello_ok(&st, &req, 0, 1);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0); /* the badge first */
    scan_is(&req, "]C0", "BADGE-7");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 0, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    reply_task(&st, &req, 2, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    scan_is(&req, "]C0", "BIN-A-01-02");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 0, 2, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    scan_is(&req, "]E0", "9506000134352");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 1, 1, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    scan_is(&req, "]E0", "9506000134352");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 2, 0, 1);
    CHECK_EQ(hh_stop(&h, 3000), 0); /* three sim scans answered: done */
    station_stop(&st);
}

/* --sim-max-scans reached in the middle of a task (the simulator has its
 * next scan queued): the handheld still exits 0 once the last answer is in. */
static void test_sim_max_scans_mid_task(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *extra[] = {"--scanner", "sim", "--sim-max-scans", "2", "--badge", "BADGE-7", NULL};
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", path_in("simmid.outbox"), extra), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    reply_hello_ok(&st, &req, 0, 1);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0); /* the badge */
    reply_result(&st, &req, 1, TOTE_REASON_OK, 0, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_NEXT_TASK, &req, 3000), 0);
    reply_task(&st, &req, 2, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    scan_is(&req, "]C0", "BIN-A-01-02");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 0, 2, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    scan_is(&req, "]E0", "9506000134352");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 1, 1, 0); /* one unit left: the simulator would scan again */
    CHECK_EQ(hh_stop(&h, 3000), 0);
    station_stop(&st);
}

/* --badge logs in right after the first hello, ahead of a scan that was
 * already waiting on the scanner at start-up (it would be NOT_LOGGED_IN). */
static void test_badge_before_a_waiting_scan(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *extra[] = {"--role", "packer", "--badge", "BADGE-7", NULL};
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", path_in("badge.outbox"), extra), 0);
    hh_write(&h, "ORD-#1001\n"); /* on the scanner before the station answers */
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    tt_sleep_ms(tt_ms(300)); /* the handheld has read the scan by now */
    reply_hello_ok(&st, &req, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, 1);
    scan_is(&req, "]C0", "BADGE-7");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 0, 0, 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_SCAN, &req, 3000), 0);
    CHECK_EQ(req.seq, 2);
    scan_is(&req, "", "ORD-#1001");
    reply_result(&st, &req, 1, TOTE_REASON_OK, 0, 0, 0);
    hh_write(&h, "!quit\n");
    CHECK_EQ(hh_stop(&h, 3000), 0);
    station_stop(&st);
}

static void test_sim_exit_when_idle(void)
{
    station st;
    REQUIRE_EQ(station_start(&st), 0);
    handheld h;
    const char *extra[] = {"--scanner", "sim", "--role", "packer", "--exit-when-idle", "1", NULL};
    REQUIRE_EQ(hh_start(&h, &st, "hh-t", path_in("idle.outbox"), extra), 0);
    REQUIRE_EQ(station_expect(&st, TOTE_WIRE_HELLO, &req, 3000), 0);
    reply_hello_ok(&st, &req, 0, 0);
    long long t0 = tt_now_ms();
    int polls = 0;
    for (;;) {
        if (station_recv_any(&st, &req, 2500) != 0)
            break;
        if (req.type == TOTE_WIRE_NEXT_TASK) {
            polls++;
            reply_no_task(&st, &req);
        }
    }
    CHECK_EQ(hh_stop(&h, 3000), 0);
    long long dt = tt_now_ms() - t0;
    CHECK(polls >= 1);
    CHECK(dt >= 1000);
    station_stop(&st);
}

static void test_cleanup(void)
{
    tt_rmrf(dir);
    free(dir);
    dir = NULL;
}

TT_MAIN(TT_TEST(test_hello_task_scan_result), TT_TEST(test_offline_then_replay_exactly_once),
        TT_TEST(test_restart_keeps_seq_and_queue), TT_TEST(test_malformed_replies_are_errors_not_crashes),
        TT_TEST(test_station_errors), TT_TEST(test_internal_errors_give_up_storage_errors_do_not),
        TT_TEST(test_keypad_commands), TT_TEST(test_usage_errors), TT_TEST(test_sim_gtin_barcodes),
        TT_TEST(test_sim_picker_clean), TT_TEST(test_sim_picker_resyncs), TT_TEST(test_sim_picker_errors),
        TT_TEST(test_sim_packer), TT_TEST(test_sim_delay), TT_TEST(test_sim_picker_process),
        TT_TEST(test_sim_max_scans_mid_task), TT_TEST(test_badge_before_a_waiting_scan),
        TT_TEST(test_sim_exit_when_idle), TT_TEST(test_cleanup))
