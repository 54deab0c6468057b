/*
 * Emulated scanners for hardware tests: umockdev plays the devices below
 * libserialport and libusb, so Tote's real transports run unchanged.
 *
 * The process (and any child that should see the devices, e.g. a
 * tote-handheld started by an end-to-end test) must run under
 * umockdev-wrapper. Create the bed first: it sets $UMOCKDEV_DIR, which
 * children inherit.
 *
 *   emu_bed *b = emu_bed_new();
 *   emu_serial *s = emu_serial_add(b, "ttyACM0", 0x05e0, 0x1701, "S1");
 *   emu_ssi *z = emu_ssi_start(s);          // a Zebra in SSI mode
 *   ... tote_scanner_new("serial:/dev/ttyACM0,ssi", ...) ...
 *   emu_ssi_send_barcode(z, 0x03, "SKU-1", 5, 0, 0);
 *
 *   emu_usb *u = emu_usb_add(b, 0x0c2e, 0x0b61, "H1");   // a HID POS scanner
 *   emu_usb_scan(u, "]C1", data, len);
 *
 * Device ioctls (TIOCM* for the tty; usbdevfs for USB) are answered by
 * handlers that umockdev runs in a thread of its own.
 */
#ifndef TOTE_HW_EMU_H
#define TOTE_HW_EMU_H

#include <stddef.h>
#include <stdint.h>

#include "tote/ssi.h"

typedef struct emu_bed emu_bed;

/* NULL (with a message on stderr) when not running under umockdev-wrapper. */
emu_bed *emu_bed_new(void);
void emu_bed_free(emu_bed **b);

/* ---- serial: /dev/<tty> (major 166, CDC-ACM) under a USB device ---- */

typedef struct emu_serial emu_serial;

emu_serial *emu_serial_add(emu_bed *b, const char *tty, uint16_t vid, uint16_t pid, const char *serial);
/* The scanner's end of the line (pty master). Owned by the bed. */
int emu_serial_fd(const emu_serial *s);
/* Unplug: hangs the line up and removes the device from sysfs and /dev. */
void emu_serial_unplug(emu_serial *s);
/* Plug back in (a fresh line); 0 on success. The fd changes. */
int emu_serial_replug(emu_serial *s);
/* Writes all of buf to the host; 0 on success. */
int emu_serial_write(emu_serial *s, const void *buf, size_t len);

/* ---- an SSI scanner on a serial line ---- */

typedef struct emu_ssi emu_ssi;

/* Starts a thread that reads the host's bytes, logs each host frame, counts
 * wakeup bytes and, while auto-ACK is on (the default), answers every host
 * command with CMD_ACK. */
emu_ssi *emu_ssi_start(emu_serial *s);
void emu_ssi_stop(emu_ssi **z);
void emu_ssi_auto_ack(emu_ssi *z, int on);
/* Takes the oldest logged host frame with this opcode (0 = any): 0 with *f,
 * or -1 after timeout_ms. Frames of other opcodes stay logged. */
int emu_ssi_expect(emu_ssi *z, uint8_t opcode, tote_ssi_frame *f, int timeout_ms);
/* As emu_ssi_expect, and *read_ns (may be NULL) is the CLOCK_MONOTONIC time
 * in ns at which the scanner read the frame's last byte. */
int emu_ssi_expect_at(emu_ssi *z, uint8_t opcode, tote_ssi_frame *f, int timeout_ms, long long *read_ns);
/* Logged host frames with this opcode (0 = any), without taking them. */
int emu_ssi_count(emu_ssi *z, uint8_t opcode);
void emu_ssi_clear(emu_ssi *z);
int emu_ssi_wakeups(emu_ssi *z);
/* Host frames that arrived with a bad checksum. */
int emu_ssi_bad_frames(emu_ssi *z);
/* Sends a barcode as DECODE_DATA: per_packet data bytes per packet (0 = as
 * many as fit), written in writes of chunk bytes (0 = whole frames). */
int emu_ssi_send_barcode(emu_ssi *z, uint8_t type, const void *data, size_t len, size_t per_packet,
                         size_t chunk);
int emu_ssi_write(emu_ssi *z, const void *buf, size_t len);

/* ---- USB HID POS scanner: usbdevfs device with one HID interface ---- */

typedef struct emu_usb emu_usb;

emu_usb *emu_usb_add(emu_bed *b, uint16_t vid, uint16_t pid, const char *serial);
/* The same device left in HID keyboard mode: its report descriptor is a
 * keyboard's, not usage page 0x8C. */
emu_usb *emu_usb_add_keyboard(emu_bed *b, uint16_t vid, uint16_t pid, const char *serial);
/* Queues one barcode as input reports (56 data bytes each, continuation bit
 * on all but the last); they complete the host's interrupt IN URBs. aim: ""
 * or "]C1". 0 on success. */
int emu_usb_scan(emu_usb *u, const char *aim, const void *data, size_t len);
/* Queues one raw 64-byte input report. */
int emu_usb_report(emu_usb *u, const uint8_t report[64]);
/* Reports queued and not yet delivered. */
int emu_usb_pending(emu_usb *u);
/* Host-side state seen by the device. */
int emu_usb_claimed(emu_usb *u);
int emu_usb_in_urbs(emu_usb *u); /* interrupt IN URBs waiting for data */
void emu_usb_unplug(emu_usb *u);
int emu_usb_replug(emu_usb *u);

#endif
