#include "tote/serial_line.h"

#include <string.h>

static int is_alpha(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_alnum(uint8_t c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

size_t tote_sline_aim_len(const uint8_t *data, size_t len)
{
    if (!data || len < 3 || data[0] != ']' || !is_alpha(data[1]) || !is_alnum(data[2]))
        return 0;
    return 3;
}

void tote_sline_init(tote_sline_parser *p)
{
    p->len = 0;
    p->after_cr = 0;
    p->overflow = 0;
    p->delivered = 0;
}

static void make_line(tote_sline_parser *p, tote_sline *line)
{
    size_t a = tote_sline_aim_len(p->buf, p->len);
    memcpy(line->aim, p->buf, a);
    line->aim[a] = '\0';
    line->data = p->buf + a;
    line->len = p->len - a;
}

/* A terminator arrived: returns the error code for what it ended. */
static tote_proto_err end_line(tote_sline_parser *p, tote_sline *line)
{
    if (p->overflow) {
        p->overflow = 0;
        p->len = 0;
        return TOTE_PROTO_E_TOO_LONG;
    }
    if (p->len == 0)
        return TOTE_PROTO_E_INCOMPLETE; /* empty line: skipped */
    make_line(p, line);
    p->delivered = 1;
    return TOTE_PROTO_E_OK;
}

size_t tote_sline_feed(tote_sline_parser *p, const uint8_t *data, size_t len, tote_sline *line,
                       tote_proto_err *err)
{
    if (p->delivered) {
        p->delivered = 0;
        p->len = 0;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == '\n' && p->after_cr) {
            p->after_cr = 0; /* the LF of a CR LF */
            continue;
        }
        p->after_cr = (c == '\r');
        if (c == '\r' || c == '\n') {
            tote_proto_err e = end_line(p, line);
            if (e != TOTE_PROTO_E_INCOMPLETE) {
                *err = e;
                return i + 1;
            }
            continue;
        }
        if (p->overflow)
            continue;
        if (p->len == TOTE_SLINE_MAX) {
            p->overflow = 1;
            continue;
        }
        p->buf[p->len++] = c;
    }
    *err = TOTE_PROTO_E_INCOMPLETE;
    return len;
}

void tote_sline_finish(tote_sline_parser *p, tote_sline *line, tote_proto_err *err)
{
    if (p->delivered) {
        p->delivered = 0;
        p->len = 0;
    }
    if (p->overflow)
        *err = TOTE_PROTO_E_TOO_LONG;
    else if (p->len == 0)
        *err = TOTE_PROTO_E_INCOMPLETE;
    else {
        make_line(p, line);
        *err = TOTE_PROTO_E_OK;
        p->after_cr = 0;
        p->overflow = 0;
        p->delivered = 1; /* buffer stays valid until the next call */
        return;
    }
    tote_sline_init(p);
}
