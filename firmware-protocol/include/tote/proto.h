/*
 * libtote_proto — pure codecs shared by the station and the handhelds.
 *
 * No I/O, no allocation unless a function says so, no dependencies beyond libc.
 * Every decoder takes (pointer, length) and never reads past the length; every
 * malformed input yields a tote_proto_err, never undefined behaviour.
 */
#ifndef TOTE_PROTO_H
#define TOTE_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * One error enum for the whole library. The X-macro table is the single
 * source of both the enum values and the strings: values are never
 * renumbered; new errors are appended.
 */
#define TOTE_PROTO_ERRNO_MAP(X)                                             \
    X(OK, 0, "ok")                                                          \
    X(SHORT, 1, "message is shorter than its header or fields say")         \
    X(TRAILING, 2, "message has bytes after its last field")                \
    X(VERSION, 3, "unsupported protocol version")                           \
    X(TYPE, 4, "unknown message type")                                      \
    X(TOO_LONG, 5, "field or message longer than the protocol allows")      \
    X(NOSPACE, 6, "output buffer too small")                                \
    X(CHECKSUM, 7, "checksum mismatch")                                     \
    X(FRAME, 8, "malformed frame")                                          \
    X(CHECK_DIGIT, 9, "bad check digit")                                    \
    X(DATE, 10, "invalid date")                                             \
    X(AI_UNKNOWN, 11, "unknown GS1 application identifier")                 \
    X(AI_FORMAT, 12, "GS1 value does not match its application identifier") \
    X(SEPARATOR, 13, "missing GS1 separator")                               \
    X(EMPTY, 14, "empty input")                                             \
    X(INVALID, 15, "invalid input")                                         \
    X(INCOMPLETE, 16, "more input needed")

typedef enum tote_proto_err {
#define TOTE_PROTO_ERR_ENUM(name, value, text) TOTE_PROTO_E_##name = value,
    TOTE_PROTO_ERRNO_MAP(TOTE_PROTO_ERR_ENUM)
#undef TOTE_PROTO_ERR_ENUM
} tote_proto_err;

/* Returns a static, never-NULL English sentence fragment for err
 * ("unknown error" for a value outside the table). */
const char *tote_proto_strerror(tote_proto_err err);

/* Returns the symbolic name ("SHORT", "CHECKSUM", ...) of err, static. */
const char *tote_proto_errname(tote_proto_err err);

#endif
