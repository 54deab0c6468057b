/*
 * Reports' internals, shared by their two files: store_report.c (the
 * catalogue and the SQL of each report) and store_report_table.c (the table
 * model and its accessors). Not a public interface: tote/report.h is.
 */
#ifndef TOTE_STORE_REPORT_INT_H
#define TOTE_STORE_REPORT_INT_H

#include <stddef.h>

#include "tote/report.h"

typedef struct rcol {
    const char *name;
    const char *label;
    tote_report_type type;
    int decimals;
} rcol;

typedef struct rcell {
    int null;
    double num;
    char *text;
} rcell;

struct range; /* a run's range and filters (store_report.c) */

typedef struct rdef rdef;

struct tote_report {
    const rdef *def;
    char from[11], to[11];
    size_t nrows, cap;
    rcell *cells;         /* nrows * ncols */
    unsigned char *total; /* per row */
};

struct rdef {
    tote_report_info info;
    const rcol *cols;
    size_t ncols;
    tote_report_chart chart;
    size_t cx, cy;
    int cx2; /* second label column for the chart, -1 if none */
    tote_st_err (*run)(tote_store *s, tote_report *r, const struct range *g);
};

/* Appends an empty row (all NULL); returns its index, or (size_t)-1. */
size_t store_report_add_row(tote_report *r);
/* Set a cell: text (TEXT columns), num (INT/NUM; formats its text) or NULL. */
int store_report_set_text(tote_report *r, size_t row, size_t col, const char *text);
int store_report_set_num(tote_report *r, size_t row, size_t col, double v);
void store_report_set_null(tote_report *r, size_t row, size_t col);
/* A summary row "all" with the sums of the listed columns (others NULL); its index, or (size_t)-1. */
size_t store_report_add_total_row(tote_report *r, const size_t *sum_cols, size_t n);
/* num(a) * scale / num(b) into col, or NULL when b is 0. */
void store_report_set_ratio(tote_report *r, size_t row, size_t col, size_t a, size_t b, double scale);

#endif
