/* Shared machinery of the importers: arena, string map, field parsers. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "import_internal.h"
#include "tote/checkdigit.h"

/* ------------------------------------------------------------------ arena */

struct imp_block {
    struct imp_block *next;
    size_t used, cap;
    max_align_t align[]; /* data */
};

void *imp_arena_alloc(imp_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct imp_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        b = malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b->align + b->used;
    b->used += n;
    return p;
}

char *imp_arena_strndup(imp_arena *a, const char *s, size_t n)
{
    char *d = imp_arena_alloc(a, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *imp_arena_strdup(imp_arena *a, const char *s)
{
    return imp_arena_strndup(a, s, strlen(s));
}

void imp_arena_free(imp_arena *a)
{
    struct imp_block *b = a->head;
    while (b) {
        struct imp_block *n = b->next;
        free(b);
        b = n;
    }
    a->head = NULL;
}

/* -------------------------------------------------------------------- map */

static char gone_marker;
#define GONE (&gone_marker)

static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static size_t slot_of(const imp_map *m, const char *key, int for_insert)
{
    size_t mask = m->cap - 1, i = (size_t)hash_key(key) & mask, first_gone = (size_t)-1;
    for (;;) {
        char *k = m->keys[i];
        if (!k)
            return (for_insert && first_gone != (size_t)-1) ? first_gone : i;
        if (k == GONE) {
            if (first_gone == (size_t)-1)
                first_gone = i;
        } else if (strcmp(k, key) == 0) {
            return i;
        }
        i = (i + 1) & mask;
    }
}

long long *imp_map_get(const imp_map *m, const char *key)
{
    if (!m->cap)
        return NULL;
    size_t i = slot_of(m, key, 0);
    return m->keys[i] ? &m->vals[i] : NULL;
}

static int rehash(imp_map *m, size_t cap)
{
    char **ok = m->keys;
    long long *ov = m->vals;
    size_t ocap = m->cap;
    m->keys = calloc(cap, sizeof *m->keys);
    m->vals = calloc(cap, sizeof *m->vals);
    if (!m->keys || !m->vals) {
        free(m->keys);
        free(m->vals);
        m->keys = ok;
        m->vals = ov;
        return -1;
    }
    m->cap = cap;
    m->used = 0;
    for (size_t i = 0; i < ocap; i++) {
        if (ok[i] && ok[i] != GONE) {
            size_t j = slot_of(m, ok[i], 1);
            m->keys[j] = ok[i];
            m->vals[j] = ov[i];
            m->used++;
        }
    }
    free(ok);
    free(ov);
    return 0;
}

int imp_map_put(imp_map *m, const char *key, long long val)
{
    if ((m->used + 1) * 4 >= m->cap * 3) {
        size_t cap = m->cap ? m->cap : 64;
        while ((m->live + 1) * 2 >= cap)
            cap *= 2;
        if (rehash(m, cap) != 0)
            return -1;
    }
    size_t i = slot_of(m, key, 0);
    if (m->keys[i]) {
        m->vals[i] = val;
        return 0;
    }
    i = slot_of(m, key, 1);
    char *k = imp_arena_strdup(&m->keys_arena, key);
    if (!k)
        return -1;
    if (!m->keys[i])
        m->used++;
    m->keys[i] = k;
    m->vals[i] = val;
    m->live++;
    return 0;
}

void imp_map_del(imp_map *m, const char *key)
{
    if (!m->cap)
        return;
    size_t i = slot_of(m, key, 0);
    if (m->keys[i]) {
        m->keys[i] = GONE;
        m->live--;
    }
}

int imp_map_slot(const imp_map *m, size_t i, const char **key, long long *val)
{
    if (i >= m->cap || !m->keys[i] || m->keys[i] == GONE)
        return 0;
    *key = m->keys[i];
    *val = m->vals[i];
    return 1;
}

void imp_map_free(imp_map *m)
{
    free(m->keys);
    free(m->vals);
    imp_arena_free(&m->keys_arena);
    memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- strings */

size_t imp_trim(const char *s, const char **out)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    *out = s;
    return n;
}

int imp_blank(const char *s)
{
    const char *t;
    return imp_trim(s, &t) == 0;
}

int imp_contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

int imp_has_tag(const char *tags, const char *tag)
{
    if (!tags)
        return 0;
    size_t want = strlen(tag);
    const char *p = tags;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if ((size_t)(b - a) == want && strncasecmp(a, tag, want) == 0)
            return 1;
        p = *end ? end + 1 : end;
    }
    return 0;
}

/* ---------------------------------------------------------------- parsers */

/* Copies the trimmed text into buf (cap bytes); returns its length, or -1 if too long. */
static int trimmed(const char *text, char *buf, size_t cap)
{
    const char *t;
    size_t n = imp_trim(text ? text : "", &t);
    if (n >= cap)
        return -1;
    memcpy(buf, t, n);
    buf[n] = '\0';
    return (int)n;
}

int tote_import_parse_money(const char *text, long long *cents)
{
    char b[48];
    int n = trimmed(text, b, sizeof b);
    if (n == 0)
        return 1;
    if (n < 0)
        return -1;
    const char *p = b;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    long long whole = 0;
    int digits = 0;
    for (; isdigit((unsigned char)*p); p++, digits++) {
        if (whole > (LLONG_MAX / 100 - 9) / 10)
            return -1;
        whole = whole * 10 + (*p - '0');
    }
    long long frac = 0;
    int fd = 0;
    /* a decimal comma ("9,50", as Excel writes it where that is the mark):
     * only with one or two digits after it, so "1,234" stays refused */
    int comma = digits > 0 && *p == ',' && isdigit((unsigned char)p[1]) &&
                (!p[2] || (isdigit((unsigned char)p[2]) && !p[3]));
    if (*p == '.' || comma) {
        p++;
        for (; isdigit((unsigned char)*p); p++, fd++) {
            if (fd < 2)
                frac = frac * 10 + (*p - '0');
            else if (*p != '0')
                return -1; /* a fraction of a cent */
        }
    }
    if (*p || (digits == 0 && fd == 0))
        return -1;
    if (fd == 1)
        frac *= 10;
    long long v = whole * 100 + frac;
    *cents = neg ? -v : v;
    return 0;
}

int tote_import_parse_decimal(const char *text, int places, long long *out)
{
    const char *t;
    size_t n = imp_trim(text, &t);
    if (n == 0)
        return 1;
    size_t i = 0;
    if (t[0] == '+')
        i++;
    long long v = 0;
    int digits = 0, frac = -1, round_up = 0;
    for (; i < n; i++) {
        char c = t[i];
        if ((c == '.' || c == ',') && frac < 0) {
            frac = 0;
            continue;
        }
        if (!isdigit((unsigned char)c))
            return -1;
        digits++;
        if (frac >= 0 && frac >= places) { /* past the kept places: only the first decides */
            if (frac == places)
                round_up = c >= '5';
            frac++;
            continue;
        }
        if (v > (LLONG_MAX / 10) - 10)
            return -1;
        v = v * 10 + (c - '0');
        if (frac >= 0)
            frac++;
    }
    if (digits == 0)
        return -1;
    for (int k = frac < 0 ? 0 : (frac < places ? frac : places); k < places; k++) {
        if (v > LLONG_MAX / 10)
            return -1;
        v *= 10;
    }
    *out = v + round_up;
    return 0;
}

int tote_import_parse_qty(const char *text, long long *out)
{
    long long v;
    int rc = tote_import_parse_int(text, &v);
    if (rc == 0 && v >= 1 && v <= TOTE_QTY_MAX) {
        *out = v;
        return 0;
    }
    if (rc == 0)
        return v > TOTE_QTY_MAX ? -2 : -1;
    /* too many digits for a long long is too large too */
    const char *t;
    size_t n = imp_trim(text, &t), i = 0;
    if (n > 0 && t[0] == '+')
        i++;
    size_t digits = 0;
    for (; i < n && isdigit((unsigned char)t[i]); i++)
        digits++;
    return digits > 18 && (i == n || t[i] == '.') ? -2 : -1;
}

int tote_import_parse_int(const char *text, long long *out)
{
    char b[48];
    int n = trimmed(text, b, sizeof b);
    if (n == 0)
        return 1;
    if (n < 0)
        return -1;
    const char *p = b;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!isdigit((unsigned char)*p))
        return -1;
    long long v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (LLONG_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    if (*p == '.') { /* "3.0" / "3.00": a spreadsheet's whole number */
        p++;
        while (*p == '0')
            p++;
    }
    if (*p)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

int tote_import_parse_bool(const char *text, int *out)
{
    char b[16];
    int n = trimmed(text, b, sizeof b);
    if (n == 0)
        return 1;
    if (n < 0)
        return -1;
    static const char *const yes[] = {"true", "yes", "y", "1", "t"};
    static const char *const no[] = {"false", "no", "n", "0", "f"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(b, yes[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(b, no[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

static int num(const char **p, int digits, int *out)
{
    int v = 0;
    for (int i = 0; i < digits; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += digits;
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return d[m - 1];
}

/* Parses "YYYY-MM-DD" at *p, advancing it. */
static int parse_ymd(const char **p, int *y, int *mo, int *d)
{
    if (num(p, 4, y) || **p != '-' || (++*p, num(p, 2, mo)) || **p != '-' || (++*p, num(p, 2, d)))
        return -1;
    if (*y < 1900 || *mo < 1 || *mo > 12 || *d < 1 || *d > days_in_month(*y, *mo))
        return -1;
    return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int tote_import_parse_time(const char *text, char out[32])
{
    char b[48];
    int n = trimmed(text, b, sizeof b);
    if (n == 0)
        return 1;
    if (n < 0)
        return -1;
    const char *p = b;
    int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
    if (parse_ymd(&p, &y, &mo, &d))
        return -1;
    long long offset_min = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (num(&p, 2, &h) || *p != ':' || (++p, num(&p, 2, &mi)))
            return -1;
        if (*p == ':') {
            p++;
            if (num(&p, 2, &s))
                return -1;
            if (*p == '.' || *p == ',') {
                p++;
                int k = 0;
                while (isdigit((unsigned char)*p)) {
                    if (k < 3)
                        ms = ms * 10 + (*p - '0');
                    k++;
                    p++;
                }
                if (k == 0)
                    return -1;
                for (; k < 3; k++)
                    ms *= 10;
            }
        }
        if (h > 23 || mi > 59 || s > 60)
            return -1;
        if (s == 60)
            s = 59; /* a leap second: keep it inside the minute */
        while (*p == ' ')
            p++;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (num(&p, 2, &oh))
                return -1;
            if (*p == ':')
                p++;
            if (*p && num(&p, 2, &om))
                return -1;
            if (oh > 14 || om > 59)
                return -1;
            offset_min = sign * (oh * 60 + om);
        } else if (strcasecmp(p, "UTC") == 0) {
            p += 3;
        }
    }
    if (*p)
        return -1;
    long long t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_min * 60;
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        return -1;
    char tmp[96];
    int len = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    if (len != 24)
        return -1; /* the offset moved it past year 9999 */
    memcpy(out, tmp, 25);
    return 0;
}

int tote_import_parse_date(const char *text, char out[11])
{
    char b[16];
    int n = trimmed(text, b, sizeof b);
    if (n == 0)
        return 1;
    if (n != 10)
        return -1;
    const char *p = b;
    int y, m, d;
    if (parse_ymd(&p, &y, &m, &d) || *p)
        return -1;
    memcpy(out, b, 11);
    return 0;
}

int tote_import_parse_barcode(const char *text, char out[65], char *why, size_t why_cap)
{
    char b[80];
    int n = trimmed(text, b, sizeof b);
    if (n == 0)
        return 1;
    if (why_cap)
        why[0] = '\0';
    if (n < 0) {
        snprintf(why, why_cap, "barcode is longer than 64 characters");
        return -1;
    }
    char *p = b;
    if (*p == '\'') { /* spreadsheet text marker */
        p++;
        n--;
        if (n == 0)
            return 1;
    }
    int digits = 1, sci = 0;
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c == 0x7f) {
            snprintf(why, why_cap, "barcode '%s' contains spaces or control characters", p);
            return -1;
        }
        if (!isdigit(c))
            digits = 0;
        if (c == 'E' || c == 'e')
            sci = 1;
    }
    if (!digits && sci && strspn(p, "0123456789.Ee+-") == (size_t)n && strchr(p, '.')) {
        snprintf(why, why_cap,
                 "barcode '%s' is in scientific notation: a spreadsheet rounded it; export it as text", p);
        return -1;
    }
    if (!digits) {
        if (n > 64) {
            snprintf(why, why_cap, "barcode is longer than 64 characters");
            return -1;
        }
        memcpy(out, p, (size_t)n + 1);
        return 0;
    }
    if (strspn(p, "0") == (size_t)n) { /* its check digit holds, but no item carries it */
        snprintf(why, why_cap, "barcode '%s' is all zeros: a placeholder, not an item's code", p);
        return -1;
    }
    if (n != 8 && n != 12 && n != 13 && n != 14) {
        snprintf(why, why_cap,
                 "barcode %s has %d digits; a GTIN has 8, 12, 13 or 14 (a spreadsheet may have dropped "
                 "leading zeros)",
                 p, n);
        return -1;
    }
    char g[15];
    tote_proto_err e = tote_gtin_normalise(p, (size_t)n, g);
    char upca[13];
    if (e != TOTE_PROTO_E_OK && n == 8 && tote_upce_expand(p, 8, upca) == TOTE_PROTO_E_OK &&
        tote_gtin_normalise(upca, 12, g) == TOTE_PROTO_E_OK)
        e = TOTE_PROTO_E_OK; /* a UPC-E: its UPC-A's GTIN */
    if (e != TOTE_PROTO_E_OK) {
        int want = tote_gs1_check_digit(p, (size_t)n - 1);
        snprintf(why, why_cap, "barcode %s has a wrong check digit (%c; it should be %d%s)", p, p[n - 1],
                 want, n == 8 && (p[0] == '0' || p[0] == '1') ? ", and it is no UPC-E either" : "");
        return -1;
    }
    memcpy(out, g, 15);
    return 0;
}

int tote_import_barcode_upce_alt(const char *text, char out[15])
{
    char b[80];
    int n = trimmed(text, b, sizeof b);
    const char *p = b;
    if (n > 0 && *p == '\'') {
        p++;
        n--;
    }
    char g[15], upca[13];
    if (n != 8 || strspn(p, "0123456789") != 8 || tote_gtin_normalise(p, 8, g) != TOTE_PROTO_E_OK ||
        tote_upce_expand(p, 8, upca) != TOTE_PROTO_E_OK ||
        tote_gtin_normalise(upca, 12, out) != TOTE_PROTO_E_OK)
        return 0;
    return 1;
}

int imp_cod_method(const char *method)
{
    if (!method)
        return 0;
    if (imp_contains_ci(method, "cash on delivery") || imp_contains_ci(method, "(COD)"))
        return 1;
    const char *t;
    size_t n = imp_trim(method, &t);
    return n == 3 && strncasecmp(t, "cod", 3) == 0;
}

/* 1 if word (ASCII letters) stands in text as a word of its own, any case. */
static int has_word_ci(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++) {
        if (strncasecmp(p, word, n) != 0)
            continue;
        int before = p == text || !isalnum((unsigned char)p[-1]);
        int after = !isalnum((unsigned char)p[n]);
        if (before && after)
            return 1;
    }
    return 0;
}

int imp_pickup(const char *tags, const char *m)
{
    if (imp_has_tag(tags, "pickup") || imp_has_tag(tags, "local pickup") ||
        imp_has_tag(tags, "in-store pickup"))
        return 1;
    if (!m ||
        !(imp_contains_ci(m, "pickup") || imp_contains_ci(m, "pick up") || imp_contains_ci(m, "pick-up") ||
          imp_contains_ci(m, "click & collect") || imp_contains_ci(m, "click and collect")))
        return 0;
    /* a carrier's pickup point, parcel shop or locker is a delivery: it ships */
    static const char *const ships[] = {"point",       "parcel", "parcelshop", "paketshop", "locker",
                                        "packstation", "relais", "station",    "dpd",       "ups",
                                        "dhl",         "gls",    "postnl",     "inpost",    "hermes",
                                        "fedex",       "usps",   "bpost",      "mondial"};
    for (size_t i = 0; i < sizeof ships / sizeof ships[0]; i++)
        if (has_word_ci(m, ships[i]))
            return 0;
    return 1;
}

tote_st_err imp_hold_order(imp_run *r, const char *name, const char *reason, long long line, long long index,
                           const char *fmt, ...)
{
    char *em = NULL;
    tote_st_err e = tote_order_hold(r->s, name, r->actor, NULL, reason, &em);
    if (e == TOTE_ST_E_OK) {
        char why[600];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        imp_problem(r, TOTE_IMPORT_WARNING, line, index, name, "%s", why);
    } else {
        e = imp_fail(r, e, "order %s could not be held (%s): %s", name, reason,
                     em ? em : tote_st_strerror(e));
    }
    free(em);
    return e;
}

tote_st_err imp_held_before(imp_run *r, const char *name, const char *reason, int *held)
{
    *held = 0;
    sqlite3_stmt *q = tote_store_stmt(r->s, "SELECT EXISTS (SELECT 1 FROM event WHERE subject_type = 'order' "
                                            "AND subject = ?1 AND kind = 'order.on_hold' AND "
                                            "json_extract(detail, '$.reason') = ?2)");
    if (!q)
        return imp_fail(r, TOTE_ST_E_DB, "order %s: %s", name, tote_store_errmsg(r->s));
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, reason, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    *held = rc == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW)
        return imp_fail(r, tote_store_map_rc(rc), "order %s: %s", name, tote_store_errmsg(r->s));
    return TOTE_ST_E_OK;
}

tote_st_err imp_fulfilled_upstream(imp_run *r, const char *name, const char *label, long long line,
                                   long long index, int noisy)
{
    long long id = 0;
    tote_order_status st = TOTE_ORDER_RECEIVED;
    tote_st_err e = tote_order_find(r->s, name, &id, &st);
    if (e == TOTE_ST_E_NOT_FOUND) {
        r->sum->skipped++;
        if (noisy)
            imp_problem(r, TOTE_IMPORT_NOTICE, line, index, name, "%s was fulfilled upstream: skipped",
                        label);
        return TOTE_ST_E_OK;
    }
    if (e != TOTE_ST_E_OK)
        return imp_fail(r, e, "order %s: %s", name, tote_st_detail());
    /* held for this once already and released by someone since: they know */
    int held_before = 0;
    if ((e = imp_held_before(r, name, "fulfilled upstream", &held_before)) != TOTE_ST_E_OK)
        return e;
    if (held_before && st != TOTE_ORDER_ON_HOLD && st != TOTE_ORDER_SHIPPED && st != TOTE_ORDER_DELIVERED &&
        st != TOTE_ORDER_CANCELLED) {
        r->sum->skipped++;
        imp_problem(r, TOTE_IMPORT_WARNING, line, index, name,
                    "%s was fulfilled upstream; it was held for that before and released since: left %s",
                    label, tote_order_status_name(st));
        return TOTE_ST_E_OK;
    }
    switch (st) {
    case TOTE_ORDER_RECEIVED:
    case TOTE_ORDER_RELEASED:
    case TOTE_ORDER_ALLOCATED:
        e = imp_hold_order(r, name, "fulfilled upstream", line, index,
                           "%s was fulfilled upstream: put on hold here so that it is not shipped twice "
                           "(cancel it, or release it if it still ships from here)",
                           label);
        if (e == TOTE_ST_E_OK)
            r->sum->held++;
        return e;
    case TOTE_ORDER_ON_HOLD:
        r->sum->skipped++;
        imp_problem(r, TOTE_IMPORT_WARNING, line, index, name,
                    "%s was fulfilled upstream: it stays on hold here (cancel it, or release it if it "
                    "still ships from here)",
                    label);
        return TOTE_ST_E_OK;
    case TOTE_ORDER_PICKING:
    case TOTE_ORDER_PICKED:
    case TOTE_ORDER_PACKING:
    case TOTE_ORDER_PACKED:
        r->sum->skipped++;
        imp_problem(r, TOTE_IMPORT_WARNING, line, index, name,
                    "%s was fulfilled upstream but is %s here: check it before it ships twice", label,
                    tote_order_status_name(st));
        return TOTE_ST_E_OK;
    default: /* shipped, delivered, cancelled: nothing to do */
        r->sum->skipped++;
        return TOTE_ST_E_OK;
    }
}

/* The next code point of NUL-terminated s (advancing it); a byte that does
 * not start a valid sequence stands for itself. The decoder reads no
 * further than the NUL (a NUL is never a continuation byte). */
static unsigned next_cp(const unsigned char **s)
{
    uint32_t cp;
    int len = tote_utf8_decode(*s, 4, &cp);
    if (len == 0) {
        cp = **s;
        len = 1;
    }
    *s += len;
    return (unsigned)cp;
}

/* Lower case of code point c where it is a capital of the scripts above. */
static unsigned fold_cp(unsigned c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) /* Latin-1 capitals, not the multiplication sign */
        return c + 32;
    if (c >= 0x100 && c <= 0x137 && !(c & 1)) /* Latin Extended-A: capital even, small odd */
        return c + 1;
    if (c >= 0x139 && c <= 0x148 && (c & 1))
        return c + 1;
    if (c >= 0x14A && c <= 0x177 && !(c & 1))
        return c + 1;
    if (c == 0x178)
        return 0xFF;
    if (c >= 0x179 && c <= 0x17E && (c & 1))
        return c + 1;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) /* Greek */
        return c + 32;
    if (c >= 0x410 && c <= 0x42F) /* Cyrillic */
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    return c;
}

int imp_utf8_casecmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    while (*p && *q)
        if (fold_cp(next_cp(&p)) != fold_cp(next_cp(&q)))
            return 1;
    return *p || *q;
}

void imp_locked_order(imp_run *r, const tote_order_in *in, const char *label, const char *status,
                      long long line, long long index)
{
    const char *pay = in->payment_status ? in->payment_status : "";
    const char *why = in->cancelled_at && *in->cancelled_at ? "cancelled"
                      : imp_contains_ci(pay, "refunded")    ? "refunded"
                      : imp_contains_ci(pay, "voided")      ? "voided"
                                                            : NULL;
    if (why)
        imp_problem(
            r, TOTE_IMPORT_WARNING, line, index, in->name,
            "%s was %s upstream but is already %s here, so it was not changed: stop it before it ships "
            "(tote order cancel %s, or hold it)",
            label, why, status, in->name);
    else
        imp_problem(r, TOTE_IMPORT_NOTICE, line, index, in->name,
                    "%s changed in the file but is already %s; it was not updated", label, status);
}

tote_st_err imp_hold_without_address(imp_run *r, const tote_order_in *in, const char *label, long long line,
                                     long long index, tote_order_status *st)
{
    if (*st != TOTE_ORDER_RELEASED || in->pickup)
        return TOTE_ST_E_OK;
    int ships = 0;
    for (size_t i = 0; i < in->line_count; i++)
        ships |= in->lines[i].requires_shipping;
    const char *where[] = {in->ship_address1, in->ship_city, in->ship_zip};
    for (int i = 0; i < 3; i++)
        if (where[i] && !imp_blank(where[i]))
            return TOTE_ST_E_OK;
    if (!ships)
        return TOTE_ST_E_OK;
    tote_st_err e = imp_hold_order(r, in->name, "no shipping address", line, index,
                                   "%s has no shipping address (no street, city or postal code) and is not a "
                                   "pickup: held (release it if it is collected)",
                                   label);
    if (e == TOTE_ST_E_OK)
        *st = TOTE_ORDER_ON_HOLD;
    return e;
}
