/* Private helpers shared by the files of libtote_labels. */
#ifndef TOTE_LABEL_INTERNAL_H
#define TOTE_LABEL_INTERNAL_H

#include <stddef.h>

#define TOTE_C128_FNC1 (-1)

/* 1 if text is well-formed UTF-8 (no overlongs, no surrogates). */
int tote_lb_utf8_valid(const char *text);
/* malloc'd copy with control characters as spaces, runs of spaces collapsed,
 * ends trimmed. NULL -> "". */
char *tote_lb_normalize(const char *text);
/* Word wrap (label.c). */
char *tote_lb_wrap(const char *text, int width, int font_h, int *lines);
/* Code 128 plan: ZPL field data with invocation codes; returns modules or -1. */
int tote_lb_code128_plan(const int *syms, size_t n, char **zpl);

#endif
