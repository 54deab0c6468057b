/*
 * Import benchmark: generates a Shopify order export with N line items
 * (default 1,000,000; --lines N), imports the products for its SKUs, then in
 * the same run times
 *   tote import shopify-orders FILE            (grouping, validation, upserts)
 *   sqlite3 DB ".import --csv FILE flat"       (the same file into one flat table)
 * and prints both and their ratio. Goal: tote at least half as fast as
 * sqlite3 .import (ratio <= 2). Exit 0 when the goal is met, 1 otherwise.
 *
 *   bench_import [--lines N] [--skus K] [--keep]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

static const char *const HEADER =
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,"
    "Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,"
    "Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,"
    "Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,"
    "Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing "
    "Phone,"
    "Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,"
    "Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
    "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,"
    "Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,"
    "Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,"
    "Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,"
    "Payment References";

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const CITIES[] = {"Paris", "Lyon", "Berlin", "Milano", "Amsterdam", "Dublin", "Cork"};
static const char *const FIN[] = {"paid", "paid", "paid", "paid", "paid", "paid", "pending", "authorized"};

static int write_products(const char *path, int skus)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fputs(
        "Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Variant SKU,"
        "Variant Grams,Variant Inventory Tracker,Variant Inventory Qty,Variant Inventory Policy,"
        "Variant Fulfillment Service,Variant Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,"
        "Image Src,Variant Weight Unit,Status\n",
        f);
    static const char *const SIZES[] = {"S", "M", "L", "XL"};
    for (int i = 1; i <= skus; i++) {
        int product = (i - 1) / 4 + 1;
        if ((i - 1) % 4 == 0) /* the product's first row: Title, body with quotes and commas, options */
            fprintf(f,
                    "bench-%d,Bench Product %d,\"<p>Strong, light; \"\"bench\"\" grade.</p>\",Bench Co,Goods,"
                    "\"bench, sample\",TRUE,Size,%s,SKU-%05d,%d,shopify,0,deny,manual,%d.%02d,TRUE,TRUE,,"
                    "https://cdn.example.invalid/p%d.jpg,g,active\n",
                    product, product, SIZES[(i - 1) % 4], i, 100 + i % 900, 5 + i % 50, i % 100, product);
        else
            fprintf(f, "bench-%d,,,,,,,,%s,SKU-%05d,%d,shopify,0,deny,manual,%d.%02d,TRUE,TRUE,,,g,active\n",
                    product, SIZES[(i - 1) % 4], i, 100 + i % 900, 5 + i % 50, i % 100);
    }
    return fclose(f);
}

/* The export: 1-4 line items per order, order fields on the first row only. */
static int write_orders(const char *path, long long lines, int skus, long long *orders_out)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    fputs("\xEF\xBB\xBF", f);
    fputs(HEADER, f);
    fputs("\r\n", f);
    long long done = 0, order = 1000;
    while (done < lines) {
        order++;
        int n = 1 + (int)rnd(4);
        const char *fin = FIN[rnd(8)];
        const char *city = CITIES[rnd(7)];
        int day = 1 + (int)(order % 28), hh = (int)(order % 24), mm = (int)(order % 60);
        for (int k = 0; k < n && done < lines; k++, done++) {
            int sku = 1 + (int)rnd((unsigned)skus);
            int qty = 1 + (int)rnd(3);
            if (k == 0) {
                fprintf(
                    f,
                    "#%lld,c%lld@example.com,%s,,unfulfilled,,no,EUR,25.00,4.90,5.00,29.90,,,Standard,"
                    "2024-03-%02d %02d:%02d:00 +0100,%d,Bench Product - M,12.50,,SKU-%05d,true,true,pending,"
                    "Jean Dupont,\"12 rue de la Paix, Apt 3\",\"12 rue de la Paix, Apt 3\",,,%s,'75008,,FR,,"
                    "Jean Dupont,\"12 rue de la Paix, Apt 3\",\"12 rue de la Paix, Apt 3\",,,%s,'75008,,FR,,"
                    ",,,Shopify Payments,,,Bench Co,,,,,%lld,,Low,web,0.00,FR TVA "
                    "20%%,5.00,,,,,,,,,,,,,,,,,\r\n",
                    order, order, fin, day, hh, mm, qty, sku, city, city, 5000000000LL + order);
            } else {
                fprintf(f,
                        "#%lld,,,,,,,,,,,,,,,,%d,Bench Product - "
                        "M,12.50,,SKU-%05d,true,true,pending,,,,,,,,,,,,,,,"
                        ",,,,,,,,,,,,Bench Co,,,,,,,,,0.00,,,,,,,,,,,,,,,,,,,\r\n",
                        order, qty, sku);
            }
        }
    }
    *orders_out = order - 1000;
    return fclose(f);
}

static const char *find_sqlite3(void)
{
    static char buf[4096];
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        const char *c = strchr(path, ':');
        size_t n = c ? (size_t)(c - path) : strlen(path);
        snprintf(buf, sizeof buf, "%.*s/sqlite3", (int)n, path);
        if (access(buf, X_OK) == 0)
            return buf;
        path += n + (c ? 1 : 0);
    }
    return NULL;
}

static double timed(const char *const argv[], const char *const env[], char **out, char **err)
{
    long long t0 = tt_now_ms();
    int rc = tt_run(argv, env, NULL, 3600 * 1000, out, err);
    long long t1 = tt_now_ms();
    if (rc != 0 && rc != 2) {
        fprintf(stderr, "bench_import: %s %s failed (exit %d): %s\n", argv[0], argv[1], rc,
                err && *err ? *err : "");
        return -1;
    }
    return (double)(t1 - t0) / 1000.0;
}

int main(int argc, char **argv)
{
    long long lines = 1000000;
    int skus = 5000, keep = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--lines") == 0 && i + 1 < argc)
            lines = atoll(argv[++i]);
        else if (strcmp(argv[i], "--skus") == 0 && i + 1 < argc)
            skus = atoi(argv[++i]);
        else if (strcmp(argv[i], "--keep") == 0)
            keep = 1;
        else if (strcmp(argv[i], "--quick") == 0) /* ./dev bench --quick */
            lines = 100000;
        else {
            fprintf(stderr, "usage: bench_import [--quick] [--lines N] [--skus K] [--keep]\n");
            return 2;
        }
    }
    if (lines < 1 || skus < 1 || skus > 99999) {
        fprintf(stderr, "bench_import: --lines must be >= 1 and --skus 1..99999\n");
        return 2;
    }
    const char *sqlite3 = find_sqlite3();
    if (!sqlite3) {
        fprintf(stderr, "bench_import: sqlite3 (the command-line shell) is not installed\n");
        return 1;
    }
    char *dir = tt_tmpdir("bench-import");
    if (!dir)
        return 1;
    char products[600], orders[600], db[600], flat[600];
    snprintf(products, sizeof products, "%s/products.csv", dir);
    snprintf(orders, sizeof orders, "%s/orders.csv", dir);
    snprintf(db, sizeof db, "%s/tote.db", dir);
    snprintf(flat, sizeof flat, "%s/flat.db", dir);

    long long norders = 0;
    long long g0 = tt_now_ms();
    if (write_products(products, skus) != 0 || write_orders(orders, lines, skus, &norders) != 0) {
        fprintf(stderr, "bench_import: cannot write the files in %s\n", dir);
        return 1;
    }
    struct stat sb;
    stat(orders, &sb);
    printf("bench_import: %lld line items in %lld orders, %d SKUs, %.1f MB (generated in %.1f s)\n", lines,
           norders, skus, (double)sb.st_size / 1e6, (double)(tt_now_ms() - g0) / 1000.0);

    char tote[4096];
    snprintf(tote, sizeof tote, "%s", tt_bin("tote"));
    const char *init[] = {tote, "--db", db, "init", NULL};
    const char *prod[] = {tote, "--db", db, "import", "shopify-products", products, NULL};
    const char *imp[] = {tote, "--db", db, "import", "shopify-orders", orders, NULL};
    char dot[700];
    snprintf(dot, sizeof dot, ".import --csv %s flat", orders);
    const char *sq[] = {sqlite3, flat, dot, NULL};
    char *out = NULL, *err = NULL;
    int ok = timed(init, NULL, NULL, NULL) >= 0;
    double tp = ok ? timed(prod, NULL, &out, NULL) : -1;
    if (tp >= 0)
        printf("  tote import shopify-products  %7.2f s   %s", tp, out);
    free(out);
    out = NULL;
    double tt = tp >= 0 ? timed(imp, NULL, &out, &err) : -1;
    if (tt >= 0)
        printf("  tote import shopify-orders    %7.2f s   %8.0f lines/s   %s", tt, (double)lines / tt, out);
    free(out);
    free(err);
    out = err = NULL;
    double ts = tt >= 0 ? timed(sq, NULL, &out, &err) : -1;
    if (ts >= 0)
        printf("  sqlite3 .import (flat table)  %7.2f s   %8.0f lines/s\n", ts, (double)lines / ts);
    free(out);
    free(err);
    int rc = 1;
    if (tt > 0 && ts > 0) {
        double ratio = tt / ts;
        printf("  ratio tote/sqlite3: %.2f (goal <= 2.00: at least half the speed of sqlite3 .import): %s\n",
               ratio, ratio <= 2.0 ? "met" : "NOT met");
        rc = ratio <= 2.0 ? 0 : 1;
        /* machine-readable figures for ./dev bench (BENCH.md) */
        printf("RESULT {\"id\":\"import.sqlite3\",\"name\":\"sqlite3 .import (flat table), %lld lines\","
               "\"value\":%.1f,\"unit\":\"lines/s\"}\n",
               lines, (double)lines / ts);
        printf("RESULT {\"id\":\"import.tote\",\"name\":\"tote import shopify-orders, %lld "
               "lines\",\"value\":%.1f,"
               "\"unit\":\"lines/s\",\"better\":\"higher\",\"vs\":[\"import.sqlite3\"]}\n",
               lines, (double)lines / tt);
    }
    if (keep)
        printf("  files kept in %s\n", dir);
    else
        tt_rmrf(dir);
    free(dir);
    return rc;
}
