/*
 * The station loop's memory of what a picker's scan reads: the device row
 * (admission) and the device's current pick task. Under load most requests
 * are item scans that leave both as they were or change one count, and
 * reading them costs a sixth of a scan's work.
 *
 * Entries are only ever copies of rows as the loop's connection read them
 * inside its own transaction, kept as those rows change by the plain scans
 * that follow (flows_pick.c says which those are). Everything else empties
 * the cache (tote_flow_hot_clear): the server does that after any request
 * that is not such a scan, on any rollback, around its own timers, and when
 * PRAGMA data_version says another connection committed.
 */
#include <stdlib.h>
#include <string.h>

#include "str_cut.h"
#include "str_hash.h"
#include "tote/flows.h"

#define HOT_SLOTS 4096 /* a power of two; beyond ~3/4 of it nothing more is kept */

struct hot_entry {
    int used;
    int has_task;
    tote_device_info dev;
    tote_pick_task task;
};

struct tote_flow_hot {
    struct hot_entry *slots;
    int *used_at; /* the slots in use, so a clear visits only those */
    int n;
    long long data_version;
    unsigned long long hits, misses, clears;
};

tote_flow_hot *tote_flow_hot_new(void)
{
    tote_flow_hot *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->slots = calloc(HOT_SLOTS, sizeof *h->slots);
    h->used_at = calloc(HOT_SLOTS, sizeof *h->used_at);
    h->data_version = -1;
    if (!h->slots || !h->used_at) {
        tote_flow_hot_destroy(&h);
        return NULL;
    }
    return h;
}

void tote_flow_hot_destroy(tote_flow_hot **ph)
{
    if (!ph || !*ph)
        return;
    free((*ph)->slots);
    free((*ph)->used_at);
    free(*ph);
    *ph = NULL;
}

void tote_flow_hot_clear(tote_flow_hot *h)
{
    if (!h || h->n == 0)
        return;
    for (int k = 0; k < h->n; k++)
        h->slots[h->used_at[k]].used = 0;
    h->n = 0;
    h->clears++;
}

void tote_flow_hot_sync(tote_flow_hot *h, tote_store *s)
{
    if (!h)
        return;
    long long v = tote_store_data_version(s);
    if (v < 0 || v != h->data_version)
        tote_flow_hot_clear(h);
    h->data_version = v;
}

/* The entry of device, or NULL; with add, a new empty one where there is room. */
static struct hot_entry *find(tote_flow_hot *h, const char *device, int add)
{
    unsigned i = tote_str_hash(device) & (HOT_SLOTS - 1);
    for (int probe = 0; probe < HOT_SLOTS; probe++, i = (i + 1) & (HOT_SLOTS - 1)) {
        struct hot_entry *e = &h->slots[i];
        if (!e->used) {
            if (!add || h->n >= HOT_SLOTS * 3 / 4)
                return NULL;
            memset(e, 0, sizeof *e);
            e->used = 1;
            h->used_at[h->n++] = (int)i;
            return e;
        }
        if (strcmp(e->dev.name, device) == 0)
            return e;
    }
    return NULL;
}

int tote_flow_hot_device(tote_flow_hot *h, const char *device, tote_device_info *out)
{
    struct hot_entry *e = h ? find(h, device, 0) : NULL;
    if (!e) {
        if (h)
            h->misses++;
        return 0;
    }
    h->hits++;
    *out = e->dev;
    return 1;
}

void tote_flow_hot_put_device(tote_flow_hot *h, const tote_device_info *dev)
{
    if (!h || !dev->name[0])
        return;
    struct hot_entry *e = find(h, dev->name, 1);
    if (e)
        e->dev = *dev;
}

void tote_flow_hot_seen(tote_flow_hot *h, const char *device, long long seq, const char *now)
{
    struct hot_entry *e = h ? find(h, device, 0) : NULL;
    if (!e)
        return;
    if (seq > e->dev.last_seq)
        e->dev.last_seq = seq;
    if (!now)
        return;
    tote_str_cut(e->dev.last_seen, sizeof e->dev.last_seen, now);
}

int tote_flow_hot_task(tote_flow_hot *h, const char *device, tote_pick_task *out)
{
    struct hot_entry *e = h ? find(h, device, 0) : NULL;
    if (!e || !e->has_task)
        return 0;
    *out = e->task;
    return 1;
}

void tote_flow_hot_put_task(tote_flow_hot *h, const char *device, const tote_pick_task *t)
{
    struct hot_entry *e = h ? find(h, device, 0) : NULL;
    if (!e)
        return; /* kept only beside its device row */
    if (t) {
        e->task = *t;
        e->has_task = 1;
    } else {
        e->has_task = 0;
    }
}

void tote_flow_hot_stats(const tote_flow_hot *h, unsigned long long *hits, unsigned long long *misses,
                         unsigned long long *clears)
{
    *hits = h ? h->hits : 0;
    *misses = h ? h->misses : 0;
    *clears = h ? h->clears : 0;
}
