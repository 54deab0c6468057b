/* tote init — create the database, or upgrade an older one. */
#include <stdio.h>

#include "cli_internal.h"

int tote_cmd_init(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc != 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote init [--db PATH] [--json]");
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, TOTE_STORE_CREATE, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "db", tote_store_path(s));
        cJSON_AddNumberToObject(o, "schema_version", tote_store_schema_version());
        tote_cli_print_json(o);
    } else {
        printf("database %s ready (schema version %d)\n", tote_store_path(s), tote_store_schema_version());
    }
    tote_store_destroy(&s);
    return TOTE_EXIT_OK;
}
