
/*
 * Copyright (C) ngx_http_consent_module authors
 */


#include <string.h>

#include "consent_ascii.h"
#include "consent_cookie.h"


static int consent_cookie_find(const consent_policy_t *p, const char *name,
    size_t len);
static size_t consent_cookie_name_prefix(const char *name, size_t len,
    int *host);
static int consent_cookie_ws(int c);
static int consent_cookie_ieq(const char *a, size_t alen, const char *b);
static void consent_cookie_trim(const char **s, size_t *len);
static int consent_cookie_is_ip(const char *host, size_t len);


int
consent_cookie_lookup(const consent_policy_t *p, const char *name,
    size_t len)
{
    int     d;
    size_t  skip;
    int     host;

    if (p == NULL || name == NULL) {
        return -1;
    }

    d = consent_cookie_find(p, name, len);

    if (d >= 0) {
        return d;
    }

    /* "__Secure-_ga" is a _ga that asked the browser for Secure */

    skip = consent_cookie_name_prefix(name, len, &host);

    if (skip == 0 || skip == len) {
        return -1;
    }

    return consent_cookie_find(p, name + skip, len - skip);
}


int
consent_cookie_class(const consent_policy_t *p, int unknown,
    const char *name, size_t len)
{
    int  d;

    d = consent_cookie_lookup(p, name, len);

    if (d < 0) {
        return unknown;
    }

    return (int) p->cookies[d].category;
}


int
consent_cookie_refused(const consent_policy_t *p, uint32_t granted,
    int unknown, const char *name, size_t len)
{
    int  c;

    if (p == NULL) {
        return 0;
    }

    c = consent_cookie_class(p, unknown, name, len);

    if (c == CONSENT_COOKIE_STRIP) {
        return 1;
    }

    if (c < 0 || (size_t) c >= p->ncategories) {
        return 0;
    }

    granted |= p->required_mask;

    return (granted & ((uint32_t) 1 << c)) == 0;
}


int
consent_set_cookie_parse(const char *value, size_t len,
    consent_set_cookie_t *sc)
{
    size_t       i, end, alen, vlen;
    int64_t      n;
    const char  *a, *v, *eq, *semi;

    memset(sc, 0, sizeof(consent_set_cookie_t));

    if (value == NULL) {
        return -1;
    }

    /* a browser ignores a header with control characters but HTAB */

    for (i = 0; i < len; i++) {
        if (((unsigned char) value[i] < 0x20 && value[i] != '\t')
            || value[i] == 0x7f)
        {
            return -1;
        }
    }

    semi = memchr(value, ';', len);
    end = semi ? (size_t) (semi - value) : len;

    eq = memchr(value, '=', end);

    if (eq == NULL) {
        /* a nameless cookie: the whole pair is its value */
        sc->name = value;
        sc->name_len = 0;
        v = value;
        vlen = end;

    } else {
        sc->name = value;
        sc->name_len = eq - value;
        v = eq + 1;
        vlen = end - (eq + 1 - value);
    }

    consent_cookie_trim(&sc->name, &sc->name_len);
    consent_cookie_trim(&v, &vlen);

    if (sc->name_len == 0 && vlen == 0) {
        return -1;
    }

    i = end;

    while (i < len) {
        /* value[i] is the ";" before an attribute */
        i++;

        a = value + i;
        semi = memchr(a, ';', len - i);
        end = semi ? (size_t) (semi - value) : len;

        eq = memchr(a, '=', end - i);

        if (eq == NULL) {
            alen = end - i;
            v = value + end;
            vlen = 0;

        } else {
            alen = eq - a;
            v = eq + 1;
            vlen = end - (eq + 1 - value);
        }

        consent_cookie_trim(&a, &alen);
        consent_cookie_trim(&v, &vlen);

        i = end;

        if (consent_cookie_ieq(a, alen, "expires")) {
            sc->has_expires = (vlen > 0);

        } else if (consent_cookie_ieq(a, alen, "max-age")) {

            /* [-]DIGIT+, else the attribute is ignored */

            if (vlen == 0 || !((v[0] >= '0' && v[0] <= '9') || v[0] == '-'))
            {
                continue;
            }

            n = 0;

            for (end = (v[0] == '-'); end < vlen; end++) {
                if (v[end] < '0' || v[end] > '9') {
                    break;
                }

                if (n < 1000000000000LL) {
                    n = n * 10 + (v[end] - '0');
                }
            }

            if (end != vlen || (v[0] == '-' && vlen == 1)) {
                continue;
            }

            sc->max_age = (v[0] == '-') ? 0 : n;
            sc->has_max_age = 1;

        } else if (consent_cookie_ieq(a, alen, "domain")) {

            if (vlen == 0) {
                continue;
            }

            if (v[0] == '.') {
                v++;
                vlen--;
            }

            sc->domain = vlen ? v : NULL;
            sc->domain_len = vlen;

        } else if (consent_cookie_ieq(a, alen, "path")) {

            if (vlen == 0 || v[0] != '/') {
                sc->path = NULL;
                sc->path_len = 0;

            } else {
                sc->path = v;
                sc->path_len = vlen;
            }

        } else if (consent_cookie_ieq(a, alen, "secure")) {
            sc->secure = 1;

        } else if (consent_cookie_ieq(a, alen, "httponly")) {
            sc->httponly = 1;

        } else if (consent_cookie_ieq(a, alen, "samesite")) {

            if (consent_cookie_ieq(v, vlen, "strict")) {
                sc->samesite = CONSENT_SAMESITE_STRICT;

            } else if (consent_cookie_ieq(v, vlen, "lax")) {
                sc->samesite = CONSENT_SAMESITE_LAX;

            } else if (consent_cookie_ieq(v, vlen, "none")) {
                sc->samesite = CONSENT_SAMESITE_NONE;

            } else {
                sc->samesite = CONSENT_SAMESITE_OTHER;
            }
        }
    }

    return 0;
}


int
consent_cookie_pair(const char *header, size_t len, size_t *pos,
    const char **name, size_t *name_len, const char **pair,
    size_t *pair_len)
{
    size_t       i, end;
    const char  *p, *eq, *semi;
    size_t       plen;

    i = *pos;

    while (i < len) {
        p = header + i;
        semi = memchr(p, ';', len - i);
        end = semi ? (size_t) (semi - header) : len;

        plen = end - i;
        i = semi ? end + 1 : len;

        consent_cookie_trim(&p, &plen);

        if (plen == 0) {
            continue;
        }

        *pair = p;
        *pair_len = plen;
        *name = p;

        eq = memchr(p, '=', plen);

        if (eq == NULL) {
            *name_len = 0;

        } else {
            *name_len = eq - p;
            consent_cookie_trim(name, name_len);
        }

        *pos = i;

        return 1;
    }

    *pos = len;

    return 0;
}


size_t
consent_cookie_filter(const consent_policy_t *p, uint32_t granted,
    int unknown, const char *keep, size_t keep_len, const char *header,
    size_t len, char *out, size_t *removed)
{
    size_t       pos, n, nlen, plen;
    const char  *name, *pair;

    pos = 0;
    n = 0;
    *removed = 0;

    while (consent_cookie_pair(header, len, &pos, &name, &nlen, &pair,
                               &plen))
    {
        if (!(keep != NULL && nlen == keep_len
              && memcmp(name, keep, nlen) == 0)
            && consent_cookie_refused(p, granted, unknown, name, nlen))
        {
            (*removed)++;
            continue;
        }

        /* a pair and its separator take 2 bytes at least: 2 * len */

        if (n > 0) {
            out[n++] = ';';
            out[n++] = ' ';
        }

        memcpy(out + n, pair, plen);
        n += plen;
    }

    return n;
}


size_t
consent_cookie_domains(const char *host, size_t len, const char *top,
    size_t top_len, consent_span_t *out, size_t max)
{
    size_t  n, i, clen, j;
    int     under, dots;

    if (max > CONSENT_COOKIE_DOMAINS_MAX) {
        max = CONSENT_COOKIE_DOMAINS_MAX;
    }

    if (max == 0) {
        return 0;
    }

    n = 0;
    out[n].data = "";
    out[n++].len = 0;

    if (host == NULL) {
        return n;
    }

    /* "example.com." is example.com to a browser */

    if (len > 0 && host[len - 1] == '.') {
        len--;
    }

    if (len == 0 || consent_cookie_is_ip(host, len)) {
        return n;
    }

    if (top != NULL && top_len > 0 && top[0] == '.') {
        top++;
        top_len--;
    }

    under = (top != NULL && top_len > 0
             && consent_cookie_domain_match(host, len, top, top_len));

    if (n < max) {
        out[n].data = host;
        out[n++].len = len;
    }

    /* the parents, from the shortest: where trackers set their cookies */

    for (i = len; i > 0 && n < max; i--) {
        if (host[i - 1] != '.') {
            continue;
        }

        clen = len - i;

        if (clen == 0) {
            continue;
        }

        dots = 0;

        for (j = i; j < len; j++) {
            dots += (host[j] == '.');
        }

        /* a single label is a top-level domain: no browser takes it */

        if (dots == 0) {
            continue;
        }

        if (under && !consent_cookie_domain_match(host + i, clen, top,
                                                  top_len))
        {
            continue;
        }

        out[n].data = host + i;
        out[n++].len = clen;
    }

    return n;
}


int
consent_cookie_domain_match(const char *host, size_t len,
    const char *domain, size_t domain_len)
{
    size_t  i;

    if (domain_len == 0 || domain_len > len) {
        return 0;
    }

    if (domain_len < len && host[len - domain_len - 1] != '.') {
        return 0;
    }

    for (i = 0; i < domain_len; i++) {
        if (consent_ascii_lower((unsigned char) host[len - domain_len + i])
            != consent_ascii_lower((unsigned char) domain[i]))
        {
            return 0;
        }
    }

    return 1;
}


size_t
consent_cookie_expiry(const char *name, size_t name_len, const char *domain,
    size_t domain_len, int secure, char *out)
{
    int     host;
    char   *p;

    if (consent_cookie_name_prefix(name, name_len, &host) > 0) {
        /* a __Host- cookie has no Domain; both prefixes need Secure */

        if (host && domain_len > 0) {
            return 0;
        }

        secure = 1;
    }

    p = out;

    memcpy(p, name, name_len);
    p += name_len;

    memcpy(p, "=; Max-Age=0; Path=/", sizeof("=; Max-Age=0; Path=/") - 1);
    p += sizeof("=; Max-Age=0; Path=/") - 1;

    if (domain_len > 0) {
        memcpy(p, "; Domain=", sizeof("; Domain=") - 1);
        p += sizeof("; Domain=") - 1;
        memcpy(p, domain, domain_len);
        p += domain_len;
    }

    if (secure) {
        memcpy(p, "; Secure", sizeof("; Secure") - 1);
        p += sizeof("; Secure") - 1;
    }

    return p - out;
}


consent_cookie_check_e
consent_cookie_name_check(const char *name, size_t len, size_t *bad)
{
    size_t  i;

    if (len == 0 || len > CONSENT_COOKIE_OWN_NAME_MAX) {
        return CONSENT_COOKIE_NAME_LENGTH;
    }

    for (i = 0; i < len; i++) {
        if (!consent_ascii_token((unsigned char) name[i])) {
            *bad = i;
            return CONSENT_COOKIE_NAME_BYTE;
        }
    }

    return CONSENT_COOKIE_NAME_OK;
}


consent_cookie_check_e
consent_cookie_domain_check(const char *domain, size_t len, size_t *bad)
{
    size_t  i;
    int     c;

    if (len == 0 || len > CONSENT_COOKIE_DOMAIN_MAX) {
        return CONSENT_COOKIE_NAME_LENGTH;
    }

    for (i = 0; i < len; i++) {
        c = consent_ascii_lower((unsigned char) domain[i]);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '-' || c == '.'))
        {
            *bad = i;
            return CONSENT_COOKIE_NAME_BYTE;
        }
    }

    return CONSENT_COOKIE_NAME_OK;
}


/* helpers */


static int
consent_cookie_find(const consent_policy_t *p, const char *name,
    size_t len)
{
    int                           best;
    size_t                        i;
    const consent_cookie_decl_t  *d;

    best = -1;

    for (i = 0; i < p->ncookies; i++) {
        d = &p->cookies[i];

        if (!d->prefix) {
            if (d->len == len && memcmp(d->name, name, len) == 0) {
                return (int) i;
            }

            continue;
        }

        if (d->len <= len && memcmp(d->name, name, d->len) == 0
            && (best < 0 || d->len > p->cookies[best].len))
        {
            best = (int) i;
        }
    }

    return best;
}


/* the length of a __Secure- or __Host- prefix, read as browsers do */

static size_t
consent_cookie_name_prefix(const char *name, size_t len, int *host)
{
    *host = 0;

    if (len >= sizeof("__Secure-") - 1
        && consent_cookie_ieq(name, sizeof("__Secure-") - 1, "__secure-"))
    {
        return sizeof("__Secure-") - 1;
    }

    if (len >= sizeof("__Host-") - 1
        && consent_cookie_ieq(name, sizeof("__Host-") - 1, "__host-"))
    {
        *host = 1;
        return sizeof("__Host-") - 1;
    }

    return 0;
}


static int
consent_cookie_ws(int c)
{
    return c == ' ' || c == '\t';
}


/* b is lower case and NUL-terminated */

static int
consent_cookie_ieq(const char *a, size_t alen, const char *b)
{
    return consent_ascii_ieq_lit(a, alen, b, strlen(b));
}


static void
consent_cookie_trim(const char **s, size_t *len)
{
    while (*len > 0 && consent_cookie_ws((unsigned char) (*s)[0])) {
        (*s)++;
        (*len)--;
    }

    while (*len > 0 && consent_cookie_ws((unsigned char) (*s)[*len - 1])) {
        (*len)--;
    }
}


/*
 * An IPv6 literal, or a host whose last label is a number, decimal or
 * "0x" hexadecimal, which the URL Standard reads as an IPv4 address
 */

static int
consent_cookie_is_ip(const char *host, size_t len)
{
    size_t  i, start;
    int     c;

    if (memchr(host, ':', len) != NULL || host[0] == '[') {
        return 1;
    }

    for (start = len; start > 0 && host[start - 1] != '.'; start--) {
        /* void */
    }

    if (start == len) {
        return 0;
    }

    if (len - start >= 2 && host[start] == '0'
        && (host[start + 1] == 'x' || host[start + 1] == 'X'))
    {
        for (i = start + 2; i < len; i++) {
            c = consent_ascii_lower((unsigned char) host[i]);

            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return 0;
            }
        }

        return 1;
    }

    for (i = start; i < len; i++) {
        if (host[i] < '0' || host[i] > '9') {
            return 0;
        }
    }

    return 1;
}
