/* GS1 mod-10 check digits, GTIN-14 normalisation and UPC-E expansion. */
#include "test.h"
#include "tote/checkdigit.h"

static const struct {
    const char *body;
    int check;
} cd_vectors[] = {
    /* PROTOCOLS.md §4 */
    {"0950600013435", 2},
    {"10614141123456789", 7}, /* SSCC body */
    {"400638133393", 1},
    {"03600029145", 2}, /* UPC-A body */
    /* more */
    {"9638507", 4},       /* EAN-8 96385074 */
    {"1234567890", 5},    /* 12345678905 */
    {"0000000000000", 0}, /* all zeros */
    {"", 0},
    {"9", 3},  /* 9*3 = 27 -> 3 */
    {"19", 2}, /* 9*3 + 1 = 28 -> 2 */
};

static void test_check_digit_vectors(void)
{
    for (size_t i = 0; i < sizeof cd_vectors / sizeof cd_vectors[0]; i++) {
        const char *b = cd_vectors[i].body;
        int got = tote_gs1_check_digit(b, strlen(b));
        TT_CHECK_(got == cd_vectors[i].check, TT_NOTHING, "check digit of %s: got %d, want %d", b, got,
                  cd_vectors[i].check);
        /* the full number validates; every other last digit does not */
        char full[32];
        for (int d = 0; d <= 9; d++) {
            snprintf(full, sizeof full, "%s%d", b, d);
            int v = tote_gs1_check_valid(full, strlen(full));
            if (b[0])
                TT_CHECK_(v == (d == cd_vectors[i].check), TT_NOTHING, "valid(%s) = %d", full, v);
        }
    }
}

static void test_check_digit_rejects_non_digits(void)
{
    CHECK_EQ(tote_gs1_check_digit("12a4", 4), -1);
    CHECK_EQ(tote_gs1_check_digit("12 4", 4), -1);
    CHECK_EQ(tote_gs1_check_digit(NULL, 3), -1);
    CHECK_EQ(tote_gs1_check_digit("12a4", 2), tote_gs1_check_digit("12", 2)); /* only n digits are read */
    CHECK_EQ(tote_gs1_check_valid("4006381333931", 13), 1);
    CHECK_EQ(tote_gs1_check_valid("400638133393X", 13), 0);
    CHECK_EQ(tote_gs1_check_valid("0", 1), 0);
    CHECK_EQ(tote_gs1_check_valid(NULL, 13), 0);
}

static void test_gtin_normalise_same_item(void)
{
    /* UPC-A, EAN-13 and GTIN-14 of the same item */
    const char *forms[] = {"036000291452", "0036000291452", "00036000291452"};
    for (size_t i = 0; i < 3; i++) {
        char g[15] = "x";
        CHECK_EQ(tote_gtin_normalise(forms[i], strlen(forms[i]), g), TOTE_PROTO_E_OK);
        CHECK_STR(g, "00036000291452");
    }
    char g[15];
    CHECK_EQ(tote_gtin_normalise("96385074", 8, g), TOTE_PROTO_E_OK);
    CHECK_STR(g, "00000096385074");
    CHECK_EQ(tote_gtin_normalise("4006381333931", 13, g), TOTE_PROTO_E_OK);
    CHECK_STR(g, "04006381333931");
    CHECK_EQ(tote_gtin_normalise("09506000134352", 14, g), TOTE_PROTO_E_OK);
    CHECK_STR(g, "09506000134352");
}

static void test_gtin_normalise_errors(void)
{
    char g[15] = "untouched";
    CHECK_EQ(tote_gtin_normalise("036000291453", 12, g), TOTE_PROTO_E_CHECK_DIGIT);
    CHECK_STR(g, "untouched");
    CHECK_EQ(tote_gtin_normalise("4006381333932", 13, g), TOTE_PROTO_E_CHECK_DIGIT);
    CHECK_EQ(tote_gtin_normalise("12345", 5, g), TOTE_PROTO_E_INVALID); /* length */
    CHECK_EQ(tote_gtin_normalise("123456789012345", 15, g), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_gtin_normalise("03600029145A", 12, g), TOTE_PROTO_E_INVALID); /* non-digit */
    CHECK_EQ(tote_gtin_normalise(NULL, 12, g), TOTE_PROTO_E_INVALID);
    CHECK_STR(g, "untouched");
}

static void test_upce_expand(void)
{
    static const struct {
        const char *upce, *upca;
    } v[] = {
        {"04252614", "042100005264"}, /* d6 = 1 */
        {"01234505", "012000003455"}, /* d6 = 0 */
        {"01234531", "012300000451"}, /* d6 = 3 */
        {"01234543", "012340000053"}, /* d6 = 4 */
        {"01234572", "012345000072"}, /* d6 = 7 */
        {"14252611", "142100005261"}, /* number system 1 */
        {"0425261", "042100005264"},  /* 7 digits: no check digit */
        {"425261", "042100005264"},   /* 6 digits: number system 0 */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char a[13] = "";
        tote_proto_err e = tote_upce_expand(v[i].upce, strlen(v[i].upce), a);
        TT_CHECK_(e == TOTE_PROTO_E_OK, continue, "expand %s: %s", v[i].upce, tote_proto_errname(e));
        CHECK_STR(a, v[i].upca);
        CHECK(tote_gs1_check_valid(a, 12));
    }
    char a[13];
    CHECK_EQ(tote_upce_expand("04252615", 8, a), TOTE_PROTO_E_CHECK_DIGIT);
    CHECK_EQ(tote_upce_expand("24252614", 8, a), TOTE_PROTO_E_INVALID); /* number system 2 */
    CHECK_EQ(tote_upce_expand("0425", 4, a), TOTE_PROTO_E_INVALID);
    CHECK_EQ(tote_upce_expand("0425A614", 8, a), TOTE_PROTO_E_INVALID);
}

TT_MAIN(TT_TEST(test_check_digit_vectors), TT_TEST(test_check_digit_rejects_non_digits),
        TT_TEST(test_gtin_normalise_same_item), TT_TEST(test_gtin_normalise_errors),
        TT_TEST(test_upce_expand))
