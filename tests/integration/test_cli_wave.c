/*
 * The real `tote` binary on a temporary database: wave create/list/show/
 * backorder and reorder, with --json, and every kind of bad input.
 */
#include <cjson/cJSON.h>

#include "../unit/waves_fixture.h"
#include "support.h"
#include "test.h"

static char *dir;
static char db[1024];

static void cleanup(void)
{
    if (dir) {
        tt_rmrf(dir);
        free(dir);
        dir = NULL;
    }
}

static const char *const env[] = {"TOTE_NOW=" FX_NOW, "TOTE_SYNC=normal", "TOTE_ACTOR=it", NULL};

/* Runs tote --db DB args...; returns the exit status, output in out and err. */
static int tote(char **out, char **err, const char *a1, const char *a2, const char *a3, const char *a4,
                const char *a5)
{
    const char *argv[] = {tt_bin("tote"), "--db", db, a1, a2, a3, a4, a5, NULL};
    return tt_run(argv, env, NULL, 20000, out, err);
}

/* A warehouse: 3 products, 4 bins, 5 released orders (one rush, one short). */
static void build_db(void)
{
    if (dir)
        cleanup(); /* a test of its own: a fresh warehouse */
    else
        atexit(cleanup);
    dir = tt_tmpdir("cliwave");
    snprintf(db, sizeof db, "%s/tote.db", dir);
    char *out = NULL, *err = NULL;
    int rc = tote(&out, &err, "init", NULL, NULL, NULL, NULL);
    CHECK_EQ(rc, 0);
    free(out);
    free(err);
    setenv("TOTE_SYNC", "normal", 1);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(db, 0, &s, NULL), TOTE_ST_E_OK);
    long long mug = fx_product(s, "MUG", 0, 20, 50), tea = fx_product(s, "TEA", 1, -1, -1),
              rare = fx_product(s, "RARE", 0, 1, 5);
    fx_stock(s, mug, fx_location(s, "A-01", 10, "bin"), NULL, NULL, 22);
    fx_stock(s, tea, fx_location(s, "B-01", 20, "bin"), "L1", "2024-12-31", 30);
    fx_stock(s, tea, fx_location(s, "B-02", 30, "bin"), "L0", "2024-01-31", 30); /* expired */
    fx_stock(s, rare, fx_location(s, "C-01", 40, "bin"), NULL, NULL, 1);
    for (int i = 0; i < 5; i++) {
        char name[16], at[32];
        snprintf(name, sizeof name, "#10%02d", i);
        snprintf(at, sizeof at, "2024-02-%02dT08:00:00Z", 10 + i);
        /* #1003 also wants 3 RARE: 1 there, 2 backordered */
        fx_ln ln[] = {{mug, 1, 1}, {tea, 2, 1}, {rare, 3, 1}};
        fx_order(s, name, "released", i == 4, 0, 0, NULL, at, ln, i == 3 ? 3 : 2);
    }
    tote_store_destroy(&s);
}

static cJSON *parse(char *text)
{
    cJSON *j = cJSON_Parse(text ? text : "");
    free(text);
    return j;
}

static double num(const cJSON *o, const char *k)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void test_wave_create_list_show_json(void)
{
    build_db();
    char *out = NULL, *err = NULL;
    /* two waves: 3 orders of 2 totes each, then the rest */
    int rc = tote(&out, &err, "wave", "create", "--max-orders", "3", "--totes-per-list=2");
    CHECK_EQ(rc, 0);
    free(err);
    CHECK_HAS(out, "wave 1: 2 pick lists, 3 orders");
    CHECK_HAS(out, "RARE");
    CHECK_HAS(out, "2 allocated orders left for the next wave");
    free(out);
    rc = tote(&out, &err, "wave", "create", "--json", NULL, NULL);
    CHECK_EQ(rc, 0);
    free(err);
    cJSON *j = parse(out);
    REQUIRE(j != NULL);
    CHECK_EQ(num(j, "wave"), 2);
    CHECK_EQ(num(j, "orders"), 2);
    CHECK_EQ(num(j, "orders_allocated"), 0); /* all were allocated by the first run */
    CHECK_EQ(num(j, "backorder_units"), 2);
    cJSON *b0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "backorder"), 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(b0, "order")), "#1003");
    CHECK_EQ(num(b0, "backorder"), 2);
    cJSON_Delete(j);

    rc = tote(&out, &err, "wave", "list", "--json", NULL, NULL);
    CHECK_EQ(rc, 0);
    free(err);
    j = parse(out);
    REQUIRE_EQ(cJSON_GetArraySize(j), 2);
    cJSON *w1 = cJSON_GetArrayItem(j, 1); /* newest first */
    CHECK_EQ(num(w1, "id"), 1);
    CHECK_EQ(num(w1, "pick_lists"), 2);
    CHECK_EQ(num(w1, "orders"), 3);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(w1, "created_by")), "it");
    cJSON_Delete(j);

    rc = tote(&out, &err, "wave", "show", "1", "--json", NULL);
    CHECK_EQ(rc, 0);
    free(err);
    j = parse(out);
    REQUIRE(j != NULL);
    cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "lists"), 0);
    /* the rush order #1004 goes first, in tote 1 of the first list */
    cJSON *t0 = cJSON_GetArrayItem(cJSON_GetObjectItem(l0, "totes"), 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(t0, "order")), "#1004");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(t0, "tote")), "T1-1");
    /* walk order A-01, B-01; the expired lot in B-02 is never used */
    cJSON *tasks = cJSON_GetObjectItem(l0, "tasks_detail");
    CHECK_EQ(cJSON_GetArraySize(tasks), 4);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tasks, 0), "bin")), "A-01");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tasks, 3), "bin")), "B-01");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(tasks, 3), "lot")), "L1");
    cJSON_Delete(j);

    rc = tote(&out, &err, "wave", "show", "2", NULL, NULL);
    CHECK_EQ(rc, 0);
    CHECK_HAS(out, "wave 2");
    CHECK_HAS(out, "C-01");
    free(out);
    free(err);
    rc = tote(&out, &err, "wave", "list", NULL, NULL, NULL);
    CHECK_EQ(rc, 0);
    CHECK_HAS(out, "WAVE");
    free(out);
    free(err);
    rc = tote(&out, &err, "wave", "backorder", "--json", NULL, NULL);
    CHECK_EQ(rc, 0);
    j = parse(out);
    CHECK_EQ(cJSON_GetArraySize(j), 1);
    cJSON_Delete(j);
    free(err);
    /* nothing left to wave is not an error */
    rc = tote(&out, &err, "wave", "create", NULL, NULL, NULL);
    CHECK_EQ(rc, 0);
    CHECK_HAS(out, "no wave");
    free(out);
    free(err);
}

/* --max-lines smaller than the first waiting order: no wave, and the message
 * says why (not "no orders are waiting"). */
static void test_max_lines_below_the_first_order_says_so(void)
{
    build_db();
    char *out = NULL, *err = NULL;
    int rc = tote(&out, &err, "wave", "create", "--max-lines", "1", NULL);
    CHECK_EQ(rc, 0);
    CHECK_HAS(out, "no wave: the first of the 5 waiting orders has more lines than --max-lines 1");
    CHECK(strstr(out, "no allocated orders are waiting") == NULL);
    CHECK(strstr(out, "left for the next wave") == NULL);
    free(out);
    free(err);
}

static void test_reorder_json(void)
{
    char *out = NULL, *err = NULL;
    /* MUG: 22 on hand, 5 reserved -> 17 <= 20; RARE: 1 - 1 = 0 <= 1 */
    int rc = tote(&out, &err, "reorder", "--json", NULL, NULL, NULL);
    CHECK_EQ(rc, 0);
    free(err);
    cJSON *j = parse(out);
    REQUIRE_EQ(cJSON_GetArraySize(j), 2);
    cJSON *first = cJSON_GetArrayItem(j, 0), *second = cJSON_GetArrayItem(j, 1);
    /* most urgent first: MUG 3 below its point, RARE 1 below */
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(first, "sku")), "MUG");
    CHECK_EQ(num(first, "available"), 17);
    CHECK_EQ(num(first, "suggested"), 50);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(second, "sku")), "RARE");
    CHECK_EQ(num(second, "available"), 0);
    CHECK_EQ(num(second, "backorder"), 2);
    CHECK_EQ(num(second, "suggested"), 5);
    cJSON_Delete(j);
    rc = tote(&out, &err, "reorder", NULL, NULL, NULL, NULL);
    CHECK_EQ(rc, 0);
    CHECK_HAS(out, "SUGGESTED");
    CHECK_HAS(out, "MUG");
    free(out);
    free(err);
    /* the crossing was raised once per product, by the allocation */
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(db, 0, &s, NULL), TOTE_ST_E_OK);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM alert WHERE kind = 'reorder'", 0), 2);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM event WHERE kind = 'reorder.point_reached' AND actor = 'it'", 0),
             2);
    CHECK(fx_invariants_hold(s));
    tote_store_destroy(&s);
}

struct bad_case {
    const char *why;
    const char *args[5];
    int code;
    const char *says;
};

static void test_bad_input_is_named(void)
{
    static const struct bad_case cases[] = {
        {"max-orders not a number",
         {"wave", "create", "--max-orders", "lots"},
         2,
         "--max-orders needs a whole number"},
        {"max-orders zero", {"wave", "create", "--max-orders", "0"}, 2, "not '0'"},
        {"max-lines negative", {"wave", "create", "--max-lines=-3"}, 2, "--max-lines needs a whole number"},
        {"max-lines trailing junk", {"wave", "create", "--max-lines", "12x"}, 2, "not '12x'"},
        {"max-orders past a long long",
         {"wave", "create", "--max-orders", "99999999999999999999"},
         2,
         "--max-orders '99999999999999999999' is too large"},
        {"totes overflow",
         {"wave", "create", "--totes-per-list", "99999999999999999999"},
         2,
         "--totes-per-list"},
        {"option without value", {"wave", "create", "--max-orders"}, 2, "--max-orders needs a number"},
        {"stray argument", {"wave", "create", "now"}, 2, "unexpected argument 'now'"},
        {"unknown wave id", {"wave", "show", "999"}, 2, "there is no wave 999"},
        {"wave id not a number", {"wave", "show", "abc"}, 2, "'abc' is not a wave id"},
        {"wave id missing", {"wave", "show"}, 2, "needs a wave id"},
        {"unknown subcommand", {"wave", "explode"}, 2, "unknown wave command 'explode'"},
        {"no subcommand", {"wave"}, 2, "usage: tote wave"},
        {"reorder stray argument", {"reorder", "now"}, 2, "unexpected argument 'now'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct bad_case *c = &cases[i];
        char *out = NULL, *err = NULL;
        int rc = tote(&out, &err, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4]);
        if (rc != c->code)
            tt_fail_msg(__FILE__, __LINE__, "%s: exit %d, wanted %d", c->why, rc, c->code);
        if (!err || !strstr(err, c->says))
            tt_fail_msg(__FILE__, __LINE__, "%s: stderr \"%s\" lacks \"%s\"", c->why, err ? err : "",
                        c->says);
        if (err && strchr(err, '\n') != strrchr(err, '\n'))
            tt_fail_msg(__FILE__, __LINE__, "%s: more than one line on stderr: \"%s\"", c->why, err);
        free(out);
        free(err);
    }
    /* nothing changed: still two waves */
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(db, 0, &s, NULL), TOTE_ST_E_OK);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM wave", 0), 2);
    tote_store_destroy(&s);
    /* a missing database is bad input too */
    const char *argv[] = {tt_bin("tote"), "--db", "/nonexistent/tote.db", "wave", "list", NULL};
    char *out = NULL, *err = NULL;
    CHECK_EQ(tt_run(argv, env, NULL, 20000, &out, &err), 2);
    free(out);
    free(err);
}

/* A wave the database refuses halfway (here a trigger on pick_task, as a
 * constraint or a full disk would) says SQLite's reason and leaves nothing
 * behind: no wave, no allocation, the order still released. */
static void test_failed_wave_says_why_and_writes_nothing(void)
{
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(db, 0, &s, NULL), TOTE_ST_E_OK);
    long long mug = fx_int(s, "SELECT id FROM product WHERE sku = 'MUG'", 0);
    long long o =
        fx_order(s, "#2000", "released", 0, 0, 0, NULL, "2024-02-20T08:00:00Z", FX_LINES({mug, 1, 1}));
    long long allocs = fx_int(s, "SELECT COUNT(*) FROM allocation", 0);
    char *err = NULL;
    REQUIRE(sqlite3_exec(tote_store_db(s),
                         "CREATE TRIGGER no_tasks BEFORE INSERT ON pick_task BEGIN "
                         "SELECT RAISE(ABORT, 'pick tasks refused by the test'); END",
                         NULL, NULL, &err) == SQLITE_OK);
    sqlite3_free(err);
    tote_store_destroy(&s);
    char *out = NULL;
    err = NULL;
    CHECK(tote(&out, &err, "wave", "create", NULL, NULL, NULL) != 0);
    CHECK_HAS(err, "cannot create the wave");
    CHECK_HAS(err, "pick tasks refused by the test");
    free(out);
    free(err);
    REQUIRE_EQ(tote_store_open(db, 0, &s, NULL), TOTE_ST_E_OK);
    char buf[32];
    CHECK_STR(fx_text(s, "SELECT status FROM orders WHERE id = ?1", o, buf, sizeof buf), "released");
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM allocation", 0), allocs);
    CHECK_EQ(fx_int(s, "SELECT COUNT(*) FROM wave", 0), 2);
    tote_store_destroy(&s);
}

TT_MAIN(TT_TEST(test_wave_create_list_show_json), TT_TEST(test_reorder_json),
        TT_TEST(test_bad_input_is_named), TT_TEST(test_failed_wave_says_why_and_writes_nothing),
        TT_TEST(test_max_lines_below_the_first_order_says_so))
