
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_regime.c: the policy's regimes and their
 * errors, what a cookie and Sec-GPC add up to under each model, which
 * cookies carry from one regime to another, what a decision stores, the
 * GPP string and the page's JSON, the notice banner; and the cookie's
 * format 2 (consent_token.c), which carries the regime.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_policy.h"
#include "consent_regime.h"
#include "consent_token.h"
#include "consent_gpp.h"


#define NECESSARY    (1u << 0)
#define PREFERENCES  (1u << 1)
#define ANALYTICS    (1u << 2)
#define MARKETING    (1u << 3)
#define ALL          (NECESSARY | PREFERENCES | ANALYTICS | MARKETING)

#define ISSUED       1700000000


static consent_policy_t *load(const char *regimes, char *err, size_t len);
static void view(consent_view_t *v, const consent_policy_t *p,
    consent_state_e state, uint32_t granted, const char *tag);
static void test_builtin(void);
static void test_errors(void);
static void test_views(void);
static void test_carry(void);
static void test_choice(void);
static void test_gpp(void);
static void test_json_banner(void);
static void test_token(void);


static const char  *head =
    "{\"revision\": 3, \"default_language\": \"en\","
    " \"privacy_url\": \"/privacy\","
    " \"categories\": ["
    "  {\"id\": \"necessary\", \"required\": true,"
    "   \"label\": {\"en\": \"Necessary\"},"
    "   \"description\": {\"en\": \"d\"}},"
    "  {\"id\": \"preferences\", \"label\": {\"en\": \"Preferences\"},"
    "   \"description\": {\"en\": \"d\"}},"
    "  {\"id\": \"analytics\", \"label\": {\"en\": \"Analytics\"},"
    "   \"description\": {\"en\": \"d\"}},"
    "  {\"id\": \"marketing\", \"gpc\": true,"
    "   \"label\": {\"en\": \"Marketing\"},"
    "   \"description\": {\"en\": \"d\"}}],"
    " \"texts\": {\"en\": {\"title\": \"T\", \"message\": \"M\","
    "   \"accept_all\": \"A\", \"reject_all\": \"R\", \"customise\": \"C\","
    "   \"save\": \"S\", \"withdraw\": \"W\", \"privacy_link\": \"P\","
    "   \"manage\": \"G\", \"always_on\": \"O\", \"gpc_honoured\": \"H\"},"
    "  \"fr\": {\"title\": \"Tf\", \"message\": \"Mf\","
    "   \"accept_all\": \"Af\", \"reject_all\": \"Rf\","
    "   \"customise\": \"Cf\", \"save\": \"Sf\", \"withdraw\": \"Wf\","
    "   \"privacy_link\": \"Pf\", \"manage\": \"Gf\", \"always_on\": \"Of\","
    "   \"gpc_honoured\": \"Hf\"}},"
    " \"rules\": []";


static const char  *full =
    ",\n \"regimes\": {\n"
    "  \"opt-out\": {\n"
    "   \"categories\": {\n"
    "    \"preferences\": {\"opt_out\": false},\n"
    "    \"analytics\": {},\n"
    "    \"marketing\": {}},\n"
    "   \"gpp\": {\"sections\": [\"usnat\", \"usca\"]},\n"
    "   \"texts\": {\"en\": {\"title\": \"Your privacy choices\","
    "     \"reject_all\": \"Do Not Sell or Share My Personal Information\"}}"
    "},\n"
    "  \"uk\": {\"model\": \"opt-in\",\n"
    "   \"categories\": {\"preferences\": {}, \"analytics\": {\"exempt\": true,"
    " \"default\": true}, \"marketing\": {}}},\n"
    "  \"us-notice\": {\"model\": \"notice\", \"texts\": {\"en\": "
    "{\"accept_all\": \"OK <&>\"}}}\n"
    " }";


int
main(void)
{
    test_builtin();
    test_errors();
    test_views();
    test_carry();
    test_choice();
    test_gpp();
    test_json_banner();
    test_token();

    return done_testing();
}


static consent_policy_t *
load(const char *regimes, char *err, size_t len)
{
    char              *s;
    size_t             n;
    consent_policy_t  *p;

    n = strlen(head) + strlen(regimes) + 2;
    s = malloc(n);
    snprintf(s, n, "%s%s}", head, regimes);

    err[0] = '\0';
    p = consent_policy_parse(s, strlen(s), err, len);
    free(s);

    return p;
}


static void
view(consent_view_t *v, const consent_policy_t *p, consent_state_e state,
    uint32_t granted, const char *tag)
{
    consent_token_t  tok;

    memset(&tok, 0, sizeof(consent_token_t));
    tok.revision = p->revision;
    tok.granted = granted;
    tok.issued = ISSUED;
    snprintf(tok.regime, sizeof(tok.regime), "%s", tag);

    consent_view_init(v, p, state, &tok);
}


static void
test_builtin(void)
{
    char                     err[512];
    consent_policy_t        *p;
    const consent_regime_t  *rg;

    p = load("", err, sizeof(err));
    ok(p != NULL, "a policy without regimes: %s", err);

    is_int(p->nregimes, 4, "four built-in regimes");

    rg = consent_regime_find(p, "opt-out", 7);
    ok(rg && rg->model == CONSENT_MODEL_OPT_OUT, "opt-out is built in");
    is_int(rg->defaults, ALL, "opt-out: everything on before a choice");
    is_int(rg->opt_out, ALL & ~NECESSARY, "opt-out: all but required "
           "may be turned off");
    is_int(rg->gpc, MARKETING, "opt-out: GPC turns off the gpc category");

    rg = consent_regime_find(p, "opt-in", 6);
    is_int(rg->defaults, NECESSARY, "opt-in: required only");

    ok(consent_regime_find(p, "", 0) == NULL, "empty: no regime");
    ok(consent_regime_find(p, "OPT-IN", 6) == NULL, "case matters");
    ok(consent_regime_find(p, "opt-inx", 7) == NULL, "unknown: no regime");
    ok(consent_regime_find(p, NULL, 0) == NULL, "NULL: no regime");

    rg = consent_regime_strictest(p);
    is_str(rg->name, "opt-in", "the strictest is opt-in");
    is_str(consent_regime_tag(rg), "", "opt-in's cookie is format 1");

    consent_policy_free(p);

    p = load(full, err, sizeof(err));
    ok(p != NULL, "a policy with regimes: %s", err);

    if (p == NULL) {
        return;
    }

    is_int(p->nregimes, 6, "four built-in and two more");

    rg = consent_regime_find(p, "uk", 2);
    ok(rg && rg->model == CONSENT_MODEL_OPT_IN && rg->declared, "uk");
    is_int(rg->exempt, ANALYTICS, "uk: analytics exempt");
    is_int(rg->defaults, NECESSARY | ANALYTICS, "uk: exempt runs at first");

    rg = consent_regime_find(p, "opt-out", 7);
    is_int(rg->opt_out, ANALYTICS | MARKETING, "preferences may not be "
           "opted out of");
    is_int(rg->nsections, 2, "two GPP sections");

    is_str(consent_regime_strictest(p)->name, "opt-in",
           "the strictest: plain opt-in before uk");

    is_str(consent_policy_text(consent_regime_shown(p, rg),
                               CONSENT_TEXT_REJECT_ALL, "en"),
           "Do Not Sell or Share My Personal Information",
           "opt-out's own text");
    is_str(consent_policy_text(consent_regime_shown(p, rg),
                               CONSENT_TEXT_REJECT_ALL, "fr"),
           "Do Not Sell or Share My Personal Information",
           "a language it lacks: its default language's, not opt-in's");
    is_str(consent_policy_text(consent_regime_shown(p, rg),
                               CONSENT_TEXT_SAVE, "fr"),
           "Sf", "a text it does not have: the policy's");
    ok(consent_regime_shown(p, rg)->categories[1].required,
       "a category on that cannot be turned off shows as always on");
    ok(!p->categories[1].required, "the policy's own is unchanged");
    ok(consent_regime_shown(p, consent_regime_find(p, "opt-in", 6)) == p,
       "a regime without texts shows the policy");

    consent_policy_free(p);
}


static void
test_errors(void)
{
    size_t             i;
    char               err[512];
    consent_policy_t  *p;

    static const struct {
        const char  *regimes;
        const char  *want;
    } bad[] = {
        { ",\n\"regimes\": {\n \"opt-in\": {\n  \"categories\": {\n"
          "   \"analytics\": {\"default\": true}}}}",
          "line 5: regimes.opt-in.categories.analytics: \"default\": true "
          "would grant \"analytics\" before any choice in an opt-in regime" },
        { ",\n\"regimes\": {\"eu\": {\"model\": \"opt-in\",\n"
          "\"categories\": {\"marketing\": {\"exempt\": true, "
          "\"default\": true}}}}",
          "line 3: regimes.eu.categories.marketing: a category of sale" },
        { ",\"regimes\": {\"eu\": {\"model\": \"opt-in\", \"categories\": "
          "{\"analytics\": {\"exempt\": true, \"default\": false}}}}",
          "exempt statistics run until the visitor objects" },
        { ",\"regimes\": {\"eu\": {\"model\": \"opt-in\", \"categories\": "
          "{\"analytics\": {\"opt_out\": true}}}}",
          "unknown key \"opt_out\"" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", \"categories\": "
          "{\"analytics\": {\"exempt\": true}}}}",
          "unknown key \"exempt\"" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", \"categories\": "
          "{\"nope\": {}}}}",
          "regimes.us.categories.nope: unknown category" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", \"categories\": "
          "{\"necessary\": {\"default\": false}}}}",
          "a required category is always on" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", \"categories\": "
          "{\"analytics\": {\"default\": false, \"opt_out\": false}}}}",
          "leave the category out" },
        { ",\"regimes\": {\"us\": {\"categories\": {}}}",
          "regimes.us: missing \"model\"" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-maybe\"}}",
          "regimes.us.model: must be" },
        { ",\"regimes\": {\"opt-in\": {\"model\": \"opt-out\"}}",
          "of the model of its name" },
        { ",\"regimes\": {\"US\": {\"model\": \"opt-out\"}}",
          "a regime's name is 1 to 16 characters" },
        { ",\"regimes\": {\"us\": {\"model\": \"notice\", "
          "\"categories\": {}}}",
          "only an \"opt-in\" or \"opt-out\" regime" },
        { ",\"regimes\": {\"eu\": {\"model\": \"opt-in\", "
          "\"gpp\": {\"sections\": [\"usnat\"]}}}",
          "GPP's US sections are for an \"opt-out\" regime" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", "
          "\"gpp\": {\"sections\": [\"usnat\", \"usnat\"]}}}",
          "\"usnat\" twice" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", "
          "\"gpp\": {\"sections\": [\"usva\"]}}}",
          "\"usnat\" or \"usca\" expected" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", "
          "\"gpp\": {\"sections\": [\"usnat\"], \"sale\": [\"necessary\"]}}}",
          "not a category the visitor may opt out of" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", "
          "\"texts\": {\"de\": {\"title\": \"x\"}}}}",
          "regimes.us.texts.de: not a language of the policy's texts" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", "
          "\"texts\": {\"en\": {\"titel\": \"x\"}}}}",
          "\"titel\": a text of the policy's" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", "
          "\"texts\": {\"en\": {\"title\": \"\"}}}}",
          "a string that is not empty" },
        { ",\"regimes\": {\"us\": {\"model\": \"opt-out\", \"x\": 1}}",
          "regimes.us.x: unknown key" },
        { ",\"regimes\": []",
          "regimes: must be an object" },
    };

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        p = load(bad[i].regimes, err, sizeof(err));
        ok(p == NULL && strstr(err, bad[i].want) != NULL,
           "refused: %s", bad[i].want);

        if (p != NULL || strstr(err, bad[i].want) == NULL) {
            printf("#   got: %s\n", err);
        }

        consent_policy_free(p);
    }
}


static void
test_views(void)
{
    char                     err[512];
    consent_view_t           v;
    consent_policy_t        *p;
    const consent_regime_t  *in, *out, *uk, *notice, *off;

    p = load(full, err, sizeof(err));
    if (p == NULL) {
        ok(0, "policy: %s", err);
        return;
    }

    in = consent_regime_find(p, "opt-in", 6);
    out = consent_regime_find(p, "opt-out", 7);
    uk = consent_regime_find(p, "uk", 2);
    notice = consent_regime_find(p, "us-notice", 9);
    off = consent_regime_find(p, "off", 3);

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, in, &v, 0);
    is_int(v.granted, NECESSARY, "opt-in, no cookie: required only");
    ok(v.regime == in, "the view names its regime");
    is_int(consent_regime_ticked(&v), 0, "opt-in: nothing ticked");

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, in, &v, 1);
    is_int(v.granted, NECESSARY, "opt-in with GPC: required only");
    ok(!v.gpc, "opt-in: GPC is not an opt-out there (the banner says it)");

    view(&v, p, CONSENT_STATE_VALID, ALL, "");
    consent_regime_view(p, in, &v, 1);
    is_int(v.granted, ALL, "opt-in: a valid consent holds, GPC or not");

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, out, &v, 0);
    is_int(v.granted, ALL, "opt-out, no cookie: everything runs");
    is_int(consent_regime_ticked(&v), ALL, "opt-out: ticked as it runs");
    ok(!v.gpc, "no GPC");

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, out, &v, 1);
    is_int(v.granted, ALL & ~MARKETING, "opt-out with GPC: no marketing");
    ok(v.gpc, "GPC honoured");

    view(&v, p, CONSENT_STATE_VALID, NECESSARY, "opt-out");
    consent_regime_view(p, out, &v, 0);
    is_int(v.granted, NECESSARY | PREFERENCES,
           "opted out: what cannot be opted out of stays");
    is_int(v.state, CONSENT_STATE_VALID, "its own cookie is valid");

    view(&v, p, CONSENT_STATE_VALID, ALL, "opt-out");
    consent_regime_view(p, out, &v, 1);
    is_int(v.granted, ALL & ~MARKETING, "GPC wins over a cookie");

    view(&v, p, CONSENT_STATE_EXPIRED, ALL, "opt-out");
    consent_regime_view(p, out, &v, 0);
    is_int(v.granted, ALL, "an expired cookie: the defaults");

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, uk, &v, 0);
    is_int(v.granted, NECESSARY | ANALYTICS, "uk: exempt statistics run");
    is_int(consent_regime_ticked(&v), NECESSARY | ANALYTICS,
           "uk: ticked as it runs");

    view(&v, p, CONSENT_STATE_VALID, NECESSARY, "uk");
    consent_regime_view(p, uk, &v, 0);
    is_int(v.granted, NECESSARY, "uk: an objection holds");

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, notice, &v, 1);
    is_int(v.granted, ALL, "notice: nothing gated, GPC or not");
    ok(!v.gpc, "notice: GPC not acted on");

    view(&v, p, CONSENT_STATE_VALID, NECESSARY, "");
    consent_regime_view(p, off, &v, 0);
    is_int(v.granted, ALL, "off: nothing gated");

    consent_policy_free(p);
}


static void
test_carry(void)
{
    char                     err[512];
    consent_view_t           v;
    consent_policy_t        *p;
    const consent_regime_t  *in, *out, *uk, *notice;

    p = load(full, err, sizeof(err));
    if (p == NULL) {
        ok(0, "policy: %s", err);
        return;
    }

    in = consent_regime_find(p, "opt-in", 6);
    out = consent_regime_find(p, "opt-out", 7);
    uk = consent_regime_find(p, "uk", 2);
    notice = consent_regime_find(p, "us-notice", 9);

    ok(consent_regime_carries(in, out), "opt-in's choice holds in opt-out");
    ok(consent_regime_carries(in, uk), "opt-in's choice holds in uk");
    ok(!consent_regime_carries(out, in), "opt-out's does not in opt-in");
    ok(!consent_regime_carries(uk, in), "uk's (exempt on) not in opt-in");
    ok(!consent_regime_carries(notice, out), "notice's not in opt-out");
    ok(consent_regime_carries(out, notice), "opt-out's holds in notice");

    view(&v, p, CONSENT_STATE_VALID, ALL, "opt-out");
    consent_regime_view(p, in, &v, 0);
    is_int(v.state, CONSENT_STATE_OUTDATED, "an opt-out cookie in opt-in: "
           "asked again");
    is_int(v.granted, NECESSARY, "and nothing granted meanwhile");

    view(&v, p, CONSENT_STATE_VALID, NECESSARY | ANALYTICS, "uk");
    consent_regime_view(p, in, &v, 0);
    is_int(v.state, CONSENT_STATE_OUTDATED, "a uk cookie in opt-in: asked "
           "again");

    view(&v, p, CONSENT_STATE_VALID, NECESSARY | MARKETING, "");
    consent_regime_view(p, out, &v, 0);
    is_int(v.state, CONSENT_STATE_VALID, "an opt-in cookie in opt-out holds");
    is_int(v.granted, NECESSARY | PREFERENCES | MARKETING,
           "its refusals are opt-outs");

    view(&v, p, CONSENT_STATE_VALID, ALL, "gone");
    consent_regime_view(p, out, &v, 0);
    is_int(v.state, CONSENT_STATE_OUTDATED, "a regime the policy lost: "
           "asked again");

    consent_policy_free(p);
}


static void
test_choice(void)
{
    char                     err[512];
    consent_policy_t        *p;
    const consent_regime_t  *in, *out, *uk;

    p = load(full, err, sizeof(err));
    if (p == NULL) {
        ok(0, "policy: %s", err);
        return;
    }

    in = consent_regime_find(p, "opt-in", 6);
    out = consent_regime_find(p, "opt-out", 7);
    uk = consent_regime_find(p, "uk", 2);

    is_int(consent_regime_choice(p, in, ALL, 1), ALL,
           "opt-in: a choice is what it says, GPC or not");
    is_int(consent_regime_choice(p, out, NECESSARY, 0),
           NECESSARY | PREFERENCES, "opt-out: reject keeps the forced one");
    is_int(consent_regime_choice(p, out, ALL, 1), ALL & ~MARKETING,
           "opt-out: accepting with GPC sent does not sell");
    is_int(consent_regime_choice(p, uk, NECESSARY, 0), NECESSARY,
           "uk: an objection is stored");
    is_str(consent_regime_tag(out), "opt-out", "opt-out's tag");
    is_str(consent_regime_tag(uk), "uk", "uk's tag");

    consent_policy_free(p);
}


static void
test_gpp(void)
{
    int                      n;
    char                     err[512], str[CONSENT_GPP_SHORT_MAX], sid[16];
    consent_gpp_t            gpp;
    consent_view_t           v;
    consent_policy_t        *p;
    const consent_regime_t  *in, *out;

    p = load(full, err, sizeof(err));
    if (p == NULL) {
        ok(0, "policy: %s", err);
        return;
    }

    in = consent_regime_find(p, "opt-in", 6);
    out = consent_regime_find(p, "opt-out", 7);

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, in, &v, 0);
    n = consent_regime_gpp(p, &v, str, sizeof(str), sid, sizeof(sid));
    ok(n == 0 && str[0] == '\0' && sid[0] == '\0', "opt-in: no GPP");

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, out, &v, 0);
    n = consent_regime_gpp(p, &v, str, sizeof(str), sid, sizeof(sid));
    ok(n > 0, "opt-out: a GPP string %s", str);
    is_str(sid, "7,8", "applicable: usnat and usca");
    ok(consent_gpp_decode(str, n, &gpp, NULL) == 0, "it decodes");
    ok(gpp.has_usnat && gpp.has_usca, "both sections");
    is_int(gpp.usnat.sale_opt_out_notice, 1, "sale notice given");
    is_int(gpp.usnat.sale_opt_out, 2, "did not opt out of sale");
    is_int(gpp.usnat.targeted_advertising_opt_out, 2, "nor of targeting");
    is_int(gpp.usnat.gpc, 0, "no GPC");
    is_int(gpp.usca.sharing_opt_out, 2, "usca: did not opt out of sharing");

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, out, &v, 1);
    n = consent_regime_gpp(p, &v, str, sizeof(str), sid, sizeof(sid));
    ok(n > 0 && consent_gpp_decode(str, n, &gpp, NULL) == 0,
       "GPC: %s", str);
    is_int(gpp.usnat.sale_opt_out, 1, "GPC: opted out of sale");
    is_int(gpp.usnat.sharing_opt_out, 1, "and of sharing");
    is_int(gpp.usnat.targeted_advertising_opt_out, 1, "and of targeting");
    is_int(gpp.usnat.gpc, 1, "usnat's GPC subsection says so");
    is_int(gpp.usca.gpc, 1, "usca's too");

    view(&v, p, CONSENT_STATE_VALID, NECESSARY, "opt-out");
    consent_regime_view(p, out, &v, 0);
    n = consent_regime_gpp(p, &v, str, sizeof(str), sid, sizeof(sid));
    ok(n > 0 && consent_gpp_decode(str, n, &gpp, NULL) == 0,
       "opted out: %s", str);
    is_int(gpp.usnat.sale_opt_out, 1, "opted out of sale");
    is_int(gpp.usnat.gpc, 0, "without GPC");

    ok(consent_regime_gpp(p, &v, str, 8, sid, sizeof(sid)) == -1,
       "too small a buffer: -1");

    consent_policy_free(p);
}


static void
test_json_banner(void)
{
    char                     err[512], *s;
    size_t                   len;
    consent_view_t           v;
    consent_policy_t        *p;
    consent_tpl_vars_t       vars;
    consent_render_conf_t    rc;
    const consent_regime_t  *out, *notice;

    p = load(full, err, sizeof(err));
    if (p == NULL) {
        ok(0, "policy: %s", err);
        return;
    }

    out = consent_regime_find(p, "opt-out", 7);
    notice = consent_regime_find(p, "us-notice", 9);

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, out, &v, 1);
    s = consent_regime_json(p, &v, &len);
    ok(s != NULL && strlen(s) == len, "the page's JSON: %s", s ? s : "");
    ok(s && strncmp(s, "{\"regime\":\"opt-out\",\"model\":\"opt-out\","
                       "\"gpc\":true,\"gpp\":{\"string\":\"DBAB", 67) == 0,
       "regime, model, gpc and the string");
    ok(s && strstr(s, "\"sid\":[7,8],\"sections\":[\"7:usnat\","
                      "\"8:usca\"],\"parsed\":{\"usnat\":{\"Version\":2,"),
       "sid, sections and the parsed sections");
    ok(s && strstr(s, "\"SaleOptOut\":1,") && strstr(s, "\"Gpc\":true}"),
       "opted out by GPC, as the API says it");
    ok(s && strchr(s, '<') == NULL, "nothing a script element ends on");
    free(s);

    s = consent_render_state_json(p, &v, &len);
    ok(s && strstr(s, "\"regime\":\"opt-out\"")
       && strstr(s, "\"gpp\":{\"string\":\"DBA")
       && strstr(s, "\"sid\":[7,8]"), "the state JSON: %s", s ? s : "");
    free(s);

    view(&v, p, CONSENT_STATE_ABSENT, 0, "");
    consent_regime_view(p, notice, &v, 0);
    s = consent_regime_json(p, &v, &len);
    is_str(s, "{\"regime\":\"us-notice\",\"model\":\"notice\",\"gpc\":false,"
              "\"gpp\":null}", "notice: no GPP");
    free(s);

    memset(&rc, 0, sizeof(rc));
    rc.endpoint = "/consent/\"x";
    rc.endpoint_len = 11;
    rc.version = "1";

    memset(&vars, 0, sizeof(vars));
    vars.ret = "/a?b=<c>";
    vars.ret_len = 8;

    s = consent_regime_notice_banner(p, notice, "en", &rc, &vars, &len);
    ok(s && strlen(s) == len, "the notice banner");
    ok(s && strstr(s, ">OK &lt;&amp;&gt;</button>"), "its text escaped");
    ok(s && strstr(s, "action=\"/consent/&quot;x\""), "the endpoint escaped");
    ok(s && strstr(s, "value=\"/a?b=&lt;c&gt;\""), "the return path escaped");
    ok(s && strstr(s, "value=\"accept_all\""), "one button, recorded");
    ok(s && !strstr(s, "reject_all"), "nothing to reject");
    ok(s && !strstr(s, " hidden>"), "shown before it was seen");
    free(s);

    vars.hidden = 1;
    s = consent_regime_notice_banner(p, notice, "fr", &rc, &vars, &len);
    ok(s && strstr(s, "data-consent-ui hidden>"), "hidden once it was seen");
    ok(s && strstr(s, "<h2 id=\"consent-title\">Tf</h2>"),
       "the policy's text in French where the regime has none");
    free(s);

    consent_policy_free(p);
}


static void
test_token(void)
{
    int                n;
    char               err[256], value[CONSENT_TOKEN_MAX + 1];
    consent_token_t    tok, got;
    consent_state_e    st;
    consent_keyset_t  *ks;

    static const char  keys[] =
        "k1 MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n";

    ks = consent_keyset_parse(keys, sizeof(keys) - 1, "keys", err,
                              sizeof(err));
    ok(ks != NULL, "keys: %s", err);

    if (ks == NULL) {
        return;
    }

    memset(&tok, 0, sizeof(tok));
    tok.issued = ISSUED;
    tok.revision = 3;
    tok.granted = 0x7;
    memset(tok.id, 0x5a, sizeof(tok.id));
    strcpy(tok.regime, "opt-out");

    n = consent_token_encode(ks, "consent", 7, &tok, value, sizeof(value));
    ok(n > 0 && strncmp(value, "2.k1.", 5) == 0, "format 2: %s", value);
    ok(n > 0 && strstr(value, ".opt-out.") != NULL, "the tag in it");

    st = consent_token_verify(ks, "consent", 7, value, n, ISSUED + 10, 3,
                              86400, &got);
    is_int(st, CONSENT_STATE_VALID, "it verifies");
    is_str(got.regime, "opt-out", "with its tag");

    /* the tag is signed */

    value[n - 44 - 1] = 'x';
    st = consent_token_verify(ks, "consent", 7, value, n, ISSUED + 10, 3,
                              86400, &got);
    is_int(st, CONSENT_STATE_INVALID, "a changed tag: invalid");

    tok.regime[0] = '\0';
    n = consent_token_encode(ks, "consent", 7, &tok, value, sizeof(value));
    ok(n > 0 && strncmp(value, "1.k1.", 5) == 0, "no tag: format 1");
    st = consent_token_verify(ks, "consent", 7, value, n, ISSUED + 10, 3,
                              86400, &got);
    ok(st == CONSENT_STATE_VALID && got.regime[0] == '\0',
       "format 1: no tag");

    strcpy(tok.regime, "Opt-out");
    ok(consent_token_encode(ks, "consent", 7, &tok, value, sizeof(value))
       == -1, "an invalid tag is not signed");

    consent_keyset_free(ks);
}
