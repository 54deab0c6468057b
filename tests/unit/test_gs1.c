/* GS1 element strings: parse (transmitted and bracket form), validation
 * errors, dates, and the bracket / transmitted / ZPL encoders. */
#include "test.h"
#include "tote/gs1.h"

#include <time.h>

#define GS "\x1D"

/* ---- valid element strings ---- */

static const struct {
    const char *name;
    const char *in;       /* transmitted or bracket form */
    const char *brackets; /* expected bracket form after parsing */
} ok_vectors[] = {
    {"gtin alone", "0109506000134352", "(01)09506000134352"},
    {"gtin expiry lot, lot last needs no GS",
     "010950600013435217251231"
     "10ABC123",
     "(01)09506000134352(17)251231(10)ABC123"},
    {"lot first, GS after it", "10ABC123" GS "17251231", "(10)ABC123(17)251231"},
    {"serial then lot, GS between",
     "0109506000134352"
     "21SN-0001" GS "10L1",
     "(01)09506000134352(21)SN-0001(10)L1"},
    {"sscc", "00106141411234567897", "(00)106141411234567897"},
    {"content + count",
     "0209506000134352"
     "3712",
     "(02)09506000134352(37)12"},
    {"net weight 3103",
     "0109506000134352"
     "3103001250",
     "(01)09506000134352(3103)001250"},
    {"gross weight and pounds",
     "3300000500"
     "3202000110",
     "(3300)000500(3202)000110"},
    {"expiry with DD=00",
     "0109506000134352"
     "17250200",
     "(01)09506000134352(17)250200"},
    {"leap day 2024", "17240229", "(17)240229"},
    {"leap day 2000", "17000229", "(17)000229"},
    {"best before and prod date",
     "15260115"
     "11250101",
     "(15)260115(11)250101"},
    {"leading GS (FNC1 sent by the scanner)", GS "0109506000134352", "(01)09506000134352"},
    {"trailing GS tolerated", "10ABC" GS, "(10)ABC"},
    {"GS after a predefined-length AI tolerated", "0109506000134352" GS "10X", "(01)09506000134352(10)X"},
    {"bracket form", "(01)09506000134352(17)251231(10)ABC123", "(01)09506000134352(17)251231(10)ABC123"},
    {"bracket form, escaped paren", "(10)A\\(B)", "(10)A\\(B)"},
    {"ship-to postal code with country", "4215281234AB", "(421)5281234AB"},
    {"ship-to GLN", "4109506000134352", "(410)9506000134352"},
    {"PO number then GLN", "400PO-4711/A" GS "4149506000134352", "(400)PO-4711/A(414)9506000134352"},
    {"countries of processing", "423528276", "(423)528276"},
    {"origin", "422528", "(422)528"},
    {"GSIN", "40295060001343500002", "(402)95060001343500002"},
    {"GSRN recipient", "8018950600013435000011", "(8018)950600013435000011"},
    {"GRAI with serial", "800309506000134352ABC", "(8003)09506000134352ABC"},
    {"GDTI", "2539506000134352DOC1", "(253)9506000134352DOC1"},
    {"expiry time", "70032512311230", "(7003)2512311230"},
    {"production time", "8008251231123045", "(8008)251231123045"},
    {"amount with currency",
     "3912978"
     "1999",
     "(3912)9781999"},
    {"CPID set 39", "8010AB-12/#", "(8010)AB-12/#"},
    {"company internal", "91Any-Thing_123" GS "99X", "(91)Any-Thing_123(99)X"},
    {"variant, count, route",
     "2001"
     "3025" GS "403ROUTE7",
     "(20)01(30)25(403)ROUTE7"},
    {"same AI twice with the same value", "(10)A(10)A", "(10)A(10)A"},
    {"all of set 82, bracket form", "(10)!\"%&'\\()*+,-./:;<=>", "(10)!\"%&'\\()*+,-./:;<=>"},
    {"rest of set 82", "(91)?_azAZ09", "(91)?_azAZ09"},
    {"paren in transmitted form", "10A(B)", "(10)A\\(B)"},
};

static void test_parse_valid(void)
{
    for (size_t i = 0; i < sizeof ok_vectors / sizeof ok_vectors[0]; i++) {
        tote_gs1 g;
        char err[160] = "", b[512];
        const char *in = ok_vectors[i].in;
        tote_proto_err e = tote_gs1_parse((const uint8_t *)in, strlen(in), &g, err, sizeof err);
        TT_CHECK_(e == TOTE_PROTO_E_OK, continue, "%s: %s: %s", ok_vectors[i].name, tote_proto_errname(e),
                  err);
        CHECK_EQ(tote_gs1_to_brackets(&g, b, sizeof b), TOTE_PROTO_E_OK);
        TT_CHECK_(strcmp(b, ok_vectors[i].brackets) == 0, TT_NOTHING, "%s: got %s, want %s",
                  ok_vectors[i].name, b, ok_vectors[i].brackets);
        /* the bracket form parses back to the same elements */
        tote_gs1 g2;
        REQUIRE_EQ(tote_gs1_parse((const uint8_t *)b, strlen(b), &g2, err, sizeof err), TOTE_PROTO_E_OK);
        REQUIRE_EQ(g2.count, g.count);
        for (size_t j = 0; j < g.count; j++) {
            CHECK_STR(g2.ais[j].ai, g.ais[j].ai);
            CHECK_STR(g2.ais[j].value, g.ais[j].value);
        }
        /* and so does the transmitted form */
        uint8_t t[512];
        size_t tl = 0;
        REQUIRE_EQ(tote_gs1_to_transmitted(&g, t, sizeof t, &tl), TOTE_PROTO_E_OK);
        REQUIRE_EQ(tote_gs1_parse(t, tl, &g2, err, sizeof err), TOTE_PROTO_E_OK);
        REQUIRE_EQ(g2.count, g.count);
        for (size_t j = 0; j < g.count; j++)
            CHECK_STR(g2.ais[j].value, g.ais[j].value);
    }
}

static void test_parse_fields(void)
{
    const char *in = "0109506000134352"
                     "3103001250"
                     "17250200"
                     "10LOT-7" GS "21S/N 1";
    tote_gs1 g;
    char err[160];
    /* a space is not in set 82: error in 21 */
    CHECK_EQ(tote_gs1_parse((const uint8_t *)in, strlen(in), &g, err, sizeof err), TOTE_PROTO_E_AI_FORMAT);
    CHECK_HAS(err, "AI (21)");
    CHECK_EQ(g.count, 0);
    in = "0109506000134352"
         "3103001250"
         "17250200"
         "10LOT-7" GS "21SN1";
    REQUIRE_EQ(tote_gs1_parse((const uint8_t *)in, strlen(in), &g, err, sizeof err), TOTE_PROTO_E_OK);
    REQUIRE_EQ(g.count, 5);
    CHECK_STR(g.ais[0].ai, "01");
    CHECK_STR(g.ais[1].ai, "3103");
    CHECK_STR(g.ais[1].value, "001250");
    CHECK_STR(g.ais[2].ai, "17");
    CHECK_STR(g.ais[3].value, "LOT-7");
    CHECK_STR(g.ais[4].value, "SN1");
    CHECK_STR(tote_gs1_get(&g, "10"), "LOT-7");
    CHECK(tote_gs1_get(&g, "3102") == NULL);
    CHECK(tote_gs1_get(NULL, "10") == NULL);
}

/* ---- every error, named ---- */

static const struct {
    const char *name;
    const char *in;
    tote_proto_err err;
    const char *msg; /* substring of the message */
} bad_vectors[] = {
    {"empty", "", TOTE_PROTO_E_EMPTY, "no GS1 data"},
    {"only FNC1", GS, TOTE_PROTO_E_EMPTY, "no GS1 data"},
    {"gtin bad check digit", "0109506000134353", TOTE_PROTO_E_CHECK_DIGIT,
     "AI (01): bad check digit 3, expected 2"},
    {"sscc bad check digit", "00106141411234567890", TOTE_PROTO_E_CHECK_DIGIT,
     "AI (00): bad check digit 0, expected 7"},
    {"GLN bad check digit", "4109506000134350", TOTE_PROTO_E_CHECK_DIGIT,
     "AI (410): bad check digit 0, expected 2"},
    {"GRAI bad check digit", "800309506000134353", TOTE_PROTO_E_CHECK_DIGIT, "AI (8003): bad check digit"},
    {"GRAI first digit not zero", "800319506000134352", TOTE_PROTO_E_AI_FORMAT,
     "AI (8003): digit 1 must be 0"},
    {"bracket bad check digit", "(01)09506000134351", TOTE_PROTO_E_CHECK_DIGIT, "AI (01): bad check digit 1"},
    {"month 13", "17251301", TOTE_PROTO_E_DATE, "AI (17): invalid date 251301 (month 13)"},
    {"month 00", "11250001", TOTE_PROTO_E_DATE, "AI (11): invalid date 250001 (month 00)"},
    {"day 32", "15250132", TOTE_PROTO_E_DATE, "AI (15): invalid date 250132 (day 32 in January)"},
    {"April 31", "17250431", TOTE_PROTO_E_DATE, "day 31 in April"},
    {"Feb 29 in 2025", "17250229", TOTE_PROTO_E_DATE, "AI (17): invalid date 250229 (day 29 in February)"},
    {"Feb 30 in 2024", "17240230", TOTE_PROTO_E_DATE, "day 30 in February"},
    {"DD=00 not allowed for 7006", "7006250100", TOTE_PROTO_E_DATE, "AI (7006): invalid date 250100"},
    {"bad time", "70032512312460", TOTE_PROTO_E_DATE, "AI (7003): invalid time 2460"},
    {"bad hour", "8008251231243045", TOTE_PROTO_E_DATE, "AI (8008): invalid hour 24"},
    {"bad seconds", "8008251231123060", TOTE_PROTO_E_DATE, "AI (8008): invalid minutes/seconds"},
    {"odd minutes", "800825123112304", TOTE_PROTO_E_DATE, "AI (8008)"},
    {"unknown AI", "2399ABC", TOTE_PROTO_E_AI_UNKNOWN, "unknown AI at position 1: \"2399\""},
    {"unknown AI after a good one",
     "0109506000134352"
     "89X",
     TOTE_PROTO_E_AI_UNKNOWN, "position 17"},
    {"unknown AI in brackets", "(23)ABC", TOTE_PROTO_E_AI_UNKNOWN, "AI (23): unknown application identifier"},
    {"AI 04 is not defined", "(04)1234567890123456", TOTE_PROTO_E_AI_UNKNOWN, "AI (04)"},
    {"data ends inside an AI",
     "0109506000134352"
     "3",
     TOTE_PROTO_E_AI_UNKNOWN, "\"3\""},
    {"missing GS after lot",
     "10LOT1234567890"
     "21SERIAL12",
     TOTE_PROTO_E_SEPARATOR, "AI (10): value is 23 characters, at most 20 allowed (missing GS separator?)"},
    {"missing GS after count", "37123456789", TOTE_PROTO_E_SEPARATOR, "AI (37)"},
    {"missing GS after origin",
     "422528"
     "10ABC",
     TOTE_PROTO_E_SEPARATOR, "AI (422): value is 8 characters, at most 3 allowed (missing GS separator?)"},
    {"missing GS after numeric var, digits follow",
     "422528"
     "3712",
     TOTE_PROTO_E_SEPARATOR, "AI (422): value is 7 characters, at most 3 allowed (missing GS separator?)"},
    {"numeric AI with letters",
     "30"
     "12A",
     TOTE_PROTO_E_AI_FORMAT, "AI (30): character 'A' at position 3 is not a digit"},
    {"bracket value too long", "(10)ABCDEFGHIJKLMNOPQRSTU", TOTE_PROTO_E_TOO_LONG,
     "AI (10): value is 21 characters, at most 20 allowed"},
    {"bracket value far too long",
     "(10)"
     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
     TOTE_PROTO_E_TOO_LONG, "AI (10): value is 100 characters"},
    {"gtin too short", "01095060001343", TOTE_PROTO_E_AI_FORMAT,
     "AI (01): value is 12 characters, needs exactly 14"},
    {"gtin cut by GS", "01095060" GS "10A", TOTE_PROTO_E_AI_FORMAT, "AI (01): value is 6 characters"},
    {"bracket gtin too long", "(01)095060001343521", TOTE_PROTO_E_TOO_LONG, "AI (01)"},
    {"letters after a fixed-length AI", "0109506000134352AB", TOTE_PROTO_E_AI_FORMAT,
     "after AI (01): expected an AI at position 17, found 'A'"},
    {"control character in lot",
     "10AB\x01"
     "C",
     TOTE_PROTO_E_AI_FORMAT, "AI (10): character 0x01 at position 3 is not allowed"},
    {"space in lot", "(10)AB C", TOTE_PROTO_E_AI_FORMAT, "AI (10): character ' '"},
    {"GS in bracket form", "(10)AB" GS "C", TOTE_PROTO_E_AI_FORMAT, "AI (10): character 0x1D"},
    {"non-ASCII in lot", "10AB\xC3\xA9", TOTE_PROTO_E_AI_FORMAT, "0xC3"},
    {"lower case in set 39", "8010ab", TOTE_PROTO_E_AI_FORMAT, "AI (8010): character 'a'"},
    {"decimal digit out of range", "3107000100", TOTE_PROTO_E_AI_FORMAT,
     "AI (3107): last digit must be 0 to 5"},
    {"bracket decimal digit out of range", "(3106)000100", TOTE_PROTO_E_AI_FORMAT, "AI (3106)"},
    {"countries not in threes", "4235282", TOTE_PROTO_E_AI_FORMAT, "AI (423): value must be one to five"},
    {"too many countries", "423528528528528528528", TOTE_PROTO_E_SEPARATOR, "AI (423)"},
    {"empty lot (GS at once)", "10" GS "17251231", TOTE_PROTO_E_AI_FORMAT, "AI (10): value is empty"},
    {"empty lot at end",
     "0109506000134352"
     "10",
     TOTE_PROTO_E_AI_FORMAT, "AI (10): value is empty"},
    {"empty value in brackets", "(10)(17)251231", TOTE_PROTO_E_AI_FORMAT, "AI (10): value is empty"},
    {"two GS in a row", "10A" GS GS "21B", TOTE_PROTO_E_AI_FORMAT, "AI (10): two GS separators in a row"},
    {"bracket AI too short", "(1)ABC", TOTE_PROTO_E_AI_FORMAT, "malformed AI in brackets"},
    {"bracket AI unterminated", "(01", TOTE_PROTO_E_AI_FORMAT, "malformed AI in brackets"},
    {"bracket AI too long", "(12345)ABC", TOTE_PROTO_E_AI_FORMAT, "malformed AI in brackets"},
    {"bracket AI not digits", "(AB)ABC", TOTE_PROTO_E_AI_FORMAT, "malformed AI in brackets"},
    {"control bytes are shown, not echoed", "(1A\n)", TOTE_PROTO_E_AI_FORMAT, "\"(1A\\x0A)\""},
    {"same AI, different values", "(10)A(10)B", TOTE_PROTO_E_INVALID,
     "AI (10): appears twice with different values"},
    {"not an AI at all", "HELLO", TOTE_PROTO_E_AI_FORMAT, "expected an AI at position 1, found 'H'"},
};

static void test_parse_errors(void)
{
    for (size_t i = 0; i < sizeof bad_vectors / sizeof bad_vectors[0]; i++) {
        tote_gs1 g;
        memset(&g, 0x55, sizeof g);
        char err[160] = "";
        const char *in = bad_vectors[i].in;
        tote_proto_err e = tote_gs1_parse((const uint8_t *)in, strlen(in), &g, err, sizeof err);
        TT_CHECK_(e == bad_vectors[i].err, continue, "%s: got %s (%s), want %s", bad_vectors[i].name,
                  tote_proto_errname(e), err, tote_proto_errname(bad_vectors[i].err));
        TT_CHECK_(strstr(err, bad_vectors[i].msg) != NULL, TT_NOTHING, "%s: message \"%s\" lacks \"%s\"",
                  bad_vectors[i].name, err, bad_vectors[i].msg);
        CHECK(strchr(err, '\n') == NULL);
        CHECK_EQ(g.count, 0);
    }
}

static void test_too_many_ais(void)
{
    char in[512] = "";
    for (int i = 0; i < TOTE_GS1_MAX_AIS; i++)
        strcat(in, "(10)A");
    tote_gs1 g;
    char err[160];
    REQUIRE_EQ(tote_gs1_parse((const uint8_t *)in, strlen(in), &g, err, sizeof err), TOTE_PROTO_E_OK);
    CHECK_EQ(g.count, TOTE_GS1_MAX_AIS);
    strcat(in, "(21)B");
    CHECK_EQ(tote_gs1_parse((const uint8_t *)in, strlen(in), &g, err, sizeof err), TOTE_PROTO_E_TOO_LONG);
    CHECK_HAS(err, "AI (21): more than 24 AIs");
}

static void test_err_buffer_optional_and_truncated(void)
{
    tote_gs1 g;
    const char *in = "0109506000134353";
    CHECK_EQ(tote_gs1_parse((const uint8_t *)in, strlen(in), &g, NULL, 0), TOTE_PROTO_E_CHECK_DIGIT);
    char small[8];
    CHECK_EQ(tote_gs1_parse((const uint8_t *)in, strlen(in), &g, small, sizeof small),
             TOTE_PROTO_E_CHECK_DIGIT);
    CHECK_STR(small, "AI (01)");
    CHECK_EQ(tote_gs1_parse(NULL, 0, &g, NULL, 0), TOTE_PROTO_E_EMPTY);
    CHECK_EQ(tote_gs1_parse((const uint8_t *)in, strlen(in), NULL, NULL, 0), TOTE_PROTO_E_INVALID);
}

/* ---- dates ---- */

static void test_dates(void)
{
    static const struct {
        const char *yymmdd;
        int year;
        const char *want; /* NULL: DATE error */
    } v[] = {
        {"251231", 2025, "2025-12-31"},
        {"250200", 2025, "2025-02-28"}, /* DD=00: last day of the month */
        {"240200", 2025, "2024-02-29"}, /* leap year */
        {"000200", 2025, "2000-02-29"}, /* 2000 is a leap year */
        {"250400", 2025, "2025-04-30"},
        {"251200", 2025, "2025-12-31"},
        {"750101", 2025, "2075-01-01"}, /* 50 ahead: this century */
        {"760101", 2025, "1976-01-01"}, /* 51 ahead: last century */
        {"990101", 2025, "1999-01-01"},
        {"000200", 2080, "2100-02-28"}, /* 80 behind: next century; 2100 is no leap year */
        {"290101", 2080, "2129-01-01"}, /* 51 behind: next century */
        {"300101", 2080, "2130-01-01"}, /* 50 behind: next century (window Y-49..Y+50) */
        {"310101", 2080, "2031-01-01"}, /* 49 behind: this century */
        {"251301", 2025, NULL},
        {"250230", 2025, NULL},
        {"250229", 2025, NULL},
        {"2512", 2025, NULL},
        {"25123a", 2025, NULL},
        {"2512310", 2025, NULL},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[11] = "untouched";
        tote_proto_err e = tote_gs1_date_at(v[i].yymmdd, v[i].year, out);
        if (v[i].want) {
            TT_CHECK_(e == TOTE_PROTO_E_OK, continue, "%s @%d: %s", v[i].yymmdd, v[i].year,
                      tote_proto_errname(e));
            CHECK_STR(out, v[i].want);
        } else {
            TT_CHECK_(e == TOTE_PROTO_E_DATE, TT_NOTHING, "%s: got %s, want DATE", v[i].yymmdd,
                      tote_proto_errname(e));
            CHECK_STR(out, "untouched");
        }
    }
    char out[11];
    CHECK_EQ(tote_gs1_date_at(NULL, 2025, out), TOTE_PROTO_E_DATE);
    /* the clock version agrees with the explicit one for this year */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    char a[11], b[11];
    REQUIRE_EQ(tote_gs1_date("250615", a), TOTE_PROTO_E_OK);
    REQUIRE_EQ(tote_gs1_date_at("250615", tm.tm_year + 1900, b), TOTE_PROTO_E_OK);
    CHECK_STR(a, b);
}

/* ---- AI table queries ---- */

static void test_ai_table(void)
{
    CHECK_STR(tote_gs1_ai_title("01"), "GTIN");
    CHECK_STR(tote_gs1_ai_title("00"), "SSCC");
    CHECK_STR(tote_gs1_ai_title("10"), "BATCH/LOT");
    CHECK_STR(tote_gs1_ai_title("17"), "USE BY OR EXPIRY");
    CHECK_STR(tote_gs1_ai_title("3103"), "NET WEIGHT (kg)");
    CHECK_STR(tote_gs1_ai_title("3302"), "GROSS WEIGHT (kg)");
    CHECK_STR(tote_gs1_ai_title("410"), "SHIP TO LOC");
    CHECK_STR(tote_gs1_ai_title("95"), "INTERNAL");
    CHECK(tote_gs1_ai_title("310") == NULL); /* a family needs its digit */
    CHECK(tote_gs1_ai_title("3106") == NULL);
    CHECK(tote_gs1_ai_title("23") == NULL);
    CHECK(tote_gs1_ai_title(NULL) == NULL);
    CHECK(tote_gs1_ai_known("8018"));
    CHECK(!tote_gs1_ai_known("0"));
    CHECK(!tote_gs1_ai_known("01234"));
    /* predefined lengths: no separator after them */
    const char *pre[] = {"00", "01", "02", "03",   "11",   "13",  "15",
                         "16", "17", "20", "3100", "3650", "410", "417"};
    for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
        TT_CHECK_(tote_gs1_ai_predefined(pre[i]), TT_NOTHING, "%s should have a predefined length", pre[i]);
    const char *var[] = {"10",  "21",  "30",   "37",   "3900", "400", "420",
                         "421", "422", "7003", "8018", "90",   "99"};
    for (size_t i = 0; i < sizeof var / sizeof var[0]; i++)
        TT_CHECK_(!tote_gs1_ai_predefined(var[i]), TT_NOTHING, "%s should need a separator", var[i]);
}

/* ---- encoders ---- */

static tote_gs1 parsed(const char *in)
{
    tote_gs1 g;
    char err[160] = "";
    if (tote_gs1_parse((const uint8_t *)in, strlen(in), &g, err, sizeof err) != TOTE_PROTO_E_OK)
        tt_fail_msg(__FILE__, __LINE__, "fixture %s does not parse: %s", in, err);
    return g;
}

static void test_transmitted(void)
{
    tote_gs1 g = parsed("(10)ABC(17)251231(21)S1(3103)000500(30)5");
    uint8_t t[128];
    size_t n = 0;
    REQUIRE_EQ(tote_gs1_to_transmitted(&g, t, sizeof t, &n), TOTE_PROTO_E_OK);
    const char *want = "10ABC" GS "17251231"
                       "21S1" GS "3103000500"
                       "305";
    CHECK_MEM(t, n, want, strlen(want));
    CHECK_EQ(tote_gs1_to_transmitted(&g, t, 10, &n), TOTE_PROTO_E_NOSPACE);
    CHECK_EQ(n, 0);
}

static void test_brackets_nospace(void)
{
    tote_gs1 g = parsed("(01)09506000134352(10)A\\(B");
    char b[64];
    REQUIRE_EQ(tote_gs1_to_brackets(&g, b, sizeof b), TOTE_PROTO_E_OK);
    CHECK_STR(b, "(01)09506000134352(10)A\\(B");
    CHECK_EQ(tote_gs1_to_brackets(&g, b, strlen("(01)09506000134352(10)A\\(B")), TOTE_PROTO_E_NOSPACE);
    CHECK_STR(b, "");
    CHECK_EQ(tote_gs1_to_brackets(&g, b, strlen("(01)09506000134352(10)A\\(B") + 1), TOTE_PROTO_E_OK);
    CHECK_EQ(tote_gs1_to_brackets(&g, NULL, 10), TOTE_PROTO_E_NOSPACE);
}

/* Decodes ZPL ^BC field data the way the printer does (start C / start B,
 * >5 >6 code set switches, >8 FNC1, >< literal '>') into the transmitted
 * element string (the leading FNC1 dropped, later FNC1s as GS). Returns its
 * length, or -1 if the field data is malformed. */
static int zpl_decode(const char *z, char *out, size_t cap)
{
    size_t n = 0, i = 0, len = strlen(z);
    int code_c;
    if (strncmp(z, ">;>8", 4) != 0)
        return -1;
    code_c = 1;
    i = 4;
    while (i < len) {
        if (z[i] == '>') {
            if (i + 1 >= len)
                return -1;
            char c = z[i + 1];
            i += 2;
            if (c == '8') {
                if (n < cap)
                    out[n++] = 0x1D;
            } else if (c == '5') {
                code_c = 1;
            } else if (c == '6') {
                code_c = 0;
            } else if (c == '<' && !code_c) {
                if (n < cap)
                    out[n++] = '>';
            } else {
                return -1;
            }
            continue;
        }
        if (code_c) {
            if (i + 1 >= len || z[i] < '0' || z[i] > '9' || z[i + 1] < '0' || z[i + 1] > '9')
                return -1; /* code C holds digit pairs only */
            if (n + 2 <= cap) {
                out[n++] = z[i];
                out[n++] = z[i + 1];
            }
            i += 2;
        } else {
            if (n < cap)
                out[n++] = z[i];
            i++;
        }
    }
    return (int)n;
}

static void test_zpl(void)
{
    static const struct {
        const char *in, *zpl;
    } v[] = {
        {"(00)106141411234567897", ">;>800106141411234567897"}, /* PROTOCOLS.md §5 */
        {"(01)09506000134352(10)ABC123(21)X1", ">;>8010950600013435210>6ABC123>821X1"},
        {"(10)123(21)4567", ">;>81012>63>8>5214567"},
        {"(10)A>B", ">;>810>6A><B"},
        {"(01)09506000134352(17)251231(10)L1", ">;>801095060001343521725123110>6L1"},
        {"(10)AB12345", ">;>810>6AB1>52345"},
        {"(400)A"
         "(410)9506000134352",
         ">;>840>60A>8>54109506000134352"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tote_gs1 g = parsed(v[i].in);
        char z[256];
        REQUIRE_EQ(tote_gs1_to_zpl(&g, z, sizeof z), TOTE_PROTO_E_OK);
        TT_CHECK_(strcmp(z, v[i].zpl) == 0, TT_NOTHING, "zpl of %s: got %s, want %s", v[i].in, z, v[i].zpl);
    }
    tote_gs1 g = parsed("(00)106141411234567897");
    char z[32];
    CHECK_EQ(tote_gs1_to_zpl(&g, z, 10), TOTE_PROTO_E_NOSPACE);
    CHECK_STR(z, "");
    tote_gs1 empty = {0};
    CHECK_EQ(tote_gs1_to_zpl(&empty, z, sizeof z), TOTE_PROTO_E_INVALID);
    tote_gs1 caret = parsed("(10)A");
    strcpy(caret.ais[0].value, "A^B"); /* never from the parser: ZPL would break */
    CHECK_EQ(tote_gs1_to_zpl(&caret, z, sizeof z), TOTE_PROTO_E_INVALID);
}

/* Every valid vector's ZPL decodes back to its transmitted form. */
static void test_zpl_decodes_back(void)
{
    for (size_t i = 0; i < sizeof ok_vectors / sizeof ok_vectors[0]; i++) {
        tote_gs1 g = parsed(ok_vectors[i].in);
        char z[1024], dec[512];
        uint8_t t[512];
        size_t tl;
        REQUIRE_EQ(tote_gs1_to_zpl(&g, z, sizeof z), TOTE_PROTO_E_OK);
        REQUIRE_EQ(tote_gs1_to_transmitted(&g, t, sizeof t, &tl), TOTE_PROTO_E_OK);
        int n = zpl_decode(z, dec, sizeof dec);
        TT_CHECK_(n >= 0, continue, "%s: malformed ZPL %s", ok_vectors[i].name, z);
        CHECK_MEM(dec, (size_t)n, t, tl);
    }
}

TT_MAIN(TT_TEST(test_parse_valid), TT_TEST(test_parse_fields), TT_TEST(test_parse_errors),
        TT_TEST(test_too_many_ais), TT_TEST(test_err_buffer_optional_and_truncated), TT_TEST(test_dates),
        TT_TEST(test_ai_table), TT_TEST(test_transmitted), TT_TEST(test_brackets_nospace), TT_TEST(test_zpl),
        TT_TEST(test_zpl_decodes_back))
