/*
 * Snapshots answered off the loop (server_internal.h).
 *
 * A console asks for its view every two seconds (console_ui.c), and the
 * view counts over the open waves' tasks, the orders and their lines: on a
 * floor with a 100,000-task wave open that took about 130 ms, and every
 * handheld's reply waited behind it. Here one thread with its own
 * read-only connection answers the kinds that only read; the loop hands it
 * the request once admitted and sends the reply it gets back. The thread
 * reads in one read transaction what is committed when it begins (on the
 * loop the view was the batch's own: committed, not necessarily synced;
 * neither writes).
 *
 * Jobs keep their order: a ring of SNAP_QUEUE slots, [head, mid) answered
 * and waiting to be sent (the loop's), [mid, tail) waiting for the thread.
 * A slot belongs to the thread from submission until mid passes it, then
 * to the loop; head, mid and tail change under the mutex.
 */
#define _GNU_SOURCE /* pipe2 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server_internal.h"
#include "str_cut.h"
#include "tote/flows.h"

#define SNAP_QUEUE 64
#define SNAP_ID_MAX 256 /* a ROUTER routing id is at most 255 bytes */

struct snap_job {
    uint8_t id[SNAP_ID_MAX];
    size_t id_len;
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    uint32_t seq;
    char what[TOTE_WIRE_SHORT_MAX + 1];
    char arg[TOTE_WIRE_TEXT_MAX + 1];
    uint8_t *frame; /* the encoded reply, once answered */
    size_t frame_len;
};

struct srv_snap {
    tote_store *s;
    pthread_t th;
    int started; /* the thread runs */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    unsigned long long head, mid, tail;
    struct snap_job job[SNAP_QUEUE];
    int pipe_r, pipe_w;
    tote_wire_msg *req, *rep; /* the thread's */
};

/* An ERROR INTERNAL reply to j in rep. */
static void internal_error(tote_wire_msg *rep, const struct snap_job *j, const char *what, const char *why)
{
    tote_wire_init(rep, TOTE_WIRE_ERROR, j->device[0] ? j->device : "-", j->seq);
    rep->u.error.code = TOTE_WERR_INTERNAL;
    snprintf(rep->u.error.message, sizeof rep->u.error.message, "%s%s", what, why);
}

/* The reply to j, encoded into a new j->frame. */
static void answer(srv_snap *sn, struct snap_job *j)
{
    tote_wire_msg *req = sn->req, *rep = sn->rep;
    tote_wire_init(req, TOTE_WIRE_SNAPSHOT, j->device, j->seq);
    tote_str_cut(req->u.snapshot.what, sizeof req->u.snapshot.what, j->what);
    tote_str_cut(req->u.snapshot.arg, sizeof req->u.snapshot.arg, j->arg);
    /* one read transaction: every count of the view from the same commit */
    tote_st_err e = store_exec_sql(sn->s, "BEGIN");
    if (e == TOTE_ST_E_OK) {
        e = tote_flow_snapshot(sn->s, req, rep);
        store_exec_sql(sn->s, "COMMIT"); /* nothing written: ends the read */
    }
    if (e != TOTE_ST_E_OK)
        internal_error(rep, j, "snapshot: ", tote_st_strerror(e));
    j->frame = malloc(TOTE_WIRE_MAX_FRAME);
    j->frame_len = 0;
    if (j->frame && tote_wire_encode(rep, j->frame, TOTE_WIRE_MAX_FRAME, &j->frame_len) != TOTE_PROTO_E_OK) {
        internal_error(rep, j, "snapshot reply does not encode", "");
        if (tote_wire_encode(rep, j->frame, TOTE_WIRE_MAX_FRAME, &j->frame_len) != TOTE_PROTO_E_OK)
            j->frame_len = 0;
    }
}

static void *snap_main(void *arg)
{
    srv_snap *sn = arg;
    pthread_mutex_lock(&sn->mu);
    for (;;) {
        while (!sn->stop && sn->mid == sn->tail)
            pthread_cond_wait(&sn->cv, &sn->mu);
        if (sn->stop)
            break;
        struct snap_job *j = &sn->job[sn->mid % SNAP_QUEUE];
        pthread_mutex_unlock(&sn->mu);
        answer(sn, j);
        pthread_mutex_lock(&sn->mu);
        sn->mid++;
        uint8_t b = 1;
        ssize_t w = write(sn->pipe_w, &b, 1);
        (void)w; /* a full pipe already says "readable" */
    }
    pthread_mutex_unlock(&sn->mu);
    return NULL;
}

int srv_snap_new(const char *db_path, srv_snap **out)
{
    *out = NULL;
    srv_snap *sn = calloc(1, sizeof *sn);
    if (!sn)
        return -1;
    pthread_mutex_init(&sn->mu, NULL);
    pthread_cond_init(&sn->cv, NULL);
    sn->pipe_r = sn->pipe_w = -1;
    sn->req = malloc(sizeof *sn->req);
    sn->rep = malloc(sizeof *sn->rep);
    int fds[2];
    if (!sn->req || !sn->rep || tote_store_open(db_path, TOTE_STORE_READONLY, &sn->s, NULL) != TOTE_ST_E_OK ||
        pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        srv_snap_destroy(&sn);
        return -1;
    }
    sn->pipe_r = fds[0];
    sn->pipe_w = fds[1];
    if (pthread_create(&sn->th, NULL, snap_main, sn) != 0) {
        srv_snap_destroy(&sn);
        return -1;
    }
    sn->started = 1;
    *out = sn;
    return 0;
}

void srv_snap_destroy(srv_snap **p)
{
    if (!p || !*p)
        return;
    srv_snap *sn = *p;
    if (sn->started) {
        pthread_mutex_lock(&sn->mu);
        sn->stop = 1;
        pthread_cond_broadcast(&sn->cv);
        pthread_mutex_unlock(&sn->mu);
        pthread_join(sn->th, NULL);
    }
    pthread_mutex_destroy(&sn->mu);
    pthread_cond_destroy(&sn->cv);
    for (unsigned long long i = sn->head; i < sn->mid; i++) /* answered, never sent */
        free(sn->job[i % SNAP_QUEUE].frame);
    if (sn->pipe_r >= 0)
        close(sn->pipe_r);
    if (sn->pipe_w >= 0)
        close(sn->pipe_w);
    tote_store_destroy(&sn->s);
    free(sn->req);
    free(sn->rep);
    free(sn);
    *p = NULL;
}

int srv_snap_fd(const srv_snap *sn)
{
    return sn->pipe_r;
}

int srv_snap_submit(srv_snap *sn, const void *id, size_t id_len, const tote_wire_msg *req)
{
    if (id_len > SNAP_ID_MAX)
        return -1;
    pthread_mutex_lock(&sn->mu);
    if (sn->tail - sn->head == SNAP_QUEUE) {
        pthread_mutex_unlock(&sn->mu);
        return -1;
    }
    struct snap_job *j = &sn->job[sn->tail % SNAP_QUEUE];
    pthread_mutex_unlock(&sn->mu);
    /* the slot is free ([tail, head + SNAP_QUEUE) is nobody's): fill it, then hand it over */
    memcpy(j->id, id, id_len);
    j->id_len = id_len;
    tote_str_cut(j->device, sizeof j->device, req->device);
    j->seq = req->seq;
    tote_str_cut(j->what, sizeof j->what, req->u.snapshot.what);
    tote_str_cut(j->arg, sizeof j->arg, req->u.snapshot.arg);
    j->frame = NULL;
    j->frame_len = 0;
    pthread_mutex_lock(&sn->mu);
    sn->tail++;
    pthread_cond_signal(&sn->cv);
    pthread_mutex_unlock(&sn->mu);
    return 0;
}

void srv_snap_drain(srv_snap *sn, void *router, unsigned long long *sent, unsigned long long *dropped)
{
    uint8_t buf[64];
    while (read(sn->pipe_r, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&sn->mu);
    unsigned long long head = sn->head, mid = sn->mid;
    pthread_mutex_unlock(&sn->mu);
    for (; head < mid; head++) {
        struct snap_job *j = &sn->job[head % SNAP_QUEUE];
        if (j->frame_len == 0 || zmq_send(router, j->id, j->id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
            zmq_send(router, j->frame, j->frame_len, ZMQ_DONTWAIT) < 0)
            (*dropped)++; /* gone: a console asks again at its next refresh */
        else
            (*sent)++;
        free(j->frame);
        j->frame = NULL;
    }
    pthread_mutex_lock(&sn->mu);
    sn->head = head;
    pthread_mutex_unlock(&sn->mu);
}
