
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The Global Vendor List v3 parser (src/consent_tcf_gvl.c): a small
 * list made here, and every reason it refuses one.
 */


#include <stdlib.h>
#include <jansson.h>

#include "tap.h"
#include "consent_tcf_gvl.h"


#define HEAD                                                                  \
    "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 120,"            \
    " \"tcfPolicyVersion\": 5, \"lastUpdated\": \"2026-12-03T16:00:00Z\","    \
    " \"purposes\": {\"1\": {\"id\": 1, \"name\": \"Store\"},"                \
    " \"2\": {\"id\": 2, \"name\": \"Ads\"},"                                 \
    " \"3\": {\"id\": 3, \"name\": \"Profiles\"}},"                           \
    " \"specialPurposes\": {\"1\": {\"id\": 1, \"name\": \"Security\"}},"     \
    " \"features\": {\"1\": {\"id\": 1, \"name\": \"Match\"}},"               \
    " \"specialFeatures\": {\"1\": {\"id\": 1, \"name\": \"Geo\"}},"          \
    " \"stacks\": {\"1\": {\"id\": 1, \"name\": \"s\", \"purposes\": [2, 3],"  \
    " \"specialFeatures\": []}},"


static consent_tcf_gvl_t *parse(const char *s, char *err, size_t errlen);
static void test_object(void);


static consent_tcf_gvl_t *
parse(const char *s, char *err, size_t errlen)
{
    err[0] = '\0';

    return consent_tcf_gvl_parse(s, strlen(s), err, errlen);
}


/* consent_tcf_gvl_object(): a section, required or not */

static void
test_object(void)
{
    char     err[128];
    json_t  *root, *obj;

    root = json_loads("{\"a\": {\"1\": {}}, \"b\": [], \"c\": null}", 0,
                      NULL);
    ok(root != NULL, "object: a document");

    if (root == NULL) {
        return;
    }

    obj = NULL;
    ok(consent_tcf_gvl_object(root, "a", 1, &obj, err, sizeof(err)) == 0
       && obj == json_object_get(root, "a"), "object: present, required");

    obj = root;
    ok(consent_tcf_gvl_object(root, "x", 0, &obj, err, sizeof(err)) == 0
       && obj == NULL, "object: absent, not required: NULL");

    err[0] = '\0';
    ok(consent_tcf_gvl_object(root, "x", 1, &obj, err, sizeof(err)) == -1,
       "object: absent, required: refused");
    is_str(err, "x: must be an object", "object: its message");

    ok(consent_tcf_gvl_object(root, "b", 0, &obj, err, sizeof(err)) == -1
       && obj == NULL, "object: an array refused even when not required");
    is_str(err, "b: must be an object", "object: the array's message");

    ok(consent_tcf_gvl_object(root, "c", 0, &obj, err, sizeof(err)) == -1,
       "object: null refused");

    json_decref(root);
}


int
main(void)
{
    size_t                       i;
    char                         err[512];
    consent_tcf_gvl_t           *gvl;
    const consent_tcf_vendor_t  *v;

    static const struct {
        const char  *json;
        const char  *err;
    } bad[] = {
        { "[", "line 1" },
        { "[]", "must be a JSON object" },
        { "{\"gvlSpecificationVersion\": 2}", "gvlSpecificationVersion" },
        { "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 0}",
          "vendorListVersion" },
        { "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 1,"
          " \"tcfPolicyVersion\": 3}", "tcfPolicyVersion" },
        { "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 1,"
          " \"tcfPolicyVersion\": 5}", "lastUpdated" },
        { "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 1,"
          " \"tcfPolicyVersion\": 5, \"lastUpdated\": \"a\\\"b\"}",
          "lastUpdated: must be a date" },
        { HEAD " \"vendors\": []}", "vendors: must be an object" },
        { HEAD " \"vendors\": {\"x\": {}}}", "vendors.x" },
        { HEAD " \"vendors\": {\"7\": {\"id\": 8, \"name\": \"a\"}}}",
          "vendors.7: must be an object whose \"id\" is its key" },
        { HEAD " \"vendors\": {\"7\": {\"id\": 7}}}", "vendors.7.name" },
        { HEAD " \"vendors\": {\"7\": {\"id\": 7, \"name\": \"a\","
          " \"purposes\": [4]}}}", "vendors.7.purposes[0]: the purpose is "
          "not defined" },
        { HEAD " \"vendors\": {\"7\": {\"id\": 7, \"name\": \"a\","
          " \"purposes\": [1, 1]}}}", "repeated" },
        { HEAD " \"vendors\": {\"7\": {\"id\": 7, \"name\": \"a\","
          " \"purposes\": [1], \"legIntPurposes\": [1]}}}",
          "both on consent and on legitimate interest" },
        { HEAD " \"vendors\": {\"7\": {\"id\": 7, \"name\": \"a\","
          " \"purposes\": [1], \"flexiblePurposes\": [2]}}}",
          "flexiblePurposes" },
        { HEAD " \"vendors\": {\"7\": {\"id\": 7, \"name\": \"a\","
          " \"specialFeatures\": [2]}}}", "specialFeatures[0]" },
        { HEAD " \"vendors\": {\"7\": {\"id\": 7, \"name\": \"a\","
          " \"features\": \"1\"}}}", "features: must be an array" },
        { "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 1,"
          " \"tcfPolicyVersion\": 5, \"lastUpdated\": \"2026\","
          " \"purposes\": {\"1\": {\"id\": 2, \"name\": \"a\"}}}",
          "purposes.1" },
        { "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 1,"
          " \"tcfPolicyVersion\": 5, \"lastUpdated\": \"2026\","
          " \"purposes\": {\"1\": {\"id\": 1, \"name\": \"a\"}}}",
          "specialPurposes" },
        { "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 1,"
          " \"tcfPolicyVersion\": 5, \"lastUpdated\": \"2026\","
          " \"purposes\": {}, \"specialPurposes\": {}, \"features\": {},"
          " \"specialFeatures\": {}, \"stacks\": {\"1\": {\"id\": 1,"
          " \"purposes\": [1]}}, \"vendors\": {}}",
          "stacks.1.purposes[0]" },
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        gvl = parse(bad[i].json, err, sizeof(err));
        ok(gvl == NULL && strstr(err, bad[i].err) != NULL,
           "refused: %s (%s)", bad[i].err, err);
        consent_tcf_gvl_free(gvl);
    }

    gvl = parse(HEAD " \"vendors\": {"
                "\"755\": {\"id\": 755, \"name\": \"Google\","
                " \"purposes\": [1, 3], \"legIntPurposes\": [2],"
                " \"flexiblePurposes\": [2], \"specialPurposes\": [1],"
                " \"features\": [1], \"specialFeatures\": [1]},"
                " \"32\": {\"id\": 32, \"name\": \"Old\","
                " \"deletedDate\": \"2025-01-01T00:00:00Z\"},"
                " \"5\": {\"id\": 5, \"name\": \"Five\", \"purposes\": [1],"
                " \"unknownField\": {\"kept\": \"ignored\"}}}}",
                err, sizeof(err));
    ok(gvl != NULL, "a good list (%s)", err);

    if (gvl == NULL) {
        return done_testing();
    }

    is_int(gvl->vendor_list_version, 120, "vendor list version");
    is_int(gvl->policy_version, 5, "policy version 5");
    is_str(gvl->last_updated, "2026-12-03T16:00:00Z", "last updated");
    is_int(gvl->purposes, 7, "purposes 1-3");
    is_int(gvl->nstacks, 1, "one stack");
    is_int(gvl->nvendors, 2, "two vendors");
    is_int(gvl->ndeleted, 1, "one deleted");
    is_int(gvl->max_vendor, 755, "max id 755");

    v = consent_tcf_gvl_vendor(gvl, 755);
    ok(v != NULL && strcmp(v->name, "Google") == 0, "vendor 755");
    ok(v && v->purposes == 5 && v->li_purposes == 2
       && v->flexible_purposes == 2 && v->special_purposes == 1
       && v->features == 1 && v->special_features == 1 && !v->deleted,
       "its purposes and features");
    v = consent_tcf_gvl_vendor(gvl, 32);
    ok(v != NULL && v->deleted, "vendor 32 deleted");
    ok(consent_tcf_gvl_vendor(gvl, 6) == NULL, "no vendor 6");
    ok(consent_tcf_gvl_vendor(gvl, 756) == NULL, "no vendor 756");
    ok(consent_tcf_gvl_vendor(gvl, 0) == NULL, "no vendor 0");

    /* a choice under it */
    {
    static consent_tcf_t      tc;
    static consent_tcf_set_t  vs, lis;
    consent_tcf_choice_t      ch;
    const char               *why;

    consent_tcf_set_add(&vs, 755);
    consent_tcf_set_add(&vs, 5);
    consent_tcf_set_add(&vs, 32);
    consent_tcf_set_add(&vs, 6);
    consent_tcf_set_add(&lis, 755);
    consent_tcf_set_add(&lis, 5);

    ch.purposes = 0x7 | (1u << 20);
    ch.li_purposes = 0x3;
    ch.special_features = 0x3;
    ch.vendors = &vs;
    ch.li_vendors = &lis;

    why = NULL;
    is_int(consent_tcf_choice(&tc, gvl, 300, 2, "EN", "DE",
                              1765000000 + 3600, &ch, &why), 0,
           "a choice under the list");
    is_int(tc.created, 17649792000ULL, "created at the day's start");
    is_int(tc.vendor_list_version, 120, "the list's version");
    is_int(tc.policy_version, 5, "and policy version");
    is_int(tc.purpose_consents, 0x7, "only purposes the list defines");
    is_int(tc.purpose_li, 0x2, "no legitimate interest for purpose 1");
    is_int(tc.special_feature_opt_ins, 0x1, "only special feature 1");
    ok(consent_tcf_set_has(&tc.vendor_consents, 755)
       && consent_tcf_set_has(&tc.vendor_consents, 5)
       && !consent_tcf_set_has(&tc.vendor_consents, 32)
       && !consent_tcf_set_has(&tc.vendor_consents, 6),
       "vendor consent: not for a deleted vendor nor one not listed");
    ok(consent_tcf_set_has(&tc.vendor_li, 755)
       && !consent_tcf_set_has(&tc.vendor_li, 5),
       "vendor LI: only one declaring LI or special purposes");
    ok(tc.has_disclosed && consent_tcf_set_has(&tc.disclosed, 5)
       && consent_tcf_set_has(&tc.disclosed, 755)
       && !consent_tcf_set_has(&tc.disclosed, 32),
       "every vendor not deleted disclosed");
    ok(consent_tcf_choice(&tc, gvl, 1, 2, "EN", "DE", 0, &ch, &why) == -1,
       "CMP id 1 refused");
    ok(consent_tcf_choice(&tc, gvl, 300, 2, "e1", "DE", 0, &ch, &why) == -1,
       "a language not A-Z refused");
    }

    consent_tcf_gvl_free(gvl);

    test_object();

    return done_testing();
}
