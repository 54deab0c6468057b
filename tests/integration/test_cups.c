/*
 * Printing through a private cupsd to a label printer played by the test on
 * a loopback socket: exact bytes, paused printer, rejecting queue, cupsd
 * restart, a crash between submit and record, aborted jobs, and the
 * `tote printer` command line, with CUPS and without it.
 */
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <sys/un.h>

#include "cupsd_fixture.h"
#include "label_seed.h"
#include "support.h"
#include "test.h"
#include "tote/cups_printer.h"
#include "tote/printing.h"

static tt_cupsd cups;
static tt_zebra zebra, office;
static char *dir;
static char db[512];
static tote_store *st;
static tote_spooler *sp;
static char events[1 << 16];

static int count_lines(const char *s)
{
    int n = 0;
    for (; s && *s; s++)
        n += *s == '\n';
    return n;
}

static void on_event(void *ctx, const char *json)
{
    (void)ctx;
    size_t l = strlen(events);
    if (l + strlen(json) + 2 >= sizeof events) /* keep the recent ones */
        l = 0, events[0] = '\0';
    if (l + strlen(json) + 2 < sizeof events)
        snprintf(events + l, sizeof events - l, "%s\n", json);
}

static void pump(void)
{
    if (sp)
        tote_spooler_drain(sp, on_event, NULL);
}

/* Waits until job id is in state (or, with state NULL, until pred holds). */
static int wait_state(long long id, const char *state, int timeout_ms, tote_print_job_rec *out)
{
    long long end = tt_now_ms() + tt_ms(timeout_ms);
    tote_print_job_rec r;
    do {
        pump();
        if (tote_store_print_job_get(st, id, &r) == TOTE_ST_E_OK && strcmp(r.state, state) == 0) {
            if (out)
                *out = r;
            return 1;
        }
        tt_sleep_ms(20);
    } while (tt_now_ms() < end);
    fprintf(stderr, "job %lld: state %s (attempts %d, cups %lld, error '%s'), wanted %s\n", id, r.state,
            r.attempts, r.cups_job_id, r.error, state);
    return 0;
}

/* Waits until the event stream has carried needle. */
static int wait_event(const char *needle, int timeout_ms)
{
    long long end = tt_now_ms() + tt_ms(timeout_ms);
    do {
        pump();
        if (strstr(events, needle))
            return 1;
        tt_sleep_ms(20);
    } while (tt_now_ms() < end);
    return 0;
}

static int wait_zebra(tt_zebra *z, int n, int timeout_ms)
{
    long long end = tt_now_ms() + tt_ms(timeout_ms);
    while (tt_zebra_jobs(z) < n && tt_now_ms() < end) {
        pump();
        tt_sleep_ms(20);
    }
    return tt_zebra_jobs(z);
}

static int run_tote(const char *const args[], char **out, char **err)
{
    const char *argv[16];
    int n = 0;
    argv[n++] = tt_bin("tote");
    argv[n++] = "--db";
    argv[n++] = db;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return tt_run(argv, NULL, NULL, 20000, out, err);
}

static long long reprint(const char *printer)
{
    long long id = 0;
    tote_st_err e = tote_print_reprint(st, 1, printer, "tester", &id);
    if (e != TOTE_ST_E_OK)
        fprintf(stderr, "reprint: %s\n", tote_print_last_error());
    if (sp)
        tote_spooler_kick(sp);
    return id;
}

/* An alert about print job id was raised, and its message holds needle. */
static void check_alert(long long id, const char *needle)
{
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(tote_store_db(st), "SELECT message FROM alert WHERE subject = ?1", -1, &q, NULL);
    char subject[48];
    snprintf(subject, sizeof subject, "print_job:%lld", id);
    sqlite3_bind_text(q, 1, subject, -1, SQLITE_TRANSIENT);
    CHECK_EQ(sqlite3_step(q), SQLITE_ROW);
    CHECK_HAS((const char *)sqlite3_column_text(q, 0), needle);
    sqlite3_finalize(q);
}

static void test_setup(void)
{
    REQUIRE_EQ(tt_cupsd_start(&cups), 0);
    REQUIRE_EQ(tt_zebra_start(&zebra), 0);
    REQUIRE_EQ(tt_zebra_start(&office), 0);
    dir = tt_tmpdir("print");
    REQUIRE(dir != NULL);
    snprintf(db, sizeof db, "%s/tote.db", dir);
    const char *init[] = {"init", NULL};
    REQUIRE_EQ(run_tote(init, NULL, NULL), 0);
    REQUIRE_EQ(tt_label_seed(db), 0);
    REQUIRE_EQ(tote_store_open(db, 0, &st, NULL), TOTE_ST_E_OK);
    tote_store_setting_set(st, "print_retry_ms", "100");
    tote_store_setting_set(st, "print_retry_max_ms", "400");
    tote_store_setting_set(st, "print_poll_ms", "20");
    tote_store_setting_set(st, "print_max_attempts", "2");
    /* short, so that every test here would show a job wrongly taken for stranded */
    tote_store_setting_set(st, "print_stranded_ms", "300");
}

static void test_printer_cli(void)
{
    char uri[64], uri2[64];
    snprintf(uri, sizeof uri, "socket://127.0.0.1:%d", zebra.port);
    snprintf(uri2, sizeof uri2, "socket://127.0.0.1:%d", office.port);
    char *out = NULL, *err = NULL;
    const char *add[] = {"printer", "add", "zebra1", uri, NULL};
    CHECK_EQ(run_tote(add, &out, &err), 0);
    CHECK_HAS(out, "printer zebra1 added");
    free(out), free(err);
    const char *add2[] = {"printer", "add", "office1", uri2, "--kind", "pdf", NULL};
    CHECK_EQ(run_tote(add2, NULL, NULL), 0);
    const char *list[] = {"printer", "list", "--json", NULL};
    CHECK_EQ(run_tote(list, &out, NULL), 0);
    CHECK_HAS(out, "\"name\":\"zebra1\"");
    CHECK_HAS(out, "\"kind\":\"zpl\"");
    CHECK_HAS(out, "\"kind\":\"pdf\"");
    CHECK_HAS(out, "\"state\":\"idle\"");
    CHECK_HAS(out, "\"accepting\":true");
    CHECK_HAS(out, uri);
    free(out);
    /* CUPS's view: a raw queue, enabled and accepting */
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    tote_printer_status ps;
    REQUIRE_EQ(tote_cups_printer_status(c, "zebra1", &ps), TOTE_LB_E_OK);
    CHECK_STR(ps.device_uri, uri);
    CHECK_STR(ps.state, "idle");
    CHECK_EQ(ps.accepting, 1);
    /* paused: status shows it with the reason */
    REQUIRE_EQ(tote_cups_pause(c, "zebra1", "out of labels"), TOTE_LB_E_OK);
    const char *status[] = {"printer", "status", "zebra1", "--json", NULL};
    CHECK_EQ(run_tote(status, &out, NULL), 0);
    CHECK_HAS(out, "\"state\":\"stopped\"");
    CHECK_HAS(out, "\"paused\"");
    free(out);
    const char *status_text[] = {"printer", "status", NULL};
    CHECK_EQ(run_tote(status_text, &out, NULL), 0);
    CHECK_HAS(out, "zebra1");
    CHECK_HAS(out, "stopped");
    free(out);
    REQUIRE_EQ(tote_cups_resume(c, "zebra1"), TOTE_LB_E_OK);
    tote_cups_destroy(&c);
    /* bad input: exit 2 with one sentence */
    const char *bad_name[] = {"printer", "add", "my printer", uri, NULL};
    CHECK_EQ(run_tote(bad_name, NULL, &err), 2);
    CHECK_HAS(err, "not a valid printer name");
    free(err);
    const char *bad_uri[] = {"printer", "add", "p2", "nonsense", NULL};
    CHECK_EQ(run_tote(bad_uri, NULL, &err), 2);
    CHECK_HAS(err, "not a device URI");
    free(err);
    const char *bad_kind[] = {"printer", "add", "p2", uri, "--kind", "ps", NULL};
    CHECK_EQ(run_tote(bad_kind, NULL, NULL), 2);
    const char *unknown[] = {"printer", "status", "nope", NULL};
    CHECK_EQ(run_tote(unknown, NULL, &err), 2);
    CHECK_HAS(err, "no printer named nope");
    free(err);
}

/* Runs tote --db DB printer ARGS... with CUPS_SERVER=server; returns the exit status. */
static int run_printer_at(const char *server, const char *const args[], char **out, char **err)
{
    const char *argv[16];
    int n = 0;
    argv[n++] = tt_bin("tote");
    argv[n++] = "--db";
    argv[n++] = db;
    argv[n++] = "printer";
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char env0[600];
    snprintf(env0, sizeof env0, "CUPS_SERVER=%s", server);
    const char *env[] = {env0, NULL};
    return tt_run(argv, env, NULL, 20000, out, err);
}

/* The printers Tote recorded (test_printer_cli added zebra1 and office1), as `printer list --json`
 * gives them with CUPS unreachable at server: state unknown, what only CUPS knows null. */
static void check_unknown_printers(const char *server, const char *json)
{
    cJSON *arr = cJSON_Parse(json);
    REQUIRE(cJSON_IsArray(arr));
    CHECK_EQ(cJSON_GetArraySize(arr), 2);
    char why[600];
    snprintf(why, sizeof why, "CUPS at %s could not be reached", server);
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(o, "name"));
        CHECK(name && (strcmp(name, "zebra1") == 0 || strcmp(name, "office1") == 0));
        CHECK_HAS(cJSON_GetStringValue(cJSON_GetObjectItem(o, "uri")), "socket://127.0.0.1:");
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "state")), "unknown");
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(o, "in_tote")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "in_cups")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "accepting")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(o, "cups_jobs")));
        CHECK(cJSON_IsNumber(cJSON_GetObjectItem(o, "tote_open_jobs")));
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "message")), why);
    }
    cJSON_Delete(arr);
}

/* cupsd not running: a socket file where nothing listens (as a stopped cupsd leaves it), and a
 * path with no socket at all. Tote's printers are listed with their state unknown, one sentence on
 * stderr names the server, and the run fails (exit 1) as a partial answer does elsewhere. */
static void test_printer_list_without_cups(void)
{
    char dead[600];
    snprintf(dead, sizeof dead, "%s/dead-cups.sock", dir);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    REQUIRE(strlen(dead) < sizeof sa.sun_path);
    memcpy(sa.sun_path, dead, strlen(dead) + 1);
    REQUIRE_EQ(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    close(fd); /* bound, never listening: connecting is refused */
    const char *servers[] = {dead, "/nonexistent/cups.sock"};
    for (size_t i = 0; i < 2; i++) {
        char *out = NULL, *err = NULL;
        char why[600];
        snprintf(why, sizeof why, "CUPS at %s could not be reached", servers[i]);
        const char *list[] = {"list", NULL};
        CHECK_EQ(run_printer_at(servers[i], list, &out, &err), 1);
        CHECK_HAS(out, "zebra1");
        CHECK_HAS(out, "office1");
        CHECK_HAS(out, "unknown");
        CHECK(!strstr(out, "could not be reached")); /* said once, on stderr */
        CHECK_HAS(err, why);
        CHECK_EQ(count_lines(err), 1);
        free(out), free(err);
        const char *list_json[] = {"list", "--json", NULL};
        CHECK_EQ(run_printer_at(servers[i], list_json, &out, &err), 1);
        check_unknown_printers(servers[i], out);
        CHECK_HAS(err, why);
        CHECK_EQ(count_lines(err), 1);
        free(out), free(err);
    }
    char *out = NULL, *err = NULL;
    const char *status[] = {"status", "zebra1", "--json", NULL};
    CHECK_EQ(run_printer_at(dead, status, &out, &err), 1);
    cJSON *o = cJSON_Parse(out);
    CHECK(cJSON_IsObject(o));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")), "zebra1");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(o, "state")), "unknown");
    cJSON_Delete(o);
    CHECK_HAS(err, "could not be reached");
    free(out), free(err);
    /* a name Tote does not know: CUPS could not be asked either, a runtime failure */
    const char *unknown[] = {"status", "nope", NULL};
    CHECK_EQ(run_printer_at(dead, unknown, &out, &err), 1);
    CHECK_STR(out, "");
    CHECK_HAS(err, "no printer named nope in Tote, and CUPS at ");
    CHECK_EQ(count_lines(err), 1);
    free(out), free(err);
    unlink(dead);
}

static void test_package_prints_exact_zpl(void)
{
    tote_store_setting_set(st, "label_printer", "zebra1");
    tote_store_setting_set(st, "slip_printer", "office1");
    REQUIRE_EQ(tote_spooler_new(db, &sp), TOTE_ST_E_OK);
    int before = tt_zebra_jobs(&zebra), before_office = tt_zebra_jobs(&office);
    long long t0 = tt_now_ms();
    REQUIRE_EQ(tote_store_begin(st), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_print_queue_package(st, 1, "bench-1", "packer-ann"), TOTE_ST_E_OK);
    REQUIRE_EQ(tote_store_commit(st), TOTE_ST_E_OK);
    tote_spooler_kick(sp);
    tote_print_job_rec *jobs = NULL;
    size_t n = 0;
    REQUIRE_EQ(tote_store_print_job_list(st, 0, &jobs, &n), TOTE_ST_E_OK);
    REQUIRE_EQ(n, 2);
    long long label_job = jobs[0].id, slip_job = jobs[1].id;
    CHECK_STR(jobs[0].kind, "label");
    CHECK_STR(jobs[0].printer, "zebra1");
    CHECK_STR(jobs[1].kind, "slip");
    CHECK_STR(jobs[1].printer, "office1");
    free(jobs);
    tote_print_job_rec r;
    REQUIRE(wait_state(label_job, "completed", 10000, &r));
    printf("submit -> completed: %lld ms\n", tt_now_ms() - t0);
    CHECK_INT(r.cups_job_id, >, 0);
    CHECK_EQ(r.attempts, 1);
    REQUIRE(wait_state(slip_job, "completed", 10000, NULL));
    REQUIRE_EQ(wait_zebra(&zebra, before + 1, 15000), before + 1);
    /* the printer received exactly the ZPL Tote generated and stored */
    char *zpl = NULL;
    REQUIRE_EQ(tote_store_package_label(st, 1, &zpl), TOTE_ST_E_OK);
    REQUIRE(zpl != NULL);
    size_t len = 0;
    const char *got = tt_zebra_job(&zebra, before, &len);
    CHECK_MEM(got, len, zpl, strlen(zpl));
    CHECK_HAS(zpl, "^FD>;>800106141411234567897^FS");
    free(zpl);
    REQUIRE_EQ(wait_zebra(&office, before_office + 1, 15000), before_office + 1);
    got = tt_zebra_job(&office, before_office, &len);
    CHECK(len > 4 && memcmp(got, "%PDF", 4) == 0);
    /* events: queued in the audit log, state changes on the event stream */
    CHECK(wait_event("\"type\":\"print_job\"", 10000));
    CHECK(wait_event("\"state\":\"completed\"", 10000));
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(tote_store_db(st),
                       "SELECT count(*) FROM event WHERE kind = 'print.queued' AND actor = "
                       "'packer-ann'",
                       -1, &q, NULL);
    REQUIRE_EQ(sqlite3_step(q), SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(q, 0), 2);
    sqlite3_finalize(q);
    /* nothing more arrives later */
    tt_sleep_ms(tt_ms(300));
    pump();
    CHECK_EQ(tt_zebra_jobs(&zebra), before + 1);
}

/* Pauses zebra1 (*before: the labels it had then) and queues a label,
 * with the event buffer emptied: the label's print job id once CUPS holds
 * the job pending (*r), else 0. */
static long long pending_while_paused(tote_cups *c, int *before, tote_print_job_rec *r)
{
    tote_lb_err le = tote_cups_pause(c, "zebra1", NULL);
    CHECK_EQ(le, TOTE_LB_E_OK);
    if (le != TOTE_LB_E_OK)
        return 0;
    *before = tt_zebra_jobs(&zebra);
    events[0] = '\0';
    long long id = reprint(NULL);
    return id > 0 && wait_state(id, "pending", 5000, r) ? id : 0;
}

static void test_paused_printer_waits(void)
{
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    int before = 0;
    tote_print_job_rec r;
    long long id = pending_while_paused(c, &before, &r);
    REQUIRE(id > 0);
    CHECK_INT(r.cups_job_id, >, 0);
    /* it waits, and the event stream says why */
    long long end = tt_now_ms() + tt_ms(10000);
    while (!strstr(events, "is stopped") && tt_now_ms() < end) {
        pump();
        tt_sleep_ms(20);
    }
    CHECK_HAS(events, "\"waiting\":\"printer zebra1 is stopped (paused)");
    CHECK_HAS(events, "\"type\":\"printer\",\"name\":\"zebra1\",\"state\":\"stopped\"");
    tt_sleep_ms(tt_ms(500));
    CHECK_EQ(tt_zebra_jobs(&zebra), before);
    REQUIRE_EQ(tote_store_print_job_get(st, id, &r), TOTE_ST_E_OK);
    CHECK_STR(r.state, "pending");
    CHECK_HAS(r.error, "stopped");
    long long cups_id = r.cups_job_id;
    /* enabled: prints once */
    REQUIRE_EQ(tote_cups_resume(c, "zebra1"), TOTE_LB_E_OK);
    REQUIRE(wait_state(id, "completed", 10000, &r));
    CHECK_EQ(r.cups_job_id, cups_id);
    CHECK_EQ(r.attempts, 1);
    CHECK_EQ(wait_zebra(&zebra, before + 1, 15000), before + 1);
    tt_sleep_ms(tt_ms(300));
    CHECK_EQ(tt_zebra_jobs(&zebra), before + 1);
    tote_cups_destroy(&c);
}

static void test_rejecting_queue_retried(void)
{
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    REQUIRE_EQ(tote_cups_reject(c, "zebra1", "maintenance"), TOTE_LB_E_OK);
    int before = tt_zebra_jobs(&zebra);
    long long id = reprint(NULL);
    /* stays queued in Tote, retried with backoff */
    long long end = tt_now_ms() + tt_ms(5000);
    tote_print_job_rec r = {0};
    while (tt_now_ms() < end) {
        pump();
        tote_store_print_job_get(st, id, &r);
        if (r.attempts >= 3)
            break;
        tt_sleep_ms(20);
    }
    CHECK_INT(r.attempts, >=, 3);
    CHECK_STR(r.state, "queued");
    CHECK_EQ(r.cups_job_id, 0);
    CHECK_HAS(r.error, "not accepting");
    CHECK(r.next_attempt_at[0] != '\0');
    CHECK_EQ(tt_zebra_jobs(&zebra), before);
    /* after print_max_attempts the supervisor hears of it, once */
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(tote_store_db(st), "SELECT count(*) FROM alert WHERE subject = ?1", -1, &q, NULL);
    char subject[48];
    snprintf(subject, sizeof subject, "print_job:%lld", id);
    sqlite3_bind_text(q, 1, subject, -1, SQLITE_TRANSIENT);
    REQUIRE_EQ(sqlite3_step(q), SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    REQUIRE_EQ(tote_cups_accept(c, "zebra1"), TOTE_LB_E_OK);
    REQUIRE(wait_state(id, "completed", 10000, &r));
    CHECK_EQ(wait_zebra(&zebra, before + 1, 15000), before + 1);
    tt_sleep_ms(tt_ms(300));
    CHECK_EQ(tt_zebra_jobs(&zebra), before + 1);
    tote_cups_destroy(&c);
}

static void test_cupsd_restart_loses_nothing(void)
{
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    /* A is in CUPS (printer paused) when cupsd goes down */
    int before = 0;
    tote_print_job_rec ra;
    long long a = pending_while_paused(c, &before, &ra);
    REQUIRE(a > 0);
    tt_cupsd_stop(&cups);
    /* B and C are queued while cupsd is down */
    long long b = reprint(NULL), cc = reprint(NULL);
    long long end = tt_now_ms() + tt_ms(5000);
    tote_print_job_rec rb = {0};
    while (tt_now_ms() < end) {
        pump();
        tote_store_print_job_get(st, b, &rb);
        if (rb.attempts >= 2)
            break;
        tt_sleep_ms(20);
    }
    CHECK_INT(rb.attempts, >=, 2);
    CHECK_STR(rb.state, "queued");
    CHECK_HAS(rb.error, "not reachable");
    CHECK(wait_event("\"type\":\"cups\",\"reachable\":false", 10000));
    /* back up: A is followed (same CUPS job), B and C submitted once each */
    REQUIRE_EQ(tt_cupsd_start(&cups), 0);
    REQUIRE_EQ(tote_cups_resume(c, "zebra1"), TOTE_LB_E_OK);
    tote_print_job_rec r;
    REQUIRE(wait_state(a, "completed", 15000, &r));
    CHECK_EQ(r.cups_job_id, ra.cups_job_id);
    CHECK_EQ(r.attempts, 1);
    REQUIRE(wait_state(b, "completed", 15000, NULL));
    REQUIRE(wait_state(cc, "completed", 15000, NULL));
    CHECK_EQ(wait_zebra(&zebra, before + 3, 15000), before + 3);
    tt_sleep_ms(tt_ms(500));
    pump();
    CHECK_EQ(tt_zebra_jobs(&zebra), before + 3);
    /* every job that ever completed is still completed, nothing is pending */
    tote_print_job_rec *jobs = NULL;
    size_t n = 0;
    REQUIRE_EQ(tote_store_print_job_list(st, 1, &jobs, &n), TOTE_ST_E_OK);
    CHECK_EQ(n, 0);
    free(jobs);
    tote_cups_destroy(&c);
}

/* Leaves CUPS's files as a shutdown that raced a job's end leaves them: the
 * job's own file says pending, while job.cache (what cupsd loads to know
 * which jobs it still has to run) says completed. cupsd must be stopped. */
static int strand_in_job_cache(const tt_cupsd *c, long long job_id)
{
    char path[1200], want[64];
    snprintf(path, sizeof path, "%s/cache/job.cache", c->dir);
    size_t len = 0;
    char *text = tt_read_file(path, &len);
    if (!text)
        return -1;
    snprintf(want, sizeof want, "<Job %lld>\nState ", job_id);
    char *at = strstr(text, want);
    int rc = -1;
    if (at && at[strlen(want)] == '3' && at[strlen(want) + 1] == '\n') {
        at[strlen(want)] = '9';
        rc = tt_write_file(path, text, len);
    }
    free(text);
    return rc;
}

/* A job stranded by a CUPS restart: CUPS reports it pending while its
 * printer is idle and counts no job, and never prints it. After
 * print_stranded_ms the spooler cancels it and submits the label again. */
static void test_stranded_job_submitted_again(void)
{
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    int before = 0;
    tote_print_job_rec r;
    long long id = pending_while_paused(c, &before, &r);
    REQUIRE(id > 0);
    long long first = r.cups_job_id;
    tt_cupsd_stop(&cups);
    REQUIRE_EQ(strand_in_job_cache(&cups, first), 0);
    REQUIRE_EQ(tt_cupsd_start(&cups), 0);
    REQUIRE_EQ(tote_cups_resume(c, "zebra1"), TOTE_LB_E_OK);
    tote_cups_job cj;
    REQUIRE_EQ(tote_cups_job_status(c, (int)first, &cj), TOTE_LB_E_OK);
    CHECK_EQ(cj.state, TOTE_JOB_PENDING); /* what CUPS says, and keeps saying */
    REQUIRE(wait_state(id, "completed", 15000, &r));
    CHECK_EQ(r.attempts, 2);
    CHECK(r.cups_job_id != first);
    CHECK(wait_event("stranded by a CUPS restart", 10000));
    REQUIRE_EQ(tote_cups_job_status(c, (int)first, &cj), TOTE_LB_E_OK);
    CHECK_EQ(cj.state, TOTE_JOB_CANCELED);
    CHECK_EQ(wait_zebra(&zebra, before + 1, 15000), before + 1);
    tt_sleep_ms(tt_ms(500));
    pump();
    CHECK_EQ(tt_zebra_jobs(&zebra), before + 1);
    tote_cups_destroy(&c);
}

/* The station died after CUPS accepted a job and before the CUPS job id was
 * written: the next spooler finds the job in CUPS and does not print again. */
static void test_unrecorded_submit_adopted(void)
{
    tote_spooler_destroy(&sp);
    int before = tt_zebra_jobs(&zebra);
    const char doc[] = "^XA^FO10,10^A0N,30,30^FDcrash test^FS^XZ\n";
    long long id = 0;
    REQUIRE_EQ(tote_store_print_job_add(st, "zebra1", 1, "label", "zpl", doc, sizeof doc - 1, "tester", &id),
               TOTE_ST_E_OK);
    int claimed = 0;
    REQUIRE_EQ(tote_store_print_job_claim(st, id, 0, "2000-01-01T00:00:00.000Z", &claimed), TOTE_ST_E_OK);
    REQUIRE_EQ(claimed, 1);
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    char name[64];
    snprintf(name, sizeof name, "tote-%lld-1", id);
    int cups_id = 0;
    REQUIRE_EQ(tote_cups_submit(c, "zebra1", name, doc, sizeof doc - 1, &cups_id), TOTE_LB_E_OK);
    tote_cups_destroy(&c);
    /* ... and the station restarts */
    REQUIRE_EQ(tote_spooler_new(db, &sp), TOTE_ST_E_OK);
    tote_print_job_rec r;
    REQUIRE(wait_state(id, "completed", 10000, &r));
    CHECK_EQ(r.cups_job_id, cups_id);
    CHECK_EQ(wait_zebra(&zebra, before + 1, 15000), before + 1);
    tt_sleep_ms(tt_ms(500));
    CHECK_EQ(tt_zebra_jobs(&zebra), before + 1);
    size_t len = 0;
    const char *got = tt_zebra_job(&zebra, before, &len);
    CHECK_MEM(got, len, doc, sizeof doc - 1);
    /* a second claim of the same attempt loses */
    REQUIRE_EQ(tote_store_print_job_claim(st, id, 0, NULL, &claimed), TOTE_ST_E_OK);
    CHECK_EQ(claimed, 0);
}

/* CUPS crashed before it saved its job files and gave a recorded job's id
 * to another job: the spooler does not take that job's outcome for the
 * label's, it marks the label's job failed with an alert. */
static void test_job_id_taken_by_another_job(void)
{
    const char doc[] = "^XA^FO10,10^A0N,30,30^FDlost^FS^XZ\n";
    long long id = 0;
    REQUIRE_EQ(tote_store_print_job_add(st, "zebra1", 1, "label", "zpl", doc, sizeof doc - 1, "tester", &id),
               TOTE_ST_E_OK);
    int claimed = 0;
    REQUIRE_EQ(tote_store_print_job_claim(st, id, 0, NULL, &claimed), TOTE_ST_E_OK);
    REQUIRE_EQ(claimed, 1);
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    int other = 0;
    REQUIRE_EQ(tote_cups_submit(c, "zebra1", "office-memo", doc, sizeof doc - 1, &other), TOTE_LB_E_OK);
    tote_cups_destroy(&c);
    REQUIRE_EQ(tote_store_print_job_submitted(st, id, other, "pending"), TOTE_ST_E_OK);
    tote_spooler_kick(sp);
    tote_print_job_rec r;
    REQUIRE(wait_state(id, "failed", 10000, &r));
    CHECK_HAS(r.error, "is now another job (office-memo)");
    CHECK_HAS(r.error, "reprint");
    check_alert(id, "lost by CUPS");
}

/* A job CUPS holds is released (counted as an attempt) and prints once. */
static void test_held_job_released(void)
{
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    int before = 0;
    tote_print_job_rec r;
    long long id = pending_while_paused(c, &before, &r);
    REQUIRE(id > 0);
    char jid[32];
    snprintf(jid, sizeof jid, "%lld", r.cups_job_id);
    const char *hold[] = {"/usr/bin/lp", "-h", cups.sock, "-i", jid, "-H", "hold", NULL};
    REQUIRE_EQ(tt_run(hold, NULL, NULL, 10000, NULL, NULL), 0);
    /* as long as the other waits here: under a parallel ctest run the
     * spooler's next look at the job came after 5 s once */
    long long end = tt_now_ms() + tt_ms(15000);
    while (tt_now_ms() < end) {
        pump();
        tote_store_print_job_get(st, id, &r);
        if (r.attempts >= 2)
            break;
        tt_sleep_ms(20);
    }
    CHECK_EQ(r.attempts, 2);
    CHECK_HAS(r.error, "held job");
    REQUIRE_EQ(tote_cups_resume(c, "zebra1"), TOTE_LB_E_OK);
    REQUIRE(wait_state(id, "completed", 10000, &r));
    CHECK_EQ(wait_zebra(&zebra, before + 1, 15000), before + 1);
    tt_sleep_ms(tt_ms(300));
    CHECK_EQ(tt_zebra_jobs(&zebra), before + 1);
    tote_cups_destroy(&c);
}

static void test_aborted_jobs_raise_alert(void)
{
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    REQUIRE_EQ(tote_cups_add_printer(c, "broken", "tfail://nowhere", TOTE_PRINTER_ZPL, NULL), TOTE_LB_E_OK);
    tote_cups_destroy(&c);
    tote_store_printer_put(st, "broken", "tfail://nowhere", "zpl");
    /* CUPS aborts the job when the backend fails */
    const char *lp[] = {
        "/usr/sbin/lpadmin", "-h", cups.sock, "-p", "broken", "-o", "printer-error-policy=abort-job", NULL};
    REQUIRE_EQ(tt_run(lp, NULL, NULL, 10000, NULL, NULL), 0);
    events[0] = '\0';
    long long id = reprint("broken");
    tote_print_job_rec r;
    REQUIRE(wait_state(id, "failed", 15000, &r));
    CHECK_EQ(r.attempts, 2);
    CHECK_HAS(r.error, "aborted by CUPS after 2 attempts");
    check_alert(id, "aborted");
    CHECK(wait_event("\"state\":\"failed\"", 10000));
}

static void test_reprint_cli_audited(void)
{
    /* counted before the job exists: the running spooler may print it before the CLI checks below end */
    int before = tt_zebra_jobs(&zebra);
    char *out = NULL, *err = NULL;
    const char *rp[] = {"label", "reprint", "LX000000015NL", "--actor", "sup-bob", NULL};
    CHECK_EQ(run_tote(rp, &out, &err), 0);
    CHECK_HAS(out, "queued print job");
    free(out), free(err);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(tote_store_db(st),
                       "SELECT count(*) FROM event WHERE kind = 'label.reprint' AND actor = "
                       "'sup-bob' AND subject = '1'",
                       -1, &q, NULL);
    REQUIRE_EQ(sqlite3_step(q), SQLITE_ROW);
    CHECK_EQ(sqlite3_column_int(q, 0), 1);
    sqlite3_finalize(q);
    const char *bad[] = {"label", "reprint", "NOPE123", NULL};
    CHECK_EQ(run_tote(bad, NULL, &err), 2);
    CHECK_HAS(err, "no package");
    free(err);
    const char *badp[] = {"label", "reprint", "1", "--printer", "ghost", NULL};
    CHECK_EQ(run_tote(badp, NULL, &err), 2);
    CHECK_HAS(err, "no printer named ghost");
    free(err);
    /* the running spooler prints the CLI's job, once */
    tote_spooler_kick(sp);
    CHECK_EQ(wait_zebra(&zebra, before + 1, 10000), before + 1);
}

static void test_teardown(void)
{
    tote_spooler_destroy(&sp);
    tote_spooler_destroy(&sp); /* NULL-safe */
    tote_store_destroy(&st);
    tt_zebra_stop(&zebra);
    tt_zebra_stop(&office);
    tt_cupsd_destroy(&cups);
    if (dir)
        tt_rmrf(dir);
    free(dir);
}

TT_MAIN(TT_TEST(test_setup), TT_TEST(test_printer_cli), TT_TEST(test_printer_list_without_cups),
        TT_TEST(test_package_prints_exact_zpl), TT_TEST(test_paused_printer_waits),
        TT_TEST(test_rejecting_queue_retried), TT_TEST(test_cupsd_restart_loses_nothing),
        TT_TEST(test_stranded_job_submitted_again), TT_TEST(test_unrecorded_submit_adopted),
        TT_TEST(test_job_id_taken_by_another_job), TT_TEST(test_held_job_released),
        TT_TEST(test_aborted_jobs_raise_alert), TT_TEST(test_reprint_cli_audited), TT_TEST(test_teardown))
