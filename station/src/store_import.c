/* import_log: which files were imported (kind, SHA-256), to say "already imported". */
#include <stdio.h>

#include "tote/import.h"
#include "tote/store.h"

tote_st_err tote_import_log_find(tote_store *s, const char *kind, const char *sha256, int *found, char at[32])
{
    *found = 0;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT at FROM import_log WHERE kind = ?1 AND sha256 = ?2 "
                                          "ORDER BY id DESC LIMIT 1");
    if (!st)
        return TOTE_ST_E_DB;
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, sha256, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *found = 1;
        if (at) {
            const unsigned char *t = sqlite3_column_text(st, 0);
            snprintf(at, 32, "%s", t ? (const char *)t : "");
        }
        rc = SQLITE_DONE;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_import_log_add(tote_store *s, const char *kind, const char *path, const char *sha256,
                                const char *summary_json)
{
    sqlite3_stmt *st = tote_store_stmt(s, "INSERT INTO import_log(kind, path, sha256, summary, at) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st)
        return TOTE_ST_E_DB;
    char now[32];
    tote_store_now(now);
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
    if (path)
        sqlite3_bind_text(st, 2, path, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, sha256, -1, SQLITE_TRANSIENT);
    if (summary_json)
        sqlite3_bind_text(st, 4, summary_json, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}

tote_st_err tote_import_tune(tote_store *s, int on)
{
    /* Every record is written in a savepoint; with temp_store=FILE each page a
     * savepoint touches is first copied to a temporary file (a pwrite per page
     * per record), as are the temporary b-trees of RETURNING clauses. */
    sqlite3_stmt *st = tote_store_stmt(s, on ? "PRAGMA temp_store = MEMORY" : "PRAGMA temp_store = DEFAULT");
    if (!st)
        return TOTE_ST_E_DB;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? TOTE_ST_E_OK : tote_store_map_rc(rc);
}
