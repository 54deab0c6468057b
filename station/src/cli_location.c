/* tote location list|add */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_store.h"
#include "tote/stock.h"

#define USAGE "tote location list [--json] | add CODE [--zone Z] [--walk-seq N] [--kind bin|quarantine|dock]"

int tote_cmd_location(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    const char *zone = tote_cli_take_opt(&argc, argv, "--zone");
    const char *walk = tote_cli_take_opt(&argc, argv, "--walk-seq");
    const char *kind = tote_cli_take_opt(&argc, argv, "--kind");
    if (argc < 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: %s", USAGE);
    int list = !strcmp(argv[1], "list"), add = !strcmp(argv[1], "add");
    if (!list && !add)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unknown subcommand 'location %s' (usage: %s)", argv[1], USAGE);
    if ((zone || walk || kind) && !add)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--zone, --walk-seq and --kind are for 'location add'");
    if ((zone && !*zone) || (walk && !*walk) || (kind && !*kind))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--zone, --walk-seq and --kind need a value");
    if (json && add)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--json is for 'location list'");
    int rc = cli_store_args(argc, argv, add ? 1 : 0, USAGE);
    if (rc)
        return rc;
    long long seq = -1;
    if (walk) {
        char *end = NULL;
        errno = 0;
        seq = strtoll(walk, &end, 10);
        if (*end || errno || seq < 0)
            return tote_cli_fail(TOTE_EXIT_USAGE, "--walk-seq is a whole number 0 or more, not '%s'", walk);
    }
    tote_store *s = NULL;
    rc = tote_cli_open_store(ctx, add ? 0 : TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    if (add) {
        long long id = 0;
        tote_st_err e = tote_location_add(s, argv[2], zone, seq, kind, cli_store_actor(), &id);
        if (e != TOTE_ST_E_OK) {
            rc = cli_store_fail(e, NULL);
        } else {
            cJSON *arr = NULL;
            if (tote_location_list_json(s, &arr) == TOTE_ST_E_OK) {
                const cJSON *o;
                cJSON_ArrayForEach(o, arr)
                {
                    if (strcmp(cli_js(o, "code", ""), argv[2]) == 0)
                        printf("location %s added (%s, walk sequence %lld)\n", argv[2], cli_js(o, "kind", ""),
                               cli_jn(o, "walk_seq"));
                }
                cJSON_Delete(arr);
            }
        }
    } else {
        cJSON *arr = NULL;
        tote_st_err e = tote_location_list_json(s, &arr);
        if (e != TOTE_ST_E_OK) {
            rc = cli_store_fail(e, NULL);
        } else if (json) {
            tote_cli_print_json(arr);
        } else {
            tote_cli_table *t =
                tote_cli_table_new("CODE", "ZONE", "KIND", ">WALK_SEQ", ">ROWS", ">ON_HAND", NULL);
            const cJSON *o;
            cJSON_ArrayForEach(o, arr)
            {
                tote_cli_table_cell(t, "%s", cli_js(o, "code", ""));
                tote_cli_table_cell(t, "%s", cli_js(o, "zone", "-"));
                tote_cli_table_cell(t, "%s", cli_js(o, "kind", ""));
                tote_cli_table_cell(t, "%lld", cli_jn(o, "walk_seq"));
                tote_cli_table_cell(t, "%lld", cli_jn(o, "stock_rows"));
                tote_cli_table_cell(t, "%lld", cli_jn(o, "on_hand"));
            }
            rc = tote_cli_table_print(t, stdout, "");
            tote_cli_table_destroy(&t);
            if (rc == TOTE_EXIT_OK)
                printf("%d location(s)\n", cJSON_GetArraySize(arr));
            cJSON_Delete(arr);
        }
    }
    tote_store_destroy(&s);
    return rc;
}
