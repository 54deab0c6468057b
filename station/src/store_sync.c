/*
 * The write-ahead log synced by a thread of its own: group commit with the
 * fsync off the station's loop.
 *
 * With PRAGMA synchronous=NORMAL a commit appends its frames to the WAL
 * without syncing it; SQLite keeps the database consistent whatever a power
 * cut leaves (the WAL is synced before every checkpoint, the database after
 * it), only the latest commits may be missing. An fdatasync() of the WAL file
 * makes every frame written before the call durable, which is what
 * synchronous=FULL does at each commit. The loop commits a batch, asks for a
 * sync and goes on applying the next batch; it answers a batch only once a
 * sync that began after the batch's commit has returned.
 *
 * Two threads sync, so that a commit made while a sync runs need not wait
 * for it to return before its own sync begins. An fdatasync() writes what is
 * dirty, waits for every write of the file already under way (the other
 * thread's included) and then flushes the disk's cache: whichever returns,
 * everything written before it began is durable, so the highest generation
 * a returned sync began after is durable whatever the other is doing. With
 * one thread the commit waited for the running sync and then for its own: in
 * bench_server's open loop (1000 handhelds, 2 scans/s each) 0.46 ms from
 * commit to durable at the median, 4.1 ms at the 99th percentile.
 *
 * The WAL file keeps its inode while the store is open: SQLite deletes it
 * only when the last connection closes, and restarts or truncates it in
 * place.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lat_hist.h"
#include "mono_clock.h"
#include "store_tx.h"
#include "tote/server.h"

#define SYNC_THREADS 2

/* A sync thread and its own descriptor of the WAL: a failed write-back is
 * reported by fdatasync() once per open file, so two threads on one
 * descriptor could see one fail and the other succeed for the same pages. */
struct sync_thread {
    tote_wal_syncer *w;
    pthread_t thread;
    int fd;
};

struct tote_wal_syncer {
    struct sync_thread t[SYNC_THREADS];
    int nthreads; /* started */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int wal_fd; /* the loop's own, for tote_wal_syncer_sync_now */
    int event_fd;
    int stop;
    unsigned long long wanted;  /* highest generation asked for */
    unsigned long long started; /* highest generation a running or finished sync began after */
    /* highest generation known durable: written with mu held, read without
     * it by tote_wal_syncer_peek */
    _Atomic unsigned long long synced;
    int error; /* errno of a failed fdatasync (sticky) */
    unsigned long long syncs;
    lat_hist lat; /* fdatasync() durations */
};

/* Records one fdatasync's outcome for generation gen, and how long it took
 * (w->mu held). */
static void note_sync(tote_wal_syncer *w, unsigned long long gen, int err, long long us)
{
    w->syncs++;
    lat_add(&w->lat, us);
    if (err && !w->error)
        w->error = err;
    if (!err && !w->error && gen > w->synced) /* never past a failure the other thread met */
        w->synced = gen;
}

/* Whether a generation is asked for that no sync has begun after (mu held). */
static int sync_due(const tote_wal_syncer *w)
{
    return w->wanted > w->started && w->wanted > w->synced;
}

static void *sync_main(void *arg)
{
    struct sync_thread *t = arg;
    tote_wal_syncer *w = t->w;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stop && !w->error && !sync_due(w))
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->error || !sync_due(w)) /* a sync failed, or stopping with nothing left */
            break;
        unsigned long long gen = w->wanted;
        w->started = gen;
        pthread_mutex_unlock(&w->mu);
        long long t0 = mono_us();
        int rc = fdatasync(t->fd);
        int err = rc == 0 ? 0 : errno;
        long long took = mono_us() - t0;
        pthread_mutex_lock(&w->mu);
        note_sync(w, gen, err, took);
        uint64_t one = 1;
        ssize_t wr = write(w->event_fd, &one, sizeof one);
        (void)wr;  /* an eventfd only refuses a write at its maximum count */
        if (err) { /* the loop stops: nothing more is synced, by either thread */
            pthread_cond_broadcast(&w->cv);
            break;
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

tote_st_err tote_wal_syncer_start(tote_store *s, tote_wal_syncer **out)
{
    *out = NULL;
    char path[4200];
    if (snprintf(path, sizeof path, "%s-wal", tote_store_path(s)) >= (int)sizeof path)
        return TOTE_ST_E_INVALID;
    tote_wal_syncer *w = calloc(1, sizeof *w);
    if (!w)
        return TOTE_ST_E_NOMEM;
    w->wal_fd = -1;
    w->event_fd = -1;
    /* a read makes SQLite open (and if need be create) the WAL file */
    int rc = sqlite3_exec(tote_store_db(s), "SELECT 1 FROM sqlite_schema LIMIT 1", NULL, NULL, NULL);
    tote_st_err e = rc == SQLITE_OK ? TOTE_ST_E_OK : tote_store_map_rc(rc);
    if (e == TOTE_ST_E_OK) {
        w->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
        w->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->wal_fd < 0 || w->event_fd < 0)
            e = TOTE_ST_E_IO;
    }
    if (e == TOTE_ST_E_OK)
        e = store_exec_sql(s, "PRAGMA synchronous=NORMAL");
    if (e == TOTE_ST_E_OK) {
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->cv, NULL);
        while (w->nthreads < SYNC_THREADS) {
            struct sync_thread *t = &w->t[w->nthreads];
            t->w = w;
            t->fd = open(path, O_RDONLY | O_CLOEXEC);
            if (t->fd < 0)
                break;
            if (pthread_create(&t->thread, NULL, sync_main, t) != 0) {
                close(t->fd);
                break;
            }
            w->nthreads++;
        }
        if (w->nthreads == 0) { /* one thread is enough to be correct, only slower */
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->cv);
            store_exec_sql(s, "PRAGMA synchronous=FULL");
            e = TOTE_ST_E_NOMEM;
        }
    }
    if (e != TOTE_ST_E_OK) {
        if (w->wal_fd >= 0)
            close(w->wal_fd);
        if (w->event_fd >= 0)
            close(w->event_fd);
        free(w);
        return e;
    }
    *out = w;
    return TOTE_ST_E_OK;
}

void tote_wal_syncer_request(tote_wal_syncer *w, unsigned long long gen)
{
    pthread_mutex_lock(&w->mu);
    if (gen > w->wanted) {
        w->wanted = gen;
        pthread_cond_signal(&w->cv); /* one idle thread takes it */
    }
    pthread_mutex_unlock(&w->mu);
}

int tote_wal_syncer_fd(const tote_wal_syncer *w)
{
    return w->event_fd;
}

unsigned long long tote_wal_syncer_peek(const tote_wal_syncer *w)
{
    return atomic_load(&w->synced);
}

unsigned long long tote_wal_syncer_done(tote_wal_syncer *w, int *err)
{
    uint64_t n;
    ssize_t rd = read(w->event_fd, &n, sizeof n);
    (void)rd; /* EAGAIN: nothing new, the state below is still right */
    pthread_mutex_lock(&w->mu);
    unsigned long long synced = w->synced;
    *err = w->error;
    pthread_mutex_unlock(&w->mu);
    return synced;
}

int tote_wal_syncer_sync_now(tote_wal_syncer *w, unsigned long long gen)
{
    long long t0 = mono_us();
    int err = fdatasync(w->wal_fd) == 0 ? 0 : errno;
    long long took = mono_us() - t0;
    pthread_mutex_lock(&w->mu);
    note_sync(w, gen, err, took);
    if (w->wanted < w->synced)
        w->wanted = w->synced;
    err = w->error;
    pthread_mutex_unlock(&w->mu);
    return err;
}

unsigned long long tote_wal_syncer_count(tote_wal_syncer *w)
{
    pthread_mutex_lock(&w->mu);
    unsigned long long n = w->syncs;
    pthread_mutex_unlock(&w->mu);
    return n;
}

void tote_wal_syncer_latency(tote_wal_syncer *w, double *p50, double *p99, double *max)
{
    pthread_mutex_lock(&w->mu);
    *p50 = lat_quantile_ms(&w->lat, 0.5);
    *p99 = lat_quantile_ms(&w->lat, 0.99);
    *max = (double)w->lat.max_us / 1000.0;
    pthread_mutex_unlock(&w->mu);
}

void tote_wal_syncer_stop(tote_wal_syncer **wp, tote_store *s)
{
    if (!wp || !*wp)
        return;
    tote_wal_syncer *w = *wp;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < w->nthreads; i++) {
        pthread_join(w->t[i].thread, NULL);
        close(w->t[i].fd);
    }
    if (s)
        store_exec_sql(s, "PRAGMA synchronous=FULL");
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    close(w->wal_fd);
    close(w->event_fd);
    free(w);
    *wp = NULL;
}
