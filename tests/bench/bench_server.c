/*
 * bench_server: durable scan confirmations per second of the real
 * `tote serve` (group commit) with 1, 100 and 1000 simulated handhelds
 * (DEALER sockets, each scanning as fast as it is answered), beside two
 * limits measured in the same run with the same clients:
 *   echo     a bare ZeroMQ ROUTER that sends every frame straight back;
 *   one-txn  the same station with --batch-max 1: one synchronous=FULL
 *            transaction per scan.
 * Then open-loop latency: 1000 handhelds each scanning twice a second,
 * p50/p99 from send to reply.
 *
 * With --curve, a third run: the same station with CurveZMQ on (its default;
 * every handheld enrolled with its own key), to measure what encryption and
 * authentication cost. The other runs use `tote serve --insecure`.
 *
 * With --latency, only the open loop, on a station that did nothing before
 * (no saturation runs ahead of it), and the station's stop line: its
 * latency inside the station and of each WAL sync, to tell where an
 * open-loop p99 comes from.
 *
 * With --clients N, the closed-loop runs use N handhelds only (1..1000)
 * instead of 1, 100 and 1000, and the open loops are left out: the
 * station's stop line then describes that one run (its batches, the time
 * spent applying and committing).
 *
 * Usage: bench_server [--quick] [--seconds S] [--curve] [--latency] [--clients N]
 */
#include <pthread.h>
#include <sys/resource.h>

#include "../integration/fixture_server.h"

#define MAX_CLIENTS 1000
#define THREADS 2

static char gtin_a[15];
static double seconds = 3.0;

typedef struct clients {
    void *zctx;
    void *socks[MAX_CLIENTS];
    char names[MAX_CLIENTS][16];
    uint32_t seq[MAX_CLIENTS];
    int n;
} clients;

static int encode_scan(const char *name, uint32_t seq, uint8_t *buf, size_t *len)
{
    tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_SCAN, name, seq);
    fx_fill_scan(&m.u.scan, "", gtin_a);
    return tote_wire_encode(&m, buf, TOTE_WIRE_MAX_FRAME, len) == TOTE_PROTO_E_OK ? 0 : -1;
}

static tote_enrolment *enrolled; /* --curve: one per client, NULL: plain */

/* Enrols clients [0, n) (a keypair each, the public key in the device table). */
static int enrol_all(fx_station *st, clients *c, int n)
{
    tote_keypair station;
    if (tote_security_station_key(st->db, 1, &station, NULL) != TOTE_ST_E_OK)
        return -1;
    enrolled = calloc((size_t)n, sizeof *enrolled);
    tote_store *s = fx_store(st);
    if (!enrolled || !s || tote_store_begin(s) != TOTE_ST_E_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        tote_keypair kp;
        tote_device_info info;
        if (tote_keypair_new(&kp) != TOTE_ST_E_OK)
            return -1;
        if (tote_device_get(s, c->names[i], &info) == TOTE_ST_E_NOT_FOUND &&
            tote_device_add(s, c->names[i], "picker", NULL, NULL, "bench") != TOTE_ST_E_OK)
            return -1;
        if (tote_security_set_device_key(s, c->names[i], kp.public_z85) != TOTE_ST_E_OK)
            return -1;
        snprintf(enrolled[i].station_public_key, sizeof enrolled[i].station_public_key, "%s",
                 station.public_z85);
        snprintf(enrolled[i].public_key, sizeof enrolled[i].public_key, "%s", kp.public_z85);
        snprintf(enrolled[i].secret_key, sizeof enrolled[i].secret_key, "%s", kp.secret_z85);
    }
    tote_st_err e = tote_store_commit(s);
    tote_store_destroy(&s);
    return e == TOTE_ST_E_OK ? 0 : -1;
}

static void clients_connect(clients *c, const char *ep, int n)
{
    for (int i = 0; i < n; i++) {
        c->socks[i] = zmq_socket(c->zctx, ZMQ_DEALER);
        int linger = 0;
        zmq_setsockopt(c->socks[i], ZMQ_LINGER, &linger, sizeof linger);
        if (enrolled)
            tote_security_client_setup(c->socks[i], &enrolled[i]);
        zmq_connect(c->socks[i], ep);
    }
    c->n = n;
}

static void clients_close(clients *c)
{
    for (int i = 0; i < c->n; i++)
        zmq_close(c->socks[i]);
    c->n = 0;
}

/* Sends one request of type to every client of [0, n) and waits for all replies. */
static int all_call(clients *c, int n, tote_wire_type type)
{
    uint8_t buf[TOTE_WIRE_MAX_FRAME];
    for (int i = 0; i < n; i++) {
        tote_wire_msg m;
        tote_wire_init(&m, type, c->names[i], ++c->seq[i]);
        if (type == TOTE_WIRE_HELLO)
            m.u.hello.role = TOTE_ROLE_PICKER;
        size_t len = 0;
        tote_wire_encode(&m, buf, sizeof buf, &len);
        zmq_send(c->socks[i], buf, len, 0);
    }
    int got = 0;
    for (int i = 0; i < n; i++) {
        zmq_pollitem_t it = {c->socks[i], 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 30000) > 0 && zmq_recv(c->socks[i], buf, sizeof buf, 0) > 0)
            got++;
    }
    return got == n ? 0 : -1;
}

struct run {
    clients *c;
    int n, tid;
    long long t_start, t_end; /* window, ms */
    long long count;
    long long errors;
};

static void *closed_loop(void *arg)
{
    struct run *r = arg;
    clients *c = r->c;
    int mine[MAX_CLIENTS], m = 0;
    for (int i = r->tid; i < r->n; i += THREADS)
        mine[m++] = i;
    zmq_pollitem_t *items = calloc((size_t)m, sizeof *items);
    uint8_t buf[TOTE_WIRE_MAX_FRAME];
    int outstanding = 0;
    for (int k = 0; k < m; k++) {
        int i = mine[k];
        items[k].socket = c->socks[i];
        items[k].events = ZMQ_POLLIN;
        size_t len;
        encode_scan(c->names[i], ++c->seq[i], buf, &len);
        zmq_send(c->socks[i], buf, len, 0);
        outstanding++;
    }
    long long drain_until = r->t_end + 5000;
    while (outstanding > 0 && tt_now_ms() < drain_until) {
        if (zmq_poll(items, m, 100) <= 0)
            continue;
        long long now = tt_now_ms();
        for (int k = 0; k < m; k++) {
            if (!(items[k].revents & ZMQ_POLLIN))
                continue;
            int i = mine[k];
            int n = zmq_recv(c->socks[i], buf, sizeof buf, ZMQ_DONTWAIT);
            if (n < 0)
                continue;
            outstanding--;
            tote_wire_msg *rep = NULL;
            (void)rep;
            if (buf[1] != TOTE_WIRE_RESULT && buf[1] != TOTE_WIRE_SCAN)
                r->errors++;
            if (now >= r->t_start && now < r->t_end)
                r->count++;
            if (now < r->t_end) {
                size_t len;
                encode_scan(c->names[i], ++c->seq[i], buf, &len);
                zmq_send(c->socks[i], buf, len, 0);
                outstanding++;
            }
        }
    }
    free(items);
    return NULL;
}

/* Closed loop with n clients for `seconds` after a 0.5 s warm-up: replies per second. */
static double measure(clients *c, int n, long long *errors)
{
    struct run r[THREADS];
    pthread_t th[THREADS];
    long long t0 = tt_now_ms() + 500;
    for (int t = 0; t < THREADS; t++) {
        r[t] =
            (struct run){.c = c, .n = n, .tid = t, .t_start = t0, .t_end = t0 + (long long)(seconds * 1000)};
        pthread_create(&th[t], NULL, closed_loop, &r[t]);
    }
    long long total = 0, err = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        total += r[t].count;
        err += r[t].errors;
    }
    if (errors)
        *errors = err;
    return (double)total / seconds;
}

/* ---------------- the bare echo ---------------- */

static volatile int echo_stop;

static void *echo_main(void *arg)
{
    void *router = arg;
    zmq_pollitem_t it = {router, 0, ZMQ_POLLIN, 0};
    while (!echo_stop) {
        if (zmq_poll(&it, 1, 100) <= 0)
            continue;
        for (int k = 0; k < 1024; k++) {
            zmq_msg_t id, body;
            zmq_msg_init(&id);
            if (zmq_msg_recv(&id, router, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&id);
                break;
            }
            zmq_msg_init(&body);
            zmq_msg_recv(&body, router, 0);
            zmq_msg_send(&id, router, ZMQ_SNDMORE);
            zmq_msg_send(&body, router, 0);
        }
    }
    return NULL;
}

/* ---------------- open-loop latency ---------------- */

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct open_run {
    clients *c;
    int n, tid;
    double rate, secs;
    long long *lat;
    size_t cap, k;
};

static void *open_loop_thread(void *arg)
{
    struct open_run *r = arg;
    clients *c = r->c;
    int mine[MAX_CLIENTS], m = 0;
    for (int i = r->tid; i < r->n; i += THREADS)
        mine[m++] = i;
    long long period = (long long)(1000000.0 / r->rate);
    long long *next = calloc((size_t)m, sizeof *next);
    long long *sent_at = calloc((size_t)m, sizeof *sent_at);
    zmq_pollitem_t *items = calloc((size_t)m, sizeof *items);
    long long t0 = now_us();
    for (int j = 0; j < m; j++) {
        next[j] = t0 + period * mine[j] / r->n; /* evenly spread over the period */
        items[j].socket = c->socks[mine[j]];
        items[j].events = ZMQ_POLLIN;
    }
    long long warm = t0 + 1000000, end = t0 + (long long)(r->secs * 1e6);
    uint8_t buf[TOTE_WIRE_MAX_FRAME];
    while (now_us() < end + 500000) {
        long long now = now_us();
        long long soonest = end + 500000;
        for (int j = 0; j < m; j++) {
            if (now < end && next[j] <= now) {
                int i = mine[j];
                size_t len;
                encode_scan(c->names[i], ++c->seq[i], buf, &len);
                sent_at[j] = now_us();
                zmq_send(c->socks[i], buf, len, ZMQ_DONTWAIT);
                next[j] += period;
            }
            if (next[j] < soonest)
                soonest = next[j];
        }
        long long wait_ms = (soonest - now_us() + 999) / 1000; /* round up: never spin */
        if (wait_ms < 0)
            wait_ms = 0;
        if (wait_ms > 20)
            wait_ms = 20;
        if (zmq_poll(items, m, (long)wait_ms) <= 0)
            continue;
        long long t = now_us();
        for (int j = 0; j < m; j++) {
            if (!(items[j].revents & ZMQ_POLLIN))
                continue;
            while (zmq_recv(c->socks[mine[j]], buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
                if (sent_at[j] >= warm && r->k < r->cap)
                    r->lat[r->k++] = t - sent_at[j];
        }
    }
    free(next);
    free(sent_at);
    free(items);
    return NULL;
}

/* n handhelds each scanning rate_per_client times a second, not waiting for
 * each other: latency from send to reply, after a 1 s warm-up. */
static void open_loop(clients *c, int n, double rate_per_client, double secs, double *p50, double *p99,
                      double *p999, long long *samples)
{
    struct open_run r[THREADS];
    pthread_t th[THREADS];
    size_t cap = (size_t)(n * rate_per_client * secs) + 16;
    for (int t = 0; t < THREADS; t++) {
        r[t] = (struct open_run){.c = c, .n = n, .tid = t, .rate = rate_per_client, .secs = secs, .cap = cap};
        r[t].lat = calloc(cap, sizeof(long long));
        pthread_create(&th[t], NULL, open_loop_thread, &r[t]);
    }
    long long *all = calloc(cap * THREADS, sizeof *all);
    size_t k = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        memcpy(all + k, r[t].lat, r[t].k * sizeof *all);
        k += r[t].k;
        free(r[t].lat);
    }
    qsort(all, k, sizeof *all, cmp_ll);
    *samples = (long long)k;
    *p50 = k ? all[k / 2] / 1000.0 : 0;
    *p99 = k ? all[k * 99 / 100] / 1000.0 : 0;
    *p999 = k ? all[k * 999 / 1000] / 1000.0 : 0;
    free(all);
}

/* ---------------- main ---------------- */

static int setup_db(fx_station *st, int n)
{
    tote_store *s = fx_store(st);
    tote_store_setting_set(s, "require_login", "0");
    fx_gtin("0871234800001", gtin_a);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, gtin_a, 1200);
    if (fx_stock(s, a, "A-01", 10, (long long)n * 200000, NULL, NULL) != 0)
        return -1;
    tote_store_begin(s);
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "#B%d", i);
        if (fx_order(s, name, 0, 1, (const char *[]){"SKU-A"}, (const long long[]){200000}, NULL) != 0)
            return -1;
    }
    tote_store_commit(s);
    long long w = fx_wave(s, 1);
    tote_store_destroy(&s);
    return w > 0 ? 0 : -1;
}

/* Prints the station's stop lines (its stderr). */
static void print_stop_lines(const fx_station *st)
{
    char *log = tt_read_file(st->err_path, NULL);
    for (char *line = log ? strtok(log, "\n") : NULL; line; line = strtok(NULL, "\n"))
        if (strstr(line, "stopped after"))
            printf("%s\n", line);
    free(log);
}

/* Starts tote serve (extra arguments, same ports if keep_ports) and the
 * MAX_CLIENTS handhelds against it: each says hello and leases a task. */
static int station_with_handhelds(fx_station *st, clients *c, const char *const *extra, int keep_ports)
{
    if (fx_station_start(st, extra, keep_ports) != 0) {
        fprintf(stderr, "bench_server: tote serve did not start\n");
        return -1;
    }
    clients_connect(c, st->ep, MAX_CLIENTS);
    if (all_call(c, MAX_CLIENTS, TOTE_WIRE_HELLO) != 0 ||
        all_call(c, MAX_CLIENTS, TOTE_WIRE_NEXT_TASK) != 0) {
        fprintf(stderr, "bench_server: handhelds could not start\n");
        return -1;
    }
    return 0;
}

/* --latency: the open loop alone, 100 then 1000 handhelds x 2 scans/s. */
static int latency_only(fx_station *st, clients *c)
{
    const char *none[] = {NULL};
    if (station_with_handhelds(st, c, none, 0) != 0)
        return 1;
    /* a fresh station on the same port for the measured part: its stop line
     * then counts the open loop's scans only, not the hellos and leases */
    fx_station_stop(st);
    if (fx_station_start(st, none, 1) != 0) {
        fprintf(stderr, "bench_server: tote serve did not start again\n");
        return 1;
    }
    tt_sleep_ms(500); /* the clients reconnect */
    for (int k = 0; k < 2; k++) {
        int nh = k == 0 ? 100 : MAX_CLIENTS;
        double p50 = 0, p99 = 0, p999 = 0;
        long long samples = 0;
        open_loop(c, nh, 2.0, seconds + 2.0, &p50, &p99, &p999, &samples);
        printf(
            "open loop: %4d handhelds x 2 scans/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms (%lld samples)\n",
            nh, p50, p99, p999, samples);
        const double pv[3] = {p50, p99, p999};
        const char *pn[3] = {"p50", "p99", "p99.9"};
        for (int q = 0; q < 3; q++)
            printf("RESULT {\"id\":\"server.open_loop_fresh.h%d.%s\",\"name\":\"open-loop latency %s, %d "
                   "handhelds x 2 scans/s, fresh "
                   "station\",\"value\":%.3f,\"unit\":\"ms\",\"better\":\"lower\"}\n",
                   nh, pn[q], pn[q], nh, pv[q]);
    }
    clients_close(c);
    fx_station_stop(st);
    print_stop_lines(st);
    return 0;
}

int main(int argc, char **argv)
{
    int counts[] = {1, 100, 1000};
    int ncounts = 3, curve = 0, latency = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            seconds = 1.5;
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--curve") == 0)
            curve = 1;
        else if (strcmp(argv[i], "--latency") == 0)
            latency = 1;
        else if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc) {
            counts[0] = atoi(argv[++i]);
            if (counts[0] < 1 || counts[0] > MAX_CLIENTS) {
                fprintf(stderr, "bench_server: --clients takes 1 to %d\n", MAX_CLIENTS);
                return 2;
            }
            ncounts = 1;
        }
    }
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    fx_station st;
    /* plain text like the echo beside it: the figures compare the station's
     * work, not CurveZMQ's (which every handheld uses in production) */
    int init = fx_station_init(&st, "bench-server");
    st.insecure = 1;
    if (init != 0 || setup_db(&st, MAX_CLIENTS) != 0) {
        fprintf(stderr, "bench_server: setup failed\n");
        return 1;
    }
    zmq_ctx_set(st.zctx, ZMQ_MAX_SOCKETS, 8192);
    zmq_ctx_set(st.zctx, ZMQ_IO_THREADS, 1);
    clients *c = calloc(1, sizeof *c);
    c->zctx = st.zctx;
    for (int i = 0; i < MAX_CLIENTS; i++)
        snprintf(c->names[i], sizeof c->names[i], "hh-%d", i);

    if (latency) {
        int rc = latency_only(&st, c);
        free(c);
        fx_station_done(&st);
        return rc;
    }

    double echo[3], group[3], single[3], withcurve[3] = {0, 0, 0};
    st.insecure = 1;
    long long errs = 0;

    /* 1. echo */
    void *router = zmq_socket(st.zctx, ZMQ_ROUTER);
    int port = tt_free_port();
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    int hwm = 100000;
    zmq_setsockopt(router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_bind(router, ep);
    pthread_t echo_th;
    pthread_create(&echo_th, NULL, echo_main, router);
    clients_connect(c, ep, MAX_CLIENTS);
    tt_sleep_ms(500);
    for (int k = 0; k < ncounts; k++)
        echo[k] = measure(c, counts[k], NULL);
    if (ncounts > 1) {
        /* the harness itself, open loop against the echo: the floor under the station's latency */
        double p50 = 0, p99 = 0, p999 = 0;
        long long samples = 0;
        open_loop(c, MAX_CLIENTS, 2.0, seconds + 2.0, &p50, &p99, &p999, &samples);
        printf("open loop, bare echo: %d handhelds x 2 scans/s: p50 %.2f ms, p99 %.2f ms (%lld samples)\n",
               MAX_CLIENTS, p50, p99, samples);
        /* machine-readable: the limit beside the station's open-loop latency (BENCH.md) */
        const double pv[3] = {p50, p99, p999};
        const char *pn[3] = {"p50", "p99", "p99.9"};
        for (int q = 0; q < 3; q++)
            printf("RESULT {\"id\":\"server.open_loop_echo.h%d.%s\",\"name\":\"open-loop latency %s, bare "
                   "ZeroMQ echo, %d handhelds\",\"value\":%.3f,\"unit\":\"ms\"}\n",
                   MAX_CLIENTS, pn[q], pn[q], MAX_CLIENTS, pv[q]);
    }
    clients_close(c);
    echo_stop = 1;
    pthread_join(echo_th, NULL);
    zmq_close(router);
    memset(c->seq, 0, sizeof c->seq);

    /* 2. the station with group commit, 3. one transaction per scan */
    for (int mode = 0; mode < 2 + curve; mode++) {
        const char *extra1[] = {NULL};
        const char *extra2[] = {"--batch-max", "1", NULL};
        if (mode == 2) { /* 4. group commit with CURVE (the default) */
            st.insecure = 0;
            if (enrol_all(&st, c, MAX_CLIENTS) != 0) {
                fprintf(stderr, "bench_server: cannot enrol the handhelds\n");
                return 1;
            }
        }
        if (station_with_handhelds(&st, c, mode == 1 ? extra2 : extra1, mode >= 1) != 0)
            return 1;
        for (int k = 0; k < ncounts; k++) {
            double r = measure(c, counts[k], &errs);
            if (errs)
                fprintf(stderr, "bench_server: %lld replies were not RESULT\n", errs);
            (mode == 0 ? group : mode == 1 ? single : withcurve)[k] = r;
        }
        if (mode == 0 && ncounts > 1) {
            double p50 = 0, p99 = 0, p999 = 0;
            long long samples = 0;
            for (int k = 0; k < 2; k++) {
                int nh = k == 0 ? 100 : MAX_CLIENTS;
                open_loop(c, nh, 2.0, seconds + 2.0, &p50, &p99, &p999, &samples);
                printf("open loop: %4d handhelds x 2 scans/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms (%lld "
                       "samples)\n",
                       nh, p50, p99, p999, samples);
                /* machine-readable figures for ./dev bench (BENCH.md) */
                const double pv[3] = {p50, p99, p999};
                const char *pn[3] = {"p50", "p99", "p99.9"};
                for (int q = 0; q < 3; q++)
                    printf("RESULT {\"id\":\"server.open_loop.h%d.%s\",\"name\":\"open-loop latency %s, %d "
                           "handhelds x 2 scans/s\",\"value\":%.3f,\"unit\":\"ms\",\"better\":\"lower\","
                           "\"vs\":[\"server.open_loop_echo.h%d.%s\"]}\n",
                           nh, pn[q], pn[q], nh, pv[q], MAX_CLIENTS, pn[q]);
            }
        }
        clients_close(c);
        fx_station_stop(&st);
    }

    tote_store *s = fx_store(&st);
    long long bad = fx_ledger_bad(s);
    long long scans = fx_q(s, "SELECT COUNT(*) FROM scan WHERE result = 'accepted'", NULL);
    tote_store_destroy(&s);

    printf("\ndurable confirms/s (closed loop, %.1f s each; 2 client threads; 2 cores shared)\n", seconds);
    printf("%-9s %12s %14s %14s %10s %10s\n", "clients", "echo", "tote serve", "one-txn/scan", "vs echo",
           "vs 1-txn");
    for (int k = 0; k < ncounts; k++)
        printf("%-9d %12.0f %14.0f %14.0f %9.2fx %9.1fx\n", counts[k], echo[k], group[k], single[k],
               group[k] / echo[k], single[k] > 0 ? group[k] / single[k] : 0);
    if (curve) {
        printf("\nCURVE (default, every handheld enrolled) vs --insecure, group commit:\n");
        printf("%-9s %14s %14s %10s\n", "clients", "insecure", "curve", "cost");
        for (int k = 0; k < ncounts; k++)
            printf("%-9d %14.0f %14.0f %9.1f%%\n", counts[k], group[k], withcurve[k],
                   group[k] > 0 ? 100.0 * (group[k] - withcurve[k]) / group[k] : 0);
    }
    printf("accepted scans in the database: %lld; ledger rows out of balance: %lld\n", scans, bad);
    for (int k = 0; k < ncounts; k++) {
        printf(
            "RESULT {\"id\":\"server.echo.h%d\",\"name\":\"bare ZeroMQ echo, %d handhelds\",\"value\":%.1f,"
            "\"unit\":\"/s\"}\n",
            counts[k], counts[k], echo[k]);
        printf("RESULT {\"id\":\"server.one_txn.h%d\",\"name\":\"one SQLite transaction per scan, %d "
               "handhelds\","
               "\"value\":%.1f,\"unit\":\"/s\"}\n",
               counts[k], counts[k], single[k]);
        printf("RESULT {\"id\":\"server.confirms.h%d\",\"name\":\"durable confirms/s, %d "
               "handhelds\",\"value\":%.1f,"
               "\"unit\":\"/s\",\"better\":\"higher\",\"vs\":[\"server.echo.h%d\",\"server.one_txn.h%d\"]}\n",
               counts[k], counts[k], group[k], counts[k], counts[k]);
        if (curve)
            printf(
                "RESULT {\"id\":\"server.confirms_curve.h%d\",\"name\":\"durable confirms/s with CURVE, %d "
                "handhelds\",\"value\":%.1f,\"unit\":\"/s\",\"better\":\"higher\",\"vs\":[\"server."
                "confirms.h%d\"]}\n",
                counts[k], counts[k], withcurve[k], counts[k]);
    }
    print_stop_lines(&st);
    free(enrolled);
    free(c);
    fx_station_done(&st);
    return bad == 0 ? 0 : 1;
}
