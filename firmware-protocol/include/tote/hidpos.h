/*
 * USB HID POS (usage page 0x8C, Bar Code Scanner) input reports,
 * PROTOCOLS.md §2. A 64-byte input report:
 *
 *   0      report id 0x02
 *   1      length of valid decoded data in this report (1..56)
 *   2..4   AIM identifier: ']', code char, modifier (zeros when not sent)
 *   5..60  decoded data, zero padded
 *   61     vendor code id (Honeywell)
 *   62     reserved
 *   63     bit0: decode data continued (more reports follow for this barcode)
 *
 * Pure: no I/O, no allocation.
 */
#ifndef TOTE_HIDPOS_H
#define TOTE_HIDPOS_H

#include <stddef.h>
#include <stdint.h>

#include "tote/proto.h"

#define TOTE_HIDPOS_REPORT_SIZE 64
#define TOTE_HIDPOS_REPORT_ID 0x02
#define TOTE_HIDPOS_DATA_MAX 56
#define TOTE_HIDPOS_USAGE_PAGE 0x8C
#define TOTE_HIDPOS_MAX_BARCODE 4096

typedef struct tote_hidpos_report {
    char aim[4]; /* "]C1" or "" */
    uint8_t data[TOTE_HIDPOS_DATA_MAX];
    size_t len;          /* 1..56 */
    uint8_t vendor_code; /* byte 61 */
    int continued;       /* byte 63 bit0 */
} tote_hidpos_report;

/*
 * Decodes one input report. Returns OK with *r filled; SHORT when len < 64,
 * TOO_LONG when len > 64 (only whole 64-byte reports are accepted); TYPE when
 * the report id is not 0x02 (another report: ignore it); FRAME when the
 * length byte is 0 or above 56, or bytes 2..4 are neither an AIM identifier
 * nor zeros.
 */
tote_proto_err tote_hidpos_decode(const uint8_t *buf, size_t len, tote_hidpos_report *r);

/* Builds a report (for tests and emulators): out must hold 64 bytes.
 * aim: "" or a 3-char AIM id. Returns OK, or FRAME/TOO_LONG/EMPTY for a bad
 * aim or a len outside 1..56. */
tote_proto_err tote_hidpos_encode(const char *aim, const uint8_t *data, size_t len, uint8_t vendor_code,
                                  int continued, uint8_t out[TOTE_HIDPOS_REPORT_SIZE]);

/* Reassembles a barcode sent in several reports (continued bit). The AIM id
 * is the first report's. */
typedef struct tote_hidpos_assembler {
    char aim[4];
    uint8_t buf[TOTE_HIDPOS_MAX_BARCODE];
    size_t len;
    int active;
    int overflow;
} tote_hidpos_assembler;

typedef struct tote_hidpos_barcode {
    char aim[4];
    const uint8_t *data; /* into the assembler; valid until its next call */
    size_t len;
} tote_hidpos_barcode;

void tote_hidpos_asm_init(tote_hidpos_assembler *a);

/* Drops a partly collected barcode (e.g. the device went away). */
void tote_hidpos_asm_reset(tote_hidpos_assembler *a);

/* Adds a decoded report: OK with a complete barcode in *out; INCOMPLETE when
 * more reports are expected; TOO_LONG when the barcode exceeded
 * TOTE_HIDPOS_MAX_BARCODE (reported at its last report, then discarded). */
tote_proto_err tote_hidpos_asm_add(tote_hidpos_assembler *a, const tote_hidpos_report *r,
                                   tote_hidpos_barcode *out);

/*
 * Does this HID report descriptor declare usage page 0x8C (a Usage Page
 * global item, 1 or 2 byte form)? Walks the items properly (long items
 * skipped), so a 0x8C inside another item's data does not count. Returns 1
 * yes, 0 no (also for a truncated descriptor).
 */
int tote_hidpos_descriptor_is_pos(const uint8_t *desc, size_t len);

#endif
