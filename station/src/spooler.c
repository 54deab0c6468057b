/*
 * The print queue and the spooler (printing.h).
 *
 * Exactly-once printing: a job is claimed for attempt k by a compare-and-set
 * on print_job.attempts, submitted to CUPS named "tote-<id>-<k>", and its CUPS
 * job id is written to the database before anything else. If the station
 * dies between CUPS accepting a job and that write, the next claim (k+1)
 * first looks for "tote-<id>-<k>" in CUPS and adopts it instead of printing
 * again. Jobs with a CUPS job id are only followed, never resubmitted; a job
 * CUPS aborted is submitted again (it did not print), up to
 * print_max_attempts, then raised as an alert.
 *
 * One CUPS state is stranded: a job whose backend ends while cupsd shuts
 * down can come back after the restart as "pending" (reason job-printing)
 * while cupsd no longer counts it among its printer's jobs. It never prints.
 * A job pending while its printer is idle, accepting and has no job queued,
 * for print_stranded_ms (default 10000), is cancelled in CUPS and submitted
 * again as the next attempt. Its first copy may have come out: a label then
 * prints twice, with the same tracking number, rather than never.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mono_clock.h"
#include "tote/cups_printer.h"
#include "tote/preview.h"
#include "tote/printing.h"
#include "tote/zpl.h"

static _Thread_local char print_err[512];

const char *tote_print_last_error(void)
{
    return print_err;
}

static void set_perr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_perr(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(print_err, sizeof print_err, fmt, ap);
    va_end(ap);
}

/* ---------------- queueing ---------------- */

static tote_st_err render_label(tote_store *s, tote_label_data *d, long long package_id, char **zpl,
                                size_t *len)
{
    const char *field = NULL;
    tote_lb_err le = tote_label_zpl(tote_label_data_label(d), tote_label_default_dpi(s), zpl, len, &field);
    if (le != TOTE_LB_E_OK) {
        set_perr("cannot make the label of package %lld: %s%s%s", package_id, tote_lb_strerror(le),
                 field ? " in " : "", field ? field : "");
        return le == TOTE_LB_E_NOMEM ? TOTE_ST_E_NOMEM : TOTE_ST_E_INVALID;
    }
    return TOTE_ST_E_OK;
}

static tote_st_err queued_event(tote_store *s, const char *actor, const char *device, long long package_id,
                                long long job_id, const char *printer, const char *kind)
{
    char detail[512], subject[32];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "job", (double)job_id);
    cJSON_AddStringToObject(o, "printer", printer);
    cJSON_AddStringToObject(o, "kind", kind);
    char *t = cJSON_PrintUnformatted(o);
    snprintf(detail, sizeof detail, "%s", t ? t : "{}");
    cJSON_free(t);
    cJSON_Delete(o);
    snprintf(subject, sizeof subject, "%lld", package_id);
    return tote_store_event(s, actor, device, "print.queued", "package", subject, detail);
}

tote_st_err tote_print_queue_package(tote_store *s, long long package_id, const char *device,
                                     const char *actor)
{
    print_err[0] = '\0';
    tote_label_data *d = NULL;
    tote_st_err e = tote_label_data_load(s, 0, package_id, &d);
    if (e != TOTE_ST_E_OK) {
        set_perr("no package %lld", package_id);
        return e;
    }
    char *zpl = NULL;
    size_t zlen = 0;
    if ((e = render_label(s, d, package_id, &zpl, &zlen)) != TOTE_ST_E_OK) {
        tote_label_data_destroy(&d);
        return e;
    }
    e = tote_store_package_set_label(s, package_id, zpl);
    char lp[128], sp[128];
    if (e == TOTE_ST_E_OK)
        e = tote_store_device_printers(s, device, lp, sp);
    if (e == TOTE_ST_E_OK && !lp[0])
        tote_store_setting_get(s, "label_printer", "", lp, sizeof lp);
    if (e == TOTE_ST_E_OK && !sp[0])
        tote_store_setting_get(s, "slip_printer", "", sp, sizeof sp);
    long long job = 0;
    if (e == TOTE_ST_E_OK && lp[0]) {
        e = tote_store_print_job_add(s, lp, package_id, "label", "zpl", zpl, zlen, actor, &job);
        if (e == TOTE_ST_E_OK)
            e = queued_event(s, actor, device, package_id, job, lp, "label");
    }
    free(zpl);
    if (e == TOTE_ST_E_OK && sp[0]) {
        unsigned char *pdf = NULL;
        size_t plen = 0;
        tote_lb_err le = tote_slip_pdf_mem(tote_label_data_slip(d), &pdf, &plen, NULL);
        if (le != TOTE_LB_E_OK) {
            set_perr("cannot make the packing slip of package %lld: %s", package_id, tote_lb_strerror(le));
            e = TOTE_ST_E_INVALID;
        } else {
            e = tote_store_print_job_add(s, sp, package_id, "slip", "pdf", pdf, plen, actor, &job);
            if (e == TOTE_ST_E_OK)
                e = queued_event(s, actor, device, package_id, job, sp, "slip");
        }
        free(pdf);
    }
    tote_label_data_destroy(&d);
    return e;
}

tote_st_err tote_print_reprint(tote_store *s, long long package_id, const char *printer, const char *actor,
                               long long *job_id)
{
    print_err[0] = '\0';
    tote_st_err e = tote_store_begin(s);
    if (e != TOTE_ST_E_OK) {
        set_perr("cannot start a transaction: %s", tote_st_strerror(e));
        return e;
    }
    char *zpl = NULL;
    size_t zlen = 0;
    tote_label_data *d = NULL;
    e = tote_store_package_label(s, package_id, &zpl);
    if (e == TOTE_ST_E_NOT_FOUND)
        set_perr("no package %lld", package_id);
    if (e == TOTE_ST_E_OK)
        e = tote_label_data_load(s, 0, package_id, &d);
    if (e == TOTE_ST_E_OK && !zpl) {
        e = render_label(s, d, package_id, &zpl, &zlen);
        if (e == TOTE_ST_E_OK)
            e = tote_store_package_set_label(s, package_id, zpl);
    } else if (zpl) {
        zlen = strlen(zpl);
    }
    char lp[128] = "", sp[128];
    if (e == TOTE_ST_E_OK) {
        if (printer && *printer)
            snprintf(lp, sizeof lp, "%s", printer);
        else /* the bench that packed it */
            e = tote_store_device_printers(s, tote_label_data_device(d), lp, sp);
    }
    tote_label_data_destroy(&d);
    if (e == TOTE_ST_E_OK && !lp[0])
        tote_store_setting_get(s, "label_printer", "", lp, sizeof lp);
    if (e == TOTE_ST_E_OK && !lp[0]) {
        set_perr("no label printer is configured (pass --printer NAME, or set the bench's label printer or "
                 "the setting label_printer)");
        e = TOTE_ST_E_STATE;
    }
    long long id = 0;
    if (e == TOTE_ST_E_OK)
        e = tote_store_print_job_add(s, lp, package_id, "label", "zpl", zpl, zlen, actor, &id);
    if (e == TOTE_ST_E_OK) {
        char detail[256], subject[32];
        snprintf(detail, sizeof detail, "{\"job\":%lld}", id);
        snprintf(subject, sizeof subject, "%lld", package_id);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "job", (double)id);
        cJSON_AddStringToObject(o, "printer", lp);
        char *t = cJSON_PrintUnformatted(o);
        e = tote_store_event(s, actor, NULL, "label.reprint", "package", subject, t ? t : detail);
        cJSON_free(t);
        cJSON_Delete(o);
    }
    free(zpl);
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(s);
    if (e != TOTE_ST_E_OK) {
        tote_store_rollback(s);
        if (!print_err[0])
            set_perr("cannot queue the reprint: %s", tote_st_strerror(e));
        return e;
    }
    if (job_id)
        *job_id = id;
    return TOTE_ST_E_OK;
}

/* ---------------- the spooler ---------------- */

struct job_note {
    long long id;
    char state[16];
    char note[256];
    long long stranded_since; /* ms (monotonic) the job was first seen stranded; 0: it is not */
};

struct printer_seen {
    char name[128];
    tote_printer_status st;
    int have;
};

struct tote_spooler {
    tote_store *st;
    tote_cups *cups;
    pthread_t th;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop, kicked;
    int pipe_r, pipe_w;
    char **events;
    size_t n_events, cap_events;
    int max_attempts;
    long retry_ms, retry_max_ms, poll_ms, stranded_ms;
    struct job_note *notes;
    size_t n_notes;
    struct printer_seen *printers;
    size_t n_printers;
    int cups_down;
};

static void real_now(char buf[32], long offset_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset_ms;
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char date[24];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, 32, "%.19s.%03dZ", date, (int)(ms % 1000));
}

static void emit(tote_spooler *sp, cJSON *o)
{
    char *t = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!t)
        return;
    char *copy = strdup(t);
    cJSON_free(t);
    if (!copy)
        return;
    pthread_mutex_lock(&sp->mu);
    if (sp->n_events == sp->cap_events) {
        size_t cap = sp->cap_events ? sp->cap_events * 2 : 16;
        char **nv = realloc(sp->events, cap * sizeof *nv);
        if (!nv) {
            pthread_mutex_unlock(&sp->mu);
            free(copy);
            return;
        }
        sp->events = nv;
        sp->cap_events = cap;
    }
    sp->events[sp->n_events++] = copy;
    pthread_mutex_unlock(&sp->mu);
    char b = 1;
    ssize_t w = write(sp->pipe_w, &b, 1);
    (void)w; /* a full pipe already says "readable" */
}

static void job_event(tote_spooler *sp, long long id, const char *waiting)
{
    tote_print_job_rec r;
    if (tote_store_print_job_get(sp->st, id, &r) != TOTE_ST_E_OK)
        return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "print_job");
    cJSON_AddNumberToObject(o, "id", (double)r.id);
    cJSON_AddStringToObject(o, "printer", r.printer);
    cJSON_AddStringToObject(o, "kind", r.kind);
    if (r.package_id)
        cJSON_AddNumberToObject(o, "package_id", (double)r.package_id);
    else
        cJSON_AddNullToObject(o, "package_id");
    cJSON_AddStringToObject(o, "state", r.state);
    if (r.cups_job_id)
        cJSON_AddNumberToObject(o, "cups_job_id", (double)r.cups_job_id);
    else
        cJSON_AddNullToObject(o, "cups_job_id");
    cJSON_AddNumberToObject(o, "attempts", r.attempts);
    if (r.error[0])
        cJSON_AddStringToObject(o, "error", r.error);
    else
        cJSON_AddNullToObject(o, "error");
    if (waiting && *waiting)
        cJSON_AddStringToObject(o, "waiting", waiting);
    emit(sp, o);
}

static tote_st_err alert(tote_spooler *sp, long long id, const char *msg)
{
    char subject[48];
    snprintf(subject, sizeof subject, "print_job:%lld", id);
    return tote_store_alert_add(sp->st, "print", subject, msg);
}

static long backoff_ms(const tote_spooler *sp, int attempt)
{
    long ms = sp->retry_ms;
    for (int i = 1; i < attempt && ms < sp->retry_max_ms; i++)
        ms *= 2;
    return ms > sp->retry_max_ms ? sp->retry_max_ms : ms;
}

static struct job_note *note_for(tote_spooler *sp, long long id)
{
    for (size_t i = 0; i < sp->n_notes; i++)
        if (sp->notes[i].id == id)
            return &sp->notes[i];
    struct job_note *nv = realloc(sp->notes, (sp->n_notes + 1) * sizeof *nv);
    if (!nv)
        return NULL;
    sp->notes = nv;
    struct job_note *n = &sp->notes[sp->n_notes++];
    memset(n, 0, sizeof *n);
    n->id = id;
    return n;
}

static void forget_note(tote_spooler *sp, long long id)
{
    for (size_t i = 0; i < sp->n_notes; i++)
        if (sp->notes[i].id == id) {
            sp->notes[i] = sp->notes[--sp->n_notes];
            return;
        }
}

/* Printer state, fetched once per pass; emits a printer event on change. */
static const tote_printer_status *printer_state(tote_spooler *sp, const char *name, int pass)
{
    struct printer_seen *p = NULL;
    for (size_t i = 0; i < sp->n_printers; i++)
        if (strcmp(sp->printers[i].name, name) == 0)
            p = &sp->printers[i];
    if (!p) {
        struct printer_seen *nv = realloc(sp->printers, (sp->n_printers + 1) * sizeof *nv);
        if (!nv)
            return NULL;
        sp->printers = nv;
        p = &sp->printers[sp->n_printers++];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "%s", name);
    }
    if (p->have == pass)
        return &p->st;
    tote_printer_status now;
    if (tote_cups_printer_status(sp->cups, name, &now) != TOTE_LB_E_OK)
        return NULL;
    int changed = p->have == 0 || strcmp(now.state, p->st.state) || now.accepting != p->st.accepting ||
                  strcmp(now.reasons, p->st.reasons) || strcmp(now.message, p->st.message);
    p->st = now;
    p->have = pass;
    if (changed) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "printer");
        cJSON_AddStringToObject(o, "name", now.name[0] ? now.name : name);
        cJSON_AddStringToObject(o, "state", now.state);
        cJSON_AddBoolToObject(o, "accepting", now.accepting);
        cJSON_AddStringToObject(o, "reasons", now.reasons);
        cJSON_AddStringToObject(o, "message", now.message);
        emit(sp, o);
    }
    return &p->st;
}

static void cups_reachable(tote_spooler *sp, int up)
{
    if (sp->cups_down == !up)
        return;
    sp->cups_down = !up;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", "cups");
    cJSON_AddBoolToObject(o, "reachable", up);
    cJSON_AddStringToObject(o, "server", tote_cups_server(sp->cups));
    if (!up)
        cJSON_AddStringToObject(o, "error", tote_cups_last_error(sp->cups));
    emit(sp, o);
}

/* A failed submission attempt: stays queued, next try after backoff. */
static void submit_failed(tote_spooler *sp, const tote_print_job_rec *j, int attempt, tote_lb_err le)
{
    char next[32], msg[700];
    real_now(next, backoff_ms(sp, attempt));
    snprintf(msg, sizeof msg, "%s", tote_cups_last_error(sp->cups));
    if (le == TOTE_LB_E_UNAVAILABLE)
        cups_reachable(sp, 0);
    tote_st_err e = tote_store_begin(sp->st);
    if (e == TOTE_ST_E_OK)
        e = tote_store_print_job_retry(sp->st, j->id, next, msg);
    if (e == TOTE_ST_E_OK && attempt == sp->max_attempts) {
        char am[800];
        snprintf(am, sizeof am, "print job %lld for %.127s is still waiting after %d attempts: %.500s", j->id,
                 j->printer, attempt, msg);
        e = alert(sp, j->id, am);
    }
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(sp->st);
    if (e != TOTE_ST_E_OK)
        tote_store_rollback(sp->st);
    job_event(sp, j->id, msg);
}

static void submit(tote_spooler *sp, const tote_print_job_rec *j)
{
    char lease[32];
    real_now(lease, 30000);
    int claimed = 0;
    if (tote_store_print_job_claim(sp->st, j->id, j->attempts, lease, &claimed) != TOTE_ST_E_OK || !claimed)
        return;
    int attempt = j->attempts + 1;
    char name[64];
    if (j->attempts > 0) {
        /* did the previous attempt reach CUPS without being recorded? */
        snprintf(name, sizeof name, "tote-%lld-%d", j->id, j->attempts);
        int found = 0;
        tote_lb_err le = tote_cups_find_job(sp->cups, j->printer, name, &found);
        if (le != TOTE_LB_E_OK) {
            submit_failed(sp, j, attempt, le);
            return;
        }
        if (found > 0) {
            tote_cups_job cj;
            if (tote_cups_job_status(sp->cups, found, &cj) == TOTE_LB_E_OK && cj.state != TOTE_JOB_ABORTED &&
                cj.state != TOTE_JOB_CANCELED) {
                tote_store_print_job_submitted(sp->st, j->id, found, tote_job_state_name(cj.state));
                job_event(sp, j->id, "found in CUPS after a restart");
                return;
            }
        }
    }
    void *doc = NULL;
    size_t len = 0;
    if (tote_store_print_job_document(sp->st, j->id, &doc, &len) != TOTE_ST_E_OK)
        return;
    snprintf(name, sizeof name, "tote-%lld-%d", j->id, attempt);
    int cups_id = 0;
    tote_lb_err le = tote_cups_submit(sp->cups, j->printer, name, doc, len, &cups_id);
    free(doc);
    if (le != TOTE_LB_E_OK) {
        submit_failed(sp, j, attempt, le);
        return;
    }
    cups_reachable(sp, 1);
    /* record the CUPS job id before trusting anything else */
    tote_store_print_job_submitted(sp->st, j->id, cups_id, "pending");
    job_event(sp, j->id, NULL);
}

static void finish_failed(tote_spooler *sp, const tote_print_job_rec *j, const char *msg)
{
    /* the state and the alert together, or neither */
    tote_st_err e = tote_store_begin(sp->st);
    if (e == TOTE_ST_E_OK)
        e = tote_store_print_job_state(sp->st, j->id, "failed", msg);
    if (e == TOTE_ST_E_OK)
        e = alert(sp, j->id, msg);
    if (e == TOTE_ST_E_OK)
        e = tote_store_commit(sp->st);
    if (e != TOTE_ST_E_OK) {
        tote_store_rollback(sp->st);
        return; /* tried again on the next pass */
    }
    forget_note(sp, j->id);
    job_event(sp, j->id, NULL);
}

/* A pending job its idle printer does not count (see the top of this file):
 * once it has been so for stranded_ms, cancels it in CUPS and queues the
 * next attempt. 1 if it did. */
static int stranded(tote_spooler *sp, const tote_print_job_rec *j, const tote_cups_job *cj,
                    const tote_printer_status *ps)
{
    struct job_note *n = note_for(sp, j->id);
    if (!n)
        return 0;
    if (cj->state != TOTE_JOB_PENDING || !ps || strcmp(ps->state, "idle") != 0 || !ps->accepting ||
        ps->queued_jobs != 0) {
        n->stranded_since = 0;
        return 0;
    }
    long long now = mono_ms();
    if (!n->stranded_since)
        n->stranded_since = now;
    if (now - n->stranded_since < sp->stranded_ms)
        return 0;
    if (tote_cups_cancel_job(sp->cups, (int)j->cups_job_id) != TOTE_LB_E_OK)
        return 0; /* tried again on the next pass */
    char msg[400];
    snprintf(msg, sizeof msg,
             "CUPS kept job %lld pending while %.100s was idle with no job queued (stranded by a CUPS "
             "restart): cancelled it and submitted the label again",
             j->cups_job_id, j->printer);
    tote_store_print_job_retry(sp->st, j->id, NULL, msg);
    forget_note(sp, j->id);
    job_event(sp, j->id, msg);
    return 1;
}

static void follow(tote_spooler *sp, const tote_print_job_rec *j, int pass)
{
    tote_cups_job cj;
    tote_lb_err le = tote_cups_job_status(sp->cups, (int)j->cups_job_id, &cj);
    if (le == TOTE_LB_E_UNAVAILABLE) {
        cups_reachable(sp, 0);
        return;
    }
    if (le == TOTE_LB_E_NOT_FOUND) {
        char msg[300];
        snprintf(
            msg, sizeof msg,
            "CUPS no longer knows job %lld (print job %lld on %s); check the printer and reprint if needed",
            j->cups_job_id, j->id, j->printer);
        finish_failed(sp, j, msg);
        return;
    }
    if (le != TOTE_LB_E_OK)
        return;
    cups_reachable(sp, 1);
    /* A CUPS that crashed before it saved its job files starts numbering
     * again from an older point, and the id can then be another job's: ours
     * is gone. (An empty name: CUPS keeps job names private from this user.) */
    char mine[64];
    int mine_len = snprintf(mine, sizeof mine, "tote-%lld-", j->id);
    if (cj.name[0] && strncmp(cj.name, mine, (size_t)mine_len) != 0) {
        char msg[500];
        snprintf(
            msg, sizeof msg,
            "CUPS job %lld is now another job (%.100s): print job %lld on %s was lost by CUPS; check the "
            "printer and reprint if needed",
            j->cups_job_id, cj.name, j->id, j->printer);
        finish_failed(sp, j, msg);
        return;
    }
    const char *state = tote_job_state_name(cj.state);
    char why[700];
    snprintf(why, sizeof why, "%.300s%s%.300s", cj.reasons, cj.message[0] ? ": " : "", cj.message);
    if (cj.state == TOTE_JOB_ABORTED || cj.state == TOTE_JOB_HELD) {
        char msg[900];
        if (j->attempts >= sp->max_attempts) {
            snprintf(msg, sizeof msg, "print job %lld on %s was %s by CUPS after %d attempts (%s)", j->id,
                     j->printer, state, j->attempts, why);
            finish_failed(sp, j, msg);
            return;
        }
        if (cj.state == TOTE_JOB_ABORTED) {
            char next[32];
            real_now(next, backoff_ms(sp, j->attempts));
            snprintf(msg, sizeof msg, "CUPS aborted job %lld (%s); trying again", j->cups_job_id, why);
            tote_store_print_job_retry(sp->st, j->id, next, msg);
        } else {
            snprintf(msg, sizeof msg, "CUPS held job %lld (%s); released it", j->cups_job_id, why);
            tote_cups_release_job(sp->cups, (int)j->cups_job_id);
            tote_store_print_job_bump(sp->st, j->id, msg);
        }
        forget_note(sp, j->id);
        job_event(sp, j->id, NULL);
        return;
    }
    if (cj.state == TOTE_JOB_COMPLETED || cj.state == TOTE_JOB_CANCELED) {
        tote_store_print_job_state(sp->st, j->id, state, cj.state == TOTE_JOB_CANCELED ? why : NULL);
        forget_note(sp, j->id);
        job_event(sp, j->id, NULL);
        return;
    }
    /* pending / processing / stopped: say why it waits */
    char note[256] = "";
    const tote_printer_status *ps = printer_state(sp, j->printer, pass);
    if (stranded(sp, j, &cj, ps))
        return;
    if (ps && strcmp(ps->state, "stopped") == 0)
        snprintf(note, sizeof note, "printer %.60s is stopped (%.80s)%s%.80s", j->printer, ps->reasons,
                 ps->message[0] ? ": " : "", ps->message);
    else if (cj.state == TOTE_JOB_PROCESSING && ps && ps->message[0])
        snprintf(note, sizeof note, "printer %.60s: %.180s", j->printer, ps->message);
    struct job_note *n = note_for(sp, j->id);
    if (strcmp(j->state, state) != 0 || strcmp(j->error, note) != 0)
        tote_store_print_job_state(sp->st, j->id, state, note[0] ? note : NULL);
    if (n && (strcmp(n->state, state) || strcmp(n->note, note))) {
        snprintf(n->state, sizeof n->state, "%s", state);
        snprintf(n->note, sizeof n->note, "%s", note);
        job_event(sp, j->id, note);
    }
}

/* One pass over the active jobs; returns ms until the next pass. */
static long pass_once(tote_spooler *sp, int pass)
{
    tote_print_job_rec *jobs = NULL;
    size_t n = 0;
    if (tote_store_print_job_list(sp->st, 1, &jobs, &n) != TOTE_ST_E_OK)
        return 1000;
    char now[32];
    real_now(now, 0);
    long wait = 1000;
    for (size_t i = 0; i < n; i++) {
        tote_print_job_rec *j = &jobs[i];
        if (j->cups_job_id == 0 && strcmp(j->state, "queued") == 0) {
            if (!j->next_attempt_at[0] || strcmp(j->next_attempt_at, now) <= 0)
                submit(sp, j);
            if (wait > sp->poll_ms)
                wait = sp->poll_ms;
        } else if (j->cups_job_id) {
            follow(sp, j, pass);
            wait = sp->poll_ms;
        }
    }
    free(jobs);
    return wait;
}

static void *spool_main(void *arg)
{
    tote_spooler *sp = arg;
    int pass = 0;
    pthread_mutex_lock(&sp->mu);
    while (!sp->stop) {
        sp->kicked = 0;
        pthread_mutex_unlock(&sp->mu);
        long wait = pass_once(sp, ++pass);
        pthread_mutex_lock(&sp->mu);
        if (sp->stop || sp->kicked)
            continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += wait / 1000;
        ts.tv_nsec += (wait % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        while (!sp->stop && !sp->kicked)
            if (pthread_cond_timedwait(&sp->cv, &sp->mu, &ts) == ETIMEDOUT)
                break;
    }
    pthread_mutex_unlock(&sp->mu);
    return NULL;
}

tote_st_err tote_spooler_new(const char *db_path, tote_spooler **out)
{
    *out = NULL;
    tote_spooler *sp = calloc(1, sizeof *sp);
    if (!sp)
        return TOTE_ST_E_NOMEM;
    sp->pipe_r = sp->pipe_w = -1;
    char *msg = NULL;
    tote_st_err e = tote_store_open(db_path, 0, &sp->st, &msg);
    if (e != TOTE_ST_E_OK) {
        set_perr("%s", msg ? msg : tote_st_strerror(e));
        free(msg);
        free(sp);
        return e;
    }
    if (tote_cups_new(NULL, &sp->cups) != TOTE_LB_E_OK) {
        tote_store_destroy(&sp->st);
        free(sp);
        return TOTE_ST_E_NOMEM;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        tote_cups_destroy(&sp->cups);
        tote_store_destroy(&sp->st);
        free(sp);
        return TOTE_ST_E_IO;
    }
    sp->pipe_r = fds[0];
    sp->pipe_w = fds[1];
    sp->max_attempts = (int)tote_store_setting_int(sp->st, "print_max_attempts", 5);
    if (sp->max_attempts < 1)
        sp->max_attempts = 1;
    sp->retry_ms = (long)tote_store_setting_int(sp->st, "print_retry_ms", 1000);
    sp->retry_max_ms = (long)tote_store_setting_int(sp->st, "print_retry_max_ms", 30000);
    sp->poll_ms = (long)tote_store_setting_int(sp->st, "print_poll_ms", 100);
    sp->stranded_ms = (long)tote_store_setting_int(sp->st, "print_stranded_ms", 10000);
    if (sp->retry_ms < 10)
        sp->retry_ms = 10;
    if (sp->retry_max_ms < sp->retry_ms)
        sp->retry_max_ms = sp->retry_ms;
    if (sp->poll_ms < 10)
        sp->poll_ms = 10;
    pthread_mutex_init(&sp->mu, NULL);
    pthread_cond_init(&sp->cv, NULL);
    if (pthread_create(&sp->th, NULL, spool_main, sp) != 0) {
        tote_spooler_destroy(&sp);
        return TOTE_ST_E_NOMEM;
    }
    sp->started = 1;
    *out = sp;
    return TOTE_ST_E_OK;
}

int tote_spooler_fd(tote_spooler *sp)
{
    return sp->pipe_r;
}

void tote_spooler_drain(tote_spooler *sp, tote_spooler_event_cb cb, void *ctx)
{
    char buf[256];
    while (read(sp->pipe_r, buf, sizeof buf) > 0)
        ;
    pthread_mutex_lock(&sp->mu);
    char **ev = sp->events;
    size_t n = sp->n_events;
    sp->events = NULL;
    sp->n_events = sp->cap_events = 0;
    pthread_mutex_unlock(&sp->mu);
    for (size_t i = 0; i < n; i++) {
        if (cb)
            cb(ctx, ev[i]);
        free(ev[i]);
    }
    free(ev);
}

void tote_spooler_kick(tote_spooler *sp)
{
    pthread_mutex_lock(&sp->mu);
    sp->kicked = 1;
    pthread_cond_signal(&sp->cv);
    pthread_mutex_unlock(&sp->mu);
}

void tote_spooler_destroy(tote_spooler **spp)
{
    if (!spp || !*spp)
        return;
    tote_spooler *sp = *spp;
    if (sp->started) {
        pthread_mutex_lock(&sp->mu);
        sp->stop = 1;
        pthread_cond_signal(&sp->cv);
        pthread_mutex_unlock(&sp->mu);
        pthread_join(sp->th, NULL);
    }
    pthread_mutex_destroy(&sp->mu);
    pthread_cond_destroy(&sp->cv);
    for (size_t i = 0; i < sp->n_events; i++)
        free(sp->events[i]);
    free(sp->events);
    free(sp->notes);
    free(sp->printers);
    if (sp->pipe_r >= 0)
        close(sp->pipe_r);
    if (sp->pipe_w >= 0)
        close(sp->pipe_w);
    tote_cups_destroy(&sp->cups);
    tote_store_destroy(&sp->st);
    free(sp);
    *spp = NULL;
}
