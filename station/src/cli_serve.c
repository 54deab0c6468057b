/* tote serve: the station daemon (see station/SERVER.md). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli_internal.h"
#include "tote/config.h"
#include "tote/server.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int parse_int(const char *v, int min, int max, int *out)
{
    if (!v || !*v)
        return -1;
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (*end || n < min || n > max)
        return -1;
    *out = (int)n;
    return 0;
}

int tote_cmd_serve(const tote_cli_ctx *ctx, int argc, char **argv)
{
    tote_server_config cfg;
    tote_server_config_default(&cfg);
    cfg.db_path = ctx->db_path;
    const char *listen = tote_cli_take_opt(&argc, argv, "--listen");
    const char *events = tote_cli_take_opt(&argc, argv, "--events");
    const char *lease = tote_cli_take_opt(&argc, argv, "--lease-seconds");
    const char *hb = tote_cli_take_opt(&argc, argv, "--heartbeat-ms");
    const char *batch = tote_cli_take_opt(&argc, argv, "--batch-max");
    cfg.insecure = tote_cli_take_flag(&argc, argv, "--insecure");
    if (listen) {
        if (!*listen)
            return tote_cli_fail(TOTE_EXIT_USAGE, "--listen needs an endpoint such as tcp://*:5555");
        cfg.listen = listen;
    }
    if (events) {
        if (!*events)
            return tote_cli_fail(TOTE_EXIT_USAGE, "--events needs an endpoint such as tcp://*:5556");
        cfg.events = events;
    }
    if (lease && parse_int(lease, 1, 86400, &cfg.lease_seconds) != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--lease-seconds needs a whole number from 1 to 86400");
    if (!lease) { /* the warehouse's setting (tote config set lease_seconds N), else its default */
        tote_store *s = NULL;
        if (tote_store_open(ctx->db_path, 0, &s, NULL) == TOTE_ST_E_OK)
            cfg.lease_seconds = (int)tote_config_int(s, "lease_seconds", cfg.lease_seconds);
        tote_store_destroy(&s);
    }
    if (hb && parse_int(hb, 100, 600000, &cfg.heartbeat_ms) != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--heartbeat-ms needs a whole number from 100 to 600000");
    if (batch && parse_int(batch, 1, 65536, &cfg.batch_max) != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--batch-max needs a whole number from 1 to 65536");
    if (argc > 1)
        return tote_cli_fail(TOTE_EXIT_USAGE,
                             "unexpected argument '%s' (usage: tote serve [--listen EP] [--events EP] "
                             "[--lease-seconds N] [--heartbeat-ms N] [--batch-max N] [--insecure])",
                             argv[1]);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    cfg.stop_flag = &stop_requested;
    /* one descriptor per connected handheld: allow as many as the system lets us */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    tote_server *srv = NULL;
    char *msg = NULL;
    tote_st_err e = tote_server_new(&cfg, &srv, &msg);
    if (e != TOTE_ST_E_OK) {
        int code = e == TOTE_ST_E_NOT_FOUND ? TOTE_EXIT_USAGE : TOTE_EXIT_FAIL;
        tote_cli_fail(code, "%s", msg ? msg : tote_st_strerror(e));
        free(msg);
        return code;
    }
    fprintf(stderr, "tote serve: listening on %s, events on %s (lease %d s, heartbeat %d ms, %s)\n",
            tote_server_listen_endpoint(srv), tote_server_events_endpoint(srv), cfg.lease_seconds,
            cfg.heartbeat_ms, cfg.insecure ? "INSECURE plain text" : "CURVE");
    e = tote_server_run(srv);
    tote_server_stats st;
    tote_server_get_stats(srv, &st);
    fprintf(
        stderr,
        "tote serve: stopped after %llu requests in %llu transactions (largest %llu, %llu resends, %llu "
        "errors, %llu undeliverable, %llu batches applied again, %llu WAL syncs, %llu replies sent during "
        "a later batch, %llu snapshots answered off the loop); apply %.2f s, commit "
        "%.2f s, messaging %.2f s; in the station p50 %.2f ms, p99 %.2f ms, max %.2f ms; WAL sync p50 %.2f "
        "ms, p99 %.2f ms, max %.2f ms; WAL restarted %llu times by the checkpoint thread, checkpointed %llu "
        "times on the loop; the thread's FULL checkpoints held the write lock p50 %.2f ms, max %.2f ms; "
        "the loop paused reading %llu times for two unsynced commits, %.2f s in all\n",
        st.requests, st.batches, st.max_batch, st.resends, st.errors, st.dropped, st.redone, st.syncs,
        st.early, st.snapshots, st.apply_us / 1e6, st.commit_us / 1e6, st.io_us / 1e6, st.reply_p50_ms,
        st.reply_p99_ms, st.reply_max_ms, st.sync_p50_ms, st.sync_p99_ms, st.sync_max_ms, st.wal_restarts,
        st.loop_checkpoints, st.full_hold_p50_ms, st.full_hold_max_ms, st.pauses, st.paused_us / 1e6);
    tote_server_destroy(&srv);
    return e == TOTE_ST_E_OK ? TOTE_EXIT_OK : TOTE_EXIT_FAIL;
}
