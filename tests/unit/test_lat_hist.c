/* The latency histogram of tote serve's stop line (station/src/lat_hist.h). */
#include "../../station/src/lat_hist.h"
#include "test.h"

static void test_quantiles_vectors(void)
{
    /* samples (us) -> p50, p99 (ms): the upper edge of the 50 us bucket, never above the maximum */
    static const struct {
        long long us[8];
        int n;
        double p50, p99, max;
    } v[] = {
        {{0}, 0, 0, 0, 0},
        {{10}, 1, 0.01, 0.01, 0.01},
        {{10, 20, 30, 40, 60, 70, 80, 90}, 8, 0.09, 0.09, 0.09},
        {{10, 20, 30, 40, 60, 70, 80, 1000}, 8, 0.1, 1.0, 1.0},
        {{100, 100, 100, 100, 100, 100, 100, 250000}, 8, 0.15, 250.0, 250.0}, /* beyond 100 ms: the maximum */
        {{-5, 0, 0, 0, 0, 0, 0, 0}, 8, 0.0, 0.0, 0.0}, /* a clock step back counts as 0 */
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        static lat_hist h;
        memset(&h, 0, sizeof h);
        for (int k = 0; k < v[i].n; k++)
            lat_add(&h, v[i].us[k]);
        double p50 = lat_quantile_ms(&h, 0.5), p99 = lat_quantile_ms(&h, 0.99);
        double max = (double)h.max_us / 1000.0;
        TT_CHECK_(p50 > v[i].p50 - 1e-9 && p50 < v[i].p50 + 1e-9, TT_NOTHING, "row %zu: p50 %.3f, want %.3f",
                  i, p50, v[i].p50);
        TT_CHECK_(p99 > v[i].p99 - 1e-9 && p99 < v[i].p99 + 1e-9, TT_NOTHING, "row %zu: p99 %.3f, want %.3f",
                  i, p99, v[i].p99);
        TT_CHECK_(max > v[i].max - 1e-9 && max < v[i].max + 1e-9, TT_NOTHING, "row %zu: max %.3f, want %.3f",
                  i, max, v[i].max);
        CHECK_EQ(h.n, (unsigned long long)v[i].n);
    }
}

static void test_many_samples(void)
{
    static lat_hist h;
    memset(&h, 0, sizeof h);
    for (int k = 1; k <= 1000; k++)
        lat_add(&h, k * 10); /* 10 us .. 10 ms */
    double p50 = lat_quantile_ms(&h, 0.5), p99 = lat_quantile_ms(&h, 0.99);
    CHECK(p50 >= 5.0 && p50 <= 5.05);
    CHECK(p99 >= 9.9 && p99 <= 9.95);
}

TT_MAIN(TT_TEST(test_quantiles_vectors), TT_TEST(test_many_samples))
