/* Nested transactions and the last-error sentence for the store_*.c domain files. */
#include "store_tx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tote/catalog.h"

static _Thread_local char detail[512];

const char *tote_st_detail(void)
{
    return detail;
}

void store_detail_clear(void)
{
    detail[0] = '\0';
}

tote_st_err store_fail(tote_st_err e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return e;
}

tote_st_err store_db_fail(tote_store *s, int rc)
{
    tote_st_err e = tote_store_map_rc(rc);
    if (e == TOTE_ST_E_OK)
        e = TOTE_ST_E_DB;
    if (e == TOTE_ST_E_BUSY)
        return store_fail(e, "the database is busy (another writer held it too long); try again");
    return store_fail(e, "database error: %s", tote_store_errmsg(s));
}

static int run(tote_store *s, const char *sql)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return SQLITE_ERROR;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc;
}

tote_st_err store_tx_begin(tote_store *s, store_tx *tx)
{
    store_detail_clear();
    if (sqlite3_get_autocommit(tote_store_db(s))) {
        tx->own = 1;
        tote_st_err e = tote_store_begin(s);
        if (e == TOTE_ST_E_BUSY)
            return store_fail(e, "the database is busy (another writer held it too long); try again");
        if (e != TOTE_ST_E_OK)
            return store_fail(e, "cannot start a transaction: %s", tote_store_errmsg(s));
        return e;
    }
    tx->own = 0;
    int rc = run(s, "SAVEPOINT tote_sp");
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : store_db_fail(s, rc);
}

tote_st_err store_tx_end(tote_store *s, store_tx *tx, tote_st_err e)
{
    if (tx->own) {
        if (e == TOTE_ST_E_OK) {
            e = tote_store_commit(s);
            if (e != TOTE_ST_E_OK) {
                store_fail(e, "cannot commit: %s", tote_store_errmsg(s));
                tote_store_rollback(s);
            }
        } else {
            tote_store_rollback(s);
        }
        return e;
    }
    if (e != TOTE_ST_E_OK)
        run(s, "ROLLBACK TO tote_sp");
    int rc = run(s, "RELEASE tote_sp");
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = store_db_fail(s, rc);
    return e;
}

void store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void store_bind_text_ne(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void store_bind_int_nn(sqlite3_stmt *st, int i, long long v)
{
    if (v >= 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

int store_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc;
}

tote_st_err store_exec(sqlite3_stmt *st)
{
    int rc = store_step_done(st);
    if (rc == SQLITE_DONE)
        return TOTE_ST_E_OK;
    tote_st_err e = tote_store_map_rc(rc);
    return e == TOTE_ST_E_OK ? TOTE_ST_E_DB : e;
}

tote_st_err store_exec_sql(tote_store *s, const char *sql)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    return st ? store_exec(st) : TOTE_ST_E_DB;
}

char *store_col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

void store_json_col(cJSON *o, const char *spec, sqlite3_stmt *st, int i)
{
    char kind = (spec[0] == '#' || spec[0] == '?') ? spec[0] : 't';
    const char *key = kind == 't' ? spec : spec + 1;
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        cJSON_AddNullToObject(o, key);
    else if (kind == '#')
        cJSON_AddNumberToObject(o, key, (double)sqlite3_column_int64(st, i));
    else if (kind == '?')
        cJSON_AddBoolToObject(o, key, sqlite3_column_int(st, i) != 0);
    else
        cJSON_AddStringToObject(o, key, (const char *)sqlite3_column_text(st, i));
}

tote_st_err store_rows_json(tote_store *s, sqlite3_stmt *st, const char *type, const char *const cols[],
                            cJSON *arr, long long *rows)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (type)
            cJSON_AddStringToObject(o, "type", type);
        for (int i = 0; cols[i]; i++)
            store_json_col(o, cols[i], st, i);
        cJSON_AddItemToArray(arr, o);
        if (rows)
            (*rows)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : store_db_fail(s, rc);
}

tote_st_err store_own_begin(tote_store *s, int *own)
{
    *own = sqlite3_get_autocommit(tote_store_db(s));
    return *own ? tote_store_begin(s) : TOTE_ST_E_OK;
}

tote_st_err store_own_end(tote_store *s, int own, tote_st_err e)
{
    if (!own)
        return e;
    if (e == TOTE_ST_E_OK) {
        e = tote_store_commit(s);
        if (e != TOTE_ST_E_OK)
            tote_store_rollback(s);
    } else {
        tote_store_rollback(s);
    }
    return e;
}

/*
 * A big run in its own transaction writes with foreign-key enforcement off:
 * every id it writes (order lines, stock rows, allocations, lists) was read
 * or inserted by the run itself under the same write lock, so the per-row
 * parent lookups (four per pick task) can only pass, and they were most of
 * the cost of a 100,000-line wave. The setting is per connection and only
 * changes outside a transaction, so inside a caller's transaction (or when
 * it cannot be changed) enforcement stays on; it is switched back on after
 * the commit or rollback.
 */
tote_st_err store_bulk_begin(tote_store *s, int *own)
{
    *own = sqlite3_get_autocommit(tote_store_db(s));
    if (!*own)
        return TOTE_ST_E_OK;
    sqlite3_stmt *st = tote_store_stmt(s, "PRAGMA foreign_keys = OFF");
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    tote_st_err e = tote_store_begin(s);
    if (e != TOTE_ST_E_OK)
        *own = 2; /* nothing to end, but enforcement to restore */
    return e;
}

tote_st_err store_bulk_end(tote_store *s, int own, tote_st_err e)
{
    if (own == 1)
        e = store_own_end(s, own, e);
    if (own) {
        sqlite3_stmt *st = tote_store_stmt(s, "PRAGMA foreign_keys = ON");
        int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
        if (st)
            sqlite3_reset(st);
        if (rc != SQLITE_DONE && e == TOTE_ST_E_OK)
            e = TOTE_ST_E_DB; /* committed, but the connection must not go on without enforcement */
    }
    return e;
}

void store_bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void store_json_value(cJSON *o, const char *key, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL:
        cJSON_AddNullToObject(o, key);
        break;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
        cJSON_AddNumberToObject(o, key, sqlite3_column_double(st, i));
        break;
    default:
        cJSON_AddStringToObject(o, key, (const char *)sqlite3_column_text(st, i));
        break;
    }
}

tote_st_err store_rows_by_name(sqlite3_stmt *st, cJSON *arr)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            sqlite3_reset(st);
            return TOTE_ST_E_NOMEM;
        }
        for (int i = 0; i < sqlite3_column_count(st); i++)
            store_json_value(o, sqlite3_column_name(st, i), st, i);
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

#define OEV_BATCH 32
#define OEV_1 "(?1, ?2, NULL, ?3, 'order', ?, ?)"
#define OEV_4 OEV_1 "," OEV_1 "," OEV_1 "," OEV_1
#define OEV_32 OEV_4 "," OEV_4 "," OEV_4 "," OEV_4 "," OEV_4 "," OEV_4 "," OEV_4 "," OEV_4
#define OEV_INSERT "INSERT OR FAIL INTO event(at, actor, device, kind, subject_type, subject, detail) VALUES "

char *store_ids_json(const long long *ids, size_t n)
{
    size_t cap = n * 21 + 3, len = 1; /* 20 characters per id and its comma */
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%lld", i ? "," : "", ids[i]);
    snprintf(out + len, cap - len, "]");
    return out;
}

tote_st_err store_order_events(tote_store *s, const char *kind, const char *actor, const char *now, size_t n,
                               store_event_row_fn row, void *ud)
{
    tote_st_err e = TOTE_ST_E_OK;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < n;) {
        size_t k = n - i >= OEV_BATCH ? OEV_BATCH : 1;
        sqlite3_stmt *st = tote_store_stmt(s, k == OEV_BATCH ? OEV_INSERT OEV_32 : OEV_INSERT OEV_1);
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
        if (actor)
            sqlite3_bind_text(st, 2, actor, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 2);
        sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        for (size_t j = 0; j < k; j++, i++) {
            char json[256];
            const char *name = row(ud, i, json, sizeof json);
            sqlite3_bind_text(st, 4 + 2 * (int)j, name, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 5 + 2 * (int)j, json, -1, SQLITE_TRANSIENT);
        }
        e = store_exec(st);
    }
    return e;
}
