/*
 * fault_loadgen's internals, shared by its two files: loadgen.c (the
 * options, the device's queue, sending, the next action and the main loop)
 * and loadgen_reply.c (what a device does with the station's replies).
 */
#ifndef TOTE_FAULTS_LOADGEN_H
#define TOTE_FAULTS_LOADGEN_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "tote/outbox.h"
#include "tote/wire.h"

#define MEMQ_MAX 64 /* pending requests per device in memory mode */
#define HIST_MAX 16 /* remembered reply digests per device */

typedef struct memq_entry {
    uint32_t seq;
    uint8_t type;
    int replay;
    size_t len;
    uint8_t body[512];
} memq_entry;

typedef struct reply_digest {
    uint32_t seq;
    uint8_t type;
    uint64_t hash;
} reply_digest;

typedef struct dev {
    void *sock;
    char name[TOTE_WIRE_DEVICE_MAX + 1];
    tote_outbox *ob; /* durable queue, or NULL for memory */
    memq_entry memq[MEMQ_MAX];
    int memq_n;
    uint32_t hwm; /* memory mode: highest seq handed out */
    int hello_ok;
    int hello_sent;
    int logged_in;
    int want_login;
    /* in flight */
    int inflight;
    uint32_t inflight_seq;
    uint8_t inflight_type;
    long long sent_ms;
    double first_sent_ms;
    long long hb_sent_ms;
    int offline;
    long long retry_at_ms;
    /* task */
    int has_task;
    uint32_t task_id;
    char bin[TOTE_WIRE_SHORT_MAX + 1];
    char gtin[TOTE_WIRE_SHORT_MAX + 1];
    uint32_t qty_total, qty_done;
    uint32_t queued_units; /* item scans queued while offline, not yet acked */
    int bin_confirmed;
    int need_next;
    long long next_action_ms;
    long long last_activity_ms;
    int idle; /* last NEXT_TASK said NO_TASK */
    reply_digest hist[HIST_MAX];
    int hist_n;
    /* packers */
    int packer;
    char order[TOTE_WIRE_SHORT_MAX + 1];
    char tote[TOTE_WIRE_SHORT_MAX + 1];
    int pack_open;   /* the order is open at the bench */
    int pack_status; /* PACK_STATE.status: 1 open, 2 closed, 3 shipped */
    uint32_t expected_weight, weight;
    char tracking[TOTE_WIRE_SHORT_MAX + 1];
    long long label_wait_since; /* --labels-dir: waiting for the label to come out since */
    int nlines;
    struct {
        char gtin[TOTE_WIRE_SHORT_MAX + 1];
        uint32_t expected, packed;
    } lines[TOTE_WIRE_PACK_LINES_MAX];
} dev;

struct loadgen_opt {
    const char *station;
    int ndev;
    const char *prefix;
    int first_index;
    const char *outbox_dir;
    const char *log_path;
    double duration;
    double exit_when_idle;
    double drain_seconds;
    int timeout_ms;
    int hb_ms;
    double think_ms;
    double error_rate;
    double short_rate;
    unsigned seed;
    const char *badge;
    double stats_every;
    long long max_scans;
    int connect_only; /* HELLO then heartbeats only (RSS bench) */
    int empty_bins;
    int packers;            /* the last N devices pack instead of picking */
    const char *labels_dir; /* packers scan only labels that came out of the printer: DIR/TRACKING */
    int label_wait_ms;      /* ... and leave a package closed when none came out this long */
};

/* the command line (loadgen.c) */
extern struct loadgen_opt opt;
/* --log, or NULL */
extern FILE *ack_log;
extern unsigned long long n_acks, n_errors, n_violations, n_accepted_units, n_storage_errors;
extern double lat_max; /* loadgen_reply.c */

static inline void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void logline(const char *fmt, ...)
{
    if (!ack_log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ack_log, fmt, ap);
    va_end(ap);
    fputc('\n', ack_log);
    fflush(ack_log);
}

/* loadgen.c */
long q_count(dev *d);
void q_done(dev *d, uint32_t seq);
void send_first(dev *d, long long now);
double think(void);

/* loadgen_reply.c */
double lat_pct(double p);
void handle_reply(dev *d, const uint8_t *raw, size_t len, long long now, double now_f);

#endif
