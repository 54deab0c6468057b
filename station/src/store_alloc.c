/*
 * Allocation: reserving stock per bin for order lines (tote/alloc.h has the
 * rules). All SQL of allocation lives here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tote/alloc.h"
#include "tote/reorder.h"

/* Priority order of orders, shared by allocation and waves (wave.h). */
#define ORDER_PRIORITY \
    "(o.rush <> 0 OR o.pickup <> 0) DESC, o.priority DESC, o.ship_by IS NULL, o.ship_by, o.ordered_at, o.id"

/* ---- small helpers ---- */

typedef struct idvec {
    long long *v;
    size_t n, cap;
} idvec;

static int idvec_push(idvec *iv, long long x)
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

static void idvec_free(idvec *iv)
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
static void idvec_uniq(idvec *iv)
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

/* Steps a statement that returns no rows; resets it. */
static tote_st_err step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return TOTE_ST_E_OK;
    tote_st_err e = tote_store_map_rc(rc);
    return e == TOTE_ST_E_OK ? TOTE_ST_E_DB : e;
}

/*
 * One transaction per public call: our own when the caller has none; else
 * the work joins the caller's transaction (no savepoint: SQLite journals
 * every page of every statement again inside one, which makes big runs many
 * times slower). Bad input is refused before anything is written; after any
 * other error the caller must roll its transaction back.
 */
static tote_st_err tx_begin(tote_store *s, int *own)
{
    *own = sqlite3_get_autocommit(tote_store_db(s));
    return *own ? tote_store_begin(s) : TOTE_ST_E_OK;
}

static tote_st_err tx_end(tote_store *s, int own, tote_st_err e)
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

/* Today's UTC date "YYYY-MM-DD" from the store's clock ($TOTE_NOW). */
static void today(char out[11])
{
    char now[32];
    tote_store_now(now);
    memcpy(out, now, 10);
    out[10] = '\0';
}

static tote_st_err run_with_id(tote_store *s, const char *sql, long long id)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    return step_done(st);
}

static tote_st_err collect_ids(tote_store *s, const char *sql, long long id, idvec *out)
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

static tote_st_err reorder_touched(tote_store *s, idvec *touched, const char *actor)
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

typedef struct cand {
    long long stock_id, product_id, avail;
    char expiry[11]; /* "" = none */
} cand;

typedef struct candset {
    cand *v;
    size_t n, cap;
} candset;

/* product_id 0: every product (a big run), else one product (index lookup). */
static tote_st_err load_cands(tote_store *s, const char *day, long long product_id, long long exclude,
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
        snprintf(c->expiry, sizeof c->expiry, "%s", (const char *)sqlite3_column_text(st, 3));
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

/* New allocations are written in batches: one multi-row INSERT per 64 rows
 * costs far less than 64 single-row statements. */
#define BATCH_ROWS 64
#define VALUES_4 "(?,?,?),(?,?,?),(?,?,?),(?,?,?)"
#define VALUES_16 VALUES_4 "," VALUES_4 "," VALUES_4 "," VALUES_4
#define VALUES_64 VALUES_16 "," VALUES_16 "," VALUES_16 "," VALUES_16

typedef struct alloc_writer {
    long long row[BATCH_ROWS][3]; /* order_line_id, stock_id, qty */
    int n;
} alloc_writer;

static tote_st_err writer_flush(tote_store *s, alloc_writer *w)
{
    if (w->n == BATCH_ROWS) {
        sqlite3_stmt *st =
            tote_store_stmt(s, "INSERT INTO allocation(order_line_id, stock_id, qty) VALUES " VALUES_64);
        if (!st)
            return TOTE_ST_E_DB;
        for (int i = 0; i < BATCH_ROWS; i++)
            for (int k = 0; k < 3; k++)
                sqlite3_bind_int64(st, i * 3 + k + 1, w->row[i][k]);
        w->n = 0;
        return step_done(st);
    }
    for (int i = 0; i < w->n; i++) {
        sqlite3_stmt *st =
            tote_store_stmt(s, "INSERT INTO allocation(order_line_id, stock_id, qty) VALUES (?1, ?2, ?3)");
        if (!st)
            return TOTE_ST_E_DB;
        for (int k = 0; k < 3; k++)
            sqlite3_bind_int64(st, k + 1, w->row[i][k]);
        tote_st_err e = step_done(st);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    w->n = 0;
    return TOTE_ST_E_OK;
}

static tote_st_err writer_add(tote_store *s, alloc_writer *w, long long line_id, long long stock_id,
                              long long qty)
{
    w->row[w->n][0] = line_id;
    w->row[w->n][1] = stock_id;
    w->row[w->n][2] = qty;
    return ++w->n == BATCH_ROWS ? writer_flush(s, w) : TOTE_ST_E_OK;
}

/*
 * Reserves up to need units for the line from c[0..n) (one product, in
 * expiry-then-walk order) by the rule: within the earliest expiry, the first
 * bin in walk order that holds all that is still needed, else the fullest
 * bin (first in walk among equals), until that expiry is used up; then the
 * next expiry. Queues the allocations on w, lowers c[].avail, adds to *got.
 */
static tote_st_err reserve_line(tote_store *s, alloc_writer *w, cand *c, size_t n, long long line_id,
                                long long need, long long *got)
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
            tote_st_err e = writer_add(s, w, line_id, c[pick].stock_id, take);
            if (e != TOTE_ST_E_OK)
                return e;
            c[pick].avail -= take;
            need -= take;
            *got += take;
        }
        g = g_end;
    }
    return TOTE_ST_E_OK;
}

static tote_st_err alloc_watermark(tote_store *s, long long *w)
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

/* stock.reserved and order_line.allocated for the allocations above w. */
static tote_st_err apply_new_allocations(tote_store *s, long long w)
{
    tote_st_err e =
        run_with_id(s,
                    "UPDATE stock SET reserved = reserved + d.q FROM (SELECT stock_id, SUM(qty) AS q "
                    "FROM allocation WHERE id > ?1 GROUP BY stock_id) AS d WHERE stock.id = d.stock_id",
                    w);
    if (e == TOTE_ST_E_OK)
        e = run_with_id(
            s,
            "UPDATE order_line SET allocated = allocated + d.q FROM (SELECT order_line_id, SUM(qty) AS q "
            "FROM allocation WHERE id > ?1 GROUP BY order_line_id) AS d "
            "WHERE order_line.id = d.order_line_id",
            w);
    return e;
}

/* ---- orders ---- */

static tote_st_err order_event(tote_store *s, const char *actor, const char *device, const char *kind,
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
    int released; /* the order is 'released' (else a top-up of an allocated one) */
} need_line;

typedef struct needset {
    need_line *v;
    size_t n, cap;
} needset;

static tote_st_err exec1(tote_store *s, const char *sql)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    return st ? step_done(st) : TOTE_ST_E_DB;
}

/* Ranks the orders a run takes into a temp table, so their lines come out
 * in priority order without sorting every line (rank is the rowid, lines
 * come in line_no order from their index). */
static tote_st_err rank_orders(tote_store *s)
{
    tote_st_err e = exec1(s, "CREATE TEMP TABLE IF NOT EXISTS tote_alloc_rank(rk INTEGER PRIMARY KEY, "
                             "order_id INTEGER NOT NULL, released INTEGER NOT NULL)");
    if (e == TOTE_ST_E_OK)
        e = exec1(s, "DELETE FROM tote_alloc_rank");
    if (e == TOTE_ST_E_OK)
        e = exec1(s, "INSERT INTO tote_alloc_rank(order_id, released) SELECT o.id, o.status = 'released' "
                     "FROM orders o WHERE o.status IN ('released', 'allocated') AND (o.status = 'released' "
                     "OR o.tote IS NULL) ORDER BY " ORDER_PRIORITY);
    return e;
}

/* Lines that still need stock, of one order (order_id > 0) or of every order
 * an allocation run takes (order_id 0), in priority order. */
static tote_st_err load_needs(tote_store *s, long long order_id, needset *ns)
{
    if (!order_id) {
        tote_st_err e = rank_orders(s);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    sqlite3_stmt *st =
        order_id ? tote_store_stmt(
                       s, "SELECT o.id, ol.id, COALESCE(ol.product_id, 0), ol.ordered - ol.allocated - "
                          "ol.short, o.status = 'released' FROM orders o JOIN order_line ol ON ol.order_id = "
                          "o.id WHERE o.id = ?1 AND ol.requires_shipping = 1 AND ol.ordered - ol.allocated - "
                          "ol.short > 0 ORDER BY ol.line_no")
                 : tote_store_stmt(
                       s, "SELECT r.order_id, ol.id, COALESCE(ol.product_id, 0), ol.ordered - ol.allocated - "
                          "ol.short, r.released FROM tote_alloc_rank r CROSS JOIN order_line ol "
                          "WHERE ol.order_id = r.order_id AND ol.requires_shipping = 1 "
                          "AND ol.ordered - ol.allocated - ol.short > 0 ORDER BY r.rk, ol.line_no");
    if (!st)
        return TOTE_ST_E_DB;
    if (order_id)
        sqlite3_bind_int64(st, 1, order_id);
    int rc;
    tote_st_err e = TOTE_ST_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (ns->n == ns->cap) {
            size_t cap = ns->cap ? ns->cap * 2 : 16;
            need_line *v = realloc(ns->v, cap * sizeof *v);
            if (!v) {
                e = TOTE_ST_E_NOMEM;
                break;
            }
            ns->v = v;
            ns->cap = cap;
        }
        need_line *l = &ns->v[ns->n++];
        l->order_id = sqlite3_column_int64(st, 0);
        l->line_id = sqlite3_column_int64(st, 1);
        l->product_id = sqlite3_column_int64(st, 2);
        l->need = sqlite3_column_int64(st, 3);
        l->released = sqlite3_column_int(st, 4);
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = TOTE_ST_E_DB;
    sqlite3_reset(st);
    return e;
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
    snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
    snprintf(detail, sizeof detail, "{\"units\":0,\"backorder\":%lld,\"fully\":false}",
             sqlite3_column_int64(st, 1));
    sqlite3_reset(st);
    if (last_event_is(s, name, "backorder"))
        return TOTE_ST_E_OK;
    return order_event(s, actor, NULL, "backorder", name, detail);
}

typedef struct order_sum {
    long long order_id, units, backorder;
    int released;
} order_sum;

/* After a run: the order's 'order.allocated' event (or, for a released
 * order that got nothing, its 'backorder' event). */
static tote_st_err order_after_run(tote_store *s, const order_sum *o, const char *actor, const char *now)
{
    if (o->units == 0)
        return o->released ? backorder_event(s, o->order_id, actor) : TOTE_ST_E_OK;
    char detail[128];
    snprintf(detail, sizeof detail, "{\"units\":%lld,\"backorder\":%lld,\"fully\":%s}", o->units,
             o->backorder, o->backorder == 0 ? "true" : "false");
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
    return step_done(st);
}

/*
 * One allocation run in the caller's transaction: order_id > 0 for one
 * order, 0 for every order alloc_released takes. *orders_got (may be NULL):
 * orders that got stock now.
 */
static tote_st_err alloc_run(tote_store *s, long long order_id, const char *actor, long long *orders_got)
{
    char day[11], now[32];
    today(day);
    tote_store_now(now);
    long long w = 0, got_orders = 0;
    needset ns = {0};
    candset cs = {0};
    idvec products = {0};
    order_sum *sums = NULL;
    size_t nsums = 0;
    alloc_writer aw = {.n = 0};
    tote_st_err e = alloc_watermark(s, &w);
    if (e == TOTE_ST_E_OK)
        e = load_needs(s, order_id, &ns);
    if (e == TOTE_ST_E_OK && ns.n > PER_PRODUCT_LOAD_MAX) {
        e = load_cands(s, day, 0, 0, &cs);
    } else if (e == TOTE_ST_E_OK) {
        for (size_t i = 0; e == TOTE_ST_E_OK && i < ns.n; i++)
            if (ns.v[i].product_id && idvec_push(&products, ns.v[i].product_id) != 0)
                e = TOTE_ST_E_NOMEM;
        idvec_uniq(&products); /* ascending, so cs stays sorted by product */
        for (size_t i = 0; e == TOTE_ST_E_OK && i < products.n; i++)
            e = load_cands(s, day, products.v[i], 0, &cs);
    }
    /* lines come grouped by order: one summary per order */
    if (e == TOTE_ST_E_OK && ns.n > 0 && !(sums = calloc(ns.n, sizeof *sums)))
        e = TOTE_ST_E_NOMEM;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < ns.n; i++) {
        if (nsums == 0 || sums[nsums - 1].order_id != ns.v[i].order_id)
            sums[nsums++] = (order_sum){ns.v[i].order_id, 0, 0, ns.v[i].released};
        order_sum *o = &sums[nsums - 1];
        long long got = 0;
        if (ns.v[i].product_id) { /* else unknown product: all of it is backorder */
            size_t from, to;
            product_slice(&cs, ns.v[i].product_id, &from, &to);
            e = reserve_line(s, &aw, cs.v + from, to - from, ns.v[i].line_id, ns.v[i].need, &got);
        }
        o->units += got;
        o->backorder += ns.v[i].need - got;
    }
    free(ns.v);
    free(cs.v);
    if (e == TOTE_ST_E_OK)
        e = writer_flush(s, &aw);
    if (e == TOTE_ST_E_OK)
        e = apply_new_allocations(s, w);
    if (e == TOTE_ST_E_OK) { /* released -> allocated: every order holding one of the run's allocations */
        sqlite3_stmt *st = tote_store_stmt(
            s, "UPDATE orders SET status = 'allocated', updated_at = ?2 WHERE status = 'released' AND id IN "
               "(SELECT ol.order_id FROM allocation a JOIN order_line ol ON ol.id = a.order_line_id WHERE "
               "a.id > ?1)");
        if (!st) {
            e = TOTE_ST_E_DB;
        } else {
            sqlite3_bind_int64(st, 1, w);
            sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
            e = step_done(st);
        }
    }
    for (size_t i = 0; e == TOTE_ST_E_OK && i < nsums; i++) {
        e = order_after_run(s, &sums[i], actor, now);
        if (sums[i].units > 0)
            got_orders++;
    }
    free(sums);
    products.n = 0;
    if (e == TOTE_ST_E_OK)
        e = collect_ids(s,
                        "SELECT DISTINCT st.product_id FROM allocation a JOIN stock st ON st.id = a.stock_id "
                        "WHERE a.id > ?1",
                        w, &products);
    if (e == TOTE_ST_E_OK)
        e = reorder_touched(s, &products, actor);
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
    tote_st_err e = tx_begin(s, &own);
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
        e = alloc_run(s, order_id, actor, NULL);
    if (e == TOTE_ST_E_OK)
        e = order_backorder(s, order_id, &backorder);
    e = tx_end(s, own, e);
    if (e == TOTE_ST_E_OK && fully)
        *fully = backorder == 0;
    return e;
}

tote_st_err tote_alloc_released(tote_store *s, const char *actor, long long *orders_allocated)
{
    int own;
    tote_st_err e = tx_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return e;
    long long n = 0;
    e = tx_end(s, own, alloc_run(s, 0, actor, &n));
    if (e == TOTE_ST_E_OK && orders_allocated)
        *orders_allocated = n;
    return e;
}

/* ---- short picks ---- */

typedef struct newalloc {
    long long alloc_id, stock_id, qty;
} newalloc;

typedef struct allocvec {
    newalloc *v;
    size_t n, cap;
} allocvec;

typedef struct walk_key {
    long long walk_seq;
    char code[128];
    char sku[128];
} walk_key;

static int walk_cmp(const walk_key *a, const walk_key *b)
{
    if (a->walk_seq != b->walk_seq)
        return a->walk_seq < b->walk_seq ? -1 : 1;
    int c = strcmp(a->code, b->code);
    return c ? c : strcmp(a->sku, b->sku);
}

static tote_st_err stock_walk_key(tote_store *s, long long stock_id, walk_key *k)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT l.walk_seq, l.code, p.sku FROM stock st "
                                          "JOIN location l ON l.id = st.location_id "
                                          "JOIN product p ON p.id = st.product_id WHERE st.id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, stock_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return TOTE_ST_E_NOT_FOUND;
    }
    k->walk_seq = sqlite3_column_int64(st, 0);
    snprintf(k->code, sizeof k->code, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(k->sku, sizeof k->sku, "%s", (const char *)sqlite3_column_text(st, 2));
    sqlite3_reset(st);
    return TOTE_ST_E_OK;
}

static int cmp_alloc_id(const void *a, const void *b)
{
    const newalloc *x = a, *y = b;
    return (x->alloc_id > y->alloc_id) - (x->alloc_id < y->alloc_id);
}

/* Puts one task into the list at seq pos, shifting later tasks up. */
static tote_st_err insert_task_at(tote_store *s, long long list_id, long long pos, const newalloc *a,
                                  long long line_id, const char *tote, long long *task_id)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE pick_task SET seq = seq + 1 WHERE pick_list_id = ?1 AND seq >= ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    sqlite3_bind_int64(st, 2, pos);
    tote_st_err e = step_done(st);
    if (e != TOTE_ST_E_OK)
        return e;
    st = tote_store_stmt(
        s, "INSERT INTO pick_task(pick_list_id, seq, allocation_id, order_line_id, stock_id, qty, "
           "tote) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    sqlite3_bind_int64(st, 2, pos);
    sqlite3_bind_int64(st, 3, a->alloc_id);
    sqlite3_bind_int64(st, 4, line_id);
    sqlite3_bind_int64(st, 5, a->stock_id);
    sqlite3_bind_int64(st, 6, a->qty);
    if (tote)
        sqlite3_bind_text(st, 7, tote, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 7);
    e = step_done(st);
    if (e == TOTE_ST_E_OK)
        *task_id = sqlite3_last_insert_rowid(tote_store_db(s));
    return e;
}

/* The seq a new task with key k takes among the tasks after cur_seq. */
static tote_st_err ahead_position(tote_store *s, long long list_id, long long cur_seq, const walk_key *k,
                                  long long *pos)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT COALESCE((SELECT MIN(t.seq) FROM pick_task t JOIN stock st ON st.id = t.stock_id "
           "JOIN location l ON l.id = st.location_id JOIN product p ON p.id = st.product_id "
           "WHERE t.pick_list_id = ?1 AND t.seq > ?2 AND (l.walk_seq, l.code, p.sku) > (?3, ?4, ?5)), "
           "(SELECT COALESCE(MAX(seq), 0) + 1 FROM pick_task WHERE pick_list_id = ?1))");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, list_id);
    sqlite3_bind_int64(st, 2, cur_seq);
    sqlite3_bind_int64(st, 3, k->walk_seq);
    sqlite3_bind_text(st, 4, k->code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, k->sku, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *pos = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}

typedef struct keyed_alloc {
    newalloc a;
    walk_key k;
} keyed_alloc;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed_alloc *x = a, *y = b;
    int c = walk_cmp(&x->k, &y->k);
    return c ? c : cmp_alloc_id(&x->a, &y->a);
}

/* The allocations above w, into made. */
static tote_st_err new_allocations(tote_store *s, long long w, allocvec *made)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id, stock_id, qty FROM allocation WHERE id > ?1 ORDER BY id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, w);
    int rc;
    tote_st_err e = TOTE_ST_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (made->n == made->cap) {
            size_t cap = made->cap ? made->cap * 2 : 8;
            newalloc *v = realloc(made->v, cap * sizeof *v);
            if (!v) {
                e = TOTE_ST_E_NOMEM;
                break;
            }
            made->v = v;
            made->cap = cap;
        }
        made->v[made->n++] =
            (newalloc){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2)};
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = TOTE_ST_E_DB;
    sqlite3_reset(st);
    return e;
}

/* 1 in *closed when the line's pick task (the one on exclude_stock, else its
 * newest) is on a list that is done or cancelled: nobody would pick more. */
static tote_st_err line_list_closed(tote_store *s, long long line_id, long long exclude_stock, int *closed)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT t.pick_list_id, t.seq, t.stock_id, t.tote, pl.status "
                           "FROM pick_task t JOIN pick_list pl ON pl.id = t.pick_list_id "
                           "WHERE t.order_line_id = ?1 ORDER BY (t.stock_id = ?2) DESC, t.id DESC "
                           "LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, line_id);
    sqlite3_bind_int64(st, 2, exclude_stock);
    int rc = sqlite3_step(st);
    *closed = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 4), "open") != 0 &&
              strcmp((const char *)sqlite3_column_text(st, 4), "leased") != 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}

/* Adds tasks for the new allocations to the list of the line's short task. */
static tote_st_err place_tasks(tote_store *s, long long line_id, long long exclude_stock,
                               const allocvec *made, long long *first_task)
{
    *first_task = 0;
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT t.pick_list_id, t.seq, t.stock_id, t.tote, pl.status "
                           "FROM pick_task t JOIN pick_list pl ON pl.id = t.pick_list_id "
                           "WHERE t.order_line_id = ?1 ORDER BY (t.stock_id = ?2) DESC, t.id DESC "
                           "LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, line_id);
    sqlite3_bind_int64(st, 2, exclude_stock);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return TOTE_ST_E_OK; /* not in a list yet: the next wave takes it */
    }
    long long list_id = sqlite3_column_int64(st, 0);
    long long cur_seq = sqlite3_column_int64(st, 1);
    long long cur_stock = sqlite3_column_int64(st, 2);
    char tote[128];
    int has_tote = sqlite3_column_type(st, 3) != SQLITE_NULL;
    snprintf(tote, sizeof tote, "%s", has_tote ? (const char *)sqlite3_column_text(st, 3) : "");
    int open = strcmp((const char *)sqlite3_column_text(st, 4), "open") == 0 ||
               strcmp((const char *)sqlite3_column_text(st, 4), "leased") == 0;
    sqlite3_reset(st);
    if (!open)
        return TOTE_ST_E_OK;

    walk_key cur;
    tote_st_err e = stock_walk_key(s, cur_stock, &cur);
    if (e != TOTE_ST_E_OK)
        return e;
    keyed_alloc *ka = calloc(made->n, sizeof *ka);
    if (!ka)
        return TOTE_ST_E_NOMEM;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < made->n; i++) {
        ka[i].a = made->v[i];
        e = stock_walk_key(s, made->v[i].stock_id, &ka[i].k);
    }
    if (e == TOTE_ST_E_OK)
        qsort(ka, made->n, sizeof *ka, cmp_keyed);
    long long behind = 0;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < made->n; i++) {
        long long pos;
        if (walk_cmp(&ka[i].k, &cur) < 0)
            pos = cur_seq + 1 + behind++;
        else
            e = ahead_position(s, list_id, cur_seq, &ka[i].k, &pos);
        long long task_id = 0;
        if (e == TOTE_ST_E_OK)
            e = insert_task_at(s, list_id, pos, &ka[i].a, line_id, has_tote ? tote : NULL, &task_id);
        /* sorted by walk: the first behind task, else the first ahead one, comes first */
        if (e == TOTE_ST_E_OK && i == 0)
            *first_task = task_id;
    }
    free(ka);
    return e;
}

tote_st_err tote_alloc_reallocate(tote_store *s, long long order_line_id, long long qty,
                                  long long exclude_stock_id, const char *actor, const char *device,
                                  long long *allocated, long long *new_task_id)
{
    if (qty <= 0)
        return TOTE_ST_E_INVALID;
    int own;
    tote_st_err e = tx_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return e;
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT ol.product_id, ol.requires_shipping, "
                           "ol.ordered - ol.allocated - ol.short, o.name "
                           "FROM order_line ol JOIN orders o ON o.id = ol.order_id WHERE ol.id = ?1");
    long long product_id = 0, backorder = 0, got = 0, task = 0;
    char name[128] = "";
    if (!st) {
        e = TOTE_ST_E_DB;
    } else {
        sqlite3_bind_int64(st, 1, order_line_id);
        if (sqlite3_step(st) != SQLITE_ROW) {
            e = TOTE_ST_E_NOT_FOUND;
        } else if (sqlite3_column_type(st, 0) == SQLITE_NULL || sqlite3_column_int(st, 1) == 0) {
            e = TOTE_ST_E_INVALID;
        } else {
            product_id = sqlite3_column_int64(st, 0);
            backorder = sqlite3_column_int64(st, 2);
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 3));
        }
        sqlite3_reset(st);
    }
    allocvec made = {0};
    int closed = 0;
    if (e == TOTE_ST_E_OK && backorder > 0)
        e = line_list_closed(s, order_line_id, exclude_stock_id, &closed);
    if (e == TOTE_ST_E_OK && backorder > 0 && !closed) {
        char day[11];
        today(day);
        long long w = 0;
        candset cs = {0};
        e = alloc_watermark(s, &w);
        if (e == TOTE_ST_E_OK)
            e = load_cands(s, day, product_id, exclude_stock_id, &cs);
        if (e == TOTE_ST_E_OK) {
            alloc_writer aw = {.n = 0};
            e = reserve_line(s, &aw, cs.v, cs.n, order_line_id, qty < backorder ? qty : backorder, &got);
            if (e == TOTE_ST_E_OK)
                e = writer_flush(s, &aw);
        }
        free(cs.v);
        if (e == TOTE_ST_E_OK)
            e = apply_new_allocations(s, w);
        if (e == TOTE_ST_E_OK)
            e = new_allocations(s, w, &made);
    }
    if (e == TOTE_ST_E_OK && made.n > 0)
        e = place_tasks(s, order_line_id, exclude_stock_id, &made, &task);
    free(made.v);
    if (e == TOTE_ST_E_OK) {
        char detail[200];
        snprintf(detail, sizeof detail,
                 "{\"order_line_id\":%lld,\"requested\":%lld,\"allocated\":%lld,\"excluded_stock_id\":%lld,"
                 "\"task_id\":%lld}",
                 order_line_id, qty, got, exclude_stock_id, task);
        e = order_event(s, actor, device, "allocation.reallocated", name, detail);
    }
    if (e == TOTE_ST_E_OK && got > 0)
        e = tote_reorder_check(s, product_id, actor);
    e = tx_end(s, own, e);
    if (e == TOTE_ST_E_OK) {
        if (allocated)
            *allocated = got;
        if (new_task_id)
            *new_task_id = task;
    }
    return e;
}

/* ---- giving stock back ---- */

static tote_st_err close_empty_lists(tote_store *s, const idvec *lists, const char *now)
{
    idvec waves = {0};
    tote_st_err e = TOTE_ST_E_OK;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < lists->n; i++) {
        sqlite3_stmt *st = tote_store_stmt(
            s, "UPDATE pick_list SET status = CASE WHEN EXISTS (SELECT 1 FROM pick_task t WHERE "
               "t.pick_list_id = ?1 AND t.done > 0) THEN 'done' ELSE 'cancelled' END, done_at = ?2 "
               "WHERE id = ?1 AND status IN ('open', 'leased') AND NOT EXISTS (SELECT 1 FROM pick_task t "
               "WHERE t.pick_list_id = ?1 AND t.status = 'open')");
        if (!st) {
            e = TOTE_ST_E_DB;
            break;
        }
        sqlite3_bind_int64(st, 1, lists->v[i]);
        sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
        e = step_done(st);
        if (e == TOTE_ST_E_OK)
            e = collect_ids(s, "SELECT wave_id FROM pick_list WHERE id = ?1", lists->v[i], &waves);
    }
    idvec_uniq(&waves);
    for (size_t i = 0; e == TOTE_ST_E_OK && i < waves.n; i++)
        e = run_with_id(s,
                        "UPDATE wave SET status = CASE WHEN EXISTS (SELECT 1 FROM pick_list pl WHERE "
                        "pl.wave_id = ?1 AND pl.status = 'done') THEN 'done' ELSE 'cancelled' END "
                        "WHERE id = ?1 AND status IN ('open', 'picking') AND NOT EXISTS (SELECT 1 FROM "
                        "pick_list pl WHERE pl.wave_id = ?1 AND pl.status IN ('open', 'leased'))",
                        waves.v[i]);
    idvec_free(&waves);
    return e;
}

tote_st_err tote_alloc_release_order(tote_store *s, long long order_id, const char *actor)
{
    int own;
    tote_st_err e = tx_begin(s, &own);
    if (e != TOTE_ST_E_OK)
        return e;
    char now[32];
    tote_store_now(now);
    char name[128] = "", status[16] = "";
    long long units = 0, picked = 0;
    idvec products = {0}, lists = {0};

    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.name, o.status, (SELECT COALESCE(SUM(a.qty - a.picked), 0) FROM allocation a "
           "JOIN order_line ol ON ol.id = a.order_line_id WHERE ol.order_id = o.id AND a.status = 'open'), "
           "(SELECT COALESCE(SUM(ol.picked), 0) FROM order_line ol WHERE ol.order_id = o.id) "
           "FROM orders o WHERE o.id = ?1");
    if (!st) {
        e = TOTE_ST_E_DB;
    } else {
        sqlite3_bind_int64(st, 1, order_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
            snprintf(status, sizeof status, "%s", (const char *)sqlite3_column_text(st, 1));
            units = sqlite3_column_int64(st, 2);
            picked = sqlite3_column_int64(st, 3);
        } else {
            e = TOTE_ST_E_NOT_FOUND;
        }
        sqlite3_reset(st);
    }
    if (e == TOTE_ST_E_OK)
        e = collect_ids(
            s,
            "SELECT DISTINCT st.product_id FROM allocation a JOIN order_line ol ON ol.id = a.order_line_id "
            "JOIN stock st ON st.id = a.stock_id WHERE ol.order_id = ?1 AND a.status = 'open'",
            order_id, &products);
    if (e == TOTE_ST_E_OK)
        e = collect_ids(
            s,
            "SELECT DISTINCT t.pick_list_id FROM pick_task t JOIN order_line ol ON ol.id = t.order_line_id "
            "WHERE ol.order_id = ?1 AND t.status = 'open'",
            order_id, &lists);
    if (e == TOTE_ST_E_OK)
        e = run_with_id(
            s,
            "UPDATE stock SET reserved = reserved - (SELECT SUM(a.qty - a.picked) FROM allocation a "
            "JOIN order_line ol ON ol.id = a.order_line_id WHERE a.stock_id = stock.id "
            "AND a.status = 'open' AND ol.order_id = ?1) WHERE id IN (SELECT a.stock_id FROM allocation a "
            "JOIN order_line ol ON ol.id = a.order_line_id WHERE ol.order_id = ?1 AND a.status = 'open')",
            order_id);
    if (e == TOTE_ST_E_OK)
        e = run_with_id(
            s,
            "UPDATE allocation SET qty = CASE WHEN picked > 0 THEN picked ELSE qty END, "
            "status = CASE WHEN picked > 0 THEN 'done' ELSE 'cancelled' END "
            "WHERE status = 'open' AND order_line_id IN (SELECT id FROM order_line WHERE order_id = ?1)",
            order_id);
    if (e == TOTE_ST_E_OK)
        e = run_with_id(
            s,
            "UPDATE order_line SET allocated = (SELECT COALESCE(SUM(a.qty), 0) FROM allocation a "
            "WHERE a.order_line_id = order_line.id AND a.status <> 'cancelled') WHERE order_id = ?1",
            order_id);
    if (e == TOTE_ST_E_OK)
        e = run_with_id(
            s,
            "UPDATE pick_task SET qty = CASE WHEN done > 0 THEN done + short ELSE qty END, "
            "status = CASE WHEN done > 0 THEN 'done' ELSE 'cancelled' END "
            "WHERE status = 'open' AND order_line_id IN (SELECT id FROM order_line WHERE order_id = ?1)",
            order_id);
    if (e == TOTE_ST_E_OK)
        e = close_empty_lists(s, &lists, now);
    if (e == TOTE_ST_E_OK) {
        st = tote_store_stmt(
            s, "UPDATE orders SET status = CASE WHEN status = 'allocated' THEN 'released' "
               "ELSE status END, tote = CASE WHEN ?2 = 0 THEN NULL ELSE tote END, updated_at = ?3 "
               "WHERE id = ?1");
        if (!st) {
            e = TOTE_ST_E_DB;
        } else {
            sqlite3_bind_int64(st, 1, order_id);
            sqlite3_bind_int64(st, 2, picked);
            sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
            e = step_done(st);
        }
    }
    if (e == TOTE_ST_E_OK) {
        char detail[160];
        snprintf(detail, sizeof detail, "{\"units\":%lld,\"from\":\"%s\",\"pick_lists\":%zu}", units, status,
                 lists.n);
        e = order_event(s, actor, NULL, "allocation.released", name, detail);
    }
    if (e == TOTE_ST_E_OK)
        e = reorder_touched(s, &products, actor);
    idvec_free(&products);
    idvec_free(&lists);
    return tx_end(s, own, e);
}

/* ---- backorder and checks ---- */

tote_st_err tote_alloc_line_backorder(tote_store *s, long long order_line_id, long long *backorder)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT CASE WHEN requires_shipping = 1 AND ordered - allocated - short > 0 "
                           "THEN ordered - allocated - short ELSE 0 END FROM order_line WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_line_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && backorder)
        *backorder = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : TOTE_ST_E_DB;
}

tote_st_err tote_alloc_backorders_json(tote_store *s, cJSON **out, long long *units)
{
    *out = NULL;
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT o.name, o.id, o.status, ol.id, ol.line_no, ol.sku, ol.ordered, ol.allocated, ol.picked, "
           "ol.short, ol.ordered - ol.allocated - ol.short FROM orders o JOIN order_line ol ON ol.order_id = "
           "o.id "
           "WHERE o.status IN ('released', 'allocated', 'picking', 'picked', 'packing') "
           "AND ol.requires_shipping = 1 AND ol.ordered - ol.allocated - ol.short > 0 "
           "ORDER BY " ORDER_PRIORITY ", ol.line_no");
    if (!st)
        return TOTE_ST_E_DB;
    cJSON *arr = cJSON_CreateArray();
    if (!arr) {
        sqlite3_reset(st);
        return TOTE_ST_E_NOMEM;
    }
    long long sum = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "order", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddNumberToObject(o, "order_id", (double)sqlite3_column_int64(st, 1));
        cJSON_AddStringToObject(o, "status", (const char *)sqlite3_column_text(st, 2));
        cJSON_AddNumberToObject(o, "line_id", (double)sqlite3_column_int64(st, 3));
        cJSON_AddNumberToObject(o, "line_no", (double)sqlite3_column_int64(st, 4));
        cJSON_AddStringToObject(o, "sku", (const char *)sqlite3_column_text(st, 5));
        static const char *const nums[] = {"ordered", "allocated", "picked", "short", "backorder"};
        for (int i = 0; i < 5; i++)
            cJSON_AddNumberToObject(o, nums[i], (double)sqlite3_column_int64(st, 6 + i));
        sum += sqlite3_column_int64(st, 10);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return rc == SQLITE_ROW ? TOTE_ST_E_NOMEM : TOTE_ST_E_DB;
    }
    *out = arr;
    if (units)
        *units = sum;
    return TOTE_ST_E_OK;
}

tote_st_err tote_alloc_verify(tote_store *s, long long *bad)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT (SELECT COUNT(*) FROM stock st WHERE st.reserved <> (SELECT COALESCE(SUM(a.qty - "
           "a.picked), 0) "
           "FROM allocation a WHERE a.stock_id = st.id AND a.status = 'open')) + "
           "(SELECT COUNT(*) FROM order_line ol WHERE ol.allocated <> (SELECT COALESCE(SUM(a.qty), 0) "
           "FROM allocation a WHERE a.order_line_id = ol.id AND a.status <> 'cancelled'))");
    if (!st)
        return TOTE_ST_E_DB;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && bad)
        *bad = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}
