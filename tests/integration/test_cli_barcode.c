/* `tote barcode parse`, run as the real binary: human and JSON output, the
 * same GTIN from every form, own barcodes, and exit code 2 with a one-line
 * error for every kind of bad input. */
#include <cjson/cJSON.h>
#include <sys/stat.h>

#include "support.h"
#include "test.h"

static char *dir;
static char dbenv[600];

static void setup(void);

/* Runs `tote barcode ARGS...`; returns the exit status. */
static int run(char **out, char **err, const char *a1, const char *a2, const char *a3)
{
    setup();
    const char *argv[] = {tt_bin("tote"), "barcode", a1, a2, a3, NULL};
    const char *env[] = {dbenv, NULL};
    return tt_run(argv, env, NULL, 10000, out, err);
}

/* Runs `tote barcode parse --json DATA` and parses the one line of output. */
static cJSON *run_json(const char *data)
{
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, "parse", "--json", data);
    cJSON *j = NULL;
    if (rc != 0) {
        tt_fail_msg(__FILE__, __LINE__, "tote barcode parse --json %s: exit %d, stderr %s", data, rc, err);
    } else {
        size_t n = strlen(out);
        if (n == 0 || out[n - 1] != '\n' || strchr(out, '\n') != out + n - 1)
            tt_fail_msg(__FILE__, __LINE__, "%s: expected exactly one line, got \"%s\"", data, out);
        j = cJSON_Parse(out);
        if (!j || !cJSON_IsObject(j))
            tt_fail_msg(__FILE__, __LINE__, "%s: not a JSON object: %s", data, out);
        if (err[0])
            tt_fail_msg(__FILE__, __LINE__, "%s: unexpected stderr %s", data, err);
    }
    free(out);
    free(err);
    return j;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int has(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key) != NULL;
}

static void test_human_output(void)
{
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, "parse",
                 "]C1"
                 "0109506000134352"
                 "17250200"
                 "10LOT7<GS>3103001250",
                 NULL);
    REQUIRE_EQ(rc, 0);
    CHECK_STR(err, "");
    CHECK_HAS(out, "symbology: gs1-128");
    CHECK_HAS(out, "kind: gtin");
    CHECK_HAS(out, "(01) GTIN: 09506000134352\n");
    CHECK_HAS(out, "(17) USE BY OR EXPIRY: 250200\n");
    CHECK_HAS(out, "(10) BATCH/LOT: LOT7\n");
    CHECK_HAS(out, "(3103) NET WEIGHT (kg): 001250\n");
    CHECK_HAS(out, "gtin14: 09506000134352\n");
    CHECK_HAS(out, "lot: LOT7\n");
    CHECK_HAS(out, "expiry: 2025-02-28\n");
    CHECK_HAS(out, "net weight: 1.25 kg\n");
    free(out);
    free(err);

    rc = run(&out, &err, "parse", "ORD-#1001/2", NULL);
    REQUIRE_EQ(rc, 0);
    CHECK_HAS(out, "kind: order\n");
    CHECK_HAS(out, "code: #1001\n");
    CHECK_HAS(out, "package: 2\n");
    free(out);
    free(err);
}

static void test_json_gs1(void)
{
    cJSON *j = run_json("]C1"
                        "0109506000134352"
                        "17240200"
                        "10LOT7\\x1D"
                        "21SN1<GS>"
                        "3103001250"
                        "\\x1D"
                        "3712");
    REQUIRE(j != NULL);
    CHECK_STR(str(j, "symbology"), "gs1-128");
    CHECK_STR(str(j, "kind"), "gtin");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "gs1")));
    const cJSON *ais = cJSON_GetObjectItemCaseSensitive(j, "ais");
    REQUIRE(cJSON_IsArray(ais));
    REQUIRE_EQ(cJSON_GetArraySize(ais), 6);
    static const char *const want[6][2] = {{"01", "09506000134352"}, {"17", "240200"},
                                           {"10", "LOT7"},           {"21", "SN1"},
                                           {"3103", "001250"},       {"37", "12"}};
    for (int i = 0; i < 6; i++) {
        const cJSON *a = cJSON_GetArrayItem(ais, i);
        CHECK_STR(str(a, "ai"), want[i][0]);
        CHECK_STR(str(a, "value"), want[i][1]);
    }
    CHECK_STR(str(j, "gtin14"), "09506000134352");
    CHECK_STR(str(j, "lot"), "LOT7");
    CHECK_STR(str(j, "expiry"), "2024-02-29"); /* DD=00 in a leap February */
    CHECK_STR(str(j, "serial"), "SN1");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "count");
    REQUIRE(cJSON_IsNumber(c));
    CHECK_EQ(c->valuedouble, 12);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(j, "net_weight_kg");
    REQUIRE(cJSON_IsNumber(w));
    CHECK(w->valuedouble > 1.2499 && w->valuedouble < 1.2501);
    CHECK(!has(j, "sscc"));
    CHECK(!has(j, "code"));
    CHECK(!has(j, "package_no"));
    cJSON_Delete(j);

    j = run_json("(00)106141411234567897");
    REQUIRE(j != NULL);
    CHECK_STR(str(j, "kind"), "sscc");
    CHECK_STR(str(j, "sscc"), "106141411234567897");
    CHECK_STR(str(j, "symbology"), "unknown");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "gs1")));
    CHECK(!has(j, "gtin14"));
    cJSON_Delete(j);
}

static void test_json_same_gtin_every_form(void)
{
    const char *forms[] = {"]E00036000291452", "036000291452", "00036000291452", "]C10100036000291452"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        cJSON *j = run_json(forms[i]);
        if (!j)
            continue;
        CHECK_STR(str(j, "kind"), "gtin");
        CHECK_STR(str(j, "gtin14"), "00036000291452");
        CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "ais")));
        cJSON_Delete(j);
    }
}

static void test_json_own_and_other(void)
{
    static const struct {
        const char *data, *kind, *code;
        int package_no; /* -1: key absent */
    } v[] = {
        {"BIN-A-01-02", "bin", "A-01-02", -1}, {"TOTE-0042", "tote", "0042", -1},
        {"ORD-#1001", "order", "#1001", 0},    {"ORD-#1001/2", "order", "#1001", 2},
        {"BADGE-7", "badge", "7", -1},         {"RR123456785IT", "tracking", "RR123456785IT", -1},
        {"]C0HELLO", "unknown", "HELLO", -1},  {"hello world", "unknown", "hello world", -1},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        cJSON *j = run_json(v[i].data);
        if (!j)
            continue;
        CHECK_STR(str(j, "kind"), v[i].kind);
        CHECK_STR(str(j, "code"), v[i].code);
        CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "gs1")));
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "package_no");
        if (v[i].package_no < 0)
            CHECK(p == NULL);
        else
            TT_CHECK_(cJSON_IsNumber(p) && p->valueint == v[i].package_no, TT_NOTHING, "%s: package_no",
                      v[i].data);
        CHECK(!has(j, "gtin14"));
        cJSON_Delete(j);
    }
    cJSON *j = run_json("]C0HELLO");
    if (j) {
        CHECK_STR(str(j, "symbology"), "code128");
        cJSON_Delete(j);
    }
}

static void test_bad_data_exits_2(void)
{
    static const struct {
        const char *data, *msg;
    } v[] = {
        {"]C10109506000134353", "AI (01): bad check digit 3, expected 2"},
        {"]C10109506000134352"
         "17251301",
         "AI (17): invalid date 251301 (month 13)"},
        {"]C12399", "unknown AI"},
        {"]C110LOT1234567890"
         "21SERIAL12",
         "AI (10): value is 23 characters, at most 20 allowed (missing GS separator?)"},
        {"(01)09506000134352(10)A(10)B", "AI (10): appears twice with different values"},
        {"036000291453", "bad check digit 3, expected 2"},
        {"]E04006381333932", "EAN-13 4006381333932: bad check digit 2, expected 1"},
        {"RR123456784IT", "S10 tracking number RR123456784IT: bad check digit 4, expected 5"},
        {"BIN-", "has no code"},
        {"", "empty scan"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        for (int json = 0; json <= 1; json++) {
            char *out = NULL, *err = NULL;
            int rc = json ? run(&out, &err, "parse", "--json", v[i].data)
                          : run(&out, &err, "parse", v[i].data, NULL);
            TT_CHECK_(rc == 2, TT_NOTHING, "%s: exit %d, want 2", v[i].data, rc);
            CHECK_STR(out, "");
            CHECK_HAS(err, v[i].msg);
            /* one line */
            size_t n = strlen(err);
            TT_CHECK_(n > 0 && err[n - 1] == '\n' && strchr(err, '\n') == err + n - 1, TT_NOTHING,
                      "%s: stderr is not one line: %s", v[i].data, err);
            free(out);
            free(err);
        }
    }
}

static void test_usage_errors(void)
{
    static const char *const args[][3] = {
        {NULL, NULL, NULL},        /* tote barcode */
        {"parse", NULL, NULL},     /* no DATA */
        {"parse", "a", "b"},       /* two DATA */
        {"frobnicate", "x", NULL}, /* unknown command */
        {"parse", "--jsn", "x"},   /* unknown option */
    };
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++) {
        char *out = NULL, *err = NULL;
        int rc = run(&out, &err, args[i][0], args[i][1], args[i][2]);
        TT_CHECK_(rc == 2, TT_NOTHING, "usage case %zu: exit %d, want 2 (stderr %s)", i, rc, err);
        CHECK(strlen(err) > 0);
        free(out);
        free(err);
    }
    char *out = NULL, *err = NULL;
    CHECK_EQ(run(&out, &err, "parse", "--help", NULL), 0);
    CHECK_HAS(out, "usage: tote barcode parse");
    free(out);
    free(err);
    /* "--" lets DATA start with dashes */
    CHECK_EQ(run(&out, &err, "parse", "--", "--x"), 0);
    CHECK_HAS(out, "code: --x");
    free(out);
    free(err);
}

static void test_no_database_needed(void)
{
    char *out = NULL, *err = NULL;
    CHECK_EQ(run(&out, &err, "parse", "BIN-A1", NULL), 0);
    struct stat sb;
    CHECK(stat(dbenv + strlen("TOTE_DB="), &sb) != 0); /* not created */
    free(out);
    free(err);
}

static void cleanup(void)
{
    if (dir)
        tt_rmrf(dir);
    free(dir);
    dir = NULL;
}

/* the temporary directory holding the database path that must stay unused;
 * removed at exit, whichever tests ran */
static void setup(void)
{
    if (dir)
        return;
    dir = tt_tmpdir("cli-barcode");
    snprintf(dbenv, sizeof dbenv, "TOTE_DB=%s/never.db", dir ? dir : "/nonexistent");
    atexit(cleanup);
}

TT_MAIN(TT_TEST(test_human_output), TT_TEST(test_json_gs1), TT_TEST(test_json_same_gtin_every_form),
        TT_TEST(test_json_own_and_other), TT_TEST(test_bad_data_exits_2), TT_TEST(test_usage_errors),
        TT_TEST(test_no_database_needed))
