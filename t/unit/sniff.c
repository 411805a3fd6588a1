
/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * Unit tests of src/consent_sniff.c: the types a browser sniffs, the
 * bodies it renders as HTML, byte order marks, ISO-2022 escapes.
 */


#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "consent_sniff.h"


static void test_type(void);
static void test_essence(void);
static int essence(const char *s, const char *want);
static void test_html(void);
static void test_bom(void);
static void test_escape(void);
static int html(const char *s, int last);


static void
test_type(void)
{
    ok(consent_sniff_type(NULL, 0), "no Content-Type");
    ok(consent_sniff_type("", 0), "an empty one");
    ok(consent_sniff_type("unknown/unknown", 15), "unknown/unknown");
    ok(consent_sniff_type("Application/Unknown; x=1", 24),
       "application/unknown with a parameter");
    ok(consent_sniff_type("*/*", 3), "*/*");
    ok(!consent_sniff_type("text/plain", 10), "text/plain");
    ok(!consent_sniff_type("application/json", 16), "application/json");
    ok(!consent_sniff_type("application/octet-stream", 24),
       "application/octet-stream is not rendered");
}


static int
essence(const char *s, const char *want)
{
    char    out[64];
    size_t  n;

    n = consent_type_essence(s, strlen(s), out);

    return want == NULL ? n == 0
                        : n == strlen(want) && memcmp(out, want, n) == 0;
}


static void
test_essence(void)
{
    ok(essence("text/html", "text/html"), "essence: a bare type");
    ok(essence("text/html; charset=utf-8", "text/html"),
       "essence: a type with a parameter (default_type may hold one)");
    ok(essence(" Text/HTML ;charset=x", "text/html"),
       "essence: blanks and capitals");
    ok(essence("application/xhtml+xml;q", "application/xhtml+xml"),
       "essence: xhtml");
    ok(essence("text/html x; charset=1", NULL), "essence: junk after");
    ok(essence("texthtml", NULL), "essence: no slash");
    ok(essence("text/html/x", NULL), "essence: two slashes");
    ok(essence("/html", NULL), "essence: no type");
    ok(essence("text/", NULL), "essence: no subtype");
    ok(essence("", NULL), "essence: empty");
    ok(essence("; charset=utf-8", NULL), "essence: parameters only");
}


static int
html(const char *s, int last)
{
    return consent_sniff_html((const unsigned char *) s, strlen(s), last);
}


static void
test_html(void)
{
    char  *big;

    is_int(html("<!DOCTYPE html>", 1), 1, "doctype");
    is_int(html("  \n\t<html>", 1), 1, "<html> after blanks");
    is_int(html("<HtMl lang=en>", 1), 1, "any case, a blank after");
    is_int(html("<script src=x>", 1), 1, "<script");
    is_int(html("<p>", 1), 1, "<p>");
    is_int(html("<b>x", 1), 1, "<b>");
    is_int(html("<!-- x -->", 1), 1, "a comment");
    is_int(html("<!--x", 1), 1, "a comment without a blank");
    is_int(html("<pre>", 1), 0, "<pre> is not a pattern");
    is_int(html("<html", 0), -1, "the end of a name: wait");
    is_int(html("<html", 1), 1, "a name cut by the end of the body");
    is_int(html("<ht", 0), -1, "a pattern's start: wait");
    is_int(html("{\"a\":\"<script>\"}", 1), 0, "JSON");
    is_int(html("   ", 0), -1, "blanks only: wait");
    is_int(html("   ", 1), 0, "blanks only, the end");
    is_int(html("", 1), 0, "empty");
    is_int(html("\xef\xbb\xbf<html>", 1), 0,
           "a UTF-8 BOM is not skipped by the patterns");
    is_int(html("<?xml version=\"1.0\"?>", 1), 0, "XML");

    big = malloc(CONSENT_SNIFF_MAX + 10);
    memset(big, ' ', CONSENT_SNIFF_MAX + 9);
    big[CONSENT_SNIFF_MAX + 9] = '\0';
    memcpy(big + CONSENT_SNIFF_MAX + 2, "<html>", 6);
    is_int(html(big, 0), 0, "what a browser does not look at");
    free(big);
}


static void
test_bom(void)
{
    is_int(consent_bom_utf16((const unsigned char *) "\xfe\xff<", 3, 0), 1,
           "UTF-16BE");
    is_int(consent_bom_utf16((const unsigned char *) "\xff\xfe<", 3, 0), 1,
           "UTF-16LE");
    is_int(consent_bom_utf16((const unsigned char *) "\xff\xfe\0\0", 4, 1),
           1, "UTF-32LE begins like UTF-16LE");
    is_int(consent_bom_utf16((const unsigned char *) "\xff", 1, 0), -1,
           "one byte: wait");
    is_int(consent_bom_utf16((const unsigned char *) "\xff", 1, 1), 0,
           "one byte, the end");
    is_int(consent_bom_utf16((const unsigned char *) "\xef\xbb\xbf", 3, 1),
           0, "UTF-8");
    is_int(consent_bom_utf16((const unsigned char *) "<", 1, 0), 0,
           "markup");
    is_int(consent_bom_utf16((const unsigned char *) "", 0, 0), -1,
           "nothing yet");
    is_int(consent_bom_utf16((const unsigned char *) "\xfe\xfe", 2, 0), 0,
           "not a BOM");
}


static void
test_escape(void)
{
    const unsigned char  *s;

    s = (const unsigned char *) "a\x1b$B<!--\x1b(B";
    ok(consent_iso2022_escape(s, 11) == s + 1, "ESC $ B");
    s = (const unsigned char *) "ab\x1b(J";
    ok(consent_iso2022_escape(s, 5) == s + 2, "ESC ( J");
    s = (const unsigned char *) "a\x1b[0m and \x1b$@";
    ok(consent_iso2022_escape(s, 13) == s + 10,
       "a terminal escape is passed over");
    s = (const unsigned char *) "abc\x1b";
    ok(consent_iso2022_escape(s, 4) == s + 3, "ESC at the end may start one");
    s = (const unsigned char *) "plain <p>";
    ok(consent_iso2022_escape(s, 9) == NULL, "none");
    s = (const unsigned char *) "a\x1b$";
    ok(consent_iso2022_escape(s, 2) == s + 1, "the length is the end");
}


int
main(void)
{
    test_type();
    test_essence();
    test_html();
    test_bom();
    test_escape();

    return done_testing();
}
