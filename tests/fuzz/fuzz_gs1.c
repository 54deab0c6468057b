/*
 * Fuzzes tote_gs1_parse. Never crashes; on success the bracket form and the
 * transmitted form parse back to the same elements, the ZPL encoder succeeds,
 * and every AI has a title; on failure the message is one non-empty line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tote/gs1.h"

#define BIG (TOTE_GS1_MAX_AIS * (4 + 2 + 2 * TOTE_GS1_MAX_VALUE + 2) + 1)

static void same(const tote_gs1 *a, const tote_gs1 *b)
{
    if (a->count != b->count)
        abort();
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->ais[i].ai, b->ais[i].ai) != 0 || strcmp(a->ais[i].value, b->ais[i].value) != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tote_gs1 g, g2;
    char err[160];
    memset(err, 'x', sizeof err);
    if (tote_gs1_parse(data, size, &g, err, sizeof err) != TOTE_PROTO_E_OK) {
        if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0' || strchr(err, '\n') || g.count != 0)
            abort();
        return 0;
    }
    if (g.count == 0 || g.count > TOTE_GS1_MAX_AIS)
        abort();
    for (size_t i = 0; i < g.count; i++)
        if (!tote_gs1_ai_title(g.ais[i].ai) || g.ais[i].value[0] == '\0')
            abort();

    static char b[BIG];
    if (tote_gs1_to_brackets(&g, b, sizeof b) != TOTE_PROTO_E_OK)
        abort();
    if (tote_gs1_parse((const uint8_t *)b, strlen(b), &g2, err, sizeof err) != TOTE_PROTO_E_OK)
        abort();
    same(&g, &g2);

    static uint8_t t[BIG];
    size_t tl = 0;
    if (tote_gs1_to_transmitted(&g, t, sizeof t, &tl) != TOTE_PROTO_E_OK)
        abort();
    if (tote_gs1_parse(t, tl, &g2, err, sizeof err) != TOTE_PROTO_E_OK)
        abort();
    same(&g, &g2);

    static char z[3 * BIG];
    if (tote_gs1_to_zpl(&g, z, sizeof z) != TOTE_PROTO_E_OK || strncmp(z, ">;>8", 4) != 0)
        abort();
    /* a too-small buffer is refused cleanly */
    char small[8];
    if (tote_gs1_to_brackets(&g, small, sizeof small) == TOTE_PROTO_E_OK && strlen(b) >= sizeof small)
        abort();
    return 0;
}
