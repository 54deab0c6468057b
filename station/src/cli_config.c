/* tote config list|get KEY|set KEY VALUE */
#include <stdio.h>
#include <string.h>

#include "cli_store.h"
#include "tote/config.h"

#define USAGE "tote config list [--json] | get KEY [--json] | set KEY VALUE"

int tote_cmd_config(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc < 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: %s", USAGE);
    int list = !strcmp(argv[1], "list"), get = !strcmp(argv[1], "get"), set = !strcmp(argv[1], "set");
    if (!list && !get && !set)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unknown subcommand 'config %s' (usage: %s)", argv[1], USAGE);
    if (json && set)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--json is for 'config list|get'");
    int rc = cli_store_args(argc, argv, list ? 0 : (get ? 1 : 2), USAGE);
    if (rc)
        return rc;
    /* refuse an unknown key before touching the database */
    if (!list && !tote_config_find(argv[2]))
        return tote_cli_fail(TOTE_EXIT_USAGE, "unknown setting '%s' (see 'tote config list')", argv[2]);
    tote_store *s = NULL;
    rc = tote_cli_open_store(ctx, set ? 0 : TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    if (list) {
        cJSON *arr = NULL;
        tote_st_err e = tote_config_list_json(s, &arr);
        if (e != TOTE_ST_E_OK) {
            rc = cli_store_fail(e, NULL);
        } else if (json) {
            tote_cli_print_json(arr);
        } else {
            tote_cli_table *t = tote_cli_table_new("", "", "", NULL);
            const cJSON *o;
            cJSON_ArrayForEach(o, arr)
            {
                const char *v = cli_js(o, "value", NULL);
                tote_cli_table_cell(t, "%s", cli_js(o, "key", ""));
                tote_cli_table_cell(t, "%s", v ? v : "(unset)");
                tote_cli_table_cell(t, "%s%s", cli_jb(o, "set") || !v ? "" : "(default) ",
                                    cli_js(o, "help", ""));
            }
            rc = tote_cli_table_print(t, stdout, "");
            tote_cli_table_destroy(&t);
            cJSON_Delete(arr);
        }
    } else if (get) {
        char buf[512];
        int is_set = 0;
        tote_st_err e = tote_config_get(s, argv[2], buf, sizeof buf, &is_set);
        if (e != TOTE_ST_E_OK) {
            rc = cli_store_fail(e, NULL);
        } else if (json) {
            const tote_config_key *k = tote_config_find(argv[2]);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "key", argv[2]);
            if (is_set || k->def)
                cJSON_AddStringToObject(o, "value", buf);
            else
                cJSON_AddNullToObject(o, "value");
            cJSON_AddBoolToObject(o, "set", is_set);
            tote_cli_print_json(o);
        } else {
            printf("%s\n", buf);
        }
    } else {
        char *err = NULL;
        tote_st_err e = tote_config_set(s, argv[2], argv[3], cli_store_actor(), &err);
        if (e != TOTE_ST_E_OK) {
            rc = cli_store_fail(e, err);
        } else {
            char buf[512];
            tote_config_get(s, argv[2], buf, sizeof buf, NULL);
            printf("%s = %s\n", argv[2], buf);
        }
        free(err);
    }
    tote_store_destroy(&s);
    return rc;
}
