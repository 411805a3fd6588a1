
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent-audit verify: every line, chain and (with --keys) HMAC of
 * the log checked, each problem printed where it is, one summary line.
 */


#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"


#define AUDIT_VERIFY_OPTS                                                    \
    (AUDIT_OPT(OPT_JSON) | AUDIT_OPT(OPT_KEYS) | AUDIT_OPT(OPT_PARTIAL))


const char audit_help_verify[] =
"usage: consent-audit verify [--keys FILE] [--partial] [--json] LOG...\n"
"\n"
"Checks every line of the log: its structure, the sequence numbers and\n"
"hash links of every chain (one chain per nginx worker and log\n"
"destination; chains interleave in a file), with --keys the HMAC of\n"
"every line, and that each policy the log stores (the notice shown)\n"
"hashes to the policy_sha256 its records carry.  Any changed byte,\n"
"deleted, inserted, duplicated or reordered record, a record moved\n"
"from another chain and a cut last line are found.  Without --keys,\n"
"someone who rewrites the whole file can recompute the hashes: only\n"
"the HMACs prove who wrote it.\n"
"\n"
"Intact: one summary line (records, checkpoints, chains, time span),\n"
"exit 0.  Otherwise each problem as FILE:LINE: message, then the\n"
"summary, exit 1.  Notes (such as a chain still open at the end of the\n"
"log, normal while nginx runs) are printed as FILE:LINE: note: ... and\n"
"do not fail the check.\n"
"\n"
"options:\n"
"  --keys FILE  the key file of the servers (consent_keys), not readable\n"
"               by others (chmod 600): check HMACs\n"
"  --partial    older rotations were deleted: chains may start mid-way\n"
"  --json       one JSON object: problems, notes and the counts\n"
"\n"
"Give rotated files oldest first.  Exit status: 0 intact, 1 problems,\n"
"2 usage, 3 I/O error.\n";


int
audit_cmd_verify(audit_t *a, int argc, char **argv)
{
    int                            rc;
    char                           first[AUDIT_BUF], last[AUDIT_BUF];
    size_t                         k;
    const consent_verify_stats_t  *vs;

    rc = audit_start(a, argc, argv, AUDIT_VERIFY_OPTS);
    if (rc != 0) {
        return rc < 0 ? AUDIT_OK : rc;
    }

    a->print_all = 1;
    a->problem_out = stdout;
    a->json_problems = a->json;

    if (a->json) {
        fputs("{\"problems\":[\n", stdout);
    }

    rc = audit_run(a);
    if (rc != 0) {
        /* the JSON document is left unfinished: the exit status says */
        return rc;
    }

    vs = consent_verify_stats(a->verify);

    audit_format_ts(vs->ts_first, first, sizeof(first));
    audit_format_ts(vs->ts_last, last, sizeof(last));

    if (a->json) {
        fputs("],\"notes\":[", stdout);

        for (k = 0; k < a->nnotes; k++) {
            fprintf(stdout, "%s\n{\"file\":", k ? "," : "");
            audit_put_json(stdout, a->notes[k].file);
            fprintf(stdout, ",\"line\":%" PRIu64 ",\"message\":",
                    a->notes[k].line);
            audit_put_json(stdout, a->notes[k].msg);
            fputc('}', stdout);
        }

        fprintf(stdout, "],\n\"intact\":%s,\"problem_count\":%" PRIu64
                ",\"hmacs_checked\":%s,\"files\":%zu,\"lines\":%" PRIu64
                ",\"records\":%" PRIu64 ",\"checkpoints\":%" PRIu64
                ",\"chains\":%" PRIu64 ",\"open_chains\":%" PRIu64
                ",\"hmacs\":%" PRIu64,
                a->problems ? "false" : "true", a->problems,
                a->ks ? "true" : "false", a->nfiles,
                vs->lines + a->skipped, vs->records, vs->checkpoints,
                vs->chains, vs->open_chains, vs->hmacs);

        audit_notice_summary(a, stdout, 1);
        fputs(",\"first\":", stdout);

        if (vs->ts_first >= 0) {
            audit_put_json(stdout, first);
            fputs(",\"last\":", stdout);
            audit_put_json(stdout, last);

        } else {
            fputs("null,\"last\":null", stdout);
        }

        fputs("}\n", stdout);

        return a->problems ? AUDIT_PROBLEMS : AUDIT_OK;
    }

    for (k = 0; k < a->nnotes; k++) {
        if (a->notes[k].line) {
            audit_put_text(stdout, a->notes[k].file);
            fprintf(stdout, ":%" PRIu64 ": ", a->notes[k].line);
        }

        fputs("note: ", stdout);
        audit_put_text(stdout, a->notes[k].msg);
        fputc('\n', stdout);
    }

    if (a->notes_dropped) {
        fprintf(stdout, "note: %" PRIu64 " more notes\n", a->notes_dropped);
    }

    if (a->problems) {
        fprintf(stdout, "FAILED: %" PRIu64 " problem%s in ", a->problems,
                a->problems == 1 ? "" : "s");

    } else {
        fputs("OK: ", stdout);
    }

    fprintf(stdout, "%" PRIu64 " record%s, %" PRIu64 " checkpoint%s, %"
            PRIu64 " chain%s",
            vs->records, vs->records == 1 ? "" : "s",
            vs->checkpoints, vs->checkpoints == 1 ? "" : "s",
            vs->chains, vs->chains == 1 ? "" : "s");

    if (vs->ts_first >= 0) {
        fprintf(stdout, ", %s .. %s", first, last);
    }

    fprintf(stdout, ", %zu file%s", a->nfiles, a->nfiles == 1 ? "" : "s");

    if (a->ks) {
        fprintf(stdout, ", %" PRIu64 " HMACs verified\n", vs->hmacs);

    } else {
        fputs(", HMACs not checked (no --keys)\n", stdout);
    }

    audit_notice_summary(a, stdout, 0);

    return a->problems ? AUDIT_PROBLEMS : AUDIT_OK;
}
