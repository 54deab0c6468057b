/* UTF-8 (tote/utf8.h). The ranges of RFC 3629 section 4: the second byte's
 * range depends on the first, which rules out overlong forms, surrogates
 * and values above U+10FFFF without decoding first. */
#include "tote/utf8.h"

int tote_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int len;
    unsigned char lo = 0x80, hi = 0xBF; /* the second byte's range */
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0; /* else overlong */
        else if (c == 0xED)
            hi = 0x9F; /* else a surrogate */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90; /* else overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* else above U+10FFFF */
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong), F5..FF */
    }
    if (n < (size_t)len || s[1] < lo || s[1] > hi)
        return 0;
    v = (v << 6) | (s[1] & 0x3Fu);
    for (int k = 2; k < len; k++) {
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
        v = (v << 6) | (s[k] & 0x3Fu);
    }
    *cp = v;
    return len;
}

int tote_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        if (s[i] < 0x80) { /* ASCII runs without a call */
            i++;
            continue;
        }
        int len = tote_utf8_decode(s + i, n - i, &cp);
        if (len == 0)
            return 0;
        i += (size_t)len;
    }
    return 1;
}
