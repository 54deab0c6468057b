/* tote device add|list|revoke: handhelds, benches and consoles. */
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/devices.h"

static int device_add(const tote_cli_ctx *ctx, int argc, char **argv)
{
    const char *role = tote_cli_take_opt(&argc, argv, "--role");
    const char *label = tote_cli_take_opt(&argc, argv, "--label-printer");
    const char *slip = tote_cli_take_opt(&argc, argv, "--slip-printer");
    if (argc != 2 || !role)
        return tote_cli_fail(TOTE_EXIT_USAGE,
                             "usage: tote device add NAME --role picker|packer|bench|console "
                             "[--label-printer P] [--slip-printer P]");
    if (!tote_device_role_valid(role))
        return tote_cli_fail(TOTE_EXIT_USAGE, "role '%s' is not one of picker, packer, bench, console", role);
    if ((label && !*label) || (slip && !*slip))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--label-printer and --slip-printer need a printer name");
    const char *name = argv[1];
    if (!*name || strlen(name) > 32)
        return tote_cli_fail(TOTE_EXIT_USAGE, "a device name is 1 to 32 bytes");
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    tote_st_err e = tote_device_add(s, name, role, label, slip, "cli");
    tote_store_destroy(&s);
    if (e == TOTE_ST_E_EXISTS)
        return tote_cli_fail(TOTE_EXIT_USAGE, "device '%s' already exists", name);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot add device '%s': %s", name, tote_st_strerror(e));
    printf("device %s added (%s)\n", name, role);
    return TOTE_EXIT_OK;
}

static int device_list(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc != 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote device list [--json]");
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    cJSON *arr = NULL;
    tote_st_err e = tote_device_list_json(s, &arr);
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot list devices: %s", tote_st_strerror(e));
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    printf("%-20s %-8s %-16s %-8s %s\n", "NAME", "ROLE", "OPERATOR", "LAST_SEQ", "LAST_SEEN");
    cJSON *d;
    cJSON_ArrayForEach(d, arr)
    {
        const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(d, "operator"));
        const char *seen = cJSON_GetStringValue(cJSON_GetObjectItem(d, "last_seen"));
        printf("%-20s %-8s %-16s %-8.0f %s%s\n", cJSON_GetStringValue(cJSON_GetObjectItem(d, "name")),
               cJSON_GetStringValue(cJSON_GetObjectItem(d, "role")), op ? op : "-",
               cJSON_GetNumberValue(cJSON_GetObjectItem(d, "last_seq")), seen ? seen : "never",
               cJSON_IsTrue(cJSON_GetObjectItem(d, "revoked")) ? " (revoked)" : "");
    }
    cJSON_Delete(arr);
    return TOTE_EXIT_OK;
}

static int device_revoke(const tote_cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote device revoke NAME");
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    tote_st_err e = tote_device_revoke(s, argv[1], "cli");
    tote_store_destroy(&s);
    if (e == TOTE_ST_E_NOT_FOUND)
        return tote_cli_fail(TOTE_EXIT_USAGE, "no active device named '%s'", argv[1]);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot revoke '%s': %s", argv[1], tote_st_strerror(e));
    printf("device %s revoked\n", argv[1]);
    return TOTE_EXIT_OK;
}

int tote_cmd_device(const tote_cli_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return device_add(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return device_list(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
        return device_revoke(ctx, argc - 1, argv + 1);
    return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote device add|list|revoke ...");
}
