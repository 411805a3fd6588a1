
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * export --format iso27560: each consent record as a consent record in
 * the information structure of ISO/IEC TS 27560:2023 (its field names,
 * as the W3C DPVCG guide to the TS lists them), one JSON object a line.
 * The fields the module cannot know (the controller, jurisdiction,
 * storage, recipients) are null, so that a reader sees the gap; which
 * field comes from where is in docs/audit-log.md.
 */


#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tools/audit/audit.h"


static void audit_iso_purposes(FILE *f, const audit_rec_t *r,
    const consent_policy_t *p);
static void audit_iso_purpose(FILE *f, const char *id, int granted,
    const audit_rec_t *r, const consent_policy_t *p);
static const char *audit_iso_state(const char *action);
static void audit_iso_record_id(FILE *f, const audit_rec_t *r);


void
audit_iso27560_record(audit_t *a, const audit_rec_t *r)
{
    FILE                          *f;
    const consent_policy_t        *p;
    const consent_proof_policy_t  *e;

    f = stdout;

    e = audit_notice_policy(a, r->policy);
    p = (e && e->stored) ? e->policy : NULL;

    fputs("{\"schema_version\":\"ISO/IEC TS 27560:2023\",\"record_id\":",
          f);
    audit_iso_record_id(f, r);
    audit_put_member(f, ",\"pii_principal_id\":", r->id);

    /* the notice: which text, in which language */

    fputs(",\"privacy_notice\":{\"url\":", f);

    if (p && p->privacy_url) {
        audit_put_json(f, p->privacy_url);

    } else {
        fputs("null", f);
    }

    fprintf(f, ",\"revision\":%" JSON_INTEGER_FORMAT ",\"sha256\":",
            r->revision);
    audit_put_json(f, r->policy);
    fprintf(f, ",\"stored_in_log\":%s}", p ? "true" : "false");

    audit_put_member(f, ",\"language\":", r->lang);

    audit_iso_purposes(f, r, p);

    fputs(",\"pii_controllers\":null,\"jurisdiction\":null,"
          "\"storage_locations\":null,\"retention_period\":null,"
          "\"recipient_third_parties\":null", f);

    fputs(",\"collection_method\":", f);
    fputs("{\"method\":\"web consent banner (ngx_http_consent_module)\","
          "\"mechanism\":", f);
    audit_put_json(f, r->mechanism);
    audit_put_member(f, ",\"host\":", r->host);
    audit_put_member(f, ",\"page\":", r->page);
    fputs("}", f);

    fputs(",\"withdrawal_method\":\"the site's consent banner (its "
          "manage link or preferences page), or DELETE on its consent "
          "endpoint\"", f);

    /* the one event this record is */

    audit_put_member(f, ",\"events\":[{\"event_time\":", r->ts);
    audit_put_member(f, ",\"event_type\":\"expressed consent\""
                     ",\"event_state\":", audit_iso_state(r->action));
    audit_put_member(f, ",\"action\":", r->action);
    audit_put_member(f, ",\"entity_id\":", r->id);

    if (p) {
        fprintf(f, ",\"validity_duration\":\"P%" PRId64 "D\"",
                p->max_age / 86400);

    } else {
        fputs(",\"validity_duration\":null", f);
    }

    fprintf(f, ",\"signals\":{\"gpc\":%s}}]", r->gpc ? "true" : "false");

    /* where the proof is */

    audit_put_member(f, ",\"evidence\":{\"file\":", r->file);
    fprintf(f, ",\"line\":%" PRIu64 ",\"chain\":", r->line);
    audit_put_json(f, r->chain);
    fprintf(f, ",\"seq\":%" PRIu64 ",\"kid\":", r->seq);
    audit_put_json(f, r->kid);
    audit_put_member(f, ",\"hmac\":", audit_json_str(r->root, "hmac"));
    audit_put_member(f, ",\"ip\":", r->ip);
    audit_put_member(f, ",\"ua\":", r->ua);
    fputs("}}\n", f);
}


/* every category the visitor was asked about, granted or not */

static void
audit_iso_purposes(FILE *f, const audit_rec_t *r, const consent_policy_t *p)
{
    size_t  i, ng, nd;

    ng = json_array_size(r->granted);
    nd = json_array_size(r->denied);

    fputs(",\"purposes\":[", f);

    for (i = 0; i < ng + nd; i++) {
        if (i) {
            fputs(",", f);
        }

        audit_iso_purpose(f, json_string_value(
                              i < ng ? json_array_get(r->granted, i)
                                     : json_array_get(r->denied, i - ng)),
                          i < ng, r, p);
    }

    fputs("]", f);
}


static void
audit_iso_purpose(FILE *f, const char *id, int granted,
    const audit_rec_t *r, const consent_policy_t *p)
{
    int          cat;
    const char  *label, *desc;

    cat = (p && id) ? consent_policy_category(p, id, strlen(id)) : -1;

    audit_put_member(f, "{\"purpose_id\":", id ? id : "");
    fputs(",\"purpose\":", f);

    label = cat >= 0 ? consent_policy_label(p, (size_t) cat, r->lang) : NULL;
    desc = cat >= 0 ? consent_policy_description(p, (size_t) cat, r->lang)
                    : NULL;

    if (label) {
        audit_put_json(f, label);

    } else {
        fputs("null", f);
    }

    fputs(",\"purpose_description\":", f);

    if (desc) {
        audit_put_json(f, desc);

    } else {
        fputs("null", f);
    }

    if (cat >= 0) {
        fprintf(f, ",\"pii_optional\":%s,\"lawful_basis\":%s",
                p->categories[cat].required ? "false" : "true",
                p->categories[cat].required ? "null" : "\"consent\"");

    } else {
        fputs(",\"pii_optional\":null,\"lawful_basis\":null", f);
    }

    fprintf(f, ",\"granted\":%s}", granted ? "true" : "false");
}


/* the state of consent after the event, as DPV names them */

static const char *
audit_iso_state(const char *action)
{
    if (strcmp(action, "reject") == 0) {
        return "refused";
    }

    if (strcmp(action, "withdraw") == 0) {
        return "withdrawn";
    }

    return "given";
}


/*
 * A UUID made of the record's content hash (consent_record_content_hash):
 * the copies of one decision in a file and at a collector share it.
 */

static void
audit_iso_record_id(FILE *f, const audit_rec_t *r)
{
    unsigned char            h[32];
    consent_record_parsed_t  rec;

    memset(&rec, 0, sizeof(consent_record_parsed_t));
    rec.root = r->root;

    if (consent_record_content_hash(&rec, h) != 0) {
        fputs("null", f);
        return;
    }

    /* version 8 (custom), variant 10 (RFC 9562) */

    h[6] = (unsigned char) ((h[6] & 0x0f) | 0x80);
    h[8] = (unsigned char) ((h[8] & 0x3f) | 0x80);

    fprintf(f, "\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
            "%02x%02x%02x%02x%02x%02x\"", h[0], h[1], h[2], h[3], h[4], h[5],
            h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14],
            h[15]);
}
