/*
 * The station client behind `tote-handheld`: one loop (zmq_poll) over the
 * DEALER socket to the station, the scanner (or the simulated operator) and,
 * when the scanner is not stdin, stdin for keypad commands.
 *
 * Exactly once (firmware-protocol/PROTOCOL.md section 4): every sequenced
 * request is written to the outbox before it is sent and removed when its
 * reply arrives; one request is in flight at a time. No reply within
 * timeout_ms: the client goes offline (socket closed and recreated, "lazy
 * pirate"), keeps taking scans into the outbox, and probes with HEARTBEAT
 * (seq 0). When the station answers, it says HELLO again and replays the
 * outbox in seq order with the original (device, seq) and the REPLAY flag,
 * one request at a time, showing each result.
 *
 * Keypad commands (lines starting with '!'): see handheld/README.md.
 */
#ifndef TOTE_CLIENT_H
#define TOTE_CLIENT_H

#include <stdint.h>
#include <stdio.h>

#include "tote/enrol.h"
#include "tote/handheld.h"

typedef struct tote_client tote_client;

typedef struct tote_client_config {
    const char *station;   /* "tcp://HOST:PORT" (required) */
    const char *device;    /* device id, 1..32 bytes (required) */
    uint8_t role;          /* TOTE_ROLE_PICKER / PACKER / BENCH (required) */
    const char *scanner;   /* "stdin", "sim", or a tote_scanner_new() spec (required) */
    const char *outbox;    /* outbox path; NULL: ./tote-handheld-<device>.outbox */
    int json;              /* one JSON object per line per event on out */
    int timeout_ms;        /* reply timeout; <= 0: 1500 */
    const char *badge;     /* badge scanned right after the first HELLO_OK, or NULL: its code (as
                              `tote operator list` shows it) or its barcode BADGE-<code> */
    double sim_error_rate; /* sim: probability of a mistake per item scan */
    uint64_t sim_seed;     /* sim: random seed */
    int sim_delay_ms;      /* sim: pause before each action */
    long sim_max_scans;    /* sim: exit 0 after this many scans have been answered; 0 = no limit */
    int exit_when_idle_s;  /* exit 0 after NO_TASK for this many seconds with nothing queued; 0 = never */
    FILE *out;             /* events / screen; NULL: stdout */
    int command_fd;        /* keypad commands when the scanner is not stdin; -1: none, 0: stdin */
    const tote_hh_enrolment *enrol; /* CurveZMQ keys (copied); NULL: plain text (--insecure) */
} tote_client_config;

/*
 * Creates the client: opens the outbox, the scanner (or the sim) and the
 * socket (nothing is sent yet). Returns OK with *out, or an error with *out
 * NULL and, if why != NULL, a malloc'd one-sentence explanation in *why:
 * INVALID (bad config), STORE / BUSY / ACCESS (outbox), scanner errors as
 * tote_scanner_new() returns them, IO (ZeroMQ).
 */
tote_hh_err tote_client_new(const tote_client_config *cfg, tote_client **out, char **why);

/*
 * Runs until the operator quits (!quit, SIGINT/SIGTERM via tote_client_stop),
 * stdin ends (scanner "stdin": after the outbox is drained), the sim's scan
 * limit or idle limit is reached, or a fatal error. Returns the process exit
 * code: 0 ok; 1 runtime failure (station refused the device, outbox cannot be
 * written, stdin ended while offline with requests still queued — they stay in
 * the outbox for the next start). A one-sentence reason for 1 is in
 * tote_client_failure().
 */
int tote_client_run(tote_client *c);

/* Async-signal-safe: asks the running loop to end (exit code 0). */
void tote_client_stop(tote_client *c);

/* The sentence explaining a non-zero exit code ("" if none). */
const char *tote_client_failure(const tote_client *c);

/* Closes everything; NULL-safe; sets *c = NULL. Requests still queued stay in
 * the outbox file. */
void tote_client_destroy(tote_client **c);

#endif
