/*
 * Warehouse settings (table `setting`, station/src/store_config.c): a fixed
 * table of known keys, each with a default, a one-line description and a
 * validator. Other modules read them with tote_config_int() / tote_config_get()
 * (or tote_store_setting_*); `tote config` sets them.
 *
 * Known keys:
 *   require_bin_scan       0|1: a picker must scan the bin before the item (default 1)
 *   weight_tolerance_pct   0..100: allowed difference between expected and weighed package (default 5)
 *   lease_seconds          30..86400: how long a handheld holds a pick list without news (default 900)
 *   s10_service            two letters A-Z, the UPU S10 service indicator (e.g. LX, RR)
 *   s10_country            two letters A-Z, the S10 country code (e.g. NL)
 *   gs1_company_prefix     6..12 digits, for SSCCs
 *   sscc_extension         one digit 0..9 (default 0)
 *   label_printer          CUPS queue for shipping labels (ZPL)
 *   slip_printer           CUPS queue for packing slips (PDF)
 *   ship_from_name, ship_from_company, ship_from_address1, ship_from_address2,
 *   ship_from_city, ship_from_zip, ship_from_province, ship_from_phone   free text (<= 128 bytes)
 *   ship_from_country      two letters A-Z (ISO 3166-1 alpha-2)
 * Two-letter codes are stored upper-case.
 */
#ifndef TOTE_CONFIG_H
#define TOTE_CONFIG_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "tote/store.h"

typedef struct tote_config_key {
    const char *key;
    const char *def;  /* default value, or NULL: unset */
    const char *help; /* one line */
} tote_config_key;

/* The known keys (static table); *n receives the count. */
const tote_config_key *tote_config_keys(size_t *n);

/* The entry for key, or NULL if unknown. */
const tote_config_key *tote_config_find(const char *key);

/*
 * Checks value for key; on success writes the value to store (normalised,
 * e.g. upper-cased country codes) into norm (cap bytes) and returns 0, else
 * writes a sentence into why and returns -1.
 */
int tote_config_validate(const char *key, const char *value, char *norm, size_t cap, char *why,
                         size_t why_cap);

/*
 * Copies the value of key into buf: the stored one, else its default, else
 * "". *is_set (may be NULL) says whether it was stored. Unknown key ->
 * NOT_FOUND (buf is "").
 */
tote_st_err tote_config_get(tote_store *s, const char *key, char *buf, size_t cap, int *is_set);

/* Integer value of a known key (stored or default), def if unset or not a number. */
long long tote_config_int(tote_store *s, const char *key, long long def);

/*
 * Validates and stores key = value, writing event config.set (actor may be
 * NULL). Unknown key -> NOT_FOUND; bad value -> INVALID. err_msg as in
 * orders.h. Runs in the caller's transaction if one is open.
 */
tote_st_err tote_config_set(tote_store *s, const char *key, const char *value, const char *actor,
                            char **err_msg);

/* [{"key","value","set":bool,"default","help"}] for every known key, plus any
 * stored key that is not known (help "unknown key"). Caller owns *out. */
tote_st_err tote_config_list_json(tote_store *s, cJSON **out);

#endif
