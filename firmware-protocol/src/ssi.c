#include "tote/ssi.h"

#include <string.h>

#include "tote/serial_line.h"

uint16_t tote_ssi_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += p[i];
    return (uint16_t)((0x10000u - (sum & 0xFFFFu)) & 0xFFFFu);
}

tote_proto_err tote_ssi_encode(uint8_t opcode, uint8_t source, uint8_t status, const uint8_t *data,
                               size_t dlen, uint8_t *out, size_t cap, size_t *outlen)
{
    if (dlen > TOTE_SSI_MAX_DATA)
        return TOTE_PROTO_E_TOO_LONG;
    size_t body = dlen + 4;
    if (!out || cap < body + 2)
        return TOTE_PROTO_E_NOSPACE;
    out[0] = (uint8_t)body;
    out[1] = opcode;
    out[2] = source;
    out[3] = status;
    if (dlen)
        memcpy(out + 4, data, dlen);
    uint16_t cs = tote_ssi_checksum(out, body);
    out[body] = (uint8_t)(cs >> 8);
    out[body + 1] = (uint8_t)(cs & 0xFF);
    if (outlen)
        *outlen = body + 2;
    return TOTE_PROTO_E_OK;
}

static void fill_frame(const uint8_t *buf, tote_ssi_frame *f)
{
    size_t body = buf[0];
    f->opcode = buf[1];
    f->source = buf[2];
    f->status = buf[3];
    f->dlen = body - 4;
    memcpy(f->data, buf + 4, f->dlen);
}

static int checksum_ok(const uint8_t *buf)
{
    size_t body = buf[0];
    uint16_t cs = (uint16_t)((buf[body] << 8) | buf[body + 1]);
    return tote_ssi_checksum(buf, body) == cs;
}

tote_proto_err tote_ssi_decode(const uint8_t *buf, size_t len, tote_ssi_frame *f, size_t *used)
{
    *used = 0;
    if (len == 0)
        return TOTE_PROTO_E_INCOMPLETE;
    if (buf[0] < 4)
        return TOTE_PROTO_E_FRAME;
    size_t total = (size_t)buf[0] + 2;
    *used = total;
    if (len < total)
        return TOTE_PROTO_E_INCOMPLETE;
    fill_frame(buf, f);
    return checksum_ok(buf) ? TOTE_PROTO_E_OK : TOTE_PROTO_E_CHECKSUM;
}

static size_t build(uint8_t opcode, uint8_t source, uint8_t status, const uint8_t *data, size_t dlen,
                    uint8_t *out, size_t cap)
{
    size_t n = 0;
    return tote_ssi_encode(opcode, source, status, data, dlen, out, cap, &n) == TOTE_PROTO_E_OK ? n : 0;
}

size_t tote_ssi_build_ack(uint8_t source, uint8_t *out, size_t cap)
{
    return build(TOTE_SSI_CMD_ACK, source, 0, NULL, 0, out, cap);
}

size_t tote_ssi_build_nak(uint8_t source, uint8_t cause, uint8_t *out, size_t cap)
{
    return build(TOTE_SSI_CMD_NAK, source, 0, &cause, 1, out, cap);
}

size_t tote_ssi_build_beep(uint8_t code, uint8_t *out, size_t cap)
{
    if (code > TOTE_SSI_BEEP_MAX)
        return 0;
    return build(TOTE_SSI_BEEP, TOTE_SSI_SRC_HOST, 0, &code, 1, out, cap);
}

size_t tote_ssi_build_led(int on, uint8_t mask, uint8_t *out, size_t cap)
{
    return build(on ? TOTE_SSI_LED_ON : TOTE_SSI_LED_OFF, TOTE_SSI_SRC_HOST, 0, &mask, 1, out, cap);
}

size_t tote_ssi_build_scan_enable(int enable, uint8_t *out, size_t cap)
{
    return build(enable ? TOTE_SSI_SCAN_ENABLE : TOTE_SSI_SCAN_DISABLE, TOTE_SSI_SRC_HOST, 0, NULL, 0, out,
                 cap);
}

size_t tote_ssi_build_decode(int start, uint8_t *out, size_t cap)
{
    return build(start ? TOTE_SSI_START_DECODE : TOTE_SSI_STOP_DECODE, TOTE_SSI_SRC_HOST, 0, NULL, 0, out,
                 cap);
}

size_t tote_ssi_build_request_revision(uint8_t *out, size_t cap)
{
    return build(TOTE_SSI_REQUEST_REVISION, TOTE_SSI_SRC_HOST, 0, NULL, 0, out, cap);
}

size_t tote_ssi_build_param_send(int permanent, uint8_t beep, const tote_ssi_param *params, size_t n,
                                 uint8_t *out, size_t cap)
{
    uint8_t data[TOTE_SSI_MAX_DATA];
    if (n == 0 || 1 + 2 * n > sizeof data || !params)
        return 0;
    data[0] = beep;
    for (size_t i = 0; i < n; i++) {
        if (params[i].param >= 0xF0)
            return 0;
        data[1 + 2 * i] = params[i].param;
        data[2 + 2 * i] = params[i].value;
    }
    return build(TOTE_SSI_PARAM_SEND, TOTE_SSI_SRC_HOST, permanent ? TOTE_SSI_ST_PERMANENT : 0, data,
                 1 + 2 * n, out, cap);
}

size_t tote_ssi_build_decode_data(uint8_t type, uint8_t status, const uint8_t *data, size_t dlen,
                                  uint8_t *out, size_t cap)
{
    uint8_t buf[TOTE_SSI_MAX_DATA];
    if (dlen + 1 > sizeof buf || (dlen && !data))
        return 0;
    buf[0] = type;
    if (dlen)
        memcpy(buf + 1, data, dlen);
    return build(TOTE_SSI_DECODE_DATA, TOTE_SSI_SRC_DECODER, status, buf, dlen + 1, out, cap);
}

size_t tote_ssi_build_wakeup(uint8_t *out, size_t cap)
{
    if (!out || cap < 1)
        return 0;
    out[0] = 0x00;
    return 1;
}

tote_proto_err tote_ssi_set_retransmit(uint8_t *frame, size_t len)
{
    if (len < 6 || frame[0] < 4 || (size_t)frame[0] + 2 != len)
        return TOTE_PROTO_E_FRAME;
    if (!checksum_ok(frame))
        return TOTE_PROTO_E_CHECKSUM;
    frame[3] |= TOTE_SSI_ST_RETRANSMIT;
    uint16_t cs = tote_ssi_checksum(frame, frame[0]);
    frame[frame[0]] = (uint8_t)(cs >> 8);
    frame[frame[0] + 1] = (uint8_t)(cs & 0xFF);
    return TOTE_PROTO_E_OK;
}

/* ---- streaming parser ---- */

void tote_ssi_parser_init(tote_ssi_parser *p)
{
    memset(p, 0, sizeof *p);
}

void tote_ssi_parser_reset(tote_ssi_parser *p)
{
    p->garbage += p->n;
    p->n = 0;
}

size_t tote_ssi_parser_pending(const tote_ssi_parser *p)
{
    return p->n;
}

/* Can b[0..m) be the start of a frame? */
static int plausible(const uint8_t *b, size_t m)
{
    if (m >= 1 && b[0] < 4)
        return 0;
    if (m >= 2 && b[1] < 0xA0)
        return 0;
    if (m >= 3 && b[2] != TOTE_SSI_SRC_DECODER && b[2] != TOTE_SSI_SRC_HOST)
        return 0;
    return 1;
}

static void drop(tote_ssi_parser *p, size_t k, int as_garbage)
{
    if (k > p->n)
        k = p->n;
    memmove(p->buf, p->buf + k, p->n - k);
    p->n -= k;
    if (as_garbage)
        p->garbage += k;
}

/* Runs after each appended byte. Returns OK / CHECKSUM with *f filled, or
 * INCOMPLETE. */
static tote_proto_err process(tote_ssi_parser *p, tote_ssi_frame *f)
{
    for (;;) {
        if (p->n == 0)
            return TOTE_PROTO_E_INCOMPLETE;
        if (!plausible(p->buf, p->n)) {
            drop(p, 1, 1);
            continue;
        }
        size_t body = p->buf[0], total = body + 2;
        if (p->n >= total) {
            if (checksum_ok(p->buf)) {
                fill_frame(p->buf, f);
                drop(p, total, 0);
                return TOTE_PROTO_E_OK;
            }
            /* A bad frame, or garbage that looked like a header: if a frame
             * could start inside it, resynchronise there. */
            size_t k;
            for (k = 1; k < body; k++)
                if (plausible(p->buf + k, p->n - k))
                    break;
            if (k < body) {
                drop(p, k, 1);
                continue;
            }
            fill_frame(p->buf, f);
            drop(p, total, 0);
            p->bad_frames++;
            return TOTE_PROTO_E_CHECKSUM;
        }
        /* Incomplete: a later candidate that has just completed with a valid
         * checksum wins over the partial one at the head. */
        size_t k;
        for (k = 1; k < p->n; k++) {
            const uint8_t *c = p->buf + k;
            size_t m = p->n - k;
            if (m >= 6 && plausible(c, m) && m == (size_t)c[0] + 2 && checksum_ok(c))
                break;
        }
        if (k < p->n) {
            drop(p, k, 1);
            continue;
        }
        return TOTE_PROTO_E_INCOMPLETE;
    }
}

size_t tote_ssi_parser_feed(tote_ssi_parser *p, const uint8_t *data, size_t len, tote_ssi_frame *f,
                            tote_proto_err *err)
{
    for (size_t i = 0; i < len; i++) {
        /* n < TOTE_SSI_MAX_FRAME here: a full frame is always processed */
        p->buf[p->n++] = data[i];
        tote_proto_err e = process(p, f);
        if (e != TOTE_PROTO_E_INCOMPLETE) {
            *err = e;
            return i + 1;
        }
    }
    *err = TOTE_PROTO_E_INCOMPLETE;
    return len;
}

/* ---- DECODE_DATA reassembly ---- */

void tote_ssi_asm_init(tote_ssi_assembler *a)
{
    memset(a, 0, sizeof *a);
}

void tote_ssi_asm_nak_sent(tote_ssi_assembler *a)
{
    a->nak_since_last = 1;
}

const char *tote_ssi_type_aim(uint8_t type)
{
    switch (type) {
    case 0x01:
        return "]A0"; /* Code 39 */
    case 0x02:
        return "]F0"; /* Codabar */
    case 0x03:
        return "]C0"; /* Code 128 */
    case 0x06:
        return "]I0"; /* ITF */
    case 0x07:
        return "]G0"; /* Code 93 */
    case 0x08:        /* UPC-A */
    case 0x09:        /* UPC-E */
    case 0x0B:        /* EAN-13 */
        return "]E0";
    case 0x0A:
        return "]E4"; /* EAN-8 */
    case 0x0F:
        return "]C1"; /* GS1-128 */
    case 0x11:
        return "]L2"; /* PDF417 */
    case 0x1B:
        return "]d1"; /* Data Matrix */
    case 0x1C:
        return "]Q1"; /* QR */
    case 0x2D:
        return "]z0"; /* Aztec */
    case 0xC1:
        return "]d2"; /* GS1 DataMatrix */
    case 0xC2:
        return "]Q3"; /* GS1 QR */
    }
    return NULL;
}

static int all_digits(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (d[i] < '0' || d[i] > '9')
            return 0;
    return 1;
}

/* GS1 check digit over n digits (weights 3,1,3,... from the right). */
static uint8_t gs1_check(const uint8_t *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (d[n - 1 - i] - '0') * ((i % 2 == 0) ? 3 : 1);
    return (uint8_t)('0' + (10 - sum % 10) % 10);
}

/* UPC-A (11 or 12 digits) or UPC-E (6, 7 or 8 digits) into the 13-digit ]E0
 * form in out[13]; 0 on success. */
static int upc_to_e0(uint8_t type, const uint8_t *d, size_t n, uint8_t *out)
{
    uint8_t a[12];
    if (!all_digits(d, n))
        return -1;
    if (type == 0x08) {
        if (n != 11 && n != 12)
            return -1;
        memcpy(a, d, 11);
        a[11] = n == 12 ? d[11] : gs1_check(a, 11);
    } else {
        uint8_t ns = '0', check = 0;
        const uint8_t *m;
        if (n == 6) {
            m = d;
        } else if (n == 7 || n == 8) {
            ns = d[0];
            m = d + 1;
            if (n == 8)
                check = d[7];
        } else {
            return -1;
        }
        if (ns != '0' && ns != '1')
            return -1;
        /* manufacturer (5) and item (5) from the six UPC-E digits */
        uint8_t mfr[5], item[5];
        memset(item, '0', 5);
        switch (m[5]) {
        case '0':
        case '1':
        case '2':
            mfr[0] = m[0], mfr[1] = m[1], mfr[2] = m[5], mfr[3] = '0', mfr[4] = '0';
            item[2] = m[2], item[3] = m[3], item[4] = m[4];
            break;
        case '3':
            mfr[0] = m[0], mfr[1] = m[1], mfr[2] = m[2], mfr[3] = '0', mfr[4] = '0';
            item[3] = m[3], item[4] = m[4];
            break;
        case '4':
            mfr[0] = m[0], mfr[1] = m[1], mfr[2] = m[2], mfr[3] = m[3], mfr[4] = '0';
            item[4] = m[4];
            break;
        default:
            memcpy(mfr, m, 5);
            item[4] = m[5];
            break;
        }
        a[0] = ns;
        memcpy(a + 1, mfr, 5);
        memcpy(a + 6, item, 5);
        a[11] = check ? check : gs1_check(a, 11);
    }
    out[0] = '0';
    memcpy(out + 1, a, 12);
    return 0;
}

static tote_proto_err finish_barcode(tote_ssi_assembler *a, tote_ssi_barcode *out)
{
    out->type = a->type;
    size_t aim = tote_sline_aim_len(a->buf, a->len);
    if (aim) {
        memcpy(out->aim, a->buf, aim);
        out->aim[aim] = '\0';
        out->data = a->buf + aim;
        out->len = a->len - aim;
        return out->len ? TOTE_PROTO_E_OK : TOTE_PROTO_E_SHORT;
    }
    out->data = a->buf;
    out->len = a->len;
    out->aim[0] = '\0';
    const char *mapped = tote_ssi_type_aim(a->type);
    if (!mapped)
        return TOTE_PROTO_E_OK;
    if (a->type == 0x08 || a->type == 0x09) {
        if (upc_to_e0(a->type, a->buf, a->len, a->upc) != 0)
            return TOTE_PROTO_E_OK; /* unusual form: raw data, no identifier */
        out->data = a->upc;
        out->len = 13;
    } else if (a->type == 0x0B && !(a->len == 13 && all_digits(a->buf, 13))) {
        return TOTE_PROTO_E_OK;
    } else if (a->type == 0x0A && !(a->len == 8 && all_digits(a->buf, 8))) {
        return TOTE_PROTO_E_OK;
    }
    memcpy(out->aim, mapped, 4);
    return TOTE_PROTO_E_OK;
}

tote_proto_err tote_ssi_asm_add(tote_ssi_assembler *a, const tote_ssi_frame *f, tote_ssi_barcode *out)
{
    if (f->opcode != TOTE_SSI_DECODE_DATA)
        return TOTE_PROTO_E_TYPE;
    if (f->dlen < 1 || f->dlen > TOTE_SSI_MAX_DATA)
        return TOTE_PROTO_E_SHORT;
    uint8_t st = (uint8_t)(f->status & ~TOTE_SSI_ST_RETRANSMIT);
    if ((f->status & TOTE_SSI_ST_RETRANSMIT) && !a->nak_since_last && a->last_len == f->dlen + 1 &&
        a->last[0] == st && memcmp(a->last + 1, f->data, f->dlen) == 0) {
        a->duplicates++;
        return TOTE_PROTO_E_INCOMPLETE;
    }
    a->last[0] = st;
    memcpy(a->last + 1, f->data, f->dlen);
    a->last_len = f->dlen + 1;
    a->nak_since_last = 0;

    if (!a->active) {
        a->active = 1;
        a->len = 0;
        a->overflow = 0;
        a->type = f->data[0];
    }
    size_t n = f->dlen - 1;
    if (a->overflow || a->len + n > sizeof a->buf)
        a->overflow = 1;
    else {
        memcpy(a->buf + a->len, f->data + 1, n);
        a->len += n;
    }
    if (f->status & TOTE_SSI_ST_CONTINUED)
        return TOTE_PROTO_E_INCOMPLETE;
    a->active = 0;
    if (a->overflow) {
        a->overflow = 0;
        a->len = 0;
        return TOTE_PROTO_E_TOO_LONG;
    }
    if (a->len == 0)
        return TOTE_PROTO_E_SHORT;
    return finish_barcode(a, out);
}

const char *tote_ssi_opcode_name(uint8_t opcode)
{
    switch (opcode) {
    case TOTE_SSI_REQUEST_REVISION:
        return "REQUEST_REVISION";
    case TOTE_SSI_REPLY_REVISION:
        return "REPLY_REVISION";
    case TOTE_SSI_PARAM_SEND:
        return "PARAM_SEND";
    case TOTE_SSI_PARAM_REQUEST:
        return "PARAM_REQUEST";
    case TOTE_SSI_PARAM_DEFAULTS:
        return "PARAM_DEFAULTS";
    case TOTE_SSI_CMD_ACK:
        return "CMD_ACK";
    case TOTE_SSI_CMD_NAK:
        return "CMD_NAK";
    case TOTE_SSI_START_DECODE:
        return "START_DECODE";
    case TOTE_SSI_STOP_DECODE:
        return "STOP_DECODE";
    case TOTE_SSI_BEEP:
        return "BEEP";
    case TOTE_SSI_LED_ON:
        return "LED_ON";
    case TOTE_SSI_LED_OFF:
        return "LED_OFF";
    case TOTE_SSI_SCAN_ENABLE:
        return "SCAN_ENABLE";
    case TOTE_SSI_SCAN_DISABLE:
        return "SCAN_DISABLE";
    case TOTE_SSI_SLEEP:
        return "SLEEP";
    case TOTE_SSI_DECODE_DATA:
        return "DECODE_DATA";
    }
    return "?";
}
