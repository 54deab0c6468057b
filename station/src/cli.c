/* The `tote` dispatcher: global options, then one verb. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/station.h"

struct verb {
    const char *name;
    int (*fn)(const tote_cli_ctx *, int, char **);
    const char *help;
};

static const struct verb verbs[] = {
#define TOTE_CLI_ENTRY(name, help) {#name, tote_cmd_##name, help},
    TOTE_CLI_VERBS(TOTE_CLI_ENTRY)
#undef TOTE_CLI_ENTRY
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tote [--db PATH] VERB [ARGS...]\n\n"
               "The database is --db PATH, else $TOTE_DB, else ./tote.db.\n"
               "Every listing takes --json.\n\nVerbs:\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].help);
}

int tote_cli_main(int argc, char **argv)
{
    tote_cli_ctx ctx = {.prog = argv[0], .db_path = NULL};
    const char *db = tote_cli_take_opt(&argc, argv, "--db");
    if (db && !*db)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--db needs a path");
    if (!db || !*db)
        db = getenv("TOTE_DB");
    ctx.db_path = (db && *db) ? db : "./tote.db";

    if (argc < 2) {
        usage(stderr);
        return TOTE_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return TOTE_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("tote %s\n", TOTE_STATION_VERSION);
        return TOTE_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strcmp(argv[1], verbs[i].name) != 0)
            continue;
        /* `tote VERB ... --help` (or -h) anywhere before "--": the verb is run
         * with "--help" alone, which no verb acts on; its usage is the answer */
        for (int a = 2; a < argc && strcmp(argv[a], "--") != 0; a++) {
            if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
                char *help_argv[] = {argv[1], "--help", NULL};
                tote_cli_set_help_mode(1);
                return verbs[i].fn(&ctx, 2, help_argv);
            }
        }
        return verbs[i].fn(&ctx, argc - 1, argv + 1);
    }
    fprintf(stderr, "tote: unknown verb '%s' (try 'tote --help')\n", argv[1]);
    return TOTE_EXIT_USAGE;
}
