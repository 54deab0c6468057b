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
#include "console_ui_internal.h"
#include "mono_clock.h"

/* ---------------- state ---------------- */

static volatile sig_atomic_t quit_signal;

static void on_signal(int sig)
{
    (void)sig;
    quit_signal = 1;
}

long long console_mono_ms(void)
{
    return mono_ms();
}

struct frame *console_cur(struct ui *u)
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
    u->msg_until = console_mono_ms() + 6000;
    u->dirty = 1;
}

/* ---------------- talking to the station ---------------- */

static void request_main(struct ui *u)
{
    if (u->overview_only && console_mono_ms() >= u->console_retry)
        u->overview_only = 0; /* the station may have been upgraded meanwhile */
    tote_console_client_request(u->cl, u->overview_only ? "overview" : "console", "");
}

static void request_view(struct ui *u)
{
    struct frame *f = console_cur(u);
    if (f->view == V_ORDER || f->view == V_DEVICE || f->view == V_ORDERS)
        tote_console_client_request(u->cl, f->what, f->arg);
}

static void refresh_all(struct ui *u)
{
    request_main(u);
    request_view(u);
    u->next_refresh = console_mono_ms() + u->o.refresh_ms;
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
                u->console_retry = console_mono_ms() + 30000;
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
                int n = console_panel_len(u, (enum focus)f);
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
            say(u, 0, "alert %s acknowledged%s", arg[0] == '{' ? console_js(j, "alert") : arg,
                cJSON_IsTrue(cJSON_GetObjectItem(j, "already")) ? " (it already was)" : "");
        else
            say(u, 1, "could not acknowledge: %s", j ? console_js(j, "error") : text);
        cJSON_Delete(j);
        request_main(u);
        return;
    }
    struct frame *f = console_cur(u);
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
            snprintf(name, sizeof name, "%s", console_js(cJSON_GetArrayItem(m, 0), "order"));
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
    const char *who = console_js(j, "operator");
    if (!strcmp(who, "-"))
        who = console_js(j, "device");
    char num[32];
    if (!strcmp(topic, "scan") && !strcmp(console_js(j, "event"), "short_pick"))
        snprintf(line, sizeof line, "%s short pick: %s %s x %s in %s", who, console_js(j, "order"),
                 console_jn(j, "missing", num, sizeof num), console_js(j, "sku"), console_js(j, "bin"));
    else if (!strcmp(topic, "scan"))
        snprintf(line, sizeof line, "%s %s: %s", who,
                 cJSON_IsTrue(cJSON_GetObjectItem(j, "accepted")) ? "ok" : "REFUSED",
                 console_js(j, "message"));
    else if (!strcmp(topic, "order"))
        snprintf(line, sizeof line, "order %s %s -> %s (%s)", console_js(j, "order"), console_js(j, "from"),
                 console_js(j, "status"), who);
    else if (!strcmp(topic, "alert"))
        snprintf(line, sizeof line, "ALERT %s", console_js(j, "message"));
    else
        snprintf(line, sizeof line, "%s %s %s", topic, console_js(j, "event"), console_js(j, "device"));
    cJSON_Delete(j);
    ticker_add(u, line);
    /* refresh soon, once for a burst */
    if (!u->event_due)
        u->event_due = console_mono_ms() + 250;
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
    struct frame *f = console_cur(u);
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
            push_view(u, V_ORDER, "order", console_js(x, f->view == V_SEARCH ? "order" : "name"));
    }
}

static void ack_selected(struct ui *u)
{
    if (console_cur(u)->view != V_MAIN || u->focus != F_ALERTS || !u->have_model)
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
    struct frame *f = console_cur(u);
    if (f->view == V_MAIN) {
        int n = console_panel_len(u, u->focus);
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
    struct frame *f = console_cur(u);
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
    console_colours_init();
    u->dirty = 1;
    refresh_all(u);
    int quit = 0, idle_reads = 0;
    while (!quit && !quit_signal) {
        long long now = console_mono_ms();
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
            console_draw(u);
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
