/*
 * Station <-> handheld wire messages (see firmware-protocol/PROTOCOL.md).
 *
 * Transport: ZeroMQ. A handheld (DEALER) sends one frame: the body below.
 * The station (ROUTER) sees [identity][body] and answers [identity][body].
 *
 * Body = header + type-specific fields, all integers big-endian:
 *
 *   u8  version        TOTE_WIRE_VERSION (1)
 *   u8  type           tote_wire_type
 *   u16 flags          0; bit0 TOTE_WIRE_F_REPLAY (sent from the offline outbox)
 *   str8 device        device id, 1..TOTE_WIRE_DEVICE_MAX bytes
 *   u32 seq            per-device sequence number; replies echo the request's
 *
 * Field encodings: u8/u16/u32/u64 big-endian; str8 = u8 length + bytes;
 * str16 = u16 length + bytes; str32 = u32 length + bytes (SNAPSHOT_REPLY
 * json only). Short fields (..._SHORT_MAX: sku, bin, symbology...) are str8,
 * text fields (..._TEXT_MAX: names, messages, reasons) are str16, raw scan
 * bytes are str16. A NUL inside a string is INVALID; booleans are 0 or 1. Strings are UTF-8, not
 * NUL-terminated on the wire; decoded into the fixed arrays below and NUL-terminated there. A field longer
 * than its array (minus the NUL) is TOTE_PROTO_E_TOO_LONG. A body longer than TOTE_WIRE_MAX_FRAME is
 * TOTE_PROTO_E_TOO_LONG.
 *
 * Sequence numbers: seq 0 is "not sequenced" and allowed only for HEARTBEAT
 * and SNAPSHOT (idempotent). Every other request carries seq >= 1, strictly
 * increasing per device. The station stores the reply to (device, seq) in the
 * same transaction as its effect and answers a resend with the stored reply.
 * HELLO carries the handheld's next unused seq but is always answered afresh
 * (never from the store, never moving last_seq): HELLO_OK.last_seq tells the
 * handheld where to continue (PROTOCOL.md section 4).
 */
#ifndef TOTE_WIRE_H
#define TOTE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "tote/proto.h"

#define TOTE_WIRE_VERSION 1
#define TOTE_WIRE_MAX_FRAME 16384
#define TOTE_WIRE_DEVICE_MAX 32 /* bytes, without NUL */
#define TOTE_WIRE_RAW_MAX 4096  /* raw barcode bytes (2D codes) */
#define TOTE_WIRE_SHORT_MAX 64  /* sku, bin, tote, order, symbology... */
#define TOTE_WIRE_TEXT_MAX 255  /* names, messages, reasons */
#define TOTE_WIRE_PACK_LINES_MAX 48
#define TOTE_WIRE_JSON_MAX 12288 /* snapshot payload */

#define TOTE_WIRE_F_REPLAY 0x0001u

typedef enum tote_wire_type {
    /* requests: handheld/bench/console -> station */
    TOTE_WIRE_HELLO = 0x01,
    TOTE_WIRE_HEARTBEAT = 0x02,
    TOTE_WIRE_NEXT_TASK = 0x03,
    TOTE_WIRE_SCAN = 0x04, /* picking: bin, item; any role: badge */
    TOTE_WIRE_SHORT_PICK = 0x05,
    TOTE_WIRE_PACK_OPEN = 0x06, /* tote or order barcode */
    TOTE_WIRE_PACK_ITEM = 0x07,
    TOTE_WIRE_PACK_WEIGHT = 0x08,
    TOTE_WIRE_PACK_CLOSE = 0x09,
    TOTE_WIRE_LABEL_CONFIRM = 0x0A, /* scan of the printed tracking barcode */
    TOTE_WIRE_RETURN_OPEN = 0x0B,   /* order or tracking barcode */
    TOTE_WIRE_RETURN_ITEM = 0x0C,
    TOTE_WIRE_RETURN_CLOSE = 0x0D,
    TOTE_WIRE_OVERRIDE = 0x0E, /* supervisor override, badge-authorised */
    TOTE_WIRE_LOGOUT = 0x0F,
    TOTE_WIRE_SNAPSHOT = 0x10, /* console: ask for a JSON snapshot */
    /* replies: station -> requester */
    TOTE_WIRE_HELLO_OK = 0x81,
    TOTE_WIRE_HEARTBEAT_OK = 0x82,
    TOTE_WIRE_TASK = 0x83,
    TOTE_WIRE_NO_TASK = 0x84,
    TOTE_WIRE_RESULT = 0x85,
    TOTE_WIRE_PACK_STATE = 0x86,
    TOTE_WIRE_SNAPSHOT_REPLY = 0x87,
    TOTE_WIRE_ERROR = 0x8F
} tote_wire_type;

typedef enum tote_wire_role {
    TOTE_ROLE_PICKER = 1,
    TOTE_ROLE_PACKER = 2,
    TOTE_ROLE_BENCH = 3,
    TOTE_ROLE_CONSOLE = 4
} tote_wire_role;

/* Why a scan or action was refused (RESULT.reason, PACK_STATE.reason). */
#define TOTE_WIRE_REASON_MAP(X)                                 \
    X(OK, 0, "ok")                                              \
    X(WRONG_ITEM, 1, "wrong item for this pick")                \
    X(OVER_PICK, 2, "more than the quantity asked for")         \
    X(EXPIRED_LOT, 3, "lot is expired")                         \
    X(UNKNOWN_BARCODE, 4, "barcode not known")                  \
    X(WRONG_BIN, 5, "wrong bin")                                \
    X(SCAN_BIN_FIRST, 6, "scan the bin first")                  \
    X(NO_TASK, 7, "no task in progress")                        \
    X(NOT_LOGGED_IN, 8, "scan your badge first")                \
    X(ROLE_DENIED, 9, "your role may not do this")              \
    X(NOT_IN_ORDER, 10, "item is not in this order")            \
    X(OVER_PACK, 11, "more than was picked for this order")     \
    X(WEIGHT_MISMATCH, 12, "weight outside tolerance")          \
    X(NOT_PACKABLE, 13, "order is not ready to pack")           \
    X(WRONG_LABEL, 14, "label does not belong to this package") \
    X(BAD_BADGE, 15, "badge not known or inactive")             \
    X(NO_PACKAGE, 16, "no package open")                        \
    X(INCOMPLETE, 17, "items still to pack")                    \
    X(BAD_QUANTITY, 18, "quantity not possible")                \
    X(WRONG_LOT, 19, "lot differs from the one allocated")      \
    X(NOT_RETURNABLE, 20, "nothing to return for this order")   \
    X(INVALID_BARCODE, 21, "barcode is malformed")              \
    X(NOT_WEIGHED, 22, "weigh the package first")               \
    X(ORDER_HELD, 23, "order is on hold or cancelled")

typedef enum tote_wire_reason {
#define TOTE_WIRE_REASON_ENUM(name, value, text) TOTE_REASON_##name = value,
    TOTE_WIRE_REASON_MAP(TOTE_WIRE_REASON_ENUM)
#undef TOTE_WIRE_REASON_ENUM
} tote_wire_reason;

/* Feedback the handheld gives through the scanner (beep/LED pattern). */
typedef enum tote_wire_feedback {
    TOTE_FEEDBACK_NONE = 0,
    TOTE_FEEDBACK_GOOD = 1,    /* short high beep, green */
    TOTE_FEEDBACK_ERROR = 2,   /* error pattern, red */
    TOTE_FEEDBACK_WARNING = 3, /* attention: e.g. task changed, offline */
    TOTE_FEEDBACK_DONE = 4     /* task/list/package complete */
} tote_wire_feedback;

/* Typed errors (ERROR.code): the request was not applied. */
#define TOTE_WIRE_ERROR_MAP(X)                                        \
    X(NONE, 0, "no error")                                            \
    X(BAD_VERSION, 1, "unsupported protocol version")                 \
    X(UNKNOWN_TYPE, 2, "unknown message type")                        \
    X(MALFORMED, 3, "malformed message")                              \
    X(TOO_LARGE, 4, "message too large")                              \
    X(SEQ_OLD, 5, "sequence number older than the last one answered") \
    X(UNKNOWN_DEVICE, 6, "device not enrolled")                       \
    X(DENIED, 7, "not allowed")                                       \
    X(INTERNAL, 8, "station internal error")                          \
    X(STORAGE, 9, "station cannot store the request (disk full?)")    \
    X(NO_HELLO, 10, "say hello first")                                \
    X(BAD_SEQ, 11, "sequence number 0 is only for heartbeat/snapshot")

typedef enum tote_wire_error {
#define TOTE_WIRE_ERROR_ENUM(name, value, text) TOTE_WERR_##name = value,
    TOTE_WIRE_ERROR_MAP(TOTE_WIRE_ERROR_ENUM)
#undef TOTE_WIRE_ERROR_ENUM
} tote_wire_error;

/* What a TASK asks for: a picker gets PICK tasks (bin, item, quantity); a
 * packer gets PACK tasks (order and tote of the next order ready to pack;
 * bin/sku/name/gtin empty). */
typedef enum tote_task_kind { TOTE_TASK_PICK = 1, TOTE_TASK_PACK = 2 } tote_task_kind;

typedef enum tote_return_disposition {
    TOTE_RETURN_RESTOCK = 1,
    TOTE_RETURN_QUARANTINE = 2
} tote_return_disposition;

typedef enum tote_override_kind {
    TOTE_OVERRIDE_WEIGHT = 1,     /* accept a weight mismatch */
    TOTE_OVERRIDE_SHORT_CLOSE = 2 /* close a package with items missing */
} tote_override_kind;

/* A scan as read from the scanner. */
typedef struct tote_wire_scan {
    char symbology[TOTE_WIRE_SHORT_MAX + 1]; /* AIM id like "]C1", or "" */
    uint16_t raw_len;
    uint8_t raw[TOTE_WIRE_RAW_MAX]; /* may contain GS 0x1D */
} tote_wire_scan;

typedef struct tote_wire_pack_line {
    char sku[TOTE_WIRE_SHORT_MAX + 1];
    char gtin[TOTE_WIRE_SHORT_MAX + 1]; /* GTIN-14 of the product, or "" */
    char name[TOTE_WIRE_TEXT_MAX + 1];
    uint32_t expected; /* picked, to be packed */
    uint32_t packed;
} tote_wire_pack_line;

typedef struct tote_wire_msg {
    uint8_t version;
    uint8_t type; /* tote_wire_type */
    uint16_t flags;
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    uint32_t seq;
    union {
        struct {          /* HELLO */
            uint8_t role; /* tote_wire_role */
            char sw_version[TOTE_WIRE_SHORT_MAX + 1];
        } hello;
        /* HEARTBEAT, NEXT_TASK, RETURN_CLOSE, LOGOUT, HEARTBEAT_OK: no fields */
        tote_wire_scan scan; /* SCAN, PACK_OPEN, PACK_ITEM, LABEL_CONFIRM, RETURN_OPEN */
        struct {             /* SHORT_PICK */
            uint32_t task_id;
            uint32_t qty_found;
            char reason[TOTE_WIRE_TEXT_MAX + 1];
        } short_pick;
        struct { /* PACK_WEIGHT */
            uint32_t grams;
        } weight;
        struct { /* PACK_CLOSE */
            char carton[TOTE_WIRE_SHORT_MAX + 1];
            uint8_t more; /* bool: more cartons follow for the order's units not yet packed */
        } pack_close;
        struct { /* RETURN_ITEM */
            tote_wire_scan scan;
            uint8_t disposition; /* tote_return_disposition */
            char location[TOTE_WIRE_SHORT_MAX + 1];
            char reason[TOTE_WIRE_TEXT_MAX + 1];
        } return_item;
        struct {          /* OVERRIDE */
            uint8_t kind; /* tote_override_kind */
            char badge[TOTE_WIRE_SHORT_MAX + 1];
        } override_;
        struct {                                /* SNAPSHOT */
            char what[TOTE_WIRE_SHORT_MAX + 1]; /* "overview", "order", ... */
            char arg[TOTE_WIRE_TEXT_MAX + 1];
        } snapshot;
        struct { /* HELLO_OK */
            char station_version[TOTE_WIRE_SHORT_MAX + 1];
            uint32_t heartbeat_ms;
            uint32_t lease_ms;
            uint32_t last_seq; /* highest seq the station has answered */
            uint8_t require_bin_scan;
            char operator_name[TOTE_WIRE_TEXT_MAX + 1]; /* "" if none */
        } hello_ok;
        struct {              /* TASK */
            uint8_t kind;     /* tote_task_kind */
            uint32_t task_id; /* pick_task id; for PACK the order id */
            uint32_t pick_list_id;
            char bin[TOTE_WIRE_SHORT_MAX + 1];
            char sku[TOTE_WIRE_SHORT_MAX + 1];
            char name[TOTE_WIRE_TEXT_MAX + 1];
            char gtin[TOTE_WIRE_SHORT_MAX + 1]; /* GTIN-14 or "" */
            char lot[TOTE_WIRE_SHORT_MAX + 1];  /* allocated lot or "" */
            uint32_t qty_total;
            uint32_t qty_done;
            char tote[TOTE_WIRE_SHORT_MAX + 1];
            char order[TOTE_WIRE_SHORT_MAX + 1];
            uint32_t tasks_left; /* in this pick list, this one included */
            uint8_t bin_confirmed;
        } task;
        struct { /* NO_TASK */
            char message[TOTE_WIRE_TEXT_MAX + 1];
        } no_task;
        struct {              /* RESULT */
            uint8_t accepted; /* 1 accepted, 0 refused */
            uint16_t reason;  /* tote_wire_reason */
            uint8_t feedback; /* tote_wire_feedback */
            char message[TOTE_WIRE_TEXT_MAX + 1];
            uint32_t qty_done;
            uint32_t qty_left;
            uint8_t task_done;
        } result;
        struct { /* PACK_STATE */
            uint8_t accepted;
            uint16_t reason;
            uint8_t feedback;
            char message[TOTE_WIRE_TEXT_MAX + 1];
            char order[TOTE_WIRE_SHORT_MAX + 1];
            uint32_t package_id;
            uint32_t package_no; /* n of ... */
            uint32_t expected_weight_g;
            uint32_t weight_g; /* 0 = not weighed */
            char tracking[TOTE_WIRE_SHORT_MAX + 1];
            char sscc[TOTE_WIRE_SHORT_MAX + 1];
            uint8_t status; /* 0 none, 1 open, 2 closed, 3 shipped */
            uint16_t line_count;
            tote_wire_pack_line lines[TOTE_WIRE_PACK_LINES_MAX];
        } pack_state;
        struct {               /* SNAPSHOT_REPLY */
            uint32_t json_len; /* set by decode; encode sends strlen(json) */
            char json[TOTE_WIRE_JSON_MAX + 1];
        } snapshot_reply;
        struct {           /* ERROR */
            uint16_t code; /* tote_wire_error */
            char message[TOTE_WIRE_TEXT_MAX + 1];
        } error;
    } u;
} tote_wire_msg;

/* Zeroes *m and sets version, type, device (truncated to the limit) and seq.
 * Not cleared (for speed: ~19 KB): the bytes of scan.raw / return_item.scan.raw
 * (sent up to raw_len), and PACK_STATE's lines and SNAPSHOT_REPLY's json unless
 * type is PACK_STATE / SNAPSHOT_REPLY; every other field of every member is zero. */
void tote_wire_init(tote_wire_msg *m, tote_wire_type type, const char *device, uint32_t seq);

/*
 * Encodes m into buf[0..cap). On success stores the byte count in *len and
 * returns TOTE_PROTO_E_OK. Returns TOTE_PROTO_E_NOSPACE if cap is too small,
 * TOTE_PROTO_E_TYPE for an unknown type, TOTE_PROTO_E_TOO_LONG if a string is
 * longer than its limit (strings are taken up to their NUL; an array with no
 * NUL is too long) or the body would exceed TOTE_WIRE_MAX_FRAME, and
 * TOTE_PROTO_E_INVALID for what decode would refuse as INVALID (empty device,
 * bad enum, a boolean other than 0/1). m->version is ignored: the body always
 * carries TOTE_WIRE_VERSION. TOTE_WIRE_MAX_FRAME bytes always suffice.
 */
tote_proto_err tote_wire_encode(const tote_wire_msg *m, uint8_t *buf, size_t cap, size_t *len);

/*
 * Decodes buf[0..len) into *out (overwritten as tote_wire_init clears it: the
 * raw scan bytes past raw_len keep what they held). Never reads past len.
 * Errors: SHORT (truncated), TRAILING (extra bytes), VERSION, TYPE,
 * TOO_LONG (field over its limit or frame over TOTE_WIRE_MAX_FRAME),
 * INVALID (device empty, bad enum value such as role 0).
 * On VERSION/TYPE errors out->type/out->device/out->seq are filled in as far
 * as they could be read, so the station can address a typed ERROR reply; on
 * any error the whole body (out->u) is zero.
 */
tote_proto_err tote_wire_decode(const uint8_t *buf, size_t len, tote_wire_msg *out);

/* Human names, static strings: "HELLO", "PACK_STATE"...; "UNKNOWN" otherwise. */
const char *tote_wire_type_name(uint8_t type);
const char *tote_wire_reason_text(uint16_t reason); /* "wrong item for this pick" */
const char *tote_wire_reason_name(uint16_t reason); /* "WRONG_ITEM" */
const char *tote_wire_error_text(uint16_t code);
const char *tote_wire_error_name(uint16_t code);       /* "BAD_VERSION" */
const char *tote_wire_feedback_name(uint8_t feedback); /* "good"..., "unknown" */
const char *tote_wire_role_name(uint8_t role);         /* "picker"... */
/* Parses "picker"/"packer"/"bench"/"console"; returns 0 if unknown. */
uint8_t tote_wire_role_parse(const char *name);

/* 1 if type is a request type (< 0x80 and known), else 0. */
int tote_wire_is_request(uint8_t type);

#endif
