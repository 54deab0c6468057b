/*
 * The stdin transport: each line (CR, LF or CR LF) is one scan, with an
 * optional AIM identifier at its start. Used for demos, keyboard-wedge
 * scanners typing into a terminal, and tests (any readable fd).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "scanner_internal.h"
#include "tote/serial_line.h"

typedef struct stdin_impl {
    int fd;
    int eof;
    tote_sline_parser parser;
    uint8_t rbuf[4096];
    size_t rlen, rpos;
} stdin_impl;

static tote_hh_err stdin_open(tote_scanner *sc, const tote_scanner_cfg *cfg)
{
    stdin_impl *im = calloc(1, sizeof *im);
    if (!im)
        return TOTE_HH_E_NOMEM;
    im->fd = cfg->fd;
    tote_sline_init(&im->parser);
    sc->impl = im;
    tote_scanner_set_status(sc, "connected");
    return TOTE_HH_E_OK;
}

static void stdin_close(tote_scanner *sc)
{
    free(sc->impl);
    sc->impl = NULL;
}

static int stdin_fd(tote_scanner *sc)
{
    return ((stdin_impl *)sc->impl)->fd;
}

static tote_hh_err deliver(const tote_sline *line, tote_proto_err pe, tote_scan_event *ev)
{
    if (pe == TOTE_PROTO_E_TOO_LONG)
        return TOTE_HH_E_PROTOCOL;
    return tote_scanner_fill_event(ev, line->aim, line->data, line->len);
}

static tote_hh_err stdin_read(tote_scanner *sc, tote_scan_event *ev)
{
    stdin_impl *im = sc->impl;
    for (;;) {
        if (im->rpos < im->rlen) {
            tote_sline line;
            tote_proto_err pe;
            im->rpos += tote_sline_feed(&im->parser, im->rbuf + im->rpos, im->rlen - im->rpos, &line, &pe);
            if (pe != TOTE_PROTO_E_INCOMPLETE)
                return deliver(&line, pe, ev);
            continue;
        }
        if (im->eof) {
            tote_sline line;
            tote_proto_err pe;
            tote_sline_finish(&im->parser, &line, &pe);
            if (pe != TOTE_PROTO_E_INCOMPLETE)
                return deliver(&line, pe, ev);
            return TOTE_HH_E_EOF_;
        }
        struct pollfd pfd = {.fd = im->fd, .events = POLLIN};
        int pr = poll(&pfd, 1, 0);
        if (pr == 0 || (pr < 0 && errno == EINTR))
            return TOTE_HH_E_TIMEOUT;
        ssize_t n = read(im->fd, im->rbuf, sizeof im->rbuf);
        if (n > 0) {
            im->rlen = (size_t)n;
            im->rpos = 0;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            return TOTE_HH_E_TIMEOUT;
        } else {
            im->eof = 1;
            tote_scanner_set_status(sc, "disconnected: %s", n == 0 ? "end of input" : "read error");
        }
    }
}

static tote_hh_err stdin_feedback(tote_scanner *sc, uint8_t feedback)
{
    (void)sc;
    (void)feedback;
    return TOTE_HH_E_OK; /* a terminal has no beeper we may rely on */
}

const tote_scanner_ops tote_scanner_stdin_ops = {
    .name = "stdin",
    .open = stdin_open,
    .close = stdin_close,
    .fd = stdin_fd,
    .read = stdin_read,
    .feedback = stdin_feedback,
};
