/*
 * Printer faults under load. Simulated pickers and packers work through
 * `tote serve` (packages closed and their labels scanned); each closed
 * package's label is queued (tote_print_queue_package, what the pack flow's
 * close is to call) and the spooler (tote_spooler, the station's print
 * thread) prints it through a private cupsd (tests/integration/
 * cupsd_fixture.h) to a socket printer the test plays. `tote serve` does not
 * run the spooler nor queue labels on close yet, so this test does both
 * beside it, on the same database, while the station is busy. Meanwhile the
 * printer goes away (nothing listens on its port) and comes back, cupsd is
 * stopped and restarted, and the spooler is stopped and a new one started.
 * Then:
 *
 *  - scans went on being acknowledged while printing was down (printing is
 *    off the station's loop);
 *  - every package has exactly one label job in Tote, and it completed once
 *    the printer was back; the printer received every package's label (a
 *    job cut off mid-transfer may arrive twice: counted, not an error);
 *  - the final exactly-once check (faults.h) holds for every request.
 */
#include <fcntl.h>
#include <signal.h>

#include "cupsd_fixture.h"
#include "tote/printing.h"
#include "warehouse.h"

#define MAX_PACKAGES 512

typedef struct seen {
    char tracking[MAX_PACKAGES][20];
    int n;
    int received; /* label jobs the printer got, duplicates included */
} seen;

/* Takes the printer's jobs so far (before tt_zebra_stop forgets them). */
static void harvest(tt_zebra *z, seen *sn)
{
    int n = tt_zebra_jobs(z);
    for (int i = 0; i < n; i++) {
        size_t len = 0;
        const char *d = tt_zebra_job(z, i, &len);
        if (!d)
            continue;
        sn->received++;
        /* an S10 tracking number: two letters, nine digits, two letters */
        for (size_t k = 0; k + 13 <= len; k++) {
            const char *p = d + k;
            int ok = p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z' && p[11] >= 'A' &&
                     p[11] <= 'Z' && p[12] >= 'A' && p[12] <= 'Z';
            for (int j = 2; j < 11 && ok; j++)
                ok = p[j] >= '0' && p[j] <= '9';
            if (!ok)
                continue;
            int dup = 0;
            for (int t = 0; t < sn->n && !dup; t++)
                dup = strncmp(sn->tracking[t], p, 13) == 0;
            if (!dup && sn->n < MAX_PACKAGES) {
                memcpy(sn->tracking[sn->n], p, 13);
                sn->tracking[sn->n][13] = '\0';
                sn->n++;
            }
            break;
        }
    }
}

static long long q_now(fx_station *st, const char *sql)
{
    tote_store *s = fx_store(st);
    long long v = s ? fx_q(s, sql, NULL) : -1;
    tote_store_destroy(&s);
    return v;
}

/* Queues the label of every closed package not queued yet, as the pack
 * flow's close would; returns how many. */
static int queue_closed(fx_station *st, tote_spooler *sp)
{
    tote_store *s = fx_store(st);
    if (!s)
        return 0;
    int n = 0;
    for (;;) {
        long long id =
            fx_q(s,
                 "SELECT p.id FROM package p WHERE p.status IN ('closed', 'shipped') AND NOT EXISTS "
                 "(SELECT 1 FROM print_job j WHERE j.package_id = p.id) ORDER BY p.id LIMIT 1",
                 NULL);
        if (id <= 0)
            break;
        if (tote_store_begin(s) != TOTE_ST_E_OK)
            break;
        if (tote_print_queue_package(s, id, "bench-faults", "faults") != TOTE_ST_E_OK ||
            tote_store_commit(s) != TOTE_ST_E_OK) {
            fprintf(stderr, "printer: cannot queue package %lld: %s\n", id, tote_print_last_error());
            tote_store_rollback(s);
            break;
        }
        n++;
    }
    tote_store_destroy(&s);
    if (n && sp)
        tote_spooler_kick(sp);
    return n;
}

/* Queues labels as packages close, until ms have passed (and the spooler's events drained). */
static void run_for(fx_station *st, tote_spooler *sp, int ms)
{
    long long end = tt_now_ms() + ms;
    while (tt_now_ms() < end) {
        queue_closed(st, sp);
        if (sp)
            tote_spooler_drain(sp, NULL, NULL);
        tt_sleep_ms(100);
    }
}

static int wait_packages(fx_station *st, tote_spooler *sp, long long want, int ms)
{
    long long end = tt_now_ms() + ms;
    while (tt_now_ms() < end) {
        if (q_now(st, "SELECT COUNT(*) FROM package WHERE status IN ('closed', 'shipped')") >= want)
            return 0;
        run_for(st, sp, 100);
    }
    return -1;
}

static size_t acks_now(const char *log)
{
    fa_acks a = {0};
    fa_acks_load(&a, log);
    size_t n = a.n;
    fa_acks_free(&a);
    return n;
}

static void test_printer_faults_under_load(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "printer"), 0);
    st.insecure =
        1; /* fault_loadgen and fixture handhelds speak plain text: durability, not authentication */
    fa_warehouse_opts wo;
    fa_warehouse_defaults(&wo);
    wo.products = 20;
    wo.orders = 150;
    wo.max_lines = 3;
    wo.max_qty = 2;
    wo.require_bin_scan = 0;
    REQUIRE_EQ(fa_warehouse_add(&st, &wo, 1, 0), 0);
    tote_store *s = fx_store(&st);
    const char *settings[][2] = {{"ship_from_name", "Fault Test Warehouse"},
                                 {"ship_from_address1", "Dock 1"},
                                 {"ship_from_city", "Utrecht"},
                                 {"ship_from_zip", "3511 AB"},
                                 {"ship_from_country", "NL"},
                                 {"label_printer", "zebra1"},
                                 {"print_retry_ms", "200"},
                                 {"print_retry_max_ms", "1000"},
                                 {"print_poll_ms", "50"},
                                 {"print_max_attempts", "100"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        tote_store_setting_set(s, settings[i][0], settings[i][1]);
    tote_store_destroy(&s);

    tt_cupsd cups = {0};
    tt_zebra zebra = {0};
    REQUIRE_EQ(tt_cupsd_start(&cups), 0); /* sets CUPS_SERVER: the station inherits it */
    fa_track_pid((int)tt_proc_pid(cups.proc));
    REQUIRE_EQ(tt_zebra_start(&zebra), 0);
    /* the fixture's listening socket would be inherited by every process started
     * after it, and the printer could never go away (nor listen again) */
    fcntl(zebra.fd, F_SETFD, FD_CLOEXEC);
    char uri[64];
    snprintf(uri, sizeof uri, "socket://127.0.0.1:%d", zebra.port);
    char *out = NULL;
    REQUIRE_EQ(fx_cli(&st, &out, "printer", "add", "zebra1", uri, "--kind", "zpl", NULL), 0);
    free(out);
    REQUIRE_EQ(fa_station_start(&st, NULL, 0), 0);
    tote_spooler *sp = NULL;
    REQUIRE_EQ(tote_spooler_new(st.db, &sp), TOTE_ST_E_OK);

    char log[1200], lg_err[1200];
    snprintf(log, sizeof log, "%s/acks.jsonl", st.dir);
    snprintf(lg_err, sizeof lg_err, "%s/loadgen.err", st.dir);
    static char lg_bin[4096];
    snprintf(lg_bin, sizeof lg_bin, "%s", fa_bin("fault_loadgen"));
    const char *lg_argv[] = {
        lg_bin, "--station",  st.ep, "--devices",    "6",    "--packers",        "2", "--log",
        log,    "--think-ms", "20",  "--error-rate", "0.02", "--exit-when-idle", "4", "--drain-seconds",
        "30",   NULL};
    tt_proc *lg = fa_spawn(lg_argv, NULL, 0, NULL, lg_err);
    REQUIRE(lg != NULL);
    seen sn;
    memset(&sn, 0, sizeof sn);

    /* 1: the printer goes away (nothing listens on its port) and comes back */
    REQUIRE_EQ(wait_packages(&st, sp, 3, 30000), 0);
    harvest(&zebra, &sn);
    int port = zebra.port;
    char cut_at[32];
    tote_store_now(cut_at); /* the printer "loses power" now */
    tt_zebra_stop(&zebra);
    size_t acks_before = acks_now(log);
    long long packs_before = q_now(&st, "SELECT COUNT(*) FROM package");
    run_for(&st, sp, 3000);
    size_t acks_down = acks_now(log) - acks_before;
    long long packs_down = q_now(&st, "SELECT COUNT(*) FROM package") - packs_before;
    int zrc = -1;
    for (int i = 0; i < 100 && zrc != 0; i++) { /* the port may take a moment to be free again */
        zebra.port = port;
        zrc = tt_zebra_start(&zebra);
        if (zrc != 0)
            tt_sleep_ms(100);
    }
    REQUIRE_EQ(zrc, 0);
    fcntl(zebra.fd, F_SETFD, FD_CLOEXEC);
    fprintf(stderr, "printer: while the printer was away: %zu acknowledgements, %lld packages closed\n",
            acks_down, packs_down);
    CHECK(acks_down > 20); /* the station does not wait for the printer */

    /* 2: cupsd is restarted (stopped, down a while, started on the same state) */
    REQUIRE_EQ(wait_packages(&st, sp, packs_before + packs_down + 10, 30000), 0);
    tt_cupsd_stop(&cups);
    run_for(&st, sp, 2000);
    REQUIRE_EQ(tt_cupsd_start(&cups), 0);
    fa_track_pid((int)tt_proc_pid(cups.proc));

    /* 3: the spooler stops and a new one takes over (jobs in flight are followed, not sent again) */
    run_for(&st, sp, 1000);
    tote_spooler_destroy(&sp);
    run_for(&st, NULL, 1000);
    REQUIRE_EQ(tote_spooler_new(st.db, &sp), TOTE_ST_E_OK);

    /* the handhelds finish the work */
    int lrc = -1;
    for (long long end_lg = tt_now_ms() + 60000; tt_now_ms() < end_lg;) {
        run_for(&st, sp, 200);
        if ((lrc = tt_proc_wait(lg, 0)) != -1)
            break;
    }
    CHECK_EQ(lrc, 0);
    tt_proc_stop(&lg);
    queue_closed(&st, sp);
    /* every label printed once the printer and cupsd are back */
    long long end = tt_now_ms() + 60000, unfinished = -1;
    while (tt_now_ms() < end) {
        unfinished = q_now(&st, "SELECT COUNT(*) FROM print_job WHERE state != 'completed'");
        if (unfinished == 0)
            break;
        run_for(&st, sp, 200);
    }
    CHECK_EQ(unfinished, 0);
    /* CUPS says completed once the backend has sent the last byte; the
       played printer may still be storing it (slow under sanitizers): wait
       until what it holds stops growing for a second, at most 10 s */
    {
        int jobs = tt_zebra_jobs(&zebra);
        long long stable_since = tt_now_ms(), give_up = tt_now_ms() + 10000;
        while (tt_now_ms() - stable_since < 1000 && tt_now_ms() < give_up) {
            tt_sleep_ms(100);
            int now_jobs = tt_zebra_jobs(&zebra);
            if (now_jobs != jobs) {
                jobs = now_jobs;
                stable_since = tt_now_ms();
            }
        }
    }
    harvest(&zebra, &sn);
    tote_spooler_destroy(&sp);
    CHECK_EQ(fx_station_stop(&st), 0);

    s = fx_store(&st);
    long long packages = fx_q(s, "SELECT COUNT(*) FROM package WHERE status IN ('closed', 'shipped')", NULL);
    long long not_one =
        fx_q(s,
             "SELECT COUNT(*) FROM package p WHERE p.status IN ('closed', 'shipped') AND "
             "(SELECT COUNT(*) FROM print_job j WHERE j.package_id = p.id AND j.kind = 'label') != 1",
             NULL);
    long long attempts = fx_q(s, "SELECT COALESCE(SUM(attempts), 0) FROM print_job", NULL);
    /* A label whose bytes CUPS handed to the printer's socket just as the printer
     * went away is lost in its buffer while CUPS reports the job completed: raw
     * socket printing has no end-to-end acknowledgement (a Zebra losing power
     * mid-job does the same; the packer's label scan is what catches it).
     * Such a loss is counted when the job completed within the cut (-2 s ..
     * +4 s); any other missing label fails the test. */
    int missing = 0, lost_at_cut = 0;
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(
        tote_store_db(s),
        "SELECT p.tracking, CAST((julianday(j.updated_at) - julianday(?1)) * 86400000 AS INTEGER) "
        "FROM package p JOIN print_job j ON j.package_id = p.id AND j.kind = 'label' "
        "WHERE p.tracking IS NOT NULL",
        -1, &q, NULL);
    sqlite3_bind_text(q, 1, cut_at, -1, SQLITE_STATIC);
    while (q && sqlite3_step(q) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        long long ms = sqlite3_column_int64(q, 1);
        int found = 0;
        for (int i = 0; i < sn.n && !found; i++)
            found = strcmp(sn.tracking[i], t) == 0;
        if (found)
            continue;
        if (ms >= -2000 && ms <= 4000) {
            lost_at_cut++;
            fprintf(stderr,
                    "printer: the label of %s went to the printer %lld ms from the cut and was lost there\n",
                    t, ms);
        } else if (missing++ < 5) {
            fprintf(
                stderr,
                "printer: the label of %s never reached the printer (job completed %lld ms from the cut)\n",
                t, ms);
        }
    }
    sqlite3_finalize(q);
    tote_store_destroy(&s);
    fprintf(stderr,
            "printer: %lld packages, %d labels received (%d distinct), %lld CUPS submissions in all; %d "
            "lost in the printer's buffer at the cut, %d missing otherwise\n",
            packages, sn.received, sn.n, attempts, lost_at_cut, missing);
    CHECK(lost_at_cut <= 3);
    CHECK(packages >= 8);
    CHECK_EQ(not_one, 0);
    CHECK_EQ(missing, 0);

    fa_acks a = {0};
    fa_acks_load(&a, log);
    CHECK_EQ(a.violations, 0);
    CHECK_EQ(a.drained, 1);
    CHECK_EQ(fa_check(st.db, &a, FA_FINAL, stderr), 0);
    fa_acks_free(&a);
    tt_zebra_stop(&zebra);
    tt_cupsd_destroy(&cups);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_printer_faults_under_load))
