/* The streaming CSV reader (station/src/import_csv.c): RFC 4180 quoting,
 * physical line numbers, BOM/CRLF, broken records and recovery. */
#include "support.h"
#include "test.h"
#include "tote/import.h"

/* Reads all records of text into a printable transcript:
 * "L<line>:<f1>|<f2>...\n" per record, "L<line>!<error>\n" for broken ones,
 * "FATAL:<msg>\n" at a fatal error. */
static char *transcript_of(tote_csv *r)
{
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    out[0] = '\0';
    tote_csv_row row;
    int rc;
    while ((rc = tote_csv_next(r, &row)) == 1) {
        char buf[1024];
        int k;
        if (row.error) {
            k = snprintf(buf, sizeof buf, "L%lld!broken\n", row.line);
        } else {
            k = snprintf(buf, sizeof buf, "L%lld:", row.line);
            for (size_t i = 0; i < row.n && k < (int)sizeof buf - 2; i++)
                k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%s", i ? "|" : "", row.field[i]);
            if (k > (int)sizeof buf - 2)
                k = (int)sizeof buf - 2;
            buf[k++] = '\n';
            buf[k] = '\0';
        }
        while (n + (size_t)k + 1 > cap) {
            cap *= 2;
            out = realloc(out, cap);
        }
        memcpy(out + n, buf, (size_t)k + 1);
        n += (size_t)k;
    }
    if (rc < 0) {
        const char *e = tote_csv_error(r);
        size_t k = strlen(e) + 8;
        out = realloc(out, n + k + 1);
        snprintf(out + n, k + 1, "FATAL:%s\n", e);
    }
    return out;
}

static char *transcript(const char *text, size_t len)
{
    tote_csv *r = tote_csv_new_mem(text, len);
    char *t = transcript_of(r);
    tote_csv_destroy(&r);
    CHECK(r == NULL);
    return t;
}

#define T(lit) transcript(lit, sizeof(lit) - 1)

static void test_plain_records_and_lines(void)
{
    char *t = T("sku,bin,qty\nA-1,B-01,5\nA-2,B-02,7\n");
    CHECK_STR(t, "L1:sku|bin|qty\nL2:A-1|B-01|5\nL3:A-2|B-02|7\n");
    free(t);
    t = T("a,b\nc,d"); /* no final newline */
    CHECK_STR(t, "L1:a|b\nL2:c|d\n");
    free(t);
    t = T("");
    CHECK_STR(t, "");
    free(t);
}

/* Excel's "CSV" in comma-decimal locales: ';' between fields, sniffed from
 * the first line (more unquoted ';' than ','); commas are then data. */
static void test_semicolon_separated(void)
{
    static const struct {
        const char *in, *want;
    } v[] = {
        {"sku;bin;qty\nA-1;B-01;5\n", "L1:sku|bin|qty\nL2:A-1|B-01|5\n"},
        {"\xEF\xBB\xBFName;Total\r\n#1;9,50\r\n", "L1:Name|Total\nL2:#1|9,50\n"},
        {"a;\"b;c\";d\n\"x\"\"y\";2,5;\"multi\nline\"\n", "L1:a|b;c|d\nL2:x\"y|2,5|multi\nline\n"},
        /* quoted separators on the first line do not count */
        {"\"a;b;c\",d\n1,2\n", "L1:a;b;c|d\nL2:1|2\n"},
        /* a tie stays comma */
        {"a;b,c\n1;2,3\n", "L1:a;b|c\nL2:1;2|3\n"},
        {"a;b;c\n1;\"2\"x;3\n4;5;6\n", "L1:a|b|c\nL2!broken\nL3:4|5|6\n"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *t = transcript(v[i].in, strlen(v[i].in));
        CHECK_STR(t, v[i].want);
        free(t);
    }
}

static void test_bom_and_crlf(void)
{
    char *t = T("\xEF\xBB\xBFName,Email\r\n#1001,a@example.com\r\n#1002,b@example.com\r\n");
    CHECK_STR(t, "L1:Name|Email\nL2:#1001|a@example.com\nL3:#1002|b@example.com\n");
    free(t);
    /* a BOM only at the start is special; CR-only line ends still split records */
    t = T("a,b\rc,d\r");
    CHECK_STR(t, "L1:a|b\nL1:c|d\n");
    free(t);
}

static void test_quoted_commas_quotes_newlines(void)
{
    char *t = T("Name,Street,Note\n"
                "#1,\"12 rue de la Paix, Apt 3\",\"say \"\"hi\"\"\"\n"
                "#2,\"line one\nline two\r\nline three\",x\n"
                "#3,\"\",\"\"\"\"\n");
    CHECK_STR(t, "L1:Name|Street|Note\n"
                 "L2:#1|12 rue de la Paix, Apt 3|say \"hi\"\n"
                 "L3:#2|line one\nline two\r\nline three|x\n"
                 "L6:#3||\"\n");
    free(t);
}

static void test_spaces_trimmed_outside_quotes_only(void)
{
    char *t = T("  a  ,\" b \", c\t\n");
    CHECK_STR(t, "L1:a| b |c\n");
    free(t);
}

static void test_blank_lines_and_empty_records_skipped(void)
{
    char *t = T("h1,h2\n\n,\n \r\nx,y\n,,\n\nz,\n");
    CHECK_STR(t, "L1:h1|h2\nL5:x|y\nL8:z|\n");
    free(t);
}

static void test_quote_in_unquoted_field_is_broken_and_reader_resumes(void)
{
    char *t = T("sku,name\nA,5\" screen\nB,ok\n");
    CHECK_STR(t, "L1:sku|name\nL2!broken\nL3:B|ok\n");
    free(t);
}

static void test_text_after_closing_quote_over_lines(void)
{
    /* the broken record started on line 2, its error is on line 3; line 4 reads normally */
    char *t = T("a,b\n\"x\ny\"z,1\nc,d\n");
    CHECK_STR(t, "L1:a|b\nL2!broken\nL4:c|d\n");
    free(t);
}

static void test_unclosed_quote_swallows_rest(void)
{
    char *t = T("a,b\nc,\"never closed\nd,e\n");
    CHECK_STR(t, "L1:a|b\nL2!broken\n");
    free(t);
}

/* In a UTF-8 file (a valid sequence came first) a field that is not UTF-8
 * breaks its record; so does a NUL byte. */
static void test_invalid_utf8_and_nul(void)
{
    static const char bad[] =
        "a,b\ny,\xE2\x82\xAC ok\nx,\xC3\x28\nn,a\0b\nz,\xED\xA0\x80\nw,\xF4\x90\x80\x80\nv,\xC3\xA9\n";
    char *t = transcript(bad, sizeof bad - 1);
    CHECK_STR(t, "L1:a|b\nL2:y|\xE2\x82\xAC ok\nL3!broken\nL4!broken\nL5!broken\nL6!broken\nL7:v|\xC3\xA9\n");
    free(t);
    tote_csv *r = tote_csv_new_mem(bad, sizeof bad - 1);
    tote_csv_row row;
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK(row.error == NULL);
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK_HAS(row.error, "UTF-8");
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK_HAS(row.error, "NUL");
    CHECK_EQ(tote_csv_text_encoding(r), TOTE_CSV_UTF8);
    tote_csv_destroy(&r);
}

/* A file whose first byte >= 0x80 is not UTF-8 is Windows-1252 (Excel's
 * "CSV" on a Western Windows): every field is converted to UTF-8. Each
 * vector: the file, what is read, the encoding decided. */
static void test_windows_1252(void)
{
    static const struct {
        const char *in;
        const char *out;
        tote_csv_encoding enc;
    } v[] = {
        /* é, then the euro sign and curly quotes from 0x80..0x9F */
        {"sku,name\nA,Caf\xE9\nB,\x80 5 \x93hi\x94 it\x92s\n",
         "L1:sku|name\nL2:A|Caf\xC3\xA9\n"
         "L3:B|\xE2\x82\xAC 5 \xE2\x80\x9Chi\xE2\x80\x9D "
         "it\xE2\x80\x99s\n",
         TOTE_CSV_WINDOWS_1252},
        /* bytes that would be UTF-8 later on are Windows-1252 too: Ã© */
        {"a\n\xE9\n\xC3\xA9\n", "L1:a\nL2:\xC3\xA9\nL3:\xC3\x83\xC2\xA9\n", TOTE_CSV_WINDOWS_1252},
        /* a byte the code page leaves undefined breaks its record only */
        {"a,b\nx,\xE9\ny,\x81\nz,\x9D\nw,ok\n", "L1:a|b\nL2:x|\xC3\xA9\nL3!broken\nL4!broken\nL5:w|ok\n",
         TOTE_CSV_WINDOWS_1252},
        /* quoted with doubled quotes (the reader's own path), and across lines */
        {"a\n\"Caf\xE9 \"\"\xDF\"\"\"\n\"\xFC"
         "ber\n\xE4\"\n",
         "L1:a\nL2:Caf\xC3\xA9 \"\xC3\x9F\"\nL3:\xC3\xBC"
         "ber\n\xC3\xA4\n",
         TOTE_CSV_WINDOWS_1252},
        /* ';' separated (libcsv's path), as Excel saves it in France */
        {"sku;name\nA;Am\xE9lie;x\n", "L1:sku|name\nL2:A|Am\xC3\xA9lie|x\n", TOTE_CSV_WINDOWS_1252},
        /* ASCII only: nothing decided */
        {"a,b\nc,d\n", "L1:a|b\nL2:c|d\n", TOTE_CSV_ASCII},
        /* a UTF-8 BOM says UTF-8: a bad byte then breaks its record */
        {"\xEF\xBB\xBF"
         "a\n\xE9\n\xC3\xA9\n",
         "L1:a\nL2!broken\nL3:\xC3\xA9\n", TOTE_CSV_UTF8},
        /* UTF-8 with a BOM stays UTF-8 */
        {"\xEF\xBB\xBF"
         "a\n\xC3\xA9\n",
         "L1:a\nL2:\xC3\xA9\n", TOTE_CSV_UTF8},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        tote_csv *r = tote_csv_new_mem(v[i].in, strlen(v[i].in));
        char *t = transcript_of(r);
        CHECK_STR(t, v[i].out);
        CHECK_EQ(tote_csv_text_encoding(r), v[i].enc);
        free(t);
        tote_csv_destroy(&r);
    }
    static const char undefined[] = "a\n\xE9\n\x8F\n";
    tote_csv *r = tote_csv_new_mem(undefined, sizeof undefined - 1);
    tote_csv_row row;
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK_HAS(row.error, "not Windows-1252 text");
    tote_csv_destroy(&r);
}

static void test_utf16_is_fatal(void)
{
    static const char u16[] = "\xFF\xFEs\0k\0u\0\n\0";
    char *t = transcript(u16, sizeof u16 - 1);
    CHECK_HAS(t, "FATAL:");
    CHECK_HAS(t, "UTF-16");
    free(t);
}

static void test_header_lookup(void)
{
    static const char text[] = "\xEF\xBB\xBF Handle , Variant SKU,Title\nshirt,TS-1,T-Shirt\n";
    tote_csv *r = tote_csv_new_mem(text, sizeof text - 1);
    tote_csv_row row;
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    REQUIRE_EQ(tote_csv_set_header(r, &row), 0);
    CHECK_EQ(tote_csv_header_count(r), 3);
    CHECK_EQ(tote_csv_col(r, "handle"), 0);
    CHECK_EQ(tote_csv_col(r, "VARIANT SKU"), 1);
    CHECK_EQ(tote_csv_col(r, " Title "), 2);
    CHECK_EQ(tote_csv_col(r, "Variant Barcode"), -1);
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK_STR(tote_csv_field(&row, tote_csv_col(r, "Variant SKU")), "TS-1");
    CHECK_STR(tote_csv_field(&row, -1), "");
    CHECK_STR(tote_csv_field(&row, 7), "");
    CHECK_EQ(row.len[2], 7);
    CHECK_EQ(tote_csv_next(r, &row), 0);
    CHECK_EQ(tote_csv_next(r, &row), 0);
    tote_csv_destroy(&r);
    tote_csv_destroy(&r); /* NULL-safe */
}

/* A file larger than the reader's chunk, with quoted newlines that straddle
 * chunk boundaries: every record and line number must come out right. */
static void test_big_file_across_chunks(void)
{
    char *dir = tt_tmpdir("csv");
    REQUIRE(dir != NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *f = fopen(path, "wb");
    REQUIRE(f != NULL);
    fputs("\xEF\xBB\xBFid,text\r\n", f);
    long long line = 2;
    const int N = 30000;
    for (int i = 0; i < N; i++) {
        if (i % 3 == 0)
            fprintf(f, "%d,\"multi\r\nline %d, with \"\"quotes\"\"\"\r\n", i, i);
        else
            fprintf(f, "%d,plain %d\r\n", i, i);
    }
    fclose(f);
    char *err = NULL;
    tote_csv *r = tote_csv_open(path, &err);
    REQUIRE(r != NULL);
    tote_csv_row row;
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK_EQ(row.line, 1);
    int i = 0, bad = 0;
    while (tote_csv_next(r, &row) == 1) {
        if (row.error || row.n != 2 || atoi(row.field[0]) != i || row.line != line)
            bad++;
        char want[64];
        if (i % 3 == 0)
            snprintf(want, sizeof want, "multi\r\nline %d, with \"quotes\"", i);
        else
            snprintf(want, sizeof want, "plain %d", i);
        if (strcmp(row.field[1], want) != 0)
            bad++;
        line += (i % 3 == 0) ? 2 : 1;
        i++;
    }
    CHECK_EQ(i, N);
    CHECK_EQ(bad, 0);
    long long done = 0, total = 0;
    tote_csv_progress(r, &done, &total);
    CHECK(total > 256 * 1024);
    CHECK_EQ(done, total);
    CHECK(tote_csv_error(r) == NULL);
    tote_csv_destroy(&r);
    tt_rmrf(dir);
    free(dir);
}

/* A record longer than 8 MiB is reported broken with its own reason and
 * the reader goes on at the next line, from memory and from a file (where
 * the record spans many read chunks). */
static void check_overlong(tote_csv *r)
{
    tote_csv_row row;
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK_EQ(row.line, 1);
    CHECK(row.error == NULL);
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK_EQ(row.line, 2);
    CHECK_STR(row.error, "the record is longer than 8 MiB");
    REQUIRE_EQ(tote_csv_next(r, &row), 1);
    CHECK_EQ(row.line, 3);
    CHECK(row.error == NULL);
    REQUIRE_EQ(row.n, 2);
    CHECK_STR(row.field[0], "z");
    CHECK_STR(row.field[1], "w");
    CHECK_EQ(tote_csv_next(r, &row), 0);
}

static void overlong(int quoted)
{
    const size_t big = 9u * 1024 * 1024;
    size_t len = 0, cap = big + 64;
    char *text = malloc(cap);
    REQUIRE(text != NULL);
    len += (size_t)snprintf(text, cap, "a,b\nx,%s", quoted ? "\"" : "");
    memset(text + len, 'y', big);
    len += big;
    len += (size_t)snprintf(text + len, cap - len, "%s\nz,w\n", quoted ? "\"" : "");
    tote_csv *r = tote_csv_new_mem(text, len);
    check_overlong(r);
    tote_csv_destroy(&r);
    char *dir = tt_tmpdir("csv-long");
    REQUIRE(dir != NULL);
    char path[1024];
    snprintf(path, sizeof path, "%s/long.csv", dir);
    REQUIRE_EQ(tt_write_file(path, text, len), 0);
    char *err = NULL;
    r = tote_csv_open(path, &err);
    REQUIRE(r != NULL);
    check_overlong(r);
    tote_csv_destroy(&r);
    free(err);
    tt_rmrf(dir);
    free(dir);
    free(text);
}

/* plain: read straight from the buffer; quoted: through the full parser */
static void test_overlong_record_is_broken_and_reader_resumes(void)
{
    overlong(0);
    overlong(1);
}

static void test_open_missing_file(void)
{
    char *err = NULL;
    tote_csv *r = tote_csv_open("/nonexistent/tote/orders.csv", &err);
    CHECK(r == NULL);
    CHECK_HAS(err, "cannot open /nonexistent/tote/orders.csv");
    free(err);
}

TT_MAIN(TT_TEST(test_plain_records_and_lines), TT_TEST(test_bom_and_crlf), TT_TEST(test_semicolon_separated),
        TT_TEST(test_quoted_commas_quotes_newlines), TT_TEST(test_spaces_trimmed_outside_quotes_only),
        TT_TEST(test_blank_lines_and_empty_records_skipped),
        TT_TEST(test_quote_in_unquoted_field_is_broken_and_reader_resumes),
        TT_TEST(test_text_after_closing_quote_over_lines), TT_TEST(test_unclosed_quote_swallows_rest),
        TT_TEST(test_invalid_utf8_and_nul), TT_TEST(test_windows_1252), TT_TEST(test_utf16_is_fatal),
        TT_TEST(test_header_lookup), TT_TEST(test_big_file_across_chunks),
        TT_TEST(test_overlong_record_is_broken_and_reader_resumes), TT_TEST(test_open_missing_file))
