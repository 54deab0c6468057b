/*
 * libtote_station — common definitions: the station's error enum.
 */
#ifndef TOTE_STATION_H
#define TOTE_STATION_H

#define TOTE_STATION_VERSION "0.1.0"

/* One error enum for libtote_station; values never renumbered. */
#define TOTE_ST_ERRNO_MAP(X)                                                 \
    X(OK, 0, "ok")                                                           \
    X(NOMEM, 1, "out of memory")                                             \
    X(IO, 2, "input/output error")                                           \
    X(DB, 3, "database error")                                               \
    X(BUSY, 4, "database is busy")                                           \
    X(NOT_FOUND, 5, "not found")                                             \
    X(EXISTS, 6, "already exists")                                           \
    X(INVALID, 7, "invalid input")                                           \
    X(STATE, 8, "not allowed in the current state")                          \
    X(SCHEMA_NEWER, 9, "database was created by a newer Tote; upgrade Tote") \
    X(FULL, 10, "disk full")                                                 \
    X(DENIED, 11, "permission denied")                                       \
    X(CORRUPT, 12, "database is corrupt or not a Tote database")             \
    X(NET, 13, "network or messaging error")                                 \
    X(PRINT, 14, "printing error")

typedef enum tote_st_err {
#define TOTE_ST_ERR_ENUM(name, value, text) TOTE_ST_E_##name = value,
    TOTE_ST_ERRNO_MAP(TOTE_ST_ERR_ENUM)
#undef TOTE_ST_ERR_ENUM
} tote_st_err;

/* Static, never-NULL text for err. */
const char *tote_st_strerror(tote_st_err err);

#endif
