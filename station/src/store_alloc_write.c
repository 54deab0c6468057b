/*
 * Allocation, writing what a run chose (store_alloc_int.h): the rule that
 * picks bins for one line (alloc_reserve_line), then the allocation rows
 * and the order_line.allocated and stock.reserved they add up to, in a few
 * batched statements (alloc_write_pending). store_alloc.c runs it; so does
 * a short pick's reallocation (store_short.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_alloc_int.h"

/*
 * A run first chooses every allocation in memory, then writes them sorted by
 * order line: the allocation_line index and the order_line rows are then
 * touched in key order (a 100,000-line run writes them about twice as fast
 * as in priority order). Within a line the order of choice is kept, so
 * allocation ids still follow it.
 */

static int pend_push(pendset *ps, long long line_id, long long stock_id, long long qty)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 64;
        pend *v = realloc(ps->v, cap * sizeof *v);
        if (!v)
            return -1;
        ps->v = v;
        ps->cap = cap;
    }
    ps->v[ps->n] = (pend){.line_id = line_id, .stock_id = stock_id, .qty = qty, .at = ps->n};
    ps->n++;
    return 0;
}

static int cmp_pend_line(const void *a, const void *b)
{
    const pend *x = a, *y = b;
    if (x->line_id != y->line_id)
        return x->line_id < y->line_id ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

static int cmp_pend_stock(const void *a, const void *b)
{
    const pend *x = a, *y = b;
    if (x->stock_id != y->stock_id)
        return x->stock_id < y->stock_id ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

/* Rows per multi-row INSERT: one statement per 64 rows costs far less than
 * 64 single-row statements. */
#define BATCH_ROWS 64
#define VALUES_4 "(?,?,?),(?,?,?),(?,?,?),(?,?,?)"
#define VALUES_16 VALUES_4 "," VALUES_4 "," VALUES_4 "," VALUES_4
#define VALUES_64 VALUES_16 "," VALUES_16 "," VALUES_16 "," VALUES_16

/* Adds delta to one integer column of the row with that id (SQL fixed). */
static tote_st_err add_to_row(tote_store *s, const char *sql, long long id, long long delta)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, delta);
    return store_exec(st);
}

/* Rows per multi-row UPDATE: one statement per 64 rows instead of 64. */
#define ADD_BATCH 64

/* "UPDATE t SET c = c + CASE id WHEN ?1 THEN ?2 ... END WHERE id IN (?1,
 * ?3, ...)" for ADD_BATCH (id, amount) pairs, made of constants only. */
static void add_batch_sql(char *buf, size_t cap, const char *table, const char *col)
{
    size_t n = (size_t)snprintf(buf, cap, "UPDATE OR FAIL %s SET %s = %s + CASE id", table, col, col);
    for (int i = 0; i < ADD_BATCH && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, " WHEN ?%d THEN ?%d", 2 * i + 1, 2 * i + 2);
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " END WHERE id IN (");
    for (int i = 0; i < ADD_BATCH && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s?%d", i ? ", " : "", 2 * i + 1);
    if (n < cap)
        snprintf(buf + n, cap - n, ")");
}

/* Adds amount[i] to column col of the row id[i] of table, for n distinct
 * ids; one_sql is the single-row form. */
static tote_st_err add_to_rows(tote_store *s, const char *table, const char *col, const char *one_sql,
                               const long long *id, const long long *amount, size_t n)
{
    tote_st_err e = TOTE_ST_E_OK;
    size_t i = 0;
    char batch_sql[4096];
    if (n >= ADD_BATCH)
        add_batch_sql(batch_sql, sizeof batch_sql, table, col);
    for (; e == TOTE_ST_E_OK && n - i >= ADD_BATCH; i += ADD_BATCH) {
        sqlite3_stmt *st = tote_store_stmt(s, batch_sql);
        if (!st)
            return TOTE_ST_E_DB;
        for (int k = 0; k < ADD_BATCH; k++) {
            sqlite3_bind_int64(st, 2 * k + 1, id[i + (size_t)k]);
            sqlite3_bind_int64(st, 2 * k + 2, amount[i + (size_t)k]);
        }
        e = store_exec(st);
    }
    for (; e == TOTE_ST_E_OK && i < n; i++)
        e = add_to_row(s, one_sql, id[i], amount[i]);
    return e;
}

/* Sums qty per key (ps sorted by it) into id[] / amount[]; returns the count.
 * By line, full[] (if given) says whether the line is full with it. */
static size_t sum_by(const pendset *ps, int by_stock, long long *id, long long *amount, char *full)
{
    size_t k = 0;
    for (size_t i = 0; i < ps->n;) {
        long long key = by_stock ? ps->v[i].stock_id : ps->v[i].line_id, sum = 0;
        int all_full = 1;
        for (; i < ps->n && (by_stock ? ps->v[i].stock_id : ps->v[i].line_id) == key; i++) {
            sum += ps->v[i].qty;
            all_full &= ps->v[i].full;
        }
        if (full)
            full[k] = (char)all_full;
        id[k] = key;
        amount[k++] = sum;
    }
    return k;
}

/* Shortest run of consecutive line ids that one range UPDATE fills. */
#define FULL_RUN_MIN 16

/*
 * Raises order_line.allocated by amount[i] on line id[i] (ascending). A run
 * of at least FULL_RUN_MIN consecutive ids whose lines all become fully
 * allocated (full[i]) is one UPDATE over the id range that sets allocated =
 * ordered - short: the same value, since each line's need was read in this
 * transaction, without matching every row against 64 WHENs (a 100,000-line
 * run: about 90 ms less). The rest goes through add_to_rows. Compacts id[]
 * and amount[] in place.
 */
static tote_st_err add_to_lines(tote_store *s, long long *id, long long *amount, const char *full, size_t n)
{
    tote_st_err e = TOTE_ST_E_OK;
    size_t rest = 0;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < n;) {
        size_t j = i + 1;
        if (full[i])
            while (j < n && full[j] && id[j] == id[j - 1] + 1)
                j++;
        if (full[i] && j - i >= FULL_RUN_MIN) {
            sqlite3_stmt *st = tote_store_stmt(
                s, "UPDATE OR FAIL order_line SET allocated = ordered - short WHERE id BETWEEN ?1 AND ?2");
            if (!st)
                return TOTE_ST_E_DB;
            sqlite3_bind_int64(st, 1, id[i]);
            sqlite3_bind_int64(st, 2, id[j - 1]);
            e = store_exec(st);
            if (e == TOTE_ST_E_OK && sqlite3_changes(tote_store_db(s)) != (int)(j - i))
                e = TOTE_ST_E_DB; /* cannot be: the lines were read in this transaction */
        } else {
            for (size_t k = i; k < j; k++, rest++) {
                id[rest] = id[k];
                amount[rest] = amount[k];
            }
        }
        i = j;
    }
    if (e != TOTE_ST_E_OK)
        return e;
    return add_to_rows(s, "order_line", "allocated",
                       "UPDATE order_line SET allocated = allocated + ?2 WHERE id = ?1", id, amount, rest);
}

/*
 * Writes the chosen allocations (sorted by line, then order of choice) and
 * raises order_line.allocated and stock.reserved by the same amounts. Leaves
 * ps sorted by stock.
 */
tote_st_err alloc_write_pending(tote_store *s, pendset *ps)
{
    if (ps->n == 0)
        return TOTE_ST_E_OK;
    qsort(ps->v, ps->n, sizeof ps->v[0], cmp_pend_line);
    /* SQLite gives each new row the id one above the highest (sqlite.org
       autoinc.html: only at the largest possible id does it pick at random),
       so the ids are known without reading them back; the last id of each
       statement confirms it (else ids_known is cleared). An explicit id
       would cost a seek per row to check it is free. */
    long long base = 0;
    tote_st_err e = alloc_watermark(s, &base);
    for (size_t i = 0; i < ps->n; i++)
        ps->v[i].id = base + 1 + (long long)i;
    ps->ids_known = 1;
    size_t i = 0;
    for (; e == TOTE_ST_E_OK && ps->n - i >= BATCH_ROWS; i += BATCH_ROWS) {
        sqlite3_stmt *st = tote_store_stmt(
            s, "INSERT OR FAIL INTO allocation(order_line_id, stock_id, qty) VALUES " VALUES_64);
        if (!st)
            return TOTE_ST_E_DB;
        for (int r = 0; r < BATCH_ROWS; r++) {
            sqlite3_bind_int64(st, r * 3 + 1, ps->v[i + r].line_id);
            sqlite3_bind_int64(st, r * 3 + 2, ps->v[i + r].stock_id);
            sqlite3_bind_int64(st, r * 3 + 3, ps->v[i + r].qty);
        }
        e = store_exec(st);
        if (sqlite3_last_insert_rowid(tote_store_db(s)) != ps->v[i + BATCH_ROWS - 1].id)
            ps->ids_known = 0;
    }
    for (; e == TOTE_ST_E_OK && i < ps->n; i++) {
        sqlite3_stmt *st =
            tote_store_stmt(s, "INSERT INTO allocation(order_line_id, stock_id, qty) VALUES (?1, ?2, ?3)");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, ps->v[i].line_id);
        sqlite3_bind_int64(st, 2, ps->v[i].stock_id);
        sqlite3_bind_int64(st, 3, ps->v[i].qty);
        e = store_exec(st);
        if (sqlite3_last_insert_rowid(tote_store_db(s)) != ps->v[i].id)
            ps->ids_known = 0;
    }
    if (e != TOTE_ST_E_OK)
        return e;
    long long *id = malloc(ps->n * sizeof *id), *amount = malloc(ps->n * sizeof *amount);
    char *full = malloc(ps->n);
    if (!id || !amount || !full)
        e = TOTE_ST_E_NOMEM;
    if (e == TOTE_ST_E_OK) {
        size_t n = sum_by(ps, 0, id, amount, full);
        e = add_to_lines(s, id, amount, full, n);
    }
    if (e == TOTE_ST_E_OK) {
        qsort(ps->v, ps->n, sizeof ps->v[0], cmp_pend_stock);
        e = add_to_rows(s, "stock", "reserved", "UPDATE stock SET reserved = reserved + ?2 WHERE id = ?1", id,
                        amount, sum_by(ps, 1, id, amount, NULL));
    }
    free(id);
    free(amount);
    free(full);
    return e;
}

/*
 * Reserves up to need units for the line from c[0..n) (one product, in
 * expiry-then-walk order) by the rule: within the earliest expiry, the first
 * bin in walk order that holds all that is still needed, else the fullest
 * bin (first in walk among equals), until that expiry is used up; then the
 * next expiry. Queues the allocations on ps, lowers c[].avail, adds to *got.
 */
tote_st_err alloc_reserve_line(pendset *ps, cand *c, size_t n, long long line_id, long long need,
                               long long *got)
{
    size_t g = 0;
    while (need > 0 && g < n) {
        size_t g_end = g;
        while (g_end < n && strcmp(c[g_end].expiry, c[g].expiry) == 0)
            g_end++;
        while (need > 0) {
            size_t pick = g_end;
            for (size_t j = g; j < g_end; j++)
                if (c[j].avail >= need) {
                    pick = j;
                    break;
                }
            if (pick == g_end)
                for (size_t j = g; j < g_end; j++)
                    if (c[j].avail > 0 && (pick == g_end || c[j].avail > c[pick].avail))
                        pick = j;
            if (pick == g_end)
                break; /* this expiry is used up */
            long long take = c[pick].avail < need ? c[pick].avail : need;
            if (pend_push(ps, line_id, c[pick].stock_id, take) != 0)
                return TOTE_ST_E_NOMEM;
            c[pick].avail -= take;
            need -= take;
            *got += take;
        }
        g = g_end;
    }
    return TOTE_ST_E_OK;
}

tote_st_err alloc_watermark(tote_store *s, long long *w)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT COALESCE(MAX(id), 0) FROM allocation");
    if (!st)
        return TOTE_ST_E_DB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *w = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}
