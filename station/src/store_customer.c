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

static int same_or_absent(const char *given, const unsigned char *stored)
{
    return !given || !*given || (stored && strcmp(given, (const char *)stored) == 0);
}

tote_st_err store_customer_ensure_in_tx(tote_store *s, const char *email, const char *name, const char *phone,
                                        long long *customer_id, store_customer_undo *undo)
{
    memset(undo, 0, sizeof *undo);
    char *em = norm_email(email);
    if (!em)
        return store_fail(TOTE_ST_E_INVALID, "'%s' is not an e-mail address", email ? email : "");
    tote_st_err e = TOTE_ST_E_OK;
    sqlite3_stmt *st = tote_store_stmt(s, "SELECT id, name, phone FROM customer WHERE email = ?1");
    if (!st) {
        free(em);
        return store_db_fail(s, SQLITE_ERROR);
    }
    sqlite3_bind_text(st, 1, em, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    long long id = 0;
    int write = 1;
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        const unsigned char *on = sqlite3_column_text(st, 1), *op = sqlite3_column_text(st, 2);
        write = !(same_or_absent(name, on) && same_or_absent(phone, op));
        if (write) {
            undo->id = id;
            undo->updated = 1;
            undo->old_name = on ? strdup((const char *)on) : NULL;
            undo->old_phone = op ? strdup((const char *)op) : NULL;
            if ((on && !undo->old_name) || (op && !undo->old_phone))
                e = store_fail(TOTE_ST_E_NOMEM, "out of memory");
        }
        rc = SQLITE_DONE;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        e = store_db_fail(s, rc);
    if (e == TOTE_ST_E_OK && write && id) {
        st = tote_store_stmt(s, "UPDATE customer SET name = COALESCE(?2, name), phone = COALESCE(?3, phone) "
                                "WHERE id = ?1");
        if (!st) {
            e = store_db_fail(s, SQLITE_ERROR);
        } else {
            sqlite3_bind_int64(st, 1, id);
            store_bind_text_ne(st, 2, name);
            store_bind_text_ne(st, 3, phone);
            rc = store_step_done(st);
            if (rc != SQLITE_DONE)
                e = store_db_fail(s, rc);
        }
    } else if (e == TOTE_ST_E_OK && write) {
        /* the caller's write transaction holds the lock: nobody adds this e-mail meanwhile */
        char now[32];
        tote_store_now(now);
        st = tote_store_stmt(s,
                             "INSERT INTO customer(email, name, phone, created_at) VALUES (?1, ?2, ?3, ?4)");
        if (!st) {
            e = store_db_fail(s, SQLITE_ERROR);
        } else {
            sqlite3_bind_text(st, 1, em, -1, SQLITE_TRANSIENT);
            store_bind_text_ne(st, 2, name);
            store_bind_text_ne(st, 3, phone);
            sqlite3_bind_text(st, 4, now, -1, SQLITE_TRANSIENT);
            rc = store_step_done(st);
            if (rc == SQLITE_DONE) {
                id = sqlite3_last_insert_rowid(tote_store_db(s));
                undo->id = id;
                undo->inserted = 1;
            } else {
                e = store_db_fail(s, rc);
            }
        }
    }
    free(em);
    if (e == TOTE_ST_E_OK && customer_id)
        *customer_id = id;
    return e;
}

tote_st_err store_customer_undo_apply(tote_store *s, store_customer_undo *undo)
{
    tote_st_err e = TOTE_ST_E_OK;
    sqlite3_stmt *st = NULL;
    if (undo->inserted)
        st = tote_store_stmt(s, "DELETE FROM customer WHERE id = ?1");
    else if (undo->updated)
        st = tote_store_stmt(s, "UPDATE customer SET name = ?2, phone = ?3 WHERE id = ?1");
    if ((undo->inserted || undo->updated) && !st)
        e = TOTE_ST_E_DB;
    if (st) {
        sqlite3_bind_int64(st, 1, undo->id);
        if (undo->updated) {
            store_bind_text(st, 2, undo->old_name);
            store_bind_text(st, 3, undo->old_phone);
        }
        if (store_step_done(st) != SQLITE_DONE)
            e = TOTE_ST_E_DB;
    }
    store_customer_undo_clear(undo);
    return e;
}

void store_customer_undo_clear(store_customer_undo *undo)
{
    free(undo->old_name);
    free(undo->old_phone);
    memset(undo, 0, sizeof *undo);
}

tote_st_err tote_customer_ensure(tote_store *s, const char *email, const char *name, const char *phone,
                                 long long *customer_id)
{
    store_detail_clear();
    /* at most one write statement, atomic by itself: no savepoint needed inside a caller's transaction */
    store_tx tx = {0};
    int own = sqlite3_get_autocommit(tote_store_db(s));
    if (own) {
        tote_st_err e = store_tx_begin(s, &tx);
        if (e != TOTE_ST_E_OK)
            return e;
    }
    store_customer_undo undo;
    tote_st_err e = store_customer_ensure_in_tx(s, email, name, phone, customer_id, &undo);
    store_customer_undo_clear(&undo);
    return own ? store_tx_end(s, &tx, e) : e;
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
    static const char *const cust_cols[] = {"#id", "email", "name", "phone", "created_at"};
    for (int i = 1; i < 5; i++)
        store_json_col(c, cust_cols[i], st, i);
    sqlite3_reset(st);
    cJSON *orders = cJSON_AddArrayToObject(c, "orders");
    st = tote_store_stmt(
        s, "SELECT o.name, o.status, o.payment_status, o.ordered_at, o.total_cents, o.currency, "
           "(SELECT COUNT(*) FROM order_line l WHERE l.order_id = o.id), "
           "(SELECT COALESCE(SUM(l.ordered), 0) FROM order_line l WHERE l.order_id = o.id AND "
           "l.requires_shipping = 1) "
           "FROM orders o WHERE o.customer_id = ?1 ORDER BY o.ordered_at DESC, o.id DESC");
    if (!st) {
        cJSON_Delete(c);
        return store_db_fail(s, SQLITE_ERROR);
    }
    sqlite3_bind_int64(st, 1, id);
    static const char *const cols[] = {"name",     "status", "payment_status", "ordered_at", "#total_cents",
                                       "currency", "#lines", "#units",         NULL};
    tote_st_err e = store_rows_json(s, st, NULL, cols, orders, NULL);
    if (e != TOTE_ST_E_OK) {
        cJSON_Delete(c);
        return e;
    }
    *out = c;
    return TOTE_ST_E_OK;
}
