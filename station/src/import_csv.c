/*
 * Streaming CSV reader over libcsv (IMPORT.md says why libcsv).
 *
 * libcsv is a push parser: it calls back per field and per record end. We
 * feed it one physical line (up to and including LF) per csv_parse() call,
 * so every callback happens on a known line: that is how each record gets
 * the line where it starts, even when quoted fields span lines. Completed
 * records wait in a small queue (usually one) until tote_csv_next() hands
 * them out; their buffers are recycled, so reading a file allocates only
 * while records grow.
 */
#include <csv.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "import_internal.h"

#define CHUNK (256 * 1024)
/* Longest record we accept (a product's Body (HTML) can be long; a never
 * closed quote must not swallow memory without end). */
#define MAX_RECORD (8 * 1024 * 1024)
/* libcsv grows a field's buffer by a fixed block (128 bytes by default):
 * a long field meant one realloc per block, quadratic where realloc copies.
 * 64 KiB blocks keep an 8 MiB field to ~130 reallocs. */
#define FIELD_BLOCK (64 * 1024)
/* Most bytes handed to libcsv at once, so an overlong record is caught
 * within a segment of the limit however long its line is. */
#define SEGMENT_MAX (256 * 1024)

struct rowbuf {
    char *data; /* fields, each NUL-terminated */
    size_t dlen, dcap;
    size_t *off, *len;
    const char **ptr;
    size_t n, cap;
    long long line;
    const char *error;
    int nonempty; /* some field is non-empty */
    size_t vlen;  /* bytes of fields not kept (tote_csv_keep_only) */
};

/* A field of a simple record (fast_record): its bytes [s, e) between the
 * quotes if quoted, and how many "" pairs they hold. */
struct span {
    const unsigned char *s, *e;
    size_t escapes;
    int quoted;
};

struct tote_csv {
    FILE *f;
    const unsigned char *mem; /* memory source, or the chunk buffer of a file */
    size_t mem_len, mem_pos;
    unsigned char *chunk;
    long long total, done;
    int started, eof, finished;
    char *fatal;

    struct csv_parser p;
    int p_ready;
    long long cur_line; /* line of the bytes being fed */
    long long rec_line; /* line where the open record started */
    int row_open;
    int skipping; /* after a quoting error: drop bytes up to the next LF */

    struct rowbuf cur;
    struct rowbuf *q;
    size_t qn, qcap, qhead;

    char **hdr;
    size_t nhdr;
    long only_col;      /* >= 0: only this column's text is kept (tote_csv_keep_only) */
    int no_fast;        /* 1: every record through libcsv (tote_csv_set_fast) */
    struct span *spans; /* fast_record's fields */
    size_t spans_cap;
    int semicolon; /* 1: fields are separated by ';' (sniffed from the first line) */
    int encoding;  /* TOTE_CSV_ASCII until a field has a byte >= 0x80, then
                      TOTE_CSV_UTF8 or TOTE_CSV_WINDOWS_1252 for the whole file */
    char *conv;    /* a Windows-1252 field as UTF-8 */
    size_t conv_cap;
};

static const char ERR_QUOTE[] =
    "its quoting is broken (a quote inside an unquoted field, or text after a "
    "closing quote); fields that contain quotes must be quoted, with quotes doubled";
static const char ERR_UNCLOSED[] =
    "a quoted field that starts here is never closed; the rest of the file was "
    "read as part of it";
static const char ERR_NUL[] = "it contains a NUL byte (is the file UTF-16 or binary?)";
static const char ERR_UTF8[] = "it is not valid UTF-8 text (save the file as UTF-8)";
static const char ERR_1252[] =
    "it has a byte that is not Windows-1252 text (0x81, 0x8D, 0x8F, 0x90 or 0x9D; save the file as UTF-8)";
static const char ERR_LONG[] = "the record is longer than 8 MiB";

static void rowbuf_free(struct rowbuf *b)
{
    free(b->data);
    free(b->off);
    free(b->len);
    free(b->ptr);
    memset(b, 0, sizeof *b);
}

static void rowbuf_reset(struct rowbuf *b)
{
    b->dlen = 0;
    b->vlen = 0;
    b->n = 0;
    b->error = NULL;
    b->nonempty = 0;
    b->line = 0;
}

static int set_fatal(tote_csv *r, const char *msg)
{
    if (!r->fatal)
        r->fatal = strdup(msg);
    r->finished = 1;
    return -1;
}

/* Windows-1252 bytes 0x80..0x9F as Unicode; 0 where the code page has no
 * character (0xA0..0xFF are U+00A0..U+00FF). */
static const unsigned short cp1252_80[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                             0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                             0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                             0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

/* s[0..n) from Windows-1252 into r->conv as UTF-8; its length, or -1 for a
 * byte the code page leaves undefined, -2 when out of memory. */
static long cp1252_to_utf8(tote_csv *r, const unsigned char *s, size_t n)
{
    if (r->conv_cap < 3 * n + 1) {
        char *c = realloc(r->conv, 3 * n + 1);
        if (!c)
            return -2;
        r->conv = c;
        r->conv_cap = 3 * n + 1;
    }
    unsigned char *o = (unsigned char *)r->conv;
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (c >= 0x80 && c < 0xA0 && !(c = cp1252_80[c - 0x80]))
            return -1;
        if (c < 0x80) {
            *o++ = (unsigned char)c;
        } else if (c < 0x800) {
            *o++ = (unsigned char)(0xC0 | c >> 6);
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (unsigned char)(0xE0 | c >> 12);
            *o++ = (unsigned char)(0x80 | (c >> 6 & 0x3F));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    return (long)(o - (unsigned char *)r->conv);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

static int rowbuf_add(struct rowbuf *b, const char *s, size_t n)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 32;
        size_t *no = realloc(b->off, nc * sizeof *no);
        if (!no)
            return -1;
        b->off = no;
        size_t *nl = realloc(b->len, nc * sizeof *nl);
        if (!nl)
            return -1;
        b->len = nl;
        const char **np = realloc(b->ptr, nc * sizeof *np);
        if (!np)
            return -1;
        b->ptr = np;
        b->cap = nc;
    }
    if (grow((void **)&b->data, &b->dcap, b->dlen + n + 1, 1) != 0)
        return -1;
    if (n)
        memcpy(b->data + b->dlen, s, n);
    b->data[b->dlen + n] = '\0';
    b->off[b->n] = b->dlen;
    b->len[b->n] = n;
    b->n++;
    b->dlen += n + 1;
    if (n)
        b->nonempty = 1;
    return 0;
}

/* 1 if s[0..n) has a byte >= 0x80 (eight bytes at a time). */
static int has_high(const unsigned char *s, size_t n)
{
    uint64_t acc = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        acc |= w;
    }
    for (; i < n; i++)
        acc |= s[i];
    return (acc & 0x8080808080808080ull) != 0;
}

/*
 * The file's encoding, decided by the first field (kept or not, in a broken
 * record or not) with a byte >= 0x80 and no NUL: everything before it was
 * ASCII, which reads the same either way. Valid UTF-8 makes the file UTF-8;
 * anything else makes it Windows-1252 (Excel's "CSV" on a Western Windows).
 */
static void decide_encoding(tote_csv *r, const void *s, size_t n)
{
    if (n == 0 || !has_high(s, n) || memchr(s, '\0', n))
        return;
    r->encoding = imp_utf8_valid(s, n) ? TOTE_CSV_UTF8 : TOTE_CSV_WINDOWS_1252;
}

/* rowbuf_add(b, "", 0) without a call when there is room (most fields of
 * the keep-only pass). */
static inline int rowbuf_add_empty(struct rowbuf *b)
{
    if (b->n == b->cap || b->dlen + 1 > b->dcap)
        return rowbuf_add(b, "", 0);
    b->data[b->dlen] = '\0';
    b->off[b->n] = b->dlen;
    b->len[b->n] = 0;
    b->n++;
    b->dlen++;
    return 0;
}

/* A field tote_csv_keep_only() does not keep, n bytes long: only what
 * decides where records end and whether one is blank. The encoding is the
 * caller's to decide first. */
static inline void skip_field(tote_csv *r, size_t n)
{
    struct rowbuf *b = &r->cur;
    if (b->dlen + b->vlen + n > MAX_RECORD) {
        if (!b->error)
            b->error = ERR_LONG;
        n = 0;
    }
    b->vlen += n;
    if (n)
        b->nonempty = 1;
    if (rowbuf_add_empty(b) != 0)
        set_fatal(r, "out of memory while reading CSV");
}

static void cb_field(void *s, size_t n, void *ud)
{
    tote_csv *r = ud;
    struct rowbuf *b = &r->cur;
    if (!s)
        n = 0;
    if (r->encoding == TOTE_CSV_ASCII)
        decide_encoding(r, s, n);
    if (r->only_col >= 0 && (long)b->n != r->only_col) {
        skip_field(r, n);
        return;
    }
    if (!b->error && n) {
        if (memchr(s, '\0', n)) {
            b->error = ERR_NUL;
        } else if (r->encoding == TOTE_CSV_WINDOWS_1252) {
            long m = cp1252_to_utf8(r, s, n);
            if (m == -2)
                set_fatal(r, "out of memory while reading CSV");
            if (m < 0) {
                b->error = ERR_1252;
            } else {
                s = r->conv;
                n = (size_t)m;
            }
        } else if (r->encoding == TOTE_CSV_UTF8 && !imp_utf8_valid(s, n)) {
            b->error = ERR_UTF8; /* still ASCII: decide_encoding() saw no byte >= 0x80 */
        }
    }
    if (b->dlen + b->vlen + n > MAX_RECORD) {
        if (!b->error)
            b->error = ERR_LONG;
        n = 0;
    }
    if (rowbuf_add(b, s, n) != 0)
        set_fatal(r, "out of memory while reading CSV");
}

static int push_row(tote_csv *r)
{
    if (r->qn == r->qcap) {
        size_t nc = r->qcap ? r->qcap * 2 : 4;
        struct rowbuf *nq = realloc(r->q, nc * sizeof *nq);
        if (!nq)
            return -1;
        memset(nq + r->qcap, 0, (nc - r->qcap) * sizeof *nq);
        r->q = nq;
        r->qcap = nc;
    }
    struct rowbuf tmp = r->q[r->qn];
    r->q[r->qn] = r->cur;
    r->cur = tmp;
    rowbuf_reset(&r->cur);
    r->qn++;
    return 0;
}

static void cb_row(int c, void *ud)
{
    tote_csv *r = ud;
    long long line = r->rec_line;
    if (c == '\r') { /* a record may start right after a CR on the same line */
        r->row_open = 1;
        r->rec_line = r->cur_line;
    } else {
        r->row_open = 0;
    }
    if (r->cur.n == 0 || (!r->cur.nonempty && !r->cur.error)) {
        rowbuf_reset(&r->cur); /* blank line, or a record of empty fields */
        return;
    }
    r->cur.line = line;
    if (push_row(r) != 0)
        set_fatal(r, "out of memory while reading CSV");
}

static int parser_init(tote_csv *r)
{
    if (r->p_ready)
        csv_free(&r->p);
    r->p_ready = 0;
    if (csv_init(&r->p, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI) != 0)
        return -1;
    if (r->semicolon)
        csv_set_delim(&r->p, ';');
    csv_set_blk_size(&r->p, FIELD_BLOCK);
    r->p_ready = 1;
    return 0;
}

tote_csv *tote_csv_new_mem(const void *data, size_t len)
{
    tote_csv *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->mem = data;
    r->mem_len = len;
    r->total = (long long)len;
    r->eof = 1; /* no more chunks after this one */
    r->cur_line = 1;
    r->only_col = -1;
    if (parser_init(r) != 0) {
        free(r);
        return NULL;
    }
    return r;
}

tote_csv *tote_csv_open(const char *path, char **err_msg)
{
    if (err_msg)
        *err_msg = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err_msg) {
            const char *why = strerror(errno);
            size_t n = strlen(path) + strlen(why) + 32;
            *err_msg = malloc(n);
            if (*err_msg)
                snprintf(*err_msg, n, "cannot open %s: %s", path, why);
        }
        return NULL;
    }
    tote_csv *r = calloc(1, sizeof *r);
    unsigned char *chunk = malloc(CHUNK);
    if (!r || !chunk || parser_init(r) != 0) {
        free(r);
        free(chunk);
        fclose(f);
        if (err_msg)
            *err_msg = strdup("out of memory");
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode))
        r->total = (long long)sb.st_size;
    r->f = f;
    r->chunk = chunk;
    r->mem = chunk;
    r->cur_line = 1;
    r->only_col = -1;
    return r;
}

void tote_csv_destroy(tote_csv **rp)
{
    if (!rp || !*rp)
        return;
    tote_csv *r = *rp;
    if (r->f)
        fclose(r->f);
    if (r->p_ready)
        csv_free(&r->p);
    free(r->chunk);
    free(r->spans);
    free(r->fatal);
    free(r->conv);
    rowbuf_free(&r->cur);
    for (size_t i = 0; i < r->qcap; i++)
        rowbuf_free(&r->q[i]);
    free(r->q);
    for (size_t i = 0; i < r->nhdr; i++)
        free(r->hdr[i]);
    free(r->hdr);
    free(r);
    *rp = NULL;
}

tote_csv_encoding tote_csv_text_encoding(const tote_csv *r)
{
    return (tote_csv_encoding)r->encoding;
}

void tote_csv_keep_only(tote_csv *r, int col)
{
    r->only_col = col;
}

void tote_csv_set_fast(tote_csv *r, int on)
{
    r->no_fast = !on;
}

const char *tote_csv_error(const tote_csv *r)
{
    return r->fatal;
}

void tote_csv_progress(const tote_csv *r, long long *done, long long *total)
{
    if (done)
        *done = r->done;
    if (total)
        *total = r->total;
}

/* Makes sure there are bytes in mem[mem_pos..mem_len); 0 at end of input. */
static int fill(tote_csv *r)
{
    if (r->mem_pos < r->mem_len)
        return 1;
    if (r->eof)
        return 0;
    size_t got = fread(r->chunk, 1, CHUNK, r->f);
    if (got == 0) {
        if (ferror(r->f))
            return set_fatal(r, "read error");
        r->eof = 1;
        return 0;
    }
    r->mem_len = got;
    r->mem_pos = 0;
    return 1;
}

/* The start of the input: skip a UTF-8 BOM, refuse UTF-16. */
static int check_start(tote_csv *r)
{
    r->started = 1;
    const unsigned char *m = r->mem + r->mem_pos;
    size_t n = r->mem_len - r->mem_pos;
    if (n >= 2 && ((m[0] == 0xFF && m[1] == 0xFE) || (m[0] == 0xFE && m[1] == 0xFF)))
        return set_fatal(r, "the file is UTF-16 text; save it as UTF-8 (CSV UTF-8)");
    if (n >= 3 && m[0] == 0xEF && m[1] == 0xBB && m[2] == 0xBF) {
        r->encoding = TOTE_CSV_UTF8; /* the mark says so: no guessing */
        r->mem_pos += 3;
        r->done += 3;
        m += 3;
        n -= 3;
    }
    /* Excel saves "CSV" with semicolons where the decimal mark is a comma:
     * a first line with more unquoted ';' than ',' is read that way */
    long commas = 0, semis = 0;
    int quoted = 0;
    for (size_t i = 0; i < n && (quoted || (m[i] != '\n' && m[i] != '\r')); i++) {
        if (m[i] == '"')
            quoted = !quoted;
        else if (!quoted && m[i] == ',')
            commas++;
        else if (!quoted && m[i] == ';')
            semis++;
    }
    if (semis > commas) {
        r->semicolon = 1;
        r->no_fast = 1; /* the fast path knows commas only */
        if (parser_init(r) != 0)
            return set_fatal(r, "out of memory while reading CSV");
    }
    return 0;
}

/* Ends the open record as broken with why; resets the parser. */
static int break_record(tote_csv *r, const char *why)
{
    r->cur.error = why;
    r->cur.line = r->rec_line;
    if (push_row(r) != 0 || parser_init(r) != 0)
        return set_fatal(r, "out of memory while reading CSV");
    r->row_open = 0;
    return 0;
}

/* Feeds one segment (the rest of a line, or of a chunk) to libcsv. */
static int feed(tote_csv *r)
{
    int more = fill(r);
    if (more < 0)
        return -1;
    if (!more) {
        /* end of input: close the last record */
        if (r->skipping) {
            r->skipping = 0;
        } else if (csv_fini(&r->p, cb_field, cb_row, r) != 0) {
            if (break_record(r, ERR_UNCLOSED) != 0)
                return -1;
        }
        r->finished = 1;
        return 0;
    }
    if (!r->started && check_start(r) != 0)
        return -1;
    const unsigned char *seg = r->mem + r->mem_pos;
    size_t avail = r->mem_len - r->mem_pos;
    if (avail > SEGMENT_MAX)
        avail = SEGMENT_MAX;
    const unsigned char *nl = memchr(seg, '\n', avail);
    size_t n = nl ? (size_t)(nl - seg) + 1 : avail;
    r->mem_pos += n;
    r->done += (long long)n;
    if (r->skipping) {
        if (nl) {
            r->skipping = 0;
            r->cur_line++;
        }
        return 0;
    }
    if (!r->row_open) {
        r->rec_line = r->cur_line;
        r->row_open = 1;
    }
    size_t k = csv_parse(&r->p, seg, n, cb_field, cb_row, r);
    if (r->finished)
        return -1; /* out of memory in a callback */
    if (k < n) {
        int e = csv_error(&r->p);
        if (e == CSV_ENOMEM)
            return set_fatal(r, "out of memory while reading CSV");
        if (break_record(r, e == CSV_ETOOBIG ? ERR_LONG : ERR_QUOTE) != 0)
            return -1;
        if (!nl)
            r->skipping = 1;
    } else if (r->p.entry_pos + r->cur.dlen + r->cur.vlen > MAX_RECORD) {
        if (break_record(r, ERR_LONG) != 0)
            return -1;
        if (!nl)
            r->skipping = 1;
    }
    if (nl && !r->skipping)
        r->cur_line++;
    return 0;
}

/*
 * A record that is plainly simple is read straight from the chunk, calling
 * the same callbacks libcsv would - one per field, then the row end(s) - so
 * the record, its line and its fields come out exactly as through libcsv
 * (tests/unit/test_csv_keep_only.c and fuzz_csv_keep compare the two). Simple: it starts a line, lies
 * within the chunk, ends with LF or CR LF, no field starts with a space or
 * tab, an unquoted field holds no quote, CR or LF, a quoted one holds no CR
 * or LF and its closing quote is followed by a comma or the end of the row.
 * Anything else returns 0 untouched and libcsv reads the record.
 */
/* The bytes that end an unquoted field, or make a record not simple. */
static const unsigned char field_stop[256] = {[','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1};

static int fast_record(tote_csv *r)
{
    if (r->no_fast || r->semicolon || !r->started || r->row_open || r->skipping || r->finished || r->fatal ||
        r->cur.n != 0 || r->mem_pos >= r->mem_len)
        return 0;
    const unsigned char *start = r->mem + r->mem_pos, *end = r->mem + r->mem_len;
    const unsigned char *nl = memchr(start, '\n', (size_t)(end - start));
    if (!nl || nl - start > 65536)
        return 0;
    /* check the whole record first: nothing is called back unless it is
       simple; each field's bytes are noted, so they are read once */
    const unsigned char *q = start;
    size_t fields = 0;
    for (;;) {
        if (*q == ' ' || *q == '\t')
            return 0;
        if (fields == r->spans_cap) {
            size_t nc = r->spans_cap ? r->spans_cap * 2 : 128;
            struct span *ns = realloc(r->spans, nc * sizeof *ns);
            if (!ns)
                return 0; /* libcsv reads it */
            r->spans = ns;
            r->spans_cap = nc;
        }
        struct span *sp = &r->spans[fields];
        if (*q == '"') {
            sp->quoted = 1;
            sp->escapes = 0;
            sp->s = q + 1;
            for (q++;; q += 2) {
                const unsigned char *cq = memchr(q, '"', (size_t)(nl - q));
                if (!cq || memchr(q, '\r', (size_t)(cq - q)))
                    return 0;
                q = cq;
                if (q[1] != '"')
                    break;
                sp->escapes++;
            }
            sp->e = q;
            q++; /* past the closing quote */
        } else {
            sp->quoted = 0;
            sp->s = q;
            while (!field_stop[*q])
                q++;
            if (*q == '"')
                return 0;
            sp->e = q;
        }
        fields++;
        if (*q == ',') {
            q++;
            continue;
        }
        if (*q == '\n' || (*q == '\r' && q + 1 == nl))
            break;
        return 0;
    }
    /* now the callbacks, as libcsv makes them */
    r->rec_line = r->cur_line;
    r->row_open = 1;
    char small[1024];
    /* the keep-only pass: a field not kept is only counted (skip_field),
       without cb_field, when no byte of the record can decide the encoding */
    int skip = r->only_col >= 0 && (r->encoding != TOTE_CSV_ASCII || !has_high(start, (size_t)(nl - start)));
    for (size_t f = 0; f < fields; f++) {
        const struct span *sp = &r->spans[f];
        const unsigned char *fs = sp->s;
        size_t n = (size_t)(sp->e - fs);
        if (sp->quoted) {
            n -= sp->escapes; /* each "" is one quote */
            if (skip && (long)f != r->only_col) {
                skip_field(r, n);
            } else if (!sp->escapes) {
                cb_field((void *)fs, n, r);
            } else if (r->only_col >= 0 && (long)r->cur.n != r->only_col) {
                if (r->encoding == TOTE_CSV_ASCII)
                    decide_encoding(r, fs, (size_t)(sp->e - fs)); /* "" pairs are ASCII */
                skip_field(r, n);
            } else {
                char *buf = n < sizeof small ? small : malloc(n + 1);
                if (!buf)
                    return set_fatal(r, "out of memory while reading CSV"), 1;
                size_t k = 0;
                for (const unsigned char *c = fs; c < sp->e; c++) {
                    buf[k++] = (char)*c;
                    if (*c == '"')
                        c++;
                }
                cb_field(buf, k, r);
                if (buf != small)
                    free(buf);
            }
        } else {
            while (n > 0 && (fs[n - 1] == ' ' || fs[n - 1] == '\t')) /* libcsv drops trailing blanks */
                n--;
            if (skip && (long)f != r->only_col)
                skip_field(r, n);
            else
                cb_field((void *)fs, n, r);
        }
    }
    if (nl > start && nl[-1] == '\r')
        cb_row('\r', r);
    cb_row('\n', r);
    size_t used = (size_t)(nl + 1 - start);
    r->mem_pos += used;
    r->done += (long long)used;
    r->cur_line++;
    return r->fatal ? 0 : 1;
}

int tote_csv_next(tote_csv *r, tote_csv_row *row)
{
    for (;;) {
        if (r->qhead < r->qn) {
            struct rowbuf *b = &r->q[r->qhead++];
            for (size_t i = 0; i < b->n; i++)
                b->ptr[i] = b->data + b->off[i];
            row->line = b->line;
            row->n = b->n;
            row->field = b->ptr;
            row->len = b->len;
            row->error = b->error;
            return 1;
        }
        r->qhead = r->qn = 0;
        if (r->fatal)
            return -1;
        if (r->finished)
            return 0;
        if (fast_record(r))
            continue;
        if (feed(r) < 0)
            return -1;
    }
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int tote_csv_set_header(tote_csv *r, const tote_csv_row *row)
{
    for (size_t i = 0; i < r->nhdr; i++)
        free(r->hdr[i]);
    free(r->hdr);
    r->nhdr = 0;
    r->hdr = calloc(row->n ? row->n : 1, sizeof *r->hdr);
    if (!r->hdr)
        return -1;
    for (size_t i = 0; i < row->n; i++) {
        r->hdr[i] = trim_dup(row->field[i]);
        if (!r->hdr[i])
            return -1;
        r->nhdr = i + 1;
    }
    return 0;
}

int tote_csv_col(const tote_csv *r, const char *name)
{
    char *want = trim_dup(name);
    if (!want)
        return -1;
    int found = -1;
    for (size_t i = 0; i < r->nhdr && found < 0; i++)
        if (strcasecmp(r->hdr[i], want) == 0)
            found = (int)i;
    free(want);
    return found;
}

size_t tote_csv_header_count(const tote_csv *r)
{
    return r->nhdr;
}

const char *tote_csv_field(const tote_csv_row *row, int col)
{
    if (col < 0 || (size_t)col >= row->n)
        return "";
    return row->field[col];
}
