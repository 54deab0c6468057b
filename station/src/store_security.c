/* Security SQL: device public keys and revocation (tote/security.h). */
#include <stdio.h>
#include <string.h>

#include "store_tx.h"
#include "tote/security.h"

tote_st_err tote_security_set_device_key(tote_store *s, const char *name, const char *public_z85)
{
    sqlite3_stmt *q = tote_store_stmt(s, "SELECT 1 FROM device WHERE public_key = ?1 AND name <> ?2");
    if (!q)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(q, 1, public_z85, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_EXISTS;
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE device SET public_key = ?2 WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, public_z85, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    if (sqlite3_changes(tote_store_db(s)) == 0)
        return TOTE_ST_E_NOT_FOUND;
    char fp[TOTE_FINGERPRINT_LEN + 1], detail[64];
    tote_key_fingerprint(public_z85, fp, sizeof fp);
    snprintf(detail, sizeof detail, "{\"key\":\"%s\"}", fp);
    return tote_store_event(s, "cli", NULL, "device_key", "device", name, detail);
}

tote_st_err tote_security_device_by_key(tote_store *s, const char *public_z85, char *name, size_t name_cap,
                                        char *role, size_t role_cap, int *revoked)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT name, role, revoked_at IS NOT NULL FROM device "
                                          "WHERE public_key = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, public_z85, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    store_col_text(st, 0, name, name_cap);
    store_col_text(st, 1, role, role_cap);
    if (revoked)
        *revoked = sqlite3_column_int(st, 2);
    sqlite3_reset(st);
    return TOTE_ST_E_OK;
}

tote_st_err tote_security_device_state(tote_store *s, const char *name, char *role, size_t role_cap,
                                       int *revoked)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT role, revoked_at IS NOT NULL FROM device WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    store_col_text(st, 0, role, role_cap);
    if (revoked)
        *revoked = sqlite3_column_int(st, 1);
    sqlite3_reset(st);
    return TOTE_ST_E_OK;
}

tote_st_err tote_security_device_key(tote_store *s, const char *name, char *out, size_t cap)
{
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT public_key FROM device WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    store_col_text(st, 0, out, cap);
    sqlite3_reset(st);
    return TOTE_ST_E_OK;
}

tote_st_err tote_security_set_device_role(tote_store *s, const char *name, const char *role)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE device SET role = ?2 WHERE name = ?1 AND role <> ?2");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    if (sqlite3_changes(tote_store_db(s)) == 0)
        return TOTE_ST_E_OK;
    char detail[64];
    snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", role);
    return tote_store_event(s, "cli", NULL, "device_role", "device", name, detail);
}
