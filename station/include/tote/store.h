/*
 * The station's store: one SQLite database file (WAL, synchronous=FULL).
 *
 * The store is the only part of Tote that speaks SQL: every file that holds
 * SQL is station/src/store*.c (or schema.c). Domain modules above it call the
 * functions these files export. SQL is always prepared with bound parameters,
 * never built from input.
 *
 * Times are stored as UTC text "YYYY-MM-DDTHH:MM:SS.mmmZ" (sortable, and
 * accepted by SQLite's date functions and by PostgreSQL).
 */
#ifndef TOTE_STORE_H
#define TOTE_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "tote/station.h"

typedef struct tote_store tote_store;

/* The most units one order line, receipt, move, count or reservation may
 * hold: a billion. Anything larger can only be a typing or export error,
 * and refusing it keeps every sum of units far from overflowing. */
#define TOTE_QTY_MAX 1000000000LL

/* Schema version this build creates and understands (PRAGMA user_version). */
int tote_store_schema_version(void);

enum {
    TOTE_STORE_CREATE = 1 << 0,     /* create the file if missing (mode 0640) */
    TOTE_STORE_NO_MIGRATE = 1 << 1, /* do not upgrade an older schema */
    TOTE_STORE_READONLY = 1 << 2    /* only read: see "Read-only opens" below */
};

/*
 * Opens (and with TOTE_STORE_CREATE creates) the database at path, sets WAL,
 * synchronous (FULL, or NORMAL if $TOTE_SYNC=normal), foreign keys, a busy
 * timeout of 5 s, and upgrades an older schema by its numbered migrations in
 * one transaction each (all but the busy timeout and foreign keys only for
 * a writing open: TOTE_STORE_READONLY below). A database whose user_version is newer than this
 * build is refused with TOTE_ST_E_SCHEMA_NEWER; a file that is not SQLite
 * with TOTE_ST_E_CORRUPT; a missing file without CREATE with NOT_FOUND.
 * On success *out owns the connection; free it with tote_store_destroy().
 * On failure *out is NULL and, if err_msg is not NULL, *err_msg receives a
 * malloc'd sentence for the user (caller frees).
 *
 * Writing opens (no TOTE_STORE_READONLY) need write access to the file, and
 * to its -wal and -shm where they exist, or else to its directory to create
 * them: without it the open fails with TOTE_ST_E_DENIED and a sentence that
 * names what is not writable (SQLite itself would open such a file
 * read-only without a word, and fail at the first write).
 *
 * Read-only opens (TOTE_STORE_READONLY) need only read access to the file;
 * they change nothing: no journal mode or synchronous setting, no
 * migration, PRAGMA query_only on (a write through the store fails with
 * TOTE_ST_E_DENIED). CREATE with READONLY is TOTE_ST_E_INVALID. A schema
 * older than this build's is refused with TOTE_ST_E_STATE and a sentence
 * saying to run 'tote init' with write access (its tables would not be
 * the ones this build reads); a newer one as above. What the reader sees
 * of a database in WAL mode (Tote's), by what is beside it:
 *  - -wal and -shm present (a writer such as `tote serve` has it open, or
 *    one stopped without cleaning up), writable or not: every committed
 *    transaction, with the usual locks. SQLite maps a -shm it may not write
 *    read-only, or, when no writer holds it, builds the index in memory.
 *  - neither present and the directory writable: SQLite creates them, owned
 *    by the reader, and reads as above.
 *  - no -wal and the directory not writable (SQLite cannot create the -shm
 *    it reads through, SQLITE_READONLY_DIRECTORY): the file is opened
 *    immutable (URI "?immutable=1"). With no -wal, the file holds every
 *    committed transaction, so the reader sees all of them; but it takes no
 *    locks, so a writer (another user, one who can write the directory) that
 *    starts during the read is not seen, and should it checkpoint into the
 *    file while the read runs, the read may fail as corrupt or mix the
 *    two: run the command again. The -wal's absence is looked at before and
 *    after the header is read; a -wal that appears makes the open start over
 *    (three tries, then TOTE_ST_E_BUSY).
 *  - a -wal present but a -shm that is missing or unreadable, and the
 *    directory not writable: refused with TOTE_ST_E_DENIED (immutable would
 *    miss the -wal's transactions); a writing command, run by a user who
 *    can write there, folds the -wal into the file.
 */
tote_st_err tote_store_open(const char *path, int flags, tote_store **out, char **err_msg);

/* Closes the connection and finalises cached statements. NULL-safe; sets *s = NULL. */
void tote_store_destroy(tote_store **s);

/* The raw connection, for store*.c files only. Owned by the store. */
sqlite3 *tote_store_db(tote_store *s);

/* PRAGMA data_version: changes whenever another connection (another process,
 * e.g. the CLI) committed to the database since the last call; -1 on error. */
long long tote_store_data_version(tote_store *s);

/* The path the store was opened with (owned by the store). */
const char *tote_store_path(const tote_store *s);

/*
 * Returns a prepared statement for sql, cached per store (keyed by the text),
 * reset and with bindings cleared. Owned by the store: do not finalize.
 * Returns NULL on a prepare error (message in sqlite3_errmsg(db)).
 */
sqlite3_stmt *tote_store_stmt(tote_store *s, const char *sql);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. begin/commit map SQLite errors to
 * tote_st_err (SQLITE_BUSY -> BUSY, SQLITE_FULL -> FULL, others -> DB). */
tote_st_err tote_store_begin(tote_store *s);
tote_st_err tote_store_commit(tote_store *s);
void tote_store_rollback(tote_store *s);

/* Maps an SQLite result code to tote_st_err. */
tote_st_err tote_store_map_rc(int rc);

/* Last SQLite error text of this connection (owned by SQLite). */
const char *tote_store_errmsg(tote_store *s);

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (>= 32 bytes).
 * $TOTE_NOW (same format) overrides the clock, for tests and replays. */
void tote_store_now(char buf[32]);

/*
 * Appends an audit event (append-only table `event`). actor and device may be
 * NULL. detail_json may be NULL or a JSON object text. Part of the caller's
 * transaction if one is open.
 */
tote_st_err tote_store_event(tote_store *s, const char *actor, const char *device, const char *kind,
                             const char *subject_type, const char *subject, const char *detail_json);

/* Warehouse settings (table `setting`). get copies into buf (NUL-terminated)
 * or, if the key is unset, copies def; returns buf. */
const char *tote_store_setting_get(tote_store *s, const char *key, const char *def, char *buf, size_t cap);
long long tote_store_setting_int(tote_store *s, const char *key, long long def);
tote_st_err tote_store_setting_set(tote_store *s, const char *key, const char *value);

/* Atomically increments counter `name` and returns the new value in *out
 * (counters start at 0, so the first call returns 1). */
tote_st_err tote_store_counter_next(tote_store *s, const char *name, long long *out);

#endif
