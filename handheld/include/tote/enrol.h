/*
 * The handheld's enrolment file (written by `tote device add ... -o FILE`
 * on the station; see station/SECURITY.md): `key = value` lines with the
 * device id, role, station endpoint and the CurveZMQ keys (Z85).
 */
#ifndef TOTE_ENROL_H
#define TOTE_ENROL_H

#include <stddef.h>

#include "tote/wire.h"

#define TOTE_ENROL_KEY_Z85 40

typedef struct tote_hh_enrolment {
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    char role[16]; /* picker | packer | bench | console */
    char station[256];
    char events[256]; /* "" if the file has none */
    char station_public_key[TOTE_ENROL_KEY_Z85 + 1];
    char public_key[TOTE_ENROL_KEY_Z85 + 1];
    char secret_key[TOTE_ENROL_KEY_Z85 + 1];
} tote_hh_enrolment;

/*
 * Reads the enrolment file at path into *out. Refuses a file that other
 * users may read (mode & 077), a missing field, an unknown key, a malformed
 * key, or a secret key that does not belong to the public key. Returns 0,
 * or -1 with a one-sentence reason in why (cap bytes).
 */
int tote_enrol_load(const char *path, tote_hh_enrolment *out, char *why, size_t cap);

/* Makes the ZeroMQ socket sock a CURVE client of the station in e (set
 * before zmq_connect). 0, or -1 with zmq_errno() set. */
int tote_enrol_client_setup(void *sock, const tote_hh_enrolment *e);

#endif
