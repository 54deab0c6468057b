/* tote manifest [--date YYYY-MM-DD] [--json]: the day's shipments. */
#include <stdio.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/flows.h"
#include "tote/report.h"

int tote_cmd_manifest(const tote_cli_ctx *ctx, int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    const char *date = tote_cli_take_opt(&argc, argv, "--date");
    if (argc != 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "usage: tote manifest [--date YYYY-MM-DD] [--json]");
    char today[32];
    if (date && !tote_report_date_valid(date)) /* a real calendar day: not 2026-02-30 */
        return tote_cli_fail(TOTE_EXIT_USAGE, "--date '%s' is not a date written YYYY-MM-DD", date);
    if (!date) {
        tote_store_now(today);
        today[10] = '\0';
        date = today;
    }
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    cJSON *arr = NULL;
    tote_st_err e = tote_manifest_json(s, date, &arr);
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot read the manifest: %s", tote_st_strerror(e));
    if (json) {
        tote_cli_print_json(arr);
        return TOTE_EXIT_OK;
    }
    printf("Manifest %s: %d package%s\n", date, cJSON_GetArraySize(arr),
           cJSON_GetArraySize(arr) == 1 ? "" : "s");
    printf("%-12s %-3s %-14s %-19s %8s %-4s %-3s %s\n", "ORDER", "PKG", "TRACKING", "SSCC", "WEIGHT_G", "SVC",
           "CTY", "UNITS");
    cJSON *p;
    double total = 0;
    cJSON_ArrayForEach(p, arr)
    {
        const char *svc = cJSON_GetStringValue(cJSON_GetObjectItem(p, "service"));
        const char *cty = cJSON_GetStringValue(cJSON_GetObjectItem(p, "country"));
        double w = cJSON_GetNumberValue(cJSON_GetObjectItem(p, "weight_g"));
        if (w == w)
            total += w;
        printf("%-12s %-3.0f %-14s %-19s %8.0f %-4s %-3s %.0f\n",
               cJSON_GetStringValue(cJSON_GetObjectItem(p, "order")),
               cJSON_GetNumberValue(cJSON_GetObjectItem(p, "package")),
               cJSON_GetStringValue(cJSON_GetObjectItem(p, "tracking")),
               cJSON_GetStringValue(cJSON_GetObjectItem(p, "sscc")), w == w ? w : 0, svc ? svc : "-",
               cty ? cty : "-", cJSON_GetNumberValue(cJSON_GetObjectItem(p, "units")));
    }
    printf("total weight %.0f g\n", total);
    cJSON_Delete(arr);
    return TOTE_EXIT_OK;
}
