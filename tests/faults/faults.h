/*
 * The fault tests' common ground: the acknowledgement log that simulated
 * handhelds write (tests/faults/loadgen.c), and the checker that holds a
 * database to it.
 *
 * "Acknowledged" means a handheld received a reply other than ERROR to a
 * sequenced request: the station promises the effect is durable then. The
 * checker verifies, on a database file (the station stopped, killed, or a
 * reconstruction after a simulated power loss):
 *
 *   - the file opens and PRAGMA integrity_check says ok, foreign keys hold;
 *   - the stock ledger balances (tote_stock_check: on_hand = sum of moves,
 *     reserved = open allocations, allocated = allocations);
 *   - no order line is over-picked (picked + short <= ordered, packed <=
 *     picked), no pick task over-done;
 *   - every unit picked is one accepted scan: per pick task, done = the sum
 *     of its accepted scans' qty; per order line, picked = its tasks' done;
 *     the pick moves in the ledger add up to the same;
 *   - every acknowledged request has its stored reply (table request, same
 *     type) and every acknowledged SCAN exactly one scan row (UNIQUE(device,
 *     device_seq)) with the result and quantity the handheld was told;
 *   - with FA_FINAL (the handhelds drained their queues and exited): every
 *     request the station stored for these devices was acknowledged, so
 *     nothing was applied that a handheld does not know about.
 */
#ifndef TOTE_FAULTS_H
#define TOTE_FAULTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct fa_ack {
    char device[33];
    uint32_t seq;
    uint8_t req;   /* tote_wire_type of the request */
    uint8_t reply; /* tote_wire_type of the reply */
    int accepted;
    int qty; /* units a pick scan moved, as the handheld saw it */
} fa_ack;

typedef struct fa_acks {
    fa_ack *v;
    size_t n, cap;
    long violations; /* {"violation":...} lines */
    long errors;     /* {"error":...} lines */
    long storage_errors;
    int summaries; /* {"summary":...} lines */
    int drained;   /* every summary said drained */
    int sorted;
} fa_acks;

/* Appends the acks in the JSON-lines log at path (a loadgen --log). A
 * missing file adds nothing. Returns the lines read, or -1 if unreadable. */
long fa_acks_load(fa_acks *a, const char *path);

/* Appends the acks in the `--json` output of one real `tote-handheld`
 * (handheld/README.md: task, no_task, result and pack_state events carry the
 * request's seq) for its device. A TASK that follows a RESULT of the same seq
 * (SHORT_PICK's second frame) is the same acknowledgement. Returns the lines
 * read, or -1. */
long fa_acks_load_handheld(fa_acks *a, const char *path, const char *device);

/* Adds one ack (for tests that act as the handheld themselves). */
void fa_acks_add(fa_acks *a, const char *device, uint32_t seq, uint8_t req, uint8_t reply, int accepted,
                 int qty);

void fa_acks_free(fa_acks *a);

/* 1 if (device, seq) is acknowledged. */
int fa_acks_has(fa_acks *a, const char *device, uint32_t seq);

enum {
    FA_FINAL = 1 << 0,        /* also: every stored request of these devices was acked */
    FA_NO_STORE = 1 << 1,     /* skip the checks that need libtote_station (migrations run on open) */
    FA_NO_INTEGRITY = 1 << 2, /* the caller ran PRAGMA integrity_check already */
};

/* Checks the database at db_path against acks (may be NULL: invariants
 * only). Problems are printed to report (may be NULL), one line each.
 * Returns the number of problems, 0 when all holds. */
long fa_check(const char *db_path, fa_acks *acks, int flags, FILE *report);

/* A 64-bit digest of every row of every table (sqlite_master order by name,
 * rows by rowid): two databases with the same content have the same digest.
 * Returns 0 and *out, or -1 if the database cannot be read. */
int fa_content_digest(const char *db_path, uint64_t *out);

/* Type code from a wire type name ("SCAN"); 0 if unknown. */
uint8_t fa_type_code(const char *name);

/* Remembers a child process (tt_spawn's, by pid): when this test process
 * exits — also after a failed REQUIRE returned early — every remembered
 * child still running (and still ours to wait for) is killed with its
 * process group, so no station or load generator outlives its test. */
void fa_track_pid(int pid);

/* Directory of the fault helper binaries (fault_loadgen, the shim...). */
const char *fa_bin(const char *name);

#endif
