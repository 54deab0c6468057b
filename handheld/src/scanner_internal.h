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
    void *impl;
    pthread_mutex_t status_lock;
    char status[256];     /* written by backends through tote_scanner_set_status() */
    char status_out[256]; /* what tote_scanner_status() returned last */
};

extern const tote_scanner_ops tote_scanner_stdin_ops;

/* Sets sc's status text (printf-style); thread-safe. */
void tote_scanner_set_status(tote_scanner *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Fills ev from an AIM id ("" or "]C1") and bytes; returns TOTE_HH_E_PROTOCOL
 * when len is 0 or longer than ev->data. */
tote_hh_err tote_scanner_fill_event(tote_scan_event *ev, const char *aim, const uint8_t *data, size_t len);

#endif
