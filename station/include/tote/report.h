/*
 * Reports (`tote report NAME`): what the warehouse did, computed from the
 * raw records (orders and order_line as imported, scan, event, package,
 * package_item, rma_line), never from counters that can drift
 * (order_line.picked/packed/shipped are not read). station/CONSOLE.md
 * defines every report and column.
 *
 * Days are UTC calendar days ("YYYY-MM-DD"); --from and --to are inclusive.
 * Which time a report filters on is part of its definition (orders: when
 * ordered; scans: when scanned; cycle-time/on-time: when shipped; returns:
 * shipped and returned units each in the range).
 *
 * All SQL is in store_report.c; the table model a report fills, and its
 * accessors, in store_report_table.c; the SVG chart in report_svg.c; the
 * table, CSV and JSON writers in cli_report.c.
 */
#ifndef TOTE_REPORT_H
#define TOTE_REPORT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "tote/store.h"

/* ---------------- the catalogue of reports ---------------- */

typedef struct tote_report_info {
    const char *name;        /* "top-products" */
    const char *title;       /* "Top products" */
    const char *description; /* one sentence: what a row is and what it counts */
    int listing;             /* 1: a row is a record (the audit log), newest first: no chart */
} tote_report_info;

/* Number of reports, and report i (0-based) in the order `tote report list` shows. */
size_t tote_report_count(void);
const tote_report_info *tote_report_info_at(size_t i);
/* The report called name, or NULL. */
const tote_report_info *tote_report_find(const char *name);

/* 1 if d is a real calendar date written YYYY-MM-DD, else 0. */
int tote_report_date_valid(const char *d);

/* ---------------- a computed report: a table ---------------- */

typedef struct tote_report tote_report;

typedef enum tote_report_type {
    TOTE_REPORT_TEXT = 0, /* a label (sku, day, operator...) */
    TOTE_REPORT_INT = 1,  /* a count */
    TOTE_REPORT_NUM = 2   /* a decimal with col_decimals places (money, rates, hours) */
} tote_report_type;

typedef enum tote_report_chart {
    TOTE_CHART_BAR = 0,
    TOTE_CHART_LINE = 1,
    TOTE_CHART_NONE = 2 /* a listing: nothing to draw */
} tote_report_chart;

typedef struct tote_report_opts {
    const char *from; /* YYYY-MM-DD or NULL: from the beginning */
    const char *to;   /* YYYY-MM-DD or NULL: up to now */
    int limit;        /* rows of the top-* reports and of a listing; 0 = 20 (audit: 100) */
    /* a listing's filters (NULL or "": all); a report that is not a listing
       refuses them (TOTE_ST_E_INVALID). The audit log: */
    const char *actor;  /* events by this actor (operator, command or "import") */
    const char *device; /* events from this device */
    const char *kind;   /* events of this kind, or ending in '*': kinds that start with
                           what comes before it ("order.*") */
} tote_report_opts;

/*
 * Computes report `name` over the range in *opts (opts may be NULL: all
 * time). On TOTE_ST_E_OK *out is a new report (free with
 * tote_report_destroy). TOTE_ST_E_NOT_FOUND for an unknown name,
 * TOTE_ST_E_INVALID for a date that is not YYYY-MM-DD or from after to, or
 * a filter given to a report that is not a listing,
 * store errors otherwise (*out NULL). Reads only: no transaction is needed.
 */
tote_st_err tote_report_run(tote_store *s, const char *name, const tote_report_opts *opts, tote_report **out);

/* NULL-safe; sets *r = NULL. */
void tote_report_destroy(tote_report **r);

/* The report's info, and the range it was computed over ("" when open). */
const tote_report_info *tote_report_get_info(const tote_report *r);
const char *tote_report_from(const tote_report *r);
const char *tote_report_to(const tote_report *r);

size_t tote_report_ncols(const tote_report *r);
const char *tote_report_col_name(const tote_report *r, size_t col);  /* JSON/CSV key: "units" */
const char *tote_report_col_label(const tote_report *r, size_t col); /* human: "Units" */
tote_report_type tote_report_col_type(const tote_report *r, size_t col);
int tote_report_col_decimals(const tote_report *r, size_t col);

size_t tote_report_nrows(const tote_report *r);
/* 1 if the cell has no value (e.g. a rate with nothing to divide by). */
int tote_report_cell_null(const tote_report *r, size_t row, size_t col);
/* The numeric value of an INT/NUM cell (0 for NULL and TEXT). */
double tote_report_cell_num(const tote_report *r, size_t row, size_t col);
/* The cell as text: TEXT as is, INT as digits, NUM with col_decimals places,
 * "" for NULL. The pointer stays valid until the report is destroyed. */
const char *tote_report_cell_text(const tote_report *r, size_t row, size_t col);
/* 1 for a summary row ("all") that a chart leaves out. */
int tote_report_row_total(const tote_report *r, size_t row);

/* What the chart draws: one bar (or point) per non-total row, x labels from
 * column chart_x, heights from column chart_y. */
tote_report_chart tote_report_chart_kind(const tote_report *r);
size_t tote_report_chart_x(const tote_report *r);
size_t tote_report_chart_y(const tote_report *r);
/* The x label of row for the chart: column chart_x, with a second column in
 * brackets where the report needs one ("MUG-1 (damaged)"). Writes into buf. */
void tote_report_chart_label(const tote_report *r, size_t row, char *buf, size_t cap);

/* ---------------- output ---------------- */

/* A human table with a title line and aligned columns (cli_report.c). */
void tote_report_write_table(const tote_report *r, FILE *f);
/* RFC 4180 CSV: a header row of column names, CRLF line ends, fields with
 * a comma, quote, CR or LF quoted and quotes doubled (cli_report.c). */
void tote_report_write_csv(const tote_report *r, FILE *f);
/* {"report":NAME,"title":...,"from":...|null,"to":...|null,
 *  "columns":[{"name","label","type"}],"rows":[{name: value}]}; numbers as
 * numbers, NULL cells as null, summary rows with "total": true
 * (cli_report.c). Caller owns the result. */
cJSON *tote_report_json(const tote_report *r);
/* An SVG document: title, labelled axes with ticks, one <rect class="bar">
 * per row (bar charts) or a polyline with one <circle class="point"> per row
 * (line charts); all text XML-escaped (report_svg.c). Returns 0, or -1 if
 * writing failed or the report has no chart (TOTE_CHART_NONE: nothing is
 * written). */
int tote_report_write_svg(const tote_report *r, FILE *f);

#endif
