/*
 * `tote import` of orders end to end (Shopify order exports, orders-json,
 * and what every import shares: re-imports, summaries, progress, the
 * actor): the real binary on a temp database with the files of
 * tests/data/import/, checked through `tote order show --json`. Bad and
 * awkward input (every bad input has its test) and usage errors:
 * test_cli_import_bad.c. Products, stock and locations:
 * test_cli_import_catalog.c.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_import_fixture.h"
#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/import.h"
#include "tote/store.h"

static void test_shopify_orders_every_quirk(void)
{
    REQUIRE_EQ(fresh("quirks"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(import("shopify-orders", "orders.csv", &out, &err), 0); /* BOM + CRLF */
    CHECK_HAS(out, "13 orders (15 lines): 12 created, 0 updated, 0 unchanged, 0 locked; 4 held, 1 cancelled, "
                   "1 skipped (fulfilled upstream); 0 rejected");
    CHECK_STR(err, "");
    free(out);
    free(err);

    cJSON *o = order("#1001"); /* paid, two lines, quoted commas, quotes and newlines, 'zip */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "released");
    CHECK_STR(str(o, "ordered_at"), "2024-03-01T09:22:11.000Z");
    CHECK_STR(str(o, "shipping.zip"), "75008");
    CHECK_STR(str(o, "shipping.address1"), "12 rue de la Paix, Apt 3");
    CHECK_STR(str(o, "shipping.company"), "Durand & Fils");
    CHECK_STR(str(o, "shipping.phone"), "+33 1 23 45 67 89");
    CHECK_STR(str(o, "shipping.name"), "Am\xC3\xA9lie Durand");
    CHECK_STR(str(o, "payment.method"), "Shopify Payments");
    CHECK_EQ(num(o, "payment.total_cents"), 5480);
    CHECK_EQ(num(o, "payment.cod"), 0);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "lines")), 2);
    CHECK_STR(str(line(o, 0), "sku"), "TS-RED-M");
    CHECK_EQ(num(line(o, 0), "ordered"), 2);
    CHECK_EQ(num(line(o, 0), "price_cents"), 1990);
    CHECK_STR(str(line(o, 1), "sku"), "TOTE-CANVAS");
    cJSON_Delete(o);

    o = order("#1002"); /* pending: held for payment */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "on_hold");
    CHECK_STR(str(o, "hold_reason"), "payment");
    cJSON_Delete(o);
    o = order("#1003"); /* authorized: held */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "hold_reason"), "payment");
    CHECK_STR(str(o, "payment.status"), "authorized");
    cJSON_Delete(o);
    o = order("#1013"); /* partially_paid: held */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "hold_reason"), "payment");
    cJSON_Delete(o);
    o = order("#1004"); /* Cancelled at */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "cancelled");
    cJSON_Delete(o);
    o = order("#1005"); /* pending but cash on delivery: releasable */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "released");
    CHECK_EQ(num(o, "payment.cod"), 1);
    CHECK_STR(str(o, "payment.method"), "Cash on Delivery (COD)");
    CHECK_STR(str(o, "shipping.zip"), "69002");
    cJSON_Delete(o);
    o = order("#1006"); /* the gift card does not ship */
    REQUIRE(o != NULL);
    CHECK_STR(str(line(o, 0), "sku"), "GIFT-25");
    CHECK_EQ(num(line(o, 0), "requires_shipping"), 0);
    CHECK_EQ(num(line(o, 1), "requires_shipping"), 1);
    cJSON_Delete(o);
    o = order("#1007"); /* tag rush */
    REQUIRE(o != NULL);
    CHECK_EQ(num(o, "rush"), 1);
    CHECK_EQ(num(o, "pickup"), 0);
    cJSON_Delete(o);
    o = order("#1008"); /* Local Pickup */
    REQUIRE(o != NULL);
    CHECK_EQ(num(o, "pickup"), 1);
    cJSON_Delete(o);
    o = order("#1009"); /* out of stock: imported and released all the same */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "released");
    CHECK_STR(str(line(o, 0), "sku"), "COF-1000");
    cJSON_Delete(o);
    o = order("#1010"); /* rows not next to each other */
    REQUIRE(o != NULL);
    REQUIRE_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "lines")), 2);
    CHECK_STR(str(line(o, 0), "sku"), "TS-RED-S");
    CHECK_STR(str(line(o, 1), "sku"), "TS-RED-M");
    cJSON_Delete(o);
    o = order("#1012"); /* unknown SKU */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "hold_reason"), "unknown_sku");
    cJSON_Delete(o);
    CHECK(order("#1011") == NULL); /* fulfilled upstream */

    /* nothing reserved or moved by an import */
    char *stock = NULL;
    REQUIRE_EQ(tote(&stock, NULL, "stock", "list", "--json", NULL, NULL), 0);
    cJSON *s = cJSON_Parse(stock);
    free(stock);
    REQUIRE(s != NULL);
    long long units = 0, reserved = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, s)
    {
        units += num(row, "on_hand");
        reserved += num(row, "reserved");
        CHECK(strcmp(str(row, "sku") ? str(row, "sku") : "", "COF-1000") != 0);
    }
    CHECK_EQ(units, 64);
    CHECK_EQ(reserved, 0);
    cJSON_Delete(s);
}

static void test_lf_without_bom_reads_the_same(void)
{
    REQUIRE_EQ(fresh("lf"), 0);
    REQUIRE_EQ(morning(), 0);
    size_t n = 0;
    char *text = tt_read_file(data("orders.csv"), &n);
    REQUIRE(text != NULL);
    REQUIRE(n > 3 && (unsigned char)text[0] == 0xEF);
    /* drop the BOM and every CR */
    size_t k = 0;
    for (size_t i = 3; i < n; i++)
        if (text[i] != '\r')
            text[k++] = text[i];
    char path[700];
    snprintf(path, sizeof path, "%s/orders-lf.csv", dir);
    REQUIRE_EQ(tt_write_file(path, text, k), 0);
    free(text);
    char *out = NULL;
    CHECK_EQ(tote(&out, NULL, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "13 orders (15 lines): 12 created");
    free(out);
    cJSON *o = order("#1001");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "shipping.zip"), "75008");
    CHECK_STR(str(o, "ordered_at"), "2024-03-01T09:22:11.000Z");
    cJSON_Delete(o);
}

static void test_reimport_changes_nothing_and_says_so(void)
{
    REQUIRE_EQ(fresh("again"), 0);
    REQUIRE_EQ(morning(), 0);
    REQUIRE_EQ(import("shopify-orders", "orders.csv", NULL, NULL), 0);
    cJSON *before = order("#1001");
    char *out = NULL;
    CHECK_EQ(import("shopify-orders", "orders.csv", &out, NULL), 0);
    CHECK_HAS(out, "was already imported at");
    CHECK_HAS(out, "nothing changed");
    free(out);
    out = NULL;
    CHECK_EQ(tote(&out, NULL, "import", "shopify-orders", data("orders.csv"), "--force", "--json"), 0);
    cJSON *j = cJSON_Parse(out);
    free(out);
    REQUIRE(j != NULL);
    CHECK_EQ(num(j, "unchanged"), 12);
    CHECK_EQ(num(j, "created"), 0);
    CHECK_EQ(num(j, "updated"), 0);
    CHECK_EQ(num(j, "already_imported"), 0);
    cJSON_Delete(j);
    cJSON *after = order("#1001");
    REQUIRE(before && after);
    CHECK_STR(str(after, "updated_at"), str(before, "updated_at"));
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(after, "events")),
             cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(before, "events")));
    cJSON_Delete(before);
    cJSON_Delete(after);
    /* stock is a ledger: the same stock file again would receive twice, so it is refused */
    out = NULL;
    CHECK_EQ(import("stock", "stock.csv", &out, NULL), 0);
    CHECK_HAS(out, "already imported");
    free(out);
}

/* The file's SHA-256 is computed beside the import: a large file is being
 * read when its hash turns out to be in import_log. The second import then
 * writes nothing and reports none of the problems it met on the way. */
static void test_large_reimport_stops_and_reports_nothing(void)
{
    REQUIRE_EQ(fresh("bigagain"), 0);
    REQUIRE_EQ(morning(), 0);
    size_t len = 0;
    char *bad = tt_read_file(data("orders_bad.csv"), &len);
    REQUIRE(bad != NULL);
    const char *row = strstr(bad, "\n#2001,"); /* a good one-line order */
    REQUIRE(row != NULL);
    row += 7;
    size_t row_len = (size_t)(strchr(row, '\n') - row) + 1;
    enum { EXTRA = 30000 };
    size_t cap = len + EXTRA * (row_len + 16);
    char *big = malloc(cap);
    REQUIRE(big != NULL);
    memcpy(big, bad, len);
    size_t n = len;
    if (big[n - 1] != '\n')
        big[n++] = '\n';
    for (int i = 0; i < EXTRA; i++) {
        n += (size_t)snprintf(big + n, cap - n, "#B%05d,", i);
        memcpy(big + n, row, row_len);
        n += row_len;
    }
    char path[700];
    snprintf(path, sizeof path, "%s/big_orders.csv", dir);
    REQUIRE_EQ(tt_write_file(path, big, n), 0);
    free(big);
    free(bad);

    /* the hash comes 2 s late: the problems met before it are held, then shown */
    setenv("TOTE_TEST_HASH_DELAY_MS", "2000", 1);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 2);
    CHECK_HAS(out, "30002 created");
    CHECK_HAS(out, "5 rejected");
    CHECK_HAS(err, "big_orders.csv:5: rejected: order #2003: Lineitem quantity 'two' is not a whole number");
    free(out);
    free(err);
    long long events = db_count("SELECT COUNT(*) FROM event");
    long long orders = db_count("SELECT COUNT(*) FROM orders");
    CHECK(events > 30000);

    out = err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, "--json", NULL), 0);
    cJSON *j = cJSON_Parse(out);
    REQUIRE(j != NULL);
    CHECK_EQ(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "already_imported")), 1);
    CHECK_EQ(num(j, "created"), 0);
    CHECK_EQ(num(j, "unchanged"), 0);
    CHECK_EQ(num(j, "rejected"), 0);
    CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "problems")), 0);
    cJSON_Delete(j);
    free(out);
    free(err);
    out = err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 0);
    CHECK_HAS(out, "already imported");
    CHECK(err == NULL || strstr(err, "rejected") == NULL); /* the problems of a file already imported */
    free(out);
    free(err);
    unsetenv("TOTE_TEST_HASH_DELAY_MS");
    CHECK_EQ(db_count("SELECT COUNT(*) FROM event"), events);
    CHECK_EQ(db_count("SELECT COUNT(*) FROM orders"), orders);
    CHECK_EQ(db_count("SELECT COUNT(*) FROM import_log WHERE kind = 'shopify-orders'"), 1);

    /* stock receipts would count twice: nothing of the second pass may be
     * committed while the hash is still being computed (here it comes 3 s
     * late, when the import has been through many of its 250 ms slices) */
    snprintf(path, sizeof path, "%s/big_stock.csv", dir);
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    fprintf(f, "sku,bin,qty,lot,expiry\n");
    for (int i = 0; i < 20000; i++)
        fprintf(f, "TOTE-CANVAS,B-01,1,L%06d,2030-01-01\n", i);
    fclose(f);
    out = NULL;
    CHECK_EQ(tote(&out, NULL, "import", "stock", path, NULL, NULL), 0);
    free(out);
    long long moves = db_count("SELECT COUNT(*) FROM stock_move");
    long long on_hand = db_count("SELECT SUM(on_hand) FROM stock");
    out = NULL;
    setenv("TOTE_TEST_HASH_DELAY_MS", "3000", 1);
    long long t0 = tt_now_ms();
    CHECK_EQ(tote(&out, NULL, "import", "stock", path, NULL, NULL), 0);
    long long took = tt_now_ms() - t0;
    unsetenv("TOTE_TEST_HASH_DELAY_MS");
    CHECK_HAS(out, "already imported");
    CHECK(took >= 3000); /* the hash did come late */
    free(out);
    CHECK_EQ(db_count("SELECT COUNT(*) FROM stock_move"), moves);
    CHECK_EQ(db_count("SELECT SUM(on_hand) FROM stock"), on_hand);
}

static void test_changed_upstream_is_updated(void)
{
    REQUIRE_EQ(fresh("changed"), 0);
    REQUIRE_EQ(morning(), 0);
    REQUIRE_EQ(import("shopify-orders", "orders.csv", NULL, NULL), 0);
    char *out = NULL;
    CHECK_EQ(import("shopify-orders", "orders_changed.csv", &out, NULL), 0);
    CHECK_HAS(out, "2 updated, 10 unchanged, 0 locked");
    free(out);
    cJSON *o = order("#1001");
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "shipping.address1"), "14 rue de la Paix");
    cJSON_Delete(o);
    o = order("#1002"); /* paid since: released */
    REQUIRE(o != NULL);
    CHECK_STR(str(o, "status"), "released");
    cJSON_Delete(o);
}

static void test_json_summary(void)
{
    REQUIRE_EQ(fresh("json"), 0);
    REQUIRE_EQ(morning(), 0);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", data("orders_bad.csv"), "--json", NULL), 2);
    CHECK_STR(err, ""); /* with --json the problems are in the object */
    cJSON *j = cJSON_Parse(out);
    REQUIRE(j != NULL);
    CHECK_STR(str(j, "kind"), "shopify-orders");
    CHECK_EQ(num(j, "created"), 2);
    CHECK_EQ(num(j, "rejected"), 5);
    CHECK_EQ(strlen(str(j, "sha256")), 64);
    const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "problems"), 0);
    CHECK_EQ(num(p, "line"), 4);
    CHECK_STR(str(p, "subject"), "#2002");
    CHECK_STR(str(p, "severity"), "rejected");
    cJSON_Delete(j);
    free(out);
    free(err);
}

/* A file of more than 1 MB: orders #5000.. with three lines each. */
static int write_big_orders(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(
        "Name,Email,Financial Status,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,"
        "Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Notes\n",
        f);
    for (int i = 0; i < 2600; i++)
        for (int k = 0; k < 3; k++)
            fprintf(
                f,
                "#%d,%s,%s,%s,1,Canvas Tote Bag,15.00,TOTE-CANVAS,Big Buyer,\"1 Long Road, Unit %d\",Paris,"
                "'75001,FR,\"%s\"\n",
                5000 + i, k ? "" : "big@example.com", k ? "" : "paid", k ? "" : "2024-03-01 10:00:00 +0100",
                i,
                "a note long enough to make the file large: lorem ipsum dolor sit amet, consectetur "
                "adipiscing "
                "elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua");
    return fclose(f);
}

static void test_progress_bar_only_on_a_terminal(void)
{
    REQUIRE_EQ(fresh("progress"), 0);
    REQUIRE_EQ(import("shopify-products", "products.csv", NULL, NULL), 0);
    char path[700];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    REQUIRE_EQ(write_big_orders(path), 0);
    /* stderr to a pipe: no bar */
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, "--force", NULL), 0);
    CHECK_HAS(out, "2600 orders (7800 lines): 2600 created");
    CHECK_STR(err, "");
    free(out);
    free(err);
    /* stderr on a terminal: a bar, cleared at the end */
    int master, slave;
    REQUIRE_EQ(openpty(&master, &slave, NULL, NULL, NULL), 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(slave, 2);
        close(master);
        execl(tt_bin("tote"), "tote", "--db", db, "import", "shopify-orders", path, "--force", (char *)NULL);
        _exit(127);
    }
    close(slave);
    char buf[65536];
    size_t n = 0;
    for (;;) {
        struct pollfd p = {.fd = master, .events = POLLIN};
        if (poll(&p, 1, 60000) <= 0)
            break;
        ssize_t got = read(master, buf + n, sizeof buf - 1 - n);
        if (got <= 0)
            break; /* EIO once the child has gone */
        n += (size_t)got;
        if (n >= sizeof buf - 1)
            n = 0; /* keep reading; the end is what matters */
    }
    buf[n] = '\0';
    close(master);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_HAS(buf, "importing ");
    CHECK_HAS(buf, "%");
    CHECK_HAS(buf, "records");
    CHECK(n >= 4 && strcmp(buf + n - 4, "\r\033[K") == 0);
}

static void test_concatenated_export_rejected(void)
{
    REQUIRE_EQ(fresh("concat"), 0);
    REQUIRE_EQ(morning(), 0);
    size_t n = 0;
    char *text = tt_read_file(data("orders.csv"), &n);
    REQUIRE(text != NULL);
    const char *body = strstr(text, "\r\n") + 2; /* the rows without the header */
    size_t blen = n - (size_t)(body - text);
    char *twice = malloc(n + blen);
    REQUIRE(twice != NULL);
    memcpy(twice, text, n);
    memcpy(twice + n, body, blen);
    char path[700];
    snprintf(path, sizeof path, "%s/twice.csv", dir);
    REQUIRE_EQ(tt_write_file(path, twice, n + blen), 0);
    free(text);
    free(twice);
    char *out = NULL, *err = NULL;
    CHECK_EQ(tote(&out, &err, "import", "shopify-orders", path, NULL, NULL), 2);
    CHECK_HAS(out, "0 created");
    CHECK_HAS(err, "rejected: order #1001: its order fields appear twice (lines 2 and 19)");
    free(out);
    free(err);
    CHECK(order("#1001") == NULL);
}

static void test_actor_recorded(void)
{
    REQUIRE_EQ(fresh("actor"), 0);
    REQUIRE_EQ(morning(), 0);
    CHECK_EQ(tote(NULL, NULL, "import", "orders-json", data("orders.json"), "--actor", "alice"), 2);
    cJSON *o = order("POS-77");
    REQUIRE(o != NULL);
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "events"), 0);
    CHECK_STR(str(ev, "actor"), "alice");
    CHECK_STR(str(ev, "kind"), "order.created");
    cJSON_Delete(o);
    char *err = NULL;
    CHECK_EQ(tote(NULL, &err, "import", "orders-json", data("orders.json"), "--actor", NULL), 2);
    CHECK_HAS(err, "--actor needs a name");
    free(err);
}

TT_MAIN(TT_TEST(test_shopify_orders_every_quirk), TT_TEST(test_lf_without_bom_reads_the_same),
        TT_TEST(test_reimport_changes_nothing_and_says_so),
        TT_TEST(test_large_reimport_stops_and_reports_nothing), TT_TEST(test_changed_upstream_is_updated),
        TT_TEST(test_json_summary), TT_TEST(test_progress_bar_only_on_a_terminal),
        TT_TEST(test_concatenated_export_rejected), TT_TEST(test_actor_recorded))
