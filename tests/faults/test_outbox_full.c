/*
 * The handheld's own disk fills: a real `tote-handheld --scanner sim` picks
 * against a real station with its durable outbox on a disk that fills up
 * (the power-loss shim preloaded into the handheld, tracking the outbox:
 * TOTE_PL_FULL_FLAG makes every write that would grow it fail with ENOSPC).
 *
 * A scan that cannot be stored is never sent, so never acknowledged: the
 * handheld says why on its screen (an OUTBOX error event in --json) and in
 * one sentence on stderr, and stops with status 1. Everything it saw
 * acknowledged is in the station's database once. Restarted on the same
 * outbox once there is space, it replays what the outbox still holds, picks
 * the rest, and every request is applied exactly once (faults.h checks).
 */
#include <sys/stat.h>
#include <unistd.h>

#include "warehouse.h"

#ifndef TOTE_PL_SHIM_PATH
#define TOTE_PL_SHIM_PATH "libtote_powerloss_shim.so"
#endif

static tt_proc *handheld(fx_station *st, const char *outbox, const char *json, const char *err,
                         const char *const env[])
{
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote-handheld"));
    const char *argv[] = {bin,         "--insecure",
                          "--station", st->ep,
                          "--id",      "hh-full",
                          "--role",    "picker",
                          "--scanner", "sim",
                          "--json",    "--outbox",
                          outbox,      "--sim-seed",
                          "7",         "--sim-delay-ms",
                          "15",        "--timeout-ms",
                          "400",       "--exit-when-idle",
                          "3",         NULL};
    return fa_spawn(argv, env, 0, json, err);
}

static void test_outbox_disk_full(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "outbox-full"), 0);
    st.insecure = 1;
    fa_warehouse_opts wo;
    fa_warehouse_defaults(&wo);
    wo.seed = 11;
    wo.orders = 60;
    wo.stock2 = 0;
    REQUIRE_EQ(fa_warehouse_add(&st, &wo, 1, 0), 0);
    REQUIRE_EQ(fa_station_start(&st, NULL, 0), 0);

    char outbox[1200], flag[1200], json1[1200], err1[1200], json2[1200], err2[1200];
    snprintf(outbox, sizeof outbox, "%s/hh-full.outbox", st.dir);
    snprintf(flag, sizeof flag, "%s/disk-full", st.dir);
    snprintf(json1, sizeof json1, "%s/hh-1.jsonl", st.dir);
    snprintf(err1, sizeof err1, "%s/hh-1.err", st.dir);
    snprintf(json2, sizeof json2, "%s/hh-2.jsonl", st.dir);
    snprintf(err2, sizeof err2, "%s/hh-2.err", st.dir);
    const char *shim = getenv("TOTE_PL_SHIM");
    char preload[4200], track[1300], full[1300], asan[600];
    snprintf(preload, sizeof preload, "LD_PRELOAD=%s", shim && *shim ? shim : TOTE_PL_SHIM_PATH);
    snprintf(track, sizeof track, "TOTE_PL_TRACK=%s", outbox);
    snprintf(full, sizeof full, "TOTE_PL_FULL_FLAG=%s", flag);
    const char *a = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof asan, "ASAN_OPTIONS=%s%sverify_asan_link_order=0", a ? a : "", a && *a ? ":" : "");
    const char *env[] = {preload, track, full, asan, NULL};

    /* picking until some scans are acknowledged, then the disk is full */
    tt_proc *hh = handheld(&st, outbox, json1, err1, env);
    REQUIRE(hh != NULL);
    fa_acks acks = {0};
    for (int i = 0; i < 200 && acks.n < 20; i++) {
        tt_sleep_ms(50);
        fa_acks_free(&acks);
        fa_acks_load_handheld(&acks, json1, "hh-full");
    }
    REQUIRE(acks.n >= 20);
    fa_acks_free(&acks);
    REQUIRE_EQ(tt_write_file(flag, "", 0), 0);
    CHECK_EQ(tt_proc_wait(hh, 20000), 1);
    tt_proc_stop(&hh);
    size_t len = 0;
    char *out = tt_read_file(json1, &len);
    CHECK_HAS(out, "\"code\":\"OUTBOX\"");
    free(out);
    char *err = tt_read_file(err1, &len);
    char want[1400];
    snprintf(want, sizeof want, "tote-handheld: cannot write the outbox %s: database or disk is full\n",
             outbox);
    CHECK_HAS(err, want);
    free(err);
    fa_acks_load_handheld(&acks, json1, "hh-full");
    long acked = (long)acks.n;
    CHECK_EQ(fa_check_now(&st, &acks, 0, "after the handheld's disk filled"), 0);
    fa_acks_free(&acks);

    /* space again: the same outbox, no shim; the rest is picked and the
       handheld exits when idle */
    unlink(flag);
    hh = handheld(&st, outbox, json2, err2, NULL);
    REQUIRE(hh != NULL);
    CHECK_EQ(tt_proc_wait(hh, 120000), 0);
    tt_proc_stop(&hh);
    CHECK_EQ(fx_station_stop(&st), 0);
    fa_acks_load_handheld(&acks, json1, "hh-full");
    fa_acks_load_handheld(&acks, json2, "hh-full");
    CHECK((long)acks.n > acked);
    CHECK_EQ(fa_check_now(&st, &acks, FA_FINAL, "at the end"), 0);
    fa_acks_free(&acks);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM pick_task WHERE status = 'open'", NULL), 0);
    tote_store_destroy(&s);
    fprintf(stderr, "outbox_full: %ld acknowledged before the disk filled\n", acked);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_outbox_disk_full))
