/*
 * Driving the real station for report and console tests: phases at a
 * chosen station time (the station restarted with $TOTE_NOW), and the
 * picker, packer and returns conversations over the real wire codec
 * (fixture_server.h's DEALERs). Every helper checks each reply and records
 * a test failure with the station's message when a step does not go as
 * planned. Header-only (static).
 */
#ifndef TOTE_TEST_REPORT_FLOW_H
#define TOTE_TEST_REPORT_FLOW_H

#include "fixture_server.h"

#define RF_FN static __attribute__((unused))

/* (Re)starts the station on the same ports with its clock at `now`. */
RF_FN int rf_phase(fx_station *st, const char *now)
{
    if (st->proc)
        fx_station_stop(st);
    setenv("TOTE_NOW", now, 1);
    int rc = fx_station_start(st, NULL, 1);
    unsetenv("TOTE_NOW");
    if (rc != 0)
        tt_fail_msg(__FILE__, __LINE__, "station did not start at %s", now);
    return rc;
}

static const char *rf_reply_text(const tote_wire_msg *r)
{
    switch (r->type) {
    case TOTE_WIRE_RESULT:
        return r->u.result.message;
    case TOTE_WIRE_PACK_STATE:
        return r->u.pack_state.message;
    case TOTE_WIRE_NO_TASK:
        return r->u.no_task.message;
    case TOTE_WIRE_ERROR:
        return r->u.error.message;
    default:
        return tote_wire_type_name(r->type);
    }
}

/* 1 if the reply says accepted (RESULT or PACK_STATE). */
static int rf_accepted(const tote_wire_msg *r)
{
    if (r->type == TOTE_WIRE_RESULT)
        return r->u.result.accepted;
    if (r->type == TOTE_WIRE_PACK_STATE)
        return r->u.pack_state.accepted;
    return 0;
}

#define RF_EXPECT(ok, rep, what)                                                \
    do {                                                                        \
        if (!(ok))                                                              \
            tt_fail_msg(__FILE__, __LINE__, "%s: station said %s \"%s\"", what, \
                        tote_wire_type_name((rep)->type), rf_reply_text(rep));  \
    } while (0)

/* A device that says hello with role and logs in with badge (NULL: none). */
RF_FN fx_dev *rf_device(fx_station *st, const char *name, tote_wire_role role, const char *badge)
{
    fx_dev *d = fx_dev_new(st, name);
    tote_wire_msg rep;
    if (!d || fx_hello(d, role, &rep) != 0 || rep.type != TOTE_WIRE_HELLO_OK) {
        tt_fail_msg(__FILE__, __LINE__, "%s: no HELLO_OK", name);
        return d;
    }
    if (badge) {
        char code[96];
        snprintf(code, sizeof code, "BADGE-%s", badge);
        int rc = fx_scan(d, code, &rep);
        RF_EXPECT(rc == 0 && rf_accepted(&rep), &rep, "login");
    }
    return d;
}

/* NEXT_TASK that must give a pick task; fills *task. */
RF_FN int rf_next_pick(fx_dev *d, tote_wire_msg *task)
{
    int rc = fx_next(d, task);
    RF_EXPECT(rc == 0 && task->type == TOTE_WIRE_TASK, task, "next task");
    return rc == 0 && task->type == TOTE_WIRE_TASK ? 0 : -1;
}

/* NEXT_TASK that must say there is nothing (left). */
RF_FN void rf_no_task(fx_dev *d)
{
    tote_wire_msg rep;
    int rc = fx_next(d, &rep);
    RF_EXPECT(rc == 0 && rep.type == TOTE_WIRE_NO_TASK, &rep, "no task expected");
}

/* A SCAN of code that must be accepted (accept = 1) or refused (0). */
RF_FN void rf_scan(fx_dev *d, const char *code, int accept)
{
    tote_wire_msg rep;
    int rc = fx_scan(d, code, &rep);
    RF_EXPECT(rc == 0 && rf_accepted(&rep) == accept, &rep, accept ? "scan accepted" : "scan refused");
}

/* As rf_scan with another scan-carrying request type; the reply is kept in *rep. */
RF_FN void rf_scan_as(fx_dev *d, tote_wire_type type, const char *code, int accept, tote_wire_msg *rep)
{
    int rc = fx_scan_as(d, type, "", code, rep);
    RF_EXPECT(rc == 0 && rf_accepted(rep) == accept, rep, accept ? "accepted" : "refused");
}

/* SHORT_PICK of the task with nothing found. */
RF_FN void rf_short(fx_dev *d, uint32_t task_id)
{
    tote_wire_msg rep;
    int rc = fx_short(d, task_id, 0, "bin empty", &rep);
    RF_EXPECT(rc == 0 && rf_accepted(&rep), &rep, "short pick");
}

/* Weighs (grams) and closes the open package of the bench; the tracking
 * number into tracking (>= 64 bytes). */
RF_FN void rf_pack_close(fx_dev *d, uint32_t grams, char *tracking)
{
    tote_wire_msg rep, m;
    fx_req(d, &m, TOTE_WIRE_PACK_WEIGHT);
    m.u.weight.grams = grams;
    int rc = fx_call(d, &m, &rep);
    RF_EXPECT(rc == 0 && rf_accepted(&rep), &rep, "weigh");
    fx_req(d, &m, TOTE_WIRE_PACK_CLOSE);
    snprintf(m.u.pack_close.carton, sizeof m.u.pack_close.carton, "S");
    rc = fx_call(d, &m, &rep);
    RF_EXPECT(rc == 0 && rf_accepted(&rep) && rep.u.pack_state.tracking[0], &rep, "close");
    const char *t = rc == 0 && rep.type == TOTE_WIRE_PACK_STATE ? rep.u.pack_state.tracking : "";
    size_t n = strnlen(t, 63);
    memcpy(tracking, t, n);
    tracking[n] = '\0';
}

/* Packs one order at a bench: open by order barcode, each item scan
 * (accepted), then rf_pack_close. */
RF_FN void rf_pack(fx_dev *d, const char *order, const char *const *items, int nitems, uint32_t grams,
                   char *tracking)
{
    tote_wire_msg rep;
    char code[96];
    snprintf(code, sizeof code, "ORD-%s", order);
    rf_scan_as(d, TOTE_WIRE_PACK_OPEN, code, 1, &rep);
    for (int i = 0; i < nitems; i++)
        rf_scan_as(d, TOTE_WIRE_PACK_ITEM, items[i], 1, &rep);
    rf_pack_close(d, grams, tracking);
}

/* Scans the label (tracking) to ship the package just closed. */
RF_FN void rf_ship(fx_dev *d, const char *tracking)
{
    tote_wire_msg rep;
    rf_scan_as(d, TOTE_WIRE_LABEL_CONFIRM, tracking, 1, &rep);
}

/* A returned item: scan, restock to where it was picked, with a reason. */
RF_FN void rf_return_item(fx_dev *d, const char *code, const char *reason)
{
    tote_wire_msg m, rep;
    fx_req(d, &m, TOTE_WIRE_RETURN_ITEM);
    fx_fill_scan(&m.u.return_item.scan, "", code);
    m.u.return_item.disposition = TOTE_RETURN_RESTOCK;
    snprintf(m.u.return_item.reason, sizeof m.u.return_item.reason, "%s", reason);
    int rc = fx_call(d, &m, &rep);
    RF_EXPECT(rc == 0 && rf_accepted(&rep), &rep, "return item");
}

RF_FN void rf_return_close(fx_dev *d)
{
    tote_wire_msg m, rep;
    fx_req(d, &m, TOTE_WIRE_RETURN_CLOSE);
    int rc = fx_call(d, &m, &rep);
    RF_EXPECT(rc == 0 && rf_accepted(&rep), &rep, "return close");
}

/* A console's SNAPSHOT (seq 0): the reply's JSON parsed, or NULL (and a
 * failure unless the reply is an ERROR and allow_error). */
RF_FN cJSON *rf_snapshot(fx_dev *d, const char *what, const char *arg, int allow_error)
{
    tote_wire_msg m, rep;
    tote_wire_init(&m, TOTE_WIRE_SNAPSHOT, d->name, 0);
    snprintf(m.u.snapshot.what, sizeof m.u.snapshot.what, "%s", what);
    snprintf(m.u.snapshot.arg, sizeof m.u.snapshot.arg, "%s", arg ? arg : "");
    if (fx_call(d, &m, &rep) != 0) {
        tt_fail_msg(__FILE__, __LINE__, "snapshot %s: no reply", what);
        return NULL;
    }
    if (rep.type != TOTE_WIRE_SNAPSHOT_REPLY) {
        if (!allow_error)
            tt_fail_msg(__FILE__, __LINE__, "snapshot %s: %s \"%s\"", what, tote_wire_type_name(rep.type),
                        rf_reply_text(&rep));
        return NULL;
    }
    cJSON *j = cJSON_Parse(rep.u.snapshot_reply.json);
    if (!j)
        tt_fail_msg(__FILE__, __LINE__, "snapshot %s: not JSON", what);
    return j;
}

#endif
