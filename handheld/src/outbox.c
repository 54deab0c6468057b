/* The handheld's durable outbox (tote/outbox.h). All of the handheld's SQL is here. */
#include "tote/outbox.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OUTBOX_APP_ID 0x546F7448 /* "TotH" */
#define OUTBOX_FORMAT 1

struct tote_outbox {
    sqlite3 *db;
    char *path;
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    uint32_t hwm;
    int synced;
    char err[512];
};

static void set_err(tote_outbox *ob, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(tote_outbox *ob, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ob->err, sizeof ob->err, fmt, ap);
    va_end(ap);
}

static tote_hh_err db_fail(tote_outbox *ob, const char *doing)
{
    set_err(ob, "cannot %s the outbox %s: %s", doing, ob->path, sqlite3_errmsg(ob->db));
    return TOTE_HH_E_STORE;
}

static int exec(tote_outbox *ob, const char *sql)
{
    return sqlite3_exec(ob->db, sql, NULL, NULL, NULL);
}

static sqlite3_stmt *prep(tote_outbox *ob, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(ob->db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    return st;
}

/* Runs a statement that returns one integer; def when no row. -1 on error. */
static long long query_int(tote_outbox *ob, const char *sql, long long def, int *rc_out)
{
    sqlite3_stmt *st = prep(ob, sql);
    int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    long long v = def;
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (rc_out)
        *rc_out = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : sqlite3_errcode(ob->db);
    sqlite3_finalize(st);
    return v;
}

static int meta_set(tote_outbox *ob, const char *key, const char *value)
{
    sqlite3_stmt *st = prep(ob, "INSERT INTO meta(key, value) VALUES(?1, ?2) "
                                "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!st)
        return SQLITE_ERROR;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Copies meta[key] into buf; 1 found, 0 absent, -1 error. */
static int meta_get(tote_outbox *ob, const char *key, char *buf, size_t cap)
{
    sqlite3_stmt *st = prep(ob, "SELECT value FROM meta WHERE key = ?1");
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = -1;
    }
    sqlite3_finalize(st);
    return found;
}

static int meta_set_u32(tote_outbox *ob, const char *key, uint32_t v)
{
    char b[16];
    snprintf(b, sizeof b, "%u", (unsigned)v);
    return meta_set(ob, key, b);
}

static const char *const schema_sql = "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                                      "CREATE TABLE outbox("
                                      "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                      "  seq INTEGER UNIQUE,"
                                      "  type INTEGER NOT NULL,"
                                      "  body BLOB NOT NULL,"
                                      "  replay INTEGER NOT NULL DEFAULT 0,"
                                      "  created TEXT NOT NULL);";

static tote_hh_err open_fail(tote_outbox *ob, tote_hh_err e, tote_outbox **out, char **why)
{
    if (why)
        *why = strdup(ob->err);
    *out = NULL;
    tote_outbox_destroy(&ob);
    return e;
}

/* Classifies an SQLite failure at open time into a sentence and a code. */
static tote_hh_err open_db_error(tote_outbox *ob, int rc)
{
    int prc = rc & 0xff;
    if (prc == SQLITE_NOTADB || prc == SQLITE_CORRUPT) {
        set_err(ob, "%s is not a usable tote-handheld outbox (%s); move it aside to start a new one",
                ob->path, sqlite3_errstr(prc));
        return TOTE_HH_E_STORE;
    }
    if (prc == SQLITE_BUSY || prc == SQLITE_LOCKED) {
        set_err(ob, "outbox %s is in use by another tote-handheld", ob->path);
        return TOTE_HH_E_BUSY;
    }
    if (prc == SQLITE_CANTOPEN || prc == SQLITE_PERM || prc == SQLITE_READONLY || prc == SQLITE_AUTH) {
        set_err(ob, "cannot open the outbox %s: %s", ob->path, sqlite3_errstr(prc));
        return TOTE_HH_E_ACCESS;
    }
    set_err(ob, "cannot open the outbox %s: %s", ob->path,
            ob->db ? sqlite3_errmsg(ob->db) : sqlite3_errstr(prc));
    return TOTE_HH_E_STORE;
}

tote_hh_err tote_outbox_open(const char *path, const char *device, tote_outbox **out, char **why)
{
    if (why)
        *why = NULL;
    *out = NULL;
    if (!path || !*path || !device || !*device || strlen(device) > TOTE_WIRE_DEVICE_MAX) {
        if (why)
            *why = strdup("the outbox needs a file path and a device id of 1 to 32 bytes");
        return TOTE_HH_E_INVALID;
    }
    tote_outbox *ob = calloc(1, sizeof *ob);
    if (!ob)
        return TOTE_HH_E_NOMEM;
    ob->path = strdup(path);
    snprintf(ob->device, sizeof ob->device, "%s", device);
    if (!ob->path) {
        free(ob);
        return TOTE_HH_E_NOMEM;
    }
    int rc = sqlite3_open_v2(path, &ob->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
                             NULL);
    if (rc != SQLITE_OK)
        return open_fail(ob, open_db_error(ob, rc), out, why);
    sqlite3_extended_result_codes(ob->db, 0);
    sqlite3_busy_timeout(ob->db, 200);
    /* Exclusive locking before WAL: no shared-memory index, and the lock is
     * held from the first access until close, so two handhelds cannot share
     * one outbox (and one sequence counter). */
    if ((rc = exec(ob, "PRAGMA locking_mode = EXCLUSIVE")) != SQLITE_OK)
        return open_fail(ob, open_db_error(ob, rc), out, why);
    if ((rc = exec(ob, "BEGIN IMMEDIATE")) != SQLITE_OK)
        return open_fail(ob, open_db_error(ob, rc), out, why);
    int qrc = SQLITE_OK;
    long long app = query_int(ob, "PRAGMA application_id", 0, &qrc);
    long long fmt = qrc == SQLITE_OK ? query_int(ob, "PRAGMA user_version", 0, &qrc) : 0;
    long long tables = qrc == SQLITE_OK ? query_int(ob, "SELECT count(*) FROM sqlite_schema", 0, &qrc) : 0;
    if (qrc != SQLITE_OK) {
        exec(ob, "ROLLBACK");
        return open_fail(ob, open_db_error(ob, qrc), out, why);
    }
    if (app == 0 && tables == 0) {
        char sql[128];
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d", OUTBOX_APP_ID,
                 OUTBOX_FORMAT);
        if (exec(ob, schema_sql) != SQLITE_OK || exec(ob, sql) != SQLITE_OK ||
            meta_set(ob, "device", device) != SQLITE_OK || meta_set_u32(ob, "hwm", 0) != SQLITE_OK ||
            meta_set(ob, "synced", "0") != SQLITE_OK) {
            tote_hh_err e = db_fail(ob, "create");
            exec(ob, "ROLLBACK");
            return open_fail(ob, e, out, why);
        }
    } else if (app != OUTBOX_APP_ID) {
        exec(ob, "ROLLBACK");
        set_err(ob, "%s is an SQLite database but not a tote-handheld outbox", path);
        return open_fail(ob, TOTE_HH_E_STORE, out, why);
    } else if (fmt > OUTBOX_FORMAT) {
        exec(ob, "ROLLBACK");
        set_err(ob, "outbox %s has format %lld, newer than this tote-handheld understands (%d)", path, fmt,
                OUTBOX_FORMAT);
        return open_fail(ob, TOTE_HH_E_STORE, out, why);
    }
    char owner[TOTE_WIRE_DEVICE_MAX + 8] = "", hwm[24] = "", synced[8] = "";
    if (meta_get(ob, "device", owner, sizeof owner) != 1 || meta_get(ob, "hwm", hwm, sizeof hwm) != 1 ||
        meta_get(ob, "synced", synced, sizeof synced) != 1) {
        exec(ob, "ROLLBACK");
        set_err(ob, "%s is not a usable tote-handheld outbox (its meta table is incomplete)", path);
        return open_fail(ob, TOTE_HH_E_STORE, out, why);
    }
    if (strcmp(owner, device) != 0) {
        exec(ob, "ROLLBACK");
        set_err(ob, "outbox %s belongs to device %s, not %s", path, owner, device);
        return open_fail(ob, TOTE_HH_E_STORE, out, why);
    }
    if ((rc = exec(ob, "COMMIT")) != SQLITE_OK)
        return open_fail(ob, open_db_error(ob, rc), out, why);
    ob->hwm = (uint32_t)strtoul(hwm, NULL, 10);
    ob->synced = strcmp(synced, "1") == 0;
    /* WAL after the first transaction (the exclusive lock is already ours);
     * FULL: an entry is on disk before its request goes out. */
    if (exec(ob, "PRAGMA journal_mode = WAL") != SQLITE_OK ||
        exec(ob, "PRAGMA synchronous = FULL") != SQLITE_OK)
        return open_fail(ob, db_fail(ob, "configure"), out, why);
    /* A damaged file is better refused now than halfway through a shift. */
    sqlite3_stmt *st = prep(ob, "PRAGMA quick_check(1)");
    rc = st ? sqlite3_step(st) : SQLITE_ERROR;
    int ok = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    if (!ok)
        rc = sqlite3_errcode(ob->db);
    sqlite3_finalize(st);
    if (!ok) {
        if (rc == SQLITE_ROW || rc == SQLITE_OK || rc == SQLITE_DONE)
            set_err(ob, "%s is not a usable tote-handheld outbox (integrity check failed); move it aside",
                    path);
        else
            open_db_error(ob, rc);
        return open_fail(ob, TOTE_HH_E_STORE, out, why);
    }
    *out = ob;
    return TOTE_HH_E_OK;
}

void tote_outbox_destroy(tote_outbox **ob)
{
    if (!ob || !*ob)
        return;
    sqlite3_close((*ob)->db);
    free((*ob)->path);
    free(*ob);
    *ob = NULL;
}

static void now_text(char *buf, size_t cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%03dZ", base, (int)(ts.tv_nsec / 1000000L) % 1000);
}

tote_hh_err tote_outbox_add(tote_outbox *ob, tote_wire_msg *m, int replay)
{
    if (strcmp(m->device, ob->device) != 0 || !tote_wire_is_request(m->type) || m->type == TOTE_WIRE_HELLO ||
        m->type == TOTE_WIRE_HEARTBEAT || m->type == TOTE_WIRE_SNAPSHOT) {
        set_err(ob, "only this device's sequenced requests go into the outbox");
        return TOTE_HH_E_INVALID;
    }
    uint32_t seq = ob->synced ? ob->hwm + 1 : 0;
    if (ob->synced && seq == 0) {
        set_err(ob, "the outbox's sequence numbers are used up");
        return TOTE_HH_E_STORE;
    }
    m->seq = seq;
    static uint8_t body[TOTE_WIRE_MAX_FRAME];
    size_t len = 0;
    tote_proto_err pe = tote_wire_encode(m, body, sizeof body, &len);
    if (pe != TOTE_PROTO_E_OK) {
        set_err(ob, "cannot encode the request: %s", tote_proto_strerror(pe));
        return TOTE_HH_E_INVALID;
    }
    char created[48];
    now_text(created, sizeof created);
    if (exec(ob, "BEGIN IMMEDIATE") != SQLITE_OK)
        return db_fail(ob, "write");
    sqlite3_stmt *st =
        prep(ob, "INSERT INTO outbox(seq, type, body, replay, created) VALUES(?1, ?2, ?3, ?4, ?5)");
    int rc = SQLITE_ERROR;
    if (st) {
        if (seq)
            sqlite3_bind_int64(st, 1, seq);
        else
            sqlite3_bind_null(st, 1);
        sqlite3_bind_int(st, 2, m->type);
        sqlite3_bind_blob(st, 3, body, (int)len, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, replay ? 1 : 0);
        sqlite3_bind_text(st, 5, created, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_DONE || (seq && meta_set_u32(ob, "hwm", seq) != SQLITE_OK) ||
        exec(ob, "COMMIT") != SQLITE_OK) {
        tote_hh_err e = db_fail(ob, "write");
        exec(ob, "ROLLBACK");
        m->seq = 0;
        return e;
    }
    if (seq)
        ob->hwm = seq;
    return TOTE_HH_E_OK;
}

tote_hh_err tote_outbox_sync(tote_outbox *ob, uint32_t station_last_seq, uint32_t *next_seq)
{
    uint32_t hwm = ob->hwm > station_last_seq ? ob->hwm : station_last_seq;
    if (exec(ob, "BEGIN IMMEDIATE") != SQLITE_OK)
        return db_fail(ob, "write");
    sqlite3_stmt *sel = prep(ob, "SELECT id, body FROM outbox WHERE seq IS NULL ORDER BY id");
    sqlite3_stmt *upd = prep(ob, "UPDATE outbox SET seq = ?1, body = ?2 WHERE id = ?3");
    int rc = sel && upd ? SQLITE_ROW : SQLITE_ERROR;
    static tote_wire_msg m;
    static uint8_t body[TOTE_WIRE_MAX_FRAME];
    while (sel && upd && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
        const uint8_t *b = sqlite3_column_blob(sel, 1);
        int blen = sqlite3_column_bytes(sel, 1);
        size_t len = 0;
        if (tote_wire_decode(b, (size_t)blen, &m) != TOTE_PROTO_E_OK) {
            rc = SQLITE_CORRUPT;
            break;
        }
        m.seq = ++hwm;
        if (tote_wire_encode(&m, body, sizeof body, &len) != TOTE_PROTO_E_OK) {
            rc = SQLITE_CORRUPT;
            break;
        }
        sqlite3_bind_int64(upd, 1, m.seq);
        sqlite3_bind_blob(upd, 2, body, (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(upd, 3, sqlite3_column_int64(sel, 0));
        int urc = sqlite3_step(upd);
        sqlite3_reset(upd);
        if (urc != SQLITE_DONE) {
            rc = urc;
            break;
        }
    }
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    if (rc != SQLITE_DONE || meta_set_u32(ob, "hwm", hwm) != SQLITE_OK ||
        meta_set(ob, "synced", "1") != SQLITE_OK || exec(ob, "COMMIT") != SQLITE_OK) {
        tote_hh_err e =
            rc == SQLITE_CORRUPT
                ? (set_err(ob, "the outbox %s holds an unreadable request", ob->path), TOTE_HH_E_STORE)
                : db_fail(ob, "write");
        exec(ob, "ROLLBACK");
        return e;
    }
    ob->hwm = hwm;
    ob->synced = 1;
    if (next_seq)
        *next_seq = hwm + 1;
    return TOTE_HH_E_OK;
}

uint32_t tote_outbox_peek_seq(const tote_outbox *ob)
{
    return ob->hwm + 1 ? ob->hwm + 1 : 1;
}

uint32_t tote_outbox_hwm(const tote_outbox *ob)
{
    return ob->hwm;
}

int tote_outbox_synced(const tote_outbox *ob)
{
    return ob->synced;
}

tote_hh_err tote_outbox_first(tote_outbox *ob, tote_outbox_entry *e)
{
    sqlite3_stmt *st =
        prep(ob, "SELECT id, seq, type, replay, body FROM outbox WHERE seq IS NOT NULL ORDER BY seq LIMIT 1");
    if (!st)
        return db_fail(ob, "read");
    int rc = sqlite3_step(st);
    tote_hh_err err = TOTE_HH_E_OK;
    if (rc == SQLITE_ROW) {
        int blen = sqlite3_column_bytes(st, 4);
        if (blen < 0 || (size_t)blen > sizeof e->body) {
            set_err(ob, "the outbox %s holds an oversized request", ob->path);
            err = TOTE_HH_E_STORE;
        } else {
            e->id = sqlite3_column_int64(st, 0);
            e->seq = (uint32_t)sqlite3_column_int64(st, 1);
            e->type = (uint8_t)sqlite3_column_int(st, 2);
            e->replay = sqlite3_column_int(st, 3) != 0;
            e->len = (size_t)blen;
            if (blen)
                memcpy(e->body, sqlite3_column_blob(st, 4), (size_t)blen);
        }
    } else if (rc == SQLITE_DONE) {
        err = TOTE_HH_E_NOT_FOUND;
    } else {
        err = db_fail(ob, "read");
    }
    sqlite3_finalize(st);
    return err;
}

tote_hh_err tote_outbox_done(tote_outbox *ob, uint32_t seq)
{
    sqlite3_stmt *st = prep(ob, "DELETE FROM outbox WHERE seq = ?1");
    if (!st)
        return db_fail(ob, "write");
    sqlite3_bind_int64(st, 1, seq);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_fail(ob, "write");
    return sqlite3_changes(ob->db) ? TOTE_HH_E_OK : TOTE_HH_E_NOT_FOUND;
}

tote_hh_err tote_outbox_mark_replay(tote_outbox *ob)
{
    if (exec(ob, "UPDATE outbox SET replay = 1 WHERE replay = 0") != SQLITE_OK)
        return db_fail(ob, "write");
    return TOTE_HH_E_OK;
}

long tote_outbox_count(tote_outbox *ob)
{
    int rc = SQLITE_OK;
    long long n = query_int(ob, "SELECT count(*) FROM outbox", 0, &rc);
    if (rc != SQLITE_OK) {
        db_fail(ob, "read");
        return -1;
    }
    return (long)n;
}

long tote_outbox_pending(tote_outbox *ob, uint32_t *seqs, size_t cap)
{
    sqlite3_stmt *st = prep(ob, "SELECT coalesce(seq, 0) FROM outbox ORDER BY seq IS NULL, seq, id");
    if (!st) {
        db_fail(ob, "read");
        return -1;
    }
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((size_t)n < cap)
            seqs[n] = (uint32_t)sqlite3_column_int64(st, 0);
        n++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        db_fail(ob, "read");
        return -1;
    }
    return n;
}

const char *tote_outbox_path(const tote_outbox *ob)
{
    return ob->path;
}

const char *tote_outbox_errmsg(const tote_outbox *ob)
{
    return ob->err;
}
