/* The held queue: what a commit produced (replies, events) waits here until
 * that commit is durable (server.c says why). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mono_clock.h"
#include "server_internal.h"

enum { HELD_REPLY = 0, HELD_EVENT = 1 };
#define HELD_HDR 25 /* u64 generation, u8 kind, u32 length of a, u32 length of b, i64 read at (us) */

/* Queues one frame for the ROUTER (a: routing id, b: frame) or one event for
 * the PUB socket (a: topic, b: JSON), to go out once commit srv->gen is
 * durable. -1 if out of memory (the frame is lost: a handheld resends). */
static int srv_held_put(tote_server *srv, uint8_t kind, const void *a, size_t alen, const void *b,
                        size_t blen)
{
    size_t need = HELD_HDR + alen + blen;
    if (alen > UINT32_MAX || blen > UINT32_MAX)
        return -1;
    if (srv->held_len + need > srv->held_cap) {
        size_t cap = srv->held_cap ? srv->held_cap : 65536;
        while (cap < srv->held_len + need)
            cap *= 2;
        uint8_t *n = realloc(srv->held, cap);
        if (!n)
            return -1;
        srv->held = n;
        srv->held_cap = cap;
    }
    uint8_t *p = srv->held + srv->held_len;
    uint64_t gen = srv->gen;
    uint32_t al = (uint32_t)alen, bl = (uint32_t)blen;
    memcpy(p, &gen, 8);
    p[8] = kind;
    memcpy(p + 9, &al, 4);
    memcpy(p + 13, &bl, 4);
    memcpy(p + 17, &srv->batch_read_us, 8);
    memcpy(p + HELD_HDR, a, alen);
    memcpy(p + HELD_HDR + alen, b, blen);
    srv->held_len += need;
    return 0;
}

/* Sends what waits for commits that are durable now (generation <= synced);
 * returns how many replies the ROUTER took (undeliverable ones not counted). */
int srv_held_release(tote_server *srv)
{
    int replies = 0;
    size_t off = srv->held_head;
    long long now = off < srv->held_len ? mono_us() : 0;
    while (off < srv->held_len) {
        const uint8_t *p = srv->held + off;
        uint64_t gen;
        uint32_t al, bl;
        memcpy(&gen, p, 8);
        if (gen > srv->synced)
            break;
        memcpy(&al, p + 9, 4);
        memcpy(&bl, p + 13, 4);
        const uint8_t *a = p + HELD_HDR, *b = a + al;
        if (p[8] == HELD_REPLY) {
            long long read_at;
            memcpy(&read_at, p + 17, 8);
            if (read_at)
                lat_add(&srv->reply_lat, now - read_at);
            if (zmq_send(srv->router, a, al, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
                zmq_send(srv->router, b, bl, ZMQ_DONTWAIT) < 0)
                srv->stats.dropped++; /* gone or stalled: it resends and gets the stored reply */
            else
                replies++;
        } else if (zmq_send(srv->pub, a, al, ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0) {
            zmq_send(srv->pub, b, bl, ZMQ_DONTWAIT);
        }
        off += HELD_HDR + al + bl;
    }
    if (off == srv->held_len) {
        srv->held_head = srv->held_len = 0;
    } else if (off > srv->held_cap / 2) {
        memmove(srv->held, srv->held + off, srv->held_len - off);
        srv->held_len -= off;
        srv->held_head = 0;
    } else {
        srv->held_head = off;
    }
    return replies;
}

/* A commit on the loop's connection succeeded: a new generation, and a sync
 * asked for (without a syncer the commit was durable already). */
void srv_committed(tote_server *srv)
{
    srv->gen++;
    if (srv->syncer)
        tote_wal_syncer_request(srv->syncer, srv->gen);
    else
        srv->synced = srv->gen;
}

/* The batch's replies into the held queue; the batch's messages closed. */
void srv_hold_replies(tote_server *srv)
{
    for (int i = 0; i < srv->nbatch; i++) {
        struct pending *p = &srv->batch[i];
        size_t off = 0;
        const uint8_t *frame;
        size_t flen;
        const uint8_t *blob = srv->out + p->out_off;
        while (tote_reply_blob_next(blob, p->out_len, &off, &frame, &flen))
            if (srv_held_put(srv, HELD_REPLY, zmq_msg_data(&p->id), zmq_msg_size(&p->id), frame, flen) != 0) {
                srv->stats.dropped++;
                break;
            }
        zmq_msg_close(&p->id);
        zmq_msg_close(&p->body);
    }
}

/* The events gathered since the last call into the held queue. */
void srv_hold_events(tote_server *srv)
{
    size_t n = tote_events_count(srv->events);
    for (size_t i = 0; i < n; i++) {
        const char *topic = tote_events_topic(srv->events, i);
        const char *json = tote_events_json(srv->events, i);
        srv_held_put(srv, HELD_EVENT, topic, strlen(topic), json, strlen(json));
    }
    tote_events_clear(srv->events);
}
