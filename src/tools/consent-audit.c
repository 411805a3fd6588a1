
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit: the auditor's tool for the consent log written by
 * ngx_http_consent_module (docs/audit-log.md).  It verifies the hash
 * chains and HMACs, shows the history of one consent and the notice
 * shown, counts choices, exports rows for a spreadsheet, a SIEM or
 * another consent system and draws a self-contained HTML report.  Logs
 * are streamed: verify, show and export run in constant memory; stats
 * and report keep bounded tables.
 *
 * This file holds main(), the dispatch to the subcommands and their
 * help, and the cookies subcommand; each other subcommand has its file
 * in src/tools/audit/, with the helpers they share (audit.h).
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
#include "consent-audit-cookies.h"

#include "tools/audit/audit.h"


#define AUDIT_COOKIES_OPTS                                                   \
    (AUDIT_OPT(OPT_POLICY) | AUDIT_OPT(OPT_INVENTORY)                        \
     | AUDIT_OPT(OPT_FORMAT) | AUDIT_OPT(OPT_LANG) | AUDIT_OPT(OPT_SITE)     \
     | AUDIT_OPT(OPT_HOSTS))


typedef struct {
    const char         *name;
    int               (*run)(audit_t *a, int argc, char **argv);
    const char         *help;
} audit_cmd_t;


static int audit_main(int argc, char **argv);
static int audit_dispatch(audit_t *a, int argc, char **argv);
static const audit_cmd_t *audit_cmd_find(const char *name);
static int audit_cmd_compare(audit_t *a, int argc, char **argv);
static int audit_cmd_keygen(audit_t *a, int argc, char **argv);
static void audit_cleanup(audit_t *a);


static int audit_cmd_cookies(audit_t *a, int argc, char **argv);
static char *audit_slurp(const char *path, size_t *len);
static void audit_cookies_print(audit_t *a, FILE *f,
    const consent_policy_t *p, const consent_decl_row_t *rows, size_t n,
    int html);


static const char audit_help_main[] =
"usage: consent-audit [--json] COMMAND [OPTIONS] LOG...\n"
"\n"
"Checks and queries the consent log written by ngx_http_consent_module\n"
"(directive consent_log): one JSON record a line, in hash chains, each\n"
"line signed with the log key.\n"
"\n"
"commands:\n"
"  verify   check every record, the hash chains and (with --keys) HMACs\n"
"  show     the full history of one consent id, or of a cookie, with\n"
"           the notice the visitor was shown\n"
"  stats    choices per action and mechanism, acceptance per category,\n"
"           per policy revision, per language, per period\n"
"  export   one row per consent record: CSV, JSON lines or ISO/IEC TS\n"
"           27560 consent records\n"
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


static const char audit_help_cookies[] =
"usage: consent-audit cookies --policy FILE [--inventory FILE]\n"
"                             [--format csv|html] [--lang L] [--site D]\n"
"                             [--hosts]\n"
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
"                        (the declaration's max_age)\n"
"  set-by-script         sent by browsers, never seen set by a response\n"
"and, with the inventory, the third-party hosts the site's pages load\n"
"from (a second table in HTML; the CSV with --hosts), flagged:\n"
"  undeclared-host       a host of the pages' URLs that no tracker rule\n"
"                        of the policy (nor a data-consent mark)\n"
"                        classifies\n"
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
"  --hosts           CSV: the third-party hosts' table instead\n"
"\n"
"Exit status: 0 nothing flagged, 1 rows flagged, 2 usage, 3 I/O or a\n"
"policy or inventory that cannot be read.\n";


/* the commands: a new one is a row here and a file in src/tools/audit/ */

static const audit_cmd_t  audit_cmds[] = {
    { "verify", audit_cmd_verify, audit_help_verify },
    { "show", audit_cmd_show, audit_help_show },
    { "stats", audit_cmd_stats, audit_help_stats },
    { "export", audit_cmd_export, audit_help_export },
    { "report", audit_cmd_report, audit_help_report },
    { "compare", audit_cmd_compare, consent_audit_compare_help },
    { "cookies", audit_cmd_cookies, audit_help_cookies },
    { "keygen", audit_cmd_keygen, consent_keygen_help },
    { NULL, NULL, NULL }
};


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
    const audit_cmd_t  *c;

    if (strcmp(a->cmd, "help") == 0) {
        if (argc > 0) {
            audit_help(argv[0]);
        } else {
            fputs(audit_help_main, stdout);
        }

        return AUDIT_OK;
    }

    c = audit_cmd_find(a->cmd);

    if (c == NULL) {
        return audit_usage_error(NULL, "unknown command \"%s\"", a->cmd);
    }

    return c->run(a, argc, argv);
}


static const audit_cmd_t *
audit_cmd_find(const char *name)
{
    const audit_cmd_t  *c;

    for (c = audit_cmds; c->name != NULL; c++) {
        if (strcmp(c->name, name) == 0) {
            return c;
        }
    }

    return NULL;
}


/* compare and keygen are programs of their own, run with their arguments */

static int
audit_cmd_compare(audit_t *a, int argc, char **argv)
{
    return consent_audit_compare(argc, argv, a->json);
}


static int
audit_cmd_keygen(audit_t *a, int argc, char **argv)
{
    return consent_keygen_main(argc, argv);
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
    const audit_cmd_t  *c;

    c = audit_cmd_find(cmd);

    fputs(c != NULL ? c->help : audit_help_main, stdout);
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
    size_t                    i, n, len, hosts;
    consent_policy_t         *p;
    consent_inventory_t      *inv;
    consent_decl_row_t       *rows;

    rc = audit_parse_args(a, argc, argv, AUDIT_COOKIES_OPTS);
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

    rc = AUDIT_OK;

    if (a->hosts && !html) {
        /* CSV: the hosts' table alone */
        hosts = consent_audit_hosts_print(stdout, p, inv,
                                          a->lang ? a->lang
                                                  : p->default_lang,
                                          0, audit_put_csv);

    } else {
        audit_cookies_print(a, stdout, p, rows, n, html);

        for (i = 0; i < n; i++) {
            if (rows[i].flags) {
                rc = AUDIT_PROBLEMS;
            }
        }

        if (html) {
            hosts = consent_audit_hosts_print(stdout, p, inv,
                                              a->lang ? a->lang
                                                      : p->default_lang,
                                              1, audit_put_html);
            fputs("</body>\n</html>\n", stdout);

        } else {
            hosts = inv ? consent_inventory_undeclared_hosts(inv->entries,
                                                             inv->n, NULL)
                        : 0;

            if (hosts) {
                fprintf(stderr, "consent-audit: %zu undeclared third-party "
                        "host(s): --hosts lists them\n", hosts);
            }
        }
    }

    if (hosts) {
        rc = AUDIT_PROBLEMS;
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
        /* the hosts' section and the page's end follow */
        fputs("</tbody>\n</table>\n", f);
    }
}
