/* Private helpers shared by the store verbs (order, customer, stock, location, config). */
#ifndef TOTE_CLI_STORE_H
#define TOTE_CLI_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/catalog.h"

/* Exit code for a store error: bad input or a refused state change is 2, the rest 1. */
static inline int cli_store_exit(tote_st_err e)
{
    switch (e) {
    case TOTE_ST_E_OK:
        return TOTE_EXIT_OK;
    case TOTE_ST_E_NOT_FOUND:
    case TOTE_ST_E_EXISTS:
    case TOTE_ST_E_INVALID:
    case TOTE_ST_E_STATE:
        return TOTE_EXIT_USAGE;
    default:
        return TOTE_EXIT_FAIL;
    }
}

/* Prints msg (or the store's last detail, or the error's text) and returns the exit code. */
static inline int cli_store_fail(tote_st_err e, const char *msg)
{
    const char *d = tote_st_detail();
    return tote_cli_fail(cli_store_exit(e), "%s", msg && *msg ? msg : (*d ? d : tote_st_strerror(e)));
}

/* Who is acting: $TOTE_ACTOR, else $USER, else "cli". */
static inline const char *cli_store_actor(void)
{
    const char *a = getenv("TOTE_ACTOR");
    if (!a || !*a)
        a = getenv("USER");
    return a && *a ? a : "cli";
}

/* After options were taken: refuses a leftover "--option" or a positional count other than npos
 * (counting from argv[2], after the verb and its subcommand). Returns 0 if fine, else prints and returns 2.
 */
static inline int cli_store_args(int argc, char **argv, int npos, const char *usage)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && argv[i][2]) {
            tote_cli_fail(TOTE_EXIT_USAGE, "unknown option %s (usage: %s)", argv[i], usage);
            return TOTE_EXIT_USAGE;
        }
    if (argc - 2 != npos) {
        tote_cli_fail(TOTE_EXIT_USAGE, "usage: %s", usage);
        return TOTE_EXIT_USAGE;
    }
    return 0;
}

/* A string field of a JSON object, or "" / fallback. */
static inline const char *cli_js(const cJSON *o, const char *key, const char *fallback)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return v ? v : fallback;
}

static inline long long cli_jn(const cJSON *o, const char *key)
{
    return (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static inline int cli_jb(const cJSON *o, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

#endif
