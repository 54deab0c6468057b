/*
 * Reports' table model (tote/report.h): the rows and cells a report fills
 * (store_report.c runs the SQL and fills them through store_report_int.h),
 * its summary rows, and the accessors the writers read it through.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_report_int.h"

/* ---------------- the model ---------------- */

static void cell_free(rcell *c)
{
    free(c->text);
    c->text = NULL;
}

void tote_report_destroy(tote_report **rp)
{
    if (!rp || !*rp)
        return;
    tote_report *r = *rp;
    for (size_t i = 0; i < r->nrows * r->def->ncols; i++)
        cell_free(&r->cells[i]);
    free(r->cells);
    free(r->total);
    free(r);
    *rp = NULL;
}

/* Appends an empty row (all NULL); returns its index, or (size_t)-1. */
size_t store_report_add_row(tote_report *r)
{
    if (r->nrows == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        rcell *c = realloc(r->cells, cap * r->def->ncols * sizeof *c);
        if (!c)
            return (size_t)-1;
        r->cells = c;
        unsigned char *t = realloc(r->total, cap);
        if (!t)
            return (size_t)-1;
        r->total = t;
        r->cap = cap;
    }
    size_t row = r->nrows++;
    for (size_t i = 0; i < r->def->ncols; i++)
        r->cells[row * r->def->ncols + i] = (rcell){1, 0, NULL};
    r->total[row] = 0;
    return row;
}

static rcell *cell(const tote_report *r, size_t row, size_t col)
{
    return &r->cells[row * r->def->ncols + col];
}

/* Sets a cell: text (TEXT columns) or num (INT/NUM); formats its text. */
int store_report_set_text(tote_report *r, size_t row, size_t col, const char *text)
{
    rcell *c = cell(r, row, col);
    cell_free(c);
    c->text = strdup(text ? text : "");
    c->null = 0;
    return c->text ? 0 : -1;
}

int store_report_set_num(tote_report *r, size_t row, size_t col, double v)
{
    rcell *c = cell(r, row, col);
    cell_free(c);
    const rcol *k = &r->def->cols[col];
    char buf[64];
    if (k->type == TOTE_REPORT_INT) {
        v = nearbyint(v);
        snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        /* round half away from zero at the shown places, so the text and the
           number agree */
        double scale = pow(10.0, k->decimals);
        v = round(v * scale) / scale;
        snprintf(buf, sizeof buf, "%.*f", k->decimals, v);
        if (strcmp(buf, "-0") == 0 || strncmp(buf, "-0.", 3) == 0) {
            int zero = 1;
            for (const char *p = buf + 1; *p; p++)
                if (*p != '0' && *p != '.')
                    zero = 0;
            if (zero)
                memmove(buf, buf + 1, strlen(buf));
        }
    }
    c->num = v;
    c->null = 0;
    c->text = strdup(buf);
    return c->text ? 0 : -1;
}

void store_report_set_null(tote_report *r, size_t row, size_t col)
{
    rcell *c = cell(r, row, col);
    cell_free(c);
    c->null = 1;
    c->num = 0;
}

/* A summary row "all" with the sums of the listed columns (others NULL). */
size_t store_report_add_total_row(tote_report *r, const size_t *sum_cols, size_t n)
{
    size_t rows = r->nrows;
    size_t t = store_report_add_row(r);
    if (t == (size_t)-1)
        return t;
    r->total[t] = 1;
    store_report_set_text(r, t, 0, "all");
    for (size_t k = 0; k < n; k++) {
        double v = 0;
        for (size_t i = 0; i < rows; i++)
            v += cell(r, i, sum_cols[k])->num;
        store_report_set_num(r, t, sum_cols[k], v);
    }
    return t;
}

/* num(a) * scale / num(b) into col, or NULL when b is 0. */
void store_report_set_ratio(tote_report *r, size_t row, size_t col, size_t a, size_t b, double scale)
{
    double den = cell(r, row, b)->num;
    if (den == 0)
        store_report_set_null(r, row, col);
    else
        store_report_set_num(r, row, col, cell(r, row, a)->num * scale / den);
}

/* ---------------- accessors ---------------- */

const tote_report_info *tote_report_get_info(const tote_report *r)
{
    return &r->def->info;
}

const char *tote_report_from(const tote_report *r)
{
    return r->from;
}

const char *tote_report_to(const tote_report *r)
{
    return r->to;
}

size_t tote_report_ncols(const tote_report *r)
{
    return r->def->ncols;
}

const char *tote_report_col_name(const tote_report *r, size_t col)
{
    return col < r->def->ncols ? r->def->cols[col].name : "";
}

const char *tote_report_col_label(const tote_report *r, size_t col)
{
    return col < r->def->ncols ? r->def->cols[col].label : "";
}

tote_report_type tote_report_col_type(const tote_report *r, size_t col)
{
    return col < r->def->ncols ? r->def->cols[col].type : TOTE_REPORT_TEXT;
}

int tote_report_col_decimals(const tote_report *r, size_t col)
{
    return col < r->def->ncols ? r->def->cols[col].decimals : 0;
}

size_t tote_report_nrows(const tote_report *r)
{
    return r->nrows;
}

int tote_report_cell_null(const tote_report *r, size_t row, size_t col)
{
    return row >= r->nrows || col >= r->def->ncols || cell(r, row, col)->null;
}

double tote_report_cell_num(const tote_report *r, size_t row, size_t col)
{
    if (tote_report_cell_null(r, row, col) || r->def->cols[col].type == TOTE_REPORT_TEXT)
        return 0;
    return cell(r, row, col)->num;
}

const char *tote_report_cell_text(const tote_report *r, size_t row, size_t col)
{
    if (tote_report_cell_null(r, row, col))
        return "";
    const char *t = cell(r, row, col)->text;
    return t ? t : "";
}

int tote_report_row_total(const tote_report *r, size_t row)
{
    return row < r->nrows && r->total[row];
}

tote_report_chart tote_report_chart_kind(const tote_report *r)
{
    return r->def->chart;
}

size_t tote_report_chart_x(const tote_report *r)
{
    return r->def->cx;
}

size_t tote_report_chart_y(const tote_report *r)
{
    return r->def->cy;
}

void tote_report_chart_label(const tote_report *r, size_t row, char *buf, size_t cap)
{
    const char *x = tote_report_cell_text(r, row, r->def->cx);
    if (r->def->cx2 >= 0) {
        const char *x2 = tote_report_cell_text(r, row, (size_t)r->def->cx2);
        if (*x2) {
            snprintf(buf, cap, "%s (%s)", x, x2);
            return;
        }
    }
    snprintf(buf, cap, "%s", x);
}
