/*
 * The USB HID POS transport (libusb) against an emulated usbdevfs device
 * (umockdev, in-process ioctl handler completing interrupt URBs): scans,
 * continuation, bad reports, unplug/replug, discovery by usage page,
 * listing, auto. Runs under umockdev-wrapper (ctest hw.usb).
 */
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"
#include "support.h"
#include "test.h"
#include "tote/hidpos.h"
#include "tote/scanner.h"
#include "tote/wire.h"

static emu_bed *the_bed;

static void free_bed(void)
{
    emu_bed_free(&the_bed);
}

static emu_bed *bed(void)
{
    if (!the_bed) {
        the_bed = emu_bed_new();
        atexit(free_bed);
    }
    return the_bed;
}

static const tote_scanner_opts fast = {.reopen_ms = 50};

static tote_hh_err wait_read(tote_scanner *sc, tote_scan_event *ev, int timeout_ms)
{
    long long end = tt_now_ms() + timeout_ms;
    for (;;) {
        tote_hh_err e = tote_scanner_read(sc, ev);
        if (e != TOTE_HH_E_TIMEOUT)
            return e;
        long long left = end - tt_now_ms();
        if (left <= 0)
            return TOTE_HH_E_TIMEOUT;
        struct pollfd pfd = {.fd = tote_scanner_fd(sc), .events = POLLIN};
        poll(&pfd, 1, (int)left);
    }
}

static int wait_status(tote_scanner *sc, const char *prefix, int timeout_ms)
{
    long long end = tt_now_ms() + timeout_ms;
    while (strncmp(tote_scanner_status(sc), prefix, strlen(prefix)) != 0) {
        if (tt_now_ms() > end)
            return -1;
        tt_sleep_ms(5);
    }
    return 0;
}

#define EXPECT_SCAN(sc_, aim_, text_, n_)                       \
    do {                                                        \
        tote_scan_event ev_;                                    \
        REQUIRE_EQ(wait_read((sc_), &ev_, 3000), TOTE_HH_E_OK); \
        CHECK_STR(ev_.symbology, (aim_));                       \
        CHECK_MEM(ev_.data, ev_.len, (text_), (n_));            \
    } while (0)

/* Each test gets its own device (a fresh serial number) and unplugs it. */
static emu_usb *plug(const char *serial, uint16_t pid)
{
    return bed() ? emu_usb_add(bed(), 0x0c2e, pid, serial) : NULL;
}

static void test_scan_by_vid_pid(void)
{
    emu_usb *u = plug("H1", 0x0b61);
    REQUIRE(u != NULL);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("usb:0c2e:0b61", &fast, &sc), TOTE_HH_E_OK);
    CHECK_STR(tote_scanner_kind(sc), "usb");
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    CHECK_EQ(emu_usb_claimed(u), 1);
    const char *gs1 = "0109506000134352\x1d"
                      "10LOT7";
    REQUIRE_EQ(emu_usb_scan(u, "]C1", gs1, strlen(gs1)), 0);
    EXPECT_SCAN(sc, "]C1", gs1, strlen(gs1));
    REQUIRE_EQ(emu_usb_scan(u, "", "SKU-1000", 8), 0);
    EXPECT_SCAN(sc, "", "SKU-1000", 8);
    CHECK_EQ(tote_scanner_feedback(sc, TOTE_FEEDBACK_GOOD), TOTE_HH_E_OK);
    tote_scanner_destroy(&sc);
    CHECK_EQ(emu_usb_claimed(u), 0); /* released on destroy */
    emu_usb_unplug(u);
}

static void test_long_barcode_in_continued_reports(void)
{
    emu_usb *u = plug("H2", 0x0b62);
    REQUIRE(u != NULL);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("usb:0c2e:0b62", &fast, &sc), TOTE_HH_E_OK);
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    char big[300];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('A' + i % 26);
    REQUIRE_EQ(emu_usb_scan(u, "]d2", big, sizeof big), 0); /* 6 reports */
    EXPECT_SCAN(sc, "]d2", big, sizeof big);
    REQUIRE_EQ(emu_usb_scan(u, "]E0", "4006381333931", 13), 0);
    EXPECT_SCAN(sc, "]E0", "4006381333931", 13);
    tote_scan_event ev;
    CHECK_EQ(tote_scanner_read(sc, &ev), TOTE_HH_E_TIMEOUT);
    tote_scanner_destroy(&sc);
    emu_usb_unplug(u);
}

static void test_bad_and_foreign_reports(void)
{
    emu_usb *u = plug("H3", 0x0b63);
    REQUIRE(u != NULL);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("usb:0c2e:0b63", &fast, &sc), TOTE_HH_E_OK);
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    uint8_t r[64] = {0x04, 0x03, 'x'}; /* another report id: not a scan, ignored */
    REQUIRE_EQ(emu_usb_report(u, r), 0);
    uint8_t bad[64] = {0x02, 0x00}; /* length 0: refused */
    REQUIRE_EQ(emu_usb_report(u, bad), 0);
    tote_scan_event ev;
    CHECK_EQ(wait_read(sc, &ev, 3000), TOTE_HH_E_PROTOCOL);
    REQUIRE_EQ(emu_usb_scan(u, "]C0", "AFTER", 5), 0);
    EXPECT_SCAN(sc, "]C0", "AFTER", 5);
    tote_scanner_destroy(&sc);
    emu_usb_unplug(u);
}

static void test_unplug_reports_once_and_replug_resumes(void)
{
    emu_usb *u = plug("H4", 0x0b64);
    REQUIRE(u != NULL);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("usb:0c2e:0b64", &fast, &sc), TOTE_HH_E_OK);
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    REQUIRE_EQ(emu_usb_scan(u, "]C0", "BEFORE", 6), 0);
    EXPECT_SCAN(sc, "]C0", "BEFORE", 6);
    long long t_unplug = tt_now_ms();
    emu_usb_unplug(u);
    tote_scan_event ev;
    REQUIRE_EQ(wait_read(sc, &ev, 3000), TOTE_HH_E_DISCONNECTED);
    printf("unplug noticed after %lld ms\n", tt_now_ms() - t_unplug);
    CHECK_EQ(wait_status(sc, "disconnected", 1000), 0);
    CHECK_HAS(tote_scanner_status(sc), "0c2e:0b64");
    CHECK_EQ(tote_scanner_feedback(sc, TOTE_FEEDBACK_GOOD), TOTE_HH_E_DISCONNECTED);
    CHECK_EQ(wait_read(sc, &ev, 300), TOTE_HH_E_TIMEOUT); /* once per unplug */
    long long t_plug = tt_now_ms();
    REQUIRE_EQ(emu_usb_replug(u), 0);
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    printf("replug noticed after %lld ms\n", tt_now_ms() - t_plug);
    REQUIRE_EQ(emu_usb_scan(u, "]C0", "AGAIN", 5), 0);
    EXPECT_SCAN(sc, "]C0", "AGAIN", 5);
    tote_scanner_destroy(&sc);
    emu_usb_unplug(u);
}

static void test_found_by_usage_page(void)
{
    emu_usb *u = plug("H5", 0x0b65);
    REQUIRE(u != NULL);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("usb", &fast, &sc), TOTE_HH_E_OK);
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    REQUIRE_EQ(emu_usb_scan(u, "]Q3", "00106141411234567897", 20), 0);
    EXPECT_SCAN(sc, "]Q3", "00106141411234567897", 20);
    tote_scanner_destroy(&sc);
    emu_usb_unplug(u);
}

static void test_keyboard_mode_is_not_taken(void)
{
    emu_usb *k = bed() ? emu_usb_add_keyboard(bed(), 0x0c2e, 0x0b70, "KB1") : NULL;
    REQUIRE(k != NULL);
    /* "usb" skips it (its report descriptor is a keyboard's) */
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("usb", &fast, &sc), TOTE_HH_E_OK);
    CHECK_EQ(wait_status(sc, "disconnected: no USB HID POS scanner found", 3000), 0);
    CHECK_EQ(emu_usb_claimed(k), 0); /* looked at, then let go */
    tote_scanner_destroy(&sc);
    /* named explicitly: the status says what to change on the scanner */
    REQUIRE_EQ(tote_scanner_new_opts("usb:0c2e:0b70", &fast, &sc), TOTE_HH_E_OK);
    CHECK_EQ(wait_status(sc, "disconnected: USB 0c2e:0b70 has no HID POS interface", 3000), 0);
    CHECK_HAS(tote_scanner_status(sc), "HID POS mode");
    tote_scanner_destroy(&sc);
    /* and a HID POS scanner next to it is found */
    emu_usb *u = plug("H8", 0x0b68);
    REQUIRE(u != NULL);
    REQUIRE_EQ(tote_scanner_new_opts("usb", &fast, &sc), TOTE_HH_E_OK);
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    REQUIRE_EQ(emu_usb_scan(u, "]C0", "POS", 3), 0);
    EXPECT_SCAN(sc, "]C0", "POS", 3);
    CHECK_EQ(emu_usb_claimed(k), 0);
    tote_scanner_destroy(&sc);
    emu_usb_unplug(u);
    emu_usb_unplug(k);
}

static void test_absent_device_keeps_trying(void)
{
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("usb:1234:5678", &fast, &sc), TOTE_HH_E_OK);
    CHECK_EQ(wait_status(sc, "disconnected: no HID interface on USB 1234:5678", 3000), 0);
    tote_scan_event ev;
    CHECK_EQ(tote_scanner_read(sc, &ev), TOTE_HH_E_TIMEOUT);
    CHECK_EQ(tote_scanner_feedback(sc, TOTE_FEEDBACK_ERROR), TOTE_HH_E_DISCONNECTED);
    tote_scanner_destroy(&sc);
}

static void test_list_and_auto(void)
{
    emu_usb *u = plug("H6", 0x0b66);
    REQUIRE(u != NULL);
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    CHECK(tote_scanner_list(f, 1) >= 1);
    fclose(f);
    CHECK_HAS(text, "\"vid_pid\": \"0c2e:0b66\"");
    CHECK_HAS(text, "\"serial\": \"H6\"");
    CHECK_HAS(text, "\"spec\": \"usb:0c2e:0b66\"");
    free(text);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("auto", &fast, &sc), TOTE_HH_E_OK);
    CHECK_STR(tote_scanner_kind(sc), "usb");
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    REQUIRE_EQ(emu_usb_scan(u, "", "AUTO", 4), 0);
    EXPECT_SCAN(sc, "", "AUTO", 4);
    tote_scanner_destroy(&sc);
    emu_usb_unplug(u);
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static void test_latency(void)
{
    emu_usb *u = plug("H7", 0x0b67);
    REQUIRE(u != NULL);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("usb:0c2e:0b67", &fast, &sc), TOTE_HH_E_OK);
    REQUIRE_EQ(wait_status(sc, "connected", 3000), 0);
    enum { N = 200 };
    static long long us[N];
    int got = 0;
    for (int i = 0; i < N; i++) {
        char text[16];
        int len = snprintf(text, sizeof text, "SKU-%04d", i);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        REQUIRE_EQ(emu_usb_scan(u, "]C0", text, (size_t)len), 0);
        tote_scan_event ev;
        tote_hh_err e = wait_read(sc, &ev, 3000);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (e != TOTE_HH_E_OK || ev.len != (size_t)len || memcmp(ev.data, text, (size_t)len) != 0) {
            tt_fail_msg(__FILE__, __LINE__, "scan %d lost or wrong", i);
            break;
        }
        us[got++] = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
    }
    REQUIRE_EQ(got, N);
    qsort(us, N, sizeof us[0], cmp_ll);
    printf("USB HID POS scan latency over %d scans (report queued -> read): p50 %lld us, p99 %lld us\n", N,
           us[N / 2], us[N * 99 / 100]);
    tote_scanner_destroy(&sc);
    emu_usb_unplug(u);
}

TT_MAIN(TT_TEST(test_scan_by_vid_pid), TT_TEST(test_long_barcode_in_continued_reports),
        TT_TEST(test_bad_and_foreign_reports), TT_TEST(test_unplug_reports_once_and_replug_resumes),
        TT_TEST(test_found_by_usage_page), TT_TEST(test_keyboard_mode_is_not_taken),
        TT_TEST(test_absent_device_keeps_trying), TT_TEST(test_list_and_auto), TT_TEST(test_latency))
