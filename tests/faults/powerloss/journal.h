/*
 * Power-loss simulation for the station's database.
 *
 * shim.c (libtote_powerloss_shim.so, loaded with LD_PRELOAD into `tote`)
 * appends every change a process makes to the tracked files — the database
 * named by TOTE_PL_TRACK and its "-wal" and "-journal" files, not "-shm",
 * which SQLite rebuilds — to the journal named by TOTE_PL_JOURNAL: each
 * write/pwrite with its bytes, each ftruncate and unlink, and each
 * fsync/fdatasync once it has returned (with where the journal ended when it
 * began). Several processes may append to one
 * journal (O_APPEND, one write(2) per record, so records never interleave).
 * Test code appends MARK records ("what a client saw acknowledged") with
 * pl_journal_mark() at the moment it sees the acknowledgement, so the
 * journal's order is the order of what happened.
 *
 * pl_rebuild() reconstructs the tracked files as a power cut at record
 * `crash` would leave them. A change to file F recorded before a sync of F
 * began, that sync having returned before the crash, is durable and always
 * kept (a change made while the sync ran is not: fdatasync may or may not
 * have covered it). Any other change was still in
 * the page cache: PL_KEEP keeps all of them (no loss), PL_DROP loses all,
 * PL_RANDOM keeps each with probability 1/2, PL_TORN as PL_RANDOM and a kept
 * write may be torn (only its first k 512-byte sectors reach the disk).
 * File creation and unlink take effect at once (directory syncs are not
 * modelled).
 *
 * With TOTE_PL_FULL_FLAG=PATH the shim also plays a full disk: while the
 * file PATH exists, a write that would make a tracked file longer fails with
 * ENOSPC (overwrites inside the file still succeed, as on a real full disk).
 *
 * Record layout (little-endian): u32 magic "TPL1", u8 type, u8 file, u16 0,
 * u32 pid, i64 offset, u32 len, then len bytes (writes and marks). A SYNC
 * record's offset is 1 + the journal's size in bytes when the sync began (0
 * in journals from before this was recorded: then the sync covers every
 * record before its own).
 */
#ifndef TOTE_POWERLOSS_JOURNAL_H
#define TOTE_POWERLOSS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define PL_MAGIC 0x314C5054u /* "TPL1" */

enum pl_type { PL_WRITE = 1, PL_SYNC = 2, PL_TRUNC = 3, PL_UNLINK = 4, PL_MARK = 5 };
enum pl_file { PL_DB = 0, PL_WAL = 1, PL_JOURNAL = 2, PL_NFILES = 3, PL_NOFILE = 255 };

typedef struct pl_rec {
    uint8_t type;
    uint8_t file;
    uint32_t pid;
    int64_t off; /* write offset, truncate length */
    uint32_t len;
    const uint8_t *data; /* into the loaded journal */
    uint64_t at;         /* where the record starts in the journal, in bytes */
} pl_rec;

#define PL_HEADER_SIZE 24

typedef struct pl_journal pl_journal;

/* Loads the journal at path; NULL if it cannot be read. A torn last record
 * (a process killed mid-append) is ignored. */
pl_journal *pl_journal_load(const char *path);
void pl_journal_free(pl_journal **j);
size_t pl_journal_count(const pl_journal *j);
const pl_rec *pl_journal_rec(const pl_journal *j, size_t i);

/* Appends a MARK record with text to the journal at path; 0 on success. */
int pl_journal_mark(const char *path, const char *text);

typedef enum pl_mode { PL_KEEP = 0, PL_DROP = 1, PL_RANDOM = 2, PL_TORN = 3 } pl_mode;

/* "keep", "drop", "random", "torn" */
const char *pl_mode_name(pl_mode m);

/*
 * Writes the files as a crash just before record `crash` (0..count) leaves
 * them: out_db, out_db + "-wal", out_db + "-journal" (existing ones are
 * removed first; a file that would not exist is not created). seed drives
 * PL_RANDOM/PL_TORN. Returns 0, or -1 on an I/O error.
 */
int pl_rebuild(const pl_journal *j, size_t crash, pl_mode mode, uint64_t seed, const char *out_db);

/*
 * A cursor replays the journal forward with nothing lost (PL_KEEP), so the
 * states a database passed through can be written out one after another
 * without replaying from the start each time.
 */
typedef struct pl_cursor pl_cursor;

pl_cursor *pl_cursor_new(const pl_journal *j);
/* Applies records up to (not including) pos; pos below the current position is -1. */
int pl_cursor_advance(pl_cursor *c, size_t pos);
/* Writes the files as of the current position (as pl_rebuild does). */
int pl_cursor_write(const pl_cursor *c, const char *out_db);
void pl_cursor_free(pl_cursor **c);

#endif
