/*
 * A report as an SVG chart (tote_report_write_svg): a bar chart, or a line
 * chart for reports over days. Plain SVG 1.1 text, no scripts, no external
 * fonts or styles; every piece of text from the database is XML-escaped.
 *
 * Layout: title on top, the y axis on the left with "nice" ticks (1, 2 or 5
 * times a power of ten), x labels under the plot turned 45 degrees, axis
 * titles from the column labels.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tote/report.h"

#define W_MIN 720
#define H 480
#define M_LEFT 84
#define M_RIGHT 24
#define M_TOP 56
#define M_BOTTOM 132
#define SLOT_MIN 26
#define LABEL_MAX 28 /* characters of an x label */

/* Writes s XML-escaped; drops characters XML 1.0 does not allow; cuts
   after max code points (0 = no limit) with an ellipsis. */
static void xml_text(FILE *f, const char *s, size_t max)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) != 0x80) {
            if (max && n == max) {
                fputs("\xE2\x80\xA6", f); /* … */
                return;
            }
            n++;
        }
        switch (*p) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
                break;
            fputc(*p, f);
        }
    }
}

/* A step of 1, 2 or 5 x 10^k giving about `ticks` intervals up to max. */
static double nice_step(double max, int ticks)
{
    double raw = max / ticks;
    double mag = pow(10.0, floor(log10(raw)));
    double n = raw / mag;
    double step = n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10;
    return step * mag;
}

static void tick_text(char *buf, size_t cap, double v, double step)
{
    int dec = 0;
    while (dec < 6 && fabs(step * pow(10.0, dec) - nearbyint(step * pow(10.0, dec))) > 1e-9)
        dec++;
    snprintf(buf, cap, "%.*f", dec, v);
}

int tote_report_write_svg(const tote_report *r, FILE *f)
{
    if (tote_report_chart_kind(r) == TOTE_CHART_NONE)
        return -1;
    const tote_report_info *info = tote_report_get_info(r);
    size_t cx = tote_report_chart_x(r), cy = tote_report_chart_y(r);
    int line = tote_report_chart_kind(r) == TOTE_CHART_LINE;

    /* the rows drawn: every row but summaries */
    size_t nr = tote_report_nrows(r), n = 0;
    double max = 0;
    for (size_t i = 0; i < nr; i++) {
        if (tote_report_row_total(r, i))
            continue;
        n++;
        double v = tote_report_cell_num(r, i, cy);
        if (v > max)
            max = v;
    }
    int w = W_MIN;
    if ((int)n * SLOT_MIN + M_LEFT + M_RIGHT > w)
        w = (int)n * SLOT_MIN + M_LEFT + M_RIGHT;
    double pw = w - M_LEFT - M_RIGHT, ph = H - M_TOP - M_BOTTOM;
    double step = max > 0 ? nice_step(max, 5) : 1;
    double top = max > 0 ? ceil(max / step - 1e-9) * step : 5;
    if (top <= 0)
        top = step;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
            w, H, w, H);
    fprintf(f, "<title>");
    xml_text(f, info->title, 0);
    fprintf(f, "</title>\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", w, H);

    /* title and range */
    fprintf(f,
            "<text class=\"title\" x=\"%d\" y=\"28\" text-anchor=\"middle\" font-size=\"18\" "
            "font-weight=\"bold\">",
            w / 2);
    xml_text(f, info->title, 0);
    const char *from = tote_report_from(r), *to = tote_report_to(r);
    if (*from || *to) {
        fputs(" (", f);
        xml_text(f, *from ? from : "start", 0);
        fputs(" to ", f);
        xml_text(f, *to ? to : "today", 0);
        fputs(")", f);
    }
    fputs("</text>\n", f);

    /* y axis: grid lines, ticks and their values */
    fprintf(f, "<g class=\"y-axis\">\n");
    char buf[64];
    for (double v = 0; v <= top + step / 2; v += step) {
        double y = M_TOP + ph - v / top * ph;
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n", M_LEFT, y,
                M_LEFT + pw, y);
        tick_text(buf, sizeof buf, v, step);
        fprintf(f, "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", M_LEFT - 6,
                y + 4, buf);
    }
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000000\"/>\n", M_LEFT, M_TOP,
            M_LEFT, M_TOP + ph);
    fprintf(f,
            "<text class=\"axis-label y-label\" x=\"18\" y=\"%.1f\" text-anchor=\"middle\" "
            "transform=\"rotate(-90 18 %.1f)\">",
            M_TOP + ph / 2, M_TOP + ph / 2);
    xml_text(f, tote_report_col_label(r, cy), 0);
    fputs("</text>\n</g>\n", f);

    /* x axis */
    fprintf(f, "<g class=\"x-axis\">\n");
    fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000000\"/>\n", M_LEFT,
            M_TOP + ph, M_LEFT + pw, M_TOP + ph);
    fprintf(f, "<text class=\"axis-label x-label\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
            M_LEFT + pw / 2, H - 10);
    xml_text(f, tote_report_col_label(r, cx), 0);
    fputs("</text>\n", f);
    double slot = n ? pw / (double)n : pw;
    size_t k = 0;
    char label[512];
    for (size_t i = 0; i < nr; i++) {
        if (tote_report_row_total(r, i))
            continue;
        double x = M_LEFT + slot * ((double)k + 0.5);
        double y = M_TOP + ph + 14;
        tote_report_chart_label(r, i, label, sizeof label);
        fprintf(f,
                "<text class=\"tick x-tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                "transform=\"rotate(-45 %.1f %.1f)\">",
                x, y, x, y);
        xml_text(f, label, LABEL_MAX);
        fputs("</text>\n", f);
        k++;
    }
    fputs("</g>\n", f);

    /* the data */
    fprintf(f, "<g class=\"data\">\n");
    if (n == 0) {
        fprintf(f,
                "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">nothing in this "
                "range</text>\n",
                M_LEFT + pw / 2, M_TOP + ph / 2);
    } else if (line) {
        fputs("<polyline class=\"line\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"", f);
        k = 0;
        for (size_t i = 0; i < nr; i++) {
            if (tote_report_row_total(r, i))
                continue;
            double v = tote_report_cell_num(r, i, cy);
            fprintf(f, "%s%.1f,%.1f", k ? " " : "", M_LEFT + slot * ((double)k + 0.5),
                    M_TOP + ph - (v > 0 ? v : 0) / top * ph);
            k++;
        }
        fputs("\"/>\n", f);
    }
    k = 0;
    for (size_t i = 0; n && i < nr; i++) {
        if (tote_report_row_total(r, i))
            continue;
        double v = tote_report_cell_num(r, i, cy);
        double hgt = (v > 0 ? v : 0) / top * ph;
        double x = M_LEFT + slot * (double)k;
        tote_report_chart_label(r, i, label, sizeof label);
        const char *vt = tote_report_cell_null(r, i, cy) ? "-" : tote_report_cell_text(r, i, cy);
        if (line)
            fprintf(f, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#1f77b4\">",
                    x + slot / 2, M_TOP + ph - hgt);
        else
            fprintf(
                f,
                "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#1f77b4\">",
                x + slot * 0.15, M_TOP + ph - hgt, slot * 0.7, hgt);
        fputs("<title>", f);
        xml_text(f, label, 0);
        fputs(": ", f);
        xml_text(f, vt, 0);
        fputs(line ? "</title></circle>\n" : "</title></rect>\n", f);
        k++;
    }
    fputs("</g>\n</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
