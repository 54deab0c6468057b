/*
 * The SQL behind the request loop's per-batch reads (declared in
 * tote/flows.h): the settings a batch runs with, in one statement.
 */
#include <stdlib.h>
#include <string.h>

#include "tote/flows.h"

/* tote_store_setting_int's rule: the whole value must be a number, else the default. */
static int parse_int(const char *v, int def)
{
    char *end = NULL;
    long long n = strtoll(v, &end, 10);
    return (end && *end == '\0' && end != v) ? (int)n : def;
}

/* An empty value is the default, as before (setting_str). */
static void copy_str(const char *v, char *out, size_t cap)
{
    size_t n = strlen(v);
    if (n == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

void tote_flow_settings_load(tote_store *s, int lease_seconds, int heartbeat_ms, tote_flow_settings *out)
{
    memset(out, 0, sizeof *out);
    out->require_login = 1;
    out->require_bin_scan = 0;
    out->lease_seconds = lease_seconds;
    out->heartbeat_ms = heartbeat_ms;
    out->weight_tolerance_pct = 5;
    out->carton_tare_g = 0;
    memcpy(out->s10_service, "LX", 3);
    memcpy(out->s10_country, "NL", 3);
    memcpy(out->gs1_company_prefix, "0000000", 8);
    memcpy(out->sscc_extension, "0", 2);
    memcpy(out->quarantine_location, "QUARANTINE", 11);
    /* once per batch: one statement, not one per key */
    /* the table is a few dozen rows: a scan of it is cheaper than an IN
     * list (an ephemeral index per run) or a lookup per key */
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT key, value FROM setting");
    if (!st)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (!k || !v)
            continue;
        if (strcmp(k, "require_login") == 0)
            out->require_login = parse_int(v, 1);
        else if (strcmp(k, "require_bin_scan") == 0)
            out->require_bin_scan = parse_int(v, 0);
        else if (strcmp(k, "weight_tolerance_pct") == 0)
            out->weight_tolerance_pct = parse_int(v, 5);
        else if (strcmp(k, "carton_tare_g") == 0)
            out->carton_tare_g = parse_int(v, 0);
        else if (strcmp(k, "s10_service") == 0)
            copy_str(v, out->s10_service, sizeof out->s10_service);
        else if (strcmp(k, "s10_country") == 0)
            copy_str(v, out->s10_country, sizeof out->s10_country);
        else if (strcmp(k, "gs1_company_prefix") == 0)
            copy_str(v, out->gs1_company_prefix, sizeof out->gs1_company_prefix);
        else if (strcmp(k, "sscc_extension") == 0)
            copy_str(v, out->sscc_extension, sizeof out->sscc_extension);
        else if (strcmp(k, "quarantine_location") == 0)
            copy_str(v, out->quarantine_location, sizeof out->quarantine_location);
    }
    sqlite3_reset(st);
}
