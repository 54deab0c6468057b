/*
 * Test data for the label and printing tests: a warehouse's ship-from
 * settings, two products, order #1001 (two lines, one package closed with a
 * tracking number and SSCC) and order #1002 (not packed yet). Inserted with
 * plain SQL into a database made by `tote init` (test set-up only; Tote's own
 * code writes through station/src/store*.c).
 */
#ifndef TOTE_TEST_LABEL_SEED_H
#define TOTE_TEST_LABEL_SEED_H

#include <sqlite3.h>
#include <stdio.h>

static const char tt_label_seed_sql[] =
    "INSERT INTO setting(key, value) VALUES "
    " ('ship_from_name', 'Tote Demo Warehouse'), ('ship_from_address1', 'Lagerstraße 5'),"
    " ('ship_from_city', 'Berlin'), ('ship_from_zip', '10115'), ('ship_from_country', 'DE');"
    "INSERT INTO product(id, sku, name, weight_g, created_at, updated_at) VALUES "
    " (1, 'MUG-1', 'Enamel mug, blue', 350, 'x', 'x'), (2, 'TEE-M', 'T-shirt ^XZ~ size M', 200, 'x', 'x');"
    "INSERT INTO orders(id, name, status, payment_status, shipping_method, ship_name, ship_company, "
    " ship_address1, ship_address2, ship_city, ship_zip, ship_country, ship_phone, external_ref, ordered_at, "
    " created_at, updated_at) VALUES "
    " (1, '#1001', 'packed', 'paid', 'Express', 'Zoë Müller_^XZ~JR', 'ACME GmbH', 'Hauptstraße 12', "
    "  'Hinterhaus', 'München', '80331', 'Germany', '+49 89 123456', '4711', 'x', 'x', 'x'),"
    " (2, '#1002', 'released', 'paid', 'Standard', 'Åsa Öberg', NULL, 'Storgatan 1', NULL, 'Malmö', "
    "  '21122', 'Sweden', NULL, NULL, 'x', 'x', 'x');"
    "INSERT INTO order_line(id, order_id, line_no, product_id, sku, name, ordered, allocated, picked, "
    "packed) "
    " VALUES (1, 1, 1, 1, 'MUG-1', 'Enamel mug, blue', 2, 2, 2, 2), (2, 1, 2, 2, 'TEE-M', 'T-shirt ^XZ~ size "
    "M', "
    " 1, 1, 1, 1), (3, 2, 1, 1, 'MUG-1', 'Enamel mug, blue', 1, 0, 0, 0);"
    "INSERT INTO device(id, name, role, created_at) VALUES (1, 'bench-1', 'bench', 'x');"
    "INSERT INTO package(id, order_id, package_no, status, weight_g, tracking, sscc, service, device, "
    " created_at) VALUES (1, 1, 1, 'closed', 912, 'LX000000015NL', '106141411234567897', 'Express', "
    " 'bench-1', 'x');"
    "INSERT INTO package_item(package_id, order_line_id, qty) VALUES (1, 1, 2), (1, 2, 1);";

/* Seeds db_path; 0 on success. */
static inline int tt_label_seed(const char *db_path)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    int rc = sqlite3_open(db_path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, tt_label_seed_sql, NULL, NULL, &err);
    if (rc != SQLITE_OK)
        fprintf(stderr, "seed: %s\n", err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

#endif
