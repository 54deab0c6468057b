/* The simulated picker/packer (tote/sim.h). */
#include "tote/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_KNOWN_GTINS 16
#define SIM_GIVE_UP 3
#define SIM_BACKOFF_MS 5000 /* after giving up, before asking for work again */

typedef enum sim_phase {
    PH_IDLE = 0, /* no task */
    PH_PICK,     /* picking a PICK task */
    PH_PICK_DONE,
    PH_PACK, /* packing a PACK task */
    PH_PACK_DONE
} sim_phase;

struct tote_sim {
    uint8_t role;
    double error_rate;
    uint64_t rng;
    int delay_ms;
    int require_bin_scan;

    sim_phase phase;
    tote_wire_msg task; /* the current TASK */
    int bin_confirmed;
    uint32_t qty_left;
    int refusals; /* in a row, on this task */
    int over_pick_planned;
    int injected; /* the last action was a deliberate mistake */

    /* packer view of the open package (from PACK_STATE) */
    int pack_opened;
    tote_wire_msg pack; /* the last PACK_STATE */

    int have_action;
    int awaiting;         /* an action was taken; its reply has not come yet */
    long long wait_until; /* after giving up: no NEXT_TASK before this */
    long long due;
    tote_sim_action action;

    char known[SIM_KNOWN_GTINS][TOTE_WIRE_SHORT_MAX + 1];
    int nknown;
};

/* xorshift64*: small, repeatable across platforms. */
static uint64_t rnd(tote_sim *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * 0x2545F4914F6CDD1DULL;
}

static double rnd01(tote_sim *s)
{
    return (double)(rnd(s) >> 11) / (double)(1ULL << 53);
}

tote_sim *tote_sim_new(uint8_t role, double error_rate, uint64_t seed, int delay_ms)
{
    tote_sim *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->role = role;
    s->error_rate = error_rate < 0 ? 0 : error_rate > 1 ? 1 : error_rate;
    s->rng = seed ^ 0x9E3779B97F4A7C15ULL;
    if (!s->rng)
        s->rng = 1;
    s->delay_ms = delay_ms < 0 ? 0 : delay_ms;
    return s;
}

void tote_sim_destroy(tote_sim **sim)
{
    if (!sim || !*sim)
        return;
    free(*sim);
    *sim = NULL;
}

void tote_sim_gtin_barcode(const char *gtin, char symbology[8], char *data, size_t cap)
{
    if (strlen(gtin) == 14 && gtin[0] == '0') {
        snprintf(symbology, 8, "]E0");
        snprintf(data, cap, "%s", gtin + 1);
    } else if (strlen(gtin) == 14) {
        snprintf(symbology, 8, "]C1");
        snprintf(data, cap, "01%s", gtin);
    } else {
        snprintf(symbology, 8, "]C0");
        snprintf(data, cap, "%s", gtin);
    }
}

/* GS1 mod-10 check digit over the first 13 digits of a GTIN-14. */
static char check_digit(const char *d13)
{
    int sum = 0;
    for (int i = 0; i < 13; i++) {
        int v = d13[i] - '0';
        sum += (i % 2 == 0) ? 3 * v : v;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

static void remember(tote_sim *s, const char *gtin)
{
    if (strlen(gtin) != 14)
        return;
    for (int i = 0; i < s->nknown; i++)
        if (strcmp(s->known[i], gtin) == 0)
            return;
    int slot = s->nknown < SIM_KNOWN_GTINS ? s->nknown++ : (int)(rnd(s) % SIM_KNOWN_GTINS);
    snprintf(s->known[slot], sizeof s->known[slot], "%s", gtin);
}

/* Another valid GTIN-14: one seen on an earlier task if there is one, else
 * this one with a digit changed and the check digit recomputed. */
static void other_gtin(tote_sim *s, const char *gtin, char *out, size_t cap)
{
    for (int tries = 0; tries < s->nknown * 2; tries++) {
        const char *g = s->known[rnd(s) % (uint64_t)s->nknown];
        if (strcmp(g, gtin) != 0) {
            snprintf(out, cap, "%s", g);
            return;
        }
    }
    char d[15];
    snprintf(d, sizeof d, "%s", strlen(gtin) == 14 ? gtin : "00000000000000");
    d[11] = (char)('0' + (d[11] - '0' + 1) % 10);
    d[13] = check_digit(d);
    snprintf(out, cap, "%s", d);
}

static void plan(tote_sim *s, long long now_ms, tote_sim_action *a)
{
    s->action = *a;
    s->have_action = 1;
    s->due = now_ms + s->delay_ms;
}

static void plan_scan(tote_sim *s, long long now_ms, const char *sym, const char *data, const char *what)
{
    tote_sim_action a = {.kind = TOTE_SIM_SCAN, .what = what};
    snprintf(a.symbology, sizeof a.symbology, "%s", sym);
    snprintf(a.data, sizeof a.data, "%s", data);
    plan(s, now_ms, &a);
}

static void plan_item_scan(tote_sim *s, long long now_ms, const char *gtin, const char *what)
{
    char sym[8], data[TOTE_WIRE_SHORT_MAX + 8];
    if (*gtin)
        tote_sim_gtin_barcode(gtin, sym, data, sizeof data);
    else /* no GTIN known: the SKU as Code 128 */
        tote_sim_gtin_barcode(s->task.u.task.sku, sym, data, sizeof data);
    plan_scan(s, now_ms, sym, data, what);
}

static void plan_short(tote_sim *s, long long now_ms, uint32_t found, const char *reason)
{
    tote_sim_action a = {
        .kind = TOTE_SIM_SHORT, .task_id = s->task.u.task.task_id, .qty = found, .what = "short"};
    snprintf(a.reason, sizeof a.reason, "%s", reason);
    plan(s, now_ms, &a);
}

/* ---------------- picker ---------------- */

static void pick_next(tote_sim *s, long long now_ms)
{
    const char *gtin = s->task.u.task.gtin;
    if (s->refusals >= SIM_GIVE_UP) { /* out of step with the station: ask it again, later */
        s->phase = PH_PICK_DONE;
        s->wait_until = now_ms + SIM_BACKOFF_MS;
        return;
    }
    if (s->require_bin_scan && !s->bin_confirmed) {
        char data[TOTE_WIRE_SHORT_MAX + 8];
        snprintf(data, sizeof data, "BIN-%s", s->task.u.task.bin);
        plan_scan(s, now_ms, "]C0", data, "bin");
        return;
    }
    if (s->qty_left == 0) {
        s->phase = PH_PICK_DONE;
        return;
    }
    if (s->error_rate > 0 && rnd01(s) < s->error_rate) {
        switch (rnd(s) % 3) {
        case 0: {
            char wrong[TOTE_WIRE_SHORT_MAX + 1];
            other_gtin(s, *gtin ? gtin : "00000000000000", wrong, sizeof wrong);
            plan_item_scan(s, now_ms, wrong, "wrong item");
            return;
        }
        case 1:
            s->over_pick_planned = 1; /* after the last unit */
            break;
        default:
            plan_short(s, now_ms, s->qty_left - 1, "sim short");
            return;
        }
    }
    plan_item_scan(s, now_ms, gtin, "item");
}

static void pick_reply(tote_sim *s, const tote_wire_msg *r, long long now_ms, int was_bin, int was_over)
{
    if (r->type == TOTE_WIRE_RESULT) {
        if (r->u.result.accepted) {
            s->refusals = 0;
            if (was_bin)
                s->bin_confirmed = 1;
            else
                s->qty_left = r->u.result.qty_left;
        } else {
            if (!s->injected)
                s->refusals++;
            /* the station has no task for us, or another bin than ours: the
             * task moved on without us; NEXT_TASK brings us back in step */
            if (r->u.result.reason == TOTE_REASON_NO_TASK ||
                (was_bin && r->u.result.reason == TOTE_REASON_WRONG_BIN)) {
                s->phase = PH_PICK_DONE;
                return;
            }
            if (r->u.result.reason == TOTE_REASON_SCAN_BIN_FIRST) {
                s->bin_confirmed = 0;
                s->require_bin_scan = 1;
            }
            /* a refusal changed nothing: keep our own count (stations need
             * not fill the quantities of a refused scan) */
        }
        if (r->u.result.task_done || was_over) {
            s->phase = PH_PICK_DONE;
            if (s->over_pick_planned && !was_over) {
                s->over_pick_planned = 0;
                plan_item_scan(s, now_ms, s->task.u.task.gtin, "over-pick");
            }
            return;
        }
    } else {
        s->refusals++;
    }
    pick_next(s, now_ms);
}

/* ---------------- packer ---------------- */

static void pack_next(tote_sim *s, long long now_ms)
{
    if (s->refusals >= SIM_GIVE_UP) {
        s->phase = PH_PACK_DONE; /* give up (a supervisor's job): ask for work again, later */
        s->wait_until = now_ms + SIM_BACKOFF_MS;
        return;
    }
    char data[TOTE_WIRE_SHORT_MAX + 8];
    if (!s->pack_opened) {
        snprintf(data, sizeof data, "ORD-%s", s->task.u.task.order);
        plan_scan(s, now_ms, "]C0", data, "order");
        return;
    }
#define ps (&s->pack.u.pack_state)
    if (ps->status == 3) {
        s->phase = PH_PACK_DONE;
        return;
    }
    if (ps->status == 2) {
        if (ps->tracking[0])
            plan_scan(s, now_ms, "]C0", ps->tracking, "tracking");
        else /* no label to confirm: nothing more to do here */
            s->phase = PH_PACK_DONE;
        return;
    }
    for (uint16_t i = 0; i < ps->line_count && i < TOTE_WIRE_PACK_LINES_MAX; i++) {
        const tote_wire_pack_line *l = &ps->lines[i];
        if (l->packed < l->expected) {
            char sym[8];
            tote_sim_gtin_barcode(l->gtin[0] ? l->gtin : l->sku, sym, data, sizeof data);
            plan_scan(s, now_ms, sym, data, "item");
            return;
        }
    }
    if (ps->weight_g == 0) {
        tote_sim_action a = {.kind = TOTE_SIM_WEIGHT, .grams = ps->expected_weight_g, .what = "weight"};
        plan(s, now_ms, &a);
        return;
    }
    tote_sim_action a = {.kind = TOTE_SIM_CLOSE, .what = "close"};
    plan(s, now_ms, &a);
#undef ps
}

static void pack_reply(tote_sim *s, const tote_wire_msg *r, long long now_ms)
{
    if (r->type == TOTE_WIRE_PACK_STATE) {
        if (r->u.pack_state.accepted) {
            s->refusals = 0;
            s->pack_opened = 1;
        } else {
            s->refusals++;
        }
        /* The station's view wins; keep it whenever it names an order. */
        if (r->u.pack_state.order[0] || r->u.pack_state.line_count)
            s->pack = *r;
    } else {
        s->refusals++;
    }
    pack_next(s, now_ms);
}

/* ---------------- feed ---------------- */

void tote_sim_on_hello(tote_sim *sim, const tote_wire_msg *hello_ok)
{
    if (hello_ok->type == TOTE_WIRE_HELLO_OK)
        sim->require_bin_scan = hello_ok->u.hello_ok.require_bin_scan;
}

void tote_sim_on_reply(tote_sim *s, const tote_wire_msg *r, long long now_ms)
{
    if (r->type == TOTE_WIRE_TASK) {
        s->awaiting = 0;
        s->task = *r;
        s->have_action = 0;
        s->refusals = 0;
        s->over_pick_planned = 0;
        if (r->u.task.gtin[0])
            remember(s, r->u.task.gtin);
        if (r->u.task.kind == TOTE_TASK_PACK) {
            s->phase = PH_PACK;
            s->pack_opened = 0;
            memset(&s->pack, 0, sizeof s->pack);
            pack_next(s, now_ms);
        } else {
            s->phase = PH_PICK;
            s->bin_confirmed = r->u.task.bin_confirmed;
            s->qty_left =
                r->u.task.qty_total > r->u.task.qty_done ? r->u.task.qty_total - r->u.task.qty_done : 0;
            pick_next(s, now_ms);
        }
        return;
    }
    if (r->type == TOTE_WIRE_NO_TASK) {
        s->awaiting = 0;
        s->phase = PH_IDLE;
        s->have_action = 0;
        return;
    }
    if (r->type != TOTE_WIRE_RESULT && r->type != TOTE_WIRE_PACK_STATE && r->type != TOTE_WIRE_ERROR)
        return;
    s->awaiting = 0;
    const char *last = s->action.what ? s->action.what : "";
    s->injected =
        strcmp(last, "wrong item") == 0 || strcmp(last, "over-pick") == 0 || strcmp(last, "short") == 0;
    if (s->phase == PH_PICK)
        pick_reply(s, r, now_ms, strcmp(last, "bin") == 0, 0);
    else if (s->phase == PH_PICK_DONE && strcmp(last, "over-pick") == 0)
        s->action.what = "";
    else if (s->phase == PH_PACK)
        pack_reply(s, r, now_ms);
}

int tote_sim_pending(const tote_sim *sim)
{
    return sim->have_action;
}

int tote_sim_wants_task(const tote_sim *sim, long long now_ms)
{
    return !sim->have_action && !sim->awaiting && sim->phase != PH_PICK && sim->phase != PH_PACK &&
           now_ms >= sim->wait_until;
}

long long tote_sim_due(const tote_sim *sim)
{
    return sim->have_action ? sim->due : -1;
}

int tote_sim_take(tote_sim *sim, long long now_ms, tote_sim_action *act)
{
    if (!sim->have_action || now_ms < sim->due)
        return 0;
    *act = sim->action;
    sim->have_action = 0;
    sim->awaiting = 1;
    return 1;
}
