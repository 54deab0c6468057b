/*
 * Customers (station/src/store_customer.c): one row per e-mail address,
 * which is how a customer's history is kept across orders.
 */
#ifndef TOTE_CUSTOMER_H
#define TOTE_CUSTOMER_H

#include <cjson/cJSON.h>

#include "tote/store.h"

/*
 * Finds the customer by e-mail (compared lower-case, spaces trimmed) or
 * creates it; name and phone (may be NULL or "") fill in or replace the
 * stored ones when given. Runs in the caller's transaction if one is open.
 * An empty or malformed address (no '@') -> INVALID.
 */
tote_st_err tote_customer_ensure(tote_store *s, const char *email, const char *name, const char *phone,
                                 long long *customer_id);

/*
 * The customer with that e-mail and their orders, newest first:
 * {"email","name","phone","created_at","orders":[{"name","status","payment_status",
 * "ordered_at","total_cents","currency","lines","units"}]}: lines and units
 * as tote_order_list_json counts them (units: those to pick and ship, not
 * gift cards). *out is owned by the caller (cJSON_Delete). NOT_FOUND if no
 * such customer.
 */
tote_st_err tote_customer_show_json(tote_store *s, const char *email, cJSON **out);

#endif
