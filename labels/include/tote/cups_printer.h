/*
 * CUPS through libcups/IPP: queues, printer state, raw jobs, job state.
 *
 * A tote_cups talks to one CUPS server: the one given to tote_cups_new(), else
 * the calling thread's cupsServer() (cupsSetServer() or $CUPS_SERVER or the
 * system default), captured at creation so the object can move to another
 * thread (libcups keeps the server per thread). One object is used by one
 * thread at a time. It reconnects by itself after CUPS restarts.
 *
 * Every failing call leaves a one-sentence explanation in
 * tote_cups_last_error(). Errors: UNAVAILABLE (CUPS not reachable),
 * NOT_FOUND (no such printer or job), NOT_ACCEPTING (queue rejects jobs),
 * INVALID (bad name/URI), CUPS (any other IPP error).
 */
#ifndef TOTE_CUPS_PRINTER_H
#define TOTE_CUPS_PRINTER_H

#include <stddef.h>

#include "tote/labels.h"

typedef struct tote_cups tote_cups;

typedef enum tote_printer_kind {
    TOTE_PRINTER_ZPL = 0, /* raw queue: ZPL goes to the printer unchanged */
    TOTE_PRINTER_PDF = 1  /* queue for PDF (slips): also raw here, see labels/README.md */
} tote_printer_kind;

/* IPP job states (values as RFC 8011). */
typedef enum tote_job_state {
    TOTE_JOB_PENDING = 3,
    TOTE_JOB_HELD = 4,
    TOTE_JOB_PROCESSING = 5,
    TOTE_JOB_STOPPED = 6,
    TOTE_JOB_CANCELED = 7,
    TOTE_JOB_ABORTED = 8,
    TOTE_JOB_COMPLETED = 9
} tote_job_state;

/* "pending", "held", "processing", "stopped", "canceled", "aborted",
 * "completed", or "unknown". Static. */
const char *tote_job_state_name(int state);

typedef struct tote_printer_status {
    char name[128];
    char device_uri[512];
    char info[256];
    char state[16];    /* "idle", "processing", "stopped" */
    int accepting;     /* printer-is-accepting-jobs */
    char reasons[512]; /* printer-state-reasons, comma-separated ("none", "paused", ...) */
    char message[512]; /* printer-state-message, may be "" */
    int queued_jobs;   /* queued-job-count */
} tote_printer_status;

typedef struct tote_cups_job {
    int id;
    int state;         /* tote_job_state */
    char name[256];    /* job-name */
    char printer[128]; /* printer name from job-printer-uri */
    char reasons[512]; /* job-state-reasons, comma-separated */
    char message[512]; /* job-printer-state-message or job-state-message */
} tote_cups_job;

/* server: "/path/cups.sock", "host", "host:port"; NULL = cupsServer() now.
 * Connects lazily (creating never fails for an unreachable server). */
tote_lb_err tote_cups_new(const char *server, tote_cups **out);
/* NULL-safe; sets *c = NULL. */
void tote_cups_destroy(tote_cups **c);
/* The server this object talks to (owned). */
const char *tote_cups_server(const tote_cups *c);
/* One sentence about the last failure (owned, "" if none). */
const char *tote_cups_last_error(const tote_cups *c);

/* Printer names: 1-127 bytes of printable ASCII without space, '/', '#', '\\', quote. */
int tote_cups_name_valid(const char *name);

/*
 * Creates or modifies the queue name with device_uri (socket://HOST:9100,
 * ipp://..., file:..., usb://...) by CUPS-Add-Modify-Printer (no driver:
 * a raw queue), then enables it and makes it accept jobs. info may be NULL.
 */
tote_lb_err tote_cups_add_printer(tote_cups *c, const char *name, const char *device_uri,
                                  tote_printer_kind kind, const char *info);
/* CUPS-Delete-Printer. */
tote_lb_err tote_cups_delete_printer(tote_cups *c, const char *name);

/* Pause (stop) / resume (enable) the printer; reject / accept new jobs. */
tote_lb_err tote_cups_pause(tote_cups *c, const char *name, const char *reason);
tote_lb_err tote_cups_resume(tote_cups *c, const char *name);
tote_lb_err tote_cups_reject(tote_cups *c, const char *name, const char *reason);
tote_lb_err tote_cups_accept(tote_cups *c, const char *name);

/* State of one printer. */
tote_lb_err tote_cups_printer_status(tote_cups *c, const char *name, tote_printer_status *out);
/* Every printer: *out malloc'd array (caller frees), *n entries. */
tote_lb_err tote_cups_list(tote_cups *c, tote_printer_status **out, size_t *n);

/*
 * Submits data as one raw job (IPP Print-Job, document-format
 * application/vnd.cups-raw) to printer, named job_name (also used to find it
 * again after a crash). On success *job_id is CUPS's job id.
 * NOT_ACCEPTING when the queue rejects jobs.
 */
tote_lb_err tote_cups_submit(tote_cups *c, const char *printer, const char *job_name, const void *data,
                             size_t len, int *job_id);

/* State of job job_id (NOT_FOUND if CUPS does not know it). */
tote_lb_err tote_cups_job_status(tote_cups *c, int job_id, tote_cups_job *out);

/* Newest job of printer named job_name in CUPS (any state): *job_id, or 0 if
 * there is none. */
tote_lb_err tote_cups_find_job(tote_cups *c, const char *printer, const char *job_name, int *job_id);

/* Release a held job / cancel a job. */
tote_lb_err tote_cups_release_job(tote_cups *c, int job_id);
tote_lb_err tote_cups_cancel_job(tote_cups *c, int job_id);

#endif
