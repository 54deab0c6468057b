/*
 * Picking through the real `tote serve`: leases and walking order, every
 * refusal by name, short picks with and without another bin, pick list done
 * -> orders picked, lease expiry releasing a dead handheld's list.
 */
#include <unistd.h>

#include "fixture_server.h"
#include "tote/alloc.h"

static char ga[15], gb[15], gc[15], gd[15], gunknown[15], gcase[15];

/* Products A (case of 6 too), B, C (lot L1, expiry 2049-12-31), D. */
static void catalog(tote_store *s)
{
    fx_gtin("0871234500001", ga);
    fx_gtin("0871234500002", gb);
    fx_gtin("0871234500003", gc);
    fx_gtin("0871234500004", gd);
    fx_gtin("0871234500099", gunknown);
    fx_gtin("1871234500001", gcase);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, ga, 1200);
    tote_barcode_set(s, gcase, a, 6, "test");
    fx_product(s, "SKU-B", "Red plate", 500, gb, 900);
    fx_product(s, "SKU-C", "Vitamin C", 100, gc, 500);
    fx_product(s, "SKU-D", "Green bowl", 400, gd, 700);
}

static long long pid(tote_store *s, const char *sku)
{
    return fx_q(s, "SELECT id FROM product WHERE sku = ?1", "t", sku);
}

static void operators(tote_store *s)
{
    char badge[65];
    tote_operator_add(s, "Ann", "picker", "ANN", "test", badge);
    tote_operator_add(s, "Pat", "packer", "PAT", "test", badge);
}

static fx_dev *picker(fx_station *st, const char *name)
{
    fx_dev *d = fx_dev_new(st, name);
    tote_wire_msg rep;
    if (fx_hello(d, TOTE_ROLE_PICKER, &rep) != 0 || rep.type != TOTE_WIRE_HELLO_OK)
        return NULL;
    return d;
}

/* A station (temp dir tag) whose warehouse is the catalog, no login, bin
 * A-01 holding on_hand of SKU-A and one order (name) for qty of it, waved;
 * started with serve_args (NULL-ended, or NULL). */
static int one_order_station(fx_station *st, const char *tag, long long on_hand, const char *name,
                             long long qty, const char *const *serve_args)
{
    fx_station_init(st, tag);
    tote_store *s = fx_store(st);
    catalog(s);
    tote_store_setting_set(s, "require_login", "0");
    fx_stock(s, pid(s, "SKU-A"), "A-01", 10, on_hand, NULL, NULL);
    const char *skus[] = {"SKU-A"};
    int rc = fx_order(s, name, 0, 1, skus, &qty, NULL) == 0 && fx_wave(s, 4) > 0 ? 0 : -1;
    tote_store_destroy(&s);
    return rc == 0 ? fx_station_start(st, serve_args, 0) : -1;
}

#define EXPECT_REFUSED(rep, why)                                \
    do {                                                        \
        CHECK_EQ((rep).type, TOTE_WIRE_RESULT);                 \
        CHECK_EQ((rep).u.result.accepted, 0);                   \
        CHECK_EQ((rep).u.result.reason, TOTE_REASON_##why);     \
        CHECK_EQ((rep).u.result.feedback, TOTE_FEEDBACK_ERROR); \
        CHECK((rep).u.result.message[0] != '\0');               \
    } while (0)

static void test_every_pick_refusal(void)
{
    fx_station st;
    fx_station_init(&st, "pick-refuse");
    tote_store *s = fx_store(&st);
    catalog(s);
    operators(s);
    tote_store_setting_set(s, "require_bin_scan", "1");
    fx_stock(s, pid(s, "SKU-A"), "A-01", 10, 20, NULL, NULL);
    fx_stock(s, pid(s, "SKU-C"), "C-01", 30, 10, "L1", "2049-12-31");
    const char *skus[] = {"SKU-A", "SKU-C"};
    const long long qty[] = {3, 2};
    fx_order(s, "#2001", 0, 2, skus, qty, NULL);
    REQUIRE(fx_wave(s, 4) > 0);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = picker(&st, "hh-r");
    REQUIRE(d != NULL);
    tote_wire_msg rep;

    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    EXPECT_REFUSED(rep, NOT_LOGGED_IN);
    REQUIRE_EQ(fx_scan(d, "BADGE-PAT", &rep), 0); /* a packer on a picker's handheld */
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    EXPECT_REFUSED(rep, ROLE_DENIED);
    REQUIRE_EQ(fx_scan(d, "BADGE-ANN", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    EXPECT_REFUSED(rep, NO_TASK);

    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_EQ(rep.u.task.kind, TOTE_TASK_PICK);
    CHECK_STR(rep.u.task.bin, "A-01");
    CHECK_STR(rep.u.task.sku, "SKU-A");
    CHECK_STR(rep.u.task.name, "Blue mug");
    CHECK_STR(rep.u.task.gtin, ga);
    CHECK_STR(rep.u.task.order, "#2001");
    CHECK(rep.u.task.tote[0] != '\0');
    CHECK_EQ(rep.u.task.tasks_left, 2);
    CHECK_EQ(rep.u.task.bin_confirmed, 0);

    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    EXPECT_REFUSED(rep, SCAN_BIN_FIRST);
    REQUIRE_EQ(fx_scan(d, "BIN-C-01", &rep), 0);
    EXPECT_REFUSED(rep, WRONG_BIN);
    CHECK_EQ(rep.u.result.qty_left, 3); /* a refusal says where the task stands */
    REQUIRE_EQ(fx_scan(d, "BIN-A-01", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.qty_done, 0);
    CHECK_EQ(rep.u.result.qty_left, 3);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_scan(d, gc, &rep), 0);
    EXPECT_REFUSED(rep, WRONG_ITEM);
    CHECK_EQ(rep.u.result.qty_done, 1); /* ... after a unit is picked too */
    CHECK_EQ(rep.u.result.qty_left, 2);
    REQUIRE_EQ(fx_scan(d, gunknown, &rep), 0);
    EXPECT_REFUSED(rep, UNKNOWN_BARCODE);
    REQUIRE_EQ(fx_scan(d, "SKU-C", &rep), 0); /* another product's SKU label */
    EXPECT_REFUSED(rep, WRONG_ITEM);
    char badcheck[15];
    memcpy(badcheck, ga, 15);
    badcheck[13] = (char)(badcheck[13] == '9' ? '0' : badcheck[13] + 1);
    REQUIRE_EQ(fx_scan(d, badcheck, &rep), 0);
    EXPECT_REFUSED(rep, INVALID_BARCODE);
    REQUIRE_EQ(fx_scan(d, "TOTE-T1-1", &rep), 0);
    EXPECT_REFUSED(rep, WRONG_ITEM);
    REQUIRE_EQ(fx_scan(d, gcase, &rep), 0); /* a case of 6 for 3 */
    EXPECT_REFUSED(rep, OVER_PICK);
    CHECK_EQ(rep.u.result.qty_done, 1);
    for (int i = 2; i <= 3; i++) {
        REQUIRE_EQ(fx_scan(d, i == 2 ? "SKU-A" : ga, &rep), 0); /* the SKU on a label is the item too */
        CHECK_EQ(rep.u.result.accepted, 1);
        CHECK_EQ(rep.u.result.qty_done, i);
        CHECK_EQ(rep.u.result.qty_left, 3 - i);
        CHECK_EQ(rep.u.result.task_done, i == 3);
    }

    /* the lot-tracked item: GS1 with lot and expiry */
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "C-01");
    CHECK_STR(rep.u.task.lot, "L1");
    CHECK_EQ(rep.u.task.tasks_left, 1);
    REQUIRE_EQ(fx_scan(d, "BIN-C-01", &rep), 0);
    char gs1[64];
    snprintf(gs1, sizeof gs1,
             "01%s17200101"
             "10L1",
             gc);
    REQUIRE_EQ(fx_scan_as(d, TOTE_WIRE_SCAN, "]C1", gs1, &rep), 0);
    EXPECT_REFUSED(rep, EXPIRED_LOT);
    snprintf(gs1, sizeof gs1,
             "01%s17491231"
             "10L2",
             gc);
    REQUIRE_EQ(fx_scan_as(d, TOTE_WIRE_SCAN, "]C1", gs1, &rep), 0);
    EXPECT_REFUSED(rep, WRONG_LOT);
    /* the same in a QR code as a GS1 Digital Link: its lot is checked too */
    char link[128];
    snprintf(link, sizeof link, "https://id.gs1.org/01/%s/10/L3?17=491231", gc);
    REQUIRE_EQ(fx_scan_as(d, TOTE_WIRE_SCAN, "]Q1", link, &rep), 0);
    EXPECT_REFUSED(rep, WRONG_LOT);
    snprintf(link, sizeof link, "https://id.gs1.org/01/%s/10/L1?17=491231", gc);
    REQUIRE_EQ(fx_scan_as(d, TOTE_WIRE_SCAN, "]Q1", link, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    snprintf(gs1, sizeof gs1,
             "01%s17491231"
             "10L1",
             gc);
    REQUIRE_EQ(fx_scan_as(d, TOTE_WIRE_SCAN, "]C1", gs1, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.feedback, TOTE_FEEDBACK_DONE);
    CHECK_HAS(rep.u.result.message, "packing");
    REQUIRE_EQ(fx_next(d, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_NO_TASK);

    fx_station_stop(&st);
    s = fx_store(&st);
    const char *reasons[] = {"NOT_LOGGED_IN", "NO_TASK",         "SCAN_BIN_FIRST",  "WRONG_BIN",
                             "WRONG_ITEM",    "UNKNOWN_BARCODE", "INVALID_BARCODE", "OVER_PICK",
                             "EXPIRED_LOT",   "WRONG_LOT"};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        long long n =
            fx_q(s, "SELECT COUNT(*) FROM scan WHERE result = 'refused' AND reason = ?1", "t", reasons[i]);
        if (n < 1)
            fprintf(stderr, "no refused scan with reason %s\n", reasons[i]);
        CHECK_INT(n, >=, 1);
    }
    CHECK_INT(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'scan_refused'", NULL), >=, 10);
    CHECK_EQ(
        fx_q(s, "SELECT COUNT(*) FROM scan WHERE result = 'accepted' AND context = 'pick' AND qty > 0", NULL),
        5);
    CHECK_STR(fx_qs(s, "SELECT lot FROM scan WHERE result = 'accepted' AND gtin = ?1", "t", gc), "L1");
    CHECK_STR(fx_qs(s, "SELECT expiry FROM scan WHERE result = 'accepted' AND gtin = ?1", "t", gc),
              "2049-12-31");
    CHECK_STR(fx_qs(s, "SELECT status FROM orders WHERE name = '#2001'", NULL), "picked");
    CHECK_STR(fx_qs(s, "SELECT status FROM pick_list", NULL), "done");
    CHECK_STR(fx_qs(s, "SELECT status FROM wave", NULL), "done");
    CHECK_STR(fx_qs(s, "SELECT operator FROM pick_list", NULL), "Ann");
    CHECK_EQ(fx_q(s, "SELECT SUM(picked) FROM order_line", NULL), 5);
    CHECK_EQ(fx_q(s, "SELECT SUM(reserved) FROM stock", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT on_hand FROM stock WHERE lot = 'L1'", NULL), 8);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_short_pick_with_another_bin(void)
{
    fx_station st;
    fx_station_init(&st, "pick-short1");
    tote_store *s = fx_store(&st);
    catalog(s);
    tote_store_setting_set(s, "require_login", "0");
    fx_stock(s, pid(s, "SKU-A"), "A-01", 10, 3, NULL, NULL);
    fx_stock(s, pid(s, "SKU-A"), "A-09", 90, 5, NULL, NULL);
    fx_stock(s, pid(s, "SKU-B"), "B-05", 50, 5, NULL, NULL);
    const char *skus[] = {"SKU-A", "SKU-B"};
    const long long qty[] = {3, 1};
    fx_order(s, "#3001", 0, 2, skus, qty, NULL);
    REQUIRE(fx_wave(s, 4) > 0);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = picker(&st, "hh-s1");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "A-01");
    uint32_t task = rep.u.task.task_id;
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    /* the bin holds enough: no short */
    REQUIRE_EQ(fx_short(d, task, 2, "cannot find", &rep), 0);
    EXPECT_REFUSED(rep, BAD_QUANTITY);
    /* a task that is not ours */
    REQUIRE_EQ(fx_short(d, task + 100, 0, "x", &rep), 0);
    EXPECT_REFUSED(rep, NO_TASK);
    /* the bin is empty: 2 missing, found in A-09; the new task follows at once */
    REQUIRE_EQ(fx_short(d, task, 0, "bin empty", &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.feedback, TOTE_FEEDBACK_WARNING);
    uint32_t short_seq = rep.seq;
    REQUIRE_EQ(fx_recv(d, &rep, 5000), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_EQ(rep.seq, short_seq);
    CHECK_STR(rep.u.task.bin, "B-05"); /* walking order: B-05 before A-09 */
    REQUIRE_EQ(fx_scan(d, gb, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "A-09");
    CHECK_EQ(rep.u.task.qty_total, 2);
    for (int i = 0; i < 2; i++) {
        REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
        CHECK_EQ(rep.u.result.accepted, 1);
    }
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT status FROM orders WHERE name = '#3001'", NULL), "picked");
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line WHERE sku = 'SKU-A'", NULL), 3);
    CHECK_EQ(fx_q(s, "SELECT short FROM order_line WHERE sku = 'SKU-A'", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT SUM(qty) FROM stock_move WHERE kind = 'shortage'", NULL), -2);
    CHECK_EQ(fx_q(s,
                  "SELECT on_hand FROM stock s JOIN location l ON l.id = s.location_id WHERE l.code = 'A-01'",
                  NULL),
             0);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM count_task", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM alert", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT SUM(reserved) FROM stock", NULL), 0);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_short_pick_without_another_bin(void)
{
    fx_station st;
    fx_station_init(&st, "pick-short2");
    tote_store *s = fx_store(&st);
    catalog(s);
    tote_store_setting_set(s, "require_login", "0");
    fx_stock(s, pid(s, "SKU-D"), "D-01", 10, 2, NULL, NULL);
    const char *skus[] = {"SKU-D"};
    const long long qty[] = {2};
    fx_order(s, "#4001", 0, 1, skus, qty, NULL);
    REQUIRE(fx_wave(s, 4) > 0);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);

    void *sub = zmq_socket(st.zctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "alert", 5);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "order", 5);
    REQUIRE_EQ(fx_enrol_socket(&st, sub, "console-s2", "console"), 0);
    REQUIRE_EQ(zmq_connect(sub, st.pub_ep), 0);
    tt_sleep_ms(200); /* let the subscription reach the station */

    fx_dev *d = picker(&st, "hh-s2");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    uint32_t task = rep.u.task.task_id;
    /* one in the bin: it can still be picked, one is short */
    REQUIRE_EQ(fx_short(d, task, 1, "only one there", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.task_done, 0);
    CHECK_EQ(rep.u.result.qty_left, 1);
    CHECK_HAS(rep.u.result.message, "supervisor");
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_EQ(rep.u.task.task_id, task);
    REQUIRE_EQ(fx_scan(d, gd, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.task_done, 1);

    /* the alert was published; order events too */
    int saw_alert = 0, saw_picked = 0;
    for (int i = 0; i < 20 && !(saw_alert && saw_picked); i++) {
        char topic[32] = "", body[2048] = "";
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 1000) <= 0)
            break;
        int n = zmq_recv(sub, topic, sizeof topic - 1, 0);
        topic[n > 0 ? n : 0] = '\0';
        n = zmq_recv(sub, body, sizeof body - 1, 0);
        body[n > 0 ? n : 0] = '\0';
        if (strcmp(topic, "alert") == 0 && strstr(body, "#4001") && strstr(body, "\"short\":1"))
            saw_alert = 1;
        if (strcmp(topic, "order") == 0 && strstr(body, "\"status\":\"picked\""))
            saw_picked = 1;
    }
    CHECK(saw_alert);
    CHECK(saw_picked);
    zmq_close(sub);

    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT short FROM order_line", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM alert WHERE kind = 'short_pick' AND subject = '#4001'", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM count_task WHERE status = 'open'", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT SUM(qty) FROM stock_move WHERE kind = 'shortage'", NULL), -1);
    CHECK_STR(fx_qs(s, "SELECT status FROM orders", NULL), "picked");
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* A bin found empty holds nothing for the other orders reserved on it either:
 * their claims move to another bin or become short, never left to drive the
 * bin's on_hand below zero. */
static void test_short_pick_refits_other_orders_on_the_bin(void)
{
    fx_station st;
    fx_station_init(&st, "pick-short3");
    tote_store *s = fx_store(&st);
    catalog(s);
    tote_store_setting_set(s, "require_login", "0");
    fx_stock(s, pid(s, "SKU-D"), "D-01", 10, 4, NULL, NULL);
    fx_stock(s, pid(s, "SKU-D"), "D-09", 90, 1, NULL, NULL);
    const char *skus[] = {"SKU-D"};
    const long long two[] = {2};
    fx_order(s, "#5001", 0, 1, skus, two, NULL);
    fx_order(s, "#5002", 0, 1, skus, two, NULL);
    REQUIRE(fx_wave(s, 4) > 0);
    /* both orders are reserved in D-01 */
    REQUIRE_EQ(
        fx_q(s, "SELECT reserved FROM stock s JOIN location l ON l.id = s.location_id WHERE l.code = 'D-01'",
             NULL),
        4);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    void *sub = zmq_socket(st.zctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "alert", 5);
    REQUIRE_EQ(fx_enrol_socket(&st, sub, "console-s3", "console"), 0);
    REQUIRE_EQ(zmq_connect(sub, st.pub_ep), 0);
    tt_sleep_ms(200); /* let the subscription reach the station */
    fx_dev *d = picker(&st, "hh-s3");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "D-01");
    uint32_t task = rep.u.task.task_id;
    /* D-01 is empty: this order finds one unit in D-09; the other order's
       two units have nowhere to go and are short */
    REQUIRE_EQ(fx_short(d, task, 0, "bin empty", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_recv(d, &rep, 5000), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "D-09"); /* not the other order's task in the empty D-01 */
    REQUIRE_EQ(fx_scan(d, gd, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_NO_TASK);
    /* the other order's shortage is published, and names that order */
    int saw_other = 0;
    for (int i = 0; i < 20 && !saw_other; i++) {
        char topic[32] = "", body[2048] = "";
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 1000) <= 0)
            break;
        int n = zmq_recv(sub, topic, sizeof topic - 1, 0);
        topic[n > 0 ? n : 0] = '\0';
        n = zmq_recv(sub, body, sizeof body - 1, 0);
        body[n > 0 ? n : 0] = '\0';
        saw_other = strcmp(topic, "alert") == 0 && strstr(body, "\"order\":\"#5002\"") &&
                    strstr(body, "\"short\":2") && strstr(body, "order #5002 is short 2 x SKU-D");
    }
    CHECK(saw_other);
    zmq_close(sub);
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM alert WHERE kind = 'short_pick' AND subject = '#5002'", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT MIN(on_hand) FROM stock", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT SUM(reserved) FROM stock", NULL), 0);
    CHECK_EQ(
        fx_q(s, "SELECT l.short FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.name = '#5002'",
             NULL),
        2);
    CHECK_EQ(
        fx_q(s, "SELECT l.picked FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.name = '#5001'",
             NULL),
        1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM pick_task WHERE status = 'open'", NULL), 0);
    CHECK(fx_q(s, "SELECT COUNT(*) FROM alert WHERE kind = 'short_pick'", NULL) >= 2);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* The same when the other order is allocated in the bin but not waved yet:
 * its allocation there gives the units up, another bin takes what it can
 * (after the picker's own order) and the rest of the line is short. */
static void test_short_pick_refits_an_order_not_yet_waved(void)
{
    fx_station st;
    fx_station_init(&st, "pick-short4");
    tote_store *s = fx_store(&st);
    catalog(s);
    tote_store_setting_set(s, "require_login", "0");
    fx_stock(s, pid(s, "SKU-D"), "D-01", 10, 4, NULL, NULL);
    fx_stock(s, pid(s, "SKU-D"), "D-09", 90, 2, NULL, NULL);
    const char *skus[] = {"SKU-D"};
    const long long two[] = {2};
    fx_order(s, "#5101", 0, 1, skus, two, NULL);
    fx_order(s, "#5102", 0, 1, skus, two, NULL);
    long long got = 0;
    REQUIRE_EQ(tote_alloc_released(s, "test", &got), TOTE_ST_E_OK);
    CHECK_EQ(got, 2);
    tote_wave_opts one = {.max_orders = 1};
    tote_wave_result wr;
    REQUIRE_EQ(tote_wave_create(s, &one, "test", &wr), TOTE_ST_E_OK);
    CHECK_EQ(wr.orders, 1);
    /* both orders are reserved in D-01; only #5101 has a task */
    REQUIRE_EQ(
        fx_q(s, "SELECT reserved FROM stock s JOIN location l ON l.id = s.location_id WHERE l.code = 'D-01'",
             NULL),
        4);
    CHECK_EQ(fx_q(s,
                  "SELECT COUNT(*) FROM pick_task t JOIN order_line l ON l.id = t.order_line_id "
                  "JOIN orders o ON o.id = l.order_id WHERE o.name = '#5102'",
                  NULL),
             0);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = picker(&st, "hh-s4");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "D-01");
    CHECK_STR(rep.u.task.order, "#5101");
    /* D-01 holds one unit, for this task: the missing unit comes from D-09;
       #5102's two units leave D-01, one finds the last unit in D-09 */
    REQUIRE_EQ(fx_short(d, rep.u.task.task_id, 1, "one left", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_recv(d, &rep, 5000), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "D-01");
    REQUIRE_EQ(fx_scan(d, gd, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "D-09");
    REQUIRE_EQ(fx_scan(d, gd, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_NO_TASK);
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s,
                  "SELECT on_hand * 100 + reserved FROM stock s JOIN location l ON l.id = s.location_id "
                  "WHERE l.code = 'D-01'",
                  NULL),
             0);
    CHECK_EQ(fx_q(s,
                  "SELECT on_hand * 100 + reserved FROM stock s JOIN location l ON l.id = s.location_id "
                  "WHERE l.code = 'D-09'",
                  NULL),
             101);
    /* #5102: its D-01 allocation cancelled, one unit allocated in D-09, one short */
    CHECK_EQ(fx_q(s,
                  "SELECT COUNT(*) FROM allocation a JOIN stock st ON st.id = a.stock_id JOIN location l "
                  "ON l.id = st.location_id JOIN order_line ol ON ol.id = a.order_line_id JOIN orders o "
                  "ON o.id = ol.order_id WHERE o.name = '#5102' AND l.code = 'D-01' AND a.status = 'open'",
                  NULL),
             0);
    CHECK_EQ(fx_q(s,
                  "SELECT SUM(a.qty) FROM allocation a JOIN stock st ON st.id = a.stock_id JOIN location l "
                  "ON l.id = st.location_id JOIN order_line ol ON ol.id = a.order_line_id JOIN orders o "
                  "ON o.id = ol.order_id WHERE o.name = '#5102' AND l.code = 'D-09' AND a.status = 'open'",
                  NULL),
             1);
    CHECK_EQ(
        fx_q(s,
             "SELECT ol.allocated * 10 + ol.short FROM order_line ol JOIN orders o ON o.id = ol.order_id "
             "WHERE o.name = '#5102'",
             NULL),
        11);
    CHECK_EQ(fx_q(s,
                  "SELECT COUNT(*) FROM alert WHERE kind = 'short_pick' AND subject = '#5102' AND "
                  "message LIKE 'order #5102 is short 1 x SKU-D%'",
                  NULL),
             1);
    CHECK_EQ(fx_ledger_bad(s), 0);
    /* the next wave picks #5102's unit where it now is */
    REQUIRE(fx_wave(s, 4) > 0);
    CHECK_STR(fx_qs(s,
                    "SELECT l.code FROM pick_task t JOIN stock st ON st.id = t.stock_id JOIN location l "
                    "ON l.id = st.location_id JOIN order_line ol ON ol.id = t.order_line_id JOIN orders o "
                    "ON o.id = ol.order_id WHERE o.name = '#5102' AND t.status = 'open'",
                    NULL),
              "D-09");
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* Without --lease-seconds the station takes the warehouse's setting
 * (tote config set lease_seconds N); the flag wins over it. */
static void test_lease_seconds_from_the_setting(void)
{
    fx_station st;
    fx_station_init(&st, "pick-lease-setting");
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    tote_store_setting_set(s, "lease_seconds", "45");
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_station_stop(&st);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "(lease 45 s,");
    free(err);
    const char *extra[] = {"--lease-seconds", "7", NULL};
    REQUIRE_EQ(fx_station_start(&st, extra, 1), 0);
    fx_station_stop(&st);
    err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "(lease 7 s,");
    free(err);
    fx_station_done(&st);
}

static void test_lease_expiry_releases_the_list(void)
{
    fx_station st;
    const char *extra[] = {"--lease-seconds", "1", NULL};
    REQUIRE_EQ(one_order_station(&st, "pick-lease", 20, "#5001", 2, extra), 0);
    tote_store *s = NULL;
    fx_dev *dead = picker(&st, "hh-dead");
    fx_dev *live = picker(&st, "hh-live");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(dead, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    uint32_t list = rep.u.task.pick_list_id;
    REQUIRE_EQ(fx_next(live, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_NO_TASK); /* leased to the other handheld */
    fx_dev_destroy(&dead);                 /* it goes silent */
    long long end = tt_now_ms() + 6000;
    int got = 0;
    while (tt_now_ms() < end && !got) {
        tt_sleep_ms(300);
        REQUIRE_EQ(fx_next(live, &rep), 0);
        got = rep.type == TOTE_WIRE_TASK;
    }
    CHECK(got);
    CHECK_EQ(rep.u.task.pick_list_id, list);
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT device FROM pick_list", NULL), "hh-live");
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'lease_expired'", NULL), 1);
    CHECK_STR(fx_qs(s, "SELECT status FROM orders", NULL), "picking");
    tote_store_destroy(&s);
    fx_dev_destroy(&live);
    fx_station_done(&st);
}

/* A picker who keeps scanning keeps the list, without asking NEXT_TASK: the
 * lease runs from device.last_seen. A busy device's last_seen is written
 * only once it is a tenth of the lease behind, so with a 1 s lease and a
 * scan every 40 ms for 2.4 s the list must stay leased, and the stored
 * last_seen must end within 100 ms of the last scan. */
static void test_a_picker_who_keeps_scanning_keeps_the_lease(void)
{
    fx_station st;
    const char *extra[] = {"--lease-seconds", "1", NULL};
    REQUIRE_EQ(one_order_station(&st, "pick-lease-busy", 100, "#5101", 80, extra), 0);
    tote_store *s = NULL;
    fx_dev *d = picker(&st, "hh-busy");
    REQUIRE(d != NULL);
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    int accepted = 0;
    for (int i = 0; i < 60; i++) {
        REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
        accepted += rep.type == TOTE_WIRE_RESULT && rep.u.result.accepted;
        tt_sleep_ms(40);
    }
    CHECK_EQ(accepted, 60);
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'lease_expired'", NULL), 0);
    CHECK_STR(fx_qs(s, "SELECT device FROM pick_list", NULL), "hh-busy");
    long long lag = fx_q(s,
                         "SELECT CAST(ROUND((julianday((SELECT MAX(at) FROM scan)) - julianday(last_seen)) * "
                         "86400000) AS INTEGER) FROM device WHERE name = 'hh-busy'",
                         NULL);
    fprintf(stderr, "last_seen is %lld ms behind the last scan\n", lag);
    CHECK(lag >= 0 && lag < 100);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* The station keeps each picker's device row and current task between
 * plain scans (station/src/flows_hot.c). What another process commits is
 * seen at the next scan: an order put on hold by `tote order hold` while its
 * task is half picked takes the task away. A resend of a scan answered from
 * that memory still gets its stored reply and changes nothing. */
static void test_a_hold_from_the_cli_reaches_a_half_picked_task(void)
{
    fx_station st;
    REQUIRE_EQ(one_order_station(&st, "pick-hot-hold", 5, "#6001", 4, NULL), 0);
    tote_store *s = NULL;
    fx_dev *d = picker(&st, "hh-hot1");
    tote_wire_msg rep, again;
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.qty_done, 2);
    /* the second scan again, same (device, seq): its stored reply, found
     * without a second try of the batch (the stop line counts those) */
    tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_SCAN, d->name, d->seq);
    fx_fill_scan(&m.u.scan, "", ga);
    REQUIRE_EQ(fx_call(d, &m, &again), 0);
    CHECK_EQ(again.type, TOTE_WIRE_RESULT);
    CHECK_EQ(again.u.result.accepted, 1);
    CHECK_EQ(again.u.result.qty_done, 2);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    CHECK_EQ(rep.u.result.qty_done, 3);
    char *out = NULL;
    REQUIRE_EQ(fx_cli(&st, &out, "order", "hold", "#6001", NULL), 0);
    free(out);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    EXPECT_REFUSED(rep, NO_TASK);
    fx_station_stop(&st);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, " 0 batches applied again");
    free(err);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line", NULL), 3);
    CHECK_EQ(fx_q(s, "SELECT on_hand FROM stock", NULL), 2);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE result = 'accepted'", NULL), 3);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* Another picker's short pick on the same bin closes this picker's task
 * short while it is remembered half picked: the next scan is checked
 * against the task as it now is, not as it was. */
static void test_another_pickers_short_pick_reaches_a_half_picked_task(void)
{
    fx_station st;
    fx_station_init(&st, "pick-hot-short");
    tote_store *s = fx_store(&st);
    catalog(s);
    tote_store_setting_set(s, "require_login", "0");
    fx_stock(s, pid(s, "SKU-D"), "D-01", 10, 4, NULL, NULL);
    const char *skus[] = {"SKU-D"};
    const long long two[] = {2};
    fx_order(s, "#6101", 0, 1, skus, two, NULL);
    fx_order(s, "#6102", 0, 1, skus, two, NULL);
    REQUIRE(fx_wave(s, 1) > 0); /* one order per list */
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d1 = picker(&st, "hh-hot-a"), *d2 = picker(&st, "hh-hot-b");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(d1, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    REQUIRE_EQ(fx_next(d2, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    uint32_t task2 = rep.u.task.task_id;
    REQUIRE_EQ(fx_scan(d1, gd, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.qty_left, 1);
    /* D-01 turns out empty: d1's last unit there has nowhere to come from */
    REQUIRE_EQ(fx_short(d2, task2, 0, "bin empty", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_scan(d1, gd, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 0);
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT MIN(on_hand) FROM stock", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT SUM(picked) FROM order_line", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM pick_task WHERE done + short > qty", NULL), 0);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d1);
    fx_dev_destroy(&d2);
    fx_station_done(&st);
}

/* A lease that ends while the handheld is silent takes its half-picked task
 * away from what the station remembers too: the handheld's next scan, after
 * the list went back, is refused, not counted against a list it lost. */
static void test_a_lease_that_ends_reaches_a_half_picked_task(void)
{
    fx_station st;
    const char *extra[] = {"--lease-seconds", "1", NULL};
    REQUIRE_EQ(one_order_station(&st, "pick-hot-lease", 20, "#6201", 3, extra), 0);
    tote_store *s = NULL;
    fx_dev *d = picker(&st, "hh-hot-lease");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    /* silent well past the lease: the station's checks give the list back */
    long long end = tt_now_ms() + 8000;
    s = fx_store(&st);
    while (tt_now_ms() < end && fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'lease_expired'", NULL) < 1)
        tt_sleep_ms(200);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    EXPECT_REFUSED(rep, NO_TASK);
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'lease_expired'", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line", NULL), 2);
    CHECK_STR(fx_qs(s, "SELECT status FROM pick_list", NULL), "open");
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* A finished task is not remembered as the current one: the picker may scan
 * the next task's item straight away, without asking for it. */
static void test_the_next_item_straight_after_a_finished_task(void)
{
    fx_station st;
    fx_station_init(&st, "pick-hot-next");
    tote_store *s = fx_store(&st);
    catalog(s);
    tote_store_setting_set(s, "require_login", "0");
    fx_stock(s, pid(s, "SKU-A"), "A-01", 10, 5, NULL, NULL);
    fx_stock(s, pid(s, "SKU-B"), "B-01", 20, 5, NULL, NULL);
    const char *skus[] = {"SKU-A", "SKU-B"};
    const long long one[] = {1, 1};
    fx_order(s, "#6301", 0, 2, skus, one, NULL);
    REQUIRE(fx_wave(s, 4) > 0);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = picker(&st, "hh-hot-next");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.bin, "A-01");
    REQUIRE_EQ(fx_scan(d, gb, &rep), 0);
    EXPECT_REFUSED(rep, WRONG_ITEM);
    REQUIRE_EQ(fx_scan(d, ga, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.task_done, 1);
    REQUIRE_EQ(fx_scan(d, gb, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    CHECK_EQ(rep.u.result.reason, TOTE_REASON_OK);
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT SUM(picked) FROM order_line", NULL), 2);
    CHECK_STR(fx_qs(s, "SELECT status FROM orders", NULL), "picked");
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_every_pick_refusal), TT_TEST(test_short_pick_with_another_bin),
        TT_TEST(test_short_pick_without_another_bin), TT_TEST(test_short_pick_refits_other_orders_on_the_bin),
        TT_TEST(test_short_pick_refits_an_order_not_yet_waved), TT_TEST(test_lease_seconds_from_the_setting),
        TT_TEST(test_lease_expiry_releases_the_list),
        TT_TEST(test_a_picker_who_keeps_scanning_keeps_the_lease),
        TT_TEST(test_a_hold_from_the_cli_reaches_a_half_picked_task),
        TT_TEST(test_another_pickers_short_pick_reaches_a_half_picked_task),
        TT_TEST(test_a_lease_that_ends_reaches_a_half_picked_task),
        TT_TEST(test_the_next_item_straight_after_a_finished_task))
