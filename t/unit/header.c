
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_header.c: charsets the filter can read,
 * Cache-Control made private and revalidated, Accept-Encoding narrowed
 * to what the filter reads.
 */


#include <stdlib.h>

#include "tap.h"
#include "consent_header.h"


/* a rewriting function over a table of values and what they become */

typedef size_t (*rewrite_pt)(const char *value, size_t len, char *out);

typedef struct {
    const char  *in;
    const char  *out;
} rewrite_case_t;


static void test_charset(void);
static void test_cache_control(void);
static void test_accept_gzip(void);
static void check_cc(const char *in, const char *want);
static void test_accept_encoding(void);
static void test_no_cache(void);
static void test_charset_fixed(void);
static void test_page(void);
static void check_rewrites(const char *what, rewrite_pt fn,
    const rewrite_case_t *cases, size_t n);


static void
test_charset(void)
{
    ok(consent_charset_ascii("text/html", 9, NULL, 0), "no charset");
    ok(consent_charset_ascii("text/html; charset=utf-8", 24, NULL, 0),
       "utf-8");
    ok(consent_charset_ascii("text/html", 9, "iso-8859-1", 10),
       "latin-1 from nginx's charset");
    ok(!consent_charset_ascii("text/html; charset=UTF-16LE", 27, NULL, 0),
       "UTF-16LE in the Content-Type");
    ok(!consent_charset_ascii("text/html", 9, "utf-32", 6),
       "utf-32 from nginx's charset");
    ok(!consent_charset_ascii("text/html;charset=\"ucs-2\"", 25, NULL, 0),
       "quoted ucs-2");
    ok(consent_charset_ascii(NULL, 0, NULL, 0), "nothing known");
}


static void
check_cc(const char *in, const char *want)
{
    char    *out;
    size_t   len, n;

    len = strlen(in);
    out = malloc(2 * len + 9 + 1);

    n = consent_cache_control_private(in, len, out);
    ok(n <= 2 * len + 9, "'%s': within the promised room", in);
    out[n] = '\0';
    is_str(out, want, "'%s' -> '%s'", in, want);

    free(out);
}


static void
test_cache_control(void)
{
    check_cc("", "private");
    check_cc("max-age=600", "private, max-age=600");
    check_cc("public, max-age=600", "private, max-age=600");
    check_cc("Public,s-maxage=60, max-age=10", "private, max-age=10");
    check_cc("max-age=10 , public", "private, max-age=10");
    check_cc("no-store", "no-store");
    check_cc("private, max-age=5", "private, max-age=5");
    check_cc("no-cache", "private, no-cache");
    check_cc("a,b,c,d,e", "private, a, b, c, d, e");
    check_cc(",,,", "private");
    check_cc("publicity", "private, publicity");
    check_cc("s-maxagex=1", "private, s-maxagex=1");
}


static void
test_accept_gzip(void)
{
    size_t  i;

    static const struct {
        const char  *value;
        int          gzip;
    } cases[] = {
        { "gzip", 1 },
        { "gzip, deflate, br, zstd", 1 },
        { "br;q=1.0, gzip;q=0.8, *;q=0.1", 1 },
        { "GZIP", 1 },
        { "x-gzip", 1 },
        { "deflate, br", 0 },
        { "", 0 },
        { "identity", 0 },
        { "gzip;q=0", 0 },
        { "gzip; q=0.000, br", 0 },
        { "gzip;q=0.001", 1 },
        { "*", 1 },
        { "*;q=0", 0 },
        { "*, gzip;q=0", 0 },
        { "gzip;q=0, *", 0 },
        { "gzipx, xgzip", 0 },
        { "br, gzip ;q=0.5", 1 },
        { ",,, ,gzip", 1 },
        { "gzip;level=9;q=0", 0 },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(consent_accept_gzip(cases[i].value, strlen(cases[i].value)),
               cases[i].gzip, "Accept-Encoding: \"%s\"", cases[i].value);
    }

    /* the length is the end, not a NUL */
    is_int(consent_accept_gzip("gzip;q=0", 4), 1, "a value cut by length");
}


static void
check_rewrites(const char *what, rewrite_pt fn, const rewrite_case_t *cases,
    size_t n)
{
    char    out[256];
    size_t  i, len;

    for (i = 0; i < n; i++) {
        len = fn(cases[i].in, strlen(cases[i].in), out);
        out[len] = '\0';
        is_str(out, cases[i].out, "%s: \"%s\"", what, cases[i].in);
    }
}


static void
test_accept_encoding(void)
{
    static const rewrite_case_t  cases[] = {
        { "gzip, deflate, br, zstd", "gzip, deflate" },
        { "br;q=1.0, gzip;q=0.8, *;q=0.1", "gzip;q=0.8" },
        { "br", "identity" },
        { "", "identity" },
        { "identity", "identity" },
        { "GZIP , x-gzip;q=0.5 ,deflate", "GZIP, x-gzip;q=0.5, deflate" },
        { "*", "identity" },
        { "gzipx, brotli, deflate2", "identity" },
        { ",,,gzip,,", "gzip" },
        /* ", " joins: no more than 8, or the value would outgrow its room */
        { "gzip,gzip,gzip,gzip,gzip,gzip,gzip,gzip,gzip,gzip,gzip",
          "gzip, gzip, gzip, gzip, gzip, gzip, gzip, gzip" },
    };

    check_rewrites("Accept-Encoding", consent_accept_encoding_ours, cases,
                   sizeof(cases) / sizeof(cases[0]));
}


static void
test_no_cache(void)
{
    static const rewrite_case_t  cases[] = {
        { "", "no-cache" },
        { "private", "private, no-cache" },
        { "public, max-age=600", "public, max-age=600, no-cache" },
        { "no-cache", "no-cache" },
        { "private, No-Cache", "private, No-Cache" },
        { "no-store", "no-store" },
        { "max-age=0, ", "max-age=0, no-cache" },
        { "x-no-cache", "x-no-cache, no-cache" },
        { "no-cache=\"Set-Cookie\"", "no-cache=\"Set-Cookie\", no-cache" },
    };

    check_rewrites("Cache-Control", consent_cache_control_no_cache, cases,
                   sizeof(cases) / sizeof(cases[0]));
}


static void
test_page(void)
{
    char    out[256];
    size_t  n;

    n = consent_cache_control_page("public, max-age=600", 19, 1, out);
    out[n] = '\0';
    is_str(out, "private, max-age=600, no-cache", "page: private, revalidated");

    n = consent_cache_control_page("public, max-age=600", 19, 0, out);
    out[n] = '\0';
    is_str(out, "public, max-age=600, no-cache", "page: revalidated only");

    n = consent_cache_control_page("", 0, 1, out);
    out[n] = '\0';
    is_str(out, "private, no-cache", "page: nothing before");

    n = consent_cache_control_page("no-store", 8, 1, out);
    out[n] = '\0';
    is_str(out, "no-store", "page: no-store stays");
}


static void
test_charset_fixed(void)
{
    ok(consent_charset_fixed("text/html; charset=utf-8", 24, NULL, 0),
       "utf-8 in Content-Type");
    ok(consent_charset_fixed("text/html", 9, "windows-1252", 12),
       "nginx's charset");
    ok(!consent_charset_fixed("text/html", 9, NULL, 0), "none declared");
    ok(!consent_charset_fixed("text/html; charset=ISO-2022-JP", 30, NULL, 0),
       "ISO-2022-JP reads escapes");
    ok(!consent_charset_fixed("text/html", 9, "iso-2022-kr", 11),
       "ISO-2022-KR from nginx's charset");
}


int
main(void)
{
    test_charset();
    test_cache_control();
    test_accept_gzip();
    test_accept_encoding();
    test_no_cache();
    test_charset_fixed();
    test_page();

    return done_testing();
}
