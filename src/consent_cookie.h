
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Cookies on the server (docs/cookies.md): which category a cookie
 * belongs to, Set-Cookie headers read as browsers read them, Cookie
 * headers without the refused cookies, and the headers that make a
 * browser forget a cookie on every domain it could hold it on.  Pure C.
 */


#ifndef _CONSENT_COOKIE_H_INCLUDED_
#define _CONSENT_COOKIE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "consent_policy.h"


/* consent_unknown_cookies: a category index, or one of these */
#define CONSENT_COOKIE_PASS         (-1)
#define CONSENT_COOKIE_STRIP        (-2)

#define CONSENT_COOKIE_DOMAINS_MAX  6     /* Domain values per cookie */
#define CONSENT_COOKIE_EXPIRE_MAX   16    /* cookies expired per response */

/* the consent cookie's own name and Domain (consent_cookie_name, _domain) */
#define CONSENT_COOKIE_OWN_NAME_MAX 64
#define CONSENT_COOKIE_DOMAIN_MAX   253   /* a DNS name's text (RFC 1035) */

/* room for one expiring header, besides the name and the domain */
#define CONSENT_COOKIE_EXPIRY_EXTRA 64


typedef enum {
    CONSENT_SAMESITE_UNSET = 0,
    CONSENT_SAMESITE_STRICT,
    CONSENT_SAMESITE_LAX,
    CONSENT_SAMESITE_NONE,
    CONSENT_SAMESITE_OTHER
} consent_samesite_e;


/* a Set-Cookie header, pointing into the header's value */
typedef struct {
    const char         *name;
    size_t              name_len;
    const char         *domain;       /* without a leading dot; or NULL */
    size_t              domain_len;
    const char         *path;         /* or NULL */
    size_t              path_len;
    int64_t             max_age;      /* if has_max_age */
    unsigned            has_max_age:1;
    unsigned            has_expires:1;
    unsigned            secure:1;
    unsigned            httponly:1;
    consent_samesite_e  samesite;
} consent_set_cookie_t;


typedef struct {
    const char         *data;
    size_t              len;
} consent_span_t;


/* what consent_cookie_name_check() and consent_cookie_domain_check() say */
typedef enum {
    CONSENT_COOKIE_NAME_OK = 0,
    CONSENT_COOKIE_NAME_LENGTH,       /* empty or too long */
    CONSENT_COOKIE_NAME_BYTE          /* a byte not allowed, at *bad */
} consent_cookie_check_e;


/*
 * The declaration that covers a cookie name: an exact name first, else
 * the longest prefix; a __Secure- or __Host- name that none covers is
 * looked up without its prefix.  -1 if no declaration covers it.
 */
int consent_cookie_lookup(const consent_policy_t *p, const char *name,
    size_t len);

/*
 * The category of a cookie name, or for a name no declaration covers,
 * unknown (CONSENT_COOKIE_PASS, CONSENT_COOKIE_STRIP or a category).
 */
int consent_cookie_class(const consent_policy_t *p, int unknown,
    const char *name, size_t len);

/*
 * 1 if the cookie must be neither stored nor read: its category is not
 * in granted (required categories always are), or it is unknown and
 * unknown is CONSENT_COOKIE_STRIP.
 */
int consent_cookie_refused(const consent_policy_t *p, uint32_t granted,
    int unknown, const char *name, size_t len);

/*
 * Reads a Set-Cookie value as RFC 6265bis section 5.6 does: the name is
 * what precedes the first "=" of the part before the first ";", trimmed
 * (a part without "=" is a nameless cookie: empty name); attributes are
 * matched without regard to case, the last of each kind counts.
 * Returns 0, or -1 for a header a browser ignores (no name and no
 * value, control characters).
 */
int consent_set_cookie_parse(const char *value, size_t len,
    consent_set_cookie_t *sc);

/*
 * The next cookie of a Cookie header value: call with *pos = 0 first;
 * returns 1 with the name and the whole "name=value" pair (trimmed), 0
 * at the end.  A pair without "=" is a nameless cookie (empty name).
 */
int consent_cookie_pair(const char *header, size_t len, size_t *pos,
    const char **name, size_t *name_len, const char **pair,
    size_t *pair_len);

/*
 * A Cookie header value without the refused cookies, the cookie named
 * keep (the consent cookie) always kept: the pairs left, as sent,
 * joined by "; " as browsers join them.  out has room for
 * CONSENT_COOKIE_FILTER_ROOM(len) bytes ("a=1;b=2" grows by a space);
 * returns the new length and counts the cookies taken out in *removed.
 */
#define CONSENT_COOKIE_FILTER_ROOM(len)  (2 * (len) + 1)

size_t consent_cookie_filter(const consent_policy_t *p, uint32_t granted,
    int unknown, const char *keep, size_t keep_len, const char *header,
    size_t len, char *out, size_t *removed);

/*
 * The Domain values under which a browser could hold a cookie that a
 * request to host carries: first the empty one (no Domain attribute: a
 * host-only cookie), then host itself, then its parents of two labels
 * or more, the shortest first, none above top (consent_cookie_domain,
 * when host is top or under it).  An IP address has the empty one
 * only.  At most max (<= CONSENT_COOKIE_DOMAINS_MAX) values; returns
 * how many.
 */
size_t consent_cookie_domains(const char *host, size_t len,
    const char *top, size_t top_len, consent_span_t *out, size_t max);

/* 1 if host is domain or ends in "." domain, without regard to case */
int consent_cookie_domain_match(const char *host, size_t len,
    const char *domain, size_t domain_len);

/*
 * "NAME=; Max-Age=0; Path=/[; Domain=D][; Secure]", the header that
 * makes a browser forget the cookie: Secure when secure or when the
 * name asks for it (__Secure-, __Host-).  out has room for name_len +
 * domain_len + CONSENT_COOKIE_EXPIRY_EXTRA bytes.  Returns the length,
 * or 0 where no browser could hold the cookie (a __Host- cookie with a
 * Domain).
 */
size_t consent_cookie_expiry(const char *name, size_t name_len,
    const char *domain, size_t domain_len, int secure, char *out);

/*
 * The consent cookie's name, as consent_cookie_name takes it: 1 to
 * CONSENT_COOKIE_OWN_NAME_MAX token characters (RFC 6265 cookie-name).
 */
consent_cookie_check_e consent_cookie_name_check(const char *name,
    size_t len, size_t *bad);

/*
 * The consent cookie's Domain, as consent_cookie_domain takes it: 1 to
 * CONSENT_COOKIE_DOMAIN_MAX letters (either case), digits, '-' and '.'.
 */
consent_cookie_check_e consent_cookie_domain_check(const char *domain,
    size_t len, size_t *bad);


#endif /* _CONSENT_COOKIE_H_INCLUDED_ */
