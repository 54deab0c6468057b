/*
 * tote-handheld against a station played by the test: a real ZeroMQ ROUTER
 * on 127.0.0.1, the real binary as a child process (stdin scanner, --json
 * events on stdout), a real outbox file. Covers hello -> task -> scan ->
 * result, offline -> queued -> back -> replay with the same seqs and the
 * REPLAY flag (each exactly once), seq persistence across restarts, keypad
 * commands, malformed replies, refusals, usage errors and --badge. The
 * simulated picker/packer is tested in test_client_sim.c; the station and
 * the handheld helpers are in client_fixture.h.
 */
#include <cjson/cJSON.h>
#include <unistd.h>
#include <zmq.h>

#include "client_fixture.h"
#include "hh_json.h"
#include "support.h"
#include "test.h"
#include "tote/outbox.h"
#include "tote/wire.h"

static const char *const quick[] = {"--timeout-ms", "500", NULL};

/* ---------------- tests ---------------- */

/* The handheld's HELLO answered, its NEXT_TASK answered with a task of qty
 * units, and the task on its screen: 0, else -1. */
static int hello_and_task(station *st, handheld *h, int qty)
{
    if (station_expect(st, TOTE_WIRE_HELLO, &req, 3000) != 0)
        return -1;
    reply_hello_ok(st, &req, 0, 0);
    if (station_expect(st, TOTE_WIRE_NEXT_TASK, &req, 3000) != 0)
        return -1;
    reply_task(st, &req, qty, 0);
    cJSON *e = hh_expect(h, "task", 3000);
    int ok = e != NULL;
    cJSON_Delete(e);
    return ok ? 0 : -1;
}

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
    REQUIRE_EQ(hello_and_task(&st, &h, 3), 0);
    cJSON *e = NULL;

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
    REQUIRE_EQ(hello_and_task(&st, &h, 1), 0);
    cJSON *e = NULL;

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
    REQUIRE_EQ(hello_and_task(&st, &h, 1), 0);
    cJSON *e = NULL;

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

TT_MAIN(TT_TEST(test_hello_task_scan_result), TT_TEST(test_offline_then_replay_exactly_once),
        TT_TEST(test_restart_keeps_seq_and_queue), TT_TEST(test_malformed_replies_are_errors_not_crashes),
        TT_TEST(test_station_errors), TT_TEST(test_internal_errors_give_up_storage_errors_do_not),
        TT_TEST(test_keypad_commands), TT_TEST(test_usage_errors), TT_TEST(test_badge_before_a_waiting_scan),
        TT_TEST(test_cleanup))
