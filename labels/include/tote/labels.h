/*
 * libtote_labels — shipping labels: label model -> ZPL II, previews, CUPS.
 */
#ifndef TOTE_LABELS_H
#define TOTE_LABELS_H

#define TOTE_LB_ERRNO_MAP(X)                                   \
    X(OK, 0, "ok")                                             \
    X(NOMEM, 1, "out of memory")                               \
    X(INVALID, 2, "invalid label data")                        \
    X(BARCODE, 3, "barcode cannot be encoded")                 \
    X(IO, 4, "input/output error")                             \
    X(CUPS, 5, "CUPS error")                                   \
    X(NOT_ACCEPTING, 6, "printer queue is not accepting jobs") \
    X(NOT_FOUND, 7, "printer not found")                       \
    X(UNAVAILABLE, 8, "CUPS is not reachable")                 \
    X(FIT, 9, "text does not fit on the label")

typedef enum tote_lb_err {
#define TOTE_LB_ERR_ENUM(name, value, text) TOTE_LB_E_##name = value,
    TOTE_LB_ERRNO_MAP(TOTE_LB_ERR_ENUM)
#undef TOTE_LB_ERR_ENUM
} tote_lb_err;

/* Static, never-NULL text for err. */
const char *tote_lb_strerror(tote_lb_err err);

#endif
