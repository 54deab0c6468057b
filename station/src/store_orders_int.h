/*
 * Orders' internals, shared by its two files: store_orders.c (the status
 * table, the payment gate and the lifecycle verbs) and store_order_upsert.c
 * (the import upsert). Not a public interface: tote/orders.h is.
 */
#ifndef TOTE_STORE_ORDERS_INT_H
#define TOTE_STORE_ORDERS_INT_H

#include <cjson/cJSON.h>

#include "store_tx.h"
#include "tote/orders.h"

/* Short names of the statuses, for the transition table and the rules. */
#define RCV TOTE_ORDER_RECEIVED
#define HLD TOTE_ORDER_ON_HOLD
#define REL TOTE_ORDER_RELEASED
#define ALC TOTE_ORDER_ALLOCATED
#define PKG TOTE_ORDER_PICKING
#define PKD TOTE_ORDER_PICKED
#define PCK TOTE_ORDER_PACKING
#define PAK TOTE_ORDER_PACKED
#define SHP TOTE_ORDER_SHIPPED
#define DLV TOTE_ORDER_DELIVERED
#define CAN TOTE_ORDER_CANCELLED

/* One order's row (free with store_order_row_clear). */
struct order_row {
    long long id;
    tote_order_status status;
    char *name, *hold_reason, *payment_status, *source_hash;
    int cod;
};

/* Returns e; with err_msg, sets *err_msg to a copy of the error's sentence (NULL on OK). */
tote_st_err store_order_finish(tote_st_err e, char **err_msg);
/* Frees the row's strings and zeroes it. */
void store_order_row_clear(struct order_row *r);
/* Loads the order named name into r; quiet: NOT_FOUND without formatting a message. */
tote_st_err store_order_row_load(tote_store *s, const char *name, struct order_row *r, int quiet);
/* 1 when payment_status is "paid" (any case). */
int store_order_is_paid(const char *payment_status);
/* Writes the status change (checked against the table) and its event. detail may be NULL; consumed. */
tote_st_err store_order_write_status(tote_store *s, long long id, const char *name, tote_order_status from,
                                     tote_order_status to, const char *hold_reason, const char *actor,
                                     const char *device, cJSON *detail);
/* Runs sql (a write) with ?1 = id. */
tote_st_err store_order_exec_id(tote_store *s, const char *sql, long long id);
/* Gives back everything the order holds (store_orders.c says how); *units: units no longer
 * reserved, *tasks: open pick tasks cancelled, *now: the order's status afterwards. */
tote_st_err store_order_give_back(tote_store *s, long long order_id, const char *actor, long long *units,
                                  long long *tasks, tote_order_status *now);

#endif
