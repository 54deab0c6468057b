/*
 * Each library's error enum and its *_strerror() come from one X-macro
 * table (house style). Checked for all four, from the tables themselves so
 * a code added later is covered too: every code has its own non-empty
 * sentence (what an operator reads after "cannot ...: "), numbered 0, 1, 2,
 * ... with 0 "ok"; a value outside the enum says "unknown error"; the
 * protocol's tote_proto_errname() gives each code's own name.
 */
#include "test.h"
#include "tote/handheld.h"
#include "tote/labels.h"
#include "tote/proto.h"
#include "tote/station.h"

typedef struct err_row {
    int value;
    const char *name;
    const char *want; /* the table's text */
    const char *got;  /* what *_strerror() returns for value */
} err_row;

#define ROW_ST(name, value, text) {value, #name, text, NULL},
#define ROW_HH(name, value, text) {value, #name, text, NULL},
#define ROW_LB(name, value, text) {value, #name, text, NULL},
#define ROW_PROTO(name, value, text) {value, #name, text, NULL},

static err_row st_rows[] = {TOTE_ST_ERRNO_MAP(ROW_ST)};
static err_row hh_rows[] = {TOTE_HH_ERRNO_MAP(ROW_HH)};
static err_row lb_rows[] = {TOTE_LB_ERRNO_MAP(ROW_LB)};
static err_row proto_rows[] = {TOTE_PROTO_ERRNO_MAP(ROW_PROTO)};

static void check_table(const char *lib, err_row *rows, size_t n, const char *unknown)
{
    CHECK(n >= 2);
    CHECK_STR(rows[0].name, "OK");
    CHECK_STR(rows[0].got, "ok");
    for (size_t i = 0; i < n; i++) {
        TT_CHECK_(rows[i].value == (int)i, TT_NOTHING, "%s: code %s is %d, expected %zu (no gaps)", lib,
                  rows[i].name, rows[i].value, i);
        TT_CHECK_(rows[i].got && strcmp(rows[i].got, rows[i].want) == 0, TT_NOTHING,
                  "%s: %s_strerror(%s) is \"%s\", the table says \"%s\"", lib, lib, rows[i].name,
                  rows[i].got ? rows[i].got : "(null)", rows[i].want);
        size_t len = rows[i].got ? strlen(rows[i].got) : 0;
        TT_CHECK_(len > 0 && rows[i].got[len - 1] != '.' && rows[i].got[len - 1] != '\n', TT_NOTHING,
                  "%s: the text of %s is empty or ends in a full stop or newline", lib, rows[i].name);
        for (size_t j = 0; j < i; j++)
            TT_CHECK_(strcmp(rows[i].got ? rows[i].got : "", rows[j].got ? rows[j].got : "") != 0, TT_NOTHING,
                      "%s: %s and %s read the same (\"%s\")", lib, rows[i].name, rows[j].name, rows[i].got);
    }
    CHECK_STR(unknown, "unknown error");
}

static void test_station_errors(void)
{
    size_t n = sizeof st_rows / sizeof st_rows[0];
    for (size_t i = 0; i < n; i++)
        st_rows[i].got = tote_st_strerror((tote_st_err)st_rows[i].value);
    check_table("tote_st", st_rows, n, tote_st_strerror((tote_st_err)(n + 7)));
}

static void test_handheld_errors(void)
{
    size_t n = sizeof hh_rows / sizeof hh_rows[0];
    for (size_t i = 0; i < n; i++)
        hh_rows[i].got = tote_hh_strerror((tote_hh_err)hh_rows[i].value);
    check_table("tote_hh", hh_rows, n, tote_hh_strerror((tote_hh_err)(n + 7)));
}

static void test_labels_errors(void)
{
    size_t n = sizeof lb_rows / sizeof lb_rows[0];
    for (size_t i = 0; i < n; i++)
        lb_rows[i].got = tote_lb_strerror((tote_lb_err)lb_rows[i].value);
    check_table("tote_lb", lb_rows, n, tote_lb_strerror((tote_lb_err)(n + 7)));
}

static void test_proto_errors_and_names(void)
{
    size_t n = sizeof proto_rows / sizeof proto_rows[0];
    for (size_t i = 0; i < n; i++) {
        proto_rows[i].got = tote_proto_strerror((tote_proto_err)proto_rows[i].value);
        CHECK_STR(tote_proto_errname((tote_proto_err)proto_rows[i].value), proto_rows[i].name);
    }
    check_table("tote_proto", proto_rows, n, tote_proto_strerror((tote_proto_err)(n + 7)));
    CHECK_STR(tote_proto_errname((tote_proto_err)(n + 7)), "UNKNOWN");
}

TT_MAIN(TT_TEST(test_station_errors), TT_TEST(test_handheld_errors), TT_TEST(test_labels_errors),
        TT_TEST(test_proto_errors_and_names))
