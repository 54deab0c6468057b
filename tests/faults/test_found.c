/*
 * Problems the fault tests found, each reduced to the smallest exchange that
 * shows it, against the real `tote serve`: regression tests, each failing if
 * its problem comes back.
 */
#include "warehouse.h"

/*
 * Found by kill9 with real tote-handheld sim pickers: a second SHORT_PICK on
 * a task that a first short left open (what was found can still be picked)
 * is answered ERROR INTERNAL "not an error", and again on every resend — the
 * handheld's outbox is stuck behind it for good.
 */
static void test_second_short_pick_on_a_task(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "found-short"), 0);
    st.insecure = 1;
    /* one order of 3 units */
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    tote_store_setting_set(s, "require_login", "0");
    tote_store_setting_set(s, "require_bin_scan", "0");
    char gtin[15];
    fx_gtin("0400638000000", gtin);
    long long p = fx_product(s, "SKU-S", "Short item", 100, gtin, 500);
    REQUIRE(p > 0);
    REQUIRE_EQ(fx_stock(s, p, "A-0001", 10, 100, NULL, NULL), 0);
    const char *skus[] = {"SKU-S"};
    const long long qty[] = {3};
    REQUIRE_EQ(fx_order(s, "#S1", 0, 1, skus, qty, NULL), 0);
    REQUIRE(fx_wave(s, 1) > 0);
    tote_store_destroy(&s);
    REQUIRE_EQ(fa_station_start(&st, NULL, 0), 0);

    fx_dev *d = fx_dev_new(&st, "hh-short");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    uint32_t task = rep.u.task.task_id;
    REQUIRE_EQ(fx_scan(d, gtin, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    /* 2 left, the bin holds 1: short 1, the task stays open for the 1 found */
    REQUIRE_EQ(fx_short(d, task, 1, "found one", &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.accepted, 1);
    /* then that one is not there either: short the last */
    REQUIRE_EQ(fx_short(d, task, 0, "none after all", &rep), 0);
    int broken = rep.type == TOTE_WIRE_ERROR;
    if (broken)
        fprintf(stderr, "found: second SHORT_PICK on task %u answered ERROR %s \"%s\"\n", task,
                tote_wire_error_name(rep.u.error.code), rep.u.error.message);
    CHECK(!broken);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.accepted, 1);
    fx_dev_destroy(&d);
    CHECK_EQ(fx_station_stop(&st), 0);
    CHECK_EQ(fa_check(st.db, NULL, 0, stderr), 0);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_second_short_pick_on_a_task))
