/*
 * tote report NAME [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N]
 *                  (audit: [--actor NAME] [--device NAME] [--kind KIND | 'PREFIX*'])
 *                  [--csv | --json] [--svg FILE]
 * tote report list [--json]
 *
 * Also the report writers of tote/report.h: the human table, RFC 4180 CSV
 * and JSON (the SVG chart is in report_svg.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/report.h"

/* ---------------- writers ---------------- */

void tote_report_write_table(const tote_report *r, FILE *f)
{
    const tote_report_info *info = tote_report_get_info(r);
    size_t nc = tote_report_ncols(r), nr = tote_report_nrows(r);
    const char *from = tote_report_from(r), *to = tote_report_to(r);
    fprintf(f, "%s", info->title);
    if (*from || *to)
        fprintf(f, " (%s to %s)", *from ? from : "start", *to ? to : "today");
    fputc('\n', f);
    if (nr == 0) {
        fprintf(f, "nothing in this range\n");
        return;
    }
    /* the listings' table (cli_util.c): each column as wide as its content
       in characters, long text cut with '~', numbers right-aligned */
    char **titles = calloc(nc, sizeof *titles);
    for (size_t c = 0; titles && c < nc; c++) {
        const char *label = tote_report_col_label(r, c);
        size_t n = strlen(label) + 2;
        titles[c] = malloc(n);
        if (titles[c])
            snprintf(titles[c], n, "%s%s", tote_report_col_type(r, c) != TOTE_REPORT_TEXT ? ">" : "", label);
    }
    tote_cli_table *t = titles ? tote_cli_table_new_array(nc, (const char *const *)titles) : NULL;
    tote_cli_table_rule(t);
    for (size_t i = 0; i < nr; i++)
        for (size_t c = 0; c < nc; c++)
            tote_cli_table_cell(t, "%s",
                                tote_report_cell_null(r, i, c) ? "-" : tote_report_cell_text(r, i, c));
    tote_cli_table_print(t, f, "");
    tote_cli_table_destroy(&t);
    for (size_t c = 0; titles && c < nc; c++)
        free(titles[c]);
    free(titles);
}

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void tote_report_write_csv(const tote_report *r, FILE *f)
{
    size_t nc = tote_report_ncols(r), nr = tote_report_nrows(r);
    for (size_t c = 0; c < nc; c++) {
        if (c)
            fputc(',', f);
        csv_field(f, tote_report_col_name(r, c));
    }
    fputs("\r\n", f);
    for (size_t i = 0; i < nr; i++) {
        for (size_t c = 0; c < nc; c++) {
            if (c)
                fputc(',', f);
            csv_field(f, tote_report_cell_text(r, i, c));
        }
        fputs("\r\n", f);
    }
}

static const char *type_name(tote_report_type t)
{
    return t == TOTE_REPORT_INT ? "integer" : t == TOTE_REPORT_NUM ? "number" : "text";
}

cJSON *tote_report_json(const tote_report *r)
{
    const tote_report_info *info = tote_report_get_info(r);
    size_t nc = tote_report_ncols(r), nr = tote_report_nrows(r);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "report", info->name);
    cJSON_AddStringToObject(o, "title", info->title);
    if (*tote_report_from(r))
        cJSON_AddStringToObject(o, "from", tote_report_from(r));
    else
        cJSON_AddNullToObject(o, "from");
    if (*tote_report_to(r))
        cJSON_AddStringToObject(o, "to", tote_report_to(r));
    else
        cJSON_AddNullToObject(o, "to");
    cJSON *cols = cJSON_AddArrayToObject(o, "columns");
    for (size_t c = 0; c < nc; c++) {
        cJSON *k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "name", tote_report_col_name(r, c));
        cJSON_AddStringToObject(k, "label", tote_report_col_label(r, c));
        cJSON_AddStringToObject(k, "type", type_name(tote_report_col_type(r, c)));
        cJSON_AddItemToArray(cols, k);
    }
    cJSON *rows = cJSON_AddArrayToObject(o, "rows");
    for (size_t i = 0; i < nr; i++) {
        cJSON *row = cJSON_CreateObject();
        for (size_t c = 0; c < nc; c++) {
            const char *key = tote_report_col_name(r, c);
            if (tote_report_cell_null(r, i, c))
                cJSON_AddNullToObject(row, key);
            else if (tote_report_col_type(r, c) == TOTE_REPORT_TEXT)
                cJSON_AddStringToObject(row, key, tote_report_cell_text(r, i, c));
            else
                cJSON_AddNumberToObject(row, key, tote_report_cell_num(r, i, c));
        }
        if (tote_report_row_total(r, i))
            cJSON_AddTrueToObject(row, "total");
        cJSON_AddItemToArray(rows, row);
    }
    return o;
}

/* ---------------- the verb ---------------- */

static const char usage_text[] =
    "usage: tote report NAME [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N] [--csv | --json] [--svg FILE]"
    "  (tote report list: the reports; the audit report also takes [--actor NAME] [--device NAME] "
    "[--kind KIND | --kind 'PREFIX*'])";

static int cmd_list(int json)
{
    size_t n = tote_report_count();
    if (json) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
            const tote_report_info *info = tote_report_info_at(i);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", info->name);
            cJSON_AddStringToObject(o, "title", info->title);
            cJSON_AddStringToObject(o, "description", info->description);
            cJSON_AddBoolToObject(o, "listing", info->listing);
            cJSON_AddItemToArray(a, o);
        }
        tote_cli_print_json(a);
        return TOTE_EXIT_OK;
    }
    tote_cli_table *t = tote_cli_table_new("", "", NULL);
    for (size_t i = 0; i < n; i++) {
        const tote_report_info *info = tote_report_info_at(i);
        tote_cli_table_cell(t, "%s", info->name);
        tote_cli_table_cell(t, "%s", info->description);
    }
    int rc = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    return rc;
}

static int write_svg(const tote_report *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot write the chart to %s: %s", path, strerror(errno));
    int bad = tote_report_write_svg(r, f);
    if (fclose(f) != 0)
        bad = 1;
    if (bad)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot write the chart to %s: %s", path, strerror(errno));
    return TOTE_EXIT_OK;
}

int tote_cmd_report(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    int csv = tote_cli_take_flag(&argc, argv, "--csv");
    const char *from = tote_cli_take_opt(&argc, argv, "--from");
    const char *to = tote_cli_take_opt(&argc, argv, "--to");
    const char *svg = tote_cli_take_opt(&argc, argv, "--svg");
    const char *limit_text = tote_cli_take_opt(&argc, argv, "--limit");
    const char *actor = tote_cli_take_opt(&argc, argv, "--actor");
    const char *device = tote_cli_take_opt(&argc, argv, "--device");
    const char *kind = tote_cli_take_opt(&argc, argv, "--kind");
    if (argc < 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "%s", usage_text);
    for (int i = 1; i < argc; i++)
        if (argv[i][0] == '-')
            return tote_cli_fail(TOTE_EXIT_USAGE, "unknown option '%s' (%s)", argv[i], usage_text);
    if (argc > 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unexpected argument '%s' (%s)", argv[2], usage_text);
    const char *name = argv[1];
    if (strcmp(name, "list") == 0)
        return cmd_list(json);
    const tote_report_info *info = tote_report_find(name);
    if (!info)
        return tote_cli_fail(TOTE_EXIT_USAGE, "there is no report '%s' (tote report list shows them)", name);
    if (svg && info->listing)
        return tote_cli_fail(TOTE_EXIT_USAGE, "report %s lists records: it has no chart to write with --svg",
                             name);
    if ((actor || device || kind) && !info->listing)
        return tote_cli_fail(TOTE_EXIT_USAGE, "report %s takes no --%s: only the audit log is filtered by it",
                             name,
                             actor    ? "actor"
                             : device ? "device"
                                      : "kind");
    if ((actor && !*actor) || (device && !*device) || (kind && !*kind))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--%s needs a value",
                             actor && !*actor     ? "actor"
                             : device && !*device ? "device"
                                                  : "kind");
    if (kind && strlen(kind) > 63)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--kind '%s' is longer than any event kind", kind);
    if (json && csv)
        return tote_cli_fail(TOTE_EXIT_USAGE, "choose one of --csv and --json");
    if (from && !tote_report_date_valid(from))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--from '%s' is not a date written YYYY-MM-DD", from);
    if (to && !tote_report_date_valid(to))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--to '%s' is not a date written YYYY-MM-DD", to);
    if (from && to && strcmp(from, to) > 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--from %s is after --to %s", from, to);
    if (svg && !*svg)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--svg needs a file name");
    int limit = 0;
    if (limit_text) {
        char *end = NULL;
        errno = 0;
        long v = strtol(limit_text, &end, 10);
        if (!*limit_text || errno || *end || v < 1 || v > 100000 || limit_text[0] == '+' ||
            limit_text[0] == ' ')
            return tote_cli_fail(TOTE_EXIT_USAGE, "--limit needs a whole number from 1 to 100000, not '%s'",
                                 limit_text);
        limit = (int)v;
    }

    tote_store *s = NULL;
    int code = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (code != TOTE_EXIT_OK)
        return code;
    tote_report_opts opts = {
        .from = from, .to = to, .limit = limit, .actor = actor, .device = device, .kind = kind};
    tote_report *r = NULL;
    tote_st_err e = tote_report_run(s, name, &opts, &r);
    if (e != TOTE_ST_E_OK) {
        code = tote_cli_fail(TOTE_EXIT_FAIL, "cannot compute report %s: %s (%s)", name, tote_st_strerror(e),
                             tote_store_errmsg(s));
        tote_store_destroy(&s);
        return code;
    }
    tote_store_destroy(&s);
    if (svg && (code = write_svg(r, svg)) != TOTE_EXIT_OK) {
        tote_report_destroy(&r);
        return code;
    }
    if (json)
        tote_cli_print_json(tote_report_json(r));
    else if (csv)
        tote_report_write_csv(r, stdout);
    else
        tote_report_write_table(r, stdout);
    tote_report_destroy(&r);
    if (fflush(stdout) != 0)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot write the report: %s", strerror(errno));
    return TOTE_EXIT_OK;
}
