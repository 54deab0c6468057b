/*
 * Generated warehouse data in the formats `tote import` reads: Shopify
 * product and order exports, stock and location CSVs. Deterministic for a
 * seed. Header-only (static); used by the fault tests, fault_gen and the
 * benches (station RSS with 1M order lines).
 *
 * Products are SKU-<n> with a valid EAN-13 barcode 400638<n:06><check>,
 * each in bin A-<n> (walk order n). Orders are #G<n>, paid, lines of
 * distinct products.
 */
#ifndef TOTE_FAULTS_GEN_SHOPIFY_H
#define TOTE_FAULTS_GEN_SHOPIFY_H

#include <stdint.h>
#include <stdio.h>

#define GEN_FN static __attribute__((unused))

GEN_FN void gen_ean13(long n, char out[14])
{
    snprintf(out, 14, "400638%06ld", n % 1000000);
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (out[i] - '0') * (i % 2 ? 3 : 1);
    out[12] = (char)('0' + (10 - sum % 10) % 10);
    out[13] = '\0';
}

GEN_FN uint64_t gen_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Shopify products export: one variant per product. Returns 0 or -1. */
GEN_FN int gen_products(FILE *f, long products)
{
    fprintf(f, "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Grams,Variant Price,"
               "Variant Requires Shipping,Variant Barcode,Status\n");
    for (long p = 0; p < products; p++) {
        char ean[14];
        gen_ean13(p, ean);
        fprintf(f, "item-%ld,Generated item %ld,Title,Default Title,SKU-%ld,%ld,%ld.%02ld,TRUE,%s,active\n",
                p, p, p, 100 + p % 900, 1 + p % 90, p % 100, ean);
    }
    return ferror(f) ? -1 : 0;
}

GEN_FN int gen_locations(FILE *f, long products)
{
    fprintf(f, "code,zone,walk_seq\n");
    for (long p = 0; p < products; p++)
        fprintf(f, "A-%ld,pick,%ld\n", p, 10 + p);
    return ferror(f) ? -1 : 0;
}

GEN_FN int gen_stock(FILE *f, long products, long qty)
{
    fprintf(f, "sku,bin,qty,lot,expiry\n");
    for (long p = 0; p < products; p++)
        fprintf(f, "SKU-%ld,A-%ld,%ld,,\n", p, p, qty);
    return ferror(f) ? -1 : 0;
}

/*
 * Shopify orders export with `lines` line items in all, 1..max_lines per
 * order (distinct products), qty 1..3, orders named #<prefix><first + i>.
 * Returns the number of orders written, or -1.
 */
GEN_FN long gen_orders(FILE *f, long lines, int max_lines, long products, const char *prefix, long first,
                       uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
    fprintf(f,
            "Name,Email,Financial Status,Fulfillment Status,Currency,Total,Shipping Method,Created at,"
            "Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Lineitem requires shipping,"
            "Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Payment Method\n");
    long written = 0, order = 0;
    while (written < lines) {
        int n = 1 + (int)(gen_next(&s) % (uint64_t)max_lines);
        if (n > lines - written)
            n = (int)(lines - written);
        long base = (long)(gen_next(&s) % (uint64_t)products);
        long step = 1 + (long)(gen_next(&s) % 7);
        for (int l = 0; l < n; l++) {
            long p = (base + l * step) % products;
            int q = 1 + (int)(gen_next(&s) % 3);
            if (l == 0)
                fprintf(f,
                        "#%s%ld,c%ld@example.com,paid,unfulfilled,EUR,%d.00,Standard,2026-11-20 08:%02ld:00 "
                        "+0100,"
                        "%d,Generated item %ld,9.50,SKU-%ld,true,Customer %ld,Street %ld,Utrecht,3511 AB,NL,"
                        "Shopify Payments\n",
                        prefix, first + order, first + order, 10 * n, order % 60, q, p, p, first + order,
                        order);
            else
                fprintf(f, "#%s%ld,,,,,,,,%d,Generated item %ld,9.50,SKU-%ld,true,,,,,,\n", prefix,
                        first + order, q, p, p);
        }
        written += n;
        order++;
    }
    return ferror(f) ? -1 : order;
}

#endif
