/*
 * Packing, shipping and returns through the real `tote serve`: a multi-line
 * order picked, packed, weighed, closed (S10 tracking, SSCC), shipped by
 * scanning its label, listed by `tote manifest`, then returned; every pack
 * and return refusal by name; supervisor overrides.
 */
#include "fixture_server.h"
#include "tote/orders.h"
#include "tote/s10.h"

static char ga[15], gb[15], gd[15];

static const char *gtin_of(const char *sku)
{
    return strcmp(sku, "SKU-A") == 0 ? ga : strcmp(sku, "SKU-B") == 0 ? gb : gd;
}

/* #6001 A x2 + B x1; #6002 A x1 + B x1; #6003 B x1; all picked by Ann. */
static int prepare_picked(fx_station *st)
{
    fx_station_init(st, "pack");
    tote_store *s = fx_store(st);
    fx_gtin("0871234600001", ga);
    fx_gtin("0871234600002", gb);
    fx_gtin("0871234600004", gd);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, ga, 1200);
    long long b = fx_product(s, "SKU-B", "Red plate", 500, gb, 900);
    fx_product(s, "SKU-D", "Green bowl", 400, gd, 700);
    fx_stock(s, a, "A-01", 10, 20, NULL, NULL);
    fx_stock(s, b, "B-01", 20, 20, NULL, NULL);
    char badge[65];
    tote_operator_add(s, "Ann", "picker", "ANN", "test", badge);
    tote_operator_add(s, "Pat", "packer", "PAT", "test", badge);
    tote_operator_add(s, "Sue", "supervisor", "SUE", "test", badge);
    /* pack-1 prints its labels on zebra1 (queued; no CUPS needed to queue) */
    tote_device_add(s, "pack-1", "packer", "zebra1", NULL, "test");
    const char *l1[] = {"SKU-A", "SKU-B"};
    const long long q1[] = {2, 1};
    const long long p1[] = {1200, 900};
    fx_order(s, "#6001", 0, 2, l1, q1, p1);
    fx_order(s, "#6002", 0, 2, l1, (const long long[]){1, 1}, p1);
    fx_order(s, "#6003", 0, 1, (const char *[]){"SKU-B"}, (const long long[]){1}, NULL);
    long long wave = fx_wave(s, 4);
    tote_store_destroy(&s);
    if (wave <= 0 || fx_station_start(st, NULL, 0) != 0)
        return -1;
    fx_dev *d = fx_dev_new(st, "hh-pick");
    tote_wire_msg rep;
    fx_hello(d, TOTE_ROLE_PICKER, &rep);
    fx_scan(d, "BADGE-ANN", &rep);
    for (int guard = 0; guard < 20; guard++) {
        if (fx_next(d, &rep) != 0)
            return -1;
        if (rep.type != TOTE_WIRE_TASK)
            break;
        char sku[65];
        snprintf(sku, sizeof sku, "%s", rep.u.task.sku);
        uint32_t n = rep.u.task.qty_total - rep.u.task.qty_done;
        for (uint32_t i = 0; i < n; i++)
            if (fx_scan(d, gtin_of(sku), &rep) != 0 || !rep.u.result.accepted)
                return -1;
    }
    fx_dev_destroy(&d);
    return 0;
}

static fx_dev *bench(fx_station *st, const char *name, tote_wire_role role, const char *badge)
{
    fx_dev *d = fx_dev_new(st, name);
    tote_wire_msg rep;
    fx_hello(d, role, &rep);
    char scan[64];
    snprintf(scan, sizeof scan, "BADGE-%s", badge);
    fx_scan(d, scan, &rep);
    return d;
}

static int pack_call(fx_dev *d, tote_wire_type type, tote_wire_msg *rep, uint32_t arg, const char *text)
{
    tote_wire_msg m;
    fx_req(d, &m, type);
    if (type == TOTE_WIRE_PACK_WEIGHT)
        m.u.weight.grams = arg;
    else if (type == TOTE_WIRE_PACK_CLOSE) {
        snprintf(m.u.pack_close.carton, sizeof m.u.pack_close.carton, "%s", text ? text : "");
        m.u.pack_close.more = (uint8_t)arg; /* 1: more cartons follow */
    } else if (type == TOTE_WIRE_OVERRIDE) {
        m.u.override_.kind = (uint8_t)arg;
        snprintf(m.u.override_.badge, sizeof m.u.override_.badge, "%s", text);
    }
    return fx_call(d, &m, rep);
}

#define EXPECT_PACK(rep, why)                                                       \
    do {                                                                            \
        CHECK_EQ((rep).type, TOTE_WIRE_PACK_STATE);                                 \
        CHECK_EQ((rep).u.pack_state.reason, TOTE_REASON_##why);                     \
        CHECK_EQ((rep).u.pack_state.accepted, TOTE_REASON_##why == TOTE_REASON_OK); \
        CHECK((rep).u.pack_state.message[0] != '\0');                               \
    } while (0)

static const char *tote_of(fx_station *st, const char *order)
{
    static char buf[80];
    tote_store *s = fx_store(st);
    snprintf(buf, sizeof buf, "TOTE-%s", fx_qs(s, "SELECT tote FROM orders WHERE name = ?1", "t", order));
    tote_store_destroy(&s);
    return buf;
}

/* Packs and closes an order on d (weight right); returns the tracking in out. */
static int pack_order(fx_dev *d, fx_station *st, const char *order, int a, int b, char tracking[65])
{
    tote_wire_msg rep;
    if (fx_scan(d, tote_of(st, order), &rep) != 0 || !rep.u.pack_state.accepted)
        return -1;
    for (int i = 0; i < a; i++)
        fx_scan(d, ga, &rep);
    for (int i = 0; i < b; i++)
        fx_scan(d, gb, &rep);
    pack_call(d, TOTE_WIRE_PACK_WEIGHT, &rep, (uint32_t)(a * 300 + b * 500), NULL);
    if (pack_call(d, TOTE_WIRE_PACK_CLOSE, &rep, 0, "BOX-S") != 0 || !rep.u.pack_state.accepted)
        return -1;
    snprintf(tracking, 65, "%s", rep.u.pack_state.tracking);
    return 0;
}

static void test_pack_ship_and_refusals(void)
{
    fx_station st;
    REQUIRE_EQ(prepare_picked(&st), 0);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM orders WHERE status = 'picked'", NULL), 3);
    /* #6003 goes on hold at the packing bench */
    CHECK_EQ(tote_order_hold(s, "#6003", "sue", NULL, "customer called", NULL), TOTE_ST_E_OK);
    tote_store_destroy(&s);

    fx_dev *p1 = bench(&st, "pack-1", TOTE_ROLE_PACKER, "PAT");
    fx_dev *hh = bench(&st, "hh-2", TOTE_ROLE_PICKER, "ANN");
    tote_wire_msg rep;

    /* a picker may not pack */
    REQUIRE_EQ(fx_scan_as(hh, TOTE_WIRE_PACK_OPEN, "", "ORD-#6001", &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.reason, TOTE_REASON_ROLE_DENIED);

    REQUIRE_EQ(fx_next(p1, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_EQ(rep.u.task.kind, TOTE_TASK_PACK);
    CHECK_STR(rep.u.task.order, "#6001");
    CHECK_EQ(rep.u.task.qty_total, 3);

    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    EXPECT_PACK(rep, NO_PACKAGE);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 0, NULL), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.reason, TOTE_REASON_NO_PACKAGE);
    REQUIRE_EQ(fx_scan(p1, "ORD-#9999", &rep), 0);
    EXPECT_PACK(rep, UNKNOWN_BARCODE);
    REQUIRE_EQ(fx_scan(p1, "ORD-#6003", &rep), 0);
    EXPECT_PACK(rep, ORDER_HELD);

    REQUIRE_EQ(fx_scan(p1, tote_of(&st, "#6001"), &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_STR(rep.u.pack_state.order, "#6001");
    CHECK_EQ(rep.u.pack_state.status, 1);
    CHECK_EQ(rep.u.pack_state.package_no, 1);
    REQUIRE_EQ(rep.u.pack_state.line_count, 2);
    CHECK_STR(rep.u.pack_state.lines[0].sku, "SKU-A");
    CHECK_STR(rep.u.pack_state.lines[0].gtin, ga);
    CHECK_EQ(rep.u.pack_state.lines[0].expected, 2);
    CHECK_EQ(rep.u.pack_state.lines[0].packed, 0);

    REQUIRE_EQ(fx_scan(p1, gd, &rep), 0);
    EXPECT_PACK(rep, NOT_IN_ORDER);
    REQUIRE_EQ(fx_scan(p1, gb, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.lines[1].packed, 1);
    REQUIRE_EQ(fx_scan_as(p1, TOTE_WIRE_PACK_ITEM, "", gb, &rep), 0);
    EXPECT_PACK(rep, OVER_PACK);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 0, NULL), 0);
    EXPECT_PACK(rep, INCOMPLETE);
    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.feedback, TOTE_FEEDBACK_DONE);
    CHECK_EQ(rep.u.pack_state.expected_weight_g, 1100);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 0, NULL), 0);
    EXPECT_PACK(rep, NOT_WEIGHED);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_WEIGHT, &rep, 2000, NULL), 0);
    EXPECT_PACK(rep, WEIGHT_MISMATCH);
    CHECK_EQ(rep.u.pack_state.weight_g, 2000);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 0, NULL), 0);
    EXPECT_PACK(rep, WEIGHT_MISMATCH);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_OVERRIDE, &rep, TOTE_OVERRIDE_WEIGHT, "PAT"), 0);
    EXPECT_PACK(rep, ROLE_DENIED);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_OVERRIDE, &rep, TOTE_OVERRIDE_WEIGHT, "NOPE"), 0);
    EXPECT_PACK(rep, BAD_BADGE);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_OVERRIDE, &rep, TOTE_OVERRIDE_WEIGHT, "SUE"), 0);
    EXPECT_PACK(rep, OK);
    /* re-weighed within 5 %: no override needed any more */
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_WEIGHT, &rep, 1120, NULL), 0);
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 0, "BOX-M"), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.status, 2);
    char tracking1[65], sscc1[65];
    snprintf(tracking1, sizeof tracking1, "%s", rep.u.pack_state.tracking);
    snprintf(sscc1, sizeof sscc1, "%s", rep.u.pack_state.sscc);
    CHECK_EQ(strlen(tracking1), 13);
    CHECK(tote_s10_valid(tracking1, strlen(tracking1)));
    CHECK(strncmp(tracking1, "LX", 2) == 0 && strcmp(tracking1 + 11, "NL") == 0);
    CHECK_EQ(strlen(sscc1), 18);
    CHECK(tote_gs1_check_valid(sscc1, 18));

    /* #6002 on another bench: a short close needs a supervisor */
    fx_dev *p2 = bench(&st, "pack-2", TOTE_ROLE_PACKER, "PAT");
    REQUIRE_EQ(fx_scan(p2, "ORD-#6002", &rep), 0);
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(fx_scan(p2, gb, &rep), 0);
    REQUIRE_EQ(pack_call(p2, TOTE_WIRE_PACK_WEIGHT, &rep, 500, NULL), 0);
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(pack_call(p2, TOTE_WIRE_PACK_CLOSE, &rep, 0, NULL), 0);
    EXPECT_PACK(rep, INCOMPLETE);
    /* the badge as it reads, BADGE-<code>, as the handheld's help writes it */
    REQUIRE_EQ(pack_call(p2, TOTE_WIRE_OVERRIDE, &rep, TOTE_OVERRIDE_SHORT_CLOSE, "BADGE-SUE"), 0);
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(pack_call(p2, TOTE_WIRE_PACK_CLOSE, &rep, 0, NULL), 0);
    EXPECT_PACK(rep, OK);
    CHECK_HAS(rep.u.pack_state.message, "closed short");
    CHECK_HAS(rep.u.pack_state.message, "1 picked unit not packed");
    char tracking2[65];
    snprintf(tracking2, sizeof tracking2, "%s", rep.u.pack_state.tracking);
    CHECK(strcmp(tracking1, tracking2) != 0);

    /* the label of #6002 on #6001's parcel */
    REQUIRE_EQ(fx_scan(p1, tracking2, &rep), 0);
    EXPECT_PACK(rep, WRONG_LABEL);
    REQUIRE_EQ(fx_scan(p1, "ORD-#6002", &rep), 0);
    EXPECT_PACK(rep, NOT_PACKABLE);
    REQUIRE_EQ(fx_scan_as(p1, TOTE_WIRE_LABEL_CONFIRM, "", tracking1, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.status, 3);
    REQUIRE_EQ(fx_scan(p2, tracking2, &rep), 0);
    EXPECT_PACK(rep, OK);

    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT status FROM orders WHERE name = '#6001'", NULL), "shipped");
    CHECK_STR(fx_qs(s, "SELECT status FROM orders WHERE name = '#6002'", NULL), "shipped");
    CHECK_EQ(fx_q(s,
                  "SELECT SUM(shipped) FROM order_line ol JOIN orders o ON o.id = ol.order_id "
                  "WHERE o.name = '#6001'",
                  NULL),
             3);
    CHECK_EQ(fx_q(s,
                  "SELECT SUM(shipped) FROM order_line ol JOIN orders o ON o.id = ol.order_id "
                  "WHERE o.name = '#6002'",
                  NULL),
             1);
    CHECK_STR(fx_qs(s, "SELECT weight_override_by FROM package WHERE tracking = ?1", "t", tracking1), "");
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'override_weight' AND actor = 'Sue'", NULL), 1);
    CHECK_EQ(
        fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'override_short_close' AND actor = 'Sue'", NULL), 1);
    /* the unit left out of #6002's package is off its bin and in no package:
     * an alert says so, with what to do */
    CHECK_HAS(
        fx_qs(s, "SELECT message FROM alert WHERE kind = 'short_close' AND subject = '#6002'", NULL),
        "order #6002 closed short: 1 picked unit not packed; put it back in its bin (tote stock adjust)");
    CHECK_STR(fx_qs(s, "SELECT carton FROM package WHERE tracking = ?1", "t", tracking1), "BOX-M");
    /* closing queued the label on the bench's printer, with the label stored */
    CHECK_EQ(fx_q(s,
                  "SELECT COUNT(*) FROM print_job j JOIN package p ON p.id = j.package_id "
                  "WHERE p.tracking = ?1 AND j.kind = 'label' AND j.printer = 'zebra1'",
                  "t", tracking1),
             1);
    CHECK_HAS(fx_qs(s, "SELECT label_zpl FROM package WHERE tracking = ?1", "t", tracking1), "^XA");
    CHECK_HAS(fx_qs(s, "SELECT label_zpl FROM package WHERE tracking = ?1", "t", tracking1), tracking1);
    tote_store_destroy(&s);

    char *out = NULL;
    REQUIRE_EQ(fx_cli(&st, &out, "manifest", "--json", NULL), 0);
    cJSON *j = cJSON_Parse(out);
    free(out);
    REQUIRE(j != NULL);
    CHECK_EQ(cJSON_GetArraySize(j), 2);
    cJSON *first = cJSON_GetArrayItem(j, 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "order")), "#6001");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "tracking")), tracking1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "sscc")), sscc1);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(first, "weight_g")), 1120);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "country")), "NL");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "service")), "LX");
    cJSON_Delete(j);
    /* the text a shipping clerk reads: one row per package, the total weight */
    REQUIRE_EQ(fx_cli(&st, &out, "manifest", NULL), 0);
    char row[200];
    CHECK(strncmp(out, "Manifest ", 9) == 0);
    CHECK_HAS(out,
              ": 2 packages\nORDER  PKG  TRACKING       SSCC                WEIGHT_G  SVC  CTY  UNITS\n");
    snprintf(row, sizeof row, "\n#6001    1  %s  %s      1120  LX   NL       3\n", tracking1, sscc1);
    CHECK_HAS(out, row);
    snprintf(row, sizeof row, "\n#6002    1  %s  ", tracking2);
    CHECK_HAS(out, row);
    CHECK_HAS(out, "\ntotal weight 1620 g\n");
    free(out);
    REQUIRE_EQ(fx_cli(&st, &out, "manifest", "--date", "2001-01-01", "--json", NULL), 0);
    CHECK_STR(out, "[]\n");
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "manifest", "--date", "yesterday", NULL), 2);
    free(out);
    out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "manifest", "--date", "2026-02-30", NULL), 2); /* no such day */
    free(out);
    out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "manifest", "--date", "2024-02-29", "--json", NULL), 0); /* a leap day is */
    free(out);

    /* the order's own view lists its package: JSON, then the text */
    REQUIRE_EQ(fx_cli(&st, &out, "order", "show", "#6001", "--json", NULL), 0);
    j = cJSON_Parse(out);
    free(out);
    REQUIRE(j != NULL);
    cJSON *pkgs = cJSON_GetObjectItem(j, "packages");
    CHECK_EQ(cJSON_GetArraySize(pkgs), 1);
    cJSON *pk = cJSON_GetArrayItem(pkgs, 0);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(pk, "package_no")), 1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(pk, "status")), "shipped");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(pk, "carton")), "BOX-M");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(pk, "tracking")), tracking1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(pk, "sscc")), sscc1);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(pk, "weight_g")), 1120);
    CHECK(cJSON_IsString(cJSON_GetObjectItem(pk, "created_at")));
    CHECK(cJSON_IsString(cJSON_GetObjectItem(pk, "shipped_at")));
    cJSON_Delete(j);
    REQUIRE_EQ(fx_cli(&st, &out, "order", "show", "#6001", NULL), 0);
    char want[200];
    snprintf(want, sizeof want, "\n  1  shipped  BOX-M  %s  SSCC %s\n", tracking1, sscc1);
    CHECK_HAS(out, "\n  packages\n");
    CHECK_HAS(out, want);
    free(out);

    fx_dev_destroy(&p1);
    fx_dev_destroy(&p2);
    fx_dev_destroy(&hh);
    fx_station_done(&st);
}

/* An empty package cannot be weighed. A weighing part-way through stops
 * counting once an item is added after it: every later PACK_STATE shows the
 * expected weight of the units packed so far, not the one worked out for
 * that weighing. */
static void test_expected_weight_after_a_weighing(void)
{
    fx_station st;
    REQUIRE_EQ(prepare_picked(&st), 0);
    fx_dev *p1 = bench(&st, "pack-1", TOTE_ROLE_PACKER, "PAT");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_scan(p1, tote_of(&st, "#6001"), &rep), 0);
    EXPECT_PACK(rep, OK);
    /* an empty package has nothing to weigh: refused, nothing recorded */
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_WEIGHT, &rep, 250, NULL), 0);
    EXPECT_PACK(rep, INCOMPLETE);
    CHECK_HAS(rep.u.pack_state.message, "the package is empty: scan the items first");
    CHECK_EQ(rep.u.pack_state.weight_g, 0);
    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.expected_weight_g, 300);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_WEIGHT, &rep, 300, NULL), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.expected_weight_g, 300);
    CHECK_EQ(rep.u.pack_state.weight_g, 300);
    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.weight_g, 0); /* the weighing no longer counts */
    CHECK_EQ(rep.u.pack_state.expected_weight_g, 600);
    REQUIRE_EQ(fx_scan(p1, gb, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.expected_weight_g, 1100);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_WEIGHT, &rep, 1100, NULL), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.expected_weight_g, 1100);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 0, "BOX-S"), 0);
    EXPECT_PACK(rep, OK);
    fx_dev_destroy(&p1);
    fx_station_done(&st);
}

/* An order in two cartons: PACK_CLOSE with `more` closes the first while
 * items are left (no supervisor, no short-close alert), the order stays
 * packing; shipping the first carton does not ship the order; the bench's
 * NEXT_TASK offers the order again, its tote opens package 2, and closing
 * that one (nothing left) packs the order; its label ships it. */
static void test_an_order_in_two_cartons(void)
{
    fx_station st;
    REQUIRE_EQ(prepare_picked(&st), 0);
    fx_dev *p1 = bench(&st, "pack-1", TOTE_ROLE_PACKER, "PAT");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_scan(p1, tote_of(&st, "#6001"), &rep), 0); /* A x2 + B x1 */
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(fx_scan(p1, gb, &rep), 0);
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_WEIGHT, &rep, 500, NULL), 0);
    EXPECT_PACK(rep, OK);
    /* without `more`: still refused */
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 0, "BOX-S"), 0);
    EXPECT_PACK(rep, INCOMPLETE);
    CHECK_HAS(rep.u.pack_state.message, "2 items still to pack");
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 1, "BOX-S"), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.package_no, 1);
    CHECK_HAS(rep.u.pack_state.message, "carton 1 closed");
    CHECK_HAS(rep.u.pack_state.message, "2 items for the next carton");
    char first[65];
    snprintf(first, sizeof first, "%s", rep.u.pack_state.tracking);
    CHECK(first[0] != '\0');
    REQUIRE_EQ(fx_scan_as(p1, TOTE_WIRE_LABEL_CONFIRM, "", first, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_HAS(rep.u.pack_state.message, "more packages to come");
    tote_store *s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT status FROM orders WHERE name = '#6001'", NULL), "packing");
    tote_store_destroy(&s);

    /* the bench goes on with the same order */
    REQUIRE_EQ(fx_next(p1, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK_STR(rep.u.task.order, "#6001");
    CHECK_EQ(rep.u.task.qty_total, 2);
    REQUIRE_EQ(fx_scan(p1, tote_of(&st, "#6001"), &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.package_no, 2);
    CHECK_HAS(rep.u.pack_state.message, "2 items to pack");
    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_WEIGHT, &rep, 600, NULL), 0);
    EXPECT_PACK(rep, OK);
    /* `more` with nothing left is a plain close */
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 1, "BOX-M"), 0);
    EXPECT_PACK(rep, OK);
    CHECK_HAS(rep.u.pack_state.message, "closed: ");
    char second[65];
    snprintf(second, sizeof second, "%s", rep.u.pack_state.tracking);
    CHECK(strcmp(first, second) != 0);
    REQUIRE_EQ(fx_scan_as(p1, TOTE_WIRE_LABEL_CONFIRM, "", second, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK(strstr(rep.u.pack_state.message, "more packages to come") == NULL);

    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT status FROM orders WHERE name = '#6001'", NULL), "shipped");
    CHECK_EQ(fx_q(s,
                  "SELECT COUNT(*) FROM package p JOIN orders o ON o.id = p.order_id WHERE o.name = '#6001' "
                  "AND p.status = 'shipped'",
                  NULL),
             2);
    CHECK_EQ(fx_q(s,
                  "SELECT SUM(l.shipped) FROM order_line l JOIN orders o ON o.id = l.order_id "
                  "WHERE o.name = '#6001'",
                  NULL),
             3);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM alert WHERE kind = 'short_close'", NULL), 0);
    CHECK_EQ(fx_q(s,
                  "SELECT COUNT(*) FROM event WHERE kind = 'package_closed' AND "
                  "json_extract(detail, '$.units_for_next_carton') = 2",
                  NULL),
             1);
    tote_store_destroy(&s);
    fx_dev_destroy(&p1);
    fx_station_done(&st);
}

static int return_item(fx_dev *d, const char *gtin, tote_return_disposition disp, const char *loc,
                       tote_wire_msg *rep)
{
    tote_wire_msg m;
    fx_req(d, &m, TOTE_WIRE_RETURN_ITEM);
    fx_fill_scan(&m.u.return_item.scan, "", gtin);
    m.u.return_item.disposition = (uint8_t)disp;
    snprintf(m.u.return_item.location, sizeof m.u.return_item.location, "%s", loc);
    snprintf(m.u.return_item.reason, sizeof m.u.return_item.reason, "customer changed mind");
    return fx_call(d, &m, rep);
}

static void test_returns(void)
{
    fx_station st;
    REQUIRE_EQ(prepare_picked(&st), 0);
    fx_dev *b = bench(&st, "bench-1", TOTE_ROLE_BENCH, "PAT");
    char tracking[65];
    REQUIRE_EQ(pack_order(b, &st, "#6001", 2, 1, tracking), 0);
    tote_wire_msg rep;
    REQUIRE_EQ(fx_scan(b, tracking, &rep), 0);
    EXPECT_PACK(rep, OK); /* shipped */

    REQUIRE_EQ(return_item(b, ga, TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, NO_PACKAGE);
    REQUIRE_EQ(fx_scan_as(b, TOTE_WIRE_RETURN_OPEN, "", "ORD-#6002", &rep), 0);
    EXPECT_PACK(rep, NOT_RETURNABLE);
    /* at a bench the tracking barcode of a shipped parcel opens a return */
    REQUIRE_EQ(fx_scan(b, tracking, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_STR(rep.u.pack_state.order, "#6001");
    CHECK_EQ(rep.u.pack_state.lines[0].expected, 2);
    CHECK_EQ(rep.u.pack_state.lines[0].packed, 0);

    REQUIRE_EQ(return_item(b, gd, TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, NOT_IN_ORDER);
    REQUIRE_EQ(return_item(b, gb, TOTE_RETURN_RESTOCK, "Z-99", &rep), 0);
    EXPECT_PACK(rep, WRONG_BIN);
    REQUIRE_EQ(return_item(b, ga, TOTE_RETURN_RESTOCK, "", &rep), 0); /* back to A-01 */
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.lines[0].packed, 1);
    REQUIRE_EQ(return_item(b, ga, TOTE_RETURN_QUARANTINE, "", &rep), 0);
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(return_item(b, ga, TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, NOT_RETURNABLE);
    tote_wire_msg m;
    fx_req(b, &m, TOTE_WIRE_RETURN_CLOSE);
    REQUIRE_EQ(fx_call(b, &m, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.status, 2);
    CHECK_HAS(rep.u.pack_state.message, "24.00 EUR");
    fx_req(b, &m, TOTE_WIRE_RETURN_CLOSE);
    REQUIRE_EQ(fx_call(b, &m, &rep), 0);
    EXPECT_PACK(rep, NO_PACKAGE);

    fx_station_stop(&st);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s,
                  "SELECT returned FROM order_line WHERE sku = 'SKU-A' AND order_id = "
                  "(SELECT id FROM orders WHERE name = '#6001')",
                  NULL),
             2);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM stock_move WHERE kind = 'return'", NULL), 2);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM rma_line", NULL), 2);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM rma_line WHERE disposition = 'quarantine'", NULL), 1);
    CHECK_STR(fx_qs(s, "SELECT kind FROM location WHERE code = 'QUARANTINE'", NULL), "quarantine");
    CHECK_EQ(fx_q(s,
                  "SELECT on_hand FROM stock s JOIN location l ON l.id = s.location_id "
                  "WHERE l.code = 'QUARANTINE'",
                  NULL),
             1);
    CHECK_EQ(fx_q(s, "SELECT amount_cents FROM refund", NULL), 2400);
    CHECK_STR(fx_qs(s, "SELECT status FROM rma", NULL), "closed");
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&b);
    fx_station_done(&st);
}

/* An order put on hold (or cancelled) while its package is open, or after it
 * closed: the bench is refused with ORDER_HELD for items, weight, close and
 * the label scan, and the order stays on hold; nothing ships. The bench's
 * NEXT_TASK offers the next order instead. */
static void test_hold_while_packing_stops_the_bench(void)
{
    fx_station st;
    REQUIRE_EQ(prepare_picked(&st), 0);
    fx_dev *p1 = bench(&st, "pack-1", TOTE_ROLE_PACKER, "PAT");
    tote_wire_msg rep;
    /* #6001 half packed, then held */
    REQUIRE_EQ(fx_scan(p1, tote_of(&st, "#6001"), &rep), 0);
    REQUIRE(rep.u.pack_state.accepted);
    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    CHECK_EQ(rep.u.pack_state.accepted, 1);
    char *out = NULL;
    REQUIRE_EQ(fx_cli(&st, &out, "order", "hold", "#6001", "--reason", "fraud check", NULL), 0);
    free(out);
    REQUIRE_EQ(fx_scan(p1, ga, &rep), 0);
    EXPECT_PACK(rep, ORDER_HELD);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_WEIGHT, &rep, 300, NULL), 0);
    EXPECT_PACK(rep, ORDER_HELD);
    REQUIRE_EQ(pack_call(p1, TOTE_WIRE_PACK_CLOSE, &rep, 0, "BOX-S"), 0);
    EXPECT_PACK(rep, ORDER_HELD);
    /* the bench's next task is another order, not the held one it has open */
    REQUIRE_EQ(fx_next(p1, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    CHECK(strcmp(rep.u.task.order, "#6001") != 0);
    /* #6002 closed, then held before its label is scanned */
    fx_dev *p2 = bench(&st, "pack-2", TOTE_ROLE_PACKER, "PAT");
    char tracking[65];
    REQUIRE_EQ(pack_order(p2, &st, "#6002", 1, 1, tracking), 0);
    REQUIRE_EQ(fx_cli(&st, &out, "order", "hold", "#6002", "--reason", "address check", NULL), 0);
    free(out);
    REQUIRE_EQ(fx_scan_as(p2, TOTE_WIRE_LABEL_CONFIRM, "", tracking, &rep), 0);
    EXPECT_PACK(rep, ORDER_HELD);
    REQUIRE_EQ(fx_scan(p2, tracking, &rep), 0); /* a plain scan of the label too */
    EXPECT_PACK(rep, ORDER_HELD);
    fx_station_stop(&st);
    tote_store *s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT status FROM orders WHERE name = '#6001'", NULL), "on_hold");
    CHECK_STR(fx_qs(s, "SELECT status FROM orders WHERE name = '#6002'", NULL), "on_hold");
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM package WHERE status = 'shipped'", NULL), 0);
    CHECK_EQ(fx_q(s,
                  "SELECT COALESCE(SUM(qty), 0) FROM package_item i JOIN package p ON p.id = i.package_id "
                  "JOIN orders o ON o.id = p.order_id WHERE o.name = '#6001'",
                  NULL),
             1);
    tote_store_destroy(&s);
    fx_dev_destroy(&p1);
    fx_dev_destroy(&p2);
    fx_station_done(&st);
}

/* A lot-tracked item returned with its plain item barcode (no lot in the
 * scan) goes back to the lot it was picked from, not into a stock row
 * without lot or expiry: recalls follow lots. */
static void test_return_goes_back_to_its_lot(void)
{
    fx_station st;
    fx_station_init(&st, "pack-lot");
    tote_store *s = fx_store(&st);
    char gc[15], ge[15];
    fx_gtin("0871234600003", gc);
    fx_gtin("0871234600005", ge);
    long long c = fx_product(s, "SKU-C", "Vitamin C", 100, gc, 500);
    long long e = fx_product(s, "SKU-E", "Vitamin E", 100, ge, 500);
    fx_stock(s, c, "C-01", 10, 5, "L1", "2049-12-31");
    fx_stock(s, e, "E-01", 20, 1, "E1", "2048-06-30");
    fx_stock(s, e, "E-02", 30, 1, "E2", "2049-06-30");
    char badge[65];
    tote_operator_add(s, "Ann", "picker", "ANN", "test", badge);
    tote_operator_add(s, "Pat", "packer", "PAT", "test", badge);
    /* one unit of C from lot L1; two of E, one from each lot */
    fx_order(s, "#7001", 0, 2, (const char *[]){"SKU-C", "SKU-E"}, (const long long[]){1, 2}, NULL);
    REQUIRE(fx_wave(s, 4) > 0);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-pick");
    tote_wire_msg rep;
    fx_hello(d, TOTE_ROLE_PICKER, &rep);
    fx_scan(d, "BADGE-ANN", &rep);
    for (int guard = 0; guard < 5; guard++) {
        REQUIRE_EQ(fx_next(d, &rep), 0);
        if (rep.type != TOTE_WIRE_TASK)
            break;
        REQUIRE_EQ(fx_scan(d, strcmp(rep.u.task.sku, "SKU-C") == 0 ? gc : ge, &rep), 0);
        REQUIRE(rep.u.result.accepted);
    }
    fx_dev_destroy(&d);
    fx_dev *b = bench(&st, "bench-1", TOTE_ROLE_BENCH, "PAT");
    REQUIRE_EQ(fx_scan(b, tote_of(&st, "#7001"), &rep), 0);
    REQUIRE(rep.u.pack_state.accepted);
    REQUIRE_EQ(fx_scan(b, gc, &rep), 0);
    REQUIRE_EQ(fx_scan(b, ge, &rep), 0);
    REQUIRE_EQ(fx_scan(b, ge, &rep), 0);
    REQUIRE_EQ(pack_call(b, TOTE_WIRE_PACK_WEIGHT, &rep, 300, NULL), 0);
    REQUIRE_EQ(pack_call(b, TOTE_WIRE_PACK_CLOSE, &rep, 0, "BOX-S"), 0);
    REQUIRE(rep.u.pack_state.accepted);
    char tracking[65];
    snprintf(tracking, sizeof tracking, "%s", rep.u.pack_state.tracking);
    REQUIRE_EQ(fx_scan(b, tracking, &rep), 0); /* shipped */
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(fx_scan(b, tracking, &rep), 0); /* opens the return */
    EXPECT_PACK(rep, OK);
    REQUIRE_EQ(return_item(b, gc, TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, OK);
    /* E shipped from two lots: the plain barcode cannot say which */
    REQUIRE_EQ(return_item(b, ge, TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, WRONG_LOT);
    CHECK_HAS(rep.u.pack_state.message, "more than one lot");
    fx_station_stop(&st);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM stock WHERE product_id = ?1", "i", c), 1);
    CHECK_EQ(fx_q(s, "SELECT on_hand FROM stock WHERE lot = 'L1'", NULL), 5);
    CHECK_STR(fx_qs(s, "SELECT expiry FROM stock WHERE lot = 'L1'", NULL), "2049-12-31");
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM stock WHERE product_id = ?1", "i", e), 2);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&b);
    fx_station_done(&st);
}

/* A handheld in return mode sends every scan as RETURN_ITEM: on a packer
 * handheld too, an order or tracking barcode opens (or switches to) that
 * order's return and the items scanned after it are booked on it. */
static void test_return_mode_opens_by_order_or_tracking(void)
{
    fx_station st;
    REQUIRE_EQ(prepare_picked(&st), 0);
    fx_dev *b = bench(&st, "bench-1", TOTE_ROLE_BENCH, "PAT");
    char t1[65], t2[65];
    tote_wire_msg rep;
    REQUIRE_EQ(pack_order(b, &st, "#6001", 2, 1, t1), 0);
    REQUIRE_EQ(fx_scan(b, t1, &rep), 0);
    EXPECT_PACK(rep, OK); /* shipped */
    REQUIRE_EQ(pack_order(b, &st, "#6002", 1, 1, t2), 0);
    REQUIRE_EQ(fx_scan(b, t2, &rep), 0);
    EXPECT_PACK(rep, OK);
    fx_dev_destroy(&b);

    fx_dev *p = bench(&st, "pack-2", TOTE_ROLE_PACKER, "PAT");
    REQUIRE_EQ(return_item(p, "ORD-#6001", TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_STR(rep.u.pack_state.order, "#6001");
    CHECK_EQ(rep.u.pack_state.status, 1);
    uint32_t rma1 = rep.u.pack_state.package_id;
    CHECK(rma1 > 0);
    REQUIRE_EQ(return_item(p, ga, TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_STR(rep.u.pack_state.order, "#6001");
    CHECK_EQ(rep.u.pack_state.lines[0].packed, 1);

    /* the next parcel's tracking barcode switches to its order */
    REQUIRE_EQ(return_item(p, t2, TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_STR(rep.u.pack_state.order, "#6002");
    CHECK(rep.u.pack_state.package_id != rma1);
    REQUIRE_EQ(return_item(p, gb, TOTE_RETURN_QUARANTINE, "", &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_STR(rep.u.pack_state.order, "#6002");
    tote_wire_msg m;
    fx_req(p, &m, TOTE_WIRE_RETURN_CLOSE);
    REQUIRE_EQ(fx_call(p, &m, &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_HAS(rep.u.pack_state.message, "9.00 EUR");

    /* the first parcel's tracking barcode resumes its return */
    REQUIRE_EQ(return_item(p, t1, TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, OK);
    CHECK_EQ(rep.u.pack_state.package_id, rma1);
    CHECK_HAS(rep.u.pack_state.message, "resumed");
    REQUIRE_EQ(return_item(p, "ORD-#6003", TOTE_RETURN_RESTOCK, "", &rep), 0);
    EXPECT_PACK(rep, NOT_RETURNABLE); /* not shipped */

    fx_station_stop(&st);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s,
                  "SELECT returned FROM order_line WHERE sku = 'SKU-A' AND order_id = "
                  "(SELECT id FROM orders WHERE name = '#6001')",
                  NULL),
             1);
    CHECK_EQ(fx_q(s,
                  "SELECT returned FROM order_line WHERE sku = 'SKU-B' AND order_id = "
                  "(SELECT id FROM orders WHERE name = '#6002')",
                  NULL),
             1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM rma_line", NULL), 2);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM rma WHERE status = 'open' AND device = 'pack-2'", NULL), 1);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    fx_dev_destroy(&p);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_pack_ship_and_refusals), TT_TEST(test_expected_weight_after_a_weighing),
        TT_TEST(test_returns), TT_TEST(test_hold_while_packing_stops_the_bench),
        TT_TEST(test_return_goes_back_to_its_lot), TT_TEST(test_return_mode_opens_by_order_or_tracking),
        TT_TEST(test_an_order_in_two_cartons))
