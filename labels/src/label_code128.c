/*
 * Barcode data for labels: the SSCC check (GS1 mod-10), the Code 128
 * codeword plan written as ZPL field data with invocation codes, and the
 * placing of a centred linear barcode on a layout.
 */
#include "tote/label.h"

#include "tote/checkdigit.h"

#include <stdlib.h>
#include <string.h>

#include "label_internal.h"

/* ---------------- GS1 check digits ---------------- */

int tote_sscc_valid(const char *sscc)
{
    if (!sscc || strlen(sscc) != 18)
        return 0;
    for (int i = 0; i < 18; i++)
        if (sscc[i] < '0' || sscc[i] > '9')
            return 0;
    return tote_gs1_check_digit(sscc, 17) == sscc[17] - '0';
}

/* ---------------- Code 128 planning ---------------- */

/*
 * Plans Code 128 codewords for syms (ASCII 32..126, or TOTE_C128_FNC1) the
 * way ISO/IEC 15417 Annex E suggests (subset C for runs of >= 4 digits at the
 * ends or >= 6 inside, else subset B), writing the ZPL field data with
 * invocation codes (>: start B, >; start C, >5 to C, >6 to B, >8 FNC1, ><
 * for a literal '>'). Returns the symbol width in modules (11 per codeword
 * including start and check, 13 for stop), or -1 on OOM / bad input.
 */
static int digit_run(const int *s, size_t n, size_t i)
{
    size_t r = 0;
    while (i + r < n && s[i + r] >= '0' && s[i + r] <= '9')
        r++;
    return (int)r;
}

int tote_lb_code128_plan(const int *syms, size_t n, char **zpl)
{
    tote_lb_sbuf b = {0};
    int cw = 1; /* start */
    size_t i = 0;
    int set_c;
    /* leading FNC1s are allowed in either set */
    size_t first = 0;
    while (first < n && syms[first] == TOTE_C128_FNC1)
        first++;
    int lead = digit_run(syms, n, first);
    if (n == 0)
        return -1;
    set_c = (lead >= 4 || (lead == 2 && first + 2 == n));
    tote_lb_sb_add(&b, set_c ? ">;" : ">:");
    while (i < n) {
        int c = syms[i];
        if (c == TOTE_C128_FNC1) {
            tote_lb_sb_add(&b, ">8");
            cw++;
            i++;
            continue;
        }
        if (c < 32 || c > 126) {
            free(b.p);
            return -1;
        }
        if (set_c) {
            int r = digit_run(syms, n, i);
            if (r >= 2) {
                char two[3] = {(char)syms[i], (char)syms[i + 1], 0};
                tote_lb_sb_add(&b, two);
                cw++;
                i += 2;
                continue;
            }
            tote_lb_sb_add(&b, ">6");
            cw++;
            set_c = 0;
            continue;
        }
        int r = digit_run(syms, n, i);
        int at_end = (i + (size_t)r == n);
        if ((r >= 4 && at_end) || r >= 6) {
            if (r % 2) {
                char one[2] = {(char)c, 0};
                tote_lb_sb_add(&b, one);
                cw++;
                i++;
            }
            tote_lb_sb_add(&b, ">5");
            cw++;
            set_c = 1;
            continue;
        }
        if (c == '>')
            tote_lb_sb_add(&b, "><");
        else {
            char one[2] = {(char)c, 0};
            tote_lb_sb_add(&b, one);
        }
        cw++;
        i++;
    }
    cw++; /* check */
    if (b.oom) {
        free(b.p);
        return -1;
    }
    *zpl = b.p;
    return cw * 11 + 13;
}

tote_lb_err tote_lb_linear_add(tote_lb_layout *L, size_t *cap, tote_lb_item_kind kind, const char *field,
                               const int *syms, size_t n, const char *data, int y, int h,
                               const int *modules_try, int n_try)
{
    char *zpl = NULL;
    int modules = tote_lb_code128_plan(syms, n, &zpl);
    if (modules < 0)
        return TOTE_LB_E_NOMEM;
    for (int t = 0; t < n_try; t++) {
        int m = modules_try[t];
        if ((modules + 20) * m > L->width)
            continue;
        tote_lb_item *it = tote_lb_item_add(L, cap, kind, field);
        if (!it) {
            free(zpl);
            return TOTE_LB_E_NOMEM;
        }
        it->module = m;
        it->modules = modules;
        it->w = modules * m;
        it->x = (L->width - it->w) / 2;
        it->y = y;
        it->h = h;
        it->zpl_data = zpl;
        it->data = strdup(data);
        return it->data ? TOTE_LB_E_OK : TOTE_LB_E_NOMEM;
    }
    free(zpl);
    return TOTE_LB_E_FIT;
}
