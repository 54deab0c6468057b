/*
 * Fuzzes tote_barcode_parse. The first byte picks the symbology argument,
 * the rest is the scan. Never crashes; on success the result is consistent
 * (GTIN-14 valid, strings terminated, GS1 bracket form round-trips, S10 valid
 * for tracking); on failure the message is one non-empty line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tote/barcode.h"
#include "tote/checkdigit.h"
#include "tote/s10.h"

static const char *const syms[] = {NULL,   "",      "]C1",  "]C0",  "]E0",     "]E4",     "]E3", "]d2",
                                   "]Q1",  "]Q3",   "]e0",  "]I1",  "]A0",     "]X0",     "]",   "]C",
                                   "upce", "ean13", "ean8", "upca", "gs1-128", "nonsense"};

#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *sym = syms[data[0] % (sizeof syms / sizeof syms[0])];
    tote_barcode b;
    char err[200];
    memset(err, 'x', sizeof err);
    if (tote_barcode_parse(sym, data + 1, size - 1, &b, err, sizeof err) != TOTE_PROTO_E_OK) {
        if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0' || strchr(err, '\n'))
            abort();
        if (b.kind != TOTE_BC_UNKNOWN || b.ais.count != 0 || b.code[0] || b.gtin14[0])
            abort();
        return 0;
    }
    if ((unsigned)b.kind > TOTE_BC_TRACKING || (unsigned)b.symbology > TOTE_SYM_AZTEC)
        abort();
    if (!TERMINATED(b.gtin14) || !TERMINATED(b.sscc) || !TERMINATED(b.lot) || !TERMINATED(b.expiry) ||
        !TERMINATED(b.serial) || !TERMINATED(b.code))
        abort();
    if (b.gtin14[0] && (strlen(b.gtin14) != 14 || !tote_gs1_check_valid(b.gtin14, 14)))
        abort();
    if (b.sscc[0] && (strlen(b.sscc) != 18 || !tote_gs1_check_valid(b.sscc, 18)))
        abort();
    if (b.expiry[0] && strlen(b.expiry) != 10)
        abort();
    if (b.kind == TOTE_BC_GTIN && !b.gtin14[0])
        abort();
    if (b.kind == TOTE_BC_SSCC && !b.sscc[0])
        abort();
    if (b.kind == TOTE_BC_TRACKING && !tote_s10_valid(b.code, strlen(b.code)))
        abort();
    if (b.kind >= TOTE_BC_BIN && b.kind <= TOTE_BC_BADGE && b.code[0] == '\0')
        abort();
    if (b.package_no < 0 || (b.package_no && b.kind != TOTE_BC_ORDER))
        abort();
    if (b.gs1) {
        static char br[8192];
        tote_gs1 g2;
        if (b.ais.count == 0 || tote_gs1_to_brackets(&b.ais, br, sizeof br) != TOTE_PROTO_E_OK)
            abort();
        tote_barcode b2;
        if (tote_barcode_parse(NULL, (const uint8_t *)br, strlen(br), &b2, err, sizeof err) !=
            TOTE_PROTO_E_OK)
            abort();
        g2 = b2.ais;
        if (g2.count != b.ais.count || b2.kind != b.kind || strcmp(b2.gtin14, b.gtin14) != 0 ||
            strcmp(b2.lot, b.lot) != 0 || strcmp(b2.expiry, b.expiry) != 0)
            abort();
        for (size_t i = 0; i < g2.count; i++)
            if (strcmp(g2.ais[i].ai, b.ais.ais[i].ai) || strcmp(g2.ais[i].value, b.ais.ais[i].value))
                abort();
    } else if (b.ais.count != 0) {
        abort();
    }
    return 0;
}
