/*
 * Scanner transports: one interface over stdin, serial scanners (Zebra SSI or
 * plain text lines, through libserialport) and USB HID POS scanners (through
 * libusb-1.0). See handheld/SCANNERS.md for how to set up real scanners.
 *
 * Threading: a tote_scanner is used from one thread. Serial and USB
 * transports run a private I/O thread of their own (it answers the scanner's
 * handshake, reopens after an unplug) and hand events over through a queue
 * whose pollable fd tote_scanner_fd() returns.
 *
 * Scanner errors never kill anything: a missing or unplugged scanner leaves
 * the object alive, tote_scanner_status() says what happened, and the
 * transport keeps retrying to open the device.
 */
#ifndef TOTE_SCANNER_H
#define TOTE_SCANNER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tote/handheld.h"

/* One scan. */
typedef struct tote_scan_event {
    char symbology[8];  /* AIM identifier "]C1", NUL-terminated, or "" if the scanner sent none */
    uint8_t data[4096]; /* the barcode's bytes without the AIM prefix (GS 0x1D kept); not NUL-terminated */
    size_t len;         /* bytes in data, >= 1 */
} tote_scan_event;

typedef struct tote_scanner tote_scanner;

/*
 * Opens a scanner described by spec:
 *   "stdin"                          each line of standard input is one scan
 *   "serial:PATH[,ssi|plain][,BAUD]" serial port (e.g. /dev/ttyACM0); mode
 *                                    defaults to plain, BAUD to 9600 (8N1)
 *   "usb" or "usb:VID:PID"           USB HID POS scanner (hex ids, e.g.
 *                                    usb:05e0:1300); "usb" takes the first
 *                                    HID interface with usage page 0x8C
 *   "auto"                           first USB HID POS scanner, else the first
 *                                    serial port whose USB VID:PID is a known
 *                                    scanner (plain mode)
 * ("sim" is the client's business, not this module's.)
 *
 * For serial and USB transports a device that is absent or cannot be opened
 * is NOT an error: the scanner is created, its status says "opening ..." or
 * "disconnected: ...", and it keeps retrying. Returns TOTE_HH_E_OK and a new
 * scanner in *out (free with tote_scanner_destroy), TOTE_HH_E_INVALID for a
 * malformed spec (*out = NULL), TOTE_HH_E_NOT_FOUND for "auto" when no
 * candidate exists, TOTE_HH_E_NOMEM / TOTE_HH_E_IO when setup fails.
 */
tote_hh_err tote_scanner_new(const char *spec, tote_scanner **out);

/* Tuning knobs; zero fields take the defaults. */
typedef struct tote_scanner_opts {
    int response_timeout_ms; /* SSI: wait this long for the scanner's ACK before resending (default 2000) */
    int reopen_ms;           /* retry opening an absent/unplugged device this often (default 500) */
    int ssi_aim_param;       /* SSI parameter that turns on AIM code id transmission (default 0x2D,
                                UNVERIFIED across models); -1 = do not send it */
    int ssi_aim_value;       /* its value (default 0x01 = AIM code id) */
} tote_scanner_opts;

/* As tote_scanner_new() with opts (may be NULL = all defaults). */
tote_hh_err tote_scanner_new_opts(const char *spec, const tote_scanner_opts *opts, tote_scanner **out);

/*
 * The stdin transport over an arbitrary readable fd (a pipe in tests). The fd
 * is NOT closed by tote_scanner_destroy; the caller keeps owning it.
 */
tote_hh_err tote_scanner_new_fd(int fd, tote_scanner **out);

/* Closes the device, stops the transport's thread, frees everything, sets
 * *sc = NULL. NULL-safe (sc or *sc). */
void tote_scanner_destroy(tote_scanner **sc);

/*
 * A file descriptor to poll for POLLIN. It stays the same for the scanner's
 * whole life (across unplug/replug). When it polls readable, call
 * tote_scanner_read() until it returns TOTE_HH_E_TIMEOUT before polling
 * again (several events may be ready at once). It also polls readable when
 * tote_scanner_status() changed (e.g. "connected" after a replug, before any
 * scan); the read then returns TOTE_HH_E_TIMEOUT. Owned by the scanner.
 */
int tote_scanner_fd(tote_scanner *sc);

/*
 * Non-blocking. Returns:
 *   TOTE_HH_E_OK           a scan in *ev;
 *   TOTE_HH_E_TIMEOUT      nothing ready yet;
 *   TOTE_HH_E_DISCONNECTED the device went away (reported once per unplug;
 *                          the transport keeps retrying and scans flow again
 *                          after a replug with no call needed);
 *   TOTE_HH_E_PROTOCOL     a scan arrived but could not be delivered (longer
 *                          than 4096 bytes, or a corrupt frame the scanner
 *                          did not resend); worth an ERROR feedback;
 *   TOTE_HH_E_EOF_         stdin transport only: input closed (repeats).
 * Lines/scans starting with '!' are delivered like any other (the client
 * treats them as keypad commands).
 */
tote_hh_err tote_scanner_read(tote_scanner *sc, tote_scan_event *ev);

/*
 * Gives feedback on the scanner: feedback is a tote_wire_feedback (wire.h).
 * SSI scanners beep: GOOD one short high, ERROR two long low, WARNING two
 * short low, DONE one long high (handheld/SCANNERS.md). Plain serial, USB HID
 * POS and stdin have no beeper Tote can drive: OK, no effect. Returns
 * TOTE_HH_E_OK when queued or not applicable, TOTE_HH_E_DISCONNECTED when the
 * device is away, TOTE_HH_E_TIMEOUT when 16 commands already wait for a
 * scanner that does not answer, TOTE_HH_E_INVALID for an unknown value
 * (NONE is OK and does nothing). Never blocks for the scanner's ACK.
 */
tote_hh_err tote_scanner_feedback(tote_scanner *sc, uint8_t feedback);

/*
 * Static-or-internal text describing the current state: "connected",
 * "disconnected: <why>", "opening <device>". Valid until the next call on sc.
 */
const char *tote_scanner_status(const tote_scanner *sc);

/* Name of the transport in use: "stdin", "serial-ssi", "serial-plain", "usb". */
const char *tote_scanner_kind(const tote_scanner *sc);

/*
 * Writes the candidate scanners on this machine to out: USB devices (VID:PID,
 * serial number, whether an interface is HID POS) and serial ports (path,
 * USB VID:PID and serial number when it has them), each with a mode guess and
 * the --scanner spec to use. json != 0 writes one JSON array. Returns the
 * number of candidates, or -1 when enumeration failed.
 */
int tote_scanner_list(FILE *out, int json);

#endif
