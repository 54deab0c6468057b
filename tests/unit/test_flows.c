/*
 * The flows without the server: live events, settings, admission, a pick
 * applied in-process (and rolled back), snapshots that fit a reply, and the
 * stored-reply blob format.
 */
#include <limits.h>
#include <sys/stat.h>

#include "../../station/src/flows_internal.h"
#include "../../station/src/str_cut.h"
#include "../integration/fixture_server.h"
#include "tote/flows.h"
#include "tote/server.h"
#include "tote/snapshot.h"

static void test_events_mark_and_rewind(void)
{
    tote_events *e = tote_events_new();
    REQUIRE(e != NULL);
    for (int i = 0; i < 3; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "i", i);
        tote_events_add(e, "scan", o);
    }
    size_t mark = tote_events_mark(e);
    tote_events_add(e, "alert", cJSON_CreateObject());
    tote_events_add(e, "order", cJSON_CreateObject());
    CHECK_EQ(tote_events_count(e), 5);
    tote_events_rewind(e, mark);
    CHECK_EQ(tote_events_count(e), 3);
    CHECK_STR(tote_events_topic(e, 2), "scan");
    CHECK_STR(tote_events_json(e, 2), "{\"i\":2}");
    tote_events_add(e, "x", NULL); /* ignored */
    CHECK_EQ(tote_events_count(e), 3);
    tote_events_clear(e);
    CHECK_EQ(tote_events_count(e), 0);
    tote_events_destroy(&e);
    CHECK(e == NULL);
    tote_events_destroy(&e);
}

static void test_settings(void)
{
    char *dir = tt_tmpdir("flows-set");
    char path[1024];
    snprintf(path, sizeof path, "%s/t.db", dir);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(path, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    tote_flow_settings cfg;
    tote_flow_settings_load(s, 30, 1500, &cfg);
    CHECK_EQ(cfg.require_login, 1);
    CHECK_EQ(cfg.require_bin_scan, 0);
    CHECK_EQ(cfg.lease_seconds, 30);
    CHECK_EQ(cfg.heartbeat_ms, 1500);
    CHECK_EQ(cfg.weight_tolerance_pct, 5);
    CHECK_STR(cfg.s10_service, "LX");
    CHECK_STR(cfg.s10_country, "NL");
    CHECK_STR(cfg.quarantine_location, "QUARANTINE");
    tote_store_setting_set(s, "require_login", "0");
    tote_store_setting_set(s, "s10_service", "RR");
    tote_store_setting_set(s, "weight_tolerance_pct", "12");
    tote_flow_settings_load(s, 30, 1500, &cfg);
    CHECK_EQ(cfg.require_login, 0);
    CHECK_STR(cfg.s10_service, "RR");
    CHECK_EQ(cfg.weight_tolerance_pct, 12);
    /* every key, read in one statement; a bad number or an empty text is the default */
    tote_store_setting_set(s, "require_bin_scan", "1");
    tote_store_setting_set(s, "carton_tare_g", "350");
    tote_store_setting_set(s, "weight_tolerance_pct", "12x");
    tote_store_setting_set(s, "s10_country", "");
    tote_store_setting_set(s, "gs1_company_prefix", "871234567890123456789");
    tote_store_setting_set(s, "sscc_extension", "7");
    tote_store_setting_set(s, "quarantine_location", "Q-1");
    tote_flow_settings_load(s, 30, 1500, &cfg);
    CHECK_EQ(cfg.require_login, 0);
    CHECK_EQ(cfg.require_bin_scan, 1);
    CHECK_EQ(cfg.carton_tare_g, 350);
    CHECK_EQ(cfg.weight_tolerance_pct, 5);
    CHECK_STR(cfg.s10_service, "RR");
    CHECK_STR(cfg.s10_country, "NL");
    CHECK_STR(cfg.gs1_company_prefix, "871234567890123");
    CHECK_STR(cfg.sscc_extension, "7");
    CHECK_STR(cfg.quarantine_location, "Q-1");
    tote_store_destroy(&s);
    tt_rmrf(dir);
    free(dir);
}

/* The scan path's events are written without cJSON: the same text. */
static void test_json_writer_matches_cjson(void)
{
    static const char *const texts[] = {
        "", "plain", "quote \" and \\ backslash", "say \"hi\"", "tab\tnl\ncr\rbs\bff\f", "\x01\x1f ctrl",
        "utf-8 \xc3\xa9\xe2\x82\xac", "/slash/ \x7f",
        /* a key longer than the writer's key buffer */
        "a-key-of-eighty-characters-a-key-of-eighty-characters-a-key-of-eighty-characters"};
    static const long long nums[] = {0, 1, -7, 2147483647LL, 4294967295LL, 123456789012345LL};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "event", texts[i]);
        cJSON_AddNumberToObject(o, "n", (double)nums[i % 6]);
        cJSON_AddBoolToObject(o, "yes", (int)(i & 1));
        cJSON_AddNullToObject(o, "none");
        cJSON_AddStringToObject(o, texts[i], "key escaped too");
        char *want = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        tote_jw w;
        tote_jw_begin(&w);
        tote_jw_str(&w, "event", texts[i]);
        tote_jw_num(&w, "n", nums[i % 6]);
        tote_jw_bool(&w, "yes", (int)(i & 1));
        tote_jw_null(&w, "none");
        tote_jw_str(&w, texts[i], "key escaped too");
        char *got = tote_jw_end(&w);
        CHECK_STR(got, want);
        free(got);
        cJSON_free(want);
    }
    /* the ends of the range, written digit by digit */
    {
        tote_jw wn;
        tote_jw_begin(&wn);
        tote_jw_num(&wn, "min", LLONG_MIN);
        tote_jw_num(&wn, "max", LLONG_MAX);
        tote_jw_num(&wn, "ten", -10);
        tote_jw_num(&wn, "zero", 0);
        char *num = tote_jw_end(&wn);
        CHECK_STR(num, "{\"min\":-9223372036854775808,\"max\":9223372036854775807,\"ten\":-10,\"zero\":0}");
        free(num);
    }
    /* longer than the first buffer */
    char big[3000];
    memset(big, '"', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "big", big);
    char *want = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    tote_jw w;
    tote_jw_begin(&w);
    tote_jw_str(&w, "big", big);
    char *got = tote_jw_end(&w);
    CHECK_STR(got, want);
    free(got);
    cJSON_free(want);
}

static void test_reply_blob(void)
{
    const uint8_t blob[] = {0, 3, 'a', 'b', 'c', 0, 1, 'z', 0, 9, 'x'};
    size_t off = 0, n = 0;
    const uint8_t *f = NULL;
    REQUIRE(tote_reply_blob_next(blob, sizeof blob, &off, &f, &n));
    CHECK_MEM(f, n, "abc", 3);
    REQUIRE(tote_reply_blob_next(blob, sizeof blob, &off, &f, &n));
    CHECK_MEM(f, n, "z", 1);
    CHECK(!tote_reply_blob_next(blob, sizeof blob, &off, &f, &n)); /* says 9, has 1 */
    off = 0;
    CHECK(!tote_reply_blob_next(blob, 1, &off, &f, &n));
}

/* In-process: admission, HELLO, NEXT_TASK, SCAN; and a rolled-back request leaves nothing. */
static void test_apply_in_process(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "flows-apply"), 0);
    tote_store *s = fx_store(&st);
    char g[15];
    fx_gtin("0871234900001", g);
    long long a = fx_product(s, "SKU-A", "Blue mug", 300, g, 1200);
    fx_stock(s, a, "A-01", 10, 10, NULL, NULL);
    fx_order(s, "#7001", 0, 1, (const char *[]){"SKU-A"}, (const long long[]){2}, NULL);
    REQUIRE(fx_wave(s, 4) > 0);
    tote_store_setting_set(s, "require_login", "0");
    tote_flow_settings cfg;
    tote_flow_settings_load(s, 60, 2000, &cfg);
    tote_flow_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.cfg = &cfg;
    c.events = tote_events_new();
    tote_store_now(c.now);
    memcpy(c.today, c.now, 10);
    tote_wire_msg *req = malloc(sizeof *req), *out = malloc(TOTE_FLOW_MAX_REPLIES * sizeof *out);
    int n = 0;
    tote_st_err st_err;

    tote_wire_init(req, TOTE_WIRE_NEXT_TASK, "hh-x", 1);
    CHECK_EQ(tote_flow_admit(&c, req, &st_err), TOTE_WERR_NO_HELLO);
    tote_wire_init(req, TOTE_WIRE_HELLO, "hh-x", 1);
    req->u.hello.role = TOTE_ROLE_PICKER;
    CHECK_EQ(tote_flow_admit(&c, req, &st_err), TOTE_WERR_NONE);
    REQUIRE_EQ(tote_flow_apply(&c, req, out, &n), TOTE_ST_E_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(out[0].type, TOTE_WIRE_HELLO_OK);
    CHECK_EQ(out[0].u.hello_ok.lease_ms, 60000);

    tote_wire_init(req, TOTE_WIRE_NEXT_TASK, "hh-x", 2);
    CHECK_EQ(tote_flow_admit(&c, req, &st_err), TOTE_WERR_NONE);
    REQUIRE_EQ(tote_flow_apply(&c, req, out, &n), TOTE_ST_E_OK);
    REQUIRE_EQ(out[0].type, TOTE_WIRE_TASK);
    CHECK_EQ(out[0].seq, 2);
    CHECK_STR(out[0].u.task.gtin, g);

    /* a scan inside a transaction that is rolled back leaves no trace */
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    tote_wire_init(req, TOTE_WIRE_SCAN, "hh-x", 3);
    fx_fill_scan(&req->u.scan, "]E0", g + 1); /* the EAN-13 form of the GTIN */
    tote_flow_admit(&c, req, &st_err);
    REQUIRE_EQ(tote_flow_apply(&c, req, out, &n), TOTE_ST_E_OK);
    CHECK_EQ(out[0].type, TOTE_WIRE_RESULT);
    CHECK_EQ(out[0].u.result.accepted, 1);
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line", NULL), 1);
    tote_store_rollback(s);
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan", NULL), 0);
    CHECK_EQ(fx_ledger_bad(s), 0);

    /* the same scan applied for real */
    REQUIRE_EQ(tote_flow_apply(&c, req, out, &n), TOTE_ST_E_OK);
    CHECK_EQ(out[0].u.result.accepted, 1);
    CHECK_EQ(fx_q(s, "SELECT picked FROM order_line", NULL), 1);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM stock_move WHERE kind = 'pick'", NULL), 1);
    CHECK_STR(fx_qs(s, "SELECT gtin FROM scan", NULL), g);
    CHECK_INT(tote_events_count(c.events), >=, 1);

    /* its reply is stored in its scan row, byte for byte what goes out, and
     * answers a resend; no request row is written for it */
    CHECK_EQ(c.reply_stored, 1);
    uint8_t sent[TOTE_FLOW_MAX_REPLIES * (TOTE_WIRE_MAX_FRAME + 2)];
    size_t sent_len = 0;
    REQUIRE_EQ(tote_reply_blob_encode(out, n, sent, sizeof sent, &sent_len), 0);
    int type = 0;
    uint8_t *blob = NULL;
    size_t blen = 0;
    REQUIRE_EQ(tote_request_lookup(s, "hh-x", 3, &type, &blob, &blen), TOTE_ST_E_OK);
    CHECK_EQ(type, TOTE_WIRE_SCAN);
    CHECK_MEM(blob, blen, sent, sent_len);
    free(blob);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM request", NULL), 0);
    CHECK_EQ(fx_q(s, "SELECT reply_type FROM scan WHERE device_seq = 3", NULL), TOTE_WIRE_SCAN);

    /* a refused scan's reply is kept the same way */
    tote_wire_init(req, TOTE_WIRE_SCAN, "hh-x", 4);
    fx_fill_scan(&req->u.scan, "", "00000000000017");
    REQUIRE_EQ(tote_flow_apply(&c, req, out, &n), TOTE_ST_E_OK);
    CHECK_EQ(out[0].u.result.accepted, 0);
    CHECK_EQ(c.reply_stored, 1);
    REQUIRE_EQ(tote_reply_blob_encode(out, n, sent, sizeof sent, &sent_len), 0);
    REQUIRE_EQ(tote_request_lookup(s, "hh-x", 4, &type, &blob, &blen), TOTE_ST_E_OK);
    CHECK_MEM(blob, blen, sent, sent_len);
    free(blob);

    /* a request that logs no scan stores nothing itself: the caller does */
    tote_wire_init(req, TOTE_WIRE_NEXT_TASK, "hh-x", 5);
    REQUIRE_EQ(tote_flow_apply(&c, req, out, &n), TOTE_ST_E_OK);
    CHECK_EQ(c.reply_stored, 0);
    CHECK_EQ(tote_request_lookup(s, "hh-x", 5, &type, &blob, &blen), TOTE_ST_E_NOT_FOUND);

    /* an unsequenced scan (seq 0) is logged without a reply */
    tote_wire_init(req, TOTE_WIRE_SCAN, "hh-x", 0);
    fx_fill_scan(&req->u.scan, "", "00000000000017");
    REQUIRE_EQ(tote_flow_apply(&c, req, out, &n), TOTE_ST_E_OK);
    CHECK_EQ(c.reply_stored, 0);
    CHECK_EQ(fx_q(s, "SELECT COUNT(*) FROM scan WHERE device_seq = 0 AND reply IS NULL", NULL), 1);

    /* a scan's reply stored in the request table (before schema 6) is still found */
    const uint8_t old[] = {0, 2, 'o', 'k'};
    REQUIRE_EQ(tote_request_store(s, "hh-x", 6, TOTE_WIRE_SCAN, old, sizeof old, c.now), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_request_lookup(s, "hh-x", 6, &type, &blob, &blen), TOTE_ST_E_OK);
    CHECK_MEM(blob, blen, old, sizeof old);
    free(blob);

    free(req);
    free(out);
    tote_events_destroy(&c.events);
    tote_store_destroy(&s);
    fx_station_done(&st);
}

static void test_snapshot_fits_a_reply(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "flows-snap"), 0);
    tote_store *s = fx_store(&st);
    char now[32];
    tote_store_now(now);
    for (int i = 0; i < 400; i++) {
        char name[40];
        snprintf(name, sizeof name, "handheld-with-a-long-name-%04d", i);
        tote_device_hello(s, name, "picker", now, NULL);
    }
    char *json = NULL;
    REQUIRE_EQ(tote_snapshot_json(s, "overview", "", &json), TOTE_ST_E_OK);
    CHECK_INT(strlen(json), <=, TOTE_WIRE_JSON_MAX);
    cJSON *j = cJSON_Parse(json);
    REQUIRE(j != NULL);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "truncated")));
    CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "devices")), >, 10);
    cJSON_Delete(j);
    free(json);
    CHECK_EQ(tote_snapshot_json(s, "nonsense", "", &json), TOTE_ST_E_INVALID);
    CHECK_EQ(tote_snapshot_json(s, "order", "#none", &json), TOTE_ST_E_NOT_FOUND);
    tote_store_destroy(&s);
    fx_station_done(&st);
}

/* tote_str_cut (scan rows, every text column the store reads): cut to
 * cap - 1 bytes, exactly at the edge too, as snprintf("%s") would. */
static void test_str_cut(void)
{
    static const struct {
        const char *src;
        size_t cap;
        const char *want;
    } v[] = {
        {"abc", 8, "abc"},
        {"abcdefg", 8, "abcdefg"},  /* cap - 1: whole */
        {"abcdefgh", 8, "abcdefg"}, /* cap: cut by one */
        {"abcdefghijk", 8, "abcdefg"},
        {"", 8, ""},
        {NULL, 8, ""},
        {"abc", 1, ""},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char buf[16];
        memset(buf, 'x', sizeof buf);
        tote_str_cut(buf, v[i].cap, v[i].src);
        CHECK_STR(buf, v[i].want);
        CHECK_EQ(buf[v[i].cap], 'x'); /* nothing written past cap */
        char ref[16];
        snprintf(ref, v[i].cap, "%s", v[i].src ? v[i].src : "");
        CHECK_STR(buf, ref);
    }
    char one = 'y';
    tote_str_cut(&one, 0, "abc"); /* cap 0: untouched */
    CHECK_EQ(one, 'y');
    tote_str_cut(NULL, 8, "abc"); /* no buffer: nothing */
}

/* When a busy device's last_seen is written again: table of (seen, now, recent). */
static void test_seen_recently(void)
{
    static const struct {
        const char *seen, *now;
        int recent;
    } v[] = {
        {"2026-11-29T10:00:00.000Z", "2026-11-29T10:00:00.000Z", 1},
        {"2026-11-29T10:00:00.000Z", "2026-11-29T10:00:00.099Z", 1},
        {"2026-11-29T10:00:00.000Z", "2026-11-29T10:00:00.100Z", 0}, /* max_ms */
        {"2026-11-29T10:00:00.950Z", "2026-11-29T10:00:01.020Z", 1}, /* across a second */
        {"2026-11-29T10:00:59.950Z", "2026-11-29T10:01:00.000Z", 0}, /* another minute: written */
        {"2026-11-28T10:00:00.000Z", "2026-11-29T10:00:00.000Z", 0}, /* another day */
        {"2026-11-29T10:00:00.050Z", "2026-11-29T10:00:00.000Z", 0}, /* later than now (clock stepped back) */
        {"", "2026-11-29T10:00:00.000Z", 0},                         /* never seen */
        {"2026-11-29T10:00:00Z", "2026-11-29T10:00:00.000Z", 0},     /* no milliseconds */
        {"2026-11-29T10:00:0x.000Z", "2026-11-29T10:00:00.000Z", 0},
        {"2026-11-29T10:00:00.000Z", "2026-11-29T10:00:00,050Z", 0},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (tote_flow_seen_recently(v[i].seen, v[i].now, 100) != v[i].recent)
            fprintf(stderr, "  vector %zu: %s / %s\n", i, v[i].seen, v[i].now);
        CHECK_EQ(tote_flow_seen_recently(v[i].seen, v[i].now, 100), v[i].recent);
    }
    CHECK_EQ(tote_flow_seen_recently("2026-11-29T10:00:00.000Z", "2026-11-29T10:00:00.999Z", 1000), 1);
    CHECK_EQ(tote_flow_seen_recently("2026-11-29T10:00:00.000Z", "2026-11-29T10:00:01.000Z", 1000), 0);
}

static void test_prune_and_time(void)
{
    char t[32];
    tote_flow_time_add("2024-02-28T23:59:30.250Z", 45, t);
    CHECK_STR(t, "2024-02-29T00:00:15.250Z");
    tote_flow_time_add("2024-03-01T00:00:00.000Z", -7 * 86400, t);
    CHECK_STR(t, "2024-02-23T00:00:00.000Z");

    char *dir = tt_tmpdir("flows-prune");
    char path[1024];
    snprintf(path, sizeof path, "%s/t.db", dir);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(path, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    char now[32];
    tote_store_now(now);
    tote_device_hello(s, "hh", "picker", now, NULL);
    const uint8_t blob[] = {0, 1, 'x'};
    for (uint32_t seq = 1; seq <= 10; seq++)
        REQUIRE_EQ(tote_request_store(s, "hh", seq, TOTE_WIRE_SCAN, blob, sizeof blob,
                                      seq <= 6 ? "2020-01-01T00:00:00.000Z" : now),
                   TOTE_ST_E_OK);
    int n = 0;
    REQUIRE_EQ(tote_request_prune(s, "2021-01-01T00:00:00.000Z", 4, &n), TOTE_ST_E_OK);
    CHECK_EQ(n, 4); /* only the oldest 4 looked at */
    REQUIRE_EQ(tote_request_prune(s, "2021-01-01T00:00:00.000Z", 100, &n), TOTE_ST_E_OK);
    CHECK_EQ(n, 2);
    REQUIRE_EQ(tote_request_prune(s, "2021-01-01T00:00:00.000Z", 100, &n), TOTE_ST_E_OK);
    CHECK_EQ(n, 0);
    int type = 0;
    uint8_t *reply = NULL;
    size_t len = 0;
    CHECK_EQ(tote_request_lookup(s, "hh", 3, &type, &reply, &len), TOTE_ST_E_NOT_FOUND);
    CHECK_EQ(tote_request_lookup(s, "hh", 8, &type, &reply, &len), TOTE_ST_E_OK);
    CHECK_MEM(reply, len, blob, sizeof blob);
    free(reply);
    tote_device_info d;
    REQUIRE_EQ(tote_device_get(s, "hh", &d), TOTE_ST_E_OK);
    CHECK_EQ(d.last_seq, 10);
    tote_store_destroy(&s);
    tt_rmrf(dir);
    free(dir);
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Commits n settings of 2 KiB each (about half a WAL frame), per_txn to a
 * transaction, named from *key on. 0, or -1 if a transaction failed. */
static int fill_settings(tote_store *s, int n, int per_txn, int *key)
{
    char v[2048];
    memset(v, 'v', sizeof v - 1);
    v[sizeof v - 1] = '\0';
    for (int done = 0; done < n;) {
        if (tote_store_begin(s) != TOTE_ST_E_OK)
            return -1;
        for (int i = 0; i < per_txn && done < n; i++, done++, (*key)++) {
            char k[32];
            snprintf(k, sizeof k, "f%d", *key);
            tote_store_setting_set(s, k, v);
        }
        if (tote_store_commit(s) != TOTE_ST_E_OK)
            return -1;
    }
    return 0;
}

static void test_background_checkpoints(void)
{
    char *dir = tt_tmpdir("flows-ckpt");
    char path[1024];
    snprintf(path, sizeof path, "%s/t.db", dir);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(path, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    tote_checkpointer *cp = NULL;
    REQUIRE_EQ(tote_checkpointer_start(s, 50, &cp), TOTE_ST_E_OK);
    long long before = file_size(path);
    /* about 150 pages: under the writer's own checkpoint and its first
     * wake-up (a quarter of the WAL bound), so only the thread's timer moves
     * them into the database file */
    int key = 0;
    REQUIRE_EQ(fill_settings(s, 250, 250, &key), 0);
    long long end = tt_now_ms() + 5000;
    while (file_size(path) == before && tt_now_ms() < end)
        tt_sleep_ms(20);
    CHECK_INT(file_size(path), >, before);
    tote_checkpointer_stop(&cp, s);
    CHECK(cp == NULL);
    tote_checkpointer_stop(&cp, s);
    /* and a TRUNCATE checkpoint leaves an empty WAL */
    char wal[1100];
    snprintf(wal, sizeof wal, "%s-wal", path);
    CHECK_EQ(tote_store_wal_truncate(s), TOTE_ST_E_OK);
    CHECK_EQ(file_size(wal), 0);
    /* a reader in the WAL (a snapshot, a CLI command): the TRUNCATE does not
       wait for it (the loop calls it after a full disk), it says BUSY at once */
    REQUIRE_EQ(fill_settings(s, 20, 20, &key), 0);
    sqlite3 *reader = NULL;
    REQUIRE_EQ(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    REQUIRE_EQ(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM setting;", NULL, NULL, NULL), SQLITE_OK);
    long long t0 = tt_now_ms();
    CHECK_EQ(tote_store_wal_truncate(s), TOTE_ST_E_BUSY);
    CHECK_INT(tt_now_ms() - t0, <, 1000); /* the store's busy handler waits 5 s */
    CHECK_INT(file_size(wal), >, 0);
    /* the store still waits for a lock in its own transactions */
    REQUIRE_EQ(fill_settings(s, 1, 1, &key), 0);
    sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(reader);
    CHECK_EQ(tote_store_wal_truncate(s), TOTE_ST_E_OK);
    CHECK_EQ(file_size(wal), 0);
    tote_store_destroy(&s);
    tt_rmrf(dir);
    free(dir);
}

/* Frames in the WAL file at path (its header is 32 bytes, a frame 24 + page). */
static long long wal_frames(const char *path)
{
    long long n = file_size(path);
    return n > 32 ? (n - 32) / (24 + 4096) : 0;
}

/* One small commit, then the frames in the WAL (a PASSIVE checkpoint's
 * count): few if that commit restarted the WAL from its start; INT_MAX if
 * the commit or the checkpoint failed. */
static int small_commit_wal_frames(tote_store *s)
{
    int log = -1, done = -1;
    if (tote_store_begin(s) != TOTE_ST_E_OK)
        return INT_MAX;
    tote_store_setting_set(s, "small", "commit");
    if (tote_store_commit(s) != TOTE_ST_E_OK ||
        sqlite3_wal_checkpoint_v2(tote_store_db(s), NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) !=
            SQLITE_OK)
        return INT_MAX;
    return log;
}

/* The writer wakes the thread every quarter of the WAL bound: with a timer
 * of a minute, the thread runs within seconds. At the bound the writer
 * checkpoints itself, and the WAL restarts. After stop, its connection has SQLite's
 * automatic checkpoint again (a commit then must not reach the freed
 * checkpointer: ASan would say so). */
static tote_checkpointer_stats cp_stats(tote_checkpointer *cp)
{
    tote_checkpointer_stats st;
    tote_checkpointer_get_stats(cp, &st);
    return st;
}

static void test_writer_wakes_the_checkpointer(void)
{
    char *dir = tt_tmpdir("flows-wake");
    char path[1024], wal[1100];
    snprintf(path, sizeof path, "%s/t.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(path, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    setenv("TOTE_TEST_WAL_BOUND", "2000", 1); /* the bound, quick to reach */
    tote_checkpointer *cp = NULL;
    REQUIRE_EQ(tote_checkpointer_start(s, 60000, &cp), TOTE_ST_E_OK);
    int bound = tote_checkpointer_bound(cp);
    CHECK_EQ(bound, 2000);
    /* ~40 frames a commit, until the WAL passes a quarter of the bound */
    int key = 0;
    while (wal_frames(wal) < bound / 4 + 64)
        REQUIRE_EQ(fill_settings(s, 40, 40, &key), 0);
    CHECK_INT(wal_frames(wal), <, bound); /* the writer has not checkpointed itself */
    long long end = tt_now_ms() + 5000;
    while (cp_stats(cp).runs == 0 && tt_now_ms() < end)
        tt_sleep_ms(20);
    CHECK_INT(cp_stats(cp).runs, >=, 1);
    /* one commit that takes the WAL past the bound: no wake-up then (the
     * timer is a minute away), the writer checkpoints itself, and the next
     * commit restarts the WAL from its start */
    REQUIRE_EQ(tote_store_wal_truncate(s), TOTE_ST_E_OK);
    REQUIRE_EQ(fill_settings(s, 2 * bound + 400, 2 * bound + 400, &key), 0);
    CHECK_INT(wal_frames(wal), >=, bound);
    CHECK_EQ(cp_stats(cp).writer_runs, 1);
    CHECK_INT(small_commit_wal_frames(s), <, 64); /* the small commit's frames only */
    tote_checkpointer_stop(&cp, s);
    CHECK(cp == NULL);
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    tote_store_setting_set(s, "after", "stop");
    CHECK_EQ(tote_store_commit(s), TOTE_ST_E_OK);
    tote_store_destroy(&s);
    unsetenv("TOTE_TEST_WAL_BOUND");
    tt_rmrf(dir);
    free(dir);
}

/* Once the WAL holds three quarters of its bound, the thread lets it restart
 * with a FULL checkpoint between two of the writer's transactions, so the
 * writer never checkpoints itself. While the writer holds a transaction that
 * FULL checkpoint gives up at once: the thread goes on running every
 * interval instead of waiting a second for the write lock each time. */
static void test_thread_restarts_the_wal(void)
{
    char *dir = tt_tmpdir("flows-restart");
    char path[1024], wal[1100];
    snprintf(path, sizeof path, "%s/t.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    setenv("TOTE_TEST_WAL_BOUND", "2000", 1);
    tote_store *s = NULL;
    REQUIRE_EQ(tote_store_open(path, TOTE_STORE_CREATE, &s, NULL), TOTE_ST_E_OK);
    /* ~1600 frames, with no checkpoint at all yet */
    sqlite3_wal_autocheckpoint(tote_store_db(s), 0);
    int key = 0;
    REQUIRE_EQ(fill_settings(s, 1350, 40, &key), 0);
    CHECK_INT(wal_frames(wal), >=, 1500);
    /* the writer in a transaction: the thread's FULL checkpoints give up */
    REQUIRE_EQ(tote_store_begin(s), TOTE_ST_E_OK);
    tote_store_setting_set(s, "held", "open");
    tote_checkpointer *cp = NULL;
    REQUIRE_EQ(tote_checkpointer_start(s, 50, &cp), TOTE_ST_E_OK);
    /* 4 runs take ~200 ms; one FULL checkpoint that waited would take 1 s */
    long long end = tt_now_ms() + 900;
    while (cp_stats(cp).runs < 4 && tt_now_ms() < end)
        tt_sleep_ms(10);
    CHECK_INT(cp_stats(cp).runs, >=, 4); /* not blocked on the write lock */
    CHECK_EQ(cp_stats(cp).restarts, 0);
    REQUIRE_EQ(tote_store_commit(s), TOTE_ST_E_OK);
    /* the writer between transactions: the next run's FULL checkpoint reaches the end */
    end = tt_now_ms() + 5000;
    while (cp_stats(cp).restarts == 0 && tt_now_ms() < end)
        tt_sleep_ms(10);
    tote_checkpointer_stats st = cp_stats(cp);
    CHECK_INT(st.restarts, >=, 1);
    /* the database was synced before each FULL run (the busy ones too), and
     * the ones that took the lock say how long they held it */
    CHECK_INT(st.presyncs, >=, st.runs - 1);
    CHECK_INT(st.fulls, >=, st.restarts);
    CHECK(st.full_max_ms > 0 && st.full_p50_ms <= st.full_max_ms);
    /* and the writer's next transaction writes from the WAL's start */
    CHECK_INT(small_commit_wal_frames(s), <, 64);
    CHECK_EQ(cp_stats(cp).writer_runs, 0); /* the writer never checkpointed itself */
    tote_checkpointer_stop(&cp, s);
    tote_store_destroy(&s);
    unsetenv("TOTE_TEST_WAL_BOUND");
    tt_rmrf(dir);
    free(dir);
}

TT_MAIN(TT_TEST(test_events_mark_and_rewind), TT_TEST(test_settings), TT_TEST(test_json_writer_matches_cjson),
        TT_TEST(test_reply_blob), TT_TEST(test_apply_in_process), TT_TEST(test_snapshot_fits_a_reply),
        TT_TEST(test_background_checkpoints), TT_TEST(test_writer_wakes_the_checkpointer),
        TT_TEST(test_thread_restarts_the_wal), TT_TEST(test_prune_and_time), TT_TEST(test_seen_recently),
        TT_TEST(test_str_cut))
