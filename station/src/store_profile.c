/*
 * TOTE_PROFILE_SQL=1: what a connection's statements did, printed to
 * stderr when the store closes. Per distinct SQL text: how often it ran,
 * SQLite's virtual-machine steps in all and per run, and SQLite's own time
 * for it.
 *
 * VM steps count the work a statement did and do not move with the load of
 * the machine; SQLite's time is whole milliseconds per run on most builds,
 * so only sums over many runs mean much. Divide by the request count of
 * `tote serve`'s stop line for figures per request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h" /* imp_map: SQL text -> row */
#include "store_tx.h"

struct prof_row {
    const char *sql; /* the map's copy, set when printing */
    unsigned long long runs, vm_steps, ns;
};

struct store_profile {
    imp_map index; /* SQL text -> its row in rows */
    struct prof_row *rows;
    size_t n, cap;
    sqlite3 *db;
};

static int prof_cb(unsigned type, void *ctx, void *stmt, void *ns)
{
    store_profile *p = ctx;
    if (type != SQLITE_TRACE_PROFILE)
        return 0;
    const char *sql = sqlite3_sql(stmt);
    if (!sql)
        return 0;
    long long *ix = imp_map_get(&p->index, sql);
    if (!ix) {
        if (p->n == p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 64;
            struct prof_row *rows = realloc(p->rows, cap * sizeof *rows);
            if (!rows)
                return 0;
            p->rows = rows;
            p->cap = cap;
        }
        if (imp_map_put(&p->index, sql, (long long)p->n) != 0)
            return 0;
        p->rows[p->n] = (struct prof_row){0};
        ix = imp_map_get(&p->index, sql);
        p->n++;
    }
    struct prof_row *r = &p->rows[*ix];
    r->runs++;
    r->vm_steps += (unsigned long long)sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_VM_STEP, 1);
    r->ns += (unsigned long long)*(const long long *)ns;
    return 0;
}

store_profile *store_profile_start(sqlite3 *db)
{
    const char *on = getenv("TOTE_PROFILE_SQL");
    if (!on || strcmp(on, "1") != 0)
        return NULL;
    store_profile *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->db = db;
    sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, prof_cb, p);
    return p;
}

static int by_steps(const void *a, const void *b)
{
    const struct prof_row *x = a, *y = b;
    return (x->vm_steps < y->vm_steps) - (x->vm_steps > y->vm_steps);
}

void store_profile_finish(store_profile **pp, const char *path)
{
    store_profile *p = pp ? *pp : NULL;
    if (!p)
        return;
    sqlite3_trace_v2(p->db, 0, NULL, NULL);
    unsigned long long all_steps = 0, all_runs = 0;
    for (size_t i = 0; i < p->index.cap; i++) {
        const char *sql;
        long long ix;
        if (imp_map_slot(&p->index, i, &sql, &ix))
            p->rows[ix].sql = sql;
    }
    for (size_t i = 0; i < p->n; i++) {
        all_steps += p->rows[i].vm_steps;
        all_runs += p->rows[i].runs;
    }
    qsort(p->rows, p->n, sizeof *p->rows, by_steps); /* most steps first */
    fprintf(stderr, "SQL profile of %s: %zu statements, %llu runs, %llu VM steps\n", path ? path : "?", p->n,
            all_runs, all_steps);
    fprintf(stderr, "%12s %14s %10s %10s  %s\n", "runs", "VM steps", "steps/run", "ms", "SQL");
    for (size_t i = 0; i < p->n; i++) {
        const struct prof_row *r = &p->rows[i];
        char one[121];
        size_t k = 0;
        for (const char *c = r->sql; *c && k < sizeof one - 1; c++)
            one[k++] = (*c == '\n' || *c == '\t') ? ' ' : *c;
        one[k] = '\0';
        fprintf(stderr, "%12llu %14llu %10.1f %10.1f  %s\n", r->runs, r->vm_steps,
                r->runs ? (double)r->vm_steps / (double)r->runs : 0.0, (double)r->ns / 1e6, one);
    }
    imp_map_free(&p->index);
    free(p->rows);
    free(p);
    *pp = NULL;
}
