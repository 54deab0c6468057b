/* What server.c, server_held.c and server_timers.c share: the server's
 * state and the functions the loop calls in the other two (not a public
 * interface; tote/server.h is). */
#ifndef TOTE_SERVER_INTERNAL_H
#define TOTE_SERVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "lat_hist.h"
#include "store_tx.h"
#include "tote/flows.h"
#include "tote/printing.h"
#include "tote/security.h"
#include "tote/server.h"
#include "tote/wire.h"

#define REPLY_RESERVE (TOTE_FLOW_MAX_REPLIES * (TOTE_WIRE_MAX_FRAME + 2))
#define MAX_MSG_BYTES (1 << 20) /* larger frames make libzmq drop the peer */

struct pending {
    zmq_msg_t id;
    zmq_msg_t body;
    int extra_frames; /* frames after the body: malformed */
    int handed;       /* a snapshot handed to the snapshot thread: it answers */
    int fresh;        /* reply produced in this transaction (invalid if it fails) */
    size_t out_off, out_len;
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    uint32_t seq;
    char auth[TOTE_WIRE_DEVICE_MAX + 1]; /* ZAP user id: the enrolled device ("" insecure) */
};

struct touched {
    char name[TOTE_WIRE_DEVICE_MAX + 1];
    int used;
};

struct tote_server {
    tote_server_config cfg;
    char listen[256];
    char events_ep[256];
    tote_store *s;
    tote_checkpointer *checkpointer;
    tote_spooler *spooler;
    void *zctx;
    void *router;
    void *pub;
    tote_server_security *sec;
    struct pending *batch;
    int nbatch;
    uint8_t *out;
    size_t out_len, out_cap;
    tote_wire_msg *req;
    tote_wire_msg *replies;
    tote_events *events;
    /* device rows and current pick tasks between plain scans (flows.h) */
    tote_flow_hot *hot;
    int request_ok; /* handle(): the request was applied and answered */
    tote_flow_settings settings;
    struct touched *touched;
    size_t touched_cap;
    size_t *touched_at; /* the slots in use, so a batch visits only those */
    size_t ntouched;
    long long next_lease_ms;
    long long next_prune_ms;
    long long next_reclaim_ms;
    int stop;
    tote_server_stats stats;
    struct srv_snap *snap;     /* NULL: snapshots are answered on the loop */
    tote_wal_syncer *syncer;   /* NULL: every commit is synchronous=FULL */
    unsigned long long gen;    /* commits made on the loop's connection */
    unsigned long long synced; /* of which known durable */
    uint8_t *held;             /* replies and events waiting for their commit to be durable */
    size_t held_head, held_len, held_cap;
    long long batch_read_us; /* when the batch being applied was read */
    long long released_us;   /* time spent sending during the batch being applied (release_synced) */
    int paused;              /* the last poll left the router unread (two commits unsynced) */
    lat_hist reply_lat;      /* batch read -> reply sent */
    int optimistic;          /* this pass applies requests without savepoints */
    int failed;              /* a request failed in the optimistic pass: apply again */
};

/* server_held.c: replies and events wait there until their commit is durable */

/* A commit on the loop's connection succeeded: a new generation, and a sync
 * asked for (without a syncer the commit was durable already). */
void srv_committed(tote_server *srv);
/* Sends what waits for commits that are durable now (generation <= synced);
 * returns how many replies the ROUTER took (undeliverable ones not counted). */
int srv_held_release(tote_server *srv);
/* The batch's replies into the held queue; the batch's messages closed. */
void srv_hold_replies(tote_server *srv);
/* The events gathered since the last call into the held queue. */
void srv_hold_events(tote_server *srv);

/* server_snap.c: snapshots that only read, answered on a thread of their own */

typedef struct srv_snap srv_snap;

/* Starts the thread with its own read-only connection to db_path. 0, or -1
 * (then the loop answers every snapshot itself). */
int srv_snap_new(const char *db_path, srv_snap **out);
/* Stops the thread (after the snapshot it is computing) and frees what is
 * queued; NULL-safe, nulls *p. */
void srv_snap_destroy(srv_snap **p);
/* Readable when answers wait for srv_snap_drain. */
int srv_snap_fd(const srv_snap *sn);
/* Queues an admitted SNAPSHOT request (tote_flow_snapshot_reads_only) from
 * the peer with ROUTER routing id [id, id + id_len); copies what it needs.
 * 0, or -1 when the queue is full (the caller answers it itself). Loop only. */
int srv_snap_submit(srv_snap *sn, const void *id, size_t id_len, const tote_wire_msg *req);
/* Sends the answers ready, in submission order, on router; counts them into
 * *sent, or *dropped when the peer is gone. Loop only. */
void srv_snap_drain(srv_snap *sn, void *router, unsigned long long *sent, unsigned long long *dropped);

/* server_timers.c */

/* Ends the leases of silent handhelds (their lists go back), in a
 * transaction of its own; publishes what ended once durable. */
void srv_lease_check(tote_server *srv);
/* Deletes stored replies older than request_retention_days (default 7). */
void srv_prune_requests(tote_server *srv);
/* How often the lease check runs: a quarter of the lease, 100 ms..1 s. */
int srv_lease_interval_ms(const tote_server *srv);

#endif
