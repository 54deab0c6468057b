/*
 * `tote import` of orders given bad or awkward input, end to end: rejected
 * rows (each reason named), orders changed upstream since the last export
 * (fulfilled, lines removed or of quantity 0), orders-json quirks, Excel's
 * semicolon and Windows-1252 exports, the wrong kind of file, UTF-16, and
 * usage errors. Every bad input has its test. The rest of the order import:
 * test_cli_import.c; the fixture both use: cli_import_fixture.h.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cli_import_fixture.h"
#include "support.h"
#include "test.h"
#include "tote/import.h"

/* ------------------------------------------------------------ bad input */

static void test_bad_order_rows_reported_rest_imports(void)
{
    REQUIRE_EQ(fresh("badorders"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("shopify-orders", "orders_bad.csv", &out, &err), 2);
    CHECK_HAS(out, "2 created");
    CHECK_HAS(out, "5 rejected");
    CHECK_HAS(err, "orders_bad.csv:4: rejected: order #2002: its row on line 4 is unusable: the row has 30 "
                   "fields where the header has 79");
    CHECK_HAS(err, "orders_bad.csv:5: rejected: order #2003: Lineitem quantity 'two' is not a whole number");
    CHECK_HAS(err, "orders_bad.csv:6: rejected: order #2004: Created at 'yesterday' is not a date and time");
    CHECK_HAS(err, "orders_bad.csv:7: rejected: the row has no Name");
    CHECK_HAS(err, "orders_bad.csv:8: rejected: order #2006: its row on line 8 is unusable: its quoting is "
                   "broken");
    free(out);
    free(err);
    cJSON *o = order("#2001");
    CHECK(o != NULL);
    cJSON_Delete(o);
    o = order("#2005");
    CHECK(o != NULL);
    cJSON_Delete(o);
    CHECK(order("#2002") == NULL); /* never half an order */
    CHECK(order("#2003") == NULL);
    CHECK(order("#2004") == NULL);
    CHECK(order("#2006") == NULL);
}

/* A later export says an order that is open here was fulfilled upstream
 * (shipped from elsewhere): it is put on hold so that it does not ship
 * twice, with a warning naming it; one never seen is skipped. Released by
 * hand since, the next export leaves it released (with a warning). The
 * orders-json import does the same. */
static void test_fulfilled_upstream_holds_an_open_order(void)
{
    REQUIRE_EQ(fresh("fulfilled"), 0);
    REQUIRE_EQ(morning(), 0);
    static const char head[] =
        "Name,Financial Status,Created at,Fulfillment Status,Lineitem quantity,Lineitem name,Lineitem sku\n";
    char text[1024];
    const char *path;
    snprintf(text, sizeof text, "%s#21,paid,2024-03-01 10:00:00 +0000,unfulfilled,1,Tee,TS-RED-S\n", head);
    path = put("ful1.csv", text);
    REQUIRE_EQ(tote(NULL, NULL, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_EQ(tote(NULL, NULL, "wave", "create", NULL, NULL, NULL), 0); /* allocated, in a wave */
    snprintf(text, sizeof text,
             "%s#21,paid,2024-03-01 10:00:00 +0000,fulfilled,1,Tee,TS-RED-S\n"
             "#22,paid,2024-03-01 11:00:00 +0000,fulfilled,1,Tee,TS-RED-S\n",
             head);
    path = put("ful2.csv", text);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "1 held");
    CHECK_HAS(err,
              "ful2.csv:2: warning: order #21 was fulfilled upstream: put on hold here so that it is not "
              "shipped twice");
    CHECK(strstr(err, "#22") == NULL); /* never here: skipped quietly */
    free(out);
    free(err);
    cJSON *o = order("#21");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "on_hold");
    cJSON_Delete(o);
    CHECK(order("#22") == NULL);
    char *stock = NULL; /* its stock is free again, its pick task cancelled */
    REQUIRE_EQ(tote(&stock, NULL, "stock", "list", "--sku", "TS-RED-S", "--json"), 0);
    cJSON *j = cJSON_Parse(stock);
    free(stock);
    REQUIRE(j != NULL);
    CHECK_EQ(num(cJSON_GetArrayItem(j, 0), "reserved"), 0);
    cJSON_Delete(j);
    /* released by hand: the next export leaves it so */
    REQUIRE_EQ(tote(NULL, NULL, "order", "release", "#21", NULL, NULL), 0);
    strcat(text, "\n");
    path = put("ful3.csv", text);
    out = err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "0 held");
    CHECK_HAS(err, "order #21 was fulfilled upstream; it was held for that before and released since: left "
                   "released");
    free(out);
    free(err);
    o = order("#21");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "released");
    cJSON_Delete(o);
    /* orders-json: the same */
    static const char js1[] = "{\"orders\":[{\"name\":\"#23\",\"payment\":{\"status\":\"paid\"},"
                              "\"lines\":[{\"sku\":\"TS-RED-S\",\"qty\":1}]}]}";
    path = put("ful.json", js1);
    REQUIRE_EQ(tote(NULL, NULL, "import", "orders-json", path, NULL, NULL), 0);
    static const char js2[] = "{\"orders\":[{\"name\":\"#23\",\"financial_status\":\"paid\","
                              "\"fulfillment_status\":\"fulfilled\",\"created_at\":\"2024-03-01T10:00:00Z\","
                              "\"line_items\":[{\"sku\":\"TS-RED-S\",\"quantity\":1}]}]}";
    path = put("ful2.json", js2);
    out = err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "orders-json", path, NULL, NULL), 0);
    CHECK_HAS(out, "1 held");
    CHECK_HAS(err, "orders[0] (#23) was fulfilled upstream: put on hold");
    free(out);
    free(err);
    o = order("#23");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "on_hold");
    cJSON_Delete(o);
}

/* orders-json: a whole number sent as a string ("2") is read; a second order
 * of a name whose first was refused is refused too (it is not the first one
 * corrected, and must not slip in in its place). */
static void test_orders_json_numbers_as_strings_and_names_taken(void)
{
    REQUIRE_EQ(fresh("jsonnames"), 0);
    REQUIRE_EQ(morning(), 0);
    const char *path;
    static const char doc[] =
        "{\"orders\":["
        "{\"name\":\"D-1\",\"payment\":{\"status\":\"paid\"},\"priority\":\"high\","
        "\"lines\":[{\"sku\":\"TS-RED-S\",\"qty\":1}]},"
        "{\"name\":\"D-1\",\"payment\":{\"status\":\"paid\"},\"lines\":[{\"sku\":\"TS-RED-S\",\"qty\":1}]},"
        "{\"name\":\"D-2\",\"payment\":{\"status\":\"paid\"},\"priority\":\"3\","
        "\"lines\":[{\"sku\":\"TS-RED-S\",\"qty\":\"2\"}]}]}";
    path = put("names.json", doc);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "orders-json", path, NULL, NULL), 2);
    CHECK_HAS(out, "1 created");
    CHECK_HAS(err, "orders[0] (D-1): priority must be a whole number from 0 to 1000, not \"high\"");
    CHECK_HAS(err, "orders[1] (D-1): the same name as orders[0]; each order needs its own name");
    free(out);
    free(err);
    CHECK(order("D-1") == NULL);
    cJSON *o = order("D-2");
    REQUIRE(o != NULL);
    CHECK_EQ(num(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "lines"), 0), "ordered"), 2);
    CHECK_EQ(num(o, "priority"), 3);
    cJSON_Delete(o);
}

/* An order whose fields have no Created at is refused, and the message says
 * that, not that the export looks cut. */
static void test_order_without_created_at_says_so(void)
{
    REQUIRE_EQ(fresh("nocreated"), 0);
    REQUIRE_EQ(morning(), 0);
    const char *path;
    static const char csv[] =
        "Name,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku\n"
        "#40,paid,,1,Tee,TS-RED-S\n"
        "#40,,,1,Tote,TOTE-CANVAS\n"
        "#41,,,1,Tee,TS-RED-S\n";
    path = put("nocreated.csv", csv);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 2);
    CHECK_HAS(out, "2 rejected");
    CHECK_HAS(err, "nocreated.csv:2: rejected: order #40: its order fields (line 2) have no Created at");
    CHECK_HAS(err, "nocreated.csv:4: rejected: order #41: no row of this order carries its order fields");
    free(out);
    free(err);
}

/* A later export without one of an allocated order's lines: each remaining
 * line keeps its own row (matched by SKU), so the removed line's
 * reservations and history stay with its own SKU instead of the next line
 * taking its place; the removed line is left with nothing ordered. */
static void test_line_removed_upstream_keeps_the_others_in_place(void)
{
    REQUIRE_EQ(fresh("lineremoved"), 0);
    REQUIRE_EQ(morning(), 0);
    static const char head[] =
        "Name,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku\n";
    char text[1024];
    const char *path;
    snprintf(text, sizeof text,
             "%s#51,paid,2024-03-01 10:00:00 +0000,2,Tee,TS-RED-S\n#51,,,1,Tote,TOTE-CANVAS\n"
             "#51,,,1,Tee M,TS-RED-M\n",
             head);
    path = put("lines_a.csv", text);
    REQUIRE_EQ(tote(NULL, NULL, "import", "shopify-orders", path, NULL, NULL), 0);
    REQUIRE_EQ(tote(NULL, NULL, "wave", "create", NULL, NULL, NULL), 0);
    snprintf(text, sizeof text,
             "%s#51,paid,2024-03-01 10:00:00 +0000,1,Tee,TS-RED-S\n#51,,,1,Tee M,TS-RED-M\n", head);
    path = put("lines_b.csv", text);
    char *out = NULL;
    CHECK_EQ(tote(&out, NULL, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "1 updated");
    free(out);
    cJSON *o = order("#51");
    REQUIRE(o != NULL);
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(o, "lines"), *l;
    char got[256] = "";
    cJSON_ArrayForEach(l, lines)
    {
        char one[64];
        snprintf(one, sizeof one, "%s%lld:%s:%lld", *got ? " " : "", num(l, "line_no"), str(l, "sku"),
                 num(l, "ordered"));
        strncat(got, one, sizeof got - strlen(got) - 1);
    }
    CHECK_STR(got, "1:TS-RED-S:1 2:TOTE-CANVAS:0 3:TS-RED-M:1");
    cJSON_Delete(o);
    /* and it allocates again as it now is */
    REQUIRE_EQ(tote(NULL, NULL, "wave", "create", NULL, NULL, NULL), 0);
    o = order("#51");
    REQUIRE(o != NULL);
    lines = cJSON_GetObjectItemCaseSensitive(o, "lines");
    CHECK_EQ(num(cJSON_GetArrayItem(lines, 0), "allocated"), 1);
    CHECK_EQ(num(cJSON_GetArrayItem(lines, 1), "allocated"), 0);
    CHECK_EQ(num(cJSON_GetArrayItem(lines, 2), "allocated"), 1);
    cJSON_Delete(o);
}

/* A line item of quantity 0 (removed or refunded) is left out with a note,
 * the rest of the order imports; a line item partly fulfilled upstream holds
 * its order (the export does not say how many units are left). */
static void test_zero_and_partly_fulfilled_line_items(void)
{
    REQUIRE_EQ(fresh("zeropartial"), 0);
    REQUIRE_EQ(morning(), 0);
    const char *path;
    static const char csv[] = "Name,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku,"
                              "Lineitem fulfillment status\n"
                              "#61,paid,2024-03-01 10:00:00 +0000,1,Tee,TS-RED-S,pending\n"
                              "#61,,,0,Tote (refunded),TOTE-CANVAS,pending\n"
                              "#62,paid,2024-03-01 11:00:00 +0000,3,Tee,TS-RED-S,partial\n";
    path = put("zp.csv", csv);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "2 created");
    CHECK_HAS(out, "1 held");
    CHECK_HAS(err,
              "zp.csv:3: note: order #61: line item 'Tote (refunded)' has quantity 0 (removed or refunded): "
              "left out");
    CHECK_HAS(err, "zp.csv:4: warning: order #62: a line item was partly fulfilled upstream");
    free(out);
    free(err);
    cJSON *o = order("#61");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "released");
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "lines")), 1);
    cJSON_Delete(o);
    o = order("#62");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "on_hold");
    cJSON_Delete(o);
    /* released by someone who checked it; a later export that changes the
     * order does not hold it again for the same reason */
    CHECK_EQ(tote(&out, &err, "order", "release", "#62", NULL, NULL), 0);
    free(out);
    free(err);
    static const char csv2[] =
        "Name,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku,"
        "Lineitem fulfillment status\n"
        "#62,paid,2024-03-01 11:00:00 +0000,2,Tee,TS-RED-S,partial\n";
    path = put("zp2.csv", csv2);
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "1 updated");
    CHECK_HAS(err, "zp2.csv:2: warning: order #62: a line item was partly fulfilled upstream; the order was "
                   "held for that before and released since: left released");
    free(out);
    free(err);
    o = order("#62");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "released");
    cJSON_Delete(o);
}

/* In an export with address columns, an order that ships but has no address
 * (a point-of-sale sale, a broken row) is held, not picked and labelled with
 * an empty address; a pickup order needs none. */
static void test_order_without_address_is_held(void)
{
    REQUIRE_EQ(fresh("noaddress"), 0);
    REQUIRE_EQ(morning(), 0);
    const char *path;
    static const char csv[] =
        "Name,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku,Shipping Address1,"
        "Shipping City,Shipping Zip,Tags,Source\n"
        "#71,paid,2024-03-01 10:00:00 +0000,1,Tee,TS-RED-S,,,,,pos\n"
        "#72,paid,2024-03-01 10:00:00 +0000,1,Tee,TS-RED-S,,,,pickup,web\n"
        "#73,paid,2024-03-01 10:00:00 +0000,1,Tee,TS-RED-S,1 Main St,Boston,02134,,web\n";
    path = put("noaddr.csv", csv);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "3 created");
    CHECK_HAS(out, "1 held");
    CHECK_HAS(err,
              "noaddr.csv:2: warning: order #71 has no shipping address (no street, city or postal code) and "
              "is not a pickup: held");
    free(out);
    free(err);
    static const char *const want[][2] = {{"#71", "on_hold"}, {"#72", "released"}, {"#73", "released"}};
    for (int i = 0; i < 3; i++) {
        cJSON *o = order(want[i][0]);
        REQUIRE(o != NULL);
        CHECK_STR(str(o, "status"), want[i][1]);
        cJSON_Delete(o);
    }
}

/* A header that names a column twice (a renamed column, exports pasted side
 * by side) is read from its first, with a warning saying so. */
static void test_header_naming_a_column_twice_warns(void)
{
    REQUIRE_EQ(fresh("dupcol"), 0);
    REQUIRE_EQ(morning(), 0);
    const char *path;
    static const char csv[] =
        "Name,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku,name\n"
        "#31,paid,2024-03-01 10:00:00 +0000,1,Tee,TS-RED-S,Jane Doe\n";
    path = put("dupcol.csv", csv);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "1 created");
    CHECK_HAS(out, ": 1 order (1 line):"); /* singular where it is one */
    CHECK_HAS(err,
              "dupcol.csv:1: warning: the header names column 'Name' twice (fields 1 and 7): the first is "
              "read");
    free(out);
    free(err);
    cJSON *o = order("#31");
    CHECK(o != NULL);
    cJSON_Delete(o);
}

/* A row whose Name was lost may be a line of the order before it: that order
 * is refused whole rather than imported a line short, even when the row
 * comes after the order's last row. Rows of empty fields (a spreadsheet's
 * leftovers) are no rows at all: nothing is refused for them. */
static void test_row_without_name_refuses_the_order_before_it(void)
{
    REQUIRE_EQ(fresh("noname"), 0);
    REQUIRE_EQ(morning(), 0);
    const char *path;
    static const char csv[] =
        "Name,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku\n"
        "#3,paid,2024-03-01 10:00:00 +0000,1,Tee,TS-RED-S\n"
        ",,,1,Tote,TOTE-CANVAS\n"
        "#6,paid,2024-03-01 11:00:00 +0000,1,Tee,TS-RED-S\n"
        ",,,2,Tee,TS-RED-M\n"
        "#6,,,1,Tote,TOTE-CANVAS\n"
        "#7,paid,2024-03-01 12:00:00 +0000,1,Tee,TS-RED-S\n"
        "#7,,,1,Tote,TOTE-CANVAS\n"
        ",,,,,\n"
        "#8,paid,2024-03-01 13:00:00 +0000,1,Tee,TS-RED-S\n"
        ",,,,,\n";
    path = put("noname.csv", csv);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 2);
    CHECK_HAS(out, "2 created");
    CHECK_HAS(err, "noname.csv:3: rejected: the row has no Name");
    CHECK_HAS(err, "noname.csv:3: rejected: order #3: the row on line 3 has no Name and follows this order's "
                   "rows: it may be one of its lines");
    CHECK_HAS(err, "noname.csv:5: rejected: order #6: the row on line 5 has no Name");
    CHECK(strstr(err, ":9:") == NULL); /* the empty rows */
    CHECK(strstr(err, ":11:") == NULL);
    free(out);
    free(err);
    CHECK(order("#3") == NULL);
    CHECK(order("#6") == NULL);
    cJSON *o = order("#7");
    REQUIRE(o != NULL);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "lines")), 2);
    cJSON_Delete(o);
    o = order("#8");
    CHECK(o != NULL);
    cJSON_Delete(o);
}

/* The other reasons a Shopify order row is refused, each named; an upper-case
 * Financial Status is still paid, and a line that needs no shipping may have
 * no SKU (gift wrap) while one that ships may not. */
static void test_more_bad_order_rows(void)
{
    REQUIRE_EQ(fresh("badorders2"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("shopify-orders", "orders_bad2.csv", &out, &err), 2);
    CHECK_HAS(out, "6 orders (2 lines): 1 created");
    CHECK_HAS(out, "5 rejected");
    CHECK_HAS(err, "orders_bad2.csv:2: rejected: order #2101: Cancelled at 'soon' is not a date and time");
    CHECK_HAS(err, "orders_bad2.csv:3: rejected: order #2102: Total 'fifteen' is not an amount of money");
    CHECK_HAS(err,
              "orders_bad2.csv:4: rejected: order #2103: Lineitem price 'free' is not an amount of money");
    CHECK_HAS(err,
              "orders_bad2.csv:5: rejected: order #2104: Lineitem requires shipping 'maybe' is not true or "
              "false");
    CHECK_HAS(err,
              "orders_bad2.csv:6: rejected: order #2105: line item 'Engraved Tote' needs shipping but has "
              "no Lineitem sku");
    free(out);
    free(err);
    for (int i = 2101; i <= 2105; i++) {
        char name[16];
        snprintf(name, sizeof name, "#%d", i);
        cJSON *none = order(name);
        TT_CHECK_(none == NULL, TT_NOTHING, "order %s was imported", name);
        cJSON_Delete(none);
    }
    cJSON *o = order("#2106");
    REQUIRE(o != NULL);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "status")), "released");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "payment"), "status")), "paid");
    cJSON *lines = cJSON_GetObjectItem(o, "lines");
    REQUIRE_EQ(cJSON_GetArraySize(lines), 2);
    cJSON *wrap = cJSON_GetArrayItem(lines, 1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(wrap, "sku")), "");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(wrap, "name")), "Gift wrap");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(wrap, "requires_shipping")));
    cJSON_Delete(o);
}

static void test_strict_imports_nothing(void)
{
    REQUIRE_EQ(fresh("strict"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", data("orders_bad.csv"), "--strict", NULL), 2);
    CHECK_HAS(err, "5 records were rejected; with --strict nothing of");
    CHECK_HAS(err, "orders_bad.csv:4: rejected");
    free(out);
    free(err);
    CHECK(order("#2001") == NULL);
    CHECK(order("#2005") == NULL);
    /* not logged: the same file imports without --strict */
    out = NULL;
    CHECK_EQ(import("shopify-orders", "orders_bad.csv", &out, NULL), 2);
    CHECK_HAS(out, "2 created");
    free(out);
}

static void test_orders_json_good_and_bad(void)
{
    REQUIRE_EQ(fresh("json-orders"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("orders-json", "orders.json", &out, &err), 2);
    CHECK_HAS(out, "10 orders (5 lines): 3 created");
    CHECK_HAS(out, "7 rejected");
    CHECK_HAS(err, "orders.json: rejected: orders[3]: name is missing");
    CHECK_HAS(err, "orders[4] (BAD-QTY): lines[0].qty must be a whole number from 1");
    CHECK_HAS(err, "orders[8] (POS-77): the same name as orders[1]");
    free(out);
    free(err);
    cJSON *o = order("AMZ-113-0000001");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "channel"), "amazon");
    CHECK_STR(str(o, "status"), "released");
    CHECK_STR(str(o, "ship_by"), "2024-03-03");
    CHECK_EQ(num(o, "priority"), 2);
    CHECK_STR(str(o, "shipping.address2"), "Hinterhaus");
    CHECK_EQ(num(line(o, 1), "price_cents"), 1500);
    cJSON_Delete(o);
    o = order("POS-77");
    REQUIRE(o != NULL);
    CHECK_EQ(num(o, "payment.cod"), 1);
    CHECK_EQ(num(o, "rush"), 1);
    CHECK_EQ(num(line(o, 0), "ordered"), 2); /* the duplicate with qty 5 was rejected */
    cJSON_Delete(o);
    o = order("EBAY-5");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "hold_reason"), "payment");
    CHECK_EQ(num(line(o, 1), "requires_shipping"), 0);
    cJSON_Delete(o);
}

/* The same command on Shopify's Admin API JSON (GET /orders.json). */
static void test_orders_json_from_shopify_api(void)
{
    REQUIRE_EQ(fresh("json-shopify"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("orders-json", "orders_shopify_api.json", &out, &err), 2);
    CHECK_HAS(out, "4 orders (4 lines): 2 created");
    CHECK_HAS(out, "1 skipped (fulfilled upstream); 1 rejected");
    CHECK_HAS(err, "orders[2] (#2003) was fulfilled upstream");
    CHECK_HAS(err, "orders[3] (#2004): line_items[0].sku is missing");
    free(out);
    free(err);
    cJSON *o = order("#2001");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "channel"), "shopify");
    CHECK_STR(str(o, "status"), "released");
    CHECK_STR(str(o, "shipping.country"), "US");
    CHECK_EQ(num(line(o, 0), "ordered"), 2);
    CHECK_EQ(num(line(o, 1), "requires_shipping"), 0);
    cJSON_Delete(o);
    o = order("#2002");
    REQUIRE(o != NULL);
    CHECK_EQ(num(o, "payment.cod"), 1);
    CHECK_STR(str(o, "status"), "released"); /* pending, but cash on delivery */
    cJSON_Delete(o);
    CHECK(order("#2003") == NULL);
}

/* The same export saved by Excel in a comma-decimal locale: ';' between
 * fields and "54,80" for money. */
static void test_semicolon_export_with_decimal_commas(void)
{
    REQUIRE_EQ(fresh("semicolon"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("shopify-orders", "orders_semicolon.csv", &out, &err), 0);
    CHECK_HAS(out, "2 orders (3 lines): 2 created");
    CHECK_HAS(out, "0 rejected");
    free(out);
    free(err);
    cJSON *o = order("#1001");
    REQUIRE(o != NULL);
    CHECK_EQ(num(o, "payment.total_cents"), 5480);
    CHECK_EQ(num(line(o, 0), "price_cents"), 1990);
    CHECK_STR(str(line(o, 0), "sku"), "TS-RED-M");
    cJSON_Delete(o);
}

/* The same semicolon export saved by Excel on a French Windows: no BOM,
 * Windows-1252 text. It is read as such, stored as UTF-8, and the summary
 * says how it was read. */
static void test_windows_1252_export(void)
{
    REQUIRE_EQ(fresh("cp1252"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("shopify-orders", "orders_windows1252.csv", &out, &err), 0);
    CHECK_HAS(out, "2 orders (3 lines): 2 created");
    CHECK_HAS(out, "0 rejected");
    CHECK_HAS(out, "read as Windows-1252 text (the file is not UTF-8)");
    free(out);
    free(err);
    cJSON *o = order("#1001");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "shipping.name"), "Am\xC3\xA9lie Durand");
    CHECK_EQ(num(o, "payment.total_cents"), 5480);
    cJSON_Delete(o);
    /* the UTF-8 export of the same orders says UTF-8 and changes nothing */
    out = NULL;
    CHECK_EQ(tote(&out, NULL, "import", "shopify-orders", data("orders_semicolon.csv"), "--json", NULL), 0);
    cJSON *j = cJSON_Parse(out ? out : "");
    REQUIRE(j != NULL);
    CHECK_STR(str(j, "encoding"), "UTF-8");
    CHECK_EQ(num(j, "unchanged"), 2);
    cJSON_Delete(j);
    free(out);
}

/* `tote order show` sizes the NAME column to the longest name in characters,
 * not bytes (a UTF-8 name is padded by characters, so the columns after it
 * line up in any language), and cuts a name longer than TOTE_CLI_TABLE_MAX
 * at a character boundary with a '~' (never inside a UTF-8 sequence). */
static void test_order_show_cuts_names_by_character(void)
{
    REQUIRE_EQ(fresh("utf8-cells"), 0);
    REQUIRE_EQ(morning(), 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/utf8.json", dir);
    static const char doc[] =
        "{\"orders\": [{\"name\": \"U-1\", \"payment\": {\"status\": \"paid\"}, \"lines\": ["
        "{\"sku\": \"TS-RED-S\", \"qty\": 1, \"name\": \"T-Shirt Größe S — Rot, für Übergrößen\"},"
        "{\"sku\": \"TS-RED-M\", \"qty\": 2, \"name\": \"Tee\"}]}]}";
    REQUIRE_EQ(tt_write_file(path, doc, sizeof doc - 1), 0);
    REQUIRE_EQ(tote(NULL, NULL, "import", "orders-json", path, NULL, NULL), 0);
    char *out = NULL;
    REQUIRE_EQ(tote(&out, NULL, "order", "show", "U-1", NULL, NULL), 0);
    CHECK(tote_utf8_valid((const unsigned char *)out, strlen(out)));
    /* the whole name (37 characters, 45 bytes), two spaces, ORD right-aligned in 3: the quantity in the
     * same character column on both lines */
    CHECK_HAS(out, "T-Shirt Größe S — Rot, für Übergrößen    1");
    CHECK_HAS(out, "Tee                                      2");
    free(out);

    /* a name of 60 characters: cut to 47 and '~', so the column is 48 wide */
    snprintf(path, sizeof path, "%s/utf8-long.json", dir);
    static const char doc2[] =
        "{\"orders\": [{\"name\": \"U-2\", \"payment\": {\"status\": \"paid\"}, \"lines\": ["
        "{\"sku\": \"TS-RED-S\", \"qty\": 1, \"name\": "
        "\"Übergrößen-T-Shirt — Größe S, Farbe Rot, Baumwolle, fair gehandelt\"},"
        "{\"sku\": \"TS-RED-M\", \"qty\": 2, \"name\": \"Tee\"}]}]}";
    REQUIRE_EQ(tt_write_file(path, doc2, sizeof doc2 - 1), 0);
    REQUIRE_EQ(tote(NULL, NULL, "import", "orders-json", path, NULL, NULL), 0);
    REQUIRE_EQ(tote(&out, NULL, "order", "show", "U-2", NULL, NULL), 0);
    CHECK(tote_utf8_valid((const unsigned char *)out, strlen(out)));
    CHECK_HAS(out, "Übergrößen-T-Shirt — Größe S, Farbe Rot, Baumwo~    1");
    CHECK_HAS(out, "Tee                                                 2");
    free(out);
}

static void test_wrong_kind_of_file(void)
{
    REQUIRE_EQ(fresh("wrongkind"), 0);
    char *err = NULL;
    CHECK_EQ(import("shopify-orders", "products.csv", NULL, &err), 2);
    CHECK_HAS(err, "is not a Shopify order export: it has no 'Name' column");
    free(err);
    err = NULL;
    CHECK_EQ(import("orders-json", "orders.csv", NULL, &err), 2);
    CHECK_HAS(err, "it is not valid JSON (line 1, column 1)");
    free(err);
}

static void test_utf16_file_refused(void)
{
    REQUIRE_EQ(fresh("utf16"), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/utf16.csv", dir);
    static const char u16[] = "\xFF\xFEs\0k\0u\0,\0b\0i\0n\0\n\0";
    REQUIRE_EQ(tt_write_file(path, u16, sizeof u16 - 1), 0);
    char *err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "stock", path, NULL, NULL), 2);
    CHECK_HAS(err, "UTF-16");
    free(err);
}

static void test_usage_errors(void)
{
    REQUIRE_EQ(fresh("usage"), 0);
    char *err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "shopify", data("orders.csv"), NULL, NULL), 2);
    CHECK_HAS(err, "unknown import kind 'shopify'");
    free(err);
    err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "stock", "/nonexistent/stock.csv", NULL, NULL), 2);
    CHECK_HAS(err, "cannot read /nonexistent/stock.csv: no such file");
    free(err);
    err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "stock", NULL, NULL, NULL), 2);
    CHECK_HAS(err, "usage: tote import");
    free(err);
    err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "stock", dir, NULL, NULL), 2);
    CHECK_HAS(err, "is not a regular file");
    free(err);
    snprintf(db, sizeof db, "%s/missing.db", dir);
    err = NULL;
    CHECK_EQ(import("stock", "stock.csv", NULL, &err), 2);
    CHECK_HAS(err, "no database at");
    free(err);
    /* an empty file is no database, and a command does not make it one */
    snprintf(db, sizeof db, "%s/empty.db", dir);
    REQUIRE_EQ(tt_write_file(db, "", 0), 0);
    err = NULL;
    CHECK_EQ(tote(NULL, &err, "order", "list", NULL, NULL, NULL), 2);
    CHECK_HAS(err, "the file is empty (run 'tote init' to make one there)");
    free(err);
    size_t n = 99;
    char *text = tt_read_file(db, &n);
    CHECK_EQ(n, 0);
    free(text);
    CHECK_EQ(tote(NULL, NULL, "init", NULL, NULL, NULL, NULL), 0); /* init may */
}

TT_MAIN(TT_TEST(test_bad_order_rows_reported_rest_imports),
        TT_TEST(test_row_without_name_refuses_the_order_before_it),
        TT_TEST(test_fulfilled_upstream_holds_an_open_order),
        TT_TEST(test_header_naming_a_column_twice_warns), TT_TEST(test_order_without_address_is_held),
        TT_TEST(test_zero_and_partly_fulfilled_line_items),
        TT_TEST(test_line_removed_upstream_keeps_the_others_in_place),
        TT_TEST(test_order_without_created_at_says_so),
        TT_TEST(test_orders_json_numbers_as_strings_and_names_taken), TT_TEST(test_more_bad_order_rows),
        TT_TEST(test_strict_imports_nothing), TT_TEST(test_orders_json_good_and_bad),
        TT_TEST(test_orders_json_from_shopify_api), TT_TEST(test_semicolon_export_with_decimal_commas),
        TT_TEST(test_windows_1252_export), TT_TEST(test_order_show_cuts_names_by_character),
        TT_TEST(test_wrong_kind_of_file), TT_TEST(test_utf16_file_refused), TT_TEST(test_usage_errors))
