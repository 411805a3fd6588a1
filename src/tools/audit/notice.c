
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The notice a visitor was shown, proven from the log alone: the
 * policies the module stores in the log ("policy" records, checked
 * against their SHA-256 while the log is verified) rendered by the
 * module's own banner code (consent_proof_notice()) in the visitor's
 * language.  Used by show (per record) and verify (the summary);
 * report fills its template's notices from the same proofs.
 */


#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"


static void audit_notice_lines(FILE *f, const char *text,
    const char *prefix);
static void audit_notice_missing(FILE *f, const char *sha256_hex);


const consent_proof_policy_t *
audit_notice_policy(audit_t *a, const char *sha256_hex)
{
    const struct consent_proof_s  *pf;

    if (a->verify == NULL) {
        return NULL;
    }

    pf = consent_verify_policies(a->verify);

    return pf ? consent_proof_find(pf, sha256_hex) : NULL;
}


void
audit_notice_text(audit_t *a, const audit_rec_t *r, FILE *f)
{
    char                          *text, key[sizeof(a->notice_last)];
    const consent_proof_policy_t  *e;

    e = audit_notice_policy(a, r->policy);

    if (e == NULL || e->stored == 0) {
        audit_notice_missing(f, r->policy);
        return;
    }

    if (e->policy == NULL) {
        fputs("    notice    stored in the log, but this consent-audit "
              "cannot read it: ", f);
        audit_put_text(f, e->parse_error ? e->parse_error : "?");
        fputs("\n", f);
        return;
    }

    /* a history repeats its notice: printed once while it stays */

    (void) snprintf(key, sizeof(key), "%s/%s/%d/%s", r->policy, r->lang,
                    r->gpc, r->regime);

    if (strcmp(key, a->notice_last) == 0) {
        fputs("    notice    the same as above\n", f);
        return;
    }

    memcpy(a->notice_last, key, sizeof(key));

    text = consent_proof_notice(e->policy, r->lang, r->gpc, r->regime,
                                NULL);
    if (text == NULL) {
        fputs("    notice    cannot be rendered (out of memory, or a regime "
              "the stored policy does not have)\n", f);
        return;
    }

    fprintf(f, "    notice    as the banner showed it (revision %" PRId64
            ", language ", e->revision);
    audit_put_text(f, r->lang[0] ? r->lang : e->policy->default_lang);

    if (r->regime[0]) {
        fputs(", regime ", f);
        audit_put_text(f, r->regime);
    }

    fputs(", from the policy stored in the log):\n", f);

    audit_notice_lines(f, text, "      | ");

    free(text);
}


void
audit_notice_json(audit_t *a, const audit_rec_t *r, FILE *f)
{
    char                          *text, *p, *nl;
    const consent_proof_policy_t  *e;

    e = audit_notice_policy(a, r->policy);

    if (e == NULL || e->stored == 0 || e->policy == NULL) {
        fputs(",\"notice\":{\"stored\":", f);
        fputs(e && e->stored ? "true,\"readable\":false}" : "false}", f);
        return;
    }

    text = consent_proof_notice(e->policy, r->lang, r->gpc, r->regime,
                                NULL);

    fprintf(f, ",\"notice\":{\"stored\":true,\"revision\":%" PRId64
            ",\"lang\":", e->revision);
    audit_put_json(f, r->lang[0] ? r->lang : e->policy->default_lang);
    fputs(",\"text\":[", f);

    for (p = text; p && *p; p = nl + 1) {
        nl = strchr(p, '\n');
        *nl = '\0';
        fputs(p == text ? "" : ",", f);
        audit_put_json(f, p);
    }

    fputs("]}", f);

    free(text);
}


/* verify: the policies proven (and named but not stored) */

void
audit_notice_summary(audit_t *a, FILE *f, int json)
{
    size_t                          i;
    uint64_t                        stored, missing;
    const consent_proof_policy_t   *e;
    const struct consent_proof_s   *pf;
    const consent_verify_stats_t   *vs;

    pf = consent_verify_policies(a->verify);
    vs = consent_verify_stats(a->verify);

    stored = 0;
    missing = 0;

    for (i = 0; i < consent_proof_count(pf); i++) {
        e = consent_proof_get(pf, i);

        if (e->stored) {
            stored++;

        } else if (e->uses) {
            missing++;
        }
    }

    if (json) {
        fprintf(f, ",\"policy_records\":%" PRIu64 ",\"policies_stored\":%"
                PRIu64 ",\"policies_not_stored\":%" PRIu64,
                vs->policy_records, stored, missing);
        return;
    }

    if (vs->policy_records == 0) {
        return;
    }

    fprintf(f, "policies: %" PRIu64 " stored in the log (%" PRIu64
            " policy records), each hashing to the policy_sha256 of its "
            "records", stored, vs->policy_records);

    if (missing) {
        fprintf(f, "; %" PRIu64 " named by records but not stored", missing);
    }

    fputs("\n", f);
}


static void
audit_notice_lines(FILE *f, const char *text, const char *prefix)
{
    const char  *p, *nl;

    for (p = text; *p; p = nl + 1) {
        nl = strchr(p, '\n');

        fputs(prefix, f);
        fwrite(p, 1, (size_t) (nl - p), f);
        fputs("\n", f);
    }
}


static void
audit_notice_missing(FILE *f, const char *sha256_hex)
{
    fputs("    notice    not stored in this log (written before the "
          "module stored policies): only the policy file whose SHA-256 is "
          "above proves it\n", f);
}
