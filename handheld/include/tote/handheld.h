/*
 * libtote_handheld — the handheld client: scanner transports, the station
 * client with its offline outbox, and the picker/packer UI.
 */
#ifndef TOTE_HANDHELD_H
#define TOTE_HANDHELD_H

#define TOTE_HH_ERRNO_MAP(X)                                              \
    X(OK, 0, "ok")                                                        \
    X(NOMEM, 1, "out of memory")                                          \
    X(IO, 2, "input/output error")                                        \
    X(NOT_FOUND, 3, "scanner not found")                                  \
    X(BUSY, 4, "scanner busy (claimed by another program)")               \
    X(DISCONNECTED, 5, "scanner disconnected")                            \
    X(TIMEOUT, 6, "timed out")                                            \
    X(PROTOCOL, 7, "scanner protocol error")                              \
    X(INVALID, 8, "invalid argument")                                     \
    X(ACCESS, 9, "permission denied (is the user in the scanner group?)") \
    X(OFFLINE, 10, "station not answering")                               \
    X(STORE, 11, "outbox storage error")                                  \
    X(EOF_, 12, "end of input")

typedef enum tote_hh_err {
#define TOTE_HH_ERR_ENUM(name, value, text) TOTE_HH_E_##name = value,
    TOTE_HH_ERRNO_MAP(TOTE_HH_ERR_ENUM)
#undef TOTE_HH_ERR_ENUM
} tote_hh_err;

/* Static, never-NULL text for err. */
const char *tote_hh_strerror(tote_hh_err err);

#endif
