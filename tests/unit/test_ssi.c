/* Zebra SSI framing: every vector of PROTOCOLS.md §1 both ways, builders,
 * the streaming parser and DECODE_DATA reassembly. */
#include "test.h"
#include "tote/ssi.h"

typedef struct vector {
    const char *name;
    const char *hex;
    uint8_t opcode, source, status;
    const char *data_hex;
} vector;

static const vector vectors[] = {
    {"CMD_ACK from host", "04 D0 04 00 FF 28", 0xD0, 0x04, 0x00, ""},
    {"START_DECODE", "04 E4 04 00 FF 14", 0xE4, 0x04, 0x00, ""},
    {"CMD_NAK RESEND", "05 D1 04 00 01 FF 25", 0xD1, 0x04, 0x00, "01"},
    {"PARAM_SEND 0xEE=0x01 permanent no beep", "07 C6 04 08 FF EE 01 FD 39", 0xC6, 0x04, 0x08, "FF EE 01"},
    {"BEEP 0x01", "05 E6 04 00 01 FF 10", 0xE6, 0x04, 0x00, "01"},
    {"SCAN_ENABLE", "04 E9 04 00 FF 0F", 0xE9, 0x04, 0x00, ""},
    {"DECODE_DATA Code 128 SKU-1000", "0D F3 00 00 03 53 4B 55 2D 31 30 30 30 FD 1C", 0xF3, 0x00, 0x00,
     "03 53 4B 55 2D 31 30 30 30"},
    {"DECODE_DATA EAN-13 4006381333931", "12 F3 00 00 0B 34 30 30 36 33 38 31 33 33 33 39 33 31 FC 54", 0xF3,
     0x00, 0x00, "0B 34 30 30 36 33 38 31 33 33 33 39 33 31"},
};
#define NVEC (sizeof vectors / sizeof vectors[0])

static void test_vectors_encode(void)
{
    for (size_t i = 0; i < NVEC; i++) {
        uint8_t want[300], data[300], out[300];
        int wn = tt_hex(vectors[i].hex, want, sizeof want);
        int dn = tt_hex(vectors[i].data_hex, data, sizeof data);
        REQUIRE(wn > 0 && dn >= 0);
        size_t n = 0;
        CHECK_EQ(tote_ssi_encode(vectors[i].opcode, vectors[i].source, vectors[i].status, data, (size_t)dn,
                                 out, sizeof out, &n),
                 TOTE_PROTO_E_OK);
        if (n != (size_t)wn || memcmp(out, want, n) != 0)
            tt_fail_msg(__FILE__, __LINE__, "vector \"%s\" encodes differently", vectors[i].name);
        CHECK_MEM(out, n, want, (size_t)wn);
    }
}

static void test_vectors_decode(void)
{
    for (size_t i = 0; i < NVEC; i++) {
        uint8_t buf[300], data[300];
        int n = tt_hex(vectors[i].hex, buf, sizeof buf);
        int dn = tt_hex(vectors[i].data_hex, data, sizeof data);
        tote_ssi_frame f;
        size_t used = 0;
        CHECK_EQ(tote_ssi_decode(buf, (size_t)n, &f, &used), TOTE_PROTO_E_OK);
        CHECK_EQ(used, n);
        CHECK_EQ(f.opcode, vectors[i].opcode);
        CHECK_EQ(f.source, vectors[i].source);
        CHECK_EQ(f.status, vectors[i].status);
        CHECK_MEM(f.data, f.dlen, data, (size_t)dn);
        /* the checksum bytes of the vector are the checksum of the rest */
        CHECK_EQ(tote_ssi_checksum(buf, (size_t)n - 2), (buf[n - 2] << 8) | buf[n - 1]);
    }
}

static void expect_built(size_t n, const uint8_t *out, const char *hex)
{
    uint8_t want[300];
    int wn = tt_hex(hex, want, sizeof want);
    CHECK_MEM(out, n, want, (size_t)wn);
}

static void test_vectors_from_builders(void)
{
    uint8_t out[TOTE_SSI_MAX_FRAME];
    expect_built(tote_ssi_build_ack(TOTE_SSI_SRC_HOST, out, sizeof out), out, "04 D0 04 00 FF 28");
    expect_built(tote_ssi_build_decode(1, out, sizeof out), out, "04 E4 04 00 FF 14");
    expect_built(tote_ssi_build_nak(TOTE_SSI_SRC_HOST, TOTE_SSI_NAK_RESEND, out, sizeof out), out,
                 "05 D1 04 00 01 FF 25");
    tote_ssi_param p = {TOTE_SSI_PARAM_DECODE_FORMAT, 0x01};
    expect_built(tote_ssi_build_param_send(1, TOTE_SSI_PARAM_NO_BEEP, &p, 1, out, sizeof out), out,
                 "07 C6 04 08 FF EE 01 FD 39");
    expect_built(tote_ssi_build_beep(0x01, out, sizeof out), out, "05 E6 04 00 01 FF 10");
    expect_built(tote_ssi_build_scan_enable(1, out, sizeof out), out, "04 E9 04 00 FF 0F");
    expect_built(tote_ssi_build_decode_data(0x03, 0, (const uint8_t *)"SKU-1000", 8, out, sizeof out), out,
                 "0D F3 00 00 03 53 4B 55 2D 31 30 30 30 FD 1C");
    expect_built(tote_ssi_build_decode_data(0x0B, 0, (const uint8_t *)"4006381333931", 13, out, sizeof out),
                 out, "12 F3 00 00 0B 34 30 30 36 33 38 31 33 33 33 39 33 31 FC 54");
}

static void test_other_builders(void)
{
    uint8_t out[TOTE_SSI_MAX_FRAME];
    tote_ssi_frame f;
    size_t used;
    size_t n = tote_ssi_build_scan_enable(0, out, sizeof out);
    REQUIRE_EQ(tote_ssi_decode(out, n, &f, &used), TOTE_PROTO_E_OK);
    CHECK_EQ(f.opcode, TOTE_SSI_SCAN_DISABLE);
    n = tote_ssi_build_decode(0, out, sizeof out);
    REQUIRE_EQ(tote_ssi_decode(out, n, &f, &used), TOTE_PROTO_E_OK);
    CHECK_EQ(f.opcode, TOTE_SSI_STOP_DECODE);
    n = tote_ssi_build_led(1, 0x01, out, sizeof out);
    REQUIRE_EQ(tote_ssi_decode(out, n, &f, &used), TOTE_PROTO_E_OK);
    CHECK_EQ(f.opcode, TOTE_SSI_LED_ON);
    CHECK_EQ(f.dlen, 1);
    CHECK_EQ(f.data[0], 1);
    n = tote_ssi_build_led(0, 0x01, out, sizeof out);
    REQUIRE_EQ(tote_ssi_decode(out, n, &f, &used), TOTE_PROTO_E_OK);
    CHECK_EQ(f.opcode, TOTE_SSI_LED_OFF);
    n = tote_ssi_build_request_revision(out, sizeof out);
    REQUIRE_EQ(tote_ssi_decode(out, n, &f, &used), TOTE_PROTO_E_OK);
    CHECK_EQ(f.opcode, TOTE_SSI_REQUEST_REVISION);
    CHECK_EQ(f.source, TOTE_SSI_SRC_HOST);
    n = tote_ssi_build_nak(TOTE_SSI_SRC_DECODER, TOTE_SSI_NAK_DENIED, out, sizeof out);
    REQUIRE_EQ(tote_ssi_decode(out, n, &f, &used), TOTE_PROTO_E_OK);
    CHECK_EQ(f.source, TOTE_SSI_SRC_DECODER);
    CHECK_EQ(f.data[0], TOTE_SSI_NAK_DENIED);
    CHECK_EQ(tote_ssi_build_wakeup(out, sizeof out), 1);
    CHECK_EQ(out[0], 0x00);
    CHECK_EQ(tote_ssi_build_wakeup(out, 0), 0);

    /* temporary PARAM_SEND with two parameters and a beep */
    tote_ssi_param ps[2] = {{0xEE, 0x01}, {0x2D, 0x01}};
    n = tote_ssi_build_param_send(0, 0x00, ps, 2, out, sizeof out);
    REQUIRE_EQ(tote_ssi_decode(out, n, &f, &used), TOTE_PROTO_E_OK);
    CHECK_EQ(f.status, 0);
    uint8_t want[] = {0x00, 0xEE, 0x01, 0x2D, 0x01};
    CHECK_MEM(f.data, f.dlen, want, sizeof want);
}

static void test_builders_refuse_bad_arguments(void)
{
    uint8_t out[TOTE_SSI_MAX_FRAME];
    CHECK_EQ(tote_ssi_build_beep(0x1A, out, sizeof out), 0);
    CHECK_EQ(tote_ssi_build_beep(0x19, out, sizeof out), 7);
    tote_ssi_param ext = {0xF0, 1};
    CHECK_EQ(tote_ssi_build_param_send(0, 0xFF, &ext, 1, out, sizeof out), 0);
    CHECK_EQ(tote_ssi_build_param_send(0, 0xFF, &ext, 0, out, sizeof out), 0);
    tote_ssi_param many[126];
    memset(many, 0, sizeof many);
    CHECK_EQ(tote_ssi_build_param_send(0, 0xFF, many, 126, out, sizeof out), 0); /* 253 data bytes */
    CHECK_EQ(tote_ssi_build_param_send(0, 0xFF, many, 125, out, sizeof out), 257);
    CHECK_EQ(tote_ssi_build_ack(TOTE_SSI_SRC_HOST, out, 5), 0); /* needs 6 */
    uint8_t big[TOTE_SSI_MAX_DATA + 1];
    memset(big, 'x', sizeof big);
    size_t n = 0;
    CHECK_EQ(tote_ssi_encode(TOTE_SSI_DECODE_DATA, 0, 0, big, sizeof big, out, sizeof out, &n),
             TOTE_PROTO_E_TOO_LONG);
    CHECK_EQ(tote_ssi_encode(TOTE_SSI_DECODE_DATA, 0, 0, big, TOTE_SSI_MAX_DATA, out, sizeof out, &n),
             TOTE_PROTO_E_OK);
    CHECK_EQ(n, TOTE_SSI_MAX_FRAME);
    CHECK_EQ(out[0], 0xFF);
    CHECK_EQ(tote_ssi_build_decode_data(0x03, 0, big, TOTE_SSI_MAX_DATA, out, sizeof out),
             0); /* +type byte */
}

static void test_decode_errors(void)
{
    uint8_t buf[16] = {0};
    tote_ssi_frame f;
    size_t used = 99;
    CHECK_EQ(tote_ssi_decode(buf, 0, &f, &used), TOTE_PROTO_E_INCOMPLETE);
    CHECK_EQ(used, 0);
    int n = tt_hex("04 D0 04 00 FF", buf, sizeof buf);
    CHECK_EQ(tote_ssi_decode(buf, (size_t)n, &f, &used), TOTE_PROTO_E_INCOMPLETE);
    CHECK_EQ(used, 6);
    n = tt_hex("03 D0 04 FF 29", buf, sizeof buf);
    CHECK_EQ(tote_ssi_decode(buf, (size_t)n, &f, &used), TOTE_PROTO_E_FRAME);
    n = tt_hex("04 D0 04 00 FF 29", buf, sizeof buf);
    CHECK_EQ(tote_ssi_decode(buf, (size_t)n, &f, &used), TOTE_PROTO_E_CHECKSUM);
    CHECK_EQ(used, 6);
    CHECK_EQ(f.opcode, TOTE_SSI_CMD_ACK);
}

static void test_checksum_is_not_mod_255(void)
{
    /* sum of "0D F3 00 00 03 SKU-1000" = 0x2E4 > 255: a %255 checksum would differ */
    uint8_t buf[32];
    int n = tt_hex("0D F3 00 00 03 53 4B 55 2D 31 30 30 30", buf, sizeof buf);
    CHECK_EQ(tote_ssi_checksum(buf, (size_t)n), 0xFD1C);
}

static void test_set_retransmit(void)
{
    uint8_t out[TOTE_SSI_MAX_FRAME];
    size_t n = tote_ssi_build_beep(0x00, out, sizeof out);
    REQUIRE_EQ(tote_ssi_set_retransmit(out, n), TOTE_PROTO_E_OK);
    tote_ssi_frame f;
    size_t used;
    REQUIRE_EQ(tote_ssi_decode(out, n, &f, &used), TOTE_PROTO_E_OK);
    CHECK_EQ(f.status, TOTE_SSI_ST_RETRANSMIT);
    CHECK_EQ(f.opcode, TOTE_SSI_BEEP);
    CHECK_EQ(tote_ssi_set_retransmit(out, n - 1), TOTE_PROTO_E_FRAME);
    out[n - 1] ^= 1;
    CHECK_EQ(tote_ssi_set_retransmit(out, n), TOTE_PROTO_E_CHECKSUM);
}

/* Feeds everything in chunks of `chunk` bytes; collects results. */
typedef struct parsed {
    int frames, bad;
    tote_ssi_frame f[16];
    tote_proto_err e[16];
} parsed;

static void feed_all(tote_ssi_parser *p, const uint8_t *buf, size_t n, size_t chunk, parsed *out)
{
    memset(out, 0, sizeof *out);
    size_t off = 0;
    while (off < n) {
        size_t c = n - off < chunk ? n - off : chunk;
        size_t pos = 0;
        while (pos < c) {
            tote_ssi_frame f;
            tote_proto_err e;
            pos += tote_ssi_parser_feed(p, buf + off + pos, c - pos, &f, &e);
            if (e == TOTE_PROTO_E_INCOMPLETE)
                continue;
            int k = out->frames + out->bad;
            if (k < 16) {
                out->f[k] = f;
                out->e[k] = e;
            }
            if (e == TOTE_PROTO_E_OK)
                out->frames++;
            else
                out->bad++;
        }
        off += c;
    }
}

static void test_parser_every_chunking(void)
{
    uint8_t stream[200];
    int n = tt_hex("0D F3 00 00 03 53 4B 55 2D 31 30 30 30 FD 1C"
                   "12 F3 00 00 0B 34 30 30 36 33 38 31 33 33 33 39 33 31 FC 54"
                   "04 D0 04 00 FF 28",
                   stream, sizeof stream);
    for (size_t chunk = 1; chunk <= (size_t)n; chunk++) {
        tote_ssi_parser p;
        tote_ssi_parser_init(&p);
        parsed r;
        feed_all(&p, stream, (size_t)n, chunk, &r);
        if (r.frames != 3 || r.bad != 0)
            tt_fail_msg(__FILE__, __LINE__, "chunk %zu: %d frames, %d bad", chunk, r.frames, r.bad);
        CHECK_EQ(r.f[0].opcode, TOTE_SSI_DECODE_DATA);
        CHECK_EQ(r.f[1].dlen, 14);
        CHECK_EQ(r.f[2].opcode, TOTE_SSI_CMD_ACK);
        CHECK_EQ(p.garbage, 0);
        CHECK_EQ(tote_ssi_parser_pending(&p), 0);
    }
}

static void test_parser_skips_garbage_before_and_between(void)
{
    uint8_t stream[200];
    int n = tt_hex("41 42 0D 0A 00 FF FF 02" /* text, wakeup byte, noise */
                   "0D F3 00 00 03 53 4B 55 2D 31 30 30 30 FD 1C"
                   "00 33 A5 01" /* more noise */
                   "04 D0 04 00 FF 28",
                   stream, sizeof stream);
    for (size_t chunk = 1; chunk <= (size_t)n; chunk += 3) {
        tote_ssi_parser p;
        tote_ssi_parser_init(&p);
        parsed r;
        feed_all(&p, stream, (size_t)n, chunk, &r);
        CHECK_EQ(r.frames, 2);
        CHECK_EQ(r.bad, 0);
        CHECK_EQ(r.f[0].opcode, TOTE_SSI_DECODE_DATA);
        CHECK_EQ(r.f[1].opcode, TOTE_SSI_CMD_ACK);
        CHECK_EQ(p.garbage, 12);
    }
}

static void test_parser_reports_bad_checksum_then_continues(void)
{
    uint8_t stream[200];
    int n = tt_hex("0D F3 00 00 03 53 4B 55 2D 31 30 30 30 FD 1D"  /* last byte wrong */
                   "0D F3 00 01 03 53 4B 55 2D 31 30 30 30 FD 1B", /* retransmission, bit0 */
                   stream, sizeof stream);
    tote_ssi_parser p;
    tote_ssi_parser_init(&p);
    parsed r;
    feed_all(&p, stream, (size_t)n, 4, &r);
    CHECK_EQ(r.bad, 1);
    CHECK_EQ(r.frames, 1);
    CHECK_EQ(r.e[0], TOTE_PROTO_E_CHECKSUM);
    CHECK_EQ(r.f[0].opcode, TOTE_SSI_DECODE_DATA);
    CHECK_EQ(r.e[1], TOTE_PROTO_E_OK);
    CHECK_EQ(r.f[1].status, TOTE_SSI_ST_RETRANSMIT);
    CHECK_EQ(p.bad_frames, 1);
}

static void test_parser_header_lookalike_cannot_swallow_a_frame(void)
{
    /* "FF F3 00" looks like the start of a 257-byte frame; the real ACK after
     * it must still come out at once, not after 257 bytes. */
    uint8_t stream[64];
    int n = tt_hex("FF F3 00 00 04 D0 04 00 FF 28", stream, sizeof stream);
    tote_ssi_parser p;
    tote_ssi_parser_init(&p);
    parsed r;
    feed_all(&p, stream, (size_t)n, 1, &r);
    CHECK_EQ(r.frames, 1);
    CHECK_EQ(r.f[0].opcode, TOTE_SSI_CMD_ACK);
    CHECK_EQ(p.garbage, 4);
}

static void test_parser_reset_drops_partial_frame(void)
{
    uint8_t stream[32];
    int n = tt_hex("0D F3 00 00 03 53", stream, sizeof stream);
    tote_ssi_parser p;
    tote_ssi_parser_init(&p);
    parsed r;
    feed_all(&p, stream, (size_t)n, 64, &r);
    CHECK_EQ(tote_ssi_parser_pending(&p), 6);
    tote_ssi_parser_reset(&p);
    CHECK_EQ(tote_ssi_parser_pending(&p), 0);
    n = tt_hex("04 D0 04 00 FF 28", stream, sizeof stream);
    feed_all(&p, stream, (size_t)n, 64, &r);
    CHECK_EQ(r.frames, 1);
}

static tote_proto_err add_packet(tote_ssi_assembler *a, uint8_t type, uint8_t status, const char *text,
                                 tote_ssi_barcode *bc)
{
    tote_ssi_frame f;
    f.opcode = TOTE_SSI_DECODE_DATA;
    f.source = TOTE_SSI_SRC_DECODER;
    f.status = status;
    f.data[0] = type;
    size_t n = strlen(text);
    memcpy(f.data + 1, text, n);
    f.dlen = n + 1;
    return tote_ssi_asm_add(a, &f, bc);
}

#define EXPECT_BARCODE(bc, aim_, text_)                         \
    do {                                                        \
        CHECK_STR((bc).aim, (aim_));                            \
        CHECK_MEM((bc).data, (bc).len, (text_), strlen(text_)); \
    } while (0)

static void test_asm_single_packets_map_type_to_aim(void)
{
    static const struct {
        uint8_t type;
        const char *in, *aim, *out;
    } cases[] = {
        {0x03, "SKU-1000", "]C0", "SKU-1000"},
        {0x0B, "4006381333931", "]E0", "4006381333931"},
        {0x0F, "00106141411234567897", "]C1", "00106141411234567897"},
        {0x0A, "96385074", "]E4", "96385074"},
        {0x08, "036000291452", "]E0", "0036000291452"}, /* UPC-A as 13 digits */
        {0x08, "03600029145", "]E0", "0036000291452"},  /* check digit computed */
        {0x09, "04252614", "]E0", "0042100005264"},     /* UPC-E expanded */
        {0x09, "425261", "]E0", "0042100005264"},
        {0x09, "0123457", "]E0", "0012345000072"}, /* last digit 5-9: mfr = first five */
        {0x1B, "BIN-A-01", "]d1", "BIN-A-01"},
        {0xC1, "0109506000134352", "]d2", "0109506000134352"},
        {0x1C, "TOTE-7", "]Q1", "TOTE-7"},
        {0xC2, "00106141411234567897", "]Q3", "00106141411234567897"},
        {0x01, "CODE39", "]A0", "CODE39"},
        {0x11, "pdf", "]L2", "pdf"},
        {0x99, "unknown type", "", "unknown type"},
        {0x0B, "12345", "", "12345"}, /* not 13 digits: no ]E0 claim */
        {0x08, "ABC", "", "ABC"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tote_ssi_assembler a;
        tote_ssi_asm_init(&a);
        tote_ssi_barcode bc;
        tote_proto_err e = add_packet(&a, cases[i].type, 0, cases[i].in, &bc);
        if (e != TOTE_PROTO_E_OK) {
            tt_fail_msg(__FILE__, __LINE__, "case %zu: %s", i, tote_proto_errname(e));
            continue;
        }
        CHECK_EQ(bc.type, cases[i].type);
        if (strcmp(bc.aim, cases[i].aim) != 0 || bc.len != strlen(cases[i].out) ||
            memcmp(bc.data, cases[i].out, bc.len) != 0)
            tt_fail_msg(__FILE__, __LINE__, "case %zu (%s): got %s %.*s", i, cases[i].in, bc.aim, (int)bc.len,
                        (const char *)bc.data);
    }
}

static void test_asm_aim_prefix_in_data_wins(void)
{
    tote_ssi_assembler a;
    tote_ssi_asm_init(&a);
    tote_ssi_barcode bc;
    REQUIRE_EQ(add_packet(&a, 0x03, 0,
                          "]C10109506000134352\x1d"
                          "10LOT7",
                          &bc),
               TOTE_PROTO_E_OK);
    EXPECT_BARCODE(bc, "]C1",
                   "0109506000134352\x1d"
                   "10LOT7");
    CHECK_EQ(add_packet(&a, 0x03, 0, "]C0", &bc), TOTE_PROTO_E_SHORT); /* identifier, no data */
}

static void test_asm_multi_packet(void)
{
    tote_ssi_assembler a;
    tote_ssi_asm_init(&a);
    tote_ssi_barcode bc;
    CHECK_EQ(add_packet(&a, 0x1B, TOTE_SSI_ST_CONTINUED, "part-one/", &bc), TOTE_PROTO_E_INCOMPLETE);
    CHECK_EQ(add_packet(&a, 0x1B, TOTE_SSI_ST_CONTINUED, "part-two/", &bc), TOTE_PROTO_E_INCOMPLETE);
    REQUIRE_EQ(add_packet(&a, 0x1B, 0, "end", &bc), TOTE_PROTO_E_OK);
    EXPECT_BARCODE(bc, "]d1", "part-one/part-two/end");
    /* next barcode starts fresh */
    REQUIRE_EQ(add_packet(&a, 0x03, 0, "X1", &bc), TOTE_PROTO_E_OK);
    EXPECT_BARCODE(bc, "]C0", "X1");
}

static void test_asm_too_long_is_reported_and_dropped(void)
{
    tote_ssi_assembler a;
    tote_ssi_asm_init(&a);
    tote_ssi_barcode bc;
    char chunk[251];
    memset(chunk, 'q', 250);
    chunk[250] = '\0';
    int i;
    for (i = 0; i < 17; i++) /* 17 * 250 = 4250 > 4096 */
        CHECK_EQ(add_packet(&a, 0x1B, TOTE_SSI_ST_CONTINUED, chunk, &bc), TOTE_PROTO_E_INCOMPLETE);
    CHECK_EQ(add_packet(&a, 0x1B, 0, "z", &bc), TOTE_PROTO_E_TOO_LONG);
    REQUIRE_EQ(add_packet(&a, 0x03, 0, "NEXT", &bc), TOTE_PROTO_E_OK);
    EXPECT_BARCODE(bc, "]C0", "NEXT");
}

static void test_asm_refuses_other_frames(void)
{
    tote_ssi_assembler a;
    tote_ssi_asm_init(&a);
    tote_ssi_barcode bc;
    tote_ssi_frame f = {.opcode = TOTE_SSI_CMD_ACK, .dlen = 0};
    CHECK_EQ(tote_ssi_asm_add(&a, &f, &bc), TOTE_PROTO_E_TYPE);
    f.opcode = TOTE_SSI_DECODE_DATA;
    CHECK_EQ(tote_ssi_asm_add(&a, &f, &bc), TOTE_PROTO_E_SHORT);
    CHECK_EQ(add_packet(&a, 0x03, 0, "", &bc), TOTE_PROTO_E_SHORT); /* type byte only */
}

static void test_asm_retransmitted_duplicate_is_delivered_once(void)
{
    tote_ssi_assembler a;
    tote_ssi_asm_init(&a);
    tote_ssi_barcode bc;
    REQUIRE_EQ(add_packet(&a, 0x03, 0, "SKU-1", &bc), TOTE_PROTO_E_OK);
    /* our ACK was lost: the scanner resends with the retransmit bit */
    CHECK_EQ(add_packet(&a, 0x03, TOTE_SSI_ST_RETRANSMIT, "SKU-1", &bc), TOTE_PROTO_E_INCOMPLETE);
    CHECK_EQ(a.duplicates, 1);
    /* the same barcode scanned again is a new scan */
    REQUIRE_EQ(add_packet(&a, 0x03, 0, "SKU-1", &bc), TOTE_PROTO_E_OK);
    /* after a NAK, the retransmission is the good copy of a new scan */
    tote_ssi_asm_nak_sent(&a);
    REQUIRE_EQ(add_packet(&a, 0x03, TOTE_SSI_ST_RETRANSMIT, "SKU-1", &bc), TOTE_PROTO_E_OK);
    EXPECT_BARCODE(bc, "]C0", "SKU-1");
    /* a retransmission of different data is new */
    REQUIRE_EQ(add_packet(&a, 0x03, TOTE_SSI_ST_RETRANSMIT, "SKU-2", &bc), TOTE_PROTO_E_OK);
}

static void test_opcode_names(void)
{
    CHECK_STR(tote_ssi_opcode_name(0xF3), "DECODE_DATA");
    CHECK_STR(tote_ssi_opcode_name(0xD1), "CMD_NAK");
    CHECK_STR(tote_ssi_opcode_name(0x01), "?");
    CHECK(tote_ssi_type_aim(0x30) == NULL);
}

TT_MAIN(TT_TEST(test_vectors_encode), TT_TEST(test_vectors_decode), TT_TEST(test_vectors_from_builders),
        TT_TEST(test_other_builders), TT_TEST(test_builders_refuse_bad_arguments),
        TT_TEST(test_decode_errors), TT_TEST(test_checksum_is_not_mod_255), TT_TEST(test_set_retransmit),
        TT_TEST(test_parser_every_chunking), TT_TEST(test_parser_skips_garbage_before_and_between),
        TT_TEST(test_parser_reports_bad_checksum_then_continues),
        TT_TEST(test_parser_header_lookalike_cannot_swallow_a_frame),
        TT_TEST(test_parser_reset_drops_partial_frame), TT_TEST(test_asm_single_packets_map_type_to_aim),
        TT_TEST(test_asm_aim_prefix_in_data_wins), TT_TEST(test_asm_multi_packet),
        TT_TEST(test_asm_too_long_is_reported_and_dropped), TT_TEST(test_asm_refuses_other_frames),
        TT_TEST(test_asm_retransmitted_duplicate_is_delivered_once), TT_TEST(test_opcode_names))
