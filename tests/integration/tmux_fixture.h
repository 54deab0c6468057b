/*
 * A real terminal for the tests of Tote's screens (tote console,
 * tote-handheld): a private tmux server (-L tmux_sock, no config file) runs
 * the program in session tmux_session; the test reads the screen with
 * capture-pane and types with send-keys. Include once per test program after
 * the fixture it uses; call tmux_open before anything else here.
 */
#ifndef TOTE_TESTS_TMUX_FIXTURE_H
#define TOTE_TESTS_TMUX_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

static char tmux_sock[64];
static const char *tmux_session = "tote";

/* tmux -L tmux_sock -f /dev/null a1 ... (up to 11 arguments, NULL-ended);
 * its stdout into *out when out is not NULL. The exit status, or -1. */
static int tmux(char **out, const char *a1, const char *a2, const char *a3, const char *a4, const char *a5,
                const char *a6, const char *a7, const char *a8, const char *a9, const char *a10,
                const char *a11)
{
    const char *argv[20] = {"/usr/bin/tmux", "-L", tmux_sock, "-f", "/dev/null"};
    int n = 5;
    const char *as[] = {a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11};
    for (int i = 0; i < 11 && as[i]; i++)
        argv[n++] = as[i];
    argv[n] = NULL;
    char *err = NULL;
    int rc = tt_run(argv, NULL, NULL, 10000, out, &err);
    free(err);
    return rc;
}

/* Stops the tmux server on tmux_sock and what runs in it (nothing if none),
 * and removes its socket file ($TMUX_TMPDIR or /tmp, then tmux-UID/: tmux
 * leaves it behind). */
static void tmux_kill(void)
{
    tmux(NULL, "kill-server", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    const char *dir = getenv("TMUX_TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/tmux-%ld/%s", dir && *dir ? dir : "/tmp", (long)getuid(), tmux_sock);
    unlink(path);
}

/* Readies the private server "tote-TAG-PID" for session: one left by a test
 * that gave up is stopped first, and the server is stopped at exit (it is no
 * child of this process, so the runner would not). Records a failure and
 * returns -1 when tmux is not installed; else 0. */
static int tmux_open(const char *tag, const char *session)
{
    if (access("/usr/bin/tmux", X_OK) != 0) {
        tt_fail_msg(__FILE__, __LINE__, "tmux is not installed (./dev deps installs it)");
        return -1;
    }
    snprintf(tmux_sock, sizeof tmux_sock, "tote-%s-%d", tag, (int)getpid());
    tmux_session = session;
    tmux_kill();
    static int at_exit;
    if (!at_exit++)
        atexit(tmux_kill);
    return 0;
}

/* The screen's text now (the caller frees it), or NULL. */
static char *screen(void)
{
    char *out = NULL;
    if (tmux(&out, "capture-pane", "-p", "-t", tmux_session, NULL, NULL, NULL, NULL, NULL, NULL, NULL) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Waits up to ms (scaled by tt_ms) until the screen shows every needle
 * (NULL-terminated list); on a time-out records a failure at file:line with
 * the screen. Returns 1 if it did. */
static int wait_screen_(const char *file, int line, int ms, ...)
{
    long long end = tt_now_ms() + tt_ms(ms);
    char *s = NULL;
    for (;;) {
        free(s);
        s = screen();
        int all = s != NULL;
        va_list ap;
        va_start(ap, ms);
        const char *n;
        while (all && (n = va_arg(ap, const char *)))
            all = strstr(s, n) != NULL;
        va_end(ap);
        if (all) {
            free(s);
            return 1;
        }
        if (tt_now_ms() >= end)
            break;
        tt_sleep_ms(50);
    }
    va_list ap;
    va_start(ap, ms);
    char want[1024] = "";
    const char *n;
    while ((n = va_arg(ap, const char *)))
        snprintf(want + strlen(want), sizeof want - strlen(want), "\"%s\" ", n);
    va_end(ap);
    tt_fail_msg(file, line, "the screen never showed %s; it shows:\n%s", want, s ? s : "(no screen)");
    free(s);
    return 0;
}
#define WAIT_SCREEN(ms, ...) wait_screen_(__FILE__, __LINE__, ms, __VA_ARGS__, (const char *)NULL)

/* The screen must not show needle (checked once); a failure names line. */
static void check_absent(int line, const char *needle)
{
    char *s = screen();
    if (s && strstr(s, needle))
        tt_fail_msg(__FILE__, line, "the screen shows \"%s\" and should not:\n%s", needle, s);
    free(s);
}

#endif
