/*
 * The console's snapshot kinds (tote_snapshot_console_json) and the model
 * they parse into, on a floor built by the real imports and worked through
 * the real station; then, with the station stopped, the snapshots are
 * asked in-process at a chosen time ($TOTE_NOW).
 *
 *   09:00 ana (hh-ana) leases list 1 (AMZ-1, SG-1): 5 refused scans (one with a
 *         control byte), then a tote bag; ben (hh-ben) leases list 2: 2 mugs
 *         (#2001), a mug (#2003), a tote bag (#2002), socks short (#2001: alert);
 *         cleo at bench-1 packs #2002 (closed, not shipped); a console says hello.
 *   09:04 printer zebra-1's job stops ("printer paused"); laser-1 has a job queued.
 *   asked at 09:05: AMZ-1 (ship by 03-05) is late.
 */
#include "test_report_flow.h"
#include "test_report_util.h"
#include "tote/console.h"
#include "tote/printing.h"
#include "tote/snapshot.h"

#define MUG "04006380001015"
#define TOTE "04006380001022"
#define SOCK "04006380001039"

static fx_station st;
static int built;
static char tracking[64];

static void cleanup(void)
{
    fx_station_done(&st);
}

static int cli(const char *a, const char *b, const char *c, const char *d, const char *e, const char *f)
{
    return rt_tote(st.db, "2025-03-06T07:00:00.000Z", NULL, NULL, a, b, c, d, e, f, NULL);
}

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

static void work(void)
{
    tote_wire_msg t, rep;
    REQUIRE_EQ(rf_phase(&st, "2025-03-06T09:00:00.000Z"), 0);
    fx_dev *ana = rf_device(&st, "hh-ana", TOTE_ROLE_PICKER, "ANA");
    fx_dev *ben = rf_device(&st, "hh-ben", TOTE_ROLE_PICKER, "BEN");
    fx_dev *cleo = rf_device(&st, "bench-1", TOTE_ROLE_BENCH, "CLEO");
    fx_dev *con = rf_device(&st, "console-test", TOTE_ROLE_CONSOLE, NULL);
    REQUIRE(ana && ben && cleo && con);
    REQUIRE_EQ(rf_next_pick(ana, &t), 0);
    rf_scan(ana, "NOPE\x01X", 0);
    for (int i = 0; i < 4; i++)
        rf_scan(ana, "NOPE-2", 0);
    rf_scan(ana, TOTE, 1);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    rf_scan(ben, MUG, 1);
    rf_scan(ben, MUG, 1);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    rf_scan(ben, MUG, 1);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    rf_scan(ben, TOTE, 1);
    REQUIRE_EQ(rf_next_pick(ben, &t), 0);
    CHECK_STR(t.u.task.sku, "SOCK-M");
    rf_short(ben, t.u.task.task_id);
    static const char *const k2002[] = {TOTE};
    rf_pack(cleo, "#2002", k2002, 1, 180, tracking);
    (void)rep;
    fx_dev_destroy(&ana);
    fx_dev_destroy(&ben);
    fx_dev_destroy(&cleo);
    fx_dev_destroy(&con);
    fx_station_stop(&st);

    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    setenv("TOTE_NOW", "2025-03-06T09:04:00.000Z", 1);
    long long job = 0;
    REQUIRE_EQ(tote_store_printer_put(s, "zebra-1", "socket://127.0.0.1:9", "zpl"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_store_printer_put(s, "laser-1", "socket://127.0.0.1:9", "pdf"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_store_print_job_add(s, "zebra-1", 0, "label", "zpl", "^XA^XZ", 6, "test", &job),
               TOTE_ST_E_OK);
    REQUIRE_EQ(tote_store_print_job_state(s, job, "stopped", "printer paused"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_store_print_job_add(s, "laser-1", 0, "slip", "pdf", "%PDF", 4, "test", &job),
               TOTE_ST_E_OK);
    unsetenv("TOTE_NOW");
    tote_store_destroy(&s);
    built = 1;
}

static int setup(void)
{
    if (built)
        return 0;
    if (st.dir)
        return -1;
    if (fx_station_init(&st, "console-snap") != 0)
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
    work();
    return built && tt_failures_in_test == before ? 0 : -1;
}

/* The snapshot `what` asked in-process at `now`; parsed. */
static cJSON *ask(const char *now, const char *what, const char *arg)
{
    tote_store *s = fx_store(&st);
    if (!s)
        return NULL;
    setenv("TOTE_NOW", now, 1);
    char *json = NULL;
    int rc = tote_snapshot_console_json(s, what, arg, &json);
    unsetenv("TOTE_NOW");
    tote_store_destroy(&s);
    if (rc != 0 || !json) {
        tt_fail_msg(__FILE__, __LINE__, "%s: not handled (rc %d)", what, rc);
        free(json);
        return NULL;
    }
    CHECK(strlen(json) <= TOTE_WIRE_JSON_MAX);
    cJSON *j = cJSON_Parse(json);
    if (!j)
        tt_fail_msg(__FILE__, __LINE__, "%s: not JSON: %s", what, json);
    free(json);
    return j;
}

#define NOW "2025-03-06T09:05:00.000Z"

static cJSON *find(const cJSON *arr, const char *key, const char *value)
{
    cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, key));
        if (v && strcmp(v, value) == 0)
            return x;
    }
    return NULL;
}

static double num(const cJSON *o, const char *key)
{
    return rt_num(o, key);
}

static void test_console_snapshot(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *j = ask(NOW, "console", "");
    REQUIRE(j != NULL);
    CHECK_STR(rt_str(j, "kind"), "console");
    CHECK_STR(rt_str(j, "at"), NOW);
    const cJSON *o = cJSON_GetObjectItem(j, "orders");
    CHECK_EQ(num(o, "picking"), 3); /* AMZ-1, SG-1, #2003 */
    CHECK_EQ(num(o, "picked"), 1);  /* #2001 (short) */
    CHECK_EQ(num(o, "packed"), 1);  /* #2002 */
    CHECK_EQ(num(o, "on_hold"), 1);
    CHECK_EQ(num(o, "short"), 1);
    CHECK_EQ(num(o, "late"), 1); /* AMZ-1 */

    const cJSON *waves = cJSON_GetObjectItem(j, "waves");
    REQUIRE_EQ(cJSON_GetArraySize(waves), 2);
    cJSON *w;
    cJSON_ArrayForEach(w, waves)
    {
        /* each wave one list, leased; ana's: 2 tasks open, 1 of 3 units;
           ben's: 4 of 5 tasks closed (the socks short), 4 of 9 units */
        CHECK_EQ(num(w, "lists"), 1);
        CHECK_EQ(num(w, "lists_leased"), 1);
        CHECK_EQ(num(w, "lists_done"), 0);
        if (num(w, "id") == 1) {
            CHECK_EQ(num(w, "tasks"), 2);
            CHECK_EQ(num(w, "tasks_done"), 0);
            CHECK_EQ(num(w, "units"), 3);
            CHECK_EQ(num(w, "units_done"), 1);
        } else {
            CHECK_EQ(num(w, "tasks"), 5);
            CHECK_EQ(num(w, "tasks_done"), 4);
            CHECK_EQ(num(w, "units"), 9);
            CHECK_EQ(num(w, "units_done"), 4);
        }
    }

    const cJSON *devs = cJSON_GetObjectItem(j, "devices");
    CHECK_EQ(cJSON_GetArraySize(devs), 3); /* not the console */
    CHECK(find(devs, "name", "console-test") == NULL);
    CHECK_STR(rt_str(cJSON_GetArrayItem(devs, 0), "role"), "picker"); /* pickers first */
    const cJSON *ana = find(devs, "name", "hh-ana");
    REQUIRE(ana != NULL);
    CHECK_STR(rt_str(ana, "operator"), "ana");
    CHECK_EQ(num(ana, "picks_15m"), 1);
    CHECK_EQ(num(ana, "scans_15m"), 7); /* login, 5 refused, 1 pick */
    CHECK_EQ(num(ana, "refused_15m"), 5);
    CHECK_EQ(num(ana, "refused_today"), 5);
    CHECK_EQ(num(ana, "pick_list"), 1);
    CHECK_EQ(num(ana, "list_tasks"), 2);
    CHECK_EQ(num(ana, "list_done"), 0);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(ana, "online"))); /* last seen 5 minutes ago */
    const cJSON *ben = find(devs, "name", "hh-ben");
    REQUIRE(ben != NULL);
    CHECK_EQ(num(ben, "picks_15m"), 4);
    CHECK_EQ(num(ben, "units_15m"), 4);
    CHECK_EQ(num(ben, "refused_15m"), 0);
    CHECK_EQ(num(ben, "list_tasks"), 5);
    CHECK_EQ(num(ben, "list_done"), 4); /* the short one is closed */
    const cJSON *bench = find(devs, "name", "bench-1");
    REQUIRE(bench != NULL);
    CHECK_STR(rt_str(bench, "role"), "bench");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(bench, "packing"))); /* #2002 closed */

    const cJSON *prs = cJSON_GetObjectItem(j, "printers");
    REQUIRE_EQ(cJSON_GetArraySize(prs), 2);
    const cJSON *zebra = find(prs, "name", "zebra-1");
    REQUIRE(zebra != NULL);
    CHECK_STR(rt_str(zebra, "state"), "fault");
    CHECK_STR(rt_str(zebra, "error"), "printer paused");
    CHECK_EQ(num(zebra, "failed"), 1);
    CHECK_EQ(num(zebra, "queued"), 0);
    const cJSON *laser = find(prs, "name", "laser-1");
    REQUIRE(laser != NULL);
    CHECK_STR(rt_str(laser, "state"), "printing");
    CHECK_EQ(num(laser, "queued"), 1);

    /* alerts: stored short pick; derived late order, refused scans, printer down */
    const cJSON *al = cJSON_GetObjectItem(j, "alerts");
    CHECK_EQ(cJSON_GetArraySize(al), 4);
    const cJSON *a0 = cJSON_GetArrayItem(al, 0);
    CHECK_STR(rt_str(a0, "kind"), "printer_fault"); /* newest: 09:04 */
    CHECK_STR(rt_str(a0, "key"), "printer_fault:zebra-1");
    CHECK_HAS(rt_str(a0, "message"), "printer paused");
    const cJSON *sp = find(al, "kind", "short_pick");
    REQUIRE(sp != NULL);
    CHECK_STR(rt_str(sp, "subject"), "#2001");
    CHECK(num(sp, "id") >= 1);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(sp, "derived")));
    const cJSON *rs = find(al, "kind", "refused_scans");
    REQUIRE(rs != NULL);
    CHECK_STR(rt_str(rs, "subject"), "hh-ana");
    CHECK_HAS(rt_str(rs, "message"), "5 of 7 scans refused");
    const cJSON *late = cJSON_GetArrayItem(al, 3); /* oldest: late since 03-06 00:00 */
    CHECK_STR(rt_str(late, "kind"), "late_order");
    CHECK_STR(rt_str(late, "subject"), "AMZ-1");
    CHECK_STR(rt_str(late, "at"), "2025-03-06T00:00:00.000Z");
    CHECK_EQ(num(j, "refused_threshold"), 5);
    cJSON_Delete(j);

    /* an hour later the refused scans are out of the window */
    j = ask("2025-03-06T10:05:00.000Z", "console", "");
    REQUIRE(j != NULL);
    CHECK(find(cJSON_GetObjectItem(j, "alerts"), "kind", "refused_scans") == NULL);
    CHECK_EQ(num(find(cJSON_GetObjectItem(j, "devices"), "name", "hh-ana"), "refused_15m"), 0);
    cJSON_Delete(j);
    /* before the ship-by passed, AMZ-1 was not late */
    j = ask("2025-03-05T23:59:00.000Z", "console", "");
    REQUIRE(j != NULL);
    CHECK_EQ(num(cJSON_GetObjectItem(j, "orders"), "late"), 0);
    CHECK(find(cJSON_GetObjectItem(j, "alerts"), "kind", "late_order") == NULL);
    cJSON_Delete(j);
}

static void test_device_drill_down(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *j = ask(NOW, "device", "hh-ana");
    REQUIRE(j != NULL);
    CHECK_STR(rt_str(j, "kind"), "device");
    CHECK_STR(rt_str(cJSON_GetObjectItem(j, "device"), "name"), "hh-ana");
    const cJSON *scans = cJSON_GetObjectItem(j, "scans");
    REQUIRE_EQ(cJSON_GetArraySize(scans), 7); /* login + 6 picks, newest first */
    const cJSON *s0 = cJSON_GetArrayItem(scans, 0);
    CHECK_STR(rt_str(s0, "result"), "accepted");
    CHECK_STR(rt_str(s0, "code"), TOTE);
    CHECK_STR(rt_str(s0, "order"), "AMZ-1");
    CHECK_EQ(num(s0, "qty"), 1);
    const cJSON *s1 = cJSON_GetArrayItem(scans, 1);
    CHECK_STR(rt_str(s1, "result"), "refused");
    CHECK_STR(rt_str(s1, "reason"), "UNKNOWN_BARCODE");
    /* the control byte comes out as text, never raw */
    const cJSON *s5 = cJSON_GetArrayItem(scans, 5);
    CHECK_STR(rt_str(s5, "code"), "NOPE\\x01X");
    CHECK_STR(rt_str(cJSON_GetArrayItem(scans, 6), "context"), "login");
    cJSON_Delete(j);

    j = ask(NOW, "device", "nobody");
    REQUIRE(j != NULL);
    CHECK_STR(rt_str(j, "kind"), "error");
    CHECK_STR(rt_str(j, "error"), "no device nobody");
    cJSON_Delete(j);
}

static void test_orders_by_state(void)
{
    REQUIRE_EQ(setup(), 0);
    static const struct {
        const char *state;
        int n;
        const char *first;
    } cases[] = {{"picking", 3, NULL}, {"short", 1, "#2001"},  {"late", 1, "AMZ-1"},
                 {"held", 1, "#2004"}, {"packed", 1, "#2002"}, {"shipped", 0, NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *j = ask(NOW, "orders", cases[i].state);
        REQUIRE(j != NULL);
        const cJSON *arr = cJSON_GetObjectItem(j, "orders");
        if (cJSON_GetArraySize(arr) != cases[i].n)
            tt_fail_msg(__FILE__, __LINE__, "orders %s: %d, want %d", cases[i].state, cJSON_GetArraySize(arr),
                        cases[i].n);
        if (cases[i].first)
            CHECK_STR(rt_str(cJSON_GetArrayItem(arr, 0), "name"), cases[i].first);
        cJSON_Delete(j);
    }
    cJSON *j = ask(NOW, "orders", "short");
    REQUIRE(j != NULL);
    const cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "orders"), 0);
    CHECK_EQ(num(o, "lines"), 2);
    CHECK_EQ(num(o, "units"), 3);
    CHECK_EQ(num(o, "picked"), 2);
    CHECK_EQ(num(o, "short"), 1);
    cJSON_Delete(j);
    j = ask(NOW, "orders", "lost");
    REQUIRE(j != NULL);
    CHECK_STR(rt_str(j, "kind"), "error");
    CHECK_HAS(rt_str(j, "error"), "not an order state");
    cJSON_Delete(j);
}

static int matches(const char *q, const char *first, const char *via)
{
    cJSON *j = ask(NOW, "search", q);
    if (!j)
        return -1;
    const cJSON *m = cJSON_GetObjectItem(j, "matches");
    int n = cJSON_GetArraySize(m);
    if (first && n > 0) {
        CHECK_STR(rt_str(cJSON_GetArrayItem(m, 0), "order"), first);
        CHECK_STR(rt_str(cJSON_GetArrayItem(m, 0), "via"), via);
    }
    cJSON_Delete(j);
    return n;
}

static void test_search(void)
{
    REQUIRE_EQ(setup(), 0);
    CHECK_EQ(matches("#2001", "#2001", "name"), 1);
    CHECK_EQ(matches("2001", "#2001", "name"), 1);
    CHECK_EQ(matches("#200", "#2001", "name starts"), 5);
    CHECK_EQ(matches("AMZ", "AMZ-1", "name starts"), 1);
    CHECK_EQ(matches("erin@example.com", "AMZ-1", "e-mail"), 1);
    REQUIRE(tracking[0]);
    CHECK_EQ(matches(tracking, "#2002", "tracking"), 1);
    char lower[64];
    for (size_t i = 0; i <= strlen(tracking); i++)
        lower[i] = (char)(tracking[i] >= 'A' && tracking[i] <= 'Z' ? tracking[i] + 32 : tracking[i]);
    CHECK_EQ(matches(lower, "#2002", "tracking"), 1);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    char sscc[64];
    snprintf(sscc, sizeof sscc, "%s",
             fx_qs(s, "SELECT sscc FROM package WHERE tracking = ?1", "t", tracking));
    tote_store_destroy(&s);
    REQUIRE(sscc[0]);
    CHECK_EQ(matches(sscc, "#2002", "tracking"), 1);
    char with_ai[80];
    snprintf(with_ai, sizeof with_ai, "00%s", sscc);
    CHECK_EQ(matches(with_ai, "#2002", "tracking"), 1);
    CHECK_EQ(matches("zzz", NULL, NULL), 0);
    CHECK_EQ(matches("", NULL, NULL), 0);
    CHECK_EQ(matches("%", NULL, NULL), 0); /* no pattern characters */
}

static cJSON *ack(const char *now, const char *arg)
{
    return ask(now, "ack_alert", arg);
}

static void test_acknowledge(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    long long id = fx_q(s, "SELECT id FROM alert WHERE kind = 'short_pick'", NULL);
    tote_store_destroy(&s);
    char arg[128];
    snprintf(arg, sizeof arg, "{\"alert\":\"%lld\",\"by\":\"sam\"}", id);
    cJSON *j = ack(NOW, arg);
    REQUIRE(j != NULL);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "already")));
    cJSON_Delete(j);
    snprintf(arg, sizeof arg, "%lld", id);
    j = ack(NOW, arg); /* again, plain id: nothing changes */
    REQUIRE(j != NULL);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "already")));
    cJSON_Delete(j);
    j = ack(NOW, "{\"alert\":\"late_order:AMZ-1\",\"by\":\"sam\"}");
    CHECK(j && cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    cJSON_Delete(j);
    j = ack(NOW, "refused_scans:hh-ana");
    CHECK(j && cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    cJSON_Delete(j);
    j = ack("2025-03-06T09:05:30.000Z", "{\"alert\":\"printer_fault:zebra-1\",\"by\":\"sam\"}");
    CHECK(j && cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    cJSON_Delete(j);

    j = ask("2025-03-06T09:06:00.000Z", "console", "");
    REQUIRE(j != NULL);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(j, "alerts")), 0);
    CHECK_EQ(num(cJSON_GetObjectItem(j, "orders"), "late"), 1); /* still late, just acknowledged */
    cJSON_Delete(j);

    /* what was acknowledged is recorded: the row and the audit event */
    s = fx_store(&st);
    REQUIRE(s != NULL);
    CHECK_STR(fx_qs(s, "SELECT acked_by FROM alert WHERE id = ?1", "i", id), "sam");
    CHECK_STR(fx_qs(s, "SELECT acked_at FROM alert WHERE id = ?1", "i", id), NOW);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'alert_acked'", NULL), 4);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'alert_acked' AND actor = 'sam'", NULL), 3);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'alert_acked' AND actor = 'console'", NULL), 1);
    CHECK_EQ(fx_q(s,
                  "SELECT COUNT(*) FROM alert WHERE kind = 'late_order' AND subject = 'AMZ-1' "
                  "AND acked_by = 'sam'",
                  NULL),
             1);
    /* the printer fails again after the acknowledgement: the alert is back */
    setenv("TOTE_NOW", "2025-03-06T09:07:00.000Z", 1);
    long long job = 0;
    CHECK_EQ(tote_store_print_job_add(s, "zebra-1", 0, "label", "zpl", "^XA^XZ", 6, "test", &job),
             TOTE_ST_E_OK);
    CHECK_EQ(tote_store_print_job_state(s, job, "aborted", "no ribbon"), TOTE_ST_E_OK);
    unsetenv("TOTE_NOW");
    tote_store_destroy(&s);
    j = ask("2025-03-06T09:08:00.000Z", "console", "");
    REQUIRE(j != NULL);
    const cJSON *al = cJSON_GetObjectItem(j, "alerts");
    CHECK_EQ(cJSON_GetArraySize(al), 1);
    CHECK_HAS(rt_str(cJSON_GetArrayItem(al, 0), "message"), "no ribbon");
    cJSON_Delete(j);

    /* what cannot be acknowledged */
    static const struct {
        const char *arg, *error;
    } bad[] = {{"999", "there is no alert 999"},
               {"bogus", "is not an alert"},
               {"late_order:", "is not an alert"},
               {"weather:rain", "is not an alert"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = ack(NOW, bad[i].arg);
        REQUIRE(j != NULL);
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
        CHECK_HAS(rt_str(j, "error"), bad[i].error);
        cJSON_Delete(j);
    }
}

static void test_unknown_kind(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    char *json = (char *)1;
    CHECK_EQ(tote_snapshot_console_json(s, "weather", "", &json), -1);
    CHECK(json == NULL);
    CHECK_EQ(tote_snapshot_console_json(s, NULL, "", &json), -1);
    tote_store_destroy(&s);
}

/* ---------------- the model ---------------- */

static void test_model_from_console(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    setenv("TOTE_NOW", "2025-03-06T09:00:05.000Z", 1);
    char *json = NULL;
    REQUIRE_EQ(tote_snapshot_console_json(s, "console", "", &json), 0);
    unsetenv("TOTE_NOW");
    tote_store_destroy(&s);
    tote_console_model *m = calloc(1, sizeof *m);
    char err[200];
    REQUIRE_EQ(tote_console_model_parse(m, json, err, sizeof err), 0);
    free(json);
    CHECK(m->full);
    CHECK(m->has_late);
    CHECK_EQ(m->orders[TOTE_CS_PICKING], 3);
    CHECK_EQ(m->orders[TOTE_CS_PICKED], 1);
    CHECK_EQ(m->orders[TOTE_CS_PACKED], 1);
    CHECK_EQ(m->orders[TOTE_CS_HELD], 1);
    CHECK_EQ(m->orders[TOTE_CS_SHORT], 1);
    CHECK_EQ(m->orders[TOTE_CS_LATE], 1);
    CHECK_EQ(m->orders[TOTE_CS_SHIPPED], 0);
    CHECK_EQ(m->nwaves, 2);
    CHECK_EQ(m->ndevices, 2); /* pickers */
    CHECK_EQ(m->nbenches, 1);
    CHECK_STR(m->benches[0].name, "bench-1");
    int ana = strcmp(m->devices[0].name, "hh-ana") == 0 ? 0 : 1;
    CHECK_STR(m->devices[ana].name, "hh-ana");
    CHECK(m->devices[ana].online); /* seen 5 s before */
    CHECK(m->devices[ana].has_stats);
    CHECK_EQ(m->devices[ana].refused_15m, 5);
    CHECK_EQ(m->devices[ana].pick_list, 1);
    CHECK_EQ(tote_console_per_hour(m->devices[1 - ana].picks_15m), 16);
    CHECK_EQ(m->nprinters, 2);
    CHECK(m->nalerts >= 1);
    for (int i = 0; i < m->nalerts; i++) {
        CHECK(m->alerts[i].key[0] != '\0');
        if (i > 0)
            CHECK(strcmp(m->alerts[i - 1].at, m->alerts[i].at) >= 0); /* newest first */
    }
    free(m);
}

static void test_model_from_overview(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    char *json = NULL;
    REQUIRE_EQ(tote_snapshot_json(s, "overview", "", &json), TOTE_ST_E_OK);
    tote_store_destroy(&s);
    tote_console_model *m = calloc(1, sizeof *m);
    char err[200];
    REQUIRE_EQ(tote_console_model_parse(m, json, err, sizeof err), 0);
    free(json);
    CHECK(!m->full);
    CHECK(!m->has_late);
    CHECK_EQ(m->orders[TOTE_CS_PICKING], 3);
    CHECK_EQ(m->ndevices, 2); /* the console is left out */
    CHECK_EQ(m->nbenches, 1);
    CHECK(!m->devices[0].has_stats);
    CHECK(m->nalerts >= 1);
    CHECK(m->alerts[0].id > 0);
    char want[32];
    snprintf(want, sizeof want, "%lld", m->alerts[0].id);
    CHECK_STR(m->alerts[0].key, want);
    free(m);
}

static void test_model_refuses_bad_snapshots(void)
{
    tote_console_model *m = calloc(1, sizeof *m);
    char err[200];
    static const struct {
        const char *json, *why;
    } bad[] = {{"", "not a JSON object"},
               {"[1,2]", "not a JSON object"},
               {"{\"kind\":", "not a JSON object"},
               {"{\"kind\":\"error\",\"error\":\"snapshot too large\"}",
                "could not make the snapshot: snapshot too large"},
               {"{\"kind\":\"order\"}", "'order' snapshot"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_EQ(tote_console_model_parse(m, bad[i].json, err, sizeof err), -1);
        CHECK_HAS(err, bad[i].why);
    }
    /* wrong types inside are read as nothing, never a crash */
    CHECK_EQ(tote_console_model_parse(m,
                                      "{\"kind\":\"console\",\"orders\":{\"picking\":\"x\"},\"waves\":7,"
                                      "\"devices\":[1,{\"name\":5}],\"alerts\":{}}",
                                      err, sizeof err),
             0);
    CHECK_EQ(m->orders[TOTE_CS_PICKING], 0);
    CHECK_EQ(m->nwaves, 0);
    CHECK_EQ(m->ndevices, 2);
    CHECK_STR(m->devices[1].name, "");
    free(m);
}

static void test_format_helpers(void)
{
    char b[64];
    tote_console_bar(b, 12, 0, 10);
    CHECK_STR(b, "[..........]");
    tote_console_bar(b, 12, 5, 10);
    CHECK_STR(b, "[#####.....]");
    tote_console_bar(b, 12, 10, 10);
    CHECK_STR(b, "[##########]");
    tote_console_bar(b, 12, 99, 100); /* not done: never full */
    CHECK_STR(b, "[#########.]");
    tote_console_bar(b, 12, 1, 1000); /* started: shows */
    CHECK_STR(b, "[#.........]");
    tote_console_bar(b, 12, 3, 0);
    CHECK_STR(b, "[..........]");
    tote_console_bar(b, 1, 1, 1);
    CHECK_STR(b, "[#]");
    tote_console_bar(b, 12, 20, 10);
    CHECK_STR(b, "[##########]");

    const char *now = "2025-03-06T10:00:00.000Z";
    tote_console_age("2025-03-06T09:59:48.000Z", now, b, sizeof b);
    CHECK_STR(b, "12s");
    tote_console_age("2025-03-06T09:55:00.000Z", now, b, sizeof b);
    CHECK_STR(b, "5m");
    tote_console_age("2025-03-06T07:00:00.000Z", now, b, sizeof b);
    CHECK_STR(b, "3h");
    tote_console_age("2025-03-04T10:00:00.000Z", now, b, sizeof b);
    CHECK_STR(b, "2d");
    tote_console_age("2025-03-06T10:00:09.000Z", now, b, sizeof b); /* clocks apart: 0 */
    CHECK_STR(b, "0s");
    tote_console_age("", now, b, sizeof b);
    CHECK_STR(b, "-");
    tote_console_age("yesterday", now, b, sizeof b);
    CHECK_STR(b, "-");
    CHECK_EQ(tote_console_parse_time("1970-01-01T00:01:00.000Z"), 60);
    CHECK_EQ(tote_console_parse_time("2025-03-06"), -1);
    CHECK_EQ(tote_console_per_hour(3), 12);
    CHECK_STR(tote_console_state_name(TOTE_CS_HELD), "held");
    CHECK_STR(tote_console_state_name(TOTE_CS_LATE), "late");
    CHECK_STR(tote_console_state_name(TOTE_CS_COUNT), "?");
}

/* A package closed and not shipped (its label never scanned) raises
 * label_unconfirmed once alert_label_minutes (a setting, default 10) have
 * passed since the close; shipping it (the label scanned) or acknowledging
 * the alert quiets it. Runs after test_acknowledge: it ships and packs. */
static void test_label_not_confirmed(void)
{
    REQUIRE_EQ(setup(), 0);
    REQUIRE(tracking[0] != '\0');
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    CHECK_STR(fx_qs(s, "SELECT status FROM package WHERE tracking = ?1", "t", tracking), "closed");
    CHECK_STR(fx_qs(s, "SELECT closed_at FROM package WHERE tracking = ?1", "t", tracking),
              "2025-03-06T09:00:00.000Z");
    tote_store_destroy(&s);
    char key[96], want[160];
    snprintf(key, sizeof key, "label_unconfirmed:%s", tracking);
    snprintf(want, sizeof want, "#2002 package 1: label not confirmed: reprint with tote label reprint %s",
             tracking);

    /* 10 minutes after the close, not before */
    cJSON *j = ask("2025-03-06T09:09:59.000Z", "console", "");
    REQUIRE(j != NULL);
    CHECK(find(cJSON_GetObjectItem(j, "alerts"), "kind", "label_unconfirmed") == NULL);
    cJSON_Delete(j);
    j = ask("2025-03-06T09:10:01.000Z", "console", "");
    REQUIRE(j != NULL);
    const cJSON *a = find(cJSON_GetObjectItem(j, "alerts"), "kind", "label_unconfirmed");
    REQUIRE(a != NULL);
    CHECK_STR(rt_str(a, "subject"), tracking);
    CHECK_STR(rt_str(a, "key"), key);
    CHECK_STR(rt_str(a, "message"), want);
    CHECK_STR(rt_str(a, "at"), "2025-03-06T09:10:00.000Z");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(a, "derived")));
    cJSON_Delete(j);

    /* the setting: 3 minutes; nonsense refused */
    CHECK_EQ(cli("config", "set", "alert_label_minutes", "3", NULL, NULL), 0);
    CHECK_EQ(cli("config", "set", "alert_label_minutes", "0", NULL, NULL), 2);
    CHECK_EQ(cli("config", "set", "alert_label_minutes", "soon", NULL, NULL), 2);
    j = ask("2025-03-06T09:03:30.000Z", "console", "");
    REQUIRE(j != NULL);
    a = find(cJSON_GetObjectItem(j, "alerts"), "kind", "label_unconfirmed");
    REQUIRE(a != NULL);
    CHECK_STR(rt_str(a, "at"), "2025-03-06T09:03:00.000Z");
    cJSON_Delete(j);
    CHECK_EQ(cli("config", "set", "alert_label_minutes", "10", NULL, NULL), 0);

    /* 09:20 at bench-2: #2002's label scanned (shipped); #2001 packed and closed */
    REQUIRE_EQ(rf_phase(&st, "2025-03-06T09:20:00.000Z"), 0);
    fx_dev *cleo = rf_device(&st, "bench-2", TOTE_ROLE_BENCH, "CLEO");
    REQUIRE(cleo != NULL);
    rf_ship(cleo, tracking);
    static const char *const k2001[] = {MUG, MUG};
    char tracking2[64] = "";
    rf_pack(cleo, "#2001", k2001, 2, 680, tracking2);
    fx_dev_destroy(&cleo);
    fx_station_stop(&st);
    REQUIRE(tracking2[0] != '\0');

    j = ask("2025-03-06T09:31:00.000Z", "console", "");
    REQUIRE(j != NULL);
    const cJSON *al = cJSON_GetObjectItem(j, "alerts");
    CHECK(find(al, "subject", tracking) == NULL); /* shipped */
    a = find(al, "kind", "label_unconfirmed");
    REQUIRE(a != NULL);
    CHECK_STR(rt_str(a, "subject"), tracking2);
    CHECK_HAS(rt_str(a, "message"), "#2001 package 1: label not confirmed");
    cJSON_Delete(j);

    /* acknowledged: quiet for that package */
    snprintf(want, sizeof want, "{\"alert\":\"label_unconfirmed:%.63s\",\"by\":\"sam\"}", tracking2);
    j = ack("2025-03-06T09:31:00.000Z", want);
    CHECK(j && cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    cJSON_Delete(j);
    j = ask("2025-03-06T09:45:00.000Z", "console", "");
    REQUIRE(j != NULL);
    CHECK(find(cJSON_GetObjectItem(j, "alerts"), "kind", "label_unconfirmed") == NULL);
    cJSON_Delete(j);
}

/* test_acknowledge changes what is open: it runs last but one (then
 * test_label_not_confirmed ships and packs) */
TT_MAIN(TT_TEST(test_console_snapshot), TT_TEST(test_device_drill_down), TT_TEST(test_orders_by_state),
        TT_TEST(test_search), TT_TEST(test_unknown_kind), TT_TEST(test_model_from_console),
        TT_TEST(test_model_from_overview), TT_TEST(test_model_refuses_bad_snapshots),
        TT_TEST(test_format_helpers), TT_TEST(test_acknowledge), TT_TEST(test_label_not_confirmed))
