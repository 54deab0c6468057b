/*
 * What the `tote import` CLI tests share (test_cli_import.c: orders;
 * test_cli_import_bad.c: bad and awkward order input, usage errors;
 * test_cli_import_catalog.c: products, stock, locations): a temp database
 * per test, the real binary run on it, and readers of its JSON output.
 */
#ifndef TOTE_CLI_IMPORT_FIXTURE_H
#define TOTE_CLI_IMPORT_FIXTURE_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "test.h"
#include "tote/store.h"

#define FXI_FN static __attribute__((unused))

static char *dir;
static char db[600];

FXI_FN void cleanup(void)
{
    tt_rmrf(dir);
    free(dir);
}
/* A fresh database named name in the test directory. */
FXI_FN int fresh(const char *name)
{
    if (!dir) {
        dir = tt_tmpdir("cli-import");
        if (!dir)
            return -1;
        atexit(cleanup);
    }
    snprintf(db, sizeof db, "%s/%s.db", dir, name);
    const char *argv[] = {tt_bin("tote"), "--db", db, "init", NULL};
    char *out = NULL, *err = NULL;
    int rc = tt_run(argv, NULL, NULL, 10000, &out, &err);
    free(out);
    free(err);
    return rc;
}
/* Runs tote --db DB args...; returns the exit status; out/err malloc'd (may be NULL). */
FXI_FN int tote(char **out, char **err, const char *a1, const char *a2, const char *a3, const char *a4,
                const char *a5)
{
    char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[10] = {bin, "--db", db};
    int n = 3;
    const char *as[] = {a1, a2, a3, a4, a5};
    for (int i = 0; i < 5 && as[i]; i++)
        argv[n++] = as[i];
    argv[n] = NULL;
    char *o = NULL, *e = NULL;
    int rc = tt_run(argv, NULL, NULL, 60000, &o, &e);
    if (out)
        *out = o;
    else
        free(o);
    if (err)
        *err = e;
    else
        free(e);
    return rc;
}
FXI_FN const char *data(const char *name)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/import/%s", name);
    snprintf(buf[k], sizeof buf[k], "%s", tt_src(rel));
    return buf[k];
}
/* Writes text to name in the test's directory; returns its path (one of
 * eight buffers, as data() does). */
FXI_FN const char *put(const char *name, const char *text)
{
    static char buf[8][700];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    if (tt_write_file(buf[k], text, strlen(text)) != 0)
        tt_fail_msg(__FILE__, __LINE__, "cannot write %s", buf[k]);
    return buf[k];
}
FXI_FN int import(const char *kind, const char *file, char **out, char **err)
{
    return tote(out, err, "import", kind, data(file), NULL, NULL);
}
/* `tote order show NAME --json`, parsed; NULL if it fails. */
FXI_FN cJSON *order(const char *name)
{
    char *out = NULL;
    int rc = tote(&out, NULL, "order", "show", name, "--json", NULL);
    cJSON *j = rc == 0 ? cJSON_Parse(out) : NULL;
    free(out);
    return j;
}
FXI_FN const char *str(const cJSON *o, const char *path)
{
    /* "a.b" */
    char key[64];
    const char *dot = strchr(path, '.');
    if (dot) {
        snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
        return str(cJSON_GetObjectItemCaseSensitive(o, key), dot + 1);
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}
FXI_FN long long num(const cJSON *o, const char *path)
{
    char key[64];
    const char *dot = strchr(path, '.');
    if (dot) {
        snprintf(key, sizeof key, "%.*s", (int)(dot - path), path);
        return num(cJSON_GetObjectItemCaseSensitive(o, key), dot + 1);
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, path);
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -999;
}
FXI_FN const cJSON *line(const cJSON *ord, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ord, "lines"), i);
}
/* The morning: bins, products, stock, then the order export. */
FXI_FN int morning(void)
{
    int bad = 0;
    bad |= import("locations", "locations.csv", NULL, NULL);
    bad |= import("shopify-products", "products.csv", NULL, NULL);
    bad |= import("stock", "stock.csv", NULL, NULL);
    return bad;
}
/* One number from the database (the test's own connection). */
FXI_FN long long db_count(const char *sql)
{
    tote_store *s = NULL;
    if (tote_store_open(db, 0, &s, NULL) != TOTE_ST_E_OK)
        return -1;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    tote_store_destroy(&s);
    return n;
}
/* One text from the database (the test's own connection); the caller frees
 * it. NULL if the query fails or gives no row. */
FXI_FN char *db_text(const char *sql)
{
    tote_store *s = NULL;
    if (tote_store_open(db, 0, &s, NULL) != TOTE_ST_E_OK)
        return NULL;
    sqlite3_stmt *st = NULL;
    char *t = NULL;
    if (sqlite3_prepare_v2(tote_store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        t = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    tote_store_destroy(&s);
    return t;
}

#endif
