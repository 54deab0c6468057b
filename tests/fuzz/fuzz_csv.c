/* Fuzzes the streaming CSV reader and the field parsers the importers run on
 * every field. Invariants: lines never go backwards, a record that is not
 * broken has valid UTF-8 fields without NUL of the stated lengths, and the
 * reader always ends. */
#include <stdint.h>
#include <string.h>

#include "tote/import.h"

#define ENSURE(c)             \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

static int utf8_ok(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 99;
        if (k == 99 || i + k >= n + (k == 0))
            return 0;
        for (size_t j = 1; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        i += k + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tote_csv *r = tote_csv_new_mem(data, size);
    if (!r)
        return 0;
    tote_csv_row row;
    long long last = 0, records = 0;
    int rc, header = 0;
    while ((rc = tote_csv_next(r, &row)) == 1) {
        ENSURE(row.line >= 1 && row.line >= last);
        last = row.line;
        ENSURE(++records <= (long long)size + 1);
        if (row.error)
            continue;
        ENSURE(row.n >= 1);
        int nonempty = 0;
        for (size_t i = 0; i < row.n; i++) {
            ENSURE(strlen(row.field[i]) == row.len[i]);
            ENSURE(utf8_ok((const unsigned char *)row.field[i], row.len[i]));
            nonempty |= row.len[i] > 0;
            long long v;
            int b;
            char t[32], d[11], code[65], why[200];
            (void)tote_import_parse_money(row.field[i], &v);
            (void)tote_import_parse_int(row.field[i], &v);
            (void)tote_import_parse_bool(row.field[i], &b);
            if (tote_import_parse_time(row.field[i], t) == 0)
                ENSURE(strlen(t) == 24 && t[23] == 'Z');
            if (tote_import_parse_date(row.field[i], d) == 0)
                ENSURE(strlen(d) == 10);
            if (tote_import_parse_barcode(row.field[i], code, why, sizeof why) == 0)
                ENSURE(strlen(code) >= 1 && strlen(code) <= 64);
        }
        ENSURE(nonempty);
        if (!header) {
            header = 1;
            ENSURE(tote_csv_set_header(r, &row) == 0);
            ENSURE(tote_csv_header_count(r) == row.n);
            ENSURE(tote_csv_col(r, row.field[0]) >= 0);
        }
    }
    ENSURE(rc == 0 || (rc == -1 && tote_csv_error(r) != NULL));
    ENSURE(tote_csv_next(r, &row) == rc); /* stays ended */
    tote_csv_destroy(&r);
    return 0;
}
