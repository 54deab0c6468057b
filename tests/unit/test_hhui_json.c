/*
 * The handheld's UI (handheld/src/hhui.c) in JSON mode, through its public
 * API, writing into a memory stream (hhui_fixture.h; test_hhui.c tests the
 * screen, the plain lines and AUTO):
 *   JSON    one object per line per event with the keys handheld/README.md
 *           lists; the values test_client.c does not already check (it runs
 *           the real binary for hello/task/result/offline/queued/online/
 *           replayed/error).
 */

#include <cjson/cJSON.h>

#include "hh_json.h"
#include "hhui_fixture.h"
#include "support.h"
#include "test.h"

/* ---------------- JSON ---------------- */

static cJSON *parse_one(const char *line)
{
    cJSON *o = cJSON_Parse(line);
    if (!o || !cJSON_IsObject(o)) {
        tt_fail_msg(__FILE__, __LINE__, "not one JSON object: %s", line);
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Fires one event in JSON mode and returns its one object (caller deletes);
 * NULL (and a failure) unless exactly one line was written. */
static cJSON *json_event(cap *c, fire_fn fire)
{
    size_t before = strlen(cap_text(c));
    fire(c->ui);
    const char *t = cap_text(c) + before;
    size_t n = strlen(t);
    if (n == 0 || t[n - 1] != '\n' || memchr(t, '\n', n - 1)) {
        tt_fail_msg(__FILE__, __LINE__, "not exactly one line: \"%s\"", t);
        return NULL;
    }
    char *line = strndup(t, n - 1);
    cJSON *o = parse_one(line);
    free(line);
    return o;
}

/* The keys of o, in order, comma-separated. */
static const char *keys_of(const cJSON *o)
{
    static char buf[1024];
    buf[0] = '\0';
    for (const cJSON *k = o ? o->child : NULL; k; k = k->next)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", buf[0] ? "," : "", k->string);
    return buf;
}

static void l_error_bare(tote_hhui *ui)
{
    tote_hhui_error(ui, "SCANNER", "the scanner was unplugged", 0, 0);
}

/* Every event: one object on one line, "event" first, then exactly the
 * fields handheld/README.md lists for it, in that order. */
static void test_json_events_have_the_documented_fields(void)
{
    static const struct {
        fire_fn fire;
        const char *keys;
    } cases[] = {
        {l_hello,
         "event,device,role,station_version,heartbeat_ms,lease_ms,last_seq,next_seq,require_bin_scan,"
         "operator,queued"},
        {l_pick, "event,seq,kind,task_id,pick_list_id,bin,sku,name,gtin,lot,qty_total,qty_done,qty_left,tote,"
                 "order,tasks_left,bin_confirmed"},
        {l_pack, "event,seq,kind,task_id,pick_list_id,bin,sku,name,gtin,lot,qty_total,qty_done,qty_left,tote,"
                 "order,tasks_left,bin_confirmed"},
        {l_no_task, "event,seq,message"},
        {l_ok, "event,seq,request,accepted,reason,reason_text,message,feedback,qty_done,qty_left,task_done,"
               "replay"},
        {l_pack_state, "event,seq,request,accepted,reason,reason_text,message,feedback,order,package_id,"
                       "package_no,expected_weight_g,weight_g,tracking,sscc,status,lines,replay"},
        {l_offline, "event,queued"},
        {l_queued, "event,seq,request,queued"},
        {l_online, "event,queued"},
        {l_replayed_two, "event,count,refused"},
        {l_error, "event,code,message,seq,request"},
        {l_error_bare, "event,code,message"},
        {l_scanner, "event,kind,status"},
        {l_mode_on, "event,return_mode,disposition,location,reason"},
        {l_info, "event,message"},
    };
    static const char *const names[] = {"hello_ok",   "task",    "task",    "no_task", "result",
                                        "pack_state", "offline", "queued",  "online",  "replayed",
                                        "error",      "error",   "scanner", "mode",    "info"};
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_JSON, "hh-7", TOTE_ROLE_PICKER), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *o = json_event(&c, cases[i].fire);
        if (!o)
            continue;
        CHECK_STR(jstr(o, "event"), names[i]);
        CHECK_STR(keys_of(o), cases[i].keys);
        cJSON_Delete(o);
    }
    CHECK(strchr(cap_text(&c), '\033') == NULL); /* never a screen */
    cap_close(&c);
}

/* The values test_client.c does not look at: the whole hello and task. */
static void test_json_hello_and_task_values(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_JSON, "hh-7", TOTE_ROLE_PACKER), 0);
    cJSON *o = json_event(&c, l_hello);
    REQUIRE(o != NULL);
    CHECK_STR(jstr(o, "device"), "hh-7");
    CHECK_STR(jstr(o, "role"), "packer");
    CHECK_STR(jstr(o, "station_version"), "1.2.3");
    CHECK_EQ(jnum(o, "heartbeat_ms"), 2000);
    CHECK_EQ(jnum(o, "lease_ms"), 120000);
    CHECK_EQ(jnum(o, "last_seq"), 4);
    CHECK_EQ(jnum(o, "next_seq"), 5);
    CHECK_EQ(jbool(o, "require_bin_scan"), 1);
    CHECK_STR(jstr(o, "operator"), "Ada");
    CHECK_EQ(jnum(o, "queued"), 2);
    cJSON_Delete(o);

    o = json_event(&c, l_pick);
    REQUIRE(o != NULL);
    CHECK_EQ(jnum(o, "seq"), 2);
    CHECK_STR(jstr(o, "kind"), "pick");
    CHECK_EQ(jnum(o, "task_id"), 17);
    CHECK_EQ(jnum(o, "pick_list_id"), 5);
    CHECK_STR(jstr(o, "bin"), "A-01-02");
    CHECK_STR(jstr(o, "sku"), "SKU-MUG");
    CHECK_STR(jstr(o, "name"), "Blue mug");
    CHECK_STR(jstr(o, "gtin"), "09506000134352");
    CHECK_STR(jstr(o, "lot"), "L42");
    CHECK_EQ(jnum(o, "qty_total"), 3);
    CHECK_EQ(jnum(o, "qty_done"), 1);
    CHECK_EQ(jnum(o, "qty_left"), 2);
    CHECK_STR(jstr(o, "tote"), "T-07");
    CHECK_STR(jstr(o, "order"), "#1001");
    CHECK_EQ(jnum(o, "tasks_left"), 3);
    CHECK_EQ(jbool(o, "bin_confirmed"), 0);
    cJSON_Delete(o);

    o = json_event(&c, l_pack);
    REQUIRE(o != NULL);
    CHECK_STR(jstr(o, "kind"), "pack");
    CHECK_EQ(jnum(o, "task_id"), 1001);
    CHECK_STR(jstr(o, "order"), "#1001");
    CHECK_STR(jstr(o, "tote"), "T-07");
    CHECK_STR(jstr(o, "bin"), "");
    CHECK_EQ(jnum(o, "qty_left"), 0);
    cJSON_Delete(o);

    o = json_event(&c, l_refused);
    REQUIRE(o != NULL);
    CHECK_STR(jstr(o, "reason"), "WRONG_ITEM");
    CHECK_STR(jstr(o, "reason_text"), "wrong item for this pick");
    CHECK_STR(jstr(o, "message"), "this pick is SKU-MUG");
    CHECK_EQ(jnum(o, "qty_done"), 2);
    cJSON_Delete(o);
    cap_close(&c);
}

/* pack_state, scanner, mode and info: nothing else checks their values. */
static void test_json_pack_state_scanner_mode_info_values(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_JSON, "pack-2", TOTE_ROLE_PACKER), 0);
    cJSON *o = json_event(&c, l_pack_refused);
    REQUIRE(o != NULL);
    CHECK_EQ(jnum(o, "seq"), 8);
    CHECK_STR(jstr(o, "request"), "PACK_CLOSE");
    CHECK_EQ(jbool(o, "accepted"), 0);
    CHECK_STR(jstr(o, "reason"), "WEIGHT_MISMATCH");
    CHECK_STR(jstr(o, "reason_text"), "weight outside tolerance");
    CHECK_STR(jstr(o, "message"), "655 g, expected 640 g");
    CHECK_STR(jstr(o, "feedback"), "error");
    CHECK_STR(jstr(o, "order"), "#1001");
    CHECK_EQ(jnum(o, "package_id"), 77);
    CHECK_EQ(jnum(o, "package_no"), 1);
    CHECK_EQ(jnum(o, "expected_weight_g"), 640);
    CHECK_EQ(jnum(o, "weight_g"), 655);
    CHECK_STR(jstr(o, "tracking"), "RR123456785NL");
    CHECK_STR(jstr(o, "sscc"), "");
    CHECK_STR(jstr(o, "status"), "closed");
    CHECK_EQ(jbool(o, "replay"), 1);
    const cJSON *lines = cJSON_GetObjectItem(o, "lines");
    REQUIRE(cJSON_IsArray(lines));
    REQUIRE_EQ(cJSON_GetArraySize(lines), 2);
    const cJSON *l0 = cJSON_GetArrayItem(lines, 0), *l1 = cJSON_GetArrayItem(lines, 1);
    CHECK_STR(keys_of(l0), "sku,gtin,name,expected,packed");
    CHECK_STR(jstr(l0, "sku"), "SKU-MUG");
    CHECK_STR(jstr(l0, "gtin"), "09506000134352");
    CHECK_STR(jstr(l0, "name"), "Blue mug");
    CHECK_EQ(jnum(l0, "expected"), 2);
    CHECK_EQ(jnum(l0, "packed"), 2);
    CHECK_STR(jstr(l1, "sku"), "SKU-PLATE");
    CHECK_STR(jstr(l1, "gtin"), "");
    CHECK_EQ(jnum(l1, "packed"), 0);
    cJSON_Delete(o);

    /* the status names, and no more lines than the array holds */
    static const struct {
        uint8_t status;
        const char *name;
    } st[] = {{0, "none"}, {1, "open"}, {2, "closed"}, {3, "shipped"}, {7, "unknown"}};
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
        tote_wire_msg *ps = pack_state(9, 1, TOTE_REASON_OK, "");
        ps->u.pack_state.status = st[i].status;
        ps->u.pack_state.line_count = TOTE_WIRE_PACK_LINES_MAX + 5;
        size_t before = strlen(cap_text(&c));
        tote_hhui_pack_state(c.ui, ps, TOTE_WIRE_PACK_OPEN, 0);
        o = parse_one(cap_text(&c) + before);
        REQUIRE(o != NULL);
        CHECK_STR(jstr(o, "status"), st[i].name);
        CHECK_STR(jstr(o, "feedback"), "good");
        CHECK_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(o, "lines")), TOTE_WIRE_PACK_LINES_MAX);
        cJSON_Delete(o);
    }

    o = json_event(&c, l_scanner);
    REQUIRE(o != NULL);
    CHECK_STR(jstr(o, "kind"), "stdin");
    CHECK_STR(jstr(o, "status"), "ready");
    cJSON_Delete(o);

    o = json_event(&c, l_mode_on);
    REQUIRE(o != NULL);
    CHECK_EQ(jbool(o, "return_mode"), 1);
    CHECK_STR(jstr(o, "disposition"), "restock");
    CHECK_STR(jstr(o, "location"), "R-09");
    CHECK_STR(jstr(o, "reason"), "damaged");
    cJSON_Delete(o);
    o = json_event(&c, l_mode_off);
    REQUIRE(o != NULL);
    CHECK_EQ(jbool(o, "return_mode"), 0);
    CHECK_STR(jstr(o, "disposition"), "quarantine");
    CHECK_STR(jstr(o, "location"), "");
    CHECK_STR(jstr(o, "reason"), "");
    cJSON_Delete(o);

    o = json_event(&c, l_info);
    REQUIRE(o != NULL);
    CHECK_STR(jstr(o, "message"), "quitting");
    cJSON_Delete(o);

    o = json_event(&c, l_replayed_one);
    REQUIRE(o != NULL);
    CHECK_EQ(jnum(o, "count"), 1);
    CHECK_EQ(jnum(o, "refused"), 0);
    cJSON_Delete(o);
    cap_close(&c);
}

static void l_awkward(tote_hhui *ui)
{
    pick_spec p = MUG;
    p.name = "Mug \"Big\"\nline two\\ tab\there \xc3\xa9t\xc3\xa9";
    tote_hhui_task(ui, pick_task(&p));
}

/* Quotes, newlines, backslashes, tabs and UTF-8 in a name: still one line,
 * and the value comes back as it was. */
static void test_json_escapes_keep_one_line(void)
{
    cap c;
    REQUIRE_EQ(cap_open(&c, TOTE_HHUI_JSON, "hh-7", TOTE_ROLE_PICKER), 0);
    cJSON *o = json_event(&c, l_awkward);
    REQUIRE(o != NULL);
    CHECK_STR(jstr(o, "name"), "Mug \"Big\"\nline two\\ tab\there \xc3\xa9t\xc3\xa9");
    cJSON_Delete(o);
    cap_close(&c);
}

TT_MAIN(TT_TEST(test_json_events_have_the_documented_fields), TT_TEST(test_json_hello_and_task_values),
        TT_TEST(test_json_pack_state_scanner_mode_info_values), TT_TEST(test_json_escapes_keep_one_line))
