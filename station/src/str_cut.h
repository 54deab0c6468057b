/* A string copied into a fixed buffer, cut to fit: what snprintf("%s")
 * does, without its format parsing (the scan path copies several per
 * request, and every store read copies its text columns). */
#ifndef TOTE_STR_CUT_H
#define TOTE_STR_CUT_H

#include <string.h>

/* src (NULL: "") into dst[cap], cut to cap - 1 bytes; nothing when dst is
 * NULL or cap is 0. */
static inline void tote_str_cut(char *dst, size_t cap, const char *src)
{
    if (!dst || cap == 0)
        return;
    size_t n = src ? strnlen(src, cap - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

#endif
