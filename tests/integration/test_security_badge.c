/*
 * Operator badges: `tote operator add ... --label FILE|--zpl` and
 * `tote operator badge NAME -o FILE|--zpl`. The PNG decodes back (zbarimg)
 * to exactly the badge value, the ZPL carries the escaped name and the
 * Code 128 of the value, hostile names cannot inject ZPL, bad input exits 2
 * with one sentence, and the printed value logs the operator in on a
 * handheld against the real station.
 */
#include <sys/stat.h>

#include "fixture_server.h"
#include "tote/badge.h"

/* tote --db DB ARGS...; stdout and stderr into *out / *err (may be NULL). */
static int cli(fx_station *st, char **out, char **err, const char *const *args)
{
    static char bin[4096];
    snprintf(bin, sizeof bin, "%s", tt_bin("tote"));
    const char *argv[24] = {bin, "--db", st->db};
    int n = 3;
    for (int i = 0; args[i] && n < 23; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    return tt_run(argv, NULL, NULL, 30000, out, err);
}

/* zbarimg --raw on path: every decoded value, newline-terminated. */
static char *zbar(const char *path)
{
    const char *argv[] = {"/usr/bin/zbarimg", "--raw", "-q", path, NULL};
    char *out = NULL;
    if (tt_run(argv, NULL, NULL, 30000, &out, NULL) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The text the Code 128 field of the ZPL in zpl encodes (its ^BC's ^FD
 * data, the invocation codes >: >; >5 >6 dropped, >< read as '>') into out:
 * 0, or -1 when there is no such field. The planner switches to subset C
 * for runs of digits, so a badge is not one literal string in the ZPL. */
static int code128_text(const char *zpl, char *out, size_t cap)
{
    const char *bc = strstr(zpl, "^BC");
    const char *fd = bc ? strstr(bc, "^FD") : NULL;
    const char *fs = fd ? strstr(fd, "^FS") : NULL;
    if (!fs || cap == 0)
        return -1;
    size_t n = 0;
    for (const char *p = fd + 3; p < fs && n + 1 < cap; p++) {
        if (*p == '>' && p + 1 < fs) {
            p++;
            if (*p == '<')
                out[n++] = '>';
            continue; /* >: >; >5 >6: a start or a change of subset */
        }
        out[n++] = *p;
    }
    out[n] = '\0';
    return 0;
}

/* The badge value BADGE-<code> printed by `operator add` into out. */
static void badge_of(fx_station *st, const char *name, char *out, size_t cap)
{
    tote_store *s = fx_store(st);
    snprintf(out, cap, "BADGE-%s", fx_qs(s, "SELECT badge FROM operator WHERE name = ?1", "t", name));
    tote_store_destroy(&s);
}

static void test_png_decodes_to_the_badge_and_logs_in(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-badge"), 0);
    char png[1200];
    snprintf(png, sizeof png, "%s/ana.png", st.dir);
    char *out = NULL, *err = NULL;
    const char *add[] = {"operator", "add", "Ana Lima", "--role", "picker", "--label", png, NULL};
    REQUIRE_EQ(cli(&st, &out, &err, add), 0);
    char value[80];
    badge_of(&st, "Ana Lima", value, sizeof value);
    REQUIRE_INT(strlen(value), >, 6);
    CHECK_HAS(out, value); /* the confirmation names it */
    CHECK_HAS(out, "badge label");
    free(out);
    free(err);
    char *dec = zbar(png);
    REQUIRE(dec != NULL);
    char want[100];
    snprintf(want, sizeof want, "%s\n", value);
    CHECK_STR(dec, want); /* exactly the badge, nothing else on the label */
    free(dec);

    /* reprint as PDF and PNG at 300 dpi: the same value */
    char pdf[1200], png300[1200];
    snprintf(pdf, sizeof pdf, "%s/ana.pdf", st.dir);
    snprintf(png300, sizeof png300, "%s/ana300.png", st.dir);
    const char *re_pdf[] = {"operator", "badge", "Ana Lima", "-o", pdf, NULL};
    REQUIRE_EQ(cli(&st, &out, NULL, re_pdf), 0);
    CHECK_HAS(out, "written to");
    free(out);
    size_t len = 0;
    char *pdfdata = tt_read_file(pdf, &len);
    REQUIRE(pdfdata != NULL);
    CHECK(len > 100 && memcmp(pdfdata, "%PDF-", 5) == 0);
    free(pdfdata);
    const char *re_png[] = {"operator", "badge", "Ana Lima", "-o", png300, "--dpi", "300", NULL};
    REQUIRE_EQ(cli(&st, NULL, NULL, re_png), 0);
    dec = zbar(png300);
    CHECK_STR(dec, want);
    free(dec);
    /* every badge printed is on the record */
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM event WHERE kind = 'operator_badge' AND subject = 'Ana Lima'", ""),
             3);
    tote_store_destroy(&s);

    /* the printed value, scanned on an enrolled handheld, logs Ana in */
    REQUIRE_EQ(fx_station_start(&st, NULL, 0), 0);
    fx_dev *d = fx_dev_new(&st, "hh-badge");
    REQUIRE(d != NULL);
    tote_wire_msg rep;
    REQUIRE_EQ(fx_hello(d, TOTE_ROLE_PICKER, &rep), 0);
    REQUIRE_EQ(rep.type, TOTE_WIRE_HELLO_OK);
    REQUIRE_EQ(fx_scan(d, value, &rep), 0);
    CHECK_EQ(rep.type, TOTE_WIRE_RESULT);
    CHECK_EQ(rep.u.result.accepted, 1);
    tt_sleep_ms(100);
    s = fx_store(&st);
    CHECK_STR(fx_qs(s, "SELECT operator FROM device WHERE name = 'hh-badge'", ""), "Ana Lima");
    tote_store_destroy(&s);
    fx_dev_destroy(&d);
    fx_station_done(&st);
}

static void test_zpl_escapes_hostile_names(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-badge-zpl"), 0);
    const char *hostile = "Bo^XZ~JR_x Ødegård";
    char *out = NULL, *err = NULL;
    const char *add[] = {"operator", "add", hostile, "--role", "supervisor", "--zpl", NULL};
    REQUIRE_EQ(cli(&st, &out, &err, add), 0);
    char value[80];
    badge_of(&st, hostile, value, sizeof value);
    /* stdout is the ZPL alone; the confirmation went to stderr */
    REQUIRE(out != NULL);
    CHECK(strncmp(out, "^XA\n^CI28\n", 10) == 0);
    CHECK_HAS(err, value);
    CHECK_HAS(out, "^FH^FDBo_5EXZ_7EJR_5Fx"); /* then the wrap, then the rest */
    CHECK_HAS(out, "Ødegård^FS");
    CHECK_HAS(out, "^FDSUPERVISOR^FS");
    char bc[120];
    snprintf(bc, sizeof bc, "^BCN,");
    CHECK_HAS(out, bc);
    CHECK_HAS(out, "^FH^FD>:"); /* Code 128, starting in subset B (the value begins BADGE-) */
    char text[120];
    REQUIRE_EQ(code128_text(out, text, sizeof text), 0);
    CHECK_STR(text, value);            /* whatever runs of digits went to subset C */
    CHECK_EQ(count_of(out, "^XZ"), 1); /* the name did not end the format */
    CHECK_EQ(count_of(out, "~"), 0);   /* nor start a control command */
    free(out);
    free(err);

    /* a badge ending in digits: the last four go in subset C, and the
       field still reads back as the badge */
    const char *add2[] = {"operator", "add",        "Dan Digits", "--role", "picker",
                          "--badge",  "Z24XVV7933", "--zpl",      NULL};
    REQUIRE_EQ(cli(&st, &out, &err, add2), 0);
    CHECK_HAS(out, "^FH^FD>:BADGE-Z24XVV>57933^FS");
    REQUIRE_EQ(code128_text(out, text, sizeof text), 0);
    CHECK_STR(text, "BADGE-Z24XVV7933");
    free(out);
    free(err);

    /* the reprint is the same label */
    const char *re[] = {"operator", "badge", hostile, "--zpl", NULL};
    REQUIRE_EQ(cli(&st, &out, NULL, re), 0);
    CHECK_HAS(out, "^FH^FDBo_5EXZ_7EJR_5Fx");
    CHECK_EQ(count_of(out, "^XZ"), 1);
    free(out);

    /* a long name is wrapped and shrunk, never cut */
    tote_badge b = {"Maximiliana Alexandrina Konstantinopoulou-Wolfeschlegelsteinhausen", "packer",
                    "BADGE-0123456789"};
    tote_lb_layout *L = NULL;
    REQUIRE_EQ(tote_badge_layout(&b, 203, &L, NULL), TOTE_LB_E_OK);
    const tote_lb_item *name = tote_lb_layout_find(L, "name");
    REQUIRE(name != NULL);
    CHECK_INT(name->lines, >=, 2);
    CHECK_INT(name->x + name->w, <=, L->width);
    const tote_lb_item *bar = tote_lb_layout_find(L, "badge");
    REQUIRE(bar != NULL);
    CHECK_INT(name->y + name->h, <=, bar->y);
    CHECK_INT(bar->module, >=, 2); /* a scannable module at 203 dpi */
    tote_label_layout_destroy(&L);
    const char *field = NULL;
    tote_badge empty = {"  ", "picker", "BADGE-X"};
    CHECK_EQ(tote_badge_layout(&empty, 203, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "name");
    tote_badge ctl = {"Ana", "picker", "BADGE-\x01"};
    CHECK_EQ(tote_badge_layout(&ctl, 203, &L, &field), TOTE_LB_E_INVALID);
    CHECK_STR(field, "badge");
    CHECK_EQ(tote_badge_layout(&ctl, 150, &L, &field), TOTE_LB_E_INVALID);
    fx_station_done(&st);
}

static void test_bad_input_exits_2(void)
{
    fx_station st;
    REQUIRE_EQ(fx_station_init(&st, "sec-badge-bad"), 0);
    char *out = NULL, *err = NULL;
    const char *unknown[] = {"operator", "badge", "nobody", "--zpl", NULL};
    CHECK_EQ(cli(&st, &out, &err, unknown), 2);
    CHECK_HAS(err, "no operator named 'nobody'");
    CHECK(err && strchr(err, '\n') == strrchr(err, '\n')); /* one sentence */
    CHECK(out && !*out);
    free(out);
    free(err);
    const char *add[] = {"operator", "add", "Cleo", "--role", "packer", NULL};
    REQUIRE_EQ(cli(&st, NULL, NULL, add), 0);
    const char *jpg[] = {"operator", "badge", "Cleo", "-o", "x.jpg", NULL};
    CHECK_EQ(cli(&st, NULL, &err, jpg), 2);
    CHECK_HAS(err, "must end in .png or .pdf");
    free(err);
    const char *none[] = {"operator", "badge", "Cleo", NULL};
    CHECK_EQ(cli(&st, NULL, &err, none), 2);
    CHECK_HAS(err, "usage: tote operator badge NAME");
    free(err);
    const char *dpi[] = {"operator", "badge", "Cleo", "--zpl", "--dpi", "600", NULL};
    CHECK_EQ(cli(&st, NULL, &err, dpi), 2);
    CHECK_HAS(err, "--dpi must be 203 or 300");
    free(err);
    /* a bad label file name on add is refused before the operator is added */
    const char *addbad[] = {"operator", "add", "Dora", "--role", "picker", "--label", "dora.txt", NULL};
    CHECK_EQ(cli(&st, NULL, &err, addbad), 2);
    CHECK_HAS(err, "must end in .png or .pdf");
    free(err);
    tote_store *s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM operator WHERE name = 'Dora'", ""), 0);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM event WHERE kind = 'operator_badge'", ""), 0);
    tote_store_destroy(&s);
    /* an unwritable file: exit 1, the operator stays */
    char bad[1200];
    snprintf(bad, sizeof bad, "%s/no/such/dir/e.png", st.dir);
    const char *addio[] = {"operator", "add", "Eve", "--role", "picker", "--label", bad, NULL};
    CHECK_EQ(cli(&st, NULL, &err, addio), 1);
    CHECK_HAS(err, "cannot write the badge file");
    CHECK_HAS(err, "tote operator badge Eve");
    free(err);
    s = fx_store(&st);
    CHECK_EQ(fx_q(s, "SELECT count(*) FROM operator WHERE name = 'Eve'", ""), 1);
    tote_store_destroy(&s);
    fx_station_done(&st);
}

TT_MAIN(TT_TEST(test_png_decodes_to_the_badge_and_logs_in), TT_TEST(test_zpl_escapes_hostile_names),
        TT_TEST(test_bad_input_exits_2))
