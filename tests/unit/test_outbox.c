/* The handheld outbox: durable across reopen, seq order, seq persistence and
 * sync, one process at a time, and clear refusals of files that are not an
 * outbox. Real SQLite files in a temp dir. */
#include <sqlite3.h>

#include "support.h"
#include "test.h"
#include "tote/outbox.h"

static char *dir;

static const char *path_in(const char *name)
{
    static char buf[512];
    if (!dir)
        dir = tt_tmpdir("outbox");
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static void scan_msg(tote_wire_msg *m, const char *device, const char *data)
{
    tote_wire_init(m, TOTE_WIRE_SCAN, device, 0);
    snprintf(m->u.scan.symbology, sizeof m->u.scan.symbology, "]C0");
    m->u.scan.raw_len = (uint16_t)strlen(data);
    memcpy(m->u.scan.raw, data, m->u.scan.raw_len);
}

static tote_outbox_entry entry; /* large: static */

static void test_create_sync_add_done(void)
{
    const char *p = path_in("a.outbox");
    tote_outbox *ob = NULL;
    char *why = NULL;
    REQUIRE_EQ(tote_outbox_open(p, "hh-01", &ob, &why), TOTE_HH_E_OK);
    CHECK(why == NULL);
    CHECK_EQ(tote_outbox_synced(ob), 0);
    CHECK_EQ(tote_outbox_hwm(ob), 0);
    CHECK_EQ(tote_outbox_peek_seq(ob), 1);
    CHECK_EQ(tote_outbox_count(ob), 0);
    CHECK_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_NOT_FOUND);

    uint32_t next = 0;
    REQUIRE_EQ(tote_outbox_sync(ob, 41, &next), TOTE_HH_E_OK);
    CHECK_EQ(next, 42);
    CHECK_EQ(tote_outbox_synced(ob), 1);
    CHECK_EQ(tote_outbox_peek_seq(ob), 42);

    static tote_wire_msg m;
    scan_msg(&m, "hh-01", "BIN-A-01");
    REQUIRE_EQ(tote_outbox_add(ob, &m, 0), TOTE_HH_E_OK);
    CHECK_EQ(m.seq, 42);
    tote_wire_init(&m, TOTE_WIRE_NEXT_TASK, "hh-01", 0);
    REQUIRE_EQ(tote_outbox_add(ob, &m, 0), TOTE_HH_E_OK);
    CHECK_EQ(m.seq, 43);
    CHECK_EQ(tote_outbox_count(ob), 2);

    REQUIRE_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_OK);
    CHECK_EQ(entry.seq, 42);
    CHECK_EQ(entry.type, TOTE_WIRE_SCAN);
    CHECK_EQ(entry.replay, 0);
    static tote_wire_msg back;
    REQUIRE_EQ(tote_wire_decode(entry.body, entry.len, &back), TOTE_PROTO_E_OK);
    CHECK_EQ(back.seq, 42);
    CHECK_STR(back.device, "hh-01");
    CHECK_MEM(back.u.scan.raw, back.u.scan.raw_len, "BIN-A-01", 8);

    CHECK_EQ(tote_outbox_done(ob, 42), TOTE_HH_E_OK);
    CHECK_EQ(tote_outbox_done(ob, 42), TOTE_HH_E_NOT_FOUND);
    REQUIRE_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_OK);
    CHECK_EQ(entry.seq, 43);
    CHECK_EQ(entry.type, TOTE_WIRE_NEXT_TASK);
    tote_outbox_destroy(&ob);
    CHECK(ob == NULL);
    tote_outbox_destroy(&ob); /* NULL-safe */
    tote_outbox_destroy(NULL);
}

static void test_persists_across_reopen(void)
{
    const char *p = path_in("b.outbox");
    tote_outbox *ob = NULL;
    static tote_wire_msg m;
    REQUIRE_EQ(tote_outbox_open(p, "hh-02", &ob, NULL), TOTE_HH_E_OK);
    REQUIRE_EQ(tote_outbox_sync(ob, 0, NULL), TOTE_HH_E_OK);
    for (int i = 0; i < 5; i++) {
        char data[32];
        snprintf(data, sizeof data, "ITEM-%d", i);
        scan_msg(&m, "hh-02", data);
        REQUIRE_EQ(tote_outbox_add(ob, &m, i >= 3), TOTE_HH_E_OK);
        CHECK_EQ(m.seq, (uint32_t)i + 1);
    }
    CHECK_EQ(tote_outbox_done(ob, 2), TOTE_HH_E_OK);
    CHECK_EQ(tote_outbox_done(ob, 5), TOTE_HH_E_OK); /* the newest answered: the counter still stays */
    tote_outbox_destroy(&ob);

    REQUIRE_EQ(tote_outbox_open(p, "hh-02", &ob, NULL), TOTE_HH_E_OK);
    CHECK_EQ(tote_outbox_synced(ob), 1);
    CHECK_EQ(tote_outbox_hwm(ob), 5);
    CHECK_EQ(tote_outbox_peek_seq(ob), 6);
    uint32_t seqs[8];
    REQUIRE_EQ(tote_outbox_pending(ob, seqs, 8), 3);
    CHECK_EQ(seqs[0], 1);
    CHECK_EQ(seqs[1], 3);
    CHECK_EQ(seqs[2], 4);
    /* seq order, and the replay mark, survive */
    REQUIRE_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_OK);
    CHECK_EQ(entry.seq, 1);
    CHECK_EQ(entry.replay, 0);
    tote_outbox_done(ob, 1);
    tote_outbox_done(ob, 3);
    REQUIRE_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_OK);
    CHECK_EQ(entry.seq, 4);
    CHECK_EQ(entry.replay, 1);
    /* a new request never reuses a number, not even the answered 5 */
    scan_msg(&m, "hh-02", "ITEM-X");
    REQUIRE_EQ(tote_outbox_add(ob, &m, 0), TOTE_HH_E_OK);
    CHECK_EQ(m.seq, 6);
    CHECK_EQ(tote_outbox_mark_replay(ob), TOTE_HH_E_OK);
    tote_outbox_done(ob, 4);
    REQUIRE_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_OK);
    CHECK_EQ(entry.seq, 6);
    CHECK_EQ(entry.replay, 1);
    /* a station that has answered more than we remember moves us past it */
    uint32_t next = 0;
    REQUIRE_EQ(tote_outbox_sync(ob, 100, &next), TOTE_HH_E_OK);
    CHECK_EQ(next, 101);
    REQUIRE_EQ(tote_outbox_sync(ob, 3, &next), TOTE_HH_E_OK); /* never backwards */
    CHECK_EQ(next, 101);
    tote_outbox_destroy(&ob);
    REQUIRE_EQ(tote_outbox_open(p, "hh-02", &ob, NULL), TOTE_HH_E_OK);
    CHECK_EQ(tote_outbox_peek_seq(ob), 101);
    tote_outbox_destroy(&ob);
}

/* Requests taken before the first HELLO_OK get their seqs at sync, in order. */
static void test_unsynced_entries_get_seqs_at_sync(void)
{
    const char *p = path_in("c.outbox");
    tote_outbox *ob = NULL;
    static tote_wire_msg m;
    REQUIRE_EQ(tote_outbox_open(p, "hh-03", &ob, NULL), TOTE_HH_E_OK);
    scan_msg(&m, "hh-03", "FIRST");
    REQUIRE_EQ(tote_outbox_add(ob, &m, 1), TOTE_HH_E_OK);
    CHECK_EQ(m.seq, 0);
    scan_msg(&m, "hh-03", "SECOND");
    REQUIRE_EQ(tote_outbox_add(ob, &m, 1), TOTE_HH_E_OK);
    CHECK_EQ(tote_outbox_count(ob), 2);
    CHECK_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_NOT_FOUND); /* nothing sendable yet */
    tote_outbox_destroy(&ob);

    REQUIRE_EQ(tote_outbox_open(p, "hh-03", &ob, NULL), TOTE_HH_E_OK);
    CHECK_EQ(tote_outbox_synced(ob), 0);
    uint32_t next = 0;
    REQUIRE_EQ(tote_outbox_sync(ob, 7, &next), TOTE_HH_E_OK);
    CHECK_EQ(next, 10);
    static tote_wire_msg back;
    REQUIRE_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_OK);
    CHECK_EQ(entry.seq, 8);
    REQUIRE_EQ(tote_wire_decode(entry.body, entry.len, &back), TOTE_PROTO_E_OK);
    CHECK_EQ(back.seq, 8); /* the stored body carries its seq */
    CHECK_MEM(back.u.scan.raw, back.u.scan.raw_len, "FIRST", 5);
    tote_outbox_done(ob, 8);
    REQUIRE_EQ(tote_outbox_first(ob, &entry), TOTE_HH_E_OK);
    REQUIRE_EQ(tote_wire_decode(entry.body, entry.len, &back), TOTE_PROTO_E_OK);
    CHECK_EQ(back.seq, 9);
    CHECK_MEM(back.u.scan.raw, back.u.scan.raw_len, "SECOND", 6);
    tote_outbox_destroy(&ob);
}

static void test_refuses_wrong_requests(void)
{
    tote_outbox *ob = NULL;
    static tote_wire_msg m;
    REQUIRE_EQ(tote_outbox_open(path_in("d.outbox"), "hh-04", &ob, NULL), TOTE_HH_E_OK);
    scan_msg(&m, "someone-else", "X");
    CHECK_EQ(tote_outbox_add(ob, &m, 0), TOTE_HH_E_INVALID);
    CHECK_HAS(tote_outbox_errmsg(ob), "sequenced");
    tote_wire_init(&m, TOTE_WIRE_HEARTBEAT, "hh-04", 0);
    CHECK_EQ(tote_outbox_add(ob, &m, 0), TOTE_HH_E_INVALID);
    tote_wire_init(&m, TOTE_WIRE_HELLO, "hh-04", 0);
    CHECK_EQ(tote_outbox_add(ob, &m, 0), TOTE_HH_E_INVALID);
    scan_msg(&m, "hh-04", "X");
    m.u.scan.raw_len = TOTE_WIRE_RAW_MAX + 1;
    CHECK_EQ(tote_outbox_add(ob, &m, 0), TOTE_HH_E_INVALID);
    CHECK_EQ(tote_outbox_count(ob), 0);
    tote_outbox_destroy(&ob);

    char *why = NULL;
    CHECK_EQ(tote_outbox_open("", "hh", &ob, &why), TOTE_HH_E_INVALID);
    CHECK(ob == NULL);
    free(why);
}

static void test_one_process_at_a_time(void)
{
    const char *p = path_in("e.outbox");
    tote_outbox *a = NULL, *b = NULL;
    char *why = NULL;
    REQUIRE_EQ(tote_outbox_open(p, "hh-05", &a, NULL), TOTE_HH_E_OK);
    CHECK_EQ(tote_outbox_open(p, "hh-05", &b, &why), TOTE_HH_E_BUSY);
    CHECK(b == NULL);
    CHECK_HAS(why, "in use by another tote-handheld");
    free(why);
    tote_outbox_destroy(&a);
    REQUIRE_EQ(tote_outbox_open(p, "hh-05", &b, NULL), TOTE_HH_E_OK);
    tote_outbox_destroy(&b);
}

static void test_belongs_to_one_device(void)
{
    const char *p = path_in("f.outbox");
    tote_outbox *ob = NULL;
    char *why = NULL;
    REQUIRE_EQ(tote_outbox_open(p, "hh-06", &ob, NULL), TOTE_HH_E_OK);
    tote_outbox_destroy(&ob);
    CHECK_EQ(tote_outbox_open(p, "hh-07", &ob, &why), TOTE_HH_E_STORE);
    CHECK_HAS(why, "belongs to device hh-06, not hh-07");
    free(why);
}

static void test_garbage_file_is_refused(void)
{
    const char *p = path_in("garbage.outbox");
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 7 + 3);
    REQUIRE_EQ(tt_write_file(p, junk, sizeof junk), 0);
    tote_outbox *ob = NULL;
    char *why = NULL;
    CHECK_EQ(tote_outbox_open(p, "hh", &ob, &why), TOTE_HH_E_STORE);
    CHECK(ob == NULL);
    CHECK_HAS(why, "is not a usable tote-handheld outbox");
    free(why);
    /* and it is left as it was: nothing lost */
    size_t n = 0;
    char *after = tt_read_file(p, &n);
    REQUIRE(after != NULL);
    CHECK_MEM(after, n, junk, sizeof junk);
    free(after);
}

static void test_other_sqlite_file_is_refused(void)
{
    const char *p = path_in("other.db");
    sqlite3 *db = NULL;
    REQUIRE_EQ(sqlite3_open(p, &db), SQLITE_OK);
    REQUIRE_EQ(sqlite3_exec(db, "CREATE TABLE orders(id INTEGER)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    tote_outbox *ob = NULL;
    char *why = NULL;
    CHECK_EQ(tote_outbox_open(p, "hh", &ob, &why), TOTE_HH_E_STORE);
    CHECK_HAS(why, "not a tote-handheld outbox");
    free(why);
}

/* A real outbox whose pages were damaged on disk. */
static void test_corrupted_outbox_is_refused(void)
{
    const char *p = path_in("corrupt.outbox");
    tote_outbox *ob = NULL;
    static tote_wire_msg m;
    REQUIRE_EQ(tote_outbox_open(p, "hh-08", &ob, NULL), TOTE_HH_E_OK);
    tote_outbox_sync(ob, 0, NULL);
    for (int i = 0; i < 50; i++) {
        scan_msg(&m, "hh-08", "SOME-ITEM-BARCODE-DATA-TO-FILL-PAGES-0123456789");
        REQUIRE_EQ(tote_outbox_add(ob, &m, 0), TOTE_HH_E_OK);
    }
    tote_outbox_destroy(&ob); /* checkpoints the WAL into the file */
    size_t n = 0;
    char *data = tt_read_file(p, &n);
    REQUIRE(data != NULL);
    REQUIRE(n >= 3 * 4096);
    /* Overwrite the second page onward (the tables' b-tree pages) with junk,
     * keeping the 100-byte header valid. */
    for (size_t i = 4096; i < n; i++)
        data[i] = (char)0xA5;
    REQUIRE_EQ(tt_write_file(p, data, n), 0);
    free(data);
    char *why = NULL;
    CHECK_EQ(tote_outbox_open(p, "hh-08", &ob, &why), TOTE_HH_E_STORE);
    CHECK(ob == NULL);
    CHECK_HAS(why, "not a usable tote-handheld outbox");
    free(why);
}

static void test_unwritable_place(void)
{
    tote_outbox *ob = NULL;
    char *why = NULL;
    CHECK_EQ(tote_outbox_open(path_in("no-such-dir/x.outbox"), "hh", &ob, &why), TOTE_HH_E_ACCESS);
    CHECK_HAS(why, "cannot open the outbox");
    free(why);
}

static void test_cleanup(void)
{
    tt_rmrf(dir);
    free(dir);
    dir = NULL;
}

TT_MAIN(TT_TEST(test_create_sync_add_done), TT_TEST(test_persists_across_reopen),
        TT_TEST(test_unsynced_entries_get_seqs_at_sync), TT_TEST(test_refuses_wrong_requests),
        TT_TEST(test_one_process_at_a_time), TT_TEST(test_belongs_to_one_device),
        TT_TEST(test_garbage_file_is_refused), TT_TEST(test_other_sqlite_file_is_refused),
        TT_TEST(test_corrupted_outbox_is_refused), TT_TEST(test_unwritable_place), TT_TEST(test_cleanup))
