/*
 * The real `tote` on a database its user may read but not write: a file of mode 0444 in a directory
 * of mode 0555. Every command that only reads works and changes nothing; writing commands say which
 * file is not writable; and the WAL cases of tote/store.h: a running writer's -wal and -shm, a -wal
 * left without its -shm, an older schema.
 *
 * Root ignores file modes, and CI runs as root: then the commands run as the unprivileged user
 * 65534 (nobody) through setpriv (util-linux), from a copy of the binary that user may execute.
 * Run as another user, the modes alone do it.
 */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/orders.h"
#include "tote/stock.h"
#include "tote/store.h"

#define SETPRIV "/usr/bin/setpriv"
#define READER_UID "65534"

static char *dir;       /* 0755: the binary's copy and rodir */
static char rodir[512]; /* the database's directory, 0555 while locked */
static char db[600];    /* rodir/tote.db, 0444 while locked */
static char bin[600];   /* a copy of tote anyone may run */
static char *out, *err;

static int is_root(void)
{
    return geteuid() == 0;
}

/* Runs tote --db path ARGS... (NULL-terminated) as the reader: nobody when this test is root, else
 * this user. Captures out/err; returns the exit status. */
static int run(int as_reader, const char *path, const char *first, va_list ap)
{
    const char *argv[40];
    int n = 0;
    if (as_reader && is_root()) {
        argv[n++] = SETPRIV;
        argv[n++] = "--reuid=" READER_UID;
        argv[n++] = "--regid=" READER_UID;
        argv[n++] = "--clear-groups";
    }
    argv[n++] = bin;
    argv[n++] = "--db";
    argv[n++] = path;
    for (const char *a = first; a && n < 39; a = va_arg(ap, const char *))
        argv[n++] = a;
    argv[n] = NULL;
    free(out);
    free(err);
    out = err = NULL;
    static const char *const env[] = {"TOTE_ACTOR=reader", "TOTE_NOW=2024-03-05T12:00:00.000Z",
                                      "CUPS_SERVER=/nonexistent/cups.sock", NULL};
    return tt_run(argv, env, NULL, 20000, &out, &err);
}

static int reader(const char *path, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    int rc = run(1, path, first, ap);
    va_end(ap);
    return rc;
}

/* The same as this test's own user (the file's owner, or root): one who may write. */
static int owner(const char *path, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    int rc = run(0, path, first, ap);
    va_end(ap);
    return rc;
}

static void side(char *buf, size_t cap, const char *path, const char *suffix)
{
    snprintf(buf, cap, "%s%s", path, suffix);
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* Takes write access away: the database, its -wal and -shm if any, 0444; the directory 0555. */
static void lock_db(const char *path)
{
    char p[700];
    chmod(path, 0444);
    side(p, sizeof p, path, "-wal");
    chmod(p, 0444);
    side(p, sizeof p, path, "-shm");
    chmod(p, 0444);
    chmod(rodir, 0555);
}

static void unlock_db(const char *path)
{
    char p[700];
    chmod(rodir, 0755);
    chmod(path, 0644);
    side(p, sizeof p, path, "-wal");
    chmod(p, 0644);
    side(p, sizeof p, path, "-shm");
    chmod(p, 0644);
}

static int add_order(tote_store *s, const char *name, const char *ordered_at)
{
    tote_order_line_in lines[] = {{"MUG-1", "Mug", 2, 1299, 1}, {"TEA-1", "Tea", 1, 499, 1}};
    tote_order_in o = {0};
    o.name = name;
    o.email = "ana@example.com";
    o.customer_name = "Ana Lopez";
    o.payment_status = "paid";
    o.ship_name = "Ana Lopez";
    o.ship_address1 = "1 rue de la Paix";
    o.ship_zip = "75002";
    o.ship_city = "Paris";
    o.ship_country = "FR";
    o.currency = "EUR";
    o.total_cents = 3097;
    o.ordered_at = ordered_at;
    o.line_count = 2;
    o.lines = lines;
    return tote_order_upsert(s, &o, "seed", NULL, NULL) == TOTE_ST_E_OK ? 0 : -1;
}

static int seed(void)
{
    tote_store *s = NULL;
    if (tote_store_open(db, 0, &s, NULL) != TOTE_ST_E_OK)
        return -1;
    int bad = 0;
    const char *skus[] = {"MUG-1", "TEA-1"};
    long long ids[2], a1 = 0;
    for (int i = 0; i < 2; i++) {
        tote_product_in p = {skus[i], skus[i], NULL, 300, 1, 0, 1000, -1, -1};
        bad |= tote_product_upsert(s, &p, "seed", NULL, &ids[i]) != TOTE_ST_E_OK;
    }
    bad |= tote_location_ensure(s, "A-1", NULL, -1, "seed", &a1) != TOTE_ST_E_OK;
    bad |= tote_stock_receive(s, ids[0], a1, 10, NULL, NULL, "seed", "PO-1") != TOTE_ST_E_OK;
    bad |= tote_stock_receive(s, ids[1], a1, 5, NULL, NULL, "seed", "PO-1") != TOTE_ST_E_OK;
    bad |= add_order(s, "#1001", "2024-03-01T10:00:00Z");
    bad |= add_order(s, "#1002", "2024-03-02T10:00:00Z");
    tote_store_destroy(&s);
    return bad ? -1 : 0;
}

/* Number of orders `tote order list --json` gives the reader, -1 if it fails. */
static int reader_orders(const char *path)
{
    if (reader(path, "order", "list", "--json", NULL) != 0)
        return -1;
    cJSON *a = cJSON_Parse(out);
    int n = cJSON_IsArray(a) ? cJSON_GetArraySize(a) : -1;
    cJSON_Delete(a);
    return n;
}

static void test_setup(void)
{
    dir = tt_tmpdir("cli-ro");
    REQUIRE(dir);
    snprintf(rodir, sizeof rodir, "%s/ro", dir);
    REQUIRE_EQ(mkdir(rodir, 0755), 0);
    snprintf(db, sizeof db, "%s/tote.db", rodir);
    /* a copy of the binary: the build tree may be in a directory nobody cannot enter */
    size_t len = 0;
    char *image = tt_read_file(tt_bin("tote"), &len);
    REQUIRE(image);
    snprintf(bin, sizeof bin, "%s/tote", dir);
    REQUIRE_EQ(tt_write_file(bin, image, len), 0);
    free(image);
    REQUIRE_EQ(chmod(bin, 0755), 0);
    if (is_root())
        REQUIRE(access(SETPRIV, X_OK) == 0); /* util-linux: ./dev installs it */
    REQUIRE_EQ(owner(db, "init", NULL), 0);
    REQUIRE_EQ(seed(), 0);
    /* closed: SQLite checkpointed and removed the -wal and -shm */
    char p[700];
    side(p, sizeof p, db, "-wal");
    CHECK(!exists(p));
}

/* The reader cannot write anything there: else the test would prove nothing. */
static void test_reader_cannot_write(void)
{
    lock_db(db);
    char probe[700];
    snprintf(probe, sizeof probe, "%s/probe", rodir);
    const char *as_nobody[] = {
        SETPRIV, "--reuid=" READER_UID, "--regid=" READER_UID, "--clear-groups", "/usr/bin/touch", probe,
        NULL};
    const char *as_self[] = {"/usr/bin/touch", probe, NULL};
    const char *const *a = is_root() ? as_nobody : as_self;
    CHECK(tt_run(a, NULL, NULL, 10000, NULL, NULL) != 0);
    CHECK(!exists(probe));
    unlock_db(db);
}

/* Every command that only reads works, and the file is byte for byte what it was. */
static void test_read_commands(void)
{
    lock_db(db);
    size_t before_len = 0;
    char *before = tt_read_file(db, &before_len);
    REQUIRE(before);
    CHECK_EQ(reader_orders(db), 2);
    static const char *const cmds[][6] = {
        {"order", "show", "#1001"},
        {"order", "show", "1002", "--json"},
        {"customer", "show", "ana@example.com"},
        {"stock", "list", "--json"},
        {"stock", "check"},
        {"stock", "moves"},
        {"location", "list"},
        {"wave", "list"},
        {"wave", "backorder"},
        {"reorder", "--json"},
        {"manifest", "--date", "2024-03-01"},
        {"report", "top-products", "--from", "2024-03-01", "--to", "2024-03-31"},
        {"report", "audit"},
        {"config", "list"},
        {"config", "get", "weight_tolerance_pct"},
        {"device", "list"},
        {"operator", "list"},
        {"label", "zpl", "#1001"},
    };
    static const char *const expect[] = {
        "#1001", "\"#1002\"", "Ana Lopez", "MUG-1", "balances", "receipt", "A-1",  "no waves", "backorder",
        "[",     "Manifest",  "MUG-1",     "seed",  "lease",    "5",       "NAME", "NAME",     "^XA",
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        int rc = reader(db, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3], cmds[i][4], cmds[i][5], NULL);
        if (rc != 0)
            fprintf(stderr, "tote %s %s %s: exit %d: %s", cmds[i][0], cmds[i][1] ? cmds[i][1] : "",
                    cmds[i][2] ? cmds[i][2] : "", rc, err ? err : "");
        CHECK_EQ(rc, 0);
        CHECK_HAS(out, expect[i]);
        CHECK_STR(err, "");
    }
    /* no CUPS here: the (no) printers Tote knows, a valid JSON answer, and exit 1 for CUPS alone */
    CHECK_EQ(reader(db, "printer", "list", "--json", NULL), 1);
    CHECK_STR(out, "[]\n");
    CHECK_HAS(err, "could not be reached");
    size_t after_len = 0;
    char *after = tt_read_file(db, &after_len);
    REQUIRE(after);
    CHECK_MEM(after, after_len, before, before_len);
    free(before);
    free(after);
    char p[700];
    side(p, sizeof p, db, "-wal");
    CHECK(!exists(p));
    unlock_db(db);
}

/* Writing commands name the file and say it is not writable; nothing is written. */
static void test_write_commands_refused(void)
{
    lock_db(db);
    static const char *const cmds[][8] = {
        {"location", "add", "B-1"},
        {"stock", "adjust", "MUG-1", "A-1", "+1", "--reason", "found"},
        {"config", "set", "weight_tolerance_pct", "7"},
        {"order", "hold", "#1001"},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        CHECK_EQ(reader(db, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3], cmds[i][4], cmds[i][5],
                        cmds[i][6], NULL),
                 1);
        CHECK_HAS(err, db);
        CHECK_HAS(err, "the file is not writable by this user");
    }
    /* the file writable by the reader, its directory not: SQLite cannot create the -wal and -shm */
    chmod(rodir, 0755);
    if (is_root())
        CHECK_EQ(chown(db, 65534, 65534), 0);
    chmod(db, 0644);
    chmod(rodir, 0555);
    CHECK_EQ(reader(db, "location", "add", "B-1", NULL), 1);
    CHECK_HAS(err, db);
    CHECK_HAS(err, "its directory");
    CHECK_HAS(err, "is not writable by this user");
    CHECK_EQ(reader_orders(db), 2);
    if (is_root())
        CHECK_EQ(chown(db, 0, 0), 0);
    unlock_db(db);
    CHECK_EQ(owner(db, "location", "list", NULL), 0);
    CHECK(!strstr(out, "B-1"));
}

/* A writer (here this test, as `tote serve` would be) has the database open: its last commit is in
 * the -wal, which with the -shm the reader may not write. The reader sees that commit. */
static void test_reads_beside_a_running_writer(void)
{
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(db, 0, &s, NULL), TOTE_ST_E_OK);
    CHECK_EQ(add_order(s, "#2001", "2024-03-03T10:00:00Z"), 0);
    char wal[700];
    side(wal, sizeof wal, db, "-wal");
    struct stat sb;
    CHECK(stat(wal, &sb) == 0 && sb.st_size > 0);
    lock_db(db); /* the writer's descriptors stay writable */
    CHECK_EQ(reader(db, "order", "show", "#2001", NULL), 0);
    CHECK_HAS(out, "#2001");
    CHECK_EQ(reader_orders(db), 3);
    tote_store_destroy(&s);
    /* the writer gone: (root) its files removed, or (another user) left in the locked directory */
    CHECK_EQ(reader_orders(db), 3);
    unlock_db(db);
}

/* A writer that died left its -wal, and the -shm is gone: the -wal's commits cannot be read in a
 * directory the reader may not write, and reading the file alone would miss them: refused. */
static void test_wal_without_shm_refused(void)
{
    fflush(NULL);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        tote_store *s = NULL;
        if (tote_store_open(db, 0, &s, NULL) != TOTE_ST_E_OK || add_order(s, "#3001", "2024-03-04T10:00:00Z"))
            _exit(1);
        _exit(0); /* no close: no checkpoint, the -wal and -shm stay */
    }
    int status = 0;
    REQUIRE_EQ(waitpid(pid, &status, 0), pid);
    REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char wal[700], shm[700];
    side(wal, sizeof wal, db, "-wal");
    side(shm, sizeof shm, db, "-shm");
    REQUIRE(exists(wal));
    CHECK_EQ(unlink(shm), 0);
    lock_db(db);
    CHECK_EQ(reader(db, "order", "list", NULL), 1);
    CHECK_HAS(err, db);
    CHECK_HAS(err, "-shm");
    CHECK(!strstr(out ? out : "", "#1001"));
    unlock_db(db);
    /* a command that writes, by the owner, folds the -wal in; then the reader sees #3001 */
    CHECK_EQ(owner(db, "config", "set", "weight_tolerance_pct", "6", NULL), 0);
    CHECK(!exists(wal));
    lock_db(db);
    CHECK_EQ(reader(db, "order", "show", "#3001", NULL), 0);
    CHECK_EQ(reader(db, "config", "get", "weight_tolerance_pct", NULL), 0);
    CHECK_HAS(out, "6");
    unlock_db(db);
}

/* An older schema is refused to the reader, untouched; the owner's command upgrades it as before. */
static void test_older_schema(void)
{
    char old[700];
    snprintf(old, sizeof old, "%s/old.db", rodir);
    sqlite3 *h = NULL;
    REQUIRE_EQ(sqlite3_open(old, &h), SQLITE_OK);
    REQUIRE_EQ(sqlite3_exec(h, "PRAGMA user_version = 0; CREATE TABLE keep(x);", NULL, NULL, NULL),
               SQLITE_OK);
    sqlite3_close(h);
    lock_db(old);
    CHECK_EQ(reader(old, "order", "list", NULL), 1);
    CHECK_HAS(err, old);
    CHECK_HAS(err, "older than this Tote's");
    CHECK_HAS(err, "run 'tote init'");
    unlock_db(old);
    REQUIRE_EQ(sqlite3_open_v2(old, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    REQUIRE_EQ(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    CHECK_EQ(sqlite3_step(st), SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    CHECK_EQ(owner(old, "order", "list", NULL), 0);
    CHECK_HAS(out, "0 order(s)");
}

static void test_teardown(void)
{
    if (!dir)
        return;
    unlock_db(db);
    tt_rmrf(dir);
    free(dir);
    free(out);
    free(err);
}

TT_MAIN(TT_TEST(test_setup), TT_TEST(test_reader_cannot_write), TT_TEST(test_read_commands),
        TT_TEST(test_write_commands_refused), TT_TEST(test_reads_beside_a_running_writer),
        TT_TEST(test_wal_without_shm_refused), TT_TEST(test_older_schema), TT_TEST(test_teardown))
