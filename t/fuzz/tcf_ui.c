/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The TCF's first and second layer (src/consent_tcf_ui.c) from any
 * Global Vendor List the parser takes, and the translations' parser
 * (src/consent_tcf_i18n.c).
 *
 * Input: the bytes of a vendor list, or of a translation when the first
 * byte is 'T' (the rest rendered against a fixed list).  Properties:
 * nothing reads outside its input or leaks (ASan); a refusal says why;
 * every layer renders, and no text of the input becomes markup: no
 * "<script" and no javascript: link, whatever the list says.
 */


#include "fuzz.h"
#include "consent_policy.h"
#include "consent_tcf_gvl.h"
#include "consent_tcf_i18n.h"
#include "consent_tcf_ui.h"


static void fuzz_render(consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr);


static consent_policy_t   *policy;
static consent_tcf_gvl_t  *fixed;


static const char  fixed_gvl[] =
    "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 1,"
    " \"tcfPolicyVersion\": 5, \"lastUpdated\": \"2026-12-03T16:00:00Z\","
    " \"purposes\": {\"1\": {\"id\": 1, \"name\": \"a\"},"
    " \"2\": {\"id\": 2, \"name\": \"b\"},"
    " \"7\": {\"id\": 7, \"name\": \"c\"}},"
    " \"specialPurposes\": {\"1\": {\"id\": 1, \"name\": \"d\"}},"
    " \"features\": {\"1\": {\"id\": 1, \"name\": \"e\"}},"
    " \"specialFeatures\": {\"1\": {\"id\": 1, \"name\": \"f\"}},"
    " \"stacks\": {\"1\": {\"id\": 1, \"name\": \"g\", \"purposes\": [1, 2]}},"
    " \"dataCategories\": {\"1\": {\"id\": 1, \"name\": \"h\"}},"
    " \"vendors\": {\"3\": {\"id\": 3, \"name\": \"v\", \"purposes\": [1, 2],"
    " \"legIntPurposes\": [7], \"specialPurposes\": [1], \"features\": [1],"
    " \"specialFeatures\": [1], \"dataDeclaration\": [1],"
    " \"dataRetention\": {\"stdRetention\": 1}}}}";


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char  err[512];

    policy = consent_policy_load(FUZZ_REPO "/conf/policy.json", err,
                                 sizeof(err));
    fixed = consent_tcf_gvl_parse(fixed_gvl, sizeof(fixed_gvl) - 1, err,
                                  sizeof(err));

    if (policy == NULL || fixed == NULL) {
        fprintf(stderr, "tcf_ui: %s\n", err);
        abort();
    }

    return 0;
}


static void
fuzz_render(consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr)
{
    char                   *s;
    size_t                  len, i;
    consent_tcf_ui_conf_t   uc;

    static const char *const  langs[] = { "en", "de", "fr-CA", "ar" };

    memset(&uc, 0, sizeof(uc));
    uc.endpoint = "/consent";
    uc.endpoint_len = 8;
    uc.ret = "/";
    uc.ret_len = 1;
    uc.level = 3;

    for (i = 0; i < 4; i++) {
        s = consent_tcf_ui_first(gvl, tr, policy, langs[i], &uc, &len);
        fuzz_check(s != NULL && strlen(s) == len, "the first layer");
        fuzz_check(strstr(s, "<script") == NULL
                   && strstr(s, "href=\"javascript") == NULL,
                   "nothing from the input is markup");
        free(s);

        s = consent_tcf_ui_second(gvl, tr, policy, langs[i], &uc, &len);
        fuzz_check(s != NULL && strlen(s) == len, "the second layer");
        fuzz_check(strstr(s, "<script") == NULL
                   && strstr(s, "href=\"javascript") == NULL,
                   "nothing from the input is markup");
        free(s);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                err[512];
    consent_tcf_tr_t    tr;
    consent_tcf_gvl_t  *gvl;

    err[0] = '\0';

    if (size > 0 && data[0] == 'T') {
        if (consent_tcf_i18n_parse((const char *) data + 1, size - 1,
                                   &tr.json, err, sizeof(err)) != 0)
        {
            fuzz_check(err[0] != '\0' && tr.json == NULL,
                       "a refusal says why");
            return 0;
        }

        tr.lang = (char *) "de";
        fuzz_render(fixed, &tr);
        consent_tcf_i18n_json_free(tr.json);

        return 0;
    }

    gvl = consent_tcf_gvl_parse((const char *) data, size, err, sizeof(err));

    if (gvl == NULL) {
        fuzz_check(err[0] != '\0', "a refusal says why");
        return 0;
    }

    fuzz_render(gvl, NULL);
    consent_tcf_gvl_free(gvl);

    return 0;
}
