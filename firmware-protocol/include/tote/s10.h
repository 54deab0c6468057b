/*
 * UPU S10 international postal item identifiers, e.g. "RR123456785IT":
 * 2 letters service indicator, 8-digit serial, 1 check digit, 2-letter ISO
 * country code. Tote's own tracking numbers use this shape ("LX000000015NL").
 * Pure functions: no I/O, no allocation.
 *
 * Check digit: weights 8,6,4,2,3,5,9,7 over the serial; c = 11 - (sum mod 11);
 * c = 10 -> 0; c = 11 -> 5.
 */
#ifndef TOTE_S10_H
#define TOTE_S10_H

#include <stddef.h>

#include "tote/proto.h"

/* Returns the S10 check digit (0-9) of the 8 characters at serial8, or -1 if
 * they are not all ASCII digits (or serial8 is NULL). */
int tote_s10_check_digit(const char serial8[8]);

/*
 * Builds an S10 identifier: service2 (2 upper-case letters A-Z), serial
 * (0..99999999, zero-padded to 8 digits), its check digit, country2
 * (2 upper-case letters). Writes 13 characters + NUL to out.
 * Returns OK, or INVALID (out untouched) for a bad service, serial or country.
 */
tote_proto_err tote_s10_make(const char *service2, unsigned long serial, const char *country2, char out[14]);

/*
 * Checks the n characters at s against the S10 shape and check digit.
 * Returns OK; INVALID if the shape is wrong (not 13 characters, letters and
 * digits not where S10 puts them; letters must be upper case); CHECK_DIGIT if
 * the shape is right and the check digit is not.
 */
tote_proto_err tote_s10_validate(const char *s, size_t n);

/* 1 if tote_s10_validate(s, n) is OK, else 0. */
int tote_s10_valid(const char *s, size_t n);

#endif
