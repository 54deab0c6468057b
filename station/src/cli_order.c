/* tote order list|show|release|hold|cancel|paid */
#include <stdio.h>
#include <string.h>

#include "cli_store.h"
#include "tote/orders.h"

#define USAGE                                                                                                \
    "tote order list [--status S] [--json] | show NAME [--json] | release|hold|cancel NAME [--reason TEXT] " \
    "| "                                                                                                     \
    "paid NAME [--method M]"

static void money(char *buf, size_t cap, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v)) {
        snprintf(buf, cap, "-");
        return;
    }
    long long c = (long long)v->valuedouble;
    snprintf(buf, cap, "%s%lld.%02lld", c < 0 ? "-" : "", (c < 0 ? -c : c) / 100, (c < 0 ? -c : c) % 100);
}

static int cmd_list(tote_store *s, const char *status, int json)
{
    cJSON *arr = NULL;
    tote_st_err e = tote_order_list_json(s, status, &arr);
    if (e != TOTE_ST_E_OK)
        return cli_store_fail(e, NULL);
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    tote_cli_table *t = tote_cli_table_new("ORDER", "STATUS", "HOLD", "PAYMENT", ">LINES", ">UNITS", ">ALLOC",
                                           ">PICK", "ORDERED", "", NULL);
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        tote_cli_table_cell(t, "%s", cli_js(o, "name", ""));
        tote_cli_table_cell(t, "%s", cli_js(o, "status", ""));
        tote_cli_table_cell(t, "%s", cli_js(o, "hold_reason", "-"));
        tote_cli_table_cell(t, "%s", cli_js(o, "payment_status", ""));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "lines"));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "units"));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "allocated"));
        tote_cli_table_cell(t, "%lld", cli_jn(o, "picked"));
        tote_cli_table_cell(t, "%s", cli_js(o, "ordered_at", ""));
        tote_cli_table_cell(t, "%s%s%s", cli_jb(o, "cod") ? "COD" : "",
                            cli_jb(o, "cod") && cli_jb(o, "rush") ? " " : "",
                            cli_jb(o, "rush") ? "RUSH" : "");
    }
    int rc = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    if (rc != TOTE_EXIT_OK) {
        cJSON_Delete(arr);
        return rc;
    }
    printf("%d order(s)\n", cJSON_GetArraySize(arr));
    cJSON_Delete(arr);
    return TOTE_EXIT_OK;
}

static int print_show(const cJSON *o)
{
    char buf[64];
    printf("Order %s  (%s", cli_js(o, "name", ""), cli_js(o, "status", ""));
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "hold_reason")))
        printf(": %s", cli_js(o, "hold_reason", ""));
    printf(")\n");
    printf("  channel   %s%s%s\n", cli_js(o, "channel", ""),
           cJSON_IsString(cJSON_GetObjectItem(o, "external_ref")) ? "  ref " : "",
           cli_js(o, "external_ref", ""));
    printf("  ordered   %s", cli_js(o, "ordered_at", ""));
    if (cJSON_IsString(cJSON_GetObjectItem(o, "ship_by")))
        printf("  ship by %s", cli_js(o, "ship_by", ""));
    if (cli_jn(o, "priority"))
        printf("  priority %lld", cli_jn(o, "priority"));
    if (cli_jb(o, "rush"))
        printf("  RUSH");
    if (cli_jb(o, "pickup"))
        printf("  PICKUP");
    printf("\n");
    const cJSON *c = cJSON_GetObjectItem(o, "customer");
    if (cJSON_IsObject(c))
        printf("  customer  %s%s<%s>%s%s\n", cli_js(c, "name", ""), *cli_js(c, "name", "") ? " " : "",
               cli_js(c, "email", ""), cJSON_IsString(cJSON_GetObjectItem(c, "phone")) ? "  " : "",
               cli_js(c, "phone", ""));
    else
        printf("  customer  -\n");
    const cJSON *p = cJSON_GetObjectItem(o, "payment");
    money(buf, sizeof buf, p, "total_cents");
    printf("  payment   %s%s%s  total %s %s%s\n", cli_js(p, "status", ""),
           cJSON_IsString(cJSON_GetObjectItem(p, "method")) ? " by " : "", cli_js(p, "method", ""), buf,
           cli_js(p, "currency", ""), cli_jb(p, "cod") ? "  (cash on delivery)" : "");
    const cJSON *sh = cJSON_GetObjectItem(o, "shipping");
    printf("  ship to   ");
    static const char *const parts[] = {"name", "company",  "address1", "address2", "zip",
                                        "city", "province", "country",  "phone"};
    int first = 1;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (cJSON_IsString(cJSON_GetObjectItem(sh, parts[i]))) {
            printf("%s%s", first ? "" : ", ", cli_js(sh, parts[i], ""));
            first = 0;
        }
    printf("%s\n", first ? "-" : "");
    if (cJSON_IsString(cJSON_GetObjectItem(sh, "method")))
        printf("  method    %s\n", cli_js(sh, "method", ""));
    printf("\n");
    tote_cli_table *t = tote_cli_table_new(">#", "SKU", "NAME", ">ORD", ">ALLOC", ">PICK", ">SHORT", ">PACK",
                                           ">SHIP", ">RET", "", NULL);
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(o, "lines"))
    {
        tote_cli_table_cell(t, "%lld", cli_jn(l, "line_no"));
        tote_cli_table_cell(t, "%s", cli_js(l, "sku", ""));
        tote_cli_table_cell(t, "%s", cli_js(l, "name", ""));
        static const char *const qty[] = {"ordered", "allocated", "picked",  "short",
                                          "packed",  "shipped",   "returned"};
        for (size_t i = 0; i < sizeof qty / sizeof qty[0]; i++)
            tote_cli_table_cell(t, "%lld", cli_jn(l, qty[i]));
        tote_cli_table_cell(t, "%s",
                            !cli_jb(l, "requires_shipping") ? "(not shipped)"
                            : !cli_jb(l, "known")           ? "(SKU not in catalog)"
                                                            : "");
    }
    int rc = tote_cli_table_print(t, stdout, "  ");
    tote_cli_table_destroy(&t);
    const cJSON *pk = cJSON_GetObjectItem(o, "packages");
    if (rc == TOTE_EXIT_OK && cJSON_GetArraySize(pk) > 0) {
        printf("\n  packages\n");
        t = tote_cli_table_new(">", "", "", "", "", NULL);
        cJSON_ArrayForEach(l, pk)
        {
            tote_cli_table_cell(t, "%lld", cli_jn(l, "package_no"));
            tote_cli_table_cell(t, "%s", cli_js(l, "status", ""));
            tote_cli_table_cell(t, "%s", cli_js(l, "carton", "-"));
            tote_cli_table_cell(t, "%s", cli_js(l, "tracking", ""));
            tote_cli_table_cell(t, "%s%s", cJSON_IsString(cJSON_GetObjectItem(l, "sscc")) ? "SSCC " : "",
                                cli_js(l, "sscc", ""));
        }
        rc = tote_cli_table_print(t, stdout, "  ");
        tote_cli_table_destroy(&t);
    }
    if (rc != TOTE_EXIT_OK)
        return rc;
    printf("\n  history\n");
    t = tote_cli_table_new("", "", "", "", NULL);
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(o, "events"))
    {
        const cJSON *d = cJSON_GetObjectItem(l, "detail");
        char *dt = cJSON_IsObject(d) ? cJSON_PrintUnformatted(d) : NULL;
        tote_cli_table_cell(t, "%s", cli_js(l, "at", ""));
        tote_cli_table_cell(t, "%s", cli_js(l, "kind", ""));
        tote_cli_table_cell(t, "%s%s%s", cli_js(l, "actor", "-"),
                            cJSON_IsString(cJSON_GetObjectItem(l, "device")) ? "@" : "",
                            cli_js(l, "device", ""));
        tote_cli_table_cell(t, "%s", dt ? dt : "");
        cJSON_free(dt);
    }
    rc = tote_cli_table_print(t, stdout, "  ");
    tote_cli_table_destroy(&t);
    return rc;
}

static int cmd_show(tote_store *s, const char *name, int json)
{
    cJSON *o = NULL;
    tote_st_err e = tote_order_show_json(s, name, &o);
    if (e != TOTE_ST_E_OK)
        return cli_store_fail(e, NULL);
    if (json) {
        tote_cli_print_json(o);
        return TOTE_EXIT_OK;
    }
    int rc = print_show(o);
    cJSON_Delete(o);
    return rc;
}

int tote_cmd_order(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    const char *status = tote_cli_take_opt(&argc, argv, "--status");
    const char *reason = tote_cli_take_opt(&argc, argv, "--reason");
    const char *method = tote_cli_take_opt(&argc, argv, "--method");
    if (argc < 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: %s", USAGE);
    const char *sub = argv[1];
    if ((status && !*status) || (reason && !*reason) || (method && !*method))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--status, --reason and --method need a value");
    int is_list = strcmp(sub, "list") == 0, is_show = strcmp(sub, "show") == 0;
    int is_paid = strcmp(sub, "paid") == 0;
    int is_verb = strcmp(sub, "release") == 0 || strcmp(sub, "hold") == 0 || strcmp(sub, "cancel") == 0;
    if (!is_list && !is_show && !is_paid && !is_verb)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unknown subcommand 'order %s' (usage: %s)", sub, USAGE);
    if (status && !is_list)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--status is for 'tote order list'");
    if (reason && !is_verb)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--reason is for 'tote order release|hold|cancel'");
    if (method && !is_paid)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--method is for 'tote order paid'");
    if (json && !is_list && !is_show)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--json is for 'tote order list|show'");
    int rc = cli_store_args(argc, argv, is_list ? 0 : 1, USAGE);
    if (rc)
        return rc;
    tote_store *s = NULL;
    rc = tote_cli_open_store(ctx, is_list || is_show ? TOTE_STORE_READONLY : 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    /* "1001" for "#1001", as the console's search takes it: when no order
       has the name as given and one has it with Shopify's '#' */
    char hashed[128];
    if (!is_list && argv[2][0] != '#' && strlen(argv[2]) < sizeof hashed - 1 &&
        tote_order_find(s, argv[2], NULL, NULL) == TOTE_ST_E_NOT_FOUND) {
        snprintf(hashed, sizeof hashed, "#%s", argv[2]);
        if (tote_order_find(s, hashed, NULL, NULL) == TOTE_ST_E_OK)
            argv[2] = hashed;
    }
    if (is_list) {
        rc = cmd_list(s, status, json);
    } else if (is_show) {
        rc = cmd_show(s, argv[2], json);
    } else {
        char *err = NULL;
        tote_st_err e;
        const char *actor = cli_store_actor();
        if (is_paid)
            e = tote_order_paid(s, argv[2], method, actor, "cli", &err);
        else if (strcmp(sub, "release") == 0)
            e = tote_order_release(s, argv[2], actor, "cli", reason, &err);
        else if (strcmp(sub, "hold") == 0)
            e = tote_order_hold(s, argv[2], actor, "cli", reason, &err);
        else
            e = tote_order_cancel(s, argv[2], actor, "cli", reason, &err);
        if (e != TOTE_ST_E_OK) {
            rc = cli_store_fail(e, err);
        } else {
            tote_order_status st = TOTE_ORDER_RECEIVED;
            tote_order_find(s, argv[2], NULL, &st);
            printf("order %s: %s%s\n", argv[2], is_paid ? "paid, now " : "", tote_order_status_name(st));
            cJSON *picked = NULL;
            if (st == TOTE_ORDER_CANCELLED && tote_order_picked_json(s, argv[2], &picked) == TOTE_ST_E_OK &&
                cJSON_GetArraySize(picked) > 0) {
                /* units out of their bins: say where they are and how to put them back */
                printf("units already picked for it are out of their bins; put them back:\n");
                const cJSON *p;
                cJSON_ArrayForEach(p, picked)
                {
                    const char *sku = cli_js(p, "sku", ""), *bin = cli_js(p, "bin", "");
                    const char *tote = cli_js(p, "tote", ""), *lot = cli_js(p, "lot", "");
                    long long n = cli_jn(p, "units");
                    printf("  %lld x %s from %s%s%s: tote stock adjust %s %s +%lld%s%s --reason 'put back: "
                           "order "
                           "%s cancelled'\n",
                           n, sku, bin, *tote ? ", in tote " : "", tote, sku, bin, n, *lot ? " --lot " : "",
                           lot, argv[2]);
                }
            }
            cJSON_Delete(picked);
        }
        free(err);
    }
    tote_store_destroy(&s);
    return rc;
}
