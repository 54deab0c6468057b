/* The stdin scanner transport over a pipe, and the --scanner spec parser. */
#include <poll.h>
#include <unistd.h>

#include "test.h"
#include "tote/scanner.h"

typedef struct pipe_scanner {
    int rd, wr;
    tote_scanner *sc;
} pipe_scanner;

static int ps_open(pipe_scanner *ps)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    ps->rd = p[0];
    ps->wr = p[1];
    ps->sc = NULL;
    return tote_scanner_new_fd(ps->rd, &ps->sc) == TOTE_HH_E_OK ? 0 : -1;
}

static void ps_write(pipe_scanner *ps, const char *s)
{
    size_t n = strlen(s);
    if (write(ps->wr, s, n) != (ssize_t)n)
        abort();
}

static void ps_close(pipe_scanner *ps)
{
    tote_scanner_destroy(&ps->sc);
    if (ps->wr >= 0)
        close(ps->wr);
    close(ps->rd);
}

static int readable(tote_scanner *sc, int ms)
{
    struct pollfd pfd = {.fd = tote_scanner_fd(sc), .events = POLLIN};
    return poll(&pfd, 1, ms) == 1;
}

#define EXPECT_SCAN(sc, aim, text)                               \
    do {                                                         \
        tote_scan_event ev_;                                     \
        REQUIRE_EQ(tote_scanner_read((sc), &ev_), TOTE_HH_E_OK); \
        CHECK_STR(ev_.symbology, (aim));                         \
        CHECK_MEM(ev_.data, ev_.len, (text), strlen(text));      \
    } while (0)

static void test_lines_with_every_terminator(void)
{
    pipe_scanner ps;
    REQUIRE_EQ(ps_open(&ps), 0);
    tote_scan_event ev;
    CHECK_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_TIMEOUT);
    CHECK(!readable(ps.sc, 0));
    ps_write(&ps, "SKU-1\nSKU-2\rSKU-3\r\nSKU-4\n");
    CHECK(readable(ps.sc, 100));
    EXPECT_SCAN(ps.sc, "", "SKU-1");
    EXPECT_SCAN(ps.sc, "", "SKU-2");
    EXPECT_SCAN(ps.sc, "", "SKU-3");
    EXPECT_SCAN(ps.sc, "", "SKU-4");
    CHECK_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_TIMEOUT);
    CHECK_STR(tote_scanner_status(ps.sc), "connected");
    CHECK_STR(tote_scanner_kind(ps.sc), "stdin");
    ps_close(&ps);
}

static void test_crlf_split_across_writes_is_one_terminator(void)
{
    pipe_scanner ps;
    REQUIRE_EQ(ps_open(&ps), 0);
    tote_scan_event ev;
    ps_write(&ps, "BIN-A1\r");
    EXPECT_SCAN(ps.sc, "", "BIN-A1");
    CHECK_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_TIMEOUT);
    ps_write(&ps, "\nBIN-");
    CHECK_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_TIMEOUT);
    ps_write(&ps, "A2\r\n\r\n\n");
    EXPECT_SCAN(ps.sc, "", "BIN-A2");
    CHECK_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_TIMEOUT); /* blank lines are not scans */
    ps_close(&ps);
}

static void test_aim_prefix_goes_to_symbology(void)
{
    pipe_scanner ps;
    REQUIRE_EQ(ps_open(&ps), 0);
    ps_write(&ps, "]C10109506000134352\x1d"
                  "10ABC\n]E04006381333931\n]d2010950600013435217251231\n]X\n");
    EXPECT_SCAN(ps.sc, "]C1",
                "0109506000134352\x1d"
                "10ABC");
    EXPECT_SCAN(ps.sc, "]E0", "4006381333931");
    EXPECT_SCAN(ps.sc, "]d2", "010950600013435217251231");
    EXPECT_SCAN(ps.sc, "", "]X"); /* too short to be an AIM id: kept as data */
    ps_close(&ps);
}

static void test_keypad_commands_are_events(void)
{
    pipe_scanner ps;
    REQUIRE_EQ(ps_open(&ps), 0);
    ps_write(&ps, "!short 2\n!logout\n");
    EXPECT_SCAN(ps.sc, "", "!short 2");
    EXPECT_SCAN(ps.sc, "", "!logout");
    ps_close(&ps);
}

static void test_eof_delivers_last_unterminated_line_then_eof(void)
{
    pipe_scanner ps;
    REQUIRE_EQ(ps_open(&ps), 0);
    ps_write(&ps, "A\nLAST");
    close(ps.wr);
    ps.wr = -1;
    tote_scan_event ev;
    EXPECT_SCAN(ps.sc, "", "A");
    EXPECT_SCAN(ps.sc, "", "LAST");
    CHECK_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_EOF_);
    CHECK_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_EOF_);
    CHECK_HAS(tote_scanner_status(ps.sc), "disconnected");
    ps_close(&ps);
}

static void test_overlong_line_is_refused_and_next_line_survives(void)
{
    pipe_scanner ps;
    REQUIRE_EQ(ps_open(&ps), 0);
    char big[5000];
    memset(big, 'x', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    ps_write(&ps, big);
    ps_write(&ps, "OK-1\n");
    tote_scan_event ev;
    CHECK_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_PROTOCOL);
    EXPECT_SCAN(ps.sc, "", "OK-1");
    ps_close(&ps);
}

static void test_exactly_4096_bytes_is_one_scan(void)
{
    pipe_scanner ps;
    REQUIRE_EQ(ps_open(&ps), 0);
    static char line[4098];
    memset(line, '7', 4096);
    line[4096] = '\n';
    line[4097] = '\0';
    /* a pipe holds 64 KiB: one write is fine */
    ps_write(&ps, line);
    tote_scan_event ev;
    REQUIRE_EQ(tote_scanner_read(ps.sc, &ev), TOTE_HH_E_OK);
    CHECK_EQ(ev.len, 4096);
    ps_close(&ps);
}

static void test_feedback_values(void)
{
    pipe_scanner ps;
    REQUIRE_EQ(ps_open(&ps), 0);
    CHECK_EQ(tote_scanner_feedback(ps.sc, 1), TOTE_HH_E_OK);
    CHECK_EQ(tote_scanner_feedback(ps.sc, 4), TOTE_HH_E_OK);
    CHECK_EQ(tote_scanner_feedback(ps.sc, 9), TOTE_HH_E_INVALID);
    ps_close(&ps);
}

static void test_bad_specs_are_invalid(void)
{
    static const char *bad[] = {"",
                                "stdn",
                                "serial:",
                                "serial:/dev/ttyS0,ssi,plain",
                                "usb:",
                                "usb:05e0",
                                "usb:05e0:",
                                "usb:xyz1:0001",
                                "usb:12345:1",
                                "serial:/dev/ttyACM0,19",
                                "serial:/dev/ttyACM0,fast",
                                "usbx",
                                "serial:/dev/ttyACM0,9600,9600",
                                "sim"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tote_scanner *sc = (tote_scanner *)&sc;
        tote_hh_err e = tote_scanner_new(bad[i], &sc);
        if (e != TOTE_HH_E_INVALID)
            tt_fail_msg(__FILE__, __LINE__, "spec \"%s\": got %d, want INVALID", bad[i], (int)e);
        CHECK(sc == NULL);
    }
    tote_scanner *sc = NULL;
    CHECK_EQ(tote_scanner_new(NULL, &sc), TOTE_HH_E_INVALID);
    CHECK_EQ(tote_scanner_new("stdin", NULL), TOTE_HH_E_INVALID);
    CHECK_EQ(tote_scanner_new_fd(-1, &sc), TOTE_HH_E_INVALID);
}

static void test_stdin_spec_and_destroy_is_null_safe(void)
{
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new("stdin", &sc), TOTE_HH_E_OK);
    CHECK_EQ(tote_scanner_fd(sc), 0);
    tote_scanner_destroy(&sc);
    CHECK(sc == NULL);
    tote_scanner_destroy(&sc);
    tote_scanner_destroy(NULL);
}

TT_MAIN(TT_TEST(test_lines_with_every_terminator), TT_TEST(test_crlf_split_across_writes_is_one_terminator),
        TT_TEST(test_aim_prefix_goes_to_symbology), TT_TEST(test_keypad_commands_are_events),
        TT_TEST(test_eof_delivers_last_unterminated_line_then_eof),
        TT_TEST(test_overlong_line_is_refused_and_next_line_survives),
        TT_TEST(test_exactly_4096_bytes_is_one_scan), TT_TEST(test_feedback_values),
        TT_TEST(test_bad_specs_are_invalid), TT_TEST(test_stdin_spec_and_destroy_is_null_safe))
