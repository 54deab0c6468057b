/* USB HID POS input reports: decoding, bad reports, continuation, descriptors. */
#include "test.h"
#include "tote/hidpos.h"

static void make(uint8_t r[64], const char *aim, const char *text, int cont)
{
    memset(r, 0, 64);
    r[0] = 0x02;
    r[1] = (uint8_t)strlen(text);
    if (aim)
        memcpy(r + 2, aim, 3);
    memcpy(r + 5, text, strlen(text));
    r[61] = 0x6A;
    r[63] = (uint8_t)(cont ? 1 : 0);
}

static void test_decode_report_with_aim(void)
{
    uint8_t r[64];
    make(r, "]C1", "0109506000134352", 0);
    tote_hidpos_report rep;
    REQUIRE_EQ(tote_hidpos_decode(r, 64, &rep), TOTE_PROTO_E_OK);
    CHECK_STR(rep.aim, "]C1");
    CHECK_MEM(rep.data, rep.len, "0109506000134352", 16);
    CHECK_EQ(rep.vendor_code, 0x6A);
    CHECK_EQ(rep.continued, 0);
}

static void test_decode_report_without_aim(void)
{
    uint8_t r[64];
    make(r, NULL, "SKU-1000", 1);
    tote_hidpos_report rep;
    REQUIRE_EQ(tote_hidpos_decode(r, 64, &rep), TOTE_PROTO_E_OK);
    CHECK_STR(rep.aim, "");
    CHECK_EQ(rep.len, 8);
    CHECK_EQ(rep.continued, 1);
}

static void test_decode_refuses_bad_reports(void)
{
    uint8_t r[65];
    make(r, "]C0", "X", 0);
    tote_hidpos_report rep;
    CHECK_EQ(tote_hidpos_decode(r, 63, &rep), TOTE_PROTO_E_SHORT);
    CHECK_EQ(tote_hidpos_decode(r, 0, &rep), TOTE_PROTO_E_SHORT);
    CHECK_EQ(tote_hidpos_decode(r, 65, &rep), TOTE_PROTO_E_TOO_LONG);
    r[0] = 0x04;
    CHECK_EQ(tote_hidpos_decode(r, 64, &rep), TOTE_PROTO_E_TYPE);
    r[0] = 0x02;
    r[1] = 0;
    CHECK_EQ(tote_hidpos_decode(r, 64, &rep), TOTE_PROTO_E_FRAME);
    r[1] = 57;
    CHECK_EQ(tote_hidpos_decode(r, 64, &rep), TOTE_PROTO_E_FRAME);
    r[1] = 56;
    CHECK_EQ(tote_hidpos_decode(r, 64, &rep), TOTE_PROTO_E_OK);
    CHECK_EQ(rep.len, 56);
    r[2] = 'x'; /* neither an AIM id nor zeros */
    CHECK_EQ(tote_hidpos_decode(r, 64, &rep), TOTE_PROTO_E_FRAME);
}

static void test_encode_round_trip_and_errors(void)
{
    uint8_t out[64], want[64];
    make(want, "]E0", "4006381333931", 1);
    REQUIRE_EQ(tote_hidpos_encode("]E0", (const uint8_t *)"4006381333931", 13, 0x6A, 1, out),
               TOTE_PROTO_E_OK);
    CHECK_MEM(out, 64, want, 64);
    CHECK_EQ(tote_hidpos_encode("]E", (const uint8_t *)"1", 1, 0, 0, out), TOTE_PROTO_E_FRAME);
    CHECK_EQ(tote_hidpos_encode("", (const uint8_t *)"1", 0, 0, 0, out), TOTE_PROTO_E_EMPTY);
    uint8_t big[57] = {0};
    CHECK_EQ(tote_hidpos_encode("", big, 57, 0, 0, out), TOTE_PROTO_E_TOO_LONG);
}

static void test_continued_reports_reassemble(void)
{
    char text[131];
    for (int i = 0; i < 130; i++)
        text[i] = (char)('A' + i % 26);
    text[130] = '\0';
    tote_hidpos_assembler a;
    tote_hidpos_asm_init(&a);
    tote_hidpos_barcode bc;
    uint8_t r[64];
    tote_hidpos_report rep;
    size_t off = 0;
    tote_proto_err e = TOTE_PROTO_E_INCOMPLETE;
    int reports = 0;
    while (off < 130) {
        size_t n = 130 - off > 56 ? 56 : 130 - off;
        REQUIRE_EQ(tote_hidpos_encode(reports == 0 ? "]d2" : "]d2", (const uint8_t *)text + off, n, 0,
                                      off + n < 130, r),
                   TOTE_PROTO_E_OK);
        REQUIRE_EQ(tote_hidpos_decode(r, 64, &rep), TOTE_PROTO_E_OK);
        e = tote_hidpos_asm_add(&a, &rep, &bc);
        off += n;
        reports++;
        if (off < 130)
            CHECK_EQ(e, TOTE_PROTO_E_INCOMPLETE);
    }
    CHECK_EQ(reports, 3);
    REQUIRE_EQ(e, TOTE_PROTO_E_OK);
    CHECK_STR(bc.aim, "]d2");
    CHECK_MEM(bc.data, bc.len, text, 130);
}

static void test_overlong_barcode_is_dropped(void)
{
    tote_hidpos_assembler a;
    tote_hidpos_asm_init(&a);
    tote_hidpos_barcode bc;
    tote_hidpos_report rep;
    memset(&rep, 0, sizeof rep);
    memset(rep.data, 'z', 56);
    rep.len = 56;
    rep.continued = 1;
    for (int i = 0; i < 74; i++) /* 74 * 56 = 4144 > 4096 */
        CHECK_EQ(tote_hidpos_asm_add(&a, &rep, &bc), TOTE_PROTO_E_INCOMPLETE);
    rep.continued = 0;
    CHECK_EQ(tote_hidpos_asm_add(&a, &rep, &bc), TOTE_PROTO_E_TOO_LONG);
    rep.len = 3;
    REQUIRE_EQ(tote_hidpos_asm_add(&a, &rep, &bc), TOTE_PROTO_E_OK);
    CHECK_EQ(bc.len, 3);
}

static void test_reset_drops_partial_barcode(void)
{
    tote_hidpos_assembler a;
    tote_hidpos_asm_init(&a);
    tote_hidpos_barcode bc;
    tote_hidpos_report rep = {.aim = "]C0", .len = 2, .continued = 1};
    memcpy(rep.data, "AB", 2);
    CHECK_EQ(tote_hidpos_asm_add(&a, &rep, &bc), TOTE_PROTO_E_INCOMPLETE);
    tote_hidpos_asm_reset(&a);
    rep.continued = 0;
    memcpy(rep.data, "CD", 2);
    REQUIRE_EQ(tote_hidpos_asm_add(&a, &rep, &bc), TOTE_PROTO_E_OK);
    CHECK_MEM(bc.data, bc.len, "CD", 2);
}

static void test_descriptor_usage_page(void)
{
    uint8_t pos1[] = {0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, 0xC0};            /* Usage Page (0x8C) 1 byte */
    uint8_t pos2[] = {0x06, 0x8C, 0x00, 0x09, 0x02, 0xA1, 0x01, 0xC0};      /* 2 byte form */
    uint8_t kbd[] = {0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x09, 0x8C, 0xC0}; /* Usage 0x8C is not a page */
    uint8_t longitem[] = {0xFE, 0x02, 0x10, 0x05, 0x8C, 0x05, 0x01};        /* 0x05 0x8C inside a long item */
    uint8_t trunc[] = {0x06, 0x8C};
    uint8_t after_long[] = {0xFE, 0x01, 0x10, 0xAA, 0x05, 0x8C};
    CHECK_EQ(tote_hidpos_descriptor_is_pos(pos1, sizeof pos1), 1);
    CHECK_EQ(tote_hidpos_descriptor_is_pos(pos2, sizeof pos2), 1);
    CHECK_EQ(tote_hidpos_descriptor_is_pos(kbd, sizeof kbd), 0);
    CHECK_EQ(tote_hidpos_descriptor_is_pos(longitem, sizeof longitem), 0);
    CHECK_EQ(tote_hidpos_descriptor_is_pos(trunc, sizeof trunc), 0);
    CHECK_EQ(tote_hidpos_descriptor_is_pos(after_long, sizeof after_long), 1);
    CHECK_EQ(tote_hidpos_descriptor_is_pos(pos1, 0), 0);
}

TT_MAIN(TT_TEST(test_decode_report_with_aim), TT_TEST(test_decode_report_without_aim),
        TT_TEST(test_decode_refuses_bad_reports), TT_TEST(test_encode_round_trip_and_errors),
        TT_TEST(test_continued_reports_reassemble), TT_TEST(test_overlong_barcode_is_dropped),
        TT_TEST(test_reset_drops_partial_barcode), TT_TEST(test_descriptor_usage_page))
