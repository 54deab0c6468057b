/* Store basics: create, migrate, reopen, refuse newer and non-database files, read-only opens. */
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"
#include "test.h"
#include "tote/store.h"

static char *dir;

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", dir, name);
}

static void test_create_and_reopen(void)
{
    char p[512];
    path_in(p, sizeof p, "a.db");
    tote_store *s = NULL;
    char *msg = NULL;
    REQUIRE_EQ(tote_store_open(p, 0, &s, &msg), TOTE_ST_E_NOT_FOUND);
    CHECK(s == NULL);
    CHECK_HAS(msg, "tote init");
    free(msg);
    REQUIRE_EQ(tote_store_open(p, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    struct stat sb;
    REQUIRE_EQ(stat(p, &sb), 0);
    CHECK_EQ(sb.st_mode & 0777, 0640);
    long long v = 0;
    CHECK_EQ(tote_store_counter_next(s, "x", &v), TOTE_ST_E_OK);
    CHECK_EQ(v, 1);
    CHECK_EQ(tote_store_counter_next(s, "x", &v), TOTE_ST_E_OK);
    CHECK_EQ(v, 2);
    CHECK_EQ(tote_store_setting_set(s, "weight_tolerance_pct", "7"), TOTE_ST_E_OK);
    tote_store_destroy(&s);
    CHECK(s == NULL);
    tote_store_destroy(&s); /* NULL-safe */
    REQUIRE_EQ(tote_store_open(p, 0, &s, NULL), TOTE_ST_E_OK);
    CHECK_EQ(tote_store_setting_int(s, "weight_tolerance_pct", 5), 7);
    CHECK_EQ(tote_store_setting_int(s, "missing", 5), 5);
    tote_store_destroy(&s);
}

static void test_event_log_is_append_only(void)
{
    char p[512];
    path_in(p, sizeof p, "b.db");
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(p, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    CHECK_EQ(tote_store_event(s, "alice", NULL, "order.release", "order", "#1001", "{}"), TOTE_ST_E_OK);
    char *err = NULL;
    int rc = sqlite3_exec(tote_store_db(s), "DELETE FROM event", NULL, NULL, &err);
    CHECK(rc != SQLITE_OK);
    CHECK_HAS(err, "append-only");
    sqlite3_free(err);
    rc = sqlite3_exec(tote_store_db(s), "UPDATE event SET actor = 'mallory'", NULL, NULL, &err);
    CHECK(rc != SQLITE_OK);
    sqlite3_free(err);
    tote_store_destroy(&s);
}

static void test_newer_schema_refused(void)
{
    char p[512];
    path_in(p, sizeof p, "c.db");
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(p, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d", tote_store_schema_version() + 1);
    REQUIRE_EQ(sqlite3_exec(tote_store_db(s), sql, NULL, NULL, NULL), SQLITE_OK);
    tote_store_destroy(&s);
    char *msg = NULL;
    CHECK_EQ(tote_store_open(p, 0, &s, &msg), TOTE_ST_E_SCHEMA_NEWER);
    CHECK_HAS(msg, "newer");
    free(msg);
}

static void test_not_a_database(void)
{
    char p[512];
    path_in(p, sizeof p, "d.db");
    const char junk[] = "this is not an SQLite file, it is a shopping list: milk, eggs, totes\n"
                        "and it goes on for a while so that SQLite reads a whole header page.....";
    REQUIRE_EQ(tt_write_file(p, junk, sizeof junk), 0);
    tote_store *s = NULL;
    char *msg = NULL;
    CHECK_EQ(tote_store_open(p, 0, &s, &msg), TOTE_ST_E_CORRUPT);
    CHECK_HAS(msg, "not a Tote database");
    free(msg);
}

static void test_older_schema_upgraded(void)
{
    char p[512];
    path_in(p, sizeof p, "e.db");
    /* an empty SQLite file is schema version 0: opening upgrades it */
    sqlite3 *db = NULL;
    REQUIRE_EQ(sqlite3_open(p, &db), SQLITE_OK);
    REQUIRE_EQ(sqlite3_exec(db, "PRAGMA user_version = 0; CREATE TABLE keep(x);", NULL, NULL, NULL),
               SQLITE_OK);
    sqlite3_close(db);
    tote_store *s = NULL;
    char *msg = NULL;
    CHECK_EQ(tote_store_open(p, TOTE_STORE_NO_MIGRATE, &s, &msg), TOTE_ST_E_STATE);
    CHECK_HAS(msg, "tote init");
    free(msg);
    REQUIRE_EQ(tote_store_open(p, 0, &s, NULL), TOTE_ST_E_OK);
    sqlite3_stmt *st = tote_store_stmt(s, "PRAGMA user_version");
    REQUIRE(st != NULL);
    REQUIRE_EQ(sqlite3_step(st), SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(st, 0), tote_store_schema_version());
    sqlite3_reset(st);
    tote_store_destroy(&s);
}

static void test_statement_cache_grows(void)
{
    char p[512];
    path_in(p, sizeof p, "f.db");
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(p, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    /* far more distinct statements than the initial cache holds; each must
       come back as the same cached statement when asked again */
    static sqlite3_stmt *first[1000];
    char sql[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(sql, sizeof sql, "SELECT %d", i);
        first[i] = tote_store_stmt(s, sql);
        REQUIRE(first[i] != NULL);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(sql, sizeof sql, "SELECT %d", i);
        sqlite3_stmt *st = tote_store_stmt(s, sql);
        REQUIRE(st == first[i]);
        REQUIRE_EQ(sqlite3_step(st), SQLITE_ROW);
        CHECK_EQ(sqlite3_column_int(st, 0), i);
        sqlite3_reset(st);
    }
    tote_store_destroy(&s);
}

/* TOTE_STORE_READONLY: reads, refuses every write, changes nothing in the
 * file (an older schema is refused, not upgraded), and is no way to create. */
static void test_readonly_open(void)
{
    char p[512];
    path_in(p, sizeof p, "ro.db");
    tote_store *s = NULL;
    char *msg = NULL;
    CHECK_EQ(tote_store_open(p, TOTE_STORE_READONLY | TOTE_STORE_CREATE, &s, &msg), TOTE_ST_E_INVALID);
    CHECK(s == NULL);
    free(msg);
    msg = NULL;
    struct stat sb;
    CHECK(stat(p, &sb) != 0); /* nothing was created */
    CHECK_EQ(tote_store_open(p, TOTE_STORE_READONLY, &s, &msg), TOTE_ST_E_NOT_FOUND);
    CHECK_HAS(msg, "tote init");
    free(msg);
    msg = NULL;
    REQUIRE_EQ(tote_store_open(p, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    CHECK_EQ(tote_store_setting_set(s, "weight_tolerance_pct", "9"), TOTE_ST_E_OK);
    tote_store_destroy(&s);

    REQUIRE_EQ(tote_store_open(p, TOTE_STORE_READONLY, &s, &msg), TOTE_ST_E_OK);
    CHECK(msg == NULL);
    CHECK(sqlite3_db_readonly(tote_store_db(s), "main") == 1);
    CHECK_EQ(tote_store_setting_int(s, "weight_tolerance_pct", 5), 9);
    CHECK_EQ(tote_store_setting_set(s, "weight_tolerance_pct", "3"), TOTE_ST_E_DENIED);
    CHECK_EQ(tote_store_begin(s), TOTE_ST_E_DENIED);
    tote_store_destroy(&s);

    /* schema version 0 with a table of its own: a writing open would upgrade it */
    path_in(p, sizeof p, "ro-old.db");
    sqlite3 *db = NULL;
    REQUIRE_EQ(sqlite3_open(p, &db), SQLITE_OK);
    REQUIRE_EQ(sqlite3_exec(db, "PRAGMA user_version = 0; CREATE TABLE keep(x);", NULL, NULL, NULL),
               SQLITE_OK);
    sqlite3_close(db);
    CHECK_EQ(tote_store_open(p, TOTE_STORE_READONLY, &s, &msg), TOTE_ST_E_STATE);
    CHECK(s == NULL);
    CHECK_HAS(msg, "schema version 0, older than this Tote's");
    CHECK_HAS(msg, "run 'tote init'");
    free(msg);
    REQUIRE_EQ(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    REQUIRE_EQ(sqlite3_prepare_v2(db,
                                  "SELECT (SELECT user_version FROM pragma_user_version), "
                                  "(SELECT journal_mode FROM pragma_journal_mode)",
                                  -1, &st, NULL),
               SQLITE_OK);
    REQUIRE_EQ(sqlite3_step(st), SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(st, 0), 0);                        /* not migrated */
    CHECK_STR((const char *)sqlite3_column_text(st, 1), "delete"); /* nor switched to WAL */
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void setup(void)
{
    dir = tt_tmpdir("store");
}

static void teardown(void)
{
    tt_rmrf(dir);
    free(dir);
}

/* tote_store_destroy(s) with this process's stderr going to the file out:
 * what it wrote (tt_read_file; *len its length if len), NULL on failure. */
static char *destroy_with_stderr_to(tote_store **s, const char *out, size_t *len)
{
    fflush(stderr);
    int saved = dup(2), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (saved < 0 || fd < 0) {
        if (saved >= 0)
            close(saved);
        if (fd >= 0)
            close(fd);
        tote_store_destroy(s);
        return NULL;
    }
    dup2(fd, 2);
    close(fd);
    tote_store_destroy(s);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    return tt_read_file(out, len);
}

/* TOTE_PROFILE_SQL=1: the store counts each statement's runs and VM steps
 * and prints them to stderr when it closes. */
static void test_sql_profile(void)
{
    char p[512], out[512];
    path_in(p, sizeof p, "prof.db");
    path_in(out, sizeof out, "prof.txt");
    tote_store *s = NULL;
    /* a writing open, then a read-only one (the snapshot thread's kind) */
    for (int ro = 0; ro < 2; ro++) {
        setenv("TOTE_PROFILE_SQL", "1", 1);
        tote_st_err e = tote_store_open(p, ro ? TOTE_STORE_READONLY : TOTE_STORE_CREATE, &s, NULL);
        unsetenv("TOTE_PROFILE_SQL");
        REQUIRE_EQ(e, TOTE_ST_E_OK);
        for (int i = 0; i < 3; i++) {
            sqlite3_stmt *st = tote_store_stmt(s, "SELECT COUNT(*) FROM product WHERE sku <> 'x'");
            REQUIRE(st != NULL);
            CHECK_EQ(sqlite3_step(st), SQLITE_ROW);
            sqlite3_reset(st);
        }
        char *txt = destroy_with_stderr_to(&s, out, NULL);
        REQUIRE(txt != NULL);
        CHECK_HAS(txt, "SQL profile of ");
        const char *line = strstr(txt, "SELECT COUNT(*) FROM product WHERE sku <> 'x'");
        REQUIRE(line != NULL);
        while (line > txt && line[-1] != '\n')
            line--;
        unsigned long long runs = 0, steps = 0;
        REQUIRE_EQ(sscanf(line, "%llu %llu", &runs, &steps), 2);
        CHECK_EQ(runs, 3);
        CHECK(steps >= 3); /* a few steps per run, whatever SQLite's plan */
        free(txt);
    }
    /* without the variable: nothing printed */
    REQUIRE_EQ(tote_store_open(p, 0, &s, NULL), TOTE_ST_E_OK);
    size_t len = 1;
    char *txt = destroy_with_stderr_to(&s, out, &len);
    REQUIRE(txt != NULL);
    CHECK_EQ(len, 0);
    free(txt);
}

static void test_all_setup(void)
{
    setup();
    CHECK(dir != NULL);
}

static void test_all_teardown(void)
{
    teardown();
}

TT_MAIN(TT_TEST(test_all_setup), TT_TEST(test_create_and_reopen), TT_TEST(test_event_log_is_append_only),
        TT_TEST(test_newer_schema_refused), TT_TEST(test_not_a_database), TT_TEST(test_older_schema_upgraded),
        TT_TEST(test_statement_cache_grows), TT_TEST(test_readonly_open), TT_TEST(test_sql_profile),
        TT_TEST(test_all_teardown))
