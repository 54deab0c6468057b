/* Label layout and ZPL: fixed output, escaping, placement, wrap/shrink, FIT. */
#include <math.h>
#include <zint.h>

#include "support.h"
#include "test.h"
#include "tote/label.h"
#include "tote/zpl.h"

static tote_label fixed_label(void)
{
    tote_label l = {0};
    l.from = (tote_address){.name = "Tote Demo Warehouse",
                            .line1 = "Lagerstraße 5",
                            .city = "Berlin",
                            .postal_code = "10115",
                            .country = "DE"};
    l.to = (tote_address){.name = "Zoë Müller",
                          .line1 = "Hauptstraße 12",
                          .city = "München",
                          .postal_code = "80331",
                          .country = "Germany"};
    l.order = "#1001";
    l.package_no = 1;
    l.package_count = 2;
    l.weight_g = 2350;
    l.service = "Express";
    l.tracking = "LX000000015NL";
    l.sscc = "106141411234567897";
    l.refs[0] = "PO 4711";
    return l;
}

static const char expected_203[] = "^XA\n"
                                   "^CI28\n"
                                   "^PW812\n"
                                   "^LL1218\n"
                                   "^LH0,0\n"
                                   "^FO24,20^A0N,26,26^FB470,1,5,L,0^FH^FDTote Demo Warehouse^FS\n"
                                   "^FO24,46^A0N,22,22^FB470,1,4,L,0^FH^FDLagerstraße 5^FS\n"
                                   "^FO24,68^A0N,22,22^FB470,1,4,L,0^FH^FDBerlin 10115^FS\n"
                                   "^FO24,90^A0N,22,22^FB470,1,4,L,0^FH^FDDE^FS\n"
                                   "^FO520,20^A0N,44,44^FB268,1,8,L,0^FH^FDExpress^FS\n"
                                   "^FO520,70^A0N,28,28^FB268,1,5,L,0^FH^FDPackage 1 of 2^FS\n"
                                   "^FO520,102^A0N,28,28^FB268,1,5,L,0^FH^FD2.35 kg^FS\n"
                                   "^FO0,200^GB812,3,3^FS\n"
                                   "^FO24,208^A0N,22,22^FB764,1,4,L,0^FH^FDSHIP TO:^FS\n"
                                   "^FO24,238^A0N,52,52^FB764,1,10,L,0^FH^FDZoë Müller^FS\n"
                                   "^FO24,290^A0N,40,40^FB764,1,8,L,0^FH^FDHauptstraße 12^FS\n"
                                   "^FO24,330^A0N,44,44^FB764,1,8,L,0^FH^FDMünchen 80331^FS\n"
                                   "^FO24,374^A0N,40,40^FB764,1,8,L,0^FH^FDGermany^FS\n"
                                   "^FO0,512^GB812,3,3^FS\n"
                                   "^FO24,522^A0N,36,36^FB560,1,7,L,0^FH^FDOrder #1001^FS\n"
                                   "^FO24,564^A0N,26,26^FB560,1,5,L,0^FH^FDPO 4711^FS\n"
                                   "^FO692,561^BXN,6,200,16,16^FH^FDORD-#1001/1^FS\n"
                                   "^FO0,702^GB812,3,3^FS\n"
                                   "^FO24,710^A0N,22,22^FB764,1,4,L,0^FH^FDTRACKING #^FS\n"
                                   "^FO172,740^BY3,3,118^BCN,118,N,N,N,N^FH^FD>:LX0>500000015>6NL^FS\n"
                                   "^FO24,864^A0N,30,30^FB764,1,6,C,0^FH^FDLX000000015NL^FS\n"
                                   "^FO0,900^GB812,3,3^FS\n"
                                   "^FO24,908^A0N,28,28^FB764,1,5,C,0^FH^FDSSCC (00) 106141411234567897^FS\n"
                                   "^FO94,946^BY4,3,256^BCN,256,N,N,N,N^FH^FD>;>800106141411234567897^FS\n"
                                   "^PQ1\n"
                                   "^XZ\n";

static void test_fixed_label_203(void)
{
    tote_label l = fixed_label();
    char *z = NULL;
    size_t len = 0;
    REQUIRE_EQ(tote_label_zpl(&l, 203, &z, &len, NULL), TOTE_LB_E_OK);
    CHECK_STR(z, expected_203);
    CHECK_EQ(len, strlen(expected_203));
    free(z);
}

static void test_fixed_label_300(void)
{
    tote_label l = fixed_label();
    char *z = NULL;
    REQUIRE_EQ(tote_label_zpl(&l, 300, &z, NULL, NULL), TOTE_LB_E_OK);
    CHECK_HAS(z, "^XA\n^CI28\n^PW1200\n^LL1800\n");
    /* SSCC: 0.508 mm modules, 32 mm bars (378 dots) */
    CHECK_HAS(z, "^BY6,3,379^BCN,379,N,N,N,N^FH^FD>;>800106141411234567897^FS");
    CHECK_HAS(z, "^BCN,175,N,N,N,N^FH^FD>:LX0>500000015>6NL^FS");
    CHECK_HAS(z, "^BXN,9,200,16,16^FH^FDORD-#1001/1^FS");
    free(z);
}

/* Every '^' in the output starts one of the commands Tote writes. */
static int only_known_commands(const char *z)
{
    static const char *const known[] = {"XA", "CI", "PW", "LL", "LH", "FO", "A0", "FB", "FH",
                                        "FD", "FS", "BY", "BC", "BX", "GB", "PQ", "XZ"};
    for (const char *p = strchr(z, '^'); p; p = strchr(p + 1, '^')) {
        int ok = 0;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strncmp(p + 1, known[i], 2) == 0)
                ok = 1;
        if (!ok) {
            fprintf(stderr, "unknown command at: %.20s\n", p);
            return 0;
        }
    }
    return 1;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_hostile_names_escaped(void)
{
    tote_label l = fixed_label();
    const char *evil = "^XZ~JR_";
    l.to.name = evil;
    l.to.company = "^XA^FO0,0^GB812,1218,812^FS";
    l.to.line1 = "~JA~JR";
    l.from.name = "back\\slash \\& _5E";
    l.service = "^PQ99";
    l.refs[0] = "~DGR:X.GRF";
    l.order = "#10^01";
    l.datamatrix = "ORD-^XZ_";
    char *z = NULL;
    REQUIRE_EQ(tote_label_zpl(&l, 203, &z, NULL, NULL), TOTE_LB_E_OK);
    CHECK_HAS(z, "^FH^FD_5EXZ_7EJR_5F^FS");
    CHECK_HAS(z, "_5EXA_5EFO0,0_5EGB812,1218,812_5EFS");
    CHECK_HAS(z, "^FDback\\\\slash \\\\& _5F5E^FS");
    CHECK_HAS(z, "^FDORD-_5EXZ_5F^FS");
    CHECK_EQ(count(z, "^XA"), 1);
    CHECK_EQ(count(z, "^XZ"), 1);
    CHECK_EQ(count(z, "^PQ"), 1);
    CHECK(strchr(z, '~') == NULL);
    CHECK(only_known_commands(z));
    /* the format ends with the one ^XZ */
    CHECK(strstr(z, "^XZ") == z + strlen(z) - 4);
    free(z);
}

static void test_escape_function(void)
{
    char buf[64];
    CHECK_EQ(tote_zpl_escape("a^b~c_d\\e", 1, buf, sizeof buf), strlen("a_5Eb_7Ec_5Fd\\\\e"));
    CHECK_STR(buf, "a_5Eb_7Ec_5Fd\\\\e");
    tote_zpl_escape("a\\b", 0, buf, sizeof buf);
    CHECK_STR(buf, "a\\b");
    /* truncation is reported by the needed length, the buffer stays terminated */
    char small[4];
    CHECK_EQ(tote_zpl_escape("^^^", 0, small, sizeof small), 9);
    CHECK_STR(small, "_5E");
}

static void check_inside(const tote_lb_layout *L)
{
    for (size_t i = 0; i < L->n; i++) {
        const tote_lb_item *it = &L->items[i];
        int qz = (it->kind == TOTE_LB_ITEM_CODE128 || it->kind == TOTE_LB_ITEM_GS1_128) ? 10 * it->module : 0;
        if (it->x - qz < 0 || it->y < 0 || it->x + it->w + qz > L->width || it->y + it->h > L->height ||
            it->w <= 0 || it->h <= 0)
            tt_fail_msg(__FILE__, __LINE__, "%s at %d,%d size %dx%d (quiet zone %d) is outside %dx%d",
                        it->field, it->x, it->y, it->w, it->h, qz, L->width, L->height);
    }
}

/* Parses every ^FOx,y of the ZPL and checks it lies on the label. */
static void check_zpl_origins(const char *z, int w, int h)
{
    int n = 0;
    for (const char *p = strstr(z, "^FO"); p; p = strstr(p + 1, "^FO")) {
        int x = -1, y = -1;
        CHECK_EQ(sscanf(p, "^FO%d,%d", &x, &y), 2);
        CHECK(x >= 0 && x < w && y >= 0 && y < h);
        n++;
    }
    CHECK_INT(n, >, 10);
}

static void test_every_field_inside(void)
{
    tote_label l = fixed_label();
    l.to.company = "Müller & Söhne Logistik GmbH";
    l.to.line2 = "Hinterhaus, 3. OG";
    l.to.phone = "+49 89 123456";
    l.refs[1] = "Gift: please remove price tags";
    for (int style = 0; style < 2; style++) {
        l.style = (tote_label_style)style;
        for (int d = 0; d < 2; d++) {
            int dpi = d ? 300 : 203;
            tote_lb_layout *L = NULL;
            REQUIRE_EQ(tote_label_layout(&l, dpi, &L, NULL), TOTE_LB_E_OK);
            CHECK_EQ(L->width, d ? 1200 : 812);
            CHECK_EQ(L->height, d ? 1800 : 1218);
            check_inside(L);
            /* the SSCC is the lowest barcode, bars at least 32 mm */
            const tote_lb_item *ss = tote_lb_layout_find(L, "sscc");
            REQUIRE(ss != NULL);
            CHECK(ss->h * 25.4 / dpi >= 32.0);
            CHECK(ss->module * 25.4 / dpi >= 0.495);
            for (size_t i = 0; i < L->n; i++)
                if (L->items[i].kind != TOTE_LB_ITEM_TEXT && L->items[i].kind != TOTE_LB_ITEM_RULE &&
                    &L->items[i] != ss)
                    CHECK_INT(L->items[i].y + L->items[i].h, <=, ss->y);
            char *z = NULL;
            REQUIRE_EQ(tote_zpl_from_layout(L, &z, NULL), TOTE_LB_E_OK);
            check_zpl_origins(z, L->width, L->height);
            free(z);
            tote_label_layout_destroy(&L);
            CHECK(L == NULL);
        }
    }
    tote_label_layout_destroy(NULL);
}

/* Removes line breaks and spaces (a wrap may break inside a word). */
static void squeeze(char *s)
{
    char *o = s;
    for (; *s; s++)
        if (*s != '\n' && *s != ' ')
            *o++ = *s;
    *o = '\0';
}

static void test_long_name_wraps_and_shrinks(void)
{
    tote_label l = fixed_label();
    const char *name = "Maximiliane Alexandra Konstantina von und zu Hohenzollern-Sigmaringen-"
                       "Schwarzenberg-Liechtenstein, Prinzessin der Vereinigten Lagerhallen";
    l.to.name = name;
    tote_lb_layout *L = NULL;
    REQUIRE_EQ(tote_label_layout(&l, 203, &L, NULL), TOTE_LB_E_OK);
    const tote_lb_item *it = tote_lb_layout_find(L, "to.name");
    REQUIRE(it != NULL);
    CHECK_INT(it->lines, >, 1);
    CHECK_INT(it->font_h, <=, 52);
    /* nothing cut: the lines hold the whole name */
    char *copy = strdup(it->text), *want = strdup(name);
    squeeze(copy);
    squeeze(want);
    CHECK_STR(copy, want);
    free(copy);
    free(want);
    /* every line fits the width by the width model */
    char *t = strdup(it->text);
    for (char *s = strtok(t, "\n"); s; s = strtok(NULL, "\n"))
        CHECK_INT(tote_lb_text_width(s, it->font_h), <=, it->w);
    free(t);
    /* the ZPL block has the computed line count and the breaks */
    char *z = NULL;
    REQUIRE_EQ(tote_zpl_from_layout(L, &z, NULL), TOTE_LB_E_OK);
    char fb[64];
    snprintf(fb, sizeof fb, "^FB%d,%d,", it->w, it->lines);
    CHECK_HAS(z, fb);
    CHECK_HAS(z, "\\&");
    free(z);
    check_inside(L);
    tote_label_layout_destroy(&L);

    /* a single very long word is broken, not cut */
    char word[161];
    memset(word, 'W', 160);
    word[160] = '\0';
    l.to.name = word;
    REQUIRE_EQ(tote_label_layout(&l, 203, &L, NULL), TOTE_LB_E_OK);
    it = tote_lb_layout_find(L, "to.name");
    REQUIRE(it != NULL);
    int ws = 0;
    for (const char *p = it->text; *p; p++)
        ws += *p == 'W';
    CHECK_EQ(ws, 160);
    CHECK_INT(it->lines, >, 1);
    tote_label_layout_destroy(&L);

    /* a long ship-to that fits only when shrunk: every part smaller than preferred */
    l = fixed_label();
    l.to.company = "Internationale Handelsgesellschaft für Lager- und Versandlogistik mbH & Co. KG";
    l.to.line1 = "Industriegebiet Nord, Halle 17, Tor 4, Anlieferung über die Rampe am Ende der Straße";
    l.to.line2 = "c/o Wareneingang, z. Hd. Frau Dr. Annemarie Schmidt-Oberhausen";
    REQUIRE_EQ(tote_label_layout(&l, 203, &L, NULL), TOTE_LB_E_OK);
    CHECK_INT(tote_lb_layout_find(L, "to.name")->font_h, <, 52);
    check_inside(L);
    tote_label_layout_destroy(&L);
}

static void test_fit_error(void)
{
    tote_label l = fixed_label();
    size_t n = 6000;
    char *huge = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        huge[i] = (i % 7 == 6) ? ' ' : 'a' + (char)(i % 26);
    huge[n] = '\0';
    l.to.name = huge;
    tote_lb_layout *L = NULL;
    const char *field = NULL;
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_FIT);
    CHECK(L == NULL);
    CHECK_STR(field, "to.name");
    char *z = (char *)1;
    CHECK_EQ(tote_label_zpl(&l, 300, &z, NULL, &field), TOTE_LB_E_FIT);
    CHECK(z == NULL);
    free(huge);
    /* a tracking number too long for Code 128 on 4 in */
    l = fixed_label();
    l.tracking = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUV";
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_FIT);
    CHECK_STR(field, "tracking");
}

static void test_invalid_input(void)
{
    tote_label l = fixed_label();
    tote_lb_layout *L = NULL;
    const char *field = NULL;
    l.sscc = "106141411234567898"; /* wrong check digit */
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "sscc");
    l.sscc = "10614141123456789";
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    l = fixed_label();
    l.tracking = "LX^XZ";
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "tracking");
    l = fixed_label();
    l.to.city = "M\xC3\xBCnchen\xC3";
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "to.city");
    l = fixed_label();
    l.to.name = "\xED\xA0\x80"; /* a UTF-16 surrogate */
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    l = fixed_label();
    l.order = NULL;
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "order");
    l = fixed_label();
    CHECK_EQ(tote_label_layout(&l, 600, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "dpi");
    l.datamatrix = "ORD~1";
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "datamatrix");
    l = fixed_label();
    l.package_no = 3; /* of 2 */
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    l = fixed_label();
    l.style = TOTE_LABEL_GS1_LOGISTIC;
    l.sscc = NULL; /* the logistic label needs its SSCC */
    CHECK_EQ(tote_label_layout(&l, 203, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "sscc");
    CHECK(L == NULL);
}

static void test_check_digits(void)
{
    CHECK_EQ(tote_gs1_check_digit("0950600013435", 13), 2);
    CHECK_EQ(tote_gs1_check_digit("10614141123456789", 17), 7);
    CHECK_EQ(tote_gs1_check_digit("400638133393", 12), 1);
    CHECK_EQ(tote_gs1_check_digit("03600029145", 11), 2);
    CHECK_EQ(tote_gs1_check_digit("12a4", 4), -1);
    CHECK(tote_sscc_valid("106141411234567897"));
    CHECK(!tote_sscc_valid("106141411234567890"));
    CHECK(!tote_sscc_valid("10614141123456789A"));
    CHECK(!tote_sscc_valid(NULL));
}

/* Tote's Code 128 plan has the same width as zint's symbol, so the ZPL
 * barcode and the preview are the same size. */
static void test_code128_width_matches_zint(void)
{
    const char *values[] = {"LX000000015NL", "1Z999AA10123456784",     "RR123456785IT",    "123456789012",
                            "AB12",          "9400111899223197428490", "JJD0001234567890", "A1B2C3",
                            "00-12345.6/7"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        tote_label l = fixed_label();
        l.tracking = values[i];
        tote_lb_layout *L = NULL;
        REQUIRE_EQ(tote_label_layout(&l, 203, &L, NULL), TOTE_LB_E_OK);
        const tote_lb_item *it = tote_lb_layout_find(L, "tracking");
        REQUIRE(it != NULL);
        struct zint_symbol *z = ZBarcode_Create();
        z->symbology = BARCODE_CODE128;
        REQUIRE_INT(ZBarcode_Encode(z, (const unsigned char *)values[i], (int)strlen(values[i])), <,
                    ZINT_ERROR);
        if (z->width != it->modules)
            tt_fail_msg(__FILE__, __LINE__, "%s: Tote plans %d modules (%s), zint %d", values[i], it->modules,
                        it->zpl_data, z->width);
        ZBarcode_Delete(z);
        tote_label_layout_destroy(&L);
    }
}

static void test_gs1_logistic_label(void)
{
    tote_label l = fixed_label();
    l.style = TOTE_LABEL_GS1_LOGISTIC;
    tote_lb_layout *L = NULL;
    REQUIRE_EQ(tote_label_layout(&l, 203, &L, NULL), TOTE_LB_E_OK);
    const tote_lb_item *g = tote_lb_layout_find(L, "gs1");
    const tote_lb_item *s = tote_lb_layout_find(L, "sscc");
    REQUIRE(g && s);
    CHECK_STR(g->data, "[3303]002350[420]80331");
    CHECK_STR(g->zpl_data, ">;>8330300235042080331"); /* all digits: subset C throughout */
    CHECK_INT(g->y + g->h, <=, s->y);
    CHECK(g->h * 25.4 / 203 >= 32.0);
    CHECK_STR(tote_lb_layout_find(L, "ai.sscc")->text, "(00) 106141411234567897");
    CHECK_STR(tote_lb_layout_find(L, "ai.weight")->text, "2.350");
    CHECK_STR(tote_lb_layout_find(L, "ai.weight.title")->text, "GROSS WEIGHT (kg) (3303)");
    CHECK_STR(tote_lb_layout_find(L, "ai.order")->text, "#1001");
    tote_label_layout_destroy(&L);
}

static void test_text_normalised(void)
{
    tote_label l = fixed_label();
    l.to.name = "  Anna\tSmith\r\nJones  ";
    l.to.line1 = "东京都千代田区丸の内1-1";
    tote_lb_layout *L = NULL;
    REQUIRE_EQ(tote_label_layout(&l, 203, &L, NULL), TOTE_LB_E_OK);
    CHECK_STR(tote_lb_layout_find(L, "to.name")->text, "Anna Smith Jones");
    CHECK_STR(tote_lb_layout_find(L, "to.line1")->text, "东京都千代田区丸の内1-1");
    /* wide characters are planned wider than Latin ones */
    CHECK_INT(tote_lb_text_width("东京", 40), >, tote_lb_text_width("AB", 40));
    tote_label_layout_destroy(&L);
    /* no tracking, no SSCC: a label built from the order alone */
    l = fixed_label();
    l.tracking = NULL;
    l.sscc = "";
    REQUIRE_EQ(tote_label_layout(&l, 203, &L, NULL), TOTE_LB_E_OK);
    CHECK(tote_lb_layout_find(L, "tracking") == NULL);
    CHECK(tote_lb_layout_find(L, "sscc") == NULL);
    CHECK_STR(tote_lb_layout_find(L, "datamatrix")->data, "ORD-#1001/1");
    tote_label_layout_destroy(&L);
}

TT_MAIN(TT_TEST(test_fixed_label_203), TT_TEST(test_fixed_label_300), TT_TEST(test_hostile_names_escaped),
        TT_TEST(test_escape_function), TT_TEST(test_every_field_inside),
        TT_TEST(test_long_name_wraps_and_shrinks), TT_TEST(test_fit_error), TT_TEST(test_invalid_input),
        TT_TEST(test_check_digits), TT_TEST(test_code128_width_matches_zint),
        TT_TEST(test_gs1_logistic_label), TT_TEST(test_text_normalised))
