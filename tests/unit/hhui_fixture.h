/*
 * What test_hhui.c and test_hhui_json.c share (header-only, static inline):
 * the UI writing into a memory stream, the messages as the station sends
 * them, and one function per event to fire at the UI.
 */
#ifndef TOTE_TESTS_HHUI_FIXTURE_H
#define TOTE_TESTS_HHUI_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "tote/hhui.h"
#include "tote/wire.h"

/* ---------------- capturing what the UI writes ---------------- */

typedef struct cap {
    FILE *f;
    char *buf;
    size_t len;
    tote_hhui *ui;
} cap;

static inline int cap_open(cap *c, tote_hhui_style mode, const char *device, uint8_t role)
{
    memset(c, 0, sizeof *c);
    c->f = open_memstream(&c->buf, &c->len);
    if (!c->f)
        return -1;
    c->ui = tote_hhui_new(c->f, mode, device, role);
    return c->ui ? 0 : -1;
}

static inline void cap_close(cap *c)
{
    tote_hhui_destroy(&c->ui);
    CHECK(c->ui == NULL);
    if (c->f)
        fclose(c->f);
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* Everything written so far (NUL-terminated by open_memstream). */
static inline const char *cap_text(cap *c)
{
    fflush(c->f);
    return c->buf ? c->buf : "";
}

/* ---------------- messages as the station sends them ---------------- */

static inline void set(char *dst, size_t size, const char *s)
{
    snprintf(dst, size, "%s", s ? s : "");
}
#define SET(arr, s) set((arr), sizeof(arr), (s))

static inline const tote_wire_msg *hello_ok(const char *version, const char *operator_name)
{
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_HELLO_OK, "hh-7", 1);
    SET(m.u.hello_ok.station_version, version);
    m.u.hello_ok.heartbeat_ms = 2000;
    m.u.hello_ok.lease_ms = 120000;
    m.u.hello_ok.last_seq = 4;
    m.u.hello_ok.require_bin_scan = 1;
    SET(m.u.hello_ok.operator_name, operator_name);
    return &m;
}

typedef struct pick_spec {
    const char *bin, *sku, *name, *gtin, *lot, *tote, *order;
    uint32_t total, done, tasks_left;
    uint8_t bin_confirmed;
} pick_spec;

/* 3 blue mugs from A-01-02, 1 picked, bin not scanned yet, 3 tasks left. */
static const pick_spec MUG = {"A-01-02", "SKU-MUG", "Blue mug", "09506000134352", "L42", "T-07", "#1001", 3,
                              1,         3,         0};

static inline const tote_wire_msg *pick_task(const pick_spec *p)
{
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_TASK, "hh-7", 2);
    m.u.task.kind = TOTE_TASK_PICK;
    m.u.task.task_id = 17;
    m.u.task.pick_list_id = 5;
    SET(m.u.task.bin, p->bin);
    SET(m.u.task.sku, p->sku);
    SET(m.u.task.name, p->name);
    SET(m.u.task.gtin, p->gtin);
    SET(m.u.task.lot, p->lot);
    m.u.task.qty_total = p->total;
    m.u.task.qty_done = p->done;
    SET(m.u.task.tote, p->tote);
    SET(m.u.task.order, p->order);
    m.u.task.tasks_left = p->tasks_left;
    m.u.task.bin_confirmed = p->bin_confirmed;
    return &m;
}

static inline const tote_wire_msg *pack_task(const char *order, const char *tote)
{
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_TASK, "hh-7", 2);
    m.u.task.kind = TOTE_TASK_PACK;
    m.u.task.task_id = 1001;
    SET(m.u.task.tote, tote);
    SET(m.u.task.order, order);
    return &m;
}

static inline const tote_wire_msg *no_task(const char *message)
{
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_NO_TASK, "hh-7", 2);
    SET(m.u.no_task.message, message);
    return &m;
}

static inline const tote_wire_msg *result(uint32_t seq, int accepted, tote_wire_reason reason,
                                          const char *message, uint32_t qty_done, uint32_t qty_left,
                                          int task_done)
{
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_RESULT, "hh-7", seq);
    m.u.result.accepted = (uint8_t)accepted;
    m.u.result.reason = (uint16_t)reason;
    m.u.result.feedback =
        accepted ? (task_done ? TOTE_FEEDBACK_DONE : TOTE_FEEDBACK_GOOD) : TOTE_FEEDBACK_ERROR;
    SET(m.u.result.message, message);
    m.u.result.qty_done = qty_done;
    m.u.result.qty_left = qty_left;
    m.u.result.task_done = (uint8_t)task_done;
    return &m;
}

/* Package 1 of #1001, open, not weighed: 2 of 2 mugs packed, 0 of 1 plate. */
static inline tote_wire_msg *pack_state(uint32_t seq, int accepted, tote_wire_reason reason,
                                        const char *message)
{
    static tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_PACK_STATE, "hh-7", seq);
    m.u.pack_state.accepted = (uint8_t)accepted;
    m.u.pack_state.reason = (uint16_t)reason;
    m.u.pack_state.feedback = accepted ? TOTE_FEEDBACK_GOOD : TOTE_FEEDBACK_ERROR;
    SET(m.u.pack_state.message, message);
    SET(m.u.pack_state.order, "#1001");
    m.u.pack_state.package_id = 77;
    m.u.pack_state.package_no = 1;
    m.u.pack_state.expected_weight_g = 640;
    m.u.pack_state.weight_g = 0;
    m.u.pack_state.status = 1;
    m.u.pack_state.line_count = 2;
    SET(m.u.pack_state.lines[0].sku, "SKU-MUG");
    SET(m.u.pack_state.lines[0].gtin, "09506000134352");
    SET(m.u.pack_state.lines[0].name, "Blue mug");
    m.u.pack_state.lines[0].expected = 2;
    m.u.pack_state.lines[0].packed = 2;
    SET(m.u.pack_state.lines[1].sku, "SKU-PLATE");
    SET(m.u.pack_state.lines[1].gtin, "");
    SET(m.u.pack_state.lines[1].name, "Red plate");
    m.u.pack_state.lines[1].expected = 1;
    m.u.pack_state.lines[1].packed = 0;
    return &m;
}

/* ---------------- events, one function each ---------------- */

typedef void (*fire_fn)(tote_hhui *ui);

static inline void l_hello(tote_hhui *ui)
{
    tote_hhui_hello(ui, hello_ok("1.2.3", "Ada"), 5, 2);
}
static inline void l_hello_no_op(tote_hhui *ui)
{
    tote_hhui_hello(ui, hello_ok("1.2.3", ""), 1, 0);
}
static inline void l_pick(tote_hhui *ui)
{
    tote_hhui_task(ui, pick_task(&MUG));
}
static inline void l_pack(tote_hhui *ui)
{
    tote_hhui_task(ui, pack_task("#1001", "T-07"));
}
static inline void l_no_task(tote_hhui *ui)
{
    tote_hhui_no_task(ui, no_task("no work released"));
}
static inline void l_ok(tote_hhui *ui)
{
    tote_hhui_result(ui, result(3, 1, TOTE_REASON_OK, "2 of 3 SKU-MUG", 2, 1, 0), TOTE_WIRE_SCAN, 0);
}
static inline void l_ok_bare(tote_hhui *ui)
{
    tote_hhui_result(ui, result(3, 1, TOTE_REASON_OK, "", 2, 1, 0), TOTE_WIRE_SHORT_PICK, 0);
}
static inline void l_refused(tote_hhui *ui)
{
    tote_hhui_result(ui, result(4, 0, TOTE_REASON_WRONG_ITEM, "this pick is SKU-MUG", 2, 1, 0),
                     TOTE_WIRE_SCAN, 0);
}
static inline void l_replayed(tote_hhui *ui)
{
    tote_hhui_result(ui, result(2, 0, TOTE_REASON_OVER_PICK, "", 3, 0, 0), TOTE_WIRE_SCAN, 1);
}
static inline void l_pack_state(tote_hhui *ui)
{
    tote_wire_msg *ps = pack_state(7, 1, TOTE_REASON_OK, "");
    ps->u.pack_state.weight_g = 640;
    tote_hhui_pack_state(ui, ps, TOTE_WIRE_PACK_WEIGHT, 0);
}
static inline void l_pack_refused(tote_hhui *ui)
{
    tote_wire_msg *ps = pack_state(8, 0, TOTE_REASON_WEIGHT_MISMATCH, "655 g, expected 640 g");
    ps->u.pack_state.status = 2;
    ps->u.pack_state.weight_g = 655;
    SET(ps->u.pack_state.tracking, "RR123456785NL");
    tote_hhui_pack_state(ui, ps, TOTE_WIRE_PACK_CLOSE, 1);
}
static inline void l_offline(tote_hhui *ui)
{
    tote_hhui_offline(ui, 3);
}
static inline void l_queued(tote_hhui *ui)
{
    tote_hhui_queued(ui, 9, TOTE_WIRE_SCAN, 4);
}
static inline void l_online(tote_hhui *ui)
{
    tote_hhui_online(ui, 4);
}
static inline void l_replayed_one(tote_hhui *ui)
{
    tote_hhui_replayed(ui, 1, 0);
}
static inline void l_replayed_two(tote_hhui *ui)
{
    tote_hhui_replayed(ui, 2, 1);
}
static inline void l_replayed_none(tote_hhui *ui)
{
    tote_hhui_replayed(ui, 0, 0);
}
static inline void l_error(tote_hhui *ui)
{
    tote_hhui_error(ui, "DENIED", "pickers may not do that", 6, TOTE_WIRE_SCAN);
}
static inline void l_scanner(tote_hhui *ui)
{
    tote_hhui_scanner(ui, "stdin", "ready");
}
static inline void l_mode_on(tote_hhui *ui)
{
    tote_hhui_mode(ui, 1, TOTE_RETURN_RESTOCK, "R-09", "damaged");
}
static inline void l_mode_off(tote_hhui *ui)
{
    tote_hhui_mode(ui, 0, TOTE_RETURN_QUARANTINE, "", "");
}
static inline void l_info(tote_hhui *ui)
{
    tote_hhui_info(ui, "quitting");
}

#endif
