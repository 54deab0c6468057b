/*
 * Devices (handhelds, benches, consoles) and operators (people with badges).
 *
 * A device is a row in `device` (name, role, operator logged in, last_seq,
 * last_seen). An operator is a row in `operator` (name, badge, role, active).
 * SQL for both lives in store_device.c. All functions run in the caller's
 * transaction if one is open.
 */
#ifndef TOTE_DEVICES_H
#define TOTE_DEVICES_H

#include <cjson/cJSON.h>

#include "tote/store.h"

#define TOTE_NAME_MAX 255

typedef struct tote_device_info {
    long long id;
    char name[TOTE_NAME_MAX + 1];
    char role[16];                         /* picker | packer | bench | console */
    char operator_name[TOTE_NAME_MAX + 1]; /* "" when nobody is logged in */
    char operator_role[16];                /* role of that operator, "" if none */
    long long last_seq;                    /* highest seq answered from the store */
    char last_seen[32];                    /* "" if never seen */
    int revoked;                           /* 1 if revoked_at is set */
} tote_device_info;

typedef struct tote_operator_info {
    long long id;
    char name[TOTE_NAME_MAX + 1];
    char badge[65];
    char role[16]; /* picker | packer | supervisor | admin */
    int active;
} tote_operator_info;

/* 1 if role is one of picker/packer/bench/console. */
int tote_device_role_valid(const char *role);
/* 1 if role is one of picker/packer/supervisor/admin. */
int tote_operator_role_valid(const char *role);

/* Reads device `name` into *out. TOTE_ST_E_NOT_FOUND if there is no such row. */
tote_st_err tote_device_get(tote_store *s, const char *name, tote_device_info *out);

/*
 * Adds a device (CLI `tote device add`). label_printer/slip_printer may be
 * NULL. TOTE_ST_E_EXISTS if the name is taken, TOTE_ST_E_INVALID for a bad
 * role. Writes an audit event (actor may be NULL).
 */
tote_st_err tote_device_add(tote_store *s, const char *name, const char *role, const char *label_printer,
                            const char *slip_printer, const char *actor);

/* Marks a device revoked (it can no longer say hello). NOT_FOUND if unknown. */
tote_st_err tote_device_revoke(tote_store *s, const char *name, const char *actor);

/*
 * A HELLO: creates the device row if missing, else sets its role; sets
 * last_seen = now and clears revoked state only for new rows. *created is
 * set to 1 if the row was created (may be NULL).
 */
tote_st_err tote_device_hello(tote_store *s, const char *name, const char *role, const char *now,
                              int *created);

/* last_seen = now for device name (no event). */
tote_st_err tote_device_touch(tote_store *s, const char *name, const char *now);

/* Sets (operator_name non-NULL) or clears (NULL) the operator logged in on the device. */
tote_st_err tote_device_set_operator(tote_store *s, const char *name, const char *operator_name);

/* JSON array of devices (name, role, operator, last_seq, last_seen, label_printer,
 * slip_printer, revoked, created_at); *out owned by the caller. */
tote_st_err tote_device_list_json(tote_store *s, cJSON **out);

/*
 * Adds an operator. badge may be NULL or "": a random 10-character code
 * (A-Z, 0-9) is issued. The badge actually used is copied to badge_out
 * (>= 65 bytes). EXISTS if name or badge is taken; INVALID for a bad role or
 * a badge with characters other than A-Z, a-z, 0-9, '-', '_' (1..64 chars).
 */
tote_st_err tote_operator_add(tote_store *s, const char *name, const char *role, const char *badge,
                              const char *actor, char badge_out[65]);

/* Finds the operator named name. NOT_FOUND if none. */
tote_st_err tote_operator_get(tote_store *s, const char *name, tote_operator_info *out);

/* Finds the operator with this badge code. NOT_FOUND if none. */
tote_st_err tote_operator_by_badge(tote_store *s, const char *badge, tote_operator_info *out);

/* JSON array of operators (name, role, badge, active, created_at). */
tote_st_err tote_operator_list_json(tote_store *s, cJSON **out);

#endif
