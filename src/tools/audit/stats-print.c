
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit stats: the counts as text tables or one JSON object.
 */


#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"


static void audit_stats_text_table(audit_stats_t *st, const char *title,
    const char *col, const char **labels, audit_counts_t **rows, size_t n);
static void audit_counts_json(audit_stats_t *st, const audit_counts_t *c);

void
audit_stats_text(audit_stats_t *st)
{
    int              i;
    char             first[AUDIT_BUF], last[AUDIT_BUF], pct[16], **labels;
    size_t           k, nrows;
    audit_counts_t  *all, **rows;
    const char      *one[1];

    all = &st->all;

    audit_format_ts(st->first_ms, first, sizeof(first));
    audit_format_ts(st->last_ms, last, sizeof(last));

    fprintf(stdout, "consent records  %" PRIu64, all->records);

    if (all->records) {
        fprintf(stdout, "  (%s .. %s)", first, last);
    }

    fputs("\nactions         ", stdout);

    for (i = 0; i < AUDIT_NACTS; i++) {
        if (i < AUDIT_ACT_OTHER || all->actions[i]) {
            fprintf(stdout, " %s %" PRIu64, audit_act_names[i],
                    all->actions[i]);
        }
    }

    fputs("\nmechanisms      ", stdout);

    for (i = 0; i < AUDIT_NMECHS; i++) {
        if (i < AUDIT_MECH_OTHER || all->mechanisms[i]) {
            fprintf(stdout, " %s %" PRIu64, audit_mech_names[i],
                    all->mechanisms[i]);
        }
    }

    fprintf(stdout, "\ngpc              %" PRIu64 " records with Sec-GPC: 1\n",
            all->gpc);

    fputs("\nacceptance per category (records that granted it / that asked "
          "about it)\n", stdout);

    for (k = 0; k < st->ncats; k++) {
        fprintf(stdout, "  %-20s %10" PRIu64 " / %-10" PRIu64 " %7s\n",
                st->cats[k], all->granted[k], all->asked[k],
                audit_pct(all->granted[k], all->asked[k], pct, sizeof(pct)));
    }

    if (st->cats_dropped) {
        fprintf(stdout, "  (%" PRIu64 " mentions of more categories than %d "
                "not counted)\n", st->cats_dropped, AUDIT_CATS_MAX);
    }

    nrows = st->nrevs > st->nlangs + 1 ? st->nrevs : st->nlangs + 1;
    if (st->nperiods > nrows) {
        nrows = st->nperiods;
    }

    rows = calloc(nrows + 1, sizeof(audit_counts_t *));
    labels = calloc(nrows + 1, sizeof(char *));

    if (rows == NULL || labels == NULL) {
        free(rows);
        free(labels);
        return;
    }

    for (k = 0; k < nrows; k++) {
        labels[k] = malloc(AUDIT_BUF);
        if (labels[k] == NULL) {
            goto done;
        }
    }

    one[0] = "all";
    rows[0] = all;
    audit_stats_text_table(st, "totals", "", one, rows, 1);

    for (k = 0; k < st->nrevs; k++) {
        snprintf(labels[k], AUDIT_BUF, "%" PRId64, st->revs[k].c.key);
        rows[k] = &st->revs[k].c;
    }

    audit_stats_text_table(st, "per policy revision", "revision",
                           (const char **) labels, rows, st->nrevs);

    for (k = 0; k < st->nrevs; k++) {
        for (i = 0; (size_t) i < st->revs[k].nhashes; i++) {
            fprintf(stdout, "  revision %" PRId64 "  policy_sha256 %s\n",
                    st->revs[k].c.key, st->revs[k].hashes[i]);
        }

        if (st->revs[k].nhashes > 1 || st->revs[k].more_hashes) {
            fprintf(stdout, "  WARNING: revision %" PRId64 " was logged "
                    "with different policy files: the policy changed "
                    "without a new revision\n", st->revs[k].c.key);
        }
    }

    if (st->revs_dropped) {
        fprintf(stdout, "  (%" PRIu64 " records of more than %d revisions "
                "not counted)\n", st->revs_dropped, AUDIT_REVS_MAX);
    }

    k = audit_stats_lang_rows(st, labels, rows);

    audit_stats_text_table(st, "per language", "lang",
                           (const char **) labels, rows, k);

    if (st->by != AUDIT_BY_NONE) {
        for (k = 0; k < st->nperiods; k++) {
            audit_period_label(st->by, st->periods[k].key, labels[k],
                               AUDIT_BUF);
            rows[k] = &st->periods[k];
        }

        audit_stats_text_table(st, "per period", audit_by_name(st->by),
                               (const char **) labels, rows, st->nperiods);

        if (st->periods_dropped) {
            fprintf(stdout, "  (%" PRIu64 " records beyond %d periods not "
                    "counted: narrow with --since and --until)\n",
                    st->periods_dropped, AUDIT_PERIODS_MAX);
        }
    }

done:

    for (k = 0; k < nrows; k++) {
        free(labels[k]);
    }

    free(labels);
    free(rows);
}


/* a table: records, actions, then the acceptance rate of each category */
static void
audit_stats_text_table(audit_stats_t *st, const char *title,
    const char *col, const char **labels, audit_counts_t **rows, size_t n)
{
    int     w;
    char    pct[16];
    size_t  i, k, len;

    if (n == 0) {
        return;
    }

    fprintf(stdout, "\n%s\n", title);

    w = (int) strlen(col);

    for (i = 0; i < n; i++) {
        len = strlen(labels[i]);
        if ((int) len > w) {
            w = (int) len;
        }
    }

    fprintf(stdout, "  %-*s %8s %8s %8s %8s %8s", w, col, "records",
            "grant", "update", "reject", "withdraw");

    for (k = 0; k < st->ncats; k++) {
        fprintf(stdout, " %*s", (int) (strlen(st->cats[k]) < 7
                                       ? 7 : strlen(st->cats[k])),
                st->cats[k]);
    }

    fputc('\n', stdout);

    for (i = 0; i < n; i++) {
        fputs("  ", stdout);
        audit_put_text(stdout, labels[i]);
        fprintf(stdout, "%*s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8"
                PRIu64 " %8" PRIu64, w - (int) strlen(labels[i]), "",
                rows[i]->records, rows[i]->actions[AUDIT_ACT_GRANT],
                rows[i]->actions[AUDIT_ACT_UPDATE],
                rows[i]->actions[AUDIT_ACT_REJECT],
                rows[i]->actions[AUDIT_ACT_WITHDRAW]);

        for (k = 0; k < st->ncats; k++) {
            fprintf(stdout, " %*s", (int) (strlen(st->cats[k]) < 7
                                           ? 7 : strlen(st->cats[k])),
                    audit_pct(rows[i]->granted[k], rows[i]->asked[k], pct,
                              sizeof(pct)));
        }

        fputc('\n', stdout);
    }
}


void
audit_stats_json(audit_t *a, audit_stats_t *st)
{
    char    first[AUDIT_BUF], last[AUDIT_BUF], label[AUDIT_BUF];
    size_t  k, i;

    audit_format_ts(st->first_ms, first, sizeof(first));
    audit_format_ts(st->last_ms, last, sizeof(last));

    fputs("{\"totals\":", stdout);
    audit_counts_json(st, &st->all);

    if (st->all.records) {
        fprintf(stdout, ",\n\"first\":\"%s\",\"last\":\"%s\"", first, last);

    } else {
        fputs(",\n\"first\":null,\"last\":null", stdout);
    }

    fputs(",\n\"revisions\":[", stdout);

    for (k = 0; k < st->nrevs; k++) {
        fprintf(stdout, "%s\n{\"revision\":%" PRId64 ",\"policy_sha256\":[",
                k ? "," : "", st->revs[k].c.key);

        for (i = 0; i < st->revs[k].nhashes; i++) {
            fprintf(stdout, "%s\"%s\"", i ? "," : "", st->revs[k].hashes[i]);
        }

        audit_format_ts(st->revs[k].first_ms, first, sizeof(first));
        audit_format_ts(st->revs[k].last_ms, last, sizeof(last));

        fprintf(stdout, "],\"first\":\"%s\",\"last\":\"%s\",\"counts\":",
                first, last);
        audit_counts_json(st, &st->revs[k].c);
        fputc('}', stdout);
    }

    fputs("],\n\"languages\":[", stdout);

    for (k = 0; k < st->nlangs; k++) {
        fprintf(stdout, "%s\n{\"lang\":", k ? "," : "");
        audit_put_json(stdout, st->langs[k].name);
        fputs(",\"counts\":", stdout);
        audit_counts_json(st, &st->langs[k].c);
        fputc('}', stdout);
    }

    if (st->other_lang.c.records) {
        fprintf(stdout, "%s\n{\"lang\":null,\"counts\":", k ? "," : "");
        audit_counts_json(st, &st->other_lang.c);
        fputc('}', stdout);
    }

    fputs("]", stdout);

    if (st->by != AUDIT_BY_NONE) {
        fprintf(stdout, ",\n\"by\":\"%s\",\"periods\":[",
                audit_by_name(st->by));

        for (k = 0; k < st->nperiods; k++) {
            audit_period_label(st->by, st->periods[k].key, label,
                               sizeof(label));
            fprintf(stdout, "%s\n{\"period\":\"%s\",\"counts\":",
                    k ? "," : "", label);
            audit_counts_json(st, &st->periods[k]);
            fputc('}', stdout);
        }

        fputs("]", stdout);
    }

    audit_rates_json(a, stdout);

    fprintf(stdout, ",\n\"not_counted\":{\"categories\":%" PRIu64
            ",\"revisions\":%" PRIu64 ",\"periods\":%" PRIu64 "}"
            ",\n\"log_intact\":%s,\"problem_count\":%" PRIu64
            ",\"hmacs_checked\":%s}\n",
            st->cats_dropped, st->revs_dropped, st->periods_dropped,
            a->problems ? "false" : "true", a->problems,
            a->ks ? "true" : "false");
}


static void
audit_counts_json(audit_stats_t *st, const audit_counts_t *c)
{
    int     i;
    size_t  k;

    fprintf(stdout, "{\"records\":%" PRIu64 ",\"actions\":{", c->records);

    for (i = 0; i < AUDIT_NACTS; i++) {
        fprintf(stdout, "%s\"%s\":%" PRIu64, i ? "," : "",
                audit_act_names[i], c->actions[i]);
    }

    fputs("},\"mechanisms\":{", stdout);

    for (i = 0; i < AUDIT_NMECHS; i++) {
        fprintf(stdout, "%s\"%s\":%" PRIu64, i ? "," : "",
                audit_mech_names[i], c->mechanisms[i]);
    }

    fprintf(stdout, "},\"gpc\":%" PRIu64 ",\"categories\":{", c->gpc);

    for (k = 0; k < st->ncats; k++) {
        fputs(k ? "," : "", stdout);
        audit_put_json(stdout, st->cats[k]);
        fprintf(stdout, ":{\"granted\":%" PRIu64 ",\"asked\":%" PRIu64
                ",\"rate\":", c->granted[k], c->asked[k]);

        if (c->asked[k]) {
            fprintf(stdout, "%.4f", (double) c->granted[k]
                                    / (double) c->asked[k]);

        } else {
            fputs("null", stdout);
        }

        fputc('}', stdout);
    }

    fputs("}}", stdout);
}
