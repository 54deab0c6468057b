/*
 * tote_import_file(): the frame every import runs in. Hash the file, skip it
 * if import_log knows it, run the kind's reader inside transactions of about
 * a quarter second (strict: one), log the import with its summary.
 *
 * The hash is computed by a thread of its own while the reader runs: SHA-256
 * of a large export costs about a seventh of the import's CPU, and the
 * machine has another core. Until import_log has been asked about the hash
 * nothing is committed and the problems found are held back, so a file that
 * was already imported still changes nothing and reports only that.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import_internal.h"
#include "mono_clock.h"

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
    return mono_ms();
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

/* ---------------- the file's hash, beside the import ---------------- */

typedef struct held_problem {
    tote_import_severity sev;
    long long line, index;
    char *subject, *reason;
} held_problem;

typedef struct imp_hash {
    pthread_t thread;
    int running;     /* the thread was started and not yet joined */
    atomic_int done; /* the thread has finished */
    FILE *f;         /* owned by the thread while it runs */
    int err;         /* errno of a failed read, or ENOMEM */
    char hex[65];
    int verified; /* import_log asked (or --force): commits and problems go ahead */
    held_problem *held;
    size_t n_held, cap_held;
} imp_hash;

/* Problems found before the hash is verified: at most this many are held,
 * then the import waits for the hash. */
#define HELD_MAX 10000

static int hold_problem(imp_hash *h, const tote_import_problem *p)
{
    if (h->n_held == HELD_MAX)
        return -1;
    if (h->n_held == h->cap_held) {
        size_t cap = h->cap_held ? h->cap_held * 2 : 16;
        held_problem *v = realloc(h->held, cap * sizeof *v);
        if (!v)
            return -1;
        h->held = v;
        h->cap_held = cap;
    }
    held_problem *q = &h->held[h->n_held];
    q->sev = p->severity;
    q->line = p->line;
    q->index = p->index;
    q->subject = strdup(p->subject);
    q->reason = strdup(p->reason);
    if (!q->subject || !q->reason) {
        free(q->subject);
        free(q->reason);
        return -1;
    }
    h->n_held++;
    return 0;
}

static void drop_held(imp_hash *h)
{
    for (size_t i = 0; i < h->n_held; i++) {
        free(h->held[i].subject);
        free(h->held[i].reason);
    }
    free(h->held);
    h->held = NULL;
    h->n_held = h->cap_held = 0;
}

/* SHA-256 of h->f into h->hex (h->err on failure); closes h->f. */
static void hash_stream(imp_hash *h)
{
    tote_sha256 c;
    tote_sha256_init(&c);
    static const size_t cap = 1 << 20;
    unsigned char *buf = malloc(cap);
    if (!buf) {
        h->err = ENOMEM;
    } else {
        size_t n;
        while ((n = fread(buf, 1, cap, h->f)) > 0)
            tote_sha256_update(&c, buf, n);
        if (ferror(h->f))
            h->err = errno ? errno : EIO;
        free(buf);
    }
    fclose(h->f);
    h->f = NULL;
    if (!h->err) {
        uint8_t d[32];
        tote_sha256_final(&c, d);
        tote_sha256_hex(d, h->hex);
    }
}

static void *hash_main(void *arg)
{
    imp_hash *h = arg;
    /* tests only: a hash that comes late, as a big file's does */
    const char *delay = getenv("TOTE_TEST_HASH_DELAY_MS");
    if (delay && atoi(delay) > 0) {
        struct timespec ts = {atoi(delay) / 1000, (long)(atoi(delay) % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    hash_stream(h);
    atomic_store(&h->done, 1);
    return NULL;
}

/* Opens the file and starts hashing it (on this thread if no other can be
 * started). A file that cannot be opened fails here, before anything. */
static tote_st_err hash_start(imp_run *r)
{
    imp_hash *h = calloc(1, sizeof *h);
    if (!h)
        return imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
    h->f = fopen(r->path, "rb");
    if (!h->f) {
        int err = errno;
        free(h);
        return imp_fail(r, err == ENOENT ? TOTE_ST_E_NOT_FOUND : TOTE_ST_E_IO, "cannot open %s: %s", r->path,
                        strerror(err));
    }
    r->hash = h;
    if (pthread_create(&h->thread, NULL, hash_main, h) == 0) {
        h->running = 1;
    } else {
        hash_stream(h);
        atomic_store(&h->done, 1);
    }
    return TOTE_ST_E_OK;
}

/* Once the hash is known (waiting for it if wait), asks import_log about it,
 * once. TOTE_ST_E_OK: verified, or (without wait) not known yet. EXISTS:
 * the file was already imported (r->already; nothing may be committed).
 * Else the error of a failed read or lookup. */
static tote_st_err hash_settle(imp_run *r, int wait)
{
    imp_hash *h = r->hash;
    if (!h || h->verified)
        return TOTE_ST_E_OK;
    if (r->already)
        return TOTE_ST_E_EXISTS;
    if (!wait && !atomic_load(&h->done))
        return TOTE_ST_E_OK;
    if (h->running) {
        pthread_join(h->thread, NULL);
        h->running = 0;
    }
    if (h->err)
        return imp_fail(r, h->err == ENOMEM ? TOTE_ST_E_NOMEM : TOTE_ST_E_IO, "cannot read %s: %s", r->path,
                        strerror(h->err));
    memcpy(r->sum->sha256, h->hex, sizeof h->hex);
    if (!(r->o && r->o->force)) {
        int found = 0;
        tote_st_err e =
            tote_import_log_find(r->s, tote_import_kind_name(r->kind), h->hex, &found, r->sum->previous_at);
        if (e != TOTE_ST_E_OK)
            return imp_fail(r, e, "cannot read the import log: %s", tote_store_errmsg(r->s));
        if (found) {
            r->already = 1;
            drop_held(h);
            return TOTE_ST_E_EXISTS;
        }
    }
    h->verified = 1;
    for (size_t i = 0; i < h->n_held && r->o && r->o->on_problem; i++) {
        tote_import_problem p = {.severity = h->held[i].sev,
                                 .line = h->held[i].line,
                                 .index = h->held[i].index,
                                 .subject = h->held[i].subject,
                                 .reason = h->held[i].reason};
        r->o->on_problem(r->o->ud, &p);
    }
    drop_held(h);
    return TOTE_ST_E_OK;
}

static void hash_done(imp_run *r)
{
    imp_hash *h = r->hash;
    if (!h)
        return;
    if (h->running)
        pthread_join(h->thread, NULL); /* hash_stream has closed the file */
    drop_held(h);
    free(h);
    r->hash = NULL;
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
    if (r->hash && !r->hash->verified && hold_problem(r->hash, &p) == 0)
        return;
    r->o->on_problem(r->o->ud, &p);
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
    /* a file already imported stops the reader; too many problems held wait for the hash */
    tote_st_err e = hash_settle(r, r->hash && r->hash->n_held == HELD_MAX);
    if (e != TOTE_ST_E_OK)
        return e;
    long long now = imp_now_ms();
    if (r->o && r->o->on_progress && now - r->progress_ms >= PROGRESS_MS) {
        r->progress_ms = now;
        r->o->on_progress(r->o->ud, done, total, r->sum->records);
    }
    if (r->in_tx && !(r->o && r->o->strict) && (!r->hash || r->hash->verified) &&
        now - r->tx_ms >= TX_SLICE_MS) {
        e = tx_commit(r);
        if (e != TOTE_ST_E_OK)
            return e;
        /* a moment without the lock: a writer waiting for it (tote serve,
           a command; store.c polls every millisecond) gets it now instead
           of after this whole import */
        struct timespec gap = {0, 3000000};
        nanosleep(&gap, NULL);
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

void imp_csv_close(imp_run *r, tote_csv **c)
{
    if (*c && tote_csv_text_encoding(*c) == TOTE_CSV_WINDOWS_1252)
        r->sum->windows_1252 = 1;
    tote_csv_destroy(c);
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
    /* a column named twice (a renamed column, two exports pasted side by
       side): the first is the one read, and the file should say which */
    for (size_t i = 0; i < row->n && i < 512; i++) {
        const char *a;
        size_t la = imp_trim(row->field[i], &a);
        for (size_t j = i + 1; la > 0 && j < row->n && j < 512; j++) {
            const char *b;
            size_t lb = imp_trim(row->field[j], &b);
            if (lb == la && strncasecmp(a, b, la) == 0) {
                imp_problem(r, TOTE_IMPORT_WARNING, row->line, -1, "",
                            "the header names column '%.*s' twice (fields %zu and %zu): the first is read",
                            (int)la, a, i + 1, j + 1);
                break;
            }
        }
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
    cJSON_AddStringToObject(o, "encoding", m->windows_1252 ? "Windows-1252" : "UTF-8");
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
        e = hash_start(&r);
    /* a small file's hash is there at once: nothing to undo if it was imported */
    if (e == TOTE_ST_E_OK && atomic_load(&r.hash->done))
        e = hash_settle(&r, 1);
    if (e == TOTE_ST_E_OK) {
        tote_import_tune(s, 1); /* only a speed-up: an error here changes nothing else */
        /* the write lock from the first write on: the order imports read the
           whole file first (pass 1, the JSON parse), and `tote serve` on the
           same database must not wait for that */
        if (kind != TOTE_IMPORT_SHOPIFY_ORDERS && kind != TOTE_IMPORT_ORDERS_JSON)
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
        if (e == TOTE_ST_E_OK)
            e = hash_settle(&r, 1);
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
        if (opts && opts->on_progress && (e == TOTE_ST_E_OK || r.already))
            opts->on_progress(opts->ud, -1, -1, sum->records); /* done: the caller clears its bar */
    }
    hash_done(&r);
    if (r.already) { /* what was read is undone: the summary says only that */
        tote_import_summary keep = *sum;
        memset(sum, 0, sizeof *sum);
        sum->kind = kind;
        sum->already_imported = 1;
        memcpy(sum->sha256, keep.sha256, sizeof sum->sha256);
        memcpy(sum->previous_at, keep.previous_at, sizeof sum->previous_at);
        free(r.err);
        r.err = NULL;
        e = TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK && err_msg)
        *err_msg = r.err ? r.err : strdup(tote_st_strerror(e));
    else
        free(r.err);
    return e;
}
