/*
 * tote barcode parse [--json] DATA — what a scan means.
 *
 * DATA is the scanned text; it may start with an AIM id ("]C1..."), and may
 * write the GS separator as "<GS>" or "\x1D" (any "\xHH" is a byte). Output:
 * a few lines (symbology, kind, each AI with its title, the normalised
 * values), or with --json one object: symbology, kind, gs1, ais [{ai,value}]
 * in scan order, and where present gtin14, sscc, lot, expiry (YYYY-MM-DD),
 * serial, count, net_weight_kg, code (own, tracking and unknown kinds) and
 * package_no (orders). Invalid data exits 2 with one line on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/barcode.h"
#include "tote/import.h"

static void usage(FILE *f)
{
    fputs("usage: tote barcode parse [--json] DATA\n"
          "  DATA may start with an AIM id (]C1, ]E0, ]d2, ]Q3...); write the GS1\n"
          "  separator as <GS> or \\x1D. Bracket form (01)...(10)... is GS1 too.\n",
          f);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes "<GS>" and "\xHH" into out (at least strlen(in) bytes); returns the
 * length. */
static size_t unescape(const char *in, uint8_t *out)
{
    size_t n = 0;
    for (size_t i = 0; in[i];) {
        if (strncmp(in + i, "<GS>", 4) == 0) {
            out[n++] = 0x1D;
            i += 4;
        } else if (in[i] == '\\' && in[i + 1] == 'x' && hexval(in[i + 2]) >= 0 && hexval(in[i + 3]) >= 0) {
            out[n++] = (uint8_t)(hexval(in[i + 2]) * 16 + hexval(in[i + 3]));
            i += 4;
        } else {
            out[n++] = (uint8_t)in[i++];
        }
    }
    return n;
}

/* Adds text as a JSON string: as is when it is UTF-8, else its bytes read as
 * Latin-1 (so the JSON is always valid). */
static void add_text(cJSON *o, const char *key, const char *text)
{
    if (tote_utf8_valid((const unsigned char *)text, strlen(text))) {
        cJSON_AddStringToObject(o, key, text);
        return;
    }
    size_t n = strlen(text);
    char *u = malloc(2 * n + 1), *p = u;
    if (!u)
        return;
    for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
        if (*s < 0x80) {
            *p++ = (char)*s;
        } else {
            *p++ = (char)(0xC0 | (*s >> 6));
            *p++ = (char)(0x80 | (*s & 0x3F));
        }
    }
    *p = '\0';
    cJSON_AddStringToObject(o, key, u);
    free(u);
}

static int has_code(tote_barcode_kind k)
{
    return k != TOTE_BC_GTIN && k != TOTE_BC_SSCC;
}

static void print_json(const tote_barcode *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "symbology", tote_symbology_name(b->symbology));
    cJSON_AddStringToObject(o, "kind", tote_barcode_kind_name(b->kind));
    cJSON_AddBoolToObject(o, "gs1", b->gs1 != 0);
    cJSON *ais = cJSON_AddArrayToObject(o, "ais");
    for (size_t i = 0; i < b->ais.count; i++) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "ai", b->ais.ais[i].ai);
        cJSON_AddStringToObject(a, "value", b->ais.ais[i].value);
        cJSON_AddItemToArray(ais, a);
    }
    if (b->gtin14[0])
        cJSON_AddStringToObject(o, "gtin14", b->gtin14);
    if (b->sscc[0])
        cJSON_AddStringToObject(o, "sscc", b->sscc);
    if (b->lot[0])
        cJSON_AddStringToObject(o, "lot", b->lot);
    if (b->expiry[0])
        cJSON_AddStringToObject(o, "expiry", b->expiry);
    if (b->serial[0])
        cJSON_AddStringToObject(o, "serial", b->serial);
    if (b->has_count)
        cJSON_AddNumberToObject(o, "count", (double)b->count);
    if (b->has_net_weight)
        cJSON_AddNumberToObject(o, "net_weight_kg", b->net_weight_kg);
    if (has_code(b->kind))
        add_text(o, "code", b->code);
    if (b->kind == TOTE_BC_ORDER)
        cJSON_AddNumberToObject(o, "package_no", b->package_no);
    tote_cli_print_json(o);
}

/* prints text with bytes outside printable ASCII as \xHH */
static void print_escaped(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x20 && *p < 0x7F)
            putchar(*p);
        else
            printf("\\x%02X", *p);
    }
}

static void print_human(const tote_barcode *b)
{
    printf("symbology: %s%s\n", tote_symbology_name(b->symbology), b->gs1 ? " (GS1)" : "");
    printf("kind: %s\n", tote_barcode_kind_name(b->kind));
    for (size_t i = 0; i < b->ais.count; i++) {
        const char *t = tote_gs1_ai_title(b->ais.ais[i].ai);
        printf("(%s) %s: %s\n", b->ais.ais[i].ai, t ? t : "?", b->ais.ais[i].value);
    }
    if (b->gtin14[0])
        printf("gtin14: %s\n", b->gtin14);
    if (b->sscc[0])
        printf("sscc: %s\n", b->sscc);
    if (b->lot[0])
        printf("lot: %s\n", b->lot);
    if (b->expiry[0])
        printf("expiry: %s\n", b->expiry);
    if (b->serial[0])
        printf("serial: %s\n", b->serial);
    if (b->has_count)
        printf("count: %lld\n", b->count);
    if (b->has_net_weight)
        printf("net weight: %.6g kg\n", b->net_weight_kg);
    if (has_code(b->kind)) {
        fputs("code: ", stdout);
        print_escaped(b->code);
        putchar('\n');
    }
    if (b->package_no)
        printf("package: %d\n", b->package_no);
}

static int cmd_parse(int argc, char **argv)
{
    int json = tote_cli_take_flag(&argc, argv, "--json");
    const char *data = NULL;
    int after_dashes = 0;
    for (int i = 1; i < argc; i++) {
        if (!after_dashes && strcmp(argv[i], "--") == 0) {
            after_dashes = 1;
            continue;
        }
        if (!after_dashes && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
            usage(stdout);
            return TOTE_EXIT_OK;
        }
        if (!after_dashes && strncmp(argv[i], "--", 2) == 0)
            return tote_cli_fail(TOTE_EXIT_USAGE,
                                 "unknown option '%s' (usage: tote barcode parse [--json] DATA)", argv[i]);
        if (data)
            return tote_cli_fail(TOTE_EXIT_USAGE, "give one DATA argument (quote it if it has spaces)");
        data = argv[i];
    }
    if (!data)
        return tote_cli_fail(TOTE_EXIT_USAGE, "missing DATA (usage: tote barcode parse [--json] DATA)");
    uint8_t *bytes = malloc(strlen(data) + 1);
    if (!bytes)
        return tote_cli_fail(TOTE_EXIT_FAIL, "out of memory");
    size_t n = unescape(data, bytes);
    tote_barcode b;
    char err[256] = "";
    tote_proto_err e = tote_barcode_parse(NULL, bytes, n, &b, err, sizeof err);
    free(bytes);
    if (e != TOTE_PROTO_E_OK)
        return tote_cli_fail(TOTE_EXIT_USAGE, "%s", err[0] ? err : tote_proto_strerror(e));
    if (json)
        print_json(&b);
    else
        print_human(&b);
    return TOTE_EXIT_OK;
}

int tote_cmd_barcode(const tote_cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx; /* no database: parsing is pure */
    if (argc < 2) {
        usage(stderr);
        return TOTE_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return TOTE_EXIT_OK;
    }
    if (strcmp(argv[1], "parse") == 0)
        return cmd_parse(argc - 1, argv + 1);
    return tote_cli_fail(TOTE_EXIT_USAGE,
                         "unknown 'tote barcode' command '%s' (try 'tote barcode parse DATA')", argv[1]);
}
