/*
 * The station side of CurveZMQ (tote/security.h): the ZAP handler, handshake
 * monitors, request checks and the connections of revoked devices. Keys and
 * enrolment files are in security_keys.c.
 *
 * The ZAP handler is a REP socket bound to inproc://zeromq.zap.01 in the
 * station's context and polled by the station's event loop: libzmq's I/O
 * thread asks it about every CURVE handshake and waits for the answer
 * without blocking the loop. It admits a key only if a device row has it
 * and is not revoked, and names the connection after the device (the ZAP
 * user id, read back with zmq_msg_gets(msg, "User-Id")).
 */
#include "tote/security.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "mono_clock.h"
#include "security_internal.h"
#include "str_cut.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define MON_REQUESTS "inproc://tote.monitor.requests"
#define MON_EVENTS "inproc://tote.monitor.events"
#define RATE_SLOTS 32
#define RATE_WINDOW_MS 10000
#define RATE_GLOBAL_PER_MIN 60
#define CONN_SLOTS 256
#define SUB_SLOTS 64          /* consoles admitted on the events socket */
#define SWEEP_MS 1000         /* revoked or re-keyed devices' connections: checked every second */
#define FULL_SWEEP_MS 60000   /* ... every connection looked at this often even if nothing changed */
#define CONN_FD_MAX (1 << 20) /* fds above this are not tracked (never on a sane rlimit) */
#define SWEEP_SOON_MS 100     /* after a request from a revoked device: its refusal goes out first */
#define META_KEY "X-Tote-Key"

/* ---------------- the station side ---------------- */

struct rate_slot {
    char key[96];
    long long last_ms;
    unsigned suppressed;
};

/* A TCP connection a device's requests arrived on (ZMQ_SRCFD). The peer
 * address taken with the fd guards against the fd being reused by another
 * connection once libzmq has closed it. */
struct conn_slot {
    int fd; /* -1: free */
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    char key[TOTE_KEY_Z85 + 1]; /* the key it authenticated with ("" unknown) */
    struct sockaddr_storage peer;
    socklen_t peer_len;
    long long seen_ms;
};

/* A console admitted on the events (PUB) socket, and an accepted PUB
 * connection. A PUB socket receives nothing, so its connections cannot be
 * told apart by device: when an admitted console is revoked or re-keyed,
 * every events connection is closed and the consoles still enrolled
 * reconnect (their SUB sockets do that by themselves). */
struct sub_slot {
    int used;
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    char key[TOTE_KEY_Z85 + 1];
};

struct tote_server_security {
    tote_store *s;
    void *zctx;
    int insecure;
    tote_keypair kp;
    void *zap;
    void *mon_requests, *mon_events;
    struct rate_slot slots[RATE_SLOTS];
    long long minute_start_ms;
    int minute_count;
    struct conn_slot *conns; /* request connections, indexed by fd (grows) */
    int conns_cap;
    struct conn_slot pub_conns[CONN_SLOTS]; /* device "" */
    long long data_version;                 /* the database's PRAGMA data_version at the last full sweep */
    long long next_full_sweep_ms;
    int sweep_forced; /* a revoked device's request was refused: check every connection */
    struct sub_slot subs[SUB_SLOTS];
    long long next_sweep_ms;
    int disconnected; /* connections closed so far */
};

/* 1 if a refusal about key may be logged now; *suppressed gets how many
 * were not logged since the last one. */
static int rate_ok(tote_server_security *sec, const char *key, unsigned *suppressed)
{
    long long t = mono_ms();
    *suppressed = 0;
    struct rate_slot *slot = NULL, *oldest = &sec->slots[0];
    for (int i = 0; i < RATE_SLOTS; i++) {
        if (strcmp(sec->slots[i].key, key) == 0) {
            slot = &sec->slots[i];
            break;
        }
        if (sec->slots[i].last_ms < oldest->last_ms)
            oldest = &sec->slots[i];
    }
    if (slot && t - slot->last_ms < RATE_WINDOW_MS) {
        slot->suppressed++;
        return 0;
    }
    if (t - sec->minute_start_ms >= 60000) {
        sec->minute_start_ms = t;
        sec->minute_count = 0;
    }
    if (sec->minute_count >= RATE_GLOBAL_PER_MIN) {
        if (slot)
            slot->suppressed++;
        return 0;
    }
    sec->minute_count++;
    if (!slot) {
        slot = oldest;
        memset(slot, 0, sizeof *slot);
        snprintf(slot->key, sizeof slot->key, "%s", key);
    }
    *suppressed = slot->suppressed;
    slot->suppressed = 0;
    slot->last_ms = t;
    return 1;
}

/* Logs a refusal: stderr and an event row 'security.refused' (rate-limited
 * per key/peer). subject: key fingerprint or peer address. */
static void refused(tote_server_security *sec, const char *subject_type, const char *subject,
                    const char *device, const char *reason, const char *peer)
{
    char rkey[96];
    snprintf(rkey, sizeof rkey, "%s|%s", subject, reason);
    unsigned suppressed = 0;
    if (!rate_ok(sec, rkey, &suppressed))
        return;
    if (strcmp(subject_type, "peer") == 0)
        fprintf(stderr, "tote serve: refused a connection on %s: %s%s\n", subject, reason,
                suppressed ? " (and earlier attempts not logged)" : "");
    else
        fprintf(stderr, "tote serve: refused %s %s from %s: %s%s\n", device && *device ? "device" : "key",
                device && *device ? device : subject, peer && *peer ? peer : "an unknown peer", reason,
                suppressed ? " (and earlier attempts not logged)" : "");
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "reason", reason);
    cJSON_AddStringToObject(d, "peer", peer ? peer : "");
    if (device && *device)
        cJSON_AddStringToObject(d, "device", device);
    cJSON_AddNumberToObject(d, "suppressed", suppressed);
    char *json = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    tote_store_event(sec->s, NULL, device && *device ? device : NULL, "security.refused", subject_type,
                     subject, json);
    cJSON_free(json);
}

tote_st_err tote_security_server_new(void *zctx, tote_store *s, const char *db_path, int insecure,
                                     tote_server_security **out, char **err_msg)
{
    *out = NULL;
    if (err_msg)
        *err_msg = NULL;
    tote_server_security *sec = calloc(1, sizeof *sec);
    if (!sec)
        return TOTE_ST_E_NOMEM;
    sec->s = s;
    sec->zctx = zctx;
    sec->insecure = insecure;
    sec->minute_start_ms = mono_ms();
    sec->next_sweep_ms = sec->minute_start_ms + SWEEP_MS;
    for (int i = 0; i < CONN_SLOTS; i++)
        sec->pub_conns[i].fd = -1;
    if (insecure) {
        fprintf(stderr, "tote serve: WARNING: --insecure: CURVE is OFF, any host on the network can speak as "
                        "any device and read every event; use this only for development\n");
        tote_store_event(s, "cli", NULL, "security.insecure", "station", "serve", NULL);
        *out = sec;
        return TOTE_ST_E_OK;
    }
    if (!zmq_has("curve")) {
        free(sec);
        security_set_err(
            err_msg,
            security_dupf("this libzmq has no CURVE support: install one built with libsodium, or run "
                          "with --insecure for development"));
        return TOTE_ST_E_INVALID;
    }
    tote_st_err e = tote_security_station_key(db_path, 1, &sec->kp, err_msg);
    if (e != TOTE_ST_E_OK) {
        free(sec);
        return e;
    }
    sec->zap = zmq_socket(zctx, ZMQ_REP);
    int linger = 0;
    if (!sec->zap || zmq_setsockopt(sec->zap, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(sec->zap, ZAP_ENDPOINT) != 0) {
        security_set_err(err_msg,
                         security_dupf("cannot start the ZAP handler: %s", zmq_strerror(zmq_errno())));
        tote_security_server_destroy(&sec);
        return TOTE_ST_E_NET;
    }
    *out = sec;
    return TOTE_ST_E_OK;
}

static int curve_server(tote_server_security *sec, void *sock, const char *domain)
{
    int one = 1;
    return zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
                   zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, sec->kp.secret_z85, TOTE_KEY_Z85) != 0 ||
                   zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) != 0
               ? -1
               : 0;
}

static void *monitor(tote_server_security *sec, void *sock, const char *endpoint, int extra)
{
    int events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | extra;
    if (zmq_socket_monitor(sock, endpoint, events) != 0)
        return NULL;
    void *m = zmq_socket(sec->zctx, ZMQ_PAIR);
    if (!m)
        return NULL;
    int linger = 0;
    zmq_setsockopt(m, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(m, endpoint) != 0) {
        zmq_close(m);
        return NULL;
    }
    return m;
}

int tote_security_server_setup(tote_server_security *sec, void *router, void *pub, char **err_msg)
{
    if (err_msg)
        *err_msg = NULL;
    if (sec->insecure)
        return 0;
    if (curve_server(sec, router, TOTE_ZAP_DOMAIN_REQUESTS) != 0 ||
        curve_server(sec, pub, TOTE_ZAP_DOMAIN_EVENTS) != 0) {
        security_set_err(err_msg, security_dupf("cannot make the station's sockets CURVE servers: %s",
                                                zmq_strerror(zmq_errno())));
        return -1;
    }
    /* handshakes that fail before ZAP is asked (plain-text peers, garbage):
     * logged when seen; a monitor that cannot start only loses the log */
    sec->mon_requests = monitor(sec, router, MON_REQUESTS, 0);
    /* and the events socket's connections (the fd comes with ACCEPTED) */
    sec->mon_events = monitor(sec, pub, MON_EVENTS, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED);
    return 0;
}

int tote_security_server_secure(const tote_server_security *sec)
{
    return sec && !sec->insecure;
}

int tote_security_poll_items(tote_server_security *sec, void *items, int max)
{
    zmq_pollitem_t *it = items;
    int n = 0;
    if (!sec || sec->insecure)
        return 0;
    void *socks[] = {sec->zap, sec->mon_requests, sec->mon_events};
    for (size_t i = 0; i < sizeof socks / sizeof socks[0] && n < max; i++)
        if (socks[i])
            it[n++] = (zmq_pollitem_t){socks[i], 0, ZMQ_POLLIN, 0};
    return n;
}

/* Receives one frame into buf (cap bytes, truncated, NUL-terminated);
 * returns its full size or -1; *more tells if frames follow. */
static int recv_frame(void *sock, char *buf, size_t cap, int *more, int flags)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, sock, flags) < 0) {
        zmq_msg_close(&m);
        *more = 0;
        return -1;
    }
    size_t n = zmq_msg_size(&m);
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(buf, zmq_msg_data(&m), k);
    buf[k] = '\0';
    *more = zmq_msg_more(&m);
    zmq_msg_close(&m);
    return (int)n;
}

/* key (may be NULL) goes into the connection's metadata as X-Tote-Key (ZMTP
 * property: name length, name, 4-byte big-endian value length, value), so a
 * request can tell which key its connection authenticated with. */
static void zap_reply(void *zap, const char *reqid, size_t reqid_len, const char *status, const char *text,
                      const char *user, const char *key)
{
    uint8_t meta[1 + sizeof META_KEY + 4 + TOTE_KEY_Z85];
    size_t mlen = 0;
    if (key && strlen(key) == TOTE_KEY_Z85) {
        size_t nlen = strlen(META_KEY);
        meta[mlen++] = (uint8_t)nlen;
        memcpy(meta + mlen, META_KEY, nlen);
        mlen += nlen;
        meta[mlen++] = 0;
        meta[mlen++] = 0;
        meta[mlen++] = 0;
        meta[mlen++] = TOTE_KEY_Z85;
        memcpy(meta + mlen, key, TOTE_KEY_Z85);
        mlen += TOTE_KEY_Z85;
    }
    zmq_send(zap, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(zap, reqid, reqid_len, ZMQ_SNDMORE);
    zmq_send(zap, status, strlen(status), ZMQ_SNDMORE);
    zmq_send(zap, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(zap, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(zap, meta, mlen, 0);
}

/* One ZAP request (RFC 27): version, request id, domain, address, identity,
 * mechanism, credentials... */
static void zap_one(tote_server_security *sec)
{
    char f[8][256];
    int len[8], nf = 0, more = 1;
    while (more) {
        char scratch[256];
        char *dst = nf < 8 ? f[nf] : scratch;
        int n = recv_frame(sec->zap, dst, 256, &more, nf ? 0 : ZMQ_DONTWAIT);
        if (n < 0)
            break;
        if (nf < 8)
            len[nf] = n;
        nf++;
    }
    if (nf == 0)
        return;
    /* a REP socket must answer whatever it got */
    const char *reqid = nf > 1 ? f[1] : "";
    size_t reqid_len = nf > 1 && len[1] < 256 ? (size_t)len[1] : 0;
    if (nf < 7 || strcmp(f[0], "1.0") != 0 || strcmp(f[5], "CURVE") != 0 || len[6] != 32) {
        zap_reply(sec->zap, reqid, reqid_len, "400", "malformed ZAP request", "", NULL);
        return;
    }
    const char *domain = f[2], *peer = f[3];
    char key[TOTE_KEY_Z85 + 1];
    if (!zmq_z85_encode(key, (const uint8_t *)f[6], 32)) {
        zap_reply(sec->zap, reqid, reqid_len, "400", "bad key", "", NULL);
        return;
    }
    char fp[TOTE_FINGERPRINT_LEN + 1];
    tote_key_fingerprint(key, fp, sizeof fp);
    char name[TOTE_WIRE_DEVICE_MAX + 64], role[16];
    int revoked = 0;
    tote_st_err e = tote_security_device_by_key(sec->s, key, name, sizeof name, role, sizeof role, &revoked);
    const char *why = NULL;
    if (e == TOTE_ST_E_NOT_FOUND)
        why = "unknown key (not enrolled)";
    else if (e != TOTE_ST_E_OK)
        why = "cannot read the device table";
    else if (revoked)
        why = "device revoked";
    else if (strcmp(domain, TOTE_ZAP_DOMAIN_EVENTS) == 0 && strcmp(role, "console") != 0)
        why = "only consoles may subscribe to events";
    else if (strcmp(domain, TOTE_ZAP_DOMAIN_EVENTS) != 0 && strcmp(domain, TOTE_ZAP_DOMAIN_REQUESTS) != 0)
        why = "unknown ZAP domain";
    if (why) {
        zap_reply(sec->zap, reqid, reqid_len, "400", why, "", NULL);
        refused(sec, "key", fp, e == TOTE_ST_E_OK ? name : NULL, why, peer);
        return;
    }
    zap_reply(sec->zap, reqid, reqid_len, "200", "OK", name, key);
    if (strcmp(domain, TOTE_ZAP_DOMAIN_EVENTS) == 0) {
        struct sub_slot *free_slot = NULL;
        for (int i = 0; i < SUB_SLOTS; i++) {
            if (sec->subs[i].used && strcmp(sec->subs[i].key, key) == 0)
                return;
            if (!sec->subs[i].used && !free_slot)
                free_slot = &sec->subs[i];
        }
        if (!free_slot) /* full: the oldest entry gives way */
            free_slot = &sec->subs[0];
        free_slot->used = 1;
        snprintf(free_slot->device, sizeof free_slot->device, "%.*s", (int)sizeof free_slot->device - 1,
                 name);
        snprintf(free_slot->key, sizeof free_slot->key, "%s", key);
    }
}

static int same_peer(int fd, const struct conn_slot *c);

/* The monitor saw the events socket accept (gone 0) or drop (gone 1) fd. A
 * drop reported after the fd was reused for a new connection leaves the new
 * one recorded (its peer differs from the one that left). */
static void pub_accepted(tote_server_security *sec, int fd, int gone)
{
    struct conn_slot *free_slot = NULL;
    for (int i = 0; i < CONN_SLOTS; i++) {
        if (sec->pub_conns[i].fd == fd && gone && same_peer(fd, &sec->pub_conns[i]))
            return;
        if (sec->pub_conns[i].fd == fd) {
            sec->pub_conns[i].fd = -1;
            if (!free_slot)
                free_slot = &sec->pub_conns[i];
        } else if (sec->pub_conns[i].fd < 0 && !free_slot) {
            free_slot = &sec->pub_conns[i];
        }
    }
    if (gone || !free_slot)
        return;
    memset(free_slot, 0, sizeof *free_slot);
    free_slot->peer_len = sizeof free_slot->peer;
    if (getpeername(fd, (struct sockaddr *)&free_slot->peer, &free_slot->peer_len) != 0) {
        free_slot->fd = -1;
        return;
    }
    free_slot->fd = fd;
    free_slot->seen_ms = mono_ms();
}

static void monitor_one(tote_server_security *sec, void *mon, const char *which)
{
    char ev[16], addr[256];
    int more = 0;
    int n = recv_frame(mon, ev, sizeof ev, &more, ZMQ_DONTWAIT);
    if (n < 0)
        return;
    addr[0] = '\0';
    if (more)
        recv_frame(mon, addr, sizeof addr, &more, 0);
    while (more) {
        char skip[16];
        recv_frame(mon, skip, sizeof skip, &more, 0);
    }
    if (n < 6)
        return;
    uint16_t event;
    uint32_t value;
    memcpy(&event, ev, sizeof event);
    memcpy(&value, ev + 2, sizeof value);
    if (mon == sec->mon_events && (event == ZMQ_EVENT_ACCEPTED || event == ZMQ_EVENT_DISCONNECTED)) {
        pub_accepted(sec, (int)value, event == ZMQ_EVENT_DISCONNECTED);
        return;
    }
    char reason[160];
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL && value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
        snprintf(reason, sizeof reason,
                 "%s handshake failed (cryptographic error: a replayed or forged handshake)", which);
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
             value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        snprintf(reason, sizeof reason, "%s handshake failed (plain-text client or not CurveZMQ)", which);
    else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        snprintf(reason, sizeof reason, "%s handshake failed (CurveZMQ protocol error 0x%08x)", which,
                 (unsigned)value);
    else
        snprintf(reason, sizeof reason,
                 "%s handshake failed (the peer left: a plain-text client, a refused key or a port probe; "
                 "errno %u)",
                 which, (unsigned)value);
    if (event & (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
        refused(sec, "peer", addr[0] ? addr : "unknown", NULL, reason, addr);
}

/* ---------------- connections of devices ---------------- */

static int same_peer(int fd, const struct conn_slot *c)
{
    struct sockaddr_storage a;
    socklen_t alen = sizeof a;
    memset(&a, 0, sizeof a);
    if (getpeername(fd, (struct sockaddr *)&a, &alen) != 0)
        return 0;
    return alen == c->peer_len && memcmp(&a, &c->peer, alen) == 0;
}

static void peer_text(const struct conn_slot *c, char *out, size_t cap)
{
    char host[64] = "?";
    unsigned port = 0;
    if (c->peer.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&c->peer;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
    } else if (c->peer.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&c->peer;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
    } else {
        snprintf(out, cap, "a local socket");
        return;
    }
    snprintf(out, cap, "%s:%u", host, port);
}

void tote_security_track(tote_server_security *sec, const void *msg, char *user_id, size_t cap)
{
    zmq_msg_t *m = (zmq_msg_t *)(uintptr_t)msg;
    tote_security_peer(msg, user_id, cap);
    if (!sec || sec->insecure || !*user_id)
        return;
    int fd = zmq_msg_get(m, ZMQ_SRCFD);
    if (fd < 0)
        return;
    if (fd >= sec->conns_cap) { /* one slot per fd: every connection is tracked, none evicted */
        if (fd >= CONN_FD_MAX)
            return;
        int ncap = sec->conns_cap ? sec->conns_cap : 64;
        while (ncap <= fd)
            ncap *= 2;
        struct conn_slot *nv = realloc(sec->conns, (size_t)ncap * sizeof *nv);
        if (!nv)
            return;
        for (int i = sec->conns_cap; i < ncap; i++) {
            memset(&nv[i], 0, sizeof nv[i]);
            nv[i].fd = -1;
        }
        sec->conns = nv;
        sec->conns_cap = ncap;
    }
    struct conn_slot *slot = &sec->conns[fd];
    if (slot && strcmp(slot->device, user_id) == 0 && same_peer(fd, slot)) {
        slot->seen_ms = mono_ms();
        return;
    }
    memset(slot, 0, sizeof *slot);
    slot->peer_len = sizeof slot->peer;
    if (getpeername(fd, (struct sockaddr *)&slot->peer, &slot->peer_len) != 0) {
        slot->fd = -1;
        return;
    }
    slot->fd = fd;
    slot->seen_ms = mono_ms();
    snprintf(slot->device, sizeof slot->device, "%s", user_id);
    const char *key = zmq_msg_gets(m, META_KEY);
    snprintf(slot->key, sizeof slot->key, "%s", key && strlen(key) == TOTE_KEY_Z85 ? key : "");
}

/* Why a connection of device authenticated with conn_key ("" unknown) must
 * go: revoked, re-keyed, or NULL. */
static const char *conn_unwanted(tote_server_security *sec, const char *device, const char *conn_key)
{
    char role[16], key[TOTE_KEY_Z85 + 8];
    int revoked = 0;
    tote_st_err e = tote_security_device_state(sec->s, device, role, sizeof role, &revoked);
    if (e == TOTE_ST_E_NOT_FOUND || (e == TOTE_ST_E_OK && revoked))
        return "device revoked";
    if (e != TOTE_ST_E_OK || !conn_key[0])
        return NULL;
    if (tote_security_device_key(sec->s, device, key, sizeof key) == TOTE_ST_E_OK &&
        strcmp(key, conn_key) != 0)
        return "device re-keyed: its old key is no longer valid";
    return NULL;
}

static void log_disconnect(tote_server_security *sec, const char *device, const char *peer, const char *why)
{
    fprintf(stderr, "tote serve: closed the connection of device %s from %s: %s\n", device, peer, why);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "reason", why);
    cJSON_AddStringToObject(d, "peer", peer);
    char *json = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    tote_store_event(sec->s, NULL, device, "security.disconnected", "device", device, json);
    cJSON_free(json);
}

/* A console admitted on the events socket was revoked or re-keyed: closes
 * every events connection (the others come back by themselves). */
static int sweep_events(tote_server_security *sec)
{
    const char *why = NULL, *device = NULL;
    for (int i = 0; i < SUB_SLOTS; i++) {
        if (!sec->subs[i].used)
            continue;
        const char *w = conn_unwanted(sec, sec->subs[i].device, sec->subs[i].key);
        if (w) {
            why = w;
            device = sec->subs[i].device;
            sec->subs[i].used = 0;
        }
    }
    if (!why)
        return 0;
    int closed = 0;
    for (int i = 0; i < CONN_SLOTS; i++) {
        struct conn_slot *c = &sec->pub_conns[i];
        if (c->fd >= 0 && same_peer(c->fd, c) && shutdown(c->fd, SHUT_RDWR) == 0)
            closed++;
        c->fd = -1;
    }
    char what[128];
    snprintf(what, sizeof what, "the events socket (%d subscription%s closed; enrolled consoles reconnect)",
             closed, closed == 1 ? "" : "s");
    log_disconnect(sec, device, what, why);
    /* every console admitted again is recorded again on its new handshake */
    memset(sec->subs, 0, sizeof sec->subs);
    return closed;
}

int tote_security_sweep(tote_server_security *sec)
{
    if (!sec || sec->insecure)
        return 0;
    long long now = mono_ms();
    sec->next_sweep_ms = now + SWEEP_MS;
    /* revoke and rekey are commits of another connection (the CLI): unless
     * one happened (data_version moved) or a revoked device was just refused,
     * the connections need no look, but for a full pass once a minute */
    long long dv = tote_store_data_version(sec->s);
    if (!sec->sweep_forced && dv == sec->data_version && now < sec->next_full_sweep_ms)
        return 0;
    sec->sweep_forced = 0;
    sec->data_version = dv;
    sec->next_full_sweep_ms = now + FULL_SWEEP_MS;
    int closed = 0;
    for (int i = 0; i < sec->conns_cap; i++) {
        struct conn_slot *c = &sec->conns[i];
        if (c->fd < 0)
            continue;
        if (!same_peer(c->fd, c)) { /* libzmq closed it (the fd may serve another peer now) */
            c->fd = -1;
            continue;
        }
        const char *why = conn_unwanted(sec, c->device, c->key);
        if (!why)
            continue;
        char peer[96];
        peer_text(c, peer, sizeof peer);
        if (shutdown(c->fd, SHUT_RDWR) != 0) {
            fprintf(stderr, "tote serve: cannot close the connection of device %s from %s: %s\n", c->device,
                    peer, strerror(errno));
            c->fd = -1;
            continue;
        }
        log_disconnect(sec, c->device, peer, why);
        c->fd = -1;
        closed++;
        sec->disconnected++;
    }
    for (int i = 0; i < CONN_SLOTS; i++) /* events connections libzmq has closed */
        if (sec->pub_conns[i].fd >= 0 && !same_peer(sec->pub_conns[i].fd, &sec->pub_conns[i]))
            sec->pub_conns[i].fd = -1;
    return closed + sweep_events(sec);
}

void tote_security_poll_handle(tote_server_security *sec, const void *items, int n)
{
    const zmq_pollitem_t *it = items;
    if (sec && !sec->insecure && mono_ms() >= sec->next_sweep_ms)
        tote_security_sweep(sec);
    for (int i = 0; i < n; i++) {
        if (!(it[i].revents & ZMQ_POLLIN))
            continue;
        if (it[i].socket == sec->zap) {
            for (int k = 0; k < 64; k++) { /* answer every waiting handshake */
                int events = 0;
                size_t sz = sizeof events;
                if (zmq_getsockopt(sec->zap, ZMQ_EVENTS, &events, &sz) != 0 || !(events & ZMQ_POLLIN))
                    break;
                zap_one(sec);
            }
        } else {
            void *mon = it[i].socket;
            for (int k = 0; k < 64; k++) {
                int events = 0;
                size_t sz = sizeof events;
                if (zmq_getsockopt(mon, ZMQ_EVENTS, &events, &sz) != 0 || !(events & ZMQ_POLLIN))
                    break;
                monitor_one(sec, mon, mon == sec->mon_events ? "events" : "requests");
            }
        }
    }
}

void tote_security_peer(const void *msg, char *out, size_t cap)
{
    const char *u = zmq_msg_gets((zmq_msg_t *)(uintptr_t)msg, "User-Id");
    tote_str_cut(out, cap, u);
}

tote_wire_error tote_security_check_request(tote_server_security *sec, const char *user_id,
                                            const tote_wire_msg *req, char *msg, size_t cap)
{
    if (!sec || sec->insecure)
        return TOTE_WERR_NONE;
    if (!user_id || !*user_id) {
        snprintf(msg, cap, "this connection is not authenticated");
        return TOTE_WERR_DENIED;
    }
    if (strcmp(req->device, user_id) != 0) {
        snprintf(msg, cap, "this handheld is enrolled as %s and may not speak for %s", user_id, req->device);
        refused(sec, "device", user_id, user_id, "spoke with another device's id", req->device);
        return TOTE_WERR_DENIED;
    }
    char role[16];
    int revoked = 0;
    tote_st_err e = tote_security_device_state(sec->s, user_id, role, sizeof role, &revoked);
    if (e == TOTE_ST_E_NOT_FOUND || (e == TOTE_ST_E_OK && revoked)) {
        /* HELLO: refused (DENIED); anything else: UNKNOWN_DEVICE, on which a
         * handheld stops and keeps its outbox */
        snprintf(msg, cap, "device %s has been revoked at the station", user_id);
        /* its connection is closed once this refusal is on its way */
        if (sec->next_sweep_ms > mono_ms() + SWEEP_SOON_MS)
            sec->next_sweep_ms = mono_ms() + SWEEP_SOON_MS;
        sec->sweep_forced = 1;
        return req->type == TOTE_WIRE_HELLO ? TOTE_WERR_DENIED : TOTE_WERR_UNKNOWN_DEVICE;
    }
    if (e != TOTE_ST_E_OK) {
        snprintf(msg, cap, "cannot read the device table: %s", tote_st_strerror(e));
        return TOTE_WERR_INTERNAL;
    }
    if (req->type == TOTE_WIRE_HELLO && strcmp(tote_wire_role_name(req->u.hello.role), role) != 0) {
        snprintf(msg, cap, "device %s is enrolled as a %s, not a %s", user_id, role,
                 tote_wire_role_name(req->u.hello.role));
        return TOTE_WERR_DENIED;
    }
    return TOTE_WERR_NONE;
}

void tote_security_server_destroy(tote_server_security **sp)
{
    if (!sp || !*sp)
        return;
    tote_server_security *sec = *sp;
    if (sec->zap)
        zmq_close(sec->zap);
    if (sec->mon_requests)
        zmq_close(sec->mon_requests);
    if (sec->mon_events)
        zmq_close(sec->mon_events);
    memset(&sec->kp, 0, sizeof sec->kp);
    free(sec->conns);
    free(sec);
    *sp = NULL;
}
