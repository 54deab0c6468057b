#include "tote/hidpos.h"

#include <string.h>

#include "tote/serial_line.h"

tote_proto_err tote_hidpos_decode(const uint8_t *buf, size_t len, tote_hidpos_report *r)
{
    if (len < TOTE_HIDPOS_REPORT_SIZE)
        return TOTE_PROTO_E_SHORT;
    if (len > TOTE_HIDPOS_REPORT_SIZE)
        return TOTE_PROTO_E_TOO_LONG;
    if (buf[0] != TOTE_HIDPOS_REPORT_ID)
        return TOTE_PROTO_E_TYPE;
    size_t n = buf[1];
    if (n == 0 || n > TOTE_HIDPOS_DATA_MAX)
        return TOTE_PROTO_E_FRAME;
    if (tote_sline_aim_len(buf + 2, 3) == 3) {
        memcpy(r->aim, buf + 2, 3);
        r->aim[3] = '\0';
    } else if (buf[2] == 0 && buf[3] == 0 && buf[4] == 0) {
        r->aim[0] = '\0';
    } else {
        return TOTE_PROTO_E_FRAME;
    }
    memcpy(r->data, buf + 5, n);
    r->len = n;
    r->vendor_code = buf[61];
    r->continued = buf[63] & 1;
    return TOTE_PROTO_E_OK;
}

tote_proto_err tote_hidpos_encode(const char *aim, const uint8_t *data, size_t len, uint8_t vendor_code,
                                  int continued, uint8_t out[TOTE_HIDPOS_REPORT_SIZE])
{
    size_t alen = aim ? strlen(aim) : 0;
    if (alen != 0 && (alen != 3 || tote_sline_aim_len((const uint8_t *)aim, 3) != 3))
        return TOTE_PROTO_E_FRAME;
    if (len == 0 || !data)
        return TOTE_PROTO_E_EMPTY;
    if (len > TOTE_HIDPOS_DATA_MAX)
        return TOTE_PROTO_E_TOO_LONG;
    memset(out, 0, TOTE_HIDPOS_REPORT_SIZE);
    out[0] = TOTE_HIDPOS_REPORT_ID;
    out[1] = (uint8_t)len;
    if (alen)
        memcpy(out + 2, aim, 3);
    memcpy(out + 5, data, len);
    out[61] = vendor_code;
    out[63] = continued ? 1 : 0;
    return TOTE_PROTO_E_OK;
}

void tote_hidpos_asm_init(tote_hidpos_assembler *a)
{
    memset(a, 0, sizeof *a);
}

void tote_hidpos_asm_reset(tote_hidpos_assembler *a)
{
    a->active = 0;
    a->overflow = 0;
    a->len = 0;
}

tote_proto_err tote_hidpos_asm_add(tote_hidpos_assembler *a, const tote_hidpos_report *r,
                                   tote_hidpos_barcode *out)
{
    if (!a->active) {
        a->active = 1;
        a->len = 0;
        a->overflow = 0;
        memcpy(a->aim, r->aim, sizeof a->aim);
    }
    if (a->overflow || r->len > TOTE_HIDPOS_DATA_MAX || a->len + r->len > sizeof a->buf)
        a->overflow = 1;
    else {
        memcpy(a->buf + a->len, r->data, r->len);
        a->len += r->len;
    }
    if (r->continued)
        return TOTE_PROTO_E_INCOMPLETE;
    a->active = 0;
    if (a->overflow) {
        tote_hidpos_asm_reset(a);
        return TOTE_PROTO_E_TOO_LONG;
    }
    memcpy(out->aim, a->aim, sizeof out->aim);
    out->data = a->buf;
    out->len = a->len;
    return TOTE_PROTO_E_OK;
}

int tote_hidpos_descriptor_is_pos(const uint8_t *desc, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t b = desc[i];
        if (b == 0xFE) { /* long item: 0xFE, size, tag, data */
            if (i + 2 >= len)
                return 0;
            i += 3 + (size_t)desc[i + 1];
            continue;
        }
        size_t size = (b & 3) == 3 ? 4 : (b & 3);
        if (i + 1 + size > len)
            return 0;
        if ((b & 0xFC) == 0x04) { /* global item, tag 0: Usage Page */
            uint32_t v = 0;
            for (size_t k = 0; k < size; k++)
                v |= (uint32_t)desc[i + 1 + k] << (8 * k);
            if (v == TOTE_HIDPOS_USAGE_PAGE)
                return 1;
        }
        i += 1 + size;
    }
    return 0;
}
