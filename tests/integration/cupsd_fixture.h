/*
 * A private cupsd for tests, and a label printer played by the test.
 *
 * Header-only (static functions): include it from a test_*.c file. Recipe as
 * shared/TESTING.md: every path of cups-files.conf in a 0755 directory (the
 * socket backend runs as lp and must traverse it), cupsd.conf listening on a
 * socket in that directory, everything allowed, job history kept. ServerBin
 * is private too: links to the system's filters and backends plus one extra
 * backend "tfail:" that always fails (exit 1), for fault tests.
 *
 *   tt_cupsd c = {0};
 *   tt_cupsd_start(&c);          // sets $CUPS_SERVER and cupsSetServer()
 *   tt_cupsd_stop(&c);           // SIGTERM (state kept)
 *   tt_cupsd_start(&c);          // same directory again: queues and jobs survive
 *   tt_cupsd_destroy(&c);        // stop and remove the directory
 *
 *   tt_zebra z = {0};
 *   tt_zebra_start(&z);          // socket://127.0.0.1:z.port stores every job
 *   tt_zebra_jobs(&z); tt_zebra_job(&z, i, &len); tt_zebra_stop(&z);
 */
#ifndef TOTE_TEST_CUPSD_FIXTURE_H
#define TOTE_TEST_CUPSD_FIXTURE_H

#include <arpa/inet.h>
#include <cups/cups.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

typedef struct tt_cupsd {
    char *dir;
    char sock[256];
    tt_proc *proc;
} tt_cupsd;

static inline int tt_cupsd_write_(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return tt_write_file(p, text, strlen(text));
}

static inline int tt_cupsd_setup_(tt_cupsd *c)
{
    c->dir = tt_tmpdir("cups");
    if (!c->dir)
        return -1;
    const char *subs[] = {"etc", "spool", "tmp", "cache", "run", "log", "bin", "bin/backend"};
    char p[512];
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", c->dir, subs[i]);
        if (mkdir(p, 0755) != 0)
            return -1;
        chmod(p, 0755);
    }
    /* ServerBin: the system's parts by symlink, backends one by one */
    const char *parts[] = {"filter", "daemon", "cgi-bin", "notifier", "monitor", "driver"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char src[256];
        snprintf(src, sizeof src, "/usr/lib/cups/%s", parts[i]);
        snprintf(p, sizeof p, "%s/bin/%s", c->dir, parts[i]);
        if (access(src, F_OK) == 0 && symlink(src, p) != 0)
            return -1;
    }
    DIR *d = opendir("/usr/lib/cups/backend");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char src[512];
            snprintf(src, sizeof src, "/usr/lib/cups/backend/%s", e->d_name);
            snprintf(p, sizeof p, "%s/bin/backend/%s", c->dir, e->d_name);
            if (symlink(src, p) != 0) {
                closedir(d);
                return -1;
            }
        }
        closedir(d);
    }
    snprintf(p, sizeof p, "%s/bin/backend/tfail", c->dir);
    const char fail[] =
        "#!/bin/sh\n"
        "if [ $# -eq 0 ]; then echo 'direct tfail \"Unknown\" \"Tote test: always fails\"'; exit 0; fi\n"
        "cat >/dev/null 2>&1\n"
        "echo 'ERROR: tote test backend fails on purpose' >&2\n"
        "exit 1\n";
    if (tt_write_file(p, fail, sizeof fail - 1) != 0 || chmod(p, 0755) != 0)
        return -1;

    char files[4096];
    snprintf(files, sizeof files,
             "ServerRoot %1$s/etc\nRequestRoot %1$s/spool\nTempDir %1$s/tmp\nCacheDir %1$s/cache\n"
             "StateDir %1$s/run\nServerBin %1$s/bin\nDataDir /usr/share/cups\nSystemGroup root\n"
             "FileDevice Yes\nErrorLog %1$s/log/error_log\nAccessLog %1$s/log/access_log\n"
             "PageLog %1$s/log/page_log\nPrintcap %1$s/printcap\n",
             c->dir);
    /* TOTE_CUPS_LOGLEVEL=debug (with TOTE_KEEP_CUPS=1) to read what cupsd did */
    const char *level = getenv("TOTE_CUPS_LOGLEVEL") ? getenv("TOTE_CUPS_LOGLEVEL") : "warn";
    if (strspn(level, "abcdefghijklmnopqrstuvwxyz2") != strlen(level) || strlen(level) > 16)
        level = "warn";
    char conf[4096];
    snprintf(
        conf, sizeof conf,
        "Listen %s/cups.sock\nBrowsing No\nWebInterface No\nIdleExitTimeout 0\nJobRetryInterval 1\n"
        "PreserveJobHistory Yes\nDefaultAuthType None\nMaxLogSize 0\nLogLevel %s\nDefaultPolicy default\n"
        "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
        "<Policy default>\n  JobPrivateAccess all\n  JobPrivateValues none\n"
        "  SubscriptionPrivateAccess all\n  SubscriptionPrivateValues none\n"
        "  <Limit All>\n    Order deny,allow\n    Allow all\n  </Limit>\n</Policy>\n",
        c->dir, level);
    snprintf(c->sock, sizeof c->sock, "%s/cups.sock", c->dir);
    if (strlen(c->sock) >= 100)
        return -1;
    return tt_cupsd_write_(c->dir, "etc/cups-files.conf", files) ||
                   tt_cupsd_write_(c->dir, "etc/cupsd.conf", conf)
               ? -1
               : 0;
}

/* Starts (or restarts) the scheduler; 0 when it answers on its socket. */
static inline int tt_cupsd_start(tt_cupsd *c)
{
    if (!c->dir && tt_cupsd_setup_(c) != 0)
        return -1;
    char conf[512], files[512], err[512];
    snprintf(conf, sizeof conf, "%s/etc/cupsd.conf", c->dir);
    snprintf(files, sizeof files, "%s/etc/cups-files.conf", c->dir);
    snprintf(err, sizeof err, "%s/log/stderr", c->dir);
    const char *argv[] = {"/usr/sbin/cupsd", "-f", "-c", conf, "-s", files, NULL};
    c->proc = tt_spawn(argv, NULL, 0, NULL, err);
    if (!c->proc)
        return -1;
    setenv("CUPS_SERVER", c->sock, 1);
    cupsSetServer(c->sock);
    for (int i = 0; i < 100 * tt_slow(); i++) {
        http_t *h = httpConnect2(c->sock, 0, NULL, AF_UNSPEC, HTTP_ENCRYPTION_NEVER, 1, 200, NULL);
        if (h) {
            ipp_t *req = ippNewRequest(IPP_OP_CUPS_GET_DEFAULT);
            ipp_t *resp = cupsDoRequest(h, req, "/");
            httpClose(h);
            if (resp || cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND) {
                ippDelete(resp);
                return 0;
            }
        }
        tt_sleep_ms(50);
    }
    return -1;
}

static inline void tt_cupsd_stop(tt_cupsd *c)
{
    tt_proc_stop(&c->proc);
}

static inline void tt_cupsd_destroy(tt_cupsd *c)
{
    tt_cupsd_stop(c);
    if (c->dir) {
        if (getenv("TOTE_KEEP_CUPS"))
            fprintf(stderr, "cups dir kept: %s\n", c->dir);
        else
            tt_rmrf(c->dir);
    }
    free(c->dir);
    c->dir = NULL;
}

/* ---------------- the printer, played by the test ---------------- */

#define TT_ZEBRA_MAX_JOBS 1024

typedef struct tt_zebra {
    int port;
    int fd;
    pthread_t th;
    pthread_mutex_t mu;
    int running, stop;
    int n;
    char *data[TT_ZEBRA_MAX_JOBS];
    size_t len[TT_ZEBRA_MAX_JOBS];
} tt_zebra;

static inline void *tt_zebra_main_(void *arg)
{
    tt_zebra *z = arg;
    for (;;) {
        pthread_mutex_lock(&z->mu);
        int stop = z->stop;
        pthread_mutex_unlock(&z->mu);
        if (stop)
            break;
        struct pollfd pf = {.fd = z->fd, .events = POLLIN};
        if (poll(&pf, 1, 50) <= 0)
            continue;
        int cfd = accept(z->fd, NULL, NULL);
        if (cfd < 0)
            continue;
        size_t cap = 4096, len = 0;
        char *buf = malloc(cap);
        for (;;) {
            struct pollfd cp = {.fd = cfd, .events = POLLIN};
            if (poll(&cp, 1, 5000) <= 0)
                break;
            if (len == cap) {
                cap *= 2;
                buf = realloc(buf, cap);
            }
            ssize_t r = read(cfd, buf + len, cap - len);
            if (r <= 0)
                break;
            len += (size_t)r;
        }
        close(cfd);
        pthread_mutex_lock(&z->mu);
        if (len > 0 && z->n < TT_ZEBRA_MAX_JOBS) {
            z->data[z->n] = buf;
            z->len[z->n] = len;
            z->n++;
            buf = NULL;
        }
        pthread_mutex_unlock(&z->mu);
        free(buf);
    }
    return NULL;
}

/* Listens on 127.0.0.1 (a fresh port, or z->port if set); 0 on success. */
static inline int tt_zebra_start(tt_zebra *z)
{
    z->fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(z->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)z->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(z->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(z->fd, 16) != 0 ||
        getsockname(z->fd, (struct sockaddr *)&a, &al) != 0) {
        close(z->fd);
        return -1;
    }
    z->port = ntohs(a.sin_port);
    if (!z->running)
        pthread_mutex_init(&z->mu, NULL);
    z->stop = 0;
    if (pthread_create(&z->th, NULL, tt_zebra_main_, z) != 0)
        return -1;
    z->running = 1;
    return 0;
}

static inline int tt_zebra_jobs(tt_zebra *z)
{
    pthread_mutex_lock(&z->mu);
    int n = z->n;
    pthread_mutex_unlock(&z->mu);
    return n;
}

/* Job i's bytes (owned by z), or NULL. */
static inline const char *tt_zebra_job(tt_zebra *z, int i, size_t *len)
{
    pthread_mutex_lock(&z->mu);
    const char *d = i < z->n ? z->data[i] : NULL;
    *len = i < z->n ? z->len[i] : 0;
    pthread_mutex_unlock(&z->mu);
    return d;
}

static inline void tt_zebra_stop(tt_zebra *z)
{
    if (!z->running)
        return;
    pthread_mutex_lock(&z->mu);
    z->stop = 1;
    pthread_mutex_unlock(&z->mu);
    pthread_join(z->th, NULL);
    close(z->fd);
    for (int i = 0; i < z->n; i++)
        free(z->data[i]);
    z->n = 0;
    z->running = 0;
    pthread_mutex_destroy(&z->mu);
}

#endif
