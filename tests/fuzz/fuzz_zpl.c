/*
 * Fuzz the label layout and ZPL writer with hostile text. Input: fields
 * separated by '|' (to.name, to.company, to.line1, city, order, tracking,
 * refs, service); first byte picks dpi and style. Whatever the text, the ZPL
 * must hold exactly one ^XA and one ^XZ, no '~', and every '^' must start a
 * command Tote writes; layouts stay inside the label.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tote/label.h"
#include "tote/zpl.h"

static int known(const char *p)
{
    static const char *const cmds[] = {"XA", "CI", "PW", "LL", "LH", "FO", "A0", "FB", "FH",
                                       "FD", "FS", "BY", "BC", "BX", "GB", "PQ", "XZ"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strncmp(p, cmds[i], 2) == 0)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *buf = malloc(size);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    char *f[8] = {0};
    int n = 0;
    f[n++] = buf;
    for (char *p = buf; *p && n < 8; p++)
        if (*p == '|') {
            *p = '\0';
            f[n++] = p + 1;
        }
    tote_label l = {0};
    l.to.name = f[0];
    l.to.company = f[1];
    l.to.line1 = f[2];
    l.to.city = f[3];
    l.order = f[4] && *f[4] ? f[4] : "#1";
    l.tracking = f[5];
    l.refs[0] = f[6];
    l.service = f[7];
    l.sscc = "106141411234567897";
    l.package_no = 1;
    l.weight_g = data[0];
    l.style = (data[0] & 2) ? TOTE_LABEL_GS1_LOGISTIC : TOTE_LABEL_CARRIER;
    int dpi = (data[0] & 1) ? 300 : 203;
    tote_lb_layout *L = NULL;
    if (tote_label_layout(&l, dpi, &L, NULL) == TOTE_LB_E_OK) {
        for (size_t i = 0; i < L->n; i++) {
            const tote_lb_item *it = &L->items[i];
            if (it->x < 0 || it->y < 0 || it->x + it->w > L->width || it->y + it->h > L->height)
                abort();
        }
        char *z = NULL;
        if (tote_zpl_from_layout(L, &z, NULL) == TOTE_LB_E_OK) {
            int xa = 0, xz = 0;
            if (strchr(z, '~'))
                abort();
            for (const char *p = strchr(z, '^'); p; p = strchr(p + 1, '^')) {
                if (!known(p + 1))
                    abort();
                xa += strncmp(p, "^XA", 3) == 0;
                xz += strncmp(p, "^XZ", 3) == 0;
            }
            if (xa != 1 || xz != 1)
                abort();
            free(z);
        }
        tote_label_layout_destroy(&L);
    }
    free(buf);
    return 0;
}
