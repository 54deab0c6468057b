/*
 * fault_loadgen: simulated picker handhelds for the fault tests, the soak and
 * the RSS bench. Each device is a real ZeroMQ DEALER speaking the real wire
 * codec, one request in flight at a time, as PROTOCOL.md section 4 asks:
 *
 *   HELLO -> (badge) -> NEXT_TASK -> [SCAN BIN-x] -> SCAN item... -> NEXT_TASK ...
 *
 * with deliberate mistakes (wrong item, unknown barcode) and short picks
 * (--empty-bins: bins that are empty in the simulated world; --short-rate: a
 * random count below what is left, which makes the world inconsistent when
 * other pickers later pick from the same bin: the station lets on_hand go
 * negative then).
 * Every sequenced request goes into the device's queue before it is sent:
 * in memory, or with --outbox-dir in the handheld's own durable outbox
 * (tote/outbox.h), so this process can be killed and restarted too. A request
 * with no reply within --timeout-ms puts the device offline: it sends
 * heartbeats, keeps taking the scans its current task still needs into the
 * queue (flag REPLAY), and when a HEARTBEAT_OK arrives resends the queue in
 * seq order, one at a time.
 *
 * Every reply to a sequenced request that is not an ERROR is an
 * acknowledgement: it is written at once (one JSON line, flushed) to --log:
 *
 *   {"ack":1,"device":"hh-1","seq":7,"req":"SCAN","reply":"RESULT","accepted":1,
 *    "reason":"OK","qty":1,"task":12,"replay":0,"ms":1.2}
 *
 * A reply whose bytes differ from an earlier reply to the same (device, seq,
 * type) is an exactly-once violation: {"violation":...}; so are SEQ_OLD and
 * BAD_SEQ errors. The run ends after --duration seconds, or when every device
 * has had no task for --exit-when-idle seconds, or on SIGTERM/SIGINT; then it
 * stops taking new work, drains every queue (up to --drain-seconds), writes a
 * {"summary":...} line and exits 0 (drained, no violation), 1 (not drained)
 * or 3 (violations).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "loadgen.h"
#include "tote/outbox.h"
#include "tote/wire.h"

struct loadgen_opt opt = {
    .prefix = "hh-",
    .first_index = 1,
    .duration = 0,
    .exit_when_idle = 0,
    .drain_seconds = 60,
    .timeout_ms = 1500,
    .hb_ms = 1000,
    .think_ms = 0,
    .error_rate = 0.03,
    .short_rate = 0,
    .seed = 1,
    .stats_every = 0,
    .max_scans = 0,
    .label_wait_ms = 10000,
};

FILE *ack_log;
static volatile sig_atomic_t stop_flag;
static unsigned long long n_labels_not_seen;
static unsigned long long n_offline_scans, n_sent, n_resent;
unsigned long long n_acks, n_errors, n_violations, n_accepted_units, n_storage_errors;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double now_msf(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* xorshift64*: reproducible from --seed */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}
static double rnd01(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fault_loadgen: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

/* ---------------- the device's queue (memory or durable outbox) ---------------- */

static uint32_t q_next_seq(dev *d)
{
    return d->ob ? tote_outbox_peek_seq(d->ob) : d->hwm + 1;
}

long q_count(dev *d)
{
    return d->ob ? tote_outbox_count(d->ob) : d->memq_n;
}

/* Stores m (seq assigned here) and returns 0, or -1. */
static int q_add(dev *d, tote_wire_msg *m, int replay)
{
    if (d->ob) {
        tote_hh_err e = tote_outbox_add(d->ob, m, replay);
        if (e != TOTE_HH_E_OK) {
            fprintf(stderr, "fault_loadgen: %s: %s\n", d->name, tote_outbox_errmsg(d->ob));
            return -1;
        }
        return 0;
    }
    if (d->memq_n >= MEMQ_MAX)
        return -1;
    m->seq = ++d->hwm;
    if (replay)
        m->flags |= TOTE_WIRE_F_REPLAY;
    memq_entry *e = &d->memq[d->memq_n];
    if (tote_wire_encode(m, e->body, sizeof e->body, &e->len) != TOTE_PROTO_E_OK) {
        d->hwm--;
        return -1;
    }
    e->seq = m->seq;
    e->type = m->type;
    e->replay = replay;
    d->memq_n++;
    return 0;
}

/* The pending request with the lowest seq: 1 found, 0 none. */
static int q_first(dev *d, uint8_t *buf, size_t *len, uint32_t *seq, uint8_t *type)
{
    if (d->ob) {
        static tote_outbox_entry e;
        if (tote_outbox_first(d->ob, &e) != TOTE_HH_E_OK)
            return 0;
        memcpy(buf, e.body, e.len);
        if (e.replay && e.len > 3)
            buf[3] |= (uint8_t)TOTE_WIRE_F_REPLAY; /* flags: bytes 2..3, big-endian */
        *len = e.len;
        *seq = e.seq;
        *type = e.type;
        return 1;
    }
    if (d->memq_n == 0)
        return 0;
    memcpy(buf, d->memq[0].body, d->memq[0].len);
    *len = d->memq[0].len;
    *seq = d->memq[0].seq;
    *type = d->memq[0].type;
    return 1;
}

void q_done(dev *d, uint32_t seq)
{
    if (d->ob) {
        tote_outbox_done(d->ob, seq);
        return;
    }
    for (int i = 0; i < d->memq_n; i++) {
        if (d->memq[i].seq == seq) {
            memmove(&d->memq[i], &d->memq[i + 1], (size_t)(d->memq_n - i - 1) * sizeof d->memq[0]);
            d->memq_n--;
            return;
        }
    }
}

static void q_mark_replay(dev *d)
{
    if (d->ob) {
        tote_outbox_mark_replay(d->ob);
        return;
    }
    for (int i = 0; i < d->memq_n; i++) {
        if (!d->memq[i].replay) {
            d->memq[i].replay = 1;
            /* flags are bytes 2..3 of the header, big-endian */
            d->memq[i].body[3] |= (uint8_t)TOTE_WIRE_F_REPLAY;
        }
    }
}

/* ---------------- sending ---------------- */

static int send_bytes(dev *d, const uint8_t *buf, size_t len)
{
    return zmq_send(d->sock, buf, len, ZMQ_DONTWAIT) == (int)len ? 0 : -1;
}

/* Sends the first pending request (again). */
void send_first(dev *d, long long now)
{
    static uint8_t buf[TOTE_WIRE_MAX_FRAME];
    size_t len = 0;
    uint32_t seq = 0;
    uint8_t type = 0;
    if (!q_first(d, buf, &len, &seq, &type))
        return;
    if (d->inflight && d->inflight_seq == seq)
        n_resent++;
    else
        d->first_sent_ms = now_msf();
    send_bytes(d, buf, len);
    n_sent++;
    d->inflight = 1;
    d->inflight_seq = seq;
    d->inflight_type = type;
    d->sent_ms = now;
}

static void send_hello(dev *d, long long now)
{
    tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_HELLO, d->name, q_next_seq(d));
    m.u.hello.role = d->packer ? TOTE_ROLE_PACKER : TOTE_ROLE_PICKER;
    snprintf(m.u.hello.sw_version, sizeof m.u.hello.sw_version, "fault_loadgen");
    uint8_t buf[256];
    size_t len = 0;
    if (tote_wire_encode(&m, buf, sizeof buf, &len) == TOTE_PROTO_E_OK)
        send_bytes(d, buf, len);
    d->hello_sent = 1;
    d->sent_ms = now;
}

static void send_heartbeat(dev *d, long long now)
{
    tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_HEARTBEAT, d->name, 0);
    uint8_t buf[64];
    size_t len = 0;
    if (tote_wire_encode(&m, buf, sizeof buf, &len) == TOTE_PROTO_E_OK)
        send_bytes(d, buf, len);
    d->hb_sent_ms = now;
}

static int enqueue_scan(dev *d, const char *text, int replay)
{
    tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_SCAN, d->name, 0);
    size_t n = strlen(text);
    memcpy(m.u.scan.raw, text, n);
    m.u.scan.raw_len = (uint16_t)n;
    return q_add(d, &m, replay);
}

static int enqueue_simple(dev *d, tote_wire_type type)
{
    tote_wire_msg m;
    tote_wire_init(&m, type, d->name, 0);
    return q_add(d, &m, 0);
}

/* found < 0: a random count below what is left */
static int enqueue_short(dev *d, int found)
{
    tote_wire_msg m;
    tote_wire_init(&m, TOTE_WIRE_SHORT_PICK, d->name, 0);
    uint32_t left = d->qty_total - d->qty_done;
    m.u.short_pick.task_id = d->task_id;
    m.u.short_pick.qty_found = found >= 0 ? (uint32_t)found : left > 1 ? (uint32_t)(rnd() % left) : 0;
    snprintf(m.u.short_pick.reason, sizeof m.u.short_pick.reason, "bin emptier than recorded (loadgen)");
    return q_add(d, &m, 0);
}

/* ---------------- deciding the next action ---------------- */

static int taking_work(long long now, long long start_ms)
{
    if (stop_flag)
        return 0;
    if (opt.duration > 0 && now - start_ms >= (long long)(opt.duration * 1000))
        return 0;
    if (opt.max_scans > 0 && (long long)n_accepted_units >= opt.max_scans)
        return 0;
    return 1;
}

/* --empty-bins N: bins "A-<n>" with n % N == 0 are empty in the simulated
 * world, whatever the station believes: every picker sent there reports a
 * short pick of everything. Deterministic across processes, so several load
 * generators agree on what is physically in the warehouse. */
static int bin_is_empty(const char *bin)
{
    if (opt.empty_bins <= 0 || strncmp(bin, "A-", 2) != 0)
        return 0;
    char *end = NULL;
    long n = strtol(bin + 2, &end, 10);
    return end != bin + 2 && *end == '\0' && n % opt.empty_bins == 0;
}

double think(void)
{
    if (opt.think_ms <= 0)
        return 0;
    /* exponential: an open stream of actions at 1/think_ms per device */
    double u = rnd01();
    if (u < 1e-9)
        u = 1e-9;
    return -log(u) * opt.think_ms;
}

/* --labels-dir: 1 if the printer has put out this label (the test that
 * plays the printer writes DIR/TRACKING for every label it received). */
static int label_came_out(const char *tracking)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", opt.labels_dir, tracking);
    return access(path, F_OK) == 0;
}

/* A packer at the bench: open the order by its tote, scan every unit,
 * weigh, close (the label prints), scan the label's tracking number. With
 * --labels-dir only a label that came out of the printer is scanned; when
 * none comes out within --label-wait-ms the packer leaves the package
 * closed (not shipped: a supervisor reprints the label) and goes on. */
static void next_pack_action(dev *d, long long now)
{
    char code[160];
    if (!d->pack_open) {
        if (d->tote[0])
            snprintf(code, sizeof code, "TOTE-%s", d->tote);
        else
            snprintf(code, sizeof code, "ORD-%s", d->order);
        enqueue_scan(d, code, 0);
        return;
    }
    if (d->pack_status <= 1) {
        for (int i = 0; i < d->nlines; i++) {
            if (d->lines[i].packed < d->lines[i].expected && d->lines[i].gtin[0]) {
                enqueue_scan(d, d->lines[i].gtin, 0);
                return;
            }
        }
        if (d->weight == 0) {
            tote_wire_msg m;
            tote_wire_init(&m, TOTE_WIRE_PACK_WEIGHT, d->name, 0);
            m.u.weight.grams = d->expected_weight ? d->expected_weight : 1;
            q_add(d, &m, 0);
            return;
        }
        tote_wire_msg m;
        tote_wire_init(&m, TOTE_WIRE_PACK_CLOSE, d->name, 0);
        snprintf(m.u.pack_close.carton, sizeof m.u.pack_close.carton, "BOX-S");
        q_add(d, &m, 0);
        return;
    }
    if (d->pack_status == 2 && d->tracking[0]) {
        if (opt.labels_dir && !label_came_out(d->tracking)) {
            if (!d->label_wait_since)
                d->label_wait_since = now;
            if (now - d->label_wait_since < opt.label_wait_ms) {
                d->next_action_ms = now + 100;
                return;
            }
            n_labels_not_seen++;
            logline("{\"label_not_seen\":\"%s\",\"device\":\"%s\",\"waited_ms\":%lld}", d->tracking, d->name,
                    now - d->label_wait_since);
            d->label_wait_since = 0;
            d->tracking[0] = '\0';
            d->need_next = 1;
            enqueue_simple(d, TOTE_WIRE_NEXT_TASK);
            return;
        }
        d->label_wait_since = 0;
        enqueue_scan(d, d->tracking, 0); /* the printed label, scanned to confirm */
        return;
    }
    d->need_next = 1;
    enqueue_simple(d, TOTE_WIRE_NEXT_TASK);
}

static void next_action(dev *d, long long now)
{
    if (opt.connect_only)
        return;
    if (d->want_login && !d->logged_in) {
        char b[128];
        snprintf(b, sizeof b, "BADGE-%s", opt.badge);
        enqueue_scan(d, b, 0);
        return;
    }
    if (!d->has_task || d->need_next) {
        enqueue_simple(d, TOTE_WIRE_NEXT_TASK);
        return;
    }
    if (d->packer) {
        next_pack_action(d, now);
        return;
    }
    double r = rnd01();
    char code[160];
    if (r < opt.error_rate) {
        /* a mistake: a barcode nobody knows, or a bin that is not this one */
        if (rnd() % 2)
            snprintf(code, sizeof code, "%s", "00000000000017"); /* valid GTIN-14, not in the catalog */
        else
            snprintf(code, sizeof code, "BIN-%s-X", d->bin);
        enqueue_scan(d, code, 0);
        return;
    }
    if (!d->bin_confirmed && d->bin[0]) {
        snprintf(code, sizeof code, "BIN-%s", d->bin);
        enqueue_scan(d, code, 0);
        return;
    }
    if (bin_is_empty(d->bin) && d->qty_total > d->qty_done) {
        enqueue_short(d, 0); /* nothing there: the rest is short */
        return;
    }
    if (r < opt.error_rate + opt.short_rate && d->qty_total > d->qty_done) {
        enqueue_short(d, -1);
        return;
    }
    enqueue_scan(d, d->gtin, 0);
    (void)now;
}

/* ---------------- main loop ---------------- */

static void usage(void)
{
    fprintf(stderr,
            "usage: fault_loadgen --station EP --devices N [--prefix hh-] [--first N] [--outbox-dir DIR]\n"
            "       [--log FILE] [--duration S] [--exit-when-idle S] [--drain-seconds S] [--timeout-ms MS]\n"
            "       [--heartbeat-ms MS] [--think-ms MS] [--error-rate P] [--short-rate P] [--seed N]\n"
            "       [--packers N] [--empty-bins N] [--badge CODE] [--stats S] [--max-scans N] "
            "[--connect-only]\n"
            "       [--labels-dir DIR] [--label-wait-ms MS]\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (strcmp(a, name) == 0 && v && (i++, 1))
        if (ARG("--station"))
            opt.station = v;
        else if (ARG("--devices"))
            opt.ndev = atoi(v);
        else if (ARG("--prefix"))
            opt.prefix = v;
        else if (ARG("--first"))
            opt.first_index = atoi(v);
        else if (ARG("--outbox-dir"))
            opt.outbox_dir = v;
        else if (ARG("--log"))
            opt.log_path = v;
        else if (ARG("--duration"))
            opt.duration = atof(v);
        else if (ARG("--exit-when-idle"))
            opt.exit_when_idle = atof(v);
        else if (ARG("--drain-seconds"))
            opt.drain_seconds = atof(v);
        else if (ARG("--timeout-ms"))
            opt.timeout_ms = atoi(v);
        else if (ARG("--heartbeat-ms"))
            opt.hb_ms = atoi(v);
        else if (ARG("--think-ms"))
            opt.think_ms = atof(v);
        else if (ARG("--error-rate"))
            opt.error_rate = atof(v);
        else if (ARG("--short-rate"))
            opt.short_rate = atof(v);
        else if (ARG("--seed"))
            opt.seed = (unsigned)strtoul(v, NULL, 10);
        else if (ARG("--packers"))
            opt.packers = atoi(v);
        else if (ARG("--labels-dir"))
            opt.labels_dir = v;
        else if (ARG("--label-wait-ms"))
            opt.label_wait_ms = atoi(v);
        else if (ARG("--empty-bins"))
            opt.empty_bins = atoi(v);
        else if (ARG("--badge"))
            opt.badge = v;
        else if (ARG("--stats"))
            opt.stats_every = atof(v);
        else if (ARG("--max-scans"))
            opt.max_scans = atoll(v);
        else if (strcmp(a, "--connect-only") == 0)
            opt.connect_only = 1;
        else
            usage();
#undef ARG
    }
    if (!opt.station || opt.ndev < 1)
        usage();
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    /* the test that started us is gone: stop taking work, drain, exit */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)opt.seed * 0x100000001B3ULL);
    if (rng_state == 0)
        rng_state = 1;
    if (opt.log_path) {
        ack_log = fopen(opt.log_path, "a");
        if (!ack_log)
            die("cannot open the log %s: %s", opt.log_path, strerror(errno));
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, opt.ndev + 64);
    dev *devs = calloc((size_t)opt.ndev, sizeof *devs);
    zmq_pollitem_t *items = calloc((size_t)opt.ndev, sizeof *items);
    if (!devs || !items)
        die("out of memory");
    long long start = now_ms();
    for (int i = 0; i < opt.ndev; i++) {
        dev *d = &devs[i];
        snprintf(d->name, sizeof d->name, "%s%d", opt.prefix, opt.first_index + i);
        d->sock = zmq_socket(ctx, ZMQ_DEALER);
        if (!d->sock)
            die("cannot make socket %d: %s", i, zmq_strerror(errno));
        int linger = 0, ivl = 100, ivl_max = 1000;
        zmq_setsockopt(d->sock, ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(d->sock, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
        zmq_setsockopt(d->sock, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof ivl_max);
        /* notice a silently dead peer (link cut) */
        int hb_ivl = 1000, hb_ttl = 3000, hb_to = 3000;
        zmq_setsockopt(d->sock, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof hb_ivl);
        zmq_setsockopt(d->sock, ZMQ_HEARTBEAT_TTL, &hb_ttl, sizeof hb_ttl);
        zmq_setsockopt(d->sock, ZMQ_HEARTBEAT_TIMEOUT, &hb_to, sizeof hb_to);
        if (zmq_connect(d->sock, opt.station) != 0)
            die("cannot connect to %s: %s", opt.station, zmq_strerror(errno));
        if (opt.outbox_dir) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.outbox", opt.outbox_dir, d->name);
            char *why = NULL;
            if (tote_outbox_open(path, d->name, &d->ob, &why) != TOTE_HH_E_OK)
                die("%s", why ? why : "cannot open an outbox");
        }
        d->want_login = opt.badge != NULL;
        d->packer = i >= opt.ndev - opt.packers;
        d->need_next = 1;
        d->next_action_ms = start + (long long)(rnd01() * 200);
        d->last_activity_ms = start;
        items[i].socket = d->sock;
        items[i].events = ZMQ_POLLIN;
    }

    long long idle_since = 0;
    long long next_stats = opt.stats_every > 0 ? start + (long long)(opt.stats_every * 1000) : 0;
    long long drain_deadline = 0;
    static uint8_t rbuf[TOTE_WIRE_MAX_FRAME + 16];
    int rc = 0;
    for (;;) {
        long long now = now_ms();
        int work = taking_work(now, start);
        if (opt.exit_when_idle > 0 && work) {
            int all_idle = 1;
            for (int i = 0; i < opt.ndev && all_idle; i++)
                all_idle = devs[i].idle; /* its last NEXT_TASK got NO_TASK (another may be in flight) */
            if (!all_idle)
                idle_since = 0;
            else if (!idle_since)
                idle_since = now;
            else if (now - idle_since >= (long long)(opt.exit_when_idle * 1000))
                stop_flag = 1;
        }
        if (!work && !drain_deadline)
            drain_deadline = now + (long long)(opt.drain_seconds * 1000);
        long long wake = now + 200;
        long pending = 0;
        for (int i = 0; i < opt.ndev; i++) {
            dev *d = &devs[i];
            long qn = q_count(d);
            pending += qn;
            if (!d->hello_ok) {
                if (!d->hello_sent || now - d->sent_ms >= opt.timeout_ms)
                    send_hello(d, now);
                if (d->sent_ms + opt.timeout_ms < wake)
                    wake = d->sent_ms + opt.timeout_ms;
                continue;
            }
            if (d->inflight) {
                if (d->retry_at_ms && now >= d->retry_at_ms) {
                    d->retry_at_ms = 0;
                    send_first(d, now);
                } else if (!d->offline && !d->retry_at_ms && now - d->sent_ms >= opt.timeout_ms) {
                    /* no answer: offline. Keep the work in the queue, ask with heartbeats */
                    d->offline = 1;
                    q_mark_replay(d);
                    send_heartbeat(d, now);
                    logline("{\"offline\":\"%s\",\"seq\":%u}", d->name, d->inflight_seq);
                } else if (d->offline && now - d->hb_sent_ms >= opt.hb_ms) {
                    send_heartbeat(d, now);
                }
                if (d->offline && work && d->has_task && !d->need_next && d->bin_confirmed &&
                    d->qty_done + d->queued_units < d->qty_total && qn < 32 && now >= d->next_action_ms) {
                    /* the picker carries on: the scan waits in the queue */
                    if (enqueue_scan(d, d->gtin, 1) == 0) {
                        d->queued_units++;
                        n_offline_scans++;
                    }
                    d->next_action_ms = now + (long long)think() + 50;
                }
                long long t = d->offline ? d->hb_sent_ms + opt.hb_ms : d->sent_ms + opt.timeout_ms;
                if (d->retry_at_ms && d->retry_at_ms < t)
                    t = d->retry_at_ms;
                if (t < wake)
                    wake = t;
                continue;
            }
            if (qn > 0) {
                send_first(d, now);
                continue;
            }
            if (work && now >= d->next_action_ms) {
                next_action(d, now);
                if (q_count(d) > 0)
                    send_first(d, now);
                else if (now - d->last_activity_ms >= opt.hb_ms) {
                    send_heartbeat(d, now);
                    d->last_activity_ms = now;
                }
            } else if (now - d->last_activity_ms >= opt.hb_ms && now - d->hb_sent_ms >= opt.hb_ms) {
                send_heartbeat(d, now);
            }
            if (work && d->next_action_ms > now && d->next_action_ms < wake)
                wake = d->next_action_ms;
        }
        if (!work && pending == 0) {
            int all_hello = 1;
            for (int i = 0; i < opt.ndev; i++)
                all_hello &= devs[i].hello_ok;
            if (all_hello || opt.connect_only)
                break;
        }
        if (!work && now >= drain_deadline) {
            rc = 1;
            fprintf(stderr, "fault_loadgen: %ld requests still unanswered after %.0f s of draining\n",
                    pending, opt.drain_seconds);
            break;
        }
        if (next_stats && now >= next_stats) {
            fprintf(stderr,
                    "fault_loadgen: %.0f s: %llu acks, %llu units picked, %llu resent, %llu errors, %llu "
                    "violations, p50 %.1f ms p99 %.1f ms\n",
                    (double)(now - start) / 1000.0, n_acks, n_accepted_units, n_resent, n_errors,
                    n_violations, lat_pct(0.5), lat_pct(0.99));
            next_stats = now + (long long)(opt.stats_every * 1000);
        }
        long timeout = (long)(wake - now);
        if (timeout < 0)
            timeout = 0;
        if (timeout > 200)
            timeout = 200;
        int n = zmq_poll(items, opt.ndev, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("poll failed: %s", zmq_strerror(errno));
        }
        if (n == 0)
            continue;
        long long t = now_ms();
        double tf = now_msf();
        for (int i = 0; i < opt.ndev; i++) {
            if (!(items[i].revents & ZMQ_POLLIN))
                continue;
            for (;;) {
                int len = zmq_recv(devs[i].sock, rbuf, sizeof rbuf, ZMQ_DONTWAIT);
                if (len < 0)
                    break;
                handle_reply(&devs[i], rbuf, (size_t)(len > (int)sizeof rbuf ? (int)sizeof rbuf : len), t,
                             tf);
            }
        }
    }
    double secs = (double)(now_ms() - start) / 1000.0;
    char summary[1024];
    snprintf(
        summary, sizeof summary,
        "{\"summary\":1,\"devices\":%d,\"seconds\":%.1f,\"sent\":%llu,\"resent\":%llu,\"acks\":%llu,"
        "\"units\":%llu,\"errors\":%llu,\"storage_errors\":%llu,\"violations\":%llu,\"p50_ms\":%.2f,"
        "\"p99_ms\":%.2f,\"p999_ms\":%.2f,\"max_ms\":%.2f,\"offline_scans\":%llu,\"labels_not_seen\":%llu,"
        "\"drained\":%d}",
        opt.ndev, secs, n_sent, n_resent, n_acks, n_accepted_units, n_errors, n_storage_errors, n_violations,
        lat_pct(0.5), lat_pct(0.99), lat_pct(0.999), lat_max, n_offline_scans, n_labels_not_seen, rc == 0);
    logline("%s", summary);
    fprintf(stderr, "fault_loadgen: %s\n", summary);
    for (int i = 0; i < opt.ndev; i++) {
        zmq_close(devs[i].sock);
        tote_outbox_destroy(&devs[i].ob);
    }
    zmq_ctx_term(ctx);
    free(devs);
    free(items);
    if (ack_log)
        fclose(ack_log);
    if (n_violations)
        return 3;
    return rc;
}
