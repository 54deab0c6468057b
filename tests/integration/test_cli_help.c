/* `tote VERB --help`, run as the real binary for every verb `tote --help`
 * lists: exit 0, the verb's usage on stdout, nothing on stderr, and no side
 * effect (the database named by TOTE_DB is never created). A usage error
 * without --help still exits 2 on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "test.h"

static char *dir;
static char db[600], dbenv[620];

static void cleanup(void)
{
    if (dir)
        tt_rmrf(dir);
    free(dir);
    dir = NULL;
}

static void setup(void)
{
    if (dir)
        return;
    dir = tt_tmpdir("cli-help");
    snprintf(db, sizeof db, "%s/never.db", dir ? dir : "/nonexistent");
    snprintf(dbenv, sizeof dbenv, "TOTE_DB=%s", db);
    atexit(cleanup);
}

/* Runs tote with up to three arguments; returns the exit status. */
static int run(char **out, char **err, const char *a1, const char *a2, const char *a3)
{
    setup();
    const char *argv[] = {tt_bin("tote"), a1, a2, a3, NULL};
    const char *env[] = {dbenv, NULL};
    return tt_run(argv, env, NULL, 10000, out, err);
}

/* The verbs `tote --help` lists: the first word of each indented line after
 * "Verbs:". Returns how many were stored in names. */
static int listed_verbs(char names[][32], int cap)
{
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, "--help", NULL, NULL);
    CHECK_EQ(rc, 0);
    int n = 0;
    const char *p = out ? strstr(out, "Verbs:\n") : NULL;
    if (p)
        p += strlen("Verbs:\n");
    while (p && *p == ' ' && n < cap) {
        char word[32];
        if (sscanf(p, " %31s", word) == 1)
            memcpy(names[n++], word, sizeof word);
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    free(out);
    free(err);
    return n;
}

static void check_help(const char *verb, const char *sub)
{
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, verb, sub ? sub : "--help", sub ? "--help" : NULL);
    char want[64];
    snprintf(want, sizeof want, "usage: tote %.40s", verb);
    if (rc != 0 || !out || strncmp(out, want, strlen(want)) != 0 || (err && err[0]))
        tt_fail_msg(__FILE__, __LINE__, "tote %s%s%s --help: exit %d, stdout \"%.120s\", stderr \"%.200s\"",
                    verb, sub ? " " : "", sub ? sub : "", rc, out ? out : "", err ? err : "");
    free(out);
    free(err);
}

static void test_every_verb_has_help(void)
{
    char names[64][32];
    int n = listed_verbs(names, 64);
    REQUIRE_INT(n, >=, 18);
    for (int i = 0; i < n; i++) {
        check_help(names[i], NULL);
        /* also after a subcommand and its arguments: `tote order list --help` */
        check_help(names[i], "list");
    }
    /* no verb did anything: the database was never created */
    CHECK(access(db, F_OK) != 0);
}

static void test_help_does_not_act(void)
{
    /* these would create, change or import something without --help */
    static const char *const cases[][3] = {
        {"init", "--help", NULL},     {"import", "shopify-orders", "--help"},
        {"wave", "create", "--help"}, {"device", "add", "--help"},
        {"config", "set", "--help"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL, *err = NULL;
        int rc = run(&out, &err, cases[i][0], cases[i][1], cases[i][2]);
        CHECK_EQ(rc, 0);
        CHECK_HAS(out, "usage: tote ");
        free(out);
        free(err);
    }
    CHECK(access(db, F_OK) != 0);
}

/* A verb with subcommands lists each one's options, whichever subcommand --help follows, as every verb
 * does (`tote device --help` once said only "add|list|revoke|rekey ..."). */
static void test_subcommand_help_lists_options(void)
{
    static const char *const device_opts[] = {"add NAME",
                                              "--role picker|packer|bench|console",
                                              "--label-printer",
                                              "--slip-printer",
                                              "--endpoint",
                                              "--events",
                                              "-o ENROLMENT_FILE",
                                              "list [--json]",
                                              "revoke NAME",
                                              "rekey NAME",
                                              NULL};
    static const char *const operator_opts[] = {"add NAME",
                                                "--role picker|packer|supervisor|admin",
                                                "--badge CODE",
                                                "--label FILE.png|FILE.pdf",
                                                "--zpl",
                                                "--dpi 203|300",
                                                "list [--json]",
                                                "badge NAME",
                                                "-o FILE.png|FILE.pdf",
                                                NULL};
    static const struct {
        const char *verb, *sub;
        const char *const *opts;
    } cases[] = {
        {"device", NULL, device_opts},      {"device", "add", device_opts},
        {"device", "list", device_opts},    {"device", "revoke", device_opts},
        {"device", "rekey", device_opts},   {"operator", NULL, operator_opts},
        {"operator", "add", operator_opts}, {"operator", "badge", operator_opts},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL, *err = NULL;
        int rc = run(&out, &err, cases[i].verb, cases[i].sub ? cases[i].sub : "--help",
                     cases[i].sub ? "--help" : NULL);
        CHECK_EQ(rc, 0);
        CHECK_STR(err, "");
        for (const char *const *o = cases[i].opts; *o; o++)
            if (!out || !strstr(out, *o))
                tt_fail_msg(__FILE__, __LINE__, "tote %s %s --help does not list \"%s\": \"%s\"",
                            cases[i].verb, cases[i].sub ? cases[i].sub : "", *o, out ? out : "");
        CHECK(!out || !strstr(out, " ...")); /* nothing left out */
        free(out);
        free(err);
    }
    /* an unknown subcommand is a usage error that shows them all */
    char *out = NULL, *err = NULL;
    CHECK_EQ(run(&out, &err, "device", "frobnicate", NULL), 2);
    CHECK_HAS(err, "unknown subcommand 'device frobnicate'");
    CHECK_HAS(err, "--label-printer");
    free(out);
    free(err);
    CHECK(access(db, F_OK) != 0);
}

static void test_usage_error_still_exits_2(void)
{
    char *out = NULL, *err = NULL;
    int rc = run(&out, &err, "order", "frobnicate", NULL);
    CHECK_EQ(rc, 2);
    CHECK_STR(out, "");
    CHECK_HAS(err, "usage: tote order");
    free(out);
    free(err);
    /* an argument after "--" is data, not a request for help */
    rc = run(&out, &err, "barcode", "parse", "--");
    CHECK_EQ(rc, 2);
    free(out);
    free(err);
    rc = run(&out, &err, "nosuchverb", "--help", NULL);
    CHECK_EQ(rc, 2);
    CHECK_HAS(err, "unknown verb");
    free(out);
    free(err);
}

TT_MAIN(TT_TEST(test_every_verb_has_help), TT_TEST(test_help_does_not_act),
        TT_TEST(test_subcommand_help_lists_options), TT_TEST(test_usage_error_still_exits_2))
