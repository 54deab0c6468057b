/*
 * The CSV reader's own path for plainly simple records, and keep-only
 * passes (tote_csv_keep_only): against a read where libcsv reads every
 * record (tote_csv_set_fast(r, 0)), a full read must see the same records
 * (start line, number of fields, broken or not) with the same text in
 * every field, and a keep-only pass the same records with the same text in
 * its column - whatever the input, including every quirk that sends a
 * record back to libcsv.
 */
#include <dirent.h>

#include "../../station/src/import_internal.h"
#include "support.h"
#include "test.h"

typedef struct rec {
    long long line;
    size_t n;
    char *text; /* the column's text, NULL if the record has fewer fields */
    int error;
} rec;

/* Every record of data (the first one read in full, like a header), with
 * column col's text; keep: through tote_csv_keep_only(col); fast 0: all
 * through libcsv. */
static size_t read_all(const char *data, size_t len, int col, int keep, int fast, rec *out, size_t cap,
                       int *end_rc)
{
    tote_csv *r = tote_csv_new_mem(data, len);
    tote_csv_set_fast(r, fast);
    size_t k = 0;
    tote_csv_row row;
    int rc;
    while ((rc = tote_csv_next(r, &row)) == 1) {
        if (k < cap) {
            out[k].line = row.line;
            out[k].n = row.n;
            out[k].text = (size_t)col < row.n ? strdup(row.field[col]) : NULL;
            out[k].error = row.error != NULL;
        }
        if (k++ == 0 && keep)
            tote_csv_keep_only(r, col);
    }
    *end_rc = rc;
    tote_csv_destroy(&r);
    return k;
}

static void free_recs(rec *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].text);
}

#define MAXREC 4096

static int compare(const char *what, const char *data, size_t len, int keep)
{
    static rec full[MAXREC], kept[MAXREC];
    int bad = 0;
    for (int col = 0; col < 6 && !bad; col++) {
        int rc_full = 0, rc_kept = 0;
        size_t nf = read_all(data, len, col, 0, 0, full, MAXREC, &rc_full);
        size_t nk = read_all(data, len, col, keep, 1, kept, MAXREC, &rc_kept);
        if (nf != nk || rc_full != rc_kept) {
            fprintf(stderr, "%s, column %d: %zu records (rc %d) in full, %zu (rc %d) kept\n", what, col, nf,
                    rc_full, nk, rc_kept);
            bad = 1;
        }
        for (size_t i = 0; !bad && i < nf && i < MAXREC; i++) {
            const rec *a = &full[i], *b = &kept[i];
            int text_same = (!a->text && !b->text) || (a->text && b->text && strcmp(a->text, b->text) == 0);
            /* a kept record is broken only for its column or its length; a full one for any field */
            int err_ok = keep ? (a->error || !b->error) : a->error == b->error;
            if (a->line != b->line || a->n != b->n || !err_ok || (!a->error && !text_same)) {
                fprintf(stderr, "%s, column %d, record %zu: line %lld/%lld, fields %zu/%zu, text '%s'/'%s'\n",
                        what, col, i, a->line, b->line, a->n, b->n, a->text ? a->text : "-",
                        b->text ? b->text : "-");
                bad = 1;
            }
        }
        free_recs(full, nf < MAXREC ? nf : MAXREC);
        free_recs(kept, nk < MAXREC ? nk : MAXREC);
    }
    return bad ? -1 : 0;
}

/* Full reads (every column compared) and keep-only reads, both with the own
 * path, against libcsv alone. */
static int same_records(const char *what, const char *data, size_t len)
{
    return compare(what, data, len, 0) == 0 && compare(what, data, len, 1) == 0 ? 0 : -1;
}

static void test_quirks_read_alike(void)
{
    static const char *const cases[] = {
        "Name,B,C\n#1,b,c\n#2,\"x, y\",c\n",
        "\xEF\xBB\xBFName,B\r\n#1,b\r\n#2,\"q\"\"uoted\"\r\n",
        "Name,B\n\"#1\",\"multi\nline\"\n#2,b\n",
        "Name,B\n#1,b\n\n\r\n,\n\"\",\"\"\n#2,b\n",
        "Name,B\n#1 ,b  \n #2,b\n#3,\t\n",
        "Name,B\n#1,b\rstray\n#2,b\n",
        "Name,B\n#1,bad\"quote\n#2,\"open\n#3,b\n",
        "Name,B\n#1,\"a\" ,b\n#2, \"b\"\n",
        "Name,B\n\"#\"\"1\",b\n\"#2\",\"\"\"\"\n",
        "Name,B\n#1,b",
        "Name,B\n#1,b\n#2",
        "Name,B,C\n#1,b\n#2,b,c,d\n",
        "Name,B\n#1,\"x\"y\n#2,b\n",
        "Name,B\n#1,b\r\n\r#2,b\n",
        "Name,B\n#\xff,b\n#2,\xc3\xa9\n",
        "Name,B\n#1,b\"\n#2,b\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "case %zu", i);
        CHECK_EQ(same_records(what, cases[i], strlen(cases[i])), 0);
    }
    /* a NUL inside a record */
    static const char nul[] = "Name,B\n#1,a\0b\n#2,b\n";
    CHECK_EQ(same_records("NUL", nul, sizeof nul - 1), 0);
}

static void test_fuzz_corpus_reads_alike(void)
{
    char dirpath[1024];
    snprintf(dirpath, sizeof dirpath, "%s/tests/fuzz/corpus/csv", TOTE_SOURCE_DIR);
    DIR *d = opendir(dirpath);
    REQUIRE(d != NULL);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[1400];
        snprintf(p, sizeof p, "%s/%s", dirpath, de->d_name);
        size_t len = 0;
        char *data = tt_read_file(p, &len);
        REQUIRE(data != NULL);
        CHECK_EQ(same_records(de->d_name, data, len), 0);
        free(data);
        files++;
    }
    closedir(d);
    CHECK_INT(files, >, 5);
}

/* Many simple records (the fast path) around quirky ones (libcsv). */
static void test_long_mixed_file_reads_alike(void)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    REQUIRE(buf != NULL);
    n += (size_t)snprintf(buf + n, cap - n, "Name,Qty,Note\r\n");
    for (int i = 0; i < 3000; i++) {
        if (i % 97 == 0)
            n += (size_t)snprintf(buf + n, cap - n, "#%d,1,\"two\nlines\"\r\n", i);
        else if (i % 89 == 0)
            n += (size_t)snprintf(buf + n, cap - n, "#%d,1,bad\"q\r\n", i);
        else if (i % 31 == 0)
            n += (size_t)snprintf(buf + n, cap - n, "\"#%d\",\"1\",\"say \"\"hi\"\"\"\r\n", i);
        else
            n += (size_t)snprintf(buf + n, cap - n, "#%d,%d,plain text %d\r\n", i, i % 5, i);
    }
    CHECK_EQ(same_records("mixed", buf, n), 0);
    free(buf);
}

TT_MAIN(TT_TEST(test_quirks_read_alike), TT_TEST(test_fuzz_corpus_reads_alike),
        TT_TEST(test_long_mixed_file_reads_alike))
