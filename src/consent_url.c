
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The WHATWG URL Standard's basic URL parser, as far as the matcher
 * needs it: special schemes (http, https, ws, wss, ftp), relative
 * references against a base, the host parser with UTS #46 (the table of
 * consent_idna.c, without NFC) and Punycode, IPv4 number forms, IPv6.
 * Where this code departs from the standard it is to equate more
 * spellings, never fewer: trailing dots of a domain go, and the path's
 * escapes of unreserved bytes are decoded ("%74r" is "tr" to a server).
 */


#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "consent_ascii.h"
#include "consent_url.h"


#define CONSENT_PUNY_BASE   36
#define CONSENT_PUNY_TMIN   1
#define CONSENT_PUNY_TMAX   26
#define CONSENT_PUNY_SKEW   38
#define CONSENT_PUNY_DAMP   700


/* ASCII bytes that fail a domain: the forbidden domain code points */
static const unsigned char  consent_url_forbidden[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    [' '] = 1, ['#'] = 1, ['%'] = 1, ['/'] = 1, [':'] = 1, ['<'] = 1,
    ['>'] = 1, ['?'] = 1, ['@'] = 1, ['['] = 1, ['\\'] = 1, [']'] = 1,
    ['^'] = 1, ['|'] = 1, [0x7f] = 1
};


/*
 * 1: escaped in a path, 2: in a query of a special URL (as Node does),
 * 4: "%", 8: ends a path segment, 16: ends a query
 */
static const unsigned char  consent_url_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    [' '] = 3, ['"'] = 3, ['<'] = 3, ['>'] = 3, ['`'] = 1, ['{'] = 1,
    ['}'] = 1, ['\''] = 2, [0x7f] = 3, ['%'] = 4, ['/'] = 8,
    ['\\'] = 8, ['?'] = 8, ['#'] = 24,
    [0x80 ... 0xff] = 3
};


static const char  consent_url_hexdigits[] = "0123456789ABCDEF";


static int consent_url_done(consent_url_t *u);
static size_t consent_url_clip(size_t off, size_t len, size_t end);
static int consent_url_default_port(const char *scheme, size_t len);
static void consent_url_put(consent_url_t *u, const char *s, size_t n);
static void consent_url_putc(consent_url_t *u, int c);
static void consent_url_pct(consent_url_t *u, unsigned c);
static int consent_url_authority(consent_url_t *u, const char *in,
    size_t *pos, size_t n, int dport);
static void consent_url_base(consent_url_t *u, const consent_url_t *base,
    int path, int query);
static void consent_url_path(consent_url_t *u, const char *in,
    size_t *pos, size_t n);
static void consent_url_segment(consent_url_t *u, const char *s,
    size_t n);
static int consent_url_new_escape(const consent_url_t *u, int v);
static void consent_url_shorten(consent_url_t *u);
static void consent_url_query(consent_url_t *u, const char *in,
    size_t *pos, size_t n);
static int consent_url_dots(const char *s, size_t n);
static int consent_url_utf8(const unsigned char *s, size_t n, size_t *i);
static int consent_url_idna(uint32_t cp, uint32_t *out, size_t *n,
    size_t max);
static int consent_url_punycode(const uint32_t *cp, size_t n, char *out,
    size_t size);
static int consent_url_ends_in_number(const char *s, size_t n);
static int consent_url_ipv4(char *host, size_t n, size_t size);
static int consent_url_ipv6(const char *s, size_t n, char *out,
    size_t size, char *v4);
static size_t consent_url_dotted(uint32_t addr, char *out);


int
consent_url_parse(consent_url_t *u, const char *s, size_t len,
    const consent_url_t *base)
{
    int          dport;
    size_t       i, j, n, slen;
    unsigned     c;
    const char  *end, *in;
    char         copy[CONSENT_URL_IN_MAX], scheme[8];

    u->len = 0;
    u->scheme_len = 0;
    u->host = 0;
    u->host_len = 0;
    u->path = 0;
    u->path_len = 0;
    u->query = 0;
    u->query_len = 0;
    u->port = -1;
    u->host_type = CONSENT_HOST_NONE;
    u->has_query = 0;
    u->truncated = 0;
    u->v4[0] = '\0';

    /* leading and trailing C0 controls and spaces go, TAB LF CR inside */
    end = s + len;

    while (s < end && (unsigned char) *s <= 0x20) {
        s++;
    }

    while (end > s && (unsigned char) end[-1] <= 0x20) {
        end--;
    }

    n = (size_t) (end - s);
    in = s;

    /* most URLs have none: read in place */
    if (memchr(s, '\t', n) != NULL || memchr(s, '\n', n) != NULL
        || memchr(s, '\r', n) != NULL || n > CONSENT_URL_IN_MAX)
    {
        for (n = 0; s < end; s++) {
            if (*s == '\t' || *s == '\n' || *s == '\r') {
                continue;
            }

            if (n == sizeof(copy)) {
                u->truncated = 1;
                break;
            }

            copy[n++] = *s;
        }

        in = copy;
    }

    /* the scheme */
    slen = 0;

    if (n > 0 && ((unsigned) (in[0] | 0x20) - 'a' < 26)) {
        for (j = 1; j < n; j++) {
            c = (unsigned char) in[j];

            if (!((c | 0x20) - 'a' < 26 || c - '0' < 10 || c == '+'
                  || c == '-' || c == '.'))
            {
                break;
            }
        }

        if (j < n && in[j] == ':') {
            slen = j;
        }
    }

    i = 0;

    if (slen > 0) {
        /* only the special schemes are handled, none longer than 5 */
        if (slen > 5) {
            return CONSENT_URL_UNHANDLED;
        }

        for (j = 0; j < slen; j++) {
            c = (unsigned char) in[j];
            scheme[j] = (char) (c | ((c - 'A' < 26) << 5));
        }

        dport = consent_url_default_port(scheme, slen);

        if (dport <= 0) {
            return CONSENT_URL_UNHANDLED;
        }

        i = slen + 1;

        /* "https:x" is relative to an https base, but not "https://x" */
        if (base != NULL && base->scheme_len == slen
            && memcmp(base->buf, scheme, slen) == 0 && base->host_len > 0
            && !(i + 1 < n && in[i] == '/' && in[i + 1] == '/'))
        {
            goto relative;
        }

        consent_url_put(u, scheme, slen);
        u->scheme_len = slen;
        consent_url_put(u, "://", 3);

        if (consent_url_authority(u, in, &i, n, dport) != 0) {
            return CONSENT_URL_FAILURE;
        }

        goto path;
    }

relative:

    c = i < n ? (unsigned char) in[i] : 0;

    if (base == NULL || base->host_len == 0) {
        /* no base: the page's own origin, which the URL does not name */
        if ((c == '/' || c == '\\') && i + 1 < n
            && (in[i + 1] == '/' || in[i + 1] == '\\'))
        {
            consent_url_put(u, "//", 2);

            /* the scheme, and so its default port, is not known here */

            if (consent_url_authority(u, in, &i, n, -1) != 0) {
                return CONSENT_URL_FAILURE;
            }

            goto path;
        }

        /* a path relative to "/" is the same path from the root */
        goto path;
    }

    dport = consent_url_default_port(base->buf, base->scheme_len);

    if ((c == '/' || c == '\\') && i + 1 < n
        && (in[i + 1] == '/' || in[i + 1] == '\\'))
    {
        /* a base without a scheme is itself scheme-relative */
        consent_url_put(u, base->buf, base->scheme_len);
        u->scheme_len = base->scheme_len;

        if (base->scheme_len > 0) {
            consent_url_put(u, "://", 3);

        } else {
            consent_url_put(u, "//", 2);
        }

        if (consent_url_authority(u, in, &i, n, dport) != 0) {
            return CONSENT_URL_FAILURE;
        }

        goto path;
    }

    if (c == '/' || c == '\\') {
        consent_url_base(u, base, 0, 0);
        goto path;
    }

    if (i == n) {
        consent_url_base(u, base, 1, 1);
        return consent_url_done(u);
    }

    if (c == '?') {
        consent_url_base(u, base, 1, 0);
        consent_url_query(u, in, &i, n);
        return consent_url_done(u);
    }

    if (c == '#') {
        consent_url_base(u, base, 1, 1);
        return consent_url_done(u);
    }

    /* a path relative to the base's, whose last segment goes */
    consent_url_base(u, base, 1, 0);
    consent_url_shorten(u);
    consent_url_path(u, in, &i, n);
    consent_url_query(u, in, &i, n);

    return consent_url_done(u);

path:

    /* the path start state: one leading slash is the root's */
    if (i < n && (in[i] == '/' || in[i] == '\\')) {
        i++;
    }

    u->path = u->len;
    consent_url_path(u, in, &i, n);
    consent_url_query(u, in, &i, n);

    return consent_url_done(u);
}


/*
 * A cheap test that consent_url_parse() would give s back unchanged
 * (a fragment aside), for the matcher to skip it: "http(s)://" (or
 * "//" when there is no base) and a lower-case ASCII name whose last
 * label starts with a letter, or a path from the root when there is no
 * base; then a path without
 * escapes, backslashes or dot segments, and a query that needs no
 * escape.  0 says nothing: the URL may still be canonical.
 */

int
consent_url_canonical(const char *s, size_t len, int has_base)
{
    size_t    i, label;
    unsigned  c;

    if (len == 0 || (unsigned char) s[0] <= 0x20
        || (unsigned char) s[len - 1] <= 0x20)
    {
        return 0;
    }

    if (len > 8 && memcmp(s, "https://", 8) == 0) {
        i = 8;

    } else if (len > 7 && memcmp(s, "http://", 7) == 0) {
        i = 7;

    } else if (!has_base && len > 2 && s[0] == '/' && s[1] == '/') {
        /* scheme-relative without a base: written so by the parser */
        i = 2;

    } else if (!has_base && s[0] == '/' && len > 1 && s[1] != '/'
               && s[1] != '\\')
    {
        i = 0;
        goto path;

    } else {
        return 0;
    }

    label = i;

    for ( /* void */ ; i < len; i++) {
        c = (unsigned char) s[i];

        if (c == '.') {
            label = i + 1;

        } else if (!((c - 'a' < 26) || c - '0' < 10 || c == '-')) {
            break;
        }
    }

    /* a name, not a number, ends at the path; no dot at its end */
    if (i == len || s[i] != '/' || label == i
        || (unsigned) s[label] - 'a' >= 26)
    {
        return 0;
    }

path:

    for ( /* void */ ; i < len; i++) {
        c = (unsigned char) s[i];

        if (!(consent_url_class[c] & 13)) {
            continue;
        }

        if (c == '/') {
            if (i + 1 < len && s[i + 1] == '.') {
                return 0;
            }

            continue;
        }

        break;
    }

    if (i == len || s[i] == '#') {
        return 1;
    }

    if (s[i] != '?') {
        return 0;
    }

    for (i++; i < len; i++) {
        c = (unsigned char) s[i];

        if (consent_url_class[c] & 2) {
            return 0;
        }

        if (c == '#') {
            return 1;
        }
    }

    return 1;
}


int
consent_url_host(const char *s, size_t len, char *out, size_t size,
    consent_host_e *type)
{
    int             h, l, r;
    size_t          i, k, n, m, start, o;
    uint32_t        cp;
    unsigned        c;
    char            v4[16];
    unsigned char   d[CONSENT_URL_HOST_MAX];
    uint32_t        cps[CONSENT_URL_HOST_MAX];

    if (len > 0 && s[0] == '[') {
        if (len < 2 || s[len - 1] != ']') {
            return -1;
        }

        *type = CONSENT_HOST_IPV6;

        return consent_url_ipv6(s + 1, len - 2, out, size, v4);
    }

    /* the common host: ASCII letters, digits, "-" and "." */
    for (i = 0; i < len && i < size; i++) {
        c = (unsigned char) s[i];

        if ((c | 0x20) - 'a' < 26) {
            out[i] = (char) (c | 0x20);

        } else if (c - '0' < 10 || c == '-' || c == '.') {
            out[i] = (char) c;

        } else {
            break;
        }
    }

    if (i == len) {
        o = len;
        goto ascii;
    }

    /* percent-decoded, then UTF-8 decoded, then mapped */
    n = 0;

    for (i = 0; i < len; i++) {
        c = (unsigned char) s[i];

        if (c == '%' && i + 2 < len
            && (h = consent_hex_value((unsigned char) s[i + 1])) >= 0
            && (l = consent_hex_value((unsigned char) s[i + 2])) >= 0)
        {
            c = (unsigned) ((h << 4) | l);
            i += 2;
        }

        if (n == sizeof(d)) {
            return -1;
        }

        d[n++] = (unsigned char) c;
    }

    m = 0;

    for (i = 0; i < n; /* void */ ) {
        c = d[i];

        if (c < 0x80) {
            if (m == CONSENT_URL_HOST_MAX) {
                return -1;
            }

            cps[m++] = c | ((c - 'A' < 26) << 5);
            i++;
            continue;
        }

        r = consent_url_utf8(d, n, &i);

        if (r < 0 || consent_url_idna((uint32_t) r, cps, &m,
                                      CONSENT_URL_HOST_MAX) != 0)
        {
            return -1;
        }
    }

    /* each label: ASCII as it is, else "xn--" and its Punycode */
    o = 0;

    for (start = 0; start <= m; start = k + 1) {
        for (k = start; k < m && cps[k] != '.'; k++) {
            /* void */
        }

        for (i = start; i < k && cps[i] < 0x80; i++) {
            /* void */
        }

        if (i == k) {
            if (o + (k - start) > size) {
                return -1;
            }

            for (i = start; i < k; i++) {
                cp = cps[i];

                if (consent_url_forbidden[cp]) {
                    return -1;
                }

                out[o++] = (char) cp;
            }

        } else {
            r = consent_url_punycode(cps + start, k - start, out + o,
                                     size - o);

            if (r < 0) {
                return -1;
            }

            o += (size_t) r;
        }

        if (k < m) {
            if (o == size) {
                return -1;
            }

            out[o++] = '.';
        }
    }

    if (o == 0) {
        return -1;
    }

    for (i = 0; i < m; i++) {
        if (cps[i] < 0x80 && consent_url_forbidden[cps[i]]) {
            return -1;
        }
    }

ascii:

    if (consent_url_ends_in_number(out, o)) {
        *type = CONSENT_HOST_IPV4;
        return consent_url_ipv4(out, o, size);
    }

    /* a trailing dot names the same host; "2.." stays: "2" is a number */
    for (n = o; n > 1 && out[n - 1] == '.'; n--) {
        /* void */
    }

    if (!consent_url_ends_in_number(out, n)) {
        o = n;
    }

    *type = CONSENT_HOST_DOMAIN;

    return (int) o;
}


/* the serialisation finished, the parts of a cut one clipped to it */

static int
consent_url_done(consent_url_t *u)
{
    size_t  n;

    /*
     * Without a base nor a host, a path "//x" would read as a host: the
     * standard's serializer writes "/." before it, and so does this
     */
    if (u->host_type == CONSENT_HOST_NONE && u->path_len >= 2
        && u->buf[u->path] == '/' && u->buf[u->path + 1] == '/')
    {
        n = u->len - u->path;

        if (u->size - u->len < 2) {
            n = u->size - u->path - 2;
            u->truncated = 1;
        }

        memmove(u->buf + u->path + 2, u->buf + u->path, n);
        u->buf[u->path] = '/';
        u->buf[u->path + 1] = '.';
        u->path += 2;
        u->len = u->path + n;

        if (u->has_query) {
            u->query += 2;
        }
    }

    if (u->truncated) {
        u->scheme_len = consent_url_clip(0, u->scheme_len, u->len);
        u->host_len = consent_url_clip(u->host, u->host_len, u->len);
        u->host = u->host > u->len ? u->len : u->host;
        u->path_len = consent_url_clip(u->path, u->path_len, u->len);
        u->path = u->path > u->len ? u->len : u->path;
        u->query_len = consent_url_clip(u->query, u->query_len, u->len);
        u->query = u->query > u->len ? u->len : u->query;
    }

    return CONSENT_URL_OK;
}


static size_t
consent_url_clip(size_t off, size_t len, size_t end)
{
    if (off >= end) {
        return 0;
    }

    return len > end - off ? end - off : len;
}


/* the default port of a special scheme, 0 for file, -1 if not special */

static int
consent_url_default_port(const char *scheme, size_t len)
{
    switch (len) {

    case 2:
        return memcmp(scheme, "ws", 2) == 0 ? 80 : -1;

    case 3:
        if (memcmp(scheme, "wss", 3) == 0) {
            return 443;
        }

        return memcmp(scheme, "ftp", 3) == 0 ? 21 : -1;

    case 4:
        if (memcmp(scheme, "http", 4) == 0) {
            return 80;
        }

        return memcmp(scheme, "file", 4) == 0 ? 0 : -1;

    case 5:
        return memcmp(scheme, "https", 5) == 0 ? 443 : -1;

    default:
        return -1;
    }
}


/* what does not fit is cut, and said so */

static void
consent_url_put(consent_url_t *u, const char *s, size_t n)
{
    if (n > u->size - u->len) {
        n = u->size - u->len;
        u->truncated = 1;
    }

    memcpy(u->buf + u->len, s, n);
    u->len += n;
}


static void
consent_url_putc(consent_url_t *u, int c)
{
    if (u->len == u->size) {
        u->truncated = 1;
        return;
    }

    u->buf[u->len++] = (char) c;
}


/* c percent-encoded, upper-case hex as the standard writes it */

static void
consent_url_pct(consent_url_t *u, unsigned c)
{
    consent_url_putc(u, '%');
    consent_url_putc(u, consent_url_hexdigits[c >> 4]);
    consent_url_putc(u, consent_url_hexdigits[c & 0xf]);
}


/*
 * The special authority ignore slashes state and the authority, host
 * and port states: the host follows the last "@", the port its ":"
 * outside brackets; written as host[:port] unless the port is dport
 */

static int
consent_url_authority(consent_url_t *u, const char *in, size_t *pos,
    size_t n, int dport)
{
    int       r;
    size_t    i, aend, hs, he, k;
    unsigned  port, brackets;
    char      host[CONSENT_URL_HOST_MAX], num[8];

    for (i = *pos; i < n && (in[i] == '/' || in[i] == '\\'); i++) {
        /* void */
    }

    hs = i;

    for (aend = i; aend < n; aend++) {
        if (in[aend] == '/' || in[aend] == '\\' || in[aend] == '?'
            || in[aend] == '#')
        {
            break;
        }

        if (in[aend] == '@') {
            hs = aend + 1;
        }
    }

    brackets = 0;

    for (he = hs; he < aend; he++) {
        if (in[he] == '[') {
            brackets = 1;

        } else if (in[he] == ']') {
            brackets = 0;

        } else if (in[he] == ':' && !brackets) {
            break;
        }
    }

    if (he == hs) {
        return -1;
    }

    r = consent_url_host(in + hs, he - hs, host, sizeof(host),
                         &u->host_type);

    if (r <= 0) {
        return -1;
    }

    if (u->host_type == CONSENT_HOST_IPV6) {
        (void) consent_url_ipv6(in + hs + 1, he - hs - 2, host,
                                sizeof(host), u->v4);
    }

    u->host = u->len;
    consent_url_put(u, host, (size_t) r);
    u->host_len = u->len - u->host;

    if (he < aend) {
        port = 0;

        for (k = he + 1; k < aend; k++) {
            if (in[k] < '0' || in[k] > '9') {
                return -1;
            }

            port = port * 10 + (unsigned) (in[k] - '0');

            if (port > 65535) {
                return -1;
            }
        }

        if (k > he + 1 && (int) port != dport) {
            u->port = (int) port;
            consent_url_putc(u, ':');
            k = sizeof(num);

            do {
                num[--k] = (char) ('0' + port % 10);
                port /= 10;
            } while (port);

            consent_url_put(u, num + k, sizeof(num) - k);
        }
    }

    *pos = aend;

    return 0;
}


/* the base's scheme, host and port, and its path and query if asked */

static void
consent_url_base(consent_url_t *u, const consent_url_t *base, int path,
    int query)
{
    consent_url_put(u, base->buf, base->path);
    u->scheme_len = base->scheme_len;
    u->host = base->host;
    u->host_len = base->host_len;
    u->host_type = base->host_type;
    u->port = base->port;
    memcpy(u->v4, base->v4, sizeof(u->v4));
    u->path = u->len;

    if (path) {
        consent_url_put(u, base->buf + base->path, base->path_len);
    }

    u->path_len = u->len - u->path;

    if (query && base->has_query) {
        consent_url_putc(u, '?');
        u->query = u->len;
        consent_url_put(u, base->buf + base->query, base->query_len);
        u->query_len = u->len - u->query;
        u->has_query = 1;
    }
}


/*
 * The path state from in[*pos], appended to the path at u->path: a
 * segment ends at "/" or "\"; "." and ".." in their escaped spellings
 * too are dot segments, and one at the end leaves a trailing slash
 */

static void
consent_url_path(consent_url_t *u, const char *in, size_t *pos, size_t n)
{
    int     dots;
    size_t  i, start;

    i = *pos;

    for ( ;; ) {
        start = i;

        while (i < n && !(consent_url_class[(unsigned char) in[i]] & 8)) {
            i++;
        }

        dots = consent_url_dots(in + start, i - start);

        if (dots == 2) {
            consent_url_shorten(u);
        }

        if (dots == 0 || (i == n || (in[i] != '/' && in[i] != '\\'))) {
            consent_url_putc(u, '/');

            if (dots == 0) {
                consent_url_segment(u, in + start, i - start);
            }
        }

        if (i == n || (in[i] != '/' && in[i] != '\\')) {
            break;
        }

        i++;
    }

    if (u->len == u->path) {
        consent_url_putc(u, '/');
    }

    u->path_len = u->len - u->path;
    *pos = i;
}


/* a segment escaped as the standard does, unreserved escapes decoded */

static void
consent_url_segment(consent_url_t *u, const char *s, size_t n)
{
    int       h, l, v;
    size_t    i, k;
    unsigned  c;

    for (i = 0; i < n; i++) {
        /* a run that stays as it is */
        for (k = i; k < n && !(consent_url_class[(unsigned char) s[k]] & 5);
             k++)
        {
            /* void */
        }

        if (k > i) {
            consent_url_put(u, s + i, k - i);
            i = k;

            if (i == n) {
                break;
            }
        }

        c = (unsigned char) s[i];

        if (c == '%' && i + 2 < n
            && (h = consent_hex_value((unsigned char) s[i + 1])) >= 0
            && (l = consent_hex_value((unsigned char) s[i + 2])) >= 0)
        {
            v = (h << 4) | l;

            if (((unsigned) (v | 0x20) - 'a' < 26 || (unsigned) v - '0' < 10
                 || v == '-' || v == '.' || v == '_' || v == '~')
                && !consent_url_new_escape(u, v))
            {
                consent_url_putc(u, v);
                i += 2;
                continue;
            }
        }

        if (consent_url_class[c] & 1) {
            consent_url_pct(u, c);
            continue;
        }

        consent_url_putc(u, (int) c);
    }
}


/*
 * A hex digit decoded after "%" or "%" and a hex digit would make an
 * escape that the next parse decodes ("%3%36" is not "%36"): kept
 */

static int
consent_url_new_escape(const consent_url_t *u, int v)
{
    size_t  n;

    if (consent_hex_value(v) < 0) {
        return 0;
    }

    n = u->len;

    return (n >= 1 && u->buf[n - 1] == '%')
           || (n >= 2 && u->buf[n - 2] == '%'
               && consent_hex_value((unsigned char) u->buf[n - 1]) >= 0);
}


/* the path's last segment goes, its slash with it; the root stays */

static void
consent_url_shorten(consent_url_t *u)
{
    size_t  i;

    for (i = u->len; i > u->path && u->buf[i - 1] != '/'; i--) {
        /* void */
    }

    u->len = i > u->path ? i - 1 : u->path;
}


/* "?query" up to the fragment, escaped as the standard does */

static void
consent_url_query(consent_url_t *u, const char *in, size_t *pos, size_t n)
{
    size_t    i, k;
    unsigned  c;

    i = *pos;

    if (i >= n || in[i] != '?') {
        return;
    }

    consent_url_putc(u, '?');
    u->query = u->len;
    u->has_query = 1;

    for (i++; i < n; i++) {
        for (k = i; k < n && !(consent_url_class[(unsigned char) in[k]] & 18);
             k++)
        {
            /* void */
        }

        if (k > i) {
            consent_url_put(u, in + i, k - i);
            i = k;

            if (i == n) {
                break;
            }
        }

        c = (unsigned char) in[i];

        if (c == '#') {
            break;
        }

        if (consent_url_class[c] & 2) {
            consent_url_pct(u, c);
            continue;
        }

        consent_url_putc(u, (int) c);
    }

    u->query_len = u->len - u->query;
    *pos = i;
}


/* 1 for a single-dot segment, 2 for a double-dot one, escapes too */

static int
consent_url_dots(const char *s, size_t n)
{
    int     dots;
    size_t  i;

    dots = 0;

    for (i = 0; i < n; dots++) {
        if (s[i] == '.') {
            i++;

        } else if (s[i] == '%' && n - i >= 3
                   && s[i + 1] == '2' && (s[i + 2] | 0x20) == 'e')
        {
            i += 3;

        } else {
            return 0;
        }
    }

    return dots <= 2 ? dots : 0;
}


/* the code point at s[*i], or -1 for a sequence UTF-8 decode replaces */

static int
consent_url_utf8(const unsigned char *s, size_t n, size_t *i)
{
    size_t    k, more;
    uint32_t  cp, min;
    unsigned  c;

    c = s[*i];

    if (c >= 0xc2 && c <= 0xdf) {
        more = 1;
        cp = c & 0x1f;
        min = 0x80;

    } else if (c >= 0xe0 && c <= 0xef) {
        more = 2;
        cp = c & 0x0f;
        min = 0x800;

    } else if (c >= 0xf0 && c <= 0xf4) {
        more = 3;
        cp = c & 0x07;
        min = 0x10000;

    } else {
        return -1;
    }

    if (*i + more >= n) {
        return -1;
    }

    for (k = 1; k <= more; k++) {
        c = s[*i + k];

        if (c < 0x80 || c > 0xbf) {
            return -1;
        }

        cp = (cp << 6) | (c & 0x3f);
    }

    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return -1;
    }

    *i += more + 1;

    return (int) cp;
}


/* the UTS #46 mapping of a non-ASCII code point, appended to out */

static int
consent_url_idna(uint32_t cp, uint32_t *out, size_t *n, size_t max)
{
    int                   r;
    size_t                lo, hi, mid, i, len;
    uint32_t              info, kind, data;
    const unsigned char  *p;

    lo = 0;
    hi = consent_idna_n;

    /* the last range that starts at or before cp */
    while (hi - lo > 1) {
        mid = lo + (hi - lo) / 2;

        if (consent_idna_first[mid] <= cp) {
            lo = mid;

        } else {
            hi = mid;
        }
    }

    if (cp < consent_idna_first[lo]) {
        return -1;
    }

    info = consent_idna_info[lo];
    kind = info >> 29;
    data = info & 0x1fffffff;

    switch (kind) {

    case CONSENT_IDNA_VALID:
        break;

    case CONSENT_IDNA_IGNORED:
        return 0;

    case CONSENT_IDNA_DELTA:
        /* a 29-bit signed offset */
        cp = (uint32_t) ((int32_t) cp + ((int32_t) (data << 3) >> 3));
        break;

    case CONSENT_IDNA_STRING:
        len = data >> 22;
        p = consent_idna_pool + (data & 0x3fffff);

        for (i = 0; i < len; /* void */ ) {
            if (p[i] < 0x80) {
                r = p[i++];

            } else {
                r = consent_url_utf8(p, len, &i);

                if (r < 0) {
                    return -1;
                }
            }

            if (*n == max) {
                return -1;
            }

            out[(*n)++] = (uint32_t) r;
        }

        return 0;

    default:
        return -1;
    }

    if (*n == max) {
        return -1;
    }

    out[(*n)++] = cp;

    return 0;
}


/* "xn--" and the Punycode (RFC 3492) of a label; its length or -1 */

static int
consent_url_punycode(const uint32_t *cp, size_t n, char *out, size_t size)
{
    size_t    o, i, h, b;
    uint32_t  m, next, bias, k, t, q, d;
    uint64_t  delta;

    if (size < 4) {
        return -1;
    }

    memcpy(out, "xn--", 4);
    o = 4;

    for (i = 0; i < n; i++) {
        if (cp[i] < 0x80) {
            if (o == size) {
                return -1;
            }

            out[o++] = (char) cp[i];
        }
    }

    b = o - 4;
    h = b;

    if (b > 0) {
        if (o == size) {
            return -1;
        }

        out[o++] = '-';
    }

    m = 0x80;
    delta = 0;
    bias = 72;

    while (h < n) {
        next = 0x110000;

        for (i = 0; i < n; i++) {
            if (cp[i] >= m && cp[i] < next) {
                next = cp[i];
            }
        }

        delta += (uint64_t) (next - m) * (h + 1);
        m = next;

        for (i = 0; i < n; i++) {
            if (cp[i] < m) {
                delta++;
            }

            if (cp[i] != m) {
                continue;
            }

            q = (uint32_t) delta;

            for (k = CONSENT_PUNY_BASE; /* void */ ; k += CONSENT_PUNY_BASE) {
                t = k <= bias ? CONSENT_PUNY_TMIN
                    : k >= bias + CONSENT_PUNY_TMAX ? CONSENT_PUNY_TMAX
                    : k - bias;

                if (q < t) {
                    break;
                }

                d = t + (q - t) % (CONSENT_PUNY_BASE - t);

                if (o == size) {
                    return -1;
                }

                out[o++] = (char) (d < 26 ? 'a' + d : '0' + d - 26);
                q = (q - t) / (CONSENT_PUNY_BASE - t);
            }

            if (o == size) {
                return -1;
            }

            out[o++] = (char) (q < 26 ? 'a' + q : '0' + q - 26);

            /* adapt the bias */
            delta = h == b ? delta / CONSENT_PUNY_DAMP : delta / 2;
            delta += delta / (h + 1);

            for (k = 0; delta > ((CONSENT_PUNY_BASE - CONSENT_PUNY_TMIN)
                                 * CONSENT_PUNY_TMAX) / 2;
                 k += CONSENT_PUNY_BASE)
            {
                delta /= CONSENT_PUNY_BASE - CONSENT_PUNY_TMIN;
            }

            bias = (uint32_t) (k + (CONSENT_PUNY_BASE - CONSENT_PUNY_TMIN
                                    + 1) * delta / (delta + CONSENT_PUNY_SKEW));
            delta = 0;
            h++;
        }

        delta++;
        m++;
    }

    return (int) o;
}


/* the last label, a trailing empty one aside, is a number */

static int
consent_url_ends_in_number(const char *s, size_t n)
{
    size_t  i, start;

    if (n > 0 && s[n - 1] == '.') {
        n--;
    }

    for (start = n; start > 0 && s[start - 1] != '.'; start--) {
        /* void */
    }

    if (start == n) {
        return 0;
    }

    for (i = start; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
        /* void */
    }

    if (i == n) {
        return 1;
    }

    if (n - start < 2 || s[start] != '0' || (s[start + 1] | 0x20) != 'x') {
        return 0;
    }

    for (i = start + 2;
         i < n && consent_hex_value((unsigned char) s[i]) >= 0;
         i++)
    {
        /* void */
    }

    return i == n;
}


/* the IPv4 parser, in place: the dotted form's length, or -1 */

static int
consent_url_ipv4(char *host, size_t n, size_t size)
{
    if (n > 0 && host[n - 1] == '.' && n > 1) {
        n--;
    }

    if (size < 16) {
        return -1;
    }

    return consent_url_ipv4_rewrite(host, n);
}


int
consent_url_ipv4_rewrite(char *host, size_t n)
{
    size_t    i, start, parts;
    uint32_t  addr;
    uint64_t  part[4], v;

    parts = 0;
    start = 0;

    for (i = 0; i <= n; i++) {
        if (i < n && host[i] != '.') {
            continue;
        }

        if (parts == 4
            || consent_ipv4_number(host + start, i - start, &v) != 0)
        {
            return -1;
        }

        part[parts++] = v;
        start = i + 1;
    }

    for (i = 0; i + 1 < parts; i++) {
        if (part[i] > 255) {
            return -1;
        }
    }

    if (part[parts - 1] >= (uint64_t) 1 << (8 * (5 - parts))) {
        return -1;
    }

    addr = (uint32_t) part[parts - 1];

    for (i = 0; i + 1 < parts; i++) {
        addr += (uint32_t) part[i] << (8 * (3 - i));
    }

    return (int) consent_url_dotted(addr, host);
}


/*
 * The IPv6 parser and serializer: "[" the canonical form "]" into out,
 * its length or -1; v4 gets the dotted IPv4 of an IPv4-mapped address
 * (::ffff:a.b.c.d, which reaches that IPv4 server), else "".
 */

static int
consent_url_ipv6(const char *s, size_t n, char *out, size_t size,
    char *v4)
{
    int       d, compress, piece, swaps, numbers, best, bestlen, run, k;
    size_t    p, o, len;
    unsigned  value, ipv4, tmp;
    uint16_t  a[8];

    memset(a, 0, sizeof(a));
    v4[0] = '\0';
    piece = 0;
    compress = -1;
    p = 0;

    if (p < n && s[p] == ':') {
        if (p + 1 >= n || s[p + 1] != ':') {
            return -1;
        }

        p += 2;
        piece++;
        compress = piece;
    }

    while (p < n) {
        if (piece == 8) {
            return -1;
        }

        if (s[p] == ':') {
            if (compress != -1) {
                return -1;
            }

            p++;
            piece++;
            compress = piece;
            continue;
        }

        value = 0;
        len = 0;

        while (len < 4 && p < n
               && (d = consent_hex_value((unsigned char) s[p])) >= 0)
        {
            value = value * 16 + (unsigned) d;
            p++;
            len++;
        }

        if (p < n && s[p] == '.') {
            if (len == 0 || piece > 6) {
                return -1;
            }

            p -= len;
            numbers = 0;

            while (p < n) {
                ipv4 = 0;
                k = 0;

                if (numbers > 0) {
                    if (s[p] == '.' && numbers < 4) {
                        p++;

                    } else {
                        return -1;
                    }
                }

                if (p >= n || s[p] < '0' || s[p] > '9') {
                    return -1;
                }

                while (p < n && s[p] >= '0' && s[p] <= '9') {
                    if (k > 0 && ipv4 == 0) {
                        return -1;
                    }

                    ipv4 = ipv4 * 10 + (unsigned) (s[p] - '0');
                    k++;

                    if (ipv4 > 255) {
                        return -1;
                    }

                    p++;
                }

                a[piece] = (uint16_t) (a[piece] * 0x100 + ipv4);
                numbers++;

                if (numbers == 2 || numbers == 4) {
                    piece++;
                }
            }

            if (numbers != 4) {
                return -1;
            }

            break;
        }

        if (p < n && s[p] == ':') {
            p++;

            if (p >= n) {
                return -1;
            }

        } else if (p < n) {
            return -1;
        }

        a[piece] = (uint16_t) value;
        piece++;
    }

    if (compress != -1) {
        swaps = piece - compress;
        piece = 7;

        while (piece != 0 && swaps > 0) {
            tmp = a[piece];
            a[piece] = a[compress + swaps - 1];
            a[compress + swaps - 1] = (uint16_t) tmp;
            piece--;
            swaps--;
        }

    } else if (piece != 8) {
        return -1;
    }

    /* the first longest run of two or more zero pieces is "::" */
    best = -1;
    bestlen = 1;

    for (k = 0; k < 8; k += run > 0 ? run : 1) {
        for (run = 0; k + run < 8 && a[k + run] == 0; run++) {
            /* void */
        }

        if (run > bestlen) {
            best = k;
            bestlen = run;
        }
    }

    if (size < 41) {
        return -1;
    }

    o = 0;
    out[o++] = '[';

    for (k = 0; k < 8; k++) {
        if (k == best) {
            out[o++] = ':';

            if (k == 0) {
                out[o++] = ':';
            }

            k += bestlen - 1;
            continue;
        }

        value = a[k];
        len = 0;

        for (d = 12; d >= 0; d -= 4) {
            if ((value >> d) || d == 0 || len) {
                out[o++] = "0123456789abcdef"[(value >> d) & 0xf];
                len = 1;
            }
        }

        if (k < 7) {
            out[o++] = ':';
        }
    }

    out[o++] = ']';

    if (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0 && a[4] == 0
        && a[5] == 0xffff)
    {
        v4[consent_url_dotted(((uint32_t) a[6] << 16) | a[7], v4)] = '\0';
    }

    return (int) o;
}


/* a.b.c.d, at most 15 bytes */

static size_t
consent_url_dotted(uint32_t addr, char *out)
{
    size_t    i, n;
    unsigned  v;

    n = 0;

    for (i = 0; i < 4; i++) {
        v = (addr >> (8 * (3 - i))) & 0xff;

        if (v >= 100) {
            out[n++] = (char) ('0' + v / 100);
        }

        if (v >= 10) {
            out[n++] = (char) ('0' + v / 10 % 10);
        }

        out[n++] = (char) ('0' + v % 10);

        if (i < 3) {
            out[n++] = '.';
        }
    }

    return n;
}
