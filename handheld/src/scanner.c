/*
 * The scanner dispatcher: parses the --scanner spec, picks the backend from
 * the ops tables, and forwards the public calls to it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "scanner_internal.h"
#include "tote/wire.h"

void tote_scanner_set_status(tote_scanner *sc, const char *fmt, ...)
{
    char text[sizeof sc->status];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&sc->status_lock);
    int changed = strcmp(text, sc->status) != 0;
    memcpy(sc->status, text, sizeof text);
    int fd = sc->notify_fd;
    pthread_mutex_unlock(&sc->status_lock);
    if (changed && fd >= 0) {
        uint64_t one = 1;
        if (write(fd, &one, sizeof one) < 0) {
            /* the counter cannot overflow in practice; nothing to do */
        }
    }
}

tote_hh_err tote_scanner_fill_event(tote_scan_event *ev, const char *aim, const uint8_t *data, size_t len)
{
    if (len == 0 || len > sizeof ev->data)
        return TOTE_HH_E_PROTOCOL;
    size_t alen = aim ? strlen(aim) : 0;
    if (alen >= sizeof ev->symbology)
        alen = sizeof ev->symbology - 1;
    memcpy(ev->symbology, aim, alen);
    ev->symbology[alen] = '\0';
    memcpy(ev->data, data, len);
    ev->len = len;
    return TOTE_HH_E_OK;
}

int64_t tote_scanner_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the hand-over queue ---- */

int tote_scanq_init(tote_scanq *q, size_t cap)
{
    memset(q, 0, sizeof *q);
    q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->efd < 0)
        return -1;
    q->items = calloc(cap, sizeof *q->items);
    if (!q->items) {
        close(q->efd);
        q->efd = -1;
        return -1;
    }
    q->cap = cap;
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_full, NULL);
    return 0;
}

void tote_scanq_free(tote_scanq *q)
{
    if (!q->items)
        return;
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->not_full);
    free(q->items);
    q->items = NULL;
    if (q->efd >= 0)
        close(q->efd);
    q->efd = -1;
}

int tote_scanq_push(tote_scanq *q, tote_hh_err code, const char *aim, const uint8_t *data, size_t len)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == q->cap && !q->shutdown)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->shutdown) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    tote_scanq_item *it = &q->items[(q->head + q->count) % q->cap];
    it->code = code;
    if (code != TOTE_HH_E_OK || tote_scanner_fill_event(&it->ev, aim, data, len) != TOTE_HH_E_OK) {
        if (code == TOTE_HH_E_OK)
            it->code = TOTE_HH_E_PROTOCOL; /* empty or oversized: say so, do not drop silently */
        it->ev.len = 0;
        it->ev.symbology[0] = '\0';
    }
    q->count++;
    uint64_t one = 1;
    if (write(q->efd, &one, sizeof one) < 0) {
        /* the counter cannot overflow in practice; nothing to do */
    }
    pthread_mutex_unlock(&q->mu);
    return 0;
}

tote_hh_err tote_scanq_pop(tote_scanq *q, tote_scan_event *ev)
{
    pthread_mutex_lock(&q->mu);
    if (q->count == 0) {
        uint64_t v; /* a status-change wakeup: taken */
        if (read(q->efd, &v, sizeof v) < 0) {
            /* already zero */
        }
        pthread_mutex_unlock(&q->mu);
        return TOTE_HH_E_TIMEOUT;
    }
    tote_scanq_item *it = &q->items[q->head];
    tote_hh_err code = it->code;
    if (code == TOTE_HH_E_OK)
        *ev = it->ev;
    q->head = (q->head + 1) % q->cap;
    q->count--;
    if (q->count == 0) {
        uint64_t v;
        if (read(q->efd, &v, sizeof v) < 0) {
            /* already zero */
        }
    }
    pthread_cond_signal(&q->not_full);
    pthread_mutex_unlock(&q->mu);
    return code;
}

void tote_scanq_shutdown(tote_scanq *q)
{
    pthread_mutex_lock(&q->mu);
    q->shutdown = 1;
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

void tote_scanner_json_str(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* ---- known scanners ---- */

static const tote_scanner_known known[] = {
    {0x05E0, 0, "Zebra (Symbol)"},
    {0x0C2E, 0, "Honeywell (Metrologic)"},
    {0x0536, 0, "Honeywell (Hand Held Products)"},
    {0x05F9, 0, "Datalogic"},
    {0x1EAB, 0, "Newland"},
};

const tote_scanner_known *tote_scanner_known_lookup(uint16_t vid, uint16_t pid)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].vid == vid && (known[i].pid == 0 || known[i].pid == pid))
            return &known[i];
    return NULL;
}

/* Parses 1-4 hex digits from s up to end; -1 if malformed. */
static long parse_hex16(const char *s, const char *end)
{
    size_t n = (size_t)(end - s);
    if (n < 1 || n > 4)
        return -1;
    long v = 0;
    for (const char *p = s; p < end; p++) {
        if (!isxdigit((unsigned char)*p))
            return -1;
        v = v * 16 + (isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
    }
    return v;
}

static int parse_serial(const char *rest, tote_scanner_cfg *cfg)
{
    const char *comma = strchr(rest, ',');
    size_t plen = comma ? (size_t)(comma - rest) : strlen(rest);
    if (plen == 0 || plen >= sizeof cfg->path)
        return -1;
    memcpy(cfg->path, rest, plen);
    cfg->path[plen] = '\0';
    int have_mode = 0, have_baud = 0;
    while (comma) {
        const char *tok = comma + 1;
        comma = strchr(tok, ',');
        size_t tlen = comma ? (size_t)(comma - tok) : strlen(tok);
        if (tlen == 3 && strncmp(tok, "ssi", 3) == 0 && !have_mode) {
            cfg->ssi = 1;
            have_mode = 1;
        } else if (tlen == 5 && strncmp(tok, "plain", 5) == 0 && !have_mode) {
            cfg->ssi = 0;
            have_mode = 1;
        } else if (tlen >= 3 && tlen <= 7 && !have_baud) {
            long b = 0;
            for (size_t i = 0; i < tlen; i++) {
                if (!isdigit((unsigned char)tok[i]))
                    return -1;
                b = b * 10 + (tok[i] - '0');
            }
            if (b < 300 || b > 4000000)
                return -1;
            cfg->baud = (int)b;
            have_baud = 1;
        } else {
            return -1;
        }
    }
    return 0;
}

static int parse_usb(const char *rest, tote_scanner_cfg *cfg)
{
    if (*rest == '\0')
        return 0;
    if (*rest != ':')
        return -1;
    rest++;
    const char *colon = strchr(rest, ':');
    if (!colon)
        return -1;
    long vid = parse_hex16(rest, colon);
    long pid = parse_hex16(colon + 1, colon + 1 + strlen(colon + 1));
    if (vid < 0 || pid < 0)
        return -1;
    cfg->have_vidpid = 1;
    cfg->vid = (uint16_t)vid;
    cfg->pid = (uint16_t)pid;
    return 0;
}

static int parse_spec(const char *spec, tote_scanner_cfg *cfg)
{
    if (!spec)
        return -1;
    if (strcmp(spec, "stdin") == 0) {
        cfg->kind = TOTE_SCK_STDIN;
        cfg->fd = 0;
        return 0;
    }
    if (strcmp(spec, "auto") == 0) {
        cfg->kind = TOTE_SCK_AUTO;
        return 0;
    }
    if (strncmp(spec, "serial:", 7) == 0) {
        cfg->kind = TOTE_SCK_SERIAL;
        return parse_serial(spec + 7, cfg);
    }
    if (strncmp(spec, "usb", 3) == 0) {
        cfg->kind = TOTE_SCK_USB;
        return parse_usb(spec + 3, cfg);
    }
    return -1;
}

static void cfg_defaults(tote_scanner_cfg *cfg, const tote_scanner_opts *opts)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->fd = -1;
    cfg->baud = 9600;
    cfg->response_timeout_ms = 2000;
    cfg->reopen_ms = 500;
    cfg->ssi_aim_param = 0x2D;
    cfg->ssi_aim_value = 0x01;
    if (!opts)
        return;
    if (opts->response_timeout_ms > 0)
        cfg->response_timeout_ms = opts->response_timeout_ms;
    if (opts->reopen_ms > 0)
        cfg->reopen_ms = opts->reopen_ms;
    if (opts->ssi_aim_param != 0)
        cfg->ssi_aim_param = opts->ssi_aim_param;
    if (opts->ssi_aim_value != 0)
        cfg->ssi_aim_value = opts->ssi_aim_value;
}

static tote_hh_err scanner_start(const tote_scanner_ops *ops, const tote_scanner_cfg *cfg, tote_scanner **out)
{
    tote_scanner *sc = calloc(1, sizeof *sc);
    if (!sc)
        return TOTE_HH_E_NOMEM;
    pthread_mutex_init(&sc->status_lock, NULL);
    sc->notify_fd = -1;
    sc->ops = ops;
    sc->kind = ops->name;
    tote_hh_err e = ops->open(sc, cfg);
    if (e != TOTE_HH_E_OK) {
        pthread_mutex_destroy(&sc->status_lock);
        free(sc);
        return e;
    }
    *out = sc;
    return TOTE_HH_E_OK;
}

tote_hh_err tote_scanner_new_opts(const char *spec, const tote_scanner_opts *opts, tote_scanner **out)
{
    if (!out)
        return TOTE_HH_E_INVALID;
    *out = NULL;
    tote_scanner_cfg cfg;
    cfg_defaults(&cfg, opts);
    if (parse_spec(spec, &cfg) != 0)
        return TOTE_HH_E_INVALID;
    if (cfg.kind == TOTE_SCK_AUTO && tote_scanner_auto_usb(&cfg) != 0 && tote_scanner_auto_serial(&cfg) != 0)
        return TOTE_HH_E_NOT_FOUND;
    switch (cfg.kind) {
    case TOTE_SCK_STDIN:
        return scanner_start(&tote_scanner_stdin_ops, &cfg, out);
    case TOTE_SCK_SERIAL:
        return scanner_start(&tote_scanner_serial_ops, &cfg, out);
    case TOTE_SCK_USB:
        return scanner_start(&tote_scanner_usb_ops, &cfg, out);
    case TOTE_SCK_AUTO:
        break;
    }
    return TOTE_HH_E_NOT_FOUND;
}

tote_hh_err tote_scanner_new(const char *spec, tote_scanner **out)
{
    return tote_scanner_new_opts(spec, NULL, out);
}

tote_hh_err tote_scanner_new_fd(int fd, tote_scanner **out)
{
    if (!out)
        return TOTE_HH_E_INVALID;
    *out = NULL;
    if (fd < 0)
        return TOTE_HH_E_INVALID;
    tote_scanner_cfg cfg;
    cfg_defaults(&cfg, NULL);
    cfg.kind = TOTE_SCK_STDIN;
    cfg.fd = fd;
    return scanner_start(&tote_scanner_stdin_ops, &cfg, out);
}

void tote_scanner_destroy(tote_scanner **scp)
{
    if (!scp || !*scp)
        return;
    tote_scanner *sc = *scp;
    sc->ops->close(sc);
    pthread_mutex_destroy(&sc->status_lock);
    free(sc);
    *scp = NULL;
}

int tote_scanner_fd(tote_scanner *sc)
{
    return sc ? sc->ops->fd(sc) : -1;
}

tote_hh_err tote_scanner_read(tote_scanner *sc, tote_scan_event *ev)
{
    if (!sc || !ev)
        return TOTE_HH_E_INVALID;
    return sc->ops->read(sc, ev);
}

tote_hh_err tote_scanner_feedback(tote_scanner *sc, uint8_t feedback)
{
    if (!sc)
        return TOTE_HH_E_INVALID;
    if (feedback > TOTE_FEEDBACK_DONE)
        return TOTE_HH_E_INVALID;
    if (feedback == TOTE_FEEDBACK_NONE)
        return TOTE_HH_E_OK;
    return sc->ops->feedback(sc, feedback);
}

const char *tote_scanner_status(const tote_scanner *csc)
{
    if (!csc)
        return "disconnected: no scanner";
    tote_scanner *sc = (tote_scanner *)csc; /* the lock is not part of the logical state */
    pthread_mutex_lock(&sc->status_lock);
    memcpy(sc->status_out, sc->status, sizeof sc->status_out);
    pthread_mutex_unlock(&sc->status_lock);
    return sc->status_out;
}

const char *tote_scanner_kind(const tote_scanner *sc)
{
    return sc ? sc->kind : "none";
}

int tote_scanner_list(FILE *out, int json)
{
    int first = 1;
    if (json)
        fputs("[", out);
    int nu = tote_scanner_list_usb(out, json, &first);
    int ns = tote_scanner_list_serial(out, json, &first);
    if (json)
        fputs(first ? "]\n" : "\n]\n", out);
    if (nu < 0 && ns < 0)
        return -1;
    return (nu > 0 ? nu : 0) + (ns > 0 ? ns : 0);
}
