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
    tote_cli_table *t =
        tote_cli_table_new("ORDER", ">PKG", "TRACKING", "SSCC", ">WEIGHT_G", "SVC", "CTY", ">UNITS", NULL);
    cJSON *p;
    double total = 0;
    cJSON_ArrayForEach(p, arr)
    {
        const char *svc = cJSON_GetStringValue(cJSON_GetObjectItem(p, "service"));
        const char *cty = cJSON_GetStringValue(cJSON_GetObjectItem(p, "country"));
        const char *order = cJSON_GetStringValue(cJSON_GetObjectItem(p, "order"));
        const char *tracking = cJSON_GetStringValue(cJSON_GetObjectItem(p, "tracking"));
        const char *sscc = cJSON_GetStringValue(cJSON_GetObjectItem(p, "sscc"));
        double w = cJSON_GetNumberValue(cJSON_GetObjectItem(p, "weight_g"));
        if (w == w)
            total += w;
        tote_cli_table_cell(t, "%s", order ? order : "-");
        tote_cli_table_cell(t, "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(p, "package")));
        tote_cli_table_cell(t, "%s", tracking ? tracking : "-");
        tote_cli_table_cell(t, "%s", sscc ? sscc : "-");
        tote_cli_table_cell(t, "%.0f", w == w ? w : 0);
        tote_cli_table_cell(t, "%s", svc ? svc : "-");
        tote_cli_table_cell(t, "%s", cty ? cty : "-");
        tote_cli_table_cell(t, "%.0f", cJSON_GetNumberValue(cJSON_GetObjectItem(p, "units")));
    }
    rc = tote_cli_table_print(t, stdout, "");
    tote_cli_table_destroy(&t);
    if (rc != TOTE_EXIT_OK) {
        cJSON_Delete(arr);
        return rc;
    }
    printf("total weight %.0f g\n", total);
    cJSON_Delete(arr);
    return TOTE_EXIT_OK;
}
