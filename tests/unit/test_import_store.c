/* tote_import_file() on a real store: products (UPC-E and changed or
 * swapped barcodes, decimal weights and prices, names and image rows, bad
 * rows, strict mode), locked orders, missing columns and an unknown kind.
 * The building blocks it uses (SHA-256, field parsers, orders-json):
 * test_import.c. */
#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/import.h"
#include "tote/orders.h"
#include "tote/stock.h"

/* ------------------------------------------------- against a real store */

static char *dir;

static void cleanup(void)
{
    tt_rmrf(dir);
    free(dir);
}

static tote_store *fresh_store(const char *name)
{
    if (!dir) {
        dir = tt_tmpdir("import");
        if (!dir)
            return NULL;
        atexit(cleanup);
    }
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    tote_store *s = NULL;
    if (tote_store_open(p, TOTE_STORE_CREATE, &s, NULL) != TOTE_ST_E_OK)
        return NULL;
    return s;
}

struct probs {
    int n;
    char text[32][300];
    int sev[32];
    long long line[32];
};

static void on_problem(void *ud, const tote_import_problem *p)
{
    struct probs *pr = ud;
    if (pr->n < 32) {
        snprintf(pr->text[pr->n], sizeof pr->text[pr->n], "%s", p->reason);
        pr->sev[pr->n] = p->severity;
        pr->line[pr->n] = p->line;
    }
    pr->n++;
}

static tote_st_err import(tote_store *s, tote_import_kind k, const char *data, int strict, int force,
                          struct probs *pr, tote_import_summary *m)
{
    tote_import_opts o = {
        .actor = "test", .strict = strict, .force = force, .on_problem = on_problem, .ud = pr};
    char *msg = NULL;
    tote_st_err e = tote_import_file(s, k, tt_src(data), &o, m, &msg);
    free(msg);
    return e;
}

static void base_catalog(tote_store *s)
{
    struct probs pr = {0};
    tote_import_summary m;
    CHECK_EQ(import(s, TOTE_IMPORT_LOCATIONS, "tests/data/import/locations.csv", 0, 0, &pr, &m),
             TOTE_ST_E_OK);
    CHECK_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products.csv", 0, 0, &pr, &m),
             TOTE_ST_E_OK);
    CHECK_EQ(import(s, TOTE_IMPORT_STOCK, "tests/data/import/stock.csv", 0, 0, &pr, &m), TOTE_ST_E_OK);
}

/* Eight-digit barcodes: a UPC-E is taken as the UPC-A it stands for; eight
 * digits that are both an EAN-8 and a UPC-E give the product both codes
 * (a scanner may send either); a plain EAN-8 stays one code. */
static void test_products_upce_barcodes(void)
{
    tote_store *s = fresh_store("upce.db");
    REQUIRE(s != NULL);
    struct probs pr = {0};
    tote_import_summary m;
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_upce.csv", 0, 0, &pr, &m),
               TOTE_ST_E_OK);
    CHECK_EQ(pr.n, 0);
    CHECK_EQ(m.created, 3);
    long long gum = 0, mint = 0, label = 0, by = 0;
    REQUIRE_EQ(tote_product_find_by_sku(s, "GUM-1", &gum), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_find_by_sku(s, "MINT-1", &mint), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_find_by_sku(s, "LBL-1", &label), TOTE_ST_E_OK);
    CHECK_EQ(tote_product_find_by_code(s, "00042100005264", &by, NULL), TOTE_ST_E_OK);
    CHECK_EQ(by, gum);
    CHECK_EQ(tote_product_find_by_code(s, "00000001234565", &by, NULL), TOTE_ST_E_OK);
    CHECK_EQ(by, mint);
    CHECK_EQ(tote_product_find_by_code(s, "00012345000065", &by, NULL), TOTE_ST_E_OK);
    CHECK_EQ(by, mint);
    CHECK_EQ(tote_product_find_by_code(s, "00000096385074", &by, NULL), TOTE_ST_E_OK);
    CHECK_EQ(by, label);
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT COUNT(*) FROM barcode");
    REQUIRE(st != NULL);
    REQUIRE_EQ(sqlite3_step(st), SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(st, 0), 4);
    sqlite3_reset(st);
    tote_store_destroy(&s);
}

/* A barcode changed in Shopify replaces the one an earlier import gave the
 * product: the old code is removed (audited), with a note; the other
 * product's code is untouched. */
static void test_products_changed_barcode_replaces_the_old(void)
{
    tote_store *s = fresh_store("bcchange.db");
    REQUIRE(s != NULL);
    struct probs pr = {0};
    tote_import_summary m;
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_barcode_before.csv", 0, 0,
                      &pr, &m),
               TOTE_ST_E_OK);
    long long a = 0, b = 0, by = 0;
    REQUIRE_EQ(tote_product_find_by_sku(s, "SW-A", &a), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_find_by_sku(s, "SW-B", &b), TOTE_ST_E_OK);
    memset(&pr, 0, sizeof pr);
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_barcode_after.csv", 0, 0,
                      &pr, &m),
               TOTE_ST_E_OK);
    CHECK_EQ(m.updated, 1);
    CHECK_EQ(m.unchanged, 1);
    CHECK_EQ(m.rejected, 0);
    REQUIRE_EQ(pr.n, 1);
    CHECK_EQ(pr.sev[0], TOTE_IMPORT_NOTICE);
    CHECK_HAS(pr.text[0], "barcode 04006381333931 of SW-A replaced by 00000096385074");
    CHECK_EQ(tote_product_find_by_code(s, "4006381333931", &by, NULL), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_product_find_by_code(s, "96385074", &by, NULL), TOTE_ST_E_OK);
    CHECK_EQ(by, a);
    CHECK_EQ(tote_product_find_by_code(s, "012345678905", &by, NULL), TOTE_ST_E_OK);
    CHECK_EQ(by, b);
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT COUNT(*) FROM event WHERE kind = 'barcode.removed' AND "
                                          "subject = 'SW-A' AND json_extract(detail, '$.code') = "
                                          "'04006381333931' AND actor = 'test'");
    REQUIRE(st != NULL);
    REQUIRE_EQ(sqlite3_step(st), SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(st, 0), 1);
    sqlite3_reset(st);
    /* the same file again changes nothing */
    memset(&pr, 0, sizeof pr);
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_barcode_after.csv", 0, 1,
                      &pr, &m),
               TOTE_ST_E_OK);
    CHECK_EQ(m.unchanged, 2);
    CHECK_EQ(pr.n, 0);
    tote_store_destroy(&s);
}

/* Two products swapping codes in one file (a label mix-up corrected in
 * Shopify): each code moves to the product the file gives it, with a note,
 * instead of both rows being refused. */
static void test_products_swapping_barcodes_in_one_file(void)
{
    tote_store *s = fresh_store("bcswap.db");
    REQUIRE(s != NULL);
    struct probs pr = {0};
    tote_import_summary m;
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_barcode_before.csv", 0, 0,
                      &pr, &m),
               TOTE_ST_E_OK);
    long long a = 0, b = 0, by = 0;
    REQUIRE_EQ(tote_product_find_by_sku(s, "SW-A", &a), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_find_by_sku(s, "SW-B", &b), TOTE_ST_E_OK);
    memset(&pr, 0, sizeof pr);
    REQUIRE_EQ(
        import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_barcode_swap.csv", 0, 0, &pr, &m),
        TOTE_ST_E_OK);
    CHECK_EQ(m.rejected, 0);
    CHECK_EQ(tote_product_find_by_code(s, "012345678905", &by, NULL), TOTE_ST_E_OK);
    CHECK_EQ(by, a);
    CHECK_EQ(tote_product_find_by_code(s, "4006381333931", &by, NULL), TOTE_ST_E_OK);
    CHECK_EQ(by, b);
    REQUIRE(pr.n >= 1);
    CHECK_EQ(pr.sev[0], TOTE_IMPORT_NOTICE);
    CHECK_HAS(pr.text[0], "barcode 00012345678905 moves from SKU SW-B to SKU SW-A (this file gives SW-B the "
                          "code 04006381333931)");
    for (int i = 0; i < pr.n; i++)
        CHECK(pr.sev[i] == TOTE_IMPORT_NOTICE);
    /* the same file again changes nothing */
    memset(&pr, 0, sizeof pr);
    REQUIRE_EQ(
        import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_barcode_swap.csv", 0, 1, &pr, &m),
        TOTE_ST_E_OK);
    CHECK_EQ(m.unchanged, 2);
    CHECK_EQ(pr.n, 0);
    /* a code another product keeps is still refused:
     * test_products_bad_rows_each_reported ("already belongs to SKU MUG-WHI") */
    tote_store_destroy(&s);
}

/* A weight in grams with decimals (a pound is 453.59237 g) is rounded to
 * whole grams; a price with more than two decimals to cents, with a note. */
static void test_products_decimal_weights_and_prices(void)
{
    tote_store *s = fresh_store("decimals.db");
    REQUIRE(s != NULL);
    struct probs pr = {0};
    tote_import_summary m;
    REQUIRE_EQ(
        import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_decimals.csv", 0, 0, &pr, &m),
        TOTE_ST_E_OK);
    CHECK_EQ(m.created, 2);
    CHECK_EQ(m.rejected, 0);
    REQUIRE_EQ(pr.n, 1);
    CHECK_EQ(pr.sev[0], TOTE_IMPORT_NOTICE);
    CHECK_HAS(pr.text[0], "Variant Price '12.999' has more than two decimals: kept as 13.00");
    long long id = 0;
    tote_product p = {0};
    REQUIRE_EQ(tote_product_find_by_sku(s, "KB-1", &id), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_get(s, id, &p), TOTE_ST_E_OK);
    CHECK_EQ(p.weight_g, 454);
    CHECK_EQ(p.price_cents, 1300);
    tote_product_clear(&p);
    REQUIRE_EQ(tote_product_find_by_sku(s, "KB-2", &id), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_get(s, id, &p), TOTE_ST_E_OK);
    CHECK_EQ(p.weight_g, 1000);
    CHECK_EQ(p.price_cents, 5900);
    tote_product_clear(&p);
    tote_store_destroy(&s);
}

static void test_products_names_barcodes_and_image_rows(void)
{
    tote_store *s = fresh_store("products.db");
    REQUIRE(s != NULL);
    struct probs pr = {0};
    tote_import_summary m;
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products.csv", 0, 0, &pr, &m),
               TOTE_ST_E_OK);
    CHECK_EQ(pr.n, 0);
    CHECK_EQ(m.records, 10);
    CHECK_EQ(m.created, 10);
    CHECK_EQ(m.skipped, 2); /* two image rows of classic-tee */
    CHECK_EQ(m.rejected, 0);
    CHECK_EQ(m.barcodes, 8);
    long long id = 0;
    tote_product p = {0};
    REQUIRE_EQ(tote_product_find_by_sku(s, "TS-RED-M", &id), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_get(s, id, &p), TOTE_ST_E_OK);
    CHECK_STR(p.name, "Classic T-Shirt \xE2\x80\x94 Red / M");
    CHECK_STR(p.handle, "classic-tee");
    CHECK_EQ(p.weight_g, 210);
    CHECK_EQ(p.price_cents, 1990);
    CHECK_EQ(p.requires_shipping, 1);
    tote_product_clear(&p);
    REQUIRE_EQ(tote_product_find_by_sku(s, "TOTE-CANVAS", &id), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_get(s, id, &p), TOTE_ST_E_OK);
    CHECK_STR(p.name, "Canvas Tote Bag"); /* "Default Title" is not appended */
    tote_product_clear(&p);
    REQUIRE_EQ(tote_product_find_by_sku(s, "GIFT-25", &id), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_get(s, id, &p), TOTE_ST_E_OK);
    CHECK_EQ(p.requires_shipping, 0);
    tote_product_clear(&p);
    /* SOCK-L's row comes after another product's rows: it still gets its Title */
    REQUIRE_EQ(tote_product_find_by_sku(s, "SOCK-L", &id), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_get(s, id, &p), TOTE_ST_E_OK);
    CHECK_STR(p.name, "Merino Wool Socks \xE2\x80\x94 L");
    tote_product_clear(&p);
    long long by_code = 0, ean = 0;
    CHECK_EQ(tote_product_find_by_code(s, "00036000291452", &by_code, NULL), TOTE_ST_E_OK);
    CHECK_EQ(tote_product_find_by_sku(s, "TS-BLU-M", &ean), TOTE_ST_E_OK);
    CHECK_EQ(by_code, ean);
    CHECK_EQ(tote_product_find_by_code(s, "04006380000032", &by_code, NULL), TOTE_ST_E_OK); /* 'apostrophe */
    CHECK_EQ(tote_product_find_by_code(s, "ACME-00042", &by_code, NULL), TOTE_ST_E_OK);
    /* the same file again: nothing read; forced: every product unchanged */
    memset(&pr, 0, sizeof pr);
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products.csv", 0, 0, &pr, &m),
               TOTE_ST_E_OK);
    CHECK_EQ(m.already_imported, 1);
    CHECK_EQ(m.records, 0);
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products.csv", 0, 1, &pr, &m),
               TOTE_ST_E_OK);
    CHECK_EQ(m.already_imported, 0);
    CHECK_EQ(m.unchanged, 10);
    CHECK_EQ(m.created + m.updated, 0);
    tote_store_destroy(&s);
}

static void test_products_bad_rows_each_reported(void)
{
    tote_store *s = fresh_store("products_bad.db");
    REQUIRE(s != NULL);
    struct probs pr = {0};
    tote_import_summary m;
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_bad.csv", 0, 0, &pr, &m),
               TOTE_ST_E_OK);
    CHECK_EQ(m.created, 3); /* MUG-WHI, MUG-NAV, and the one whose price is not one */
    CHECK_EQ(m.rejected, 8);
    REQUIRE_EQ(pr.n, 9);
    CHECK_EQ(pr.line[0], 3);
    CHECK_HAS(pr.text[0], "wrong check digit");
    CHECK_HAS(pr.text[1], "scientific notation");
    CHECK_HAS(pr.text[2], "11 digits");
    CHECK_HAS(pr.text[3], "has no Variant SKU");
    CHECK_HAS(pr.text[4], "appears again (first on line 2)");
    CHECK_HAS(pr.text[5], "Variant Grams 'heavy'");
    CHECK_HAS(pr.text[6], "already belongs to SKU MUG-WHI");
    CHECK_HAS(pr.text[7], "fields where the header has");
    CHECK_EQ(pr.line[7], 10);
    CHECK_HAS(pr.text[8], "Variant Price 'twelve' is not a price: product");
    CHECK_HAS(pr.text[8], "imported without one");
    CHECK_EQ(pr.sev[8], TOTE_IMPORT_WARNING);
    long long id;
    CHECK_EQ(tote_product_find_by_sku(s, "MUG-BLU", &id), TOTE_ST_E_NOT_FOUND); /* not silently kept */
    CHECK_EQ(tote_product_find_by_sku(s, "MUG-NAV", &id), TOTE_ST_E_OK);
    /* strict: nothing at all */
    tote_store *t = fresh_store("products_strict.db");
    REQUIRE(t != NULL);
    memset(&pr, 0, sizeof pr);
    CHECK_EQ(import(t, TOTE_IMPORT_SHOPIFY_PRODUCTS, "tests/data/import/products_bad.csv", 1, 0, &pr, &m),
             TOTE_ST_E_INVALID);
    CHECK_EQ(m.rolled_back, 1);
    CHECK_EQ(tote_product_find_by_sku(t, "MUG-NAV", &id), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_product_find_by_sku(t, "MUG-WHI", &id), TOTE_ST_E_NOT_FOUND);
    int found = 1;
    CHECK_EQ(tote_import_log_find(t, "shopify-products", m.sha256, &found, NULL), TOTE_ST_E_OK);
    CHECK_EQ(found, 0); /* a rolled-back import is not logged */
    tote_store_destroy(&t);
    tote_store_destroy(&s);
}

static void test_locked_order_not_updated(void)
{
    tote_store *s = fresh_store("locked.db");
    REQUIRE(s != NULL);
    base_catalog(s);
    struct probs pr = {0};
    tote_import_summary m;
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_ORDERS, "tests/data/import/orders.csv", 0, 0, &pr, &m),
               TOTE_ST_E_OK);
    /* #1001 is being picked when the changed export arrives */
    long long oid = 0;
    tote_order_status st;
    REQUIRE_EQ(tote_order_find(s, "#1001", &oid, &st), TOTE_ST_E_OK);
    CHECK_EQ(st, TOTE_ORDER_RELEASED);
    REQUIRE_EQ(tote_order_set_status(s, oid, TOTE_ORDER_ALLOCATED, "test", NULL, NULL, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_order_set_status(s, oid, TOTE_ORDER_PICKING, "test", NULL, NULL, NULL), TOTE_ST_E_OK);
    memset(&pr, 0, sizeof pr);
    REQUIRE_EQ(import(s, TOTE_IMPORT_SHOPIFY_ORDERS, "tests/data/import/orders_changed.csv", 0, 0, &pr, &m),
               TOTE_ST_E_OK);
    CHECK_EQ(m.locked, 1);
    CHECK_EQ(m.updated, 1); /* #1002 was paid meanwhile */
    CHECK_EQ(m.rejected, 0);
    REQUIRE_EQ(pr.n, 1);
    CHECK_EQ(pr.sev[0], TOTE_IMPORT_NOTICE);
    CHECK_HAS(pr.text[0], "#1001 changed in the file but is already picking");
    CHECK_EQ(tote_order_find(s, "#1002", NULL, &st), TOTE_ST_E_OK);
    CHECK_EQ(st, TOTE_ORDER_RELEASED);
    CHECK_EQ(tote_order_find(s, "#1001", NULL, &st), TOTE_ST_E_OK);
    CHECK_EQ(st, TOTE_ORDER_PICKING);
    /* cancelled and refunded upstream while being picked: a warning that says
       so and how to stop it, and the order is left as it is */
    REQUIRE_EQ(tote_order_find(s, "#1002", &oid, &st), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_order_set_status(s, oid, TOTE_ORDER_ALLOCATED, "test", NULL, NULL, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_order_set_status(s, oid, TOTE_ORDER_PICKING, "test", NULL, NULL, NULL), TOTE_ST_E_OK);
    memset(&pr, 0, sizeof pr);
    REQUIRE_EQ(
        import(s, TOTE_IMPORT_SHOPIFY_ORDERS, "tests/data/import/orders_cancelled_late.csv", 0, 0, &pr, &m),
        TOTE_ST_E_OK);
    CHECK_EQ(m.locked, 1);
    REQUIRE_EQ(pr.n, 1);
    CHECK_EQ(pr.sev[0], TOTE_IMPORT_WARNING);
    CHECK_HAS(pr.text[0], "order #1002 was cancelled upstream but is already picking here, so it was not "
                          "changed: stop it before it ships (tote order cancel #1002, or hold it)");
    CHECK_EQ(tote_order_find(s, "#1002", NULL, &st), TOTE_ST_E_OK);
    CHECK_EQ(st, TOTE_ORDER_PICKING);
    tote_store_destroy(&s);
}

static void test_missing_columns_and_unknown_kind(void)
{
    tote_store *s = fresh_store("cols.db");
    REQUIRE(s != NULL);
    struct probs pr = {0};
    tote_import_summary m;
    char *msg = NULL;
    tote_import_opts o = {.on_problem = on_problem, .ud = &pr};
    /* a product export given as orders */
    CHECK_EQ(tote_import_file(s, TOTE_IMPORT_SHOPIFY_ORDERS, tt_src("tests/data/import/products.csv"), &o, &m,
                              &msg),
             TOTE_ST_E_INVALID);
    CHECK_HAS(msg, "is not a Shopify order export: it has no 'Name' column");
    free(msg);
    CHECK_EQ(tote_import_file(s, TOTE_IMPORT_SHOPIFY_PRODUCTS, tt_src("tests/data/import/orders.csv"), &o, &m,
                              &msg),
             TOTE_ST_E_INVALID);
    CHECK_HAS(msg, "is not a Shopify product export");
    free(msg);
    CHECK_EQ(tote_import_file(s, TOTE_IMPORT_STOCK, "/nonexistent/stock.csv", &o, &m, &msg),
             TOTE_ST_E_NOT_FOUND);
    CHECK_HAS(msg, "cannot open /nonexistent/stock.csv");
    free(msg);
    /* no options at all: the defaults (a Shopify inventory export reads opts->location) */
    msg = NULL;
    CHECK_EQ(tote_import_file(s, TOTE_IMPORT_STOCK, tt_src("tests/data/import/inventory_shopify.csv"), NULL,
                              &m, &msg),
             TOTE_ST_E_OK);
    CHECK(msg == NULL);
    CHECK_EQ(m.records, 7);
    tote_import_kind k;
    CHECK_EQ(tote_import_kind_parse("shopify-orders", &k), 0);
    CHECK_EQ(k, TOTE_IMPORT_SHOPIFY_ORDERS);
    CHECK_EQ(tote_import_kind_parse("shopify", &k), -1);
    tote_store_destroy(&s);
}

TT_MAIN(TT_TEST(test_products_names_barcodes_and_image_rows), TT_TEST(test_products_upce_barcodes),
        TT_TEST(test_products_decimal_weights_and_prices),
        TT_TEST(test_products_changed_barcode_replaces_the_old),
        TT_TEST(test_products_swapping_barcodes_in_one_file), TT_TEST(test_products_bad_rows_each_reported),
        TT_TEST(test_locked_order_not_updated), TT_TEST(test_missing_columns_and_unknown_kind))
