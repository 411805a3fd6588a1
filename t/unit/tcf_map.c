
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The policy's "tcf" section and what a TC string grants under it
 * (src/consent_tcf_map.c): conf/policy.json with a section added.
 */


#include <stdlib.h>

#include "tap.h"
#include "consent_tcf_map.h"


static consent_tcf_t     tc;
static consent_tcf_ac_t  ac;


static consent_policy_t *load(const char *tcf, char *err, size_t errlen);


static consent_policy_t *
load(const char *tcf, char *err, size_t errlen)
{
    FILE              *f;
    char              *buf, *end;
    size_t             n;
    consent_policy_t  *p;

    f = fopen("conf/policy.json", "rb");
    if (f == NULL) {
        return NULL;
    }

    buf = malloc(1024 * 1024);
    n = fread(buf, 1, 1024 * 1024 - 4096, f);
    fclose(f);
    buf[n] = '\0';

    end = strrchr(buf, '}');
    snprintf(end, 4096, ", \"tcf\": %s }", tcf);

    p = consent_policy_parse(buf, strlen(buf), err, errlen);
    free(buf);

    return p;
}


int
main(void)
{
    size_t              i;
    char                err[512];
    uint32_t            a, m;
    const char         *why;
    unsigned char       d[32];
    consent_policy_t   *p;
    consent_tcf_map_t  *map;

    static const struct {
        const char  *tcf;
        const char  *err;
    } bad[] = {
        { "[]", "tcf: must be an object" },
        { "{}", "maps no category" },
        { "{\"nosuch\": {\"purposes\": [1]}}", "tcf.nosuch: no such" },
        { "{\"necessary\": {\"purposes\": [1]}}", "required category" },
        { "{\"analytics\": {\"purposes\": [0]}}",
          "tcf.analytics.purposes[0]: must be an integer from 1 to 11" },
        { "{\"analytics\": {\"purposes\": [12]}}", "purposes[0]" },
        { "{\"analytics\": {\"purposes\": [2, 2]}}", "purposes[1]: 2 is "
          "repeated" },
        { "{\"analytics\": {\"special_features\": [3]}}",
          "special_features[0]" },
        { "{\"analytics\": {\"vendors\": [65536]}}", "vendors[0]" },
        { "{\"analytics\": {\"vendors\": [5, 5]}}", "vendors[1]" },
        { "{\"analytics\": {\"google_atps\": [\"89\"]}}", "google_atps[0]" },
        { "{\"analytics\": {\"purpose\": [1]}}", "unknown key" },
        { "{\"analytics\": {}}", "needs nothing" },
        { "{\"analytics\": 1}", "must be an object" },
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        p = load(bad[i].tcf, err, sizeof(err));
        ok(p == NULL && strstr(err, bad[i].err) != NULL, "refused: %s (%s)",
           bad[i].tcf, err);
        consent_policy_free(p);
    }

    p = load("{\"analytics\": {\"purposes\": [1, 8, 9]},"
             " \"marketing\": {\"purposes\": [1, 2, 3, 4],"
             " \"special_features\": [1], \"vendors\": [755, 32],"
             " \"google_atps\": [89]}}", err, sizeof(err));
    ok(p != NULL && p->tcf != NULL, "a good section (%s)", p ? "" : err);

    if (p == NULL) {
        return done_testing();
    }

    map = p->tcf;
    a = 1u << consent_policy_category(p, "analytics", 9);
    m = 1u << consent_policy_category(p, "marketing", 9);

    consent_tcf_init(&tc);
    is_int(consent_tcf_map_granted(map, p, &tc, NULL), p->required_mask,
           "nothing: the required categories");

    tc.purpose_consents = 0x1 | 0x80 | 0x100;
    is_int(consent_tcf_map_granted(map, p, &tc, NULL), p->required_mask | a,
           "purposes 1, 8, 9: analytics");

    tc.purpose_consents = 0x1 | 0x80;
    is_int(consent_tcf_map_granted(map, p, &tc, NULL), p->required_mask,
           "without 9: not");

    tc.purpose_consents = 0x7ff;
    tc.special_feature_opt_ins = 1;
    consent_tcf_set_add(&tc.vendor_consents, 755);
    consent_tcf_set_add(&tc.vendor_consents, 32);
    consent_tcf_set_add(&ac.consented, 89);
    is_int(consent_tcf_map_granted(map, p, &tc, &ac),
           p->required_mask | a | m, "everything: marketing too");
    is_int(consent_tcf_map_granted(map, p, &tc, NULL),
           p->required_mask | a, "without AC: no marketing");

    tc.special_feature_opt_ins = 0;
    is_int(consent_tcf_map_granted(map, p, &tc, &ac),
           p->required_mask | a, "without the special feature: none");

    tc.special_feature_opt_ins = 1;
    consent_tcf_set_clear(&tc.vendor_consents);
    consent_tcf_set_add(&tc.vendor_consents, 755);
    is_int(consent_tcf_map_granted(map, p, &tc, &ac),
           p->required_mask | a, "without vendor 32: none");

    consent_tcf_set_add(&tc.vendor_consents, 32);
    consent_tcf_restrict(&tc, 3, CONSENT_TCF_NOT_ALLOWED, 32, 32, NULL);
    is_int(consent_tcf_map_granted(map, p, &tc, &ac),
           p->required_mask | a, "vendor 32 not allowed purpose 3: none");

    tc.nrestrictions = 0;
    tc.nranges = 0;
    consent_tcf_restrict(&tc, 3, CONSENT_TCF_REQUIRE_CONSENT, 32, 32, NULL);
    is_int(consent_tcf_map_granted(map, p, &tc, &ac),
           p->required_mask | a | m, "a restriction of another type: ok");

    /* usable */
    consent_tcf_init(&tc);
    tc.cmp_id = 300;
    tc.vendor_list_version = 100;
    tc.created = 17000000000ULL;
    tc.last_updated = 17000000000ULL;
    is_int(consent_tcf_usable(&tc, 1700000000 + 3600, &why), 0, "usable");
    is_int(consent_tcf_usable(&tc, 1700000000 + 391 * 86400, &why), 1,
           "391 days on: expired");
    is_int(consent_tcf_usable(&tc, 1700000000 - 2 * 86400, &why), -1,
           "two days before it was made: refused");
    tc.last_updated = 16999999000ULL;
    is_int(consent_tcf_usable(&tc, 1700000000, &why), -1,
           "updated before created: refused");
    tc.last_updated = tc.created;
    tc.cmp_id = 0;
    is_int(consent_tcf_usable(&tc, 1700000000, &why), -1, "no CMP: refused");
    tc.cmp_id = 300;
    tc.policy_version = 3;
    is_int(consent_tcf_usable(&tc, 1700000000, &why), -1,
           "policy version 3: refused");
    tc.policy_version = 4;
    tc.vendor_list_version = 0;
    is_int(consent_tcf_usable(&tc, 1700000000, &why), -1,
           "no vendor list version: refused");

    ok(consent_tcf_digest("abc", 3, d) == 0 && d[0] == 0xba && d[31] == 0xad,
       "SHA-256 of \"abc\"");

    consent_policy_free(p);

    return done_testing();
}
