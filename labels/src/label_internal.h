/* Private helpers shared by the files of libtote_labels. */
#ifndef TOTE_LABEL_INTERNAL_H
#define TOTE_LABEL_INTERNAL_H

#include <stddef.h>

#include "tote/label.h"

#define TOTE_C128_FNC1 (-1)

/* 1 if text is well-formed UTF-8 (no overlongs, no surrogates). */
int tote_lb_utf8_valid(const char *text);
/* malloc'd copy with control characters as spaces, runs of spaces collapsed,
 * ends trimmed. NULL -> "". */
char *tote_lb_normalize(const char *text);
/* Growable string (label_text.c): appends never fail visibly; oom is set
 * when an allocation failed and p may then be NULL or partial. */
typedef struct tote_lb_sbuf {
    char *p;
    size_t len, cap;
    int oom;
} tote_lb_sbuf;
void tote_lb_sb_addn(tote_lb_sbuf *b, const char *s, size_t n);
void tote_lb_sb_add(tote_lb_sbuf *b, const char *s);

/* Word wrap (label_text.c). */
char *tote_lb_wrap(const char *text, int width, int font_h, int *lines);
/* Appends a zeroed item of kind and field to L, growing L->items (*cap is
 * its capacity); NULL when out of memory (label.c). */
tote_lb_item *tote_lb_item_add(tote_lb_layout *L, size_t *cap, tote_lb_item_kind kind, const char *field);

/* Code 128 plan (label_code128.c): ZPL field data with invocation codes; returns modules or -1. */
int tote_lb_code128_plan(const int *syms, size_t n, char **zpl);

/*
 * Appends to L (capacity *cap) an item of kind and field: the Code 128
 * symbol values syms[0..n), shown as data, centred across L's width with its
 * top at y and height h (L's dots), drawn with the widest module of
 * modules_try[0..n_try) that leaves a 10-module quiet zone each side
 * (label_code128.c). FIT when none does, NOMEM.
 */
tote_lb_err tote_lb_linear_add(tote_lb_layout *L, size_t *cap, tote_lb_item_kind kind, const char *field,
                               const int *syms, size_t n, const char *data, int y, int h,
                               const int *modules_try, int n_try);

#endif
