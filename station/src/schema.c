/*
 * The schema, as numbered migrations. Migration N brings user_version from
 * N-1 to N. Never edit a migration that has shipped: append a new one.
 * SQL here is written to be accepted by SQLite and, where it costs nothing,
 * PostgreSQL (DESIGN.md §8).
 */
#include "schema.h"

static const char *const migration_1 =
    /* warehouse settings and counters */
    "CREATE TABLE setting(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE counter(name TEXT PRIMARY KEY, value INTEGER NOT NULL);\n"

    /* catalog */
    "CREATE TABLE product(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  sku TEXT NOT NULL UNIQUE,\n"
    "  name TEXT NOT NULL,\n"
    "  handle TEXT,\n"
    "  weight_g INTEGER NOT NULL DEFAULT 0 CHECK (weight_g >= 0),\n"
    "  requires_shipping INTEGER NOT NULL DEFAULT 1,\n"
    "  lot_tracked INTEGER NOT NULL DEFAULT 0,\n"
    "  reorder_point INTEGER,\n"
    "  reorder_qty INTEGER,\n"
    "  price_cents INTEGER,\n"
    "  created_at TEXT NOT NULL,\n"
    "  updated_at TEXT NOT NULL);\n"
    /* code: GTIN-14 for GTINs, else the raw text; units: a case code stands for several */
    "CREATE TABLE barcode(\n"
    "  code TEXT PRIMARY KEY,\n"
    "  product_id INTEGER NOT NULL REFERENCES product(id),\n"
    "  units INTEGER NOT NULL DEFAULT 1 CHECK (units > 0));\n"
    "CREATE INDEX barcode_product ON barcode(product_id);\n"
    "CREATE TABLE location(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  code TEXT NOT NULL UNIQUE,\n"
    "  zone TEXT,\n"
    "  walk_seq INTEGER NOT NULL,\n"
    "  kind TEXT NOT NULL DEFAULT 'bin' CHECK (kind IN ('bin','quarantine','dock')));\n"

    /* stock: on_hand is the running sum of stock_move.qty for the row; it is
       only ever changed together with a stock_move row */
    "CREATE TABLE stock(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  location_id INTEGER NOT NULL REFERENCES location(id),\n"
    "  product_id INTEGER NOT NULL REFERENCES product(id),\n"
    "  lot TEXT NOT NULL DEFAULT '',\n"
    "  expiry TEXT,\n"
    "  on_hand INTEGER NOT NULL DEFAULT 0,\n"
    "  reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),\n"
    "  UNIQUE (location_id, product_id, lot));\n"
    "CREATE INDEX stock_product ON stock(product_id);\n"
    "CREATE TABLE stock_move(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  stock_id INTEGER NOT NULL REFERENCES stock(id),\n"
    "  kind TEXT NOT NULL CHECK (kind IN "
    "('receipt','pick','adjustment','return','transfer','shortage','count')),\n"
    "  qty INTEGER NOT NULL,\n"
    "  order_line_id INTEGER,\n"
    "  actor TEXT,\n"
    "  device TEXT,\n"
    "  reason TEXT,\n"
    "  at TEXT NOT NULL);\n"
    "CREATE INDEX stock_move_stock ON stock_move(stock_id);\n"

    /* customers and orders */
    "CREATE TABLE customer(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  email TEXT UNIQUE,\n"
    "  name TEXT,\n"
    "  phone TEXT,\n"
    "  created_at TEXT NOT NULL);\n"
    "CREATE TABLE orders(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  channel TEXT NOT NULL DEFAULT 'shopify',\n"
    "  external_ref TEXT,\n"
    "  customer_id INTEGER REFERENCES customer(id),\n"
    "  status TEXT NOT NULL CHECK (status IN ('received','on_hold','released','allocated','picking',"
    "'picked','packing','packed','shipped','delivered','cancelled')),\n"
    "  hold_reason TEXT,\n"
    "  payment_status TEXT NOT NULL DEFAULT 'pending',\n"
    "  payment_method TEXT,\n"
    "  cod INTEGER NOT NULL DEFAULT 0,\n"
    "  priority INTEGER NOT NULL DEFAULT 0,\n"
    "  rush INTEGER NOT NULL DEFAULT 0,\n"
    "  pickup INTEGER NOT NULL DEFAULT 0,\n"
    "  ship_by TEXT,\n"
    "  currency TEXT,\n"
    "  total_cents INTEGER,\n"
    "  shipping_method TEXT,\n"
    "  ship_name TEXT, ship_company TEXT, ship_address1 TEXT, ship_address2 TEXT,\n"
    "  ship_city TEXT, ship_zip TEXT, ship_province TEXT, ship_country TEXT, ship_phone TEXT,\n"
    "  tote TEXT,\n"
    "  source_hash TEXT,\n"
    "  ordered_at TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  updated_at TEXT NOT NULL);\n"
    "CREATE INDEX orders_status ON orders(status);\n"
    "CREATE INDEX orders_customer ON orders(customer_id);\n"
    "CREATE TABLE order_line(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  order_id INTEGER NOT NULL REFERENCES orders(id),\n"
    "  line_no INTEGER NOT NULL,\n"
    "  product_id INTEGER REFERENCES product(id),\n"
    "  sku TEXT NOT NULL,\n"
    "  name TEXT,\n"
    "  price_cents INTEGER,\n"
    "  requires_shipping INTEGER NOT NULL DEFAULT 1,\n"
    "  ordered INTEGER NOT NULL CHECK (ordered >= 0),\n"
    "  allocated INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),\n"
    "  picked INTEGER NOT NULL DEFAULT 0 CHECK (picked >= 0),\n"
    "  short INTEGER NOT NULL DEFAULT 0 CHECK (short >= 0),\n"
    "  packed INTEGER NOT NULL DEFAULT 0 CHECK (packed >= 0),\n"
    "  shipped INTEGER NOT NULL DEFAULT 0 CHECK (shipped >= 0),\n"
    "  returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0),\n"
    "  UNIQUE (order_id, line_no),\n"
    "  CHECK (picked + short <= ordered),\n"
    "  CHECK (packed <= picked),\n"
    "  CHECK (returned <= shipped));\n"
    "CREATE INDEX order_line_product ON order_line(product_id);\n"

    /* allocation: stock reserved per bin for an order line (stock.reserved is the sum
       of qty - picked over open allocations) */
    "CREATE TABLE allocation(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  order_line_id INTEGER NOT NULL REFERENCES order_line(id),\n"
    "  stock_id INTEGER NOT NULL REFERENCES stock(id),\n"
    "  qty INTEGER NOT NULL CHECK (qty > 0),\n"
    "  picked INTEGER NOT NULL DEFAULT 0,\n"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','short','cancelled')),\n"
    "  CHECK (picked <= qty));\n"
    "CREATE INDEX allocation_line ON allocation(order_line_id);\n"
    "CREATE INDEX allocation_stock ON allocation(stock_id);\n"

    /* waves, pick lists, pick tasks */
    "CREATE TABLE wave(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','picking','done','cancelled')),\n"
    "  created_by TEXT,\n"
    "  created_at TEXT NOT NULL);\n"
    "CREATE TABLE pick_list(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  wave_id INTEGER NOT NULL REFERENCES wave(id),\n"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','leased','done','cancelled')),\n"
    "  device TEXT,\n"
    "  operator TEXT,\n"
    "  lease_until TEXT,\n"
    "  created_at TEXT NOT NULL,\n"
    "  done_at TEXT);\n"
    "CREATE INDEX pick_list_status ON pick_list(status);\n"
    "CREATE TABLE pick_task(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  pick_list_id INTEGER NOT NULL REFERENCES pick_list(id),\n"
    "  seq INTEGER NOT NULL,\n"
    "  allocation_id INTEGER NOT NULL REFERENCES allocation(id),\n"
    "  order_line_id INTEGER NOT NULL REFERENCES order_line(id),\n"
    "  stock_id INTEGER NOT NULL REFERENCES stock(id),\n"
    "  qty INTEGER NOT NULL CHECK (qty > 0),\n"
    "  done INTEGER NOT NULL DEFAULT 0,\n"
    "  short INTEGER NOT NULL DEFAULT 0,\n"
    "  tote TEXT,\n"
    "  bin_confirmed INTEGER NOT NULL DEFAULT 0,\n"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','short','cancelled')),\n"
    "  CHECK (done + short <= qty));\n"
    "CREATE INDEX pick_task_list ON pick_task(pick_list_id, seq);\n"
    "CREATE TABLE count_task(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  location_id INTEGER NOT NULL REFERENCES location(id),\n"
    "  product_id INTEGER REFERENCES product(id),\n"
    "  reason TEXT,\n"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done','cancelled')),\n"
    "  created_at TEXT NOT NULL,\n"
    "  done_at TEXT);\n"

    /* people and devices */
    "CREATE TABLE operator(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  badge TEXT NOT NULL UNIQUE,\n"
    "  role TEXT NOT NULL CHECK (role IN ('picker','packer','supervisor','admin')),\n"
    "  active INTEGER NOT NULL DEFAULT 1,\n"
    "  created_at TEXT NOT NULL);\n"
    "CREATE TABLE device(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  role TEXT NOT NULL CHECK (role IN ('picker','packer','bench','console')),\n"
    "  public_key TEXT UNIQUE,\n"
    "  label_printer TEXT,\n"
    "  slip_printer TEXT,\n"
    "  operator TEXT,\n"
    "  last_seq INTEGER NOT NULL DEFAULT 0,\n"
    "  last_seen TEXT,\n"
    "  revoked_at TEXT,\n"
    "  created_at TEXT NOT NULL);\n"

    /* exactly-once: the stored reply to every sequenced request */
    "CREATE TABLE request(\n"
    "  device TEXT NOT NULL,\n"
    "  seq INTEGER NOT NULL,\n"
    "  type INTEGER NOT NULL,\n"
    "  reply BLOB NOT NULL,\n"
    "  at TEXT NOT NULL,\n"
    "  PRIMARY KEY (device, seq));\n"

    /* every scan, accepted or refused */
    "CREATE TABLE scan(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  device TEXT NOT NULL,\n"
    "  device_seq INTEGER NOT NULL,\n"
    "  operator TEXT,\n"
    "  context TEXT NOT NULL,\n"
    "  raw BLOB NOT NULL,\n"
    "  symbology TEXT,\n"
    "  kind TEXT,\n"
    "  gtin TEXT,\n"
    "  lot TEXT,\n"
    "  expiry TEXT,\n"
    "  serial TEXT,\n"
    "  qty INTEGER NOT NULL DEFAULT 0,\n"
    "  order_id INTEGER,\n"
    "  pick_task_id INTEGER,\n"
    "  package_id INTEGER,\n"
    "  result TEXT NOT NULL CHECK (result IN ('accepted','refused')),\n"
    "  reason TEXT,\n"
    "  at TEXT NOT NULL,\n"
    "  UNIQUE (device, device_seq));\n"
    "CREATE INDEX scan_at ON scan(at);\n"
    "CREATE INDEX scan_order ON scan(order_id);\n"

    /* packing, shipping, printing */
    "CREATE TABLE package(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  order_id INTEGER NOT NULL REFERENCES orders(id),\n"
    "  package_no INTEGER NOT NULL,\n"
    "  carton TEXT,\n"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN "
    "('open','closed','shipped','delivered','cancelled')),\n"
    "  expected_weight_g INTEGER,\n"
    "  weight_g INTEGER,\n"
    "  weight_override_by TEXT,\n"
    "  tracking TEXT UNIQUE,\n"
    "  sscc TEXT UNIQUE,\n"
    "  service TEXT,\n"
    "  label_zpl TEXT,\n"
    "  packer TEXT,\n"
    "  device TEXT,\n"
    "  created_at TEXT NOT NULL,\n"
    "  closed_at TEXT,\n"
    "  shipped_at TEXT,\n"
    "  delivered_at TEXT);\n"
    "CREATE INDEX package_order ON package(order_id);\n"
    "CREATE TABLE package_item(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  package_id INTEGER NOT NULL REFERENCES package(id),\n"
    "  order_line_id INTEGER NOT NULL REFERENCES order_line(id),\n"
    "  qty INTEGER NOT NULL CHECK (qty > 0),\n"
    "  UNIQUE (package_id, order_line_id));\n"
    "CREATE TABLE printer(\n"
    "  name TEXT PRIMARY KEY,\n"
    "  uri TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('zpl','pdf')),\n"
    "  created_at TEXT NOT NULL);\n"
    "CREATE TABLE print_job(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  printer TEXT NOT NULL,\n"
    "  package_id INTEGER REFERENCES package(id),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('label','slip','badge','other')),\n"
    "  format TEXT NOT NULL CHECK (format IN ('zpl','pdf')),\n"
    "  document BLOB NOT NULL,\n"
    "  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','pending','held','processing',"
    "'stopped','completed','canceled','aborted','failed')),\n"
    "  cups_job_id INTEGER,\n"
    "  attempts INTEGER NOT NULL DEFAULT 0,\n"
    "  next_attempt_at TEXT,\n"
    "  error TEXT,\n"
    "  requested_by TEXT,\n"
    "  created_at TEXT NOT NULL,\n"
    "  updated_at TEXT NOT NULL);\n"
    "CREATE INDEX print_job_state ON print_job(state);\n"

    /* returns */
    "CREATE TABLE rma(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  order_id INTEGER NOT NULL REFERENCES orders(id),\n"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),\n"
    "  opened_by TEXT,\n"
    "  device TEXT,\n"
    "  created_at TEXT NOT NULL,\n"
    "  closed_at TEXT);\n"
    "CREATE TABLE rma_line(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  rma_id INTEGER NOT NULL REFERENCES rma(id),\n"
    "  order_line_id INTEGER NOT NULL REFERENCES order_line(id),\n"
    "  qty INTEGER NOT NULL CHECK (qty > 0),\n"
    "  disposition TEXT NOT NULL CHECK (disposition IN ('restock','quarantine')),\n"
    "  location_id INTEGER REFERENCES location(id),\n"
    "  reason TEXT,\n"
    "  at TEXT NOT NULL);\n"
    "CREATE TABLE refund(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  rma_id INTEGER NOT NULL REFERENCES rma(id),\n"
    "  order_id INTEGER NOT NULL REFERENCES orders(id),\n"
    "  amount_cents INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL DEFAULT 'pending',\n"
    "  created_at TEXT NOT NULL);\n"

    /* alerts for the console, and the append-only audit log */
    "CREATE TABLE alert(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"
    "  subject TEXT,\n"
    "  message TEXT NOT NULL,\n"
    "  created_at TEXT NOT NULL,\n"
    "  acked_at TEXT,\n"
    "  acked_by TEXT);\n"
    "CREATE TABLE event(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  at TEXT NOT NULL,\n"
    "  actor TEXT,\n"
    "  device TEXT,\n"
    "  kind TEXT NOT NULL,\n"
    "  subject_type TEXT,\n"
    "  subject TEXT,\n"
    "  detail TEXT);\n"
    "CREATE INDEX event_subject ON event(subject_type, subject);\n"
    "CREATE INDEX event_at ON event(at);\n"
    "CREATE TRIGGER event_no_update BEFORE UPDATE ON event BEGIN "
    "SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"
    "CREATE TRIGGER event_no_delete BEFORE DELETE ON event BEGIN "
    "SELECT RAISE(ABORT, 'the audit log is append-only'); END;\n"

    /* imports: what was read, to say 'already imported' */
    "CREATE TABLE import_log(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  kind TEXT NOT NULL,\n"
    "  path TEXT,\n"
    "  sha256 TEXT NOT NULL,\n"
    "  summary TEXT,\n"
    "  at TEXT NOT NULL);\n";

/* 2: indexes for the station's hot paths and listings: a device's leased
   pick list, open package and open RMA; an order line's pick tasks (short
   picks, reallocation, cancels); a tote's order; the lists of a wave */
static const char *const migration_2 = "CREATE INDEX pick_list_device ON pick_list(device, status);\n"
                                       "CREATE INDEX pick_task_line ON pick_task(order_line_id);\n"
                                       "CREATE INDEX package_device ON package(device, status);\n"
                                       "CREATE INDEX rma_device ON rma(device, status);\n"
                                       "CREATE INDEX orders_tote ON orders(tote);\n"
                                       "CREATE INDEX pick_list_wave ON pick_list(wave_id);\n";

/* 3: the status CHECKs of the tables a wave and an import write per row as
   OR chains instead of IN lists (same rule): SQLite builds an ephemeral
   table for an IN list of more than two values on every statement, which
   made each row of a 100,000-line wave or import several times dearer. A
   CHECK can only be changed by editing the stored CREATE TABLE text (the
   documented procedure for changing constraints); RESET reloads the schema. */
static const char *const migration_3 =
    "PRAGMA writable_schema = ON;\n"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status IN (''received'',''on_hold'',''released'','"
    "'allocated'',''picking'',''picked'',''packing'',''packed'',''shipped'',''delivered'',''cancelled''))', "
    "'CHECK (status = ''received'' OR status = ''on_hold'' OR status = ''released'' OR status = "
    "''allocated'' OR status = ''picking'' OR status = ''picked'' OR status = ''packing'' OR status = "
    "''packed'' OR status = ''shipped'' OR status = ''delivered'' OR status = ''cancelled'')') "
    "WHERE type = 'table' AND name = 'orders';\n"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status IN "
    "(''open'',''done'',''short'',''cancelled''))', "
    "'CHECK (status = ''open'' OR status = ''done'' OR status = ''short'' OR status = ''cancelled'')') "
    "WHERE type = 'table' AND name IN ('allocation', 'pick_task');\n"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status IN "
    "(''open'',''leased'',''done'',''cancelled''))', "
    "'CHECK (status = ''open'' OR status = ''leased'' OR status = ''done'' OR status = ''cancelled'')') "
    "WHERE type = 'table' AND name = 'pick_list';\n"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status IN "
    "(''open'',''picking'',''done'',''cancelled''))', "
    "'CHECK (status = ''open'' OR status = ''picking'' OR status = ''done'' OR status = ''cancelled'')') "
    "WHERE type = 'table' AND name = 'wave';\n"
    "PRAGMA writable_schema = RESET;\n";

/* 4: the same for the CHECKs a pick and a pack write per scan: stock_move.kind
   (every picked unit is a movement) and package.status. */
static const char *const migration_4 =
    "PRAGMA writable_schema = ON;\n"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (kind IN "
    "(''receipt'',''pick'',''adjustment'',''return'',''transfer'',''shortage'',''count''))', "
    "'CHECK (kind = ''receipt'' OR kind = ''pick'' OR kind = ''adjustment'' OR kind = ''return'' OR "
    "kind = ''transfer'' OR kind = ''shortage'' OR kind = ''count'')') "
    "WHERE type = 'table' AND name = 'stock_move';\n"
    "UPDATE sqlite_schema SET sql = replace(sql, 'CHECK (status IN "
    "(''open'',''closed'',''shipped'',''delivered'',''cancelled''))', "
    "'CHECK (status = ''open'' OR status = ''closed'' OR status = ''shipped'' OR status = ''delivered'' OR "
    "status = ''cancelled'')') "
    "WHERE type = 'table' AND name = 'package';\n"
    "PRAGMA writable_schema = RESET;\n";

/* 5: a list's tasks indexed by status before seq. A handheld's current task
   is the first open one of its list in seq order; with (pick_list_id, seq)
   every scan walked over the list's done tasks first (a row read and three
   joins each), with (pick_list_id, status, seq) it lands on it. A task's
   index entry moves once, when it closes. */
static const char *const migration_5 =
    "DROP INDEX pick_task_list;\n"
    "CREATE INDEX pick_task_list ON pick_task(pick_list_id, status, seq);\n";

/* 6: a scan's stored reply in its own row. Every scan request (every item
   a picker scans) wrote a request row as well, whose (device, seq) key only
   repeated the scan's own UNIQUE (device, device_seq): one more B-tree
   insert per scan, and under load one more 4 KiB page per scan to the WAL,
   since each handheld's entries sit on their own leaf page. Replies to
   other requests stay in the request table. */
static const char *const migration_6 = "ALTER TABLE scan ADD COLUMN reply_type INTEGER;\n"
                                       "ALTER TABLE scan ADD COLUMN reply BLOB;\n";

/* 7: the customer's name and phone as each order gives them. A customer is
   one row per e-mail address whose name and phone the latest imported
   order replaces, so an older order placed under another name showed the
   new one. Orders from before this migration get the customer's name and
   phone as they are now: the best there is, and what they showed until now. */
static const char *const migration_7 =
    "ALTER TABLE orders ADD COLUMN customer_name TEXT;\n"
    "ALTER TABLE orders ADD COLUMN customer_phone TEXT;\n"
    "UPDATE orders SET customer_name = (SELECT c.name FROM customer c WHERE c.id = orders.customer_id), "
    "customer_phone = (SELECT c.phone FROM customer c WHERE c.id = orders.customer_id) "
    "WHERE customer_id IS NOT NULL;\n";

/* 8: the two lookups a bench's return and a picker's short pick make in the
 * station's loop that walked a whole table: an order's open RMA
 * (tote_rma_open) and a bin's open recount of a product
 * (tote_count_task_create). Both tables only grow; rows are added rarely,
 * so the indexes cost nothing on the hot paths. */
static const char *const migration_8 =
    "CREATE INDEX rma_order ON rma(order_id);\n"
    "CREATE INDEX count_task_bin ON count_task(location_id, product_id);\n";

const char *const tote_schema_migrations[] = {
    migration_1, migration_2, migration_3, migration_4, migration_5, migration_6, migration_7, migration_8,
};

const int tote_schema_migration_count =
    (int)(sizeof(tote_schema_migrations) / sizeof(tote_schema_migrations[0]));
