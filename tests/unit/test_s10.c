/* UPU S10 item identifiers. */
#include "test.h"
#include "tote/s10.h"

static void test_check_digit_vectors(void)
{
    static const struct {
        const char *serial;
        int check;
    } v[] = {
        {"12345678", 5}, /* PROTOCOLS.md §6; RR123456785IT */
        {"00000001", 4}, /* sum 7 -> 11 - 7 */
        {"00000000", 5}, /* sum 0 -> c = 11 -> 5 */
        {"00000008", 0}, /* sum 56, mod 11 = 1 -> c = 10 -> 0 */
        {"98765432", 6},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int got = tote_s10_check_digit(v[i].serial);
        TT_CHECK_(got == v[i].check, TT_NOTHING, "S10 check of %s: got %d, want %d", v[i].serial, got,
                  v[i].check);
    }
    CHECK_EQ(tote_s10_check_digit("1234567A"), -1);
    CHECK_EQ(tote_s10_check_digit(NULL), -1);
}

static void test_make(void)
{
    char out[14];
    REQUIRE_EQ(tote_s10_make("RR", 12345678UL, "IT", out), TOTE_PROTO_E_OK);
    CHECK_STR(out, "RR123456785IT");
    REQUIRE_EQ(tote_s10_make("LX", 1UL, "NL", out), TOTE_PROTO_E_OK);
    CHECK_EQ(strlen(out), 13);
    CHECK_MEM(out, 10, "LX00000001", 10);
    CHECK_EQ(out[10] - '0', tote_s10_check_digit("00000001"));
    CHECK_STR(out + 11, "NL");
    CHECK(tote_s10_valid(out, 13));
    strcpy(out, "untouched");
    CHECK_EQ(tote_s10_make("R", 1UL, "IT", out), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_make("RRR", 1UL, "IT", out), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_make("rr", 1UL, "IT", out), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_make("RR", 1UL, "it", out), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_make("RR", 100000000UL, "IT", out), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_make(NULL, 1UL, "IT", out), TOTE_PROTO_E_INVALID);
    CHECK_STR(out, "untouched");
}

static void test_validate(void)
{
    CHECK_EQ(tote_s10_validate("RR123456785IT", 13), TOTE_PROTO_E_OK);
    CHECK_EQ(tote_s10_validate("RR123456784IT", 13), TOTE_PROTO_E_CHECK_DIGIT);
    CHECK_EQ(tote_s10_validate("RR123456785I", 12), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_validate("RR123456785ITX", 14), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_validate("rr123456785IT", 13), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_validate("R1123456785IT", 13), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_validate("RR12345678XIT", 13), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_validate("RR123456785I7", 13), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_validate(NULL, 13), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_s10_valid("RR123456785IT", 13), 1);
    CHECK_EQ(tote_s10_valid("RR123456784IT", 13), 0);
}

TT_MAIN(TT_TEST(test_check_digit_vectors), TT_TEST(test_make), TT_TEST(test_validate))
