/* The new-order path of tote_order_upsert() inside a caller's transaction
 * (how imports call it): no savepoint is opened, so a failure after the
 * first write must take back everything of that order and leave the rest of
 * the batch intact. */
#include <sqlite3.h>

#include "support.h"
#include "test.h"
#include "tote/customer.h"
#include "tote/orders.h"
#include "tote/store.h"

static char *dir;

static tote_store *fresh(const char *name)
{
    if (!dir)
        dir = tt_tmpdir("order-insert");
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    tote_store *s = NULL;
    if (tote_store_open(p, TOTE_STORE_CREATE, &s, NULL) != TOTE_ST_E_OK)
        return NULL;
    return s;
}

static long long q1(tote_store *s, const char *sql, const char *arg)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) == SQLITE_OK) {
        if (arg)
            sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

static char textbuf[256];
static const char *qs(tote_store *s, const char *sql, const char *arg)
{
    sqlite3_stmt *st = NULL;
    snprintf(textbuf, sizeof textbuf, "(none)");
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) == SQLITE_OK) {
        if (arg)
            sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(textbuf, sizeof textbuf, "%s", t ? (const char *)t : "(null)");
        }
    }
    sqlite3_finalize(st);
    return textbuf;
}

static tote_st_err put(tote_store *s, const char *name, const char *email, const char *cust, char **err)
{
    tote_order_line_in lines[2] = {
        {.sku = "SKU-1", .name = "One", .qty = 2, .price_cents = 500, .requires_shipping = 1},
        {.sku = "SKU-2", .name = "Two", .qty = 1, .price_cents = -1, .requires_shipping = 1}};
    tote_order_in o = {.name = name,
                       .email = email,
                       .customer_name = cust,
                       .payment_status = "paid",
                       .total_cents = 1000,
                       .line_count = 2,
                       .lines = lines};
    tote_upsert_result r = 0;
    return tote_order_upsert(s, &o, "import", &r, err);
}

/* The second line of '#FAIL' is refused by a trigger (a constraint failure, INVALID, after the
 * customer, the order row and its first line were written): all of it is taken back. */
static void test_failure_after_writes_is_taken_back(void)
{
    tote_store *s = fresh("undo.db");
    REQUIRE(s != NULL);
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    REQUIRE_EQ(
        sqlite3_exec(tote_store_db(s),
                     "CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.order_line WHEN NEW.line_no = 2 AND "
                     "(SELECT name FROM main.orders WHERE id = NEW.order_id) = '#FAIL' "
                     "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    REQUIRE_EQ(put(s, "#1", "ann@example.com", "Ann", NULL), TOTE_ST_E_OK);
    char *err = NULL;
    /* an existing customer renamed, and a new one: both undone */
    CHECK_EQ(put(s, "#FAIL", "ann@example.com", "Ann Other", &err), TOTE_ST_E_INVALID);
    CHECK_HAS(err ? err : "", "refused by the test");
    free(err);
    err = NULL;
    CHECK_EQ(put(s, "#FAIL", "bob@example.com", "Bob", &err), TOTE_ST_E_INVALID);
    free(err);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM orders WHERE name = ?1", "#FAIL"), 0);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM order_line", NULL), 2);
    CHECK_STR(qs(s, "SELECT name FROM customer WHERE email = ?1", "ann@example.com"), "Ann");
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM customer WHERE email = ?1", "bob@example.com"), 0);
    /* the batch goes on */
    CHECK_EQ(put(s, "#2", "bob@example.com", "Bob", NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_store_commit(s), TOTE_ST_E_OK);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM orders", NULL), 2);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM order_line", NULL), 4);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event WHERE kind = 'order.created' AND actor = 'import'", NULL), 2);
    CHECK_STR(qs(s, "SELECT status FROM orders WHERE name = ?1", "#2"),
              "on_hold"); /* SKUs not in the catalog */
    CHECK_STR(qs(s, "SELECT hold_reason FROM orders WHERE name = ?1", "#2"), "unknown_sku");
    CHECK_STR(qs(s, "SELECT detail FROM event WHERE subject = ?1", "#2"),
              "{\"status\":\"on_hold\",\"hold_reason\":\"unknown_sku\",\"lines\":2,\"unknown_skus\":2}");
    tote_store_destroy(&s);
}

/* tote_customer_ensure inside a transaction: a SELECT first, a write only when something changes. */
static void test_customer_ensure_writes_only_changes(void)
{
    tote_store *s = fresh("cust.db");
    REQUIRE(s != NULL);
    long long a = 0, b = 0;
    REQUIRE_EQ(tote_customer_ensure(s, " Ann@Example.com ", "Ann", NULL, &a), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    int before = sqlite3_total_changes(tote_store_db(s));
    CHECK_EQ(tote_customer_ensure(s, "ann@example.com", "Ann", NULL, &b), TOTE_ST_E_OK);
    CHECK_EQ(b, a);
    CHECK_EQ(sqlite3_total_changes(tote_store_db(s)), before);
    CHECK_EQ(tote_customer_ensure(s, "ann@example.com", NULL, "+33 1", &b), TOTE_ST_E_OK);
    CHECK_EQ(b, a);
    CHECK_EQ(sqlite3_total_changes(tote_store_db(s)), before + 1);
    REQUIRE_EQ(tote_store_commit(s), TOTE_ST_E_OK);
    CHECK_STR(qs(s, "SELECT name || '/' || phone FROM customer WHERE id = 1", NULL), "Ann/+33 1");
    CHECK_EQ(tote_customer_ensure(s, "nobody", "X", NULL, &b), TOTE_ST_E_INVALID);
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

TT_MAIN(TT_TEST(test_failure_after_writes_is_taken_back), TT_TEST(test_customer_ensure_writes_only_changes),
        TT_TEST(test_teardown))
