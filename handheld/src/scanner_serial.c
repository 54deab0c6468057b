/*
 * Serial scanners through libserialport: Zebra SSI (PROTOCOLS.md §1) or
 * plain text lines. One I/O thread per scanner opens the port (and reopens
 * it after an unplug), answers the SSI handshake, and hands scans to the
 * client through the scanq.
 *
 * SSI host behaviour:
 *   on open: WAKEUP (0x00, then 20 ms), PARAM_SEND temporary 0xEE=0x01
 *   (DECODE_DATA packets), PARAM_SEND temporary <aim param>=<aim value>
 *   (AIM code id transmission; default 0x2D=0x01, UNVERIFIED, configurable,
 *   -1 skips it), SCAN_ENABLE;
 *   every DECODE_DATA (and every other scanner packet except ACK/NAK) is
 *   ACKed; a frame with a bad checksum is answered NAK RESEND;
 *   own commands go one at a time; one not ACKed within the response timeout
 *   (or NAKed RESEND) is resent with the retransmit bit, at most twice, then
 *   dropped.
 * Feedback (SSI only; plain serial has no return channel we can rely on):
 *   GOOD BEEP 0x00 (one short high) · ERROR BEEP 0x10 (two long low) ·
 *   WARNING BEEP 0x06 (two short low) · DONE BEEP 0x0A (one long high).
 *   No LED commands: the scanner flashes its decode LED itself; an SSI bit
 *   for a red LED is model-specific and unverified.
 */
#include <errno.h>
#include <libserialport.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "scanner_internal.h"
#include "tote/serial_line.h"
#include "tote/ssi.h"
#include "tote/wire.h"

#define CMDQ_MAX 16
#define SSI_MAX_TRIES 3 /* first send + two retransmissions */

typedef struct ssi_cmd {
    uint8_t frame[TOTE_SSI_MAX_FRAME];
    size_t len;
} ssi_cmd;

typedef struct serial_impl {
    tote_scanner *sc;
    tote_scanner_cfg cfg;
    tote_scanq q;
    pthread_t thread;
    int thread_started;
    int wake_fd;
    atomic_int stop;

    /* shared with the client thread, under mu */
    pthread_mutex_t mu;
    ssi_cmd cmds[CMDQ_MAX];
    size_t cmd_head, cmd_count;
    int connected;

    /* I/O thread only */
    struct sp_port *port;
    int fd;
    tote_ssi_parser parser;
    tote_ssi_assembler assembler;
    tote_sline_parser lines;
    ssi_cmd inflight;
    int have_inflight;
    int tries;
    int64_t deadline;
    int64_t last_rx;
    int answered;   /* the scanner acknowledged something since this connect */
    int unanswered; /* commands dropped without any answer since this connect */
} serial_impl;

/* ---- command queue (client thread -> I/O thread) ---- */

static int cmd_push_locked(serial_impl *im, const uint8_t *frame, size_t len)
{
    if (im->cmd_count == CMDQ_MAX || len == 0 || len > TOTE_SSI_MAX_FRAME)
        return -1;
    ssi_cmd *c = &im->cmds[(im->cmd_head + im->cmd_count) % CMDQ_MAX];
    memcpy(c->frame, frame, len);
    c->len = len;
    im->cmd_count++;
    return 0;
}

static int cmd_pop(serial_impl *im, ssi_cmd *out)
{
    pthread_mutex_lock(&im->mu);
    int have = im->cmd_count > 0;
    if (have) {
        *out = im->cmds[im->cmd_head];
        im->cmd_head = (im->cmd_head + 1) % CMDQ_MAX;
        im->cmd_count--;
    }
    pthread_mutex_unlock(&im->mu);
    return have;
}

static void wake(serial_impl *im)
{
    uint64_t one = 1;
    if (write(im->wake_fd, &one, sizeof one) < 0) {
        /* counter saturated: the thread is awake anyway */
    }
}

/* ---- port handling (I/O thread) ---- */

static void set_connected(serial_impl *im, int on)
{
    pthread_mutex_lock(&im->mu);
    im->connected = on;
    pthread_mutex_unlock(&im->mu);
}

static void port_close(serial_impl *im)
{
    if (im->port) {
        sp_close(im->port);
        sp_free_port(im->port);
        im->port = NULL;
    }
    im->fd = -1;
}

/* Sets the status from libserialport's last error for what we tried. */
static void status_sp_error(serial_impl *im, const char *what)
{
    char *msg = sp_last_error_message();
    int code = sp_last_error_code();
    if (code == EACCES || code == EPERM)
        tote_scanner_set_status(im->sc,
                                "disconnected: permission denied opening %s (is the user in the scanner "
                                "or dialout group?)",
                                im->cfg.path);
    else
        tote_scanner_set_status(im->sc, "disconnected: %s %s: %s", what, im->cfg.path, msg ? msg : "error");
    if (msg)
        sp_free_error_message(msg);
}

/*
 * libserialport 0.1.1 looks a port up in /sys/class/tty by its /dev name, so
 * a stable udev link such as /dev/serial/by-id/usb-Zebra_...-if00 (-> ../../
 * ttyACM0) is resolved to the tty it points at first. Other names are used
 * as given.
 */
static void resolve_port(const char *path, char *out, size_t cap)
{
    char target[256];
    ssize_t n = readlink(path, target, sizeof target - 1);
    snprintf(out, cap, "%s", path);
    if (n <= 0)
        return;
    target[n] = '\0';
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    char sys[300];
    snprintf(sys, sizeof sys, "/sys/class/tty/%s", base);
    if (*base && access(sys, F_OK) == 0)
        snprintf(out, cap, "/dev/%s", base);
}

static int port_open(serial_impl *im)
{
    struct sp_port *p = NULL;
    char name[300];
    resolve_port(im->cfg.path, name, sizeof name);
    if (sp_get_port_by_name(name, &p) != SP_OK) {
        tote_scanner_set_status(im->sc, "disconnected: %s not found", im->cfg.path);
        return -1;
    }
    if (sp_open(p, SP_MODE_READ_WRITE) != SP_OK) {
        status_sp_error(im, "cannot open");
        sp_free_port(p);
        return -1;
    }
    if (sp_set_baudrate(p, im->cfg.baud) != SP_OK || sp_set_bits(p, 8) != SP_OK ||
        sp_set_parity(p, SP_PARITY_NONE) != SP_OK || sp_set_stopbits(p, 1) != SP_OK ||
        sp_set_flowcontrol(p, SP_FLOWCONTROL_NONE) != SP_OK) {
        status_sp_error(im, "cannot configure");
        sp_close(p);
        sp_free_port(p);
        return -1;
    }
    int fd = -1;
    if (sp_get_port_handle(p, &fd) != SP_OK || fd < 0) {
        tote_scanner_set_status(im->sc, "disconnected: no handle for %s", im->cfg.path);
        sp_close(p);
        sp_free_port(p);
        return -1;
    }
    sp_flush(p, SP_BUF_BOTH);
    im->port = p;
    im->fd = fd;
    return 0;
}

static int port_write(serial_impl *im, const uint8_t *buf, size_t len)
{
    enum sp_return r = sp_blocking_write(im->port, buf, len, 500);
    return (r >= 0 && (size_t)r == len) ? 0 : -1;
}

/* Sleeps up to ms, returning early (1) when asked to stop. */
static int nap(serial_impl *im, int ms)
{
    struct pollfd pfd = {.fd = im->wake_fd, .events = POLLIN};
    int64_t end = tote_scanner_now_ms() + ms;
    for (;;) {
        if (atomic_load(&im->stop))
            return 1;
        int64_t left = end - tote_scanner_now_ms();
        if (left <= 0)
            return 0;
        if (poll(&pfd, 1, (int)left) > 0) {
            uint64_t v;
            if (read(im->wake_fd, &v, sizeof v) < 0) {
                /* nothing pending */
            }
        }
    }
}

/* ---- SSI (I/O thread) ---- */

static void ssi_send_now(serial_impl *im, const uint8_t *frame, size_t len)
{
    if (im->port && port_write(im, frame, len) != 0) {
        /* a failed write shows up as a read error/hangup right after */
    }
}

static void ssi_ack(serial_impl *im)
{
    uint8_t f[8];
    size_t n = tote_ssi_build_ack(TOTE_SSI_SRC_HOST, f, sizeof f);
    ssi_send_now(im, f, n);
}

static void ssi_nak_resend(serial_impl *im)
{
    uint8_t f[8];
    size_t n = tote_ssi_build_nak(TOTE_SSI_SRC_HOST, TOTE_SSI_NAK_RESEND, f, sizeof f);
    ssi_send_now(im, f, n);
}

static void ssi_start_next(serial_impl *im)
{
    if (im->have_inflight || !im->port)
        return;
    if (!cmd_pop(im, &im->inflight))
        return;
    im->have_inflight = 1;
    im->tries = 1;
    im->deadline = tote_scanner_now_ms() + im->cfg.response_timeout_ms;
    ssi_send_now(im, im->inflight.frame, im->inflight.len);
}

static void ssi_done(serial_impl *im)
{
    im->have_inflight = 0;
    ssi_start_next(im);
}

/* Resend the in-flight command with the retransmit bit, or give up. */
static void ssi_retry(serial_impl *im)
{
    if (im->tries >= SSI_MAX_TRIES) {
        if (!im->answered) {
            im->unanswered++;
            tote_scanner_set_status(im->sc,
                                    "connected: %s does not answer SSI commands (is the scanner in SSI "
                                    "mode?)",
                                    im->cfg.path);
        }
        ssi_done(im);
        return;
    }
    tote_ssi_set_retransmit(im->inflight.frame, im->inflight.len);
    im->tries++;
    im->deadline = tote_scanner_now_ms() + im->cfg.response_timeout_ms;
    ssi_send_now(im, im->inflight.frame, im->inflight.len);
}

static void ssi_answered(serial_impl *im)
{
    if (!im->answered) {
        im->answered = 1;
        if (im->unanswered)
            tote_scanner_set_status(im->sc, "connected");
    }
}

static void ssi_frame(serial_impl *im, const tote_ssi_frame *f)
{
    switch (f->opcode) {
    case TOTE_SSI_CMD_ACK:
        ssi_answered(im);
        if (im->have_inflight)
            ssi_done(im);
        return;
    case TOTE_SSI_CMD_NAK:
        ssi_answered(im);
        if (!im->have_inflight)
            return;
        if (f->dlen >= 1 && f->data[0] == TOTE_SSI_NAK_RESEND)
            ssi_retry(im);
        else
            ssi_done(im); /* BAD_CONTEXT / DENIED: do not resend */
        return;
    case TOTE_SSI_DECODE_DATA: {
        ssi_ack(im);
        tote_ssi_barcode bc;
        tote_proto_err e = tote_ssi_asm_add(&im->assembler, f, &bc);
        if (e == TOTE_PROTO_E_OK)
            tote_scanq_push(&im->q, TOTE_HH_E_OK, bc.aim, bc.data, bc.len);
        else if (e != TOTE_PROTO_E_INCOMPLETE)
            tote_scanq_push(&im->q, TOTE_HH_E_PROTOCOL, NULL, NULL, 0);
        return;
    }
    default:
        /* revision replies, parameter replies, events: acknowledge */
        ssi_ack(im);
        return;
    }
}

static void ssi_connected(serial_impl *im)
{
    tote_ssi_parser_init(&im->parser);
    tote_ssi_asm_init(&im->assembler);
    im->have_inflight = 0;
    im->answered = 0;
    im->unanswered = 0;
    uint8_t f[TOTE_SSI_MAX_FRAME];
    size_t n = tote_ssi_build_wakeup(f, sizeof f);
    ssi_send_now(im, f, n);
    nap(im, 20); /* >= 10 ms after a wakeup byte */

    pthread_mutex_lock(&im->mu);
    im->cmd_head = im->cmd_count = 0; /* feedback queued while away is stale */
    tote_ssi_param fmt = {TOTE_SSI_PARAM_DECODE_FORMAT, 0x01};
    n = tote_ssi_build_param_send(0, TOTE_SSI_PARAM_NO_BEEP, &fmt, 1, f, sizeof f);
    cmd_push_locked(im, f, n);
    if (im->cfg.ssi_aim_param >= 0 && im->cfg.ssi_aim_param < 0xF0) {
        tote_ssi_param aim = {(uint8_t)im->cfg.ssi_aim_param, (uint8_t)im->cfg.ssi_aim_value};
        n = tote_ssi_build_param_send(0, TOTE_SSI_PARAM_NO_BEEP, &aim, 1, f, sizeof f);
        cmd_push_locked(im, f, n);
    }
    n = tote_ssi_build_scan_enable(1, f, sizeof f);
    cmd_push_locked(im, f, n);
    pthread_mutex_unlock(&im->mu);
    ssi_start_next(im);
}

static void ssi_bytes(serial_impl *im, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        tote_ssi_frame f;
        tote_proto_err e;
        pos += tote_ssi_parser_feed(&im->parser, buf + pos, len - pos, &f, &e);
        if (e == TOTE_PROTO_E_OK) {
            ssi_frame(im, &f);
        } else if (e == TOTE_PROTO_E_CHECKSUM) {
            ssi_nak_resend(im);
            tote_ssi_asm_nak_sent(&im->assembler);
        }
    }
}

/* ---- plain lines (I/O thread) ---- */

static void plain_bytes(serial_impl *im, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        tote_sline line;
        tote_proto_err e;
        pos += tote_sline_feed(&im->lines, buf + pos, len - pos, &line, &e);
        if (e == TOTE_PROTO_E_OK)
            tote_scanq_push(&im->q, TOTE_HH_E_OK, line.aim, line.data, line.len);
        else if (e == TOTE_PROTO_E_TOO_LONG)
            tote_scanq_push(&im->q, TOTE_HH_E_PROTOCOL, NULL, NULL, 0);
    }
}

/* ---- the I/O thread ---- */

/* Runs while the port is open; returns when it went away or on stop. */
static void serve_port(serial_impl *im)
{
    uint8_t buf[1024];
    im->last_rx = tote_scanner_now_ms();
    while (!atomic_load(&im->stop)) {
        int timeout = 1000;
        int64_t now = tote_scanner_now_ms();
        if (im->cfg.ssi) {
            if (im->have_inflight) {
                int64_t left = im->deadline - now;
                timeout = left < 0 ? 0 : (int)left;
            }
            if (tote_ssi_parser_pending(&im->parser)) {
                int64_t left = im->last_rx + im->cfg.response_timeout_ms - now;
                if (left < timeout)
                    timeout = left < 0 ? 0 : (int)left;
            }
        }
        struct pollfd pfd[2] = {{.fd = im->fd, .events = POLLIN}, {.fd = im->wake_fd, .events = POLLIN}};
        int pr = poll(pfd, 2, timeout);
        if (pr < 0 && errno != EINTR) {
            tote_scanner_set_status(im->sc, "disconnected: poll failed on %s", im->cfg.path);
            return;
        }
        if (pr > 0 && (pfd[1].revents & POLLIN)) {
            uint64_t v;
            if (read(im->wake_fd, &v, sizeof v) < 0) {
                /* spurious */
            }
            if (im->cfg.ssi)
                ssi_start_next(im);
        }
        if (pr > 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
            int n = sp_nonblocking_read(im->port, buf, sizeof buf);
            if (n < 0 || (n == 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)))) {
                tote_scanner_set_status(im->sc, "disconnected: %s went away", im->cfg.path);
                return;
            }
            if (n > 0) {
                im->last_rx = tote_scanner_now_ms();
                if (im->cfg.ssi)
                    ssi_bytes(im, buf, (size_t)n);
                else
                    plain_bytes(im, buf, (size_t)n);
            }
        }
        if (im->cfg.ssi) {
            now = tote_scanner_now_ms();
            if (im->have_inflight && now >= im->deadline)
                ssi_retry(im);
            if (tote_ssi_parser_pending(&im->parser) && now - im->last_rx >= im->cfg.response_timeout_ms)
                tote_ssi_parser_reset(&im->parser); /* a partial frame that never completed */
        }
    }
}

static void *serial_thread(void *arg)
{
    serial_impl *im = arg;
    int was_connected = 0;
    while (!atomic_load(&im->stop)) {
        if (port_open(im) != 0) {
            if (nap(im, im->cfg.reopen_ms))
                break;
            continue;
        }
        tote_scanner_set_status(im->sc, "connected");
        set_connected(im, 1);
        was_connected = 1;
        tote_sline_init(&im->lines);
        if (im->cfg.ssi)
            ssi_connected(im);
        serve_port(im);
        port_close(im);
        set_connected(im, 0);
        if (atomic_load(&im->stop))
            break;
        if (was_connected)
            tote_scanq_push(&im->q, TOTE_HH_E_DISCONNECTED, NULL, NULL, 0);
        was_connected = 0;
        nap(im, im->cfg.reopen_ms);
    }
    port_close(im);
    return NULL;
}

/* ---- ops ---- */

static void serial_close(tote_scanner *sc)
{
    serial_impl *im = sc->impl;
    if (!im)
        return;
    atomic_store(&im->stop, 1);
    tote_scanq_shutdown(&im->q);
    if (im->wake_fd >= 0)
        wake(im);
    if (im->thread_started)
        pthread_join(im->thread, NULL);
    sc->notify_fd = -1;
    tote_scanq_free(&im->q);
    if (im->wake_fd >= 0)
        close(im->wake_fd);
    pthread_mutex_destroy(&im->mu);
    free(im);
    sc->impl = NULL;
}

static tote_hh_err serial_open(tote_scanner *sc, const tote_scanner_cfg *cfg)
{
    serial_impl *im = calloc(1, sizeof *im);
    if (!im)
        return TOTE_HH_E_NOMEM;
    im->sc = sc;
    im->cfg = *cfg;
    im->fd = -1;
    pthread_mutex_init(&im->mu, NULL);
    im->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    sc->impl = im;
    if (im->wake_fd < 0 || tote_scanq_init(&im->q, 32) != 0) {
        serial_close(sc);
        return TOTE_HH_E_IO;
    }
    sc->notify_fd = im->q.efd; /* status changes wake the client */
    sc->kind = cfg->ssi ? "serial-ssi" : "serial-plain";
    tote_scanner_set_status(sc, "opening %s", cfg->path);
    if (pthread_create(&im->thread, NULL, serial_thread, im) != 0) {
        serial_close(sc);
        return TOTE_HH_E_IO;
    }
    im->thread_started = 1;
    return TOTE_HH_E_OK;
}

static int serial_fd(tote_scanner *sc)
{
    return ((serial_impl *)sc->impl)->q.efd;
}

static tote_hh_err serial_read(tote_scanner *sc, tote_scan_event *ev)
{
    return tote_scanq_pop(&((serial_impl *)sc->impl)->q, ev);
}

static uint8_t beep_for(uint8_t feedback)
{
    switch (feedback) {
    case TOTE_FEEDBACK_ERROR:
        return 0x10; /* two long low */
    case TOTE_FEEDBACK_WARNING:
        return 0x06; /* two short low */
    case TOTE_FEEDBACK_DONE:
        return 0x0A; /* one long high */
    default:
        return 0x00; /* GOOD: one short high */
    }
}

static tote_hh_err serial_feedback(tote_scanner *sc, uint8_t feedback)
{
    serial_impl *im = sc->impl;
    pthread_mutex_lock(&im->mu);
    int connected = im->connected;
    int queued = 0;
    if (connected && im->cfg.ssi) {
        uint8_t f[16];
        size_t n = tote_ssi_build_beep(beep_for(feedback), f, sizeof f);
        queued = cmd_push_locked(im, f, n) == 0;
    }
    pthread_mutex_unlock(&im->mu);
    if (!connected)
        return TOTE_HH_E_DISCONNECTED;
    if (!im->cfg.ssi)
        return TOTE_HH_E_OK; /* plain serial: no way to beep */
    if (!queued)
        return TOTE_HH_E_TIMEOUT; /* 16 commands already wait for a scanner that does not answer */
    wake(im);
    return TOTE_HH_E_OK;
}

const tote_scanner_ops tote_scanner_serial_ops = {
    .name = "serial",
    .open = serial_open,
    .close = serial_close,
    .fd = serial_fd,
    .read = serial_read,
    .feedback = serial_feedback,
};

/* ---- listing and auto-detection ---- */

int tote_scanner_list_serial(FILE *out, int json, int *first)
{
    struct sp_port **ports = NULL;
    if (sp_list_ports(&ports) != SP_OK)
        return -1;
    int found = 0;
    for (int i = 0; ports[i]; i++) {
        struct sp_port *p = ports[i];
        const char *name = sp_get_port_name(p);
        int vid = -1, pid = -1;
        const char *serial = NULL, *product = NULL;
        if (sp_get_port_transport(p) == SP_TRANSPORT_USB) {
            sp_get_port_usb_vid_pid(p, &vid, &pid);
            serial = sp_get_port_usb_serial(p);
            product = sp_get_port_usb_product(p);
        }
        const tote_scanner_known *k =
            vid >= 0 ? tote_scanner_known_lookup((uint16_t)vid, (uint16_t)pid) : NULL;
        char spec[300];
        snprintf(spec, sizeof spec, "serial:%s,%s", name, "plain");
        const char *guess = k ? "serial scanner (plain lines; use ,ssi if set to SSI)" : "serial port";
        if (json) {
            fputs(*first ? "\n  {" : ",\n  {", out);
            fputs("\"kind\": \"serial\", \"path\": ", out);
            tote_scanner_json_str(out, name);
            if (vid >= 0)
                fprintf(out, ", \"vid_pid\": \"%04x:%04x\"", vid, pid);
            else
                fputs(", \"vid_pid\": null", out);
            fputs(", \"serial\": ", out);
            tote_scanner_json_str(out, serial);
            fputs(", \"product\": ", out);
            tote_scanner_json_str(out, product);
            fputs(", \"vendor\": ", out);
            tote_scanner_json_str(out, k ? k->name : NULL);
            fputs(", \"mode\": ", out);
            tote_scanner_json_str(out, guess);
            fputs(", \"spec\": ", out);
            tote_scanner_json_str(out, spec);
            fputs("}", out);
        } else {
            if (vid >= 0)
                fprintf(out, "serial  %-16s %04x:%04x  serial=%s  %s%s%s -> --scanner %s\n", name, vid, pid,
                        serial ? serial : "-", guess, k ? ", " : "", k ? k->name : "", spec);
            else
                fprintf(out, "serial  %-16s -          %s -> --scanner %s\n", name, guess, spec);
        }
        *first = 0;
        found++;
    }
    sp_free_port_list(ports);
    return found;
}

int tote_scanner_auto_serial(tote_scanner_cfg *cfg)
{
    struct sp_port **ports = NULL;
    if (sp_list_ports(&ports) != SP_OK)
        return -1;
    int rc = -1;
    for (int i = 0; ports[i] && rc != 0; i++) {
        int vid = -1, pid = -1;
        if (sp_get_port_transport(ports[i]) != SP_TRANSPORT_USB ||
            sp_get_port_usb_vid_pid(ports[i], &vid, &pid) != SP_OK)
            continue;
        if (!tote_scanner_known_lookup((uint16_t)vid, (uint16_t)pid))
            continue;
        const char *name = sp_get_port_name(ports[i]);
        if (strlen(name) >= sizeof cfg->path)
            continue;
        strcpy(cfg->path, name);
        cfg->kind = TOTE_SCK_SERIAL;
        cfg->ssi = 0;
        rc = 0;
    }
    sp_free_port_list(ports);
    return rc;
}
