
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Host and URL matching follow the WHATWG URL Standard as browsers apply
 * it, because what counts is what the browser would fetch; where a
 * browser and this code could disagree, this code matches more, never
 * less (gating a harmless element costs little, missing a tracker is
 * the failure this module exists to prevent):
 *
 * - rules apply to two readings of a URL, and either matching is a
 *   match: the raw text (below), and the URL as consent_url_parse()
 *   makes it, resolved against the caller's base (UTS #46 with the
 *   browser's table, xn--, IPv4 forms, IPv6, dot segments, default
 *   ports: docs/url-matching.md);
 * - on the raw text, the host is case-insensitive, percent-decoded, with
 *   the fullwidth forms, ideographic full stops and ignorable code
 *   points of UTS #46 mapped as browsers map them;
 * - URL substring rules see the whole attribute value (and the parsed
 *   URL) with TAB, LF and CR removed, "\" as "/", percent-escapes
 *   decoded once and ASCII case folded: the host part is
 *   case-insensitive anyway and a path that differs only in case or
 *   escaping is as likely to reach the tracker (the patterns are folded
 *   by the same function, consent_match_fold());
 * - the rules of each reading are run by the automata that
 *   consent_match_rules.c compiles when the policy is loaded: one pass
 *   over the host, one over the URL, the first rule in policy order.
 * - inline markers are case-sensitive byte strings: JavaScript is.
 */


#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "consent_ascii.h"
#include "consent_match.h"
#include "consent_url.h"


#define CONSENT_HOST_BUF       512     /* a host's tail; rules are <= 253 */
#define CONSENT_PARSED_BUF     2048    /* a parsed URL; a longer one is cut */


/* the ASCII bytes that end, split or escape a host */
static const unsigned char  consent_host_special[128] = {
    ['/'] = 1, ['\\'] = 1, ['?'] = 1, ['#'] = 1, ['\t'] = 1, ['\n'] = 1,
    ['\r'] = 1, ['@'] = 1, [':'] = 1, ['%'] = 1
};


/*
 * A common byte of a host, lower-cased: 0 for NUL, the bytes of
 * consent_host_special and non-ASCII ones, which the slow path reads.
 * Like the scanner's tag-name table (consent_html_nm) but for the bytes
 * that end a host, on purpose: one lookup a byte on the hot path.
 */
static const unsigned char  consent_host_plain[256] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
    0x08, 0x00, 0x00, 0x0b, 0x0c, 0x00, 0x0e, 0x0f,
    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x20, 0x21, 0x22, 0x00, 0x24, 0x00, 0x26, 0x27,
    0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x00,
    0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x39, 0x00, 0x3b, 0x3c, 0x3d, 0x3e, 0x00,
    0x00, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x5b, 0x00, 0x5d, 0x5e, 0x5f,
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
    0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
    0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
    0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f
};


/* the attributes looked at; the first of duplicates counts */
typedef enum {
    CONSENT_A_SRC = 0,
    CONSENT_A_SRCSET,
    CONSENT_A_DATA,
    CONSENT_A_HREF,
    CONSENT_A_IMAGESRCSET,
    CONSENT_A_REL,
    CONSENT_A_TYPE,
    CONSENT_A_DATA_SRC,
    CONSENT_A_CONSENT,
    CONSENT_A_COOKIECONSENT,
    CONSENT_A_CATEGORY,
    CONSENT_A_COOKIECATEGORY,
    CONSENT_A_N
} consent_attr_e;


static int consent_space(int c);
static int consent_attr_id(const char *name, size_t len);
static int consent_blank(const consent_attr_t *a);
static consent_match_t consent_match_do(const consent_policy_t *policy,
    consent_element_e el, const consent_attr_t *attrs, size_t nattrs,
    int urls, const consent_url_t *base);
static consent_match_t consent_result(uint32_t mask, consent_by_e by);
static consent_match_t consent_author(const consent_policy_t *p,
    const consent_attr_t *a);
static consent_match_t consent_migrated(const consent_policy_t *p,
    const consent_attr_t *a, int cookiebot);
static int consent_lookup(const consent_policy_t *p, const char *s,
    size_t len, int aliases);
static int consent_text_plain(const consent_attr_t *type);
static int consent_rel_fetches(const consent_attr_t *rel);
static uint32_t consent_attr_url(const consent_policy_t *p,
    const consent_attr_t *a, const consent_url_t *base);
static uint32_t consent_attr_srcset(const consent_policy_t *p,
    const consent_attr_t *a, const consent_url_t *base);
static uint32_t consent_url_mask(const consent_policy_t *p,
    const char *url, size_t len, const consent_url_t *base);
static void consent_readings(const consent_policy_t *p, const char *url,
    size_t len, const consent_url_t *base, size_t *raw, size_t *parsed);
static int consent_url_next(const char **pos, const char *end);
static int consent_raw_host(const char *s, size_t len, char *host,
    size_t *hlen);
static size_t consent_host_map(char *host, size_t len);
static int consent_ipv4(char *host, size_t *hlen);
static int consent_find(const char *hay, size_t hlen,
    const consent_rule_t *r);


consent_element_e
consent_element(const char *name, size_t len)
{
    if (name == NULL) {
        return CONSENT_EL_OTHER;
    }

    switch (len) {

    case 3:
        if (consent_ascii_ieq_lit(name, len, "img", 3)) {
            return CONSENT_EL_IMG;
        }

        break;

    case 4:
        if (consent_ascii_ieq_lit(name, len, "link", 4)) {
            return CONSENT_EL_LINK;
        }

        break;

    case 5:
        if (consent_ascii_ieq_lit(name, len, "frame", 5)) {
            return CONSENT_EL_FRAME;
        }

        if (consent_ascii_ieq_lit(name, len, "embed", 5)) {
            return CONSENT_EL_EMBED;
        }

        if (consent_ascii_ieq_lit(name, len, "video", 5)) {
            return CONSENT_EL_VIDEO;
        }

        if (consent_ascii_ieq_lit(name, len, "audio", 5)) {
            return CONSENT_EL_AUDIO;
        }

        /* the HTML parser turns <image> into <img> */
        if (consent_ascii_ieq_lit(name, len, "image", 5)) {
            return CONSENT_EL_IMG;
        }

        break;

    case 6:
        if (consent_ascii_ieq_lit(name, len, "script", 6)) {
            return CONSENT_EL_SCRIPT;
        }

        if (consent_ascii_ieq_lit(name, len, "iframe", 6)) {
            return CONSENT_EL_IFRAME;
        }

        if (consent_ascii_ieq_lit(name, len, "object", 6)) {
            return CONSENT_EL_OBJECT;
        }

        if (consent_ascii_ieq_lit(name, len, "source", 6)) {
            return CONSENT_EL_SOURCE;
        }

        break;

    default:
        break;
    }

    return CONSENT_EL_OTHER;
}


/*
 * Marks first, in this order: the author's data-consent, Cookiebot's
 * data-cookieconsent, orestbida's data-category (data-cookiecategory in
 * its version 2) on an inert element; an element so marked is what its
 * mark says, whatever its URL.  Then the URLs the element would fetch.
 */

consent_match_t
consent_match_element(const consent_policy_t *policy, consent_element_e el,
    const consent_attr_t *attrs, size_t nattrs)
{
    return consent_match_do(policy, el, attrs, nattrs, 1, NULL);
}


consent_match_t
consent_match_element_base(const consent_policy_t *policy,
    consent_element_e el, const consent_attr_t *attrs, size_t nattrs,
    const consent_url_t *base)
{
    return consent_match_do(policy, el, attrs, nattrs, 1, base);
}


consent_match_t
consent_match_marks(const consent_policy_t *policy, consent_element_e el,
    const consent_attr_t *attrs, size_t nattrs)
{
    return consent_match_do(policy, el, attrs, nattrs, 0, NULL);
}


static consent_match_t
consent_match_do(const consent_policy_t *policy, consent_element_e el,
    const consent_attr_t *attrs, size_t nattrs, int urls,
    const consent_url_t *base)
{
    int                    id;
    size_t                 i;
    uint32_t               mask;
    consent_match_t        m;
    const consent_attr_t  *a[CONSENT_A_N], *cat;

    memset(a, 0, sizeof(a));

    for (i = 0; attrs != NULL && i < nattrs; i++) {
        id = consent_attr_id(attrs[i].name, attrs[i].name_len);

        if (id >= 0 && a[id] == NULL) {
            a[id] = &attrs[i];
        }
    }

    if (policy == NULL || el == CONSENT_EL_OTHER
        || (unsigned) el > CONSENT_EL_SOURCE)
    {
        return consent_result(0, CONSENT_BY_NONE);
    }

    /* data-consent="" is a template's empty slot, not a mark */
    if (!consent_blank(a[CONSENT_A_CONSENT])) {
        return consent_author(policy, a[CONSENT_A_CONSENT]);
    }

    if (a[CONSENT_A_COOKIECONSENT] != NULL) {
        m = consent_migrated(policy, a[CONSENT_A_COOKIECONSENT], 1);

        if (m.by != CONSENT_BY_NONE) {
            return m;
        }
    }

    /*
     * data-category is a common name: it marks only an element its
     * consent manager made inert, a text/plain script or a data-src
     */
    cat = consent_blank(a[CONSENT_A_CATEGORY]) ? a[CONSENT_A_COOKIECATEGORY]
                                               : a[CONSENT_A_CATEGORY];

    if (cat != NULL
        && (el == CONSENT_EL_SCRIPT ? consent_text_plain(a[CONSENT_A_TYPE])
                                    : a[CONSENT_A_DATA_SRC] != NULL))
    {
        m = consent_migrated(policy, cat, 0);

        /* a lazy loader's data-category="news" is no consent mark */
        if (m.by != CONSENT_BY_NONE
            && (el == CONSENT_EL_SCRIPT
                || m.category != CONSENT_MATCH_UNKNOWN))
        {
            return m;
        }
    }

    mask = 0;

    if (!urls) {
        return consent_result(0, CONSENT_BY_NONE);
    }

    switch (el) {

    /* a script fetches src only (the caller passes an SVG one's href so) */
    case CONSENT_EL_SCRIPT:
    case CONSENT_EL_IFRAME:
    case CONSENT_EL_FRAME:
    case CONSENT_EL_EMBED:
    case CONSENT_EL_VIDEO:
    case CONSENT_EL_AUDIO:
        mask = consent_attr_url(policy, a[CONSENT_A_SRC], base);
        break;

    case CONSENT_EL_OBJECT:
        mask = consent_attr_url(policy, a[CONSENT_A_DATA], base);
        break;

    case CONSENT_EL_IMG:
    case CONSENT_EL_SOURCE:
        mask = consent_attr_url(policy, a[CONSENT_A_SRC], base)
               | consent_attr_srcset(policy, a[CONSENT_A_SRCSET], base);
        break;

    case CONSENT_EL_LINK:
        if (consent_rel_fetches(a[CONSENT_A_REL])) {
            mask = consent_attr_url(policy, a[CONSENT_A_HREF], base)
                   | consent_attr_srcset(policy, a[CONSENT_A_IMAGESRCSET],
                                         base);
        }

        break;

    default:
        break;
    }

    return consent_result(mask, mask ? CONSENT_BY_RULE : CONSENT_BY_NONE);
}


int
consent_match_url(const consent_policy_t *policy, const char *url,
    size_t len)
{
    return consent_match_url_base(policy, url, len, NULL);
}


/*
 * The first rule of either reading of the URL (docs/url-matching.md)
 * decides: the raw text, as before the URL parser, and the URL as the
 * URL Standard parses it.
 */

int
consent_match_url_base(const consent_policy_t *policy, const char *url,
    size_t len, const consent_url_t *base)
{
    size_t  raw, parsed;

    if (policy == NULL || url == NULL || policy->nrules == 0) {
        return CONSENT_MATCH_NONE;
    }

    consent_readings(policy, url, len, base, &raw, &parsed);

    raw = parsed < raw ? parsed : raw;

    if (raw < policy->nrules) {
        return (int) policy->rules[raw].category;
    }

    return CONSENT_MATCH_NONE;
}


/*
 * An element's URL needs the category of each reading's first rule: so
 * a rule gates at least what it gated before the URL parser (a host
 * after "https:" from an https page, a host too long for the parser, a
 * data: URL), whatever rule the parsed URL matches first
 */

static uint32_t
consent_url_mask(const consent_policy_t *p, const char *url, size_t len,
    const consent_url_t *base)
{
    size_t    raw, parsed;
    uint32_t  mask;

    if (p == NULL || url == NULL || p->nrules == 0) {
        return 0;
    }

    consent_readings(p, url, len, base, &raw, &parsed);

    mask = 0;

    if (raw < p->nrules) {
        mask |= (uint32_t) 1 << p->rules[raw].category;
    }

    if (parsed < p->nrules) {
        mask |= (uint32_t) 1 << p->rules[parsed].category;
    }

    return mask;
}


/*
 * The first rule, an index or p->nrules, that each reading matches: the
 * raw text's host and URL rules, and the parsed URL's, the host rules on
 * its host (an IPv4-mapped IPv6 one's IPv4 too) and the URL rules on its
 * serialisation.  The parser is skipped when its output would be the
 * raw text, and a search when its input is what the raw one searched.
 */

static void
consent_readings(const consent_policy_t *p, const char *url, size_t len,
    const consent_url_t *base, size_t *raw, size_t *parsed)
{
    size_t         hb, hlen, ph;
    const char    *end;
    consent_url_t  u;
    char           host[CONSENT_HOST_BUF], buf[CONSENT_PARSED_BUF];

    /* browsers strip leading and trailing C0 controls and spaces */
    end = url + len;

    while (url < end && (unsigned char) *url <= 0x20) {
        url++;
    }

    while (end > url && (unsigned char) end[-1] <= 0x20) {
        end--;
    }

    len = (size_t) (end - url);
    hb = p->nrules;
    hlen = 0;

    if (consent_raw_host(url, len, host, &hlen)) {
        hb = consent_match_hosts(p, host, hlen);

    } else {
        hlen = 0;
    }

    *raw = consent_match_urls(p, url, len, hb);
    *parsed = *raw;

    /* most URLs are written as the parser would write them */
    if (consent_url_canonical(url, len, base != NULL)) {
        return;
    }

    u.buf = buf;
    u.size = sizeof(buf);

    if (consent_url_parse(&u, url, len, base) != CONSENT_URL_OK) {
        /* the browser fetches nothing */
        *parsed = p->nrules;
        return;
    }

    ph = p->nrules;

    if (u.host_type == CONSENT_HOST_IPV6) {
        if (u.v4[0] != '\0') {
            ph = consent_match_hosts(p, u.v4, strlen(u.v4));
        }

    } else if (u.host_len == hlen && hlen > 0
               && memcmp(buf + u.host, host, hlen) == 0)
    {
        ph = hb;

    } else if (u.host_len > 0) {
        ph = consent_match_hosts(p, buf + u.host, u.host_len);
    }

    if (ph == hb && u.len == len && memcmp(buf, url, len) == 0) {
        return;
    }

    *parsed = consent_match_urls(p, buf, u.len, ph);
}


/* the first marker in rule order found anywhere in the text wins */

int
consent_match_inline(const consent_policy_t *policy, const char *text,
    size_t len)
{
    size_t                      i;
    const consent_rule_t       *r;
    const consent_rule_list_t  *l;

    if (policy == NULL || text == NULL) {
        return CONSENT_MATCH_NONE;
    }

    l = &policy->by_kind[CONSENT_RULE_INLINE];

    for (i = 0; i < l->n; i++) {
        r = &policy->rules[l->index[i]];

        if (consent_find(text, len, r)) {
            return (int) r->category;
        }
    }

    return CONSENT_MATCH_NONE;
}


/* helpers */


/* ASCII whitespace of the HTML Standard */

static int
consent_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}


static int
consent_attr_id(const char *name, size_t len)
{
    if (name == NULL) {
        return -1;
    }

    switch (len) {

    case 3:
        if (memcmp(name, "src", 3) == 0) {
            return CONSENT_A_SRC;
        }

        if (memcmp(name, "rel", 3) == 0) {
            return CONSENT_A_REL;
        }

        break;

    case 4:
        if (memcmp(name, "href", 4) == 0) {
            return CONSENT_A_HREF;
        }

        if (memcmp(name, "type", 4) == 0) {
            return CONSENT_A_TYPE;
        }

        if (memcmp(name, "data", 4) == 0) {
            return CONSENT_A_DATA;
        }

        break;

    case 6:
        if (memcmp(name, "srcset", 6) == 0) {
            return CONSENT_A_SRCSET;
        }

        break;

    case 8:
        if (memcmp(name, "data-src", 8) == 0) {
            return CONSENT_A_DATA_SRC;
        }

        break;

    case 11:
        if (memcmp(name, "imagesrcset", 11) == 0) {
            return CONSENT_A_IMAGESRCSET;
        }

        break;

    case 12:
        if (memcmp(name, "data-consent", 12) == 0) {
            return CONSENT_A_CONSENT;
        }

        break;

    case 13:
        if (memcmp(name, "data-category", 13) == 0) {
            return CONSENT_A_CATEGORY;
        }

        break;

    case 18:
        if (memcmp(name, "data-cookieconsent", 18) == 0) {
            return CONSENT_A_COOKIECONSENT;
        }

        break;

    case 19:
        if (memcmp(name, "data-cookiecategory", 19) == 0) {
            return CONSENT_A_COOKIECATEGORY;
        }

        break;

    default:
        break;
    }

    return -1;
}


/* absent, empty or only whitespace */

static int
consent_blank(const consent_attr_t *a)
{
    size_t  i;

    if (a == NULL || a->value == NULL) {
        return 1;
    }

    for (i = 0; i < a->value_len; i++) {
        if (!consent_space((unsigned char) a->value[i])) {
            return 0;
        }
    }

    return 1;
}


/* category is the last of mask in policy order */

static consent_match_t
consent_result(uint32_t mask, consent_by_e by)
{
    int              i, step;
    consent_match_t  m;

    m.category = CONSENT_MATCH_NONE;
    m.by = by;
    m.mask = mask;

    if (mask == 0) {
        return m;
    }

    /* the highest bit, by halves */
    i = 0;

    for (step = 16; step > 0; step /= 2) {
        if (mask >> step) {
            mask >>= step;
            i += step;
        }
    }

    m.category = i;

    return m;
}


/*
 * data-consent="ID ...": our own markup, so ids only, not aliases,
 * separated by whitespace (the filter writes several when an element
 * needs several categories), compared without regard to ASCII case; one
 * unknown id makes the element UNKNOWN
 */

static consent_match_t
consent_author(const consent_policy_t *p, const consent_attr_t *a)
{
    int              cat;
    size_t           i, start;
    uint32_t         mask;
    const char      *s;
    consent_match_t  m;

    s = a->value;
    mask = 0;
    i = 0;

    for ( ;; ) {
        while (i < a->value_len && consent_space((unsigned char) s[i])) {
            i++;
        }

        if (i == a->value_len) {
            break;
        }

        start = i;

        while (i < a->value_len && !consent_space((unsigned char) s[i])) {
            i++;
        }

        cat = consent_lookup(p, s + start, i - start, 0);

        if (cat < 0) {
            m = consent_result(0, CONSENT_BY_AUTHOR);
            m.category = CONSENT_MATCH_UNKNOWN;
            return m;
        }

        mask |= (uint32_t) 1 << cat;
    }

    /* the caller passes a non-blank value: mask has a bit */

    return consent_result(mask, CONSENT_BY_AUTHOR);
}


/*
 * A list of names separated by commas or whitespace (Cookiebot allows
 * "preferences, statistics"), each a category id or alias.  One unknown
 * name makes the element UNKNOWN: gated, never guessed.  Cookiebot's
 * "ignore" exempts the element.  A list without names is no mark: the
 * result is BY_NONE.
 */

static consent_match_t
consent_migrated(const consent_policy_t *p, const consent_attr_t *a,
    int cookiebot)
{
    int              cat, names;
    size_t           i, start;
    uint32_t         mask;
    const char      *s;
    consent_match_t  m;

    if (a->value == NULL) {
        return consent_result(0, CONSENT_BY_NONE);
    }

    s = a->value;
    mask = 0;
    names = 0;
    i = 0;

    for ( ;; ) {
        while (i < a->value_len
               && (s[i] == ',' || consent_space((unsigned char) s[i])))
        {
            i++;
        }

        if (i == a->value_len) {
            break;
        }

        start = i;
        names++;

        while (i < a->value_len && s[i] != ','
               && !consent_space((unsigned char) s[i]))
        {
            i++;
        }

        if (cookiebot
            && consent_ascii_ieq_lit(s + start, i - start, "ignore", 6))
        {
            continue;
        }

        cat = consent_lookup(p, s + start, i - start, 1);

        if (cat < 0) {
            m = consent_result(0, CONSENT_BY_MIGRATED);
            m.category = CONSENT_MATCH_UNKNOWN;
            return m;
        }

        mask |= (uint32_t) 1 << cat;
    }

    return consent_result(mask, names ? CONSENT_BY_MIGRATED
                                      : CONSENT_BY_NONE);
}


/* a category by id, or also by alias; ids and aliases are lower-case */

static int
consent_lookup(const consent_policy_t *p, const char *s, size_t len,
    int aliases)
{
    size_t  i;

    for (i = 0; i < p->ncategories; i++) {
        if (consent_ascii_ieq_lit(s, len, p->categories[i].id,
                                  p->categories[i].id_len))
        {
            return (int) i;
        }
    }

    if (!aliases) {
        return -1;
    }

    for (i = 0; i < p->naliases; i++) {
        if (consent_ascii_ieq_lit(s, len, p->aliases[i].name,
                                  p->aliases[i].len))
        {
            return (int) p->aliases[i].category;
        }
    }

    return -1;
}


/* type="text/plain", maybe with parameters: a script made inert */

static int
consent_text_plain(const consent_attr_t *type)
{
    size_t       len;
    const char  *s;

    if (type == NULL || type->value == NULL) {
        return 0;
    }

    s = type->value;
    len = type->value_len;

    while (len > 0 && consent_space((unsigned char) s[0])) {
        s++;
        len--;
    }

    if (len < 10 || !consent_ascii_ieq_lit(s, 10, "text/plain", 10)) {
        return 0;
    }

    return len == 10 || s[10] == ';' || consent_space((unsigned char) s[10]);
}


/* rel has a token that makes the browser fetch href */

static int
consent_rel_fetches(const consent_attr_t *rel)
{
    size_t       i, start, n;
    const char  *s;

    if (rel == NULL || rel->value == NULL) {
        return 0;
    }

    s = rel->value;
    i = 0;

    while (i < rel->value_len) {
        while (i < rel->value_len && consent_space((unsigned char) s[i])) {
            i++;
        }

        start = i;

        while (i < rel->value_len && !consent_space((unsigned char) s[i])) {
            i++;
        }

        n = i - start;

        if (consent_ascii_ieq_lit(s + start, n, "preload", 7)
            || consent_ascii_ieq_lit(s + start, n, "modulepreload", 13)
            || consent_ascii_ieq_lit(s + start, n, "prefetch", 8)
            || consent_ascii_ieq_lit(s + start, n, "stylesheet", 10))
        {
            return 1;
        }
    }

    return 0;
}


static uint32_t
consent_attr_url(const consent_policy_t *p, const consent_attr_t *a,
    const consent_url_t *base)
{
    if (a == NULL || a->value == NULL) {
        return 0;
    }

    return consent_url_mask(p, a->value, a->value_len, base);
}


/*
 * Every URL of a srcset, split as the HTML Standard's "parse a srcset
 * attribute" does: a URL runs to whitespace, trailing commas end it,
 * and its descriptors run to a comma outside parentheses.
 */

static uint32_t
consent_attr_srcset(const consent_policy_t *p, const consent_attr_t *a,
    const consent_url_t *base)
{
    size_t       pos, n;
    uint32_t     mask;
    const char  *url;

    if (a == NULL || a->value == NULL) {
        return 0;
    }

    mask = 0;
    pos = 0;

    while (consent_srcset_next(a->value, a->value_len, &pos, &url, &n)) {
        mask |= consent_url_mask(p, url, n, base);
    }

    return mask;
}


int
consent_srcset_next(const char *s, size_t len, size_t *pos,
    const char **url, size_t *url_len)
{
    int     depth;
    size_t  i, start, end;

    i = *pos;

    while (i < len && (s[i] == ',' || consent_space((unsigned char) s[i]))) {
        i++;
    }

    if (i >= len) {
        *pos = len;
        return 0;
    }

    start = i;

    while (i < len && !consent_space((unsigned char) s[i])) {
        i++;
    }

    end = i;

    if (s[end - 1] == ',') {
        while (end > start && s[end - 1] == ',') {
            end--;
        }

    } else {
        for (depth = 0; i < len; i++) {
            if (s[i] == '(') {
                depth = 1;

            } else if (s[i] == ')') {
                depth = 0;

            } else if (s[i] == ',' && depth == 0) {
                i++;
                break;
            }
        }
    }

    *pos = i;
    *url = s + start;
    *url_len = end - start;

    return 1;
}


/* URLs */


/* the next byte of a URL as its parser sees it: TAB, LF, CR removed */

static int
consent_url_next(const char **pos, const char *end)
{
    const char  *s;

    for (s = *pos; s < end; s++) {
        if (*s != '\t' && *s != '\n' && *s != '\r') {
            *pos = s + 1;
            return (unsigned char) *s;
        }
    }

    *pos = end;

    return -1;
}


/*
 * The host of an http(s), ws(s) or ftp URL, or of a protocol-relative
 * one, as the browser would contact it, into host (lower case, no
 * trailing dot, IPv4 in dotted decimal; a longer host keeps its tail).
 * 0 when the URL has no host a rule can name: relative, another scheme,
 * an IPv6 literal, an invalid IPv4 address.
 */

static int
consent_raw_host(const char *s, size_t len, char *host, size_t *hlen)
{
    int          h, l, wide, trunc;
    size_t       i, n, half, stop;
    unsigned     c;
    const char  *pos;
    char         scheme[6];

    n = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c == '\t' || c == '\n' || c == '\r') {
            continue;
        }

        if (!((c | 0x20) - 'a' < 26
              || (n > 0 && (c - '0' < 10 || c == '+' || c == '-'
                            || c == '.'))))
        {
            break;
        }

        if (n < sizeof(scheme)) {
            scheme[n] = (char) (c | 0x20);
        }

        n++;
    }

    if (n > 0 && i < len && s[i] == ':') {
        /*
         * "https:host", "https:/host" and "https:\\host" all reach the
         * host from an http page (from an https one the first two are
         * relative): read them as the page that fetches
         */
        if (!(consent_ascii_ieq_lit(scheme, n, "https", 5)
              || consent_ascii_ieq_lit(scheme, n, "http", 4)
              || consent_ascii_ieq_lit(scheme, n, "wss", 3)
              || consent_ascii_ieq_lit(scheme, n, "ws", 2)
              || consent_ascii_ieq_lit(scheme, n, "ftp", 3)))
        {
            return 0;
        }

        i++;

    } else {
        /* relative: "//host" or any mix of two slashes and backslashes */
        n = 0;

        for (i = 0; i < len && n < 2; i++) {
            c = (unsigned char) s[i];

            if (c == '/' || c == '\\') {
                n++;

            } else if (c != '\t' && c != '\n' && c != '\r') {
                return 0;
            }
        }

        if (n < 2) {
            return 0;
        }
    }

    while (i < len && (s[i] == '/' || s[i] == '\\' || s[i] == '\t'
                       || s[i] == '\n' || s[i] == '\r'))
    {
        i++;
    }

    /*
     * The authority ends at / \ ? #; the host follows its last @ and
     * ends at the port's ":".  Escapes are decoded after the split, as
     * browsers do: "%40" is no "@".
     */
    n = 0;
    half = CONSENT_HOST_BUF / 2;
    wide = 0;
    trunc = 0;

    for ( /* void */ ; i < len; i++) {

        /* the common bytes of a host, in a run, while there is room */
        stop = i + (len - i < CONSENT_HOST_BUF - n ? len - i
                                                   : CONSENT_HOST_BUF - n);

        while (i < stop && (c = consent_host_plain[(unsigned char) s[i]])) {
            host[n++] = (char) c;
            i++;
        }

        if (i == len) {
            break;
        }

        c = (unsigned char) s[i];

        if (c < 0x80 && !consent_host_special[c] && n < CONSENT_HOST_BUF) {
            host[n++] = (char) (c | ((c - 'A' < 26) << 5));
            continue;
        }

        if (c == '/' || c == '\\' || c == '?' || c == '#') {
            break;
        }

        if (c == '\t' || c == '\n' || c == '\r') {
            continue;
        }

        if (c == '@') {
            n = 0;
            trunc = 0;
            wide = 0;
            continue;
        }

        if (c == ':') {
            /* the port, or a password: an @ may follow and restart */
            for (i++; i < len; i++) {
                c = (unsigned char) s[i];

                if (c == '/' || c == '\\' || c == '?' || c == '#' || c == '@') {
                    break;
                }
            }

            if (i < len && s[i] == '@') {
                n = 0;
                trunc = 0;
                wide = 0;
                continue;
            }

            break;
        }

        if (c == '%') {
            pos = s + i + 1;
            h = consent_hex_value(consent_url_next(&pos, s + len));
            l = consent_hex_value(consent_url_next(&pos, s + len));

            if (h >= 0 && l >= 0) {
                c = (unsigned) ((h << 4) | l);
                i = (size_t) (pos - s) - 1;
            }
        }

        /* only the tail matters to a suffix rule */
        if (n == CONSENT_HOST_BUF) {
            memmove(host, host + half, half);
            n = half;
            trunc = 1;
        }

        wide |= c >= 0x80;
        host[n++] = (char) (c | ((c - 'A' < 26) << 5));
    }

    if (n > 0 && host[0] == '[') {
        return 0;
    }

    if (wide) {
        n = consent_host_map(host, n);
    }

    while (n > 0 && host[n - 1] == '.') {
        n--;
    }

    if (n == 0) {
        return 0;
    }

    *hlen = n;

    return trunc || consent_ipv4(host, hlen) >= 0;
}


/*
 * Non-ASCII characters of a host, in place: the fullwidth forms and
 * full stops become ASCII as UTS #46 maps them, ignorable code points
 * (soft hyphen, zero width space, variation selectors...) go; anything
 * else stays as it is.  Returns the new length.
 */

static size_t
consent_host_map(char *host, size_t len)
{
    size_t    i, j, k, n;
    uint32_t  cp;
    unsigned  c, b;

    j = 0;

    for (i = 0; i < len; /* void */ ) {
        c = (unsigned char) host[i];

        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;

        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;

        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;

        } else {
            host[j++] = (char) c;
            i++;
            continue;
        }

        for (k = 1; k <= n && i + k < len; k++) {
            b = (unsigned char) host[i + k];

            if (b < 0x80 || b > 0xbf) {
                break;
            }

            cp = (cp << 6) | (b & 0x3f);
        }

        if (k <= n) {
            host[j++] = (char) c;
            i++;
            continue;
        }

        i += n + 1;

        if (cp >= 0xff01 && cp <= 0xff5e) {
            c = cp - 0xfee0;
            host[j++] = (char) (c | ((c - 'A' < 26) << 5));
            continue;
        }

        if (cp == 0x3002 || cp == 0xff61) {
            host[j++] = '.';
            continue;
        }

        if (cp == 0xad || cp == 0x34f || (cp >= 0x180b && cp <= 0x180d)
            || cp == 0x180f || cp == 0x200b || cp == 0x2060 || cp == 0x2064
            || (cp >= 0xfe00 && cp <= 0xfe0f) || cp == 0xfeff
            || (cp >= 0x1bca0 && cp <= 0x1bca3)
            || (cp >= 0xe0100 && cp <= 0xe01ef))
        {
            continue;
        }

        /* kept as it is; j <= i - n - 1, so the move is leftwards */
        memmove(host + j, host + i - n - 1, n + 1);
        j += n + 1;
    }

    return j;
}


/*
 * A host whose last label is a number is an IPv4 address in one of the
 * forms browsers accept ("0x7f.1", "2130706433"): rewritten in dotted
 * decimal, 1.  0 for a name, -1 for an invalid address (not fetched).
 */

static int
consent_ipv4(char *host, size_t *hlen)
{
    int          n;
    size_t       i, len, start;
    uint64_t     v;
    const char  *last;

    len = *hlen;

    for (start = len; start > 0 && host[start - 1] != '.'; start--) {
        /* void */
    }

    last = host + start;

    for (i = start; i < len; i++) {
        if (host[i] < '0' || host[i] > '9') {
            break;
        }
    }

    if (i < len && consent_ipv4_number(last, len - start, &v) != 0) {
        return 0;
    }

    n = consent_url_ipv4_rewrite(host, len);

    if (n < 0) {
        return -1;
    }

    *hlen = (size_t) n;

    return 1;
}


/* memchr() for the pattern's least common byte, then a compare */

static int
consent_find(const char *hay, size_t hlen, const consent_rule_t *r)
{
    const char  *s, *last, *q;

    if (r->len == 0 || r->len > hlen || r->rare >= r->len) {
        return r->len == 0;
    }

    /* where the rare byte of a match starting at 0 .. hlen - len is */
    s = hay + r->rare;
    last = hay + hlen - r->len + r->rare;

    while (s <= last) {
        q = memchr(s, r->pattern[r->rare], (size_t) (last - s) + 1);

        if (q == NULL) {
            return 0;
        }

        if (memcmp(q - r->rare, r->pattern, r->len) == 0) {
            return 1;
        }

        s = q + 1;
    }

    return 0;
}
