/*
 * The `tote` command line (DESIGN.md §9). Exit codes: 0 ok, 1 runtime
 * failure, 2 bad usage or bad input. Errors go to stderr as one sentence.
 */
#ifndef TOTE_CLI_H
#define TOTE_CLI_H

#include <stddef.h>
#include <stdio.h>

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

/* Display width of UTF-8 text: its characters (code points), not its bytes.
 * NULL is 0. */
size_t tote_cli_text_width(const char *s);

/*
 * The table every listing prints (tote_cli_table_*). Each column is as wide
 * as its widest cell or title, measured with tote_cli_text_width(), so a long
 * bin code or SKU never pushes the columns after it out of line; columns are
 * two spaces apart. A text column other than the last is at most
 * TOTE_CLI_TABLE_MAX characters wide: a longer cell is cut on a character
 * boundary and ends in '~'. Numbers (right-aligned columns) and the last
 * column (free text) are never cut. Empty cells at the end of a row are not
 * printed and no line ends in spaces.
 *
 *     tote_cli_table *t = tote_cli_table_new("BIN", "SKU", ">ON_HAND", "", NULL);
 *     tote_cli_table_cell(t, "%s", bin); ... (row after row, a cell at a time)
 *     int rc = tote_cli_table_print(t, stdout, "");
 *     tote_cli_table_destroy(&t);
 */
#define TOTE_CLI_TABLE_MAX 48

typedef struct tote_cli_table tote_cli_table;

/* A table with these column titles, NULL-terminated (at least one). A title
 * starting with '>' makes a right-aligned column (the '>' is not printed); ""
 * is a column without title (a row's trailing flags). Without any title no
 * title line is printed. At most 32 columns. NULL if out of memory (the
 * other functions accept NULL; print then fails). */
tote_cli_table *tote_cli_table_new(const char *title, ...) __attribute__((sentinel));

/* The same with the n titles in an array (a report's columns). NULL if n is 0. */
tote_cli_table *tote_cli_table_new_array(size_t n, const char *const *titles);

/* Prints a line of dashes under the titles (the reports do). */
void tote_cli_table_rule(tote_cli_table *t);

/* Adds the next cell, formatted as printf: cells fill the current row, left
 * to right; after the last column the next cell starts a new row. */
void tote_cli_table_cell(tote_cli_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The number of rows added so far. */
size_t tote_cli_table_rows(const tote_cli_table *t);

/* Writes the table to f, each line starting with indent (e.g. "" or "  ").
 * TOTE_EXIT_OK, or TOTE_EXIT_FAIL after saying "out of memory" (nothing
 * printed) when the table or one of its cells could not be stored. */
int tote_cli_table_print(const tote_cli_table *t, FILE *f, const char *indent);

/* Frees the table and sets *t to NULL; accepts NULL and a NULL *t. */
void tote_cli_table_destroy(tote_cli_table **t);

/* 1 if argv contains the flag (e.g. "--json"), removing it from argv. */
int tote_cli_take_flag(int *argc, char **argv, const char *flag);

/* If argv contains "NAME VALUE" or "NAME=VALUE", removes it and returns VALUE
 * (a pointer into argv), else NULL. A NAME without value returns "" and
 * stays removed: the caller reports a usage error. */
const char *tote_cli_take_opt(int *argc, char **argv, const char *name);

#endif
