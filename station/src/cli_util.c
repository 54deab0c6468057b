/* Helpers shared by the verbs of the `tote` command line. */
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

const char *tote_cli_cell(char *out, size_t cap, const char *s, int width)
{
    size_t o = 0;
    int chars = 0;
    if (cap == 0)
        return out;
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && chars < width;) {
        size_t n = 1; /* the bytes of this character */
        while (p[n] && (p[n] & 0xC0) == 0x80 && n < 4)
            n++;
        if (o + n + (size_t)(width - chars - 1) >= cap)
            break;
        memcpy(out + o, p, n);
        o += n;
        p += n;
        chars++;
    }
    for (; chars < width && o + 1 < cap; chars++)
        out[o++] = ' ';
    out[o] = '\0';
    return out;
}
