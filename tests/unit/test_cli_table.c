/*
 * The table every `tote` listing prints (tote_cli_table_*, station/src/cli_util.c): columns as wide as
 * their content in characters (UTF-8 code points, not bytes), numbers right-aligned, a long text cut with
 * '~' at TOTE_CLI_TABLE_MAX except in the last column, no line ending in spaces.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "tote/cli.h"

/* What print writes for t with indent; *rc gets its result. The caller frees. */
static char *printed(const tote_cli_table *t, const char *indent, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    *rc = tote_cli_table_print(t, f, indent);
    fclose(f);
    return buf;
}

static void test_text_width_counts_characters(void)
{
    CHECK_EQ(tote_cli_text_width(NULL), 0);
    CHECK_EQ(tote_cli_text_width(""), 0);
    CHECK_EQ(tote_cli_text_width("A-1"), 3);
    CHECK_EQ(tote_cli_text_width("Gr\xC3\xB6\xC3\x9F"
                                 "e"),
             5);                                              /* Größe: 7 bytes */
    CHECK_EQ(tote_cli_text_width("\xE2\x80\x94"), 1);         /* an em dash: 3 bytes */
    CHECK_EQ(tote_cli_text_width("\xF0\x9F\x93\xA6 box"), 5); /* a 4-byte character */
}

static void test_columns_fit_the_longest_value(void)
{
    tote_cli_table *t = tote_cli_table_new("BIN", "SKU", ">ON_HAND", "", NULL);
    REQUIRE(t != NULL);
    tote_cli_table_cell(t, "%s", "A-1");
    tote_cli_table_cell(t, "%s", "MUG-1");
    tote_cli_table_cell(t, "%d", 5);
    tote_cli_table_cell(t, "%s", "");
    tote_cli_table_cell(t, "%s", "AISLE-12-BAY-04-LEVEL-3-POS-17");
    tote_cli_table_cell(t, "%s", "TEA");
    tote_cli_table_cell(t, "%d", 12345678);
    tote_cli_table_cell(t, "%s", "EXPIRED");
    CHECK_EQ(tote_cli_table_rows(t), 2);
    int rc = -1;
    char *out = printed(t, "", &rc);
    CHECK_EQ(rc, TOTE_EXIT_OK);
    CHECK_STR(out, "BIN                             SKU     ON_HAND\n"
                   "A-1                             MUG-1         5\n"
                   "AISLE-12-BAY-04-LEVEL-3-POS-17  TEA    12345678  EXPIRED\n");
    free(out);
    tote_cli_table_destroy(&t);
    CHECK(t == NULL);
    tote_cli_table_destroy(&t); /* again: a no-op */
    tote_cli_table_destroy(NULL);
}

static void test_utf8_is_padded_by_characters(void)
{
    tote_cli_table *t = tote_cli_table_new("NAME", ">QTY", NULL);
    REQUIRE(t != NULL);
    tote_cli_table_cell(t, "%s",
                        "Gr\xC3\xB6\xC3\x9F"
                        "e S \xE2\x80\x94 Rot"); /* "Größe S — Rot": 13 */
    tote_cli_table_cell(t, "%d", 1);
    tote_cli_table_cell(t, "%s", "Tee");
    tote_cli_table_cell(t, "%d", 20);
    int rc = -1;
    char *out = printed(t, "  ", &rc);
    CHECK_EQ(rc, TOTE_EXIT_OK);
    CHECK_STR(out, "  NAME           QTY\n"
                   "  Gr\xC3\xB6\xC3\x9F"
                   "e S \xE2\x80\x94 Rot    1\n"
                   "  Tee             20\n");
    free(out);
    tote_cli_table_destroy(&t);
}

static void test_long_text_is_cut_with_a_marker(void)
{
    /* 50 characters, each "é" 2 bytes: cut to 47 and '~' in a middle column, whole in the last */
    char longname[101] = "";
    for (int i = 0; i < 50; i++)
        strcat(longname, "\xC3\xA9");
    char cut[100] = "";
    for (int i = 0; i < TOTE_CLI_TABLE_MAX - 1; i++)
        strcat(cut, "\xC3\xA9");
    strcat(cut, "~");
    static const char digits[] = "123456789012345678901234567890123456789012345678901234567890";
    tote_cli_table *t = tote_cli_table_new("NAME", ">N", "NOTE", NULL);
    REQUIRE(t != NULL);
    tote_cli_table_cell(t, "%s", longname);
    tote_cli_table_cell(t, "%s", digits); /* a number is never cut */
    tote_cli_table_cell(t, "%s", longname);
    int rc = -1;
    char *out = printed(t, "", &rc);
    CHECK_EQ(rc, TOTE_EXIT_OK);
    char want[1024];
    snprintf(want, sizeof want, "%s  %s  %s\n", cut, digits, longname);
    CHECK_HAS(out, want);
    /* the title padded to the cut width: 48 characters */
    snprintf(want, sizeof want, "NAME%*s  %*s  NOTE\n", TOTE_CLI_TABLE_MAX - 4, "", (int)strlen(digits), "N");
    CHECK_HAS(out, want);
    free(out);
    tote_cli_table_destroy(&t);
}

static void test_no_titles_rule_and_trailing_cells(void)
{
    /* no titles: no title line; empty trailing cells leave no spaces behind */
    tote_cli_table *t = tote_cli_table_new("", "", "", NULL);
    REQUIRE(t != NULL);
    tote_cli_table_cell(t, "%s", "weight_tolerance_pct");
    tote_cli_table_cell(t, "%s", "5");
    tote_cli_table_cell(t, "%s", "percent");
    tote_cli_table_cell(t, "%s", "s");
    tote_cli_table_cell(t, "%s", "");
    tote_cli_table_cell(t, "%s", "");
    tote_cli_table_cell(t, "%s", "short"); /* a short last row */
    int rc = -1;
    char *out = printed(t, "", &rc);
    CHECK_EQ(rc, TOTE_EXIT_OK);
    CHECK_STR(out, "weight_tolerance_pct  5  percent\n"
                   "s\n"
                   "short\n");
    free(out);
    tote_cli_table_destroy(&t);

    /* a report's table: titles, a rule as wide as each column */
    const char *titles[] = {"SKU", ">Units"};
    t = tote_cli_table_new_array(2, titles);
    REQUIRE(t != NULL);
    tote_cli_table_rule(t);
    tote_cli_table_cell(t, "%s", "MUG-1");
    tote_cli_table_cell(t, "%d", 7);
    out = printed(t, "", &rc);
    CHECK_EQ(rc, TOTE_EXIT_OK);
    CHECK_STR(out, "SKU    Units\n"
                   "-----  -----\n"
                   "MUG-1      7\n");
    free(out);
    tote_cli_table_destroy(&t);
    CHECK(tote_cli_table_new_array(0, titles) == NULL);
}

static void test_no_table_is_a_failure(void)
{
    int rc = -1;
    char *out = printed(NULL, "", &rc);
    CHECK_EQ(rc, TOTE_EXIT_FAIL);
    CHECK_STR(out, "");
    free(out);
    tote_cli_table_cell(NULL, "%s", "ignored");
    CHECK_EQ(tote_cli_table_rows(NULL), 0);
}

TT_MAIN(TT_TEST(test_text_width_counts_characters), TT_TEST(test_columns_fit_the_longest_value),
        TT_TEST(test_utf8_is_padded_by_characters), TT_TEST(test_long_text_is_cut_with_a_marker),
        TT_TEST(test_no_titles_rule_and_trailing_cells), TT_TEST(test_no_table_is_a_failure))
