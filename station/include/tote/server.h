/*
 * The station server (`tote serve`): one event loop over a ZeroMQ ROUTER
 * (handhelds, benches, consoles), a PUB socket for live events, and timers.
 * See station/SERVER.md for the loop, group commit, exactly-once and events.
 *
 * Requests waiting on the ROUTER when the loop wakes are applied in one
 * transaction (one SAVEPOINT each), committed durably, and only then
 * answered. The reply to (device, seq) is stored with its effect, so a
 * resend is answered from the store and applied once.
 */
#ifndef TOTE_SERVER_H
#define TOTE_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tote/store.h"
#include "tote/wire.h"

typedef struct tote_server tote_server;

typedef struct tote_server_config {
    const char *db_path; /* required */
    const char *listen;  /* ROUTER endpoint, default "tcp://0.0.0.0:5555" (any interface) */
    const char *events;  /* PUB endpoint, default "tcp://0.0.0.0:5556" */
    int lease_seconds;   /* pick list lease after the last request, default 120 */
    int heartbeat_ms;    /* handheld heartbeat interval, default 2000 */
    int batch_max;       /* requests per transaction, default 1024; 1 = one transaction per request */
    /* Optional: when the pointed-to flag becomes non-zero the loop ends
     * (set it from a signal handler). */
    volatile sig_atomic_t *stop_flag;
    int insecure; /* 1: no CURVE (development only); default 0: CURVE + ZAP (tote/security.h) */
} tote_server_config;

/* Fills *c with the defaults above (db_path NULL). */
void tote_server_config_default(tote_server_config *c);

/*
 * Opens the store, binds both sockets. On failure returns an error and, if
 * err_msg is not NULL, a malloc'd sentence (caller frees); *out is NULL.
 */
tote_st_err tote_server_new(const tote_server_config *cfg, tote_server **out, char **err_msg);

/* Runs the loop until the stop flag is set or tote_server_stop() is called.
 * Returns TOTE_ST_E_OK on a clean stop. */
tote_st_err tote_server_run(tote_server *srv);

/* Asks the loop to end at its next wake-up (same thread, or a signal handler
 * through config.stop_flag). */
void tote_server_stop(tote_server *srv);

/* Closes sockets and the store. NULL-safe; sets *srv = NULL. */
void tote_server_destroy(tote_server **srv);

typedef struct tote_server_stats {
    unsigned long long requests;  /* frames received */
    unsigned long long batches;   /* transactions committed */
    unsigned long long resends;   /* answered from the request table */
    unsigned long long errors;    /* typed ERROR replies */
    unsigned long long dropped;   /* replies the ROUTER could not deliver */
    unsigned long long max_batch; /* largest batch */
    unsigned long long redone;    /* batches applied again, with a savepoint per request, after a failure */
    unsigned long long apply_us;  /* time spent applying requests (in transactions) */
    unsigned long long commit_us; /* time spent in COMMIT (with a syncer: without the fsync) */
    unsigned long long syncs;     /* fdatasync() calls of the WAL syncer (0: synchronous=FULL commits) */
    unsigned long long early;     /* replies sent between two requests of a later batch, as soon as
                                     their sync returned (not after that batch's commit) */
    unsigned long long snapshots; /* snapshot replies sent from the snapshot thread, off the loop */
    unsigned long long io_us;     /* time spent receiving, sending, publishing */
    /* times the loop stopped reading the router with two commits unsynced,
     * and how long in all: requests that arrive then wait in the socket,
     * a wait the in-the-station latency below does not include */
    unsigned long long pauses, paused_us;
    /* WAL checkpoints (tote_checkpointer): FULL ones of the thread that let
     * the WAL restart, and the loop's own at the WAL bound; how long the
     * thread's FULL ones held the write lock (the loop's wait at worst), ms */
    unsigned long long wal_restarts, loop_checkpoints;
    double full_hold_p50_ms, full_hold_max_ms;
    /* replies: from the batch's reading to the reply's sending (the time a
     * request spends in the station, durable sync included); syncs: each
     * fdatasync() of the WAL syncer. In ms; 0 when there were none. */
    double reply_p50_ms, reply_p99_ms, reply_max_ms;
    double sync_p50_ms, sync_p99_ms, sync_max_ms;
} tote_server_stats;

void tote_server_get_stats(const tote_server *srv, tote_server_stats *out);

/* The endpoints actually bound (ZMQ_LAST_ENDPOINT), owned by the server. */
const char *tote_server_listen_endpoint(const tote_server *srv);
const char *tote_server_events_endpoint(const tote_server *srv);

/* ---- the request table (store_request.c), used by the server ---- */

/*
 * Looks up the stored reply to (device, seq): in the scan row the request
 * logged (tote_scan_record), else in the request table. On TOTE_ST_E_OK
 * *type is the request type, and *reply (malloc'd, caller frees) / *len the
 * stored reply blob (see tote_reply_blob_*). TOTE_ST_E_NOT_FOUND if none is
 * stored.
 */
tote_st_err tote_request_lookup(tote_store *s, const char *device, uint32_t seq, int *type, uint8_t **reply,
                                size_t *len);

/* Stores the reply blob to (device, seq) in the request table, then
 * tote_request_seen. */
tote_st_err tote_request_store(tote_store *s, const char *device, uint32_t seq, int type,
                               const uint8_t *reply, size_t len, const char *now);

/* Raises device.last_seq to seq and sets device.last_seen = now (what
 * tote_request_store does after storing). A scan's reply, kept in its scan
 * row, needs neither: that row's device_seq counts toward the device's
 * last_seq (tote_device_get). */
tote_st_err tote_request_seen(tote_store *s, const char *device, uint32_t seq, const char *now);

/* Deletes stored replies older than cutoff (time text) among the oldest
 * max_rows rows of the request table; *pruned = how many. A request resent
 * after its reply was pruned gets ERROR SEQ_OLD. A scan's reply stays in its
 * scan row as long as the scan (it is what the picker was told). */
tote_st_err tote_request_prune(tote_store *s, const char *cutoff, int max_rows, int *pruned);

/* SAVEPOINT / RELEASE / ROLLBACK TO (and RELEASE) the per-request savepoint. */
tote_st_err tote_request_savepoint(tote_store *s);
tote_st_err tote_request_release(tote_store *s);
void tote_request_rollback(tote_store *s);

/*
 * Lease housekeeping (store_pick.c): releases the leased pick lists whose
 * device has not been heard from (device.last_seen) for lease_seconds and
 * whose promised lease_until has passed: back to 'open' (device and operator
 * cleared; orders with nothing picked yet go back to 'allocated'), event
 * lease_expired. For each released list calls cb(ctx, list_id, device).
 * Returns the count in *n. Writes nothing while every handheld is alive.
 */
tote_st_err tote_pick_expire_leases(tote_store *s, const char *now, int lease_seconds,
                                    void (*cb)(void *ctx, long long list_id, const char *device), void *ctx,
                                    int *n);

/*
 * Background checkpoints (store_request.c): a thread with its own connection
 * runs PASSIVE WAL checkpoints every interval_ms, and sooner when the writer
 * wakes it, copying WAL pages into the database between the loop's commits.
 * When the WAL holds three quarters of its bound or more, the thread syncs the
 * database file (holding no lock: what its PASSIVE runs copied is then durable)
 * and follows with a FULL checkpoint that does not wait (no busy handler):
 * between two of the writer's transactions it copies the rest, syncs, and lets
 * the writer's next transaction restart the WAL from its beginning; if the
 * writer or an older reader is busy it gives up until its next run. start
 * replaces SQLite's automatic checkpoint on s's connection with a WAL hook:
 * after each commit that finds the WAL at its bound (32768 frames, ~129 MiB,
 * with 1 GiB free on the database's disk; 8192, ~32 MiB, with 256 MiB free;
 * else 1000, SQLite's default) s checkpoints itself,
 * which then finds little left to copy and, run right after a commit, lets
 * the WAL restart; every quarter of the bound it wakes the thread. stop joins
 * the thread and gives s SQLite's automatic checkpoint back: s must be the
 * store given to start, or NULL if that store is closed already. NULL-safe.
 */
typedef struct tote_checkpointer tote_checkpointer;
tote_st_err tote_checkpointer_start(tote_store *s, int interval_ms, tote_checkpointer **out);
void tote_checkpointer_stop(tote_checkpointer **cp, tote_store *s);
/* The WAL bound in force, in frames (see above). */
int tote_checkpointer_bound(const tote_checkpointer *cp);
typedef struct tote_checkpointer_stats {
    unsigned long long runs;         /* checkpoints the thread has run */
    unsigned long long restarts;     /* its FULL ones that reached the WAL's end (each lets it restart) */
    unsigned long long presyncs;     /* syncs of the database file before a FULL one */
    unsigned long long fulls;        /* FULL ones that took the write lock */
    double full_p50_ms, full_max_ms; /* how long those held it: the writer's wait at worst */
    unsigned long long writer_runs;  /* checkpoints the writer ran itself, at the bound */
} tote_checkpointer_stats;
/* The figures so far, into *out. Any thread. */
void tote_checkpointer_get_stats(tote_checkpointer *cp, tote_checkpointer_stats *out);
/*
 * The write-ahead log synced off the loop (store_sync.c): group commit with
 * the fsync in threads of their own. start switches s's connection to PRAGMA
 * synchronous=NORMAL (a commit appends to the WAL without syncing it; the
 * database stays consistent whatever a power cut leaves, only commits not yet
 * synced may be missing) and starts two threads that fdatasync() the WAL file
 * when asked: a request made while one syncs is taken by the other at once.
 * The caller numbers its commits (generations, increasing) and
 * answers the requests of a commit only once that generation is synced.
 * On failure s is left with synchronous=FULL and *out is NULL.
 */
typedef struct tote_wal_syncer tote_wal_syncer;
tote_st_err tote_wal_syncer_start(tote_store *s, tote_wal_syncer **out);
/* Asks for a sync covering every commit made so far, generation gen. Does not block. */
void tote_wal_syncer_request(tote_wal_syncer *w, unsigned long long gen);
/* An fd (eventfd) that becomes readable when a sync has completed. */
int tote_wal_syncer_fd(const tote_wal_syncer *w);
/* Clears the fd's readiness; returns the highest generation known durable.
 * *err: errno of a failed fdatasync (then nothing more is synced), else 0. */
unsigned long long tote_wal_syncer_done(tote_wal_syncer *w, int *err);
/* The highest generation known durable, without a system call or a lock:
 * cheap enough to ask between two requests of a batch. Does not clear the
 * fd's readiness and says nothing of a failed sync (tote_wal_syncer_done
 * does); a failed sync never raises it. */
unsigned long long tote_wal_syncer_peek(const tote_wal_syncer *w);
/* Syncs now, in the caller's thread, covering generation gen; returns 0 or
 * the errno of a failed sync (this one or an earlier one). */
int tote_wal_syncer_sync_now(tote_wal_syncer *w, unsigned long long gen);
/* How many fdatasync() calls were made. */
unsigned long long tote_wal_syncer_count(tote_wal_syncer *w);
/* The median, 99th percentile and longest fdatasync() so far, in ms. */
void tote_wal_syncer_latency(tote_wal_syncer *w, double *p50, double *p99, double *max);
/* Joins the threads, closes their fds and sets s (if not NULL) back to
 * synchronous=FULL. NULL-safe; sets *w = NULL. */
void tote_wal_syncer_stop(tote_wal_syncer **w, tote_store *s);

/* A TRUNCATE checkpoint on s's own connection: copies the WAL into the
 * database and truncates the WAL file to zero bytes (after a full disk, this
 * gives the WAL's space back). It never waits for another connection: BUSY
 * at once if a reader or a checkpoint holds the WAL (try again later). */
tote_st_err tote_store_wal_truncate(tote_store *s);

/*
 * A stored reply is one or more encoded wire frames, each prefixed by its
 * length as u16 big-endian. tote_reply_blob_next walks it: *off starts at 0;
 * returns 1 and the frame in (*frame, *frame_len), or 0 at the end/on a
 * damaged blob.
 */
int tote_reply_blob_next(const uint8_t *blob, size_t len, size_t *off, const uint8_t **frame,
                         size_t *frame_len);

/* Encodes msgs[0..n) into buf (cap bytes) in that form, each frame at most
 * TOTE_WIRE_MAX_FRAME bytes; *len = its length. 0, or -1 if a message does
 * not encode or buf is too small. */
int tote_reply_blob_encode(const tote_wire_msg *msgs, int n, uint8_t *buf, size_t cap, size_t *len);

#endif
