/*
 * Private to the console screen: console_ui.c (state, keys, the loop, talking
 * to the station) and console_draw.c (panels, detail views, the frame).
 */
#ifndef TOTE_CONSOLE_UI_INTERNAL_H
#define TOTE_CONSOLE_UI_INTERNAL_H

#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#undef lines /* term.h names its capabilities as macros: not wanted here */
#undef columns
#include <time.h>
#include <unistd.h>

#include "tote/console.h"
#include "tote/security.h"

enum view { V_MAIN, V_ORDERS, V_ORDER, V_DEVICE, V_SEARCH, V_HELP };
enum focus { F_ORDERS, F_DEVICES, F_BENCHES, F_ALERTS, F_COUNT };

struct frame {
    enum view view;
    char what[16];
    char arg[256];
    int sel, top;
};

#define STACK_MAX 8
#define TICKER_MAX 4

struct ui {
    tote_console_opts o;
    char user[64];
    tote_console_client *cl;
    tote_console_model *model;
    int have_model;
    char model_err[256];
    int online;
    long long since; /* wall seconds: offline since / online since */
    int ever_online;
    int overview_only;       /* the station has no "console" snapshot */
    long long console_retry; /* when to ask for "console" again */
    long long next_refresh, event_due;

    struct frame stack[STACK_MAX];
    int depth; /* stack[depth - 1] is the current view; stack[0] the main screen */
    enum focus focus;
    int sel[F_COUNT];
    cJSON *detail; /* the current view's data */

    int prompting;
    char input[128];

    char msg[256];
    int msg_bad;
    long long msg_until;
    char ticker[TICKER_MAX][256];
    int nticker;

    int dirty;
    long long last_draw_s;
    int lines, cols; /* the grid of the current draw */
};

/* console_ui.c */
long long console_mono_ms(void);
struct frame *console_cur(struct ui *u);

/* console_draw.c */
void console_colours_init(void); /* after initscr(): colour pairs if the terminal has colours */
void console_draw(struct ui *u); /* lays out the whole screen into ncurses' buffer */
int console_panel_len(const struct ui *u, enum focus f);
const char *console_js(const cJSON *o, const char *k);                        /* a string member, or "-" */
const char *console_jn(const cJSON *o, const char *k, char *buf, size_t cap); /* a number member as text */

#endif
