/*
 * The simulated operator behind `tote-handheld --scanner sim`: a picker or
 * packer driven by the tasks and replies the station sends. It never talks to
 * the network itself: the client feeds it every TASK / RESULT / PACK_STATE and
 * asks it for its next action, which it then sends like any scan or command.
 *
 * Picker: for each PICK task, scans `BIN-<bin>` when the station requires bin
 * scans and the bin is not confirmed, then the item (GTIN-14 "0..." as EAN-13
 * `]E0` + 13 digits, else GS1 `]C1` "01" + GTIN-14) until qty_left is 0. With
 * probability error_rate per item scan it makes a mistake instead: a wrong
 * item (another valid GTIN), an over-pick (one scan after the task is done),
 * or a short bin (SHORT_PICK with found = qty_left - 1, reason "sim short").
 * Out of step with the station (it answers NO_TASK, or WRONG_BIN to the bin
 * of our task: at once; three refusals in a row: after 5 s) it asks for the
 * next task.
 *
 * Packer: for each PACK task, scans `ORD-<order>`, each line's GTIN
 * (expected - packed) times, weighs the package at expected_weight_g, closes
 * it, scans the tracking number it gets back, and is done when the package
 * is shipped (status 3). Three refusals in a row: it gives up on the order and
 * asks for work again after 5 s.
 */
#ifndef TOTE_SIM_H
#define TOTE_SIM_H

#include <stdint.h>

#include "tote/wire.h"

typedef struct tote_sim tote_sim;

typedef enum tote_sim_kind {
    TOTE_SIM_NONE = 0,
    TOTE_SIM_SCAN,   /* symbology + data */
    TOTE_SIM_SHORT,  /* task_id, qty, reason */
    TOTE_SIM_WEIGHT, /* grams */
    TOTE_SIM_CLOSE   /* carton */
} tote_sim_kind;

typedef struct tote_sim_action {
    tote_sim_kind kind;
    char symbology[8];
    char data[TOTE_WIRE_SHORT_MAX + 8];
    uint32_t task_id;
    uint32_t qty;
    uint32_t grams;
    char reason[32];
    char carton[16];
    const char *what; /* "bin", "item", "wrong item", "over-pick", "short", "order", "tracking"... */
} tote_sim_action;

/* role: TOTE_ROLE_PICKER, or PACKER/BENCH for the packer. error_rate in
 * [0,1]; seed makes runs repeatable; delay_ms between a reply and the next
 * action. Returns NULL on allocation failure. */
tote_sim *tote_sim_new(uint8_t role, double error_rate, uint64_t seed, int delay_ms);
void tote_sim_destroy(tote_sim **sim);

/* Feed the station's messages (any type; others are ignored). now_ms is a
 * monotonic clock. */
void tote_sim_on_hello(tote_sim *sim, const tote_wire_msg *hello_ok);
void tote_sim_on_reply(tote_sim *sim, const tote_wire_msg *reply, long long now_ms);

/* 1 while the sim has an action planned (due or not): the client must not
 * ask for the next task meanwhile. */
int tote_sim_pending(const tote_sim *sim);

/* 1 when the sim has finished its task (or has none), nothing is planned
 * or awaiting its reply, and it is not backing off (5 s after giving up on a
 * task): time for NEXT_TASK. */
int tote_sim_wants_task(const tote_sim *sim, long long now_ms);

/* When the planned action is due (monotonic ms), or -1 if none. */
long long tote_sim_due(const tote_sim *sim);

/* If an action is due at now_ms, moves it into *act and returns 1. */
int tote_sim_take(tote_sim *sim, long long now_ms, tote_sim_action *act);

/* The barcode a handheld scanner reads off a product with this GTIN-14:
 * "]E0" + 13 digits when it starts with 0, else "]C1" + "01" + gtin. A GTIN of
 * another length is returned as Code 128 ("]C0" + gtin). */
void tote_sim_gtin_barcode(const char *gtin, char symbology[8], char *data, size_t cap);

#endif
