/*
 * Labels and printing on the station: label data from the store, the print
 * queue (print_job rows), and the spooler that submits queued jobs to CUPS.
 *
 * Flow: when a package closes, the pack flow calls tote_print_queue_package()
 * inside its transaction; the label ZPL is stored in package.label_zpl and
 * print_job rows are queued for the bench's label and slip printers. The
 * spooler (its own thread and store connection) submits them to CUPS as raw
 * jobs, records the CUPS job id in the database before trusting it printed,
 * and follows each job to completed. After a restart, jobs that have a CUPS
 * job id are followed, never submitted again.
 *
 * Settings used (table setting): ship_from_name, ship_from_company,
 * ship_from_address1, ship_from_address2, ship_from_city, ship_from_province,
 * ship_from_zip, ship_from_country, ship_from_phone; label_printer,
 * slip_printer (when the device has none); label_dpi (203|300, default 203);
 * label_style (carrier|gs1, default carrier); slip_paper (a4|letter);
 * gs1_company_prefix and sscc_extension (to assign SSCCs to packages that have
 * none); print_max_attempts (default 5), print_retry_ms (first backoff,
 * default 1000), print_retry_max_ms (default 30000), print_poll_ms (default 100),
 * print_stranded_ms (how long a job CUPS keeps pending on an idle printer that
 * counts no job is left before it is submitted again; default 10000).
 */
#ifndef TOTE_PRINTING_H
#define TOTE_PRINTING_H

#include <stddef.h>

#include "tote/label.h"
#include "tote/slip.h"
#include "tote/store.h"

/* ---------------- store (store_print.c) ---------------- */

typedef struct tote_printer_rec {
    char name[128];
    char uri[512];
    char kind[8]; /* "zpl" | "pdf" */
    char created_at[32];
} tote_printer_rec;

/* Inserts or updates a printer row. */
tote_st_err tote_store_printer_put(tote_store *s, const char *name, const char *uri, const char *kind);
/* One printer by name: NOT_FOUND if Tote does not know it. */
tote_st_err tote_store_printer_get(tote_store *s, const char *name, tote_printer_rec *out);
/* All printers by name: *out malloc'd (caller frees), *n entries. */
tote_st_err tote_store_printer_list(tote_store *s, tote_printer_rec **out, size_t *n);

/* Print jobs of a printer not yet finished in Tote (queued..stopped). */
tote_st_err tote_store_printer_open_jobs(tote_store *s, const char *printer, long long *count);

typedef struct tote_print_job_rec {
    long long id;
    char printer[128];
    long long package_id; /* 0 if none */
    char kind[8];         /* label | slip | badge | other */
    char format[8];       /* zpl | pdf */
    char state[16];
    long long cups_job_id; /* 0 if not submitted (or not recorded) */
    int attempts;
    char next_attempt_at[32];
    char error[512];
    char requested_by[64];
    char created_at[32];
    char updated_at[32];
} tote_print_job_rec;

/* Inserts a queued print_job; *id_out (may be NULL) gets its id. */
tote_st_err tote_store_print_job_add(tote_store *s, const char *printer, long long package_id,
                                     const char *kind, const char *format, const void *doc, size_t len,
                                     const char *requested_by, long long *id_out);
tote_st_err tote_store_print_job_get(tote_store *s, long long id, tote_print_job_rec *out);
/* Jobs by id; active_only: only queued/pending/held/processing/stopped. */
tote_st_err tote_store_print_job_list(tote_store *s, int active_only, tote_print_job_rec **out, size_t *n);
/* The job's document: *doc malloc'd (caller frees). */
tote_st_err tote_store_print_job_document(tote_store *s, long long id, void **doc, size_t *len);
/* Claims a queued job for submission attempt attempts+1 (compare-and-set on
 * attempts and no cups_job_id): *claimed = 1 if this caller won. */
tote_st_err tote_store_print_job_claim(tote_store *s, long long id, int attempts, const char *lease_until,
                                       int *claimed);
/* Records the CUPS job id (state pending) right after CUPS accepted the job. */
tote_st_err tote_store_print_job_submitted(tote_store *s, long long id, long long cups_job_id,
                                           const char *state);
/* Sets state and error (NULL clears it). */
tote_st_err tote_store_print_job_state(tote_store *s, long long id, const char *state, const char *error);
/* Back to queued for another attempt at next_at: clears cups_job_id. */
tote_st_err tote_store_print_job_retry(tote_store *s, long long id, const char *next_at, const char *error);
/* Counts an attempt on a job CUPS still has (a held job released). */
tote_st_err tote_store_print_job_bump(tote_store *s, long long id, const char *error);
/* Raises an alert for the supervisor. */
tote_st_err tote_store_alert_add(tote_store *s, const char *kind, const char *subject, const char *message);

/* Resolves PACKAGE text: a tracking number, else a package id. NOT_FOUND. */
tote_st_err tote_store_package_lookup(tote_store *s, const char *text, long long *package_id);
/* Resolves an order name ("#1001"). NOT_FOUND. */
tote_st_err tote_store_order_lookup(tote_store *s, const char *name, long long *order_id);
/* Package ids of an order (not cancelled), by package_no: *ids malloc'd. */
tote_st_err tote_store_order_package_ids(tote_store *s, long long order_id, long long **ids, size_t *n);
/* Stores the rendered label on the package. */
tote_st_err tote_store_package_set_label(tote_store *s, long long package_id, const char *zpl);
/* The stored label of a package (*zpl malloc'd, NULL if none). */
tote_st_err tote_store_package_label(tote_store *s, long long package_id, char **zpl);
/* Label and slip printers configured for a device (empty strings if none). */
tote_st_err tote_store_device_printers(tote_store *s, const char *device, char label[128], char slip[128]);

/* Flat text of everything a label or slip needs (store_print.c fills it). */
typedef struct tote_label_src {
    long long order_id, package_id; /* package_id 0: the order alone */
    char *order_name, *external_ref, *shipping_method;
    char *ship_name, *ship_company, *ship_address1, *ship_address2, *ship_city, *ship_zip, *ship_province,
        *ship_country, *ship_phone;
    int package_no, package_count;
    long weight_g; /* -1 unknown */
    char *tracking, *sscc, *service, *carton, *device;
    struct tote_label_src_line {
        char *sku, *name;
        int ordered, shipped;
    } * lines;
    size_t n_lines;
} tote_label_src;

/* Loads a package (package_id) or, with package_id 0, an order alone. */
tote_st_err tote_store_label_src(tote_store *s, long long order_id, long long package_id,
                                 tote_label_src *out);
void tote_label_src_free(tote_label_src *src);

/* ---------------- label data (labeldata.c) ---------------- */

typedef struct tote_label_data tote_label_data;

/*
 * Builds the label and packing slip of a package (package_id), or of an order
 * not packed yet (package_id 0, order_id given). Ship-from comes from the
 * settings. Free with tote_label_data_destroy().
 */
tote_st_err tote_label_data_load(tote_store *s, long long order_id, long long package_id,
                                 tote_label_data **out);
void tote_label_data_destroy(tote_label_data **d);
/* The label model (owned by d); style as given to load, changeable. */
tote_label *tote_label_data_label(tote_label_data *d);
/* The packing slip model (owned by d). */
tote_slip *tote_label_data_slip(tote_label_data *d);
/* The label's package id (0 for an order alone). */
long long tote_label_data_package_id(const tote_label_data *d);
/* The device (bench) that packed the package, or NULL. */
const char *tote_label_data_device(const tote_label_data *d);

/* Settings label_dpi (203|300) and label_style. */
int tote_label_default_dpi(tote_store *s);
tote_label_style tote_label_default_style(tote_store *s);

/* ---------------- print queue (spooler.c) ---------------- */

/*
 * In the caller's open transaction: assigns an SSCC if the package has none
 * and gs1_company_prefix is set, renders the package's label ZPL (stored in
 * package.label_zpl) and a packing slip PDF, and inserts print_job rows for
 * the device's label/slip printers (device.label_printer / slip_printer, else
 * settings label_printer / slip_printer). No printer configured: no job, not
 * an error. Writes an event "print.queued" per job. NOT_FOUND for an unknown
 * package; INVALID when the label cannot be made (message on stderr is the
 * caller's business: see tote_print_last_error()).
 */
tote_st_err tote_print_queue_package(tote_store *s, long long package_id, const char *device,
                                     const char *actor);

/*
 * Reprint: queues the package's label again (the stored ZPL, or a fresh one)
 * on printer (NULL: the package's bench printer, else setting label_printer),
 * in its own transaction, audited as event "label.reprint". *job_id (may be
 * NULL) gets the new print_job id. STATE when no printer is configured.
 */
tote_st_err tote_print_reprint(tote_store *s, long long package_id, const char *printer, const char *actor,
                               long long *job_id);

/* One sentence about the last failure of tote_print_* in this thread. */
const char *tote_print_last_error(void);

typedef struct tote_spooler tote_spooler;

/*
 * A spooler thread with its OWN store connection (same db path) submits
 * queued jobs to CUPS (the server of the calling thread's cupsServer(), taken
 * now), follows them to completed, records cups_job_id / state / attempts /
 * error, and retries with backoff.
 */
tote_st_err tote_spooler_new(const char *db_path, tote_spooler **out);
/* Readable when job/printer states changed: call tote_spooler_drain(). */
int tote_spooler_fd(tote_spooler *sp);
/* One JSON object per change, for the PUB socket:
 *   {"type":"print_job","id":7,"printer":"zebra1","kind":"label","package_id":3,
 *    "state":"pending","cups_job_id":12,"attempts":1,"error":null,"waiting":"printer paused"}
 *   {"type":"printer","name":"zebra1","state":"stopped","accepting":true,
 *    "reasons":"paused","message":""}
 * json is valid only during the call. */
typedef void (*tote_spooler_event_cb)(void *ctx, const char *json);
/* Delivers the pending events (on the caller's thread) and clears the fd. */
void tote_spooler_drain(tote_spooler *sp, tote_spooler_event_cb cb, void *ctx);
/* New jobs were queued: look now. */
void tote_spooler_kick(tote_spooler *sp);
/* Stops the thread, closes everything. NULL-safe; sets *sp = NULL. Jobs in
 * flight stay in the database and are followed by the next spooler. */
void tote_spooler_destroy(tote_spooler **sp);

#endif
