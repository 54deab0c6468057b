/*
 * `tote import shopify-orders`: Shopify's order CSV export.
 *
 * One row per line item; the order's own fields (email, payment, address,
 * dates, totals) only on its first row; rows grouped by Name. Rows of one
 * order need not be contiguous, so the file is read twice: pass 1 notes the
 * last row of every Name (and nothing else), pass 2 collects each order's
 * rows and writes the order as soon as its last row has been read. Memory
 * holds only the orders still open (one, in an export as Shopify writes it).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import_internal.h"
#include "tote/orders.h"

enum {
    C_NAME,
    C_EMAIL,
    C_FINANCIAL,
    C_FULFILLMENT,
    C_CURRENCY,
    C_TOTAL,
    C_SHIP_METHOD,
    C_CREATED,
    C_QTY,
    C_LI_NAME,
    C_LI_PRICE,
    C_LI_SKU,
    C_LI_SHIPPING,
    C_LI_FULFILLMENT,
    C_BILL_NAME,
    C_BILL_PHONE,
    C_SHIP_NAME,
    C_SHIP_STREET,
    C_SHIP_ADDR1,
    C_SHIP_ADDR2,
    C_SHIP_COMPANY,
    C_SHIP_CITY,
    C_SHIP_ZIP,
    C_SHIP_PROVINCE,
    C_SHIP_PROVINCE_NAME,
    C_SHIP_COUNTRY,
    C_SHIP_PHONE,
    C_CANCELLED,
    C_PAY_METHOD,
    C_ID,
    C_TAGS,
    C_PHONE,
    C_COUNT
};

static const struct {
    const char *name;
    int required;
} COLS[C_COUNT] = {
    [C_NAME] = {"Name", 1},
    [C_EMAIL] = {"Email", 0},
    [C_FINANCIAL] = {"Financial Status", 1},
    [C_FULFILLMENT] = {"Fulfillment Status", 0},
    [C_CURRENCY] = {"Currency", 0},
    [C_TOTAL] = {"Total", 0},
    [C_SHIP_METHOD] = {"Shipping Method", 0},
    [C_CREATED] = {"Created at", 1},
    [C_QTY] = {"Lineitem quantity", 1},
    [C_LI_NAME] = {"Lineitem name", 1},
    [C_LI_PRICE] = {"Lineitem price", 0},
    [C_LI_SKU] = {"Lineitem sku", 1},
    [C_LI_SHIPPING] = {"Lineitem requires shipping", 0},
    [C_LI_FULFILLMENT] = {"Lineitem fulfillment status", 0},
    [C_BILL_NAME] = {"Billing Name", 0},
    [C_BILL_PHONE] = {"Billing Phone", 0},
    [C_SHIP_NAME] = {"Shipping Name", 0},
    [C_SHIP_STREET] = {"Shipping Street", 0},
    [C_SHIP_ADDR1] = {"Shipping Address1", 0},
    [C_SHIP_ADDR2] = {"Shipping Address2", 0},
    [C_SHIP_COMPANY] = {"Shipping Company", 0},
    [C_SHIP_CITY] = {"Shipping City", 0},
    [C_SHIP_ZIP] = {"Shipping Zip", 0},
    [C_SHIP_PROVINCE] = {"Shipping Province", 0},
    [C_SHIP_PROVINCE_NAME] = {"Shipping Province Name", 0},
    [C_SHIP_COUNTRY] = {"Shipping Country", 0},
    [C_SHIP_PHONE] = {"Shipping Phone", 0},
    [C_CANCELLED] = {"Cancelled at", 0},
    [C_PAY_METHOD] = {"Payment Method", 0},
    [C_ID] = {"Id", 0},
    [C_TAGS] = {"Tags", 0},
    [C_PHONE] = {"Phone", 0},
};

struct sline {
    tote_order_line_in in;
    long long line;
};

struct sorder {
    imp_arena a;
    char *name;
    long long line;        /* first row */
    long long fields_line; /* row with the order fields, 0 if none yet */
    long long no_created;  /* first row with order fields but an empty Created at, 0 if none */
    tote_order_in in;
    struct sline *lines;
    size_t n, cap;
    char *reject; /* first reason not to import it */
    long long reject_line;
    int fulfilled;
    long long partial_line; /* first line item partly fulfilled upstream, 0 if none */
};

struct ctx {
    imp_run *r;
    tote_csv *csv;
    int col[C_COUNT];
    size_t ncols;
    imp_map last_row; /* Name -> index of its last row */
    imp_map open;     /* Name -> (struct sorder *) */
};

/* The Name of a row, trimmed, or NULL when the row has none we can trust. */
static const char *row_name(const struct ctx *c, const tote_csv_row *row, char *buf, size_t cap)
{
    if (c->col[C_NAME] < 0 || (size_t)c->col[C_NAME] >= row->n)
        return NULL;
    const char *t;
    size_t n = imp_trim(row->field[c->col[C_NAME]], &t);
    if (n == 0 || n >= cap || !imp_utf8_valid((const unsigned char *)t, n) || memchr(t, '\0', n))
        return NULL;
    memcpy(buf, t, n);
    buf[n] = '\0';
    return buf;
}

static const char *F(const struct ctx *c, const tote_csv_row *row, int k)
{
    return tote_csv_field(row, c->col[k]);
}

/* Trimmed copy in the order's arena, NULL when empty. strip_apostrophe: a
 * leading ' that spreadsheets use to keep "075008" text (zips, phones). */
static const char *keep(struct sorder *o, const char *v, int strip_apostrophe)
{
    const char *t;
    size_t n = imp_trim(v, &t);
    if (strip_apostrophe && n && t[0] == '\'') {
        t++;
        n--;
    }
    if (n == 0)
        return NULL;
    return imp_arena_strndup(&o->a, t, n);
}

static void order_reject(struct sorder *o, long long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void order_reject(struct sorder *o, long long line, const char *fmt, ...)
{
    if (o->reject)
        return;
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    o->reject = imp_arena_strdup(&o->a, buf);
    o->reject_line = line;
}

static void order_free(struct sorder *o)
{
    if (!o)
        return;
    imp_arena_free(&o->a);
    free(o->lines);
    free(o);
}

static struct sorder *open_order(struct ctx *c, const char *name, long long line)
{
    long long *v = imp_map_get(&c->open, name);
    if (v)
        return (struct sorder *)(intptr_t)*v;
    struct sorder *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->name = imp_arena_strdup(&o->a, name);
    o->line = line;
    if (!o->name || imp_map_put(&c->open, name, (long long)(intptr_t)o) != 0) {
        order_free(o);
        return NULL;
    }
    o->in.name = o->name;
    o->in.channel = "shopify";
    o->in.total_cents = -1;
    return o;
}

/* The order-level fields of the order's first row. */
static void take_order_fields(struct ctx *c, struct sorder *o, const tote_csv_row *row)
{
    tote_order_in *in = &o->in;
    o->fields_line = row->line;
    char t[32];
    const char *created = F(c, row, C_CREATED);
    int rc = tote_import_parse_time(created, t);
    if (rc == 0)
        in->ordered_at = imp_arena_strdup(&o->a, t);
    else
        order_reject(o, row->line, "Created at '%s' is not a date and time", created);
    const char *cancelled = F(c, row, C_CANCELLED);
    rc = tote_import_parse_time(cancelled, t);
    if (rc == 0)
        in->cancelled_at = imp_arena_strdup(&o->a, t);
    else if (rc < 0)
        order_reject(o, row->line, "Cancelled at '%s' is not a date and time", cancelled);
    const char *total = F(c, row, C_TOTAL);
    long long cents;
    rc = tote_import_parse_money(total, &cents);
    if (rc == 0)
        in->total_cents = cents;
    else if (rc < 0)
        order_reject(o, row->line, "Total '%s' is not an amount of money", total);

    char *fin = (char *)keep(o, F(c, row, C_FINANCIAL), 0);
    for (char *p = fin; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    in->payment_status = fin;
    in->payment_method = keep(o, F(c, row, C_PAY_METHOD), 0);
    in->cod = imp_cod_method(in->payment_method);
    in->email = keep(o, F(c, row, C_EMAIL), 0);
    in->external_ref = keep(o, F(c, row, C_ID), 0);
    in->currency = keep(o, F(c, row, C_CURRENCY), 0);
    in->shipping_method = keep(o, F(c, row, C_SHIP_METHOD), 0);
    in->customer_name = keep(o, F(c, row, C_BILL_NAME), 0);
    if (!in->customer_name)
        in->customer_name = keep(o, F(c, row, C_SHIP_NAME), 0);
    in->phone = keep(o, F(c, row, C_PHONE), 1);
    if (!in->phone)
        in->phone = keep(o, F(c, row, C_BILL_PHONE), 1);
    if (!in->phone)
        in->phone = keep(o, F(c, row, C_SHIP_PHONE), 1);
    in->ship_name = keep(o, F(c, row, C_SHIP_NAME), 0);
    in->ship_company = keep(o, F(c, row, C_SHIP_COMPANY), 0);
    in->ship_address1 = keep(o, F(c, row, C_SHIP_ADDR1), 0);
    if (!in->ship_address1)
        in->ship_address1 = keep(o, F(c, row, C_SHIP_STREET), 0);
    in->ship_address2 = keep(o, F(c, row, C_SHIP_ADDR2), 0);
    in->ship_city = keep(o, F(c, row, C_SHIP_CITY), 0);
    in->ship_zip = keep(o, F(c, row, C_SHIP_ZIP), 1);
    in->ship_province = keep(o, F(c, row, C_SHIP_PROVINCE), 0);
    if (!in->ship_province)
        in->ship_province = keep(o, F(c, row, C_SHIP_PROVINCE_NAME), 0);
    in->ship_country = keep(o, F(c, row, C_SHIP_COUNTRY), 0);
    in->ship_phone = keep(o, F(c, row, C_SHIP_PHONE), 1);
    const char *tags = F(c, row, C_TAGS);
    in->rush = imp_has_tag(tags, "rush");
    in->pickup = imp_pickup(tags, in->shipping_method);
    const char *ful = F(c, row, C_FULFILLMENT);
    const char *ft;
    size_t fn = imp_trim(ful, &ft);
    o->fulfilled = fn == 9 && strncasecmp(ft, "fulfilled", 9) == 0;
}

static void take_line(struct ctx *c, struct sorder *o, const tote_csv_row *row)
{
    if (o->n == o->cap) {
        size_t nc = o->cap ? o->cap * 2 : 4;
        struct sline *nl = realloc(o->lines, nc * sizeof *nl);
        if (!nl) {
            order_reject(o, row->line, "out of memory");
            return;
        }
        o->lines = nl;
        o->cap = nc;
    }
    struct sline *l = &o->lines[o->n];
    memset(l, 0, sizeof *l);
    l->line = row->line;
    const char *q = F(c, row, C_QTY);
    long long qty = 0;
    if (tote_import_parse_int(q, &qty) == 0 && qty == 0) { /* removed from the order, or refunded */
        imp_problem(c->r, TOTE_IMPORT_NOTICE, row->line, -1, o->name,
                    "order %s: line item '%s' has quantity 0 (removed or refunded): left out", o->name,
                    F(c, row, C_LI_NAME));
        return;
    }
    int qrc = tote_import_parse_qty(q, &qty);
    if (qrc == -2) {
        order_reject(o, row->line, "Lineitem quantity '%s' is more than the most a line can hold, %lld", q,
                     TOTE_QTY_MAX);
        return;
    }
    if (qrc != 0) {
        order_reject(o, row->line, "Lineitem quantity '%s' is not a whole number of at least 1", q);
        return;
    }
    l->in.qty = qty;
    const char *price = F(c, row, C_LI_PRICE);
    long long cents = -1;
    if (tote_import_parse_money(price, &cents) < 0) {
        order_reject(o, row->line, "Lineitem price '%s' is not an amount of money", price);
        return;
    }
    l->in.price_cents = cents;
    const char *ship = F(c, row, C_LI_SHIPPING);
    int rs = 1;
    if (tote_import_parse_bool(ship, &rs) < 0) {
        order_reject(o, row->line, "Lineitem requires shipping '%s' is not true or false", ship);
        return;
    }
    /* a line fulfilled upstream already left: it is recorded, never picked */
    const char *ft;
    size_t fn = imp_trim(F(c, row, C_LI_FULFILLMENT), &ft);
    if (fn == 9 && strncasecmp(ft, "fulfilled", 9) == 0)
        rs = 0;
    else if (fn == 7 && strncasecmp(ft, "partial", 7) == 0 && !o->partial_line)
        o->partial_line = row->line; /* some units left already: how many, the export does not say */
    l->in.requires_shipping = rs;
    const char *sku = keep(o, F(c, row, C_LI_SKU), 0);
    l->in.sku = sku ? sku : "";
    l->in.name = keep(o, F(c, row, C_LI_NAME), 0);
    if (rs && !sku) {
        order_reject(o, row->line, "line item '%s' needs shipping but has no Lineitem sku",
                     l->in.name ? l->in.name : "");
        return;
    }
    o->n++;
}

static tote_st_err flush(struct ctx *c, struct sorder *o)
{
    imp_run *r = c->r;
    imp_map_del(&c->open, o->name);
    r->sum->records++;
    tote_st_err e = TOTE_ST_E_OK;
    if (!o->reject && !o->fields_line && o->no_created)
        order_reject(o, o->no_created,
                     "its order fields (line %lld) have no Created at: when the order was placed decides "
                     "its place in the queue",
                     o->no_created);
    if (!o->reject && !o->fields_line)
        order_reject(o, o->line,
                     "no row of this order carries its order fields (Created at, Financial Status, ...); "
                     "the export looks cut");
    if (o->reject) {
        imp_problem(r, TOTE_IMPORT_REJECTED, o->reject_line, -1, o->name, "order %s: %s", o->name, o->reject);
    } else if (o->fulfilled) {
        char label[300];
        snprintf(label, sizeof label, "order %s", o->name);
        e = imp_fulfilled_upstream(r, o->name, label, o->line, -1, 0);
    } else {
        tote_order_line_in *lines = calloc(o->n ? o->n : 1, sizeof *lines);
        if (!lines) {
            order_free(o);
            return imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < o->n; i++)
            lines[i] = o->lines[i].in;
        o->in.lines = lines;
        o->in.line_count = o->n;
        tote_upsert_result res = 0;
        char *em = NULL;
        tote_order_status st = TOTE_ORDER_RECEIVED;
        e = store_order_upsert_status(r->s, &o->in, r->actor, &res, &st, &em);
        if (e == TOTE_ST_E_INVALID) {
            imp_problem(r, TOTE_IMPORT_REJECTED, o->line, -1, o->name, "order %s: %s", o->name,
                        em ? em : "invalid");
            e = TOTE_ST_E_OK;
        } else if (e != TOTE_ST_E_OK) {
            imp_fail(r, e, "order %s (line %lld): %s", o->name, o->line, em ? em : tote_st_strerror(e));
        } else {
            switch (res) {
            case TOTE_UPSERT_CREATED:
                r->sum->created++;
                break;
            case TOTE_UPSERT_UPDATED:
                r->sum->updated++;
                break;
            case TOTE_UPSERT_UNCHANGED:
                r->sum->unchanged++;
                break;
            case TOTE_UPSERT_LOCKED:
                r->sum->locked++;
                char label[300];
                snprintf(label, sizeof label, "order %s", o->name);
                imp_locked_order(r, &o->in, label, tote_order_status_name(st), o->line, -1);
                break;
            }
            int held_before = 0;
            if ((res == TOTE_UPSERT_CREATED || res == TOTE_UPSERT_UPDATED) && o->partial_line &&
                (st == TOTE_ORDER_RELEASED || st == TOTE_ORDER_RECEIVED) &&
                (e = imp_held_before(r, o->name, "partly fulfilled upstream", &held_before)) ==
                    TOTE_ST_E_OK) {
                if (held_before)
                    imp_problem(r, TOTE_IMPORT_WARNING, o->partial_line, -1, o->name,
                                "order %s: a line item was partly fulfilled upstream; the order was held for "
                                "that before and released since: left %s",
                                o->name, tote_order_status_name(st));
                else
                    e = imp_hold_order(r, o->name, "partly fulfilled upstream", o->partial_line, -1,
                                       "order %s: a line item was partly fulfilled upstream, and the export "
                                       "does not say how many units are left: held (release it once checked)",
                                       o->name);
                if (e == TOTE_ST_E_OK && !held_before)
                    st = TOTE_ORDER_ON_HOLD;
            }
            /* only where the export has address columns: a file without them
               says nothing about where an order goes */
            if (e == TOTE_ST_E_OK && (res == TOTE_UPSERT_CREATED || res == TOTE_UPSERT_UPDATED) &&
                (c->col[C_SHIP_ADDR1] >= 0 || c->col[C_SHIP_STREET] >= 0) && c->col[C_SHIP_CITY] >= 0) {
                char label[300];
                snprintf(label, sizeof label, "order %s", o->name);
                e = imp_hold_without_address(r, &o->in, label, o->line, -1, &st);
            }
            if (res != TOTE_UPSERT_LOCKED) {
                r->sum->lines += (long long)o->n;
                if (st == TOTE_ORDER_ON_HOLD)
                    r->sum->held++;
                else if (st == TOTE_ORDER_CANCELLED)
                    r->sum->cancelled++;
            }
        }
        free(em);
        free(lines);
        o->in.lines = NULL;
    }
    order_free(o);
    return e;
}

/* Pass 1: the last row of every Name. Reads exactly the records pass 2 reads. */
static tote_st_err pass1(struct ctx *c)
{
    imp_run *r = c->r;
    tote_csv *csv = imp_csv_open(r);
    if (!csv)
        return TOTE_ST_E_IO;
    tote_csv_row row;
    int rc;
    while ((rc = tote_csv_next(csv, &row)) == 1 && row.error)
        ;
    if (rc == 1 && tote_csv_set_header(csv, &row) != 0)
        rc = -2;
    int name_col = rc == 1 ? tote_csv_col(csv, "Name") : -1;
    c->col[C_NAME] = name_col;
    tote_csv_keep_only(csv, name_col); /* this pass reads nothing else */
    long long i = 0;
    char buf[256], prev[256] = "";
    while (rc == 1 && (rc = tote_csv_next(csv, &row)) == 1) {
        const char *name = row_name(c, &row, buf, sizeof buf);
        /* a row without Name keeps the order before it open (pass 2 rejects
           that order: the row may be one of its lines) */
        const char *owner = name ? name : *prev ? prev : NULL;
        if (owner && imp_map_put(&c->last_row, owner, i) != 0)
            rc = -2;
        if (name)
            memcpy(prev, name, strlen(name) + 1);
        i++;
    }
    tote_st_err e = TOTE_ST_E_OK;
    if (rc == -1)
        e = imp_fail(r, TOTE_ST_E_INVALID, "%s: %s", r->path, tote_csv_error(csv));
    else if (rc == -2)
        e = imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
    imp_csv_close(r, &csv);
    return e;
}

static tote_st_err pass2(struct ctx *c)
{
    imp_run *r = c->r;
    tote_csv_row row;
    long long i = 0;
    char buf[256], prev[256] = "";
    int rc;
    tote_st_err e = TOTE_ST_E_OK;
    while (e == TOTE_ST_E_OK && (rc = tote_csv_next(c->csv, &row)) == 1) {
        r->sum->rows++;
        long long idx = i++;
        const char *name = row_name(c, &row, buf, sizeof buf);
        long long *last = name ? imp_map_get(&c->last_row, name) : NULL;
        const char *bad = row.error;
        char why[160];
        if (!bad && row.n != c->ncols) {
            snprintf(why, sizeof why, "the row has %zu fields where the header has %zu", row.n, c->ncols);
            bad = why;
        }
        if (!name || !last) {
            /* no Name: the row cannot be placed in an order (a row of empty
               fields, as spreadsheets leave at the end, is no row at all) */
            int blank = !bad;
            for (size_t k = 0; blank && k < row.n; k++)
                blank = imp_blank(row.field[k]);
            if (bad)
                imp_problem(r, TOTE_IMPORT_REJECTED, row.line, -1, "", "%s", bad);
            else if (!blank)
                imp_problem(r, TOTE_IMPORT_REJECTED, row.line, -1, "", "the row has no Name");
            /* it may be a line of the order before it, which would then be
               imported without it: that order is rejected whole (pass 1 kept
               it open up to here) */
            long long *pv = *prev ? imp_map_get(&c->open, prev) : NULL;
            if (!name && pv) {
                struct sorder *o = (struct sorder *)(intptr_t)*pv;
                if (!blank)
                    order_reject(o, row.line,
                                 "the row on line %lld has no Name and follows this order's rows: it may be "
                                 "one of its lines",
                                 row.line);
                long long *pl = imp_map_get(&c->last_row, prev);
                if (pl && *pl == idx)
                    e = flush(c, o);
            }
            continue;
        }
        memcpy(prev, name, strlen(name) + 1);
        struct sorder *o = open_order(c, name, row.line);
        if (!o)
            return imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
        if (bad) {
            order_reject(o, row.line, "its row on line %lld is unusable: %s", row.line, bad);
        } else {
            if (!imp_blank(F(c, &row, C_CREATED))) {
                if (!o->fields_line)
                    take_order_fields(c, o, &row);
                else /* Shopify writes them once per order: the order is in the file twice */
                    order_reject(o, row.line,
                                 "its order fields appear twice (lines %lld and %lld); is the export "
                                 "concatenated with another one?",
                                 o->fields_line, row.line);
            } else if (!o->no_created && !imp_blank(F(c, &row, C_FINANCIAL))) {
                o->no_created = row.line;
            }
            take_line(c, o, &row);
        }
        if (*last == idx)
            e = flush(c, o);
        if (e == TOTE_ST_E_OK) {
            long long done, total;
            tote_csv_progress(c->csv, &done, &total);
            e = imp_tick(r, done, total);
        }
    }
    if (e == TOTE_ST_E_OK && rc < 0)
        e = imp_fail(r, TOTE_ST_E_INVALID, "%s: %s", r->path, tote_csv_error(c->csv));
    return e;
}

static void free_open(struct ctx *c)
{
    const char *k;
    long long v;
    for (size_t i = 0; i < c->open.cap; i++)
        if (imp_map_slot(&c->open, i, &k, &v))
            order_free((struct sorder *)(intptr_t)v);
    imp_map_free(&c->open);
}

tote_st_err imp_shopify_orders(imp_run *r)
{
    struct ctx c = {.r = r};
    for (int k = 0; k < C_COUNT; k++)
        c.col[k] = -1;
    tote_st_err e = pass1(&c);
    if (e == TOTE_ST_E_OK) {
        c.csv = imp_csv_open(r);
        if (!c.csv)
            e = TOTE_ST_E_IO;
    }
    tote_csv_row row;
    if (e == TOTE_ST_E_OK) {
        int h = imp_csv_header(r, c.csv, &row);
        if (h < 0)
            e = TOTE_ST_E_INVALID;
        else if (h == 0)
            e = imp_fail(r, TOTE_ST_E_INVALID,
                         "%s is empty: a Shopify order export starts with its header row", r->path);
    }
    for (int k = 0; e == TOTE_ST_E_OK && k < C_COUNT; k++) {
        c.col[k] = tote_csv_col(c.csv, COLS[k].name);
        if (c.col[k] < 0 && COLS[k].required)
            e = imp_fail(
                r, TOTE_ST_E_INVALID,
                "%s is not a Shopify order export: it has no '%s' column (line %lld holds the header)",
                r->path, COLS[k].name, row.line);
    }
    if (e == TOTE_ST_E_OK) {
        c.ncols = tote_csv_header_count(c.csv);
        e = imp_tx_begin(r); /* pass 1 read the file without the write lock */
    }
    if (e == TOTE_ST_E_OK)
        e = pass2(&c);
    /* orders still open (only if the two passes disagreed): write them now */
    const char *k;
    long long v;
    for (size_t i = 0; e == TOTE_ST_E_OK && i < c.open.cap; i++)
        if (imp_map_slot(&c.open, i, &k, &v))
            e = flush(&c, (struct sorder *)(intptr_t)v);
    free_open(&c);
    imp_map_free(&c.last_row);
    imp_csv_close(r, &c.csv);
    return e;
}
