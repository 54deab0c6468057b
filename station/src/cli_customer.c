/* tote customer show EMAIL [--json]: a customer and their orders. */
#include <stdio.h>
#include <string.h>

#include "cli_store.h"
#include "tote/customer.h"

#define USAGE "tote customer show EMAIL [--json]"

int tote_cmd_customer(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc < 2 || strcmp(argv[1], "show") != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: %s", USAGE);
    int rc = cli_store_args(argc, argv, 1, USAGE);
    if (rc)
        return rc;
    tote_store *s = NULL;
    rc = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    cJSON *c = NULL;
    tote_st_err e = tote_customer_show_json(s, argv[2], &c);
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK)
        return cli_store_fail(e, NULL);
    if (json) {
        tote_cli_print_json(c);
        return TOTE_EXIT_OK;
    }
    printf("%s <%s>%s%s  customer since %s\n", cli_js(c, "name", ""), cli_js(c, "email", ""),
           cJSON_IsString(cJSON_GetObjectItem(c, "phone")) ? "  " : "", cli_js(c, "phone", ""),
           cli_js(c, "created_at", ""));
    tote_cli_table *t = tote_cli_table_new("ORDER", "STATUS", "PAYMENT", ">LINES", ">UNITS", "ORDERED", NULL);
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItem(c, "orders"))
    {
        tote_cli_table_cell(t, "%s", cli_js(o, "name", ""));
        tote_cli_table_cell(t, "%s", cli_js(o, "status", ""));
        tote_cli_table_cell(t, "%s", cli_js(o, "payment_status", ""));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "lines"));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "units"));
        tote_cli_table_cell(t, "%s", cli_js(o, "ordered_at", ""));
    }
    rc = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    if (rc != TOTE_EXIT_OK) {
        cJSON_Delete(c);
        return rc;
    }
    printf("%d order(s)\n", cJSON_GetArraySize(cJSON_GetObjectItem(c, "orders")));
    cJSON_Delete(c);
    return TOTE_EXIT_OK;
}
