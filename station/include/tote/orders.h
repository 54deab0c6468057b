/*
 * Orders and their lifecycle (station/src/store_orders.c).
 *
 * status: received -> released -> allocated -> picking -> picked -> packing
 * -> packed -> shipped -> delivered; on_hold and cancelled any time before
 * shipped. Every status change goes through one transition table
 * (tote_order_transition_allowed) and writes an event.
 *
 * Payment gate: an order is releasable only when payment_status = 'paid' or
 * it is cash on delivery (cod = 1).
 *
 * Writers run inside the caller's transaction if one is open (as a savepoint,
 * undone on error), else in their own BEGIN IMMEDIATE transaction. err_msg
 * arguments, where not NULL, receive a malloc'd sentence on error (caller
 * frees); they are set to NULL on success.
 */
#ifndef TOTE_ORDERS_H
#define TOTE_ORDERS_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "tote/catalog.h"
#include "tote/store.h"

#define TOTE_ORDER_STATUS_MAP(X) \
    X(RECEIVED, "received")      \
    X(ON_HOLD, "on_hold")        \
    X(RELEASED, "released")      \
    X(ALLOCATED, "allocated")    \
    X(PICKING, "picking")        \
    X(PICKED, "picked")          \
    X(PACKING, "packing")        \
    X(PACKED, "packed")          \
    X(SHIPPED, "shipped")        \
    X(DELIVERED, "delivered")    \
    X(CANCELLED, "cancelled")

typedef enum tote_order_status {
#define TOTE_ORDER_STATUS_ENUM(name, text) TOTE_ORDER_##name,
    TOTE_ORDER_STATUS_MAP(TOTE_ORDER_STATUS_ENUM)
#undef TOTE_ORDER_STATUS_ENUM
        TOTE_ORDER_STATUS_COUNT
} tote_order_status;

/* Text of a status as stored ("on_hold"); static. */
const char *tote_order_status_name(tote_order_status st);
/* Parses stored text; 0 on success, -1 if unknown. */
int tote_order_status_parse(const char *text, tote_order_status *out);
/* 1 if the state machine allows from -> to (from == to is not a transition: 0). */
int tote_order_transition_allowed(tote_order_status from, tote_order_status to);

typedef struct tote_order_line_in {
    const char *sku, *name;
    long long qty;
    long long price_cents;
    int requires_shipping;
} tote_order_line_in;

typedef struct tote_order_in {
    const char *name, *channel, *external_ref, *email, *customer_name, *phone;
    const char *payment_status /* "paid","pending","authorized","partially_paid","refunded","voided",... */,
        *payment_method, *currency, *shipping_method;
    const char *ship_name, *ship_company, *ship_address1, *ship_address2, *ship_city, *ship_zip,
        *ship_province, *ship_country, *ship_phone;
    const char *ordered_at /* ISO text as given */, *cancelled_at /* non-empty -> cancelled */, *ship_by;
    int cod, priority, rush, pickup;
    long long total_cents; /* -1 unknown */
    size_t line_count;
    const tote_order_line_in *lines;
    int fulfilled_upstream; /* set by a parser: the whole order was shipped elsewhere (Shopify
                               fulfillment_status "fulfilled"); importers skip it and
                               tote_order_upsert() ignores the field */
} tote_order_in;

/*
 * Creates or updates by name. Same content as stored (hash of the normalised
 * input in orders.source_hash) -> UNCHANGED, nothing written. Changed
 * upstream: updated only while not yet picking (status received / on_hold /
 * released / allocated; an allocated order's reservations are given back
 * through tote_alloc_release_order and it goes back to released) else LOCKED and nothing written (a cancelled
 * order is LOCKED too). UNCHANGED and LOCKED return TOTE_ST_E_OK.
 *
 * Status on create (and re-evaluated on update): cancelled if cancelled_at;
 * else on_hold 'manual' if it was held by hand; else on_hold 'payment' unless
 * payment_status is "paid" (any case) or cod; else on_hold 'unknown_sku' if
 * a shippable line's SKU is not in the catalog (the line is kept with
 * product_id NULL); else released.
 *
 * Input rules (INVALID with a sentence): name non-empty; at least one line;
 * every line qty >= 1. NULL strings are stored as NULL; channel NULL ->
 * "shopify"; payment_status NULL -> "pending" (stored lower-case);
 * ordered_at NULL/"" -> now. A non-empty email finds or creates the customer
 * (name and phone filled in when given). Writes events (order.created /
 * order.updated, and order.<status> when an update changes the status).
 */
tote_st_err tote_order_upsert(tote_store *s, const tote_order_in *o, const char *actor,
                              tote_upsert_result *res, char **err_msg);

/* Order id and status by name; NOT_FOUND if none. status may be NULL. */
tote_st_err tote_order_find(tote_store *s, const char *name, long long *order_id, tote_order_status *status);

/*
 * The verbs. name is the order's name ("#1001"); actor, device and reason may
 * be NULL (reason goes into the event's detail). Each returns:
 *   NOT_FOUND  no such order;
 *   STATE      the order's state does not allow it (err_msg says why and
 *              what to do);
 *   OK         done, with an event written.
 *
 * release: from received or on_hold. Refused unless paid or cod ("not paid"),
 *   and while a shippable line's SKU is unknown (lines are re-linked to the
 *   catalog first, so a product imported since then resolves it). From
 *   on_hold the order resumes where its lines say it is: packed or packing
 *   (units packed), picked (every shippable line picked or short),
 *   allocated (it still holds open reservations), else released (the next
 *   allocation run reserves what is missing).
 * hold: from any status before shipped except cancelled; hold_reason
 *   'manual'. What the order holds is given back through the allocator
 *   (tote_alloc_release_order, alloc.h): open allocations closed,
 *   stock.reserved and order_line.allocated lowered, open pick tasks
 *   cancelled, emptied pick lists closed. Units already picked stay counted.
 *   A payment hold becomes a manual hold (paying no longer releases it).
 * cancel: from any status before shipped; gives back as hold does, and
 *   cancels open or closed packages. Units already picked stay where they are
 *   (the event's detail counts them: put them away with a stock adjustment or
 *   transfer). Shipped, delivered -> STATE; already cancelled -> STATE.
 * paid: records payment_status 'paid' (and payment_method if not NULL); a
 *   payment-held order is then released (or held 'unknown_sku'). Refused on a
 *   cancelled order or one already paid.
 */
tote_st_err tote_order_release(tote_store *s, const char *name, const char *actor, const char *device,
                               const char *reason, char **err_msg);
tote_st_err tote_order_hold(tote_store *s, const char *name, const char *actor, const char *device,
                            const char *reason, char **err_msg);
tote_st_err tote_order_cancel(tote_store *s, const char *name, const char *actor, const char *device,
                              const char *reason, char **err_msg);
tote_st_err tote_order_paid(tote_store *s, const char *name, const char *method, const char *actor,
                            const char *device, char **err_msg);

/*
 * Units of order `name` picked and never shipped: out of their bins, in a
 * tote or a box, to be put back after a cancel. *out: a new array (caller
 * frees) of {"sku","bin","lot","units","tote"}, one per stock row picked from,
 * empty when none. NOT_FOUND for an unknown order.
 */
tote_st_err tote_order_picked_json(tote_store *s, const char *name, cJSON **out);

/*
 * For the flows (allocation, picking, packing, shipping): moves order_id to
 * `to` if the transition table allows it, writing event "order.<to>" with
 * detail_json (may be NULL). hold_reason is cleared unless to is on_hold.
 * Not allowed -> STATE. from == to -> OK, nothing written.
 */
tote_st_err tote_order_set_status(tote_store *s, long long order_id, tote_order_status to, const char *actor,
                                  const char *device, const char *detail_json, char **err_msg);

/*
 * Listings as JSON; *out owned by the caller (cJSON_Delete).
 *
 * list: orders oldest first (by ordered_at), status NULL = all, an unknown
 * status -> INVALID: [{"name","status","hold_reason","payment_status","cod","priority","rush","pickup",
 * "ship_by","channel","email","ship_name","ship_country","ordered_at","lines","units","allocated",
 * "picked","packed","shipped"}]. lines counts every line of the order; units
 * is the units to pick and ship: the ordered quantity of the lines that
 * require shipping (a gift card or a line fulfilled upstream is never
 * picked, so it is a line but no unit), as allocated..shipped count them.
 *
 * show: one order, NOT_FOUND if none: {"name","channel","external_ref","status","hold_reason","priority",
 * "rush","pickup","ship_by","tote","ordered_at","created_at","updated_at",
 * "customer":{"email","name","phone"}|null (name and phone as this order gave them, null if it gave
 *   none: the customer's latest ones are `tote customer show`'s),
 * "payment":{"status","method","cod","currency","total_cents"},
 * "shipping":{"method","name","company","address1","address2","city","zip","province","country","phone"},
 * "lines":[{"line_no","sku","name","known","requires_shipping","price_cents","ordered","allocated",
 *   "unallocated","picked","short","packed","shipped","returned"}],
 * "packages":[{"package_no","status","carton","weight_g","tracking","sscc","service","created_at",
 *   "shipped_at"}],
 * "events":[{"at","actor","device","kind","detail"}]} (detail: the event's JSON object, or null).
 * unallocated = ordered - allocated - short for shippable lines, else 0.
 */
tote_st_err tote_order_list_json(tote_store *s, const char *status, cJSON **out);
tote_st_err tote_order_show_json(tote_store *s, const char *name, cJSON **out);

#endif
