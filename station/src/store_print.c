/* SQL for printers, print jobs, and the package/order data of a label. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_tx.h"
#include "tote/printing.h"

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc;
}

static tote_st_err done_err(int rc)
{
    return rc == SQLITE_DONE ? TOTE_ST_E_OK
                             : (tote_store_map_rc(rc) == TOTE_ST_E_OK ? TOTE_ST_E_DB : tote_store_map_rc(rc));
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

/* ---------------- printers ---------------- */

tote_st_err tote_store_printer_put(tote_store *s, const char *name, const char *uri, const char *kind)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO printer(name, uri, kind, created_at) VALUES (?1, ?2, ?3, ?4) "
                           "ON CONFLICT(name) DO UPDATE SET uri = excluded.uri, kind = excluded.kind");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, uri, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    return done_err(step_done(st));
}

static void printer_row(sqlite3_stmt *st, tote_printer_rec *r)
{
    store_col_text(st, 0, r->name, sizeof r->name);
    store_col_text(st, 1, r->uri, sizeof r->uri);
    store_col_text(st, 2, r->kind, sizeof r->kind);
    store_col_text(st, 3, r->created_at, sizeof r->created_at);
}

tote_st_err tote_store_printer_get(tote_store *s, const char *name, tote_printer_rec *out)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT name, uri, kind, created_at FROM printer WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        printer_row(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

/*
 * Steps st to its end into a malloc'd array of rows of elem bytes, each filled
 * by row(); *out and *n hold it (NULL and 0 on failure, nothing leaked).
 * Resets st.
 */
static tote_st_err collect(sqlite3_stmt *st, size_t elem, void (*row)(sqlite3_stmt *, void *), void **out,
                           size_t *n)
{
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            void *nv = realloc(*out, cap * elem);
            if (!nv) {
                sqlite3_reset(st);
                free(*out);
                *out = NULL;
                *n = 0;
                return TOTE_ST_E_NOMEM;
            }
            *out = nv;
        }
        row(st, (char *)*out + (*n)++ * elem);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return done_err(rc);
}

static void printer_row_any(sqlite3_stmt *st, void *r)
{
    printer_row(st, r);
}

tote_st_err tote_store_printer_list(tote_store *s, tote_printer_rec **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT name, uri, kind, created_at FROM printer ORDER BY name");
    if (!st)
        return TOTE_ST_E_DB;
    return collect(st, sizeof **out, printer_row_any, (void **)out, n);
}

tote_st_err tote_store_printer_open_jobs(tote_store *s, const char *printer, long long *count)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT count(*) FROM print_job WHERE printer = ?1 AND state IN "
                                          "('queued','pending','held','processing','stopped')");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, printer, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

/* ---------------- print jobs ---------------- */

tote_st_err tote_store_print_job_add(tote_store *s, const char *printer, long long package_id,
                                     const char *kind, const char *format, const void *doc, size_t len,
                                     const char *requested_by, long long *id_out)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO print_job(printer, package_id, kind, format, document, "
                           "state, requested_by, created_at, updated_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6, ?7, ?7)");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_text(st, 1, printer, -1, SQLITE_TRANSIENT);
    if (package_id > 0)
        sqlite3_bind_int64(st, 2, package_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, format, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob64(st, 5, doc, (sqlite3_uint64)len, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 6, requested_by);
    sqlite3_bind_text(st, 7, now, -1, SQLITE_TRANSIENT);
    tote_st_err e = done_err(step_done(st));
    if (e == TOTE_ST_E_OK && id_out)
        *id_out = sqlite3_last_insert_rowid(tote_store_db(s));
    return e;
}

#define JOB_COLS                                                                                      \
    "id, printer, coalesce(package_id, 0), kind, format, state, coalesce(cups_job_id, 0), attempts, " \
    "next_attempt_at, error, requested_by, created_at, updated_at"

static void job_row(sqlite3_stmt *st, tote_print_job_rec *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    store_col_text(st, 1, r->printer, sizeof r->printer);
    r->package_id = sqlite3_column_int64(st, 2);
    store_col_text(st, 3, r->kind, sizeof r->kind);
    store_col_text(st, 4, r->format, sizeof r->format);
    store_col_text(st, 5, r->state, sizeof r->state);
    r->cups_job_id = sqlite3_column_int64(st, 6);
    r->attempts = sqlite3_column_int(st, 7);
    store_col_text(st, 8, r->next_attempt_at, sizeof r->next_attempt_at);
    store_col_text(st, 9, r->error, sizeof r->error);
    store_col_text(st, 10, r->requested_by, sizeof r->requested_by);
    store_col_text(st, 11, r->created_at, sizeof r->created_at);
    store_col_text(st, 12, r->updated_at, sizeof r->updated_at);
}

static void job_row_any(sqlite3_stmt *st, void *r)
{
    job_row(st, r);
}

tote_st_err tote_store_print_job_get(tote_store *s, long long id, tote_print_job_rec *out)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT " JOB_COLS " FROM print_job WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        job_row(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_store_print_job_list(tote_store *s, int active_only, tote_print_job_rec **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st =
        active_only ? tote_store_stmt(s, "SELECT " JOB_COLS " FROM print_job WHERE state IN "
                                         "('queued','pending','held','processing','stopped') ORDER BY id")
                    : tote_store_stmt(s, "SELECT " JOB_COLS " FROM print_job ORDER BY id");
    if (!st)
        return TOTE_ST_E_DB;
    return collect(st, sizeof **out, job_row_any, (void **)out, n);
}

tote_st_err tote_store_print_job_document(tote_store *s, long long id, void **doc, size_t *len)
{
    *doc = NULL;
    *len = 0;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT document FROM print_job WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    tote_st_err e = TOTE_ST_E_OK;
    if (rc == SQLITE_ROW) {
        int n = sqlite3_column_bytes(st, 0);
        const void *p = sqlite3_column_blob(st, 0);
        *doc = malloc(n > 0 ? (size_t)n : 1);
        if (!*doc)
            e = TOTE_ST_E_NOMEM;
        else {
            if (n > 0)
                memcpy(*doc, p, (size_t)n);
            *len = (size_t)n;
        }
    } else {
        e = rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    sqlite3_reset(st);
    return e;
}

tote_st_err tote_store_print_job_claim(tote_store *s, long long id, int attempts, const char *lease_until,
                                       int *claimed)
{
    *claimed = 0;
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE print_job SET attempts = attempts + 1, next_attempt_at = ?3, "
                           "updated_at = ?4 WHERE id = ?1 AND attempts = ?2 AND state = 'queued' "
                           "AND cups_job_id IS NULL");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, attempts);
    store_bind_text_or_null(st, 3, lease_until);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    int rc = step_done(st);
    if (rc == SQLITE_DONE)
        *claimed = sqlite3_changes(tote_store_db(s)) == 1;
    return done_err(rc);
}

tote_st_err tote_store_print_job_submitted(tote_store *s, long long id, long long cups_job_id,
                                           const char *state)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE print_job SET cups_job_id = ?2, state = ?3, error = NULL, "
                                          "next_attempt_at = NULL, updated_at = ?4 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, cups_job_id);
    sqlite3_bind_text(st, 3, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    return done_err(step_done(st));
}

tote_st_err tote_store_print_job_state(tote_store *s, long long id, const char *state, const char *error)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "UPDATE print_job SET state = ?2, error = ?3, updated_at = ?4 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 3, error);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    return done_err(step_done(st));
}

tote_st_err tote_store_print_job_retry(tote_store *s, long long id, const char *next_at, const char *error)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE print_job SET state = 'queued', cups_job_id = NULL, "
                                          "next_attempt_at = ?2, error = ?3, updated_at = ?4 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_int64(st, 1, id);
    store_bind_text_or_null(st, 2, next_at);
    store_bind_text_or_null(st, 3, error);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    return done_err(step_done(st));
}

tote_st_err tote_store_print_job_bump(tote_store *s, long long id, const char *error)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE print_job SET attempts = attempts + 1, error = ?2, "
                                          "updated_at = ?3 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_int64(st, 1, id);
    store_bind_text_or_null(st, 2, error);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    return done_err(step_done(st));
}

tote_st_err tote_store_alert_add(tote_store *s, const char *kind, const char *subject, const char *message)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO alert(kind, subject, message, created_at) VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 2, subject);
    sqlite3_bind_text(st, 3, message, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    return done_err(step_done(st));
}

/* ---------------- packages and orders ---------------- */

tote_st_err tote_store_package_lookup(tote_store *s, const char *text, long long *package_id)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id FROM package WHERE tracking = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *package_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_OK;
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    char *end = NULL;
    long long id = strtoll(text, &end, 10);
    if (!*text || *end || id <= 0)
        return TOTE_ST_E_NOT_FOUND;
    st = tote_store_stmt(s, "SELECT id FROM package WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *package_id = id;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_store_order_lookup(tote_store *s, const char *name, long long *order_id)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id FROM orders WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *order_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_store_order_package_ids(tote_store *s, long long order_id, long long **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id FROM package WHERE order_id = ?1 AND status <> 'cancelled' "
                           "ORDER BY package_no, id");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, order_id);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            long long *nv = realloc(*ids, cap * sizeof *nv);
            if (!nv) {
                sqlite3_reset(st);
                free(*ids);
                *ids = NULL;
                *n = 0;
                return TOTE_ST_E_NOMEM;
            }
            *ids = nv;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return done_err(rc);
}

tote_st_err tote_store_package_set_label(tote_store *s, long long package_id, const char *zpl)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE package SET label_zpl = ?2 WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    sqlite3_bind_text(st, 2, zpl, -1, SQLITE_TRANSIENT);
    return done_err(step_done(st));
}

tote_st_err tote_store_package_label(tote_store *s, long long package_id, char **zpl)
{
    *zpl = NULL;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT label_zpl FROM package WHERE id = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_int64(st, 1, package_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *zpl = col_dup(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? TOTE_ST_E_OK : rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
}

tote_st_err tote_store_device_printers(tote_store *s, const char *device, char label[128], char slip[128])
{
    label[0] = slip[0] = '\0';
    if (!device || !*device)
        return TOTE_ST_E_OK;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT label_printer, slip_printer FROM device WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_col_text(st, 0, label, 128);
        store_col_text(st, 1, slip, 128);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

void tote_label_src_free(tote_label_src *x)
{
    if (!x)
        return;
    char **f[] = {&x->order_name,    &x->external_ref,  &x->shipping_method, &x->ship_name, &x->ship_company,
                  &x->ship_address1, &x->ship_address2, &x->ship_city,       &x->ship_zip,  &x->ship_province,
                  &x->ship_country,  &x->ship_phone,    &x->tracking,        &x->sscc,      &x->service,
                  &x->carton,        &x->device};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        free(*f[i]);
        *f[i] = NULL;
    }
    for (size_t i = 0; i < x->n_lines; i++) {
        free(x->lines[i].sku);
        free(x->lines[i].name);
    }
    free(x->lines);
    x->lines = NULL;
    x->n_lines = 0;
}

tote_st_err tote_store_label_src(tote_store *s, long long order_id, long long package_id, tote_label_src *x)
{
    memset(x, 0, sizeof *x);
    x->weight_g = -1;
    int rc;
    sqlite3_stmt *st;
    if (package_id > 0) {
        st = tote_store_stmt(
            s, "SELECT p.order_id, p.package_no, coalesce(p.weight_g, p.expected_weight_g, -1), "
               "p.tracking, p.sscc, p.service, p.carton, p.device, "
               "(SELECT count(*) FROM package q WHERE q.order_id = p.order_id "
               "AND q.status <> 'cancelled') "
               "FROM package p WHERE p.id = ?1");
        if (!st)
            return TOTE_ST_E_DB;
        sqlite3_bind_int64(st, 1, package_id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            order_id = sqlite3_column_int64(st, 0);
            x->package_no = sqlite3_column_int(st, 1);
            x->weight_g = (long)sqlite3_column_int64(st, 2);
            x->tracking = col_dup(st, 3);
            x->sscc = col_dup(st, 4);
            x->service = col_dup(st, 5);
            x->carton = col_dup(st, 6);
            x->device = col_dup(st, 7);
            x->package_count = sqlite3_column_int(st, 8);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_ROW) {
            tote_label_src_free(x);
            return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
        }
        x->package_id = package_id;
    }
    x->order_id = order_id;
    st = tote_store_stmt(
        s, "SELECT name, external_ref, shipping_method, ship_name, ship_company, ship_address1, "
           "ship_address2, ship_city, ship_zip, ship_province, ship_country, ship_phone, "
           "(SELECT sum(l.ordered * coalesce(pr.weight_g, 0)) FROM order_line l "
           " LEFT JOIN product pr ON pr.id = l.product_id WHERE l.order_id = o.id "
           " AND l.requires_shipping = 1) "
           "FROM orders o WHERE o.id = ?1");
    if (!st) {
        tote_label_src_free(x);
        return TOTE_ST_E_DB;
    }
    sqlite3_bind_int64(st, 1, order_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        char **f[] = {&x->order_name,   &x->external_ref,  &x->shipping_method, &x->ship_name,
                      &x->ship_company, &x->ship_address1, &x->ship_address2,   &x->ship_city,
                      &x->ship_zip,     &x->ship_province, &x->ship_country,    &x->ship_phone};
        for (int i = 0; i < 12; i++)
            *f[i] = col_dup(st, i);
        if (package_id <= 0) {
            x->package_no = 1;
            x->package_count = 0;
            if (sqlite3_column_type(st, 12) != SQLITE_NULL && sqlite3_column_int64(st, 12) > 0)
                x->weight_g = (long)sqlite3_column_int64(st, 12);
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW) {
        tote_label_src_free(x);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    /* lines: in this package (shipped = qty in it), or the whole order */
    if (package_id > 0)
        st = tote_store_stmt(s, "SELECT l.sku, l.name, l.ordered, coalesce((SELECT i.qty FROM package_item i "
                                "WHERE i.package_id = ?2 AND i.order_line_id = l.id), 0) "
                                "FROM order_line l WHERE l.order_id = ?1 AND l.requires_shipping = 1 "
                                "ORDER BY l.line_no");
    else
        st = tote_store_stmt(
            s, "SELECT l.sku, l.name, l.ordered, l.packed FROM order_line l "
               "WHERE l.order_id = ?1 AND l.requires_shipping = 1 AND ?2 = 0 ORDER BY l.line_no");
    if (!st) {
        tote_label_src_free(x);
        return TOTE_ST_E_DB;
    }
    sqlite3_bind_int64(st, 1, order_id);
    sqlite3_bind_int64(st, 2, package_id > 0 ? package_id : 0);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (x->n_lines == cap) {
            cap = cap ? cap * 2 : 8;
            void *nv = realloc(x->lines, cap * sizeof *x->lines);
            if (!nv) {
                sqlite3_reset(st);
                tote_label_src_free(x);
                return TOTE_ST_E_NOMEM;
            }
            x->lines = nv;
        }
        struct tote_label_src_line *ln = &x->lines[x->n_lines++];
        ln->sku = col_dup(st, 0);
        ln->name = col_dup(st, 1);
        ln->ordered = sqlite3_column_int(st, 2);
        ln->shipped = sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        tote_label_src_free(x);
        return tote_store_map_rc(rc);
    }
    return TOTE_ST_E_OK;
}
