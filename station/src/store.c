/*
 * The store: opening, migrations, statement cache, transactions, audit
 * events, settings and counters. Domain SQL lives in the other store_*.c.
 */
#include "tote/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"
#include "store_tx.h"
#include "store_vfs.h"
#include "str_hash.h"

#define STMT_CACHE_INITIAL 256

struct stmt_slot {
    char *sql;
    sqlite3_stmt *stmt;
    unsigned hash;
};

/* Callers pass string literals, whose addresses are stable: a small
   direct-mapped table keyed by the pointer finds the statement without
   hashing the text. A miss falls back to the text table. */
#define STMT_FAST_SLOTS 512

struct stmt_fast {
    const char *key;
    sqlite3_stmt *stmt;
};

struct tote_store {
    sqlite3 *db;
    char *path;
    struct stmt_slot *cache; /* open addressing, grows at half load */
    size_t cache_cap;
    size_t cache_used;
    struct stmt_fast fast[STMT_FAST_SLOTS];
    char rollback_why[256]; /* SQLite's message for the error a rollback undid */
    long long busy_since;   /* ms, CLOCK_MONOTONIC: when the current wait for a lock began */
    store_profile *profile; /* TOTE_PROFILE_SQL=1, else NULL */
};

/* How long a connection waits for another's lock before SQLITE_BUSY. */
#define BUSY_MS 5000

/*
 * SQLite's own busy timeout sleeps 1, 2, 5 ... up to 100 ms between tries:
 * a writer that commits and begins again at once (an import's slices, the
 * station's loop) was then seen between two transactions only by chance,
 * and a command or a scan waited a second or two for a 250 ms slice. This
 * handler tries every 0.1 ms for the first 20 ms (the checkpoint thread's
 * FULL checkpoint holds the write lock for a millisecond or two between two
 * of the loop's batches, store_request.c), then every millisecond, up to
 * BUSY_MS (the importer leaves a few milliseconds between its slices for
 * it, import_main.c).
 */
static int busy_poll(void *arg, int count)
{
    struct tote_store *s = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if (count == 0)
        s->busy_since = ms;
    if (ms - s->busy_since >= BUSY_MS)
        return 0;
    struct timespec d = {0, ms - s->busy_since < 20 ? 100000 : 1000000};
    nanosleep(&d, NULL);
    return 1;
}

void store_busy_wait(tote_store *s, int wait)
{
    if (wait)
        sqlite3_busy_handler(s->db, busy_poll, s);
    else
        sqlite3_busy_handler(s->db, NULL, NULL);
}

int tote_store_schema_version(void)
{
    return tote_schema_migration_count;
}

__attribute__((format(printf, 1, 2))) static char *fmt_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

tote_st_err tote_store_map_rc(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return TOTE_ST_E_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return TOTE_ST_E_BUSY;
    case SQLITE_FULL:
        return TOTE_ST_E_FULL;
    case SQLITE_NOMEM:
        return TOTE_ST_E_NOMEM;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
        return TOTE_ST_E_IO;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return TOTE_ST_E_CORRUPT;
    case SQLITE_CONSTRAINT:
        return TOTE_ST_E_INVALID;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
        return TOTE_ST_E_DENIED;
    default:
        return TOTE_ST_E_DB;
    }
}

static int exec_sql(sqlite3 *db, const char *sql, char **err_msg, const char *what)
{
    char *e = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &e);
    if (rc != SQLITE_OK && err_msg)
        *err_msg = fmt_msg("%s: %s", what, e ? e : sqlite3_errstr(rc));
    sqlite3_free(e);
    return rc;
}

static int user_version(sqlite3 *db, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = sqlite3_column_int(st, 0);
            rc = SQLITE_OK;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

static tote_st_err migrate(tote_store *s, int flags, char **err_msg)
{
    int v = 0;
    int rc = user_version(s->db, &v);
    if (rc != SQLITE_OK) {
        if (err_msg)
            *err_msg = fmt_msg("%s is not a Tote database: %s", s->path, sqlite3_errmsg(s->db));
        return tote_store_map_rc(rc) == TOTE_ST_E_BUSY ? TOTE_ST_E_BUSY : TOTE_ST_E_CORRUPT;
    }
    if (v > tote_schema_migration_count) {
        if (err_msg)
            *err_msg = fmt_msg("%s has schema version %d, newer than this Tote understands (%d); "
                               "upgrade Tote before opening it",
                               s->path, v, tote_schema_migration_count);
        return TOTE_ST_E_SCHEMA_NEWER;
    }
    if (v == tote_schema_migration_count)
        return TOTE_ST_E_OK;
    if (flags & TOTE_STORE_READONLY) {
        /* reading it as it is would read the wrong tables and columns */
        if (err_msg)
            *err_msg = fmt_msg("%s has schema version %d, older than this Tote's %d, and a command that only "
                               "reads does not upgrade it: run 'tote init' (or any command that writes) once "
                               "as a user who can write %s",
                               s->path, v, tote_schema_migration_count, s->path);
        return TOTE_ST_E_STATE;
    }
    if (flags & TOTE_STORE_NO_MIGRATE) {
        if (err_msg)
            *err_msg = fmt_msg("%s has schema version %d; run 'tote init' to upgrade it to %d", s->path, v,
                               tote_schema_migration_count);
        return TOTE_ST_E_STATE;
    }
    for (; v < tote_schema_migration_count; v++) {
        if (exec_sql(s->db, "BEGIN IMMEDIATE", err_msg, "cannot start migration") != SQLITE_OK)
            return TOTE_ST_E_BUSY;
        /* re-check inside the write lock: another process may have migrated */
        int now = 0;
        if (user_version(s->db, &now) == SQLITE_OK && now > v) {
            exec_sql(s->db, "ROLLBACK", NULL, "");
            v = now - 1;
            continue;
        }
        char what[64];
        snprintf(what, sizeof what, "migration %d failed", v + 1);
        rc = exec_sql(s->db, tote_schema_migrations[v], err_msg, what);
        if (rc == SQLITE_OK) {
            char pragma[64];
            snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
            rc = exec_sql(s->db, pragma, err_msg, what);
        }
        if (rc == SQLITE_OK)
            rc = exec_sql(s->db, "COMMIT", err_msg, what);
        if (rc != SQLITE_OK) {
            exec_sql(s->db, "ROLLBACK", NULL, "");
            return tote_store_map_rc(rc) == TOTE_ST_E_OK ? TOTE_ST_E_DB : tote_store_map_rc(rc);
        }
    }
    return TOTE_ST_E_OK;
}

/* The directory part of path ("." for a bare name) into dir. */
static void dir_of(const char *path, char *dir, size_t cap)
{
    snprintf(dir, cap, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, cap, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

/* 1 if path + suffix exists. */
static int side_file_exists(const char *path, const char *suffix)
{
    char p[4200];
    snprintf(p, sizeof p, "%s%s", path, suffix);
    struct stat sb;
    return stat(p, &sb) == 0 || errno != ENOENT;
}

/* Why this user cannot write the database at path, as a sentence for the
 * user: the file, its -wal or -shm, or the directory SQLite must create
 * those in. NULL when none of them is seen to be the cause. */
static char *not_writable_msg(const char *path)
{
    static const char also[] = "commands that only read, such as 'tote order list', still work";
    if (access(path, W_OK) != 0)
        return fmt_msg("cannot write to %s: the file is not writable by this user (%s)", path, also);
    int missing = 0;
    static const char *const suffixes[] = {"-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char side[4200];
        snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
        if (access(side, F_OK) != 0)
            missing = 1;
        else if (access(side, W_OK) != 0)
            return fmt_msg("cannot write to %s: %s is not writable by this user (%s)", path, side, also);
    }
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    if (missing && access(dir, W_OK) != 0)
        return fmt_msg("cannot write to %s: its directory %s is not writable by this user, and SQLite "
                       "creates %s-wal and %s-shm there to write (%s)",
                       path, dir, path, path, also);
    return NULL;
}

/* 1 if configuring a freshly opened database failed for want of space:
   SQLite saw ENOSPC, or an I/O error with nothing free beside the file. */
static int open_failed_for_space(sqlite3 *db, int rc, const char *path)
{
    if ((rc & 0xff) == SQLITE_FULL || sqlite3_system_errno(db) == ENOSPC)
        return 1;
    if ((rc & 0xff) != SQLITE_IOERR)
        return 0;
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    struct statvfs vfs;
    return statvfs(dir, &vfs) == 0 && vfs.f_blocks > 0 && vfs.f_bavail == 0;
}

/* Once per process, before SQLite initialises itself: no memory statistics.
 * They are kept behind a global mutex taken on every allocation (about 5 %
 * of a scan's instructions in `tote serve`), and nothing reads them. If
 * SQLite was initialised already, the call is refused and changes nothing. */
static void store_global_config(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* "file:" URI of path, made absolute, opening it immutable (SQLITE_OPEN_URI);
 * malloc'd, NULL on error. */
static char *immutable_uri(const char *path)
{
    char *abs = realpath(path, NULL);
    if (!abs)
        return NULL;
    static const char tail[] = "?immutable=1";
    char *u = malloc(5 + strlen(abs) * 3 + sizeof tail);
    if (u) {
        static const char hex[] = "0123456789abcdef";
        char *o = u + 5;
        memcpy(u, "file:", 5);
        for (const unsigned char *c = (const unsigned char *)abs; *c; c++) {
            if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                strchr("/._~-", *c)) {
                *o++ = (char)*c;
            } else { /* '?', '#', '%', spaces...: SQLite decodes %HH in a URI's path */
                *o++ = '%';
                *o++ = hex[*c >> 4];
                *o++ = hex[*c & 15];
            }
        }
        memcpy(o, tail, sizeof tail);
    }
    free(abs);
    return u;
}

/* Opens s->db for TOTE_STORE_READONLY (store.h says what the reader sees)
 * and reads the header once; the schema is checked by migrate() after. */
static tote_st_err open_readonly(tote_store *s, char **err_msg)
{
    const char *path = s->path;
    if (access(path, R_OK) != 0) {
        int e = errno;
        if (err_msg)
            *err_msg = fmt_msg("cannot read %s: %s", path, strerror(e));
        return e == EACCES || e == EPERM ? TOTE_ST_E_DENIED : TOTE_ST_E_IO;
    }
    int rc = SQLITE_OK;
    /* a writer that starts between two looks at the -wal makes one more try */
    int raced = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        raced = 0;
        sqlite3_close(s->db);
        s->db = NULL;
        rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, store_vfs_name());
        int v = 0;
        if (rc == SQLITE_OK) {
            sqlite3_extended_result_codes(s->db, 1);
            sqlite3_busy_handler(s->db, busy_poll, s);
            rc = user_version(s->db, &v);
        }
        /* a WAL database with no -wal, in a directory this user cannot
         * write: SQLite cannot make the -wal and -shm it reads through. With
         * no -wal, every commit is in the file itself: read it immutable. */
        if (rc != SQLITE_READONLY_DIRECTORY || side_file_exists(path, "-wal"))
            break;
        char *uri = immutable_uri(path);
        if (!uri)
            return TOTE_ST_E_NOMEM;
        sqlite3_close(s->db);
        s->db = NULL;
        rc = sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
                             store_vfs_name());
        free(uri);
        if (rc == SQLITE_OK) {
            sqlite3_extended_result_codes(s->db, 1);
            rc = user_version(s->db, &v);
        }
        if (rc != SQLITE_OK || !side_file_exists(path, "-wal"))
            break;
        /* a writer started meanwhile: what is read immutable may be stale */
        raced = 1;
    }
    if (raced) {
        if (err_msg)
            *err_msg = fmt_msg("cannot read %s: it kept changing while it was being opened; try again", path);
        return TOTE_ST_E_BUSY;
    }
    if (rc != SQLITE_OK && s->db && ((rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_READONLY) &&
        side_file_exists(path, "-wal")) {
        char dir[4096];
        dir_of(path, dir, sizeof dir);
        if (err_msg)
            *err_msg = fmt_msg("cannot read %s: its last changes are in %s-wal, and reading them needs "
                               "%s-shm, which this user can neither read nor create in %s (a command that "
                               "writes, run by a user who can write %s, folds them into the file)",
                               path, path, path, dir, path);
        return TOTE_ST_E_DENIED;
    }
    if (rc != SQLITE_OK && (!s->db || (rc & 0xff) == SQLITE_CANTOPEN)) {
        if (err_msg)
            *err_msg =
                fmt_msg("cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        return tote_store_map_rc(rc);
    }
    /* other errors (not SQLite, busy) are migrate()'s to tell */
    return TOTE_ST_E_OK;
}

tote_st_err tote_store_open(const char *path, int flags, tote_store **out, char **err_msg)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, store_global_config);
    *out = NULL;
    if (err_msg)
        *err_msg = NULL;
    if ((flags & TOTE_STORE_READONLY) && (flags & TOTE_STORE_CREATE)) {
        if (err_msg)
            *err_msg = fmt_msg("cannot create %s read-only", path);
        return TOTE_ST_E_INVALID;
    }
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (!exists && !(flags & TOTE_STORE_CREATE)) {
        if (err_msg)
            *err_msg = fmt_msg("no database at %s (run 'tote init' or pass --db PATH)", path);
        return TOTE_ST_E_NOT_FOUND;
    }
    /* an empty file is no database either (SQLite would make one of it,
       quietly, on a read command) */
    if (exists && S_ISREG(sb.st_mode) && sb.st_size == 0 && !(flags & TOTE_STORE_CREATE)) {
        if (err_msg)
            *err_msg =
                fmt_msg("no database at %s: the file is empty (run 'tote init' to make one there)", path);
        return TOTE_ST_E_NOT_FOUND;
    }
    if (!exists) {
        /* create with mode 0640: the file's permissions are the boundary */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0640);
        if (fd < 0 && errno != EEXIST) {
            if (err_msg)
                *err_msg = fmt_msg("cannot create %s: %s", path, strerror(errno));
            return errno == EACCES ? TOTE_ST_E_DENIED : TOTE_ST_E_IO;
        }
        if (fd >= 0) {
            fchmod(fd, 0640);
            close(fd);
        }
    }
    tote_store *s = calloc(1, sizeof *s);
    if (!s)
        return TOTE_ST_E_NOMEM;
    s->path = strdup(path);
    if (!s->path) {
        free(s);
        return TOTE_ST_E_NOMEM;
    }
    if (flags & TOTE_STORE_READONLY) {
        tote_st_err e = open_readonly(s, err_msg);
        if (e == TOTE_ST_E_OK) {
            /* a failure here is the header's or the schema's: migrate() says which */
            exec_sql(s->db,
                     "PRAGMA query_only=ON; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
                     "PRAGMA temp_store=MEMORY;",
                     NULL, "");
            e = migrate(s, flags, err_msg);
        }
        if (e != TOTE_ST_E_OK) {
            tote_store_destroy(&s);
            return e;
        }
        s->profile = store_profile_start(s->db);
        *out = s;
        return TOTE_ST_E_OK;
    }
    /* NOMUTEX: a store's connection is used by one thread at a time (the
     * spooler and the checkpointer open connections of their own; the WAL
     * syncer only fdatasync()s its own descriptor), so SQLite's per-call
     * connection mutex is pure cost: bench_instr counts the difference. */
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, store_vfs_name());
    if (rc != SQLITE_OK) {
        if (err_msg)
            *err_msg =
                fmt_msg("cannot open %s: %s", path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        tote_st_err e = tote_store_map_rc(rc);
        tote_store_destroy(&s);
        return e;
    }
    /* SQLite opens a file it may not write read-only without a word, and a
     * -wal, -shm or directory this user cannot write fails only at the
     * first write: say so now, naming what is not writable */
    char *why = not_writable_msg(path);
    if (!why && sqlite3_db_readonly(s->db, "main") == 1)
        why = fmt_msg("cannot write to %s: SQLite opened it read-only", path);
    if (why) {
        if (err_msg)
            *err_msg = why;
        else
            free(why);
        tote_store_destroy(&s);
        return TOTE_ST_E_DENIED;
    }
    sqlite3_busy_handler(s->db, busy_poll, s);
    sqlite3_extended_result_codes(s->db, 1);
    const char *pragmas = store_unsynced()
                              ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                              : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
    rc = exec_sql(s->db, pragmas, err_msg, "cannot configure the database");
    /* room for big set-based statements (a wave over 100,000 lines sorts in
       memory instead of spilling to temporary files): up to 64 MiB of cache */
    if (rc == SQLITE_OK)
        rc = exec_sql(s->db, "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;", err_msg,
                      "cannot configure the database");
    if (rc != SQLITE_OK) {
        tote_st_err e = tote_store_map_rc(rc);
        if (err_msg && *err_msg && (rc & 0xff) == SQLITE_NOTADB) {
            free(*err_msg);
            *err_msg = fmt_msg("%s is not a Tote database (not SQLite)", path);
        } else if (open_failed_for_space(s->db, rc, path)) {
            /* not a byte free: SQLite cannot size the -shm and says "disk I/O error" */
            e = TOTE_ST_E_FULL;
            if (err_msg) {
                free(*err_msg);
                *err_msg = fmt_msg("disk full: cannot open %s, no space is left on its file system", path);
            }
        }
        tote_store_destroy(&s);
        return e == TOTE_ST_E_OK ? TOTE_ST_E_DB : e;
    }
    tote_st_err e = migrate(s, flags, err_msg);
    if (e != TOTE_ST_E_OK) {
        tote_store_destroy(&s);
        return e;
    }
    s->profile = store_profile_start(s->db);
    *out = s;
    return TOTE_ST_E_OK;
}

void tote_store_destroy(tote_store **sp)
{
    if (!sp || !*sp)
        return;
    tote_store *s = *sp;
    store_profile_finish(&s->profile, s->path);
    for (size_t i = 0; i < s->cache_cap; i++) {
        sqlite3_finalize(s->cache[i].stmt);
        free(s->cache[i].sql);
    }
    free(s->cache);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
    *sp = NULL;
}

sqlite3 *tote_store_db(tote_store *s)
{
    return s->db;
}

long long tote_store_data_version(tote_store *s)
{
    sqlite3_stmt *st = tote_store_stmt(s, "PRAGMA data_version");
    if (!st)
        return -1;
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return v;
}

const char *tote_store_path(const tote_store *s)
{
    return s->path;
}

const char *tote_store_errmsg(tote_store *s)
{
    /* the ROLLBACK after a failed statement resets SQLite's own message */
    if (s->rollback_why[0] && sqlite3_errcode(s->db) == SQLITE_OK)
        return s->rollback_why;
    return sqlite3_errmsg(s->db);
}

static int cache_grow(tote_store *s)
{
    size_t cap = s->cache_cap ? s->cache_cap * 2 : STMT_CACHE_INITIAL;
    struct stmt_slot *n = calloc(cap, sizeof *n);
    if (!n)
        return -1;
    for (size_t i = 0; i < s->cache_cap; i++) {
        if (!s->cache[i].sql)
            continue;
        size_t j = s->cache[i].hash % cap;
        while (n[j].sql)
            j = (j + 1) % cap;
        n[j] = s->cache[i];
    }
    free(s->cache);
    s->cache = n;
    s->cache_cap = cap;
    return 0;
}

static sqlite3_stmt *stmt_by_text(tote_store *s, const char *sql);

sqlite3_stmt *tote_store_stmt(tote_store *s, const char *sql)
{
    struct stmt_fast *f = &s->fast[((uintptr_t)sql >> 3) % STMT_FAST_SLOTS];
    sqlite3_stmt *st = NULL;
    /* the key must still hold the same text: a stack buffer may be reused */
    if (f->key == sql && f->stmt && strcmp(sqlite3_sql(f->stmt), sql) == 0) {
        st = f->stmt;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    st = stmt_by_text(s, sql);
    if (st) {
        f->key = sql;
        f->stmt = st;
    }
    return st;
}

static sqlite3_stmt *stmt_by_text(tote_store *s, const char *sql)
{
    if ((s->cache_used + 1) * 2 > s->cache_cap && cache_grow(s) != 0)
        return NULL;
    unsigned h = tote_str_hash(sql);
    size_t i = h % s->cache_cap;
    for (;; i = (i + 1) % s->cache_cap) {
        struct stmt_slot *slot = &s->cache[i];
        if (!slot->sql)
            break;
        if (slot->hash == h && strcmp(slot->sql, sql) == 0) {
            sqlite3_reset(slot->stmt);
            sqlite3_clear_bindings(slot->stmt);
            return slot->stmt;
        }
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return NULL;
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        return NULL;
    }
    s->cache[i] = (struct stmt_slot){.sql = copy, .stmt = st, .hash = h};
    s->cache_used++;
    return st;
}

tote_st_err tote_store_begin(tote_store *s)
{
    s->rollback_why[0] = '\0';
    sqlite3_stmt *st = tote_store_stmt(s, "BEGIN IMMEDIATE");
    if (!st)
        return TOTE_ST_E_DB;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_store_commit(tote_store *s)
{
    sqlite3_stmt *st = tote_store_stmt(s, "COMMIT");
    if (!st)
        return TOTE_ST_E_DB;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return TOTE_ST_E_OK;
    tote_st_err e = tote_store_map_rc(rc);
    return e == TOTE_ST_E_OK ? TOTE_ST_E_DB : e;
}

void tote_store_rollback(tote_store *s)
{
    if (sqlite3_get_autocommit(s->db))
        return;
    int rc = sqlite3_errcode(s->db);
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        snprintf(s->rollback_why, sizeof s->rollback_why, "%s", sqlite3_errmsg(s->db));
    else
        s->rollback_why[0] = '\0';
    sqlite3_stmt *st = tote_store_stmt(s, "ROLLBACK");
    if (st) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
}

int store_unsynced(void)
{
    const char *sync = getenv("TOTE_SYNC");
    return sync && strcmp(sync, "normal") == 0;
}

void tote_store_now(char buf[32])
{
    const char *fixed = getenv("TOTE_NOW");
    if (fixed && *fixed) {
        snprintf(buf, 32, "%s", fixed);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* the date and time of day change once a second: format them then (an
     * import or a busy station asks many times a second) */
    static _Thread_local time_t sec = -1;
    static _Thread_local char date[24];
    if (ts.tv_sec != sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        if (strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
            memcpy(date, "1970-01-01T00:00:00", 20);
        sec = ts.tv_sec;
    }
    int ms = (int)(ts.tv_nsec / 1000000);
    memcpy(buf, date, 19);
    buf[19] = '.';
    buf[20] = (char)('0' + ms / 100);
    buf[21] = (char)('0' + ms / 10 % 10);
    buf[22] = (char)('0' + ms % 10);
    buf[23] = 'Z';
    buf[24] = '\0';
}

tote_st_err tote_store_event(tote_store *s, const char *actor, const char *device, const char *kind,
                             const char *subject_type, const char *subject, const char *detail_json)
{
    sqlite3_stmt *st = tote_store_stmt(s, "INSERT INTO event(at, actor, device, kind, subject_type, subject, "
                                          "detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 2, actor);
    store_bind_text_or_null(st, 3, device);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_TRANSIENT);
    store_bind_text_or_null(st, 5, subject_type);
    store_bind_text_or_null(st, 6, subject);
    store_bind_text_or_null(st, 7, detail_json);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

const char *tote_store_setting_get(tote_store *s, const char *key, const char *def, char *buf, size_t cap)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT value FROM setting WHERE key = ?1");
    const char *v = def;
    if (st) {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = (const char *)sqlite3_column_text(st, 0);
    }
    if (cap > 0)
        snprintf(buf, cap, "%s", v ? v : "");
    if (st)
        sqlite3_reset(st);
    return buf;
}

long long tote_store_setting_int(tote_store *s, const char *key, long long def)
{
    char buf[64];
    char defbuf[32];
    snprintf(defbuf, sizeof defbuf, "%lld", def);
    tote_store_setting_get(s, key, defbuf, buf, sizeof buf);
    char *end = NULL;
    long long v = strtoll(buf, &end, 10);
    return (end && *end == '\0' && end != buf) ? v : def;
}

tote_st_err tote_store_setting_set(tote_store *s, const char *key, const char *value)
{
    sqlite3_stmt *st = tote_store_stmt(s, "INSERT INTO setting(key, value) VALUES (?1, ?2) "
                                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_store_counter_next(tote_store *s, const char *name, long long *out)
{
    sqlite3_stmt *st = tote_store_stmt(s, "INSERT INTO counter(name, value) VALUES (?1, 1) "
                                          "ON CONFLICT(name) DO UPDATE SET value = value + 1 "
                                          "RETURNING value");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}
