/*
 * bench_instr: instruction counts under callgrind — figures that do not
 * move with the load of a shared machine.
 *
 *  - per request in `tote serve`: the whole loop (tote_server_run: zmq
 *    receive, decode, admission, the flow, the request table, commit, reply)
 *    over a picker's requests (NEXT_TASK, bin scan, item scans), one request
 *    per transaction; and the share spent in tote_flow_apply (the domain
 *    logic) and tote_store_commit;
 *  - the limit beside them: one bare durable SQLite transaction (WAL,
 *    synchronous=FULL, one INSERT of a scan-sized row), the least any
 *    durable request can cost;
 *  - per wire round trip: encode + decode of a SCAN and of its RESULT.
 *
 *   bench_instr [--quick]
 *
 * The program runs itself (and `tote serve`) under valgrind --tool=callgrind
 * with collection switched on only around what is measured.
 */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "../integration/fixture_server.h"
#include "tote/wire.h"

#define VALGRIND "/usr/bin/valgrind"

static int inner_wire(long n)
{
    tote_wire_msg *m = calloc(1, sizeof *m), *d = calloc(1, sizeof *d);
    uint8_t buf[1024];
    size_t len = 0;
    long ok = 0;
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < n; i++) {
        tote_wire_init(m, TOTE_WIRE_SCAN, "hh-bench-01", (uint32_t)i + 1);
        memcpy(m->u.scan.raw, "04006381333931", 14);
        m->u.scan.raw_len = 14;
        snprintf(m->u.scan.symbology, sizeof m->u.scan.symbology, "]E0");
        if (tote_wire_encode(m, buf, sizeof buf, &len) == TOTE_PROTO_E_OK &&
            tote_wire_decode(buf, len, d) == TOTE_PROTO_E_OK)
            ok++;
        tote_wire_init(m, TOTE_WIRE_RESULT, "hh-bench-01", (uint32_t)i + 1);
        m->u.result.accepted = 1;
        m->u.result.feedback = TOTE_FEEDBACK_GOOD;
        snprintf(m->u.result.message, sizeof m->u.result.message, "2 of 3 SKU-0001");
        m->u.result.qty_done = 2;
        m->u.result.qty_left = 1;
        if (tote_wire_encode(m, buf, sizeof buf, &len) == TOTE_PROTO_E_OK &&
            tote_wire_decode(buf, len, d) == TOTE_PROTO_E_OK)
            ok++;
    }
    CALLGRIND_TOGGLE_COLLECT;
    free(m);
    free(d);
    return ok == 2 * n ? 0 : 1;
}

static int inner_sqlite(long n, const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return 1;
    sqlite3_exec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                 "CREATE TABLE IF NOT EXISTS scan_bare(id INTEGER PRIMARY KEY, device TEXT NOT NULL, "
                 "seq INTEGER NOT NULL, raw BLOB, result TEXT, at TEXT, UNIQUE(device, seq));",
                 NULL, NULL, NULL);
    sqlite3_stmt *begin = NULL, *ins = NULL, *commit = NULL;
    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL);
    sqlite3_prepare_v2(
        db, "INSERT INTO scan_bare(device, seq, raw, result, at) VALUES(?1, ?2, ?3, 'accepted', ?4)", -1,
        &ins, NULL);
    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
    int bad = 0;
    for (long i = 0; i < n + 10; i++) {
        if (i == 10)
            CALLGRIND_TOGGLE_COLLECT; /* after a warm-up */
        sqlite3_step(begin);
        sqlite3_reset(begin);
        sqlite3_bind_text(ins, 1, "hh-bench-01", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, i + 1);
        sqlite3_bind_blob(ins, 3, "04006381333931", 14, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, "2026-11-27T12:00:00.000Z", -1, SQLITE_STATIC);
        bad |= sqlite3_step(ins) != SQLITE_DONE;
        sqlite3_reset(ins);
        bad |= sqlite3_step(commit) != SQLITE_DONE;
        sqlite3_reset(commit);
    }
    CALLGRIND_TOGGLE_COLLECT;
    sqlite3_finalize(begin);
    sqlite3_finalize(ins);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return bad;
}

/* The "summary:" (or "totals:") Ir of a callgrind output file; -1 if none. */
static double callgrind_total(const char *path)
{
    char *text = tt_read_file(path, NULL);
    if (!text)
        return -1;
    double v = -1;
    const char *p = strstr(text, "\nsummary:");
    if (!p)
        p = strstr(text, "\ntotals:");
    if (p)
        v = atof(strchr(p, ':') + 1);
    free(text);
    return v;
}

/* Inclusive Ir of function fn in a callgrind file, via callgrind_annotate; -1 if not found. */
static double callgrind_inclusive(const char *path, const char *fn)
{
    const char *argv[] = {"/usr/bin/callgrind_annotate", "--inclusive=yes", "--threshold=100", path, NULL};
    char *out = NULL;
    if (tt_run(argv, NULL, NULL, 120000, &out, NULL) != 0 || !out) {
        free(out);
        return -1;
    }
    double v = -1;
    char pat[128];
    snprintf(pat, sizeof pat, ":%s ", fn);
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strstr(line, pat))
            continue;
        char digits[64];
        size_t k = 0;
        for (const char *c = line; *c && *c != '(' && k < sizeof digits - 1; c++)
            if (*c >= '0' && *c <= '9')
                digits[k++] = *c;
        digits[k] = '\0';
        if (k) {
            v = atof(digits);
            break;
        }
    }
    free(out);
    return v;
}

static double run_self(const char *self, const char *mode, long n, const char *arg, const char *outfile)
{
    char nbuf[32];
    snprintf(nbuf, sizeof nbuf, "%ld", n);
    char outopt[1200];
    snprintf(outopt, sizeof outopt, "--callgrind-out-file=%s", outfile);
    const char *argv[] = {VALGRIND, "--tool=callgrind", "--collect-atstart=no", outopt, self, mode, nbuf, arg,
                          NULL};
    char *err = NULL;
    int rc = tt_run(argv, NULL, NULL, 600000, NULL, &err);
    if (rc != 0)
        fprintf(stderr, "bench_instr: %s under callgrind failed (%d): %s\n", mode, rc, err ? err : "");
    free(err);
    return rc == 0 ? callgrind_total(outfile) : -1;
}

static void result(const char *id, const char *name, double value, const char *unit, const char *vs)
{
    printf("RESULT {\"id\":\"%s\",\"name\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"better\":\"lower\"", id,
           name, value, unit);
    if (vs)
        printf(",\"vs\":[%s]", vs);
    printf("}\n");
    fflush(stdout);
}

/* A small warehouse through the store's APIs. */
static int warehouse(fx_station *st)
{
    tote_store *s = fx_store(st);
    if (!s)
        return -1;
    tote_store_setting_set(s, "require_login", "0");
    tote_store_setting_set(s, "require_bin_scan", "1");
    int rc = 0;
    for (int p = 0; p < 20 && rc == 0; p++) {
        char sku[32], body[24], gtin[15], bin[16];
        snprintf(sku, sizeof sku, "SKU-%04d", p);
        snprintf(body, sizeof body, "0400638%06d", p);
        fx_gtin(body, gtin);
        snprintf(bin, sizeof bin, "A-%04d", p);
        long long id = fx_product(s, sku, sku, 100, gtin, 500);
        if (id < 0 || fx_stock(s, id, bin, 10 + p, 100000, NULL, NULL) != 0)
            rc = -1;
    }
    for (int o = 0; o < 150 && rc == 0; o++) {
        char name[32], a[32], b[32];
        snprintf(name, sizeof name, "#I%04d", o);
        snprintf(a, sizeof a, "SKU-%04d", o % 20);
        snprintf(b, sizeof b, "SKU-%04d", (o * 7 + 3) % 20);
        const char *skus[] = {a, b};
        const long long qty[] = {2, 3};
        rc = fx_order(s, name, 0, strcmp(a, b) ? 2 : 1, skus, qty, NULL);
    }
    if (rc == 0 && fx_wave(s, 4) < 0)
        rc = -1;
    tote_store_destroy(&s);
    return rc;
}

/* tote serve under callgrind, driven by one picker for `requests` requests. */
static int server_run(long requests, double *per_req, double *per_apply, double *per_commit, long *picks)
{
    fx_station st;
    if (fx_station_init(&st, "bench-instr") != 0)
        return -1;
    st.insecure = 1; /* plain text, as tote serve --insecure below */
    if (warehouse(&st) != 0)
        return -1;
    char out[1200];
    snprintf(out, sizeof out, "%s/callgrind.out", st.dir);
    st.port = tt_free_port();
    st.pub_port = tt_free_port();
    snprintf(st.ep, sizeof st.ep, "tcp://127.0.0.1:%d", st.port);
    snprintf(st.pub_ep, sizeof st.pub_ep, "tcp://127.0.0.1:%d", st.pub_port);
    char outopt[1300];
    snprintf(outopt, sizeof outopt, "--callgrind-out-file=%s", out);
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[] = {VALGRIND,
                          "--tool=callgrind",
                          "--collect-atstart=no",
                          "--toggle-collect=tote_server_run",
                          outopt,
                          bin,
                          "--db",
                          st.db,
                          "serve",
                          "--listen",
                          st.ep,
                          "--events",
                          st.pub_ep,
                          "--insecure",
                          NULL};
    st.proc = tt_spawn(argv, NULL, 0, NULL, st.err_path);
    int rc = -1;
    if (!st.proc || tt_wait_port(st.port, 60000) != 0)
        goto out;
    fx_dev *d = fx_dev_new(&st, "hh-instr");
    tote_wire_msg m, rep;
    long sent = 0;
    *picks = 0;
    if (fx_hello(d, TOTE_ROLE_PICKER, &rep) != 0)
        goto out_dev;
    sent++;
    while (sent < requests) {
        fx_req(d, &m, TOTE_WIRE_NEXT_TASK);
        if (fx_call(d, &m, &rep) != 0 || rep.type != TOTE_WIRE_TASK)
            break;
        sent++;
        char binc[TOTE_WIRE_SHORT_MAX + 8], gtin[TOTE_WIRE_SHORT_MAX + 1];
        snprintf(binc, sizeof binc, "BIN-%s", rep.u.task.bin);
        snprintf(gtin, sizeof gtin, "%s", rep.u.task.gtin);
        uint32_t left = rep.u.task.qty_total - rep.u.task.qty_done;
        if (fx_scan(d, binc, &rep) != 0)
            break;
        sent++;
        for (uint32_t k = 0; k < left && sent < requests; k++) {
            if (fx_scan(d, gtin, &rep) != 0 || !rep.u.result.accepted)
                goto out_dev;
            sent++;
            (*picks)++;
        }
    }
    if (sent >= requests)
        rc = 0;
out_dev:
    fx_dev_destroy(&d);
    /* callgrind writes its file at exit: give it time */
    tt_proc_kill(st.proc, SIGTERM);
    tt_proc_wait(st.proc, 120000);
    tt_proc_stop(&st.proc);
    if (rc == 0) {
        double total = callgrind_total(out);
        double apply = callgrind_inclusive(out, "tote_flow_apply");
        double commit = callgrind_inclusive(out, "tote_store_commit");
        *per_req = total / (double)sent;
        *per_apply = apply / (double)sent;
        *per_commit = commit / (double)sent;
        printf(
            "tote serve under callgrind: %ld requests (%ld item scans): %.0f Ir in tote_server_run, %.0f in "
            "tote_flow_apply, %.0f in tote_store_commit\n",
            sent, *picks, total, apply, commit);
        if (getenv("TOTE_KEEP_TMP"))
            printf("callgrind output kept: %s (callgrind_annotate --inclusive=yes)\n", out);
        if (total <= 0)
            rc = -1;
    }
out:
    fx_station_done(&st);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--inner-wire") == 0)
        return inner_wire(atol(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "--inner-sqlite") == 0)
        return inner_sqlite(atol(argv[2]), argv[3]);
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (access(VALGRIND, X_OK) != 0) {
        printf("valgrind is not installed: no instruction counts (./dev deps installs it)\n");
        return 0;
    }
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0)
        return 1;
    self[sl] = '\0';
    char *dir = tt_tmpdir("bench-instr");
    char out[1100], db[1100];
    snprintf(out, sizeof out, "%s/wire.out", dir);
    long nw = quick ? 500 : 20000;
    double wire = run_self(self, "--inner-wire", nw, "-", out);
    snprintf(out, sizeof out, "%s/sqlite.out", dir);
    snprintf(db, sizeof db, "%s/bare.db", dir);
    long ns = quick ? 50 : 400;
    double bare = run_self(self, "--inner-sqlite", ns, db, out);
    double per_req = 0, per_apply = 0, per_commit = 0;
    long picks = 0;
    long nr = quick ? 60 : 500;
    int srv = server_run(nr, &per_req, &per_apply, &per_commit, &picks);
    if (!getenv("TOTE_KEEP_TMP"))
        tt_rmrf(dir);
    free(dir);
    if (wire < 0 || bare < 0 || srv != 0) {
        fprintf(stderr, "bench_instr: a measurement failed\n");
        return 1;
    }
    printf("wire: %.0f Ir per round trip (SCAN + RESULT encoded and decoded, %ld times); bare SQLite: %.0f "
           "Ir per "
           "durable one-row transaction (%ld times)\n",
           wire / (double)nw, nw, bare / (double)ns, ns);
    result("instr.bare_txn", "bare durable SQLite transaction, 1 INSERT", bare / (double)ns, "Ir", NULL);
    result("instr.serve_request", "tote serve: instructions per picker request (whole loop)", per_req, "Ir",
           "\"instr.bare_txn\"");
    result("instr.flow_apply", "tote serve: of which the flow (tote_flow_apply)", per_apply, "Ir",
           "\"instr.bare_txn\"");
    result("instr.commit", "tote serve: of which the commit (tote_store_commit)", per_commit, "Ir",
           "\"instr.bare_txn\"");
    result("instr.wire_round_trip", "wire: encode + decode of SCAN and RESULT", wire / (double)nw, "Ir",
           NULL);
    return 0;
}
