
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of consent_match.c: element kinds, host parsing as browsers
 * parse it, URL substring and inline rules, author and migration marks,
 * aliases, every element kind's URLs, and the time a call takes.
 */


#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "consent_match.h"


#define A       2           /* analytics in conf/policy.json */
#define M       3           /* marketing */
#define N       CONSENT_MATCH_NONE
#define U       CONSENT_MATCH_UNKNOWN

#define MAX_ATTRS  16


typedef struct {
    const char    *url;
    int            want;
} url_case_t;


static consent_policy_t *load(const char *path);
static consent_policy_t *small_policy(void);
static consent_match_t el(const consent_policy_t *p, const char *tag, ...);
static void check_el(const consent_policy_t *p, int category,
    consent_by_e by, uint32_t mask, const char *what, const char *tag,
    ...);
static void url_table(const consent_policy_t *p, const url_case_t *c,
    size_t n, const char *set);
static double now_ns(void);
static void test_element_kind(void);
static void test_hosts(const consent_policy_t *p);
static void test_url_rules(const consent_policy_t *p);
static void test_long_urls(const consent_policy_t *p);
static void test_small(void);
static void test_inline(const consent_policy_t *p);
static void test_marks(const consent_policy_t *p);
static void test_marks_only(const consent_policy_t *p);
static void test_kinds(const consent_policy_t *p);
static void test_srcset(const consent_policy_t *p);
static void test_edges(const consent_policy_t *p);
static void test_random(const consent_policy_t *p);
static double time_element(const consent_policy_t *p, const char *tag,
    const consent_attr_t *a, size_t n, size_t iters);
static double time_inline(const consent_policy_t *p, const char *text,
    size_t len, size_t iters);
static void test_speed(const consent_policy_t *p);
static void test_spellings(const consent_policy_t *p);
static void test_base(const consent_policy_t *p);
static consent_policy_t *rules_policy(const char *rules);
static void test_compiled(void);
static void test_compile_limit(void);


static consent_attr_t  attrs_buf[MAX_ATTRS];
static size_t          nattrs_buf;
static volatile int    sink;


static consent_policy_t *
load(const char *path)
{
    char               err[512];
    consent_policy_t  *p;

    err[0] = '\0';
    p = consent_policy_load(path, err, sizeof(err));

    if (p == NULL) {
        printf("# %s: %s\n", path, err);
    }

    return p;
}


/*
 * categories necessary, a, b, c; rules in this order:
 * 0 host 10.0.0.1 (b), 1 host example.net (b), 2 url /b.js (b),
 * 3 host sub.example.net (a), 4 url /a.js (a), 5 inline mark( (a),
 * 6 inline zz (a), 7 inline mark (c), 8 url long pattern (c)
 */

static consent_policy_t *
small_policy(void)
{
    char               err[512], *doc, *d;
    const char        *s;
    consent_policy_t  *p;

    s = "{\"revision\": 1, \"default_language\": \"en\", "
        "\"privacy_url\": \"/p\", \"texts\": {\"en\": {\"title\": \"t\", "
        "\"message\": \"m\", \"accept_all\": \"a\", \"reject_all\": \"r\", "
        "\"customise\": \"c\", \"save\": \"s\", \"withdraw\": \"w\", "
        "\"privacy_link\": \"p\", \"manage\": \"m\", \"always_on\": \"o\", "
        "\"gpc_honoured\": \"g\"}}, \"categories\": ["
        "{\"id\": \"necessary\", \"required\": true, "
        "\"label\": {\"en\": \"N\"}, \"description\": {\"en\": \"N\"}}, "
        "{\"id\": \"a\", \"aliases\": [\"stats\"], "
        "\"label\": {\"en\": \"A\"}, \"description\": {\"en\": \"A\"}}, "
        "{\"id\": \"b\", \"label\": {\"en\": \"B\"}, "
        "\"description\": {\"en\": \"B\"}}, "
        "{\"id\": \"c\", \"label\": {\"en\": \"C\"}, "
        "\"description\": {\"en\": \"C\"}}], "
        "\"rules\": ["
        "{\"category\": \"b\", \"hosts\": [\"10.0.0.1\", \"Example.NET\"], "
        "\"urls\": [\"/B.js\"]}, "
        "{\"category\": \"a\", \"hosts\": [\"sub.example.net\"], "
        "\"urls\": [\"/a.js\"], \"inline\": [\"mark(\", \"zz\"]}, "
        "{\"category\": \"c\", \"inline\": [\"mark\"], \"urls\": [\"@\"]}]}";

    /* the last URL pattern: 256 bytes, "/" and 255 "x" */
    doc = malloc(strlen(s) + 300);
    if (doc == NULL) {
        abort();
    }

    d = strstr(s, "\"@\"");
    memcpy(doc, s, (size_t) (d - s) + 1);
    memset(doc + (d - s) + 1, 'x', 256);
    doc[(d - s) + 1] = '/';
    strcpy(doc + (d - s) + 257, d + 2);

    err[0] = '\0';
    p = consent_policy_parse(doc, strlen(doc), err, sizeof(err));

    if (p == NULL) {
        printf("# small policy: %s\n", err);
    }

    free(doc);

    return p;
}


/* a start tag: name, then name and value pairs (value NULL: no value) */

static consent_match_t
el(const consent_policy_t *p, const char *tag, ...)
{
    va_list      ap;
    const char  *name, *value;

    nattrs_buf = 0;
    va_start(ap, tag);

    while ((name = va_arg(ap, const char *)) != NULL) {
        value = va_arg(ap, const char *);

        if (nattrs_buf == MAX_ATTRS) {
            abort();
        }

        attrs_buf[nattrs_buf].name = name;
        attrs_buf[nattrs_buf].name_len = strlen(name);
        attrs_buf[nattrs_buf].value = value;
        attrs_buf[nattrs_buf].value_len = value ? strlen(value) : 0;
        nattrs_buf++;
    }

    va_end(ap);

    return consent_match_element(p, consent_element(tag, strlen(tag)),
                                 attrs_buf, nattrs_buf);
}


static void
check_el(const consent_policy_t *p, int category, consent_by_e by,
    uint32_t mask, const char *what, const char *tag, ...)
{
    va_list          ap;
    const char      *name, *value;
    consent_match_t  m;

    nattrs_buf = 0;
    va_start(ap, tag);

    while ((name = va_arg(ap, const char *)) != NULL) {
        value = va_arg(ap, const char *);

        if (nattrs_buf == MAX_ATTRS) {
            abort();
        }

        attrs_buf[nattrs_buf].name = name;
        attrs_buf[nattrs_buf].name_len = strlen(name);
        attrs_buf[nattrs_buf].value = value;
        attrs_buf[nattrs_buf].value_len = value ? strlen(value) : 0;
        nattrs_buf++;
    }

    va_end(ap);

    m = consent_match_element(p, consent_element(tag, strlen(tag)),
                              attrs_buf, nattrs_buf);

    if (!ok(m.category == category && m.by == by && m.mask == mask,
            "<%s> %s", tag, what))
    {
        printf("#   got category %d by %d mask 0x%x, want %d by %d "
               "mask 0x%x\n", m.category, (int) m.by, (unsigned) m.mask,
               category, (int) by, (unsigned) mask);
    }
}


static void
url_table(const consent_policy_t *p, const url_case_t *c, size_t n,
    const char *set)
{
    int     got;
    size_t  i;

    for (i = 0; i < n; i++) {
        got = consent_match_url(p, c[i].url, strlen(c[i].url));

        if (!ok(got == c[i].want, "%s: url %zu", set, i)) {
            printf("#   url: '%s'\n#   got %d, want %d\n", c[i].url, got,
                   c[i].want);
        }
    }
}


static double
now_ns(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (double) ts.tv_sec * 1e9 + (double) ts.tv_nsec;
}


static void
test_element_kind(void)
{
    size_t  i;
    static const struct {
        const char         *name;
        consent_element_e   want;
    } cases[] = {
        { "script", CONSENT_EL_SCRIPT },
        { "iframe", CONSENT_EL_IFRAME },
        { "frame", CONSENT_EL_FRAME },
        { "embed", CONSENT_EL_EMBED },
        { "object", CONSENT_EL_OBJECT },
        { "img", CONSENT_EL_IMG },
        { "image", CONSENT_EL_IMG },
        { "link", CONSENT_EL_LINK },
        { "video", CONSENT_EL_VIDEO },
        { "audio", CONSENT_EL_AUDIO },
        { "source", CONSENT_EL_SOURCE },
        { "SCRIPT", CONSENT_EL_SCRIPT },
        { "IfRaMe", CONSENT_EL_IFRAME },
        { "scripts", CONSENT_EL_OTHER },
        { "scrip", CONSENT_EL_OTHER },
        { "div", CONSENT_EL_OTHER },
        { "svg", CONSENT_EL_OTHER },
        { "a", CONSENT_EL_OTHER },
        { "imgs", CONSENT_EL_OTHER },
        { "", CONSENT_EL_OTHER }
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(consent_element(cases[i].name, strlen(cases[i].name)),
               cases[i].want, "element \"%s\"", cases[i].name);
    }

    is_int(consent_element(NULL, 3), CONSENT_EL_OTHER, "element NULL");
    is_int(consent_element("script", 3), CONSENT_EL_OTHER,
           "element length counts, not NUL");
}


static void
test_hosts(const consent_policy_t *p)
{
    static const url_case_t  cases[] = {
        { "https://www.googletagmanager.com/gtag/js?id=G-1", A },
        { "https://googletagmanager.com/x", A },
        { "http://GOOGLE-ANALYTICS.COM/analytics.js", A },
        { "HTTPS://Static.Hotjar.COM/c/hotjar-1.js?sv=6", A },
        { "//www.google-analytics.com/analytics.js", A },
        { "//google-analytics.com", A },
        { "\\\\www.google-analytics.com/x", A },
        { "/\\google-analytics.com/x", A },
        { "\\/google-analytics.com/x", A },
        { "///google-analytics.com/x", A },
        { "https:\\\\google-analytics.com/x", A },
        { "https:/\\/google-analytics.com/x", A },
        { "https:google-analytics.com/x", A },
        { "https:/google-analytics.com/x", A },
        { "https:///google-analytics.com/x", A },
        { "wss://google-analytics.com/", A },
        { "ws://google-analytics.com/", A },
        { "ftp://google-analytics.com/", A },
        { "https://google-analytics.com:8443/x", A },
        { "https://google-analytics.com:/x", A },
        { "https://google-analytics.com./x", A },
        { "https://google-analytics.com../x", A },
        { "https://google-analytics.com", A },
        { "https://google-analytics.com?x", A },
        { "https://google-analytics.com#x", A },

        /* userinfo: the host follows the last @ of the authority */
        { "https://google-analytics.com@evil.example/", N },
        { "https://google-analytics.com:443@evil.example/", N },
        { "https://evil.example@google-analytics.com/", A },
        { "https://a:b@c:d@www.google-analytics.com:443/x", A },
        { "https://evil.example%2F@google-analytics.com/", A },
        { "https://google-analytics.com%40evil.example/", N },
        { "https://google-analytics.com#@evil.example", A },
        { "https://google-analytics.com?@evil.example", A },
        { "https://google-analytics.com/@evil.example", A },
        { "https://google-analytics.com\\@evil.example/", A },
        { "https://user@/x", N },
        { "https://@google-analytics.com/", A },

        /* whitespace: stripped around, TAB LF CR removed within */
        { " \t\n https://www.google-analytics.com/x \r\n\f", A },
        { "\x01https://google-analytics.com/\x01", A },
        { "https://goo\ngle-analy\ttics.com/x", A },
        { "ht\ntps://google-analytics.com/", A },
        { "/\t/google-analytics.com/", A },
        { "https://google-analytics.com:4\n43/", A },
        { "https://google-ana lytics.com/", N },

        /* percent-escapes and Unicode mapped as browsers map hosts */
        { "https://google%2Danalytics.com/", A },
        { "https://%67oogle-analytics%2Ecom/", A },
        { "https://%67%6F%6f%67le-analytics.com/", A },
        { "https://google%2danalytics.com%2E/", A },
        { "https://google%2-analytics.com/", N },
        { "https://\xef\xbd\x87\xef\xbd\x8f\xef\xbd\x8f\xef\xbd\x87"
          "\xef\xbd\x8c\xef\xbd\x85-analytics.com/", A },
        { "https://\xef\xbc\xa7OOGLE-analytics.com/", A },
        { "https://google-analytics\xe3\x80\x82" "com/", A },
        { "https://google-analytics\xef\xbc\x8e" "com/", A },
        { "https://google-analytics\xef\xbd\xa1" "com/", A },
        { "https://google-analytics.com\xe3\x80\x82/", A },
        { "https://goo\xc2\xadgle-analytics.com/", A },
        { "https://goo\xe2\x80\x8bgle-analytics.com/", A },
        { "https://goo\xe2\x81\xa0gle-analytics.com/", A },
        { "https://goo\xef\xbb\xbfgle-analytics.com/", A },
        { "https://goo\xef\xb8\x8fgle-analytics.com/", A },
        { "https://goo\xf3\xa0\x84\x80gle-analytics.com/", A },
        { "https://goo%C2%ADgle-analytics.com/", A },
        { "https://goo%c2%adgle-analytics.com/", A },
        { "https://goo\xc3\xa9gle-analytics.com/", N },
        { "https://google-analytics.com\xc3\xa9/", N },
        { "https://\xc3google-analytics.com/", N },
        { "https://x.google-analytics.com\xc2/", N },
        { "https://x\xc3.google-analytics.com/", A },
        { "https://x\xf0\x9f\x98\x80.google-analytics.com/", A },

        /* no host a rule can name */
        { "https://[::1]/google-analytics.com", N },
        { "https://[2001:db8::1]:443/x", N },
        { "foo://google-analytics.com/", N },
        { "blob:https://google-analytics.com/uuid", N },
        { "file://google-analytics.com/x", N },
        { "data:text/html,<script src=//google-analytics.com/x></script>",
          N },
        { "javascript:location='//google-analytics.com'", N },
        { "google-analytics.com/x.js", N },
        { "google-analytics.com:443/x.js", N },
        { "/google-analytics.com/x.js", N },
        { "./google-analytics.com", N },
        { "?google-analytics.com", N },
        { "#//google-analytics.com", N },
        { "https://evil.example/google-analytics.com", N },
        { "https://evil.example/?u=https://google-analytics.com/", N },

        /* near misses */
        { "https://notgoogle-analytics.com/x", N },
        { "https://google-analytics.com.evil.example/x", N },
        { "https://google-analytics.co/x", N },
        { "https://oogle-analytics.com/x", N },
        { "https://google-analyticscom/x", N },
        { "https://xdoubleclick.net/", N },
        { "https://doubleclick.net.example/x", N },
        { "https://stats.g.doubleclick.net/x", M },
        { "https://ad.DoubleClick.Net./x", M },
        { "https://hotjar.com/x.js", N },
        { "https://www.hotjar.com/x.js", N },
        { "https://vimeo.com/1", N },
        { "https://player.vimeo.com/video/1", M },
        { "https://a.player.vimeo.com/video/1", M },
        { "https://connect.facebook.net/en_US/fbevents.js", M },
        { "https://facebook.net/en_US/fbevents.js", N },

        /* empty and degenerate */
        { "", N },
        { "   ", N },
        { "https://", N },
        { "https:", N },
        { "//", N },
        { "///", N },
        { "https://:443/", N },
        { "https://./", N },
        { "https://.../", N },
        { "h", N },
        { ":", N },
        { "%", N },
        { "https://%", N },
        { "https://%%%/", N }
    };

    url_table(p, cases, sizeof(cases) / sizeof(cases[0]), "host");
}


static void
test_url_rules(const consent_policy_t *p)
{
    static const url_case_t  cases[] = {
        { "/matomo.js", A },
        { "./matomo.js", A },
        { "/js/matomo.js?v=1", A },
        { "https://stats.example.org/piwik.js", A },
        { "//stats.example.org/piwik.js", A },
        { "/JS/Matomo.JS", A },
        { "/js/matomo%2Ejs", A },
        { "/js/matomo%2ejs", A },
        { "/js/%6Datomo.js", A },
        { "/js\\matomo.js", A },
        { "/js/mat\nomo.js", A },
        { "/js/matomo.json", A },
        { "/js/matomo-js", N },
        { "/js/matomo.j", N },
        /* relative: fetched as some directory's "/matomo.js" */
        { "matomo.js", A },
        { "/js/matomo%2Fjs", N },
        { "/js/matomo%252Ejs", N },
        { "https://www.facebook.com/tr?id=1&ev=PageView&noscript=1", M },
        { "https://www.FACEBOOK.com/TR?id=1", M },
        { "https://www.facebook.com\\tr?id=1", M },
        { "https://www.facebook%2Ecom/tr?id=1", M },
        { "https://www.facebook.com/t/r", N },
        { "https://www.facebook.co/tr", N },
        { "javascript:fetch('https://facebook.com/tr?id=1')", M },
        { "data:,facebook.com/tr", M },
        { "data:image/gif;base64,R0lGODlhAQABAAAAACw=", N },
        { "javascript:void(0)", N },
        { "https://www.youtube.com/embed/xyz?rel=0", M },
        { "https://www.youtube-nocookie.com/embed/xyz", M },
        { "https://www.youtube.com/watch?v=xyz", N },
        { "https://youtu.be/xyz", N },

        /* a host rule before a URL rule of another category */
        { "https://www.googletagmanager.com/x?u=facebook.com/tr", A },
        { "https://connect.facebook.net/matomo.js", A }
    };

    url_table(p, cases, sizeof(cases) / sizeof(cases[0]), "url rule");

    is_int(consent_match_url(NULL, "https://google-analytics.com/", 29), N,
           "NULL policy");
    is_int(consent_match_url(p, NULL, 10), N, "NULL url");
    is_int(consent_match_url(p, "https://google-analytics.com/", 0), N,
           "length 0");
    is_int(consent_match_url(p, "https://google-analytics.com/", 28), A,
           "length counts, not NUL");
    is_int(consent_match_url(p, "https://google-analytics.com.evil/", 28),
           A, "a prefix of the value only");
    is_int(consent_match_url(p, "https://google-analytics.com\0.evil/", 36),
           N, "NUL inside the host");
}


static void
test_long_urls(const consent_policy_t *p)
{
    int     fails;
    char   *u;
    size_t  i, n, at, len;

    u = malloc(20000);
    if (u == NULL) {
        abort();
    }

    /* a host longer than any name: only its tail counts */
    n = (size_t) sprintf(u, "https://");

    for (i = 0; i < 300; i++) {
        n += (size_t) sprintf(u + n, "a.");
    }

    n += (size_t) sprintf(u + n, "google-analytics.com/x");
    is_int(consent_match_url(p, u, n), A, "host of 620 bytes");

    n = (size_t) sprintf(u, "https://");
    memset(u + n, 'a', 5000);
    n += 5000;
    n += (size_t) sprintf(u + n, ".google-analytics.com/x");
    is_int(consent_match_url(p, u, n), A, "label of 5000 bytes");

    n = (size_t) sprintf(u, "https://");

    for (i = 0; i < 1000; i++) {
        n += (size_t) sprintf(u + n, "%%EF%%BD%%87");
    }

    n += (size_t) sprintf(u + n, ".google-analytics.com/x");
    is_int(consent_match_url(p, u, n), A,
           "1000 escaped fullwidth letters before the name");

    n = (size_t) sprintf(u, "https://");
    memset(u + n, 'a', 5000);
    n += 5000;
    n += (size_t) sprintf(u + n, "google-analytics.com/x");
    is_int(consent_match_url(p, u, n), N, "long near miss");

    /* a URL rule found wherever it is in a long URL */
    fails = 0;

    for (at = 0; at < 9000; at += (at > 3900 && at < 4200) ? 1 : 97) {
        n = (size_t) sprintf(u, "https://www.example.com/");
        memset(u + n, 'q', at);
        n += at;
        n += (size_t) sprintf(u + n, "facebook.com/tr");
        memset(u + n, 'q', 100);
        n += 100;

        if (consent_match_url(p, u, n) != M) {
            fails++;
            printf("#   missed at %zu\n", at);
        }
    }

    is_int(fails, 0, "URL rule at every offset around the piece size");

    /* escapes shorten the view: the boundary falls elsewhere */
    fails = 0;

    for (at = 4000; at < 4150; at++) {
        n = (size_t) sprintf(u, "/");

        for (i = 0; i < at; i++) {
            n += (size_t) sprintf(u + n, "%%41");
        }

        n += (size_t) sprintf(u + n, "/matomo%%2Ejs");

        if (consent_match_url(p, u, n) != A) {
            fails++;
        }
    }

    is_int(fails, 0, "escaped URL rule around the piece size");

    len = 19000;
    memset(u, 'z', len);
    is_int(consent_match_url(p, u, len), N, "19000 bytes, no match");
    memcpy(u + len - 10, "/piwik.js", 9);
    is_int(consent_match_url(p, u, len), A, "19000 bytes, match at end");

    free(u);
}


static void
test_small(void)
{
    char               *u;
    size_t              n, at;
    consent_policy_t   *p;
    static const url_case_t  cases[] = {
        /* IPv4 in the forms browsers accept */
        { "http://10.0.0.1/", 2 },
        { "http://10.0.0.1:80/", 2 },
        { "http://10.0.0.1./", 2 },
        { "http://0xa.0.0.1/", 2 },
        { "http://0XA.0x0.0.0x1/", 2 },
        { "http://012.0.0.01/", 2 },
        { "http://10.1/", 2 },
        { "http://10.0.1/", 2 },
        { "http://167772161/", 2 },
        { "http://0xa000001/", 2 },
        { "http://01200000001/", 2 },
        { "http://%31%30.0.0.1/", 2 },
        { "http://\xef\xbc\x91\xef\xbc\x90.0.0.1/", 2 },
        { "http://10.0.0.256/", N },
        { "http://10.0.0.09/", N },
        { "http://10.0.0.1.5/", N },
        { "http://110.0.0.1/", N },
        { "http://10.0.0.0x/", N },
        { "http://4294967296/", N },
        { "http://10..0.1/", N },
        { "http://a.10.0.0.1/", N },
        { "http://10.0.0.1a/", N },
        { "http://10.0.0.1.a/", N },

        /* rule order: the first rule that matches, hosts and URLs */
        { "https://sub.example.net/a.js", 2 },
        { "https://other.example/a.js?/b.js", 2 },
        { "https://other.example/a.js", 1 },
        { "https://x.sub.example.net/", 2 },
        { "https://EXAMPLE.net/", 2 },
        { "/x/B.JS", 2 },
        { "/x/b.js", 2 }
    };

    p = small_policy();

    if (!ok(p != NULL, "small policy")) {
        return;
    }

    url_table(p, cases, sizeof(cases) / sizeof(cases[0]), "small");

    /* a 256-byte URL pattern across the piece boundary */
    u = malloc(10000);
    if (u == NULL) {
        abort();
    }

    for (at = 3700; at < 4200; at += 7) {
        n = (size_t) sprintf(u, "/");
        memset(u + n, 'y', at);
        n += at;
        u[n++] = '/';
        memset(u + n, 'x', 255);
        n += 255;

        if (!ok(consent_match_url(p, u, n) == 3,
                "256-byte pattern at %zu", at))
        {
            break;
        }
    }

    memset(u, 'x', 300);
    u[0] = '/';
    is_int(consent_match_url(p, u, 255), N, "255 bytes of the pattern");

    free(u);

    /* inline: the first marker in rule order wins */
    is_int(consent_match_inline(p, "mark(1)", 7), 1, "mark( before mark");
    is_int(consent_match_inline(p, "mark 1", 6), 3, "mark alone");
    is_int(consent_match_inline(p, "mark zz", 7), 1, "zz before mark");
    is_int(consent_match_inline(p, "MARK(", 5), N, "markers keep case");

    /* aliases of the small policy */
    check_el(p, 1, CONSENT_BY_MIGRATED, 0x2, "alias stats", "script",
             "type", "text/plain", "data-category", "stats", NULL);
    check_el(p, U, CONSENT_BY_MIGRATED, 0, "alias of the other policy",
             "script", "data-cookieconsent", "statistics", NULL);

    consent_policy_free(p);
}


static void
test_inline(const consent_policy_t *p)
{
    size_t  i;
    static const url_case_t  cases[] = {
        { "window.dataLayer = window.dataLayer || [];\n"
          "function gtag(){dataLayer.push(arguments);}\n"
          "gtag('js', new Date());\ngtag('config', 'G-XXXXXXX');", A },
        { "!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){"
          "n.callMethod?n.callMethod.apply(n,arguments):n.queue.push("
          "arguments)};}(window, document,'script',"
          "'https://connect.facebook.net/en_US/fbevents.js');\n"
          "fbq('init', '123');\nfbq('track', 'PageView');", M },
        { "var _paq = window._paq = window._paq || [];\n"
          "_paq.push(['trackPageView']);", A },
        { "(function(h,o,t,j,a,r){h.hj=h.hj||function(){(h.hj.q=h.hj.q||[])"
          ".push(arguments)};})(window,document,'https://static.hotjar.com/"
          "c/hotjar-','.js?sv=');hj('identify', 1);", A },
        { "(function(c,l,a,r,i,t,y){c[a]=c[a]||function(){(c[a].q=c[a].q"
          "||[]).push(arguments)};})(window, document, \"clarity\", "
          "\"script\", \"abc\");clarity(\"set\", \"x\", \"y\");", A },
        { "_linkedin_partner_id = \"123\";", M },
        { "ttq.load('C123');ttq.page();", M },
        { "fbq('init', '1');gtag('js', new Date());", A },
        { "gtag", N },
        { "gtag (", N },
        { "GTAG(", N },
        { "_paq .push", N },
        { "fbq (", N },
        { "ttq", N },
        { "console.log('hello, world');", N },
        { "var stag = 1; if (stag) { go(); }", N },
        { "", N }
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(consent_match_inline(p, cases[i].url, strlen(cases[i].url)),
               cases[i].want, "inline %zu", i);
    }

    is_int(consent_match_inline(p, "gtag(", 4), N, "length counts");
    is_int(consent_match_inline(p, "\0gtag(", 6), A, "after a NUL");
    is_int(consent_match_inline(NULL, "gtag(", 5), N, "NULL policy");
    is_int(consent_match_inline(p, NULL, 5), N, "NULL text");
}


/*
 * consent_match_marks(), for a visitor who granted everything: what the
 * marks say, as consent_match_element() has it; no URL looked at
 */

static void
test_marks_only(const consent_policy_t *p)
{
    size_t           i;
    consent_match_t  full, marks;

    static const struct {
        const char  *what;
        const char  *tag;
        const char  *name1, *value1, *name2, *value2;
        int          marked;
    } cases[] = {
        { "a tracker img, unmarked", "img",
          "src", "https://www.google-analytics.com/collect", NULL, NULL, 0 },
        { "a tracker script, unmarked", "script",
          "src", "https://connect.facebook.net/en_US/fbevents.js",
          NULL, NULL, 0 },
        { "a first-party img", "img", "src", "/a.png", NULL, NULL, 0 },
        { "an unknown mark", "img",
          "data-consent", "bogus", "src", "/a.png", 1 },
        { "a known mark over a tracker URL", "iframe",
          "data-consent", "analytics",
          "src", "https://connect.facebook.net/x", 1 },
        { "a Cookiebot mark", "script",
          "data-cookieconsent", "statistics", "type", "text/plain", 1 },
        { "an unknown Cookiebot mark", "video",
          "data-cookieconsent", "nonsense", "src", "/clip.mp4", 1 },
        { "an empty data-consent is no mark", "img",
          "data-consent", "", "src",
          "https://www.google-analytics.com/collect", 0 }
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        full = el(p, cases[i].tag, cases[i].name1, cases[i].value1,
                  cases[i].name2, cases[i].value2, NULL);
        marks = consent_match_marks(p, consent_element(cases[i].tag,
                                                       strlen(cases[i].tag)),
                                    attrs_buf, nattrs_buf);

        if (cases[i].marked) {
            ok(marks.category == full.category && marks.by == full.by
               && marks.mask == full.mask,
               "marks only: %s, as the full match", cases[i].what);

        } else {
            ok(marks.category == N && marks.by == CONSENT_BY_NONE
               && marks.mask == 0,
               "marks only: %s: none", cases[i].what);
        }
    }

    /* the unmarked tracker is gated by the full match, not by marks */
    full = el(p, "img", "src", "https://www.google-analytics.com/collect",
              NULL);
    ok(full.category == A && full.by == CONSENT_BY_RULE,
       "the full match finds the tracker img's rule");
}


static void
test_marks(const consent_policy_t *p)
{
    const char  *ga = "https://www.google-analytics.com/analytics.js";
    const char  *fb = "https://connect.facebook.net/en_US/fbevents.js";

    /* the author's data-consent: ids only */
    check_el(p, A, CONSENT_BY_AUTHOR, 0x4, "data-consent", "script",
             "data-consent", "analytics", NULL);
    check_el(p, A, CONSENT_BY_AUTHOR, 0x4, "data-consent case, spaces",
             "script", "data-consent", " Analytics\n", NULL);
    check_el(p, 1, CONSENT_BY_AUTHOR, 0x2, "data-consent preferences",
             "iframe", "src", "/widget", "data-consent", "preferences",
             NULL);
    check_el(p, U, CONSENT_BY_AUTHOR, 0, "data-consent unknown", "script",
             "data-consent", "bogus", NULL);
    check_el(p, U, CONSENT_BY_AUTHOR, 0, "data-consent is not an alias",
             "script", "data-consent", "statistics", NULL);
    check_el(p, 3, CONSENT_BY_AUTHOR, 0xc, "data-consent, a list",
             "script", "data-consent", "analytics  marketing", NULL);
    check_el(p, U, CONSENT_BY_AUTHOR, 0, "data-consent, a list with an "
             "unknown id", "script", "data-consent", "analytics bogus",
             NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "data-consent empty: rules",
             "script", "data-consent", "", "src", ga, NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "data-consent blank: rules",
             "script", "data-consent", " \t", "src", ga, NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "data-consent no value: rules",
             "script", "data-consent", NULL, "src", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "data-consent empty, no src",
             "script", "data-consent", "", NULL);
    check_el(p, 0, CONSENT_BY_AUTHOR, 0x1, "necessary exempts", "script",
             "src", ga, "data-consent", "necessary", NULL);
    check_el(p, A, CONSENT_BY_AUTHOR, 0x4, "the mark, not the URL",
             "script", "src", fb, "data-consent", "analytics", NULL);
    check_el(p, A, CONSENT_BY_AUTHOR, 0x4, "first data-consent wins",
             "script", "data-consent", "analytics", "data-consent",
             "marketing", NULL);
    check_el(p, A, CONSENT_BY_AUTHOR, 0x4, "data-consent before Cookiebot",
             "script", "data-cookieconsent", "marketing", "data-consent",
             "analytics", NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "data-consent on a div", "div",
             "data-consent", "analytics", NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "other names", "script",
             "data-consents", "analytics", "consent", "analytics",
             "Data-Consent", "analytics", NULL);

    /* Cookiebot */
    check_el(p, A, CONSENT_BY_MIGRATED, 0x4, "Cookiebot statistics",
             "script", "type", "text/plain", "data-cookieconsent",
             "statistics", NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0x8, "Cookiebot marketing",
             "script", "data-cookieconsent", "marketing", "src", ga, NULL);
    check_el(p, 1, CONSENT_BY_MIGRATED, 0x2, "Cookiebot preferences",
             "script", "data-cookieconsent", "preferences", NULL);
    check_el(p, 0, CONSENT_BY_MIGRATED, 0x1, "Cookiebot necessary",
             "script", "data-cookieconsent", "necessary", NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0xc, "Cookiebot list", "script",
             "data-cookieconsent", "statistics, marketing", NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0xe, "Cookiebot list, any order",
             "script", "data-cookieconsent", "marketing,statistics "
             "preferences", NULL);
    check_el(p, U, CONSENT_BY_MIGRATED, 0, "Cookiebot unknown in a list",
             "script", "data-cookieconsent", "statistics, bogus", NULL);
    check_el(p, N, CONSENT_BY_MIGRATED, 0, "Cookiebot ignore", "script",
             "data-cookieconsent", "ignore", "src", ga, NULL);
    check_el(p, N, CONSENT_BY_MIGRATED, 0, "Cookiebot Ignore, spaces",
             "script", "data-cookieconsent", " Ignore ", "src", ga, NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0x8, "ignore beside a category",
             "script", "data-cookieconsent", "ignore, marketing", NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "Cookiebot blank: rules",
             "script", "data-cookieconsent", " , ", "src", ga, NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0x8, "Cookiebot iframe", "iframe",
             "data-cookieblock-src", "https://www.youtube.com/embed/x",
             "data-cookieconsent", "marketing", NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0x8, "Cookiebot alias", "img",
             "data-cookieconsent", "advertising", NULL);
    check_el(p, A, CONSENT_BY_MIGRATED, 0x4, "first data-cookieconsent",
             "script", "data-cookieconsent", "statistics",
             "data-cookieconsent", "ignore", NULL);

    /* orestbida: a text/plain script or an element with data-src */
    check_el(p, A, CONSENT_BY_MIGRATED, 0x4, "data-category", "script",
             "type", "text/plain", "data-category", "analytics", NULL);
    check_el(p, A, CONSENT_BY_MIGRATED, 0x4, "data-category alias",
             "script", "type", "text/plain", "data-category", "statistics",
             NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0x8, "data-category targeting",
             "script", "data-category", "targeting", "type", "TEXT/PLAIN",
             "src", ga, NULL);
    check_el(p, 1, CONSENT_BY_MIGRATED, 0x2, "data-category functionality",
             "script", "type", " text/plain; charset=utf-8",
             "data-category", "Functionality", NULL);
    check_el(p, A, CONSENT_BY_MIGRATED, 0x4, "data-cookiecategory (v2)",
             "script", "type", "text/plain", "data-cookiecategory",
             "analytics", NULL);
    check_el(p, U, CONSENT_BY_MIGRATED, 0, "data-category unknown",
             "script", "type", "text/plain", "data-category", "bogus", NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "data-category, live script",
             "script", "data-category", "analytics", NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "data-category, live script, src",
             "script", "data-category", "marketing", "src", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "data-category, javascript type",
             "script", "type", "text/javascript", "data-category",
             "analytics", NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "data-category, text/plainx",
             "script", "type", "text/plainx", "data-category", "analytics",
             NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "data-category, second type",
             "script", "type", "module", "type", "text/plain",
             "data-category", "analytics", NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0x8, "data-category with data-src",
             "iframe", "data-src", "https://www.youtube.com/embed/x",
             "data-category", "marketing", NULL);
    check_el(p, A, CONSENT_BY_MIGRATED, 0x4, "data-category img data-src",
             "img", "data-category", "analytics", "data-src", "/p.gif",
             NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "data-category img, unknown name",
             "img", "data-category", "news", "data-src", "/p.gif", NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "data-category img without data-src",
             "img", "data-category", "marketing", "src", "/a.jpg", NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "data-category img, tracker src",
             "img", "data-category", "news", "src",
             "https://www.facebook.com/tr?id=1", NULL);
    check_el(p, A, CONSENT_BY_MIGRATED, 0x4, "data-category before v2",
             "script", "type", "text/plain", "data-cookiecategory",
             "marketing", "data-category", "analytics", NULL);
    check_el(p, M, CONSENT_BY_MIGRATED, 0x8, "Cookiebot before orestbida",
             "script", "type", "text/plain", "data-category", "analytics",
             "data-cookieconsent", "marketing", NULL);
}


static void
test_kinds(const consent_policy_t *p)
{
    const char  *ga = "https://www.googletagmanager.com/gtag/js?id=G-1";
    const char  *yt = "https://www.youtube.com/embed/xyz";
    const char  *px = "https://www.facebook.com/tr?id=1&ev=PageView";
    const char  *vm = "https://player.vimeo.com/external/1.mp4";

    check_el(p, A, CONSENT_BY_RULE, 0x4, "script src", "script", "async",
             NULL, "src", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "script, local src", "script", "src",
             "/js/site.js", NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "script, no src", "script", NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "script, src without value",
             "script", "src", NULL, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "first src wins", "script", "src",
             "/js/site.js", "src", ga, NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "first src wins, tracker first",
             "script", "src", ga, "src", "/js/site.js", NULL);
    /* a script fetches src only; the scanner passes an SVG one's href */
    check_el(p, N, CONSENT_BY_NONE, 0, "script href fetches nothing",
             "script", "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "script xlink:href fetches nothing",
             "script", "xlink:href", ga, NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "script src, not its href",
             "script", "src", "https://connect.facebook.net/x.js", "href",
             ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "script local src, tracker href",
             "script", "src", "/js/site.js", "href", ga, "xlink:href", ga,
             NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "script data", "script", "data", ga,
             NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "SCRIPT upper-case tag", "SCRIPT",
             "src", ga, NULL);

    check_el(p, M, CONSENT_BY_RULE, 0x8, "iframe src", "iframe", "src", yt,
             "allowfullscreen", NULL, NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "GTM noscript iframe", "iframe",
             "src", "https://www.googletagmanager.com/ns.html?id=GTM-X",
             "height", "0", NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "frame src", "frame", "src", yt,
             NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "embed src", "embed", "src", yt,
             NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "iframe srcdoc", "iframe", "srcdoc",
             yt, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "iframe data-src", "iframe",
             "data-src", yt, NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "object data", "object", "data",
             yt, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "object src", "object", "src", yt,
             NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "img src", "img", "src", px,
             "height", "1", "width", "1", "style", "display:none", NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "image src", "image", "src", px,
             NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "img, local src", "img", "src",
             "/img/a.jpg", "alt", "https://www.facebook.com/tr", NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "img srcset", "img", "src",
             "/a.jpg", "srcset", "/a.jpg 1x, https://www.facebook.com/tr 2x",
             NULL);
    check_el(p, M, CONSENT_BY_RULE, 0xc, "img src and srcset differ", "img",
             "src", "https://www.google-analytics.com/collect?v=1",
             "srcset", px, NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "video src", "video", "src", vm,
             "controls", NULL, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "video poster", "video", "poster",
             px, NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "audio src", "audio", "src", vm,
             NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "source src", "source", "src", vm,
             "type", "video/mp4", NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "source srcset", "source",
             "srcset", "https://www.facebook.com/tr?x=1 480w", NULL);

    /* link: only where rel makes the browser fetch href */
    check_el(p, A, CONSENT_BY_RULE, 0x4, "link preload", "link", "rel",
             "preload", "as", "script", "href", ga, NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "link modulepreload", "link",
             "href", ga, "rel", "modulepreload", NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "link prefetch", "link", "rel",
             "prefetch", "href", ga, NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "link stylesheet", "link", "rel",
             "stylesheet", "href", ga, NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "link rel upper case", "link",
             "rel", "PreLoad", "href", ga, NULL);
    check_el(p, A, CONSENT_BY_RULE, 0x4, "link rel among tokens", "link",
             "rel", "\talternate\n stylesheet ", "href", ga, NULL);
    check_el(p, M, CONSENT_BY_RULE, 0x8, "link preload imagesrcset", "link",
             "rel", "preload", "as", "image", "imagesrcset",
             "/a.png 1x, https://www.facebook.com/tr 2x", NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link icon", "link", "rel", "icon",
             "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link preconnect", "link", "rel",
             "preconnect", "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link dns-prefetch", "link", "rel",
             "dns-prefetch", "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link rel stylesheets", "link",
             "rel", "stylesheets", "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link rel pre-load", "link", "rel",
             "pre-load", "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link without rel", "link", "href",
             ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link rel without value", "link",
             "rel", NULL, "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link, first rel wins", "link",
             "rel", "icon", "rel", "stylesheet", "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "link preload, local href", "link",
             "rel", "preload", "href", "/css/site.css", NULL);

    check_el(p, N, CONSENT_BY_NONE, 0, "a href", "a", "href", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "div src", "div", "src", ga, NULL);
    check_el(p, N, CONSENT_BY_NONE, 0, "form action", "form", "action", px,
             NULL);
}


static void
test_srcset(const consent_policy_t *p)
{
    size_t  i;
    static const url_case_t  cases[] = {
        { "https://www.facebook.com/tr", M },
        { "https://www.facebook.com/tr 1x", M },
        { "/a.jpg 1x,https://www.facebook.com/tr 2x", M },
        { "/a.jpg 1x ,  https://www.facebook.com/tr 2x", M },
        /* one relative URL: a candidate ends at whitespace */
        { "/a.jpg,https://www.google-analytics.com/p.gif", N },
        { "/a.jpg,https://www.facebook.com/tr", M },
        { "/a.jpg, https://www.facebook.com/tr", M },
        { "/a.jpg,, https://www.facebook.com/tr", M },
        { "https://www.facebook.com/tr,, /a.jpg 2x", M },
        { "https://www.facebook.com/tr,/a.jpg 2x", M },
        { "https://x.example/a,b.jpg 1x, https://www.facebook.com/tr 2x",
          M },
        { "/a.jpg 1x (x, https://www.facebook.com/tr), /b.jpg 2x", N },
        { "/a.jpg 1x (x), https://www.facebook.com/tr 2x", M },
        { "/a.jpg 100w\n,\thttps://www.facebook.com/tr\f200w", M },
        { " , , ", N },
        { "", N },
        { ",", N },
        { "/a.jpg 1x, /b.jpg 2x", N },
        { "data:image/png;base64,AAAA 1x, https://www.facebook.com/tr 2x",
          M },
        { "//www.google-analytics.com/p.gif 1x", A },
        { "/a.jpg 1x (, //www.google-analytics.com/p.gif 2x", N },
        { "/a.jpg 1x (), //www.google-analytics.com/p.gif 2x", A }
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        consent_match_t  m;

        m = el(p, "img", "srcset", cases[i].url, NULL);

        if (!ok(m.category == cases[i].want, "srcset %zu", i)) {
            printf("#   srcset: '%s'\n#   got %d, want %d\n", cases[i].url,
                   m.category, cases[i].want);
        }
    }
}


static void
test_edges(const consent_policy_t *p)
{
    consent_attr_t   a[2];
    consent_match_t  m;

    m = consent_match_element(NULL, CONSENT_EL_SCRIPT, NULL, 0);
    ok(m.category == N && m.by == CONSENT_BY_NONE && m.mask == 0,
       "NULL policy");

    m = consent_match_element(p, CONSENT_EL_SCRIPT, NULL, 3);
    ok(m.category == N && m.by == CONSENT_BY_NONE, "NULL attributes");

    m = consent_match_element(p, (consent_element_e) 99, NULL, 0);
    ok(m.category == N, "unknown element kind");

    a[0].name = NULL;
    a[0].name_len = 3;
    a[0].value = "x";
    a[0].value_len = 1;
    a[1].name = "src";
    a[1].name_len = 3;
    a[1].value = "https://www.google-analytics.com/x";
    a[1].value_len = strlen(a[1].value);
    m = consent_match_element(p, CONSENT_EL_SCRIPT, a, 2);
    ok(m.category == A, "an attribute without a name is skipped");

    a[1].value_len = 0;
    m = consent_match_element(p, CONSENT_EL_SCRIPT, a, 2);
    ok(m.category == N, "value length counts, not NUL");

    a[1].name = "srcx";
    a[1].name_len = 3;
    a[1].value_len = strlen(a[1].value);
    m = consent_match_element(p, CONSENT_EL_SCRIPT, a, 2);
    ok(m.category == A, "name length counts, not NUL");
}


/* random bytes from an alphabet that means something to the parsers */

static void
test_random(const consent_policy_t *p)
{
    int             k;
    size_t          i, n, j;
    unsigned        seed;
    consent_attr_t  a[4];
    char            buf[600];
    static const char  alpha[] = "/\\:@.%?#[]-,() \t\n0x9aAfFgoGle"
                                 "\xef\xbc\xbd\xe3\x80\x82\xc2\xad\x80";
    static const char  *names[] = {
        "src", "srcset", "data-consent", "data-cookieconsent",
        "data-category", "type", "rel", "href"
    };
    static const char  *tags[] = {
        "script", "img", "link", "iframe", "object", "source"
    };

    seed = 12345;

    for (i = 0; i < 20000; i++) {
        n = (seed = seed * 1103515245 + 12345) % sizeof(buf);

        for (j = 0; j < n; j++) {
            seed = seed * 1103515245 + 12345;
            k = (int) ((seed >> 16) % 8);
            buf[j] = k == 0 ? (char) (seed >> 8)
                            : alpha[(seed >> 16) % (sizeof(alpha) - 1)];
        }

        (void) consent_match_url(p, buf, n);
        (void) consent_match_inline(p, buf, n);

        for (j = 0; j < 4; j++) {
            seed = seed * 1103515245 + 12345;
            a[j].name = names[(seed >> 16) % 8];
            a[j].name_len = strlen(a[j].name);
            a[j].value = buf + j * n / 4;
            a[j].value_len = n / 4;
        }

        seed = seed * 1103515245 + 12345;
        (void) consent_match_element(p,
                                     consent_element(tags[(seed >> 16) % 6],
                                         strlen(tags[(seed >> 16) % 6])),
                                     a, 4);
    }

    ok(1, "20000 random inputs, no crash");
}


/* the best of five rounds: the least disturbed by the machine */

static double
time_element(const consent_policy_t *p, const char *tag,
    const consent_attr_t *a, size_t n, size_t iters)
{
    int              round;
    size_t           i;
    double           t0, t1, best;
    consent_match_t  m;

    best = 1e30;

    for (round = 0; round < 5; round++) {
        t0 = now_ns();

        for (i = 0; i < iters; i++) {
            m = consent_match_element(p, consent_element(tag, strlen(tag)),
                                      a, n);
            sink += m.category;
        }

        t1 = now_ns();

        if (t1 - t0 < best) {
            best = t1 - t0;
        }
    }

    return best / (double) iters;
}


static double
time_inline(const consent_policy_t *p, const char *text, size_t len,
    size_t iters)
{
    int     round;
    size_t  i;
    double  t0, t1, best;

    best = 1e30;

    for (round = 0; round < 5; round++) {
        t0 = now_ns();

        for (i = 0; i < iters; i++) {
            sink += consent_match_inline(p, text, len);
        }

        t1 = now_ns();

        if (t1 - t0 < best) {
            best = t1 - t0;
        }
    }

    return best / (double) iters;
}


static void
test_speed(const consent_policy_t *p)
{
    char            *js;
    size_t           n;
    double           t;
    consent_attr_t   a[3];
    const char      *chunk;

    /* <script async src="https://www.googletagmanager.com/gtag/js?..."> */
    a[0].name = "async";
    a[0].name_len = 5;
    a[0].value = "";
    a[0].value_len = 0;
    a[1].name = "src";
    a[1].name_len = 3;
    a[1].value = "https://www.googletagmanager.com/gtag/js?id=G-XXXXXXXXXX";
    a[1].value_len = strlen(a[1].value);

    t = time_element(p, "script", a, 2, 100000);
    printf("# speed: tracker <script src> %.0f ns/call\n", t);

    a[1].value = "https://cdn.example.com/assets/js/site.min.js?v=20240101";
    a[1].value_len = strlen(a[1].value);
    t = time_element(p, "script", a, 2, 100000);
    printf("# speed: other site's <script src> %.0f ns/call\n", t);

    a[1].value = "/assets/js/site.min.js?v=20240101";
    a[1].value_len = strlen(a[1].value);
    t = time_element(p, "script", a, 2, 100000);
    printf("# speed: local <script src> %.0f ns/call\n", t);

    a[0].name = "src";
    a[0].name_len = 3;
    a[0].value = "/img/photo-800.jpg";
    a[0].value_len = strlen(a[0].value);
    a[1].name = "srcset";
    a[1].name_len = 6;
    a[1].value = "/img/photo-400.jpg 400w, /img/photo-800.jpg 800w, "
                 "/img/photo-1600.jpg 1600w";
    a[1].value_len = strlen(a[1].value);
    a[2].name = "alt";
    a[2].name_len = 3;
    a[2].value = "A photo";
    a[2].value_len = 7;
    t = time_element(p, "img", a, 3, 100000);
    printf("# speed: local <img src srcset> (4 URLs) %.0f ns/call\n", t);

    /* 2 KiB of ordinary script without a marker, then with one last */
    chunk = "document.querySelectorAll('.menu a').forEach(function (link) "
            "{ link.addEventListener('click', toggleMenu, false); });\n"
            "var height = window.innerHeight; if (height > 600) "
            "{ document.body.classList.add('tall'); }\n";
    js = malloc(2048 + 1);
    if (js == NULL) {
        abort();
    }

    for (n = 0; n < 2048; n++) {
        js[n] = chunk[n % strlen(chunk)];
    }

    js[2048] = '\0';

    t = time_inline(p, js, 2048, 10000);
    printf("# speed: inline script of 2 KiB, no marker %.0f ns/call "
           "(%.2f GB/s)\n", t, 2048.0 / t);

    memcpy(js + 2048 - 12, "ttq.page();\n", 12);
    t = time_inline(p, js, 2048, 10000);
    printf("# speed: inline script of 2 KiB, last marker at its end "
           "%.0f ns/call\n", t);

    ok(consent_match_inline(p, js, 2048) == M, "speed measured");

    free(js);
}


/*
 * Issue 14: every spelling of a tracker's URL that the URL Standard
 * equates with the rule's, against the stock policy's rules; and the
 * rule still matches what it matched as raw text
 */

static void
test_spellings(const consent_policy_t *p)
{
    consent_policy_t  *s;

    static const url_case_t  cases[] = {
        { "https://www.facebook.com/./tr", M },
        { "https://www.facebook.com/x/../tr", M },
        { "https://www.facebook.com/%2e/tr", M },
        { "https://www.facebook.com/x/%2E%2e/tr?id=1", M },
        { "https://www.facebook.com/x/.%2e/tr", M },
        { "https://www.facebook.com/x/y/../../tr", M },
        { "https://www.facebook.com/../../tr", M },
        { "https://www.facebook.com:443/tr", M },
        { "https://www.facebook.com./tr", M },
        { "https://www.facebook.com:443./tr", N },
        { "https://www.facebook.com/%74r", M },
        { "https://www.facebook.com\\x\\..\\tr", M },
        { "https://www.facebook.com/\\x\\..\\tr", N },
        { "https://\xef\xbd\x97\xef\xbd\x97\xef\xbd\x97\xef\xbc\x8e"
          "\xef\xbd\x86\xef\xbd\x81\xef\xbd\x83\xef\xbd\x85\xef\xbd\x82"
          "\xef\xbd\x8f\xef\xbd\x8f\xef\xbd\x8b\xef\xbc\x8e\xef\xbd\x83"
          "\xef\xbd\x8f\xef\xbd\x8d/tr", M },
        { "https://www.youtube.com/x/../embed/abc", M },
        { "https://www.youtube.com/x/%2e%2e/embed/abc", M },

        /* hosts that UTS #46 maps to a rule's ASCII name */
        { "https://\xc5\xbf" "cript.hotjar.com/modules.js", A },
        { "https://connect.faceboo\xe2\x84\xaa.net/en_US/fbevents.js", M },
        { "https://plausible.\xe2\x93\x98\xe2\x93\x9e/js/script.js", A },
        { "https://www.clarity.m\xcb\xa2/tag/abc", A },
        { "https://www.google-analyt\xe2\x85\xb0" "cs.com/analytics.js",
          A },
        { "https://\xf0\x9d\x90\xa0\xf0\x9d\x90\xa8\xf0\x9d\x90\xa8"
          "\xf0\x9d\x90\xa0\xf0\x9d\x90\xa5\xf0\x9d\x90\x9e"
          "tagmanager.com/gtm.js", A },
        { "https://GOOGLETAGMANAGER\xe3\x80\x82" "com/gtm.js", A },
        { "https://\xc3\xbc.connect.facebook.net/x.js", M },
        { "https://\xc3\xbc.facebook.com/tr", M },
        { "https://doubleclick\xc2\xad.net/x", M },
        { "https://google-analytics\xe1\x85\x9f.com/x", A },
        { "https://google-analytics.\xe3\x85\xa4" "com/x", A },

        /* not the tracker: the mapping makes another name */
        { "https://doubleclick.net\xc3\xbc/x", N },
        { "https://www.facebook.com/x/tr", N },

        /* raw text still counts: more than the parsed URL alone */
        { "https://www.facebook.com/tr/../x", M },
        { "https:google-analytics.com/x", A }
    };

    static const url_case_t  ipv4[] = {
        { "http://10.0.0.1/", 2 },
        { "http://0xa.0.0.1/", 2 },
        { "http://0xa.1/", 2 },
        { "http://167772161/", 2 },
        { "http://012.0.0.01/", 2 },
        { "http://0xA000001/x", 2 },
        { "http://10.0.0.1./x", 2 },
        { "http://\xef\xbc\x91\xef\xbc\x90.0.0.1/", 2 },
        { "http://[::ffff:10.0.0.1]/", 2 },
        { "http://[::FFFF:a00:1]/", 2 },
        { "http://[0:0:0:0:0:ffff:0a00:0001]:8080/", 2 },
        { "http://[::10.0.0.1]/", N },
        { "http://[::ffff:10.0.0.2]/", N },
        { "http://10.0.0.256/", N },
        { "http://10.0.1/", 2 },
        { "http://10.0.0.1.1/", N }
    };

    url_table(p, cases, sizeof(cases) / sizeof(cases[0]), "spelling");

    s = small_policy();

    if (!ok(s != NULL, "small policy for IPv4")) {
        return;
    }

    url_table(s, ipv4, sizeof(ipv4) / sizeof(ipv4[0]), "ipv4");
    consent_policy_free(s);
}


/* relative URLs against the page's URL or a <base href> */

static void
test_base(const consent_policy_t *p)
{
    size_t           i;
    consent_url_t    page, base;
    consent_match_t  m;
    consent_attr_t   a[1];
    char             pbuf[256], bbuf[256];

    static const struct {
        const char  *base;
        const char  *url;
        int          want;
    }  cases[] = {
        { "https://www.facebook.com/", "/tr", M },
        { "https://www.facebook.com/", "tr?id=1", M },
        { "https://www.facebook.com/a/b", "../tr", M },
        { "https://www.facebook.com/a/b", "?id=1", N },
        { "https://www.facebook.com/tr", "?id=1", M },
        { "https://www.facebook.com/", "https:tr", M },
        { "https://example.org/", "/tr", N },
        { "https://example.org/", "//www.facebook.com/tr", M },
        { "https://example.org/", "\\\\connect.facebook.net\\x.js", M },
        { "https://example.org/", "gtm.js", N },
        { "https://www.googletagmanager.com/", "gtm.js", A },
        { "https://www.googletagmanager.com/", "https://example.org/", N },
        { "http://sub.clarity.ms:8080/x/", "y", A },
        { "https://example.org/", "/js/../matomo.js", A },
        { "https://example.org/", "javascript:void(0)", N }
    };

    page.buf = pbuf;
    page.size = sizeof(pbuf);

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!is_int(consent_url_parse(&page, cases[i].base,
                                      strlen(cases[i].base), NULL),
                    CONSENT_URL_OK, "base %s parses", cases[i].base))
        {
            continue;
        }

        is_int(consent_match_url_base(p, cases[i].url, strlen(cases[i].url),
                                      &page),
               cases[i].want, "base %s: %s", cases[i].base, cases[i].url);
    }

    /* <base href="//www.googletagmanager.com/"> on an example.org page */
    consent_url_parse(&page, "https://example.org/blog/post", 29, NULL);
    base.buf = bbuf;
    base.size = sizeof(bbuf);

    is_int(consent_url_parse(&base, "//www.googletagmanager.com/", 27, &page),
           CONSENT_URL_OK, "base href resolves against the page");

    a[0].name = "src";
    a[0].name_len = 3;
    a[0].value = "gtm.js?id=GTM-1";
    a[0].value_len = strlen(a[0].value);

    m = consent_match_element_base(p, CONSENT_EL_SCRIPT, a, 1, &base);
    is_int(m.category, A, "script src relative to a tracker's base href");

    m = consent_match_element_base(p, CONSENT_EL_SCRIPT, a, 1, &page);
    is_int(m.category, N, "the same against the page itself");

    m = consent_match_element(p, CONSENT_EL_SCRIPT, a, 1);
    is_int(m.category, N, "the same without a base");

    /*
     * each reading's first rule counts: raw, "https:connect.facebook.net"
     * is Meta's host; parsed against an https base, a path on the base's
     * host (Google's): the element waits for both categories
     */
    consent_url_parse(&base, "https://www.googletagmanager.com/", 33, NULL);
    a[0].value = "https:connect.facebook.net/x.js";
    a[0].value_len = strlen(a[0].value);

    m = consent_match_element_base(p, CONSENT_EL_SCRIPT, a, 1, &base);
    is_int(m.mask, (1u << A) | (1u << M), "both readings' categories");
    is_int(consent_match_url_base(p, a[0].value, a[0].value_len, &base), A,
           "the URL's category: the first rule of either reading");
}


/* categories necessary, a (1), b (2), c (3), and these rules */

static consent_policy_t *
rules_policy(const char *rules)
{
    char               err[512], doc[4096];
    consent_policy_t  *p;

    snprintf(doc, sizeof(doc),
        "{\"revision\": 1, \"default_language\": \"en\", "
        "\"privacy_url\": \"/p\", \"texts\": {\"en\": {\"title\": \"t\", "
        "\"message\": \"m\", \"accept_all\": \"a\", \"reject_all\": \"r\", "
        "\"customise\": \"c\", \"save\": \"s\", \"withdraw\": \"w\", "
        "\"privacy_link\": \"p\", \"manage\": \"m\", \"always_on\": \"o\", "
        "\"gpc_honoured\": \"g\"}}, \"categories\": ["
        "{\"id\": \"necessary\", \"required\": true, "
        "\"label\": {\"en\": \"N\"}, \"description\": {\"en\": \"N\"}}, "
        "{\"id\": \"a\", \"label\": {\"en\": \"A\"}, "
        "\"description\": {\"en\": \"A\"}}, "
        "{\"id\": \"b\", \"label\": {\"en\": \"B\"}, "
        "\"description\": {\"en\": \"B\"}}, "
        "{\"id\": \"c\", \"label\": {\"en\": \"C\"}, "
        "\"description\": {\"en\": \"C\"}}], \"rules\": [%s]}", rules);

    err[0] = '\0';
    p = consent_policy_parse(doc, strlen(doc), err, sizeof(err));

    if (p == NULL) {
        printf("# rules policy: %s\n", err);
    }

    return p;
}


/*
 * What the compiled rules (consent_match_rules.c) must keep of the rules
 * tried one at a time: the first rule in policy order wins, wherever in
 * the URL or the host it matches and whatever matched first in the text
 * (a pattern found inside another through the automaton's failure
 * links, a shorter host suffix before a longer one); a host rule ends at
 * a label boundary; the first of two rules with the same pattern wins;
 * patterns and URLs are folded by the same function.
 * t/unit/match_diff.c compares the two matchers at large.
 */

static void
test_compiled(void)
{
    size_t             i;
    consent_policy_t  *p;

    static const url_case_t  urls[] = {
        /* rule 0 "abcx" (a), rule 1 "bc" (b), rule 2 "c" and "xa" (c) */
        { "/abcx", 1 },
        { "/abc", 2 },
        { "/xabc", 2 },
        { "/c", 3 },
        { "/ABCX", 1 },
        { "/%41bcx", 1 },
        { "/%4\t1%62\nc%78", 1 },
        { "/a\tb\rc\nx", 1 },
        { "/ab%", N },
        { "/ab%4", N },
        { "/%%41bcx", 1 },
        { "/b%63", 2 }
    };

    static const url_case_t  hosts[] = {
        /* rule 0 host "b.c" (a), rule 1 host "a.b.c" (b), rule 2 "a.b.c" */
        { "https://a.b.c/", 1 },
        { "https://x.a.b.c/", 1 },
        { "https://b.c/", 1 },
        { "https://ab.c/", N },
        { "https://xb.c/", N },
        { "https://c/", N },
        { "https://B.C./", 1 }
    };

    static const url_case_t  order[] = {
        /* rule 0 host "a.b.c" (a), 1 host "b.c" (b), 2 URL "/p" (c) */
        { "https://a.b.c/p", 1 },
        { "https://x.b.c/p", 2 },
        { "https://x.c/p", 3 },
        { "https://x.c/%2F%70", 3 },
        { "https://x.c\\p", 3 }
    };

    p = rules_policy("{\"category\": \"a\", \"urls\": [\"abcx\"]}, "
                     "{\"category\": \"b\", \"urls\": [\"bc\"]}, "
                     "{\"category\": \"c\", \"urls\": [\"c\", \"xa\", "
                     "\"bc\"]}");

    if (ok(p != NULL, "compiled: URL rules policy")) {
        url_table(p, urls, sizeof(urls) / sizeof(urls[0]), "compiled urls");
        consent_policy_free(p);
    }

    p = rules_policy("{\"category\": \"a\", \"hosts\": [\"b.c\"]}, "
                     "{\"category\": \"b\", \"hosts\": [\"a.b.c\"]}, "
                     "{\"category\": \"c\", \"hosts\": [\"A.b.c\"]}");

    if (ok(p != NULL, "compiled: host rules policy")) {
        url_table(p, hosts, sizeof(hosts) / sizeof(hosts[0]),
                  "compiled hosts");
        consent_policy_free(p);
    }

    p = rules_policy("{\"category\": \"a\", \"hosts\": [\"a.b.c\"]}, "
                     "{\"category\": \"b\", \"hosts\": [\"b.c\"]}, "
                     "{\"category\": \"c\", \"urls\": [\"/p\"]}");

    if (ok(p != NULL, "compiled: mixed policy")) {
        url_table(p, order, sizeof(order) / sizeof(order[0]),
                  "compiled order");

        /* the host rule before the URL rule, the URL rule alone */
        i = consent_match_hosts(p, "x.a.b.c", 7);
        is_int((long long) i, 0, "hosts: the first rule, longest suffix");
        is_int((long long) consent_match_urls(p, "/p", 2, 3), 2,
               "urls: rule 2");
        is_int((long long) consent_match_urls(p, "/p", 2, 2), 2,
               "urls: none before the limit");
        consent_policy_free(p);
    }
}


/*
 * The URL automaton's table is bounded (16 MB): a policy whose patterns
 * would need more is refused with a message, not loaded half-compiled.
 * Two patterns escape every byte from 0x80 up (many classes), then long
 * patterns of letters add states.
 */

static void
test_compile_limit(void)
{
    int                i, j, k, n;
    char              *rules, err[512], *doc;
    size_t             len;
    uint64_t           x;
    consent_policy_t  *p;

    rules = malloc(200000);
    doc = malloc(210000);
    if (rules == NULL || doc == NULL) {
        abort();
    }

    for (k = 0; k < 2; k++) {
        n = sprintf(rules, "{\"category\": \"a\", \"urls\": [");
        x = 19;

        for (i = 0x80; i < 0x100; i += 64) {
            n += sprintf(rules + n, "%s\"", i > 0x80 ? ", " : "");

            for (j = i; j < i + 64; j++) {
                n += sprintf(rules + n, "%%%02x", j);
            }

            rules[n++] = '"';
        }

        /* with 157 classes: 70 patterns pass (18,000 states), 130 do not */
        for (i = 0; i < (k ? 130 : 70); i++) {
            n += sprintf(rules + n, ", \"");

            for (j = 0; j < 256; j++) {
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                rules[n++] = (char) ('a' + (x >> 33) % 26);
            }

            rules[n++] = '"';
        }

        n += sprintf(rules + n, "]}");
        rules[n] = '\0';

        len = (size_t) sprintf(doc,
            "{\"revision\": 1, \"default_language\": \"en\", "
            "\"privacy_url\": \"/p\", \"texts\": {\"en\": {\"title\": "
            "\"t\", \"message\": \"m\", \"accept_all\": \"a\", "
            "\"reject_all\": \"r\", \"customise\": \"c\", \"save\": \"s\", "
            "\"withdraw\": \"w\", \"privacy_link\": \"p\", \"manage\": "
            "\"m\", \"always_on\": \"o\", \"gpc_honoured\": \"g\"}}, "
            "\"categories\": [{\"id\": \"necessary\", \"required\": true, "
            "\"label\": {\"en\": \"N\"}, \"description\": {\"en\": \"N\"}}, "
            "{\"id\": \"a\", \"label\": {\"en\": \"A\"}, "
            "\"description\": {\"en\": \"A\"}}], \"rules\": [%s]}", rules);

        err[0] = '\0';
        p = consent_policy_parse(doc, len, err, sizeof(err));

        if (k == 0) {
            ok(p != NULL, "72 URL patterns of 64 and 256 bytes compile");

        } else {
            ok(p == NULL, "132 such patterns are too many");
            is_str(err, "rules: the URL rules are too many to compile "
                   "(more than 4194304 table entries)", "the message");
        }

        consent_policy_free(p);
    }

    free(rules);
    free(doc);
}


int
main(int argc, char **argv)
{
    consent_policy_t  *p;

    test_element_kind();

    p = load(argc > 1 ? argv[1] : "conf/policy.json");

    if (!ok(p != NULL, "conf/policy.json loads")) {
        return done_testing();
    }

    if (!is_int(p->ncategories, 4, "four categories")) {
        return done_testing();
    }

    is_str(p->categories[A].id, "analytics", "A is analytics");
    is_str(p->categories[M].id, "marketing", "M is marketing");

    test_hosts(p);
    test_url_rules(p);
    test_long_urls(p);
    test_small();
    test_compiled();
    test_compile_limit();
    test_inline(p);
    test_marks(p);
    test_marks_only(p);
    test_kinds(p);
    test_srcset(p);
    test_edges(p);
    test_random(p);
    test_spellings(p);
    test_base(p);
    test_speed(p);

    consent_policy_free(p);

    return done_testing();
}
