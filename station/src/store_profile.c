/*
 * TOTE_PROFILE_SQL=1: what a connection's statements did, printed to
 * stderr when the store closes. Per distinct SQL text: how often it ran,
 * SQLite's virtual-machine steps in all and per run, rows written (inserts,
 * updates, deletes, from sqlite3_changes), and SQLite's own time for it.
 *
 * VM steps count the work a statement did and do not move with the load of
 * the machine; SQLite's time is whole milliseconds per run on most builds,
 * so only sums over many runs mean much. Divide by the request count of
 * `tote serve`'s stop line for figures per request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_tx.h"
#include "str_hash.h"

struct prof_row {
    char *sql; /* NULL: free slot */
    unsigned hash;
    unsigned long long runs, vm_steps, ns;
};

struct store_profile {
    struct prof_row *rows; /* open addressing, grows at half load */
    size_t cap, used;
    sqlite3 *db;
};

static struct prof_row *prof_find(store_profile *p, const char *sql, unsigned h)
{
    size_t i = h & (p->cap - 1);
    while (p->rows[i].sql && (p->rows[i].hash != h || strcmp(p->rows[i].sql, sql) != 0))
        i = (i + 1) & (p->cap - 1);
    return &p->rows[i];
}

static int prof_grow(store_profile *p)
{
    size_t cap = p->cap ? p->cap * 2 : 128;
    struct prof_row *old = p->rows, *rows = calloc(cap, sizeof *rows);
    if (!rows)
        return -1;
    size_t old_cap = p->cap;
    p->rows = rows;
    p->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].sql)
            *prof_find(p, old[i].sql, old[i].hash) = old[i];
    free(old);
    return 0;
}

static int prof_cb(unsigned type, void *ctx, void *stmt, void *ns)
{
    store_profile *p = ctx;
    if (type != SQLITE_TRACE_PROFILE)
        return 0;
    const char *sql = sqlite3_sql(stmt);
    if (!sql)
        return 0;
    if (p->used * 2 >= p->cap && prof_grow(p) != 0)
        return 0;
    unsigned h = tote_str_hash(sql);
    struct prof_row *r = prof_find(p, sql, h);
    if (!r->sql) {
        r->sql = strdup(sql);
        if (!r->sql)
            return 0;
        r->hash = h;
        p->used++;
    }
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
    if (!p || prof_grow(p) != 0) {
        free(p);
        return NULL;
    }
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
    /* the used rows to the front, most steps first */
    size_t n = 0;
    unsigned long long all_steps = 0, all_runs = 0;
    for (size_t i = 0; i < p->cap; i++)
        if (p->rows[i].sql) {
            all_steps += p->rows[i].vm_steps;
            all_runs += p->rows[i].runs;
            p->rows[n++] = p->rows[i];
        }
    qsort(p->rows, n, sizeof *p->rows, by_steps);
    fprintf(stderr, "SQL profile of %s: %zu statements, %llu runs, %llu VM steps\n", path ? path : "?", n,
            all_runs, all_steps);
    fprintf(stderr, "%12s %14s %10s %10s  %s\n", "runs", "VM steps", "steps/run", "ms", "SQL");
    for (size_t i = 0; i < n; i++) {
        const struct prof_row *r = &p->rows[i];
        char one[121];
        size_t k = 0;
        for (const char *c = r->sql; *c && k < sizeof one - 1; c++)
            one[k++] = (*c == '\n' || *c == '\t') ? ' ' : *c;
        one[k] = '\0';
        fprintf(stderr, "%12llu %14llu %10.1f %10.1f  %s\n", r->runs, r->vm_steps,
                r->runs ? (double)r->vm_steps / (double)r->runs : 0.0, (double)r->ns / 1e6, one);
        free(r->sql);
    }
    free(p->rows);
    free(p);
    *pp = NULL;
}
