/* Customers: found by e-mail, their order history. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "store_tx.h"
#include "tote/customer.h"

/* Lower-cased, trimmed copy of an e-mail address; NULL if empty or without '@'. */
static char *norm_email(const char *email)
{
    if (!email)
        return NULL;
    while (isspace((unsigned char)*email))
        email++;
    size_t n = strlen(email);
    while (n > 0 && isspace((unsigned char)email[n - 1]))
        n--;
    if (n == 0 || n > 254)
        return NULL;
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++)
        p[i] = (char)tolower((unsigned char)email[i]);
    p[n] = '\0';
    char *at = strchr(p, '@');
    if (!at || at == p || at[1] == '\0' || strchr(at + 1, '@')) {
        free(p);
        return NULL;
    }
    return p;
}

tote_st_err tote_customer_ensure(tote_store *s, const char *email, const char *name, const char *phone,
                                 long long *customer_id)
{
    store_detail_clear();
    char *em = norm_email(email);
    if (!em)
        return store_fail(TOTE_ST_E_INVALID, "'%s' is not an e-mail address", email ? email : "");
    store_tx tx;
    tote_st_err e = store_tx_begin(s, &tx);
    if (e != TOTE_ST_E_OK) {
        free(em);
        return e;
    }
    char now[32];
    tote_store_now(now);
    sqlite3_stmt *st =
        tote_store_stmt(s, "INSERT INTO customer(email, name, phone, created_at) VALUES (?1, ?2, ?3, ?4) "
                           "ON CONFLICT(email) DO UPDATE SET name = COALESCE(excluded.name, name), "
                           "phone = COALESCE(excluded.phone, phone) RETURNING id");
    if (!st) {
        e = store_db_fail(s, SQLITE_ERROR);
    } else {
        sqlite3_bind_text(st, 1, em, -1, SQLITE_TRANSIENT);
        store_bind_text_ne(st, 2, name);
        store_bind_text_ne(st, 3, phone);
        sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            if (customer_id)
                *customer_id = sqlite3_column_int64(st, 0);
            rc = sqlite3_step(st);
        }
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            e = store_db_fail(s, rc);
    }
    free(em);
    return store_tx_end(s, &tx, e);
}

static void add_text(cJSON *o, const char *key, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (t)
        cJSON_AddStringToObject(o, key, (const char *)t);
    else
        cJSON_AddNullToObject(o, key);
}

static void add_int(cJSON *o, const char *key, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        cJSON_AddNullToObject(o, key);
    else
        cJSON_AddNumberToObject(o, key, (double)sqlite3_column_int64(st, i));
}

tote_st_err tote_customer_show_json(tote_store *s, const char *email, cJSON **out)
{
    store_detail_clear();
    *out = NULL;
    char *em = norm_email(email);
    if (!em)
        return store_fail(TOTE_ST_E_INVALID, "'%s' is not an e-mail address", email ? email : "");
    sqlite3_stmt *st =
        tote_store_stmt(s, "SELECT id, email, name, phone, created_at FROM customer WHERE email = ?1");
    if (!st) {
        free(em);
        return store_db_fail(s, SQLITE_ERROR);
    }
    sqlite3_bind_text(st, 1, em, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        tote_st_err e = rc == SQLITE_DONE ? store_fail(TOTE_ST_E_NOT_FOUND, "no customer with e-mail %s", em)
                                          : store_db_fail(s, rc);
        free(em);
        return e;
    }
    free(em);
    long long id = sqlite3_column_int64(st, 0);
    cJSON *c = cJSON_CreateObject();
    add_text(c, "email", st, 1);
    add_text(c, "name", st, 2);
    add_text(c, "phone", st, 3);
    add_text(c, "created_at", st, 4);
    sqlite3_reset(st);
    cJSON *orders = cJSON_AddArrayToObject(c, "orders");
    st = tote_store_stmt(
        s, "SELECT o.name, o.status, o.payment_status, o.ordered_at, o.total_cents, o.currency, "
           "(SELECT COUNT(*) FROM order_line l WHERE l.order_id = o.id), "
           "(SELECT COALESCE(SUM(l.ordered), 0) FROM order_line l WHERE l.order_id = o.id) "
           "FROM orders o WHERE o.customer_id = ?1 ORDER BY o.ordered_at DESC, o.id DESC");
    if (!st) {
        cJSON_Delete(c);
        return store_db_fail(s, SQLITE_ERROR);
    }
    sqlite3_bind_int64(st, 1, id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *o = cJSON_CreateObject();
        add_text(o, "name", st, 0);
        add_text(o, "status", st, 1);
        add_text(o, "payment_status", st, 2);
        add_text(o, "ordered_at", st, 3);
        add_int(o, "total_cents", st, 4);
        add_text(o, "currency", st, 5);
        add_int(o, "lines", st, 6);
        add_int(o, "units", st, 7);
        cJSON_AddItemToArray(orders, o);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        cJSON_Delete(c);
        return store_db_fail(s, rc);
    }
    *out = c;
    return TOTE_ST_E_OK;
}
