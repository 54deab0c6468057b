/*
 * The console's station connection (tote_console_client, console_net.c)
 * against the real `tote serve`: over CurveZMQ with an enrolled console's
 * keys, hello as a console, snapshots answered in order, typed errors
 * passed on, live events, the station going away (reported once, requests
 * kept) and coming back (reconnected by itself); a console without keys,
 * with someone else's, or revoked is never let in; plain text against a
 * station run with --insecure; bad endpoints.
 */
#include <time.h>

#include "test_report_flow.h"
#include "tote/console.h"
#include "tote/security.h"

/* stations still running when a test gives up are stopped at exit, so no
   process is left holding ctest's output */
static fx_station *live[4];

static void stop_all(void)
{
    for (int i = 0; i < 4; i++)
        if (live[i])
            fx_station_done(live[i]);
}

static int start(fx_station *st, const char *prefix, int insecure)
{
    static int registered;
    if (!registered) {
        atexit(stop_all);
        registered = 1;
    }
    for (int i = 0; i < 4; i++)
        if (!live[i]) {
            live[i] = st;
            break;
        }
    if (fx_station_init(st, prefix) != 0)
        return -1;
    st->insecure = insecure;
    return 0;
}

static void done(fx_station *st)
{
    for (int i = 0; i < 4; i++)
        if (live[i] == st)
            live[i] = NULL;
    fx_station_done(st);
}

/* Enrols console `name` as `tote device add NAME --role console` does. */
static int enrol_console(fx_station *st, const char *name, tote_enrolment *en)
{
    tote_store *s = fx_store(st);
    if (!s)
        return -1;
    char *msg = NULL;
    tote_st_err e = tote_device_add(s, name, "console", NULL, NULL, "test");
    if (e == TOTE_ST_E_OK)
        e = tote_security_enrol_device(s, st->db, name, "console", st->ep, st->pub_ep, en, &msg);
    if (e != TOTE_ST_E_OK)
        fprintf(stderr, "enrol %s: %s\n", name, msg ? msg : tote_st_strerror(e));
    free(msg);
    tote_store_destroy(&s);
    return e == TOTE_ST_E_OK ? 0 : -1;
}

struct rec {
    int states[16];
    int nstates;
    long long since[16];
    char what[16][32];
    char arg[16][64];
    int ok[16];
    char text[16][256];
    int nreplies;
    int events, scan_events;
    char last_event[512];
};

static void on_reply(void *ud, const char *what, const char *arg, int ok, const char *text)
{
    struct rec *r = ud;
    if (r->nreplies == 16)
        return;
    snprintf(r->what[r->nreplies], sizeof r->what[0], "%s", what);
    snprintf(r->arg[r->nreplies], sizeof r->arg[0], "%s", arg);
    r->ok[r->nreplies] = ok;
    snprintf(r->text[r->nreplies], sizeof r->text[0], "%.255s", text);
    r->nreplies++;
}

static void on_event(void *ud, const char *topic, const char *json)
{
    struct rec *r = ud;
    r->events++;
    if (strcmp(topic, "scan") == 0)
        r->scan_events++;
    snprintf(r->last_event, sizeof r->last_event, "%s %.400s", topic, json);
}

static void on_state(void *ud, int online, long long since)
{
    struct rec *r = ud;
    if (r->nstates < 16) {
        r->since[r->nstates] = since;
        r->states[r->nstates++] = online;
    }
}

/* Steps the client until cond holds or ms pass (scaled by tt_slow()); 1 if it held. */
#define STEP_UNTIL(c, cond, ms)                      \
    ({                                               \
        long long tt_end_ = tt_now_ms() + tt_ms(ms); \
        while (!(cond) && tt_now_ms() < tt_end_)     \
            tote_console_client_step((c), 50, -1);   \
        (cond) ? 1 : 0;                              \
    })

static void small_warehouse(fx_station *st)
{
    tote_store *s = fx_store(st);
    tote_store_setting_set(s, "require_login", "0");
    char g[15];
    fx_gtin("0400638133393", g);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, g, 1200);
    fx_stock(s, a, "A-01", 10, 20, NULL, NULL);
    const char *skus[] = {"SKU-A"};
    const long long qty[] = {2};
    fx_order(s, "#1001", 0, 1, skus, qty, NULL);
    fx_wave(s, 4);
    tote_store_destroy(&s);
}

static tote_console_client *client(fx_station *st, const char *id, const tote_enrolment *en, struct rec *r)
{
    tote_console_callbacks cb = {on_reply, on_event, on_state, r};
    tote_console_client_opts o = {st->ep, st->pub_ep, id, tt_ms(800), tt_ms(200), en};
    return tote_console_client_new(&o, &cb);
}

static void test_snapshots_events_and_a_restart(void)
{
    static fx_station st;
    REQUIRE_EQ(start(&st, "console-client", 0), 0);
    small_warehouse(&st);
    tote_enrolment en;
    REQUIRE_EQ(enrol_console(&st, "console-a", &en), 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    struct rec r;
    memset(&r, 0, sizeof r);
    tote_console_client *c = client(&st, "console-a", &en, &r);
    REQUIRE(c != NULL);
    REQUIRE(STEP_UNTIL(c, r.nstates >= 1, 5000));
    CHECK_EQ(r.states[0], 1);
    CHECK(tote_console_client_online(c));

    /* one at a time, in order; an identical request waiting is not queued twice */
    tote_console_client_request(c, "overview", "");
    tote_console_client_request(c, "order", "#1001");
    tote_console_client_request(c, "order", "#1001");
    tote_console_client_request(c, "order", "#nope");
    tote_console_client_request(c, "weather", "x");
    CHECK_EQ(tote_console_client_pending(c), 4);
    REQUIRE(STEP_UNTIL(c, r.nreplies >= 4, 5000));
    CHECK_EQ(tote_console_client_pending(c), 0);
    CHECK_STR(r.what[0], "overview");
    CHECK(r.ok[0]);
    CHECK_HAS(r.text[0], "\"kind\":\"overview\"");
    CHECK_STR(r.what[1], "order");
    CHECK_STR(r.arg[1], "#1001");
    CHECK(r.ok[1]);
    CHECK_HAS(r.text[1], "\"name\":\"#1001\"");
    CHECK_STR(r.arg[2], "#nope");
    CHECK(!r.ok[2]);
    CHECK_HAS(r.text[2], "no such order");
    CHECK_STR(r.what[3], "weather");
    CHECK(!r.ok[3]);
    CHECK_HAS(r.text[3], "unknown snapshot kind");

    /* live events: a handheld scans */
    tt_sleep_ms(tt_ms(200)); /* the SUB has joined */
    fx_dev *h = rf_device(&st, "hh-1", TOTE_ROLE_PICKER, NULL);
    tote_wire_msg t;
    REQUIRE_EQ(rf_next_pick(h, &t), 0);
    rf_scan(h, "NOPE", 0);
    REQUIRE(STEP_UNTIL(c, r.scan_events >= 1, 3000));
    CHECK_HAS(r.last_event, "\"accepted\":false");

    /* the station goes away: reported once, the request kept */
    long long before = (long long)time(NULL);
    fx_station_stop(&st);
    tote_console_client_request(c, "overview", "");
    REQUIRE(STEP_UNTIL(c, r.nstates >= 2, 5000));
    CHECK_EQ(r.states[1], 0);
    CHECK(r.since[1] >= before - tt_ms(5000) / 1000 && r.since[1] <= before + 1); /* the last good reply */
    CHECK(!tote_console_client_online(c));
    CHECK_EQ(tote_console_client_pending(c), 1);
    int replies = r.nreplies;
    STEP_UNTIL(c, 0, 1000); /* still gone: no second report, no reply */
    CHECK_EQ(r.nstates, 2);
    CHECK_EQ(r.nreplies, replies);

    /* back on the same ports: reconnects by itself and answers what waited */
    REQUIRE_EQ(fx_station_start(&st, NULL, 1), 0);
    REQUIRE(STEP_UNTIL(c, r.nstates >= 3, 5000));
    CHECK_EQ(r.states[2], 1);
    REQUIRE(STEP_UNTIL(c, r.nreplies > replies, 3000));
    CHECK_STR(r.what[replies], "overview");
    CHECK(r.ok[replies]);
    /* and the SUB is back too (once ZeroMQ has reconnected it: events
       published before that are gone, which the periodic snapshot covers) */
    int scans = r.scan_events;
    for (int i = 0; i < 10 && r.scan_events == scans; i++) {
        rf_scan(h, "NOPE", 0);
        STEP_UNTIL(c, r.scan_events > scans, 500);
    }
    CHECK(r.scan_events > scans);

    fx_dev_destroy(&h);
    tote_console_client_destroy(&c);
    CHECK(c == NULL);
    tote_console_client_destroy(&c); /* NULL-safe */
    done(&st);
}

static void test_station_never_there(void)
{
    struct rec r;
    memset(&r, 0, sizeof r);
    int port = tt_free_port(), pub = tt_free_port();
    char ep[64], pep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    snprintf(pep, sizeof pep, "tcp://127.0.0.1:%d", pub);
    tote_console_callbacks cb = {on_reply, on_event, on_state, &r};
    tote_console_client_opts o = {ep, pep, "console-b", tt_ms(300), tt_ms(100), NULL};
    tote_console_client *c = tote_console_client_new(&o, &cb);
    REQUIRE(c != NULL);
    tote_console_client_request(c, "overview", "");
    REQUIRE(STEP_UNTIL(c, r.nstates >= 1, 3000));
    CHECK_EQ(r.states[0], 0);
    CHECK_EQ(r.since[0], 0); /* never had a good reply */
    STEP_UNTIL(c, 0, 800);   /* retrying quietly */
    CHECK_EQ(r.nstates, 1);
    CHECK_EQ(r.nreplies, 0);
    CHECK_EQ(tote_console_client_pending(c), 1);
    tote_console_client_destroy(&c);
}

/* Steps a client for ms and returns whether it ever came online. */
static int ever_online(tote_console_client *c, struct rec *r, int ms)
{
    STEP_UNTIL(c, 0, ms);
    for (int i = 0; i < r->nstates; i++)
        if (r->states[i])
            return 1;
    return 0;
}

static void test_consoles_let_in_or_not(void)
{
    static fx_station st;
    REQUIRE_EQ(start(&st, "console-refused", 0), 0);
    tote_enrolment good, revoked;
    REQUIRE_EQ(enrol_console(&st, "console-good", &good), 0);
    REQUIRE_EQ(enrol_console(&st, "console-x", &revoked), 0);
    tote_store *s = fx_store(&st);
    REQUIRE_EQ(tote_device_revoke(s, "console-x", "test"), TOTE_ST_E_OK);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);

    /* plain text against CURVE: never in */
    struct rec r;
    memset(&r, 0, sizeof r);
    tote_console_client *c = client(&st, "console-good", NULL, &r);
    REQUIRE(c != NULL);
    CHECK(!ever_online(c, &r, 2000));
    CHECK(r.nstates >= 1 && r.states[0] == 0);
    tote_console_client_destroy(&c);

    /* a revoked key: refused at the handshake */
    memset(&r, 0, sizeof r);
    c = client(&st, "console-x", &revoked, &r);
    REQUIRE(c != NULL);
    CHECK(!ever_online(c, &r, 2000));
    tote_console_client_destroy(&c);

    /* good keys, but speaking as another device: refused */
    memset(&r, 0, sizeof r);
    c = client(&st, "console-x", &good, &r);
    REQUIRE(c != NULL);
    CHECK(!ever_online(c, &r, 2000));
    tote_console_client_destroy(&c);

    /* the good console, as itself */
    memset(&r, 0, sizeof r);
    c = client(&st, "console-good", &good, &r);
    REQUIRE(c != NULL);
    CHECK(STEP_UNTIL(c, r.nstates >= 1 && r.states[0] == 1, 3000));
    tote_console_client_request(c, "console", "");
    CHECK(STEP_UNTIL(c, r.nreplies >= 1, 3000));
    tote_console_client_destroy(&c);
    done(&st);
}

static void test_plain_text_with_an_insecure_station(void)
{
    static fx_station st;
    REQUIRE_EQ(start(&st, "console-plain", 1), 0);
    small_warehouse(&st);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    struct rec r;
    memset(&r, 0, sizeof r);
    tote_console_client *c = client(&st, "console-plain", NULL, &r);
    REQUIRE(c != NULL);
    REQUIRE(STEP_UNTIL(c, r.nstates >= 1, 5000));
    CHECK_EQ(r.states[0], 1);
    tote_console_client_request(c, "order", "#1001");
    REQUIRE(STEP_UNTIL(c, r.nreplies >= 1, 3000));
    CHECK(r.ok[0]);
    tt_sleep_ms(tt_ms(200));
    fx_dev *h = rf_device(&st, "hh-1", TOTE_ROLE_PICKER, NULL);
    rf_scan(h, "NOPE", 0);
    CHECK(STEP_UNTIL(c, r.scan_events >= 1, 3000));
    fx_dev_destroy(&h);
    tote_console_client_destroy(&c);
    done(&st);
}

static void test_bad_endpoints(void)
{
    struct rec r;
    tote_console_callbacks cb = {on_reply, on_event, on_state, &r};
    tote_console_client_opts o = {"nonsense", "tcp://127.0.0.1:1", "console-c", 0, 0, NULL};
    CHECK(tote_console_client_new(&o, &cb) == NULL);
    o.station = "tcp://127.0.0.1:1";
    o.events = "tcp://";
    CHECK(tote_console_client_new(&o, &cb) == NULL);
    o.events = "tcp://127.0.0.1:2";
    o.device_id = "";
    CHECK(tote_console_client_new(&o, &cb) == NULL);
    CHECK(tote_console_client_new(NULL, &cb) == NULL);
}

static void test_events_endpoint(void)
{
    char b[64];
    tote_console_events_endpoint("tcp://10.0.0.5:5555", b, sizeof b);
    CHECK_STR(b, "tcp://10.0.0.5:5556");
    tote_console_events_endpoint("tcp://station.local:15555", b, sizeof b);
    CHECK_STR(b, "tcp://station.local:15556");
    tote_console_events_endpoint("ipc:///run/tote.sock", b, sizeof b);
    CHECK_STR(b, "ipc:///run/tote.sock");
    tote_console_events_endpoint("tcp://h:65535", b, sizeof b);
    CHECK_STR(b, "tcp://h:65535");
}

TT_MAIN(TT_TEST(test_snapshots_events_and_a_restart), TT_TEST(test_station_never_there),
        TT_TEST(test_consoles_let_in_or_not), TT_TEST(test_plain_text_with_an_insecure_station),
        TT_TEST(test_bad_endpoints), TT_TEST(test_events_endpoint))
