/*
 * Reorder points on real temporary databases: one event and one alert per
 * downward crossing, cleared when stock rises above, quarantine not counted,
 * and the list of what to buy.
 */
#include "support.h"
#include "test.h"
#include "tote/alloc.h"
#include "tote/reorder.h"
#include "waves_fixture.h"

static tote_store *fresh(const char *name)
{
    return fx_fresh("reorder", name);
}

static long long alerts(tote_store *s)
{
    return fx_int(s, "SELECT COUNT(*) FROM alert WHERE kind = 'reorder'", 0);
}

static long long events(tote_store *s, const char *kind_sql)
{
    return fx_int(s, kind_sql, 0);
}

static void test_crossing_raises_exactly_one_alert(void)
{
    tote_store *s = fresh("cross.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "TEA", 0, 5, 20); /* point 5, reorder 20 */
    fx_stock(s, p, fx_location(s, "A", 1, "bin"), NULL, NULL, 10);
    fx_stock(s, p, fx_location(s, "Q", 2, "quarantine"), NULL, NULL, 50); /* does not count */
    CHECK_EQ(tote_reorder_check(s, p, "test"), TOTE_ST_E_OK);
    CHECK_EQ(alerts(s), 0); /* 10 > 5 */

    /* allocation brings available to 6: above; then to 5: at the point */
    long long o1 = fx_order(s, "#1", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({p, 4, 1}));
    REQUIRE_EQ(tote_alloc_order(s, o1, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(alerts(s), 0);
    long long o2 = fx_order(s, "#2", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({p, 1, 1}));
    REQUIRE_EQ(tote_alloc_order(s, o2, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(alerts(s), 1);
    char buf[256];
    CHECK_STR(fx_text(s, "SELECT subject FROM alert WHERE kind = 'reorder'", 0, buf, sizeof buf), "TEA");
    CHECK_HAS(fx_text(s, "SELECT message FROM alert WHERE kind = 'reorder'", 0, buf, sizeof buf), "order 20");
    CHECK_HAS(fx_text(s, "SELECT detail FROM event WHERE kind = 'reorder.point_reached'", 0, buf, sizeof buf),
              "\"available\":5");

    /* further down, and checked again and again: still one */
    long long o3 = fx_order(s, "#3", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({p, 3, 1}));
    REQUIRE_EQ(tote_alloc_order(s, o3, "test", NULL), TOTE_ST_E_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(tote_reorder_check(s, p, "test"), TOTE_ST_E_OK);
    CHECK_EQ(alerts(s), 1);
    CHECK_EQ(events(s, "SELECT COUNT(*) FROM event WHERE kind = 'reorder.point_reached'"), 1);

    /* back above the point (cancel gives stock back): cleared, no alert */
    REQUIRE_EQ(tote_alloc_release_order(s, o1, "test"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_alloc_release_order(s, o3, "test"), TOTE_ST_E_OK);
    CHECK_EQ(events(s, "SELECT COUNT(*) FROM event WHERE kind = 'reorder.cleared'"), 1);
    CHECK_EQ(alerts(s), 1);

    /* and down again: a second alert */
    REQUIRE_EQ(tote_alloc_order(s, o1, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(alerts(s), 2);
    CHECK_EQ(events(s, "SELECT COUNT(*) FROM event WHERE kind = 'reorder.point_reached'"), 2);
    tote_store_destroy(&s);
}

static void test_no_point_and_unknown_product(void)
{
    tote_store *s = fresh("nopoint.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "FREE", 0, -1, -1);
    CHECK_EQ(tote_reorder_check(s, p, "test"), TOTE_ST_E_OK); /* no stock, but no point either */
    CHECK_EQ(alerts(s), 0);
    CHECK_EQ(tote_reorder_check(s, 99999, "test"), TOTE_ST_E_NOT_FOUND);
    /* a product with a point and no stock at all is due at once */
    long long q = fx_product(s, "NEW", 0, 0, -1);
    CHECK_EQ(tote_reorder_check(s, q, "test"), TOTE_ST_E_OK);
    CHECK_EQ(alerts(s), 1);
    tote_store_destroy(&s);
}

static const cJSON *find_sku(const cJSON *arr, const char *sku)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, arr)
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(p, "sku")), sku) == 0)
            return p;
    }
    return NULL;
}

static double field(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItem(o, k));
}

static void test_reorder_list(void)
{
    tote_store *s = fresh("list.db");
    REQUIRE(s != NULL);
    long long bin = fx_location(s, "A", 1, "bin"), dock = fx_location(s, "D", 2, "dock"),
              quar = fx_location(s, "Q", 3, "quarantine");
    long long above = fx_product(s, "ABOVE", 0, 5, 10);
    fx_stock(s, above, bin, NULL, NULL, 6);
    long long at = fx_product(s, "AT", 0, 5, 10);
    fx_stock(s, at, bin, NULL, NULL, 3);
    fx_stock(s, at, dock, NULL, NULL, 2); /* docks count, quarantine does not */
    fx_stock(s, at, quar, NULL, NULL, 100);
    long long deep = fx_product(s, "DEEP", 0, 10, 4); /* reorder_qty too small to lift it above */
    fx_stock(s, deep, bin, NULL, NULL, 1);
    long long noqty = fx_product(s, "NOQTY", 0, 2, -1);
    fx_product(s, "NOPOINT", 0, -1, -1);
    /* 1 allocated, 2 backordered */
    long long o =
        fx_order(s, "#1", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({deep, 3, 1}));
    REQUIRE_EQ(tote_alloc_order(s, o, "test", NULL), TOTE_ST_E_OK);
    (void)noqty;

    cJSON *arr = NULL;
    REQUIRE_EQ(tote_reorder_list_json(s, &arr), TOTE_ST_E_OK);
    CHECK_EQ(cJSON_GetArraySize(arr), 3);
    CHECK(find_sku(arr, "ABOVE") == NULL);
    CHECK(find_sku(arr, "NOPOINT") == NULL);
    /* most urgent first: DEEP (0 - 10), NOQTY (0 - 2), AT (5 - 5) */
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "sku")), "DEEP");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 2), "sku")), "AT");
    const cJSON *a = find_sku(arr, "AT");
    REQUIRE(a != NULL);
    CHECK_EQ(field(a, "on_hand"), 5);
    CHECK_EQ(field(a, "available"), 5);
    CHECK_EQ(field(a, "suggested"), 10);
    const cJSON *d = find_sku(arr, "DEEP");
    REQUIRE(d != NULL);
    CHECK_EQ(field(d, "reserved"), 1);
    CHECK_EQ(field(d, "available"), 0);
    CHECK_EQ(field(d, "backorder"), 2);
    CHECK_EQ(field(d, "suggested"), 11); /* max(4, 10 - 0 + 1) */
    const cJSON *n = find_sku(arr, "NOQTY");
    REQUIRE(n != NULL);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(n, "reorder_qty")));
    CHECK_EQ(field(n, "suggested"), 3);
    cJSON_Delete(arr);
    tote_store_destroy(&s);
}

TT_MAIN(TT_TEST(test_crossing_raises_exactly_one_alert), TT_TEST(test_no_point_and_unknown_product),
        TT_TEST(test_reorder_list))
