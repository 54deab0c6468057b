/*
 * Wire decoder fuzzer: arbitrary bytes never crash or overread the decoder;
 * whatever decodes re-encodes to the very same bytes (the encoding is
 * canonical), and decoding that again gives the same struct.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tote/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tote_wire_msg a, b;
    static uint8_t buf[TOTE_WIRE_MAX_FRAME];
    if (tote_wire_decode(data, size, &a) != TOTE_PROTO_E_OK)
        return 0;
    size_t n = 0;
    if (tote_wire_encode(&a, buf, sizeof buf, &n) != TOTE_PROTO_E_OK)
        abort(); /* decoded, so it must encode */
    if (n != size || memcmp(buf, data, n) != 0)
        abort(); /* not canonical */
    if (tote_wire_decode(buf, n, &b) != TOTE_PROTO_E_OK)
        abort();
    if (memcmp(&a, &b, sizeof a) != 0)
        abort();
    /* Every shorter buffer is refused with NOSPACE, never overrun. */
    if (n > 0 && tote_wire_encode(&a, buf, n - 1, &n) != TOTE_PROTO_E_NOSPACE)
        abort();
    return 0;
}
