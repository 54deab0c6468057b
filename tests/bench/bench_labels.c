/*
 * Label and printing figures: ZPL labels generated per second, previews per
 * second (PNG, in memory), and submit -> CUPS "completed" latency (p50/p95)
 * through a private cupsd to a printer played on a loopback socket, both
 * straight through libcups and through Tote's spooler (queued row -> the
 * database says completed).
 *
 *   bench_labels [--quick]
 */
#include "../integration/cupsd_fixture.h"
#include "../integration/label_seed.h"
#include "support.h"
#include "tote/cups_printer.h"
#include "tote/preview.h"
#include "tote/printing.h"
#include "tote/zpl.h"

static tote_label sample(void)
{
    tote_label l = {0};
    l.from = (tote_address){.name = "Tote Demo Warehouse",
                            .line1 = "Lagerstraße 5",
                            .city = "Berlin",
                            .postal_code = "10115",
                            .country = "DE"};
    l.to = (tote_address){.name = "Zoë Müller",
                          .company = "ACME GmbH",
                          .line1 = "Hauptstraße 12",
                          .city = "München",
                          .postal_code = "80331",
                          .country = "Germany"};
    l.order = "#1001";
    l.package_no = 1;
    l.package_count = 1;
    l.weight_g = 2350;
    l.service = "Express";
    l.tracking = "LX000000015NL";
    l.sscc = "106141411234567897";
    return l;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void pct(const char *what, long long *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_ll);
    printf("%-44s n=%d p50 %lld ms, p95 %lld ms, max %lld ms\n", what, n, v[n / 2], v[(n * 95) / 100],
           v[n - 1]);
}

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    tote_label l = sample();

    int n = quick ? 500 : 5000;
    long long t0 = now_us();
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        char *z = NULL;
        size_t len = 0;
        if (tote_label_zpl(&l, 203, &z, &len, NULL) != TOTE_LB_E_OK)
            return 1;
        bytes += len;
        free(z);
    }
    double s = (now_us() - t0) / 1e6;
    printf("%-44s %.0f labels/s (%zu bytes each)\n", "ZPL generation (203 dpi, carrier label)", n / s,
           bytes / n);
    double zpl_per_s = n / s;

    n = quick ? 20 : 100;
    t0 = now_us();
    for (int i = 0; i < n; i++) {
        unsigned char *png = NULL;
        size_t len = 0;
        if (tote_label_preview_mem(&l, 203, TOTE_PREVIEW_PNG, &png, &len, NULL) != TOTE_LB_E_OK)
            return 1;
        free(png);
    }
    s = (now_us() - t0) / 1e6;
    printf("%-44s %.1f previews/s\n", "PNG preview (203 dpi, in memory)", n / s);
    t0 = now_us();
    for (int i = 0; i < n; i++) {
        unsigned char *pdf = NULL;
        size_t len = 0;
        if (tote_label_preview_mem(&l, 203, TOTE_PREVIEW_PDF, &pdf, &len, NULL) != TOTE_LB_E_OK)
            return 1;
        free(pdf);
    }
    s = (now_us() - t0) / 1e6;
    printf("%-44s %.1f previews/s\n", "PDF preview (4x6 in, in memory)", n / s);

    /* CUPS */
    tt_cupsd cups = {0};
    tt_zebra zebra = {0};
    if (tt_cupsd_start(&cups) != 0 || tt_zebra_start(&zebra) != 0) {
        fprintf(stderr, "bench_labels: cannot start a private cupsd\n");
        tt_cupsd_destroy(&cups);
        return 1;
    }
    char uri[64];
    snprintf(uri, sizeof uri, "socket://127.0.0.1:%d", zebra.port);
    tote_cups *c = NULL;
    tote_cups_new(NULL, &c);
    if (tote_cups_add_printer(c, "zebra1", uri, TOTE_PRINTER_ZPL, NULL) != TOTE_LB_E_OK) {
        fprintf(stderr, "bench_labels: %s\n", tote_cups_last_error(c));
        return 1;
    }
    char *zpl = NULL;
    size_t zlen = 0;
    tote_label_zpl(&l, 203, &zpl, &zlen, NULL);
    n = quick ? 20 : 100;
    long long *lat = calloc((size_t)n, sizeof *lat), submit_us = 0;
    for (int i = 0; i < n; i++) {
        long long a = now_us();
        int id = 0;
        if (tote_cups_submit(c, "zebra1", "bench", zpl, zlen, &id) != TOTE_LB_E_OK)
            return 1;
        submit_us += now_us() - a;
        tote_cups_job j = {0};
        do {
            tt_sleep_ms(2);
            tote_cups_job_status(c, id, &j);
        } while (j.state != TOTE_JOB_COMPLETED && now_us() - a < 10000000);
        lat[i] = (now_us() - a) / 1000;
    }
    printf("%-44s %.1f ms\n", "libcups Print-Job (submit call)", submit_us / 1000.0 / n);
    /* machine-readable figures for ./dev bench (BENCH.md): ZPL beside what CUPS takes, one job after another
     */
    long long lat_sum = 0;
    for (int i = 0; i < n; i++)
        lat_sum += lat[i];
    printf("RESULT {\"id\":\"labels.cups\",\"name\":\"labels/s through CUPS to a socket printer, one at a "
           "time\",\"value\":%.2f,\"unit\":\"labels/s\"}\n",
           lat_sum > 0 ? n * 1000.0 / (double)lat_sum : 0);
    printf("RESULT {\"id\":\"labels.zpl\",\"name\":\"ZPL labels/s (203 dpi carrier label)\",\"value\":%.1f,"
           "\"unit\":\"labels/s\",\"better\":\"higher\",\"vs\":[\"labels.cups\"]}\n",
           zpl_per_s);
    pct("submit -> CUPS completed (libcups)", lat, n);

    /* through the spooler: row queued -> database says completed */
    char *dir = tt_tmpdir("bench");
    char db[512];
    snprintf(db, sizeof db, "%s/tote.db", dir);
    tote_store *st = NULL;
    if (tote_store_open(db, TOTE_STORE_CREATE, &st, NULL) != TOTE_ST_E_OK || tt_label_seed(db) != 0)
        return 1;
    tote_store_setting_set(st, "print_poll_ms", "5");
    tote_spooler *sp = NULL;
    if (tote_spooler_new(db, &sp) != TOTE_ST_E_OK)
        return 1;
    for (int i = 0; i < n; i++) {
        long long a = now_us(), id = 0;
        tote_store_print_job_add(st, "zebra1", 1, "label", "zpl", zpl, zlen, "bench", &id);
        tote_spooler_kick(sp);
        tote_print_job_rec r = {0};
        do {
            tt_sleep_ms(2);
            tote_spooler_drain(sp, NULL, NULL);
            tote_store_print_job_get(st, id, &r);
        } while (strcmp(r.state, "completed") != 0 && now_us() - a < 10000000);
        lat[i] = (now_us() - a) / 1000;
    }
    pct("queued -> completed in Tote (spooler)", lat, n);
    printf("%-44s %d (expected %d)\n", "labels received by the printer", tt_zebra_jobs(&zebra), 2 * n);
    tote_spooler_destroy(&sp);
    tote_store_destroy(&st);
    tt_rmrf(dir);
    free(dir);
    free(lat);
    free(zpl);
    tote_cups_destroy(&c);
    tt_zebra_stop(&zebra);
    tt_cupsd_destroy(&cups);
    return 0;
}
