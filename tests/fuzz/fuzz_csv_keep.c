/* Differential fuzzing of tote_csv_keep_only(): the first byte picks a column
 * (0-7), the rest is CSV. A keep-only read (from the second record on, as the
 * Name pass does) must give the same records - start line, field count - and,
 * for records a full read does not find broken, the same text in that
 * column, and end the same way. */
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

static size_t read_all(const uint8_t *data, size_t len, int col, int keep, rec **out, int *end_rc)
{
    tote_csv *r = tote_csv_new_mem(data, len);
    ENSURE(r != NULL);
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
        v[k].text = (size_t)col < row.n ? strdup(row.field[col]) : NULL;
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
    rec *a = NULL, *b = NULL;
    int rca = 0, rcb = 0;
    size_t na = read_all(data + 1, size - 1, col, 0, &a, &rca);
    size_t nb = read_all(data + 1, size - 1, col, 1, &b, &rcb);
    ENSURE(na == nb && rca == rcb);
    for (size_t i = 0; i < na; i++) {
        ENSURE(a[i].line == b[i].line && a[i].n == b[i].n);
        ENSURE(a[i].error || !b[i].error);
        if (!a[i].error)
            ENSURE((!a[i].text && !b[i].text) || (a[i].text && b[i].text && !strcmp(a[i].text, b[i].text)));
    }
    for (size_t i = 0; i < na; i++) {
        free(a[i].text);
        free(b[i].text);
    }
    free(a);
    free(b);
    return 0;
}
