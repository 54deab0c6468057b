/*
 * tote wave create [--max-orders N] [--max-lines M] [--totes-per-list K] [--json]
 * tote wave list [--json]
 * tote wave show ID [--json]
 * tote wave backorder [--json]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/alloc.h"
#include "tote/wave.h"

static const char usage_text[] =
    "usage: tote wave create [--max-orders N] [--max-lines M] [--totes-per-list K] "
    "[--json] | list [--json] | show ID [--json] | backorder [--json]";

/* Parses a whole number >= 1; on failure prints why and returns -1. */
static int parse_count(const char *opt, const char *text, long long *out)
{
    if (!text)
        return 0;
    if (!*text)
        return tote_cli_fail(TOTE_EXIT_USAGE, "%s needs a number", opt), -1;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno == ERANGE && end != text && !*end && text[0] != '-')
        return tote_cli_fail(TOTE_EXIT_USAGE, "%s '%s' is too large", opt, text), -1;
    if (errno || end == text || *end || v < 1 || text[0] == '+' || text[0] == ' ')
        return tote_cli_fail(TOTE_EXIT_USAGE, "%s needs a whole number of at least 1, not '%s'", opt, text),
               -1;
    *out = v;
    return 0;
}

static const char *actor_name(void)
{
    const char *a = getenv("TOTE_ACTOR");
    if (!a || !*a)
        a = getenv("USER");
    return a && *a ? a : "cli";
}

static double num(const cJSON *o, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const char *str(const cJSON *o, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return v ? v : "-";
}

/* The first max backorder lines, as a table; then how many more there are. */
static int print_backorders(const cJSON *arr, int max)
{
    int n = 0;
    const cJSON *b;
    tote_cli_table *t = tote_cli_table_new("", "", "", "", NULL);
    cJSON_ArrayForEach(b, arr)
    {
        if (n++ == max)
            break;
        tote_cli_table_cell(t, "%s", str(b, "order"));
        tote_cli_table_cell(t, "line %.0f", num(b, "line_no"));
        tote_cli_table_cell(t, "%s", str(b, "sku"));
        tote_cli_table_cell(t, "ordered %.0f, allocated %.0f, short %.0f: backorder %.0f", num(b, "ordered"),
                            num(b, "allocated"), num(b, "short"), num(b, "backorder"));
    }
    int rc = tote_cli_table_print(t, stdout, "  ");
    tote_cli_table_destroy(&t);
    if (rc == TOTE_EXIT_OK && cJSON_GetArraySize(arr) > max)
        printf("  ... and %d more lines (tote wave backorder)\n", cJSON_GetArraySize(arr) - max);
    return rc;
}

static int fail_store(tote_store **s, tote_st_err e, const char *what)
{
    int code = tote_cli_fail(TOTE_EXIT_FAIL, "%s: %s (%s)", what, tote_st_strerror(e), tote_store_errmsg(*s));
    tote_store_destroy(s);
    return code;
}

static int cmd_create(const tote_cli_ctx *ctx, int argc, char **argv, int json)
{
    tote_wave_opts o = {0};
    if (parse_count("--max-orders", tote_cli_take_opt(&argc, argv, "--max-orders"), &o.max_orders) ||
        parse_count("--max-lines", tote_cli_take_opt(&argc, argv, "--max-lines"), &o.max_lines) ||
        parse_count("--totes-per-list", tote_cli_take_opt(&argc, argv, "--totes-per-list"),
                    &o.totes_per_list))
        return TOTE_EXIT_USAGE;
    if (argc > 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unexpected argument '%s' (%s)", argv[1], usage_text);
    tote_store *s = NULL;
    int code = tote_cli_open_store(ctx, 0, &s);
    if (code)
        return code;
    tote_wave_result r;
    tote_st_err e = tote_wave_create(s, &o, actor_name(), &r);
    if (e != TOTE_ST_E_OK)
        return fail_store(&s, e, "cannot create the wave");
    cJSON *back = NULL, *wave = NULL;
    long long back_units = 0;
    e = tote_alloc_backorders_json(s, &back, &back_units);
    if (e == TOTE_ST_E_OK && r.wave_id)
        e = tote_wave_show_json(s, r.wave_id, &wave);
    if (e != TOTE_ST_E_OK) {
        cJSON_Delete(back);
        return fail_store(&s, e, "the wave was created but cannot be read back");
    }
    tote_store_destroy(&s);

    if (json) {
        cJSON *out = cJSON_CreateObject();
        if (r.wave_id)
            cJSON_AddNumberToObject(out, "wave", (double)r.wave_id);
        else
            cJSON_AddNullToObject(out, "wave");
        cJSON_AddNumberToObject(out, "orders_allocated", (double)r.orders_allocated);
        cJSON_AddNumberToObject(out, "pick_lists", (double)r.pick_lists);
        cJSON_AddNumberToObject(out, "orders", (double)r.orders);
        cJSON_AddNumberToObject(out, "lines", (double)r.lines);
        cJSON_AddNumberToObject(out, "tasks", (double)r.tasks);
        cJSON_AddNumberToObject(out, "units", (double)r.units);
        cJSON_AddNumberToObject(out, "waiting", (double)r.waiting);
        /* the lists with their totes, without the task detail (tote wave show has it) */
        cJSON *lists = cJSON_AddArrayToObject(out, "lists");
        cJSON *l;
        cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(wave, "lists"))
        {
            cJSON *c = cJSON_Duplicate(l, 1);
            cJSON_DeleteItemFromObjectCaseSensitive(c, "tasks_detail");
            cJSON_AddItemToArray(lists, c);
        }
        cJSON_AddNumberToObject(out, "backorder_units", (double)back_units);
        cJSON_AddItemToObject(out, "backorder", back);
        tote_cli_print_json(out);
    } else {
        if (r.orders_allocated)
            printf("allocated stock to %lld order%s\n", r.orders_allocated,
                   r.orders_allocated == 1 ? "" : "s");
        if (!r.wave_id && r.waiting) {
            /* waiting orders, none taken: the first one alone breaks --max-lines
               (orders are never split, and a later one never jumps it) */
            printf(
                "no wave: the first of the %lld waiting order%s has more lines than --max-lines %lld; make a "
                "wave with a larger --max-lines (or none) for it\n",
                r.waiting, r.waiting == 1 ? "" : "s", o.max_lines);
        } else if (!r.wave_id) {
            printf("no wave: no allocated orders are waiting\n");
        } else {
            printf("wave %lld: %lld pick list%s, %lld orders, %lld lines, %lld tasks, %lld units\n",
                   r.wave_id, r.pick_lists, r.pick_lists == 1 ? "" : "s", r.orders, r.lines, r.tasks,
                   r.units);
            cJSON *l;
            cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(wave, "lists"))
            {
                const cJSON *totes = cJSON_GetObjectItemCaseSensitive(l, "totes");
                int nt = cJSON_GetArraySize(totes);
                if (nt == 1)
                    printf("  list %.0f: 1 order, %.0f tasks, tote %s\n", num(l, "id"), num(l, "tasks"),
                           str(cJSON_GetArrayItem(totes, 0), "tote"));
                else
                    printf("  list %.0f: %d orders, %.0f tasks, totes %s..%s\n", num(l, "id"), nt,
                           num(l, "tasks"), str(cJSON_GetArrayItem(totes, 0), "tote"),
                           str(cJSON_GetArrayItem(totes, nt - 1), "tote"));
            }
        }
        if (r.waiting && r.wave_id)
            printf("%lld allocated order%s left for the next wave (limits)\n", r.waiting,
                   r.waiting == 1 ? "" : "s");
        int nb = cJSON_GetArraySize(back);
        if (nb) {
            printf("backorder: %d line%s, %lld units\n", nb, nb == 1 ? "" : "s", back_units);
            code = print_backorders(back, 20);
        }
        cJSON_Delete(back);
    }
    cJSON_Delete(wave);
    return code;
}

static int cmd_list(const tote_cli_ctx *ctx, int argc, char **argv, int json)
{
    if (argc > 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unexpected argument '%s' (%s)", argv[1], usage_text);
    tote_store *s = NULL;
    int code = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (code)
        return code;
    cJSON *arr = NULL;
    tote_st_err e = tote_wave_list_json(s, &arr);
    if (e != TOTE_ST_E_OK)
        return fail_store(&s, e, "cannot list waves");
    tote_store_destroy(&s);
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    if (cJSON_GetArraySize(arr) == 0) {
        printf("no waves yet\n");
        cJSON_Delete(arr);
        return TOTE_EXIT_OK;
    }
    tote_cli_table *t = tote_cli_table_new(">WAVE", "STATUS", "CREATED", ">LISTS", ">ORDERS", ">TASKS",
                                           ">UNITS", ">DONE", NULL);
    const cJSON *w;
    cJSON_ArrayForEach(w, arr)
    {
        tote_cli_table_cell(t, "%.0f", num(w, "id"));
        tote_cli_table_cell(t, "%s", str(w, "status"));
        tote_cli_table_cell(t, "%s", str(w, "created_at"));
        tote_cli_table_cell(t, "%.0f", num(w, "pick_lists"));
        tote_cli_table_cell(t, "%.0f", num(w, "orders"));
        tote_cli_table_cell(t, "%.0f", num(w, "tasks"));
        tote_cli_table_cell(t, "%.0f", num(w, "units"));
        tote_cli_table_cell(t, "%.0f%%", num(w, "progress"));
    }
    code = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    cJSON_Delete(arr);
    return code;
}

static int cmd_show(const tote_cli_ctx *ctx, int argc, char **argv, int json)
{
    if (argc < 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "tote wave show needs a wave id (%s)", usage_text);
    if (argc > 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unexpected argument '%s' (%s)", argv[2], usage_text);
    char *end = NULL;
    errno = 0;
    long long id = strtoll(argv[1], &end, 10);
    if (errno || end == argv[1] || *end || id < 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "'%s' is not a wave id (a whole number, see tote wave list)",
                             argv[1]);
    tote_store *s = NULL;
    int code = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (code)
        return code;
    cJSON *w = NULL;
    tote_st_err e = tote_wave_show_json(s, id, &w);
    if (e == TOTE_ST_E_NOT_FOUND) {
        tote_store_destroy(&s);
        return tote_cli_fail(TOTE_EXIT_USAGE, "there is no wave %lld (see tote wave list)", id);
    }
    if (e != TOTE_ST_E_OK)
        return fail_store(&s, e, "cannot read the wave");
    tote_store_destroy(&s);
    if (json) {
        tote_cli_print_json(w);
        return TOTE_EXIT_OK;
    }
    printf("wave %.0f  %s  created %s by %s\n", num(w, "id"), str(w, "status"), str(w, "created_at"),
           str(w, "created_by"));
    printf("%.0f pick lists, %.0f orders, %.0f tasks, %.0f units: %.0f done, %.0f short (%.0f%%)\n",
           num(w, "pick_lists"), num(w, "orders"), num(w, "tasks"), num(w, "units"), num(w, "done"),
           num(w, "short"), num(w, "progress"));
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(w, "lists"))
    {
        printf("\nlist %.0f  %s  %s  %.0f%% (%.0f/%.0f units)\n", num(l, "id"), str(l, "status"),
               str(l, "device"), num(l, "progress"), num(l, "done") + num(l, "short"), num(l, "units"));
        const cJSON *t;
        printf("  totes:");
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(l, "totes"))
            printf(" %s=%s", str(t, "tote"), str(t, "order"));
        printf("\n");
        tote_cli_table *tt = tote_cli_table_new(">SEQ", "BIN", "SKU", "LOT", ">QTY", ">DONE", ">SHORT",
                                                "STATUS", "TOTE", NULL);
        cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(l, "tasks_detail"))
        {
            tote_cli_table_cell(tt, "%.0f", num(t, "seq"));
            tote_cli_table_cell(tt, "%s", str(t, "bin"));
            tote_cli_table_cell(tt, "%s", str(t, "sku"));
            tote_cli_table_cell(tt, "%s", str(t, "lot"));
            tote_cli_table_cell(tt, "%.0f", num(t, "qty"));
            tote_cli_table_cell(tt, "%.0f", num(t, "done"));
            tote_cli_table_cell(tt, "%.0f", num(t, "short"));
            tote_cli_table_cell(tt, "%s", str(t, "status"));
            tote_cli_table_cell(tt, "%s", str(t, "tote"));
        }
        code = tote_cli_table_print(tt, stdout, "  ");
        tote_cli_table_destroy(&tt);
        if (code != TOTE_EXIT_OK)
            break;
    }
    cJSON_Delete(w);
    return code;
}

static int cmd_backorder(const tote_cli_ctx *ctx, int argc, char **argv, int json)
{
    if (argc > 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unexpected argument '%s' (%s)", argv[1], usage_text);
    tote_store *s = NULL;
    int code = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (code)
        return code;
    cJSON *arr = NULL;
    long long units = 0;
    tote_st_err e = tote_alloc_backorders_json(s, &arr, &units);
    if (e != TOTE_ST_E_OK)
        return fail_store(&s, e, "cannot list backorders");
    tote_store_destroy(&s);
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    int n = cJSON_GetArraySize(arr);
    if (n == 0)
        printf("no backorders\n");
    else
        printf("backorder: %d line%s, %lld units\n", n, n == 1 ? "" : "s", units);
    code = print_backorders(arr, n);
    cJSON_Delete(arr);
    return code;
}

int tote_cmd_wave(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc < 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "%s", usage_text);
    const char *sub = argv[1];
    if (strcmp(sub, "create") == 0)
        return cmd_create(ctx, argc - 1, argv + 1, json);
    if (strcmp(sub, "list") == 0)
        return cmd_list(ctx, argc - 1, argv + 1, json);
    if (strcmp(sub, "show") == 0)
        return cmd_show(ctx, argc - 1, argv + 1, json);
    if (strcmp(sub, "backorder") == 0)
        return cmd_backorder(ctx, argc - 1, argv + 1, json);
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "help") == 0) {
        printf("%s\n", usage_text);
        return TOTE_EXIT_OK;
    }
    return tote_cli_fail(TOTE_EXIT_USAGE, "unknown wave command '%s' (%s)", sub, usage_text);
}
