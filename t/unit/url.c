
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_url.c: the spellings of issue 14, the URL
 * Standard's edge cases (schemes, slashes, userinfo, ports, dot
 * segments, escapes, IPv4 numbers, IPv6, UTS #46 and Punycode),
 * relative references against a base, bounds, and the quick test
 * consent_url_canonical() against the parser.  The expected strings
 * are what Node's WHATWG URL gives, after the two normalisations of
 * docs/url-matching.md.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_url.h"


#define F   "failure"
#define X   "unhandled"


typedef struct {
    const char    *in;
    const char    *base;            /* NULL: none */
    const char    *want;            /* serialised, or F or X */
} url_case_t;


static const char *parse(const char *in, size_t len, const char *base,
    char *out, size_t size);
static const char *show(const char *s, char *out, size_t size);
static void test_table(void);
static void test_parts(void);
static void test_bounds(void);
static void test_canonical(void);
static void test_host(void);
static void test_ipv4_rewrite(void);


static const url_case_t  cases[] = {
    /* issue 14 */
    { "https://www.facebook.com/./tr", NULL,
      "https://www.facebook.com/tr" },
    { "https://www.facebook.com/x/../tr", NULL,
      "https://www.facebook.com/tr" },
    { "https://www.facebook.com/%2e/tr", NULL,
      "https://www.facebook.com/tr" },
    { "https://www.facebook.com:443/tr", NULL,
      "https://www.facebook.com/tr" },
    { "https://www.facebook.com./tr", NULL, "https://www.facebook.com/tr" },
    { "https://\xef\xbd\x97\xef\xbd\x97\xef\xbd\x97\xef\xbc\x8e"
      "facebook\xef\xbc\x8e\xef\xbd\x83om/tr", NULL,
      "https://www.facebook.com/tr" },
    { "https://\xc5\xbf" "cript.hotjar.com/", NULL,
      "https://script.hotjar.com/" },
    { "https://faceboo\xe2\x84\xaa.net/", NULL, "https://facebook.net/" },
    { "https://plausible.\xe2\x93\x98\xe2\x93\x9e/", NULL,
      "https://plausible.io/" },
    { "https://clarity.m\xcb\xa2/", NULL, "https://clarity.ms/" },
    { "https://google-analyt\xe2\x85\xb0" "cs.com/", NULL,
      "https://google-analytics.com/" },
    { "https://\xf0\x9d\x90\x9f\xf0\x9d\x90\x9a.com/", NULL,
      "https://fa.com/" },
    { "http://0x7f.1/", NULL, "http://127.0.0.1/" },
    { "http://2130706433/", NULL, "http://127.0.0.1/" },
    { "http://0177.0.0.1/", NULL, "http://127.0.0.1/" },
    { "http://[::ffff:127.0.0.1]/", NULL, "http://[::ffff:7f00:1]/" },

    /* schemes and slashes */
    { "HTTPS://H.EXAMPLE", NULL, "https://h.example/" },
    { "http:\\\\h\\a", NULL, "http://h/a" },
    { "http:h/a", NULL, "http://h/a" },
    { "http:///h/a", NULL, "http://h/a" },
    { "wss://h:443/", NULL, "wss://h/" },
    { "ws://h:443/", NULL, "ws://h:443/" },
    { "ftp://h:21/x", NULL, "ftp://h/x" },
    { "javascript:alert(1)", NULL, X },
    { "data:text/html,x", NULL, X },
    { "file:///etc/passwd", NULL, X },
    { "mailto:a@b", NULL, X },
    { "1http://h/", NULL, "/1http://h/" },

    /* whitespace */
    { " \x01https://h/a\x1f ", NULL, "https://h/a" },
    { "ht\ttp://h\n.example/a\rb", NULL, "http://h.example/ab" },

    /* userinfo and ports */
    { "http://u:p@h/", NULL, "http://h/" },
    { "http://a@b@c/", NULL, "http://c/" },
    { "http://h:0080/", NULL, "http://h/" },
    { "http://h:/", NULL, "http://h/" },
    { "http://h:8080/", NULL, "http://h:8080/" },
    { "http://h:65535/", NULL, "http://h:65535/" },
    { "http://h:65536/", NULL, F },
    { "http://h:8x/", NULL, F },
    { "http://u@/", NULL, F },
    { "http:///", NULL, F },
    { "http://h%/", NULL, F },
    { "http://a b/", NULL, F },
    { "http://a^b/", NULL, F },

    /* paths */
    { "http://h/a/./b/../c", NULL, "http://h/a/c" },
    { "http://h/a/..", NULL, "http://h/" },
    { "http://h/a/.", NULL, "http://h/a/" },
    { "http://h/../../a", NULL, "http://h/a" },
    { "http://h/a/%2E%2e/b", NULL, "http://h/b" },
    { "http://h/a/.%2e/b", NULL, "http://h/b" },
    { "http://h/a/%2e./b", NULL, "http://h/b" },
    { "http://h/a/.../b", NULL, "http://h/a/.../b" },
    { "http://h/a/%2e%2e%2e", NULL, "http://h/a/..." },
    { "http://h//a//b", NULL, "http://h//a//b" },
    { "http://h/%74%52%7e%2D%5f", NULL, "http://h/tR~-_" },
    { "http://h/a%2fb%25", NULL, "http://h/a%2fb%25" },
    { "http://h/a b\"<>`{}^|'", NULL,
      "http://h/a%20b%22%3C%3E%60%7B%7D^|'" },
    { "http://h/\xc3\xa9", NULL, "http://h/%C3%A9" },
    { "http://h/%zz%", NULL, "http://h/%zz%" },
    { "http://h/a?b c'\"<>`#d", NULL, "http://h/a?b%20c%27%22%3C%3E`" },
    { "http://h/a#b?c", NULL, "http://h/a" },
    { "http://h?", NULL, "http://h/?" },

    /* hosts */
    { "http://%66acebook.com/", NULL, "http://facebook.com/" },
    { "http://a..b/", NULL, "http://a..b/" },
    { "http://h.../", NULL, "http://h/" },
    { "http://./", NULL, "http://./" },
    { "http://b\xc3\xbc" "cher.de/", NULL, "http://xn--bcher-kva.de/" },
    { "http://M\xc3\xbcnchen.DE/", NULL, "http://xn--mnchen-3ya.de/" },
    { "http://\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88/",
      NULL, "http://xn--r8jz45g.xn--zckzah/" },
    { "http://fa\xc3\x9f.de/", NULL, "http://xn--fa-hia.de/" },
    { "http://\xe2\x85\xab.com/", NULL, "http://xii.com/" },
    { "http://a\xc2\xad" "b.com/", NULL, "http://ab.com/" },
    { "http://a\xe3\x80\x82" "b/", NULL, "http://a.b/" },
    { "http://a\xe1\x85\x9f" "b/", NULL, "http://ab/" },
    { "http://\xe1\xba\x9e.de/", NULL, "http://xn--zca.de/" },
    { "http://\xc2\xad/", NULL, F },
    { "http://a\xef\xbc\x8f" "b/", NULL, F },
    { "http://\xff/", NULL, F },
    { "http://%ff/", NULL, F },
    { "http://\xed\xa0\x80/", NULL, F },
    { "http://xn--tda.com/", NULL, "http://xn--tda.com/" },

    /* IPv4 */
    { "http://0x/", NULL, "http://0.0.0.0/" },
    { "http://1.2.3/", NULL, "http://1.2.0.3/" },
    { "http://1.2.3.4./", NULL, "http://1.2.3.4/" },
    { "http://4294967295/", NULL, "http://255.255.255.255/" },
    { "http://4294967296/", NULL, F },
    { "http://1.2.3.256/", NULL, F },
    { "http://256.1/", NULL, F },
    { "http://1.2.3.4.5/", NULL, F },
    { "http://foo.1/", NULL, F },
    { "http://foo.0x/", NULL, F },
    { "http://foo.09/", NULL, F },
    { "http://09/", NULL, F },
    { "http://1.x/", NULL, "http://1.x/" },
    { "http://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.1/", NULL,
      "http://127.0.0.1/" },

    /* IPv6 */
    { "http://[::1]/", NULL, "http://[::1]/" },
    { "http://[0:0:0:0:0:0:0:1]:80/", NULL, "http://[::1]/" },
    { "http://[2001:DB8:0:0:1:0:0:1]/", NULL, "http://[2001:db8::1:0:0:1]/" },
    { "http://[1:0:0:0:0:0:0:0]/", NULL, "http://[1::]/" },
    { "http://[1:2:3:4:5:6:1.2.3.4]/", NULL,
      "http://[1:2:3:4:5:6:102:304]/" },
    { "http://[::]/", NULL, "http://[::]/" },
    { "http://[1:2:3:4:5:6:7:8]/", NULL, "http://[1:2:3:4:5:6:7:8]/" },
    { "http://[1::2::3]/", NULL, F },
    { "http://[1:2:3:4:5:6:7:8:9]/", NULL, F },
    { "http://[::1.2.3]/", NULL, F },
    { "http://[::1.2.3.04]/", NULL, F },
    { "http://[:1]/", NULL, F },
    { "http://[1:]/", NULL, F },
    { "http://[::1/", NULL, F },
    { "http://[g::]/", NULL, F },

    /* relative references */
    { "/tr", "https://www.facebook.com/a/b", "https://www.facebook.com/tr" },
    { "tr", "https://www.facebook.com/a/b",
      "https://www.facebook.com/a/tr" },
    { "../tr", "https://www.facebook.com/a/b", "https://www.facebook.com/tr" },
    { "..", "https://h/a/b", "https://h/" },
    { ".", "https://h/a/b", "https://h/a/" },
    { "", "https://h/a/b?q", "https://h/a/b?q" },
    { "#f", "https://h/a/b?q", "https://h/a/b?q" },
    { "?x", "https://h/a/b?q", "https://h/a/b?x" },
    { "//g/x", "https://h/a", "https://g/x" },
    { "\\\\g\\x", "https://h/a", "https://g/x" },
    { "https:x", "https://h/a/b", "https://h/a/x" },
    { "https:/x", "https://h/a/b", "https://h/x" },
    { "https://x", "https://h/a/b", "https://x/" },
    { "http:x", "https://h/a/b", "http://x/" },
    { "x", "https://h:8443/", "https://h:8443/x" },
    { "x", "https://[::ffff:1.2.3.4]/a", "https://[::ffff:102:304]/x" },
    { "javascript:x", "https://h/", X },

    /* no base: the page's own */
    { "/a/../tr", NULL, "/tr" },
    { "a/./b", NULL, "/a/b" },
    { "//www.facebook.com/./tr", NULL, "//www.facebook.com/tr" },
    { "\\/www.facebook.com:443/tr", NULL, "//www.facebook.com:443/tr" },
    { "?q", NULL, "/?q" },
    { "", NULL, "/" }
};


static const char *
parse(const char *in, size_t len, const char *base, char *out, size_t size)
{
    int            rc;
    consent_url_t  u, b;
    char           bbuf[1024];

    b.buf = bbuf;
    b.size = sizeof(bbuf);

    if (base != NULL
        && consent_url_parse(&b, base, strlen(base), NULL) != CONSENT_URL_OK)
    {
        return "bad base";
    }

    u.buf = out;
    u.size = size - 1;

    rc = consent_url_parse(&u, in, len, base ? &b : NULL);

    if (rc == CONSENT_URL_FAILURE) {
        return F;
    }

    if (rc == CONSENT_URL_UNHANDLED) {
        return X;
    }

    out[u.len] = '\0';

    return out;
}


/* a test's name: controls and non-ASCII bytes as \xHH */

static const char *
show(const char *s, char *out, size_t size)
{
    size_t    n;
    unsigned  c;

    for (n = 0; *s != '\0' && n + 5 < size; s++) {
        c = (unsigned char) *s;

        if (c < 0x20 || c >= 0x7f || c == '#') {
            n += (size_t) snprintf(out + n, size - n, "\\x%02x", c);

        } else {
            out[n++] = (char) c;
        }
    }

    out[n] = '\0';

    return out;
}


static void
test_table(void)
{
    size_t  i;
    char    out[2048], name[512];

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_str(parse(cases[i].in, strlen(cases[i].in), cases[i].base, out,
                     sizeof(out)),
               cases[i].want, "%s%s%s", show(cases[i].in, name, sizeof(name)),
               cases[i].base ? " against " : "",
               cases[i].base ? cases[i].base : "");
    }
}


static void
test_parts(void)
{
    consent_url_t  u;
    char           buf[256];
    const char    *s;

    u.buf = buf;
    u.size = sizeof(buf);

    s = "HTTPS://user@Www.Example.COM.:8443/a/../b?c=d#e";

    if (!is_int(consent_url_parse(&u, s, strlen(s), NULL), CONSENT_URL_OK,
                "parts: parses"))
    {
        return;
    }

    ok(u.scheme_len == 5 && memcmp(buf, "https", 5) == 0, "parts: scheme");
    ok(u.host_len == 15 && memcmp(buf + u.host, "www.example.com", 15) == 0,
       "parts: host");
    is_int(u.host_type, CONSENT_HOST_DOMAIN, "parts: a domain");
    is_int(u.port, 8443, "parts: port");
    ok(u.path_len == 2 && memcmp(buf + u.path, "/b", 2) == 0, "parts: path");
    ok(u.has_query && u.query_len == 3
       && memcmp(buf + u.query, "c=d", 3) == 0, "parts: query");
    is_int(u.truncated, 0, "parts: not truncated");

    s = "http://[::ffff:10.1.2.3]/";
    consent_url_parse(&u, s, strlen(s), NULL);
    is_int(u.host_type, CONSENT_HOST_IPV6, "mapped: IPv6");
    is_str(u.v4, "10.1.2.3", "mapped: its IPv4");

    s = "http://[::10.1.2.3]/";
    consent_url_parse(&u, s, strlen(s), NULL);
    is_str(u.v4, "", "IPv4-compatible is not mapped");

    s = "http://0x0a.1/";
    consent_url_parse(&u, s, strlen(s), NULL);
    is_int(u.host_type, CONSENT_HOST_IPV4, "IPv4 host type");
    is_int(u.port, -1, "default port");

    s = "/x";
    consent_url_parse(&u, s, strlen(s), NULL);
    is_int(u.host_type, CONSENT_HOST_NONE, "no base: no host");
    is_int(u.host_len, 0, "no base: empty host");
}


/* long inputs and small buffers: cut, said so, never overrun */

static void
test_bounds(void)
{
    int            rc;
    size_t         n, size;
    consent_url_t  u;
    char          *in, *buf;

    n = 3 * CONSENT_URL_IN_MAX;
    in = malloc(n);
    buf = malloc(n);

    if (in == NULL || buf == NULL) {
        abort();
    }

    memcpy(in, "https://h.example/", 18);
    memset(in + 18, 'a', n - 18);

    u.buf = buf;
    u.size = n;
    rc = consent_url_parse(&u, in, n, NULL);
    is_int(rc, CONSENT_URL_OK, "long: parses");
    ok(u.truncated, "long input: truncated");
    ok(u.len <= CONSENT_URL_IN_MAX, "long input: read up to the cap");

    /* TAB inside: the copy is capped too */
    in[40] = '\t';
    rc = consent_url_parse(&u, in, n, NULL);
    ok(rc == CONSENT_URL_OK && u.truncated && u.len <= CONSENT_URL_IN_MAX,
       "long input with a TAB: truncated");

    for (size = 0; size < 40; size++) {
        u.buf = buf;
        u.size = size;
        memset(buf, 'Z', 64);
        rc = consent_url_parse(&u, "https://h.example:81/a/b?c", 26, NULL);

        if (!ok(rc == CONSENT_URL_OK && u.len <= size && buf[size] == 'Z'
                && (size >= 26 || u.truncated), "buffer of %zu bytes", size))
        {
            break;
        }
    }

    /* a host beyond CONSENT_URL_HOST_MAX fails */
    memcpy(in, "https://", 8);
    memset(in + 8, 'a', CONSENT_URL_HOST_MAX + 10);
    memcpy(in + 8 + CONSENT_URL_HOST_MAX + 10, "/x", 2);
    u.buf = buf;
    u.size = n;
    rc = consent_url_parse(&u, in, CONSENT_URL_HOST_MAX + 20, NULL);
    is_int(rc, CONSENT_URL_FAILURE, "a host too long fails");

    /* a Unicode label too long for Punycode's buffer fails, safely */
    for (n = 8; n + 2 < CONSENT_URL_IN_MAX; n += 2) {
        in[n] = (char) 0xc3;
        in[n + 1] = (char) 0xbc;
    }

    rc = consent_url_parse(&u, in, n, NULL);
    is_int(rc, CONSENT_URL_FAILURE, "a long Unicode host fails");

    free(in);
    free(buf);
}


/* consent_url_canonical() says 1 only for what the parser keeps */

static void
test_canonical(void)
{
    size_t         i, j, k, cut, bad;
    consent_url_t  u;
    char           buf[512], s[64];

    static const char  *yes[] = {
        "https://www.googletagmanager.com/gtag/js?id=G-1",
        "http://a-b.example/x/y.js", "/assets/site.js", "/a?b=c#d",
        "https://h.x/a#b c", "//cdn.example/x.js"
    };

    static const char  *no[] = {
        "https://H.example/", "https://h.example", "https://h.1/",
        "https://h.example./", "https://h.example/./a", "/a/../b",
        "https://h.example/%41", "https://h:80/", "//h.1/", "/\\h",
        "https://h.example/a b", "https://h/a?b c", " /a", "a",
        "https://h\\a", "ftp://h/"
    };

    static const char  alphabet[] = "aZ09.-/\\?#%:@ \t\"`{}'^h\x80";
    char               name[128];

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        ok(consent_url_canonical(yes[i], strlen(yes[i]), 0),
           "canonical: %s", show(yes[i], name, sizeof(name)));
    }

    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        ok(!consent_url_canonical(no[i], strlen(no[i]), 0),
           "not canonical: %s", show(no[i], name, sizeof(name)));
    }

    ok(!consent_url_canonical("/a", 2, 1), "a path with a base is not");
    ok(!consent_url_canonical("//h/a", 5, 1),
       "a scheme-relative URL with a base is not");

    /* random strings from a small alphabet after canonical prefixes */
    srand(14);
    bad = 0;

    for (i = 0; i < 200000; i++) {
        k = (size_t) rand() % 4;
        strcpy(s, k == 0 ? "https://h.example/" : k == 1 ? "http://h"
                  : k == 2 ? "//h" : "/");
        j = strlen(s);

        for (k = (size_t) rand() % 20; k > 0; k--) {
            s[j++] = alphabet[(size_t) rand() % (sizeof(alphabet) - 1)];
        }

        s[j] = '\0';

        if (!consent_url_canonical(s, j, 0)) {
            continue;
        }

        u.buf = buf;
        u.size = sizeof(buf);
        cut = strcspn(s, "#");

        if (consent_url_parse(&u, s, j, NULL) != CONSENT_URL_OK
            || u.len != cut || memcmp(buf, s, cut) != 0)
        {
            if (bad++ < 5) {
                printf("# canonical but changed: '%s'\n",
                       show(s, name, sizeof(name)));
            }
        }
    }

    is_int(bad, 0, "canonical strings parse to themselves");
}


static void
test_host(void)
{
    int             n;
    consent_host_e  t;
    char            out[64];

    n = consent_url_host("Ex%41mple.COM.", 14, out, sizeof(out), &t);
    ok(n == 11 && memcmp(out, "example.com", 11) == 0
       && t == CONSENT_HOST_DOMAIN,
       "host: decoded, lower case, no trailing dot");

    n = consent_url_host("b\xc3\xbc" "cher", 7, out, 8, &t);
    is_int(n, -1, "host: Punycode longer than the buffer fails");

    n = consent_url_host("[::1]", 5, out, 8, &t);
    is_int(n, -1, "host: IPv6 needs room for the longest form");
}


static void
test_ipv4_rewrite(void)
{
    int          n;
    char         buf[32];
    size_t       i;

    static const struct {
        const char  *in;
        const char  *out;           /* NULL: invalid */
    } t[] = {
        { "127.0.0.1", "127.0.0.1" },
        { "0x7f.1", "127.0.0.1" },
        { "2130706433", "127.0.0.1" },
        { "0177.0.0.01", "127.0.0.1" },
        { "1.2.3", "1.2.0.3" },
        { "0x", "0.0.0.0" },
        { "256.1.1.1", NULL },
        { "1.2.3.4.5", NULL },
        { "1.2.65536", NULL },
        { "4294967296", NULL },
        { "1..2", NULL },
        { "08", NULL }
    };

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        snprintf(buf, sizeof(buf), "%s", t[i].in);
        n = consent_url_ipv4_rewrite(buf, strlen(buf));

        if (t[i].out == NULL) {
            is_int(n, -1, "ipv4 rewrite: \"%s\" invalid", t[i].in);

        } else {
            ok(n == (int) strlen(t[i].out)
               && memcmp(buf, t[i].out, n) == 0,
               "ipv4 rewrite: \"%s\" is %s", t[i].in, t[i].out);
        }
    }
}


int
main(void)
{
    test_table();
    test_parts();
    test_bounds();
    test_canonical();
    test_host();

    test_ipv4_rewrite();

    return done_testing();
}
