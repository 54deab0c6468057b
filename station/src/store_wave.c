/*
 * Waves: grouping allocated orders into pick lists and tasks in walking
 * order (tote/wave.h). Set-based SQL over a per-connection temp table, so
 * the cost grows with the number of lines, not with statements per line.
 * The listings (`tote wave list`, `tote wave show`) are in store_wave_show.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_tx.h"
#include "tote/alloc.h"
#include "tote/wave.h"

/*
 * One transaction per public call: our own when the caller has none; else
 * the work joins the caller's transaction (no savepoint: SQLite journals
 * every page of every statement again inside one, which makes big runs many
 * times slower). Bad input is refused before anything is written; after any
 * other error the caller must roll its transaction back.
 */
/*
 * The wave's work is done in memory between a few reads and batched writes:
 * one ranked read of the candidate orders, one read of their lines and open
 * allocations, the walk key of each stock row they use, then the tasks
 * sorted per list in C and written with multi-row INSERTs. No statement
 * sorts or numbers every line (a window over 100,000 joined rows cost more
 * than all the writes).
 */

typedef struct wmember {
    long long order_id, lines, list_id;
    char *name;
    int tote_no;   /* 1..totes_per_list */
    char tote[32]; /* "T<list>-<tote_no>", set with them */
} wmember;

typedef struct wtask {
    long long member; /* index into the members (their rank) */
    long long alloc_id, line_id, stock_id, qty;
    long long walk; /* dense rank of the stock's (walk_seq, code, sku) */
} wtask;

typedef struct wstock {
    long long id, walk_seq, rank;
    char *code, *sku;
} wstock;

typedef struct wave_work {
    wmember *m;
    size_t nm, capm;
    wtask *t;
    size_t nt, capt;
    wstock *st;
    size_t nst;
} wave_work;

static void work_free(wave_work *w)
{
    for (size_t i = 0; i < w->nm; i++)
        free(w->m[i].name);
    free(w->m);
    free(w->t);
    for (size_t i = 0; i < w->nst; i++) {
        free(w->st[i].code);
        free(w->st[i].sku);
    }
    free(w->st);
}

static int grow_array(void **v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 64;
    void *p = realloc(*v, c * elem);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static int cmp_ll_(const void *a, const void *b);

/* Candidate orders, by id for lookups: their rank and, while read, lines. */
typedef struct wcand {
    long long order_id, rank, lines;
} wcand;

static int cmp_wcand_id(const void *a, const void *b)
{
    const wcand *x = a, *y = b;
    return (x->order_id > y->order_id) - (x->order_id < y->order_id);
}

/* A line of a candidate order: the order's rank (lines are read by id). */
typedef struct wline {
    long long line_id, rank;
} wline;

static int cmp_wline_id(const void *a, const void *b)
{
    const wline *x = a, *y = b;
    return (x->line_id > y->line_id) - (x->line_id < y->line_id);
}

static tote_st_err push_task(wave_work *w, long long rank, long long line_id, sqlite3_stmt *st, int col)
{
    if (grow_array((void **)&w->t, &w->capt, w->nt, sizeof *w->t) != 0)
        return TOTE_ST_E_NOMEM;
    w->t[w->nt++] = (wtask){.member = rank,
                            .alloc_id = sqlite3_column_int64(st, col),
                            .line_id = line_id,
                            .stock_id = sqlite3_column_int64(st, col + 1),
                            .qty = sqlite3_column_int64(st, col + 2)};
    return TOTE_ST_E_OK;
}

/* Lines and open allocations order by order through the indexes (when the
 * rowid ranges are much larger than the wave). */
static tote_st_err read_by_order(tote_store *s, wave_work *w, wcand *c, size_t nc)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT ol.id, ol.allocated > ol.picked, a.id, a.stock_id, a.qty - a.picked FROM order_line ol "
           "LEFT JOIN allocation a ON a.order_line_id = ol.id AND a.status = 'open' AND a.qty > a.picked "
           "WHERE ol.order_id = ?1 ORDER BY ol.id");
    if (!st)
        return TOTE_ST_E_DB;
    tote_st_err e = TOTE_ST_E_OK;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < nc; i++) {
        sqlite3_bind_int64(st, 1, c[i].order_id);
        long long cur = 0;
        int rc;
        while (e == TOTE_ST_E_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            long long line_id = sqlite3_column_int64(st, 0);
            if (line_id != cur)
                c[i].lines += sqlite3_column_int(st, 1) != 0;
            cur = line_id;
            if (sqlite3_column_type(st, 2) != SQLITE_NULL)
                e = push_task(w, c[i].rank, line_id, st, 2);
        }
        if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
            e = TOTE_ST_E_DB;
        sqlite3_reset(st);
    }
    return e;
}

/* Runs a query with up to two integer parameters that returns one row of
 * two integers. */
static tote_st_err two_ints(tote_store *s, const char *sql, int nbind, long long a1, long long a2,
                            long long *x, long long *y)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return TOTE_ST_E_DB;
    if (nbind > 0)
        sqlite3_bind_int64(st, 1, a1);
    if (nbind > 1)
        sqlite3_bind_int64(st, 2, a2);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *x = sqlite3_column_int64(st, 0);
        *y = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}

/* Lines, then open allocations, in one pass each over the rowid ranges the
 * candidates span; membership is looked up in memory. *fallback = 1 when a
 * range is much larger than the wave (nothing read then). */
static tote_st_err read_by_range(tote_store *s, wave_work *w, wcand *c, size_t nc, int with_released,
                                 int *fallback)
{
    *fallback = 0;
    long long lo = 0, hi = -1, alo = 0, ahi = -1;
    tote_st_err e =
        two_ints(s,
                 with_released ? "SELECT COALESCE(MIN(ol.id), 0), COALESCE(MAX(ol.id), -1) FROM orders o "
                                 "JOIN order_line ol ON ol.order_id = o.id WHERE (o.status = "
                                 "'allocated' OR o.status = 'released') AND o.tote IS NULL"
                               : "SELECT COALESCE(MIN(ol.id), 0), COALESCE(MAX(ol.id), -1) FROM orders o "
                                 "JOIN order_line ol ON ol.order_id = o.id WHERE o.status = 'allocated' "
                                 "AND o.tote IS NULL",
                 0, 0, 0, &lo, &hi);
    if (e == TOTE_ST_E_OK && hi - lo + 1 > 64 * (long long)nc + 4096) {
        *fallback = 1;
        return TOTE_ST_E_OK;
    }
    if (e == TOTE_ST_E_OK)
        e = two_ints(s,
                     "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), -1) FROM allocation "
                     "WHERE order_line_id BETWEEN ?1 AND ?2",
                     2, lo, hi, &alo, &ahi);
    if (e == TOTE_ST_E_OK && ahi - alo + 1 > 64 * (hi - lo + 1) + 4096) {
        *fallback = 1;
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return e;
    qsort(c, nc, sizeof *c, cmp_wcand_id);
    wline *lines = NULL;
    size_t nl = 0, capl = 0;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id, order_id, allocated > picked FROM order_line "
                                          "WHERE id BETWEEN ?1 AND ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        wcand key = {.order_id = sqlite3_column_int64(st, 1)};
        wcand *o = bsearch(&key, c, nc, sizeof *c, cmp_wcand_id);
        if (!o)
            continue; /* a line of an order that is not a candidate */
        o->lines += sqlite3_column_int(st, 2) != 0;
        if (grow_array((void **)&lines, &capl, nl, sizeof *lines) != 0) {
            e = TOTE_ST_E_NOMEM;
            break;
        }
        lines[nl++] = (wline){sqlite3_column_int64(st, 0), o->rank}; /* ascending: a rowid scan */
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = TOTE_ST_E_DB;
    sqlite3_reset(st);
    if (e == TOTE_ST_E_OK && !(st = tote_store_stmt(s, "SELECT order_line_id, id, stock_id, qty - picked "
                                                       "FROM allocation WHERE id BETWEEN ?1 AND ?2 "
                                                       "AND status = 'open' AND qty > picked")))
        e = TOTE_ST_E_DB;
    if (e == TOTE_ST_E_OK) {
        sqlite3_bind_int64(st, 1, alo);
        sqlite3_bind_int64(st, 2, ahi);
        while (e == TOTE_ST_E_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            wline key = {.line_id = sqlite3_column_int64(st, 0)};
            const wline *l = nl ? bsearch(&key, lines, nl, sizeof *lines, cmp_wline_id) : NULL;
            if (l)
                e = push_task(w, l->rank, l->line_id, st, 1);
        }
        if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
            e = TOTE_ST_E_DB;
        sqlite3_reset(st);
    }
    free(lines);
    return e;
}

/*
 * Candidate orders in priority order, each with its number of lines that
 * have something to pick (allocated > picked) and the open allocations of
 * all its lines as tasks. Orders with no such line are dropped, so members
 * are ranked among the rest (w->m in rank order; task.member indexes it).
 * The 'allocated' orders not in a wave are candidates, and so are the
 * 'released' ones in deferred (ascending: allocated by this run, their
 * status not yet written).
 */
static tote_st_err read_candidates(tote_store *s, wave_work *w, const store_ids *deferred)
{
    int with_released = deferred->n > 0;
    sqlite3_stmt *st = tote_store_stmt(
        s, with_released ? "SELECT o.id, o.name, o.status = 'allocated' FROM orders o WHERE (o.status = "
                           "'allocated' OR o.status = 'released') AND o.tote IS NULL ORDER BY " ORDER_PRIORITY
                         : "SELECT o.id, o.name, 1 FROM orders o WHERE o.status = 'allocated' "
                           "AND o.tote IS NULL ORDER BY " ORDER_PRIORITY);
    if (!st)
        return TOTE_ST_E_DB;
    wcand *c = NULL;
    size_t nc = 0, capc = 0;
    tote_st_err e = TOTE_ST_E_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!sqlite3_column_int(st, 2)) {
            long long id = sqlite3_column_int64(st, 0);
            if (!bsearch(&id, deferred->v, deferred->n, sizeof id, cmp_ll_))
                continue; /* released, and got nothing now */
        }
        if (grow_array((void **)&c, &capc, nc, sizeof *c) != 0 ||
            grow_array((void **)&w->m, &w->capm, nc, sizeof *w->m) != 0) {
            e = TOTE_ST_E_NOMEM;
            break;
        }
        c[nc] = (wcand){sqlite3_column_int64(st, 0), (long long)nc, 0};
        w->m[nc] =
            (wmember){.order_id = c[nc].order_id, .name = strdup((const char *)sqlite3_column_text(st, 1))};
        w->nm = ++nc;
        if (!w->m[nc - 1].name) {
            e = TOTE_ST_E_NOMEM;
            break;
        }
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = TOTE_ST_E_DB;
    sqlite3_reset(st);
    int fallback = 0;
    if (e == TOTE_ST_E_OK && nc > 0)
        e = read_by_range(s, w, c, nc, with_released, &fallback);
    if (e == TOTE_ST_E_OK && fallback)
        e = read_by_order(s, w, c, nc); /* c still in rank order */
    /* keep the members with lines, renumbered in rank order */
    long long *to = e == TOTE_ST_E_OK && nc ? malloc(nc * sizeof *to) : NULL;
    if (e == TOTE_ST_E_OK && nc && !to)
        e = TOTE_ST_E_NOMEM;
    if (e == TOTE_ST_E_OK) {
        for (size_t i = 0; i < nc; i++)
            w->m[c[i].rank].lines = c[i].lines;
        size_t k = 0;
        for (size_t i = 0; i < w->nm; i++) {
            to[i] = w->m[i].lines > 0 ? (long long)k : -1;
            if (w->m[i].lines > 0)
                w->m[k++] = w->m[i];
            else
                free(w->m[i].name);
        }
        w->nm = k;
        size_t j = 0;
        for (size_t i = 0; i < w->nt; i++)
            if (to[w->t[i].member] >= 0) {
                w->t[j] = w->t[i];
                w->t[j++].member = to[w->t[i].member];
            }
        w->nt = j;
    }
    free(to);
    free(c);
    return e;
}

/*
 * The candidates straight from an allocation run's plan (store_tx.h), when
 * it is valid: the same members, lines and tasks read_candidates would read
 * back, without reading them. Takes the plan's names.
 */
static tote_st_err from_plan(wave_work *w, store_alloc_plan *p)
{
    if (p->norders == 0)
        return TOTE_ST_E_OK;
    w->m = calloc(p->norders, sizeof *w->m);
    w->t = malloc((p->ntasks ? p->ntasks : 1) * sizeof *w->t);
    if (!w->m || !w->t)
        return TOTE_ST_E_NOMEM;
    w->capm = p->norders;
    w->capt = p->ntasks ? p->ntasks : 1;
    for (size_t i = 0; i < p->norders; i++) {
        w->m[i] = (wmember){.order_id = p->order_id[i], .lines = p->lines[i], .name = p->name[i]};
        p->name[i] = NULL;
    }
    w->nm = p->norders;
    for (size_t i = 0; i < p->ntasks; i++) {
        const store_alloc_task *a = &p->task[i];
        w->t[i] = (wtask){.member = a->member,
                          .alloc_id = a->alloc_id,
                          .line_id = a->line_id,
                          .stock_id = a->stock_id,
                          .qty = a->qty};
    }
    w->nt = p->ntasks;
    return TOTE_ST_E_OK;
}

static int cmp_ll_(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int cmp_wstock_walk(const void *a, const void *b)
{
    const wstock *x = a, *y = b;
    if (x->walk_seq != y->walk_seq)
        return x->walk_seq < y->walk_seq ? -1 : 1;
    int c = strcmp(x->code, y->code);
    return c ? c : strcmp(x->sku, y->sku);
}

static int cmp_wstock_id(const void *a, const void *b)
{
    const wstock *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* task.walk: the dense rank of each task's stock row by (location.walk_seq,
 * location.code, product.sku), read once per stock row of the wave. */
static tote_st_err rank_stock(tote_store *s, wave_work *w)
{
    if (w->nt == 0)
        return TOTE_ST_E_OK;
    long long *ids = malloc(w->nt * sizeof *ids);
    if (!ids)
        return TOTE_ST_E_NOMEM;
    for (size_t i = 0; i < w->nt; i++)
        ids[i] = w->t[i].stock_id;
    qsort(ids, w->nt, sizeof *ids, cmp_ll_);
    size_t n = 0;
    for (size_t i = 0; i < w->nt; i++)
        if (n == 0 || ids[n - 1] != ids[i])
            ids[n++] = ids[i];
    w->st = calloc(n, sizeof *w->st);
    tote_st_err e = w->st ? TOTE_ST_E_OK : TOTE_ST_E_NOMEM;
    sqlite3_stmt *st = NULL;
    if (e == TOTE_ST_E_OK &&
        !(st = tote_store_stmt(s, "SELECT l.walk_seq, l.code, p.sku FROM stock st "
                                  "JOIN location l ON l.id = st.location_id "
                                  "JOIN product p ON p.id = st.product_id WHERE st.id = ?1")))
        e = TOTE_ST_E_DB;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < n; i++) {
        sqlite3_bind_int64(st, 1, ids[i]);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            wstock *k = &w->st[w->nst++];
            k->id = ids[i];
            k->walk_seq = sqlite3_column_int64(st, 0);
            k->code = strdup((const char *)sqlite3_column_text(st, 1));
            k->sku = strdup((const char *)sqlite3_column_text(st, 2));
            if (!k->code || !k->sku)
                e = TOTE_ST_E_NOMEM;
        } else {
            e = TOTE_ST_E_DB; /* an allocation's stock row exists (foreign key) */
        }
        sqlite3_reset(st);
    }
    free(ids);
    if (e != TOTE_ST_E_OK)
        return e;
    qsort(w->st, w->nst, sizeof *w->st, cmp_wstock_walk);
    for (size_t i = 0; i < w->nst; i++)
        w->st[i].rank =
            i > 0 && cmp_wstock_walk(&w->st[i - 1], &w->st[i]) == 0 ? w->st[i - 1].rank : (long long)i;
    qsort(w->st, w->nst, sizeof *w->st, cmp_wstock_id);
    for (size_t i = 0; i < w->nt; i++) {
        wstock key = {.id = w->t[i].stock_id};
        const wstock *k = bsearch(&key, w->st, w->nst, sizeof *w->st, cmp_wstock_id);
        w->t[i].walk = k ? k->rank : 0;
    }
    return TOTE_ST_E_OK;
}

/* The tasks of the taken members: by list, then walk, sku, member rank and
 * allocation id (wave.h: seq is that order within the list). */
static const wave_work *sort_work;

/* Member indexes by their order's id (sort_work the work). */
static int cmp_member_id(const void *a, const void *b)
{
    long long x = sort_work->m[*(const size_t *)a].order_id, y = sort_work->m[*(const size_t *)b].order_id;
    return (x > y) - (x < y);
}

static int cmp_wtask(const void *a, const void *b)
{
    const wtask *x = a, *y = b;
    long long lx = sort_work->m[x->member].list_id, ly = sort_work->m[y->member].list_id;
    if (lx != ly)
        return lx < ly ? -1 : 1;
    if (x->walk != y->walk)
        return x->walk < y->walk ? -1 : 1;
    if (x->member != y->member)
        return x->member < y->member ? -1 : 1;
    return (x->alloc_id > y->alloc_id) - (x->alloc_id < y->alloc_id);
}

#define TASK_BATCH 64
#define TV_1 "(?,?,?,?,?,?,?)"
#define TV_4 TV_1 "," TV_1 "," TV_1 "," TV_1
#define TV_16 TV_4 "," TV_4 "," TV_4 "," TV_4
#define TV_64 TV_16 "," TV_16 "," TV_16 "," TV_16
#define TASK_INSERT                                                                                        \
    "INSERT OR FAIL INTO pick_task(pick_list_id, seq, allocation_id, order_line_id, stock_id, qty, tote) " \
    "VALUES "

static void bind_task(sqlite3_stmt *st, int base, const wave_work *w, const wtask *t, long long seq)
{
    const wmember *m = &w->m[t->member];
    sqlite3_bind_int64(st, base + 1, m->list_id);
    sqlite3_bind_int64(st, base + 2, seq);
    sqlite3_bind_int64(st, base + 3, t->alloc_id);
    sqlite3_bind_int64(st, base + 4, t->line_id);
    sqlite3_bind_int64(st, base + 5, t->stock_id);
    sqlite3_bind_int64(st, base + 6, t->qty);
    /* the member outlives the statement's run (store_exec steps it now) */
    sqlite3_bind_text(st, base + 7, m->tote, -1, SQLITE_STATIC);
}

/* Writes the tasks (sorted), numbering seq 1, 2, ... within each list. */
static tote_st_err write_tasks(tote_store *s, const wave_work *w, size_t nt)
{
    long long seq = 0, list = 0;
    long long *seqs = malloc((nt ? nt : 1) * sizeof *seqs);
    if (!seqs)
        return TOTE_ST_E_NOMEM;
    for (size_t i = 0; i < nt; i++) {
        long long l = w->m[w->t[i].member].list_id;
        seq = l == list ? seq + 1 : 1;
        list = l;
        seqs[i] = seq;
    }
    tote_st_err e = TOTE_ST_E_OK;
    size_t i = 0;
    for (; e == TOTE_ST_E_OK && nt - i >= TASK_BATCH; i += TASK_BATCH) {
        sqlite3_stmt *st = tote_store_stmt(s, TASK_INSERT TV_64);
        if (!st) {
            e = TOTE_ST_E_DB;
            break;
        }
        for (int r = 0; r < TASK_BATCH; r++)
            bind_task(st, r * 7, w, &w->t[i + r], seqs[i + r]);
        e = store_exec(st);
    }
    for (; e == TOTE_ST_E_OK && i < nt; i++) {
        sqlite3_stmt *st = tote_store_stmt(s, TASK_INSERT TV_1);
        if (!st) {
            e = TOTE_ST_E_DB;
            break;
        }
        bind_task(st, 0, w, &w->t[i], seqs[i]);
        e = store_exec(st);
    }
    free(seqs);
    return e;
}

struct waved {
    const wave_work *w;
    long long wave_id;
};

static const char *waved_row(void *ud, size_t i, char *detail, size_t cap)
{
    const struct waved *v = ud;
    snprintf(detail, cap, "{\"wave\":%lld,\"pick_list\":%lld,\"tote\":\"%s\"}", v->wave_id,
             v->w->m[i].list_id, v->w->m[i].tote);
    return v->w->m[i].name;
}

/* The 'order.waved' event of members [0, n), 32 to a statement. */
static tote_st_err waved_events(tote_store *s, const wave_work *w, size_t n, long long wave_id,
                                const char *actor, const char *now)
{
    struct waved v = {w, wave_id};
    return store_order_events(s, "order.waved", actor, now, n, waved_row, &v);
}

/* orders.tote of members [0, n) (and status 'allocated' for those in
 * deferred, ascending): one statement per kind over a JSON object of order
 * id -> tote, each order found by its id (store_ids_json says why). The
 * deferred members get their status in the same rewrite of the row; taken[]
 * (one per deferred id) marks them. */
static tote_st_err set_totes(tote_store *s, const wave_work *w, size_t n, const char *now,
                             const store_ids *deferred, char *taken)
{
    size_t cap = n * 72 + 3; /* "id":"tote", at most 20 + 32 + 6 */
    char *set[2] = {malloc(cap), malloc(cap)};
    size_t len[2] = {1, 1};
    tote_st_err e = set[0] && set[1] ? TOTE_ST_E_OK : TOTE_ST_E_NOMEM;
    /* in id order: each row, and the index entries its new status and tote
       take, then lie next to the last one's (rank order jumps about the
       table: a quarter slower over 20,000 orders) */
    size_t *by_id = malloc((n ? n : 1) * sizeof *by_id);
    if (!by_id)
        e = TOTE_ST_E_NOMEM;
    if (e == TOTE_ST_E_OK) {
        set[0][0] = set[1][0] = '{';
        for (size_t i = 0; i < n; i++)
            by_id[i] = i;
        sort_work = w;
        qsort(by_id, n, sizeof *by_id, cmp_member_id);
        sort_work = NULL;
    }
    for (size_t j = 0; e == TOTE_ST_E_OK && j < n; j++) {
        size_t i = by_id[j];
        long long id = w->m[i].order_id;
        const long long *d = deferred->n ? bsearch(&id, deferred->v, deferred->n, sizeof id, cmp_ll_) : NULL;
        int k = d != NULL;
        if (d)
            taken[d - deferred->v] = 1;
        len[k] += (size_t)snprintf(set[k] + len[k], cap - len[k], "%s\"%lld\":\"%s\"", len[k] > 1 ? "," : "",
                                   id, w->m[i].tote);
    }
    static const char *const sql[2] = {
        "UPDATE OR FAIL orders SET updated_at = ?1, tote = j.value FROM json_each(?2) j "
        "WHERE orders.id = CAST(j.key AS INTEGER)",
        "UPDATE OR FAIL orders SET updated_at = ?1, status = 'allocated', tote = j.value "
        "FROM json_each(?2) j WHERE orders.id = CAST(j.key AS INTEGER)"};
    for (int k = 0; k < 2 && e == TOTE_ST_E_OK; k++) {
        if (len[k] == 1)
            continue; /* none of this kind */
        snprintf(set[k] + len[k], cap - len[k], "}");
        sqlite3_stmt *st = tote_store_stmt(s, sql[k]);
        if (!st) {
            e = TOTE_ST_E_DB;
            break;
        }
        sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, set[k], -1, SQLITE_STATIC);
        e = store_exec(st);
    }
    free(by_id);
    free(set[0]);
    free(set[1]);
    return e;
}

/* The deferred orders not taken into the wave become 'allocated' now. */
static tote_st_err mark_rest(tote_store *s, const store_ids *deferred, const char *taken, const char *now)
{
    size_t k = 0;
    long long *rest = deferred->n ? malloc(deferred->n * sizeof *rest) : NULL;
    if (deferred->n && !rest)
        return TOTE_ST_E_NOMEM;
    for (size_t i = 0; i < deferred->n; i++)
        if (!taken || !taken[i])
            rest[k++] = deferred->v[i];
    tote_st_err e = store_mark_allocated(s, rest, k, now);
    free(rest);
    return e;
}

static tote_st_err create_in_tx(tote_store *s, const tote_wave_opts *o, const char *actor,
                                tote_wave_result *r)
{
    tote_st_err e = TOTE_ST_E_OK;
    /* orders allocated now are set 'allocated' with their tote, below */
    store_ids deferred = {0};
    store_alloc_plan plan = {0};
    if (!o->no_allocate)
        e = store_alloc_released_deferred(s, actor, &r->orders_allocated, &deferred, &plan);
    if (deferred.n > 1)
        qsort(deferred.v, deferred.n, sizeof *deferred.v, cmp_ll_);
    char now[32];
    tote_store_now(now);
    wave_work w = {0};
    r->planned = plan.valid;
    if (e == TOTE_ST_E_OK)
        e = plan.valid ? from_plan(&w, &plan) : read_candidates(s, &w, &deferred);
    store_alloc_plan_free(&plan);
    /* the limits take a prefix of the ranking (orders never split) */
    size_t n = 0;
    long long lines = 0;
    while (e == TOTE_ST_E_OK && n < w.nm && (o->max_orders <= 0 || (long long)n < o->max_orders) &&
           (o->max_lines <= 0 || lines + w.m[n].lines <= o->max_lines))
        lines += w.m[n++].lines;
    if (e != TOTE_ST_E_OK || n == 0) {
        if (e == TOTE_ST_E_OK) {
            r->waiting = (long long)w.nm;
            e = mark_rest(s, &deferred, NULL, now);
        }
        work_free(&w);
        free(deferred.v);
        return e;
    }
    r->waiting = (long long)(w.nm - n);
    /* the taken members' tasks */
    size_t nt = 0;
    for (size_t i = 0; i < w.nt; i++)
        if (w.t[i].member < (long long)n)
            w.t[nt++] = w.t[i];
    w.nt = nt;

    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO wave(status, created_by, created_at) VALUES ('open', ?1, ?2)");
    if (!st)
        e = TOTE_ST_E_DB;
    if (e == TOTE_ST_E_OK) {
        if (actor)
            sqlite3_bind_text(st, 1, actor, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        e = store_exec(st);
    }
    long long wave_id = sqlite3_last_insert_rowid(tote_store_db(s));
    long long k = o->totes_per_list > 0 ? o->totes_per_list : TOTE_WAVE_DEFAULT_TOTES;
    long long lists = ((long long)n + k - 1) / k;
    for (long long i = 0; i < lists && e == TOTE_ST_E_OK; i++) {
        st = tote_store_stmt(s, "INSERT INTO pick_list(wave_id, status, created_at) VALUES (?1, 'open', ?2)");
        if (!st) {
            e = TOTE_ST_E_DB;
            break;
        }
        sqlite3_bind_int64(st, 1, wave_id);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        if ((e = store_exec(st)) != TOTE_ST_E_OK)
            break;
        long long list_id = sqlite3_last_insert_rowid(tote_store_db(s));
        for (long long j = i * k; j < (i + 1) * k && j < (long long)n; j++) {
            w.m[j].list_id = list_id;
            w.m[j].tote_no = (int)(j - i * k + 1);
            snprintf(w.m[j].tote, sizeof w.m[j].tote, "T%lld-%d", list_id, w.m[j].tote_no);
        }
    }
    if (e == TOTE_ST_E_OK)
        e = rank_stock(s, &w);
    long long units = 0;
    if (e == TOTE_ST_E_OK) {
        sort_work = &w;
        if (w.nt > 1)
            qsort(w.t, w.nt, sizeof *w.t, cmp_wtask);
        sort_work = NULL;
        for (size_t i = 0; i < w.nt; i++)
            units += w.t[i].qty;
        e = write_tasks(s, &w, w.nt);
    }
    /* each order's tote (and status, if allocated now), then its
       'order.waved' event (in rank order) */
    char *taken = deferred.n ? calloc(deferred.n, 1) : NULL;
    if (e == TOTE_ST_E_OK && deferred.n && !taken)
        e = TOTE_ST_E_NOMEM;
    if (e == TOTE_ST_E_OK)
        e = set_totes(s, &w, n, now, &deferred, taken);
    if (e == TOTE_ST_E_OK)
        e = mark_rest(s, &deferred, taken, now);
    free(taken);
    free(deferred.v);
    if (e == TOTE_ST_E_OK)
        e = waved_events(s, &w, n, wave_id, actor, now);
    r->tasks = (long long)w.nt;
    r->units = units;
    r->lines = lines;
    r->wave_id = wave_id;
    r->pick_lists = lists;
    r->orders = (long long)n;
    work_free(&w);
    if (e != TOTE_ST_E_OK)
        return e;

    char subject[32], detail[256];
    snprintf(subject, sizeof subject, "%lld", wave_id);
    snprintf(detail, sizeof detail,
             "{\"pick_lists\":%lld,\"orders\":%lld,\"lines\":%lld,\"tasks\":%lld,\"units\":%lld,"
             "\"totes_per_list\":%lld,\"waiting\":%lld}",
             lists, r->orders, r->lines, r->tasks, r->units, k, r->waiting);
    return tote_store_event(s, actor, NULL, "wave.created", "wave", subject, detail);
}

tote_st_err tote_wave_create(tote_store *s, const tote_wave_opts *opts, const char *actor,
                             tote_wave_result *out)
{
    tote_wave_opts o = {0};
    if (opts)
        o = *opts;
    tote_wave_result r = {0};
    int own;
    tote_st_err e = store_bulk_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return store_bulk_end(s, own, e);
    e = store_bulk_end(s, own, create_in_tx(s, &o, actor, &r));
    if (e == TOTE_ST_E_OK && out)
        *out = r;
    return e;
}
