/*
 * Waves: allocated orders grouped into pick lists for cluster picking.
 *
 * `tote wave create` first allocates released orders (as
 * tote_alloc_released does: the same rule, events and backorders; the
 * orders it allocates get their 'allocated' status in the same update as
 * their tote, or at the end if the limits leave them out), then takes the
 * 'allocated' orders that are not yet in a wave (orders.tote
 * IS NULL) and have something left to pick, in priority order - rush or
 * in-store pickup first, then higher orders.priority, then earliest ship_by
 * (none last), then earliest ordered_at, then id - while both limits hold:
 *   max_orders  orders in the wave;
 *   max_lines   order lines with something to pick, summed over the wave.
 * Orders are never split, and a later order never jumps an earlier one: the
 * first order that would break a limit ends the wave.
 *
 * The k-th order taken (k = 0, 1, ...) goes to pick list k / totes_per_list
 * in one tote (cluster picking, one tote per order): orders.tote is set to
 * "T<pick_list id>-<n>", n = 1..totes_per_list, the code printed as
 * TOTE-T<list>-<n>. One pick_task per open allocation (qty = qty - picked,
 * tote = the order's tote), numbered seq = 1, 2, ... in walking order:
 * location.walk_seq, then location code, then sku, then tote.
 *
 * Orders stay 'allocated': the pick flow moves them to 'picking' when a
 * picker starts the list. Wave and lists are created 'open'.
 * Events: 'wave.created' (subject wave id) and 'order.waved' per order
 * (detail: wave, pick_list, tote).
 *
 * All of it, allocation included, is one transaction (its own, or the
 * caller's: same rules as alloc.h), with set-based SQL for the wave; figures
 * for 10,000 and 100,000 lines come from tests/bench/bench_wave.c. When
 * every order the allocation step took was 'released' with nothing
 * allocated or picked yet (the usual morning), the wave is made from the
 * step's own choices in memory instead of reading them back (the same
 * wave: tests/unit/test_wave.c compares the two); result.planned says so.
 */
#ifndef TOTE_WAVE_H
#define TOTE_WAVE_H

#include <cjson/cJSON.h>

#include "tote/store.h"

typedef struct tote_wave_opts {
    long long max_orders;     /* <= 0: no limit */
    long long max_lines;      /* <= 0: no limit */
    long long totes_per_list; /* <= 0: default 8 */
    int no_allocate;          /* 1: skip the allocation step */
} tote_wave_opts;

#define TOTE_WAVE_DEFAULT_TOTES 8

typedef struct tote_wave_result {
    long long wave_id;          /* 0 when nothing was waiting (no wave made) */
    long long pick_lists;       /* lists made */
    long long orders;           /* orders waved */
    long long lines;            /* order lines waved */
    long long tasks;            /* pick tasks made */
    long long units;            /* units to pick */
    long long orders_allocated; /* orders that got stock in the allocation step */
    long long waiting;          /* allocated orders left out by the limits */
    int planned;                /* 1: the wave took the allocation step's own choices, without
                                   reading them back (every order was released and untouched) */
} tote_wave_result;

/*
 * Creates a wave as described above. opts may be NULL (defaults). actor may
 * be NULL. *out is filled on success (wave_id 0 if there was nothing to
 * wave, which is not an error).
 */
tote_st_err tote_wave_create(tote_store *s, const tote_wave_opts *opts, const char *actor,
                             tote_wave_result *out);

/*
 * Waves, newest first, as a new cJSON array of {"id","status","created_at",
 * "created_by","pick_lists","orders","tasks","units","done","short",
 * "progress"} (progress: percent of units done or short). Caller owns *out.
 */
tote_st_err tote_wave_list_json(tote_store *s, cJSON **out);

/*
 * One wave as a new cJSON object: the list fields above plus "lists": [{"id",
 * "status","device","operator","orders","tasks","units","done","short",
 * "progress","totes":[{"tote","order","order_id","status"}],
 * "tasks_detail":[{"id","seq","bin","walk_seq","sku","name","lot","expiry",
 * "qty","done","short","status","tote","order","order_line_id"}]}].
 * Unknown id: TOTE_ST_E_NOT_FOUND. Caller owns *out.
 */
tote_st_err tote_wave_show_json(tote_store *s, long long wave_id, cJSON **out);

#endif
