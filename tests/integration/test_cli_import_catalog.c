/*
 * `tote import` end to end for the catalog: Shopify product exports, stock
 * (CSV and Shopify inventory exports) and locations, through the real binary
 * on a temp database (cli_import_fixture.h). Every bad input has its test.
 */
#include <cjson/cJSON.h>

#include "cli_import_fixture.h"
#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/import.h"
#include "tote/store.h"

static void test_stock_unknown_sku_and_bad_qty(void)
{
    REQUIRE_EQ(fresh("badstock"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("stock", "stock_bad.csv", &out, &err), 2);
    CHECK_HAS(out, "7 rows: 2 received (6 units); 5 rejected");
    CHECK_HAS(err, "stock_bad.csv:3: rejected: SKU NOPE-1 is not in the catalog");
    CHECK_HAS(err, "stock_bad.csv:4: rejected: qty '-3' for TS-RED-M is not a whole number of at least 1");
    CHECK_HAS(err, "stock_bad.csv:5: rejected: qty 'lots'");
    CHECK_HAS(err, "stock_bad.csv:6: rejected: expiry '2027-02-30' for COF-250 is not a date");
    CHECK_HAS(err, "stock_bad.csv:7: rejected: the row for TS-BLU-M has no bin");
    free(out);
    free(err);
    char *stock = NULL;
    REQUIRE_EQ(tote(&stock, NULL, "stock", "list", "--sku", "TS-RED-S", "--json"), 0);
    cJSON *s = cJSON_Parse(stock);
    free(stock);
    REQUIRE(s != NULL);
    CHECK_EQ(num(cJSON_GetArrayItem(s, 0), "on_hand"), 14); /* 10 + 4 */
    cJSON_Delete(s);
}

static void test_stock_without_header_and_new_bin(void)
{
    REQUIRE_EQ(fresh("noheader"), 0);
    REQUIRE_EQ(import("shopify-products", "products.csv", NULL, NULL), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("stock", "stock_noheader.csv", &out, &err), 0);
    CHECK_HAS(out, "2 rows: 2 received (3 units); 0 rejected");
    CHECK_HAS(err, "note: bin A-01 did not exist: created");
    free(out);
    free(err);
}

/* Quirks of stock files as people make them: a header with a column of their
 * own (left out, with a notice, never read as a lot), a value in a field
 * beyond the header or beyond the positional columns (the row is refused,
 * not shifted), and quantities past TOTE_QTY_MAX (refused as too large,
 * however many digits; a billion itself is taken). */
static void test_stock_extra_columns_and_huge_quantities(void)
{
    REQUIRE_EQ(fresh("stockquirks"), 0);
    REQUIRE_EQ(import("shopify-products", "products.csv", NULL, NULL), 0);
    const char *path;
    static const char quirks[] = "sku,bin,qty,note\n"
                                 "TS-RED-S,C-01,4,recount\n"
                                 "TS-RED-S,C-02,5,\n"
                                 "TS-RED-S,C-03,6,2027-05-01,oops\n"
                                 "TS-RED-S,C-04,9000000000000000000,\n"
                                 "TS-RED-S,C-04,99999999999999999999999,\n"
                                 "TS-RED-S,C-04,1000000001\n"
                                 "TS-RED-S,C-05,1000000000\n";
    path = put("quirks.csv", quirks);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "stock", path, NULL, NULL), 2);
    CHECK_HAS(out, "7 rows: 3 received (1000000009 units); 4 rejected");
    CHECK_HAS(err, "quirks.csv:1: note: column 'note' is not one Tote reads: left out");
    CHECK_HAS(err,
              "quirks.csv:4: rejected: the row has a value in field 5 ('oops'), but the header names only 4");
    CHECK_HAS(err, "quirks.csv:5: rejected: qty '9000000000000000000' for TS-RED-S is more than the most a "
                   "receipt can hold, 1000000000");
    CHECK_HAS(err,
              "quirks.csv:6: rejected: qty '99999999999999999999999' for TS-RED-S is more than the most");
    CHECK_HAS(err, "quirks.csv:7: rejected: qty '1000000001' for TS-RED-S is more than the most");
    free(out);
    free(err);
    char *stock = NULL;
    REQUIRE_EQ(tote(&stock, NULL, "stock", "list", "--sku", "TS-RED-S", "--json"), 0);
    cJSON *j = cJSON_Parse(stock);
    free(stock);
    REQUIRE(j != NULL);
    int lots = 0;
    long long units = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, j)
    {
        const cJSON *lot = cJSON_GetObjectItemCaseSensitive(row, "lot");
        lots += cJSON_IsString(lot) && *lot->valuestring;
        units += (long long)num(row, "on_hand");
    }
    CHECK_EQ(lots, 0); /* 'recount' is nobody's lot */
    CHECK_EQ(units, 1000000009LL);
    cJSON_Delete(j);

    /* without a header, a sixth field refuses the row */
    static const char six[] = "TS-RED-S,C-06,2,L1,2027-01-01,x\nTS-RED-S,C-06,2,L1,2027-01-01\n";
    path = put("noheader6.csv", six);
    out = err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "stock", path, NULL, NULL), 2);
    CHECK_HAS(out, "2 rows: 1 received (2 units); 1 rejected");
    CHECK_HAS(err,
              "noheader6.csv:1: rejected: the row has a value in field 6 ('x'), but without a header a row "
              "has at most 5");
    free(out);
    free(err);

    /* an order line past TOTE_QTY_MAX: the order is refused, listings still work */
    static const char big[] =
        "Name,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem sku\n"
        "#9,paid,2024-03-01 10:00:00 +0000,9000000000000000000,Tee,TS-RED-S\n"
        "#9,,,2,Tee,TS-RED-M\n"
        "#10,paid,2024-03-01 10:00:00 +0000,9223372036854775807,Tee,TS-RED-S\n";
    path = put("bigqty.csv", big);
    out = err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 2);
    CHECK_HAS(out, "0 created");
    CHECK_HAS(err,
              "bigqty.csv:2: rejected: order #9: Lineitem quantity '9000000000000000000' is more than the "
              "most a line can hold, 1000000000");
    CHECK_HAS(err, "Lineitem quantity '9223372036854775807' is more than the most");
    free(out);
    free(err);
    REQUIRE_EQ(tote(&out, NULL, "order", "list", "--json", NULL, NULL), 0);
    CHECK_STR(out, "[]\n");
    free(out);
}

/* Shopify's inventory export: one row per variant and store location, no
 * bins. The stock goes to a bin named after the location; "On hand (new)"
 * wins over "On hand (current)"; 0 and "not stocked" rows are skipped; a
 * negative on-hand is refused. */
static void test_stock_from_shopify_inventory_export(void)
{
    REQUIRE_EQ(fresh("shopify-inventory"), 0);
    REQUIRE_EQ(import("shopify-products", "products.csv", NULL, NULL), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("stock", "inventory_shopify.csv", &out, &err), 2);
    CHECK_HAS(out, "7 rows: 2 received (19 units), 3 with nothing on hand skipped; 2 rejected");
    CHECK(strstr(err, ":8:") == NULL); /* a variant with no SKU and nothing on hand: skipped, not refused */
    CHECK_HAS(err, "inventory_shopify.csv:2: note: bin Main Warehouse did not exist: created");
    CHECK_HAS(err, "inventory_shopify.csv:6: rejected: on hand for TOTE-CANVAS is -2 in Shopify");
    CHECK_HAS(err, "inventory_shopify.csv:7: rejected: SKU NOPE-1 is not in the catalog");
    CHECK_HAS(err, "inventory_shopify.csv:4: warning: the file holds more than one Shopify location "
                   "('Main Warehouse', 'Pop-up Store')");
    free(out);
    free(err);
    char *stock = NULL;
    REQUIRE_EQ(tote(&stock, NULL, "stock", "list", "--sku", "TS-RED-M", "--json"), 0);
    cJSON *j = cJSON_Parse(stock);
    free(stock);
    REQUIRE(j != NULL);
    CHECK_EQ(cJSON_GetArraySize(j), 1);
    CHECK_EQ(num(cJSON_GetArrayItem(j, 0), "on_hand"), 7); /* On hand (new) */
    CHECK_STR(str(cJSON_GetArrayItem(j, 0), "location"), "Main Warehouse");
    cJSON_Delete(j);
}

/* --location keeps one store location's rows of Shopify's inventory export;
 * a location with no row, or --location on another kind of file, is refused
 * and writes nothing. */
static void test_stock_shopify_one_location(void)
{
    REQUIRE_EQ(fresh("shopify-location"), 0);
    REQUIRE_EQ(import("shopify-products", "products.csv", NULL, NULL), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "stock", data("inventory_shopify.csv"), "--location", "Nowhere"), 2);
    CHECK_HAS(err, "no row is at the Shopify location 'Nowhere'");
    free(err);
    err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "stock", data("stock.csv"), "--location", "Pop-up Store"), 2);
    CHECK_HAS(err, "--location picks a store location of Shopify's inventory export, and this is not one");
    free(err);
    err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "shopify-orders", data("orders.csv"), "--location", "X"), 2);
    CHECK_HAS(err, "--location is for tote import stock");
    free(err);
    err = NULL;
    char *stock = NULL;
    REQUIRE_EQ(tote(&stock, NULL, "stock", "list", "--json", NULL, NULL), 0);
    CHECK_STR(stock, "[]\n"); /* nothing was received by the refused runs */
    free(stock);
    CHECK_EQ(tote(&out, &err, "import", "stock", data("inventory_shopify.csv"), "--location", "pop-up store"),
             0);
    CHECK_HAS(out,
              "7 rows: 0 received (0 units), 1 with nothing on hand skipped, 6 of other locations skipped; "
              "0 rejected");
    CHECK(strstr(err, "warning") == NULL);
    free(out);
    free(err);
}

/* Shopify's product export since its 2024 template names the columns
 * otherwise (Title first, then URL handle; SKU, Barcode, Price, Weight value
 * (grams), Requires shipping): the same catalog in that form imports to the
 * same products and barcodes as the classic export, with the same summary;
 * a file with neither name of a required column names both. */
static void test_products_current_shopify_template(void)
{
    static const char *const CATALOG =
        "SELECT group_concat(x, ' | ') FROM (SELECT p.sku || ';' || p.name || ';' || p.handle || ';' || "
        "p.weight_g "
        "|| ';' || p.requires_shipping || ';' || ifnull(p.price_cents, '-') || ';' || ifnull((SELECT "
        "group_concat(code) FROM barcode b WHERE b.product_id = p.id), '-') AS x FROM product p ORDER BY "
        "p.sku)";
    char *out1 = NULL, *out2 = NULL;
    REQUIRE_EQ(fresh("products-classic"), 0);
    REQUIRE_EQ(import("shopify-products", "products.csv", &out1, NULL), 0);
    char *classic = db_text(CATALOG);
    REQUIRE_EQ(fresh("products-2024"), 0);
    CHECK_EQ(import("shopify-products", "products_2024.csv", &out2, NULL), 0);
    char *current = db_text(CATALOG);
    REQUIRE(classic != NULL);
    REQUIRE(current != NULL);
    CHECK_STR(current, classic);
    CHECK_HAS(current,
              "TS-BLU-M;Classic T-Shirt \xE2\x80\x94 Blue / M;classic-tee;210;1;1990;00036000291452");
    CHECK_HAS(current, "GIFT-25;Gift Card 25 \xE2\x82\xAC;gift-card;0;0;2500;-");
    CHECK_HAS(
        current,
        "COF-250;Caf\xC3\xA9 Cr\xC3\xA8me Beans \xE2\x80\x94 250 g;coffee-beans;250;1;850;04006380000032");
    CHECK_HAS(
        out2,
        "10 products: 10 created, 0 updated, 0 unchanged; 8 barcodes set; 2 image rows skipped; 0 rejected");
    CHECK_STR(strchr(out2, ':'), strchr(out1, ':'));
    free(classic);
    free(current);
    free(out1);
    free(out2);

    char path[700], *err = NULL;
    snprintf(path, sizeof path, "%s/nohandle.csv", dir);
    REQUIRE_EQ(tt_write_file(path, "Title,SKU\nMug,M-1\n", strlen("Title,SKU\nMug,M-1\n")), 0);
    CHECK_EQ(tote(NULL, &err, "import", "shopify-products", path, NULL, NULL), 2);
    CHECK_HAS(err, "is not a Shopify product export: it has no 'Handle' (or 'URL handle') column");
    free(err);
}

/* The catalog exported again after a change: the changed variant is updated
 * (grams with decimals rounded to whole grams) and its event says what
 * changed; the same variant is unchanged; a row with no Handle and one whose
 * Requires Shipping is neither TRUE nor FALSE are refused by line. */
static void test_products_reimported_with_changes(void)
{
    REQUIRE_EQ(fresh("products-changed"), 0);
    REQUIRE_EQ(import("shopify-products", "products.csv", NULL, NULL), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("shopify-products", "products_changed.csv", &out, &err), 2);
    CHECK_HAS(out, "4 products: 0 created, 1 updated, 1 unchanged; 0 barcodes set; 2 rejected");
    CHECK_HAS(err, "products_changed.csv:5: rejected: the variant row has no Handle");
    CHECK_HAS(err,
              "products_changed.csv:6: rejected: Variant Requires Shipping 'sometimes' is not TRUE or FALSE");
    free(out);
    free(err);
    CHECK_EQ(db_count("SELECT weight_g FROM product WHERE sku = 'TS-RED-S'"), 201); /* "200.6" */
    CHECK_EQ(db_count("SELECT weight_g FROM product WHERE sku = 'TS-RED-M'"), 210);
    CHECK_EQ(db_count("SELECT COUNT(*) FROM product WHERE sku IN ('TS-RED-XL', 'TS-RED-XXL')"), 0);
    CHECK_EQ(
        db_count("SELECT COUNT(*) FROM event WHERE kind = 'product.updated' AND subject = 'TS-RED-S' AND "
                 "json_extract(detail, '$.changed.weight_g.from') = 200 AND "
                 "json_extract(detail, '$.changed.weight_g.to') = 201 AND "
                 "json_type(detail, '$.changed.name') IS NULL"),
        1);
    CHECK_EQ(db_count("SELECT COUNT(*) FROM event WHERE kind = 'product.updated'"), 1);
}

static void test_bad_barcodes_not_kept(void)
{
    REQUIRE_EQ(fresh("badproducts"), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("shopify-products", "products_bad.csv", &out, &err), 2);
    CHECK_HAS(out, "3 created");
    CHECK_HAS(out, "8 rejected");
    CHECK_HAS(err,
              "products_bad.csv:3: rejected: barcode 4006380000064 has a wrong check digit (4; it should "
              "be 3)");
    CHECK_HAS(err, "products_bad.csv:4: rejected: barcode '4.00638E+12' is in scientific notation");
    CHECK_HAS(err, "products_bad.csv:6: rejected: variant 'Red' of 'mug' has no Variant SKU");
    CHECK_HAS(err, "products_bad.csv:9: rejected: barcode 04006380000063 already belongs to SKU MUG-WHI");
    CHECK_HAS(err, "products_bad.csv:10: rejected: the row has 16 fields where the header has 45");
    free(out);
    free(err);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(db, 0, &s, NULL), TOTE_ST_E_OK);
    long long id;
    CHECK_EQ(tote_product_find_by_sku(s, "MUG-BLU", &id), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_product_find_by_sku(s, "MUG-TEA", &id), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_product_find_by_sku(s, "MUG-NAV", &id), TOTE_ST_E_OK);
    tote_store_destroy(&s);
}

/* Shopify's current export (the "Option1 Linked To" columns): gift cards are
 * variants with no SKU that are not shipped. They are skipped with a note, not
 * rejected, so a real store's export imports with exit 0; an unshipped
 * variant that has a SKU (an e-book) is imported as not shipped. */
static void test_unshipped_variants_without_sku_are_skipped(void)
{
    REQUIRE_EQ(fresh("giftcard"), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("shopify-products", "products_giftcard.csv", &out, &err), 0);
    CHECK_HAS(out, "3 created");
    CHECK_HAS(out, "1 image rows skipped; 2 unshipped variants without SKU skipped; 0 rejected");
    CHECK_HAS(err, "products_giftcard.csv:6: note: variant '$25' of 'gift-card' is not shipped");
    CHECK_HAS(err, "products_giftcard.csv:7: note: variant '$50' of 'gift-card'");
    free(out);
    free(err);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(db, 0, &s, NULL), TOTE_ST_E_OK);
    long long id;
    CHECK_EQ(tote_product_find_by_sku(s, "SOCK-L", &id), TOTE_ST_E_OK);
    CHECK_EQ(tote_product_find_by_sku(s, "EBOOK-1", &id), TOTE_ST_E_OK);
    tote_store_destroy(&s);
    char *js = NULL;
    CHECK_EQ(
        tote(&js, NULL, "import", "shopify-products", data("products_giftcard.csv"), "--force", "--json"), 0);
    cJSON *j = cJSON_Parse(js);
    free(js);
    REQUIRE(j != NULL);
    CHECK_EQ(num(j, "unshipped"), 2);
    CHECK_EQ(num(j, "rejected"), 0);
    CHECK_EQ(num(j, "unchanged"), 3);
    cJSON_Delete(j);
}

static void test_locations_bad_rows(void)
{
    REQUIRE_EQ(fresh("badloc"), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("locations", "locations_bad.csv", &out, &err), 2);
    CHECK_HAS(out, "5 bins: 2 created");
    CHECK_HAS(err, "locations_bad.csv:3: rejected: the row has no bin code");
    CHECK_HAS(err, "locations_bad.csv:4: rejected: walk_seq 'soon' of bin D-02");
    CHECK_HAS(err, "locations_bad.csv:5: rejected: walk_seq '-5' of bin D-03");
    free(out);
    free(err);
}

TT_MAIN(TT_TEST(test_stock_unknown_sku_and_bad_qty), TT_TEST(test_stock_without_header_and_new_bin),
        TT_TEST(test_stock_from_shopify_inventory_export),
        TT_TEST(test_stock_extra_columns_and_huge_quantities), TT_TEST(test_stock_shopify_one_location),
        TT_TEST(test_bad_barcodes_not_kept), TT_TEST(test_products_reimported_with_changes),
        TT_TEST(test_products_current_shopify_template),
        TT_TEST(test_unshipped_variants_without_sku_are_skipped), TT_TEST(test_locations_bad_rows))
