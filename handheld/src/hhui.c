/* The handheld's terminal UI and --json event stream (tote/hhui.h). */
#include "tote/hhui.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tote_hhui {
    FILE *out;
    tote_hhui_style mode;
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    uint8_t role;
    /* view model for the screen */
    int online;
    int known; /* online or offline has been decided once */
    long queued;
    char operator_name[TOTE_WIRE_TEXT_MAX + 1];
    int have_task;
    tote_wire_msg task;
    int have_pack;
    tote_wire_msg pack;
    char last[512];
    char notice[512];
    char scanner[160];
    int return_mode;
    char mode_text[400];
};

tote_hhui *tote_hhui_new(FILE *out, tote_hhui_style mode, const char *device, uint8_t role)
{
    tote_hhui *ui = calloc(1, sizeof *ui);
    if (!ui)
        return NULL;
    ui->out = out;
    if (mode == TOTE_HHUI_AUTO)
        mode = isatty(fileno(out)) ? TOTE_HHUI_SCREEN : TOTE_HHUI_LINES;
    ui->mode = mode;
    snprintf(ui->device, sizeof ui->device, "%s", device ? device : "");
    ui->role = role;
    snprintf(ui->last, sizeof ui->last, "-");
    return ui;
}

void tote_hhui_destroy(tote_hhui **ui)
{
    if (!ui || !*ui)
        return;
    free(*ui);
    *ui = NULL;
}

/* ---------------- output helpers ---------------- */

static cJSON *ev_new(const char *event)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "event", event);
    return o;
}

static void ev_emit(tote_hhui *ui, cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    if (s) {
        fputs(s, ui->out);
        fputc('\n', ui->out);
        fflush(ui->out);
        cJSON_free(s);
    }
    cJSON_Delete(o);
}

static void line(tote_hhui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void line(tote_hhui *ui, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ui->out, fmt, ap);
    va_end(ap);
    fputc('\n', ui->out);
    fflush(ui->out);
}

static const char *type_label(uint8_t type)
{
    return type ? tote_wire_type_name(type) : "";
}

static const char *pack_status_name(uint8_t st)
{
    static const char *const n[] = {"none", "open", "closed", "shipped"};
    return st <= 3 ? n[st] : "unknown";
}

static const char *disposition_name(uint8_t d)
{
    return d == TOTE_RETURN_QUARANTINE ? "quarantine" : "restock";
}

/* The whole screen, for a terminal. */
static void redraw(tote_hhui *ui)
{
    if (ui->mode != TOTE_HHUI_SCREEN)
        return;
    FILE *o = ui->out;
    fputs("\033[H\033[2J", o);
    fprintf(o, "Tote handheld %s (%s)   %s", ui->device, tote_wire_role_name(ui->role),
            !ui->known   ? "CONNECTING"
            : ui->online ? "ONLINE"
                         : "OFFLINE");
    if (ui->queued > 0)
        fprintf(o, "   %ld queued", ui->queued);
    if (ui->operator_name[0])
        fprintf(o, "   operator %s", ui->operator_name);
    fputs("\n----------------------------------------------------------------\n", o);
    if (ui->known && !ui->online)
        fprintf(o, "  STATION NOT ANSWERING - scans are kept and sent later (%ld queued)\n\n", ui->queued);
    if (ui->return_mode)
        fprintf(o, "  RETURNS  %s\n\n", ui->mode_text);
    if (ui->have_task && ui->task.u.task.kind == TOTE_TASK_PICK) {
        const __typeof__(ui->task.u.task) *t = &ui->task.u.task;
        uint32_t left = t->qty_total > t->qty_done ? t->qty_total - t->qty_done : 0;
        fprintf(o, "  PICK                      (%u task%s left in this list)\n", t->tasks_left,
                t->tasks_left == 1 ? "" : "s");
        fprintf(o, "  Bin   %-12s %s\n", t->bin, t->bin_confirmed ? "(confirmed)" : "<- scan the bin");
        fprintf(o, "  Item  %s  %s\n", t->sku, t->name);
        if (t->gtin[0])
            fprintf(o, "  GTIN  %s%s%s\n", t->gtin, t->lot[0] ? "   lot " : "", t->lot);
        fprintf(o, "  Qty   %u left   (%u of %u picked)\n", left, t->qty_done, t->qty_total);
        fprintf(o, "  Tote  %-12s order %s\n", t->tote, t->order);
    } else if (ui->have_task && ui->task.u.task.kind == TOTE_TASK_PACK) {
        fprintf(o, "  PACK  order %s from tote %s  <- scan the tote or order\n", ui->task.u.task.order,
                ui->task.u.task.tote);
    } else {
        fputs("  No task.\n", o);
    }
    if (ui->have_pack) {
        const __typeof__(ui->pack.u.pack_state) *p = &ui->pack.u.pack_state;
        fprintf(o, "\n  Package %u of order %s: %s", p->package_no, p->order, pack_status_name(p->status));
        fprintf(o, "   weight %u g (expected %u g)", p->weight_g, p->expected_weight_g);
        if (p->tracking[0])
            fprintf(o, "   tracking %s", p->tracking);
        fputc('\n', o);
        for (uint16_t i = 0; i < p->line_count && i < TOTE_WIRE_PACK_LINES_MAX; i++)
            fprintf(o, "   %s %-14s %3u/%-3u %s\n", p->lines[i].packed >= p->lines[i].expected ? "ok" : "  ",
                    p->lines[i].sku, p->lines[i].packed, p->lines[i].expected, p->lines[i].name);
    }
    fprintf(o, "\n  Last: %s\n", ui->last);
    if (ui->notice[0])
        fprintf(o, "  %s\n", ui->notice);
    if (ui->scanner[0])
        fprintf(o, "  Scanner: %s\n", ui->scanner);
    fprintf(o, "\n  keys: %s\n", tote_hhui_keys(ui->role, ui->return_mode));
    fflush(o);
}

const char *tote_hhui_keys(uint8_t role, int return_mode)
{
    if (return_mode)
        return "!restock [BIN]  !quarantine  !reason TEXT  !return  !logout  !quit";
    if (role == TOTE_ROLE_PICKER)
        return "!short QTY [REASON]  !next  !help  !logout  !quit";
    if (role == TOTE_ROLE_PACKER || role == TOTE_ROLE_BENCH)
        return "!weight G  !close  !carton  !return  !next  !help  !logout  !quit";
    return "!short QTY [REASON]  !weight G  !close  !next  !return  !logout  !quit";
}

/* ---------------- events ---------------- */

void tote_hhui_hello(tote_hhui *ui, const tote_wire_msg *m, uint32_t next_seq, long queued)
{
    ui->known = 1;
    ui->online = 1;
    ui->queued = queued;
    snprintf(ui->operator_name, sizeof ui->operator_name, "%s", m->u.hello_ok.operator_name);
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("hello_ok");
        cJSON_AddStringToObject(o, "device", ui->device);
        cJSON_AddStringToObject(o, "role", tote_wire_role_name(ui->role));
        cJSON_AddStringToObject(o, "station_version", m->u.hello_ok.station_version);
        cJSON_AddNumberToObject(o, "heartbeat_ms", m->u.hello_ok.heartbeat_ms);
        cJSON_AddNumberToObject(o, "lease_ms", m->u.hello_ok.lease_ms);
        cJSON_AddNumberToObject(o, "last_seq", m->u.hello_ok.last_seq);
        cJSON_AddNumberToObject(o, "next_seq", next_seq);
        cJSON_AddBoolToObject(o, "require_bin_scan", m->u.hello_ok.require_bin_scan);
        cJSON_AddStringToObject(o, "operator", m->u.hello_ok.operator_name);
        cJSON_AddNumberToObject(o, "queued", (double)queued);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "connected to station %s as %s (%s)%s%s; next seq %u, %ld queued",
             m->u.hello_ok.station_version, ui->device, tote_wire_role_name(ui->role),
             m->u.hello_ok.operator_name[0] ? ", operator " : "", m->u.hello_ok.operator_name, next_seq,
             queued);
    }
    snprintf(ui->notice, sizeof ui->notice, "connected to station %s", m->u.hello_ok.station_version);
    redraw(ui);
}

void tote_hhui_task(tote_hhui *ui, const tote_wire_msg *m)
{
    const __typeof__(m->u.task) *t = &m->u.task;
    uint32_t left = t->qty_total > t->qty_done ? t->qty_total - t->qty_done : 0;
    ui->have_task = 1;
    ui->task = *m;
    if (t->kind == TOTE_TASK_PACK)
        ui->have_pack = 0;
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("task");
        cJSON_AddNumberToObject(o, "seq", m->seq);
        cJSON_AddStringToObject(o, "kind", t->kind == TOTE_TASK_PACK ? "pack" : "pick");
        cJSON_AddNumberToObject(o, "task_id", t->task_id);
        cJSON_AddNumberToObject(o, "pick_list_id", t->pick_list_id);
        cJSON_AddStringToObject(o, "bin", t->bin);
        cJSON_AddStringToObject(o, "sku", t->sku);
        cJSON_AddStringToObject(o, "name", t->name);
        cJSON_AddStringToObject(o, "gtin", t->gtin);
        cJSON_AddStringToObject(o, "lot", t->lot);
        cJSON_AddNumberToObject(o, "qty_total", t->qty_total);
        cJSON_AddNumberToObject(o, "qty_done", t->qty_done);
        cJSON_AddNumberToObject(o, "qty_left", left);
        cJSON_AddStringToObject(o, "tote", t->tote);
        cJSON_AddStringToObject(o, "order", t->order);
        cJSON_AddNumberToObject(o, "tasks_left", t->tasks_left);
        cJSON_AddBoolToObject(o, "bin_confirmed", t->bin_confirmed);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        if (t->kind == TOTE_TASK_PACK)
            line(ui, "task: pack order %s from tote %s", t->order, t->tote);
        else
            line(ui, "task: pick %u x %s (%s) from bin %s into tote %s for order %s", left, t->sku, t->name,
                 t->bin, t->tote, t->order);
    }
    ui->notice[0] = '\0';
    redraw(ui);
}

void tote_hhui_no_task(tote_hhui *ui, const tote_wire_msg *m)
{
    int was = ui->have_task;
    ui->have_task = 0;
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("no_task");
        cJSON_AddNumberToObject(o, "seq", m->seq);
        cJSON_AddStringToObject(o, "message", m->u.no_task.message);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "no task: %s", m->u.no_task.message);
    }
    snprintf(ui->notice, sizeof ui->notice, "no task: %s", m->u.no_task.message);
    if (was || ui->mode == TOTE_HHUI_SCREEN)
        redraw(ui);
}

/* The screen's "Last:" line for a station reply: "OK - message" or
 * "REFUSED reason - message", "(replayed) " first for a stored reply. */
static void set_last(tote_hhui *ui, int replay, int accepted, uint16_t reason, const char *message)
{
    snprintf(ui->last, sizeof ui->last, "%s%s%s%s%s%s", replay ? "(replayed) " : "",
             accepted ? "OK" : "REFUSED", accepted ? "" : " ", accepted ? "" : tote_wire_reason_text(reason),
             message[0] ? " - " : "", message);
}

void tote_hhui_result(tote_hhui *ui, const tote_wire_msg *m, uint8_t request_type, int replay)
{
    const __typeof__(m->u.result) *r = &m->u.result;
    /* A reply about the pick task finished it or says units are left on it;
     * one with neither (a badge login, a NO_TASK refusal) says nothing of it. */
    int about_task = r->task_done || r->qty_left > 0;
    if (ui->have_task && ui->task.u.task.kind == TOTE_TASK_PICK) {
        if (r->accepted && about_task) { /* a refusal changed nothing, whatever counts it carries */
            ui->task.u.task.qty_done = r->qty_done;
            if (request_type == TOTE_WIRE_SCAN) /* its bin or its item: the bin is right */
                ui->task.u.task.bin_confirmed = 1;
        }
        if (r->task_done)
            ui->have_task = 0;
    }
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("result");
        cJSON_AddNumberToObject(o, "seq", m->seq);
        cJSON_AddStringToObject(o, "request", type_label(request_type));
        cJSON_AddBoolToObject(o, "accepted", r->accepted);
        cJSON_AddStringToObject(o, "reason", tote_wire_reason_name(r->reason));
        cJSON_AddStringToObject(o, "reason_text", tote_wire_reason_text(r->reason));
        cJSON_AddStringToObject(o, "message", r->message);
        cJSON_AddStringToObject(o, "feedback", tote_wire_feedback_name(r->feedback));
        cJSON_AddNumberToObject(o, "qty_done", r->qty_done);
        cJSON_AddNumberToObject(o, "qty_left", r->qty_left);
        cJSON_AddBoolToObject(o, "task_done", r->task_done);
        cJSON_AddBoolToObject(o, "replay", replay);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "%s%s #%u: %s%s%s%s", replay ? "replayed " : "", type_label(request_type), (unsigned)m->seq,
             r->accepted ? "ok" : "REFUSED: ", r->accepted ? "" : tote_wire_reason_text(r->reason),
             r->message[0] ? " - " : "", r->message);
    }
    set_last(ui, replay, r->accepted, r->reason, r->message);
    redraw(ui);
}

void tote_hhui_pack_state(tote_hhui *ui, const tote_wire_msg *m, uint8_t request_type, int replay)
{
    const __typeof__(m->u.pack_state) *p = &m->u.pack_state;
    if (p->order[0] || p->line_count) {
        ui->have_pack = 1;
        ui->pack = *m;
    }
    if (p->status == 3)
        ui->have_task = 0;
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("pack_state");
        cJSON_AddNumberToObject(o, "seq", m->seq);
        cJSON_AddStringToObject(o, "request", type_label(request_type));
        cJSON_AddBoolToObject(o, "accepted", p->accepted);
        cJSON_AddStringToObject(o, "reason", tote_wire_reason_name(p->reason));
        cJSON_AddStringToObject(o, "reason_text", tote_wire_reason_text(p->reason));
        cJSON_AddStringToObject(o, "message", p->message);
        cJSON_AddStringToObject(o, "feedback", tote_wire_feedback_name(p->feedback));
        cJSON_AddStringToObject(o, "order", p->order);
        cJSON_AddNumberToObject(o, "package_id", p->package_id);
        cJSON_AddNumberToObject(o, "package_no", p->package_no);
        cJSON_AddNumberToObject(o, "expected_weight_g", p->expected_weight_g);
        cJSON_AddNumberToObject(o, "weight_g", p->weight_g);
        cJSON_AddStringToObject(o, "tracking", p->tracking);
        cJSON_AddStringToObject(o, "sscc", p->sscc);
        cJSON_AddStringToObject(o, "status", pack_status_name(p->status));
        cJSON *lines = cJSON_AddArrayToObject(o, "lines");
        for (uint16_t i = 0; i < p->line_count && i < TOTE_WIRE_PACK_LINES_MAX; i++) {
            cJSON *l = cJSON_CreateObject();
            cJSON_AddStringToObject(l, "sku", p->lines[i].sku);
            cJSON_AddStringToObject(l, "gtin", p->lines[i].gtin);
            cJSON_AddStringToObject(l, "name", p->lines[i].name);
            cJSON_AddNumberToObject(l, "expected", p->lines[i].expected);
            cJSON_AddNumberToObject(l, "packed", p->lines[i].packed);
            cJSON_AddItemToArray(lines, l);
        }
        cJSON_AddBoolToObject(o, "replay", replay);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "%s%s #%u: %s%s%s%s (order %s, package %u %s, %u/%u g%s%s)", replay ? "replayed " : "",
             type_label(request_type), (unsigned)m->seq,
             p->accepted ? "ok" : "REFUSED: ", p->accepted ? "" : tote_wire_reason_text(p->reason),
             p->message[0] ? " - " : "", p->message, p->order, p->package_no, pack_status_name(p->status),
             p->weight_g, p->expected_weight_g, p->tracking[0] ? ", tracking " : "", p->tracking);
    }
    set_last(ui, replay, p->accepted, p->reason, p->message);
    redraw(ui);
}

void tote_hhui_offline(tote_hhui *ui, long queued)
{
    ui->known = 1;
    ui->online = 0;
    ui->queued = queued;
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("offline");
        cJSON_AddNumberToObject(o, "queued", (double)queued);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "offline, %ld queued", queued);
    }
    redraw(ui);
}

void tote_hhui_online(tote_hhui *ui, long queued)
{
    ui->known = 1;
    ui->online = 1;
    ui->queued = queued;
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("online");
        cJSON_AddNumberToObject(o, "queued", (double)queued);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "online again, replaying %ld queued", queued);
    }
    redraw(ui);
}

void tote_hhui_queued(tote_hhui *ui, uint32_t seq, uint8_t request_type, long queued)
{
    ui->queued = queued;
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("queued");
        cJSON_AddNumberToObject(o, "seq", seq);
        cJSON_AddStringToObject(o, "request", type_label(request_type));
        cJSON_AddNumberToObject(o, "queued", (double)queued);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "offline: %s kept in the outbox, %ld queued", type_label(request_type), queued);
    }
    snprintf(ui->last, sizeof ui->last, "kept %s for later (offline)", type_label(request_type));
    redraw(ui);
}

void tote_hhui_replayed(tote_hhui *ui, int count, int refused)
{
    ui->queued = 0;
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("replayed");
        cJSON_AddNumberToObject(o, "count", count);
        cJSON_AddNumberToObject(o, "refused", refused);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "replayed %d queued request%s, %d refused", count, count == 1 ? "" : "s", refused);
    }
    snprintf(ui->notice, sizeof ui->notice, "replayed %d queued, %d refused", count, refused);
    redraw(ui);
}

void tote_hhui_error(tote_hhui *ui, const char *code, const char *message, uint32_t seq, uint8_t request_type)
{
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("error");
        cJSON_AddStringToObject(o, "code", code);
        cJSON_AddStringToObject(o, "message", message);
        if (seq)
            cJSON_AddNumberToObject(o, "seq", seq);
        if (request_type)
            cJSON_AddStringToObject(o, "request", type_label(request_type));
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "error %s: %s", code, message);
    }
    snprintf(ui->last, sizeof ui->last, "ERROR %s: %s", code, message);
    redraw(ui);
}

void tote_hhui_scanner(tote_hhui *ui, const char *kind, const char *status)
{
    snprintf(ui->scanner, sizeof ui->scanner, "%s: %s", kind, status);
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("scanner");
        cJSON_AddStringToObject(o, "kind", kind);
        cJSON_AddStringToObject(o, "status", status);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "scanner %s: %s", kind, status);
    }
    redraw(ui);
}

void tote_hhui_mode(tote_hhui *ui, int return_mode, uint8_t disposition, const char *location,
                    const char *reason)
{
    ui->return_mode = return_mode;
    snprintf(ui->mode_text, sizeof ui->mode_text, "%s%s%s%s%s", disposition_name(disposition),
             location[0] ? " into " : "", location, reason[0] ? ", reason: " : "", reason);
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("mode");
        cJSON_AddBoolToObject(o, "return_mode", return_mode);
        cJSON_AddStringToObject(o, "disposition", disposition_name(disposition));
        cJSON_AddStringToObject(o, "location", location);
        cJSON_AddStringToObject(o, "reason", reason);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "return mode %s (%s)", return_mode ? "on" : "off", ui->mode_text);
    }
    redraw(ui);
}

void tote_hhui_info(tote_hhui *ui, const char *message)
{
    if (ui->mode == TOTE_HHUI_JSON) {
        cJSON *o = ev_new("info");
        cJSON_AddStringToObject(o, "message", message);
        ev_emit(ui, o);
    } else if (ui->mode == TOTE_HHUI_LINES) {
        line(ui, "%s", message);
    }
    snprintf(ui->notice, sizeof ui->notice, "%s", message);
    redraw(ui);
}
