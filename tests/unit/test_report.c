/*
 * Reports as a module: the catalogue, date checks, the table model, and the
 * writers (human table, RFC 4180 CSV, JSON, SVG) on orders whose names,
 * channels and countries carry everything a writer must escape: commas,
 * quotes, CR/LF, <, >, &, control bytes, UTF-8. The orders are written
 * through the orders API into a real database in a temp dir.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/orders.h"
#include "tote/report.h"
#include "tote/store.h"

static char *dir;
static tote_store *db;

static void cleanup(void)
{
    tote_store_destroy(&db);
    if (dir && !getenv("TOTE_KEEP_TMP"))
        tt_rmrf(dir);
    free(dir);
}

static int order(const char *name, const char *channel, const char *country, const char *ordered_at,
                 const char *sku, const char *line_name, long long qty, long long cents)
{
    tote_order_line_in l = {
        .sku = sku, .name = line_name, .qty = qty, .price_cents = cents, .requires_shipping = 1};
    tote_order_in o = {.name = name,
                       .channel = channel,
                       .payment_status = "paid",
                       .ship_country = country,
                       .ordered_at = ordered_at,
                       .total_cents = -1,
                       .line_count = 1,
                       .lines = &l};
    char *msg = NULL;
    tote_st_err e = tote_order_upsert(db, &o, "test", NULL, &msg);
    if (e != TOTE_ST_E_OK)
        fprintf(stderr, "order %s: %s\n", name, msg ? msg : tote_st_strerror(e));
    free(msg);
    return e == TOTE_ST_E_OK ? 0 : -1;
}

static int setup(void)
{
    if (db)
        return 0;
    dir = tt_tmpdir("report-unit");
    if (!dir)
        return -1;
    atexit(cleanup);
    char p[600];
    snprintf(p, sizeof p, "%s/t.db", dir);
    if (tote_store_open(p, TOTE_STORE_CREATE, &db, NULL) != TOTE_ST_E_OK)
        return -1;
    if (order("A-1", "web, \"EU\"", "NL", "2025-01-10T10:00:00Z", "S,1", "Mug \"big\", blue", 3, 1250) ||
        order("A-2", "line\r\nbreak", "<b>&", "2025-01-10T11:00:00Z", "S\"2", "Caf\xC3\xA9 cr\xC3\xA8me", 1,
              199) ||
        order("A-3", "ctl\x01x", "nl", "2025-01-12T09:00:00Z", "S,1", "Mug \"big\", blue", 2, 1250))
        return -1;
    return 0;
}

static char *capture(void (*fn)(const tote_report *, FILE *), const tote_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    fn(r, f);
    fclose(f);
    return buf;
}

static char *svg_of(const tote_report *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int rc = tote_report_write_svg(r, f);
    fclose(f);
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void test_catalogue(void)
{
    CHECK_EQ(tote_report_count(), 12);
    for (size_t i = 0; i < tote_report_count(); i++) {
        const tote_report_info *in = tote_report_info_at(i);
        REQUIRE(in != NULL);
        CHECK(tote_report_find(in->name) == in);
        CHECK(strlen(in->description) > 30);
        CHECK(strlen(in->title) > 3);
    }
    CHECK(tote_report_info_at(12) == NULL);
    CHECK_EQ(tote_report_find("audit")->listing, 1);
    CHECK_EQ(tote_report_find("pickers")->listing, 0);
    CHECK(tote_report_find("top-sellers") == NULL);
    CHECK(tote_report_find(NULL) == NULL);
}

static void test_dates(void)
{
    static const char *const good[] = {"2025-01-31", "2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31"};
    static const char *const bad[] = {"2025-02-29",       "1900-02-29", "2025-13-01", "2025-00-10",
                                      "2025-04-31",       "2025-1-01",  "25-01-01",   "2025/01/01",
                                      "2025-01-01T00:00", "",           "0000-01-01", "2025-01-0x"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!tote_report_date_valid(good[i]))
            tt_fail_msg(__FILE__, __LINE__, "%s refused", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (tote_report_date_valid(bad[i]))
            tt_fail_msg(__FILE__, __LINE__, "%s accepted", bad[i]);
    CHECK(!tote_report_date_valid(NULL));

    REQUIRE_EQ(setup(), 0);
    tote_report *r = NULL;
    tote_report_opts o = {.from = "2025-02-30"};
    CHECK_EQ(tote_report_run(db, "by-day", &o, &r), TOTE_ST_E_INVALID);
    CHECK(r == NULL);
    o = (tote_report_opts){.from = "2025-01-12", .to = "2025-01-10"};
    CHECK_EQ(tote_report_run(db, "by-day", &o, &r), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_report_run(db, "nope", NULL, &r), TOTE_ST_E_NOT_FOUND);
    CHECK(r == NULL);
    /* the last day of the range is included, to its last millisecond */
    o = (tote_report_opts){.from = "2025-01-10", .to = "2025-01-10"};
    REQUIRE_EQ(tote_report_run(db, "top-channels", &o, &r), TOTE_ST_E_OK);
    CHECK_EQ(tote_report_nrows(r), 2);
    CHECK_STR(tote_report_from(r), "2025-01-10");
    tote_report_destroy(&r);
    CHECK(r == NULL);
    tote_report_destroy(&r); /* NULL-safe */
    tote_report_destroy(NULL);
}

static void test_model(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_report *r = NULL;
    REQUIRE_EQ(tote_report_run(db, "top-products", NULL, &r), TOTE_ST_E_OK);
    CHECK_STR(tote_report_get_info(r)->name, "top-products");
    REQUIRE_EQ(tote_report_ncols(r), 5);
    CHECK_STR(tote_report_col_name(r, 3), "units");
    CHECK_STR(tote_report_col_label(r, 3), "Units");
    CHECK_EQ(tote_report_col_type(r, 0), TOTE_REPORT_TEXT);
    CHECK_EQ(tote_report_col_type(r, 3), TOTE_REPORT_INT);
    CHECK_EQ(tote_report_col_type(r, 4), TOTE_REPORT_NUM);
    CHECK_EQ(tote_report_col_decimals(r, 4), 2);
    CHECK_STR(tote_report_col_name(r, 99), "");
    REQUIRE_EQ(tote_report_nrows(r), 2);
    CHECK_STR(tote_report_cell_text(r, 0, 0), "S,1");
    CHECK_EQ(tote_report_cell_num(r, 0, 3), 5);
    CHECK_STR(tote_report_cell_text(r, 0, 4), "62.50");
    CHECK(tote_report_cell_num(r, 0, 4) > 62.49 && tote_report_cell_num(r, 0, 4) < 62.51);
    CHECK_EQ(tote_report_cell_num(r, 0, 0), 0); /* text */
    CHECK_STR(tote_report_cell_text(r, 1, 4), "1.99");
    CHECK(tote_report_cell_null(r, 7, 0));
    CHECK_STR(tote_report_cell_text(r, 7, 0), "");
    CHECK(!tote_report_row_total(r, 0));
    CHECK_EQ(tote_report_chart_kind(r), TOTE_CHART_BAR);
    CHECK_EQ(tote_report_chart_x(r), 0);
    CHECK_EQ(tote_report_chart_y(r), 3);
    char label[64];
    tote_report_chart_label(r, 0, label, sizeof label);
    CHECK_STR(label, "S,1");
    tote_report_destroy(&r);

    /* limit */
    tote_report_opts o = {.limit = 1};
    REQUIRE_EQ(tote_report_run(db, "top-products", &o, &r), TOTE_ST_E_OK);
    CHECK_EQ(tote_report_nrows(r), 1);
    tote_report_destroy(&r);

    /* by-day: a line chart with zero days filled and a total row */
    REQUIRE_EQ(tote_report_run(db, "by-day", NULL, &r), TOTE_ST_E_OK);
    CHECK_EQ(tote_report_chart_kind(r), TOTE_CHART_LINE);
    REQUIRE_EQ(tote_report_nrows(r), 4);
    CHECK_STR(tote_report_cell_text(r, 1, 0), "2025-01-11");
    CHECK_EQ(tote_report_cell_num(r, 1, 1), 0);
    CHECK(tote_report_row_total(r, 3));
    CHECK_STR(tote_report_cell_text(r, 3, 0), "all");
    CHECK_STR(tote_report_cell_text(r, 3, 4), "64.49");
    tote_report_destroy(&r);

    /* nothing shipped: shipping reports are empty, rates NULL not 0 */
    REQUIRE_EQ(tote_report_run(db, "on-time", NULL, &r), TOTE_ST_E_OK);
    CHECK_EQ(tote_report_nrows(r), 1); /* only the total */
    CHECK(tote_report_cell_null(r, 0, 5));
    tote_report_destroy(&r);
    REQUIRE_EQ(tote_report_run(db, "cycle-time", NULL, &r), TOTE_ST_E_OK);
    CHECK_EQ(tote_report_nrows(r), 0);
    tote_report_destroy(&r);
    REQUIRE_EQ(tote_report_run(db, "accuracy", NULL, &r), TOTE_ST_E_OK);
    CHECK_EQ(tote_report_nrows(r), 1);
    CHECK(tote_report_cell_null(r, 0, 3));
    tote_report_destroy(&r);
}

static void test_csv(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_report *r = NULL;
    REQUIRE_EQ(tote_report_run(db, "top-channels", NULL, &r), TOTE_ST_E_OK);
    char *csv = capture(tote_report_write_csv, r);
    REQUIRE(csv != NULL);
    /* by orders, then value; quotes doubled, fields with , " CR LF quoted */
    CHECK_STR(csv, "channel,orders,units,value\r\n"
                   "\"web, \"\"EU\"\"\",1,3,37.50\r\n"
                   "ctl\x01x,1,2,25.00\r\n"
                   "\"line\r\nbreak\",1,1,1.99\r\n");
    free(csv);
    tote_report_destroy(&r);
    REQUIRE_EQ(tote_report_run(db, "on-time", NULL, &r), TOTE_ST_E_OK);
    csv = capture(tote_report_write_csv, r);
    CHECK_STR(csv, "day,shipped,with_ship_by,on_time,late,on_time_pct\r\nall,0,0,0,0,\r\n"); /* NULL: empty */
    free(csv);
    tote_report_destroy(&r);
}

static void test_json(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_report *r = NULL;
    tote_report_opts o = {.from = "2025-01-01"};
    REQUIRE_EQ(tote_report_run(db, "top-countries", &o, &r), TOTE_ST_E_OK);
    cJSON *j = tote_report_json(r);
    REQUIRE(j != NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "report")), "top-countries");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "from")), "2025-01-01");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "to")));
    cJSON *cols = cJSON_GetObjectItem(j, "columns");
    CHECK_EQ(cJSON_GetArraySize(cols), 4);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(cols, 1), "type")), "integer");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(cols, 3), "type")), "number");
    cJSON *rows = cJSON_GetObjectItem(j, "rows");
    REQUIRE_EQ(cJSON_GetArraySize(rows), 2);
    cJSON *nl = cJSON_GetArrayItem(rows, 0); /* "NL" and "nl" are one country */
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(nl, "country")), "NL");
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(nl, "orders")), 2);
    CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(nl, "value")) == 62.5);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(rows, 1), "country")), "<B>&");
    /* printed and parsed back, the text survives */
    char *text = cJSON_PrintUnformatted(j);
    cJSON *back = cJSON_Parse(text);
    CHECK(back != NULL);
    cJSON_Delete(back);
    cJSON_free(text);
    cJSON_Delete(j);
    tote_report_destroy(&r);
}

static void test_table(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_report *r = NULL;
    REQUIRE_EQ(tote_report_run(db, "top-products", NULL, &r), TOTE_ST_E_OK);
    char *t = capture(tote_report_write_table, r);
    REQUIRE(t != NULL);
    CHECK_HAS(t, "Top products\n");
    CHECK_HAS(t, "SKU  Name             Orders  Units  Value\n");
    CHECK_HAS(t, "S,1  Mug \"big\", blue       2      5  62.50\n");
    /* a UTF-8 name is padded by characters, not bytes */
    CHECK_HAS(t, "S\"2  Caf\xC3\xA9 cr\xC3\xA8me            1      1   1.99\n");
    free(t);
    tote_report_destroy(&r);
}

static void test_svg(void)
{
    REQUIRE_EQ(setup(), 0);
    tote_report *r = NULL;
    REQUIRE_EQ(tote_report_run(db, "top-countries", NULL, &r), TOTE_ST_E_OK);
    char *svg = svg_of(r);
    REQUIRE(svg != NULL);
    CHECK(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
    CHECK_HAS(svg, ">&lt;B&gt;&amp;</text>");
    CHECK(strstr(svg, "<B>") == NULL);
    CHECK_HAS(svg, ">Country</text>");
    CHECK_HAS(svg, ">Orders</text>");
    CHECK_HAS(svg, "<title>NL: 2</title>");
    /* ticks: 0, 0.5, 1, 1.5, 2 for a maximum of 2 */
    CHECK_HAS(svg, ">0.5</text>");
    CHECK_HAS(svg, ">2.0</text>");
    free(svg);
    tote_report_destroy(&r);

    /* control bytes never reach the XML; CR LF stay (allowed characters) */
    REQUIRE_EQ(tote_report_run(db, "top-channels", NULL, &r), TOTE_ST_E_OK);
    tote_report_destroy(&r);
    tote_report_opts o = {.from = "2025-01-12"};
    REQUIRE_EQ(tote_report_run(db, "top-channels", &o, &r), TOTE_ST_E_OK);
    svg = svg_of(r);
    REQUIRE(svg != NULL);
    CHECK_HAS(svg, ">ctlx</text>");
    CHECK(strchr(svg, '\x01') == NULL);
    free(svg);
    tote_report_destroy(&r);

    /* the line chart: one point per day, not for the total */
    REQUIRE_EQ(tote_report_run(db, "by-day", NULL, &r), TOTE_ST_E_OK);
    svg = svg_of(r);
    REQUIRE(svg != NULL);
    int points = 0;
    for (const char *p = svg; (p = strstr(p, "class=\"point\"")); p++)
        points++;
    CHECK_EQ(points, 3);
    CHECK_HAS(svg, "<polyline class=\"line\"");
    CHECK(strstr(svg, "class=\"bar\"") == NULL);
    free(svg);
    tote_report_destroy(&r);

    /* many rows: the chart grows wider instead of squeezing the bars */
    for (int i = 0; i < 40; i++) {
        char name[16], sku[16];
        snprintf(name, sizeof name, "B-%d", i);
        snprintf(sku, sizeof sku, "X%02d", i);
        REQUIRE_EQ(order(name, "bulk", "DE", "2025-02-01T10:00:00Z", sku, sku, 1, 100), 0);
    }
    o = (tote_report_opts){.from = "2025-02-01", .limit = 40};
    REQUIRE_EQ(tote_report_run(db, "top-products", &o, &r), TOTE_ST_E_OK);
    CHECK_EQ(tote_report_nrows(r), 40);
    svg = svg_of(r);
    REQUIRE(svg != NULL);
    CHECK_HAS(svg, "width=\"1148\"");
    free(svg);
    tote_report_destroy(&r);

    /* a failing stream is reported */
    REQUIRE_EQ(tote_report_run(db, "top-products", NULL, &r), TOTE_ST_E_OK);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        setvbuf(full, NULL, _IONBF, 0);
        CHECK_EQ(tote_report_write_svg(r, full), -1);
        fclose(full);
    }
    tote_report_destroy(&r);
}

TT_MAIN(TT_TEST(test_catalogue), TT_TEST(test_dates), TT_TEST(test_model), TT_TEST(test_csv),
        TT_TEST(test_json), TT_TEST(test_table), TT_TEST(test_svg))
