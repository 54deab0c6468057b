/* Fuzzes the orders-json parser: any bytes give OK (each order valid or
 * rejected with a sentence) or a document error, never a crash; a valid
 * order always satisfies what tote_order_upsert() requires. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tote/import.h"
#include "tote/orders.h"

#define ENSURE(c)             \
    do {                      \
        if (!(c))             \
            __builtin_trap(); \
    } while (0)

static int check(void *ud, size_t index, const char *name, const struct tote_order_in *o, const char *error)
{
    size_t *next = ud;
    ENSURE(index == (*next)++);
    ENSURE((o != NULL) != (error != NULL));
    if (error) {
        ENSURE(strlen(error) > 0 && strlen(error) < 400);
        return 0;
    }
    ENSURE(o->name && *o->name && name == o->name);
    ENSURE(o->channel && *o->channel);
    ENSURE(o->line_count >= 1 && o->lines);
    ENSURE(o->cod == 0 || o->cod == 1);
    ENSURE(o->total_cents >= -1);
    for (size_t i = 0; i < o->line_count; i++) {
        ENSURE(o->lines[i].qty >= 1);
        ENSURE(o->lines[i].sku != NULL);
        ENSURE(o->lines[i].requires_shipping == 0 || *o->lines[i].sku);
        ENSURE(o->lines[i].price_cents >= -1);
    }
    if (o->ordered_at)
        ENSURE(strlen(o->ordered_at) == 24);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t next = 0;
    char *msg = NULL;
    tote_st_err e = tote_orders_json_parse((const char *)data, size, check, &next, &msg);
    ENSURE(e == TOTE_ST_E_OK || e == TOTE_ST_E_INVALID || e == TOTE_ST_E_NOMEM);
    ENSURE((e == TOTE_ST_E_OK) == (msg == NULL));
    if (e != TOTE_ST_E_OK)
        ENSURE(next == 0);
    free(msg);
    return 0;
}
