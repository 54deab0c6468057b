/* The exactly-once request table and per-request savepoints (tote/server.h),
 * and the scan log (tote/flows.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tote/devices.h"
#include "tote/flows.h"
#include "tote/server.h"

tote_st_err tote_request_lookup(tote_store *s, const char *device, uint32_t seq, int *type, uint8_t **reply,
                                size_t *len)
{
    *reply = NULL;
    *len = 0;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT type, reply FROM request WHERE device = ?1 AND seq = ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    *type = sqlite3_column_int(st, 0);
    int n = sqlite3_column_bytes(st, 1);
    const void *p = sqlite3_column_blob(st, 1);
    uint8_t *copy = malloc(n > 0 ? (size_t)n : 1);
    if (!copy) {
        sqlite3_reset(st);
        return TOTE_ST_E_NOMEM;
    }
    if (n > 0)
        memcpy(copy, p, (size_t)n);
    sqlite3_reset(st);
    *reply = copy;
    *len = (size_t)n;
    return TOTE_ST_E_OK;
}

tote_st_err tote_request_store(tote_store *s, const char *device, uint32_t seq, int type,
                               const uint8_t *reply, size_t len, const char *now)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO request(device, seq, type, reply, at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_int(st, 3, type);
    sqlite3_bind_blob(st, 4, reply, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    return tote_device_set_last_seq(s, device, (long long)seq);
}

static tote_st_err exec_cached(tote_store *s, const char *sql)
{
    sqlite3_stmt *st = tote_store_stmt(s, sql);
    if (!st)
        return TOTE_ST_E_DB;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_request_savepoint(tote_store *s)
{
    return exec_cached(s, "SAVEPOINT tote_request");
}

tote_st_err tote_request_release(tote_store *s)
{
    return exec_cached(s, "RELEASE tote_request");
}

void tote_request_rollback(tote_store *s)
{
    exec_cached(s, "ROLLBACK TO tote_request");
    exec_cached(s, "RELEASE tote_request");
}

int tote_reply_blob_next(const uint8_t *blob, size_t len, size_t *off, const uint8_t **frame,
                         size_t *frame_len)
{
    if (*off + 2 > len)
        return 0;
    size_t n = (size_t)blob[*off] << 8 | blob[*off + 1];
    if (n == 0 || *off + 2 + n > len)
        return 0;
    *frame = blob + *off + 2;
    *frame_len = n;
    *off += 2 + n;
    return 1;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, long long v)
{
    if (v > 0)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

tote_st_err tote_scan_record(tote_store *s, const tote_scan_row *r)
{
    sqlite3_stmt *st = tote_store_stmt(
        s, "INSERT INTO scan(device, device_seq, operator, context, raw, symbology, kind, gtin, lot, expiry, "
           "serial, qty, order_id, pick_task_id, package_id, result, reason, at) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)r->seq);
    bind_opt(st, 3, r->operator_name);
    sqlite3_bind_text(st, 4, r->context, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 5, r->raw ? (const void *)r->raw : (const void *)"", (int)r->raw_len,
                      SQLITE_TRANSIENT);
    bind_opt(st, 6, r->symbology);
    bind_opt(st, 7, r->kind);
    bind_opt(st, 8, r->gtin);
    bind_opt(st, 9, r->lot);
    bind_opt(st, 10, r->expiry);
    bind_opt(st, 11, r->serial);
    sqlite3_bind_int(st, 12, r->qty);
    bind_id(st, 13, r->order_id);
    bind_id(st, 14, r->pick_task_id);
    bind_id(st, 15, r->package_id);
    sqlite3_bind_text(st, 16, r->accepted ? "accepted" : "refused", -1, SQLITE_STATIC);
    bind_opt(st, 17, r->reason);
    sqlite3_bind_text(st, 18, r->at, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}
