/* CUPS through libcups / IPP (cups_printer.h). */
#include "tote/cups_printer.h"

#include <cups/cups.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tote_cups {
    char server[1024];
    int port;
    http_t *http;
    char err[512];
};

const char *tote_job_state_name(int state)
{
    switch (state) {
    case TOTE_JOB_PENDING:
        return "pending";
    case TOTE_JOB_HELD:
        return "held";
    case TOTE_JOB_PROCESSING:
        return "processing";
    case TOTE_JOB_STOPPED:
        return "stopped";
    case TOTE_JOB_CANCELED:
        return "canceled";
    case TOTE_JOB_ABORTED:
        return "aborted";
    case TOTE_JOB_COMPLETED:
        return "completed";
    }
    return "unknown";
}

static void set_err(tote_cups *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_err(tote_cups *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

tote_lb_err tote_cups_new(const char *server, tote_cups **out)
{
    *out = NULL;
    tote_cups *c = calloc(1, sizeof *c);
    if (!c)
        return TOTE_LB_E_NOMEM;
    if (server && *server) {
        snprintf(c->server, sizeof c->server, "%s", server);
        c->port = ippPort();
        /* "host:port" (not for socket paths) */
        char *colon = server[0] == '/' ? NULL : strrchr(c->server, ':');
        if (colon && !strchr(colon, ']')) {
            *colon = '\0';
            c->port = atoi(colon + 1);
        }
    } else {
        snprintf(c->server, sizeof c->server, "%s", cupsServer());
        c->port = ippPort();
    }
    *out = c;
    return TOTE_LB_E_OK;
}

void tote_cups_destroy(tote_cups **cp)
{
    if (!cp || !*cp)
        return;
    if ((*cp)->http)
        httpClose((*cp)->http);
    free(*cp);
    *cp = NULL;
}

const char *tote_cups_server(const tote_cups *c)
{
    return c->server;
}

const char *tote_cups_last_error(const tote_cups *c)
{
    return c->err;
}

int tote_cups_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 127)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch <= 0x20 || ch >= 0x7F || strchr("/#\\'\"", ch))
            return 0;
    }
    return 1;
}

static tote_lb_err connect_(tote_cups *c)
{
    if (c->http)
        return TOTE_LB_E_OK;
    c->http = httpConnect2(c->server, c->port, NULL, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, 5000, NULL);
    if (!c->http) {
        set_err(c, "CUPS is not reachable at %s", c->server);
        return TOTE_LB_E_UNAVAILABLE;
    }
    return TOTE_LB_E_OK;
}

static void drop(tote_cups *c)
{
    if (c->http) {
        httpClose(c->http);
        c->http = NULL;
    }
}

static void printer_uri(char *buf, size_t cap, const char *name)
{
    httpAssembleURIf(HTTP_URI_CODING_ALL, buf, (int)cap, "ipp", NULL, "localhost", 0, "/printers/%s", name);
}

/* Maps the outcome of a request (response may be NULL) to an error. */
static tote_lb_err outcome(tote_cups *c, ipp_t *resp, const char *what)
{
    ipp_status_t st = cupsLastError();
    if (resp && st <= IPP_STATUS_OK_EVENTS_COMPLETE)
        return TOTE_LB_E_OK;
    const char *msg = cupsLastErrorString();
    if (st == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || st == IPP_STATUS_ERROR_INTERNAL || !resp) {
        if (st == IPP_STATUS_ERROR_NOT_FOUND) {
            set_err(c, "%s: %s", what, msg ? msg : "not found");
            return TOTE_LB_E_NOT_FOUND;
        }
        drop(c);
        set_err(c, "%s: CUPS is not reachable at %s (%s)", what, c->server, msg ? msg : "no answer");
        return TOTE_LB_E_UNAVAILABLE;
    }
    set_err(c, "%s: %s", what, msg ? msg : ippErrorString(st));
    if (st == IPP_STATUS_ERROR_NOT_FOUND)
        return TOTE_LB_E_NOT_FOUND;
    if (st == IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS)
        return TOTE_LB_E_NOT_ACCEPTING;
    return TOTE_LB_E_CUPS;
}

/* Sends request (consumed) to resource; one retry on a fresh connection when
 * the old one went stale (CUPS restarted). */
static ipp_t *do_request(tote_cups *c, ipp_t *req, const char *resource, tote_lb_err *e, const char *what)
{
    ipp_t *spare = ippNew();
    if (spare) {
        ippCopyAttributes(spare, req, 0, NULL, NULL);
        ippSetOperation(spare, ippGetOperation(req));
        ippSetRequestId(spare, ippGetRequestId(req));
    }
    ipp_t *resp = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        ipp_t *use = attempt == 0 ? req : spare;
        if (!use)
            break;
        *e = connect_(c);
        if (*e != TOTE_LB_E_OK) {
            ippDelete(use);
            if (attempt == 0)
                ippDelete(spare);
            return NULL;
        }
        resp = cupsDoRequest(c->http, use, resource); /* consumes use */
        if (!resp && attempt == 0 && cupsLastError() >= IPP_STATUS_ERROR_INTERNAL) {
            drop(c);
            continue;
        }
        if (attempt == 0)
            ippDelete(spare);
        break;
    }
    *e = outcome(c, resp, what);
    if (*e != TOTE_LB_E_OK) {
        ippDelete(resp);
        return NULL;
    }
    return resp;
}

static ipp_t *new_printer_request(ipp_op_t op, const char *name)
{
    char uri[HTTP_MAX_URI];
    printer_uri(uri, sizeof uri, name);
    ipp_t *req = ippNewRequest(op);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", NULL, uri);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
    return req;
}

static tote_lb_err simple_printer_op(tote_cups *c, ipp_op_t op, const char *name, const char *reason,
                                     const char *what)
{
    if (!tote_cups_name_valid(name)) {
        set_err(c, "'%s' is not a valid printer name", name ? name : "");
        return TOTE_LB_E_INVALID;
    }
    ipp_t *req = new_printer_request(op, name);
    if (reason)
        ippAddString(req, IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-state-message", NULL, reason);
    tote_lb_err e;
    ipp_t *resp = do_request(c, req, "/admin/", &e, what);
    ippDelete(resp);
    return e;
}

tote_lb_err tote_cups_add_printer(tote_cups *c, const char *name, const char *device_uri,
                                  tote_printer_kind kind, const char *info)
{
    if (!tote_cups_name_valid(name)) {
        set_err(c, "'%s' is not a valid printer name (no spaces, '/', '#' or quotes)", name ? name : "");
        return TOTE_LB_E_INVALID;
    }
    char scheme[32], user[64], host[256], resource[512];
    int port;
    if (!device_uri ||
        httpSeparateURI(HTTP_URI_CODING_ALL, device_uri, scheme, sizeof scheme, user, sizeof user, host,
                        sizeof host, &port, resource, sizeof resource) < HTTP_URI_STATUS_OK) {
        set_err(c, "'%s' is not a device URI (e.g. socket://192.0.2.10:9100)", device_uri ? device_uri : "");
        return TOTE_LB_E_INVALID;
    }
    ipp_t *req = new_printer_request(IPP_OP_CUPS_ADD_MODIFY_PRINTER, name);
    ippAddString(req, IPP_TAG_PRINTER, IPP_TAG_URI, "device-uri", NULL, device_uri);
    ippAddBoolean(req, IPP_TAG_PRINTER, "printer-is-accepting-jobs", 1);
    ippAddInteger(req, IPP_TAG_PRINTER, IPP_TAG_ENUM, "printer-state", IPP_PSTATE_IDLE);
    ippAddString(req, IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-info", NULL,
                 info && *info ? info
                               : (kind == TOTE_PRINTER_ZPL ? "Tote ZPL label printer" : "Tote PDF printer"));
    ippAddString(req, IPP_TAG_PRINTER, IPP_TAG_TEXT, "printer-location", NULL, "Tote");
    tote_lb_err e;
    ipp_t *resp = do_request(c, req, "/admin/", &e, "cannot add the printer");
    ippDelete(resp);
    if (e != TOTE_LB_E_OK)
        return e;
    if ((e = tote_cups_resume(c, name)) != TOTE_LB_E_OK)
        return e;
    return tote_cups_accept(c, name);
}

tote_lb_err tote_cups_delete_printer(tote_cups *c, const char *name)
{
    return simple_printer_op(c, IPP_OP_CUPS_DELETE_PRINTER, name, NULL, "cannot delete the printer");
}

tote_lb_err tote_cups_pause(tote_cups *c, const char *name, const char *reason)
{
    return simple_printer_op(c, IPP_OP_PAUSE_PRINTER, name, reason, "cannot pause the printer");
}

tote_lb_err tote_cups_resume(tote_cups *c, const char *name)
{
    return simple_printer_op(c, IPP_OP_RESUME_PRINTER, name, NULL, "cannot resume the printer");
}

tote_lb_err tote_cups_reject(tote_cups *c, const char *name, const char *reason)
{
    return simple_printer_op(c, IPP_OP_CUPS_REJECT_JOBS, name, reason, "cannot make the printer reject jobs");
}

tote_lb_err tote_cups_accept(tote_cups *c, const char *name)
{
    return simple_printer_op(c, IPP_OP_CUPS_ACCEPT_JOBS, name, NULL, "cannot make the printer accept jobs");
}

static void join_strings(ipp_attribute_t *a, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!a)
        return;
    size_t n = 0;
    for (int i = 0; i < ippGetCount(a); i++) {
        const char *s = ippGetString(a, i, NULL);
        if (!s)
            continue;
        int w = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", s);
        if (w < 0 || (size_t)w >= cap - n)
            break;
        n += (size_t)w;
    }
}

static void copy_str(ipp_attribute_t *a, char *buf, size_t cap)
{
    const char *s = a ? ippGetString(a, 0, NULL) : NULL;
    snprintf(buf, cap, "%s", s ? s : "");
}

static const char *const printer_attrs[] = {"printer-name",
                                            "device-uri",
                                            "printer-info",
                                            "printer-state",
                                            "printer-state-reasons",
                                            "printer-state-message",
                                            "printer-is-accepting-jobs",
                                            "queued-job-count"};

/* Fills st from the printer attributes of resp starting at first (the
 * response's iterator must be at first); returns the attribute after the
 * group (a separator or NULL). */
static ipp_attribute_t *fill_status(ipp_t *resp, tote_printer_status *st, ipp_attribute_t *first)
{
    memset(st, 0, sizeof *st);
    snprintf(st->state, sizeof st->state, "unknown");
    ipp_attribute_t *a;
    for (a = first; a && ippGetGroupTag(a) == IPP_TAG_PRINTER; a = ippNextAttribute(resp)) {
        const char *n = ippGetName(a);
        if (!n)
            continue;
        if (!strcmp(n, "printer-name"))
            copy_str(a, st->name, sizeof st->name);
        else if (!strcmp(n, "device-uri"))
            copy_str(a, st->device_uri, sizeof st->device_uri);
        else if (!strcmp(n, "printer-info"))
            copy_str(a, st->info, sizeof st->info);
        else if (!strcmp(n, "printer-state")) {
            int s = ippGetInteger(a, 0);
            snprintf(st->state, sizeof st->state, "%s",
                     s == IPP_PSTATE_IDLE         ? "idle"
                     : s == IPP_PSTATE_PROCESSING ? "processing"
                     : s == IPP_PSTATE_STOPPED    ? "stopped"
                                                  : "unknown");
        } else if (!strcmp(n, "printer-state-reasons"))
            join_strings(a, st->reasons, sizeof st->reasons);
        else if (!strcmp(n, "printer-state-message"))
            copy_str(a, st->message, sizeof st->message);
        else if (!strcmp(n, "printer-is-accepting-jobs"))
            st->accepting = ippGetBoolean(a, 0);
        else if (!strcmp(n, "queued-job-count"))
            st->queued_jobs = ippGetInteger(a, 0);
    }
    return a;
}

tote_lb_err tote_cups_printer_status(tote_cups *c, const char *name, tote_printer_status *out)
{
    if (!tote_cups_name_valid(name)) {
        set_err(c, "'%s' is not a valid printer name", name ? name : "");
        return TOTE_LB_E_INVALID;
    }
    ipp_t *req = new_printer_request(IPP_OP_GET_PRINTER_ATTRIBUTES, name);
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  (int)(sizeof printer_attrs / sizeof printer_attrs[0]), NULL, printer_attrs);
    tote_lb_err e;
    char what[256];
    snprintf(what, sizeof what, "cannot read the state of printer %s", name);
    ipp_t *resp = do_request(c, req, "/", &e, what);
    if (!resp) {
        if (e == TOTE_LB_E_NOT_FOUND)
            set_err(c, "CUPS has no printer named %s", name);
        return e;
    }
    ipp_attribute_t *a = ippFirstAttribute(resp);
    while (a && ippGetGroupTag(a) != IPP_TAG_PRINTER)
        a = ippNextAttribute(resp);
    fill_status(resp, out, a);
    ippDelete(resp);
    return TOTE_LB_E_OK;
}

tote_lb_err tote_cups_list(tote_cups *c, tote_printer_status **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    ipp_t *req = ippNewRequest(IPP_OP_CUPS_GET_PRINTERS);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  (int)(sizeof printer_attrs / sizeof printer_attrs[0]), NULL, printer_attrs);
    tote_lb_err e;
    ipp_t *resp = do_request(c, req, "/", &e, "cannot list printers");
    if (!resp) {
        if (e == TOTE_LB_E_NOT_FOUND) /* no printers at all */
            return TOTE_LB_E_OK;
        return e;
    }
    size_t cap = 0;
    tote_printer_status *v = NULL;
    for (ipp_attribute_t *a = ippFirstAttribute(resp); a;) {
        if (ippGetGroupTag(a) != IPP_TAG_PRINTER) {
            a = ippNextAttribute(resp);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            tote_printer_status *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                free(v);
                ippDelete(resp);
                return TOTE_LB_E_NOMEM;
            }
            v = nv;
        }
        a = fill_status(resp, &v[*n], a);
        (*n)++;
    }
    ippDelete(resp);
    *out = v;
    return TOTE_LB_E_OK;
}

tote_lb_err tote_cups_submit(tote_cups *c, const char *printer, const char *job_name, const void *data,
                             size_t len, int *job_id)
{
    *job_id = 0;
    if (!tote_cups_name_valid(printer)) {
        set_err(c, "'%s' is not a valid printer name", printer ? printer : "");
        return TOTE_LB_E_INVALID;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        tote_lb_err e = connect_(c);
        if (e != TOTE_LB_E_OK)
            return e;
        ipp_t *req = new_printer_request(IPP_OP_PRINT_JOB, printer);
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", NULL, job_name ? job_name : "tote");
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", NULL,
                     "application/vnd.cups-raw");
        char resource[512];
        snprintf(resource, sizeof resource, "/printers/%s", printer);
        http_status_t hs = cupsSendRequest(c->http, req, resource, ippLength(req) + len);
        ippDelete(req);
        if (hs == HTTP_STATUS_CONTINUE && len)
            hs = cupsWriteRequestData(c->http, data, len);
        if (hs != HTTP_STATUS_CONTINUE) {
            /* a stale connection (cupsd restarted) fails here: retry once on a new one */
            drop(c);
            if (attempt == 0)
                continue;
            set_err(c, "cannot submit to %s: CUPS is not reachable at %s", printer, c->server);
            return TOTE_LB_E_UNAVAILABLE;
        }
        ipp_t *resp = cupsGetResponse(c->http, resource);
        char what[256];
        snprintf(what, sizeof what, "cannot submit to %s", printer);
        e = outcome(c, resp, what);
        if (e == TOTE_LB_E_OK) {
            ipp_attribute_t *a = ippFindAttribute(resp, "job-id", IPP_TAG_INTEGER);
            *job_id = a ? ippGetInteger(a, 0) : 0;
            if (*job_id <= 0) {
                set_err(c, "CUPS accepted the job for %s but sent no job id", printer);
                e = TOTE_LB_E_CUPS;
            }
        }
        ippDelete(resp);
        return e;
    }
    return TOTE_LB_E_UNAVAILABLE;
}

static const char *const job_attrs[] = {"job-id",           "job-state",       "job-state-reasons",
                                        "job-name",         "job-printer-uri", "job-printer-state-message",
                                        "job-state-message"};

static void fill_job(ipp_t *resp, ipp_attribute_t *first, tote_cups_job *j)
{
    memset(j, 0, sizeof *j);
    for (ipp_attribute_t *a = first; a && ippGetGroupTag(a) == IPP_TAG_JOB; a = ippNextAttribute(resp)) {
        const char *n = ippGetName(a);
        if (!n)
            continue;
        if (!strcmp(n, "job-id"))
            j->id = ippGetInteger(a, 0);
        else if (!strcmp(n, "job-state"))
            j->state = ippGetInteger(a, 0);
        else if (!strcmp(n, "job-state-reasons"))
            join_strings(a, j->reasons, sizeof j->reasons);
        else if (!strcmp(n, "job-name"))
            copy_str(a, j->name, sizeof j->name);
        else if (!strcmp(n, "job-printer-uri")) {
            const char *u = ippGetString(a, 0, NULL);
            const char *s = u ? strrchr(u, '/') : NULL;
            snprintf(j->printer, sizeof j->printer, "%s", s ? s + 1 : "");
        } else if (!strcmp(n, "job-printer-state-message") ||
                   (!strcmp(n, "job-state-message") && !j->message[0]))
            copy_str(a, j->message, sizeof j->message);
    }
}

tote_lb_err tote_cups_job_status(tote_cups *c, int job_id, tote_cups_job *out)
{
    ipp_t *req = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES);
    char uri[HTTP_MAX_URI];
    snprintf(uri, sizeof uri, "ipp://localhost/jobs/%d", job_id);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  (int)(sizeof job_attrs / sizeof job_attrs[0]), NULL, job_attrs);
    tote_lb_err e;
    char what[128];
    snprintf(what, sizeof what, "cannot read CUPS job %d", job_id);
    ipp_t *resp = do_request(c, req, "/", &e, what);
    if (!resp)
        return e;
    ipp_attribute_t *a = ippFirstAttribute(resp);
    while (a && ippGetGroupTag(a) != IPP_TAG_JOB)
        a = ippNextAttribute(resp);
    fill_job(resp, a, out);
    ippDelete(resp);
    if (out->id == 0)
        out->id = job_id;
    return TOTE_LB_E_OK;
}

tote_lb_err tote_cups_find_job(tote_cups *c, const char *printer, const char *job_name, int *job_id)
{
    *job_id = 0;
    ipp_t *req = new_printer_request(IPP_OP_GET_JOBS, printer);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "which-jobs", NULL, "all");
    ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                  (int)(sizeof job_attrs / sizeof job_attrs[0]), NULL, job_attrs);
    tote_lb_err e;
    ipp_t *resp = do_request(c, req, "/", &e, "cannot list CUPS jobs");
    if (!resp)
        return e == TOTE_LB_E_NOT_FOUND ? TOTE_LB_E_OK : e;
    /* jobs are groups of attributes separated by a separator (group tag ZERO) */
    int id = 0;
    const char *name = NULL;
    for (ipp_attribute_t *a = ippFirstAttribute(resp);; a = ippNextAttribute(resp)) {
        if (!a || ippGetGroupTag(a) != IPP_TAG_JOB) {
            if (id > 0 && name && !strcmp(name, job_name) && id > *job_id)
                *job_id = id;
            id = 0;
            name = NULL;
            if (!a)
                break;
            continue;
        }
        const char *n = ippGetName(a);
        if (n && !strcmp(n, "job-id"))
            id = ippGetInteger(a, 0);
        else if (n && !strcmp(n, "job-name"))
            name = ippGetString(a, 0, NULL);
    }
    ippDelete(resp);
    return TOTE_LB_E_OK;
}

static tote_lb_err job_op(tote_cups *c, ipp_op_t op, int job_id, const char *what)
{
    ipp_t *req = ippNewRequest(op);
    char uri[HTTP_MAX_URI];
    snprintf(uri, sizeof uri, "ipp://localhost/jobs/%d", job_id);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", NULL, uri);
    ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", NULL, cupsUser());
    tote_lb_err e;
    ipp_t *resp = do_request(c, req, "/jobs/", &e, what);
    ippDelete(resp);
    return e;
}

tote_lb_err tote_cups_release_job(tote_cups *c, int job_id)
{
    return job_op(c, IPP_OP_RELEASE_JOB, job_id, "cannot release the CUPS job");
}

tote_lb_err tote_cups_cancel_job(tote_cups *c, int job_id)
{
    return job_op(c, IPP_OP_CANCEL_JOB, job_id, "cannot cancel the CUPS job");
}
