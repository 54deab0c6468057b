/* Differential fuzzing of the CSV reader's own path for simple records and
 * of tote_csv_keep_only(): the first byte picks a column (0-7), the rest is
 * CSV. Against a read with libcsv alone, a full read must give the same
 * records (start line, field count, broken or not, every field's text) and
 * a keep-only read (from the second record on, as the Name pass does) the
 * same records with the same text in that column; all end the same way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../station/src/import_internal.h"

#define ENSURE(c)             \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

typedef struct rec {
    long long line;
    size_t n;
    char *text;
    int error;
} rec;

static size_t read_all(const uint8_t *data, size_t len, int col, int keep, int fast, int joined, rec **out,
                       int *end_rc)
{
    tote_csv *r = tote_csv_new_mem(data, len);
    ENSURE(r != NULL);
    tote_csv_set_fast(r, fast);
    size_t k = 0, cap = 0;
    rec *v = NULL;
    tote_csv_row row;
    int rc;
    while ((rc = tote_csv_next(r, &row)) == 1) {
        if (k == cap) {
            cap = cap ? cap * 2 : 16;
            v = realloc(v, cap * sizeof *v);
            ENSURE(v != NULL);
        }
        v[k].line = row.line;
        v[k].n = row.n;
        /* a full read: every field, joined; keep-only: the column */
        if (!joined) {
            v[k].text = (size_t)col < row.n ? strdup(row.field[col]) : NULL;
        } else {
            size_t sz = 1;
            for (size_t i = 0; i < row.n; i++)
                sz += row.len[i] + 1;
            v[k].text = malloc(sz);
            ENSURE(v[k].text != NULL);
            size_t o = 0;
            for (size_t i = 0; i < row.n; i++) {
                memcpy(v[k].text + o, row.field[i], row.len[i]);
                o += row.len[i];
                v[k].text[o++] = '\x1f';
            }
            v[k].text[o] = '\0';
        }
        v[k].error = row.error != NULL;
        if (k++ == 0 && keep)
            tote_csv_keep_only(r, col);
    }
    *end_rc = rc;
    tote_csv_destroy(&r);
    *out = v;
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int col = data[0] & 7;
    for (int keep = 0; keep < 2; keep++) {
        rec *a = NULL, *b = NULL;
        int rca = 0, rcb = 0;
        /* reference: a full read by libcsv alone */
        size_t na = read_all(data + 1, size - 1, col, 0, 0, !keep, &a, &rca);
        size_t nb = read_all(data + 1, size - 1, col, keep, 1, !keep, &b, &rcb);
        ENSURE(na == nb && rca == rcb);
        for (size_t i = 0; i < na; i++) {
            ENSURE(a[i].line == b[i].line && a[i].n == b[i].n);
            ENSURE(keep ? (a[i].error || !b[i].error) : a[i].error == b[i].error);
            if (!a[i].error)
                ENSURE((!a[i].text && !b[i].text) ||
                       (a[i].text && b[i].text && !strcmp(a[i].text, b[i].text)));
        }
        for (size_t i = 0; i < na; i++) {
            free(a[i].text);
            free(b[i].text);
        }
        free(a);
        free(b);
    }
    return 0;
}
