/*
 * Zebra SSI (Simple Serial Interface) framing, PROTOCOLS.md §1.
 *
 *   [len][opcode][source][status][data...][cs_hi][cs_lo]
 *
 * len counts the bytes from len through the end of data (not the checksum),
 * so a frame is len + 2 bytes and carries at most 251 data bytes.
 * cs = (0x10000 - sum of the len bytes before it) & 0xFFFF, high byte first.
 *
 * Pure: no I/O, no allocation. Parsers and assemblers are plain structs the
 * caller owns (stack, or embedded in a transport).
 */
#ifndef TOTE_SSI_H
#define TOTE_SSI_H

#include <stddef.h>
#include <stdint.h>

#include "tote/proto.h"

#define TOTE_SSI_MAX_LEN 255                     /* largest len byte */
#define TOTE_SSI_MAX_DATA (TOTE_SSI_MAX_LEN - 4) /* 251 data bytes per packet */
#define TOTE_SSI_MAX_FRAME (TOTE_SSI_MAX_LEN + 2)
#define TOTE_SSI_MAX_BARCODE 4096 /* reassembled DECODE_DATA, bytes */

/* source */
#define TOTE_SSI_SRC_DECODER 0x00
#define TOTE_SSI_SRC_HOST 0x04

/* status bits */
#define TOTE_SSI_ST_RETRANSMIT 0x01
#define TOTE_SSI_ST_CONTINUED 0x02 /* more packets follow */
#define TOTE_SSI_ST_PERMANENT 0x08 /* PARAM_SEND: store permanently */

/* opcodes */
#define TOTE_SSI_REQUEST_REVISION 0xA3
#define TOTE_SSI_REPLY_REVISION 0xA4
#define TOTE_SSI_PARAM_SEND 0xC6
#define TOTE_SSI_PARAM_REQUEST 0xC7
#define TOTE_SSI_PARAM_DEFAULTS 0xC8
#define TOTE_SSI_CMD_ACK 0xD0
#define TOTE_SSI_CMD_NAK 0xD1
#define TOTE_SSI_START_DECODE 0xE4
#define TOTE_SSI_STOP_DECODE 0xE5
#define TOTE_SSI_BEEP 0xE6
#define TOTE_SSI_LED_ON 0xE7
#define TOTE_SSI_LED_OFF 0xE8
#define TOTE_SSI_SCAN_ENABLE 0xE9
#define TOTE_SSI_SCAN_DISABLE 0xEA
#define TOTE_SSI_SLEEP 0xEB
#define TOTE_SSI_DECODE_DATA 0xF3

/* CMD_NAK causes */
#define TOTE_SSI_NAK_RESEND 0x01      /* bad checksum: fix and resend */
#define TOTE_SSI_NAK_BAD_CONTEXT 0x02 /* command not understood */
#define TOTE_SSI_NAK_DENIED 0x06      /* do not resend */

/* BEEP codes (0x00-0x04 one..five short high, 0x05-0x09 short low,
 * 0x0A-0x0E long high, 0x0F-0x13 long low, 0x14-0x19 warbles). */
#define TOTE_SSI_BEEP_SHORT_HIGH_1 0x00
#define TOTE_SSI_BEEP_SHORT_HIGH_2 0x01
#define TOTE_SSI_BEEP_SHORT_HIGH_3 0x02
#define TOTE_SSI_BEEP_LONG_LOW_1 0x0F
#define TOTE_SSI_BEEP_LONG_LOW_3 0x11
#define TOTE_SSI_BEEP_MAX 0x19

/* Parameter 0xEE: decode data packet format (0x01 = DECODE_DATA packets). */
#define TOTE_SSI_PARAM_DECODE_FORMAT 0xEE
#define TOTE_SSI_PARAM_NO_BEEP 0xFF /* PARAM_SEND beep code for "no beep" */

/* One decoded frame. */
typedef struct tote_ssi_frame {
    uint8_t opcode;
    uint8_t source;
    uint8_t status;
    uint8_t data[TOTE_SSI_MAX_DATA];
    size_t dlen;
} tote_ssi_frame;

/* Checksum of n bytes: (0x10000 - sum) & 0xFFFF. */
uint16_t tote_ssi_checksum(const uint8_t *p, size_t n);

/*
 * Encodes one frame into out. Returns TOTE_PROTO_E_OK and the frame's size in
 * *outlen; TOO_LONG if dlen > TOTE_SSI_MAX_DATA; NOSPACE if cap is too small
 * (dlen + 6 bytes are needed).
 */
tote_proto_err tote_ssi_encode(uint8_t opcode, uint8_t source, uint8_t status, const uint8_t *data,
                               size_t dlen, uint8_t *out, size_t cap, size_t *outlen);

/*
 * Decodes the frame at the start of buf[0..len). Returns OK with the frame in
 * *f and its size in *used; INCOMPLETE when buf holds less than the frame
 * says (*used = bytes needed in total, or 0 when len is 0); FRAME when the len
 * byte is below 4; CHECKSUM when the checksum does not match (*f and *used
 * are still filled, so the caller can NAK and skip it).
 */
tote_proto_err tote_ssi_decode(const uint8_t *buf, size_t len, tote_ssi_frame *f, size_t *used);

/* Frame builders. Each writes one frame into out (cap >= TOTE_SSI_MAX_FRAME
 * always suffices) and returns its size, or 0 if cap is too small or an
 * argument is out of range. source: TOTE_SSI_SRC_HOST or _DECODER. */
size_t tote_ssi_build_ack(uint8_t source, uint8_t *out, size_t cap);
size_t tote_ssi_build_nak(uint8_t source, uint8_t cause, uint8_t *out, size_t cap);
/* code 0x00..0x19, else 0 */
size_t tote_ssi_build_beep(uint8_t code, uint8_t *out, size_t cap);
/* LED_ON / LED_OFF with an LED selection mask (bit0 = the decode LED;
 * other bits select further LEDs on models that have them, UNVERIFIED). */
size_t tote_ssi_build_led(int on, uint8_t mask, uint8_t *out, size_t cap);
size_t tote_ssi_build_scan_enable(int enable, uint8_t *out, size_t cap);
size_t tote_ssi_build_decode(int start, uint8_t *out, size_t cap); /* START_ / STOP_DECODE */
size_t tote_ssi_build_request_revision(uint8_t *out, size_t cap);

/* PARAM_SEND: beep code (TOTE_SSI_PARAM_NO_BEEP for none), then n
 * (param, value) pairs. Parameter numbers 0x00..0xEF (0xF0.. are extended
 * prefixes, not supported: returns 0). permanent sets status bit3. */
typedef struct tote_ssi_param {
    uint8_t param;
    uint8_t value;
} tote_ssi_param;
size_t tote_ssi_build_param_send(int permanent, uint8_t beep, const tote_ssi_param *params, size_t n,
                                 uint8_t *out, size_t cap);

/* One DECODE_DATA packet (from the decoder): [type][data], status as given
 * (TOTE_SSI_ST_CONTINUED for all but the last packet of a long barcode). */
size_t tote_ssi_build_decode_data(uint8_t type, uint8_t status, const uint8_t *data, size_t dlen,
                                  uint8_t *out, size_t cap);

/* WAKEUP: the single byte 0x00 (wait >= 10 ms before sending more). */
size_t tote_ssi_build_wakeup(uint8_t *out, size_t cap);

/* Sets the retransmit bit of the encoded frame in place and recomputes its
 * checksum. Returns OK, or FRAME/CHECKSUM if frame is not one valid frame. */
tote_proto_err tote_ssi_set_retransmit(uint8_t *frame, size_t len);

/*
 * Streaming parser: feed it whatever a read() returned. It finds frames in
 * the byte stream, skips garbage before a frame (resynchronising on the next
 * byte that can start a frame: len >= 4, opcode >= 0xA0, source 0x00 or
 * 0x04), and reports a frame whose checksum fails so the host can NAK RESEND
 * it. A buffered partial candidate is abandoned in favour of a later complete
 * frame with a valid checksum, so garbage that looks like a header cannot
 * swallow a real frame.
 */
typedef struct tote_ssi_parser {
    uint8_t buf[TOTE_SSI_MAX_FRAME];
    size_t n;
    uint64_t garbage;    /* bytes skipped while resynchronising, ever */
    uint64_t bad_frames; /* checksum failures reported, ever */
} tote_ssi_parser;

void tote_ssi_parser_init(tote_ssi_parser *p);

/* Drops any partial frame (e.g. after an inter-byte timeout). */
void tote_ssi_parser_reset(tote_ssi_parser *p);

/* Bytes buffered towards a frame not yet complete. */
size_t tote_ssi_parser_pending(const tote_ssi_parser *p);

/*
 * Consumes bytes of data[0..len) until one frame is found or the input is
 * used up; returns the number consumed (call again with the rest). *err:
 *   OK          a valid frame is in *f;
 *   CHECKSUM    a frame with a bad checksum: its header fields (and data) are
 *               in *f; it was dropped from the stream;
 *   INCOMPLETE  all input consumed, no frame complete yet.
 */
size_t tote_ssi_parser_feed(tote_ssi_parser *p, const uint8_t *data, size_t len, tote_ssi_frame *f,
                            tote_proto_err *err);

/*
 * DECODE_DATA reassembly. Each packet's data is [barcode type][bytes...];
 * the packets of one barcode (status bit1 set on all but the last) are
 * concatenated (the type byte of each packet is not part of the barcode).
 * The AIM identifier is taken from the start of the data when the scanner
 * sends one; otherwise it is derived from the barcode type byte, and UPC-A /
 * UPC-E data are expanded to the 13 digits ]E0 carries.
 *
 * Retransmissions: a packet with the retransmit bit that repeats the last
 * accepted packet (because the host's ACK was lost) is recognised and not
 * delivered twice — unless the host NAKed since (tote_ssi_asm_nak_sent()),
 * in which case the retransmission is the first good copy.
 */
typedef struct tote_ssi_barcode {
    uint8_t type;        /* SSI barcode type byte */
    char aim[4];         /* "]C1", or "" when neither sent nor known */
    const uint8_t *data; /* points into the assembler; valid until its next call */
    size_t len;
} tote_ssi_barcode;

typedef struct tote_ssi_assembler {
    uint8_t buf[TOTE_SSI_MAX_BARCODE];
    size_t len;
    int active;   /* packets of a barcode are being collected */
    int overflow; /* the barcode being collected is too long */
    uint8_t type;
    uint8_t upc[14];
    uint8_t last[TOTE_SSI_MAX_DATA + 1]; /* last accepted packet: status without retransmit bit + data */
    size_t last_len;
    int nak_since_last;
    uint64_t duplicates; /* retransmitted duplicates dropped, ever */
} tote_ssi_assembler;

void tote_ssi_asm_init(tote_ssi_assembler *a);

/* The host NAKed a packet: the next retransmission is new data. */
void tote_ssi_asm_nak_sent(tote_ssi_assembler *a);

/*
 * Adds one DECODE_DATA frame. Returns OK with a complete barcode in *out;
 * INCOMPLETE when more packets are expected, or the packet was a duplicate
 * retransmission; TYPE when f is not DECODE_DATA; SHORT when it has no type
 * byte (or no data at all once the barcode completes); TOO_LONG when the
 * barcode exceeded TOTE_SSI_MAX_BARCODE (reported at its last packet, then
 * discarded). In every case the frame was consumed and the host should ACK.
 */
tote_proto_err tote_ssi_asm_add(tote_ssi_assembler *a, const tote_ssi_frame *f, tote_ssi_barcode *out);

/* AIM identifier ("]C0", ...) for an SSI barcode type byte, or NULL when the
 * type has no mapping here (see PROTOCOLS.md §1; GS1 DataBar types are
 * deliberately unmapped). */
const char *tote_ssi_type_aim(uint8_t type);

/* Human name of an opcode ("DECODE_DATA"), or "?" */
const char *tote_ssi_opcode_name(uint8_t opcode);

#endif
