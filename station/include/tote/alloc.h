/*
 * Allocation: stock reserved per bin for the shipping lines of released
 * orders (station/README.md, "Invariants").
 *
 * Which stock a line gets, in this order:
 *  1. only stock in locations of kind 'bin' (never 'quarantine' or 'dock'),
 *     never an expired lot (stock.expiry before today's UTC date, the date of
 *     tote_store_now(), so $TOTE_NOW moves it in tests), only what is
 *     available (on_hand - reserved > 0);
 *  2. earliest expiry first (FEFO); rows with an expiry come before rows
 *     without one. Lot-tracked items carry expiries, so this is FEFO for them
 *     and has no effect on items whose stock has no dates;
 *  3. within the same expiry: a bin that can fill the whole remaining need on
 *     its own, the first such bin in walking order (location.walk_seq, then
 *     code) - one pick instead of several;
 *  4. otherwise fullest bin first (most available), then walking order: the
 *     fewest bins to visit.
 * A line takes what there is; what is missing is its backorder:
 *     backorder = ordered - allocated - short
 * for a line with requires_shipping = 1 (lines with requires_shipping = 0
 * are never allocated and never backordered). A line whose product is
 * unknown (product_id NULL) cannot be allocated: all of it is backorder.
 *
 * Order states: an order goes released -> allocated as soon as at least one
 * of its lines holds an allocation. It is *fully* allocated when no line is
 * left with a backorder, *partially* allocated otherwise (it is waved and
 * picked with what there is; the backorder stays visible). An order none of
 * whose lines could get any stock stays 'released' and gets an event
 * 'backorder' (once: not again while its newest event is already one).
 * An 'allocated' order that is not yet in a wave (orders.tote IS NULL) is
 * topped up by the next allocation run when stock has arrived.
 *
 * Invariants kept by every function here, in the same transaction:
 *   stock.reserved      = SUM(qty - picked) of that row's 'open' allocations
 *   order_line.allocated = SUM(qty) of that line's non-'cancelled' allocations
 * Short picks: the caller (pick flow) closes the short allocation first -
 * allocation.qty := picked (status 'short'; or status 'cancelled' when
 * nothing was picked), lowering order_line.allocated and stock.reserved by
 * the same amount - and then asks tote_alloc_reallocate() for the rest.
 *
 * Transactions: every function runs in one transaction. Called outside a
 * transaction it opens its own (BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on
 * error); called inside the caller's transaction it joins it, so the
 * caller's effect and the allocation are one atomic unit. Bad input (unknown
 * id, wrong state, bad qty) is refused before anything is written; after any
 * other error inside the caller's transaction, the caller must roll back.
 * (No savepoints: inside one SQLite journals every page of every statement
 * again, which made a 100,000-line run several times slower.)
 * Events (`event` rows) are written with actor (may be NULL).
 */
#ifndef TOTE_ALLOC_H
#define TOTE_ALLOC_H

#include <cjson/cJSON.h>

#include "tote/store.h"

/*
 * Allocates the order's shipping lines that still have a backorder. The
 * order must be 'released', or 'allocated' and not yet in a wave (tote
 * NULL): else TOTE_ST_E_STATE. Unknown id: TOTE_ST_E_NOT_FOUND.
 * *fully (may be NULL) is 1 when no backorder is left, else 0.
 * Checks the reorder point of every product it reserved.
 */
tote_st_err tote_alloc_order(tote_store *s, long long order_id, const char *actor, int *fully);

/*
 * Allocates every 'released' order, and tops up 'allocated' orders not yet
 * in a wave that still have a backorder, in priority order: rush or
 * in-store pickup first, then higher orders.priority, then earliest ship_by
 * (none last), then earliest ordered_at, then id. One transaction.
 * *orders_allocated (may be NULL): orders that got at least one unit now.
 */
tote_st_err tote_alloc_released(tote_store *s, const char *actor, long long *orders_allocated);

/*
 * Short pick: reserves up to qty more units for the order line from bins
 * other than exclude_stock_id (0: none excluded), by the rule above, never
 * more than the line's backorder (ordered - allocated - short). When the
 * line's pick task (the one on exclude_stock_id, else its newest) belongs to
 * a pick list that is 'open' or 'leased', one new pick_task per new
 * allocation is put into THAT list, with the order's tote, at its walking
 * position among the tasks after the short task: a bin further along the
 * walk goes before the first later task whose (walk_seq, location code, sku)
 * is greater; a bin behind the picker (walk before the short task's bin)
 * goes right after the short task, so the picker fetches it next. Later
 * tasks' seq are shifted up to make room.
 * When that list is already 'done' or 'cancelled' nothing is reserved
 * (nobody would pick it; the units stay backorder). When the line has no
 * pick task yet (its order is not waved), the units are reserved and the
 * next wave makes the tasks.
 * *allocated (may be NULL): units found (0..qty). *new_task_id (may be
 * NULL): the new task the picker reaches first, 0 if none was made.
 * qty <= 0: TOTE_ST_E_INVALID; unknown line: NOT_FOUND; a line that does
 * not ship: TOTE_ST_E_INVALID. Event 'allocation.reallocated' (also when
 * nothing was found). device may be NULL.
 */
tote_st_err tote_alloc_reallocate(tote_store *s, long long order_line_id, long long qty,
                                  long long exclude_stock_id, const char *actor, const char *device,
                                  long long *allocated, long long *new_task_id);

/*
 * Gives back everything the order holds (for cancel and hold): each open
 * allocation is closed - 'cancelled' when nothing of it was picked, else
 * 'done' with qty := picked - and stock.reserved drops by qty - picked;
 * order_line.allocated follows. Open pick tasks of the order are
 * 'cancelled' (or 'done' with qty := done + short when partly picked); a
 * pick list left with no open task is closed ('done', or 'cancelled' when
 * nothing on it was picked). An 'allocated' order returns to 'released' and
 * loses its tote if nothing of it was picked; other states are left for
 * the caller to set (cancel: 'cancelled', hold: 'on_hold'). Event
 * 'allocation.released'. Unknown id: NOT_FOUND. An order with nothing
 * allocated is fine (no-op apart from the state rules).
 */
tote_st_err tote_alloc_release_order(tote_store *s, long long order_id, const char *actor);

/* Backorder of one line (ordered - allocated - short, 0 for lines that do
 * not ship). Unknown line: NOT_FOUND. */
tote_st_err tote_alloc_line_backorder(tote_store *s, long long order_line_id, long long *backorder);

/*
 * Every line with a backorder in orders that are not finished (status
 * released, allocated, picking, picked or packing; not on_hold), as a new cJSON
 * array of {"order","order_id","status","line_id","line_no","sku","ordered",
 * "allocated","picked","short","backorder"}, in priority order. *out is the
 * caller's (cJSON_Delete). *units (may be NULL): sum of backorder.
 */
tote_st_err tote_alloc_backorders_json(tote_store *s, cJSON **out, long long *units);

/*
 * Verifies the two allocation invariants over the whole database.
 * *bad receives the number of stock rows plus order lines that break them
 * (0 = all good).
 */
tote_st_err tote_alloc_verify(tote_store *s, long long *bad);

#endif
