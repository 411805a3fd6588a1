
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit show: the history of one consent id, or of a cookie
 * (its MAC checked), each record with the notice the visitor was shown
 * (notice.c).
 */


#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"


#define AUDIT_SHOW_OPTS                                                      \
    (AUDIT_OPT(OPT_JSON) | AUDIT_OPT(OPT_KEYS) | AUDIT_OPT(OPT_COOKIE)       \
     | AUDIT_OPT(OPT_COOKIE_NAME))


static void audit_show_record(audit_t *a, const audit_rec_t *r);
static void audit_show_print(audit_t *a, const audit_rec_t *r);
static int audit_show_cookie(audit_t *a, consent_token_t *tok, int *state);
static void audit_show_cookie_print(audit_t *a, const consent_token_t *tok,
    int state);

const char audit_help_show[] =
"usage: consent-audit show [--keys FILE] [--json] ID LOG...\n"
"       consent-audit show --cookie VALUE --keys FILE [--cookie-name N]\n"
"                          [--json] LOG...\n"
"\n"
"The full history of one consent id (the 22 characters of the cookie's\n"
"id field and of the log's \"id\"): every record, in log order, with\n"
"time, action, mechanism, policy revision and hash (which notice the\n"
"visitor saw), categories granted and denied, Global Privacy Control,\n"
"page and language, and the notice itself: the banner's texts and\n"
"categories in the visitor's language, rendered by the module's own\n"
"code from the policy the log stores (checked against its hash).\n"
"\n"
"With --cookie, the value of a consent cookie: its fields, its key id\n"
"and whether its MAC verifies with the key file, then the history of\n"
"its id and the log record written when it was issued.  The MAC check\n"
"ignores the cookie's age and the policy now in force: it proves the\n"
"servers signed exactly these fields.\n"
"\n"
"The log is verified as it is read (with --keys, HMACs too); problems\n"
"are printed on standard error.\n"
"\n"
"options:\n"
"  --keys FILE         the key file (required with --cookie)\n"
"  --cookie VALUE      a cookie value instead of an id\n"
"  --cookie-name NAME  the cookie's name, part of its MAC (consent)\n"
"  --json              one JSON object\n"
"\n"
"Exit status: 0 found (and the cookie verifies), 1 not found, cookie\n"
"invalid or problems in the log, 2 usage, 3 I/O error.\n";


int
audit_cmd_show(audit_t *a, int argc, char **argv)
{
    int                       rc, state;
    size_t                    i;
    unsigned char             raw[CONSENT_ID_LEN];
    char                      idbuf[CONSENT_ID_B64_LEN + 1];
    consent_token_t           tok;

    rc = audit_parse_args(a, argc, argv, AUDIT_SHOW_OPTS);
    if (rc != 0) {
        return rc < 0 ? AUDIT_OK : rc;
    }

    state = -1;
    memset(&tok, 0, sizeof(consent_token_t));

    if (a->cookie) {
        if (a->keys_path == NULL) {
            return audit_usage_error(a->cmd, "--cookie needs --keys FILE");
        }

        rc = audit_open(a);
        if (rc != 0) {
            return rc;
        }

        if (audit_show_cookie(a, &tok, &state) != 0) {
            fputs("cookie     ", stdout);
            audit_put_text(stdout, a->cookie);
            fputs("\n  INVALID: not a consent cookie value "
                  "(1.KID.ISSUED.REVISION.GRANTED.ID.MAC or "
                  "2.KID.ISSUED.REVISION.GRANTED.ID.REGIME.MAC)\n", stdout);
            return AUDIT_PROBLEMS;
        }

        consent_id_format(tok.id, idbuf);
        a->id = idbuf;

    } else {
        if (a->nfiles == 0) {
            return audit_usage_error(a->cmd, "no consent id given");
        }

        a->id = a->files[0];

        for (i = 1; i <= a->nfiles; i++) {
            a->files[i - 1] = a->files[i];
        }

        a->nfiles--;

        if (consent_id_parse(a->id, strlen(a->id), raw) != 0) {
            return audit_usage_error(a->cmd, "\"%s\" is not a consent id "
                                     "(22 characters of base64url)", a->id);
        }

        rc = audit_open(a);
        if (rc != 0) {
            return rc;
        }
    }

    a->parse = 1;
    a->keep_policies = 1;
    a->handler = audit_show_record;

    if (a->json) {
        fputs("{\"id\":", stdout);
        audit_put_json(stdout, a->id);

        if (a->cookie) {
            fputs(",\"cookie\":", stdout);
            audit_show_cookie_print(a, &tok, state);
        }

        fputs(",\"records\":[", stdout);

    } else {
        if (a->cookie) {
            audit_show_cookie_print(a, &tok, state);
        }

        fputs("consent id ", stdout);
        audit_put_text(stdout, a->id);
        fputs("\n", stdout);
    }

    rc = audit_run(a);
    if (rc != 0) {
        return rc;
    }

    if (a->json) {
        fprintf(stdout, "],\"found\":%" PRIu64, a->found);

        if (a->cookie && a->cookie_file) {
            fputs(",\"cookie_record\":{\"file\":", stdout);
            audit_put_json(stdout, a->cookie_file);
            fprintf(stdout, ",\"line\":%" PRIu64 ",\"matches\":%s,"
                    "\"later_records\":%" PRIu64 "}", a->cookie_line,
                    a->cookie_mismatch ? "false" : "true", a->cookie_later);

        } else if (a->cookie) {
            fputs(",\"cookie_record\":null", stdout);
        }

        fprintf(stdout, ",\"log_intact\":%s,\"problem_count\":%" PRIu64
                ",\"hmacs_checked\":%s}\n", a->problems ? "false" : "true",
                a->problems, a->ks ? "true" : "false");

    } else {
        if (a->found == 0) {
            fputs("  no record of this id in the log\n", stdout);

        } else {
            fprintf(stdout, "%" PRIu64 " record%s", a->found,
                    a->found == 1 ? "" : "s");

            if (a->last_action[0]) {
                fputs("; the last choice is a ", stdout);
                audit_put_text(stdout, a->last_action);
            }

            fputs("\n", stdout);
        }

        if (a->cookie && a->cookie_file) {
            fputs("the record of the cookie (written in the second it was "
                  "issued): ", stdout);
            audit_put_text(stdout, a->cookie_file);
            fprintf(stdout, ":%" PRIu64 "\n", a->cookie_line);

            if (a->cookie_mismatch) {
                fputs("WARNING: the cookie does not match that record: the "
                      "revision or the number of categories granted "
                      "differ\n", stdout);
            }

            if (a->cookie_later) {
                fprintf(stdout, "%" PRIu64 " later record%s of this id: a "
                        "later choice replaced this cookie\n",
                        a->cookie_later, a->cookie_later == 1 ? "" : "s");
            }

        } else if (a->cookie) {
            fputs("NO record of this id was written in the second the "
                  "cookie was issued\n", stdout);
        }

        fprintf(stdout, "log: %s", a->problems ? "NOT intact" : "intact");

        if (a->problems) {
            fprintf(stdout, " (%" PRIu64 " problems)", a->problems);
        }

        fprintf(stdout, ", HMACs %s\n",
                a->ks ? "verified" : "not checked (no --keys)");
    }

    audit_problems_tail(a);

    if (a->problems || a->found == 0
        || (a->cookie && (state != CONSENT_STATE_VALID
                          || a->cookie_file == NULL || a->cookie_mismatch)))
    {
        return AUDIT_PROBLEMS;
    }

    return AUDIT_OK;
}


static void
audit_show_record(audit_t *a, const audit_rec_t *r)
{
    int     i, agrees;
    size_t  bits;

    if (strcmp(r->id, a->id) != 0) {
        return;
    }

    a->found++;

    if (strlen(r->action) < sizeof(a->last_action)) {
        memcpy(a->last_action, r->action, strlen(r->action) + 1);
    }

    /*
     * The endpoint writes the record and signs the cookie in the same
     * second; of several records in that second, one that agrees.
     */

    if (a->cookie && r->ts_ms / 1000 == a->cookie_issued
        && (a->cookie_file == NULL || a->cookie_mismatch))
    {
        bits = 0;

        for (i = 0; i < 32; i++) {
            bits += (a->cookie_granted >> i) & 1;
        }

        agrees = r->revision == (json_int_t) a->cookie_revision
                 && json_array_size(r->granted) == bits;

        if (a->cookie_file == NULL || agrees) {
            a->cookie_file = r->file;
            a->cookie_line = r->line;
            a->cookie_mismatch = !agrees;
            a->cookie_later = 0;
            audit_show_print(a, r);
            return;
        }
    }

    if (a->cookie_file) {
        a->cookie_later++;
    }

    audit_show_print(a, r);
}


static void
audit_show_print(audit_t *a, const audit_rec_t *r)
{
    FILE  *f;

    f = stdout;

    if (a->json) {
        fprintf(f, "%s\n{\"ts\":", a->found > 1 ? "," : "");
        audit_put_json(f, r->ts);
        audit_rec_json_choice(f, r);
        audit_put_member(f, ",\"kid\":", r->kid);
        audit_put_member(f, ",\"file\":", r->file);
        fprintf(f, ",\"line\":%" PRIu64, r->line);
        audit_notice_json(a, r, f);
        fputs("}", f);
        return;
    }

    fputs("\n  ", f);
    audit_put_text(f, r->ts);
    fputs("  ", f);
    audit_put_text(f, r->action);
    fputs(" by ", f);
    audit_put_text(f, r->mechanism);
    fprintf(f, "  (%s:%" PRIu64 ")\n", r->file, r->line);

    fprintf(f, "    policy    revision %" JSON_INTEGER_FORMAT ", sha256 ",
            r->revision);
    audit_put_text(f, r->policy);
    fputs("\n    granted   ", f);
    audit_put_list(f, r->granted, " ");
    fputs("\n    denied    ", f);
    audit_put_list(f, r->denied, " ");
    fprintf(f, "\n    gpc       %s", r->gpc ? "yes (Sec-GPC: 1 was sent)"
                                             : "no");

    if (r->regime[0]) {
        fputs("\n    regime    ", f);
        audit_put_text(f, r->regime);
    }

    fputs("\n    lang      ", f);
    audit_put_text(f, r->lang[0] ? r->lang : "-");
    fputs("\n    page      ", f);
    audit_put_text(f, r->host);
    audit_put_text(f, r->page);
    fputs("\n", f);
    audit_notice_text(a, r, f);
}


/*
 * Splits the cookie for display and checks its MAC alone: now is its own
 * issue time and the revision in force its own, so that neither its age
 * nor a newer policy hides whether the servers signed it.
 */
static int
audit_show_cookie(audit_t *a, consent_token_t *tok, int *state)
{
    char                *p, *dot;
    size_t               len, nfields;
    const char          *fields[8];
    char                 copy[CONSENT_TOKEN_MAX + 1];
    consent_token_t      t;
    unsigned long long   issued, revision;

    len = strlen(a->cookie);
    if (len == 0 || len > CONSENT_TOKEN_MAX) {
        return -1;
    }

    memcpy(copy, a->cookie, len + 1);

    nfields = 0;
    p = copy;

    for ( ;; ) {
        if (nfields == 8) {
            return -1;
        }

        fields[nfields++] = p;

        dot = strchr(p, '.');
        if (dot == NULL) {
            break;
        }

        *dot = '\0';
        p = dot + 1;
    }

    /* format 2 carries the regime before the MAC */

    if ((nfields != 7 && !(nfields == 8 && strcmp(fields[0], "2") == 0))
        || strlen(fields[5]) != CONSENT_ID_B64_LEN)
    {
        return -1;
    }

    memset(tok, 0, sizeof(consent_token_t));

    if (nfields == 8) {
        snprintf(tok->regime, sizeof(tok->regime), "%s", fields[6]);
    }

    if (consent_id_parse(fields[5], CONSENT_ID_B64_LEN, tok->id) != 0) {
        return -1;
    }

    /* strtoull() alone would take blanks and signs */

    if (fields[2][0] < '0' || fields[2][0] > '9'
        || fields[3][0] < '0' || fields[3][0] > '9')
    {
        return -1;
    }

    errno = 0;
    issued = strtoull(fields[2], &p, 10);
    if (errno || *p || issued > 9999999999ULL) {
        return -1;
    }

    revision = strtoull(fields[3], &p, 10);
    if (errno || *p || revision > UINT32_MAX) {
        return -1;
    }

    a->cookie_issued = (int64_t) issued;
    a->cookie_revision = (uint32_t) revision;

    /* shown as sent, even when the MAC does not verify */

    tok->issued = (int64_t) issued;
    tok->revision = (uint32_t) revision;
    tok->granted = (uint32_t) strtoul(fields[4], NULL, 16);
    a->cookie_granted = tok->granted;
    snprintf(tok->kid, sizeof(tok->kid), "%s", fields[1]);

    *state = consent_token_verify(a->ks, a->cookie_name,
                                  strlen(a->cookie_name), a->cookie, len,
                                  (int64_t) issued, (uint32_t) revision,
                                  CONSENT_MAX_AGE_MAX, &t);

    return 0;
}


static void
audit_show_cookie_print(audit_t *a, const consent_token_t *tok, int state)
{
    int          i, first, known;
    char         ts[AUDIT_BUF];
    const char  *verdict;

    known = consent_keyset_find(a->ks, tok->kid, strlen(tok->kid)) != NULL;

    if (state == CONSENT_STATE_VALID) {
        verdict = "valid: the MAC verifies, the servers signed these fields";

    } else if (!known) {
        verdict = "INVALID: its key id is not in the key file";

    } else {
        verdict = "INVALID: malformed, or the MAC does not verify (forged "
                  "or altered, or another key)";
    }

    audit_format_ts(tok->issued * 1000, ts, sizeof(ts));

    if (a->json) {
        fprintf(stdout, "{\"value\":");
        audit_put_json(stdout, a->cookie);
        fprintf(stdout, ",\"name\":");
        audit_put_json(stdout, a->cookie_name);
        fprintf(stdout, ",\"mac_valid\":%s,\"kid\":",
                state == CONSENT_STATE_VALID ? "true" : "false");
        audit_put_json(stdout, tok->kid);
        fprintf(stdout, ",\"kid_known\":%s,\"issued\":%" PRId64
                ",\"issued_ts\":\"%s\",\"revision\":%" PRIu32
                ",\"granted_mask\":%" PRIu32 ",\"granted_bits\":[",
                known ? "true" : "false", tok->issued, ts, tok->revision,
                tok->granted);

        first = 1;

        for (i = 0; i < 32; i++) {
            if (tok->granted & ((uint32_t) 1 << i)) {
                fprintf(stdout, "%s%d", first ? "" : ",", i);
                first = 0;
            }
        }

        fputs("],\"regime\":", stdout);
        audit_put_json(stdout, tok->regime[0] ? tok->regime : "opt-in");
        fputs(",\"verdict\":", stdout);
        audit_put_json(stdout, verdict);
        fputc('}', stdout);
        return;
    }

    fputs("cookie     ", stdout);
    audit_put_text(stdout, a->cookie);
    fputs("\n  MAC      ", stdout);
    fputs(verdict, stdout);
    fputs("\n  kid      ", stdout);
    audit_put_text(stdout, tok->kid);
    fprintf(stdout, "%s\n  issued   %" PRId64 " (%s)\n"
            "  revision %" PRIu32 " (of the policy the visitor saw)\n"
            "  granted  mask %" PRIx32 ", category positions in the "
            "policy:", known ? "" : " (not in the key file)", tok->issued,
            ts, tok->revision, tok->granted);

    first = 1;

    for (i = 0; i < 32; i++) {
        if (tok->granted & ((uint32_t) 1 << i)) {
            fprintf(stdout, " %d", i);
            first = 0;
        }
    }

    fputs(first ? " none" : "", stdout);
    fputs("\n  regime   ", stdout);
    audit_put_text(stdout, tok->regime[0] ? tok->regime : "opt-in");

    fprintf(stdout, "%s\n  note     the MAC check ignores the cookie's "
            "age and the policy in force now\n", "");
}
