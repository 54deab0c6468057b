/* Stock ledger: locations (natural walk order), receipts, adjustments, transfers, reservations, check;
 * on_hand = SUM(moves) and reserved = SUM(open allocations) after every operation. */
#include <sqlite3.h>

#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/config.h"
#include "tote/flows.h"
#include "tote/orders.h"
#include "tote/stock.h"
#include "tote/store.h"

static char *dir;

static tote_store *fresh(const char *name)
{
    if (!dir)
        dir = tt_tmpdir("stock");
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    tote_store *s = NULL;
    if (tote_store_open(p, TOTE_STORE_CREATE, &s, NULL) != TOTE_ST_E_OK)
        return NULL;
    return s;
}

static long long q1(tote_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static long long bad_rows(tote_store *s)
{
    long long bad = -1;
    if (tote_stock_check(s, &bad, stderr) != TOTE_ST_E_OK)
        return -1;
    return bad;
}

#define BALANCED(s) CHECK_EQ(bad_rows(s), 0)

static long long product(tote_store *s, const char *sku, int lot_tracked)
{
    tote_product_in p = {sku, sku, NULL, 100, 1, lot_tracked, -1, -1, -1};
    long long id = 0;
    tote_product_upsert(s, &p, NULL, NULL, &id);
    return id;
}

static long long seq_of(tote_store *s, const char *code)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(tote_store_db(s), "SELECT walk_seq FROM location WHERE code = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

static void test_natural_cmp(void)
{
    CHECK(tote_location_natural_cmp("A-2", "A-10") < 0);
    CHECK(tote_location_natural_cmp("A-10", "A-2") > 0);
    CHECK(tote_location_natural_cmp("A-10", "B-1") < 0);
    CHECK(tote_location_natural_cmp("a-3", "A-4") < 0);
    CHECK(tote_location_natural_cmp("A-02", "A-2") != 0); /* ties broken by text */
    CHECK(tote_location_natural_cmp("A-2", "A-2") == 0);
    CHECK(tote_location_natural_cmp("A-2", "A-2-1") < 0);
    CHECK(tote_location_natural_cmp("R9-S99", "R10-S1") < 0);
    CHECK(tote_location_natural_cmp("99999999999999999999", "100000000000000000000") < 0);
}

static void test_walk_seq_natural_order(void)
{
    tote_store *s = fresh("walk.db");
    REQUIRE(s);
    /* inserted out of order: the walk follows the codes' natural order */
    const char *codes[] = {"A-10", "A-2", "B-1", "A-1", "A-3", "A-11", "A-9"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        REQUIRE_EQ(tote_location_ensure(s, codes[i], NULL, -1, "test", NULL), TOTE_ST_E_OK);
    const char *walk[] = {"A-1", "A-2", "A-3", "A-9", "A-10", "A-11", "B-1"};
    for (size_t i = 0; i + 1 < sizeof walk / sizeof walk[0]; i++)
        CHECK_INT(seq_of(s, walk[i]), <, seq_of(s, walk[i + 1]));
    /* many inserts into one gap: the gap is widened, the order kept */
    char code[32];
    for (int i = 1; i <= 40; i++) {
        snprintf(code, sizeof code, "A-2-%d", i);
        REQUIRE_EQ(tote_location_ensure(s, code, NULL, -1, "test", NULL), TOTE_ST_E_OK);
    }
    CHECK_INT(seq_of(s, "A-2"), <, seq_of(s, "A-2-1"));
    CHECK_INT(seq_of(s, "A-2-9"), <, seq_of(s, "A-2-10"));
    CHECK_INT(seq_of(s, "A-2-40"), <, seq_of(s, "A-3"));
    CHECK_INT(seq_of(s, "A-3"), <, seq_of(s, "B-1"));
    CHECK_EQ(
        q1(s, "SELECT COUNT(*) FROM (SELECT walk_seq FROM location GROUP BY walk_seq HAVING COUNT(*) > 1)"),
        0);
    /* explicit walk_seq is kept; an existing code is returned unchanged */
    long long id = 0, id2 = 0;
    REQUIRE_EQ(tote_location_ensure(s, "DOCK", "out", 5, "test", &id), TOTE_ST_E_OK);
    CHECK_EQ(seq_of(s, "DOCK"), 5);
    REQUIRE_EQ(tote_location_ensure(s, "DOCK", "elsewhere", 99, "test", &id2), TOTE_ST_E_OK);
    CHECK_EQ(id2, id);
    CHECK_EQ(seq_of(s, "DOCK"), 5);
    /* created once, with its actor in the audit log */
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event WHERE kind = 'location.created' AND subject = 'DOCK' "
                   "AND actor = 'test'"),
             1);
    CHECK_EQ(tote_location_add(s, "DOCK", NULL, -1, NULL, NULL, NULL), TOTE_ST_E_EXISTS);
    CHECK_EQ(tote_location_add(s, "Q-1", NULL, -1, "freezer", NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "freezer");
    CHECK_EQ(tote_location_add(s, "Q-1", NULL, -1, "quarantine", NULL, NULL), TOTE_ST_E_OK);
    CHECK_EQ(tote_location_ensure(s, "", NULL, -1, "test", NULL), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_location_ensure(s, " A", NULL, -1, "test", NULL), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_location_ensure(s, "A\tB", NULL, -1, "test", NULL), TOTE_ST_E_INVALID);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event WHERE kind = 'location.created'"), 49);
    tote_store_destroy(&s);
}

static void test_receive_adjust_transfer_balance(void)
{
    tote_store *s = fresh("ledger.db");
    REQUIRE(s);
    long long mug = product(s, "MUG-1", 0), a1 = 0, a2 = 0, sid = 0, sid2 = 0;
    REQUIRE_EQ(tote_location_ensure(s, "A-1", NULL, -1, "test", &a1), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_location_ensure(s, "A-2", NULL, -1, "test", &a2), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_stock_receive(s, mug, a1, 10, NULL, NULL, "rcv", "PO-1"), TOTE_ST_E_OK);
    BALANCED(s);
    REQUIRE_EQ(tote_stock_receive(s, mug, a1, 5, NULL, NULL, "rcv", "PO-2"), TOTE_ST_E_OK);
    BALANCED(s);
    REQUIRE_EQ(tote_stock_find(s, mug, a1, NULL, &sid), TOTE_ST_E_OK);
    CHECK_EQ(q1(s, "SELECT on_hand FROM stock"), 15);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM stock_move WHERE kind = 'receipt'"), 2);

    REQUIRE_EQ(tote_stock_adjust(s, sid, -2, "adjustment", "sup", "cli", "damaged"), TOTE_ST_E_OK);
    BALANCED(s);
    REQUIRE_EQ(tote_stock_adjust(s, sid, -1, "shortage", "picker", "hh-1", "bin short"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_stock_adjust(s, sid, 3, "count", "counter", "hh-2", NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_stock_adjust(s, sid, 0, "count", "counter", "hh-2", "recount agrees"), TOTE_ST_E_OK);
    BALANCED(s);
    CHECK_EQ(q1(s, "SELECT on_hand FROM stock WHERE id = 1"), 15);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM stock_move"), 5); /* the zero recount writes no move */
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event WHERE kind = 'stock.count'"), 2);

    /* bad adjustments change nothing */
    CHECK_EQ(tote_stock_adjust(s, sid, -16, "adjustment", "sup", NULL, "too many"), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "below zero");
    CHECK_EQ(tote_stock_adjust(s, sid, 1, "adjustment", "sup", NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "reason");
    CHECK_EQ(tote_stock_adjust(s, sid, 0, "adjustment", "sup", NULL, "x"), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_stock_adjust(s, sid, 1, "shortage", "sup", NULL, "x"), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_stock_adjust(s, sid, 1, "gift", "sup", NULL, "x"), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_stock_adjust(s, 999, 1, "adjustment", "sup", NULL, "x"), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(q1(s, "SELECT on_hand FROM stock WHERE id = 1"), 15);
    BALANCED(s);

    /* units reserved for orders are not adjusted away by hand (a picker
       would be sent for them); down to the reservation is fine; a shortage
       found at the bin is the short-pick flow's, which re-plans the orders */
    REQUIRE_EQ(
        sqlite3_exec(tote_store_db(s), "UPDATE stock SET reserved = 12 WHERE id = 1", NULL, NULL, NULL),
        SQLITE_OK);
    CHECK_EQ(tote_stock_adjust(s, sid, -4, "adjustment", "sup", NULL, "count"), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "holds 15, of which 12 are reserved for orders; taking 4");
    CHECK_EQ(tote_stock_adjust(s, sid, -3, "adjustment", "sup", NULL, "count"), TOTE_ST_E_OK);
    CHECK_EQ(tote_stock_adjust(s, sid, -1, "shortage", "picker", "hh-1", "bin short"), TOTE_ST_E_OK);
    REQUIRE_EQ(sqlite3_exec(tote_store_db(s), "UPDATE stock SET reserved = 0 WHERE id = 1", NULL, NULL, NULL),
               SQLITE_OK);
    REQUIRE_EQ(tote_stock_adjust(s, sid, 4, "adjustment", "sup", NULL, "found"), TOTE_ST_E_OK);
    CHECK_EQ(q1(s, "SELECT on_hand FROM stock WHERE id = 1"), 15);
    BALANCED(s);

    /* transfer: two moves, same lot at the destination */
    REQUIRE_EQ(tote_stock_transfer(s, sid, a2, 4, "sup", "re-slot"), TOTE_ST_E_OK);
    BALANCED(s);
    REQUIRE_EQ(tote_stock_find(s, mug, a2, NULL, &sid2), TOTE_ST_E_OK);
    CHECK_EQ(q1(s, "SELECT on_hand FROM stock WHERE id = 2"), 4);
    CHECK_EQ(q1(s, "SELECT on_hand FROM stock WHERE id = 1"), 11);
    CHECK_EQ(q1(s, "SELECT SUM(qty) FROM stock_move WHERE kind = 'transfer'"), 0);
    CHECK_EQ(tote_stock_transfer(s, sid, a1, 1, "sup", NULL), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_stock_transfer(s, sid, a2, 12, "sup", NULL), TOTE_ST_E_STATE);
    CHECK_EQ(tote_stock_transfer(s, sid, 999, 1, "sup", NULL), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_stock_transfer(s, sid, a2, 0, "sup", NULL), TOTE_ST_E_INVALID);
    BALANCED(s);

    /* bad receipts */
    CHECK_EQ(tote_stock_receive(s, mug, a1, 0, NULL, NULL, NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_stock_receive(s, 999, a1, 1, NULL, NULL, NULL, NULL), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_stock_receive(s, mug, 999, 1, NULL, NULL, NULL, NULL), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_stock_receive(s, mug, a1, 1, NULL, "2024-02-30", NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "2024-02-30");
    CHECK_EQ(tote_stock_receive(s, mug, a1, 1, NULL, "24-01-01", NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_EQ(q1(s, "SELECT SUM(on_hand) FROM stock"), 15);
    BALANCED(s);
    tote_store_destroy(&s);
}

static void test_lots_and_expiry(void)
{
    tote_store *s = fresh("lots.db");
    REQUIRE(s);
    long long milk = product(s, "MILK", 1), a1 = 0, sid = 0;
    REQUIRE_EQ(tote_location_ensure(s, "C-1", "cold", -1, "test", &a1), TOTE_ST_E_OK);
    CHECK_EQ(tote_stock_receive(s, milk, a1, 5, NULL, NULL, NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "lot-tracked");
    REQUIRE_EQ(tote_stock_receive(s, milk, a1, 5, "L1", "2024-02-29", NULL, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_stock_receive(s, milk, a1, 5, "L1", NULL, NULL, NULL), TOTE_ST_E_OK);
    CHECK_EQ(tote_stock_receive(s, milk, a1, 5, "L1", "2024-03-01", NULL, NULL), TOTE_ST_E_INVALID);
    CHECK_HAS(tote_st_detail(), "already expires 2024-02-29");
    REQUIRE_EQ(tote_stock_receive(s, milk, a1, 3, "L2", "2099-01-31", NULL, NULL), TOTE_ST_E_OK);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM stock"), 2);
    CHECK_EQ(tote_stock_ensure(s, milk, a1, NULL, NULL, &sid), TOTE_ST_E_INVALID);
    BALANCED(s);

    cJSON *arr = NULL;
    REQUIRE_EQ(tote_stock_list_json(s, "MILK", NULL, &arr), TOTE_ST_E_OK);
    REQUIRE_EQ(cJSON_GetArraySize(arr), 2);
    cJSON *first = cJSON_GetArrayItem(arr, 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "lot")), "L1");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "expiry")), "2024-02-29");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(first, "expired")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 1), "expired")));
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(first, "on_hand")), 10);
    cJSON_Delete(arr);
    CHECK_EQ(tote_stock_list_json(s, "NOPE", NULL, &arr), TOTE_ST_E_NOT_FOUND);
    CHECK_HAS(tote_st_detail(), "NOPE");
    CHECK_EQ(tote_stock_list_json(s, NULL, "Z-9", &arr), TOTE_ST_E_NOT_FOUND);
    tote_store_destroy(&s);
}

static long long line_of(tote_store *s, const char *order, int line_no)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    sqlite3_prepare_v2(
        tote_store_db(s),
        "SELECT l.id FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.name = ?1 AND "
        "l.line_no = ?2",
        -1, &st, NULL);
    sqlite3_bind_text(st, 1, order, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, line_no);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_reserve_and_check_detects_imbalance(void)
{
    tote_store *s = fresh("reserve.db");
    REQUIRE(s);
    long long mug = product(s, "MUG-1", 0), milk = product(s, "MILK", 1), a1 = 0, c1 = 0, sm = 0, sk = 0;
    REQUIRE_EQ(tote_location_ensure(s, "A-1", NULL, -1, "test", &a1), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_location_ensure(s, "C-1", NULL, -1, "test", &c1), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_stock_receive(s, mug, a1, 5, NULL, NULL, NULL, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_stock_receive(s, milk, c1, 5, "OLD", "2020-01-01", NULL, NULL), TOTE_ST_E_OK);
    tote_stock_find(s, mug, a1, NULL, &sm);
    tote_stock_find(s, milk, c1, "OLD", &sk);
    tote_order_line_in lines[] = {
        {"MUG-1", "Mug", 4, 100, 1}, {"MILK", "Milk", 1, 100, 1}, {"CARD", "Card", 1, 0, 0}};
    tote_order_in o = {
        .name = "#1", .payment_status = "paid", .total_cents = -1, .line_count = 3, .lines = lines};
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    long long l1 = line_of(s, "#1", 1), l2 = line_of(s, "#1", 2), l3 = line_of(s, "#1", 3);
    long long aid = 0;
    REQUIRE_EQ(tote_stock_reserve(s, sm, l1, 3, &aid), TOTE_ST_E_OK);
    CHECK(aid > 0);
    BALANCED(s);
    CHECK_EQ(tote_stock_reserve(s, sm, l1, 2, NULL), TOTE_ST_E_STATE); /* the line needs only 1 more */
    CHECK_HAS(tote_st_detail(), "needs only 1 more");
    CHECK_EQ(tote_stock_reserve(s, sk, l2, 1, NULL), TOTE_ST_E_STATE); /* expired lot */
    CHECK_HAS(tote_st_detail(), "expired");
    CHECK_EQ(tote_stock_reserve(s, sm, l2, 1, NULL), TOTE_ST_E_INVALID); /* wrong product */
    CHECK_EQ(tote_stock_reserve(s, sm, l3, 1, NULL), TOTE_ST_E_INVALID); /* not shippable */
    REQUIRE_EQ(tote_stock_adjust(s, sm, -2, "adjustment", NULL, NULL, "broken"), TOTE_ST_E_OK);
    CHECK_EQ(q1(s, "SELECT on_hand - reserved FROM stock WHERE id = 1"), 0);
    CHECK_EQ(tote_stock_reserve(s, sm, l1, 1, NULL), TOTE_ST_E_STATE); /* 3 on hand, 3 reserved */
    CHECK_HAS(tote_st_detail(), "0 available");
    BALANCED(s);
    /* a transfer may not take reserved units */
    CHECK_EQ(tote_stock_transfer(s, sm, c1, 2, NULL, NULL), TOTE_ST_E_STATE);
    CHECK_HAS(tote_st_detail(), "0 available (3 on hand, 3 reserved)");

    /* the check notices a row changed behind the ledger's back */
    sqlite3_exec(tote_store_db(s), "UPDATE stock SET on_hand = on_hand + 1 WHERE id = 1", NULL, NULL, NULL);
    sqlite3_exec(tote_store_db(s), "UPDATE order_line SET allocated = 0 WHERE line_no = 1", NULL, NULL, NULL);
    long long bad = 0;
    cJSON *arr = NULL;
    REQUIRE_EQ(tote_stock_check_json(s, &bad, &arr), TOTE_ST_E_OK);
    CHECK_EQ(bad, 2);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "type")), "stock");
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "moves")), 3);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 1), "type")), "order_line");
    cJSON_Delete(arr);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    REQUIRE_EQ(tote_stock_check(s, &bad, f), TOTE_ST_E_OK);
    fclose(f);
    CHECK_HAS(text, "on_hand 4 but its moves sum to 3");
    CHECK_HAS(text, "order #1 line 1 (MUG-1): allocated 0 but its allocations sum to 3");
    free(text);
    tote_store_destroy(&s);
}

static void test_moves_listing(void)
{
    tote_store *s = fresh("moves.db");
    REQUIRE(s);
    long long mug = product(s, "MUG-1", 0), tea = product(s, "TEA", 0), a1 = 0;
    tote_location_ensure(s, "A-1", NULL, -1, "test", &a1);
    REQUIRE_EQ(tote_stock_receive(s, mug, a1, 5, NULL, NULL, "ana", "PO-7"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_stock_receive(s, tea, a1, 2, NULL, NULL, "ana", NULL), TOTE_ST_E_OK);
    cJSON *arr = NULL;
    REQUIRE_EQ(tote_stock_moves_json(s, "MUG-1", &arr), TOTE_ST_E_OK);
    REQUIRE_EQ(cJSON_GetArraySize(arr), 1);
    cJSON *m = cJSON_GetArrayItem(arr, 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(m, "kind")), "receipt");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(m, "reason")), "PO-7");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(m, "actor")), "ana");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(m, "order")));
    cJSON_Delete(arr);
    REQUIRE_EQ(tote_stock_moves_json(s, NULL, &arr), TOTE_ST_E_OK);
    CHECK_EQ(cJSON_GetArraySize(arr), 2);
    cJSON_Delete(arr);
    tote_store_destroy(&s);
}

static void test_config(void)
{
    tote_store *s = fresh("config.db");
    REQUIRE(s);
    char buf[128];
    int set = -1;
    REQUIRE_EQ(tote_config_get(s, "weight_tolerance_pct", buf, sizeof buf, &set), TOTE_ST_E_OK);
    CHECK_STR(buf, "5");
    CHECK_EQ(set, 0);
    CHECK_EQ(tote_config_int(s, "lease_seconds", 0), 120);
    /* the defaults 'tote config list' shows are the ones the station uses */
    tote_flow_settings fs;
    tote_flow_settings_load(s, 120, 1000, &fs);
    CHECK_EQ(tote_config_int(s, "require_bin_scan", -1), fs.require_bin_scan);
    CHECK_EQ(tote_config_int(s, "weight_tolerance_pct", -1), fs.weight_tolerance_pct);
    static const char *const texts[] = {"s10_service", "s10_country", "gs1_company_prefix", "sscc_extension"};
    const char *used[] = {fs.s10_service, fs.s10_country, fs.gs1_company_prefix, fs.sscc_extension};
    for (int i = 0; i < 4; i++) {
        REQUIRE_EQ(tote_config_get(s, texts[i], buf, sizeof buf, &set), TOTE_ST_E_OK);
        CHECK_STR(buf, used[i]);
    }
    char *err = NULL;
    REQUIRE_EQ(tote_config_set(s, "weight_tolerance_pct", "8", "sup", &err), TOTE_ST_E_OK);
    CHECK_EQ(tote_config_int(s, "weight_tolerance_pct", 0), 8);
    REQUIRE_EQ(tote_config_set(s, "s10_country", "nl", "sup", &err), TOTE_ST_E_OK);
    tote_config_get(s, "s10_country", buf, sizeof buf, &set);
    CHECK_STR(buf, "NL");
    CHECK_EQ(set, 1);
    struct {
        const char *key, *value, *why;
    } bad[] = {
        {"require_bin_scan", "yes", "0 or 1"},
        {"weight_tolerance_pct", "101", "0 to 100"},
        {"weight_tolerance_pct", "5%", "whole number"},
        {"lease_seconds", "", "whole number"},
        {"s10_service", "L", "two letters"},
        {"s10_country", "N1", "two letters"},
        {"gs1_company_prefix", "12345", "6 to 12 digits"},
        {"gs1_company_prefix", "12345x", "6 to 12 digits"},
        {"sscc_extension", "10", "one digit"},
        {"label_printer", "my printer", "CUPS queue"},
        {"ship_from_name", "a\nb", "control characters"},
        {"ship_from_country", "France", "two letters"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ(tote_config_set(s, bad[i].key, bad[i].value, "sup", &err), TOTE_ST_E_INVALID);
        CHECK_HAS(err, bad[i].why);
        free(err);
        err = NULL;
    }
    CHECK_EQ(tote_config_set(s, "colour", "red", "sup", &err), TOTE_ST_E_NOT_FOUND);
    CHECK_HAS(err, "unknown setting 'colour'");
    free(err);
    CHECK_EQ(tote_config_get(s, "colour", buf, sizeof buf, NULL), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event WHERE kind = 'config.set'"), 2);
    /* setting the same value again writes nothing */
    REQUIRE_EQ(tote_config_set(s, "weight_tolerance_pct", "8", "sup", &err), TOTE_ST_E_OK);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event WHERE kind = 'config.set'"), 2);
    cJSON *arr = NULL;
    REQUIRE_EQ(tote_config_list_json(s, &arr), TOTE_ST_E_OK);
    size_t n = 0;
    tote_config_keys(&n);
    CHECK_EQ(cJSON_GetArraySize(arr), (int)n);
    cJSON_Delete(arr);
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

TT_MAIN(TT_TEST(test_natural_cmp), TT_TEST(test_walk_seq_natural_order),
        TT_TEST(test_receive_adjust_transfer_balance), TT_TEST(test_lots_and_expiry),
        TT_TEST(test_reserve_and_check_detects_imbalance), TT_TEST(test_moves_listing), TT_TEST(test_config),
        TT_TEST(test_teardown))
