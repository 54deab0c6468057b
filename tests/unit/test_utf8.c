/* UTF-8 (tote/utf8.h): well-formed sequences at each length and range edge,
 * and every kind of ill-formed one (RFC 3629 section 4, Unicode table 3-7). */
#include "test.h"
#include "tote/utf8.h"

static const struct {
    const char *bytes; /* the sequence, NUL-terminated */
    size_t n;          /* bytes given to the decoder (the sequence's length unless cut) */
    int len;           /* what tote_utf8_decode returns: 0 = ill-formed */
    uint32_t cp;
} vectors[] = {
    {"A", 1, 1, 0x41},
    {"\x7F", 1, 1, 0x7F},
    {"\xC2\x80", 2, 2, 0x80},             /* first two-byte */
    {"\xC3\xA9", 2, 2, 0xE9},             /* é */
    {"\xDF\xBF", 2, 2, 0x7FF},            /* last two-byte */
    {"\xE0\xA0\x80", 3, 3, 0x800},        /* first three-byte */
    {"\xE2\x82\xAC", 3, 3, 0x20AC},       /* € */
    {"\xED\x9F\xBF", 3, 3, 0xD7FF},       /* just below the surrogates */
    {"\xEE\x80\x80", 3, 3, 0xE000},       /* just above them */
    {"\xEF\xBF\xBF", 3, 3, 0xFFFF},       /* last three-byte */
    {"\xF0\x90\x80\x80", 4, 4, 0x10000},  /* first four-byte */
    {"\xF0\x9F\x93\xA6", 4, 4, 0x1F4E6},  /* a package */
    {"\xF4\x8F\xBF\xBF", 4, 4, 0x10FFFF}, /* the last code point */
    {"\xC3\xA9xyz", 5, 2, 0xE9},          /* only the first code point */
    {"\x80", 1, 0, 0},                    /* a continuation byte alone */
    {"\xBF", 1, 0, 0},                    /* another */
    {"\xC0\xAF", 2, 0, 0},                /* overlong '/' */
    {"\xC1\xBF", 2, 0, 0},                /* overlong */
    {"\xE0\x9F\xBF", 3, 0, 0},            /* overlong three-byte */
    {"\xF0\x8F\xBF\xBF", 4, 0, 0},        /* overlong four-byte */
    {"\xED\xA0\x80", 3, 0, 0},            /* surrogate U+D800 */
    {"\xED\xBF\xBF", 3, 0, 0},            /* surrogate U+DFFF */
    {"\xF4\x90\x80\x80", 4, 0, 0},        /* U+110000 */
    {"\xF5\x80\x80\x80", 4, 0, 0},        /* F5..FF never start a sequence */
    {"\xFF", 1, 0, 0},
    {"\xC3", 1, 0, 0},             /* cut short */
    {"\xE2\x82", 2, 0, 0},         /* cut short */
    {"\xE2\x82\xAC", 2, 0, 0},     /* cut by n */
    {"\xF0\x9F\x93", 3, 0, 0},     /* cut short */
    {"\xC3\x28", 2, 0, 0},         /* second byte not a continuation */
    {"\xE2\x28\xA1", 3, 0, 0},     /* second byte */
    {"\xE2\x82\x28", 3, 0, 0},     /* third byte */
    {"\xF0\x9F\x93\x28", 4, 0, 0}, /* fourth byte */
    {"\xE2\x82", 3, 0, 0},         /* the NUL after a cut sequence */
};

static void test_decode_vectors(void)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const unsigned char *s = (const unsigned char *)vectors[i].bytes;
        uint32_t cp = 0xDEAD;
        int len = tote_utf8_decode(s, vectors[i].n, &cp);
        TT_CHECK_(len == vectors[i].len, TT_NOTHING, "vector %zu: length %d, want %d", i, len,
                  vectors[i].len);
        if (vectors[i].len > 0)
            TT_CHECK_(cp == vectors[i].cp, TT_NOTHING, "vector %zu: U+%04X, want U+%04X", i, (unsigned)cp,
                      (unsigned)vectors[i].cp);
        else
            TT_CHECK_(cp == 0xDEAD, TT_NOTHING, "vector %zu: *cp written on an ill-formed sequence", i);
        /* as a whole text: the well-formed vectors are followed by ASCII only */
        TT_CHECK_(tote_utf8_valid(s, vectors[i].n) == (vectors[i].len > 0), TT_NOTHING,
                  "vector %zu: validity", i);
    }
    uint32_t cp;
    CHECK_EQ(tote_utf8_decode((const unsigned char *)"A", 0, &cp), 0); /* nothing to decode */
}

static void test_valid_texts(void)
{
    static const struct {
        const char *text;
        size_t n;
        int valid;
    } t[] = {
        {"", 0, 1},
        {"plain ASCII, 1234", 17, 1},
        {"Cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
         "e \xE2\x82\xAC 4 \xF0\x9F\x93\xA6",
         26, 1},
        {"a\0b", 3, 1},                     /* NUL bytes are characters */
        {"Cr\xE8me", 5, 0},                 /* Windows-1252 è */
        {"ok \xC3\xA9 then \xC3", 13, 0},   /* cut at the end */
        {"\xED\xA0\x80\xED\xB0\x80", 6, 0}, /* a surrogate pair in CESU-8 */
        {"\xEF\xBB\xBFhead", 7, 1},         /* a BOM is a character here */
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        TT_CHECK_(tote_utf8_valid((const unsigned char *)t[i].text, t[i].n) == t[i].valid, TT_NOTHING,
                  "text %zu: want %d", i, t[i].valid);
}

TT_MAIN(TT_TEST(test_decode_vectors), TT_TEST(test_valid_texts))
