/*
 * A short pick's reallocation: the units a picker could not find are
 * allocated again from other bins (tote/alloc.h, tote_alloc_reallocate), and
 * the new tasks are placed ahead in the picker's walk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_alloc_int.h"
#include "tote/alloc.h"
#include "tote/reorder.h"

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
    store_col_text(st, 1, k->code, sizeof k->code);
    store_col_text(st, 2, k->sku, sizeof k->sku);
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
    tote_st_err e = store_exec(st);
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
    e = store_exec(st);
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

/* The pick task a short pick's new tasks join: the line's task on
 * exclude_stock, else its newest; found 0 when the line has none yet. */
typedef struct short_task {
    int found, open; /* open: its list is open or leased */
    long long list_id, seq, stock_id;
    int has_tote;
    char tote[128];
} short_task;

static tote_st_err find_short_task(tote_store *s, long long line_id, long long exclude_stock, short_task *t)
{
    memset(t, 0, sizeof *t);
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
    if (rc == SQLITE_ROW) {
        t->found = 1;
        t->list_id = sqlite3_column_int64(st, 0);
        t->seq = sqlite3_column_int64(st, 1);
        t->stock_id = sqlite3_column_int64(st, 2);
        t->has_tote = sqlite3_column_type(st, 3) != SQLITE_NULL;
        store_col_text(st, 3, t->tote, sizeof t->tote); /* NULL: "" */
        const char *status = (const char *)sqlite3_column_text(st, 4);
        t->open = strcmp(status, "open") == 0 || strcmp(status, "leased") == 0;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TOTE_ST_E_OK : TOTE_ST_E_DB;
}

/* Adds tasks for the new allocations to the list of the line's short task
 * t (nothing when the line is in no list yet: the next wave takes it). */
static tote_st_err place_tasks(tote_store *s, long long line_id, const short_task *t, const allocvec *made,
                               long long *first_task)
{
    *first_task = 0;
    if (!t->found || !t->open)
        return TOTE_ST_E_OK;
    long long list_id = t->list_id;
    long long cur_seq = t->seq;

    walk_key cur;
    tote_st_err e = stock_walk_key(s, t->stock_id, &cur);
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
            e = insert_task_at(s, list_id, pos, &ka[i].a, line_id, t->has_tote ? t->tote : NULL, &task_id);
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
    tote_st_err e = store_own_begin(s, &own);
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
            store_col_text(st, 3, name, sizeof name);
        }
        sqlite3_reset(st);
    }
    allocvec made = {0};
    short_task cur = {0};
    if (e == TOTE_ST_E_OK && backorder > 0)
        e = find_short_task(s, order_line_id, exclude_stock_id, &cur);
    /* a task on a list that is done or cancelled: nobody would pick more */
    if (e == TOTE_ST_E_OK && backorder > 0 && !(cur.found && !cur.open)) {
        char day[11];
        alloc_today(day);
        long long w = 0;
        candset cs = {0};
        e = alloc_watermark(s, &w);
        if (e == TOTE_ST_E_OK)
            e = alloc_load_cands(s, day, product_id, exclude_stock_id, &cs);
        if (e == TOTE_ST_E_OK) {
            pendset ps = {0};
            e = alloc_reserve_line(&ps, cs.v, cs.n, order_line_id, qty < backorder ? qty : backorder, &got);
            if (e == TOTE_ST_E_OK)
                e = alloc_write_pending(s, &ps);
            free(ps.v);
        }
        free(cs.v);
        if (e == TOTE_ST_E_OK)
            e = new_allocations(s, w, &made);
    }
    if (e == TOTE_ST_E_OK && made.n > 0)
        e = place_tasks(s, order_line_id, &cur, &made, &task);
    free(made.v);
    if (e == TOTE_ST_E_OK) {
        char detail[200];
        snprintf(detail, sizeof detail,
                 "{\"order_line_id\":%lld,\"requested\":%lld,\"allocated\":%lld,\"excluded_stock_id\":%lld,"
                 "\"task_id\":%lld}",
                 order_line_id, qty, got, exclude_stock_id, task);
        e = alloc_order_event(s, actor, device, "allocation.reallocated", name, detail);
    }
    if (e == TOTE_ST_E_OK && got > 0)
        e = tote_reorder_check(s, product_id, actor);
    e = store_own_end(s, own, e);
    if (e == TOTE_ST_E_OK) {
        if (allocated)
            *allocated = got;
        if (new_task_id)
            *new_task_id = task;
    }
    return e;
}
