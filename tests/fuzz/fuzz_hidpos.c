/* Fuzzes HID POS report decoding, reassembly and report-descriptor walking.
 * The input is cut into 64-byte reports (the tail, if short, must be refused). */
#include <string.h>

#include "tote/hidpos.h"

#define ENSURE(c)             \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)tote_hidpos_descriptor_is_pos(data, size);
    static tote_hidpos_assembler a;
    tote_hidpos_asm_init(&a);
    for (size_t off = 0; off < size; off += TOTE_HIDPOS_REPORT_SIZE) {
        size_t n = size - off < TOTE_HIDPOS_REPORT_SIZE ? size - off : TOTE_HIDPOS_REPORT_SIZE;
        tote_hidpos_report r;
        tote_proto_err e = tote_hidpos_decode(data + off, n, &r);
        if (n < TOTE_HIDPOS_REPORT_SIZE) {
            ENSURE(e == TOTE_PROTO_E_SHORT);
            continue;
        }
        if (e != TOTE_PROTO_E_OK)
            continue;
        ENSURE(r.len >= 1 && r.len <= TOTE_HIDPOS_DATA_MAX);
        ENSURE(strlen(r.aim) == 0 || strlen(r.aim) == 3);
        uint8_t back[TOTE_HIDPOS_REPORT_SIZE];
        ENSURE(tote_hidpos_encode(r.aim, r.data, r.len, r.vendor_code, r.continued, back) == TOTE_PROTO_E_OK);
        ENSURE(memcmp(back, data + off, 5 + r.len) == 0);
        tote_hidpos_barcode bc;
        e = tote_hidpos_asm_add(&a, &r, &bc);
        if (e == TOTE_PROTO_E_OK)
            ENSURE(bc.len >= 1 && bc.len <= TOTE_HIDPOS_MAX_BARCODE);
    }
    return 0;
}
