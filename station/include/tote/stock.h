/*
 * Locations and the stock ledger (station/src/store_stock.c; the listings
 * and the check in store_stock_list.c).
 *
 * Invariants kept by every function here (station/README.md):
 *   stock.on_hand  = SUM(stock_move.qty) of the row, always;
 *   stock.reserved = SUM(allocation.qty - allocation.picked) over its open allocations;
 *   order_line.allocated = SUM(allocation.qty) over its non-cancelled allocations.
 * Writers run inside the caller's transaction if one is open (as a savepoint,
 * undone on error), else in their own BEGIN IMMEDIATE transaction, and write
 * an audit event. On an error, tote_st_detail() (catalog.h) says why in one
 * sentence.
 */
#ifndef TOTE_STOCK_H
#define TOTE_STOCK_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "tote/catalog.h"
#include "tote/store.h"

/*
 * Natural order of location codes: digit runs compare as numbers, the rest
 * byte by byte ignoring ASCII case ("A-2" < "A-10" < "B-1"). Ties by strcmp.
 */
int tote_location_natural_cmp(const char *a, const char *b);

/*
 * Returns the id of location `code`, creating it (kind 'bin') if missing. An
 * existing location is returned as it is (zone and walk_seq unchanged).
 * zone may be NULL. walk_seq >= 0 is used as given; walk_seq < 0 derives it
 * from the code's natural order among existing locations (e.g. A-2 before
 * A-10), spaced 1000 apart so later inserts fit between (when a gap is used
 * up, the locations after it are shifted up, keeping their order).
 * Code: 1..64 printable bytes without spaces at either end -> else INVALID.
 * A location created writes the audit event location.created with actor
 * (may be NULL).
 */
tote_st_err tote_location_ensure(tote_store *s, const char *code, const char *zone, long long walk_seq,
                                 const char *actor, long long *location_id);

/* As tote_location_ensure but an existing code is EXISTS, and kind is one of
 * "bin", "quarantine", "dock" (NULL = "bin"). */
tote_st_err tote_location_add(tote_store *s, const char *code, const char *zone, long long walk_seq,
                              const char *kind, const char *actor, long long *location_id);

/* Location id by exact code; NOT_FOUND if none. */
tote_st_err tote_location_find(tote_store *s, const char *code, long long *location_id);

/* Stock row id for (product, location, lot); lot NULL = ""; NOT_FOUND if none. */
tote_st_err tote_stock_find(tote_store *s, long long product_id, long long location_id, const char *lot,
                            long long *stock_id);

/*
 * Returns the stock row for (product, location, lot), creating an empty one
 * (on_hand 0, no move) if missing; for an adjustment or count that finds
 * stock where none was recorded. lot NULL = ""; a lot-tracked product needs
 * a lot (INVALID); expiry as tote_stock_receive (used only when creating).
 * Unknown product or location -> NOT_FOUND.
 */
tote_st_err tote_stock_ensure(tote_store *s, long long product_id, long long location_id, const char *lot,
                              const char *expiry, long long *stock_id);

/*
 * Receipt (+qty, qty >= 1) into (location, product, lot) with a stock_move
 * row (kind 'receipt'), creating the stock row if needed. lot NULL = "";
 * a lot-tracked product needs a non-empty lot. expiry "YYYY-MM-DD" (a real
 * date) or NULL/""; if the row already has a different expiry -> INVALID.
 * Unknown product or location -> NOT_FOUND.
 */
tote_st_err tote_stock_receive(tote_store *s, long long product_id, long long location_id, long long qty,
                               const char *lot, const char *expiry, const char *actor, const char *reason);

/*
 * Changes on_hand of stock row stock_id by delta with a stock_move of kind
 * "adjustment" (delta != 0, reason required), "count" (a recount; delta 0
 * writes only an event) or "shortage" (delta < 0). on_hand may not go below
 * 0 (INVALID); an "adjustment" that lowers it may not take it below reserved
 * either (INVALID: the units are promised to orders). A count or shortage
 * may (available turns negative; the short-pick flow re-plans the orders).
 * An increase is always taken.
 * Unknown stock row -> NOT_FOUND.
 */
tote_st_err tote_stock_adjust(tote_store *s, long long stock_id, long long delta, const char *kind,
                              const char *actor, const char *device, const char *reason);

/*
 * Moves qty (>= 1, at most the row's available = on_hand - reserved, else
 * STATE) from stock row stock_id to the same product and lot (and expiry) at
 * to_location_id: two stock_move rows of kind 'transfer' (−qty, +qty).
 * Same location -> INVALID.
 */
tote_st_err tote_stock_transfer(tote_store *s, long long stock_id, long long to_location_id, long long qty,
                                const char *actor, const char *reason);

/*
 * Verifies on_hand == SUM(moves) and reserved == SUM(open allocations) for
 * every stock row, and order_line.allocated == SUM(non-cancelled
 * allocations) for every order line. *bad = number of rows that do not
 * balance; details go to report (may be NULL), one line each.
 */
tote_st_err tote_stock_check(tote_store *s, long long *bad, FILE *report);

/*
 * Reserves qty (>= 1) of stock row stock_id for order line order_line_id:
 * one open allocation row, stock.reserved += qty, order_line.allocated +=
 * qty. Refused (STATE) when the row's available stock is short or its lot
 * has expired (expiry before today), or the line is not shippable or its
 * product differs from the stock row's (INVALID). This is the ledger
 * primitive an allocator uses; *allocation_id may be NULL.
 */
tote_st_err tote_stock_reserve(tote_store *s, long long stock_id, long long order_line_id, long long qty,
                               long long *allocation_id);

/*
 * Listings as JSON (the CLI prints them, the console can use them). *out is
 * owned by the caller (cJSON_Delete). A filter naming an unknown SKU or bin
 * -> NOT_FOUND (with a detail sentence); NULL filters list everything.
 */

/* [{"code","zone","walk_seq","kind","stock_rows","on_hand"}] in walking order. */
tote_st_err tote_location_list_json(tote_store *s, cJSON **out);

/* [{"stock_id","sku","name","location","zone","walk_seq","lot","expiry","expired","on_hand","reserved",
 *   "available"}] in walking order, then sku and lot. expired: expiry before today. */
tote_st_err tote_stock_list_json(tote_store *s, const char *sku, const char *bin, cJSON **out);

/* The ledger, oldest first: [{"id","at","kind","qty","sku","location","lot","order","line_no","actor",
 *   "device","reason"}] ("order" and "line_no" null unless the move is for an order line). */
tote_st_err tote_stock_moves_json(tote_store *s, const char *sku, cJSON **out);

/* As tote_stock_check, as JSON: *out = [{"type":"stock","stock_id","sku","location","lot","on_hand",
 *   "moves","reserved","open_allocations"} | {"type":"order_line","order","line_no","sku","allocated",
 *   "allocations"}], one per row that does not balance. */
tote_st_err tote_stock_check_json(tote_store *s, long long *bad, cJSON **out);

#endif
