/* tote stock list|check|adjust|moves */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_store.h"
#include "tote/stock.h"

#define USAGE                                                                                             \
    "tote stock list [--sku S] [--bin B] [--json] | check [--json] | adjust SKU BIN DELTA --reason TEXT " \
    "[--lot L] "                                                                                          \
    "| moves [--sku S] [--json]"

static int cmd_list(tote_store *s, const char *sku, const char *bin, int json)
{
    cJSON *arr = NULL;
    tote_st_err e = tote_stock_list_json(s, sku, bin, &arr);
    if (e != TOTE_ST_E_OK)
        return cli_store_fail(e, NULL);
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    tote_cli_table *t =
        tote_cli_table_new("BIN", "SKU", "LOT", "EXPIRY", ">ON_HAND", ">RESERVED", ">AVAIL", "", NULL);
    const cJSON *o;
    long long on = 0, res = 0;
    cJSON_ArrayForEach(o, arr)
    {
        tote_cli_table_cell(t, "%s", cli_js(o, "location", ""));
        tote_cli_table_cell(t, "%s", cli_js(o, "sku", ""));
        tote_cli_table_cell(t, "%s", *cli_js(o, "lot", "") ? cli_js(o, "lot", "") : "-");
        tote_cli_table_cell(t, "%s", cli_js(o, "expiry", "-"));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "on_hand"));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "reserved"));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "available"));
        tote_cli_table_cell(t, "%s", cli_jb(o, "expired") ? "EXPIRED" : "");
        on += cli_jn(o, "on_hand");
        res += cli_jn(o, "reserved");
    }
    int rc = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    if (rc != TOTE_EXIT_OK) {
        cJSON_Delete(arr);
        return rc;
    }
    printf("%d row(s), %lld on hand, %lld reserved, %lld available\n", cJSON_GetArraySize(arr), on, res,
           on - res);
    cJSON_Delete(arr);
    return TOTE_EXIT_OK;
}

static int cmd_check(tote_store *s, int json)
{
    cJSON *arr = NULL;
    long long bad = 0;
    tote_st_err e = tote_stock_check_json(s, &bad, &arr);
    if (e != TOTE_ST_E_OK)
        return cli_store_fail(e, NULL);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", bad == 0);
        cJSON_AddNumberToObject(o, "bad", (double)bad);
        cJSON_AddItemToObject(o, "rows", arr);
        tote_cli_print_json(o);
    } else {
        cJSON_Delete(arr);
        if (bad) {
            tote_stock_check(s, &bad, stdout);
            printf("%lld row(s) do not balance\n", bad);
        } else {
            printf("stock ledger balances: on hand = sum of moves, reserved = open allocations\n");
        }
    }
    return bad ? TOTE_EXIT_FAIL : TOTE_EXIT_OK;
}

static int cmd_moves(tote_store *s, const char *sku, int json)
{
    cJSON *arr = NULL;
    tote_st_err e = tote_stock_moves_json(s, sku, &arr);
    if (e != TOTE_ST_E_OK)
        return cli_store_fail(e, NULL);
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    tote_cli_table *t = tote_cli_table_new("AT", "KIND", ">QTY", "SKU", "BIN", "LOT", "WHO", "REASON", NULL);
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        tote_cli_table_cell(t, "%s", cli_js(o, "at", ""));
        tote_cli_table_cell(t, "%s", cli_js(o, "kind", ""));
        tote_cli_table_cell(t, "%+lld", cli_jn(o, "qty"));
        tote_cli_table_cell(t, "%s", cli_js(o, "sku", ""));
        tote_cli_table_cell(t, "%s", cli_js(o, "location", ""));
        tote_cli_table_cell(t, "%s", *cli_js(o, "lot", "") ? cli_js(o, "lot", "") : "-");
        tote_cli_table_cell(t, "%s%s%s", cli_js(o, "actor", "-"),
                            cJSON_IsString(cJSON_GetObjectItem(o, "device")) ? "@" : "",
                            cli_js(o, "device", ""));
        const char *reason = cli_js(o, "reason", ""), *order = cli_js(o, "order", NULL);
        tote_cli_table_cell(t, "%s%s%s%s", reason, order && *reason ? " " : "", order ? "order " : "",
                            order ? order : "");
    }
    int rc = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    if (rc != TOTE_EXIT_OK) {
        cJSON_Delete(arr);
        return rc;
    }
    printf("%d move(s)\n", cJSON_GetArraySize(arr));
    cJSON_Delete(arr);
    return TOTE_EXIT_OK;
}

static int cmd_adjust(tote_store *s, const char *sku, const char *bin, const char *delta_txt, const char *lot,
                      const char *reason)
{
    char *end = NULL;
    errno = 0;
    long long delta = strtoll(delta_txt, &end, 10);
    if (!*delta_txt || *end || errno)
        return tote_cli_fail(TOTE_EXIT_USAGE, "DELTA must be a whole number like +5 or -3, not '%s'",
                             delta_txt);
    if (delta == 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "an adjustment of 0 changes nothing");
    long long pid = 0, lid = 0, sid = 0;
    tote_st_err e = tote_product_find_by_sku(s, sku, &pid);
    if (e == TOTE_ST_E_OK)
        e = tote_location_find(s, bin, &lid);
    if (e != TOTE_ST_E_OK)
        return cli_store_fail(e, NULL);
    tote_product p = {0};
    int by_lot = tote_product_get(s, pid, &p) == TOTE_ST_E_OK && p.lot_tracked;
    tote_product_clear(&p);
    if (by_lot && (!lot || !*lot)) /* a unit without its lot could never be picked by lot */
        return tote_cli_fail(
            TOTE_EXIT_USAGE,
            "%s is tracked by lot: give --lot LOT ('tote stock list --sku %s' shows its lots)", sku, sku);
    e = tote_store_begin(s);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot start a transaction: %s", tote_st_strerror(e));
    e = tote_stock_find(s, pid, lid, lot, &sid);
    if (e == TOTE_ST_E_NOT_FOUND) {
        if (delta < 0) {
            tote_store_rollback(s);
            /* held under lots there? then the lot is what is missing */
            cJSON *rows = NULL;
            char lots[200] = "";
            if (tote_stock_list_json(s, sku, bin, &rows) == TOTE_ST_E_OK) {
                const cJSON *r;
                cJSON_ArrayForEach(r, rows)
                {
                    const char *l = cli_js(r, "lot", "");
                    if (*l && strlen(lots) + strlen(l) + 3 < sizeof lots)
                        snprintf(lots + strlen(lots), sizeof lots - strlen(lots), "%s%s", *lots ? ", " : "",
                                 l);
                }
            }
            cJSON_Delete(rows);
            if (*lots && !lot)
                return tote_cli_fail(TOTE_EXIT_USAGE, "%s at %s is held by lot: give --lot (%s)", sku, bin,
                                     lots);
            return tote_cli_fail(TOTE_EXIT_USAGE, "there is no %s%s%s at %s to take away", sku,
                                 lot ? " lot " : "", lot ? lot : "", bin);
        }
        e = tote_stock_ensure(s, pid, lid, lot, NULL, &sid);
    }
    if (e == TOTE_ST_E_OK)
        e = tote_stock_adjust(s, sid, delta, "adjustment", cli_store_actor(), "cli", reason);
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(s);
    if (e != TOTE_ST_E_OK) {
        int rc = cli_store_fail(e, NULL);
        tote_store_rollback(s);
        return rc;
    }
    cJSON *arr = NULL;
    if (tote_stock_list_json(s, sku, bin, &arr) == TOTE_ST_E_OK) {
        const cJSON *o;
        cJSON_ArrayForEach(o, arr)
        {
            if (cli_jn(o, "stock_id") == sid)
                printf("%s at %s%s%s: %+lld, now %lld on hand (%lld available)\n", sku, bin,
                       lot ? " lot " : "", lot ? lot : "", delta, cli_jn(o, "on_hand"),
                       cli_jn(o, "available"));
        }
        cJSON_Delete(arr);
    }
    return TOTE_EXIT_OK;
}

int tote_cmd_stock(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    const char *sku = tote_cli_take_opt(&argc, argv, "--sku");
    const char *bin = tote_cli_take_opt(&argc, argv, "--bin");
    const char *reason = tote_cli_take_opt(&argc, argv, "--reason");
    const char *lot = tote_cli_take_opt(&argc, argv, "--lot");
    if (argc < 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: %s", USAGE);
    if ((sku && !*sku) || (bin && !*bin) || (reason && !*reason) || (lot && !*lot))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--sku, --bin, --reason and --lot need a value");
    const char *sub = argv[1];
    int list = !strcmp(sub, "list"), check = !strcmp(sub, "check"), adjust = !strcmp(sub, "adjust"),
        moves = !strcmp(sub, "moves");
    if (!list && !check && !adjust && !moves)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unknown subcommand 'stock %s' (usage: %s)", sub, USAGE);
    if ((sku && !list && !moves) || (bin && !list))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--sku is for 'stock list|moves', --bin for 'stock list'");
    if ((reason || lot) && !adjust)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--reason and --lot are for 'stock adjust'");
    if (json && adjust)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--json is for 'stock list|check|moves'");
    /* a negative DELTA such as -3 is a positional argument, not an option */
    int rc = cli_store_args(argc, argv, adjust ? 3 : 0, USAGE);
    if (rc)
        return rc;
    if (adjust && !reason)
        return tote_cli_fail(TOTE_EXIT_USAGE, "'stock adjust' needs --reason TEXT (why the stock changed)");
    tote_store *s = NULL;
    rc = tote_cli_open_store(ctx, adjust ? 0 : TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    if (list)
        rc = cmd_list(s, sku, bin, json);
    else if (check)
        rc = cmd_check(s, json);
    else if (moves)
        rc = cmd_moves(s, sku, json);
    else
        rc = cmd_adjust(s, argv[2], argv[3], argv[4], lot, reason);
    tote_store_destroy(&s);
    return rc;
}
