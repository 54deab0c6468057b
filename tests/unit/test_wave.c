/*
 * Waves on real temporary databases: which orders go first, the limits,
 * totes per list, walking order of tasks, and the wave listings.
 */
#include "support.h"
#include "test.h"
#include "tote/alloc.h"
#include "tote/flows.h"
#include "tote/wave.h"
#include "waves_fixture.h"

static tote_store *fresh(const char *name)
{
    return fx_fresh("wave", name);
}

/* order names of a list's totes in tote order, "#a,#b" */
static const char *list_orders(tote_store *s, long long list, char *buf, size_t cap)
{
    return fx_text(s,
                   "SELECT group_concat(name, ',') FROM (SELECT o.name FROM orders o WHERE o.tote LIKE 'T' "
                   "|| ?1 || '-%' "
                   "ORDER BY CAST(substr(o.tote, length('T' || ?1 || '-') + 1) AS INTEGER))",
                   list, buf, cap);
}

static long long nth_list(tote_store *s, long long wave, int n)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT id FROM pick_list WHERE wave_id = ?1 ORDER BY id LIMIT 1 OFFSET %d", n);
    return fx_int(s, sql, wave);
}

/* A warehouse with one product per bin; returns the product ids. */
static void stock_bins(tote_store *s, long long *prod, int n)
{
    for (int i = 0; i < n; i++) {
        char sku[16], code[16];
        snprintf(sku, sizeof sku, "P%02d", i);
        snprintf(code, sizeof code, "BIN-%02d", i);
        prod[i] = fx_product(s, sku, 0, -1, -1);
        fx_stock(s, prod[i], fx_location(s, code, 100 - i * 5, "bin"), NULL, NULL, 1000);
    }
}

static void test_priority_then_ship_by_then_ordered_at(void)
{
    tote_store *s = fresh("prio.db");
    REQUIRE(s != NULL);
    long long p[1];
    stock_bins(s, p, 1);
    /* created in an order that is none of the expected ones */
    fx_order(s, "#plain-old", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z", FX_LINES({p[0], 1, 1}));
    fx_order(s, "#shipby-late", "released", 0, 0, 0, "2024-03-09", "2024-02-01T00:00:00Z",
             FX_LINES({p[0], 1, 1}));
    fx_order(s, "#pickup", "released", 0, 1, 0, NULL, "2024-02-27T00:00:00Z", FX_LINES({p[0], 1, 1}));
    fx_order(s, "#plain-new", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({p[0], 1, 1}));
    fx_order(s, "#shipby-soon", "released", 0, 0, 0, "2024-03-02", "2024-02-15T00:00:00Z",
             FX_LINES({p[0], 1, 1}));
    long long rush =
        fx_order(s, "#rush", "released", 1, 0, 0, NULL, "2024-02-28T00:00:00Z", FX_LINES({p[0], 1, 1}));
    fx_order(s, "#prio", "released", 0, 0, 5, NULL, "2024-02-28T00:00:00Z", FX_LINES({p[0], 1, 1}));
    tote_wave_opts o = {.totes_per_list = 3};
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, &o, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.orders_allocated, 7);
    CHECK_EQ(r.orders, 7);
    CHECK_EQ(r.pick_lists, 3);
    CHECK_EQ(r.tasks, 7);
    CHECK_EQ(r.units, 7);
    CHECK_EQ(r.waiting, 0);
    char buf[256];
    /* rush and pickup (by ordered_at), then priority, then ship_by, then ordered_at */
    CHECK_STR(list_orders(s, nth_list(s, r.wave_id, 0), buf, sizeof buf), "#pickup,#rush,#prio");
    CHECK_STR(list_orders(s, nth_list(s, r.wave_id, 1), buf, sizeof buf),
              "#shipby-soon,#shipby-late,#plain-old");
    CHECK_STR(list_orders(s, nth_list(s, r.wave_id, 2), buf, sizeof buf), "#plain-new");
    /* totes T<list>-<n>; orders stay allocated until a picker starts */
    char want[32];
    snprintf(want, sizeof want, "T%lld-2", nth_list(s, r.wave_id, 0));
    CHECK_STR(fx_text(s, "SELECT tote FROM orders WHERE id = ?1", rush, buf, sizeof buf), want);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM orders WHERE status = 'allocated'", 0), 7);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM pick_task WHERE tote IS NULL", 0), 0);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'order.waved'", 0), 7);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'wave.created'", 0), 1);
    /* nothing is waved twice */
    REQUIRE_EQ(tote_wave_create(s, &o, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.wave_id, 0);
    CHECK_EQ(r.orders, 0);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM wave", 0), 1);
    CHECK(fx_invariants_hold(s));
    tote_store_destroy(&s);
}

static void test_tasks_in_walking_order(void)
{
    tote_store *s = fresh("walk.db");
    REQUIRE(s != NULL);
    long long a = fx_product(s, "AAA", 0, -1, -1), b = fx_product(s, "BBB", 0, -1, -1),
              c = fx_product(s, "CCC", 0, -1, -1), d = fx_product(s, "DDD", 0, -1, -1);
    long long far = fx_location(s, "Z-99", 30, "bin"), mid2 = fx_location(s, "M-02", 20, "bin"),
              mid1 = fx_location(s, "M-01", 20, "bin"), near = fx_location(s, "A-01", 10, "bin");
    fx_stock(s, a, far, NULL, NULL, 2);
    fx_stock(s, b, mid2, NULL, NULL, 10);
    fx_stock(s, d, mid1, NULL, NULL, 10);
    fx_stock(s, c, mid1, NULL, NULL, 10);
    fx_stock(s, a, near, NULL, NULL, 1); /* A splits: 1 here, the rest at Z-99 */
    fx_order(s, "#1", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({a, 3, 1}, {b, 1, 1}));
    fx_order(s, "#2", "released", 0, 0, 0, NULL, "2024-02-02T00:00:00Z",
             FX_LINES({d, 1, 1}, {c, 2, 1}, {b, 1, 1}));
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.pick_lists, 1);
    CHECK_EQ(r.lines, 5);
    CHECK_EQ(r.tasks, 6); /* one per allocation: A is in two bins */
    long long list = nth_list(s, r.wave_id, 0);
    char buf[512];
    /* walk_seq, then code (M-01 before M-02), then sku (CCC before DDD), then tote (#1 before #2) */
    CHECK_STR(
        fx_text(
            s,
            "SELECT group_concat(x, ' ') FROM (SELECT t.seq || ':' || l.code || '/' || p.sku || '/' || "
            "o.name AS x FROM pick_task t JOIN stock st ON st.id = t.stock_id JOIN location l ON "
            "l.id = st.location_id JOIN product p ON p.id = st.product_id JOIN order_line ol ON ol.id = "
            "t.order_line_id JOIN orders o ON o.id = ol.order_id WHERE t.pick_list_id = ?1 ORDER BY t.seq)",
            list, buf, sizeof buf),
        "1:A-01/AAA/#1 2:M-01/CCC/#2 3:M-01/DDD/#2 4:M-02/BBB/#1 5:M-02/BBB/#2 6:Z-99/AAA/#1");
    CHECK_EQ(fx_int(s, "SELECT SUM(qty) FROM pick_task WHERE pick_list_id = ?1", list), 8);
    tote_store_destroy(&s);
}

/* The claims on a bin (what a short pick there takes from: other orders'
 * open tasks, then allocations no task covers yet) are found through the
 * bin's allocations and each line's tasks, never by walking the pick_task
 * table: a short pick must not grow with every task ever waved. */
static void test_claims_on_a_bin_read_by_index(void)
{
    tote_store *s = fresh("claims.db");
    REQUIRE(s != NULL);
    long long a = fx_product(s, "AAA", 0, -1, -1), b = fx_product(s, "BBB", 0, -1, -1);
    long long bin = fx_location(s, "A-01", 10, "bin"), other = fx_location(s, "B-01", 20, "bin");
    long long stock_a = fx_stock(s, a, bin, NULL, NULL, 100);
    fx_stock(s, b, other, NULL, NULL, 1000);
    char name[32];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "#a%d", i);
        fx_order(s, name, "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({a, 2, 1}));
    }
    for (int i = 0; i < 200; i++) { /* tasks on another bin: what a table walk would read */
        snprintf(name, sizeof name, "#b%d", i);
        fx_order(s, name, "released", 0, 0, 0, NULL, "2024-02-02T00:00:00Z", FX_LINES({b, 1, 1}));
    }
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.tasks, 203);
    /* one more order on the bin, allocated but in no wave yet */
    fx_order(s, "#a-late", "released", 0, 0, 0, NULL, "2024-02-03T00:00:00Z", FX_LINES({a, 4, 1}));
    REQUIRE_EQ(tote_alloc_released(s, "test", NULL), TOTE_ST_E_OK);
    long long first = fx_int(s, "SELECT MIN(id) FROM pick_task WHERE stock_id = ?1", stock_a);
    long long late_alloc =
        fx_int(s,
               "SELECT a.id FROM allocation a JOIN order_line ol ON ol.id = a.order_line_id "
               "JOIN orders o ON o.id = ol.order_id WHERE o.name = '#a-late'",
               0);
    tote_pick_claim c[8];
    int n = 0;
    REQUIRE_EQ(tote_pick_claims_on_stock(s, stock_a, first, c, 8, &n), TOTE_ST_E_OK);
    /* the other two tasks on the bin in task order, then the allocation */
    REQUIRE_EQ(n, 3);
    CHECK(c[0].task_id > first && c[1].task_id > c[0].task_id);
    CHECK_EQ(c[0].left, 2);
    CHECK_EQ(c[1].left, 2);
    CHECK_EQ(fx_int(s, "SELECT allocation_id FROM pick_task WHERE id = ?1", c[0].task_id),
             c[0].allocation_id);
    CHECK_EQ(c[2].task_id, 0);
    CHECK_EQ(c[2].allocation_id, late_alloc);
    CHECK_EQ(c[2].left, 4);
    CHECK_EQ(fx_stmt_status(s, "AS alloc_id", SQLITE_STMTSTATUS_FULLSCAN_STEP), 0);
    tote_store_destroy(&s);
}

/* The station's other lookups on tables that only grow, made in its loop:
 * an order's open RMA (a return at the bench) and a bin's open recount (a
 * short pick) are found by index (migration 8), among hundreds of closed
 * ones, and still find the open one. */
static void test_open_rma_and_recount_found_by_index(void)
{
    tote_store *s = fresh("lookups.db");
    REQUIRE(s != NULL);
    long long a = fx_product(s, "AAA", 0, -1, -1), b = fx_product(s, "BBB", 0, -1, -1);
    long long bin = fx_location(s, "A-01", 10, "bin"), other = fx_location(s, "B-01", 20, "bin");
    long long mine =
        fx_order(s, "#1", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({a, 1, 1}));
    long long theirs =
        fx_order(s, "#2", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({b, 1, 1}));
    /* history: 300 closed RMAs of another order, 300 finished recounts of another bin */
    REQUIRE(fx_sql(s,
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
                   "INSERT INTO rma(order_id, status, created_at) SELECT ?1, 'closed', '" FX_NOW "' FROM n",
                   "i", theirs) >= 0);
    REQUIRE(fx_sql(s,
                   "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) "
                   "INSERT INTO count_task(location_id, product_id, status, created_at) SELECT ?1, ?2, "
                   "'done', '" FX_NOW "' FROM n",
                   "ii", other, b) >= 0);
    long long rma = 0, again = 0, count = 0, count_again = 0;
    int resumed = -1;
    REQUIRE_EQ(tote_rma_open(s, mine, "bench-1", "test", FX_NOW, &rma, &resumed), TOTE_ST_E_OK);
    CHECK_EQ(resumed, 0);
    REQUIRE_EQ(tote_rma_open(s, mine, "bench-1", "test", FX_NOW, &again, &resumed), TOTE_ST_E_OK);
    CHECK_EQ(resumed, 1);
    CHECK_EQ(again, rma);
    REQUIRE_EQ(tote_count_task_create(s, bin, a, "short pick", FX_NOW, &count), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_count_task_create(s, bin, a, "short pick", FX_NOW, &count_again), TOTE_ST_E_OK);
    CHECK_EQ(count_again, count);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM count_task WHERE status = 'open'", 0), 1);
    CHECK_EQ(fx_stmt_status(s, "FROM rma WHERE order_id", SQLITE_STMTSTATUS_FULLSCAN_STEP), 0);
    CHECK_EQ(fx_stmt_status(s, "FROM count_task WHERE location_id", SQLITE_STMTSTATUS_FULLSCAN_STEP), 0);
    tote_store_destroy(&s);
}

static void test_max_orders_and_max_lines(void)
{
    char buf[64];
    tote_store *s = fresh("limits.db");
    REQUIRE(s != NULL);
    long long p[4];
    stock_bins(s, p, 4);
    long long o[6];
    /* #0: 1 line, #1: 2 lines, #2: 3 lines, #3: 1, #4: 1, #5: 1 (oldest first) */
    int lines[] = {1, 2, 3, 1, 1, 1};
    for (int i = 0; i < 6; i++) {
        char name[16], at[32];
        snprintf(name, sizeof name, "#%d", i);
        snprintf(at, sizeof at, "2024-02-0%dT00:00:00Z", i + 1);
        fx_ln ln[3];
        for (int l = 0; l < lines[i]; l++)
            ln[l] = (fx_ln){p[l], 1, 1};
        o[i] = fx_order(s, name, "released", 0, 0, 0, NULL, at, ln, lines[i]);
    }
    /* 4 lines: #0 (1) + #1 (2) = 3; #2 would make 6, so the wave ends there */
    tote_wave_opts opt = {.max_lines = 4};
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, &opt, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.orders, 2);
    CHECK_EQ(r.lines, 3);
    CHECK_EQ(r.waiting, 4);
    CHECK(fx_int(s, "SELECT tote IS NULL FROM orders WHERE id = ?1", o[3]) == 1); /* #3 did not jump #2 */
    /* the orders left out are allocated all the same, the waved ones too */
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM orders WHERE status = 'allocated' AND tote IS NULL", 0), 4);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM orders WHERE status = 'allocated' AND tote IS NOT NULL", 0), 2);
    /* max orders */
    opt = (tote_wave_opts){.max_orders = 2, .totes_per_list = 1};
    REQUIRE_EQ(tote_wave_create(s, &opt, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.orders, 2);
    CHECK_EQ(r.pick_lists, 2);
    CHECK_EQ(r.lines, 4);
    CHECK_EQ(r.waiting, 2);
    CHECK(fx_int(s, "SELECT tote IS NOT NULL FROM orders WHERE id = ?1", o[2]) == 1);
    CHECK(fx_int(s, "SELECT tote IS NOT NULL FROM orders WHERE id = ?1", o[3]) == 1);
    /* an order larger than max_lines alone makes no wave, and waits */
    fx_order(s, "#big", "released", 1, 0, 0, NULL, "2024-01-01T00:00:00Z",
             FX_LINES({p[0], 1, 1}, {p[1], 1, 1}, {p[2], 1, 1}, {p[3], 1, 1}));
    opt = (tote_wave_opts){.max_lines = 3};
    REQUIRE_EQ(tote_wave_create(s, &opt, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.wave_id, 0);
    CHECK_EQ(r.waiting, 3);
    CHECK_STR(fx_text(s, "SELECT status FROM orders WHERE name = '#big'", 0, buf, sizeof buf), "allocated");
    /* no limits: the rest */
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.orders, 3);
    CHECK_EQ(r.waiting, 0);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM orders WHERE tote IS NULL", 0), 0);
    CHECK_EQ(fx_int(s, "SELECT COUNT(DISTINCT tote) FROM orders", 0), 7);
    tote_store_destroy(&s);
}

static void test_partial_orders_are_waved_with_what_there_is(void)
{
    tote_store *s = fresh("partial.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "SCARCE", 0, -1, -1), q = fx_product(s, "NONE", 0, -1, -1);
    fx_stock(s, p, fx_location(s, "A", 1, "bin"), NULL, NULL, 2);
    long long o = fx_order(s, "#p", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({p, 5, 1}));
    long long l = fx_line_id(s, o, 1);
    long long o2 =
        fx_order(s, "#none", "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z", FX_LINES({q, 1, 1}));
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.orders, 1);
    CHECK_EQ(r.units, 2);
    long long b = -1;
    CHECK_EQ(tote_alloc_line_backorder(s, l, &b), TOTE_ST_E_OK);
    CHECK_EQ(b, 3);
    char buf[32];
    CHECK_STR(fx_text(s, "SELECT status FROM orders WHERE id = ?1", o2, buf, sizeof buf), "released");
    tote_store_destroy(&s);
}

static void test_list_and_show_json(void)
{
    tote_store *s = fresh("show.db");
    REQUIRE(s != NULL);
    long long p[2];
    stock_bins(s, p, 2);
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "#%d", i);
        fx_order(s, name, "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z",
                 FX_LINES({p[0], 2, 1}, {p[1], 1, 1}));
    }
    tote_wave_opts opt = {.totes_per_list = 2};
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, &opt, "alice", &r), TOTE_ST_E_OK);
    /* a picker has done 3 units of the first list */
    long long list = nth_list(s, r.wave_id, 0);
    fx_sql(s, "UPDATE pick_task SET done = qty, status = 'done' WHERE pick_list_id = ?1 AND seq <= 2", "i",
           list);
    cJSON *arr = NULL;
    REQUIRE_EQ(tote_wave_list_json(s, &arr), TOTE_ST_E_OK);
    REQUIRE_EQ(cJSON_GetArraySize(arr), 1);
    cJSON *w = cJSON_GetArrayItem(arr, 0);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(w, "id")), r.wave_id);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(w, "pick_lists")), 2);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(w, "orders")), 3);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(w, "tasks")), 6);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(w, "units")), 9);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(w, "created_by")), "alice");
    long long done = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(w, "done"));
    CHECK_EQ(done, fx_int(s, "SELECT SUM(done) FROM pick_task", 0));
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(w, "progress")), done * 100 / 9);
    cJSON_Delete(arr);

    cJSON *one = NULL;
    REQUIRE_EQ(tote_wave_show_json(s, r.wave_id, &one), TOTE_ST_E_OK);
    cJSON *lists = cJSON_GetObjectItem(one, "lists");
    REQUIRE_EQ(cJSON_GetArraySize(lists), 2);
    cJSON *l0 = cJSON_GetArrayItem(lists, 0);
    cJSON *totes = cJSON_GetObjectItem(l0, "totes");
    REQUIRE_EQ(cJSON_GetArraySize(totes), 2);
    char want[32];
    snprintf(want, sizeof want, "T%lld-1", list);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(totes, 0), "tote")), want);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(totes, 0), "order")), "#0");
    cJSON *tasks = cJSON_GetObjectItem(l0, "tasks_detail");
    REQUIRE_EQ(cJSON_GetArraySize(tasks), 4);
    cJSON *t0 = cJSON_GetArrayItem(tasks, 0);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(t0, "seq")), 1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(t0, "bin")), "BIN-01"); /* walk 95 before 100 */
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(t0, "status")), "done");
    cJSON_Delete(one);
    CHECK_EQ(tote_wave_show_json(s, 9999, &one), TOTE_ST_E_NOT_FOUND);
    CHECK(one == NULL);
    tote_store_destroy(&s);
}

/* A warehouse and 48 orders, the same in every store it is built in:
 * lot-tracked and plain products, bins with ties in walk order, an expired
 * lot, scarce stock, non-shipping lines, held orders, and one order that was
 * allocated and given back (its allocations cancelled). */
static void build_mixed(tote_store *s)
{
    long long prod[10], bins[14];
    for (int i = 0; i < 14; i++) {
        char code[16];
        snprintf(code, sizeof code, "B-%02d", 13 - i);
        bins[i] = fx_location(s, code, 10 + (i / 2) * 10, "bin"); /* pairs share a walk_seq */
    }
    for (int i = 0; i < 10; i++) {
        char sku[16];
        snprintf(sku, sizeof sku, "SKU-%02d", i);
        prod[i] = fx_product(s, sku, i < 3, -1, -1);
    }
    for (int i = 0; i < 3; i++) { /* lots: expired, soon, later (two bins) */
        fx_stock(s, prod[i], bins[i], "OLD", "2024-02-01", 20);
        fx_stock(s, prod[i], bins[13 - i], "SOON", "2024-04-01", 3 + i);
        fx_stock(s, prod[i], bins[6 + i], "LATE", "2024-09-01", 15);
    }
    for (int i = 3; i < 10; i++) {
        fx_stock(s, prod[i], bins[i], NULL, NULL, i == 9 ? 2 : 6 + i); /* SKU-09 is scarce */
        if (i % 2)
            fx_stock(s, prod[i], bins[(i * 5) % 14], NULL, NULL, 4);
    }
    unsigned x = 12345;
    for (int k = 0; k < 48; k++) {
        fx_ln ln[4];
        int n = 1 + (int)((x = x * 1103515245u + 12345u) >> 16) % 4;
        for (int j = 0; j < n; j++) {
            x = x * 1103515245u + 12345u;
            ln[j] = (fx_ln){prod[(x >> 16) % 10], 1 + (long long)((x >> 8) % 4), (x >> 4) % 9 != 0};
        }
        char name[16], at[32], by[16];
        snprintf(name, sizeof name, "#%03d", k);
        snprintf(at, sizeof at, "2024-02-%02dT%02d:00:00Z", 1 + (k * 7) % 28, k % 24);
        snprintf(by, sizeof by, "2024-03-%02d", 2 + k % 5);
        long long id = fx_order(s, name, k % 10 == 7 ? "on_hold" : "released", k % 11 == 0, k % 13 == 5,
                                k % 7 == 0 ? 3 : 0, k % 3 == 0 ? by : NULL, at, ln, n);
        if (k == 20) { /* allocated, then given back: cancelled allocations stay */
            int fully;
            tote_alloc_order(s, id, "fixture", &fully);
            tote_alloc_release_order(s, id, "fixture");
        }
    }
}

/* Everything a wave and its allocation write, as text, into buf. */
static const char *dump(tote_store *s, int kind, char *buf, size_t cap)
{
    static const char *const sql[7] = {
        "SELECT group_concat(x, ' ') FROM (SELECT id || ':' || pick_list_id || ':' || seq || ':' || "
        "allocation_id || ':' || order_line_id || ':' || stock_id || ':' || qty || ':' || tote AS x "
        "FROM pick_task ORDER BY id)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || ':' || order_line_id || ':' || stock_id || ':' || "
        "qty || ':' || picked || ':' || status AS x FROM allocation ORDER BY id)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || ':' || status || ':' || IFNULL(tote, '-') || ':' || "
        "updated_at AS x FROM orders ORDER BY id)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || ':' || allocated AS x FROM order_line ORDER BY id)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || ':' || reserved AS x FROM stock ORDER BY id)",
        "SELECT group_concat(x, ' ') FROM (SELECT id || ':' || wave_id || ':' || status AS x "
        "FROM pick_list ORDER BY id)",
        "SELECT group_concat(x, ' ') FROM (SELECT kind || ':' || subject || ':' || IFNULL(detail, '') || "
        "':' || IFNULL(actor, '') AS x FROM event ORDER BY id)"};
    return fx_text(s, sql[kind], 0, buf, cap);
}

static void check_same(tote_store *a, tote_store *b)
{
    static const char *const what[7] = {"pick_task", "allocation", "orders", "order_line",
                                        "stock",     "pick_list",  "event"};
    for (int k = 0; k < 7; k++) {
        static char bx[65536], by[65536];
        const char *x = dump(a, k, bx, sizeof bx), *y = dump(b, k, by, sizeof by);
        CHECK(strlen(x) < sizeof bx - 1); /* not cut short */
        if (strcmp(x, y) != 0)
            fprintf(stderr, "%s differs:\n  %.400s\n  %.400s\n", what[k], x, y);
        CHECK(strcmp(x, y) == 0);
        CHECK(strlen(x) > 0);
    }
}

/* The allocation step hands its choices to the wave (no reading back) when
 * every order it took was released and untouched; the wave is then the one
 * made by allocating first and waving what was allocated. */
static void test_wave_from_the_allocation_run_equals_the_wave_read_back(void)
{
    tote_store *a = fresh("plan-a.db"), *b = fresh("plan-b.db");
    REQUIRE(a != NULL && b != NULL);
    build_mixed(a);
    build_mixed(b);
    CHECK_EQ(fx_int(a, "SELECT COUNT(*) FROM allocation WHERE status = 'cancelled'", 0) > 0, 1);
    tote_wave_opts o = {.totes_per_list = 4, .max_orders = 25};
    tote_wave_result ra, rb;
    REQUIRE_EQ(tote_wave_create(a, &o, "test", &ra), TOTE_ST_E_OK);
    CHECK_EQ(ra.planned, 1);
    REQUIRE_EQ(tote_alloc_released(b, "test", &rb.orders_allocated), TOTE_ST_E_OK);
    long long allocated = rb.orders_allocated;
    tote_wave_opts ob = o;
    ob.no_allocate = 1;
    REQUIRE_EQ(tote_wave_create(b, &ob, "test", &rb), TOTE_ST_E_OK);
    CHECK_EQ(rb.planned, 0);
    CHECK_EQ(ra.orders_allocated, allocated);
    CHECK_EQ(ra.orders, rb.orders);
    CHECK_EQ(ra.orders, 25);
    CHECK(ra.waiting > 0); /* some allocated orders wait for the next wave */
    CHECK_EQ(ra.lines, rb.lines);
    CHECK_EQ(ra.tasks, rb.tasks);
    CHECK_EQ(ra.units, rb.units);
    CHECK_EQ(ra.waiting, rb.waiting);
    CHECK(ra.tasks > ra.lines); /* some lines split over bins */
    check_same(a, b);
    CHECK(fx_invariants_hold(a));

    /* the orders left waiting are 'allocated' without a tote: the next wave
       reads them back, and still makes the same wave in both */
    fx_order(a, "#late", "released", 1, 0, 0, NULL, "2024-02-29T00:00:00Z", FX_LINES({1, 2, 1}));
    fx_order(b, "#late", "released", 1, 0, 0, NULL, "2024-02-29T00:00:00Z", FX_LINES({1, 2, 1}));
    REQUIRE_EQ(tote_wave_create(a, &o, "test", &ra), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_wave_create(b, &o, "test", &rb), TOTE_ST_E_OK);
    CHECK_EQ(ra.planned, 0);
    CHECK(ra.orders > 0);
    CHECK_EQ(ra.orders, rb.orders);
    check_same(a, b);
    CHECK(fx_invariants_hold(a));
    tote_store_destroy(&a);
    tote_store_destroy(&b);
}

/* At the highest possible allocation id SQLite picks new ids at random: the
 * allocation step's ids are then not known, and the wave reads them back. */
static void test_wave_reads_back_ids_it_cannot_know(void)
{
    tote_store *s = fresh("randid.db");
    REQUIRE(s != NULL);
    build_mixed(s);
    long long line = fx_int(s, "SELECT MIN(id) FROM order_line", 0);
    long long stock = fx_int(s, "SELECT MIN(id) FROM stock", 0);
    REQUIRE(fx_sql(s,
                   "INSERT INTO allocation(id, order_line_id, stock_id, qty, status) "
                   "VALUES (9223372036854775807, ?1, ?2, 1, 'cancelled')",
                   "ii", line, stock) > 0);
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(r.planned, 0);
    CHECK(r.tasks > 0);
    /* every task is its own allocation's: same line, stock and units */
    CHECK_EQ(fx_int(s,
                    "SELECT COUNT(*) FROM pick_task t JOIN allocation a ON a.id = t.allocation_id "
                    "WHERE a.order_line_id = t.order_line_id AND a.stock_id = t.stock_id AND a.qty = t.qty",
                    0),
             r.tasks);
    CHECK(fx_invariants_hold(s));
    tote_store_destroy(&s);
}

TT_MAIN(TT_TEST(test_priority_then_ship_by_then_ordered_at), TT_TEST(test_tasks_in_walking_order),
        TT_TEST(test_claims_on_a_bin_read_by_index), TT_TEST(test_open_rma_and_recount_found_by_index),
        TT_TEST(test_max_orders_and_max_lines), TT_TEST(test_partial_orders_are_waved_with_what_there_is),
        TT_TEST(test_list_and_show_json),
        TT_TEST(test_wave_from_the_allocation_run_equals_the_wave_read_back),
        TT_TEST(test_wave_reads_back_ids_it_cannot_know))
