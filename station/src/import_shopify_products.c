/*
 * `tote import shopify-products`: Shopify's product CSV export.
 *
 * Rows are grouped by Handle. The first row of a handle carries the product
 * (Title, option names); each row with a Variant SKU or option values is a
 * variant, which is what Tote calls a product (one SKU). Rows with only an
 * image are Shopify's way of listing more pictures: skipped; so are variants
 * that are not shipped and have no SKU (gift cards). Pass 1 collects
 * the Title and option names of every handle (so a variant row may come
 * before its product's first row), pass 2 writes one product per variant.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_internal.h"
#include "str_cut.h"
#include "tote/catalog.h"

enum {
    C_HANDLE,
    C_TITLE,
    C_O1N,
    C_O1V,
    C_O2N,
    C_O2V,
    C_O3N,
    C_O3V,
    C_SKU,
    C_GRAMS,
    C_PRICE,
    C_SHIPPING,
    C_BARCODE,
    C_COUNT
};

/* name: the column in Shopify's classic export; alt: the same column in the
 * export Shopify writes since its 2024 template ("URL handle", "SKU",
 * "Weight value (grams)", ...), looked for when name is not there. Header
 * names are matched without regard to case ("Option1 name" = "Option1 Name"). */
static const struct {
    const char *name, *alt;
    int required;
} COLS[C_COUNT] = {
    [C_HANDLE] = {"Handle", "URL handle", 1},
    [C_TITLE] = {"Title", NULL, 1},
    [C_O1N] = {"Option1 Name", NULL, 0},
    [C_O1V] = {"Option1 Value", NULL, 0},
    [C_O2N] = {"Option2 Name", NULL, 0},
    [C_O2V] = {"Option2 Value", NULL, 0},
    [C_O3N] = {"Option3 Name", NULL, 0},
    [C_O3V] = {"Option3 Value", NULL, 0},
    [C_SKU] = {"Variant SKU", "SKU", 1},
    [C_GRAMS] = {"Variant Grams", "Weight value (grams)", 0},
    [C_PRICE] = {"Variant Price", "Price", 0},
    [C_SHIPPING] = {"Variant Requires Shipping", "Requires shipping", 0},
    [C_BARCODE] = {"Variant Barcode", "Barcode", 0},
};

struct ctx {
    imp_run *r;
    int col[C_COUNT];
    const char *cname[C_COUNT]; /* each column's name as this file has it, for messages */
    size_t ncols;
    imp_map titles; /* handle -> index into strs (its Title) */
    char **strs;
    size_t nstrs, capstrs;
    imp_arena a;
    imp_map skus;  /* SKU -> line where this file first had it */
    imp_map codes; /* SKU -> index into strs (the unit barcode this file gives it, normalised) */
};

static const char *F(const struct ctx *c, const tote_csv_row *row, int k)
{
    return tote_csv_field(row, c->col[k]);
}

/* Copies the trimmed field into buf; returns buf ("" if too long). */
static const char *trim_to(const char *v, char *buf, size_t cap)
{
    const char *t;
    size_t n = imp_trim(v, &t);
    if (n >= cap)
        n = 0;
    memcpy(buf, t, n);
    buf[n] = '\0';
    return buf;
}

static int open_csv(struct ctx *c, tote_csv **out, int report)
{
    imp_run *r = c->r;
    tote_csv *csv = imp_csv_open(r);
    if (!csv)
        return -1;
    tote_csv_row row;
    int h;
    if (report) {
        h = imp_csv_header(r, csv, &row);
    } else {
        while ((h = tote_csv_next(csv, &row)) == 1 && row.error)
            ;
        if (h == 1 && tote_csv_set_header(csv, &row) != 0)
            h = -1;
        if (h < 0)
            imp_fail(r, TOTE_ST_E_INVALID, "%s: %s", r->path,
                     tote_csv_error(csv) ? tote_csv_error(csv) : "out of memory");
    }
    if (h == 0) {
        imp_fail(r, TOTE_ST_E_INVALID, "%s is empty: a Shopify product export starts with its header row",
                 r->path);
        h = -1;
    }
    for (int k = 0; h > 0 && k < C_COUNT; k++) {
        c->col[k] = tote_csv_col(csv, COLS[k].name);
        c->cname[k] = COLS[k].name;
        if (c->col[k] < 0 && COLS[k].alt && (c->col[k] = tote_csv_col(csv, COLS[k].alt)) >= 0)
            c->cname[k] = COLS[k].alt;
        if (c->col[k] < 0 && COLS[k].required) {
            char alt[80] = "";
            if (COLS[k].alt)
                snprintf(alt, sizeof alt, " (or '%s')", COLS[k].alt);
            imp_fail(r, TOTE_ST_E_INVALID, "%s is not a Shopify product export: it has no '%s'%s column",
                     r->path, COLS[k].name, alt);
            h = -1;
        }
    }
    if (h < 0) {
        tote_csv_destroy(&csv);
        return -1;
    }
    c->ncols = tote_csv_header_count(csv);
    *out = csv;
    return 0;
}

/* Keeps a copy of v in strs and maps key to it in m. */
static tote_st_err keep_str(struct ctx *c, imp_map *m, const char *key, const char *v)
{
    if (c->nstrs == c->capstrs) {
        size_t nc = c->capstrs ? c->capstrs * 2 : 64;
        char **ns = realloc(c->strs, nc * sizeof *ns);
        if (!ns)
            return imp_fail(c->r, TOTE_ST_E_NOMEM, "out of memory");
        c->strs = ns;
        c->capstrs = nc;
    }
    c->strs[c->nstrs] = imp_arena_strdup(&c->a, v);
    if (!c->strs[c->nstrs] || imp_map_put(m, key, (long long)c->nstrs) != 0)
        return imp_fail(c->r, TOTE_ST_E_NOMEM, "out of memory");
    c->nstrs++;
    return TOTE_ST_E_OK;
}

static tote_st_err pass1(struct ctx *c)
{
    tote_csv *csv = NULL;
    if (open_csv(c, &csv, 0) != 0)
        return TOTE_ST_E_INVALID;
    tote_csv_row row;
    int rc;
    char h[256], t[1024];
    tote_st_err e = TOTE_ST_E_OK;
    while (e == TOTE_ST_E_OK && (rc = tote_csv_next(csv, &row)) == 1) {
        if (row.error || row.n != c->ncols)
            continue;
        /* the barcode each SKU gets in this file: a code that moves from one
           product to another in the same file (two products swapping codes)
           is let go by the product the file gives another code */
        char sku[256], code[65], why[200];
        trim_to(F(c, &row, C_SKU), sku, sizeof sku);
        if (*sku && !imp_map_get(&c->codes, sku) &&
            tote_import_parse_barcode(F(c, &row, C_BARCODE), code, why, sizeof why) == 0)
            e = keep_str(c, &c->codes, sku, code);
        trim_to(F(c, &row, C_HANDLE), h, sizeof h);
        trim_to(F(c, &row, C_TITLE), t, sizeof t);
        if (e != TOTE_ST_E_OK || !*h || !*t || imp_map_get(&c->titles, h))
            continue;
        e = keep_str(c, &c->titles, h, t);
    }
    if (e == TOTE_ST_E_OK && rc < 0)
        e = imp_fail(c->r, TOTE_ST_E_INVALID, "%s: %s", c->r->path, tote_csv_error(csv));
    tote_csv_destroy(&csv);
    return e;
}

/* One variant row -> one product. */
/*
 * A product's unit barcodes are the ones Shopify gives it (only this import
 * sets barcodes): once its code from this file is its own, every other unit
 * code an earlier import set (a code corrected or changed in Shopify) is
 * removed, each with a note. keep2 may be "" (no UPC-E alternate).
 */
static tote_st_err drop_stale_codes(imp_run *r, long long pid, const char *sku, const char *keep,
                                    const char *keep2, long long line, int *dropped)
{
    sqlite3_stmt *st = tote_store_stmt(r->s, "SELECT code FROM barcode WHERE product_id = ?1 AND units = 1 "
                                             "AND code <> ?2 AND code <> ?3 ORDER BY code LIMIT 16");
    if (!st)
        return imp_fail(r, TOTE_ST_E_DB, "barcodes of %s: %s", sku, tote_store_errmsg(r->s));
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_text(st, 2, keep, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, keep2, -1, SQLITE_TRANSIENT);
    char old[16][65];
    int n = 0, rc;
    while (n < 16 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        tote_str_cut(old[n++], sizeof old[0], (const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    for (int i = 0; i < n; i++) {
        tote_st_err e = tote_barcode_remove(r->s, old[i], pid, r->actor);
        if (e != TOTE_ST_E_OK)
            return imp_fail(r, e, "barcode %s of %s (line %lld): %s", old[i], sku, line, tote_st_detail());
        imp_problem(r, TOTE_IMPORT_NOTICE, line, -1, sku,
                    "barcode %s of %s replaced by %s (changed in Shopify)", old[i], sku, keep);
        *dropped = 1;
    }
    return TOTE_ST_E_OK;
}

static tote_st_err variant(struct ctx *c, const tote_csv_row *row)
{
    imp_run *r = c->r;
    char handle[256], sku[256], opts[3][256];
    trim_to(F(c, row, C_HANDLE), handle, sizeof handle);
    trim_to(F(c, row, C_SKU), sku, sizeof sku);
    int nopt = 0;
    for (int k = 0; k < 3; k++) {
        trim_to(F(c, row, C_O1V + 2 * k), opts[k], sizeof opts[k]);
        if (*opts[k])
            nopt++;
    }
    const char *grams = F(c, row, C_GRAMS), *price = F(c, row, C_PRICE), *bc = F(c, row, C_BARCODE);
    if (!*sku && !nopt && imp_blank(price) && imp_blank(grams) && imp_blank(bc)) {
        r->sum->skipped++; /* an image row */
        return TOTE_ST_E_OK;
    }
    r->sum->records++;
    char optlist[800] = "";
    for (int k = 0; k < 3; k++) {
        if (!*opts[k] || strcasecmp(opts[k], "Default Title") == 0)
            continue;
        size_t l = strlen(optlist);
        snprintf(optlist + l, sizeof optlist - l, "%s%s", l ? " / " : "", opts[k]);
    }
    if (!*handle) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku, "the variant row has no %s",
                    c->cname[C_HANDLE]);
        return TOTE_ST_E_OK;
    }
    int shipped = 1;
    if (!*sku && tote_import_parse_bool(F(c, row, C_SHIPPING), &shipped) == 0 && !shipped) {
        /* a gift card or a digital product: the warehouse never touches it */
        r->sum->unshipped++;
        imp_problem(r, TOTE_IMPORT_NOTICE, row->line, -1, handle,
                    "variant %s%s%s of '%s' is not shipped (%s FALSE) and has no "
                    "SKU: nothing to stock or pick, skipped",
                    *optlist ? "'" : "", *optlist ? optlist : "(default)", *optlist ? "'" : "", handle,
                    c->cname[C_SHIPPING]);
        return TOTE_ST_E_OK;
    }
    if (!*sku) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, handle,
                    "variant %s%s%s of '%s' has no %s; Tote needs a SKU to stock and pick it",
                    *optlist ? "'" : "", *optlist ? optlist : "(default)", *optlist ? "'" : "", handle,
                    c->cname[C_SKU]);
        return TOTE_ST_E_OK;
    }
    long long *first = imp_map_get(&c->skus, sku);
    if (first) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku,
                    "SKU %s appears again (first on line %lld); each variant needs its own SKU", sku, *first);
        return TOTE_ST_E_OK;
    }
    if (imp_map_put(&c->skus, sku, row->line) != 0)
        return imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");

    tote_product_in p = {.sku = sku,
                         .handle = handle,
                         .weight_g = -1,
                         .requires_shipping = -1,
                         .lot_tracked = -1,
                         .price_cents = -1,
                         .reorder_point = -1,
                         .reorder_qty = -1};
    long long *ti = imp_map_get(&c->titles, handle);
    const char *title = ti ? c->strs[*ti] : handle;
    char name[1200];
    if (*optlist)
        snprintf(name, sizeof name, "%s \xE2\x80\x94 %s", title, optlist); /* em dash */
    else
        snprintf(name, sizeof name, "%s", title);
    p.name = name;

    long long g;
    int rc = tote_import_parse_decimal(grams, 0, &g); /* "453.59237" (a pound): 454 g */
    if (rc < 0) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku, "%s '%s' is not a weight in grams",
                    c->cname[C_GRAMS], grams);
        return TOTE_ST_E_OK;
    }
    if (rc == 0)
        p.weight_g = g;
    long long cents;
    rc = tote_import_parse_money(price, &cents);
    if (rc < 0 && tote_import_parse_decimal(price, 2, &cents) == 0) {
        /* three decimals (dinars) or a computed price: the warehouse keeps cents */
        imp_problem(r, TOTE_IMPORT_NOTICE, row->line, -1, sku,
                    "%s '%s' has more than two decimals: kept as %lld.%02lld", c->cname[C_PRICE], price,
                    cents / 100, cents % 100);
        rc = 0;
    }
    if (rc < 0 || (rc == 0 && cents < 0)) {
        /* a price is for reports, not for picking: the product comes in without one */
        imp_problem(r, TOTE_IMPORT_WARNING, row->line, -1, sku,
                    "%s '%s' is not a price: product %s imported without one", c->cname[C_PRICE], price, sku);
        rc = 1;
    }
    if (rc == 0)
        p.price_cents = cents;
    int ship;
    rc = tote_import_parse_bool(F(c, row, C_SHIPPING), &ship);
    if (rc < 0) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku, "%s '%s' is not TRUE or FALSE",
                    c->cname[C_SHIPPING], F(c, row, C_SHIPPING));
        return TOTE_ST_E_OK;
    }
    if (rc == 0)
        p.requires_shipping = ship;

    char code[65], why[200];
    rc = tote_import_parse_barcode(bc, code, why, sizeof why);
    if (rc < 0) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku, "%s", why);
        return TOTE_ST_E_OK;
    }
    int has_code = rc == 0;
    if (has_code) {
        long long owner = 0, mine = 0;
        if (tote_product_find_by_code(r->s, code, &owner, NULL) == TOTE_ST_E_OK) {
            tote_st_err me = tote_product_find_by_sku(r->s, sku, &mine);
            if (me != TOTE_ST_E_OK || mine != owner) {
                tote_product other = {0};
                tote_product_get(r->s, owner, &other);
                long long *oi = other.sku ? imp_map_get(&c->codes, other.sku) : NULL;
                if (oi && strcmp(c->strs[*oi], code) != 0) {
                    /* this file gives the owner another code: the code moves */
                    tote_st_err xe = tote_barcode_remove(r->s, code, owner, r->actor);
                    if (xe == TOTE_ST_E_OK)
                        imp_problem(r, TOTE_IMPORT_NOTICE, row->line, -1, sku,
                                    "barcode %s moves from SKU %s to SKU %s (this file gives %s the code %s)",
                                    code, other.sku, sku, other.sku, c->strs[*oi]);
                    tote_product_clear(&other);
                    if (xe != TOTE_ST_E_OK)
                        return imp_fail(r, xe, "barcode %s of %s (line %lld): %s", code, sku, row->line,
                                        tote_st_detail());
                } else {
                    imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku,
                                "barcode %s already belongs to SKU %s; one barcode cannot stand for two "
                                "products",
                                code, other.sku ? other.sku : "?");
                    tote_product_clear(&other);
                    return TOTE_ST_E_OK;
                }
            }
        }
    }

    tote_upsert_result res = 0;
    long long pid = 0;
    tote_st_err e = tote_product_upsert(r->s, &p, r->actor, &res, &pid);
    if (e == TOTE_ST_E_INVALID) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, sku, "%s", tote_st_detail());
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return imp_fail(r, e, "product %s (line %lld): %s", sku, row->line, tote_st_detail());
    int changed_code = 0;
    if (has_code) {
        long long owner = 0;
        if (tote_product_find_by_code(r->s, code, &owner, NULL) != TOTE_ST_E_OK || owner != pid) {
            e = tote_barcode_set(r->s, code, pid, 1, r->actor);
            if (e == TOTE_ST_E_OK) {
                r->sum->barcodes++;
                changed_code = 1;
            } else if (e == TOTE_ST_E_EXISTS || e == TOTE_ST_E_INVALID) {
                imp_problem(r, TOTE_IMPORT_WARNING, row->line, -1, sku,
                            "product %s was imported without its barcode %s: %s", sku, code,
                            tote_st_detail());
            } else {
                return imp_fail(r, e, "barcode %s (line %lld): %s", code, row->line, tote_st_detail());
            }
        }
        /* eight digits that read both as an EAN-8 and as a UPC-E: a scanner
           may send either, so the product answers to both */
        char alt[15] = "";
        long long alt_owner = 0;
        if (tote_import_barcode_upce_alt(bc, alt) &&
            tote_product_find_by_code(r->s, alt, &alt_owner, NULL) == TOTE_ST_E_NOT_FOUND) {
            e = tote_barcode_set(r->s, alt, pid, 1, r->actor);
            if (e != TOTE_ST_E_OK && e != TOTE_ST_E_EXISTS && e != TOTE_ST_E_INVALID)
                return imp_fail(r, e, "barcode %s (line %lld): %s", alt, row->line, tote_st_detail());
        }
        long long now_owner = 0;
        if (res != TOTE_UPSERT_CREATED &&
            tote_product_find_by_code(r->s, code, &now_owner, NULL) == TOTE_ST_E_OK && now_owner == pid) {
            int dropped = 0;
            e = drop_stale_codes(r, pid, sku, code, alt, row->line, &dropped);
            if (e != TOTE_ST_E_OK)
                return e;
            changed_code |= dropped;
        }
    }
    if (res == TOTE_UPSERT_CREATED)
        r->sum->created++;
    else if (res == TOTE_UPSERT_UPDATED || (res == TOTE_UPSERT_UNCHANGED && changed_code))
        r->sum->updated++;
    else if (res == TOTE_UPSERT_UNCHANGED)
        r->sum->unchanged++;
    else if (res == TOTE_UPSERT_LOCKED)
        r->sum->locked++;
    return TOTE_ST_E_OK;
}

tote_st_err imp_shopify_products(imp_run *r)
{
    struct ctx c = {.r = r};
    tote_st_err e = pass1(&c);
    tote_csv *csv = NULL;
    if (e == TOTE_ST_E_OK && open_csv(&c, &csv, 1) != 0)
        e = TOTE_ST_E_INVALID;
    tote_csv_row row;
    int rc = 0;
    while (e == TOTE_ST_E_OK && (rc = tote_csv_next(csv, &row)) == 1) {
        r->sum->rows++;
        if (imp_csv_row_bad(r, &row, c.ncols, "the header"))
            r->sum->records++;
        else
            e = variant(&c, &row);
        if (e == TOTE_ST_E_OK) {
            long long done, total;
            tote_csv_progress(csv, &done, &total);
            e = imp_tick(r, done, total);
        }
    }
    if (e == TOTE_ST_E_OK && rc < 0)
        e = imp_fail(r, TOTE_ST_E_INVALID, "%s: %s", r->path, tote_csv_error(csv));
    imp_csv_close(r, &csv);
    imp_map_free(&c.titles);
    imp_map_free(&c.skus);
    imp_map_free(&c.codes);
    imp_arena_free(&c.a);
    free(c.strs);
    return e;
}
