/*
 * The store's VFS: SQLite's default VFS with a WAL file's writes gathered in
 * memory and handed to the file in a few large writes per commit.
 *
 * SQLite writes each WAL frame with two calls, its 24-byte header and then
 * the page. A frame is 4,120 bytes, so it straddles two pages of the file's
 * cache and the kernel does three page writes for it; under load a commit
 * is ~140 frames and ~280 pwrite() calls, a sixth of the station loop's
 * time. Here they are appended to a buffer and written in calls of 64 KiB:
 *
 *  - when the commit frame is complete (its header says the database size
 *    after the commit, which only a commit frame does). So the whole
 *    commit is in the file, or its error returned by this xWrite, before
 *    SQLite publishes the frames in the wal-index; readers in other
 *    connections and processes only ever read frames published there.
 *    What SQLite writes after it in the same transaction (the headers of
 *    frames it rewrote, whose checksums it recomputes; sync padding) goes
 *    straight to the file, as nothing may stay behind once it publishes;
 *  - before anything reads, syncs, truncates, sizes or closes the file, and
 *    before a write that does not continue the buffer;
 *  - when the buffer is full (a transaction that spills its cache).
 *
 * What is still buffered when the connection gives up the WAL write lock
 * belongs to a transaction that did not commit (a commit empties the
 * buffer): it is dropped, as SQLite would overwrite it anyway. Writing it
 * later could overwrite frames another connection committed meanwhile.
 *
 * Each WAL file is tied to its connection's database file (the one whose
 * name sqlite3_filename_database() gives back) to see that lock. A WAL file
 * that cannot be tied is written through unbuffered.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "store_vfs.h"

#define VFS_NAME "tote"
#define WAL_BUF_BYTES (1u << 20)
#define WRITE_MAX (64u << 10)
#define FRAME_HDR 24
#define WAL_WRITE_LOCK 0 /* the wal-index lock slot of the writer */

typedef struct tfile tfile;
struct tfile {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, in the same allocation */
    /* a database file: its name as SQLite passed it, and its open WAL file */
    const char *name;
    tfile *wal_file;
    tfile *next; /* the list of open database files */
    /* a WAL file */
    tfile *db; /* NULL: written through */
    unsigned char *buf;
    size_t len;
    sqlite3_int64 off;  /* file offset of buf[0] */
    int commit_pending; /* the last write was a commit frame's header */
    int through;        /* the commit is written: no more buffering until the write lock goes */
};

static sqlite3_vfs tote_vfs;
static sqlite3_vfs *base_vfs;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int registered;
static pthread_mutex_t files_mu = PTHREAD_MUTEX_INITIALIZER;
static tfile *db_files;
static _Atomic long long n_wal_writes, n_file_writes;

#define REAL(f) (((tfile *)(f))->real)

static int flush(tfile *p)
{
    int rc = SQLITE_OK;
    /* the unix VFS writes at most 128 KiB per call (larger counts wrap) */
    for (size_t at = 0; at < p->len && rc == SQLITE_OK; at += WRITE_MAX) {
        size_t n = p->len - at < WRITE_MAX ? p->len - at : WRITE_MAX;
        rc = p->real->pMethods->xWrite(p->real, p->buf + at, (int)n, p->off + (sqlite3_int64)at);
        n_file_writes++;
    }
    p->len = 0;
    return rc;
}

/* ---------------- methods: pass-through, flushing a WAL file first ---------------- */

static int flush_if_wal(sqlite3_file *f)
{
    tfile *p = (tfile *)f;
    return p->db ? flush(p) : SQLITE_OK;
}

static int x_close(sqlite3_file *f)
{
    tfile *p = (tfile *)f;
    int rc = flush_if_wal(f);
    pthread_mutex_lock(&files_mu);
    if (p->db && p->db->wal_file == p)
        p->db->wal_file = NULL;
    for (tfile **q = &db_files; *q; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            break;
        }
    if (p->wal_file) { /* SQLite closes the WAL first: this is only in case */
        flush(p->wal_file);
        p->wal_file->db = NULL;
    }
    pthread_mutex_unlock(&files_mu);
    int rc2 = p->real->pMethods->xClose(p->real);
    free(p->buf);
    p->buf = NULL;
    return rc != SQLITE_OK ? rc : rc2;
}

static int x_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    int rc = flush_if_wal(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int x_write(sqlite3_file *f, const void *data, int n, sqlite3_int64 off)
{
    tfile *p = (tfile *)f;
    if (!p->db || p->through)
        return p->real->pMethods->xWrite(p->real, data, n, off);
    n_wal_writes++;
    int rc;
    if (p->len && (off != p->off + (sqlite3_int64)p->len || p->len + (size_t)n > WAL_BUF_BYTES) &&
        (rc = flush(p)) != SQLITE_OK)
        return rc;
    if ((size_t)n > WRITE_MAX) {
        n_file_writes++;
        return p->real->pMethods->xWrite(p->real, data, n, off);
    }
    if (!p->len)
        p->off = off;
    memcpy(p->buf + p->len, data, (size_t)n);
    p->len += (size_t)n;
    if (p->commit_pending && n != FRAME_HDR) {
        /* the commit frame is complete: what SQLite still writes before it
         * gives up the write lock (frame headers with checksums recomputed,
         * padding) goes straight to the file */
        p->commit_pending = 0;
        p->through = 1;
        return flush(p);
    }
    if (n == FRAME_HDR) {
        const unsigned char *h = data;
        p->commit_pending = (h[4] | h[5] | h[6] | h[7]) != 0; /* database size after a commit */
    }
    return SQLITE_OK;
}

static int x_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = flush_if_wal(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int x_sync(sqlite3_file *f, int flags)
{
    int rc = flush_if_wal(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int x_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    int rc = flush_if_wal(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int x_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int x_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int x_check_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int x_file_control(sqlite3_file *f, int op, void *arg)
{
    int rc = flush_if_wal(f);
    return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int x_sector_size(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int x_device_characteristics(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int x_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    if (REAL(f)->pMethods->iVersion < 2) /* no shared memory: SQLite falls back to exclusive mode */
        return SQLITE_IOERR_SHMMAP;
    return REAL(f)->pMethods->xShmMap(REAL(f), region, size, extend, out);
}

static int x_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    tfile *p = (tfile *)f;
    if (offset == WAL_WRITE_LOCK && (flags & SQLITE_SHM_EXCLUSIVE)) {
        /* taking or giving up the write lock: nothing of a transaction that
         * did not commit may stay buffered (see the top of the file) */
        pthread_mutex_lock(&files_mu);
        if (p->wal_file) {
            p->wal_file->len = 0;
            p->wal_file->commit_pending = 0;
            p->wal_file->through = 0;
        }
        pthread_mutex_unlock(&files_mu);
    }
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void x_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int x_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int x_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    if (REAL(f)->pMethods->iVersion < 3) { /* no memory mapping: SQLite reads instead */
        *out = NULL;
        return SQLITE_OK;
    }
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int x_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->iVersion < 3 ? SQLITE_OK : REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods methods = {
    3,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    x_shm_map,
    x_shm_lock,
    x_shm_barrier,
    x_shm_unmap,
    x_fetch,
    x_unfetch,
};

/* ---------------- the VFS ---------------- */

#define ROUND8(n) (((n) + 7) & ~(size_t)7)

static int x_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    tfile *p = (tfile *)f;
    memset(p, 0, sizeof *p);
    p->real = (sqlite3_file *)((char *)p + ROUND8(sizeof *p));
    int rc = base_vfs->xOpen(base_vfs, name, p->real, flags, out_flags);
    if (!p->real->pMethods) {
        p->base.pMethods = NULL;
        return rc;
    }
    p->base.pMethods = &methods;
    if (rc != SQLITE_OK)
        return rc;
    if ((flags & SQLITE_OPEN_MAIN_DB) && name) {
        p->name = name;
        pthread_mutex_lock(&files_mu);
        p->next = db_files;
        db_files = p;
        pthread_mutex_unlock(&files_mu);
    } else if ((flags & SQLITE_OPEN_WAL) && name) {
        const char *db_name = sqlite3_filename_database(name);
        unsigned char *buf = malloc(WAL_BUF_BYTES);
        pthread_mutex_lock(&files_mu);
        for (tfile *d = db_files; d && buf; d = d->next)
            if (d->name == db_name && !d->wal_file) {
                d->wal_file = p;
                p->db = d;
                p->buf = buf;
                buf = NULL;
                break;
            }
        pthread_mutex_unlock(&files_mu);
        free(buf); /* not tied: written through */
    }
    return rc;
}

static int x_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
    (void)v;
    return base_vfs->xDelete(base_vfs, name, sync_dir);
}

static int x_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return base_vfs->xAccess(base_vfs, name, flags, out);
}

static int x_full_pathname(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return base_vfs->xFullPathname(base_vfs, name, n, out);
}

static void *x_dl_open(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return base_vfs->xDlOpen(base_vfs, name);
}

static void x_dl_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    base_vfs->xDlError(base_vfs, n, out);
}

static void (*x_dl_sym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return base_vfs->xDlSym(base_vfs, h, sym);
}

static void x_dl_close(sqlite3_vfs *v, void *h)
{
    (void)v;
    base_vfs->xDlClose(base_vfs, h);
}

static int x_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return base_vfs->xRandomness(base_vfs, n, out);
}

static int x_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return base_vfs->xSleep(base_vfs, us);
}

static int x_current_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return base_vfs->xCurrentTime(base_vfs, out);
}

static int x_get_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return base_vfs->xGetLastError(base_vfs, n, out);
}

static int x_current_time_int64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static void do_register(void)
{
    base_vfs = sqlite3_vfs_find(NULL);
    if (!base_vfs || base_vfs->iVersion < 2 || !base_vfs->xCurrentTimeInt64)
        return;
    tote_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)(ROUND8(sizeof(tfile)) + (size_t)base_vfs->szOsFile),
        .mxPathname = base_vfs->mxPathname,
        .zName = VFS_NAME,
        .xOpen = x_open,
        .xDelete = x_delete,
        .xAccess = x_access,
        .xFullPathname = x_full_pathname,
        .xDlOpen = x_dl_open,
        .xDlError = x_dl_error,
        .xDlSym = x_dl_sym,
        .xDlClose = x_dl_close,
        .xRandomness = x_randomness,
        .xSleep = x_sleep,
        .xCurrentTime = x_current_time,
        .xGetLastError = x_get_last_error,
        .xCurrentTimeInt64 = x_current_time_int64,
    };
    registered = sqlite3_vfs_register(&tote_vfs, 0) == SQLITE_OK;
}

const char *store_vfs_name(void)
{
    pthread_once(&once, do_register);
    return registered ? VFS_NAME : NULL;
}

void store_vfs_counts(long long *wal_writes, long long *file_writes)
{
    *wal_writes = n_wal_writes;
    *file_writes = n_file_writes;
}
