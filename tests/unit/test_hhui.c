/*
 * The handheld's UI (handheld/src/hhui.c) through its public API, writing
 * into a memory stream:
 *   screen  every event redraws the whole screen once; the test reads the
 *           last frame and checks what the picker sees: connecting, online
 *           or offline (with the queue and the STATION NOT ANSWERING line),
 *           operator, return mode, the PICK block (bin to scan or confirmed,
 *           item, GTIN and lot, quantity left and picked, tote and order,
 *           tasks left), the PACK block and the package being packed, the
 *           last result (accepted, refused with its reason, replayed, kept
 *           while offline, errors), notices and the scanner;
 *   lines   one exact sentence per event (nothing else tests them).
 * AUTO picks the screen on a terminal (a real pty) and lines on a file.
 * JSON mode is tested in test_hhui_json.c; what both share is in
 * hhui_fixture.h.
 */

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "hhui_fixture.h"
#include "support.h"
#include "test.h"

#define CLEAR "\033[H\033[2J"

/* ---------------- reading what the UI wrote ---------------- */

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Screens drawn so far. */
static int frames(cap *c)
{
    return count_of(cap_text(c), CLEAR);
}

/* The last screen drawn, after its clear sequence ("" if none). */
static const char *screen(cap *c)
{
    static char buf[65536];
    const char *t = cap_text(c), *last = NULL;
    for (const char *p = t; (p = strstr(p, CLEAR)) != NULL; p += strlen(CLEAR))
        last = p;
    snprintf(buf, sizeof buf, "%s", last ? last + strlen(CLEAR) : "");
    return buf;
}

/* 1 if text has a line exactly equal to want. */
static int has_line(const char *text, const char *want)
{
    size_t n = strlen(want);
    for (const char *p = text; p && *p;) {
        size_t l = strcspn(p, "\n");
        if (l == n && memcmp(p, want, n) == 0)
            return 1;
        p += l + (p[l] ? 1 : 0);
    }
    return 0;
}

/* Lines of text that start with prefix. */
static int lines_starting(const char *text, const char *prefix)
{
    int n = 0;
    for (const char *p = text; p && *p;) {
        size_t l = strcspn(p, "\n");
        n += strncmp(p, prefix, strlen(prefix)) == 0;
        p += l + (p[l] ? 1 : 0);
    }
    return n;
}

static int lines_in(const char *text)
{
    return count_of(text, "\n");
}

#define CHECK_LINE(text, want)                                                                  \
    do {                                                                                        \
        const char *cl_t_ = (text), *cl_w_ = (want);                                            \
        if (!has_line(cl_t_, cl_w_))                                                            \
            tt_fail_msg(__FILE__, __LINE__, "no line \"%s\" on the screen:\n%s", cl_w_, cl_t_); \
    } while (0)

#define CHECK_LACKS(text, needle)                                                                     \
    do {                                                                                              \
        const char *ca_t_ = (text), *ca_n_ = (needle);                                                \
        if (strstr(ca_t_, ca_n_))                                                                     \
            tt_fail_msg(__FILE__, __LINE__, "\"%s\" should not be on the screen:\n%s", ca_n_, ca_t_); \
    } while (0)

/* ---------------- screen: the frame ---------------- */

/* Nothing is drawn before the first event; then every event draws exactly
 * one whole screen, from the top-left corner, ending with the keys line. */
static void test_screen_one_full_frame_per_event(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    CHECK_STR(cap_text(&c), "");

    tote_hhui_scanner(c.ui, "stdin", "ready");
    tote_hhui_hello(c.ui, hello_ok("1.2.3", "Ada"), 5, 0);
    tote_hhui_task(c.ui, pick_task(&MUG));
    tote_hhui_result(c.ui, result(5, 1, TOTE_REASON_OK, "2 of 3 SKU-MUG", 2, 1, 0), TOTE_WIRE_SCAN, 0);
    tote_hhui_no_task(c.ui, no_task("no work released"));
    tote_hhui_pack_state(c.ui, pack_state(6, 1, TOTE_REASON_OK, ""), TOTE_WIRE_PACK_ITEM, 0);
    tote_hhui_offline(c.ui, 1);
    tote_hhui_queued(c.ui, 7, TOTE_WIRE_SCAN, 2);
    tote_hhui_online(c.ui, 2);
    tote_hhui_replayed(c.ui, 2, 0);
    tote_hhui_error(c.ui, "DENIED", "not allowed", 8, TOTE_WIRE_SCAN);
    tote_hhui_mode(c.ui, 1, TOTE_RETURN_RESTOCK, "", "");
    tote_hhui_info(c.ui, "quitting");
    CHECK_EQ(frames(&c), 13);

    const char *t = cap_text(&c);
    CHECK(strncmp(t, CLEAR, strlen(CLEAR)) == 0); /* nothing before the first clear */
    /* each frame ends with the keys line: a picker's, then (in return mode,
       the last two frames) the return settings' */
    const char *keys = "\n  keys: !short QTY [REASON]  !next  !help  !logout  !quit\n";
    const char *return_keys =
        "\n  keys: !restock [BIN]  !quarantine  !reason TEXT  !return  !logout  !quit\n";
    CHECK_EQ(count_of(t, keys), 11);
    CHECK_EQ(count_of(t, return_keys), 2);
    size_t tl = strlen(t), kl = strlen(return_keys);
    CHECK(tl >= kl && strcmp(t + tl - kl, return_keys) == 0);
    cap_close(&c);
}

/* The keys line says what this role can do now, and fits 80 columns with
 * its "  keys: " (a table of vectors). */
static void test_keys_line_by_role_and_mode(void)
{
    static const struct {
        uint8_t role;
        int return_mode;
        const char *keys;
    } v[] = {
        {TOTE_ROLE_PICKER, 0, "!short QTY [REASON]  !next  !help  !logout  !quit"},
        {TOTE_ROLE_PACKER, 0, "!weight G  !close  !carton  !return  !next  !help  !logout  !quit"},
        {TOTE_ROLE_BENCH, 0, "!weight G  !close  !carton  !return  !next  !help  !logout  !quit"},
        {TOTE_ROLE_BENCH, 1, "!restock [BIN]  !quarantine  !reason TEXT  !return  !logout  !quit"},
        {TOTE_ROLE_PACKER, 1, "!restock [BIN]  !quarantine  !reason TEXT  !return  !logout  !quit"},
        {TOTE_ROLE_CONSOLE, 0, "!short QTY [REASON]  !weight G  !close  !next  !return  !logout  !quit"},
        {0, 0, "!short QTY [REASON]  !weight G  !close  !next  !return  !logout  !quit"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        const char *k = tote_hhui_keys(v[i].role, v[i].return_mode);
        CHECK_STR(k, v[i].keys);
        CHECK_INT(strlen("  keys: ") + strlen(k), <=, 80);
        /* and the screen draws it */
        cap c;
        REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-k", v[i].role), 0);
        if (v[i].return_mode)
            tote_hhui_mode(c.ui, 1, TOTE_RETURN_RESTOCK, "", "");
        else
            tote_hhui_info(c.ui, "ready");
        char line[120];
        snprintf(line, sizeof line, "\n  keys: %s\n", v[i].keys);
        CHECK_HAS(cap_text(&c), line);
        cap_close(&c);
    }
}

/* The header names the device and its role; before the station has
 * answered it says CONNECTING, and nothing is "last" yet. */
static void test_screen_header_before_the_station_answers(void)
{
    static const struct {
        uint8_t role;
        const char *device, *header;
    } cases[] = {
        {TOTE_ROLE_PICKER, "hh-7", "Tote handheld hh-7 (picker)   CONNECTING"},
        {TOTE_ROLE_PACKER, "pack-2", "Tote handheld pack-2 (packer)   CONNECTING"},
        {TOTE_ROLE_BENCH, "bench-1", "Tote handheld bench-1 (bench)   CONNECTING"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cap c;
        REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, cases[i].device, cases[i].role), 0);
        tote_hhui_scanner(c.ui, "stdin", "ready");
        const char *s = screen(&c);
        CHECK_LINE(s, cases[i].header);
        CHECK_LINE(s, "----------------------------------------------------------------");
        CHECK_LINE(s, "  No task.");
        CHECK_LINE(s, "  Last: -");
        CHECK_LINE(s, "  Scanner: stdin: ready");
        CHECK_LACKS(s, "STATION NOT ANSWERING"); /* not known yet: not offline */
        CHECK_LACKS(s, "queued");
        CHECK_LACKS(s, "operator");
        cap_close(&c);
    }
}

/* HELLO_OK: ONLINE, the operator, what is still queued, and a notice naming
 * the station's version (until the first task replaces it). */
static void test_screen_hello_online_operator_and_queue(void)
{
    static const struct {
        const char *op;
        long queued;
        const char *header;
    } cases[] = {
        {"Ada", 0, "Tote handheld hh-7 (picker)   ONLINE   operator Ada"},
        {"", 0, "Tote handheld hh-7 (picker)   ONLINE"},
        {"Ada", 2, "Tote handheld hh-7 (picker)   ONLINE   2 queued   operator Ada"},
        {"", 1, "Tote handheld hh-7 (picker)   ONLINE   1 queued"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cap c;
        REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
        tote_hhui_hello(c.ui, hello_ok("1.2.3", cases[i].op), 5, cases[i].queued);
        const char *s = screen(&c);
        CHECK_LINE(s, cases[i].header);
        CHECK_LINE(s, "  connected to station 1.2.3");
        CHECK_LACKS(s, "STATION NOT ANSWERING");
        CHECK_LACKS(s, "CONNECTING");
        tote_hhui_task(c.ui, pick_task(&MUG));
        s = screen(&c);
        CHECK_LINE(s, cases[i].header);         /* still online, same operator */
        CHECK_LACKS(s, "connected to station"); /* the task replaced the notice */
        cap_close(&c);
    }
}

/* Offline: the header says OFFLINE (with the queue when there is one) and a
 * line says the station is not answering and scans are kept. */
static void test_screen_offline_says_station_not_answering(void)
{
    static const struct {
        long queued;
        const char *header, *banner;
    } cases[] = {
        {0, "Tote handheld hh-7 (picker)   OFFLINE   operator Ada",
         "  STATION NOT ANSWERING - scans are kept and sent later (0 queued)"},
        {1, "Tote handheld hh-7 (picker)   OFFLINE   1 queued   operator Ada",
         "  STATION NOT ANSWERING - scans are kept and sent later (1 queued)"},
        {12, "Tote handheld hh-7 (picker)   OFFLINE   12 queued   operator Ada",
         "  STATION NOT ANSWERING - scans are kept and sent later (12 queued)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cap c;
        REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
        tote_hhui_hello(c.ui, hello_ok("1.2.3", "Ada"), 5, 0);
        tote_hhui_task(c.ui, pick_task(&MUG));
        tote_hhui_offline(c.ui, cases[i].queued);
        const char *s = screen(&c);
        CHECK_LINE(s, cases[i].header);
        CHECK_LINE(s, cases[i].banner);
        CHECK_LACKS(s, "ONLINE");
        CHECK_LINE(s, "  Bin   A-01-02      <- scan the bin"); /* the task stays on screen */
        cap_close(&c);
    }

    /* never reached at all: OFFLINE rather than CONNECTING */
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    tote_hhui_offline(c.ui, 0);
    CHECK_LINE(screen(&c), "Tote handheld hh-7 (picker)   OFFLINE");
    CHECK_LACKS(screen(&c), "CONNECTING");
    cap_close(&c);
}

/* Offline -> scans kept (queue grows, last result says so) -> station back
 * (ONLINE, still queued, the banner gone) -> replay done (queue gone, a
 * notice with the counts) -> the task on screen all along. */
static void test_screen_offline_queue_online_replay(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    tote_hhui_hello(c.ui, hello_ok("1.2.3", "Ada"), 5, 0);
    tote_hhui_task(c.ui, pick_task(&MUG));
    tote_hhui_offline(c.ui, 1);
    tote_hhui_queued(c.ui, 6, TOTE_WIRE_SCAN, 2);
    const char *s = screen(&c);
    CHECK_LINE(s, "Tote handheld hh-7 (picker)   OFFLINE   2 queued   operator Ada");
    CHECK_LINE(s, "  STATION NOT ANSWERING - scans are kept and sent later (2 queued)");
    CHECK_LINE(s, "  Last: kept SCAN for later (offline)");
    tote_hhui_queued(c.ui, 7, TOTE_WIRE_SHORT_PICK, 3);
    s = screen(&c);
    CHECK_LINE(s, "  STATION NOT ANSWERING - scans are kept and sent later (3 queued)");
    CHECK_LINE(s, "  Last: kept SHORT_PICK for later (offline)");

    tote_hhui_online(c.ui, 3);
    s = screen(&c);
    CHECK_LINE(s, "Tote handheld hh-7 (picker)   ONLINE   3 queued   operator Ada");
    CHECK_LACKS(s, "STATION NOT ANSWERING");
    CHECK_LACKS(s, "OFFLINE");

    tote_hhui_hello(c.ui, hello_ok("1.2.3", "Ada"), 8, 3);
    tote_hhui_result(c.ui, result(5, 1, TOTE_REASON_OK, "2 of 3 SKU-MUG", 2, 1, 0), TOTE_WIRE_SCAN, 1);
    s = screen(&c);
    CHECK_LINE(s, "  Last: (replayed) OK - 2 of 3 SKU-MUG");
    tote_hhui_result(c.ui, result(6, 0, TOTE_REASON_WRONG_ITEM, "wrong item", 2, 1, 0), TOTE_WIRE_SCAN, 1);
    CHECK_LINE(screen(&c), "  Last: (replayed) REFUSED wrong item for this pick - wrong item");
    tote_hhui_replayed(c.ui, 3, 1);
    s = screen(&c);
    CHECK_LINE(s, "Tote handheld hh-7 (picker)   ONLINE   operator Ada");
    CHECK_LINE(s, "  replayed 3 queued, 1 refused");
    CHECK_LACKS(s, "queued   ");
    CHECK_LACKS(s, "STATION NOT ANSWERING");
    CHECK_LINE(s, "  Qty   1 left   (2 of 3 picked)");
    cap_close(&c);
}

/* ---------------- screen: the pick task ---------------- */

static void test_screen_pick_task_block(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    tote_hhui_hello(c.ui, hello_ok("1.2.3", "Ada"), 5, 0);
    tote_hhui_task(c.ui, pick_task(&MUG));
    const char *s = screen(&c);
    CHECK_LINE(s, "  PICK                      (3 tasks left in this list)");
    CHECK_LINE(s, "  Bin   A-01-02      <- scan the bin");
    CHECK_LINE(s, "  Item  SKU-MUG  Blue mug");
    CHECK_LINE(s, "  GTIN  09506000134352   lot L42");
    CHECK_LINE(s, "  Qty   2 left   (1 of 3 picked)");
    CHECK_LINE(s, "  Tote  T-07         order #1001");
    CHECK_LACKS(s, "No task.");
    CHECK_LACKS(s, "PACK");
    /* in this order, top to bottom */
    const char *order[] = {"  PICK ", "  Bin ", "  Item ", "  GTIN ", "  Qty ", "  Tote ", "  Last: "};
    const char *prev = s;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *at = strstr(s, order[i]);
        CHECK(at != NULL && at >= prev);
        if (at)
            prev = at;
    }
    cap_close(&c);
}

/* Each part of the pick block that depends on the task. */
static void test_screen_pick_task_variants(void)
{
    static const struct {
        const char *what;
        pick_spec task;
        const char *want[3], *absent;
    } cases[] = {
        {"one task left: singular",
         {"A-01-02", "SKU-MUG", "Blue mug", "09506000134352", "L42", "T-07", "#1001", 3, 0, 1, 0},
         {"  PICK                      (1 task left in this list)", "  Qty   3 left   (0 of 3 picked)"},
         "tasks left"},
        {"two tasks left: plural",
         {"A-01-02", "SKU-MUG", "Blue mug", "09506000134352", "L42", "T-07", "#1001", 3, 0, 2, 0},
         {"  PICK                      (2 tasks left in this list)"},
         "task left"},
        {"zero tasks left: plural",
         {"A-01-02", "SKU-MUG", "Blue mug", "09506000134352", "L42", "T-07", "#1001", 3, 0, 0, 0},
         {"  PICK                      (0 tasks left in this list)"},
         "task left"},
        {"bin already confirmed",
         {"A-01-02", "SKU-MUG", "Blue mug", "09506000134352", "L42", "T-07", "#1001", 3, 1, 3, 1},
         {"  Bin   A-01-02      (confirmed)"},
         "scan the bin"},
        {"no lot: no lot on the GTIN line",
         {"A-01-02", "SKU-MUG", "Blue mug", "09506000134352", "", "T-07", "#1001", 3, 1, 3, 0},
         {"  GTIN  09506000134352"},
         "lot"},
        {"no GTIN: no GTIN line",
         {"A-01-02", "SKU-MUG", "Blue mug", "", "", "T-07", "#1001", 3, 1, 3, 0},
         {"  Item  SKU-MUG  Blue mug"},
         "GTIN"},
        {"more done than asked: none left, never a wrapped number",
         {"A-01-02", "SKU-MUG", "Blue mug", "09506000134352", "L42", "T-07", "#1001", 2, 3, 3, 0},
         {"  Qty   0 left   (3 of 2 picked)"},
         "4294967295"},
        {"long bin and tote codes are not cut",
         {"ZONE-B-AISLE-12-SHELF-3", "SKU-MUG", "Blue mug", "", "", "TOTE-000123456789", "#1001", 1, 0, 1, 0},
         {"  Bin   ZONE-B-AISLE-12-SHELF-3 <- scan the bin", "  Tote  TOTE-000123456789 order #1001"},
         "GTIN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cap c;
        REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
        tote_hhui_task(c.ui, pick_task(&cases[i].task));
        const char *s = screen(&c);
        for (int k = 0; k < 3 && cases[i].want[k]; k++) {
            if (!has_line(s, cases[i].want[k]))
                tt_fail_msg(__FILE__, __LINE__, "%s: no line \"%s\" on the screen:\n%s", cases[i].what,
                            cases[i].want[k], s);
        }
        if (strstr(s, cases[i].absent))
            tt_fail_msg(__FILE__, __LINE__, "%s: \"%s\" should not be on the screen:\n%s", cases[i].what,
                        cases[i].absent, s);
        cap_close(&c);
    }
}

/* The last result line and what a result changes in the pick block. */
static void test_screen_scan_results(void)
{
    static const struct {
        const char *what;
        uint8_t request;
        int accepted;
        tote_wire_reason reason;
        const char *message;
        uint32_t done;
        int replay;
        const char *last, *bin, *qty;
        int not_about_task; /* the reply carries no counts (qty_done 0, qty_left 0) */
    } cases[] = {
        {"the bin scanned", TOTE_WIRE_SCAN, 1, TOTE_REASON_OK, "bin A-01-02 confirmed: pick 2 x Blue mug", 1,
         0, "  Last: OK - bin A-01-02 confirmed: pick 2 x Blue mug", "  Bin   A-01-02      (confirmed)",
         "  Qty   2 left   (1 of 3 picked)", 0},
        {"an item picked", TOTE_WIRE_SCAN, 1, TOTE_REASON_OK, "2 of 3 SKU-MUG", 2, 0,
         "  Last: OK - 2 of 3 SKU-MUG", "  Bin   A-01-02      (confirmed)",
         "  Qty   1 left   (2 of 3 picked)", 0},
        {"wrong item refused, with its reason and message", TOTE_WIRE_SCAN, 0, TOTE_REASON_WRONG_ITEM,
         "wrong item: this pick is SKU-MUG Blue mug", 1, 0,
         "  Last: REFUSED wrong item for this pick - wrong item: this pick is SKU-MUG Blue mug",
         "  Bin   A-01-02      <- scan the bin", "  Qty   2 left   (1 of 3 picked)", 0},
        {"wrong bin refused", TOTE_WIRE_SCAN, 0, TOTE_REASON_WRONG_BIN, "wrong bin B-02: go to A-01-02", 1, 0,
         "  Last: REFUSED wrong bin - wrong bin B-02: go to A-01-02", "  Bin   A-01-02      <- scan the bin",
         "  Qty   2 left   (1 of 3 picked)", 0},
        {"refused without a message: the reason alone", TOTE_WIRE_SCAN, 0, TOTE_REASON_UNKNOWN_BARCODE, "", 1,
         0, "  Last: REFUSED barcode not known", "  Bin   A-01-02      <- scan the bin",
         "  Qty   2 left   (1 of 3 picked)", 0},
        {"a replayed scan says so", TOTE_WIRE_SCAN, 1, TOTE_REASON_OK, "2 of 3 SKU-MUG", 2, 1,
         "  Last: (replayed) OK - 2 of 3 SKU-MUG", "  Bin   A-01-02      (confirmed)",
         "  Qty   1 left   (2 of 3 picked)", 0},
        {"a short pick does not confirm the bin", TOTE_WIRE_SHORT_PICK, 1, TOTE_REASON_OK, "short 1", 2, 0,
         "  Last: OK - short 1", "  Bin   A-01-02      <- scan the bin", "  Qty   1 left   (2 of 3 picked)",
         0},
        {"a badge scan (login) neither confirms the bin nor resets the count", TOTE_WIRE_SCAN, 1,
         TOTE_REASON_OK, "operator Ann logged in", 0, 0, "  Last: OK - operator Ann logged in",
         "  Bin   A-01-02      <- scan the bin", "  Qty   2 left   (1 of 3 picked)", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cap c;
        REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
        tote_hhui_task(c.ui, pick_task(&MUG));
        tote_hhui_result(c.ui,
                         result(9, cases[i].accepted, cases[i].reason, cases[i].message, cases[i].done,
                                cases[i].not_about_task ? 0 : 3 - cases[i].done, 0),
                         cases[i].request, cases[i].replay);
        const char *s = screen(&c);
        const char *want[] = {cases[i].last, cases[i].bin, cases[i].qty};
        for (int k = 0; k < 3; k++)
            if (!has_line(s, want[k]))
                tt_fail_msg(__FILE__, __LINE__, "%s: no line \"%s\" on the screen:\n%s", cases[i].what,
                            want[k], s);
        if (cases[i].accepted && strstr(s, "REFUSED"))
            tt_fail_msg(__FILE__, __LINE__, "%s: an accepted scan shows REFUSED:\n%s", cases[i].what, s);
        cap_close(&c);
    }
}

/* A refusal changes nothing (PROTOCOL.md, RESULT.accepted): the station's
 * refusals carry qty_done 0, and the screen must keep what was picked. */
static void test_screen_refusal_keeps_the_picked_count(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    tote_hhui_task(c.ui, pick_task(&MUG));
    tote_hhui_result(c.ui, result(3, 1, TOTE_REASON_OK, "2 of 3 SKU-MUG", 2, 1, 0), TOTE_WIRE_SCAN, 0);
    CHECK_LINE(screen(&c), "  Qty   1 left   (2 of 3 picked)");
    tote_hhui_result(c.ui, result(4, 0, TOTE_REASON_UNKNOWN_BARCODE, "barcode 123 is not known", 0, 0, 0),
                     TOTE_WIRE_SCAN, 0);
    const char *s = screen(&c);
    CHECK_LINE(s, "  Qty   1 left   (2 of 3 picked)");
    CHECK_LINE(s, "  Last: REFUSED barcode not known - barcode 123 is not known");
    tote_hhui_result(c.ui, result(5, 0, TOTE_REASON_OVER_PICK, "too many", 0, 0, 0), TOTE_WIRE_SCAN, 0);
    CHECK_LINE(screen(&c), "  Qty   1 left   (2 of 3 picked)");
    cap_close(&c);
}

/* The task done: the block goes (until the next TASK), the result stays. */
static void test_screen_task_done_then_next_task(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    tote_hhui_task(c.ui, pick_task(&MUG));
    tote_hhui_result(c.ui, result(3, 1, TOTE_REASON_OK, "3 of 3 SKU-MUG done: next task", 3, 0, 1),
                     TOTE_WIRE_SCAN, 0);
    const char *s = screen(&c);
    CHECK_LINE(s, "  No task.");
    CHECK_LACKS(s, "PICK ");
    CHECK_LACKS(s, "A-01-02");
    CHECK_LINE(s, "  Last: OK - 3 of 3 SKU-MUG done: next task");

    pick_spec plate = {"B-04", "SKU-PLATE", "Red plate", "", "", "T-07", "#1002", 1, 0, 2, 0};
    tote_hhui_task(c.ui, pick_task(&plate));
    s = screen(&c);
    CHECK_LINE(s, "  PICK                      (2 tasks left in this list)");
    CHECK_LINE(s, "  Bin   B-04         <- scan the bin");
    CHECK_LINE(s, "  Item  SKU-PLATE  Red plate");
    CHECK_LINE(s, "  Qty   1 left   (0 of 1 picked)");
    CHECK_LINE(s, "  Tote  T-07         order #1002");
    CHECK_LINE(s, "  Last: OK - 3 of 3 SKU-MUG done: next task"); /* still the last result */
    CHECK_LACKS(s, "No task.");
    cap_close(&c);
}

static void test_screen_no_task(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    tote_hhui_no_task(c.ui, no_task("no work released")); /* no task before either: still drawn */
    CHECK_EQ(frames(&c), 1);
    CHECK_LINE(screen(&c), "  No task.");
    CHECK_LINE(screen(&c), "  no task: no work released");
    tote_hhui_task(c.ui, pick_task(&MUG));
    tote_hhui_no_task(c.ui, no_task("pick list taken by hh-8"));
    const char *s = screen(&c);
    CHECK_LINE(s, "  No task.");
    CHECK_LINE(s, "  no task: pick list taken by hh-8");
    CHECK_LACKS(s, "PICK ");
    CHECK_LACKS(s, "no work released");
    cap_close(&c);
}

/* ---------------- screen: packing ---------------- */

static void test_screen_pack_task_and_package(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "pack-2", TOTE_ROLE_PACKER), 0);
    tote_hhui_hello(c.ui, hello_ok("1.2.3", "Bo"), 5, 0);
    tote_hhui_task(c.ui, pack_task("#1001", "T-07"));
    const char *s = screen(&c);
    CHECK_LINE(s, "Tote handheld pack-2 (packer)   ONLINE   operator Bo");
    CHECK_LINE(s, "  PACK  order #1001 from tote T-07  <- scan the tote or order");
    CHECK_LACKS(s, "PICK");
    CHECK_LACKS(s, "Bin ");
    CHECK_LACKS(s, "Package");

    tote_hhui_pack_state(c.ui, pack_state(6, 1, TOTE_REASON_OK, "1 x SKU-MUG"), TOTE_WIRE_PACK_ITEM, 0);
    s = screen(&c);
    CHECK_LINE(s, "  PACK  order #1001 from tote T-07  <- scan the tote or order");
    CHECK_LINE(s, "  Package 1 of order #1001: open   weight 0 g (expected 640 g)");
    CHECK_LINE(s, "   ok SKU-MUG          2/2   Blue mug");
    CHECK_LINE(s, "      SKU-PLATE        0/1   Red plate");
    CHECK_LINE(s, "  Last: OK - 1 x SKU-MUG");
    /* the package comes after the task block, before the last result */
    const char *pk = strstr(s, "  Package "), *pa = strstr(s, "  PACK "), *la = strstr(s, "  Last: ");
    CHECK(pa && pk && la && pa < pk && pk < la);

    /* weighed, closed, with a tracking number; then a refused label scan */
    tote_wire_msg *ps = pack_state(7, 1, TOTE_REASON_OK, "label printed");
    ps->u.pack_state.weight_g = 655;
    ps->u.pack_state.status = 2;
    ps->u.pack_state.lines[1].packed = 1;
    SET(ps->u.pack_state.tracking, "RR123456785NL");
    tote_hhui_pack_state(c.ui, ps, TOTE_WIRE_PACK_CLOSE, 0);
    s = screen(&c);
    CHECK_LINE(s,
               "  Package 1 of order #1001: closed   weight 655 g (expected 640 g)   tracking RR123456785NL");
    CHECK_LINE(s, "   ok SKU-PLATE        1/1   Red plate");
    ps = pack_state(8, 0, TOTE_REASON_WRONG_LABEL, "that is not RR123456785NL");
    ps->u.pack_state.status = 2;
    SET(ps->u.pack_state.tracking, "RR123456785NL");
    tote_hhui_pack_state(c.ui, ps, TOTE_WIRE_LABEL_CONFIRM, 0);
    s = screen(&c);
    CHECK_LINE(s, "  Last: REFUSED label does not belong to this package - that is not RR123456785NL");
    CHECK_LINE(s, "  PACK  order #1001 from tote T-07  <- scan the tote or order");

    /* shipped: the task is over, the package stays to be seen */
    ps = pack_state(9, 1, TOTE_REASON_OK, "shipped");
    ps->u.pack_state.status = 3;
    SET(ps->u.pack_state.tracking, "RR123456785NL");
    tote_hhui_pack_state(c.ui, ps, TOTE_WIRE_LABEL_CONFIRM, 0);
    s = screen(&c);
    CHECK_LINE(s, "  No task.");
    CHECK_LACKS(s, "  PACK ");
    CHECK_LINE(s,
               "  Package 1 of order #1001: shipped   weight 0 g (expected 640 g)   tracking RR123456785NL");
    CHECK_LINE(s, "  Last: OK - shipped");

    /* the next order: the old package goes */
    tote_hhui_task(c.ui, pack_task("#1002", "T-09"));
    s = screen(&c);
    CHECK_LINE(s, "  PACK  order #1002 from tote T-09  <- scan the tote or order");
    CHECK_LACKS(s, "Package");
    CHECK_LACKS(s, "#1001");
    cap_close(&c);
}

/* A PACK_STATE with no order and no lines (nothing open: a refusal) keeps the
 * package on screen; the status names; more lines than fit are not read. */
static void test_screen_package_edge_cases(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "pack-2", TOTE_ROLE_PACKER), 0);
    tote_hhui_task(c.ui, pack_task("#1001", "T-07"));
    tote_hhui_pack_state(c.ui, pack_state(6, 1, TOTE_REASON_OK, ""), TOTE_WIRE_PACK_OPEN, 0);
    static tote_wire_msg empty;
    tote_wire_init(&empty, TOTE_WIRE_PACK_STATE, "pack-2", 7);
    empty.u.pack_state.reason = TOTE_REASON_NO_PACKAGE;
    tote_hhui_pack_state(c.ui, &empty, TOTE_WIRE_PACK_WEIGHT, 0);
    const char *s = screen(&c);
    CHECK_LINE(s, "  Package 1 of order #1001: open   weight 0 g (expected 640 g)");
    CHECK_LINE(s, "  Last: REFUSED no package open");
    cap_close(&c);

    static const struct {
        uint8_t status;
        const char *name;
    } st[] = {{0, "none"}, {1, "open"}, {2, "closed"}, {3, "shipped"}, {4, "unknown"}, {200, "unknown"}};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "pack-2", TOTE_ROLE_PACKER), 0);
        tote_wire_msg *ps = pack_state(6, 1, TOTE_REASON_OK, "");
        ps->u.pack_state.status = st[i].status;
        tote_hhui_pack_state(c.ui, ps, TOTE_WIRE_PACK_OPEN, 0);
        char want[128];
        snprintf(want, sizeof want, "  Package 1 of order #1001: %s   weight 0 g (expected 640 g)",
                 st[i].name);
        CHECK_LINE(screen(&c), want);
        cap_close(&c);
    }

    /* line_count beyond the array: only the lines there are */
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "pack-2", TOTE_ROLE_PACKER), 0);
    tote_wire_msg *ps = pack_state(6, 1, TOTE_REASON_OK, "");
    for (int i = 0; i < TOTE_WIRE_PACK_LINES_MAX; i++) {
        snprintf(ps->u.pack_state.lines[i].sku, sizeof ps->u.pack_state.lines[i].sku, "SKU-%02d", i);
        SET(ps->u.pack_state.lines[i].name, "thing");
        ps->u.pack_state.lines[i].expected = 1;
        ps->u.pack_state.lines[i].packed = (uint32_t)(i % 2);
    }
    ps->u.pack_state.line_count = TOTE_WIRE_PACK_LINES_MAX + 10;
    tote_hhui_pack_state(c.ui, ps, TOTE_WIRE_PACK_OPEN, 0);
    s = screen(&c);
    CHECK_EQ(lines_starting(s, "   "), TOTE_WIRE_PACK_LINES_MAX); /* package rows, and nothing more */
    CHECK_EQ(count_of(s, " thing\n"), TOTE_WIRE_PACK_LINES_MAX);
    CHECK_EQ(count_of(s, "   ok SKU-"), TOTE_WIRE_PACK_LINES_MAX / 2);
    CHECK_LINE(s, "      SKU-00           0/1   thing");
    CHECK_LINE(s, "   ok SKU-47           1/1   thing");
    cap_close(&c);
}

/* ---------------- screen: everything else it shows ---------------- */

static void test_screen_return_mode(void)
{
    static const struct {
        int on;
        uint8_t disposition;
        const char *location, *reason, *want;
    } cases[] = {
        {1, TOTE_RETURN_RESTOCK, "R-09", "customer changed mind",
         "  RETURNS  restock into R-09, reason: customer changed mind"},
        {1, TOTE_RETURN_RESTOCK, "", "", "  RETURNS  restock"},
        {1, TOTE_RETURN_QUARANTINE, "", "damaged", "  RETURNS  quarantine, reason: damaged"},
        {1, TOTE_RETURN_QUARANTINE, "", "", "  RETURNS  quarantine"},
        {0, TOTE_RETURN_RESTOCK, "R-09", "damaged", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cap c;
        REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PACKER), 0);
        tote_hhui_hello(c.ui, hello_ok("1.2.3", "Bo"), 5, 0);
        tote_hhui_mode(c.ui, cases[i].on, cases[i].disposition, cases[i].location, cases[i].reason);
        const char *s = screen(&c);
        if (cases[i].want) {
            CHECK_LINE(s, cases[i].want);
            /* below the header rule, above the task */
            const char *r = strstr(s, "  RETURNS"), *rule = strstr(s, "-----"), *t = strstr(s, "  No task.");
            CHECK(r && rule && t && rule < r && r < t);
        } else {
            CHECK_LACKS(s, "RETURNS");
        }
        cap_close(&c);
    }

    /* on, then off again: the line goes */
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PACKER), 0);
    tote_hhui_mode(c.ui, 1, TOTE_RETURN_RESTOCK, "", "");
    CHECK_LINE(screen(&c), "  RETURNS  restock");
    tote_hhui_mode(c.ui, 0, TOTE_RETURN_RESTOCK, "", "");
    CHECK_LACKS(screen(&c), "RETURNS");
    cap_close(&c);
}

/* Offline in return mode: both lines, the offline one first. */
static void test_screen_offline_and_return_mode_together(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PACKER), 0);
    tote_hhui_mode(c.ui, 1, TOTE_RETURN_QUARANTINE, "", "");
    tote_hhui_offline(c.ui, 4);
    const char *s = screen(&c);
    const char *off = strstr(s, "  STATION NOT ANSWERING"), *ret = strstr(s, "  RETURNS  quarantine");
    CHECK(off && ret && off < ret);
    cap_close(&c);
}

/* Errors are the last result; notices and the scanner have lines of their own. */
static void test_screen_errors_notices_scanner(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    tote_hhui_scanner(c.ui, "serial-ssi", "connected to /dev/ttyACM0");
    tote_hhui_hello(c.ui, hello_ok("1.2.3", "Ada"), 5, 0);
    tote_hhui_task(c.ui, pick_task(&MUG));
    tote_hhui_error(c.ui, "DENIED", "pickers may not do that", 6, TOTE_WIRE_SCAN);
    const char *s = screen(&c);
    CHECK_LINE(s, "  Last: ERROR DENIED: pickers may not do that");
    CHECK_LINE(s, "  Scanner: serial-ssi: connected to /dev/ttyACM0");
    CHECK_LINE(s, "  Bin   A-01-02      <- scan the bin"); /* an error changes nothing */

    tote_hhui_error(c.ui, "BAD_COMMAND", "unknown command !frobnicate; !help lists them", 0, 0);
    CHECK_LINE(screen(&c), "  Last: ERROR BAD_COMMAND: unknown command !frobnicate; !help lists them");

    tote_hhui_info(c.ui, "logged out");
    s = screen(&c);
    CHECK_LINE(s, "  logged out");
    CHECK_LINE(s, "  Last: ERROR BAD_COMMAND: unknown command !frobnicate; !help lists them");
    /* the notice sits under the last result, the scanner under the notice */
    const char *la = strstr(s, "  Last: "), *no = strstr(s, "  logged out"), *sc = strstr(s, "  Scanner: ");
    CHECK(la && no && sc && la < no && no < sc);

    tote_hhui_scanner(c.ui, "serial-ssi", "unplugged; waiting for it");
    CHECK_LINE(screen(&c), "  Scanner: serial-ssi: unplugged; waiting for it");
    CHECK_LACKS(screen(&c), "/dev/ttyACM0");
    cap_close(&c);
}

/* The longest fields the wire allows are shown whole (the 255-byte message
 * after the longest reason text) and never overflow. */
static void test_screen_longest_fields(void)
{
    char longtext[TOTE_WIRE_TEXT_MAX + 1], longshort[TOTE_WIRE_SHORT_MAX + 1];
    memset(longtext, 'm', TOTE_WIRE_TEXT_MAX);
    longtext[TOTE_WIRE_TEXT_MAX] = '\0';
    memset(longshort, 's', TOTE_WIRE_SHORT_MAX);
    longshort[TOTE_WIRE_SHORT_MAX] = '\0';
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_SCREEN, "hh-7", TOTE_ROLE_PICKER), 0);
    tote_hhui_hello(c.ui, hello_ok(longshort, longtext), 5, 0);
    pick_spec p = {longshort, longshort, longtext, longshort, longshort, longshort, longshort, 9, 0, 1, 0};
    tote_hhui_task(c.ui, pick_task(&p));
    tote_hhui_mode(c.ui, 1, TOTE_RETURN_RESTOCK, longshort, longtext);
    tote_hhui_result(c.ui, result(3, 0, TOTE_REASON_WRONG_LABEL, longtext, 0, 9, 0), TOTE_WIRE_SCAN, 1);
    const char *s = screen(&c);
    char want[1024];
    snprintf(want, sizeof want, "  Last: (replayed) REFUSED label does not belong to this package - %s",
             longtext);
    CHECK_LINE(s, want);
    snprintf(want, sizeof want, "  RETURNS  restock into %s, reason: %s", longshort, longtext);
    CHECK_LINE(s, want);
    snprintf(want, sizeof want, "  Item  %s  %s", longshort, longtext);
    CHECK_LINE(s, want);
    snprintf(want, sizeof want, "Tote handheld hh-7 (picker)   ONLINE   operator %s", longtext);
    CHECK_LINE(s, want);
    tote_hhui_no_task(c.ui, no_task(longtext));
    snprintf(want, sizeof want, "  no task: %s", longtext);
    CHECK_LINE(screen(&c), want);
    cap_close(&c);
}

/* ---------------- AUTO ---------------- */

/* On a file AUTO writes lines; on a terminal it draws the screen. */
static void test_auto_picks_lines_on_a_file_and_screen_on_a_terminal(void)
{
    FILE *f = tmpfile();
    REQUIRE(f != NULL);
    tote_hhui *ui = tote_hhui_new(f, TOTE_HHUI_AUTO, "hh-7", TOTE_ROLE_PICKER);
    REQUIRE(ui != NULL);
    tote_hhui_offline(ui, 2);
    tote_hhui_destroy(&ui);
    tote_hhui_destroy(&ui); /* NULL-safe */
    tote_hhui_destroy(NULL);
    char text[256] = "";
    rewind(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    CHECK_STR(text, "offline, 2 queued\n");

    int master = posix_openpt(O_RDWR | O_NOCTTY);
    REQUIRE(master >= 0);
    REQUIRE_EQ(grantpt(master), 0);
    REQUIRE_EQ(unlockpt(master), 0);
    const char *name = ptsname(master);
    REQUIRE(name != NULL);
    int slave = open(name, O_RDWR | O_NOCTTY);
    REQUIRE(slave >= 0);
    FILE *tty = fdopen(slave, "w");
    REQUIRE(tty != NULL);
    ui = tote_hhui_new(tty, TOTE_HHUI_AUTO, "hh-7", TOTE_ROLE_PICKER);
    REQUIRE(ui != NULL);
    tote_hhui_offline(ui, 2);
    tote_hhui_destroy(&ui);
    char got[8192];
    size_t have = 0;
    while (have < sizeof got - 1 && !memchr(got, '!', have)) { /* read up to the keys line */
        struct pollfd p = {master, POLLIN, 0};
        if (poll(&p, 1, tt_ms(2000)) <= 0)
            break;
        ssize_t r = read(master, got + have, sizeof got - 1 - have);
        if (r <= 0)
            break;
        have += (size_t)r;
    }
    got[have] = '\0';
    fclose(tty);
    close(master);
    CHECK(strncmp(got, CLEAR, strlen(CLEAR)) == 0);
    CHECK_HAS(got, "STATION NOT ANSWERING - scans are kept and sent later (2 queued)");
    CHECK(strstr(got, "offline, 2 queued") == NULL);
}

/* ---------------- plain lines ---------------- */

/* Lines (stdout a pipe or a file): one exact sentence per event. */
static void test_lines_one_sentence_per_event(void)
{
    static const struct {
        fire_fn fire;
        const char *line;
    } cases[] = {
        {l_hello, "connected to station 1.2.3 as hh-7 (picker), operator Ada; next seq 5, 2 queued"},
        {l_hello_no_op, "connected to station 1.2.3 as hh-7 (picker); next seq 1, 0 queued"},
        {l_pick, "task: pick 2 x SKU-MUG (Blue mug) from bin A-01-02 into tote T-07 for order #1001"},
        {l_pack, "task: pack order #1001 from tote T-07"},
        {l_no_task, "no task: no work released"},
        {l_ok, "SCAN #3: ok - 2 of 3 SKU-MUG"},
        {l_ok_bare, "SHORT_PICK #3: ok"},
        {l_refused, "SCAN #4: REFUSED: wrong item for this pick - this pick is SKU-MUG"},
        {l_replayed, "replayed SCAN #2: REFUSED: more than the quantity asked for"},
        {l_pack_state, "PACK_WEIGHT #7: ok (order #1001, package 1 open, 640/640 g)"},
        {l_pack_refused, "replayed PACK_CLOSE #8: REFUSED: weight outside tolerance - 655 g, expected 640 g "
                         "(order #1001, package 1 closed, 655/640 g, tracking RR123456785NL)"},
        {l_offline, "offline, 3 queued"},
        {l_queued, "offline: SCAN kept in the outbox, 4 queued"},
        {l_online, "online again, replaying 4 queued"},
        {l_replayed_one, "replayed 1 queued request, 0 refused"},
        {l_replayed_two, "replayed 2 queued requests, 1 refused"},
        {l_replayed_none, "replayed 0 queued requests, 0 refused"},
        {l_error, "error DENIED: pickers may not do that"},
        {l_scanner, "scanner stdin: ready"},
        {l_mode_on, "return mode on (restock into R-09, reason: damaged)"},
        {l_mode_off, "return mode off (quarantine)"},
        {l_info, "quitting"},
    };
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_LINES, "hh-7", TOTE_ROLE_PICKER), 0);
    size_t at = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cases[i].fire(c.ui);
        const char *t = cap_text(&c);
        char want[1024];
        snprintf(want, sizeof want, "%s\n", cases[i].line);
        CHECK_STR(t + at, want); /* exactly this one line, flushed at once */
        at = strlen(t);
    }
    CHECK(strchr(cap_text(&c), '\033') == NULL); /* never a screen */
    CHECK_EQ(lines_in(cap_text(&c)), (int)(sizeof cases / sizeof cases[0]));
    cap_close(&c);
}

TT_MAIN(TT_TEST(test_screen_one_full_frame_per_event), TT_TEST(test_keys_line_by_role_and_mode),
        TT_TEST(test_screen_header_before_the_station_answers),
        TT_TEST(test_screen_hello_online_operator_and_queue),
        TT_TEST(test_screen_offline_says_station_not_answering),
        TT_TEST(test_screen_offline_queue_online_replay), TT_TEST(test_screen_pick_task_block),
        TT_TEST(test_screen_pick_task_variants), TT_TEST(test_screen_scan_results),
        TT_TEST(test_screen_refusal_keeps_the_picked_count), TT_TEST(test_screen_task_done_then_next_task),
        TT_TEST(test_screen_no_task), TT_TEST(test_screen_pack_task_and_package),
        TT_TEST(test_screen_package_edge_cases), TT_TEST(test_screen_return_mode),
        TT_TEST(test_screen_offline_and_return_mode_together), TT_TEST(test_screen_errors_notices_scanner),
        TT_TEST(test_screen_longest_fields),
        TT_TEST(test_auto_picks_lines_on_a_file_and_screen_on_a_terminal),
        TT_TEST(test_lines_one_sentence_per_event))
