
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


static int audit_report_write(audit_t *a, FILE *f);

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

static const char audit_report_css[] =
"body{font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",sans-serif;"
"color:#1a1a1a;max-width:980px;margin:2em auto;padding:0 1em}"
"h1{font-size:1.6em;margin-bottom:.2em}"
"h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}"
".verdict h2{margin-top:0}"
".meta{color:#555}"
".verdict{padding:.8em 1em;border-radius:6px;margin:1em 0}"
".ok{background:#e6f4ea;border:1px solid #009e73}"
".bad{background:#fdecea;border:1px solid #d55e00}"
"table{border-collapse:collapse;margin:.5em 0;font-size:.92em}"
"th,td{border:1px solid #ddd;padding:.25em .6em;text-align:right}"
"th{background:#f4f4f4}"
"td.l,th.l{text-align:left}"
"code,.hash{font-family:ui-monospace,Menlo,Consolas,monospace;"
"font-size:.9em;word-break:break-all}"
"ul.problems{font-family:ui-monospace,Menlo,Consolas,monospace;"
"font-size:.88em}"
"svg{max-width:100%;height:auto;font:11px sans-serif}"
".legend span{display:inline-block;margin-right:1.2em}"
".legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;"
"vertical-align:-.1em}"
"footer{margin-top:3em;color:#555;font-size:.9em}"
"@media print{body{margin:0}h2{break-after:avoid}}";


int
audit_cmd_report(audit_t *a, int argc, char **argv)
{
    int                       rc;
    FILE                     *f;
    static const audit_opt_t  opts[] = {
        { "--help", 0, OPT_HELP },
        { "--keys", 1, OPT_KEYS },
        { "--partial", 0, OPT_PARTIAL },
        { "--html", 1, OPT_HTML },
        { "--since", 1, OPT_SINCE },
        { "--until", 1, OPT_UNTIL },
        { "--by", 1, OPT_BY },
        { NULL, 0, 0 }
    };

    rc = audit_parse_args(a, argc, argv, opts);
    if (rc != 0) {
        return rc < 0 ? AUDIT_OK : rc;
    }

    if (a->html == NULL) {
        return audit_usage_error(a->cmd, "--html FILE is required");
    }

    rc = audit_check_files(a);
    if (rc == 0) {
        rc = audit_load_keys(a);
    }

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

    rc = audit_report_write(a, f);

    if (fflush(f) != 0 || ferror(f) || rc != 0) {
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


static int
audit_report_write(audit_t *a, FILE *f)
{
    int                            i;
    char                           first[AUDIT_BUF], last[AUDIT_BUF];
    char                           now[AUDIT_BUF], **labels;
    size_t                         k, nrows;
    time_t                         t;
    audit_stats_t                 *st;
    audit_counts_t               **rows;
    const char                    *one[1];
    const consent_verify_stats_t  *vs;

    st = a->stats;
    vs = consent_verify_stats(a->verify);

    t = time(NULL);
    audit_format_ts((int64_t) t * 1000, now, sizeof(now));

    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
            "<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, "
            "initial-scale=1\">\n"
            "<title>Consent log report</title>\n<style>%s</style>\n"
            "</head>\n<body>\n<h1>Consent log report</h1>\n",
            audit_report_css);

    audit_format_ts(vs->ts_first, first, sizeof(first));
    audit_format_ts(vs->ts_last, last, sizeof(last));

    fprintf(f, "<p class=\"meta\">Written %s by consent-audit from %zu "
            "log file%s; the log covers %s to %s (UTC).",
            now, a->nfiles, a->nfiles == 1 ? "" : "s", first, last);

    if (a->since != AUDIT_TS_MIN || a->until != AUDIT_TS_MAX) {
        audit_format_ts(a->since == AUDIT_TS_MIN ? 0 : a->since, first,
                        sizeof(first));
        fprintf(f, " Counts and charts are limited to records from %s",
                first);

        if (a->until != AUDIT_TS_MAX) {
            audit_format_ts(a->until, last, sizeof(last));
            fprintf(f, " to before %s", last);
        }

        fputs("; the verification covers every line.", f);
    }

    fputs("</p>\n", f);

    /* the verdict */

    fprintf(f, "<section class=\"verdict %s\">\n<h2>Verification</h2>\n",
            a->problems ? "bad" : "ok");

    if (a->problems) {
        fprintf(f, "<p><strong>NOT INTACT: %" PRIu64 " problem%s "
                "found.</strong> The log was changed, cut or damaged after "
                "it was written, or the files are incomplete or out of "
                "order.</p>\n", a->problems, a->problems == 1 ? "" : "s");

    } else {
        fputs("<p><strong>INTACT.</strong> Every line is a well-formed "
              "record, every hash chain is complete and in order", f);

        if (a->ks) {
            fputs(", and every record's HMAC verifies with the key file.",
                  f);

        } else {
            fputs(". HMACs were <strong>not</strong> checked (no key "
                  "file given): this proves the chains are consistent, "
                  "not who wrote them.", f);
        }

        fputs("</p>\n", f);
    }

    fprintf(f, "<table>\n<tr><th class=\"l\">lines</th><td>%" PRIu64
            "</td></tr>\n<tr><th class=\"l\">consent records</th><td>%"
            PRIu64 "</td></tr>\n<tr><th class=\"l\">checkpoints</th><td>%"
            PRIu64 "</td></tr>\n<tr><th class=\"l\">chains</th><td>%" PRIu64
            "</td></tr>\n<tr><th class=\"l\">chains without a final stop "
            "checkpoint</th><td>%" PRIu64 "</td></tr>\n"
            "<tr><th class=\"l\">HMACs verified</th><td>",
            vs->lines + a->skipped, vs->records, vs->checkpoints, vs->chains,
            vs->open_chains);

    if (a->ks) {
        fprintf(f, "%" PRIu64, vs->hmacs);

    } else {
        fputs("not checked", f);
    }

    fputs("</td></tr>\n</table>\n", f);

    if (a->nkept) {
        fputs("<ul class=\"problems\">\n", f);

        for (k = 0; k < a->nkept; k++) {
            fputs("<li>", f);
            audit_put_html(f, a->kept[k].file);

            if (a->kept[k].line) {
                fprintf(f, ":%" PRIu64, a->kept[k].line);
            }

            fputs(": ", f);
            audit_put_html(f, a->kept[k].msg);
            fputs("</li>\n", f);
        }

        if (a->problems > a->nkept) {
            fprintf(f, "<li>... and %" PRIu64 " more: run consent-audit "
                    "verify for all of them</li>\n",
                    a->problems - a->nkept);
        }

        fputs("</ul>\n", f);
    }

    if (a->nnotes) {
        fputs("<p>Notes (not problems):</p>\n<ul class=\"problems\">\n", f);

        for (k = 0; k < a->nnotes; k++) {
            fputs("<li>", f);
            audit_put_html(f, a->notes[k].file);

            if (a->notes[k].line) {
                fprintf(f, ":%" PRIu64, a->notes[k].line);
            }

            fputs(": ", f);
            audit_put_html(f, a->notes[k].msg);
            fputs("</li>\n", f);
        }

        fputs("</ul>\n", f);
    }

    fputs("</section>\n<h2>Files read, in this order</h2>\n<ol>\n", f);

    for (k = 0; k < a->nfiles; k++) {
        fputs("<li><code>", f);
        audit_put_html(f, strcmp(a->files[k], "-") == 0
                          ? "(standard input)" : a->files[k]);
        fputs("</code></li>\n", f);
    }

    fputs("</ol>\n", f);

    /* which notices the visitors were shown */

    fputs("<h2>Policy revisions seen</h2>\n<p>The revision and the SHA-256 "
          "of the policy file in force when each choice was made; the "
          "texts of each are below, from the log itself when it stores "
          "the policy, or compare the hash with <code>sha256sum</code> of "
          "the archived policy files.</p>\n"
          "<table>\n<tr><th>revision</th><th class=\"l\">policy_sha256</th>"
          "<th class=\"l\">first record</th><th class=\"l\">last record"
          "</th><th>records</th></tr>\n", f);

    for (k = 0; k < st->nrevs; k++) {
        audit_format_ts(st->revs[k].first_ms, first, sizeof(first));
        audit_format_ts(st->revs[k].last_ms, last, sizeof(last));

        fprintf(f, "<tr><td>%" PRId64 "</td><td class=\"l hash\">",
                st->revs[k].c.key);

        for (i = 0; (size_t) i < st->revs[k].nhashes; i++) {
            fprintf(f, "%s", i ? "<br>" : "");
            audit_put_html(f, st->revs[k].hashes[i]);
        }

        if (st->revs[k].nhashes > 1 || st->revs[k].more_hashes) {
            fputs("<br><strong>different policy files were logged under "
                  "this revision: the policy changed without a new "
                  "revision</strong>", f);
        }

        fprintf(f, "</td><td class=\"l\">%s</td><td class=\"l\">%s</td>"
                "<td>%" PRIu64 "</td></tr>\n", first, last,
                st->revs[k].c.records);
    }

    fputs("</table>\n", f);

    audit_notice_report(a, f);

    fputs("<h2>Choices over time</h2>\n", f);
    audit_report_chart_time(st, a->by, f);

    fputs("<h2>Acceptance per category</h2>\n<p>Records that granted the "
          "category, of the records that asked about it (withdrawals "
          "count as choices that deny every optional category).</p>\n", f);
    audit_report_chart_cats(st, f);

    nrows = st->nrevs > st->nlangs + 1 ? st->nrevs : st->nlangs + 1;

    rows = calloc(nrows + 1, sizeof(audit_counts_t *));
    labels = calloc(nrows + 1, sizeof(char *));

    if (rows == NULL || labels == NULL) {
        free(rows);
        free(labels);
        return -1;
    }

    for (k = 0; k < nrows; k++) {
        labels[k] = malloc(AUDIT_BUF);
        if (labels[k] == NULL) {
            goto done;
        }
    }

    fprintf(f, "<h2>Choices by action and mechanism</h2>\n<table>\n"
            "<tr><th colspan=\"%d\">action</th><th colspan=\"%d\">"
            "mechanism</th><th rowspan=\"2\">with Sec-GPC</th></tr>\n<tr>",
            AUDIT_NACTS, AUDIT_NMECHS);

    for (i = 0; i < AUDIT_NACTS; i++) {
        fprintf(f, "<th>%s</th>", audit_act_names[i]);
    }

    for (i = 0; i < AUDIT_NMECHS; i++) {
        fprintf(f, "<th>%s</th>", audit_mech_names[i]);
    }

    fputs("</tr>\n<tr>", f);

    for (i = 0; i < AUDIT_NACTS; i++) {
        fprintf(f, "<td>%" PRIu64 "</td>", st->all.actions[i]);
    }

    for (i = 0; i < AUDIT_NMECHS; i++) {
        fprintf(f, "<td>%" PRIu64 "</td>", st->all.mechanisms[i]);
    }

    fprintf(f, "<td>%" PRIu64 "</td></tr>\n</table>\n", st->all.gpc);

    one[0] = "all";
    rows[0] = &st->all;

    fputs("<h2>Totals</h2>\n", f);
    audit_report_table(st, f, "", one, rows, 1);

    for (k = 0; k < st->nrevs; k++) {
        snprintf(labels[k], AUDIT_BUF, "%" PRId64, st->revs[k].c.key);
        rows[k] = &st->revs[k].c;
    }

    fputs("<h2>Per policy revision</h2>\n", f);
    audit_report_table(st, f, "revision", (const char **) labels, rows,
                       st->nrevs);

    for (k = 0; k < st->nlangs; k++) {
        snprintf(labels[k], AUDIT_BUF, "%s", st->langs[k].name[0]
                 ? st->langs[k].name : "(none)");
        rows[k] = &st->langs[k].c;
    }

    if (st->other_lang.c.records) {
        snprintf(labels[k], AUDIT_BUF, "%s", st->other_lang.name);
        rows[k++] = &st->other_lang.c;
    }

    fputs("<h2>Per language</h2>\n", f);
    audit_report_table(st, f, "language", (const char **) labels, rows, k);

    fputs("<footer>To check this log yourself: <code>consent-audit verify "
          "--keys KEYFILE", f);

    for (k = 0; k < a->nfiles; k++) {
        fputc(' ', f);
        audit_put_html(f, a->files[k]);
    }

    fputs("</code>. Record fields are explained in docs/audit-log.md."
          "</footer>\n</body>\n</html>\n", f);

done:

    for (k = 0; k < nrows; k++) {
        free(labels[k]);
    }

    free(labels);
    free(rows);

    return 0;
}
