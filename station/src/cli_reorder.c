/*
 * tote reorder [--json]: products whose available stock is at or below their
 * reorder point, with the quantity to order (tote/reorder.h has the rule).
 */
#include <stdio.h>

#include "cli_internal.h"
#include "tote/reorder.h"

static double num(const cJSON *o, const char *key)
{
    return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const char *str(const cJSON *o, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return v ? v : "-";
}

int tote_cmd_reorder(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc > 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unexpected argument '%s' (usage: tote reorder [--json])",
                             argv[1]);
    tote_store *s = NULL;
    int code = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (code)
        return code;
    cJSON *arr = NULL;
    tote_st_err e = tote_reorder_list_json(s, &arr);
    if (e != TOTE_ST_E_OK) {
        code = tote_cli_fail(TOTE_EXIT_FAIL, "cannot list reorders: %s (%s)", tote_st_strerror(e),
                             tote_store_errmsg(s));
        tote_store_destroy(&s);
        return code;
    }
    tote_store_destroy(&s);
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    if (cJSON_GetArraySize(arr) == 0) {
        printf("nothing to reorder: every product with a reorder point is above it\n");
    } else {
        tote_cli_table *t = tote_cli_table_new("SKU", "NAME", ">ON_HAND", ">RESERVED", ">AVAILABLE", ">POINT",
                                               ">BACKORDER", ">SUGGESTED", NULL);
        const cJSON *p;
        cJSON_ArrayForEach(p, arr)
        {
            tote_cli_table_cell(t, "%s", str(p, "sku"));
            tote_cli_table_cell(t, "%s", str(p, "name"));
            static const char *const nums[] = {"on_hand",       "reserved",  "available",
                                               "reorder_point", "backorder", "suggested"};
            for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
                tote_cli_table_cell(t, "%.0f", num(p, nums[i]));
        }
        code = tote_cli_table_print(t, stdout, "");
        tote_cli_table_destroy(&t);
    }
    cJSON_Delete(arr);
    return code;
}
