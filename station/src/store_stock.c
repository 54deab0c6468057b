/* Locations and the stock ledger: every change of on_hand comes with a stock_move row.
 * The listings and the ledger check are in store_stock_list.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "store_tx.h"
#include "tote/stock.h"

#define WALK_STEP 1000

/* ---- natural order ---- */

int tote_location_natural_cmp(const char *a, const char *b)
{
    const char *pa = a, *pb = b;
    while (*pa && *pb) {
        if (isdigit((unsigned char)*pa) && isdigit((unsigned char)*pb)) {
            while (*pa == '0')
                pa++;
            while (*pb == '0')
                pb++;
            const char *ea = pa, *eb = pb;
            while (isdigit((unsigned char)*ea))
                ea++;
            while (isdigit((unsigned char)*eb))
                eb++;
            size_t la = (size_t)(ea - pa), lb = (size_t)(eb - pb);
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = memcmp(pa, pb, la);
            if (c)
                return c < 0 ? -1 : 1;
            pa = ea;
            pb = eb;
            continue;
        }
        int ca = toupper((unsigned char)*pa), cb = toupper((unsigned char)*pb);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        pa++;
        pb++;
    }
    if (*pa || *pb)
        return *pa ? 1 : -1;
    int c = strcmp(a, b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

/* ---- locations ---- */

static int location_code_ok(const char *code)
{
    size_t n = strlen(code);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)code[i] < 0x21 && code[i] != ' ')
            return 0;
        else if (code[i] == 0x7f)
            return 0;
    return code[0] != ' ' && code[n - 1] != ' ';
}

tote_st_err tote_location_find(tote_store *s, const char *code, long long *location_id)
{
    store_detail_clear();
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id FROM location WHERE code = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_text(st, 1, code ? code : "", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && location_id)
        *location_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    if (rc == SQLITE_DONE)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no location %s", code ? code : "");
    return store_db_fail(s, rc);
}

/* Derives walk_seq for a new code from its natural neighbours (inside a transaction). */
static tote_st_err derive_walk_seq(tote_store *s, const char *code, long long *out)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT code, walk_seq FROM location");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    int have_prev = 0, have_next = 0;
    char *prev_code = NULL, *next_code = NULL;
    long long prev = 0, next = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(st, 0);
        long long w = sqlite3_column_int64(st, 1);
        int cmp = tote_location_natural_cmp(c, code);
        if (cmp < 0 && (!have_prev || tote_location_natural_cmp(c, prev_code) > 0)) {
            free(prev_code);
            prev_code = strdup(c);
            prev = w;
            have_prev = 1;
        } else if (cmp > 0 && (!have_next || tote_location_natural_cmp(c, next_code) < 0)) {
            free(next_code);
            next_code = strdup(c);
            next = w;
            have_next = 1;
        }
    }
    sqlite3_reset(st);
    free(prev_code);
    free(next_code);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, rc);
    if (!have_prev && !have_next) {
        *out = WALK_STEP;
    } else if (!have_next) {
        *out = prev + WALK_STEP;
    } else {
        long long lo = have_prev ? prev : 0;
        if (have_prev && prev >= next) {
            /* explicit walk sequences that do not follow the codes: go right after the predecessor */
            *out = prev + 1;
            return TOTE_ST_E_OK;
        }
        if (next - lo < 2) {
            /* gap used up: shift everything from `next` on, keeping the order */
            sqlite3_stmt *up =
                tote_store_stmt(s, "UPDATE location SET walk_seq = walk_seq + ?2 WHERE walk_seq >= ?1");
            if (!up)
                return store_db_fail(s, SQLITE_ERROR);
            sqlite3_bind_int64(up, 1, next);
            sqlite3_bind_int64(up, 2, WALK_STEP);
            rc = store_step_done(up);
            if (rc != SQLITE_DONE)
                return store_db_fail(s, rc);
            next += WALK_STEP;
        }
        *out = lo + (next - lo) / 2;
    }
    return TOTE_ST_E_OK;
}

static tote_st_err location_create(tote_store *s, const char *code, const char *zone, long long walk_seq,
                                   const char *kind, const char *actor, long long *location_id)
{
    tote_st_err e = TOTE_ST_E_OK;
    if (walk_seq < 0) {
        e = derive_walk_seq(s, code, &walk_seq);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    sqlite3_stmt *in =
        tote_store_stmt(s, "INSERT INTO location(code, zone, walk_seq, kind) VALUES (?1, ?2, ?3, ?4)");
    if (!in)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_text(in, 1, code, -1, SQLITE_TRANSIENT);
    store_bind_text_ne(in, 2, zone);
    sqlite3_bind_int64(in, 3, walk_seq);
    sqlite3_bind_text(in, 4, kind, -1, SQLITE_TRANSIENT);
    int rc = store_step_done(in);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, rc);
    long long id = sqlite3_last_insert_rowid(tote_store_db(s));
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "walk_seq", (double)walk_seq);
    cJSON_AddStringToObject(d, "kind", kind);
    if (zone && *zone)
        cJSON_AddStringToObject(d, "zone", zone);
    char *txt = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    e = tote_store_event(s, actor, NULL, "location.created", "location", code, txt);
    cJSON_free(txt);
    if (e == TOTE_ST_E_OK && location_id)
        *location_id = id;
    return e == TOTE_ST_E_OK ? e : store_db_fail(s, SQLITE_ERROR);
}

static tote_st_err location_put(tote_store *s, const char *code, const char *zone, long long walk_seq,
                                const char *kind, const char *actor, int must_be_new, long long *location_id)
{
    store_detail_clear();
    if (!code || !location_code_ok(code))
        return store_fail(TOTE_ST_E_INVALID, "a location code is 1 to 64 printable characters without "
                                             "spaces at either end");
    if (!kind)
        kind = "bin";
    if (strcmp(kind, "bin") && strcmp(kind, "quarantine") && strcmp(kind, "dock"))
        return store_fail(TOTE_ST_E_INVALID, "location kind '%s' is not bin, quarantine or dock", kind);
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    long long id = 0;
    e = tote_location_find(s, code, &id);
    if (e == TOTE_ST_E_OK) {
        if (must_be_new)
            e = store_fail(TOTE_ST_E_EXISTS, "location %s already exists", code);
        else if (location_id)
            *location_id = id;
    } else if (e == TOTE_ST_E_NOT_FOUND) {
        store_detail_clear();
        e = location_create(s, code, zone, walk_seq, kind, actor, location_id);
    }
    return store_tx_end(s, &tx, e);
}

tote_st_err tote_location_ensure(tote_store *s, const char *code, const char *zone, long long walk_seq,
                                 const char *actor, long long *location_id)
{
    return location_put(s, code, zone, walk_seq, "bin", actor, 0, location_id);
}

tote_st_err tote_location_add(tote_store *s, const char *code, const char *zone, long long walk_seq,
                              const char *kind, const char *actor, long long *location_id)
{
    return location_put(s, code, zone, walk_seq, kind, actor, 1, location_id);
}

/* ---- stock rows ---- */

tote_st_err tote_stock_find(tote_store *s, long long product_id, long long location_id, const char *lot,
                            long long *stock_id)
{
    store_detail_clear();
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id FROM stock WHERE product_id = ?1 AND location_id = ?2 AND lot = ?3");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, product_id);
    sqlite3_bind_int64(st, 2, location_id);
    sqlite3_bind_text(st, 3, lot ? lot : "", -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && stock_id)
        *stock_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    if (rc == SQLITE_DONE)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no stock of that product and lot at that location");
    return store_db_fail(s, rc);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* 1 if text is a real date YYYY-MM-DD. */
static int valid_date(const char *t)
{
    if (strlen(t) != 10 || t[4] != '-' || t[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)t[i]))
            return 0;
    int y = atoi(t), m = atoi(t + 5), d = atoi(t + 8);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return 0;
    int max = mdays[m - 1] + (m == 2 && is_leap(y));
    return d <= max;
}

/* Facts about a stock row used by the writers. Strings malloc'd. */
struct stock_row {
    long long id, product_id, location_id, on_hand, reserved;
    char *lot, *expiry, *sku, *loc;
};

static void stock_row_clear(struct stock_row *r)
{
    free(r->lot);
    free(r->expiry);
    free(r->sku);
    free(r->loc);
    memset(r, 0, sizeof *r);
}

static tote_st_err stock_row_get(tote_store *s, long long stock_id, struct stock_row *r)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT s.id, s.product_id, s.location_id, s.on_hand, s.reserved, "
                                          "s.lot, s.expiry, p.sku, l.code FROM stock s "
                                          "JOIN product p ON p.id = s.product_id "
                                          "JOIN location l ON l.id = s.location_id WHERE s.id = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, stock_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        r->id = sqlite3_column_int64(st, 0);
        r->product_id = sqlite3_column_int64(st, 1);
        r->location_id = sqlite3_column_int64(st, 2);
        r->on_hand = sqlite3_column_int64(st, 3);
        r->reserved = sqlite3_column_int64(st, 4);
        r->lot = store_col_dup(st, 5);
        r->expiry = store_col_dup(st, 6);
        r->sku = store_col_dup(st, 7);
        r->loc = store_col_dup(st, 8);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    if (rc == SQLITE_DONE)
        return store_fail(TOTE_ST_E_NOT_FOUND, "no stock row %lld", stock_id);
    return store_db_fail(s, rc);
}

/* Appends a move and applies it to on_hand, in the open transaction. */
static tote_st_err add_move(tote_store *s, long long stock_id, const char *kind, long long qty,
                            long long order_line_id, const char *actor, const char *device,
                            const char *reason)
{
    char now[32];
    tote_store_now(now);
    sqlite3_stmt *st = tote_store_stmt(s, "INSERT INTO stock_move(stock_id, kind, qty, order_line_id, actor, "
                                          "device, reason, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, stock_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, qty);
    if (order_line_id > 0)
        sqlite3_bind_int64(st, 4, order_line_id);
    else
        sqlite3_bind_null(st, 4);
    store_bind_text(st, 5, actor);
    store_bind_text(st, 6, device);
    store_bind_text_ne(st, 7, reason);
    sqlite3_bind_text(st, 8, now, -1, SQLITE_TRANSIENT);
    int rc = store_step_done(st);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, rc);
    st = tote_store_stmt(s, "UPDATE stock SET on_hand = on_hand + ?2 WHERE id = ?1");
    if (!st)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(st, 1, stock_id);
    sqlite3_bind_int64(st, 2, qty);
    rc = store_step_done(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : store_db_fail(s, rc);
}

static tote_st_err stock_event(tote_store *s, const char *actor, const char *device, const char *kind,
                               const struct stock_row *r, long long qty, const char *reason,
                               const char *extra_key, const char *extra_val)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "stock_id", (double)r->id);
    cJSON_AddStringToObject(d, "location", r->loc ? r->loc : "");
    if (r->lot && *r->lot)
        cJSON_AddStringToObject(d, "lot", r->lot);
    cJSON_AddNumberToObject(d, "qty", (double)qty);
    if (reason && *reason)
        cJSON_AddStringToObject(d, "reason", reason);
    if (extra_key)
        cJSON_AddStringToObject(d, extra_key, extra_val ? extra_val : "");
    char *txt = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    tote_st_err e = tote_store_event(s, actor, device, kind, "product", r->sku, txt);
    cJSON_free(txt);
    return e == TOTE_ST_E_OK ? e : store_db_fail(s, SQLITE_ERROR);
}

/* Finds or creates the stock row (product, location, lot), in the open transaction. */
static tote_st_err stock_row_ensure(tote_store *s, long long product_id, long long location_id,
                                    const char *lot, const char *expiry, long long *stock_id)
{
    tote_st_err e = tote_stock_find(s, product_id, location_id, lot, stock_id);
    if (e != TOTE_ST_E_NOT_FOUND)
        return e;
    store_detail_clear();
    sqlite3_stmt *in = tote_store_stmt(s, "INSERT INTO stock(location_id, product_id, lot, expiry, on_hand, "
                                          "reserved) VALUES (?1, ?2, ?3, ?4, 0, 0)");
    if (!in)
        return store_db_fail(s, SQLITE_ERROR);
    sqlite3_bind_int64(in, 1, location_id);
    sqlite3_bind_int64(in, 2, product_id);
    sqlite3_bind_text(in, 3, lot ? lot : "", -1, SQLITE_TRANSIENT);
    store_bind_text_ne(in, 4, expiry);
    int rc = store_step_done(in);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, rc);
    *stock_id = sqlite3_last_insert_rowid(tote_store_db(s));
    return TOTE_ST_E_OK;
}

tote_st_err tote_stock_ensure(tote_store *s, long long product_id, long long location_id, const char *lot,
                              const char *expiry, long long *stock_id)
{
    store_detail_clear();
    if (!lot)
        lot = "";
    if (strlen(lot) > 64)
        return store_fail(TOTE_ST_E_INVALID, "lot '%.20s...' is longer than 64 characters", lot);
    if (expiry && *expiry && !valid_date(expiry))
        return store_fail(TOTE_ST_E_INVALID, "expiry '%s' is not a date YYYY-MM-DD", expiry);
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    tote_product p;
    e = tote_product_get(s, product_id, &p);
    if (e == TOTE_ST_E_OK) {
        if (p.lot_tracked && !*lot)
            e = store_fail(TOTE_ST_E_INVALID, "%s is lot-tracked: name the lot", p.sku);
        tote_product_clear(&p);
    }
    if (e == TOTE_ST_E_OK) {
        sqlite3_stmt *st = tote_store_stmt(s, "SELECT 1 FROM location WHERE id = ?1");
        if (!st) {
            e = store_db_fail(s, SQLITE_ERROR);
        } else {
            sqlite3_bind_int64(st, 1, location_id);
            int rc = store_step_done(st);
            if (rc == SQLITE_DONE)
                e = store_fail(TOTE_ST_E_NOT_FOUND, "no location with id %lld", location_id);
            else if (rc != SQLITE_ROW)
                e = store_db_fail(s, rc);
        }
    }
    if (e == TOTE_ST_E_OK) {
        store_detail_clear();
        e = stock_row_ensure(s, product_id, location_id, lot, expiry, stock_id);
    }
    return store_tx_end(s, &tx, e);
}

tote_st_err tote_stock_receive(tote_store *s, long long product_id, long long location_id, long long qty,
                               const char *lot, const char *expiry, const char *actor, const char *reason)
{
    store_detail_clear();
    if (qty < 1)
        return store_fail(TOTE_ST_E_INVALID, "a receipt needs a quantity of at least 1, not %lld", qty);
    if (qty > TOTE_QTY_MAX)
        return store_fail(TOTE_ST_E_INVALID,
                          "a receipt of %lld units is more than the most there can be, %lld", qty,
                          TOTE_QTY_MAX);
    if (!lot)
        lot = "";
    if (strlen(lot) > 64)
        return store_fail(TOTE_ST_E_INVALID, "lot '%.20s...' is longer than 64 characters", lot);
    if (expiry && *expiry && !valid_date(expiry))
        return store_fail(TOTE_ST_E_INVALID, "expiry '%s' is not a date YYYY-MM-DD", expiry);
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    struct stock_row r = {0};
    tote_product p;
    e = tote_product_get(s, product_id, &p);
    if (e != TOTE_ST_E_OK)
        goto out;
    if (p.lot_tracked && !*lot) {
        e = store_fail(TOTE_ST_E_INVALID, "%s is lot-tracked: a receipt needs a lot", p.sku);
        tote_product_clear(&p);
        goto out;
    }
    tote_product_clear(&p);
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT 1 FROM location WHERE id = ?1");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_int64(st, 1, location_id);
    int rc = store_step_done(st);
    if (rc != SQLITE_ROW) {
        e = rc == SQLITE_DONE ? store_fail(TOTE_ST_E_NOT_FOUND, "no location with id %lld", location_id)
                              : store_db_fail(s, rc);
        goto out;
    }
    long long sid = 0;
    e = stock_row_ensure(s, product_id, location_id, lot, expiry, &sid);
    if (e != TOTE_ST_E_OK)
        goto out;
    e = stock_row_get(s, sid, &r);
    if (e != TOTE_ST_E_OK)
        goto out;
    if (expiry && *expiry) {
        if (r.expiry && strcmp(r.expiry, expiry) != 0) {
            e = store_fail(TOTE_ST_E_INVALID, "%s lot '%s' at %s already expires %s, not %s", r.sku, lot,
                           r.loc, r.expiry, expiry);
            goto out;
        }
        if (!r.expiry) {
            st = tote_store_stmt(s, "UPDATE stock SET expiry = ?2 WHERE id = ?1");
            if (!st) {
                e = store_db_fail(s, SQLITE_ERROR);
                goto out;
            }
            sqlite3_bind_int64(st, 1, sid);
            sqlite3_bind_text(st, 2, expiry, -1, SQLITE_TRANSIENT);
            rc = store_step_done(st);
            if (rc != SQLITE_DONE) {
                e = store_db_fail(s, rc);
                goto out;
            }
        }
    }
    e = add_move(s, sid, "receipt", qty, 0, actor, NULL, reason);
    if (e == TOTE_ST_E_OK)
        e = stock_event(s, actor, NULL, "stock.receipt", &r, qty, reason, expiry && *expiry ? "expiry" : NULL,
                        expiry);
out:
    stock_row_clear(&r);
    return store_tx_end(s, &tx, e);
}

tote_st_err tote_stock_adjust(tote_store *s, long long stock_id, long long delta, const char *kind,
                              const char *actor, const char *device, const char *reason)
{
    store_detail_clear();
    if (!kind || (strcmp(kind, "adjustment") && strcmp(kind, "count") && strcmp(kind, "shortage")))
        return store_fail(TOTE_ST_E_INVALID, "adjustment kind '%s' is not adjustment, count or shortage",
                          kind ? kind : "");
    if (strcmp(kind, "adjustment") == 0 && delta == 0)
        return store_fail(TOTE_ST_E_INVALID, "an adjustment of 0 changes nothing");
    if (delta > TOTE_QTY_MAX || delta < -TOTE_QTY_MAX)
        return store_fail(TOTE_ST_E_INVALID,
                          "a change of %lld units is more than the most there can be, %lld", delta,
                          TOTE_QTY_MAX);
    if (strcmp(kind, "adjustment") == 0 && (!reason || !*reason))
        return store_fail(TOTE_ST_E_INVALID, "an adjustment needs a reason");
    if (strcmp(kind, "shortage") == 0 && delta >= 0)
        return store_fail(TOTE_ST_E_INVALID, "a shortage takes stock away (a negative quantity), not %lld",
                          delta);
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    struct stock_row r;
    e = stock_row_get(s, stock_id, &r);
    if (e != TOTE_ST_E_OK)
        goto out;
    if (delta < 0 && r.on_hand + delta < 0) { /* an increase is always taken, whatever it holds */
        e = store_fail(TOTE_ST_E_INVALID, "%s at %s%s%s holds %lld; taking %lld would leave it below zero",
                       r.sku, r.loc, *r.lot ? " lot " : "", r.lot, r.on_hand, -delta);
        goto out;
    }
    if (delta < 0 && strcmp(kind, "adjustment") == 0 && r.on_hand + delta < r.reserved) {
        /* units promised to orders: a picker would be sent for them. A
           shortage found at the bin goes through the short-pick flow, which
           re-plans the orders; by hand, those orders are released first */
        e = store_fail(
            TOTE_ST_E_INVALID,
            "%s at %s%s%s holds %lld, of which %lld are reserved for orders; taking %lld would leave "
            "fewer than that (release or cancel those orders first, or report the shortage when "
            "picking)",
            r.sku, r.loc, *r.lot ? " lot " : "", r.lot, r.on_hand, r.reserved, -delta);
        goto out;
    }
    char ev[32];
    snprintf(ev, sizeof ev, "stock.%s", kind);
    if (delta != 0)
        e = add_move(s, stock_id, kind, delta, 0, actor, device, reason);
    if (e == TOTE_ST_E_OK)
        e = stock_event(s, actor, device, ev, &r, delta, reason, NULL, NULL);
out:
    stock_row_clear(&r);
    return store_tx_end(s, &tx, e);
}

tote_st_err tote_stock_transfer(tote_store *s, long long stock_id, long long to_location_id, long long qty,
                                const char *actor, const char *reason)
{
    store_detail_clear();
    if (qty < 1)
        return store_fail(TOTE_ST_E_INVALID, "a transfer needs a quantity of at least 1, not %lld", qty);
    if (qty > TOTE_QTY_MAX)
        return store_fail(TOTE_ST_E_INVALID,
                          "a transfer of %lld units is more than the most there can be, %lld", qty,
                          TOTE_QTY_MAX);
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    struct stock_row r;
    e = stock_row_get(s, stock_id, &r);
    if (e != TOTE_ST_E_OK)
        goto out;
    if (r.location_id == to_location_id) {
        e = store_fail(TOTE_ST_E_INVALID, "%s is already at %s", r.sku, r.loc);
        goto out;
    }
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT code FROM location WHERE id = ?1");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_int64(st, 1, to_location_id);
    int rc = sqlite3_step(st);
    char *to_code = rc == SQLITE_ROW ? store_col_dup(st, 0) : NULL;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        e = rc == SQLITE_DONE ? store_fail(TOTE_ST_E_NOT_FOUND, "no location with id %lld", to_location_id)
                              : store_db_fail(s, rc);
        goto out;
    }
    if (r.on_hand - r.reserved < qty) {
        e = store_fail(TOTE_ST_E_STATE,
                       "%s at %s has %lld available (%lld on hand, %lld reserved); cannot move %lld", r.sku,
                       r.loc, r.on_hand - r.reserved, r.on_hand, r.reserved, qty);
        free(to_code);
        goto out;
    }
    long long to_id = 0;
    e = stock_row_ensure(s, r.product_id, to_location_id, r.lot, r.expiry, &to_id);
    if (e == TOTE_ST_E_OK)
        e = add_move(s, stock_id, "transfer", -qty, 0, actor, NULL, reason);
    if (e == TOTE_ST_E_OK)
        e = add_move(s, to_id, "transfer", qty, 0, actor, NULL, reason);
    if (e == TOTE_ST_E_OK)
        e = stock_event(s, actor, NULL, "stock.transfer", &r, qty, reason, "to", to_code);
    free(to_code);
out:
    stock_row_clear(&r);
    return store_tx_end(s, &tx, e);
}

/* ---- reservations ---- */

tote_st_err tote_stock_reserve(tote_store *s, long long stock_id, long long order_line_id, long long qty,
                               long long *allocation_id)
{
    store_detail_clear();
    if (qty < 1 || qty > TOTE_QTY_MAX)
        return store_fail(TOTE_ST_E_INVALID, "a reservation needs a quantity from 1 to %lld, not %lld",
                          TOTE_QTY_MAX, qty);
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK)
        return e;
    struct stock_row r;
    e = stock_row_get(s, stock_id, &r);
    if (e != TOTE_ST_E_OK)
        goto out;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT product_id, requires_shipping, ordered - allocated FROM "
                                          "order_line WHERE id = ?1");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_int64(st, 1, order_line_id);
    int rc = sqlite3_step(st);
    long long line_product = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int ship = rc == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    long long open_qty = rc == SQLITE_ROW ? sqlite3_column_int64(st, 2) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        e = rc == SQLITE_DONE ? store_fail(TOTE_ST_E_NOT_FOUND, "no order line %lld", order_line_id)
                              : store_db_fail(s, rc);
        goto out;
    }
    if (!ship) {
        e = store_fail(TOTE_ST_E_INVALID, "order line %lld does not require shipping: it is never allocated",
                       order_line_id);
        goto out;
    }
    if (line_product != r.product_id) {
        e = store_fail(TOTE_ST_E_INVALID, "order line %lld is not for %s", order_line_id, r.sku);
        goto out;
    }
    if (qty > open_qty) {
        e = store_fail(TOTE_ST_E_STATE, "order line %lld needs only %lld more, not %lld", order_line_id,
                       open_qty, qty);
        goto out;
    }
    if (r.on_hand - r.reserved < qty) {
        e = store_fail(TOTE_ST_E_STATE, "%s at %s has %lld available; cannot reserve %lld", r.sku, r.loc,
                       r.on_hand - r.reserved, qty);
        goto out;
    }
    if (r.expiry) {
        char now[32];
        tote_store_now(now);
        if (strncmp(r.expiry, now, 10) < 0) {
            e = store_fail(TOTE_ST_E_STATE, "%s lot %s at %s expired on %s", r.sku, r.lot, r.loc, r.expiry);
            goto out;
        }
    }
    st = tote_store_stmt(s, "INSERT INTO allocation(order_line_id, stock_id, qty, picked, status) "
                            "VALUES (?1, ?2, ?3, 0, 'open')");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_int64(st, 1, order_line_id);
    sqlite3_bind_int64(st, 2, stock_id);
    sqlite3_bind_int64(st, 3, qty);
    rc = store_step_done(st);
    if (rc != SQLITE_DONE) {
        e = store_db_fail(s, rc);
        goto out;
    }
    long long aid = sqlite3_last_insert_rowid(tote_store_db(s));
    st = tote_store_stmt(s, "UPDATE stock SET reserved = reserved + ?2 WHERE id = ?1");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
        goto out;
    }
    sqlite3_bind_int64(st, 1, stock_id);
    sqlite3_bind_int64(st, 2, qty);
    rc = store_step_done(st);
    if (rc == SQLITE_DONE) {
        st = tote_store_stmt(s, "UPDATE order_line SET allocated = allocated + ?2 WHERE id = ?1");
        if (!st) {
            e = store_db_fail(s, SQLITE_ERROR);
            goto out;
        }
        sqlite3_bind_int64(st, 1, order_line_id);
        sqlite3_bind_int64(st, 2, qty);
        rc = store_step_done(st);
    }
    if (rc != SQLITE_DONE) {
        e = store_db_fail(s, rc);
        goto out;
    }
    if (allocation_id)
        *allocation_id = aid;
out:
    stock_row_clear(&r);
    return store_tx_end(s, &tx, e);
}
