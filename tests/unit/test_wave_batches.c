/*
 * Waves and allocation runs big enough to use the batched writes (64 rows
 * to a statement) and both ways of reading lines: one pass over the rowid
 * ranges, and order by order when the ranges are much larger than the run.
 */
#include "support.h"
#include "test.h"
#include "tote/alloc.h"
#include "tote/wave.h"
#include "waves_fixture.h"

static tote_store *fresh(const char *name)
{
    return fx_fresh("wave-batches", name);
}

#define PRODUCTS 7

/* PRODUCTS products, one bin each, walk order the reverse of creation. */
static void stock_bins(tote_store *s, long long *prod)
{
    for (int i = 0; i < PRODUCTS; i++) {
        char sku[16], code[16];
        snprintf(sku, sizeof sku, "B%02d", i);
        snprintf(code, sizeof code, "BIN-%02d", i);
        prod[i] = fx_product(s, sku, 0, -1, -1);
        fx_stock(s, prod[i], fx_location(s, code, 1000 - i * 10, "bin"), NULL, NULL, 100000);
    }
}

/* n released orders "#<prefix><k>" of 3 lines each, priorities spread. */
static void orders(tote_store *s, const long long *p, const char *prefix, int n)
{
    for (int k = 0; k < n; k++) {
        char name[32], at[32];
        snprintf(name, sizeof name, "#%s%03d", prefix, k);
        snprintf(at, sizeof at, "2024-02-%02dT%02d:00:00Z", 1 + k % 28, k % 24);
        fx_order(s, name, "released", k % 17 == 0, 0, k % 3, NULL, at,
                 FX_LINES({p[k % PRODUCTS], 1 + k % 3, 1}, {p[(k + 2) % PRODUCTS], 2, 1},
                          {p[(k + 5) % PRODUCTS], 1, 1}));
    }
}

/* Everything a wave of `n` orders of 3 lines each must satisfy. */
static void check_wave(tote_store *s, const tote_wave_result *r, long long n)
{
    CHECK_EQ(r->orders, n);
    CHECK_EQ(r->lines, 3 * n);
    CHECK_EQ(r->tasks, 3 * n);
    CHECK_EQ(r->pick_lists, (n + 7) / 8);
    CHECK(fx_invariants_hold(s));
    /* every line got all it ordered (the batched order_line updates) */
    CHECK_EQ(fx_int(s,
                    "SELECT COUNT(*) FROM order_line WHERE allocated <> ordered AND order_id IN (SELECT id "
                    "FROM orders "
                    "WHERE status <> 'delivered')",
                    0),
             0);
    CHECK_EQ(fx_int(s,
                    "SELECT COUNT(*) FROM orders WHERE status <> 'delivered' AND (status <> 'allocated' OR "
                    "tote IS NULL)",
                    0),
             0);
    /* the order's tote (batched update) is its tasks' tote and its event's */
    CHECK_EQ(fx_int(s,
                    "SELECT COUNT(*) FROM pick_task t JOIN order_line ol ON ol.id = t.order_line_id "
                    "JOIN orders o ON o.id = ol.order_id WHERE t.tote IS NOT o.tote",
                    0),
             0);
    CHECK_EQ(fx_int(s,
                    "SELECT COUNT(*) FROM event e JOIN orders o ON o.name = e.subject WHERE e.kind = "
                    "'order.waved' AND json_extract(e.detail, '$.tote') = o.tote AND json_extract(e.detail, "
                    "'$.wave') = ?1",
                    r->wave_id),
             n);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'order.allocated'", 0), n);
    /* tote T<list>-<k>: k = 1..8 in each list */
    CHECK_EQ(fx_int(s,
                    "SELECT COUNT(*) FROM orders o JOIN pick_task t ON t.tote = o.tote WHERE o.tote NOT LIKE "
                    "'T' || t.pick_list_id || '-_'",
                    0),
             0);
    /* seq is 1..count in each list, in walking order */
    CHECK_EQ(fx_int(s,
                    "SELECT COUNT(*) FROM (SELECT pick_list_id, MIN(seq) AS a, MAX(seq) AS b, COUNT(*) AS c "
                    "FROM pick_task GROUP BY pick_list_id) WHERE a <> 1 OR b <> c",
                    0),
             0);
    CHECK_EQ(
        fx_int(s,
               "SELECT COUNT(*) FROM pick_task t1 JOIN pick_task t2 ON t2.pick_list_id = t1.pick_list_id "
               "AND t2.seq = t1.seq + 1 JOIN stock s1 ON s1.id = t1.stock_id JOIN stock s2 ON s2.id = "
               "t2.stock_id JOIN location l1 ON l1.id = s1.location_id JOIN location l2 ON l2.id = "
               "s2.location_id WHERE l2.walk_seq < l1.walk_seq",
               0),
        0);
}

static void test_batched_wave_by_ranges(void)
{
    tote_store *s = fresh("ranges.db");
    REQUIRE(s != NULL);
    long long p[PRODUCTS];
    stock_bins(s, p);
    orders(s, p, "r", 150); /* 2 full batches of 64 and a rest */
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.orders_allocated, 150);
    check_wave(s, &r, 150);
    /* the 9 rush orders rank first: list 1 and the first tote of list 2 */
    CHECK_EQ(fx_int(s,
                    "SELECT COUNT(*) FROM orders WHERE rush = 1 AND (tote LIKE 'T' || (SELECT MIN(id) FROM "
                    "pick_list) || '-%' OR tote = 'T' || (SELECT MIN(id) + 1 FROM pick_list) || '-1')",
                    0),
             9);
    tote_store_destroy(&s);
}

static void test_batched_wave_order_by_order(void)
{
    tote_store *s = fresh("sparse.db");
    REQUIRE(s != NULL);
    long long p[PRODUCTS];
    stock_bins(s, p);
    orders(s, p, "a", 70);
    /* a delivered order with many lines between the open ones: the rowid
     * range of the open orders' lines is much larger than the run */
    fx_sql(
        s,
        "INSERT INTO orders(name, status, ordered_at, created_at, updated_at) VALUES ('#old', 'delivered', "
        "'2024-01-01T00:00:00Z', 'x', 'x')",
        NULL);
    fx_sql(s,
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
           "INSERT INTO order_line(order_id, line_no, sku, ordered, picked, packed, shipped) "
           "SELECT (SELECT id FROM orders WHERE name = '#old'), i, 'B00', 1, 1, 1, 1 FROM n",
           NULL);
    orders(s, p, "b", 70);
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.orders_allocated, 140);
    check_wave(s, &r, 140);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM orders WHERE name = '#old' AND tote IS NULL", 0), 1);
    tote_store_destroy(&s);
}

TT_MAIN(TT_TEST(test_batched_wave_by_ranges), TT_TEST(test_batched_wave_order_by_order))
