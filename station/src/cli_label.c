/*
 * tote label zpl PACKAGE|ORDER [--dpi 203|300] [--style carrier|gs1]
 * tote label preview PACKAGE|ORDER [--dpi 203|300] [--style carrier|gs1] -o FILE.png|FILE.pdf
 * tote label reprint PACKAGE [--printer NAME] [--actor NAME]
 * tote label slip ORDER|PACKAGE -o FILE.pdf [--paper a4|letter]
 *
 * PACKAGE is a tracking number or a package id; ORDER an order name (#1001):
 * all its packages, or a label made from the order alone if not packed yet.
 * An order name is tried first, so a numeric order name wins over a package id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli_internal.h"
#include "tote/orders.h"
#include "tote/preview.h"
#include "tote/printing.h"
#include "tote/zpl.h"

static int usage(void)
{
    return tote_cli_fail(
        TOTE_EXIT_USAGE,
        "usage: tote label zpl PACKAGE|ORDER [--dpi 203|300] [--style carrier|gs1] | "
        "preview PACKAGE|ORDER [--dpi 203|300] [--style carrier|gs1] -o FILE.png|FILE.pdf | "
        "reprint PACKAGE [--printer NAME] | slip ORDER|PACKAGE -o FILE.pdf [--paper a4|letter]");
}

/* What the argument names: one package, or an order (with its packages). */
typedef struct target {
    long long order_id;
    long long *packages; /* NULL/0: the order alone */
    size_t n;
} target;

static int resolve(tote_store *s, const char *arg, int packages_only, target *t)
{
    memset(t, 0, sizeof *t);
    long long id = 0;
    tote_st_err e = TOTE_ST_E_NOT_FOUND;
    /* an order name first (unless only a package will do), then a tracking number or package id */
    if (!packages_only)
        e = tote_store_order_lookup(s, arg, &t->order_id);
    if (e == TOTE_ST_E_NOT_FOUND) {
        e = tote_store_package_lookup(s, arg, &id);
        if (e == TOTE_ST_E_OK) {
            t->packages = malloc(sizeof *t->packages);
            if (!t->packages)
                return tote_cli_fail(TOTE_EXIT_FAIL, "out of memory");
            t->packages[0] = id;
            t->n = 1;
            t->order_id = 0;
            return TOTE_EXIT_OK;
        }
        if (e == TOTE_ST_E_NOT_FOUND && packages_only)
            return tote_cli_fail(TOTE_EXIT_USAGE, "no package with tracking number or id '%s'", arg);
        if (e == TOTE_ST_E_NOT_FOUND)
            return tote_cli_fail(TOTE_EXIT_USAGE,
                                 "no package or order '%s' (give a tracking number, package id or order name "
                                 "such as #1001)",
                                 arg);
    }
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot look up '%s': %s", arg, tote_st_strerror(e));
    /* a cancelled order ships nothing; one on hold must not ship yet */
    tote_order_status st = TOTE_ORDER_RECEIVED;
    if (tote_order_find(s, arg, NULL, &st) == TOTE_ST_E_OK && st == TOTE_ORDER_CANCELLED)
        return tote_cli_fail(TOTE_EXIT_USAGE, "order %s is cancelled: it gets no shipping label", arg);
    if (st == TOTE_ORDER_ON_HOLD)
        fprintf(stderr, "tote: note: order %s is on hold: do not ship this label until it is released\n",
                arg);
    e = tote_store_order_package_ids(s, t->order_id, &t->packages, &t->n);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot read the packages of %s: %s", arg, tote_st_strerror(e));
    return TOTE_EXIT_OK;
}

static int take_dpi(int *argc, char **argv, tote_store *s, int *dpi)
{
    const char *v = tote_cli_take_opt(argc, argv, "--dpi");
    *dpi = tote_label_default_dpi(s);
    if (!v)
        return TOTE_EXIT_OK;
    if (strcmp(v, "203") == 0)
        *dpi = 203;
    else if (strcmp(v, "300") == 0)
        *dpi = 300;
    else
        return tote_cli_fail(TOTE_EXIT_USAGE, "--dpi must be 203 or 300, not '%s'", v);
    return TOTE_EXIT_OK;
}

static int take_style(int *argc, char **argv, tote_store *s, tote_label_style *style)
{
    const char *v = tote_cli_take_opt(argc, argv, "--style");
    *style = tote_label_default_style(s);
    if (!v)
        return TOTE_EXIT_OK;
    if (strcasecmp(v, "carrier") == 0)
        *style = TOTE_LABEL_CARRIER;
    else if (strcasecmp(v, "gs1") == 0)
        *style = TOTE_LABEL_GS1_LOGISTIC;
    else
        return tote_cli_fail(TOTE_EXIT_USAGE, "--style must be carrier or gs1, not '%s'", v);
    return TOTE_EXIT_OK;
}

static int label_fail(tote_lb_err le, const char *field, const char *what)
{
    return tote_cli_fail(le == TOTE_LB_E_NOMEM || le == TOTE_LB_E_IO ? TOTE_EXIT_FAIL : TOTE_EXIT_USAGE,
                         "cannot make the label of %s: %s%s%s", what, tote_lb_strerror(le),
                         field ? " in " : "", field ? field : "");
}

/* "out.png" + n -> "out-2.png" */
static void numbered(char *buf, size_t cap, const char *path, size_t n)
{
    if (n == 0) {
        snprintf(buf, cap, "%s", path);
        return;
    }
    const char *dot = strrchr(path, '.');
    int base = dot ? (int)(dot - path) : (int)strlen(path);
    snprintf(buf, cap, "%.*s-%zu%s", base, path, n + 1, dot ? dot : "");
}

static int cmd_render(const tote_cli_ctx *ctx, int argc, char **argv, int preview)
{
    const char *out = preview ? tote_cli_take_opt(&argc, argv, "-o") : NULL;
    tote_store *s = NULL;
    if (preview && (!out || !*out))
        return tote_cli_fail(TOTE_EXIT_USAGE, "preview needs -o FILE.png or -o FILE.pdf");
    tote_preview_format fmt = TOTE_PREVIEW_PNG;
    if (preview && tote_preview_format_for_path(out, &fmt) != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "the preview file must end in .png or .pdf, not '%s'", out);
    int rc = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    int dpi;
    tote_label_style style;
    if ((rc = take_dpi(&argc, argv, s, &dpi)) != TOTE_EXIT_OK || (rc = take_style(&argc, argv, s, &style))) {
        tote_store_destroy(&s);
        return rc;
    }
    if (argc != 2) {
        tote_store_destroy(&s);
        return usage();
    }
    target t;
    if ((rc = resolve(s, argv[1], 0, &t)) != TOTE_EXIT_OK) {
        tote_store_destroy(&s);
        return rc;
    }
    size_t count = t.n ? t.n : 1;
    for (size_t i = 0; i < count && rc == TOTE_EXIT_OK; i++) {
        tote_label_data *d = NULL;
        long long pkg = t.n ? t.packages[i] : 0;
        tote_st_err e = tote_label_data_load(s, t.order_id, pkg, &d);
        if (e != TOTE_ST_E_OK) {
            rc = tote_cli_fail(TOTE_EXIT_FAIL, "cannot read the label data of %s: %s", argv[1],
                               tote_st_strerror(e));
            break;
        }
        tote_label *l = tote_label_data_label(d);
        l->style = style;
        char what[64];
        if (pkg)
            snprintf(what, sizeof what, "package %lld", pkg);
        else
            snprintf(what, sizeof what, "order %s", argv[1]);
        if (style == TOTE_LABEL_GS1_LOGISTIC && (!l->sscc || !*l->sscc)) {
            /* the GS1 logistic label is built on the package's SSCC */
            rc = tote_cli_fail(TOTE_EXIT_USAGE,
                               "%s has no SSCC yet: the gs1 style labels a packed package (pack it first, or "
                               "use --style carrier)",
                               what);
            tote_label_data_destroy(&d);
            break;
        }
        const char *field = NULL;
        if (!preview) {
            char *zpl = NULL;
            size_t len = 0;
            tote_lb_err le = tote_label_zpl(l, dpi, &zpl, &len, &field);
            if (le != TOTE_LB_E_OK)
                rc = label_fail(le, field, what);
            else if (fwrite(zpl, 1, len, stdout) != len)
                rc = tote_cli_fail(TOTE_EXIT_FAIL, "cannot write the ZPL to standard output");
            free(zpl);
        } else {
            char path[4096];
            numbered(path, sizeof path, out, i);
            tote_lb_err le = tote_label_preview_file(l, dpi, path, &field);
            if (le == TOTE_LB_E_IO)
                rc = tote_cli_fail(TOTE_EXIT_FAIL, "cannot write %s", path);
            else if (le != TOTE_LB_E_OK)
                rc = label_fail(le, field, what);
            else
                printf("%s\n", path);
        }
        tote_label_data_destroy(&d);
    }
    free(t.packages);
    tote_store_destroy(&s);
    return rc;
}

static int cmd_reprint(const tote_cli_ctx *ctx, int argc, char **argv)
{
    const char *printer = tote_cli_take_opt(&argc, argv, "--printer");
    const char *actor = tote_cli_take_opt(&argc, argv, "--actor");
    if ((printer && !*printer) || (actor && !*actor) || argc != 2)
        return usage();
    if (!actor)
        actor = getenv("USER");
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, 0, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    target t;
    if ((rc = resolve(s, argv[1], 1, &t)) != TOTE_EXIT_OK) {
        tote_store_destroy(&s);
        return rc;
    }
    if (printer) {
        tote_printer_rec rec;
        if (tote_store_printer_get(s, printer, &rec) != TOTE_ST_E_OK) {
            free(t.packages);
            tote_store_destroy(&s);
            return tote_cli_fail(TOTE_EXIT_USAGE, "no printer named %s (see tote printer list)", printer);
        }
    }
    long long job = 0;
    tote_st_err e = tote_print_reprint(s, t.packages[0], printer, actor, &job);
    free(t.packages);
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(e == TOTE_ST_E_STATE || e == TOTE_ST_E_INVALID ? TOTE_EXIT_USAGE
                                                                            : TOTE_EXIT_FAIL,
                             "%s", tote_print_last_error());
    printf("queued print job %lld (the station's spooler prints it)\n", job);
    return TOTE_EXIT_OK;
}

static int cmd_slip(const tote_cli_ctx *ctx, int argc, char **argv)
{
    const char *out = tote_cli_take_opt(&argc, argv, "-o");
    const char *paper = tote_cli_take_opt(&argc, argv, "--paper");
    if (!out || !*out)
        return tote_cli_fail(TOTE_EXIT_USAGE, "slip needs -o FILE.pdf");
    tote_preview_format fmt;
    if (tote_preview_format_for_path(out, &fmt) != 0 || fmt != TOTE_PREVIEW_PDF)
        return tote_cli_fail(TOTE_EXIT_USAGE, "the packing slip is a PDF: -o must end in .pdf, not '%s'",
                             out);
    if (paper && strcasecmp(paper, "a4") != 0 && strcasecmp(paper, "letter") != 0)
        return tote_cli_fail(TOTE_EXIT_USAGE, "--paper must be a4 or letter, not '%s'", paper);
    if (argc != 2)
        return usage();
    tote_store *s = NULL;
    int rc = tote_cli_open_store(ctx, TOTE_STORE_READONLY, &s);
    if (rc != TOTE_EXIT_OK)
        return rc;
    target t;
    if ((rc = resolve(s, argv[1], 0, &t)) != TOTE_EXIT_OK) {
        tote_store_destroy(&s);
        return rc;
    }
    /* an order: its whole contents; a package: what is in it */
    long long pkg = t.order_id ? 0 : t.packages[0];
    tote_label_data *d = NULL;
    tote_st_err e = tote_label_data_load(s, t.order_id, pkg, &d);
    free(t.packages);
    tote_store_destroy(&s);
    if (e != TOTE_ST_E_OK)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot read %s: %s", argv[1], tote_st_strerror(e));
    tote_slip *slip = tote_label_data_slip(d);
    if (paper)
        slip->paper = strcasecmp(paper, "letter") == 0 ? TOTE_PAPER_LETTER : TOTE_PAPER_A4;
    tote_lb_err le = tote_slip_pdf_file(slip, out);
    tote_label_data_destroy(&d);
    if (le == TOTE_LB_E_IO)
        return tote_cli_fail(TOTE_EXIT_FAIL, "cannot write %s", out);
    if (le != TOTE_LB_E_OK)
        return tote_cli_fail(TOTE_EXIT_USAGE, "cannot make the packing slip: %s", tote_lb_strerror(le));
    printf("%s\n", out);
    return TOTE_EXIT_OK;
}

int tote_cmd_label(const tote_cli_ctx *ctx, int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "zpl") == 0)
        return cmd_render(ctx, argc - 1, argv + 1, 0);
    if (strcmp(argv[1], "preview") == 0)
        return cmd_render(ctx, argc - 1, argv + 1, 1);
    if (strcmp(argv[1], "reprint") == 0)
        return cmd_reprint(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "slip") == 0)
        return cmd_slip(ctx, argc - 1, argv + 1);
    return usage();
}
