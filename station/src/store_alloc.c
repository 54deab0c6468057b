/*
 * Allocation: reserving stock per bin for order lines (tote/alloc.h has the
 * rules). The SQL of allocation lives here, in store_alloc_write.c (what a
 * run chose, written in batches), store_short.c (a short pick's
 * reallocation) and store_release.c (giving stock back, backorders, the
 * reservation check); store_alloc_int.h is what they share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_alloc_int.h"
#include "tote/alloc.h"
#include "tote/reorder.h"

/* ---- small helpers ---- */

int idvec_push(idvec *iv, long long x)
{
    if (iv->n == iv->cap) {
        size_t cap = iv->cap ? iv->cap * 2 : 16;
        long long *v = realloc(iv->v, cap * sizeof *v);
        if (!v)
            return -1;
        iv->v = v;
        iv->cap = cap;
    }
    iv->v[iv->n++] = x;
    return 0;
}

void idvec_free(idvec *iv)
{
    free(iv->v);
    iv->v = NULL;
    iv->n = iv->cap = 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Sorts and removes duplicates. */
void idvec_uniq(idvec *iv)
{
    if (iv->n < 2)
        return;
    qsort(iv->v, iv->n, sizeof iv->v[0], cmp_ll);
    size_t w = 1;
    for (size_t r = 1; r < iv->n; r++)
        if (iv->v[r] != iv->v[w - 1])
            iv->v[w++] = iv->v[r];
    iv->n = w;
}

/* Today's UTC date "YYYY-MM-DD" from the store's clock ($TOTE_NOW). */
void alloc_today(char out[11])
{
    char now[32];
    tote_store_now(now);
    memcpy(out, now, 10);
    out[10] = '\0';
}

tote_st_err alloc_run_with_id(tote_store *s, const char *sql, long long id)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    return store_exec(st);
}

tote_st_err alloc_collect_ids(tote_store *s, const char *sql, long long id, idvec *out)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc;
    tote_st_err e = TOTE_ST_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (idvec_push(out, sqlite3_column_int64(st, 0)) != 0) {
            e = TOTE_ST_E_NOMEM;
            break;
        }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = TOTE_ST_E_DB;
    sqlite3_reset(st);
    return e;
}

tote_st_err alloc_reorder_touched(tote_store *s, idvec *touched, const char *actor)
{
    idvec_uniq(touched);
    for (size_t i = 0; i < touched->n; i++) {
        tote_st_err e = tote_reorder_check(s, touched->v[i], actor);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    return TOTE_ST_E_OK;
}

/* ---- choosing bins ----
 *
 * The rule (alloc.h) runs in C over candidate rows read once per run: every
 * available, unexpired stock row in a bin, sorted by product, then expiry
 * (dated first, earliest first), then walk order. Allocations are inserted
 * one statement each; stock.reserved, order_line.allocated, order states and
 * events then follow in a few set-based statements over the allocations
 * made by this run (allocation.id above the run's watermark: the run holds
 * the write lock, so every id above it is the run's own).
 */

/* product_id 0: every product (a big run), else one product (index lookup). */
tote_st_err alloc_load_cands(tote_store *s, const char *day, long long product_id, long long exclude,
                             candset *cs)
{
    sqlite3_stmt *st =
        product_id
            ? tote_store_stmt(s, "SELECT st.id, st.product_id, st.on_hand - st.reserved, "
                                 "COALESCE(substr(st.expiry, 1, 10), '') FROM stock st "
                                 "JOIN location l ON l.id = st.location_id WHERE st.product_id = ?3 "
                                 "AND l.kind = 'bin' AND st.on_hand - st.reserved > 0 AND (st.expiry IS "
                                 "NULL OR st.expiry = '' OR substr(st.expiry, 1, 10) >= ?1) AND st.id <> ?2 "
                                 "ORDER BY st.expiry IS NULL OR st.expiry = '', substr(st.expiry, 1, 10), "
                                 "l.walk_seq, l.code, st.id")
            : tote_store_stmt(s, "SELECT st.id, st.product_id, st.on_hand - st.reserved, "
                                 "COALESCE(substr(st.expiry, 1, 10), '') FROM stock st "
                                 "JOIN location l ON l.id = st.location_id WHERE l.kind = 'bin' "
                                 "AND st.on_hand - st.reserved > 0 AND (st.expiry IS NULL OR st.expiry = '' "
                                 "OR substr(st.expiry, 1, 10) >= ?1) AND st.id <> ?2 ORDER BY st.product_id, "
                                 "st.expiry IS NULL OR st.expiry = '', substr(st.expiry, 1, 10), "
                                 "l.walk_seq, l.code, st.id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, day, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, exclude);
    if (product_id)
        sqlite3_bind_int64(st, 3, product_id);
    int rc;
    tote_st_err e = TOTE_ST_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (cs->n == cs->cap) {
            size_t cap = cs->cap ? cs->cap * 2 : 64;
            cand *v = realloc(cs->v, cap * sizeof *v);
            if (!v) {
                e = TOTE_ST_E_NOMEM;
                break;
            }
            cs->v = v;
            cs->cap = cap;
        }
        cand *c = &cs->v[cs->n++];
        c->stock_id = sqlite3_column_int64(st, 0);
        c->product_id = sqlite3_column_int64(st, 1);
        c->avail = sqlite3_column_int64(st, 2);
        store_col_text(st, 3, c->expiry, sizeof c->expiry);
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = TOTE_ST_E_DB;
    sqlite3_reset(st);
    return e;
}

/* The candidates of one product: [*from, *to) of cs (sorted by product). */
static void product_slice(const candset *cs, long long product_id, size_t *from, size_t *to)
{
    size_t lo = 0, hi = cs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cs->v[mid].product_id < product_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < cs->n && cs->v[end].product_id == product_id)
        end++;
    *from = lo;
    *to = end;
}

/* ---- orders ---- */

tote_st_err alloc_order_event(tote_store *s, const char *actor, const char *device, const char *kind,
                              const char *order_name, const char *detail)
{
    return tote_store_event(s, actor, device, kind, "order", order_name, detail);
}

/* 1 if the newest event about the order is of this kind. */
static int last_event_is(tote_store *s, const char *order_name, const char *kind)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT kind FROM event WHERE subject_type = 'order' AND subject = ?1 "
                           "ORDER BY id DESC LIMIT 1");
    if (!st)
        return 0;
    sqlite3_bind_text(st, 1, order_name, -1, SQLITE_TRANSIENT);
    int is = sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), kind) == 0;
    sqlite3_reset(st);
    return is;
}

typedef struct need_line {
    long long order_id, line_id, product_id, need;
    long long rank, line_no; /* order's place in the run, line's number: the run's order */
    int released;            /* the order is 'released' (else a top-up of an allocated one) */
} need_line;

typedef struct needset {
    need_line *v;
    size_t n, cap;
    char **names; /* a big run's order names by rank (else NULL) */
    size_t nnames;
    int plain; /* a run over 'released' orders with no tote and nothing allocated or picked yet */
} needset;

static void needset_free(needset *ns)
{
    free(ns->v);
    for (size_t i = 0; i < ns->nnames; i++)
        free(ns->names[i]);
    free(ns->names);
    *ns = (needset){0};
}

static need_line *need_push(needset *ns)
{
    if (ns->n == ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 16;
        need_line *v = realloc(ns->v, cap * sizeof *v);
        if (!v)
            return NULL;
        ns->v = v;
        ns->cap = cap;
    }
    return &ns->v[ns->n++];
}

/* Reads the lines a statement returns as (order_id, line id, product_id,
 * need, released, line_no), all with the given rank. */
static tote_st_err read_needs(sqlite3_stmt *st, long long rank, needset *ns)
{
    int rc;
    tote_st_err e = TOTE_ST_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        need_line *l = need_push(ns);
        if (!l) {
            e = TOTE_ST_E_NOMEM;
            break;
        }
        l->order_id = sqlite3_column_int64(st, 0);
        l->line_id = sqlite3_column_int64(st, 1);
        l->product_id = sqlite3_column_int64(st, 2);
        l->need = sqlite3_column_int64(st, 3);
        l->released = sqlite3_column_int(st, 4);
        l->line_no = sqlite3_column_int64(st, 5);
        l->rank = rank;
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = TOTE_ST_E_DB;
    sqlite3_reset(st);
    return e;
}

/* Lines of one order that still need stock, in line_no order. */
static tote_st_err order_needs(tote_store *s, long long order_id, long long rank, needset *ns)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.id, ol.id, COALESCE(ol.product_id, 0), ol.ordered - ol.allocated - ol.short, "
           "o.status = 'released', ol.line_no FROM orders o JOIN order_line ol ON ol.order_id = o.id "
           "WHERE o.id = ?1 AND ol.requires_shipping = 1 AND ol.ordered - ol.allocated - ol.short > 0 "
           "ORDER BY ol.line_no");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    return read_needs(st, rank, ns);
}

typedef struct ranked {
    long long order_id, rank;
    int released;
} ranked;

static int cmp_ranked_id(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return (x->order_id > y->order_id) - (x->order_id < y->order_id);
}

static int cmp_need_run(const void *a, const void *b)
{
    const need_line *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->line_no != y->line_no)
        return x->line_no < y->line_no ? -1 : 1;
    return (x->line_id > y->line_id) - (x->line_id < y->line_id);
}

/*
 * Lines that still need stock of every order an allocation run takes, in
 * priority order (then line_no). The orders are ranked in SQL; their lines
 * are read in one pass over the rowid range they span when that range is
 * not much bigger than the run (the usual case: open orders are the newest),
 * else order by order through the index; either way rank and line order are
 * applied in memory, without a sort of every line in SQL.
 */
static tote_st_err run_needs(tote_store *s, needset *ns)
{
    sqlite3_stmt *st = tote_store_stmt(
        s,
        "SELECT o.id, o.status = 'released', o.name, o.status = 'released' AND o.tote IS NULL FROM orders o "
        "WHERE o.status IN ('released', 'allocated') AND (o.status = 'released' OR o.tote IS NULL) "
        "ORDER BY " ORDER_PRIORITY);
    if (!st)
        return TOTE_ST_E_DB;
    ranked *rk = NULL;
    size_t n = 0, cap = 0;
    int rc, plain = 1;
    tote_st_err e = TOTE_ST_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        plain &= sqlite3_column_int(st, 3) != 0;
        if (n == cap) {
            size_t c2 = cap ? cap * 2 : 64;
            ranked *v = realloc(rk, c2 * sizeof *v);
            char **nv = realloc(ns->names, c2 * sizeof *nv);
            if (nv)
                ns->names = nv;
            if (!v || !nv) {
                free(v ? v : rk);
                rk = NULL;
                e = TOTE_ST_E_NOMEM;
                break;
            }
            rk = v;
            cap = c2;
        }
        rk[n] = (ranked){sqlite3_column_int64(st, 0), (long long)n, sqlite3_column_int(st, 1)};
        ns->names[n] = strdup((const char *)sqlite3_column_text(st, 2));
        ns->nnames = ++n;
        if (!ns->names[n - 1]) {
            e = TOTE_ST_E_NOMEM;
            break;
        }
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = TOTE_ST_E_DB;
    sqlite3_reset(st);
    long long lo = 0, hi = -1;
    if (e == TOTE_ST_E_OK && n > 0) {
        st = tote_store_stmt(s, "SELECT COALESCE(MIN(ol.id), 0), COALESCE(MAX(ol.id), -1) FROM orders o "
                                "JOIN order_line ol ON ol.order_id = o.id WHERE o.status IN ('released', "
                                "'allocated') AND (o.status = 'released' OR o.tote IS NULL)");
        if (!st) {
            e = TOTE_ST_E_DB;
        } else {
            if (sqlite3_step(st) == SQLITE_ROW) {
                lo = sqlite3_column_int64(st, 0);
                hi = sqlite3_column_int64(st, 1);
            } else {
                e = TOTE_ST_E_DB;
            }
            sqlite3_reset(st);
        }
    }
    if (e == TOTE_ST_E_OK && n > 0 && hi - lo + 1 > 64 * (long long)n) {
        plain = 0;                                          /* not looked at line by line */
        for (size_t i = 0; e == TOTE_ST_E_OK && i < n; i++) /* in rank order already */
            e = order_needs(s, rk[i].order_id, rk[i].rank, ns);
    } else if (e == TOTE_ST_E_OK && n > 0) {
        qsort(rk, n, sizeof *rk, cmp_ranked_id);
        /* every line in the range: the ones that need stock, and whether any
           line of a taken order has units allocated or picked already */
        st = tote_store_stmt(s, "SELECT ol.order_id, ol.id, COALESCE(ol.product_id, 0), "
                                "ol.ordered - ol.allocated - ol.short, ol.line_no, ol.requires_shipping = 1 "
                                "AND ol.ordered - ol.allocated - ol.short > 0, ol.allocated <> 0 OR "
                                "ol.picked <> 0 FROM order_line ol WHERE ol.id BETWEEN ?1 AND ?2");
        if (!st) {
            e = TOTE_ST_E_DB;
        } else {
            sqlite3_bind_int64(st, 1, lo);
            sqlite3_bind_int64(st, 2, hi);
            while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                ranked key = {.order_id = sqlite3_column_int64(st, 0)};
                const ranked *o = bsearch(&key, rk, n, sizeof *rk, cmp_ranked_id);
                if (!o)
                    continue; /* a line of an order this run does not take */
                plain &= sqlite3_column_int(st, 6) == 0;
                if (!sqlite3_column_int(st, 5))
                    continue; /* needs nothing */
                need_line *l = need_push(ns);
                if (!l) {
                    e = TOTE_ST_E_NOMEM;
                    break;
                }
                *l = (need_line){.order_id = o->order_id,
                                 .line_id = sqlite3_column_int64(st, 1),
                                 .product_id = sqlite3_column_int64(st, 2),
                                 .need = sqlite3_column_int64(st, 3),
                                 .rank = o->rank,
                                 .line_no = sqlite3_column_int64(st, 4),
                                 .released = o->released};
            }
            if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
                e = TOTE_ST_E_DB;
            sqlite3_reset(st);
            if (e == TOTE_ST_E_OK && ns->n > 1)
                qsort(ns->v, ns->n, sizeof ns->v[0], cmp_need_run);
        }
    }
    ns->plain = e == TOTE_ST_E_OK && n > 0 && plain;
    free(rk);
    return e;
}

/* Lines that still need stock, of one order (order_id > 0) or of every order
 * an allocation run takes (order_id 0), in priority order. */
static tote_st_err load_needs(tote_store *s, long long order_id, needset *ns)
{
    return order_id ? order_needs(s, order_id, 0, ns) : run_needs(s, ns);
}

/* Up to this many lines a run reads candidates product by product. */
#define PER_PRODUCT_LOAD_MAX 64

static tote_st_err backorder_event(tote_store *s, long long order_id, const char *actor)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.name, COALESCE(SUM(CASE WHEN ol.requires_shipping = 1 AND ol.ordered - ol.allocated - "
           "ol.short > 0 THEN ol.ordered - ol.allocated - ol.short ELSE 0 END), 0) FROM orders o "
           "JOIN order_line ol ON ol.order_id = o.id WHERE o.id = ?1 GROUP BY o.id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return TOTE_ST_E_DB;
    }
    char name[128], detail[96];
    store_col_text(st, 0, name, sizeof name);
    snprintf(detail, sizeof detail, "{\"units\":0,\"backorder\":%lld,\"fully\":false}",
             sqlite3_column_int64(st, 1));
    sqlite3_reset(st);
    if (last_event_is(s, name, "backorder"))
        return TOTE_ST_E_OK;
    return alloc_order_event(s, actor, NULL, "backorder", name, detail);
}

typedef struct order_sum {
    long long order_id, units, backorder;
    int released;
    const char *name;      /* NULL: read from the order row */
    long long rank, lines; /* its place in the run; lines that got stock */
} order_sum;

static void allocated_detail(const order_sum *o, char *buf, size_t cap)
{
    snprintf(buf, cap, "{\"units\":%lld,\"backorder\":%lld,\"fully\":%s}", o->units, o->backorder,
             o->backorder == 0 ? "true" : "false");
}

static const char *allocated_row(void *ud, size_t i, char *detail, size_t cap)
{
    const order_sum *const *o = ud;
    allocated_detail(o[i], detail, cap);
    return o[i]->name;
}

/* The 'order.allocated' events of the named orders o[0..n), 32 to a statement. */
static tote_st_err allocated_events(tote_store *s, const order_sum **o, size_t n, const char *actor,
                                    const char *now)
{
    return store_order_events(s, "order.allocated", actor, now, n, allocated_row, (void *)o);
}

/* After a run: the order's 'order.allocated' event (or, for a released
 * order that got nothing, its 'backorder' event). */
static tote_st_err order_after_run(tote_store *s, const order_sum *o, const char *actor, const char *now)
{
    if (o->units == 0)
        return o->released ? backorder_event(s, o->order_id, actor) : TOTE_ST_E_OK;
    char detail[128];
    allocated_detail(o, detail, sizeof detail);
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO event(at, actor, device, kind, subject_type, subject, detail) "
                           "SELECT ?1, ?2, NULL, 'order.allocated', 'order', name, ?3 "
                           "FROM orders WHERE id = ?4");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    if (actor)
        sqlite3_bind_text(st, 2, actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, detail, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 4, o->order_id);
    return store_exec(st);
}

/* The released orders of sums[0, n) that got units (they become
 * 'allocated'), in *ids (malloc'd, caller frees; NULL when none). */
static tote_st_err released_got(const order_sum *sums, size_t n, long long **ids, size_t *nids)
{
    *ids = NULL;
    *nids = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += sums[i].released && sums[i].units > 0;
    if (k == 0)
        return TOTE_ST_E_OK;
    if (!(*ids = malloc(k * sizeof **ids)))
        return TOTE_ST_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (sums[i].released && sums[i].units > 0)
            (*ids)[(*nids)++] = sums[i].order_id;
    return TOTE_ST_E_OK;
}

void store_alloc_plan_free(store_alloc_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->name && i < p->norders; i++)
        free(p->name[i]);
    free(p->name);
    free(p->order_id);
    free(p->lines);
    free(p->task);
    *p = (store_alloc_plan){0};
}

/* The plan of a run that allocated every order plainly (store_tx.h): the
 * orders that got stock, in run order, taking their names from ns, and the
 * allocations written (ps, ids given). */
static tote_st_err make_plan(store_alloc_plan *p, const order_sum *sums, size_t nsums, needset *ns,
                             const pendset *ps)
{
    size_t k = 0;
    for (size_t i = 0; i < nsums; i++)
        k += sums[i].units > 0;
    long long *member = ns->nnames ? malloc(ns->nnames * sizeof *member) : NULL;
    p->order_id = malloc((k ? k : 1) * sizeof *p->order_id);
    p->lines = malloc((k ? k : 1) * sizeof *p->lines);
    p->name = calloc(k ? k : 1, sizeof *p->name);
    p->task = malloc((ps->n ? ps->n : 1) * sizeof *p->task);
    if ((ns->nnames && !member) || !p->order_id || !p->lines || !p->name || !p->task) {
        free(member);
        store_alloc_plan_free(p);
        return TOTE_ST_E_NOMEM;
    }
    for (size_t i = 0; i < ns->nnames; i++)
        member[i] = -1;
    for (size_t i = 0; i < nsums; i++) {
        if (sums[i].units <= 0)
            continue;
        size_t m = p->norders++;
        p->order_id[m] = sums[i].order_id;
        p->lines[m] = sums[i].lines;
        p->name[m] = ns->names[sums[i].rank]; /* taken: sums[i].name still points to it */
        ns->names[sums[i].rank] = NULL;
        member[sums[i].rank] = (long long)m;
    }
    for (size_t i = 0; i < ps->n; i++) {
        const pend *a = &ps->v[i];
        long long m = a->rank >= 0 && (size_t)a->rank < ns->nnames ? member[a->rank] : -1;
        if (m < 0) { /* every allocation belongs to an order that got stock */
            free(member);
            store_alloc_plan_free(p);
            return TOTE_ST_E_DB;
        }
        p->task[p->ntasks++] = (store_alloc_task){m, a->id, a->line_id, a->stock_id, a->qty};
    }
    free(member);
    p->valid = 1;
    return TOTE_ST_E_OK;
}

tote_st_err store_mark_allocated(tote_store *s, const long long *ids, size_t n, const char *now)
{
    if (n == 0)
        return TOTE_ST_E_OK;
    char *set = store_ids_json(ids, n);
    if (!set)
        return TOTE_ST_E_NOMEM;
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE OR FAIL orders SET status = 'allocated', updated_at = ?1 WHERE "
                           "status = 'released' AND id IN (SELECT value FROM json_each(?2))");
    tote_st_err e = TOTE_ST_E_DB;
    if (st) {
        sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, set, -1, SQLITE_STATIC);
        e = store_exec(st);
    }
    free(set);
    return e;
}

/*
 * One allocation run in the caller's transaction: order_id > 0 for one
 * order, 0 for every order alloc_released takes. *orders_got (may be NULL):
 * orders that got stock now. deferred NULL: released orders that got stock
 * become 'allocated' here; else their ids are handed over in it instead
 * (store_tx.h, store_alloc_released_deferred).
 */
static tote_st_err alloc_run(tote_store *s, long long order_id, const char *actor, long long *orders_got,
                             store_ids *deferred, store_alloc_plan *plan)
{
    char day[11], now[32];
    alloc_today(day);
    tote_store_now(now);
    long long got_orders = 0;
    needset ns = {0};
    candset cs = {0};
    idvec products = {0};
    order_sum *sums = NULL;
    size_t nsums = 0;
    pendset ps = {0};
    tote_st_err e = load_needs(s, order_id, &ns);
    if (e == TOTE_ST_E_OK && ns.n > PER_PRODUCT_LOAD_MAX) {
        e = alloc_load_cands(s, day, 0, 0, &cs);
    } else if (e == TOTE_ST_E_OK) {
        for (size_t i = 0; e == TOTE_ST_E_OK && i < ns.n; i++)
            if (ns.v[i].product_id && idvec_push(&products, ns.v[i].product_id) != 0)
                e = TOTE_ST_E_NOMEM;
        idvec_uniq(&products); /* ascending, so cs stays sorted by product */
        for (size_t i = 0; e == TOTE_ST_E_OK && i < products.n; i++)
            e = alloc_load_cands(s, day, products.v[i], 0, &cs);
    }
    products.n = 0;
    /* lines come grouped by order: one summary per order */
    if (e == TOTE_ST_E_OK && ns.n > 0 && !(sums = calloc(ns.n, sizeof *sums)))
        e = TOTE_ST_E_NOMEM;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < ns.n; i++) {
        if (nsums == 0 || sums[nsums - 1].order_id != ns.v[i].order_id)
            sums[nsums++] = (order_sum){.order_id = ns.v[i].order_id,
                                        .released = ns.v[i].released,
                                        .name = ns.names ? ns.names[ns.v[i].rank] : NULL,
                                        .rank = ns.v[i].rank};
        order_sum *o = &sums[nsums - 1];
        long long got = 0;
        if (ns.v[i].product_id) { /* else unknown product: all of it is backorder */
            size_t from, to, was = ps.n;
            product_slice(&cs, ns.v[i].product_id, &from, &to);
            e = alloc_reserve_line(&ps, cs.v + from, to - from, ns.v[i].line_id, ns.v[i].need, &got);
            for (size_t k = was; k < ps.n; k++) {
                ps.v[k].rank = ns.v[i].rank;
                ps.v[k].full = got == ns.v[i].need; /* need was read in this transaction */
            }
        }
        o->lines += got > 0;
        if (e == TOTE_ST_E_OK && got > 0 && idvec_push(&products, ns.v[i].product_id) != 0)
            e = TOTE_ST_E_NOMEM;
        o->units += got;
        o->backorder += ns.v[i].need - got;
    }
    free(cs.v);
    if (e == TOTE_ST_E_OK)
        e = alloc_write_pending(s, &ps);
    if (e == TOTE_ST_E_OK && plan && order_id == 0 && ns.plain && ns.names && (ps.n == 0 || ps.ids_known))
        e = make_plan(plan, sums, nsums, &ns, &ps);
    free(ps.v);
    /* released -> allocated: every order that got stock now, in one statement
       (or by the caller, with its own update of the same rows) */
    if (e == TOTE_ST_E_OK) {
        long long *ids = NULL;
        size_t nids = 0;
        e = released_got(sums, nsums, &ids, &nids);
        if (e == TOTE_ST_E_OK && deferred) {
            deferred->v = ids;
            deferred->n = nids;
            ids = NULL;
        } else if (e == TOTE_ST_E_OK) {
            e = store_mark_allocated(s, ids, nids, now);
        }
        free(ids);
    }
    /* each order's event, in run order: named 'order.allocated' ones batched */
    const order_sum **batch = nsums ? malloc(nsums * sizeof *batch) : NULL;
    size_t nb = 0;
    if (nsums && !batch && e == TOTE_ST_E_OK)
        e = TOTE_ST_E_NOMEM;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < nsums; i++) {
        if (sums[i].units > 0)
            got_orders++;
        if (sums[i].units > 0 && sums[i].name) {
            batch[nb++] = &sums[i];
            continue;
        }
        e = allocated_events(s, batch, nb, actor, now);
        nb = 0;
        if (e == TOTE_ST_E_OK)
            e = order_after_run(s, &sums[i], actor, now);
    }
    if (e == TOTE_ST_E_OK)
        e = allocated_events(s, batch, nb, actor, now);
    free(batch);
    free(sums);
    needset_free(&ns);
    if (e == TOTE_ST_E_OK)
        e = alloc_reorder_touched(s, &products, actor);
    idvec_free(&products);
    if (e == TOTE_ST_E_OK && orders_got)
        *orders_got = got_orders;
    return e;
}

static tote_st_err order_backorder(tote_store *s, long long order_id, long long *backorder)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT COALESCE(SUM(CASE WHEN requires_shipping = 1 AND ordered - "
                           "allocated - short > 0 THEN ordered - allocated - short ELSE 0 END), 0) "
                           "FROM order_line WHERE order_id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *backorder = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}

tote_st_err tote_alloc_order(tote_store *s, long long order_id, const char *actor, int *fully)
{
    int own;
    tote_st_err e = store_own_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return e;
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT status = 'released' OR (status = 'allocated' AND tote IS NULL) "
                           "FROM orders WHERE id = ?1");
    if (!st) {
        e = TOTE_ST_E_DB;
    } else {
        sqlite3_bind_int64(st, 1, order_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            e = TOTE_ST_E_NOT_FOUND;
        else if (rc != SQLITE_ROW)
            e = TOTE_ST_E_DB;
        else if (!sqlite3_column_int(st, 0))
            e = TOTE_ST_E_STATE;
        sqlite3_reset(st);
    }
    long long backorder = 0;
    if (e == TOTE_ST_E_OK)
        e = alloc_run(s, order_id, actor, NULL, NULL, NULL);
    if (e == TOTE_ST_E_OK)
        e = order_backorder(s, order_id, &backorder);
    e = store_own_end(s, own, e);
    if (e == TOTE_ST_E_OK && fully)
        *fully = backorder == 0;
    return e;
}

tote_st_err store_alloc_released_deferred(tote_store *s, const char *actor, long long *orders_allocated,
                                          store_ids *deferred, store_alloc_plan *plan)
{
    deferred->v = NULL;
    deferred->n = 0;
    if (plan)
        *plan = (store_alloc_plan){0};
    long long n = 0;
    tote_st_err e = alloc_run(s, 0, actor, &n, deferred, plan);
    if (e != TOTE_ST_E_OK) {
        store_alloc_plan_free(plan);
        free(deferred->v);
        deferred->v = NULL;
        deferred->n = 0;
    } else if (orders_allocated) {
        *orders_allocated = n;
    }
    return e;
}

tote_st_err tote_alloc_released(tote_store *s, const char *actor, long long *orders_allocated)
{
    int own;
    tote_st_err e = store_bulk_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return store_bulk_end(s, own, e);
    long long n = 0;
    e = store_bulk_end(s, own, alloc_run(s, 0, actor, &n, NULL, NULL));
    if (e == TOTE_ST_E_OK && orders_allocated)
        *orders_allocated = n;
    return e;
}
