/*
 * Allocation on real temporary databases: FEFO, expired lots, quarantine and
 * dock, the bin rule, partial allocation and backorder, priority, the
 * reservation invariants, giving stock back, and short-pick reallocation
 * that puts the new tasks at the right place in the picker's walk.
 */
#include "support.h"
#include "test.h"
#include "tote/alloc.h"
#include "tote/flows.h"
#include "tote/wave.h"
#include "waves_fixture.h"

static tote_store *fresh(const char *name)
{
    return fx_fresh("alloc", name);
}

static long long alloc_qty(tote_store *s, long long line, long long stock)
{
    sqlite3_stmt *st = NULL;
    long long v = 0;
    sqlite3_prepare_v2(
        tote_store_db(s),
        "SELECT COALESCE(SUM(qty), 0) FROM allocation WHERE order_line_id = ?1 AND stock_id = ?2 "
        "AND status <> 'cancelled'",
        -1, &st, NULL);
    sqlite3_bind_int64(st, 1, line);
    sqlite3_bind_int64(st, 2, stock);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static long long backorder(tote_store *s, long long line)
{
    long long b = -1;
    CHECK_EQ(tote_alloc_line_backorder(s, line, &b), TOTE_ST_E_OK);
    return b;
}

static const char *order_status(tote_store *s, long long order, char buf[32])
{
    return fx_text(s, "SELECT status FROM orders WHERE id = ?1", order, buf, 32);
}

static void test_fefo_earliest_expiry_first(void)
{
    tote_store *s = fresh("fefo.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "MILK", 1, -1, -1);
    long long a = fx_location(s, "A-01", 10, "bin"), b = fx_location(s, "B-01", 50, "bin"),
              c = fx_location(s, "C-01", 90, "bin");
    long long undated = fx_stock(s, p, a, "L0", NULL, 50);      /* first in the walk, no date */
    long long late = fx_stock(s, p, b, "L1", "2024-06-01", 10); /* enough alone, later expiry */
    long long early = fx_stock(s, p, c, "L2", "2024-04-01", 3); /* earliest: goes first */
    long long o = fx_order(s, "#1", "released", 0, 0, 0, NULL, "2024-02-01T10:00:00Z", FX_LINES({p, 5, 1}));
    long long l = fx_line_id(s, o, 1);
    int fully = -1;
    REQUIRE_EQ(tote_alloc_order(s, o, "test", &fully), TOTE_ST_E_OK);
    CHECK_EQ(fully, 1);
    CHECK_EQ(alloc_qty(s, l, early), 3);
    CHECK_EQ(alloc_qty(s, l, late), 2);
    CHECK_EQ(alloc_qty(s, l, undated), 0);
    CHECK_EQ(fx_int(s, "SELECT reserved FROM stock WHERE id = ?1", early), 3);
    CHECK_EQ(fx_int(s, "SELECT allocated FROM order_line WHERE id = ?1", l), 5);
    char st[32];
    CHECK_STR(order_status(s, o, st), "allocated");
    CHECK(fx_invariants_hold(s));
    tote_store_destroy(&s);
}

static void test_expired_lot_never_allocated(void)
{
    tote_store *s = fresh("expired.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "YOGURT", 1, -1, -1);
    long long a = fx_location(s, "A-01", 10, "bin"), b = fx_location(s, "A-02", 20, "bin");
    long long expired = fx_stock(s, p, a, "OLD", "2024-02-29", 100); /* yesterday */
    long long today = fx_stock(s, p, b, "TODAY", "2024-03-01", 2);   /* still good today */
    long long o = fx_order(s, "#2", "released", 0, 0, 0, NULL, "2024-02-01T10:00:00Z", FX_LINES({p, 5, 1}));
    long long l = fx_line_id(s, o, 1);
    int fully = -1;
    REQUIRE_EQ(tote_alloc_order(s, o, "test", &fully), TOTE_ST_E_OK);
    CHECK_EQ(fully, 0);
    CHECK_EQ(alloc_qty(s, l, expired), 0);
    CHECK_EQ(alloc_qty(s, l, today), 2);
    CHECK_EQ(backorder(s, l), 3);
    CHECK_EQ(fx_int(s, "SELECT reserved FROM stock WHERE id = ?1", expired), 0);
    tote_store_destroy(&s);
}

static void test_quarantine_and_dock_never_allocated(void)
{
    tote_store *s = fresh("quarantine.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "BOLT", 0, -1, -1);
    long long q = fx_location(s, "QUAR", 1, "quarantine"), d = fx_location(s, "DOCK", 2, "dock"),
              b = fx_location(s, "A-01", 30, "bin");
    long long sq = fx_stock(s, p, q, NULL, NULL, 10), sd = fx_stock(s, p, d, NULL, NULL, 10),
              sb = fx_stock(s, p, b, NULL, NULL, 1);
    long long o = fx_order(s, "#3", "released", 0, 0, 0, NULL, "2024-02-01T10:00:00Z", FX_LINES({p, 3, 1}));
    long long l = fx_line_id(s, o, 1);
    REQUIRE_EQ(tote_alloc_order(s, o, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(alloc_qty(s, l, sq), 0);
    CHECK_EQ(alloc_qty(s, l, sd), 0);
    CHECK_EQ(alloc_qty(s, l, sb), 1);
    CHECK_EQ(backorder(s, l), 2);
    tote_store_destroy(&s);
}

static void test_bin_rule_one_bin_else_fullest(void)
{
    tote_store *s = fresh("binrule.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "NUT", 0, -1, -1);
    long long b30 = fx_stock(s, p, fx_location(s, "C", 30, "bin"), NULL, NULL, 5);
    long long b10 = fx_stock(s, p, fx_location(s, "A", 10, "bin"), NULL, NULL, 2);
    long long b20 = fx_stock(s, p, fx_location(s, "B", 20, "bin"), NULL, NULL, 5);
    /* 4 fits in B and in C: the first of those in the walk, B */
    long long o1 = fx_order(s, "#4", "released", 0, 0, 0, NULL, "2024-02-01T10:00:00Z", FX_LINES({p, 4, 1}));
    long long l1 = fx_line_id(s, o1, 1);
    REQUIRE_EQ(tote_alloc_order(s, o1, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(alloc_qty(s, l1, b20), 4);
    /* left: A 2, B 1, C 5. 7 fits nowhere alone: fullest first (C 5), then A 2 */
    long long o2 = fx_order(s, "#5", "released", 0, 0, 0, NULL, "2024-02-01T10:00:00Z", FX_LINES({p, 7, 1}));
    long long l2 = fx_line_id(s, o2, 1);
    REQUIRE_EQ(tote_alloc_order(s, o2, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(alloc_qty(s, l2, b30), 5);
    CHECK_EQ(alloc_qty(s, l2, b10), 2);
    CHECK_EQ(alloc_qty(s, l2, b20), 0);
    CHECK_EQ(backorder(s, l2), 0);
    CHECK(fx_invariants_hold(s));
    tote_store_destroy(&s);
}

static void test_partial_allocation_and_backorder(void)
{
    tote_store *s = fresh("partial.db");
    REQUIRE(s != NULL);
    long long plenty = fx_product(s, "PLENTY", 0, -1, -1), scarce = fx_product(s, "SCARCE", 0, -1, -1),
              gift = fx_product(s, "GIFTCARD", 0, -1, -1), none = fx_product(s, "NONE", 0, -1, -1);
    long long bin = fx_location(s, "A-01", 10, "bin");
    fx_stock(s, plenty, bin, NULL, NULL, 100);
    fx_stock(s, scarce, bin, NULL, NULL, 2);
    long long o = fx_order(s, "#6", "released", 0, 0, 0, NULL, "2024-02-01T10:00:00Z",
                           FX_LINES({plenty, 3, 1}, {scarce, 5, 1}, {gift, 1, 0}));
    long long l1 = fx_line_id(s, o, 1), l2 = fx_line_id(s, o, 2), l3 = fx_line_id(s, o, 3);
    int fully = -1;
    REQUIRE_EQ(tote_alloc_order(s, o, "test", &fully), TOTE_ST_E_OK);
    CHECK_EQ(fully, 0);
    char st[32];
    CHECK_STR(order_status(s, o, st), "allocated");
    CHECK_EQ(backorder(s, l1), 0);
    CHECK_EQ(backorder(s, l2), 3);
    CHECK_EQ(backorder(s, l3), 0); /* does not ship: never allocated, never backordered */
    CHECK_EQ(fx_int(s, "SELECT allocated FROM order_line WHERE id = ?1", l3), 0);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'order.allocated' AND subject = '#6'", 0), 1);
    cJSON *arr = NULL;
    long long units = 0;
    REQUIRE_EQ(tote_alloc_backorders_json(s, &arr, &units), TOTE_ST_E_OK);
    CHECK_EQ(cJSON_GetArraySize(arr), 1);
    CHECK_EQ(units, 3);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "sku")), "SCARCE");
    cJSON_Delete(arr);

    /* an order nothing of which can be allocated stays released, with one 'backorder' event */
    long long o2 =
        fx_order(s, "#7", "released", 0, 0, 0, NULL, "2024-02-01T11:00:00Z", FX_LINES({none, 2, 1}));
    long long l4 = fx_line_id(s, o2, 1);
    long long n = -1;
    REQUIRE_EQ(tote_alloc_released(s, "test", &n), TOTE_ST_E_OK);
    CHECK_EQ(n, 0);
    REQUIRE_EQ(tote_alloc_released(s, "test", &n), TOTE_ST_E_OK);
    CHECK_STR(order_status(s, o2, st), "released");
    CHECK_EQ(backorder(s, l4), 2);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'backorder' AND subject = '#7'", 0), 1);

    /* stock arrives: the next run tops up #6 (not yet waved) and allocates #7 */
    fx_stock(s, scarce, fx_location(s, "A-02", 20, "bin"), NULL, NULL, 10);
    fx_stock(s, none, bin, NULL, NULL, 10);
    REQUIRE_EQ(tote_alloc_released(s, "test", &n), TOTE_ST_E_OK);
    CHECK_EQ(n, 2);
    CHECK_EQ(backorder(s, l2), 0);
    CHECK_EQ(backorder(s, l4), 0);
    CHECK_STR(order_status(s, o2, st), "allocated");
    CHECK(fx_invariants_hold(s));
    CHECK_EQ(tote_alloc_line_backorder(s, 99999, &n), TOTE_ST_E_NOT_FOUND);
    tote_store_destroy(&s);
}

static void test_priority_decides_who_gets_scarce_stock(void)
{
    tote_store *s = fresh("priority.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "HOT", 0, -1, -1);
    fx_stock(s, p, fx_location(s, "A", 1, "bin"), NULL, NULL, 4);
    /* oldest first by ordered_at, but rush and an earlier ship_by beat it */
    long long old =
        fx_order(s, "#old", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z", FX_LINES({p, 2, 1}));
    long long shipby = fx_order(s, "#shipby", "released", 0, 0, 0, "2024-03-02", "2024-02-20T00:00:00Z",
                                FX_LINES({p, 2, 1}));
    long long rush =
        fx_order(s, "#rush", "released", 1, 0, 0, NULL, "2024-02-28T00:00:00Z", FX_LINES({p, 2, 1}));
    long long lo = fx_line_id(s, old, 1), ls = fx_line_id(s, shipby, 1), lr = fx_line_id(s, rush, 1);
    REQUIRE_EQ(tote_alloc_released(s, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(backorder(s, lr), 0);
    CHECK_EQ(backorder(s, ls), 0);
    CHECK_EQ(backorder(s, lo), 2);
    tote_store_destroy(&s);
}

static void test_states_and_bad_ids(void)
{
    tote_store *s = fresh("states.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "X", 0, -1, -1);
    fx_stock(s, p, fx_location(s, "A", 1, "bin"), NULL, NULL, 10);
    long long held = fx_order(s, "#held", "on_hold", 0, 0, 0, NULL, "2024-01-01T00:00:00Z",
                              FX_LINES({p, 1, 1}, {p, 1, 0}));
    long long hl = fx_line_id(s, held, 1);
    CHECK_EQ(tote_alloc_order(s, held, "test", NULL), TOTE_ST_E_STATE);
    CHECK_EQ(tote_alloc_order(s, 424242, "test", NULL), TOTE_ST_E_NOT_FOUND);
    REQUIRE_EQ(tote_alloc_released(s, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(fx_int(s, "SELECT allocated FROM order_line WHERE id = ?1", hl), 0); /* held: untouched */
    CHECK_EQ(tote_alloc_release_order(s, 424242, "test"), TOTE_ST_E_NOT_FOUND);
    long long n = 0, t = 0;
    CHECK_EQ(tote_alloc_reallocate(s, hl, 0, 0, "test", NULL, &n, &t), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_alloc_reallocate(s, 424242, 1, 0, "test", NULL, &n, &t), TOTE_ST_E_NOT_FOUND);
    long long gift = fx_line_id(s, held, 2);
    CHECK_EQ(tote_alloc_reallocate(s, gift, 1, 0, "test", NULL, &n, &t), TOTE_ST_E_INVALID);
    tote_store_destroy(&s);
}

static void test_caller_transaction_rolls_back_everything(void)
{
    tote_store *s = fresh("nested.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "X", 0, -1, -1);
    long long stock = fx_stock(s, p, fx_location(s, "A", 1, "bin"), NULL, NULL, 10);
    long long o = fx_order(s, "#n", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z", FX_LINES({p, 4, 1}));
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    CHECK_EQ(tote_alloc_order(s, o, "test", NULL), TOTE_ST_E_OK);
    CHECK_EQ(fx_int(s, "SELECT reserved FROM stock WHERE id = ?1", stock), 4); /* visible inside */
    tote_store_rollback(s);
    CHECK_EQ(fx_int(s, "SELECT reserved FROM stock WHERE id = ?1", stock), 0);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM allocation", 0), 0);
    char st[32];
    CHECK_STR(order_status(s, o, st), "released");
    tote_store_destroy(&s);
}

static void test_reservations_balance_and_verify(void)
{
    tote_store *s = fresh("balance.db");
    REQUIRE(s != NULL);
    long long prods[4];
    for (int i = 0; i < 4; i++) {
        char sku[16];
        snprintf(sku, sizeof sku, "SKU%d", i);
        prods[i] = fx_product(s, sku, i % 2, -1, -1);
        for (int b = 0; b < 3; b++) {
            char code[16];
            snprintf(code, sizeof code, "B%d-%d", i, b);
            fx_stock(s, prods[i], fx_location(s, code, i * 10 + b, "bin"), "LOT",
                     b == 2 ? "2024-05-01" : NULL, 3 + b);
        }
    }
    long long orders[10];
    for (int o = 0; o < 10; o++) {
        char name[16];
        snprintf(name, sizeof name, "#B%d", o);
        fx_ln lines[3];
        for (int l = 0; l < 3; l++)
            lines[l] = (fx_ln){prods[(o + l) % 4], 1 + (o + l) % 4, 1};
        orders[o] = fx_order(s, name, "released", o == 7, 0, o % 3, NULL, "2024-02-01T00:00:00Z", lines, 3);
    }
    REQUIRE_EQ(tote_alloc_released(s, "test", NULL), TOTE_ST_E_OK);
    CHECK(fx_invariants_hold(s));
    long long bad = -1;
    REQUIRE_EQ(tote_alloc_verify(s, &bad), TOTE_ST_E_OK);
    CHECK_EQ(bad, 0);
    /* give some back, then allocate again: still balanced, nothing over-reserved */
    CHECK_EQ(tote_alloc_release_order(s, orders[7], "test"), TOTE_ST_E_OK);
    CHECK_EQ(tote_alloc_release_order(s, orders[2], "test"), TOTE_ST_E_OK);
    CHECK(fx_invariants_hold(s));
    REQUIRE_EQ(tote_alloc_released(s, "test", NULL), TOTE_ST_E_OK);
    CHECK(fx_invariants_hold(s));
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM stock WHERE reserved > on_hand", 0), 0);
    /* the check itself fails on a broken row */
    fx_sql(s, "UPDATE stock SET reserved = reserved + 1 WHERE id = 1", NULL);
    REQUIRE_EQ(tote_alloc_verify(s, &bad), TOTE_ST_E_OK);
    CHECK_EQ(bad, 1);
    tote_store_destroy(&s);
}

/* A run big enough to read every candidate at once and to write allocations
 * in full batches and a remainder (the paths small runs do not take). */
static void test_big_run_balances(void)
{
    tote_store *s = fresh("big.db");
    REQUIRE(s != NULL);
    REQUIRE_EQ(fx_sql(s, "BEGIN", NULL) >= 0, 1);
    long long prods[7];
    for (int i = 0; i < 7; i++) {
        char sku[16], a[16], b[16];
        snprintf(sku, sizeof sku, "BIG%d", i);
        snprintf(a, sizeof a, "BA-%d", i);
        snprintf(b, sizeof b, "BB-%d", i);
        prods[i] = fx_product(s, sku, 0, -1, -1);
        fx_stock(s, prods[i], fx_location(s, a, 10 + i, "bin"), NULL, NULL, 30);
        fx_stock(s, prods[i], fx_location(s, b, 50 + i, "bin"), NULL, NULL, 25);
    }
    long long units = 0;
    for (int o = 0; o < 45; o++) {
        char name[16];
        snprintf(name, sizeof name, "#G%02d", o);
        fx_ln lines[3];
        for (int l = 0; l < 3; l++) {
            lines[l] = (fx_ln){prods[(o + l) % 7], 1 + (o + l) % 3, 1};
            units += 1 + (o + l) % 3;
        }
        fx_order(s, name, "released", 0, 0, o % 4, NULL, "2024-02-01T00:00:00Z", lines, 3);
    }
    REQUIRE_EQ(fx_sql(s, "COMMIT", NULL) >= 0, 1);
    long long n = 0;
    REQUIRE_EQ(tote_alloc_released(s, "test", &n), TOTE_ST_E_OK);
    CHECK_EQ(n, 45);
    CHECK(fx_invariants_hold(s));
    /* 270 units asked of 385 on hand: every unit allocated, the books balance */
    CHECK_EQ(fx_int(s, "SELECT SUM(qty) FROM allocation", 0), units);
    CHECK_EQ(fx_int(s, "SELECT SUM(reserved) FROM stock", 0), units);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM allocation", 0) > 64, 1);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM orders WHERE status = 'allocated'", 0), 45);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'order.allocated'", 0), 45);
    tote_store_destroy(&s);
}

static long long line_allocated(tote_store *s, long long order, long long line_no)
{
    return fx_int(s, "SELECT allocated FROM order_line WHERE id = ?1", fx_line_id(s, order, line_no));
}

/* A run writes order_line.allocated of 16 or more consecutive lines it fills
 * completely as one range (allocated = ordered - short), every other line
 * by its own amount. Around and between two such ranges: a line filled only
 * in part, a line that does not ship, a line with a unit already short, and
 * the lines of a held order the run does not take. */
static void test_full_lines_written_as_ranges(void)
{
    tote_store *s = fresh("ranges.db");
    REQUIRE(s != NULL);
    REQUIRE_EQ(fx_sql(s, "BEGIN", NULL) >= 0, 1);
    long long p = fx_product(s, "PLENTY", 0, -1, -1), q = fx_product(s, "SCARCE", 0, -1, -1);
    fx_stock(s, p, fx_location(s, "A-01", 10, "bin"), NULL, NULL, 1000);
    fx_stock(s, q, fx_location(s, "B-01", 20, "bin"), NULL, NULL, 3);
    enum { ORDERS = 14 };
    long long ord[ORDERS], held = -1;
    char name[16];
    for (int i = 0; i < ORDERS; i++) {
        snprintf(name, sizeof name, "#R%02d", i);
        if (i == 5)
            held = fx_order(s, "#HELD", "on_hold", 0, 0, 0, NULL, "2024-02-01T00:00:00Z",
                            FX_LINES({p, 1, 1}, {p, 1, 1}, {p, 1, 1}));
        if (i == 5) /* the scarce line: 3 of 5 */
            ord[i] = fx_order(s, name, "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z",
                              FX_LINES({p, 2, 1}, {q, 5, 1}, {p, 2, 1}, {p, 2, 1}));
        else if (i == 10) /* a line that does not ship */
            ord[i] = fx_order(s, name, "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z",
                              FX_LINES({p, 2, 1}, {p, 2, 1}, {p, 2, 0}, {p, 3, 1}));
        else
            ord[i] = fx_order(s, name, "released", 0, 0, 0, NULL, "2024-02-01T00:00:00Z",
                              FX_LINES({p, 2, 1}, {p, 2, 1}, {p, 2, 1}, {p, 2, 1}));
        REQUIRE(ord[i] > 0);
    }
    REQUIRE(held > 0);
    /* one unit of #R01's second line already short: it needs 1 */
    REQUIRE(fx_sql(s, "UPDATE order_line SET short = 1 WHERE id = ?1", "i", fx_line_id(s, ord[1], 2)) >= 0);
    REQUIRE_EQ(fx_sql(s, "COMMIT", NULL) >= 0, 1);
    long long n = 0;
    REQUIRE_EQ(tote_alloc_released(s, "test", &n), TOTE_ST_E_OK);
    CHECK_EQ(n, ORDERS);
    CHECK(fx_invariants_hold(s));
    for (int i = 0; i < ORDERS; i++)
        for (int l = 1; l <= 4; l++) {
            long long want = 2;
            if (i == 1 && l == 2)
                want = 1; /* ordered 2, short 1 */
            if (i == 5 && l == 2)
                want = 3; /* all there is */
            if (i == 10 && l >= 3)
                want = l == 3 ? 0 : 3;
            CHECK_EQ(line_allocated(s, ord[i], l), want);
        }
    for (int l = 1; l <= 3; l++)
        CHECK_EQ(line_allocated(s, held, l), 0);
    CHECK_EQ(backorder(s, fx_line_id(s, ord[5], 2)), 2);
    /* ranges: #R00..#R04 (20 lines), #R05 line 3 .. #R10 line 2 (20); by
       line: #R05's first two, #R10's last and #R11..#R13 (13 in a row) */
    CHECK_EQ(fx_stmt_status(s, "allocated = ordered - short", SQLITE_STMTSTATUS_RUN), 2);
    tote_store_destroy(&s);
}

static void test_release_order_gives_everything_back(void)
{
    tote_store *s = fresh("release.db");
    REQUIRE(s != NULL);
    long long p = fx_product(s, "X", 0, -1, -1);
    long long st1 = fx_stock(s, p, fx_location(s, "A", 1, "bin"), NULL, NULL, 3);
    long long st2 = fx_stock(s, p, fx_location(s, "B", 2, "bin"), NULL, NULL, 3);
    long long o = fx_order(s, "#r", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z", FX_LINES({p, 5, 1}));
    long long l = fx_line_id(s, o, 1);
    REQUIRE_EQ(tote_alloc_order(s, o, "test", NULL), TOTE_ST_E_OK);
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    REQUIRE_EQ(r.tasks, 2);
    /* the picker picks 1 of the first task (the pick flow's own primitive) */
    long long task = fx_int(s, "SELECT id FROM pick_task WHERE seq = 1 AND pick_list_id = ?1",
                            fx_int(s, "SELECT id FROM pick_list WHERE wave_id = ?1", r.wave_id));
    long long alloc = fx_int(s, "SELECT allocation_id FROM pick_task WHERE id = ?1", task);
    tote_pick_task t;
    REQUIRE_EQ(tote_pick_task_get(s, task, &t), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_pick_apply(s, &t, 1, "picker", "hh-1", FX_NOW), TOTE_ST_E_OK);
    fx_sql(s, "UPDATE orders SET status = 'picking' WHERE id = ?1", "i", o);
    REQUIRE(fx_invariants_hold(s));

    REQUIRE_EQ(tote_alloc_release_order(s, o, "test"), TOTE_ST_E_OK);
    CHECK(fx_invariants_hold(s));
    CHECK_EQ(fx_int(s, "SELECT reserved FROM stock WHERE id = ?1", st1), 0);
    CHECK_EQ(fx_int(s, "SELECT reserved FROM stock WHERE id = ?1", st2), 0);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM allocation WHERE status = 'open'", 0), 0);
    CHECK_EQ(fx_int(s, "SELECT qty FROM allocation WHERE id = ?1", alloc), 1); /* done with what was picked */
    CHECK_EQ(fx_int(s, "SELECT allocated FROM order_line WHERE id = ?1", l), 1);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM pick_task WHERE status = 'open'", 0), 0);
    char buf[32];
    CHECK_STR(fx_text(s, "SELECT status FROM pick_list WHERE wave_id = ?1", r.wave_id, buf, sizeof buf),
              "done");
    CHECK_STR(fx_text(s, "SELECT status FROM wave WHERE id = ?1", r.wave_id, buf, sizeof buf), "done");
    /* picking stays for the caller to change; the tote with a picked unit is kept */
    CHECK_STR(order_status(s, o, buf), "picking");
    CHECK(fx_int(s, "SELECT tote IS NOT NULL FROM orders WHERE id = ?1", o) == 1);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'allocation.released'", 0), 1);

    /* an allocated order not yet picked goes back to released and loses its tote */
    long long o2 = fx_order(s, "#r2", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z", FX_LINES({p, 2, 1}));
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    REQUIRE_EQ(r.orders, 1);
    REQUIRE_EQ(tote_alloc_release_order(s, o2, "test"), TOTE_ST_E_OK);
    CHECK_STR(order_status(s, o2, buf), "released");
    CHECK(fx_int(s, "SELECT tote IS NULL FROM orders WHERE id = ?1", o2) == 1);
    CHECK_STR(fx_text(s, "SELECT status FROM pick_list WHERE wave_id = ?1", r.wave_id, buf, sizeof buf),
              "cancelled");
    CHECK_STR(fx_text(s, "SELECT status FROM wave WHERE id = ?1", r.wave_id, buf, sizeof buf), "cancelled");
    CHECK(fx_invariants_hold(s));
    tote_store_destroy(&s);
}

/* The pick flow's short pick of a whole task: nothing found. Closes the
 * task and gives up its allocation through the pick flow's own primitive
 * (no shortage is booked: the bin still shows stock, which is why
 * reallocation must exclude it). */
static void short_pick_none(tote_store *s, long long task)
{
    tote_pick_task t;
    REQUIRE_EQ(tote_pick_task_get(s, task, &t), TOTE_ST_E_OK);
    CHECK_EQ(tote_pick_close_short(s, &t, t.qty - t.done - t.short_qty), TOTE_ST_E_OK);
}

/* bins of the list's tasks in seq order, as "CODE,CODE,..." */
static const char *route(tote_store *s, long long list, char *buf, size_t cap)
{
    return fx_text(
        s,
        "SELECT group_concat(code, ',') FROM (SELECT l.code FROM pick_task t JOIN stock st ON st.id = "
        "t.stock_id JOIN location l ON l.id = st.location_id WHERE t.pick_list_id = ?1 ORDER BY t.seq)",
        list, buf, cap);
}

static void test_reallocate_puts_tasks_in_walk_order(void)
{
    tote_store *s = fresh("realloc.db");
    REQUIRE(s != NULL);
    long long x = fx_product(s, "X", 0, -1, -1), y1 = fx_product(s, "Y1", 0, -1, -1),
              y2 = fx_product(s, "Y2", 0, -1, -1), y3 = fx_product(s, "Y3", 0, -1, -1);
    fx_stock(s, y1, fx_location(s, "L10", 10, "bin"), NULL, NULL, 10);
    long long x25 = fx_stock(s, x, fx_location(s, "L25", 25, "bin"), NULL, NULL, 4);
    fx_stock(s, y2, fx_location(s, "L30", 30, "bin"), NULL, NULL, 10);
    fx_stock(s, y3, fx_location(s, "L40", 40, "bin"), NULL, NULL, 10);
    long long o = fx_order(s, "#s", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z",
                           FX_LINES({y3, 1, 1}, {x, 4, 1}, {y1, 1, 1}, {y2, 1, 1}));
    long long lx = fx_line_id(s, o, 2);
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    long long list = fx_int(s, "SELECT id FROM pick_list WHERE wave_id = ?1", r.wave_id);
    char buf[256], tote[64];
    REQUIRE_STR(route(s, list, buf, sizeof buf), "L10,L25,L30,L40");
    fx_text(s, "SELECT tote FROM orders WHERE id = ?1", o, tote, sizeof tote);

    /* more X arrives: 1 behind the picker (L05), 3 ahead (L35); L25 comes up empty */
    long long x05 = fx_stock(s, x, fx_location(s, "L05", 5, "bin"), NULL, NULL, 1);
    long long x35 = fx_stock(s, x, fx_location(s, "L35", 35, "bin"), NULL, NULL, 3);
    long long task25 = fx_int(s, "SELECT id FROM pick_task WHERE order_line_id = ?1", lx);
    short_pick_none(s, task25);
    REQUIRE(fx_invariants_hold(s));

    long long got = -1, task = -1;
    REQUIRE_EQ(tote_alloc_reallocate(s, lx, 4, x25, "picker1", "hh-1", &got, &task), TOTE_ST_E_OK);
    CHECK_EQ(got, 4);
    CHECK_EQ(alloc_qty(s, lx, x25), 0); /* the short bin is never offered again */
    CHECK_EQ(alloc_qty(s, lx, x35), 3);
    CHECK_EQ(alloc_qty(s, lx, x05), 1);
    /* behind: right after the short task; ahead: at its place in the walk */
    CHECK_STR(route(s, list, buf, sizeof buf), "L10,L25,L05,L30,L35,L40");
    CHECK_EQ(fx_int(s, "SELECT seq FROM pick_task WHERE id = ?1", task), 3);
    CHECK_EQ(fx_int(s, "SELECT stock_id FROM pick_task WHERE id = ?1", task), x05);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM pick_task WHERE pick_list_id = ?1 AND status = 'open'", list),
             5);
    CHECK_EQ(fx_int(s, "SELECT COUNT(DISTINCT seq) FROM pick_task WHERE pick_list_id = ?1", list), 6);
    CHECK_STR(fx_text(s, "SELECT tote FROM pick_task WHERE id = ?1", task, buf, sizeof buf), tote);
    CHECK_EQ(
        fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'allocation.reallocated' AND device = 'hh-1'", 0),
        1);
    CHECK_EQ(backorder(s, lx), 0);
    CHECK(fx_invariants_hold(s));

    /* nothing left to find: never more than the line's backorder */
    REQUIRE_EQ(tote_alloc_reallocate(s, lx, 2, x25, "picker1", NULL, &got, &task), TOTE_ST_E_OK);
    CHECK_EQ(got, 0);
    CHECK_EQ(task, 0);
    tote_store_destroy(&s);
}

static void test_reallocate_ahead_only_and_in_callers_transaction(void)
{
    tote_store *s = fresh("realloc2.db");
    REQUIRE(s != NULL);
    long long x = fx_product(s, "X", 0, -1, -1), y = fx_product(s, "Y", 0, -1, -1),
              z = fx_product(s, "Z", 0, -1, -1);
    long long x20 = fx_stock(s, x, fx_location(s, "L20", 20, "bin"), NULL, NULL, 2);
    fx_stock(s, y, fx_location(s, "L30", 30, "bin"), NULL, NULL, 10);
    fx_stock(s, z, fx_location(s, "L50", 50, "bin"), NULL, NULL, 10);
    long long o = fx_order(s, "#t", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z",
                           FX_LINES({x, 2, 1}, {y, 1, 1}, {z, 1, 1}));
    long long lx = fx_line_id(s, o, 1);
    tote_wave_result r;
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    long long list = fx_int(s, "SELECT id FROM pick_list WHERE wave_id = ?1", r.wave_id);
    long long x40 = fx_stock(s, x, fx_location(s, "L40", 40, "bin"), NULL, NULL, 5);
    short_pick_none(s, fx_int(s, "SELECT id FROM pick_task WHERE order_line_id = ?1", lx));
    char buf[256];
    /* the pick flow's transaction rolls back: nothing of the reallocation stays */
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    long long got = 0, task = 0;
    CHECK_EQ(tote_alloc_reallocate(s, lx, 2, x20, "p", NULL, &got, &task), TOTE_ST_E_OK);
    CHECK_EQ(got, 2);
    tote_store_rollback(s);
    CHECK_STR(route(s, list, buf, sizeof buf), "L20,L30,L50");
    CHECK_EQ(fx_int(s, "SELECT reserved FROM stock WHERE id = ?1", x40), 0);
    /* and committed */
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    CHECK_EQ(tote_alloc_reallocate(s, lx, 2, x20, "p", NULL, &got, &task), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_store_commit(s), TOTE_ST_E_OK);
    CHECK_STR(route(s, list, buf, sizeof buf), "L20,L30,L40,L50");
    CHECK_EQ(fx_int(s, "SELECT seq FROM pick_task WHERE id = ?1", task), 3);
    CHECK_EQ(fx_int(s, "SELECT reserved FROM stock WHERE id = ?1", x40), 2);
    CHECK(fx_invariants_hold(s));

    /* a closed list: nothing is reserved (nobody would pick it), the units stay backorder */
    long long o2 = fx_order(s, "#u", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z", FX_LINES({x, 3, 1}));
    long long l2 = fx_line_id(s, o2, 1);
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    long long t2 = fx_int(s, "SELECT id FROM pick_task WHERE order_line_id = ?1", l2);
    short_pick_none(s, t2);
    fx_sql(s, "UPDATE pick_list SET status = 'done' WHERE wave_id = ?1", "i", r.wave_id);
    fx_stock(s, x, fx_location(s, "L60", 60, "bin"), NULL, NULL, 5);
    long long src = fx_int(s, "SELECT stock_id FROM pick_task WHERE id = ?1", t2);
    long long reserved = fx_int(s, "SELECT SUM(reserved) FROM stock", 0);
    CHECK_EQ(tote_alloc_reallocate(s, l2, 3, src, "p", NULL, &got, &task), TOTE_ST_E_OK);
    CHECK_EQ(got, 0);
    CHECK_EQ(task, 0);
    CHECK_EQ(fx_int(s, "SELECT SUM(reserved) FROM stock", 0), reserved);
    long long b = -1;
    CHECK_EQ(tote_alloc_line_backorder(s, l2, &b), TOTE_ST_E_OK);
    CHECK_EQ(b, 3);

    /* a line not waved yet: reserved now, the next wave makes its task */
    long long w = fx_product(s, "W", 0, -1, -1);
    fx_stock(s, w, fx_location(s, "L70", 70, "bin"), NULL, NULL, 1);
    long long o3 = fx_order(s, "#v", "released", 0, 0, 0, NULL, "2024-01-01T00:00:00Z", FX_LINES({w, 3, 1}));
    long long l3 = fx_line_id(s, o3, 1);
    REQUIRE_EQ(tote_alloc_order(s, o3, "test", NULL), TOTE_ST_E_OK);
    long long w80 = fx_stock(s, w, fx_location(s, "L80", 80, "bin"), NULL, NULL, 5);
    CHECK_EQ(tote_alloc_reallocate(s, l3, 2, 0, "p", NULL, &got, &task), TOTE_ST_E_OK);
    CHECK_EQ(got, 2);
    CHECK_EQ(task, 0);
    CHECK_EQ(alloc_qty(s, l3, w80), 2);
    REQUIRE_EQ(tote_wave_create(s, NULL, "test", &r), TOTE_ST_E_OK);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM pick_task WHERE order_line_id = ?1", l3), 2);
    CHECK(fx_invariants_hold(s));
    CHECK(fx_invariants_hold(s));
    tote_store_destroy(&s);
}

TT_MAIN(TT_TEST(test_fefo_earliest_expiry_first), TT_TEST(test_expired_lot_never_allocated),
        TT_TEST(test_quarantine_and_dock_never_allocated), TT_TEST(test_bin_rule_one_bin_else_fullest),
        TT_TEST(test_partial_allocation_and_backorder), TT_TEST(test_priority_decides_who_gets_scarce_stock),
        TT_TEST(test_states_and_bad_ids), TT_TEST(test_caller_transaction_rolls_back_everything),
        TT_TEST(test_reservations_balance_and_verify), TT_TEST(test_big_run_balances),
        TT_TEST(test_full_lines_written_as_ranges), TT_TEST(test_release_order_gives_everything_back),
        TT_TEST(test_reallocate_puts_tasks_in_walk_order),
        TT_TEST(test_reallocate_ahead_only_and_in_callers_transaction))
