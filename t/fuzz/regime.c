
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The policy's regimes (consent_regime.c): their parser, and what a
 * cookie and Sec-GPC add up to under each.
 *
 * Input: a flags byte (bit 0: Sec-GPC; bits 1-3: the cookie's state), a
 * byte of granted categories, the cookie's regime tag up to '\n', then
 * the "regimes" object of a fixed policy of four categories (the last
 * one "gpc").  Properties: a refused policy gets a message; in a parsed
 * one every regime's defaults exist and hold the required categories,
 * an opt-in regime grants nothing before a choice but required and
 * exempt categories, and no exempt category is one of sale; under every
 * regime the categories in force hold the required ones and no more
 * than the policy's, notice and off gate nothing, opt-in without a
 * valid cookie grants its defaults, opt-out with GPC none of its GPC
 * categories, a cookie stays valid only where its regime carries; a
 * decision stores no category the regime lacks; the GPP string decodes;
 * the page's JSON parses and holds no '<'; the notice banner has the
 * '<' of its template only.
 */


#include <jansson.h>

#include "fuzz.h"
#include "consent_regime.h"


static const char  head[] =
    "{\"revision\":1,\"default_language\":\"en\",\"privacy_url\":\"/p\","
    "\"categories\":["
    "{\"id\":\"necessary\",\"required\":true,\"label\":{\"en\":\"N\"},"
    "\"description\":{\"en\":\"d\"}},"
    "{\"id\":\"preferences\",\"label\":{\"en\":\"P\"},"
    "\"description\":{\"en\":\"d\"}},"
    "{\"id\":\"analytics\",\"label\":{\"en\":\"A\"},"
    "\"description\":{\"en\":\"d\"}},"
    "{\"id\":\"marketing\",\"gpc\":true,\"label\":{\"en\":\"M\"},"
    "\"description\":{\"en\":\"d\"}}],"
    "\"texts\":{\"en\":{\"title\":\"t\",\"message\":\"m\","
    "\"accept_all\":\"a\",\"reject_all\":\"r\",\"customise\":\"c\","
    "\"save\":\"s\",\"withdraw\":\"w\",\"privacy_link\":\"p\","
    "\"manage\":\"g\",\"always_on\":\"o\",\"gpc_honoured\":\"h\"},"
    "\"fr\":{\"title\":\"t\"}},\"regimes\":";

static size_t  notice_lt;

static consent_render_conf_t  rconf = {
    .endpoint = "/consent/",
    .endpoint_len = 9,
    .version = "0123456789abcdef",
    .position = CONSENT_POSITION_BOTTOM,
    .manage_button = 1
};


static size_t
count(const char *s, size_t len, int c)
{
    size_t  i, n;

    for (i = 0, n = 0; i < len; i++) {
        n += (s[i] == c);
    }

    return n;
}


static consent_policy_t *
load(const char *regimes, size_t len, char *err, size_t errlen)
{
    char              *s;
    size_t             n;
    consent_policy_t  *p;

    n = sizeof(head) - 1;
    s = malloc(n + len + 2);
    if (s == NULL) {
        abort();
    }

    memcpy(s, head, n);
    memcpy(s + n, regimes, len);
    s[n + len] = '}';

    err[0] = '\0';
    p = consent_policy_parse(s, n + len + 1, err, errlen);
    free(s);

    return p;
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char                     err[512], *s;
    size_t                   len;
    consent_policy_t        *p;
    consent_tpl_vars_t       vars;

    static const char  plain[] = "{\"n\":{\"model\":\"notice\"}}";

    p = load(plain, sizeof(plain) - 1, err, sizeof(err));
    if (p == NULL) {
        fprintf(stderr, "fuzz: regime: %s\n", err);
        abort();
    }

    memset(&vars, 0, sizeof(vars));
    vars.ret = "/";
    vars.ret_len = 1;

    s = consent_regime_notice_banner(p, consent_regime_find(p, "n", 1),
                                     "en", &rconf, &vars, &len);
    notice_lt = count(s, len, '<');
    free(s);
    consent_policy_free(p);

    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                      gpc, n;
    char                     err[512], str[CONSENT_GPP_SHORT_MAX];
    char                     sid[16], *s;
    size_t                   i, len, tlen;
    unsigned                 flags, st;
    uint32_t                 req, all, g;
    fuzz_in_t                in;
    const char              *t, *body;
    json_t                  *js;
    consent_gpp_t            gpp;
    consent_view_t           v;
    consent_token_t          tok;
    consent_policy_t        *p;
    consent_tpl_vars_t       vars;
    const consent_regime_t  *rg, *from;

    static const consent_state_e  states[] = {
        CONSENT_STATE_ABSENT, CONSENT_STATE_VALID, CONSENT_STATE_INVALID,
        CONSENT_STATE_EXPIRED, CONSENT_STATE_OUTDATED
    };

    in.p = data;
    in.left = size;

    memset(&vars, 0, sizeof(vars));
    vars.ret = "/";
    vars.ret_len = 1;

    flags = fuzz_byte(&in);
    g = fuzz_byte(&in);
    t = fuzz_field(&in, '\n', &tlen);
    body = (const char *) in.p;
    len = in.left;

    gpc = flags & 1;
    st = (flags >> 1) & 7;
    st = st < 5 ? st : 1;

    s = fuzz_copy(body, len);
    p = load(s, len, err, sizeof(err));
    free(s);

    if (p == NULL) {
        fuzz_check(err[0] != '\0', "a refused policy says why");
        return 0;
    }

    req = p->required_mask;
    all = p->all_mask;

    fuzz_check(p->nregimes >= 4, "the built-in regimes");
    fuzz_check(consent_regime_strictest(p)->model == CONSENT_MODEL_OPT_IN,
               "the strictest is opt-in");

    memset(&tok, 0, sizeof(tok));
    tok.granted = g;
    tok.issued = 1700000000;
    tok.revision = 1;

    tlen = tlen < CONSENT_REGIME_TAG_MAX ? tlen : CONSENT_REGIME_TAG_MAX;
    memcpy(tok.regime, t, tlen);
    tok.regime[tlen] = '\0';
    tlen = strlen(tok.regime);

    for (i = 0; i < p->nregimes; i++) {
        rg = &p->regimes[i];

        fuzz_check((rg->offered & req) == req, "required ones exist");
        fuzz_check((rg->defaults & req) == req, "required ones are on");
        fuzz_check((rg->defaults & ~rg->offered) == 0,
                   "defaults exist");
        fuzz_check(consent_regime_find(p, rg->name, rg->name_len) == rg,
                   "a regime finds itself");

        if (rg->model == CONSENT_MODEL_OPT_IN) {
            fuzz_check((rg->defaults & ~(req | rg->exempt)) == 0,
                       "opt-in pre-grants only exempt statistics");
            fuzz_check((rg->exempt & (1u << 3)) == 0,
                       "no exempt category of sale");
        }

        consent_view_init(&v, p, states[st], &tok);
        consent_regime_view(p, rg, &v, gpc);

        fuzz_check(v.regime == rg, "the view names its regime");
        fuzz_check((v.granted & req) == req, "required in force");
        fuzz_check((v.granted & ~all) == 0, "nothing beyond the policy");

        if (rg->model <= CONSENT_MODEL_NOTICE) {
            fuzz_check(v.granted == all, "notice and off gate nothing");
        }

        if (v.state != CONSENT_STATE_VALID
            && rg->model == CONSENT_MODEL_OPT_IN)
        {
            fuzz_check(v.granted == rg->defaults,
                       "opt-in without a choice: its defaults");
        }

        if (rg->model == CONSENT_MODEL_OPT_OUT && gpc) {
            fuzz_check((v.granted & rg->gpc) == 0, "GPC honoured");
            fuzz_check(v.gpc, "and said");
        }

        if (v.state == CONSENT_STATE_VALID) {
            from = consent_regime_of_token(p, &tok);
            fuzz_check(from != NULL && consent_regime_carries(from, rg),
                       "a cookie stays valid only where it carries");
        }

        fuzz_check((consent_regime_choice(p, rg, g, gpc)
                    & ~(rg->model >= CONSENT_MODEL_OPT_OUT
                        ? rg->offered : all)) == 0,
                   "a decision stores what exists");

        n = consent_regime_gpp(p, &v, str, sizeof(str), sid, sizeof(sid));
        fuzz_check(n >= 0, "GPP encodes");

        if (n > 0) {
            fuzz_check(consent_gpp_decode(str, n, &gpp, NULL) == 0,
                       "GPP decodes");
            fuzz_check(gpp.has_usnat || gpp.has_usca, "a US section");
        }

        s = consent_regime_json(p, &v, &len);
        fuzz_check(s != NULL, "the page's JSON");
        fuzz_check(memchr(s, '<', len) == NULL, "no '<' in it");
        js = json_loadb(s, len, 0, NULL);
        fuzz_check(js != NULL, "it parses");
        json_decref(js);
        free(s);

        s = consent_render_state_json(p, &v, &len);
        fuzz_check(s != NULL, "the state JSON");
        js = json_loadb(s, len, 0, NULL);
        fuzz_check(js != NULL, "it parses");
        json_decref(js);
        free(s);

        if (rg->model == CONSENT_MODEL_NOTICE) {
            vars.hidden = flags >> 7;

            s = consent_regime_notice_banner(p, rg, (flags & 0x40) ? "fr"
                                                                   : "en",
                                             &rconf, &vars, &len);
            fuzz_check(s != NULL, "the notice banner");
            fuzz_check(count(s, len, '<') == notice_lt,
                       "the notice has its own '<' only");
            free(s);
        }

        if (rg->shown) {
            s = consent_render_banner(rg->shown, "en", &rconf, &vars, &len);
            free(s);
        }
    }

    consent_policy_free(p);

    return 0;
}
