/*
 * Wire codec at its edges: a named case for every kind of malformed input
 * (refused with the right error, the header read as far as it goes, no
 * half-decoded body), a frame over the maximum, and every message at its
 * limits round-tripping. The test vectors, encoder refusals and the names:
 * test_wire.c; what both use: wire_fixture.h.
 */
#include "support.h"
#include "test.h"
#include "tote/wire.h"
#include "wire_fixture.h"

/* ---------------- malformed input, one named case each ---------------- */

#define HH "05 68 68 2d 30 31" /* str8 "hh-01" */
#define SEQ1 "00 00 00 01"

typedef struct bad_case {
    const char *name;
    const char *hex;
    tote_proto_err want;
    uint8_t type; /* header as far as readable, checked when device != NULL */
    const char *device;
    uint32_t seq;
} bad_case;

static const bad_case bad_cases[] = {
    {"empty_frame", "", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"version_only", "01", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"header_cut_in_flags", "01 01 00", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"header_cut_in_device", "01 01 00 00 05 68 68", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"header_cut_in_seq", "01 02 00 00" HH "00 00", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"version_0", "00 01 00 00" HH SEQ1 "01 00", TOTE_PROTO_E_VERSION, 0x01, "hh-01", 1},
    {"version_2", "02 03 00 00" HH "00 00 00 07", TOTE_PROTO_E_VERSION, 0x03, "hh-01", 7},
    {"version_2_truncated", "02 03 00 00 05 68", TOTE_PROTO_E_VERSION, 0x03, "", 0},
    {"version_ff_one_byte", "ff", TOTE_PROTO_E_VERSION, 0, "", 0},
    {"type_0", "01 00 00 00" HH SEQ1, TOTE_PROTO_E_TYPE, 0x00, "hh-01", 1},
    {"type_unknown_request", "01 11 00 00" HH "00 00 00 09", TOTE_PROTO_E_TYPE, 0x11, "hh-01", 9},
    {"type_unknown_reply", "01 88 00 00" HH SEQ1, TOTE_PROTO_E_TYPE, 0x88, "hh-01", 1},
    {"type_80", "01 80 00 00" HH SEQ1, TOTE_PROTO_E_TYPE, 0x80, "hh-01", 1},
    {"device_empty", "01 02 00 00 00" SEQ1, TOTE_PROTO_E_INVALID, 0x02, "", 1},
    {"device_with_nul", "01 02 00 00 03 61 00 62" SEQ1, TOTE_PROTO_E_INVALID, 0x02, "", 1},
    {"device_33_bytes",
     "01 02 00 00 21 "
     "61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 "
     "61" SEQ1,
     TOTE_PROTO_E_TOO_LONG, 0x02, "", 1},
    {"trailing_after_heartbeat", "01 02 00 00" HH "00 00 00 00 00", TOTE_PROTO_E_TRAILING, 0, NULL, 0},
    {"hello_role_0", "01 01 00 00" HH SEQ1 "00 00", TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"hello_role_5", "01 01 00 00" HH SEQ1 "05 00", TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"hello_sw_version_cut", "01 01 00 00" HH SEQ1 "01 05 30 2e", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"hello_missing_sw_version", "01 01 00 00" HH SEQ1 "01", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"hello_sw_version_65",
     "01 01 00 00" HH SEQ1 "01 41"
     "30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30"
     "30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30",
     TOTE_PROTO_E_TOO_LONG, 0, NULL, 0},
    {"scan_raw_overruns_frame", "01 04 00 00" HH SEQ1 "03 5d 43 30 00 05 41 42", TOTE_PROTO_E_SHORT, 0, NULL,
     0},
    {"scan_raw_4097", "01 04 00 00" HH SEQ1 "00 10 01", TOTE_PROTO_E_TOO_LONG, 0, NULL, 0},
    {"scan_symbology_with_nul", "01 04 00 00" HH SEQ1 "02 5d 00 00 01 41", TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"short_pick_reason_with_nul", "01 05 00 00" HH SEQ1 "00 00 00 01 00 00 00 00 00 02 61 00",
     TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"short_pick_reason_256", "01 05 00 00" HH SEQ1 "00 00 00 01 00 00 00 00 01 00", TOTE_PROTO_E_TOO_LONG, 0,
     NULL, 0},
    {"pack_weight_cut", "01 08 00 00" HH SEQ1 "00 00 04", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"return_item_disposition_0", "01 0c 00 00" HH SEQ1 "00 00 01 41 00 00 00 00 00", TOTE_PROTO_E_INVALID, 0,
     NULL, 0},
    {"return_item_disposition_3", "01 0c 00 00" HH SEQ1 "00 00 01 41 03 00 00 00", TOTE_PROTO_E_INVALID, 0,
     NULL, 0},
    {"override_kind_0", "01 0e 00 00" HH SEQ1 "00 01 42", TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"override_kind_3", "01 0e 00 00" HH SEQ1 "03 01 42", TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"task_kind_0",
     "01 83 00 00" HH SEQ1 "00 00000001 00000001 00 00 0000 00 00 00000000 00000000 00 00 00000000 00",
     TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"task_kind_3",
     "01 83 00 00" HH SEQ1 "03 00000001 00000001 00 00 0000 00 00 00000000 00000000 00 00 00000000 00",
     TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"task_bin_confirmed_2",
     "01 83 00 00" HH SEQ1 "01 00000001 00000001 00 00 0000 00 00 00000000 00000000 00 00 00000000 02",
     TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"result_accepted_2", "01 85 00 00" HH SEQ1 "02 00 00 01 00 00 00 00 00 00 00 00 00 00 00",
     TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"result_task_done_cut", "01 85 00 00" HH SEQ1 "01 00 00 01 00 00 00 00 00 00 00 00 00 00",
     TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"hello_ok_require_bin_scan_7", "01 81 00 00" HH SEQ1 "00 00 00 03 e8 00 00 75 30 00 00 00 00 07 00 00",
     TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"pack_state_line_count_49",
     "01 86 00 00" HH SEQ1 "01 0000 01 0000 00 00000001 00000001 00000000 00000000 00 00 01 0031",
     TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"pack_state_status_4",
     "01 86 00 00" HH SEQ1 "01 0000 01 0000 00 00000001 00000001 00000000 00000000 00 00 04 0000",
     TOTE_PROTO_E_INVALID, 0, NULL, 0},
    {"pack_state_lines_missing",
     "01 86 00 00" HH SEQ1 "01 0000 01 0000 00 00000001 00000001 00000000 00000000 00 00 01 0002"
     "01 41 00 0001 42 00000001 00000000",
     TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"snapshot_reply_json_over_max", "01 87 00 00" HH SEQ1 "00 00 30 01", TOTE_PROTO_E_TOO_LONG, 0, NULL, 0},
    {"snapshot_reply_json_len_ffffffff", "01 87 00 00" HH SEQ1 "ff ff ff ff 7b 7d", TOTE_PROTO_E_TOO_LONG, 0,
     NULL, 0},
    {"snapshot_reply_json_cut", "01 87 00 00" HH SEQ1 "00 00 00 05 7b 7d", TOTE_PROTO_E_SHORT, 0, NULL, 0},
    {"error_message_cut", "01 8f 00 00" HH SEQ1 "00 03 00 04 61 62", TOTE_PROTO_E_SHORT, 0, NULL, 0},
};

static void test_malformed_table(void)
{
    static uint8_t bytes[TOTE_WIRE_MAX_FRAME];
    tote_wire_msg *m = new_msg();
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        int n = tt_hex(c->hex, bytes, sizeof bytes);
        if (n < 0) {
            tt_fail_msg(__FILE__, __LINE__, "case %s: bad hex", c->name);
            continue;
        }
        memset(m, 0xAB, sizeof *m);
        tote_proto_err e = tote_wire_decode(bytes, (size_t)n, m);
        if (e != c->want)
            tt_fail_msg(__FILE__, __LINE__, "case %s: got %s, want %s", c->name, tote_proto_errname(e),
                        tote_proto_errname(c->want));
        if (c->device) {
            if (m->type != c->type || strcmp(m->device, c->device) != 0 || m->seq != c->seq)
                tt_fail_msg(__FILE__, __LINE__, "case %s: header type %02x device \"%s\" seq %u", c->name,
                            m->type, m->device, m->seq);
        }
        /* The body of a refused message is never half-filled: all zero. */
        static const uint8_t zero[sizeof m->u];
        if (memcmp(&m->u, zero, sizeof m->u) != 0)
            tt_fail_msg(__FILE__, __LINE__, "case %s: body left half-decoded", c->name);
    }
    free(m);
}

static void test_frame_over_max_is_too_long(void)
{
    size_t n = TOTE_WIRE_MAX_FRAME + 1;
    uint8_t *b = calloc(1, n);
    REQUIRE(b != NULL);
    static const uint8_t head[] = {1, 0x87, 0, 0, 1, 'x', 0, 0, 0, 0};
    memcpy(b, head, sizeof head);
    tote_wire_msg *m = new_msg();
    CHECK_EQ(tote_wire_decode(b, n, m), TOTE_PROTO_E_TOO_LONG);
    CHECK_STR(m->device, "x"); /* still addressable */
    free(b);
    free(m);
}

/* ---------------- limits ---------------- */

static void roundtrip(tote_wire_msg *m, const char *what)
{
    static uint8_t buf[TOTE_WIRE_MAX_FRAME];
    size_t n = 0;
    tote_proto_err e = tote_wire_encode(m, buf, sizeof buf, &n);
    if (e != TOTE_PROTO_E_OK) {
        tt_fail_msg(__FILE__, __LINE__, "%s: encode %s", what, tote_proto_errname(e));
        return;
    }
    /* decoded into garbage: every field of the message must be written */
    tote_wire_msg *back = new_msg();
    memset(back, 0xAB, sizeof *back);
    e = tote_wire_decode(buf, n, back);
    if (e != TOTE_PROTO_E_OK)
        tt_fail_msg(__FILE__, __LINE__, "%s: decode %s", what, tote_proto_errname(e));
    else if (!same_message(back, m))
        tt_fail_msg(__FILE__, __LINE__, "%s: round trip differs", what);
    free(back);
}

static void test_limits_round_trip(void)
{
    tote_wire_msg *m = new_msg();
    char dev[TOTE_WIRE_DEVICE_MAX + 1];
    memset(dev, 'D', TOTE_WIRE_DEVICE_MAX);
    dev[TOTE_WIRE_DEVICE_MAX] = '\0';

    tote_wire_init(m, TOTE_WIRE_SCAN, dev, UINT32_MAX);
    m->flags = 0xFFFF;
    memset(m->u.scan.symbology, 'S', TOTE_WIRE_SHORT_MAX);
    m->u.scan.raw_len = TOTE_WIRE_RAW_MAX;
    for (int i = 0; i < TOTE_WIRE_RAW_MAX; i++)
        m->u.scan.raw[i] = (uint8_t)i; /* every byte value, NUL and GS included */
    roundtrip(m, "largest scan");

    tote_wire_init(m, TOTE_WIRE_SNAPSHOT_REPLY, dev, 0);
    memset(m->u.snapshot_reply.json, ' ', TOTE_WIRE_JSON_MAX);
    m->u.snapshot_reply.json_len = TOTE_WIRE_JSON_MAX;
    roundtrip(m, "largest snapshot reply");

    tote_wire_init(m, TOTE_WIRE_PACK_STATE, dev, 1);
    m->u.pack_state.line_count = TOTE_WIRE_PACK_LINES_MAX;
    for (int i = 0; i < TOTE_WIRE_PACK_LINES_MAX; i++) {
        snprintf(m->u.pack_state.lines[i].sku, sizeof m->u.pack_state.lines[i].sku, "SKU-%d", i);
        snprintf(m->u.pack_state.lines[i].name, sizeof m->u.pack_state.lines[i].name, "Product number %d", i);
        m->u.pack_state.lines[i].expected = (uint32_t)i;
    }
    m->u.pack_state.status = 3;
    m->u.pack_state.reason = 0xFFFF; /* unknown reasons pass: newer stations */
    m->u.pack_state.feedback = 0xFF;
    roundtrip(m, "48 pack lines");

    tote_wire_init(m, TOTE_WIRE_HELLO, dev, 1);
    m->u.hello.role = TOTE_ROLE_CONSOLE;
    memset(m->u.hello.sw_version, 'v', TOTE_WIRE_SHORT_MAX);
    roundtrip(m, "longest hello");

    tote_wire_init(m, TOTE_WIRE_ERROR, dev, 1);
    m->u.error.code = 0xFFFF;
    memset(m->u.error.message, 'e', TOTE_WIRE_TEXT_MAX);
    roundtrip(m, "longest error");
    free(m);
}

TT_MAIN(TT_TEST(test_malformed_table), TT_TEST(test_frame_over_max_is_too_long),
        TT_TEST(test_limits_round_trip))
