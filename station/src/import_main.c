/*
 * tote_import_file(): the frame every import runs in. Hash the file, skip it
 * if import_log knows it, run the kind's reader inside transactions of about
 * a quarter second (strict: one), log the import with its summary.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import_internal.h"

#define TX_SLICE_MS 250
#define PROGRESS_MS 100

static const char *const kind_names[] = {NULL,    "shopify-products", "shopify-orders",
                                         "stock", "locations",        "orders-json"};

const char *tote_import_kind_name(tote_import_kind k)
{
    if ((int)k >= 1 && (size_t)k < sizeof kind_names / sizeof kind_names[0])
        return kind_names[k];
    return "?";
}

int tote_import_kind_parse(const char *text, tote_import_kind *out)
{
    for (size_t i = 1; i < sizeof kind_names / sizeof kind_names[0]; i++) {
        if (strcmp(text, kind_names[i]) == 0) {
            *out = (tote_import_kind)i;
            return 0;
        }
    }
    return -1;
}

const char *tote_import_severity_name(tote_import_severity sev)
{
    switch (sev) {
    case TOTE_IMPORT_REJECTED:
        return "rejected";
    case TOTE_IMPORT_WARNING:
        return "warning";
    case TOTE_IMPORT_NOTICE:
        return "notice";
    }
    return "?";
}

long long imp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void imp_problem(imp_run *r, tote_import_severity sev, long long line, long long index, const char *subject,
                 const char *fmt, ...)
{
    if (sev == TOTE_IMPORT_REJECTED)
        r->sum->rejected++;
    else if (sev == TOTE_IMPORT_WARNING)
        r->sum->warnings++;
    if (!r->o || !r->o->on_problem)
        return;
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    tote_import_problem p = {
        .severity = sev, .line = line, .index = index, .subject = subject ? subject : "", .reason = reason};
    r->o->on_problem(r->o->ud, &p);
}

tote_st_err imp_fail(imp_run *r, tote_st_err e, const char *fmt, ...)
{
    if (r->err)
        return e;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return e;
    r->err = malloc((size_t)n + 1);
    if (r->err) {
        va_start(ap, fmt);
        vsnprintf(r->err, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return e;
}

tote_st_err imp_tx_begin(imp_run *r)
{
    if (r->in_tx)
        return TOTE_ST_E_OK;
    tote_st_err e = tote_store_begin(r->s);
    if (e != TOTE_ST_E_OK)
        return imp_fail(r, e, "cannot start a transaction: %s", tote_store_errmsg(r->s));
    r->in_tx = 1;
    r->tx_ms = imp_now_ms();
    return TOTE_ST_E_OK;
}

static tote_st_err tx_commit(imp_run *r)
{
    if (!r->in_tx)
        return TOTE_ST_E_OK;
    tote_st_err e = tote_store_commit(r->s);
    if (e != TOTE_ST_E_OK) {
        tote_store_rollback(r->s);
        r->in_tx = 0;
        return imp_fail(r, e, "cannot commit: %s", tote_store_errmsg(r->s));
    }
    r->in_tx = 0;
    return TOTE_ST_E_OK;
}

static void tx_rollback(imp_run *r)
{
    if (r->in_tx)
        tote_store_rollback(r->s);
    r->in_tx = 0;
}

tote_st_err imp_tick(imp_run *r, long long done, long long total)
{
    long long now = imp_now_ms();
    if (r->o && r->o->on_progress && now - r->progress_ms >= PROGRESS_MS) {
        r->progress_ms = now;
        r->o->on_progress(r->o->ud, done, total, r->sum->records);
    }
    if (r->in_tx && !(r->o && r->o->strict) && now - r->tx_ms >= TX_SLICE_MS) {
        tote_st_err e = tx_commit(r);
        if (e != TOTE_ST_E_OK)
            return e;
        return imp_tx_begin(r);
    }
    return TOTE_ST_E_OK;
}

tote_csv *imp_csv_open(imp_run *r)
{
    char *msg = NULL;
    tote_csv *c = tote_csv_open(r->path, &msg);
    if (!c)
        imp_fail(r, TOTE_ST_E_IO, "%s", msg ? msg : "out of memory");
    free(msg);
    return c;
}

int imp_csv_header(imp_run *r, tote_csv *c, tote_csv_row *row)
{
    int rc;
    while ((rc = tote_csv_next(c, row)) == 1) {
        if (!row->error)
            break;
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, "", "%s", row->error);
    }
    if (rc < 0) {
        imp_fail(r, TOTE_ST_E_INVALID, "%s: %s", r->path, tote_csv_error(c));
        return -1;
    }
    if (rc == 0)
        return 0;
    if (tote_csv_set_header(c, row) != 0) {
        imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
        return -1;
    }
    return 1;
}

int imp_csv_row_bad(imp_run *r, const tote_csv_row *row, size_t want_fields, const char *what)
{
    if (row->error) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, "", "%s", row->error);
        return 1;
    }
    if (want_fields && row->n != want_fields) {
        imp_problem(r, TOTE_IMPORT_REJECTED, row->line, -1, "", "the row has %zu fields where %s has %zu",
                    row->n, what, want_fields);
        return 1;
    }
    return 0;
}

/* SHA-256 of the file at path into hex; IO failure -> imp_fail. */
static tote_st_err hash_file(imp_run *r, char hex[65])
{
    FILE *f = fopen(r->path, "rb");
    if (!f)
        return imp_fail(r, errno == ENOENT ? TOTE_ST_E_NOT_FOUND : TOTE_ST_E_IO, "cannot open %s: %s",
                        r->path, strerror(errno));
    tote_sha256 c;
    tote_sha256_init(&c);
    static const size_t cap = 1 << 20;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
    }
    size_t n;
    while ((n = fread(buf, 1, cap, f)) > 0)
        tote_sha256_update(&c, buf, n);
    int bad = ferror(f);
    int err = errno;
    free(buf);
    fclose(f);
    if (bad)
        return imp_fail(r, TOTE_ST_E_IO, "cannot read %s: %s", r->path, strerror(err));
    uint8_t d[32];
    tote_sha256_final(&c, d);
    tote_sha256_hex(d, hex);
    return TOTE_ST_E_OK;
}

cJSON *tote_import_summary_json(const tote_import_summary *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "kind", tote_import_kind_name(m->kind));
    cJSON_AddStringToObject(o, "sha256", m->sha256);
    cJSON_AddBoolToObject(o, "already_imported", m->already_imported);
    if (m->already_imported)
        cJSON_AddStringToObject(o, "previous_import_at", m->previous_at);
    cJSON_AddBoolToObject(o, "rolled_back", m->rolled_back);
    const struct {
        const char *name;
        long long v;
    } n[] = {{"rows", m->rows},          {"records", m->records},   {"lines", m->lines},
             {"created", m->created},    {"updated", m->updated},   {"unchanged", m->unchanged},
             {"locked", m->locked},      {"held", m->held},         {"cancelled", m->cancelled},
             {"skipped", m->skipped},    {"rejected", m->rejected}, {"warnings", m->warnings},
             {"barcodes", m->barcodes},  {"units", m->units},       {"unshipped", m->unshipped},
             {"elsewhere", m->elsewhere}};
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
        cJSON_AddNumberToObject(o, n[i].name, (double)n[i].v);
    return o;
}

tote_st_err tote_import_file(tote_store *s, tote_import_kind kind, const char *path,
                             const tote_import_opts *opts, tote_import_summary *sum, char **err_msg)
{
    if (err_msg)
        *err_msg = NULL;
    memset(sum, 0, sizeof *sum);
    sum->kind = kind;
    static const tote_import_opts none = {0};
    if (!opts)
        opts = &none;
    imp_run r = {.s = s,
                 .o = opts,
                 .sum = sum,
                 .kind = kind,
                 .path = path,
                 .actor = (opts && opts->actor && *opts->actor) ? opts->actor : "import"};
    tote_st_err e = TOTE_ST_E_OK;
    if (!strcmp(tote_import_kind_name(kind), "?"))
        e = imp_fail(&r, TOTE_ST_E_INVALID, "unknown import kind %d", (int)kind);
    if (e == TOTE_ST_E_OK)
        e = hash_file(&r, sum->sha256);
    if (e == TOTE_ST_E_OK && !(opts && opts->force)) {
        int found = 0;
        e = tote_import_log_find(s, tote_import_kind_name(kind), sum->sha256, &found, sum->previous_at);
        if (e != TOTE_ST_E_OK)
            imp_fail(&r, e, "cannot read the import log: %s", tote_store_errmsg(s));
        else if (found)
            sum->already_imported = 1;
    }
    if (e == TOTE_ST_E_OK && !sum->already_imported) {
        tote_import_tune(s, 1); /* only a speed-up: an error here changes nothing else */
        e = imp_tx_begin(&r);
        if (e == TOTE_ST_E_OK) {
            switch (kind) {
            case TOTE_IMPORT_SHOPIFY_PRODUCTS:
                e = imp_shopify_products(&r);
                break;
            case TOTE_IMPORT_SHOPIFY_ORDERS:
                e = imp_shopify_orders(&r);
                break;
            case TOTE_IMPORT_STOCK:
                e = imp_stock(&r);
                break;
            case TOTE_IMPORT_LOCATIONS:
                e = imp_locations(&r);
                break;
            case TOTE_IMPORT_ORDERS_JSON:
                e = imp_orders_json(&r);
                break;
            }
        }
        if (e == TOTE_ST_E_OK && opts && opts->strict && sum->rejected > 0) {
            tx_rollback(&r);
            sum->rolled_back = 1;
            e = imp_fail(&r, TOTE_ST_E_INVALID,
                         "%lld record%s rejected; with --strict nothing of %s was imported", sum->rejected,
                         sum->rejected == 1 ? " was" : "s were", path);
        }
        if (e == TOTE_ST_E_OK) {
            e = imp_tx_begin(&r);
            cJSON *j = e == TOTE_ST_E_OK ? tote_import_summary_json(sum) : NULL;
            char *txt = j ? cJSON_PrintUnformatted(j) : NULL;
            cJSON_Delete(j);
            if (e == TOTE_ST_E_OK) {
                e = tote_import_log_add(s, tote_import_kind_name(kind), path, sum->sha256, txt);
                if (e != TOTE_ST_E_OK)
                    imp_fail(&r, e, "cannot write the import log: %s", tote_store_errmsg(s));
            }
            cJSON_free(txt);
            if (e == TOTE_ST_E_OK)
                e = tx_commit(&r);
        }
        if (e != TOTE_ST_E_OK)
            tx_rollback(&r);
        tote_import_tune(s, 0);
        if (opts && opts->on_progress && e == TOTE_ST_E_OK)
            opts->on_progress(opts->ud, -1, -1, sum->records); /* done: the caller clears its bar */
    }
    if (e != TOTE_ST_E_OK && err_msg)
        *err_msg = r.err ? r.err : strdup(tote_st_strerror(e));
    else
        free(r.err);
    return e;
}
