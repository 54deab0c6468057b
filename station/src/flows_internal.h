/* Private to flows*.c: reply helpers and the per-flow entry points. */
#ifndef TOTE_FLOWS_INTERNAL_H
#define TOTE_FLOWS_INTERNAL_H

#include "tote/flows.h"
#include "tote/station.h"

/* tote_wire_init(out, type, req->device, req->seq). */
void tote_flow_reply_init(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out,
                          tote_wire_type type);
/* Turns out into a RESULT. */
void tote_flow_result(tote_wire_msg *out, int accepted, tote_wire_reason reason, tote_wire_feedback fb,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Turns out into a typed ERROR. */
void tote_flow_error(tote_wire_msg *out, tote_wire_error code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The operator logged in on the device, else the device name. */
const char *tote_flow_actor(const tote_flow_ctx *c);
/* {"event":event,"at":now,"device":...,"operator":...}; caller adds fields. */
cJSON *tote_flow_event_obj(const tote_flow_ctx *c, const char *event);
/* Raises an alert (kind, subject, message msg: tote_alert_raise) and starts
 * its PUB 'alert' event in *ev: tote_flow_event_obj(event) with "alert" (its
 * id). The caller adds its own fields, then tote_flow_alert_publish. On an
 * error *ev is NULL. */
tote_st_err tote_flow_alert_begin(tote_flow_ctx *c, const char *kind, const char *subject, const char *msg,
                                  const char *event, cJSON **ev);
/* Adds "message": msg last and queues ev (owned from here) on topic 'alert'. */
void tote_flow_alert_publish(tote_flow_ctx *c, cJSON *ev, const char *msg);

/* ---- JSON written straight into a buffer, for the events of every scan
 * (what cJSON_PrintUnformatted prints for the same object, without the
 * tree): tote_jw_begin, then fields in order, then tote_jw_end, which
 * returns the malloc'ed text (NULL if memory ran out) - for
 * tote_events_add_json or to be freed. ---- */
typedef struct tote_jw {
    char *p;
    size_t n, cap;
    int failed;
} tote_jw;
void tote_jw_begin(tote_jw *w);
/* tote_jw_begin and the fields of tote_flow_event_obj. */
void tote_jw_event(tote_jw *w, const tote_flow_ctx *c, const char *event);
void tote_jw_str(tote_jw *w, const char *key, const char *v);
void tote_jw_num(tote_jw *w, const char *key, long long v);
void tote_jw_bool(tote_jw *w, const char *key, int v);
void tote_jw_null(tote_jw *w, const char *key);
char *tote_jw_end(tote_jw *w);

/* ---- a scan, normalised (firmware-protocol's barcode normaliser) ---- */

typedef enum tote_flow_scan_kind {
    TOTE_SCAN_INVALID = 0, /* malformed: bad check digit, bad GS1 date, ... */
    TOTE_SCAN_GTIN,
    TOTE_SCAN_SSCC,
    TOTE_SCAN_BIN,
    TOTE_SCAN_TOTE,
    TOTE_SCAN_ORDER,
    TOTE_SCAN_BADGE,
    TOTE_SCAN_TRACKING,
    TOTE_SCAN_UNKNOWN /* well-formed but not one of ours: look it up as a raw code */
} tote_flow_scan_kind;

typedef struct tote_flow_scan {
    tote_flow_scan_kind kind;
    const char *kind_name;            /* "gtin", "sscc", ... static */
    char code[TOTE_WIRE_RAW_MAX + 1]; /* GTIN-14, SSCC, own code, tracking, or the raw text */
    char lot[65];
    char expiry[11]; /* YYYY-MM-DD or "" */
    char serial[65];
    int count;       /* GS1 count (AI 30/37), 0 if none */
    int package_no;  /* ORD-#1001/2 -> 2, else 0 */
    char error[160]; /* why it is INVALID */
} tote_flow_scan;

/* Normalises a wire scan. */
void tote_flow_parse_scan(const tote_wire_scan *in, tote_flow_scan *out);

/* Records the scan (scan table), an audit event for a refusal, and the PUB
 * "scan" event; fills a RESULT into out. reason OK = accepted. */
tote_st_err tote_flow_scan_outcome(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                   const char *context, tote_wire_reason reason, int qty, long long order_id,
                                   const char *order_name, long long task_id, long long package_id,
                                   tote_wire_msg *out, tote_wire_feedback fb, const char *fmt, ...)
    __attribute__((format(printf, 13, 14)));

/* Login/role gate for a flow: returns OK when the device may do `what`
 * ("pick", "pack", "return"), else the reason to refuse with. */
tote_wire_reason tote_flow_gate(const tote_flow_ctx *c, const char *what);

/* Flow entry points. */
tote_st_err tote_flow_pick_next(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out);
tote_st_err tote_flow_pick_scan(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                tote_wire_msg *out, int *n_out);
tote_st_err tote_flow_pick_short(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out);
/* Re-allocates qty units of t's order line from other bins (not t's stock
 * row): *allocated units found, *new_task the pick task created (0 if none). */
tote_st_err tote_flow_reallocate(tote_flow_ctx *c, const tote_pick_task *t, int qty, long long *allocated,
                                 long long *new_task);
/* Packing (flows_pack.c): NEXT_TASK for a packer; a scan routed by its kind
 * (as_type 0 = a plain SCAN, else PACK_OPEN / PACK_ITEM / LABEL_CONFIRM /
 * RETURN_OPEN / RETURN_ITEM); PACK_WEIGHT / PACK_CLOSE / OVERRIDE. */
tote_st_err tote_flow_pack_next(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out);
tote_st_err tote_flow_pack_scan(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                int as_type, tote_wire_msg *out, int *n_out);
tote_st_err tote_flow_pack_action(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out, int *n_out);
/* Returns (flows_return.c). */
tote_st_err tote_flow_return_open(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                  tote_wire_msg *out, int *n_out);
tote_st_err tote_flow_return_item(tote_flow_ctx *c, const tote_wire_msg *req, const tote_flow_scan *sc,
                                  tote_wire_msg *out, int *n_out);
tote_st_err tote_flow_return_close(tote_flow_ctx *c, const tote_wire_msg *req, tote_wire_msg *out,
                                   int *n_out);
/* 1 if the device has an RMA open. */
int tote_flow_return_is_open(tote_flow_ctx *c);
/* Queues the label and slip of a closed package (printing module). */
tote_st_err tote_flow_print_package(tote_flow_ctx *c, long long package_id);
/* Fills a TASK (kind PICK) from a pick task. */
void tote_flow_task_reply(const tote_pick_task *t, tote_wire_msg *out);

#endif
