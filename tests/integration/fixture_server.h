/*
 * Test fixture for the station server: a temp database filled through the
 * store's own APIs (catalog, stock, orders, waves, devices), a real
 * `tote serve` process on free loopback ports, and simulated handhelds: real
 * DEALER sockets speaking the real wire codec. Header-only (static), included
 * by tests/integration/test_server_*.c and tests/bench/bench_server.c.
 */
#ifndef TOTE_FIXTURE_SERVER_H
#define TOTE_FIXTURE_SERVER_H

#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/checkdigit.h"
#include "tote/devices.h"
#include "tote/orders.h"
#include "tote/security.h"
#include "tote/stock.h"
#include "tote/store.h"
#include "tote/wave.h"
#include "tote/wire.h"

#define FX_FN static __attribute__((unused))

/* ---------------- the station process ---------------- */

typedef struct fx_station {
    char *dir;
    char db[1024];
    char err_path[1100];
    int port, pub_port;
    char ep[64], pub_ep[64];
    tt_proc *proc;
    void *zctx;
    int insecure; /* 1: `tote serve --insecure` and plain sockets; 0 (default): CURVE, devices enrolled */
} fx_station;

/* A temp dir and an initialised database; 0 on success. */
FX_FN int fx_station_init(fx_station *st, const char *prefix)
{
    memset(st, 0, sizeof *st);
    st->dir = tt_tmpdir(prefix);
    if (!st->dir)
        return -1;
    snprintf(st->db, sizeof st->db, "%s/tote.db", st->dir);
    snprintf(st->err_path, sizeof st->err_path, "%s/serve.err", st->dir);
    tote_store *s = NULL;
    if (tote_store_open(st->db, TOTE_STORE_CREATE, &s, NULL) != TOTE_ST_E_OK)
        return -1;
    tote_store_destroy(&s);
    st->zctx = zmq_ctx_new();
    return st->zctx ? 0 : -1;
}

FX_FN tote_store *fx_store(fx_station *st)
{
    tote_store *s = NULL;
    if (tote_store_open(st->db, 0, &s, NULL) != TOTE_ST_E_OK)
        return NULL;
    return s;
}

/* Starts `tote serve` on fresh ports (same ports again after a restart if
 * keep_ports). extra: NULL-terminated extra arguments, may be NULL. */
FX_FN int fx_station_start(fx_station *st, const char *const *extra, int keep_ports)
{
    if (!keep_ports || !st->port) {
        st->port = tt_free_port();
        st->pub_port = tt_free_port();
        while (st->pub_port == st->port)
            st->pub_port = tt_free_port();
    }
    snprintf(st->ep, sizeof st->ep, "tcp://127.0.0.1:%d", st->port);
    snprintf(st->pub_ep, sizeof st->pub_ep, "tcp://127.0.0.1:%d", st->pub_port);
    const char *argv[32];
    int n = 0;
    argv[n++] = tt_bin("tote");
    argv[n++] = "--db";
    argv[n++] = st->db;
    argv[n++] = "serve";
    argv[n++] = "--listen";
    argv[n++] = st->ep;
    argv[n++] = "--events";
    argv[n++] = st->pub_ep;
    if (st->insecure)
        argv[n++] = "--insecure";
    for (int i = 0; extra && extra[i] && n < 30; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    static char binpath[4096];
    snprintf(binpath, sizeof binpath, "%s", argv[0]);
    argv[0] = binpath;
    st->proc = tt_spawn(argv, NULL, 0, NULL, st->err_path);
    if (!st->proc)
        return -1;
    return tt_wait_port(st->port, 5000);
}

FX_FN int fx_station_stop(fx_station *st)
{
    return tt_proc_stop(&st->proc);
}

FX_FN void fx_station_kill9(fx_station *st)
{
    if (!st->proc)
        return;
    tt_proc_kill(st->proc, SIGKILL);
    tt_proc_wait(st->proc, 3000);
    tt_proc_stop(&st->proc);
}

/* The number just before what (e.g. " WAL syncs") in the stop line of the
 * station whose stderr is err_path; -1 if the line or the number is not there. */
FX_FN long long fx_stop_count(const char *err_path, const char *what)
{
    char *err = tt_read_file(err_path, NULL);
    const char *line = err ? strstr(err, "tote serve: stopped after ") : NULL;
    const char *p = line ? strstr(line, what) : NULL;
    long long n = -1;
    if (p && p > line && p[-1] >= '0' && p[-1] <= '9') {
        while (p > line && p[-1] >= '0' && p[-1] <= '9')
            p--;
        n = atoll(p);
    }
    free(err);
    return n;
}

FX_FN void fx_station_done(fx_station *st)
{
    if (st->proc)
        fx_station_stop(st);
    if (st->zctx) {
        zmq_ctx_term(st->zctx);
        st->zctx = NULL;
    }
    if (st->dir && !getenv("TOTE_KEEP_TMP"))
        tt_rmrf(st->dir);
    free(st->dir);
    st->dir = NULL;
}

/* ---------------- a simulated handheld ---------------- */

typedef struct fx_dev {
    fx_station *st;
    void *sock;
    char name[TOTE_WIRE_DEVICE_MAX + 1];
    uint32_t seq;
    uint8_t last_raw[TOTE_WIRE_MAX_FRAME];
    size_t last_len;
} fx_dev;

/*
 * Enrols device name as `tote device add` does (a fresh keypair; the row is
 * created with role if missing, else only its key changes) and makes sock a
 * CURVE client with those keys. Nothing when st->insecure. 0 or -1.
 */
FX_FN int fx_enrol_socket(fx_station *st, void *sock, const char *name, const char *role)
{
    if (st->insecure)
        return 0;
    tote_keypair station, kp;
    if (tote_security_station_key(st->db, 1, &station, NULL) != TOTE_ST_E_OK ||
        tote_keypair_new(&kp) != TOTE_ST_E_OK)
        return -1;
    tote_store *s = NULL;
    if (tote_store_open(st->db, 0, &s, NULL) != TOTE_ST_E_OK)
        return -1;
    tote_device_info info;
    tote_st_err e = tote_device_get(s, name, &info);
    if (e == TOTE_ST_E_NOT_FOUND)
        e = tote_device_add(s, name, role, NULL, NULL, "fixture");
    if (e == TOTE_ST_E_OK)
        e = tote_security_set_device_key(s, name, kp.public_z85);
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK)
        return -1;
    tote_enrolment en;
    memset(&en, 0, sizeof en);
    snprintf(en.station_public_key, sizeof en.station_public_key, "%s", station.public_z85);
    snprintf(en.public_key, sizeof en.public_key, "%s", kp.public_z85);
    snprintf(en.secret_key, sizeof en.secret_key, "%s", kp.secret_z85);
    return tote_security_client_setup(sock, &en);
}

FX_FN fx_dev *fx_dev_new(fx_station *st, const char *name)
{
    fx_dev *d = calloc(1, sizeof *d);
    d->sock = zmq_socket(st->zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d->sock, ZMQ_LINGER, &linger, sizeof linger);
    d->st = st;
    if (fx_enrol_socket(st, d->sock, name, "picker") != 0) {
        zmq_close(d->sock);
        free(d);
        return NULL;
    }
    snprintf(d->name, sizeof d->name, "%s", name);
    if (zmq_connect(d->sock, st->ep) != 0) {
        zmq_close(d->sock);
        free(d);
        return NULL;
    }
    return d;
}

FX_FN void fx_dev_destroy(fx_dev **dp)
{
    if (!dp || !*dp)
        return;
    zmq_close((*dp)->sock);
    free(*dp);
    *dp = NULL;
}

/* Sends raw bytes as one frame; -1 if the socket cannot take it within 3 s
 * (scaled by tt_slow()). A DEALER with no connected peer (a revoked key whose
 * every reconnection is refused) blocks a plain send for ever. */
FX_FN int fx_send_raw(fx_dev *d, const void *buf, size_t len)
{
    zmq_pollitem_t it = {d->sock, 0, ZMQ_POLLOUT, 0};
    if (zmq_poll(&it, 1, tt_ms(3000)) <= 0)
        return -1;
    return zmq_send(d->sock, buf, len, ZMQ_DONTWAIT) == (int)len ? 0 : -1;
}

/* Receives one frame into d->last_raw and decodes it; 0, or -1 on timeout
 * (timeout_ms scaled by tt_slow()) or undecodable reply. */
FX_FN int fx_recv(fx_dev *d, tote_wire_msg *rep, int timeout_ms)
{
    zmq_pollitem_t it = {d->sock, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, tt_ms(timeout_ms)) <= 0)
        return -1;
    int n = zmq_recv(d->sock, d->last_raw, sizeof d->last_raw, 0);
    if (n < 0)
        return -1;
    d->last_len = (size_t)n;
    if (tote_wire_decode(d->last_raw, d->last_len, rep) != TOTE_PROTO_E_OK)
        return -1;
    return 0;
}

/* Encodes and sends m as is (device and seq as set). */
FX_FN int fx_send(fx_dev *d, const tote_wire_msg *m)
{
    uint8_t buf[TOTE_WIRE_MAX_FRAME];
    size_t len = 0;
    if (tote_wire_encode(m, buf, sizeof buf, &len) != TOTE_PROTO_E_OK)
        return -1;
    return fx_send_raw(d, buf, len);
}

/* A request of type with the next seq (0 for HEARTBEAT/SNAPSHOT when unseq). */
FX_FN void fx_req(fx_dev *d, tote_wire_msg *m, tote_wire_type type)
{
    tote_wire_init(m, type, d->name, ++d->seq);
}

/* Sends m and waits for the reply. */
FX_FN int fx_call(fx_dev *d, const tote_wire_msg *m, tote_wire_msg *rep)
{
    if (fx_send(d, m) != 0)
        return -1;
    return fx_recv(d, rep, 5000);
}

FX_FN int fx_hello(fx_dev *d, tote_wire_role role, tote_wire_msg *rep)
{
    if (d->st && !d->st->insecure) { /* enrolled as "picker" by fx_dev_new: the admin sets its role */
        tote_store *s = NULL;
        if (tote_store_open(d->st->db, 0, &s, NULL) != TOTE_ST_E_OK)
            return -1;
        tote_security_set_device_role(s, d->name, tote_wire_role_name((uint8_t)role));
        tote_store_destroy(&s);
    }
    tote_wire_msg m;
    fx_req(d, &m, TOTE_WIRE_HELLO);
    m.u.hello.role = (uint8_t)role;
    snprintf(m.u.hello.sw_version, sizeof m.u.hello.sw_version, "fixture");
    return fx_call(d, &m, rep);
}

FX_FN void fx_fill_scan(tote_wire_scan *sc, const char *symbology, const char *text)
{
    snprintf(sc->symbology, sizeof sc->symbology, "%s", symbology ? symbology : "");
    size_t n = strlen(text);
    memcpy(sc->raw, text, n);
    sc->raw_len = (uint16_t)n;
}

/* A SCAN (or another scan-carrying type) of text with symbology. */
FX_FN int fx_scan_as(fx_dev *d, tote_wire_type type, const char *symbology, const char *text,
                     tote_wire_msg *rep)
{
    tote_wire_msg m;
    fx_req(d, &m, type);
    fx_fill_scan(&m.u.scan, symbology, text);
    return fx_call(d, &m, rep);
}

FX_FN int fx_scan(fx_dev *d, const char *text, tote_wire_msg *rep)
{
    return fx_scan_as(d, TOTE_WIRE_SCAN, "", text, rep);
}

FX_FN int fx_next(fx_dev *d, tote_wire_msg *rep)
{
    tote_wire_msg m;
    fx_req(d, &m, TOTE_WIRE_NEXT_TASK);
    return fx_call(d, &m, rep);
}

FX_FN int fx_short(fx_dev *d, uint32_t task, uint32_t found, const char *reason, tote_wire_msg *rep)
{
    tote_wire_msg m;
    fx_req(d, &m, TOTE_WIRE_SHORT_PICK);
    m.u.short_pick.task_id = task;
    m.u.short_pick.qty_found = found;
    snprintf(m.u.short_pick.reason, sizeof m.u.short_pick.reason, "%s", reason);
    return fx_call(d, &m, rep);
}

/* ---------------- data through the store's APIs ---------------- */

/* A GTIN-14 with a valid check digit from a 13-digit body. */
FX_FN void fx_gtin(const char *body13, char out[15])
{
    memcpy(out, body13, 13);
    out[13] = '\0';
    out[13] = (char)('0' + tote_gs1_check_digit(out, 13));
    out[14] = '\0';
}

FX_FN long long fx_product(tote_store *s, const char *sku, const char *name, long long grams,
                           const char *gtin14, long long price_cents)
{
    tote_product_in p = {.sku = sku,
                         .name = name,
                         .weight_g = grams,
                         .requires_shipping = 1,
                         .lot_tracked = 0,
                         .price_cents = price_cents,
                         .reorder_point = -1,
                         .reorder_qty = -1};
    long long id = 0;
    if (tote_product_upsert(s, &p, "fixture", NULL, &id) != TOTE_ST_E_OK)
        return -1;
    if (gtin14 && tote_barcode_set(s, gtin14, id, 1, "test") != TOTE_ST_E_OK)
        return -1;
    return id;
}

FX_FN long long fx_bin(tote_store *s, const char *code, long long walk)
{
    long long id = 0;
    if (tote_location_ensure(s, code, NULL, walk, "test", &id) != TOTE_ST_E_OK)
        return -1;
    return id;
}

FX_FN int fx_stock(tote_store *s, long long product, const char *bin, long long walk, long long qty,
                   const char *lot, const char *expiry)
{
    long long loc = fx_bin(s, bin, walk);
    if (loc < 0)
        return -1;
    return tote_stock_receive(s, product, loc, qty, lot, expiry, "fixture", "receipt") == TOTE_ST_E_OK ? 0
                                                                                                       : -1;
}

/* An order, paid, with up to 8 lines "SKU:QTY". */
FX_FN int fx_order(tote_store *s, const char *name, int priority, int nlines, const char *const *skus,
                   const long long *qtys, const long long *prices)
{
    tote_order_line_in lines[8];
    for (int i = 0; i < nlines && i < 8; i++)
        lines[i] = (tote_order_line_in){.sku = skus[i],
                                        .name = skus[i],
                                        .qty = qtys[i],
                                        .price_cents = prices ? prices[i] : 1000,
                                        .requires_shipping = 1};
    tote_order_in o = {.name = name,
                       .payment_status = "paid",
                       .currency = "EUR",
                       .ship_name = "Test Customer",
                       .ship_city = "Utrecht",
                       .ship_country = "NL",
                       .priority = priority,
                       .total_cents = -1,
                       .line_count = (size_t)nlines,
                       .lines = lines};
    char *msg = NULL;
    tote_st_err e = tote_order_upsert(s, &o, "fixture", NULL, &msg);
    if (e != TOTE_ST_E_OK)
        fprintf(stderr, "fixture order %s: %s\n", name, msg ? msg : tote_st_strerror(e));
    free(msg);
    return e == TOTE_ST_E_OK ? 0 : -1;
}

FX_FN long long fx_wave(tote_store *s, long long totes_per_list)
{
    tote_wave_opts o = {.totes_per_list = totes_per_list};
    tote_wave_result r;
    if (tote_wave_create(s, &o, "fixture", &r) != TOTE_ST_E_OK)
        return -1;
    return r.wave_id;
}

/* ---------------- reading the database back ---------------- */

/* The first column of the first row of sql (parameters: 't' text, 'i'
 * long long) as an integer; -1 if no row or on error. */
FX_FN long long fx_q(tote_store *s, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fx_q: %s: %s\n", sql, sqlite3_errmsg(tote_store_db(s)));
        return -1;
    }
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt && fmt[i]; i++) {
        if (fmt[i] == 't')
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
    }
    va_end(ap);
    long long v = -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* As fx_q for a text column, into a static buffer ("" if none). */
FX_FN const char *fx_qs(tote_store *s, const char *sql, const char *fmt, ...)
{
    static char buf[1024];
    buf[0] = '\0';
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        return buf;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt && fmt[i]; i++) {
        if (fmt[i] == 't')
            sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, i + 1, va_arg(ap, long long));
    }
    va_end(ap);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, sizeof buf, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

/* The ledger balances (tote_stock_check). */
FX_FN long long fx_ledger_bad(tote_store *s)
{
    long long bad = -1;
    if (tote_stock_check(s, &bad, stderr) != TOTE_ST_E_OK)
        return -1;
    return bad;
}

/* Runs `tote --db DB args...` (NULL-terminated), capturing stdout. */
FX_FN int fx_cli(fx_station *st, char **out, ...)
{
    const char *argv[24];
    static char binpath[4096];
    snprintf(binpath, sizeof binpath, "%s", tt_bin("tote"));
    int n = 0;
    argv[n++] = binpath;
    argv[n++] = "--db";
    argv[n++] = st->db;
    va_list ap;
    va_start(ap, out);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 23)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char *err = NULL;
    int rc = tt_run(argv, NULL, NULL, 10000, out, &err);
    if (rc != 0 && err && *err)
        fprintf(stderr, "tote %s: %s", argv[3], err);
    free(err);
    return rc;
}

/* `tote device add NAME --role ROLE --endpoint EP --events PUB -o
 * DIR/NAME.enrol`, as an admin enrols a device; the file's path into out.
 * The exit status. */
FX_FN int fx_enrol_cli(fx_station *st, const char *name, const char *role, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s.enrol", st->dir, name);
    char *text = NULL;
    int rc = fx_cli(st, &text, "device", "add", name, "--role", role, "--endpoint", st->ep, "--events",
                    st->pub_ep, "-o", out, NULL);
    free(text);
    return rc;
}

#endif
