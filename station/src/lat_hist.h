/*
 * A latency histogram for the station's stop line: 50 us buckets up to
 * 100 ms, then one bucket for everything longer (its maximum is kept).
 * Not thread-safe: each owner guards its own.
 */
#ifndef TOTE_LAT_HIST_H
#define TOTE_LAT_HIST_H

#define LAT_BUCKET_US 50
#define LAT_BUCKETS 2000

typedef struct lat_hist {
    unsigned long long n, max_us;
    unsigned b[LAT_BUCKETS + 1];
} lat_hist;

static inline void lat_add(lat_hist *h, long long us)
{
    if (us < 0)
        us = 0;
    long long i = us / LAT_BUCKET_US;
    h->b[i < LAT_BUCKETS ? i : LAT_BUCKETS]++;
    h->n++;
    if ((unsigned long long)us > h->max_us)
        h->max_us = (unsigned long long)us;
}

/* The q-quantile in ms (the upper edge of its bucket, at most the maximum);
 * 0 with no samples. */
static inline double lat_quantile_ms(const lat_hist *h, double q)
{
    if (!h->n)
        return 0;
    unsigned long long want = (unsigned long long)(q * (double)h->n), seen = 0;
    if (want >= h->n)
        want = h->n - 1;
    for (int i = 0; i <= LAT_BUCKETS; i++) {
        seen += h->b[i];
        if (seen > want) {
            double edge = (double)(i + 1) * LAT_BUCKET_US / 1000.0;
            double max = (double)h->max_us / 1000.0;
            return i == LAT_BUCKETS || edge > max ? max : edge;
        }
    }
    return (double)h->max_us / 1000.0;
}

#endif
