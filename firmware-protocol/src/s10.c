/* UPU S10 item identifiers. */
#include <string.h>

#include "tote/s10.h"

static int upper2(const char *s)
{
    return s && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

int tote_s10_check_digit(const char serial8[8])
{
    static const int w[8] = {8, 6, 4, 2, 3, 5, 9, 7};
    if (!serial8)
        return -1;
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        if (serial8[i] < '0' || serial8[i] > '9')
            return -1;
        sum += w[i] * (serial8[i] - '0');
    }
    int c = 11 - sum % 11;
    if (c == 10)
        return 0;
    if (c == 11)
        return 5;
    return c;
}

tote_proto_err tote_s10_make(const char *service2, unsigned long serial, const char *country2, char out[14])
{
    if (!upper2(service2) || !upper2(country2) || serial > 99999999UL)
        return TOTE_PROTO_E_INVALID;
    if (strlen(service2) != 2 || strlen(country2) != 2)
        return TOTE_PROTO_E_INVALID;
    char s[14];
    s[0] = service2[0];
    s[1] = service2[1];
    unsigned long v = serial;
    for (int i = 9; i >= 2; i--) {
        s[i] = (char)('0' + v % 10);
        v /= 10;
    }
    s[10] = (char)('0' + tote_s10_check_digit(s + 2));
    s[11] = country2[0];
    s[12] = country2[1];
    s[13] = '\0';
    memcpy(out, s, 14);
    return TOTE_PROTO_E_OK;
}

tote_proto_err tote_s10_validate(const char *s, size_t n)
{
    if (!s || n != 13 || !upper2(s) || !upper2(s + 11))
        return TOTE_PROTO_E_INVALID;
    for (int i = 2; i <= 10; i++)
        if (s[i] < '0' || s[i] > '9')
            return TOTE_PROTO_E_INVALID;
    if (tote_s10_check_digit(s + 2) != s[10] - '0')
        return TOTE_PROTO_E_CHECK_DIGIT;
    return TOTE_PROTO_E_OK;
}

int tote_s10_valid(const char *s, size_t n)
{
    return tote_s10_validate(s, n) == TOTE_PROTO_E_OK;
}
