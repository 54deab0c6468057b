/*
 * The checker itself (faults.h) must fail when it should: a real station
 * session gives a database and the acknowledgements a handheld saw, then
 * each kind of damage the fault tests look for is made on a copy, and the
 * checker must name it.
 */
#include <sqlite3.h>
#include <unistd.h>

#include "warehouse.h"

typedef struct session {
    fx_station st;
    fa_acks acks;
    char *pristine;
    size_t pristine_len;
} session;

static int ack_reply(fa_acks *a, fx_dev *d, const tote_wire_msg *req, const tote_wire_msg *rep, int qty)
{
    int accepted = rep->type == TOTE_WIRE_RESULT ? rep->u.result.accepted : 1;
    fa_acks_add(a, d->name, req->seq, req->type, rep->type, accepted, qty);
    return 0;
}

/* HELLO, NEXT_TASK, bin, two item scans (one wrong), as a handheld would. */
static int run_session(session *ss)
{
    memset(ss, 0, sizeof *ss);
    if (fx_station_init(&ss->st, "checker") != 0)
        return -1;
    ss->st.insecure =
        1; /* fault_loadgen and fixture handhelds speak plain text: durability, not authentication */
    fa_warehouse_opts wo;
    fa_warehouse_defaults(&wo);
    wo.products = 5;
    wo.orders = 5;
    if (fa_warehouse_add(&ss->st, &wo, 1, 0) != 0 || fa_station_start(&ss->st, NULL, 0) != 0)
        return -1;
    fx_dev *d = fx_dev_new(&ss->st, "hh-check");
    tote_wire_msg m, rep;
    int rc = -1;
    if (fx_hello(d, TOTE_ROLE_PICKER, &rep) != 0)
        goto out;
    fx_req(d, &m, TOTE_WIRE_NEXT_TASK);
    if (fx_call(d, &m, &rep) != 0 || rep.type != TOTE_WIRE_TASK)
        goto out;
    ack_reply(&ss->acks, d, &m, &rep, 0);
    char gtin[TOTE_WIRE_SHORT_MAX + 1], bin[TOTE_WIRE_SHORT_MAX + 8];
    snprintf(gtin, sizeof gtin, "%s", rep.u.task.gtin);
    snprintf(bin, sizeof bin, "BIN-%s", rep.u.task.bin);
    const char *scans[] = {bin, "00000000000017", gtin};
    for (int i = 0; i < 3; i++) {
        fx_req(d, &m, TOTE_WIRE_SCAN);
        fx_fill_scan(&m.u.scan, "", scans[i]);
        if (fx_call(d, &m, &rep) != 0 || rep.type != TOTE_WIRE_RESULT)
            goto out;
        ack_reply(&ss->acks, d, &m, &rep, i == 2 ? 1 : 0);
    }
    rc = 0;
out:
    fx_dev_destroy(&d);
    fx_station_stop(&ss->st);
    ss->pristine = tt_read_file(ss->st.db, &ss->pristine_len);
    return ss->pristine ? rc : -1;
}

static void restore(session *ss)
{
    char wal[1100];
    snprintf(wal, sizeof wal, "%s-wal", ss->st.db);
    unlink(wal);
    tt_write_file(ss->st.db, ss->pristine, ss->pristine_len);
}

static void sql(session *ss, const char *q)
{
    sqlite3 *db = NULL;
    sqlite3_open(ss->st.db, &db);
    char *err = NULL;
    if (sqlite3_exec(db, q, NULL, NULL, &err) != SQLITE_OK)
        fprintf(stderr, "tamper: %s: %s\n", q, err);
    sqlite3_free(err);
    sqlite3_close(db);
}

static void test_clean_session_passes(void)
{
    session ss;
    REQUIRE_EQ(run_session(&ss), 0);
    CHECK_EQ(ss.acks.n, 4);
    CHECK_EQ(fa_check(ss.st.db, &ss.acks, FA_FINAL, stderr), 0);
    uint64_t a = 0, b = 0;
    CHECK_EQ(fa_content_digest(ss.st.db, &a), 0);
    CHECK_EQ(fa_content_digest(ss.st.db, &b), 0);
    CHECK(a == b);
    free(ss.pristine);
    fa_acks_free(&ss.acks);
    fx_station_done(&ss.st);
}

static void test_damage_is_named(void)
{
    session ss;
    REQUIRE_EQ(run_session(&ss), 0);
    uint64_t before = 0, after = 0;
    REQUIRE_EQ(fa_content_digest(ss.st.db, &before), 0);

    /* an acknowledged request that is not in the database: lost */
    fa_acks_add(&ss.acks, "hh-check", 99, TOTE_WIRE_SCAN, TOTE_WIRE_RESULT, 1, 1);
    CHECK(fa_check(ss.st.db, &ss.acks, 0, stderr) > 0);
    fa_acks_free(&ss.acks);

    /* a stored request the handheld never saw acknowledged: only the final check minds */
    fa_acks_add(&ss.acks, "hh-check", 2, TOTE_WIRE_NEXT_TASK, TOTE_WIRE_TASK, 1, 0);
    CHECK_EQ(fa_check(ss.st.db, &ss.acks, 0, stderr), 0);
    CHECK(fa_check(ss.st.db, &ss.acks, FA_FINAL, stderr) > 0);
    fa_acks_free(&ss.acks);

    /* the handheld was told "refused" for what the database accepted */
    fa_acks_add(&ss.acks, "hh-check", 5, TOTE_WIRE_SCAN, TOTE_WIRE_RESULT, 0, 0);
    CHECK(fa_check(ss.st.db, &ss.acks, 0, stderr) > 0);
    fa_acks_free(&ss.acks);

    /* a scan applied twice: the task counts one unit more than its scans */
    sql(&ss, "UPDATE pick_task SET done = done + 1 WHERE done > 0");
    CHECK(fa_check(ss.st.db, NULL, 0, stderr) > 0);
    CHECK_EQ(fa_content_digest(ss.st.db, &after), 0);
    CHECK(after != before);
    restore(&ss);
    CHECK_EQ(fa_check(ss.st.db, NULL, 0, stderr), 0);

    /* the ledger out of balance */
    sql(&ss, "UPDATE stock SET on_hand = on_hand + 1 WHERE id = 1");
    CHECK(fa_check(ss.st.db, NULL, 0, stderr) > 0);
    restore(&ss);

    /* a pick move lost from the ledger */
    sql(&ss, "DELETE FROM stock_move WHERE id = (SELECT MAX(id) FROM stock_move WHERE kind = 'pick')");
    CHECK(fa_check(ss.st.db, NULL, 0, stderr) > 0);
    restore(&ss);

    /* a scan row without its stored reply (kept in the scan row) */
    sql(&ss, "UPDATE scan SET reply = NULL, reply_type = NULL WHERE device_seq = 5");
    CHECK(fa_check(ss.st.db, NULL, 0, stderr) > 0);
    restore(&ss);

    /* a scan's reply stored in the request table as well */
    sql(&ss,
        "INSERT INTO request(device, seq, type, reply, at) SELECT device, device_seq, reply_type, reply, at "
        "FROM scan WHERE device_seq = 5");
    CHECK(fa_check(ss.st.db, NULL, 0, stderr) > 0);
    restore(&ss);

    /* a stored reply (request table) beyond the device's last_seq */
    sql(&ss, "UPDATE device SET last_seq = (SELECT MAX(seq) - 1 FROM request WHERE device = 'hh-check') "
             "WHERE name = 'hh-check'");
    CHECK(fa_check(ss.st.db, NULL, 0, stderr) > 0);
    restore(&ss);

    /* a damaged file */
    char *bytes = malloc(ss.pristine_len);
    memcpy(bytes, ss.pristine, ss.pristine_len);
    for (size_t i = 4096 * 2; i < ss.pristine_len && i < 4096 * 6; i++)
        bytes[i] = (char)(i * 7);
    tt_write_file(ss.st.db, bytes, ss.pristine_len);
    free(bytes);
    CHECK(fa_check(ss.st.db, NULL, 0, stderr) > 0);
    restore(&ss);
    CHECK_EQ(fa_check(ss.st.db, NULL, 0, stderr), 0);
    CHECK_EQ(fa_content_digest(ss.st.db, &after), 0);
    CHECK(after == before);

    free(ss.pristine);
    fa_acks_free(&ss.acks);
    fx_station_done(&ss.st);
}

TT_MAIN(TT_TEST(test_clean_session_passes), TT_TEST(test_damage_is_named))
