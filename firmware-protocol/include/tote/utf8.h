/*
 * UTF-8 (RFC 3629), the one decoder of the project: the station checks
 * imported files and scanned text with it, the labels library measures and
 * wraps text with it.
 */
#ifndef TOTE_UTF8_H
#define TOTE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the code point that starts s[0..n): returns its length in bytes
 * (1..4) and stores it in *cp, or returns 0 (and leaves *cp alone) when n
 * is 0 or s does not start with a well-formed sequence: a stray
 * continuation byte, a truncated sequence, an overlong form, a surrogate
 * (U+D800..U+DFFF) or a value above U+10FFFF.
 */
int tote_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* 1 if s[0..n) is well-formed UTF-8 from end to end (NUL bytes allowed). */
int tote_utf8_valid(const unsigned char *s, size_t n);

#endif
