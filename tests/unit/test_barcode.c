/* The barcode normaliser: AIM id + scanned bytes -> kind and values. */
#include <math.h>

#include "test.h"
#include "tote/barcode.h"

#define GS "\x1D"

static tote_proto_err parse(const char *sym, const char *data, tote_barcode *b, char *err, size_t cap)
{
    return tote_barcode_parse(sym, (const uint8_t *)data, strlen(data), b, err, cap);
}

typedef struct {
    const char *name, *sym, *data;
    tote_barcode_kind kind;
    const char *symname;
    int gs1;
    const char *gtin14, *sscc, *lot, *expiry, *serial, *code;
    long long count; /* -1: none */
    double kg;       /* < 0: none */
    int package_no;
} ok_case;

#define A10 "/a/a/a/a/a/a/a/a/a/a"
#define A40 A10 A10 A10 A10
#define A62 A40 A10 A10 "/a/a"

static const ok_case ok_cases[] = {
    /* EAN / UPC: the same item in every form */
    {"UPC-A as ]E0 13 digits", "]E0", "0036000291452", TOTE_BC_GTIN, "upca", 0, "00036000291452", "", "", "",
     "", "", -1, -1, 0},
    {"AIM id in the data", NULL, "]E00036000291452", TOTE_BC_GTIN, "upca", 0, "00036000291452", "", "", "",
     "", "", -1, -1, 0},
    {"UPC-A 12 digits, no AIM", NULL, "036000291452", TOTE_BC_GTIN, "unknown", 0, "00036000291452", "", "",
     "", "", "", -1, -1, 0},
    {"GTIN-14, no AIM", "", "00036000291452", TOTE_BC_GTIN, "unknown", 0, "00036000291452", "", "", "", "",
     "", -1, -1, 0},
    {"UPC-A 12 digits under ]E0", "]E0", "036000291452", TOTE_BC_GTIN, "upca", 0, "00036000291452", "", "",
     "", "", "", -1, -1, 0},
    {"EAN-13", "]E0", "4006381333931", TOTE_BC_GTIN, "ean13", 0, "04006381333931", "", "", "", "", "", -1, -1,
     0},
    {"EAN-13 by name", "ean13", "4006381333931", TOTE_BC_GTIN, "ean13", 0, "04006381333931", "", "", "", "",
     "", -1, -1, 0},
    {"EAN-13 named by the transport keeps its name", "ean13", "0036000291452", TOTE_BC_GTIN, "ean13", 0,
     "00036000291452", "", "", "", "", "", -1, -1, 0},
    {"EAN-8", "]E4", "96385074", TOTE_BC_GTIN, "ean8", 0, "00000096385074", "", "", "", "", "", -1, -1, 0},
    {"EAN-8, no AIM", NULL, "96385074", TOTE_BC_GTIN, "unknown", 0, "00000096385074", "", "", "", "", "", -1,
     -1, 0},
    {"UPC-E under ]E0", "]E0", "04252614", TOTE_BC_GTIN, "upce", 0, "00042100005264", "", "", "", "", "", -1,
     -1, 0},
    {"UPC-E by name, 6 digits", "upce", "425261", TOTE_BC_GTIN, "upce", 0, "00042100005264", "", "", "", "",
     "", -1, -1, 0},
    /* eight digits, no AIM: EAN-8 when its check digit holds, else UPC-E when that one does */
    {"UPC-E, no AIM (no EAN-8 check digit)", NULL, "04252614", TOTE_BC_GTIN, "upce", 0, "00042100005264", "",
     "", "", "", "", -1, -1, 0},
    {"EAN-8 and UPC-E both, no AIM: EAN-8", NULL, "01234565", TOTE_BC_GTIN, "unknown", 0, "00000001234565",
     "", "", "", "", "", -1, -1, 0},
    {"EAN-13 with add-on", "]E3", "400638133393112", TOTE_BC_GTIN, "ean13", 0, "04006381333931", "", "", "",
     "", "", -1, -1, 0},
    {"ITF-14", "]I1", "10614141000415", TOTE_BC_GTIN, "itf", 0, "10614141000415", "", "", "", "", "", -1, -1,
     0},
    {"GTIN in a Code 128", "]C0", "4006381333931", TOTE_BC_GTIN, "code128", 0, "04006381333931", "", "", "",
     "", "", -1, -1, 0},
    /* GS1 */
    {"GS1-128 gtin expiry DD=00 lot", "]C1",
     "0109506000134352"
     "17250200"
     "10LOT7",
     TOTE_BC_GTIN, "gs1-128", 1, "09506000134352", "", "LOT7", "2025-02-28", "", "", -1, -1, 0},
    {"GS1 DataMatrix serial + weight", "]d2",
     "0109506000134352"
     "21SN1" GS "3103001250",
     TOTE_BC_GTIN, "gs1-datamatrix", 1, "09506000134352", "", "", "", "SN1", "", -1, 1.25, 0},
    {"GS1 QR content + count", "]Q3",
     "0209506000134352"
     "3712",
     TOTE_BC_GTIN, "gs1-qr", 1, "09506000134352", "", "", "", "", "", 12, -1, 0},
    {"variable count 30", "]C1",
     "0109506000134352"
     "3025",
     TOTE_BC_GTIN, "gs1-128", 1, "09506000134352", "", "", "", "", "", 25, -1, 0},
    {"37 wins over 30", NULL, "(02)09506000134352(30)5(37)40", TOTE_BC_GTIN, "unknown", 1, "09506000134352",
     "", "", "", "", "", 40, -1, 0},
    {"net weight in pounds", "]C1",
     "0109506000134352"
     "3202000110",
     TOTE_BC_GTIN, "gs1-128", 1, "09506000134352", "", "", "", "", "", -1, 1.10 * 0.45359237, 0},
    {"best before is not expiry", "]C1",
     "0109506000134352"
     "15260131",
     TOTE_BC_GTIN, "gs1-128", 1, "09506000134352", "", "", "", "", "", -1, -1, 0},
    {"leap day expiry", "]C1",
     "0109506000134352"
     "17280200",
     TOTE_BC_GTIN, "gs1-128", 1, "09506000134352", "", "", "2028-02-29", "", "", -1, -1, 0},
    {"SSCC", "]C1", "00106141411234567897", TOTE_BC_SSCC, "gs1-128", 1, "", "106141411234567897", "", "", "",
     "", -1, -1, 0},
    {"SSCC with content", "]C1",
     "00106141411234567897"
     "0209506000134352"
     "3712",
     TOTE_BC_SSCC, "gs1-128", 1, "09506000134352", "106141411234567897", "", "", "", "", 12, -1, 0},
    {"GS1 DataBar", "]e0", "0109506000134352", TOTE_BC_GTIN, "gs1-databar", 1, "09506000134352", "", "", "",
     "", "", -1, -1, 0},
    {"bracket form, no AIM", NULL, "(01)09506000134352(10)ABC", TOTE_BC_GTIN, "unknown", 1, "09506000134352",
     "", "ABC", "", "", "", -1, -1, 0},
    {"bracket form in a Code 128", "]C0", "(00)106141411234567897", TOTE_BC_SSCC, "code128", 1, "",
     "106141411234567897", "", "", "", "", -1, -1, 0},
    {"leading FNC1 as GS, no AIM", NULL,
     GS "0109506000134352"
        "10X",
     TOTE_BC_GTIN, "unknown", 1, "09506000134352", "", "X", "", "", "", -1, -1, 0},
    {"wedge scanner dropped ]C1", NULL,
     "0109506000134352"
     "10ABC",
     TOTE_BC_GTIN, "unknown", 1, "09506000134352", "", "ABC", "", "", "", -1, -1, 0},
    {"wedge scanner SSCC", NULL, "00106141411234567897", TOTE_BC_SSCC, "unknown", 1, "", "106141411234567897",
     "", "", "", "", -1, -1, 0},
    {"GS1 without GTIN or SSCC", "]C1", "4149506000134352", TOTE_BC_UNKNOWN, "gs1-128", 1, "", "", "", "", "",
     "(414)9506000134352", -1, -1, 0},
    {"transport id repeated in data", "]C1", "]C10109506000134352", TOTE_BC_GTIN, "gs1-128", 1,
     "09506000134352", "", "", "", "", "", -1, -1, 0},
    /* own barcodes */
    {"bin", NULL, "BIN-A-01-02", TOTE_BC_BIN, "unknown", 0, "", "", "", "", "", "A-01-02", -1, -1, 0},
    {"tote in Code 128", "]C0", "TOTE-0042", TOTE_BC_TOTE, "code128", 0, "", "", "", "", "", "0042", -1, -1,
     0},
    {"tote with AIM in data", NULL, "]C0TOTE-0042", TOTE_BC_TOTE, "code128", 0, "", "", "", "", "", "0042",
     -1, -1, 0},
    {"order", NULL, "ORD-#1001", TOTE_BC_ORDER, "unknown", 0, "", "", "", "", "", "#1001", -1, -1, 0},
    {"order package 2", NULL, "ORD-#1001/2", TOTE_BC_ORDER, "unknown", 0, "", "", "", "", "", "#1001", -1, -1,
     2},
    {"order package 12 in QR", "]Q1", "ORD-#1001/12", TOTE_BC_ORDER, "qr", 0, "", "", "", "", "", "#1001", -1,
     -1, 12},
    {"order name with a slash", NULL, "ORD-A/B", TOTE_BC_ORDER, "unknown", 0, "", "", "", "", "", "A/B", -1,
     -1, 0},
    {"badge", NULL, "BADGE-7", TOTE_BC_BADGE, "unknown", 0, "", "", "", "", "", "7", -1, -1, 0},
    {"trailing CR LF", NULL, "BIN-A1\r\n", TOTE_BC_BIN, "unknown", 0, "", "", "", "", "", "A1", -1, -1, 0},
    {"prefixes are case-sensitive", NULL, "bin-a1", TOTE_BC_UNKNOWN, "unknown", 0, "", "", "", "", "",
     "bin-a1", -1, -1, 0},
    /* S10 */
    {"S10 tracking", NULL, "RR123456785IT", TOTE_BC_TRACKING, "unknown", 0, "", "", "", "", "",
     "RR123456785IT", -1, -1, 0},
    {"Tote's own S10", "]C0", "LX000000014NL", TOTE_BC_TRACKING, "code128", 0, "", "", "", "", "",
     "LX000000014NL", -1, -1, 0},
    /* anything else */
    {"free text", NULL, "HELLO WORLD", TOTE_BC_UNKNOWN, "unknown", 0, "", "", "", "", "", "HELLO WORLD", -1,
     -1, 0},
    {"number that is not a GTIN, in Code 128", "]C0", "12345678", TOTE_BC_UNKNOWN, "code128", 0, "", "", "",
     "", "", "12345678", -1, -1, 0},
    {"other lengths of digits", NULL, "1234567", TOTE_BC_UNKNOWN, "unknown", 0, "", "", "", "", "", "1234567",
     -1, -1, 0},
    {"S10 shape in lower case", NULL, "rr123456785it", TOTE_BC_UNKNOWN, "unknown", 0, "", "", "", "", "",
     "rr123456785it", -1, -1, 0},
    {"unknown AIM id stays in the data", NULL, "]X0abc", TOTE_BC_UNKNOWN, "unknown", 0, "", "", "", "", "",
     "]X0abc", -1, -1, 0},
    {"wedge-like digits that are not GS1", NULL, "0123", TOTE_BC_UNKNOWN, "unknown", 0, "", "", "", "", "",
     "0123", -1, -1, 0},
    /* GS1 Digital Link: the AIs as a web address, in a QR code or Data Matrix */
    {"Digital Link in a QR code: GTIN, lot, expiry in the query", "]Q1",
     "https://id.gs1.org/01/09506000134352/10/ABC123?17=261231", TOTE_BC_GTIN, "qr", 1, "09506000134352", "",
     "ABC123", "2026-12-31", "", "", -1, -1, 0},
    {"Digital Link: own domain and path, GTIN-13, percent-encoded serial, other parameters ignored", NULL,
     "HTTPS://example.com/products/01/9506000134352/21/S%2F1?linkType=gs1:pip&3103=000189#top", TOTE_BC_GTIN,
     "unknown", 1, "09506000134352", "", "", "", "S/1", "", -1, 0.189, 0},
    {"Digital Link of an SSCC, trailing slash", "]d1", "http://id.gs1.org/00/106141411234567897/",
     TOTE_BC_SSCC, "datamatrix", 1, "", "106141411234567897", "", "", "", "", -1, -1, 0},
    {"Digital Link under a GS1 QR id (]Q3)", "]Q3", "https://id.gs1.org/01/09506000134352", TOTE_BC_GTIN,
     "gs1-qr", 1, "09506000134352", "", "", "", "", "", -1, -1, 0},
    {"a web address with more path than any Digital Link (66 elements)", NULL,
     "https://x.test" A62 "/01/09506000134352/10/L1", TOTE_BC_UNKNOWN, "unknown", 0, "", "", "", "", "",
     "https://x.test" A40 "/", -1, -1, 0},
    {"a web address that is not a Digital Link", "]Q1", "https://example.com/2024/about", TOTE_BC_UNKNOWN,
     "qr", 0, "", "", "", "", "", "https://example.com/2024/about", -1, -1, 0},
    {"Digital Link with the first standard's short names (gtin, lot, ser; exp in the query)", "]Q1",
     "https://brand.example/gtin/09506000134352/lot/ABC1/ser/77?exp=261231", TOTE_BC_GTIN, "qr", 1,
     "09506000134352", "", "ABC1", "2026-12-31", "77", "", -1, -1, 0},
    {"Digital Link with a short name for an SSCC", NULL, "https://brand.example/sscc/106141411234567897",
     TOTE_BC_SSCC, "unknown", 1, "", "106141411234567897", "", "", "", "", -1, -1, 0},
    {"short names are lower case only: /GTIN/ is not a key", NULL,
     "https://brand.example/GTIN/09506000134352", TOTE_BC_UNKNOWN, "unknown", 0, "", "", "", "", "",
     "https://brand.example/GTIN/09506000134352", -1, -1, 0},
};

static void test_ok_cases(void)
{
    for (size_t i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
        const ok_case *c = &ok_cases[i];
        tote_barcode b;
        char err[200] = "";
        tote_proto_err e = parse(c->sym, c->data, &b, err, sizeof err);
        TT_CHECK_(e == TOTE_PROTO_E_OK, continue, "%s: %s: %s", c->name, tote_proto_errname(e), err);
        TT_CHECK_(b.kind == c->kind, TT_NOTHING, "%s: kind %s, want %s", c->name,
                  tote_barcode_kind_name(b.kind), tote_barcode_kind_name(c->kind));
        TT_CHECK_(strcmp(tote_symbology_name(b.symbology), c->symname) == 0, TT_NOTHING,
                  "%s: symbology %s, want %s", c->name, tote_symbology_name(b.symbology), c->symname);
        TT_CHECK_(b.gs1 == c->gs1, TT_NOTHING, "%s: gs1 %d", c->name, b.gs1);
        CHECK_STR(b.gtin14, c->gtin14);
        CHECK_STR(b.sscc, c->sscc);
        CHECK_STR(b.lot, c->lot);
        CHECK_STR(b.expiry, c->expiry);
        CHECK_STR(b.serial, c->serial);
        CHECK_STR(b.code, c->code);
        CHECK_EQ(b.has_count, c->count >= 0);
        if (c->count >= 0)
            CHECK_EQ(b.count, c->count);
        CHECK_EQ(b.has_net_weight, c->kg >= 0);
        if (c->kg >= 0)
            TT_CHECK_(fabs(b.net_weight_kg - c->kg) < 1e-9, TT_NOTHING, "%s: %g kg, want %g", c->name,
                      b.net_weight_kg, c->kg);
        CHECK_EQ(b.package_no, c->package_no);
        if (!c->gs1)
            CHECK_EQ(b.ais.count, 0);
    }
}

static void test_ais_in_scan_order(void)
{
    tote_barcode b;
    char err[200];
    REQUIRE_EQ(parse("]C1",
                     "10LOT7" GS "17251231"
                     "0109506000134352",
                     &b, err, sizeof err),
               TOTE_PROTO_E_OK);
    REQUIRE_EQ(b.ais.count, 3);
    CHECK_STR(b.ais.ais[0].ai, "10");
    CHECK_STR(b.ais.ais[1].ai, "17");
    CHECK_STR(b.ais.ais[2].ai, "01");
    CHECK_STR(b.expiry, "2025-12-31");
}

typedef struct {
    const char *name, *sym, *data;
    size_t len; /* 0: strlen */
    tote_proto_err err;
    const char *msg;
} bad_case;

static const bad_case bad_cases[] = {
    {"GS1 bad check digit", "]C1", "0109506000134353", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "AI (01): bad check digit 3, expected 2"},
    {"GS1 bad date", "]C1",
     "0109506000134352"
     "17251301",
     0, TOTE_PROTO_E_DATE, "AI (17): invalid date 251301"},
    {"GS1 unknown AI", "]d2", "2399", 0, TOTE_PROTO_E_AI_UNKNOWN, "unknown AI"},
    {"GS1 missing separator", "]C1",
     "10LOT1234567890"
     "21SERIAL12",
     0, TOTE_PROTO_E_SEPARATOR,
     "AI (10): value is 23 characters, at most 20 allowed (missing GS separator?)"},
    {"own barcode under a GS1 id", "]C1", "BIN-A1", 0, TOTE_PROTO_E_AI_FORMAT, "expected an AI"},
    {"bracket form bad check digit", NULL, "(01)09506000134353", 0, TOTE_PROTO_E_CHECK_DIGIT, "AI (01)"},
    {"EAN-13 bad check digit", "]E0", "0036000291453", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "EAN-13 0036000291453: bad check digit 3, expected 2"},
    {"UPC-A bad check digit", "]E0", "036000291453", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "UPC-A 036000291453: bad check"},
    {"EAN-8 bad check digit", "]E4", "96385075", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "EAN-8 96385075: bad check digit 5, expected 4"},
    {"UPC-E bad check digit", "]E0", "04252615", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "UPC-E 04252615: bad check digit 5, expected 4"},
    {"eight digits, no AIM, neither check digit", NULL, "04252615", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "GTIN-8 04252615: bad check digit 5, expected 0"},
    {"SSCC without AIM id, bad check digit", NULL, "00340123450000000001", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "AI (00): bad check digit 1, expected 0"},
    {"AI 01 without AIM id, bad check digit", NULL, "0109506000134353", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "AI (01): bad check digit 3, expected 2"},
    {"UPC-E number system 2", "]E0", "24252614", 0, TOTE_PROTO_E_INVALID, "number system"},
    {"EAN data not digits", "]E0", "00360002914AB", 0, TOTE_PROTO_E_INVALID, "digits only"},
    {"EAN data wrong length", "]E0", "12345", 0, TOTE_PROTO_E_INVALID, "8, 12 or 13 digits, got 5"},
    {"EAN-8 wrong length", "]E4", "4006381333931", 0, TOTE_PROTO_E_INVALID, "EAN-8 data must be 8 digits"},
    {"plain GTIN-12 bad check digit", NULL, "036000291453", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "GTIN-12 036000291453: bad check digit 3, expected 2"},
    {"plain GTIN-13 bad check digit", NULL, "4006381333932", 0, TOTE_PROTO_E_CHECK_DIGIT, "expected 1"},
    {"plain GTIN-8 bad check digit", NULL, "12345678", 0, TOTE_PROTO_E_CHECK_DIGIT, "expected 0"},
    {"plain GTIN-14 bad check digit", NULL, "00036000291453", 0, TOTE_PROTO_E_CHECK_DIGIT, "GTIN-14"},
    {"ITF-14 bad check digit", "]I1", "10614141000416", 0, TOTE_PROTO_E_CHECK_DIGIT, "expected 5"},
    {"S10 bad check digit", NULL, "RR123456784IT", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "S10 tracking number RR123456784IT: bad check digit 4, expected 5"},
    {"station/README example LX000000015NL", NULL, "LX000000015NL", 0, TOTE_PROTO_E_CHECK_DIGIT,
     "expected 4"},
    {"bin without code", NULL, "BIN-", 0, TOTE_PROTO_E_INVALID, "bin barcode BIN- has no code"},
    {"order without name", NULL, "ORD-/2", 0, TOTE_PROTO_E_INVALID, "has no code"},
    {"order package 0", NULL, "ORD-#1001/0", 0, TOTE_PROTO_E_INVALID, "package number must be 1 or more"},
    {"control bytes in a message are shown as \\xHH", NULL, "ORD-\r\t/0", 0, TOTE_PROTO_E_INVALID,
     "order barcode ORD-\\x0D\\x09/0: package number"},
    {"symbology argument shown safely", "x\ny", "1", 0, TOTE_PROTO_E_INVALID,
     "unknown symbology \"x\\x0Ay\""},
    {"order package too large", NULL, "ORD-#1001/1234567", 0, TOTE_PROTO_E_INVALID,
     "package number too large"},
    {"control byte in own code", NULL, "TOTE-A\x01", 0, TOTE_PROTO_E_INVALID, "byte 0x01 at position 7"},
    {"own code too long", NULL,
     "BADGE-"
     "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
     0, TOTE_PROTO_E_TOO_LONG, "badge barcode code is 100 characters"},
    {"empty", NULL, "", 0, TOTE_PROTO_E_EMPTY, "empty scan"},
    {"only CR LF", NULL, "\r\n", 0, TOTE_PROTO_E_EMPTY, "empty scan"},
    {"AIM id and nothing else", NULL, "]C1", 0, TOTE_PROTO_E_EMPTY, "empty scan"},
    {"malformed AIM argument", "]C", "123", 0, TOTE_PROTO_E_INVALID, "malformed AIM"},
    {"AIM argument too long", "]C1x", "123", 0, TOTE_PROTO_E_INVALID, "malformed AIM"},
    {"unknown symbology name", "code11", "123", 0, TOTE_PROTO_E_INVALID, "unknown symbology \"code11\""},
    {"Digital Link bad check digit", "]Q1", "https://example.com/01/09506000134353", 0,
     TOTE_PROTO_E_CHECK_DIGIT, "Digital Link: AI (01): bad check digit 3, expected 2"},
    {"Digital Link qualifier without value", NULL, "https://id.gs1.org/01/09506000134352/10/", 0,
     TOTE_PROTO_E_AI_FORMAT, "Digital Link: AI (10) has no value"},
    {"Digital Link path element not an AI", NULL, "https://id.gs1.org/01/09506000134352/99x/4", 0,
     TOTE_PROTO_E_AI_FORMAT, "Digital Link: path element '99x' is not a GS1 AI"},
    {"Digital Link: a control byte in a path element is shown escaped", NULL,
     "https://id.gs1.org/01/09506000134352/9\n9/4", 0, TOTE_PROTO_E_AI_FORMAT,
     "path element '9\\x0A9' is not a GS1 AI"},
    {"Digital Link broken percent-encoding", NULL, "https://id.gs1.org/01/09506000134352/10/A%2", 0,
     TOTE_PROTO_E_AI_FORMAT, "a '%' not followed by two hex digits"},
    {"Digital Link control character", NULL, "https://id.gs1.org/01/09506000134352/10/A%1DB", 0,
     TOTE_PROTO_E_AI_FORMAT, "byte 0x1D is not allowed"},
    {"Digital Link impossible date in the query", NULL, "https://id.gs1.org/01/09506000134352?17=261299", 0,
     TOTE_PROTO_E_DATE, "invalid date 261299"},
};

static void test_bad_cases(void)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        tote_barcode b;
        memset(&b, 0x55, sizeof b);
        char err[200] = "";
        size_t len = c->len ? c->len : strlen(c->data);
        tote_proto_err e = tote_barcode_parse(c->sym, (const uint8_t *)c->data, len, &b, err, sizeof err);
        TT_CHECK_(e == c->err, continue, "%s: got %s (%s), want %s", c->name, tote_proto_errname(e), err,
                  tote_proto_errname(c->err));
        TT_CHECK_(strstr(err, c->msg) != NULL, TT_NOTHING, "%s: message \"%s\" lacks \"%s\"", c->name, err,
                  c->msg);
        CHECK_EQ(b.kind, TOTE_BC_UNKNOWN);
        CHECK_STR(b.gtin14, "");
        CHECK_STR(b.code, "");
        CHECK_EQ(b.ais.count, 0);
    }
    /* the symbology survives an error */
    tote_barcode b;
    CHECK_EQ(parse("]E0", "0036000291453", &b, NULL, 0), TOTE_PROTO_E_CHECK_DIGIT);
    CHECK_EQ(b.symbology, TOTE_SYM_UPCA);
    CHECK_EQ(parse("]C1", "0109506000134353", &b, NULL, 0), TOTE_PROTO_E_CHECK_DIGIT);
    CHECK_EQ(b.symbology, TOTE_SYM_GS1_128);
    CHECK_EQ(tote_barcode_parse(NULL, NULL, 0, &b, NULL, 0), TOTE_PROTO_E_EMPTY);
    CHECK_EQ(tote_barcode_parse(NULL, (const uint8_t *)"x", 1, NULL, NULL, 0), TOTE_PROTO_E_INVALID);
}

static void test_unknown_text_is_kept(void)
{
    tote_barcode b;
    /* NUL bytes become '?', the text is cut at 95 bytes */
    REQUIRE_EQ(tote_barcode_parse(NULL, (const uint8_t *)"AB\0CD", 5, &b, NULL, 0), TOTE_PROTO_E_OK);
    CHECK_EQ(b.kind, TOTE_BC_UNKNOWN);
    CHECK_STR(b.code, "AB?CD");
    char longer[300];
    memset(longer, 'Q', sizeof longer);
    REQUIRE_EQ(tote_barcode_parse("]Q1", (const uint8_t *)longer, sizeof longer, &b, NULL, 0),
               TOTE_PROTO_E_OK);
    CHECK_EQ(strlen(b.code), 95);
}

static void test_custom_prefix_table(void)
{
    static const tote_barcode_prefix mine[] = {{"LOC:", TOTE_BC_BIN}, {"T:", TOTE_BC_TOTE}};
    tote_barcode b;
    const char *d = "LOC:A1";
    REQUIRE_EQ(tote_barcode_parse_with(mine, 2, NULL, (const uint8_t *)d, strlen(d), &b, NULL, 0),
               TOTE_PROTO_E_OK);
    CHECK_EQ(b.kind, TOTE_BC_BIN);
    CHECK_STR(b.code, "A1");
    d = "BIN-A1";
    REQUIRE_EQ(tote_barcode_parse_with(mine, 2, NULL, (const uint8_t *)d, strlen(d), &b, NULL, 0),
               TOTE_PROTO_E_OK);
    CHECK_EQ(b.kind, TOTE_BC_UNKNOWN);
    size_t n = 0;
    const tote_barcode_prefix *p = tote_barcode_prefixes(&n);
    REQUIRE_EQ(n, 4);
    CHECK_STR(p[0].prefix, "BIN-");
    CHECK_STR(p[3].prefix, "BADGE-");
}

static void test_kind_names(void)
{
    static const char *const want[] = {"unknown", "gtin",  "sscc",  "bin",
                                       "tote",    "order", "badge", "tracking"};
    for (int k = TOTE_BC_UNKNOWN; k <= TOTE_BC_TRACKING; k++)
        CHECK_STR(tote_barcode_kind_name((tote_barcode_kind)k), want[k]);
    CHECK_STR(tote_barcode_kind_name((tote_barcode_kind)42), "unknown");
}

/* A badge given as its code or as its barcode names the same code. */
static void test_badge_code(void)
{
    static const struct {
        const char *text, *code;
    } v[] = {
        {"BADGE-ANN", "ANN"},     /* the barcode: its code */
        {"ANN", "ANN"},           /* the code itself */
        {"BIN-A-01", "BIN-A-01"}, /* another kind of barcode is no badge */
        {"BADGE-", "BADGE-"},     /* no code after the prefix: taken as it is */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tote_barcode bc;
        CHECK_STR(tote_barcode_badge_code(v[i].text, &bc), v[i].code);
    }
}

TT_MAIN(TT_TEST(test_badge_code), TT_TEST(test_ok_cases), TT_TEST(test_ais_in_scan_order),
        TT_TEST(test_bad_cases), TT_TEST(test_unknown_text_is_kept), TT_TEST(test_custom_prefix_table),
        TT_TEST(test_kind_names))
