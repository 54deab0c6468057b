/*
 * bench_wave [LINES...]  (default: 10000 100000, three runs each, medians
 *                         printed; --quick: 2000 20000, one run each)
 *
 * For each size, builds a warehouse database with LINES open order lines
 * (5 lines per order, 2,000 products in 4,000 bins, rush/pickup/priority/
 * ship_by spread over the orders; bulk SQL, not timed), then times on the
 * real store file (synchronous=FULL, as shipped):
 *   create   `tote wave create` as the CLI runs it: allocation of every
 *            released order, then the wave (tote_wave_create), which takes
 *            the allocation's choices in memory when it can (wave.h
 *            "planned": here every order is released and untouched);
 *   alloc    allocation alone (tote_alloc_released), on a second copy;
 *   wave     the wave alone over the orders allocated just before
 *            (tote_wave_create with no_allocate).
 *   floor    in the same run, the rows a wave writes (an allocation and a
 *            task per line, the line's update, per order its update and
 *            two events) inserted flat into one table without an index,
 *            one prepared statement, one commit, synchronous=FULL: what
 *            this machine takes at the moment to write that much at all.
 * Prints the figures and the growth from the first size to the last (for
 * linear growth it equals the size ratio), and wave create over the floor,
 * a ratio that holds when a shared machine is slow for a while. Goal: a
 * wave over 100,000 lines in under a second.
 *
 * TOTE_BENCH_TRACE=1: after each run, the time of every SQL statement in all
 * (the checks after the run included), then those that took more than 5 ms
 * in all, with their total wall time and how often they ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support.h"
#include "tote/alloc.h"
#include "tote/wave.h"

#define LINES_PER_ORDER 5
#define PRODUCTS 2000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* CPU time of this process: on a shared machine the wall time also counts
 * other processes' turns on the cores. */
static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int exec_sql(tote_store *s, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(tote_store_db(s), sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "bench_wave: %s\n", err ? err : "sql error");
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

struct agg {
    const char *sql;
    double ms;
    long n;
    int sorts; /* sorter runs (SQLITE_STMTSTATUS_SORT) */
    long long
        vm; /* virtual machine steps (SQLITE_STMTSTATUS_VM_STEP): work that does not move with the load */
};
static struct agg aggs[256];
static int naggs;
static int trace_cb(unsigned t, void *c, void *p, void *x)
{
    (void)c;
    if (t == SQLITE_TRACE_PROFILE) {
        long long ns = *(long long *)x;
        const char *sql = sqlite3_sql((sqlite3_stmt *)p);
        int i;
        for (i = 0; i < naggs && aggs[i].sql != sql; i++)
            ;
        if (i == naggs && naggs < 256)
            aggs[naggs++].sql = sql;
        if (i < 256) {
            aggs[i].ms += ns / 1e6;
            aggs[i].n++;
            aggs[i].sorts = sqlite3_stmt_status((sqlite3_stmt *)p, SQLITE_STMTSTATUS_SORT, 0);
            aggs[i].vm += sqlite3_stmt_status((sqlite3_stmt *)p, SQLITE_STMTSTATUS_VM_STEP, 1);
        }
    }
    return 0;
}
static void trace_dump(void)
{
    double total = 0;
    for (int i = 0; i < naggs; i++)
        total += aggs[i].ms;
    /* SQLite times a statement in whole ms (from its first step to its reset):
       short ones round to 0 or 1, so only sums over many runs mean much */
    fprintf(stderr,
            "  %8.1f ms in all, %d statements (those over 5 ms or sorting below; VM steps in thousands)\n",
            total, naggs);
    for (int i = 0; i < naggs; i++)
        if (aggs[i].ms > 5 || aggs[i].sorts > 0)
            fprintf(stderr, "  %8.1f ms %7ld x %6d sorts %8lld k  %.100s\n", aggs[i].ms, aggs[i].n,
                    aggs[i].sorts, aggs[i].vm / 1000, aggs[i].sql);
    naggs = 0;
    memset(aggs, 0, sizeof aggs);
    fprintf(stderr, "----\n");
}

/* Bulk-fills a fresh store with `lines` open lines in released orders. */
static int fill(tote_store *s, long long lines)
{
    long long orders = lines / LINES_PER_ORDER;
    char sql[4096];
    snprintf(
        sql, sizeof sql,
        "BEGIN;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
        "INSERT INTO product(id, sku, name, lot_tracked, reorder_point, reorder_qty, created_at, updated_at) "
        "SELECT i, printf('SKU%%06d', i), 'Product ' || i, i %% 2, 10, 100, '2024-03-01T00:00:00.000Z', "
        "'2024-03-01T00:00:00.000Z' FROM n;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
        "INSERT INTO location(id, code, zone, walk_seq, kind) "
        "SELECT i, printf('B-%%05d', i), 'Z' || (i %% 8), (i * 7919) %% 100003, 'bin' FROM n;"
        /* two bins per product; lot-tracked products get an expiry per bin */
        "INSERT INTO stock(id, location_id, product_id, lot, expiry, on_hand) "
        "SELECT p.id * 2 - b.k, p.id * 2 - b.k, p.id, CASE WHEN p.lot_tracked THEN 'L' || b.k ELSE '' END, "
        "CASE WHEN p.lot_tracked THEN printf('2025-%%02d-01', 1 + (p.id + b.k) %% 12) END, 100000 "
        "FROM product p, (SELECT 0 AS k UNION ALL SELECT 1) b;"
        "INSERT INTO stock_move(stock_id, kind, qty, actor, reason, at) "
        "SELECT id, 'receipt', on_hand, 'bench', 'bench stock', '2024-03-01T00:00:00.000Z' FROM stock;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %lld) "
        "INSERT INTO orders(id, name, status, payment_status, rush, pickup, priority, ship_by, ordered_at, "
        "created_at, updated_at) SELECT i, printf('#%%07d', i), 'released', 'paid', i %% 50 = 0, i %% 97 = "
        "0, "
        "i %% 3, CASE WHEN i %% 4 = 0 THEN NULL ELSE printf('2024-03-%%02d', 2 + i %% 7) END, "
        "printf('2024-02-%%02dT%%02d:%%02d:00Z', 1 + i %% 28, i %% 24, i %% 60), "
        "'2024-03-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z' FROM n;"
        "WITH RECURSIVE k(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM k WHERE j < %d) "
        "INSERT INTO order_line(order_id, line_no, product_id, sku, name, ordered) "
        "SELECT o.id, k.j, p.id, p.sku, p.name, 1 + (o.id + k.j) %% 3 FROM orders o, k "
        "JOIN product p ON p.id = 1 + (o.id * 31 + k.j * 17) %% %d;"
        "COMMIT;",
        PRODUCTS, PRODUCTS * 2, orders, LINES_PER_ORDER, PRODUCTS);
    return exec_sql(s, sql);
}

static tote_store *build(const char *dir, const char *name, long long lines)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    setenv("TOTE_SYNC", "normal", 1); /* building is not what is measured */
    tote_store *s = NULL;
    if (tote_store_open(path, TOTE_STORE_CREATE, &s, NULL) != TOTE_ST_E_OK || fill(s, lines) != 0 ||
        exec_sql(s, "ANALYZE") != 0) {
        tote_store_destroy(&s);
        return NULL;
    }
    tote_store_destroy(&s);
    unsetenv("TOTE_SYNC"); /* measured as shipped: synchronous=FULL */
    if (tote_store_open(path, 0, &s, NULL) != TOTE_ST_E_OK)
        return NULL;
    if (getenv("TOTE_BENCH_TRACE"))
        sqlite3_trace_v2(tote_store_db(s), SQLITE_TRACE_PROFILE, trace_cb, NULL);
    return s;
}

/* The floor (see the top): rows plain rows into a fresh file in dir, one
 * transaction, synchronous=FULL; wall ms, or -1. */
static double floor_ms(const char *dir, const char *name, long long rows)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    double ms = -1;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE flat(a INTEGER, b "
                     "INTEGER, c INTEGER, d TEXT)",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO flat VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) != SQLITE_OK)
        goto out;
    double t0 = now_ms();
    int rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    for (long long i = 0; rc == SQLITE_OK && i < rows; i++) {
        sqlite3_bind_int64(st, 1, i);
        sqlite3_bind_int64(st, 2, i % 4000);
        sqlite3_bind_int64(st, 3, 1 + i % 3);
        sqlite3_bind_text(st, 4, "T1-1", -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(st);
    }
    if (rc == SQLITE_OK && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        ms = now_ms() - t0;
out:
    if (ms < 0)
        fprintf(stderr, "bench_wave: floor: %s\n", db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ms;
}

typedef struct figures {
    long long lines, floor_rows;
    double floor_ms;                        /* wall */
    double create_ms, alloc_ms, wave_ms;    /* wall */
    double create_cpu, alloc_cpu, wave_cpu; /* CPU */
    tote_wave_result r;
} figures;

static int run(const char *dir, long long lines, figures *f)
{
    static int runs; /* databases are named by run: a size may come twice */
    runs++;
    memset(f, 0, sizeof *f);
    f->lines = lines;
    char name[64];
    snprintf(name, sizeof name, "create-%lld-%d.db", lines, runs);
    tote_store *s = build(dir, name, lines);
    if (!s)
        return -1;
    double t0 = now_ms(), c0 = cpu_ms();
    tote_st_err e = tote_wave_create(s, NULL, "bench", &f->r);
    f->create_ms = now_ms() - t0;
    f->create_cpu = cpu_ms() - c0;
    long long bad = -1;
    if (e == TOTE_ST_E_OK)
        e = tote_alloc_verify(s, &bad);
    if (getenv("TOTE_BENCH_TRACE"))
        trace_dump();
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK || bad != 0 || f->r.lines != lines) {
        fprintf(stderr, "bench_wave: wave create failed: %s (lines %lld of %lld, bad %lld)\n",
                tote_st_strerror(e), f->r.lines, lines, bad);
        return -1;
    }

    snprintf(name, sizeof name, "floor-%lld-%d.db", lines, runs);
    f->floor_rows = 3 * lines + 3 * f->r.orders;
    if ((f->floor_ms = floor_ms(dir, name, f->floor_rows)) < 0)
        return -1;

    snprintf(name, sizeof name, "split-%lld-%d.db", lines, runs);
    s = build(dir, name, lines);
    if (!s)
        return -1;
    t0 = now_ms();
    c0 = cpu_ms();
    e = tote_alloc_released(s, "bench", NULL);
    f->alloc_ms = now_ms() - t0;
    f->alloc_cpu = cpu_ms() - c0;
    tote_wave_opts o = {.no_allocate = 1};
    tote_wave_result r;
    t0 = now_ms();
    c0 = cpu_ms();
    if (e == TOTE_ST_E_OK)
        e = tote_wave_create(s, &o, "bench", &r);
    f->wave_ms = now_ms() - t0;
    f->wave_cpu = cpu_ms() - c0;
    if (getenv("TOTE_BENCH_TRACE"))
        trace_dump();
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK || r.lines != lines) {
        fprintf(stderr, "bench_wave: split run failed: %s\n", tote_st_strerror(e));
        return -1;
    }
    return 0;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0, n) (n odd), v reordered. */
static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_dbl);
    return v[n / 2];
}

/* Each field of f the median of runs[0, n) (n odd): a shared machine's
 * slow spell moves one run, not the figure. */
static void median_of(figures *f, const figures *runs, int n)
{
    double v[8];
    *f = runs[0];
#define MEDIAN_FIELD(x)         \
    for (int k = 0; k < n; k++) \
        v[k] = runs[k].x;       \
    f->x = median(v, n);
    MEDIAN_FIELD(floor_ms)
    MEDIAN_FIELD(create_ms)
    MEDIAN_FIELD(alloc_ms)
    MEDIAN_FIELD(wave_ms)
    MEDIAN_FIELD(create_cpu)
    MEDIAN_FIELD(alloc_cpu)
    MEDIAN_FIELD(wave_cpu)
#undef MEDIAN_FIELD
}

int main(int argc, char **argv)
{
    long long sizes[8] = {10000, 100000};
    int n = 2, reps = 3;
    if (argc == 2 && strcmp(argv[1], "--quick") == 0) {
        sizes[0] = 2000; /* ./dev bench --quick: the same shape, a tenth of it, once */
        sizes[1] = 20000;
        reps = 1;
    } else if (argc > 1) {
        n = 0;
        for (int i = 1; i < argc && n < 8; i++) {
            char *end = NULL;
            long long v = strtoll(argv[i], &end, 10);
            if (!end || *end || v < LINES_PER_ORDER) {
                fprintf(stderr, "bench_wave: '%s' is not a number of lines (at least %d)\n", argv[i],
                        LINES_PER_ORDER);
                return 2;
            }
            sizes[n++] = v;
        }
    }
    setenv("TOTE_NOW", "2024-03-01T08:00:00.000Z", 1);
    char *dir = tt_tmpdir("bench-wave");
    if (!dir)
        return 1;
    figures f[8];
    int rc = 0;
    printf("bench_wave: %d lines per order, %d products in %d bins, synchronous=FULL\n", LINES_PER_ORDER,
           PRODUCTS, PRODUCTS * 2);
    for (int i = 0; i < n && rc == 0; i++) {
        figures runs[3];
        for (int k = 0; k < reps && rc == 0; k++)
            if (run(dir, sizes[i], &runs[k]) != 0)
                rc = 1;
        if (rc != 0)
            break;
        median_of(&f[i], runs, reps);
        printf("  %6lld lines (%lld orders, %lld lists, %lld tasks)%s\n", f[i].lines, f[i].r.orders,
               f[i].r.pick_lists, f[i].r.tasks, reps > 1 ? ", median of 3 runs" : "");
        if (reps > 1)
            printf("      wave create, each run           %8.1f %8.1f %8.1f ms wall\n", runs[0].create_ms,
                   runs[1].create_ms, runs[2].create_ms);
        printf("      wave create (allocation + wave) %8.1f ms wall %8.1f ms CPU%s\n", f[i].create_ms,
               f[i].create_cpu, f[i].r.planned ? " (tasks from the allocation's own choices)" : "");
        printf("      allocation alone                %8.1f ms wall %8.1f ms CPU\n", f[i].alloc_ms,
               f[i].alloc_cpu);
        printf("      wave alone (already allocated)  %8.1f ms wall %8.1f ms CPU\n", f[i].wave_ms,
               f[i].wave_cpu);
        printf("      floor: %lld plain rows, 1 commit %8.1f ms wall; wave create = %.2f x floor\n",
               f[i].floor_rows, f[i].floor_ms, f[i].create_ms / f[i].floor_ms);
        fflush(stdout);
    }
    if (rc == 0 && n >= 2) {
        const figures *a = &f[0], *b = &f[n - 1];
        printf("  growth %lld -> %lld lines (x%.1f), CPU: wave create x%.1f, allocation x%.1f, wave alone "
               "x%.1f\n",
               a->lines, b->lines, (double)b->lines / a->lines, b->create_cpu / a->create_cpu,
               b->alloc_cpu / a->alloc_cpu, b->wave_cpu / a->wave_cpu);
        /* machine-readable figures for ./dev bench (BENCH.md): the growth beside linear growth */
        printf(
            "RESULT {\"id\":\"wave.create.small\",\"name\":\"wave create, %lld lines (wall)\",\"value\":%.1f,"
            "\"unit\":\"ms\",\"better\":\"lower\"}\n",
            a->lines, a->create_ms);
        printf(
            "RESULT {\"id\":\"wave.create.large\",\"name\":\"wave create, %lld lines (wall)\",\"value\":%.1f,"
            "\"unit\":\"ms\",\"better\":\"lower\"}\n",
            b->lines, b->create_ms);
        printf("RESULT {\"id\":\"wave.create.floor\",\"name\":\"%lld plain rows inserted and committed "
               "(what a %lld-line wave writes)\",\"value\":%.1f,\"unit\":\"ms\"}\n",
               b->floor_rows, b->lines, b->floor_ms);
        printf("RESULT {\"id\":\"wave.create.over_floor\",\"name\":\"wave create, %lld lines, over the "
               "floor\",\"value\":%.2f,\"unit\":\"x\",\"better\":\"lower\",\"vs\":[\"wave.create.floor\"]}\n",
               b->lines, b->create_ms / b->floor_ms);
        printf("RESULT {\"id\":\"wave.lines_growth\",\"name\":\"growth of the wave (lines)\",\"value\":%.2f,"
               "\"unit\":\"x\"}\n",
               (double)b->lines / a->lines);
        printf("RESULT {\"id\":\"wave.cpu_growth\",\"name\":\"growth of wave create CPU time, %lld -> %lld "
               "lines\",\"value\":%.2f,\"unit\":\"x\",\"better\":\"lower\",\"vs\":[\"wave.lines_growth\"]}\n",
               a->lines, b->lines, b->create_cpu / a->create_cpu);
    }
    for (int i = 0; rc == 0 && i < n; i++)
        if (f[i].lines == 100000)
            printf("  goal, 100,000 lines under 1 s: wave create %s (%.0f ms wall), wave alone %s (%.0f ms "
                   "wall)\n",
                   f[i].create_ms < 1000 ? "met" : "missed", f[i].create_ms,
                   f[i].wave_ms < 1000 ? "met" : "missed", f[i].wave_ms);
    if (getenv("TOTE_KEEP_TMP"))
        printf("  databases kept in %s\n", dir);
    else
        tt_rmrf(dir);
    free(dir);
    return rc;
}
