
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit: the auditor's tool for the consent log written by
 * ngx_http_consent_module (docs/audit-log.md).  It verifies the hash
 * chains and HMACs, shows the history of one consent, counts choices,
 * exports rows for a spreadsheet or a SIEM and draws a self-contained
 * HTML report.  Logs are streamed: verify, show and export run in
 * constant memory; stats and report keep bounded tables.
 */


#define _GNU_SOURCE             /* memmem() */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "consent_policy.h"
#include "consent_record.h"
#include "consent_token.h"
#include "consent_verify.h"
#include "tools/consent-audit-compare.h"
#include "consent_inventory.h"
#include "consent-keygen.h"

#include "tools/audit/audit.h"


static int audit_main(int argc, char **argv);
static int audit_dispatch(audit_t *a, int argc, char **argv);
static void audit_cleanup(audit_t *a);


static int audit_cmd_report(audit_t *a, int argc, char **argv);
static int audit_cmd_cookies(audit_t *a, int argc, char **argv);
static char *audit_slurp(const char *path, size_t *len);
static void audit_cookies_print(audit_t *a, FILE *f,
    const consent_policy_t *p, const consent_decl_row_t *rows, size_t n,
    int html);


static int audit_report_write(audit_t *a, FILE *f);
static void audit_report_chart_time(audit_stats_t *st, audit_by_e want,
    FILE *f);
static void audit_report_chart_cats(audit_stats_t *st, FILE *f);
static void audit_report_table(audit_stats_t *st, FILE *f, const char *col,
    const char **labels, audit_counts_t **rows, size_t n);


/* Okabe-Ito colours: told apart with any colour vision */
static const char *audit_act_colours[AUDIT_NACTS] = {
    "#009e73", "#0072b2", "#e69f00", "#d55e00", "#999999"
};


static const char audit_help_main[] =
"usage: consent-audit [--json] COMMAND [OPTIONS] LOG...\n"
"\n"
"Checks and queries the consent log written by ngx_http_consent_module\n"
"(directive consent_log): one JSON record a line, in hash chains, each\n"
"line signed with the log key.\n"
"\n"
"commands:\n"
"  verify   check every record, the hash chains and (with --keys) HMACs\n"
"  show     the full history of one consent id, or of a cookie\n"
"  stats    choices per action and mechanism, acceptance per category,\n"
"           per policy revision, per language, per period\n"
"  export   one row per consent record: CSV or JSON lines\n"
"  report   one self-contained HTML file for an audit file\n"
"  compare  a collector's copy against the servers' files: every record\n"
"           missing at either side\n"
"  cookies  the cookie declaration table, from the policy and the\n"
"           inventory (consent_inventory), with what does not match\n"
"  keygen   a new key file for consent_keys (mode 0600)\n"
"\n"
"Run \"consent-audit COMMAND --help\" for the options of a command.\n"
"\n"
"LOG is a log file, a gzip-compressed one (recognised by its content,\n"
"whatever its name) or \"-\" for standard input.  Files are read in the\n"
"order given, as one log: give rotated files oldest first, e.g.\n"
"  consent-audit verify consent.log.2.gz consent.log.1 consent.log\n"
"\n"
"global options:\n"
"  --json   machine-readable output (JSON) for verify, show, stats, and\n"
"           export (JSON lines)\n"
"  --help   this text\n"
"\n"
"exit status (every command):\n"
"  0  success; the log is intact (for verify: every check passed)\n"
"  1  verification failed or problems found in the log, each reported\n"
"     as FILE:LINE: message (show: also the id or cookie not found or\n"
"     the cookie does not verify)\n"
"  2  usage error\n"
"  3  I/O error: a file is missing or cannot be read or written\n";


static const char audit_help_report[] =
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

static const char audit_help_cookies[] =
"usage: consent-audit cookies --policy FILE [--inventory FILE]\n"
"                             [--format csv|html] [--lang L] [--site D]\n"
"\n"
"The cookie declaration table: one row for each cookie the policy's\n"
"categories declare (name, category, provider, purpose, lifetime,\n"
"first or third party), then, with --inventory (the JSON answered by\n"
"a consent_inventory location, saved to a file), one row for each\n"
"cookie the site was seen setting or browsers sending that the policy\n"
"does not declare.  With the inventory, each row says how often the\n"
"cookie was set, set for a visitor who had refused its category, and\n"
"sent, and the longest Max-Age seen, and flags:\n"
"  undeclared            seen, but no category declares it\n"
"  set-while-refused     set for visitors who had not granted its\n"
"                        category (stripped with consent_strip_cookies)\n"
"  longer-than-declared  a Max-Age longer than the declared lifetime\n"
"                        (read from its English text)\n"
"  set-by-script         sent by browsers, never seen set by a response\n"
"\n"
"options:\n"
"  --policy FILE     the policy file (consent_policy)\n"
"  --inventory FILE  the inventory, as JSON\n"
"  --format F        csv (default: RFC 4180, a header row) or html (one\n"
"                    self-contained page)\n"
"  --lang L          the language of the texts (the policy's default)\n"
"  --site D          the site's domain: a cookie declared on a domain\n"
"                    the site is not under is third-party (without it,\n"
"                    every cookie declared with a domain is)\n"
"\n"
"Exit status: 0 nothing flagged, 1 rows flagged, 2 usage, 3 I/O or a\n"
"policy or inventory that cannot be read.\n";


int
main(int argc, char **argv)
{
    return audit_main(argc, argv);
}


static int
audit_main(int argc, char **argv)
{
    int          i, rc, json;
    audit_t      a;
    const char  *cmd;

    json = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
            continue;
        }

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(audit_help_main, stdout);
            return AUDIT_OK;
        }

        break;
    }

    if (i == argc) {
        fputs(audit_help_main, stderr);
        return AUDIT_USAGE;
    }

    cmd = argv[i];

    if (cmd[0] == '-') {
        return audit_usage_error(NULL, "unknown option \"%s\" before the "
                                 "command", cmd);
    }

    memset(&a, 0, sizeof(audit_t));
    a.cmd = cmd;
    a.json = json;
    a.since = AUDIT_TS_MIN;
    a.until = AUDIT_TS_MAX;
    a.cookie_name = "consent";

    argc -= i + 1;
    argv += i + 1;

    rc = audit_dispatch(&a, argc, argv);

    audit_cleanup(&a);

    if (fflush(stdout) != 0 && rc != AUDIT_USAGE && rc != AUDIT_IO) {
        fprintf(stderr, "consent-audit: standard output: %s\n",
                strerror(errno));
        return AUDIT_IO;
    }

    return rc;
}


static int
audit_dispatch(audit_t *a, int argc, char **argv)
{
    const char  *cmd;

    cmd = a->cmd;

    if (strcmp(cmd, "verify") == 0) {
        return audit_cmd_verify(a, argc, argv);
    }

    if (strcmp(cmd, "show") == 0) {
        return audit_cmd_show(a, argc, argv);
    }

    if (strcmp(cmd, "stats") == 0) {
        return audit_cmd_stats(a, argc, argv);
    }

    if (strcmp(cmd, "export") == 0) {
        return audit_cmd_export(a, argc, argv);
    }

    if (strcmp(cmd, "report") == 0) {
        return audit_cmd_report(a, argc, argv);
    }

    if (strcmp(cmd, "compare") == 0) {
        return consent_audit_compare(argc, argv, a->json);
    }

    if (strcmp(cmd, "cookies") == 0) {
        return audit_cmd_cookies(a, argc, argv);
    }

    if (strcmp(cmd, "keygen") == 0) {
        return consent_keygen_main(argc, argv);
    }

    if (strcmp(cmd, "help") == 0) {
        if (argc > 0) {
            audit_help(argv[0]);
        } else {
            fputs(audit_help_main, stdout);
        }

        return AUDIT_OK;
    }

    return audit_usage_error(NULL, "unknown command \"%s\"", cmd);
}


static void
audit_cleanup(audit_t *a)
{
    if (a->verify) {
        consent_verify_free(a->verify);
    }

    if (a->ks) {
        consent_keyset_free(a->ks);
    }

    audit_stats_free(a->stats);
    audit_rates_free(a);
    audit_free_msgs(a->kept, a->nkept);
    audit_free_msgs(a->notes, a->nnotes);
    free(a->files);
}


void
audit_help(const char *cmd)
{
    const char  *text;

    if (strcmp(cmd, "verify") == 0) {
        text = audit_help_verify;

    } else if (strcmp(cmd, "show") == 0) {
        text = audit_help_show;

    } else if (strcmp(cmd, "stats") == 0) {
        text = audit_help_stats;

    } else if (strcmp(cmd, "export") == 0) {
        text = audit_help_export;

    } else if (strcmp(cmd, "report") == 0) {
        text = audit_help_report;

    } else if (strcmp(cmd, "compare") == 0) {
        text = consent_audit_compare_help;

    } else if (strcmp(cmd, "cookies") == 0) {
        text = audit_help_cookies;

    } else if (strcmp(cmd, "keygen") == 0) {
        text = consent_keygen_help;

    } else {
        text = audit_help_main;
    }

    fputs(text, stdout);
}


/* output */


/* report */

static int
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


/* stacked bars of the actions per period, the periods rolled up from days */
static void
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


static void
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


static void
audit_report_table(audit_stats_t *st, FILE *f, const char *col,
    const char **labels, audit_counts_t **rows, size_t n)
{
    int     i;
    char    pct[16];
    size_t  k, r;

    if (n == 0) {
        fputs("<p>None.</p>\n", f);
        return;
    }

    fputs("<table>\n<tr><th class=\"l\">", f);
    audit_put_html(f, col);
    fputs("</th><th>records</th>", f);

    for (i = 0; i < AUDIT_ACT_OTHER; i++) {
        fprintf(f, "<th>%s</th>", audit_act_names[i]);
    }

    for (k = 0; k < st->ncats; k++) {
        fputs("<th>", f);
        audit_put_html(f, st->cats[k]);
        fputs(" accepted</th>", f);
    }

    fputs("</tr>\n", f);

    for (r = 0; r < n; r++) {
        fputs("<tr><td class=\"l\">", f);
        audit_put_html(f, labels[r]);
        fprintf(f, "</td><td>%" PRIu64 "</td>", rows[r]->records);

        for (i = 0; i < AUDIT_ACT_OTHER; i++) {
            fprintf(f, "<td>%" PRIu64 "</td>", rows[r]->actions[i]);
        }

        for (k = 0; k < st->ncats; k++) {
            fprintf(f, "<td>%s</td>", audit_pct(rows[r]->granted[k],
                                                rows[r]->asked[k], pct,
                                                sizeof(pct)));
        }

        fputs("</tr>\n", f);
    }

    fputs("</table>\n", f);
}


/* cookies: the declaration table */


static char *
audit_slurp(const char *path, size_t *len)
{
    char    *buf, *nb;
    size_t   cap, n;
    FILE    *f;

    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    cap = 65536;
    n = 0;
    buf = malloc(cap);

    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);

        if (n < cap) {
            break;
        }

        if (cap >= 64 * 1024 * 1024) {
            free(buf);
            buf = NULL;
            break;
        }

        nb = realloc(buf, cap * 2);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
            break;
        }

        buf = nb;
        cap *= 2;
    }

    if (f != stdin) {
        fclose(f);
    }

    *len = n;

    return buf;
}


static int
audit_cmd_cookies(audit_t *a, int argc, char **argv)
{
    int                       rc, html;
    char                      err[512], *json;
    size_t                    i, n, len;
    consent_policy_t         *p;
    consent_inventory_t      *inv;
    consent_decl_row_t       *rows;
    static const audit_opt_t  opts[] = {
        { "--help", 0, OPT_HELP },
        { "--policy", 1, OPT_POLICY },
        { "--inventory", 1, OPT_INVENTORY },
        { "--format", 1, OPT_FORMAT },
        { "--lang", 1, OPT_LANG },
        { "--site", 1, OPT_SITE },
        { NULL, 0, 0 }
    };

    rc = audit_parse_args(a, argc, argv, opts);
    if (rc != 0) {
        return rc < 0 ? AUDIT_OK : rc;
    }

    if (a->nfiles) {
        return audit_usage_error(a->cmd, "no LOG is read: \"%s\"",
                                 a->files[0]);
    }

    if (a->policy_path == NULL) {
        return audit_usage_error(a->cmd, "--policy FILE is required");
    }

    html = 0;

    if (a->format != NULL) {
        if (strcmp(a->format, "html") == 0) {
            html = 1;

        } else if (strcmp(a->format, "csv") != 0) {
            return audit_usage_error(a->cmd, "--format: \"%s\": csv or html "
                                     "expected", a->format);
        }
    }

    p = consent_policy_load(a->policy_path, err, sizeof(err));
    if (p == NULL) {
        fprintf(stderr, "consent-audit: %s: %s\n", a->policy_path, err);
        return AUDIT_IO;
    }

    inv = NULL;

    if (a->inventory_path != NULL) {
        json = audit_slurp(a->inventory_path, &len);

        if (json == NULL) {
            fprintf(stderr, "consent-audit: %s: %s\n", a->inventory_path,
                    strerror(errno ? errno : EIO));
            consent_policy_free(p);
            return AUDIT_IO;
        }

        inv = consent_inventory_parse(json, len, err, sizeof(err));
        free(json);

        if (inv == NULL) {
            fprintf(stderr, "consent-audit: %s: %s\n", a->inventory_path,
                    err);
            consent_policy_free(p);
            return AUDIT_IO;
        }
    }

    rows = consent_declaration(p, inv ? inv->entries : NULL,
                               inv ? inv->n : 0, &n);
    if (rows == NULL) {
        fputs("consent-audit: out of memory\n", stderr);
        consent_inventory_free(inv);
        consent_policy_free(p);
        return AUDIT_IO;
    }

    audit_cookies_print(a, stdout, p, rows, n, html);

    rc = AUDIT_OK;

    for (i = 0; i < n; i++) {
        if (rows[i].flags) {
            rc = AUDIT_PROBLEMS;
        }
    }

    free(rows);
    consent_inventory_free(inv);
    consent_policy_free(p);

    return rc;
}


static void
audit_cookies_print(audit_t *a, FILE *f, const consent_policy_t *p,
    const consent_decl_row_t *rows, size_t n, int html)
{
    int                           third;
    char                          name[CONSENT_COOKIE_NAME_MAX + 2];
    char                          num[4][32], flags[128];
    size_t                        i, k;
    const char                   *lang, *cat, *provider, *purpose, *life;
    const char                   *cell[12];
    const consent_decl_row_t     *r;
    const consent_cookie_decl_t  *d;

    static const char            *head[12] = {
        "name", "category", "provider", "purpose", "lifetime", "party",
        "domain", "set", "set_while_refused", "sent", "max_age", "flags"
    };

    lang = a->lang ? a->lang : p->default_lang;

    if (html) {
        fputs("<!DOCTYPE html>\n<html lang=\"", f);
        audit_put_html(f, lang);
        fputs("\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<title>Cookie declaration</title>\n<style>\n"
              "body{font:14px/1.4 system-ui,sans-serif;margin:2em}\n"
              "table{border-collapse:collapse}\n"
              "th,td{border:1px solid #ccc;padding:.3em .5em;"
              "vertical-align:top;text-align:left}\n"
              "tr.flagged td{background:#fff3cd}\n"
              "</style>\n</head>\n<body>\n<h1>Cookie declaration</h1>\n"
              "<p>Policy revision ", f);
        fprintf(f, "%u, SHA-256 <code>%s</code>.</p>\n<table>\n<thead><tr>",
                (unsigned) p->revision, p->sha256_hex);

        for (k = 0; k < 12; k++) {
            fputs("<th scope=\"col\">", f);
            audit_put_html(f, head[k]);
            fputs("</th>", f);
        }

        fputs("</tr></thead>\n<tbody>\n", f);

    } else {
        for (k = 0; k < 12; k++) {
            fputs(k ? "," : "", f);
            fputs(head[k], f);
        }

        fputs("\r\n", f);
    }

    for (i = 0; i < n; i++) {
        r = &rows[i];
        d = r->decl >= 0 ? &p->cookies[r->decl] : NULL;

        k = r->name_len < CONSENT_COOKIE_NAME_MAX ? r->name_len
                                                  : CONSENT_COOKIE_NAME_MAX;
        memcpy(name, r->name, k);

        if (r->prefix) {
            name[k++] = '*';
        }

        name[k] = '\0';

        cat = r->category >= 0
              ? consent_policy_label(p, (size_t) r->category, lang) : "";
        provider = d && d->provider ? d->provider : "";
        purpose = d ? consent_policy_cookie_purpose(p, r->decl, lang) : NULL;
        life = d ? consent_policy_cookie_lifetime(p, r->decl, lang) : NULL;

        third = d && d->domain
                && (a->site == NULL
                    || !consent_cookie_domain_match(a->site, strlen(a->site),
                                                    d->domain,
                                                    d->domain_len));

        snprintf(num[0], sizeof(num[0]), "%llu", (unsigned long long) r->set);
        snprintf(num[1], sizeof(num[1]), "%llu",
                 (unsigned long long) r->refused);
        snprintf(num[2], sizeof(num[2]), "%llu", (unsigned long long) r->sent);

        if (r->max_age >= 0) {
            snprintf(num[3], sizeof(num[3]), "%lld", (long long) r->max_age);

        } else {
            num[3][0] = '\0';
        }

        snprintf(flags, sizeof(flags), "%s%s%s%s",
                 (r->flags & CONSENT_DECL_UNDECLARED) ? "undeclared " : "",
                 (r->flags & CONSENT_DECL_REFUSED) ? "set-while-refused " : "",
                 (r->flags & CONSENT_DECL_LONGER)
                     ? "longer-than-declared " : "",
                 (r->flags & CONSENT_DECL_SCRIPT) ? "set-by-script " : "");

        k = strlen(flags);

        if (k > 0) {
            flags[k - 1] = '\0';
        }

        cell[0] = name;
        cell[1] = cat ? cat : "";
        cell[2] = provider;
        cell[3] = purpose ? purpose : "";
        cell[4] = life ? life : "";
        cell[5] = d == NULL ? "" : third ? "third" : "first";
        cell[6] = d && d->domain ? d->domain : "";
        cell[7] = num[0];
        cell[8] = num[1];
        cell[9] = num[2];
        cell[10] = num[3];
        cell[11] = flags;

        if (html) {
            fputs(r->flags ? "<tr class=\"flagged\">" : "<tr>", f);

            for (k = 0; k < 12; k++) {
                fputs(k == 0 ? "<td><code>" : "<td>", f);
                audit_put_html(f, cell[k]);
                fputs(k == 0 ? "</code></td>" : "</td>", f);
            }

            fputs("</tr>\n", f);

        } else {
            for (k = 0; k < 12; k++) {
                fputs(k ? "," : "", f);
                audit_put_csv(f, cell[k]);
            }

            fputs("\r\n", f);
        }
    }

    if (html) {
        fputs("</tbody>\n</table>\n</body>\n</html>\n", f);
    }
}
