
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit export: one row per consent record, CSV (safe for a
 * spreadsheet), JSON lines, or ISO/IEC TS 27560 records (iso27560.c).
 */


#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"


#define AUDIT_EXPORT_OPTS                                                    \
    (AUDIT_OPT(OPT_JSON) | AUDIT_OPT(OPT_KEYS) | AUDIT_OPT(OPT_PARTIAL)      \
     | AUDIT_OPT(OPT_FORMAT) | AUDIT_OPT(OPT_SINCE) | AUDIT_OPT(OPT_UNTIL))


static void audit_export_csv_header(void);
static void audit_export_record(audit_t *a, const audit_rec_t *r);

const char audit_help_export[] =
"usage: consent-audit export [--format csv|json|iso27560] [--since T]\n"
"                            [--until T] [--keys FILE] LOG...\n"
"\n"
"Writes one row per consent record on standard output, in log order\n"
"(checkpoints are left out).\n"
"\n"
"  csv   RFC 4180, a header row, CRLF line ends, UTF-8.  Columns: ts,\n"
"        id, action, mechanism, revision, policy_sha256, granted,\n"
"        denied (category ids separated by spaces), gpc (1 or 0),\n"
"        lang, host, page, ua, ip, kid, chain, seq, file, line.  A cell\n"
"        that starts with = + - @, a tab or a carriage return gets a\n"
"        leading ' so that a spreadsheet does not run it as a formula\n"
"        (an id can start with -): remove it to get the logged value.\n"
"  json  one JSON object a line (JSON lines) with the same fields, the\n"
"        values exactly as logged.\n"
"  iso27560  one JSON object a line, each record as an ISO/IEC TS 27560\n"
"        consent record (schema_version, record_id, pii_principal_id,\n"
"        privacy_notice, language, purposes, events...), the texts from\n"
"        the policy stored in the log; fields the module cannot know\n"
"        are null (docs/audit-log.md).\n"
"\n"
"options:\n"
"  --format F   csv (default), json or iso27560; --json is --format json\n"
"  --since T, --until T   as for stats\n"
"  --keys FILE  check HMACs while reading\n"
"  --partial    older rotations were deleted (as for verify)\n"
"\n"
"The log is verified as it is read; problems are printed on standard\n"
"error and make the exit status 1.  Exit status: 0 ok, 1 problems,\n"
"2 usage, 3 I/O error.\n";


int
audit_cmd_export(audit_t *a, int argc, char **argv)
{
    int                       rc;

    rc = audit_parse_args(a, argc, argv, AUDIT_EXPORT_OPTS);
    if (rc != 0) {
        return rc < 0 ? AUDIT_OK : rc;
    }

    if (a->format == NULL) {
        a->format = a->json ? "json" : "csv";
    }

    if (strcmp(a->format, "csv") == 0) {
        a->json = 0;

    } else if (strcmp(a->format, "json") == 0) {
        a->json = 1;

    } else if (strcmp(a->format, "iso27560") == 0) {
        a->json = 1;
        a->keep_policies = 1;

    } else {
        return audit_usage_error(a->cmd, "--format: \"%s\": csv, json or "
                                 "iso27560 expected", a->format);
    }

    rc = audit_open(a);
    if (rc != 0) {
        return rc;
    }

    if (!a->json) {
        audit_export_csv_header();
    }

    a->parse = 1;
    a->handler = a->keep_policies ? audit_iso27560_record
                                  : audit_export_record;

    rc = audit_run(a);
    if (rc != 0) {
        return rc;
    }

    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "consent-audit: writing the export: %s\n",
                strerror(errno));
        return AUDIT_IO;
    }

    audit_problems_tail(a);

    return a->problems ? AUDIT_PROBLEMS : AUDIT_OK;
}


static void
audit_export_csv_header(void)
{
    fputs("ts,id,action,mechanism,revision,policy_sha256,granted,denied,"
          "gpc,lang,host,page,ua,ip,kid,chain,seq,file,line\r\n", stdout);
}


static void
audit_export_record(audit_t *a, const audit_rec_t *r)
{
    FILE        *f;
    char        *list, num[32];
    size_t       i, n, len, pos;
    json_t      *arr;
    const char  *s, *head[4], *tail[7];
    int          which;

    f = stdout;
    a->rows++;

    if (a->json) {
        audit_put_member(f, "{\"ts\":", r->ts);
        audit_put_member(f, ",\"id\":", r->id);
        audit_rec_json_choice(f, r);
        audit_put_member(f, ",\"ua\":", r->ua);
        audit_put_member(f, ",\"ip\":", r->ip);
        audit_put_member(f, ",\"kid\":", r->kid);
        audit_put_member(f, ",\"chain\":", r->chain);
        fprintf(f, ",\"seq\":%" PRIu64 ",\"file\":", r->seq);
        audit_put_json(f, r->file);
        fprintf(f, ",\"line\":%" PRIu64 "}\n", r->line);
        return;
    }

    head[0] = r->ts;
    head[1] = r->id;
    head[2] = r->action;
    head[3] = r->mechanism;
    audit_put_csv_fields(f, head, 4);
    fprintf(f, ",%" JSON_INTEGER_FORMAT ",", r->revision);
    audit_put_csv(f, r->policy);

    for (which = 0; which < 2; which++) {
        arr = which ? r->denied : r->granted;
        len = audit_list_len(arr) + 1;

        list = malloc(len);
        if (list == NULL) {
            fputs(",", f);
            continue;
        }

        pos = 0;
        n = json_array_size(arr);

        for (i = 0; i < n; i++) {
            s = json_string_value(json_array_get(arr, i));
            s = s ? s : "";

            if (i) {
                list[pos++] = ' ';
            }

            memcpy(list + pos, s, strlen(s));
            pos += strlen(s);
        }

        list[pos] = '\0';

        fputc(',', f);
        audit_put_csv(f, list);
        free(list);
    }

    fprintf(f, ",%d,", r->gpc ? 1 : 0);
    tail[0] = r->lang;
    tail[1] = r->host;
    tail[2] = r->page;
    tail[3] = r->ua;
    tail[4] = r->ip;
    tail[5] = r->kid;
    tail[6] = r->chain;
    audit_put_csv_fields(f, tail, 7);
    snprintf(num, sizeof(num), "%" PRIu64, r->seq);
    fprintf(f, ",%s,", num);
    audit_put_csv(f, r->file);
    fprintf(f, ",%" PRIu64 "\r\n", r->line);
}
