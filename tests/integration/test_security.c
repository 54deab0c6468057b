/*
 * Security, end to end against a real `tote serve` with CURVE on loopback:
 * enrolment files, the ZAP handler (unknown keys, revoked devices and
 * plain-text clients refused and logged), device ids bound to keys, role
 * checks, attribution, and key file permissions.
 */
#include <sys/stat.h>

#include "fixture_server.h"
#include "tote/console.h"
#include "tote/enrol.h"

static void warehouse(fx_station *st, char gtin_a[15], char gtin_b[15])
{
    tote_store *s = fx_store(st);
    fx_gtin("0400638133393", gtin_a);
    fx_gtin("0400638133394", gtin_b);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, gtin_a, 1200);
    long long b = fx_product(s, "SKU-B", "Red plate", 500, gtin_b, 900);
    fx_stock(s, a, "A-01", 10, 20, NULL, NULL);
    fx_stock(s, b, "B-01", 20, 20, NULL, NULL);
    const char *skus[] = {"SKU-A", "SKU-B"};
    const long long qty[] = {2, 1};
    fx_order(s, "#1001", 0, 2, skus, qty, NULL);
    fx_wave(s, 4);
    char badge[65];
    tote_operator_add(s, "Ana", "picker", "ANA", "test", badge);
    tote_operator_add(s, "Cleo", "packer", "CLEO", "test", badge);
    tote_operator_add(s, "Sam", "supervisor", "SAM", "test", badge);
    tote_store_destroy(&s);
}

/* A DEALER using the keys in an enrolment file (or fresh keys if path is NULL). */
static fx_dev *dev_with(fx_station *st, const char *path, const char *name)
{
    tote_enrolment en;
    char why[600];
    if (path) {
        if (tote_enrolment_load(path, &en, why, sizeof why) != 0) {
            fprintf(stderr, "%s\n", why);
            return NULL;
        }
    } else {
        tote_keypair station, kp;
        if (tote_security_station_key(st->db, 0, &station, NULL) != TOTE_ST_E_OK ||
            tote_keypair_new(&kp) != TOTE_ST_E_OK)
            return NULL;
        memset(&en, 0, sizeof en);
        snprintf(en.station_public_key, sizeof en.station_public_key, "%s", station.public_z85);
        snprintf(en.public_key, sizeof en.public_key, "%s", kp.public_z85);
        snprintf(en.secret_key, sizeof en.secret_key, "%s", kp.secret_z85);
    }
    fx_dev *d = calloc(1, sizeof *d);
    d->st = st;
    d->sock = zmq_socket(st->zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d->sock, ZMQ_LINGER, &linger, sizeof linger);
    snprintf(d->name, sizeof d->name, "%s", name ? name : en.device);
    if (tote_security_client_setup(d->sock, &en) != 0 || zmq_connect(d->sock, st->ep) != 0) {
        fx_dev_destroy(&d);
        return NULL;
    }
    return d;
}

/* A plain-text HELLO; 0 if it got a reply within ms. */
static int hello_answered(fx_dev *d, tote_wire_role role, int ms, tote_wire_msg *rep)
{
    tote_wire_msg m;
    fx_req(d, &m, TOTE_WIRE_HELLO);
    m.u.hello.role = (uint8_t)role;
    if (fx_send(d, &m) != 0)
        return -1;
    return fx_recv(d, rep, ms);
}

static long long refused_rows(fx_station *st, const char *subject_type)
{
    tote_store *s = fx_store(st);
    long long n = fx_q(s, "SELECT count(*) FROM event WHERE kind = 'security.refused' AND subject_type = ?1",
                       "t", subject_type);
    tote_store_destroy(&s);
    return n;
}

static void test_enrolled_handheld_works_and_file_is_private(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-ok"), 0);
    char ga[15], gb[15], path[1200];
    warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-a", "picker", path, sizeof path), 0);
    struct stat sb;
    REQUIRE_EQ(stat(path, &sb), 0);
    CHECK_EQ(sb.st_mode & 0777, 0600);
    char keyfile[1200];
    snprintf(keyfile, sizeof keyfile, "%s.keys/station.key", st.db);
    REQUIRE_EQ(stat(keyfile, &sb), 0);
    CHECK_EQ(sb.st_mode & 0777, 0600);
    REQUIRE_EQ(stat(st.db, &sb), 0);
    CHECK_EQ(sb.st_mode & 0777, 0640); /* the database: created 0640 */

    fx_dev *d = dev_with(&st, path, NULL);
    REQUIRE(d != NULL);
    CHECK_STR(d->name, "hh-a");
    tote_wire_msg rep;
    REQUIRE_EQ(hello_answered(d, TOTE_ROLE_PICKER, 5000, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    REQUIRE_EQ(fx_scan(d, "BADGE-ANA", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_TASK);

    /* the listing shows the key's fingerprint */
    char *out = NULL, fp[TOTE_FINGERPRINT_LEN + 1];
    tote_enrolment en;
    char why[600];
    REQUIRE_EQ(tote_enrolment_load(path, &en, why, sizeof why), 0);
    tote_key_fingerprint(en.public_key, fp, sizeof fp);
    CHECK_EQ(fx_cli(&st, &out, "device", "list", "--json", NULL), 0);
    CHECK_HAS(out, fp);
    free(out);

    /* an enrolment file others may read is refused by the loader */
    chmod(path, 0644);
    CHECK_EQ(tote_enrolment_load(path, &en, why, sizeof why), -1);
    CHECK_HAS(why, "chmod 600");
    tote_hh_enrolment hen;
    CHECK_EQ(tote_enrol_load(path, &hen, why, sizeof why), -1);
    CHECK_HAS(why, "chmod 600");
    chmod(path, 0600);
    REQUIRE_EQ(tote_enrol_load(path, &hen, why, sizeof why), 0);
    CHECK_STR(hen.device, "hh-a");
    CHECK_STR(hen.role, "picker");
    CHECK_STR(hen.station, st.ep);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_unknown_key_and_plain_text_are_refused(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-refuse"), 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    tote_wire_msg rep;

    /* fresh keys that nobody enrolled */
    fx_dev *stranger = dev_with(&st, NULL, "hh-stranger");
    REQUIRE(stranger != NULL);
    CHECK_EQ(hello_answered(stranger, TOTE_ROLE_PICKER, 1000, &rep), -1);
    fx_dev_destroy(&stranger);

    /* plain text against the CURVE server */
    fx_dev *plain = calloc(1, sizeof *plain);
    plain->sock = zmq_socket(st.zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(plain->sock, ZMQ_LINGER, &linger, sizeof linger);
    snprintf(plain->name, sizeof plain->name, "hh-plain");
    REQUIRE_EQ(zmq_connect(plain->sock, st.ep), 0);
    CHECK_EQ(hello_answered(plain, TOTE_ROLE_PICKER, 1000, &rep), -1);
    fx_dev_destroy(&plain);

    /* a plain-text subscriber gets no events, nor does an enrolled picker */
    void *sub = zmq_socket(st.zctx, ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    REQUIRE_EQ(zmq_connect(sub, st.pub_ep), 0);
    fx_dev *d = fx_dev_new(&st, "hh-1");
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
    CHECK_EQ(zmq_poll(&it, 1, 300), 0);
    zmq_close(sub);

    /* both refusals are on the record (the log is rate-limited, not off) */
    tt_sleep_ms(200);
    CHECK_INT(refused_rows(&st, "key"), >=, 1);
    CHECK_INT(refused_rows(&st, "peer"), >=, 1);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "unknown key (not enrolled)");
    CHECK_HAS(err, "plain-text");
    free(err);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_revoked_device_is_refused_and_cut_off(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-revoke"), 0);
    char ga[15], gb[15], path[1200];
    warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-r", "picker", path, sizeof path), 0);
    fx_dev *d = dev_with(&st, path, NULL);
    REQUIRE(d != NULL);
    tote_wire_msg rep;
    REQUIRE_EQ(hello_answered(d, TOTE_ROLE_PICKER, 5000, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    REQUIRE_EQ(fx_scan(d, "BADGE-ANA", &rep), 0);

    char *out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "device", "revoke", "hh-r", NULL), 0);
    free(out);
    /* the live session: its next request is refused, and the handheld is told */
    REQUIRE_EQ(fx_next(d, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_UNKNOWN_DEVICE);
    CHECK_HAS(rep.u.error.message, "revoked");
    fx_dev_destroy(&d);
    /* a new connection with the same keys never gets through the handshake */
    d = dev_with(&st, path, NULL);
    REQUIRE(d != NULL);
    CHECK_EQ(hello_answered(d, TOTE_ROLE_PICKER, 1000, &rep), -1);
    fx_dev_destroy(&d);
    tt_sleep_ms(100);
    tote_store *s = fx_store(&st);
    CHECK_INT(fx_q(s, "SELECT count(*) FROM event WHERE kind = 'security.refused' AND detail LIKE ?1", "t",
                   "%device revoked%"),
              >=, 1);
    tote_store_destroy(&s);
    CHECK_EQ(fx_cli(&st, &out, "device", "list", NULL), 0);
    CHECK_HAS(out, "(revoked)");
    free(out);
    fx_station_done(&st);
}

/* A PAIR socket reading the monitor events of sock (ZMQ_EVENT_ALL). */
static void *monitor_of(fx_station *st, void *sock, const char *ep)
{
    if (zmq_socket_monitor(sock, ep, ZMQ_EVENT_ALL) != 0)
        return NULL;
    void *m = zmq_socket(st->zctx, ZMQ_PAIR);
    int linger = 0;
    zmq_setsockopt(m, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(m, ep) != 0) {
        zmq_close(m);
        return NULL;
    }
    return m;
}

/* Milliseconds until the monitor reported event, or -1 if not within ms. */
static long long wait_event(void *mon, int event, int ms)
{
    long long t0 = tt_now_ms(), end = t0 + ms;
    while (tt_now_ms() < end) {
        zmq_pollitem_t it = {mon, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)(end - tt_now_ms())) <= 0)
            continue;
        zmq_msg_t f;
        zmq_msg_init(&f);
        if (zmq_msg_recv(&f, mon, 0) < 0) {
            zmq_msg_close(&f);
            return -1;
        }
        uint16_t ev = 0;
        if (zmq_msg_size(&f) >= 2)
            memcpy(&ev, zmq_msg_data(&f), 2);
        int more = zmq_msg_more(&f);
        zmq_msg_close(&f);
        while (more) {
            zmq_msg_init(&f);
            zmq_msg_recv(&f, mon, 0);
            more = zmq_msg_more(&f);
            zmq_msg_close(&f);
        }
        if (ev == event)
            return tt_now_ms() - t0;
    }
    return -1;
}

/* A SCAN of text; 0 if answered within ms. */
static int scan_answered(fx_dev *d, const char *text, int ms, tote_wire_msg *rep)
{
    tote_wire_msg m;
    fx_req(d, &m, TOTE_WIRE_SCAN);
    fx_fill_scan(&m.u.scan, "", text);
    if (fx_send(d, &m) != 0)
        return -1;
    return fx_recv(d, rep, ms);
}

static long long scans(fx_station *st)
{
    tote_store *s = fx_store(st);
    long long n = fx_q(s, "SELECT count(*) FROM scan", "");
    tote_store_destroy(&s);
    return n;
}

/* `tote device revoke` on a connected, idle handheld: the station closes its
 * TCP connection within seconds (a ROUTER cannot close one peer: the
 * station shuts the socket down), the reconnection is refused at the
 * handshake, and later requests are never answered nor applied. */
static void test_revoke_disconnects_a_live_handheld(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-cut"), 0);
    char ga[15], gb[15], path[1200];
    warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-cut", "picker", path, sizeof path), 0);
    fx_dev *d = dev_with(&st, path, NULL);
    REQUIRE(d != NULL);
    void *mon = monitor_of(&st, d->sock, "inproc://test.mon.cut");
    REQUIRE(mon != NULL);
    tote_wire_msg rep;
    REQUIRE_EQ(hello_answered(d, TOTE_ROLE_PICKER, 5000, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    REQUIRE_EQ(fx_scan(d, "BADGE-ANA", &rep), 0);
    REQUIRE_EQ(fx_next(d, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_TASK);
    long long before = scans(&st);

    char *out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "device", "revoke", "hh-cut", NULL), 0);
    CHECK_HAS(out, "closes its open connection");
    free(out);
    /* no request from the handheld: the station's periodic check cuts it */
    long long ms = wait_event(mon, ZMQ_EVENT_DISCONNECTED, 4000);
    CHECK_INT(ms, >=, 0);
    /* libzmq reconnects by itself: that handshake is refused by the ZAP handler */
    CHECK_INT(wait_event(mon, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 3000), >=, 0);
    CHECK_EQ(scan_answered(d, ga, 1500, &rep), -1); /* no acknowledgement */
    CHECK_EQ(scans(&st), before);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "closed the connection of device hh-cut from 127.0.0.1:");
    free(err);
    tote_store *s = fx_store(&st);
    CHECK_EQ(
        fx_q(s, "SELECT count(*) FROM event WHERE kind = 'security.disconnected' AND device = 'hh-cut'", ""),
        1);
    tote_store_destroy(&s);
    zmq_socket_monitor(d->sock, NULL, 0);
    zmq_close(mon);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* A revoked device that still sends: its request is answered UNKNOWN_DEVICE
 * and right after that its connection is closed. */
static void test_revoked_request_then_disconnect(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-cut2"), 0);
    char ga[15], gb[15], path[1200];
    warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-c2", "picker", path, sizeof path), 0);
    fx_dev *d = dev_with(&st, path, NULL);
    REQUIRE(d != NULL);
    void *mon = monitor_of(&st, d->sock, "inproc://test.mon.cut2");
    REQUIRE(mon != NULL);
    tote_wire_msg rep;
    REQUIRE_EQ(hello_answered(d, TOTE_ROLE_PICKER, 5000, &rep), 0);
    char *out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "device", "revoke", "hh-c2", NULL), 0);
    free(out);
    long long t0 = tt_now_ms();
    REQUIRE_EQ(fx_scan(d, "BADGE-ANA", &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_UNKNOWN_DEVICE);
    CHECK_INT(wait_event(mon, ZMQ_EVENT_DISCONNECTED, 3000), >=, 0);
    CHECK_INT(tt_now_ms() - t0, <, 2500);
    zmq_socket_monitor(d->sock, NULL, 0);
    zmq_close(mon);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* `tote device rekey`: a new keypair and enrolment file; the old key's live
 * connection is closed and the old key refused; the new key works; audited. */
static void test_rekey(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-rekey"), 0);
    char ga[15], gb[15], path[1200], path2[1200];
    warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-k", "picker", path, sizeof path), 0);
    fx_dev *d = dev_with(&st, path, NULL);
    REQUIRE(d != NULL);
    void *mon = monitor_of(&st, d->sock, "inproc://test.mon.rekey");
    REQUIRE(mon != NULL);
    tote_wire_msg rep;
    REQUIRE_EQ(hello_answered(d, TOTE_ROLE_PICKER, 5000, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    REQUIRE_EQ(fx_scan(d, "BADGE-ANA", &rep), 0);

    snprintf(path2, sizeof path2, "%s/hh-k.new.enrol", st.dir);
    char *out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "device", "rekey", "hh-k", "--endpoint", st.ep, "--events", st.pub_ep, "-o",
                    path2, NULL),
             0);
    CHECK_HAS(out, "re-keyed");
    free(out);
    struct stat sb;
    REQUIRE_EQ(stat(path2, &sb), 0);
    CHECK_EQ(sb.st_mode & 0777, 0600);
    tote_enrolment old_en, new_en;
    char why[600];
    REQUIRE_EQ(tote_enrolment_load(path, &old_en, why, sizeof why), 0);
    REQUIRE_EQ(tote_enrolment_load(path2, &new_en, why, sizeof why), 0);
    CHECK(strcmp(old_en.public_key, new_en.public_key) != 0);
    CHECK_STR(new_en.role, "picker");
    CHECK_STR(new_en.station, st.ep);

    /* the old key's open connection is closed, and it cannot come back */
    CHECK_INT(wait_event(mon, ZMQ_EVENT_DISCONNECTED, 4000), >=, 0);
    long long before = scans(&st);
    CHECK_EQ(scan_answered(d, ga, 1500, &rep), -1);
    CHECK_EQ(scans(&st), before);
    zmq_socket_monitor(d->sock, NULL, 0);
    zmq_close(mon);
    fx_dev_destroy(&d);
    d = dev_with(&st, path, NULL);
    REQUIRE(d != NULL);
    CHECK_EQ(hello_answered(d, TOTE_ROLE_PICKER, 1000, &rep), -1);
    fx_dev_destroy(&d);
    /* the new file works */
    d = dev_with(&st, path2, NULL);
    REQUIRE(d != NULL);
    REQUIRE_EQ(hello_answered(d, TOTE_ROLE_PICKER, 5000, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    REQUIRE_EQ(fx_scan(d, "BADGE-ANA", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 1);
    fx_dev_destroy(&d);

    /* audited: who, which device, old and new fingerprints */
    char fp_old[TOTE_FINGERPRINT_LEN + 1], fp_new[TOTE_FINGERPRINT_LEN + 1];
    tote_key_fingerprint(old_en.public_key, fp_old, sizeof fp_old);
    tote_key_fingerprint(new_en.public_key, fp_new, sizeof fp_new);
    char expect[128];
    snprintf(expect, sizeof expect, "cli hh-k %s %s", fp_old, fp_new);
    tote_store *s = fx_store(&st);
    CHECK_STR(fx_qs(s,
                    "SELECT actor || ' ' || subject || ' ' || json_extract(detail, '$.old_key') || ' ' || "
                    "json_extract(detail, '$.new_key') FROM event WHERE kind = 'device_rekey'",
                    ""),
              expect);
    tote_store_destroy(&s);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "closed the connection of device hh-k");
    CHECK_HAS(err, "re-keyed");
    free(err);

    /* bad input: unknown and revoked devices */
    CHECK_EQ(fx_cli(&st, &out, "device", "rekey", "nobody", "-o", path2, NULL), 2);
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "device", "revoke", "hh-k", NULL), 0);
    free(out);
    CHECK_EQ(fx_cli(&st, &out, "device", "rekey", "hh-k", NULL), 2);
    free(out);
    fx_station_done(&st);
}

/* A CURVE SUB on the events socket with the keys of an enrolment file. */
static void *sub_with(fx_station *st, const char *path)
{
    tote_enrolment en;
    char why[600];
    if (tote_enrolment_load(path, &en, why, sizeof why) != 0)
        return NULL;
    void *sub = zmq_socket(st->zctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    if (tote_security_client_setup(sub, &en) != 0 || zmq_connect(sub, st->pub_ep) != 0) {
        zmq_close(sub);
        return NULL;
    }
    return sub;
}

/* Messages that arrived on sub within ms (drained). */
static int sub_drain(void *sub, int ms)
{
    int n = 0;
    long long end = tt_now_ms() + ms;
    while (tt_now_ms() < end) {
        zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)(end - tt_now_ms())) <= 0)
            continue;
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, sub, 0) >= 0 && !zmq_msg_more(&m))
            n++;
        zmq_msg_close(&m);
    }
    return n;
}

/* A revoked console stops hearing events: a PUB socket cannot tell its
 * connections apart, so the station closes every events connection and the
 * consoles still enrolled come back by themselves. */
static void test_revoked_console_loses_events(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-console-cut"), 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    char pa[1200], pb[1200];
    REQUIRE_EQ(fx_enrol_cli(&st, "console-a", "console", pa, sizeof pa), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "console-b", "console", pb, sizeof pb), 0);
    void *a = sub_with(&st, pa), *b = sub_with(&st, pb);
    REQUIRE(a != NULL && b != NULL);
    void *mon = monitor_of(&st, a, "inproc://test.mon.console");
    REQUIRE(mon != NULL);
    tt_sleep_ms(300);
    tote_wire_msg rep;
    fx_dev *d = fx_dev_new(&st, "hh-ev1");
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    CHECK_INT(sub_drain(a, 500), >=, 1);
    CHECK_INT(sub_drain(b, 100), >=, 1);
    fx_dev_destroy(&d);

    char *out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "device", "revoke", "console-a", NULL), 0);
    free(out);
    CHECK_INT(wait_event(mon, ZMQ_EVENT_DISCONNECTED, 4000), >=, 0);
    sub_drain(a, 0);
    sub_drain(b, 0);
    tt_sleep_ms(800); /* console-b reconnects */
    /* (the first event after a PUB reconnection may pass before the new
     * subscription is seen: ZeroMQ's slow joiner; hence two devices) */
    int heard_a = 0, heard_b = 0;
    const char *late[] = {"hh-ev2", "hh-ev3"};
    for (int i = 0; i < 2; i++) {
        d = fx_dev_new(&st, late[i]);
        REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
        heard_a += sub_drain(a, 400);
        heard_b += sub_drain(b, 400);
        fx_dev_destroy(&d);
    }
    CHECK_EQ(heard_a, 0);      /* the revoked console hears nothing more */
    CHECK_INT(heard_b, >=, 1); /* the enrolled one does */
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "closed the connection of device console-a from the events socket");
    free(err);
    zmq_socket_monitor(a, NULL, 0);
    zmq_close(mon);
    zmq_close(a);
    zmq_close(b);
    fx_station_done(&st);
}

static void test_device_cannot_speak_for_another(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-spoof"), 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    char pa[1200], pb[1200];
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-a", "picker", pa, sizeof pa), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "pk-b", "packer", pb, sizeof pb), 0);
    /* hh-a's keys, pk-b's name */
    fx_dev *d = dev_with(&st, pa, "pk-b");
    REQUIRE(d != NULL);
    tote_wire_msg rep;
    REQUIRE_EQ(hello_answered(d, TOTE_ROLE_PACKER, 5000, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_DENIED);
    CHECK_HAS(rep.u.error.message, "enrolled as hh-a and may not speak for pk-b");
    fx_dev_destroy(&d);
    /* its own name but another role: refused too */
    d = dev_with(&st, pa, NULL);
    REQUIRE(d != NULL);
    REQUIRE_EQ(hello_answered(d, TOTE_ROLE_PACKER, 5000, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_ERROR);
    CHECK_EQ(rep.u.error.code, TOTE_WERR_DENIED);
    CHECK_HAS(rep.u.error.message, "enrolled as a picker");
    tote_store *s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT role FROM device WHERE name = 'hh-a'", ""), "picker");
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_picker_cannot_pack_or_override(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-roles"), 0);
    char ga[15], gb[15];
    warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-p");
    tote_wire_msg rep, m;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    REQUIRE_EQ(fx_scan(d, "BADGE-ANA", &rep), 0);
    REQUIRE_EQ(rep.u.result.accepted, 1);
    REQUIRE_EQ(fx_scan_as(d, TOTE_WIRE_PACK_OPEN, "", "ORD-#1001", &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.accepted, 0);
    CHECK_EQ(rep.u.result.reason, TOTE_REASON_ROLE_DENIED);
    CHECK_HAS(rep.u.result.message, "role may not");
    fx_req(d, &m, TOTE_WIRE_OVERRIDE);
    m.u.override_.kind = TOTE_OVERRIDE_WEIGHT;
    snprintf(m.u.override_.badge, sizeof m.u.override_.badge, "SAM");
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 0);
    CHECK_EQ(rep.u.result.reason, TOTE_REASON_ROLE_DENIED);

    /* a packer device with a picker logged in cannot pack either */
    fx_dev *p = fx_dev_new(&st, "pk-1");
    REQUIRE_EQ(fx_hello(p, TOTE_ROLE_PACKER, &rep), 0);
    REQUIRE_EQ(fx_scan(p, "BADGE-ANA", &rep), 0);
    REQUIRE_EQ(fx_scan_as(p, TOTE_WIRE_PACK_OPEN, "", "ORD-#1001", &rep), 0);
    CHECK_EQ(rep.u.result.accepted, 0);
    CHECK_EQ(rep.u.result.reason, TOTE_REASON_ROLE_DENIED);
    /* every refusal is on the record with the operator */
    tote_store *s = fx_store(&st);
    CHECK_INT(fx_q(s,
                   "SELECT count(*) FROM scan WHERE result = 'refused' AND reason = 'ROLE_DENIED' "
                   "AND operator = 'Ana'",
                   ""),
              >=, 2);
    tote_store_destroy(&s);
    fx_dev_destroy(&p);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

/* Two real tote-handhelds (sim scanners) enrolled with files: everything they
 * did is attributed to the operator who badged in. */
static void test_end_to_end_run_is_attributed(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-e2e"), 0);
    char ga[15], gb[15], pp[1200], pk[1200];
    warehouse(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-ana", "picker", pp, sizeof pp), 0);
    REQUIRE_EQ(fx_enrol_cli(&st, "pk-cleo", "packer", pk, sizeof pk), 0);
    static char hh[4096];
    snprintf(hh, sizeof hh, "%s", tt_bin("tote-handheld"));
    const struct {
        const char *file, *badge, *outbox;
    } runs[] = {{pp, "BADGE-ANA", "hh-ana.outbox"}, {pk, "BADGE-CLEO", "pk-cleo.outbox"}};
    for (size_t i = 0; i < 2; i++) {
        char ob[1200];
        snprintf(ob, sizeof ob, "%s/%s", st.dir, runs[i].outbox);
        const char *argv[] = {hh,        "--enrol",     runs[i].file, "--scanner", "sim",
                              "--badge", runs[i].badge, "--outbox",   ob,          "--exit-when-idle",
                              "2",       "--json",      NULL};
        char *out = NULL, *err = NULL;
        int rc = tt_run(argv, NULL, NULL, 30000, &out, &err);
        CHECK_EQ(rc, 0);
        if (rc != 0)
            fprintf(stderr, "%s\n%s\n", out ? out : "", err ? err : "");
        free(out);
        free(err);
    }
    tote_store *s = fx_store(&st);
    CHECK_EQ(
        fx_q(s, "SELECT count(*) FROM orders WHERE name = '#1001' AND status IN ('packed', 'shipped')", ""),
        1);
    CHECK_INT(fx_q(s, "SELECT count(*) FROM scan", ""), >, 3);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM scan WHERE operator IS NULL AND context <> 'login'", ""), 0);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM event WHERE device IS NOT NULL AND actor IS NULL", ""), 0);
    CHECK_INT(fx_q(s, "SELECT count(*) FROM scan WHERE operator = 'Ana'", ""), >, 0);
    CHECK_INT(fx_q(s, "SELECT count(*) FROM scan WHERE operator = 'Cleo'", ""), >, 0);
    tote_store_destroy(&s);
    fx_station_done(&st);
}

static void test_world_readable_key_stops_the_station(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-keymode"), 0);
    tote_keypair kp;
    REQUIRE_EQ(tote_security_station_key(st.db, 1, &kp, NULL), TOTE_ST_E_OK);
    char keyfile[1200];
    snprintf(keyfile, sizeof keyfile, "%s.keys/station.key", st.db);
    REQUIRE_EQ(chmod(keyfile, 0644), 0);
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[] = {
        bin, "--db", st.db, "serve", "--listen", "tcp://127.0.0.1:0", "--events", "tcp://127.0.0.1:0", NULL};
    char *out = NULL, *err = NULL;
    CHECK_EQ(tt_run(argv, NULL, NULL, 10000, &out, &err), 1);
    CHECK_HAS(err, "may be read by other users");
    CHECK(err && strchr(err, '\n') == strrchr(err, '\n'));
    free(out);
    free(err);
    /* the key is left alone; a private one is accepted again */
    char *why = NULL;
    CHECK_EQ(tote_security_station_key(st.db, 1, &kp, &why), TOTE_ST_E_DENIED);
    free(why);
    REQUIRE_EQ(chmod(keyfile, 0600), 0);
    CHECK_EQ(tote_security_station_key(st.db, 0, &kp, NULL), TOTE_ST_E_OK);
    fx_station_done(&st);
}

static void test_insecure_is_explicit_and_logged(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-insecure"), 0);
    st.insecure = 1;
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-dev");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "WARNING: --insecure");
    free(err);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM event WHERE kind = 'security.insecure'", ""), 1);
    tote_store_destroy(&s);
    /* the handheld will not run plain text unless told */
    static char hh[4096];
    snprintf(hh, sizeof hh, "%s", tt_bin("tote-handheld"));
    const char *argv[] = {hh, "--station", st.ep, "--id", "hh-x", "--role", "picker", NULL};
    char *out = NULL;
    err = NULL;
    CHECK_EQ(tt_run(argv, NULL, "", 5000, &out, &err), 2);
    CHECK_HAS(err, "--enrol FILE");
    free(out);
    free(err);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static int console_events;
static void on_console_event(void *ud, const char *topic, const char *json)
{
    (void)ud;
    (void)json;
    if (strcmp(topic, "device") == 0)
        console_events++;
}

/* tote console's client with an enrolment file: online over CURVE; with the
 * keys of a picker it is refused on the events socket. */
static void test_console_enrolled(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-console"), 0);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    char path[1200];
    REQUIRE_EQ(fx_enrol_cli(&st, "console-1", "console", path, sizeof path), 0);
    tote_enrolment en;
    char why[600];
    REQUIRE_EQ(tote_enrolment_load(path, &en, why, sizeof why), 0);
    tote_console_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.on_event = on_console_event;
    tote_console_client_opts o = {en.station, en.events, en.device, 800, 200, &en};
    tote_console_client *c = tote_console_client_new(&o, &cb);
    REQUIRE(c != NULL);
    for (int i = 0; i < 40 && !tote_console_client_online(c); i++)
        tote_console_client_step(c, 100, -1);
    CHECK_EQ(tote_console_client_online(c), 1);
    /* events arrive over the CURVE PUB socket */
    tt_sleep_ms(200);
    fx_dev *d = fx_dev_new(&st, "hh-ev");
    tote_wire_msg rep;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    for (int i = 0; i < 30 && !console_events; i++)
        tote_console_client_step(c, 100, -1);
    CHECK_INT(console_events, >=, 1);
    fx_dev_destroy(&d);
    tote_console_client_destroy(&c);
    /* the CLI wants --enrol or --insecure */
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[] = {bin, "console", "--station", st.ep, NULL};
    char *out = NULL, *err = NULL;
    CHECK_EQ(tt_run(argv, NULL, "", 5000, &out, &err), 2);
    CHECK_HAS(err, "--enrol FILE");
    free(out);
    free(err);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_console_enrolled), TT_TEST(test_enrolled_handheld_works_and_file_is_private),
        TT_TEST(test_unknown_key_and_plain_text_are_refused),
        TT_TEST(test_revoked_device_is_refused_and_cut_off), TT_TEST(test_revoke_disconnects_a_live_handheld),
        TT_TEST(test_revoked_request_then_disconnect), TT_TEST(test_rekey),
        TT_TEST(test_revoked_console_loses_events), TT_TEST(test_device_cannot_speak_for_another),
        TT_TEST(test_picker_cannot_pack_or_override), TT_TEST(test_end_to_end_run_is_attributed),
        TT_TEST(test_world_readable_key_stops_the_station), TT_TEST(test_insecure_is_explicit_and_logged))
