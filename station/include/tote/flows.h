/*
 * The station's flows: what one admitted request does to the store, and the
 * reply it gets. Picking (flows_pick.c), packing and shipping (flows_pack.c),
 * returns (flows_return.c); the dispatcher, login and settings (flows.c).
 *
 * A flow runs inside the caller's transaction (the server's group commit,
 * one SAVEPOINT per request). It never commits. A refusal (wrong item,
 * over-pick...) is a normal outcome: the flow records it (scan row, audit
 * event) and returns TOTE_ST_E_OK with a RESULT/PACK_STATE saying why. Only
 * an SQL failure returns an error, and then the caller rolls the savepoint
 * back and nothing of the request remains.
 *
 * Live events for the PUB socket are collected in a tote_events list and
 * published by the server after the transaction is durable.
 */
#ifndef TOTE_FLOWS_H
#define TOTE_FLOWS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "tote/devices.h"
#include "tote/store.h"
#include "tote/wire.h"

/* ---------------- live events ---------------- */

typedef struct tote_events tote_events;

tote_events *tote_events_new(void);
void tote_events_destroy(tote_events **e);
/* Appends an event on topic ("scan", "order", "alert", "device", "printer",
 * "wave"); takes ownership of obj (a JSON object), which is printed now. */
void tote_events_add(tote_events *e, const char *topic, cJSON *obj);
/* The same for an object already printed: takes ownership of json (from
 * malloc, as cJSON's default allocator; freed with cJSON_free). */
void tote_events_add_json(tote_events *e, const char *topic, char *json);
size_t tote_events_count(const tote_events *e);
const char *tote_events_topic(const tote_events *e, size_t i);
const char *tote_events_json(const tote_events *e, size_t i);
/* A mark to rewind to when a request is rolled back. */
size_t tote_events_mark(const tote_events *e);
void tote_events_rewind(tote_events *e, size_t mark);
void tote_events_clear(tote_events *e);

/* ---------------- settings (table `setting`) ---------------- */

typedef struct tote_flow_settings {
    int require_login;            /* require_login, default 1 */
    int require_bin_scan;         /* require_bin_scan, default 0 */
    int lease_seconds;            /* from `tote serve --lease-seconds` */
    int heartbeat_ms;             /* from `tote serve --heartbeat-ms` */
    int weight_tolerance_pct;     /* weight_tolerance_pct, default 5 */
    int carton_tare_g;            /* carton_tare_g, default 0 */
    char s10_service[3];          /* s10_service, default "LX" */
    char s10_country[3];          /* s10_country, default "NL" */
    char gs1_company_prefix[16];  /* gs1_company_prefix, default "0000000" */
    char sscc_extension[2];       /* sscc_extension, default "0" */
    char quarantine_location[65]; /* quarantine_location, default "QUARANTINE" */
} tote_flow_settings;

/* 1 when seen (a device's last_seen) is less than max_ms before now, both in
 * tote_store_now()'s format: a busy device's last_seen is then not written
 * again (the station allows a tenth of the lease, at most 1 s: leases,
 * online status and the console read it). 0 for anything else: older,
 * later, another minute, another format. */
int tote_flow_seen_recently(const char *seen, const char *now, int max_ms);

/* now + seconds (may be negative), both in tote_store_now()'s format. */
void tote_flow_time_add(const char *now, int seconds, char out[32]);

/* Reads the settings from the store (defaults for unset keys). */
void tote_flow_settings_load(tote_store *s, int lease_seconds, int heartbeat_ms, tote_flow_settings *out);

/* ---------------- the scan log (store_request.c) ---------------- */

typedef struct tote_scan_row {
    const char *device;
    uint32_t seq;
    const char *operator_name; /* may be NULL */
    const char *context;       /* "pick", "pack", "ship", "return", "login" */
    const uint8_t *raw;
    size_t raw_len;
    const char *symbology, *kind, *gtin, *lot, *expiry, *serial; /* may be NULL */
    int qty;
    long long order_id, pick_task_id, package_id; /* 0 = none */
    int accepted;
    const char *reason; /* reason name ("WRONG_ITEM"), NULL when accepted */
    const char *at;
} tote_scan_row;

/*
 * Inserts a scan row. reply (may be NULL) is the stored reply blob to the
 * request (device, seq) that made the scan (tote_reply_blob_* in
 * tote/server.h) and reply_type that request's type: a scan's reply is kept
 * in its row, so a resent scan is answered from there (tote_request_lookup)
 * and needs no row in the request table.
 */
tote_st_err tote_scan_record(tote_store *s, const tote_scan_row *r, int reply_type, const uint8_t *reply,
                             size_t reply_len);

/* ---------------- applying one request ---------------- */

typedef struct tote_flow_ctx {
    tote_store *s;
    const tote_flow_settings *cfg;
    tote_events *events;
    char now[32];   /* the batch's time, tote_store_now() format */
    char today[11]; /* YYYY-MM-DD of now */
    /* the requesting device as admitted (tote_flow_admit fills it) */
    tote_device_info dev;
    /* set by a flow that queued print jobs: the server kicks the spooler
     * after the commit (it never clears it itself) */
    int print_queued;
    /* set by tote_flow_apply when it stored the reply to the request itself,
     * in the scan row the request logged: the caller then writes no request
     * row for it (tote_request_seen instead of tote_request_store) */
    int reply_stored;
    /* the loop's cache of device rows and current pick tasks (NULL: none,
     * every read goes to the store); see tote_flow_hot below */
    struct tote_flow_hot *hot;
    /* set by tote_flow_apply when the request was a plain pick scan, one
     * that changed no row the cache holds beyond what it updated there:
     * the caller keeps the cache; after any other request it must clear it */
    int hot_plain;
    /* private to the flows: the scan the request logged, inserted with its
     * reply when the request is done */
    struct {
        int pending;
        tote_scan_row row;
        char operator_name[TOTE_NAME_MAX + 1], context[16], gtin[TOTE_WIRE_RAW_MAX + 1], lot[65], expiry[11],
            serial[65];
    } scan;
} tote_flow_ctx;

/*
 * The station loop's cache of what a picker's scan reads: each device's row
 * (as tote_device_get gives it) and its current pick task (as
 * tote_pick_current_ex with full = 0 gives it). Entries are copies of rows
 * read on the loop's connection, kept up to date by the plain scans that
 * follow (tote_flow_ctx.hot_plain) and by tote_flow_hot_seen. The owner
 * must empty the cache (tote_flow_hot_clear) after every request that is not
 * a plain scan, after any rollback, after any other write on its connection,
 * and call tote_flow_hot_sync at the start of each transaction so that what
 * other connections committed empties it too. A stale entry would let a scan
 * be checked against counts that are no longer true, so when in doubt: clear.
 */
typedef struct tote_flow_hot tote_flow_hot;
struct tote_pick_task;

/* A new empty cache, or NULL when out of memory. Owned by the caller. */
tote_flow_hot *tote_flow_hot_new(void);
/* Frees *h and sets it to NULL; NULL-safe. */
void tote_flow_hot_destroy(tote_flow_hot **h);
/* Forgets every entry. NULL-safe. */
void tote_flow_hot_clear(tote_flow_hot *h);
/* Inside a transaction on s: clears the cache when PRAGMA data_version
 * differs from the last call's (another connection committed). */
void tote_flow_hot_sync(tote_flow_hot *h, tote_store *s);
/* Device row of device into *out: 1 if cached, else 0 (*out untouched). */
int tote_flow_hot_device(tote_flow_hot *h, const char *device, tote_device_info *out);
/* Keeps a copy of dev (a row just read), while there is room. */
void tote_flow_hot_put_device(tote_flow_hot *h, const tote_device_info *dev);
/* The device's last_seq and last_seen as the request just answered left
 * them in the store: last_seq = max(last_seq, seq); last_seen = now, or as
 * it was when now is NULL (not written: tote_flow_seen_recently). */
void tote_flow_hot_seen(tote_flow_hot *h, const char *device, long long seq, const char *now);
/* Current task of device into *out: 1 if cached, else 0. */
int tote_flow_hot_task(tote_flow_hot *h, const char *device, struct tote_pick_task *out);
/* Keeps t as the device's current task (NULL: forget it); only beside a
 * cached device row. */
void tote_flow_hot_put_task(tote_flow_hot *h, const char *device, const struct tote_pick_task *t);
/* Counters since tote_flow_hot_new: device lookups answered and not, clears that dropped entries. */
void tote_flow_hot_stats(const tote_flow_hot *h, unsigned long long *hits, unsigned long long *misses,
                         unsigned long long *clears);

#define TOTE_FLOW_MAX_REPLIES 2

/*
 * Device admission, the one place that decides whether a device may talk to
 * the station. For HELLO: a revoked device is refused (TOTE_WERR_DENIED);
 * any other id is registered or updated with its role. For every other
 * request the device must have a row (it said hello, or was added with
 * `tote device add`) and not be revoked. Fills c->dev. Returns
 * TOTE_WERR_NONE to go on, else the typed error to answer.
 */
tote_wire_error tote_flow_admit(tote_flow_ctx *c, const tote_wire_msg *req, tote_st_err *st);

/*
 * Applies one admitted request (c->dev filled). Writes 1..2 replies into
 * out[0..TOTE_FLOW_MAX_REPLIES) (each initialised with the request's device
 * and seq) and their count into *n_out. Returns TOTE_ST_E_OK, or the store
 * error that makes the caller roll the request back. A request that logs a
 * scan (every SCAN, pack, ship and return scan) has its scan row written
 * last, with the encoded replies as the stored reply when the request is
 * sequenced and not answered with an ERROR: c->reply_stored is then 1.
 */
tote_st_err tote_flow_apply(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out);

/*
 * The reply to a SNAPSHOT request read from s: SNAPSHOT_REPLY with the JSON
 * of tote_snapshot_json, or ERROR MALFORMED for an unknown kind or order.
 * Writes *out (initialised with the request's device and seq). Returns
 * TOTE_ST_E_OK, or the store error (out then holds nothing to send).
 * Whether the kind writes: tote_flow_snapshot_reads_only.
 */
tote_st_err tote_flow_snapshot(tote_store *s, const tote_wire_msg *req, tote_wire_msg *out);

/* 1 if the SNAPSHOT request only reads (every kind but "ack_alert", which
 * acknowledges an alert), so any connection to the store may answer it. */
int tote_flow_snapshot_reads_only(const tote_wire_msg *req);

/* ---------------- orders (store_pick.c) ---------------- */

typedef struct tote_order_ref {
    long long id;
    char name[65];
    char status[16];
} tote_order_ref;

/*
 * Moves order order_id to status `to` with an audit event (kind
 * "order_status", subject the order name, detail {from,to,reason}); a no-op
 * if it is already there. *out (may be NULL) gets the order as it was.
 */
tote_st_err tote_flow_order_status(tote_store *s, long long order_id, const char *to, const char *actor,
                                   const char *device, const char *reason, tote_order_ref *out);

/* ---------------- picking (store_pick.c) ---------------- */

typedef struct tote_pick_task {
    long long id, pick_list_id, order_id, order_line_id, allocation_id, stock_id, product_id, location_id;
    char bin[65], sku[65], name[256], gtin[65], lot[65], expiry[16], tote[65], order_name[65];
    int qty, done, short_qty, bin_confirmed;
    char status[16];       /* pick_task.status */
    char order_status[16]; /* orders.status */
    char device[256];      /* device holding the list's lease, "" if none */
    int tasks_left;        /* open tasks of active orders in the list */
} tote_pick_task;

/* The device's next open task in walking order (pick_task.seq) from the
 * lists leased to it, skipping orders on hold or cancelled. NOT_FOUND if none. */
tote_st_err tote_pick_current(tote_store *s, const char *device, tote_pick_task *t);
/* As tote_pick_current; with full = 0 gtin is "" and tasks_left 0 (cheaper). */
tote_st_err tote_pick_current_ex(tote_store *s, const char *device, int full, tote_pick_task *t);
/* Any task by id. NOT_FOUND if none. */
tote_st_err tote_pick_task_get(tote_store *s, long long task_id, tote_pick_task *t);
/* Leases the next open list (oldest wave first, then the highest order
 * priority) that has open work to device until lease_until; wave ->
 * 'picking'. NOT_FOUND if there is none. */
tote_st_err tote_pick_lease_next(tote_store *s, const char *device, const char *operator_name,
                                 const char *lease_until, long long *list_id);
/* The distinct orders of a list (at most cap) into out, count in *n. */
tote_st_err tote_pick_list_orders(tote_store *s, long long list_id, tote_order_ref *out, int cap, int *n);
tote_st_err tote_pick_confirm_bin(tote_store *s, long long task_id);
/* pick_list.lease_until = lease_until for the lists leased to device. */
tote_st_err tote_pick_renew_lease(tote_store *s, const char *device, const char *lease_until);
/* A confirmed pick of n units (station/README.md invariant): task.done,
 * allocation.picked, order_line.picked += n; stock on_hand and reserved -= n;
 * stock_move 'pick' -n. */
tote_st_err tote_pick_apply(tote_store *s, const tote_pick_task *t, int n, const char *actor,
                            const char *device, const char *now);
/* short_units of the task are not in the bin: task.short += short_units
 * (status 'short' once done + short = qty, else it stays open for what is
 * still there); its allocation gives them up (qty lowered, or closed 'short'
 * / 'cancelled'), and stock.reserved and order_line.allocated drop by the
 * same amount. STATE if short_units is not 1..what is left. */
tote_st_err tote_pick_close_short(tote_store *s, const tote_pick_task *t, int short_units);
/* order_line.short += qty; the line's order name into order_name[65]. */
tote_st_err tote_pick_line_short(tote_store *s, long long order_line_id, int qty, char order_name[65]);

/* What a bin can no longer cover after a shortage set its on_hand: the open
 * pick tasks (other than keep_task) and the open allocations without a task on
 * stock_id, in walking/allocation order. Each is reported with the units it
 * still needs. */
typedef struct tote_pick_claim {
    long long task_id; /* 0 for an allocation not yet in a wave */
    long long allocation_id;
    long long order_line_id;
    int left; /* units it still needs from this bin */
} tote_pick_claim;
/* Fills out[0..cap) with the claims on stock_id other than keep_task, count in
 * *n (more than cap are not reported: the caller loops). */
tote_st_err tote_pick_claims_on_stock(tote_store *s, long long stock_id, long long keep_task,
                                      tote_pick_claim *out, int cap, int *n);
/* An allocation without a pick task gives up `units` (reserved and
 * order_line.allocated drop with it; cancelled when nothing is left). */
tote_st_err tote_pick_alloc_give_up(tote_store *s, long long allocation_id, int units);
tote_st_err tote_pick_stock_on_hand(tote_store *s, long long stock_id, long long *on_hand);
/* Open tasks of active orders in a list. */
tote_st_err tote_pick_list_open_tasks(tote_store *s, long long list_id, int *n);
/* List 'done' (and its wave when no list is open or leased). */
tote_st_err tote_pick_list_finish(tote_store *s, long long list_id, const char *now);
/* Open tasks of an order, in any list. */
tote_st_err tote_pick_order_open_tasks(tote_store *s, long long order_id, int *n);
/* orders.tote = tote where it is not set yet. */
tote_st_err tote_pick_order_set_tote(tote_store *s, long long order_id, const char *tote);
/* An alert row for the console. */
tote_st_err tote_alert_raise(tote_store *s, const char *kind, const char *subject, const char *message,
                             const char *now, long long *alert_id);
/* An open recount task for (bin, product), reusing an open one. */
tote_st_err tote_count_task_create(tote_store *s, long long location_id, long long product_id,
                                   const char *reason, const char *now, long long *count_task_id);

/* ---------------- packing and shipping (store_pack.c) ---------------- */

typedef struct tote_pack_order {
    long long id;
    char name[65], status[16], tote[65];
} tote_pack_order;

typedef struct tote_package {
    long long id, order_id;
    int package_no;
    char status[16], order_name[65], order_status[16];
    long long weight_g;          /* -1 = not weighed */
    long long expected_weight_g; /* -1 = unknown */
    char tracking[65], sscc[65], device[256], weight_override_by[256];
} tote_package;

/* The next order ready to pack ('picked'; rush, priority, oldest first). */
tote_st_err tote_pack_next_order(tote_store *s, tote_pack_order *o);
/* An order still 'packing', with no open package, that device closed a
 * carton of (PACK_CLOSE more: its next carton is to come); the latest. */
tote_st_err tote_pack_order_to_continue(tote_store *s, const char *device, tote_pack_order *o);
tote_st_err tote_pack_order_by_name(tote_store *s, const char *name, tote_pack_order *o);
tote_st_err tote_pack_order_by_id(tote_store *s, long long id, tote_pack_order *o);
/* The order a tote carries (the one being packed if the tote was reused). */
tote_st_err tote_pack_order_by_tote(tote_store *s, const char *tote, tote_pack_order *o);
tote_st_err tote_pack_package_get(tote_store *s, long long id, tote_package *p);
tote_st_err tote_pack_open_package_of_device(tote_store *s, const char *device, tote_package *p);
tote_st_err tote_pack_last_closed_of_device(tote_store *s, const char *device, tote_package *p);
tote_st_err tote_pack_open_package_of_order(tote_store *s, long long order_id, tote_package *p);
/* Package whose tracking number or SSCC is code. */
tote_st_err tote_pack_package_by_code(tote_store *s, const char *code, tote_package *p);
/* A new open package (package_no = next for the order). */
tote_st_err tote_pack_package_create(tote_store *s, long long order_id, const char *device,
                                     const char *packer, const char *now, long long *package_id);
tote_st_err tote_pack_package_set_device(tote_store *s, long long package_id, const char *device,
                                         const char *packer);
/* Open packages held by device (other than except_id) are parked (device NULL). */
tote_st_err tote_pack_park_device_packages(tote_store *s, const char *device, long long except_id);
/* The order's shippable lines: expected = picked, packed = packed; with
 * returns = 1: expected = shipped, packed = returned. */
tote_st_err tote_pack_lines(tote_store *s, long long order_id, int returns, tote_wire_pack_line *lines,
                            int cap, int *n);
/* Lines of the order with this product, and units still to pack (picked -
 * packed) or, with returns = 1, still returnable (shipped - returned). */
tote_st_err tote_pack_room(tote_store *s, long long order_id, long long product_id, int returns, int *lines,
                           long long *room);
/* n units of product into the package (package_item, order_line.packed);
 * clears an earlier weight. STATE if there is no room. */
tote_st_err tote_pack_add_item(tote_store *s, long long package_id, long long order_id, long long product_id,
                               int n);
/* Units in the package, their weight from product grams, and how many
 * items have no weight on record. */
tote_st_err tote_pack_contents(tote_store *s, long long package_id, long long *units, long long *grams,
                               int *unknown_weight);
/* Records a weighing (expected_g < 0 = unknown); clears a weight override. */
tote_st_err tote_pack_set_weight(tote_store *s, long long package_id, long long weight_g,
                                 long long expected_g);
tote_st_err tote_pack_set_weight_override(tote_store *s, long long package_id, const char *supervisor);
/* Whether an audit event of kind exists for the package. */
tote_st_err tote_pack_has_event(tote_store *s, const char *kind, long long package_id, int *yes);
/* Picked units of the order not packed yet. */
tote_st_err tote_pack_unpacked(tote_store *s, long long order_id, long long *units);
tote_st_err tote_pack_close(tote_store *s, long long package_id, const char *carton, const char *tracking,
                            const char *sscc, const char *service, const char *packer, const char *now);
/* Packages of the order in status. */
tote_st_err tote_pack_packages_in(tote_store *s, long long order_id, const char *status, long long *n);
/* Package shipped; its units added to order_line.shipped. */
tote_st_err tote_pack_ship(tote_store *s, long long package_id, const char *now);
/* The packages shipped on date (YYYY-MM-DD, UTC) as a JSON array of
 * {order, package, tracking, sscc, weight_g, service, country, method, carton, shipped_at, units}. */
tote_st_err tote_manifest_json(tote_store *s, const char *date, cJSON **out);

/* ---------------- returns (store_return.c) ---------------- */

typedef struct tote_rma {
    long long id, order_id;
    char order_name[65];
} tote_rma;

/* The open RMA this device works on. NOT_FOUND if none. */
tote_st_err tote_rma_open_of_device(tote_store *s, const char *device, tote_rma *r);
/* Opens an RMA for the order on device, or resumes the order's open one
 * (*resumed = 1). Other open RMAs of the device are parked. */
tote_st_err tote_rma_open(tote_store *s, long long order_id, const char *device, const char *actor,
                          const char *now, long long *rma_id, int *resumed);
/* The bin the order's units of product were last picked from. */
tote_st_err tote_return_picked_from(tote_store *s, long long order_id, long long product_id,
                                    long long *location_id);
/* The lots the order's units of product were picked from: the first
 * (by lot) with its expiry ("" if none) into lot/expiry, how many distinct
 * lots (0, 1, or 2 meaning "more than one") into *nlots. */
tote_st_err tote_return_picked_lots(tote_store *s, long long order_id, long long product_id, char lot[65],
                                    char expiry[16], int *nlots);
/* location.kind ("bin", "quarantine", "dock"). */
tote_st_err tote_location_kind(tote_store *s, long long location_id, char kind[16]);
/* qty returned units of product into location (stock row created if
 * needed): stock_move 'return' +qty, on_hand += qty, order_line.returned +=
 * qty, rma_line rows. STATE if the order has fewer units left to return. */
tote_st_err tote_return_apply(tote_store *s, const tote_rma *r, long long product_id, int qty,
                              const char *lot, const char *expiry, long long location_id,
                              const char *disposition, const char *reason, const char *actor,
                              const char *device, const char *now);
/* Closes the RMA with a refund row (sum of returned units x line price).
 * STATE if nothing was returned on it. */
tote_st_err tote_rma_close(tote_store *s, const tote_rma *r, const char *now, long long *units,
                           long long *refund_cents);
/* orders.currency ("" if unknown). */
tote_st_err tote_order_currency(tote_store *s, long long order_id, char out[8]);

#endif
