
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_header.c: charsets the filter can read, and
 * Cache-Control made private.
 */


#include <stdlib.h>

#include "tap.h"
#include "consent_header.h"


static void test_charset(void);
static void test_cache_control(void);
static void check_cc(const char *in, const char *want);


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


int
main(void)
{
    test_charset();
    test_cache_control();

    return done_testing();
}
