/* The barcode normaliser: AIM id + scanned bytes -> what was scanned. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tote/barcode.h"
#include "tote/checkdigit.h"
#include "tote/s10.h"

#define GS 0x1D

/* Tote's own barcodes (station/README.md). Longer prefixes first if one
 * ever starts another. */
static const tote_barcode_prefix own_prefixes[] = {
    {"BIN-", TOTE_BC_BIN},
    {"TOTE-", TOTE_BC_TOTE},
    {"ORD-", TOTE_BC_ORDER},
    {"BADGE-", TOTE_BC_BADGE},
};

const tote_barcode_prefix *tote_barcode_prefixes(size_t *n)
{
    if (n)
        *n = sizeof own_prefixes / sizeof own_prefixes[0];
    return own_prefixes;
}

const char *tote_barcode_kind_name(tote_barcode_kind k)
{
    switch (k) {
    case TOTE_BC_GTIN:
        return "gtin";
    case TOTE_BC_SSCC:
        return "sscc";
    case TOTE_BC_BIN:
        return "bin";
    case TOTE_BC_TOTE:
        return "tote";
    case TOTE_BC_ORDER:
        return "order";
    case TOTE_BC_BADGE:
        return "badge";
    case TOTE_BC_TRACKING:
        return "tracking";
    case TOTE_BC_UNKNOWN:
        break;
    }
    return "unknown";
}

static void seterr(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t cap, const char *fmt, ...)
{
    if (!err || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
}

/* Renders n bytes for a message: printable ASCII as is, other bytes as
 * \xHH, so a message stays one line whatever was scanned. Truncates to cap. */
static const char *show_bytes(char *buf, size_t cap, const void *s, size_t n)
{
    const unsigned char *p = s;
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 <= cap; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7F)
            buf[o++] = (char)p[i];
        else
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", p[i]);
    }
    buf[o] = '\0';
    return buf;
}

static int all_digits(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* ---- GS1 ---- */

static double pow10i(int n)
{
    double p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* Fills the derived fields from out->ais (already parsed and validated). */
static tote_proto_err from_gs1(tote_barcode *out, char *err, size_t cap)
{
    const tote_gs1 *g = &out->ais;
    const char *v;
    out->gs1 = 1;
    if ((v = tote_gs1_get(g, "00")))
        snprintf(out->sscc, sizeof out->sscc, "%s", v);
    if ((v = tote_gs1_get(g, "01")) || (v = tote_gs1_get(g, "02")))
        snprintf(out->gtin14, sizeof out->gtin14, "%s", v);
    if ((v = tote_gs1_get(g, "10")))
        snprintf(out->lot, sizeof out->lot, "%s", v);
    if ((v = tote_gs1_get(g, "21")))
        snprintf(out->serial, sizeof out->serial, "%s", v);
    if ((v = tote_gs1_get(g, "17")) && tote_gs1_date(v, out->expiry) != TOTE_PROTO_E_OK) {
        seterr(err, cap, "AI (17): invalid date %s", v);
        return TOTE_PROTO_E_DATE;
    }
    if ((v = tote_gs1_get(g, "37")) || (v = tote_gs1_get(g, "30"))) {
        out->count = strtoll(v, NULL, 10);
        out->has_count = 1;
    }
    for (size_t i = 0; i < g->count && !out->has_net_weight; i++)
        if (strncmp(g->ais[i].ai, "310", 3) == 0) {
            out->net_weight_kg = strtod(g->ais[i].value, NULL) / pow10i(g->ais[i].ai[3] - '0');
            out->has_net_weight = 1;
        }
    for (size_t i = 0; i < g->count && !out->has_net_weight; i++)
        if (strncmp(g->ais[i].ai, "320", 3) == 0) {
            out->net_weight_kg = strtod(g->ais[i].value, NULL) / pow10i(g->ais[i].ai[3] - '0') * 0.45359237;
            out->has_net_weight = 1;
        }
    if (out->sscc[0]) {
        out->kind = TOTE_BC_SSCC;
    } else if (out->gtin14[0]) {
        out->kind = TOTE_BC_GTIN;
    } else {
        char b[TOTE_GS1_MAX_AIS * (TOTE_GS1_MAX_VALUE * 2 + 6) + 1];
        out->kind = TOTE_BC_UNKNOWN;
        if (tote_gs1_to_brackets(g, b, sizeof b) == TOTE_PROTO_E_OK) {
            size_t n = strnlen(b, sizeof out->code - 1); /* the first 95 characters */
            memcpy(out->code, b, n);
            out->code[n] = '\0';
        }
    }
    return TOTE_PROTO_E_OK;
}

/* '(' + 2-4 digits + ')' */
static int looks_bracketed(const uint8_t *d, size_t n)
{
    if (n < 4 || d[0] != '(')
        return 0;
    size_t i = 1;
    while (i < n && i <= 5 && d[i] >= '0' && d[i] <= '9')
        i++;
    return i < n && d[i] == ')' && i - 1 >= 2 && i - 1 <= 4;
}

/* ---- GS1 Digital Link ---- */

/* The AIs a Digital Link may start from (its primary key): GTIN, SSCC, GLN
 * and the other GS1 keys. */
static int dl_primary(const char *ai)
{
    static const char *const keys[] = {"00",   "01",   "253",  "255",  "401",  "402",  "414", "417",
                                       "8003", "8004", "8006", "8010", "8013", "8017", "8018"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(ai, keys[i]) == 0)
            return 1;
    return 0;
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The short names the first versions of the Digital Link standard allowed
 * in place of the numeric AIs ("convenience alphas", /gtin/.../lot/...);
 * links printed then still carry them. */
static const struct {
    const char *name, *ai;
} dl_alphas[] = {{"sscc", "00"},   {"gtin", "01"},    {"lot", "10"},    {"exp", "17"},    {"ser", "21"},
                 {"cpv", "22"},    {"gdti", "253"},   {"glnx", "254"},  {"gcn", "255"},   {"ginc", "401"},
                 {"gsin", "402"},  {"gln", "414"},    {"grai", "8003"}, {"giai", "8004"}, {"itip", "8006"},
                 {"cpid", "8010"}, {"gsrnp", "8017"}, {"gsrn", "8018"}};

/* Copies the AI of s[0..n) to ai if it is 2-4 digits and a known AI, or one
 * of the short names above; else 0. */
static int dl_ai(const uint8_t *s, size_t n, char ai[5])
{
    for (size_t i = 0; i < sizeof dl_alphas / sizeof dl_alphas[0]; i++)
        if (strlen(dl_alphas[i].name) == n && memcmp(s, dl_alphas[i].name, n) == 0) {
            strcpy(ai, dl_alphas[i].ai);
            return 1;
        }
    if (n < 2 || n > 4 || !all_digits(s, n))
        return 0;
    memcpy(ai, s, n);
    ai[n] = '\0';
    return tote_gs1_ai_known(ai);
}

typedef struct dl_out {
    uint8_t *buf;
    size_t cap, len;
    int need_gs; /* the last value had no predefined length */
} dl_out;

/* Appends AI ai and its percent-encoded value v[0..n) to the element string.
 * A GTIN of 8, 12 or 13 digits is written as GTIN-14. 0, or -1 with err. */
static int dl_put(dl_out *o, const char *ai, const uint8_t *v, size_t n, char *err, size_t cap)
{
    uint8_t val[TOTE_GS1_MAX_VALUE + 1];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = v[i];
        if (c == '%') {
            int hi = i + 2 < n ? hexval(v[i + 1]) : -1, lo = i + 2 < n ? hexval(v[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                seterr(err, cap, "Digital Link: AI (%s): a '%%' not followed by two hex digits", ai);
                return -1;
            }
            c = (uint8_t)(hi * 16 + lo);
            i += 2;
        }
        if (c < 0x20 || c > 0x7E) {
            seterr(err, cap, "Digital Link: AI (%s): byte 0x%02X is not allowed in a value", ai, c);
            return -1;
        }
        if (k == sizeof val - 1) {
            seterr(err, cap, "Digital Link: AI (%s): value longer than %d characters", ai,
                   TOTE_GS1_MAX_VALUE);
            return -1;
        }
        val[k++] = c;
    }
    size_t pad = 0;
    if (strcmp(ai, "01") == 0 && all_digits(val, k) && (k == 8 || k == 12 || k == 13))
        pad = 14 - k;
    size_t al = strlen(ai);
    if (o->len + (o->need_gs ? 1 : 0) + al + pad + k > o->cap) {
        seterr(err, cap, "Digital Link: too much data");
        return -1;
    }
    if (o->need_gs)
        o->buf[o->len++] = GS;
    memcpy(o->buf + o->len, ai, al);
    o->len += al;
    memset(o->buf + o->len, '0', pad);
    o->len += pad;
    memcpy(o->buf + o->len, val, k);
    o->len += k;
    o->need_gs = !tote_gs1_ai_predefined(ai);
    return 0;
}

/*
 * A GS1 Digital Link URI (GS1 Digital Link standard: the AIs of a GS1 QR Code
 * or Data Matrix written as a web address): http:// or https://, a domain
 * and optionally a path of its own, then the primary key as path elements
 * ("/01/09506000134352"), its key qualifiers as further pairs
 * ("/10/ABC123/21/7"), and data attributes in the query ("?17=261231");
 * other query parameters and the fragment are ignored, values are
 * percent-decoded. Writes the AIs in transmitted form (GS after each value
 * without predefined length but the last) to o. Returns 1 for a Digital Link,
 * 0 for a web address that is not one (no primary key AI in its path), -1
 * with err for one that is broken.
 */
static int digital_link(const uint8_t *d, size_t n, dl_out *o, char *err, size_t cap)
{
    size_t i;
    if (n > 7 && strncasecmp((const char *)d, "http://", 7) == 0)
        i = 7;
    else if (n > 8 && strncasecmp((const char *)d, "https://", 8) == 0)
        i = 8;
    else
        return 0;
    while (i < n && d[i] != '/' && d[i] != '?' && d[i] != '#')
        i++; /* the domain */
    size_t path_end = i;
    while (path_end < n && d[path_end] != '?' && d[path_end] != '#')
        path_end++;
    /* path elements: find the primary key */
    size_t seg[64][2], ns = 0;
    for (size_t p = i; p < path_end;) {
        if (ns == 64)
            return 0; /* far more path than a key and its qualifiers: some other address */
        p++;          /* the '/' */
        size_t q = p;
        while (q < path_end && d[q] != '/')
            q++;
        seg[ns][0] = p;
        seg[ns][1] = q - p;
        ns++;
        p = q;
    }
    char ai[5];
    size_t k = 0;
    while (k + 1 < ns && !(dl_ai(d + seg[k][0], seg[k][1], ai) && dl_primary(ai)))
        k++;
    if (k + 1 >= ns)
        return 0;
    for (; k < ns; k += 2) {
        if (seg[k][1] == 0 && k + 1 == ns)
            break; /* a trailing '/' */
        if (!dl_ai(d + seg[k][0], seg[k][1], ai)) {
            char shown[88];
            seterr(err, cap, "Digital Link: path element '%s' is not a GS1 AI",
                   show_bytes(shown, sizeof shown, d + seg[k][0], seg[k][1] > 20 ? 20 : seg[k][1]));
            return -1;
        }
        if (k + 1 >= ns || seg[k + 1][1] == 0) {
            seterr(err, cap, "Digital Link: AI (%s) has no value", ai);
            return -1;
        }
        if (dl_put(o, ai, d + seg[k + 1][0], seg[k + 1][1], err, cap) != 0)
            return -1;
    }
    /* the query: numeric keys that are AIs are data attributes */
    if (path_end < n && d[path_end] == '?') {
        size_t end = path_end + 1;
        while (end < n && d[end] != '#')
            end++;
        for (size_t p = path_end + 1; p < end;) {
            size_t q = p;
            while (q < end && d[q] != '&')
                q++;
            size_t eq = p;
            while (eq < q && d[eq] != '=')
                eq++;
            if (eq < q && dl_ai(d + p, eq - p, ai)) {
                if (eq + 1 == q) {
                    seterr(err, cap, "Digital Link: AI (%s) has no value", ai);
                    return -1;
                }
                if (dl_put(o, ai, d + eq + 1, q - eq - 1, err, cap) != 0)
                    return -1;
            }
            p = q + 1;
        }
    }
    return 1;
}

/* ---- EAN / UPC ---- */

static tote_proto_err gtin_or_error(const char *what, const uint8_t *d, size_t n, tote_barcode *out,
                                    char *err, size_t cap)
{
    tote_proto_err e = tote_gtin_normalise((const char *)d, n, out->gtin14);
    if (e == TOTE_PROTO_E_CHECK_DIGIT)
        seterr(err, cap, "%s %.*s: bad check digit %c, expected %d", what, (int)n, (const char *)d, d[n - 1],
               tote_gs1_check_digit((const char *)d, n - 1));
    else if (e != TOTE_PROTO_E_OK)
        seterr(err, cap, "%s %.*s: not a GTIN", what, (int)n, (const char *)d);
    if (e == TOTE_PROTO_E_OK)
        out->kind = TOTE_BC_GTIN;
    return e;
}

static tote_proto_err parse_ean(char mod, const uint8_t *d, size_t n, tote_barcode *out, char *err,
                                size_t cap)
{
    if (!all_digits(d, n)) {
        seterr(err, cap, "EAN/UPC data must be digits only");
        return TOTE_PROTO_E_INVALID;
    }
    tote_symbology named = out->symbology;
    if ((mod == '1' || mod == '2' || mod == '3') && (n == 15 || n == 18))
        n = 13; /* EAN-13 / UPC-A with a 2- or 5-digit add-on: the add-on is not part of the GTIN */
    if (mod == '4' || named == TOTE_SYM_EAN8) {
        if (n != 8) {
            seterr(err, cap, "EAN-8 data must be 8 digits, got %zu", n);
            return TOTE_PROTO_E_INVALID;
        }
        out->symbology = TOTE_SYM_EAN8;
        return gtin_or_error("EAN-8", d, n, out, err, cap);
    }
    if (n == 8 || (named == TOTE_SYM_UPCE && (n == 6 || n == 7))) {
        char upca[13];
        tote_proto_err e = tote_upce_expand((const char *)d, n, upca);
        if (e == TOTE_PROTO_E_CHECK_DIGIT) {
            char body[13];
            tote_upce_expand((const char *)d, 7, body);
            seterr(err, cap, "UPC-E %.*s: bad check digit %c, expected %c", (int)n, (const char *)d, d[7],
                   body[11]);
            return e;
        }
        if (e != TOTE_PROTO_E_OK) {
            seterr(err, cap, "UPC-E %.*s: number system must be 0 or 1", (int)n, (const char *)d);
            return e;
        }
        out->symbology = TOTE_SYM_UPCE;
        return gtin_or_error("UPC-A", (const uint8_t *)upca, 12, out, err, cap);
    }
    /* ]E0 cannot tell UPC-A from EAN-13: a leading 0 says UPC-A. A transport
     * that named the symbology ("ean13") is believed. */
    if (n == 12 || (n == 13 && d[0] == '0' && (mod || named != TOTE_SYM_EAN13))) {
        out->symbology = TOTE_SYM_UPCA;
        return gtin_or_error(n == 12 ? "UPC-A" : "EAN-13", d, n, out, err, cap);
    }
    if (n == 13) {
        out->symbology = TOTE_SYM_EAN13;
        return gtin_or_error("EAN-13", d, n, out, err, cap);
    }
    seterr(err, cap, "EAN/UPC data must be 8, 12 or 13 digits, got %zu", n);
    return TOTE_PROTO_E_INVALID;
}

/* ---- own barcodes ---- */

static tote_proto_err parse_own(const tote_barcode_prefix *pf, const uint8_t *d, size_t n, tote_barcode *out,
                                char *err, size_t cap)
{
    size_t pl = strlen(pf->prefix);
    const uint8_t *c = d + pl;
    size_t cl = n - pl;
    const char *kn = tote_barcode_kind_name(pf->kind);
    char shown[48], shown2[48];
    if (pf->kind == TOTE_BC_ORDER) {
        size_t slash = cl;
        while (slash > 0 && c[slash - 1] != '/')
            slash--;
        if (slash > 0 && slash < cl && all_digits(c + slash, cl - slash)) {
            if (cl - slash > 6) {
                seterr(err, cap, "%s barcode %s: package number too large", kn,
                       show_bytes(shown, sizeof shown, d, n));
                return TOTE_PROTO_E_INVALID;
            }
            int pkg = 0;
            for (size_t i = slash; i < cl; i++)
                pkg = pkg * 10 + (c[i] - '0');
            if (pkg < 1) {
                seterr(err, cap, "%s barcode %s: package number must be 1 or more", kn,
                       show_bytes(shown, sizeof shown, d, n));
                return TOTE_PROTO_E_INVALID;
            }
            out->package_no = pkg;
            cl = slash - 1;
        }
    }
    if (cl == 0) {
        seterr(err, cap, "%s barcode %s has no code after %s", kn, show_bytes(shown, sizeof shown, d, n),
               show_bytes(shown2, sizeof shown2, pf->prefix, pl));
        return TOTE_PROTO_E_INVALID;
    }
    if (cl >= sizeof out->code) {
        seterr(err, cap, "%s barcode code is %zu characters, at most %zu allowed", kn, cl,
               sizeof out->code - 1);
        return TOTE_PROTO_E_TOO_LONG;
    }
    for (size_t i = 0; i < cl; i++)
        if (c[i] < 0x20 || c[i] > 0x7E) {
            seterr(err, cap, "%s barcode: byte 0x%02X at position %zu is not printable ASCII", kn, c[i],
                   pl + i + 1);
            return TOTE_PROTO_E_INVALID;
        }
    memcpy(out->code, c, cl);
    out->code[cl] = '\0';
    out->kind = pf->kind;
    return TOTE_PROTO_E_OK;
}

/* ---- the normaliser ---- */

tote_proto_err tote_barcode_parse_with(const tote_barcode_prefix *prefixes, size_t nprefixes,
                                       const char *symbology, const uint8_t *data, size_t len,
                                       tote_barcode *out, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    if (!out)
        return TOTE_PROTO_E_INVALID;
    memset(out, 0, sizeof *out);
    if (!data)
        len = 0;

    /* the symbology: given by the transport, or an AIM id at the start of the data */
    char aim[4] = "";
    char shown[48];
    int gs1_id = 0, have_sym = 0;
    if (symbology && symbology[0]) {
        have_sym = 1;
        if (symbology[0] == ']') {
            size_t sl = strlen(symbology);
            if (sl != 3 || !((symbology[1] >= 'A' && symbology[1] <= 'Z') ||
                             (symbology[1] >= 'a' && symbology[1] <= 'z'))) {
                seterr(err, errcap, "malformed AIM symbology identifier \"%s\"",
                       show_bytes(shown, sizeof shown, symbology, strnlen(symbology, 8)));
                return TOTE_PROTO_E_INVALID;
            }
            memcpy(aim, symbology, 4);
            out->symbology = tote_aim_parse(aim, &gs1_id);
            if (len >= 3 && memcmp(data, aim, 3) == 0) {
                data += 3; /* the transport's id repeated in the data */
                len -= 3;
            }
        } else {
            out->symbology = tote_symbology_from_name(symbology);
            if (out->symbology == TOTE_SYM_UNKNOWN && strcmp(symbology, "unknown") != 0) {
                seterr(err, errcap, "unknown symbology \"%s\"",
                       show_bytes(shown, sizeof shown, symbology, strnlen(symbology, 20)));
                return TOTE_PROTO_E_INVALID;
            }
            gs1_id = tote_symbology_is_gs1(out->symbology);
        }
    } else if (len >= 3 && data[0] == ']') {
        char a[4] = {(char)data[0], (char)data[1], (char)data[2], 0};
        tote_symbology s = tote_aim_parse(a, &gs1_id);
        if (s != TOTE_SYM_UNKNOWN) {
            memcpy(aim, a, 4);
            out->symbology = s;
            have_sym = 1;
            data += 3;
            len -= 3;
        }
    }
    /* one trailing CR, LF or CR LF */
    if (len > 0 && data[len - 1] == '\n')
        len--;
    if (len > 0 && data[len - 1] == '\r')
        len--;
    tote_symbology sym = out->symbology;
    if (len == 0) {
        seterr(err, errcap, "empty scan");
        return TOTE_PROTO_E_EMPTY;
    }

    tote_proto_err e;
    /* 0. GS1 Digital Link: a web address carrying AIs (a QR code on the item); first,
     * as no element string starts with a letter, whatever the symbology says */
    {
        uint8_t el[TOTE_GS1_MAX_AIS * (TOTE_GS1_MAX_VALUE + 5)];
        dl_out o = {el, sizeof el, 0, 0};
        int dl = digital_link(data, len, &o, err, errcap);
        if (dl < 0) {
            e = TOTE_PROTO_E_AI_FORMAT;
            goto done;
        }
        if (dl > 0) {
            char why[160] = "";
            e = tote_gs1_parse(el, o.len, &out->ais, why, sizeof why);
            if (e == TOTE_PROTO_E_OK)
                e = from_gs1(out, err, errcap);
            else
                seterr(err, errcap, "Digital Link: %s", why);
            goto done;
        }
    }
    /* 1. GS1 */
    if (gs1_id || (!have_sym && data[0] == GS) || looks_bracketed(data, len)) {
        e = tote_gs1_parse(data, len, &out->ais, err, errcap);
        if (e == TOTE_PROTO_E_OK)
            e = from_gs1(out, err, errcap);
        goto done;
    }
    /* 2. EAN / UPC */
    if ((aim[0] && aim[1] == 'E') || (!aim[0] && (sym == TOTE_SYM_EAN13 || sym == TOTE_SYM_EAN8 ||
                                                  sym == TOTE_SYM_UPCA || sym == TOTE_SYM_UPCE))) {
        e = parse_ean(aim[0] ? aim[2] : 0, data, len, out, err, errcap);
        goto done;
    }
    /* 3. own barcodes */
    for (size_t i = 0; prefixes && i < nprefixes; i++) {
        size_t pl = prefixes[i].prefix ? strlen(prefixes[i].prefix) : 0;
        if (pl > 0 && len >= pl && memcmp(data, prefixes[i].prefix, pl) == 0) {
            e = parse_own(&prefixes[i], data, len, out, err, errcap);
            goto done;
        }
    }
    /* 4. UPU S10 */
    e = tote_s10_validate((const char *)data, len);
    if (e == TOTE_PROTO_E_CHECK_DIGIT) {
        seterr(err, errcap, "S10 tracking number %.13s: bad check digit %c, expected %d", (const char *)data,
               data[10], tote_s10_check_digit((const char *)data + 2));
        goto done;
    }
    if (e == TOTE_PROTO_E_OK) {
        memcpy(out->code, data, 13);
        out->code[13] = '\0';
        out->kind = TOTE_BC_TRACKING;
        goto done;
    }
    /* 5. a bare GTIN */
    if (all_digits(data, len) && (len == 8 || len == 12 || len == 13 || len == 14)) {
        int strict = !have_sym || sym == TOTE_SYM_ITF;
        static const char *const names[15] = {
            [8] = "GTIN-8", [12] = "GTIN-12", [13] = "GTIN-13", [14] = "GTIN-14"};
        char upca[13], g[15];
        if (strict && len == 8 && tote_gtin_normalise((const char *)data, 8, g) != TOTE_PROTO_E_OK &&
            tote_upce_expand((const char *)data, 8, upca) == TOTE_PROTO_E_OK) {
            /* eight digits without an AIM id whose EAN-8 check digit fails but
               whose UPC-E one holds: a UPC-E (a scanner sends it as printed) */
            out->symbology = TOTE_SYM_UPCE;
            e = gtin_or_error("UPC-A", (const uint8_t *)upca, 12, out, err, errcap);
            goto done;
        }
        if (strict) {
            e = gtin_or_error(names[len], data, len, out, err, errcap);
            goto done;
        }
        if (tote_gtin_normalise((const char *)data, len, out->gtin14) == TOTE_PROTO_E_OK) {
            out->kind = TOTE_BC_GTIN;
            e = TOTE_PROTO_E_OK;
            goto done;
        }
    }
    /* 6. GS1 from a scanner that dropped the AIM id */
    if (!have_sym && len > 4 && data[0] == '0' && data[1] >= '0' && data[1] <= '2') {
        tote_proto_err g = tote_gs1_parse(data, len, &out->ais, err, errcap);
        if (g == TOTE_PROTO_E_OK) {
            e = from_gs1(out, err, errcap);
            goto done;
        }
        /* exactly an SSCC (00 + 18 digits) or a GTIN (01 + 14) with a wrong
           check digit: that, not "unknown" (as under an AIM id) */
        if (g == TOTE_PROTO_E_CHECK_DIGIT && all_digits(data, len) &&
            ((len == 20 && data[1] == '0') || (len == 16 && data[1] == '1'))) {
            e = g;
            goto done;
        }
        memset(&out->ais, 0, sizeof out->ais);
        if (errcap)
            err[0] = '\0';
    }
    /* 7. anything else */
    {
        size_t n = len < sizeof out->code - 1 ? len : sizeof out->code - 1;
        for (size_t i = 0; i < n; i++)
            out->code[i] = data[i] ? (char)data[i] : '?';
        out->code[n] = '\0';
        out->kind = TOTE_BC_UNKNOWN;
        e = TOTE_PROTO_E_OK;
    }
done:
    if (e != TOTE_PROTO_E_OK) {
        tote_symbology keep = out->symbology;
        memset(out, 0, sizeof *out);
        out->symbology = keep;
    }
    return e;
}

tote_proto_err tote_barcode_parse(const char *symbology, const uint8_t *data, size_t len, tote_barcode *out,
                                  char *err, size_t errcap)
{
    size_t n;
    const tote_barcode_prefix *p = tote_barcode_prefixes(&n);
    return tote_barcode_parse_with(p, n, symbology, data, len, out, err, errcap);
}

const char *tote_barcode_badge_code(const char *text, tote_barcode *bc)
{
    if (tote_barcode_parse(NULL, (const uint8_t *)text, strlen(text), bc, NULL, 0) == TOTE_PROTO_E_OK &&
        bc->kind == TOTE_BC_BADGE)
        return bc->code;
    return text;
}
