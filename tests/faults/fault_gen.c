/*
 * fault_gen: writes generated warehouse data (gen_shopify.h) for manual runs
 * and scripts:
 *
 *   fault_gen products N FILE | locations N FILE | stock N QTY FILE |
 *   fault_gen orders LINES PRODUCTS FILE [PREFIX] [SEED]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_shopify.h"

static int usage(void)
{
    fprintf(stderr, "usage: fault_gen products N FILE | locations N FILE | stock N QTY FILE |\n"
                    "       fault_gen orders LINES PRODUCTS FILE [PREFIX] [SEED]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return usage();
    const char *what = argv[1];
    const char *path = NULL;
    if (strcmp(what, "products") == 0 || strcmp(what, "locations") == 0)
        path = argv[3];
    else if ((strcmp(what, "stock") == 0 || strcmp(what, "orders") == 0) && argc >= 5)
        path = argv[4];
    else
        return usage();
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "fault_gen: cannot write %s\n", path);
        return 1;
    }
    long rc = 0;
    if (strcmp(what, "products") == 0)
        rc = gen_products(f, atol(argv[2]));
    else if (strcmp(what, "locations") == 0)
        rc = gen_locations(f, atol(argv[2]));
    else if (strcmp(what, "stock") == 0)
        rc = gen_stock(f, atol(argv[2]), atol(argv[3]));
    else
        rc = gen_orders(f, atol(argv[2]), 4, atol(argv[3]), argc > 5 ? argv[5] : "G", 1,
                        argc > 6 ? strtoull(argv[6], NULL, 10) : 1);
    if (fclose(f) != 0 || rc < 0) {
        fprintf(stderr, "fault_gen: cannot write %s\n", path);
        return 1;
    }
    return 0;
}
