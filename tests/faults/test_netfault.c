/*
 * Network faults. The station runs in one network namespace, the handhelds
 * (fault_loadgen, each device with the handheld's durable outbox file) in
 * another, joined by a veth pair with private addresses that exist only in
 * these two namespaces. The handhelds' link is cut and restored; then cut
 * again, and while the handhelds are offline the station is killed and
 * restarted. Offline the handhelds keep scanning into their outboxes; when
 * the link is back the outboxes drain, and every request is applied exactly
 * once (faults.h, final check).
 *
 * Needs root and `ip netns`; where namespaces are not permitted the test
 * says SKIP and exits 77 (ctest: skipped).
 */
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "warehouse.h"

#define SKIP_CODE 77

static char ns_st[64], ns_hh[64];
static const char *ip_bin;
static int ns_made;

static int run_quiet(const char *const argv[])
{
    char *out = NULL, *err = NULL;
    int rc = tt_run(argv, NULL, NULL, 10000, &out, &err);
    if (rc != 0)
        fprintf(stderr, "netfault: %s %s %s: %s", argv[0], argv[1], argv[2] ? argv[2] : "", err ? err : "");
    free(out);
    free(err);
    return rc;
}

/* ip ARGS... (NULL-terminated) */
static int ip(const char *a0, ...)
{
    const char *argv[32];
    int n = 0;
    argv[n++] = ip_bin;
    argv[n++] = a0;
    va_list ap;
    va_start(ap, a0);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 31)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return run_quiet(argv);
}

static void cleanup_namespaces(void)
{
    if (!ns_made)
        return;
    ns_made = 0;
    ip("netns", "del", ns_st, NULL);
    ip("netns", "del", ns_hh, NULL);
}

/* Two namespaces and a veth pair between them; 0, or -1 if not permitted. */
static int make_network(char st_addr[32])
{
    ip_bin = access("/usr/sbin/ip", X_OK) == 0 ? "/usr/sbin/ip"
             : access("/sbin/ip", X_OK) == 0   ? "/sbin/ip"
                                               : NULL;
    if (!ip_bin)
        return -1;
    int id = (int)(getpid() % 60000);
    snprintf(ns_st, sizeof ns_st, "tote-st-%d", id);
    snprintf(ns_hh, sizeof ns_hh, "tote-hh-%d", id);
    if (ip("netns", "add", ns_st, NULL) != 0)
        return -1;
    ns_made = 1;
    atexit(cleanup_namespaces);
    if (ip("netns", "add", ns_hh, NULL) != 0)
        return -1;
    /* 10.213.x.y/30: private, and only inside these two namespaces */
    int x = id % 250;
    char a_st[32], a_hh[32];
    snprintf(a_st, sizeof a_st, "10.213.%d.1/30", x);
    snprintf(a_hh, sizeof a_hh, "10.213.%d.2/30", x);
    snprintf(st_addr, 32, "10.213.%d.1", x);
    if (ip("netns", "exec", ns_st, ip_bin, "link", "add", "tote-st0", "type", "veth", "peer", "name",
           "tote-hh0", "netns", ns_hh, NULL) != 0 ||
        ip("netns", "exec", ns_st, ip_bin, "addr", "add", a_st, "dev", "tote-st0", NULL) != 0 ||
        ip("netns", "exec", ns_hh, ip_bin, "addr", "add", a_hh, "dev", "tote-hh0", NULL) != 0 ||
        ip("netns", "exec", ns_st, ip_bin, "link", "set", "tote-st0", "up", NULL) != 0 ||
        ip("netns", "exec", ns_hh, ip_bin, "link", "set", "tote-hh0", "up", NULL) != 0 ||
        ip("netns", "exec", ns_st, ip_bin, "link", "set", "lo", "up", NULL) != 0 ||
        ip("netns", "exec", ns_hh, ip_bin, "link", "set", "lo", "up", NULL) != 0)
        return -2;
    return 0;
}

static int link_set(const char *state)
{
    return ip("netns", "exec", ns_hh, ip_bin, "link", "set", "tote-hh0", state, NULL);
}

static tt_proc *start_station(fx_station *st, const char *ep)
{
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[] = {ip_bin,       "netns", "exec",     ns_st, bin,        "--db",
                          st->db,       "serve", "--listen", ep,    "--events", "tcp://127.0.0.1:0",
                          "--insecure", NULL};
    unlink(st->err_path);
    tt_proc *p = fa_spawn(argv, NULL, 0, NULL, st->err_path);
    if (!p)
        return NULL;
    /* ready when it says it listens */
    for (int i = 0; i < 100; i++) {
        char *log = tt_read_file(st->err_path, NULL);
        int up = log && strstr(log, "listening on");
        free(log);
        if (up)
            return p;
        tt_sleep_ms(50);
    }
    tt_proc_stop(&p);
    return NULL;
}

static size_t count_acks(const char *log, long *offline)
{
    fa_acks a = {0};
    fa_acks_load(&a, log);
    size_t n = a.n;
    fa_acks_free(&a);
    if (offline) {
        char *text = tt_read_file(log, NULL);
        *offline = 0;
        for (const char *p = text; p && (p = strstr(p, "{\"offline\"")); p++)
            (*offline)++;
        free(text);
    }
    return n;
}

static int wait_acks(const char *log, size_t want, int ms)
{
    long long end = tt_now_ms() + ms;
    while (tt_now_ms() < end) {
        if (count_acks(log, NULL) >= want)
            return 0;
        tt_sleep_ms(100);
    }
    return -1;
}

static void test_link_cuts_and_offline_restart(void)
{
    if (getuid() != 0) {
        fprintf(stderr, "SKIP: network namespaces need root (ip netns)\n");
        exit(SKIP_CODE);
    }
    char st_addr[32];
    int mk = make_network(st_addr);
    if (mk == -1) {
        cleanup_namespaces();
        fprintf(stderr, "SKIP: network namespaces are not permitted here (ip netns add failed)\n");
        exit(SKIP_CODE);
    }
    REQUIRE_EQ(mk, 0);

    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "netfault"), 0);
    st.insecure =
        1; /* fault_loadgen and fixture handhelds speak plain text: durability, not authentication */
    fa_warehouse_opts wo;
    fa_warehouse_defaults(&wo);
    wo.orders = 400;
    wo.max_qty = 12; /* long tasks: an offline picker queues several scans */
    REQUIRE_EQ(fa_warehouse_add(&st, &wo, 1, 0), 0);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://%s:5555", st_addr);
    st.proc = start_station(&st, ep);
    REQUIRE(st.proc != NULL);

    char log[1200], outbox[1200], lg_err[1200];
    snprintf(log, sizeof log, "%s/acks.jsonl", st.dir);
    snprintf(outbox, sizeof outbox, "%s/outbox", st.dir);
    snprintf(lg_err, sizeof lg_err, "%s/loadgen.err", st.dir);
    mkdir(outbox, 0755);
    static char lg_bin[4096];
    snprintf(lg_bin, sizeof lg_bin, "%s", fa_bin("fault_loadgen"));
    const char *lg_argv[] = {
        ip_bin, "netns",        "exec", ns_hh,          lg_bin, "--station",       ep,    "--devices",
        "4",    "--log",        log,    "--outbox-dir", outbox, "--timeout-ms",    "700", "--heartbeat-ms",
        "300",  "--empty-bins", "9",    "--think-ms",   "20",   "--drain-seconds", "40",  NULL};
    tt_proc *lg = fa_spawn(lg_argv, NULL, 0, NULL, lg_err);
    REQUIRE(lg != NULL);
    REQUIRE_EQ(wait_acks(log, 100, 15000), 0);

    /* 1: the link goes down for a while and comes back */
    long offline = 0;
    size_t before = count_acks(log, &offline);
    REQUIRE_EQ(link_set("down"), 0);
    tt_sleep_ms(2500);
    size_t during = count_acks(log, &offline);
    long offline1 = offline;
    REQUIRE_EQ(link_set("up"), 0);
    CHECK(offline1 > 0);
    CHECK(during - before < 20); /* nothing gets through a cut link (a few replies were in flight) */
    CHECK_EQ(wait_acks(log, during + 100, 20000), 0);

    /* 2: offline again, and the station is killed and restarted meanwhile */
    REQUIRE_EQ(link_set("down"), 0);
    tt_sleep_ms(1500);
    tt_proc_kill(st.proc, SIGKILL);
    tt_proc_wait(st.proc, 3000);
    tt_proc_stop(&st.proc);
    fa_acks a = {0};
    fa_acks_load(&a, log);
    CHECK_EQ(fa_check(st.db, &a, 0, stderr), 0);
    fa_acks_free(&a);
    st.proc = start_station(&st, ep);
    REQUIRE(st.proc != NULL);
    tt_sleep_ms(1000);
    size_t cut2 = count_acks(log, &offline);
    REQUIRE_EQ(link_set("up"), 0);
    CHECK(offline > offline1);
    CHECK_EQ(wait_acks(log, cut2 + 100, 20000), 0);

    tt_proc_kill(lg, SIGTERM);
    CHECK_EQ(tt_proc_wait(lg, 60000), 0);
    tt_proc_stop(&lg);
    CHECK_EQ(tt_proc_stop(&st.proc), 0);

    fa_acks_load(&a, log);
    CHECK_EQ(a.violations, 0);
    CHECK_EQ(a.drained, 1);
    CHECK_EQ(fa_check(st.db, &a, FA_FINAL, stderr), 0);
    tote_store *s = fx_store(&st);
    long long replays = fx_q(s, "SELECT COUNT(*) FROM event WHERE kind = 'offline_replay'", NULL);
    tote_store_destroy(&s);
    fprintf(stderr,
            "netfault: %zu acknowledgements, %ld offline periods, %lld requests replayed from outboxes\n",
            a.n, offline, replays);
    CHECK(replays > 0);
    fa_acks_free(&a);
    cleanup_namespaces();
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_link_cuts_and_offline_restart))
