/* The acknowledgement log and the database checker (faults.h). */
#include "faults.h"

#include <cjson/cJSON.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tote/stock.h"
#include "tote/store.h"
#include "tote/wire.h"

uint8_t fa_type_code(const char *name)
{
    for (int t = 1; t < 256; t++) {
        const char *n = tote_wire_type_name((uint8_t)t);
        if (strcmp(n, "UNKNOWN") != 0 && strcmp(n, name) == 0)
            return (uint8_t)t;
    }
    return 0;
}

const char *fa_bin(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("TOTE_FAULTS_BIN_DIR");
#ifdef TOTE_FAULTS_BIN_DIR_DEFAULT
    if (!dir || !*dir)
        dir = TOTE_FAULTS_BIN_DIR_DEFAULT;
#endif
    snprintf(buf, sizeof buf, "%s/%s", dir ? dir : ".", name);
    return buf;
}

#define FA_MAX_TRACKED 256
static int tracked[FA_MAX_TRACKED];
static int ntracked;

/* 1 if pid is our child and still running; never reaps it (tt_proc_wait will). */
static int child_running(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (pid <= 0 || waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return 0; /* reaped already (maybe someone else's pid by now) */
    return info.si_pid == 0;
}

static void kill_tracked(void)
{
    for (int i = 0; i < ntracked; i++) {
        pid_t pid = tracked[i];
        if (!child_running(pid))
            continue;
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    ntracked = 0;
}

void fa_track_pid(int pid)
{
    static int registered;
    if (!registered) {
        atexit(kill_tracked);
        registered = 1;
    }
    for (int i = 0; i < ntracked; i++) {
        if (!child_running(tracked[i])) { /* gone: reuse the slot */
            tracked[i] = pid;
            return;
        }
    }
    if (ntracked < FA_MAX_TRACKED)
        tracked[ntracked++] = pid;
}

void fa_acks_add(fa_acks *a, const char *device, uint32_t seq, uint8_t req, uint8_t reply, int accepted,
                 int qty)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        fa_ack *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return;
        a->v = v;
        a->cap = cap;
    }
    fa_ack *k = &a->v[a->n++];
    memset(k, 0, sizeof *k);
    snprintf(k->device, sizeof k->device, "%s", device);
    k->seq = seq;
    k->req = req;
    k->reply = reply;
    k->accepted = accepted;
    k->qty = qty;
    a->sorted = 0;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    return s ? s : "";
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(it) ? it->valuedouble : 0;
}

long fa_acks_load(fa_acks *a, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    long lines = 0;
    if (a->summaries == 0)
        a->drained = 1;
    while (getline(&line, &cap, f) > 0) {
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n')
            break; /* a line still being written */
        lines++;
        cJSON *o = cJSON_Parse(line);
        if (!o)
            continue;
        if (cJSON_GetObjectItemCaseSensitive(o, "ack")) {
            fa_acks_add(a, jstr(o, "device"), (uint32_t)jnum(o, "seq"), fa_type_code(jstr(o, "req")),
                        fa_type_code(jstr(o, "reply")), (int)jnum(o, "accepted"), (int)jnum(o, "qty"));
        } else if (cJSON_GetObjectItemCaseSensitive(o, "violation")) {
            a->violations++;
        } else if (cJSON_GetObjectItemCaseSensitive(o, "error")) {
            a->errors++;
            if (strcmp(jstr(o, "error"), "STORAGE") == 0)
                a->storage_errors++;
        } else if (cJSON_GetObjectItemCaseSensitive(o, "summary")) {
            a->summaries++;
            if (!(int)jnum(o, "drained"))
                a->drained = 0;
        }
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    return lines;
}

long fa_acks_load_handheld(fa_acks *a, const char *path, const char *device)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char *line = NULL;
    size_t cap = 0;
    long lines = 0;
    uint32_t last_seq = 0;
    while (getline(&line, &cap, f) > 0) {
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n')
            break;
        lines++;
        cJSON *o = cJSON_Parse(line);
        if (!o)
            continue;
        const char *ev = jstr(o, "event");
        uint32_t seq = (uint32_t)jnum(o, "seq");
        const cJSON *acc = cJSON_GetObjectItemCaseSensitive(o, "accepted");
        int accepted = acc ? cJSON_IsTrue(acc) : 1;
        if (strcmp(ev, "result") == 0 || strcmp(ev, "pack_state") == 0) {
            if (seq)
                fa_acks_add(a, device, seq, fa_type_code(jstr(o, "request")),
                            strcmp(ev, "result") == 0 ? TOTE_WIRE_RESULT : TOTE_WIRE_PACK_STATE, accepted, 0);
            last_seq = seq;
        } else if (strcmp(ev, "task") == 0 || strcmp(ev, "no_task") == 0) {
            if (seq && seq != last_seq) /* else the second frame of the reply just logged */
                fa_acks_add(a, device, seq, TOTE_WIRE_NEXT_TASK,
                            strcmp(ev, "task") == 0 ? TOTE_WIRE_TASK : TOTE_WIRE_NO_TASK, 1, 0);
            last_seq = seq;
        } else if (strcmp(ev, "error") == 0) {
            a->errors++;
            if (strcmp(jstr(o, "code"), "STORAGE") == 0)
                a->storage_errors++;
        }
        cJSON_Delete(o);
    }
    free(line);
    fclose(f);
    return lines;
}

void fa_acks_free(fa_acks *a)
{
    free(a->v);
    memset(a, 0, sizeof *a);
}

static int ack_cmp(const void *x, const void *y)
{
    const fa_ack *a = x, *b = y;
    int c = strcmp(a->device, b->device);
    if (c)
        return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void acks_sort(fa_acks *a)
{
    if (!a->sorted && a->n)
        qsort(a->v, a->n, sizeof *a->v, ack_cmp);
    a->sorted = 1;
}

int fa_acks_has(fa_acks *a, const char *device, uint32_t seq)
{
    acks_sort(a);
    fa_ack key;
    memset(&key, 0, sizeof key);
    snprintf(key.device, sizeof key.device, "%s", device);
    key.seq = seq;
    return a->n && bsearch(&key, a->v, a->n, sizeof *a->v, ack_cmp) != NULL;
}

/* ---------------- the checker ---------------- */

typedef struct chk {
    sqlite3 *db;
    FILE *report;
    long problems;
} chk;

static void problem(chk *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(chk *c, const char *fmt, ...)
{
    c->problems++;
    if (!c->report || c->problems > 50)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(c->report, "  invariant: ");
    vfprintf(c->report, fmt, ap);
    fputc('\n', c->report);
    va_end(ap);
}

/* First column of the first row as an integer; def if no row; LLONG_MIN on error. */
static long long q1(chk *c, long long def, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        problem(c, "query failed: %s: %s", sql, sqlite3_errmsg(c->db));
        return def;
    }
    long long v = def;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int table_exists(chk *c, const char *name)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static void expect_zero(chk *c, const char *what, const char *sql)
{
    long long n = q1(c, 0, sql);
    if (n != 0)
        problem(c, "%s: %lld rows", what, n);
}

/* every stored reply: a scan's is in its scan row, any other request's in
 * the request table (schema 6) */
#define STORED                                                                                               \
    "(SELECT device, seq, type FROM request UNION ALL SELECT device, device_seq AS seq, reply_type AS type " \
    "FROM scan WHERE reply IS NOT NULL)"

static void check_invariants(chk *c, int flags)
{
    sqlite3_stmt *st = NULL;
    if (flags & FA_NO_INTEGRITY) {
        /* done by the caller */
    } else if (sqlite3_prepare_v2(c->db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(st, 0);
            if (!r || strcmp(r, "ok") != 0)
                problem(c, "integrity_check: %s", r ? r : "(null)");
        }
        sqlite3_finalize(st);
    } else {
        problem(c, "integrity_check cannot run: %s", sqlite3_errmsg(c->db));
        return;
    }
    if (sqlite3_prepare_v2(c->db, "PRAGMA foreign_key_check", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            problem(c, "foreign_key_check: table %s row %lld", (const char *)sqlite3_column_text(st, 0),
                    sqlite3_column_int64(st, 1));
        sqlite3_finalize(st);
    }
    if (!table_exists(c, "order_line") || !table_exists(c, "pick_task") || !table_exists(c, "scan"))
        return; /* not initialised yet */
    expect_zero(c, "order lines over-picked (picked + short > ordered) or over-packed",
                "SELECT COUNT(*) FROM order_line WHERE picked + short > ordered OR packed > picked "
                "OR picked < 0 OR short < 0");
    expect_zero(c, "pick tasks over-done (done + short > qty)",
                "SELECT COUNT(*) FROM pick_task WHERE done + short > qty OR done < 0");
    /* grouped once, joined: no per-row subqueries (the checker runs on many copies) */
    expect_zero(c, "pick tasks whose done differs from their accepted scans (a scan applied twice or lost)",
                "SELECT COUNT(*) FROM pick_task t LEFT JOIN (SELECT pick_task_id, SUM(qty) AS q FROM scan "
                "WHERE context = 'pick' AND result = 'accepted' GROUP BY pick_task_id) s "
                "ON s.pick_task_id = t.id WHERE t.done != COALESCE(s.q, 0)");
    expect_zero(
        c, "order lines whose picked differs from their tasks' done",
        "SELECT COUNT(*) FROM order_line l LEFT JOIN (SELECT order_line_id, SUM(done) AS d FROM pick_task "
        "GROUP BY order_line_id) t ON t.order_line_id = l.id WHERE l.picked != COALESCE(t.d, 0)");
    expect_zero(
        c, "allocations whose picked differs from their tasks' done",
        "SELECT COUNT(*) FROM allocation a LEFT JOIN (SELECT allocation_id, SUM(done) AS d FROM pick_task "
        "GROUP BY allocation_id) t ON t.allocation_id = a.id WHERE a.picked != COALESCE(t.d, 0)");
    long long picked = q1(c, 0, "SELECT COALESCE(SUM(picked), 0) FROM order_line");
    long long moved = q1(c, 0, "SELECT COALESCE(-SUM(qty), 0) FROM stock_move WHERE kind = 'pick'");
    if (picked != moved)
        problem(c, "order lines say %lld units picked, the ledger's pick moves %lld", picked, moved);
    expect_zero(c, "scans recorded twice for one (device, seq)",
                "SELECT COUNT(*) FROM (SELECT 1 FROM scan GROUP BY device, device_seq HAVING COUNT(*) > 1)");
    expect_zero(c, "scans without a stored reply",
                "SELECT COUNT(*) FROM scan s WHERE s.reply IS NULL AND NOT EXISTS (SELECT 1 FROM request r "
                "WHERE r.device = s.device AND r.seq = s.device_seq)");
    expect_zero(c, "replies stored twice (scan row and request table)",
                "SELECT COUNT(*) FROM scan s JOIN request r ON r.device = s.device AND r.seq = s.device_seq "
                "WHERE s.reply IS NOT NULL");
    /* a scan's seq counts toward its device's last_seq by its scan row (the
     * station does not write device.last_seq for a scan); every other stored
     * reply must be covered by device.last_seq itself */
    expect_zero(c, "devices whose last_seq is below a stored reply",
                "SELECT COUNT(*) FROM request r JOIN device d ON d.name = r.device WHERE r.seq > d.last_seq");
}

static void check_acks(chk *c, fa_acks *a, int flags)
{
    sqlite3_stmt *req = NULL, *scan = NULL;
    if (sqlite3_prepare_v2(
            c->db,
            "SELECT type FROM request WHERE device = ?1 AND seq = ?2 UNION ALL "
            "SELECT reply_type FROM scan WHERE device = ?1 AND device_seq = ?2 AND reply IS NOT NULL",
            -1, &req, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c->db,
                           "SELECT COUNT(*), MAX(result), MAX(qty), MAX(context) FROM scan "
                           "WHERE device = ?1 AND device_seq = ?2",
                           -1, &scan, NULL) != SQLITE_OK) {
        problem(c, "cannot read requests/scans: %s", sqlite3_errmsg(c->db));
        sqlite3_finalize(req);
        return;
    }
    long missing = 0, wrong = 0;
    for (size_t i = 0; i < a->n; i++) {
        const fa_ack *k = &a->v[i];
        if (i > 0 && strcmp(k->device, a->v[i - 1].device) == 0 && k->seq == a->v[i - 1].seq)
            problem(c, "%s seq %u acknowledged twice", k->device, k->seq);
        if (k->req == TOTE_WIRE_HELLO || k->seq == 0)
            continue;
        sqlite3_reset(req);
        sqlite3_bind_text(req, 1, k->device, -1, SQLITE_STATIC);
        sqlite3_bind_int64(req, 2, k->seq);
        if (sqlite3_step(req) != SQLITE_ROW) {
            if (missing++ < 10)
                problem(c, "acknowledged %s %s seq %u has no stored reply: lost", tote_wire_type_name(k->req),
                        k->device, k->seq);
            else
                c->problems++;
            continue;
        }
        if (sqlite3_column_int(req, 0) != k->req)
            problem(c, "%s seq %u: stored as type %d, acknowledged as %s", k->device, k->seq,
                    sqlite3_column_int(req, 0), tote_wire_type_name(k->req));
        if (k->req != TOTE_WIRE_SCAN || k->reply != TOTE_WIRE_RESULT)
            continue;
        sqlite3_reset(scan);
        sqlite3_bind_text(scan, 1, k->device, -1, SQLITE_STATIC);
        sqlite3_bind_int64(scan, 2, k->seq);
        if (sqlite3_step(scan) != SQLITE_ROW)
            continue;
        long long n = sqlite3_column_int64(scan, 0);
        const char *result = (const char *)sqlite3_column_text(scan, 1);
        int qty = sqlite3_column_int(scan, 2);
        const char *context = (const char *)sqlite3_column_text(scan, 3);
        if (n != 1) {
            problem(c, "acknowledged scan %s seq %u has %lld scan rows", k->device, k->seq, n);
            continue;
        }
        int acc = result && strcmp(result, "accepted") == 0;
        if (acc != k->accepted && wrong++ < 10)
            problem(c, "scan %s seq %u: handheld was told %s, the database says %s", k->device, k->seq,
                    k->accepted ? "accepted" : "refused", result ? result : "?");
        if (acc && k->qty > 0 && context && strcmp(context, "pick") == 0 && qty != k->qty)
            problem(c, "scan %s seq %u: handheld saw %d units, the database %d", k->device, k->seq, k->qty,
                    qty);
    }
    sqlite3_finalize(req);
    sqlite3_finalize(scan);

    if (!(flags & FA_FINAL))
        return;
    /* every stored request of these devices was acknowledged */
    sqlite3_stmt *all = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT device, seq, type FROM " STORED " ORDER BY device, seq", -1, &all,
                           NULL) != SQLITE_OK)
        return;
    long ghosts = 0;
    const char *last_dev = "";
    int dev_known = 0;
    char devbuf[64] = "";
    while (sqlite3_step(all) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(all, 0);
        uint32_t seq = (uint32_t)sqlite3_column_int64(all, 1);
        if (strcmp(d, last_dev) != 0) {
            snprintf(devbuf, sizeof devbuf, "%s", d);
            last_dev = devbuf;
            /* a device this log knows about? */
            fa_ack key;
            memset(&key, 0, sizeof key);
            snprintf(key.device, sizeof key.device, "%s", d);
            size_t lo = 0, hi = a->n;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (strcmp(a->v[mid].device, key.device) < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            dev_known = lo < a->n && strcmp(a->v[lo].device, key.device) == 0;
        }
        if (!dev_known)
            continue;
        if (!fa_acks_has(a, d, seq) && ghosts++ < 10)
            problem(c, "%s seq %u (%s) was applied but the handheld never saw it acknowledged", d, seq,
                    tote_wire_type_name((uint8_t)sqlite3_column_int(all, 2)));
    }
    sqlite3_finalize(all);
}

long fa_check(const char *db_path, fa_acks *acks, int flags, FILE *report)
{
    chk c = {.report = report};
    tote_store *s = NULL;
    if (!(flags & FA_NO_STORE)) {
        char *msg = NULL;
        tote_st_err e = tote_store_open(db_path, 0, &s, &msg);
        if (e != TOTE_ST_E_OK) {
            if (report)
                fprintf(report, "  invariant: the database does not open: %s\n",
                        msg ? msg : tote_st_strerror(e));
            free(msg);
            return 1;
        }
        c.db = tote_store_db(s);
        long long bad = 0;
        if (tote_stock_check(s, &bad, report) != TOTE_ST_E_OK)
            problem(&c, "tote_stock_check failed to run");
        else if (bad != 0)
            problem(&c, "stock ledger: %lld rows do not balance", bad);
    } else if (sqlite3_open_v2(db_path, &c.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        if (report)
            fprintf(report, "  invariant: the database does not open: %s\n", sqlite3_errmsg(c.db));
        sqlite3_close(c.db);
        return 1;
    }
    check_invariants(&c, flags);
    if (acks && table_exists(&c, "request")) {
        acks_sort(acks);
        check_acks(&c, acks, flags);
    } else if (acks && acks->n > 0) {
        problem(&c, "%zu acknowledged requests, and no request table", acks->n);
    }
    if (s)
        tote_store_destroy(&s);
    else
        sqlite3_close(c.db);
    return c.problems;
}

/* ---------------- content digest ---------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

int fa_content_digest(const char *db_path, uint64_t *out)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    uint64_t h = 1469598103934665603ULL;
    sqlite3_stmt *tabs = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' "
                           "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                           -1, &tabs, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    int rc = 0;
    while (sqlite3_step(tabs) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tabs, 0);
        int norowid = sqlite3_column_int(tabs, 1);
        h = fnv(h, name, strlen(name) + 1);
        char *sql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY %s", name, norowid ? "1" : "rowid");
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
            sqlite3_free(sql);
            rc = -1;
            break;
        }
        sqlite3_free(sql);
        int ncol = sqlite3_column_count(st);
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            for (int i = 0; i < ncol; i++) {
                int t = sqlite3_column_type(st, i);
                h = fnv(h, &t, sizeof t);
                if (t == SQLITE_INTEGER) {
                    long long v = sqlite3_column_int64(st, i);
                    h = fnv(h, &v, sizeof v);
                } else if (t == SQLITE_FLOAT) {
                    double v = sqlite3_column_double(st, i);
                    h = fnv(h, &v, sizeof v);
                } else if (t != SQLITE_NULL) {
                    const void *b = sqlite3_column_blob(st, i);
                    int n = sqlite3_column_bytes(st, i);
                    h = fnv(h, &n, sizeof n);
                    if (b)
                        h = fnv(h, b, (size_t)n);
                }
            }
        }
        sqlite3_finalize(st);
        if (step != SQLITE_DONE) {
            rc = -1;
            break;
        }
    }
    sqlite3_finalize(tabs);
    sqlite3_close(db);
    if (rc == 0)
        *out = h;
    return rc;
}
