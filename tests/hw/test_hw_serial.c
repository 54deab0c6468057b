/*
 * The serial scanner transport (libserialport) against an emulated CDC-ACM
 * scanner (umockdev): SSI handshake, framing faults, retransmissions,
 * feedback, plain lines, unplug/replug, listing, and scan latency.
 * Runs under umockdev-wrapper (ctest hw.serial).
 */
#include <poll.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"
#include "support.h"
#include "test.h"
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

static const tote_scanner_opts fast = {.response_timeout_ms = 150, .reopen_ms = 50};

/* Waits for the next non-TIMEOUT read result. */
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
        REQUIRE_EQ(wait_read((sc_), &ev_, 2000), TOTE_HH_E_OK); \
        CHECK_STR(ev_.symbology, (aim_));                       \
        CHECK_MEM(ev_.data, ev_.len, (text_), (n_));            \
    } while (0)

typedef struct rig {
    emu_serial *port;
    emu_ssi *zebra;
    tote_scanner *sc;
    char spec[128];
} rig;

/* A Zebra in SSI mode on a fresh ttyACM, the transport connected to it and
 * its init sequence consumed (checked by test_init_sequence). */
static int rig_up(rig *r, const char *mode)
{
    memset(r, 0, sizeof *r);
    if (!bed())
        return -1;
    r->port = emu_serial_add(bed(), NULL, 0x05e0, 0x1701, "ZEBRA1");
    if (!r->port)
        return -1;
    r->zebra = emu_ssi_start(r->port);
    char path[64];
    snprintf(path, sizeof path, "/dev/serial/by-id/usb-Emulated_ZEBRA1-if00");
    snprintf(r->spec, sizeof r->spec, "serial:%s,%s,9600", path, mode);
    if (tote_scanner_new_opts(r->spec, &fast, &r->sc) != TOTE_HH_E_OK)
        return -1;
    if (wait_status(r->sc, "connected", 2000) != 0)
        return -1;
    if (strcmp(mode, "ssi") == 0) {
        tote_ssi_frame f;
        if (emu_ssi_expect(r->zebra, TOTE_SSI_SCAN_ENABLE, &f, 2000) != 0)
            return -1;
        emu_ssi_clear(r->zebra);
    }
    return 0;
}

static void rig_down(rig *r)
{
    tote_scanner_destroy(&r->sc);
    emu_ssi_stop(&r->zebra);
    if (r->port)
        emu_serial_unplug(r->port);
}

static void test_init_sequence(void)
{
    REQUIRE(bed() != NULL);
    emu_serial *port = emu_serial_add(bed(), NULL, 0x05e0, 0x1701, "INIT1");
    REQUIRE(port != NULL);
    emu_ssi *z = emu_ssi_start(port);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("serial:/dev/serial/by-id/usb-Emulated_INIT1-if00,ssi", &fast, &sc),
               TOTE_HH_E_OK);
    CHECK_STR(tote_scanner_kind(sc), "serial-ssi");
    tote_ssi_frame f;
    /* in this order: PARAM_SEND 0xEE=1 (temporary), PARAM_SEND AIM id, SCAN_ENABLE */
    REQUIRE_EQ(emu_ssi_expect(z, 0, &f, 2000), 0);
    CHECK_EQ(f.opcode, TOTE_SSI_PARAM_SEND);
    CHECK_EQ(f.source, TOTE_SSI_SRC_HOST);
    CHECK_EQ(f.status & TOTE_SSI_ST_PERMANENT, 0);
    uint8_t want1[] = {0xFF, 0xEE, 0x01};
    CHECK_MEM(f.data, f.dlen, want1, sizeof want1);
    REQUIRE_EQ(emu_ssi_expect(z, 0, &f, 2000), 0);
    CHECK_EQ(f.opcode, TOTE_SSI_PARAM_SEND);
    uint8_t want2[] = {0xFF, 0x2D, 0x01};
    CHECK_MEM(f.data, f.dlen, want2, sizeof want2);
    REQUIRE_EQ(emu_ssi_expect(z, 0, &f, 2000), 0);
    CHECK_EQ(f.opcode, TOTE_SSI_SCAN_ENABLE);
    CHECK_EQ(f.status, 0); /* each was ACKed at once: no retransmissions */
    CHECK(emu_ssi_wakeups(z) >= 1);
    CHECK_STR(tote_scanner_status(sc), "connected");
    tt_sleep_ms(400); /* > 2 response timeouts: nothing resent */
    CHECK_EQ(emu_ssi_count(z, 0), 0);
    tote_scanner_destroy(&sc);
    emu_ssi_stop(&z);
    emu_serial_unplug(port);
}

static void test_decode_data_split_across_writes_is_acked(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    REQUIRE_EQ(emu_ssi_send_barcode(r.zebra, 0x03, "SKU-1000", 8, 0, 3), 0);
    EXPECT_SCAN(r.sc, "]C0", "SKU-1000", 8);
    tote_ssi_frame f;
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_CMD_ACK, &f, 1000), 0);
    CHECK_EQ(f.source, TOTE_SSI_SRC_HOST);
    /* EAN-13 and an AIM prefix sent inside the data */
    REQUIRE_EQ(emu_ssi_send_barcode(r.zebra, 0x0B, "4006381333931", 13, 0, 1), 0);
    EXPECT_SCAN(r.sc, "]E0", "4006381333931", 13);
    const char *gs1 = "]C10109506000134352\x1d"
                      "10LOT7";
    REQUIRE_EQ(emu_ssi_send_barcode(r.zebra, 0x0F, gs1, strlen(gs1), 0, 0), 0);
    EXPECT_SCAN(r.sc, "]C1", gs1 + 3, strlen(gs1) - 3);
    rig_down(&r);
}

static void test_several_frames_in_one_write(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    uint8_t buf[200];
    size_t n = tote_ssi_build_decode_data(0x03, 0, (const uint8_t *)"A-1", 3, buf, sizeof buf);
    n += tote_ssi_build_decode_data(0x03, 0, (const uint8_t *)"A-2", 3, buf + n, sizeof buf - n);
    n += tote_ssi_build_decode_data(0x03, 0, (const uint8_t *)"A-3", 3, buf + n, sizeof buf - n);
    REQUIRE_EQ(emu_ssi_write(r.zebra, buf, n), 0);
    EXPECT_SCAN(r.sc, "]C0", "A-1", 3);
    EXPECT_SCAN(r.sc, "]C0", "A-2", 3);
    EXPECT_SCAN(r.sc, "]C0", "A-3", 3);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_CMD_ACK, NULL, 1000), 0);
    rig_down(&r);
}

static void test_multi_packet_barcode(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    char big[700];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('a' + i % 26);
    REQUIRE_EQ(emu_ssi_send_barcode(r.zebra, 0x1B, big, sizeof big, 250, 64), 0);
    EXPECT_SCAN(r.sc, "]d1", big, sizeof big);
    for (int i = 0; i < 3; i++) /* every packet is ACKed */
        CHECK_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_CMD_ACK, NULL, 1000), 0);
    tote_scan_event ev;
    CHECK_EQ(tote_scanner_read(r.sc, &ev), TOTE_HH_E_TIMEOUT);
    rig_down(&r);
}

static void test_bad_checksum_is_naked_then_resend_delivered_once(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    uint8_t f[64];
    size_t n = tote_ssi_build_decode_data(0x03, 0, (const uint8_t *)"SKU-9", 5, f, sizeof f);
    f[n - 1] ^= 0x55; /* corrupt */
    REQUIRE_EQ(emu_ssi_write(r.zebra, f, n), 0);
    tote_ssi_frame nak;
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_CMD_NAK, &nak, 1000), 0);
    REQUIRE_EQ(nak.dlen, 1);
    CHECK_EQ(nak.data[0], TOTE_SSI_NAK_RESEND);
    tote_scan_event ev;
    CHECK_EQ(tote_scanner_read(r.sc, &ev), TOTE_HH_E_TIMEOUT);
    /* the scanner resends, retransmit bit set */
    n = tote_ssi_build_decode_data(0x03, TOTE_SSI_ST_RETRANSMIT, (const uint8_t *)"SKU-9", 5, f, sizeof f);
    REQUIRE_EQ(emu_ssi_write(r.zebra, f, n), 0);
    EXPECT_SCAN(r.sc, "]C0", "SKU-9", 5);
    CHECK_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_CMD_ACK, NULL, 1000), 0);
    /* our ACK "lost": the scanner resends again; it is not a second scan */
    REQUIRE_EQ(emu_ssi_write(r.zebra, f, n), 0);
    CHECK_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_CMD_ACK, NULL, 1000), 0);
    CHECK_EQ(wait_read(r.sc, &ev, 300), TOTE_HH_E_TIMEOUT);
    rig_down(&r);
}

static void test_garbage_between_frames(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    REQUIRE_EQ(emu_ssi_write(r.zebra, "noise\r\n\xff\x02", 9), 0);
    REQUIRE_EQ(emu_ssi_send_barcode(r.zebra, 0x03, "G-1", 3, 0, 0), 0);
    REQUIRE_EQ(emu_ssi_write(r.zebra, "\x00\x33\xa5\x01", 4), 0);
    REQUIRE_EQ(emu_ssi_send_barcode(r.zebra, 0x03, "G-2", 3, 0, 2), 0);
    EXPECT_SCAN(r.sc, "]C0", "G-1", 3);
    EXPECT_SCAN(r.sc, "]C0", "G-2", 3);
    /* a frame cut short by the scanner is dropped after the timeout, and the
     * next one is whole */
    uint8_t f[64];
    size_t n = tote_ssi_build_decode_data(0x03, 0, (const uint8_t *)"CUT", 3, f, sizeof f);
    REQUIRE_EQ(emu_ssi_write(r.zebra, f, n - 4), 0);
    tt_sleep_ms(300);
    REQUIRE_EQ(emu_ssi_send_barcode(r.zebra, 0x03, "G-3", 3, 0, 0), 0);
    EXPECT_SCAN(r.sc, "]C0", "G-3", 3);
    rig_down(&r);
}

static void test_feedback_sends_beeps(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    tote_ssi_frame f;
    CHECK_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_GOOD), TOTE_HH_E_OK);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    REQUIRE_EQ(f.dlen, 1);
    CHECK_EQ(f.data[0], 0x00);
    CHECK_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_ERROR), TOTE_HH_E_OK);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    CHECK_EQ(f.data[0], 0x10);
    CHECK_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_DONE), TOTE_HH_E_OK);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    CHECK_EQ(f.data[0], 0x0A);
    CHECK_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_WARNING), TOTE_HH_E_OK);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    CHECK_EQ(f.data[0], 0x06);
    CHECK_EQ(tote_scanner_feedback(r.sc, 77), TOTE_HH_E_INVALID);
    rig_down(&r);
}

static void test_unacked_command_is_resent_twice_then_dropped(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    emu_ssi_auto_ack(r.zebra, 0);
    REQUIRE_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_GOOD), TOTE_HH_E_OK);
    tote_ssi_frame f;
    long long t0 = tt_now_ms();
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    CHECK_EQ(f.status & TOTE_SSI_ST_RETRANSMIT, 0);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    CHECK_EQ(f.status & TOTE_SSI_ST_RETRANSMIT, TOTE_SSI_ST_RETRANSMIT);
    CHECK(tt_now_ms() - t0 >= 140); /* not before the response timeout */
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    CHECK_EQ(f.status & TOTE_SSI_ST_RETRANSMIT, TOTE_SSI_ST_RETRANSMIT);
    CHECK_EQ(f.data[0], 0x00);
    CHECK_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 500), -1); /* at most twice */
    /* the next command goes out normally once the scanner answers again */
    emu_ssi_auto_ack(r.zebra, 1);
    REQUIRE_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_ERROR), TOTE_HH_E_OK);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    CHECK_EQ(f.status, 0);
    CHECK_EQ(f.data[0], 0x10);
    rig_down(&r);
}

static void test_feedback_queue_is_bounded(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    emu_ssi_auto_ack(r.zebra, 0); /* nothing gets through */
    int ok = 0, full = 0;
    for (int i = 0; i < 20; i++) {
        tote_hh_err e = tote_scanner_feedback(r.sc, TOTE_FEEDBACK_GOOD);
        ok += e == TOTE_HH_E_OK;
        full += e == TOTE_HH_E_TIMEOUT;
    }
    CHECK(ok >= 16 && ok <= 17); /* 16 queued + possibly 1 in flight */
    CHECK_EQ(ok + full, 20);
    rig_down(&r); /* and destroying it does not wait for them */
}

static void test_nak_resend_of_a_command_resends_it(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    emu_ssi_auto_ack(r.zebra, 0);
    REQUIRE_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_GOOD), TOTE_HH_E_OK);
    tote_ssi_frame f;
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    uint8_t nak[8];
    size_t n = tote_ssi_build_nak(TOTE_SSI_SRC_DECODER, TOTE_SSI_NAK_RESEND, nak, sizeof nak);
    long long t0 = tt_now_ms();
    REQUIRE_EQ(emu_ssi_write(r.zebra, nak, n), 0);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    CHECK_EQ(f.status & TOTE_SSI_ST_RETRANSMIT, TOTE_SSI_ST_RETRANSMIT);
    CHECK(tt_now_ms() - t0 < 140); /* at once, not after the timeout */
    /* DENIED: never resent */
    uint8_t ack[8];
    n = tote_ssi_build_ack(TOTE_SSI_SRC_DECODER, ack, sizeof ack);
    REQUIRE_EQ(emu_ssi_write(r.zebra, ack, n), 0);
    REQUIRE_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_ERROR), TOTE_HH_E_OK);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 1000), 0);
    n = tote_ssi_build_nak(TOTE_SSI_SRC_DECODER, TOTE_SSI_NAK_DENIED, nak, sizeof nak);
    REQUIRE_EQ(emu_ssi_write(r.zebra, nak, n), 0);
    CHECK_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_BEEP, &f, 500), -1);
    rig_down(&r);
}

static void test_silent_scanner_status_says_so(void)
{
    REQUIRE(bed() != NULL);
    emu_serial *port = emu_serial_add(bed(), NULL, 0x05e0, 0x1701, "MUTE1");
    REQUIRE(port != NULL);
    emu_ssi *z = emu_ssi_start(port);
    emu_ssi_auto_ack(z, 0); /* e.g. a scanner left in plain mode */
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("serial:/dev/serial/by-id/usb-Emulated_MUTE1-if00,ssi", &fast, &sc),
               TOTE_HH_E_OK);
    CHECK_EQ(wait_status(sc, "connected: ", 3000), 0);
    CHECK_HAS(tote_scanner_status(sc), "SSI mode");
    tote_scanner_destroy(&sc);
    emu_ssi_stop(&z);
    emu_serial_unplug(port);
}

static void test_plain_lines(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "plain"), 0);
    CHECK_STR(tote_scanner_kind(r.sc), "serial-plain");
    const char *in = "SKU-1\r\n]E04006381333931\r]C10109506000134352\x1d"
                     "10LOT\n!short 1\r\n";
    size_t len = strlen(in);
    for (size_t i = 0; i < len; i += 4) /* arrives in pieces */
        REQUIRE_EQ(emu_ssi_write(r.zebra, in + i, len - i < 4 ? len - i : 4), 0);
    EXPECT_SCAN(r.sc, "", "SKU-1", 5);
    EXPECT_SCAN(r.sc, "]E0", "4006381333931", 13);
    EXPECT_SCAN(r.sc, "]C1",
                "0109506000134352\x1d"
                "10LOT",
                22);
    EXPECT_SCAN(r.sc, "", "!short 1", 8);
    /* plain mode sends nothing to the scanner, feedback is accepted */
    CHECK_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_GOOD), TOTE_HH_E_OK);
    tt_sleep_ms(50);
    CHECK_EQ(emu_ssi_count(r.zebra, 0), 0);
    CHECK_EQ(emu_ssi_wakeups(r.zebra), 0);
    rig_down(&r);
}

static void test_unplug_reports_once_and_replug_resumes(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    emu_serial_unplug(r.port);
    tote_scan_event ev;
    REQUIRE_EQ(wait_read(r.sc, &ev, 2000), TOTE_HH_E_DISCONNECTED);
    CHECK_EQ(wait_status(r.sc, "disconnected", 1000), 0);
    CHECK_EQ(tote_scanner_feedback(r.sc, TOTE_FEEDBACK_GOOD), TOTE_HH_E_DISCONNECTED);
    CHECK_EQ(wait_read(r.sc, &ev, 300), TOTE_HH_E_TIMEOUT); /* once per unplug */
    CHECK_HAS(tote_scanner_status(r.sc), "ZEBRA1");
    /* plugged back in: a new ttyACM, the same by-id name */
    REQUIRE_EQ(emu_serial_replug(r.port), 0);
    REQUIRE_EQ(wait_status(r.sc, "connected", 2000), 0);
    REQUIRE_EQ(emu_ssi_expect(r.zebra, TOTE_SSI_SCAN_ENABLE, NULL, 2000), 0); /* initialised again */
    REQUIRE_EQ(emu_ssi_send_barcode(r.zebra, 0x03, "AFTER", 5, 0, 0), 0);
    EXPECT_SCAN(r.sc, "]C0", "AFTER", 5);
    rig_down(&r);
}

static void test_absent_port_keeps_trying(void)
{
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("serial:/dev/ttyACM77,ssi", &fast, &sc), TOTE_HH_E_OK);
    CHECK_EQ(wait_status(sc, "disconnected: /dev/ttyACM77 not found", 1000), 0);
    tote_scan_event ev;
    CHECK_EQ(tote_scanner_read(sc, &ev), TOTE_HH_E_TIMEOUT);
    CHECK_EQ(tote_scanner_feedback(sc, TOTE_FEEDBACK_GOOD), TOTE_HH_E_DISCONNECTED);
    tote_scanner_destroy(&sc);
}

static void test_list_and_auto(void)
{
    REQUIRE(bed() != NULL);
    emu_serial *port = emu_serial_add(bed(), NULL, 0x0c2e, 0x0ce1, "HON1");
    REQUIRE(port != NULL);
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);
    int n = tote_scanner_list(f, 1);
    fclose(f);
    CHECK(n >= 1);
    CHECK_HAS(text, "\"vid_pid\": \"0c2e:0ce1\"");
    CHECK_HAS(text, "\"serial\": \"HON1\"");
    CHECK_HAS(text, "\"spec\": \"serial:/dev/ttyACM");
    free(text);
    text = NULL;
    f = open_memstream(&text, &tlen);
    tote_scanner_list(f, 0);
    fclose(f);
    CHECK_HAS(text, "0c2e:0ce1");
    CHECK_HAS(text, "Honeywell");
    free(text);
    tote_scanner *sc = NULL;
    REQUIRE_EQ(tote_scanner_new_opts("auto", &fast, &sc), TOTE_HH_E_OK);
    CHECK_STR(tote_scanner_kind(sc), "serial-plain");
    CHECK_EQ(wait_status(sc, "connected", 2000), 0);
    REQUIRE_EQ(emu_serial_write(port, "AUTO-1\r\n", 8), 0);
    EXPECT_SCAN(sc, "", "AUTO-1", 6);
    tote_scanner_destroy(&sc);
    emu_serial_unplug(port);
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Time from the scanner's last byte of a DECODE_DATA to tote_scanner_read()
 * returning it, over 1000 scans (printed; the bound is generous). */
static void test_latency_1000_scans(void)
{
    rig r;
    REQUIRE_EQ(rig_up(&r, "ssi"), 0);
    enum { N = 1000 };
    static long long us[N];
    int got = 0;
    for (int i = 0; i < N; i++) {
        char text[16];
        int len = snprintf(text, sizeof text, "SKU-%04d", i);
        uint8_t f[64];
        size_t n = tote_ssi_build_decode_data(0x03, 0, (const uint8_t *)text, (size_t)len, f, sizeof f);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        REQUIRE_EQ(emu_ssi_write(r.zebra, f, n), 0);
        tote_scan_event ev;
        tote_hh_err e = wait_read(r.sc, &ev, 2000);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (e != TOTE_HH_E_OK || ev.len != (size_t)len || memcmp(ev.data, text, (size_t)len) != 0) {
            tt_fail_msg(__FILE__, __LINE__, "scan %d lost or wrong", i);
            break;
        }
        us[got++] = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
        if (i % 64 == 0)
            emu_ssi_clear(r.zebra); /* the ACK log */
    }
    REQUIRE_EQ(got, N);
    qsort(us, N, sizeof us[0], cmp_ll);
    printf("serial SSI scan latency over %d scans: p50 %lld us, p99 %lld us, max %lld us\n", N, us[N / 2],
           us[N * 99 / 100], us[N - 1]);
    CHECK(us[N * 99 / 100] < 50000);
    rig_down(&r);
}

TT_MAIN(TT_TEST(test_init_sequence), TT_TEST(test_decode_data_split_across_writes_is_acked),
        TT_TEST(test_several_frames_in_one_write), TT_TEST(test_multi_packet_barcode),
        TT_TEST(test_bad_checksum_is_naked_then_resend_delivered_once), TT_TEST(test_garbage_between_frames),
        TT_TEST(test_feedback_sends_beeps), TT_TEST(test_unacked_command_is_resent_twice_then_dropped),
        TT_TEST(test_feedback_queue_is_bounded), TT_TEST(test_nak_resend_of_a_command_resends_it),
        TT_TEST(test_silent_scanner_status_says_so), TT_TEST(test_plain_lines),
        TT_TEST(test_unplug_reports_once_and_replug_resumes), TT_TEST(test_absent_port_keeps_trying),
        TT_TEST(test_list_and_auto), TT_TEST(test_latency_1000_scans))
