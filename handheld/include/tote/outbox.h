/*
 * The handheld's outbox: every sequenced request is written here (a small
 * SQLite file, WAL, synchronous=FULL) BEFORE it is sent, and removed when its
 * reply arrives. It is also where the per-device sequence counter lives, so a
 * restarted handheld never reuses a sequence number (PROTOCOL.md section 4).
 *
 * Sequence numbers. The counter ("high-water mark") is the highest seq ever
 * handed out from this file. An outbox that has never seen a HELLO_OK is
 * "unsynced": requests added then are stored without a seq (a wiped outbox
 * cannot know which numbers the station has already answered), and get their
 * seqs, in the order they were added, at the first tote_outbox_sync(). After
 * that, tote_outbox_add() assigns hwm+1 at once.
 *
 * One process at a time: the file is held in SQLite's exclusive locking mode;
 * a second opener gets TOTE_HH_E_BUSY. Not thread-safe.
 */
#ifndef TOTE_OUTBOX_H
#define TOTE_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "tote/handheld.h"
#include "tote/wire.h"

typedef struct tote_outbox tote_outbox;

/* One stored request. */
typedef struct tote_outbox_entry {
    int64_t id;   /* insertion order */
    uint32_t seq; /* 0 while the outbox is unsynced */
    uint8_t type; /* tote_wire_type */
    int replay;   /* send with TOTE_WIRE_F_REPLAY */
    size_t len;
    uint8_t body[TOTE_WIRE_MAX_FRAME]; /* encoded request, flags as first stored */
} tote_outbox_entry;

/*
 * Opens (creating if absent) the outbox at path for device. Returns
 * TOTE_HH_E_OK with *out, or (with *out NULL and, if why != NULL, a malloc'd
 * one-sentence explanation in *why that the caller frees):
 *   TOTE_HH_E_STORE   not an outbox (not SQLite, another SQLite file, newer
 *                     format, corrupt), or it belongs to another device;
 *   TOTE_HH_E_BUSY    another process holds it;
 *   TOTE_HH_E_ACCESS  cannot be opened or created (permissions, directory);
 *   TOTE_HH_E_INVALID empty path or device.
 */
tote_hh_err tote_outbox_open(const char *path, const char *device, tote_outbox **out, char **why);

/* Closes; NULL-safe; sets *ob = NULL. */
void tote_outbox_destroy(tote_outbox **ob);

/*
 * Stores request m durably. m->device must be the outbox's device and m a
 * sequenced request type. If the outbox is synced, m->seq is set to the next
 * number (persisted in the same transaction); else m->seq is set to 0 and the
 * seq comes at sync. replay: store the entry as one to send with the REPLAY
 * flag. Returns OK, INVALID (wrong device, not encodable), STORE (disk).
 */
tote_hh_err tote_outbox_add(tote_outbox *ob, tote_wire_msg *m, int replay);

/*
 * After HELLO_OK: raises the counter to at least station_last_seq, gives seqs
 * to entries stored while unsynced (in insertion order), and marks the
 * outbox synced. *next_seq (may be NULL) receives the seq the next add will
 * use. Returns OK or STORE.
 */
tote_hh_err tote_outbox_sync(tote_outbox *ob, uint32_t station_last_seq, uint32_t *next_seq);

/* The seq the next add would take (hwm + 1), without consuming it: HELLO's. */
uint32_t tote_outbox_peek_seq(const tote_outbox *ob);

/* The highest seq handed out (0: none). */
uint32_t tote_outbox_hwm(const tote_outbox *ob);

/* 1 once tote_outbox_sync() has run on this file, ever. */
int tote_outbox_synced(const tote_outbox *ob);

/* Copies the pending entry with the lowest seq (seq assigned) into *e.
 * Returns OK, NOT_FOUND (nothing sendable) or STORE. */
tote_hh_err tote_outbox_first(tote_outbox *ob, tote_outbox_entry *e);

/* Removes the entry with this seq (its reply arrived). OK, NOT_FOUND, STORE. */
tote_hh_err tote_outbox_done(tote_outbox *ob, uint32_t seq);

/* Marks every pending entry to be sent with the REPLAY flag. OK or STORE. */
tote_hh_err tote_outbox_mark_replay(tote_outbox *ob);

/* Pending entries (with or without seq); -1 on a storage error. */
long tote_outbox_count(tote_outbox *ob);

/* Writes up to cap pending seqs, lowest first, into seqs (unsynced entries as
 * 0, last); returns how many there are in total, or -1. */
long tote_outbox_pending(tote_outbox *ob, uint32_t *seqs, size_t cap);

/* The file's path, as opened. */
const char *tote_outbox_path(const tote_outbox *ob);

/* One sentence about the last failure on ob ("" if none). */
const char *tote_outbox_errmsg(const tote_outbox *ob);

#endif
