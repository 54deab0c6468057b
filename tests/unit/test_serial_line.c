/* Plain scanner lines: terminators, AIM prefixes, every chunking, overflow. */
#include "test.h"
#include "tote/serial_line.h"

typedef struct got {
    int n;
    char aim[16][4];
    char text[16][64];
    int too_long;
} got;

static void feed(tote_sline_parser *p, const uint8_t *d, size_t n, got *g)
{
    size_t pos = 0;
    while (pos < n) {
        tote_sline line;
        tote_proto_err e;
        pos += tote_sline_feed(p, d + pos, n - pos, &line, &e);
        if (e == TOTE_PROTO_E_OK && g->n < 16) {
            memcpy(g->aim[g->n], line.aim, 4);
            snprintf(g->text[g->n], sizeof g->text[0], "%.*s", (int)line.len, (const char *)line.data);
            g->n++;
        } else if (e == TOTE_PROTO_E_TOO_LONG) {
            g->too_long++;
        }
    }
}

static void finish(tote_sline_parser *p, got *g)
{
    tote_sline line;
    tote_proto_err e;
    tote_sline_finish(p, &line, &e);
    if (e == TOTE_PROTO_E_OK && g->n < 16) {
        memcpy(g->aim[g->n], line.aim, 4);
        snprintf(g->text[g->n], sizeof g->text[0], "%.*s", (int)line.len, (const char *)line.data);
        g->n++;
    } else if (e == TOTE_PROTO_E_TOO_LONG) {
        g->too_long++;
    }
}

static const struct {
    const char *in;
    int n;
    const char *want[4]; /* "aim|text" */
} cases[] = {
    {"SKU-1\r", 1, {"|SKU-1"}},
    {"SKU-1\r\n", 1, {"|SKU-1"}},
    {"SKU-1\n", 1, {"|SKU-1"}},
    {"A\rB\nC\r\nD", 4, {"|A", "|B", "|C", "|D"}}, /* D comes from finish() */
    {"\r\n\r\n\n\rA\n\n", 1, {"|A"}},
    {"]E00036000291452\r\n", 1, {"]E0|0036000291452"}},
    {"]C1\r", 1, {"]C1|"}}, /* identifier only: an empty scan with a symbology */
    {"]c0lower\r", 1, {"]c0|lower"}},
    {"]1Cx\r", 1, {"|]1Cx"}},
    {"]C-x\r", 1, {"|]C-x"}},
    {"!short 2\r\n", 1, {"|!short 2"}},
    {"\n\rA\r\r\nB", 2, {"|A", "|B"}},
};

static void check_case(size_t i, const got *g)
{
    if (g->n != cases[i].n) {
        tt_fail_msg(__FILE__, __LINE__, "case %zu: %d lines, want %d", i, g->n, cases[i].n);
        return;
    }
    for (int k = 0; k < g->n; k++) {
        char buf[80];
        snprintf(buf, sizeof buf, "%s|%s", g->aim[k], g->text[k]);
        CHECK_STR(buf, cases[i].want[k]);
    }
}

static void test_cases_whole_and_split_everywhere(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const uint8_t *in = (const uint8_t *)cases[i].in;
        size_t n = strlen(cases[i].in);
        for (size_t split = 0; split <= n; split++) {
            tote_sline_parser p;
            tote_sline_init(&p);
            got g = {0};
            feed(&p, in, split, &g);
            feed(&p, in + split, n - split, &g);
            finish(&p, &g);
            check_case(i, &g);
        }
        /* byte by byte */
        tote_sline_parser p;
        tote_sline_init(&p);
        got g = {0};
        for (size_t k = 0; k < n; k++)
            feed(&p, in + k, 1, &g);
        finish(&p, &g);
        check_case(i, &g);
    }
}

static void test_aim_len(void)
{
    CHECK_EQ(tote_sline_aim_len((const uint8_t *)"]C1x", 4), 3);
    CHECK_EQ(tote_sline_aim_len((const uint8_t *)"]C1", 3), 3);
    CHECK_EQ(tote_sline_aim_len((const uint8_t *)"]C", 2), 0);
    CHECK_EQ(tote_sline_aim_len((const uint8_t *)"]Q3", 3), 3);
    CHECK_EQ(tote_sline_aim_len((const uint8_t *)"]EA", 3), 3);
    CHECK_EQ(tote_sline_aim_len((const uint8_t *)"]]1", 3), 0);
    CHECK_EQ(tote_sline_aim_len((const uint8_t *)"x]C1", 4), 0);
    CHECK_EQ(tote_sline_aim_len(NULL, 3), 0);
}

static void test_overflow_is_reported_once_and_next_line_is_whole(void)
{
    tote_sline_parser p;
    tote_sline_init(&p);
    static uint8_t big[TOTE_SLINE_MAX + 100];
    memset(big, 'x', sizeof big);
    got g = {0};
    feed(&p, big, sizeof big, &g);
    feed(&p, (const uint8_t *)"\r\nOK\r\n", 6, &g);
    CHECK_EQ(g.too_long, 1);
    REQUIRE_EQ(g.n, 1);
    CHECK_STR(g.text[0], "OK");
    /* overflow pending at end of input */
    feed(&p, big, sizeof big, &g);
    finish(&p, &g);
    CHECK_EQ(g.too_long, 2);
    /* a line of exactly the maximum is fine */
    got g2 = {0};
    feed(&p, big, TOTE_SLINE_MAX, &g2);
    tote_sline line;
    tote_proto_err e;
    tote_sline_feed(&p, (const uint8_t *)"\n", 1, &line, &e);
    CHECK_EQ(e, TOTE_PROTO_E_OK);
    CHECK_EQ(line.len, TOTE_SLINE_MAX);
}

static void test_line_stays_valid_until_next_call(void)
{
    tote_sline_parser p;
    tote_sline_init(&p);
    tote_sline line;
    tote_proto_err e;
    const uint8_t *in = (const uint8_t *)"FIRST\nSECOND\n";
    size_t used = tote_sline_feed(&p, in, 13, &line, &e);
    REQUIRE_EQ(e, TOTE_PROTO_E_OK);
    CHECK_EQ(used, 6);
    CHECK_MEM(line.data, line.len, "FIRST", 5);
    used += tote_sline_feed(&p, in + used, 13 - used, &line, &e);
    REQUIRE_EQ(e, TOTE_PROTO_E_OK);
    CHECK_MEM(line.data, line.len, "SECOND", 6);
    CHECK_EQ(used, 13);
    tote_sline_finish(&p, &line, &e);
    CHECK_EQ(e, TOTE_PROTO_E_INCOMPLETE);
}

TT_MAIN(TT_TEST(test_cases_whole_and_split_everywhere), TT_TEST(test_aim_len),
        TT_TEST(test_overflow_is_reported_once_and_next_line_is_whole),
        TT_TEST(test_line_stays_valid_until_next_call))
