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

#include <sqlite3.h>

#include "tote/store.h"

typedef struct store_tx {
    int own; /* 1: BEGIN IMMEDIATE of ours; 0: a savepoint in the caller's */
} store_tx;

tote_st_err store_tx_begin(tote_store *s, store_tx *tx);
tote_st_err store_tx_end(tote_store *s, store_tx *tx, tote_st_err e);

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

/* malloc'd copy of column i's text, or NULL. */
char *store_col_dup(sqlite3_stmt *st, int i);

#endif
