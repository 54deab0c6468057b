/*
 * Wire codec: the test vectors of firmware-protocol/PROTOCOL.md both ways
 * (encode == hex, decode(hex) == struct), every prefix of them decoded,
 * encoder refusals, the vectors in reused memory, init, and the names.
 * Malformed input and the limits: test_wire_limits.c (what both use is in
 * wire_fixture.h).
 *
 * The vector table below and the "tv NAME:" blocks in PROTOCOL.md must agree
 * (test_protocol_md_in_sync). To print the table in PROTOCOL.md's format after
 * changing a builder: TOTE_WIRE_DUMP_VECTORS=1 ./test_wire test_vectors_encode
 */
#include "support.h"
#include "test.h"
#include "tote/wire.h"
#include "wire_fixture.h"

#include <ctype.h>

static void set(char *dst, size_t size, const char *s)
{
    snprintf(dst, size, "%s", s);
}
#define SET(arr, s) set((arr), sizeof(arr), (s))

static void set_scan(tote_wire_scan *sc, const char *sym, const char *raw)
{
    SET(sc->symbology, sym);
    sc->raw_len = (uint16_t)strlen(raw);
    memcpy(sc->raw, raw, sc->raw_len);
}

/* ---------------- vector builders ---------------- */

static void v_hello(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_HELLO, "hh-01", 1);
    m->u.hello.role = TOTE_ROLE_PICKER;
    SET(m->u.hello.sw_version, "0.1.0");
}

static void v_heartbeat(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_HEARTBEAT, "hh-01", 0);
}

static void v_next_task(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_NEXT_TASK, "hh-01", 2);
}

static void v_scan(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_SCAN, "hh-01", 3);
    set_scan(&m->u.scan, "]C1",
             "0109506000134352"
             "10ABC\x1d"
             "17261231");
}

static void v_scan_replay(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_SCAN, "hh-01", 4);
    m->flags = TOTE_WIRE_F_REPLAY;
    set_scan(&m->u.scan, "]C0", "BIN-A-01-02");
}

static void v_short_pick(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_SHORT_PICK, "hh-01", 5);
    m->u.short_pick.task_id = 17;
    m->u.short_pick.qty_found = 2;
    SET(m->u.short_pick.reason, "bin empty");
}

static void v_pack_open(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_PACK_OPEN, "bench-1", 1);
    set_scan(&m->u.scan, "]C0", "ORD-#1001");
}

static void v_pack_item(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_PACK_ITEM, "bench-1", 2);
    set_scan(&m->u.scan, "]E0", "4006381333931");
}

static void v_pack_weight(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_PACK_WEIGHT, "bench-1", 3);
    m->u.weight.grams = 1250;
}

static void v_pack_close(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_PACK_CLOSE, "bench-1", 4);
    SET(m->u.pack_close.carton, "BOX-M");
}

static void v_pack_close_more(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_PACK_CLOSE, "bench-1", 4);
    SET(m->u.pack_close.carton, "BOX-L");
    m->u.pack_close.more = 1;
}

static void v_label_confirm(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_LABEL_CONFIRM, "bench-1", 5);
    set_scan(&m->u.scan, "]C0", "LX000000015NL");
}

static void v_return_open(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_RETURN_OPEN, "bench-1", 6);
    set_scan(&m->u.scan, "]C0", "ORD-#1001");
}

static void v_return_item(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_RETURN_ITEM, "bench-1", 7);
    set_scan(&m->u.return_item.scan, "]E0", "4006381333931");
    m->u.return_item.disposition = TOTE_RETURN_RESTOCK;
    SET(m->u.return_item.location, "A-01-02");
    SET(m->u.return_item.reason, "unwanted");
}

static void v_return_close(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_RETURN_CLOSE, "bench-1", 8);
}

static void v_override(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_OVERRIDE, "bench-1", 9);
    m->u.override_.kind = TOTE_OVERRIDE_WEIGHT;
    SET(m->u.override_.badge, "BADGE-S1");
}

static void v_logout(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_LOGOUT, "hh-01", 6);
}

static void v_snapshot(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_SNAPSHOT, "console-1", 0);
    SET(m->u.snapshot.what, "order");
    SET(m->u.snapshot.arg, "#1001");
}

static void v_hello_ok(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_HELLO_OK, "hh-01", 1);
    SET(m->u.hello_ok.station_version, "0.1.0");
    m->u.hello_ok.heartbeat_ms = 1000;
    m->u.hello_ok.lease_ms = 30000;
    m->u.hello_ok.last_seq = 41;
    m->u.hello_ok.require_bin_scan = 1;
    SET(m->u.hello_ok.operator_name, "Ada");
}

static void v_heartbeat_ok(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_HEARTBEAT_OK, "hh-01", 0);
}

static void v_task(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_TASK, "hh-01", 2);
    m->u.task.kind = TOTE_TASK_PICK;
    m->u.task.task_id = 17;
    m->u.task.pick_list_id = 3;
    SET(m->u.task.bin, "A-01-02");
    SET(m->u.task.sku, "MUG-RED");
    SET(m->u.task.name, "Red mug");
    SET(m->u.task.gtin, "09506000134352");
    m->u.task.qty_total = 3;
    m->u.task.qty_done = 1;
    SET(m->u.task.tote, "T-07");
    SET(m->u.task.order, "#1001");
    m->u.task.tasks_left = 4;
    m->u.task.bin_confirmed = 0;
}

static void v_task_pack(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_TASK, "bench-1", 10);
    m->u.task.kind = TOTE_TASK_PACK;
    m->u.task.task_id = 1001;
    SET(m->u.task.tote, "T-07");
    SET(m->u.task.order, "#1001");
    m->u.task.tasks_left = 1;
}

static void v_no_task(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_NO_TASK, "hh-01", 2);
    SET(m->u.no_task.message, "no work released");
}

static void v_result(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_RESULT, "hh-01", 3);
    m->u.result.accepted = 1;
    m->u.result.reason = TOTE_REASON_OK;
    m->u.result.feedback = TOTE_FEEDBACK_GOOD;
    SET(m->u.result.message, "2 of 3");
    m->u.result.qty_done = 2;
    m->u.result.qty_left = 1;
}

static void v_result_refused(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_RESULT, "hh-01", 4);
    m->u.result.reason = TOTE_REASON_WRONG_ITEM;
    m->u.result.feedback = TOTE_FEEDBACK_ERROR;
    SET(m->u.result.message, "wrong item");
    m->u.result.qty_done = 2;
    m->u.result.qty_left = 1;
}

static void v_pack_state(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_PACK_STATE, "bench-1", 3);
    m->u.pack_state.accepted = 1;
    m->u.pack_state.feedback = TOTE_FEEDBACK_GOOD;
    SET(m->u.pack_state.message, "weighed");
    SET(m->u.pack_state.order, "#1001");
    m->u.pack_state.package_id = 5;
    m->u.pack_state.package_no = 1;
    m->u.pack_state.expected_weight_g = 1250;
    m->u.pack_state.weight_g = 1250;
    m->u.pack_state.status = 1;
    m->u.pack_state.line_count = 2;
    SET(m->u.pack_state.lines[0].sku, "MUG-RED");
    SET(m->u.pack_state.lines[0].gtin, "09506000134352");
    SET(m->u.pack_state.lines[0].name, "Red mug");
    m->u.pack_state.lines[0].expected = 2;
    m->u.pack_state.lines[0].packed = 2;
    SET(m->u.pack_state.lines[1].sku, "TEA-1");
    SET(m->u.pack_state.lines[1].name, "Tea");
    m->u.pack_state.lines[1].expected = 1;
    m->u.pack_state.lines[1].packed = 1;
}

static void v_snapshot_reply(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_SNAPSHOT_REPLY, "console-1", 0);
    SET(m->u.snapshot_reply.json, "{\"orders\":3}");
    m->u.snapshot_reply.json_len = 12;
}

static void v_error(tote_wire_msg *m)
{
    tote_wire_init(m, TOTE_WIRE_ERROR, "hh-01", 7);
    m->u.error.code = TOTE_WERR_NO_HELLO;
    SET(m->u.error.message, "say hello first");
}

/* ---------------- the vector table (keep PROTOCOL.md in sync) ---------------- */

typedef struct vector {
    const char *name;
    void (*build)(tote_wire_msg *m);
    const char *hex;
} vector;

static const vector vectors[] = {
    {"HELLO", v_hello,
     "01 01 00 00 05 68 68 2d 30 31 00 00 00 01 01 05 "
     "30 2e 31 2e 30"},
    {"HEARTBEAT", v_heartbeat, "01 02 00 00 05 68 68 2d 30 31 00 00 00 00"},
    {"NEXT_TASK", v_next_task, "01 03 00 00 05 68 68 2d 30 31 00 00 00 02"},
    {"SCAN", v_scan,
     "01 04 00 00 05 68 68 2d 30 31 00 00 00 03 03 5d "
     "43 31 00 1e 30 31 30 39 35 30 36 30 30 30 31 33 "
     "34 33 35 32 31 30 41 42 43 1d 31 37 32 36 31 32 "
     "33 31"},
    {"SCAN_REPLAY", v_scan_replay,
     "01 04 00 01 05 68 68 2d 30 31 00 00 00 04 03 5d "
     "43 30 00 0b 42 49 4e 2d 41 2d 30 31 2d 30 32"},
    {"SHORT_PICK", v_short_pick,
     "01 05 00 00 05 68 68 2d 30 31 00 00 00 05 00 00 "
     "00 11 00 00 00 02 00 09 62 69 6e 20 65 6d 70 74 "
     "79"},
    {"PACK_OPEN", v_pack_open,
     "01 06 00 00 07 62 65 6e 63 68 2d 31 00 00 00 01 "
     "03 5d 43 30 00 09 4f 52 44 2d 23 31 30 30 31"},
    {"PACK_ITEM", v_pack_item,
     "01 07 00 00 07 62 65 6e 63 68 2d 31 00 00 00 02 "
     "03 5d 45 30 00 0d 34 30 30 36 33 38 31 33 33 33 "
     "39 33 31"},
    {"PACK_WEIGHT", v_pack_weight,
     "01 08 00 00 07 62 65 6e 63 68 2d 31 00 00 00 03 "
     "00 00 04 e2"},
    {"PACK_CLOSE", v_pack_close,
     "01 09 00 00 07 62 65 6e 63 68 2d 31 00 00 00 04 "
     "05 42 4f 58 2d 4d 00"},
    {"PACK_CLOSE more", v_pack_close_more,
     "01 09 00 00 07 62 65 6e 63 68 2d 31 00 00 00 04 "
     "05 42 4f 58 2d 4c 01"},
    {"LABEL_CONFIRM", v_label_confirm,
     "01 0a 00 00 07 62 65 6e 63 68 2d 31 00 00 00 05 "
     "03 5d 43 30 00 0d 4c 58 30 30 30 30 30 30 30 31 "
     "35 4e 4c"},
    {"RETURN_OPEN", v_return_open,
     "01 0b 00 00 07 62 65 6e 63 68 2d 31 00 00 00 06 "
     "03 5d 43 30 00 09 4f 52 44 2d 23 31 30 30 31"},
    {"RETURN_ITEM", v_return_item,
     "01 0c 00 00 07 62 65 6e 63 68 2d 31 00 00 00 07 "
     "03 5d 45 30 00 0d 34 30 30 36 33 38 31 33 33 33 "
     "39 33 31 01 07 41 2d 30 31 2d 30 32 00 08 75 6e "
     "77 61 6e 74 65 64"},
    {"RETURN_CLOSE", v_return_close, "01 0d 00 00 07 62 65 6e 63 68 2d 31 00 00 00 08"},
    {"OVERRIDE", v_override,
     "01 0e 00 00 07 62 65 6e 63 68 2d 31 00 00 00 09 "
     "01 08 42 41 44 47 45 2d 53 31"},
    {"LOGOUT", v_logout, "01 0f 00 00 05 68 68 2d 30 31 00 00 00 06"},
    {"SNAPSHOT", v_snapshot,
     "01 10 00 00 09 63 6f 6e 73 6f 6c 65 2d 31 00 00 "
     "00 00 05 6f 72 64 65 72 00 05 23 31 30 30 31"},
    {"HELLO_OK", v_hello_ok,
     "01 81 00 00 05 68 68 2d 30 31 00 00 00 01 05 30 "
     "2e 31 2e 30 00 00 03 e8 00 00 75 30 00 00 00 29 "
     "01 00 03 41 64 61"},
    {"HEARTBEAT_OK", v_heartbeat_ok, "01 82 00 00 05 68 68 2d 30 31 00 00 00 00"},
    {"TASK", v_task,
     "01 83 00 00 05 68 68 2d 30 31 00 00 00 02 01 00 "
     "00 00 11 00 00 00 03 07 41 2d 30 31 2d 30 32 07 "
     "4d 55 47 2d 52 45 44 00 07 52 65 64 20 6d 75 67 "
     "0e 30 39 35 30 36 30 30 30 31 33 34 33 35 32 00 "
     "00 00 00 03 00 00 00 01 04 54 2d 30 37 05 23 31 "
     "30 30 31 00 00 00 04 00"},
    {"TASK_PACK", v_task_pack,
     "01 83 00 00 07 62 65 6e 63 68 2d 31 00 00 00 0a "
     "02 00 00 03 e9 00 00 00 00 00 00 00 00 00 00 00 "
     "00 00 00 00 00 00 00 04 54 2d 30 37 05 23 31 30 "
     "30 31 00 00 00 01 00"},
    {"NO_TASK", v_no_task,
     "01 84 00 00 05 68 68 2d 30 31 00 00 00 02 00 10 "
     "6e 6f 20 77 6f 72 6b 20 72 65 6c 65 61 73 65 64"},
    {"RESULT", v_result,
     "01 85 00 00 05 68 68 2d 30 31 00 00 00 03 01 00 "
     "00 01 00 06 32 20 6f 66 20 33 00 00 00 02 00 00 "
     "00 01 00"},
    {"RESULT_REFUSED", v_result_refused,
     "01 85 00 00 05 68 68 2d 30 31 00 00 00 04 00 00 "
     "01 02 00 0a 77 72 6f 6e 67 20 69 74 65 6d 00 00 "
     "00 02 00 00 00 01 00"},
    {"PACK_STATE", v_pack_state,
     "01 86 00 00 07 62 65 6e 63 68 2d 31 00 00 00 03 "
     "01 00 00 01 00 07 77 65 69 67 68 65 64 05 23 31 "
     "30 30 31 00 00 00 05 00 00 00 01 00 00 04 e2 00 "
     "00 04 e2 00 00 01 00 02 07 4d 55 47 2d 52 45 44 "
     "0e 30 39 35 30 36 30 30 30 31 33 34 33 35 32 00 "
     "07 52 65 64 20 6d 75 67 00 00 00 02 00 00 00 02 "
     "05 54 45 41 2d 31 00 00 03 54 65 61 00 00 00 01 "
     "00 00 00 01"},
    {"SNAPSHOT_REPLY", v_snapshot_reply,
     "01 87 00 00 09 63 6f 6e 73 6f 6c 65 2d 31 00 00 "
     "00 00 00 00 00 0c 7b 22 6f 72 64 65 72 73 22 3a "
     "33 7d"},
    {"ERROR", v_error,
     "01 8f 00 00 05 68 68 2d 30 31 00 00 00 07 00 0a "
     "00 0f 73 61 79 20 68 65 6c 6c 6f 20 66 69 72 73 "
     "74"},
};
#define NVECTORS (sizeof vectors / sizeof vectors[0])

static void dump_vector(const char *name, const uint8_t *b, size_t n)
{
    printf("tv %s:\n", name);
    for (size_t i = 0; i < n; i++)
        printf("%s%02x%s", i % 16 == 0 ? "    " : "", b[i], (i % 16 == 15 || i + 1 == n) ? "\n" : " ");
}

static void test_vectors_encode(void)
{
    static uint8_t buf[TOTE_WIRE_MAX_FRAME], want[TOTE_WIRE_MAX_FRAME];
    int dump = getenv("TOTE_WIRE_DUMP_VECTORS") != NULL;
    for (size_t i = 0; i < NVECTORS; i++) {
        tote_wire_msg *m = new_msg();
        vectors[i].build(m);
        size_t n = 0;
        CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_OK);
        if (dump)
            dump_vector(vectors[i].name, buf, n);
        int wn = tt_hex(vectors[i].hex, want, sizeof want);
        if (wn < 0)
            tt_fail_msg(__FILE__, __LINE__, "vector %s: bad hex", vectors[i].name);
        else if (wn != (int)n || memcmp(want, buf, n) != 0) {
            tt_fail_msg(__FILE__, __LINE__, "vector %s: encoding differs", vectors[i].name);
            CHECK_MEM(buf, n, want, (size_t)wn);
        }
        /* Every smaller buffer is NOSPACE and reports no length. */
        for (size_t cap = 0; cap < n; cap++) {
            size_t got = 99;
            tote_proto_err e = tote_wire_encode(m, buf, cap, &got);
            if (e != TOTE_PROTO_E_NOSPACE || got != 0) {
                tt_fail_msg(__FILE__, __LINE__, "vector %s cap %zu: %s", vectors[i].name, cap,
                            tote_proto_errname(e));
                break;
            }
        }
        free(m);
    }
}

static void test_vectors_decode(void)
{
    static uint8_t bytes[TOTE_WIRE_MAX_FRAME];
    for (size_t i = 0; i < NVECTORS; i++) {
        tote_wire_msg *want = new_msg(), *got = new_msg();
        vectors[i].build(want);
        int n = tt_hex(vectors[i].hex, bytes, sizeof bytes);
        REQUIRE(n > 0);
        tote_proto_err e = tote_wire_decode(bytes, (size_t)n, got);
        if (e != TOTE_PROTO_E_OK)
            tt_fail_msg(__FILE__, __LINE__, "vector %s: decode %s", vectors[i].name, tote_proto_errname(e));
        else if (memcmp(want, got, sizeof *got) != 0)
            tt_fail_msg(__FILE__, __LINE__, "vector %s: decoded struct differs", vectors[i].name);
        /* Every strict prefix is SHORT. */
        for (int cut = 0; cut < n; cut++) {
            e = tote_wire_decode(bytes, (size_t)cut, got);
            if (e != TOTE_PROTO_E_SHORT) {
                tt_fail_msg(__FILE__, __LINE__, "vector %s cut at %d: %s", vectors[i].name, cut,
                            tote_proto_errname(e));
                break;
            }
        }
        /* One more byte is TRAILING. */
        bytes[n] = 0;
        CHECK_EQ(tote_wire_decode(bytes, (size_t)n + 1, got), TOTE_PROTO_E_TRAILING);
        free(want);
        free(got);
    }
}

static void test_vectors_cover_every_type(void)
{
    static uint8_t bytes[TOTE_WIRE_MAX_FRAME];
    for (unsigned t = 0; t < 256; t++) {
        if (strcmp(tote_wire_type_name((uint8_t)t), "UNKNOWN") == 0)
            continue;
        int found = 0;
        for (size_t i = 0; i < NVECTORS; i++) {
            int n = tt_hex(vectors[i].hex, bytes, sizeof bytes);
            if (n > 1 && bytes[1] == t)
                found = 1;
        }
        if (!found)
            tt_fail_msg(__FILE__, __LINE__, "no test vector for %s", tote_wire_type_name((uint8_t)t));
    }
}

/* ---------------- PROTOCOL.md ---------------- */

typedef struct doc_vector {
    char name[64];
    char hex[8192];
} doc_vector;

static int is_hex_line(const char *s, size_t n)
{
    int digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (isxdigit((unsigned char)s[i]))
            digits++;
        else if (s[i] != ' ')
            return 0;
    }
    return digits > 0;
}

/* Parses "tv NAME:" lines followed by indented hex lines. */
static size_t parse_doc(const char *doc, doc_vector *out, size_t cap)
{
    size_t n = 0;
    doc_vector *cur = NULL;
    for (const char *line = doc; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > 3 && strncmp(line, "tv ", 3) == 0) {
            cur = n < cap ? &out[n++] : NULL;
            if (cur) {
                const char *colon = memchr(line, ':', len);
                size_t nl = colon ? (size_t)(colon - line - 3) : len - 3;
                snprintf(cur->name, sizeof cur->name, "%.*s", (int)nl, line + 3);
                cur->hex[0] = '\0';
            }
        } else if (cur && is_hex_line(line, len)) {
            size_t have = strlen(cur->hex);
            snprintf(cur->hex + have, sizeof cur->hex - have, "%.*s ", (int)len, line);
        } else {
            cur = NULL;
        }
        line = end ? end + 1 : line + len;
    }
    return n;
}

static int same_hex(const char *a, const char *b)
{
    static uint8_t x[TOTE_WIRE_MAX_FRAME], y[TOTE_WIRE_MAX_FRAME];
    int xn = tt_hex(a, x, sizeof x), yn = tt_hex(b, y, sizeof y);
    return xn >= 0 && xn == yn && memcmp(x, y, (size_t)xn) == 0;
}

static void test_protocol_md_in_sync(void)
{
    char *doc = tt_read_file(tt_src("firmware-protocol/PROTOCOL.md"), NULL);
    REQUIRE(doc != NULL);
    static doc_vector dv[128];
    size_t n = parse_doc(doc, dv, 128);
    CHECK_EQ(n, NVECTORS);
    for (size_t i = 0; i < NVECTORS; i++) {
        int found = 0;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(dv[j].name, vectors[i].name) != 0)
                continue;
            found = 1;
            if (!same_hex(dv[j].hex, vectors[i].hex))
                tt_fail_msg(__FILE__, __LINE__, "PROTOCOL.md vector %s differs from the test table",
                            vectors[i].name);
        }
        if (!found)
            tt_fail_msg(__FILE__, __LINE__, "PROTOCOL.md lacks vector %s", vectors[i].name);
    }
    for (size_t j = 0; j < n; j++) {
        int found = 0;
        for (size_t i = 0; i < NVECTORS; i++)
            found |= strcmp(dv[j].name, vectors[i].name) == 0;
        if (!found)
            tt_fail_msg(__FILE__, __LINE__, "PROTOCOL.md vector %s is not in the test table", dv[j].name);
    }
    free(doc);
}

/* ---------------- truncated input ---------------- */

/* Decode never reads past len: the frame is copied to the end of a heap
 * block, so ASan catches a one-byte overread. */
static void test_no_overread_on_any_prefix(void)
{
    static uint8_t bytes[TOTE_WIRE_MAX_FRAME];
    tote_wire_msg *m = new_msg();
    for (size_t i = 0; i < NVECTORS; i++) {
        int n = tt_hex(vectors[i].hex, bytes, sizeof bytes);
        for (int cut = 0; cut <= n; cut++) {
            uint8_t *exact = malloc(cut ? (size_t)cut : 1);
            REQUIRE(exact != NULL);
            memcpy(exact, bytes, (size_t)cut);
            (void)tote_wire_decode(exact, (size_t)cut, m);
            free(exact);
        }
    }
    free(m);
}

/* ---------------- encoder refusals ---------------- */

static void test_encode_refusals(void)
{
    static uint8_t buf[TOTE_WIRE_MAX_FRAME];
    size_t n = 0;
    tote_wire_msg *m = new_msg();

    v_hello(m);
    m->type = 0x11;
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_TYPE);

    v_hello(m);
    m->device[0] = '\0';
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_INVALID);

    v_hello(m);
    memset(m->device, 'd', sizeof m->device); /* no NUL: over the limit */
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_TOO_LONG);

    v_hello(m);
    m->u.hello.role = 0;
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_wire_encode(m, buf, 3, &n), TOTE_PROTO_E_INVALID); /* not NOSPACE: no buffer helps */

    v_hello(m);
    memset(m->u.hello.sw_version, 'v', sizeof m->u.hello.sw_version);
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_TOO_LONG);

    v_scan(m);
    m->u.scan.raw_len = TOTE_WIRE_RAW_MAX + 1;
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_TOO_LONG);

    v_return_item(m);
    m->u.return_item.disposition = 3;
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_INVALID);

    v_override(m);
    m->u.override_.kind = 0;
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_INVALID);

    v_task(m);
    m->u.task.kind = 0;
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_INVALID);

    v_result(m);
    m->u.result.accepted = 2;
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_INVALID);

    v_pack_state(m);
    m->u.pack_state.line_count = TOTE_WIRE_PACK_LINES_MAX + 1;
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_INVALID);

    /* 48 lines with the longest sku, gtin and name do not fit in one frame. */
    v_pack_state(m);
    m->u.pack_state.line_count = TOTE_WIRE_PACK_LINES_MAX;
    for (int i = 0; i < TOTE_WIRE_PACK_LINES_MAX; i++) {
        memset(m->u.pack_state.lines[i].sku, 's', TOTE_WIRE_SHORT_MAX);
        memset(m->u.pack_state.lines[i].gtin, 'g', TOTE_WIRE_SHORT_MAX);
        memset(m->u.pack_state.lines[i].name, 'n', TOTE_WIRE_TEXT_MAX);
    }
    static uint8_t big[2 * TOTE_WIRE_MAX_FRAME];
    CHECK_EQ(tote_wire_encode(m, big, sizeof big, &n), TOTE_PROTO_E_TOO_LONG);
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_TOO_LONG);
    CHECK_EQ(tote_wire_encode(m, buf, 100, &n), TOTE_PROTO_E_NOSPACE);

    v_snapshot_reply(m);
    memset(m->u.snapshot_reply.json, '{', sizeof m->u.snapshot_reply.json);
    CHECK_EQ(tote_wire_encode(m, buf, sizeof buf, &n), TOTE_PROTO_E_TOO_LONG);
    free(m);
}

/* ---------------- reused memory, init and the names ---------------- */

/* init and decode do not clear the whole 19.5 KB struct (wire.h): every
 * vector built in, and decoded into, memory full of garbage - and memory
 * that held the largest message of another type - is the same message. */
static void test_vectors_in_dirty_memory(void)
{
    static uint8_t buf[TOTE_WIRE_MAX_FRAME], want[TOTE_WIRE_MAX_FRAME];
    tote_wire_msg *clean = new_msg(), *dirty = new_msg();
    for (size_t i = 0; i < NVECTORS; i++) {
        for (int fill = 0; fill < 3; fill++) {
            if (fill < 2) {
                memset(dirty, fill ? 0xFF : 0xAB, sizeof *dirty);
            } else { /* a full PACK_STATE then a full scan, as a reused reply would hold */
                tote_wire_init(dirty, TOTE_WIRE_PACK_STATE, "x", 1);
                memset(dirty->u.pack_state.lines, 'L', sizeof dirty->u.pack_state.lines);
                tote_wire_init(dirty, TOTE_WIRE_SCAN, "x", 1);
                memset(dirty->u.scan.raw, 0x1D, sizeof dirty->u.scan.raw);
            }
            vectors[i].build(dirty);
            size_t n = 0;
            int wn = tt_hex(vectors[i].hex, want, sizeof want);
            if (tote_wire_encode(dirty, buf, sizeof buf, &n) != TOTE_PROTO_E_OK || wn != (int)n ||
                memcmp(want, buf, n) != 0)
                tt_fail_msg(__FILE__, __LINE__, "vector %s built in dirty memory (%d): encoding differs",
                            vectors[i].name, fill);
            memset(clean, 0, sizeof *clean);
            vectors[i].build(clean);
            if (fill < 2)
                memset(dirty, fill ? 0xFF : 0xAB, sizeof *dirty);
            if (wn < 0 || tote_wire_decode(want, (size_t)wn, dirty) != TOTE_PROTO_E_OK ||
                !same_message(dirty, clean))
                tt_fail_msg(__FILE__, __LINE__, "vector %s decoded into dirty memory (%d): struct differs",
                            vectors[i].name, fill);
        }
    }
    free(clean);
    free(dirty);
}

static void test_init(void)
{
    tote_wire_msg *m = new_msg();
    memset(m, 0x55, sizeof *m);
    tote_wire_init(m, TOTE_WIRE_SCAN, "a-device-name-that-is-longer-than-32-bytes", 9);
    CHECK_EQ(m->version, TOTE_WIRE_VERSION);
    CHECK_EQ(m->type, TOTE_WIRE_SCAN);
    CHECK_EQ(m->flags, 0);
    CHECK_EQ(m->seq, 9);
    CHECK_EQ(strlen(m->device), TOTE_WIRE_DEVICE_MAX);
    CHECK_EQ(m->u.scan.raw_len, 0);
    tote_wire_init(m, TOTE_WIRE_HEARTBEAT, NULL, 0);
    CHECK_STR(m->device, "");
    free(m);
}

static void test_names(void)
{
    CHECK_STR(tote_wire_type_name(TOTE_WIRE_HELLO), "HELLO");
    CHECK_STR(tote_wire_type_name(TOTE_WIRE_PACK_STATE), "PACK_STATE");
    CHECK_STR(tote_wire_type_name(0x42), "UNKNOWN");
    CHECK_STR(tote_wire_reason_name(TOTE_REASON_WRONG_ITEM), "WRONG_ITEM");
    CHECK_STR(tote_wire_reason_text(TOTE_REASON_WRONG_ITEM), "wrong item for this pick");
    CHECK_STR(tote_wire_reason_name(999), "UNKNOWN");
    CHECK_STR(tote_wire_error_text(TOTE_WERR_BAD_SEQ), "sequence number 0 is only for heartbeat/snapshot");
    CHECK_STR(tote_wire_error_name(TOTE_WERR_BAD_VERSION), "BAD_VERSION");
    CHECK_STR(tote_wire_error_name(500), "UNKNOWN");
    CHECK_STR(tote_wire_feedback_name(TOTE_FEEDBACK_WARNING), "warning");
    CHECK_STR(tote_wire_feedback_name(9), "unknown");
    CHECK_STR(tote_wire_role_name(TOTE_ROLE_PACKER), "packer");
    CHECK_STR(tote_wire_role_name(0), "unknown");
    CHECK_EQ(tote_wire_role_parse("picker"), TOTE_ROLE_PICKER);
    CHECK_EQ(tote_wire_role_parse("console"), TOTE_ROLE_CONSOLE);
    CHECK_EQ(tote_wire_role_parse("Picker"), 0);
    CHECK_EQ(tote_wire_role_parse(NULL), 0);
    int requests = 0;
    for (unsigned t = 0; t < 256; t++)
        requests += tote_wire_is_request((uint8_t)t);
    CHECK_EQ(requests, 16);
    CHECK(tote_wire_is_request(TOTE_WIRE_SNAPSHOT));
    CHECK(!tote_wire_is_request(TOTE_WIRE_HELLO_OK));
    CHECK(!tote_wire_is_request(0));
}

TT_MAIN(TT_TEST(test_vectors_encode), TT_TEST(test_vectors_decode), TT_TEST(test_vectors_cover_every_type),
        TT_TEST(test_protocol_md_in_sync), TT_TEST(test_no_overread_on_any_prefix),
        TT_TEST(test_encode_refusals), TT_TEST(test_vectors_in_dirty_memory), TT_TEST(test_init),
        TT_TEST(test_names))
