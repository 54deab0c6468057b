/* tote operator add|list: the people who log in on handhelds with a badge. */
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/devices.h"

static int operator_add(const tote_cli_ctx *ctx, int argc, char **argv)
{
    const char *role = tote_cli_take_opt(&argc, argv, "--role");
    const char *badge = tote_cli_take_opt(&argc, argv, "--badge");
    if (argc != 2 || !role)
        return tote_cli_fail(
            TOTE_EXIT_USAGE,
            "usage: tote operator add NAME --role picker|packer|supervisor|admin [--badge CODE]");
    if (!tote_operator_role_valid(role))
        return tote_cli_fail(TOTE_EXIT_USAGE, "role '%s' is not one of picker, packer, supervisor, admin",
                             role);
    if (badge && !*badge)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--badge needs a code");
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    char code[65];
    tote_st_err e = tote_operator_add(s, argv[1], role, badge, "cli", code);
    tote_store_destroy(&s);
    if (e == TOTE_ST_E_EXISTS)
        return tote_cli_fail(TOTE_EXIT_USAGE, "an operator named '%s' or with that badge already exists",
                             argv[1]);
    if (e == TOTE_ST_E_INVALID)
        return tote_cli_fail(TOTE_EXIT_USAGE,
                             "a badge code is 1 to 64 letters, digits, '-' or '_', and a name is not empty");
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot add operator '%s': %s", argv[1], tote_st_strerror(e));
    printf("operator %s added (%s), badge BADGE-%s\n", argv[1], role, code);
    return TOTE_EXIT_OK;
}

static int operator_list(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc != 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote operator list [--json]");
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    cJSON *arr = NULL;
    tote_st_err e = tote_operator_list_json(s, &arr);
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot list operators: %s", tote_st_strerror(e));
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    printf("%-24s %-10s %-20s %s\n", "NAME", "ROLE", "BADGE", "ACTIVE");
    cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        printf("%-24s %-10s BADGE-%-14s %s\n", cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")),
               cJSON_GetStringValue(cJSON_GetObjectItem(o, "role")),
               cJSON_GetStringValue(cJSON_GetObjectItem(o, "badge")),
               cJSON_IsTrue(cJSON_GetObjectItem(o, "active")) ? "yes" : "no");
    }
    cJSON_Delete(arr);
    return TOTE_EXIT_OK;
}

int tote_cmd_operator(const tote_cli_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return operator_add(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return operator_list(ctx, argc - 1, argv + 1);
    return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote operator add|list ...");
}
