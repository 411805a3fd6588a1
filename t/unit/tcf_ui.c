/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The TCF's first and second layer (src/consent_tcf_ui.c) and the GVL's
 * translations (src/consent_tcf_i18n.c): a small list made here, with
 * hostile strings, rendered in English and in a translation.
 */


#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tap.h"
#include "consent_policy.h"
#include "consent_tcf_gvl.h"
#include "consent_tcf_i18n.h"
#include "consent_tcf_ui.h"


#define EVIL  "<script>alert(1)</script>\\\"'&"

#define GVL                                                                   \
    "{\"gvlSpecificationVersion\": 3, \"vendorListVersion\": 120,"            \
    " \"tcfPolicyVersion\": 5, \"lastUpdated\": \"2026-12-03T16:00:00Z\","    \
    " \"purposes\": {\"1\": {\"id\": 1, \"name\": \"Store " EVIL "\","        \
    " \"description\": \"Desc one\","                                         \
    " \"illustrations\": [\"Ill " EVIL "\"]},"                                \
    " \"2\": {\"id\": 2, \"name\": \"Ads\"},"                                 \
    " \"3\": {\"id\": 3, \"name\": \"Profiles\"},"                            \
    " \"7\": {\"id\": 7, \"name\": \"Measure\"}},"                            \
    " \"specialPurposes\": {\"1\": {\"id\": 1, \"name\": \"Security\"}},"     \
    " \"features\": {\"1\": {\"id\": 1, \"name\": \"Match\"}},"               \
    " \"specialFeatures\": {\"1\": {\"id\": 1, \"name\": \"Geo\"},"           \
    " \"2\": {\"id\": 2, \"name\": \"Scan\"}},"                               \
    " \"dataCategories\": {\"4\": {\"id\": 4, \"name\": \"IP addresses\"}},"  \
    " \"stacks\": {\"1\": {\"id\": 1, \"name\": \"Stack ads\","               \
    " \"purposes\": [2, 3], \"specialFeatures\": []},"                        \
    " \"2\": {\"id\": 2, \"name\": \"Stack wide\", \"purposes\": [2, 3, 1],"  \
    " \"specialFeatures\": []}},"                                             \
    " \"vendors\": {"                                                         \
    " \"5\": {\"id\": 5, \"name\": \"Zeta " EVIL "\", \"purposes\": [1, 2],"  \
    " \"legIntPurposes\": [7], \"specialPurposes\": [1], \"features\": [1],"  \
    " \"specialFeatures\": [1], \"cookieMaxAgeSeconds\": 864000,"             \
    " \"usesCookies\": true, \"dataDeclaration\": [4],"                       \
    " \"dataRetention\": {\"stdRetention\": 90, \"purposes\": {\"2\": 30}},"  \
    " \"urls\": [{\"langId\": \"en\", \"privacy\": \"javascript:alert(1)\","  \
    " \"legIntClaim\": \"https://z.example/li?a=\\\"><b>\"}]},"               \
    " \"6\": {\"id\": 6, \"name\": \"alpha\", \"purposes\": [3],"             \
    " \"urls\": [{\"langId\": \"en\","                                        \
    " \"privacy\": \"https://a.example/en\"},"                                \
    " {\"langId\": \"de\", \"privacy\": \"https://a.example/de\"}]},"         \
    " \"8\": {\"id\": 8, \"name\": \"Gone\", \"purposes\": [1],"              \
    " \"deletedDate\": \"2026-01-01T00:00:00Z\"}}}"

#define TR_DE                                                                 \
    "{\"gvlSpecificationVersion\": 3,"                                        \
    " \"purposes\": {\"1\": {\"id\": 1, \"name\": \"Speichern\","             \
    " \"description\": \"Beschreibung\","                                     \
    " \"illustrations\": [\"Bsp\"]},"                                         \
    " \"2\": {\"id\": 2, \"name\": \"Werbung\"}},"                            \
    " \"specialPurposes\": {}, \"features\": {},"                             \
    " \"specialFeatures\": {\"1\": {\"id\": 1, \"name\": \"Ortung\"}},"       \
    " \"stacks\": {\"1\": {\"id\": 1, \"name\": \"Stapel Werbung\"}}}"


static char *first(consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    consent_policy_t *p, const char *lang);
static char *second(consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    consent_policy_t *p, const char *lang, const consent_tcf_t *tc);
static size_t count(const char *hay, const char *needle);
static void test_i18n(void);
static int write_file(const char *dir, const char *name, const char *s);


static size_t
count(const char *hay, const char *needle)
{
    size_t  n;

    for (n = 0; (hay = strstr(hay, needle)) != NULL; hay++) {
        n++;
    }

    return n;
}


static char *
first(consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    consent_policy_t *p, const char *lang)
{
    consent_tcf_ui_conf_t  uc;

    memset(&uc, 0, sizeof(uc));
    uc.endpoint = "/consent";
    uc.endpoint_len = 8;

    return consent_tcf_ui_first(gvl, tr, p, lang, &uc, NULL);
}


static char *
second(consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    consent_policy_t *p, const char *lang, const consent_tcf_t *tc)
{
    consent_tcf_ui_conf_t  uc;

    memset(&uc, 0, sizeof(uc));
    uc.endpoint = "/consent";
    uc.endpoint_len = 8;
    uc.ret = "/a?b=\"c\"";
    uc.ret_len = 8;
    uc.current = tc;
    uc.level = 3;

    return consent_tcf_ui_second(gvl, tr, p, lang, &uc, NULL);
}


static int
write_file(const char *dir, const char *name, const char *s)
{
    FILE  *f;
    char   path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");

    if (f == NULL) {
        return -1;
    }

    fputs(s, f);

    return fclose(f);
}


static void
test_i18n(void)
{
    char                 err[1024], dir[] = "/tmp/tcf_ui.XXXXXX", cmd[600];
    void                *json;
    consent_tcf_i18n_t  *i18n;

    static const struct {
        const char  *json;
        const char  *err;
    } bad[] = {
        { "[", "line 1" },
        { "[]", "must be a JSON object" },
        { "{\"gvlSpecificationVersion\": 2}", "gvlSpecificationVersion" },
        { "{}", "purposes: must be an object" },
        { "{\"purposes\": {\"1\": {\"id\": 2, \"name\": \"x\"}}}",
          "purposes.1: must be an object whose \"id\" is its key" },
        { "{\"purposes\": {\"01\": {\"id\": 1, \"name\": \"x\"}}}",
          "purposes.01" },
        { "{\"purposes\": {\"25\": {\"id\": 25, \"name\": \"x\"}}}",
          "purposes.25" },
        { "{\"purposes\": {\"1\": {\"id\": 1}}}",
          "purposes.1.name: must be a non-empty string" },
        { "{\"purposes\": {\"1\": {\"id\": 1, \"name\": \"x\","
          " \"description\": 3}}}", "purposes.1.description" },
        { "{\"purposes\": {\"1\": {\"id\": 1, \"name\": \"x\","
          " \"illustrations\": [\"a\", 2]}}}",
          "purposes.1.illustrations[1]: must be a string" },
        { "{\"purposes\": {}, \"specialPurposes\": {}, \"features\": {},"
          " \"specialFeatures\": {}, \"stacks\": {\"1\": {\"id\": 1,"
          " \"name\": \"\"}}}", "stacks.1.name" },
        { "{\"purposes\": {}, \"specialPurposes\": {}, \"features\": {},"
          " \"specialFeatures\": {}, \"dataCategories\": []}",
          "dataCategories: must be an object" },
        { "{\"purposes\": {}, \"purposes\": {}}", "duplicate" },
    };
    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        ok(consent_tcf_i18n_parse(bad[i].json, strlen(bad[i].json), &json,
                                  err, sizeof(err)) == -1
           && json == NULL && strstr(err, bad[i].err) != NULL,
           "translation refused: %s (%s)", bad[i].err, err);
    }

    ok(consent_tcf_i18n_parse(TR_DE, strlen(TR_DE), &json, err,
                              sizeof(err)) == 0, "a translation parses");
    consent_tcf_i18n_json_free(json);

    if (mkdtemp(dir) == NULL) {
        ok(0, "mkdtemp");
        return;
    }

    err[0] = '\0';
    ok(consent_tcf_i18n_load(dir, err, sizeof(err)) == NULL
       && strstr(err, "no purposes-LL.json") != NULL,
       "an empty directory refused (%s)", err);

    write_file(dir, "purposes-de.json", TR_DE);
    write_file(dir, "purposes-pt-BR.json", TR_DE);
    write_file(dir, "purposes-fr.json", TR_DE);
    write_file(dir, "purposes-toolong.json", "not read");
    write_file(dir, "vendor-list.json", "not read");

    i18n = consent_tcf_i18n_load(dir, err, sizeof(err));
    ok(i18n != NULL && i18n->ntr == 3, "three translations (%s)",
       i18n ? "" : err);

    if (i18n != NULL) {
        is_str(i18n->tr[0].lang, "de", "sorted, lower case");
        is_str(i18n->tr[2].lang, "pt-br", "pt-BR read as pt-br");
        ok(consent_tcf_i18n_pick(i18n, "de") == &i18n->tr[0], "de");
        ok(consent_tcf_i18n_pick(i18n, "de-AT") == &i18n->tr[0],
           "de-AT takes de");
        ok(consent_tcf_i18n_pick(i18n, "pt_BR") == &i18n->tr[2], "pt_BR");
        ok(consent_tcf_i18n_pick(i18n, "pt") == &i18n->tr[2], "pt");
        ok(consent_tcf_i18n_pick(i18n, "en") == NULL, "en: the GVL");
        ok(consent_tcf_i18n_pick(i18n, "it") == NULL, "it: none");
        ok(consent_tcf_i18n_pick(NULL, "de") == NULL, "no directory");
        consent_tcf_i18n_free(i18n);
    }

    write_file(dir, "purposes-fr.json", "{\"purposes\": {\"1\": {}}}");
    err[0] = '\0';
    ok(consent_tcf_i18n_load(dir, err, sizeof(err)) == NULL
       && strstr(err, "/purposes-fr.json: purposes.1") != NULL,
       "a malformed file named with its path (%s)", err);

    err[0] = '\0';
    ok(consent_tcf_i18n_load("/nonexistent/tcf", err, sizeof(err)) == NULL
       && strstr(err, "/nonexistent/tcf: cannot open") != NULL,
       "a missing directory refused");

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);

    if (system(cmd) != 0) {
        ok(0, "rm");
    }
}


int
main(void)
{
    char                *s;
    char                 err[512];
    void                *json;
    consent_tcf_t        tc;
    consent_tcf_tr_t     tr;
    consent_policy_t    *p;
    consent_tcf_gvl_t   *gvl;

    test_i18n();

    p = consent_policy_load("conf/policy.json", err, sizeof(err));
    gvl = consent_tcf_gvl_parse(GVL, strlen(GVL), err, sizeof(err));

    if (p == NULL || gvl == NULL) {
        ok(0, "policy and GVL: %s", err);
        return done_testing();
    }

    ok(gvl->json != NULL, "the GVL keeps its document for the interface");

    /* the first layer */

    s = first(gvl, NULL, p, "en");
    ok(s != NULL, "first layer rendered");
    ok(strstr(s, "We and our 2 partners") != NULL,
       "the number of vendors not deleted");
    ok(strstr(s, "Stack wide") != NULL && strstr(s, "Stack ads") == NULL,
       "the widest stack whose purposes are all used");
    ok(strstr(s, "<li>Measure</li>") != NULL,
       "a purpose no stack covers, by name");
    ok(strstr(s, "Special features:") != NULL
       && strstr(s, "<li>Geo</li>") != NULL,
       "a special feature in use");
    ok(strstr(s, "<li>Scan</li>") == NULL, "one nobody uses: not shown");
    ok(strstr(s, "legitimate interest") != NULL
       && strstr(s, "right to object") != NULL,
       "legitimate interest and the right to object");
    ok(strstr(s, "withdraw your consent at any time") != NULL,
       "withdrawal at any time");
    ok(strstr(s, "<a href=\"/consent\" class=\"consent-tcf-vendors-link\" "
                 "data-consent-open>") != NULL,
       "the link to the second layer");
    ok(strstr(s, "<script>") == NULL, "nothing unescaped");
    free(s);

    s = first(gvl, NULL, p, "de");
    ok(strstr(s, "Wir und unsere 2 Partner") != NULL,
       "the interface's words in German");
    free(s);

    s = first(gvl, NULL, p, "it");
    ok(strstr(s, "Noi e i nostri 2 partner") != NULL,
       "the interface's words in Italian");
    free(s);

    s = first(gvl, NULL, p, "pt-BR");
    ok(strstr(s, "Nós e os nossos 2 parceiros") != NULL,
       "pt-BR: the interface's words in Portuguese");
    free(s);

    s = first(gvl, NULL, p, "sv");
    ok(strstr(s, "We and our 2 partners") != NULL,
       "Swedish: in English, the GVL's language");
    free(s);

    /* the second layer */

    s = second(gvl, NULL, p, "en", NULL);
    ok(s != NULL, "second layer rendered");
    ok(strstr(s, "<form method=\"post\" action=\"/consent\"") != NULL,
       "a form to the endpoint");
    ok(strstr(s, "name=\"return\" value=\"/a?b=&quot;c&quot;\"") != NULL,
       "return escaped");
    ok(strstr(s, "<input type=\"hidden\" name=\"tcf\" value=\"1\">") != NULL,
       "tcf=1");
    is_int(count(s, "name=\"tcf_purpose\""), 3, "consent boxes of 1 2 3");
    ok(strstr(s, "name=\"tcf_purpose\" value=\"1\"> ") != NULL,
       "consent not ticked by default");
    ok(strstr(s, "name=\"tcf_purpose_li\" value=\"7\" checked>") != NULL
       && count(s, "name=\"tcf_purpose_li\"") == 1,
       "legitimate interest kept by default, only where claimed");
    ok(strstr(s, "name=\"tcf_special_feature\" value=\"1\">") != NULL
       && strstr(s, "name=\"tcf_special_feature\" value=\"2\"") == NULL,
       "special feature opt-in, not ticked, only if used");
    ok(strstr(s, "name=\"tcf_vendor\" value=\"5\">") != NULL
       && strstr(s, "name=\"tcf_vendor\" value=\"6\">") != NULL
       && strstr(s, "name=\"tcf_vendor\" value=\"8\"") == NULL,
       "vendor consent boxes, not for a deleted vendor");
    ok(strstr(s, "name=\"tcf_vendor_li\" value=\"5\" checked>") != NULL
       && strstr(s, "name=\"tcf_vendor_li\" value=\"6\"") == NULL,
       "vendor legitimate interest where declared");
    ok(strstr(s, "data-vendor=\"6\"") < strstr(s, "data-vendor=\"5\""),
       "vendors sorted by name, case-insensitively");
    ok(strstr(s, "<h3>Partners (2)</h3>") != NULL, "vendor count heading");
    ok(strstr(s, "Partners asking for consent: 1. Partners relying on "
                 "legitimate interest: 0.") != NULL,
       "vendors per purpose and legal basis");
    ok(strstr(s, "<h4>Security</h4>") != NULL
       && strstr(s, "<h4>Match</h4>") != NULL,
       "special purposes and features, as information");
    ok(strstr(s, "<dd>90 days; Ads: 30 days</dd>") != NULL, "retention");
    ok(strstr(s, "<dd>IP addresses</dd>") != NULL, "data categories");
    ok(strstr(s, "<dd>10 days</dd>") != NULL, "cookie max age");
    ok(strstr(s, "<dd>javascript:alert(1)</dd>") != NULL
       && strstr(s, "href=\"javascript") == NULL,
       "a javascript: URL is not a link");
    ok(strstr(s, "href=\"https://z.example/li?a=&quot;&gt;&lt;b&gt;\"")
       != NULL, "a URL escaped in its attribute");
    ok(strstr(s, "href=\"https://a.example/en\"") != NULL,
       "the English privacy URL");
    ok(strstr(s, "Store &lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;")
       != NULL && strstr(s, "Zeta &lt;script&gt;") != NULL
       && strstr(s, "Ill &lt;script&gt;") != NULL,
       "GVL names and illustrations escaped");
    ok(strstr(s, "<script") == NULL, "nothing unescaped");
    ok(strstr(s, "value=\"accept_all\"") && strstr(s, "value=\"reject_all\"")
       && strstr(s, "value=\"save\""), "three buttons");
    ok(strstr(s, "name=\"granted\" value=\"analytics\"") != NULL,
       "the policy's categories without a \"tcf\" section");
    free(s);

    s = second(gvl, NULL, p, "de", NULL);
    ok(strstr(s, "href=\"https://a.example/de\"") != NULL,
       "the privacy URL in the visitor's language");
    free(s);

    {
        consent_tcf_ui_conf_t  uc;

        memset(&uc, 0, sizeof(uc));
        uc.endpoint = "/consent";
        uc.endpoint_len = 8;
        uc.bare = 1;
        s = consent_tcf_ui_second(gvl, NULL, p, "en", &uc, NULL);
        ok(strncmp(s, "<div class=\"consent-tcf-second\">", 32) == 0
           && strstr(s, "<form") == NULL && strstr(s, "name=\"action\"")
              == NULL && strstr(s, "name=\"return\"") == NULL,
           "bare: the fields without a form, buttons or return");
        ok(strstr(s, "name=\"tcf_vendor\" value=\"5\">") != NULL,
           "bare: the fields");
        free(s);
    }

    /* the visitor's choice ticks the boxes */

    consent_tcf_init(&tc);
    tc.purpose_consents = 1u << 1;
    tc.special_feature_opt_ins = 1;
    consent_tcf_set_add(&tc.vendor_consents, 6);
    consent_tcf_set_add(&tc.disclosed, 5);
    consent_tcf_set_add(&tc.disclosed, 6);

    s = second(gvl, NULL, p, "en", &tc);
    ok(strstr(s, "name=\"tcf_purpose\" value=\"2\" checked>") != NULL
       && strstr(s, "name=\"tcf_purpose\" value=\"1\">") != NULL,
       "purpose consent from the TC string");
    ok(strstr(s, "name=\"tcf_purpose_li\" value=\"7\">") != NULL,
       "an objection from the TC string");
    ok(strstr(s, "name=\"tcf_special_feature\" value=\"1\" checked>") != NULL,
       "special feature from the TC string");
    ok(strstr(s, "name=\"tcf_vendor\" value=\"6\" checked>") != NULL
       && strstr(s, "name=\"tcf_vendor\" value=\"5\">") != NULL,
       "vendor consent from the TC string");
    ok(strstr(s, "name=\"tcf_vendor_li\" value=\"5\">") != NULL,
       "a disclosed vendor's objection kept");
    free(s);

    /* a translation */

    ok(consent_tcf_i18n_parse(TR_DE, strlen(TR_DE), &json, err,
                              sizeof(err)) == 0, "German translation");
    tr.lang = (char *) "de";
    tr.json = json;

    s = first(gvl, &tr, p, "de");
    ok(strstr(s, "<li>Werbung</li>") == NULL
       && strstr(s, "Measure") != NULL, "untranslated: English");
    ok(strstr(s, "<li>Ortung</li>") != NULL, "a special feature translated");
    free(s);

    s = second(gvl, &tr, p, "de", NULL);
    ok(strstr(s, "<h4>Speichern</h4>\n<p>Beschreibung</p>") != NULL
       && strstr(s, "<li>Bsp</li>") != NULL,
       "purpose name, description and illustrations translated");
    ok(strstr(s, "<dt>Zwecke (Einwilligung)</dt><dd>Speichern, Werbung</dd>")
       != NULL, "a vendor's purposes translated");
    free(s);

    s = NULL;
    {
        consent_tcf_ui_conf_t  uc;
        size_t                 len;

        memset(&uc, 0, sizeof(uc));
        uc.endpoint = "/consent";
        uc.endpoint_len = 8;
        uc.ret = "/";
        uc.ret_len = 1;
        s = consent_tcf_ui_page(gvl, &tr, p, "de", &uc, &len);
        ok(s != NULL && strncmp(s, "<!DOCTYPE html>\n<html lang=\"de\">", 32)
           == 0 && len == strlen(s), "the page");
        ok(strstr(s, "<h2>Zwecke</h2>") != NULL, "its headings at level 2");
        ok(strstr(s, "value=\"withdraw\"") == NULL, "no Withdraw button");
        free(s);

        uc.withdraw = 1;
        s = consent_tcf_ui_page(gvl, &tr, p, "de", &uc, &len);
        ok(strstr(s, "value=\"save\">") < strstr(s, "value=\"withdraw\">"),
           "Withdraw after Save, with a valid consent");
        free(s);
    }

    consent_tcf_i18n_json_free(json);
    consent_tcf_gvl_free(gvl);
    consent_policy_free(p);

    return done_testing();
}
