/*
 * A replayed CurveZMQ session against the real station. A small TCP relay
 * between an enrolled client and `tote serve` records the client's bytes of
 * a successful handshake and its requests; the same bytes sent again on a
 * fresh connection must not get through: CURVE's cookie (encrypted with a
 * key the server makes per connection) fails, the station never sends READY
 * nor answers, nothing is applied twice, and the failed handshake is logged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture_server.h"

#define REC_CAP (256 * 1024)

typedef struct relay {
    int listen_fd, port, station_port;
    pthread_t thread;
    uint8_t *up, *down; /* client->station, station->client */
    size_t up_len, down_len;
    volatile int stop;
} relay;

static int loopback(int port, struct sockaddr_in *a)
{
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, "127.0.0.1", &a->sin_addr) == 1 ? 0 : -1;
}

static int connect_to(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || loopback(port, &a) != 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void record(uint8_t *buf, size_t *len, const uint8_t *data, size_t n)
{
    if (*len + n > REC_CAP)
        n = REC_CAP - *len;
    memcpy(buf + *len, data, n);
    *len += n;
}

/* Accepts one client, connects it to the station, and copies bytes both
 * ways (recording them) until either side closes or the test stops it. */
static void *relay_run(void *arg)
{
    relay *r = arg;
    struct pollfd lp = {r->listen_fd, POLLIN, 0};
    int c = -1;
    for (int i = 0; i < 100 && !r->stop && c < 0; i++)
        if (poll(&lp, 1, 100) > 0)
            c = accept(r->listen_fd, NULL, NULL);
    if (c < 0)
        return NULL;
    int s = connect_to(r->station_port);
    if (s < 0) {
        close(c);
        return NULL;
    }
    uint8_t buf[8192];
    while (!r->stop) {
        struct pollfd p[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
        if (poll(p, 2, 100) <= 0)
            continue;
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0 || send(s, buf, (size_t)n, MSG_NOSIGNAL) != n)
                break;
            record(r->up, &r->up_len, buf, (size_t)n);
        }
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = read(s, buf, sizeof buf);
            if (n <= 0 || send(c, buf, (size_t)n, MSG_NOSIGNAL) != n)
                break;
            record(r->down, &r->down_len, buf, (size_t)n);
        }
    }
    close(c);
    close(s);
    return NULL;
}

static int relay_start(relay *r, int station_port)
{
    memset(r, 0, sizeof *r);
    r->station_port = station_port;
    r->up = malloc(REC_CAP);
    r->down = malloc(REC_CAP);
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    r->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (!r->up || !r->down || r->listen_fd < 0 || loopback(0, &a) != 0 ||
        bind(r->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(r->listen_fd, 4) != 0 ||
        getsockname(r->listen_fd, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    r->port = ntohs(a.sin_port);
    return pthread_create(&r->thread, NULL, relay_run, r) == 0 ? 0 : -1;
}

static void relay_stop(relay *r)
{
    r->stop = 1;
    pthread_join(r->thread, NULL);
    close(r->listen_fd);
}

static int has_bytes(const uint8_t *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return 1;
    return 0;
}

#define HAS_CMD(buf, len, lit) has_bytes(buf, len, lit, sizeof lit - 1)

/* Where the first ZMTP frame after the 64-byte greeting ends (the HELLO
 * command): flags byte, then a 1-byte size, or 8 bytes with the LONG flag. */
static size_t first_command_end(const uint8_t *b, size_t n)
{
    size_t at = 64;
    if (n < at + 2)
        return 0;
    uint8_t flags = b[at++];
    uint64_t size = 0;
    if (flags & 0x02) {
        if (n < at + 8)
            return 0;
        for (int i = 0; i < 8; i++)
            size = size << 8 | b[at++];
    } else {
        size = b[at++];
    }
    return at + size <= n ? (size_t)(at + size) : 0;
}

/* Opens a fresh connection to the station, sends first, waits 300 ms for the
 * station's answer, sends second (if any), and reads what comes back for up
 * to 3 s into got. Returns 1 if the station closed the connection. */
static int replay(int port, const uint8_t *first, size_t first_len, const uint8_t *second, size_t second_len,
                  uint8_t *got, size_t cap, size_t *got_len)
{
    int fd = connect_to(port);
    if (fd < 0)
        return -1;
    int closed = 0;
    if (send(fd, first, first_len, MSG_NOSIGNAL) != (ssize_t)first_len) {
        close(fd);
        return -1;
    }
    long long second_at = tt_now_ms() + 300, end = tt_now_ms() + 3000;
    while (tt_now_ms() < end && !closed) {
        if (second && tt_now_ms() >= second_at) {
            if (send(fd, second, second_len, MSG_NOSIGNAL) != (ssize_t)second_len)
                closed = 1;
            second = NULL;
        }
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = read(fd, got + *got_len, cap - *got_len);
        if (n <= 0)
            closed = 1;
        else
            *got_len += (size_t)n;
    }
    close(fd);
    return closed;
}

static long long count(fx_station *st, const char *sql)
{
    tote_store *s = fx_store(st);
    long long n = fx_q(s, sql, "");
    tote_store_destroy(&s);
    return n;
}

static void test_replayed_session_is_refused(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-replay"), 0);
    tote_store *s = fx_store(&st);
    char badge[65];
    REQUIRE_EQ(tote_operator_add(s, "Ana", "picker", "ANA", "test", badge), TOTE_ST_E_OK);
    tote_store_destroy(&s);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/hh-r.enrol", st.dir);
    char *out = NULL;
    REQUIRE_EQ(
        fx_cli(&st, &out, "device", "add", "hh-r", "--role", "picker", "--endpoint", st.ep, "-o", path, NULL),
        0);
    free(out);
    tote_enrolment en;
    char why[600];
    REQUIRE_EQ(tote_enrolment_load(path, &en, why, sizeof why), 0);
    /* an enrolment file that cannot be written: the device is not added,
       its name stays free */
    char bad[1300];
    snprintf(bad, sizeof bad, "%s/no-such-dir/hh-x.enrol", st.dir);
    out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "device", "add", "hh-x", "--role", "picker", "-o", bad, NULL), 1);
    free(out);
    out = NULL;
    REQUIRE_EQ(fx_cli(&st, &out, "device", "list", "--json", NULL), 0);
    CHECK(out && strstr(out, "\"hh-x\"") == NULL);
    free(out);
    char good[1300];
    snprintf(good, sizeof good, "%s/hh-x.enrol", st.dir);
    out = NULL;
    CHECK_EQ(fx_cli(&st, &out, "device", "add", "hh-x", "--role", "picker", "-o", good, NULL), 0);
    free(out);

    /* the genuine session, through the relay */
    relay r;
    REQUIRE_EQ(relay_start(&r, st.port), 0);
    fx_dev *d = calloc(1, sizeof *d);
    d->st = &st;
    snprintf(d->name, sizeof d->name, "hh-r");
    d->sock = zmq_socket(st.zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d->sock, ZMQ_LINGER, &linger, sizeof linger);
    REQUIRE_EQ(tote_security_client_setup(d->sock, &en), 0);
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", r.port);
    REQUIRE_EQ(zmq_connect(d->sock, ep), 0);
    tote_wire_msg m, rep;
    fx_req(d, &m, TOTE_WIRE_HELLO);
    m.u.hello.role = TOTE_ROLE_PICKER;
    REQUIRE_EQ(fx_call(d, &m, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    REQUIRE_EQ(fx_scan(d, "BADGE-ANA", &rep), 0);
    REQUIRE_EQ(rep.u.result.accepted, 1);
    tt_sleep_ms(100);
    fx_dev_destroy(&d);
    relay_stop(&r);
    /* the recording holds a complete session: the station's READY and the
     * encrypted messages both ways (so the checks below can see them) */
    REQUIRE_INT(r.up_len, >, 64);
    CHECK(HAS_CMD(r.up, r.up_len, "\x05HELLO"));
    CHECK(HAS_CMD(r.up, r.up_len, "\x08INITIATE"));
    CHECK(HAS_CMD(r.up, r.up_len, "\x07MESSAGE"));
    CHECK(HAS_CMD(r.down, r.down_len, "\x05READY"));
    CHECK(HAS_CMD(r.down, r.down_len, "\x07MESSAGE"));
    long long scans = count(&st, "SELECT count(*) FROM scan");
    long long logins = count(&st, "SELECT count(*) FROM event WHERE kind LIKE '%login%'");
    REQUIRE_INT(scans, >=, 1);

    /* the replay, as an attacker paces it: greeting and HELLO, wait for the
     * station's WELCOME, then the rest (INITIATE and the requests) */
    size_t hello_end = first_command_end(r.up, r.up_len);
    REQUIRE_INT(hello_end, >, 64);
    uint8_t got[8192];
    size_t got_len = 0;
    int closed =
        replay(st.port, r.up, hello_end, r.up + hello_end, r.up_len - hello_end, got, sizeof got, &got_len);
    CHECK_EQ(closed, 1);                          /* the station hung up */
    CHECK(HAS_CMD(got, got_len, "\x07WELCOME"));  /* it did start a handshake */
    CHECK(!HAS_CMD(got, got_len, "\x05READY"));   /* that never completed */
    CHECK(!HAS_CMD(got, got_len, "\x07MESSAGE")); /* and nothing was answered */
    tt_sleep_ms(200);
    CHECK_EQ(count(&st, "SELECT count(*) FROM scan"), scans); /* nothing applied twice */
    CHECK_EQ(count(&st, "SELECT count(*) FROM event WHERE kind LIKE '%login%'"), logins);
    char *err = tt_read_file(st.err_path, NULL);
    CHECK_HAS(err, "handshake failed (cryptographic error: a replayed or forged handshake)");
    free(err);
    CHECK_INT(count(&st, "SELECT count(*) FROM event WHERE kind = 'security.refused' AND detail LIKE "
                         "'%replayed or forged%'"),
              >=, 1);

    /* all the bytes at once: refused too (INITIATE before WELCOME went out) */
    got_len = 0;
    closed = replay(st.port, r.up, r.up_len, NULL, 0, got, sizeof got, &got_len);
    CHECK_EQ(closed, 1);
    CHECK(!HAS_CMD(got, got_len, "\x05READY"));
    CHECK(!HAS_CMD(got, got_len, "\x07MESSAGE"));
    tt_sleep_ms(200);
    CHECK_EQ(count(&st, "SELECT count(*) FROM scan"), scans);
    free(r.up);
    free(r.down);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_replayed_session_is_refused))
