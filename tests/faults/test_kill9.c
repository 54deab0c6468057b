/*
 * kill -9 loop: `tote serve` under load from simulated handhelds
 * (fault_loadgen: real DEALERs, real wire codec, resends with the same seq,
 * offline queue) is killed with SIGKILL at random moments and restarted on
 * the same port; the handhelds carry on. After every kill, with the station
 * down, the database is checked against every acknowledgement the handhelds
 * have logged so far (faults.h): nothing acknowledged lost, no scan applied
 * twice, the ledger balances, no line over-picked. At the end the handhelds
 * drain their queues and exit, and every request the station applied must
 * have been acknowledged to a handheld.
 *
 * TOTE_FAULT_KILLS (default 10; `./dev soak` uses 100+), TOTE_FAULT_SEED,
 * TOTE_FAULT_HANDHELDS (default 6), TOTE_FAULT_OUTBOX=1 to keep the handhelds'
 * queues in the handheld's durable outbox files, TOTE_FAULT_SHORT_RATE=P to
 * add random short picks (a random count found) to the empty bins' shorts.
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "warehouse.h"

static int env_int(const char *name, int def)
{
    const char *v = getenv(name);
    return v && *v ? atoi(v) : def;
}

static tt_proc *start_loadgen(fx_station *st, const char *log, int n, unsigned seed, const char *outbox_dir)
{
    char ndev[16], seedbuf[16];
    snprintf(ndev, sizeof ndev, "%d", n);
    snprintf(seedbuf, sizeof seedbuf, "%u", seed);
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", fa_bin("fault_loadgen"));
    const char *argv[32] = {bin,     "--station",       st->ep, "--devices",
                            ndev,    "--log",           log,    "--seed",
                            seedbuf, "--timeout-ms",    "400",  "--heartbeat-ms",
                            "300",   "--error-rate",    "0.05", "--empty-bins",
                            "9",     "--drain-seconds", "30",   NULL};
    int k = 19;
    if (outbox_dir) {
        argv[k++] = "--outbox-dir";
        argv[k++] = outbox_dir;
    }
    const char *shorts = getenv("TOTE_FAULT_SHORT_RATE"); /* random short picks as well */
    if (shorts && *shorts) {
        argv[k++] = "--short-rate";
        argv[k++] = shorts;
    }
    argv[k] = NULL;
    char errp[1200];
    snprintf(errp, sizeof errp, "%s/loadgen.err", st->dir);
    return fa_spawn(argv, NULL, 0, NULL, errp);
}

static void test_kill9_loop(void)
{
    int kills = env_int("TOTE_FAULT_KILLS", 10);
    unsigned seed = (unsigned)env_int("TOTE_FAULT_SEED", (int)(tt_now_ms() % 100000));
    int handhelds = env_int("TOTE_FAULT_HANDHELDS", 6);
    fprintf(stderr, "kill9: %d kills, %d handhelds, seed %u (TOTE_FAULT_SEED to repeat)\n", kills, handhelds,
            seed);
    unsigned r = seed;

    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "kill9"), 0);
    st.insecure = 1; /* loadgen speaks plain text: this is about durability, not authentication */
    fa_warehouse_opts wo;
    fa_warehouse_defaults(&wo);
    wo.seed = seed;
    /* enough work that the handhelds are still busy at the last kill */
    wo.orders = 150 + kills * 25;
    REQUIRE_EQ(fa_warehouse_add(&st, &wo, 1, 0), 0);
    REQUIRE_EQ(fa_station_start(&st, NULL, 0), 0);

    char log[1200], outbox[1200];
    snprintf(log, sizeof log, "%s/acks.jsonl", st.dir);
    snprintf(outbox, sizeof outbox, "%s/outbox", st.dir);
    const char *ob = NULL;
    if (env_int("TOTE_FAULT_OUTBOX", 0)) {
        mkdir(outbox, 0755);
        ob = outbox;
    }
    tt_proc *lg = start_loadgen(&st, log, handhelds, seed, ob);
    REQUIRE(lg != NULL);

    long problems = 0;
    long long acked_before = 0;
    int starved = 0;
    for (int k = 0; k < kills && problems == 0; k++) {
        tt_sleep_ms(150 + (int)(fa_rand(&r) % 700));
        fx_station_kill9(&st);
        fa_acks acks = {0};
        fa_acks_load(&acks, log);
        char when[64];
        snprintf(when, sizeof when, "after kill %d", k + 1);
        problems += fa_check_now(&st, &acks, 0, when);
        if ((long long)acks.n == acked_before)
            starved++;
        acked_before = (long long)acks.n;
        fa_acks_free(&acks);
        if (tt_proc_wait(lg, 0) != -1) {
            fprintf(stderr, "kill9: the load generator exited early\n");
            break;
        }
        /* sometimes the station stays away a while: handhelds go offline */
        if (fa_rand(&r) % 4 == 0)
            tt_sleep_ms(300 + (int)(fa_rand(&r) % 900));
        REQUIRE_EQ(fa_station_start(&st, NULL, 1), 0);
    }
    CHECK_EQ(problems, 0);
    CHECK(starved < kills); /* the handhelds got work acknowledged between kills */

    /* let the handhelds finish: stop new work, drain queues */
    tt_proc_kill(lg, SIGTERM);
    int lrc = tt_proc_wait(lg, 60000);
    CHECK_EQ(lrc, 0);
    tt_proc_stop(&lg);
    CHECK_EQ(fx_station_stop(&st), 0);

    fa_acks acks = {0};
    fa_acks_load(&acks, log);
    CHECK_EQ(acks.violations, 0);
    CHECK_EQ(acks.summaries, 1);
    CHECK_EQ(acks.drained, 1);
    CHECK(acks.n > 50);
    CHECK_EQ(fa_check_now(&st, &acks, FA_FINAL, "at the end"), 0);
    tote_store *s = fx_store(&st);
    long long units = fx_q(s, "SELECT COALESCE(SUM(picked), 0) FROM order_line", NULL);
    long long scans = fx_q(s, "SELECT COUNT(*) FROM scan", NULL);
    long long shorts = fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'short_pick'", NULL);
    long long replays = fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'offline_replay'", NULL);
    tote_store_destroy(&s);
    fprintf(stderr,
            "kill9: %zu acks, %lld scans, %lld units picked, %lld short picks, %lld offline replays\n",
            acks.n, scans, units, shorts, replays);
    char *out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "stock", "check", NULL), 0);
    free(out);
    fa_acks_free(&acks);
    fx_station_done(&st);
}

/*
 * The same with real `tote-handheld --scanner sim` processes: the handheld's
 * own client, durable outbox and simulated picker; what each saw
 * acknowledged comes from its --json events. TOTE_FAULT_KILLS_REAL (default 5).
 */
static void test_kill9_real_handhelds(void)
{
    int kills = env_int("TOTE_FAULT_KILLS_REAL", 5);
    unsigned seed = (unsigned)env_int("TOTE_FAULT_SEED", (int)(tt_now_ms() % 100000));
    enum { N = 4 };
    fprintf(stderr, "kill9 (tote-handheld): %d kills, %d handhelds, seed %u\n", kills, N, seed);
    unsigned r = seed;
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "kill9-hh"), 0);
    st.insecure = 1; /* durability, not authentication */
    fa_warehouse_opts wo;
    fa_warehouse_defaults(&wo);
    wo.seed = seed;
    wo.orders = 60 + kills * 20;
    wo.stock2 = 0;
    REQUIRE_EQ(fa_warehouse_add(&st, &wo, 1, 0), 0);
    REQUIRE_EQ(fa_station_start(&st, NULL, 0), 0);

    tt_proc *hh[N];
    char json[N][1200], names[N][32], outbox[N][1200], seeds[N][16];
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote-handheld"));
    /* the simulated pickers make mistakes (wrong item, over-pick, short
     * bins, a second short on one task): every one must be survived */
    const char *sim_errors = "0.05";
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "hh-real-%d", i + 1);
        snprintf(json[i], sizeof json[i], "%s/%s.jsonl", st.dir, names[i]);
        snprintf(outbox[i], sizeof outbox[i], "%s/%s.outbox", st.dir, names[i]);
        snprintf(seeds[i], sizeof seeds[i], "%u", seed + (unsigned)i);
        char err[1300];
        snprintf(err, sizeof err, "%s/%s.err", st.dir, names[i]);
        const char *argv[] = {bin,         "--insecure",
                              "--station", st.ep,
                              "--id",      names[i],
                              "--role",    "picker",
                              "--scanner", "sim",
                              "--json",    "--outbox",
                              outbox[i],   "--timeout-ms",
                              "400",       "--sim-seed",
                              seeds[i],    "--sim-error-rate",
                              sim_errors,  "--sim-delay-ms",
                              "2",         "--exit-when-idle",
                              "4",         NULL};
        hh[i] = fa_spawn(argv, NULL, 0, json[i], err);
        REQUIRE(hh[i] != NULL);
    }
    long problems = 0;
    for (int k = 0; k < kills && problems == 0; k++) {
        tt_sleep_ms(300 + (int)(fa_rand(&r) % 900));
        fx_station_kill9(&st);
        fa_acks acks = {0};
        for (int i = 0; i < N; i++)
            fa_acks_load_handheld(&acks, json[i], names[i]);
        char when[64];
        snprintf(when, sizeof when, "after kill %d (%zu acknowledgements)", k + 1, acks.n);
        problems += fa_check_now(&st, &acks, 0, when);
        fa_acks_free(&acks);
        if (fa_rand(&r) % 3 == 0)
            tt_sleep_ms(500 + (int)(fa_rand(&r) % 1000)); /* handhelds go offline and queue */
        REQUIRE_EQ(fa_station_start(&st, NULL, 1), 0);
    }
    CHECK_EQ(problems, 0);
    /* the handhelds pick what is left and exit when there is nothing more */
    for (int i = 0; i < N; i++) {
        CHECK_EQ(tt_proc_wait(hh[i], 120000), 0);
        tt_proc_stop(&hh[i]);
    }
    CHECK_EQ(fx_station_stop(&st), 0);
    fa_acks acks = {0};
    for (int i = 0; i < N; i++)
        fa_acks_load_handheld(&acks, json[i], names[i]);
    CHECK(acks.n > 100);
    CHECK_EQ(fa_check_now(&st, &acks, FA_FINAL, "at the end (tote-handheld)"), 0);
    tote_store *s = fx_store(&st);
    long long replays = fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'offline_replay'", NULL);
    long long left = fx_q(s, "SELECT COUNT(*) FROM pick_task WHERE status = 'open'", NULL);
    tote_store_destroy(&s);
    fprintf(
        stderr,
        "kill9 (tote-handheld): %zu acknowledgements, %ld errors, %lld offline replays, %lld tasks open\n",
        acks.n, acks.errors, replays, left);
    CHECK_EQ(left, 0);
    fa_acks_free(&acks);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_kill9_loop), TT_TEST(test_kill9_real_handhelds))
