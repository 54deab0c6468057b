/*
 * The flow-derived reports (pickers, packers, cycle-time, accuracy,
 * returns, on-time) on a warehouse built by the real imports of
 * tests/data/report/ and worked by the real station: two pickers and a
 * packing bench speak the wire codec, each phase at a chosen station time.
 *
 * Waves (as the wave planner makes them from this data):
 *   list 1 (wave 1): AMZ-1 2 x TOTE-CNV, SG-1 1 x TEA-TIN
 *   list 2 (wave 2): #2001 2 x MUG-BLU, #2003 1 x MUG-BLU, #2002 1 x TOTE-CNV,
 *                    #2001 1 x SOCK-M, #2003 4 x TEA-TIN
 *
 * Script (2025-03-06 unless said; orders were received at 07:00):
 *   09:00 ana logs in, leases list 1, scans a mug for the totes (refused), then a tote bag
 *         ben logs in, leases list 2, scans a mug
 *   09:01 ana: tote bag (task done), tea tin (list done)
 *         ben: mug (task done), mug (#2003), tote bag (#2002)
 *   09:03 ben: socks short (bin empty: #2001 short, alert), an unknown code (refused), 4 tea tins
 *   10:00 cleo at bench-1: #2001 open, 2 mugs, 680 g, close
 *   10:04 ship #2001; #2002 open, tote bag, 180 g, close
 *   10:08 ship #2002
 *   03-07 09:00 #2003 open, mug, 4 tea tins, 940 g, close, ship
 *   03-07 09:05 SG-1 open, tea tin, 150 g, close, ship          (ship-by 03-07 12:00: on time)
 *   03-07 09:09 AMZ-1 open, socks (refused), 2 tote bags, 360 g, close, ship (ship-by 03-05: late)
 *   03-08 10:00 return of #2003: a tea tin "damaged", a mug "changed mind"
 */
#include <unistd.h>

#include "test_report_flow.h"
#include "test_report_util.h"

#define MUG "04006380001015"
#define TOTE "04006380001022"
#define SOCK "04006380001039"
#define TEA "04006380001046"

static fx_station st;
static int built;

static const char *data(const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/report/%s", name);
    snprintf(buf[k], sizeof buf[k], "%s", tt_src(rel));
    return buf[k];
}

static void cleanup(void)
{
    fx_station_done(&st);
}

static int cli(const char *a, const char *b, const char *c, const char *d, const char *e, const char *f)
{
    return rt_tote(st.db, "2025-03-06T07:00:00.000Z", NULL, NULL, a, b, c, d, e, f, NULL);
}

/* Works the floor as the script above says (failures recorded per step). */
static void work_the_floor(void)
{
    tote_wire_msg t;
    REQUIRE_EQ(rf_phase(&st, "2025-03-06T09:00:00.000Z"), 0);
    fx_dev *ana = rf_device(&st, "hh-ana", TOTE_ROLE_PICKER, "ANA");
    fx_dev *ben = rf_device(&st, "hh-ben", TOTE_ROLE_PICKER, "BEN");
    fx_dev *cleo = rf_device(&st, "bench-1", TOTE_ROLE_BENCH, "CLEO");
    REQUIRE(ana && ben && cleo);
    REQUIRE_EQ(rf_next_pick(ana, &t), 0);
    CHECK_STR(t.u.task.sku, "TOTE-CNV");
    rf_scan(ana, MUG, 0);
    rf_scan(ana, TOTE, 1);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    CHECK_STR(t.u.task.order, "#2001");
    rf_scan(ben, MUG, 1);

    REQUIRE_EQ(rf_phase(&st, "2025-03-06T09:01:00.000Z"), 0);
    rf_scan(ana, TOTE, 1);
    REQUIRE_EQ(rf_next_pick(ana, &t), 0);
    CHECK_STR(t.u.task.sku, "TEA-TIN");
    rf_scan(ana, TEA, 1);
    rf_no_task(ana);
    rf_scan(ben, MUG, 1);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    CHECK_STR(t.u.task.order, "#2003");
    rf_scan(ben, MUG, 1);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    CHECK_STR(t.u.task.order, "#2002");
    rf_scan(ben, TOTE, 1);

    REQUIRE_EQ(rf_phase(&st, "2025-03-06T09:03:00.000Z"), 0);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    CHECK_STR(t.u.task.sku, "SOCK-M");
    rf_short(ben, t.u.task.task_id);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    CHECK_STR(t.u.task.sku, "TEA-TIN");
    rf_scan(ben, "NOPE-123", 0);
    for (int i = 0; i < 4; i++)
        rf_scan(ben, TEA, 1);
    rf_no_task(ben);

    char tr[64];
    REQUIRE_EQ(rf_phase(&st, "2025-03-06T10:00:00.000Z"), 0);
    static const char *const k2001[] = {MUG, MUG};
    rf_pack(cleo, "#2001", k2001, 2, 680, tr);
    REQUIRE_EQ(rf_phase(&st, "2025-03-06T10:04:00.000Z"), 0);
    rf_ship(cleo, tr);
    static const char *const k2002[] = {TOTE};
    rf_pack(cleo, "#2002", k2002, 1, 180, tr);
    REQUIRE_EQ(rf_phase(&st, "2025-03-06T10:08:00.000Z"), 0);
    rf_ship(cleo, tr);

    REQUIRE_EQ(rf_phase(&st, "2025-03-07T09:00:00.000Z"), 0);
    static const char *const k2003[] = {MUG, TEA, TEA, TEA, TEA};
    rf_pack(cleo, "#2003", k2003, 5, 940, tr);
    rf_ship(cleo, tr);
    REQUIRE_EQ(rf_phase(&st, "2025-03-07T09:05:00.000Z"), 0);
    static const char *const ksg[] = {TEA};
    rf_pack(cleo, "SG-1", ksg, 1, 150, tr);
    rf_ship(cleo, tr);
    REQUIRE_EQ(rf_phase(&st, "2025-03-07T09:09:00.000Z"), 0);
    tote_wire_msg rep;
    rf_scan_as(cleo, TOTE_WIRE_PACK_OPEN, "ORD-AMZ-1", 1, &rep);
    rf_scan_as(cleo, TOTE_WIRE_PACK_ITEM, SOCK, 0, &rep); /* not in this order */
    rf_scan_as(cleo, TOTE_WIRE_PACK_ITEM, TOTE, 1, &rep);
    rf_scan_as(cleo, TOTE_WIRE_PACK_ITEM, TOTE, 1, &rep);
    rf_pack_close(cleo, 360, tr);
    rf_ship(cleo, tr);

    REQUIRE_EQ(rf_phase(&st, "2025-03-08T10:00:00.000Z"), 0);
    rf_scan_as(cleo, TOTE_WIRE_RETURN_OPEN, "ORD-#2003", 1, &rep);
    rf_return_item(cleo, TEA, "damaged");
    rf_return_item(cleo, MUG, "changed mind");
    rf_return_close(cleo);
    fx_dev_destroy(&ana);
    fx_dev_destroy(&ben);
    fx_dev_destroy(&cleo);
    fx_station_stop(&st);
    built = 1;
}

static int setup(void)
{
    if (built)
        return 0;
    if (st.dir)
        return -1; /* a first attempt failed */
    if (fx_station_init(&st, "report-flows") != 0)
        return -1;
    atexit(cleanup);
    if (cli("import", "shopify-products", data("products.csv"), NULL, NULL, NULL) != 0 ||
        cli("import", "stock", data("stock.csv"), NULL, NULL, NULL) != 0 ||
        cli("import", "shopify-orders", data("orders.csv"), NULL, NULL, NULL) != 0 ||
        cli("import", "orders-json", data("orders.json"), NULL, NULL, NULL) != 0 ||
        cli("operator", "add", "ana", "--role", "picker", "--badge=ANA") != 0 ||
        cli("operator", "add", "ben", "--role", "picker", "--badge=BEN") != 0 ||
        cli("operator", "add", "cleo", "--role", "packer", "--badge=CLEO") != 0 ||
        cli("wave", "create", "--max-orders", "2", "--totes-per-list", "4") != 0 ||
        cli("wave", "create", "--max-orders", "3", "--totes-per-list", "4") != 0)
        return -1;
    int before = tt_failures_in_test;
    work_the_floor();
    return built && tt_failures_in_test == before ? 0 : -1;
}

static void test_flows_went_as_planned(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM orders WHERE status = 'shipped'", NULL), 5);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM alert WHERE kind = 'short_pick' AND subject = '#2001'", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM rma_line", NULL), 2);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
}

static void test_pickers(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(st.db, "pickers", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 2);
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 0), "picker"), "ben");
    /* ben: 9 pick scans, 1 refused, 8 picks of 1 unit, a short pick; active 60 s + 120 s */
    RT_CHECK_ROW(r, "picker", "ben", {"picks", 8}, {"units", 8}, {"scans", 9}, {"refused", 1},
                 {"refused_pct", 11.1}, {"short_picks", 1}, {"active_hours", 0.05},
                 {"picks_per_hour", 160.0});
    /* ana: 4 scans, 1 refused, 3 picks; active 60 s */
    RT_CHECK_ROW(r, "picker", "ana", {"picks", 3}, {"units", 3}, {"scans", 4}, {"refused", 1},
                 {"refused_pct", 25.0}, {"short_picks", 0}, {"active_hours", 0.02},
                 {"picks_per_hour", 180.0});
    rt_check_csv_matches_json(st.db, "pickers", r);
    free(rt_check_svg(st.db, st.dir, "pickers", r, "Picker", "Picks", 0));
    cJSON_Delete(r);
    /* nobody picked on the 7th */
    r = rt_report_json(st.db, "pickers", "2025-03-07", NULL);
    REQUIRE(r != NULL);
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), 0);
    cJSON_Delete(r);
}

static void test_packers(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(st.db, "packers", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 1);
    /* 22 pack/ship scans, 1 refused; 11 units; active 240+240 s and 300+240 s */
    RT_CHECK_ROW(r, "packer", "cleo", {"packages", 5}, {"orders", 5}, {"units", 11}, {"scans", 22},
                 {"refused", 1}, {"refused_pct", 4.5}, {"active_hours", 0.28}, {"packages_per_hour", 17.6});
    rt_check_csv_matches_json(st.db, "packers", r);
    free(rt_check_svg(st.db, st.dir, "packers", r, "Packer", "Packages", 0));
    cJSON_Delete(r);
    /* the 6th only: 2 packages, 7 scans (3 + 3 + 1), 480 s */
    r = rt_report_json(st.db, "packers", "2025-03-06", "2025-03-06");
    REQUIRE(r != NULL);
    RT_CHECK_ROW(r, "packer", "cleo", {"packages", 2}, {"orders", 2}, {"units", 3}, {"scans", 7},
                 {"refused", 0}, {"active_hours", 0.13}, {"packages_per_hour", 15.0});
    cJSON_Delete(r);
}

static void test_cycle_time(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(st.db, "cycle-time", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 3);
    /* received 03-06 07:00; shipped 10:04 and 10:08 (3.07 h, 3.13 h) */
    RT_CHECK_ROW(r, "day", "2025-03-06", {"orders", 2}, {"p50_hours", 3.07}, {"p90_hours", 3.13},
                 {"p99_hours", 3.13}, {"max_hours", 3.13});
    /* shipped 03-07 09:00, 09:05, 09:09: 26.00, 26.08, 26.15 h */
    RT_CHECK_ROW(r, "day", "2025-03-07", {"orders", 3}, {"p50_hours", 26.08}, {"p90_hours", 26.15},
                 {"p99_hours", 26.15}, {"max_hours", 26.15});
    /* all five, nearest rank: p50 = 3rd = 26.00, p90 = p99 = 5th */
    RT_CHECK_ROW(r, "day", "all", {"orders", 5}, {"p50_hours", 26.00}, {"p90_hours", 26.15},
                 {"p99_hours", 26.15}, {"max_hours", 26.15});
    rt_check_csv_matches_json(st.db, "cycle-time", r);
    free(rt_check_svg(st.db, st.dir, "cycle-time", r, "Shipped on", "p50 h", 1));
    cJSON_Delete(r);
}

static void test_accuracy(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(st.db, "accuracy", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 6);
    static const char *const order[] = {"login", "pack", "pick", "return", "ship", "all"};
    for (int i = 0; i < 6; i++)
        CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), i), "context"), order[i]);
    RT_CHECK_ROW(r, "context", "login", {"scans", 3}, {"refused", 0}, {"corrected", 0});
    RT_CHECK_ROW(r, "context", "pick", {"scans", 13}, {"refused", 2}, {"refused_per_1000", 153.8},
                 {"corrected", 2}, {"corrected_per_1000", 153.8});
    RT_CHECK_ROW(r, "context", "pack", {"scans", 17}, {"refused", 1}, {"refused_per_1000", 58.8},
                 {"corrected", 1}, {"corrected_per_1000", 58.8});
    RT_CHECK_ROW(r, "context", "ship", {"scans", 5}, {"refused", 0}, {"refused_per_1000", 0});
    RT_CHECK_ROW(r, "context", "return", {"scans", 3}, {"refused", 0});
    RT_CHECK_ROW(r, "context", "all", {"scans", 41}, {"refused", 3}, {"refused_per_1000", 73.2},
                 {"corrected", 3}, {"corrected_per_1000", 73.2});
    rt_check_csv_matches_json(st.db, "accuracy", r);
    free(rt_check_svg(st.db, st.dir, "accuracy", r, "Context", "Refused/1000", 0));
    cJSON_Delete(r);
}

static void test_returns(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(st.db, "returns", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 3);
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 0), "sku"), "MUG-BLU");
    RT_CHECK_ROW(r, "sku", "MUG-BLU", {"returned", 1}, {"shipped", 3}, {"rate_pct", 33.3});
    CHECK_STR(rt_str(rt_row(r, "sku", "MUG-BLU"), "reason"), "changed mind");
    RT_CHECK_ROW(r, "sku", "TEA-TIN", {"returned", 1}, {"shipped", 5}, {"rate_pct", 20.0});
    CHECK_STR(rt_str(rt_row(r, "sku", "TEA-TIN"), "reason"), "damaged");
    RT_CHECK_ROW(r, "sku", "TOTE-CNV", {"returned", 0}, {"shipped", 3}, {"rate_pct", 0});
    CHECK(rt_row(r, "sku", "SOCK-M") == NULL); /* never shipped: short */
    rt_check_csv_matches_json(st.db, "returns", r);
    char *svg = rt_check_svg(st.db, st.dir, "returns", r, "SKU", "Rate %", 0);
    CHECK_HAS(svg, "MUG-BLU (changed mind)");
    free(svg);
    cJSON_Delete(r);
    /* before the return came back */
    r = rt_report_json(st.db, "returns", NULL, "2025-03-07");
    REQUIRE(r != NULL);
    RT_CHECK_ROW(r, "sku", "MUG-BLU", {"returned", 0}, {"shipped", 3}, {"rate_pct", 0});
    cJSON_Delete(r);
}

static void test_on_time(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(st.db, "on-time", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 3);
    RT_CHECK_ROW(r, "day", "2025-03-06", {"shipped", 2}, {"with_ship_by", 0}, {"on_time", 0}, {"late", 0});
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(rt_row(r, "day", "2025-03-06"), "on_time_pct")));
    RT_CHECK_ROW(r, "day", "2025-03-07", {"shipped", 3}, {"with_ship_by", 2}, {"on_time", 1}, {"late", 1},
                 {"on_time_pct", 50.0});
    RT_CHECK_ROW(r, "day", "all", {"shipped", 5}, {"with_ship_by", 2}, {"on_time", 1}, {"late", 1},
                 {"on_time_pct", 50.0});
    rt_check_csv_matches_json(st.db, "on-time", r);
    free(rt_check_svg(st.db, st.dir, "on-time", r, "Shipped on", "On time %", 0));
    cJSON_Delete(r);
}

/* The audit log by time: every event of the range, newest first, as the
 * database holds them; --limit; a listing has no chart. */
static void test_audit(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(st.db, "audit", "2025-03-06", "2025-03-06");
    REQUIRE(r != NULL);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    long long that_day =
        fx_q(s, "SELECT COUNT(*) FROM event WHERE at >= '2025-03-06' AND at < '2025-03-07'", NULL);
    long long all = fx_q(s, "SELECT COUNT(*) FROM event", NULL);
    tote_store_destroy(&s);
    int n = cJSON_GetArraySize(rt_rows(r));
    CHECK_INT(that_day, >, 10);
    CHECK_INT(all, >, that_day);
    CHECK_EQ(n, that_day);
    const char *prev = "9";
    int shorts = 0, leased = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *row = cJSON_GetArrayItem(rt_rows(r), i);
        const char *at = rt_str(row, "at");
        CHECK(strncmp(at, "2025-03-06", 10) == 0);
        CHECK(strcmp(at, prev) <= 0); /* newest first */
        prev = at;
        const char *kind = rt_str(row, "kind");
        if (strcmp(kind, "short_pick") == 0) {
            shorts++;
            CHECK_STR(rt_str(row, "actor"), "ben");
            CHECK_STR(rt_str(row, "subject"), "order #2001");
            CHECK(strcmp(rt_str(row, "device"), "(missing)") != 0);
            CHECK_HAS(rt_str(row, "detail"), "SOCK-M");
        }
        leased += strcmp(kind, "pick_list_leased") == 0;
    }
    CHECK_EQ(shorts, 1);
    CHECK_EQ(leased, 2);
    /* the first rows of the day with --limit */
    char *out = NULL;
    REQUIRE_EQ(rt_tote(st.db, NULL, &out, NULL, "report", "audit", "--from", "2025-03-06", "--to",
                       "2025-03-06", "--limit", "3", "--json", NULL),
               0);
    cJSON *lim = out ? cJSON_Parse(out) : NULL;
    free(out);
    REQUIRE(lim != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(lim)), 3);
    for (int i = 0; i < 3; i++)
        CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(lim), i), "at"),
                  rt_str(cJSON_GetArrayItem(rt_rows(r), i), "at"));
    cJSON_Delete(lim);
    cJSON_Delete(r);
    /* the day of the return: nothing of the days before or after */
    r = rt_report_json(st.db, "audit", "2025-03-08", "2025-03-08");
    REQUIRE(r != NULL);
    CHECK_INT(cJSON_GetArraySize(rt_rows(r)), >, 0);
    const cJSON *row;
    cJSON_ArrayForEach(row, rt_rows(r)) CHECK(strncmp(rt_str(row, "at"), "2025-03-08", 10) == 0);
    cJSON_Delete(r);
    /* CSV has the same cells; --svg is refused, writing nothing */
    r = rt_report_json(st.db, "audit", NULL, NULL);
    REQUIRE(r != NULL);
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), all < 100 ? all : 100);
    rt_check_csv_matches_json(st.db, "audit", r);
    cJSON_Delete(r);
    char svg[1100], *err = NULL;
    snprintf(svg, sizeof svg, "%s/audit.svg", st.dir);
    CHECK_EQ(rt_tote(st.db, NULL, NULL, &err, "report", "audit", "--svg", svg, NULL), 2);
    CHECK_HAS(err, "no chart");
    free(err);
    CHECK(access(svg, F_OK) != 0);
}

/* `tote report audit` with one filter (flag, value) over all time, as JSON. */
static cJSON *audit_filtered(const char *flag, const char *value)
{
    char *out = NULL;
    int rc =
        rt_tote(st.db, NULL, &out, NULL, "report", "audit", flag, value, "--limit", "100000", "--json", NULL);
    cJSON *j = rc == 0 && out ? cJSON_Parse(out) : NULL;
    if (!j)
        tt_fail_msg(__FILE__, __LINE__, "report audit %s %s: exit %d, output %s", flag, value, rc,
                    out ? out : "");
    free(out);
    return j;
}

/* Each row's column key equals want (prefix: starts with it); returns the rows. */
static int rows_all(const cJSON *r, const char *key, const char *want, int prefix)
{
    int n = 0, bad = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rt_rows(r))
    {
        const char *v = rt_str(row, key);
        bad += prefix ? strncmp(v, want, strlen(want)) != 0 : strcmp(v, want) != 0;
        n++;
    }
    CHECK_EQ(bad, 0);
    return n;
}

static void test_audit_filters(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    long long by_ben = fx_q(s, "SELECT COUNT(*) FROM event WHERE actor = 'ben'", NULL);
    long long leases = fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'pick_list_leased'", NULL);
    long long orders = fx_q(s, "SELECT COUNT(*) FROM event WHERE kind LIKE 'order.%'", NULL);
    char device[64];
    snprintf(device, sizeof device, "%s",
             fx_qs(s,
                   "SELECT device FROM event WHERE device IS NOT NULL GROUP BY device ORDER BY COUNT(*) DESC "
                   "LIMIT 1",
                   NULL));
    long long from_device = fx_q(s, "SELECT COUNT(*) FROM event WHERE device = ?1", "t", device);
    long long all = fx_q(s, "SELECT COUNT(*) FROM event", NULL);
    tote_store_destroy(&s);
    CHECK_INT(by_ben, >, 0);
    CHECK_INT(leases, >, 1);
    CHECK_INT(orders, >, leases);
    CHECK_INT(from_device, >, 0);
    CHECK_INT(all, >, by_ben + leases + from_device);

    cJSON *r = audit_filtered("--actor", "ben");
    REQUIRE(r != NULL);
    CHECK_EQ(rows_all(r, "actor", "ben", 0), by_ben);
    cJSON_Delete(r);
    r = audit_filtered("--kind", "pick_list_leased");
    REQUIRE(r != NULL);
    CHECK_EQ(rows_all(r, "kind", "pick_list_leased", 0), leases);
    cJSON_Delete(r);
    r = audit_filtered("--kind", "order.*");
    REQUIRE(r != NULL);
    CHECK_EQ(rows_all(r, "kind", "order.", 1), orders);
    cJSON_Delete(r);
    r = audit_filtered("--device", device);
    REQUIRE(r != NULL);
    CHECK_EQ(rows_all(r, "device", device, 0), from_device);
    cJSON_Delete(r);
    r = audit_filtered("--actor", "nobody-at-all");
    REQUIRE(r != NULL);
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), 0);
    cJSON_Delete(r);
    /* two filters together: both hold */
    char *out = NULL;
    REQUIRE_EQ(rt_tote(st.db, NULL, &out, NULL, "report", "audit", "--actor", "ben", "--kind", "short_pick",
                       "--json", NULL),
               0);
    r = out ? cJSON_Parse(out) : NULL;
    free(out);
    REQUIRE(r != NULL);
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), 1);
    cJSON_Delete(r);
    /* a report that is not a listing refuses them; an empty value is refused */
    char *err = NULL;
    CHECK_EQ(rt_tote(st.db, NULL, NULL, &err, "report", "pickers", "--actor", "ben", NULL), 2);
    CHECK_HAS(err, "only the audit log");
    free(err);
    err = NULL;
    CHECK_EQ(rt_tote(st.db, NULL, NULL, &err, "report", "audit", "--kind", "", NULL), 2);
    CHECK_HAS(err, "--kind needs a value");
    free(err);
}

TT_MAIN(TT_TEST(test_flows_went_as_planned), TT_TEST(test_pickers), TT_TEST(test_packers),
        TT_TEST(test_cycle_time), TT_TEST(test_accuracy), TT_TEST(test_returns), TT_TEST(test_on_time),
        TT_TEST(test_audit), TT_TEST(test_audit_filters))
