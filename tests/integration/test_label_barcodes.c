/*
 * Barcodes back from labels: previews (PNG, 203 and 300 dpi, carrier and GS1
 * logistic layouts) are decoded with zbarimg (Code 128, GS1-128) and dmtxread
 * (Data Matrix) and must give back exactly the values Tote meant. Optionally,
 * the ZPL itself is rendered by an independent renderer (npm zpl-renderer-js)
 * and decoded too; that part is SKIPPED when node/npm or the package cannot
 * be had (no network).
 */
#define _GNU_SOURCE
#include <cairo.h>
#include <sys/stat.h>
#include <unistd.h>

#include "label_seed.h"
#include "support.h"
#include "test.h"
#include "tote/label.h"
#include "tote/preview.h"
#include "tote/slip.h"
#include "tote/zpl.h"

static char *dir;

static tote_label sample(void)
{
    tote_label l = {0};
    l.from = (tote_address){.name = "Tote Demo Warehouse",
                            .line1 = "Lagerstraße 5",
                            .city = "Berlin",
                            .postal_code = "10115",
                            .country = "DE"};
    l.to = (tote_address){.name = "Zoë Müller_^XZ~JR",
                          .company = "ACME GmbH",
                          .line1 = "Hauptstraße 12",
                          .city = "München",
                          .postal_code = "80331",
                          .country = "Germany"};
    l.order = "#1001";
    l.package_no = 2;
    l.package_count = 3;
    l.weight_g = 2350;
    l.service = "Express";
    l.tracking = "LX000000015NL";
    l.sscc = "106141411234567897";
    return l;
}

/* Runs zbarimg --raw on path: the decoded values, one per line, sorted. */
static char *zbar(const char *path)
{
    const char *argv[] = {"/usr/bin/zbarimg", "--raw", "-q", path, NULL};
    char *out = NULL;
    int rc = tt_run(argv, NULL, NULL, 30000, &out, NULL);
    if (rc != 0) {
        fprintf(stderr, "zbarimg %s: exit %d\n", path, rc);
        free(out);
        return NULL;
    }
    /* sort lines for a stable comparison */
    char *lines[16];
    int n = 0;
    for (char *s = strtok(out, "\n"); s && n < 16; s = strtok(NULL, "\n"))
        lines[n++] = s;
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++)
            if (strcmp(lines[k], lines[i]) < 0) {
                char *t = lines[i];
                lines[i] = lines[k];
                lines[k] = t;
            }
    char *res = calloc(1, 4096);
    for (int i = 0; i < n; i++)
        snprintf(res + strlen(res), 4096 - strlen(res), "%s\n", lines[i]);
    free(out);
    return res;
}

static char *dmtx(const char *path)
{
    const char *argv[] = {"/usr/bin/dmtxread", "-N1", "-m", "8000", path, NULL};
    char *out = NULL;
    int rc = tt_run(argv, NULL, NULL, 30000, &out, NULL);
    if (rc != 0) {
        fprintf(stderr, "dmtxread %s: exit %d\n", path, rc);
        free(out);
        return NULL;
    }
    return out;
}

/* x extent of dark pixels on row y of a PNG: *x0, *x1 (inclusive), -1 if none. */
static int dark_extent(const char *png, int y, int *x0, int *x1)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(png);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return -1;
    }
    cairo_surface_flush(s);
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    cairo_format_t f = cairo_image_surface_get_format(s);
    unsigned char *d = cairo_image_surface_get_data(s);
    *x0 = *x1 = -1;
    if (y >= 0 && y < h)
        for (int x = 0; x < w; x++) {
            int v;
            if (f == CAIRO_FORMAT_A8)
                v = 255 - d[y * stride + x];
            else if (f == CAIRO_FORMAT_A1)
                v = (d[y * stride + x / 8] >> (x % 8)) & 1 ? 0 : 255;
            else
                v = (((uint32_t *)(void *)(d + y * stride))[x] >> 8) & 0xFF;
            if (v < 128) {
                if (*x0 < 0)
                    *x0 = x;
                *x1 = x;
            }
        }
    cairo_surface_destroy(s);
    return 0;
}

static void check_preview(tote_label *l, int dpi, const char *tag)
{
    char png[512];
    snprintf(png, sizeof png, "%s/%s-%d.png", dir, tag, dpi);
    REQUIRE_EQ(tote_label_preview_file(l, dpi, png, NULL), TOTE_LB_E_OK);
    char *codes = zbar(png);
    REQUIRE(codes != NULL);
    char want[256];
    if (l->style == TOTE_LABEL_GS1_LOGISTIC)
        snprintf(want, sizeof want, "00%s\n3303%06ld420%s\n", l->sscc, l->weight_g, l->to.postal_code);
    else
        snprintf(want, sizeof want, "00%s\n%s\n", l->sscc, l->tracking);
    CHECK_STR(codes, want);
    /* the SSCC read back has a right check digit */
    const char *ss = strstr(codes, "00");
    REQUIRE(ss != NULL);
    CHECK_EQ(tote_gs1_check_digit(ss + 2, 17), ss[19] - '0');
    free(codes);
    if (l->style == TOTE_LABEL_CARRIER) {
        char *dm = dmtx(png);
        CHECK_STR(dm, "ORD-#1001/2");
        free(dm);
    }
    /* the preview draws the SSCC exactly where the layout (and so the ZPL) put it */
    tote_lb_layout *L = NULL;
    REQUIRE_EQ(tote_label_layout(l, dpi, &L, NULL), TOTE_LB_E_OK);
    const tote_lb_item *it = tote_lb_layout_find(L, "sscc");
    int x0, x1;
    REQUIRE_EQ(dark_extent(png, it->y + it->h / 2, &x0, &x1), 0);
    CHECK_EQ(x0, it->x);
    CHECK_EQ(x1 - x0 + 1, it->modules * it->module);
    tote_label_layout_destroy(&L);
}

static void test_setup(void)
{
    dir = tt_tmpdir("barcodes");
    REQUIRE(dir != NULL);
}

static void test_carrier_previews_decode(void)
{
    tote_label l = sample();
    check_preview(&l, 203, "carrier");
    check_preview(&l, 300, "carrier");
    /* other tracking numbers and SSCCs */
    l.tracking = "1Z999AA10123456784";
    l.sscc = "340123450000000017";
    check_preview(&l, 203, "carrier2");
}

static void test_gs1_logistic_previews_decode(void)
{
    tote_label l = sample();
    l.style = TOTE_LABEL_GS1_LOGISTIC;
    check_preview(&l, 203, "gs1");
    check_preview(&l, 300, "gs1");
}

static void test_pdf_preview(void)
{
    tote_label l = sample();
    unsigned char *pdf = NULL;
    size_t len = 0;
    REQUIRE_EQ(tote_label_preview_mem(&l, 203, TOTE_PREVIEW_PDF, &pdf, &len, NULL), TOTE_LB_E_OK);
    CHECK(len > 1000 && memcmp(pdf, "%PDF", 4) == 0);
    /* 4x6 in = 288 x 432 pt */
    CHECK(memmem(pdf, len, "/MediaBox [ 0 0 288 432 ]", 25) != NULL);
    free(pdf);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/x.gif", dir);
    const char *field = NULL;
    CHECK_EQ(tote_label_preview_file(&l, 203, bad, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "path");
    CHECK_EQ(tote_label_preview_file(&l, 203, "/nonexistent-dir/x.png", NULL), TOTE_LB_E_IO);
}

static char db[512];

static int tote(const char *const args[], char **out, char **err)
{
    const char *argv[16];
    int n = 0;
    argv[n++] = tt_bin("tote");
    argv[n++] = "--db";
    argv[n++] = db;
    for (int i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return tt_run(argv, NULL, NULL, 20000, out, err);
}

/* The command line, on a database: a packed order and one not packed yet. */
static void test_cli_preview_and_slip(void)
{
    snprintf(db, sizeof db, "%s/tote.db", dir);
    const char *init[] = {"init", NULL};
    REQUIRE_EQ(tote(init, NULL, NULL), 0);
    REQUIRE_EQ(tt_label_seed(db), 0);
    char png[512], out_arg[600];
    snprintf(png, sizeof png, "%s/cli.png", dir);
    snprintf(out_arg, sizeof out_arg, "%s", png);
    const char *pv[] = {"label", "preview", "LX000000015NL", "-o", out_arg, NULL};
    REQUIRE_EQ(tote(pv, NULL, NULL), 0);
    char *codes = zbar(png);
    CHECK_STR(codes, "00106141411234567897\nLX000000015NL\n");
    free(codes);
    char *dm = dmtx(png);
    CHECK_STR(dm, "ORD-#1001/1");
    free(dm);
    /* an order not packed yet: a label from the order alone */
    snprintf(png, sizeof png, "%s/cli2.png", dir);
    const char *pv2[] = {"label", "preview", "#1002", "--dpi", "300", "-o", png, NULL};
    REQUIRE_EQ(tote(pv2, NULL, NULL), 0);
    dm = dmtx(png);
    CHECK_STR(dm, "ORD-#1002/1");
    free(dm);
    /* ZPL to stdout, escaped */
    char *zpl = NULL;
    const char *zc[] = {"label", "zpl", "#1001", NULL};
    REQUIRE_EQ(tote(zc, &zpl, NULL), 0);
    CHECK_HAS(zpl, "^FDZoë Müller_5F_5EXZ_7EJR^FS");
    CHECK_HAS(zpl, "^FD>:LX0>500000015>6NL^FS");
    free(zpl);
    /* --style: the GS1 logistic label carries weight and postcode as AIs, the
       carrier label the tracking barcode; anything else is refused */
    const char *zg[] = {"label", "zpl", "#1001", "--style", "gs1", NULL};
    REQUIRE_EQ(tote(zg, &zpl, NULL), 0);
    CHECK_HAS(zpl, "^FD(3303)000912(420)80331^FS");
    CHECK_HAS(zpl, "^FDGROSS WEIGHT (kg) (3303)^FS");
    CHECK(strstr(zpl, "^FD>:LX0>500000015>6NL^FS") == NULL);
    free(zpl);
    const char *zk[] = {"label", "zpl", "#1001", "--style", "CARRIER", NULL};
    REQUIRE_EQ(tote(zk, &zpl, NULL), 0);
    CHECK_HAS(zpl, "^FD>:LX0>500000015>6NL^FS");
    CHECK(strstr(zpl, "(3303)") == NULL);
    free(zpl);
    char *serr = NULL;
    const char *zb[] = {"label", "zpl", "#1001", "--style", "fancy", NULL};
    CHECK_EQ(tote(zb, NULL, &serr), 2);
    CHECK_HAS(serr, "--style must be carrier or gs1, not 'fancy'");
    free(serr);
    const char *z300[] = {"label", "zpl", "1", "--dpi", "300", NULL};
    REQUIRE_EQ(tote(z300, &zpl, NULL), 0);
    CHECK_HAS(zpl, "^PW1200");
    free(zpl);
    /* a packing slip */
    char pdf[512];
    snprintf(pdf, sizeof pdf, "%s/slip.pdf", dir);
    const char *sl[] = {"label", "slip", "#1001", "-o", pdf, "--paper", "letter", NULL};
    REQUIRE_EQ(tote(sl, NULL, NULL), 0);
    size_t len = 0;
    char *data = tt_read_file(pdf, &len);
    REQUIRE(data != NULL);
    CHECK(len > 1000 && memcmp(data, "%PDF", 4) == 0);
    CHECK(memmem(data, len, "/MediaBox [ 0 0 612 792 ]", 25) != NULL);
    free(data);
    /* bad input: exit 2, one sentence */
    char *err = NULL;
    const char *nf[] = {"label", "zpl", "#9999", NULL};
    CHECK_EQ(tote(nf, NULL, &err), 2);
    CHECK_HAS(err, "no package or order '#9999'");
    free(err);
    const char *bd[] = {"label", "zpl", "1", "--dpi", "600", NULL};
    CHECK_EQ(tote(bd, NULL, &err), 2);
    CHECK_HAS(err, "--dpi must be 203 or 300");
    free(err);
    const char *bo[] = {"label", "preview", "1", "-o", "x.gif", NULL};
    CHECK_EQ(tote(bo, NULL, &err), 2);
    CHECK_HAS(err, ".png or .pdf");
    free(err);
    const char *bs[] = {"label", "slip", "#1001", "-o", "x.png", NULL};
    CHECK_EQ(tote(bs, NULL, &err), 2);
    free(err);
    /* the gs1 style needs a package's SSCC: #1002 is not packed */
    err = NULL;
    const char *zg2[] = {"label", "zpl", "#1002", "--style", "gs1", NULL};
    CHECK_EQ(tote(zg2, NULL, &err), 2);
    CHECK_HAS(err, "order #1002 has no SSCC yet: the gs1 style labels a packed package");
    free(err);
    /* an order on hold gets its label with a warning; a cancelled one none */
    const char *hold[] = {"order", "hold", "#1002", NULL};
    REQUIRE_EQ(tote(hold, NULL, NULL), 0);
    err = NULL;
    const char *zh[] = {"label", "zpl", "#1002", NULL};
    CHECK_EQ(tote(zh, &zpl, &err), 0);
    CHECK_HAS(zpl, "^XA");
    CHECK_HAS(err, "order #1002 is on hold: do not ship this label until it is released");
    free(zpl);
    free(err);
    const char *cancel[] = {"order", "cancel", "#1002", NULL};
    REQUIRE_EQ(tote(cancel, NULL, NULL), 0);
    err = NULL;
    zpl = NULL;
    CHECK_EQ(tote(zh, &zpl, &err), 2);
    CHECK_HAS(err, "order #1002 is cancelled: it gets no shipping label");
    CHECK(zpl == NULL || *zpl == '\0');
    free(zpl);
    free(err);
}

static void test_slip_pages(void)
{
    tote_slip_line lines[120];
    char skus[120][16];
    for (int i = 0; i < 120; i++) {
        snprintf(skus[i], sizeof skus[i], "SKU-%03d", i);
        lines[i] = (tote_slip_line){skus[i],
                                    "A product with a rather long name that wraps onto a second line "
                                    "of the packing slip table",
                                    2, 1};
    }
    tote_slip s = {.order = "#1001", .lines = lines, .n_lines = 120};
    unsigned char *pdf = NULL;
    size_t len = 0;
    int pages = 0;
    REQUIRE_EQ(tote_slip_pdf_mem(&s, &pdf, &len, &pages), TOTE_LB_E_OK);
    CHECK_INT(pages, >, 2);
    free(pdf);
    s.order = NULL;
    CHECK_EQ(tote_slip_pdf_mem(&s, &pdf, &len, NULL), TOTE_LB_E_INVALID);
}

/* ---------- the exact ZPL through someone else's renderer (optional) ---------- */

static const char render_js[] =
    "const fs = require('fs');\n"
    "(async () => {\n"
    "  const { api } = await require('zpl-renderer-js').ready;\n"
    "  for (let i = 2; i + 2 < process.argv.length + 1; i += 3) {\n"
    "    const zpl = fs.readFileSync(process.argv[i], 'utf8');\n"
    "    const b64 = await api.zplToBase64Async(zpl, 101.6, 152.4, Number(process.argv[i + 2]));\n"
    "    fs.writeFileSync(process.argv[i + 1], Buffer.from(b64, 'base64'));\n"
    "  }\n"
    "})().catch((e) => { console.error(String(e)); process.exit(1); });\n";

static void test_zpl_rendered_by_zebrash(void)
{
    if (access("/usr/bin/node", X_OK) != 0 || access("/usr/bin/npm", X_OK) != 0) {
        printf("SKIPPED: node or npm is not installed; the ZPL was not rendered independently\n");
        return;
    }
    /* installed once per build tree, into a test-local directory */
    char nd[1024];
    const char *bin = getenv("TOTE_BIN_DIR");
    snprintf(nd, sizeof nd, "%s/zpl-renderer", bin && *bin ? bin : dir);
    mkdir(nd, 0755);
    char mod[1100];
    snprintf(mod, sizeof mod, "%s/node_modules/zpl-renderer-js/package.json", nd);
    if (access(mod, R_OK) != 0) {
        const char *argv[] = {"/usr/bin/npm", "install",          "--prefix",        nd,  "--no-audit",
                              "--no-fund",    "--loglevel=error", "zpl-renderer-js", NULL};
        if (tt_run(argv, NULL, NULL, 180000, NULL, NULL) != 0 || access(mod, R_OK) != 0) {
            printf("SKIPPED: npm could not install zpl-renderer-js (offline?); the ZPL was not rendered "
                   "independently\n");
            return;
        }
    }
    char js[1100];
    snprintf(js, sizeof js, "%s/render.js", nd);
    REQUIRE_EQ(tt_write_file(js, render_js, sizeof render_js - 1), 0);
    tote_label c = sample(), g = sample();
    g.style = TOTE_LABEL_GS1_LOGISTIC;
    struct {
        tote_label *l;
        int dpi;
        const char *want;
    } cases[] = {{&c, 203, "00106141411234567897\nLX000000015NL\n"},
                 {&c, 300, "00106141411234567897\nLX000000015NL\n"},
                 {&g, 203,
                  "00106141411234567897\n3303002350420"
                  "80331\n"}};
    const char *argv[16];
    int n = 0;
    argv[n++] = "/usr/bin/node";
    argv[n++] = js;
    char zp[3][600], pp[3][600], dp[3][8];
    for (int i = 0; i < 3; i++) {
        char *z = NULL;
        size_t len = 0;
        REQUIRE_EQ(tote_label_zpl(cases[i].l, cases[i].dpi, &z, &len, NULL), TOTE_LB_E_OK);
        snprintf(zp[i], sizeof zp[i], "%s/z%d.zpl", dir, i);
        snprintf(pp[i], sizeof pp[i], "%s/z%d.png", dir, i);
        snprintf(dp[i], sizeof dp[i], "%d", cases[i].dpi == 300 ? 12 : 8);
        REQUIRE_EQ(tt_write_file(zp[i], z, len), 0);
        free(z);
        argv[n++] = zp[i];
        argv[n++] = pp[i];
        argv[n++] = dp[i];
    }
    argv[n] = NULL;
    const char *env[] = {NULL};
    char *err = NULL;
    int rc = tt_run(argv, env, NULL, 120000, NULL, &err);
    if (rc != 0)
        fprintf(stderr, "node: %s\n", err ? err : "");
    free(err);
    REQUIRE_EQ(rc, 0);
    for (int i = 0; i < 3; i++) {
        char *codes = zbar(pp[i]);
        CHECK_STR(codes, cases[i].want);
        free(codes);
        if (cases[i].l->style == TOTE_LABEL_CARRIER) {
            char *dm = dmtx(pp[i]);
            CHECK_STR(dm, "ORD-#1001/2");
            free(dm);
        }
    }
    /* the printer's SSCC lies where the preview drew it */
    tote_lb_layout *L = NULL;
    REQUIRE_EQ(tote_label_layout(&c, 203, &L, NULL), TOTE_LB_E_OK);
    const tote_lb_item *it = tote_lb_layout_find(L, "sscc");
    int x0, x1;
    REQUIRE_EQ(dark_extent(pp[0], it->y + it->h / 2, &x0, &x1), 0);
    CHECK_EQ(x0, it->x);
    CHECK_EQ(x1 - x0 + 1, it->modules * it->module);
    tote_label_layout_destroy(&L);
}

static void test_teardown(void)
{
    if (dir && !getenv("TOTE_KEEP"))
        tt_rmrf(dir);
    free(dir);
}

TT_MAIN(TT_TEST(test_setup), TT_TEST(test_carrier_previews_decode),
        TT_TEST(test_gs1_logistic_previews_decode), TT_TEST(test_pdf_preview),
        TT_TEST(test_cli_preview_and_slip), TT_TEST(test_slip_pages), TT_TEST(test_zpl_rendered_by_zebrash),
        TT_TEST(test_teardown))
