/* Fuzzes the plain-line parser: byte 0 picks the chunk size. Every line it
 * returns is non-empty or carries an AIM id, holds no CR/LF, fits the
 * maximum, and every input byte is consumed. */
#include <string.h>

#include "tote/serial_line.h"

#define ENSURE(c)             \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

static void check(const tote_sline *l)
{
    size_t al = strlen(l->aim);
    ENSURE(al == 0 || al == 3);
    ENSURE(l->len + al >= 1 && l->len + al <= TOTE_SLINE_MAX);
    ENSURE(!memchr(l->data, '\r', l->len) && !memchr(l->data, '\n', l->len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t chunk = (size_t)data[0] % 64 + 1;
    data++;
    size--;
    static tote_sline_parser p;
    tote_sline_init(&p);
    tote_sline l;
    tote_proto_err e;
    for (size_t off = 0; off < size; off += chunk) {
        size_t c = size - off < chunk ? size - off : chunk;
        size_t pos = 0;
        while (pos < c) {
            size_t k = tote_sline_feed(&p, data + off + pos, c - pos, &l, &e);
            ENSURE(k >= 1 && k <= c - pos);
            pos += k;
            if (e == TOTE_PROTO_E_OK)
                check(&l);
            else
                ENSURE(e == TOTE_PROTO_E_INCOMPLETE || e == TOTE_PROTO_E_TOO_LONG);
        }
    }
    tote_sline_finish(&p, &l, &e);
    if (e == TOTE_PROTO_E_OK)
        check(&l);
    return 0;
}
