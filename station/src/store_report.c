/*
 * Reports (tote/report.h): the catalogue and the SQL that computes each
 * report from the raw records (the table model a report fills, and its
 * accessors, are in store_report_table.c). Every report is one query
 * over scan, event, orders/order_line, package/package_item or rma_line;
 * cycle-time adds its percentiles in C (nearest rank).
 *
 * Ranges: ?1 = first day (YYYY-MM-DD) or NULL, ?2 = the day after the last
 * (exclusive) or NULL; stored times are "YYYY-MM-DDTHH:MM:SS.mmmZ", which
 * sort and compare with a bare date as wanted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_report_int.h"

/* ---------------- filling a report from SQL ---------------- */

struct range {
    const char *from; /* NULL or YYYY-MM-DD */
    const char *to;   /* NULL or YYYY-MM-DD, inclusive */
    char to_excl[11]; /* the day after `to` */
    int has_to;
    int limit;
    const char *actor, *device; /* a listing's filters, or NULL */
    const char *kind;           /* exact kind, or NULL */
    const char *kind_prefix;    /* kinds starting with it ("order."), or NULL */
    char kind_buf[64];
};

/* Runs st (bound) and appends one row per result row, column i of the
 * result into report column i. */
static tote_st_err fill(tote_report *r, sqlite3_stmt *st)
{
    int rc;
    tote_st_err e = TOTE_ST_E_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        size_t row = store_report_add_row(r);
        if (row == (size_t)-1) {
            e = TOTE_ST_E_NOMEM;
            break;
        }
        for (size_t i = 0; i < r->def->ncols && e == TOTE_ST_E_OK; i++) {
            int ci = (int)i;
            if (sqlite3_column_type(st, ci) == SQLITE_NULL) {
                store_report_set_null(r, row, i);
                continue;
            }
            int bad = r->def->cols[i].type == TOTE_REPORT_TEXT
                          ? store_report_set_text(r, row, i, (const char *)sqlite3_column_text(st, ci))
                          : store_report_set_num(r, row, i, sqlite3_column_double(st, ci));
            if (bad)
                e = TOTE_ST_E_NOMEM;
        }
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        e = tote_store_map_rc(rc);
    sqlite3_reset(st);
    return e;
}

static void bind_range(sqlite3_stmt *st, const struct range *g)
{
    if (g->from)
        sqlite3_bind_text(st, 1, g->from, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 1);
    if (g->has_to)
        sqlite3_bind_text(st, 2, g->to_excl, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 2);
}

static tote_st_err run_simple(tote_store *s, tote_report *r, const struct range *g, const char *sql)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return TOTE_ST_E_DB;
    bind_range(st, g);
    if (sqlite3_bind_parameter_count(st) >= 3)
        sqlite3_bind_int(st, 3, g->limit);
    if (sqlite3_bind_parameter_count(st) >= 4) {
        if (g->to)
            sqlite3_bind_text(st, 4, g->to, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 4);
    }
    return fill(r, st);
}

/* ---------------- order reports (by when ordered) ---------------- */

#define ORDER_RANGE \
    "o.status <> 'cancelled' AND (?1 IS NULL OR o.ordered_at >= ?1) AND (?2 IS NULL OR o.ordered_at < ?2)"
#define LINE_VALUE "SUM(l.ordered * COALESCE(l.price_cents, 0)) / 100.0"

static const rcol cols_products[] = {{"sku", "SKU", TOTE_REPORT_TEXT, 0},
                                     {"name", "Name", TOTE_REPORT_TEXT, 0},
                                     {"orders", "Orders", TOTE_REPORT_INT, 0},
                                     {"units", "Units", TOTE_REPORT_INT, 0},
                                     {"value", "Value", TOTE_REPORT_NUM, 2}};

static tote_st_err run_top_products(tote_store *s, tote_report *r, const struct range *g)
{
    return run_simple(s, r, g,
                      "SELECT l.sku AS sku, MAX(COALESCE(p.name, l.name, '')) AS name, "
                      "COUNT(DISTINCT o.id) AS orders, SUM(l.ordered) AS units, " LINE_VALUE " AS value "
                      "FROM order_line l JOIN orders o ON o.id = l.order_id "
                      "LEFT JOIN product p ON p.id = l.product_id "
                      "WHERE l.sku <> '' AND " ORDER_RANGE " "
                      "GROUP BY l.sku ORDER BY units DESC, value DESC, sku LIMIT ?3");
}

static const rcol cols_customers[] = {{"customer", "Customer", TOTE_REPORT_TEXT, 0},
                                      {"name", "Name", TOTE_REPORT_TEXT, 0},
                                      {"orders", "Orders", TOTE_REPORT_INT, 0},
                                      {"units", "Units", TOTE_REPORT_INT, 0},
                                      {"value", "Value", TOTE_REPORT_NUM, 2}};

static tote_st_err run_top_customers(tote_store *s, tote_report *r, const struct range *g)
{
    return run_simple(s, r, g,
                      "SELECT COALESCE(MAX(c.email), MAX(c.name), '(no customer)') AS customer, "
                      "COALESCE(MAX(c.name), '') AS name, COUNT(DISTINCT o.id) AS orders, "
                      "SUM(l.ordered) AS units, " LINE_VALUE " AS value "
                      "FROM orders o JOIN order_line l ON l.order_id = o.id "
                      "LEFT JOIN customer c ON c.id = o.customer_id "
                      "WHERE " ORDER_RANGE " "
                      "GROUP BY o.customer_id ORDER BY value DESC, orders DESC, customer LIMIT ?3");
}

static const rcol cols_countries[] = {{"country", "Country", TOTE_REPORT_TEXT, 0},
                                      {"orders", "Orders", TOTE_REPORT_INT, 0},
                                      {"units", "Units", TOTE_REPORT_INT, 0},
                                      {"value", "Value", TOTE_REPORT_NUM, 2}};

static tote_st_err run_top_countries(tote_store *s, tote_report *r, const struct range *g)
{
    return run_simple(s, r, g,
                      "SELECT COALESCE(NULLIF(UPPER(TRIM(o.ship_country)), ''), '(none)') AS country, "
                      "COUNT(DISTINCT o.id) AS orders, SUM(l.ordered) AS units, " LINE_VALUE " AS value "
                      "FROM orders o JOIN order_line l ON l.order_id = o.id "
                      "WHERE " ORDER_RANGE " "
                      "GROUP BY country ORDER BY orders DESC, value DESC, country LIMIT ?3");
}

static const rcol cols_channels[] = {{"channel", "Channel", TOTE_REPORT_TEXT, 0},
                                     {"orders", "Orders", TOTE_REPORT_INT, 0},
                                     {"units", "Units", TOTE_REPORT_INT, 0},
                                     {"value", "Value", TOTE_REPORT_NUM, 2}};

static tote_st_err run_top_channels(tote_store *s, tote_report *r, const struct range *g)
{
    return run_simple(
        s, r, g,
        "SELECT o.channel AS channel, COUNT(DISTINCT o.id) AS orders, SUM(l.ordered) AS units, " LINE_VALUE
        " AS value "
        "FROM orders o JOIN order_line l ON l.order_id = o.id "
        "WHERE " ORDER_RANGE " "
        "GROUP BY o.channel ORDER BY orders DESC, value DESC, channel LIMIT ?3");
}

static const rcol cols_by_day[] = {{"day", "Day", TOTE_REPORT_TEXT, 0},
                                   {"orders", "Orders", TOTE_REPORT_INT, 0},
                                   {"lines", "Lines", TOTE_REPORT_INT, 0},
                                   {"units", "Units", TOTE_REPORT_INT, 0},
                                   {"value", "Value", TOTE_REPORT_NUM, 2}};

static tote_st_err run_by_day(tote_store *s, tote_report *r, const struct range *g)
{
    /* every day from the first to the last (or --from/--to), zeros included */
    tote_st_err e = run_simple(
        s, r, g,
        "WITH RECURSIVE d AS ("
        " SELECT substr(o.ordered_at, 1, 10) AS day, COUNT(DISTINCT o.id) AS orders, COUNT(l.id) AS lines, "
        " COALESCE(SUM(l.ordered), 0) AS units, COALESCE(SUM(l.ordered * COALESCE(l.price_cents, 0)), 0) AS "
        "cents "
        " FROM orders o LEFT JOIN order_line l ON l.order_id = o.id WHERE " ORDER_RANGE " GROUP BY day), "
        "span(day, n) AS ("
        " SELECT COALESCE(?1, (SELECT MIN(day) FROM d)), 0 WHERE COALESCE(?1, (SELECT MIN(day) FROM d)) IS "
        "NOT NULL "
        " UNION ALL SELECT date(day, '+1 day'), n + 1 FROM span "
        " WHERE day < COALESCE(?4, (SELECT MAX(day) FROM d)) AND n < ?3) "
        "SELECT span.day, COALESCE(d.orders, 0), COALESCE(d.lines, 0), COALESCE(d.units, 0), "
        "COALESCE(d.cents, 0) / 100.0 FROM span LEFT JOIN d ON d.day = span.day ORDER BY span.day");
    if (e != TOTE_ST_E_OK)
        return e;
    static const size_t sums[] = {1, 2, 3, 4};
    return store_report_add_total_row(r, sums, 4) == (size_t)-1 ? TOTE_ST_E_NOMEM : TOTE_ST_E_OK;
}

/* ---------------- people (by when scanned) ---------------- */

/* Active time: the gaps between an operator's consecutive scans of the
   kind, each counted only up to 300 s (a longer gap is a break). */
#define ACTIVE_GAP_SECONDS "300"

static const rcol cols_pickers[] = {{"picker", "Picker", TOTE_REPORT_TEXT, 0},
                                    {"picks", "Picks", TOTE_REPORT_INT, 0},
                                    {"units", "Units", TOTE_REPORT_INT, 0},
                                    {"scans", "Scans", TOTE_REPORT_INT, 0},
                                    {"refused", "Refused", TOTE_REPORT_INT, 0},
                                    {"refused_pct", "Refused %", TOTE_REPORT_NUM, 1},
                                    {"short_picks", "Short picks", TOTE_REPORT_INT, 0},
                                    {"active_hours", "Active h", TOTE_REPORT_NUM, 2},
                                    {"picks_per_hour", "Picks/h", TOTE_REPORT_NUM, 1}};

static tote_st_err run_pickers(tote_store *s, tote_report *r, const struct range *g)
{
    return run_simple(
        s, r, g,
        "WITH s AS ("
        " SELECT COALESCE(operator, device) AS who, result, qty, "
        " (julianday(at) - julianday(LAG(at) OVER (PARTITION BY COALESCE(operator, device) ORDER BY at, id)))"
        " * 86400.0 AS gap "
        " FROM scan WHERE context = 'pick' AND (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2)), "
        "a AS ("
        " SELECT who, SUM(CASE WHEN result = 'accepted' AND qty > 0 THEN 1 ELSE 0 END) AS picks, "
        " SUM(CASE WHEN result = 'accepted' THEN qty ELSE 0 END) AS units, COUNT(*) AS scans, "
        " SUM(CASE WHEN result = 'refused' THEN 1 ELSE 0 END) AS refused, "
        " SUM(CASE WHEN gap IS NOT NULL AND gap <= " ACTIVE_GAP_SECONDS " THEN gap ELSE 0 END) AS active "
        " FROM s GROUP BY who), "
        "sh AS (SELECT actor AS who, COUNT(*) AS n FROM event WHERE kind = 'short_pick' AND actor IS NOT "
        "NULL "
        " AND (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2) GROUP BY actor), "
        "w AS (SELECT who FROM a UNION SELECT who FROM sh) "
        "SELECT w.who, COALESCE(a.picks, 0), COALESCE(a.units, 0), COALESCE(a.scans, 0), COALESCE(a.refused, "
        "0), "
        "100.0 * a.refused / NULLIF(a.scans, 0), COALESCE(sh.n, 0), COALESCE(a.active, 0) / 3600.0, "
        "a.picks * 3600.0 / NULLIF(a.active, 0) "
        "FROM w LEFT JOIN a ON a.who = w.who LEFT JOIN sh ON sh.who = w.who "
        "ORDER BY COALESCE(a.picks, 0) DESC, w.who");
}

static const rcol cols_packers[] = {{"packer", "Packer", TOTE_REPORT_TEXT, 0},
                                    {"packages", "Packages", TOTE_REPORT_INT, 0},
                                    {"orders", "Orders", TOTE_REPORT_INT, 0},
                                    {"units", "Units", TOTE_REPORT_INT, 0},
                                    {"scans", "Scans", TOTE_REPORT_INT, 0},
                                    {"refused", "Refused", TOTE_REPORT_INT, 0},
                                    {"refused_pct", "Refused %", TOTE_REPORT_NUM, 1},
                                    {"active_hours", "Active h", TOTE_REPORT_NUM, 2},
                                    {"packages_per_hour", "Packages/h", TOTE_REPORT_NUM, 1}};

static tote_st_err run_packers(tote_store *s, tote_report *r, const struct range *g)
{
    return run_simple(
        s, r, g,
        "WITH s AS ("
        " SELECT COALESCE(operator, device) AS who, context, result, qty, "
        " (julianday(at) - julianday(LAG(at) OVER (PARTITION BY COALESCE(operator, device) ORDER BY at, id)))"
        " * 86400.0 AS gap "
        " FROM scan WHERE context IN ('pack', 'ship') AND (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < "
        "?2)), "
        "a AS ("
        " SELECT who, SUM(CASE WHEN context = 'pack' AND result = 'accepted' THEN qty ELSE 0 END) AS units, "
        " COUNT(*) AS scans, SUM(CASE WHEN result = 'refused' THEN 1 ELSE 0 END) AS refused, "
        " SUM(CASE WHEN gap IS NOT NULL AND gap <= " ACTIVE_GAP_SECONDS " THEN gap ELSE 0 END) AS active "
        " FROM s GROUP BY who), "
        "k AS (SELECT COALESCE(packer, device) AS who, COUNT(*) AS packages, COUNT(DISTINCT order_id) AS "
        "orders "
        " FROM package WHERE closed_at IS NOT NULL AND COALESCE(packer, device) IS NOT NULL "
        " AND (?1 IS NULL OR closed_at >= ?1) AND (?2 IS NULL OR closed_at < ?2) GROUP BY 1), "
        "w AS (SELECT who FROM a UNION SELECT who FROM k) "
        "SELECT w.who, COALESCE(k.packages, 0), COALESCE(k.orders, 0), COALESCE(a.units, 0), "
        "COALESCE(a.scans, 0), COALESCE(a.refused, 0), 100.0 * a.refused / NULLIF(a.scans, 0), "
        "COALESCE(a.active, 0) / 3600.0, COALESCE(k.packages, 0) * 3600.0 / NULLIF(a.active, 0) "
        "FROM w LEFT JOIN a ON a.who = w.who LEFT JOIN k ON k.who = w.who "
        "ORDER BY COALESCE(k.packages, 0) DESC, w.who");
}

static const rcol cols_accuracy[] = {{"context", "Context", TOTE_REPORT_TEXT, 0},
                                     {"scans", "Scans", TOTE_REPORT_INT, 0},
                                     {"refused", "Refused", TOTE_REPORT_INT, 0},
                                     {"refused_per_1000", "Refused/1000", TOTE_REPORT_NUM, 1},
                                     {"corrected", "Corrected", TOTE_REPORT_INT, 0},
                                     {"corrected_per_1000", "Corrected/1000", TOTE_REPORT_NUM, 1}};

static tote_st_err run_accuracy(tote_store *s, tote_report *r, const struct range *g)
{
    /* corrected: a refused scan whose next scan on the same device, in the
       same context, was accepted (the next scan may fall after the range) */
    tote_st_err e =
        run_simple(s, r, g,
                   "WITH s AS (SELECT context, result, at, "
                   " LEAD(result) OVER (PARTITION BY device, context ORDER BY id) AS next_result "
                   " FROM scan WHERE ?1 IS NULL OR at >= ?1) "
                   "SELECT context, COUNT(*), SUM(CASE WHEN result = 'refused' THEN 1 ELSE 0 END), "
                   "1000.0 * SUM(CASE WHEN result = 'refused' THEN 1 ELSE 0 END) / COUNT(*), "
                   "SUM(CASE WHEN result = 'refused' AND next_result = 'accepted' THEN 1 ELSE 0 END), "
                   "1000.0 * SUM(CASE WHEN result = 'refused' AND next_result = 'accepted' THEN 1 ELSE 0 "
                   "END) / COUNT(*) "
                   "FROM s WHERE ?2 IS NULL OR at < ?2 GROUP BY context ORDER BY context");
    if (e != TOTE_ST_E_OK)
        return e;
    static const size_t sums[] = {1, 2, 4};
    size_t t = store_report_add_total_row(r, sums, 3);
    if (t == (size_t)-1)
        return TOTE_ST_E_NOMEM;
    store_report_set_ratio(r, t, 3, 2, 1, 1000.0);
    store_report_set_ratio(r, t, 5, 4, 1, 1000.0);
    return TOTE_ST_E_OK;
}

/* ---------------- shipping (by when shipped) ---------------- */

/* An order's ship time is its last package's shipped_at. */
#define SHIPPED_ORDERS                                                                                    \
    "sh AS (SELECT o.id AS id, o.ship_by AS ship_by, o.created_at AS created_at, "                        \
    " MAX(p.shipped_at) AS shipped_at FROM orders o JOIN package p ON p.order_id = o.id "                 \
    " WHERE p.shipped_at IS NOT NULL AND o.status IN ('shipped', 'delivered') GROUP BY o.id, o.ship_by, " \
    " o.created_at)"

static const rcol cols_cycle[] = {
    {"day", "Shipped on", TOTE_REPORT_TEXT, 0}, {"orders", "Orders", TOTE_REPORT_INT, 0},
    {"p50_hours", "p50 h", TOTE_REPORT_NUM, 2}, {"p90_hours", "p90 h", TOTE_REPORT_NUM, 2},
    {"p99_hours", "p99 h", TOTE_REPORT_NUM, 2}, {"max_hours", "max h", TOTE_REPORT_NUM, 2}};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p% of the values at or below it. */
static double percentile(const double *sorted, size_t n, double p)
{
    size_t rank = (size_t)ceil(p / 100.0 * (double)n);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static int cycle_row(tote_report *r, const char *day, double *secs, size_t n, int total)
{
    size_t row = store_report_add_row(r);
    if (row == (size_t)-1)
        return -1;
    r->total[row] = (unsigned char)total;
    qsort(secs, n, sizeof *secs, cmp_double);
    store_report_set_text(r, row, 0, day);
    store_report_set_num(r, row, 1, (double)n);
    store_report_set_num(r, row, 2, percentile(secs, n, 50) / 3600.0);
    store_report_set_num(r, row, 3, percentile(secs, n, 90) / 3600.0);
    store_report_set_num(r, row, 4, percentile(secs, n, 99) / 3600.0);
    store_report_set_num(r, row, 5, secs[n - 1] / 3600.0);
    return 0;
}

static tote_st_err run_cycle_time(tote_store *s, tote_report *r, const struct range *g)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "WITH " SHIPPED_ORDERS " SELECT substr(shipped_at, 1, 10) AS day, "
           "(julianday(shipped_at) - julianday(created_at)) * 86400.0 AS secs FROM sh "
           "WHERE (?1 IS NULL OR shipped_at >= ?1) AND (?2 IS NULL OR shipped_at < ?2) ORDER BY day, secs");
    if (!st)
        return TOTE_ST_E_DB;
    bind_range(st, g);
    double *all = NULL, *day = NULL;
    size_t nall = 0, capall = 0, nday = 0;
    char cur[11] = "";
    tote_st_err e = TOTE_ST_E_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 0);
        double v = round(sqlite3_column_double(st, 1)); /* whole seconds */
        if (v < 0)
            v = 0;
        if (nall == capall) {
            capall = capall ? capall * 2 : 64;
            double *a = realloc(all, capall * sizeof *a), *b = a ? realloc(day, capall * sizeof *b) : NULL;
            if (a)
                all = a;
            if (!a || !b) {
                e = TOTE_ST_E_NOMEM;
                break;
            }
            day = b;
        }
        if (nday > 0 && strcmp(cur, d ? d : "") != 0) {
            if (cycle_row(r, cur, day, nday, 0) != 0) {
                e = TOTE_ST_E_NOMEM;
                break;
            }
            nday = 0;
        }
        snprintf(cur, sizeof cur, "%s", d ? d : "");
        all[nall++] = v;
        day[nday++] = v;
    }
    if (e == TOTE_ST_E_OK && rc != SQLITE_DONE)
        e = tote_store_map_rc(rc);
    sqlite3_reset(st);
    if (e == TOTE_ST_E_OK && nday > 0 && cycle_row(r, cur, day, nday, 0) != 0)
        e = TOTE_ST_E_NOMEM;
    if (e == TOTE_ST_E_OK && nall > 0 && cycle_row(r, "all", all, nall, 1) != 0)
        e = TOTE_ST_E_NOMEM;
    free(all);
    free(day);
    return e;
}

static const rcol cols_on_time[] = {{"day", "Shipped on", TOTE_REPORT_TEXT, 0},
                                    {"shipped", "Shipped", TOTE_REPORT_INT, 0},
                                    {"with_ship_by", "With ship-by", TOTE_REPORT_INT, 0},
                                    {"on_time", "On time", TOTE_REPORT_INT, 0},
                                    {"late", "Late", TOTE_REPORT_INT, 0},
                                    {"on_time_pct", "On time %", TOTE_REPORT_NUM, 1}};

static tote_st_err run_on_time(tote_store *s, tote_report *r, const struct range *g)
{
    /* a ship-by date (YYYY-MM-DD) is met by shipping that day or before; a
       ship-by time by shipping at or before it */
    tote_st_err e =
        run_simple(s, r, g,
                   "WITH " SHIPPED_ORDERS ", t AS (SELECT substr(shipped_at, 1, 10) AS day, ship_by, "
                   " CASE WHEN ship_by IS NULL THEN 0 "
                   "  WHEN length(ship_by) = 10 AND substr(shipped_at, 1, 10) <= ship_by THEN 1 "
                   "  WHEN length(ship_by) > 10 AND shipped_at <= ship_by THEN 1 ELSE 0 END AS ok "
                   " FROM sh WHERE (?1 IS NULL OR shipped_at >= ?1) AND (?2 IS NULL OR shipped_at < ?2)) "
                   "SELECT day, COUNT(*), SUM(CASE WHEN ship_by IS NULL THEN 0 ELSE 1 END), SUM(ok), "
                   "SUM(CASE WHEN ship_by IS NULL THEN 0 ELSE 1 END) - SUM(ok), "
                   "100.0 * SUM(ok) / NULLIF(SUM(CASE WHEN ship_by IS NULL THEN 0 ELSE 1 END), 0) "
                   "FROM t GROUP BY day ORDER BY day");
    if (e != TOTE_ST_E_OK)
        return e;
    static const size_t sums[] = {1, 2, 3, 4};
    size_t t = store_report_add_total_row(r, sums, 4);
    if (t == (size_t)-1)
        return TOTE_ST_E_NOMEM;
    store_report_set_ratio(r, t, 5, 3, 2, 100.0);
    return TOTE_ST_E_OK;
}

static const rcol cols_returns[] = {
    {"sku", "SKU", TOTE_REPORT_TEXT, 0},        {"name", "Name", TOTE_REPORT_TEXT, 0},
    {"reason", "Reason", TOTE_REPORT_TEXT, 0},  {"returned", "Returned", TOTE_REPORT_INT, 0},
    {"shipped", "Shipped", TOTE_REPORT_INT, 0}, {"rate_pct", "Rate %", TOTE_REPORT_NUM, 1}};

static tote_st_err run_returns(tote_store *s, tote_report *r, const struct range *g)
{
    return run_simple(s, r, g,
                      "WITH shp AS (SELECT l.sku AS sku, SUM(pi.qty) AS units FROM package_item pi "
                      " JOIN package p ON p.id = pi.package_id JOIN order_line l ON l.id = pi.order_line_id "
                      " WHERE p.shipped_at IS NOT NULL AND (?1 IS NULL OR p.shipped_at >= ?1) AND (?2 IS "
                      "NULL OR p.shipped_at < ?2) "
                      " GROUP BY l.sku), "
                      "ret AS (SELECT l.sku AS sku, COALESCE(NULLIF(TRIM(r.reason), ''), '(none)') AS "
                      "reason, SUM(r.qty) AS units "
                      " FROM rma_line r JOIN order_line l ON l.id = r.order_line_id "
                      " WHERE (?1 IS NULL OR r.at >= ?1) AND (?2 IS NULL OR r.at < ?2) GROUP BY l.sku, 2), "
                      "k AS (SELECT sku FROM shp UNION SELECT sku FROM ret) "
                      "SELECT k.sku, COALESCE((SELECT p.name FROM product p WHERE p.sku = k.sku), ''), "
                      "COALESCE(ret.reason, ''), "
                      "COALESCE(ret.units, 0), COALESCE(shp.units, 0), 100.0 * COALESCE(ret.units, 0) / "
                      "NULLIF(shp.units, 0) "
                      "FROM k LEFT JOIN shp ON shp.sku = k.sku LEFT JOIN ret ON ret.sku = k.sku "
                      "ORDER BY 6 DESC, 4 DESC, 1, 3");
}

/* ---------------- the audit log ---------------- */

static const rcol cols_audit[] = {
    {"at", "At (UTC)", TOTE_REPORT_TEXT, 0},     {"actor", "Actor", TOTE_REPORT_TEXT, 0},
    {"device", "Device", TOTE_REPORT_TEXT, 0},   {"kind", "Event", TOTE_REPORT_TEXT, 0},
    {"subject", "Subject", TOTE_REPORT_TEXT, 0}, {"detail", "Detail", TOTE_REPORT_TEXT, 0}};

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* The newest events first, at most --limit of them: a range of event_at
 * walked backwards (open ends as bounds, so both ends are seeks), with the
 * filters tested on each row. */
static tote_st_err run_audit(tote_store *s, tote_report *r, const struct range *g)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "SELECT at, actor, device, kind, "
           "CASE WHEN subject_type IS NULL THEN COALESCE(subject, '') "
           "ELSE subject_type || ' ' || COALESCE(subject, '') END, detail "
           "FROM event WHERE at >= COALESCE(?1, '') AND at < COALESCE(?2, '9') "
           "AND (?4 IS NULL OR actor = ?4) AND (?5 IS NULL OR device = ?5) AND (?6 IS NULL OR kind = ?6) "
           "AND (?7 IS NULL OR substr(kind, 1, length(?7)) = ?7) "
           "ORDER BY at DESC, id DESC LIMIT ?3");
    if (!st)
        return TOTE_ST_E_DB;
    bind_range(st, g);
    sqlite3_bind_int(st, 3, g->limit);
    bind_text_or_null(st, 4, g->actor);
    bind_text_or_null(st, 5, g->device);
    bind_text_or_null(st, 6, g->kind);
    bind_text_or_null(st, 7, g->kind_prefix);
    return fill(r, st);
}

/* ---------------- the catalogue ---------------- */

#define COLS(a) a, sizeof(a) / sizeof(a[0])

static const rdef defs[] = {
    {{"top-products", "Top products",
      "products by units ordered: orders, units and goods value (qty x line price) of orders placed in the "
      "range, "
      "cancelled orders left out",
      0},
     COLS(cols_products),
     TOTE_CHART_BAR,
     0,
     3,
     -1,
     run_top_products},
    {{"top-customers", "Top customers",
      "customers by goods value of the orders they placed in the range: orders, units, value", 0},
     COLS(cols_customers),
     TOTE_CHART_BAR,
     0,
     4,
     -1,
     run_top_customers},
    {{"top-countries", "Top countries",
      "shipping countries by orders placed in the range: orders, units, goods value", 0},
     COLS(cols_countries),
     TOTE_CHART_BAR,
     0,
     1,
     -1,
     run_top_countries},
    {{"top-channels", "Top channels",
      "sales channels (shopify, amazon...) by orders placed in the range: orders, units, goods value", 0},
     COLS(cols_channels),
     TOTE_CHART_BAR,
     0,
     1,
     -1,
     run_top_channels},
    {{"by-day", "Orders by day",
      "per day ordered (UTC): orders, order lines, units and goods value, days without orders as zeros, "
      "and the total",
      0},
     COLS(cols_by_day),
     TOTE_CHART_LINE,
     0,
     1,
     -1,
     run_by_day},
    {{"pickers", "Pickers",
      "per picker (operator, else handheld) from pick scans in the range: picks (accepted item scans), "
      "units, "
      "scans, refused scans and their rate, short picks, active hours and picks per active hour",
      0},
     COLS(cols_pickers),
     TOTE_CHART_BAR,
     0,
     1,
     -1,
     run_pickers},
    {{"packers", "Packers",
      "per packer (operator, else bench) from pack and ship scans and packages closed in the range: "
      "packages, "
      "orders, units, scans, refused scans and their rate, active hours and packages per active hour",
      0},
     COLS(cols_packers),
     TOTE_CHART_BAR,
     0,
     1,
     -1,
     run_packers},
    {{"cycle-time", "Cycle time",
      "hours from received (order created at the station) to shipped (last package shipped), per day shipped "
      "and overall: p50, p90, p99 (nearest rank) and max",
      0},
     COLS(cols_cycle),
     TOTE_CHART_LINE,
     0,
     2,
     -1,
     run_cycle_time},
    {{"accuracy", "Scan accuracy",
      "per scan context (pick, pack, ship, return, login): scans, refused scans and refused scans corrected "
      "by "
      "the next scan on the same device, each also per 1,000 scans",
      0},
     COLS(cols_accuracy),
     TOTE_CHART_BAR,
     0,
     3,
     -1,
     run_accuracy},
    {{"returns", "Returns",
      "per product and return reason: units returned in the range against units shipped in the range, as a "
      "rate",
      0},
     COLS(cols_returns),
     TOTE_CHART_BAR,
     0,
     5,
     2,
     run_returns},
    {{"on-time", "On-time shipping",
      "per day shipped: orders shipped, those with a ship-by, shipped on time (by the ship-by date or time), "
      "late, and the on-time rate",
      0},
     COLS(cols_on_time),
     TOTE_CHART_BAR,
     0,
     5,
     -1,
     run_on_time},
    {{"audit", "Audit log",
      "the audit log: every state change with its time, actor (operator or command), device, event and "
      "subject (an order, device, wave, package...), newest first; --limit rows (100)",
      1},
     COLS(cols_audit),
     TOTE_CHART_NONE,
     0,
     0,
     -1,
     run_audit},
};

#define NDEFS (sizeof defs / sizeof defs[0])

size_t tote_report_count(void)
{
    return NDEFS;
}

const tote_report_info *tote_report_info_at(size_t i)
{
    return i < NDEFS ? &defs[i].info : NULL;
}

static const rdef *find_def(const char *name)
{
    for (size_t i = 0; name && i < NDEFS; i++)
        if (strcmp(defs[i].info.name, name) == 0)
            return &defs[i];
    return NULL;
}

const tote_report_info *tote_report_find(const char *name)
{
    const rdef *d = find_def(name);
    return d ? &d->info : NULL;
}

int tote_report_date_valid(const char *d)
{
    if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
            return 0;
    int y = atoi(d), m = atoi(d + 5), day = atoi(d + 8);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || day < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return day <= max;
}

static void next_day(const char *d, char out[11])
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = atoi(d) - 1900;
    tm.tm_mon = atoi(d + 5) - 1;
    tm.tm_mday = atoi(d + 8) + 1;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    char buf[32];
    snprintf(buf, sizeof buf, "%04d-%02d-%02d", (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

tote_st_err tote_report_run(tote_store *s, const char *name, const tote_report_opts *opts, tote_report **out)
{
    *out = NULL;
    const rdef *d = find_def(name);
    if (!d)
        return TOTE_ST_E_NOT_FOUND;
    struct range g;
    memset(&g, 0, sizeof g);
    g.from = opts && opts->from && *opts->from ? opts->from : NULL;
    g.to = opts && opts->to && *opts->to ? opts->to : NULL;
    g.limit = opts && opts->limit > 0 ? opts->limit : 20;
    if ((g.from && !tote_report_date_valid(g.from)) || (g.to && !tote_report_date_valid(g.to)))
        return TOTE_ST_E_INVALID;
    if (g.from && g.to && strcmp(g.from, g.to) > 0)
        return TOTE_ST_E_INVALID;
    if (g.to) {
        next_day(g.to, g.to_excl);
        g.has_to = 1;
    }
    if (d->run == run_by_day)
        g.limit = 36600; /* at most a century of days */
    if (d->info.listing && !(opts && opts->limit > 0))
        g.limit = 100;
    g.actor = opts && opts->actor && *opts->actor ? opts->actor : NULL;
    g.device = opts && opts->device && *opts->device ? opts->device : NULL;
    const char *kind = opts && opts->kind && *opts->kind ? opts->kind : NULL;
    if ((g.actor || g.device || kind) && !d->info.listing)
        return TOTE_ST_E_INVALID;
    if (kind) {
        size_t n = strlen(kind);
        if (n >= sizeof g.kind_buf)
            return TOTE_ST_E_INVALID;
        memcpy(g.kind_buf, kind, n + 1);
        if (g.kind_buf[n - 1] == '*') {
            g.kind_buf[n - 1] = '\0';
            g.kind_prefix = g.kind_buf; /* "*" alone: every kind */
        } else {
            g.kind = g.kind_buf;
        }
    }
    tote_report *r = calloc(1, sizeof *r);
    if (!r)
        return TOTE_ST_E_NOMEM;
    r->def = d;
    snprintf(r->from, sizeof r->from, "%s", g.from ? g.from : "");
    snprintf(r->to, sizeof r->to, "%s", g.to ? g.to : "");
    tote_st_err e = d->run(s, r, &g);
    if (e != TOTE_ST_E_OK) {
        tote_report_destroy(&r);
        return e;
    }
    *out = r;
    return TOTE_ST_E_OK;
}
