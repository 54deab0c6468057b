/* GS1 mod-10 check digits, GTIN-14 normalisation, UPC-E expansion. */
#include <string.h>

#include "tote/checkdigit.h"

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int tote_gs1_check_digit(const char *digits, size_t n)
{
    if (n == 0)
        return 0;
    if (!digits || !all_digits(digits, n))
        return -1;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        /* i counts from the rightmost body digit, which weighs 3 */
        unsigned d = (unsigned)(digits[n - 1 - i] - '0');
        sum += (i % 2 == 0) ? 3 * d : d;
    }
    return (int)((10 - sum % 10) % 10);
}

int tote_gs1_check_valid(const char *digits, size_t n)
{
    if (!digits || n < 2 || !all_digits(digits, n))
        return 0;
    return tote_gs1_check_digit(digits, n - 1) == digits[n - 1] - '0';
}

tote_proto_err tote_gtin_normalise(const char *digits, size_t n, char out14[15])
{
    if (!digits || (n != 8 && n != 12 && n != 13 && n != 14) || !all_digits(digits, n))
        return TOTE_PROTO_E_INVALID;
    if (!tote_gs1_check_valid(digits, n))
        return TOTE_PROTO_E_CHECK_DIGIT;
    memset(out14, '0', 14 - n);
    memcpy(out14 + (14 - n), digits, n);
    out14[14] = '\0';
    return TOTE_PROTO_E_OK;
}

tote_proto_err tote_upce_expand(const char *upce, size_t n, char out13[13])
{
    if (!upce || n < 6 || n > 8 || !all_digits(upce, n))
        return TOTE_PROTO_E_INVALID;
    char ns = '0';
    const char *d = upce; /* the six digits */
    if (n >= 7) {
        ns = upce[0];
        d = upce + 1;
    }
    if (ns != '0' && ns != '1')
        return TOTE_PROTO_E_INVALID;
    char a[13];
    a[0] = ns;
    switch (d[5]) {
    case '0':
    case '1':
    case '2': /* manufacturer d1 d2 d6 00, item 00 d3 d4 d5 */
        memcpy(a + 1, (char[]){d[0], d[1], d[5], '0', '0', '0', '0', d[2], d[3], d[4]}, 10);
        break;
    case '3': /* manufacturer d1 d2 d3 00, item 000 d4 d5 */
        memcpy(a + 1, (char[]){d[0], d[1], d[2], '0', '0', '0', '0', '0', d[3], d[4]}, 10);
        break;
    case '4': /* manufacturer d1 d2 d3 d4 0, item 0000 d5 */
        memcpy(a + 1, (char[]){d[0], d[1], d[2], d[3], '0', '0', '0', '0', '0', d[4]}, 10);
        break;
    default: /* manufacturer d1..d5, item 0000 d6 */
        memcpy(a + 1, (char[]){d[0], d[1], d[2], d[3], d[4], '0', '0', '0', '0', d[5]}, 10);
        break;
    }
    int c = tote_gs1_check_digit(a, 11);
    if (n == 8 && upce[7] - '0' != c)
        return TOTE_PROTO_E_CHECK_DIGIT;
    a[11] = (char)('0' + c);
    a[12] = '\0';
    memcpy(out13, a, 13);
    return TOTE_PROTO_E_OK;
}
