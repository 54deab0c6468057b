/*
 * `tote import orders-json`: Tote's JSON schema for orders from channels
 * other than Shopify (IMPORT.md has the schema), and Shopify's own Admin API
 * order JSON (an order with "line_items" and no "lines"). The parser checks every
 * order against the schema and hands valid ones over as tote_order_in; the
 * importer writes them with tote_order_upsert().
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "import_internal.h"
#include "tote/orders.h"

#define MAX_FILE (1024LL * 1024 * 1024)
#define MAX_QTY TOTE_QTY_MAX

struct jctx {
    imp_arena a;
    char err[400];
};

static int jfail(struct jctx *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int jfail(struct jctx *j, const char *fmt, ...)
{
    if (!j->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(j->err, sizeof j->err, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Optional string member: absent, null or "" -> *out NULL. where names the
 * object for messages ("" or "lines[2]."). */
static int get_str(struct jctx *j, const cJSON *obj, const char *where, const char *key, const char **out)
{
    *out = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v) || !v->valuestring)
        return jfail(j, "%s%s must be a string", where, key);
    const char *s = v->valuestring;
    size_t n = strlen(s);
    if (!imp_utf8_valid((const unsigned char *)s, n))
        return jfail(j, "%s%s is not valid UTF-8 text", where, key);
    const char *t;
    n = imp_trim(s, &t);
    if (n == 0)
        return 0;
    if (n > 4096)
        return jfail(j, "%s%s is longer than 4096 bytes", where, key);
    *out = imp_arena_strndup(&j->a, t, n);
    return *out ? 0 : jfail(j, "out of memory");
}

static int get_bool(struct jctx *j, const cJSON *obj, const char *where, const char *key, int def, int *out)
{
    *out = def;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsBool(v))
        return jfail(j, "%s%s must be true or false", where, key);
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return 0;
}

/* Optional whole number in [lo, hi]; present -> 1, absent -> 0, bad -> -1. */
static int get_int(struct jctx *j, const cJSON *obj, const char *where, const char *key, long long lo,
                   long long hi, long long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsString(v) && v->valuestring) { /* "2", as some feeds send numbers */
        long long x;
        if (tote_import_parse_int(v->valuestring, &x) != 0 || x < lo || x > hi)
            return jfail(j, "%s%s must be a whole number from %lld to %lld, not \"%.40s\"", where, key, lo,
                         hi, v->valuestring);
        *out = x;
        return 1;
    }
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!isfinite(d) || d != floor(d) || d < (double)lo || d > (double)hi)
        return jfail(j, "%s%s must be a whole number from %lld to %lld", where, key, lo, hi);
    *out = (long long)d;
    return 1;
}

/* Optional money: "12.50" or 12.5 -> cents; absent -> -1. */
static int get_money(struct jctx *j, const cJSON *obj, const char *where, const char *key, long long *cents)
{
    *cents = -1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsString(v) && v->valuestring) {
        int rc = tote_import_parse_money(v->valuestring, cents);
        if (rc < 0 || (rc == 0 && *cents < 0)) {
            *cents = -1;
            return jfail(j, "%s%s must be an amount like \"12.50\"", where, key);
        }
        if (rc == 1)
            *cents = -1;
        return 0;
    }
    if (cJSON_IsNumber(v)) {
        double c = v->valuedouble * 100.0;
        if (isfinite(c) && c >= 0 && c < 9e15 && fabs(c - nearbyint(c)) < 1e-6) {
            *cents = (long long)nearbyint(c);
            return 0;
        }
    }
    return jfail(j, "%s%s must be an amount like \"12.50\" (at most two decimals, not negative)", where, key);
}

static int get_time(struct jctx *j, const cJSON *obj, const char *key, const char **out)
{
    const char *s;
    if (get_str(j, obj, "", key, &s))
        return -1;
    *out = NULL;
    if (!s)
        return 0;
    char t[32];
    if (tote_import_parse_time(s, t) != 0)
        return jfail(j, "%s '%s' is not a date and time (ISO 8601, e.g. 2024-03-01T10:22:11Z)", key, s);
    *out = imp_arena_strdup(&j->a, t);
    return 0;
}

static const cJSON *get_obj(struct jctx *j, const cJSON *obj, const char *key, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsObject(v)) {
        *bad = jfail(j, "%s must be an object", key);
        return NULL;
    }
    return v;
}

#define ADDR "shipping_address."

/* The members both formats' shipping_address share. */
static int address_common(struct jctx *j, const cJSON *addr, tote_order_in *in)
{
    return get_str(j, addr, ADDR, "name", &in->ship_name) ||
           get_str(j, addr, ADDR, "company", &in->ship_company) ||
           get_str(j, addr, ADDR, "address1", &in->ship_address1) ||
           get_str(j, addr, ADDR, "address2", &in->ship_address2) ||
           get_str(j, addr, ADDR, "city", &in->ship_city) || get_str(j, addr, ADDR, "zip", &in->ship_zip) ||
           get_str(j, addr, ADDR, "phone", &in->ship_phone);
}

static int parse_shopify_order(struct jctx *j, const cJSON *o, tote_order_in *in,
                               tote_order_line_in **lines_out);

typedef int (*line_fn)(struct jctx *j, const cJSON *l, int i, tote_order_line_in *li);

/* The order's lines under key (present, an array, not empty), each read by
 * fn into an arena array that becomes in->lines and *lines_out. */
static int read_lines(struct jctx *j, const cJSON *o, const char *key, line_fn fn, tote_order_in *in,
                      tote_order_line_in **lines_out)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!lines || cJSON_IsNull(lines))
        return jfail(j, "%s is missing", key);
    if (!cJSON_IsArray(lines))
        return jfail(j, "%s must be an array", key);
    int n = cJSON_GetArraySize(lines);
    if (n == 0)
        return jfail(j, "%s is empty: an order needs at least one line", key);
    tote_order_line_in *ls = imp_arena_alloc(&j->a, (size_t)n * sizeof *ls);
    if (!ls)
        return jfail(j, "out of memory");
    int i = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, lines)
    {
        memset(&ls[i], 0, sizeof ls[i]);
        if (!cJSON_IsObject(l))
            return jfail(j, "%s[%d] must be an object", key, i);
        if (fn(j, l, i, &ls[i]))
            return -1;
        if (!ls[i].sku) { /* for every format: no SKU is only for a line not shipped */
            if (ls[i].requires_shipping)
                return jfail(j, "%s[%d].sku is missing (a line that needs shipping needs a SKU)", key, i);
            ls[i].sku = "";
        }
        i++;
    }
    in->lines = ls;
    in->line_count = (size_t)n;
    *lines_out = ls;
    return 0;
}

/* One element of Tote's "lines". */
static int parse_tote_line(struct jctx *j, const cJSON *l, int i, tote_order_line_in *li)
{
    char where[32];
    snprintf(where, sizeof where, "lines[%d].", i);
    if (get_str(j, l, where, "sku", &li->sku) || get_str(j, l, where, "name", &li->name) ||
        get_money(j, l, where, "price", &li->price_cents) ||
        get_bool(j, l, where, "requires_shipping", 1, &li->requires_shipping))
        return -1;
    long long qty = 0;
    int rc = get_int(j, l, where, "qty", 1, MAX_QTY, &qty);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return jfail(j, "%sqty is missing", where);
    li->qty = qty;
    return 0;
}

static int parse_order(struct jctx *j, const cJSON *o, tote_order_in *in, tote_order_line_in **lines_out)
{
    *lines_out = NULL;
    memset(in, 0, sizeof *in);
    in->total_cents = -1;
    if (!cJSON_IsObject(o))
        return jfail(j, "the order must be an object");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");
    if (!name || cJSON_IsNull(name))
        return jfail(j, "name is missing");
    if (get_str(j, o, "", "name", &in->name))
        return -1;
    if (!in->name)
        return jfail(j, "name is empty");
    if (cJSON_GetObjectItemCaseSensitive(o, "line_items") && !cJSON_GetObjectItemCaseSensitive(o, "lines"))
        return parse_shopify_order(j, o, in, lines_out);
    if (get_str(j, o, "", "channel", &in->channel) || get_str(j, o, "", "external_ref", &in->external_ref) ||
        get_str(j, o, "", "email", &in->email) || get_str(j, o, "", "currency", &in->currency) ||
        get_str(j, o, "", "shipping_method", &in->shipping_method))
        return -1;
    if (!in->channel)
        in->channel = "json";
    if (get_time(j, o, "ordered_at", &in->ordered_at) || get_time(j, o, "cancelled_at", &in->cancelled_at))
        return -1;
    const char *ship_by;
    if (get_str(j, o, "", "ship_by", &ship_by))
        return -1;
    if (ship_by) {
        char d[32];
        if (tote_import_parse_date(ship_by, d) == 0)
            in->ship_by = imp_arena_strdup(&j->a, d);
        else if (tote_import_parse_time(ship_by, d) == 0)
            in->ship_by = imp_arena_strdup(&j->a, d);
        else
            return jfail(j, "ship_by '%s' is not a date (YYYY-MM-DD) or a time", ship_by);
    }
    if (get_money(j, o, "", "total", &in->total_cents))
        return -1;
    long long prio = 0;
    if (get_int(j, o, "", "priority", 0, 1000, &prio) < 0)
        return -1;
    in->priority = (int)prio;
    if (get_bool(j, o, "", "rush", 0, &in->rush) || get_bool(j, o, "", "pickup", 0, &in->pickup))
        return -1;

    int bad = 0;
    const cJSON *cust = get_obj(j, o, "customer", &bad);
    if (bad)
        return -1;
    if (cust && (get_str(j, cust, "customer.", "name", &in->customer_name) ||
                 get_str(j, cust, "customer.", "phone", &in->phone)))
        return -1;
    const cJSON *pay = get_obj(j, o, "payment", &bad);
    if (bad)
        return -1;
    if (pay) {
        if (get_str(j, pay, "payment.", "status", &in->payment_status) ||
            get_str(j, pay, "payment.", "method", &in->payment_method))
            return -1;
        if (get_bool(j, pay, "payment.", "cod", imp_cod_method(in->payment_method), &in->cod))
            return -1;
    }
    const cJSON *addr = get_obj(j, o, "shipping_address", &bad);
    if (bad ||
        (addr && (address_common(j, addr, in) || get_str(j, addr, ADDR, "province", &in->ship_province) ||
                  get_str(j, addr, ADDR, "country", &in->ship_country))))
        return -1;

    return read_lines(j, o, "lines", parse_tote_line, in, lines_out);
}

/* ---- Shopify's Admin API order JSON (GET /orders.json, an order webhook) ---- */

/* The first string of a member that is an array of strings, else NULL. */
static int first_str(struct jctx *j, const cJSON *obj, const char *key, const char **out)
{
    *out = NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsArray(v))
        return jfail(j, "%s must be an array", key);
    const cJSON *e = cJSON_GetArrayItem(v, 0);
    if (!e || cJSON_IsNull(e))
        return 0;
    if (!cJSON_IsString(e) || !e->valuestring ||
        !imp_utf8_valid((const unsigned char *)e->valuestring, strlen(e->valuestring)))
        return jfail(j, "%s[0] must be a string", key);
    *out = imp_arena_strdup(&j->a, e->valuestring);
    return *out ? 0 : jfail(j, "out of memory");
}

/* "First Last" from first_name/last_name of obj, or NULL if both are empty. */
static int full_name(struct jctx *j, const cJSON *obj, const char *where, const char **out)
{
    const char *first, *last;
    if (get_str(j, obj, where, "first_name", &first) || get_str(j, obj, where, "last_name", &last))
        return -1;
    *out = NULL;
    if (!first && !last)
        return 0;
    size_t n = (first ? strlen(first) : 0) + (last ? strlen(last) : 0) + 2;
    char *b = imp_arena_alloc(&j->a, n);
    if (!b)
        return jfail(j, "out of memory");
    snprintf(b, n, "%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "");
    *out = b;
    return 0;
}

static int is_text(const char *v, const char *want)
{
    return v && strcasecmp(v, want) == 0;
}

/* One line_items[] element: "fulfilled" lines and lines with nothing left to
 * fulfil (refunded or removed) are recorded but not shipped; a partly
 * fulfilled line asks for what is left (fulfillable_quantity). */
static int parse_shopify_line(struct jctx *j, const cJSON *l, int i, tote_order_line_in *li)
{
    char where[40];
    snprintf(where, sizeof where, "line_items[%d].", i);
    const char *title, *status;
    if (get_str(j, l, where, "sku", &li->sku) || get_str(j, l, where, "name", &li->name) ||
        get_str(j, l, where, "title", &title) || get_str(j, l, where, "fulfillment_status", &status) ||
        get_money(j, l, where, "price", &li->price_cents) ||
        get_bool(j, l, where, "requires_shipping", 1, &li->requires_shipping))
        return -1;
    if (!li->name)
        li->name = title;
    long long qty = 0, left = -1;
    int rc = get_int(j, l, where, "quantity", 1, MAX_QTY, &qty);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return jfail(j, "%squantity is missing", where);
    if (get_int(j, l, where, "fulfillable_quantity", 0, MAX_QTY, &left) < 0)
        return -1;
    li->qty = qty;
    if (is_text(status, "fulfilled") || left == 0)
        li->requires_shipping = 0;
    else if (left > 0 && left < qty)
        li->qty = left;
    return 0;
}

static int parse_shopify_order(struct jctx *j, const cJSON *o, tote_order_in *in,
                               tote_order_line_in **lines_out)
{
    in->channel = "shopify";
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
    if (cJSON_IsNumber(id)) { /* up to 15 digits: longer ones arrive as strings (prepare_text) */
        double v = id->valuedouble;
        if (!(v >= 0 && v < 1e15 && v == (double)(long long)v))
            return jfail(j, "id must be a whole number or a string");
        char b[32];
        snprintf(b, sizeof b, "%lld", (long long)v);
        in->external_ref = imp_arena_strdup(&j->a, b);
    } else if (get_str(j, o, "", "id", &in->external_ref)) {
        return -1;
    }
    if (get_str(j, o, "", "email", &in->email) || get_str(j, o, "", "currency", &in->currency) ||
        get_time(j, o, "created_at", &in->ordered_at) || get_time(j, o, "cancelled_at", &in->cancelled_at) ||
        get_money(j, o, "", "total_price", &in->total_cents) ||
        get_str(j, o, "", "financial_status", &in->payment_status) ||
        first_str(j, o, "payment_gateway_names", &in->payment_method))
        return -1;
    if (!in->email && get_str(j, o, "", "contact_email", &in->email))
        return -1;
    if (!in->payment_method && get_str(j, o, "", "gateway", &in->payment_method))
        return -1;
    in->cod = imp_cod_method(in->payment_method);
    const char *status, *tags;
    if (get_str(j, o, "", "tags", &tags))
        return -1;
    in->rush = imp_has_tag(tags, "rush"); /* as in the CSV export */
    if (get_str(j, o, "", "fulfillment_status", &status))
        return -1;
    in->fulfilled_upstream = is_text(status, "fulfilled");
    const cJSON *ship = cJSON_GetObjectItemCaseSensitive(o, "shipping_lines");
    if (cJSON_IsArray(ship) && cJSON_IsObject(cJSON_GetArrayItem(ship, 0)) &&
        get_str(j, cJSON_GetArrayItem(ship, 0), "shipping_lines[0].", "title", &in->shipping_method))
        return -1;
    in->pickup = imp_pickup(tags, in->shipping_method);
    int bad = 0;
    const cJSON *cust = get_obj(j, o, "customer", &bad);
    if (bad || (cust && (full_name(j, cust, "customer.", &in->customer_name) ||
                         get_str(j, cust, "customer.", "phone", &in->phone))))
        return -1;
    if (!in->phone && get_str(j, o, "", "phone", &in->phone))
        return -1;
    const cJSON *addr = get_obj(j, o, "shipping_address", &bad);
    if (bad)
        return -1;
    if (addr) {
        static const char *const W = ADDR;
        const char *code = NULL;
        if (address_common(j, addr, in) || get_str(j, addr, W, "province_code", &code))
            return -1;
        in->ship_province = code;
        if (!code && get_str(j, addr, W, "province", &in->ship_province))
            return -1;
        if (get_str(j, addr, W, "country_code", &code))
            return -1;
        in->ship_country = code; /* the code, as Shopify's CSV export writes it */
        if (!code && get_str(j, addr, W, "country", &in->ship_country))
            return -1;
        if (!in->ship_name && full_name(j, addr, W, &in->ship_name))
            return -1;
    }
    return read_lines(j, o, "line_items", parse_shopify_line, in, lines_out);
}

static char *msgf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msgf(const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return strdup(buf);
}

/* Parses one element of the orders array and hands it to fn; fn's answer. */
static int one_parsed(const cJSON *o, size_t index, tote_orders_json_fn fn, void *ud)
{
    struct jctx j = {0};
    tote_order_in in;
    tote_order_line_in *lines = NULL;
    int rc = parse_order(&j, o, &in, &lines);
    const cJSON *nm = cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, "name") : NULL;
    const char *name = (cJSON_IsString(nm) && nm->valuestring && *nm->valuestring &&
                        imp_utf8_valid((const unsigned char *)nm->valuestring, strlen(nm->valuestring)))
                           ? nm->valuestring
                           : NULL;
    int stop = rc == 0 ? fn(ud, index, in.name, &in, NULL) : fn(ud, index, name, NULL, j.err);
    imp_arena_free(&j.a);
    return stop;
}

/*
 * Before cJSON reads the text: whole numbers of 16 digits and more (Shopify's
 * ids: 820982911946154508) would lose digits as doubles, so they are given
 * to cJSON as strings holding the same digits (an id is kept as its text;
 * a quantity that large is refused anyway). And a \u0000 escape would cut
 * a string short where cJSON decodes it (a SKU "BK-1\u0000X" would read as
 * "BK-1"): its place is reported in *nul_at (offset of the backslash, else
 * -1). Returns a new text (malloc'd, *out_len set) or NULL when nothing
 * needs quoting (or out of memory: *oom = 1).
 */
static char *prepare_text(const char *text, size_t len, size_t *out_len, long long *nul_at, int *oom)
{
    *nul_at = -1;
    *oom = 0;
    char *out = NULL;
    size_t n = 0, cap = 0, copied = 0; /* text[0, copied) is in out (when out) */
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_str) {
            if (c == '\\') {
                if (*nul_at < 0 && i + 5 < len && (text[i + 1] == 'u') &&
                    memcmp(text + i + 2, "0000", 4) == 0)
                    *nul_at = (long long)i;
                i++; /* the escaped character */
            } else if (c == '"') {
                in_str = 0;
            }
            continue;
        }
        if (c == '"') {
            in_str = 1;
            continue;
        }
        if (!(c == '-' || (c >= '0' && c <= '9')))
            continue;
        size_t j = i + (c == '-'), digits = 0;
        while (j < len && text[j] >= '0' && text[j] <= '9')
            j++, digits++;
        int whole = !(j < len && (text[j] == '.' || text[j] == 'e' || text[j] == 'E'));
        if (whole && digits >= 16) {
            size_t need = n + (i - copied) + (j - i) + 2 + (len - j) + 1;
            if (need > cap) {
                size_t c2 = cap ? cap : len + 64;
                while (c2 < need)
                    c2 *= 2;
                char *b = realloc(out, c2);
                if (!b) {
                    free(out);
                    *oom = 1;
                    return NULL;
                }
                out = b;
                cap = c2;
            }
            memcpy(out + n, text + copied, i - copied);
            n += i - copied;
            out[n++] = '"';
            memcpy(out + n, text + i, j - i);
            n += j - i;
            out[n++] = '"';
            copied = j;
        }
        while (j < len && ((text[j] >= '0' && text[j] <= '9') || text[j] == '.' || text[j] == 'e' ||
                           text[j] == 'E' || text[j] == '+' || text[j] == '-'))
            j++;
        i = j - 1;
    }
    if (!out)
        return NULL;
    memcpy(out + n, text + copied, len - copied);
    n += len - copied;
    out[n] = '\0';
    *out_len = n;
    return out;
}

tote_st_err tote_orders_json_parse(const char *text, size_t len, tote_orders_json_fn fn, void *ud,
                                   char **err_msg)
{
    if (err_msg)
        *err_msg = NULL;
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
        (unsigned char)text[2] == 0xBF) {
        text += 3;
        len -= 3;
    }
    size_t plen = 0;
    long long nul_at = -1;
    int oom = 0;
    char *prepared = prepare_text(text, len, &plen, &nul_at, &oom);
    if (oom) {
        if (err_msg)
            *err_msg = strdup("out of memory");
        return TOTE_ST_E_NOMEM;
    }
    if (nul_at >= 0) {
        long long line = 1, col = 1;
        for (long long k = 0; k < nul_at; k++, col++)
            if (text[k] == '\n') {
                line++;
                col = 0;
            }
        free(prepared);
        if (err_msg)
            *err_msg = msgf("it has a NUL character (\\u0000) in a string (line %lld, column %lld): text "
                            "with NUL characters is refused, it would be cut short",
                            line, col);
        return TOTE_ST_E_INVALID;
    }
    if (prepared) { /* cJSON reads the prepared text (the same lines) */
        text = prepared;
        len = plen;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!doc) {
        if (!end) { /* cJSON could not even allocate */
            if (err_msg)
                *err_msg = strdup("out of memory");
            free(prepared);
            return TOTE_ST_E_NOMEM;
        }
        long long line = 1, col = 1;
        for (const char *p = text; p < end && p < text + len; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        if (err_msg)
            *err_msg = msgf("it is not valid JSON (line %lld, column %lld)", line, col);
        free(prepared);
        return TOTE_ST_E_INVALID;
    }
    tote_st_err e = TOTE_ST_E_OK;
    const cJSON *orders = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "orders") : NULL;
    /* one Shopify order as an order webhook or GET /orders/ID.json sends it */
    const cJSON *single =
        cJSON_IsObject(doc) && !orders ? cJSON_GetObjectItemCaseSensitive(doc, "order") : NULL;
    if (!cJSON_IsObject(single))
        single = NULL;
    const cJSON *ver = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "version") : NULL;
    if (!cJSON_IsObject(doc)) {
        e = TOTE_ST_E_INVALID;
        if (err_msg)
            *err_msg = msgf("it is not a Tote orders document: the top level must be an object with an "
                            "\"orders\" array");
    } else if (ver && !(cJSON_IsNumber(ver) && ver->valuedouble == 1.0)) {
        e = TOTE_ST_E_INVALID;
        if (err_msg)
            *err_msg = msgf("it has \"version\" other than 1, which this Tote does not understand");
    } else if (!cJSON_IsArray(orders) && !single) {
        e = TOTE_ST_E_INVALID;
        if (err_msg)
            *err_msg = msgf("it is not a Tote orders document: it has no \"orders\" array");
    }
    size_t index = 0;
    const cJSON *o;
    if (e == TOTE_ST_E_OK && single) {
        one_parsed(single, index, fn, ud);
    } else if (e == TOTE_ST_E_OK) {
        cJSON_ArrayForEach(o, orders)
        {
            if (one_parsed(o, index++, fn, ud))
                break;
        }
    }
    cJSON_Delete(doc);
    free(prepared);
    return e;
}

/* ------------------------------------------------------------- importer */

struct jimp {
    imp_run *r;
    imp_map names; /* name -> index of its first appearance */
    tote_st_err e;
};

static int one_order(void *ud, size_t index, const char *name, const tote_order_in *o, const char *error)
{
    struct jimp *ji = ud;
    imp_run *r = ji->r;
    if ((ji->e = imp_tx_begin(r)) != TOTE_ST_E_OK) /* the document was read without the write lock */
        return 1;
    r->sum->rows++;
    r->sum->records++;
    char subject[300];
    snprintf(subject, sizeof subject, "%s", name ? name : "");
    if (error) {
        imp_problem(r, TOTE_IMPORT_REJECTED, 0, (long long)index, subject, "orders[%zu]%s%s%s: %s", index,
                    name ? " (" : "", name ? name : "", name ? ")" : "", error);
        /* its name is taken all the same: a later order of that name is not
           this one corrected, and must not slip in in its place */
        if (name && !imp_map_get(&ji->names, name) && imp_map_put(&ji->names, name, (long long)index) != 0) {
            ji->e = imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
            return 1;
        }
        return 0;
    }
    if (o->fulfilled_upstream) {
        char label[320];
        snprintf(label, sizeof label, "orders[%zu] (%s)", index, o->name);
        ji->e = imp_fulfilled_upstream(r, o->name, label, 0, (long long)index, 1);
        if (ji->e == TOTE_ST_E_OK)
            ji->e = imp_tick(r, (long long)index, -1);
        return ji->e != TOTE_ST_E_OK;
    }
    long long *first = imp_map_get(&ji->names, o->name);
    if (first) {
        imp_problem(r, TOTE_IMPORT_REJECTED, 0, (long long)index, subject,
                    "orders[%zu] (%s): the same name as orders[%lld]; each order needs its own name", index,
                    o->name, *first);
        return 0;
    }
    if (imp_map_put(&ji->names, o->name, (long long)index) != 0) {
        ji->e = imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
        return 1;
    }
    tote_upsert_result res = 0;
    char *em = NULL;
    tote_st_err e = tote_order_upsert(r->s, o, r->actor, &res, &em);
    if (e == TOTE_ST_E_INVALID) {
        imp_problem(r, TOTE_IMPORT_REJECTED, 0, (long long)index, subject, "orders[%zu] (%s): %s", index,
                    o->name, em ? em : "invalid");
        free(em);
        return 0;
    }
    if (e != TOTE_ST_E_OK) {
        ji->e = imp_fail(r, e, "orders[%zu] (%s): %s", index, o->name, em ? em : tote_st_strerror(e));
        free(em);
        return 1;
    }
    free(em);
    tote_order_status st = TOTE_ORDER_RECEIVED;
    tote_st_err fe = tote_order_find(r->s, o->name, NULL, &st);
    switch (res) {
    case TOTE_UPSERT_CREATED:
        r->sum->created++;
        break;
    case TOTE_UPSERT_UPDATED:
        r->sum->updated++;
        break;
    case TOTE_UPSERT_UNCHANGED:
        r->sum->unchanged++;
        break;
    case TOTE_UPSERT_LOCKED:
        r->sum->locked++;
        char label[320];
        snprintf(label, sizeof label, "orders[%zu] (%s)", index, o->name);
        imp_locked_order(r, o, label, fe == TOTE_ST_E_OK ? tote_order_status_name(st) : "being picked", 0,
                         (long long)index);
        break;
    }
    if (res != TOTE_UPSERT_LOCKED && fe == TOTE_ST_E_OK) {
        r->sum->lines += (long long)o->line_count;
        if (st == TOTE_ORDER_ON_HOLD)
            r->sum->held++;
        else if (st == TOTE_ORDER_CANCELLED)
            r->sum->cancelled++;
    }
    ji->e = imp_tick(r, (long long)index, -1);
    return ji->e != TOTE_ST_E_OK;
}

tote_st_err imp_orders_json(imp_run *r)
{
    FILE *f = fopen(r->path, "rb");
    if (!f)
        return imp_fail(r, TOTE_ST_E_IO, "cannot open %s: %s", r->path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > MAX_FILE) {
        fclose(f);
        return imp_fail(r, TOTE_ST_E_INVALID, "%s is not a regular file of at most 1 GiB", r->path);
    }
    size_t n = (size_t)sb.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        return imp_fail(r, TOTE_ST_E_NOMEM, "out of memory");
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    if (got != n) {
        free(buf);
        return imp_fail(r, TOTE_ST_E_IO, "cannot read %s", r->path);
    }
    buf[n] = '\0';
    struct jimp ji = {.r = r};
    char *msg = NULL;
    tote_st_err e = tote_orders_json_parse(buf, n, one_order, &ji, &msg);
    free(buf);
    if (e != TOTE_ST_E_OK)
        imp_fail(r, e, "%s: %s", r->path, msg ? msg : tote_st_strerror(e));
    else
        e = ji.e;
    free(msg);
    imp_map_free(&ji.names);
    return e;
}
