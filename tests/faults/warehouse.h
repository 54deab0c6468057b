/*
 * A warehouse for the fault tests, built through the store's own APIs (the
 * server fixture's builders): products with GTINs, stock in a first bin and
 * some in a second (so short picks can be reallocated), paid orders, one
 * wave. Header-only (static).
 */
#ifndef TOTE_FAULTS_WAREHOUSE_H
#define TOTE_FAULTS_WAREHOUSE_H

#include <stdlib.h>

#include "faults.h"
#include "fixture_server.h"

typedef struct fa_warehouse_opts {
    int products;
    int orders;
    int max_lines;    /* 1..8 */
    int max_qty;      /* per line */
    long long stock;  /* units per product in its first bin */
    long long stock2; /* in its second bin (0: none) */
    int totes;        /* totes per pick list */
    unsigned seed;
    int require_login;
    int require_bin_scan;
    const char *order_prefix; /* "#F" */
} fa_warehouse_opts;

static __attribute__((unused)) void fa_warehouse_defaults(fa_warehouse_opts *o)
{
    memset(o, 0, sizeof *o);
    o->products = 40;
    o->orders = 200;
    o->max_lines = 4;
    o->max_qty = 3;
    o->stock = 100000;
    o->stock2 = 50;
    o->totes = 4;
    o->seed = 1;
    o->require_bin_scan = 1;
    o->order_prefix = "#F";
}

static __attribute__((unused)) unsigned fa_rand(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return (*state >> 8) & 0xffffff;
}

/* Products and stock once (first_call), then orders and one wave. Returns 0 on success. */
static __attribute__((unused)) int fa_warehouse_add(fx_station *st, const fa_warehouse_opts *o,
                                                    int first_call, int order_offset)
{
    tote_store *s = fx_store(st);
    if (!s)
        return -1;
    int rc = 0;
    if (first_call) {
        tote_store_setting_set(s, "require_login", o->require_login ? "1" : "0");
        tote_store_setting_set(s, "require_bin_scan", o->require_bin_scan ? "1" : "0");
        for (int p = 0; p < o->products && rc == 0; p++) {
            char sku[32], name[64], body[24], gtin[15], bin[24], bin2[24];
            snprintf(sku, sizeof sku, "SKU-%04d", p);
            snprintf(name, sizeof name, "Fault test item %d", p);
            snprintf(body, sizeof body, "0400638%06d", p);
            fx_gtin(body, gtin);
            long long id = fx_product(s, sku, name, 100 + p, gtin, 500 + p);
            snprintf(bin, sizeof bin, "A-%04d", p);
            snprintf(bin2, sizeof bin2, "B-%04d", p);
            if (id < 0 || fx_stock(s, id, bin, 10 + p, o->stock, NULL, NULL) != 0)
                rc = -1;
            if (rc == 0 && o->stock2 > 0 && fx_stock(s, id, bin2, 100000 + p, o->stock2, NULL, NULL) != 0)
                rc = -1;
        }
    }
    unsigned r = o->seed * 2654435761u + (unsigned)order_offset;
    for (int i = 0; i < o->orders && rc == 0; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s%06d", o->order_prefix, order_offset + i);
        int nl = 1 + (int)(fa_rand(&r) % (unsigned)o->max_lines);
        char skus[8][32];
        const char *sk[8];
        long long qty[8];
        int used[8] = {0};
        int n = 0;
        for (int l = 0; l < nl && n < 8; l++) {
            int p = (int)(fa_rand(&r) % (unsigned)o->products);
            int dup = 0;
            for (int k = 0; k < n; k++)
                dup |= used[k] == p;
            if (dup)
                continue;
            used[n] = p;
            snprintf(skus[n], sizeof skus[n], "SKU-%04d", p);
            sk[n] = skus[n];
            qty[n] = 1 + (long long)(fa_rand(&r) % (unsigned)o->max_qty);
            n++;
        }
        if (fx_order(s, name, (int)(fa_rand(&r) % 3), n, sk, qty, NULL) != 0)
            rc = -1;
    }
    if (rc == 0 && fx_wave(s, o->totes) < 0)
        rc = -1;
    tote_store_destroy(&s);
    return rc;
}

/* tt_spawn, and the child is killed when this test process exits (fa_track_pid). */
static __attribute__((unused)) tt_proc *fa_spawn(const char *const argv[], const char *const env[], int flags,
                                                 const char *out_path, const char *err_path)
{
    tt_proc *p = tt_spawn(argv, env, flags, out_path, err_path);
    if (p)
        fa_track_pid((int)tt_proc_pid(p));
    return p;
}

/* `tote --db st->db serve --insecure` on two free loopback ports (st's
 * endpoints are set), with env (may be NULL), the arguments extra (NULL-ended,
 * may be NULL; up to 14) and stderr to st->err_path; killed when this test process
 * exits. 0 once it listens, else -1. */
static __attribute__((unused)) int fa_serve_spawn_with(fx_station *st, const char *const env[],
                                                       const char *const *extra)
{
    st->port = tt_free_port();
    st->pub_port = tt_free_port();
    snprintf(st->ep, sizeof st->ep, "tcp://127.0.0.1:%d", st->port);
    snprintf(st->pub_ep, sizeof st->pub_ep, "tcp://127.0.0.1:%d", st->pub_port);
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    st->insecure = 1; /* these tests are about durability, not authentication */
    const char *argv[24] = {bin,    "--db",     st->db,     "serve",      "--listen",
                            st->ep, "--events", st->pub_ep, "--insecure", NULL};
    for (int i = 0, n = 9; extra && extra[i] && n < 23; i++)
        argv[n++] = extra[i];
    st->proc = fa_spawn(argv, env, 0, NULL, st->err_path);
    return st->proc && tt_wait_port(st->port, 5000) == 0 ? 0 : -1;
}

/* fa_serve_spawn_with and no more arguments. */
static __attribute__((unused)) int fa_serve_spawn(fx_station *st, const char *const env[])
{
    return fa_serve_spawn_with(st, env, NULL);
}

/* fx_station_start, and the station is killed when this test process exits. */
static __attribute__((unused)) int fa_station_start(fx_station *st, const char *const *extra, int keep_ports)
{
    int rc = fx_station_start(st, extra, keep_ports);
    if (st->proc)
        fa_track_pid((int)tt_proc_pid(st->proc));
    return rc;
}

/* Runs the checker on the station's database (the station is not running)
 * and prints what it finds under a heading. Returns the problem count. */
static __attribute__((unused)) long fa_check_now(fx_station *st, fa_acks *acks, int flags, const char *when)
{
    long p = fa_check(st->db, acks, flags, stderr);
    if (p != 0)
        fprintf(stderr, "faults: %ld invariant(s) broken %s\n", p, when);
    return p;
}

#endif
