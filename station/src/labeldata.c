/* Label and packing-slip models from the store (printing.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tote/printing.h"

#define FROM_KEYS 9

struct tote_label_data {
    tote_label_src src;
    tote_label label;
    tote_slip slip;
    tote_slip_line *lines;
    char from[FROM_KEYS][256];
    char dm[300];
    char ref[2][300];
};

int tote_label_default_dpi(tote_store *s)
{
    return tote_store_setting_int(s, "label_dpi", 203) == 300 ? 300 : 203;
}

tote_label_style tote_label_default_style(tote_store *s)
{
    char buf[32];
    tote_store_setting_get(s, "label_style", "carrier", buf, sizeof buf);
    return (strcasecmp(buf, "gs1") == 0 || strcasecmp(buf, "gs1-logistic") == 0) ? TOTE_LABEL_GS1_LOGISTIC
                                                                                 : TOTE_LABEL_CARRIER;
}

static const char *nz(const char *s)
{
    return s && *s ? s : NULL;
}

tote_st_err tote_label_data_load(tote_store *s, long long order_id, long long package_id,
                                 tote_label_data **out)
{
    *out = NULL;
    tote_label_data *d = calloc(1, sizeof *d);
    if (!d)
        return TOTE_ST_E_NOMEM;
    tote_st_err e = tote_store_label_src(s, order_id, package_id, &d->src);
    if (e != TOTE_ST_E_OK) {
        free(d);
        return e;
    }
    static const char *const keys[FROM_KEYS] = {
        "ship_from_name", "ship_from_company",  "ship_from_address1", "ship_from_address2", "ship_from_city",
        "ship_from_zip",  "ship_from_province", "ship_from_country",  "ship_from_phone"};
    for (int i = 0; i < FROM_KEYS; i++)
        tote_store_setting_get(s, keys[i], "", d->from[i], sizeof d->from[i]);
    tote_address from = {.name = nz(d->from[0]),
                         .company = nz(d->from[1]),
                         .line1 = nz(d->from[2]),
                         .line2 = nz(d->from[3]),
                         .city = nz(d->from[4]),
                         .postal_code = nz(d->from[5]),
                         .region = nz(d->from[6]),
                         .country = nz(d->from[7]),
                         .phone = nz(d->from[8])};
    const tote_label_src *x = &d->src;
    tote_address to = {.name = x->ship_name,
                       .company = x->ship_company,
                       .line1 = x->ship_address1,
                       .line2 = x->ship_address2,
                       .city = x->ship_city,
                       .postal_code = x->ship_zip,
                       .region = x->ship_province,
                       .country = x->ship_country,
                       .phone = x->ship_phone};
    tote_label *l = &d->label;
    l->style = tote_label_default_style(s);
    l->from = from;
    l->to = to;
    l->order = x->order_name;
    l->package_no = x->package_no > 0 ? x->package_no : 1;
    l->package_count = x->package_count;
    if (l->package_count && l->package_no > l->package_count)
        l->package_count = l->package_no;
    l->weight_g = x->weight_g;
    l->service = nz(x->service) ? x->service : nz(x->shipping_method) ? x->shipping_method : "Standard";
    l->tracking = nz(x->tracking);
    l->sscc = nz(x->sscc);
    int r = 0;
    if (nz(x->external_ref)) {
        snprintf(d->ref[0], sizeof d->ref[0], "Ref %s", x->external_ref);
        l->refs[r++] = d->ref[0];
    }
    if (nz(x->carton)) {
        snprintf(d->ref[1], sizeof d->ref[1], "Carton %s", x->carton);
        l->refs[r++] = d->ref[1];
    }
    snprintf(d->dm, sizeof d->dm, "ORD-%s/%d", x->order_name ? x->order_name : "", l->package_no);
    l->datamatrix = d->dm;

    d->lines = calloc(x->n_lines ? x->n_lines : 1, sizeof *d->lines);
    if (!d->lines) {
        tote_label_data_destroy(&d);
        return TOTE_ST_E_NOMEM;
    }
    for (size_t i = 0; i < x->n_lines; i++) {
        d->lines[i].sku = x->lines[i].sku ? x->lines[i].sku : "";
        d->lines[i].name = x->lines[i].name;
        d->lines[i].ordered = x->lines[i].ordered;
        d->lines[i].shipped = x->lines[i].shipped;
    }
    char paper[16];
    tote_store_setting_get(s, "slip_paper", "a4", paper, sizeof paper);
    d->slip.paper = strcasecmp(paper, "letter") == 0 ? TOTE_PAPER_LETTER : TOTE_PAPER_A4;
    d->slip.order = x->order_name;
    d->slip.from = from;
    d->slip.to = to;
    d->slip.lines = d->lines;
    d->slip.n_lines = x->n_lines;
    *out = d;
    return TOTE_ST_E_OK;
}

void tote_label_data_destroy(tote_label_data **dp)
{
    if (!dp || !*dp)
        return;
    tote_label_src_free(&(*dp)->src);
    free((*dp)->lines);
    free(*dp);
    *dp = NULL;
}

tote_label *tote_label_data_label(tote_label_data *d)
{
    return &d->label;
}

tote_slip *tote_label_data_slip(tote_label_data *d)
{
    return &d->slip;
}

long long tote_label_data_package_id(const tote_label_data *d)
{
    return d->src.package_id;
}

const char *tote_label_data_device(const tote_label_data *d)
{
    return d->src.device && *d->src.device ? d->src.device : NULL;
}
