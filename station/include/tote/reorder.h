/*
 * Reorder: what to buy. A product with a reorder point (product.reorder_point
 * NOT NULL) is due when its available stock
 *     available = SUM(on_hand - reserved) over its stock in every location
 *                 that is not 'quarantine' (bins and docks)
 * is at or below the point. Suggested quantity:
 *     MAX(reorder_qty (0 if NULL), reorder_point - available + 1)
 * i.e. the product's reorder quantity, or more when that would not even lift
 * it back above the point.
 *
 * The crossing is remembered in the audit log, per product (subject_type
 * 'product', subject = sku): event 'reorder.point_reached' when available
 * falls to the point or below, 'reorder.cleared' when it rises above again.
 * Hence exactly one alert per crossing, whoever checks and how often.
 */
#ifndef TOTE_REORDER_H
#define TOTE_REORDER_H

#include <cjson/cJSON.h>

#include "tote/store.h"

/*
 * Checks one product after its stock changed (allocation does it; the pick
 * flow calls it after picks, receipts may too). When available is at or
 * below the point and the product is not already marked as having reached
 * it: writes event 'reorder.point_reached' (detail: available, point,
 * suggested) and an `alert` row (kind 'reorder', subject = sku). When
 * available is above the point and it was marked: event 'reorder.cleared',
 * no alert. Otherwise nothing. A product without a reorder point: nothing.
 * Unknown product: TOTE_ST_E_NOT_FOUND. Joins the caller's transaction if
 * one is open, else runs in its own (same rules as alloc.h).
 */
tote_st_err tote_reorder_check(tote_store *s, long long product_id, const char *actor);

/*
 * Products due for reorder, most urgent first (available - point
 * ascending, then sku), as a new cJSON array of {"product_id","sku","name",
 * "on_hand","reserved","available","reorder_point","reorder_qty",
 * "suggested","backorder"} (backorder: units of open orders' lines not
 * allocated). *out is the caller's (cJSON_Delete).
 */
tote_st_err tote_reorder_list_json(tote_store *s, cJSON **out);

#endif
