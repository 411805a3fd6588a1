
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit report: the inline SVG charts (choices over time,
 * acceptance per category), which go into the template's raw slots.
 */


#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"


/* Okabe-Ito colours: told apart with any colour vision */
static const char *audit_act_colours[AUDIT_NACTS] = {
    "#009e73", "#0072b2", "#e69f00", "#d55e00", "#999999"
};


/* stacked bars of the actions per period, the periods rolled up from days */
void
audit_report_chart_time(audit_stats_t *st, audit_by_e want, FILE *f)
{
    int         i, step, ticks;
    char        label[AUDIT_BUF];
    double      x, y, h, bw, scale;
    size_t      k, nbars, idx, every;
    int64_t     span, first, last, key, tick, unit;
    uint64_t    max, total, (*bars)[AUDIT_NACTS];
    audit_by_e  by;

    const int   left = 56, top = 14, width = 700, height = 220;

    if (st->nperiods == 0) {
        fputs("<p>No consent records.</p>\n", f);
        return;
    }

    first = st->periods[0].key;
    last = st->periods[st->nperiods - 1].key;
    span = last - first + 1;

    if (want != AUDIT_BY_NONE) {
        by = want;

    } else {
        by = span <= AUDIT_BARS_MAX / 2 ? AUDIT_BY_DAY
             : span <= 7 * AUDIT_BARS_MAX ? AUDIT_BY_WEEK
             : span <= 30 * AUDIT_BARS_MAX ? AUDIT_BY_MONTH : AUDIT_BY_YEAR;
    }

    /* a log with forged times must not draw a million bars */

    for ( ;; ) {
        step = by == AUDIT_BY_WEEK ? 7 : 1;
        key = audit_period_key(by, first * AUDIT_MS_DAY);
        tick = audit_period_key(by, last * AUDIT_MS_DAY);
        nbars = (size_t) ((tick - key) / step + 1);

        if (nbars <= AUDIT_BARS_HARD_MAX || by == AUDIT_BY_YEAR) {
            break;
        }

        by++;
    }

    first = key;
    last = tick;

    bars = calloc(nbars, sizeof(*bars));
    if (bars == NULL) {
        fputs("<p>(out of memory drawing the chart)</p>\n", f);
        return;
    }

    for (k = 0; k < st->nperiods; k++) {
        key = audit_period_key(by, st->periods[k].key * AUDIT_MS_DAY);
        idx = (size_t) ((key - first) / step);

        for (i = 0; i < AUDIT_NACTS; i++) {
            bars[idx][i] += st->periods[k].actions[i];
        }
    }

    max = 0;

    for (k = 0; k < nbars; k++) {
        total = 0;

        for (i = 0; i < AUDIT_NACTS; i++) {
            total += bars[k][i];
        }

        max = total > max ? total : max;
    }

    /* a round tick: 1, 2 or 5 times a power of ten, at most 5 of them */

    unit = 1;
    tick = 1;

    for ( ;; ) {
        if ((uint64_t) (unit * 1) * 5 >= max) {
            tick = unit;
            break;
        }

        if ((uint64_t) (unit * 2) * 5 >= max) {
            tick = unit * 2;
            break;
        }

        if ((uint64_t) (unit * 5) * 5 >= max) {
            tick = unit * 5;
            break;
        }

        unit *= 10;
    }

    ticks = (int) ((max + tick - 1) / tick);
    ticks = ticks < 1 ? 1 : ticks;
    scale = (double) height / (double) (ticks * tick);
    bw = (double) width / (double) nbars;

    fprintf(f, "<p class=\"legend\">Consent records per %s: ",
            audit_by_name(by));

    for (i = 0; i < AUDIT_NACTS; i++) {
        if (i == AUDIT_ACT_OTHER && st->all.actions[i] == 0) {
            continue;
        }

        fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>",
                audit_act_colours[i], audit_act_names[i]);
    }

    fprintf(f, "</p>\n<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
            "role=\"img\" aria-label=\"consent records per %s, by action\">\n",
            left + width + 10, top + height + 34, left + width + 10,
            top + height + 34, audit_by_name(by));

    for (i = 0; i <= ticks; i++) {
        y = top + height - i * tick * scale;
        fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#ddd\"/>\n<text x=\"%d\" y=\"%.1f\" "
                "text-anchor=\"end\">%" PRId64 "</text>\n",
                left, left + width, y, y, left - 6, y + 4,
                (int64_t) i * tick);
    }

    every = nbars / 8 + 1;

    for (k = 0; k < nbars; k++) {
        key = first + (int64_t) k * step;
        audit_period_label(by, key, label, sizeof(label));

        x = left + k * bw;
        y = top + height;
        total = 0;

        for (i = 0; i < AUDIT_NACTS; i++) {
            if (bars[k][i] == 0) {
                continue;
            }

            total += bars[k][i];
            h = bars[k][i] * scale;
            y -= h;

            fprintf(f, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                    "height=\"%.2f\" fill=\"%s\"><title>%s: %" PRIu64
                    " %s</title></rect>\n",
                    x + (bw > 4 ? bw * 0.1 : 0), y,
                    bw > 4 ? bw * 0.8 : bw, h, audit_act_colours[i], label,
                    bars[k][i], audit_act_names[i]);
        }

        if (k % every == 0) {
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
                    "%s</text>\n", x + bw / 2, top + height + 16, label);
        }
    }

    fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" "
            "stroke=\"#333\"/>\n</svg>\n", left, left + width, top + height,
            top + height);

    if (st->periods_dropped) {
        fprintf(f, "<p>%" PRIu64 " records on more than %d different days "
                "are not drawn: narrow the report with --since and "
                "--until.</p>\n", st->periods_dropped, AUDIT_PERIODS_MAX);
    }

    free(bars);
}


void
audit_report_chart_cats(audit_stats_t *st, FILE *f)
{
    char    pct[16];
    double  rate, y;
    size_t  k;

    const int   left = 170, width = 420, row = 26;

    if (st->ncats == 0) {
        fputs("<p>No categories in the records.</p>\n", f);
        return;
    }

    fprintf(f, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
            "role=\"img\" aria-label=\"acceptance rate per category\">\n",
            left + width + 190, (int) st->ncats * row + 10,
            left + width + 190, (int) st->ncats * row + 10);

    for (k = 0; k < st->ncats; k++) {
        y = 5 + k * row;
        rate = st->all.asked[k]
               ? (double) st->all.granted[k] / (double) st->all.asked[k] : 0;

        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">",
                left - 8, y + 15);
        audit_put_html(f, st->cats[k]);
        fprintf(f, "</text>\n<rect x=\"%d\" y=\"%.1f\" width=\"%d\" "
                "height=\"18\" fill=\"#eee\"/>\n<rect x=\"%d\" y=\"%.1f\" "
                "width=\"%.2f\" height=\"18\" fill=\"#0072b2\"><title>",
                left, y, width, left, y, rate * width);
        audit_put_html(f, st->cats[k]);
        fprintf(f, ": %s</title></rect>\n<text x=\"%d\" y=\"%.1f\">%s "
                "(%" PRIu64 " of %" PRIu64 ")</text>\n",
                audit_pct(st->all.granted[k], st->all.asked[k], pct,
                          sizeof(pct)),
                left + width + 8, y + 15, pct, st->all.granted[k],
                st->all.asked[k]);
    }

    fputs("</svg>\n", f);
}
