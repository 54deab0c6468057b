/*
 * `tote import stock` (CSV sku,bin,qty[,lot,expiry]) and `tote import
 * locations` (CSV code,zone[,walk_seq]).
 *
 * The header row is optional: a first row with a field that names a column
 * is a header, and then columns may come in any order (unknown ones are
 * left out, with a notice); without it the columns are positional as
 * above. A value in a field beyond the header's (or, without one, beyond
 * the last positional column) rejects its row: it was shifted or mistyped.
 * `tote import stock` also reads Shopify's inventory export.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_internal.h"
#include "tote/stock.h"

struct colspec {
    const char *names[4]; /* accepted header names */
    int required;
};

/* 1 if the text names one of spec's columns. */
static int known_column(const char *field, const struct colspec *spec, int n)
{
    const char *t;
    size_t len = imp_trim(field, &t);
    for (int k = 0; k < n; k++)
        for (int j = 0; j < 4 && spec[k].names[j]; j++)
            if (strlen(spec[k].names[j]) == len && strncasecmp(spec[k].names[j], t, len) == 0)
                return 1;
    return 0;
}

/* Decides whether row is a header for spec (a field names one of its
 * columns: no bin, SKU or quantity is called "sku", "bin" or "qty"); fills
 * col[] from it, or positionally. Returns 1 if it was a header. Columns it
 * does not know are left out, each with a notice. */
static int map_columns(imp_run *r, tote_csv *csv, const tote_csv_row *row, const struct colspec *spec, int n,
                       int *col)
{
    int header = 0;
    for (size_t i = 0; !row->error && i < row->n && !header; i++)
        header = known_column(row->field[i], spec, n);
    if (header && tote_csv_set_header(csv, row) == 0) {
        for (size_t i = 0; i < row->n; i++)
            if (!imp_blank(row->field[i]) && !known_column(row->field[i], spec, n))
                imp_problem(r, TOTE_IMPORT_NOTICE, row->line, -1, row->field[i],
                            "column '%s' is not one Tote reads: left out", row->field[i]);
        for (int k = 0; k < n; k++) {
            col[k] = -1;
            for (int j = 0; j < 4 && spec[k].names[j] && col[k] < 0; j++)
                col[k] = tote_csv_col(csv, spec[k].names[j]);
        }
        return 1;
    }
    for (int k = 0; k < n; k++)
        col[k] = k;
    return 0;
}

static const char *trimmed(const char *v, char *buf, size_t cap)
{
    const char *t;
    size_t n = imp_trim(v, &t);
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, t, n);
    buf[n] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- stock */

enum { S_SKU, S_BIN, S_QTY, S_LOT, S_EXPIRY, S_COUNT };
static const struct colspec STOCK_COLS[S_COUNT] = {
    [S_SKU] = {{"sku", "variant sku", NULL}, 1},
    [S_BIN] = {{"bin", "location", "code", NULL}, 1},
    [S_QTY] = {{"qty", "quantity", "on_hand", NULL}, 1},
    [S_LOT] = {{"lot", "batch", NULL}, 0},
    [S_EXPIRY] = {{"expiry", "expiry_date", "best_before", NULL}, 0},
};

/* Shopify's inventory export (Products > Inventory > Export): one row per
 * variant and store location, with "SKU", "Location" (the store location,
 * not a bin; a "Bin name" column where there is one) and the quantities
 * "On hand (new)", "On hand (current)", "Available (not editable)". col[]
 * gets S_QTY = SHOPIFY_QTY, the quantity columns in col[S_COUNT..+2] in the
 * order they are tried, and "Location" in col[S_COUNT + 3]. 1 if row is such
 * a header. */
#define SHOPIFY_QTY (-2)
static int shopify_inventory_header(tote_csv *csv, const tote_csv_row *row, int *col)
{
    int sku = 0, qty = 0;
    for (size_t i = 0; !row->error && i < row->n; i++) {
        const char *t;
        size_t len = imp_trim(row->field[i], &t);
        sku |= len == 3 && strncasecmp(t, "SKU", 3) == 0;
        qty |= (len >= 7 && strncasecmp(t, "On hand", 7) == 0) ||
               (len >= 9 && strncasecmp(t, "Available", 9) == 0);
    }
    if (!sku || !qty || tote_csv_set_header(csv, row) != 0)
        return 0;
    col[S_SKU] = tote_csv_col(csv, "SKU");
    col[S_BIN] = tote_csv_col(csv, "Bin name");
    col[S_QTY] = SHOPIFY_QTY;
    col[S_LOT] = col[S_EXPIRY] = -1;
    static const char *const q[3][2] = {
        {"On hand (new)", NULL}, {"On hand (current)", "On hand"}, {"Available (not editable)", "Available"}};
    for (int k = 0; k < 3; k++) {
        col[S_COUNT + k] = tote_csv_col(csv, q[k][0]);
        if (col[S_COUNT + k] < 0 && q[k][1])
            col[S_COUNT + k] = tote_csv_col(csv, q[k][1]);
    }
    col[S_COUNT + 3] = tote_csv_col(csv, "Location");
    return 1;
}

/* A Shopify inventory row's store location: 1 if the row is of another
 * location than --location (skipped). Without --location, a second location
 * in the file is warned about once: its stock would be pickable here too. */
static int shopify_location(imp_run *r, const tote_csv_row *row, const int *col)
{
    char loc[128];
    trimmed(tote_csv_field(row, col[S_COUNT + 3]), loc, sizeof loc);
    if (r->o->location) {
        if (imp_utf8_casecmp(loc, r->o->location) == 0)
            return 0;
        r->sum->elsewhere++;
        return 1;
    }
    if (!*loc)
        return 0;
    if (!r->shop_location[0]) {
        snprintf(r->shop_location, sizeof r->shop_location, "%s", loc);
    } else if (imp_utf8_casecmp(loc, r->shop_location) != 0 && !r->shop_locations_warned) {
        r->shop_locations_warned = 1;
        imp_problem(r, TOTE_IMPORT_WARNING, row->line, -1, loc,
                    "the file holds more than one Shopify location ('%s', '%s'): each is received into a "
                    "bin of its name and is pickable; --location NAME imports one location only",
                    r->shop_location, loc);
    }
    return 0;
}

static tote_st_err stock_row(imp_run *r, const tote_csv_row *row, const int *col)
{
    char sku[256], bin[128], lot[128];
    trimmed(tote_csv_field(row, col[S_SKU]), sku, sizeof sku);
    trimmed(tote_csv_field(row, col[S_BIN]), bin, sizeof bin);
    trimmed(tote_csv_field(row, col[S_LOT]), lot, sizeof lot);
    int shopify = col[S_QTY] == SHOPIFY_QTY;
    r->sum->records++;
    if (shopify && shopify_location(r, row, col))
        return TOTE_ST_E_OK;
    if (shopify && !*bin) /* no bins in Shopify: the stock goes to a bin named after its location */
        trimmed(tote_csv_field(row, col[S_COUNT + 3]), bin, sizeof bin);
    const char *q = shopify ? "" : tote_csv_field(row, col[S_QTY]);
    for (int k = 0; shopify && k < 3 && imp_blank(q); k++)
        q = tote_csv_field(row, col[S_COUNT + k]);
    const char *ex = tote_csv_field(row, col[S_EXPIRY]);
    long long qty;
    const char *qt;
    size_t ql = imp_trim(q, &qt);
    if (shopify && ql == 11 && strncasecmp(qt, "not stocked", 11) == 0) {
        r->sum->skipped++; /* the variant is not stocked at that location */
        return TOTE_ST_E_OK;
    }
    if (shopify && tote_import_parse_int(q, &qty) == 0 && qty == 0) {
        r->sum->skipped++; /* Shopify lists every variant at every location, SKU or none */
        return TOTE_ST_E_OK;
    }
    if (!*sku) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, "", "the row has no SKU");
        return TOTE_ST_E_OK;
    }
    if (shopify && tote_import_parse_int(q, &qty) == 0 && qty < 0) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku,
                    "on hand for %s is %lld in Shopify: count the bin and receive what is there", sku, qty);
        return TOTE_ST_E_OK;
    }
    if (!*bin) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku, "the row for %s has no bin%s", sku,
                    shopify ? " (no 'Bin name' nor 'Location')" : "");
        return TOTE_ST_E_OK;
    }
    int qrc = tote_import_parse_qty(q, &qty);
    if (qrc != 0) {
        if (qrc == -2)
            imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku,
                        "qty '%s' for %s is more than the most a receipt can hold, %lld", q, sku,
                        TOTE_QTY_MAX);
        else
            imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku,
                        "qty '%s' for %s is not a whole number of at least 1", q, sku);
        return TOTE_ST_E_OK;
    }
    char expiry[11] = "";
    if (tote_import_parse_date(ex, expiry) < 0) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku,
                    "expiry '%s' for %s is not a date YYYY-MM-DD", ex, sku);
        return TOTE_ST_E_OK;
    }
    long long pid, lid;
    tote_st_err e = tote_product_find_by_sku(r->s, sku, &pid);
    if (e == TOTE_ST_E_NOT_FOUND) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku,
                    "SKU %s is not in the catalog (import the products first)", sku);
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return imp_fail(r, e, "line %lld: %s", row->line, tote_st_detail());
    e = tote_location_find(r->s, bin, &lid);
    if (e == TOTE_ST_E_NOT_FOUND) {
        e = tote_location_ensure(r->s, bin, NULL, -1, r->actor, &lid);
        if (e == TOTE_ST_E_INVALID) {
            imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku, "bin '%s': %s", bin, tote_st_detail());
            return TOTE_ST_E_OK;
        }
        if (e == TOTE_ST_E_OK)
            imp_problem(r, TOTE_IMPORT_NOTICE, row->line, -1, bin,
                        "bin %s did not exist: created, in walk order by its code", bin);
    }
    if (e != TOTE_ST_E_OK)
        return imp_fail(r, e, "line %lld: %s", row->line, tote_st_detail());
    char reason[64];
    snprintf(reason, sizeof reason, "import line %lld", row->line);
    e = tote_stock_receive(r->s, pid, lid, qty, *lot ? lot : NULL, *expiry ? expiry : NULL, r->actor, reason);
    if (e == TOTE_ST_E_INVALID || e == TOTE_ST_E_NOT_FOUND) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku, "%s", tote_st_detail());
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return imp_fail(r, e, "line %lld: %s", row->line, tote_st_detail());
    r->sum->created++;
    r->sum->units += qty;
    return TOTE_ST_E_OK;
}

/* ------------------------------------------------------------ locations */

enum { L_CODE, L_ZONE, L_WALK, L_COUNT };
static const struct colspec LOC_COLS[L_COUNT] = {
    [L_CODE] = {{"code", "bin", "location", NULL}, 1},
    [L_ZONE] = {{"zone", NULL}, 0},
    [L_WALK] = {{"walk_seq", "walk", "sequence", NULL}, 0},
};

static tote_st_err location_row(imp_run *r, const tote_csv_row *row, const int *col)
{
    char code[128], zone[128];
    trimmed(tote_csv_field(row, col[L_CODE]), code, sizeof code);
    trimmed(tote_csv_field(row, col[L_ZONE]), zone, sizeof zone);
    const char *w = tote_csv_field(row, col[L_WALK]);
    r->sum->records++;
    if (!*code) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, "", "the row has no bin code");
        return TOTE_ST_E_OK;
    }
    long long walk = -1;
    int rc = tote_import_parse_int(w, &walk);
    if (rc < 0 || (rc == 0 && walk < 0)) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, code,
                    "walk_seq '%s' of bin %s is not a whole number of at least 0", w, code);
        return TOTE_ST_E_OK;
    }
    if (rc == 1)
        walk = -1;
    long long lid;
    tote_st_err e = tote_location_find(r->s, code, &lid);
    if (e == TOTE_ST_E_OK) {
        r->sum->unchanged++; /* an existing bin keeps its zone and walk order */
        return TOTE_ST_E_OK;
    }
    if (e == TOTE_ST_E_NOT_FOUND)
        e = tote_location_ensure(r->s, code, *zone ? zone : NULL, walk, r->actor, &lid);
    if (e == TOTE_ST_E_INVALID) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, code, "bin '%s': %s", code, tote_st_detail());
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return imp_fail(r, e, "line %lld: %s", row->line, tote_st_detail());
    r->sum->created++;
    return TOTE_ST_E_OK;
}

/* ------------------------------------------------------------------ run */

static tote_st_err run(imp_run *r, const struct colspec *spec, int n,
                       tote_st_err (*fn)(imp_run *, const tote_csv_row *, const int *))
{
    tote_csv *csv = imp_csv_open(r);
    if (!csv)
        return TOTE_ST_E_IO;
    int col[S_COUNT + 4];
    int first = 1, rc;
    size_t width = (size_t)n; /* fields a row may fill: the header's, else spec's */
    tote_csv_row row;
    tote_st_err e = TOTE_ST_E_OK;
    while (e == TOTE_ST_E_OK && (rc = tote_csv_next(csv, &row)) == 1) {
        if (first) {
            first = 0;
            for (int k = 0; k < n; k++)
                col[k] = k;
            if (spec == STOCK_COLS && shopify_inventory_header(csv, &row, col)) {
                width = row.n;
                if (col[S_BIN] < 0 && col[S_COUNT + 3] < 0)
                    e = imp_fail(r, TOTE_ST_E_INVALID,
                                 "%s: a Shopify inventory export without a 'Location' or 'Bin name' "
                                 "column: Tote needs to know where the stock is",
                                 r->path);
                continue;
            }
            if (spec == STOCK_COLS && r->o->location) {
                e = imp_fail(r, TOTE_ST_E_INVALID,
                             "%s: --location picks a store location of Shopify's inventory export, and "
                             "this is not one (it has no 'SKU' and 'On hand' columns)",
                             r->path);
                break;
            }
            if (!row.error && map_columns(r, csv, &row, spec, n, col)) {
                width = row.n;
                for (int k = 0; k < n && e == TOTE_ST_E_OK; k++)
                    if (col[k] < 0 && spec[k].required)
                        e = imp_fail(r, TOTE_ST_E_INVALID, "%s: the header on line %lld has no '%s' column",
                                     r->path, row.line, spec[k].names[0]);
                continue;
            }
        }
        r->sum->rows++;
        size_t extra = width;
        while (!row.error && extra < row.n && imp_blank(row.field[extra]))
            extra++;
        if (row.error) {
            r->sum->records++;
            imp_problem(r, TOTE_IMPORT_REJECTED, row.line, -1, "", "%s", row.error);
        } else if (extra < row.n) { /* a value in a column nobody named: shifted or mistyped */
            r->sum->records++;
            imp_problem(r, TOTE_IMPORT_REJECTED, row.line, -1, "",
                        "the row has a value in field %zu ('%s'), but %s %zu", extra + 1, row.field[extra],
                        width == (size_t)n ? "without a header a row has at most" : "the header names only",
                        width);
        } else {
            e = fn(r, &row, col);
        }
        if (e == TOTE_ST_E_OK) {
            long long done, total;
            tote_csv_progress(csv, &done, &total);
            e = imp_tick(r, done, total);
        }
    }
    if (e == TOTE_ST_E_OK && rc < 0)
        e = imp_fail(r, TOTE_ST_E_INVALID, "%s: %s", r->path, tote_csv_error(csv));
    if (e == TOTE_ST_E_OK && r->o->location && r->sum->elsewhere == r->sum->records && r->sum->records > 0)
        e = imp_fail(r, TOTE_ST_E_INVALID, "%s: no row is at the Shopify location '%s'", r->path,
                     r->o->location);
    imp_csv_close(r, &csv);
    return e;
}

tote_st_err imp_stock(imp_run *r)
{
    return run(r, STOCK_COLS, S_COUNT, stock_row);
}

tote_st_err imp_locations(imp_run *r)
{
    return run(r, LOC_COLS, L_COUNT, location_row);
}
