/*
 * The console screen's drawing (console_ui_internal.h): the main screen's
 * panels, the detail views as lines of text, and the frame around them.
 */
#include "console_ui_internal.h"

/* ---------------- drawing helpers ---------------- */

enum { C_BAD = 1, C_GOOD, C_WARN, C_TITLE };

static int has_colour;

void console_colours_init(void)
{
    if (!has_colors())
        return;
    start_color();
    use_default_colors();
    init_pair(C_BAD, COLOR_RED, -1);
    init_pair(C_GOOD, COLOR_GREEN, -1);
    init_pair(C_WARN, COLOR_YELLOW, -1);
    init_pair(C_TITLE, COLOR_CYAN, -1);
    has_colour = 1;
}

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

int console_panel_len(const struct ui *u, enum focus f)
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

const char *console_js(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (cJSON_IsString(v))
        return v->valuestring;
    return "-";
}

const char *console_jn(const cJSON *o, const char *k, char *buf, size_t cap)
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
    add_line(l, -1, "ORDER %s   status %s%s%s   payment %s   priority %s   tote %s", console_js(o, "name"),
             console_js(o, "status"), cJSON_IsString(cJSON_GetObjectItem(o, "hold_reason")) ? " (" : "",
             cJSON_IsString(cJSON_GetObjectItem(o, "hold_reason")) ? console_js(o, "hold_reason") : "",
             console_js(o, "payment_status"), console_jn(o, "priority", a, sizeof a), console_js(o, "tote"));
    add_line(l, -1, "ship to %s, %s %s   method %s   ordered %s   updated %s", console_js(o, "ship_name"),
             console_js(o, "ship_city"), console_js(o, "ship_country"), console_js(o, "shipping_method"),
             console_js(o, "ordered_at"), console_js(o, "updated_at"));
    add_line(l, -1, "%s", "");
    add_line(l, -1, "LINES   %-3s %-16s %-28s %5s %5s %5s %5s %5s %5s %5s", "#", "SKU", "NAME", "ORD",
             "ALLOC", "PICK", "SHORT", "PACK", "SHIP", "RET");
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(d, "lines"))
    {
        char nm[128], sk[64];
        add_line(l, -1, "        %-3s %s %s %5s %5s %5s %5s %5s %5s %5s",
                 console_jn(x, "line_no", a, sizeof a), fit(sk, sizeof sk, console_js(x, "sku"), 16),
                 fit(nm, sizeof nm, console_js(x, "name"), 28), console_jn(x, "ordered", b, sizeof b),
                 console_jn(x, "allocated", c, sizeof c), console_jn(x, "picked", e, sizeof e),
                 console_jn(x, "short", f, sizeof f), console_jn(x, "packed", g, sizeof g),
                 console_jn(x, "shipped", h, sizeof h), console_jn(x, "returned", i2, sizeof i2));
    }
    add_line(l, -1, "%s", "");
    add_line(l, -1, "PACKAGES  %-3s %-8s %-10s %8s %8s %-16s %s", "NO", "STATUS", "CARTON", "WEIGHT",
             "EXPECTED", "TRACKING", "SHIPPED");
    int np = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(d, "packages"))
    {
        np++;
        add_line(l, -1, "          %-3s %-8s %-10s %8s %8s %-16s %s",
                 console_jn(x, "package_no", a, sizeof a), console_js(x, "status"), console_js(x, "carton"),
                 console_jn(x, "weight_g", b, sizeof b), console_jn(x, "expected_weight_g", c, sizeof c),
                 console_js(x, "tracking"), console_js(x, "shipped_at"));
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
                 short_time(console_js(x, "at"), a, sizeof a), console_js(x, "device"),
                 console_js(x, "operator"), console_js(x, "context"), console_js(x, "kind"),
                 console_jn(x, "qty", b, sizeof b), console_js(x, "result"), console_js(x, "reason"));
    }
    if (!ns)
        add_line(l, -1, "                      none yet");
    add_line(l, -1, "%s", "");
    add_line(l, -1, "EVENTS (newest first)  %-14s %-12s %-12s %-18s %s", "AT", "ACTOR", "DEVICE", "KIND",
             "DETAIL");
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(d, "events"))
    {
        add_line(l, -1, "                       %-14s %-12s %-12s %-18s %s",
                 short_time(console_js(x, "at"), a, sizeof a), console_js(x, "actor"),
                 console_js(x, "device"), console_js(x, "kind"), console_js(x, "detail"));
    }
    (void)j2;
}

static void build_device_lines(const cJSON *d, struct lines *l)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "device");
    char a[64], b[64], c[64], e[64], f[64];
    int online = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "online"));
    add_line(l, -1, "DEVICE %s   role %s   operator %s   %s   last seen %s", console_js(v, "name"),
             console_js(v, "role"), console_js(v, "operator"), online ? "online" : "OFFLINE",
             console_js(v, "last_seen"));
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(v, "pick_list");
    if (cJSON_IsNumber(pl))
        add_line(l, -1, "pick list %s: %s of %s tasks done", console_jn(v, "pick_list", a, sizeof a),
                 console_jn(v, "list_done", b, sizeof b), console_jn(v, "list_tasks", c, sizeof c));
    else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "packing")))
        add_line(l, -1, "packing order %s", console_js(v, "packing"));
    else
        add_line(l, -1, "no pick list or package in hand");
    long long picks = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "picks_15m"));
    long long units = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(v, "units_15m"));
    add_line(l, -1,
             "last 15 minutes: %s scans, %lld picks (%lld/h), %lld units, %s refused; refused today %s",
             console_jn(v, "scans_15m", a, sizeof a), picks, tote_console_per_hour(picks), units,
             console_jn(v, "refused_15m", b, sizeof b), console_jn(v, "refused_today", c, sizeof c));
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
        add_line(l, -1, "%-14s %-8s %-8s %s %4s %-8s %-16s %s", short_time(console_js(x, "at"), a, sizeof a),
                 console_js(x, "context"), console_js(x, "kind"),
                 fit(code, sizeof code, console_js(x, "code"), 28), console_jn(x, "qty", e, sizeof e),
                 console_js(x, "result"), console_js(x, "reason"), console_js(x, "order"));
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
        add_line(l, -1, "SEARCH \"%s\": %d match%s (Enter opens)", console_js(d, "query"),
                 cJSON_GetArraySize(arr), cJSON_GetArraySize(arr) == 1 ? "" : "es");
    else
        add_line(l, -1, "ORDERS %s: %d%s (Enter opens)", console_js(d, "status"), cJSON_GetArraySize(arr),
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
            add_line(l, i, "%-20s %-10s %s", console_js(x, "order"), console_js(x, "status"),
                     console_js(x, "via"));
        else
            add_line(l, i, "%-20s %-10s %-9s %5s %5s %5s %5s %-12s %s", console_js(x, "name"),
                     console_js(x, "status"), console_js(x, "hold_reason"),
                     console_jn(x, "lines", a, sizeof a), console_jn(x, "units", b, sizeof b),
                     console_jn(x, "picked", c, sizeof c), console_jn(x, "short", e, sizeof e),
                     console_js(x, "ship_by"), console_js(x, "ordered_at"));
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
    struct frame *f = console_cur(u);
    if (f->view == V_HELP) {
        build_help_lines(l);
        return;
    }
    if (!u->detail) {
        add_line(l, -1, "loading %s %s ...", f->what, f->arg);
        return;
    }
    const char *kind = console_js(u->detail, "kind");
    if (strcmp(kind, "error") == 0) {
        add_line(l, -1, "the station says: %s", console_js(u->detail, "error"));
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
    struct frame *f = console_cur(u);
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
    long long now = console_mono_ms();
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
        console_cur(u)->view == V_MAIN
            ? " q quit  Tab panel  Up/Down select  Enter open  a ack alert  / search  r refresh  ? help"
            : " q quit  Esc back  Up/Down move  PgUp/PgDn page  Enter open  / search  r refresh  ? help";
    attron(A_REVERSE);
    mvhline(y, 0, ' ', w - 1);
    attroff(A_REVERSE);
    put(y, 0, w, A_REVERSE, keys);
}

void console_draw(struct ui *u)
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
    if (console_cur(u)->view == V_MAIN)
        draw_main(u, 2, h - 3, w);
    else
        draw_detail(u, 2, h - 3, w);
    draw_footer(u, h - 1, w);
    wnoutrefresh(stdscr);
    doupdate();
    u->dirty = 0;
    u->last_draw_s = (long long)time(NULL);
}
