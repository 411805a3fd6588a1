
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The policy parser (consent_policy_parse), and what is rendered from a
 * policy that parses (src/consent_render.c).
 *
 * Input: the policy file.  Properties: a refused file gets a message; a
 * parsed policy is consistent (1 to 32 categories with distinct ids that
 * find themselves, a required one, masks that match, every rule on an
 * optional category, every text of the default language present); every
 * text reaches the banner escaped: the banner (with its "manage" link)
 * has exactly the '<', '>' and '"' of its template, whatever the policy
 * says; the state JSON parses; the head snippet holds two "</" (the
 * ends of its two scripts).
 */


#include <jansson.h>

#include "fuzz.h"
#include "consent_render.h"


/* the banner's markup: fixed, and per category */
static size_t  banner_lt, banner_gt, banner_quot;
static size_t  cat_lt, cat_gt, cat_quot;


static size_t
count(const char *s, size_t len, int c)
{
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        n += (s[i] == c);
    }

    return n;
}


static size_t
count_str(const char *s, size_t len, const char *sub)
{
    size_t  i, n, l;

    n = 0;
    l = strlen(sub);

    for (i = 0; i + l <= len; i++) {
        n += (memcmp(s + i, sub, l) == 0);
    }

    return n;
}


static consent_render_conf_t  rconf = {
    .endpoint = "/consent/",
    .endpoint_len = 9,
    .version = "0123456789abcdef",
    .position = CONSENT_POSITION_BOTTOM,
    .manage_button = 1
};

static consent_tpl_vars_t  bvars = {
    "/a?b=1", 6, 0xffffffff, 0, 1, CONSENT_STATE_ABSENT, 0, NULL, 0
};


static char *
fuzz_banner(const consent_policy_t *p, const char *lang, size_t *len)
{
    return consent_render_banner(p, lang, &rconf, &bvars, len);
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char              *s, err[256];
    size_t             len, lt, gt, quot;
    consent_policy_t  *p, *one;

    static const char  minimal[] =
        "{\"revision\":1,\"default_language\":\"en\","
        "\"privacy_url\":\"/p\",\"categories\":[{\"id\":\"a\","
        "\"required\":true,\"label\":{\"en\":\"A\"},"
        "\"description\":{\"en\":\"D\"}}],\"texts\":{\"en\":{"
        "\"title\":\"t\",\"message\":\"m\",\"accept_all\":\"a\","
        "\"reject_all\":\"r\",\"customise\":\"c\",\"save\":\"s\","
        "\"withdraw\":\"w\",\"privacy_link\":\"p\",\"manage\":\"m\","
        "\"always_on\":\"o\",\"gpc_honoured\":\"g\"}}}";

    /*
     * the templates' own markup: a fixed part and a part per category,
     * from a policy of one category and the shipped one
     */

    p = fuzz_policy("conf/policy.json");
    one = consent_policy_parse(minimal, sizeof(minimal) - 1, err,
                               sizeof(err));
    if (one == NULL) {
        fprintf(stderr, "minimal policy: %s\n", err);
        abort();
    }

    s = fuzz_banner(one, one->default_lang, &len);
    lt = count(s, len, '<');
    gt = count(s, len, '>');
    quot = count(s, len, '"');
    free(s);

    s = fuzz_banner(p, p->default_lang, &len);
    cat_lt = (count(s, len, '<') - lt) / (p->ncategories - 1);
    cat_gt = (count(s, len, '>') - gt) / (p->ncategories - 1);
    cat_quot = (count(s, len, '"') - quot) / (p->ncategories - 1);
    banner_lt = lt - cat_lt;
    banner_gt = gt - cat_gt;
    banner_quot = quot - cat_quot;
    free(s);

    consent_policy_free(one);
    consent_policy_free(p);

    return 0;
}


static void
check_policy(const consent_policy_t *p)
{
    size_t                    i, k;
    uint32_t                  all, req;
    const char               *t;
    const consent_category_t *c;

    fuzz_check(p->ncategories >= 1
               && p->ncategories <= CONSENT_MAX_CATEGORIES, "1 to 32");

    all = 0;
    req = 0;

    for (i = 0; i < p->ncategories; i++) {
        c = &p->categories[i];

        fuzz_check(c->id_len >= 1 && c->id_len <= CONSENT_ID_MAX
                   && strlen(c->id) == c->id_len, "id length");
        fuzz_check(consent_policy_category(p, c->id, c->id_len) == (int) i,
                   "ids are distinct and find themselves");
        fuzz_check(consent_policy_label(p, i, p->default_lang) != NULL,
                   "a label in the default language");
        fuzz_check(consent_policy_description(p, i, p->default_lang)
                   != NULL, "a description in the default language");

        all |= (uint32_t) 1 << i;

        if (c->required) {
            req |= (uint32_t) 1 << i;
        }
    }

    fuzz_check(p->all_mask == all && p->required_mask == req && req != 0,
               "masks");

    for (i = 0; i < p->nrules; i++) {
        fuzz_check(p->rules[i].category < p->ncategories
                   && !p->categories[p->rules[i].category].required,
                   "rules gate optional categories");
        fuzz_check(p->rules[i].len >= 1
                   && p->rules[i].len <= CONSENT_PATTERN_MAX
                   && p->rules[i].rare < p->rules[i].len, "pattern");
    }

    for (i = 0; i < p->naliases; i++) {
        fuzz_check(p->aliases[i].category < p->ncategories, "alias");
    }

    fuzz_check(p->max_age > 0 && p->max_age <= CONSENT_MAX_AGE_MAX,
               "max_age");

    for (k = 0; k < CONSENT_TEXT_N; k++) {
        t = consent_policy_text(p, (consent_text_e) k, p->default_lang);
        fuzz_check(t != NULL && t[0] != '\0', "every default text");
    }

    for (i = 0; i < p->nlangs; i++) {
        for (k = 0; k < CONSENT_TEXT_N; k++) {
            t = consent_policy_text(p, (consent_text_e) k, p->langs[i]);
            fuzz_check(t != NULL, "texts fall back");
        }
    }
}


static void
check_render(const consent_policy_t *p, const char *lang)
{
    char             *s;
    size_t            len, n;
    json_t           *j;
    json_error_t      jerr;
    consent_view_t    view;
    consent_token_t   tok;

    s = fuzz_banner(p, lang, &len);
    n = p->ncategories;
    fuzz_check(s != NULL, "banner");
    fuzz_check(count(s, len, '<') == banner_lt + n * cat_lt
               && count(s, len, '>') == banner_gt + n * cat_gt
               && count(s, len, '"') == banner_quot + n * cat_quot,
               "policy texts are escaped in the banner");
    fuzz_check(memchr(s, '\001', len) == NULL, "no slot left");
    free(s);

    memset(&tok, 0, sizeof(consent_token_t));
    tok.issued = 1735689600;
    tok.revision = p->revision;
    tok.granted = p->all_mask;

    consent_view_init(&view, p, CONSENT_STATE_VALID, &tok);

    s = consent_render_page(p, &view, lang, "/consent/", 9, "/", 1, &len);
    fuzz_check(s != NULL, "page");
    fuzz_check(count(s, len, '<') == count(s, len, '>'),
               "page: as many '<' as '>'");
    free(s);

    s = consent_render_head(p, &view, 1, &rconf, "n", 1, &len);
    fuzz_check(s != NULL, "head");
    fuzz_check(count_str(s, len, "</") == 2, "head: two \"</\"");
    free(s);

    s = consent_render_state_json(p, &view, &len);
    fuzz_check(s != NULL, "state");
    j = json_loadb(s, len, 0, &jerr);
    fuzz_check(j != NULL && json_is_object(j), "state is a JSON object");
    json_decref(j);
    free(s);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char              *text, err[512];
    size_t             i;
    const char        *lang;
    consent_policy_t  *p;

    text = fuzz_copy(data, size);

    memset(err, 'x', sizeof(err));

    p = consent_policy_parse(text, size, err, sizeof(err));

    if (p == NULL) {
        fuzz_check(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0',
                   "a refusal says why");
        free(text);
        return 0;
    }

    check_policy(p);

    check_render(p, p->default_lang);

    for (i = 0; i < p->nlangs && i < 4; i++) {
        check_render(p, p->langs[i]);
    }

    lang = consent_policy_pick_lang(p, "es-MX,es;q=0.9,en;q=0.5,*;q=0.1",
                                    31);
    fuzz_check(lang != NULL, "a language is picked");

    consent_policy_free(p);
    free(text);

    return 0;
}
