/*
 * Durability: several handhelds scan as fast as they are answered; the
 * station is killed with SIGKILL in the middle of the burst and restarted.
 * Every scan a handheld saw acknowledged must be in the database exactly
 * once, the stock ledger must balance, picked units must equal accepted
 * scans, and a resend of an acknowledged scan gets the identical reply.
 */
#include <pthread.h>

#include "fixture_server.h"

#define CLIENTS 4
#define MAX_ACKS 100000

static char gtin_a[15];

struct client {
    fx_station *st;
    fx_dev *d;
    uint32_t *acked;
    int n_acked;
    uint32_t last_seq;
    uint8_t last_reply[TOTE_WIRE_MAX_FRAME];
    size_t last_reply_len;
    uint32_t last_reply_seq;
    volatile int stop;
};

static void *scan_loop(void *arg)
{
    struct client *c = arg;
    tote_wire_msg *m = malloc(sizeof *m), *rep = malloc(sizeof *rep);
    while (!c->stop && c->n_acked < MAX_ACKS) {
        fx_req(c->d, m, TOTE_WIRE_SCAN);
        fx_fill_scan(&m->u.scan, "", gtin_a);
        if (fx_send(c->d, m) != 0)
            break;
        c->last_seq = m->seq;
        if (fx_recv(c->d, rep, 700) != 0)
            break; /* the station is gone */
        if (rep->type == TOTE_WIRE_RESULT && rep->u.result.accepted && rep->seq == m->seq) {
            c->acked[c->n_acked++] = m->seq;
            memcpy(c->last_reply, c->d->last_raw, c->d->last_len);
            c->last_reply_len = c->d->last_len;
            c->last_reply_seq = m->seq;
        }
    }
    free(m);
    free(rep);
    return NULL;
}

static void test_kill9_during_a_burst(void)
{
    fx_station st;
    fx_station_init(&st, "crash");
    tote_store *s = fx_store(&st);
    tote_store_setting_set(s, "require_login", "0");
    fx_gtin("0871234700001", gtin_a);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, gtin_a, 1200);
    fx_stock(s, a, "A-01", 10, 100000, NULL, NULL);
    for (int i = 0; i < CLIENTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "#C%d", i);
        fx_order(s, name, 0, 1, (const char *[]){"SKU-A"}, (const long long[]){20000}, NULL);
    }
    REQUIRE(fx_wave(s, 1) > 0); /* one list per order: one per handheld */
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);

    struct client cl[CLIENTS];
    pthread_t th[CLIENTS];
    memset(cl, 0, sizeof cl);
    for (int i = 0; i < CLIENTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "hh-%d", i);
        cl[i].st = &st;
        cl[i].d = fx_dev_new(&st, name);
        cl[i].acked = calloc(MAX_ACKS, sizeof(uint32_t));
        tote_wire_msg rep;
        REQUIRE_EQ(fx_hello(cl[i].d, TOTE_ROLE_PICKER, &rep), 0);
        REQUIRE_EQ(fx_next(cl[i].d, &rep), 0);
        REQUIRE_EQ(rep.type, TOTE_WIRE_TASK);
    }
    for (int i = 0; i < CLIENTS; i++)
        pthread_create(&th[i], NULL, scan_loop, &cl[i]);
    tt_sleep_ms(tt_ms(400)); /* scaled: as many scans under valgrind */
    fx_station_kill9(&st);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(th[i], NULL);
    int total_acked = 0;
    for (int i = 0; i < CLIENTS; i++)
        total_acked += cl[i].n_acked;
    fprintf(stderr, "acknowledged before the kill: %d scans\n", total_acked);
    CHECK_INT(total_acked, >, 50);

    /* restart on the same database and ports */
    REQUIRE_EQ(fx_station_start(&st, NULL, 1), 0);
    /* a resend of the last acknowledged scan gets the identical stored reply */
    fx_dev *again = fx_dev_new(&st, cl[0].d->name);
    tote_wire_msg m, rep;
    tote_wire_init(&m, TOTE_WIRE_SCAN, again->name, cl[0].last_reply_seq);
    fx_fill_scan(&m.u.scan, "", gtin_a);
    REQUIRE_EQ(fx_call(again, &m, &rep), 0);
    CHECK_MEM(again->last_raw, again->last_len, cl[0].last_reply, cl[0].last_reply_len);
    fx_dev_destroy(&again);
    fx_station_stop(&st);

    s = fx_store(&st);
    long long accepted_total = 0;
    for (int i = 0; i < CLIENTS; i++) {
        const char *name = cl[i].d->name;
        int missing = 0;
        for (int k = 0; k < cl[i].n_acked; k++)
            if (fx_q(
                    s,
                    "SELECT COUNT(*) FROM scan WHERE device = ?1 AND device_seq = ?2 AND result = 'accepted'",
                    "ti", name, (long long)cl[i].acked[k]) != 1)
                missing++;
        CHECK_EQ(missing, 0);
        long long in_db =
            fx_q(s, "SELECT COUNT(*) FROM scan WHERE device = ?1 AND result = 'accepted'", "t", name);
        /* at most the one in flight when the station died is there unacknowledged */
        CHECK_INT(in_db, >=, cl[i].n_acked);
        CHECK_INT(in_db, <=, cl[i].n_acked + 1);
        accepted_total += in_db;
    }
    CHECK_EQ(fx_q(s, "SELECT SUM(picked) FROM order_line", NULL), accepted_total);
    CHECK_EQ(fx_q(s, "SELECT -SUM(qty) FROM stock_move WHERE kind = 'pick'", NULL), accepted_total);
    /* each scan's reply is stored once, in its scan row */
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE reply_type = 4 AND reply IS NOT NULL", NULL),
             accepted_total);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM request WHERE type = 4", NULL), 0);
    CHECK_EQ(fx_ledger_bad(s), 0);
    tote_store_destroy(&s);
    for (int i = 0; i < CLIENTS; i++) {
        fx_dev_destroy(&cl[i].d);
        free(cl[i].acked);
    }
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_kill9_during_a_burst))
