/* The store's VFS (station/src/store_vfs.c): a commit's WAL frames reach the
 * file in a few large writes, readers on other connections see every
 * commit at once, and what a rolled-back transaction left in the buffer never
 * reaches the file. */
#include <sqlite3.h>
#include <sys/stat.h>

#include "../../station/src/store_vfs.h"
#include "support.h"
#include "test.h"
#include "tote/store.h"

static char *dir;

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, err ? err : "?");
        CHECK(0);
    }
    sqlite3_free(err);
}

static long long q1(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static const char *q_text(sqlite3 *db, const char *sql, char *buf, size_t cap)
{
    sqlite3_stmt *st = NULL;
    snprintf(buf, cap, "?");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

/* What a crash would leave: copies of the database and WAL files as they
 * are now (no -shm: opening the copy recovers the WAL, checking every frame's
 * checksum), opened read-only. */
static sqlite3 *crash_copy(const char *name)
{
    char from[512], to[512];
    const char *sfx[] = {"", "-wal"};
    for (int i = 0; i < 2; i++) {
        snprintf(from, sizeof from, "%s/%s%s", dir, name, sfx[i]);
        snprintf(to, sizeof to, "%s/crash-%s%s", dir, name, sfx[i]);
        size_t len = 0;
        char *data = tt_read_file(from, &len);
        if (!data || tt_write_file(to, data, len) != 0)
            CHECK(0);
        free(data);
    }
    snprintf(to, sizeof to, "%s/crash-%s", dir, name);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(to, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        CHECK(0);
    return db;
}

/* A store (the VFS) and a plain SQLite connection (default VFS, as another
 * process would open it) on a fresh database. */
static void open_pair(const char *name, tote_store **s, sqlite3 **plain)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    REQUIRE_EQ(tote_store_open(p, TOTE_STORE_CREATE, s, NULL), TOTE_ST_E_OK);
    exec(tote_store_db(*s), "CREATE TABLE t(id INTEGER PRIMARY KEY, b BLOB)");
    REQUIRE_EQ(sqlite3_open_v2(p, plain, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(*plain, 5000);
}

static void test_commit_in_few_writes(void)
{
    REQUIRE(store_vfs_name() != NULL);
    tote_store *s = NULL;
    sqlite3 *plain = NULL;
    open_pair("few.db", &s, &plain);
    sqlite3 *db = tote_store_db(s);
    /* as the server's loop: no sync at commit, so nothing but the commit
     * itself may flush the frames */
    exec(db, "PRAGMA synchronous = NORMAL");
    long long w0 = 0, f0 = 0, w1 = 0, f1 = 0;
    store_vfs_counts(&w0, &f0);
    exec(db, "BEGIN IMMEDIATE");
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
             "INSERT INTO t(b) SELECT zeroblob(2000) FROM n");
    exec(db, "COMMIT");
    store_vfs_counts(&w1, &f1);
    /* ~100 frames of two writes each from SQLite; the file gets ~7 of 64 KiB */
    CHECK_INT(w1 - w0, >=, 200);
    CHECK_INT(f1 - f0, >=, 1);
    CHECK_INT(f1 - f0, <=, (w1 - w0) / 10);
    /* the commit is in the file as soon as COMMIT returned */
    CHECK_EQ(q1(plain, "SELECT COUNT(*) FROM t"), 200);
    char buf[64];
    CHECK_STR(q_text(plain, "PRAGMA integrity_check", buf, sizeof buf), "ok");
    sqlite3_close(plain);
    tote_store_destroy(&s);
}

/*
 * A transaction larger than its cache spills frames into the WAL before it
 * commits; rolled back, they stay in the buffer. Another connection then
 * commits frames at the same offsets. Were the stale frames written later
 * (the next time the first connection reads), they would overwrite those.
 */
static void test_rolled_back_spill_never_reaches_the_file(void)
{
    tote_store *s = NULL;
    sqlite3 *plain = NULL;
    open_pair("spill.db", &s, &plain);
    sqlite3 *db = tote_store_db(s);
    exec(db, "PRAGMA synchronous = NORMAL");
    exec(db, "PRAGMA cache_size = -64"); /* 64 KiB: 16 pages */
    long long w0 = 0, f0 = 0, w1 = 0, f1 = 0;
    store_vfs_counts(&w0, &f0);
    exec(db, "BEGIN IMMEDIATE");
    /* inserts at the end of the table: the spilled pages are not read back */
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
             "INSERT INTO t(b) SELECT randomblob(3000) FROM n");
    store_vfs_counts(&w1, &f1);
    CHECK_INT(w1 - w0, >=, 20); /* it did spill */
    CHECK_EQ(f1 - f0, 0);       /* into the buffer only */
    exec(db, "ROLLBACK");
    CHECK_EQ(q1(db, "SELECT COUNT(*) FROM t"), 0);

    exec(plain, "BEGIN IMMEDIATE");
    exec(plain, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) "
                "INSERT INTO t(b) SELECT zeroblob(1500) FROM n");
    exec(plain, "COMMIT");

    /* the first connection reads the other's commit, then writes on */
    CHECK_EQ(q1(db, "SELECT COUNT(*) FROM t"), 50);
    CHECK_EQ(q1(db, "SELECT SUM(length(b)) FROM t"), 50 * 1500);
    exec(db, "INSERT INTO t(b) VALUES (x'00')");
    char buf[64];
    CHECK_STR(q_text(db, "PRAGMA integrity_check", buf, sizeof buf), "ok");
    CHECK_EQ(q1(plain, "SELECT COUNT(*) FROM t"), 51);
    CHECK_EQ(q1(plain, "SELECT SUM(length(b)) FROM t"), 50 * 1500 + 1);
    CHECK_STR(q_text(plain, "PRAGMA integrity_check", buf, sizeof buf), "ok");
    sqlite3_close(plain);
    tote_store_destroy(&s);

    /* and from the file alone, as after a restart */
    char p[512];
    snprintf(p, sizeof p, "%s/spill.db", dir);
    REQUIRE_EQ(sqlite3_open_v2(p, &plain, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_EQ(q1(plain, "SELECT COUNT(*) FROM t"), 51);
    CHECK_STR(q_text(plain, "PRAGMA integrity_check", buf, sizeof buf), "ok");
    sqlite3_close(plain);
}

/* Pages spilled to the WAL and modified again in the same transaction:
 * SQLite overwrites their frames, and after the commit frame rewrites the
 * headers of those frames with new checksums. Those writes come after the
 * commit frame; they must be in the file when COMMIT returns. */
static void test_frames_rewritten_after_the_commit_frame(void)
{
    tote_store *s = NULL;
    sqlite3 *plain = NULL;
    open_pair("rewrite.db", &s, &plain);
    sqlite3 *db = tote_store_db(s);
    exec(db, "PRAGMA synchronous = NORMAL");
    exec(db, "PRAGMA cache_size = -64");
    exec(db, "BEGIN IMMEDIATE");
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) "
             "INSERT INTO t(b) SELECT randomblob(3000) FROM n");
    exec(db, "UPDATE t SET b = zeroblob(2999) WHERE id % 2 = 0");
    exec(db, "COMMIT");
    /* SQLite rewrote the headers of frames it had overwritten, after the
     * commit frame: the file must hold them now, or recovery after a crash
     * stops at a bad checksum and loses the commit */
    sqlite3 *crashed = crash_copy("rewrite.db");
    CHECK_EQ(q1(crashed, "SELECT COUNT(*) FROM t"), 60);
    CHECK_EQ(q1(crashed, "SELECT COUNT(*) FROM t WHERE b = zeroblob(2999)"), 30);
    sqlite3_close(crashed);
    CHECK_EQ(q1(plain, "SELECT COUNT(*) FROM t WHERE b = zeroblob(2999)"), 30);
    CHECK_EQ(q1(plain, "SELECT SUM(length(b)) FROM t"), 30 * 3000 + 30 * 2999);
    char buf[64];
    CHECK_STR(q_text(plain, "PRAGMA integrity_check", buf, sizeof buf), "ok");
    sqlite3_close(plain);
    tote_store_destroy(&s);
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/*
 * The contract with SQLite's WAL code, through the VFS's own methods: frames
 * stay in memory until a commit frame is complete, and what is still there
 * when the connection gives up the write lock (a transaction that did not
 * commit) never reaches the file.
 */
static void test_uncommitted_frames_dropped_at_unlock(void)
{
    sqlite3_vfs *v = sqlite3_vfs_find(store_vfs_name());
    REQUIRE(v != NULL);
    char dbp[512], jp[512], wp[512];
    snprintf(dbp, sizeof dbp, "%s/raw.db", dir);
    snprintf(jp, sizeof jp, "%s/raw.db-journal", dir);
    snprintf(wp, sizeof wp, "%s/raw.db-wal", dir);
    sqlite3_filename fn = sqlite3_create_filename(dbp, jp, wp, 0, NULL);
    REQUIRE(fn != NULL);
    sqlite3_file *db = calloc(1, (size_t)v->szOsFile), *wal = calloc(1, (size_t)v->szOsFile);
    int out = 0;
    REQUIRE_EQ(v->xOpen(v, fn, db, SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out),
               SQLITE_OK);
    REQUIRE_EQ(v->xOpen(v, sqlite3_filename_wal(fn), wal,
                        SQLITE_OPEN_WAL | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out),
               SQLITE_OK);
    void volatile *shm = NULL;
    REQUIRE_EQ(db->pMethods->xShmMap(db, 0, 32768, 1, &shm), SQLITE_OK);
    const int lock = SQLITE_SHM_LOCK | SQLITE_SHM_EXCLUSIVE,
              unlock = SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE;
    unsigned char hdr[24] = {0}, page[4096];
    memset(page, 0x5a, sizeof page);

    /* a frame that is not a commit frame, then the lock given up */
    REQUIRE_EQ(db->pMethods->xShmLock(db, 0, 1, lock), SQLITE_OK);
    CHECK_EQ(wal->pMethods->xWrite(wal, hdr, 24, 32), SQLITE_OK);
    CHECK_EQ(wal->pMethods->xWrite(wal, page, 4096, 56), SQLITE_OK);
    CHECK_EQ(file_size(wp), 0); /* still in memory */
    REQUIRE_EQ(db->pMethods->xShmLock(db, 0, 1, unlock), SQLITE_OK);
    sqlite3_int64 size = -1;
    CHECK_EQ(wal->pMethods->xFileSize(wal, &size), SQLITE_OK); /* flushes what is buffered */
    CHECK_EQ(size, 0);

    /* a commit frame: in the file when its page is written */
    REQUIRE_EQ(db->pMethods->xShmLock(db, 0, 1, lock), SQLITE_OK);
    CHECK_EQ(wal->pMethods->xWrite(wal, hdr, 24, 32), SQLITE_OK);
    CHECK_EQ(wal->pMethods->xWrite(wal, page, 4096, 56), SQLITE_OK);
    hdr[7] = 2; /* database size after the commit: 2 pages */
    CHECK_EQ(wal->pMethods->xWrite(wal, hdr, 24, 56 + 4096), SQLITE_OK);
    CHECK_EQ(file_size(wp), 0);
    CHECK_EQ(wal->pMethods->xWrite(wal, page, 4096, 56 + 4096 + 24), SQLITE_OK);
    CHECK_EQ(file_size(wp), 56 + 2 * 4096 + 24);
    /* after it, until the lock goes, writes go straight to the file */
    CHECK_EQ(wal->pMethods->xWrite(wal, hdr, 24, 32), SQLITE_OK);
    REQUIRE_EQ(db->pMethods->xShmLock(db, 0, 1, unlock), SQLITE_OK);
    char *bytes = tt_read_file(wp, NULL);
    REQUIRE(bytes != NULL);
    CHECK_EQ(bytes[32 + 7], 2);
    free(bytes);

    db->pMethods->xShmUnmap(db, 1);
    wal->pMethods->xClose(wal);
    db->pMethods->xClose(db);
    free(wal);
    free(db);
    sqlite3_free_filename(fn);
}

/* A transaction bigger than the buffer (1 MiB) commits whole. */
static void test_big_transaction(void)
{
    tote_store *s = NULL;
    sqlite3 *plain = NULL;
    open_pair("big.db", &s, &plain);
    sqlite3 *db = tote_store_db(s);
    exec(db, "BEGIN IMMEDIATE");
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
             "INSERT INTO t(b) SELECT randomblob(1000) FROM n");
    exec(db, "COMMIT");
    CHECK_EQ(q1(plain, "SELECT COUNT(*) FROM t"), 3000);
    CHECK_EQ(q1(plain, "SELECT SUM(length(b)) FROM t"), 3000 * 1000);
    char buf[64];
    CHECK_STR(q_text(plain, "PRAGMA integrity_check", buf, sizeof buf), "ok");
    sqlite3_close(plain);
    tote_store_destroy(&s);
}

static void test_setup(void)
{
    dir = tt_tmpdir("store-vfs");
}

static void test_teardown(void)
{
    tt_rmrf(dir);
    free(dir);
}

TT_MAIN(TT_TEST(test_setup), TT_TEST(test_commit_in_few_writes),
        TT_TEST(test_rolled_back_spill_never_reaches_the_file),
        TT_TEST(test_frames_rewritten_after_the_commit_frame), TT_TEST(test_big_transaction),
        TT_TEST(test_uncommitted_frames_dropped_at_unlock), TT_TEST(test_teardown))
