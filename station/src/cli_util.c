/* Helpers shared by the verbs of the `tote` command line. */
#include <assert.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tote/cli.h"

static int help_mode;

void tote_cli_set_help_mode(int on)
{
    help_mode = on;
}

/* Help mode: prints the "usage: ..." part of msg (without the closing
 * parenthesis of "(usage: ...)") on stdout. 0 when msg has none. */
static int print_usage_part(const char *msg)
{
    const char *u = strstr(msg, "usage: ");
    if (!u)
        return 0;
    size_t n = strlen(u);
    if (u > msg && u[-1] == '(' && n > 0 && u[n - 1] == ')')
        n--;
    printf("%.*s\n", (int)n, u);
    return 1;
}

int tote_cli_fail(int code, const char *fmt, ...)
{
    va_list ap;
    if (help_mode && code == TOTE_EXIT_USAGE) {
        char msg[2048];
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        if (print_usage_part(msg))
            return TOTE_EXIT_OK;
    }
    va_start(ap, fmt);
    fputs("tote: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

int tote_cli_open_store(const tote_cli_ctx *ctx, int flags, tote_store **out)
{
    char *msg = NULL;
    tote_st_err e = tote_store_open(ctx->db_path, flags, out, &msg);
    if (e == TOTE_ST_E_STATE && (flags & TOTE_STORE_READONLY)) {
        /* an older schema: a command that only reads upgrades it, as every
         * command did, where this user may write the file; where not, the
         * read-only open's sentence (run 'tote init' with write access) stands */
        char *rw_msg = NULL;
        tote_st_err rw = tote_store_open(ctx->db_path, flags & ~TOTE_STORE_READONLY, out, &rw_msg);
        if (rw != TOTE_ST_E_DENIED) {
            free(msg);
            msg = rw_msg;
            e = rw;
        } else {
            free(rw_msg);
        }
    }
    if (e == TOTE_ST_E_OK)
        return TOTE_EXIT_OK;
    int code = (e == TOTE_ST_E_NOT_FOUND) ? TOTE_EXIT_USAGE : TOTE_EXIT_FAIL;
    tote_cli_fail(code, "%s", msg ? msg : tote_st_strerror(e));
    free(msg);
    return code;
}

void tote_cli_print_json(cJSON *v)
{
    char *s = cJSON_PrintUnformatted(v);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        cJSON_free(s);
    }
    cJSON_Delete(v);
}

static void remove_args(int *argc, char **argv, int at, int n)
{
    for (int i = at; i + n <= *argc; i++)
        argv[i] = argv[i + n];
    *argc -= n;
}

int tote_cli_take_flag(int *argc, char **argv, const char *flag)
{
    int found = 0;
    for (int i = 1; i < *argc;) {
        if (strcmp(argv[i], flag) == 0) {
            remove_args(argc, argv, i, 1);
            found = 1;
        } else {
            i++;
        }
    }
    return found;
}

const char *tote_cli_take_opt(int *argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], name) == 0) {
            if (i + 1 >= *argc) {
                remove_args(argc, argv, i, 1);
                return "";
            }
            const char *v = argv[i + 1];
            remove_args(argc, argv, i, 2);
            return v;
        }
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=') {
            const char *v = argv[i] + n + 1;
            remove_args(argc, argv, i, 1);
            return v;
        }
    }
    return NULL;
}

size_t tote_cli_text_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        if ((*p & 0xC0) != 0x80) /* not a continuation byte: a character starts here */
            w++;
    return w;
}

struct tote_cli_table {
    int ncols;
    char **titles; /* ncols, without the '>' */
    char *right;   /* ncols flags: right-aligned */
    char **cells;  /* row after row, ncols each; the last row may be short */
    size_t ncells, cap;
    int rule; /* a line of dashes under the titles */
    int oom;  /* a title or a cell could not be stored */
};

tote_cli_table *tote_cli_table_new_array(size_t n, const char *const *titles)
{
    if (n == 0 || n > INT_MAX)
        return NULL;
    tote_cli_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = (int)n;
    t->titles = calloc(n, sizeof *t->titles);
    t->right = calloc(n, 1);
    if (!t->titles || !t->right) {
        tote_cli_table_destroy(&t);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const char *c = titles[i] ? titles[i] : "";
        t->right[i] = c[0] == '>';
        t->titles[i] = strdup(c + t->right[i]);
        if (!t->titles[i]) {
            tote_cli_table_destroy(&t);
            return NULL;
        }
    }
    return t;
}

tote_cli_table *tote_cli_table_new(const char *title, ...)
{
    const char *titles[32];
    size_t n = 0;
    va_list ap;
    va_start(ap, title);
    for (const char *c = title; c; c = va_arg(ap, const char *)) {
        assert(n < sizeof titles / sizeof titles[0]); /* a listing with more columns: use _new_array */
        if (n < sizeof titles / sizeof titles[0])
            titles[n++] = c;
    }
    va_end(ap);
    return tote_cli_table_new_array(n, titles);
}

void tote_cli_table_rule(tote_cli_table *t)
{
    if (t)
        t->rule = 1;
}

void tote_cli_table_cell(tote_cli_table *t, const char *fmt, ...)
{
    if (!t)
        return;
    if (t->ncells == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **cells = realloc(t->cells, cap * sizeof *cells);
        if (!cells) {
            t->oom = 1;
            return;
        }
        t->cells = cells;
        t->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *c = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (c) {
        va_start(ap, fmt);
        vsnprintf(c, (size_t)n + 1, fmt, ap);
        va_end(ap);
    } else {
        t->oom = 1;
    }
    t->cells[t->ncells++] = c;
}

static void put_spaces(FILE *f, size_t n)
{
    while (n-- > 0)
        fputc(' ', f);
}

/* One line of the table: the cells v[0..ncols), NULL as "". Trailing empty
 * cells are left out and the last one written is not padded, so a line
 * never ends in spaces. */
static void put_line(const tote_cli_table *t, const size_t *w, char *const *v, FILE *f, const char *indent)
{
    int last = t->ncols - 1;
    while (last >= 0 && (!v[last] || !v[last][0]))
        last--;
    if (last >= 0)
        fputs(indent, f);
    for (int c = 0; c <= last; c++) {
        const char *s = v[c] ? v[c] : "";
        size_t sw = tote_cli_text_width(s);
        if (c)
            fputs("  ", f);
        if (t->right[c]) {
            put_spaces(f, w[c] > sw ? w[c] - sw : 0);
            fputs(s, f);
        } else if (sw > w[c]) {
            /* cut on a character boundary, marked */
            size_t seen = 0;
            for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if ((*p & 0xC0) != 0x80 && ++seen > w[c] - 1)
                    break;
                fputc(*p, f);
            }
            fputc('~', f);
        } else {
            fputs(s, f);
            if (c < last)
                put_spaces(f, w[c] - sw);
        }
    }
    fputc('\n', f);
}

int tote_cli_table_print(const tote_cli_table *t, FILE *f, const char *indent)
{
    if (!t || t->oom)
        return tote_cli_fail(TOTE_EXIT_FAIL, "out of memory");
    size_t *w = calloc((size_t)t->ncols, sizeof *w);
    char **row = calloc((size_t)t->ncols, sizeof *row);
    if (!w || !row) {
        free(w);
        free(row);
        return tote_cli_fail(TOTE_EXIT_FAIL, "out of memory");
    }
    int titled = 0;
    for (int c = 0; c < t->ncols; c++) {
        w[c] = tote_cli_text_width(t->titles[c]);
        titled |= w[c] > 0;
    }
    for (size_t i = 0; i < t->ncells; i++) {
        size_t cw = tote_cli_text_width(t->cells[i]);
        int c = (int)(i % (size_t)t->ncols);
        if (cw > w[c])
            w[c] = cw;
    }
    /* a long name does not push every other column off the screen: a text
       column is cut at TOTE_CLI_TABLE_MAX, except the last (free text) */
    for (int c = 0; c + 1 < t->ncols; c++)
        if (!t->right[c] && w[c] > TOTE_CLI_TABLE_MAX)
            w[c] = TOTE_CLI_TABLE_MAX;
    if (titled)
        put_line(t, w, t->titles, f, indent);
    if (titled && t->rule) {
        fputs(indent, f);
        for (int c = 0; c < t->ncols; c++) {
            if (c)
                fputs("  ", f);
            for (size_t k = 0; k < w[c]; k++)
                fputc('-', f);
        }
        fputc('\n', f);
    }
    for (size_t i = 0; i < t->ncells; i += (size_t)t->ncols) {
        for (int c = 0; c < t->ncols; c++)
            row[c] = i + (size_t)c < t->ncells ? t->cells[i + (size_t)c] : NULL;
        put_line(t, w, row, f, indent);
    }
    free(w);
    free(row);
    return TOTE_EXIT_OK;
}

size_t tote_cli_table_rows(const tote_cli_table *t)
{
    return t ? (t->ncells + (size_t)t->ncols - 1) / (size_t)t->ncols : 0;
}

void tote_cli_table_destroy(tote_cli_table **tp)
{
    if (!tp || !*tp)
        return;
    tote_cli_table *t = *tp;
    for (int c = 0; t->titles && c < t->ncols; c++)
        free(t->titles[c]);
    for (size_t i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    free(t->titles);
    free(t->right);
    free(t->cells);
    free(t);
    *tp = NULL;
}
