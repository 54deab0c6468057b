/*
 * Station <-> handheld wire codec (firmware-protocol/PROTOCOL.md is the
 * byte-level description; tests/unit/test_wire.c checks both against the same
 * test vectors).
 *
 * One table-free pair of functions per direction: encode() writes through a
 * bounded writer that only ever fails with NOSPACE; decode() reads through a
 * bounded reader that never reads past len. Both run the same field order,
 * which is the whole contract.
 */
#include "tote/wire.h"

#include <stddef.h>
#include <string.h>

/* ---------------- writer ---------------- */

typedef struct wbuf {
    uint8_t *p;
    size_t cap;
    size_t n;
    tote_proto_err err; /* first error; later writes are no-ops */
} wbuf;

static void w_bytes(wbuf *w, const void *src, size_t n)
{
    if (w->err)
        return;
    if (w->cap - w->n < n) {
        w->err = TOTE_PROTO_E_NOSPACE;
        return;
    }
    if (n)
        memcpy(w->p + w->n, src, n);
    w->n += n;
}

static void w_u8(wbuf *w, uint8_t v)
{
    w_bytes(w, &v, 1);
}

static void w_u16(wbuf *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(w, b, 2);
}

static void w_u32(wbuf *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    w_bytes(w, b, 4);
}

/* A string or enum error replaces NOSPACE: a bigger buffer would not help,
 * so it is the more useful verdict. */
static void w_fail(wbuf *w, tote_proto_err e)
{
    if (!w->err || w->err == TOTE_PROTO_E_NOSPACE)
        w->err = e;
}

/* A NUL-terminated string held in an array of `size` bytes (limit size-1).
 * width is 1 (str8), 2 (str16) or 4 (str32). */
static void w_str(wbuf *w, const char *s, size_t size, int width)
{
    size_t n = strnlen(s, size);
    if (n >= size) {
        w_fail(w, TOTE_PROTO_E_TOO_LONG);
        return;
    }
    if (width == 1)
        w_u8(w, (uint8_t)n);
    else if (width == 2)
        w_u16(w, (uint16_t)n);
    else
        w_u32(w, (uint32_t)n);
    w_bytes(w, s, n);
}

#define W_STR8(w, arr) w_str((w), (arr), sizeof(arr), 1)
#define W_STR16(w, arr) w_str((w), (arr), sizeof(arr), 2)

static void w_bool(wbuf *w, uint8_t v)
{
    if (v > 1)
        w_fail(w, TOTE_PROTO_E_INVALID);
    w_u8(w, v);
}

static void w_scan(wbuf *w, const tote_wire_scan *s)
{
    W_STR8(w, s->symbology);
    if (s->raw_len > TOTE_WIRE_RAW_MAX) {
        w_fail(w, TOTE_PROTO_E_TOO_LONG);
        return;
    }
    w_u16(w, s->raw_len);
    w_bytes(w, s->raw, s->raw_len);
}

/* ---------------- reader ---------------- */

typedef struct rbuf {
    const uint8_t *p;
    size_t len;
    size_t off;
    tote_proto_err err; /* first error; later reads return zeros */
} rbuf;

static void r_fail(rbuf *r, tote_proto_err e)
{
    if (!r->err)
        r->err = e;
}

static const uint8_t *r_take(rbuf *r, size_t n)
{
    if (r->err)
        return NULL;
    if (r->len - r->off < n) {
        r->err = TOTE_PROTO_E_SHORT;
        return NULL;
    }
    const uint8_t *q = r->p + r->off;
    r->off += n;
    return q;
}

static uint8_t r_u8(rbuf *r)
{
    const uint8_t *q = r_take(r, 1);
    return q ? q[0] : 0;
}

static uint16_t r_u16(rbuf *r)
{
    const uint8_t *q = r_take(r, 2);
    return q ? (uint16_t)((q[0] << 8) | q[1]) : 0;
}

static uint32_t r_u32(rbuf *r)
{
    const uint8_t *q = r_take(r, 4);
    return q ? ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3] : 0;
}

/* Reads a length-prefixed string into dst[size] and NUL-terminates it.
 * Over the array: TOO_LONG. Truncated: SHORT. An embedded NUL: INVALID (it
 * could not survive the NUL-terminated array, so it would not round-trip). */
static size_t r_str(rbuf *r, char *dst, size_t size, int width)
{
    uint32_t n = width == 1 ? r_u8(r) : width == 2 ? r_u16(r) : r_u32(r);
    if (r->err)
        return 0;
    if (n >= size) { /* over the array, whether or not the frame holds it */
        r_fail(r, TOTE_PROTO_E_TOO_LONG);
        return 0;
    }
    const uint8_t *q = r_take(r, n);
    if (!q)
        return 0;
    if (memchr(q, 0, n)) {
        r_fail(r, TOTE_PROTO_E_INVALID);
        return 0;
    }
    memcpy(dst, q, n);
    dst[n] = '\0';
    return n;
}

#define R_STR8(r, arr) r_str((r), (arr), sizeof(arr), 1)
#define R_STR16(r, arr) r_str((r), (arr), sizeof(arr), 2)

static uint8_t r_bool(rbuf *r)
{
    uint8_t v = r_u8(r);
    if (v > 1)
        r_fail(r, TOTE_PROTO_E_INVALID);
    return v;
}

static void r_scan(rbuf *r, tote_wire_scan *s)
{
    R_STR8(r, s->symbology);
    uint16_t n = r_u16(r);
    if (r->err)
        return;
    if (n > TOTE_WIRE_RAW_MAX) {
        r_fail(r, TOTE_PROTO_E_TOO_LONG);
        return;
    }
    const uint8_t *q = r_take(r, n);
    if (!q)
        return;
    memcpy(s->raw, q, n);
    s->raw_len = n;
}

/* ---------------- enums ---------------- */

static int role_ok(uint8_t v)
{
    return v >= TOTE_ROLE_PICKER && v <= TOTE_ROLE_CONSOLE;
}

static int disposition_ok(uint8_t v)
{
    return v == TOTE_RETURN_RESTOCK || v == TOTE_RETURN_QUARANTINE;
}

static int override_ok(uint8_t v)
{
    return v == TOTE_OVERRIDE_WEIGHT || v == TOTE_OVERRIDE_SHORT_CLOSE;
}

static int task_kind_ok(uint8_t v)
{
    return v == TOTE_TASK_PICK || v == TOTE_TASK_PACK;
}

#define PACK_STATUS_MAX 3 /* 0 none, 1 open, 2 closed, 3 shipped */

/* ---------------- names ---------------- */

#define TYPE_NAME(name)         \
    {                           \
        TOTE_WIRE_##name, #name \
    }
static const struct {
    uint8_t type;
    const char *name;
} type_names[] = {
    TYPE_NAME(HELLO),        TYPE_NAME(HEARTBEAT),     TYPE_NAME(NEXT_TASK),      TYPE_NAME(SCAN),
    TYPE_NAME(SHORT_PICK),   TYPE_NAME(PACK_OPEN),     TYPE_NAME(PACK_ITEM),      TYPE_NAME(PACK_WEIGHT),
    TYPE_NAME(PACK_CLOSE),   TYPE_NAME(LABEL_CONFIRM), TYPE_NAME(RETURN_OPEN),    TYPE_NAME(RETURN_ITEM),
    TYPE_NAME(RETURN_CLOSE), TYPE_NAME(OVERRIDE),      TYPE_NAME(LOGOUT),         TYPE_NAME(SNAPSHOT),
    TYPE_NAME(HELLO_OK),     TYPE_NAME(HEARTBEAT_OK),  TYPE_NAME(TASK),           TYPE_NAME(NO_TASK),
    TYPE_NAME(RESULT),       TYPE_NAME(PACK_STATE),    TYPE_NAME(SNAPSHOT_REPLY), TYPE_NAME(ERROR),
};
#undef TYPE_NAME

const char *tote_wire_type_name(uint8_t type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return "UNKNOWN";
}

static int type_known(uint8_t type)
{
    return strcmp(tote_wire_type_name(type), "UNKNOWN") != 0;
}

int tote_wire_is_request(uint8_t type)
{
    return type < 0x80 && type_known(type);
}

const char *tote_wire_reason_text(uint16_t reason)
{
    switch (reason) {
#define TOTE_WIRE_REASON_TEXT(name, value, text) \
    case TOTE_REASON_##name:                     \
        return text;
        TOTE_WIRE_REASON_MAP(TOTE_WIRE_REASON_TEXT)
#undef TOTE_WIRE_REASON_TEXT
    }
    return "unknown reason";
}

const char *tote_wire_reason_name(uint16_t reason)
{
    switch (reason) {
#define TOTE_WIRE_REASON_NAME(name, value, text) \
    case TOTE_REASON_##name:                     \
        return #name;
        TOTE_WIRE_REASON_MAP(TOTE_WIRE_REASON_NAME)
#undef TOTE_WIRE_REASON_NAME
    }
    return "UNKNOWN";
}

const char *tote_wire_error_text(uint16_t code)
{
    switch (code) {
#define TOTE_WIRE_ERROR_TEXT(name, value, text) \
    case TOTE_WERR_##name:                      \
        return text;
        TOTE_WIRE_ERROR_MAP(TOTE_WIRE_ERROR_TEXT)
#undef TOTE_WIRE_ERROR_TEXT
    }
    return "unknown error";
}

const char *tote_wire_error_name(uint16_t code)
{
    switch (code) {
#define TOTE_WIRE_ERROR_NAME(name, value, text) \
    case TOTE_WERR_##name:                      \
        return #name;
        TOTE_WIRE_ERROR_MAP(TOTE_WIRE_ERROR_NAME)
#undef TOTE_WIRE_ERROR_NAME
    }
    return "UNKNOWN";
}

static const char *const role_names[] = {NULL, "picker", "packer", "bench", "console"};

const char *tote_wire_role_name(uint8_t role)
{
    return role_ok(role) ? role_names[role] : "unknown";
}

uint8_t tote_wire_role_parse(const char *name)
{
    if (!name)
        return 0;
    for (uint8_t r = TOTE_ROLE_PICKER; r <= TOTE_ROLE_CONSOLE; r++)
        if (strcmp(name, role_names[r]) == 0)
            return r;
    return 0;
}

const char *tote_wire_feedback_name(uint8_t feedback)
{
    static const char *const names[] = {"none", "good", "error", "warning", "done"};
    return feedback <= TOTE_FEEDBACK_DONE ? names[feedback] : "unknown";
}

/* ---------------- clearing ---------------- */

/*
 * A tote_wire_msg is ~19.5 KB, almost all of it three bulk arrays: the raw
 * bytes of a scan, the PACK_STATE lines and the snapshot JSON. Clearing all
 * of it for every 40-byte SCAN was 97% of a wire round trip, so only
 * the fixed-size fields are cleared: the union's first HEAD bytes (every
 * member but those three lies wholly inside them, and so do the fields in
 * front of the bulk arrays) and RETURN_ITEM's fields behind its scan. A
 * member added to the union with a bulk array of its own must be listed
 * here too (the static assert below notices a member that outgrows HEAD).
 */
#define U_OFF(member) (offsetof(tote_wire_msg, u.member) - offsetof(tote_wire_msg, u))
#define U_SIZE(member) sizeof(((tote_wire_msg *)0)->u.member)
#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define HEAD                                                                                            \
    MAX2(MAX2(MAX2(MAX2(U_OFF(scan.raw), U_SIZE(hello)), MAX2(U_SIZE(short_pick), U_SIZE(pack_close))), \
              MAX2(MAX2(U_SIZE(override_), U_SIZE(snapshot)), MAX2(U_SIZE(hello_ok), U_SIZE(task)))),   \
         MAX2(MAX2(MAX2(U_SIZE(no_task), U_SIZE(result)), MAX2(U_SIZE(error), U_SIZE(weight))),         \
              MAX2(U_OFF(pack_state.lines), U_OFF(snapshot_reply.json) + 1)))
#define RETURN_TAIL_OFF U_OFF(return_item.disposition)
#define RETURN_TAIL_SIZE (U_OFF(return_item) + U_SIZE(return_item) - RETURN_TAIL_OFF)

_Static_assert(HEAD <= 1024,
               "tote_wire_msg: a member outgrew the cleared head; list its bulk array in wire.c");

/* Zeroes the header and every fixed-size field of every member (so a
 * message may change type after init); for PACK_STATE and SNAPSHOT_REPLY
 * the whole member, since callers fill some line fields and leave the rest
 * to be "". The scan raw bytes (taken by raw_len) are left as they were. */
static void clear_msg(tote_wire_msg *m, uint8_t type)
{
    memset(m, 0, offsetof(tote_wire_msg, u) + HEAD);
    memset((uint8_t *)&m->u + RETURN_TAIL_OFF, 0, RETURN_TAIL_SIZE);
    if (type == TOTE_WIRE_PACK_STATE)
        memset(&m->u.pack_state, 0, sizeof m->u.pack_state);
    else if (type == TOTE_WIRE_SNAPSHOT_REPLY)
        memset(&m->u.snapshot_reply, 0, sizeof m->u.snapshot_reply);
}

/* ---------------- init ---------------- */

void tote_wire_init(tote_wire_msg *m, tote_wire_type type, const char *device, uint32_t seq)
{
    clear_msg(m, (uint8_t)type);
    m->version = TOTE_WIRE_VERSION;
    m->type = (uint8_t)type;
    m->seq = seq;
    if (device) {
        size_t n = strnlen(device, TOTE_WIRE_DEVICE_MAX);
        memcpy(m->device, device, n);
        m->device[n] = '\0';
    }
}

/* ---------------- encode ---------------- */

static void enc_body(wbuf *w, const tote_wire_msg *m)
{
    switch ((tote_wire_type)m->type) {
    case TOTE_WIRE_HELLO:
        if (!role_ok(m->u.hello.role))
            w_fail(w, TOTE_PROTO_E_INVALID);
        w_u8(w, m->u.hello.role);
        W_STR8(w, m->u.hello.sw_version);
        break;
    case TOTE_WIRE_HEARTBEAT:
    case TOTE_WIRE_NEXT_TASK:
    case TOTE_WIRE_RETURN_CLOSE:
    case TOTE_WIRE_LOGOUT:
    case TOTE_WIRE_HEARTBEAT_OK:
        break;
    case TOTE_WIRE_SCAN:
    case TOTE_WIRE_PACK_OPEN:
    case TOTE_WIRE_PACK_ITEM:
    case TOTE_WIRE_LABEL_CONFIRM:
    case TOTE_WIRE_RETURN_OPEN:
        w_scan(w, &m->u.scan);
        break;
    case TOTE_WIRE_SHORT_PICK:
        w_u32(w, m->u.short_pick.task_id);
        w_u32(w, m->u.short_pick.qty_found);
        W_STR16(w, m->u.short_pick.reason);
        break;
    case TOTE_WIRE_PACK_WEIGHT:
        w_u32(w, m->u.weight.grams);
        break;
    case TOTE_WIRE_PACK_CLOSE:
        W_STR8(w, m->u.pack_close.carton);
        w_bool(w, m->u.pack_close.more);
        break;
    case TOTE_WIRE_RETURN_ITEM:
        w_scan(w, &m->u.return_item.scan);
        if (!disposition_ok(m->u.return_item.disposition))
            w_fail(w, TOTE_PROTO_E_INVALID);
        w_u8(w, m->u.return_item.disposition);
        W_STR8(w, m->u.return_item.location);
        W_STR16(w, m->u.return_item.reason);
        break;
    case TOTE_WIRE_OVERRIDE:
        if (!override_ok(m->u.override_.kind))
            w_fail(w, TOTE_PROTO_E_INVALID);
        w_u8(w, m->u.override_.kind);
        W_STR8(w, m->u.override_.badge);
        break;
    case TOTE_WIRE_SNAPSHOT:
        W_STR8(w, m->u.snapshot.what);
        W_STR16(w, m->u.snapshot.arg);
        break;
    case TOTE_WIRE_HELLO_OK:
        W_STR8(w, m->u.hello_ok.station_version);
        w_u32(w, m->u.hello_ok.heartbeat_ms);
        w_u32(w, m->u.hello_ok.lease_ms);
        w_u32(w, m->u.hello_ok.last_seq);
        w_bool(w, m->u.hello_ok.require_bin_scan);
        W_STR16(w, m->u.hello_ok.operator_name);
        break;
    case TOTE_WIRE_TASK:
        if (!task_kind_ok(m->u.task.kind))
            w_fail(w, TOTE_PROTO_E_INVALID);
        w_u8(w, m->u.task.kind);
        w_u32(w, m->u.task.task_id);
        w_u32(w, m->u.task.pick_list_id);
        W_STR8(w, m->u.task.bin);
        W_STR8(w, m->u.task.sku);
        W_STR16(w, m->u.task.name);
        W_STR8(w, m->u.task.gtin);
        W_STR8(w, m->u.task.lot);
        w_u32(w, m->u.task.qty_total);
        w_u32(w, m->u.task.qty_done);
        W_STR8(w, m->u.task.tote);
        W_STR8(w, m->u.task.order);
        w_u32(w, m->u.task.tasks_left);
        w_bool(w, m->u.task.bin_confirmed);
        break;
    case TOTE_WIRE_NO_TASK:
        W_STR16(w, m->u.no_task.message);
        break;
    case TOTE_WIRE_RESULT:
        w_bool(w, m->u.result.accepted);
        w_u16(w, m->u.result.reason);
        w_u8(w, m->u.result.feedback);
        W_STR16(w, m->u.result.message);
        w_u32(w, m->u.result.qty_done);
        w_u32(w, m->u.result.qty_left);
        w_bool(w, m->u.result.task_done);
        break;
    case TOTE_WIRE_PACK_STATE: {
#define ps (&m->u.pack_state)
        w_bool(w, ps->accepted);
        w_u16(w, ps->reason);
        w_u8(w, ps->feedback);
        W_STR16(w, ps->message);
        W_STR8(w, ps->order);
        w_u32(w, ps->package_id);
        w_u32(w, ps->package_no);
        w_u32(w, ps->expected_weight_g);
        w_u32(w, ps->weight_g);
        W_STR8(w, ps->tracking);
        W_STR8(w, ps->sscc);
        if (ps->status > PACK_STATUS_MAX || ps->line_count > TOTE_WIRE_PACK_LINES_MAX)
            w_fail(w, TOTE_PROTO_E_INVALID);
        w_u8(w, ps->status);
        w_u16(w, ps->line_count);
        for (uint16_t i = 0; i < ps->line_count && i < TOTE_WIRE_PACK_LINES_MAX; i++) {
            const tote_wire_pack_line *l = &ps->lines[i];
            W_STR8(w, l->sku);
            W_STR8(w, l->gtin);
            W_STR16(w, l->name);
            w_u32(w, l->expected);
            w_u32(w, l->packed);
        }
        break;
#undef ps
    }
    case TOTE_WIRE_SNAPSHOT_REPLY:
        w_str(w, m->u.snapshot_reply.json, sizeof m->u.snapshot_reply.json, 4);
        break;
    case TOTE_WIRE_ERROR:
        w_u16(w, m->u.error.code);
        W_STR16(w, m->u.error.message);
        break;
    default:
        w_fail(w, TOTE_PROTO_E_TYPE);
        break;
    }
}

tote_proto_err tote_wire_encode(const tote_wire_msg *m, uint8_t *buf, size_t cap, size_t *len)
{
    if (len)
        *len = 0;
    if (!type_known(m->type))
        return TOTE_PROTO_E_TYPE;
    size_t dn = strnlen(m->device, sizeof m->device);
    if (dn >= sizeof m->device)
        return TOTE_PROTO_E_TOO_LONG;
    if (dn == 0)
        return TOTE_PROTO_E_INVALID;
    wbuf w = {buf, cap, 0, TOTE_PROTO_E_OK};
    w_u8(&w, TOTE_WIRE_VERSION);
    w_u8(&w, m->type);
    w_u16(&w, m->flags);
    W_STR8(&w, m->device);
    w_u32(&w, m->seq);
    enc_body(&w, m);
    /* Out of room in a buffer of a whole frame: the message itself is too
     * long, no buffer would help. */
    if (w.err == TOTE_PROTO_E_NOSPACE && cap >= TOTE_WIRE_MAX_FRAME)
        return TOTE_PROTO_E_TOO_LONG;
    if (w.err)
        return w.err;
    if (w.n > TOTE_WIRE_MAX_FRAME)
        return TOTE_PROTO_E_TOO_LONG;
    if (len)
        *len = w.n;
    return TOTE_PROTO_E_OK;
}

/* ---------------- decode ---------------- */

static void dec_body(rbuf *r, tote_wire_msg *m)
{
    switch ((tote_wire_type)m->type) {
    case TOTE_WIRE_HELLO:
        m->u.hello.role = r_u8(r);
        if (!r->err && !role_ok(m->u.hello.role))
            r_fail(r, TOTE_PROTO_E_INVALID);
        R_STR8(r, m->u.hello.sw_version);
        break;
    case TOTE_WIRE_HEARTBEAT:
    case TOTE_WIRE_NEXT_TASK:
    case TOTE_WIRE_RETURN_CLOSE:
    case TOTE_WIRE_LOGOUT:
    case TOTE_WIRE_HEARTBEAT_OK:
        break;
    case TOTE_WIRE_SCAN:
    case TOTE_WIRE_PACK_OPEN:
    case TOTE_WIRE_PACK_ITEM:
    case TOTE_WIRE_LABEL_CONFIRM:
    case TOTE_WIRE_RETURN_OPEN:
        r_scan(r, &m->u.scan);
        break;
    case TOTE_WIRE_SHORT_PICK:
        m->u.short_pick.task_id = r_u32(r);
        m->u.short_pick.qty_found = r_u32(r);
        R_STR16(r, m->u.short_pick.reason);
        break;
    case TOTE_WIRE_PACK_WEIGHT:
        m->u.weight.grams = r_u32(r);
        break;
    case TOTE_WIRE_PACK_CLOSE:
        R_STR8(r, m->u.pack_close.carton);
        m->u.pack_close.more = r_bool(r);
        break;
    case TOTE_WIRE_RETURN_ITEM:
        r_scan(r, &m->u.return_item.scan);
        m->u.return_item.disposition = r_u8(r);
        if (!r->err && !disposition_ok(m->u.return_item.disposition))
            r_fail(r, TOTE_PROTO_E_INVALID);
        R_STR8(r, m->u.return_item.location);
        R_STR16(r, m->u.return_item.reason);
        break;
    case TOTE_WIRE_OVERRIDE:
        m->u.override_.kind = r_u8(r);
        if (!r->err && !override_ok(m->u.override_.kind))
            r_fail(r, TOTE_PROTO_E_INVALID);
        R_STR8(r, m->u.override_.badge);
        break;
    case TOTE_WIRE_SNAPSHOT:
        R_STR8(r, m->u.snapshot.what);
        R_STR16(r, m->u.snapshot.arg);
        break;
    case TOTE_WIRE_HELLO_OK:
        R_STR8(r, m->u.hello_ok.station_version);
        m->u.hello_ok.heartbeat_ms = r_u32(r);
        m->u.hello_ok.lease_ms = r_u32(r);
        m->u.hello_ok.last_seq = r_u32(r);
        m->u.hello_ok.require_bin_scan = r_bool(r);
        R_STR16(r, m->u.hello_ok.operator_name);
        break;
    case TOTE_WIRE_TASK:
        m->u.task.kind = r_u8(r);
        if (!r->err && !task_kind_ok(m->u.task.kind))
            r_fail(r, TOTE_PROTO_E_INVALID);
        m->u.task.task_id = r_u32(r);
        m->u.task.pick_list_id = r_u32(r);
        R_STR8(r, m->u.task.bin);
        R_STR8(r, m->u.task.sku);
        R_STR16(r, m->u.task.name);
        R_STR8(r, m->u.task.gtin);
        R_STR8(r, m->u.task.lot);
        m->u.task.qty_total = r_u32(r);
        m->u.task.qty_done = r_u32(r);
        R_STR8(r, m->u.task.tote);
        R_STR8(r, m->u.task.order);
        m->u.task.tasks_left = r_u32(r);
        m->u.task.bin_confirmed = r_bool(r);
        break;
    case TOTE_WIRE_NO_TASK:
        R_STR16(r, m->u.no_task.message);
        break;
    case TOTE_WIRE_RESULT:
        m->u.result.accepted = r_bool(r);
        m->u.result.reason = r_u16(r);
        m->u.result.feedback = r_u8(r);
        R_STR16(r, m->u.result.message);
        m->u.result.qty_done = r_u32(r);
        m->u.result.qty_left = r_u32(r);
        m->u.result.task_done = r_bool(r);
        break;
    case TOTE_WIRE_PACK_STATE: {
#define ps (&m->u.pack_state)
        ps->accepted = r_bool(r);
        ps->reason = r_u16(r);
        ps->feedback = r_u8(r);
        R_STR16(r, ps->message);
        R_STR8(r, ps->order);
        ps->package_id = r_u32(r);
        ps->package_no = r_u32(r);
        ps->expected_weight_g = r_u32(r);
        ps->weight_g = r_u32(r);
        R_STR8(r, ps->tracking);
        R_STR8(r, ps->sscc);
        ps->status = r_u8(r);
        if (!r->err && ps->status > PACK_STATUS_MAX)
            r_fail(r, TOTE_PROTO_E_INVALID);
        uint16_t count = r_u16(r);
        if (!r->err && count > TOTE_WIRE_PACK_LINES_MAX)
            r_fail(r, TOTE_PROTO_E_INVALID);
        for (uint16_t i = 0; i < count && !r->err; i++) {
            tote_wire_pack_line *l = &ps->lines[i];
            R_STR8(r, l->sku);
            R_STR8(r, l->gtin);
            R_STR16(r, l->name);
            l->expected = r_u32(r);
            l->packed = r_u32(r);
        }
        if (!r->err)
            ps->line_count = count;
        break;
#undef ps
    }
    case TOTE_WIRE_SNAPSHOT_REPLY: {
        size_t n = r_str(r, m->u.snapshot_reply.json, sizeof m->u.snapshot_reply.json, 4);
        m->u.snapshot_reply.json_len = (uint32_t)n;
        break;
    }
    case TOTE_WIRE_ERROR:
        m->u.error.code = r_u16(r);
        R_STR16(r, m->u.error.message);
        break;
    default:
        r_fail(r, TOTE_PROTO_E_TYPE);
        break;
    }
}

/* A refused message: the header as far as it was read, the whole body zero. */
static tote_proto_err refuse(tote_wire_msg *out, tote_proto_err e)
{
    memset(&out->u, 0, sizeof out->u);
    return e;
}

tote_proto_err tote_wire_decode(const uint8_t *buf, size_t len, tote_wire_msg *out)
{
    /* the fixed fields (and PACK_STATE's lines, the snapshot's JSON): the
     * scan's raw bytes are written up to raw_len */
    clear_msg(out, len >= 2 ? buf[1] : 0);
    rbuf r = {buf, len, 0, TOTE_PROTO_E_OK};

    /* The header is read as far as it goes, whatever the verdict, so that
     * the station can address a typed ERROR reply. */
    out->version = r_u8(&r);
    out->type = r_u8(&r);
    out->flags = r_u16(&r);
    uint8_t dn = r_u8(&r);
    int device_too_long = 0, device_invalid = 0;
    if (!r.err) {
        if (dn > TOTE_WIRE_DEVICE_MAX) {
            device_too_long = 1;
            r_take(&r, dn);
        } else {
            const uint8_t *q = r_take(&r, dn);
            if (q) {
                device_invalid = dn == 0 || memchr(q, 0, dn) != NULL;
                if (!device_invalid)
                    memcpy(out->device, q, dn);
            }
        }
    }
    out->seq = r_u32(&r);
    tote_proto_err header_err = r.err;

    if (len > TOTE_WIRE_MAX_FRAME)
        return refuse(out, TOTE_PROTO_E_TOO_LONG);
    if (len < 1)
        return refuse(out, TOTE_PROTO_E_SHORT);
    if (out->version != TOTE_WIRE_VERSION)
        return refuse(out, TOTE_PROTO_E_VERSION);
    if (header_err)
        return refuse(out, header_err);
    if (device_too_long)
        return refuse(out, TOTE_PROTO_E_TOO_LONG);
    if (device_invalid)
        return refuse(out, TOTE_PROTO_E_INVALID);
    if (!type_known(out->type))
        return refuse(out, TOTE_PROTO_E_TYPE);

    dec_body(&r, out);
    if (!r.err && r.off != len)
        r.err = TOTE_PROTO_E_TRAILING;
    if (r.err) /* keep the header for addressing; drop a half-read body */
        return refuse(out, r.err);
    return TOTE_PROTO_E_OK;
}
