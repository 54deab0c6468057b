/*
 * The supervisor console (`tote console`, station/CONSOLE.md).
 *
 * Three layers, only the last one needs a terminal:
 *
 *  1. Station side: the console's snapshot kinds, answered inside the
 *     station's SNAPSHOT request (snapshot_console.c; SQL in
 *     store_report.c). tote_snapshot_json (snapshot.c) answers "overview"
 *     and "order" and must hand every other kind to
 *     tote_snapshot_console_json.
 *  2. Client side, no terminal: the station connection (console_net.c:
 *     DEALER for snapshots, SUB for live events, reconnects by itself) and
 *     the model a snapshot parses into (console.c), with the small
 *     formatting helpers the screen uses.
 *  3. The ncurses screen (console_ui.c): tote_console_run.
 */
#ifndef TOTE_CONSOLE_H
#define TOTE_CONSOLE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "tote/store.h"

/* ======================= 1. station side ======================= */

/*
 * The console's snapshot kinds. Returns 0 when it handled `what` (then
 * *json is a malloc'd JSON object of at most TOTE_WIRE_JSON_MAX bytes, the
 * caller frees; on a store error *json is {"kind":"error","error":...}),
 * -1 when `what` is not one of them (*json NULL).
 *
 *   "console"   everything the main screen shows, in one reply:
 *               {"kind":"console","at","orders":{status: n, "short": n, "late": n},
 *                "waves":[as overview], "devices":[{name, role, operator, last_seen, online,
 *                pick_list, list_tasks, list_done, packing, picks_15m, units_15m, scans_15m,
 *                refused_15m, refused_today, label_printer}],
 *                "printers":[{name, kind, state ("idle"|"printing"|"fault"), queued, failed,
 *                error, fault_at}],
 *                "alerts":[{id (stored alerts) or null, key, kind, subject, message, at,
 *                derived}] newest first, "refused_threshold", "truncated"}
 *               Alerts are the open rows of `alert` (short picks, reorder points...)
 *               and these, derived at the time of asking:
 *                 late_order     an order not shipped whose ship-by has passed
 *                 refused_scans  a device with >= setting alert_refused_scans (default 5)
 *                                refused scans in the last 15 minutes
 *                 printer_fault  a printer whose newest job is stopped/aborted/failed/held
 *                 label_unconfirmed  a package closed at least alert_label_minutes
 *                                (setting, default 10) ago and not shipped: its label
 *                                was never scanned (subject = tracking number)
 *               A derived alert stays hidden once acknowledged (late_order,
 *               label_unconfirmed), or
 *               when acknowledged after it arose (printer_fault), or within the
 *               last 15 minutes (refused_scans).
 *   "device"    arg = device name: {"kind":"device","device":{...as above, revoked},
 *               "scans":[{at, context, kind, code, symbology, qty, result, reason, order}]
 *               newest first}; {"kind":"error","error":"no device NAME"} if unknown.
 *   "orders"    arg = received|held|released|allocated|picking|picked|packing|packed|
 *               shipped|short|late: {"kind":"orders","status":arg,"orders":[{name, status,
 *               hold_reason, priority, ship_by, ordered_at, lines, units, picked}]}.
 *   "search"    arg = order name (with or without '#'), tracking number, SSCC,
 *               channel reference, customer e-mail, or the start of an order name:
 *               {"kind":"search","query":arg,"matches":[{order, status, via}]}.
 *   "ack_alert" arg = a stored alert's id ("12"), or a derived alert's key
 *               ("late_order:#1001"), or {"alert":ID-or-KEY,"by":NAME}: sets
 *               alert.acked_at/acked_by (a derived alert gets an alert row,
 *               acknowledged) and writes the audit event alert_acked (actor NAME,
 *               default "console"). {"kind":"ack_alert","alert":..,"ok":true,
 *               "already":bool} or ok false with "error".
 *
 * Runs in the caller's transaction (the station's batch); only ack_alert
 * writes.
 */
int tote_snapshot_console_json(tote_store *s, const char *what, const char *arg, char **json);

/* --- the queries behind it (store_report.c); each appends to a cJSON array
 *     or object; times are tote_store_now() text --- */

/* Devices other than consoles and revoked ones, pickers first. since =
 * start of the 15-minute window, today = "YYYY-MM-DD", online_since =
 * last_seen at or after it counts as online. */
tote_st_err tote_console_q_devices(tote_store *s, const char *name, const char *since, const char *today,
                                   const char *online_since, int limit, cJSON *arr);
/* Printers (table printer, and any printer a job names) with their jobs. */
tote_st_err tote_console_q_printers(tote_store *s, const char *day_ago, int limit, cJSON *arr);
/* Orders late against ship-by: *count all of them, arr the first `limit`
 * (may be NULL). */
tote_st_err tote_console_q_late(tote_store *s, const char *now, const char *today, int limit, cJSON *arr,
                                long long *count);
/* Devices with at least threshold refused scans since `since`:
 * {device, refused, scans, last_at}. */
tote_st_err tote_console_q_refused(tote_store *s, const char *since, int threshold, cJSON *arr);
/* Packages closed before `before` and not shipped (their label never
 * scanned), oldest first: {package (tracking, else the package id as text),
 * order, package_no, closed_at, device}. */
tote_st_err tote_console_q_unconfirmed(tote_store *s, const char *before, int limit, cJSON *arr);
/* The newest acked_at of alert rows (kind, subject); "" if none. */
tote_st_err tote_console_q_acked(tote_store *s, const char *kind, const char *subject, char out[32]);
/* Recent scans of a device, newest first: {at, context, kind, raw (blob as
 * string), symbology, qty, result, reason, order}. */
tote_st_err tote_console_q_scans(tote_store *s, const char *device, int limit, cJSON *arr);
tote_st_err tote_console_q_orders(tote_store *s, const char *status, const char *now, const char *today,
                                  int limit, cJSON *arr);
tote_st_err tote_console_q_search(tote_store *s, const char *text, int limit, cJSON *arr);
/* Acknowledges stored alert id: *found 0 if there is none, *already 1 if it
 * was acknowledged before (then nothing changes); kind/subject copied out. */
tote_st_err tote_console_ack(tote_store *s, long long id, const char *by, const char *now, int *found,
                             int *already, char kind[64], char subject[256]);
/* Records the acknowledgement of a derived alert as an acknowledged alert row. */
tote_st_err tote_console_ack_derived(tote_store *s, const char *kind, const char *subject,
                                     const char *message, const char *by, const char *now, long long *id);

/* A savepoint around an acknowledgement (its row and its audit event
 * together); works inside the station's transaction or on its own. */
tote_st_err tote_console_savepoint(tote_store *s);
tote_st_err tote_console_release(tote_store *s);
void tote_console_rollback(tote_store *s);

/* ======================= 2. client side ======================= */

#define TOTE_CONSOLE_MAX_WAVES 32
#define TOTE_CONSOLE_MAX_DEVICES 96
#define TOTE_CONSOLE_MAX_PRINTERS 32
#define TOTE_CONSOLE_MAX_ALERTS 96

/* The order states the console counts, in screen order. */
typedef enum tote_console_state {
    TOTE_CS_RECEIVED,
    TOTE_CS_HELD, /* on_hold */
    TOTE_CS_RELEASED,
    TOTE_CS_ALLOCATED,
    TOTE_CS_PICKING,
    TOTE_CS_PICKED,
    TOTE_CS_PACKING,
    TOTE_CS_PACKED,
    TOTE_CS_SHIPPED,
    TOTE_CS_SHORT, /* orders with a line short */
    TOTE_CS_LATE,  /* not shipped, ship-by passed (console snapshot only) */
    TOTE_CS_COUNT
} tote_console_state;

/* "received", "held", ... (the screen's words; also the "orders" snapshot arg). */
const char *tote_console_state_name(tote_console_state st);

typedef struct tote_console_wave {
    long long id;
    char status[16];
    long long lists, lists_done, lists_leased, tasks, tasks_done, units, units_done;
} tote_console_wave;

typedef struct tote_console_device {
    char name[64];
    char role[16];
    char operator_name[64]; /* "" if nobody is logged in */
    char last_seen[32];
    int online;
    long long pick_list; /* leased list, 0 if none */
    long long list_tasks, list_done;
    char packing[64]; /* order being packed, "" */
    long long picks_15m, units_15m, scans_15m, refused_15m, refused_today;
    int has_stats; /* the stats above are known (console snapshot) */
} tote_console_device;

typedef struct tote_console_printer {
    char name[64];
    char kind[8];
    char state[16]; /* idle | printing | fault */
    long long queued, failed;
    char error[160];
} tote_console_printer;

typedef struct tote_console_alert {
    long long id;  /* stored alert id, 0 for a derived one */
    char key[192]; /* what ack_alert takes: the id as text, or kind:subject */
    char kind[32];
    char subject[96];
    char message[256];
    char at[32];
    int derived;
} tote_console_alert;

typedef struct tote_console_model {
    char at[32]; /* the station's time of the snapshot */
    int full;    /* 1: a "console" snapshot; 0: only an "overview" */
    long long orders[TOTE_CS_COUNT];
    int has_late; /* orders[TOTE_CS_LATE] is known */
    tote_console_wave waves[TOTE_CONSOLE_MAX_WAVES];
    int nwaves;
    tote_console_device devices[TOTE_CONSOLE_MAX_DEVICES]; /* pickers and packers */
    int ndevices;
    tote_console_device benches[TOTE_CONSOLE_MAX_DEVICES]; /* role bench */
    int nbenches;
    tote_console_printer printers[TOTE_CONSOLE_MAX_PRINTERS];
    int nprinters;
    long long jobs_queued, jobs_failed;                 /* all print jobs (overview) */
    tote_console_alert alerts[TOTE_CONSOLE_MAX_ALERTS]; /* newest first */
    int nalerts;
    int truncated;
} tote_console_model;

/*
 * Parses a "console" or "overview" snapshot into *m (fully overwritten).
 * Consoles are left out of the devices. Returns 0, or -1 with a sentence in
 * err (cap bytes) for JSON that is not such a snapshot ("error" snapshots
 * give their error text).
 */
int tote_console_model_parse(tote_console_model *m, const char *json, char *err, size_t cap);

/* A progress bar "[#####.....]" of total width `width` (>= 3) into buf
 * (>= width + 1 bytes); done/total clamped to 0..1; total 0 = empty. */
void tote_console_bar(char *buf, int width, double done, double total);

/* How long ago `then` was at `now` (both tote_store_now() text): "12s",
 * "5m", "3h", "2d"; "-" if either cannot be read. */
void tote_console_age(const char *then, const char *now, char *buf, size_t cap);

/* Seconds since the epoch for a tote_store_now() text; -1 if unreadable. */
long long tote_console_parse_time(const char *t);

/* The events endpoint beside a station endpoint: the same with the port + 1
 * ("tcp://h:5555" -> "tcp://h:5556"); a copy when it has no port. */
void tote_console_events_endpoint(const char *station, char *out, size_t cap);

/* Picks per hour from picks in the last 15 minutes. */
long long tote_console_per_hour(long long in_15m);

/* ---------------- the station connection (console_net.c) ---------------- */

typedef struct tote_console_client tote_console_client;

typedef struct tote_console_callbacks {
    /* A reply to request (what, arg): ok = 1 with the JSON, or 0 with an
     * error sentence (the station's ERROR, or "no reply"). */
    void (*on_reply)(void *ud, const char *what, const char *arg, int ok, const char *text);
    /* A live event from the PUB socket. */
    void (*on_event)(void *ud, const char *topic, const char *json);
    /* The station came online (online = 1) or went away; since = wall-clock
     * seconds of the last good reply (went away) or of now (came back). */
    void (*on_state)(void *ud, int online, long long since);
    void *ud;
} tote_console_callbacks;

typedef struct tote_console_client_opts {
    const char *station;   /* ROUTER endpoint, e.g. tcp://127.0.0.1:5555 */
    const char *events;    /* PUB endpoint, e.g. tcp://127.0.0.1:5556 */
    const char *device_id; /* the console's device name (<= 32 bytes) */
    int timeout_ms;        /* a request unanswered this long = station gone; default 3000 */
    int retry_ms;          /* reconnect interval while gone; default 1000 */
    /* CurveZMQ keys from the console's enrolment (station/SECURITY.md) for
     * both sockets (copied); NULL = plain text, for a station run with
     * --insecure. A station that refuses the keys is simply never online. */
    const struct tote_enrolment *curve;
} tote_console_client_opts;

/* NULL on a bad endpoint or when ZeroMQ cannot start. */
tote_console_client *tote_console_client_new(const tote_console_client_opts *o,
                                             const tote_console_callbacks *cb);
void tote_console_client_destroy(tote_console_client **c);

/* Queues a SNAPSHOT request (sent when the station is online, one at a time,
 * in order). A request equal to one already queued is not queued twice. */
void tote_console_client_request(tote_console_client *c, const char *what, const char *arg);
/* Requests still queued or in flight. */
int tote_console_client_pending(const tote_console_client *c);
/* 1 while the station answers. */
int tote_console_client_online(const tote_console_client *c);

/*
 * Waits up to timeout_ms for the sockets (and extra_fd, when >= 0), handles
 * replies, events, time-outs and reconnects (callbacks run from here).
 * Returns 1 if extra_fd became readable (or poll was interrupted by a
 * signal), else 0.
 */
int tote_console_client_step(tote_console_client *c, int timeout_ms, int extra_fd);

/* ======================= 3. the screen ======================= */

typedef struct tote_console_opts {
    const char *station;                /* default: the enrolment's, else tcp://127.0.0.1:5555 */
    const char *events;                 /* default: the enrolment's, else the station's port + 1 */
    const char *device_id;              /* default: the enrolment's device, else console-<hostname> */
    const struct tote_enrolment *curve; /* the console's enrolment (CURVE), or NULL: plain text */
    const char *user;                   /* who acknowledges alerts; default $USER */
    int refresh_ms;                     /* snapshot period, default 2000 */
} tote_console_opts;

/* Runs the ncurses console until `q`. Returns 0, or -1 if the terminal or
 * the client could not start (a sentence on stderr). */
int tote_console_run(const tote_console_opts *o);

#endif
