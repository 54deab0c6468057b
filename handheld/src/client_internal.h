/*
 * The station client's state and the helpers its files share: client.c
 * (socket, inputs, the loop), client_replies.c (the station's replies) and
 * client_commands.c (the keypad's '!' commands). Not a public interface:
 * tote/client.h is.
 */
#ifndef TOTE_CLIENT_INTERNAL_H
#define TOTE_CLIENT_INTERNAL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "tote/client.h"
#include "tote/hhui.h"
#include "tote/outbox.h"
#include "tote/scanner.h"
#include "tote/sim.h"
#include "tote/wire.h"

#define NO_TASK_POLL_MS 1000
#define DEFAULT_HEARTBEAT_MS 1000

typedef enum client_state { ST_HELLO, ST_ONLINE, ST_OFFLINE } client_state;
typedef enum req_kind { K_HELLO, K_HEARTBEAT, K_SEQ } req_kind;

struct tote_client {
    /* configuration (strings owned) */
    char *station, *device, *outbox_path, *badge, *scanner_spec;
    uint8_t role;
    int timeout_ms;
    long sim_max_scans;
    int exit_when_idle_s;
    int curve; /* 1: enrol holds the CurveZMQ keys */
    tote_hh_enrolment enrol;
    void *mon;        /* CURVE: PAIR reading the socket's handshake events */
    unsigned mon_gen; /* makes each monitor endpoint unique */
    int key_refused;  /* the refusal was shown (until the next HELLO_OK) */

    void *zctx, *sock;
    tote_outbox *ob;
    tote_scanner *sc;
    int sc_is_stdin, sc_eof;
    char sc_status[160];
    tote_sim *sim;
    tote_hhui *ui;
    int cmd_fd; /* -1: none */
    char cmd_buf[8192];
    size_t cmd_len;

    client_state st;
    int went_offline; /* since the last HELLO_OK */

    /* the one request in flight */
    int busy;
    req_kind kind;
    uint8_t req_type;
    uint32_t req_seq;
    int req_replay;
    long long deadline;
    int tx_pending; /* encoded, waiting for the socket to take it */
    size_t tx_len;
    uint8_t tx[TOTE_WIRE_MAX_FRAME];

    long long retry_at;    /* no sequenced request before (after STORAGE/INTERNAL) */
    uint32_t internal_seq; /* the request the station last failed with INTERNAL */
    int internal_count;    /* how many times in a row (CLIENT_INTERNAL_TRIES) */
    long long probe_at;    /* offline: next heartbeat */
    long long hb_at;       /* online and idle: next heartbeat */
    uint32_t heartbeat_ms;

    /* work */
    int have_task;
    tote_wire_msg task;
    int need_task;
    long long task_at;
    int login_blocked;
    long long idle_since; /* NO_TASK since, 0: not idle */
    int input_done;       /* stdin scanner ended */

    /* returns */
    int return_mode;
    uint8_t disposition;
    char location[TOTE_WIRE_SHORT_MAX + 1];
    char reason[TOTE_WIRE_TEXT_MAX + 1];

    /* a replay run: from HELLO_OK with a non-empty outbox until it is empty */
    int replay_run, replay_count, replay_refused;

    long sim_scans;
    int sim_stop;

    volatile sig_atomic_t stop_flag;
    int done, exit_code;
    char failure[600];
};

/* The client stops (tote_client_run returns code); fmt, if not NULL, says
 * why (tote_client_failure). Only the first call counts. */
void client_finish(tote_client *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An error line on the screen (tote_hhui_error) with a formatted message. */
void client_ui_errorf(tote_client *c, const char *code, uint32_t seq, uint8_t type, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Beeps or buzzes the scanner (TOTE_FEEDBACK_*; NONE: nothing). */
void client_feedback(tote_client *c, uint8_t fb);
/* The outbox failed: says why on the screen and stops the client (status 1).
 * seq and type: the request concerned, 0 if none. */
void client_outbox_failed(tote_client *c, uint32_t seq, uint8_t type);
/* Requests in the outbox (0 when it cannot be read: the client stops). */
long client_queued(tote_client *c);
/* Stores a sequenced request in the outbox (before it can be sent); m->seq
 * is set here. 0, or -1 when it was refused (shown on the screen). */
int client_submit(tote_client *c, tote_wire_msg *m);
/* A request of type with no fields, submitted. */
void client_submit_simple(tote_client *c, tote_wire_type type);
/* A scan (or, in return mode, a returned item) of len bytes, submitted. */
void client_submit_scan(tote_client *c, const char *symbology, const uint8_t *data, size_t len);

/* client_replies.c: reads what the station sent on the socket and acts on
 * each reply to the request in flight. */
void client_sock_read(tote_client *c, long long now);

/* client_commands.c: shows the return mode's settings. */
void client_show_mode(tote_client *c);
/* Runs one keypad command line ("!..."). */
void client_command(tote_client *c, const char *line);
/* A line of operator input: a command, or a barcode typed by hand. */
void client_operator_line(tote_client *c, const char *sym, const uint8_t *data, size_t len);

#endif
