
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The policy file: the notice the visitor sees, its categories, texts
 * and tracker rules (docs/policy.md).  Pure C with jansson and OpenSSL.
 */


#ifndef _CONSENT_POLICY_H_INCLUDED_
#define _CONSENT_POLICY_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


#define CONSENT_MAX_CATEGORIES   32    /* bits of the cookie's mask */
#define CONSENT_ID_MAX           32    /* category id length */
#define CONSENT_ALIASES_MAX      32    /* aliases of one category */
#define CONSENT_PATTERN_MAX      256   /* bytes of a URL or inline pattern */
#define CONSENT_LANG_MAX         16
#define CONSENT_MAX_AGE_DEFAULT  (182 * 86400)
#define CONSENT_MAX_AGE_MAX      (400 * 86400)   /* browsers cap there */
#define CONSENT_POLICY_MAX_SIZE  (1024 * 1024)
#define CONSENT_COOKIE_NAME_MAX  256   /* bytes of a cookie name or pattern */
#define CONSENT_COOKIES_MAX      1024  /* cookie declarations in a policy */


/* a consent regime (consent_regime.h) */
typedef struct consent_regime_s  consent_regime_t;

/* the host and URL rules compiled (consent_match.h) */
typedef struct consent_matcher_s  consent_matcher_t;


/* banner texts, keys of "texts" per language */
typedef enum {
    CONSENT_TEXT_TITLE = 0,
    CONSENT_TEXT_MESSAGE,
    CONSENT_TEXT_ACCEPT_ALL,
    CONSENT_TEXT_REJECT_ALL,
    CONSENT_TEXT_CUSTOMISE,
    CONSENT_TEXT_SAVE,
    CONSENT_TEXT_WITHDRAW,
    CONSENT_TEXT_PRIVACY_LINK,
    CONSENT_TEXT_MANAGE,
    CONSENT_TEXT_ALWAYS_ON,
    CONSENT_TEXT_GPC_HONOURED,
    CONSENT_TEXT_COOKIES,       /* optional from here on */
    CONSENT_TEXT_LIFETIME,
    CONSENT_TEXT_DOMAINS,       /* consent_domains: "applies to" */
    CONSENT_TEXT_N
} consent_text_e;

/* the texts every policy has in its default language */
#define CONSENT_TEXT_REQUIRED_N  CONSENT_TEXT_COOKIES

/* the key of each text in the policy's "texts", by consent_text_e */
extern const char *const  consent_text_names[CONSENT_TEXT_N];


/* Google Consent Mode v2 signals, bit positions */
typedef enum {
    CONSENT_GCM_AD_STORAGE = 0,
    CONSENT_GCM_AD_USER_DATA,
    CONSENT_GCM_AD_PERSONALIZATION,
    CONSENT_GCM_ANALYTICS_STORAGE,
    CONSENT_GCM_FUNCTIONALITY_STORAGE,
    CONSENT_GCM_PERSONALIZATION_STORAGE,
    CONSENT_GCM_SECURITY_STORAGE,
    CONSENT_GCM_N
} consent_gcm_e;


typedef enum {
    CONSENT_RULE_HOST = 0,      /* host equals it or ends in "." it */
    CONSENT_RULE_URL,           /* substring of the URL */
    CONSENT_RULE_INLINE         /* substring of an inline script */
} consent_rule_kind_e;


/* one string in several languages; lang[i] pairs with text[i] */
typedef struct {
    size_t              n;
    char              **lang;
    char              **text;
} consent_i18n_t;


typedef struct {
    char               *id;
    size_t              id_len;
    unsigned            required:1;
    unsigned            gpc:1;          /* sale/sharing: Sec-GPC denies */
    uint32_t            gcm;            /* consent_gcm_e bits */
    consent_i18n_t      label;
    consent_i18n_t      description;
} consent_category_t;


typedef struct {
    consent_rule_kind_e kind;
    char               *pattern;        /* lower-cased for HOST, folded
                                           for URL (consent_match_fold()) */
    size_t              len;
    size_t              rare;           /* offset of its least common
                                           byte, for memchr() */
    unsigned            category;       /* index into categories */
} consent_rule_t;


/* the rules of one kind, for the matcher */
typedef struct {
    size_t             *index;          /* into rules, in file order */
    size_t              n;
} consent_rule_list_t;


/*
 * A cookie a category covers ("cookies" of a category): an exact name,
 * or a prefix when the pattern ends in "*" (docs/policy.md).
 */
typedef struct {
    char               *name;           /* without the "*" */
    size_t              len;
    unsigned            prefix:1;
    unsigned            category;       /* index into categories */
    char               *domain;         /* lower case, no dot; or NULL */
    size_t              domain_len;
    char               *provider;       /* or NULL */
    consent_i18n_t      purpose;        /* n == 0 when not given */
    consent_i18n_t      lifetime;
    int64_t             max_age;        /* seconds, 0: a session cookie,
                                           -1: not declared */
} consent_cookie_decl_t;


/* a name another consent manager gives a category ("statistics") */
typedef struct {
    char               *name;           /* [a-z0-9_-], unique */
    size_t              len;
    unsigned            category;       /* index into categories */
} consent_alias_t;


typedef struct {
    uint32_t            revision;
    int64_t             max_age;        /* seconds */
    char               *default_lang;
    char               *privacy_url;

    consent_category_t *categories;     /* in file order; bit i */
    size_t              ncategories;
    uint32_t            required_mask;
    uint32_t            all_mask;

    char              **langs;          /* languages of "texts" */
    size_t              nlangs;
    consent_i18n_t      texts[CONSENT_TEXT_N];

    consent_rule_t     *rules;
    size_t              nrules;
    consent_rule_list_t by_kind[3];     /* consent_rule_kind_e */
    consent_matcher_t  *matcher;        /* consent_match_compile() */

    consent_alias_t    *aliases;        /* of every category, file order */
    size_t              naliases;

    consent_cookie_decl_t *cookies;     /* of every category, file order */
    size_t              ncookies;

    consent_regime_t   *regimes;        /* built-in ones first */
    size_t              nregimes;
    void               *tcf;            /* consent_tcf_map_t, or NULL */

    unsigned char       sha256[32];     /* of the file's bytes */
    char                sha256_hex[65];

    /* the file's bytes as hashed: the audit log stores them */
    char               *source;
    size_t              source_len;
} consent_policy_t;


/*
 * On error returns NULL and writes into err what is wrong and where:
 * "line L, column C: ..." for JSON syntax, or the JSON path of the
 * offending value ("categories[2].id: duplicate category id \"x\"").
 */
consent_policy_t *consent_policy_parse(const char *data, size_t len,
    char *err, size_t errlen);

/* reads the file (at most CONSENT_POLICY_MAX_SIZE) and parses it */
consent_policy_t *consent_policy_load(const char *path, char *err,
    size_t errlen);

void consent_policy_free(consent_policy_t *p);

/* whether s is a category id: 1 to CONSENT_ID_MAX of a-z, 0-9, "_", "-" */
int consent_category_id_valid(const char *s, size_t len);

/* index of the category, or -1 */
int consent_policy_category(const consent_policy_t *p, const char *id,
    size_t len);

/* the best of p->langs for an Accept-Language value (may be NULL) */
const char *consent_policy_pick_lang(const consent_policy_t *p,
    const char *accept_language, size_t len);

/* the text in lang, falling back to the default language */
const char *consent_policy_text(const consent_policy_t *p,
    consent_text_e key, const char *lang);

const char *consent_policy_label(const consent_policy_t *p, size_t cat,
    const char *lang);

const char *consent_policy_description(const consent_policy_t *p,
    size_t cat, const char *lang);

const char *consent_gcm_name(consent_gcm_e signal);

/* a cookie declaration's purpose or lifetime in lang, or NULL */
const char *consent_policy_cookie_purpose(const consent_policy_t *p,
    size_t decl, const char *lang);
const char *consent_policy_cookie_lifetime(const consent_policy_t *p,
    size_t decl, const char *lang);


#endif /* _CONSENT_POLICY_H_INCLUDED_ */
