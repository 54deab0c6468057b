/*
 * What test_wire.c and test_wire_limits.c share (header-only, static
 * inline): a zeroed message on the heap, and the comparison of two messages
 * by the bytes that carry them.
 */
#ifndef TOTE_TESTS_WIRE_FIXTURE_H
#define TOTE_TESTS_WIRE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tote/wire.h"

static inline tote_wire_msg *new_msg(void)
{
    tote_wire_msg *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    return m;
}

/* The bytes of m that carry its message: the header and its type's member
 * (a scan's raw bytes up to raw_len). tote_wire_init and tote_wire_decode
 * leave the raw bytes past raw_len, and for other types the bulk arrays of
 * other members, as they were (wire.h). */
static inline int same_message(const tote_wire_msg *a, const tote_wire_msg *b)
{
    if (memcmp(a, b, offsetof(tote_wire_msg, u)) != 0)
        return 0;
    const tote_wire_scan *sa = NULL, *sb = NULL;
    size_t n = 0;
    switch (a->type) {
    case TOTE_WIRE_HELLO:
        n = sizeof a->u.hello;
        break;
    case TOTE_WIRE_SCAN:
    case TOTE_WIRE_PACK_OPEN:
    case TOTE_WIRE_PACK_ITEM:
    case TOTE_WIRE_LABEL_CONFIRM:
    case TOTE_WIRE_RETURN_OPEN:
        sa = &a->u.scan;
        sb = &b->u.scan;
        break;
    case TOTE_WIRE_SHORT_PICK:
        n = sizeof a->u.short_pick;
        break;
    case TOTE_WIRE_PACK_WEIGHT:
        n = sizeof a->u.weight;
        break;
    case TOTE_WIRE_PACK_CLOSE:
        n = sizeof a->u.pack_close;
        break;
    case TOTE_WIRE_RETURN_ITEM: {
        size_t off = offsetof(tote_wire_msg, u.return_item.disposition) - offsetof(tote_wire_msg, u);
        if (memcmp((const uint8_t *)&a->u + off, (const uint8_t *)&b->u + off,
                   sizeof a->u.return_item - offsetof(tote_wire_msg, u.return_item.disposition) +
                       offsetof(tote_wire_msg, u.return_item)) != 0)
            return 0;
        sa = &a->u.return_item.scan;
        sb = &b->u.return_item.scan;
        break;
    }
    case TOTE_WIRE_OVERRIDE:
        n = sizeof a->u.override_;
        break;
    case TOTE_WIRE_SNAPSHOT:
        n = sizeof a->u.snapshot;
        break;
    case TOTE_WIRE_HELLO_OK:
        n = sizeof a->u.hello_ok;
        break;
    case TOTE_WIRE_TASK:
        n = sizeof a->u.task;
        break;
    case TOTE_WIRE_NO_TASK:
        n = sizeof a->u.no_task;
        break;
    case TOTE_WIRE_RESULT:
        n = sizeof a->u.result;
        break;
    case TOTE_WIRE_PACK_STATE:
        n = sizeof a->u.pack_state;
        break;
    case TOTE_WIRE_SNAPSHOT_REPLY:
        n = sizeof a->u.snapshot_reply;
        break;
    case TOTE_WIRE_ERROR:
        n = sizeof a->u.error;
        break;
    default: /* HEARTBEAT, NEXT_TASK, RETURN_CLOSE, LOGOUT, HEARTBEAT_OK: no fields */
        break;
    }
    if (sa)
        return memcmp(sa, sb, offsetof(tote_wire_scan, raw) + sa->raw_len) == 0;
    return memcmp(&a->u, &b->u, n) == 0;
}

#endif
