/* Import building blocks: SHA-256, field parsers, the orders-json schema.
 * tote_import_file() on a real store: test_import_store.c. */
#include <sqlite3.h>

#include "../../station/src/import_internal.h"
#include "support.h"
#include "test.h"
#include "tote/catalog.h"
#include "tote/import.h"
#include "tote/orders.h"
#include "tote/stock.h"

static void sha_hex(const void *data, size_t n, char out[65])
{
    tote_sha256 c;
    tote_sha256_init(&c);
    tote_sha256_update(&c, data, n);
    uint8_t d[32];
    tote_sha256_final(&c, d);
    tote_sha256_hex(d, out);
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf"). */
static void test_sha256_fips_vectors(void)
{
    char h[65];
    sha_hex("abc", 3, h);
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_hex("", 0, h);
    CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m2 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha_hex(m2, strlen(m2), h);
    CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in uneven pieces */
    tote_sha256 c;
    tote_sha256_init(&c);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    for (size_t k = 1; left; k = k % 997 + 1) {
        size_t n = k < left ? k : left;
        tote_sha256_update(&c, a, n);
        left -= n;
    }
    uint8_t d[32];
    tote_sha256_final(&c, d);
    tote_sha256_hex(d, h);
    CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    /* 55, 56 and 64 bytes: the padding edges */
    char b[64];
    memset(b, 'b', sizeof b);
    sha_hex(b, 55, h);
    CHECK_STR(h, "eb2c86e932179f4ba13fe8715a26124b77d6bad290b9b4c1cc140cf633300c19");
    sha_hex(b, 56, h);
    CHECK_STR(h, "a5fc6e203a4c2b657d0d153885932414b2ffc6a93f0f8bf8b3183315e5a7212c");
    sha_hex(b, 64, h);
    CHECK_STR(h, "a0fab1377f49a759b57f63318262ebe89fabfc990e8e93ceac2984561482b9d4");
}

static void test_parse_money(void)
{
    long long c = 0;
    CHECK_EQ(tote_import_parse_money("12.50", &c), 0);
    CHECK_EQ(c, 1250);
    CHECK_EQ(tote_import_parse_money(" 12.5 ", &c), 0);
    CHECK_EQ(c, 1250);
    CHECK_EQ(tote_import_parse_money("12", &c), 0);
    CHECK_EQ(c, 1200);
    CHECK_EQ(tote_import_parse_money("-3.05", &c), 0);
    CHECK_EQ(c, -305);
    CHECK_EQ(tote_import_parse_money("0.990", &c), 0);
    CHECK_EQ(c, 99);
    CHECK_EQ(tote_import_parse_money(".5", &c), 0);
    CHECK_EQ(c, 50);
    CHECK_EQ(tote_import_parse_money("", &c), 1);
    CHECK_EQ(tote_import_parse_money("12.505", &c), -1);
    CHECK_EQ(tote_import_parse_money("1,234.56", &c), -1);
    CHECK_EQ(tote_import_parse_money("9,50", &c), 0); /* a decimal comma */
    CHECK_EQ(c, 950);
    CHECK_EQ(tote_import_parse_money("9,5", &c), 0);
    CHECK_EQ(c, 950);
    CHECK_EQ(tote_import_parse_money("1,234", &c), -1); /* thousands, not cents */
    CHECK_EQ(tote_import_parse_money("1,2,3", &c), -1);
    CHECK_EQ(tote_import_parse_money(",50", &c), -1);
    CHECK_EQ(tote_import_parse_money("$5", &c), -1);
    CHECK_EQ(tote_import_parse_money("abc", &c), -1);
    CHECK_EQ(tote_import_parse_money(".", &c), -1);
    CHECK_EQ(tote_import_parse_money("99999999999999999999", &c), -1);
}

static void test_parse_int_and_bool(void)
{
    long long v = 0;
    CHECK_EQ(tote_import_parse_int("3", &v), 0);
    CHECK_EQ(v, 3);
    CHECK_EQ(tote_import_parse_int(" -2 ", &v), 0);
    CHECK_EQ(v, -2);
    CHECK_EQ(tote_import_parse_int("3.0", &v), 0);
    CHECK_EQ(v, 3);
    CHECK_EQ(tote_import_parse_int("3.5", &v), -1);
    CHECK_EQ(tote_import_parse_int("two", &v), -1);
    CHECK_EQ(tote_import_parse_int("", &v), 1);
    CHECK_EQ(tote_import_parse_int("99999999999999999999", &v), -1);
    int b = -1;
    CHECK_EQ(tote_import_parse_bool("TRUE", &b), 0);
    CHECK_EQ(b, 1);
    CHECK_EQ(tote_import_parse_bool("false", &b), 0);
    CHECK_EQ(b, 0);
    CHECK_EQ(tote_import_parse_bool("yes", &b), 0);
    CHECK_EQ(b, 1);
    CHECK_EQ(tote_import_parse_bool("", &b), 1);
    CHECK_EQ(tote_import_parse_bool("maybe", &b), -1);
}

/* --location's comparison: case ignored beyond ASCII too. */
static void test_utf8_casecmp(void)
{
    static const struct {
        const char *a, *b;
        int same;
    } t[] = {
        {"Lager M\xC3\xBCnchen", "LAGER M\xC3\x9CNCHEN", 1},   /* ü Ü */
        {"\xC3\x89tag\xC3\xA8re", "\xC3\xA9TAG\xC3\x88RE", 1}, /* É é, è È */
        {"\xC5\x81\xC3\xB3"
         "d\xC5\xBA",
         "\xC5\x82\xC3\x93"
         "D\xC5\xB9",
         1}, /* Ł ł, ó Ó, ź Ź */
        {"\xD0\x9C\xD0\xBE\xD1\x81\xD0\xBA\xD0\xB2\xD0\xB0",
         "\xD0\xBC\xD0\x9E\xD0\xA1\xD0\x9A\xD0\x92\xD0\x90", 1}, /* Москва */
        {"\xCE\x91\xCE\xB8\xCE\xAE\xCE\xBD\xCE\xB1", "\xCE\xB1\xCE\x98\xCE\xAE\xCE\x9D\xCE\x91",
         1}, /* Αθήνα */
        {"pop-up store", "Pop-up Store", 1},
        {"Main", "Mains", 0},
        {"M\xC3\xBCnchen", "Munchen", 0},
        {"\xC3\x97", "\xC3\xB7", 0}, /* × is not ÷'s capital */
        {"", "", 1},
        {"a\xFF", "A\xFF", 1}, /* a stray byte stands for itself */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if ((imp_utf8_casecmp(t[i].a, t[i].b) == 0) != t[i].same)
            fprintf(stderr, "case %zu\n", i);
        CHECK_EQ(imp_utf8_casecmp(t[i].a, t[i].b) == 0, t[i].same);
    }
}

/* Collected at the counter, or shipped to a carrier's pickup point. */
static void test_pickup_or_pickup_point(void)
{
    static const struct {
        const char *tags, *method;
        int pickup;
    } t[] = {
        {"", "Local Pickup", 1},
        {"", "Pick up in store", 1},
        {"", "Click & Collect", 1},
        {"vip, Pickup", "Standard", 1},
        {"", "DPD Pickup Parcelshop", 0},
        {"", "UPS Access Point (pickup)", 0},
        {"", "PostNL pick-up point", 0},
        {"", "Express (no pickup point)", 0},
        {"", "InPost locker pickup", 0},
        {"", "DHL Packstation pick up", 0},
        {"", "Standard", 0},
        {"", NULL, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (imp_pickup(t[i].tags, t[i].method) != t[i].pickup)
            fprintf(stderr, "imp_pickup('%s', '%s')\n", t[i].tags, t[i].method ? t[i].method : "(null)");
        CHECK_EQ(imp_pickup(t[i].tags, t[i].method), t[i].pickup);
    }
}

/* Decimals to whole units at a scale, rounded half up. */
static void test_parse_decimal(void)
{
    static const struct {
        const char *text;
        int places, rc;
        long long v;
    } t[] = {
        {"453.59237", 0, 0, 454},
        {"453.49", 0, 0, 453},
        {"120.5", 0, 0, 121},
        {"1000,4", 0, 0, 1000},
        {"12.999", 2, 0, 1300},
        {"12.994", 2, 0, 1299},
        {"59.000000", 2, 0, 5900},
        {"7", 2, 0, 700},
        {"0.005", 2, 0, 1},
        {"+3.1", 1, 0, 31},
        {"", 0, 1, 0},
        {"-1", 0, -1, 0},
        {"1.2.3", 0, -1, 0},
        {"1e3", 0, -1, 0},
        {".", 0, -1, 0},
        {"99999999999999999999", 0, -1, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        long long v = -7;
        int rc = tote_import_parse_decimal(t[i].text, t[i].places, &v);
        if (rc != t[i].rc || (rc == 0 && v != t[i].v))
            fprintf(stderr, "parse_decimal('%s', %d) = %d, %lld\n", t[i].text, t[i].places, rc, v);
        CHECK_EQ(rc, t[i].rc);
        if (t[i].rc == 0)
            CHECK_EQ(v, t[i].v);
    }
}

/* Quantities: 1..TOTE_QTY_MAX; larger ones say so, however many digits. */
static void test_parse_qty(void)
{
    static const struct {
        const char *text;
        int rc;
        long long v;
    } t[] = {
        {"1", 0, 1},
        {" 12 ", 0, 12},
        {"+7", 0, 7},
        {"3.00", 0, 3},
        {"1000000000", 0, 1000000000LL},
        {"1000000001", -2, 0},
        {"4294967297", -2, 0},
        {"9000000000000000000", -2, 0},
        {"9223372036854775807", -2, 0},
        {"99999999999999999999999", -2, 0},
        {"99999999999999999999999.0", -2, 0},
        {"0", -1, 0},
        {"-3", -1, 0},
        {"-99999999999999999999999", -1, 0},
        {"2.5", -1, 0},
        {"lots", -1, 0},
        {"", -1, 0},
        {"12x", -1, 0},
        {"99999999999999999999999x", -1, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        long long v = 0;
        int rc = tote_import_parse_qty(t[i].text, &v);
        if (rc != t[i].rc)
            fprintf(stderr, "parse_qty('%s')\n", t[i].text);
        CHECK_EQ(rc, t[i].rc);
        if (t[i].rc == 0)
            CHECK_EQ(v, t[i].v);
    }
}

static void test_parse_time(void)
{
    char t[32];
    CHECK_EQ(tote_import_parse_time("2024-03-01 10:22:11 +0100", t), 0);
    CHECK_STR(t, "2024-03-01T09:22:11.000Z");
    CHECK_EQ(tote_import_parse_time("2024-03-01T10:22:11-05:30", t), 0);
    CHECK_STR(t, "2024-03-01T15:52:11.000Z");
    CHECK_EQ(tote_import_parse_time("2024-03-01T00:30:00.25+01:00", t), 0);
    CHECK_STR(t, "2024-02-29T23:30:00.250Z"); /* across a leap day */
    CHECK_EQ(tote_import_parse_time("2024-12-31 23:59:59 -1000", t), 0);
    CHECK_STR(t, "2025-01-01T09:59:59.000Z");
    CHECK_EQ(tote_import_parse_time("2024-03-01 10:22", t), 0);
    CHECK_STR(t, "2024-03-01T10:22:00.000Z");
    CHECK_EQ(tote_import_parse_time("2024-03-01", t), 0);
    CHECK_STR(t, "2024-03-01T00:00:00.000Z");
    CHECK_EQ(tote_import_parse_time("2024-03-01T10:22:11Z", t), 0);
    CHECK_STR(t, "2024-03-01T10:22:11.000Z");
    CHECK_EQ(tote_import_parse_time("", t), 1);
    CHECK_EQ(tote_import_parse_time("2023-02-29 10:00:00", t), -1);
    CHECK_EQ(tote_import_parse_time("2024-13-01", t), -1);
    CHECK_EQ(tote_import_parse_time("2024-03-01 25:00:00", t), -1);
    CHECK_EQ(tote_import_parse_time("03/01/2024", t), -1);
    CHECK_EQ(tote_import_parse_time("2024-03-01 10:22:11 +0100 trailing", t), -1);
    CHECK_EQ(tote_import_parse_time("9999-12-31T23:00:00-05:00", t), -1);
    char d[11];
    CHECK_EQ(tote_import_parse_date("2027-01-31", d), 0);
    CHECK_STR(d, "2027-01-31");
    CHECK_EQ(tote_import_parse_date("2027-02-30", d), -1);
    CHECK_EQ(tote_import_parse_date("2027-1-3", d), -1);
}

static void test_parse_barcode(void)
{
    char code[65], why[200];
    CHECK_EQ(tote_import_parse_barcode("4006381333931", code, why, sizeof why), 0);
    CHECK_STR(code, "04006381333931");
    CHECK_EQ(tote_import_parse_barcode("036000291452", code, why, sizeof why), 0); /* UPC-A */
    CHECK_STR(code, "00036000291452");
    CHECK_EQ(tote_import_parse_barcode("96385074", code, why, sizeof why), 0); /* EAN-8 */
    CHECK_STR(code, "00000096385074");
    CHECK_EQ(tote_import_parse_barcode("'4006381333931", code, why, sizeof why), 0);
    CHECK_STR(code, "04006381333931");
    CHECK_EQ(tote_import_parse_barcode("ACME-00042", code, why, sizeof why), 0);
    CHECK_STR(code, "ACME-00042");
    CHECK_EQ(tote_import_parse_barcode("  ", code, why, sizeof why), 1);
    CHECK_EQ(tote_import_parse_barcode("4006381333932", code, why, sizeof why), -1);
    CHECK_HAS(why, "check digit");
    CHECK_HAS(why, "should be 1");
    CHECK_EQ(tote_import_parse_barcode("4.00638E+12", code, why, sizeof why), -1);
    CHECK_HAS(why, "scientific notation");
    CHECK_EQ(tote_import_parse_barcode("36000291452", code, why, sizeof why), -1);
    CHECK_HAS(why, "11 digits");
    CHECK_EQ(tote_import_parse_barcode("AB C", code, why, sizeof why), -1);
    /* eight digits: EAN-8, or UPC-E when only its check digit holds; both: EAN-8, UPC-E the alternate */
    char alt[15];
    CHECK_EQ(tote_import_parse_barcode("04252614", code, why, sizeof why), 0);
    CHECK_STR(code, "00042100005264");
    CHECK_EQ(tote_import_barcode_upce_alt("04252614", alt), 0);
    CHECK_EQ(tote_import_parse_barcode("01234565", code, why, sizeof why), 0);
    CHECK_STR(code, "00000001234565");
    CHECK_EQ(tote_import_barcode_upce_alt("'01234565", alt), 1);
    CHECK_STR(alt, "00012345000065");
    CHECK_EQ(tote_import_barcode_upce_alt("96385074", alt), 0); /* number system 9: no UPC-E */
    CHECK_EQ(tote_import_parse_barcode("04252615", code, why, sizeof why), -1);
    CHECK_HAS(why, "no UPC-E either");
    CHECK_EQ(tote_import_parse_barcode("0000000000000", code, why, sizeof why), -1);
    CHECK_HAS(why, "all zeros");
    CHECK_EQ(tote_import_parse_barcode("00000000", code, why, sizeof why), -1);
    CHECK_EQ(tote_import_parse_barcode("0", code, why, sizeof why), -1);
}

struct seen {
    int valid, invalid;
    char names[16][64];
    char errors[16][200];
    int cod[16], rush[16], pickup[16];
    long long total[16], price0[16], qty0[16];
    size_t lines[16];
    int ship1[16], fulfilled[16];
    char ref[16][32], country[16][8], province[16][8], ship_name[16][32], method[16][40];
};

static int collect(void *ud, size_t index, const char *name, const struct tote_order_in *o, const char *error)
{
    struct seen *s = ud;
    if (index >= 16)
        return 1;
    snprintf(s->names[index], sizeof s->names[index], "%s", name ? name : "(none)");
    if (o) {
        s->valid++;
        s->cod[index] = o->cod;
        s->rush[index] = o->rush;
        s->pickup[index] = o->pickup;
        s->total[index] = o->total_cents;
        s->lines[index] = o->line_count;
        s->price0[index] = o->lines[0].price_cents;
        s->qty0[index] = o->lines[0].qty;
        s->ship1[index] = o->line_count > 1 ? o->lines[1].requires_shipping : -1;
        s->fulfilled[index] = o->fulfilled_upstream;
        snprintf(s->ref[index], sizeof s->ref[index], "%s", o->external_ref ? o->external_ref : "");
        snprintf(s->country[index], sizeof s->country[index], "%s", o->ship_country ? o->ship_country : "");
        snprintf(s->province[index], sizeof s->province[index], "%s",
                 o->ship_province ? o->ship_province : "");
        snprintf(s->ship_name[index], sizeof s->ship_name[index], "%s", o->ship_name ? o->ship_name : "");
        snprintf(s->method[index], sizeof s->method[index], "%s", o->payment_method ? o->payment_method : "");
    } else {
        s->invalid++;
        snprintf(s->errors[index], sizeof s->errors[index], "%s", error);
    }
    return 0;
}

static void test_orders_json_schema(void)
{
    size_t n = 0;
    char *text = tt_read_file(tt_src("tests/data/import/orders.json"), &n);
    REQUIRE(text != NULL);
    struct seen s = {0};
    char *err = NULL;
    CHECK_EQ(tote_orders_json_parse(text, n, collect, &s, &err), TOTE_ST_E_OK);
    CHECK(err == NULL);
    CHECK_EQ(s.valid, 4); /* the duplicate name is the importer's business */
    CHECK_EQ(s.invalid, 6);
    CHECK_STR(s.names[0], "AMZ-113-0000001");
    CHECK_EQ(s.total[0], 3490);
    CHECK_EQ(s.lines[0], 2);
    CHECK_EQ(s.price0[0], 1990);
    CHECK_EQ(s.cod[1], 1); /* "Cash on Delivery" */
    CHECK_EQ(s.rush[1], 1);
    CHECK_EQ(s.price0[1], 1800);
    CHECK_EQ(s.pickup[2], 1);
    CHECK_EQ(s.price0[2], -1);
    CHECK_STR(s.names[3], "(none)");
    CHECK_HAS(s.errors[3], "name is missing");
    CHECK_HAS(s.errors[4], "lines[0].qty must be a whole number from 1");
    CHECK_HAS(s.errors[5], "lines is empty");
    CHECK_HAS(s.errors[6], "lines[0].price must be an amount");
    CHECK_HAS(s.errors[7], "ordered_at '03/01/2024' is not a date and time");
    CHECK_HAS(s.errors[9], "the order must be an object");
    free(text);
}

/* Shopify's Admin API order JSON in the same command: line_items, quantity,
 * fulfillable_quantity, financial_status, payment_gateway_names, the
 * address's codes; an order fulfilled upstream is flagged to be skipped. */
static void test_orders_json_shopify_api(void)
{
    size_t n = 0;
    char *text = tt_read_file(tt_src("tests/data/import/orders_shopify_api.json"), &n);
    REQUIRE(text != NULL);
    struct seen s = {0};
    char *err = NULL;
    CHECK_EQ(tote_orders_json_parse(text, n, collect, &s, &err), TOTE_ST_E_OK);
    CHECK(err == NULL);
    CHECK_EQ(s.valid, 3);
    CHECK_EQ(s.invalid, 1);
    CHECK_STR(s.names[0], "#2001");
    CHECK_STR(s.ref[0], "5512345678901");
    CHECK_EQ(s.total[0], 4500);
    CHECK_EQ(s.lines[0], 3);
    CHECK_EQ(s.qty0[0], 2);  /* 3 ordered, 1 already fulfilled: 2 left to pick */
    CHECK_EQ(s.ship1[0], 0); /* the fulfilled line is recorded, not shipped */
    CHECK_EQ(s.price0[0], 1000);
    CHECK_STR(s.country[0], "US");
    CHECK_STR(s.province[0], "MA");
    CHECK_STR(s.method[0], "shopify_payments");
    CHECK_EQ(s.fulfilled[0], 0);
    CHECK_EQ(s.cod[1], 1);    /* "Cash on Delivery (COD)" */
    CHECK_EQ(s.rush[1], 1);   /* tags "vip, Rush" */
    CHECK_EQ(s.pickup[1], 1); /* "Click & Collect" */
    CHECK_EQ(s.rush[0], 0);
    CHECK_EQ(s.pickup[0], 0);
    CHECK_STR(s.ship_name[1], "Jo Martin");
    CHECK_EQ(s.fulfilled[2], 1);
    CHECK_HAS(s.errors[3], "line_items[0].sku is missing");
    free(text);

    /* one order, as a webhook or GET /orders/ID.json sends it */
    const char *one = "{\"order\": {\"id\": 9, \"name\": \"#9\", \"financial_status\": \"paid\", "
                      "\"line_items\": [{\"sku\": \"A\", \"quantity\": 2}]}}";
    struct seen s1 = {0};
    CHECK_EQ(tote_orders_json_parse(one, strlen(one), collect, &s1, &err), TOTE_ST_E_OK);
    CHECK_EQ(s1.valid, 1);
    CHECK_EQ(s1.qty0[0], 2);
    CHECK_STR(s1.ref[0], "9");
    const char *badq =
        "{\"orders\": [{\"name\": \"#8\", \"line_items\": [{\"sku\": \"A\", \"quantity\": 0}]}]}";
    struct seen s2 = {0};
    CHECK_EQ(tote_orders_json_parse(badq, strlen(badq), collect, &s2, &err), TOTE_ST_E_OK);
    CHECK_EQ(s2.invalid, 1);
    CHECK_HAS(s2.errors[0], "line_items[0].quantity must be a whole number from 1");
}

static void test_orders_json_document_errors(void)
{
    struct seen s = {0};
    char *err = NULL;
    const char *bad = "{\n  \"orders\": [\n    {\"name\": \"x\",}\n  ]\n}";
    CHECK_EQ(tote_orders_json_parse(bad, strlen(bad), collect, &s, &err), TOTE_ST_E_INVALID);
    CHECK_HAS(err, "not valid JSON (line 3");
    free(err);
    err = NULL;
    CHECK_EQ(tote_orders_json_parse("[1,2]", 5, collect, &s, &err), TOTE_ST_E_INVALID);
    CHECK_HAS(err, "top level must be an object");
    free(err);
    err = NULL;
    CHECK_EQ(tote_orders_json_parse("{\"order\": []}", 13, collect, &s, &err), TOTE_ST_E_INVALID);
    CHECK_HAS(err, "no \"orders\" array");
    free(err);
    err = NULL;
    CHECK_EQ(tote_orders_json_parse("{\"version\": 2, \"orders\": []}", 28, collect, &s, &err),
             TOTE_ST_E_INVALID);
    CHECK_HAS(err, "version");
    free(err);
    err = NULL;
    const char *bom = "\xEF\xBB\xBF{\"orders\": []}";
    CHECK_EQ(tote_orders_json_parse(bom, strlen(bom), collect, &s, &err), TOTE_ST_E_OK);
    CHECK_EQ(s.valid + s.invalid, 0);
    /* a NUL escape would cut a string short (a SKU "BK-1\u0000X" read as
       "BK-1"): the document is refused; an escaped backslash before "u0000"
       is only text */
    const char *nul = "{\"orders\": [{\"name\": \"N-3\", \"payment\": {\"status\": \"paid\"},\n"
                      "  \"lines\": [{\"sku\": \"BK-1\\u0000X\", \"qty\": 1}]}]}";
    CHECK_EQ(tote_orders_json_parse(nul, strlen(nul), collect, &s, &err), TOTE_ST_E_INVALID);
    CHECK_HAS(err, "NUL character (\\u0000) in a string (line 2, column 26)");
    free(err);
    err = NULL;
    CHECK_EQ(s.valid + s.invalid, 0);
    const char *lit = "{\"orders\": [{\"name\": \"a\\\\u0000\", \"lines\": [{\"sku\": \"S\", \"qty\": 1}]}]}";
    CHECK_EQ(tote_orders_json_parse(lit, strlen(lit), collect, &s, &err), TOTE_ST_E_OK);
    CHECK_STR(s.names[0], "a\\u0000");
    memset(&s, 0, sizeof s);
}

/* Shopify's ids have up to 19 digits (820982911946154508 in its own
 * documentation): kept digit for digit, never rounded through a double; an
 * id that is not a whole number is refused; whole numbers that long
 * elsewhere are refused where a number is needed, strings or not. */
static void test_orders_json_long_ids(void)
{
    struct seen s = {0};
    char *err = NULL;
    const char *doc =
        "{\"orders\":[{\"id\":820982911946154508,\"name\":\"#1001\",\"created_at\":\"2024-03-06T10:00:00Z\","
        "\"financial_status\":\"paid\",\"line_items\":[{\"id\":466157049123456789,\"sku\":\"BK-1\","
        "\"quantity\":1}]},"
        "{\"id\":5512345678901,\"name\":\"#1002\",\"created_at\":\"2024-03-06T10:00:00Z\","
        "\"financial_status\":\"paid\",\"line_items\":[{\"sku\":\"BK-1\",\"quantity\":1}]},"
        "{\"id\":1.5,\"name\":\"#1003\",\"created_at\":\"2024-03-06T10:00:00Z\","
        "\"financial_status\":\"paid\",\"line_items\":[{\"sku\":\"BK-1\",\"quantity\":1}]},"
        "{\"id\":\"gid-7\",\"name\":\"#1004\",\"created_at\":\"2024-03-06T10:00:00Z\","
        "\"financial_status\":\"paid\",\"line_items\":[{\"sku\":\"BK-1\",\"quantity\":12345678901234567}]}"
        "]}";
    CHECK_EQ(tote_orders_json_parse(doc, strlen(doc), collect, &s, &err), TOTE_ST_E_OK);
    CHECK(err == NULL);
    CHECK_EQ(s.valid, 2);
    CHECK_STR(s.ref[0], "820982911946154508");
    CHECK_STR(s.ref[1], "5512345678901");
    CHECK_HAS(s.errors[2], "id must be a whole number or a string");
    CHECK_HAS(s.errors[3], "line_items[0].quantity must be a whole number");
}

TT_MAIN(TT_TEST(test_sha256_fips_vectors), TT_TEST(test_parse_money), TT_TEST(test_parse_int_and_bool),
        TT_TEST(test_parse_qty), TT_TEST(test_parse_decimal), TT_TEST(test_pickup_or_pickup_point),
        TT_TEST(test_utf8_casecmp), TT_TEST(test_parse_time), TT_TEST(test_parse_barcode),
        TT_TEST(test_orders_json_schema), TT_TEST(test_orders_json_shopify_api),
        TT_TEST(test_orders_json_document_errors), TT_TEST(test_orders_json_long_ids))
