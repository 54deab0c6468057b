/* Decimal text of an integer without printf's format parsing (hot paths). */
#ifndef TOTE_DEC_LL_H
#define TOTE_DEC_LL_H

#include <stddef.h>

#define TOTE_DEC_LL_CAP 24 /* "-9223372036854775808" and room to spare */

/*
 * Writes v in decimal, as "%lld" does, at the end of buf (TOTE_DEC_LL_CAP
 * bytes, not NUL-terminated). Returns where the text starts in buf; its
 * length in *len. Unsigned arithmetic, so LLONG_MIN negates.
 */
static inline const char *tote_dec_ll(char buf[TOTE_DEC_LL_CAP], long long v, size_t *len)
{
    size_t at = TOTE_DEC_LL_CAP;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--at] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--at] = '-';
    *len = TOTE_DEC_LL_CAP - at;
    return buf + at;
}

#endif
