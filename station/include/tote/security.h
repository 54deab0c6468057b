/*
 * Security for the station (see station/SECURITY.md): CurveZMQ keys, the
 * enrolment file, the ZAP handler that admits only enrolled, unrevoked
 * device keys, and helpers to set up CURVE sockets.
 *
 * Keys are Z85 text (40 characters for 32 bytes). The station's keypair
 * lives in <db>.keys/station.key (directory 0700, file 0600); the device
 * table holds each device's public key; a device's secret key exists only
 * in its enrolment file.
 */
#ifndef TOTE_SECURITY_H
#define TOTE_SECURITY_H

#include <stddef.h>
#include <stdio.h>

#include "tote/store.h"
#include "tote/wire.h"

#define TOTE_KEY_Z85 40         /* characters of a Z85 key (no NUL) */
#define TOTE_FINGERPRINT_LEN 16 /* hex characters of a key fingerprint */

/* ZAP domains: the request socket (ROUTER) and the events socket (PUB). */
#define TOTE_ZAP_DOMAIN_REQUESTS "tote"
#define TOTE_ZAP_DOMAIN_EVENTS "tote-events"

typedef struct tote_keypair {
    char public_z85[TOTE_KEY_Z85 + 1];
    char secret_z85[TOTE_KEY_Z85 + 1];
} tote_keypair;

/* A fresh CURVE keypair. TOTE_ST_E_INVALID if libzmq has no CURVE. */
tote_st_err tote_keypair_new(tote_keypair *out);

/* 1 if z is 40 characters of valid Z85 that decode to 32 bytes. */
int tote_key_valid(const char *z);

/* The first 8 bytes of a Z85 public key as 16 lower-case hex digits into
 * out (>= 17 bytes); "invalid" for a bad key. */
void tote_key_fingerprint(const char *public_z85, char *out, size_t cap);

/* "<db_path>.keys" into out. */
void tote_security_key_dir(const char *db_path, char *out, size_t cap);

/*
 * Loads the station keypair from <db>.keys/station.key. With create, a
 * missing key (and directory) is created: directory 0700, file 0600.
 * Refuses a key file that is readable or writable by group or others, or
 * not a regular file (TOTE_ST_E_DENIED), a missing one without create
 * (NOT_FOUND), a malformed one (CORRUPT). *err_msg (may be NULL) receives a
 * malloc'd one-sentence explanation on failure.
 */
tote_st_err tote_security_station_key(const char *db_path, int create, tote_keypair *out, char **err_msg);

/* ---------------- enrolment files ---------------- */

/* Everything a client needs to talk to the station. */
typedef struct tote_enrolment {
    char device[TOTE_WIRE_DEVICE_MAX + 1];
    char role[16];
    char station[256];
    char events[256];
    char station_public_key[TOTE_KEY_Z85 + 1];
    char public_key[TOTE_KEY_Z85 + 1];
    char secret_key[TOTE_KEY_Z85 + 1];
} tote_enrolment;

/* Writes e as `key = value` lines to f. */
void tote_enrolment_write(FILE *f, const tote_enrolment *e);

/*
 * Writes e to path, created with mode 0600 (an existing file is replaced
 * and its mode forced to 0600). 0, or -1 with errno set.
 */
int tote_enrolment_save(const char *path, const tote_enrolment *e);

/*
 * Reads an enrolment file. Refuses one readable by group or others. Returns
 * 0, or -1 with a one-sentence reason in why (cap bytes).
 */
int tote_enrolment_load(const char *path, tote_enrolment *out, char *why, size_t cap);

/*
 * Enrols device name (already in the device table, in the caller's
 * transaction): makes its keypair, stores the public key, and fills out
 * with everything for its enrolment file. endpoint NULL: tcp://HOSTNAME:5555;
 * events NULL: endpoint's port + 1. Creates the station key if missing.
 */
tote_st_err tote_security_enrol_device(tote_store *s, const char *db_path, const char *name, const char *role,
                                       const char *endpoint, const char *events, tote_enrolment *out,
                                       char **err_msg);

/* Makes sock a CURVE client of the station (server key, own keys). 0 or -1. */
int tote_security_client_setup(void *sock, const tote_enrolment *e);

/* ---------------- the station side ---------------- */

typedef struct tote_server_security tote_server_security;

/*
 * Creates the station's security: with insecure, nothing is authenticated
 * (a loud warning is printed). Otherwise loads (creating if missing) the
 * station key for db_path, binds the ZAP handler (inproc://zeromq.zap.01) in
 * zctx, and starts monitors for failed handshakes. s is the station's store
 * (used between batches by the ZAP handler; not owned). Call before binding
 * router and pub, then tote_security_server_setup().
 */
tote_st_err tote_security_server_new(void *zctx, tote_store *s, const char *db_path, int insecure,
                                     tote_server_security **out, char **err_msg);

/* Makes router and pub CURVE servers with the station key and ZAP domains,
 * and monitors them. Nothing with insecure. 0, or -1 with *err_msg. */
int tote_security_server_setup(tote_server_security *sec, void *router, void *pub, char **err_msg);

/* 1 if CURVE is on. */
int tote_security_server_secure(const tote_server_security *sec);

/* Fills up to max zmq_pollitem_t (as void *) for the ZAP and monitor
 * sockets; returns how many (0 when insecure). */
int tote_security_poll_items(tote_server_security *sec, void *items, int max);

/* Handles whatever is readable on the items filled by
 * tote_security_poll_items(); never blocks. */
void tote_security_poll_handle(tote_server_security *sec, const void *items, int n);

/* Copies the ZAP user id (the device name) of a received frame (zmq_msg_t
 * *) into out; "" when there is none (insecure). */
void tote_security_peer(const void *msg, char *out, size_t cap);

/*
 * tote_security_peer(), and with CURVE also records the TCP connection the
 * frame (zmq_msg_t *) arrived on for that device: its fd (ZMQ_SRCFD), the
 * peer address (getpeername, to recognise the fd if libzmq reuses it) and
 * the key it authenticated with (ZAP metadata X-Tote-Key). A ROUTER cannot
 * close one peer, so tote_security_sweep() shuts such a connection down
 * (shutdown(SHUT_RDWR)) when its device is revoked or re-keyed; libzmq then
 * drops it, and the device's reconnection is refused by the ZAP handler.
 */
void tote_security_track(tote_server_security *sec, const void *msg, char *user_id, size_t cap);

/*
 * Closes every recorded connection whose device is revoked (or unknown) or
 * whose key is no longer the device's key (tote device rekey), after checking
 * that the fd still has the recorded peer. Logs each on stderr and as an
 * event 'security.disconnected'. Returns how many were closed. Called by
 * tote_security_poll_handle() every second, and 100 ms after a revoked
 * device's request was refused (so the refusal goes out first).
 */
int tote_security_sweep(tote_server_security *sec);

/*
 * Checks a decoded request against the authenticated device name (user_id
 * from tote_security_peer). With CURVE: the message's device must be the
 * authenticated one (else DENIED), a revoked device gets UNKNOWN_DEVICE,
 * and a HELLO must carry the enrolled role (else DENIED). Insecure: NONE.
 * Runs inside the batch transaction. msg (cap bytes) receives the sentence.
 */
tote_wire_error tote_security_check_request(tote_server_security *sec, const char *user_id,
                                            const tote_wire_msg *req, char *msg, size_t cap);

/* Closes the ZAP and monitor sockets (before zmq_ctx_term). NULL-safe. */
void tote_security_server_destroy(tote_server_security **sec);

/* ---------------- SQL (store_security.c) ---------------- */

/* Sets device name's public key (Z85). NOT_FOUND, EXISTS (key in use). */
tote_st_err tote_security_set_device_key(tote_store *s, const char *name, const char *public_z85);

/* Changes device name's role (an admin re-assigning a device; audited).
 * OK also when unchanged; the CHECK constraint refuses a bad role. */
tote_st_err tote_security_set_device_role(tote_store *s, const char *name, const char *role);

/* The device with this public key: name and role (cap bytes each) and
 * whether it is revoked. NOT_FOUND if no device has the key. */
tote_st_err tote_security_device_by_key(tote_store *s, const char *public_z85, char *name, size_t name_cap,
                                        char *role, size_t role_cap, int *revoked);

/* Role and revoked state of device name; NOT_FOUND if unknown. */
tote_st_err tote_security_device_state(tote_store *s, const char *name, char *role, size_t role_cap,
                                       int *revoked);

/* Gives device name (not revoked) a fresh keypair: stores the new public key
 * (the old one is refused from then on), records an event 'device_rekey'
 * (actor), and fills out like tote_security_enrol_device(). In the caller's
 * transaction. NOT_FOUND if no such device; DENIED if it is revoked. */
tote_st_err tote_security_rekey_device(tote_store *s, const char *db_path, const char *name,
                                       const char *endpoint, const char *events, const char *actor,
                                       tote_enrolment *out, char **err_msg);

/* Public key of device name into out (>= 41 bytes), "" if none. */
tote_st_err tote_security_device_key(tote_store *s, const char *name, char *out, size_t cap);

#endif
