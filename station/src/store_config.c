/* Warehouse settings: known keys, defaults, validation. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_tx.h"
#include "tote/catalog.h"
#include "tote/config.h"

enum kind { K_BOOL, K_INT, K_ALPHA2, K_DIGITS, K_DIGIT, K_QUEUE, K_TEXT };

struct key_rule {
    tote_config_key pub;
    enum kind kind;
    long long lo, hi; /* K_INT range; K_DIGITS length range */
};

static const struct key_rule rules[] = {
    {{"require_bin_scan", "0", "1: a picker must scan the bin before the item; 0: the item scan is enough"},
     K_BOOL,
     0,
     1},
    {{"weight_tolerance_pct", "5", "allowed difference between expected and weighed package, in percent"},
     K_INT,
     0,
     100},
    {{"lease_seconds", "120",
      "seconds a handheld holds a pick list without news before it is handed out again (tote serve "
      "--lease-seconds overrides it)"},
     K_INT,
     30,
     86400},
    {{"alert_refused_scans", "5",
      "refused scans by one handheld within 15 minutes that raise a console alert"},
     K_INT,
     1,
     10000},
    {{"alert_label_minutes", "10",
      "minutes a closed package may wait for its label scan before the console raises an alert"},
     K_INT,
     1,
     10080},
    {{"online_seconds", "15", "seconds without news after which the console shows a handheld offline"},
     K_INT,
     1,
     86400},
    {{"s10_service", "LX",
      "UPU S10 service indicator, two letters (e.g. LX, RR; LX is a placeholder: set your carrier's)"},
     K_ALPHA2,
     0,
     0},
    {{"s10_country", "NL", "UPU S10 country code, two letters (NL is a placeholder: set your carrier's)"},
     K_ALPHA2,
     0,
     0},
    {{"gs1_company_prefix", "0000000",
      "GS1 company prefix for SSCCs, 6 to 12 digits (0000000 is a placeholder no one owns: set your own)"},
     K_DIGITS,
     6,
     12},
    {{"sscc_extension", "0", "SSCC extension digit, 0 to 9"}, K_DIGIT, 0, 9},
    {{"label_printer", NULL, "CUPS queue for shipping labels (ZPL)"}, K_QUEUE, 0, 0},
    {{"slip_printer", NULL, "CUPS queue for packing slips (PDF)"}, K_QUEUE, 0, 0},
    {{"ship_from_name", NULL, "sender name on labels"}, K_TEXT, 0, 0},
    {{"ship_from_company", NULL, "sender company on labels"}, K_TEXT, 0, 0},
    {{"ship_from_address1", NULL, "sender street address"}, K_TEXT, 0, 0},
    {{"ship_from_address2", NULL, "sender address, second line"}, K_TEXT, 0, 0},
    {{"ship_from_city", NULL, "sender city"}, K_TEXT, 0, 0},
    {{"ship_from_zip", NULL, "sender postal code"}, K_TEXT, 0, 0},
    {{"ship_from_province", NULL, "sender province or state"}, K_TEXT, 0, 0},
    {{"ship_from_country", NULL, "sender country, ISO 3166-1 alpha-2 (e.g. FR)"}, K_ALPHA2, 0, 0},
    {{"ship_from_phone", NULL, "sender phone"}, K_TEXT, 0, 0},
};

#define NRULES (sizeof rules / sizeof rules[0])

static tote_config_key pub_keys[NRULES];

const tote_config_key *tote_config_keys(size_t *n)
{
    for (size_t i = 0; i < NRULES; i++)
        pub_keys[i] = rules[i].pub;
    *n = NRULES;
    return pub_keys;
}

static const struct key_rule *rule_of(const char *key)
{
    for (size_t i = 0; key && i < NRULES; i++)
        if (strcmp(rules[i].pub.key, key) == 0)
            return &rules[i];
    return NULL;
}

const tote_config_key *tote_config_find(const char *key)
{
    const struct key_rule *r = rule_of(key);
    return r ? &r->pub : NULL;
}

static int all(const char *v, int (*pred)(int))
{
    for (; *v; v++)
        if (!pred((unsigned char)*v))
            return 0;
    return 1;
}

int tote_config_validate(const char *key, const char *value, char *norm, size_t cap, char *why,
                         size_t why_cap)
{
    const struct key_rule *r = rule_of(key);
    if (!r) {
        snprintf(why, why_cap, "unknown setting '%s' (see 'tote config list')", key ? key : "");
        return -1;
    }
    if (!value)
        value = "";
    size_t n = strlen(value);
    switch (r->kind) {
    case K_BOOL:
        if (strcmp(value, "0") && strcmp(value, "1")) {
            snprintf(why, why_cap, "%s is 0 or 1, not '%s'", key, value);
            return -1;
        }
        break;
    case K_INT: {
        char *end = NULL;
        long long v = n ? strtoll(value, &end, 10) : 0;
        if (!n || *end || v < r->lo || v > r->hi) {
            snprintf(why, why_cap, "%s is a whole number from %lld to %lld, not '%s'", key, r->lo, r->hi,
                     value);
            return -1;
        }
        break;
    }
    case K_ALPHA2:
        if (n != 2 || !all(value, isalpha)) {
            snprintf(why, why_cap, "%s is two letters, not '%s'", key, value);
            return -1;
        }
        break;
    case K_DIGITS:
        if ((long long)n < r->lo || (long long)n > r->hi || !all(value, isdigit)) {
            snprintf(why, why_cap, "%s is %lld to %lld digits, not '%s'", key, r->lo, r->hi, value);
            return -1;
        }
        break;
    case K_DIGIT:
        if (n != 1 || !isdigit((unsigned char)value[0])) {
            snprintf(why, why_cap, "%s is one digit 0 to 9, not '%s'", key, value);
            return -1;
        }
        break;
    case K_QUEUE:
        if (n == 0 || n > 127 || strpbrk(value, " \t/#\\") || !all(value, isgraph)) {
            snprintf(why, why_cap, "%s is a printer (CUPS queue) name without spaces, '/', '#' or '\\'", key);
            return -1;
        }
        break;
    case K_TEXT:
        if (n > 128) {
            snprintf(why, why_cap, "%s is at most 128 characters", key);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
                snprintf(why, why_cap, "%s may not contain control characters", key);
                return -1;
            }
        break;
    }
    if (n + 1 > cap) {
        snprintf(why, why_cap, "%s value is too long", key);
        return -1;
    }
    memcpy(norm, value, n + 1);
    if (r->kind == K_ALPHA2)
        for (char *c = norm; *c; c++)
            *c = (char)toupper((unsigned char)*c);
    return 0;
}

static int stored_value(tote_store *s, const char *key, char *buf, size_t cap, int *rc_out)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT value FROM setting WHERE key = ?1");
    if (!st) {
        *rc_out = SQLITE_ERROR;
        return 0;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    int found = 0;
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(buf, cap, "%s", t ? (const char *)t : "");
        found = 1;
        rc = SQLITE_DONE;
    }
    sqlite3_reset(st);
    *rc_out = rc;
    return found;
}

tote_st_err tote_config_get(tote_store *s, const char *key, char *buf, size_t cap, int *is_set)
{
    store_detail_clear();
    if (cap)
        buf[0] = '\0';
    if (is_set)
        *is_set = 0;
    const struct key_rule *r = rule_of(key);
    if (!r)
        return store_fail(TOTE_ST_E_NOT_FOUND, "unknown setting '%s' (see 'tote config list')",
                          key ? key : "");
    int rc = SQLITE_DONE;
    int found = stored_value(s, key, buf, cap, &rc);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, rc);
    if (is_set)
        *is_set = found;
    if (!found && cap)
        snprintf(buf, cap, "%s", r->pub.def ? r->pub.def : "");
    return TOTE_ST_E_OK;
}

long long tote_config_int(tote_store *s, const char *key, long long def)
{
    char buf[64];
    if (tote_config_get(s, key, buf, sizeof buf, NULL) != TOTE_ST_E_OK || !buf[0])
        return def;
    char *end = NULL;
    long long v = strtoll(buf, &end, 10);
    return *end ? def : v;
}

tote_st_err tote_config_set(tote_store *s, const char *key, const char *value, const char *actor,
                            char **err_msg)
{
    store_detail_clear();
    if (err_msg)
        *err_msg = NULL;
    char norm[512], why[256];
    tote_st_err e = TOTE_ST_E_OK;
    if (!rule_of(key))
        e = store_fail(TOTE_ST_E_NOT_FOUND, "unknown setting '%s' (see 'tote config list')", key ? key : "");
    else if (tote_config_validate(key, value, norm, sizeof norm, why, sizeof why) != 0)
        e = store_fail(TOTE_ST_E_INVALID, "%s", why);
    if (e == TOTE_ST_E_OK) {
        store_tx tx;
        e = store_tx_begin(s, &tx);
        if (e == TOTE_ST_E_OK) {
            char old[512];
            int rc = SQLITE_DONE;
            int had = stored_value(s, key, old, sizeof old, &rc);
            if (rc != SQLITE_DONE)
                e = store_db_fail(s, rc);
            if (e == TOTE_ST_E_OK && (!had || strcmp(old, norm) != 0)) {
                e = tote_store_setting_set(s, key, norm);
                if (e != TOTE_ST_E_OK) {
                    e = store_db_fail(s, SQLITE_ERROR);
                } else {
                    cJSON *d = cJSON_CreateObject();
                    cJSON_AddStringToObject(d, "value", norm);
                    if (had)
                        cJSON_AddStringToObject(d, "was", old);
                    char *txt = cJSON_PrintUnformatted(d);
                    cJSON_Delete(d);
                    e = tote_store_event(s, actor, NULL, "config.set", "setting", key, txt);
                    cJSON_free(txt);
                }
            }
            e = store_tx_end(s, &tx, e);
        }
    }
    if (e != TOTE_ST_E_OK && err_msg)
        *err_msg = strdup(tote_st_detail());
    return e;
}

static cJSON *entry(const char *key, const char *value, int set, const char *def, const char *help)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key", key);
    if (value)
        cJSON_AddStringToObject(o, "value", value);
    else
        cJSON_AddNullToObject(o, "value");
    cJSON_AddBoolToObject(o, "set", set);
    if (def)
        cJSON_AddStringToObject(o, "default", def);
    else
        cJSON_AddNullToObject(o, "default");
    cJSON_AddStringToObject(o, "help", help);
    return o;
}

tote_st_err tote_config_list_json(tote_store *s, cJSON **out)
{
    store_detail_clear();
    *out = NULL;
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < NRULES; i++) {
        char buf[512];
        int set = 0;
        tote_st_err e = tote_config_get(s, rules[i].pub.key, buf, sizeof buf, &set);
        if (e != TOTE_ST_E_OK) {
            cJSON_Delete(arr);
            return e;
        }
        cJSON_AddItemToArray(arr, entry(rules[i].pub.key, (set || rules[i].pub.def) ? buf : NULL, set,
                                        rules[i].pub.def, rules[i].pub.help));
    }
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT key, value FROM setting ORDER BY key");
    if (!st) {
        cJSON_Delete(arr);
        return store_db_fail(s, SQLITE_ERROR);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        if (!rule_of(k))
            cJSON_AddItemToArray(arr,
                                 entry(k, (const char *)sqlite3_column_text(st, 1), 1, NULL, "unknown key"));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return store_db_fail(s, rc);
    }
    *out = arr;
    return TOTE_ST_E_OK;
}
