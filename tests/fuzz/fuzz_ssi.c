/* Fuzzes the SSI decoder, the streaming parser and DECODE_DATA reassembly.
 * Input byte 0 picks the chunk size; the rest is the serial byte stream.
 * Invariants: nothing crashes, the parser consumes every byte, never holds
 * more than one frame, and every frame it accepts re-encodes to bytes that
 * decode to the same frame. */
#include <stdlib.h>
#include <string.h>

#include "tote/serial_line.h"
#include "tote/ssi.h"

#define ENSURE(c)             \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

static void check_frame(const tote_ssi_frame *f)
{
    uint8_t out[TOTE_SSI_MAX_FRAME];
    size_t n = 0, used = 0;
    ENSURE(tote_ssi_encode(f->opcode, f->source, f->status, f->data, f->dlen, out, sizeof out, &n) ==
           TOTE_PROTO_E_OK);
    tote_ssi_frame g;
    ENSURE(tote_ssi_decode(out, n, &g, &used) == TOTE_PROTO_E_OK);
    ENSURE(used == n && g.opcode == f->opcode && g.source == f->source && g.status == f->status);
    ENSURE(g.dlen == f->dlen && memcmp(g.data, f->data, f->dlen) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t chunk = (size_t)data[0] % 32 + 1;
    data++;
    size--;

    tote_ssi_frame f;
    size_t used = 0;
    tote_proto_err e = tote_ssi_decode(data, size, &f, &used);
    if (e == TOTE_PROTO_E_OK)
        check_frame(&f);

    static tote_ssi_parser p;
    static tote_ssi_assembler a;
    tote_ssi_parser_init(&p);
    tote_ssi_asm_init(&a);
    size_t total = 0;
    for (size_t off = 0; off < size; off += chunk) {
        size_t c = size - off < chunk ? size - off : chunk;
        size_t pos = 0;
        while (pos < c) {
            size_t k = tote_ssi_parser_feed(&p, data + off + pos, c - pos, &f, &e);
            ENSURE(k >= 1 && k <= c - pos);
            pos += k;
            ENSURE(tote_ssi_parser_pending(&p) < TOTE_SSI_MAX_FRAME);
            if (e == TOTE_PROTO_E_OK) {
                check_frame(&f);
                tote_ssi_barcode bc;
                tote_proto_err ae = tote_ssi_asm_add(&a, &f, &bc);
                if (ae == TOTE_PROTO_E_OK) {
                    ENSURE(bc.len >= 1 && bc.len <= TOTE_SSI_MAX_BARCODE);
                    size_t al = strlen(bc.aim);
                    ENSURE(al == 0 || al == 3);
                }
            } else if (e == TOTE_PROTO_E_CHECKSUM) {
                ENSURE(f.dlen <= TOTE_SSI_MAX_DATA);
                tote_ssi_asm_nak_sent(&a);
            } else {
                ENSURE(e == TOTE_PROTO_E_INCOMPLETE);
            }
        }
        total += c;
    }
    ENSURE(total == size);
    return 0;
}
