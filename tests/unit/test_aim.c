/* AIM symbology identifiers. */
#include "test.h"
#include "tote/aim.h"

static void test_parse_table(void)
{
    static const struct {
        const char *aim;
        tote_symbology sym;
        int gs1;
        const char *name;
    } v[] = {
        {"]C0", TOTE_SYM_CODE128, 0, "code128"},
        {"]C1", TOTE_SYM_GS1_128, 1, "gs1-128"},
        {"]C2", TOTE_SYM_CODE128, 0, "code128"}, /* FNC1 in second position: AIM, not GS1 */
        {"]E0", TOTE_SYM_EAN13, 0, "ean13"},
        {"]E3", TOTE_SYM_EAN13, 0, "ean13"},
        {"]E4", TOTE_SYM_EAN8, 0, "ean8"},
        {"]d1", TOTE_SYM_DATAMATRIX, 0, "datamatrix"},
        {"]d2", TOTE_SYM_GS1_DATAMATRIX, 1, "gs1-datamatrix"},
        {"]Q1", TOTE_SYM_QR, 0, "qr"},
        {"]Q3", TOTE_SYM_GS1_QR, 1, "gs1-qr"},
        {"]A0", TOTE_SYM_CODE39, 0, "code39"},
        {"]I0", TOTE_SYM_ITF, 0, "itf"},
        {"]I1", TOTE_SYM_ITF, 0, "itf"},
        {"]e0", TOTE_SYM_GS1_DATABAR, 1, "gs1-databar"},
        {"]L2", TOTE_SYM_PDF417, 0, "pdf417"},
        {"]F0", TOTE_SYM_CODABAR, 0, "codabar"},
        {"]G0", TOTE_SYM_CODE93, 0, "code93"},
        {"]z0", TOTE_SYM_AZTEC, 0, "aztec"},
        {"]C1010950600013435", TOTE_SYM_GS1_128, 1, "gs1-128"}, /* data may follow */
        /* not AIM ids Tote knows */
        {"]X0", TOTE_SYM_UNKNOWN, 0, "unknown"},
        {"]c1", TOTE_SYM_UNKNOWN, 0, "unknown"},
        {"]C", TOTE_SYM_UNKNOWN, 0, "unknown"},
        {"]", TOTE_SYM_UNKNOWN, 0, "unknown"},
        {"C1", TOTE_SYM_UNKNOWN, 0, "unknown"},
        {"]C-", TOTE_SYM_UNKNOWN, 0, "unknown"},
        {"", TOTE_SYM_UNKNOWN, 0, "unknown"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int gs1 = 7;
        tote_symbology s = tote_aim_parse(v[i].aim, &gs1);
        TT_CHECK_(s == v[i].sym && gs1 == v[i].gs1, TT_NOTHING, "aim \"%s\": got %s gs1=%d, want %s gs1=%d",
                  v[i].aim, tote_symbology_name(s), gs1, v[i].name, v[i].gs1);
        CHECK_STR(tote_symbology_name(s), v[i].name);
    }
    CHECK_EQ(tote_aim_parse(NULL, NULL), TOTE_SYM_UNKNOWN);
    CHECK_EQ(tote_aim_parse("]C1", NULL), TOTE_SYM_GS1_128);
}

static void test_names_round_trip(void)
{
    for (int s = TOTE_SYM_UNKNOWN + 1; s <= TOTE_SYM_AZTEC; s++) {
        const char *n = tote_symbology_name((tote_symbology)s);
        CHECK(strcmp(n, "unknown") != 0);
        CHECK_EQ(tote_symbology_from_name(n), s);
        /* the canonical AIM id parses back to a symbology of the same family */
        const char *aim = tote_symbology_aim((tote_symbology)s);
        int gs1 = 0;
        tote_symbology back = tote_aim_parse(aim, &gs1);
        CHECK(back != TOTE_SYM_UNKNOWN);
        CHECK_EQ(gs1, tote_symbology_is_gs1((tote_symbology)s));
        if (s != TOTE_SYM_UPCA && s != TOTE_SYM_UPCE)
            CHECK_EQ(back, s);
    }
    CHECK_STR(tote_symbology_name((tote_symbology)999), "unknown");
    CHECK_STR(tote_symbology_aim((tote_symbology)999), "");
    CHECK_STR(tote_symbology_aim(TOTE_SYM_GS1_128), "]C1");
    CHECK_EQ(tote_symbology_from_name("nonsense"), TOTE_SYM_UNKNOWN);
    CHECK_EQ(tote_symbology_from_name(NULL), TOTE_SYM_UNKNOWN);
}

TT_MAIN(TT_TEST(test_parse_table), TT_TEST(test_names_round_trip))
