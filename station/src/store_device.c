/* Devices and operators: the SQL behind tote/devices.h. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store_tx.h"
#include "tote/devices.h"

int tote_device_role_valid(const char *role)
{
    return role && (strcmp(role, "picker") == 0 || strcmp(role, "packer") == 0 ||
                    strcmp(role, "bench") == 0 || strcmp(role, "console") == 0);
}

int tote_operator_role_valid(const char *role)
{
    return role && (strcmp(role, "picker") == 0 || strcmp(role, "packer") == 0 ||
                    strcmp(role, "supervisor") == 0 || strcmp(role, "admin") == 0);
}

/* A device's last_seq (the highest seq answered from the store), for a
 * device row d: device.last_seq is raised by every reply kept in the request
 * table; a scan's reply stays in its scan row, whose device_seq says it (the
 * station does not write device.last_seq for a scan: one write less on a
 * picker's every scan). Scan rows are never deleted, device rows neither. */
#define DEVICE_LAST_SEQ \
    "MAX(d.last_seq, COALESCE((SELECT MAX(x.device_seq) FROM scan x WHERE x.device = d.name), 0))"

tote_st_err tote_device_get(tote_store *s, const char *name, tote_device_info *out)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT d.id, d.name, d.role, COALESCE(d.operator, ''), "
                           "COALESCE(o.role, ''), " DEVICE_LAST_SEQ ", COALESCE(d.last_seen, ''), "
                           "d.revoked_at IS NOT NULL "
                           "FROM device d LEFT JOIN operator o ON o.name = d.operator "
                           "WHERE d.name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    store_col_text(st, 1, out->name, sizeof out->name);
    store_col_text(st, 2, out->role, sizeof out->role);
    store_col_text(st, 3, out->operator_name, sizeof out->operator_name);
    store_col_text(st, 4, out->operator_role, sizeof out->operator_role);
    out->last_seq = sqlite3_column_int64(st, 5);
    store_col_text(st, 6, out->last_seen, sizeof out->last_seen);
    out->revoked = sqlite3_column_int(st, 7);
    sqlite3_reset(st);
    return TOTE_ST_E_OK;
}

tote_st_err tote_device_add(tote_store *s, const char *name, const char *role, const char *label_printer,
                            const char *slip_printer, const char *actor)
{
    if (!name || !*name || strlen(name) > 32 || !tote_device_role_valid(role))
        return TOTE_ST_E_INVALID;
    tote_device_info d;
    tote_st_err e = tote_device_get(s, name, &d);
    if (e == TOTE_ST_E_OK)
        return TOTE_ST_E_EXISTS;
    if (e != TOTE_ST_E_NOT_FOUND)
        return e;
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO device(name, role, label_printer, slip_printer, created_at) "
                           "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
    store_bind_text_ne(st, 3, label_printer);
    store_bind_text_ne(st, 4, slip_printer);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    char detail[128];
    snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", role);
    return tote_store_event(s, actor, NULL, "device_add", "device", name, detail);
}

tote_st_err tote_device_revoke(tote_store *s, const char *name, const char *actor)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE device SET revoked_at = ?2, operator = NULL "
                                          "WHERE name = ?1 AND revoked_at IS NULL");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    if (sqlite3_changes(tote_store_db(s)) == 0)
        return TOTE_ST_E_NOT_FOUND;
    return tote_store_event(s, actor, NULL, "device_revoke", "device", name, NULL);
}

tote_st_err tote_device_hello(tote_store *s, const char *name, const char *role, const char *now,
                              int *created)
{
    sqlite3_stmt *st = tote_store_stmt(s, "INSERT INTO device(name, role, last_seen, created_at) "
                                          "VALUES (?1, ?2, ?3, ?3) ON CONFLICT(name) DO UPDATE SET "
                                          "role = excluded.role, last_seen = excluded.last_seen "
                                          "RETURNING created_at = last_seen");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    int was_created = 0;
    if (rc == SQLITE_ROW) {
        was_created = sqlite3_column_int(st, 0);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    if (created)
        *created = was_created;
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_device_touch(tote_store *s, const char *name, const char *now)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE device SET last_seen = ?2 WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
    return store_exec(st);
}

tote_st_err tote_device_set_operator(tote_store *s, const char *name, const char *operator_name)
{
    sqlite3_stmt *st = tote_store_stmt(s, "UPDATE device SET operator = ?2 WHERE name = ?1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    store_bind_text_ne(st, 2, operator_name);
    return store_exec(st);
}

static void add_text_or_null(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
    const unsigned char *v = sqlite3_column_text(st, col);
    if (v)
        cJSON_AddStringToObject(o, key, (const char *)v);
    else
        cJSON_AddNullToObject(o, key);
}

tote_st_err tote_device_list_json(tote_store *s, cJSON **out)
{
    *out = NULL;
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT d.name, d.role, d.operator, " DEVICE_LAST_SEQ ", d.last_seen, "
                           "d.label_printer, d.slip_printer, d.revoked_at IS NOT NULL, "
                           "d.created_at FROM device d ORDER BY d.name");
    if (!st)
        return TOTE_ST_E_DB;
    cJSON *arr = cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        add_text_or_null(o, "name", st, 0);
        add_text_or_null(o, "role", st, 1);
        add_text_or_null(o, "operator", st, 2);
        cJSON_AddNumberToObject(o, "last_seq", (double)sqlite3_column_int64(st, 3));
        add_text_or_null(o, "last_seen", st, 4);
        add_text_or_null(o, "label_printer", st, 5);
        add_text_or_null(o, "slip_printer", st, 6);
        cJSON_AddBoolToObject(o, "revoked", sqlite3_column_int(st, 7));
        add_text_or_null(o, "created_at", st, 8);
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return tote_store_map_rc(rc);
    }
    *out = arr;
    return TOTE_ST_E_OK;
}

static int badge_valid(const char *b)
{
    size_t n = strlen(b);
    if (n == 0 || n > 64)
        return 0;
    for (const char *p = b; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_'))
            return 0;
    }
    return 1;
}

/* A random badge code: 10 characters from A-Z0-9, read from /dev/urandom. */
static int random_badge(char out[65])
{
    static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char raw[10];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t got = read(fd, raw, sizeof raw);
    close(fd);
    if (got != (ssize_t)sizeof raw)
        return -1;
    for (size_t i = 0; i < sizeof raw; i++)
        out[i] = alphabet[raw[i] % (sizeof alphabet - 1)];
    out[sizeof raw] = '\0';
    return 0;
}

tote_st_err tote_operator_add(tote_store *s, const char *name, const char *role, const char *badge,
                              const char *actor, char badge_out[65])
{
    if (!name || !*name || strlen(name) > TOTE_NAME_MAX || !tote_operator_role_valid(role))
        return TOTE_ST_E_INVALID;
    char code[65];
    if (badge && *badge) {
        if (!badge_valid(badge))
            return TOTE_ST_E_INVALID;
        snprintf(code, sizeof code, "%s", badge);
    } else if (random_badge(code) != 0) {
        return TOTE_ST_E_IO;
    }
    sqlite3_stmt *q = tote_store_stmt(s, "SELECT 1 FROM operator WHERE name = ?1 OR badge = ?2");
    if (!q)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, code, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc == SQLITE_ROW)
        return TOTE_ST_E_EXISTS;
    if (rc != SQLITE_DONE)
        return tote_store_map_rc(rc);
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO operator(name, badge, role, created_at) VALUES (?1, ?2, ?3, ?4)");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, role, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
    tote_st_err e = store_exec(st);
    if (e != TOTE_ST_E_OK)
        return e;
    if (badge_out)
        snprintf(badge_out, 65, "%s", code);
    char detail[64];
    snprintf(detail, sizeof detail, "{\"role\":\"%s\"}", role);
    return tote_store_event(s, actor, NULL, "operator_add", "operator", name, detail);
}

/* One operator row by the key st was bound with (name or badge). */
static tote_st_err operator_row(sqlite3_stmt *st, const char *key, tote_operator_info *out)
{
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? TOTE_ST_E_NOT_FOUND : tote_store_map_rc(rc);
    }
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    store_col_text(st, 1, out->name, sizeof out->name);
    store_col_text(st, 2, out->badge, sizeof out->badge);
    store_col_text(st, 3, out->role, sizeof out->role);
    out->active = sqlite3_column_int(st, 4);
    sqlite3_reset(st);
    return TOTE_ST_E_OK;
}

tote_st_err tote_operator_get(tote_store *s, const char *name, tote_operator_info *out)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id, name, badge, role, active FROM operator WHERE name = ?1");
    return st ? operator_row(st, name, out) : TOTE_ST_E_DB;
}

tote_st_err tote_operator_by_badge(tote_store *s, const char *badge, tote_operator_info *out)
{
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id, name, badge, role, active FROM operator WHERE badge = ?1");
    return st ? operator_row(st, badge, out) : TOTE_ST_E_DB;
}

tote_st_err tote_operator_list_json(tote_store *s, cJSON **out)
{
    *out = NULL;
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT name, role, badge, active, created_at FROM operator ORDER BY name");
    if (!st)
        return TOTE_ST_E_DB;
    cJSON *arr = cJSON_CreateArray();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        add_text_or_null(o, "name", st, 0);
        add_text_or_null(o, "role", st, 1);
        add_text_or_null(o, "badge", st, 2);
        cJSON_AddBoolToObject(o, "active", sqlite3_column_int(st, 3));
        add_text_or_null(o, "created_at", st, 4);
        cJSON_AddItemToArray(arr, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(arr);
        return tote_store_map_rc(rc);
    }
    *out = arr;
    return TOTE_ST_E_OK;
}
