/* Reading the power-loss journal and rebuilding files from it (journal.h). */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct pl_journal {
    uint8_t *bytes;
    size_t size;
    pl_rec *recs;
    size_t n;
};

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t get_i64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return (int64_t)v;
}

pl_journal *pl_journal_load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    pl_journal *j = calloc(1, sizeof *j);
    struct stat st;
    if (!j || fstat(fileno(f), &st) != 0) {
        fclose(f);
        free(j);
        return NULL;
    }
    j->size = (size_t)st.st_size;
    j->bytes = malloc(j->size ? j->size : 1);
    if (!j->bytes || fread(j->bytes, 1, j->size, f) != j->size) {
        fclose(f);
        pl_journal_free(&j);
        return NULL;
    }
    fclose(f);
    size_t cap = 0, off = 0;
    while (off + PL_HEADER_SIZE <= j->size) {
        const uint8_t *h = j->bytes + off;
        if (get_u32(h) != PL_MAGIC)
            break;
        uint32_t len = get_u32(h + 20);
        if (off + PL_HEADER_SIZE + len > j->size)
            break;
        if (j->n == cap) {
            cap = cap ? cap * 2 : 1024;
            pl_rec *r = realloc(j->recs, cap * sizeof *r);
            if (!r) {
                pl_journal_free(&j);
                return NULL;
            }
            j->recs = r;
        }
        pl_rec *r = &j->recs[j->n++];
        r->type = h[4];
        r->file = h[5];
        r->pid = get_u32(h + 8);
        r->off = get_i64(h + 12);
        r->len = len;
        r->data = h + PL_HEADER_SIZE;
        r->at = off;
        off += PL_HEADER_SIZE + len;
    }
    return j;
}

void pl_journal_free(pl_journal **jp)
{
    if (!jp || !*jp)
        return;
    free((*jp)->bytes);
    free((*jp)->recs);
    free(*jp);
    *jp = NULL;
}

size_t pl_journal_count(const pl_journal *j)
{
    return j->n;
}

const pl_rec *pl_journal_rec(const pl_journal *j, size_t i)
{
    return i < j->n ? &j->recs[i] : NULL;
}

int pl_journal_mark(const char *path, const char *text)
{
    size_t len = strlen(text);
    size_t total = PL_HEADER_SIZE + len;
    uint8_t *buf = calloc(1, total);
    if (!buf)
        return -1;
    uint32_t v[3] = {PL_MAGIC, (uint32_t)getpid(), (uint32_t)len};
    for (int i = 0; i < 4; i++) {
        buf[i] = (uint8_t)(v[0] >> (8 * i));
        buf[8 + i] = (uint8_t)(v[1] >> (8 * i));
        buf[20 + i] = (uint8_t)(v[2] >> (8 * i));
    }
    buf[4] = PL_MARK;
    buf[5] = PL_NOFILE;
    memcpy(buf + PL_HEADER_SIZE, text, len);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd >= 0) {
        rc = write(fd, buf, total) == (ssize_t)total ? 0 : -1;
        close(fd);
    }
    free(buf);
    return rc;
}

const char *pl_mode_name(pl_mode m)
{
    switch (m) {
    case PL_KEEP:
        return "keep";
    case PL_DROP:
        return "drop";
    case PL_RANDOM:
        return "random";
    case PL_TORN:
        return "torn";
    }
    return "?";
}

typedef struct vfile {
    int exists;
    uint8_t *data;
    size_t size, cap;
} vfile;

static int vf_resize(vfile *f, size_t size)
{
    if (size > f->cap) {
        size_t cap = f->cap ? f->cap : 65536;
        while (cap < size)
            cap *= 2;
        uint8_t *d = realloc(f->data, cap);
        if (!d)
            return -1;
        f->data = d;
        f->cap = cap;
    }
    if (size > f->size)
        memset(f->data + f->size, 0, size - f->size);
    f->size = size;
    return 0;
}

static int vf_write(vfile *f, int64_t off, const uint8_t *p, size_t n)
{
    f->exists = 1;
    if ((size_t)off + n > f->size && vf_resize(f, (size_t)off + n) != 0)
        return -1;
    memcpy(f->data + off, p, n);
    return 0;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int write_out(const char *path, const vfile *f)
{
    unlink(path);
    if (!f->exists)
        return 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < f->size) {
        ssize_t n = write(fd, f->data + done, f->size - done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return close(fd);
}

static int write_files(vfile *files, const char *out_db)
{
    static const char *suffix[PL_NFILES] = {"", "-wal", "-journal"};
    char path[4200];
    snprintf(path, sizeof path, "%s-shm", out_db);
    unlink(path);
    for (int k = 0; k < PL_NFILES; k++) {
        snprintf(path, sizeof path, "%s%s", out_db, suffix[k]);
        if (write_out(path, &files[k]) != 0)
            return -1;
    }
    return 0;
}

/* Applies one record with nothing lost. */
static int apply_keep(vfile *files, const pl_rec *r)
{
    if (r->file >= PL_NFILES)
        return 0;
    vfile *f = &files[r->file];
    switch (r->type) {
    case PL_WRITE:
        return vf_write(f, r->off, r->data, r->len);
    case PL_TRUNC:
        f->exists = 1;
        if ((size_t)r->off > f->size)
            return vf_resize(f, (size_t)r->off);
        f->size = (size_t)r->off;
        return 0;
    case PL_UNLINK:
        f->exists = 0;
        f->size = 0;
        return 0;
    default:
        return 0;
    }
}

struct pl_cursor {
    const pl_journal *j;
    size_t pos;
    vfile files[PL_NFILES];
};

pl_cursor *pl_cursor_new(const pl_journal *j)
{
    pl_cursor *c = calloc(1, sizeof *c);
    if (c)
        c->j = j;
    return c;
}

int pl_cursor_advance(pl_cursor *c, size_t pos)
{
    if (pos < c->pos)
        return -1;
    if (pos > c->j->n)
        pos = c->j->n;
    for (; c->pos < pos; c->pos++)
        if (apply_keep(c->files, &c->j->recs[c->pos]) != 0)
            return -1;
    return 0;
}

int pl_cursor_write(const pl_cursor *c, const char *out_db)
{
    return write_files((vfile *)c->files, out_db);
}

void pl_cursor_free(pl_cursor **cp)
{
    if (!cp || !*cp)
        return;
    for (int k = 0; k < PL_NFILES; k++)
        free((*cp)->files[k].data);
    free(*cp);
    *cp = NULL;
}

int pl_rebuild(const pl_journal *j, size_t crash, pl_mode mode, uint64_t seed, const char *out_db)
{
    if (crash > j->n)
        crash = j->n;
    /* per file, the records before this journal position are durable: the
     * furthest point a sync of that file had reached when it began, of the
     * syncs that returned before the crash */
    uint64_t durable[PL_NFILES] = {0, 0, 0};
    for (size_t i = 0; i < crash; i++) {
        const pl_rec *r = &j->recs[i];
        if (r->type != PL_SYNC || r->file >= PL_NFILES)
            continue;
        uint64_t upto = r->off > 0 ? (uint64_t)r->off - 1 : r->at;
        if (upto > durable[r->file])
            durable[r->file] = upto;
    }
    vfile files[PL_NFILES];
    memset(files, 0, sizeof files);
    uint64_t rng = seed ^ ((uint64_t)crash << 32) ^ 0x5DEECE66DULL;
    int rc = 0;
    for (size_t i = 0; i < crash && rc == 0; i++) {
        const pl_rec *r = &j->recs[i];
        if (r->file >= PL_NFILES)
            continue;
        vfile *f = &files[r->file];
        switch (r->type) {
        case PL_WRITE: {
            size_t n = r->len;
            if (r->at >= durable[r->file] && mode != PL_KEEP) {
                if (mode == PL_DROP)
                    break;
                if (splitmix(&rng) & 1)
                    break; /* this write never reached the disk */
                if (mode == PL_TORN) {
                    size_t sectors = (n + 511) / 512;
                    size_t k = (size_t)(splitmix(&rng) % (sectors + 1));
                    if (k * 512 < n)
                        n = k * 512;
                    if (n == 0)
                        break;
                }
            }
            rc = vf_write(f, r->off, r->data, n);
            break;
        }
        case PL_TRUNC:
            f->exists = 1;
            if ((size_t)r->off > f->size)
                rc = vf_resize(f, (size_t)r->off);
            else
                f->size = (size_t)r->off;
            break;
        case PL_UNLINK:
            f->exists = 0;
            f->size = 0;
            break;
        default:
            break;
        }
    }
    if (rc == 0)
        rc = write_files(files, out_db);
    for (int k = 0; k < PL_NFILES; k++)
        free(files[k].data);
    return rc;
}
