/*
 * Allocation's internals, shared by its three files: store_alloc.c
 * (choosing bins, allocating orders), store_short.c (a short pick's
 * reallocation) and store_release.c (giving stock back, backorders and the
 * reservation check). Not a public interface: tote/alloc.h is.
 */
#ifndef TOTE_STORE_ALLOC_INT_H
#define TOTE_STORE_ALLOC_INT_H

#include <stddef.h>

#include "store_tx.h"

/* A growable array of ids (free with idvec_free). */
typedef struct idvec {
    long long *v;
    size_t n, cap;
} idvec;

/* Appends x; -1 when out of memory. */
int idvec_push(idvec *iv, long long x);
void idvec_free(idvec *iv);
/* Sorts and removes duplicates. */
void idvec_uniq(idvec *iv);

/* Today's UTC date "YYYY-MM-DD" from the store's clock ($TOTE_NOW). */
void alloc_today(char out[11]);
/* Runs sql (a write) with ?1 = id. */
tote_st_err alloc_run_with_id(tote_store *s, const char *sql, long long id);
/* Appends to out the first column of every row of sql run with ?1 = id. */
tote_st_err alloc_collect_ids(tote_store *s, const char *sql, long long id, idvec *out);
/* The reorder check (tote/reorder.h) of each product id in touched (sorted
 * and deduplicated first). */
tote_st_err alloc_reorder_touched(tote_store *s, idvec *touched, const char *actor);

/* A stock row a line may be allocated from, and its units available. */
typedef struct cand {
    long long stock_id, product_id, avail;
    char expiry[11]; /* "" = none */
} cand;

typedef struct candset {
    cand *v;
    size_t n, cap;
} candset;

/* Every available, unexpired stock row on day (product_id 0: of every
 * product, else of that one; never stock row exclude), sorted by product,
 * then expiry (dated first, earliest first), then walk order. */
tote_st_err alloc_load_cands(tote_store *s, const char *day, long long product_id, long long exclude,
                             candset *cs);

/* An allocation chosen but not yet written. */
typedef struct pend {
    long long line_id, stock_id, qty;
    size_t at;      /* order of choice */
    long long id;   /* the allocation's id, once written */
    long long rank; /* the order's place in an allocation run (else 0) */
    int full;       /* the line's allocated reaches ordered - short with it */
} pend;

typedef struct pendset {
    pend *v;
    size_t n, cap;
    int ids_known; /* alloc_write_pending: every v[].id is the row's id */
} pendset;

/* Writes the chosen allocations (sorted by line, then order of choice; their
 * ids into ps.v[].id, ids_known set when they are sure) and raises
 * order_line.allocated and stock.reserved by the same amounts. Leaves ps
 * sorted by stock. */
tote_st_err alloc_write_pending(tote_store *s, pendset *ps);
/* Chooses bins for need units of line_id from c[0..n) (one product, in
 * expiry-then-walk order) by the rule of tote/alloc.h; queues the
 * allocations on ps, lowers c[].avail, adds what it found to *got. */
tote_st_err alloc_reserve_line(pendset *ps, cand *c, size_t n, long long line_id, long long need,
                               long long *got);
/* The highest allocation id so far (0: none). */
tote_st_err alloc_watermark(tote_store *s, long long *w);
/* An audit event of kind about the order named order_name. */
tote_st_err alloc_order_event(tote_store *s, const char *actor, const char *device, const char *kind,
                              const char *order_name, const char *detail);

#endif
