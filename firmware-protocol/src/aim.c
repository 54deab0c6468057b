/* AIM symbology identifiers (ISO/IEC 15424). */
#include <string.h>

#include "tote/aim.h"

/* One row per identifier Tote understands. mod '*' matches any modifier
 * character [0-9A-Za-z]. First match wins. */
static const struct aim_row {
    char code, mod;
    tote_symbology sym;
    int gs1;
} aim_rows[] = {
    {'C', '1', TOTE_SYM_GS1_128, 1},
    {'C', '*', TOTE_SYM_CODE128, 0},
    {'E', '4', TOTE_SYM_EAN8, 0},
    {'E', '0', TOTE_SYM_EAN13, 0},
    {'E', '1', TOTE_SYM_EAN13, 0}, /* with 2-digit add-on */
    {'E', '2', TOTE_SYM_EAN13, 0}, /* with 5-digit add-on */
    {'E', '3', TOTE_SYM_EAN13, 0}, /* with add-on, one string */
    {'d', '2', TOTE_SYM_GS1_DATAMATRIX, 1},
    {'d', '*', TOTE_SYM_DATAMATRIX, 0},
    {'Q', '3', TOTE_SYM_GS1_QR, 1},
    {'Q', '*', TOTE_SYM_QR, 0},
    {'e', '0', TOTE_SYM_GS1_DATABAR, 1},
    {'e', '1', TOTE_SYM_GS1_DATABAR, 1},
    {'e', '2', TOTE_SYM_GS1_DATABAR, 1},
    {'e', '3', TOTE_SYM_GS1_DATABAR, 1},
    {'A', '*', TOTE_SYM_CODE39, 0},
    {'I', '*', TOTE_SYM_ITF, 0},
    {'L', '*', TOTE_SYM_PDF417, 0},
    {'F', '*', TOTE_SYM_CODABAR, 0},
    {'G', '*', TOTE_SYM_CODE93, 0},
    {'z', '1', TOTE_SYM_AZTEC, 1}, /* FNC1 in first position: UNVERIFIED */
    {'z', '*', TOTE_SYM_AZTEC, 0},
};

static const struct sym_row {
    const char *name;
    const char *aim;
} sym_rows[] = {
    [TOTE_SYM_UNKNOWN] = {"unknown", ""},
    [TOTE_SYM_CODE128] = {"code128", "]C0"},
    [TOTE_SYM_GS1_128] = {"gs1-128", "]C1"},
    [TOTE_SYM_EAN13] = {"ean13", "]E0"},
    [TOTE_SYM_EAN8] = {"ean8", "]E4"},
    [TOTE_SYM_UPCA] = {"upca", "]E0"},
    [TOTE_SYM_UPCE] = {"upce", "]E0"},
    [TOTE_SYM_DATAMATRIX] = {"datamatrix", "]d1"},
    [TOTE_SYM_GS1_DATAMATRIX] = {"gs1-datamatrix", "]d2"},
    [TOTE_SYM_QR] = {"qr", "]Q1"},
    [TOTE_SYM_GS1_QR] = {"gs1-qr", "]Q3"},
    [TOTE_SYM_CODE39] = {"code39", "]A0"},
    [TOTE_SYM_ITF] = {"itf", "]I0"},
    [TOTE_SYM_GS1_DATABAR] = {"gs1-databar", "]e0"},
    [TOTE_SYM_PDF417] = {"pdf417", "]L2"},
    [TOTE_SYM_CODABAR] = {"codabar", "]F0"},
    [TOTE_SYM_CODE93] = {"code93", "]G0"},
    [TOTE_SYM_AZTEC] = {"aztec", "]z0"},
};

#define N_SYM (sizeof sym_rows / sizeof sym_rows[0])

static int is_modifier(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

tote_symbology tote_aim_parse(const char *aim, int *is_gs1)
{
    if (is_gs1)
        *is_gs1 = 0;
    if (!aim || aim[0] != ']' || aim[1] == '\0' || !is_modifier(aim[2]))
        return TOTE_SYM_UNKNOWN;
    for (size_t i = 0; i < sizeof aim_rows / sizeof aim_rows[0]; i++) {
        const struct aim_row *r = &aim_rows[i];
        if (r->code == aim[1] && (r->mod == '*' || r->mod == aim[2])) {
            if (is_gs1)
                *is_gs1 = r->gs1;
            return r->sym;
        }
    }
    return TOTE_SYM_UNKNOWN;
}

const char *tote_symbology_name(tote_symbology s)
{
    if ((unsigned)s >= N_SYM)
        return "unknown";
    return sym_rows[s].name;
}

tote_symbology tote_symbology_from_name(const char *name)
{
    if (!name)
        return TOTE_SYM_UNKNOWN;
    for (size_t i = 1; i < N_SYM; i++)
        if (strcmp(sym_rows[i].name, name) == 0)
            return (tote_symbology)i;
    return TOTE_SYM_UNKNOWN;
}

const char *tote_symbology_aim(tote_symbology s)
{
    if ((unsigned)s >= N_SYM)
        return "";
    return sym_rows[s].aim;
}

int tote_symbology_is_gs1(tote_symbology s)
{
    return s == TOTE_SYM_GS1_128 || s == TOTE_SYM_GS1_DATAMATRIX || s == TOTE_SYM_GS1_QR ||
           s == TOTE_SYM_GS1_DATABAR;
}
