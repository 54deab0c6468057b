/*
 * Snapshots for the console: the state of the warehouse as one JSON object,
 * small enough for a SNAPSHOT_REPLY (TOTE_WIRE_JSON_MAX bytes).
 */
#ifndef TOTE_SNAPSHOT_H
#define TOTE_SNAPSHOT_H

#include <cjson/cJSON.h>

#include "tote/store.h"

/*
 * Builds the snapshot `what` into *json (malloc'd, NUL-terminated, at most
 * TOTE_WIRE_JSON_MAX bytes; caller frees with free()).
 *
 *   "overview": {"kind":"overview","at":..., "orders":{status: n, ..., "short": n},
 *                "waves":[{id,status,lists,lists_done,lists_leased,tasks,tasks_done,units,units_done}],
 *                "devices":[{name,role,operator,last_seen,online}],
 *                "alerts":[{id,kind,subject,message,created_at}],  (open ones, newest first)
 *                "print_jobs":{state: n}, "truncated": bool}
 *   "order" (arg = order name): {"kind":"order","order":{name,status,...},
 *                "lines":[{line_no,sku,name,ordered,allocated,picked,short,packed,shipped,returned}],
 *                "packages":[...], "scans":[...newest first], "events":[...newest first]}
 *
 * Lists are cut (newest/most relevant kept) to fit; "truncated" says so.
 * Errors: TOTE_ST_E_INVALID for an unknown `what`, TOTE_ST_E_NOT_FOUND for
 * an unknown order, store errors otherwise.
 */
tote_st_err tote_snapshot_json(tote_store *s, const char *what, const char *arg, char **json);

/* ---- the queries behind it (store_snapshot.c); each adds to obj ---- */

/* obj["orders"] = {status: count, "short": orders with a short line}. */
tote_st_err tote_snapshot_orders(tote_store *s, cJSON *obj);
/* obj["waves"] = the newest `limit` waves that are not done/cancelled, with progress. */
tote_st_err tote_snapshot_waves(tote_store *s, int limit, cJSON *obj);
/* obj["devices"]: devices seen in the last `online_seconds` are online. */
tote_st_err tote_snapshot_devices(tote_store *s, const char *now, int online_seconds, int limit, cJSON *obj);
/* obj["alerts"] = open (not acknowledged) alerts, newest first. */
tote_st_err tote_snapshot_alerts(tote_store *s, int limit, cJSON *obj);
/* obj["print_jobs"] = {state: count}. */
tote_st_err tote_snapshot_print_jobs(tote_store *s, cJSON *obj);
/* obj["order"], ["lines"], ["packages"], ["scans"], ["events"] for order `name`; NOT_FOUND if unknown. */
tote_st_err tote_snapshot_order(tote_store *s, const char *name, int limit, cJSON *obj);

#endif
