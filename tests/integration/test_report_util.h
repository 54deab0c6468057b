/*
 * Helpers for the report tests (test_report_*.c): run the real `tote`,
 * parse what `tote report` prints (JSON, RFC 4180 CSV) and check an SVG
 * chart for well-formedness, axis labels and one bar/point per row.
 * Header-only (static).
 */
#ifndef TOTE_TEST_REPORT_UTIL_H
#define TOTE_TEST_REPORT_UTIL_H

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "test.h"

#define RT_FN static __attribute__((unused))

/* Runs "tote --db DB args..." (NULL-terminated) with $TOTE_NOW = now (may
 * be NULL); returns the exit status; *out and *err malloc'd (may pass NULL). */
RT_FN int rt_tote(const char *db, const char *now, char **out, char **err, ...)
{
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[40] = {bin, "--db", db};
    int n = 3;
    va_list ap;
    va_start(ap, err);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 38)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char envbuf[128];
    const char *env[2] = {NULL, NULL};
    if (now) {
        snprintf(envbuf, sizeof envbuf, "TOTE_NOW=%s", now);
        env[0] = envbuf;
    }
    char *o = NULL, *e = NULL;
    int rc = tt_run(argv, now ? env : NULL, NULL, 60000, &o, &e);
    if (rc != 0 && e && *e && !err)
        fprintf(stderr, "tote %s %s: %s", argv[3], n > 4 ? argv[4] : "", e);
    if (out)
        *out = o;
    else
        free(o);
    if (err)
        *err = e;
    else
        free(e);
    return rc;
}

/* `tote report ARGS... --json` parsed; NULL (and a failure) if it did not work. */
RT_FN cJSON *rt_report_json(const char *db, const char *name, const char *from, const char *to)
{
    char *out = NULL;
    int rc;
    if (from && to)
        rc = rt_tote(db, NULL, &out, NULL, "report", name, "--from", from, "--to", to, "--json", NULL);
    else if (from)
        rc = rt_tote(db, NULL, &out, NULL, "report", name, "--from", from, "--json", NULL);
    else if (to)
        rc = rt_tote(db, NULL, &out, NULL, "report", name, "--to", to, "--json", NULL);
    else
        rc = rt_tote(db, NULL, &out, NULL, "report", name, "--json", NULL);
    cJSON *j = rc == 0 && out ? cJSON_Parse(out) : NULL;
    if (!j)
        tt_fail_msg(__FILE__, __LINE__, "tote report %s --json: exit %d, output %s", name, rc,
                    out ? out : "");
    free(out);
    return j;
}

RT_FN cJSON *rt_rows(const cJSON *rep)
{
    return cJSON_GetObjectItemCaseSensitive(rep, "rows");
}

/* The row whose column key has text value; NULL if none. */
RT_FN cJSON *rt_row(const cJSON *rep, const char *key, const char *value)
{
    cJSON *r;
    cJSON_ArrayForEach(r, rt_rows(rep))
    {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, key));
        if (v && strcmp(v, value) == 0)
            return r;
    }
    return NULL;
}

/* A number of a row; -999999 when missing or not a number (null included). */
RT_FN double rt_num(const cJSON *row, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -999999;
}

RT_FN const char *rt_str(const cJSON *row, const char *key)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row, key));
    return v ? v : "(missing)";
}

/* Checks the named number columns of the row whose `key` is `value`. */
#define RT_CHECK_ROW(rep, key, value, ...)                                                                   \
    do {                                                                                                     \
        cJSON *rt_r_ = rt_row(rep, key, value);                                                              \
        if (!rt_r_) {                                                                                        \
            tt_fail_msg(__FILE__, __LINE__, "no row with %s = %s", key, value);                              \
            break;                                                                                           \
        }                                                                                                    \
        const struct {                                                                                       \
            const char *k;                                                                                   \
            double v;                                                                                        \
        } rt_want_[] = {__VA_ARGS__};                                                                        \
        for (size_t rt_i_ = 0; rt_i_ < sizeof rt_want_ / sizeof rt_want_[0]; rt_i_++) {                      \
            double rt_got_ = rt_num(rt_r_, rt_want_[rt_i_].k);                                               \
            if (rt_got_ < rt_want_[rt_i_].v - 1e-9 || rt_got_ > rt_want_[rt_i_].v + 1e-9)                    \
                tt_fail_msg(__FILE__, __LINE__, "%s = %s: %s is %g, want %g", key, value, rt_want_[rt_i_].k, \
                            rt_got_, rt_want_[rt_i_].v);                                                     \
        }                                                                                                    \
    } while (0)

/* ---------------- RFC 4180 CSV ---------------- */

typedef struct rt_csv {
    int nrows;
    int ncols[256];
    char *f[256][32]; /* fields, malloc'd */
    int ok;           /* 1 if every record ended in CRLF and quotes balanced */
} rt_csv;

RT_FN void rt_csv_free(rt_csv *c)
{
    for (int i = 0; i < c->nrows; i++)
        for (int j = 0; j < c->ncols[i]; j++)
            free(c->f[i][j]);
    memset(c, 0, sizeof *c);
}

/* Parses text strictly: records end in CRLF, quoted fields double their quotes. */
RT_FN void rt_csv_parse(const char *text, rt_csv *c)
{
    memset(c, 0, sizeof *c);
    c->ok = 1;
    const char *p = text;
    while (*p && c->nrows < 256) {
        int row = c->nrows++;
        for (;;) {
            char buf[4096];
            size_t n = 0;
            if (*p == '"') {
                p++;
                for (;;) {
                    if (!*p) {
                        c->ok = 0;
                        return;
                    }
                    if (*p == '"' && p[1] == '"') {
                        buf[n++] = '"';
                        p += 2;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        buf[n++] = *p++;
                    }
                    if (n >= sizeof buf - 1) {
                        c->ok = 0;
                        return;
                    }
                }
            } else {
                while (*p && *p != ',' && *p != '\r' && *p != '\n' && n < sizeof buf - 1) {
                    if (*p == '"')
                        c->ok = 0; /* a bare quote inside an unquoted field */
                    buf[n++] = *p++;
                }
            }
            buf[n] = '\0';
            if (c->ncols[row] < 32)
                c->f[row][c->ncols[row]++] = strdup(buf);
            if (*p == ',') {
                p++;
                continue;
            }
            if (p[0] == '\r' && p[1] == '\n') {
                p += 2;
                break;
            }
            c->ok = 0; /* LF alone, or end without CRLF */
            return;
        }
    }
}

/* Checks that the CSV has the JSON report's columns as header and the same
 * cells, row by row (numbers compared as numbers). */
RT_FN void rt_check_csv_matches_json(const char *db, const char *name, const cJSON *rep)
{
    char *out = NULL;
    int rc = rt_tote(db, NULL, &out, NULL, "report", name, "--csv", NULL);
    if (rc != 0 || !out) {
        tt_fail_msg(__FILE__, __LINE__, "tote report %s --csv: exit %d", name, rc);
        free(out);
        return;
    }
    rt_csv c;
    rt_csv_parse(out, &c);
    if (!c.ok)
        tt_fail_msg(__FILE__, __LINE__, "%s: CSV is not RFC 4180: %s", name, out);
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(rep, "columns");
    int nc = cJSON_GetArraySize(cols);
    int nr = cJSON_GetArraySize(rt_rows(rep));
    if (c.nrows != nr + 1)
        tt_fail_msg(__FILE__, __LINE__, "%s: CSV has %d records, want %d", name, c.nrows, nr + 1);
    for (int i = 0; i < c.nrows && i <= nr; i++) {
        if (c.ncols[i] != nc) {
            tt_fail_msg(__FILE__, __LINE__, "%s: CSV record %d has %d fields, want %d", name, i, c.ncols[i],
                        nc);
            continue;
        }
        for (int k = 0; k < nc; k++) {
            const cJSON *col = cJSON_GetArrayItem(cols, k);
            const char *key = rt_str(col, "name");
            if (i == 0) {
                if (strcmp(c.f[0][k], key) != 0)
                    tt_fail_msg(__FILE__, __LINE__, "%s: CSV header %d is %s, want %s", name, k, c.f[0][k],
                                key);
                continue;
            }
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rt_rows(rep), i - 1), key);
            const char *got = c.f[i][k];
            int same = cJSON_IsNull(v)     ? *got == '\0'
                       : cJSON_IsString(v) ? strcmp(got, v->valuestring) == 0
                       : cJSON_IsNumber(v)
                           ? (*got && atof(got) > v->valuedouble - 1e-6 && atof(got) < v->valuedouble + 1e-6)
                           : 0;
            if (!same)
                tt_fail_msg(__FILE__, __LINE__, "%s: CSV row %d %s is '%s', JSON disagrees", name, i, key,
                            got);
        }
    }
    rt_csv_free(&c);
    free(out);
}

/* ---------------- SVG ---------------- */

/* Well-formed enough: elements nest and close, attributes are quoted,
 * entities are the five XML ones or numeric, one root <svg>. Returns 1/0. */
RT_FN int rt_xml_well_formed(const char *s, char *why, size_t cap)
{
    char stack[64][64];
    int depth = 0, roots = 0;
    const char *p = s;
    if (strncmp(p, "<?xml", 5) == 0) {
        p = strstr(p, "?>");
        if (!p)
            return snprintf(why, cap, "unterminated declaration"), 0;
        p += 2;
    }
    while (*p) {
        if (*p == '&') {
            const char *e = strchr(p, ';');
            if (!e || e - p > 8)
                return snprintf(why, cap, "bare & near %.20s", p), 0;
            if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
                strncmp(p, "&quot;", 6) && strncmp(p, "&apos;", 6) && strncmp(p, "&#", 2))
                return snprintf(why, cap, "unknown entity near %.20s", p), 0;
            p = e + 1;
            continue;
        }
        if (*p == '>')
            return snprintf(why, cap, "stray > near %.20s", p), 0;
        if (*p != '<') {
            if (depth == 0 && *p != '\n' && *p != ' ')
                return snprintf(why, cap, "text outside the root near %.20s", p), 0;
            p++;
            continue;
        }
        int closing = p[1] == '/';
        const char *n = p + 1 + closing;
        size_t len = strcspn(n, " \t\r\n/>");
        if (len == 0 || len >= 64)
            return snprintf(why, cap, "bad tag near %.20s", p), 0;
        char name[64];
        memcpy(name, n, len);
        name[len] = '\0';
        const char *q = n + len;
        /* attributes */
        for (;;) {
            while (*q == ' ' || *q == '\n' || *q == '\t' || *q == '\r')
                q++;
            if (*q == '>' || (*q == '/' && q[1] == '>'))
                break;
            if (closing || !*q)
                return snprintf(why, cap, "bad attribute in <%s>", name), 0;
            size_t an = strcspn(q, "= \t\r\n>");
            if (an == 0 || q[an] != '=' || (q[an + 1] != '"' && q[an + 1] != '\''))
                return snprintf(why, cap, "unquoted attribute in <%s>", name), 0;
            char quote = q[an + 1];
            const char *end = strchr(q + an + 2, quote);
            if (!end)
                return snprintf(why, cap, "unterminated attribute in <%s>", name), 0;
            for (const char *t = q + an + 2; t < end; t++)
                if (*t == '<')
                    return snprintf(why, cap, "< inside an attribute of <%s>", name), 0;
            q = end + 1;
        }
        int self = *q == '/';
        p = q + (self ? 2 : 1);
        if (closing) {
            if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
                return snprintf(why, cap, "</%s> does not close <%s>", name, depth ? stack[depth - 1] : "-"),
                       0;
            depth--;
        } else if (!self) {
            if (depth == 0)
                roots++;
            if (depth == 64)
                return snprintf(why, cap, "too deep"), 0;
            snprintf(stack[depth++], 64, "%s", name);
        } else if (depth == 0) {
            roots++;
        }
    }
    if (depth != 0)
        return snprintf(why, cap, "<%s> never closed", stack[depth - 1]), 0;
    if (roots != 1)
        return snprintf(why, cap, "%d root elements", roots), 0;
    return 1;
}

RT_FN int rt_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Runs `tote report NAME --svg FILE` and checks the chart: well-formed, the
 * title, both axis labels, and one bar (or point, for line charts) per
 * non-total row of the JSON report. Returns the SVG text (caller frees). */
RT_FN char *rt_check_svg(const char *db, const char *dir, const char *name, const cJSON *rep,
                         const char *x_label, const char *y_label, int line)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.svg", dir, name);
    char *out = NULL;
    int rc = rt_tote(db, NULL, &out, NULL, "report", name, "--svg", path, NULL);
    free(out);
    if (rc != 0) {
        tt_fail_msg(__FILE__, __LINE__, "tote report %s --svg: exit %d", name, rc);
        return NULL;
    }
    char *svg = tt_read_file(path, NULL);
    if (!svg) {
        tt_fail_msg(__FILE__, __LINE__, "%s: no SVG written", name);
        return NULL;
    }
    char why[200] = "";
    if (!rt_xml_well_formed(svg, why, sizeof why))
        tt_fail_msg(__FILE__, __LINE__, "%s: SVG not well-formed: %s", name, why);
    if (!strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""))
        tt_fail_msg(__FILE__, __LINE__, "%s: no svg root", name);
    char want[256];
    snprintf(want, sizeof want, "x-label\" x=");
    if (!strstr(svg, want))
        tt_fail_msg(__FILE__, __LINE__, "%s: no x axis label", name);
    snprintf(want, sizeof want, ">%s</text>", x_label);
    if (!strstr(svg, want))
        tt_fail_msg(__FILE__, __LINE__, "%s: x axis label %s missing", name, x_label);
    snprintf(want, sizeof want, ">%s</text>", y_label);
    if (!strstr(svg, want))
        tt_fail_msg(__FILE__, __LINE__, "%s: y axis label %s missing", name, y_label);
    snprintf(want, sizeof want, "class=\"title\"");
    if (!strstr(svg, want))
        tt_fail_msg(__FILE__, __LINE__, "%s: no title", name);
    int rows = 0;
    cJSON *r;
    cJSON_ArrayForEach(r, rt_rows(rep)) if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "total")))
        rows++;
    int got = rt_count(svg, line ? "class=\"point\"" : "class=\"bar\"");
    if (got != rows)
        tt_fail_msg(__FILE__, __LINE__, "%s: %d %s in the SVG, want one per row (%d)", name, got,
                    line ? "points" : "bars", rows);
    if (line && rows > 0 && !strstr(svg, "class=\"line\""))
        tt_fail_msg(__FILE__, __LINE__, "%s: line chart without a line", name);
    return svg;
}

#endif
