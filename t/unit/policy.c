
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_policy.c: the shipped conf/policy.json, every
 * rejection nginx -t relies on, Accept-Language and text fallback.
 *
 * The small policies below are written with ' for " to stay readable;
 * json() turns them into JSON.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "tap.h"
#include "consent_policy.h"


static char *json(const char *s);
static char *subst(const char *base, const char *from, const char *to);
static consent_policy_t *parse(const char *s, char *err, size_t errlen);
static void rejects(const char *doc, const char *want, const char *name);
static void rejects_subst(const char *from, const char *to,
    const char *want, const char *name);
static void accepts_subst(const char *from, const char *to,
    const char *name);
static char *read_file(const char *path, size_t *len);
static void hex(const unsigned char *md, char *out);
static const char *cstr(const char *s);
static void test_shipped(const char *path);
static void test_small(void);
static void test_unknown_keys(void);
static void test_categories(void);
static void test_rules(void);
static void test_aliases(void);
static void test_cookies(void);
static void test_url_fold(void);
static void test_texts(void);
static void test_revision(void);
static void test_max_age(void);
static void test_privacy_url(void);
static void test_syntax(void);
static void test_load(void);
static void test_pick_lang(void);
static void test_fallback(void);


#define S(s)  s, sizeof(s) - 1


#define TEXTS_EN                                                              \
    "'title': 'Privacy', 'message': 'We ask.', 'accept_all': 'Accept all', "  \
    "'reject_all': 'Reject all', 'customise': 'Customise', 'save': 'Save', "  \
    "'withdraw': 'Withdraw', 'privacy_link': 'Policy', 'manage': 'Manage', "  \
    "'always_on': 'Always on', 'gpc_honoured': 'GPC honoured'"


/* valid: three categories, two languages, one rule of each kind */
static const char  *base =
    "{'revision': 3, 'default_language': 'en', 'privacy_url': '/privacy',\n"
    " 'categories': [\n"
    "  {'id': 'necessary', 'required': true, 'label': {'en': 'Necessary'},\n"
    "   'description': {'en': 'Needed.'},"
    " 'consent_mode': ['security_storage']},\n"
    "  {'id': 'analytics', 'label': {'en': 'Analytics', 'es': 'Analitica'},\n"
    "   'description': {'en': 'Counts.'},"
    " 'consent_mode': ['analytics_storage']},\n"
    "  {'id': 'ads', 'gpc': true, 'label': {'en': 'Ads'},"
    " 'description': {'en': 'Ads.'}}\n"
    " ],\n"
    " 'texts': {'en': {" TEXTS_EN "},\n"
    "   'es': {'title': 'Privacidad', 'accept_all': 'Aceptar todo'}},\n"
    " 'rules': [{'category': 'analytics', 'inline': ['track('],"
    " 'hosts': ['Stats.Example.COM'], 'urls': ['/m.js']}]}\n";


static char *
json(const char *s)
{
    char  *d, *p;

    d = strdup(s);
    if (d == NULL) {
        abort();
    }

    for (p = d; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }

    return d;
}


/* base with the first "from" replaced by "to", as JSON; NULL if absent */

static char *
subst(const char *b, const char *from, const char *to)
{
    char        *src, *d, *f, *t;
    const char  *at;
    size_t       n;

    src = json(b);
    f = json(from);
    t = json(to);

    at = strstr(src, f);
    d = NULL;

    if (at != NULL) {
        n = strlen(src) - strlen(f) + strlen(t) + 1;
        d = malloc(n);
        if (d == NULL) {
            abort();
        }

        snprintf(d, n, "%.*s%s%s", (int) (at - src), src, t,
                 at + strlen(f));
    }

    free(src);
    free(f);
    free(t);

    return d;
}


static consent_policy_t *
parse(const char *s, char *err, size_t errlen)
{
    return consent_policy_parse(s, strlen(s), err, errlen);
}


static void
rejects(const char *doc, const char *want, const char *name)
{
    char               err[512];
    consent_policy_t  *p;

    if (doc == NULL) {
        ok(0, "%s: test document built", name);
        return;
    }

    strcpy(err, "(untouched)");

    p = parse(doc, err, sizeof(err));

    if (!ok(p == NULL && strstr(err, want) != NULL, "rejects %s", name)) {
        printf("#   error: %s\n#    want: %s\n", err, want);
    }

    consent_policy_free(p);
}


static void
rejects_subst(const char *from, const char *to, const char *want,
    const char *name)
{
    char  *doc;

    doc = subst(base, from, to);
    rejects(doc, want, name);
    free(doc);
}


static void
accepts_subst(const char *from, const char *to, const char *name)
{
    char              *doc;
    char               err[512];
    consent_policy_t  *p;

    doc = subst(base, from, to);
    err[0] = '\0';

    p = doc ? parse(doc, err, sizeof(err)) : NULL;

    if (!ok(p != NULL, "accepts %s", name)) {
        printf("#   error: %s\n", err);
    }

    consent_policy_free(p);
    free(doc);
}


static char *
read_file(const char *path, size_t *len)
{
    FILE    *f;
    char    *buf;
    size_t   cap, n;

    *len = 0;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    /* one byte more than is read: test_shipped() appends a newline */
    cap = 4 * 1024 * 1024;
    buf = malloc(cap + 1);
    if (buf == NULL) {
        abort();
    }

    n = fread(buf, 1, cap, f);
    fclose(f);

    *len = n;

    return buf;
}


static void
hex(const unsigned char *md, char *out)
{
    size_t  i;

    for (i = 0; i < 32; i++) {
        sprintf(out + 2 * i, "%02x", md[i]);
    }
}


/* an array through a call: tap.h's is_str() tests its arguments for NULL */

static const char *
cstr(const char *s)
{
    return s;
}


static void
test_shipped(const char *path)
{
    char               *buf, err[512], want[65];
    size_t              len, i, n[3];
    unsigned int        mdlen;
    unsigned char       md[32];
    consent_policy_t   *p, *q;
    static const char  *ids[] = {
        "necessary", "preferences", "analytics", "marketing"
    };

    buf = read_file(path, &len);

    if (!ok(buf != NULL, "%s readable", path)) {
        return;
    }

    err[0] = '\0';
    p = consent_policy_load(path, err, sizeof(err));

    if (!ok(p != NULL, "%s loads", path)) {
        printf("#   error: %s\n", err);
        free(buf);
        return;
    }

    is_int(p->revision, 1, "revision");
    is_int(p->max_age, 182 * 86400, "max_age \"182d\"");
    is_str(p->default_lang, "en", "default language");
    is_str(p->privacy_url, "/privacy", "privacy_url");
    is_int(p->ncategories, 4, "four categories");

    for (i = 0; i < 4 && i < p->ncategories; i++) {
        is_str(p->categories[i].id, ids[i], "category %zu is %s", i, ids[i]);
        is_int(p->categories[i].id_len, strlen(ids[i]), "id_len %zu", i);
        is_int(consent_policy_category(p, ids[i], strlen(ids[i])), i,
               "lookup %s", ids[i]);
    }

    is_int(p->required_mask, 0x1, "required_mask");
    is_int(p->all_mask, 0xf, "all_mask");
    is_int(p->categories[0].required, 1, "necessary is required");
    is_int(p->categories[1].required, 0, "preferences is optional");
    is_int(p->categories[3].gpc, 1, "marketing is gpc");
    is_int(p->categories[2].gpc, 0, "analytics is not gpc");

    is_int(p->categories[0].gcm,
           (1 << CONSENT_GCM_SECURITY_STORAGE)
           | (1 << CONSENT_GCM_FUNCTIONALITY_STORAGE), "necessary gcm");
    is_int(p->categories[1].gcm, 1 << CONSENT_GCM_PERSONALIZATION_STORAGE,
           "preferences gcm");
    is_int(p->categories[2].gcm, 1 << CONSENT_GCM_ANALYTICS_STORAGE,
           "analytics gcm");
    is_int(p->categories[3].gcm,
           (1 << CONSENT_GCM_AD_STORAGE) | (1 << CONSENT_GCM_AD_USER_DATA)
           | (1 << CONSENT_GCM_AD_PERSONALIZATION), "marketing gcm");

    /* the 24 official languages of the EU and no, is, tr, uk, ar, he */
    is_int(p->nlangs, 30, "thirty languages");
    is_str(p->langs[0], "en", "langs[0] is the default");
    is_str(p->langs[1], "es", "langs[1]");
    is_str(p->langs[29], "he", "langs[29]");

    is_str(consent_policy_text(p, CONSENT_TEXT_LIFETIME, "es"), "Duración",
           "the optional lifetime label in Spanish");
    is_str(consent_policy_text(p, CONSENT_TEXT_COOKIES, "de"), "Cookies",
           "the optional cookies label in German");
    is_str(consent_policy_text(p, CONSENT_TEXT_LIFETIME, "pl"), "Lifetime",
           "a language without it falls back to English");

    for (i = 0; i < CONSENT_TEXT_REQUIRED_N; i++) {
        ok(consent_policy_text(p, (consent_text_e) i, "es") != NULL
           && strcmp(consent_policy_text(p, (consent_text_e) i, "es"),
                     consent_policy_text(p, (consent_text_e) i, "en")) != 0,
           "text %zu translated into Spanish", i);
    }

    for (i = 0; i < p->ncategories; i++) {
        ok(consent_policy_label(p, i, "es") != NULL
           && consent_policy_label(p, i, "es")
              != consent_policy_label(p, i, "en"),
           "label %zu in Spanish", i);
        ok(consent_policy_description(p, i, "es") != NULL
           && consent_policy_description(p, i, "es")
              != consent_policy_description(p, i, "en"),
           "description %zu in Spanish", i);
    }

    is_str(consent_policy_text(p, CONSENT_TEXT_REJECT_ALL, "es"),
           "Rechazar todo", "Spanish reject_all");
    is_str(consent_policy_label(p, 2, "en"), "Analytics", "English label");

    is_int(p->nrules, 28, "28 patterns");

    memset(n, 0, sizeof(n));

    for (i = 0; i < p->nrules; i++) {
        if (p->rules[i].kind <= CONSENT_RULE_INLINE) {
            n[p->rules[i].kind]++;
        }
    }

    is_int(n[CONSENT_RULE_HOST], 13, "13 host patterns");
    is_int(n[CONSENT_RULE_URL], 4, "4 url patterns");
    is_int(n[CONSENT_RULE_INLINE], 11, "11 inline markers");

    if (p->nrules == 24) {
        is_str(p->rules[0].pattern, "googletagmanager.com", "first rule");
        is_int(p->rules[0].kind, CONSENT_RULE_HOST, "first rule: host");
        is_int(p->rules[0].category, 2, "first rule: analytics");
        is_int(p->rules[0].len, strlen("googletagmanager.com"),
               "first rule: len");
        is_str(p->rules[23].pattern, "ttq.", "last rule");
        is_int(p->rules[23].kind, CONSENT_RULE_INLINE, "last rule: inline");
        is_int(p->rules[23].category, 3, "last rule: marketing");
    }

    /* SHA-256 of the file's bytes, computed here independently */
    mdlen = 0;
    ok(EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL) == 1,
       "reference SHA-256");
    hex(md, want);
    ok(memcmp(p->sha256, md, 32) == 0, "sha256 of the file");
    is_str(cstr(p->sha256_hex), cstr(want), "sha256_hex of the file");

    /* parse() of the same bytes gives the same policy */
    q = consent_policy_parse(buf, len, err, sizeof(err));
    ok(q != NULL && memcmp(q->sha256, p->sha256, 32) == 0,
       "parse and load agree");
    consent_policy_free(q);

    /* one byte more (a trailing newline) is another notice */
    buf[len] = '\n';
    q = consent_policy_parse(buf, len + 1, err, sizeof(err));
    ok(q != NULL && memcmp(q->sha256, p->sha256, 32) != 0,
       "a changed byte changes the hash");
    consent_policy_free(q);

    is_str(consent_policy_pick_lang(p, "es-AR,es;q=0.9,en;q=0.8", 23),
           "es", "Argentinian Spanish reader gets Spanish");

    /* the names Cookiebot, orestbida and others use */
    is_int(p->naliases, 9, "nine aliases");

    for (i = 0; i < p->naliases; i++) {
        if (strcmp(p->aliases[i].name, "statistics") == 0) {
            is_int(p->aliases[i].category, 2, "statistics is analytics");
        }

        if (strcmp(p->aliases[i].name, "functionality") == 0) {
            is_int(p->aliases[i].category, 1,
                   "functionality is preferences");
        }

        if (strcmp(p->aliases[i].name, "targeting") == 0) {
            is_int(p->aliases[i].category, 3, "targeting is marketing");
        }

        is_int(p->aliases[i].len, strlen(p->aliases[i].name),
               "alias %zu len", i);
    }

    consent_policy_free(p);
    free(buf);
}


static void
test_small(void)
{
    char              *doc, err[512];
    consent_policy_t  *p;

    doc = json(base);
    err[0] = '\0';
    p = parse(doc, err, sizeof(err));

    if (!ok(p != NULL, "the small policy parses")) {
        printf("#   error: %s\n", err);
        free(doc);
        return;
    }

    /* printf '%s' "$doc" | sha256sum */
    is_str(cstr(p->sha256_hex),
           "f1eb4af337fa6d8d2a957f07c4c5c73189ad889e37ffad73a669ca1d115ed050",
           "sha256_hex known vector");

    is_int(p->revision, 3, "revision");
    is_int(p->max_age, CONSENT_MAX_AGE_DEFAULT, "default max_age");
    is_int(p->ncategories, 3, "three categories");
    is_int(p->required_mask, 1, "required_mask");
    is_int(p->all_mask, 7, "all_mask");
    is_int(p->categories[2].gpc, 1, "gpc");
    is_int(p->categories[2].gcm, 0, "no consent_mode: no signals");

    /* rules in the order of the keys in the file: inline, hosts, urls */
    is_int(p->nrules, 3, "three rules");

    if (p->nrules == 3) {
        is_int(p->rules[0].kind, CONSENT_RULE_INLINE, "rule 0 inline");
        is_str(p->rules[0].pattern, "track(", "rule 0 pattern");
        is_int(p->rules[1].kind, CONSENT_RULE_HOST, "rule 1 host");
        is_str(p->rules[1].pattern, "stats.example.com",
               "host lower-cased");
        is_int(p->rules[1].len, 17, "host len");
        is_int(p->rules[1].category, 1, "rule category index");
        is_int(p->rules[2].kind, CONSENT_RULE_URL, "rule 2 url");
        is_str(p->rules[2].pattern, "/m.js", "rule 2 pattern");
    }

    is_int(consent_policy_category(p, "ads", 3), 2, "category ads");
    is_int(consent_policy_category(p, "adsx", 3), 2,
           "category: only len bytes are read");
    is_int(consent_policy_category(p, "ad", 2), -1, "no prefix match");
    is_int(consent_policy_category(p, "ADS", 3), -1, "ids are exact");
    is_int(consent_policy_category(p, "", 0), -1, "empty id");
    is_int(consent_policy_category(NULL, "ads", 3), -1, "NULL policy");

    is_str(consent_gcm_name(CONSENT_GCM_AD_USER_DATA), "ad_user_data",
           "gcm name");
    is_str(consent_gcm_name(CONSENT_GCM_SECURITY_STORAGE),
           "security_storage", "gcm name, last");
    ok(consent_gcm_name(CONSENT_GCM_N) == NULL, "gcm name out of range");

    consent_policy_free(p);
    consent_policy_free(NULL);
    free(doc);

    /* a tiny or absent error buffer is never overrun */
    doc = json("{'revision': 'x'}");
    err[0] = 'Z';
    err[1] = 'Z';
    ok(consent_policy_parse(doc, strlen(doc), err, 1) == NULL
       && err[0] == '\0' && err[1] == 'Z', "errlen 1");
    ok(consent_policy_parse(doc, strlen(doc), NULL, 0) == NULL,
       "no error buffer");
    free(doc);

    ok(consent_policy_parse(NULL, 0, err, sizeof(err)) == NULL
       && strstr(err, "line 1") != NULL, "NULL data");
}


static void
test_unknown_keys(void)
{
    rejects_subst("{'revision': 3,", "{'revison': 1, 'revision': 3,",
                  "revison: unknown key", "unknown top-level key");
    rejects_subst("{'id': 'analytics',", "{'id': 'analytics', 'requird': 1,",
                  "categories[1].requird: unknown key",
                  "unknown key in a category");
    rejects_subst("{'category': 'analytics',",
                  "{'category': 'analytics', 'host': ['x.com'],",
                  "rules[0].host: unknown key", "unknown key in a rule");
    rejects_subst("'title': 'Privacy',", "'titel': 'Privacy',",
                  "texts.en.titel: unknown text key",
                  "unknown text key, default language");
    rejects_subst("{'title': 'Privacidad',",
                  "{'title': 'Privacidad', 'Accept_all': 'x',",
                  "texts.es.Accept_all: unknown text key",
                  "unknown text key, other language");
    rejects_subst("{'revision': 3,", "{'a b\\n': 1, 'revision': 3,",
                  "[\"a b\\x0a\"]: unknown key",
                  "odd key quoted and escaped in the path");
}


static void
test_categories(void)
{
    int     i, j;
    char   *doc, *p;
    size_t  cap;

    rejects_subst("'id': 'analytics'", "'id': 'necessary'",
                  "categories[1].id: duplicate category id \"necessary\"",
                  "duplicate category id");
    rejects_subst("'id': 'analytics'", "'id': 'Analytics'",
                  "categories[1].id: \"Analytics\" must be 1 to 32 characters",
                  "upper case in an id");
    rejects_subst("'id': 'analytics'", "'id': 'ana lytics'",
                  "categories[1].id:", "space in an id");
    rejects_subst("'id': 'analytics'", "'id': ''",
                  "categories[1].id: \"\" must be", "empty id");
    rejects_subst("'id': 'analytics'",
                  "'id': 'abcdefghijabcdefghijabcdefghijabc'",
                  "must be 1 to 32", "33-character id");
    accepts_subst("'id': 'ads'",
                  "'id': 'abcdefghij_bcdefghij-bcdefghij09'",
                  "32-character id with _ and -");
    rejects_subst("'id': 'analytics'", "'id': 5",
                  "categories[1].id: must be a string", "numeric id");
    rejects_subst("{'id': 'analytics',", "{",
                  "categories[1]: missing \"id\"", "missing id");
    rejects_subst("'required': true", "'required': false",
                  "categories: no required category", "no required category");
    rejects_subst("'required': true", "'required': 1",
                  "categories[0].required: must be true or false",
                  "required not a boolean");
    rejects_subst("'required': true,", "'required': true, 'gpc': true,",
                  "categories[0].gpc: a required category cannot be denied "
                  "by Global Privacy Control", "gpc on a required category");
    rejects_subst("'gpc': true", "'gpc': 'yes'",
                  "categories[2].gpc: must be true or false",
                  "gpc not a boolean");
    rejects_subst("'label': {'en': 'Ads'}", "'label': {'es': 'Anuncios'}",
                  "categories[2].label: missing the default language \"en\"",
                  "label without the default language");
    rejects_subst("'description': {'en': 'Ads.'}",
                  "'description': {'fr': 'Pubs.'}",
                  "categories[2].description: missing the default language",
                  "description without the default language");
    rejects_subst("'label': {'en': 'Ads'}, ", "",
                  "categories[2]: missing \"label\"", "missing label");
    rejects_subst("'label': {'en': 'Ads'}", "'label': 'Ads'",
                  "categories[2].label: must be an object of languages",
                  "label as a string");
    rejects_subst("'label': {'en': 'Ads'}", "'label': {'en': ''}",
                  "categories[2].label.en: must not be empty", "empty label");
    rejects_subst("'label': {'en': 'Ads'}", "'label': {'en': ' \\n '}",
                  "categories[2].label.en: must not be empty", "blank label");
    rejects_subst("'label': {'en': 'Ads'}", "'label': {'en': 7}",
                  "categories[2].label.en: must be a string",
                  "numeric label");
    rejects_subst("'label': {'en': 'Ads'}",
                  "'label': {'en': 'Ads', 'EN': 'ADS'}",
                  "categories[2].label.EN: duplicate language \"en\"",
                  "label language twice, different case");
    rejects_subst("'label': {'en': 'Ads'}",
                  "'label': {'en': 'Ads', 'en_US': 'Ads'}",
                  "categories[2].label: \"en_US\" is not a language tag",
                  "bad language tag in a label");
    accepts_subst("'label': {'en': 'Ads'}",
                  "'label': {'en': 'Ads', 'de': 'Werbung'}",
                  "a label language without texts");

    rejects_subst("['analytics_storage']", "['analytics']",
                  "categories[1].consent_mode[0]: unknown Google Consent Mode "
                  "signal \"analytics\"", "bad consent_mode name");
    rejects_subst("['analytics_storage']",
                  "['analytics_storage', 'analytics_storage']",
                  "categories[1].consent_mode[1]: duplicate signal",
                  "signal twice in a category");
    rejects_subst("['analytics_storage']", "['security_storage']",
                  "categories[1].consent_mode[0]: signal \"security_storage\""
                  " already belongs to category \"necessary\"",
                  "signal in two categories");
    rejects_subst("['analytics_storage']", "'analytics_storage'",
                  "categories[1].consent_mode: must be an array",
                  "consent_mode as a string");
    rejects_subst("['analytics_storage']", "[1]",
                  "categories[1].consent_mode[0]: must be a string",
                  "consent_mode of numbers");
    accepts_subst("['analytics_storage']", "[]", "empty consent_mode");

    doc = json("{'revision': 1, 'default_language': 'en', "
               "'privacy_url': '/p', 'texts': {'en': {" TEXTS_EN "}}, "
               "'categories': []}");
    rejects(doc, "categories: must not be empty", "no categories");
    free(doc);
    doc = json("{'revision': 1, 'default_language': 'en', "
               "'privacy_url': '/p', 'texts': {'en': {" TEXTS_EN "}}, "
               "'categories': {}}");
    rejects(doc, "categories: must be an array", "categories not an array");
    free(doc);
    rejects_subst("'categories': [", "'categories': {}, 'x': [",
                  "x: unknown key", "unknown key reported before the rest");

    /* 32 categories fit the cookie, 33 do not */
    for (i = 32; i <= 33; i++) {
        cap = 64 * 1024;
        doc = malloc(cap);
        if (doc == NULL) {
            abort();
        }

        p = doc + sprintf(doc, "{'revision': 1, 'default_language': 'en', "
                          "'privacy_url': '/p', 'texts': {'en': {"
                          TEXTS_EN "}}, 'categories': [");

        for (j = 0; j < i; j++) {
            p += sprintf(p, "%s{'id': 'c%d', 'required': %s, "
                         "'label': {'en': 'L'}, 'description': "
                         "{'en': 'D'}}", j ? ", " : "", j,
                         j == 0 ? "true" : "false");
        }

        sprintf(p, "]}");

        p = json(doc);

        if (i == 32) {
            char               err[512];
            consent_policy_t  *pol;

            err[0] = '\0';
            pol = parse(p, err, sizeof(err));
            ok(pol != NULL && pol->ncategories == 32
               && pol->all_mask == 0xffffffffu, "32 categories");
            if (pol == NULL) {
                printf("#   error: %s\n", err);
            }

            consent_policy_free(pol);

        } else {
            rejects(p, "categories: 33 categories, at most 32: the consent "
                    "cookie holds 32", "33 categories");
        }

        free(p);
        free(doc);
    }
}


static void
test_rules(void)
{
    static const char  *bad_hosts[] = {
        "https://x.com", "x.com/path", ".x.com", "x.com.", "*.x.com",
        "x..com", "x_y.com", "x.com:443", "", "//x.com", "x com", "é.com"
    };
    size_t               i;
    char                 name[128], to[1024], pat[257];

    rejects_subst("'category': 'analytics'", "'category': 'stats'",
                  "rules[0].category: unknown category \"stats\"",
                  "rule with an unknown category");
    rejects_subst("'category': 'analytics'", "'category': 'necessary'",
                  "rules[0].category: \"necessary\" is a required category",
                  "rule on a required category");
    rejects_subst("{'category': 'analytics', ", "{",
                  "rules[0]: missing \"category\"", "rule without category");
    rejects_subst("'category': 'analytics'", "'category': 1",
                  "rules[0].category: must be a string",
                  "numeric rule category");
    rejects_subst("'inline': ['track('], 'hosts': ['Stats.Example.COM'], "
                  "'urls': ['/m.js']", "'hosts': [], 'urls': []",
                  "rules[0]: needs at least one of", "empty rule");
    accepts_subst("'inline': ['track('], 'hosts': ['Stats.Example.COM'], "
                  "'urls': ['/m.js']", "'hosts': [], 'urls': ['/x.js']",
                  "rule with one list");
    rejects_subst("'urls': ['/m.js']", "'urls': '/m.js'",
                  "rules[0].urls: must be an array of strings",
                  "urls as a string");
    rejects_subst("'urls': ['/m.js']", "'urls': ['/m.js', '']",
                  "rules[0].urls[1]: must not be empty", "empty url");
    rejects_subst("'inline': ['track(']", "'inline': [null]",
                  "rules[0].inline[0]: must be a string", "null marker");
    rejects_subst("'rules': [", "'rules': {'a': 1}, 'r': [",
                  "r: unknown key", "unknown key beside rules");
    rejects_subst("'rules': [{", "'rules': [7, {",
                  "rules[0]: must be an object", "rule not an object");

    memset(pat, 'a', 256);
    pat[256] = '\0';
    snprintf(to, sizeof(to), "'urls': ['%s']", pat);
    accepts_subst("'urls': ['/m.js']", to, "256-byte url");
    snprintf(to, sizeof(to), "'urls': ['%sa']", pat);
    rejects_subst("'urls': ['/m.js']", to,
                  "rules[0].urls[0]: longer than 256 bytes", "257-byte url");
    snprintf(to, sizeof(to), "'inline': ['%sa']", pat);
    rejects_subst("'inline': ['track(']", to,
                  "rules[0].inline[0]: longer than 256 bytes",
                  "257-byte marker");

    for (i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
        snprintf(to, sizeof(to), "'hosts': ['ok.example', '%s']",
                 bad_hosts[i]);
        snprintf(name, sizeof(name), "bad host \"%s\"", bad_hosts[i]);
        rejects_subst("'hosts': ['Stats.Example.COM']", to,
                      "rules[0].hosts[1]:", name);
    }

    rejects_subst("'hosts': ['Stats.Example.COM']", "'hosts': ['*.x.com']",
                  "without \"*.\"", "wildcard host explained");
    rejects_subst("'hosts': ['Stats.Example.COM']", "'hosts': ['https://x']",
                  "is a URL, not a host name", "URL as a host explained");
    accepts_subst("'hosts': ['Stats.Example.COM']",
                  "'hosts': ['localhost', 'a-b.c9.example', 'x']",
                  "plain host names");
}


static void
test_cookies(void)
{
    char              *doc, err[512];
    consent_policy_t  *p;

    doc = subst(base, "'id': 'analytics',",
                "'id': 'analytics', 'cookies': ['_ga', '_ga_*',"
                " {'name': '_hjSession*', 'domain': '.Example.COM',"
                "  'provider': 'Hotjar', 'purpose': {'en': 'Sessions.',"
                "  'es': 'Sesiones.'}, 'lifetime': {'en': '30 minutes'},"
                "  'max_age': '30m'}],");
    err[0] = '\0';
    p = doc ? parse(doc, err, sizeof(err)) : NULL;

    if (ok(p != NULL, "accepts cookies")) {
        is_int(p->ncookies, 3, "three cookies");
        is_str(p->cookies[0].name, "_ga", "exact name");
        ok(!p->cookies[0].prefix, "_ga is exact");
        is_int(p->cookies[0].category, 1, "_ga is analytics");
        is_str(p->cookies[1].name, "_ga_", "prefix kept without the *");
        ok(p->cookies[1].prefix, "_ga_* is a prefix");
        is_int(p->cookies[1].len, 4, "prefix length");
        is_str(p->cookies[2].domain, "example.com",
               "domain lower-cased, without its dot");
        is_int(p->cookies[2].domain_len, 11, "domain length");
        is_str(p->cookies[2].provider, "Hotjar", "provider");
        is_str(consent_policy_cookie_purpose(p, 2, "es"), "Sesiones.",
               "purpose in Spanish");
        is_str(consent_policy_cookie_lifetime(p, 2, "es"), "30 minutes",
               "lifetime falls back to the default language");
        ok(consent_policy_cookie_purpose(p, 0, "en") == NULL,
           "no purpose given");
        ok(p->cookies[0].domain == NULL && p->cookies[0].provider == NULL,
           "no domain, no provider");
        is_int(p->cookies[2].max_age, 1800, "max_age \"30m\": 1800");
        is_int(p->cookies[0].max_age, -1, "no max_age: -1");

    } else {
        printf("#   error: %s\n", err);
    }

    consent_policy_free(p);
    free(doc);

    doc = subst(base, "'required': true,",
                "'required': true, 'cookies': ['consent', 'session'],");
    err[0] = '\0';
    p = doc ? parse(doc, err, sizeof(err)) : NULL;
    ok(p != NULL && p->ncookies == 2 && p->cookies[1].category == 0,
       "cookies of a required category");
    consent_policy_free(p);
    free(doc);

    accepts_subst("'id': 'analytics',", "'id': 'analytics', 'cookies': [],",
                  "empty cookies");
    accepts_subst("'gpc_honoured': 'GPC honoured'",
                  "'gpc_honoured': 'GPC honoured', 'cookies': 'Galletas',"
                  " 'lifetime': 'Duration'", "the optional cookie texts");
    rejects_subst("'gpc_honoured': 'GPC honoured'",
                  "'gpc_honoured': 'GPC honoured', 'cookies': ''",
                  "texts.en.cookies: must not be empty",
                  "an empty optional text");
    accepts_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['a', 'a*'],",
                  "a name and a prefix of the same letters");
    accepts_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['!#$%&*'],",
                  "token characters");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': '_ga',",
                  "categories[1].cookies: must be an array",
                  "cookies as a string");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [3],",
                  "categories[1].cookies[0]: must be a cookie name or an "
                  "object", "numeric cookie");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['ok', ''],",
                  "categories[1].cookies[1]: must not be empty",
                  "empty name");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['*'],",
                  "categories[1].cookies[0]: \"*\" alone would cover every "
                  "cookie", "a lone *");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['_g*a'],",
                  "categories[1].cookies[0]: \"_g*a\": \"*\" may only end a "
                  "name", "* inside a name");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['_ga**'],",
                  "\"*\" may only end a name", "two stars");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['a b'],",
                  "categories[1].cookies[0]: \"a b\" is not a cookie name: "
                  "byte 0x20", "a space");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['a=b'],",
                  "\"a=b\" is not a cookie name: '=' is not allowed",
                  "an equals sign");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['a;'],",
                  "';' is not allowed", "a semicolon");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['caf\\u00e9'],",
                  "byte 0xc3 is not allowed", "non-ASCII");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': ['_ga', '_ga'],",
                  "categories[1].cookies[1]: \"_ga\" is already declared in "
                  "category \"analytics\"", "a duplicate name");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': '_ga',"
                  " 'expiry': '2y'}],",
                  "categories[1].cookies[0].expiry: unknown key (expected "
                  "name, domain, provider, purpose, lifetime or max_age)",
                  "unknown cookie key");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': '_ga',"
                  " 'max_age': '2 years'}],",
                  "categories[1].cookies[0].max_age: \"2 years\" is not a "
                  "duration: use a number of seconds, a string such as "
                  "\"3600s\", \"90m\", \"12h\" or \"730d\", or "
                  "\"session\"", "a cookie's max_age in words");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': '_ga',"
                  " 'max_age': -1}],",
                  "categories[1].cookies[0].max_age: must not be negative",
                  "a negative max_age");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': '_ga',"
                  " 'max_age': 1.5}],",
                  "categories[1].cookies[0].max_age: must be a number of "
                  "seconds, a string such as \"730d\", or \"session\"",
                  "a max_age that is no integer");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': '_ga',"
                  " 'max_age': '99999999999d'}],",
                  "categories[1].cookies[0].max_age: must be at most 100 "
                  "years (3162240000 seconds)", "a max_age too long");
    accepts_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': '_ga',"
                  " 'max_age': 'session'}, {'name': '_gid',"
                  " 'max_age': 63072000}],", "max_age: session, seconds");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'domain': 'a.com'}],",
                  "categories[1].cookies[0]: missing \"name\"",
                  "a cookie without a name");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': 5}],",
                  "categories[1].cookies[0].name: must be a string",
                  "numeric name");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': 'x*y'}],",
                  "categories[1].cookies[0].name: \"x*y\"",
                  "a bad pattern in an object");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': 'x',"
                  " 'domain': 'https://a.com/'}],",
                  "categories[1].cookies[0].domain: \"https://a.com/\" is a "
                  "URL", "a URL as a domain");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': 'x',"
                  " 'domain': '.'}],",
                  "categories[1].cookies[0].domain", "a lone dot");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': 'x',"
                  " 'purpose': 'Counts.'}],",
                  "categories[1].cookies[0].purpose: must be an object of "
                  "languages", "a purpose that is a string");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': 'x',"
                  " 'lifetime': {'es': '1 año'}}],",
                  "categories[1].cookies[0].lifetime: missing the default "
                  "language \"en\"", "a lifetime without English");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'cookies': [{'name': 'x',"
                  " 'provider': ''}],",
                  "categories[1].cookies[0].provider: must not be empty",
                  "an empty provider");
}


static void
test_aliases(void)
{
    int                i, j;
    char              *doc, err[512], to[2048];
    size_t             n;
    consent_policy_t  *p;

    doc = subst(base, "'id': 'analytics',",
                "'id': 'analytics', 'aliases': ['statistics', 'perf_2-x'],");
    err[0] = '\0';
    p = doc ? parse(doc, err, sizeof(err)) : NULL;

    if (ok(p != NULL, "accepts aliases")) {
        is_int(p->naliases, 2, "two aliases");
        is_str(p->aliases[0].name, "statistics", "first alias");
        is_int(p->aliases[0].len, 10, "first alias len");
        is_int(p->aliases[0].category, 1, "first alias category");
        is_str(p->aliases[1].name, "perf_2-x", "second alias");
        is_int(p->aliases[1].category, 1, "second alias category");
        is_int(consent_policy_category(p, "statistics", 10), -1,
               "an alias is not a category id");

    } else {
        printf("#   error: %s\n", err);
    }

    consent_policy_free(p);
    free(doc);

    doc = subst(base, "'required': true,",
                "'required': true, 'aliases': ['essential'],");
    err[0] = '\0';
    p = doc ? parse(doc, err, sizeof(err)) : NULL;
    ok(p != NULL && p->naliases == 1 && p->aliases[0].category == 0,
       "aliases of a required category");
    consent_policy_free(p);
    free(doc);

    accepts_subst("'id': 'analytics',", "'id': 'analytics', 'aliases': [],",
                  "empty aliases");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': 'statistics',",
                  "categories[1].aliases: must be an array",
                  "aliases as a string");
    rejects_subst("'id': 'analytics',", "'id': 'analytics', 'aliases': [1],",
                  "categories[1].aliases[0]: must be a string",
                  "numeric alias");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': ['ok', 'Stats'],",
                  "categories[1].aliases[1]: \"Stats\" must be 1 to 32 "
                  "characters", "upper case in an alias");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': [''],",
                  "categories[1].aliases[0]: \"\" must be", "empty alias");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': ['a b'],",
                  "categories[1].aliases[0]: \"a b\" must be",
                  "space in an alias");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': "
                  "['abcdefghijabcdefghijabcdefghijabc'],",
                  "categories[1].aliases[0]: \"abcdefghijabcdefghijabcdefghij"
                  "abc\" must be 1 to 32", "33-character alias");
    accepts_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': "
                  "['abcdefghijabcdefghijabcdefghijab'],",
                  "32-character alias");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': ['analytics'],",
                  "categories[1].aliases[0]: \"analytics\" is the "
                  "category's own id", "alias equal to its own id");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': ['stats', 'stats'],",
                  "categories[1].aliases[1]: alias \"stats\" already "
                  "belongs to category \"analytics\"",
                  "alias twice in a category");
    rejects_subst("'id': 'analytics',",
                  "'id': 'analytics', 'aliases': ['stats', 'ads'],",
                  "categories[1].aliases[1]: \"ads\" is the id of category "
                  "2: an alias must not be another category's id",
                  "alias equal to a later category's id");
    rejects_subst("'id': 'ads',", "'id': 'ads', 'aliases': ['necessary'],",
                  "categories[2].aliases[0]: \"necessary\" is the id of "
                  "category 0", "alias equal to an earlier category's id");

    /* one alias in two categories */
    doc = subst(base, "'required': true,",
                "'required': true, 'aliases': ['stats'],");

    if (doc != NULL) {
        char  *d2;

        d2 = subst(doc, "'id': 'ads',", "'id': 'ads', 'aliases': ['x', "
                   "'stats'],");
        rejects(d2, "categories[2].aliases[1]: alias \"stats\" already "
                "belongs to category \"necessary\"",
                "alias in two categories");
        free(d2);
    }

    free(doc);

    /* 32 aliases, then 33 */
    for (i = 32; i <= 33; i++) {
        n = (size_t) snprintf(to, sizeof(to), "'id': 'analytics', "
                              "'aliases': [");

        for (j = 0; j < i; j++) {
            n += (size_t) snprintf(to + n, sizeof(to) - n, "%s'a%d'",
                                   j ? ", " : "", j);
        }

        snprintf(to + n, sizeof(to) - n, "],");

        if (i == 32) {
            accepts_subst("'id': 'analytics',", to, "32 aliases");

        } else {
            rejects_subst("'id': 'analytics',", to,
                          "categories[1].aliases: more than 32 aliases",
                          "33 aliases");
        }
    }
}


/* URL patterns are stored as consent_match.c compares them */

static void
test_url_fold(void)
{
    char              *doc, err[512], to[256];
    size_t             i;
    consent_policy_t  *p;
    static const struct {
        const char    *in;
        const char    *out;
    } cases[] = {
        { "/Matomo.JS", "/matomo.js" },
        { "/m%2Ejs", "/m.js" },
        { "/m%2ejs%41", "/m.jsa" },
        { "/a%2", "/a%2" },
        { "/a%zz", "/a%zz" },
        { "/a%", "/a%" },
        { "a\\\\b", "a/b" },
        { "a%5Cb", "a\\b" },
        { "fa\\tce\\nbook.com/\\rtr", "facebook.com/tr" },
        { "%25", "%" }
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(to, sizeof(to), "'urls': ['%s']", cases[i].in);
        doc = subst(base, "'urls': ['/m.js']", to);
        err[0] = '\0';
        p = doc ? parse(doc, err, sizeof(err)) : NULL;

        if (ok(p != NULL, "url pattern %zu parses", i)) {
            is_str(p->rules[2].pattern, cases[i].out,
                   "url pattern %s folded", cases[i].in);
            is_int(p->rules[2].len, strlen(cases[i].out),
                   "url pattern %zu length", i);

        } else {
            printf("#   error: %s\n", err);
        }

        consent_policy_free(p);
        free(doc);
    }

    rejects_subst("'urls': ['/m.js']", "'urls': ['/x', '\\t\\n']",
                  "rules[0].urls[1]: must not be empty",
                  "url pattern of TAB and LF only");
    accepts_subst("'hosts': ['Stats.Example.COM']",
                  "'hosts': ['stats.example.com']", "hosts unchanged");
}


static void
test_texts(void)
{
    rejects_subst("'reject_all': 'Reject all', ", "",
                  "texts.en: missing \"reject_all\"",
                  "missing default-language text");
    rejects_subst("'gpc_honoured': 'GPC honoured'", "'gpc_honoured': ''",
                  "texts.en.gpc_honoured: must not be empty",
                  "empty default-language text");
    rejects_subst("'title': 'Privacidad'", "'title': ['x']",
                  "texts.es.title: must be a string", "text not a string");
    rejects_subst("'texts': {'en':", "'texts': {'EN': {}, 'en':",
                  "duplicate language \"en\"", "texts language twice");
    rejects_subst("'es': {'title'", "'es': [], 'x': {'title'",
                  "texts.es: must be an object", "texts.es not an object");
    rejects_subst("'es': {'title'", "'Español': {'title'",
                  "texts: \"Espa\\xc3\\xb1ol\" is not a language tag",
                  "non-ASCII language key");
    rejects_subst("'es': {'title'", "'es-': {'title'",
                  "is not a language tag", "trailing dash");
    rejects_subst("'es': {'title'", "'abcdefghi': {'title'",
                  "is not a language tag", "9-letter subtag");
    rejects_subst("'es': {'title'", "'zh-hant-tw-abcdef': {'title'",
                  "is not a language tag", "17-character tag");
    rejects_subst("'es': {'title'", "'1es': {'title'",
                  "is not a language tag", "digit first");
    accepts_subst("'es': {'title'", "'ZH-Hant-TW-abcde': {'title'",
                  "16-character tag");
    rejects_subst("'default_language': 'en'", "'default_language': 'de'",
                  "texts: missing the default language \"de\"",
                  "default language without texts");
    rejects_subst("'default_language': 'en'", "'default_language': 'en_GB'",
                  "default_language: \"en_GB\" is not a language tag",
                  "bad default language");
    rejects_subst("'default_language': 'en'", "'default_language': 1",
                  "default_language: must be a string",
                  "numeric default language");
    rejects_subst("'default_language': 'en',", "",
                  "\"default_language\": required", "no default language");
    rejects_subst("'texts': {", "'t': 0, 'x': {",
                  "t: unknown key", "texts misspelt");
    rejects_subst("'texts': {", "'texts': 'en', 'x': {",
                  "x: unknown key", "unknown key reported before texts");
    accepts_subst("'default_language': 'en'", "'default_language': 'EN'",
                  "default language in upper case");
}


static void
test_revision(void)
{
    static const char  *bad[] = {
        "-1", "4294967296", "'1'", "1.5", "1.0", "true", "null", "[1]",
        "99999999999999999"
    };
    size_t               i;
    char                 to[128], name[128];

    rejects_subst("'revision': 3, ", "", "\"revision\": required",
                  "missing revision");

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(to, sizeof(to), "'revision': %s", bad[i]);
        snprintf(name, sizeof(name), "revision %s", bad[i]);
        rejects_subst("'revision': 3", to,
                      "revision: must be an integer from 0 to 4294967295",
                      name);
    }

    accepts_subst("'revision': 3", "'revision': 0", "revision 0");
    accepts_subst("'revision': 3", "'revision': 4294967295",
                  "revision 4294967295");
}


static void
test_max_age(void)
{
    static const struct {
        const char  *value;
        long long    seconds;      /* 0: rejected */
        const char  *want;
    } cases[] = {
        { "3600", 3600, NULL },
        { "1", 1, NULL },
        { "'45s'", 45, NULL },
        { "'90m'", 5400, NULL },
        { "'12h'", 43200, NULL },
        { "'182d'", 182 * 86400, NULL },
        { "'0182d'", 182 * 86400, NULL },
        { "'400d'", 400 * 86400, NULL },
        { "34560000", 34560000, NULL },
        { "'401d'", 0, "max_age: must be at most 400 days (34560000 seconds)"
                       ": browsers cap" },
        { "34560001", 0, "must be at most 400 days" },
        { "'34560001s'", 0, "must be at most 400 days" },
        { "'99999999999999999999999d'", 0, "must be at most 400 days" },
        { "9223372036854775807", 0, "must be at most 400 days" },
        { "0", 0, "max_age: must be greater than 0" },
        { "'0d'", 0, "max_age: must be greater than 0" },
        { "-5", 0, "max_age: must be greater than 0" },
        { "'182'", 0, "max_age: \"182\" is not a duration" },
        { "'d'", 0, "is not a duration" },
        { "'1.5d'", 0, "is not a duration" },
        { "'182D'", 0, "is not a duration" },
        { "'182 d'", 0, "is not a duration" },
        { "'-1d'", 0, "is not a duration" },
        { "'1w'", 0, "is not a duration" },
        { "''", 0, "is not a duration" },
        { "1.5", 0, "max_age: must be a number of seconds" },
        { "true", 0, "max_age: must be a number of seconds" },
    };
    size_t             i;
    char               to[128], name[128], *doc, err[512];
    consent_policy_t  *p;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(to, sizeof(to), "{'max_age': %s, 'revision': 3,",
                 cases[i].value);
        snprintf(name, sizeof(name), "max_age %s", cases[i].value);

        if (cases[i].want != NULL) {
            rejects_subst("{'revision': 3,", to, cases[i].want, name);
            continue;
        }

        doc = subst(base, "{'revision': 3,", to);
        err[0] = '\0';
        p = doc ? parse(doc, err, sizeof(err)) : NULL;

        if (!ok(p != NULL && p->max_age == cases[i].seconds, "%s is %llds",
                name, cases[i].seconds))
        {
            printf("#   error: %s\n", err);
        }

        consent_policy_free(p);
        free(doc);
    }
}


static void
test_privacy_url(void)
{
    static const char  *bad[] = {
        "''", "'privacy'", "'//evil.example/privacy'", "'javascript:x()'",
        "'https://'", "'http:///x'", "'/pri vacy'", "'/p\\u0001'",
        "'/p\\u007f'", "'ftp://x.example/'", "'/a\\\"b'", "'/<x>'", "1",
        "'https:/x.example'"
    };
    size_t               i;
    char                 to[128], name[128];

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(to, sizeof(to), "'privacy_url': %s", bad[i]);
        snprintf(name, sizeof(name), "privacy_url %s", bad[i]);
        rejects_subst("'privacy_url': '/privacy'", to, "privacy_url: must",
                      name);
    }

    accepts_subst("'privacy_url': '/privacy'",
                  "'privacy_url': 'https://example.com/legal/privacy#cookies'",
                  "https privacy_url");
    accepts_subst("'privacy_url': '/privacy'",
                  "'privacy_url': 'HTTP://example.com'", "http privacy_url");
    accepts_subst("'privacy_url': '/privacy'", "'privacy_url': '/'",
                  "privacy_url /");
    accepts_subst("'privacy_url': '/privacy'",
                  "'privacy_url': '/privacidad/política'",
                  "privacy_url with UTF-8");
    rejects_subst("'privacy_url': '/privacy',", "",
                  "\"privacy_url\": required", "no privacy_url");
}


static void
test_syntax(void)
{
    char              *doc, *big, err[512];
    size_t             len;
    consent_policy_t  *p;

    doc = subst(base, "'texts': {'en'", "'texts': {'en',");
    rejects(doc, "line 9, column", "syntax error: line and column");
    free(doc);

    doc = json("{'revision': 1,\n  'revision': 2}");
    rejects(doc, "line 2, column", "duplicate key: line and column");
    rejects(doc, "duplicate object key", "duplicate key named");
    free(doc);

    doc = json("[]");
    rejects(doc, "the policy must be a JSON object", "top level array");
    free(doc);

    rejects("", "line 1, column 0:", "empty document");
    rejects("{\"revision\": \"\xff\"}", "line 1, column",
            "invalid UTF-8");

    /* a NUL byte, e.g. a UTF-16 file */
    doc = json(base);
    len = strlen(doc);
    doc[20] = '\0';
    p = consent_policy_parse(doc, len, err, sizeof(err));
    if (!ok(p == NULL && strstr(err, "line 1, column 21: NUL byte") != NULL,
            "NUL byte located"))
    {
        printf("#   error: %s\n", err);
    }
    consent_policy_free(p);
    free(doc);

    /* an error message never spans lines, whatever jansson echoes */
    p = consent_policy_parse("{\"a\n\"", 5, err, sizeof(err));
    ok(p == NULL && strchr(err, '\n') == NULL && strchr(err, '\t') == NULL,
       "one-line message");

    /* a byte order mark is ignored, but hashed */
    doc = json(base);
    len = strlen(doc);
    big = malloc(len + 4);
    if (big == NULL) {
        abort();
    }
    memcpy(big, "\xef\xbb\xbf", 3);
    memcpy(big + 3, doc, len + 1);
    p = consent_policy_parse(big, len + 3, err, sizeof(err));
    ok(p != NULL, "UTF-8 byte order mark accepted");
    ok(p != NULL && strcmp(p->sha256_hex, "f1eb4af337fa6d8d2a957f07c4c5c731"
                           "89ad889e37ffad73a669ca1d115ed050") != 0,
       "byte order mark hashed");
    consent_policy_free(p);
    free(big);
    free(doc);

    /* too large, even if valid: padded with spaces */
    big = malloc(CONSENT_POLICY_MAX_SIZE + 2);
    if (big == NULL) {
        abort();
    }

    doc = json(base);
    len = strlen(doc);
    memset(big, ' ', CONSENT_POLICY_MAX_SIZE + 1);
    memcpy(big, doc, len);
    big[CONSENT_POLICY_MAX_SIZE + 1] = '\0';

    p = consent_policy_parse(big, CONSENT_POLICY_MAX_SIZE, err, sizeof(err));
    ok(p != NULL, "exactly the maximum size is accepted");
    consent_policy_free(p);

    p = consent_policy_parse(big, CONSENT_POLICY_MAX_SIZE + 1, err,
                             sizeof(err));
    ok(p == NULL && strstr(err, "larger than 1048576 bytes") != NULL,
       "one byte over the maximum is refused");
    consent_policy_free(p);

    free(big);
    free(doc);

    /* deep nesting under an unknown key: refused, no crash */
    big = malloc(20000 + 32);
    if (big == NULL) {
        abort();
    }
    strcpy(big, "{\"x\": ");
    memset(big + 6, '[', 10000);
    memset(big + 10006, ']', 10000);
    strcpy(big + 20006, "}");
    p = consent_policy_parse(big, strlen(big), err, sizeof(err));
    ok(p == NULL, "deep nesting refused");
    consent_policy_free(p);
    free(big);
}


static void
test_load(void)
{
    char              *doc, err[512], path[64];
    FILE              *f;
    size_t             i;
    consent_policy_t  *p;

    p = consent_policy_load("/nonexistent/policy.json", err, sizeof(err));
    ok(p == NULL && strstr(err, "No such file") != NULL, "missing file");

    p = consent_policy_load("/", err, sizeof(err));
    ok(p == NULL && strstr(err, "not a regular file") != NULL, "directory");

    snprintf(path, sizeof(path), "/tmp/consent-policy-%d.json",
             (int) getpid());

    f = fopen(path, "w");
    if (!ok(f != NULL, "temporary file")) {
        return;
    }

    doc = json(base);
    fputs(doc, f);

    for (i = strlen(doc); i <= CONSENT_POLICY_MAX_SIZE; i++) {
        fputc(' ', f);
    }

    fclose(f);

    p = consent_policy_load(path, err, sizeof(err));
    ok(p == NULL && strstr(err, "larger than 1048576 bytes") != NULL,
       "file over the maximum size");
    consent_policy_free(p);

    f = fopen(path, "w");
    if (f != NULL) {
        fputs("{\n  \"revision\": 1,\n  oops\n}\n", f);
        fclose(f);
    }

    p = consent_policy_load(path, err, sizeof(err));
    ok(p == NULL && strstr(err, "line 3, column") != NULL,
       "syntax error in a file: line and column");
    consent_policy_free(p);

    unlink(path);
    free(doc);
}


static void
test_pick_lang(void)
{
    static const struct {
        const char  *header;
        const char  *want;
    } cases[] = {
        { "", "en" },
        { "es", "es" },
        { "ES", "es" },
        { "es-MX", "es" },
        { "es-419", "es" },
        { "es-MX,es;q=0.9,en;q=0.8", "es" },
        { "de, fr;q=0.9", "fr" },
        { "fr;q=0.5, es;q=0.8", "es" },
        { "fr;Q=0.5, es;q=0.8", "es" },
        { "fr, es", "fr" },
        { "fr;q=0.8, es;q=0.8", "fr" },
        { "fr;q=0.8, es;q=0.800", "fr" },
        { "fr;q=0.799, es;q=0.8", "es" },
        { "de", "en" },
        { "de-DE, de;q=0.9", "en" },
        { "pt-BR", "pt-br" },
        { "PT-br", "pt-br" },
        { "pt", "pt-br" },
        { "pt-PT", "pt-br" },
        { "en-GB,en;q=0.9", "en" },
        { "es;q=0, fr;q=0.1", "fr" },
        { "es;q=0.0, fr;q=0.1", "fr" },
        { "fr;q=0.1, es;q=0", "fr" },
        { "es;q=0", "en" },
        { "es;q=0, *", "en" },
        { "es, *;q=0", "es" },
        { "*", "en" },
        { "en;q=0, *", "pt-br" },
        { "es-MX;q=0, es", "es" },
        { "es;q=0, es-MX", "en" },
        { "es;q=1.5", "en" },
        { "es;q=abc", "en" },
        { "es;q=0.9999", "en" },
        { "es;q=", "en" },
        { "es;q=-1", "en" },
        { "es;q=1.000", "es" },
        { "es;q=1.001", "en" },
        { "es ; q=0.5 , fr ; q=0.4", "es" },
        { "es;level=1;q=0.5, fr;q=0.4", "es" },
        { ";;;,,, ;q=1, =,", "en" },
        { "\x01\xff\x80, es", "es" },
        { "-, -es", "en" },
        { "es-", "es" },
        { ",,,,es", "es" },
        { "e", "en" },
        { "esp", "en" },
        { "es-MX-x-private-use-extension-that-is-long", "es" },
    };
    size_t              i;
    char               *doc, err[512];
    consent_policy_t   *p;

    doc = subst(base, "'es': {'title'",
                "'pt-BR': {'title': 'Privacidade'}, 'fr': {'title': 'Vie'},"
                " 'es': {'title'");
    p = doc ? parse(doc, err, sizeof(err)) : NULL;
    free(doc);

    if (!ok(p != NULL && p->nlangs == 4, "policy in en, pt-br, fr, es")) {
        consent_policy_free(p);
        return;
    }

    is_str(p->langs[1], "pt-br", "langs in file order, lower-cased");

    is_str(consent_policy_pick_lang(p, NULL, 0), "en", "NULL header");
    is_str(consent_policy_pick_lang(p, NULL, 10), "en", "NULL with a len");
    ok(consent_policy_pick_lang(NULL, "es", 2) == NULL, "NULL policy");

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_str(consent_policy_pick_lang(p, cases[i].header,
                                        strlen(cases[i].header)),
               cases[i].want, "Accept-Language \"%s\"", cases[i].header);
    }

    /* only len bytes are read */
    is_str(consent_policy_pick_lang(p, "esXXXX", 2), "es", "len honoured");
    is_str(consent_policy_pick_lang(p, "fr, es", 2), "fr",
           "len honoured, cut before a range");

    /* long headers and the limits: t/unit/lang.c */
    consent_policy_free(p);

    /* Norwegian: "nb" and "nn" find a policy written as "no" */

    doc = subst(base, "'es': {'title'",
                "'no': {'title': 'Personvern'}, 'es': {'title'");
    p = doc ? parse(doc, err, sizeof(err)) : NULL;
    free(doc);

    if (!ok(p != NULL, "policy in en, no, es")) {
        return;
    }

    is_str(consent_policy_pick_lang(p, S("nb-NO,nb;q=0.9,en;q=0.8")), "no",
           "nb-NO: no");
    is_str(consent_policy_pick_lang(p, S("nn")), "no", "nn: no");
    is_str(consent_policy_pick_lang(p, S("NO-no")), "no", "NO-no: no");
    is_str(consent_policy_pick_lang(p, S("sv, nb;q=0.5, es;q=0.4")), "no",
           "nb by quality");
    is_str(consent_policy_pick_lang(p, S("nb;q=0, en")), "en",
           "nb;q=0 is not taken");
    is_str(consent_policy_pick_lang(p, S("nbx, nob")), "en",
           "only the two-letter codes");
    is_str(consent_policy_pick_lang(p, S("es, nb")), "es", "order kept");

    consent_policy_free(p);
}


static void
test_fallback(void)
{
    char              *doc, err[512];
    consent_policy_t  *p;

    doc = subst(base, "'es': {'title'",
                "'es-mx': {'accept_all': 'Aceptar'}, 'es': {'title'");
    p = doc ? parse(doc, err, sizeof(err)) : NULL;
    free(doc);

    if (!ok(p != NULL, "policy with es and es-mx")) {
        consent_policy_free(p);
        return;
    }

    is_str(consent_policy_text(p, CONSENT_TEXT_TITLE, "es"), "Privacidad",
           "text in Spanish");
    is_str(consent_policy_text(p, CONSENT_TEXT_MESSAGE, "es"), "We ask.",
           "missing Spanish text falls back to the default");
    is_str(consent_policy_text(p, CONSENT_TEXT_ACCEPT_ALL, "es-mx"),
           "Aceptar", "regional text");
    is_str(consent_policy_text(p, CONSENT_TEXT_TITLE, "es-mx"),
           "Privacidad", "regional falls back to its language");
    is_str(consent_policy_text(p, CONSENT_TEXT_SAVE, "es-mx"), "Save",
           "then to the default");
    is_str(consent_policy_text(p, CONSENT_TEXT_TITLE, "ES"), "Privacidad",
           "language compared without case");
    is_str(consent_policy_text(p, CONSENT_TEXT_TITLE, "de"), "Privacy",
           "unknown language");
    is_str(consent_policy_text(p, CONSENT_TEXT_TITLE, NULL), "Privacy",
           "NULL language");
    is_str(consent_policy_text(p, CONSENT_TEXT_TITLE, ""), "Privacy",
           "empty language");
    is_str(consent_policy_text(p, CONSENT_TEXT_TITLE, "-"), "Privacy",
           "language \"-\"");
    is_str(consent_policy_text(p, CONSENT_TEXT_TITLE,
                               "es-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
           "Privacy", "overlong language");
    is_str(consent_policy_text(p, CONSENT_TEXT_GPC_HONOURED, "es"),
           "GPC honoured", "last text key");
    ok(consent_policy_text(p, CONSENT_TEXT_N, "en") == NULL,
       "text key out of range");
    ok(consent_policy_text(NULL, CONSENT_TEXT_TITLE, "en") == NULL,
       "text of NULL policy");

    is_str(consent_policy_label(p, 1, "es"), "Analitica", "label in Spanish");
    is_str(consent_policy_label(p, 1, "es-mx"), "Analitica",
           "label, regional");
    is_str(consent_policy_label(p, 0, "es"), "Necessary",
           "label falls back to the default");
    is_str(consent_policy_description(p, 1, "es"), "Counts.",
           "description falls back to the default");
    ok(consent_policy_label(p, 3, "en") == NULL, "label out of range");
    ok(consent_policy_description(p, 3, "en") == NULL,
       "description out of range");

    is_str(consent_policy_pick_lang(p, "es-MX", 5), "es-mx",
           "exact region preferred to its language");
    is_str(consent_policy_pick_lang(p, "es-AR", 5), "es",
           "other region gets the language");

    consent_policy_free(p);
}


int
main(int argc, char **argv)
{
    test_shipped(argc > 1 ? argv[1] : "conf/policy.json");
    test_small();
    test_unknown_keys();
    test_categories();
    test_rules();
    test_aliases();
    test_cookies();
    test_url_fold();
    test_texts();
    test_revision();
    test_max_age();
    test_privacy_url();
    test_syntax();
    test_load();
    test_pick_lang();
    test_fallback();

    return done_testing();
}
