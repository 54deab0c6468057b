/*
 * The console screen (tote_console_run): ncurses over the client and the
 * model of tote/console.h. Keys and panels: station/CONSOLE.md.
 *
 * Drawing: the whole screen is laid out again into ncurses' buffer
 * (werase + draw) only when something changed (data, a key, a resize, or
 * the clock ticking a second); doupdate() then sends just the cells that
 * differ, so nothing flickers, also over SSH. No mouse, no colours needed
 * (used when the terminal has them).
 */
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

/* ---------------- state ---------------- */

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

static volatile sig_atomic_t quit_signal;

static void on_signal(int sig)
{
    (void)sig;
    quit_signal = 1;
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct frame *cur(struct ui *u)
{
    return &u->stack[u->depth - 1];
}

static void say(struct ui *u, int bad, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(struct ui *u, int bad, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof u->msg, fmt, ap);
    va_end(ap);
    u->msg_bad = bad;
    u->msg_until = mono_ms() + 6000;
    u->dirty = 1;
}

/* ---------------- drawing helpers ---------------- */

enum { C_BAD = 1, C_GOOD, C_WARN, C_TITLE };

static int has_colour;

static attr_t colour(int pair)
{
    return has_colour ? COLOR_PAIR(pair) : A_BOLD;
}

/* Writes s at (y, x), at most w columns (one per code point), never past
 * the edge. Control characters become '?'. */
static void put(int y, int x, int w, attr_t attr, const char *s)
{
    int maxy, maxx;
    getmaxyx(stdscr, maxy, maxx);
    if (y < 0 || y >= maxy || x >= maxx || w <= 0)
        return;
    if (x + w > maxx)
        w = maxx - x;
    if (y == maxy - 1 && x + w >= maxx)
        w = maxx - x - 1; /* the bottom-right cell would scroll */
    if (w <= 0)
        return;
    char buf[1024];
    size_t o = 0;
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o < sizeof buf - 5;) {
        if ((*p & 0xC0) != 0x80) {
            if (cols == w)
                break;
            cols++;
        }
        buf[o++] = (char)((*p < 0x20 || *p == 0x7F) ? '?' : *p);
        p++;
        /* copy the continuation bytes of this character */
        while (*p && (*p & 0xC0) == 0x80 && o < sizeof buf - 1)
            buf[o++] = (char)*p++;
    }
    buf[o] = '\0';
    if (attr)
        attron(attr);
    mvaddstr(y, x, buf);
    if (attr)
        attroff(attr);
}

static void putf(int y, int x, int w, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void putf(int y, int x, int w, attr_t attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put(y, x, w, attr, buf);
}

/* A field cut or padded to exactly w columns (into buf). */
static const char *fit(char *buf, size_t cap, const char *s, int w)
{
    size_t o = 0;
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o < cap - 4;) {
        if ((*p & 0xC0) != 0x80) {
            if (cols == w)
                break;
            cols++;
        }
        buf[o++] = (char)*p++;
    }
    while (cols < w && o < cap - 1) {
        buf[o++] = ' ';
        cols++;
    }
    buf[o] = '\0';
    return buf;
}

static void hline_title(int y, int w, int focused, const char *title)
{
    char t[256];
    snprintf(t, sizeof t, "%s %s ", focused ? ">" : "-", title);
    attr_t a = colour(C_TITLE) | (focused ? A_BOLD : 0);
    put(y, 0, w, a, t);
    int len = (int)strlen(t);
    attron(a);
    for (int x = len; x < w; x++)
        mvaddch(y, x, '-');
    attroff(a);
}

static void wall_clock(long long secs, char *buf, size_t cap)
{
    time_t t = (time_t)secs;
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, cap, "%H:%M:%S", &tm);
}

/* ---------------- the main screen ---------------- */

static const char *device_task(const tote_console_device *d, char *buf, size_t cap)
{
    if (d->pick_list)
        snprintf(buf, cap, "list %lld %lld/%lld", d->pick_list, d->list_done, d->list_tasks);
    else if (d->packing[0])
        snprintf(buf, cap, "packing %s", d->packing);
    else
        snprintf(buf, cap, "-");
    return buf;
}

static int count_alert_rows(const struct ui *u)
{
    return u->have_model ? u->model->nalerts : 0;
}

/* Rows of the benches panel: benches, then printers (or a jobs summary). */
static int bench_rows(const struct ui *u)
{
    if (!u->have_model)
        return 0;
    const tote_console_model *m = u->model;
    return m->nbenches + (m->full ? m->nprinters : 1);
}

static int panel_len(const struct ui *u, enum focus f)
{
    if (!u->have_model)
        return 0;
    switch (f) {
    case F_ORDERS:
        return TOTE_CS_COUNT;
    case F_DEVICES:
        return u->model->ndevices;
    case F_BENCHES:
        return bench_rows(u);
    default:
        return count_alert_rows(u);
    }
}

/* First row to show so that sel is visible in rows. */
static int scroll_top(int sel, int n, int rows)
{
    if (rows <= 0 || n <= rows)
        return 0;
    int top = sel - rows / 2;
    if (top < 0)
        top = 0;
    if (top > n - rows)
        top = n - rows;
    return top;
}

static void draw_orders(struct ui *u, int y, int w)
{
    const tote_console_model *m = u->model;
    hline_title(y, w, u->focus == F_ORDERS, "ORDERS by state (Enter lists them)");
    int x = 1;
    for (int i = 0; i < TOTE_CS_COUNT; i++) {
        if (i == TOTE_CS_LATE && !m->has_late)
            continue;
        char t[64];
        snprintf(t, sizeof t, "%s %lld", tote_console_state_name((tote_console_state)i), m->orders[i]);
        int len = (int)strlen(t);
        if (x + len >= w) {
            /* wrap is not possible on one line: stop */
            put(y + 1, x, w - x, 0, "...");
            break;
        }
        attr_t a = 0;
        if ((i == TOTE_CS_SHORT || i == TOTE_CS_LATE || i == TOTE_CS_HELD) && m->orders[i] > 0)
            a = colour(i == TOTE_CS_HELD ? C_WARN : C_BAD) | A_BOLD;
        if (u->focus == F_ORDERS && u->sel[F_ORDERS] == i)
            a |= A_REVERSE;
        put(y + 1, x, len, a, t);
        x += len + 2;
    }
}

static void draw_waves(struct ui *u, int y, int w, int rows)
{
    const tote_console_model *m = u->model;
    char title[64];
    snprintf(title, sizeof title, "WAVES in progress (%d)", m->nwaves);
    hline_title(y, w, 0, title);
    if (m->nwaves == 0) {
        put(y + 1, 1, w - 1, 0, "no wave in progress");
        return;
    }
    int barw = w / 4 > 32 ? 32 : w / 4 < 10 ? 10 : w / 4;
    for (int i = 0; i < rows && i < m->nwaves; i++) {
        const tote_console_wave *wv = &m->waves[i];
        char bar[64];
        tote_console_bar(bar, barw, (double)wv->units_done, (double)wv->units);
        int pct = wv->units > 0 ? (int)(100 * wv->units_done / wv->units) : 0;
        putf(y + 1 + i, 1, w - 1, 0,
             "wave %-4lld %-8s %s %3d%%  %lld/%lld units  lists %lld/%lld done, %lld leased", wv->id,
             wv->status, bar, pct, wv->units_done, wv->units, wv->lists_done, wv->lists, wv->lists_leased);
    }
    if (m->nwaves > rows)
        putf(y + rows, w - 12, 12, 0, "+%d more", m->nwaves - rows);
}

static void device_cols(int w, int *cid, int *cop, int *ctask)
{
    int extra = w - 78;
    if (extra < 0)
        extra = 0;
    *cid = 12 + extra / 4;
    *cop = 10 + extra / 4;
    *ctask = 16 + extra / 2;
    if (*cid > 32)
        *cid = 32;
    if (*cop > 24)
        *cop = 24;
    if (*ctask > 40)
        *ctask = 40;
}

static void draw_device_row(struct ui *u, int y, int w, const tote_console_device *d, int selected)
{
    int cid, cop, ctask;
    device_cols(w, &cid, &cop, &ctask);
    char a[160], b[160], c[160], task[128], seen[16], rate[16], err[16];
    tote_console_age(d->last_seen, u->model->at, seen, sizeof seen);
    if (d->has_stats) {
        snprintf(rate, sizeof rate, "%lld",
                 tote_console_per_hour(strcmp(d->role, "picker") == 0 ? d->picks_15m : d->units_15m));
        snprintf(err, sizeof err, "%lld", d->refused_15m);
    } else {
        snprintf(rate, sizeof rate, "-");
        snprintf(err, sizeof err, "-");
    }
    char line[1024];
    snprintf(line, sizeof line, "%s %s %-6.6s %-7s %s %7s %4s %5s", fit(a, sizeof a, d->name, cid),
             fit(b, sizeof b, d->operator_name[0] ? d->operator_name : "-", cop), d->role,
             d->online ? "online" : "OFFLINE", fit(c, sizeof c, device_task(d, task, sizeof task), ctask),
             rate, err, seen);
    attr_t at = selected ? A_REVERSE : 0;
    if (!d->online)
        at |= colour(C_WARN);
    else if (d->has_stats && d->refused_15m > 0)
        at |= colour(C_BAD);
    put(y, 1, w - 1, at, line);
}

static void draw_devices(struct ui *u, int y, int w, int rows)
{
    const tote_console_model *m = u->model;
    char title[96];
    int online = 0;
    for (int i = 0; i < m->ndevices; i++)
        online += m->devices[i].online;
    snprintf(title, sizeof title, "HANDHELDS (%d online of %d)", online, m->ndevices);
    hline_title(y, w, u->focus == F_DEVICES, title);
    int cid, cop, ctask;
    device_cols(w, &cid, &cop, &ctask);
    char a[160], b[160], c[160];
    putf(y + 1, 1, w - 1, A_BOLD, "%s %s %-6s %-7s %s %7s %4s %5s", fit(a, sizeof a, "ID", cid),
         fit(b, sizeof b, "OPERATOR", cop), "ROLE", "STATUS", fit(c, sizeof c, "TASK", ctask), "PICKS/H",
         "ERR", "SEEN");
    if (m->ndevices == 0) {
        put(y + 2, 1, w - 1, 0, "no handhelds have said hello yet");
        return;
    }
    int top = scroll_top(u->sel[F_DEVICES], m->ndevices, rows);
    for (int i = 0; i < rows && top + i < m->ndevices; i++)
        draw_device_row(u, y + 2 + i, w, &m->devices[top + i],
                        u->focus == F_DEVICES && u->sel[F_DEVICES] == top + i);
}

static void draw_benches(struct ui *u, int y, int w, int rows)
{
    const tote_console_model *m = u->model;
    int faults = 0;
    for (int i = 0; i < m->nprinters; i++)
        faults += strcmp(m->printers[i].state, "fault") == 0;
    char title[96];
    snprintf(title, sizeof title, "BENCHES & PRINTERS (%d bench%s, %d printer%s, %d down)", m->nbenches,
             m->nbenches == 1 ? "" : "es", m->nprinters, m->nprinters == 1 ? "" : "s", faults);
    hline_title(y, w, u->focus == F_BENCHES, title);
    int n = bench_rows(u);
    int top = scroll_top(u->sel[F_BENCHES], n, rows);
    for (int k = 0; k < rows && top + k < n; k++) {
        int i = top + k;
        int selected = u->focus == F_BENCHES && u->sel[F_BENCHES] == i;
        if (i < m->nbenches) {
            draw_device_row(u, y + 1 + k, w, &m->benches[i], selected);
            continue;
        }
        int p = i - m->nbenches;
        attr_t at = selected ? A_REVERSE : 0;
        if (!m->full) {
            putf(y + 1 + k, 1, w - 1, at | (m->jobs_failed ? colour(C_BAD) : 0),
                 "print jobs: %lld queued, %lld failed (this station sends no printer details)",
                 m->jobs_queued, m->jobs_failed);
            continue;
        }
        const tote_console_printer *pr = &m->printers[p];
        int fault = strcmp(pr->state, "fault") == 0;
        char a[96];
        putf(y + 1 + k, 1, w - 1, at | (fault ? colour(C_BAD) | A_BOLD : 0),
             "printer %s (%s)  %s%s%s  queued %lld  failed (24h) %lld", fit(a, sizeof a, pr->name, 16),
             pr->kind, fault ? "DOWN" : pr->state, fault && pr->error[0] ? ": " : "", fault ? pr->error : "",
             pr->queued, pr->failed);
    }
    if (n == 0)
        put(y + 1, 1, w - 1, 0, "no benches or printers yet");
}

static void draw_alerts(struct ui *u, int y, int w, int rows)
{
    const tote_console_model *m = u->model;
    char title[96];
    snprintf(title, sizeof title, "ALERTS (%d open, newest first; a acknowledges)", m->nalerts);
    hline_title(y, w, u->focus == F_ALERTS, title);
    if (m->nalerts == 0) {
        put(y + 1, 1, w - 1, colour(C_GOOD), "no open alerts");
        return;
    }
    int top = scroll_top(u->sel[F_ALERTS], m->nalerts, rows);
    for (int k = 0; k < rows && top + k < m->nalerts; k++) {
        const tote_console_alert *a = &m->alerts[top + k];
        char age[16], kind[40];
        tote_console_age(a->at, m->at, age, sizeof age);
        int selected = u->focus == F_ALERTS && u->sel[F_ALERTS] == top + k;
        putf(y + 1 + k, 1, w - 1, (selected ? A_REVERSE : 0) | colour(C_BAD), "%5s  %s  %s", age,
             fit(kind, sizeof kind, a->kind, 13), a->message);
    }
}

static void draw_main(struct ui *u, int top, int h, int w)
{
    if (!u->have_model) {
        put(top + 1, 1, w - 1, 0,
            u->model_err[0] ? u->model_err : "waiting for the station's first snapshot...");
        return;
    }
    const tote_console_model *m = u->model;
    /* fixed: orders 2, waves title 1, devices title+header 2, benches title 1, alerts title 1 */
    int avail = h - 7;
    if (avail < 4) {
        put(top, 0, w, colour(C_WARN), "the terminal is too small: make it at least 80x20");
        return;
    }
    int wr = m->nwaves < 1 ? 1 : m->nwaves;
    int wmax = avail / 6 < 1 ? 1 : avail / 6;
    if (wr > wmax)
        wr = wmax;
    int br = bench_rows(u) < 1 ? 1 : bench_rows(u);
    int bmax = avail / 5 < 1 ? 1 : avail / 5;
    if (br > bmax)
        br = bmax;
    int rest = avail - wr - br;
    int dr = m->ndevices < 1 ? 1 : m->ndevices;
    int dmax = rest / 2 < 1 ? 1 : rest / 2;
    int ar = m->nalerts < 1 ? 1 : m->nalerts;
    if (dr > dmax && ar < rest - dmax)
        dmax = rest - ar; /* few alerts: the handhelds get the room */
    if (dr > dmax)
        dr = dmax;
    ar = rest - dr;
    int y = top;
    draw_orders(u, y, w);
    y += 2;
    draw_waves(u, y, w, wr);
    y += 1 + wr;
    draw_devices(u, y, w, dr);
    y += 2 + dr;
    draw_benches(u, y, w, br);
    y += 1 + br;
    draw_alerts(u, y, w, ar);
}

/* ---------------- detail views: text lines ---------------- */

struct lines {
    char **v;
    int n, cap;
    int *selectable; /* index into a list, or -1 */
};

static void lines_free(struct lines *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    free(l->selectable);
    memset(l, 0, sizeof *l);
}

static void add_line(struct lines *l, int selectable, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_line(struct lines *l, int selectable, const char *fmt, ...)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, (size_t)cap * sizeof *v);
        if (!v)
            return;
        l->v = v;
        int *s = realloc(l->selectable, (size_t)cap * sizeof *s);
        if (!s)
            return;
        l->selectable = s;
        l->cap = cap;
    }
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    l->v[l->n] = strdup(buf);
    l->selectable[l->n] = selectable;
    if (l->v[l->n])
        l->n++;
}

static const char *js(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (cJSON_IsString(v))
        return v->valuestring;
    return "-";
}

static const char *jn(const cJSON *o, const char *k, char *buf, size_t cap)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (cJSON_IsNumber(v))
        snprintf(buf, cap, "%.0f", v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(buf, cap, "%s", v->valuestring);
    else if (cJSON_IsBool(v))
        snprintf(buf, cap, "%s", cJSON_IsTrue(v) ? "yes" : "no");
    else
        snprintf(buf, cap, "-");
    return buf;
}

/* "2025-03-06T10:15:02.123Z" -> "03-06 10:15:02" */
static const char *short_time(const char *t, char *buf, size_t cap)
{
    if (strlen(t) >= 19)
        snprintf(buf, cap, "%.5s %.8s", t + 5, t + 11);
    else
        snprintf(buf, cap, "%s", t);
    return buf;
}

static void build_order_lines(const cJSON *d, struct lines *l)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(d, "order");
    char a[64], b[64], c[64], e[64], f[64], g[64], h[64], i2[64], j2[64];
    add_line(l, -1, "ORDER %s   status %s%s%s   payment %s   priority %s   tote %s", js(o, "name"),
             js(o, "status"), cJSON_IsString(cJSON_GetObjectItem(o, "hold_reason")) ? " (" : "",
             cJSON_IsString(cJSON_GetObjectItem(o, "hold_reason")) ? js(o, "hold_reason") : "",
             js(o, "payment_status"), jn(o, "priority", a, sizeof a), js(o, "tote"));
    add_line(l, -1, "ship to %s, %s %s   method %s   ordered %s   updated %s", js(o, "ship_name"),
             js(o, "ship_city"), js(o, "ship_country"), js(o, "shipping_method"), js(o, "ordered_at"),
             js(o, "updated_at"));
    add_line(l, -1, "%s", "");
    add_line(l, -1, "LINES   %-3s %-16s %-28s %5s %5s %5s %5s %5s %5s %5s", "#", "SKU", "NAME", "ORD",
             "ALLOC", "PICK", "SHORT", "PACK", "SHIP", "RET");
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(d, "lines"))
    {
        char nm[128], sk[64];
        add_line(l, -1, "        %-3s %s %s %5s %5s %5s %5s %5s %5s %5s", jn(x, "line_no", a, sizeof a),
                 fit(sk, sizeof sk, js(x, "sku"), 16), fit(nm, sizeof nm, js(x, "name"), 28),
                 jn(x, "ordered", b, sizeof b), jn(x, "allocated", c, sizeof c), jn(x, "picked", e, sizeof e),
                 jn(x, "short", f, sizeof f), jn(x, "packed", g, sizeof g), jn(x, "shipped", h, sizeof h),
                 jn(x, "returned", i2, sizeof i2));
    }
    add_line(l, -1, "%s", "");
    add_line(l, -1, "PACKAGES  %-3s %-8s %-10s %8s %8s %-16s %s", "NO", "STATUS", "CARTON", "WEIGHT",
             "EXPECTED", "TRACKING", "SHIPPED");
    int np = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(d, "packages"))
    {
        np++;
        add_line(l, -1, "          %-3s %-8s %-10s %8s %8s %-16s %s", jn(x, "package_no", a, sizeof a),
                 js(x, "status"), js(x, "carton"), jn(x, "weight_g", b, sizeof b),
                 jn(x, "expected_weight_g", c, sizeof c), js(x, "tracking"), js(x, "shipped_at"));
    }
    if (!np)
        add_line(l, -1, "          none yet");
    add_line(l, -1, "%s", "");
    add_line(l, -1, "SCANS (newest first)  %-14s %-12s %-10s %-8s %-8s %4s %-8s %s", "AT", "DEVICE",
             "OPERATOR", "CONTEXT", "KIND", "QTY", "RESULT", "REASON");
    int ns = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(d, "scans"))
    {
        ns++;
        add_line(l, -1, "                      %-14s %-12s %-10s %-8s %-8s %4s %-8s %s",
                 short_time(js(x, "at"), a, sizeof a), js(x, "device"), js(x, "operator"), js(x, "context"),
                 js(x, "kind"), jn(x, "qty", b, sizeof b), js(x, "result"), js(x, "reason"));
    }
    if (!ns)
        add_line(l, -1, "                      none yet");
    add_line(l, -1, "%s", "");
    add_line(l, -1, "EVENTS (newest first)  %-14s %-12s %-12s %-18s %s", "AT", "ACTOR", "DEVICE", "KIND",
             "DETAIL");
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(d, "events"))
    {
        add_line(l, -1, "                       %-14s %-12s %-12s %-18s %s",
                 short_time(js(x, "at"), a, sizeof a), js(x, "actor"), js(x, "device"), js(x, "kind"),
                 js(x, "detail"));
    }
    (void)j2;
}

static void build_device_lines(const cJSON *d, struct lines *l)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "device");
    char a[64], b[64], c[64], e[64], f[64];
    int online = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "online"));
    add_line(l, -1, "DEVICE %s   role %s   operator %s   %s   last seen %s", js(v, "name"), js(v, "role"),
             js(v, "operator"), online ? "online" : "OFFLINE", js(v, "last_seen"));
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(v, "pick_list");
    if (cJSON_IsNumber(pl))
        add_line(l, -1, "pick list %s: %s of %s tasks done", jn(v, "pick_list", a, sizeof a),
                 jn(v, "list_done", b, sizeof b), jn(v, "list_tasks", c, sizeof c));
    else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "packing")))
        add_line(l, -1, "packing order %s", js(v, "packing"));
    else
        add_line(l, -1, "no pick list or package in hand");
    long long picks = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "picks_15m"));
    long long units = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "units_15m"));
    add_line(l, -1,
             "last 15 minutes: %s scans, %lld picks (%lld/h), %lld units, %s refused; refused today %s",
             jn(v, "scans_15m", a, sizeof a), picks, tote_console_per_hour(picks), units,
             jn(v, "refused_15m", b, sizeof b), jn(v, "refused_today", c, sizeof c));
    add_line(l, -1, "%s", "");
    add_line(l, -1, "RECENT SCANS (newest first)");
    add_line(l, -1, "%-14s %-8s %-8s %-28s %4s %-8s %-16s %s", "AT", "CONTEXT", "KIND", "CODE", "QTY",
             "RESULT", "REASON", "ORDER");
    int n = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(d, "scans"))
    {
        char code[128];
        n++;
        add_line(l, -1, "%-14s %-8s %-8s %s %4s %-8s %-16s %s", short_time(js(x, "at"), a, sizeof a),
                 js(x, "context"), js(x, "kind"), fit(code, sizeof code, js(x, "code"), 28),
                 jn(x, "qty", e, sizeof e), js(x, "result"), js(x, "reason"), js(x, "order"));
    }
    (void)f;
    if (!n)
        add_line(l, -1, "no scans yet");
}

static void build_orders_lines(const cJSON *d, struct lines *l, int search)
{
    char a[64], b[64], c[64], e[64], f[64];
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(d, search ? "matches" : "orders");
    if (search)
        add_line(l, -1, "SEARCH \"%s\": %d match%s (Enter opens)", js(d, "query"), cJSON_GetArraySize(arr),
                 cJSON_GetArraySize(arr) == 1 ? "" : "es");
    else
        add_line(l, -1, "ORDERS %s: %d%s (Enter opens)", js(d, "status"), cJSON_GetArraySize(arr),
                 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "truncated")) ? " shown" : "");
    if (search)
        add_line(l, -1, "%-20s %-10s %s", "ORDER", "STATUS", "FOUND BY");
    else
        add_line(l, -1, "%-20s %-10s %-9s %5s %5s %5s %5s %-12s %s", "ORDER", "STATUS", "HOLD", "LINES",
                 "UNITS", "PICK", "SHORT", "SHIP BY", "ORDERED");
    int i = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        if (search)
            add_line(l, i, "%-20s %-10s %s", js(x, "order"), js(x, "status"), js(x, "via"));
        else
            add_line(l, i, "%-20s %-10s %-9s %5s %5s %5s %5s %-12s %s", js(x, "name"), js(x, "status"),
                     js(x, "hold_reason"), jn(x, "lines", a, sizeof a), jn(x, "units", b, sizeof b),
                     jn(x, "picked", c, sizeof c), jn(x, "short", e, sizeof e), js(x, "ship_by"),
                     js(x, "ordered_at"));
        i++;
    }
    (void)f;
    if (i == 0)
        add_line(l, -1,
                 search ? "no order, tracking number or reference matches" : "no orders in this state");
}

static void build_help_lines(struct lines *l)
{
    static const char *const help[] = {
        "KEYS",
        "  q            quit (from any screen)",
        "  Tab, S-Tab   next / previous panel on the main screen: orders, handhelds, benches, alerts",
        "  Up/Down, j/k select in a panel or a list; Left/Right in the order states",
        "  PgUp/PgDn    page through a list or a detail screen",
        "  Enter        open: order state -> its orders; order -> lines, scans, events;",
        "               handheld or bench -> its recent scans; alert -> its order or handheld",
        "  a            acknowledge the selected alert (alerts panel)",
        "  /            search an order by number, tracking number, SSCC, reference or e-mail",
        "  r            refresh now (the console also refreshes every 2 s and on every event)",
        "  Esc, Left, h back to the previous screen",
        "  ?            this help",
        "",
        "NUMBERS",
        "  ORDERS      orders in each state now; short = orders with a line picked short;",
        "              late = not shipped and past their ship-by",
        "  WAVES       units picked of units to pick, pick lists done and leased, per open wave",
        "  HANDHELDS   PICKS/H = accepted pick scans in the last 15 minutes x 4 (packers: units packed x 4);",
        "              ERR = refused scans in the last 15 minutes; SEEN = since the station last heard it",
        "  PRINTERS    queued = jobs not printed yet; failed = jobs that failed in the last 24 hours",
        "  ALERTS      short picks, reorder points, late orders, refused scans over the threshold,",
        "              printers down; age = how long ago it arose",
    };
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++)
        add_line(l, -1, "%s", help[i]);
}

static void build_lines(struct ui *u, struct lines *l)
{
    struct frame *f = cur(u);
    if (f->view == V_HELP) {
        build_help_lines(l);
        return;
    }
    if (!u->detail) {
        add_line(l, -1, "loading %s %s ...", f->what, f->arg);
        return;
    }
    const char *kind = js(u->detail, "kind");
    if (strcmp(kind, "error") == 0) {
        add_line(l, -1, "the station says: %s", js(u->detail, "error"));
        return;
    }
    switch (f->view) {
    case V_ORDER:
        build_order_lines(u->detail, l);
        break;
    case V_DEVICE:
        build_device_lines(u->detail, l);
        break;
    case V_ORDERS:
        build_orders_lines(u->detail, l, 0);
        break;
    case V_SEARCH:
        build_orders_lines(u->detail, l, 1);
        break;
    default:
        break;
    }
}

static int count_selectable(const struct lines *l)
{
    int n = 0;
    for (int i = 0; i < l->n; i++)
        n += l->selectable[i] >= 0;
    return n;
}

static void draw_detail(struct ui *u, int top, int h, int w)
{
    struct lines l = {0};
    build_lines(u, &l);
    struct frame *f = cur(u);
    int nsel = count_selectable(&l);
    if (nsel > 0) {
        if (f->sel >= nsel)
            f->sel = nsel - 1;
        if (f->sel < 0)
            f->sel = 0;
        /* keep the selected line in view */
        int line_of_sel = 0;
        for (int i = 0; i < l.n; i++)
            if (l.selectable[i] == f->sel)
                line_of_sel = i;
        if (line_of_sel < f->top + 2 && line_of_sel >= 2)
            f->top = line_of_sel - 2 < 0 ? 0 : line_of_sel - 2;
        if (line_of_sel >= f->top + h)
            f->top = line_of_sel - h + 1;
    }
    if (f->top > l.n - h)
        f->top = l.n - h;
    if (f->top < 0)
        f->top = 0;
    for (int i = 0; i < h && f->top + i < l.n; i++) {
        int k = f->top + i;
        attr_t a = 0;
        if (k == 0)
            a = A_BOLD;
        if (nsel > 0 && l.selectable[k] == f->sel)
            a |= A_REVERSE;
        put(top + i, 0, w, a, l.v[k]);
    }
    if (l.n > h)
        putf(top + h - 1, w - 16, 16, A_DIM, "[%d-%d of %d]", f->top + 1, f->top + h < l.n ? f->top + h : l.n,
             l.n);
    lines_free(&l);
}

/* ---------------- the frame around ---------------- */

static void draw_header(struct ui *u, int w)
{
    char clock[16], line[512];
    wall_clock((long long)time(NULL), clock, sizeof clock);
    attron(A_REVERSE);
    mvhline(0, 0, ' ', w);
    attroff(A_REVERSE);
    snprintf(line, sizeof line, " TOTE console | station %s%s | %s", u->o.station,
             u->o.curve ? "" : " (INSECURE: plain text)", clock);
    put(0, 0, w, A_REVERSE | A_BOLD, line);
    char st[128];
    attr_t a;
    if (u->online) {
        snprintf(st, sizeof st, " online ");
        a = colour(C_GOOD) | A_REVERSE | A_BOLD;
    } else if (u->ever_online) {
        char since[16], age[16];
        wall_clock(u->since, since, sizeof since);
        long long d = (long long)time(NULL) - u->since;
        snprintf(age, sizeof age, d < 60 ? "%llds" : "%lldm", d < 60 ? d : d / 60);
        snprintf(st, sizeof st, " STATION OFFLINE since %s (%s), reconnecting ", since, age);
        a = colour(C_BAD) | A_REVERSE | A_BOLD;
    } else {
        snprintf(st, sizeof st, " connecting to the station... ");
        a = colour(C_WARN) | A_REVERSE | A_BOLD;
    }
    int len = (int)strlen(st);
    if (w - len > 0)
        put(0, w - len, len, a, st);
}

static void draw_status(struct ui *u, int y, int w)
{
    long long now = mono_ms();
    if (u->msg[0] && now < u->msg_until) {
        put(y, 0, w, u->msg_bad ? colour(C_BAD) | A_BOLD : colour(C_GOOD), u->msg);
        return;
    }
    if (u->nticker > 0)
        putf(y, 0, w, A_DIM, "live: %s", u->ticker[0]);
    else if (u->overview_only)
        put(y, 0, w, A_DIM, "this station answers overview snapshots only: no per-handheld figures");
}

static void draw_footer(struct ui *u, int y, int w)
{
    if (u->prompting) {
        char line[256];
        snprintf(line, sizeof line, "search order / tracking / reference: %s_   (Enter search, Esc cancel)",
                 u->input);
        put(y, 0, w, A_REVERSE, line);
        return;
    }
    const char *keys =
        cur(u)->view == V_MAIN
            ? " q quit  Tab panel  Up/Down select  Enter open  a ack alert  / search  r refresh  ? help"
            : " q quit  Esc back  Up/Down move  PgUp/PgDn page  Enter open  / search  r refresh  ? help";
    attron(A_REVERSE);
    mvhline(y, 0, ' ', w - 1);
    attroff(A_REVERSE);
    put(y, 0, w, A_REVERSE, keys);
}

static void draw(struct ui *u)
{
    int h, w;
    getmaxyx(stdscr, h, w);
    u->lines = h;
    u->cols = w;
    werase(stdscr);
    if (h < 8 || w < 40) {
        put(0, 0, w, 0, "terminal too small for the console");
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_header(u, w);
    draw_status(u, 1, w);
    if (cur(u)->view == V_MAIN)
        draw_main(u, 2, h - 3, w);
    else
        draw_detail(u, 2, h - 3, w);
    draw_footer(u, h - 1, w);
    wnoutrefresh(stdscr);
    doupdate();
    u->dirty = 0;
    u->last_draw_s = (long long)time(NULL);
}

/* ---------------- talking to the station ---------------- */

static void request_main(struct ui *u)
{
    if (u->overview_only && mono_ms() >= u->console_retry)
        u->overview_only = 0; /* the station may have been upgraded meanwhile */
    tote_console_client_request(u->cl, u->overview_only ? "overview" : "console", "");
}

static void request_view(struct ui *u)
{
    struct frame *f = cur(u);
    if (f->view == V_ORDER || f->view == V_DEVICE || f->view == V_ORDERS)
        tote_console_client_request(u->cl, f->what, f->arg);
}

static void refresh_all(struct ui *u)
{
    request_main(u);
    request_view(u);
    u->next_refresh = mono_ms() + u->o.refresh_ms;
}

static void push_view(struct ui *u, enum view v, const char *what, const char *arg)
{
    if (u->depth == STACK_MAX) {
        memmove(&u->stack[1], &u->stack[2], (STACK_MAX - 2) * sizeof u->stack[0]);
        u->depth--;
    }
    struct frame *f = &u->stack[u->depth++];
    memset(f, 0, sizeof *f);
    f->view = v;
    snprintf(f->what, sizeof f->what, "%s", what);
    snprintf(f->arg, sizeof f->arg, "%s", arg);
    cJSON_Delete(u->detail);
    u->detail = NULL;
    if (v != V_HELP && v != V_SEARCH)
        tote_console_client_request(u->cl, what, arg);
    if (v == V_SEARCH)
        tote_console_client_request(u->cl, "search", arg);
    u->dirty = 1;
}

static void pop_view(struct ui *u)
{
    if (u->depth <= 1)
        return;
    u->depth--;
    cJSON_Delete(u->detail);
    u->detail = NULL;
    request_view(u);
    u->dirty = 1;
}

static void on_reply(void *ud, const char *what, const char *arg, int ok, const char *text)
{
    struct ui *u = ud;
    u->dirty = 1;
    if (strcmp(what, "console") == 0 || strcmp(what, "overview") == 0) {
        if (!ok) {
            if (strcmp(what, "console") == 0 && strstr(text, "unknown snapshot kind")) {
                u->overview_only = 1;
                u->console_retry = mono_ms() + 30000;
                request_main(u);
                return;
            }
            snprintf(u->model_err, sizeof u->model_err, "the station refused the snapshot: %s", text);
            return;
        }
        if (tote_console_model_parse(u->model, text, u->model_err, sizeof u->model_err) == 0) {
            u->have_model = 1;
            u->model_err[0] = '\0';
            for (int f = 0; f < F_COUNT; f++) {
                int n = panel_len(u, (enum focus)f);
                if (u->sel[f] >= n)
                    u->sel[f] = n > 0 ? n - 1 : 0;
            }
        } else {
            u->have_model = 0;
        }
        return;
    }
    if (strcmp(what, "ack_alert") == 0) {
        cJSON *j = ok ? cJSON_Parse(text) : NULL;
        if (j && cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")))
            say(u, 0, "alert %s acknowledged%s", arg[0] == '{' ? js(j, "alert") : arg,
                cJSON_IsTrue(cJSON_GetObjectItem(j, "already")) ? " (it already was)" : "");
        else
            say(u, 1, "could not acknowledge: %s", j ? js(j, "error") : text);
        cJSON_Delete(j);
        request_main(u);
        return;
    }
    struct frame *f = cur(u);
    if (strcmp(what, "search") == 0 && f->view == V_SEARCH && strcmp(f->arg, arg) == 0) {
        cJSON *j = ok ? cJSON_Parse(text) : NULL;
        if (!j) {
            say(u, 1, "search failed: %s", text);
            pop_view(u);
            return;
        }
        cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "matches");
        if (cJSON_GetArraySize(m) == 1) {
            char name[256];
            snprintf(name, sizeof name, "%s", js(cJSON_GetArrayItem(m, 0), "order"));
            cJSON_Delete(j);
            u->depth--; /* the order replaces the search */
            push_view(u, V_ORDER, "order", name);
            return;
        }
        cJSON_Delete(u->detail);
        u->detail = j;
        return;
    }
    if (strcmp(what, f->what) != 0 || strcmp(arg, f->arg) != 0)
        return; /* an answer for a screen that is gone */
    cJSON_Delete(u->detail);
    u->detail = NULL;
    if (ok) {
        u->detail = cJSON_Parse(text);
    } else {
        u->detail = cJSON_CreateObject();
        cJSON_AddStringToObject(u->detail, "kind", "error");
        cJSON_AddStringToObject(u->detail, "error", text);
    }
}

static void ticker_add(struct ui *u, const char *line)
{
    memmove(&u->ticker[1], &u->ticker[0], (TICKER_MAX - 1) * sizeof u->ticker[0]);
    snprintf(u->ticker[0], sizeof u->ticker[0], "%s", line);
    if (u->nticker < TICKER_MAX)
        u->nticker++;
}

static void on_event(void *ud, const char *topic, const char *json)
{
    struct ui *u = ud;
    cJSON *j = cJSON_Parse(json);
    char line[256];
    const char *who = js(j, "operator");
    if (!strcmp(who, "-"))
        who = js(j, "device");
    char num[32];
    if (!strcmp(topic, "scan") && !strcmp(js(j, "event"), "short_pick"))
        snprintf(line, sizeof line, "%s short pick: %s %s x %s in %s", who, js(j, "order"),
                 jn(j, "missing", num, sizeof num), js(j, "sku"), js(j, "bin"));
    else if (!strcmp(topic, "scan"))
        snprintf(line, sizeof line, "%s %s: %s", who,
                 cJSON_IsTrue(cJSON_GetObjectItem(j, "accepted")) ? "ok" : "REFUSED", js(j, "message"));
    else if (!strcmp(topic, "order"))
        snprintf(line, sizeof line, "order %s %s -> %s (%s)", js(j, "order"), js(j, "from"), js(j, "status"),
                 who);
    else if (!strcmp(topic, "alert"))
        snprintf(line, sizeof line, "ALERT %s", js(j, "message"));
    else
        snprintf(line, sizeof line, "%s %s %s", topic, js(j, "event"), js(j, "device"));
    cJSON_Delete(j);
    ticker_add(u, line);
    /* refresh soon, once for a burst */
    if (!u->event_due)
        u->event_due = mono_ms() + 250;
    u->dirty = 1;
}

static void on_state(void *ud, int online, long long since)
{
    struct ui *u = ud;
    u->online = online;
    u->since = since ? since : (long long)time(NULL);
    if (online) {
        if (u->ever_online)
            say(u, 0, "station back online");
        u->ever_online = 1;
        u->overview_only = 0;
        refresh_all(u);
    }
    u->dirty = 1;
}

/* ---------------- keys ---------------- */

static void open_selected(struct ui *u)
{
    struct frame *f = cur(u);
    if (f->view == V_MAIN) {
        if (!u->have_model)
            return;
        const tote_console_model *m = u->model;
        int s = u->sel[u->focus];
        if (u->focus == F_ORDERS) {
            tote_console_state st = (tote_console_state)s;
            push_view(u, V_ORDERS, "orders", st == TOTE_CS_HELD ? "on_hold" : tote_console_state_name(st));
        } else if (u->focus == F_DEVICES && s < m->ndevices) {
            push_view(u, V_DEVICE, "device", m->devices[s].name);
        } else if (u->focus == F_BENCHES && s < m->nbenches) {
            push_view(u, V_DEVICE, "device", m->benches[s].name);
        } else if (u->focus == F_ALERTS && s < m->nalerts) {
            const tote_console_alert *a = &m->alerts[s];
            if (!strcmp(a->kind, "short_pick") || !strcmp(a->kind, "late_order"))
                push_view(u, V_ORDER, "order", a->subject);
            else if (!strcmp(a->kind, "refused_scans"))
                push_view(u, V_DEVICE, "device", a->subject);
            else
                say(u, 0, "%s", a->message);
        }
        return;
    }
    if ((f->view == V_ORDERS || f->view == V_SEARCH) && u->detail) {
        const cJSON *arr =
            cJSON_GetObjectItemCaseSensitive(u->detail, f->view == V_SEARCH ? "matches" : "orders");
        const cJSON *x = cJSON_GetArrayItem(arr, f->sel);
        if (x)
            push_view(u, V_ORDER, "order", js(x, f->view == V_SEARCH ? "order" : "name"));
    }
}

static void ack_selected(struct ui *u)
{
    if (cur(u)->view != V_MAIN || u->focus != F_ALERTS || !u->have_model)
        return;
    int s = u->sel[F_ALERTS];
    if (s >= u->model->nalerts) {
        say(u, 1, "no alert selected");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "alert", u->model->alerts[s].key);
    cJSON_AddStringToObject(o, "by", u->user);
    char *arg = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (arg && strlen(arg) < 256)
        tote_console_client_request(u->cl, "ack_alert", arg);
    cJSON_free(arg);
    say(u, 0, "acknowledging %s...", u->model->alerts[s].key);
}

static void move_sel(struct ui *u, int delta)
{
    struct frame *f = cur(u);
    if (f->view == V_MAIN) {
        int n = panel_len(u, u->focus);
        int s = u->sel[u->focus] + delta;
        if (u->focus == F_ORDERS && s == TOTE_CS_LATE && u->have_model && !u->model->has_late)
            s += delta > 0 ? 1 : -1;
        if (s >= n)
            s = n - 1;
        if (s < 0)
            s = 0;
        u->sel[u->focus] = s;
    } else if (f->view == V_ORDERS || f->view == V_SEARCH) {
        f->sel += delta;
        if (f->sel < 0)
            f->sel = 0;
    } else {
        f->top += delta;
        if (f->top < 0)
            f->top = 0;
    }
    u->dirty = 1;
}

/* Returns 1 to quit. */
static int on_key(struct ui *u, int ch)
{
    u->dirty = 1;
    if (u->prompting) {
        size_t n = strlen(u->input);
        if (ch == 27) {
            u->prompting = 0;
        } else if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
            u->prompting = 0;
            if (n > 0)
                push_view(u, V_SEARCH, "search", u->input);
        } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
            while (n > 0 && ((unsigned char)u->input[n - 1] & 0xC0) == 0x80)
                n--;
            if (n > 0)
                n--;
            u->input[n] = '\0';
        } else if (ch >= 0x20 && ch < 0x100 && ch != 0x7F && n + 1 < sizeof u->input) {
            u->input[n] = (char)ch;
            u->input[n + 1] = '\0';
        }
        return 0;
    }
    struct frame *f = cur(u);
    int h = u->lines - 3;
    switch (ch) {
    case 'q':
    case 'Q':
        return 1;
    case '?':
        if (f->view != V_HELP)
            push_view(u, V_HELP, "help", "");
        break;
    case '/':
        u->prompting = 1;
        u->input[0] = '\0';
        break;
    case 'r':
    case 'R':
        refresh_all(u);
        say(u, 0, "refreshing");
        break;
    case 27:
    case 'h':
    case KEY_BACKSPACE:
    case 127:
        pop_view(u);
        break;
    case '\t':
        if (f->view == V_MAIN)
            u->focus = (enum focus)((u->focus + 1) % F_COUNT);
        break;
    case KEY_BTAB:
        if (f->view == V_MAIN)
            u->focus = (enum focus)((u->focus + F_COUNT - 1) % F_COUNT);
        break;
    case KEY_UP:
    case 'k':
        move_sel(u, f->view == V_MAIN && u->focus == F_ORDERS ? 0 : -1);
        break;
    case KEY_DOWN:
    case 'j':
        move_sel(u, f->view == V_MAIN && u->focus == F_ORDERS ? 0 : 1);
        break;
    case KEY_LEFT:
        if (f->view == V_MAIN)
            move_sel(u, -1);
        else
            pop_view(u);
        break;
    case KEY_RIGHT:
    case 'l':
        if (f->view == V_MAIN)
            move_sel(u, 1);
        break;
    case KEY_PPAGE:
        move_sel(u, -(h > 2 ? h - 2 : 1));
        break;
    case KEY_NPAGE:
        move_sel(u, h > 2 ? h - 2 : 1);
        break;
    case '\n':
    case '\r':
    case KEY_ENTER:
        open_selected(u);
        break;
    case 'a':
    case 'A':
        ack_selected(u);
        break;
    case KEY_RESIZE:
        clearok(stdscr, TRUE);
        break;
    default:
        break;
    }
    return 0;
}

/* ---------------- the loop ---------------- */

static void default_id(char *buf, size_t cap)
{
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "local");
    host[sizeof host - 1] = '\0';
    char *dot = strchr(host, '.');
    if (dot)
        *dot = '\0';
    snprintf(buf, cap, "console-%.23s", host);
}

int tote_console_run(const tote_console_opts *opts)
{
    struct ui *u = calloc(1, sizeof *u);
    if (!u)
        return -1;
    u->model = calloc(1, sizeof *u->model);
    if (!u->model) {
        free(u);
        return -1;
    }
    u->o = *opts;
    const struct tote_enrolment *en = u->o.curve;
    if (!u->o.station)
        u->o.station = en && en->station[0] ? en->station : "tcp://127.0.0.1:5555";
    char events[300];
    if (!u->o.events) {
        if (en && en->events[0] && !opts->station)
            snprintf(events, sizeof events, "%s", en->events);
        else
            tote_console_events_endpoint(u->o.station, events, sizeof events);
        u->o.events = events;
    }
    if (u->o.refresh_ms <= 0)
        u->o.refresh_ms = 2000;
    char id[40];
    if (en && en->device[0])
        snprintf(id, sizeof id, "%s", en->device); /* the key speaks for this device only */
    else if (u->o.device_id && *u->o.device_id)
        snprintf(id, sizeof id, "%s", u->o.device_id);
    else
        default_id(id, sizeof id);
    const char *user = u->o.user && *u->o.user ? u->o.user : getenv("USER");
    snprintf(u->user, sizeof u->user, "%s", user && *user ? user : "console");
    u->depth = 1;
    u->stack[0].view = V_MAIN;

    tote_console_callbacks cb = {on_reply, on_event, on_state, u};
    tote_console_client_opts co = {u->o.station, u->o.events, id, 3000, 1000, u->o.curve};
    u->cl = tote_console_client_new(&co, &cb);
    if (!u->cl) {
        fprintf(stderr, "tote: cannot connect to %s / %s: check the endpoints (tcp://HOST:PORT)\n",
                u->o.station, u->o.events);
        free(u->model);
        free(u);
        return -1;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "tote: the console needs a terminal\n");
        tote_console_client_destroy(&u->cl);
        free(u->model);
        free(u);
        return -1;
    }

    setlocale(LC_ALL, "");
    /* newterm, not initscr: an unknown $TERM is an error to report, not an exit */
    const char *term = getenv("TERM");
    int term_err = 0;
    SCREEN *scr = NULL;
    /* setupterm first: it says "unknown" without the allocation newterm leaks then */
    if (term && *term && setupterm(term, STDOUT_FILENO, &term_err) == OK) {
        del_curterm(cur_term);
        scr = newterm(NULL, stdout, stdin);
    }
    if (!scr) {
        fprintf(stderr, "tote: cannot drive this terminal (TERM=%s): set TERM to your terminal's type\n",
                term && *term ? term : "(unset)");
        tote_console_client_destroy(&u->cl);
        free(u->model);
        free(u);
        return -1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
        init_pair(C_BAD, COLOR_RED, -1);
        init_pair(C_GOOD, COLOR_GREEN, -1);
        init_pair(C_WARN, COLOR_YELLOW, -1);
        init_pair(C_TITLE, COLOR_CYAN, -1);
        has_colour = 1;
    }
    u->dirty = 1;
    refresh_all(u);
    int quit = 0, idle_reads = 0;
    while (!quit && !quit_signal) {
        long long now = mono_ms();
        if (now >= u->next_refresh && tote_console_client_online(u->cl))
            refresh_all(u);
        if (u->event_due && now >= u->event_due) {
            u->event_due = 0;
            if (tote_console_client_pending(u->cl) < 4)
                refresh_all(u);
        }
        if (u->msg[0] && now >= u->msg_until) {
            u->msg[0] = '\0';
            u->dirty = 1;
        }
        if (u->dirty || (long long)time(NULL) != u->last_draw_s)
            draw(u);
        int ready = tote_console_client_step(u->cl, 200, STDIN_FILENO);
        if (!ready)
            continue;
        int got = 0, ch;
        while ((ch = getch()) != ERR) {
            got = 1;
            if (on_key(u, ch)) {
                quit = 1;
                break;
            }
        }
        /* a terminal that went away keeps stdin readable with nothing to read */
        idle_reads = got ? 0 : idle_reads + 1;
        if (idle_reads > 200 && !isatty(STDIN_FILENO))
            quit = 1;
        if (idle_reads > 2000)
            quit = 1;
    }
    endwin();
    delscreen(scr);
    tote_console_client_destroy(&u->cl);
    cJSON_Delete(u->detail);
    free(u->model);
    free(u);
    return 0;
}
