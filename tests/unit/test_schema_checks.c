/*
 * Migrations 3 and 4: the status CHECKs of orders, allocation, pick_task,
 * pick_list, wave and package, and stock_move's kind, become OR chains (same rule, no ephemeral IN table per
 * row). An old (version 2) database upgrades with its rows kept, and the rule still refuses a bad status.
 * Migration 7: orders keep the customer's name and phone as the order gave them; a version 6 database's
 * orders get their customer's.
 */
#include <sqlite3.h>
#include <string.h>

#include "support.h"
#include "test.h"
#include "tote/store.h"

/* private to the store (station/src/schema.h) */
extern const char *const tote_schema_migrations[];
extern const int tote_schema_migration_count;

static char *dir;

static const char *const TABLES[] = {"orders", "allocation", "pick_task", "pick_list", "wave"};

/* A database as Tote made it before migration 3, with one order. */
static int make_v2(const char *path)
{
    sqlite3 *db = NULL;
    int ok = sqlite3_open(path, &db) == SQLITE_OK &&
             sqlite3_exec(db, tote_schema_migrations[0], NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(db, tote_schema_migrations[1], NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_exec(db,
                          "PRAGMA user_version = 2; INSERT INTO orders(name, status, ordered_at, created_at, "
                          "updated_at) VALUES ('#1001', 'released', 'x', 'x', 'x');",
                          NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(db);
    return ok ? 0 : -1;
}

static long long count(tote_store *s, const char *sql, const char *arg)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return -1;
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    long long n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return n;
}

/* 1 if the statement's program builds an ephemeral table (an IN list). */
static int uses_ephemeral(tote_store *s, const char *sql)
{
    char buf[512];
    snprintf(buf, sizeof buf, "EXPLAIN %s", sql);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tote_store_db(s), buf, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int found = 0;
    while (sqlite3_step(st) == SQLITE_ROW)
        if (strcmp((const char *)sqlite3_column_text(st, 1), "OpenEphemeral") == 0)
            found = 1;
    sqlite3_finalize(st);
    return found;
}

static void check_upgraded(tote_store *s)
{
    CHECK_EQ(count(s, "PRAGMA user_version", NULL), tote_schema_migration_count);
    for (size_t i = 0; i < sizeof TABLES / sizeof TABLES[0]; i++) {
        CHECK_EQ(count(s, "SELECT COUNT(*) FROM sqlite_schema WHERE name = ?1 AND sql LIKE '%status IN (%'",
                       TABLES[i]),
                 0);
        CHECK_EQ(count(s, "SELECT COUNT(*) FROM sqlite_schema WHERE name = ?1 AND sql LIKE '%status = ''%'",
                       TABLES[i]),
                 1);
    }
    CHECK_EQ(uses_ephemeral(s, "INSERT INTO allocation(order_line_id, stock_id, qty) VALUES (1, 1, 1)"), 0);
    CHECK_EQ(uses_ephemeral(s, "UPDATE orders SET status = 'allocated' WHERE id = 1"), 0);
    /* migration 4: what a pick and a pack write per scan */
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM sqlite_schema WHERE name = ?1 AND sql LIKE '%kind IN (%'",
                   "stock_move"),
             0);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM sqlite_schema WHERE name = ?1 AND sql LIKE '%status IN (%'",
                   "package"),
             0);
    CHECK_EQ(uses_ephemeral(s, "INSERT INTO stock_move(stock_id, kind, qty, at) VALUES (1, 'pick', -1, 'x')"),
             0);
    CHECK_EQ(uses_ephemeral(s, "UPDATE package SET status = 'closed' WHERE id = 1"), 0);
}

static void test_old_database_upgrades(void)
{
    char p[512];
    snprintf(p, sizeof p, "%s/v2.db", dir);
    REQUIRE_EQ(make_v2(p), 0);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(p, 0, &s, NULL), TOTE_ST_E_OK);
    check_upgraded(s);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM orders WHERE name = ?1 AND status = 'released'", "#1001"), 1);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'", NULL), 1);
    tote_store_destroy(&s);
    /* a second open (a fresh connection) reads the new rule from the file */
    REQUIRE_EQ(tote_store_open(p, 0, &s, NULL), TOTE_ST_E_OK);
    check_upgraded(s);
    tote_store_destroy(&s);
}

static void test_rule_still_refuses_bad_status(void)
{
    char p[512];
    snprintf(p, sizeof p, "%s/new.db", dir);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(p, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    check_upgraded(s);
    sqlite3 *db = tote_store_db(s);
    static const char *const good[] = {"received", "on_hold", "released", "allocated", "picking",  "picked",
                                       "packing",  "packed",  "shipped",  "delivered", "cancelled"};
    char sql[256];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO orders(name, status, ordered_at, created_at, updated_at) VALUES ('#%zu', '%s', "
                 "'x', 'x', 'x')",
                 i, good[i]);
        CHECK_EQ(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    }
    CHECK_EQ(sqlite3_exec(db,
                          "INSERT INTO orders(name, status, ordered_at, created_at, updated_at) VALUES "
                          "('#bad', 'lost', 'x', 'x', 'x')",
                          NULL, NULL, NULL),
             SQLITE_CONSTRAINT_CHECK);
    CHECK_EQ(sqlite3_exec(db, "UPDATE orders SET status = 'Released' WHERE name = '#2'", NULL, NULL, NULL),
             SQLITE_CONSTRAINT_CHECK);
    CHECK_EQ(
        sqlite3_exec(db, "INSERT INTO wave(status, created_at) VALUES ('leased', 'x')", NULL, NULL, NULL),
        SQLITE_CONSTRAINT_CHECK);
    CHECK_EQ(
        sqlite3_exec(db, "INSERT INTO wave(status, created_at) VALUES ('picking', 'x')", NULL, NULL, NULL),
        SQLITE_OK);
    CHECK_EQ(sqlite3_exec(db, "INSERT INTO pick_list(wave_id, status, created_at) VALUES (1, 'picking', 'x')",
                          NULL, NULL, NULL),
             SQLITE_CONSTRAINT_CHECK);
    CHECK_EQ(sqlite3_exec(db, "INSERT INTO pick_list(wave_id, status, created_at) VALUES (1, 'leased', 'x')",
                          NULL, NULL, NULL),
             SQLITE_OK);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM orders", NULL), 11);
    /* stock_move.kind keeps its rule */
    CHECK_EQ(sqlite3_exec(
                 db,
                 "INSERT INTO location(code, walk_seq) VALUES ('A-01', 1); INSERT INTO product(sku, name, "
                 "created_at, updated_at) VALUES ('S', 'S', 'x', 'x'); INSERT INTO stock(location_id, "
                 "product_id) VALUES (1, 1)",
                 NULL, NULL, NULL),
             SQLITE_OK);
    CHECK_EQ(sqlite3_exec(db, "INSERT INTO stock_move(stock_id, kind, qty, at) VALUES (1, 'pick', 1, 'x')",
                          NULL, NULL, NULL),
             SQLITE_OK);
    CHECK_EQ(sqlite3_exec(db, "INSERT INTO stock_move(stock_id, kind, qty, at) VALUES (1, 'theft', 1, 'x')",
                          NULL, NULL, NULL),
             SQLITE_CONSTRAINT_CHECK);
    tote_store_destroy(&s);
}

/* A database as Tote made it before migration 7: a customer with two orders, and an order without one. */
static int make_v6(const char *path)
{
    sqlite3 *db = NULL;
    int ok = sqlite3_open(path, &db) == SQLITE_OK;
    for (int i = 0; ok && i < 6; i++)
        ok = sqlite3_exec(db, tote_schema_migrations[i], NULL, NULL, NULL) == SQLITE_OK;
    ok = ok &&
         sqlite3_exec(db,
                      "PRAGMA user_version = 6; INSERT INTO customer(id, email, name, phone, created_at) "
                      "VALUES (7, 'ana@example.com', 'Ana Lopez', '+34 1', 'x'); "
                      "INSERT INTO orders(name, customer_id, status, ordered_at, created_at, updated_at) "
                      "VALUES ('#1', 7, 'released', 'x', 'x', 'x'), ('#2', 7, 'shipped', 'x', 'x', 'x'), "
                      "('#3', NULL, 'released', 'x', 'x', 'x');",
                      NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(db);
    return ok ? 0 : -1;
}

static void test_v6_orders_get_their_customer_name(void)
{
    char p[512];
    snprintf(p, sizeof p, "%s/v6.db", dir);
    REQUIRE_EQ(make_v6(p), 0);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(p, 0, &s, NULL), TOTE_ST_E_OK);
    CHECK_EQ(count(s, "PRAGMA user_version", NULL), tote_schema_migration_count);
    CHECK_INT(tote_schema_migration_count, >=, 7);
    CHECK_EQ(
        count(s,
              "SELECT COUNT(*) FROM orders WHERE customer_name = 'Ana Lopez' AND customer_phone = '+34 1' "
              "AND name = ?1",
              "#1"),
        1);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM orders WHERE customer_name = 'Ana Lopez' AND name = ?1", "#2"),
             1);
    CHECK_EQ(count(s,
                   "SELECT COUNT(*) FROM orders WHERE customer_name IS NULL AND customer_phone IS NULL AND "
                   "name = ?1",
                   "#3"),
             1);
    /* renaming the customer now leaves the orders as they were */
    CHECK_EQ(sqlite3_exec(tote_store_db(s), "UPDATE customer SET name = 'Ana Martin' WHERE id = 7", NULL,
                          NULL, NULL),
             SQLITE_OK);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM orders WHERE customer_name = ?1", "Ana Lopez"), 2);
    CHECK_EQ(count(s, "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'", NULL), 1);
    tote_store_destroy(&s);
}

static void test_setup(void)
{
    dir = tt_tmpdir("schema-checks");
    REQUIRE(dir != NULL);
}

static void test_teardown(void)
{
    if (dir)
        tt_rmrf(dir);
    free(dir);
    dir = NULL;
}

TT_MAIN(TT_TEST(test_setup), TT_TEST(test_old_database_upgrades), TT_TEST(test_rule_still_refuses_bad_status),
        TT_TEST(test_v6_orders_get_their_customer_name), TT_TEST(test_teardown))
