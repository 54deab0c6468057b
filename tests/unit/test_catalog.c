/* Catalog: product upsert (created/unchanged/updated, keep values), barcodes, lookups. */
#include <sqlite3.h>

#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/store.h"

static char *dir;

static tote_store *fresh(const char *name)
{
    if (!dir)
        dir = tt_tmpdir("catalog");
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    tote_store *s = NULL;
    if (tote_store_open(p, TOTE_STORE_CREATE, &s, NULL) != TOTE_ST_E_OK)
        return NULL;
    return s;
}

static long long count(tote_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static tote_product_in keep(const char *sku)
{
    tote_product_in p = {.sku = sku,
                         .name = NULL,
                         .handle = NULL,
                         .weight_g = -1,
                         .requires_shipping = -1,
                         .lot_tracked = -1,
                         .price_cents = -1,
                         .reorder_point = -1,
                         .reorder_qty = -1};
    return p;
}

static void test_upsert_created_unchanged_updated(void)
{
    tote_store *s = fresh("a.db");
    REQUIRE(s);
    tote_product_in p = keep("MUG-1");
    p.name = "Mug";
    p.weight_g = 350;
    p.price_cents = 1299;
    tote_upsert_result r = 0;
    long long id = 0, id2 = 0;
    REQUIRE_EQ(tote_product_upsert(s, &p, "test", &r, &id), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_CREATED);
    CHECK(id > 0);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM event WHERE kind = 'product.created'"), 1);
    REQUIRE_EQ(tote_product_upsert(s, &p, "test", &r, &id2), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_UNCHANGED);
    CHECK_EQ(id2, id);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM event"), 1);
    p.weight_g = 360;
    REQUIRE_EQ(tote_product_upsert(s, &p, "test", &r, &id2), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_UPDATED);
    CHECK_EQ(count(s, "SELECT weight_g FROM product WHERE sku = 'MUG-1'"), 360);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM event WHERE kind = 'product.updated'"), 1);
    tote_store_destroy(&s);
}

static void test_keep_values_do_not_wipe(void)
{
    tote_store *s = fresh("b.db");
    REQUIRE(s);
    tote_product_in p = keep("TEA-1");
    p.name = "Tea";
    p.lot_tracked = 1;
    p.reorder_point = 10;
    p.reorder_qty = 50;
    p.requires_shipping = 0;
    long long id = 0;
    REQUIRE_EQ(tote_product_upsert(s, &p, NULL, NULL, &id), TOTE_ST_E_OK);
    tote_product_in q = keep("TEA-1"); /* an importer that knows none of it */
    tote_upsert_result r = 0;
    REQUIRE_EQ(tote_product_upsert(s, &q, NULL, &r, NULL), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_UNCHANGED);
    tote_product got;
    REQUIRE_EQ(tote_product_get(s, id, &got), TOTE_ST_E_OK);
    CHECK_STR(got.name, "Tea");
    CHECK_EQ(got.lot_tracked, 1);
    CHECK_EQ(got.requires_shipping, 0);
    CHECK_EQ(got.reorder_point, 10);
    CHECK_EQ(got.reorder_qty, 50);
    CHECK_EQ(got.price_cents, -1);
    tote_product_clear(&got);
    /* a product created without a name is named by its sku */
    tote_product_in n = keep("BARE");
    REQUIRE_EQ(tote_product_upsert(s, &n, NULL, NULL, &id), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_get(s, id, &got), TOTE_ST_E_OK);
    CHECK_STR(got.name, "BARE");
    CHECK_EQ(got.requires_shipping, 1);
    CHECK_EQ(got.weight_g, 0);
    tote_product_clear(&got);
    tote_store_destroy(&s);
}

static void test_upsert_bad_input(void)
{
    tote_store *s = fresh("c.db");
    REQUIRE(s);
    tote_product_in p = keep("");
    CHECK_EQ(tote_product_upsert(s, &p, NULL, NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "SKU");
    p = keep(NULL);
    CHECK_EQ(tote_product_upsert(s, &p, NULL, NULL, NULL), TOTE_ST_E_INVALID);
    p = keep("X");
    p.requires_shipping = 2;
    CHECK_EQ(tote_product_upsert(s, &p, NULL, NULL, NULL), TOTE_ST_E_INVALID);
    p = keep("X");
    p.price_cents = -5;
    CHECK_EQ(tote_product_upsert(s, &p, NULL, NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "negative");
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM product"), 0);
    tote_store_destroy(&s);
}

static void test_barcodes(void)
{
    tote_store *s = fresh("d.db");
    REQUIRE(s);
    long long a = 0, b = 0, got = 0;
    int units = 0;
    tote_product_in p = keep("A");
    REQUIRE_EQ(tote_product_upsert(s, &p, NULL, NULL, &a), TOTE_ST_E_OK);
    p = keep("B");
    REQUIRE_EQ(tote_product_upsert(s, &p, NULL, NULL, &b), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_barcode_set(s, "00012345678905", a, 1, "test"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_barcode_set(s, "10012345678902", a, 12, "test"), TOTE_ST_E_OK);
    {
        /* the audit event says who set which code, and its units */
        sqlite3_stmt *q = NULL;
        REQUIRE_EQ(sqlite3_prepare_v2(tote_store_db(s),
                                      "SELECT actor, subject, detail FROM event WHERE kind = 'barcode.set' "
                                      "ORDER BY id DESC LIMIT 1",
                                      -1, &q, NULL),
                   SQLITE_OK);
        REQUIRE_EQ(sqlite3_step(q), SQLITE_ROW);
        CHECK_STR((const char *)sqlite3_column_text(q, 0), "test");
        CHECK_STR((const char *)sqlite3_column_text(q, 1), "A");
        CHECK_STR((const char *)sqlite3_column_text(q, 2), "{\"code\":\"10012345678902\",\"units\":12}");
        sqlite3_finalize(q);
    }
    CHECK_EQ(tote_barcode_set(s, "00012345678905", b, 1, "test"), TOTE_ST_E_EXISTS);
    CHECK_HAS(tote_st_detail(), "already belongs to A");
    CHECK_EQ(tote_barcode_set(s, "00012345678905", a, 1, "test"), TOTE_ST_E_OK); /* same again: fine */
    CHECK_EQ(tote_barcode_set(s, "X1", 999, 1, "test"), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_barcode_set(s, "X1", a, 0, "test"), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_barcode_set(s, "", a, 1, "test"), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_barcode_set(s, " X1", a, 1, "test"), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_barcode_set(s, "X\n1", a, 1, "test"), TOTE_ST_E_INVALID);
    REQUIRE_EQ(tote_product_find_by_code(s, "10012345678902", &got, &units), TOTE_ST_E_OK);
    CHECK_EQ(got, a);
    CHECK_EQ(units, 12);
    /* UPC-A form of a stored GTIN-14 */
    got = 0;
    REQUIRE_EQ(tote_product_find_by_code(s, "012345678905", &got, &units), TOTE_ST_E_OK);
    CHECK_EQ(got, a);
    CHECK_EQ(units, 1);
    CHECK_EQ(tote_product_find_by_code(s, "999", &got, NULL), TOTE_ST_E_NOT_FOUND);
    REQUIRE_EQ(tote_barcode_set(s, "RAW-CODE 7", b, 1, "test"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_product_find_by_code(s, "RAW-CODE 7", &got, NULL), TOTE_ST_E_OK);
    CHECK_EQ(got, b);
    REQUIRE_EQ(tote_product_find_by_sku(s, "B", &got), TOTE_ST_E_OK);
    CHECK_EQ(got, b);
    CHECK_EQ(tote_product_find_by_sku(s, "b", &got), TOTE_ST_E_NOT_FOUND);
    tote_store_destroy(&s);
}

static void test_inside_callers_transaction(void)
{
    tote_store *s = fresh("e.db");
    REQUIRE(s);
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    tote_product_in p = keep("T1");
    REQUIRE_EQ(tote_product_upsert(s, &p, NULL, NULL, NULL), TOTE_ST_E_OK);
    p = keep("");
    CHECK_EQ(tote_product_upsert(s, &p, NULL, NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_EQ(sqlite3_get_autocommit(tote_store_db(s)), 0); /* still the caller's transaction */
    tote_store_rollback(s);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM product"), 0);
    tote_store_destroy(&s);
}

static void test_teardown(void)
{
    if (!dir)
        return;
    CHECK_EQ(tt_rmrf(dir), 0);
    free(dir);
    dir = NULL;
}

TT_MAIN(TT_TEST(test_upsert_created_unchanged_updated), TT_TEST(test_keep_values_do_not_wipe),
        TT_TEST(test_upsert_bad_input), TT_TEST(test_barcodes), TT_TEST(test_inside_callers_transaction),
        TT_TEST(test_teardown))
