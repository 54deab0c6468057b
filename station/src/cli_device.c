/* tote device add|list|revoke|rekey: handhelds, benches and consoles. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_internal.h"
#include "tote/devices.h"
#include "tote/security.h"

/* Each subcommand with its options; USAGE is all of them (`tote device --help`). */
#define ADD_ARGS                                                                                      \
    "add NAME --role picker|packer|bench|console [--label-printer P] [--slip-printer P] [--endpoint " \
    "tcp://HOST:PORT] [--events tcp://HOST:PORT] [-o ENROLMENT_FILE]"
#define LIST_ARGS "list [--json]"
#define REVOKE_ARGS "revoke NAME"
#define REKEY_ARGS "rekey NAME [--endpoint tcp://HOST:PORT] [--events tcp://HOST:PORT] [-o ENROLMENT_FILE]"
#define USAGE "tote device " ADD_ARGS " | " LIST_ARGS " | " REVOKE_ARGS " | " REKEY_ARGS

static int device_add(const tote_cli_ctx *ctx, int argc, char **argv)
{
    const char *role = tote_cli_take_opt(&argc, argv, "--role");
    const char *label = tote_cli_take_opt(&argc, argv, "--label-printer");
    const char *slip = tote_cli_take_opt(&argc, argv, "--slip-printer");
    const char *endpoint = tote_cli_take_opt(&argc, argv, "--endpoint");
    const char *events = tote_cli_take_opt(&argc, argv, "--events");
    const char *outfile = tote_cli_take_opt(&argc, argv, "-o");
    if (argc != 2 || !role)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote device %s", ADD_ARGS);
    if ((endpoint && strncmp(endpoint, "tcp://", 6) != 0 && strncmp(endpoint, "ipc://", 6) != 0) ||
        (events && strncmp(events, "tcp://", 6) != 0 && strncmp(events, "ipc://", 6) != 0))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--endpoint and --events need an address like tcp://HOST:5555");
    if (outfile && !*outfile)
        return tote_cli_fail(TOTE_EXIT_USAGE, "-o needs a file name for the enrolment file");
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
    /* the row and its key in one transaction: a device is never half enrolled */
    tote_enrolment en;
    char *why = NULL;
    tote_st_err e = tote_store_begin(s);
    if (e == TOTE_ST_E_OK)
        e = tote_device_add(s, name, role, label, slip, "cli");
    if (e == TOTE_ST_E_OK)
        e = tote_security_enrol_device(s, ctx->db_path, name, role, endpoint, events, &en, &why);
    /* the enrolment file before the commit: a file that cannot be written
       leaves no device behind whose key nobody has */
    int saved = 0, save_errno = 0;
    if (e == TOTE_ST_E_OK && outfile) {
        if (tote_enrolment_save(outfile, &en) != 0) {
            save_errno = errno;
            e = TOTE_ST_E_IO;
        } else {
            saved = 1;
        }
    }
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(s);
    if (e != TOTE_ST_E_OK) {
        tote_store_rollback(s);
        if (saved)
            unlink(outfile);
    }
    tote_store_destroy(&s);
    if (save_errno) {
        memset(&en, 0, sizeof en);
        return tote_cli_fail(TOTE_EXIT_FAIL,
                             "cannot write the enrolment file %s (%s): device %s was not added", outfile,
                             strerror(save_errno), name);
    }
    if (e == TOTE_ST_E_EXISTS && !why)
        return tote_cli_fail(TOTE_EXIT_USAGE, "device '%s' already exists", name);
    if (e != TOTE_ST_E_OK) {
        tote_cli_fail(TOTE_EXIT_FAIL, "cannot add device '%s': %s", name, why ? why : tote_st_strerror(e));
        free(why);
        return TOTE_EXIT_FAIL;
    }
    if (outfile) {
        printf("device %s added (%s); enrolment file %s (mode 0600): copy it to the device and run "
               "tote-handheld --enrol %s\n",
               name, role, outfile, outfile);
    } else {
        tote_enrolment_write(stdout, &en);
    }
    memset(&en, 0, sizeof en);
    return TOTE_EXIT_OK;
}

static int device_list(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc != 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote device %s", LIST_ARGS);
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    cJSON *arr = NULL;
    tote_st_err e = tote_device_list_json(s, &arr);
    cJSON *it;
    if (e == TOTE_ST_E_OK)
        cJSON_ArrayForEach(it, arr)
        {
            char key[64] = "", fp[TOTE_FINGERPRINT_LEN + 1];
            tote_security_device_key(s, cJSON_GetStringValue(cJSON_GetObjectItem(it, "name")), key,
                                     sizeof key);
            tote_key_fingerprint(key, fp, sizeof fp);
            if (key[0])
                cJSON_AddStringToObject(it, "key_fingerprint", fp);
            else
                cJSON_AddNullToObject(it, "key_fingerprint");
        }
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot list devices: %s", tote_st_strerror(e));
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    tote_cli_table *t =
        tote_cli_table_new("NAME", "ROLE", "KEY", "OPERATOR", ">LAST_SEQ", "LAST_SEEN", "", NULL);
    cJSON *d;
    cJSON_ArrayForEach(d, arr)
    {
        const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(d, "operator"));
        const char *seen = cJSON_GetStringValue(cJSON_GetObjectItem(d, "last_seen"));
        const char *fp = cJSON_GetStringValue(cJSON_GetObjectItem(d, "key_fingerprint"));
        tote_cli_table_cell(t, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(d, "name")));
        tote_cli_table_cell(t, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(d, "role")));
        tote_cli_table_cell(t, "%s", fp ? fp : "(no key)");
        tote_cli_table_cell(t, "%s", op ? op : "-");
        tote_cli_table_cell(t, "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(d, "last_seq")));
        tote_cli_table_cell(t, "%s", seen ? seen : "never");
        tote_cli_table_cell(t, "%s", cJSON_IsTrue(cJSON_GetObjectItem(d, "revoked")) ? "(revoked)" : "");
    }
    rc = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    cJSON_Delete(arr);
    return rc;
}

static int device_revoke(const tote_cli_ctx *ctx, int argc, char **argv)
{
    if (argc != 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote device %s", REVOKE_ARGS);
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
    printf("device %s revoked: a running station refuses its key and its requests from now on, and closes "
           "its open connection\n",
           argv[1]);
    return TOTE_EXIT_OK;
}

static int device_rekey(const tote_cli_ctx *ctx, int argc, char **argv)
{
    const char *endpoint = tote_cli_take_opt(&argc, argv, "--endpoint");
    const char *events = tote_cli_take_opt(&argc, argv, "--events");
    const char *outfile = tote_cli_take_opt(&argc, argv, "-o");
    if (argc != 2)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote device %s", REKEY_ARGS);
    if ((endpoint && strncmp(endpoint, "tcp://", 6) != 0 && strncmp(endpoint, "ipc://", 6) != 0) ||
        (events && strncmp(events, "tcp://", 6) != 0 && strncmp(events, "ipc://", 6) != 0))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--endpoint and --events need an address like tcp://HOST:5555");
    if (outfile && !*outfile)
        return tote_cli_fail(TOTE_EXIT_USAGE, "-o needs a file name for the enrolment file");
    const char *name = argv[1];
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    tote_enrolment en;
    char *why = NULL;
    tote_st_err e = tote_store_begin(s);
    if (e == TOTE_ST_E_OK)
        e = tote_security_rekey_device(s, ctx->db_path, name, endpoint, events, "cli", &en, &why);
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(s);
    if (e != TOTE_ST_E_OK)
        tote_store_rollback(s);
    tote_store_destroy(&s);
    if (e == TOTE_ST_E_NOT_FOUND && !why)
        return tote_cli_fail(TOTE_EXIT_USAGE, "no device named '%s'", name);
    if (e == TOTE_ST_E_DENIED) {
        tote_cli_fail(TOTE_EXIT_USAGE, "cannot re-key '%s': %s", name, why ? why : tote_st_strerror(e));
        free(why);
        return TOTE_EXIT_USAGE;
    }
    if (e != TOTE_ST_E_OK) {
        tote_cli_fail(TOTE_EXIT_FAIL, "cannot re-key device '%s': %s", name, why ? why : tote_st_strerror(e));
        free(why);
        return TOTE_EXIT_FAIL;
    }
    if (outfile) {
        if (tote_enrolment_save(outfile, &en) != 0) {
            memset(&en, 0, sizeof en);
            return tote_cli_fail(TOTE_EXIT_FAIL,
                                 "device %s was re-keyed but its enrolment file %s cannot be written (%s): "
                                 "run tote device rekey again",
                                 name, outfile, strerror(errno));
        }
        printf("device %s re-keyed: its old key is refused and its open connection closed; new enrolment "
               "file %s (mode 0600): copy it to the device and run tote-handheld --enrol %s\n",
               name, outfile, outfile);
    } else {
        tote_enrolment_write(stdout, &en);
    }
    memset(&en, 0, sizeof en);
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
    if (argc >= 2 && strcmp(argv[1], "rekey") == 0)
        return device_rekey(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--help") != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unknown subcommand 'device %s' (usage: %s)", argv[1], USAGE);
    return tote_cli_fail(TOTE_EXIT_USAGE, "usage: %s", USAGE);
}
