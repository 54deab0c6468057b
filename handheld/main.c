/* tote-handheld: one per scanner. All logic is in libtote_handheld (client.c). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tote/client.h"
#include "tote/enrol.h"
#include "tote/scanner.h"
#include "tote/wire.h"

static tote_client *running;

static void on_signal(int sig)
{
    (void)sig;
    tote_client_stop(running);
}

static int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tote-handheld: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

static void usage(FILE *f)
{
    fputs("usage: tote-handheld --enrol FILE | --insecure --station tcp://HOST:PORT --id NAME\n"
          "                     (--id NAME alone uses NAME.enrol from $TOTE_ENROL_DIR or the current "
          "directory)\n"
          "                     --role picker|packer|bench\n"
          "                     [--scanner stdin|sim|serial:PATH[,ssi|plain][,BAUD]|usb[:VID:PID]|auto]\n"
          "                     [--json] [--outbox PATH] [--timeout-ms N] [--badge CODE]\n"
          "                     [--sim-error-rate F] [--sim-seed N] [--sim-delay-ms N] [--sim-max-scans N]\n"
          "                     [--exit-when-idle SECONDS]\n"
          "       tote-handheld --list-scanners [--json]\n"
          "Keypad commands (lines starting with '!'): see handheld/README.md, or type !help.\n",
          f);
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    enum {
        O_STATION = 256,
        O_ID,
        O_ROLE,
        O_SCANNER,
        O_JSON,
        O_OUTBOX,
        O_TIMEOUT,
        O_ERR_RATE,
        O_SEED,
        O_DELAY,
        O_MAX_SCANS,
        O_BADGE,
        O_LIST,
        O_IDLE,
        O_ENROL,
        O_INSECURE,
        O_HELP
    };
    static const struct option opts[] = {
        {"station", required_argument, NULL, O_STATION},
        {"id", required_argument, NULL, O_ID},
        {"role", required_argument, NULL, O_ROLE},
        {"scanner", required_argument, NULL, O_SCANNER},
        {"json", no_argument, NULL, O_JSON},
        {"outbox", required_argument, NULL, O_OUTBOX},
        {"timeout-ms", required_argument, NULL, O_TIMEOUT},
        {"sim-error-rate", required_argument, NULL, O_ERR_RATE},
        {"sim-seed", required_argument, NULL, O_SEED},
        {"sim-delay-ms", required_argument, NULL, O_DELAY},
        {"sim-max-scans", required_argument, NULL, O_MAX_SCANS},
        {"badge", required_argument, NULL, O_BADGE},
        {"list-scanners", no_argument, NULL, O_LIST},
        {"exit-when-idle", required_argument, NULL, O_IDLE},
        {"enrol", required_argument, NULL, O_ENROL},
        {"insecure", no_argument, NULL, O_INSECURE},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    tote_client_config cfg = {.scanner = "stdin", .command_fd = 0};
    const char *role = NULL;
    int list = 0, insecure = 0;
    const char *enrol_path = NULL;
    tote_hh_enrolment enrol;
    long v;
    opterr = 0;
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case O_STATION:
            cfg.station = optarg;
            break;
        case O_ID:
            cfg.device = optarg;
            break;
        case O_ROLE:
            role = optarg;
            break;
        case O_SCANNER:
            cfg.scanner = optarg;
            break;
        case O_JSON:
            cfg.json = 1;
            break;
        case O_OUTBOX:
            cfg.outbox = optarg;
            break;
        case O_TIMEOUT:
            if (parse_long(optarg, 1, 3600000, &v) != 0)
                return fail(2, "--timeout-ms takes milliseconds from 1 to 3600000, not \"%s\"", optarg);
            cfg.timeout_ms = (int)v;
            break;
        case O_ERR_RATE: {
            char *end = NULL;
            double d = strtod(optarg, &end);
            if (!*optarg || *end || !(d >= 0.0 && d <= 1.0))
                return fail(2, "--sim-error-rate takes a probability from 0 to 1, not \"%s\"", optarg);
            cfg.sim_error_rate = d;
            break;
        }
        case O_SEED:
            if (parse_long(optarg, 0, 0x7fffffffL, &v) != 0)
                return fail(2, "--sim-seed takes a non-negative number, not \"%s\"", optarg);
            cfg.sim_seed = (uint64_t)v;
            break;
        case O_DELAY:
            if (parse_long(optarg, 0, 600000, &v) != 0)
                return fail(2, "--sim-delay-ms takes milliseconds from 0 to 600000, not \"%s\"", optarg);
            cfg.sim_delay_ms = (int)v;
            break;
        case O_MAX_SCANS:
            if (parse_long(optarg, 0, 0x7fffffffL, &v) != 0)
                return fail(2, "--sim-max-scans takes a non-negative number, not \"%s\"", optarg);
            cfg.sim_max_scans = v;
            break;
        case O_BADGE:
            cfg.badge = optarg;
            break;
        case O_LIST:
            list = 1;
            break;
        case O_IDLE:
            if (parse_long(optarg, 1, 86400, &v) != 0)
                return fail(2, "--exit-when-idle takes seconds from 1 to 86400, not \"%s\"", optarg);
            cfg.exit_when_idle_s = (int)v;
            break;
        case O_ENROL:
            enrol_path = optarg;
            break;
        case O_INSECURE:
            insecure = 1;
            break;
        case O_HELP:
            usage(stdout);
            return 0;
        default:
            if (optopt >= O_STATION)
                return fail(2, "option %s needs a value (see --help)", argv[optind - 1]);
            return fail(2, "unknown option \"%s\" (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return fail(2, "unexpected argument \"%s\" (see --help)", argv[optind]);
    if (list) {
        int n = tote_scanner_list(stdout, cfg.json);
        return n < 0 ? fail(1, "cannot list the scanners on this machine") : 0;
    }
    if (enrol_path && insecure)
        return fail(2, "--enrol and --insecure exclude each other");
    /* `--id NAME` alone: the enrolment file NAME.enrol in $TOTE_ENROL_DIR, else
     * in the current directory, as `tote device add NAME -o NAME.enrol` wrote it */
    char found[4096];
    if (!enrol_path && !insecure && cfg.device && !list) {
        const char *dir = getenv("TOTE_ENROL_DIR");
        int n = snprintf(found, sizeof found, "%s/%s.enrol", dir && *dir ? dir : ".", cfg.device);
        if (n > 0 && (size_t)n < sizeof found && strchr(cfg.device, '/') == NULL &&
            access(found, R_OK) == 0) {
            enrol_path = found;
            fprintf(stderr, "tote-handheld: using the enrolment file %s\n", found);
        }
    }
    if (enrol_path) {
        char why[600];
        if (tote_enrol_load(enrol_path, &enrol, why, sizeof why) != 0)
            return fail(2, "%s", why);
        if (cfg.device && strcmp(cfg.device, enrol.device) != 0)
            return fail(2, "--id %s differs from the device %s in %s", cfg.device, enrol.device, enrol_path);
        if (role && strcmp(role, enrol.role) != 0)
            return fail(2, "--role %s differs from the role %s in %s", role, enrol.role, enrol_path);
        cfg.device = enrol.device;
        role = enrol.role;
        if (!cfg.station)
            cfg.station = enrol.station;
        cfg.enrol = &enrol;
    }
    if (!cfg.station)
        return fail(2, "--station tcp://HOST:PORT is required");
    if (!cfg.device)
        return fail(2, "--id NAME is required");
    if (!role)
        return fail(2, "--role picker|packer|bench is required");
    cfg.role = tote_wire_role_parse(role);
    if (cfg.role != TOTE_ROLE_PICKER && cfg.role != TOTE_ROLE_PACKER && cfg.role != TOTE_ROLE_BENCH)
        return fail(2, "--role must be picker, packer or bench, not \"%s\"", role);
    if (strncmp(cfg.station, "tcp://", 6) != 0 && strncmp(cfg.station, "ipc://", 6) != 0)
        return fail(2, "--station must look like tcp://HOST:PORT, not \"%s\"", cfg.station);
    if (strcmp(cfg.scanner, "sim") != 0 &&
        (cfg.sim_error_rate > 0 || cfg.sim_delay_ms > 0 || cfg.sim_max_scans > 0 || cfg.sim_seed))
        return fail(2, "--sim-* options need --scanner sim");
    if (!enrol_path && !insecure)
        return fail(2, "the station only talks to enrolled handhelds: pass --enrol FILE (made by tote device "
                       "add NAME --role ROLE -o FILE; NAME.enrol in $TOTE_ENROL_DIR or here is found by --id "
                       "NAME), or --insecure for a development station");
    if (insecure)
        fprintf(stderr,
                "tote-handheld: WARNING: --insecure: plain text, not authenticated; development only\n");

    signal(SIGPIPE, SIG_IGN);
    char *why = NULL;
    tote_client *c = NULL;
    tote_hh_err e = tote_client_new(&cfg, &c, &why);
    if (e != TOTE_HH_E_OK) {
        int code = e == TOTE_HH_E_INVALID ? 2 : 1;
        fail(code, "%s", why ? why : tote_hh_strerror(e));
        free(why);
        return code;
    }
    running = c;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the poll wakes up */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    int rc = tote_client_run(c);
    if (rc != 0 && *tote_client_failure(c))
        fail(rc, "%s", tote_client_failure(c));
    running = NULL;
    tote_client_destroy(&c);
    return rc;
}
