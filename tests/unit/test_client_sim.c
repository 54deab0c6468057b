/*
 * The simulated picker and packer (tote/sim.h): in process against replies
 * built here, and as tote-handheld --scanner sim against a station played by
 * the test (client_fixture.h; test_client.c tests the handheld itself).
 */
#include <string.h>

#include "client_fixture.h"
#include "support.h"
#include "test.h"
#include "tote/sim.h"
#include "tote/wire.h"

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

/* test_client.c removes the scratch directory in its last test, test_cleanup;
 * this program removes it when the run ends, so that the split left the
 * number of test cases as it was. */
__attribute__((destructor)) static void remove_scratch_dir(void)
{
    if (dir)
        test_cleanup();
}

TT_MAIN(TT_TEST(test_sim_gtin_barcodes), TT_TEST(test_sim_picker_clean), TT_TEST(test_sim_picker_resyncs),
        TT_TEST(test_sim_picker_errors), TT_TEST(test_sim_packer), TT_TEST(test_sim_delay),
        TT_TEST(test_sim_picker_process), TT_TEST(test_sim_max_scans_mid_task),
        TT_TEST(test_sim_exit_when_idle))
