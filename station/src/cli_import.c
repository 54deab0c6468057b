/*
 * tote import KIND FILE [--strict] [--force] [--json] [--actor NAME]
 *
 * Problems go to stderr as "FILE:LINE: reason" while the import runs (with
 * --json they are in the printed object instead); a summary ends it. Exit 0
 * when every record was imported, 2 when some were rejected or the file is
 * unusable, 1 on a runtime failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_internal.h"
#include "tote/import.h"

#define MAX_PRINTED 1000
#define PROGRESS_MIN_BYTES (1024 * 1024)

struct ui {
    const char *path;
    int json;
    cJSON *problems;
    long long shown, omitted;
    int bar;         /* draw a progress bar */
    int bar_visible; /* something is on the line */
};

static void clear_bar(struct ui *u)
{
    if (u->bar_visible) {
        fputs("\r\033[K", stderr);
        u->bar_visible = 0;
    }
}

static void on_problem(void *ud, const tote_import_problem *p)
{
    struct ui *u = ud;
    if (u->shown >= MAX_PRINTED) {
        u->omitted++;
        return;
    }
    u->shown++;
    if (u->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "severity", tote_import_severity_name(p->severity));
        if (p->line > 0)
            cJSON_AddNumberToObject(o, "line", (double)p->line);
        if (p->index >= 0)
            cJSON_AddNumberToObject(o, "index", (double)p->index);
        cJSON_AddStringToObject(o, "subject", p->subject);
        cJSON_AddStringToObject(o, "reason", p->reason);
        cJSON_AddItemToArray(u->problems, o);
        return;
    }
    clear_bar(u);
    const char *tag = p->severity == TOTE_IMPORT_REJECTED  ? "rejected"
                      : p->severity == TOTE_IMPORT_WARNING ? "warning"
                                                           : "note";
    if (p->line > 0)
        fprintf(stderr, "%s:%lld: %s: %s\n", u->path, p->line, tag, p->reason);
    else
        fprintf(stderr, "%s: %s: %s\n", u->path, tag, p->reason);
}

static void on_progress(void *ud, long long done, long long total, long long records)
{
    struct ui *u = ud;
    if (!u->bar)
        return;
    if (done < 0) {
        clear_bar(u);
        return;
    }
    if (total <= 0)
        return;
    int pct = (int)(done * 100 / total);
    if (pct > 100)
        pct = 100;
    char bar[31];
    int fill = pct * 30 / 100;
    for (int i = 0; i < 30; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[30] = '\0';
    fprintf(stderr, "\rimporting %s [%s] %3d%%  %lld records", u->path, bar, pct, records);
    fflush(stderr);
    u->bar_visible = 1;
}

static void print_summary(const tote_import_summary *m, const char *path)
{
    if (m->already_imported) {
        printf("%s was already imported at %s (same sha256 %.12s...): nothing changed; --force imports it "
               "again\n",
               path, m->previous_at, m->sha256);
        return;
    }
    switch (m->kind) {
    case TOTE_IMPORT_SHOPIFY_ORDERS:
    case TOTE_IMPORT_ORDERS_JSON:
        printf("%s: %lld order%s (%lld line%s): %lld created, %lld updated, %lld unchanged, %lld locked; "
               "%lld held, %lld cancelled",
               path, m->records, m->records == 1 ? "" : "s", m->lines, m->lines == 1 ? "" : "s", m->created,
               m->updated, m->unchanged, m->locked, m->held, m->cancelled);
        if (m->skipped)
            printf(", %lld skipped (fulfilled upstream)", m->skipped);
        break;
    case TOTE_IMPORT_SHOPIFY_PRODUCTS:
        printf("%s: %lld product%s: %lld created, %lld updated, %lld unchanged; %lld barcode%s set", path,
               m->records, m->records == 1 ? "" : "s", m->created, m->updated, m->unchanged, m->barcodes,
               m->barcodes == 1 ? "" : "s");
        if (m->skipped)
            printf("; %lld image rows skipped", m->skipped);
        if (m->unshipped)
            printf("; %lld unshipped variants without SKU skipped", m->unshipped);
        break;
    case TOTE_IMPORT_STOCK:
        printf("%s: %lld row%s: %lld received (%lld unit%s)", path, m->records, m->records == 1 ? "" : "s",
               m->created, m->units, m->units == 1 ? "" : "s");
        if (m->skipped)
            printf(", %lld with nothing on hand skipped", m->skipped);
        if (m->elsewhere)
            printf(", %lld of other locations skipped", m->elsewhere);
        break;
    case TOTE_IMPORT_LOCATIONS:
        printf("%s: %lld bins: %lld created, %lld already there", path, m->records, m->created, m->unchanged);
        break;
    }
    printf("; %lld rejected", m->rejected);
    if (m->warnings)
        printf(", %lld with warnings", m->warnings);
    if (m->windows_1252)
        printf("; read as Windows-1252 text (the file is not UTF-8)");
    printf("\n");
}

int tote_cmd_import(const tote_cli_ctx *ctx, int argc, char **argv)
{
    static const char usage[] =
        "usage: tote import shopify-products|shopify-orders|stock|locations|orders-json "
        "FILE [--strict] [--force] [--json] [--actor NAME] [--location NAME (stock)]";
    int json = tote_cli_take_flag(&argc, argv, "--json");
    int strict = tote_cli_take_flag(&argc, argv, "--strict");
    int force = tote_cli_take_flag(&argc, argv, "--force");
    const char *actor = tote_cli_take_opt(&argc, argv, "--actor");
    const char *location = tote_cli_take_opt(&argc, argv, "--location");
    if (location && !*location)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--location needs the name of a Shopify location");
    if (actor && !*actor)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--actor needs a name");
    if (argc != 3)
        return tote_cli_fail(TOTE_EXIT_USAGE, "%s", usage);
    tote_import_kind kind;
    if (tote_import_kind_parse(argv[1], &kind) != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unknown import kind '%s' (%s)", argv[1], usage + 7);
    if (location && kind != TOTE_IMPORT_STOCK)
        return tote_cli_fail(TOTE_EXIT_USAGE,
                             "--location is for tote import stock (Shopify's inventory export)");
    const char *path = argv[2];
    struct stat sb;
    if (stat(path, &sb) != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "cannot read %s: %s", path,
                             errno == ENOENT ? "no such file" : strerror(errno));
    if (!S_ISREG(sb.st_mode))
        return tote_cli_fail(TOTE_EXIT_USAGE, "%s is not a regular file", path);

    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;

    if (!actor) /* as the other verbs: $TOTE_ACTOR, else $USER, else "cli" */
        actor = getenv("TOTE_ACTOR");
    if (!actor || !*actor)
        actor = getenv("USER");
    if (!actor || !*actor)
        actor = "cli";
    struct ui u = {.path = path, .json = json};
    u.bar = isatty(STDERR_FILENO) && sb.st_size >= PROGRESS_MIN_BYTES;
    if (json)
        u.problems = cJSON_CreateArray();
    tote_import_opts o = {.actor = actor,
                          .strict = strict,
                          .force = force,
                          .location = location,
                          .on_problem = on_problem,
                          .on_progress = on_progress,
                          .ud = &u};
    tote_import_summary m;
    char *msg = NULL;
    tote_st_err e = tote_import_file(s, kind, path, &o, &m, &msg);
    clear_bar(&u);
    tote_store_destroy(&s);
    if (!json && u.omitted)
        fprintf(stderr, "%s: ... and %lld more problems not shown\n", path, u.omitted);

    if (e == TOTE_ST_E_OK || m.rolled_back) {
        if (json) {
            cJSON *j = tote_import_summary_json(&m);
            cJSON_AddStringToObject(j, "file", path);
            cJSON_AddItemToObject(j, "problems", u.problems);
            u.problems = NULL;
            if (u.omitted)
                cJSON_AddNumberToObject(j, "problems_omitted", (double)u.omitted);
            if (e != TOTE_ST_E_OK)
                cJSON_AddStringToObject(j, "error", msg ? msg : tote_st_strerror(e));
            tote_cli_print_json(j);
        } else if (e == TOTE_ST_E_OK) {
            print_summary(&m, path);
        }
    } else if (json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "kind", tote_import_kind_name(kind));
        cJSON_AddStringToObject(j, "file", path);
        cJSON_AddStringToObject(j, "error", msg ? msg : tote_st_strerror(e));
        cJSON_AddItemToObject(j, "problems", u.problems);
        u.problems = NULL;
        tote_cli_print_json(j);
    }
    cJSON_Delete(u.problems);
    if (e != TOTE_ST_E_OK) {
        int code = (e == TOTE_ST_E_INVALID || e == TOTE_ST_E_NOT_FOUND) ? TOTE_EXIT_USAGE : TOTE_EXIT_FAIL;
        tote_cli_fail(code, "%s", msg ? msg : tote_st_strerror(e));
        free(msg);
        return code;
    }
    free(msg);
    return m.rejected > 0 ? TOTE_EXIT_USAGE : TOTE_EXIT_OK;
}
