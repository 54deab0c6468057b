/*
 * tote printer add NAME URI [--kind zpl|pdf]
 * tote printer list [--json]
 * tote printer status [NAME] [--json]
 *
 * Queues are created in CUPS over IPP (libcups), never with lpadmin. The CUPS
 * server is cupsServer(): $CUPS_SERVER, ~/.cups/client.conf, or the system's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/cups_printer.h"
#include "tote/printing.h"

static int usage(void)
{
    return tote_cli_fail(TOTE_EXIT_USAGE,
                         "usage: tote printer add NAME URI [--kind zpl|pdf] | list [--json] | "
                         "status [NAME] [--json]");
}

static int cups_fail(tote_cups *c, tote_lb_err e)
{
    const char *m = tote_cups_last_error(c);
    return tote_cli_fail(e == TOTE_LB_E_INVALID ? TOTE_EXIT_USAGE : TOTE_EXIT_FAIL, "%s",
                         m && *m ? m : tote_lb_strerror(e));
}

static int cmd_add(const tote_cli_ctx *ctx, int argc, char **argv)
{
    const char *kind = tote_cli_take_opt(&argc, argv, "--kind");
    if (kind && strcmp(kind, "zpl") != 0 && strcmp(kind, "pdf") != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--kind must be zpl or pdf, not '%s'", kind);
    if (!kind)
        kind = "zpl";
    if (argc != 3)
        return usage();
    const char *name = argv[1], *uri = argv[2];
    if (!tote_cups_name_valid(name))
        return tote_cli_fail(TOTE_EXIT_USAGE,
                             "'%s' is not a valid printer name (letters, digits, '-', '_'; no "
                             "spaces, '/', '#' or quotes)",
                             name);
    if (!strstr(uri, ":"))
        return tote_cli_fail(TOTE_EXIT_USAGE, "'%s' is not a device URI (e.g. socket://192.0.2.10:9100)",
                             uri);
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    tote_lb_err le =
        c ? tote_cups_add_printer(c, name, uri,
                                  strcmp(kind, "zpl") == 0 ? TOTE_PRINTER_ZPL : TOTE_PRINTER_PDF, NULL)
          : TOTE_LB_E_NOMEM;
    if (le != TOTE_LB_E_OK) {
        rc = cups_fail(c, le);
        tote_cups_destroy(&c);
        tote_store_destroy(&s);
        return rc;
    }
    tote_cups_destroy(&c);
    tote_st_err e = tote_store_begin(s);
    if (e == TOTE_ST_E_OK)
        e = tote_store_printer_put(s, name, uri, kind);
    if (e == TOTE_ST_E_OK) {
        char detail[700];
        snprintf(detail, sizeof detail, "{\"kind\":\"%s\"}", kind);
        e = tote_store_event(s, NULL, NULL, "printer.add", "printer", name, detail);
    }
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(s);
    if (e != TOTE_ST_E_OK) {
        tote_store_rollback(s);
        tote_store_destroy(&s);
        return tote_cli_fail(TOTE_EXIT_FAIL, "printer %s was created in CUPS but not recorded: %s", name,
                             tote_st_strerror(e));
    }
    tote_store_destroy(&s);
    printf("printer %s added (%s, %s)\n", name, kind, uri);
    return TOTE_EXIT_OK;
}

/* One printer: CUPS's state st (NULL if CUPS has no such queue) and Tote's
 * record rec (NULL if Tote has none). cups_down: why CUPS could not be asked,
 * or NULL; then st is NULL and what only CUPS knows is null, the state
 * "unknown" and the message that sentence. */
static cJSON *status_json(const tote_printer_status *st, const tote_printer_rec *rec, long long open_jobs,
                          const char *cups_down)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", rec ? rec->name : st->name);
    cJSON_AddStringToObject(o, "uri", st ? st->device_uri : rec->uri);
    if (rec)
        cJSON_AddStringToObject(o, "kind", rec->kind);
    else
        cJSON_AddNullToObject(o, "kind");
    cJSON_AddBoolToObject(o, "in_tote", rec != NULL);
    if (cups_down) {
        cJSON_AddNullToObject(o, "in_cups");
        cJSON_AddStringToObject(o, "state", "unknown");
        cJSON_AddNullToObject(o, "accepting");
    } else {
        cJSON_AddBoolToObject(o, "in_cups", st != NULL);
        cJSON_AddStringToObject(o, "state", st ? st->state : "missing");
        cJSON_AddBoolToObject(o, "accepting", st ? st->accepting : 0);
    }
    cJSON *r = cJSON_AddArrayToObject(o, "reasons");
    if (st) {
        char buf[sizeof st->reasons];
        snprintf(buf, sizeof buf, "%s", st->reasons);
        for (char *t = strtok(buf, ","); t; t = strtok(NULL, ","))
            cJSON_AddItemToArray(r, cJSON_CreateString(t));
    }
    cJSON_AddStringToObject(o, "message", cups_down ? cups_down : st ? st->message : "");
    if (cups_down)
        cJSON_AddNullToObject(o, "cups_jobs");
    else
        cJSON_AddNumberToObject(o, "cups_jobs", st ? st->queued_jobs : 0);
    cJSON_AddNumberToObject(o, "tote_open_jobs", (double)open_jobs);
    return o;
}

static void add_row(tote_cli_table *t, const cJSON *o)
{
    const char *name = cJSON_GetObjectItem(o, "name")->valuestring;
    const char *state = cJSON_GetObjectItem(o, "state")->valuestring;
    const cJSON *accepting = cJSON_GetObjectItem(o, "accepting");
    int acc = cJSON_IsTrue(accepting);
    const cJSON *kind = cJSON_GetObjectItem(o, "kind");
    char reasons[600] = "";
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(o, "reasons"))
    {
        size_t l = strlen(reasons);
        snprintf(reasons + l, sizeof reasons - l, "%s%s", l ? "," : "", r->valuestring);
    }
    /* CUPS unreachable: the one sentence on stderr says it, not every row */
    const char *msg = cJSON_IsNull(accepting) ? "" : cJSON_GetObjectItem(o, "message")->valuestring;
    tote_cli_table_cell(t, "%s", name);
    tote_cli_table_cell(t, "%s", cJSON_IsString(kind) ? kind->valuestring : "-");
    tote_cli_table_cell(t, "%s", state);
    tote_cli_table_cell(t, "%s", cJSON_IsNull(accepting) ? "-" : acc ? "accepting" : "not-accepting");
    tote_cli_table_cell(t, "%s", reasons[0] ? reasons : "-");
    tote_cli_table_cell(t, "%d", (int)cJSON_GetObjectItem(o, "tote_open_jobs")->valuedouble);
    tote_cli_table_cell(t, "%s", cJSON_GetObjectItem(o, "uri")->valuestring);
    tote_cli_table_cell(t, "%s", msg);
}

static int cmd_list(const tote_cli_ctx *ctx, int argc, char **argv, int status_mode)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc > (status_mode ? 2 : 1))
        return usage();
    const char *only = status_mode && argc == 2 ? argv[1] : NULL;
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    tote_printer_rec *recs = NULL;
    size_t nrec = 0;
    tote_st_err e = tote_store_printer_list(s, &recs, &nrec);
    if (e != TOTE_ST_E_OK) {
        tote_store_destroy(&s);
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot read printers: %s", tote_st_strerror(e));
    }
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    tote_printer_status *sts = NULL;
    size_t nst = 0;
    tote_lb_err le = c ? tote_cups_list(c, &sts, &nst) : TOTE_LB_E_NOMEM;
    if (!c) {
        free(recs);
        tote_store_destroy(&s);
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot show printer state: out of memory");
    }
    /* CUPS down (cupsd stopped, or another server): Tote's own printers are
     * still listed, with what only CUPS knows unknown, and the run fails
     * (exit 1) after the listing, as `tote stock check` does */
    char cups_down[700] = "";
    if (le == TOTE_LB_E_UNAVAILABLE)
        snprintf(cups_down, sizeof cups_down, "CUPS at %s could not be reached", tote_cups_server(c));
    else if (le != TOTE_LB_E_OK)
        snprintf(cups_down, sizeof cups_down, "CUPS at %s did not give the printers' state: %s",
                 tote_cups_server(c), tote_cups_last_error(c));
    tote_cups_destroy(&c);
    const char *down = cups_down[0] ? cups_down : NULL;
    cJSON *arr = cJSON_CreateArray();
    /* Tote's printers first, then queues CUPS has that Tote does not know */
    for (size_t i = 0; i < nrec; i++) {
        if (only && strcmp(only, recs[i].name) != 0)
            continue;
        const tote_printer_status *st = NULL;
        for (size_t k = 0; k < nst; k++)
            if (strcmp(sts[k].name, recs[i].name) == 0)
                st = &sts[k];
        long long open = 0;
        tote_store_printer_open_jobs(s, recs[i].name, &open);
        cJSON_AddItemToArray(arr, status_json(st, &recs[i], open, down));
    }
    for (size_t k = 0; k < nst; k++) {
        if (only && strcmp(only, sts[k].name) != 0)
            continue;
        int known = 0;
        for (size_t i = 0; i < nrec; i++)
            known |= strcmp(sts[k].name, recs[i].name) == 0;
        if (!known)
            cJSON_AddItemToArray(arr, status_json(&sts[k], NULL, 0, NULL));
    }
    free(recs);
    free(sts);
    tote_store_destroy(&s);
    if (only && cJSON_GetArraySize(arr) == 0) {
        cJSON_Delete(arr);
        if (down)
            return tote_cli_fail(TOTE_EXIT_FAIL, "no printer named %s in Tote, and %s to look there", only,
                                 down);
        return tote_cli_fail(TOTE_EXIT_USAGE, "no printer named %s in Tote or CUPS", only);
    }
    int listed = cJSON_GetArraySize(arr);
    if (json) {
        tote_cli_print_json(only ? cJSON_DetachItemFromArray(arr, 0) : arr);
        if (only)
            cJSON_Delete(arr);
    } else if (listed == 0) {
        printf("no printers (add one with: tote printer add NAME socket://HOST:9100)\n");
        cJSON_Delete(arr);
    } else {
        tote_cli_table *t =
            tote_cli_table_new("NAME", "KIND", "STATE", "ACCEPTING", "REASONS", ">JOBS", "URI", "", NULL);
        const cJSON *o;
        cJSON_ArrayForEach(o, arr) add_row(t, o);
        rc = tote_cli_table_print(t, stdout, "");
        tote_cli_table_destroy(&t);
        cJSON_Delete(arr);
        if (rc != TOTE_EXIT_OK)
            return rc;
    }
    if (!down)
        return TOTE_EXIT_OK;
    fflush(stdout);
    if (listed == 0)
        return tote_cli_fail(TOTE_EXIT_FAIL, "%s, and Tote itself knows no printers", down);
    return tote_cli_fail(
        TOTE_EXIT_FAIL,
        "%s: the state of the %s listed is unknown (only those added with 'tote printer add' are listed)",
        down, listed == 1 ? "printer" : "printers");
}

int tote_cmd_printer(const tote_cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "add") == 0)
        return cmd_add(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return cmd_list(ctx, argc - 1, argv + 1, 0);
    if (strcmp(argv[1], "status") == 0)
        return cmd_list(ctx, argc - 1, argv + 1, 1);
    return usage();
}
