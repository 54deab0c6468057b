/*
 * Power-loss simulation. Real `tote` processes run with the power-loss shim
 * preloaded (powerloss/journal.h): every write, truncate, unlink and sync of
 * the database and its WAL goes to a journal, and the test appends a mark
 * whenever a client saw something acknowledged (a CLI command exited 0, the
 * station answered a handheld). Then, for many crash points — just before
 * and just after each fsync — the database files are rebuilt as a power cut
 * there would leave them (writes not yet synced: all lost, a random half
 * lost, or torn at sector boundaries), and:
 *
 *  - the database opens and PRAGMA integrity_check says ok;
 *  - CLI part: its content is exactly a state the database committed no
 *    earlier than the last acknowledged command (atomic and durable: nothing
 *    acknowledged lost, nothing half-applied);
 *  - station part: every acknowledged request is there (request + scan rows),
 *    the ledger balances, nothing over-picked (faults.h).
 *
 * TOTE_FAULT_POWERLOSS_POINTS: crash points per part (default 12; 0 = every
 * one, as `./dev soak` runs it). TOTE_FAULT_SEED for the random modes.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "gen_shopify.h"
#include "journal.h"
#include "warehouse.h"

#ifndef TOTE_PL_SHIM_PATH
#define TOTE_PL_SHIM_PATH "libtote_powerloss_shim.so"
#endif

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : def;
}

typedef struct plrun {
    char *dir;
    char db[1024];
    char journal[1024];
    char work[1024]; /* rebuilt copies */
    char workdir[64];
    char env_preload[4200], env_track[1100], env_journal[1100], env_asan[600];
    const char *env[9];
    int acks;
} plrun;

static int plrun_init(plrun *r, const char *prefix)
{
    memset(r, 0, sizeof *r);
    r->dir = tt_tmpdir(prefix);
    if (!r->dir)
        return -1;
    snprintf(r->db, sizeof r->db, "%s/tote.db", r->dir);
    snprintf(r->journal, sizeof r->journal, "%s/journal", r->dir);
    /* rebuilt copies on tmpfs when there is one: they are written and read hundreds of times */
    char shm[] = "/dev/shm/tote-pl-XXXXXX";
    if (mkdtemp(shm)) {
        snprintf(r->workdir, sizeof r->workdir, "%s", shm);
        snprintf(r->work, sizeof r->work, "%s/crash.db", shm);
    } else {
        snprintf(r->work, sizeof r->work, "%s/crash.db", r->dir);
    }
    const char *shim = getenv("TOTE_PL_SHIM");
    snprintf(r->env_preload, sizeof r->env_preload, "LD_PRELOAD=%s",
             shim && *shim ? shim : TOTE_PL_SHIM_PATH);
    snprintf(r->env_track, sizeof r->env_track, "TOTE_PL_TRACK=%s", r->db);
    snprintf(r->env_journal, sizeof r->env_journal, "TOTE_PL_JOURNAL=%s", r->journal);
    /* in sanitizer builds the shim comes before the ASan runtime */
    const char *asan = getenv("ASAN_OPTIONS");
    snprintf(r->env_asan, sizeof r->env_asan, "ASAN_OPTIONS=%s%sverify_asan_link_order=0", asan ? asan : "",
             asan && *asan ? ":" : "");
    r->env[0] = r->env_preload;
    r->env[1] = r->env_track;
    r->env[2] = r->env_journal;
    r->env[3] = r->env_asan;
    r->env[4] = "TOTE_SYNC=full";
    r->env[5] = NULL;
    return 0;
}

static void plrun_done(plrun *r)
{
    if (r->workdir[0])
        tt_rmrf(r->workdir);
    if (r->dir && !getenv("TOTE_KEEP_TMP"))
        tt_rmrf(r->dir);
    free(r->dir);
    r->dir = NULL;
}

/* Runs `tote --db DB args...` under the shim; on exit 0 marks "cli N what". */
static int tote(plrun *r, const char *what, ...)
{
    const char *argv[24];
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--db";
    argv[n++] = r->db;
    va_list ap;
    va_start(ap, what);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 23)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    int rc = tt_run(argv, r->env, NULL, 60000, &out, &err);
    if (rc != 0)
        fprintf(stderr, "tote %s: exit %d: %s%s", what, rc, err ? err : "", out ? out : "");
    free(out);
    free(err);
    if (rc == 0) {
        char mark[256];
        snprintf(mark, sizeof mark, "cli %d %s", ++r->acks, what);
        pl_journal_mark(r->journal, mark);
    }
    return rc;
}

static int write_gen(const char *path, int kind, long n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    long rc = kind == 0   ? gen_locations(f, n)
              : kind == 1 ? gen_products(f, n)
              : kind == 2 ? gen_stock(f, n, 1000)
                          : gen_orders(f, n, 4, 300, "G", 1, 7);
    return fclose(f) == 0 && rc >= 0 ? 0 : -1;
}

/* The CLI part: a warehouse set up command by command. */
static int cli_sequence(plrun *r, long order_lines)
{
    char loc[1100], prod[1100], stock[1100], orders[1100];
    snprintf(loc, sizeof loc, "%s/locations.csv", r->dir);
    snprintf(prod, sizeof prod, "%s/products.csv", r->dir);
    snprintf(stock, sizeof stock, "%s/stock.csv", r->dir);
    snprintf(orders, sizeof orders, "%s/orders.csv", r->dir);
    if (write_gen(loc, 0, 300) || write_gen(prod, 1, 300) || write_gen(stock, 2, 300) ||
        write_gen(orders, 3, order_lines))
        return -1;
    int rc = 0;
    rc |= tote(r, "init", "init", NULL);
    rc |= tote(r, "operator", "operator", "add", "Pat", "--role", "picker", "--badge", "PL", NULL);
    rc |= tote(r, "locations", "import", "locations", loc, NULL);
    rc |= tote(r, "products", "import", "shopify-products", prod, NULL);
    rc |= tote(r, "stock", "import", "stock", stock, NULL);
    rc |= tote(r, "orders", "import", "shopify-orders", orders, NULL);
    rc |= tote(r, "adjust", "stock", "adjust", "SKU-3", "A-3", "-5", "--reason", "damaged", NULL);
    rc |= tote(r, "hold", "order", "hold", "#G2", "--reason", "address check", NULL);
    rc |= tote(r, "wave1", "wave", "create", "--max-orders", "150", NULL);
    rc |= tote(r, "cancel", "order", "cancel", "#G3", NULL);
    rc |= tote(r, "wave2", "wave", "create", "--max-orders", "150", NULL);
    rc |= tote(r, "release", "order", "release", "#G2", NULL);
    return rc;
}

/* Crash points in [from, to): just before and just after each sync, and
 * just after each acknowledgement a client saw. */
static size_t crash_points(const pl_journal *j, size_t from, size_t to, size_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++) {
        const pl_rec *rec = pl_journal_rec(j, i);
        if (rec->type == PL_SYNC && n < cap)
            out[n++] = i;
        if ((rec->type == PL_SYNC || rec->type == PL_MARK) && n < cap)
            out[n++] = i + 1;
    }
    return n;
}

/* Only the points just before each sync: there the most acknowledgements
 * have been seen while the latest commits are not yet on the disk. */
static size_t before_syncs(const pl_journal *j, size_t from, size_t to, size_t *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = from; i < to && n < cap; i++)
        if (pl_journal_rec(j, i)->type == PL_SYNC)
            out[n++] = i;
    return n;
}

/* Keeps k of the n points, evenly spread (k = 0: all). */
static size_t sample(size_t *pts, size_t n, size_t k)
{
    if (k == 0 || n <= k)
        return n;
    for (size_t i = 0; i < k; i++)
        pts[i] = pts[i * n / k];
    return k;
}

static int integrity_ok(const char *db)
{
    struct stat st;
    if (stat(db, &st) != 0)
        return 1; /* not created yet: nothing to damage */
    sqlite3 *h = NULL;
    int ok = 0;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &s, NULL) == SQLITE_OK &&
            sqlite3_step(s) == SQLITE_ROW)
            ok = strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
        sqlite3_finalize(s);
    }
    sqlite3_close(h);
    return ok;
}

/* The states the database committed, as KEEP replays at each sync and ack
 * position, computed when first asked for (a forward-only cursor). */
typedef struct refs {
    const pl_journal *j;
    const char *work;
    size_t *pos;
    uint64_t *dig;
    int *have;
    size_t n;
    pl_cursor *cur;
    size_t computed;
} refs;

static int ref_digest(refs *rf, size_t k, uint64_t *out)
{
    if (!rf->have[k]) {
        if (!rf->cur || pl_cursor_advance(rf->cur, rf->pos[k]) != 0) {
            pl_cursor_free(&rf->cur);
            rf->cur = pl_cursor_new(rf->j);
            if (!rf->cur || pl_cursor_advance(rf->cur, rf->pos[k]) != 0)
                return -1;
        }
        if (pl_cursor_write(rf->cur, rf->work) != 0)
            return -1;
        if (fa_content_digest(rf->work, &rf->dig[k]) != 0)
            rf->dig[k] = 0; /* no database yet */
        rf->have[k] = 1;
        rf->computed++;
    }
    *out = rf->dig[k];
    return 0;
}

static void test_cli_commands_survive_power_loss(void)
{
    plrun r;
    REQUIRE_EQ(plrun_init(&r, "powerloss-cli"), 0);
    long long t0 = tt_now_ms();
    REQUIRE_EQ(cli_sequence(&r, 3000), 0);
    long long t1 = tt_now_ms();
    pl_journal *j = pl_journal_load(r.journal);
    REQUIRE(j != NULL);
    size_t n = pl_journal_count(j);

    /* where each acknowledgement is, and every sync */
    refs rf = {.j = j, .work = r.work};
    rf.pos = calloc(n + 1, sizeof *rf.pos);
    rf.dig = calloc(n + 1, sizeof *rf.dig);
    rf.have = calloc(n + 1, sizeof *rf.have);
    size_t *ackpos = calloc(64, sizeof *ackpos);
    int nacks = 0;
    size_t nsync = 0, nwrite = 0;
    for (size_t i = 0; i < n; i++) {
        const pl_rec *rec = pl_journal_rec(j, i);
        if (rec->type == PL_MARK && nacks < 64)
            ackpos[nacks++] = i;
        nsync += rec->type == PL_SYNC;
        nwrite += rec->type == PL_WRITE;
        if (rec->type == PL_MARK || rec->type == PL_SYNC)
            rf.pos[rf.n++] = i;
    }
    REQUIRE_EQ(nacks, r.acks);
    REQUIRE(nsync > 10);

    size_t cap = 2 * n + 2;
    size_t *pts = calloc(cap, sizeof *pts);
    size_t np = crash_points(j, 0, n, pts, cap);
    np = sample(pts, np, (size_t)env_int("TOTE_FAULT_POWERLOSS_POINTS", 12));
    unsigned seed = (unsigned)env_int("TOTE_FAULT_SEED", (int)(tt_now_ms() % 100000));
    fprintf(
        stderr,
        "powerloss cli: %zu records (%zu writes, %zu syncs, %d acks), %zu crash points x 3 modes, seed %u\n",
        n, nwrite, nsync, nacks, np, seed);
    long bad = 0, lost = 0, checked = 0;
    const pl_mode modes[] = {PL_DROP, PL_RANDOM, PL_TORN};
    for (size_t p = 0; p < np && bad < 5; p++) {
        size_t c = pts[p];
        int last_ack = -1;
        for (int k = 0; k < nacks; k++)
            if (ackpos[k] < c)
                last_ack = k;
        size_t from = last_ack >= 0 ? ackpos[last_ack] : 0;
        for (size_t m = 0; m < 3; m++) {
            REQUIRE_EQ(pl_rebuild(j, c, modes[m], seed + p, r.work), 0);
            checked++;
            if (!integrity_ok(r.work)) {
                bad++;
                fprintf(stderr, "crash at record %zu (%s): integrity_check fails\n", c,
                        pl_mode_name(modes[m]));
                continue;
            }
            if (last_ack < 0)
                continue; /* before `tote init` was acknowledged any state is fine */
            uint64_t d = 0;
            if (fa_content_digest(r.work, &d) != 0) {
                bad++;
                fprintf(stderr, "crash at record %zu (%s): the database cannot be read\n", c,
                        pl_mode_name(modes[m]));
                continue;
            }
            /* a state committed between the last acknowledgement and the crash? */
            int allowed = 0;
            for (size_t k = 0; k < rf.n && rf.pos[k] <= c && !allowed; k++) {
                uint64_t ref = 0;
                if (rf.pos[k] < from)
                    continue;
                REQUIRE_EQ(ref_digest(&rf, k, &ref), 0);
                allowed = ref == d;
            }
            if (!allowed) {
                bad++;
                int earlier = 0;
                for (size_t k = 0; k < rf.n && rf.pos[k] < from && !earlier; k++) {
                    uint64_t ref = 0;
                    REQUIRE_EQ(ref_digest(&rf, k, &ref), 0);
                    earlier = ref == d;
                }
                lost += earlier;
                fprintf(stderr, "crash at record %zu (%s): %s (last acknowledged: command %d)\n", c,
                        pl_mode_name(modes[m]),
                        earlier ? "an acknowledged command was lost"
                                : "the database holds a state it never committed",
                        last_ack + 1);
                continue;
            }
            long p2 = fa_check(r.work, NULL, FA_NO_INTEGRITY, stderr);
            if (p2) {
                bad++;
                fprintf(stderr, "crash at record %zu (%s): %ld invariants broken\n", c,
                        pl_mode_name(modes[m]), p2);
            }
        }
    }
    fprintf(stderr,
            "powerloss cli: %ld rebuilt databases checked, %ld bad (%ld lost an acknowledged command); "
            "%lld ms commands, %lld ms checking (%zu reference states)\n",
            checked, bad, lost, t1 - t0, tt_now_ms() - t1, rf.computed);
    CHECK_EQ(bad, 0);
    CHECK(checked >= 3 * (long)np);
    pl_cursor_free(&rf.cur);
    free(pts);
    free(rf.pos);
    free(rf.dig);
    free(rf.have);
    free(ackpos);
    pl_journal_free(&j);
    plrun_done(&r);
}

/* ---------------- the station under the shim ---------------- */

static void mark_ack(plrun *r, fx_dev *d, const tote_wire_msg *req, const tote_wire_msg *rep, int qty)
{
    if (rep->type == TOTE_WIRE_ERROR)
        return;
    int accepted = rep->type == TOTE_WIRE_RESULT ? rep->u.result.accepted : 1;
    char mark[200];
    snprintf(mark, sizeof mark, "ack %s %u %u %u %d %d", d->name, req->seq, req->type, rep->type, accepted,
             qty);
    pl_journal_mark(r->journal, mark);
}

/* A picker doing its list: NEXT_TASK, bin, items (and a wrong item now and then). */
static int pick_some(plrun *r, fx_dev *d, int requests, unsigned *rs)
{
    tote_wire_msg m, rep;
    int sent = 0;
    while (sent < requests) {
        fx_req(d, &m, TOTE_WIRE_NEXT_TASK);
        if (fx_call(d, &m, &rep) != 0)
            return -1;
        sent++;
        mark_ack(r, d, &m, &rep, 0);
        if (rep.type != TOTE_WIRE_TASK)
            return sent;
        char bin[TOTE_WIRE_SHORT_MAX + 8], gtin[TOTE_WIRE_SHORT_MAX + 1];
        snprintf(bin, sizeof bin, "BIN-%s", rep.u.task.bin);
        snprintf(gtin, sizeof gtin, "%s", rep.u.task.gtin);
        uint32_t left = rep.u.task.qty_total - rep.u.task.qty_done;
        fx_req(d, &m, TOTE_WIRE_SCAN);
        fx_fill_scan(&m.u.scan, "", bin);
        if (fx_call(d, &m, &rep) != 0)
            return -1;
        sent++;
        mark_ack(r, d, &m, &rep, 0);
        uint32_t done_before = 0;
        while (left > 0 && sent < requests) {
            int wrong = fa_rand(rs) % 10 == 0;
            fx_req(d, &m, TOTE_WIRE_SCAN);
            fx_fill_scan(&m.u.scan, "", wrong ? "00000000000017" : gtin);
            if (fx_call(d, &m, &rep) != 0)
                return -1;
            sent++;
            int qty = 0;
            if (rep.type == TOTE_WIRE_RESULT && rep.u.result.accepted) {
                qty = (int)(rep.u.result.qty_done - done_before);
                done_before = rep.u.result.qty_done;
                left = rep.u.result.qty_left;
            }
            mark_ack(r, d, &m, &rep, qty);
            if (rep.type == TOTE_WIRE_RESULT && rep.u.result.task_done)
                break;
        }
    }
    return sent;
}

static void acks_before(const pl_journal *j, size_t c, fa_acks *a)
{
    for (size_t i = 0; i < c; i++) {
        const pl_rec *rec = pl_journal_rec(j, i);
        if (rec->type != PL_MARK || rec->len < 4 || memcmp(rec->data, "ack ", 4) != 0)
            continue;
        char text[256], dev[64];
        unsigned seq, req, rep;
        int acc, qty;
        snprintf(text, sizeof text, "%.*s", (int)rec->len, (const char *)rec->data);
        if (sscanf(text, "ack %63s %u %u %u %d %d", dev, &seq, &req, &rep, &acc, &qty) == 6)
            fa_acks_add(a, dev, seq, (uint8_t)req, (uint8_t)rep, acc, qty);
    }
}

/* The station part; returns the number of bad rebuilt databases, or -1 if
 * the run itself failed. sync: TOTE_SYNC for the station ("full", or
 * "normal" to show that the test catches commits that are not durable). */
/* One device sends n NEXT_TASK requests without waiting for the replies,
 * a few at a time, and marks each reply acknowledged as soon as it reads it.
 * The station's batches grow and a sync often returns while the next batch
 * is applied: those replies go out between two of its requests (server.c),
 * and each must still be durable. Returns the replies read, -1 on failure. */
static int burst(plrun *r, fx_station *st, int n)
{
    fx_dev *d = fx_dev_new(st, "hh-burst");
    tote_wire_msg m, rep;
    int sent = 0, got = 0;
    if (!d || fx_hello(d, TOTE_ROLE_PICKER, &rep) != 0) {
        fx_dev_destroy(&d);
        return -1;
    }
    while (got < n) {
        for (int k = 0; k < 40 && sent < n; k++, sent++) {
            fx_req(d, &m, TOTE_WIRE_NEXT_TASK);
            if (fx_send(d, &m) != 0) {
                fx_dev_destroy(&d);
                return -1;
            }
        }
        /* what is there now; once everything is sent, wait for the rest */
        while (got < n && fx_recv(d, &rep, sent < n ? 0 : 20000) == 0) {
            tote_wire_init(&m, TOTE_WIRE_NEXT_TASK, d->name, rep.seq);
            mark_ack(r, d, &m, &rep, 0);
            got++;
        }
        if (sent == n && got < n)
            break; /* a reply did not come */
    }
    fx_dev_destroy(&d);
    return got == n ? got : -1;
}

/* bursts > 0: instead of pickers, one device sends that many requests
 * without waiting (burst), every sync delay_ms slower (the shim's
 * TOTE_PL_SYNC_DELAY_MS). With a short delay syncs return while the next
 * batch is applied: at least one reply must have gone out during a later
 * batch, or the run did not test that. With a long one the next batch is
 * committed while a sync runs, and that sync must not be taken to cover it.
 * Returns the rebuilt databases found bad (0: none), -1 if the run failed or
 * checked too little, -2 if nothing was bad but a short-sync burst missed
 * what it is for (no early reply, or no WAL restart). */
static long station_power_loss(const char *sync, size_t points, int bursts, int delay_ms, int full_ckpt)
{
    plrun r;
    if (plrun_init(&r, "powerloss-srv") != 0)
        return -1;
    long bad = -1;
    if (cli_sequence(&r, 1200) != 0) {
        plrun_done(&r);
        return -1;
    }
    size_t serve_from = 0;
    {
        pl_journal *j0 = pl_journal_load(r.journal);
        if (!j0) {
            plrun_done(&r);
            return -1;
        }
        serve_from = pl_journal_count(j0);
        pl_journal_free(&j0);
    }
    char sync_env[64];
    snprintf(sync_env, sizeof sync_env, "TOTE_SYNC=%s", sync);
    r.env[4] = sync_env;
    char delay_env[64];
    snprintf(delay_env, sizeof delay_env, "TOTE_PL_SYNC_DELAY_MS=%d", delay_ms);
    int ne = 5; /* the list ends at its first NULL */
    if (bursts > 0)
        r.env[ne++] = delay_env;
    /* a burst of short syncs fills a WAL of 100 frames again and again:
       the checkpoint thread restarts it (its FULL checkpoint between two
       batches) or the loop checkpoints itself at the bound, crash points
       among them */
    if (bursts > 0 || full_ckpt)
        r.env[ne++] = "TOTE_TEST_WAL_BOUND=100";
    /* full_ckpt: the thread's checkpoints are FULL ones only, each copying
       what the WAL holds under the write lock after syncing the database
       (store_request.c), so the crash points fall in and around them */
    if (full_ckpt)
        r.env[ne++] = "TOTE_TEST_CKPT_FULL=1";
    r.env[ne] = NULL;

    /* the station, preloaded with the shim, and three pickers in this process */
    fx_station st;
    memset(&st, 0, sizeof st);
    st.dir = strdup(r.dir);
    snprintf(st.db, sizeof st.db, "%s", r.db);
    snprintf(st.err_path, sizeof st.err_path, "%s/serve.err", r.dir);
    st.zctx = zmq_ctx_new();
    unsigned rs = 12345;
    int total = 0, failed = fa_serve_spawn(&st, r.env) != 0;
    if (bursts > 0) {
        int got = failed ? -1 : burst(&r, &st, bursts);
        failed |= got < 0;
        total += got > 0 ? got : 0;
    }
    for (int round = 0; round < 3 && !failed && bursts == 0; round++) {
        for (int k = 0; k < 3 && !failed; k++) {
            char name[16];
            snprintf(name, sizeof name, "hh-pl%d", k);
            fx_dev *d = fx_dev_new(&st, name);
            tote_wire_msg rep, m;
            d->seq = (uint32_t)(round * 1000);
            failed = fx_hello(d, TOTE_ROLE_PICKER, &rep) != 0;
            fx_req(d, &m, TOTE_WIRE_SCAN);
            fx_fill_scan(&m.u.scan, "", "BADGE-PL");
            if (!failed && fx_call(d, &m, &rep) == 0 && rep.type == TOTE_WIRE_RESULT && rep.u.result.accepted)
                mark_ack(&r, d, &m, &rep, 0);
            else
                failed = 1;
            int n = failed ? 0 : pick_some(&r, d, 25, &rs);
            failed |= n <= 0;
            total += n;
            fx_dev_destroy(&d);
        }
    }
    failed |= fx_station_stop(&st) != 0;
    long long early = fx_stop_count(st.err_path, " replies sent during a later batch");
    /* what a short-sync burst is there to cover; if the timing missed it the
       crash points are still checked, and the run says it proved less */
    int uncovered = 0;
    if (bursts > 0 && delay_ms < 10 && early < 1) {
        fprintf(stderr, "powerloss station: no reply went out during a later batch (%lld)\n", early);
        uncovered = 1;
    }
    long long restarts = fx_stop_count(st.err_path, " times by the checkpoint thread");
    long long on_loop = fx_stop_count(st.err_path, " times on the loop");
    if (bursts > 0) {
        fprintf(stderr,
                "powerloss station: WAL restarted %lld times by the checkpoint thread, %lld checkpoints on "
                "the loop\n",
                restarts, on_loop);
        /* which of the two restarts the WAL depends on the timing (the
           thread runs every 100 ms, the burst lasts about a second); one
           of them must have, or the crash points missed every restart */
        if (delay_ms < 10 && restarts + on_loop < 1) {
            fprintf(stderr, "powerloss station: the WAL never restarted\n");
            uncovered = 1;
        }
    }
    if (full_ckpt) {
        fprintf(stderr, "powerloss station: the thread's FULL checkpoints reached the WAL's end %lld times\n",
                restarts);
        if (restarts < 1)
            uncovered = 1;
    }
    free(st.dir);
    zmq_ctx_term(st.zctx);
    pl_journal *j = failed ? NULL : pl_journal_load(r.journal);
    if (!j) {
        fprintf(stderr, "powerloss station: the run failed (see %s)\n", st.err_path);
        plrun_done(&r);
        return -1;
    }
    size_t n = pl_journal_count(j);
    size_t cap = 2 * n + 2;
    size_t *pts = calloc(cap, sizeof *pts);
    size_t np =
        bursts > 0 ? before_syncs(j, serve_from, n, pts, cap) : crash_points(j, serve_from, n, pts, cap);
    np = sample(pts, np, points);
    unsigned seed = (unsigned)env_int("TOTE_FAULT_SEED", (int)(tt_now_ms() % 100000));
    fprintf(stderr,
            "powerloss station (TOTE_SYNC=%s): %d requests answered (%lld during a later batch), %zu journal "
            "records, %zu crash points x 3 modes, seed %u\n",
            sync, total, early, n - serve_from, np, seed);
    long checked = 0;
    size_t max_acks = 0;
    bad = 0;
    const pl_mode modes[] = {PL_DROP, PL_RANDOM, PL_TORN};
    for (size_t p = 0; p < np && bad < 5; p++) {
        fa_acks acks = {0};
        acks_before(j, pts[p], &acks);
        if (acks.n > max_acks)
            max_acks = acks.n;
        for (size_t m = 0; m < 3; m++) {
            if (pl_rebuild(j, pts[p], modes[m], seed + p, r.work) != 0) {
                bad++;
                continue;
            }
            checked++;
            long probs = fa_check(r.work, &acks, 0, stderr);
            if (probs) {
                bad++;
                fprintf(stderr, "crash at record %zu (%s, %zu acknowledged): %ld invariants broken\n", pts[p],
                        pl_mode_name(modes[m]), acks.n, probs);
            }
        }
        fa_acks_free(&acks);
    }
    fprintf(stderr,
            "powerloss station: %ld rebuilt databases checked against up to %zu acknowledgements, %ld bad\n",
            checked, max_acks, bad);
    if (bad == 0 && max_acks < 50)
        bad = -1; /* too little was checked to mean anything */
    else if (bad == 0 && uncovered)
        bad = -2; /* sound, but the timing missed what the run is for */
    free(pts);
    pl_journal_free(&j);
    plrun_done(&r);
    return bad;
}

static void test_station_scans_survive_power_loss(void)
{
    CHECK_EQ(station_power_loss("full", (size_t)env_int("TOTE_FAULT_POWERLOSS_POINTS", 12), 0, 0, 0), 0);
}

/* The same for a burst of requests sent without waiting: each reply the
 * device read had its commit synced by a sync that began after that commit.
 * Syncs 2 ms slower: replies go out while a later batch is applied. Syncs
 * 20 ms slower: a batch is committed while a sync runs (which may or may not
 * cover it: the journal keeps where each sync began). The crash points are
 * the moments just before each sync (up to 40), where a reply sent too early
 * would be acknowledged and its commit not yet on the disk. */
static void test_burst_survives_power_loss(void)
{
    size_t points = (size_t)env_int("TOTE_FAULT_POWERLOSS_POINTS", 40);
    long r = station_power_loss("full", points, 4000, 2, 0);
    if (r == -2) { /* seen once in a full ctest -j2: no early reply, nothing lost */
        fprintf(stderr, "powerloss station: the burst missed what it is for; once more\n");
        r = station_power_loss("full", points, 4000, 2, 0);
    }
    CHECK_EQ(r, 0);
    CHECK_EQ(station_power_loss("full", points, 1500, 20, 0), 0);
}

/* The pickers again, with a WAL of 100 frames and the checkpoint thread on
 * its FULL path only: it syncs the database, copies the WAL's frames into it
 * holding the write lock (between two requests), and the loop's next commit
 * starts the WAL over. A power cut just before or after any sync of that
 * sequence, the thread's or the loop's, loses nothing acknowledged. */
static void test_full_checkpoints_survive_power_loss(void)
{
    long r = station_power_loss("full", (size_t)env_int("TOTE_FAULT_POWERLOSS_POINTS", 40), 0, 0, 1);
    CHECK_EQ(r, 0);
}

/* The test can fail: with synchronous=NORMAL a commit is not synced before
 * the station answers, and a power cut after the answer loses it. */
static void test_unsynced_station_is_caught(void)
{
    CHECK(station_power_loss("normal", 12, 0, 0, 0) > 0);
}

TT_MAIN(TT_TEST(test_cli_commands_survive_power_loss), TT_TEST(test_station_scans_survive_power_loss),
        TT_TEST(test_burst_survives_power_loss), TT_TEST(test_full_checkpoints_survive_power_loss),
        TT_TEST(test_unsynced_station_is_caught))
