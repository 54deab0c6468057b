/*
 * GS1 element strings: the AI table, the parser (transmitted and bracket
 * form), validation, and the encoders (bracket, transmitted, ZPL Code 128).
 * AI formats are from the GS1 General Specifications (section 3, the AI
 * table) and the GS1 Barcode Syntax Dictionary.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tote/checkdigit.h"
#include "tote/gs1.h"

#define GS 0x1D

/* flags of one component of a value */
enum {
    F_CSUM = 1 << 0,  /* GS1 mod-10 check digit is the component's last digit */
    F_DATE = 1 << 1,  /* YYMMDD */
    F_DATE0 = 1 << 2, /* YYMMDD, DD = 00 allowed */
    F_HHMM = 1 << 3,  /* HHMM */
    F_HH = 1 << 4,    /* HH */
    F_MMSS = 1 << 5,  /* optional MM or MMSS (0, 2 or 4 digits) */
    F_ZERO = 1 << 6,  /* must be all '0' */
    F_MULT3 = 1 << 7, /* 1..n three-digit country codes */
};

typedef struct part {
    char type;              /* 'N' digits, 'X' set 82, 'Y' set 39; 0 = unused */
    unsigned char min, max; /* length; only the last used part may vary */
    unsigned char flags;
} part;

typedef struct ai_def {
    const char *ai;    /* the AI, or for a family the first three digits */
    unsigned char fam; /* 0: exact AI; else a 4-digit family ai + d, d < fam */
    const char *title;
    part p[3];
} ai_def;

#define N(n)         \
    {                \
        'N', n, n, 0 \
    }
#define NV(a, b)     \
    {                \
        'N', a, b, 0 \
    }
#define NC(n)             \
    {                     \
        'N', n, n, F_CSUM \
    }
#define XV(a, b)     \
    {                \
        'X', a, b, 0 \
    }
#define DATE0              \
    {                      \
        'N', 6, 6, F_DATE0 \
    }
#define DATE              \
    {                     \
        'N', 6, 6, F_DATE \
    }
#define MEAS(ai, title) \
    {                   \
        ai, 6, title,   \
        {               \
            N(6)        \
        }               \
    }

static const ai_def ai_table[] = {
    {"00", 0, "SSCC", {NC(18)}},
    {"01", 0, "GTIN", {NC(14)}},
    {"02", 0, "CONTENT", {NC(14)}},
    {"03", 0, "MTO GTIN", {NC(14)}},
    {"10", 0, "BATCH/LOT", {XV(1, 20)}},
    {"11", 0, "PROD DATE", {DATE0}},
    {"12", 0, "DUE DATE", {DATE0}},
    {"13", 0, "PACK DATE", {DATE0}},
    {"15", 0, "BEST BEFORE or BEST BY", {DATE0}},
    {"16", 0, "SELL BY", {DATE0}},
    {"17", 0, "USE BY OR EXPIRY", {DATE0}},
    {"20", 0, "VARIANT", {N(2)}},
    {"21", 0, "SERIAL", {XV(1, 20)}},
    {"22", 0, "CPV", {XV(1, 20)}},
    {"235", 0, "TPX", {XV(1, 28)}},
    {"240", 0, "ADDITIONAL ID", {XV(1, 30)}},
    {"241", 0, "CUST. PART No.", {XV(1, 30)}},
    {"242", 0, "MTO VARIANT", {NV(1, 6)}},
    {"243", 0, "PCN", {XV(1, 20)}},
    {"250", 0, "SECONDARY SERIAL", {XV(1, 30)}},
    {"251", 0, "REF. TO SOURCE", {XV(1, 30)}},
    {"253", 0, "GDTI", {NC(13), XV(0, 17)}},
    {"254", 0, "GLN EXTENSION COMPONENT", {XV(1, 20)}},
    {"255", 0, "GCN", {NC(13), NV(0, 12)}},
    {"30", 0, "VAR. COUNT", {NV(1, 8)}},
    MEAS("310", "NET WEIGHT (kg)"),
    MEAS("311", "LENGTH (m)"),
    MEAS("312", "WIDTH (m)"),
    MEAS("313", "HEIGHT (m)"),
    MEAS("314", "AREA (m2)"),
    MEAS("315", "NET VOLUME (l)"),
    MEAS("316", "NET VOLUME (m3)"),
    MEAS("320", "NET WEIGHT (lb)"),
    MEAS("321", "LENGTH (in)"),
    MEAS("322", "LENGTH (ft)"),
    MEAS("323", "LENGTH (yd)"),
    MEAS("324", "WIDTH (in)"),
    MEAS("325", "WIDTH (ft)"),
    MEAS("326", "WIDTH (yd)"),
    MEAS("327", "HEIGHT (in)"),
    MEAS("328", "HEIGHT (ft)"),
    MEAS("329", "HEIGHT (yd)"),
    MEAS("330", "GROSS WEIGHT (kg)"),
    MEAS("331", "LENGTH (m), log"),
    MEAS("332", "WIDTH (m), log"),
    MEAS("333", "HEIGHT (m), log"),
    MEAS("334", "AREA (m2), log"),
    MEAS("335", "VOLUME (l), log"),
    MEAS("336", "VOLUME (m3), log"),
    MEAS("337", "KG PER m2"),
    MEAS("340", "GROSS WEIGHT (lb)"),
    MEAS("341", "LENGTH (in), log"),
    MEAS("342", "LENGTH (ft), log"),
    MEAS("343", "LENGTH (yd), log"),
    MEAS("344", "WIDTH (in), log"),
    MEAS("345", "WIDTH (ft), log"),
    MEAS("346", "WIDTH (yd), log"),
    MEAS("347", "HEIGHT (in), log"),
    MEAS("348", "HEIGHT (ft), log"),
    MEAS("349", "HEIGHT (yd), log"),
    MEAS("350", "AREA (in2)"),
    MEAS("351", "AREA (ft2)"),
    MEAS("352", "AREA (yd2)"),
    MEAS("353", "AREA (in2), log"),
    MEAS("354", "AREA (ft2), log"),
    MEAS("355", "AREA (yd2), log"),
    MEAS("356", "NET WEIGHT (troy oz)"),
    MEAS("357", "NET VOLUME (oz)"),
    MEAS("360", "NET VOLUME (qt)"),
    MEAS("361", "NET VOLUME (gal.)"),
    MEAS("362", "VOLUME (qt), log"),
    MEAS("363", "VOLUME (gal.), log"),
    MEAS("364", "VOLUME (in3)"),
    MEAS("365", "VOLUME (ft3)"),
    MEAS("366", "VOLUME (yd3)"),
    MEAS("367", "VOLUME (in3), log"),
    MEAS("368", "VOLUME (ft3), log"),
    MEAS("369", "VOLUME (yd3), log"),
    {"37", 0, "COUNT", {NV(1, 8)}},
    {"390", 10, "AMOUNT", {NV(1, 15)}},
    {"391", 10, "AMOUNT (with ISO currency)", {N(3), NV(1, 15)}},
    {"392", 10, "PRICE", {NV(1, 15)}},
    {"393", 10, "PRICE (with ISO currency)", {N(3), NV(1, 15)}},
    {"394", 4, "PRCNT OFF", {N(4)}},
    {"395", 7, "PRICE/UoM", {N(6)}},
    {"400", 0, "ORDER NUMBER", {XV(1, 30)}},
    {"401", 0, "GINC", {XV(1, 30)}},
    {"402", 0, "GSIN", {NC(17)}},
    {"403", 0, "ROUTE", {XV(1, 30)}},
    {"410", 0, "SHIP TO LOC", {NC(13)}},
    {"411", 0, "BILL TO", {NC(13)}},
    {"412", 0, "PURCHASE FROM", {NC(13)}},
    {"413", 0, "SHIP FOR LOC", {NC(13)}},
    {"414", 0, "LOC No.", {NC(13)}},
    {"415", 0, "PAY TO", {NC(13)}},
    {"416", 0, "PROD/SERV LOC", {NC(13)}},
    {"417", 0, "PARTY", {NC(13)}},
    {"420", 0, "SHIP TO POST", {XV(1, 20)}},
    {"421", 0, "SHIP TO POST (with ISO country)", {N(3), XV(1, 9)}},
    {"422", 0, "ORIGIN", {N(3)}},
    {"423", 0, "COUNTRY - INITIAL PROCESS.", {{'N', 3, 15, F_MULT3}}},
    {"424", 0, "COUNTRY - PROCESS.", {N(3)}},
    {"425", 0, "COUNTRY - DISASSEMBLY", {{'N', 3, 15, F_MULT3}}},
    {"426", 0, "COUNTRY - FULL PROCESS", {N(3)}},
    {"427", 0, "ORIGIN SUBDIVISION", {XV(1, 3)}},
    {"710", 0, "NHRN PZN", {XV(1, 20)}},
    {"711", 0, "NHRN CIP", {XV(1, 20)}},
    {"712", 0, "NHRN CN", {XV(1, 20)}},
    {"713", 0, "NHRN DRN", {XV(1, 20)}},
    {"714", 0, "NHRN AIM", {XV(1, 20)}},
    {"715", 0, "NHRN NDC", {XV(1, 20)}},
    {"7001", 0, "NSN", {N(13)}},
    {"7002", 0, "MEAT CUT", {XV(1, 30)}},
    {"7003", 0, "EXPIRY TIME", {DATE, {'N', 4, 4, F_HHMM}}},
    {"7004", 0, "ACTIVE POTENCY", {NV(1, 4)}},
    {"7005", 0, "CATCH AREA", {XV(1, 12)}},
    {"7006", 0, "FIRST FREEZE DATE", {DATE}},
    {"7007", 0, "HARVEST DATE", {DATE, {'N', 0, 6, F_DATE}}},
    {"7008", 0, "AQUATIC SPECIES", {XV(1, 3)}},
    {"7009", 0, "FISHING GEAR TYPE", {XV(1, 10)}},
    {"7010", 0, "PROD METHOD", {XV(1, 2)}},
    {"7011", 0, "TEST BY DATE", {DATE, {'N', 0, 4, F_HHMM}}},
    {"7020", 0, "REFURB LOT", {XV(1, 20)}},
    {"7021", 0, "FUNC STAT", {XV(1, 20)}},
    {"7022", 0, "REV STAT", {XV(1, 20)}},
    {"7023", 0, "GIAI - ASSEMBLY", {XV(1, 30)}},
    {"723", 10, "CERT # s", {XV(2, 2), XV(1, 28)}},
    {"7240", 0, "PROTOCOL", {XV(1, 20)}},
    {"8001", 0, "DIMENSIONS", {N(14)}},
    {"8002", 0, "CMT No.", {XV(1, 20)}},
    {"8003", 0, "GRAI", {{'N', 1, 1, F_ZERO}, NC(13), XV(0, 16)}},
    {"8004", 0, "GIAI", {XV(1, 30)}},
    {"8005", 0, "PRICE PER UNIT", {N(6)}},
    {"8006", 0, "ITIP", {NC(14), N(2), N(2)}},
    {"8007", 0, "IBAN", {XV(1, 34)}},
    {"8008", 0, "PROD TIME", {DATE, {'N', 2, 2, F_HH}, {'N', 0, 4, F_MMSS}}},
    {"8009", 0, "OPTSEN", {XV(1, 50)}},
    {"8010", 0, "CPID", {{'Y', 1, 30, 0}}},
    {"8011", 0, "CPID SERIAL", {NV(1, 12)}},
    {"8012", 0, "VERSION", {XV(1, 20)}},
    {"8013", 0, "GMN", {XV(1, 25)}},
    {"8017", 0, "GSRN - PROVIDER", {NC(18)}},
    {"8018", 0, "GSRN - RECIPIENT", {NC(18)}},
    {"8019", 0, "SRIN", {NV(1, 10)}},
    {"8020", 0, "REF No.", {XV(1, 25)}},
    {"8026", 0, "ITIP CONTENT", {NC(14), N(2), N(2)}},
    {"8200", 0, "PRODUCT URL", {XV(1, 70)}},
    {"90", 0, "INTERNAL", {XV(1, 30)}},
    {"91", 0, "INTERNAL", {XV(1, 90)}},
    {"92", 0, "INTERNAL", {XV(1, 90)}},
    {"93", 0, "INTERNAL", {XV(1, 90)}},
    {"94", 0, "INTERNAL", {XV(1, 90)}},
    {"95", 0, "INTERNAL", {XV(1, 90)}},
    {"96", 0, "INTERNAL", {XV(1, 90)}},
    {"97", 0, "INTERNAL", {XV(1, 90)}},
    {"98", 0, "INTERNAL", {XV(1, 90)}},
    {"99", 0, "INTERNAL", {XV(1, 90)}},
};

#define N_AI (sizeof ai_table / sizeof ai_table[0])

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* GS1 AI encodable character set 82 */
static int in_set82(int c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c))
        return 1;
    return c != 0 && strchr("!\"%&'()*+,-./:;<=>?_", c) != NULL;
}

/* GS1 AI encodable character set 39 */
static int in_set39(int c)
{
    return (c >= 'A' && c <= 'Z') || is_digit(c) || c == '#' || c == '-' || c == '/';
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

/* "'A'" or "0x1D" for messages */
static const char *show_char(int c, char buf[8])
{
    if (c >= 0x20 && c < 0x7F)
        snprintf(buf, 8, "'%c'", c);
    else
        snprintf(buf, 8, "0x%02X", (unsigned)(c & 0xFF));
    return buf;
}

static size_t def_min(const ai_def *d)
{
    size_t n = 0;
    for (int i = 0; i < 3 && d->p[i].type; i++)
        n += d->p[i].min;
    return n;
}

static size_t def_max(const ai_def *d)
{
    size_t n = 0;
    for (int i = 0; i < 3 && d->p[i].type; i++)
        n += d->p[i].max;
    return n;
}

/* Finds the AI at s[0..n) as a prefix (exact == 0) or as the whole of it
 * (exact == 1). Returns the definition and its AI length in *ailen, or NULL;
 * *bad_fam is set when a family matched but its last digit is out of range. */
static const ai_def *lookup(const char *s, size_t n, int exact, size_t *ailen, int *bad_fam)
{
    *bad_fam = 0;
    for (size_t i = 0; i < N_AI; i++) {
        const ai_def *d = &ai_table[i];
        size_t l = strlen(d->ai);
        size_t need = d->fam ? l + 1 : l;
        if (n < need || (exact && n != need) || memcmp(s, d->ai, l) != 0)
            continue;
        if (d->fam) {
            if (!is_digit(s[l]))
                continue;
            if (s[l] - '0' >= d->fam) {
                *bad_fam = 1;
                *ailen = need;
                return d;
            }
        }
        *ailen = need;
        return d;
    }
    return NULL;
}

static int predefined2(const char *ai)
{
    if (!ai || !is_digit(ai[0]) || !is_digit(ai[1]))
        return 0;
    int v = (ai[0] - '0') * 10 + (ai[1] - '0');
    return v <= 4 || (v >= 11 && v <= 20) || (v >= 31 && v <= 36) || v == 41;
}

int tote_gs1_ai_predefined(const char *ai)
{
    return tote_gs1_ai_known(ai) && predefined2(ai);
}

int tote_gs1_ai_known(const char *ai)
{
    if (!ai)
        return 0;
    size_t l, n = strnlen(ai, 5);
    int bad;
    const ai_def *d = lookup(ai, n, 1, &l, &bad);
    return d && !bad;
}

const char *tote_gs1_ai_title(const char *ai)
{
    if (!ai)
        return NULL;
    size_t l, n = strnlen(ai, 5);
    int bad;
    const ai_def *d = lookup(ai, n, 1, &l, &bad);
    return (d && !bad) ? d->title : NULL;
}

const char *tote_gs1_get(const tote_gs1 *g, const char *ai)
{
    if (!g || !ai)
        return NULL;
    for (size_t i = 0; i < g->count && i < TOTE_GS1_MAX_AIS; i++)
        if (strcmp(g->ais[i].ai, ai) == 0)
            return g->ais[i].value;
    return NULL;
}

/* ---- dates ---- */

static int two(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

static int days_in_month(int year, int month)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
        return 29;
    return dim[month - 1];
}

static const char *const month_names[12] = {"January",   "February", "March",    "April",
                                            "May",       "June",     "July",     "August",
                                            "September", "October",  "November", "December"};

/* Checks 6 digits YYMMDD; year is YY + 2000 for leap years (right for
 * 1901-2099). Returns 0, or -1 with the reason in why. */
static int check_yymmdd(const char *s, int allow00, char *why, size_t cap)
{
    int mm = two(s + 2), dd = two(s + 4);
    if (mm < 1 || mm > 12) {
        snprintf(why, cap, "month %02d", mm);
        return -1;
    }
    if (dd == 0 && allow00)
        return 0;
    if (dd < 1 || dd > days_in_month(2000 + two(s), mm)) {
        snprintf(why, cap, "day %02d in %s", dd, month_names[mm - 1]);
        return -1;
    }
    return 0;
}

tote_proto_err tote_gs1_date_at(const char *yymmdd, int current_year, char out[11])
{
    if (!yymmdd || strnlen(yymmdd, 7) != 6)
        return TOTE_PROTO_E_DATE;
    for (int i = 0; i < 6; i++)
        if (!is_digit(yymmdd[i]))
            return TOTE_PROTO_E_DATE;
    int yy = two(yymmdd), mm = two(yymmdd + 2), dd = two(yymmdd + 4);
    int cy = ((current_year % 100) + 100) % 100;
    int century = current_year - cy;
    int diff = yy - cy;
    if (diff >= 51)
        century -= 100;
    else if (diff <= -50)
        century += 100;
    int year = century + yy;
    if (mm < 1 || mm > 12)
        return TOTE_PROTO_E_DATE;
    int dim = days_in_month(year, mm);
    if (dd == 0)
        dd = dim;
    if (dd > dim || year < 0 || year > 9999)
        return TOTE_PROTO_E_DATE;
    snprintf(out, 11, "%04d-%02d-%02d", year, mm, dd);
    return TOTE_PROTO_E_OK;
}

tote_proto_err tote_gs1_date(const char *yymmdd, char out[11])
{
    time_t now = time(NULL);
    struct tm tm;
    int year = 2000;
    if (gmtime_r(&now, &tm))
        year = tm.tm_year + 1900;
    return tote_gs1_date_at(yymmdd, year, out);
}

/* ---- validation of one value ---- */

typedef enum form { FORM_TRANSMITTED, FORM_BRACKETS } form;

static tote_proto_err check_part(const char *ai, const part *pt, const char *v, size_t n, size_t off,
                                 char *err, size_t cap)
{
    char cb[8], why[48];
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)v[i];
        int ok = pt->type == 'N' ? is_digit(c) : pt->type == 'Y' ? in_set39(c) : in_set82(c);
        if (!ok) {
            const char *what = pt->type == 'N'   ? "is not a digit"
                               : pt->type == 'Y' ? "is not allowed (set 39: A-Z 0-9 # - /)"
                                                 : "is not allowed (GS1 character set 82)";
            seterr(err, cap, "AI (%s): character %s at position %zu %s", ai, show_char(c, cb), off + i + 1,
                   what);
            return TOTE_PROTO_E_AI_FORMAT;
        }
    }
    if (n == 0)
        return TOTE_PROTO_E_OK;
    if (pt->flags & F_CSUM) {
        int want = tote_gs1_check_digit(v, n - 1);
        if (want != v[n - 1] - '0') {
            seterr(err, cap, "AI (%s): bad check digit %c, expected %d", ai, v[n - 1], want);
            return TOTE_PROTO_E_CHECK_DIGIT;
        }
    }
    if (pt->flags & F_ZERO) {
        for (size_t i = 0; i < n; i++)
            if (v[i] != '0') {
                seterr(err, cap, "AI (%s): digit %zu must be 0", ai, off + i + 1);
                return TOTE_PROTO_E_AI_FORMAT;
            }
    }
    if (pt->flags & (F_DATE | F_DATE0)) {
        if (n != 6 || check_yymmdd(v, (pt->flags & F_DATE0) != 0, why, sizeof why) != 0) {
            if (n != 6)
                snprintf(why, sizeof why, "not YYMMDD");
            seterr(err, cap, "AI (%s): invalid date %.*s (%s)", ai, (int)n, v, why);
            return TOTE_PROTO_E_DATE;
        }
    }
    if (pt->flags & F_HHMM) {
        if (n != 4 || two(v) > 23 || two(v + 2) > 59) {
            seterr(err, cap, "AI (%s): invalid time %.*s (not HHMM)", ai, (int)n, v);
            return TOTE_PROTO_E_DATE;
        }
    }
    if ((pt->flags & F_HH) && two(v) > 23) {
        seterr(err, cap, "AI (%s): invalid hour %.*s", ai, (int)n, v);
        return TOTE_PROTO_E_DATE;
    }
    if (pt->flags & F_MMSS) {
        if ((n != 2 && n != 4) || two(v) > 59 || (n == 4 && two(v + 2) > 59)) {
            seterr(err, cap, "AI (%s): invalid minutes/seconds %.*s (not MM or MMSS)", ai, (int)n, v);
            return TOTE_PROTO_E_DATE;
        }
    }
    if ((pt->flags & F_MULT3) && n % 3 != 0) {
        seterr(err, cap, "AI (%s): value must be one to five 3-digit country codes, got %zu digits", ai, n);
        return TOTE_PROTO_E_AI_FORMAT;
    }
    return TOTE_PROTO_E_OK;
}

/* Validates value v[0..n) (n may exceed any limit: nothing is copied). */
static tote_proto_err check_value(const ai_def *d, const char *ai, const char *v, size_t n, form f,
                                  int predef, char *err, size_t cap)
{
    size_t mn = def_min(d), mx = def_max(d);
    if (n == 0) {
        seterr(err, cap, "AI (%s): value is empty", ai);
        return TOTE_PROTO_E_AI_FORMAT;
    }
    if (n > mx) {
        if (f == FORM_TRANSMITTED && !predef) {
            seterr(err, cap, "AI (%s): value is %zu characters, at most %zu allowed (missing GS separator?)",
                   ai, n, mx);
            return TOTE_PROTO_E_SEPARATOR;
        }
        seterr(err, cap, "AI (%s): value is %zu characters, at most %zu allowed", ai, n, mx);
        return TOTE_PROTO_E_TOO_LONG;
    }
    if (n < mn) {
        if (mn == mx)
            seterr(err, cap, "AI (%s): value is %zu characters, needs exactly %zu", ai, n, mn);
        else
            seterr(err, cap, "AI (%s): value is %zu characters, needs at least %zu", ai, n, mn);
        return TOTE_PROTO_E_AI_FORMAT;
    }
    size_t off = 0;
    for (int i = 0; i < 3 && d->p[i].type; i++) {
        const part *pt = &d->p[i];
        int last = (i == 2 || !d->p[i + 1].type);
        size_t take = last ? n - off : pt->max;
        tote_proto_err e = check_part(ai, pt, v + off, take, off, err, cap);
        if (e != TOTE_PROTO_E_OK)
            return e;
        off += take;
    }
    return TOTE_PROTO_E_OK;
}

/* Appends a validated element to out, refusing a second, different value of
 * the same AI. */
static tote_proto_err add_element(tote_gs1 *out, const char *ai, const char *v, size_t n, char *err,
                                  size_t cap)
{
    for (size_t i = 0; i < out->count; i++) {
        if (strcmp(out->ais[i].ai, ai) == 0 &&
            (strlen(out->ais[i].value) != n || memcmp(out->ais[i].value, v, n))) {
            seterr(err, cap, "AI (%s): appears twice with different values", ai);
            return TOTE_PROTO_E_INVALID;
        }
    }
    if (out->count >= TOTE_GS1_MAX_AIS) {
        seterr(err, cap, "AI (%s): more than %d AIs in one element string", ai, TOTE_GS1_MAX_AIS);
        return TOTE_PROTO_E_TOO_LONG;
    }
    tote_gs1_ai *a = &out->ais[out->count++];
    snprintf(a->ai, sizeof a->ai, "%s", ai);
    memcpy(a->value, v, n);
    a->value[n] = '\0';
    return TOTE_PROTO_E_OK;
}

static tote_proto_err parse_transmitted(const uint8_t *data, size_t len, tote_gs1 *out, char *err, size_t cap)
{
    size_t p = 0;
    const char *s = (const char *)data;
    char prev[5] = "";
    char cb[8];
    if (data[0] == GS)
        p = 1; /* FNC1 in first position, sent by some scanners */
    if (p >= len) {
        seterr(err, cap, "no GS1 data after the FNC1");
        return TOTE_PROTO_E_EMPTY;
    }
    while (p < len) {
        if (data[p] == GS) {
            if (prev[0])
                seterr(err, cap, "AI (%s): two GS separators in a row at position %zu", prev, p + 1);
            else
                seterr(err, cap, "GS separator at position %zu where an AI should start", p + 1);
            return TOTE_PROTO_E_AI_FORMAT;
        }
        if (!is_digit(data[p])) {
            if (prev[0])
                seterr(err, cap, "after AI (%s): expected an AI at position %zu, found %s", prev, p + 1,
                       show_char(data[p], cb));
            else
                seterr(err, cap, "expected an AI at position %zu, found %s", p + 1, show_char(data[p], cb));
            return TOTE_PROTO_E_AI_FORMAT;
        }
        size_t ailen = 0, avail = 0;
        while (p + avail < len && avail < 4 && is_digit(data[p + avail]))
            avail++;
        int bad_fam;
        const ai_def *d = lookup(s + p, avail, 0, &ailen, &bad_fam);
        if (!d) {
            seterr(err, cap, "unknown AI at position %zu: \"%.*s\"", p + 1, (int)avail, s + p);
            return TOTE_PROTO_E_AI_UNKNOWN;
        }
        char ai[5];
        memcpy(ai, s + p, ailen);
        ai[ailen] = '\0';
        if (bad_fam) {
            seterr(err, cap, "AI (%s): last digit must be 0 to %d", ai, d->fam - 1);
            return TOTE_PROTO_E_AI_FORMAT;
        }
        p += ailen;
        int predef = predefined2(ai);
        size_t start = p, end = p;
        size_t limit = predef ? def_min(d) : (size_t)-1;
        while (end < len && data[end] != GS && end - start < limit)
            end++;
        tote_proto_err e = check_value(d, ai, s + start, end - start, FORM_TRANSMITTED, predef, err, cap);
        if (e != TOTE_PROTO_E_OK)
            return e;
        e = add_element(out, ai, s + start, end - start, err, cap);
        if (e != TOTE_PROTO_E_OK)
            return e;
        p = end;
        if (p < len && data[p] == GS)
            p++;
        memcpy(prev, ai, sizeof prev);
    }
    return TOTE_PROTO_E_OK;
}

static tote_proto_err parse_brackets(const uint8_t *data, size_t len, tote_gs1 *out, char *err, size_t cap)
{
    size_t p = 0;
    const char *s = (const char *)data;
    char val[TOTE_GS1_MAX_VALUE + 1];
    while (p < len) {
        /* data[p] == '(' here: the first byte, or the stop of the previous value */
        size_t q = p + 1;
        while (q < len && q - p <= 5 && is_digit(data[q]))
            q++;
        size_t ailen = q - p - 1;
        if (q >= len || data[q] != ')' || ailen < 2 || ailen > 4) {
            char shown[40];
            seterr(err, cap, "malformed AI in brackets at position %zu: \"%s\"", p + 1,
                   show_bytes(shown, sizeof shown, s + p, len - p < 6 ? len - p : 6));
            return TOTE_PROTO_E_AI_FORMAT;
        }
        char ai[5];
        memcpy(ai, s + p + 1, ailen);
        ai[ailen] = '\0';
        size_t l;
        int bad_fam;
        const ai_def *d = lookup(ai, ailen, 1, &l, &bad_fam);
        if (!d) {
            seterr(err, cap, "AI (%s): unknown application identifier", ai);
            return TOTE_PROTO_E_AI_UNKNOWN;
        }
        if (bad_fam) {
            seterr(err, cap, "AI (%s): last digit must be 0 to %d", ai, d->fam - 1);
            return TOTE_PROTO_E_AI_FORMAT;
        }
        /* the value, unescaping "\(", up to the next '(' or the end */
        size_t n = 0;
        p = q + 1;
        while (p < len && data[p] != '(') {
            char c = s[p];
            if (c == '\\' && p + 1 < len && data[p + 1] == '(') {
                c = '(';
                p++;
            }
            if (n < sizeof val)
                val[n] = c;
            n++;
            p++;
        }
        if (n > TOTE_GS1_MAX_VALUE) { /* longer than any AI allows: val holds only the start */
            seterr(err, cap, "AI (%s): value is %zu characters, at most %zu allowed", ai, n, def_max(d));
            return TOTE_PROTO_E_TOO_LONG;
        }
        tote_proto_err e = check_value(d, ai, val, n, FORM_BRACKETS, 0, err, cap);
        if (e != TOTE_PROTO_E_OK)
            return e;
        e = add_element(out, ai, val, n, err, cap);
        if (e != TOTE_PROTO_E_OK)
            return e;
    }
    return TOTE_PROTO_E_OK;
}

tote_proto_err tote_gs1_parse(const uint8_t *data, size_t len, tote_gs1 *out, char *err, size_t errcap)
{
    if (err && errcap)
        err[0] = '\0';
    if (!out)
        return TOTE_PROTO_E_INVALID;
    memset(out, 0, sizeof *out);
    if (!data || len == 0) {
        seterr(err, errcap, "no GS1 data");
        return TOTE_PROTO_E_EMPTY;
    }
    tote_proto_err e = data[0] == '(' ? parse_brackets(data, len, out, err, errcap)
                                      : parse_transmitted(data, len, out, err, errcap);
    if (e != TOTE_PROTO_E_OK)
        memset(out, 0, sizeof *out);
    return e;
}

/* ---- encoders ---- */

typedef struct sink {
    char *buf;
    size_t cap, len;
    int full;
} sink;

static void put(sink *k, const char *s, size_t n)
{
    if (k->full || n > k->cap - k->len) {
        k->full = 1;
        return;
    }
    memcpy(k->buf + k->len, s, n);
    k->len += n;
}

static void puts_(sink *k, const char *s)
{
    put(k, s, strlen(s));
}

static size_t count_of(const tote_gs1 *g)
{
    return g->count < TOTE_GS1_MAX_AIS ? g->count : TOTE_GS1_MAX_AIS;
}

tote_proto_err tote_gs1_to_brackets(const tote_gs1 *g, char *out, size_t cap)
{
    if (!out || cap == 0)
        return TOTE_PROTO_E_NOSPACE;
    out[0] = '\0';
    if (!g)
        return TOTE_PROTO_E_INVALID;
    sink k = {out, cap - 1, 0, 0};
    for (size_t i = 0; i < count_of(g); i++) {
        const tote_gs1_ai *a = &g->ais[i];
        puts_(&k, "(");
        put(&k, a->ai, strnlen(a->ai, sizeof a->ai));
        puts_(&k, ")");
        for (size_t j = 0; j < sizeof a->value && a->value[j]; j++) {
            if (a->value[j] == '(')
                puts_(&k, "\\(");
            else
                put(&k, &a->value[j], 1);
        }
    }
    if (k.full) {
        out[0] = '\0';
        return TOTE_PROTO_E_NOSPACE;
    }
    out[k.len] = '\0';
    return TOTE_PROTO_E_OK;
}

tote_proto_err tote_gs1_to_transmitted(const tote_gs1 *g, uint8_t *out, size_t cap, size_t *len)
{
    if (len)
        *len = 0;
    if (!g || !out)
        return TOTE_PROTO_E_INVALID;
    sink k = {(char *)out, cap, 0, 0};
    size_t n = count_of(g);
    for (size_t i = 0; i < n; i++) {
        const tote_gs1_ai *a = &g->ais[i];
        put(&k, a->ai, strnlen(a->ai, sizeof a->ai));
        put(&k, a->value, strnlen(a->value, sizeof a->value));
        if (i + 1 < n && !predefined2(a->ai))
            put(&k, "\x1D", 1);
    }
    if (k.full)
        return TOTE_PROTO_E_NOSPACE;
    if (len)
        *len = k.len;
    return TOTE_PROTO_E_OK;
}

#define ZPL_FNC1 (-1)

static size_t digit_run(const int *t, size_t n, size_t i)
{
    size_t r = 0;
    while (i + r < n && t[i + r] >= '0' && t[i + r] <= '9')
        r++;
    return r;
}

tote_proto_err tote_gs1_to_zpl(const tote_gs1 *g, char *out, size_t cap)
{
    if (!out || cap == 0)
        return TOTE_PROTO_E_NOSPACE;
    out[0] = '\0';
    if (!g || count_of(g) == 0)
        return TOTE_PROTO_E_INVALID;
    /* the symbol's characters after the leading FNC1: AI digits, values, FNC1 separators */
    int t[TOTE_GS1_MAX_AIS * (4 + TOTE_GS1_MAX_VALUE + 1)];
    size_t n = 0, cnt = count_of(g);
    for (size_t i = 0; i < cnt; i++) {
        const tote_gs1_ai *a = &g->ais[i];
        size_t al = strnlen(a->ai, sizeof a->ai), vl = strnlen(a->value, sizeof a->value);
        if (al < 2 || vl == sizeof a->value)
            return TOTE_PROTO_E_INVALID;
        for (size_t j = 0; j < al; j++) {
            if (!is_digit(a->ai[j]))
                return TOTE_PROTO_E_INVALID;
            t[n++] = a->ai[j];
        }
        for (size_t j = 0; j < vl; j++) {
            int c = (unsigned char)a->value[j];
            if (c < 0x20 || c > 0x7E || c == '^' || c == '~')
                return TOTE_PROTO_E_INVALID;
            t[n++] = c;
        }
        if (i + 1 < cnt && !predefined2(a->ai))
            t[n++] = ZPL_FNC1;
    }
    sink k = {out, cap - 1, 0, 0};
    puts_(&k, ">;>8");
    int code_c = 1;
    size_t i = 0;
    while (i < n) {
        if (t[i] == ZPL_FNC1) {
            puts_(&k, ">8");
            i++;
            continue;
        }
        size_t r = digit_run(t, n, i);
        if (code_c) {
            if (r >= 2) {
                char pair[2] = {(char)t[i], (char)t[i + 1]};
                put(&k, pair, 2);
                i += 2;
                continue;
            }
            puts_(&k, ">6");
            code_c = 0;
        }
        if (r >= 4) {
            if (r % 2) {
                char c = (char)t[i++];
                put(&k, &c, 1);
            }
            puts_(&k, ">5");
            code_c = 1;
            continue;
        }
        if (t[i] == '>') {
            puts_(&k, "><");
        } else {
            char c = (char)t[i];
            put(&k, &c, 1);
        }
        i++;
    }
    if (k.full) {
        out[0] = '\0';
        return TOTE_PROTO_E_NOSPACE;
    }
    out[k.len] = '\0';
    return TOTE_PROTO_E_OK;
}
