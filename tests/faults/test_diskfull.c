/*
 * Disk full under the station's database. The database lives on a small
 * tmpfs mounted in a private mount namespace (unshare + mount, as root);
 * where mounts are not permitted, the power-loss shim plays the full disk
 * instead (TOTE_PL_FULL_FLAG: writes that would grow the database fail with
 * ENOSPC). TOTE_FAULT_DISKFULL=shim forces the shim.
 *
 *  - CLI: an import onto a full disk fails with exit 1 and one clear
 *    sentence, leaves the database intact and no order half-written (with
 *    --strict: nothing at all); once space returns the same import succeeds.
 *  - Station: under load from simulated handhelds the disk fills; requests
 *    are refused with ERROR STORAGE, the station keeps running, nothing
 *    acknowledged is lost; when space returns the handhelds carry on and
 *    their queues drain exactly once.
 *  - Station: an fsync of the write-ahead log fails (EIO from the shim): the
 *    station stops at once with one sentence and answers nothing it could
 *    not make durable; restarted on a healthy disk it carries on and every
 *    handheld's queue drains exactly once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen_shopify.h"
#include "warehouse.h"

#ifndef TOTE_PL_SHIM_PATH
#define TOTE_PL_SHIM_PATH "libtote_powerloss_shim.so"
#endif

/* The environment that preloads the power-loss shim into `tote`, tracking
 * db_path, with one of its flags (TOTE_PL_FULL_FLAG, TOTE_PL_SYNC_FAIL_FLAG)
 * naming flag_path. */
typedef struct shim_env {
    char preload[4200], track[1200], flag[1200], asan[600];
    const char *env[5];
} shim_env;

static void shim_env_init(shim_env *e, const char *db_path, const char *flag_var, const char *flag_path)
{
    const char *shim = getenv("TOTE_PL_SHIM");
    snprintf(e->preload, sizeof e->preload, "LD_PRELOAD=%s", shim && *shim ? shim : TOTE_PL_SHIM_PATH);
    snprintf(e->track, sizeof e->track, "TOTE_PL_TRACK=%s", db_path);
    snprintf(e->flag, sizeof e->flag, "%s=%s", flag_var, flag_path);
    const char *asan = getenv("ASAN_OPTIONS");
    snprintf(e->asan, sizeof e->asan, "ASAN_OPTIONS=%s%sverify_asan_link_order=0", asan ? asan : "",
             asan && *asan ? ":" : "");
    e->env[0] = e->preload;
    e->env[1] = e->track;
    e->env[2] = e->flag;
    e->env[3] = e->asan;
    e->env[4] = NULL;
}

typedef struct disk {
    int shim; /* 1: ENOSPC injected by the shim, 0: a real tmpfs */
    char dir[1024];
    char filler[1100];
    char flag[1100];
    shim_env se;
    const char *const *env; /* the shim's environment, or none */
} disk;

static int ns_state; /* 0 untried, 1 private mount namespace, -1 not permitted */

static void enter_namespace(void)
{
    if (ns_state)
        return;
    const char *force = getenv("TOTE_FAULT_DISKFULL");
    if (force && strcmp(force, "shim") == 0) {
        ns_state = -1;
        return;
    }
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "diskfull: no private mount namespace (%s): using the ENOSPC shim\n",
                strerror(errno));
        ns_state = -1;
        return;
    }
    ns_state = 1;
}

/* A directory for the database: a tmpfs of size_kb, or a plain directory
 * plus the shim. db_path: where the database will be (the shim tracks it). */
static int disk_init(disk *d, const char *base, long size_kb, const char *db_path)
{
    memset(d, 0, sizeof *d);
    enter_namespace();
    snprintf(d->dir, sizeof d->dir, "%s/disk", base);
    snprintf(d->filler, sizeof d->filler, "%s/filler", d->dir);
    snprintf(d->flag, sizeof d->flag, "%s/disk-full.flag", base);
    if (mkdir(d->dir, 0755) != 0)
        return -1;
    d->shim = ns_state != 1;
    if (!d->shim) {
        char opts[64];
        snprintf(opts, sizeof opts, "size=%ldk,mode=0755", size_kb);
        if (mount("tote-diskfull", d->dir, "tmpfs", 0, opts) != 0) {
            fprintf(stderr, "diskfull: cannot mount a tmpfs (%s): using the ENOSPC shim\n", strerror(errno));
            d->shim = 1;
        }
    }
    static const char *const none[] = {NULL};
    d->env = none;
    if (d->shim) {
        shim_env_init(&d->se, db_path, "TOTE_PL_FULL_FLAG", d->flag);
        d->env = d->se.env;
    }
    fprintf(stderr, "diskfull: database on %s\n",
            d->shim ? "a plain directory, ENOSPC from the shim" : "a tmpfs");
    return 0;
}

static void disk_done(disk *d)
{
    unlink(d->filler);
    unlink(d->flag);
    if (!d->shim)
        umount2(d->dir, MNT_DETACH);
}

/* Fills every free byte but leave_kb. */
static int disk_fill_leaving(disk *d, long leave_kb)
{
    if (d->shim)
        return tt_write_file(d->flag, "full\n", 5);
    int fd = open(d->filler, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return -1;
    static char block[65536];
    for (size_t sz = sizeof block; sz >= 512;) {
        ssize_t n = write(fd, block, sz);
        if (n < 0 && errno == ENOSPC)
            sz /= 2;
        else if (n <= 0)
            break;
    }
    if (leave_kb > 0) {
        struct stat sb;
        if (fstat(fd, &sb) == 0 && sb.st_size > leave_kb * 1024)
            ftruncate(fd, sb.st_size - leave_kb * 1024);
    }
    close(fd);
    return 0;
}

static int disk_fill(disk *d)
{
    return disk_fill_leaving(d, 0);
}

static void disk_free(disk *d)
{
    unlink(d->shim ? d->flag : d->filler);
}

static int tote_env(fx_station *st, const disk *d, char **out, char **err, ...)
{
    const char *argv[24];
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--db";
    argv[n++] = st->db;
    va_list ap;
    va_start(ap, err);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 23)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return tt_run(argv, d->env, NULL, 60000, out, err);
}

/* Orders whose line count differs from the file's (half-written). */
static long half_written(fx_station *st, const char *csv)
{
    char *text = tt_read_file(csv, NULL);
    if (!text)
        return -1;
    tote_store *s = fx_store(st);
    long bad = 0;
    char current[64] = "";
    long rows = 0;
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save); /* header */
    for (line = strtok_r(NULL, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
        char name[64] = "";
        if (line)
            sscanf(line, "%63[^,]", name);
        if (!line || strcmp(name, current) != 0) {
            if (current[0]) {
                long long have = fx_q(s,
                                      "SELECT COUNT(*) FROM order_line l JOIN orders o ON o.id = l.order_id "
                                      "WHERE o.name = ?1",
                                      "t", current);
                if (have != 0 && have != rows) {
                    fprintf(stderr, "order %s has %lld of its %ld lines\n", current, have, rows);
                    bad++;
                }
            }
            if (!line)
                break;
            snprintf(current, sizeof current, "%s", name);
            rows = 0;
        }
        rows++;
    }
    tote_store_destroy(&s);
    free(text);
    return bad;
}

static int write_csv(const char *path, int kind, long n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    long rc = kind == 0   ? gen_locations(f, n)
              : kind == 1 ? gen_products(f, n)
              : kind == 2 ? gen_stock(f, n, 100000)
                          : gen_orders(f, n, 4, 200, "D", 1, 3);
    return fclose(f) == 0 && rc >= 0 ? 0 : -1;
}

/* leave_kb: 0 = not a byte free (the import cannot even open the
 * database), else the disk fills up during the import. */
static void import_on_full_disk(int strict, long leave_kb)
{
    fx_station st;
    memset(&st, 0, sizeof st);
    st.dir = tt_tmpdir(strict ? "diskfull-strict" : "diskfull-cli");
    REQUIRE(st.dir != NULL);
    disk d;
    char db[1000];
    snprintf(db, sizeof db, "%s/disk/tote.db", st.dir);
    REQUIRE_EQ(disk_init(&d, st.dir, 3072, db), 0);
    snprintf(st.db, sizeof st.db, "%s", db);
    char loc[1100], prod[1100], stock[1100], orders[1100];
    snprintf(loc, sizeof loc, "%s/l.csv", st.dir);
    snprintf(prod, sizeof prod, "%s/p.csv", st.dir);
    snprintf(stock, sizeof stock, "%s/s.csv", st.dir);
    snprintf(orders, sizeof orders, "%s/o.csv", st.dir);
    REQUIRE_EQ(write_csv(loc, 0, 200) | write_csv(prod, 1, 200) | write_csv(stock, 2, 200) |
                   write_csv(orders, 3, 4000),
               0);
    char *out = NULL, *err = NULL;
    REQUIRE_EQ(tote_env(&st, &d, NULL, NULL, "init", NULL), 0);
    REQUIRE_EQ(tote_env(&st, &d, NULL, NULL, "import", "locations", loc, NULL), 0);
    REQUIRE_EQ(tote_env(&st, &d, NULL, NULL, "import", "shopify-products", prod, NULL), 0);
    REQUIRE_EQ(tote_env(&st, &d, NULL, NULL, "import", "stock", stock, NULL), 0);

    REQUIRE_EQ(disk_fill_leaving(&d, leave_kb), 0);
    int rc = strict ? tote_env(&st, &d, &out, &err, "import", "shopify-orders", orders, "--strict", NULL)
                    : tote_env(&st, &d, &out, &err, "import", "shopify-orders", orders, NULL);
    CHECK_EQ(rc, 1);
    fprintf(stderr, "diskfull: import on a full disk said: %s", err ? err : "(nothing)\n");
    /* one clear sentence that names the cause */
    CHECK(err != NULL && strchr(err, '\n') == err + strlen(err) - 1);
    /* also with not a byte free, when SQLite cannot even size the -shm at open */
    CHECK(err != NULL && (strstr(err, "full") || strstr(err, "space")));
    if (leave_kb == 0 && !d.shim)
        CHECK_HAS(err, "disk full: cannot open");
    free(out);
    free(err);
    disk_free(&d);

    CHECK_EQ(fa_check(st.db, NULL, 0, stderr), 0);
    CHECK_EQ(half_written(&st, orders), 0);
    tote_store *s = fx_store(&st);
    long long after_fail = fx_q(s, "SELECT COUNT(*) FROM orders", NULL);
    tote_store_destroy(&s);
    if (strict)
        CHECK_EQ(after_fail, 0);
    fprintf(stderr, "diskfull: %lld orders in the database after the failed import\n", after_fail);

    /* space is back: the same import completes */
    out = err = NULL;
    rc = strict ? tote_env(&st, &d, &out, &err, "import", "shopify-orders", orders, "--strict", NULL)
                : tote_env(&st, &d, &out, &err, "import", "shopify-orders", orders, NULL);
    CHECK_EQ(rc, 0);
    if (rc != 0)
        fprintf(stderr, "diskfull: import after freeing space: %s%s", err ? err : "", out ? out : "");
    free(out);
    free(err);
    CHECK_EQ(fa_check(st.db, NULL, 0, stderr), 0);
    CHECK_EQ(half_written(&st, orders), 0);
    s = fx_store(&st);
    long long orders_n = fx_q(s, "SELECT COUNT(*) FROM orders", NULL);
    long long lines_n = fx_q(s, "SELECT COUNT(*) FROM order_line", NULL);
    tote_store_destroy(&s);
    CHECK_EQ(lines_n, 4000);
    CHECK(orders_n > after_fail);
    disk_done(&d);
    tt_rmrf(st.dir);
    free(st.dir);
}

static void test_import_on_full_disk(void)
{
    import_on_full_disk(0, 0);
}

static void test_import_fills_the_disk(void)
{
    import_on_full_disk(0, 256);
}

static void test_strict_import_fills_the_disk_writes_nothing(void)
{
    import_on_full_disk(1, 256);
}

/* The log's ack count, storage errors. */
static void log_counts(const char *log, size_t *acks, long *storage)
{
    fa_acks a = {0};
    fa_acks_load(&a, log);
    *acks = a.n;
    *storage = a.storage_errors;
    fa_acks_free(&a);
}

/* Waits (up to 60 s: a loaded machine is slow, not wrong) until the log
 * holds target acknowledgements; returns the count reached. */
static size_t wait_acks(const char *log, size_t target, size_t *acks, long *storage)
{
    long long deadline = tt_now_ms() + 60000;
    log_counts(log, acks, storage);
    while (*acks < target && tt_now_ms() < deadline) {
        tt_sleep_ms(100);
        log_counts(log, acks, storage);
    }
    return *acks;
}

/* Four simulated pickers (fault_loadgen) against st, acknowledgements to
 * log (a path in st->dir, written into log[cap]); empty_bins may be NULL. */
static tt_proc *start_pickers(fx_station *st, char *log, size_t cap, const char *seed, const char *empty_bins)
{
    snprintf(log, cap, "%s/acks.jsonl", st->dir);
    static char lg_bin[4096];
    snprintf(lg_bin, sizeof lg_bin, "%s", fa_bin("fault_loadgen"));
    const char *lg_argv[] = {lg_bin, "--station",    st->ep, "--devices", "4",  "--log",
                             log,    "--timeout-ms", "1000", "--seed",    seed, "--drain-seconds",
                             "30",   NULL,           NULL,   NULL};
    if (empty_bins) {
        lg_argv[13] = "--empty-bins";
        lg_argv[14] = empty_bins;
    }
    char lg_err[1200];
    snprintf(lg_err, sizeof lg_err, "%s/loadgen.err", st->dir);
    return fa_spawn(lg_argv, NULL, 0, NULL, lg_err);
}

/* The pickers finish (their queues drain), the station stops, and every
 * acknowledgement is in the database exactly once. */
static void finish_pickers(fx_station *st, tt_proc **lg, const char *log)
{
    tt_proc_kill(*lg, SIGTERM);
    CHECK_EQ(tt_proc_wait(*lg, 60000), 0);
    tt_proc_stop(lg);
    CHECK_EQ(fx_station_stop(st), 0);
    fa_acks a = {0};
    fa_acks_load(&a, log);
    CHECK_EQ(a.violations, 0);
    CHECK_EQ(a.drained, 1);
    CHECK_EQ(fa_check(st->db, &a, FA_FINAL, stderr), 0);
    fprintf(stderr, "diskfull: %zu acknowledgements in all, every one in the database\n", a.n);
    fa_acks_free(&a);
}

/* A database at db_path with a small warehouse (300 orders, waved) for the
 * station tests; st->dir is a new temporary directory (made by the caller). */
static int station_warehouse(fx_station *st, const char *db_path)
{
    snprintf(st->db, sizeof st->db, "%s", db_path);
    snprintf(st->err_path, sizeof st->err_path, "%s/serve.err", st->dir);
    tote_store *s0 = NULL;
    if (tote_store_open(st->db, TOTE_STORE_CREATE, &s0, NULL) != TOTE_ST_E_OK)
        return -1;
    tote_store_destroy(&s0);
    st->zctx = zmq_ctx_new();
    fa_warehouse_opts wo;
    fa_warehouse_defaults(&wo);
    wo.orders = 300;
    return fa_warehouse_add(st, &wo, 1, 0);
}

/* st in a new temporary directory named tag, with station_warehouse's database. */
static int warehouse_dir(fx_station *st, const char *tag)
{
    memset(st, 0, sizeof *st);
    st->dir = tt_tmpdir(tag);
    if (!st->dir)
        return -1;
    char db[1000];
    snprintf(db, sizeof db, "%s/tote.db", st->dir);
    return station_warehouse(st, db);
}

static void test_station_on_full_disk(void)
{
    fx_station st;
    memset(&st, 0, sizeof st);
    st.dir = tt_tmpdir("diskfull-srv");
    REQUIRE(st.dir != NULL);
    disk d;
    char db[1000];
    snprintf(db, sizeof db, "%s/disk/tote.db", st.dir);
    REQUIRE_EQ(disk_init(&d, st.dir, 8192, db), 0);
    REQUIRE_EQ(station_warehouse(&st, db), 0);

    /* the station with the disk's environment (the shim when there is no tmpfs) */
    REQUIRE_EQ(fa_serve_spawn(&st, d.env), 0);
    char log[1200];
    tt_proc *lg = start_pickers(&st, log, sizeof log, "5", "9");
    REQUIRE(lg != NULL);
    size_t acks = 0;
    long storage = 0;
    REQUIRE(wait_acks(log, 100, &acks, &storage) >= 100);

    /* the disk fills: requests are refused with STORAGE, the station stays up */
    REQUIRE_EQ(disk_fill(&d), 0);
    long long deadline = tt_now_ms() + 20000;
    while (storage < 20 && tt_now_ms() < deadline) {
        tt_sleep_ms(100);
        log_counts(log, &acks, &storage);
    }
    size_t acks_full = acks;
    CHECK(storage >= 20);
    CHECK_EQ(tt_proc_wait(st.proc, 0), -1);
    tt_sleep_ms(500);
    log_counts(log, &acks, &storage);
    fprintf(stderr, "diskfull: %ld STORAGE errors; %zu acks before, %zu while full\n", storage, acks_full,
            acks - acks_full);

    /* nothing acknowledged lost while full (a reader beside the running station) */
    fa_acks a = {0};
    fa_acks_load(&a, log);
    CHECK_EQ(fa_check(st.db, &a, 0, stderr), 0);
    fa_acks_free(&a);

    /* space returns: the same station process carries on */
    disk_free(&d);
    size_t acks_back = acks;
    CHECK(wait_acks(log, acks_back + 100, &acks, &storage) >= acks_back + 100);
    finish_pickers(&st, &lg, log);
    disk_done(&d);
    fx_station_done(&st);
}

/*
 * A handheld that resends a scan at once (its first copy still queued) puts
 * both copies in one group-commit batch. When that batch cannot be committed
 * (disk full), neither copy may be answered with an acknowledgement: the
 * second copy's "stored reply" was never durable.
 */
static void test_resend_in_a_failed_batch(void)
{
    fx_station st;
    memset(&st, 0, sizeof st);
    st.dir = tt_tmpdir("diskfull-dup");
    st.insecure = 1;
    REQUIRE(st.dir != NULL);
    disk d;
    char db[1000];
    snprintf(db, sizeof db, "%s/disk/tote.db", st.dir);
    REQUIRE_EQ(disk_init(&d, st.dir, 4096, db), 0);
    snprintf(st.db, sizeof st.db, "%s", db);
    snprintf(st.err_path, sizeof st.err_path, "%s/serve.err", st.dir);
    tote_store *s0 = NULL;
    REQUIRE_EQ(tote_store_open(st.db, TOTE_STORE_CREATE, &s0, NULL), TOTE_ST_E_OK);
    tote_store_destroy(&s0);
    st.zctx = zmq_ctx_new();
    fa_warehouse_opts wo;
    fa_warehouse_defaults(&wo);
    wo.products = 5;
    wo.orders = 20;
    wo.max_qty = 8;
    REQUIRE_EQ(fa_warehouse_add(&st, &wo, 1, 0), 0);
    REQUIRE_EQ(fa_serve_spawn(&st, d.env), 0);

    fa_acks acks = {0};
    fx_dev *dev = fx_dev_new(&st, "hh-dup");
    tote_wire_msg m, rep;
    REQUIRE_EQ(fx_hello(dev, TOTE_ROLE_PICKER, &rep), 0);
    fx_req(dev, &m, TOTE_WIRE_NEXT_TASK);
    REQUIRE_EQ(fx_call(dev, &m, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    fa_acks_add(&acks, dev->name, m.seq, m.type, rep.type, 1, 0);
    char gtin[TOTE_WIRE_SHORT_MAX + 1], binc[TOTE_WIRE_SHORT_MAX + 8];
    snprintf(gtin, sizeof gtin, "%s", rep.u.task.gtin);
    snprintf(binc, sizeof binc, "BIN-%s", rep.u.task.bin);
    fx_req(dev, &m, TOTE_WIRE_SCAN);
    fx_fill_scan(&m.u.scan, "", binc);
    REQUIRE_EQ(fx_call(dev, &m, &rep), 0);
    fa_acks_add(&acks, dev->name, m.seq, m.type, rep.type, rep.u.result.accepted, 0);

    REQUIRE_EQ(disk_fill(&d), 0);
    int acked_on_full = 0, errors = 0;
    for (int attempt = 0; attempt < 6; attempt++) {
        fx_req(dev, &m, TOTE_WIRE_SCAN);
        fx_fill_scan(&m.u.scan, "", gtin);
        REQUIRE_EQ(fx_send(dev, &m), 0);
        REQUIRE_EQ(fx_send(dev, &m), 0); /* the same seq again, at once */
        for (int k = 0; k < 2; k++) {
            if (fx_recv(dev, &rep, 5000) != 0)
                break;
            if (rep.type == TOTE_WIRE_ERROR) {
                errors++;
                continue;
            }
            if (!fa_acks_has(&acks, dev->name, rep.seq)) {
                acked_on_full++;
                fa_acks_add(&acks, dev->name, rep.seq, TOTE_WIRE_SCAN, rep.type,
                            rep.type == TOTE_WIRE_RESULT ? rep.u.result.accepted : 1, 0);
            }
        }
    }
    fprintf(stderr, "diskfull: duplicate scans on a full disk: %d STORAGE errors, %d acknowledged\n", errors,
            acked_on_full);
    CHECK(errors > 0);
    disk_free(&d);
    /* the station goes on; whatever it acknowledged must be in the database */
    fx_req(dev, &m, TOTE_WIRE_NEXT_TASK);
    CHECK_EQ(fx_call(dev, &m, &rep), 0);
    fx_dev_destroy(&dev);
    CHECK_EQ(fx_station_stop(&st), 0);
    /* fixed in the server (5051cbe): a resend answered from a reply stored in the same failed batch
     * is not acknowledged */
    CHECK_EQ(fa_check(st.db, &acks, 0, stderr), 0);
    fa_acks_free(&acks);
    disk_done(&d);
    fx_station_done(&st);
}

/*
 * The WAL sync fails (the shim's TOTE_PL_SYNC_FAIL_FLAG: EIO from fsync and
 * fdatasync of the database's files). Whether the latest commits reached the
 * disk is then unknown: the station must stop without acknowledging them,
 * and nothing it acknowledged before may be lost.
 */
static void test_station_stops_when_a_sync_fails(void)
{
    fx_station st;
    REQUIRE_EQ(warehouse_dir(&st, "diskfull-eio"), 0);
    char flag[1100];
    snprintf(flag, sizeof flag, "%s/eio.flag", st.dir);
    static shim_env se;
    shim_env_init(&se, st.db, "TOTE_PL_SYNC_FAIL_FLAG", flag);
    REQUIRE_EQ(fa_serve_spawn(&st, se.env), 0);
    char log[1200];
    tt_proc *lg = start_pickers(&st, log, sizeof log, "11", NULL);
    REQUIRE(lg != NULL);
    size_t acks = 0;
    long storage = 0;
    REQUIRE(wait_acks(log, 100, &acks, &storage) >= 100);

    /* the disk stops syncing: the station stops, with the reason */
    REQUIRE_EQ(tt_write_file(flag, "eio\n", 4), 0);
    int rc = tt_proc_wait(st.proc, 20000);
    CHECK(rc > 0); /* exited by itself, with a failure status */
    tt_proc_stop(&st.proc);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK(err && strstr(err, "cannot make the write-ahead log durable") != NULL);
    free(err);
    tt_sleep_ms(300);
    log_counts(log, &acks, &storage);
    size_t acks_at_stop = acks;
    fa_acks a = {0};
    fa_acks_load(&a, log);
    CHECK_EQ(fa_check(st.db, &a, 0, stderr), 0); /* every acknowledgement is in the database */
    fa_acks_free(&a);
    fprintf(stderr, "diskfull: the sync failed after %zu acknowledgements; the station stopped\n",
            acks_at_stop);

    /* a healthy disk again: the station restarts, the handhelds resend */
    unlink(flag);
    REQUIRE_EQ(fa_station_start(&st, NULL, 1), 0);
    CHECK(wait_acks(log, acks_at_stop + 100, &acks, &storage) >= acks_at_stop + 100);
    finish_pickers(&st, &lg, log);
    fx_station_done(&st);
}

/* A slow disk (every sync 50 ms): what arrives while a sync runs is applied
 * as one batch when it returns, so the station commits once per sync, not
 * once per request. The stop line says how many of each there were.
 *
 * Four pickers with one request in flight each settle into two groups that
 * take turns: the pickers answered by one commit send their next requests
 * during the next group's sync. So a batch holds about two requests, not
 * four; a batch of three or four happens only when the groups reshuffle, and
 * cannot be counted on. What is certain is the mean: one request per commit
 * would be 1.0, and gathering makes it close to 2. Each batch's sync begins
 * at its commit, while the other group's still runs (two sync threads). */
static void test_slow_disk_one_commit_per_sync(void)
{
    fx_station st;
    REQUIRE_EQ(warehouse_dir(&st, "diskfull-slow"), 0);
    static shim_env se;
    shim_env_init(&se, st.db, "TOTE_PL_SYNC_DELAY_MS", "50");
    REQUIRE_EQ(fa_serve_spawn(&st, se.env), 0);
    char log[1200];
    tt_proc *lg = start_pickers(&st, log, sizeof log, "13", NULL);
    REQUIRE(lg != NULL);
    size_t acks = 0;
    long storage = 0;
    CHECK(wait_acks(log, 150, &acks, &storage) >= 150);
    finish_pickers(&st, &lg, log);
    char *err = tt_read_file(st.err_path, NULL);
    REQUIRE(err != NULL);
    const char *line = strstr(err, "tote serve: stopped after ");
    REQUIRE(line != NULL);
    unsigned long long requests = 0, txns = 0, largest = 0, syncs = 0;
    REQUIRE_EQ(
        sscanf(line,
               "tote serve: stopped after %llu requests in %llu transactions (largest %llu, %*u resends, "
               "%*u errors, %*u undeliverable, %*u batches applied again, %llu WAL syncs, %*u replies sent "
               "during a later batch, %*u snapshots answered off the loop)",
               &requests, &txns, &largest, &syncs),
        4);
    fprintf(stderr, "diskfull: slow disk: %llu requests in %llu transactions (largest %llu), %llu syncs\n",
            requests, txns, largest, syncs);
    CHECK(requests >= 150);
    /* about one commit per sync. One sync may cover two commits: a lease
       check's commit during a sync makes the next sync cover it and a batch,
       and a syncer thread that wakes late finds the loop's next commit done
       too (seen twice after each lease check here, so ~5 in a run). A loop
       that read on while a sync runs, not waiting for it, showed 1.36 and
       1.65 commits per sync. */
    CHECK(txns * 4 <= syncs * 5 + 8);
    CHECK(largest >= 2);
    /* at least 1.25 requests per commit on average: 1.5-1.8 here under
       ASan, 1.47 once with other builds on the two cores; 1.0 without
       gathering */
    CHECK(requests * 4 >= txns * 5);
    /* every reply waited for its sync, and the stop line says so */
    double in_p50 = 0, in_p99 = 0, in_max = 0, sy_p50 = 0, sy_p99 = 0, sy_max = 0;
    const char *lat = strstr(line, "in the station p50 ");
    REQUIRE(lat != NULL);
    REQUIRE_EQ(
        sscanf(lat,
               "in the station p50 %lf ms, p99 %lf ms, max %lf ms; WAL sync p50 %lf ms, p99 %lf ms, max %lf",
               &in_p50, &in_p99, &in_max, &sy_p50, &sy_p99, &sy_max),
        6);
    fprintf(stderr, "diskfull: slow disk: in the station p50 %.2f ms, p99 %.2f ms; syncs p50 %.2f ms\n",
            in_p50, in_p99, sy_p50);
    CHECK(sy_p50 >= 50 && sy_p50 <= sy_p99 && sy_p99 <= sy_max);
    CHECK(in_p50 >= 50 && in_p50 <= in_p99 && in_p99 <= in_max);
    /* the two groups' batches commit while the other's sync runs, and the
       second sync thread begins theirs at once: about one sync in the
       station (51 ms here), not the running one and then its own (101 ms
       with one thread) */
    CHECK(in_p50 < 75);
    /* with two commits unsynced the loop stops reading until a sync returns,
       each time for up to one sync (50 ms), and the stop line counts it */
    unsigned long long pauses = 0;
    double paused_s = 0;
    const char *pz = strstr(line, "the loop paused reading ");
    REQUIRE(pz != NULL);
    REQUIRE_EQ(sscanf(pz, "the loop paused reading %llu times for two unsynced commits, %lf s in all",
                      &pauses, &paused_s),
               2);
    fprintf(stderr, "diskfull: slow disk: the loop paused reading %llu times, %.2f s in all\n", pauses,
            paused_s);
    CHECK(pauses >= 10);
    CHECK(paused_s >= 0.005 * (double)pauses);                    /* 50.6 ms each here */
    CHECK(paused_s <= (sy_max + 10.0) / 1000.0 * (double)pauses); /* none longer than a sync */
    free(err);
    fx_station_done(&st);
}

/* A sync that returns while the next batch is applied: its replies go out
 * between two requests of that batch, not after that batch's commit, so the
 * handhelds they answer have their next requests waiting when it ends. One
 * device sends 6,000 requests without waiting; the station takes at most
 * 1,000 to a batch, and applying 1,000 takes far longer than a sync of 2 ms.
 * Every request is answered once, in order; the stop line counts the replies
 * sent during a later batch. */
static void test_replies_go_out_during_the_next_batch(void)
{
    fx_station st;
    REQUIRE_EQ(warehouse_dir(&st, "diskfull-early"), 0);
    static shim_env se;
    shim_env_init(&se, st.db, "TOTE_PL_SYNC_DELAY_MS", "2");
    const char *extra[] = {"--batch-max", "1000", NULL};
    REQUIRE_EQ(fa_serve_spawn_with(&st, se.env, extra), 0);
    fx_dev *d = fx_dev_new(&st, "hh-burst");
    REQUIRE(d != NULL);
    tote_wire_msg m, rep;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    enum { N = 6000 };
    uint32_t first = d->seq + 1;
    for (int i = 0; i < N; i++) {
        fx_req(d, &m, TOTE_WIRE_NEXT_TASK);
        REQUIRE_EQ(fx_send(d, &m), 0);
    }
    int answered = 0, in_order = 1, errors = 0;
    for (int i = 0; i < N && fx_recv(d, &rep, 20000) == 0; i++) {
        answered++;
        in_order &= rep.seq == first + (uint32_t)i;
        errors += rep.type == TOTE_WIRE_ERROR;
    }
    CHECK_EQ(answered, N);
    CHECK(in_order);
    CHECK_EQ(errors, 0);
    CHECK_EQ(fx_recv(d, &rep, 200), -1); /* nothing twice */
    fx_dev_destroy(&d);
    CHECK_EQ(fx_station_stop(&st), 0);
    long long txns = fx_stop_count(st.err_path, " transactions"),
              early = fx_stop_count(st.err_path, " replies sent during a later batch");
    fprintf(stderr, "diskfull: %lld transactions, %lld replies sent during a later batch\n", txns, early);
    CHECK_INT(txns, >=, N / 1000);
    CHECK_INT(early, >=, 1);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM request WHERE device = 'hh-burst' AND seq >= ?1", "i",
                  (long long)first),
             N);
    tote_store_destroy(&s);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_import_on_full_disk), TT_TEST(test_import_fills_the_disk),
        TT_TEST(test_strict_import_fills_the_disk_writes_nothing), TT_TEST(test_station_on_full_disk),
        TT_TEST(test_resend_in_a_failed_batch), TT_TEST(test_station_stops_when_a_sync_fails),
        TT_TEST(test_slow_disk_one_commit_per_sync), TT_TEST(test_replies_go_out_during_the_next_batch))
