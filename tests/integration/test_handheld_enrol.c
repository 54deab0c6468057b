/*
 * `tote-handheld --station EP --id NAME --role ROLE` (the command line of
 * DESIGN.md §9) against a real `tote serve` with CURVE on: with NAME.enrol in
 * $TOTE_ENROL_DIR the real handheld finds its enrolment and works; without
 * one it refuses to start with a sentence naming --enrol; a file of another
 * device or role is refused.
 */
#include "fixture_server.h"

static void warehouse(fx_station *st)
{
    tote_store *s = fx_store(st);
    char gtin[15];
    fx_gtin("0400638133393", gtin);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, gtin, 1200);
    fx_stock(s, a, "A-01", 10, 20, NULL, NULL);
    const char *skus[] = {"SKU-A"};
    const long long qty[] = {2};
    fx_order(s, "#1001", 0, 1, skus, qty, NULL);
    fx_wave(s, 4);
    char badge[65];
    tote_operator_add(s, "Ana", "picker", "ANA", "test", badge);
    tote_store_destroy(&s);
}

static int run_handheld_badge(fx_station *st, const char *enrol_dir, const char *id, const char *role,
                              const char *badge, char **out, char **err)
{
    static char hh[4096], ob[1200], envdir[1300];
    snprintf(hh, sizeof hh, "%s", tt_bin("tote-handheld"));
    snprintf(ob, sizeof ob, "%s/%s.outbox", st->dir, id);
    snprintf(envdir, sizeof envdir, "TOTE_ENROL_DIR=%s", enrol_dir);
    const char *argv[] = {hh,   "--station",        st->ep, "--id",    id,    "--role",
                          role, "--scanner",        "sim",  "--badge", badge, "--outbox",
                          ob,   "--exit-when-idle", "2",    "--json",  NULL};
    const char *env[] = {envdir, NULL};
    return tt_run(argv, env, NULL, 30000, out, err);
}

static int run_handheld(fx_station *st, const char *enrol_dir, const char *id, const char *role, char **out,
                        char **err)
{
    return run_handheld_badge(st, enrol_dir, id, role, "BADGE-ANA", out, err);
}

static void test_id_finds_its_enrolment_file(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "hh-enrol"), 0);
    warehouse(&st);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    char path[1200], *text = NULL;
    snprintf(path, sizeof path, "%s/hh-ana.enrol", st.dir);
    REQUIRE_EQ(fx_cli(&st, &text, "device", "add", "hh-ana", "--role", "picker", "--endpoint", st.ep,
                      "--events", st.pub_ep, "-o", path, NULL),
               0);
    free(text);

    char *out = NULL, *err = NULL;
    int rc = run_handheld(&st, st.dir, "hh-ana", "picker", &out, &err);
    CHECK_EQ(rc, 0);
    CHECK_HAS(err, "using the enrolment file");
    CHECK_HAS(err, "hh-ana.enrol");
    if (rc != 0)
        fprintf(stderr, "%s\n%s\n", out ? out : "", err ? err : "");
    free(out);
    free(err);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM orders WHERE name = '#1001' AND status = 'picked'", ""), 1);
    CHECK_INT(fx_q(s, "SELECT count(*) FROM scan WHERE device = 'hh-ana' AND operator = 'Ana'", ""), >, 0);
    tote_store_destroy(&s);

    /* the file says picker: asking for another role is refused before connecting */
    out = err = NULL;
    CHECK_EQ(run_handheld(&st, st.dir, "hh-ana", "packer", &out, &err), 2);
    CHECK_HAS(err, "differs from the role picker");
    free(out);
    free(err);
    fx_station_done(&st);
}

static void test_no_enrolment_file_is_refused(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "hh-noenrol"), 0);
    warehouse(&st);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    char *out = NULL, *err = NULL;
    /* an empty enrolment directory: nothing to find */
    CHECK_EQ(run_handheld(&st, st.dir, "hh-nobody", "picker", &out, &err), 2);
    CHECK_HAS(err, "--enrol FILE");
    free(out);
    free(err);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM scan", ""), 0);
    tote_store_destroy(&s);
    fx_station_done(&st);
}

/* --badge takes the badge as `tote operator list` shows it, its code: the handheld scans its barcode and
 * the operator is logged in (as with --badge BADGE-ANA above). */
static void test_badge_as_listed_logs_in(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "hh-badge"), 0);
    warehouse(&st);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    char path[1200], *text = NULL;
    snprintf(path, sizeof path, "%s/hh-ana.enrol", st.dir);
    REQUIRE_EQ(fx_cli(&st, &text, "device", "add", "hh-ana", "--role", "picker", "--endpoint", st.ep,
                      "--events", st.pub_ep, "-o", path, NULL),
               0);
    free(text);
    REQUIRE_EQ(fx_cli(&st, &text, "operator", "list", "--json", NULL), 0);
    cJSON *ops = cJSON_Parse(text ? text : "");
    free(text);
    const char *listed = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(ops, 0), "badge"));
    REQUIRE(listed != NULL);
    CHECK_STR(listed, "ANA");
    char *out = NULL, *err = NULL;
    int rc = run_handheld_badge(&st, st.dir, "hh-ana", "picker", listed, &out, &err);
    CHECK_EQ(rc, 0);
    if (rc != 0)
        fprintf(stderr, "%s\n%s\n", out ? out : "", err ? err : "");
    free(out);
    free(err);
    cJSON_Delete(ops);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM event WHERE kind = 'login' AND actor = 'Ana'", ""), 1);
    CHECK_INT(fx_q(s, "SELECT count(*) FROM scan WHERE device = 'hh-ana' AND operator = 'Ana'", ""), >, 0);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM orders WHERE name = '#1001' AND status = 'picked'", ""), 1);
    tote_store_destroy(&s);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_id_finds_its_enrolment_file), TT_TEST(test_no_enrolment_file_is_refused),
        TT_TEST(test_badge_as_listed_logs_in))
