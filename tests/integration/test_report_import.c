/*
 * `tote report` on a database built by the real imports of
 * tests/data/report/ (products, stock, Shopify orders, JSON orders from
 * other channels), whose answers are worked out by hand below:
 *
 *   order  channel  day (UTC)   country  customer  lines
 *   #2001  shopify  2025-03-03  NL       alice     2 x MUG-BLU @12.00, 1 x SOCK-M @8.50      = 32.50
 *   #2002  shopify  2025-03-03  DE       bob       1 x TOTE-CNV @15.00                      = 15.00
 *   #2003  shopify  2025-03-04  NL       alice     1 x MUG-BLU @12.00, 4 x TEA-TIN @6.00     = 36.00
 *   #2004  shopify  2025-03-05  FR       carla     3 x SOCK-M @8.50 (on hold: unpaid)        = 25.50
 *          (created 2025-03-06 00:30 +0100, i.e. 2025-03-05 23:30 UTC)
 *   #2005  shopify  2025-03-06  BE       dan       cancelled: left out of every report
 *   AMZ-1  amazon   2025-03-04  DE       erin      2 x TOTE-CNV @15.00                      = 30.00
 *   SG-1   "Shop & Go <kiosk>" 2025-03-05 AT (no e-mail) 1 x TEA-TIN @6.00                 =  6.00
 */
#include "test_report_util.h"

#define NOW "2025-03-06T07:00:00.000Z"

static char *dir;
static char db[700];

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
    if (dir && !getenv("TOTE_KEEP_TMP"))
        tt_rmrf(dir);
    free(dir);
}

/* The database, built once through the real imports. */
static int setup(void)
{
    if (dir)
        return 0;
    dir = tt_tmpdir("report-import");
    if (!dir)
        return -1;
    atexit(cleanup);
    snprintf(db, sizeof db, "%s/tote.db", dir);
    if (rt_tote(db, NOW, NULL, NULL, "init", NULL) != 0 ||
        rt_tote(db, NOW, NULL, NULL, "import", "shopify-products", data("products.csv"), NULL) != 0 ||
        rt_tote(db, NOW, NULL, NULL, "import", "stock", data("stock.csv"), NULL) != 0 ||
        rt_tote(db, NOW, NULL, NULL, "import", "shopify-orders", data("orders.csv"), NULL) != 0 ||
        rt_tote(db, NOW, NULL, NULL, "import", "orders-json", data("orders.json"), NULL) != 0)
        return -1;
    return 0;
}

static void test_top_products(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(db, "top-products", NULL, NULL);
    REQUIRE(r != NULL);
    CHECK_STR(rt_str(r, "report"), "top-products");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(r, "from")));
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 4);
    /* most units first; equal units by value */
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 0), "sku"), "TEA-TIN");
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 1), "sku"), "SOCK-M");
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 2), "sku"), "TOTE-CNV");
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 3), "sku"), "MUG-BLU");
    RT_CHECK_ROW(r, "sku", "TEA-TIN", {"orders", 2}, {"units", 5}, {"value", 30.00});
    RT_CHECK_ROW(r, "sku", "SOCK-M", {"orders", 2}, {"units", 4}, {"value", 34.00});
    RT_CHECK_ROW(r, "sku", "TOTE-CNV", {"orders", 2}, {"units", 3}, {"value", 45.00});
    RT_CHECK_ROW(r, "sku", "MUG-BLU", {"orders", 2}, {"units", 3}, {"value", 36.00});
    CHECK_STR(rt_str(rt_row(r, "sku", "TEA-TIN"), "name"), "Tea Tin, Earl Grey");
    rt_check_csv_matches_json(db, "top-products", r);
    free(rt_check_svg(db, dir, "top-products", r, "SKU", "Units", 0));
    cJSON_Delete(r);

    /* a range: only #2003 and AMZ-1 (2025-03-04) */
    r = rt_report_json(db, "top-products", "2025-03-04", "2025-03-04");
    REQUIRE(r != NULL);
    CHECK_STR(rt_str(r, "from"), "2025-03-04");
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), 3);
    RT_CHECK_ROW(r, "sku", "TEA-TIN", {"orders", 1}, {"units", 4}, {"value", 24.00});
    RT_CHECK_ROW(r, "sku", "TOTE-CNV", {"orders", 1}, {"units", 2}, {"value", 30.00});
    RT_CHECK_ROW(r, "sku", "MUG-BLU", {"orders", 1}, {"units", 1}, {"value", 12.00});
    cJSON_Delete(r);

    /* --limit */
    char *out = NULL;
    REQUIRE_EQ(rt_tote(db, NULL, &out, NULL, "report", "top-products", "--limit", "2", "--json", NULL), 0);
    r = cJSON_Parse(out);
    free(out);
    REQUIRE(r != NULL);
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), 2);
    cJSON_Delete(r);
}

static void test_top_customers(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(db, "top-customers", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 5);
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 0), "customer"), "alice@example.com");
    RT_CHECK_ROW(r, "customer", "alice@example.com", {"orders", 2}, {"units", 8}, {"value", 68.50});
    RT_CHECK_ROW(r, "customer", "erin@example.com", {"orders", 1}, {"units", 2}, {"value", 30.00});
    RT_CHECK_ROW(r, "customer", "carla@example.com", {"orders", 1}, {"units", 3}, {"value", 25.50});
    RT_CHECK_ROW(r, "customer", "bob@example.com", {"orders", 1}, {"units", 1}, {"value", 15.00});
    /* SG-1 has a name but no e-mail */
    cJSON *last = cJSON_GetArrayItem(rt_rows(r), 4);
    CHECK_EQ(rt_num(last, "value"), 6.00);
    CHECK(rt_row(r, "customer", "dan@example.com") == NULL); /* cancelled */
    CHECK_STR(rt_str(rt_row(r, "customer", "alice@example.com"), "name"), "Alice Adams");
    rt_check_csv_matches_json(db, "top-customers", r);
    free(rt_check_svg(db, dir, "top-customers", r, "Customer", "Value", 0));
    cJSON_Delete(r);
}

static void test_top_countries(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(db, "top-countries", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 4);
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 0), "country"), "NL");
    CHECK_STR(rt_str(cJSON_GetArrayItem(rt_rows(r), 1), "country"), "DE");
    RT_CHECK_ROW(r, "country", "NL", {"orders", 2}, {"units", 8}, {"value", 68.50});
    RT_CHECK_ROW(r, "country", "DE", {"orders", 2}, {"units", 3}, {"value", 45.00});
    RT_CHECK_ROW(r, "country", "FR", {"orders", 1}, {"units", 3}, {"value", 25.50});
    RT_CHECK_ROW(r, "country", "AT", {"orders", 1}, {"units", 1}, {"value", 6.00}); /* "at" upper-cased */
    CHECK(rt_row(r, "country", "BE") == NULL);
    rt_check_csv_matches_json(db, "top-countries", r);
    free(rt_check_svg(db, dir, "top-countries", r, "Country", "Orders", 0));
    cJSON_Delete(r);
}

static void test_top_channels(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(db, "top-channels", NULL, NULL);
    REQUIRE(r != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 3);
    RT_CHECK_ROW(r, "channel", "shopify", {"orders", 4}, {"units", 12}, {"value", 109.00});
    RT_CHECK_ROW(r, "channel", "amazon", {"orders", 1}, {"units", 2}, {"value", 30.00});
    RT_CHECK_ROW(r, "channel", "Shop & Go <kiosk>", {"orders", 1}, {"units", 1}, {"value", 6.00});
    rt_check_csv_matches_json(db, "top-channels", r);
    char *svg = rt_check_svg(db, dir, "top-channels", r, "Channel", "Orders", 0);
    /* the channel's & and <> are escaped, never raw */
    CHECK_HAS(svg, "Shop &amp; Go &lt;kiosk&gt;");
    CHECK(svg == NULL || strstr(svg, "Shop & Go") == NULL);
    free(svg);
    cJSON_Delete(r);
}

static void test_by_day(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(db, "by-day", NULL, NULL);
    REQUIRE(r != NULL);
    /* three days and the total; #2004 counts on 2025-03-05 (UTC) */
    REQUIRE_EQ(cJSON_GetArraySize(rt_rows(r)), 4);
    RT_CHECK_ROW(r, "day", "2025-03-03", {"orders", 2}, {"lines", 3}, {"units", 4}, {"value", 47.50});
    RT_CHECK_ROW(r, "day", "2025-03-04", {"orders", 2}, {"lines", 3}, {"units", 7}, {"value", 66.00});
    RT_CHECK_ROW(r, "day", "2025-03-05", {"orders", 2}, {"lines", 2}, {"units", 4}, {"value", 31.50});
    RT_CHECK_ROW(r, "day", "all", {"orders", 6}, {"lines", 8}, {"units", 15}, {"value", 145.00});
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(rt_row(r, "day", "all"), "total")));
    rt_check_csv_matches_json(db, "by-day", r);
    free(rt_check_svg(db, dir, "by-day", r, "Day", "Orders", 1));
    cJSON_Delete(r);

    /* a wider range shows the empty days as zeros */
    r = rt_report_json(db, "by-day", "2025-03-02", "2025-03-07");
    REQUIRE(r != NULL);
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), 7);
    RT_CHECK_ROW(r, "day", "2025-03-02", {"orders", 0}, {"lines", 0}, {"units", 0}, {"value", 0});
    RT_CHECK_ROW(r, "day", "2025-03-06", {"orders", 0}, {"units", 0}); /* only the cancelled #2005 */
    RT_CHECK_ROW(r, "day", "2025-03-07", {"orders", 0});
    RT_CHECK_ROW(r, "day", "all", {"orders", 6}, {"value", 145.00});
    cJSON_Delete(r);

    /* a month boundary and a leap day */
    r = rt_report_json(db, "by-day", "2024-02-28", "2024-03-01");
    REQUIRE(r != NULL);
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), 4);
    CHECK(rt_row(r, "day", "2024-02-29") != NULL);
    RT_CHECK_ROW(r, "day", "all", {"orders", 0});
    cJSON_Delete(r);
}

static void test_human_table(void)
{
    REQUIRE_EQ(setup(), 0);
    char *out = NULL;
    REQUIRE_EQ(rt_tote(db, NULL, &out, NULL, "report", "top-countries", NULL), 0);
    CHECK_HAS(out, "Top countries");
    CHECK_HAS(out, "Country  Orders  Units  Value");
    CHECK_HAS(out, "NL            2      8  68.50");
    free(out);
    REQUIRE_EQ(rt_tote(db, NULL, &out, NULL, "report", "top-products", "--from", "2030-01-01", NULL), 0);
    CHECK_HAS(out, "Top products (2030-01-01 to today)");
    CHECK_HAS(out, "nothing in this range");
    free(out);
}

static void test_empty_range_chart(void)
{
    REQUIRE_EQ(setup(), 0);
    cJSON *r = rt_report_json(db, "top-products", "2030-01-01", "2030-01-31");
    REQUIRE(r != NULL);
    CHECK_EQ(cJSON_GetArraySize(rt_rows(r)), 0);
    char path[800];
    snprintf(path, sizeof path, "%s/empty.svg", dir);
    REQUIRE_EQ(
        rt_tote(db, NULL, NULL, NULL, "report", "top-products", "--from", "2030-01-01", "--svg", path, NULL),
        0);
    char *svg = tt_read_file(path, NULL);
    REQUIRE(svg != NULL);
    char why[200];
    CHECK(rt_xml_well_formed(svg, why, sizeof why));
    CHECK_EQ(rt_count(svg, "class=\"bar\""), 0);
    CHECK_HAS(svg, "nothing in this range");
    free(svg);
    cJSON_Delete(r);
}

static void test_list(void)
{
    REQUIRE_EQ(setup(), 0);
    char *out = NULL;
    REQUIRE_EQ(rt_tote(db, NULL, &out, NULL, "report", "list", NULL), 0);
    static const char *const names[] = {"top-products", "top-customers", "top-countries", "top-channels",
                                        "by-day",       "pickers",       "packers",       "cycle-time",
                                        "accuracy",     "returns",       "on-time",       "audit"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        CHECK_HAS(out, names[i]);
    free(out);
    REQUIRE_EQ(rt_tote(db, NULL, &out, NULL, "report", "list", "--json", NULL), 0);
    cJSON *j = cJSON_Parse(out);
    free(out);
    REQUIRE(j != NULL);
    CHECK_EQ(cJSON_GetArraySize(j), 12);
    CHECK_STR(rt_str(cJSON_GetArrayItem(j, 0), "name"), "top-products");
    CHECK(strlen(rt_str(cJSON_GetArrayItem(j, 10), "description")) > 20);
    /* the audit log is a listing: the only report without a chart */
    CHECK_STR(rt_str(cJSON_GetArrayItem(j, 11), "name"), "audit");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 11), "listing")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "listing")));
    cJSON_Delete(j);
}

/* Every bad input: exit 2 and one sentence on stderr, nothing on stdout. */
static void check_usage(const char *why, const char *want, ...)
{
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[16] = {bin, "--db", db};
    int n = 3;
    va_list ap;
    va_start(ap, want);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 15)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    int rc = tt_run(argv, NULL, NULL, 10000, &out, &err);
    if (rc != 2)
        tt_fail_msg(__FILE__, __LINE__, "%s: exit %d, want 2", why, rc);
    if (!err || !strstr(err, want))
        tt_fail_msg(__FILE__, __LINE__, "%s: stderr \"%s\" lacks \"%s\"", why, err ? err : "", want);
    if (err && (rt_count(err, "\n") != 1 || strncmp(err, "tote: ", 6) != 0))
        tt_fail_msg(__FILE__, __LINE__, "%s: not one sentence: \"%s\"", why, err);
    if (out && *out)
        tt_fail_msg(__FILE__, __LINE__, "%s: printed \"%s\"", why, out);
    free(out);
    free(err);
}

static void test_bad_input(void)
{
    REQUIRE_EQ(setup(), 0);
    check_usage("unknown report", "there is no report 'top-sellers'", "report", "top-sellers", NULL);
    check_usage("no name", "usage: tote report", "report", NULL);
    check_usage("bad from", "--from '2025-3-1' is not a date", "report", "by-day", "--from", "2025-3-1",
                NULL);
    check_usage("bad to", "--to '2025-02-29' is not a date", "report", "by-day", "--to", "2025-02-29", NULL);
    check_usage("no day", "--from '' is not a date", "report", "by-day", "--from", NULL);
    check_usage("from after to", "--from 2025-03-05 is after --to 2025-03-04", "report", "by-day", "--from",
                "2025-03-05", "--to", "2025-03-04", NULL);
    check_usage("both formats", "choose one of --csv and --json", "report", "by-day", "--csv", "--json",
                NULL);
    check_usage("bad limit", "--limit needs a whole number", "report", "top-products", "--limit", "0", NULL);
    check_usage("unknown option", "unknown option '--frm'", "report", "by-day", "--frm", "2025-01-01", NULL);
    check_usage("two names", "unexpected argument 'pickers'", "report", "by-day", "pickers", NULL);
    check_usage("svg without file", "--svg needs a file name", "report", "by-day", "--svg", NULL);

    /* a missing database: exit 2 too, and no file created */
    char missing[800];
    snprintf(missing, sizeof missing, "%s/missing.db", dir);
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[] = {bin, "--db", missing, "report", "by-day", NULL};
    char *err = NULL;
    CHECK_EQ(tt_run(argv, NULL, NULL, 10000, NULL, &err), 2);
    free(err);
    CHECK(tt_read_file(missing, NULL) == NULL);

    /* an unwritable chart path: exit 1 with a sentence */
    char *out = NULL;
    err = NULL;
    CHECK_EQ(rt_tote(db, NULL, &out, &err, "report", "by-day", "--svg", "/nonexistent-dir/x.svg", NULL), 1);
    CHECK_HAS(err, "cannot write the chart to /nonexistent-dir/x.svg");
    free(out);
    free(err);
}

TT_MAIN(TT_TEST(test_top_products), TT_TEST(test_top_customers), TT_TEST(test_top_countries),
        TT_TEST(test_top_channels), TT_TEST(test_by_day), TT_TEST(test_human_table),
        TT_TEST(test_empty_range_chart), TT_TEST(test_list), TT_TEST(test_bad_input))
