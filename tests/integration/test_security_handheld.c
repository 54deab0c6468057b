/*
 * The real tote-handheld against a real `tote serve` (CURVE): when the
 * station's ZAP handler refuses the handheld's key at the handshake, the
 * handheld says so (a KEY_REFUSED error event naming the fix) instead of
 * only "offline". Unenrolled keys, a revoked device, and a control run with
 * a good enrolment that must not show it.
 */
#include <sys/stat.h>

#include "fixture_server.h"

/* Runs tote-handheld --enrol path --json with an empty stdin scanner (it
 * exits 1 once the station has not answered); its stdout into *out. */
static int run_handheld(fx_station *st, const char *path, const char *outbox, char **out, char **err)
{
    static char hh[4096];
    snprintf(hh, sizeof hh, "%s", tt_bin("tote-handheld"));
    char ob[1200];
    snprintf(ob, sizeof ob, "%s/%s", st->dir, outbox);
    const char *argv[] = {hh, "--enrol", path, "--scanner", "stdin", "--outbox", ob, "--json", NULL};
    return tt_run(argv, NULL, "", 20000, out, err);
}

static void test_unenrolled_keys_are_told(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-hh-ghost"), 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    /* a well-formed enrolment file with the station's key and fresh keys the
     * station never saw */
    tote_keypair station, kp;
    REQUIRE_EQ(tote_security_station_key(st.db, 0, &station, NULL), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_keypair_new(&kp), TOTE_ST_E_OK);
    tote_enrolment en;
    memset(&en, 0, sizeof en);
    snprintf(en.device, sizeof en.device, "hh-ghost");
    snprintf(en.role, sizeof en.role, "picker");
    snprintf(en.station, sizeof en.station, "%s", st.ep);
    snprintf(en.events, sizeof en.events, "%s", st.pub_ep);
    snprintf(en.station_public_key, sizeof en.station_public_key, "%s", station.public_z85);
    snprintf(en.public_key, sizeof en.public_key, "%s", kp.public_z85);
    snprintf(en.secret_key, sizeof en.secret_key, "%s", kp.secret_z85);
    char path[1200];
    snprintf(path, sizeof path, "%s/ghost.enrol", st.dir);
    REQUIRE_EQ(tote_enrolment_save(path, &en), 0);

    char *out = NULL, *herr = NULL;
    CHECK_EQ(run_handheld(&st, path, "ghost.outbox", &out, &herr), 1);
    CHECK_HAS(herr, "refuses this handheld's key");
    free(herr);
    CHECK_HAS(out, "\"event\":\"error\",\"code\":\"KEY_REFUSED\"");
    CHECK_HAS(out, "the station refused this handheld's key (not enrolled or revoked");
    CHECK_HAS(out, "tote device add hh-ghost");
    CHECK_HAS(out, "--enrol FILE");
    /* said once, not once per reconnection */
    const char *first = out ? strstr(out, "KEY_REFUSED") : NULL;
    CHECK(first && !strstr(first + 1, "KEY_REFUSED"));
    free(out);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "unknown key (not enrolled)");
    free(err);
    fx_station_done(&st);
}

static void test_revoked_device_is_told_and_good_one_is_not(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-hh-revoked"), 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    char good[1200], bad[1200];
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-good", "picker", good, sizeof good), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-lost", "picker", bad, sizeof bad), 0);
    char *out = NULL;
    REQUIRE_EQ(fx_cli(&st, &out, "device", "revoke", "hh-lost", NULL), 0);
    free(out);

    out = NULL;
    CHECK_EQ(run_handheld(&st, bad, "lost.outbox", &out, NULL), 1);
    CHECK_HAS(out, "\"code\":\"KEY_REFUSED\"");
    CHECK_HAS(out, "not enrolled or revoked");
    CHECK_HAS(out, "tote device rekey hh-lost");
    free(out);

    /* control: an enrolled device gets through and hears no such thing */
    out = NULL;
    static char hh[4096];
    snprintf(hh, sizeof hh, "%s", tt_bin("tote-handheld"));
    char ob[1200];
    snprintf(ob, sizeof ob, "%s/good.outbox", st.dir);
    const char *argv[] = {hh, "--enrol", good, "--scanner", "stdin", "--outbox", ob, "--json", NULL};
    CHECK_EQ(tt_run(argv, NULL, "", 20000, &out, NULL), 0);
    CHECK_HAS(out, "\"event\":\"hello_ok\"");
    CHECK(out && !strstr(out, "KEY_REFUSED"));
    free(out);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_unenrolled_keys_are_told), TT_TEST(test_revoked_device_is_told_and_good_one_is_not))
