/* The handheld's enrolment file (tote/enrol.h). */
#include "tote/enrol.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

static int key_valid(const char *z)
{
    uint8_t raw[32];
    return strlen(z) == TOTE_ENROL_KEY_Z85 && zmq_z85_decode(raw, z) != NULL;
}

static char *trim(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
        p[--n] = '\0';
    return p;
}

static int set_field(char *dst, size_t cap, const char *value, int is_key)
{
    if (!*value || strlen(value) >= cap || (is_key && !key_valid(value)))
        return -1;
    snprintf(dst, cap, "%s", value);
    return 0;
}

static int field(tote_hh_enrolment *e, const char *key, const char *value)
{
    if (strcmp(key, "device") == 0)
        return strchr(value, '/') ? -1 : set_field(e->device, sizeof e->device, value, 0);
    if (strcmp(key, "role") == 0)
        return set_field(e->role, sizeof e->role, value, 0);
    if (strcmp(key, "station") == 0)
        return set_field(e->station, sizeof e->station, value, 0);
    if (strcmp(key, "events") == 0)
        return set_field(e->events, sizeof e->events, value, 0);
    if (strcmp(key, "station_public_key") == 0)
        return set_field(e->station_public_key, sizeof e->station_public_key, value, 1);
    if (strcmp(key, "public_key") == 0)
        return set_field(e->public_key, sizeof e->public_key, value, 1);
    if (strcmp(key, "secret_key") == 0)
        return set_field(e->secret_key, sizeof e->secret_key, value, 1);
    return -1;
}

int tote_enrol_load(const char *path, tote_hh_enrolment *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, cap, "cannot open the enrolment file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        snprintf(why, cap, "the enrolment file %s is not a regular file", path);
        return -1;
    }
    if (sb.st_mode & 077) {
        close(fd);
        snprintf(why, cap,
                 "the enrolment file %s holds a secret key but other users may read it: run chmod 600 %s",
                 path, path);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        snprintf(why, cap, "cannot read the enrolment file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        char *p = trim(line);
        if (!*p || *p == '#')
            continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            snprintf(why, cap, "line %d of the enrolment file %s is not 'key = value'", lineno, path);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = trim(p);
        if (field(out, key, trim(eq + 1)) != 0) {
            snprintf(why, cap, "line %d of the enrolment file %s has a bad or unknown '%s'", lineno, path,
                     key);
            rc = -1;
        }
    }
    fclose(f);
    if (rc != 0)
        return -1;
    const char *missing = !out->device[0]               ? "device"
                          : !out->role[0]               ? "role"
                          : !out->station[0]            ? "station"
                          : !out->station_public_key[0] ? "station_public_key"
                          : !out->public_key[0]         ? "public_key"
                          : !out->secret_key[0]         ? "secret_key"
                                                        : NULL;
    if (missing) {
        snprintf(why, cap, "the enrolment file %s has no '%s'", path, missing);
        return -1;
    }
    char derived[TOTE_ENROL_KEY_Z85 + 1];
    if (zmq_curve_public(derived, out->secret_key) != 0 || strcmp(derived, out->public_key) != 0) {
        snprintf(why, cap, "the enrolment file %s is damaged (its public and secret keys do not match)",
                 path);
        return -1;
    }
    return 0;
}

int tote_enrol_client_setup(void *sock, const tote_hh_enrolment *e)
{
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, e->station_public_key, TOTE_ENROL_KEY_Z85) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, e->public_key, TOTE_ENROL_KEY_Z85) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, e->secret_key, TOTE_ENROL_KEY_Z85) != 0)
        return -1;
    return 0;
}
