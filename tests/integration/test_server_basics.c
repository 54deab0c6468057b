/*
 * `tote serve` basics against the real process: hello, heartbeat, typed
 * errors for every kind of bad frame (and the station keeps serving),
 * sequence rules, exactly-once replies (also across a restart), devices and
 * operators, snapshots.
 */
#include "fixture_server.h"

/* A picker handheld that said hello, with login not required. */
static void setup_station(fx_station *st, const char *prefix, int require_login)
{
    fx_station_init(st, prefix);
    tote_store *s = fx_store(st);
    tote_store_setting_set(s, "require_login", require_login ? "1" : "0");
    tote_store_destroy(&s);
}

/* Two products, stock in two bins, one order of 3 units, waved. */
static void small_warehouse(fx_station *st, char gtin_a[15], char gtin_b[15])
{
    tote_store *s = fx_store(st);
    fx_gtin("0400638133393", gtin_a);
    fx_gtin("0400638133394", gtin_b);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, gtin_a, 1200);
    long long b = fx_product(s, "SKU-B", "Red plate", 500, gtin_b, 900);
    fx_stock(s, a, "A-01", 10, 20, NULL, NULL);
    fx_stock(s, b, "B-01", 20, 20, NULL, NULL);
    const char *skus[] = {"SKU-A", "SKU-B"};
    const long long qty[] = {2, 1};
    fx_order(s, "#1001", 0, 2, skus, qty, NULL);
    fx_wave(s, 4);
    tote_store_destroy(&s);
}

static void test_hello_and_heartbeat(void)
{
    fx_station st;
    setup_station(&st, "srv-hello", 1);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-1");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    CHECK_EQ(rep.seq, 1);
    CHECK_EQ(rep.u.hello_ok.last_seq, 0);
    CHECK_EQ(rep.u.hello_ok.heartbeat_ms, 2000);
    CHECK_EQ(rep.u.hello_ok.lease_ms, 120000);
    CHECK_STR(rep.u.hello_ok.operator_name, "");

    tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_HEARTBEAT, "hh-1", 0);
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_HEARTBEAT_OK);

    /* hello is never answered from the store and does not move last_seq */
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    CHECK_EQ(rep.u.hello_ok.last_seq, 0);

    /* require_login: NEXT_TASK is refused until a badge is scanned */
    REQUIRE_EQ(fx_next(d, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.reason, TOTE_REASON_NOT_LOGGED_IN);

    fx_station_stop(&st);
    tote_store *s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT role FROM device WHERE name = 'hh-1'", NULL), "picker");
    CHECK(fx_qs(s, "SELECT last_seen FROM device WHERE name = 'hh-1'", NULL)[0] != '\0');
    CHECK_EQ(fx_q(s, "SELECT last_seq FROM device WHERE name = 'hh-1'", NULL), 3);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void expect_error(fx_dev *d, const void *frame, size_t len, tote_wire_error code)
{
    tote_wire_msg rep;
    CHECK_EQ(fx_send_raw(d, frame, len), 0);
    int rc = fx_recv(d, &rep, 5000);
    CHECK_EQ(rc, 0);
    if (rc == 0) {
        CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
        CHECK_EQ(rep.u.error.code, code);
    }
}

static void test_malformed_frames_get_typed_errors(void)
{
    fx_station st;
    setup_station(&st, "srv-bad", 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-bad");

    /* a valid HELLO to learn the encoding, then damage it */
    tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_HELLO, "hh-bad", 1);
    m.u.hello.role = TOTE_ROLE_PICKER;
    uint8_t good[256];
    size_t len = 0;
    REQUIRE_EQ(tote_wire_encode(&m, good, sizeof good, &len), TOTE_PROTO_E_OK);

    expect_error(d, good, 3, TOTE_WERR_MALFORMED); /* short */
    uint8_t bad[256];
    memcpy(bad, good, len);
    bad[0] = 9;
    expect_error(d, bad, len, TOTE_WERR_BAD_VERSION);
    memcpy(bad, good, len);
    bad[1] = 0x55;
    expect_error(d, bad, len, TOTE_WERR_UNKNOWN_TYPE);
    memcpy(bad, good, len);
    bad[1] = TOTE_WIRE_HELLO_OK; /* a reply type sent as a request */
    expect_error(d, bad, len, TOTE_WERR_UNKNOWN_TYPE);
    expect_error(d, good, len - 1, TOTE_WERR_MALFORMED); /* truncated last field */
    uint8_t *big = calloc(1, TOTE_WIRE_MAX_FRAME + 100);
    memcpy(big, good, len);
    expect_error(d, big, TOTE_WIRE_MAX_FRAME + 100, TOTE_WERR_TOO_LARGE);
    free(big);
    expect_error(d, "", 0, TOTE_WERR_MALFORMED); /* empty frame */

    /* two frames in one message */
    zmq_send(d->sock, good, len, ZMQ_SNDMORE);
    expect_error(d, good, len, TOTE_WERR_MALFORMED);

    /* seq 0 is only for heartbeat and snapshot */
    tote_wire_init(&m, TOTE_WIRE_NEXT_TASK, "hh-bad", 0);
    tote_wire_msg rep;
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_BAD_SEQ);

    /* before hello: NO_HELLO */
    tote_wire_init(&m, TOTE_WIRE_NEXT_TASK, "hh-bad", 1);
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_NO_HELLO);

    /* and the station still serves */
    REQUIRE_EQ(fx_send_raw(d, good, len), 0);
    REQUIRE_EQ(fx_recv(d, &rep, 5000), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    CHECK_EQ(tt_proc_wait(st.proc, 0), -1); /* still running */

    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_sequence_rules(void)
{
    fx_station st;
    setup_station(&st, "srv-seq", 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-seq");
    tote_wire_msg rep, m;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    /* gaps are allowed */
    tote_wire_init(&m, TOTE_WIRE_NEXT_TASK, "hh-seq", 5);
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_NO_TASK);
    CHECK_EQ(rep.seq, 5);
    /* an older seq that was never answered */
    tote_wire_init(&m, TOTE_WIRE_NEXT_TASK, "hh-seq", 3);
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_SEQ_OLD);
    /* the same seq with another request type */
    tote_wire_init(&m, TOTE_WIRE_LOGOUT, "hh-seq", 5);
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_BAD_SEQ);
    /* HELLO_OK tells where to continue */
    d->seq = 1;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    CHECK_EQ(rep.u.hello_ok.last_seq, 5);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_resent_scan_is_applied_once(void)
{
    fx_station st;
    setup_station(&st, "srv-once", 0);
    char ga[15], gb[15];
    small_warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-once");
    tote_wire_msg rep, m;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.sku, "SKU-A");
    CHECK_STR(rep.u.task.bin, "A-01");
    CHECK_EQ(rep.u.task.qty_total, 2);

    /* the NEXT_TASK resent: same bytes, still one lease */
    uint8_t first[TOTE_WIRE_MAX_FRAME];
    size_t first_len = d->last_len;
    memcpy(first, d->last_raw, first_len);
    tote_wire_init(&m, TOTE_WIRE_NEXT_TASK, "hh-once", d->seq);
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_MEM(d->last_raw, d->last_len, first, first_len);

    /* a scan, then the same scan resent (its reply was "lost") */
    fx_req(d, &m, TOTE_WIRE_SCAN);
    fx_fill_scan(&m.u.scan, "", ga);
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.qty_done, 1);
    memcpy(first, d->last_raw, d->last_len);
    first_len = d->last_len;
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_MEM(d->last_raw, d->last_len, first, first_len);
    CHECK_EQ(rep.u.result.qty_done, 1);
    uint32_t scan_seq = m.seq;

    /* restart the station: the stored reply survives */
    CHECK_EQ(fx_station_stop(&st), 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 1), 0);
    fx_dev_destroy(&d);
    d = fx_dev_new(&st, "hh-once");
    d->seq = scan_seq;
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_MEM(d->last_raw, d->last_len, first, first_len);

    fx_station_stop(&st);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM stock_move WHERE kind = 'pick'", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line WHERE sku = 'SKU-A'", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE device = 'hh-once'", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'pick_list_leased'", NULL), 1);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* A scan's reply is kept in its scan row, and the station does not write
 * device.last_seq for it: the scan row's seq is what says it was answered.
 * After a restart (nothing remembered in the loop) the scans still count:
 * HELLO_OK.last_seq, a resend of either scan (its stored bytes, nothing
 * applied again) and `tote device list`. */
static void test_a_scan_counts_as_the_last_answered_seq(void)
{
    fx_station st;
    setup_station(&st, "srv-scanseq", 0);
    char ga[15], gb[15];
    small_warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-ss");
    tote_wire_msg rep, accepted, refused;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    uint32_t next_seq = rep.seq;
    fx_req(d, &accepted, TOTE_WIRE_SCAN);
    fx_fill_scan(&accepted.u.scan, "", ga);
    REQUIRE_EQ(fx_call(d, &accepted, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    uint8_t first[TOTE_WIRE_MAX_FRAME], second[TOTE_WIRE_MAX_FRAME];
    size_t first_len = d->last_len;
    memcpy(first, d->last_raw, first_len);
    fx_req(d, &refused, TOTE_WIRE_SCAN);
    fx_fill_scan(&refused.u.scan, "", "NO-SUCH-THING");
    REQUIRE_EQ(fx_call(d, &refused, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 0);
    size_t second_len = d->last_len;
    memcpy(second, d->last_raw, second_len);
    CHECK_EQ(refused.seq, next_seq + 2);
    /* a HELLO on the running station (its loop remembers the device) */
    fx_dev *again = fx_dev_new(&st, "hh-ss");
    again->seq = refused.seq;
    REQUIRE_EQ(fx_hello(again, TOTE_ROLE_PICKER, &rep), 0);
    CHECK_EQ(rep.u.hello_ok.last_seq, refused.seq);
    fx_dev_destroy(&again);

    CHECK_EQ(fx_station_stop(&st), 0);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT last_seq FROM device WHERE name = 'hh-ss'", NULL), next_seq);
    tote_store_destroy(&s);
    char *out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "device", "list", "--json", NULL), 0);
    char want[64];
    snprintf(want, sizeof want, "\"last_seq\":%u", (unsigned)refused.seq);
    CHECK_HAS(out, want);
    free(out);

    REQUIRE_EQ(fx_station_start(&st, NULL, 1), 0);
    fx_dev_destroy(&d);
    d = fx_dev_new(&st, "hh-ss");
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    CHECK_EQ(rep.u.hello_ok.last_seq, refused.seq);
    d->seq = accepted.seq;
    REQUIRE_EQ(fx_call(d, &accepted, &rep), 0);
    CHECK_MEM(d->last_raw, d->last_len, first, first_len);
    d->seq = refused.seq;
    REQUIRE_EQ(fx_call(d, &refused, &rep), 0);
    CHECK_MEM(d->last_raw, d->last_len, second, second_len);

    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE device = 'hh-ss'", NULL), 2);
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line WHERE sku = 'SKU-A'", NULL), 1);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* An SQL failure inside one request (a trigger refuses hh-bad's scan rows)
 * loses that request only: its handheld gets INTERNAL and nothing of it is
 * stored, while the requests around it, sent without waiting so that they
 * share batches with it, are applied exactly once. The station first applies
 * a batch without savepoints and, when a request fails, applies it again with
 * one savepoint per request: its stop line counts those batches. */
static void test_failing_request_loses_only_itself(void)
{
    fx_station st;
    setup_station(&st, "srv-fail", 0);
    char ga[15], gb[15];
    tote_store *s = fx_store(&st);
    fx_gtin("0400638133393", ga);
    fx_gtin("0400638133394", gb);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, ga, 1200);
    long long b = fx_product(s, "SKU-B", "Red plate", 500, gb, 900);
    fx_stock(s, a, "A-01", 10, 20, NULL, NULL);
    fx_stock(s, b, "B-01", 20, 20, NULL, NULL);
    const char *sku_a[] = {"SKU-A"}, *sku_b[] = {"SKU-B"};
    const long long three[] = {3};
    fx_order(s, "#2001", 0, 1, sku_a, three, NULL);
    fx_order(s, "#2002", 0, 1, sku_b, three, NULL);
    fx_wave(s, 1);
    REQUIRE_EQ(sqlite3_exec(tote_store_db(s),
                            "CREATE TRIGGER test_refuse_bad BEFORE INSERT ON scan WHEN NEW.device = 'hh-bad' "
                            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                            NULL, NULL, NULL),
               SQLITE_OK);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *good = fx_dev_new(&st, "hh-good"), *bad = fx_dev_new(&st, "hh-bad");
    tote_wire_msg rep, m;
    char gtin_good[15], gtin_bad[15];
    REQUIRE_EQ(fx_hello(good, TOTE_ROLE_PICKER, &rep), 0);
    REQUIRE_EQ(fx_next(good, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    snprintf(gtin_good, sizeof gtin_good, "%s", strcmp(rep.u.task.sku, "SKU-A") == 0 ? ga : gb);
    REQUIRE_EQ(fx_hello(bad, TOTE_ROLE_PICKER, &rep), 0);
    REQUIRE_EQ(fx_next(bad, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    snprintf(gtin_bad, sizeof gtin_bad, "%s", strcmp(rep.u.task.sku, "SKU-A") == 0 ? ga : gb);
    REQUIRE(strcmp(gtin_good, gtin_bad) != 0);

    for (int i = 0; i < 3; i++) {
        fx_req(good, &m, TOTE_WIRE_SCAN);
        fx_fill_scan(&m.u.scan, "", gtin_good);
        REQUIRE_EQ(fx_send(good, &m), 0);
        fx_req(bad, &m, TOTE_WIRE_SCAN);
        fx_fill_scan(&m.u.scan, "", gtin_bad);
        REQUIRE_EQ(fx_send(bad, &m), 0);
    }
    for (int i = 0; i < 3; i++) {
        REQUIRE_EQ(fx_recv(good, &rep, 5000), 0);
        CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
        CHECK_EQ(rep.u.result.accepted, 1);
        CHECK_EQ(rep.u.result.qty_done, i + 1);
        REQUIRE_EQ(fx_recv(bad, &rep, 5000), 0);
        CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
        CHECK_EQ(rep.u.error.code, TOTE_WERR_INTERNAL);
        CHECK_HAS(rep.u.error.message, "injected failure"); /* SQLite's words, read before the rollback */
    }
    /* the failed scans were not stored: resending one is applied afresh (and fails again) */
    REQUIRE_EQ(fx_call(bad, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_INTERNAL);

    CHECK_EQ(fx_station_stop(&st), 0);
    CHECK_INT(fx_stop_count(st.err_path, " batches applied again"), >=, 1);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE device = 'hh-good'", NULL), 3);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE device = 'hh-bad'", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM request WHERE device = 'hh-bad' AND seq > 2", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM stock_move WHERE kind = 'pick'", NULL), 3);
    CHECK_EQ(fx_q(s, "SELECT SUM(picked) FROM order_line", NULL), 3);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&good);
    fx_dev_destroy(&bad);
    fx_station_done(&st);
}

static void test_devices_and_operators_cli(void)
{
    fx_station st;
    setup_station(&st, "srv-cli", 1);
    char *out = NULL;
    CHECK_EQ(
        fx_cli(&st, &out, "device", "add", "bench-1", "--role", "bench", "--label-printer", "zebra1", NULL),
        0);
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "device", "add", "bench-1", "--role", "bench", NULL), 2);
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "device", "add", "x", "--role", "forklift", NULL), 2);
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "device", "list", "--json", NULL), 0);
    CHECK_HAS(out, "\"name\":\"bench-1\"");
    CHECK_HAS(out, "\"label_printer\":\"zebra1\"");
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "operator", "add", "Ann", "--role", "picker", NULL), 0);
    CHECK_HAS(out, "(barcode BADGE-");
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "operator", "add", "Sue", "--role", "supervisor", "--badge", "SUE1", NULL), 0);
    CHECK_HAS(out, "operator Sue added (supervisor), badge SUE1 (barcode BADGE-SUE1)\n");
    free(out);
    /* a badge is its code, also when given as the barcode the badge reads */
    CHECK_EQ(fx_cli(&st, &out, "operator", "add", "Bea", "--role", "packer", "--badge", "BADGE-BEA1", NULL),
             0);
    CHECK_HAS(out, "operator Bea added (packer), badge BEA1 (barcode BADGE-BEA1)\n");
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "operator", "add", "Bob", "--role", "supervisor", "--badge", "SUE1", NULL), 2);
    free(out);
    CHECK_EQ(
        fx_cli(&st, &out, "operator", "add", "Bob", "--role", "supervisor", "--badge", "BADGE-SUE1", NULL),
        2);
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "operator", "add", "Eve", "--role", "boss", NULL), 2);
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "operator", "list", "--json", NULL), 0);
    CHECK_HAS(out, "\"name\":\"Ann\"");
    CHECK_HAS(out, "\"role\":\"supervisor\"");
    CHECK_HAS(out, "\"badge\":\"SUE1\"");
    CHECK_HAS(out, "\"badge\":\"BEA1\"");
    free(out);
    /* the listing shows the badge as --json does: the code that add takes and a scan resolves to */
    CHECK_EQ(fx_cli(&st, &out, "operator", "list", NULL), 0);
    CHECK_HAS(out, "NAME  ROLE        BADGE       ACTIVE\n"); /* BADGE as wide as Ann's 10-character code */
    CHECK_HAS(out, "\nSue   supervisor  SUE1        yes\n");
    CHECK_HAS(out, "\nBea   packer      BEA1        yes\n");
    CHECK(out && !strstr(out, "BADGE-"));
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "operator", "list", "extra", NULL), 2);
    free(out);

    /* a badge scan logs in; a revoked device is refused */
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "bench-1");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_BENCH, &rep), 0);
    REQUIRE_EQ(fx_scan(d, "BADGE-NOPE", &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.reason, TOTE_REASON_BAD_BADGE);
    REQUIRE_EQ(fx_scan(d, "BADGE-SUE1", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_HAS(rep.u.result.message, "Sue");
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_BENCH, &rep), 0);
    CHECK_STR(rep.u.hello_ok.operator_name, "Sue");
    tote_wire_msg m;
    fx_req(d, &m, TOTE_WIRE_LOGOUT);
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_scan(d, "BADGE-BEA1", &rep), 0); /* added as BADGE-BEA1, listed as BEA1 */
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_HAS(rep.u.result.message, "Bea");
    CHECK_EQ(fx_cli(&st, &out, "device", "revoke", "bench-1", NULL), 0);
    free(out);
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_BENCH, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_DENIED);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_snapshot(void)
{
    fx_station st;
    setup_station(&st, "srv-snap", 0);
    char ga[15], gb[15];
    small_warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "console-1");
    tote_wire_msg rep, m;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_CONSOLE, &rep), 0);
    tote_wire_init(&m, TOTE_WIRE_SNAPSHOT, "console-1", 0);
    snprintf(m.u.snapshot.what, sizeof m.u.snapshot.what, "overview");
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_SNAPSHOT_REPLY);
    cJSON *j = cJSON_Parse(rep.u.snapshot_reply.json);
    REQUIRE(j != NULL);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "orders"), "allocated")), 1);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "waves")), 1);
    cJSON *dev0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "devices"), 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(dev0, "name")), "console-1");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(dev0, "online")));
    cJSON_Delete(j);

    snprintf(m.u.snapshot.what, sizeof m.u.snapshot.what, "order");
    snprintf(m.u.snapshot.arg, sizeof m.u.snapshot.arg, "#1001");
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_SNAPSHOT_REPLY);
    j = cJSON_Parse(rep.u.snapshot_reply.json);
    REQUIRE(j != NULL);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "lines")), 2);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "order"), "status")),
              "allocated");
    cJSON_Delete(j);

    snprintf(m.u.snapshot.arg, sizeof m.u.snapshot.arg, "#nope");
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* A console's view that takes long to compute (as on a big floor: a
 * 100,000-task wave took ~130 ms a refresh) is answered by the snapshot
 * thread: a picker's requests sent meanwhile are answered before it, and
 * the view follows. Acknowledging an alert writes, so it is answered on
 * the loop, and is applied. */
static void test_slow_snapshot_does_not_hold_up_the_floor(void)
{
    fx_station st;
    setup_station(&st, "srv-slowsnap", 0);
    char ga[15], gb[15];
    small_warehouse(&st, ga, gb);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    REQUIRE_EQ(sqlite3_exec(tote_store_db(s),
                            "INSERT INTO alert(id, kind, subject, message, created_at) VALUES (7, 'short', "
                            "'#1001', 'SKU-A short in A-01', '2024-03-01T08:00:00.000Z')",
                            NULL, NULL, NULL),
               SQLITE_OK);
    tote_store_destroy(&s);
    char delay[16];
    int delay_ms = tt_ms(1500);
    snprintf(delay, sizeof delay, "%d", delay_ms);
    setenv("TOTE_TEST_SNAPSHOT_DELAY_MS", delay, 1);
    int started = fx_station_start(&st, NULL, 0);
    unsetenv("TOTE_TEST_SNAPSHOT_DELAY_MS");
    REQUIRE_EQ(started, 0);
    fx_dev *con = fx_dev_new(&st, "console-1"), *hh = fx_dev_new(&st, "hh-1");
    tote_wire_msg rep, m;
    REQUIRE_EQ(fx_hello(con, TOTE_ROLE_CONSOLE, &rep), 0);
    REQUIRE_EQ(fx_hello(hh, TOTE_ROLE_PICKER, &rep), 0);

    tote_wire_init(&m, TOTE_WIRE_SNAPSHOT, "console-1", 0);
    snprintf(m.u.snapshot.what, sizeof m.u.snapshot.what, "console");
    long long t0 = tt_now_ms();
    REQUIRE_EQ(fx_send(con, &m), 0);
    tt_sleep_ms(50); /* the station has it */
    REQUIRE_EQ(fx_next(hh, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_TASK);
    REQUIRE_EQ(fx_scan(hh, rep.u.task.bin, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    long long picked_at = tt_now_ms();
    CHECK(picked_at - t0 < delay_ms);
    CHECK(fx_recv(con, &rep, 0) != 0); /* the view is still being computed */
    REQUIRE_EQ(fx_recv(con, &rep, tt_ms(10000)), 0);
    CHECK(tt_now_ms() - t0 >= delay_ms);
    REQUIRE_EQ(rep.type, TOTE_WIRE_SNAPSHOT_REPLY);
    cJSON *j = cJSON_Parse(rep.u.snapshot_reply.json);
    REQUIRE(j != NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "kind")), "console");
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "waves")), 1);
    cJSON_Delete(j);

    snprintf(m.u.snapshot.what, sizeof m.u.snapshot.what, "ack_alert");
    snprintf(m.u.snapshot.arg, sizeof m.u.snapshot.arg, "{\"alert\":7,\"by\":\"sam\"}");
    REQUIRE_EQ(fx_send(con, &m), 0);
    REQUIRE_EQ(fx_recv(con, &rep, tt_ms(10000)), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_SNAPSHOT_REPLY);
    CHECK(strstr(rep.u.snapshot_reply.json, "\"ok\":true") != NULL);
    fx_dev_destroy(&con);
    fx_dev_destroy(&hh);
    REQUIRE_EQ(fx_station_stop(&st), 0);
    CHECK_EQ(fx_stop_count(st.err_path, " snapshots answered off the loop"), 1);
    s = fx_store(&st);
    REQUIRE(s != NULL);
    CHECK_EQ(fx_q(s, "SELECT acked_at IS NOT NULL FROM alert WHERE id = 7", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'alert_acked' AND actor = 'sam'", NULL), 1);
    tote_store_destroy(&s);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_hello_and_heartbeat), TT_TEST(test_malformed_frames_get_typed_errors),
        TT_TEST(test_sequence_rules), TT_TEST(test_resent_scan_is_applied_once),
        TT_TEST(test_a_scan_counts_as_the_last_answered_seq), TT_TEST(test_failing_request_loses_only_itself),
        TT_TEST(test_devices_and_operators_cli), TT_TEST(test_snapshot),
        TT_TEST(test_slow_snapshot_does_not_hold_up_the_floor))
