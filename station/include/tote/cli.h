/*
 * The `tote` command line (DESIGN.md §9). Exit codes: 0 ok, 1 runtime
 * failure, 2 bad usage or bad input. Errors go to stderr as one sentence.
 */
#ifndef TOTE_CLI_H
#define TOTE_CLI_H

#include <cjson/cJSON.h>

#include "tote/store.h"

typedef struct tote_cli_ctx {
    const char *prog;    /* argv[0] */
    const char *db_path; /* --db, else $TOTE_DB, else ./tote.db */
} tote_cli_ctx;

enum { TOTE_EXIT_OK = 0, TOTE_EXIT_FAIL = 1, TOTE_EXIT_USAGE = 2 };

/* Runs the whole command line; returns the process exit code. */
int tote_cli_main(int argc, char **argv);

/* --- helpers for verb implementations (cli_util.c) --- */

/*
 * Prints "tote: <message>\n" to stderr; returns code. In help mode (a verb
 * run as `tote VERB --help`, see tote_cli_main) a usage failure is the help
 * asked for: the message's "usage: ..." part goes to stdout and the result is
 * TOTE_EXIT_OK.
 */
int tote_cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Switches help mode on or off (tote_cli_main does this for `VERB --help`). */
void tote_cli_set_help_mode(int on);

/*
 * Opens the store at ctx->db_path. flags as tote_store_open (TOTE_STORE_CREATE
 * only for `tote init`; TOTE_STORE_READONLY for every command that only reads,
 * so that it works on a database this user may read but not write; an older
 * schema that such an open refuses is upgraded by a writing open instead when
 * this user may write the file). On failure prints one sentence and
 * returns the exit code (1, or 2 for a missing database), with *out NULL.
 */
int tote_cli_open_store(const tote_cli_ctx *ctx, int flags, tote_store **out);

/* Prints a JSON value on stdout followed by a newline; takes ownership of v. */
void tote_cli_print_json(cJSON *v);

/* A table cell: s cut to at most width characters (UTF-8 code points; a
 * character is never split) and padded with spaces to width. Written into
 * out (cap bytes; 4 * width + 1 is always enough); returns out. */
const char *tote_cli_cell(char *out, size_t cap, const char *s, int width);

/* 1 if argv contains the flag (e.g. "--json"), removing it from argv. */
int tote_cli_take_flag(int *argc, char **argv, const char *flag);

/* If argv contains "NAME VALUE" or "NAME=VALUE", removes it and returns VALUE
 * (a pointer into argv), else NULL. A NAME without value returns "" and
 * stays removed: the caller reports a usage error. */
const char *tote_cli_take_opt(int *argc, char **argv, const char *name);

#endif
