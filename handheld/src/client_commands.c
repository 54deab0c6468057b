/* The handheld's keypad commands ('!login', '!return', ...): tote/client.h
 * lists them. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_internal.h"

/* ---------------- keypad commands ---------------- */

void client_show_mode(tote_client *c)
{
    tote_hhui_mode(c->ui, c->return_mode, c->disposition, c->location, c->reason);
}

static int parse_u32(const char *s, uint32_t *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v > UINT32_MAX || s[0] == '-' || s[0] == '+')
        return -1;
    *out = (uint32_t)v;
    return 0;
}

void client_command(tote_client *c, const char *line)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", line + 1); /* after '!' */
    size_t n = strlen(buf);
    while (n && isspace((unsigned char)buf[n - 1]))
        buf[--n] = '\0';
    char *p = buf;
    while (isspace((unsigned char)*p))
        p++;
    char *verb = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (*p)
        *p++ = '\0';
    while (isspace((unsigned char)*p))
        p++;
    char *rest = p; /* the arguments, as typed */
    char *arg1 = NULL, *arg2 = NULL;
    char args[512];
    snprintf(args, sizeof args, "%s", rest);
    char *save = NULL;
    arg1 = strtok_r(args, " \t", &save);
    if (arg1)
        arg2 = strtok_r(NULL, " \t", &save);
    static tote_wire_msg m;

    if (strcmp(verb, "short") == 0) {
        uint32_t qty;
        if (!arg1 || parse_u32(arg1, &qty) != 0) {
            client_ui_errorf(c, "BAD_COMMAND", 0, 0,
                             "!short needs the quantity found in the bin, e.g. !short 2 damaged");
            return;
        }
        if (!c->have_task || c->task.u.task.kind != TOTE_TASK_PICK) {
            client_ui_errorf(c, "BAD_COMMAND", 0, 0, "there is no pick task to report short");
            return;
        }
        const char *why = rest + strlen(arg1);
        while (isspace((unsigned char)*why))
            why++;
        tote_wire_init(&m, TOTE_WIRE_SHORT_PICK, c->device, 0);
        m.u.short_pick.task_id = c->task.u.task.task_id;
        m.u.short_pick.qty_found = qty;
        snprintf(m.u.short_pick.reason, sizeof m.u.short_pick.reason, "%s",
                 *why ? why : (c->reason[0] ? c->reason : "short"));
        client_submit(c, &m);
    } else if (strcmp(verb, "weight") == 0) {
        uint32_t g;
        if (!arg1 || arg2 || parse_u32(arg1, &g) != 0) {
            client_ui_errorf(c, "BAD_COMMAND", 0, 0,
                             "!weight needs the package weight in grams, e.g. !weight 1250");
            return;
        }
        tote_wire_init(&m, TOTE_WIRE_PACK_WEIGHT, c->device, 0);
        m.u.weight.grams = g;
        client_submit(c, &m);
    } else if (strcmp(verb, "close") == 0 || strcmp(verb, "carton") == 0) {
        /* !carton: this carton is full, the rest of the order goes into another */
        if (arg2 || (arg1 && strlen(arg1) > TOTE_WIRE_SHORT_MAX)) {
            client_ui_errorf(c, "BAD_COMMAND", 0, 0, "!%s takes one carton code of at most %d characters",
                             verb, TOTE_WIRE_SHORT_MAX);
            return;
        }
        tote_wire_init(&m, TOTE_WIRE_PACK_CLOSE, c->device, 0);
        snprintf(m.u.pack_close.carton, sizeof m.u.pack_close.carton, "%s", arg1 ? arg1 : "");
        m.u.pack_close.more = strcmp(verb, "carton") == 0;
        client_submit(c, &m);
    } else if (strcmp(verb, "next") == 0) {
        c->login_blocked = 0;
        c->need_task = 0;
        client_submit_simple(c, TOTE_WIRE_NEXT_TASK);
    } else if (strcmp(verb, "logout") == 0) {
        c->have_task = 0;
        c->need_task = 0;
        c->login_blocked = 1;
        client_submit_simple(c, TOTE_WIRE_LOGOUT);
    } else if (strcmp(verb, "override") == 0) {
        uint8_t kind = 0;
        if (arg1 && strcmp(arg1, "weight") == 0)
            kind = TOTE_OVERRIDE_WEIGHT;
        else if (arg1 && strcmp(arg1, "short") == 0)
            kind = TOTE_OVERRIDE_SHORT_CLOSE;
        if (!kind || !arg2 || strlen(arg2) > TOTE_WIRE_SHORT_MAX) {
            client_ui_errorf(c, "BAD_COMMAND", 0, 0,
                             "!override needs weight or short and a supervisor badge, e.g. "
                             "!override weight BADGE-S1");
            return;
        }
        tote_wire_init(&m, TOTE_WIRE_OVERRIDE, c->device, 0);
        m.u.override_.kind = kind;
        snprintf(m.u.override_.badge, sizeof m.u.override_.badge, "%s", arg2);
        client_submit(c, &m);
    } else if (strcmp(verb, "return") == 0) {
        c->return_mode = !c->return_mode;
        if (c->return_mode)
            c->need_task = 0;
        else
            client_submit_simple(c, TOTE_WIRE_RETURN_CLOSE);
        client_show_mode(c);
    } else if (strcmp(verb, "restock") == 0) {
        if (arg2 || (arg1 && strlen(arg1) > TOTE_WIRE_SHORT_MAX)) {
            client_ui_errorf(c, "BAD_COMMAND", 0, 0, "!restock takes one bin code of at most %d characters",
                             TOTE_WIRE_SHORT_MAX);
            return;
        }
        c->disposition = TOTE_RETURN_RESTOCK;
        snprintf(c->location, sizeof c->location, "%s", arg1 ? arg1 : "");
        client_show_mode(c);
    } else if (strcmp(verb, "quarantine") == 0) {
        c->disposition = TOTE_RETURN_QUARANTINE;
        c->location[0] = '\0';
        client_show_mode(c);
    } else if (strcmp(verb, "reason") == 0) {
        if (strlen(rest) > TOTE_WIRE_TEXT_MAX) {
            client_ui_errorf(c, "BAD_COMMAND", 0, 0, "a reason is at most %d characters", TOTE_WIRE_TEXT_MAX);
            return;
        }
        memcpy(c->reason, rest, strlen(rest) + 1); /* length checked above */
        client_show_mode(c);
    } else if (strcmp(verb, "quit") == 0) {
        tote_hhui_info(c->ui, "quitting");
        client_finish(c, 0, NULL);
    } else if (strcmp(verb, "help") == 0) {
        tote_hhui_info(c->ui,
                       "commands: !short QTY [REASON], !weight GRAMS, !close [CARTON], !carton [CARTON], "
                       "!next, !logout, "
                       "!override weight|short BADGE, !return, !restock [BIN], !quarantine, !reason TEXT, "
                       "!quit");
    } else {
        client_ui_errorf(c, "BAD_COMMAND", 0, 0, "unknown command !%s; !help lists them", verb);
    }
}

/* A line of operator input: a command, or a barcode typed by hand. */
void client_operator_line(tote_client *c, const char *sym, const uint8_t *data, size_t len)
{
    if (len > 0 && data[0] == '!') {
        char line[512];
        size_t n = len < sizeof line - 1 ? len : sizeof line - 1;
        memcpy(line, data, n);
        line[n] = '\0';
        if (memchr(line, '\0', n)) {
            client_ui_errorf(c, "BAD_COMMAND", 0, 0, "a command may not contain a NUL byte");
            return;
        }
        client_command(c, line);
        return;
    }
    if (len == 0)
        return;
    client_submit_scan(c, sym, data, len);
}
