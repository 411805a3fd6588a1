
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * consent_tcf cmp in the core (src/consent_tcf_cmp.c,
 * src/consent_tcf_tcdata.c, the TCF fields of src/consent_request.c):
 * a choice's fields, what the GVL and the policy allow of them, the TC
 * string and AC string of accept, reject and a save and the categories
 * they grant, whether a TC string still stands, TCData, URL macros.
 */


#include <stdlib.h>

#include "tap.h"
#include "consent_tcf_cmp.h"
#include "consent_request.h"


static consent_tcf_t       tc, back;
static consent_tcf_ac_t    ac;
static consent_tcf_pick_t  pick;
static char                tcs[CONSENT_TCF_STRING_MAX];
static char                acs[CONSENT_TCF_STRING_MAX];


static consent_policy_t *load(const char *tcf, char *err, size_t errlen);
static consent_tcf_gvl_t *gvl_make(void);


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


/* vendors 1-20 and 755; 7 declares no consent purpose; 8 is deleted */

static consent_tcf_gvl_t *
gvl_make(void)
{
    char                *s, *o;
    unsigned             id;
    consent_tcf_gvl_t   *g;
    char                 err[256];

    s = malloc(65536);
    o = s;
    o += sprintf(o, "{\"gvlSpecificationVersion\":3,\"vendorListVersion\":"
                 "120,\"tcfPolicyVersion\":5,\"lastUpdated\":\"2026-12-03"
                 "T16:00:00Z\",\"purposes\":{");

    for (id = 1; id <= 11; id++) {
        o += sprintf(o, "%s\"%u\":{\"id\":%u,\"name\":\"P\"}",
                     id > 1 ? "," : "", id, id);
    }

    o += sprintf(o, "},\"specialPurposes\":{\"1\":{\"id\":1,\"name\":\"S\"}},"
                 "\"features\":{},\"specialFeatures\":{\"1\":{\"id\":1,"
                 "\"name\":\"X\"},\"2\":{\"id\":2,\"name\":\"X\"}},"
                 "\"stacks\":{},\"vendors\":{");

    /* the 21st is vendor 755 */

    for (id = 1; id <= 21; id++) {
        o += sprintf(o, "%s\"%u\":{\"id\":%u,\"name\":\"V\",\"purposes\":%s,"
                     "\"legIntPurposes\":[2,7],\"flexiblePurposes\":[],"
                     "\"specialPurposes\":[1],\"features\":[],"
                     "\"specialFeatures\":[1]%s}",
                     id > 1 ? "," : "", id == 21 ? 755 : id,
                     id == 21 ? 755 : id, id == 7 ? "[]" : "[1,3,4]",
                     id == 8 ? ",\"deletedDate\":\"2026-01-01T00:00:00Z\""
                             : "");
    }

    sprintf(o, "}}");

    g = consent_tcf_gvl_parse(s, strlen(s), err, sizeof(err));
    ok(g != NULL, "the GVL parses (%s)", g ? "" : err);
    free(s);

    return g;
}


int
main(void)
{
    char                 err[512], *j;
    size_t               n;
    int64_t              id;
    unsigned             k;
    uint32_t             g, a, m, pr;
    json_t              *td;
    const char          *why, *body;
    consent_policy_t    *p;
    consent_choice_t     c;
    consent_tcf_gvl_t   *gvl;
    consent_tcf_cmp_t    cmp = { 300, 7, "DE" };
    consent_tcf_state_t  st;

    /* the fields */

    is_int(consent_tcf_pick_form_kind("tcf_vendor", 10),
           CONSENT_TCF_PICK_VENDOR, "tcf_vendor");
    is_int(consent_tcf_pick_form_kind("tcf_vendors", 11), -1,
           "tcf_vendors: none");
    is_int(consent_tcf_pick_json_kind("google_atps", 11), CONSENT_TCF_PICK_ATP,
           "google_atps");
    is_int(consent_tcf_pick_json_kind("tcf_ac", 6), -1,
           "a form name is no JSON name");

    ok(consent_tcf_pick_number("755", 3, &id) == 0 && id == 755, "755");
    is_int(consent_tcf_pick_number("0755", 4, &id), -1, "a leading zero");
    is_int(consent_tcf_pick_number("0", 1, &id), -1, "0");
    is_int(consent_tcf_pick_number("", 0, &id), -1, "empty");
    is_int(consent_tcf_pick_number("1234567", 7, &id), -1, "7 digits");
    is_int(consent_tcf_pick_number("12a", 3, &id), -1, "a letter");
    is_int(consent_tcf_pick_number("-1", 2, &id), -1, "a sign");

    memset(&pick, 0, sizeof(pick));
    is_int(consent_tcf_pick_add(&pick, CONSENT_TCF_PICK_PURPOSE, 12, err,
                                sizeof(err)), -1, "purpose 12");
    is_str(err, "tcf_purpose 12: must be from 1 to 11", "says so");
    is_int(consent_tcf_pick_add(&pick, CONSENT_TCF_PICK_PURPOSE_LI, 1, err,
                                sizeof(err)), -1, "LI of purpose 1");
    is_int(consent_tcf_pick_add(&pick, CONSENT_TCF_PICK_SPECIAL_FEATURE, 3,
                                err, sizeof(err)), -1, "special feature 3");
    is_int(consent_tcf_pick_add(&pick, CONSENT_TCF_PICK_VENDOR, 65536, err,
                                sizeof(err)), -1, "vendor 65536");
    is_int(consent_tcf_pick_add(&pick, CONSENT_TCF_PICK_VENDOR, 755, err,
                                sizeof(err)), 0, "vendor 755");
    is_int(consent_tcf_pick_add(&pick, CONSENT_TCF_PICK_VENDOR, 755, err,
                                sizeof(err)), -1, "twice");
    is_str(err, "tcf_vendor 755 is repeated", "says so");
    is_int(consent_tcf_pick_add(&pick, CONSENT_TCF_PICK_PURPOSE, 11, err,
                                sizeof(err)), 0, "purpose 11");
    ok(pick.seen && pick.purposes == 0x400
       && consent_tcf_set_has(&pick.vendors, 755), "kept");
    is_int(consent_tcf_pick_add(&pick, CONSENT_TCF_PICK_N, 1, err,
                                sizeof(err)), -1, "no such kind");

    /* the request's parsers */

    p = load("{\"analytics\": {\"purposes\": [1, 8, 9]},"
             " \"marketing\": {\"purposes\": [1, 2, 3, 4],"
             " \"special_features\": [1], \"vendors\": [755],"
             " \"google_atps\": [89]}}", err, sizeof(err));
    ok(p != NULL && p->tcf != NULL, "the policy (%s)", p ? "" : err);

    if (p == NULL) {
        return done_testing();
    }

    a = 1u << consent_policy_category(p, "analytics", 9);
    m = 1u << consent_policy_category(p, "marketing", 9);
    pr = 1u << consent_policy_category(p, "preferences", 11);

    body = "action=save&tcf=1&tcf_purpose=1&tcf_vendor=755";
    is_int(consent_choice_parse_form_tcf(p, body, strlen(body), &c, NULL,
                                         err, sizeof(err)), -1,
           "without CMP mode the TCF fields are unknown");
    ok(strstr(err, "unknown field") != NULL, "says so (%s)", err);

    is_int(consent_choice_parse_form_tcf(p, body, strlen(body), &c, &pick,
                                         err, sizeof(err)), 0,
           "in CMP mode they are read (%s)", err);
    ok(c.tcf == &pick && pick.seen && pick.purposes == 1
       && consent_tcf_set_has(&pick.vendors, 755)
       && !consent_tcf_set_has(&pick.vendors, 1), "into the pick");

    body = "action=save&tcf_special_feature=1&tcf_special_feature=1";
    is_int(consent_choice_parse_form_tcf(p, body, strlen(body), &c, &pick,
                                         err, sizeof(err)), -1,
           "a repeated special feature");
    body = "action=save&tcf=yes";
    is_int(consent_choice_parse_form_tcf(p, body, strlen(body), &c, &pick,
                                         err, sizeof(err)), -1, "tcf=yes");
    body = "action=save&tcf_purpose_li=%32";
    is_int(consent_choice_parse_form_tcf(p, body, strlen(body), &c, &pick,
                                         err, sizeof(err)), 0,
           "a percent-encoded id");
    is_int(pick.purposes_li, 2, "purpose 2's LI");

    body = "{\"action\":\"save\",\"tcf\":{\"purposes\":[1,2],\"vendors_li\":"
           "[3],\"google_atps\":[89]}}";
    is_int(consent_choice_parse_json_tcf(p, body, strlen(body), &c, NULL,
                                         err, sizeof(err)), -1,
           "JSON \"tcf\" without CMP mode: unknown");
    is_int(consent_choice_parse_json_tcf(p, body, strlen(body), &c, &pick,
                                         err, sizeof(err)), 0,
           "JSON \"tcf\" in CMP mode (%s)", err);
    ok(pick.purposes == 3 && consent_tcf_set_has(&pick.vendors_li, 3)
       && consent_tcf_set_has(&pick.atps, 89), "read");
    body = "{\"action\":\"save\",\"tcf\":{\"purposes\":[1.5]}}";
    is_int(consent_choice_parse_json_tcf(p, body, strlen(body), &c, &pick,
                                         err, sizeof(err)), -1,
           "a number that is no id");
    body = "{\"action\":\"save\",\"tcf\":{\"purposes\":[1],\"purposes\":[2]}}";
    is_int(consent_choice_parse_json_tcf(p, body, strlen(body), &c, &pick,
                                         err, sizeof(err)), -1,
           "a member twice");
    body = "{\"action\":\"save\",\"tcf\":{\"x\":[1]}}";
    is_int(consent_choice_parse_json_tcf(p, body, strlen(body), &c, &pick,
                                         err, sizeof(err)), -1,
           "an unknown member");

    /* what the GVL and the policy allow */

    gvl = gvl_make();

    if (gvl == NULL) {
        return done_testing();
    }

    memset(&pick, 0, sizeof(pick));
    consent_tcf_set_add(&pick.vendors, 9);
    is_int(consent_tcf_pick_check(&pick, gvl, p->tcf, p->ncategories, err,
                                  sizeof(err)), 0, "vendor 9: on the list");
    consent_tcf_set_add(&pick.vendors_li, 8);
    is_int(consent_tcf_pick_check(&pick, gvl, p->tcf, p->ncategories, err,
                                  sizeof(err)), -1, "vendor 8: deleted");
    is_str(err, "tcf_vendor_li 8 is deleted from the vendor list", "says so");
    memset(&pick, 0, sizeof(pick));
    consent_tcf_set_add(&pick.vendors, 22);
    is_int(consent_tcf_pick_check(&pick, gvl, p->tcf, p->ncategories, err,
                                  sizeof(err)), -1, "vendor 22: not on it");
    memset(&pick, 0, sizeof(pick));
    consent_tcf_set_add(&pick.atps, 90);
    is_int(consent_tcf_pick_check(&pick, gvl, p->tcf, p->ncategories, err,
                                  sizeof(err)), -1, "ATP 90: not the policy's");
    is_str(err, "tcf_ac 90: the policy names no such Google ATP", "says so");

    /* accept, reject, a save */

    consent_tcf_pick_all(&pick, 1);
    ok(consent_tcf_cmp_choose(&tc, &ac, &pick, gvl, p->tcf, p, &cmp,
                              "pt-BR", 1796000000, p->all_mask, &g, tcs,
                              acs, &why) == 0, "accept");
    is_int(g, p->all_mask, "grants every category");
    is_str(acs, "2~89~dv.", "AC: ATP 89 consented");
    ok(consent_tcf_decode(tcs, strlen(tcs), &back, &why) == 0,
       "the TC string decodes");
    ok(back.purpose_consents == 0x7ff && back.purpose_li == 0x7c2
       && back.special_feature_opt_ins == 3, "every purpose, LI where "
       "allowed, both special features");
    ok(consent_tcf_set_has(&back.vendor_consents, 755)
       && !consent_tcf_set_has(&back.vendor_consents, 7)
       && !consent_tcf_set_has(&back.vendor_consents, 8)
       && consent_tcf_set_has(&back.vendor_li, 7)
       && consent_tcf_set_has(&back.disclosed, 755)
       && !consent_tcf_set_has(&back.disclosed, 8), "the vendors");
    ok(back.cmp_id == 300 && back.cmp_version == 7
       && strcmp(back.consent_language, "PT") == 0
       && strcmp(back.publisher_cc, "DE") == 0
       && back.created == 1795996800ULL * 10, "the CMP, the language, the "
       "country, today");

    is_int(consent_tcf_cmp_state(&back, gvl, &cmp, 1796000000, &why),
           CONSENT_STATE_VALID, "it stands");
    is_int(consent_tcf_cmp_state(&back, gvl, &cmp, 1796000000 + 391 * 86400,
                                 &why), CONSENT_STATE_EXPIRED,
           "391 days on: expired");
    cmp.cmp_id = 301;
    is_int(consent_tcf_cmp_state(&back, gvl, &cmp, 1796000000, &why),
           CONSENT_STATE_OUTDATED, "another CMP's: outdated");
    cmp.cmp_id = 300;
    back.policy_version = 4;
    is_int(consent_tcf_cmp_state(&back, gvl, &cmp, 1796000000, &why),
           CONSENT_STATE_OUTDATED, "another policy version: outdated");
    back.policy_version = 5;
    back.cmp_id = 0;
    is_int(consent_tcf_cmp_state(&back, gvl, &cmp, 1796000000, &why),
           CONSENT_STATE_OUTDATED, "no CMP id: outdated");

    consent_tcf_pick_all(&pick, 0);
    ok(consent_tcf_cmp_choose(&tc, &ac, &pick, gvl, p->tcf, p, &cmp, "x",
                              1796000000, p->required_mask, &g, tcs, acs,
                              &why) == 0, "reject");
    is_int(g, p->required_mask, "grants the required categories");
    is_str(acs, "2~~dv.89", "AC: ATP 89 disclosed");
    ok(tc.purpose_consents == 0 && tc.purpose_li == 0
       && consent_tcf_set_max(&tc.vendor_consents) == 0
       && consent_tcf_set_max(&tc.vendor_li) == 0
       && strcmp(tc.consent_language, "EN") == 0,
       "nothing; a language that is not one: EN");

    memset(&pick, 0, sizeof(pick));
    pick.purposes = 1 | 0x80 | 0x100;
    consent_tcf_set_add(&pick.vendors, 755);
    ok(consent_tcf_cmp_choose(&tc, &ac, &pick, gvl, p->tcf, p, &cmp, "de",
                              1796000000, pr | m, &g, tcs, acs, &why) == 0,
       "a save");
    is_int(g, p->required_mask | a | pr, "analytics by the TCF choice, "
           "preferences as chosen, marketing not (chosen, but mapped)");

    /* TCData */

    memset(&st, 0, sizeof(st));
    st.cmp_id = 300;
    st.cmp_version = 7;
    st.policy_version = 5;
    memcpy(st.publisher_cc, "DE", 3);
    st.shown = 1;
    td = consent_tcf_tcdata(&st);
    j = json_dumps(td, JSON_COMPACT | JSON_SORT_KEYS);
    ok(j && strstr(j, "\"tcString\":\"\"") && strstr(j, "\"eventStatus\":"
       "\"cmpuishown\"") && strstr(j, "\"publisherCC\":\"DE\"")
       && strstr(j, "\"vendor\":{\"consents\":{},\"legitimateInterests\":{}}")
       && strstr(j, "\"purpose\":{\"consents\":{\"1\":false,")
       && !strstr(j, "addtlConsent"), "TCData without a TC string: %s",
       j ? j : "");
    free(j);
    json_decref(td);

    st.tc = &tc;
    st.tc_string = tcs;
    st.tc_len = strlen(tcs);
    st.ac_string = acs;
    st.ac_len = strlen(acs);
    st.shown = 0;
    consent_tcf_restrict(&tc, 2, CONSENT_TCF_NOT_ALLOWED, 755, 755, &why);
    td = consent_tcf_tcdata(&st);
    j = json_dumps(td, JSON_COMPACT | JSON_SORT_KEYS);
    ok(j && strstr(j, tcs) && strstr(j, "\"eventStatus\":\"tcloaded\"")
       && strstr(j, "\"vendor\":{\"consents\":{\"755\":true}")
       && strstr(j, "\"8\":true,\"9\":true")
       && strstr(j, "\"restrictions\":{\"2\":{\"755\":0}}")
       && strstr(j, "\"addtlConsent\":\"2~~dv.89\"")
       && strstr(j, "\"tcfPolicyVersion\":5"), "TCData of a TC string: %s",
       j ? j : "");
    free(j);
    json_decref(td);

    consent_tcf_set_clear(&tc.vendor_consents);
    consent_tcf_set_clear(&tc.vendor_li);

    for (k = 1; k <= 20; k++) {
        if (k != 7 && k != 8) {
            consent_tcf_set_add(&tc.vendor_consents, k);
        }
    }

    consent_tcf_set_add(&tc.vendor_consents, 755);
    consent_tcf_set_add(&tc.vendor_li, 65535);
    st.compact = 1;
    td = consent_tcf_tcdata(&st);
    j = json_dumps(td, JSON_COMPACT | JSON_SORT_KEYS);
    ok(j && strstr(j, "\"vendor\":{\"consents\":\"1-6,9-20,755\","
                   "\"legitimateInterests\":\"65535\"}"),
       "compact: the vendors as ranges: %s", j ? j : "");
    free(j);
    json_decref(td);
    st.compact = 0;

    /* URL macros */

    {
        char         out[4096];
        const char  *in;

        st.tc_string = "CQabc";
        st.tc_len = 5;
        st.ac_string = "2~89~dv.";
        st.ac_len = 8;

        in = "<img src=\"x?g=${GDPR}&c=${GDPR_CONSENT_755}&a="
             "${ADDTL_CONSENT}&o=${OTHER}&e=${GDPR_CONSENT_}"
             "&l=${GDPR_CONSENT_1234567}&t=$\">";
        n = consent_tcf_macros(in, strlen(in), &st, NULL, &k);
        ok(n == consent_tcf_macros(in, strlen(in), &st, out, &k),
           "the length, then the bytes");
        out[n] = '\0';
        is_str(out, "<img src=\"x?g=1&c=CQabc&a=2~89~dv.&o=${OTHER}"
               "&e=${GDPR_CONSENT_}&l=${GDPR_CONSENT_1234567}&t=$\">",
               "macros filled, the others kept");
        is_int(k, 3, "three");

        in = "${GDPR";
        n = consent_tcf_macros(in, 6, &st, out, &k);
        ok(n == 6 && k == 0 && memcmp(out, in, 6) == 0, "cut short: kept");

        st.tc = NULL;
        in = "${GDPR_CONSENT_1}${ADDTL_CONSENT}${GDPR}";
        n = consent_tcf_macros(in, strlen(in), &st, out, &k);
        out[n] = '\0';
        is_str(out, "1", "without a TC string: empty, ${GDPR} still 1");
    }

    consent_tcf_gvl_free(gvl);
    consent_policy_free(p);

    return done_testing();
}
