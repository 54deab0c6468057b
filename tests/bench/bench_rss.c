/*
 * bench_rss: the station's memory with 1M order lines and 1000 handhelds.
 *
 * The database is filled through the real import (`tote import` of
 * generated Shopify exports: products, bins, stock, 1M order lines), then
 * `tote serve` runs on it and fault_loadgen connects 1000 DEALERs that say
 * HELLO and send heartbeats. The station's VmRSS (/proc/PID/status) is read
 * idle and with all 1000 connected; the limits beside it are the idle RSS and
 * the database size (the station keeps no domain state in memory).
 *
 *   bench_rss [--quick] [--lines N] [--handhelds N] [--seconds S]
 *
 * --quick: 50k order lines. Prints human lines and RESULT lines (BENCH.md).
 */
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../faults/gen_shopify.h"
#include "support.h"

static long status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':')
            v = atol(line + kl + 1);
    fclose(f);
    return v;
}

static long fd_count(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static long long query_int(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    long long v = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(h, 2000);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return v;
}

static int gen_file(const char *path, int kind, long n, long products)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    long rc = kind == 0   ? gen_locations(f, n)
              : kind == 1 ? gen_products(f, n)
              : kind == 2 ? gen_stock(f, n, 1000000)
                          : gen_orders(f, n, 6, products, "R", 1, 42);
    return fclose(f) == 0 && rc >= 0 ? 0 : -1;
}

static int tote(const char *db, const char *a, const char *b, const char *c)
{
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[] = {bin, "--db", db, a, b, c, NULL};
    char *out = NULL, *err = NULL;
    int rc = tt_run(argv, NULL, NULL, 3600 * 1000, &out, &err);
    if (rc != 0)
        fprintf(stderr, "bench_rss: tote %s %s: %s", a, b ? b : "", err ? err : "");
    free(out);
    free(err);
    return rc;
}

static void result(const char *id, const char *name, double value, const char *unit, const char *better,
                   const char *vs)
{
    printf("RESULT {\"id\":\"%s\",\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\"", id, name, value, unit);
    if (better)
        printf(",\"better\":\"%s\"", better);
    if (vs)
        printf(",\"vs\":[%s]", vs);
    printf("}\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    long lines = 1000000, handhelds = 1000, products = 20000;
    double seconds = 20;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            lines = 50000;
            products = 5000;
            seconds = 8;
        } else if (strcmp(argv[i], "--lines") == 0 && i + 1 < argc) {
            lines = atol(argv[++i]);
        } else if (strcmp(argv[i], "--handhelds") == 0 && i + 1 < argc) {
            handhelds = atol(argv[++i]);
        } else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench_rss [--quick] [--lines N] [--handhelds N] [--seconds S]\n");
            return 2;
        }
    }
    char *dir = tt_tmpdir("bench-rss");
    if (!dir)
        return 1;
    char db[1024], loc[1100], prod[1100], stock[1100], orders[1100], log[1100];
    snprintf(db, sizeof db, "%s/tote.db", dir);
    snprintf(loc, sizeof loc, "%s/locations.csv", dir);
    snprintf(prod, sizeof prod, "%s/products.csv", dir);
    snprintf(stock, sizeof stock, "%s/stock.csv", dir);
    snprintf(orders, sizeof orders, "%s/orders.csv", dir);
    snprintf(log, sizeof log, "%s/loadgen.jsonl", dir);
    int rc = 1;
    tt_proc *srv = NULL, *lg = NULL;

    printf("station RSS: %ld order lines (generated Shopify export, through tote import), %ld handhelds\n",
           lines, handhelds);
    fflush(stdout);
    if (gen_file(loc, 0, products, products) || gen_file(prod, 1, products, products) ||
        gen_file(stock, 2, products, products) || gen_file(orders, 3, lines, products))
        goto out;
    long long t0 = tt_now_ms();
    if (tote(db, "init", NULL, NULL) || tote(db, "import", "locations", loc) ||
        tote(db, "import", "shopify-products", prod) || tote(db, "import", "stock", stock))
        goto out;
    long long t1 = tt_now_ms();
    if (tote(db, "import", "shopify-orders", orders))
        goto out;
    long long t2 = tt_now_ms();
    long long have = query_int(db, "SELECT COUNT(*) FROM order_line");
    struct stat sb;
    stat(db, &sb);
    printf("imported %lld order lines in %.1f s (catalog and stock %.1f s); database %.0f MB\n", have,
           (double)(t2 - t1) / 1000.0, (double)(t1 - t0) / 1000.0, (double)sb.st_size / 1048576.0);
    fflush(stdout);
    if (have != lines) {
        fprintf(stderr, "bench_rss: expected %ld order lines, the database has %lld\n", lines, have);
        goto out;
    }

    int port = tt_free_port(), pub = tt_free_port();
    char ep[64], pub_ep[64], err_path[1100];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    snprintf(pub_ep, sizeof pub_ep, "tcp://127.0.0.1:%d", pub);
    snprintf(err_path, sizeof err_path, "%s/serve.err", dir);
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    /* plain text: fault_loadgen's DEALERs do not speak CURVE (1000 CURVE handshakes would be another bench)
     */
    const char *sargv[] = {bin, "--db", db, "serve", "--listen", ep, "--events", pub_ep, "--insecure", NULL};
    srv = tt_spawn(sargv, NULL, 0, NULL, err_path);
    if (!srv || tt_wait_port(port, 10000) != 0)
        goto out;
    pid_t spid = tt_proc_pid(srv);
    tt_sleep_ms(1000);
    long idle = status_kb(spid, "VmRSS");
    long idle_fds = fd_count(spid);
    printf("tote serve idle: VmRSS %ld KiB, %ld fds\n", idle, idle_fds);
    fflush(stdout);

    char lgbin[4200], nbuf[32], dur[32];
    snprintf(lgbin, sizeof lgbin, "%s/tests/faults/fault_loadgen", TOTE_BUILD_DIR);
    snprintf(nbuf, sizeof nbuf, "%ld", handhelds);
    snprintf(dur, sizeof dur, "%.0f", seconds + 30);
    const char *largv[] = {
        lgbin, "--station",      ep,     "--devices",    nbuf,    "--connect-only", "--log",
        log,   "--heartbeat-ms", "2000", "--timeout-ms", "10000", "--duration",     dur,
        NULL};
    lg = tt_spawn(largv, NULL, 0, NULL, NULL);
    if (!lg)
        goto out;
    /* wait until every handheld said hello, then watch for the measuring period */
    long long deadline = tt_now_ms() + 60000;
    long long hellos = 0;
    while (tt_now_ms() < deadline) {
        hellos = query_int(db, "SELECT COUNT(*) FROM device");
        if (hellos >= handhelds)
            break;
        tt_sleep_ms(500);
    }
    if (hellos < handhelds) {
        fprintf(stderr, "bench_rss: only %lld of %ld handhelds said hello\n", hellos, handhelds);
        goto out;
    }
    long max_rss = 0, max_fds = 0, last = 0;
    long long end = tt_now_ms() + (long long)(seconds * 1000);
    while (tt_now_ms() < end) {
        last = status_kb(spid, "VmRSS");
        long fds = fd_count(spid);
        if (last > max_rss)
            max_rss = last;
        if (fds > max_fds)
            max_fds = fds;
        tt_sleep_ms(250);
    }
    long hwm = status_kb(spid, "VmHWM");
    printf("tote serve with %ld handhelds (hello + heartbeats every 2 s) for %.0f s: VmRSS %ld KiB (max %ld, "
           "VmHWM %ld), %ld fds\n",
           handhelds, seconds, last, max_rss, hwm, max_fds);
    fflush(stdout);

    char name[200];
    result("rss.db_size", "database file with the order lines", (double)sb.st_size / 1024.0, "KiB", NULL,
           NULL);
    snprintf(name, sizeof name, "station RSS, %ld order lines, idle", lines);
    result("rss.idle", name, (double)idle, "KiB", "lower", NULL);
    snprintf(name, sizeof name, "station RSS, %ld order lines, %ld handhelds", lines, handhelds);
    result("rss.handhelds", name, (double)max_rss, "KiB", "lower", "\"rss.idle\",\"rss.db_size\"");
    result("rss.per_handheld", "station RSS per connected handheld",
           (double)(max_rss - idle) / (double)handhelds, "KiB", "lower", NULL);
    snprintf(name, sizeof name, "station file descriptors, %ld handhelds", handhelds);
    result("rss.fds", name, (double)max_fds, "fds", "lower", NULL);
    snprintf(name, sizeof name, "tote import of %ld Shopify order lines (seconds)", lines);
    result("rss.import_seconds", name, (double)(t2 - t1) / 1000.0, "s", "lower", NULL);
    rc = 0;
out:
    if (lg) {
        tt_proc_kill(lg, SIGTERM);
        tt_proc_wait(lg, 30000);
        tt_proc_stop(&lg);
    }
    if (srv)
        tt_proc_stop(&srv);
    if (!getenv("TOTE_KEEP_TMP"))
        tt_rmrf(dir);
    free(dir);
    return rc;
}
