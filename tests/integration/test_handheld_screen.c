/*
 * The picker's screen of the real `tote-handheld` (enrolled, CURVE) in a real
 * terminal: tmux runs it (100x40, --scanner stdin: typed lines are scans)
 * against a real `tote serve` on loopback with a temp database (two orders,
 * one wave); the test reads the screen with capture-pane and types with
 * send-keys.
 *
 * Checked: the handheld comes up ONLINE with the PICK task (bin to scan,
 * item, GTIN, quantity, tote and order, tasks left); an item before the bin
 * and a wrong item are refused on screen with their reasons and change
 * nothing; the bin and the right item are accepted; with the station
 * stopped the screen says OFFLINE and STATION NOT ANSWERING and counts the
 * scans kept; with it started again the screen is ONLINE, the queue drains
 * (replayed, the picks in the database, the next task on screen); !quit
 * exits 0.
 */
#include <unistd.h>

#include "fixture_server.h"
#include "tmux_fixture.h"

static char exit_path[1100];

/* The line of the screen that starts with prefix, into buf ("" if none). */
static void screen_line(const char *prefix, char *buf, size_t cap)
{
    buf[0] = '\0';
    char *s = screen();
    for (const char *p = s; p && *p;) {
        size_t n = strcspn(p, "\n");
        if (strncmp(p, prefix, strlen(prefix)) == 0) {
            snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), p);
            break;
        }
        p += n + (p[n] ? 1 : 0);
    }
    free(s);
}

/* Types a line (a scan, or a !command) and Enter. */
static void type_line(const char *text)
{
    tmux(NULL, "send-keys", "-t", tmux_session, "-l", text, NULL, NULL, NULL, NULL, NULL, NULL);
    tmux(NULL, "send-keys", "-t", tmux_session, "Enter", NULL, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Two paid orders in one wave: #1001 3 blue mugs from A-01, then #1002 one
 * red plate from B-01 (walked after A-01). Bin scans required, no login. */
static void setup_floor(fx_station *st, char ga[15], char gb[15])
{
    tote_store *s = fx_store(st);
    tote_store_setting_set(s, "require_login", "0");
    tote_store_setting_set(s, "require_bin_scan", "1");
    fx_gtin("0400638133393", ga);
    fx_gtin("0400638133394", gb);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, ga, 1200);
    long long b = fx_product(s, "SKU-B", "Red plate", 500, gb, 900);
    fx_stock(s, a, "A-01", 10, 20, NULL, NULL);
    fx_stock(s, b, "B-01", 20, 5, NULL, NULL);
    const char *ka[] = {"SKU-A"}, *kb[] = {"SKU-B"};
    const long long three[] = {3}, one[] = {1};
    fx_order(s, "#1001", 0, 1, ka, three, NULL);
    fx_order(s, "#1002", 0, 1, kb, one, NULL);
    fx_wave(s, 4);
    tote_store_destroy(&s);
}

static fx_station st;

static void picker_screen(void)
{
    if (tmux_open("hhscreen", "hh") != 0)
        return;
    REQUIRE_EQ(fx_station_init(&st, "hh-screen"), 0);
    snprintf(exit_path, sizeof exit_path, "%s/handheld.exit", st.dir);
    char ga[15], gb[15];
    setup_floor(&st, ga, gb);
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);

    /* the handheld is enrolled as an admin does it */
    char enrol[1100];
    REQUIRE_EQ(fx_enrol_cli(&st, "hh-screen", "picker", enrol, sizeof enrol), 0);

    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "'%s' --enrol '%s' --scanner stdin --outbox '%s/hh.outbox' --timeout-ms 500 2>'%s/hh.err'; "
             "echo $? > '%s'",
             tt_bin("tote-handheld"), enrol, st.dir, st.dir, exit_path);
    REQUIRE_EQ(tmux(NULL, "new-session", "-d", "-s", tmux_session, "-x", "100", "-y", "40", cmd, NULL, NULL),
               0);

    /* online, with what to do next */
    REQUIRE(WAIT_SCREEN(5000, "Tote handheld hh-screen (picker)   ONLINE", "PICK",
                        "(2 tasks left in this list)", "Bin   A-01         <- scan the bin",
                        "Item  SKU-A  Blue mug", "Qty   3 left   (0 of 3 picked)", "order #1001", "Last: -",
                        "keys: !short QTY"));
    char gtin_line[64];
    snprintf(gtin_line, sizeof gtin_line, "GTIN  %s", ga);
    WAIT_SCREEN(1000, gtin_line, "Scanner: stdin: connected");
    check_absent(__LINE__, "OFFLINE");
    check_absent(__LINE__, "queued");

    /* the item before the bin: refused, with the reason */
    type_line(ga);
    WAIT_SCREEN(3000, "Last: REFUSED scan the bin first - scan bin A-01 first", "<- scan the bin");
    /* the bin: accepted */
    type_line("BIN-A-01");
    WAIT_SCREEN(3000, "Bin   A-01         (confirmed)", "Last: OK - bin A-01 confirmed");
    /* the right item: accepted, one picked */
    type_line(ga);
    WAIT_SCREEN(3000, "Last: OK - 1 of 3 SKU-A", "Qty   2 left   (1 of 3 picked)");
    /* the wrong item: refused with the reason; nothing changes */
    type_line(gb);
    WAIT_SCREEN(3000, "Last: REFUSED wrong item for this pick - wrong item: this pick is SKU-A Blue mug",
                "Qty   2 left   (1 of 3 picked)", "Bin   A-01         (confirmed)");
    check_absent(__LINE__, "Last: OK");

    /* the station goes away: the next scans are kept, and the screen says so */
    fx_station_stop(&st);
    type_line(ga);
    WAIT_SCREEN(5000, "OFFLINE", "STATION NOT ANSWERING - scans are kept and sent later (1 queued)");
    type_line(ga);
    WAIT_SCREEN(3000, "Tote handheld hh-screen (picker)   OFFLINE   2 queued",
                "STATION NOT ANSWERING - scans are kept and sent later (2 queued)",
                "Last: kept SCAN for later (offline)", "Bin   A-01         (confirmed)");
    check_absent(__LINE__, "ONLINE");

    /* it comes back: online, the queue replayed and gone, the next task shown */
    REQUIRE_EQ(fx_station_start(&st, NULL, 1), 0);
    WAIT_SCREEN(8000, "Tote handheld hh-screen (picker)   ONLINE",
                "Last: (replayed) OK - 3 of 3 SKU-A done: next task", "Bin   B-01         <- scan the bin",
                "Item  SKU-B  Red plate", "(1 task left in this list)", "order #1002");
    char header[256];
    screen_line("Tote handheld", header, sizeof header);
    CHECK_STR(header, "Tote handheld hh-screen (picker)   ONLINE"); /* nothing queued any more */
    check_absent(__LINE__, "STATION NOT ANSWERING");
    check_absent(__LINE__, "OFFLINE");
    tote_store *s = fx_store(&st);
    REQUIRE(s != NULL);
    CHECK_EQ(fx_q(s,
                  "SELECT t.done FROM pick_task t JOIN order_line l ON l.id = t.order_line_id "
                  "JOIN orders o ON o.id = l.order_id WHERE o.name = '#1001'",
                  NULL),
             3);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE device = 'hh-screen' AND result = 'accepted'", NULL),
             4);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE device = 'hh-screen' AND result = 'refused'", NULL), 2);
    tote_store_destroy(&s);

    /* !quit: exit 0, nothing left in the outbox */
    type_line("!quit");
    char *code = NULL;
    for (int i = 0; i < 50 && !(code = tt_read_file(exit_path, NULL)); i++)
        tt_sleep_ms(100);
    CHECK(code != NULL);
    if (code)
        CHECK_STR(code, "0\n");
    free(code);
}

/* picker_screen, then whatever it leaves behind (also when it gives up
 * half-way): the tmux server with the handheld, and the station. */
static void test_picker_screen(void)
{
    picker_screen();
    tmux_kill();
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_picker_screen))
