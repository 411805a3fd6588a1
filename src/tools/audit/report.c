
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit report: one self-contained HTML file for an audit
 * file (verdict, files, policy revisions and their notices, charts,
 * counts).
 */


#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"
#include "tools/audit/tpl.h"


#define AUDIT_REPORT_OPTS                                                    \
    (AUDIT_OPT(OPT_KEYS) | AUDIT_OPT(OPT_PARTIAL) | AUDIT_OPT(OPT_HTML)      \
     | AUDIT_OPT(OPT_SINCE) | AUDIT_OPT(OPT_UNTIL) | AUDIT_OPT(OPT_BY))


static int audit_report_write(audit_t *a, FILE *f);
static void audit_report_fill(audit_t *a, audit_tpl_t *d);
static void audit_report_msgs(audit_tpl_t *d, const char *name,
    const audit_msg_t *msgs, size_t n);
static void audit_report_notices(audit_t *a, audit_tpl_t *d);
static void audit_report_counts(audit_tpl_t *d, audit_stats_t *st,
    const char *title, const char *column, const char **labels,
    audit_counts_t **rows, size_t n);
static char *audit_report_svg(audit_t *a, int chart);

const char audit_help_report[] =
"usage: consent-audit report --html FILE [--keys FILE] [--since T]\n"
"                            [--until T] [--by PERIOD] LOG...\n"
"\n"
"Writes one self-contained HTML file (inline CSS and SVG, no script,\n"
"nothing loaded from elsewhere) to attach to an audit file: the\n"
"verification verdict and its problems, the files read, the policy\n"
"revisions and their hashes as seen in the log, each revision's texts\n"
"in every language (from the policy the log stores), a chart of choices\n"
"over time, the acceptance rate per category, and the counts per\n"
"action, mechanism, revision and language.\n"
"\n"
"options:\n"
"  --html FILE  the file to write (- for standard output)\n"
"  --keys FILE  check HMACs too (the verdict says whether they were)\n"
"  --partial    older rotations were deleted (as for verify)\n"
"  --since T, --until T   as for stats (the verdict covers every line)\n"
"  --by PERIOD  bars of the chart: day, week or month (default: chosen\n"
"               from the time span)\n"
"\n"
"Exit status: 0 report written and the log intact, 1 report written\n"
"and problems found, 2 usage, 3 I/O error.\n";

/* src/tools/audit/report.html, embedded by auto/embed --text */
extern const char    audit_report_html[];
extern const size_t  audit_report_html_len;


int
audit_cmd_report(audit_t *a, int argc, char **argv)
{
    int                       rc;
    FILE                     *f;

    rc = audit_parse_args(a, argc, argv, AUDIT_REPORT_OPTS);
    if (rc != 0) {
        return rc < 0 ? AUDIT_OK : rc;
    }

    if (a->html == NULL) {
        return audit_usage_error(a->cmd, "--html FILE is required");
    }

    rc = audit_open(a);
    if (rc != 0) {
        return rc;
    }

    /* per day: rolled up into weeks or months when drawn */

    a->stats = audit_stats_create(AUDIT_BY_DAY);
    if (a->stats == NULL) {
        fputs("consent-audit: out of memory\n", stderr);
        return AUDIT_IO;
    }

    a->parse = 1;
    a->keep_policies = 1;
    a->handler = audit_stats_record;

    rc = audit_run(a);
    if (rc != 0) {
        return rc;
    }

    if (strcmp(a->html, "-") == 0) {
        f = stdout;

    } else {
        f = fopen(a->html, "w");
        if (f == NULL) {
            fprintf(stderr, "consent-audit: %s: %s\n", a->html,
                    strerror(errno));
            return AUDIT_IO;
        }
    }

    /* it says why it failed (the template's line, no memory) */
    if (audit_report_write(a, f) != 0) {
        if (f != stdout) {
            fclose(f);
        }

        return AUDIT_IO;
    }

    if (fflush(f) != 0 || ferror(f)) {
        fprintf(stderr, "consent-audit: %s: write error: %s\n", a->html,
                strerror(errno ? errno : EIO));
        if (f != stdout) {
            fclose(f);
        }

        return AUDIT_IO;
    }

    if (f != stdout && fclose(f) != 0) {
        fprintf(stderr, "consent-audit: %s: %s\n", a->html, strerror(errno));
        return AUDIT_IO;
    }

    audit_problems_tail(a);

    if (f != stdout) {
        fprintf(stderr, "consent-audit: report written to %s\n", a->html);
    }

    return a->problems ? AUDIT_PROBLEMS : AUDIT_OK;
}


/* the report: the template filled */

static int
audit_report_write(audit_t *a, FILE *f)
{
    int           rc;
    char          err[256];
    audit_tpl_t  *d;

    d = audit_tpl_create();
    if (d == NULL) {
        fputs("consent-audit: out of memory\n", stderr);
        return -1;
    }

    audit_report_fill(a, d);

    rc = audit_tpl_render(audit_report_html, audit_report_html_len,
                          "src/tools/audit/report.html", d, audit_put_html,
                          f, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "consent-audit: %s\n", err);
    }

    audit_tpl_free(d);

    return rc;
}


/*
 * Every slot of report.html: a name set here is one the template may
 * use; a list says the names of its rows
 */

static void
audit_report_fill(audit_t *a, audit_tpl_t *d)
{
    int                            i;
    char                           buf[AUDIT_BUF], **labels;
    size_t                         k, nrows;
    time_t                         t;
    audit_tpl_t                   *row, *sub;
    audit_stats_t                 *st;
    audit_counts_t               **rows;
    const char                    *one[1];
    const consent_verify_stats_t  *vs;

    st = a->stats;
    vs = consent_verify_stats(a->verify);

    t = time(NULL);
    audit_format_ts((int64_t) t * 1000, buf, sizeof(buf));
    audit_tpl_set(d, "now", buf);

    audit_tpl_setf(d, "nfiles", "%zu", a->nfiles);
    audit_tpl_flag(d, "one_file", a->nfiles == 1);
    audit_format_ts(vs->ts_first, buf, sizeof(buf));
    audit_tpl_set(d, "log_first", buf);
    audit_format_ts(vs->ts_last, buf, sizeof(buf));
    audit_tpl_set(d, "log_last", buf);

    /* --since and --until limit the counts, not the verification */
    audit_tpl_flag(d, "limited",
                   a->since != AUDIT_TS_MIN || a->until != AUDIT_TS_MAX);
    audit_format_ts(a->since == AUDIT_TS_MIN ? 0 : a->since, buf,
                    sizeof(buf));
    audit_tpl_set(d, "since", buf);
    buf[0] = '\0';

    if (a->until != AUDIT_TS_MAX) {
        audit_format_ts(a->until, buf, sizeof(buf));
    }

    audit_tpl_set(d, "until", buf);

    /* the verdict */

    audit_tpl_flag(d, "intact", a->problems == 0);
    audit_tpl_setf(d, "problems", "%" PRIu64, a->problems);
    audit_tpl_flag(d, "one_problem", a->problems == 1);
    audit_tpl_flag(d, "hmacs_checked", a->ks != NULL);
    audit_tpl_setf(d, "hmacs", "%" PRIu64, vs->hmacs);
    audit_tpl_setf(d, "lines", "%" PRIu64, vs->lines + a->skipped);
    audit_tpl_setf(d, "records", "%" PRIu64, vs->records);
    audit_tpl_setf(d, "checkpoints", "%" PRIu64, vs->checkpoints);
    audit_tpl_setf(d, "chains", "%" PRIu64, vs->chains);
    audit_tpl_setf(d, "open_chains", "%" PRIu64, vs->open_chains);

    audit_tpl_flag(d, "any_problems", a->nkept > 0);
    audit_report_msgs(d, "problem_list", a->kept, a->nkept);
    buf[0] = '\0';

    if (a->problems > a->nkept) {
        snprintf(buf, sizeof(buf), "%" PRIu64, a->problems - a->nkept);
    }

    audit_tpl_set(d, "more_problems", buf);
    audit_tpl_flag(d, "any_notes", a->nnotes > 0);
    audit_report_msgs(d, "notes", a->notes, a->nnotes);

    audit_tpl_list(d, "files", "name path");

    for (k = 0; k < a->nfiles; k++) {
        row = audit_tpl_row(d, "files");
        if (row == NULL) {
            return;
        }

        audit_tpl_set(row, "name", strcmp(a->files[k], "-") == 0
                                   ? "(standard input)" : a->files[k]);
        audit_tpl_set(row, "path", a->files[k]);
    }

    /* which notices the visitors were shown */

    audit_tpl_list(d, "revisions",
                   "revision hashes(hash later) changed first_use last_use "
                   "records");

    for (k = 0; k < st->nrevs; k++) {
        row = audit_tpl_row(d, "revisions");
        if (row == NULL) {
            return;
        }

        audit_tpl_setf(row, "revision", "%" PRId64, st->revs[k].c.key);
        audit_tpl_list(row, "hashes", "hash later");

        for (i = 0; (size_t) i < st->revs[k].nhashes; i++) {
            sub = audit_tpl_row(row, "hashes");
            if (sub == NULL) {
                return;
            }

            audit_tpl_set(sub, "hash", st->revs[k].hashes[i]);
            audit_tpl_flag(sub, "later", i > 0);
        }

        audit_tpl_flag(row, "changed", st->revs[k].nhashes > 1
                                       || st->revs[k].more_hashes);
        audit_format_ts(st->revs[k].first_ms, buf, sizeof(buf));
        audit_tpl_set(row, "first_use", buf);
        audit_format_ts(st->revs[k].last_ms, buf, sizeof(buf));
        audit_tpl_set(row, "last_use", buf);
        audit_tpl_setf(row, "records", "%" PRIu64, st->revs[k].c.records);
    }

    audit_report_notices(a, d);

    /* the charts: SVG drawn by report-charts.c */
    audit_tpl_raw(d, "chart_time", audit_report_svg(a, 0));
    audit_tpl_raw(d, "chart_categories", audit_report_svg(a, 1));

    audit_tpl_setf(d, "nactions", "%d", AUDIT_NACTS);
    audit_tpl_setf(d, "nmechanisms", "%d", AUDIT_NMECHS);
    audit_tpl_setf(d, "gpc", "%" PRIu64, st->all.gpc);
    audit_tpl_list(d, "actions", "name count");
    audit_tpl_list(d, "choices", "name");
    audit_tpl_list(d, "mechanisms", "name count");
    audit_tpl_list(d, "categories", "name");

    for (i = 0; i < AUDIT_NACTS; i++) {
        row = audit_tpl_row(d, "actions");
        if (row == NULL) {
            return;
        }

        audit_tpl_set(row, "name", audit_act_names[i]);
        audit_tpl_setf(row, "count", "%" PRIu64, st->all.actions[i]);

        /* the tables of counts leave out "other" */
        if (i < AUDIT_ACT_OTHER) {
            row = audit_tpl_row(d, "choices");
            if (row == NULL) {
                return;
            }

            audit_tpl_set(row, "name", audit_act_names[i]);
        }
    }

    for (i = 0; i < AUDIT_NMECHS; i++) {
        row = audit_tpl_row(d, "mechanisms");
        if (row == NULL) {
            return;
        }

        audit_tpl_set(row, "name", audit_mech_names[i]);
        audit_tpl_setf(row, "count", "%" PRIu64, st->all.mechanisms[i]);
    }

    for (k = 0; k < st->ncats; k++) {
        row = audit_tpl_row(d, "categories");
        if (row == NULL) {
            return;
        }

        audit_tpl_set(row, "name", st->cats[k]);
    }

    /* the tables of counts: all, per revision, per language */

    audit_tpl_list(d, "count_tables",
                   "title column has_rows "
                   "rows(label records counts(n) rates(rate))");

    nrows = st->nrevs > st->nlangs + 1 ? st->nrevs : st->nlangs + 1;

    rows = calloc(nrows + 1, sizeof(audit_counts_t *));
    labels = calloc(nrows + 1, sizeof(char *));

    /* out of memory: a raw slot of NULL fails the render */

    if (rows == NULL || labels == NULL) {
        audit_tpl_raw(d, "count_tables", NULL);
        goto done;
    }

    for (k = 0; k < nrows; k++) {
        labels[k] = malloc(AUDIT_BUF);
        if (labels[k] == NULL) {
            audit_tpl_raw(d, "count_tables", NULL);
            goto done;
        }
    }

    one[0] = "all";
    rows[0] = &st->all;
    audit_report_counts(d, st, "Totals", "", one, rows, 1);

    for (k = 0; k < st->nrevs; k++) {
        snprintf(labels[k], AUDIT_BUF, "%" PRId64, st->revs[k].c.key);
        rows[k] = &st->revs[k].c;
    }

    audit_report_counts(d, st, "Per policy revision", "revision",
                        (const char **) labels, rows, st->nrevs);

    k = audit_stats_lang_rows(st, labels, rows);

    audit_report_counts(d, st, "Per language", "language",
                        (const char **) labels, rows, k);

done:

    for (k = 0; labels != NULL && k < nrows; k++) {
        free(labels[k]);
    }

    free(labels);
    free(rows);
}


/* problems or notes: where ("FILE" or "FILE:LINE") and the message */

static void
audit_report_msgs(audit_tpl_t *d, const char *name, const audit_msg_t *msgs,
    size_t n)
{
    char          where[AUDIT_BUF];
    size_t        k;
    audit_tpl_t  *row;

    audit_tpl_list(d, name, "where message");

    for (k = 0; k < n; k++) {
        row = audit_tpl_row(d, name);
        if (row == NULL) {
            return;
        }

        if (msgs[k].line) {
            snprintf(where, sizeof(where), "%s:%" PRIu64, msgs[k].file,
                     msgs[k].line);
            audit_tpl_set(row, "where", where);

        } else {
            audit_tpl_set(row, "where", msgs[k].file);
        }

        audit_tpl_set(row, "message", msgs[k].msg);
    }
}


/*
 * Each policy the records name, as the log stores it, with its notice
 * in each of its languages as the module's banner code renders it
 */

static void
audit_report_notices(audit_t *a, audit_tpl_t *d)
{
    char                          *text, buf[AUDIT_BUF];
    size_t                         i, k;
    audit_tpl_t                   *row, *lang;
    const consent_policy_t        *p;
    const consent_proof_policy_t  *e;
    const struct consent_proof_s  *pf;

    audit_tpl_list(d, "notices",
                   "revision sha256 used uses one_use first_use last_use "
                   "in_log cannot_read read_error readable stored one_store "
                   "ncategories one_category nlangs one_lang days "
                   "privacy_url texts(lang text)");

    pf = a->verify ? consent_verify_policies(a->verify) : NULL;

    for (i = 0; pf != NULL && i < consent_proof_count(pf); i++) {
        e = consent_proof_get(pf, i);
        p = e->policy;

        row = audit_tpl_row(d, "notices");
        if (row == NULL) {
            return;
        }

        audit_tpl_setf(row, "revision", "%" PRId64, e->revision);
        audit_tpl_set(row, "sha256", e->sha256_hex);
        audit_tpl_flag(row, "used", e->uses > 0);
        audit_tpl_setf(row, "uses", "%" PRIu64, e->uses);
        audit_tpl_flag(row, "one_use", e->uses == 1);
        audit_format_ts(e->first_ms, buf, sizeof(buf));
        audit_tpl_set(row, "first_use", buf);
        audit_format_ts(e->last_ms, buf, sizeof(buf));
        audit_tpl_set(row, "last_use", buf);

        audit_tpl_flag(row, "in_log", e->stored > 0);
        audit_tpl_flag(row, "cannot_read", e->stored > 0 && p == NULL);
        audit_tpl_set(row, "read_error",
                      e->parse_error ? e->parse_error : "?");
        audit_tpl_flag(row, "readable", e->stored > 0 && p != NULL);
        audit_tpl_setf(row, "stored", "%" PRIu64, e->stored);
        audit_tpl_flag(row, "one_store", e->stored == 1);
        audit_tpl_setf(row, "ncategories", "%zu", p ? p->ncategories : 0);
        audit_tpl_flag(row, "one_category", p && p->ncategories == 1);
        audit_tpl_setf(row, "nlangs", "%zu", p ? p->nlangs : 0);
        audit_tpl_flag(row, "one_lang", p && p->nlangs == 1);
        audit_tpl_setf(row, "days", "%" PRId64, p ? p->max_age / 86400 : 0);
        audit_tpl_set(row, "privacy_url",
                      p && p->privacy_url ? p->privacy_url : "-");
        audit_tpl_list(row, "texts", "lang text");

        if (e->stored == 0 || p == NULL) {
            continue;
        }

        for (k = 0; k < p->nlangs; k++) {
            text = consent_proof_notice(p, p->langs[k], 0, NULL, NULL);
            if (text == NULL) {
                continue;
            }

            lang = audit_tpl_row(row, "texts");

            if (lang != NULL) {
                audit_tpl_set(lang, "lang", p->langs[k]);
                audit_tpl_set(lang, "text", text);
            }

            free(text);
        }
    }
}


/* a table of counts: one row per label, a column per choice, category */

static void
audit_report_counts(audit_tpl_t *d, audit_stats_t *st, const char *title,
    const char *column, const char **labels, audit_counts_t **rows,
    size_t n)
{
    int           i;
    char          pct[16];
    size_t        k, r;
    audit_tpl_t  *t, *row, *cell;

    t = audit_tpl_row(d, "count_tables");
    if (t == NULL) {
        return;
    }

    audit_tpl_set(t, "title", title);
    audit_tpl_set(t, "column", column);
    audit_tpl_flag(t, "has_rows", n > 0);
    audit_tpl_list(t, "rows", "label records counts(n) rates(rate)");

    for (r = 0; r < n; r++) {
        row = audit_tpl_row(t, "rows");
        if (row == NULL) {
            return;
        }

        audit_tpl_set(row, "label", labels[r]);
        audit_tpl_setf(row, "records", "%" PRIu64, rows[r]->records);
        audit_tpl_list(row, "counts", "n");
        audit_tpl_list(row, "rates", "rate");

        for (i = 0; i < AUDIT_ACT_OTHER; i++) {
            cell = audit_tpl_row(row, "counts");
            if (cell == NULL) {
                return;
            }

            audit_tpl_setf(cell, "n", "%" PRIu64, rows[r]->actions[i]);
        }

        for (k = 0; k < st->ncats; k++) {
            cell = audit_tpl_row(row, "rates");
            if (cell == NULL) {
                return;
            }

            audit_tpl_set(cell, "rate",
                          audit_pct(rows[r]->granted[k], rows[r]->asked[k],
                                    pct, sizeof(pct)));
        }
    }
}


/*
 * A chart's SVG (and its legend) without its last newline, malloc()ed;
 * NULL: out of memory
 */

static char *
audit_report_svg(audit_t *a, int chart)
{
    char    *buf;
    FILE    *f;
    size_t   len;

    buf = NULL;
    len = 0;

    f = open_memstream(&buf, &len);
    if (f == NULL) {
        return NULL;
    }

    if (chart == 0) {
        audit_report_chart_time(a->stats, a->by, f);

    } else {
        audit_report_chart_cats(a->stats, f);
    }

    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }

    /* the template's line ends it */
    if (len > 0 && buf[len - 1] == '\n') {
        buf[len - 1] = '\0';
    }

    return buf;
}
