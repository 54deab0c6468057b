/* The exactly-once request table and per-request savepoints (tote/server.h),
 * and the scan log (tote/flows.h). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "lat_hist.h"
#include "mono_clock.h"

#include "store_tx.h"
#include "tote/devices.h"
#include "tote/flows.h"
#include "tote/server.h"

/* The reply blob in column 1 of st's row (type in column 0) into a malloc'd copy. */
static tote_st_err copy_reply(sqlite3_stmt *st, int *type, uint8_t **reply, size_t *len)
{
    *type = sqlite3_column_int(st, 0);
    int n = sqlite3_column_bytes(st, 1);
    const void *p = sqlite3_column_blob(st, 1);
    uint8_t *copy = malloc(n > 0 ? (size_t)n : 1);
    if (!copy)
        return TOTE_ST_E_NOMEM;
    if (n > 0)
        memcpy(copy, p, (size_t)n);
    *reply = copy;
    *len = (size_t)n;
    return TOTE_ST_E_OK;
}

tote_st_err tote_request_lookup(tote_store *s, const char *device, uint32_t seq, int *type, uint8_t **reply,
                                size_t *len)
{
    *reply = NULL;
    *len = 0;
    /* a scan's reply is kept in its scan row; every other reply (and a scan's
     * written before schema 6) in the request table */
    static const char *const where[] = {
        "SELECT reply_type, reply FROM scan WHERE device = ?1 AND device_seq = ?2 AND reply IS NOT NULL",
        "SELECT type, reply FROM request WHERE device = ?1 AND seq = ?2",
    };
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = tote_store_stmt(s, where[i]);
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
        int rc = sqlite3_step(st);
        tote_st_err e = rc == SQLITE_ROW    ? copy_reply(st, type, reply, len)
                        : rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND
                                            : tote_store_map_rc(rc);
        sqlite3_reset(st);
        if (e != TOTE_ST_E_NOT_FOUND)
            return e;
    }
    return TOTE_ST_E_NOT_FOUND;
}

tote_st_err tote_request_store(tote_store *s, const char *device, uint32_t seq, int type,
                               const uint8_t *reply, size_t len, const char *now)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO request(device, seq, type, reply, at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_int(st, 3, type);
    sqlite3_bind_blob(st, 4, reply, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    return tote_request_seen(s, device, seq, now);
}

tote_st_err tote_request_seen(tote_store *s, const char *device, uint32_t seq, const char *now)
{
    /* the device was heard from: last_seq and last_seen in one update */
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE device SET last_seq = MAX(last_seq, ?2), last_seen = ?3 WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_request_prune(tote_store *s, const char *cutoff, int max_rows, int *pruned)
{
    *pruned = 0;
    /* only the oldest rows (rowid = insertion order) are looked at, so a
     * prune that finds nothing to do costs max_rows row reads, not a scan */
    sqlite3_stmt *st = tote_store_stmt(s, "DELETE FROM request WHERE rowid IN (SELECT rowid FROM request "
                                          "ORDER BY rowid LIMIT ?2) AND at < ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, cutoff, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, max_rows);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    *pruned = sqlite3_changes(tote_store_db(s));
    return TOTE_ST_E_OK;
}

tote_st_err tote_request_savepoint(tote_store *s)
{
    return store_exec_sql(s, "SAVEPOINT tote_request");
}

tote_st_err tote_request_release(tote_store *s)
{
    return store_exec_sql(s, "RELEASE tote_request");
}

void tote_request_rollback(tote_store *s)
{
    store_exec_sql(s, "ROLLBACK TO tote_request");
    store_exec_sql(s, "RELEASE tote_request");
}

int tote_reply_blob_encode(const tote_wire_msg *msgs, int n, uint8_t *buf, size_t cap, size_t *len)
{
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        size_t flen = 0;
        if (cap - at < 2)
            return -1;
        size_t room = cap - at - 2 < TOTE_WIRE_MAX_FRAME ? cap - at - 2 : TOTE_WIRE_MAX_FRAME;
        if (tote_wire_encode(&msgs[i], buf + at + 2, room, &flen) != TOTE_PROTO_E_OK || flen == 0 ||
            flen > 0xFFFF)
            return -1;
        buf[at] = (uint8_t)(flen >> 8);
        buf[at + 1] = (uint8_t)flen;
        at += 2 + flen;
    }
    *len = at;
    return 0;
}

int tote_reply_blob_next(const uint8_t *blob, size_t len, size_t *off, const uint8_t **frame,
                         size_t *frame_len)
{
    if (*off + 2 > len)
        return 0;
    size_t n = (size_t)blob[*off] << 8 | blob[*off + 1];
    if (n == 0 || *off + 2 + n > len)
        return 0;
    *frame = blob + *off + 2;
    *frame_len = n;
    *off += 2 + n;
    return 1;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, long long v)
{
    if (v > 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

tote_st_err tote_scan_record(tote_store *s, const tote_scan_row *r, int reply_type, const uint8_t *reply,
                             size_t reply_len)
{
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "INSERT INTO scan(device, device_seq, operator, context, raw, symbology, kind, gtin, lot, expiry, "
        "serial, qty, order_id, pick_task_id, package_id, result, reason, at, reply_type, reply) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->seq);
    bind_opt(st, 3, r->operator_name);
    sqlite3_bind_text(st, 4, r->context, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 5, r->raw ? (const void *)r->raw : (const void *)"", (int)r->raw_len,
                      SQLITE_TRANSIENT);
    bind_opt(st, 6, r->symbology);
    bind_opt(st, 7, r->kind);
    bind_opt(st, 8, r->gtin);
    bind_opt(st, 9, r->lot);
    bind_opt(st, 10, r->expiry);
    bind_opt(st, 11, r->serial);
    sqlite3_bind_int(st, 12, r->qty);
    bind_id(st, 13, r->order_id);
    bind_id(st, 14, r->pick_task_id);
    bind_id(st, 15, r->package_id);
    sqlite3_bind_text(st, 16, r->accepted ? "accepted" : "refused", -1, SQLITE_STATIC);
    bind_opt(st, 17, r->reason);
    sqlite3_bind_text(st, 18, r->at, -1, SQLITE_TRANSIENT);
    if (reply) {
        sqlite3_bind_int(st, 19, reply_type);
        sqlite3_bind_blob(st, 20, reply, (int)reply_len, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(st, 19);
        sqlite3_bind_null(st, 20);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

/* ---------------- background checkpoints ---------------- */

/*
 * How large the WAL may grow before the writer checkpoints it itself, right
 * after a commit. SQLite's own automatic checkpoint runs every 1000 frames;
 * every hot page (the stock row, device rows, index edges) is then copied
 * into the database again every ~7 batches under load, with two fsyncs each
 * time, on the loop. With room on the disk the WAL may reach 32768 frames
 * (~129 MiB, with 1 GiB free) or 8192 (~32 MiB, with 256 MiB free). On a
 * disk with less the bound stays at 1000 frames: a WAL that fills the disk
 * cannot be checkpointed (the database cannot grow to take its pages) until
 * space is freed by hand. The thread re-reads the free space at each run.
 *
 * The WAL starts again from its beginning only when a write transaction
 * begins while every frame in it is in the database. Under steady load the
 * thread's PASSIVE checkpoints never get there (the writer appends while they
 * copy), so each time the WAL reached the bound the writer checkpointed
 * itself on the loop: the frames since the thread's last run and two fsyncs,
 * the database's over every page those frames touched. At 2,000 scans a
 * second (16,000 frames) on a grown database that was a 4-15 ms stall twice
 * a second with 8192 frames, which every request arriving meanwhile waited
 * out: most of the open-loop p99. Hence the larger bound, and: once the WAL
 * holds three quarters of it, the thread follows its PASSIVE run with a FULL
 * one. That takes the write lock between two of the loop's transactions,
 * copies the few frames the PASSIVE run did not see, syncs the WAL and the
 * database and lets the loop's next transaction restart the WAL. It does not
 * wait: with no busy handler it gives up at once if the loop is in a
 * transaction, and copies nothing a reader still needs; it tries again at
 * its next run. The writer's own checkpoint at the bound stays, for a loop
 * that never pauses.
 *
 * The loop waits for the FULL checkpoint's lock at its next transaction, so
 * what the FULL run does under it is kept short. A PASSIVE run that does not
 * reach the WAL's end syncs nothing: every page it copied stays dirty in the
 * file cache until a checkpoint reaches the end and syncs the database. That
 * was the FULL run's sync, under the lock: on a database grown by a busy
 * hour, 4-17 ms (station/SERVER.md, "Checkpoints mostly off the loop"). So
 * the thread syncs the database file itself first, holding no lock, and the
 * FULL run's own sync finds only the pages it copied.
 *
 * TOTE_TEST_WAL_BOUND (frames, at least 100) replaces the bound, for tests
 * that must reach it quickly.
 */
#define STORE_WAL_FRAMES_SMALL 1000
#define STORE_WAL_FRAMES_MID 8192
#define STORE_WAL_FRAMES_LARGE 32768
#define STORE_WAL_ROOM_MID (256ULL << 20)
#define STORE_WAL_ROOM_LARGE (1ULL << 30)
#define CKPT_BUSY_MS 1000 /* the thread's connection, outside its FULL checkpoints */

struct tote_checkpointer {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    int kicked; /* the writer asked for a checkpoint now */
    int interval_ms;
    int always_full; /* TOTE_TEST_CKPT_FULL=1: FULL runs only, no PASSIVE one first (crash tests) */
    sqlite3 *db;
    char *path;        /* the database file, for statvfs */
    int db_fd;         /* the database file, read-only, for its sync before a FULL run (-1: none) */
    _Atomic int bound; /* STORE_WAL_FRAMES_SMALL, _MID or _LARGE */
    int last_frames;   /* writer thread only: WAL frames after its last commit */
    int next_kick;     /* writer thread only: wake the thread at this many */
    unsigned long long runs;
    unsigned long long restarts;             /* FULL checkpoints of the thread that reached the WAL's end */
    unsigned long long presyncs;             /* syncs of the database file before a FULL run */
    lat_hist full_lat;                       /* FULL runs that took the write lock: how long they held it */
    _Atomic unsigned long long writer_ckpts; /* checkpoints the writer ran itself, at the bound */
};

/* The WAL bound for the disk that path is on: large only with room to spare. */
static int wal_bound(const char *path)
{
    const char *t = getenv("TOTE_TEST_WAL_BOUND");
    if (t && atoi(t) >= 100)
        return atoi(t);
    struct statvfs v;
    if (statvfs(path, &v) != 0)
        return STORE_WAL_FRAMES_SMALL;
    unsigned long long avail = (unsigned long long)v.f_bavail * (unsigned long long)v.f_frsize;
    return avail >= STORE_WAL_ROOM_LARGE ? STORE_WAL_FRAMES_LARGE
           : avail >= STORE_WAL_ROOM_MID ? STORE_WAL_FRAMES_MID
                                         : STORE_WAL_FRAMES_SMALL;
}

static void *checkpoint_main(void *arg)
{
    tote_checkpointer *cp = arg;
    pthread_mutex_lock(&cp->mu);
    while (!cp->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += cp->interval_ms / 1000;
        until.tv_nsec += (long)(cp->interval_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!cp->stop && !cp->kicked)
            if (pthread_cond_timedwait(&cp->cv, &cp->mu, &until) != 0)
                break; /* the interval is over */
        if (cp->stop)
            break;
        cp->kicked = 0;
        pthread_mutex_unlock(&cp->mu);
        /* PASSIVE: copies what it can without waiting for (or blocking) the writer */
        int log = 0, done = 0, restarted = 0;
        if (!cp->always_full)
            sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        int presynced = 0, full_rc = SQLITE_BUSY;
        long long held_us = 0;
        if (log >= cp->bound / 4 * 3 || cp->always_full) {
            /* what the PASSIVE runs copied, made durable holding no lock (above) */
            presynced = cp->db_fd >= 0 && fdatasync(cp->db_fd) == 0;
            /* FULL, with no busy handler: never waits for the loop (above) */
            sqlite3_busy_timeout(cp->db, 0);
            long long t0 = mono_us();
            full_rc = sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_FULL, &log, &done);
            held_us = mono_us() - t0;
            restarted = full_rc == SQLITE_OK && log > 0 && done == log;
            sqlite3_busy_timeout(cp->db, CKPT_BUSY_MS);
        }
        cp->bound = wal_bound(cp->path);
        pthread_mutex_lock(&cp->mu);
        cp->runs++;
        cp->restarts += (unsigned long long)restarted;
        cp->presyncs += (unsigned long long)presynced;
        if (full_rc == SQLITE_OK) /* a busy one returned at once */
            lat_add(&cp->full_lat, held_us);
    }
    pthread_mutex_unlock(&cp->mu);
    return NULL;
}

/* sqlite3_wal_hook on the writer's connection, run after each of its
 * commits with the number of frames now in the WAL. It replaces SQLite's
 * automatic checkpoint (also a WAL hook) on that connection. */
static int writer_wal_hook(void *ctx, sqlite3 *db, const char *name, int nframe)
{
    tote_checkpointer *cp = ctx;
    int bound = cp->bound;
    if (nframe < cp->last_frames) /* the WAL restarted */
        cp->next_kick = bound / 4;
    cp->last_frames = nframe;
    if (nframe >= bound) {
        cp->writer_ckpts++;
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    } else if (nframe >= cp->next_kick) {
        cp->next_kick = nframe + bound / 4;
        pthread_mutex_lock(&cp->mu);
        cp->kicked = 1;
        pthread_cond_signal(&cp->cv);
        pthread_mutex_unlock(&cp->mu);
    }
    return SQLITE_OK;
}

/* The descriptor, the path and cp itself. */
static void checkpointer_free(tote_checkpointer *cp)
{
    if (cp->db_fd >= 0)
        close(cp->db_fd);
    free(cp->path);
    free(cp);
}

tote_st_err tote_checkpointer_start(tote_store *s, int interval_ms, tote_checkpointer **out)
{
    *out = NULL;
    tote_checkpointer *cp = calloc(1, sizeof *cp);
    if (!cp)
        return TOTE_ST_E_NOMEM;
    cp->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    /* the FULL path on every run, whatever the WAL's size, with the pages
       still to copy under the write lock: what a reader pinning an old
       snapshot, or a thread behind under load, leads to; the power-loss
       test crashes the station in and around it */
    const char *full = getenv("TOTE_TEST_CKPT_FULL");
    cp->always_full = full && *full == '1';
    cp->path = strdup(tote_store_path(s));
    cp->db_fd = -1;
    if (!cp->path) {
        checkpointer_free(cp);
        return TOTE_ST_E_NOMEM;
    }
    cp->bound = wal_bound(cp->path);
    cp->next_kick = cp->bound / 4;
    /* without it the FULL run syncs everything itself, as before */
    cp->db_fd = open(cp->path, O_RDONLY | O_CLOEXEC);
    int rc =
        sqlite3_open_v2(tote_store_path(s), &cp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(cp->db);
        checkpointer_free(cp);
        return tote_store_map_rc(rc);
    }
    sqlite3_busy_timeout(cp->db, CKPT_BUSY_MS);
    /* reading the journal mode opens the WAL for this connection (a
     * connection that never read the database cannot checkpoint it) */
    rc = sqlite3_exec(cp->db, "PRAGMA journal_mode", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(cp->db);
        checkpointer_free(cp);
        return tote_store_map_rc(rc);
    }
    pthread_mutex_init(&cp->mu, NULL);
    pthread_cond_init(&cp->cv, NULL);
    if (pthread_create(&cp->thread, NULL, checkpoint_main, cp) != 0) {
        sqlite3_close(cp->db);
        pthread_mutex_destroy(&cp->mu);
        pthread_cond_destroy(&cp->cv);
        checkpointer_free(cp);
        return TOTE_ST_E_NOMEM;
    }
    /* the writer checkpoints itself at the WAL bound (see above) */
    sqlite3_wal_hook(tote_store_db(s), writer_wal_hook, cp);
    *out = cp;
    return TOTE_ST_E_OK;
}

tote_st_err tote_store_wal_truncate(tote_store *s)
{
    /* without the busy handler: a TRUNCATE waits for every reader of the
       WAL (the snapshot thread, a CLI command, a report) and would hold the
       loop for up to the busy timeout; the loop tries again a second later */
    int log = 0, done = 0;
    store_busy_wait(s, 0);
    int rc = sqlite3_wal_checkpoint_v2(tote_store_db(s), NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
    store_busy_wait(s, 1);
    return rc == SQLITE_OK ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

int tote_checkpointer_bound(const tote_checkpointer *cp)
{
    return cp->bound;
}

void tote_checkpointer_get_stats(tote_checkpointer *cp, tote_checkpointer_stats *out)
{
    pthread_mutex_lock(&cp->mu);
    out->runs = cp->runs;
    out->restarts = cp->restarts;
    out->presyncs = cp->presyncs;
    out->fulls = cp->full_lat.n;
    out->full_p50_ms = lat_quantile_ms(&cp->full_lat, 0.5);
    out->full_max_ms = (double)cp->full_lat.max_us / 1000.0;
    pthread_mutex_unlock(&cp->mu);
    out->writer_runs = cp->writer_ckpts;
}

void tote_checkpointer_stop(tote_checkpointer **cpp, tote_store *s)
{
    if (!cpp || !*cpp)
        return;
    tote_checkpointer *cp = *cpp;
    if (s) /* SQLite's automatic checkpoint again, instead of the hook */
        sqlite3_wal_autocheckpoint(tote_store_db(s), STORE_WAL_FRAMES_SMALL);
    pthread_mutex_lock(&cp->mu);
    cp->stop = 1;
    pthread_cond_signal(&cp->cv);
    pthread_mutex_unlock(&cp->mu);
    pthread_join(cp->thread, NULL);
    sqlite3_close(cp->db);
    pthread_mutex_destroy(&cp->mu);
    pthread_cond_destroy(&cp->cv);
    checkpointer_free(cp);
    *cpp = NULL;
}
