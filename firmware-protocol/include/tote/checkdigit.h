/*
 * GS1 mod-10 check digits (GTIN-8/12/13/14, SSCC, GLN, GSIN, GSRN...) and the
 * GTIN-14 normal form. Pure functions: no I/O, no allocation.
 *
 * The check digit weights the body digits 3,1,3,1... starting from the
 * rightmost body digit; check = (10 - sum mod 10) mod 10.
 */
#ifndef TOTE_CHECKDIGIT_H
#define TOTE_CHECKDIGIT_H

#include <stddef.h>

#include "tote/proto.h"

/* Returns the check digit (0-9) for the n body digits at digits (not
 * NUL-terminated; n may be 0, giving 0), or -1 if any of them is not an
 * ASCII digit or digits is NULL with n > 0. */
int tote_gs1_check_digit(const char *digits, size_t n);

/* Returns 1 if the n characters at digits are all ASCII digits, n >= 2, and
 * the last one is the right check digit for the others; else 0. */
int tote_gs1_check_valid(const char *digits, size_t n);

/*
 * Normalises a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14 of n
 * characters (digits only, check digit verified) to its 14-digit form by
 * left-padding with zeros, and writes it with a NUL to out14.
 * Returns OK; INVALID if n is not 8, 12, 13 or 14 or a character is not a
 * digit; CHECK_DIGIT if the check digit is wrong. out14 is written only on OK.
 */
tote_proto_err tote_gtin_normalise(const char *digits, size_t n, char out14[15]);

/*
 * Expands a UPC-E number to its UPC-A (GTIN-12) form. upce is 8 digits
 * (number system 0 or 1, six digits, check digit) or 7 (no check digit) or
 * 6 (number system 0 assumed, no check digit). Writes 12 digits + NUL to
 * out13. Returns OK; INVALID for a wrong length, a non-digit or a number
 * system other than 0/1; CHECK_DIGIT if an 8-digit input's check digit is not
 * that of the expanded UPC-A.
 */
tote_proto_err tote_upce_expand(const char *upce, size_t n, char out13[13]);

#endif
