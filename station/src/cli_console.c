/*
 * tote console --enrol FILE [--station tcp://HOST:5555] [--events tcp://HOST:5556]
 *              [--user NAME] [--refresh-ms N]
 * tote console --insecure [--station ...] [--events ...] [--id NAME] [--user NAME] [--refresh-ms N]
 *
 * The supervisor console (station/CONSOLE.md): a terminal UI on a running
 * station. It needs no database: everything comes from the station. Like a
 * handheld it speaks CurveZMQ with the keys of its enrolment file (`tote
 * device add NAME --role console -o FILE`, station/SECURITY.md), or plain
 * text with --insecure, for a station run with --insecure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"
#include "tote/console.h"
#include "tote/security.h"
#include "tote/wire.h"

static const char usage_text[] = "usage: tote console --enrol FILE | --insecure [--station tcp://HOST:5555] "
                                 "[--events tcp://HOST:5556] [--id NAME] [--user NAME] [--refresh-ms N]";

static int endpoint_ok(const char *e)
{
    return strncmp(e, "tcp://", 6) == 0 || strncmp(e, "ipc://", 6) == 0;
}

int tote_cmd_console(const tote_cli_ctx *ctx, int argc, char **argv)
{
    (void)ctx;
    int insecure = tote_cli_take_flag(&argc, argv, "--insecure");
    const char *enrol = tote_cli_take_opt(&argc, argv, "--enrol");
    const char *station = tote_cli_take_opt(&argc, argv, "--station");
    const char *events = tote_cli_take_opt(&argc, argv, "--events");
    const char *id = tote_cli_take_opt(&argc, argv, "--id");
    const char *user = tote_cli_take_opt(&argc, argv, "--user");
    const char *refresh = tote_cli_take_opt(&argc, argv, "--refresh-ms");
    if (argc > 1)
        return tote_cli_fail(TOTE_EXIT_USAGE, "unexpected argument '%s' (%s)", argv[1], usage_text);
    if (enrol && !*enrol)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--enrol needs the console's enrolment file");
    if (enrol && insecure)
        return tote_cli_fail(TOTE_EXIT_USAGE, "choose one of --enrol and --insecure");
    if (!enrol && !insecure)
        return tote_cli_fail(
            TOTE_EXIT_USAGE,
            "the console needs --enrol FILE (made by 'tote device add NAME --role console -o "
            "FILE'), or --insecure for a station run with --insecure");
    if (enrol && id)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--id comes from the enrolment file: leave it out");
    if (station && (!*station || !endpoint_ok(station)))
        return tote_cli_fail(TOTE_EXIT_USAGE,
                             "--station needs an endpoint such as tcp://127.0.0.1:5555, not '%s'", station);
    if (events && (!*events || !endpoint_ok(events)))
        return tote_cli_fail(TOTE_EXIT_USAGE,
                             "--events needs an endpoint such as tcp://127.0.0.1:5556, not '%s'", events);
    if (id && (!*id || strlen(id) > TOTE_WIRE_DEVICE_MAX))
        return tote_cli_fail(TOTE_EXIT_USAGE, "--id needs a name of 1 to %d bytes", TOTE_WIRE_DEVICE_MAX);
    if (user && !*user)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--user needs a name");
    int refresh_ms = 0;
    if (refresh) {
        char *end = NULL;
        errno = 0;
        long v = strtol(refresh, &end, 10);
        if (!*refresh || errno || *end || v < 100 || v > 600000)
            return tote_cli_fail(TOTE_EXIT_USAGE, "--refresh-ms needs a number from 100 to 600000, not '%s'",
                                 refresh);
        refresh_ms = (int)v;
    }
    tote_enrolment en;
    memset(&en, 0, sizeof en);
    if (enrol) {
        char why[512];
        if (tote_enrolment_load(enrol, &en, why, sizeof why) != 0)
            return tote_cli_fail(TOTE_EXIT_USAGE, "%s", why);
        if (strcmp(en.role, "console") != 0)
            return tote_cli_fail(TOTE_EXIT_USAGE, "%s enrols %s as a %s, not a console", enrol, en.device,
                                 en.role[0] ? en.role : "device of no role");
    }
    tote_console_opts o = {.station = station,
                           .events = events,
                           .device_id = id,
                           .curve = enrol ? &en : NULL,
                           .user = user,
                           .refresh_ms = refresh_ms};
    int rc = tote_console_run(&o);
    memset(&en, 0, sizeof en);
    return rc == 0 ? TOTE_EXIT_OK : TOTE_EXIT_FAIL;
}
