/*
 * LD_PRELOAD shim: journals every change to the tracked database files and
 * plays a full disk on request (journal.h). Loaded into `tote` by the
 * power-loss and disk-full tests:
 *
 *   LD_PRELOAD=libtote_powerloss_shim.so TOTE_PL_TRACK=/abs/tote.db \
 *   TOTE_PL_JOURNAL=/abs/journal [TOTE_PL_FULL_FLAG=/abs/full] \
 *   [TOTE_PL_SYNC_FAIL_FLAG=/abs/eio] tote ...
 *
 * While the file TOTE_PL_SYNC_FAIL_FLAG names exists, fsync and fdatasync
 * of a tracked file fail with EIO (a disk that cannot make writes durable).
 * TOTE_PL_SYNC_DELAY_MS makes each of them take that much longer (a slow
 * disk).
 *
 * Only file descriptors opened on a tracked path are looked at; every other
 * call goes straight to libc. The shim's own I/O uses raw system calls so it
 * never re-enters itself.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "journal.h"

#define MAX_FD 65536

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char track[4096];
static size_t track_len;
static char full_flag[4096];
static char sync_fail_flag[4096];
static int sync_delay_ms;
static int journal_fd = -1;
static unsigned char fd_file[MAX_FD]; /* 0 = untracked, else pl_file + 1 */

static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real_close)(int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_unlink)(const char *);

static void init(void)
{
    real_open = dlsym(RTLD_NEXT, "open");
    real_open64 = dlsym(RTLD_NEXT, "open64");
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_openat64 = dlsym(RTLD_NEXT, "openat64");
    real_close = dlsym(RTLD_NEXT, "close");
    real_write = dlsym(RTLD_NEXT, "write");
    real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    real_writev = dlsym(RTLD_NEXT, "writev");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
    real_ftruncate64 = dlsym(RTLD_NEXT, "ftruncate64");
    real_unlink = dlsym(RTLD_NEXT, "unlink");
    const char *t = getenv("TOTE_PL_TRACK");
    if (t && *t && strlen(t) < sizeof track - 16) {
        strcpy(track, t);
        track_len = strlen(track);
    }
    const char *f = getenv("TOTE_PL_FULL_FLAG");
    if (f && *f && strlen(f) < sizeof full_flag)
        strcpy(full_flag, f);
    const char *sf = getenv("TOTE_PL_SYNC_FAIL_FLAG");
    if (sf && *sf && strlen(sf) < sizeof sync_fail_flag)
        strcpy(sync_fail_flag, sf);
    const char *sd = getenv("TOTE_PL_SYNC_DELAY_MS");
    if (sd && atoi(sd) > 0)
        sync_delay_ms = atoi(sd);
    const char *j = getenv("TOTE_PL_JOURNAL");
    if (j && *j && track_len)
        journal_fd = (int)syscall(SYS_openat, AT_FDCWD, j, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

static void ensure_init(void)
{
    pthread_once(&once, init);
}

/* Which tracked file path is, or PL_NOFILE. */
static int classify(const char *path)
{
    if (!track_len || !path)
        return PL_NOFILE;
    if (strncmp(path, track, track_len) != 0)
        return PL_NOFILE;
    const char *rest = path + track_len;
    if (!*rest)
        return PL_DB;
    if (strcmp(rest, "-wal") == 0)
        return PL_WAL;
    if (strcmp(rest, "-journal") == 0)
        return PL_JOURNAL;
    return PL_NOFILE;
}

static int tracked(int fd)
{
    if (fd < 0 || fd >= MAX_FD)
        return PL_NOFILE;
    return fd_file[fd] ? fd_file[fd] - 1 : PL_NOFILE;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_i64(uint8_t *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)((uint64_t)v >> (8 * i));
}

/* One record, one write(2): O_APPEND keeps records from several processes whole. */
static void record(int type, int file, int64_t off, const void *data, size_t len)
{
    if (journal_fd < 0)
        return;
    size_t total = PL_HEADER_SIZE + len;
    uint8_t stackbuf[16384];
    uint8_t *buf = total <= sizeof stackbuf ? stackbuf : malloc(total);
    if (!buf)
        abort(); /* losing a record would make the simulation lie */
    put_u32(buf, PL_MAGIC);
    buf[4] = (uint8_t)type;
    buf[5] = (uint8_t)file;
    buf[6] = buf[7] = 0;
    put_u32(buf + 8, (uint32_t)getpid());
    put_i64(buf + 12, off);
    put_u32(buf + 20, (uint32_t)len);
    if (len)
        memcpy(buf + PL_HEADER_SIZE, data, len);
    size_t done = 0;
    while (done < total) {
        long n = syscall(SYS_write, journal_fd, buf + done, total - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    if (buf != stackbuf)
        free(buf);
}

static void note_open(int fd, const char *path)
{
    if (fd < 0 || fd >= MAX_FD)
        return;
    int f = classify(path);
    fd_file[fd] = f == PL_NOFILE ? 0 : (unsigned char)(f + 1);
}

/* Full disk: a write that would grow a tracked file fails. */
static int disk_full(int fd, int64_t off, size_t len)
{
    if (!full_flag[0])
        return 0;
    struct stat st;
    if (stat(full_flag, &st) != 0)
        return 0;
    if (fstat(fd, &st) != 0)
        return 0;
    if (off < 0)
        off = lseek(fd, 0, SEEK_CUR);
    return off + (int64_t)len > (int64_t)st.st_size;
}

static mode_t open_mode(int flags, va_list ap)
{
    if (flags & (O_CREAT | O_TMPFILE))
        return (mode_t)va_arg(ap, int);
    return 0;
}

int open(const char *path, int flags, ...)
{
    ensure_init();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = open_mode(flags, ap);
    va_end(ap);
    int fd = real_open(path, flags, mode);
    note_open(fd, path);
    return fd;
}

int open64(const char *path, int flags, ...)
{
    ensure_init();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = open_mode(flags, ap);
    va_end(ap);
    int fd = real_open64 ? real_open64(path, flags, mode) : real_open(path, flags, mode);
    note_open(fd, path);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    ensure_init();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = open_mode(flags, ap);
    va_end(ap);
    int fd = real_openat(dirfd, path, flags, mode);
    note_open(fd, path);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    ensure_init();
    va_list ap;
    va_start(ap, flags);
    mode_t mode = open_mode(flags, ap);
    va_end(ap);
    int fd = real_openat64 ? real_openat64(dirfd, path, flags, mode) : real_openat(dirfd, path, flags, mode);
    note_open(fd, path);
    return fd;
}

int close(int fd)
{
    ensure_init();
    if (fd >= 0 && fd < MAX_FD)
        fd_file[fd] = 0;
    return real_close(fd);
}

static ssize_t do_pwrite(ssize_t (*fn)(int, const void *, size_t, off_t), int fd, const void *buf, size_t n,
                         off_t off)
{
    int f = tracked(fd);
    if (f == PL_NOFILE)
        return fn(fd, buf, n, off);
    if (disk_full(fd, off, n)) {
        errno = ENOSPC;
        return -1;
    }
    pthread_mutex_lock(&lock);
    ssize_t r = fn(fd, buf, n, off);
    if (r > 0)
        record(PL_WRITE, f, off, buf, (size_t)r);
    pthread_mutex_unlock(&lock);
    return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    ensure_init();
    return do_pwrite(real_pwrite, fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    ensure_init();
    return do_pwrite(real_pwrite64 ? real_pwrite64 : real_pwrite, fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    ensure_init();
    int f = tracked(fd);
    if (f == PL_NOFILE)
        return real_write(fd, buf, n);
    pthread_mutex_lock(&lock);
    off_t off = lseek(fd, 0, SEEK_CUR);
    if (disk_full(fd, off, n)) {
        pthread_mutex_unlock(&lock);
        errno = ENOSPC;
        return -1;
    }
    ssize_t r = real_write(fd, buf, n);
    if (r > 0)
        record(PL_WRITE, f, off, buf, (size_t)r);
    pthread_mutex_unlock(&lock);
    return r;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    ensure_init();
    int f = tracked(fd);
    if (f == PL_NOFILE)
        return real_writev(fd, iov, cnt);
    /* not used by SQLite; done as separate writes so each is journalled */
    ssize_t total = 0;
    for (int i = 0; i < cnt; i++) {
        ssize_t r = write(fd, iov[i].iov_base, iov[i].iov_len);
        if (r < 0)
            return total ? total : -1;
        total += r;
        if ((size_t)r < iov[i].iov_len)
            break;
    }
    return total;
}

static int do_sync(int (*fn)(int), int fd)
{
    int f = tracked(fd);
    struct stat sb;
    if (f != PL_NOFILE && sync_fail_flag[0] && stat(sync_fail_flag, &sb) == 0) {
        errno = EIO;
        return -1;
    }
    /* where the journal ends as the sync begins: only what was written
     * before it is sure to be covered (a write made while fdatasync runs
     * may or may not be), and the SYNC record says so (journal.h) */
    int64_t began = 0;
    if (f != PL_NOFILE && journal_fd >= 0) {
        pthread_mutex_lock(&lock);
        off_t end = lseek(journal_fd, 0, SEEK_END);
        pthread_mutex_unlock(&lock);
        began = end >= 0 ? (int64_t)end + 1 : 0;
    }
    if (f != PL_NOFILE && sync_delay_ms > 0) {
        struct timespec ts = {sync_delay_ms / 1000, (long)(sync_delay_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    int r = fn(fd);
    if (r == 0 && f != PL_NOFILE) {
        pthread_mutex_lock(&lock);
        record(PL_SYNC, f, began, NULL, 0);
        pthread_mutex_unlock(&lock);
    }
    return r;
}

int fsync(int fd)
{
    ensure_init();
    return do_sync(real_fsync, fd);
}

int fdatasync(int fd)
{
    ensure_init();
    return do_sync(real_fdatasync ? real_fdatasync : real_fsync, fd);
}

static int do_truncate(int (*fn)(int, off_t), int fd, off_t len)
{
    int f = tracked(fd);
    if (f == PL_NOFILE)
        return fn(fd, len);
    if (disk_full(fd, len, 0)) {
        errno = ENOSPC;
        return -1;
    }
    pthread_mutex_lock(&lock);
    int r = fn(fd, len);
    if (r == 0)
        record(PL_TRUNC, f, len, NULL, 0);
    pthread_mutex_unlock(&lock);
    return r;
}

int ftruncate(int fd, off_t len)
{
    ensure_init();
    return do_truncate(real_ftruncate, fd, len);
}

int ftruncate64(int fd, off_t len)
{
    ensure_init();
    return do_truncate(real_ftruncate64 ? real_ftruncate64 : real_ftruncate, fd, len);
}

int unlink(const char *path)
{
    ensure_init();
    int f = classify(path);
    if (f == PL_NOFILE)
        return real_unlink(path);
    pthread_mutex_lock(&lock);
    int r = real_unlink(path);
    if (r == 0)
        record(PL_UNLINK, f, 0, NULL, 0);
    pthread_mutex_unlock(&lock);
    return r;
}
