
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Which category an element belongs to: the policy's tracker rules
 * (host suffix, URL substring, inline script markers), the author's own
 * data-consent="CATEGORY", and the markup of other consent managers
 * (data-category, data-cookieconsent) mapped by the policy's aliases.
 * Pure C, no allocation: called for every interesting tag of every page.
 */


#ifndef _CONSENT_MATCH_H_INCLUDED_
#define _CONSENT_MATCH_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"
#include "consent_url.h"


#define CONSENT_MATCH_NONE      -1      /* not a tracker */
#define CONSENT_MATCH_UNKNOWN   -2      /* marked with an unknown category */


typedef enum {
    CONSENT_EL_OTHER = 0,
    CONSENT_EL_SCRIPT,
    CONSENT_EL_IFRAME,
    CONSENT_EL_FRAME,
    CONSENT_EL_EMBED,
    CONSENT_EL_OBJECT,
    CONSENT_EL_IMG,
    CONSENT_EL_LINK,
    CONSENT_EL_VIDEO,
    CONSENT_EL_AUDIO,
    CONSENT_EL_SOURCE
} consent_element_e;


/* how an element came to be classified */
typedef enum {
    CONSENT_BY_NONE = 0,
    CONSENT_BY_RULE,            /* a policy rule matched a URL */
    CONSENT_BY_AUTHOR,          /* data-consent="CATEGORY" */
    CONSENT_BY_MIGRATED         /* another CMP's inert markup */
} consent_by_e;


/* one attribute of a tag; the value is already decoded */
typedef struct {
    const char         *name;           /* lower-case, as tokenized */
    size_t              name_len;
    const char         *value;
    size_t              value_len;
} consent_attr_t;


/*
 * An element may need several categories (data-cookieconsent="statistics,
 * marketing", or an img whose src and srcset match different rules): it
 * may load only when every category of mask is granted, and category is
 * the last of them in policy order.  by says what decided, also when it
 * decided NONE (data-cookieconsent="ignore" gives NONE, BY_MIGRATED).
 */
typedef struct {
    int                 category;       /* index, or CONSENT_MATCH_* */
    consent_by_e        by;
    uint32_t            mask;           /* bits of the categories, or 0 */
} consent_match_t;


/* the element kind of a lower-case tag name, CONSENT_EL_OTHER if none */
consent_element_e consent_element(const char *name, size_t len);

/*
 * Classifies a start tag by its attributes.  Scripts with neither src
 * nor a mark are left to consent_match_inline() on their content.
 * Marks decide before URLs: data-consent (ids only; an empty one is no
 * mark), data-cookieconsent, then data-category or data-cookiecategory
 * on a text/plain script or an element with data-src (ids or aliases).
 * A mark naming no known category gives CONSENT_MATCH_UNKNOWN: gate it.
 * The URL of a script is its src, as an HTML script's is: the caller
 * passes what an SVG script or image loads (href, xlink:href) as src.
 */
consent_match_t consent_match_element(const consent_policy_t *policy,
    consent_element_e el, const consent_attr_t *attrs, size_t nattrs);

/*
 * consent_match_element() with the base URL that relative URLs resolve
 * against: the page's URL (scheme, host, port, path), or the <base href>
 * seen before the element resolved against it, parsed by
 * consent_url_parse(); NULL when unknown (a relative URL is then the
 * page's own and only its path can match a rule).  The raw text of each
 * URL is matched too, as consent_match_element() does.
 */
consent_match_t consent_match_element_base(const consent_policy_t *policy,
    consent_element_e el, const consent_attr_t *attrs, size_t nattrs,
    const consent_url_t *base);

/*
 * consent_match_element() by the marks alone, for a visitor who granted
 * every category, whom no URL rule can gate: an unmarked element gives
 * NONE (BY_NONE), and the URLs are not looked at
 */
consent_match_t consent_match_marks(const consent_policy_t *policy,
    consent_element_e el, const consent_attr_t *attrs, size_t nattrs);

/*
 * category of a URL by the policy's host and URL rules, or NONE: rules
 * apply to the raw text and to the URL as the URL Standard parses it,
 * resolved against base (see consent_match_element_base())
 */
int consent_match_url(const consent_policy_t *policy, const char *url,
    size_t len);
int consent_match_url_base(const consent_policy_t *policy, const char *url,
    size_t len, const consent_url_t *base);

/*
 * The next URL of a srcset from *pos, split as the HTML Standard's
 * "parse a srcset attribute" does (a URL runs to whitespace, trailing
 * commas end it, its descriptors run to a comma outside parentheses):
 * 1 and the URL in url, url_len (maybe empty), or 0 at the end
 */
int consent_srcset_next(const char *s, size_t len, size_t *pos,
    const char **url, size_t *url_len);

/* category of an inline script by its content's markers, or NONE */
int consent_match_inline(const consent_policy_t *policy, const char *text,
    size_t len);


/*
 * The host and URL rules compiled for the matcher (consent_match_rules.c,
 * docs/url-matching.md); the policy parser calls these.
 */

/*
 * A URL pattern folded as URLs are when matched: TAB, LF and CR removed,
 * "\" as "/", percent-escapes decoded once, ASCII lower case; out holds
 * len bytes; returns the folded length
 */
size_t consent_match_fold(const char *s, size_t len, char *out);

/* builds p->matcher from p->rules and p->by_kind; 0, or -1 and err */
int consent_match_compile(consent_policy_t *p, char *err, size_t errlen);
void consent_match_free(consent_matcher_t *m);

/* the first host rule, an index into p->rules, or p->nrules */
size_t consent_match_hosts(const consent_policy_t *p, const char *host,
    size_t hlen);

/* the first URL rule before limit in the URL folded, an index, or limit */
size_t consent_match_urls(const consent_policy_t *p, const char *s,
    size_t len, size_t limit);


#endif /* _CONSENT_MATCH_H_INCLUDED_ */
