/*
 * Soak: many handhelds for a long time against one `tote serve`, with the
 * warehouse fed as it would be — orders imported and waves created through
 * the real CLI while the station runs. Every few seconds the station's RSS,
 * open file descriptors and WAL size are sampled. At the end:
 *
 *  - memory flat: the largest RSS in the last third is within 20 % (plus
 *    4 MiB) of the largest in the first third after warm-up;
 *  - no fd leak: at most 16 more descriptors than after warm-up;
 *  - the WAL bounded: never over 40 MiB (it restarts; station/SERVER.md);
 *  - no errors: no typed ERROR reply, no exactly-once violation, no failed
 *    commit in the station's log, every queue drained;
 *  - the final check (faults.h): every acknowledgement in the database, every
 *    applied request acknowledged, ledger balanced, nothing over-picked.
 *
 * TOTE_SOAK_SECONDS (default 15) and TOTE_SOAK_HANDHELDS (default 200) in CI;
 * `./dev soak` runs 1000 handhelds for an hour (TOTE_SOAK_SECONDS=3600).
 * TOTE_SOAK_THINK_MS: mean time between a handheld's requests (default 1000).
 * Samples go to soak.csv in the test's directory (TOTE_KEEP_TMP=1 keeps it).
 */
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen_shopify.h"
#include "warehouse.h"

#define PRODUCTS 400

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : def;
}

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

static int tote_cli4(fx_station *st, const char *a, const char *b, const char *c, const char *d)
{
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[] = {bin, "--db", st->db, a, b, c, d, NULL};
    char *out = NULL, *err = NULL;
    int rc = tt_run(argv, NULL, NULL, 600000, &out, &err);
    if (rc != 0)
        fprintf(stderr, "soak: tote %s %s: exit %d: %s", a, b ? b : "", rc, err ? err : "");
    free(out);
    free(err);
    return rc;
}

static int tote_cli(fx_station *st, const char *a, const char *b, const char *c)
{
    return tote_cli4(st, a, b, c, NULL);
}

static int gen(const char *path, int kind, long n, long first)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    long rc = kind == 0   ? gen_locations(f, n)
              : kind == 1 ? gen_products(f, n)
              : kind == 2 ? gen_stock(f, n, 10000000)
                          : gen_orders(f, n, 4, PRODUCTS, "S", first, (uint64_t)first);
    return fclose(f) == 0 && rc >= 0 ? 0 : -1;
}

/* Imports `lines` more order lines and waves them, through the CLI. */
static int feed(fx_station *st, long lines, long *next_order)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/feed-%ld.csv", st->dir, *next_order);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    long orders = gen_orders(f, lines, 4, PRODUCTS, "S", *next_order, (uint64_t)*next_order);
    if (fclose(f) != 0 || orders < 0)
        return -1;
    *next_order += orders;
    int rc = tote_cli(st, "import", "shopify-orders", path);
    unlink(path);
    /* one order per pick list: a list for every handheld that asks */
    return rc | tote_cli4(st, "wave", "create", "--totes-per-list", "1");
}

static void test_soak(void)
{
    int seconds = env_int("TOTE_SOAK_SECONDS", 15);
    int handhelds = env_int("TOTE_SOAK_HANDHELDS", 200);
    int think = env_int("TOTE_SOAK_THINK_MS", 1000);
    fprintf(stderr, "soak: %d handhelds for %d s, a request every %d ms each on average\n", handhelds,
            seconds, think);

    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "soak"), 0);
    st.insecure =
        1; /* fault_loadgen and fixture handhelds speak plain text: durability, not authentication */
    char loc[1200], prod[1200], stock[1200];
    snprintf(loc, sizeof loc, "%s/locations.csv", st.dir);
    snprintf(prod, sizeof prod, "%s/products.csv", st.dir);
    snprintf(stock, sizeof stock, "%s/stock.csv", st.dir);
    REQUIRE_EQ(gen(loc, 0, PRODUCTS, 0) | gen(prod, 1, PRODUCTS, 0) | gen(stock, 2, PRODUCTS, 0), 0);
    REQUIRE_EQ(tote_cli(&st, "import", "locations", loc), 0);
    REQUIRE_EQ(tote_cli(&st, "import", "shopify-products", prod), 0);
    REQUIRE_EQ(tote_cli(&st, "import", "stock", stock), 0);
    tote_store *s = fx_store(&st);
    tote_store_setting_set(s, "require_login", "0");
    tote_store_destroy(&s);
    /* about 2.5 units per line and one request per unit or so: enough for the first stretch */
    long per_feed = (long)handhelds * 1000 / (think > 0 ? think : 1) * 10 / 2 + 200;
    long next_order = 1;
    REQUIRE_EQ(feed(&st, per_feed * 2, &next_order), 0);
    REQUIRE_EQ(fa_station_start(&st, NULL, 0), 0);
    pid_t spid = tt_proc_pid(st.proc);

    char log[1200], csv[1200], lg_err[1200], nbuf[16], tbuf[16];
    snprintf(log, sizeof log, "%s/acks.jsonl", st.dir);
    snprintf(csv, sizeof csv, "%s/soak.csv", st.dir);
    snprintf(lg_err, sizeof lg_err, "%s/loadgen.err", st.dir);
    snprintf(nbuf, sizeof nbuf, "%d", handhelds);
    snprintf(tbuf, sizeof tbuf, "%d", think);
    static char lg_bin[4096];
    snprintf(lg_bin, sizeof lg_bin, "%s", fa_bin("fault_loadgen"));
    const char *lg_argv[] = {lg_bin, "--station",
                             st.ep,  "--devices",
                             nbuf,   "--log",
                             log,    "--think-ms",
                             tbuf,   "--timeout-ms",
                             "5000", "--heartbeat-ms",
                             "2000", "--empty-bins",
                             "13",   "--error-rate",
                             "0.02", "--stats",
                             "60",   "--drain-seconds",
                             "120",  NULL};
    tt_proc *lg = fa_spawn(lg_argv, NULL, 0, NULL, lg_err);
    REQUIRE(lg != NULL);

    FILE *samples = fopen(csv, "w");
    REQUIRE(samples != NULL);
    fprintf(samples, "seconds,rss_kb,fds,wal_kb,open_tasks\n");
    long long start = tt_now_ms(), end = start + (long long)seconds * 1000;
    long warm_rss_max = 0, first_rss_max = 0, last_rss_max = 0, warm_fds = -1, max_fds = 0, max_wal_kb = 0;
    long long next_feed = start;
    int sample_ms = seconds >= 600 ? 10000 : 1000;
    double warmup = seconds * 0.15 > 60 ? 60 : seconds * 0.15;
    int feed_failures = 0;
    while (tt_now_ms() < end) {
        long long now = tt_now_ms();
        double t = (double)(now - start) / 1000.0;
        if (now >= next_feed) {
            s = fx_store(&st);
            long long open = s ? fx_q(s,
                                      "SELECT COALESCE(SUM(qty - done - short), 0) FROM pick_task "
                                      "WHERE status = 'open'",
                                      NULL)
                               : 0;
            tote_store_destroy(&s);
            if (open < per_feed)
                feed_failures += feed(&st, per_feed, &next_order) != 0;
            next_feed = now + 5000;
        }
        long rss = status_kb(spid, "VmRSS");
        long fds = fd_count(spid);
        char walp[1200];
        snprintf(walp, sizeof walp, "%s-wal", st.db);
        struct stat wb;
        long wal_kb = stat(walp, &wb) == 0 ? (long)(wb.st_size / 1024) : 0;
        fprintf(samples, "%.1f,%ld,%ld,%ld,\n", t, rss, fds, wal_kb);
        fflush(samples);
        if (wal_kb > max_wal_kb)
            max_wal_kb = wal_kb;
        if (t >= warmup) {
            if (warm_fds < 0)
                warm_fds = fds;
            if (t < warmup + (seconds - warmup) / 3.0 && rss > first_rss_max)
                first_rss_max = rss;
            if (t >= seconds - (seconds - warmup) / 3.0 && rss > last_rss_max)
                last_rss_max = rss;
            if (rss > warm_rss_max)
                warm_rss_max = rss;
            if (fds > max_fds)
                max_fds = fds;
        }
        if (tt_proc_wait(st.proc, 0) != -1 || tt_proc_wait(lg, 0) != -1)
            break;
        tt_sleep_ms(sample_ms);
    }
    fclose(samples);
    CHECK_EQ(tt_proc_wait(st.proc, 0), -1); /* the station is still up */
    tt_proc_kill(lg, SIGTERM);
    CHECK_EQ(tt_proc_wait(lg, 180000), 0);
    tt_proc_stop(&lg);
    long end_fds = fd_count(spid);
    CHECK_EQ(fx_station_stop(&st), 0);

    fa_acks a = {0};
    fa_acks_load(&a, log);
    fprintf(stderr,
            "soak: %zu acknowledgements; station RSS max %ld KiB in the first third, %ld in the last; fds "
            "%ld after "
            "warm-up, %ld max, %ld at the end; WAL at most %ld KiB; %d feed failures\n",
            a.n, first_rss_max, last_rss_max, warm_fds, max_fds, end_fds, max_wal_kb, feed_failures);
    CHECK(a.n > (size_t)handhelds);
    CHECK_EQ(a.violations, 0);
    CHECK_EQ(a.errors, 0);
    CHECK_EQ(a.drained, 1);
    CHECK_EQ(feed_failures, 0);
#if defined(__SANITIZE_ADDRESS__)
    /* ASan keeps freed memory in quarantine (256 MB): RSS grows by design */
    fprintf(stderr, "soak: RSS not judged in a sanitizer build\n");
#else
    CHECK(last_rss_max <= first_rss_max + first_rss_max / 5 + 4096);
#endif
    CHECK(max_fds <= warm_fds + 16);
    /* the WAL restarts: at most its largest bound (32768 frames of 4 KiB +
     * 24 bytes, 129 MiB; station/SERVER.md) plus one transaction past it */
    CHECK(max_wal_kb <= 136 * 1024);
    char *serr = tt_read_file(st.err_path, NULL);
    CHECK(serr == NULL || strstr(serr, "cannot commit") == NULL);
    free(serr);
    CHECK_EQ(fa_check(st.db, &a, FA_FINAL, stderr), 0);
    fa_acks_free(&a);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_soak))
