/*
 * The catalog: products and their barcodes (station/src/store_catalog.c).
 *
 * Every function here that writes runs inside the caller's transaction if
 * one is open (as a savepoint, undone on error), else in its own
 * BEGIN IMMEDIATE transaction. On an error, tote_st_detail() gives one
 * sentence saying why.
 */
#ifndef TOTE_CATALOG_H
#define TOTE_CATALOG_H

#include "tote/store.h"

/*
 * A product as an importer sees it. sku is the key (required, non-empty).
 * "Keep" values leave the stored field as it is on an update and use the
 * default on create:
 *   name NULL or ""            -> keep (create: the sku)
 *   handle NULL                -> keep (create: NULL)
 *   weight_g < 0               -> keep (create: 0)
 *   requires_shipping < 0      -> keep (create: 1); else 0 or 1
 *   lot_tracked < 0            -> keep (create: 0); else 0 or 1
 *   price_cents -1             -> keep (create: NULL = unknown)
 *   reorder_point/qty -1       -> keep (create: NULL = unset)
 * Importers that do not know a field should pass the keep value, so that a
 * re-import does not wipe what was set by other means.
 */
typedef struct tote_product_in {
    const char *sku, *name, *handle;
    long long weight_g;
    int requires_shipping;
    int lot_tracked;
    long long price_cents;                /* -1 = unknown */
    long long reorder_point, reorder_qty; /* -1 = unset */
} tote_product_in;

typedef enum tote_upsert_result {
    TOTE_UPSERT_CREATED = 1,
    TOTE_UPSERT_UNCHANGED,
    TOTE_UPSERT_UPDATED,
    TOTE_UPSERT_LOCKED
} tote_upsert_result;

/*
 * Creates the product or updates it by sku. *res (may be NULL) says what
 * happened; *product_id (may be NULL) receives its id. Writes an event
 * (product.created / product.updated) when something changed; an unchanged
 * product writes nothing. Products never return LOCKED.
 * Errors: INVALID (empty sku, bad flag value, negative price), DB/BUSY.
 */
tote_st_err tote_product_upsert(tote_store *s, const tote_product_in *p, const char *actor,
                                tote_upsert_result *res, long long *product_id);

/*
 * Maps a barcode to a product. code: a GTIN already normalised to 14 digits,
 * or a raw code (non-empty, printable, at most 64 bytes); units per scan >= 1
 * (a case code stands for several). Setting the same code for the same
 * product again updates units. The same code for another product ->
 * TOTE_ST_E_EXISTS; an unknown product_id -> NOT_FOUND; bad code or units ->
 * INVALID. A change writes the audit event barcode.set (subject the product's
 * SKU, detail the code and units) with actor (may be NULL).
 */
tote_st_err tote_barcode_set(tote_store *s, const char *code, long long product_id, int units,
                             const char *actor);

/*
 * Unmaps barcode code (as stored: tote_barcode_set's form) from product_id.
 * NOT_FOUND when that product has no such code. Writes the audit event
 * barcode.removed (subject the product's SKU, detail the code) with actor
 * (may be NULL). Scans recorded with the code keep it: they hold its text.
 */
tote_st_err tote_barcode_remove(tote_store *s, const char *code, long long product_id, const char *actor);

/* Product id by exact sku; NOT_FOUND if none. */
tote_st_err tote_product_find_by_sku(tote_store *s, const char *sku, long long *product_id);

/*
 * Product by barcode: the code as given, and for an all-digit code of 8, 12
 * or 13 digits also its GTIN-14 form (left-padded with zeros). *units (may be
 * NULL) receives the units per scan. NOT_FOUND if none.
 */
tote_st_err tote_product_find_by_code(tote_store *s, const char *code, long long *product_id, int *units);

/*
 * Product by an item scan: by barcode as tote_product_find_by_code, else
 * the product whose SKU is exactly code, one unit per scan (an item without
 * a GTIN carries a label with its SKU). NOT_FOUND if neither. The import's
 * barcode checks use tote_product_find_by_code, never this.
 */
tote_st_err tote_product_find_by_scan(tote_store *s, const char *code, long long *product_id, int *units);

/* A product as stored. Strings are copies owned by the struct: free with
 * tote_product_clear(). Missing price/reorder values are -1. */
typedef struct tote_product {
    long long id;
    char *sku, *name, *handle;
    long long weight_g;
    int requires_shipping, lot_tracked;
    long long price_cents, reorder_point, reorder_qty;
} tote_product;

/* Reads product id into *out; NOT_FOUND if none. */
tote_st_err tote_product_get(tote_store *s, long long product_id, tote_product *out);
void tote_product_clear(tote_product *p);

/*
 * One sentence about the last error returned by a catalog, stock, order,
 * customer or config function in this thread ("" if none). Static
 * thread-local buffer, valid until the next such call.
 */
const char *tote_st_detail(void);

#endif
