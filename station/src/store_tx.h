/*
 * Private to the store_*.c domain files: nested transactions and the
 * thread's last-error sentence (tote_st_detail()).
 *
 * store_tx_begin() opens BEGIN IMMEDIATE when no transaction is open, else a
 * SAVEPOINT inside the caller's; store_tx_end() commits / releases on OK and
 * rolls back (to the savepoint) otherwise, returning the final error.
 */
#ifndef TOTE_STORE_TX_H
#define TOTE_STORE_TX_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "str_cut.h"
#include "tote/store.h"

typedef struct store_tx {
    int own; /* 1: BEGIN IMMEDIATE of ours; 0: a savepoint in the caller's */
} store_tx;

tote_st_err store_tx_begin(tote_store *s, store_tx *tx);
tote_st_err store_tx_end(tote_store *s, store_tx *tx, tote_st_err e);

/* One transaction per public call, without a savepoint: *own = 1 and
 * BEGIN when the caller has no transaction, else *own = 0 and the work
 * joins the caller's (who must roll back after an error). */
tote_st_err store_own_begin(tote_store *s, int *own);
/* Ends a transaction the caller began itself (own 1): commit on OK, else (or
 * when the commit fails) roll back. own 0: returns e untouched. */
tote_st_err store_own_end(tote_store *s, int own, tote_st_err e);

/*
 * A bulk run (a wave, an allocation) in its own transaction, with foreign-key
 * enforcement off while it runs (store_tx.c says why that is safe).
 * store_bulk_begin sets *own: 0 inside a caller's transaction (nothing
 * changed), 1 began, 2 begin failed (enforcement still to restore).
 * store_bulk_end commits or rolls back as store_own_end, switches
 * enforcement back on, and returns the final error.
 */
tote_st_err store_bulk_begin(tote_store *s, int *own);
tote_st_err store_bulk_end(tote_store *s, int own, tote_st_err e);

/* Sets the sentence tote_st_detail() returns; returns e (for `return store_fail(e, ...)`). */
tote_st_err store_fail(tote_st_err e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void store_detail_clear(void);

/* Maps the last step rc to tote_st_err, recording SQLite's message as the detail. */
tote_st_err store_db_fail(tote_store *s, int rc);

/* Binds text, or NULL when v is NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* Binds text, or NULL when v is NULL or empty. */
void store_bind_text_ne(sqlite3_stmt *st, int i, const char *v);
/* Binds an integer, or NULL when v < 0. */
void store_bind_int_nn(sqlite3_stmt *st, int i, long long v);

/* Runs a statement that returns no rows; SQLITE_DONE on success. */
int store_step_done(sqlite3_stmt *st);
/* The same as an error code: OK on SQLITE_DONE, TOTE_ST_E_DB for a row
 * where none was expected, else the mapped error. Resets st. */
tote_st_err store_exec(sqlite3_stmt *st);
/* store_exec() of a cached statement made from fixed SQL (no parameters);
 * TOTE_ST_E_DB if it cannot be prepared. */
tote_st_err store_exec_sql(tote_store *s, const char *sql);

/* $TOTE_SYNC=normal (tests of the power-loss harness only): commits are not
 * synced, by the store (synchronous=NORMAL) nor by tote serve's syncer. */
int store_unsynced(void);

/* Binds v as text (copied), or SQL NULL when v is NULL. */
void store_bind_text_or_null(sqlite3_stmt *st, int i, const char *v);

/* malloc'd copy of column i's text, or NULL. */
char *store_col_dup(sqlite3_stmt *st, int i);

/*
 * Adds column i of st to object o. spec is the key with an optional type
 * prefix: "#key" an integer, "?key" a boolean, "key" text; SQL NULL is null
 * whatever the type.
 */
void store_json_col(cJSON *o, const char *spec, sqlite3_stmt *st, int i);

/*
 * Steps st to its end, appending to arr one object per row: column i under
 * cols[i] (specs as store_json_col; NULL-terminated, in column order), with
 * "type": type first when type is not NULL. Adds the row count to *rows when
 * rows is not NULL. Resets st; returns OK or store_db_fail()'s error (the
 * objects already added stay in arr: the caller frees arr).
 */
tote_st_err store_rows_json(tote_store *s, sqlite3_stmt *st, const char *type, const char *const cols[],
                            cJSON *arr, long long *rows);

/* Adds column i of st to o under key, typed by the value: NULL null,
 * integer or real a number, else text. */
void store_json_value(cJSON *o, const char *key, sqlite3_stmt *st, int i);

/*
 * Steps st to its end, appending to arr one object per row whose keys are
 * the column names and whose values follow the column's type (NULL null,
 * integer or real a number, else text). Resets st; OK, NOMEM, or the mapped
 * SQLite error.
 */
tote_st_err store_rows_by_name(sqlite3_stmt *st, cJSON *arr);

/*
 * The JSON array "[id,id,...]" of ids[0, n), for a statement that takes a
 * whole set through json_each() ("... WHERE id IN (SELECT value FROM
 * json_each(?))"): one statement seeks each row, where batches of bound
 * ids built an IN list per statement and cost about three times as much
 * per row. Returns a string the caller frees, or NULL when out of memory.
 */
char *store_ids_json(const long long *ids, size_t n);

struct store_alloc_plan;

/* A set of row ids (malloc'd v; the holder frees it). */
typedef struct store_ids {
    long long *v;
    size_t n;
} store_ids;

/*
 * store_alloc.c: tote_alloc_released() in the caller's transaction, except
 * that the released orders that got stock are not set 'allocated': their
 * ids are handed over in *deferred (in run order) for the caller to set
 * with store_mark_allocated() or with its own update of the same rows (a
 * wave sets their tote in the same statement: one rewrite of each order row
 * instead of two). Until then they are 'released' with open allocations.
 * plan (may be NULL) receives the run's choices for that wave (below). On
 * error nothing is handed over.
 */
tote_st_err store_alloc_released_deferred(tote_store *s, const char *actor, long long *orders_allocated,
                                          store_ids *deferred, struct store_alloc_plan *plan);

/* One allocation a run wrote, as a wave's task. */
typedef struct store_alloc_task {
    long long member; /* index into store_alloc_plan's orders */
    long long alloc_id, line_id, stock_id, qty;
} store_alloc_task;

/*
 * What a run of store_alloc_released_deferred() hands a wave made next in
 * the same transaction, so that the wave need not read back what the run
 * has just chosen. valid = 1 only when the run's choices are the whole of
 * the wave's input: every order the run took was 'released' with no tote
 * and no allocated or picked units on any line. Then the wave's candidates
 * are exactly the orders that got stock (order_id[], in priority order,
 * each with its name and its number of lines that got stock), and their
 * open allocations are exactly task[]. Otherwise valid = 0 and the rest is
 * empty. Everything is malloc'd and owned by the plan
 * (store_alloc_plan_free; a wave may take the names and NULL them).
 */
typedef struct store_alloc_plan {
    int valid;
    size_t norders;
    long long *order_id, *lines;
    char **name;
    store_alloc_task *task;
    size_t ntasks;
} store_alloc_plan;

/* Frees what p holds and empties it; NULL-safe. */
void store_alloc_plan_free(store_alloc_plan *p);
/* Sets ids[0, n) 'allocated' where they are 'released' (one statement). */
tote_st_err store_mark_allocated(tote_store *s, const long long *ids, size_t n, const char *now);

/*
 * Writes n events of kind about orders (subject_type 'order'), at now by
 * actor (may be NULL), 32 rows to a statement. row(ud, i, detail, cap) fills
 * event i's detail JSON and returns its order name (valid until the next
 * call).
 */
typedef const char *(*store_event_row_fn)(void *ud, size_t i, char *detail, size_t cap);
tote_st_err store_order_events(tote_store *s, const char *kind, const char *actor, const char *now, size_t n,
                               store_event_row_fn row, void *ud);

/*
 * store_customer.c: tote_customer_ensure() for a caller that holds a write
 * transaction and opens no savepoint: a SELECT by e-mail, then at most one
 * write (INSERT of a new customer, or UPDATE when the name or phone given
 * differs). *undo records that write so store_customer_undo_apply() can take
 * it back if the caller's later writes fail (NULL old values restored too);
 * store_customer_undo_clear() frees it. INVALID for a malformed address
 * (nothing written).
 */
typedef struct store_customer_undo {
    long long id;
    int inserted, updated;
    char *old_name, *old_phone;
} store_customer_undo;

tote_st_err store_customer_ensure_in_tx(tote_store *s, const char *email, const char *name, const char *phone,
                                        long long *customer_id, store_customer_undo *undo);
/* Undoes the recorded write and clears *undo; TOTE_ST_E_DB if the undo failed. */
tote_st_err store_customer_undo_apply(tote_store *s, store_customer_undo *undo);
void store_customer_undo_clear(store_customer_undo *undo);

/* Priority order of orders (alias o), shared by allocation and waves
 * (tote/wave.h): rush or pickup first, then priority, ship-by date (dated
 * first), order date, id. */
#define ORDER_PRIORITY \
    "(o.rush <> 0 OR o.pickup <> 0) DESC, o.priority DESC, o.ship_by IS NULL, o.ship_by, o.ordered_at, o.id"

/* Text column col of st's row (NULL: "") into dst[cap], cut to fit
 * (tote_str_cut). */
static inline void store_col_text(sqlite3_stmt *st, int col, char *dst, size_t cap)
{
    tote_str_cut(dst, cap, (const char *)sqlite3_column_text(st, col));
}

/* wait 0: a lock held by another connection fails at once with SQLITE_BUSY;
 * 1: the store's busy handler again (up to 5 s, store.c). */
void store_busy_wait(tote_store *s, int wait);

/* TOTE_PROFILE_SQL=1 (store_profile.c): per SQL text, runs and VM steps of
 * db's statements, printed to stderr by store_profile_finish (which frees it
 * and nulls *p; NULL-safe). Start returns NULL when the variable is not "1". */
typedef struct store_profile store_profile;
store_profile *store_profile_start(sqlite3 *db);
void store_profile_finish(store_profile **p, const char *path);

#endif
