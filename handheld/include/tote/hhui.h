/*
 * What the operator sees. Three renderings of the same events:
 *   JSON   (--json) exactly one JSON object per line per event, flushed at
 *          once; the format is documented in handheld/README.md;
 *   screen (stdout is a terminal) the whole screen redrawn per event: what to
 *          do next (bin, product, qty left, tote), last result, online or
 *          offline with the queue size;
 *   lines  (stdout is a pipe or file) one plain sentence per event.
 * The UI keeps a copy of what it needs to redraw (task, last result, state);
 * it never talks to the station or the scanner.
 */
#ifndef TOTE_HHUI_H
#define TOTE_HHUI_H

#include <stdint.h>
#include <stdio.h>

#include "tote/wire.h"

typedef struct tote_hhui tote_hhui;

typedef enum tote_hhui_style {
    TOTE_HHUI_AUTO = 0, /* screen if out is a terminal, else lines */
    TOTE_HHUI_JSON,
    TOTE_HHUI_SCREEN,
    TOTE_HHUI_LINES
} tote_hhui_style;

/* out is borrowed (not closed). device and role label the screen. NULL on
 * allocation failure. */
tote_hhui *tote_hhui_new(FILE *out, tote_hhui_style mode, const char *device, uint8_t role);
void tote_hhui_destroy(tote_hhui **ui);

/* HELLO_OK arrived. next_seq: the seq the next request will use; queued:
 * requests waiting in the outbox (they are replayed next). */
void tote_hhui_hello(tote_hhui *ui, const tote_wire_msg *hello_ok, uint32_t next_seq, long queued);
void tote_hhui_task(tote_hhui *ui, const tote_wire_msg *task);
void tote_hhui_no_task(tote_hhui *ui, const tote_wire_msg *no_task);
/* A RESULT / PACK_STATE answering a request of type request_type; replay: the
 * request was sent from the outbox with the REPLAY flag. */
void tote_hhui_result(tote_hhui *ui, const tote_wire_msg *result, uint8_t request_type, int replay);
void tote_hhui_pack_state(tote_hhui *ui, const tote_wire_msg *ps, uint8_t request_type, int replay);
/* The station stopped answering; queued requests are kept. */
void tote_hhui_offline(tote_hhui *ui, long queued);
/* The station answers again; queued requests will now be replayed. */
void tote_hhui_online(tote_hhui *ui, long queued);
/* A request taken while offline went into the outbox. */
void tote_hhui_queued(tote_hhui *ui, uint32_t seq, uint8_t request_type, long queued);
/* A replay run ended: count requests replayed, refused of them refused. */
void tote_hhui_replayed(tote_hhui *ui, int count, int refused);
/* An error: code is a short upper-case name (an ERROR reply's code name such
 * as "NO_HELLO", or "BAD_REPLY", "BAD_COMMAND", "SCANNER", "OUTBOX"); seq and
 * request_type are 0 when not about a request. */
void tote_hhui_error(tote_hhui *ui, const char *code, const char *message, uint32_t seq,
                     uint8_t request_type);
void tote_hhui_scanner(tote_hhui *ui, const char *kind, const char *status);
/* The keys line at the foot of the screen for a role, in return mode or not
 * (static text, at most 72 characters: with "  keys: " it fits 80 columns).
 * A picker sees the picking commands, a packer or bench the packing ones
 * (!carton starts another carton of the order), return mode the return
 * settings; any other role every common command. !help lists them all. */
const char *tote_hhui_keys(uint8_t role, int return_mode);

/* Return mode and the settings the next RETURN_ITEM uses. */
void tote_hhui_mode(tote_hhui *ui, int return_mode, uint8_t disposition, const char *location,
                    const char *reason);
/* A plain notice ("logged out", "quitting"). */
void tote_hhui_info(tote_hhui *ui, const char *message);

#endif
