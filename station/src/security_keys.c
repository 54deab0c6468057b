/*
 * CurveZMQ keys and enrolment (tote/security.h): keypairs and fingerprints,
 * the station's key file, enrolment files, a client socket's CURVE setup,
 * and enrolling or re-keying a device. The station's side of the handshake
 * (the ZAP handler, connection tracking) is in security.c.
 */
#include "tote/security.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "security_internal.h"

char *security_dupf(const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return strdup(buf);
}

void security_set_err(char **err_msg, char *msg)
{
    if (err_msg)
        *err_msg = msg;
    else
        free(msg);
}

/* ---------------- keys ---------------- */

tote_st_err tote_keypair_new(tote_keypair *out)
{
    memset(out, 0, sizeof *out);
    if (zmq_curve_keypair(out->public_z85, out->secret_z85) != 0)
        return TOTE_ST_E_INVALID;
    return TOTE_ST_E_OK;
}

int tote_key_valid(const char *z)
{
    uint8_t raw[32];
    return z && strlen(z) == TOTE_KEY_Z85 && zmq_z85_decode(raw, z) != NULL;
}

void tote_key_fingerprint(const char *public_z85, char *out, size_t cap)
{
    uint8_t raw[32];
    if (!tote_key_valid(public_z85) || !zmq_z85_decode(raw, public_z85)) {
        snprintf(out, cap, "invalid");
        return;
    }
    snprintf(out, cap, "%02x%02x%02x%02x%02x%02x%02x%02x", raw[0], raw[1], raw[2], raw[3], raw[4], raw[5],
             raw[6], raw[7]);
}

/* 1 if secret_z85 is the secret key of public_z85. */
static int keys_match(const char *public_z85, const char *secret_z85)
{
    char derived[TOTE_KEY_Z85 + 1];
    if (!tote_key_valid(public_z85) || !tote_key_valid(secret_z85) ||
        zmq_curve_public(derived, secret_z85) != 0)
        return 0;
    return strcmp(derived, public_z85) == 0;
}

void tote_security_key_dir(const char *db_path, char *out, size_t cap)
{
    snprintf(out, cap, "%s.keys", db_path ? db_path : "tote.db");
}

/* ---------------- key = value files ---------------- */

/* Trims spaces/tabs/CR/LF at both ends in place; returns the start. */
static char *trim(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' || p[n - 1] == '\r'))
        p[--n] = '\0';
    return p;
}

typedef int (*kv_fn)(void *ctx, const char *key, const char *value);

/*
 * Opens path (no symlinks), refuses group/other access, and calls fn for
 * every `key = value` line (blank lines and lines starting with '#' are
 * skipped). 0, or -1 with a sentence in why.
 */
static int kv_read(const char *path, const char *what, kv_fn fn, void *ctx, char *why, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(why, cap, "cannot open the %s %s: %s", what, path, strerror(errno));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        snprintf(why, cap, "the %s %s is not a regular file", what, path);
        return -1;
    }
    if (sb.st_mode & 077) {
        close(fd);
        snprintf(why, cap, "the %s %s may be read by other users (mode %04o): run chmod 600 %s", what, path,
                 (unsigned)(sb.st_mode & 07777), path);
        return -1;
    }
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        snprintf(why, cap, "cannot read the %s %s: %s", what, path, strerror(errno));
        return -1;
    }
    char line[1024];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(why, cap, "the %s %s has an over-long line %d", what, path, lineno);
            rc = -1;
            break;
        }
        char *p = trim(line);
        if (!*p || *p == '#')
            continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            snprintf(why, cap, "line %d of the %s %s is not 'key = value'", lineno, what, path);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *key = trim(p), *value = trim(eq + 1);
        if (fn(ctx, key, value) != 0) {
            snprintf(why, cap, "line %d of the %s %s has a bad or unknown '%s'", lineno, what, path, key);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

static int set_field(char *dst, size_t cap, const char *value)
{
    if (!*value || strlen(value) >= cap)
        return -1;
    snprintf(dst, cap, "%s", value);
    return 0;
}

/* ---------------- the station key ---------------- */

static int station_kv(void *ctx, const char *key, const char *value)
{
    tote_keypair *kp = ctx;
    if (strcmp(key, "public_key") == 0)
        return set_field(kp->public_z85, sizeof kp->public_z85, value);
    if (strcmp(key, "secret_key") == 0)
        return set_field(kp->secret_z85, sizeof kp->secret_z85, value);
    return -1;
}

tote_st_err tote_security_station_key(const char *db_path, int create, tote_keypair *out, char **err_msg)
{
    if (err_msg)
        *err_msg = NULL;
    memset(out, 0, sizeof *out);
    char dir[1024], path[1100];
    tote_security_key_dir(db_path, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/station.key", dir);
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno != ENOENT || !create) {
            security_set_err(err_msg,
                             security_dupf("cannot find the station key %s: %s", path, strerror(errno)));
            return errno == ENOENT ? TOTE_ST_E_NOT_FOUND : TOTE_ST_E_IO;
        }
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            security_set_err(err_msg,
                             security_dupf("cannot create the key directory %s: %s", dir, strerror(errno)));
            return TOTE_ST_E_IO;
        }
        tote_keypair kp;
        if (tote_keypair_new(&kp) != TOTE_ST_E_OK) {
            security_set_err(err_msg,
                             security_dupf("this libzmq cannot make CURVE keys (built without libsodium?)"));
            return TOTE_ST_E_INVALID;
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
            security_set_err(err_msg,
                             security_dupf("cannot create the station key %s: %s", path, strerror(errno)));
            return TOTE_ST_E_IO;
        }
        char buf[256];
        int n = snprintf(buf, sizeof buf,
                         "# Tote station key: the secret key never leaves this file (mode 0600)\n"
                         "public_key = %s\nsecret_key = %s\n",
                         kp.public_z85, kp.secret_z85);
        int ok = fchmod(fd, 0600) == 0 && write(fd, buf, (size_t)n) == n && fsync(fd) == 0;
        close(fd);
        if (!ok) {
            unlink(path);
            security_set_err(err_msg, security_dupf("cannot write the station key %s", path));
            return TOTE_ST_E_IO;
        }
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    char why[600];
    if (kv_read(path, "station key", station_kv, out, why, sizeof why) != 0) {
        int denied = strstr(why, "other users") != NULL || strstr(why, "regular file") != NULL;
        security_set_err(err_msg, strdup(why));
        return denied ? TOTE_ST_E_DENIED : TOTE_ST_E_CORRUPT;
    }
    if (!keys_match(out->public_z85, out->secret_z85)) {
        security_set_err(
            err_msg,
            security_dupf("the station key %s is damaged (its public and secret keys do not match)", path));
        return TOTE_ST_E_CORRUPT;
    }
    return TOTE_ST_E_OK;
}

/* ---------------- enrolment files ---------------- */

void tote_enrolment_write(FILE *f, const tote_enrolment *e)
{
    fprintf(f,
            "# Tote enrolment for device %s: it holds the device's secret key, keep it mode 0600\n"
            "device = %s\nrole = %s\nstation = %s\nevents = %s\nstation_public_key = %s\n"
            "public_key = %s\nsecret_key = %s\n",
            e->device, e->device, e->role, e->station, e->events, e->station_public_key, e->public_key,
            e->secret_key);
}

int tote_enrolment_save(const char *path, const tote_enrolment *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    if (fchmod(fd, 0600) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    tote_enrolment_write(f, e);
    int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

static int enrol_kv(void *ctx, const char *key, const char *value)
{
    tote_enrolment *e = ctx;
    if (strcmp(key, "device") == 0)
        return set_field(e->device, sizeof e->device, value);
    if (strcmp(key, "role") == 0)
        return set_field(e->role, sizeof e->role, value);
    if (strcmp(key, "station") == 0)
        return set_field(e->station, sizeof e->station, value);
    if (strcmp(key, "events") == 0)
        return set_field(e->events, sizeof e->events, value);
    if (strcmp(key, "station_public_key") == 0)
        return tote_key_valid(value) ? set_field(e->station_public_key, sizeof e->station_public_key, value)
                                     : -1;
    if (strcmp(key, "public_key") == 0)
        return tote_key_valid(value) ? set_field(e->public_key, sizeof e->public_key, value) : -1;
    if (strcmp(key, "secret_key") == 0)
        return tote_key_valid(value) ? set_field(e->secret_key, sizeof e->secret_key, value) : -1;
    return -1;
}

int tote_enrolment_load(const char *path, tote_enrolment *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (kv_read(path, "enrolment file", enrol_kv, out, why, cap) != 0)
        return -1;
    const char *missing = !out->device[0]               ? "device"
                          : !out->station[0]            ? "station"
                          : !out->station_public_key[0] ? "station_public_key"
                          : !out->public_key[0]         ? "public_key"
                          : !out->secret_key[0]         ? "secret_key"
                                                        : NULL;
    if (missing) {
        snprintf(why, cap, "the enrolment file %s has no '%s'", path, missing);
        return -1;
    }
    if (!keys_match(out->public_key, out->secret_key)) {
        snprintf(why, cap, "the enrolment file %s is damaged (its public and secret keys do not match)",
                 path);
        return -1;
    }
    return 0;
}

int tote_security_client_setup(void *sock, const tote_enrolment *e)
{
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, e->station_public_key, TOTE_KEY_Z85) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, e->public_key, TOTE_KEY_Z85) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, e->secret_key, TOTE_KEY_Z85) != 0)
        return -1;
    return 0;
}

/* ---------------- enrolment of a device ---------------- */

/* tcp://HOST:PORT -> tcp://HOST:PORT+1 into out; 0, or -1 if not that shape. */
static int next_port(const char *ep, char *out, size_t cap)
{
    const char *colon = strrchr(ep, ':');
    if (!colon || colon - ep < 6)
        return -1;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 1 || port > 65534)
        return -1;
    snprintf(out, cap, "%.*s:%ld", (int)(colon - ep), ep, port + 1);
    return 0;
}

tote_st_err tote_security_enrol_device(tote_store *s, const char *db_path, const char *name, const char *role,
                                       const char *endpoint, const char *events, tote_enrolment *out,
                                       char **err_msg)
{
    if (err_msg)
        *err_msg = NULL;
    memset(out, 0, sizeof *out);
    tote_keypair station;
    tote_st_err e = tote_security_station_key(db_path, 1, &station, err_msg);
    if (e != TOTE_ST_E_OK)
        return e;
    tote_keypair kp;
    if ((e = tote_keypair_new(&kp)) != TOTE_ST_E_OK) {
        security_set_err(err_msg,
                         security_dupf("this libzmq cannot make CURVE keys (built without libsodium?)"));
        return e;
    }
    char host[200] = "localhost", ep[256], ev[256];
    if (!endpoint) {
        if (gethostname(host, sizeof host) != 0 || !host[0])
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        snprintf(ep, sizeof ep, "tcp://%s:5555", host);
        endpoint = ep;
    }
    if (!events) {
        if (next_port(endpoint, ev, sizeof ev) != 0)
            snprintf(ev, sizeof ev, "tcp://%s:5556", host);
        events = ev;
    }
    if ((e = tote_security_set_device_key(s, name, kp.public_z85)) != TOTE_ST_E_OK) {
        security_set_err(err_msg,
                         security_dupf("cannot store the key of device %s: %s", name, tote_st_strerror(e)));
        return e;
    }
    snprintf(out->device, sizeof out->device, "%s", name);
    snprintf(out->role, sizeof out->role, "%s", role);
    snprintf(out->station, sizeof out->station, "%s", endpoint);
    snprintf(out->events, sizeof out->events, "%s", events);
    snprintf(out->station_public_key, sizeof out->station_public_key, "%s", station.public_z85);
    snprintf(out->public_key, sizeof out->public_key, "%s", kp.public_z85);
    snprintf(out->secret_key, sizeof out->secret_key, "%s", kp.secret_z85);
    memset(&kp, 0, sizeof kp);
    memset(&station, 0, sizeof station);
    return TOTE_ST_E_OK;
}

tote_st_err tote_security_rekey_device(tote_store *s, const char *db_path, const char *name,
                                       const char *endpoint, const char *events, const char *actor,
                                       tote_enrolment *out, char **err_msg)
{
    if (err_msg)
        *err_msg = NULL;
    memset(out, 0, sizeof *out);
    char role[16], old[TOTE_KEY_Z85 + 8] = "";
    int revoked = 0;
    tote_st_err e = tote_security_device_state(s, name, role, sizeof role, &revoked);
    if (e != TOTE_ST_E_OK)
        return e;
    if (revoked) {
        security_set_err(err_msg, security_dupf("device %s is revoked: add it again under a new name", name));
        return TOTE_ST_E_DENIED;
    }
    if ((e = tote_security_device_key(s, name, old, sizeof old)) != TOTE_ST_E_OK)
        return e;
    if ((e = tote_security_enrol_device(s, db_path, name, role, endpoint, events, out, err_msg)) !=
        TOTE_ST_E_OK)
        return e;
    char fp_old[TOTE_FINGERPRINT_LEN + 1] = "", fp_new[TOTE_FINGERPRINT_LEN + 1];
    if (old[0])
        tote_key_fingerprint(old, fp_old, sizeof fp_old);
    tote_key_fingerprint(out->public_key, fp_new, sizeof fp_new);
    cJSON *d = cJSON_CreateObject();
    if (old[0])
        cJSON_AddStringToObject(d, "old_key", fp_old);
    else
        cJSON_AddNullToObject(d, "old_key");
    cJSON_AddStringToObject(d, "new_key", fp_new);
    char *json = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    e = json ? tote_store_event(s, actor, NULL, "device_rekey", "device", name, json) : TOTE_ST_E_NOMEM;
    cJSON_free(json);
    if (e != TOTE_ST_E_OK)
        memset(out, 0, sizeof *out);
    return e;
}
