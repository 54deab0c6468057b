/*
 * Wire decoder fuzzer: arbitrary bytes never crash or overread the decoder;
 * whatever decodes re-encodes to the very same bytes (the encoding is
 * canonical), and decoding that again gives the same message - in a struct
 * reused from input to input, as the station reuses its own: tote_wire_decode
 * clears the fixed fields and the member it decodes, but leaves a scan's raw
 * bytes past raw_len, and other members' bulk arrays, as they were (wire.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tote/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_bytes(const void *a, const void *b, size_t n)
{
    return memcmp(a, b, n) == 0;
}

/* The header, every fixed-size field, and the bulk bytes the type carries. */
static int same_message(const tote_wire_msg *a, const tote_wire_msg *b)
{
    size_t fixed = sizeof a->u.task; /* the largest member without a bulk array */
    if (!same_bytes(a, b, offsetof(tote_wire_msg, u)) || !same_bytes(&a->u, &b->u, fixed))
        return 0;
    switch (a->type) {
    case TOTE_WIRE_SCAN:
    case TOTE_WIRE_PACK_OPEN:
    case TOTE_WIRE_PACK_ITEM:
    case TOTE_WIRE_LABEL_CONFIRM:
    case TOTE_WIRE_RETURN_OPEN:
        return same_bytes(&a->u.scan, &b->u.scan, offsetof(tote_wire_scan, raw) + a->u.scan.raw_len);
    case TOTE_WIRE_RETURN_ITEM:
        return same_bytes(&a->u.return_item, &b->u.return_item,
                          offsetof(tote_wire_scan, raw) + a->u.return_item.scan.raw_len) &&
               same_bytes(&a->u.return_item.disposition, &b->u.return_item.disposition,
                          offsetof(tote_wire_msg, u.return_item) + sizeof a->u.return_item -
                              offsetof(tote_wire_msg, u.return_item.disposition));
    case TOTE_WIRE_PACK_STATE:
        return same_bytes(&a->u.pack_state, &b->u.pack_state, sizeof a->u.pack_state);
    case TOTE_WIRE_SNAPSHOT_REPLY:
        return same_bytes(&a->u.snapshot_reply, &b->u.snapshot_reply, sizeof a->u.snapshot_reply);
    default:
        return 1;
    }
}

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
    if (!same_message(&a, &b))
        abort();
    /* Every shorter buffer is refused with NOSPACE, never overrun. */
    if (n > 0 && tote_wire_encode(&a, buf, n - 1, &n) != TOTE_PROTO_E_NOSPACE)
        abort();
    return 0;
}
