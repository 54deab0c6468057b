/* Orders: upsert (created/unchanged/updated/locked), payment gate, the lifecycle verbs, cancel releasing
 * reservations, and the ledger invariants after each step. */
#include <sqlite3.h>

#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/customer.h"
#include "tote/orders.h"
#include "tote/stock.h"
#include "tote/store.h"

static char *dir;

static tote_store *fresh(const char *name)
{
    if (!dir)
        dir = tt_tmpdir("orders");
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

static const char *status_of(tote_store *s, const char *name)
{
    return qs(s, "SELECT status FROM orders WHERE name = ?1", name);
}

static const char *hold_of(tote_store *s, const char *name)
{
    return qs(s, "SELECT hold_reason FROM orders WHERE name = ?1", name);
}

/* The ledger balances: stock check finds nothing. */
static long long unbalanced(tote_store *s)
{
    long long bad = -1;
    if (tote_stock_check(s, &bad, stderr) != TOTE_ST_E_OK)
        return -1;
    return bad;
}

static void catalog(tote_store *s)
{
    const char *skus[] = {"MUG-1", "TEA-1"};
    for (int i = 0; i < 2; i++) {
        tote_product_in p = {skus[i], skus[i], NULL, 300, 1, 0, 1000, -1, -1};
        tote_product_upsert(s, &p, NULL, NULL, NULL);
    }
}

static tote_order_line_in lines2[] = {
    {"MUG-1", "Mug", 2, 1299, 1},
    {"TEA-1", "Tea", 1, 499, 1},
};

static tote_order_in order(const char *name, const char *payment)
{
    tote_order_in o = {0};
    o.name = name;
    o.channel = "shopify";
    o.email = "Ana@Example.com";
    o.customer_name = "Ana Lopez";
    o.payment_status = payment;
    o.ship_name = "Ana Lopez";
    o.ship_address1 = "1 Rue de Rivoli";
    o.ship_city = "Paris";
    o.ship_zip = "75001";
    o.ship_country = "FR";
    o.ordered_at = "2024-03-01T10:00:00Z";
    o.total_cents = 3097;
    o.line_count = 2;
    o.lines = lines2;
    return o;
}

static void test_upsert_statuses_and_payment_gate(void)
{
    tote_store *s = fresh("a.db");
    REQUIRE(s);
    catalog(s);
    tote_upsert_result r = 0;
    char *err = NULL;
    tote_order_in o = order("#1001", "paid");
    REQUIRE_EQ(tote_order_upsert(s, &o, "import", &r, &err), TOTE_ST_E_OK);
    CHECK(err == NULL);
    CHECK_EQ(r, TOTE_UPSERT_CREATED);
    CHECK_STR(status_of(s, "#1001"), "released");
    CHECK_EQ(q1(s,
                "SELECT COUNT(*) FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.name = ?1 "
                "AND l.product_id IS NOT NULL",
                "#1001"),
             2);

    o = order("#1002", "pending");
    REQUIRE_EQ(tote_order_upsert(s, &o, "import", &r, NULL), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#1002"), "on_hold");
    CHECK_STR(hold_of(s, "#1002"), "payment");

    o = order("#1003", "Authorized");
    o.cod = 1; /* cash on delivery passes the gate unpaid */
    REQUIRE_EQ(tote_order_upsert(s, &o, "import", &r, NULL), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#1003"), "released");
    CHECK_STR(qs(s, "SELECT payment_status FROM orders WHERE name = ?1", "#1003"), "authorized");

    o = order("#1004", "paid");
    o.cancelled_at = "2024-03-02T09:00:00Z";
    REQUIRE_EQ(tote_order_upsert(s, &o, "import", &r, NULL), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#1004"), "cancelled");

    tote_order_line_in unk[] = {{"NOPE-9", "Mystery", 1, 100, 1}, {"", "Gift card", 1, 2500, 0}};
    o = order("#1005", "paid");
    o.lines = unk;
    REQUIRE_EQ(tote_order_upsert(s, &o, "import", &r, NULL), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#1005"), "on_hold");
    CHECK_STR(hold_of(s, "#1005"), "unknown_sku");
    CHECK_EQ(q1(s,
                "SELECT COUNT(*) FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.name = ?1 "
                "AND l.product_id IS NULL",
                "#1005"),
             2);
    /* a gift card alone (not shippable, no SKU) does not hold the order */
    o = order("#1006", "paid");
    o.lines = unk + 1;
    o.line_count = 1;
    REQUIRE_EQ(tote_order_upsert(s, &o, "import", &r, NULL), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#1006"), "released");

    /* the customer is one, by e-mail (case-folded) */
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM customer", NULL), 1);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM orders WHERE customer_id IS NOT NULL", NULL), 6);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event WHERE kind = 'order.created'", NULL), 6);
    CHECK_EQ(unbalanced(s), 0);
    tote_store_destroy(&s);
}

static void test_upsert_bad_input(void)
{
    tote_store *s = fresh("b.db");
    REQUIRE(s);
    char *err = NULL;
    tote_order_in o = order("", "paid");
    CHECK_EQ(tote_order_upsert(s, &o, NULL, NULL, &err), TOTE_ST_E_INVALID);
    CHECK_HAS(err, "needs a name");
    free(err);
    o = order("#2001", "paid");
    o.line_count = 0;
    CHECK_EQ(tote_order_upsert(s, &o, NULL, NULL, &err), TOTE_ST_E_INVALID);
    CHECK_HAS(err, "no lines");
    free(err);
    tote_order_line_in zero[] = {{"MUG-1", "Mug", 0, 1, 1}};
    o = order("#2001", "paid");
    o.lines = zero;
    o.line_count = 1;
    CHECK_EQ(tote_order_upsert(s, &o, NULL, NULL, &err), TOTE_ST_E_INVALID);
    CHECK_HAS(err, "quantity 0");
    free(err);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM orders", NULL), 0);
    /* a malformed e-mail keeps the order, without a customer */
    o = order("#2002", "paid");
    o.email = "not-an-address";
    CHECK_EQ(tote_order_upsert(s, &o, NULL, NULL, &err), TOTE_ST_E_OK);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM orders WHERE customer_id IS NULL", NULL), 1);
    tote_store_destroy(&s);
}

static void test_upsert_unchanged_updated_locked(void)
{
    tote_store *s = fresh("c.db");
    REQUIRE(s);
    catalog(s);
    tote_upsert_result r = 0;
    tote_order_in o = order("#3001", "pending");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, &r, NULL), TOTE_ST_E_OK);
    long long events = q1(s, "SELECT COUNT(*) FROM event", NULL);
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, &r, NULL), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_UNCHANGED);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event", NULL), events);
    /* paid upstream: updated and released */
    o.payment_status = "paid";
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, &r, NULL), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_UPDATED);
    CHECK_STR(status_of(s, "#3001"), "released");
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event WHERE kind = 'order.released' AND subject = ?1", "#3001"), 1);
    /* fewer lines upstream: the dropped line goes */
    o.line_count = 1;
    o.ship_city = "Lyon";
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, &r, NULL), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_UPDATED);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.name = ?1",
                "#3001"),
             1);
    CHECK_STR(qs(s, "SELECT ship_city FROM orders WHERE name = ?1", "#3001"), "Lyon");
    /* picking: locked, nothing written */
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    sqlite3_exec(tote_store_db(s), "UPDATE orders SET status = 'picking' WHERE name = '#3001'", NULL, NULL,
                 NULL);
    REQUIRE_EQ(tote_store_commit(s), TOTE_ST_E_OK);
    events = q1(s, "SELECT COUNT(*) FROM event", NULL);
    o.ship_city = "Nice";
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, &r, NULL), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_LOCKED);
    CHECK_HAS(tote_st_detail(), "already picking");
    CHECK_STR(qs(s, "SELECT ship_city FROM orders WHERE name = ?1", "#3001"), "Lyon");
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM event", NULL), events);
    tote_store_destroy(&s);
}

/* stock: 10 MUG-1 at A-1, 5 TEA-1 at A-2; reserve the order's lines */
static void stock_and_reserve(tote_store *s, const char *name)
{
    long long a1 = 0, a2 = 0, mug = 0, tea = 0, sm = 0, st = 0;
    tote_location_ensure(s, "A-1", NULL, -1, "test", &a1);
    tote_location_ensure(s, "A-2", NULL, -1, "test", &a2);
    tote_product_find_by_sku(s, "MUG-1", &mug);
    tote_product_find_by_sku(s, "TEA-1", &tea);
    if (tote_stock_find(s, mug, a1, NULL, &sm) != TOTE_ST_E_OK) {
        tote_stock_receive(s, mug, a1, 10, NULL, NULL, "test", "initial");
        tote_stock_receive(s, tea, a2, 5, NULL, NULL, "test", "initial");
        tote_stock_find(s, mug, a1, NULL, &sm);
    }
    tote_stock_find(s, tea, a2, NULL, &st);
    long long l1 = q1(s,
                      "SELECT l.id FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.name = ?1 "
                      "AND l.line_no = 1",
                      name);
    long long l2 = q1(s,
                      "SELECT l.id FROM order_line l JOIN orders o ON o.id = l.order_id WHERE o.name = ?1 "
                      "AND l.line_no = 2",
                      name);
    CHECK_EQ(tote_stock_reserve(s, sm, l1, 2, NULL), TOTE_ST_E_OK);
    CHECK_EQ(tote_stock_reserve(s, st, l2, 1, NULL), TOTE_ST_E_OK);
    long long oid = 0;
    tote_order_find(s, name, &oid, NULL);
    CHECK_EQ(tote_order_set_status(s, oid, TOTE_ORDER_ALLOCATED, "waves", NULL, NULL, NULL), TOTE_ST_E_OK);
}

static void test_cancel_releases_reservations(void)
{
    tote_store *s = fresh("d.db");
    REQUIRE(s);
    catalog(s);
    tote_order_in o = order("#4001", "paid");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    stock_and_reserve(s, "#4001");
    CHECK_STR(status_of(s, "#4001"), "allocated");
    CHECK_EQ(q1(s, "SELECT SUM(reserved) FROM stock", NULL), 3);
    CHECK_EQ(q1(s, "SELECT SUM(allocated) FROM order_line", NULL), 3);
    CHECK_EQ(unbalanced(s), 0);
    /* an open pick task on one allocation */
    REQUIRE_EQ(
        sqlite3_exec(tote_store_db(s),
                     "INSERT INTO wave(created_at) VALUES ('x');"
                     "INSERT INTO pick_list(wave_id, created_at) VALUES (1, 'x');"
                     "INSERT INTO pick_task(pick_list_id, seq, allocation_id, order_line_id, stock_id, qty) "
                     "SELECT 1, 1, a.id, a.order_line_id, a.stock_id, a.qty FROM allocation a LIMIT 1;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    char *err = NULL;
    REQUIRE_EQ(tote_order_cancel(s, "#4001", "sup", "console-1", "customer asked", &err), TOTE_ST_E_OK);
    CHECK(err == NULL);
    CHECK_STR(status_of(s, "#4001"), "cancelled");
    CHECK_EQ(q1(s, "SELECT SUM(reserved) FROM stock", NULL), 0);
    CHECK_EQ(q1(s, "SELECT SUM(allocated) FROM order_line", NULL), 0);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM allocation WHERE status = 'cancelled'", NULL), 2);
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM pick_task WHERE status = 'cancelled'", NULL), 1);
    CHECK_EQ(q1(s, "SELECT SUM(on_hand) FROM stock", NULL), 15);
    CHECK_EQ(unbalanced(s), 0);
    CHECK_STR(qs(s, "SELECT detail FROM event WHERE kind = 'order.cancelled'", NULL),
              "{\"reason\":\"customer asked\",\"reservations_released\":3,\"pick_tasks_cancelled\":1,"
              "\"from\":\"allocated\"}");
    CHECK_STR(qs(s, "SELECT actor || '/' || device FROM event WHERE kind = 'order.cancelled'", NULL),
              "sup/console-1");
    /* twice: refused */
    CHECK_EQ(tote_order_cancel(s, "#4001", NULL, NULL, NULL, &err), TOTE_ST_E_STATE);
    CHECK_HAS(err, "already cancelled");
    free(err);
    tote_store_destroy(&s);
}

static void test_cancel_refused_once_shipped(void)
{
    tote_store *s = fresh("e.db");
    REQUIRE(s);
    catalog(s);
    tote_order_in o = order("#5001", "paid");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    sqlite3_exec(tote_store_db(s), "UPDATE orders SET status = 'shipped'", NULL, NULL, NULL);
    char *err = NULL;
    CHECK_EQ(tote_order_cancel(s, "#5001", NULL, NULL, NULL, &err), TOTE_ST_E_STATE);
    CHECK_HAS(err, "shipped order cannot be cancelled");
    free(err);
    CHECK_STR(status_of(s, "#5001"), "shipped");
    CHECK_EQ(tote_order_cancel(s, "#nope", NULL, NULL, NULL, &err), TOTE_ST_E_NOT_FOUND);
    CHECK_HAS(err, "no order named #nope");
    free(err);
    tote_store_destroy(&s);
}

static void test_release_hold_paid(void)
{
    tote_store *s = fresh("f.db");
    REQUIRE(s);
    catalog(s);
    tote_order_in o = order("#6001", "pending");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    char *err = NULL;
    /* the payment gate */
    CHECK_EQ(tote_order_release(s, "#6001", "sup", NULL, NULL, &err), TOTE_ST_E_STATE);
    CHECK_HAS(err, "is not paid");
    CHECK_HAS(err, "tote order paid #6001");
    free(err);
    CHECK_STR(status_of(s, "#6001"), "on_hold");
    /* a manual hold over the payment hold: paying no longer releases it */
    REQUIRE_EQ(tote_order_hold(s, "#6001", "sup", NULL, "address check", &err), TOTE_ST_E_OK);
    CHECK_STR(hold_of(s, "#6001"), "manual");
    CHECK_EQ(tote_order_hold(s, "#6001", "sup", NULL, NULL, &err), TOTE_ST_E_STATE);
    CHECK_HAS(err, "already on hold");
    free(err);
    REQUIRE_EQ(tote_order_paid(s, "#6001", "bank transfer", "sup", NULL, &err), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#6001"), "on_hold");
    CHECK_STR(qs(s, "SELECT payment_status || '/' || payment_method FROM orders WHERE name = ?1", "#6001"),
              "paid/bank transfer");
    CHECK_EQ(tote_order_paid(s, "#6001", NULL, "sup", NULL, &err), TOTE_ST_E_STATE);
    CHECK_HAS(err, "already paid");
    free(err);
    REQUIRE_EQ(tote_order_release(s, "#6001", "sup", NULL, NULL, &err), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#6001"), "released");
    CHECK_STR(hold_of(s, "#6001"), "(null)");
    CHECK_EQ(tote_order_release(s, "#6001", "sup", NULL, NULL, &err), TOTE_ST_E_STATE);
    CHECK_HAS(err, "nothing to release");
    free(err);

    /* payment-held order: paid releases it */
    o = order("#6002", "pending");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_order_paid(s, "#6002", NULL, "sup", NULL, &err), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#6002"), "released");
    /* a later re-import that still says pending does not undo the recorded payment */
    o.ship_city = "Lille";
    tote_upsert_result r = 0;
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, &r, NULL), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_UPDATED);
    CHECK_STR(status_of(s, "#6002"), "released");

    /* unknown SKU: paid, but held until the product exists */
    tote_order_line_in unk[] = {{"LATE-1", "Late", 1, 100, 1}};
    o = order("#6003", "pending");
    o.lines = unk;
    o.line_count = 1;
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_order_paid(s, "#6003", NULL, NULL, NULL, &err), TOTE_ST_E_OK);
    CHECK_STR(hold_of(s, "#6003"), "unknown_sku");
    CHECK_EQ(tote_order_release(s, "#6003", NULL, NULL, NULL, &err), TOTE_ST_E_STATE);
    CHECK_HAS(err, "not in the catalog");
    free(err);
    tote_product_in p = {"LATE-1", "Late", NULL, 10, 1, 0, -1, -1, -1};
    REQUIRE_EQ(tote_product_upsert(s, &p, NULL, NULL, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_order_release(s, "#6003", NULL, NULL, NULL, &err), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#6003"), "released");
    CHECK_EQ(q1(s, "SELECT COUNT(*) FROM order_line WHERE product_id IS NULL", NULL), 0);

    /* cancelled: no payment, no release */
    REQUIRE_EQ(tote_order_cancel(s, "#6003", NULL, NULL, NULL, &err), TOTE_ST_E_OK);
    CHECK_EQ(tote_order_paid(s, "#6003", NULL, NULL, NULL, &err), TOTE_ST_E_STATE);
    free(err);
    CHECK_EQ(tote_order_hold(s, "#6003", NULL, NULL, NULL, &err), TOTE_ST_E_STATE);
    free(err);
    tote_store_destroy(&s);
}

static void test_hold_gives_back_reservations_and_release_resumes(void)
{
    tote_store *s = fresh("g.db");
    REQUIRE(s);
    catalog(s);
    tote_order_in o = order("#7001", "paid");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    stock_and_reserve(s, "#7001");
    char *err = NULL;
    REQUIRE_EQ(tote_order_hold(s, "#7001", NULL, NULL, NULL, &err), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#7001"), "on_hold");
    CHECK_EQ(q1(s, "SELECT SUM(reserved) FROM stock", NULL), 0); /* a held order does not sit on stock */
    CHECK_EQ(q1(s, "SELECT SUM(allocated) FROM order_line", NULL), 0);
    CHECK_EQ(unbalanced(s), 0);
    CHECK_STR(qs(s, "SELECT detail FROM event WHERE kind = 'order.on_hold'", NULL),
              "{\"reservations_released\":3,\"from\":\"allocated\",\"hold_reason\":\"manual\"}");
    REQUIRE_EQ(tote_order_release(s, "#7001", NULL, NULL, NULL, &err), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#7001"), "released"); /* the next allocation run reserves again */
    CHECK_EQ(unbalanced(s), 0);

    /* held after picking began: the picked units stay counted, the order resumes where it was */
    o = order("#7002", "paid");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(sqlite3_exec(tote_store_db(s),
                            "UPDATE order_line SET picked = ordered WHERE order_id = "
                            "(SELECT id FROM orders WHERE name = '#7002');"
                            "UPDATE orders SET status = 'picked' WHERE name = '#7002'",
                            NULL, NULL, NULL),
               SQLITE_OK);
    REQUIRE_EQ(tote_order_hold(s, "#7002", NULL, NULL, NULL, &err), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_order_release(s, "#7002", NULL, NULL, NULL, &err), TOTE_ST_E_OK);
    CHECK_STR(status_of(s, "#7002"), "picked");
    tote_store_destroy(&s);
}

static void test_update_of_allocated_order_releases_reservations(void)
{
    tote_store *s = fresh("h.db");
    REQUIRE(s);
    catalog(s);
    tote_order_in o = order("#8001", "paid");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    stock_and_reserve(s, "#8001");
    tote_order_line_in more[] = {{"MUG-1", "Mug", 3, 1299, 1}, {"TEA-1", "Tea", 1, 499, 1}};
    o.lines = more;
    tote_upsert_result r = 0;
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, &r, NULL), TOTE_ST_E_OK);
    CHECK_EQ(r, TOTE_UPSERT_UPDATED);
    CHECK_STR(status_of(s, "#8001"), "released");
    CHECK_EQ(q1(s, "SELECT SUM(reserved) FROM stock", NULL), 0);
    CHECK_EQ(q1(s, "SELECT SUM(allocated) FROM order_line", NULL), 0);
    CHECK_EQ(q1(s, "SELECT ordered FROM order_line WHERE line_no = 1", NULL), 3);
    CHECK_EQ(unbalanced(s), 0);
    tote_store_destroy(&s);
}

static void test_transition_table(void)
{
    CHECK(tote_order_transition_allowed(TOTE_ORDER_RELEASED, TOTE_ORDER_ALLOCATED));
    CHECK(tote_order_transition_allowed(TOTE_ORDER_PACKED, TOTE_ORDER_SHIPPED));
    CHECK(!tote_order_transition_allowed(TOTE_ORDER_SHIPPED, TOTE_ORDER_CANCELLED));
    CHECK(!tote_order_transition_allowed(TOTE_ORDER_CANCELLED, TOTE_ORDER_RELEASED));
    CHECK(!tote_order_transition_allowed(TOTE_ORDER_ON_HOLD, TOTE_ORDER_SHIPPED));
    CHECK(!tote_order_transition_allowed(TOTE_ORDER_RELEASED, TOTE_ORDER_PICKING));
    /* on_hold and cancelled from every state before shipped */
    for (int st = TOTE_ORDER_RECEIVED; st < TOTE_ORDER_SHIPPED; st++) {
        CHECK(tote_order_transition_allowed((tote_order_status)st, TOTE_ORDER_CANCELLED));
        if (st != TOTE_ORDER_ON_HOLD)
            CHECK(tote_order_transition_allowed((tote_order_status)st, TOTE_ORDER_ON_HOLD));
    }
    tote_order_status st;
    CHECK_EQ(tote_order_status_parse("on_hold", &st), 0);
    CHECK_EQ(st, TOTE_ORDER_ON_HOLD);
    CHECK_EQ(tote_order_status_parse("bogus", &st), -1);
    CHECK_STR(tote_order_status_name(TOTE_ORDER_PACKING), "packing");

    tote_store *s = fresh("i.db");
    REQUIRE(s);
    catalog(s);
    tote_order_in o = order("#9001", "paid");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    long long id = 0;
    REQUIRE_EQ(tote_order_find(s, "#9001", &id, &st), TOTE_ST_E_OK);
    CHECK_EQ(st, TOTE_ORDER_RELEASED);
    char *err = NULL;
    CHECK_EQ(tote_order_set_status(s, id, TOTE_ORDER_SHIPPED, NULL, NULL, NULL, &err), TOTE_ST_E_STATE);
    CHECK_HAS(err, "cannot go from released to shipped");
    free(err);
    CHECK_EQ(tote_order_set_status(s, id, TOTE_ORDER_ALLOCATED, "w", "dev", "{\"wave\":3}", &err),
             TOTE_ST_E_OK);
    CHECK_STR(qs(s, "SELECT detail FROM event WHERE kind = 'order.allocated'", NULL),
              "{\"wave\":3,\"from\":\"released\"}");
    tote_store_destroy(&s);
}

static void test_customer_history(void)
{
    tote_store *s = fresh("j.db");
    REQUIRE(s);
    catalog(s);
    tote_order_in o = order("#1101", "paid");
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    o = order("#1102", "pending");
    o.ordered_at = "2024-04-01T10:00:00Z";
    o.phone = "+33 1 23 45 67 89";
    REQUIRE_EQ(tote_order_upsert(s, &o, NULL, NULL, NULL), TOTE_ST_E_OK);
    cJSON *c = NULL;
    REQUIRE_EQ(tote_customer_show_json(s, " ana@EXAMPLE.com ", &c), TOTE_ST_E_OK);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(c, "email")), "ana@example.com");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(c, "phone")), "+33 1 23 45 67 89");
    cJSON *orders = cJSON_GetObjectItem(c, "orders");
    REQUIRE_EQ(cJSON_GetArraySize(orders), 2);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(orders, 0), "name")), "#1102");
    CHECK_EQ(cJSON_GetNumberValue(cJSON_GetObjectItem(cJSON_GetArrayItem(orders, 1), "units")), 3);
    cJSON_Delete(c);
    CHECK_EQ(tote_customer_show_json(s, "bob@example.com", &c), TOTE_ST_E_NOT_FOUND);
    CHECK(c == NULL);
    CHECK_EQ(tote_customer_show_json(s, "bob", &c), TOTE_ST_E_INVALID);
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

TT_MAIN(TT_TEST(test_upsert_statuses_and_payment_gate), TT_TEST(test_upsert_bad_input),
        TT_TEST(test_upsert_unchanged_updated_locked), TT_TEST(test_cancel_releases_reservations),
        TT_TEST(test_cancel_refused_once_shipped), TT_TEST(test_release_hold_paid),
        TT_TEST(test_hold_gives_back_reservations_and_release_resumes),
        TT_TEST(test_update_of_allocated_order_releases_reservations), TT_TEST(test_transition_table),
        TT_TEST(test_customer_history), TT_TEST(test_teardown))
