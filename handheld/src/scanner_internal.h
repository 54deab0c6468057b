/*
 * Inside the scanner module: the backend table (DESIGN.md §10) and what the
 * dispatcher in scanner.c shares with the backends scanner_*.c.
 */
#ifndef TOTE_SCANNER_INTERNAL_H
#define TOTE_SCANNER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include "tote/scanner.h"

typedef enum tote_scanner_kind_id {
    TOTE_SCK_STDIN = 1,
    TOTE_SCK_SERIAL = 2,
    TOTE_SCK_USB = 3,
    TOTE_SCK_AUTO = 4
} tote_scanner_kind_id;

/* A parsed spec plus options. */
typedef struct tote_scanner_cfg {
    tote_scanner_kind_id kind;
    int fd;          /* stdin: the fd to read */
    char path[256];  /* serial: port name */
    int ssi;         /* serial: 1 = SSI, 0 = plain lines */
    int baud;        /* serial */
    int have_vidpid; /* usb */
    uint16_t vid, pid;
    int response_timeout_ms;
    int reopen_ms;
    int ssi_aim_param;
    int ssi_aim_value;
} tote_scanner_cfg;

typedef struct tote_scanner_ops {
    const char *name;
    /* Sets up sc->impl for cfg. A device that is absent is not a failure
     * here (the backend keeps retrying); only setup failures are. */
    tote_hh_err (*open)(tote_scanner *sc, const tote_scanner_cfg *cfg);
    /* Undoes open: stops threads, closes the device, frees sc->impl. */
    void (*close)(tote_scanner *sc);
    int (*fd)(tote_scanner *sc);
    tote_hh_err (*read)(tote_scanner *sc, tote_scan_event *ev);
    tote_hh_err (*feedback)(tote_scanner *sc, uint8_t feedback);
} tote_scanner_ops;

struct tote_scanner {
    const tote_scanner_ops *ops;
    const char *kind; /* ops->name unless the backend says more ("serial-ssi") */
    void *impl;
    pthread_mutex_t status_lock;
    char status[256];     /* written by backends through tote_scanner_set_status() */
    char status_out[256]; /* what tote_scanner_status() returned last */
    int notify_fd;        /* eventfd poked when the status text changes (the backend's poll fd), -1: none */
};

extern const tote_scanner_ops tote_scanner_stdin_ops;
extern const tote_scanner_ops tote_scanner_serial_ops;
extern const tote_scanner_ops tote_scanner_usb_ops;

/*
 * The hand-over queue between a transport's I/O thread and the client: a
 * fixed ring of events (scans and DISCONNECTED/PROTOCOL notices) and an
 * eventfd that is readable exactly while the ring is not empty. A full ring
 * makes the producer wait (an SSI scanner then retransmits; nothing is lost)
 * until tote_scanq_shutdown().
 */
typedef struct tote_scanq_item {
    tote_hh_err code; /* OK: ev holds a scan; else a notice */
    tote_scan_event ev;
} tote_scanq_item;

typedef struct tote_scanq {
    pthread_mutex_t mu;
    pthread_cond_t not_full;
    int efd;
    int shutdown;
    tote_scanq_item *items;
    size_t cap, head, count;
} tote_scanq;

/* 0 on success, -1 when the eventfd or memory could not be had. */
int tote_scanq_init(tote_scanq *q, size_t cap);
void tote_scanq_free(tote_scanq *q);
/* Queues a scan (code OK, aim + data) or a notice (other code, no data).
 * Returns 0, or -1 when the queue was shut down while waiting for room. */
int tote_scanq_push(tote_scanq *q, tote_hh_err code, const char *aim, const uint8_t *data, size_t len);
/* Takes the oldest item: its code (OK with *ev filled), or TIMEOUT if empty
 * (which also clears a status-change wakeup of the eventfd). */
tote_hh_err tote_scanq_pop(tote_scanq *q, tote_scan_event *ev);
/* Wakes and refuses producers from now on. */
void tote_scanq_shutdown(tote_scanq *q);

/* Monotonic milliseconds. */
int64_t tote_scanner_now_ms(void);

/* Known scanner vendors (and products) for auto-detection and listing. */
typedef struct tote_scanner_known {
    uint16_t vid;
    uint16_t pid; /* 0 = any product of this vendor */
    const char *name;
} tote_scanner_known;
/* The entry matching vid:pid, or NULL. */
const tote_scanner_known *tote_scanner_known_lookup(uint16_t vid, uint16_t pid);

/* Writes s as a JSON string literal (quotes, escapes); NULL as null. */
void tote_scanner_json_str(FILE *out, const char *s);

/* Backends' parts of tote_scanner_list() and of "auto": each appends its
 * candidates (JSON objects when json, else lines); *first tracks the comma.
 * Return the number found, -1 on enumeration failure. */
int tote_scanner_list_usb(FILE *out, int json, int *first);
int tote_scanner_list_serial(FILE *out, int json, int *first);
/* "auto": fill cfg with the first USB HID POS scanner (kind USB with
 * vid/pid), else the first serial port of a known scanner (kind SERIAL,
 * plain). 0 when found, -1 when not. */
int tote_scanner_auto_usb(tote_scanner_cfg *cfg);
int tote_scanner_auto_serial(tote_scanner_cfg *cfg);

/* Sets sc's status text (printf-style); thread-safe. A change wakes
 * sc->notify_fd, so that the client polling tote_scanner_fd() shows it at
 * once (e.g. "connected" after a replug, before any scan). */
void tote_scanner_set_status(tote_scanner *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fills ev from an AIM id ("" or "]C1") and bytes; returns TOTE_HH_E_PROTOCOL
 * when len is 0 or longer than ev->data. */
tote_hh_err tote_scanner_fill_event(tote_scan_event *ev, const char *aim, const uint8_t *data, size_t len);

#endif
