/* The real `tote` binary on a temp database: order, customer, stock, location and config verbs, every bad
 * input named, --json parsed with cJSON, and a writer that waits out another process's lock. */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>

#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/flows.h"
#include "tote/orders.h"
#include "tote/stock.h"
#include "tote/store.h"
#include "tote/wave.h"

static char *dir;
static char db[512];
static char *out, *err;

/* Runs tote --db DB ARGS... (NULL-terminated); captures out/err; returns the exit status. */
static int tote(const char *first, ...)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = tt_bin("tote");
    argv[n++] = "--db";
    argv[n++] = db;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 31; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    free(out);
    free(err);
    out = err = NULL;
    static const char *const env[] = {"TOTE_ACTOR=tester", NULL};
    return tt_run(argv, env, NULL, 20000, &out, &err);
}

static cJSON *json_out(void)
{
    return out ? cJSON_Parse(out) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static long long jnum(const cJSON *o, const char *k)
{
    return (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* Seeds the database through the library (the import verbs belong to another module). */
static int seed(void)
{
    tote_store *s = NULL;
    if (tote_store_open(db, 0, &s, NULL) != TOTE_ST_E_OK)
        return -1;
    int bad = 0;
    const char *skus[] = {"MUG-1", "TEA-1", "MILK"};
    long long ids[3];
    for (int i = 0; i < 3; i++) {
        tote_product_in p = {skus[i], skus[i], NULL, 300, 1, i == 2, 1000, -1, -1};
        bad |= tote_product_upsert(s, &p, "seed", NULL, &ids[i]) != TOTE_ST_E_OK;
    }
    long long a1 = 0, a2 = 0, sid = 0, sid2 = 0;
    bad |= tote_location_ensure(s, "A-1", NULL, -1, "test", &a1) != TOTE_ST_E_OK;
    bad |= tote_location_ensure(s, "A-2", NULL, -1, "test", &a2) != TOTE_ST_E_OK;
    bad |= tote_stock_receive(s, ids[0], a1, 10, NULL, NULL, "seed", "PO-1") != TOTE_ST_E_OK;
    bad |= tote_stock_receive(s, ids[1], a2, 5, NULL, NULL, "seed", "PO-1") != TOTE_ST_E_OK;
    bad |= tote_stock_receive(s, ids[2], a2, 4, "L7", "2099-12-31", "seed", "PO-2") != TOTE_ST_E_OK;
    tote_order_line_in lines[] = {{"MUG-1", "Mug", 2, 1299, 1}, {"TEA-1", "Tea", 1, 499, 1}};
    const char *names[] = {"#1001", "#1002", "#1003", "#1004"};
    const char *pay[] = {"paid", "pending", "paid", "paid"};
    for (int i = 0; i < 4; i++) {
        tote_order_in o = {0};
        o.name = names[i];
        o.email = "ana@example.com";
        o.customer_name = "Ana Lopez";
        o.payment_status = pay[i];
        o.ship_name = "Ana Lopez";
        o.ship_city = "Paris";
        o.ship_country = "FR";
        o.currency = "EUR";
        o.total_cents = 3097;
        o.ordered_at = i == 0 ? "2024-03-01T10:00:00Z" : "2024-03-02T10:00:00Z";
        o.line_count = 2;
        o.lines = lines;
        bad |= tote_order_upsert(s, &o, "seed", NULL, NULL) != TOTE_ST_E_OK;
    }
    /* #1003 allocated: 2 mugs and 1 tea reserved */
    long long oid = 0;
    bad |= tote_order_find(s, "#1003", &oid, NULL) != TOTE_ST_E_OK;
    tote_stock_find(s, ids[0], a1, NULL, &sid);
    tote_stock_find(s, ids[1], a2, NULL, &sid2);
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(tote_store_db(s), "SELECT id FROM order_line WHERE order_id = ?1 ORDER BY line_no", -1,
                       &st, NULL);
    sqlite3_bind_int64(st, 1, oid);
    long long line[2] = {0, 0};
    for (int i = 0; i < 2 && sqlite3_step(st) == SQLITE_ROW; i++)
        line[i] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    bad |= tote_stock_reserve(s, sid, line[0], 2, NULL) != TOTE_ST_E_OK;
    bad |= tote_stock_reserve(s, sid2, line[1], 1, NULL) != TOTE_ST_E_OK;
    bad |= tote_order_set_status(s, oid, TOTE_ORDER_ALLOCATED, "seed", NULL, NULL, NULL) != TOTE_ST_E_OK;
    /* #1004 shipped */
    bad |= sqlite3_exec(tote_store_db(s), "UPDATE orders SET status = 'shipped' WHERE name = '#1004'", NULL,
                        NULL, NULL) != SQLITE_OK;
    tote_store_destroy(&s);
    return bad ? -1 : 0;
}

static void test_setup(void)
{
    dir = tt_tmpdir("cli-store");
    REQUIRE(dir);
    snprintf(db, sizeof db, "%s/tote.db", dir);
    CHECK_EQ(tote("order", "list", NULL), 2); /* no database yet */
    CHECK_HAS(err, "tote init");
    REQUIRE_EQ(tote("init", NULL), 0);
    CHECK_HAS(out, " ready (schema version ");
    /* again, as a script would: the same database, said in JSON */
    REQUIRE_EQ(tote("init", "--json", NULL), 0);
    cJSON *o = cJSON_Parse(out);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "db")), db);
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "schema_version")), tote_store_schema_version());
    cJSON_Delete(o);
    CHECK_EQ(tote("init", "now", NULL), 2);
    CHECK_HAS(err, "usage: tote init");
    REQUIRE_EQ(seed(), 0);
}

static void test_location(void)
{
    CHECK_EQ(tote("location", "add", "A-10", "--zone", "Z1", NULL), 0);
    CHECK_HAS(out, "location A-10 added");
    CHECK_EQ(tote("location", "add", "A-3", NULL), 0);
    CHECK_EQ(tote("location", "add", "DOCK-1", "--kind", "dock", "--walk-seq", "999999", NULL), 0);
    REQUIRE_EQ(tote("location", "list", "--json", NULL), 0);
    cJSON *arr = json_out();
    REQUIRE(cJSON_IsArray(arr));
    const char *walk[] = {"A-1", "A-2", "A-3", "A-10", "DOCK-1"};
    REQUIRE_EQ(cJSON_GetArraySize(arr), 5);
    for (int i = 0; i < 5; i++)
        CHECK_STR(jstr(cJSON_GetArrayItem(arr, i), "code"), walk[i]);
    CHECK_STR(jstr(cJSON_GetArrayItem(arr, 3), "zone"), "Z1");
    CHECK_STR(jstr(cJSON_GetArrayItem(arr, 4), "kind"), "dock");
    CHECK_EQ(jnum(cJSON_GetArrayItem(arr, 4), "walk_seq"), 999999);
    CHECK_EQ(jnum(cJSON_GetArrayItem(arr, 0), "on_hand"), 10);
    cJSON_Delete(arr);
    CHECK_EQ(tote("location", "list", NULL), 0);
    CHECK_HAS(out, "5 location(s)");

    /* bad input */
    CHECK_EQ(tote("location", "add", "A-3", NULL), 2);
    CHECK_HAS(err, "location A-3 already exists");
    CHECK_EQ(tote("location", "add", "B-1", "--kind", "freezer", NULL), 2);
    CHECK_HAS(err, "not bin, quarantine or dock");
    CHECK_EQ(tote("location", "add", "B-1", "--walk-seq", "ten", NULL), 2);
    CHECK_HAS(err, "--walk-seq");
    CHECK_EQ(tote("location", "add", NULL), 2);
    CHECK_HAS(err, "usage");
    CHECK_EQ(tote("location", "move", "A-1", NULL), 2);
    CHECK_HAS(err, "unknown subcommand");
    CHECK_EQ(tote("location", "list", "--color", NULL), 2);
    CHECK_HAS(err, "unknown option --color");
}

static void test_config(void)
{
    REQUIRE_EQ(tote("config", "list", "--json", NULL), 0);
    cJSON *arr = json_out();
    REQUIRE(cJSON_IsArray(arr));
    int found = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        if (strcmp(jstr(o, "key"), "weight_tolerance_pct") == 0) {
            found = 1;
            CHECK_STR(jstr(o, "value"), "5");
            CHECK(cJSON_IsFalse(cJSON_GetObjectItem(o, "set")));
        }
    }
    CHECK(found);
    cJSON_Delete(arr);
    CHECK_EQ(tote("config", "set", "weight_tolerance_pct", "7", NULL), 0);
    CHECK_HAS(out, "weight_tolerance_pct = 7");
    CHECK_EQ(tote("config", "get", "weight_tolerance_pct", NULL), 0);
    CHECK_STR(out, "7\n");
    CHECK_EQ(tote("config", "set", "ship_from_country", "fr", NULL), 0);
    REQUIRE_EQ(tote("config", "get", "ship_from_country", "--json", NULL), 0);
    cJSON *g = json_out();
    CHECK_STR(jstr(g, "value"), "FR");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(g, "set")));
    cJSON_Delete(g);
    CHECK_EQ(tote("config", "list", NULL), 0);
    CHECK_HAS(out, "ship_from_country");

    CHECK_EQ(tote("config", "set", "colour", "red", NULL), 2);
    CHECK_HAS(err, "unknown setting 'colour'");
    CHECK_EQ(tote("config", "get", "colour", NULL), 2);
    CHECK_EQ(tote("config", "set", "require_bin_scan", "maybe", NULL), 2);
    CHECK_HAS(err, "require_bin_scan is 0 or 1");
    CHECK_EQ(tote("config", "set", "gs1_company_prefix", "12", NULL), 2);
    CHECK_HAS(err, "6 to 12 digits");
    CHECK_EQ(tote("config", "set", "sscc_extension", NULL), 2);
    CHECK_HAS(err, "usage");
}

static void test_stock(void)
{
    REQUIRE_EQ(tote("stock", "list", "--json", NULL), 0);
    cJSON *arr = json_out();
    REQUIRE_EQ(cJSON_GetArraySize(arr), 3);
    cJSON *mug = cJSON_GetArrayItem(arr, 0);
    CHECK_STR(jstr(mug, "sku"), "MUG-1");
    CHECK_STR(jstr(mug, "location"), "A-1");
    CHECK_EQ(jnum(mug, "on_hand"), 10);
    CHECK_EQ(jnum(mug, "reserved"), 2);
    CHECK_EQ(jnum(mug, "available"), 8);
    cJSON_Delete(arr);
    REQUIRE_EQ(tote("stock", "list", "--sku", "MILK", "--json", NULL), 0);
    arr = json_out();
    REQUIRE_EQ(cJSON_GetArraySize(arr), 1);
    CHECK_STR(jstr(cJSON_GetArrayItem(arr, 0), "lot"), "L7");
    CHECK_STR(jstr(cJSON_GetArrayItem(arr, 0), "expiry"), "2099-12-31");
    cJSON_Delete(arr);
    REQUIRE_EQ(tote("stock", "list", "--bin", "A-2", "--json", NULL), 0);
    arr = json_out();
    CHECK_EQ(cJSON_GetArraySize(arr), 2);
    cJSON_Delete(arr);
    CHECK_EQ(tote("stock", "list", NULL), 0);
    CHECK_HAS(out, "3 row(s), 19 on hand, 3 reserved, 16 available");

    /* adjust */
    CHECK_EQ(tote("stock", "adjust", "MUG-1", "A-1", "-3", "--reason", "dropped", NULL), 0);
    CHECK_HAS(out, "now 7 on hand (5 available)");
    CHECK_EQ(tote("stock", "adjust", "TEA-1", "A-3", "+2", "--reason", "found", NULL), 0); /* new row */
    CHECK_EQ(tote("stock", "adjust", "MILK", "A-2", "1", "--lot", "L7", "--reason", "count", NULL), 0);
    CHECK_EQ(tote("stock", "adjust", "MUG-1", "A-1", "-8", "--reason", "x", NULL), 2);
    CHECK_HAS(err, "below zero");
    CHECK_EQ(tote("stock", "adjust", "MUG-1", "A-1", "-1", NULL), 2);
    CHECK_HAS(err, "needs --reason");
    CHECK_EQ(tote("stock", "adjust", "MUG-1", "A-1", "two", "--reason", "x", NULL), 2);
    CHECK_HAS(err, "whole number");
    CHECK_EQ(tote("stock", "adjust", "MUG-1", "A-1", "0", "--reason", "x", NULL), 2);
    CHECK_EQ(tote("stock", "adjust", "NOPE", "A-1", "1", "--reason", "x", NULL), 2);
    CHECK_HAS(err, "no product with SKU NOPE");
    CHECK_EQ(tote("stock", "adjust", "MUG-1", "Z-9", "1", "--reason", "x", NULL), 2);
    CHECK_HAS(err, "no location Z-9");
    CHECK_EQ(tote("stock", "adjust", "MUG-1", "A-2", "-1", "--reason", "x", NULL), 2);
    CHECK_HAS(err, "no MUG-1 at A-2");
    CHECK_EQ(tote("stock", "adjust", "MILK", "A-1", "1", "--reason", "x", NULL), 2);
    CHECK_HAS(err, "MILK is tracked by lot: give --lot LOT");
    CHECK_EQ(tote("stock", "adjust", "TEA-1", "A-1", "+2", "--lot", "B1", "--reason", "found", NULL), 0);
    CHECK_EQ(tote("stock", "adjust", "TEA-1", "A-1", "-1", "--reason", "x", NULL), 2);
    CHECK_HAS(err, "TEA-1 at A-1 is held by lot: give --lot (B1)");
    CHECK_EQ(tote("stock", "adjust", "TEA-1", "A-1", "-2", "--lot", "B1", "--reason", "back", NULL), 0);
    CHECK_EQ(tote("stock", "list", "--sku", "NOPE", NULL), 2);
    CHECK_EQ(tote("stock", "list", "--bin", "Z-9", NULL), 2);
    CHECK_EQ(tote("stock", "count", NULL), 2);

    /* moves: the ledger */
    REQUIRE_EQ(tote("stock", "moves", "--sku", "MUG-1", "--json", NULL), 0);
    arr = json_out();
    REQUIRE_EQ(cJSON_GetArraySize(arr), 2);
    cJSON *m = cJSON_GetArrayItem(arr, 1);
    CHECK_STR(jstr(m, "kind"), "adjustment");
    CHECK_EQ(jnum(m, "qty"), -3);
    CHECK_STR(jstr(m, "reason"), "dropped");
    CHECK_STR(jstr(m, "actor"), "tester");
    CHECK_STR(jstr(m, "device"), "cli");
    cJSON_Delete(arr);
    CHECK_EQ(tote("stock", "moves", NULL), 0);
    CHECK_HAS(out, "8 move(s)"); /* and the two of the lot B1 */

    /* check: balanced, then broken behind the ledger's back */
    CHECK_EQ(tote("stock", "check", NULL), 0);
    CHECK_HAS(out, "balances");
    REQUIRE_EQ(tote("stock", "check", "--json", NULL), 0);
    cJSON *c = json_out();
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(c, "ok")));
    cJSON_Delete(c);
    sqlite3 *h = NULL;
    REQUIRE_EQ(sqlite3_open(db, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    REQUIRE_EQ(sqlite3_exec(h, "UPDATE stock SET on_hand = on_hand + 100 WHERE lot = 'L7'", NULL, NULL, NULL),
               SQLITE_OK);
    CHECK_EQ(tote("stock", "check", NULL), 1);
    CHECK_HAS(out, "MILK at A-2 lot L7");
    CHECK_HAS(out, "1 row(s) do not balance");
    CHECK_EQ(tote("stock", "check", "--json", NULL), 1);
    c = json_out();
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(c, "ok")));
    CHECK_EQ(jnum(c, "bad"), 1);
    CHECK_EQ(jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "rows"), 0), "on_hand"), 105);
    cJSON_Delete(c);
    REQUIRE_EQ(sqlite3_exec(h, "UPDATE stock SET on_hand = on_hand - 100 WHERE lot = 'L7'", NULL, NULL, NULL),
               SQLITE_OK);
    sqlite3_close(h);
    CHECK_EQ(tote("stock", "check", NULL), 0);
}

static void test_orders(void)
{
    REQUIRE_EQ(tote("order", "list", "--json", NULL), 0);
    cJSON *arr = json_out();
    REQUIRE_EQ(cJSON_GetArraySize(arr), 4);
    CHECK_STR(jstr(cJSON_GetArrayItem(arr, 0), "name"), "#1001");
    CHECK_STR(jstr(cJSON_GetArrayItem(arr, 1), "status"), "on_hold");
    CHECK_STR(jstr(cJSON_GetArrayItem(arr, 1), "hold_reason"), "payment");
    CHECK_EQ(jnum(cJSON_GetArrayItem(arr, 2), "allocated"), 3);
    cJSON_Delete(arr);
    REQUIRE_EQ(tote("order", "list", "--status", "on_hold", "--json", NULL), 0);
    arr = json_out();
    REQUIRE_EQ(cJSON_GetArraySize(arr), 1);
    CHECK_STR(jstr(cJSON_GetArrayItem(arr, 0), "name"), "#1002");
    cJSON_Delete(arr);
    CHECK_EQ(tote("order", "list", NULL), 0);
    CHECK_HAS(out, "4 order(s)");
    CHECK_EQ(tote("order", "list", "--status", "lost", NULL), 2);
    CHECK_HAS(err, "'lost' is not an order status");

    /* show */
    REQUIRE_EQ(tote("order", "show", "#1003", "--json", NULL), 0);
    cJSON *o = json_out();
    REQUIRE(o);
    CHECK_STR(jstr(o, "status"), "allocated");
    CHECK_STR(jstr(cJSON_GetObjectItem(o, "customer"), "email"), "ana@example.com");
    CHECK_STR(jstr(cJSON_GetObjectItem(o, "payment"), "status"), "paid");
    CHECK_EQ(jnum(cJSON_GetObjectItem(o, "payment"), "total_cents"), 3097);
    CHECK_STR(jstr(cJSON_GetObjectItem(o, "shipping"), "city"), "Paris");
    cJSON *lines = cJSON_GetObjectItem(o, "lines");
    REQUIRE_EQ(cJSON_GetArraySize(lines), 2);
    CHECK_EQ(jnum(cJSON_GetArrayItem(lines, 0), "ordered"), 2);
    CHECK_EQ(jnum(cJSON_GetArrayItem(lines, 0), "allocated"), 2);
    CHECK_EQ(jnum(cJSON_GetArrayItem(lines, 0), "picked"), 0);
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(o, "packages")));
    cJSON *ev = cJSON_GetObjectItem(o, "events");
    REQUIRE_EQ(cJSON_GetArraySize(ev), 2);
    CHECK_STR(jstr(cJSON_GetArrayItem(ev, 0), "kind"), "order.created");
    CHECK_STR(jstr(cJSON_GetArrayItem(ev, 1), "kind"), "order.allocated");
    cJSON_Delete(o);
    CHECK_EQ(tote("order", "show", "1003", NULL), 0); /* the number alone, as the console takes it */
    CHECK_HAS(out, "Order #1003");
    CHECK_EQ(tote("order", "show", "#1003", NULL), 0);
    CHECK_HAS(out, "Order #1003");
    CHECK_HAS(out, "MUG-1");
    CHECK_HAS(out, "order.allocated");
    CHECK_EQ(tote("order", "show", "#9999", NULL), 2);
    CHECK_HAS(err, "no order named #9999");

    /* the payment gate */
    CHECK_EQ(tote("order", "release", "#1002", NULL), 2);
    CHECK_HAS(err, "order #1002 is not paid");
    CHECK_EQ(tote("order", "paid", "#1002", "--method", "bank transfer", NULL), 0);
    CHECK_HAS(out, "order #1002: paid, now released");
    CHECK_EQ(tote("order", "paid", "#1002", NULL), 2);
    CHECK_HAS(err, "already paid");

    /* hold and release */
    CHECK_EQ(tote("order", "hold", "#1001", "--reason", "address check", NULL), 0);
    CHECK_HAS(out, "on_hold");
    CHECK_EQ(tote("order", "hold", "#1001", NULL), 2);
    CHECK_EQ(tote("order", "release", "#1001", NULL), 0);
    CHECK_HAS(out, "order #1001: released");
    CHECK_EQ(tote("order", "release", "#1001", NULL), 2);
    CHECK_HAS(err, "nothing to release");

    /* cancel releases reservations; a unit already picked is out of its bin,
       and the cancel says where it is and how to put it back */
    {
        tote_store *ps = NULL;
        REQUIRE_EQ(tote_store_open(db, 0, &ps, NULL), TOTE_ST_E_OK);
        tote_wave_opts wo = {.no_allocate = 1};
        tote_wave_result wr;
        REQUIRE_EQ(tote_wave_create(ps, &wo, "test", &wr), TOTE_ST_E_OK);
        REQUIRE_EQ(wr.orders, 1); /* #1003, the one allocated */
        sqlite3_stmt *q = NULL;
        REQUIRE_EQ(sqlite3_prepare_v2(tote_store_db(ps),
                                      "SELECT t.id FROM pick_task t JOIN stock st ON st.id = t.stock_id JOIN "
                                      "product p ON p.id = st.product_id WHERE p.sku = 'MUG-1'",
                                      -1, &q, NULL),
                   SQLITE_OK);
        REQUIRE_EQ(sqlite3_step(q), SQLITE_ROW);
        long long task = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        tote_pick_task t;
        REQUIRE_EQ(tote_pick_task_get(ps, task, &t), TOTE_ST_E_OK);
        REQUIRE_EQ(tote_pick_apply(ps, &t, 1, "picker", "hh-1", "2024-03-01T10:00:00.000Z"), TOTE_ST_E_OK);
        tote_store_destroy(&ps);
    }
    REQUIRE_EQ(tote("stock", "list", "--sku", "MUG-1", "--json", NULL), 0);
    cJSON *mug = json_out();
    long long mug_before = jnum(cJSON_GetArrayItem(mug, 0), "on_hand");
    cJSON_Delete(mug);
    CHECK_EQ(tote("order", "cancel", "#1003", "--reason", "customer asked", NULL), 0);
    CHECK_HAS(out, "cancelled");
    CHECK_HAS(out, "units already picked for it are out of their bins; put them back:");
    CHECK_HAS(out, "1 x MUG-1 from A-1, in tote T");
    CHECK_HAS(out, ": tote stock adjust MUG-1 A-1 +1 --reason 'put back: order #1003 cancelled'");
    CHECK_EQ(
        tote("stock", "adjust", "MUG-1", "A-1", "+1", "--reason", "put back: order #1003 cancelled", NULL),
        0);
    REQUIRE_EQ(tote("stock", "list", "--json", NULL), 0);
    arr = json_out();
    const cJSON *row;
    long long reserved = 0;
    cJSON_ArrayForEach(row, arr) reserved += jnum(row, "reserved");
    CHECK_EQ(reserved, 0);
    cJSON_Delete(arr);
    REQUIRE_EQ(tote("stock", "list", "--sku", "MUG-1", "--json", NULL), 0);
    arr = json_out();
    CHECK_EQ(jnum(cJSON_GetArrayItem(arr, 0), "on_hand"), mug_before + 1); /* the picked unit is back */
    cJSON_Delete(arr);
    CHECK_EQ(tote("stock", "check", NULL), 0);
    REQUIRE_EQ(tote("order", "show", "#1003", "--json", NULL), 0);
    o = json_out();
    ev = cJSON_GetObjectItem(o, "events");
    cJSON *last = cJSON_GetArrayItem(ev, cJSON_GetArraySize(ev) - 1);
    CHECK_STR(jstr(last, "kind"), "order.cancelled");
    CHECK_STR(jstr(last, "actor"), "tester");
    CHECK_STR(jstr(cJSON_GetObjectItem(last, "detail"), "reason"), "customer asked");
    CHECK_EQ(jnum(cJSON_GetObjectItem(last, "detail"), "reservations_released"), 2);
    CHECK_EQ(jnum(cJSON_GetObjectItem(last, "detail"), "picked_units_to_put_away"), 1);
    CHECK_EQ(jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(o, "lines"), 0), "allocated"),
             1); /* what was picked */
    cJSON_Delete(o);
    CHECK_EQ(tote("order", "paid", "#1003", NULL), 2);
    CHECK_HAS(err, "order #1003 is cancelled: a payment cannot be recorded for it");
    CHECK_EQ(tote("order", "cancel", "#1004", NULL), 2);
    CHECK_HAS(err, "shipped order cannot be cancelled");
    CHECK_EQ(tote("order", "cancel", "#9999", NULL), 2);
    CHECK_HAS(err, "no order named #9999");

    /* usage */
    CHECK_EQ(tote("order", "ship", "#1001", NULL), 2);
    CHECK_HAS(err, "unknown subcommand");
    CHECK_EQ(tote("order", "release", NULL), 2);
    CHECK_EQ(tote("order", "release", "#1001", "--method", "cash", NULL), 2);
    CHECK_HAS(err, "--method is for 'tote order paid'");
    CHECK_EQ(tote("order", "show", "#1001", "--reason", NULL), 2);
}

static void test_customer(void)
{
    REQUIRE_EQ(tote("customer", "show", "ANA@example.com", "--json", NULL), 0);
    cJSON *c = json_out();
    REQUIRE(c);
    CHECK_STR(jstr(c, "name"), "Ana Lopez");
    cJSON *orders = cJSON_GetObjectItem(c, "orders");
    CHECK_EQ(cJSON_GetArraySize(orders), 4);
    cJSON_Delete(c);
    CHECK_EQ(tote("customer", "show", "ana@example.com", NULL), 0);
    CHECK_HAS(out, "4 order(s)");
    CHECK_HAS(out, "#1003");
    CHECK_EQ(tote("customer", "show", "bob@example.com", NULL), 2);
    CHECK_HAS(err, "no customer with e-mail bob@example.com");
    CHECK_EQ(tote("customer", "show", "bob", NULL), 2);
    CHECK_HAS(err, "not an e-mail address");
    CHECK_EQ(tote("customer", "list", NULL), 2);
}

/* Another process holds the write lock for a moment (as `tote serve` does during a transaction): the CLI
 * waits (busy timeout) and then succeeds. */
static void *hold_lock(void *arg)
{
    sqlite3 *h = arg;
    tt_sleep_ms(400);
    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    return NULL;
}

static void test_waits_for_another_writer(void)
{
    sqlite3 *h = NULL;
    REQUIRE_EQ(sqlite3_open(db, &h), SQLITE_OK);
    REQUIRE_EQ(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    pthread_t t;
    REQUIRE_EQ(pthread_create(&t, NULL, hold_lock, h), 0);
    long long t0 = tt_now_ms();
    CHECK_EQ(tote("order", "hold", "#1002", "--reason", "while locked", NULL), 0);
    CHECK_INT(tt_now_ms() - t0, >=, 300);
    pthread_join(t, NULL);
    sqlite3_close(h);
    CHECK_EQ(tote("order", "list", "--status", "on_hold", "--json", NULL), 0);
    cJSON *arr = json_out();
    CHECK_EQ(cJSON_GetArraySize(arr), 1);
    cJSON_Delete(arr);
}

/* The row of `tote` text output whose first word is first, split at runs of spaces into words (at most
 * cap); returns how many. 0 if there is no such row. */
static int row_words(const char *text, const char *first, char words[][64], int cap)
{
    size_t fl = strlen(first);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, first, fl) != 0 || (p[fl] != ' ' && p[fl] != '\n'))
            continue;
        int n = 0;
        const char *q = p;
        while (*q && *q != '\n' && n < cap) {
            while (*q == ' ')
                q++;
            size_t k = 0;
            while (*q && *q != ' ' && *q != '\n') {
                if (k < 63)
                    words[n][k++] = *q;
                q++;
            }
            words[n][k] = '\0';
            if (k)
                n++;
        }
        return n;
    }
    return 0;
}

/* Seeds order name for email, paid, with a shipped line (2 mugs) and a line that is never shipped
 * (3 gift cards), under customer_name and phone (may be NULL). */
static int seed_order(const char *name, const char *email, const char *customer_name, const char *phone,
                      const char *at)
{
    tote_store *s = NULL;
    if (tote_store_open(db, 0, &s, NULL) != TOTE_ST_E_OK)
        return -1;
    tote_order_line_in lines[] = {{"MUG-1", "Mug", 2, 1299, 1}, {"GIFT-25", "Gift card", 3, 2500, 0}};
    tote_order_in o = {0};
    o.name = name;
    o.email = email;
    o.customer_name = customer_name;
    o.phone = phone;
    o.payment_status = "paid";
    o.ship_name = customer_name;
    o.ship_city = "Lyon";
    o.ship_country = "FR";
    o.total_cents = -1;
    o.ordered_at = at;
    o.line_count = 2;
    o.lines = lines;
    int bad = tote_order_upsert(s, &o, "seed", NULL, NULL) != TOTE_ST_E_OK;
    tote_store_destroy(&s);
    return bad ? -1 : 0;
}

/* UNITS (and "units") are the units to pick and ship: a gift card is a line of the order but never picked. */
static void test_units_are_units_to_ship(void)
{
    REQUIRE_EQ(seed_order("#2001", "gift@example.com", "Gil Card", NULL, "2024-04-01T10:00:00Z"), 0);
    REQUIRE_EQ(tote("order", "list", "--json", NULL), 0);
    cJSON *arr = json_out();
    const cJSON *o, *found = NULL;
    cJSON_ArrayForEach(o, arr) if (strcmp(jstr(o, "name"), "#2001") == 0) found = o;
    REQUIRE(found != NULL);
    CHECK_EQ(jnum(found, "lines"), 2);
    CHECK_EQ(jnum(found, "units"), 2);
    cJSON_Delete(arr);
    char w[12][64];
    REQUIRE_EQ(tote("order", "list", NULL), 0);
    /* ORDER STATUS HOLD PAYMENT LINES UNITS ALLOC PICK ORDERED */
    REQUIRE_INT(row_words(out, "#2001", w, 12), >=, 9);
    CHECK_STR(w[4], "2");
    CHECK_STR(w[5], "2");
    REQUIRE_EQ(tote("customer", "show", "gift@example.com", "--json", NULL), 0);
    cJSON *c = json_out();
    CHECK_EQ(jnum(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "orders"), 0), "units"), 2);
    cJSON_Delete(c);
    REQUIRE_EQ(tote("customer", "show", "gift@example.com", NULL), 0);
    /* ORDER STATUS PAYMENT LINES UNITS ORDERED */
    REQUIRE_INT(row_words(out, "#2001", w, 12), >=, 6);
    CHECK_STR(w[3], "2");
    CHECK_STR(w[4], "2");
}

/* A customer is one row per e-mail, renamed by their latest order; an order still shows the name (and
 * phone) it was placed under. */
static void test_order_keeps_its_customer_name(void)
{
    REQUIRE_EQ(seed_order("#2002", "rita@example.com", "Rita Old", "+33 1 11", "2024-04-02T10:00:00Z"), 0);
    REQUIRE_EQ(seed_order("#2003", "rita@example.com", "Rita Nouvelle", "+33 1 22", "2024-04-03T10:00:00Z"),
               0);
    REQUIRE_EQ(tote("order", "show", "#2002", NULL), 0);
    CHECK_HAS(out, "  customer  Rita Old <rita@example.com>  +33 1 11\n");
    REQUIRE_EQ(tote("order", "show", "#2002", "--json", NULL), 0);
    cJSON *o = json_out();
    CHECK_STR(jstr(cJSON_GetObjectItem(o, "customer"), "name"), "Rita Old");
    CHECK_STR(jstr(cJSON_GetObjectItem(o, "customer"), "phone"), "+33 1 11");
    CHECK_STR(jstr(cJSON_GetObjectItem(o, "customer"), "email"), "rita@example.com");
    cJSON_Delete(o);
    REQUIRE_EQ(tote("order", "show", "#2003", NULL), 0);
    CHECK_HAS(out, "  customer  Rita Nouvelle <rita@example.com>  +33 1 22\n");
    /* the customer is who they are now */
    REQUIRE_EQ(tote("customer", "show", "rita@example.com", NULL), 0);
    CHECK_HAS(out, "Rita Nouvelle <rita@example.com>  +33 1 22");
    /* an order that gave no name says so rather than borrowing another order's */
    REQUIRE_EQ(seed_order("#2004", "rita@example.com", NULL, NULL, "2024-04-04T10:00:00Z"), 0);
    REQUIRE_EQ(tote("order", "show", "#2004", NULL), 0);
    CHECK_HAS(out, "  customer  <rita@example.com>\n");
}

/* The character column where word k (0-based; words are split at spaces) of the line starting at line
 * begins, counting UTF-8 characters; -1 if the line has fewer words. */
static int word_col(const char *line, int k)
{
    int col = 0, word = -1, in = 0;
    for (const unsigned char *p = (const unsigned char *)line; *p && *p != '\n'; p++) {
        if (*p == ' ') {
            in = 0;
        } else if (!in) {
            in = 1;
            if (++word == k)
                return col;
        }
        if ((*p & 0xC0) != 0x80)
            col++;
    }
    return -1;
}

/* Characters in the line starting at line. */
static int line_width(const char *line)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)line; *p && *p != '\n'; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

/* Checks the table at the start of text (a title line, then rows up to the count line, "N row(s)", or the
 * end): word k of every row starts where title k does, for each k in cols (-1 ends), and, if same_width,
 * every line is as wide as the title line. Returns the number of rows. */
static int check_table(const char *text, const int *cols, int same_width, int line)
{
    int rows = 0;
    const char *title = text;
    for (const char *p = strchr(text, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
        const char *eol = strchr(p + 1, '\n');
        const char *count = strstr(p + 1, "(s)");
        if (count && (!eol || count < eol))
            break;
        rows++;
        for (const int *k = cols; *k >= 0; k++)
            if (word_col(p + 1, *k) != word_col(title, *k))
                tt_fail_msg(__FILE__, line, "column %d of \"%.*s\" starts at %d, its title at %d", *k,
                            (int)strcspn(p + 1, "\n"), p + 1, word_col(p + 1, *k), word_col(title, *k));
        if (same_width && line_width(p + 1) != line_width(title))
            tt_fail_msg(__FILE__, line, "\"%.*s\" is %d characters wide, its title line %d",
                        (int)strcspn(p + 1, "\n"), p + 1, line_width(p + 1), line_width(title));
    }
    return rows;
}

/* A value longer than a column used to be (a long bin code) widens its column: the columns after it stay in
 * line, in every listing that prints it. */
static void test_long_values_keep_columns_aligned(void)
{
    static const char bin[] = "AISLE-12-BAY-04-LEVEL-3-POS-17";
    REQUIRE_EQ(tote("location", "add", bin, "--zone", "Z1", NULL), 0);
    REQUIRE_EQ(tote("stock", "adjust", "TEA-1", bin, "+1", "--reason", "count", NULL), 0);

    REQUIRE_EQ(tote("stock", "list", NULL), 0);
    CHECK_HAS(out, bin);
    /* BIN SKU LOT EXPIRY ON_HAND RESERVED AVAIL: SKU, LOT and EXPIRY start under their titles, the numbers
     * end under theirs */
    static const int stock_cols[] = {1, 2, 3, -1};
    CHECK_INT(check_table(out, stock_cols, 1, __LINE__), >=, 4);

    REQUIRE_EQ(tote("location", "list", NULL), 0);
    CHECK_HAS(out, bin);
    static const int loc_cols[] = {1, 2, -1}; /* CODE ZONE KIND WALK_SEQ ROWS ON_HAND */
    CHECK_INT(check_table(out, loc_cols, 1, __LINE__), >=, 5);

    REQUIRE_EQ(tote("stock", "moves", "--sku", "TEA-1", NULL), 0);
    CHECK_HAS(out, bin);
    static const int move_cols[] = {1, 3, 4, 5, 6, 7, -1}; /* AT KIND QTY SKU BIN LOT WHO REASON */
    CHECK_INT(check_table(out, move_cols, 0, __LINE__), >=, 2);
}

static void test_teardown(void)
{
    free(out);
    free(err);
    out = err = NULL;
    if (dir)
        CHECK_EQ(tt_rmrf(dir), 0);
    free(dir);
    dir = NULL;
}

TT_MAIN(TT_TEST(test_setup), TT_TEST(test_location), TT_TEST(test_config), TT_TEST(test_stock),
        TT_TEST(test_orders), TT_TEST(test_customer), TT_TEST(test_waits_for_another_writer),
        TT_TEST(test_units_are_units_to_ship), TT_TEST(test_order_keeps_its_customer_name),
        TT_TEST(test_long_values_keep_columns_aligned), TT_TEST(test_teardown))
