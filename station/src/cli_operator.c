/*
 * tote operator add|list|badge: the people who log in on handhelds with a
 * badge, and their printable badges (labels/include/tote/badge.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/badge.h"
#include "tote/barcode.h"
#include "tote/devices.h"
#include "tote/printing.h"

/* Each subcommand with its options; USAGE is all of them (`tote operator --help`). */
#define ADD_ARGS                                                                                         \
    "add NAME --role picker|packer|supervisor|admin [--badge CODE] [--label FILE.png|FILE.pdf] [--zpl] " \
    "[--dpi 203|300]"
#define LIST_ARGS "list [--json]"
#define BADGE_ARGS "badge NAME (-o FILE.png|FILE.pdf | --zpl) [--dpi 203|300]"
#define USAGE "tote operator " ADD_ARGS " | " LIST_ARGS " | " BADGE_ARGS

/* Badge output options: -o FILE (PNG or PDF by extension), --zpl (stdout),
 * --dpi; taken from argv. 0 ok, else an exit code (message printed). */
typedef struct badge_out {
    const char *file;
    int zpl;
    const char *dpi;
} badge_out;

static int take_badge_opts(int *argc, char **argv, const char *file_opt, badge_out *o)
{
    o->file = tote_cli_take_opt(argc, argv, file_opt);
    o->zpl = tote_cli_take_flag(argc, argv, "--zpl");
    o->dpi = tote_cli_take_opt(argc, argv, "--dpi");
    tote_preview_format fmt;
    if (o->file && (!*o->file || tote_preview_format_for_path(o->file, &fmt) != 0))
        return tote_cli_fail(TOTE_EXIT_USAGE, "the badge file (%s) must end in .png or .pdf, not '%s'",
                             file_opt, o->file);
    if (o->dpi && strcmp(o->dpi, "203") != 0 && strcmp(o->dpi, "300") != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--dpi must be 203 or 300, not '%s'", o->dpi);
    return TOTE_EXIT_OK;
}

/* Writes the badge of op as o asks; records an event 'operator_badge' (a badge
 * is a credential: every copy printed is on the record). */
static int write_badge(tote_store *s, const tote_operator_info *op, const badge_out *o)
{
    int dpi = o->dpi ? atoi(o->dpi) : tote_label_default_dpi(s);
    if (dpi != 300)
        dpi = 203;
    char value[80];
    snprintf(value, sizeof value, "BADGE-%s", op->badge);
    tote_badge b = {op->name, op->role, value};
    const char *field = NULL;
    if (o->file) {
        tote_lb_err le = tote_badge_preview_file(&b, dpi, o->file, &field);
        if (le == TOTE_LB_E_IO)
            return tote_cli_fail(TOTE_EXIT_FAIL, "cannot write the badge file %s", o->file);
        if (le != TOTE_LB_E_OK)
            return tote_cli_fail(TOTE_EXIT_USAGE, "cannot make the badge of '%s': %s (%s)", op->name,
                                 tote_lb_strerror(le), field ? field : "?");
    }
    if (o->zpl) {
        char *zpl = NULL;
        size_t len = 0;
        tote_lb_err le = tote_badge_zpl(&b, dpi, &zpl, &len, &field);
        if (le != TOTE_LB_E_OK)
            return tote_cli_fail(TOTE_EXIT_USAGE, "cannot make the badge of '%s': %s (%s)", op->name,
                                 tote_lb_strerror(le), field ? field : "?");
        fwrite(zpl, 1, len, stdout);
        free(zpl);
    }
    char detail[64];
    snprintf(detail, sizeof detail, "{\"format\":\"%s\"}",
             o->file && o->zpl ? "file+zpl"
             : o->zpl          ? "zpl"
                               : "file");
    tote_store_event(s, "cli", NULL, "operator_badge", "operator", op->name, detail);
    return TOTE_EXIT_OK;
}

static int operator_add(const tote_cli_ctx *ctx, int argc, char **argv)
{
    const char *role = tote_cli_take_opt(&argc, argv, "--role");
    const char *badge = tote_cli_take_opt(&argc, argv, "--badge");
    badge_out bo;
    int rc = take_badge_opts(&argc, argv, "--label", &bo);
    if (rc != TOTE_EXIT_OK)
        return rc;
    if (argc != 2 || !role)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote operator %s", ADD_ARGS);
    if (!tote_operator_role_valid(role))
        return tote_cli_fail(TOTE_EXIT_USAGE, "role '%s' is not one of picker, packer, supervisor, admin",
                             role);
    if (badge && !*badge)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--badge needs a code");
    /* the badge is its code; given as its barcode (BADGE-CODE, what the
       printed badge reads), it is the code a scan of it resolves to */
    tote_barcode bc;
    if (badge)
        badge = tote_barcode_badge_code(badge, &bc);
    tote_store *s = NULL;
    rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    char code[65];
    tote_st_err e = tote_operator_add(s, argv[1], role, badge, "cli", code);
    if (e != TOTE_ST_E_OK)
        tote_store_destroy(&s);
    if (e == TOTE_ST_E_EXISTS)
        return tote_cli_fail(TOTE_EXIT_USAGE, "an operator named '%s' or with that badge already exists",
                             argv[1]);
    if (e == TOTE_ST_E_INVALID)
        return tote_cli_fail(TOTE_EXIT_USAGE,
                             "a badge code is 1 to 64 letters, digits, '-' or '_', and a name is not empty");
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot add operator '%s': %s", argv[1], tote_st_strerror(e));
    /* with --zpl, stdout is the ZPL alone: the confirmation goes to stderr */
    fprintf(bo.zpl ? stderr : stdout, "operator %s added (%s), badge %s (barcode BADGE-%s)\n", argv[1], role,
            code, code);
    if (bo.file || bo.zpl) {
        tote_operator_info op;
        e = tote_operator_get(s, argv[1], &op);
        rc = e == TOTE_ST_E_OK ? write_badge(s, &op, &bo)
                               : tote_cli_fail(TOTE_EXIT_FAIL, "cannot read operator '%s' back: %s", argv[1],
                                               tote_st_strerror(e));
        if (rc == TOTE_EXIT_OK && bo.file)
            fprintf(bo.zpl ? stderr : stdout, "badge label %s\n", bo.file);
    }
    tote_store_destroy(&s);
    if (rc != TOTE_EXIT_OK)
        fprintf(stderr,
                "tote operator: operator %s was added; print the badge again with tote operator badge %s\n",
                argv[1], argv[1]);
    return rc;
}

static int operator_badge(const tote_cli_ctx *ctx, int argc, char **argv)
{
    badge_out bo;
    int rc = take_badge_opts(&argc, argv, "-o", &bo);
    if (rc != TOTE_EXIT_OK)
        return rc;
    if (argc != 2 || (!bo.file && !bo.zpl))
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote operator %s", BADGE_ARGS);
    tote_store *s = NULL;
    rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    tote_operator_info op;
    tote_st_err e = tote_operator_get(s, argv[1], &op);
    if (e == TOTE_ST_E_NOT_FOUND) {
        tote_store_destroy(&s);
        return tote_cli_fail(TOTE_EXIT_USAGE, "no operator named '%s' (see tote operator list)", argv[1]);
    }
    if (e != TOTE_ST_E_OK) {
        tote_store_destroy(&s);
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot read operator '%s': %s", argv[1], tote_st_strerror(e));
    }
    if (!op.active) {
        tote_store_destroy(&s);
        return tote_cli_fail(TOTE_EXIT_USAGE, "operator '%s' is not active: their badge is not valid",
                             argv[1]);
    }
    rc = write_badge(s, &op, &bo);
    tote_store_destroy(&s);
    if (rc == TOTE_EXIT_OK && bo.file)
        fprintf(bo.zpl ? stderr : stdout, "badge of %s (%s, badge %s) written to %s\n", op.name, op.role,
                op.badge, bo.file);
    return rc;
}

static int operator_list(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    if (argc != 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote operator %s", LIST_ARGS);
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
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
    tote_cli_table *t = tote_cli_table_new("NAME", "ROLE", "BADGE", "ACTIVE", NULL);
    cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        tote_cli_table_cell(t, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")));
        tote_cli_table_cell(t, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "role")));
        tote_cli_table_cell(t, "%s", cJSON_GetStringValue(cJSON_GetObjectItem(o, "badge")));
        tote_cli_table_cell(t, "%s", cJSON_IsTrue(cJSON_GetObjectItem(o, "active")) ? "yes" : "no");
    }
    rc = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    cJSON_Delete(arr);
    return rc;
}

int tote_cmd_operator(const tote_cli_ctx *ctx, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return operator_add(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return operator_list(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "badge") == 0)
        return operator_badge(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--help") != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unknown subcommand 'operator %s' (usage: %s)", argv[1], USAGE);
    return tote_cli_fail(TOTE_EXIT_USAGE, "usage: %s", USAGE);
}
